//! Bulk import of submissions (a spreadsheet of received reports): every row validated, all of
//! a file or none of it in one transaction, every bad row reported with its line and reason.
//! Importing the same file again changes nothing.

use std::collections::HashMap;

use chrono_tz::Tz;
use rusqlite::{OptionalExtension, params};
use serde_json::json;

use super::decode::{Json, Zone};
use super::{Store, StoreError};
use crate::clock::Instant;
use crate::language::suggest;
use crate::ledger::Signature;

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

struct Deliverable {
    id: i64,
    recurring: bool,
    review: bool,
    signers: Vec<String>,
}

impl Store {
    /// Records every row's submission, or none if any row is bad. Rows are taken one at a time
    /// (a file of a million need not sit in memory); a row its reader could not make is passed
    /// as the [`BadRow`] saying why, and is reported with the others. `source` names the file in
    /// the history; `recorded_at` is when the import runs.
    pub fn import(
        &mut self,
        rows: impl IntoIterator<Item = Result<ImportRow, BadRow>>,
        source: &str,
        recorded_at: i64,
    ) -> Result<ImportReport, ImportError> {
        let mut bad = Vec::new();
        let report = self.write(|tx| {
            let campaigns: HashMap<String, (i64, Tz)> = tx
                .prepare("SELECT key, id, zone FROM campaigns")?
                .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get::<_, Zone>(2)?.0))))?
                .collect::<Result<_, _>>()?;
            let deliverables: HashMap<(i64, String), Deliverable> = tx
                .prepare("SELECT campaign_id, name, id, recurring, review, signers FROM deliverables")?
                .query_map([], |r| {
                    Ok((
                        (r.get(0)?, r.get(1)?),
                        Deliverable {
                            id: r.get(2)?,
                            recurring: r.get(3)?,
                            review: r.get::<_, Option<String>>(4)?.is_some(),
                            signers: r.get::<_, Json<Vec<String>>>(5)?.0,
                        },
                    ))
                })?
                .collect::<Result<_, _>>()?;
            let units: HashMap<(i64, String), i64> = tx
                .prepare("SELECT campaign_id, name, id FROM units")?
                .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            let mut find = tx.prepare_cached(
                "SELECT id, state, submitted_at, active FROM obligations
                 WHERE deliverable_id = ?1 AND unit_id = ?2 AND period = ?3",
            )?;
            let mut event = tx.prepare_cached(
                "INSERT INTO events (obligation_id, kind, at, recorded_at, actor, note, data)
                 VALUES (?1, 'submitted', ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut update = tx.prepare_cached(
                "UPDATE obligations SET state = ?2, submitted_at = ?3, closed_at = ?3 WHERE id = ?1",
            )?;
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
                let mut refuse = |reason: String| bad.push(BadRow { line: row.line, reason });
                let Some(&(campaign_id, zone)) = campaigns.get(&row.campaign) else {
                    let hint = hint(&row.campaign, campaigns.keys());
                    refuse(format!("unknown campaign `{}`{hint}", row.campaign));
                    continue;
                };
                let Some(deliverable) = deliverables.get(&(campaign_id, row.deliverable.clone())) else {
                    let names = deliverables.keys().filter(|k| k.0 == campaign_id).map(|k| &k.1);
                    refuse(format!("unknown deliverable `{}`{}", row.deliverable, hint(&row.deliverable, names)));
                    continue;
                };
                let Some(&unit) = units.get(&(campaign_id, row.unit.clone())) else {
                    let names = units.keys().filter(|k| k.0 == campaign_id).map(|k| &k.1);
                    refuse(format!("unknown unit `{}`{}", row.unit, hint(&row.unit, names)));
                    continue;
                };
                if deliverable.recurring == row.period.is_empty() {
                    refuse(if deliverable.recurring {
                        format!("{} recurs: the row needs a period", row.deliverable)
                    } else {
                        format!("{} is due once: the row must have no period", row.deliverable)
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
                let found: Option<(i64, String, Option<i64>, bool)> = find
                    .query_row(params![deliverable.id, unit, row.period], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })
                    .optional()?;
                let Some((id, state, submitted_at, active)) = found else {
                    refuse(format!("{} owes no {} for period `{}`", row.unit, row.deliverable, row.period));
                    continue;
                };
                let at = row.at.in_zone(zone).timestamp();
                if let Some(first) = seen.insert(id, row.line) {
                    refuse(format!("the same obligation as line {first}"));
                    continue;
                }
                match state.as_str() {
                    _ if !active => refuse("removed from the campaign file".into()),
                    "review" | "received" if submitted_at == Some(at) => report.unchanged += 1,
                    "review" | "received" => refuse(format!(
                        "already submitted at {}, not at {}",
                        crate::clock::from_unix(submitted_at.unwrap_or_default()).with_timezone(&zone).to_rfc3339(),
                        crate::clock::from_unix(at).with_timezone(&zone).to_rfc3339()
                    )),
                    "waived" => refuse("waived: nothing is owed".into()),
                    _ => {
                        let data = json!({ "signatures": row.signatures, "imported": source });
                        event.execute(params![id, at, recorded_at, row.by, row.note, data.to_string()])?;
                        let state = if deliverable.review { "review" } else { "received" };
                        update.execute(params![id, state, at])?;
                        report.recorded += 1;
                    }
                }
            }
            if bad.is_empty() {
                Ok(report)
            } else {
                // Rolls the whole file back.
                Err(StoreError::RolledBack)
            }
        });
        match report {
            Ok(report) => Ok(report),
            Err(_) if !bad.is_empty() => Err(ImportError::BadRows(bad)),
            Err(e) => Err(ImportError::Store(e)),
        }
    }
}

/// `; did you mean `宛城区`?`, or nothing.
fn hint<'a>(name: &str, known: impl Iterator<Item = &'a String>) -> String {
    suggest::did_you_mean(name, known.map(String::as_str))
        .map(|h| format!("; {h}"))
        .unwrap_or_default()
}
