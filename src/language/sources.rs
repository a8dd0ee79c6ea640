//! The source texts diagnostics point into, and how a diagnostic is drawn from them: the
//! file, line and column, the source line with carets under the mistake (lined up under
//! Chinese text), and its `help:` line.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::term::{self, Config};

use super::ast::Span;
use super::diagnostic::{Diagnostic, SHOWN, Severity, short};
use super::excerpt::Excerpts;

/// The source texts diagnostics point into.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<(String, String)>,
}

impl Sources {
    /// No files yet.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Adds a file and returns its index.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> usize {
        self.files.push((name.into(), text.into()));
        self.files.len() - 1
    }

    /// The text of file `id`.
    pub fn text(&self, id: usize) -> &str {
        &self.files[id].1
    }

    /// A digest of every file's name and text: the same digest, the same diagnostics.
    pub fn digest(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.files.hash(&mut hasher);
        hasher.finish()
    }

    /// The name of file `id`.
    pub fn name(&self, id: usize) -> &str {
        &self.files[id].0
    }

    /// Each diagnostic as one JSON object, as cargo's `--message-format=json` gives them:
    /// file, 1-based line and column (in characters) of where it starts and ends, severity,
    /// message, the label under the carets, help, and the notes' places.
    pub fn json(&self, diagnostics: &[Diagnostic]) -> Vec<serde_json::Value> {
        diagnostics
            .iter()
            .map(|d| {
                let file = d.file.min(self.files.len().saturating_sub(1));
                let (name, text) = self
                    .files
                    .get(file)
                    .map_or(("", ""), |(n, t)| (n.as_str(), t.as_str()));
                let place = |at: usize| line_column(text, at);
                let (line, column) = place(d.span.start);
                let (end_line, end_column) = place(d.span.end);
                let notes: Vec<serde_json::Value> = d
                    .notes
                    .iter()
                    .map(|(span, note)| {
                        let (line, column) = place(span.start);
                        serde_json::json!({ "line": line, "column": column, "message": note })
                    })
                    .collect();
                serde_json::json!({
                    "reason": "diagnostic",
                    "file": name,
                    "line": line,
                    "column": column,
                    "end_line": end_line,
                    "end_column": end_column,
                    "severity": if d.is_error() { "error" } else { "warning" },
                    "message": d.problem.to_string(),
                    "label": d.label,
                    "help": d.help,
                    "notes": notes,
                })
            })
            .collect()
    }

    /// Renders diagnostics as a compiler would print them; `color` adds terminal colours.
    /// At most [`SHOWN`] are rendered, and each quotes at most a window of a long line, so that
    /// the output stays short whatever the file holds. Messages are not cut (but for a runaway
    /// one): see [`Sources::render_to_width`] for a terminal.
    pub fn render(&self, diagnostics: &[Diagnostic], color: bool) -> String {
        self.render_to_width(diagnostics, color, None)
    }

    /// As [`Sources::render`], with each message, label and help cut to `width` columns — the
    /// terminal's, when the diagnostics are shown on one. Piped, give `None`: a file or a
    /// program reading the output gets every message whole.
    pub fn render_to_width(
        &self,
        diagnostics: &[Diagnostic],
        color: bool,
        width: Option<usize>,
    ) -> String {
        let config = Config::default();
        let mut excerpts: Vec<Option<Excerpts<'_>>> = self.files.iter().map(|_| None).collect();
        let mut out = Vec::new();
        for diagnostic in diagnostics.iter().take(SHOWN) {
            let file = diagnostic.file.min(self.files.len().saturating_sub(1));
            let Some(slot) = excerpts.get_mut(file) else {
                continue;
            };
            let (name, text) = &self.files[file];
            let excerpt = slot.get_or_insert_with(|| Excerpts::new(name, text));
            excerpt.reset();
            let cs = self.to_codespan(diagnostic, file, excerpt, width);
            if color {
                let mut writer = term::termcolor::Ansi::new(&mut out);
                let _ = term::emit_to_write_style(&mut writer, &config, &*excerpt, &cs);
            } else {
                let _ = term::emit_to_io_write(&mut out, &config, &*excerpt, &cs);
            }
            // Each diagnostic ends with a blank line, whatever the renderer did with its last
            // label, so that the next never starts on the line of its carets.
            while !out.ends_with(b"\n\n") {
                out.push(b'\n');
            }
        }
        let mut rendered = String::from_utf8_lossy(&out).into_owned();
        if let Some(rest) = diagnostics.get(SHOWN..).filter(|r| !r.is_empty()) {
            let errors = rest.iter().filter(|d| d.is_error()).count();
            let warnings = rest.len() - errors;
            rendered.push_str(&format!(
                "note: {errors} more error{} and {warnings} more warning{} not shown; fix these first\n\n",
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" },
            ));
        }
        rendered
    }

    fn to_codespan(
        &self,
        d: &Diagnostic,
        file: usize,
        excerpt: &mut Excerpts<'_>,
        width: Option<usize>,
    ) -> CsDiagnostic<()> {
        // What precedes each text on its line: `warning: `, a label's carets, `  = help: `.
        let room = |taken: usize| width.map(|w| w.saturating_sub(taken).max(20));
        let severity = match d.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
        };
        let range = self.clamp(file, d.span);
        let range = excerpt.place(range.clone()).unwrap_or(range);
        let mut primary = Label::primary((), range);
        if let Some(label) = &d.label {
            primary = primary.with_message(short(label, room(40)));
        }
        let mut labels = vec![primary];
        for (span, text) in &d.notes {
            if let Some(range) = excerpt.place(self.clamp(file, *span)) {
                labels.push(Label::secondary((), range).with_message(short(text, room(40))));
            }
        }
        let mut cs = CsDiagnostic::new(severity)
            .with_message(short(&d.problem.to_string(), room(9)))
            .with_labels(labels);
        if let Some(help) = &d.help {
            cs = cs.with_notes(vec![format!("help: {}", short(help, room(12)))]);
        }
        cs
    }

    /// Keeps a span inside its file and on character boundaries, so rendering never panics.
    fn clamp(&self, file: usize, span: Span) -> std::ops::Range<usize> {
        let text = self.text(file);
        let mut start = span.start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = span.end.clamp(start, text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        start..end
    }
}

/// The 1-based line and column (in characters) of byte `at` of `text`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = (0..=at.min(text.len()))
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}
