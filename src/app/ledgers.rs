//! Ledgers (台账, 清单): lists whose rows have their own life. A row is entered with its values,
//! its responsible unit and its deadline, and is from then an obligation of its own — listed by
//! `overdue` and `status`, chased by the ladder — until it is closed out (销号) with its
//! evidence, reviewed where the ledger says so, or reopened. Every change is an event in the
//! same append-only history as submissions.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::contents::{Said, add_values, twice_named, unknown_column};
use super::hierarchy::Hierarchy;
use super::{AppError, Office, UNIT_COLUMNS};
use crate::clock::Instant;
use crate::language::campaign::RowDue;
use crate::language::form::Form;
use crate::store::{Action, Backend, Change, Described, Key, LedgerRules, NewRow};
use crate::values::table::{self, Table};
use crate::values::{self, FieldValue, Invalid};

/// The columns that give a row its own deadline.
pub const DUE_COLUMNS: &[&str] = &["销号时限", "整改时限", "完成时限", "deadline"];

/// Where a ledger's row stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowState {
    /// Entered, not yet closed out, deadline to come.
    Open,
    /// Being rectified (its values were updated), deadline to come.
    Rectifying,
    /// Past its deadline and not closed out.
    Overdue,
    /// Its close-out waits for review.
    UnderReview,
    /// Closed out (销号).
    Closed,
    /// Its close-out was returned: open again.
    Returned,
    /// Excused.
    Waived,
}

impl RowState {
    /// `closed out`, as tables say it.
    pub fn words(self) -> &'static str {
        match self {
            RowState::Open => "open",
            RowState::Rectifying => "rectifying",
            RowState::Overdue => "overdue",
            RowState::UnderReview => "under review",
            RowState::Closed => "closed out",
            RowState::Returned => "returned",
            RowState::Waived => "waived",
        }
    }
}

/// One row as `ledger show` lists it.
#[derive(Clone, Debug, Serialize)]
pub struct RowView {
    /// `#3`.
    pub row: String,
    /// The responsible unit.
    pub unit: String,
    /// Its deadline.
    pub due_date: String,
    /// Where it stands.
    pub state: RowState,
    /// Its values, by field.
    pub values: BTreeMap<String, String>,
}

/// A unit's rows counted, as the reconciliation (对账) of a ledger has them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Reconciliation {
    /// The unit.
    pub unit: String,
    /// Rows entered.
    pub entered: usize,
    /// Rows closed out.
    pub closed: usize,
    /// Rows still open (overdue ones among them).
    pub open: usize,
    /// Rows past their deadline and not closed out.
    pub overdue: usize,
}

/// A ledger as it stands.
#[derive(Clone, Debug, Serialize)]
pub struct LedgerView {
    /// Campaign.
    pub campaign: String,
    /// The ledger.
    pub ledger: String,
    /// Its fields, the columns.
    pub fields: Vec<String>,
    /// Its rows.
    pub rows: Vec<RowView>,
    /// Per unit: entered, closed, open, overdue.
    pub units: Vec<Reconciliation>,
}

impl Office {
    /// Enters the rows `said` gives in `ledger`: a row per line of the data file (its unit in
    /// a 填报单位 column), or one row of `--value`s for `unit`. Each row's deadline is its
    /// 销号时限 column, else `due`, else the ledger's rule. Any bad cell refuses them all.
    #[allow(clippy::too_many_arguments)]
    pub fn ledger_add(
        &self,
        store: &mut dyn Backend,
        campaign: &str,
        ledger: &str,
        unit: Option<&str>,
        said: &Said,
        due: Option<NaiveDate>,
        at: Instant,
        by: Option<String>,
        note: Option<String>,
    ) -> Result<Vec<Change>, AppError> {
        let rows = self.rows_to_enter(&*store, (campaign, ledger), unit, said, due, at)?;
        let meta = self.meta(store, campaign, at, by, note)?;
        let key = Key {
            campaign,
            deliverable: ledger,
            unit: "",
            period: None,
        };
        Ok(store.add_rows(&key, &rows, meta)?)
    }

