//! A ledger's rows on PostgreSQL: entered as obligations of their own, numbered in the ledger
//! under a lock of its row (two nodes number apart), each with an `entered` event carrying its
//! values; read back with their current values.

use super::contents::pg_value_at;
use super::ledger::write_values;
use super::{PgStore, texts};
use crate::store::contents::{
    INSERT_ENTERED, INSERT_ROW, LEDGER_ROWS, LedgerRow, NewRow, ROW_COUNT, entered, fold_rows,
};
use crate::store::lifecycle::unknown_name;
use crate::store::{Change, Key, Meta, StoreError};

impl PgStore {
    /// Enters `rows` in ledger `key.deliverable` of `key.campaign`, numbered on from its last
    /// row (the ledger's row is locked meanwhile, so that two nodes number apart); all or none.
    pub fn add_rows(
        &self,
        key: &Key<'_>,
        rows: &[NewRow],
        meta: Meta,
    ) -> Result<Vec<Change>, StoreError> {
        self.write(|tx| {
            let Some(campaign) =
                tx.query_opt("SELECT id FROM campaigns WHERE key = $1", &[&key.campaign])?
            else {
                let known = texts(tx, "SELECT key FROM campaigns", &[])?;
                return Err(unknown_name("campaign", key.campaign, &known).into());
            };
            let campaign_id: i64 = campaign.get(0);
            let Some(ledger) = tx.query_opt(
                "SELECT id, soon_days FROM deliverables
                 WHERE campaign_id = $1 AND name = $2 AND kind = 'ledger' FOR UPDATE",
                &[&campaign_id, &key.deliverable],
            )?
            else {
                let sql =
                    "SELECT name FROM deliverables WHERE campaign_id = $1 AND kind = 'ledger'";
                let known = texts(tx, sql, &[&campaign_id])?;
                return Err(unknown_name("ledger", key.deliverable, &known).into());
            };
            let (deliverable_id, soon_days): (i64, i64) = (ledger.get(0), ledger.get(1));
            let mut count: i64 = tx.query_one(ROW_COUNT, &[&deliverable_id])?.get(0);
            let mut changes = Vec::with_capacity(rows.len());
            for row in rows {
                let Some(unit) = tx.query_opt(
                    "SELECT id FROM units WHERE campaign_id = $1 AND name = $2",
                    &[&campaign_id, &row.unit],
                )?
                else {
                    let sql = "SELECT name FROM units WHERE campaign_id = $1";
                    let known = texts(tx, sql, &[&campaign_id])?;
                    return Err(unknown_name("unit", &row.unit, &known).into());
                };
                let unit_id: i64 = unit.get(0);
                count += 1;
                let period = format!("#{count}");
                let due_date = row.due_date.to_string();
                let obligation: i64 = tx
                    .query_one(
                        INSERT_ROW,
                        &[
                            &campaign_id,
                            &deliverable_id,
                            &unit_id,
                            &period,
                            &due_date,
                            &row.due_at,
                        ],
                    )?
                    .get(0);
                let event: i64 = tx
                    .query_one(
                        INSERT_ENTERED,
                        &[
                            &obligation,
                            &meta.at,
                            &meta.recorded_at,
                            &meta.by,
                            &meta.note,
                        ],
                    )?
                    .get(0);
                write_values(tx, event, obligation, &row.values)?;
                changes.push(entered(key, row, &period, soon_days, meta.at));
            }
            Ok(changes)
        })
    }

    /// A ledger's rows (by its id), with their current values.
    pub fn ledger_rows(&self, deliverable_id: i64) -> Result<Vec<LedgerRow>, StoreError> {
        self.run(|client| {
            let rows = client.query(LEDGER_ROWS, &[&deliverable_id])?;
            let flat = rows.iter().map(|r| {
                let row = LedgerRow {
                    row: r.get(1),
                    unit: r.get(2),
                    due_date: r.get(3),
                    due_at: r.get(4),
                    state: r.get(5),
                    updates: r.get(6),
                    values: Vec::new(),
                    id: 0,
                    entered_at: r.get(12),
                };
                let value = pg_value_at(r, 7);
                (r.get(0), row, value)
            });
            Ok(fold_rows(flat))
        })
    }
}
