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
    fn new(value: &str, what: &'static str) -> Undecodable {
        Undecodable {
            value: value.chars().take(60).collect(),
            what,
        }
    }
}

fn undecodable(value: &str, what: &'static str) -> FromSqlError {
    FromSqlError::Other(Box::new(Undecodable::new(value, what)))
}

/// A campaign's time zone.
pub(super) struct Zone(pub Tz);

impl FromSql for Zone {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Zone> {
        let text = value.as_str()?;
        text.parse()
            .map(Zone)
            .map_err(|_| undecodable(text, "a time zone"))
    }
}

/// A value kept as JSON.
pub(super) struct Json<T>(pub T);

impl<T: DeserializeOwned> FromSql for Json<T> {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Json<T>> {
        let text = value.as_str()?;
        serde_json::from_str(text)
            .map(Json)
            .map_err(|_| undecodable(text, "the JSON duban writes there"))
    }
}

/// A state as the store writes it.
impl FromSql for State {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<State> {
        let text = value.as_str()?;
        text.parse()
            .map_err(|_| undecodable(text, "a state of an obligation"))
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
