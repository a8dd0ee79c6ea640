//! What the people of the web pages work from, on PostgreSQL: the statements of
//! `store::worklist`.

use super::PgStore;
use crate::store::StoreError;
use crate::store::worklist::{SUB_UNITS, UNIT_SQL, WorkItem, queue_sql};

const RECEIVES: &str = "jsonb_exists(d.recipients::jsonb, $1)
    OR (jsonb_exists(d.recipients::jsonb, '@parent') AND u.parent = $1)";

impl PgStore {
    /// Every obligation of the unit `unit`, in any campaign, by campaign and deadline.
    pub fn unit_work(&self, unit: &str) -> Result<Vec<WorkItem>, StoreError> {
        self.run(|client| {
            let rows = client.query(UNIT_SQL.as_str(), &[&unit])?;
            rows.iter().map(item).collect()
        })
    }

    /// The units directly under the unit named `unit`, in any campaign.
    pub fn sub_units(&self, unit: &str) -> Result<Vec<String>, StoreError> {
        self.run(|client| super::texts(client, SUB_UNITS, &[&unit]))
    }

    /// What awaits the reviewing unit `reviewer`'s decision, newest first; received
    /// submissions since `since` (unix seconds).
    pub fn review_queue(&self, reviewer: &str, since: i64) -> Result<Vec<WorkItem>, StoreError> {
        self.run(|client| {
            static QUEUE: std::sync::LazyLock<String> =
                std::sync::LazyLock::new(|| queue_sql(RECEIVES));
            let rows = client.query(QUEUE.as_str(), &[&reviewer, &since])?;
            rows.iter().map(item).collect()
        })
    }
}

fn item(r: &::postgres::Row) -> Result<WorkItem, StoreError> {
    let record = super::record(r, 7, 21)?;
    let zone = crate::store::decode::zone(r.get(20))?;
    WorkItem::new(
        (r.get(0), r.get(1)),
        r.get(2),
        r.get(3),
        r.get(4),
        (r.get(5), r.get(6)),
        record,
        r.get(13),
        r.get(14),
        r.get::<_, &str>(15),
        r.get(16),
        r.get(17),
        r.get::<_, &str>(18),
    )
    .map(|item| WorkItem {
        id: r.get(19),
        zone,
        ..item
    })
}
