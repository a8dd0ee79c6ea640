//! Reading a campaign from disk: the campaign file, and the contacts file it names (resolved
//! beside it). Everything after reading is pure; this is the language stage's only I/O.

use std::path::{Path, PathBuf};

use super::ast::Span;
use super::campaign::Campaign;
use super::check::{check, contacts_file};
use super::contacts::ContactBook;
use super::diagnostic::{Diagnostic, Problem, Sources};
use super::parse::parse;
use crate::fsio::{self, Confinement};

/// A campaign read from disk, with everything said about it.
#[derive(Debug)]
pub struct Loaded {
    /// The campaign file (index 0) and its contacts file (index 1), for rendering diagnostics.
    pub sources: Sources,
    /// The checked campaign, if it has no errors.
    pub campaign: Option<Campaign>,
    /// Errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source}")]
pub struct ReadError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub source: std::io::Error,
}

/// Reads, parses and checks the campaign at `path`; `shared_contacts` is the office's contacts
/// file, used if the campaign names none of its own. The contacts file a campaign names is
/// read from the campaign's folder, and only inside what `confinement` allows.
pub fn load(
    path: &Path,
    shared_contacts: Option<&Path>,
    confinement: &Confinement,
    directory: &[super::directory::DirEntry],
) -> Result<Loaded, ReadError> {
    // A diagnostic quotes the file's lines: a file that holds a secret is never parsed.
    confinement.not_secret(path).map_err(|refused| ReadError {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::PermissionDenied, refused.to_string()),
    })?;
    let text = read_campaign(path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let shared = shared_contacts.map(|p| p.to_string_lossy());
    Ok(load_text(
        &path.display().to_string(),
        &text,
        shared.as_deref(),
        |name| read_contacts(base, name, shared.as_deref(), confinement).map(|(_, text)| text),
        directory,
    ))
}

