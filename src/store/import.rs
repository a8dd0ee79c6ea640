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
    pub reason: String,
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
        let mut refuse = |reason: String| {
            bad.push(BadRow {
                line: row.line,
                reason,
            })
        };
        let Some(&(campaign_id, zone)) = names.campaigns.get(&row.campaign) else {
            let hint = hint(&row.campaign, names.campaigns.keys());
            refuse(format!("unknown campaign `{}`{hint}", row.campaign));
            continue;
        };
        let Some(deliverable) = names
            .deliverables
            .get(&(campaign_id, row.deliverable.clone()))
        else {
            let known = names.deliverables.keys().filter(|k| k.0 == campaign_id);
            let hint = hint(&row.deliverable, known.map(|k| &k.1));
            refuse(format!("unknown deliverable `{}`{hint}", row.deliverable));
            continue;
        };
        let Some(&unit) = names.units.get(&(campaign_id, row.unit.clone())) else {
            let known = names.units.keys().filter(|k| k.0 == campaign_id);
            refuse(format!(
                "unknown unit `{}`{}",
                row.unit,
                hint(&row.unit, known.map(|k| &k.1))
            ));
            continue;
        };
        if deliverable.recurring == row.period.is_empty() {
            refuse(if deliverable.recurring {
                format!("{} recurs: the row needs a period", row.deliverable)
            } else {
                format!(
                    "{} is due once: the row must have no period",
                    row.deliverable
                )
            });
            continue;
        }
        let missing: Vec<&str> = deliverable
            .signers
            .iter()
            .filter(|role| !row.signatures.iter().any(|s| &s.role == *role))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            refuse(format!("missing signatures: {}", missing.join("、")));
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
            refuse(format!(
                "{} owes no {} for period `{}`",
                row.unit, row.deliverable, row.period
            ));
            continue;
        };
        let (id, state, submitted_at, active) = (owed.0, owed.1.as_str(), owed.2, owed.3);
        let at = row.at.in_zone(zone).timestamp();
        if let Some(latest) = batch.latest
            && at > latest
        {
            let time = |t: i64| crate::clock::from_unix(t).with_timezone(&zone);
            refuse(format!(
                "submitted at {}, in the future (it is {} now): a mistyped year? Give --future if it is meant",
                time(at).format("%Y-%m-%d %H:%M"),
                time(latest - crate::clock::FUTURE_GRACE).format("%Y-%m-%d %H:%M")
            ));
            continue;
        }
        if let Some(first) = seen.insert(id, row.line) {
            refuse(format!("the same obligation as line {first}"));
            continue;
        }
        let time = |t: i64| crate::clock::from_unix(t).with_timezone(&zone).to_rfc3339();
        match state {
            _ if !active => refuse("removed from the campaign file".into()),
            "review" | "received" if submitted_at == Some(at) => report.unchanged += 1,
            "review" | "received" => refuse(format!(
                "already submitted at {}, not at {}",
                time(submitted_at.unwrap_or_default()),
                time(at)
            )),
            "waived" => refuse("waived: nothing is owed".into()),
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
fn checked_values(deliverable: &Deliverable, row: &ImportRow) -> Result<Vec<FieldValue>, String> {
    if row.values.is_empty() {
        return Ok(Vec::new());
    }
    let Some(form) = &deliverable.form else {
        let columns: Vec<&str> = row.values.iter().map(|(c, _)| c.as_str()).collect();
        return Err(format!(
            "{} has no form with fields, so the columns {} mean nothing for it",
            row.deliverable,
            columns.join("、")
        ));
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
        .map_err(|problems| {
            let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
            all.join("; ")
        })
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

/// `; did you mean `宛城区`?`, or nothing.
fn hint<'a>(name: &str, known: impl Iterator<Item = &'a String>) -> String {
    suggest::did_you_mean(name, known.map(String::as_str))
        .map(|h| format!("; {h}"))
        .unwrap_or_default()
}
