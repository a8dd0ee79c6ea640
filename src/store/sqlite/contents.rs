//! The [`Contents`] of an SQLite store — forms, standings, sums, targets, shared values, the rows
//! of ledgers — as SQLite runs the statements of `store/contents.rs`.

use super::StoreError;
use super::lifecycle::unknown;
use super::lifecycle::write_values;
use crate::store::contents::{
    Columns, DESCRIBE, GROUPS, INSERT_ENTERED, INSERT_PASSED, INSERT_ROW, INSERT_ROW_DEADLINE,
    OWES_ALREADY, PASSED_ALREADY, PERIODS, ROW_COUNT, SHARED, STANDINGS, TARGETS, TARGETS_THEN,
    UNIT_REACH, UNITS, UnitReach, campaign_id, described, entered, groups_of, passed_data,
    passed_deadline, reused, sums_sql,
};
use crate::store::lifecycle::unknown_name;
use crate::store::{
    Change, Contents, Described, Key, LedgerRow, Meta, NewRow, Standing, Sum, TargetValue,
};
use crate::values::FieldValue;
use rusqlite::OptionalExtension;

/// The value in columns `first ..= first + 4` (field, number, text, shared key, reused from)
/// of an SQLite row; `None` where the field is NULL (a row of an outer join without one).
pub(super) fn value_at(
    r: &rusqlite::Row<'_>,
    first: usize,
) -> rusqlite::Result<Option<FieldValue>> {
    let Some(field) = r.get::<_, Option<String>>(first)? else {
        return Ok(None);
    };
    Ok(Some(FieldValue {
        field,
        number: r.get(first + 1)?,
        text: r.get(first + 2)?,
        shared: r.get(first + 3)?,
        reused_from: r.get(first + 4)?,
    }))
}

impl Contents for super::Store {
    /// A deliverable's form, thresholds, groups and ledger rules; an unknown campaign or
    /// deliverable is refused with the nearest name.
    fn describe(&self, campaign: &str, deliverable: &str) -> Result<Described, StoreError> {
        use rusqlite::OptionalExtension;
        let conn = &self.conn;
        let names =
            |sql: &str, scope: &[&dyn rusqlite::ToSql]| -> Result<Vec<String>, StoreError> {
                let mut stmt = conn.prepare(sql)?;
                let rows = stmt.query_map(scope, |r| r.get(0))?;
                Ok(rows.collect::<Result<_, _>>()?)
            };
        let id = conn
            .query_row("SELECT id FROM campaigns WHERE key = $1", [campaign], |r| {
                r.get(0)
            })
            .optional()?;
        let campaign_id = campaign_id(campaign, id, || names("SELECT key FROM campaigns", &[]))?;
        let row = conn
            .query_row(DESCRIBE, rusqlite::params![campaign_id, deliverable], |r| {
                Ok(Columns {
                    campaign_id,
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    form: r.get(2)?,
                    thresholds: r.get(3)?,
                    ledger: r.get(4)?,
                    review_within: r.get(5)?,
                    asks: r.get(6)?,
                })
            })
            .optional()?;
        let Some(columns) = row else {
            let known = names(
                "SELECT name FROM deliverables WHERE campaign_id = $1",
                &[&campaign_id],
            )?;
            return Err(unknown_name("deliverable", deliverable, &known).into());
        };
        described(columns)
    }

