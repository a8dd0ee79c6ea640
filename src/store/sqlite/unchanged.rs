//! The digests of `store/unchanged.rs`, compared with and kept in SQLite.

use super::StoreError;
use rusqlite::{Transaction, params};
use std::collections::{HashMap, HashSet};

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
