//! Bulk import of submissions (a spreadsheet of received reports): every row validated, all of
//! a file or none of it in one transaction, every bad row reported with its line and reason.
//! Importing the same file again changes nothing.

use std::collections::HashMap;

use chrono_tz::Tz;
use serde_json::json;

use super::StoreError;
use crate::clock::Instant;
use crate::language::suggest;
use crate::ledger::Signature;
use crate::values::FieldValue;

/// One row of an import file.
#[derive(Clone, Debug)]
pub struct ImportRow {
    /// Its line in the file (1-based), for messages.
    pub line: usize,
    /// Campaign identifier.
    pub campaign: String,
    /// Deliverable name.
    pub deliverable: String,
    /// Unit name.
    pub unit: String,
    /// Period (empty for a one-off).
    pub period: String,
    /// When it was submitted.
    pub at: Instant,
    /// Who submitted it.
    pub by: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// Its signatures.
    pub signatures: Vec<Signature>,
    /// The values of its form's fields, as written: (column, text). Checked against the form.
    pub values: Vec<(String, String)>,
}

/// One file's import: where it came from and when it runs.
#[derive(Clone, Copy, Debug)]
pub struct ImportBatch<'a> {
    /// The file's name, for the history.
    pub source: &'a str,
    /// When the import runs (Unix seconds).
    pub recorded_at: i64,
    /// The latest submission time a row may have (Unix seconds): later is a mistyped year
    /// and refused. `None` accepts any (`--future`).
    pub latest: Option<i64>,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Submissions recorded.
    pub recorded: usize,
    /// Rows already recorded, by an earlier import of the same rows.
    pub unchanged: usize,
}

/// A row that cannot be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRow {
    /// Its line.
    pub line: usize,
    /// Why.
    pub reason: RowProblem,
}

