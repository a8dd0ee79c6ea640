//! `duban import FILE.csv|FILE.jsonl`: submissions from a spreadsheet of received reports.
//!
//! CSV has a header row naming its columns; JSONL has one object per line. The columns (keys):
//! `campaign`, `deliverable`, `unit`, `period` (empty for a one-off), `at` (RFC 3339 or local
//! `YYYY-MM-DD[THH:MM]`), and optionally `by`, `note`, `signed_by` (`张三:村书记;李四:驻村领导`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use super::{CliError, Context};
use crate::clock::{Instant, to_unix};
use crate::store::{ImportError, ImportRow, Signature};

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
    let text =
        std::fs::read_to_string(&args.file).map_err(|source| crate::language::load::ReadError {
            path: args.file.clone(),
            source,
        })?;
    let jsonl = args
        .file
        .extension()
        .is_some_and(|e| e == "jsonl" || e == "json");
    let (rows, mut bad) = if jsonl {
        parse_jsonl(&text)
    } else {
        parse_csv(&text)
    };
    if !bad.is_empty() {
        bad.sort_by_key(|b| b.0);
        return refuse(&args.file, &bad);
    }
    let as_of = context.instant(args.as_of);
    let mut store = context.store_synced(as_of)?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match store.import(&rows, &name, to_unix(context.clock.now())) {
        Ok(report) => {
            println!(
                "{}: {} recorded, {} already recorded",
                args.file.display(),
                report.recorded,
                report.unchanged
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::BadRows(rows)) => {
            let bad: Vec<(usize, String)> = rows.into_iter().map(|r| (r.line, r.reason)).collect();
            refuse(&args.file, &bad)
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

fn refuse(file: &std::path::Path, bad: &[(usize, String)]) -> Result<ExitCode, CliError> {
    for (line, reason) in bad {
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

type Parsed = (Vec<ImportRow>, Vec<(usize, String)>);

fn parse_jsonl(text: &str) -> Parsed {
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                bad.push((number, format!("not JSON: {e}")));
                continue;
            }
        };
        let get = |key: &str| match value.get(key) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        match row(number, &get) {
            Ok(r) => rows.push(r),
            Err(reason) => bad.push((number, reason)),
        }
    }
    (rows, bad)
}

fn parse_csv(text: &str) -> Parsed {
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    let records = csv_records(text.trim_start_matches('\u{feff}'));
    let Some((_, header)) = records.first() else {
        return (
            rows,
            vec![(1, "the file is empty: it needs a header row".into())],
        );
    };
    let columns: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_lowercase(), i))
        .collect();
    for (line, fields) in records.iter().skip(1) {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |key: &str| columns.get(key).and_then(|&i| fields.get(i).cloned());
        match row(*line, &get) {
            Ok(r) => rows.push(r),
            Err(reason) => bad.push((*line, reason)),
        }
    }
    (rows, bad)
}

/// RFC 4180 records with the line each starts on: quoted fields may hold commas, quotes
/// (doubled) and line breaks.
fn csv_records(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut start = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => fields.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                fields.push(std::mem::take(&mut field));
                records.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
            }
            ('\n', true) => {
                line += 1;
                field.push(c);
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        records.push((start, fields));
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_may_be_quoted() {
        let records = csv_records("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,,\n");
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
        let (rows, bad) = parse_csv(
            "campaign,deliverable,unit,period,at\nc,d,u,2017-05,2017-05-20\nc,d,,2017-05,2017-05-20\nc,d,u,,someday\n",
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(bad.iter().map(|b| b.0).collect::<Vec<_>>(), [3, 4]);
        assert!(bad[0].1.contains("no `unit`"));
    }
}
