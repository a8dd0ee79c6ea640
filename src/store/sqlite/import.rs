//! An import of submissions into SQLite: the statements the shared import run
//! (`store/import.rs`) drives for each row.

use super::StoreError;
use crate::store::ImportRow;
use crate::store::import::{Owed, Target};
use crate::values::FieldValue;
use rusqlite::{OptionalExtension, params};

/// The statements an import into SQLite runs for each row.
pub(super) struct Statements<'t> {
    recorded_at: i64,
    conn: &'t rusqlite::Connection,
    find: rusqlite::CachedStatement<'t>,
    event: rusqlite::CachedStatement<'t>,
    update: rusqlite::CachedStatement<'t>,
}

impl<'t> Statements<'t> {
    /// The statements for an import recorded at `recorded_at`, prepared in `conn`.
    pub(super) fn prepare(
        conn: &'t rusqlite::Connection,
        recorded_at: i64,
    ) -> rusqlite::Result<Statements<'t>> {
        Ok(Statements {
            recorded_at,
            conn,
            find: conn.prepare_cached(
                // The rows alone: the deadline is not needed here.
                "SELECT id, state, submitted_at, active FROM obligation_rows
                 WHERE deliverable_id = ?1 AND unit_id = ?2 AND period = ?3",
            )?,
            event: conn.prepare_cached(
                "INSERT INTO events (obligation_id, kind, at, recorded_at, actor, note, data)
                 VALUES (?1, 'submitted', ?2, ?3, ?4, ?5, ?6)",
            )?,
            update: conn.prepare_cached(
                "UPDATE obligation_rows SET state = ?2, submitted_at = ?3, closed_at = ?3 WHERE id = ?1",
            )?,
        })
    }
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