/// Why a row of an import file cannot be imported: it cannot be read as a row (the file's
/// shape), or the records refuse it. Shown after the row's line (`收文.csv:7: no `unit``).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    /// The file has no rows at all.
    #[error("the file is empty: it needs a header row")]
    Empty,
    /// A header names a column that is a misspelt one of the known columns.
    #[error("unknown column `{name}`; {hint}")]
    UnknownColumn {
        /// The name as written.
        name: String,
        /// `did you mean `note`?`
        hint: String,
    },
    /// A header names a column twice.
    #[error("the column `{0}` is named twice")]
    ColumnTwice(String),
    /// The header lacks columns every row needs.
    #[error("the header row has no column {}: the first row names the columns ({})", .missing.join(", "), .columns.join(", "))]
    NoHeader {
        /// The columns it lacks.
        missing: Vec<&'static str>,
        /// The columns a file may have.
        columns: Vec<&'static str>,
    },
    /// A row with more or fewer fields than the header has columns.
    #[error("{found} fields, but the header names {columns} columns")]
    FieldCount {
        /// The row's fields.
        found: usize,
        /// The header's columns.
        columns: usize,
    },
    /// A quote that is never closed.
    #[error(
        "a quote opened on this line is never closed: the rest of the file would be read as one field"
    )]
    QuoteOpen,
    /// A CSV row that is not UTF-8.
    #[error("is not UTF-8 text (save the spreadsheet as CSV UTF-8)")]
    CsvNotUtf8,
    /// A row that is not CSV, as the `csv` crate says.
    #[error("is not CSV: {0}")]
    NotCsv(String),
    /// A JSONL line longer than any row.
    #[error("is longer than {kib} KiB: not one row")]
    TooLong {
        /// The longest row, in KiB.
        kib: u64,
    },
    /// A JSONL line that is not UTF-8.
    #[error("is not UTF-8 text")]
    NotUtf8,
    /// A JSONL line that is not JSON, as serde_json says.
    #[error("not JSON: {0}")]
    NotJson(String),
    /// A JSONL line that is JSON but not an object.
    #[error("not a JSON object")]
    NotAnObject,
    /// The file could not be read from this row on.
    #[error("cannot be read: {0}")]
    Unreadable(String),
    /// A column every row needs is empty.
    #[error("no `{0}`")]
    Missing(&'static str),
    /// The time is not one.
    #[error("{0}")]
    Time(#[from] crate::clock::InstantError),
    /// A signature not written `NAME:ROLE`.
    #[error("signature `{0}` is not NAME:ROLE")]
    Signature(String),
    /// No such campaign, deliverable or unit.
    #[error("unknown {kind} `{name}`{}", .suggestion.as_ref().map(|h| format!("; {h}")).unwrap_or_default())]
    Unknown {
        /// `campaign`, `deliverable`, `unit`.
        kind: &'static str,
        /// The name as written.
        name: String,
        /// `did you mean `宛城区`?`, if a name is near.
        suggestion: Option<String>,
    },
    /// A recurring deliverable's row without a period.
    #[error("{0} recurs: the row needs a period")]
    NeedsPeriod(String),
    /// A one-off deliverable's row with a period.
    #[error("{0} is due once: the row must have no period")]
    NoPeriod(String),
    /// Signatures the deliverable needs and the row lacks.
    #[error("missing signatures: {}", .0.join("、"))]
    Unsigned(Vec<String>),
    /// Data columns for a deliverable without a form.
    #[error("{deliverable} has no form with fields, so the columns {} mean nothing for it", .columns.join("、"))]
    NoForm {
        /// The deliverable.
        deliverable: String,
        /// The data columns.
        columns: Vec<String>,
    },
    /// Values that do not fit the form.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Values(Vec<crate::values::Invalid>),
    /// The unit owes no such report.
    #[error("{unit} owes no {deliverable} for period `{period}`")]
    NotOwed {
        /// The unit.
        unit: String,
        /// The deliverable.
        deliverable: String,
        /// The period as written.
        period: String,
    },
    /// A time later than now (and no `--future`).
    #[error(
        "submitted at {at}, in the future (it is {now} now): a mistyped year? Give --future if it is meant"
    )]
    Future {
        /// The row's time, to the minute in the campaign's zone.
        at: String,
        /// Now, the same way.
        now: String,
    },
    /// A second row of one obligation.
    #[error("the same obligation as line {0}")]
    SameAs(usize),
    /// An obligation no longer in the campaign file.
    #[error("removed from the campaign file")]
    Removed,
    /// Submitted already at another time.
    #[error("already submitted at {before}, not at {now}")]
    AlreadySubmitted {
        /// When it was submitted (RFC 3339 in the campaign's zone).
        before: String,
        /// The row's time, the same way.
        now: String,
    },
    /// Waived: nothing to submit.
    #[error("waived: nothing is owed")]
    Waived,
}

impl RowProblem {
    /// What to do about it, where the message says (the CSV encoding, `--future`, the nearest
    /// name): for a caller that shows it apart from the message.
    pub fn help(&self) -> Option<String> {
        match self {
            RowProblem::CsvNotUtf8 => Some("save the spreadsheet as CSV UTF-8".into()),
            RowProblem::Future { .. } => Some("give --future if the time is meant".into()),
            RowProblem::Unknown { suggestion, .. } => suggestion.clone(),
            RowProblem::UnknownColumn { hint, .. } => Some(hint.clone()),
            _ => None,
        }
    }
}

/// Why an import was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Some rows are bad: nothing was imported.
    #[error("{} bad row{}: nothing was imported", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    BadRows(Vec<BadRow>),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The names an import resolves rows against: campaigns, deliverables and units, by name.
#[derive(Default)]
pub(super) struct Names {
    pub campaigns: HashMap<String, (i64, Tz)>,
    pub deliverables: HashMap<(i64, String), Deliverable>,
    pub units: HashMap<(i64, String), i64>,
}

/// A deliverable as an import checks rows against it.
pub(super) struct Deliverable {
    pub id: i64,
    pub recurring: bool,
    pub review: bool,
    pub signers: Vec<String>,
    /// The form its submissions carry, if it has one.
    pub form: Option<crate::language::form::Form>,
}

/// An obligation as an import finds it: row, state, when submitted, whether in the file.
pub(super) type Owed = (i64, String, Option<i64>, bool);

