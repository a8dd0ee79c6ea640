//! Renamed and vanished deliverables. A deliverable's name is part of each obligation's
//! identity, so a rename declared with `formerly` renames the stored row (its obligations and
//! their history carry over), and one not declared — a deliverable with history gone from the
//! file — refuses the sync rather than chase every unit that already reported.

use rusqlite::{OptionalExtension, Transaction, params};

use super::StoreError;
use crate::language::campaign::Campaign;

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

/// The stored deliverables to rename, with their new names: each deliverable not stored under
/// its name but under one it was `formerly` called (the first found). `id_of` finds a stored
/// deliverable by name.
pub(super) fn renamed(
    c: &Campaign,
    mut id_of: impl FnMut(&str) -> Result<Option<i64>, StoreError>,
) -> Result<Vec<(i64, &str)>, StoreError> {
    let mut renames = Vec::new();
    for d in &c.deliverables {
        if d.formerly.is_empty() || id_of(&d.name)?.is_some() {
            continue;
        }
        for old in &d.formerly {
            if let Some(id) = id_of(old)? {
                renames.push((id, d.name.as_str()));
                break;
            }
        }
    }
    Ok(renames)
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

/// Refuses the first of the `stored` deliverables (row, name) gone from campaign `c` whose
/// obligations have history; `history` counts them for a deliverable's row.
pub(super) fn lost_history(
    c: &Campaign,
    stored: Vec<(i64, String)>,
    mut history: impl FnMut(i64) -> Result<i64, StoreError>,
) -> Result<(), StoreError> {
    let current: std::collections::HashSet<&str> =
        c.deliverables.iter().map(|d| d.name.as_str()).collect();
    for (id, name) in stored {
        if current.contains(name.as_str()) {
            continue;
        }
        let obligations = history(id)?;
        if obligations > 0 {
            return Err(StoreError::HistoryWouldBeLost {
                campaign: c.id.clone(),
                deliverable: name,
                obligations,
            });
        }
    }
    Ok(())
}