    /// The rows `said` gives for `ledger`, each checked and given its deadline (see
    /// [`Office::ledger_add`]), not yet entered.
    pub(super) fn rows_to_enter(
        &self,
        store: &dyn Backend,
        (campaign, ledger): (&str, &str),
        unit: Option<&str>,
        said: &Said,
        due: Option<NaiveDate>,
        at: Instant,
    ) -> Result<Vec<NewRow>, AppError> {
        if let Some(path) = &said.data {
            self.refuse_secret(path)?;
        }
        let (described, form, rules) = describe_ledger(store, campaign, ledger)?;
        let zone = store.campaign_zone(campaign)?;
        let entered = at.in_zone(zone).date_naive();
        let given = Given {
            unit,
            said,
            due,
            entered,
            zone,
        };
        self.new_rows(store, &described, &form, &rules, &given)
    }

    /// Changes the values of an owed row (its progress: 整改中); the fields not given keep
    /// theirs.
    #[allow(clippy::too_many_arguments)]
    pub fn ledger_update(
        &self,
        store: &mut dyn Backend,
        campaign: &str,
        ledger: &str,
        row: &str,
        values: &[(String, String)],
        at: Instant,
        by: Option<String>,
        note: Option<String>,
    ) -> Result<Change, AppError> {
        let (described, form, _) = describe_ledger(store, campaign, ledger)?;
        let current = find_row(store, &described, ledger, row)?;
        let mut table = Table::default();
        add_values(&mut table, values)?;
        let cells: Vec<(&str, &values::Cell)> = table
            .header
            .iter()
            .zip(table.rows.first().map(|r| r.1.as_slice()).unwrap_or(&[]))
            .map(|(h, c)| (h.text.as_str(), c))
            .collect();
        let kept: Vec<FieldValue> = current
            .values
            .iter()
            .filter(|v| !values.iter().any(|(f, _)| *f == v.field))
            .cloned()
            .collect();
        let checked =
            values::check_row(&form, &cells, &kept, "--value").map_err(AppError::Invalid)?;
        let key = Key {
            campaign,
            deliverable: ledger,
            unit: &current.unit,
            period: Some(&current.row),
        };
        let action = Action::Update {
            values: checked.values,
        };
        self.record(store, &key, action, at, by, note)
    }

    /// Closes a row out (销号) with its evidence, or (with `reopen`) opens a closed one again.
    pub fn ledger_act(
        &self,
        store: &mut dyn Backend,
        (campaign, ledger, row): (&str, &str, &str),
        action: Action,
        at: Instant,
        (by, note): (Option<String>, Option<String>),
    ) -> Result<Change, AppError> {
        let (described, _, _) = describe_ledger(store, campaign, ledger)?;
        let current = find_row(store, &described, ledger, row)?;
        let key = Key {
            campaign,
            deliverable: ledger,
            unit: &current.unit,
            period: Some(&current.row),
        };
        // A ledger's words for the lifecycle's refusal: a row is closed out, not submitted.
        match self.record(store, &key, action, at, by, note) {
            Err(AppError::Store(crate::store::StoreError::Refused(
                crate::store::Refusal::AlreadySubmitted { obligation },
            ))) => Err(AppError::AlreadyClosed { row: obligation }),
            other => other,
        }
    }

