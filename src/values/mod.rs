//! What a submission says: the values of its form's fields, read from the cells of a
//! spreadsheet (or `--value 字段=值`), each checked against its field's rule, and the checks
//! between fields. Pure: cells in, typed values or every reason they are wrong out, each named
//! by the cell it came from. [`table`] reads the cells from CSV (UTF-8 or GBK), .xlsx and JSON.

pub mod sheet;
pub mod table;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::language::form::{Check, Field, FieldType, Form, num};
pub use table::{Cell, Table, TableError};

/// The value of one field, typed: a number for the fields that add up, text for the others
/// (a date as `YYYY-MM-DD`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldValue {
    /// The field's name.
    pub field: String,
    /// Its number, for integer, decimal, amount and percent fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<f64>,
    /// Its text, for date, text and one-of fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The shared key it is reported under (一表通), if the field is shared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<String>,
    /// The submission (its event) it was taken from, when the unit reported it for another
    /// form that shares the field (一表通) rather than entering it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_from: Option<i64>,
}

impl FieldValue {
    /// The value as people read it: `12`, `3.5`, `是`.
    pub fn display(&self) -> String {
        match (&self.number, &self.text) {
            (Some(n), _) => num(*n),
            (None, Some(t)) => t.clone(),
            (None, None) => String::new(),
        }
    }
}

/// A cell that does not fit its field, or a row whose fields do not fit together.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct Invalid {
    /// Where: `统计表.csv:3:2`, `统计表.xlsx:Sheet1!B3`, `--value 立案=abc`.
    pub at: String,
    /// What is wrong, with the rule it breaks.
    pub message: String,
    /// The field whose value it is, when it is one field's (a form shows it beside it).
    pub field: Option<String>,
    /// The same in Chinese, as the pages say it, where it is said (else `message`).
    pub zh: Option<String>,
}

impl Invalid {
    /// What is wrong as the pages say it.
    pub fn zh(&self) -> &str {
        self.zh.as_deref().unwrap_or(&self.message)
    }
}

/// A check between fields that failed but only warns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The row it concerns.
    pub at: String,
    /// The form's message.
    pub message: String,
}

/// One row's values, checked: the values, and the warnings of its warning checks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checked {
    /// The fields given, in the form's order.
    pub values: Vec<FieldValue>,
    /// Checks marked `warning` that the row fails.
    pub warnings: Vec<Warning>,
}

