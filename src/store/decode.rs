//! Columns read as the values they hold: a time zone, a date, JSON. A value duban never writes
//! (a zone chrono-tz does not know, JSON that does not parse) is a decoding error that says what
//! the column held, never a default that would make a wrong answer look right.

use chrono::NaiveDate;
use chrono_tz::Tz;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use serde::de::DeserializeOwned;

use crate::ledger::State;

/// What a column held that duban cannot read back.
#[derive(Debug, thiserror::Error)]
#[error("`{value}` is not {what}")]
pub struct Undecodable {
    /// As stored (cut short).
    pub value: String,
    /// What it should have been.
    pub what: &'static str,
}

impl Undecodable {
    pub(super) fn new(value: &str, what: &'static str) -> Undecodable {
        Undecodable {
            value: value.chars().take(60).collect(),
            what,
        }
    }
}

fn other(error: Undecodable) -> FromSqlError {
    FromSqlError::Other(Box::new(error))
}

impl From<Undecodable> for super::StoreError {
    fn from(error: Undecodable) -> super::StoreError {
        super::StoreError::Decode {
            message: error.to_string(),
        }
    }
}

/// A time zone as the store writes it, whatever the engine.
pub(super) fn zone(text: &str) -> Result<Tz, Undecodable> {
    text.parse()
        .map_err(|_| Undecodable::new(text, "a time zone"))
}

/// JSON as the store writes it, whatever the engine.
pub(super) fn json<T: DeserializeOwned>(text: &str) -> Result<T, Undecodable> {
    serde_json::from_str(text).map_err(|_| Undecodable::new(text, "the JSON duban writes there"))
}

/// A state as the store writes it, whatever the engine.
pub(super) fn state(text: &str) -> Result<State, Undecodable> {
    text.parse()
        .map_err(|_| Undecodable::new(text, "a state of an obligation"))
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

/// Parses `text`, a date the store wrote, or says which column held it.
pub(super) fn day(text: &str, column: usize) -> Result<NaiveDate, rusqlite::Error> {
    text.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            Box::new(Undecodable::new(text, "a date")),
        )
    })
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
