//! `duban import FILE.csv|FILE.jsonl`: submissions from a spreadsheet of received reports.
//!
//! CSV has a header row naming its columns; JSONL has one object per line. The columns (keys):
//! `campaign`, `deliverable`, `unit`, `period` (empty for a one-off), `at` (RFC 3339 or local
//! `YYYY-MM-DD[THH:MM]`), and optionally `by`, `note`, `signed_by` (`张三:村书记;李四:驻村领导`).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::ExitCode;

use super::{CliError, Context};
use crate::clock::{Instant, to_unix};
use crate::store::{BadRow, ImportError, ImportRow, Signature};

/// Arguments of `duban import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A `.csv` or `.jsonl` file of submissions.
    file: PathBuf,
    /// The instant to sync campaign files at (default: now).
    #[arg(long, value_name = "TIME")]
    as_of: Option<Instant>,
}

/// Imports a file, all or nothing.
pub fn run(context: &Context, args: &ImportArgs) -> Result<ExitCode, CliError> {
    let file = File::open(&args.file).map_err(|source| crate::language::load::ReadError {
        path: args.file.clone(),
        source,
    })?;
    let reader = BufReader::new(file);
    let jsonl = args
        .file
        .extension()
        .is_some_and(|e| e == "jsonl" || e == "json");
    let rows: Box<dyn Iterator<Item = Result<ImportRow, BadRow>>> = if jsonl {
        Box::new(jsonl_rows(reader))
    } else {
        Box::new(csv_rows(reader))
    };
    let as_of = context.instant(args.as_of);
    let mut store = context.store_synced(as_of)?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match store.import(rows, &name, to_unix(context.clock.now())) {
        Ok(report) => {
            println!(
                "{}: {} recorded, {} already recorded",
                args.file.display(),
                report.recorded,
                report.unchanged
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::BadRows(mut rows)) => {
            rows.sort_by_key(|r| r.line);
            refuse(&args.file, &rows)
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

fn refuse(file: &std::path::Path, bad: &[BadRow]) -> Result<ExitCode, CliError> {
    for BadRow { line, reason } in bad {
        eprintln!("{}:{line}: {reason}", file.display());
    }
    eprintln!(
        "error: {} bad row{} in {}: nothing was imported",
        bad.len(),
        if bad.len() == 1 { "" } else { "s" },
        file.display()
    );
    Ok(ExitCode::from(2))
}

/// A row from named fields, or why not.
fn row(line: usize, get: &dyn Fn(&str) -> Option<String>) -> Result<ImportRow, String> {
    let required = |key: &str| {
        get(key)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| format!("no `{key}`"))
    };
    let at: Instant = required("at")?
        .parse()
        .map_err(|e: crate::clock::InstantError| e.to_string())?;
    let signatures = get("signed_by")
        .unwrap_or_default()
        .split([';', '；'])
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            let (name, role) = s
                .split_once([':', '：'])
                .ok_or_else(|| format!("signature `{s}` is not NAME:ROLE"))?;
            Ok(Signature {
                name: name.trim().to_string(),
                role: role.trim().to_string(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let optional = |key: &str| {
        get(key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    Ok(ImportRow {
        line,
        campaign: required("campaign")?,
        deliverable: required("deliverable")?,
        unit: required("unit")?,
        period: get("period").unwrap_or_default().trim().to_string(),
        at,
        by: optional("by"),
        note: optional("note"),
        signatures,
    })
}

/// The rows of a JSONL file, one object per line.
fn jsonl_rows(reader: impl BufRead) -> impl Iterator<Item = Result<ImportRow, BadRow>> {
    reader.lines().enumerate().filter_map(|(index, text)| {
        let line = index + 1;
        let text = match text {
            Ok(text) if text.trim().is_empty() => return None,
            Ok(text) => text,
            Err(e) => return Some(Err(unreadable(line, &e))),
        };
        Some(jsonl_row(line, &text).map_err(|reason| BadRow { line, reason }))
    })
}

fn jsonl_row(line: usize, text: &str) -> Result<ImportRow, String> {
    let value: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| format!("not JSON: {e}"))?;
    let get = |key: &str| match value.get(key) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    };
    row(line, &get)
}

/// The rows of a CSV file with a header row naming its columns.
fn csv_rows(reader: impl BufRead) -> impl Iterator<Item = Result<ImportRow, BadRow>> {
    let mut records = CsvRecords::new(reader);
    let mut columns: Option<HashMap<String, usize>> = None;
    let mut empty = true;
    std::iter::from_fn(move || {
        loop {
            let (line, fields) = match records.next() {
                Some(Ok(record)) => record,
                Some(Err(bad)) => return Some(Err(bad)),
                None if empty => {
                    empty = false;
                    let reason = "the file is empty: it needs a header row".into();
                    return Some(Err(BadRow { line: 1, reason }));
                }
                None => return None,
            };
            empty = false;
            let Some(columns) = &columns else {
                columns = Some(header(&fields));
                continue;
            };
            if fields.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let get = |key: &str| columns.get(key).and_then(|&i| fields.get(i).cloned());
            return Some(row(line, &get).map_err(|reason| BadRow { line, reason }));
        }
    })
}

fn header(fields: &[String]) -> HashMap<String, usize> {
    fields
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim_start_matches('\u{feff}').trim().to_lowercase(), i))
        .collect()
}

fn unreadable(line: usize, e: &std::io::Error) -> BadRow {
    BadRow {
        line,
        reason: format!("cannot be read: {e}"),
    }
}

/// RFC 4180 records with the line each starts on: quoted fields may hold commas, quotes
/// (doubled) and line breaks. Reads one line at a time.
struct CsvRecords<R> {
    lines: std::io::Lines<R>,
    line: usize,
}

impl<R: BufRead> CsvRecords<R> {
    fn new(reader: R) -> Self {
        CsvRecords {
            lines: reader.lines(),
            line: 0,
        }
    }
}

impl<R: BufRead> Iterator for CsvRecords<R> {
    type Item = Result<(usize, Vec<String>), BadRow>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let start = self.line + 1;
        loop {
            let text = match self.lines.next()? {
                Ok(text) => text,
                Err(e) => return Some(Err(unreadable(self.line + 1, &e))),
            };
            self.line += 1;
            let mut chars = text.trim_end_matches('\r').chars().peekable();
            while let Some(c) = chars.next() {
                match (c, quoted) {
                    ('"', true) if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    ('"', true) => quoted = false,
                    ('"', false) if field.is_empty() => quoted = true,
                    (',', false) => fields.push(std::mem::take(&mut field)),
                    _ => field.push(c),
                }
            }
            if !quoted {
                fields.push(field);
                return Some(Ok((start, fields)));
            }
            field.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<(usize, Vec<String>)> {
        CsvRecords::new(text.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn csv_fields_may_be_quoted() {
        let records = records("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,,\n");
        assert_eq!(
            records[1],
            (
                2,
                vec!["x, y".to_string(), "say \"hi\"".into(), "two\nlines".into()]
            )
        );
        assert_eq!(
            records[2],
            (4, vec!["last".to_string(), String::new(), String::new()])
        );
    }

    #[test]
    fn bad_rows_are_reported_with_their_lines() {
        let text = "\u{feff}campaign,deliverable,unit,period,at\nc,d,u,2017-05,2017-05-20\nc,d,,2017-05,2017-05-20\nc,d,u,,someday\n";
        let (rows, bad): (Vec<_>, Vec<_>) = csv_rows(text.as_bytes()).partition(Result::is_ok);
        assert_eq!(rows.len(), 1);
        let bad: Vec<BadRow> = bad.into_iter().map(Result::unwrap_err).collect();
        assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), [3, 4]);
        assert!(bad[0].reason.contains("no `unit`"));
    }

    #[test]
    fn an_empty_csv_file_needs_a_header() {
        let rows: Vec<_> = csv_rows("".as_bytes()).collect();
        assert!(matches!(&rows[..], [Err(BadRow { line: 1, .. })]));
    }

    #[test]
    fn jsonl_rows_skip_blank_lines_and_keep_line_numbers() {
        let text = "{\"campaign\":\"c\",\"deliverable\":\"d\",\"unit\":\"u\",\"period\":\"2017-05\",\"at\":\"2017-05-20\"}\n\n{oops\n";
        let rows: Vec<_> = jsonl_rows(text.as_bytes()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].as_ref().unwrap().line, 1);
        assert!(
            matches!(&rows[1], Err(BadRow { line: 3, reason }) if reason.starts_with("not JSON"))
        );
    }
}