/// Checks one row: `cells` are (field name, cell) pairs. Every field must be the form's; every
/// required field must be there unless `prefilled` (一表通) has it; each value must fit its
/// field; then the form's checks run over the numbers. `row_at` names the row in messages about
/// the whole row. Returns every problem of the row, not only the first.
pub fn check_row(
    form: &Form,
    cells: &[(&str, &Cell)],
    prefilled: &[FieldValue],
    row_at: &str,
) -> Result<Checked, Vec<Invalid>> {
    let mut problems = Vec::new();
    let mut values: Vec<FieldValue> = Vec::new();
    let mut failed: Vec<&str> = Vec::new();
    for (name, cell) in cells {
        let Some(field) = form.field(name) else {
            problems.push(unknown_field(form, name, &cell.at));
            continue;
        };
        match parse(field, &cell.text) {
            Ok(Some(value)) => values.push(value),
            Ok(None) => {}
            Err(why) => {
                failed.push(name);
                problems.push(Invalid {
                    field: Some(field.name.clone()),
                    at: cell.at.clone(),
                    message: format!(
                        "{}: `{}` {why} (the field is {})",
                        field.name,
                        cell.text.trim(),
                        field.rule()
                    ),
                    zh: Some(format!(
                        "「{}」{}（本栏应填{}）",
                        cell.text.trim(),
                        why.zh(),
                        field.rule_zh()
                    )),
                });
            }
        }
    }
    let mut ordered = Vec::new();
    for field in &form.fields {
        let given = values.iter().find(|v| v.field == field.name);
        let value = given.or_else(|| prefilled.iter().find(|v| v.field == field.name));
        if let Some(value) = value {
            ordered.push(value.clone());
            continue;
        }
        if field.optional || failed.contains(&field.name.as_str()) {
            continue;
        }
        let (at, what) = match cells.iter().find(|(n, _)| *n == field.name) {
            Some((_, cell)) => (cell.at.clone(), "empty"),
            None => (row_at.to_string(), "missing"),
        };
        problems.push(Invalid {
            field: Some(field.name.clone()),
            at,
            message: format!("{}: {what} (the field is {})", field.name, field.rule()),
            zh: Some(format!("必填，未填写（本栏应填{}）", field.rule_zh())),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut warnings = Vec::new();
    for check in &form.checks {
        if holds(check, &ordered) == Some(false) {
            if check.warning {
                warnings.push(Warning {
                    at: row_at.to_string(),
                    message: check.message.clone(),
                });
            } else {
                problems.push(Invalid {
                    field: None,
                    at: row_at.to_string(),
                    message: format!("{} (check: {})", check.message, describe(check)),
                    // The form's own message, in the office's words.
                    zh: Some(check.message.clone()),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(Checked {
            values: ordered,
            warnings,
        })
    } else {
        Err(problems)
    }
}

/// `` `立案件` is not a field of form 统计表; did you mean `立案`? `` at `at`.
pub fn unknown_field(form: &Form, name: &str, at: &str) -> Invalid {
    let names = form.fields.iter().map(|f| f.name.as_str());
    let hint = crate::language::suggest::nearest(name, names)
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_else(|| {
            let all: Vec<&str> = form.fields.iter().map(|f| f.name.as_str()).collect();
            format!("; its fields are {}", all.join("、"))
        });
    Invalid {
        field: None,
        at: at.to_string(),
        message: format!("`{name}` is not a field of form {}{hint}", form.name),
        zh: Some(format!("「{name}」不是表单「{}」的栏目", form.name)),
    }
}

/// Whether a check holds over `values`; `None` when a field it names has no value (an empty
/// optional field: nothing to compare).
pub fn holds(check: &Check, values: &[FieldValue]) -> Option<bool> {
    let sum = |terms: &[crate::language::form::Term]| -> Option<f64> {
        let mut total = 0.0;
        for term in terms {
            let n = match &term.field {
                Some(field) => values.iter().find(|v| &v.field == field)?.number?,
                None => term.number,
            };
            total += if term.minus { -n } else { n };
        }
        Some(total)
    };
    Some(check.compare.holds(sum(&check.left)?, sum(&check.right)?))
}

/// `查处问题数 <= 中省市转办线索数 + 自查自纠问题线索数`
pub fn describe(check: &Check) -> String {
    let side = |terms: &[crate::language::form::Term]| -> String {
        let mut out = String::new();
        for (i, t) in terms.iter().enumerate() {
            if i > 0 || t.minus {
                out.push_str(if t.minus { " - " } else { " + " });
            }
            match &t.field {
                Some(f) => out.push_str(f),
                None => out.push_str(&num(t.number)),
            }
        }
        out.trim_start_matches(" + ").to_string()
    };
    let op = match check.compare {
        crate::language::form::Compare::AtMost => "<=",
        crate::language::form::Compare::AtLeast => ">=",
        crate::language::form::Compare::Less => "<",
        crate::language::form::Compare::Greater => ">",
        crate::language::form::Compare::Equal => "=",
        crate::language::form::Compare::NotEqual => "!=",
    };
    format!("{} {op} {}", side(&check.left), side(&check.right))
}

/// Why a cell's text does not fit its field; shown after the cell's text (`` `abc` is not a
/// whole number ``).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Misfit {
    /// Text longer than a value may be.
    #[error("is longer than {max} characters")]
    TooLong {
        /// The most characters a value may have.
        max: usize,
    },
    /// Not one of a one-of field's choices.
    #[error("is not one of {}", .choices.join("|"))]
    NotAChoice {
        /// The field's choices.
        choices: Vec<String>,
    },
    /// Not a date.
    #[error("is not a date")]
    NotADate,
    /// Not a number of the field's kind.
    #[error("is not {kind}")]
    NotANumber {
        /// What the field holds (`a whole number`, `an amount` …).
        kind: String,
    },
    /// A number with a fraction in a whole-number field.
    #[error("is not a whole number")]
    NotWhole,
    /// Below the field's least value.
    #[error("is below {}", num(*.min))]
    Below {
        /// The least value.
        min: f64,
    },
    /// Above the field's greatest value.
    #[error("is above {}", num(*.max))]
    Above {
        /// The greatest value.
        max: f64,
    },
}

impl Misfit {
    /// The same as the pages say it, after the cell's text (`` `三` 不是整数 ``).
    pub fn zh(&self) -> String {
        match self {
            Misfit::TooLong { max } => format!("超过{max}个字符"),
            Misfit::NotAChoice { choices } => format!("不是以下之一：{}", choices.join("、")),
            Misfit::NotADate => "不是日期（请写成2017-05-24）".into(),
            Misfit::NotANumber { .. } => "不是数字".into(),
            Misfit::NotWhole => "不是整数".into(),
            Misfit::Below { min } => format!("小于{}", num(*min)),
            Misfit::Above { max } => format!("大于{}", num(*max)),
        }
    }
}

/// The value of `text` for `field`: `None` for an empty cell, or why it does not fit.
pub fn parse(field: &Field, text: &str) -> Result<Option<FieldValue>, Misfit> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value = |number: Option<f64>, text: Option<String>| FieldValue {
        field: field.name.clone(),
        number,
        text,
        shared: field.shared.clone(),
        reused_from: None,
    };
    match &field.kind {
        FieldType::Text => {
            let max = crate::vocabulary::typed::VALUE_MAX;
            if crate::vocabulary::typed::within(&field.name, text, max).is_err() {
                return Err(Misfit::TooLong { max });
            }
            Ok(Some(value(None, Some(text.to_string()))))
        }
        FieldType::OneOf(choices) => {
            if choices.iter().any(|c| c == text) {
                Ok(Some(value(None, Some(text.to_string()))))
            } else {
                Err(Misfit::NotAChoice {
                    choices: choices.clone(),
                })
            }
        }
        FieldType::Date => parse_date(text)
            .map(|d| Some(value(None, Some(d.to_string()))))
            .ok_or(Misfit::NotADate),
        kind => {
            let n = number(field, kind, text)?;
            if let Some(min) = field.min
                && n < min
            {
                return Err(Misfit::Below { min });
            }
            if let Some(max) = field.max
                && n > max
            {
                return Err(Misfit::Above { max });
            }
            Ok(Some(value(Some(n), None)))
        }
    }
}

/// A number as offices write it: `1,234`, `１２`, `12%`, `3.5万元`.
fn number(field: &Field, kind: &FieldType, text: &str) -> Result<f64, Misfit> {
    let mut s: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{3000}'))
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '－' => '-',
            '％' => '%',
            other => other,
        })
        .collect();
    if let Some(measure) = &field.measure
        && let Some(rest) = s.strip_suffix(measure.as_str())
    {
        s = rest.to_string();
    }
    if *kind == FieldType::Percent
        && let Some(rest) = s.strip_suffix('%')
    {
        s = rest.to_string();
    }
    let digits = s.strip_prefix('-').unwrap_or(&s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let well_formed = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && (fraction.is_empty() != digits.contains('.'));
    let not_a_number = || Misfit::NotANumber {
        kind: kind.describe(),
    };
    if !well_formed {
        return Err(not_a_number());
    }
    if *kind == FieldType::Integer && !fraction.bytes().all(|b| b == b'0') {
        return Err(Misfit::NotWhole);
    }
    s.parse::<f64>().map_err(|_| not_a_number())
}

/// `2017-05-03`, `2017/5/3`, `2017.5.3`, `2017年5月3日`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let normalized: String = text
        .trim_end_matches(['日', '号'])
        .chars()
        .map(|c| {
            if matches!(c, '/' | '.' | '年' | '月') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let mut parts = normalized.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests;