/// Where an import's rows go, inside the backend's one transaction.
pub(super) trait Target {
    /// The obligation of `deliverable`, `unit` and `period`, if there is one.
    fn find(
        &mut self,
        deliverable: i64,
        unit: i64,
        period: &str,
    ) -> Result<Option<Owed>, StoreError>;
    /// Records a submission of the obligation `find` found as `owed`, at `at`, with `values`,
    /// leaving it in `state`.
    fn record(
        &mut self,
        owed: &Owed,
        row: &ImportRow,
        at: i64,
        data: &str,
        state: &str,
        values: Vec<FieldValue>,
    ) -> Result<(), StoreError>;
}

/// Checks and records every row, gathering the bad ones in `bad`; any bad row makes the
/// caller roll back (the error is [`StoreError::RolledBack`]).
pub(super) fn run(
    rows: impl IntoIterator<Item = Result<ImportRow, BadRow>>,
    names: &Names,
    target: &mut impl Target,
    batch: &ImportBatch<'_>,
    bad: &mut Vec<BadRow>,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let mut seen: HashMap<i64, usize> = HashMap::new();
    for row in rows {
        let row = match row {
            Ok(row) => row,
            Err(b) => {
                bad.push(b);
                continue;
            }
        };
        let mut refuse = |reason: RowProblem| {
            bad.push(BadRow {
                line: row.line,
                reason,
            })
        };
        let Some(&(campaign_id, zone)) = names.campaigns.get(&row.campaign) else {
            refuse(unknown("campaign", &row.campaign, names.campaigns.keys()));
            continue;
        };
        let Some(deliverable) = names
            .deliverables
            .get(&(campaign_id, row.deliverable.clone()))
        else {
            let known = names.deliverables.keys().filter(|k| k.0 == campaign_id);
            refuse(unknown(
                "deliverable",
                &row.deliverable,
                known.map(|k| &k.1),
            ));
            continue;
        };
        let Some(&unit) = names.units.get(&(campaign_id, row.unit.clone())) else {
            let known = names.units.keys().filter(|k| k.0 == campaign_id);
            refuse(unknown("unit", &row.unit, known.map(|k| &k.1)));
            continue;
        };
        if deliverable.recurring == row.period.is_empty() {
            refuse(if deliverable.recurring {
                RowProblem::NeedsPeriod(row.deliverable.clone())
            } else {
                RowProblem::NoPeriod(row.deliverable.clone())
            });
            continue;
        }
        let missing: Vec<String> = deliverable
            .signers
            .iter()
            .filter(|role| !row.signatures.iter().any(|s| &s.role == *role))
            .cloned()
            .collect();
        if !missing.is_empty() {
            refuse(RowProblem::Unsigned(missing));
            continue;
        }
        let values = match checked_values(deliverable, &row) {
            Ok(values) => values,
            Err(reason) => {
                refuse(reason);
                continue;
            }
        };
        let Some(owed) = target.find(deliverable.id, unit, &row.period)? else {
            refuse(RowProblem::NotOwed {
                unit: row.unit.clone(),
                deliverable: row.deliverable.clone(),
                period: row.period.clone(),
            });
            continue;
        };
        let (id, state, submitted_at, active) = (owed.0, owed.1.as_str(), owed.2, owed.3);
        let at = row.at.in_zone(zone).timestamp();
        if let Some(latest) = batch.latest
            && at > latest
        {
            let time = |t: i64| {
                crate::clock::from_unix(t)
                    .with_timezone(&zone)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            };
            refuse(RowProblem::Future {
                at: time(at),
                now: time(latest - crate::clock::FUTURE_GRACE),
            });
            continue;
        }
        if let Some(first) = seen.insert(id, row.line) {
            refuse(RowProblem::SameAs(first));
            continue;
        }
        let time = |t: i64| crate::clock::from_unix(t).with_timezone(&zone).to_rfc3339();
        match state {
            _ if !active => refuse(RowProblem::Removed),
            "review" | "received" if submitted_at == Some(at) => report.unchanged += 1,
            "review" | "received" => refuse(RowProblem::AlreadySubmitted {
                before: time(submitted_at.unwrap_or_default()),
                now: time(at),
            }),
            "waived" => refuse(RowProblem::Waived),
            _ => {
                let data = json!({ "signatures": row.signatures, "imported": batch.source });
                let state = if deliverable.review {
                    "review"
                } else {
                    "received"
                };
                target.record(&owed, &row, at, &data.to_string(), state, values)?;
                report.recorded += 1;
            }
        }
    }
    if bad.is_empty() {
        Ok(report)
    } else {
        Err(StoreError::RolledBack)
    }
}

