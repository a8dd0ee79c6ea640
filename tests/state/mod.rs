//! The state engine through the real binary, as its users meet it: sync, submit and the
//! lifecycle, the daily queries at several instants, edits of a campaign after submissions, and
//! bad input. What any backend must do is in `tests/contract.rs`.

use serde_json::Value;

mod contacts;
mod database;
mod day;
mod editing;
mod lifecycle;

/// `(unit, deliverable, period)` of every row of a JSON answer.
pub fn keys(rows: &Value) -> Vec<(String, String, String)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["unit"].as_str().unwrap().to_string(),
                r["deliverable"].as_str().unwrap().to_string(),
                r["period"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Whether `rows` has the row of `unit`, `deliverable` and `period`.
pub fn has(rows: &Value, unit: &str, deliverable: &str, period: &str) -> bool {
    keys(rows).contains(&(unit.into(), deliverable.into(), period.into()))
}
