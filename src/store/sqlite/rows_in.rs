//! A ledger's rows on SQLite: entered as obligations of their own, numbered in the ledger, each
//! with an `entered` event carrying its values; read back with their current values.

use rusqlite::{OptionalExtension, params};

use super::lifecycle::{unknown, write_values};
use super::{Store, StoreError};
use crate::store::contents::{INSERT_ENTERED, INSERT_ROW, LedgerRow, NewRow, ROW_COUNT, entered};
use crate::store::lifecycle::{Change, Key, Meta};

impl Store {
    /// Enters `rows` in ledger `key.deliverable` of `key.campaign` (the key's unit and period
    /// are not used): each an obligation of its own, numbered `#1`, `#2` … in the ledger, with
    /// an `entered` event carrying its values; all or none.
    pub fn add_rows(
        &mut self,
        key: &Key<'_>,
        rows: &[NewRow],
        meta: Meta,
    ) -> Result<Vec<Change>, StoreError> {
        self.write(|tx| {
            let (campaign_id, deliverable_id, soon_days) = ledger_of(tx, key)?;
            let mut count: i64 = tx.query_row(ROW_COUNT, [deliverable_id], |r| r.get(0))?;
            let mut changes = Vec::with_capacity(rows.len());
            for row in rows {
                let unit_id: i64 = tx
                    .query_row(
                        "SELECT id FROM units WHERE campaign_id = ?1 AND name = ?2",
                        params![campaign_id, row.unit],
                        |r| r.get(0),
                    )
                    .optional()?
                    .ok_or_else(|| {
                        unknown(
                            tx,
                            "unit",
                            &row.unit,
                            "SELECT name FROM units WHERE campaign_id = ?1",
                            Some(campaign_id),
                        )
                    })?;
                count += 1;
                let period = format!("#{count}");
                let obligation: i64 = tx.query_row(
                    INSERT_ROW,
                    params![
                        campaign_id,
                        deliverable_id,
                        unit_id,
                        period,
                        row.due_date.to_string(),
                        row.due_at
                    ],
                    |r| r.get(0),
                )?;
                let event: i64 = tx.query_row(
                    INSERT_ENTERED,
                    params![obligation, meta.at, meta.recorded_at, meta.by, meta.note],
                    |r| r.get(0),
                )?;
                write_values(tx, event, obligation, &row.values)?;
                changes.push(entered(key, row, &period, soon_days, meta.at));
            }
            Ok(changes)
        })
    }

    /// A ledger's rows (by its id), with their current values.
    pub fn ledger_rows(&self, deliverable_id: i64) -> Result<Vec<LedgerRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(crate::store::contents::LEDGER_ROWS)?;
        let flat = stmt
            .query_map([deliverable_id], |r| {
                let row = LedgerRow {
                    row: r.get(1)?,
                    unit: r.get(2)?,
                    due_date: r.get(3)?,
                    due_at: r.get(4)?,
                    state: r.get(5)?,
                    updates: r.get(6)?,
                    values: Vec::new(),
                    id: 0,
                    entered_at: r.get(12)?,
                };
                let value = super::contents::value_at(r, 7)?;
                Ok((r.get(0)?, row, value))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(crate::store::contents::fold_rows(flat))
    }
}

/// The campaign and the ledger `key` names, and the ledger's reminder lead in days; refused if
/// either is unknown or not a ledger.
fn ledger_of(tx: &rusqlite::Connection, key: &Key<'_>) -> Result<(i64, i64, i64), StoreError> {
    let campaign_id: i64 = tx
        .query_row(
            "SELECT id FROM campaigns WHERE key = ?1",
            [key.campaign],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| {
            unknown(
                tx,
                "campaign",
                key.campaign,
                "SELECT key FROM campaigns",
                None,
            )
        })?;
    tx.query_row(
        "SELECT id, soon_days FROM deliverables
         WHERE campaign_id = ?1 AND name = ?2 AND kind = 'ledger'",
        params![campaign_id, key.deliverable],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .map(|(id, soon_days)| (campaign_id, id, soon_days))
    .ok_or_else(|| {
        unknown(
            tx,
            "ledger",
            key.deliverable,
            "SELECT name FROM deliverables WHERE campaign_id = ?1 AND kind = 'ledger'",
            Some(campaign_id),
        )
    })
}