/// The values of a row's data columns, checked against its deliverable's form.
fn checked_values(
    deliverable: &Deliverable,
    row: &ImportRow,
) -> Result<Vec<FieldValue>, RowProblem> {
    if row.values.is_empty() {
        return Ok(Vec::new());
    }
    let Some(form) = &deliverable.form else {
        return Err(RowProblem::NoForm {
            deliverable: row.deliverable.clone(),
            columns: row.values.iter().map(|(c, _)| c.clone()).collect(),
        });
    };
    let cells: Vec<(&str, crate::values::Cell)> = row
        .values
        .iter()
        .map(|(column, text)| {
            let cell = crate::values::Cell {
                text: text.clone(),
                at: format!("column `{column}`"),
            };
            (column.as_str(), cell)
        })
        .collect();
    let pairs: Vec<(&str, &crate::values::Cell)> = cells.iter().map(|(c, v)| (*c, v)).collect();
    crate::values::check_row(form, &pairs, &[], "the row")
        .map(|checked| checked.values)
        .map_err(RowProblem::Values)
}

/// What an import's transaction ended in: the report, the bad rows, or the store's failure.
pub(super) fn outcome(
    report: Result<ImportReport, StoreError>,
    bad: Vec<BadRow>,
) -> Result<ImportReport, ImportError> {
    match report {
        Ok(report) => Ok(report),
        Err(_) if !bad.is_empty() => Err(ImportError::BadRows(bad)),
        Err(e) => Err(ImportError::Store(e)),
    }
}

/// An unknown `kind` named `name`, with the nearest of `known` if one is near.
fn unknown<'a>(
    kind: &'static str,
    name: &str,
    known: impl Iterator<Item = &'a String>,
) -> RowProblem {
    RowProblem::Unknown {
        kind,
        name: name.to_string(),
        suggestion: suggest::did_you_mean(name, known.map(String::as_str)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_rows_words_are_those_offices_read() {
        let cases = [
            (
                RowProblem::Unknown {
                    kind: "unit",
                    name: "宛城".into(),
                    suggestion: Some("did you mean `宛城区`?".into()),
                },
                "unknown unit `宛城`; did you mean `宛城区`?",
            ),
            (
                RowProblem::Unknown {
                    kind: "campaign",
                    name: "x".into(),
                    suggestion: None,
                },
                "unknown campaign `x`",
            ),
            (
                RowProblem::Unsigned(vec!["村书记".into(), "驻村领导".into()]),
                "missing signatures: 村书记、驻村领导",
            ),
            (
                RowProblem::NoHeader {
                    missing: vec!["campaign", "at"],
                    columns: vec!["campaign", "unit"],
                },
                "the header row has no column campaign, at: the first row names the columns (campaign, unit)",
            ),
            (
                RowProblem::Future {
                    at: "2027-05-20 09:00".into(),
                    now: "2026-12-06 20:00".into(),
                },
                "submitted at 2027-05-20 09:00, in the future (it is 2026-12-06 20:00 now): a mistyped year? Give --future if it is meant",
            ),
            (RowProblem::Missing("unit"), "no `unit`"),
            (
                RowProblem::TooLong { kib: 1024 },
                "is longer than 1024 KiB: not one row",
            ),
        ];
        for (problem, words) in cases {
            assert_eq!(problem.to_string(), words);
        }
        assert_eq!(
            RowProblem::CsvNotUtf8.help().as_deref(),
            Some("save the spreadsheet as CSV UTF-8")
        );
    }
}
