//! Reading a campaign from disk: the campaign file, and the contacts file it names (resolved
//! beside it). Everything after reading is pure; this is the language stage's only I/O.

use std::path::{Path, PathBuf};

use super::ast::Span;
use super::campaign::Campaign;
use super::check::{check, contacts_file};
use super::contacts::ContactBook;
use super::diagnostic::{Diagnostic, Problem, Sources};
use super::parse::parse;

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
/// file, used if the campaign names none of its own (a relative path is read from the
/// campaign's folder, like the campaign's own).
pub fn load(path: &Path, shared_contacts: Option<&Path>) -> Result<Loaded, ReadError> {
    let text = std::fs::read(path).map_err(|source| ReadError {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8_lossy(&text).into_owned();
    let base = path.parent().unwrap_or(Path::new("."));
    let shared = shared_contacts.map(|p| p.to_string_lossy());
    Ok(load_text(
        &path.display().to_string(),
        &text,
        shared.as_deref(),
        |name| std::fs::read_to_string(base.join(name)).map_err(|e| e.to_string()),
    ))
}

/// Parses and checks campaign text; `read` fetches the contacts file it names, if any, or else
/// `shared_contacts` (the office's, which may name units of other campaigns too).
pub fn load_text(
    name: &str,
    text: &str,
    shared_contacts: Option<&str>,
    read: impl FnOnce(&str) -> Result<String, String>,
) -> Loaded {
    let mut sources = Sources::new();
    sources.add(name, text);
    let (file, mut diagnostics) = parse(text);
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
            Err(message) => diagnostics.push(Diagnostic::error(
                Problem::ContactsFile { path, message },
                span,
            )),
        }
    }
    let syntax_errors = diagnostics.iter().any(Diagnostic::is_error);
    let (campaign, more) = check(text, &file, book.as_ref());
    diagnostics.extend(more);
    let campaign =
        campaign.filter(|_| !syntax_errors && !diagnostics.iter().any(Diagnostic::is_error));
    Loaded {
        sources,
        campaign,
        diagnostics,
    }
}
