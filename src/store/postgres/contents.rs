//! What submissions say, on PostgreSQL: the statements of `store::contents`, run here.

use super::{PgStore, texts};
use crate::store::StoreError;
use crate::store::contents::{
    Columns, DESCRIBE, Described, GROUPS, PERIODS, SHARED, STANDINGS, Standing, Sum, TARGETS,
    TARGETS_THEN, TargetValue, UNITS, campaign_id, described, groups_of, reused, sums_sql,
};
use crate::store::decode::json;
use crate::store::lifecycle::unknown_name;
use crate::values::FieldValue;

impl PgStore {
    /// A deliverable's form, thresholds, groups and ledger rules; an unknown campaign or
    /// deliverable is refused with the nearest name.
    pub fn describe(&self, campaign: &str, deliverable: &str) -> Result<Described, StoreError> {
        self.run(|client| {
            let id = client
                .query_opt("SELECT id FROM campaigns WHERE key = $1", &[&campaign])?
                .map(|r| r.get(0));
            let campaign_id = campaign_id(campaign, id, || {
                texts(client, "SELECT key FROM campaigns", &[])
            })?;
            let Some(row) = client.query_opt(DESCRIBE, &[&campaign_id, &deliverable])? else {
                let known = texts(
                    client,
                    "SELECT name FROM deliverables WHERE campaign_id = $1",
                    &[&campaign_id],
                )?;
                return Err(unknown_name("deliverable", deliverable, &known).into());
            };
            let columns = Columns {
                campaign_id,
                id: row.get(0),
                kind: row.get(1),
                form: row.get(2),
                thresholds: row.get(3),
                ledger: row.get(4),
                review_within: row.get(5),
            };
            described(columns)
        })
    }

    /// The groups of campaign `campaign_id`, with their members.
    pub fn groups(&self, campaign_id: i64) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        self.run(|client| {
            let text: Option<String> = client.query_one(GROUPS, &[&campaign_id])?.get(0);
            groups_of(text.as_deref())
        })
    }

    /// The periods deliverable `id` is owed for, by deadline (`""` for a one-off).
    pub fn periods(&self, id: i64) -> Result<Vec<String>, StoreError> {
        self.run(|client| texts(client, PERIODS, &[&id]))
    }

    /// Who owes deliverable `id` for `period`, and where each stands.
    pub fn standings(&self, id: i64, period: &str) -> Result<Vec<Standing>, StoreError> {
        self.run(|client| {
            Ok(client
                .query(STANDINGS, &[&id, &period])?
                .iter()
                .map(|r| Standing {
                    unit: r.get(0),
                    parent: r.get(1),
                    state: r.get(2),
                    has_values: r.get(3),
                    due_date: r.get(4),
                    on_time: r.get(5),
                    id: r.get(6),
                })
                .collect())
        })
    }

    /// The sums of deliverable `id`'s values for `period` that count, by the unit `up` levels
    /// above each unit that reported; with `then`, as they stood at that instant.
    pub fn sums(
        &self,
        id: i64,
        period: &str,
        up: usize,
        then: Option<i64>,
    ) -> Result<Vec<Sum>, StoreError> {
        let sql = sums_sql(up, then.is_some());
        self.run(|client| {
            let rows = match &then {
                Some(t) => client.query(&sql, &[&id, &period, t])?,
                None => client.query(&sql, &[&id, &period])?,
            };
            Ok(rows
                .iter()
                .map(|r| Sum {
                    key: r.get(0),
                    field: r.get(1),
                    sum: r.get(2),
                    count: r.get(3),
                    reused: r.get(4),
                    text: r.get(5),
                })
                .collect())
        })
    }

    /// Every target's obligations with their values, of `campaign` (or of all, with `""`);
    /// with `then`, of `campaign` as they stood at that instant.
    pub fn target_values(
        &self,
        campaign: &str,
        then: Option<i64>,
    ) -> Result<Vec<TargetValue>, StoreError> {
        self.run(|client| {
            let mut out = Vec::new();
            let rows = match &then {
                Some(t) => client.query(TARGETS_THEN, &[&campaign, t])?,
                None => client.query(TARGETS, &[&campaign])?,
            };
            for r in rows {
                let thresholds: Option<String> = r.get(8);
                out.push(TargetValue {
                    campaign: r.get(0),
                    deliverable: r.get(1),
                    unit: r.get(2),
                    period: r.get(3),
                    due_date: r.get(4),
                    due_at: r.get(5),
                    state: r.get(6),
                    value: r.get(7),
                    thresholds: thresholds
                        .as_deref()
                        .map(json)
                        .transpose()?
                        .unwrap_or_default(),
                });
            }
            Ok(out)
        })
    }

    /// The value `unit` reported under the shared `key` for `period`, for `field` to reuse.
    pub fn shared_value(
        &self,
        field: &str,
        key: &str,
        unit: &str,
        period: &str,
    ) -> Result<Option<FieldValue>, StoreError> {
        self.run(|client| {
            let found = client
                .query_opt(SHARED, &[&key, &unit, &period])?
                .map(|r| (r.get(0), r.get(1), r.get(2)));
            Ok(reused(field, key, found))
        })
    }

    /// The units of `campaign` (by id) with their parents.
    pub fn unit_tree(&self, campaign_id: i64) -> Result<Vec<(String, Option<String>)>, StoreError> {
        self.run(|client| {
            Ok(client
                .query(UNITS, &[&campaign_id])?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect())
        })
    }
}

/// A submitted value from the columns of a PostgreSQL row from `first` on: field, number,
/// text, shared key and the event it was reused from (none without a field).
pub(super) fn pg_value_at(r: &::postgres::Row, first: usize) -> Option<FieldValue> {
    Some(FieldValue {
        field: r.get::<_, Option<String>>(first)?,
        number: r.get(first + 1),
        text: r.get(first + 2),
        shared: r.get(first + 3),
        reused_from: r.get(first + 4),
    })
}
