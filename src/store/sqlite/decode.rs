//! Columns of SQLite rows read as the values they hold: the `FromSql` side of `store/decode.rs`.

use crate::ledger::State;
use crate::store::decode::{Undecodable, json, state, zone};
use chrono_tz::Tz;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use serde::de::DeserializeOwned;

fn other(error: Undecodable) -> FromSqlError {
    FromSqlError::Other(Box::new(error))
}

/// A campaign's time zone.
pub(super) struct Zone(pub Tz);

impl FromSql for Zone {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Zone> {
        zone(value.as_str()?).map(Zone).map_err(other)
    }
}

/// A value kept as JSON.
pub(super) struct Json<T>(pub T);

impl<T: DeserializeOwned> FromSql for Json<T> {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Json<T>> {
        json(value.as_str()?).map(Json).map_err(other)
    }
}

/// A state as the store writes it.
impl FromSql for State {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<State> {
        state(value.as_str()?).map_err(other)
    }
}

/// An obligation's record from six columns from `first` on: state, submitted_at, closed_at,
/// due_at, effective_due_at, and the deliverable's soon_days; and its review_due_at, in column
/// `review`.
pub(super) fn record(
    r: &rusqlite::Row<'_>,
    first: usize,
    review: usize,
) -> rusqlite::Result<crate::ledger::Record> {
    Ok(crate::ledger::Record {
        state: r.get(first)?,
        submitted_at: r.get(first + 1)?,
        closed_at: r.get(first + 2)?,
        due_at: r.get(first + 3)?,
        effective_due_at: r.get(first + 4)?,
        soon_seconds: r.get::<_, i64>(first + 5)? * 86_400,
        review_due: r.get(review)?,
    })
}
