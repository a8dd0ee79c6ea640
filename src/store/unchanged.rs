//! Which deliverables' obligations are exactly as the last sync left them. Each deliverable
//! keeps a digest of the rows its last sync wrote (unit, period, due date, due instant); a
//! later sync leaves a deliverable whose rows digest the same alone, so that an edit of a
//! phone number or of one report does not make every obligation of the campaign be compared
//! again.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use rusqlite::{Transaction, params};

use super::StoreError;
use crate::schedule::Schedule;

/// Bumped whenever what the digest covers changes, so that no old digest can match.
const VERSION: &str = "rows-1";

/// The digest of each deliverable's rows in `schedule`, by the deliverable's row id.
/// `deliverables` and `units` map the schedule's indices to row ids.
pub(super) fn digests(
    schedule: &Schedule<'_>,
    deliverables: &[i64],
    units: &[i64],
) -> HashMap<i64, String> {
    // SipHash with fixed keys: stable within a build, and a build whose hash differs only makes
    // the next sync compare every row, never skip one that changed.
    let mut hashers: HashMap<i64, std::collections::hash_map::DefaultHasher> = deliverables
        .iter()
        .map(|&id| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            VERSION.hash(&mut h);
            (id, h)
        })
        .collect();
    for (deliverable, period, due_date, due_at, owers) in super::sync::rows(schedule) {
        let Some(h) = hashers.get_mut(&deliverables[deliverable]) else {
            continue;
        };
        (period, due_date, due_at).hash(h);
        for unit in owers {
            units[unit].hash(h);
        }
    }
    hashers
        .into_iter()
        .map(|(id, h)| (id, format!("{:016x}", h.finish())))
        .collect()
}

/// The deliverables of campaign `campaign_id` whose stored digest is `fresh`'s.
pub(super) fn unchanged(
    tx: &Transaction<'_>,
    campaign_id: i64,
    fresh: &HashMap<i64, String>,
) -> Result<HashSet<i64>, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, rows_digest FROM deliverables WHERE campaign_id = ?1 AND rows_digest IS NOT NULL",
    )?;
    let stored = stmt.query_map([campaign_id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut same = HashSet::new();
    for row in stored {
        let (id, digest) = row?;
        if fresh.get(&id) == Some(&digest) {
            same.insert(id);
        }
    }
    Ok(same)
}

/// Records `fresh` as what the sync wrote; a deliverable no longer in the file keeps none, so
/// that it is compared in full if it comes back.
pub(super) fn record(
    tx: &Transaction<'_>,
    campaign_id: i64,
    fresh: &HashMap<i64, String>,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE deliverables SET rows_digest = NULL WHERE campaign_id = ?1",
        [campaign_id],
    )?;
    let mut stmt = tx.prepare_cached("UPDATE deliverables SET rows_digest = ?2 WHERE id = ?1")?;
    for (id, digest) in fresh {
        stmt.execute(params![id, digest])?;
    }
    Ok(())
}
