//! A checked form: the fields a report carries, each with its type and its rule, and the checks
//! between them. What the checker makes of a `form { … }` block, what the store keeps with each
//! deliverable (as JSON: it describes values, it holds none), and what a submission's values are
//! validated against.

use serde::{Deserialize, Serialize};

/// A form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Form {
    /// Its name (`统计表`).
    pub name: String,
    /// Its title (`附件3 统计表`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its fields, in the order of the form's columns.
    pub fields: Vec<Field>,
    /// Checks between fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// How long after its deadline (an extension's, if granted) a submission may still come
    /// in; none: it may come in any time (DHIS2's expiry days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<crate::vocabulary::Duration>,
}

impl Form {
    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The fields that add up (numbers), in order.
    pub fn numeric(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.kind.is_numeric())
    }
}

/// The leader who gave an instruction (批示), a field of every row of an `instructions` ledger.
pub const INSTRUCTION_LEADER: &str = "批示领导";
/// What the instruction says.
pub const INSTRUCTION_TEXT: &str = "批示内容";
/// What it was given on: the campaign, a unit, or one of its obligations.
pub const INSTRUCTION_ABOUT: &str = "批示对象";
/// The day the leader wrote it, where it is not the day it was entered.
pub const INSTRUCTION_DATE: &str = "批示日期";

/// The fields every row of an `instructions` (`批示`) ledger carries before its declared ones:
/// who instructed, what, on what, and when.
pub fn instruction_fields() -> Vec<Field> {
    let field = |name: &str, kind: FieldType, optional: bool| Field {
        name: name.to_string(),
        kind,
        measure: None,
        optional,
        shared: None,
        min: None,
        max: None,
        total: Some(Total::None),
        feeds: Vec::new(),
    };
    vec![
        field(INSTRUCTION_LEADER, FieldType::Text, false),
        field(INSTRUCTION_TEXT, FieldType::Text, false),
        field(INSTRUCTION_ABOUT, FieldType::Text, true),
        field(INSTRUCTION_DATE, FieldType::Date, true),
    ]
}

/// One field of a form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// Its name: the column header.
    pub name: String,
    /// Its type.
    pub kind: FieldType,
    /// What it counts (`件`, `万元`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<String>,
    /// May be left empty.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// The key under which it is reported once for every form that shares it (一表通).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<String>,
    /// Smallest value allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest value allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// How it adds up the hierarchy, when not as its type does (counts sum, percentages average).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Total>,
    /// The targets whose value this field is (`取自 统计表.支出进度`): a submission's value is
    /// recorded for each of them as well.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feeds: Vec<String>,
}

/// How a numeric field adds up the unit hierarchy (DHIS2's aggregation type).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Total {
    /// The units' numbers added (件, 人, 万元).
    Sum,
    /// Their mean (a rate each unit has its own of: 40% and 60% make 50%).
    Average,
    /// Not added: each unit's own figure, none above it (a ranking, a code).
    None,
}

impl Field {
    /// How it adds up: as written, or by its type (a percentage averages, the rest sum).
    pub fn total(&self) -> Total {
        self.total.unwrap_or(if self.kind == FieldType::Percent {
            Total::Average
        } else {
            Total::Sum
        })
    }

    /// The rule a value must follow, as an error message states it: `整数（件），≥ 0`.
    pub fn rule(&self) -> String {
        let mut rule = self.kind.describe();
        if let Some(measure) = &self.measure {
            rule.push_str(&format!("（{measure}）"));
        }
        match (self.min, self.max) {
            (Some(min), Some(max)) => rule.push_str(&format!(", {} to {}", num(min), num(max))),
            (Some(min), None) => rule.push_str(&format!(", at least {}", num(min))),
            (None, Some(max)) => rule.push_str(&format!(", at most {}", num(max))),
            (None, None) => {}
        }
        if !self.optional {
            rule.push_str(", required");
        }
        rule
    }
}

