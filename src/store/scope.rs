//! Which campaigns a query covers, and the SQL conditions that narrow it to the units and
//! deliverables asked for; names no campaign in scope knows are refused with the nearest one.

use chrono_tz::Tz;
use rusqlite::Connection;

use super::decode::Zone;
use super::query::Filter;
use super::{Store, StoreError};
use crate::language::suggest;

/// A campaign the query covers, with its zone.
pub(super) struct Scope {
    pub id: i64,
    pub key: String,
    pub zone: Tz,
}

impl Store {
    /// The campaigns a filter covers; an unknown one is refused with the nearest name.
    pub(super) fn scopes(&self, filter: &Filter) -> Result<Vec<Scope>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, key, zone FROM campaigns ORDER BY id")?;
        let all = stmt
            .query_map([], |r| {
                Ok(Scope {
                    id: r.get(0)?,
                    key: r.get(1)?,
                    zone: r.get::<_, Zone>(2)?.0,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        in_filter(filter, all)
    }

    /// The campaigns a filter covers, and SQL conditions (with their values) narrowing the
    /// obligations named `row` in the query to its units and deliverables; names no campaign in
    /// scope knows are refused.
    pub(super) fn select(
        &self,
        filter: &Filter,
        row: &str,
    ) -> Result<(Vec<Scope>, String, Vec<rusqlite::types::Value>), StoreError> {
        let scopes = self.scopes(filter)?;
        let mut conditions = String::new();
        let mut values = Vec::new();
        for (names, table, column) in [
            (&filter.units, "units", "unit_id"),
            (&filter.deliverables, "deliverables", "deliverable_id"),
        ] {
            if names.is_empty() {
                continue;
            }
            check_names(&self.conn, &scopes, table, names)?;
            let marks = vec!["?"; names.len()].join(", ");
            conditions.push_str(&format!(
                " AND {row}.{column} IN (SELECT id FROM {table} WHERE name IN ({marks}))"
            ));
            values.extend(names.iter().cloned().map(rusqlite::types::Value::from));
        }
        conditions.push_str(&due_between(filter, row));
        Ok((scopes, conditions, values))
    }
}

/// The condition narrowing the obligations named `row` to those whose deadline, as the
/// campaign gives it, falls in the filter's days (none: every deadline). The dates are written
/// into the SQL: a `NaiveDate` prints as digits and dashes only, and `due_date` is ISO text on
/// both engines, so that comparing the text compares the days.
pub(super) fn due_between(filter: &Filter, row: &str) -> String {
    let mut out = String::new();
    if let Some(from) = filter.due_from {
        out.push_str(&format!(
            " AND {row}.due_date >= '{}'",
            from.format("%Y-%m-%d")
        ));
    }
    if let Some(to) = filter.due_to {
        out.push_str(&format!(
            " AND {row}.due_date <= '{}'",
            to.format("%Y-%m-%d")
        ));
    }
    out
}

/// The campaigns of `all` that `filter` covers; one it names that is not there is refused with
/// the nearest name.
pub(super) fn in_filter(filter: &Filter, all: Vec<Scope>) -> Result<Vec<Scope>, StoreError> {
    for wanted in &filter.campaigns {
        if !all.iter().any(|s| &s.key == wanted) {
            let help = suggest::did_you_mean(wanted, all.iter().map(|s| s.key.as_str()))
                .or_else(|| Some("run `duban sync` to load the campaign files".into()));
            return Err(super::Refusal::Unknown {
                kind: "campaign",
                name: wanted.clone(),
                suggestion: help,
            }
            .into());
        }
    }
    Ok(all
        .into_iter()
        .filter(|s| filter.campaigns.is_empty() || filter.campaigns.contains(&s.key))
        .collect())
}

/// Refuses a unit or deliverable name that no campaign in scope knows, with the nearest one.
fn check_names(
    conn: &Connection,
    scopes: &[Scope],
    table: &str,
    names: &[String],
) -> Result<(), StoreError> {
    let mut known: Vec<String> = Vec::new();
    for scope in scopes {
        let mut stmt =
            conn.prepare_cached(&format!("SELECT name FROM {table} WHERE campaign_id = ?1"))?;
        for name in stmt.query_map([scope.id], |r| r.get::<_, String>(0))? {
            known.push(name?);
        }
    }
    check_known(table, names, &known)
}

/// Refuses a name of `names` not among `known` (of `table`), with the nearest one.
pub(super) fn check_known(
    table: &str,
    names: &[String],
    known: &[String],
) -> Result<(), StoreError> {
    for name in names {
        if !known.contains(name) {
            let what = if table == "units" {
                "unit"
            } else {
                "deliverable"
            };
            return Err(super::Refusal::Unknown {
                kind: what,
                name: name.clone(),
                suggestion: suggest::did_you_mean(name, known.iter().map(String::as_str)),
            }
            .into());
        }
    }
    Ok(())
}
