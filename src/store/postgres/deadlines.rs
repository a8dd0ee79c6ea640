//! The deadlines of a PostgreSQL store's campaign, one row per deliverable and period, brought
//! in line with a schedule, each step one statement; what both engines share is in
//! `store/sync.rs` and `store/deadlines.rs`.

use ::postgres::Transaction;
use std::collections::HashMap;

use crate::schedule::Schedule;
use crate::store::StoreError;
use crate::store::sync::{Deadlines, Stored, plan_deadlines};

/// The campaign's deadlines brought in line with the schedule: new ones inserted, moved ones
/// updated with their move kept once in `deadline_changes`, each in one statement.
pub(super) fn sync_deadlines(
    tx: &mut Transaction<'_>,
    campaign_id: i64,
    schedule: &Schedule<'_>,
    deliverables: &[i64],
) -> Result<Deadlines, StoreError> {
    let mut stored = Stored::new();
    for r in tx.query(
        "SELECT deliverable_id, period, id, due_date, due_at FROM deadlines WHERE campaign_id = $1",
        &[&campaign_id],
    )? {
        stored.insert((r.get(0), r.get(1)), (r.get(2), r.get(3), r.get(4)));
    }
    let plan = plan_deadlines(schedule, deliverables, &stored);
    let mut ids: HashMap<(i64, String), i64> = stored
        .into_iter()
        .map(|(key, (id, _, _))| (key, id))
        .collect();
    let moved_ids: Vec<i64> = plan.moved.iter().map(|m| m.0).collect();
    let moved_to: Vec<&str> = plan.moved.iter().map(|m| m.2.as_str()).collect();
    let moved_at: Vec<i64> = plan.moved.iter().map(|m| m.3).collect();
    tx.execute(
        "UPDATE deadlines d SET due_date = x.due_date, due_at = x.due_at
         FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS x (id, due_date, due_at)
         WHERE d.id = x.id",
        &[&moved_ids, &moved_to, &moved_at],
    )?;
    let changes: Vec<(i64, String, String)> = plan
        .moved
        .into_iter()
        .filter(|(_, from, to, _)| from != to)
        .map(|(id, from, to, _)| (id, from, to))
        .collect();
    let new_deliverables: Vec<i64> = plan.new.iter().map(|n| n.0).collect();
    let new_periods: Vec<&str> = plan.new.iter().map(|n| n.1.as_str()).collect();
    let new_dates: Vec<&str> = plan.new.iter().map(|n| n.2.as_str()).collect();
    let new_at: Vec<i64> = plan.new.iter().map(|n| n.3).collect();
    for r in tx.query(
        "INSERT INTO deadlines (campaign_id, deliverable_id, period, due_date, due_at)
         SELECT $1, x.deliverable_id, x.period, x.due_date, x.due_at
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[]) WITH ORDINALITY
              AS x (deliverable_id, period, due_date, due_at, n)
         ORDER BY x.n
         RETURNING deliverable_id, period, id",
        &[
            &campaign_id,
            &new_deliverables,
            &new_periods,
            &new_dates,
            &new_at,
        ],
    )? {
        ids.insert((r.get(0), r.get(1)), r.get(2));
    }
    Ok(Deadlines {
        ids,
        moved: changes.iter().map(|c| c.0).collect(),
        changes,
    })
}

/// Keeps each move of a deadline once, after the obligations are merged (see [`Moves`]).
///
/// [`Moves`]: crate::store::deadlines::Moves
pub(super) fn record_moves(
    tx: &mut Transaction<'_>,
    deadlines: &Deadlines,
    now: i64,
) -> Result<(), StoreError> {
    let ids: Vec<i64> = deadlines.changes.iter().map(|c| c.0).collect();
    let from: Vec<&str> = deadlines.changes.iter().map(|c| c.1.as_str()).collect();
    let to: Vec<&str> = deadlines.changes.iter().map(|c| c.2.as_str()).collect();
    tx.execute(
        "INSERT INTO deadline_changes (deadline_id, at, from_date, to_date, events_before)
         SELECT x.id, $4, x.from_date, x.to_date, (SELECT coalesce(max(id), 0) FROM events)
         FROM unnest($1::bigint[], $2::text[], $3::text[]) WITH ORDINALITY AS x (id, from_date, to_date, n)
         ORDER BY x.n",
        &[&ids, &from, &to, &now],
    )?;
    Ok(())
}