    /// The groups of campaign `campaign_id`, with their members.
    fn groups(&self, campaign_id: i64) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let text: Option<String> = self.conn.query_row(GROUPS, [campaign_id], |r| r.get(0))?;
        groups_of(text.as_deref())
    }

    /// The periods deliverable `id` is owed for, by deadline (`""` for a one-off).
    fn periods(&self, id: i64) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(PERIODS)?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Who owes deliverable `id` for `period`, and where each stands.
    fn standings(&self, id: i64, period: &str) -> Result<Vec<Standing>, StoreError> {
        let mut stmt = self.conn.prepare_cached(STANDINGS)?;
        let rows = stmt.query_map(rusqlite::params![id, period], |r| {
            Ok(Standing {
                unit: r.get(0)?,
                parent: r.get(1)?,
                state: r.get(2)?,
                has_values: r.get(3)?,
                due_date: r.get(4)?,
                on_time: r.get(5)?,
                id: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
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
        let sql = sums_sql(up, then.is_some()).replace('$', "?");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut params: Vec<rusqlite::types::Value> = vec![id.into(), period.to_string().into()];
        params.extend(then.map(rusqlite::types::Value::from));
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            Ok(Sum {
                key: r.get(0)?,
                field: r.get(1)?,
                sum: r.get(2)?,
                count: r.get(3)?,
                reused: r.get(4)?,
                text: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every target's obligations with their values, of `campaign` (or of all, with `""`);
    /// with `then`, of `campaign` as they stood at that instant.
    fn target_values(
        &self,
        campaign: &str,
        then: Option<i64>,
    ) -> Result<Vec<TargetValue>, StoreError> {
        let mut stmt;
        let mut rows = match then {
            Some(t) => {
                stmt = self.conn.prepare_cached(&TARGETS_THEN.replace('$', "?"))?;
                stmt.query(rusqlite::params![campaign, t])?
            }
            None => {
                stmt = self.conn.prepare_cached(TARGETS)?;
                stmt.query([campaign])?
            }
        };
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let thresholds: Option<String> = r.get(8)?;
            out.push(TargetValue {
                campaign: r.get(0)?,
                deliverable: r.get(1)?,
                unit: r.get(2)?,
                period: r.get(3)?,
                due_date: r.get(4)?,
                due_at: r.get(5)?,
                state: r.get(6)?,
                value: r.get(7)?,
                thresholds: thresholds
                    .as_deref()
                    .map(crate::store::decode::json)
                    .transpose()?
                    .unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// The value `unit` reported under the shared `key` for `period`, for `field` to reuse.
    fn shared_value(
        &self,
        field: &str,
        key: &str,
        unit: &str,
        period: &str,
    ) -> Result<Option<FieldValue>, StoreError> {
        use rusqlite::OptionalExtension;
        let found = self
            .conn
            .query_row(SHARED, [key, unit, period], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        Ok(reused(field, key, found))
    }

    /// The units of `campaign` (by id) with their parents.
    fn unit_tree(&self, campaign_id: i64) -> Result<Vec<(String, Option<String>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(UNITS)?;
        let rows = stmt.query_map([campaign_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn unit_reach(&self, campaign_id: i64) -> Result<Vec<UnitReach>, StoreError> {
        let mut stmt = self.conn.prepare_cached(UNIT_REACH)?;
        let rows = stmt.query_map([campaign_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Enters `rows` in ledger `key.deliverable` of `key.campaign` (the key's unit and period
    /// are not used): each an obligation of its own, numbered `#1`, `#2` … in the ledger, with
    /// an `entered` event carrying its values; all or none.
    fn add_rows(
        &mut self,
        key: &Key<'_>,
        rows: &[NewRow],
        meta: Meta,
    ) -> Result<Vec<Change>, StoreError> {
        // Copied before the transaction, content-addressed, as a submission's files are.
        let stored = rows
            .iter()
            .map(|row| {
                row.files
                    .iter()
                    .map(|f| super::lifecycle::store_file(f, &self.options.files))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.write(|tx| {
            let (campaign_id, deliverable_id, soon_days) = ledger_of(tx, key)?;
            let mut count: i64 = tx.query_row(ROW_COUNT, [deliverable_id], |r| r.get(0))?;
            let mut changes = Vec::with_capacity(rows.len());
            for (row, files) in rows.iter().zip(&stored) {
                let unit_id = unit_of(tx, campaign_id, &row.unit)?;
                count += 1;
                let period = format!("#{count}");
                let deadline: i64 = tx.query_row(
                    INSERT_ROW_DEADLINE,
                    rusqlite::params![
                        campaign_id,
                        deliverable_id,
                        period,
                        row.due_date.to_string(),
                        row.due_at
                    ],
                    |r| r.get(0),
                )?;
                let obligation: i64 = tx.query_row(
                    INSERT_ROW,
                    rusqlite::params![campaign_id, deliverable_id, unit_id, period, deadline],
                    |r| r.get(0),
                )?;
                let event: i64 = tx.query_row(
                    INSERT_ENTERED,
                    rusqlite::params![obligation, meta.at, meta.recorded_at, meta.by, meta.note],
                    |r| r.get(0),
                )?;
                write_values(tx, event, obligation, &row.values)?;
                for file in files {
                    tx.execute(
                        "INSERT INTO files (event_id, name, sha256, size) VALUES (?1, ?2, ?3, ?4)",
                        rusqlite::params![event, file.name, file.sha256, file.size],
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
        let period = key.period.unwrap_or_default();
        self.write(|tx| {
            let (campaign_id, deliverable_id, soon_days) = deliverable_of(tx, key)?;
            // Passed down once: its sub-units may have changed since, the act does not.
            let passed: Option<i64> = tx
                .query_row(
                    PASSED_ALREADY,
                    rusqlite::params![deliverable_id, passed_deadline(period, key.unit)],
                    |r| r.get(0),
                )
                .optional()?;
            if passed.is_some() {
                let refusal = crate::store::Refusal::PassedDownAlready {
                    obligation: crate::store::lifecycle::label(key, period),
                };
                return Err(StoreError::Refused(refusal));
            }
            let mut deadline = None;
            let mut changes = Vec::with_capacity(parts.len());
            for part in parts {
                let unit_id = unit_of(tx, campaign_id, &part.unit)?;
                let owed: Option<i64> = tx
                    .query_row(
                        OWES_ALREADY,
                        rusqlite::params![deliverable_id, unit_id, period],
                        |r| r.get(0),
                    )
                    .optional()?;
                let change = entered(key, part, period, soon_days, meta.at);
                if owed.is_some() {
                    let refusal = crate::store::Refusal::PassedDownAlready {
                        obligation: change.obligation,
                    };
                    return Err(StoreError::Refused(refusal));
                }
                let deadline = match deadline {
                    Some(id) => id,
                    None => {
                        let id: i64 = tx.query_row(
                            INSERT_ROW_DEADLINE,
                            rusqlite::params![
                                campaign_id,
                                deliverable_id,
                                passed_deadline(period, key.unit),
                                part.due_date.to_string(),
                                part.due_at
                            ],
                            |r| r.get(0),
                        )?;
                        *deadline.insert(id)
                    }
                };
                let obligation: i64 = tx.query_row(
                    INSERT_ROW,
                    rusqlite::params![campaign_id, deliverable_id, unit_id, period, deadline],
                    |r| r.get(0),
                )?;
                tx.execute(
                    INSERT_PASSED,
                    rusqlite::params![
                        obligation,
                        meta.at,
                        meta.recorded_at,
                        meta.by,
                        meta.note,
                        passed_data(key.unit)
                    ],
                )?;
                changes.push(change);
            }
            Ok(changes)
        })
    }

    /// A ledger's rows (by its id), with their current values.
    fn ledger_rows(&self, deliverable_id: i64) -> Result<Vec<LedgerRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(crate::store::contents::LEDGER_ROWS)?;
        let flat = stmt
            .query_map([deliverable_id], |r| {
                let row = LedgerRow {
                    row: r.get(1)?,
                    unit: r.get(2)?,
                    due_date: r.get(3)?,
                    due_at: r.get(4)?,
                    state: r.get(5)?,
                    updates: r.get(6)?,
                    values: Vec::new(),
                    id: 0,
                    entered_at: r.get(12)?,
                };
                let value = super::contents::value_at(r, 7)?;
                Ok((r.get(0)?, row, value))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(crate::store::contents::fold_rows(flat))
    }
}

/// The campaign and the deliverable `key` names, and its reminder lead in days; refused if
/// either is unknown.
fn deliverable_of(tx: &rusqlite::Connection, key: &Key<'_>) -> Result<(i64, i64, i64), StoreError> {
    let campaign_id = campaign_of(tx, key)?;
    tx.query_row(
        "SELECT id, soon_days FROM deliverables WHERE campaign_id = ?1 AND name = ?2",
        rusqlite::params![campaign_id, key.deliverable],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .map(|(id, soon_days)| (campaign_id, id, soon_days))
    .ok_or_else(|| {
        unknown(
            tx,
            "deliverable",
            key.deliverable,
            "SELECT name FROM deliverables WHERE campaign_id = ?1",
            Some(campaign_id),
        )
    })
}

/// The unit `name` of the campaign; refused with the nearest name if unknown.
fn unit_of(tx: &rusqlite::Connection, campaign_id: i64, name: &str) -> Result<i64, StoreError> {
    tx.query_row(
        "SELECT id FROM units WHERE campaign_id = ?1 AND name = ?2",
        rusqlite::params![campaign_id, name],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| {
        unknown(
            tx,
            "unit",
            name,
            "SELECT name FROM units WHERE campaign_id = ?1",
            Some(campaign_id),
        )
    })
}

/// The campaign `key` names; refused with the nearest key if unknown.
fn campaign_of(tx: &rusqlite::Connection, key: &Key<'_>) -> Result<i64, StoreError> {
    tx.query_row(
        "SELECT id FROM campaigns WHERE key = ?1",
        [key.campaign],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| {
        unknown(
            tx,
            "campaign",
            key.campaign,
            "SELECT key FROM campaigns",
            None,
        )
    })
}

/// The campaign and the ledger `key` names, and the ledger's reminder lead in days; refused if
/// either is unknown or not a ledger.
fn ledger_of(tx: &rusqlite::Connection, key: &Key<'_>) -> Result<(i64, i64, i64), StoreError> {
    let campaign_id = campaign_of(tx, key)?;
    tx.query_row(
        "SELECT id, soon_days FROM deliverables
         WHERE campaign_id = ?1 AND name = ?2 AND kind = 'ledger'",
        rusqlite::params![campaign_id, key.deliverable],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .map(|(id, soon_days)| (campaign_id, id, soon_days))
    .ok_or_else(|| {
        unknown(
            tx,
            "ledger",
            key.deliverable,
            "SELECT name FROM deliverables WHERE campaign_id = ?1 AND kind = 'ledger'",
            Some(campaign_id),
        )
    })
}