    /// The ledger's rows as they stand at `as_of`, and each unit's count of them (对账).
    pub fn ledger_show(
        &self,
        store: &dyn Backend,
        campaign: &str,
        ledger: &str,
        unit: Option<&str>,
        as_of: Instant,
    ) -> Result<LedgerView, AppError> {
        let (described, form, rules) = describe_ledger(store, campaign, ledger)?;
        let now = as_of.in_zone(store.campaign_zone(campaign)?).timestamp();
        let mut rows = Vec::new();
        let mut units: Vec<Reconciliation> = rules
            .keepers
            .iter()
            .map(|u| Reconciliation {
                unit: u.clone(),
                ..Reconciliation::default()
            })
            .collect();
        // A row closed out or reopened after `as_of` is shown as it stood then.
        let later = store.acted_after(described.campaign_id, as_of)?;
        for mut r in store.ledger_rows(described.id)? {
            if unit.is_some_and(|u| u != r.unit) {
                continue;
            }
            // A row entered after `as_of` was not in the ledger then.
            if r.entered_at.is_some_and(|at| at > now) {
                continue;
            }
            if let Some(then) = later.get(&r.id) {
                r.state = then.record.state.as_str().to_string();
                r.due_at = then.record.effective_due_at;
                r.due_date = then.due_date.clone();
                // Its values then: those of the latest act by then that carried any (the
                // history at `as_of` leaves out what came after).
                let key = Key {
                    campaign,
                    deliverable: ledger,
                    unit: &r.unit,
                    period: Some(&r.row),
                };
                let (_, events) = store.history(&key, as_of)?;
                if let Some(latest) = events.iter().rev().find(|e| !e.values.is_empty()) {
                    r.values = latest.values.clone();
                }
                r.updates = events.iter().filter(|e| e.kind == "updated").count() as i64;
            }
            let state = match r.state.as_str() {
                "received" => RowState::Closed,
                "review" => RowState::UnderReview,
                "waived" => RowState::Waived,
                _ if now >= r.due_at => RowState::Overdue,
                "returned" => RowState::Returned,
                _ if r.updates > 0 => RowState::Rectifying,
                _ => RowState::Open,
            };
            let at = match units.iter().position(|u| u.unit == r.unit) {
                Some(at) => at,
                None => {
                    units.push(Reconciliation {
                        unit: r.unit.clone(),
                        ..Reconciliation::default()
                    });
                    units.len() - 1
                }
            };
            let count = &mut units[at];
            count.entered += 1;
            match state {
                RowState::Closed | RowState::Waived => count.closed += 1,
                RowState::Overdue => {
                    count.open += 1;
                    count.overdue += 1
                }
                _ => count.open += 1,
            }
            rows.push(RowView {
                row: r.row,
                unit: r.unit,
                due_date: r.due_date,
                state,
                values: r
                    .values
                    .iter()
                    .map(|v| (v.field.clone(), v.display()))
                    .collect(),
            });
        }
        if let Some(u) = unit {
            units.retain(|r| r.unit == u);
        }
        Ok(LedgerView {
            campaign: campaign.to_string(),
            ledger: ledger.to_string(),
            fields: form.fields.iter().map(|f| f.name.clone()).collect(),
            rows,
            units,
        })
    }

