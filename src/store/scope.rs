//! Which campaigns a query covers, and the SQL conditions that narrow it to the units and
//! deliverables asked for; names no campaign in scope knows are refused with the nearest one.

use chrono_tz::Tz;

use super::StoreError;
use super::query::Filter;
use crate::language::suggest;

/// A campaign the query covers, with its zone.
pub(super) struct Scope {
    pub id: i64,
    pub key: String,
    pub zone: Tz,
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
