//! The [`Contents`] on PostgreSQL: the statements of `store::contents`, run here, and the rows of
//! ledgers.

use super::ledger::write_values;
use super::{PgStore, texts};
use crate::store::contents::{
    Columns, DESCRIBE, Described, GROUPS, PERIODS, SHARED, STANDINGS, Standing, Sum, TARGETS,
    TARGETS_THEN, TargetValue, UNIT_REACH, UNITS, UnitReach, campaign_id, described, groups_of,
    reused, sums_sql,
};
use crate::store::contents::{
    INSERT_ENTERED, INSERT_PASSED, INSERT_ROW, INSERT_ROW_DEADLINE, LEDGER_ROWS, OWES_ALREADY,
    PASSED_ALREADY, ROW_COUNT, entered, fold_rows, passed_data, passed_deadline,
};
use crate::store::decode::json;
use crate::store::lifecycle::unknown_name;
use crate::store::{Change, Contents, Key, LedgerRow, Meta, NewRow, StoreError};
use crate::values::FieldValue;

impl Contents for PgStore {
    /// A deliverable's form, thresholds, groups and ledger rules; an unknown campaign or
    /// deliverable is refused with the nearest name.
    fn describe(&self, campaign: &str, deliverable: &str) -> Result<Described, StoreError> {
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
                asks: row.get(6),
            };
            described(columns)
        })
    }

    /// The groups of campaign `campaign_id`, with their members.
    fn groups(&self, campaign_id: i64) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        self.run(|client| {
            let text: Option<String> = client.query_one(GROUPS, &[&campaign_id])?.get(0);
            groups_of(text.as_deref())
        })
    }

    /// The periods deliverable `id` is owed for, by deadline (`""` for a one-off).
    fn periods(&self, id: i64) -> Result<Vec<String>, StoreError> {
        self.run(|client| texts(client, PERIODS, &[&id]))
    }

    /// Who owes deliverable `id` for `period`, and where each stands.
    fn standings(&self, id: i64, period: &str) -> Result<Vec<Standing>, StoreError> {
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
    fn sums(
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
    fn target_values(
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
    fn shared_value(
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
    fn unit_tree(&self, campaign_id: i64) -> Result<Vec<(String, Option<String>)>, StoreError> {
        self.run(|client| {
            Ok(client
                .query(UNITS, &[&campaign_id])?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect())
        })
    }

    fn unit_reach(&self, campaign_id: i64) -> Result<Vec<UnitReach>, StoreError> {
        self.run(|client| {
            Ok(client
                .query(UNIT_REACH, &[&campaign_id])?
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect())
        })
    }

    /// Enters `rows` in ledger `key.deliverable` of `key.campaign`, numbered on from its last
    /// row (the ledger's row is locked meanwhile, so that two nodes number apart); all or none.
    fn add_rows(
        &mut self,
        key: &Key<'_>,
        rows: &[NewRow],
        meta: Meta,
    ) -> Result<Vec<Change>, StoreError> {
        // Read before the transaction, as a submission's files are.
        let read = rows
            .iter()
            .map(|row| {
                row.files
                    .iter()
                    .map(crate::store::lifecycle::read_submission)
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.write(|tx| {
            let campaign_id = campaign_of(tx, key)?;
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
            for (row, files) in rows.iter().zip(&read) {
                let unit_id = unit_of(tx, campaign_id, &row.unit)?;
                count += 1;
                let period = format!("#{count}");
                let due_date = row.due_date.to_string();
                let deadline: i64 = tx
                    .query_one(
                        INSERT_ROW_DEADLINE,
                        &[
                            &campaign_id,
                            &deliverable_id,
                            &period,
                            &due_date,
                            &row.due_at,
                        ],
                    )?
                    .get(0);
                let obligation: i64 = tx
                    .query_one(
                        INSERT_ROW,
                        &[&campaign_id, &deliverable_id, &unit_id, &period, &deadline],
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
                for (file, content) in files {
                    tx.execute(
                        "INSERT INTO blobs (sha256, size, content) VALUES ($1, $2, $3)
                         ON CONFLICT (sha256) DO NOTHING",
                        &[&file.sha256, &file.size, content],
                    )?;
                    tx.execute(
                        "INSERT INTO files (event_id, name, sha256, size) VALUES ($1, $2, $3, $4)",
                        &[&event, &file.name, &file.sha256, &file.size],
                    )?;
                }
                changes.push(entered(key, row, &period, soon_days, meta.at));
            }
            Ok(changes)
        })
    }

    /// Passes `key.period` of the part `key.deliverable` down from `key.unit` to `parts`,
    /// with their own deadline (see [`passed_deadline`]); all or none.
    fn pass_down(
        &mut self,
        key: &Key<'_>,
        parts: &[NewRow],
        meta: Meta,
    ) -> Result<Vec<Change>, StoreError> {
        let period = key.period.unwrap_or_default().to_string();
        self.write(|tx| {
            let campaign_id = campaign_of(tx, key)?;
            let Some(found) = tx.query_opt(
                "SELECT id, soon_days FROM deliverables
                 WHERE campaign_id = $1 AND name = $2 FOR UPDATE",
                &[&campaign_id, &key.deliverable],
            )?
            else {
                let sql = "SELECT name FROM deliverables WHERE campaign_id = $1";
                let known = texts(tx, sql, &[&campaign_id])?;
                return Err(unknown_name("deliverable", key.deliverable, &known).into());
            };
            let (deliverable_id, soon_days): (i64, i64) = (found.get(0), found.get(1));
            // Passed down once: its sub-units may have changed since, the act does not.
            let passed_key = passed_deadline(&period, key.unit);
            if tx
                .query_opt(PASSED_ALREADY, &[&deliverable_id, &passed_key])?
                .is_some()
            {
                let refusal = crate::store::Refusal::PassedDownAlready {
                    obligation: crate::store::lifecycle::label(key, &period),
                };
                return Err(StoreError::Refused(refusal));
            }
            let mut deadline: Option<i64> = None;
            let mut changes = Vec::with_capacity(parts.len());
            for part in parts {
                let unit_id = unit_of(tx, campaign_id, &part.unit)?;
                let change = entered(key, part, &period, soon_days, meta.at);
                if tx
                    .query_opt(OWES_ALREADY, &[&deliverable_id, &unit_id, &period])?
                    .is_some()
                {
                    let refusal = crate::store::Refusal::PassedDownAlready {
                        obligation: change.obligation,
                    };
                    return Err(StoreError::Refused(refusal));
                }
                let deadline = match deadline {
                    Some(id) => id,
                    None => {
                        let due_date = part.due_date.to_string();
                        let id: i64 = tx
                            .query_one(
                                INSERT_ROW_DEADLINE,
                                &[
                                    &campaign_id,
                                    &deliverable_id,
                                    &passed_deadline(&period, key.unit),
                                    &due_date,
                                    &part.due_at,
                                ],
                            )?
                            .get(0);
                        *deadline.insert(id)
                    }
                };
                let obligation: i64 = tx
                    .query_one(
                        INSERT_ROW,
                        &[&campaign_id, &deliverable_id, &unit_id, &period, &deadline],
                    )?
                    .get(0);
                tx.execute(
                    INSERT_PASSED,
                    &[
                        &obligation,
                        &meta.at,
                        &meta.recorded_at,
                        &meta.by,
                        &meta.note,
                        &passed_data(key.unit),
                    ],
                )?;
                changes.push(change);
            }
            Ok(changes)
        })
    }

    /// A ledger's rows (by its id), with their current values.
    fn ledger_rows(&self, deliverable_id: i64) -> Result<Vec<LedgerRow>, StoreError> {
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

/// The campaign `key` names; refused with the nearest key if unknown.
fn campaign_of(tx: &mut ::postgres::Transaction<'_>, key: &Key<'_>) -> Result<i64, StoreError> {
    match tx.query_opt("SELECT id FROM campaigns WHERE key = $1", &[&key.campaign])? {
        Some(row) => Ok(row.get(0)),
        None => {
            let known = texts(tx, "SELECT key FROM campaigns", &[])?;
            Err(unknown_name("campaign", key.campaign, &known).into())
        }
    }
}

/// The unit `name` of the campaign; refused with the nearest name if unknown.
fn unit_of(
    tx: &mut ::postgres::Transaction<'_>,
    campaign_id: i64,
    name: &str,
) -> Result<i64, StoreError> {
    match tx.query_opt(
        "SELECT id FROM units WHERE campaign_id = $1 AND name = $2",
        &[&campaign_id, &name],
    )? {
        Some(row) => Ok(row.get(0)),
        None => {
            let sql = "SELECT name FROM units WHERE campaign_id = $1";
            let known = texts(tx, sql, &[&campaign_id])?;
            Err(unknown_name("unit", name, &known).into())
        }
    }
}
