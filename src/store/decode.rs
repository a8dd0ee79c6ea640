//! Columns read as the values they hold: a time zone, a date, JSON. A value duban never writes
//! (a zone chrono-tz does not know, JSON that does not parse) is a decoding error that says what
//! the column held, never a default that would make a wrong answer look right.

use chrono::NaiveDate;
use chrono_tz::Tz;
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
