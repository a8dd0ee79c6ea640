//! Renamed and vanished deliverables, in an SQLite sync's transaction.

use super::StoreError;
use crate::language::campaign::Campaign;
use crate::store::renames::{lost_history, renamed};
use rusqlite::{OptionalExtension, Transaction, params};

/// Gives a stored deliverable its new name where the campaign says it was `formerly` called
/// so: its obligations, with everything that happened to them, carry over.
pub(super) fn rename_deliverables(
    tx: &Transaction<'_>,
    campaign_id: i64,
    c: &Campaign,
) -> Result<(), StoreError> {
    let id_of = |name: &str| -> Result<Option<i64>, StoreError> {
        Ok(tx
            .query_row(
                "SELECT id FROM deliverables WHERE campaign_id = ?1 AND name = ?2",
                params![campaign_id, name],
                |r| r.get(0),
            )
            .optional()?)
    };
    for (id, name) in renamed(c, id_of)? {
        tx.execute(
            "UPDATE deliverables SET name = ?2 WHERE id = ?1",
            params![id, name],
        )?;
    }
    Ok(())
}

/// Refuses a sync in which a deliverable with history vanishes from the campaign: a rename not
/// declared with `formerly` would otherwise chase every unit that already reported.
pub(super) fn refuse_lost_history(
    tx: &Transaction<'_>,
    campaign_id: i64,
    c: &Campaign,
) -> Result<(), StoreError> {
    // Only the deliverables gone from the file are counted: a scan of every obligation of a
    // national campaign on each sync would cost seconds to find nothing.
    let stored: Vec<(i64, String)> = tx
        .prepare_cached("SELECT id, name FROM deliverables WHERE campaign_id = ?1 ORDER BY name")?
        .query_map([campaign_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut count = tx.prepare_cached(
        "SELECT count(*) FROM obligations o
         WHERE o.deliverable_id = ?1 AND o.active = 1
           AND EXISTS (SELECT 1 FROM events e WHERE e.obligation_id = o.id
                         AND e.kind NOT IN ('due_changed', 'removed', 'restored'))",
    )?;
    lost_history(c, stored, |id| Ok(count.query_row([id], |r| r.get(0))?))
}
