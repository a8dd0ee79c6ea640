//! The deadlines of an SQLite store's campaign, one row per deliverable and period, brought in
//! line with a schedule; what both engines share is in `store/sync.rs` and
//! `store/deadlines.rs`.

use super::StoreError;
use crate::schedule::Schedule;
use crate::store::sync::{Deadlines, Stored, plan_deadlines};
use rusqlite::{Transaction, params};
use std::collections::{HashMap, HashSet};

/// The campaign's deadlines brought in line with the schedule: new ones inserted, moved ones
/// updated with their move kept once in `deadline_changes`.
pub(super) fn sync_deadlines(
    tx: &Transaction<'_>,
    campaign_id: i64,
    schedule: &Schedule<'_>,
    deliverables: &[i64],
) -> Result<Deadlines, StoreError> {
    let mut stored = Stored::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT deliverable_id, period, id, due_date, due_at FROM deadlines WHERE campaign_id = ?1",
        )?;
        let mut rows = stmt.query([campaign_id])?;
        while let Some(r) = rows.next()? {
            stored.insert((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?, r.get(4)?));
        }
    }
    let plan = plan_deadlines(schedule, deliverables, &stored);
    let mut moved = HashSet::new();
    let mut changes = Vec::new();
    {
        let mut update =
            tx.prepare_cached("UPDATE deadlines SET due_date = ?2, due_at = ?3 WHERE id = ?1")?;
        for (id, from, to, at) in plan.moved {
            update.execute(params![id, to, at])?;
            if from != to {
                moved.insert(id);
                changes.push((id, from, to));
            }
        }
    }
    let mut ids: HashMap<(i64, String), i64> = stored
        .into_iter()
        .map(|(key, (id, _, _))| (key, id))
        .collect();
    let mut insert = tx.prepare_cached(
        "INSERT INTO deadlines (campaign_id, deliverable_id, period, due_date, due_at)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
    )?;
    for (deliverable, period, due_date, due_at) in plan.new {
        let id: i64 = insert.query_row(
            params![campaign_id, deliverable, period, due_date, due_at],
            |r| r.get(0),
        )?;
        ids.insert((deliverable, period), id);
    }
    Ok(Deadlines {
        ids,
        moved,
        changes,
    })
}

/// Keeps each move of a deadline once, after the obligations are merged (see [`Moves`]).
///
/// [`Moves`]: crate::store::deadlines::Moves
pub(super) fn record_moves(
    tx: &Transaction<'_>,
    deadlines: &Deadlines,
    now: i64,
) -> Result<(), StoreError> {
    let mut change = tx.prepare_cached(
        "INSERT INTO deadline_changes (deadline_id, at, from_date, to_date, events_before)
         VALUES (?1, ?2, ?3, ?4, (SELECT coalesce(max(id), 0) FROM events))",
    )?;
    for (id, from, to) in &deadlines.changes {
        change.execute(params![id, now, from, to])?;
    }
    Ok(())
}
