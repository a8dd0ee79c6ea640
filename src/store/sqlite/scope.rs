//! Which campaigns an SQLite query covers, and the names it checks against them.

use super::decode::Zone;
use super::{Store, StoreError};
use crate::store::query::Filter;
use crate::store::scope::{Scope, check_known, due_between, in_filter};
use rusqlite::Connection;

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
