//! The formal documents the overdue ladder issues (督办单: 提醒函, 督办函, 约谈通知书, the 蓝/黄/红
//! 督办单), each numbered in its campaign's own sequence per kind and year (`督办函〔2017〕3号`),
//! as both engines keep them. A letter is issued once per campaign, unit, kind and the day
//! its rung falls on: a pass that runs again, on this node or another, gets the letter already
//! issued — never a second number for the same escalation.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::StoreError;
use crate::language::letters::LetterKind;

/// One obligation a letter is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterItem {
    /// The report's name.
    pub deliverable: String,
    /// Its title, where the campaign gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its period (`""` for a one-off).
    #[serde(default)]
    pub period: String,
    /// The deadline in force.
    pub due_date: String,
}

/// A letter to issue.
#[derive(Clone, Debug)]
pub struct NewLetter<'a> {
    /// The campaign's row.
    pub campaign_id: i64,
    /// The late unit it is addressed to.
    pub unit: &'a str,
    /// Its kind.
    pub kind: LetterKind,
    /// The day its rung falls on, when it is issued (its year numbers it).
    pub day: NaiveDate,
    /// When (unix seconds).
    pub issued_at: i64,
    /// What it is about.
    pub items: &'a [LetterItem],
}

/// A letter issued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Letter {
    /// Its row.
    pub id: i64,
    /// The campaign's key.
    pub campaign: String,
    /// The campaign's title.
    pub campaign_title: Option<String>,
    /// Who issues it: the campaign's 发文单位, else its office.
    pub issuer: Option<String>,
    /// The unit it is addressed to.
    pub unit: String,
    /// Its kind.
    pub kind: LetterKind,
    /// Its year and number in the campaign's sequence of its kind.
    pub year: i32,
    /// Its number.
    pub number: i64,
    /// The local day it was issued (`2017-05-28`).
    pub day: String,
    /// When (unix seconds).
    pub issued_at: i64,
    /// What it is about.
    pub items: Vec<LetterItem>,
}

impl Letter {
    /// Its 文号: `督办函〔2017〕3号`.
    pub fn number_text(&self) -> String {
        format!("{}〔{}〕{}号", self.kind.zh(), self.year, self.number)
    }
}

/// Issuing and reading letters.
pub trait Letters {
    /// Issues `letter`, numbered next in its campaign's sequence of its kind and year — or, if
    /// the campaign issued the unit a letter of that kind for that day already, that one.
    fn issue_letter(&mut self, letter: &NewLetter<'_>) -> Result<Letter, StoreError>;
    /// Every letter issued to the unit named `unit`, in any campaign, newest first.
    fn letters_of(&self, unit: &str) -> Result<Vec<Letter>, StoreError>;
}

/// The columns of a [`Letter`]: id, campaign key, title, issuer, unit, kind, year, number,
/// day, issued_at, items.
pub(super) const COLUMNS: &str = "l.id, c.key, c.title, coalesce(c.issuer, c.office), l.unit,
    l.kind, l.year, l.number, l.day, l.issued_at, l.items
    FROM letters l JOIN campaigns c ON c.id = l.campaign_id";

/// The letter of campaign `$1`, unit `$2`, kind `$3`, day `$4`, if issued.
pub(super) static ISSUED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {COLUMNS} WHERE l.campaign_id = $1 AND l.unit = $2 AND l.kind = $3 AND l.day = $4"
    )
});

/// The letters of unit `$1`, newest first.
pub(super) static OF_UNIT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("SELECT {COLUMNS} WHERE l.unit = $1 ORDER BY l.issued_at DESC, l.id DESC")
});

/// The next number of campaign `$1`'s letters of kind `$2` in year `$3`.
pub(super) const NEXT: &str = "SELECT coalesce(max(number), 0) + 1 FROM letters
    WHERE campaign_id = $1 AND kind = $2 AND year = $3";

/// Writes a letter: campaign, unit, kind, year, number, day, issued_at, items.
pub(super) const INSERT: &str = "INSERT INTO letters
    (campaign_id, unit, kind, year, number, day, issued_at, items)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// A letter from its columns as [`COLUMNS`] reads them (the kind and the items as stored).
#[allow(clippy::too_many_arguments)]
pub(super) fn letter(
    (id, campaign, campaign_title, issuer): (i64, String, Option<String>, Option<String>),
    unit: String,
    kind: &str,
    year: i64,
    number: i64,
    day: String,
    issued_at: i64,
    items: &str,
) -> Result<Letter, StoreError> {
    let kind = LetterKind::from_word(kind).ok_or_else(|| StoreError::Decode {
        message: format!("`{kind}` is not a kind of letter"),
    })?;
    Ok(Letter {
        id,
        campaign,
        campaign_title,
        issuer,
        unit,
        kind,
        year: i32::try_from(year).unwrap_or_default(),
        number,
        day,
        issued_at,
        items: super::decode::json(items)?,
    })
}

/// Its items as the store keeps them (JSON).
pub(super) fn items_json(items: &[LetterItem]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}