    /// The rows of what was said, each checked and given its deadline.
    fn new_rows(
        &self,
        store: &dyn Backend,
        described: &Described,
        form: &Form,
        rules: &LedgerRules,
        given: &Given<'_>,
    ) -> Result<Vec<NewRow>, AppError> {
        let Given {
            unit,
            said,
            due,
            entered,
            zone,
        } = *given;
        let mut table = match &said.data {
            Some(path) => table::read(path, said.encoding)?,
            None => Table::default(),
        };
        add_values(&mut table, &said.values)?;
        let column = |names: &[&str]| {
            table
                .header
                .iter()
                .position(|h| names.contains(&h.text.as_str()))
        };
        let (unit_column, due_column) = (column(UNIT_COLUMNS), column(DUE_COLUMNS));
        let mut problems = twice_named(&table);
        problems.extend(
            table
                .header
                .iter()
                .enumerate()
                .filter(|(i, h)| {
                    Some(*i) != unit_column
                        && Some(*i) != due_column
                        && form.field(&h.text).is_none()
                })
                .map(|(_, h)| unknown_column(form, h)),
        );
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let tree = store.unit_tree(described.campaign_id)?;
        let hierarchy = Hierarchy::new(&tree);
        let mut rows = Vec::new();
        for (row_at, cells) in &table.rows {
            let row_unit = unit_column
                .map(|c| &cells[c])
                .filter(|c| !c.text.is_empty());
            let responsible = match responsible_of(&hierarchy, rules, row_unit, unit, row_at) {
                Ok(u) => u,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            let row_due = due_column.map(|c| &cells[c]).filter(|c| !c.text.is_empty());
            let due_date = match row_due {
                Some(cell) => values::parse_date(&cell.text).ok_or_else(|| Invalid {
                    zh: None,
                    field: None,
                    at: cell.at.clone(),
                    message: format!("`{}` is not a date (YYYY-MM-DD)", cell.text),
                }),
                None => due
                    .or_else(|| self.row_due(rules.close, entered))
                    .ok_or_else(|| Invalid {
                        zh: Some("未给出时限：本台账未规定时限，请填写办结（销号）时限".into()),
                        field: None,
                        at: row_at.clone(),
                        message: "no deadline: the ledger gives none, so give --due DATE or a column 销号时限".into(),
                    }),
            };
            let due_date = match due_date {
                Ok(d) => d,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            let pairs: Vec<(&str, &values::Cell)> = table
                .header
                .iter()
                .zip(cells)
                .enumerate()
                .filter(|(i, _)| Some(*i) != unit_column && Some(*i) != due_column)
                .map(|(_, (h, c))| (h.text.as_str(), c))
                .collect();
            match values::check_row(form, &pairs, &[], row_at) {
                Ok(checked) => {
                    // A deadline on a day the office is closed keeps its date; the row is late only after
                    // the next workday (民法典 第二百零三条).
                    let last = self.calendar.workday_on_or_after(due_date);
                    let due_at = crate::schedule::obligation::end_of_day(zone, last).timestamp();
                    rows.push(NewRow {
                        unit: responsible,
                        due_date,
                        due_at,
                        values: checked.values,
                        files: Vec::new(),
                    });
                }
                Err(mut found) => problems.append(&mut found),
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        Ok(rows)
    }

    /// A row's deadline by the ledger's rule, for a row entered on `entered`.
    fn row_due(&self, close: RowDue, entered: NaiveDate) -> Option<NaiveDate> {
        match close {
            RowDue::AfterEntry(d) => crate::notices::plan::shift(&self.calendar, entered, d, true),
            RowDue::By(date) => Some(date),
            RowDue::AsEntered => None,
        }
    }
}

/// The unit responsible for a row — its 填报单位 cell, else `--unit` — if it keeps rows of the
/// ledger (it is a keeper, or under one).
fn responsible_of(
    hierarchy: &Hierarchy<'_>,
    rules: &LedgerRules,
    cell: Option<&values::Cell>,
    unit: Option<&str>,
    row_at: &str,
) -> Result<String, Invalid> {
    let Some(responsible) = cell
        .map(|c| c.text.clone())
        .or_else(|| unit.map(String::from))
    else {
        return Err(Invalid {
            zh: None,
            field: None,
            at: row_at.to_string(),
            message: format!(
                "no responsible unit: give --unit, or a column {}",
                UNIT_COLUMNS[..3].join("、")
            ),
        });
    };
    let at = cell.map_or(row_at, |c| c.at.as_str());
    let kept = rules
        .keepers
        .iter()
        .any(|k| hierarchy.outside(k, &responsible, at).is_none());
    if kept {
        return Ok(responsible);
    }
    // An unknown name says so (with the nearest); a known one is out of the ledger.
    let unknown = hierarchy
        .outside("", &responsible, at)
        .filter(|_| !hierarchy.knows(&responsible));
    Err(unknown.unwrap_or_else(|| Invalid {
        zh: None,
        field: None,
        at: at.to_string(),
        message: format!(
            "{responsible} keeps no rows of this ledger (its rows are kept by {})",
            rules.keepers.join("、")
        ),
    }))
}

/// What an entry of rows was given besides its cells.
#[derive(Clone, Copy)]
struct Given<'a> {
    /// The responsible unit of rows that do not name theirs.
    unit: Option<&'a str>,
    /// The cells.
    said: &'a Said,
    /// The deadline of rows that do not give theirs.
    due: Option<NaiveDate>,
    /// The day the rows are entered.
    entered: NaiveDate,
    /// The campaign's zone.
    zone: chrono_tz::Tz,
}

/// A ledger's description, form and rules; a deliverable that is not a ledger is refused.
fn describe_ledger(
    store: &dyn Backend,
    campaign: &str,
    ledger: &str,
) -> Result<(Described, Form, LedgerRules), AppError> {
    let described = store.describe(campaign, ledger)?;
    match (described.form.clone(), described.ledger.clone()) {
        (Some(form), Some(rules)) => Ok((described, form, rules)),
        _ => Err(AppError::NotALedger {
            deliverable: ledger.to_string(),
            kind: described.kind,
        }),
    }
}

/// A row of the ledger by its number (`#3`, or `3`).
fn find_row(
    store: &dyn Backend,
    described: &Described,
    ledger: &str,
    row: &str,
) -> Result<crate::store::LedgerRow, AppError> {
    let rows = store.ledger_rows(described.id)?;
    let wanted = if row.starts_with('#') {
        row.to_string()
    } else {
        format!("#{row}")
    };
    rows.into_iter()
        .find(|r| r.row == wanted)
        .ok_or_else(|| AppError::NoSuchRow {
            ledger: ledger.to_string(),
            row: row.to_string(),
        })
}