impl Field {
    /// [`Field::rule`] as the pages say it: `整数（件），不小于0，必填`.
    pub fn rule_zh(&self) -> String {
        let mut rule = self.kind.describe_zh();
        if let Some(measure) = &self.measure {
            rule.push_str(&format!("（{measure}）"));
        }
        match (self.min, self.max) {
            (Some(min), Some(max)) => rule.push_str(&format!("，{}至{}", num(min), num(max))),
            (Some(min), None) => rule.push_str(&format!("，不小于{}", num(min))),
            (None, Some(max)) => rule.push_str(&format!("，不大于{}", num(max))),
            (None, None) => {}
        }
        if !self.optional {
            rule.push_str("，必填");
        }
        rule
    }
}

/// `12`, `12.5`: a bound as people write it.
pub fn num(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// The type of a field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "choices")]
pub enum FieldType {
    /// A whole number.
    Integer,
    /// A number with decimals.
    Decimal,
    /// A sum of money, with decimals.
    Amount,
    /// A percentage (`12` or `12%` is 12).
    Percent,
    /// A calendar day.
    Date,
    /// Free text.
    Text,
    /// One of these choices.
    OneOf(Vec<String>),
}

impl FieldType {
    /// Whether values of it add up.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            FieldType::Integer | FieldType::Decimal | FieldType::Amount | FieldType::Percent
        )
    }

    /// [`FieldType::describe`] in Chinese.
    pub fn describe_zh(&self) -> String {
        match self {
            FieldType::Integer => "整数".into(),
            FieldType::Decimal => "数字".into(),
            FieldType::Amount => "金额".into(),
            FieldType::Percent => "百分比".into(),
            FieldType::Date => "日期（年-月-日）".into(),
            FieldType::Text => "文字".into(),
            FieldType::OneOf(choices) => format!("以下之一：{}", choices.join("、")),
        }
    }

    /// `integer`, `one of 是|否`.
    pub fn describe(&self) -> String {
        match self {
            FieldType::Integer => "a whole number".into(),
            FieldType::Decimal => "a number".into(),
            FieldType::Amount => "an amount".into(),
            FieldType::Percent => "a percentage".into(),
            FieldType::Date => "a date (YYYY-MM-DD)".into(),
            FieldType::Text => "text".into(),
            FieldType::OneOf(choices) => format!("one of {}", choices.join("|")),
        }
    }
}

/// A check between fields: `left compare right`, else `message`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// The left side: a sum of terms.
    pub left: Vec<Term>,
    /// The comparison.
    pub compare: Compare,
    /// The right side.
    pub right: Vec<Term>,
    /// The message the office wants shown; the check as written when it gave none.
    pub message: String,
    /// A warning is shown and recorded, and does not refuse the submission.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub warning: bool,
}

/// A term of a sum: a field's value or a number, added or subtracted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// Subtracted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub minus: bool,
    /// A field's name, or `None` for the number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The number, when `field` is `None`.
    #[serde(default)]
    pub number: f64,
}

/// How two sums compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// `<=`
    AtMost,
    /// `>=`
    AtLeast,
    /// `<`
    Less,
    /// `>`
    Greater,
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
}

impl Compare {
    /// The comparison written as `text`.
    pub fn parse(text: &str) -> Option<Compare> {
        Some(match text {
            "<=" | "≤" => Compare::AtMost,
            ">=" | "≥" => Compare::AtLeast,
            "<" => Compare::Less,
            ">" => Compare::Greater,
            "=" | "==" => Compare::Equal,
            "!=" | "≠" => Compare::NotEqual,
            _ => return None,
        })
    }

    /// Whether `left` and `right` compare so. Equality allows for the rounding of decimals.
    pub fn holds(self, left: f64, right: f64) -> bool {
        let close = (left - right).abs() <= 1e-9 * left.abs().max(right.abs()).max(1.0);
        match self {
            Compare::AtMost => left <= right || close,
            Compare::AtLeast => left >= right || close,
            Compare::Less => left < right && !close,
            Compare::Greater => left > right && !close,
            Compare::Equal => close,
            Compare::NotEqual => !close,
        }
    }
}
