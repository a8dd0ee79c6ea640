//! Submitting what a report says: the values of its form's fields, from a spreadsheet (a row, or
//! a row per sub-unit) and `--value 字段=值`, each cell checked against its field, values a unit
//! already reported for a shared field (一表通) filled in, and every row recorded in one
//! transaction — or, at the first bad cell, nothing, with every bad cell named.

use std::collections::HashMap;
use std::path::PathBuf;

use super::hierarchy::Hierarchy;
use super::{AppError, Office};
use crate::clock::Instant;
use crate::language::form::Form;
use crate::store::{Action, Backend, Change, Described, Key, Submission};
use crate::values::table::{self, Encoding};
use crate::values::{self, Cell, FieldValue, Invalid, Warning};

/// The column that names the unit of each row, in the spellings offices use.
pub const UNIT_COLUMNS: &[&str] = &["填报单位", "报送单位", "单位", "单位名称", "unit"];

/// What a submission says, as given: a data file, and single values.
#[derive(Clone, Debug, Default)]
pub struct Said {
    /// A spreadsheet (CSV, .xlsx, JSON) of the form's fields.
    pub data: Option<PathBuf>,
    /// How to read a CSV file's bytes.
    pub encoding: Encoding,
    /// `字段=值` pairs, for a field or two.
    pub values: Vec<(String, String)>,
}

impl Said {
    /// Whether nothing was said (a submission of files only).
    pub fn is_empty(&self) -> bool {
        self.data.is_none() && self.values.is_empty()
    }
}

/// What a submission with values recorded.
#[derive(Clone, Debug, Default)]
pub struct Submitted {
    /// Each obligation's change, in the file's order.
    pub changes: Vec<Change>,
    /// Checks marked `warning` that rows fail.
    pub warnings: Vec<Warning>,
    /// Values taken from another form (一表通): (unit, field).
    pub reused: Vec<(String, String)>,
}

/// One row to record: its unit and its checked values.
struct Row {
    unit: String,
    values: Vec<FieldValue>,
}

