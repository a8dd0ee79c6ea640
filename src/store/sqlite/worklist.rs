//! A unit's work and a reviewer's queue, from SQLite.

use super::{Store, StoreError};
use crate::store::worklist::*;

const RECEIVES: &str = "EXISTS (SELECT 1 FROM json_each(d.recipients) j
    WHERE j.value = $1 OR (j.value = '@parent' AND u.parent = $1))";
impl Store {
    /// Every obligation of the unit `unit`, in any campaign, by campaign and deadline.
    pub fn unit_work(&self, unit: &str) -> Result<Vec<WorkItem>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&UNIT_SQL)?;
        let rows = stmt.query_map(rusqlite::params![unit], row)?;
        rows.map(|r| r?).collect()
    }

    /// The units directly under the unit named `unit`, in any campaign.
    pub fn sub_units(&self, unit: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(SUB_UNITS)?;
        let rows = stmt.query_map([unit], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What awaits the reviewing unit `reviewer`'s decision, newest first; received
    /// submissions since `since` (unix seconds).
    pub fn review_queue(&self, reviewer: &str, since: i64) -> Result<Vec<WorkItem>, StoreError> {
        static QUEUE: std::sync::LazyLock<String> =
            std::sync::LazyLock::new(|| queue_sql(RECEIVES));
        let mut stmt = self.conn.prepare_cached(&QUEUE)?;
        let rows = stmt.query_map(rusqlite::params![reviewer, since], row)?;
        rows.map(|r| r?).collect()
    }
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<WorkItem, StoreError>> {
    let record = super::decode::record(r, 7, 21)?;
    let id = r.get(19)?;
    let zone = r.get::<_, super::decode::Zone>(20)?.0;
    Ok(WorkItem::new(
        (r.get(0)?, r.get(1)?),
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        (r.get(5)?, r.get(6)?),
        record,
        r.get(13)?,
        r.get(14)?,
        &r.get::<_, String>(15)?,
        r.get(16)?,
        r.get(17)?,
        &r.get::<_, String>(18)?,
    )
    .map(|item| WorkItem { id, zone, ..item }))
}
