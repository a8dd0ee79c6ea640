//! An import of submissions into SQLite: the statements the shared import run
//! (`store/import.rs`) drives for each row.

use super::decode::{Json, Zone};
use super::{Store, StoreError};
use crate::store::import::*;
use crate::values::FieldValue;
use rusqlite::{OptionalExtension, params};

/// The statements an import into SQLite runs for each row.
struct Statements<'t> {
    recorded_at: i64,
    conn: &'t rusqlite::Connection,
    find: rusqlite::CachedStatement<'t>,
    event: rusqlite::CachedStatement<'t>,
    update: rusqlite::CachedStatement<'t>,
}

impl Target for Statements<'_> {
    fn find(
        &mut self,
        deliverable: i64,
        unit: i64,
        period: &str,
    ) -> Result<Option<Owed>, StoreError> {
        Ok(self
            .find
            .query_row(params![deliverable, unit, period], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?)
    }

    fn record(
        &mut self,
        &(id, ..): &Owed,
        row: &ImportRow,
        at: i64,
        data: &str,
        state: &str,
        values: Vec<FieldValue>,
    ) -> Result<(), StoreError> {
        self.event
            .execute(params![id, at, self.recorded_at, row.by, row.note, data])?;
        if !values.is_empty() {
            let event = self.conn.last_insert_rowid();
            super::lifecycle::write_values(self.conn, event, id, &values)?;
        }
        self.update.execute(params![id, state, at])?;
        Ok(())
    }
}

impl Store {
    /// Records every row's submission, or none if any row is bad. Rows are taken one at a time
    /// (a file of a million need not sit in memory); a row its reader could not make is passed
    /// as the [`BadRow`] saying why, and is reported with the others. `source` names the file in
    /// the history; `recorded_at` is when the import runs.
    pub fn import(
        &mut self,
        rows: impl IntoIterator<Item = Result<ImportRow, BadRow>>,
        batch: &ImportBatch<'_>,
    ) -> Result<ImportReport, ImportError> {
        let mut bad = Vec::new();
        let report = self.write(|tx| {
            let campaigns = tx
                .prepare("SELECT key, id, zone FROM campaigns")?
                .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get::<_, Zone>(2)?.0))))?
                .collect::<Result<_, _>>()?;
            let deliverables = tx
                .prepare("SELECT campaign_id, name, id, recurring, review, signers, form FROM deliverables")?
                .query_map([], |r| {
                    Ok((
                        (r.get(0)?, r.get(1)?),
                        Deliverable {
                            id: r.get(2)?,
                            recurring: r.get(3)?,
                            review: r.get::<_, Option<String>>(4)?.is_some(),
                            signers: r.get::<_, Json<Vec<String>>>(5)?.0,
                            form: r.get::<_, Option<Json<_>>>(6)?.map(|f| f.0),
                        },
                    ))
                })?
                .collect::<Result<_, _>>()?;
            let units = tx
                .prepare("SELECT campaign_id, name, id FROM units")?
                .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            let names = Names {
                campaigns,
                deliverables,
                units,
            };
            let mut statements = Statements {
                recorded_at: batch.recorded_at,
                conn: tx,
                find: tx.prepare_cached(
                    "SELECT id, state, submitted_at, active FROM obligations
                     WHERE deliverable_id = ?1 AND unit_id = ?2 AND period = ?3",
                )?,
                event: tx.prepare_cached(
                    "INSERT INTO events (obligation_id, kind, at, recorded_at, actor, note, data)
                     VALUES (?1, 'submitted', ?2, ?3, ?4, ?5, ?6)",
                )?,
                update: tx.prepare_cached(
                    "UPDATE obligations SET state = ?2, submitted_at = ?3, closed_at = ?3 WHERE id = ?1",
                )?,
            };
            run(rows, &names, &mut statements, batch, &mut bad)
        });
        outcome(report, bad)
    }
}