impl Office {
    /// Records `submission` for `key` with what it says: one obligation, or (a file with a row
    /// per sub-unit) one per row, all in one transaction. Any bad cell refuses the whole file.
    #[allow(clippy::too_many_arguments)]
    pub fn submit(
        &self,
        store: &mut dyn Backend,
        key: &Key<'_>,
        submission: Submission,
        said: &Said,
        at: Instant,
        by: Option<String>,
        note: Option<String>,
    ) -> Result<Submitted, AppError> {
        for path in submission.files.iter().map(|u| &u.path).chain(&said.data) {
            self.refuse_secret(path)?;
        }
        let described = store.describe(key.campaign, key.deliverable)?;
        let submission = Submission {
            review_due_at: self.review_due(&*store, key.campaign, described.review_within, at)?,
            ..submission
        };
        // An instruction is done by its report (a file); what the leader said stays as it was
        // entered, not rewritten by the unit that carries it out.
        if described.ledger.as_ref().is_some_and(|l| l.instructions) && !said.is_empty() {
            return Err(AppError::NoForm {
                deliverable: key.deliverable.to_string(),
            });
        }
        if said.is_empty() {
            if let Some(form) = &described.form {
                self.refuse_locked(&*store, &described, form, key, &[key.unit], at)?;
            }
            let change = self.record(store, key, Action::Submit(submission), at, by, note)?;
            return Ok(Submitted {
                changes: vec![change],
                ..Submitted::default()
            });
        }
        let Some(form) = described.form.clone() else {
            return Err(AppError::NoForm {
                deliverable: key.deliverable.to_string(),
            });
        };
        let period = match key.period {
            Some(p) => Some(p.to_string()),
            None => {
                let periods = store.periods(described.id)?;
                (periods.len() == 1).then(|| periods[0].clone())
            }
        };
        let (rows, warnings) =
            checked_rows(store, &described, &form, key, said, period.as_deref())?;
        let reused = rows
            .iter()
            .flat_map(|r| {
                r.values
                    .iter()
                    .filter(|v| v.reused_from.is_some())
                    .map(|v| (r.unit.clone(), v.field.clone()))
            })
            .collect();
        let units: Vec<&str> = rows.iter().map(|r| r.unit.as_str()).collect();
        self.refuse_locked(&*store, &described, &form, key, &units, at)?;
        let fed = fed_targets(store, key.campaign, &form, &rows, period.as_deref())?;
        let mut actions: Vec<(Key<'_>, Action)> = rows
            .iter()
            .map(|row| {
                let key = Key {
                    unit: &row.unit,
                    ..*key
                };
                let submission = Submission {
                    values: row.values.clone(),
                    ..submission.clone()
                };
                (key, Action::Submit(submission))
            })
            .collect();
        actions.extend(fed.iter().map(|f| {
            let key = Key {
                campaign: key.campaign,
                deliverable: &f.target,
                unit: &f.unit,
                period: Some(&f.period),
            };
            let submission = Submission {
                files: Vec::new(),
                signatures: Vec::new(),
                replace: f.replace,
                values: vec![f.value.clone()],
                review_due_at: None,
            };
            (key, Action::Submit(submission))
        }));
        let meta = self.meta(store, key.campaign, at, by, note)?;
        let changes = store.apply_all(&actions, meta)?;
        Ok(Submitted {
            changes,
            warnings,
            reused,
        })
    }
}

/// A target obligation whose value a submitted field is (`取自 统计表.支出进度`).
struct Fed {
    target: String,
    unit: String,
    period: String,
    value: FieldValue,
    /// It was recorded before (directly, or from an earlier submission of the report).
    replace: bool,
}

/// The target obligations the rows' values feed: for each field that feeds a target, the
/// target's thresholds whose date the submitted period covers, owed by the row's unit and not
/// waived.
fn fed_targets(
    store: &dyn Backend,
    campaign: &str,
    form: &Form,
    rows: &[Row],
    period: Option<&str>,
) -> Result<Vec<Fed>, AppError> {
    let Some(covered) = period.and_then(crate::vocabulary::Period::parse) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for field in form.fields.iter().filter(|f| !f.feeds.is_empty()) {
        for target in &field.feeds {
            let described = store.describe(campaign, target)?;
            for t_period in store.periods(described.id)? {
                let date = crate::vocabulary::Period::parse(&t_period).and_then(|p| p.first_day());
                if !date.is_some_and(|d| covered.covers(d)) {
                    continue;
                }
                let standings = store.standings(described.id, &t_period)?;
                for row in rows {
                    let Some(value) = row.values.iter().find(|v| v.field == field.name) else {
                        continue;
                    };
                    let Some(standing) = standings.iter().find(|s| s.unit == row.unit) else {
                        continue;
                    };
                    if standing.state == "waived" {
                        continue;
                    }
                    out.push(Fed {
                        target: target.clone(),
                        unit: row.unit.clone(),
                        period: t_period.clone(),
                        value: FieldValue {
                            field: target.clone(),
                            number: value.number,
                            text: None,
                            shared: None,
                            reused_from: None,
                        },
                        replace: matches!(standing.state.as_str(), "review" | "received"),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The rows of what was said, each checked; every problem of every row, or the rows.
fn checked_rows(
    store: &dyn Backend,
    described: &Described,
    form: &Form,
    key: &Key<'_>,
    said: &Said,
    period: Option<&str>,
) -> Result<(Vec<Row>, Vec<Warning>), AppError> {
    let mut table = match &said.data {
        Some(path) => table::read(path, said.encoding)?,
        None => table::Table::default(),
    };
    add_values(&mut table, &said.values)?;
    let unit_column = table
        .header
        .iter()
        .position(|h| UNIT_COLUMNS.contains(&h.text.as_str()));
    let mut problems = twice_named(&table);
    for (i, header) in table.header.iter().enumerate() {
        if Some(i) != unit_column && form.field(&header.text).is_none() {
            problems.push(unknown_column(form, header));
        }
    }
    if unit_column.is_none() && table.rows.len() > 1 {
        problems.push(Invalid {
            zh: None,
            field: None,
            at: table.rows[1].0.clone(),
            message: format!(
                "a file of several rows needs a column naming each row's unit ({})",
                UNIT_COLUMNS[..3].join("、")
            ),
        });
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let tree = store.unit_tree(described.campaign_id)?;
    let hierarchy = Hierarchy::new(&tree);
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    for (row_at, cells) in &table.rows {
        let unit = match unit_column {
            Some(c) if !cells[c].text.is_empty() => cells[c].text.clone(),
            _ => key.unit.to_string(),
        };
        let unit_at = unit_column.map_or(row_at.clone(), |c| cells[c].at.clone());
        if let Some(problem) = hierarchy.outside(key.unit, &unit, &unit_at) {
            problems.push(problem);
            continue;
        }
        if let Some(first) = seen.insert(unit.clone(), unit_at.clone()) {
            problems.push(Invalid {
                zh: None,
                field: None,
                at: unit_at,
                message: format!("{unit} has a row already, at {first}"),
            });
            continue;
        }
        let pairs: Vec<(&str, &Cell)> = table
            .header
            .iter()
            .zip(cells)
            .enumerate()
            .filter(|(i, _)| Some(*i) != unit_column)
            .map(|(_, (h, c))| (h.text.as_str(), c))
            .collect();
        let prefilled = shared_values(store, form, &pairs, &unit, period)?;
        match values::check_row(form, &pairs, &prefilled, row_at) {
            Ok(checked) => {
                warnings.extend(checked.warnings);
                rows.push(Row {
                    unit,
                    values: checked.values,
                });
            }
            Err(mut found) => problems.append(&mut found),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    Ok((rows, warnings))
}

/// `--value 字段=值` as one more column of the (single) row.
pub(super) fn add_values(
    table: &mut table::Table,
    pairs: &[(String, String)],
) -> Result<(), AppError> {
    if pairs.is_empty() {
        return Ok(());
    }
    if table.rows.len() > 1 {
        return Err(AppError::Invalid(vec![Invalid {
            zh: None,
            field: None,
            at: "--value".into(),
            message: "--value adds to a file of one row; this file has several".into(),
        }]));
    }
    if table.rows.is_empty() {
        table.rows.push(("--value".into(), Vec::new()));
    }
    for (field, value) in pairs {
        let at = format!("--value {field}={value}");
        let cell = Cell {
            text: value.clone(),
            at: at.clone(),
        };
        match table.header.iter().position(|h| h.text == *field) {
            Some(i) => table.rows[0].1[i] = cell,
            None => {
                table.header.push(Cell {
                    text: field.clone(),
                    at,
                });
                table.rows[0].1.push(cell);
            }
        }
    }
    Ok(())
}

/// A column named twice (two `立案` columns): which of the two counts would be a guess.
pub(super) fn twice_named(table: &table::Table) -> Vec<Invalid> {
    table
        .header
        .iter()
        .enumerate()
        .filter(|(i, h)| !h.text.is_empty() && table.header[..*i].iter().any(|e| e.text == h.text))
        .map(|(_, h)| Invalid {
            zh: None,
            field: None,
            at: h.at.clone(),
            message: format!("the column `{}` is named twice", h.text),
        })
        .collect()
}

pub(super) fn unknown_column(form: &Form, header: &Cell) -> Invalid {
    if !header.text.is_empty() {
        return values::unknown_field(form, &header.text, &header.at);
    }
    let all: Vec<&str> = form.fields.iter().map(|f| f.name.as_str()).collect();
    Invalid {
        zh: None,
        field: None,
        at: header.at.clone(),
        message: format!(
            "a value in a column without a header; its fields are {}",
            all.join("、")
        ),
    }
}

/// The values of shared fields the row leaves empty that the unit reported already (一表通).
fn shared_values(
    store: &dyn Backend,
    form: &Form,
    pairs: &[(&str, &Cell)],
    unit: &str,
    period: Option<&str>,
) -> Result<Vec<FieldValue>, AppError> {
    let Some(period) = period else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for field in &form.fields {
        let Some(key) = &field.shared else { continue };
        let given = pairs
            .iter()
            .any(|(n, c)| *n == field.name && !c.text.trim().is_empty());
        if given {
            continue;
        }
        if let Some(value) = store.shared_value(&field.name, key, unit, period)? {
            out.push(value);
        }
    }
    Ok(out)
}