/// The text of a campaign file (a regular file of limited size; bytes that are not UTF-8 are
/// replaced, and the parser reports them).
pub fn read_campaign(path: &Path) -> Result<String, ReadError> {
    let bytes = fsio::read_regular(path, fsio::limits::CAMPAIGN).map_err(|source| ReadError {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Why a contacts file a campaign names cannot be read; its words are the diagnostic's.
#[derive(Debug, thiserror::Error)]
pub enum ContactsError {
    /// Where it is, duban may not read it.
    #[error(transparent)]
    Confined(#[from] fsio::Confined),
    /// It cannot be read (not there, not a regular file, too long, not UTF-8).
    #[error("{0}")]
    Unreadable(#[from] std::io::Error),
}

/// The contacts file `name` of a campaign in folder `base`, with its full path: the office's
/// own file (`shared`, from duban.toml) as it is, any other only where `confinement` allows.
pub fn read_contacts(
    base: &Path,
    name: &str,
    shared: Option<&str>,
    confinement: &Confinement,
) -> Result<(PathBuf, String), ContactsError> {
    let path = if shared == Some(name) {
        PathBuf::from(name)
    } else {
        confinement.resolve(base, name)?
    };
    confinement.not_secret(&path)?;
    let text = fsio::read_text(&path, fsio::limits::CONTACTS)?;
    Ok((path, text))
}

/// The marker a reading left to confirm carries in its comment (`# 待确认 Reading: …`): each
/// is a warning until a person has confirmed it and taken the marker out.
pub const TO_CONFIRM: &str = "待确认";

/// A warning for each comment marked [`TO_CONFIRM`].
fn to_confirm(text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        // A statement the drafter left commented out (`# # 待确认 …`) is not a reading to confirm.
        if let Some(comment) = trimmed
            .strip_prefix('#')
            .or_else(|| trimmed.strip_prefix("//"))
            && !comment.trim_start().starts_with(['#', '/'])
            && let Some(marker) = comment.find(TO_CONFIRM)
        {
            let start = at + (line.len() - trimmed.len());
            let reading = comment[marker + TO_CONFIRM.len()..]
                .trim()
                .trim_start_matches("Reading:")
                .trim()
                .to_string();
            out.push(
                Diagnostic::warning(
                    Problem::ToConfirm { reading },
                    Span::new(start, start + trimmed.trim_end().len()),
                )
                .with_help(Some(format!(
                    "confirm it against the document, then delete `{TO_CONFIRM}` from the comment"
                ))),
            );
        }
        at += line.len();
    }
    out
}

/// Parses and checks campaign text; `read` fetches the contacts file it names, if any, or else
/// `shared_contacts` (the office's, which may name units of other campaigns too); `directory`
/// is the office's directory, for the groups that take their units from it.
pub fn load_text(
    name: &str,
    text: &str,
    shared_contacts: Option<&str>,
    read: impl FnOnce(&str) -> Result<String, ContactsError>,
    directory: &[super::directory::DirEntry],
) -> Loaded {
    let mut sources = Sources::new();
    let source = sources.add(name, text);
    let (mut file, mut diagnostics) = parse(text);
    let own = contacts_file(&file).map(|path| (path.node.clone(), path.span, false));
    let chosen = own.or_else(|| shared_contacts.map(|p| (p.to_string(), Span::new(0, 0), true)));
    let mut book = None;
    if let Some((path, span, shared)) = chosen {
        match read(&path) {
            Ok(contents) => {
                let id = sources.add(path.clone(), contents.clone());
                match ContactBook::parse(&contents, id) {
                    Ok(b) => book = Some(ContactBook { shared, ..b }),
                    Err(mut d) => {
                        if let Problem::ContactsFile { path: p, .. } = &mut d.problem {
                            *p = path.clone();
                        }
                        diagnostics.push(*d);
                    }
                }
            }
            Err(e) => diagnostics.push(Diagnostic::error(
                Problem::ContactsFile {
                    path,
                    message: e.to_string(),
                },
                span,
            )),
        }
    }
    let codes = super::directory::expand(&mut file, directory, &mut book, source, &mut diagnostics);
    let syntax_errors = diagnostics.iter().any(Diagnostic::is_error);
    // A file the parser gave up on whole (a brace never closed, nesting too deep) has nothing
    // to check: "no campaign block" would only add noise.
    let unread = diagnostics
        .iter()
        .any(|d| matches!(d.problem, Problem::UnclosedBrace | Problem::TooDeep { .. }));
    let (mut campaign, more) = if unread {
        (None, Vec::new())
    } else {
        check(text, &file, book.as_ref())
    };
    diagnostics.extend(more);
    if let Some(c) = campaign.as_mut() {
        super::directory::codes(c, &codes);
        if let Some(root) = super::check::directory_root(&file) {
            diagnostics.extend(super::directory::bind(c, directory, root));
        }
    }
    diagnostics.extend(to_confirm(text));
    let campaign =
        campaign.filter(|_| !syntax_errors && !diagnostics.iter().any(Diagnostic::is_error));
    Loaded {
        sources,
        campaign,
        diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_marked_to_confirm_is_a_warning_until_the_marker_goes() {
        let text = "campaign t {\n  period 2017-04-01 .. 2017-12-31\n  # 待确认 Reading: the year of issue.\n}\n# # 待确认 Reading: left out with its statement.\n# Reading: confirmed.\n";
        let loaded = load_text("t.campaign", text, None, |_| Ok(String::new()), &[]);
        let confirm: Vec<&Diagnostic> = loaded
            .diagnostics
            .iter()
            .filter(|d| matches!(d.problem, Problem::ToConfirm { .. }))
            .collect();
        assert_eq!(confirm.len(), 1, "{:?}", loaded.diagnostics);
        assert!(!confirm[0].is_error());
        assert_eq!(
            confirm[0].problem.to_string(),
            "a reading to confirm: the year of issue."
        );
        assert_eq!(
            &text[confirm[0].span.start..confirm[0].span.end],
            "# 待确认 Reading: the year of issue."
        );
        assert!(loaded.campaign.is_some(), "a warning, not an error");
    }
}
