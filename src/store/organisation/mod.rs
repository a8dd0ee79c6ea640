//! The organisation's directory (组织机构 and 通讯录): units with an identity that outlives
//! their names — a code the office gives, or one made up once and kept — a parent, a kind or
//! level (市/县/乡镇/村, 部门) and contacts, kept by the office for every campaign to come. A
//! rename or a move keeps the unit and its history; a unit is retired, never deleted.
//!
//! What an import changes is worked out in pure code both engines share (`plan.rs`): each
//! engine reads the directory as it is, asks [`plan`] what the office's rows make of it, and
//! writes the plan in the same transaction.

mod plan;

pub use plan::plan;

/// A person to reach at a unit.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrgContact {
    /// What they are to the unit: `联系人`, `负责人`.
    pub role: String,
    /// Their name.
    pub name: String,
    /// Their phone, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Their mailbox, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A unit of the directory, as kept.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OrgUnit {
    /// The records' number for it.
    #[serde(skip)]
    pub id: i64,
    /// Its code: the office's, or one made up when it was first imported (`U000123`).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its parent's code.
    pub parent: Option<String>,
    /// Its kind or level: `县`, `乡镇`, `村`, `部门` …
    pub kind: Option<String>,
    /// The unit's own mailbox and phone.
    pub email: Option<String>,
    /// The unit's own phone.
    pub phone: Option<String>,
    /// Its people.
    pub contacts: Vec<OrgContact>,
    /// When it was retired (unix seconds), if it was.
    pub retired_at: Option<i64>,
}

/// Where a row says its unit sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parent {
    /// At the top (or the row does not say).
    Top,
    /// Under the unit with this code or, failing that, this name.
    Named(String),
    /// At the end of this path of names from the top, as a sheet's level columns give it
    /// (县区, 乡镇, 村): each with the kind of its column. Units on the path that the
    /// directory does not have are added.
    Path(Vec<(String, Option<String>)>),
}

/// A row of the office's spreadsheet, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgRow {
    /// Where it is, for messages (`通讯录.xlsx:Sheet1!3`).
    pub at: String,
    /// The unit's code, if the sheet has one.
    pub code: Option<String>,
    /// The unit's name.
    pub name: String,
    /// Where it sits.
    pub parent: Parent,
    /// Its kind or level.
    pub kind: Option<String>,
    /// The unit's mailbox.
    pub email: Option<String>,
    /// The unit's phone.
    pub phone: Option<String>,
    /// Its people (empty: the ones kept are kept).
    pub contacts: Vec<OrgContact>,
}

/// Why a row cannot be taken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OrgRowError {
    /// The parent it names is nowhere.
    #[error("{at}: 上级单位 `{parent}` is neither in the file nor in the directory{}", nearest.as_ref().map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default())]
    UnknownParent {
        /// The row.
        at: String,
        /// The name or code given.
        parent: String,
        /// The nearest name there is.
        nearest: Option<String>,
    },
    /// The parent's name is more than one unit's.
    #[error("{at}: 上级单位 `{parent}` is more than one unit ({}): name it by its code", codes.join("、"))]
    AmbiguousParent {
        /// The row.
        at: String,
        /// The name given.
        parent: String,
        /// The units' codes.
        codes: Vec<String>,
    },
    /// Units that are each other's parents.
    #[error("{at}: `{name}` would be under itself (its 上级单位 leads back to it)")]
    Cycle {
        /// The row.
        at: String,
        /// The unit.
        name: String,
    },
    /// A mailbox that is not one.
    #[error("{at}: `{email}` is not a mail address")]
    BadEmail {
        /// The row.
        at: String,
        /// As written.
        email: String,
    },
    /// A row that holds something but names no unit.
    #[error("{at}: this row names no unit (its 单位名称, or its level columns, are empty)")]
    NoName {
        /// The row.
        at: String,
    },
    /// One code for two different rows.
    #[error("{at}: code `{code}` is already the code of row {first}")]
    RepeatedCode {
        /// The row.
        at: String,
        /// The code.
        code: String,
        /// The first row with it.
        first: String,
    },
}

impl OrgRowError {
    /// The row it is about, as the file names it.
    pub fn at(&self) -> &str {
        match self {
            OrgRowError::UnknownParent { at, .. }
            | OrgRowError::AmbiguousParent { at, .. }
            | OrgRowError::Cycle { at, .. }
            | OrgRowError::BadEmail { at, .. }
            | OrgRowError::NoName { at }
            | OrgRowError::RepeatedCode { at, .. } => at,
        }
    }

    /// What is wrong, as a page says it to the office (the row as the file names it).
    pub fn zh(&self) -> String {
        match self {
            OrgRowError::UnknownParent {
                at,
                parent,
                nearest,
            } => format!(
                "{at}：上级单位「{parent}」既不在表中，也不在通讯录中{}",
                nearest
                    .as_ref()
                    .map(|n| format!("（是否为「{n}」？）"))
                    .unwrap_or_default()
            ),
            OrgRowError::AmbiguousParent { at, parent, codes } => format!(
                "{at}：名为「{parent}」的上级单位不止一个（编码 {}），请写上级单位的编码",
                codes.join("、")
            ),
            OrgRowError::Cycle { at, name } => {
                format!("{at}：「{name}」的上级单位最终又回到它自己")
            }
            OrgRowError::BadEmail { at, email } => format!("{at}：「{email}」不是有效的邮箱地址"),
            OrgRowError::NoName { at } => format!("{at}：这一行没有单位名称"),
            OrgRowError::RepeatedCode { at, code, first } => {
                format!("{at}：编码「{code}」已是第 {first} 行的编码")
            }
        }
    }
}

/// A unit the import adds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOrgUnit {
    /// Its code (given, or made up).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its parent: a unit already kept (by id) or one added before it (by its place in
    /// [`OrgPlan::added`]).
    pub parent: Option<ParentId>,
    /// Its kind.
    pub kind: Option<String>,
    /// Its mailbox.
    pub email: Option<String>,
    /// Its phone.
    pub phone: Option<String>,
    /// Its people.
    pub contacts: Vec<OrgContact>,
}

/// A parent in a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParentId {
    /// A unit the directory has.
    Kept(i64),
    /// The unit added at this place in the plan.
    Added(usize),
}

/// What changes in a unit the directory has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgChange {
    /// The unit.
    pub id: i64,
    /// Its code.
    pub code: String,
    /// As it becomes.
    pub name: String,
    /// Its parent as it becomes.
    pub parent: Option<ParentId>,
    /// Its kind as it becomes.
    pub kind: Option<String>,
    /// Its mailbox as it becomes.
    pub email: Option<String>,
    /// Its phone as it becomes.
    pub phone: Option<String>,
    /// Its people as they become.
    pub contacts: Vec<OrgContact>,
    /// What changed, for its history: `name`, `parent`, `kind`, `contacts`.
    pub what: Vec<&'static str>,
    /// Its name before, when it changes (a rename keeps the unit).
    pub was: Option<String>,
}

/// What an import does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgPlan {
    /// Units added, parents before children.
    pub added: Vec<NewOrgUnit>,
    /// Units changed.
    pub changed: Vec<OrgChange>,
    /// Units the rows name that stay as they are.
    pub unchanged: usize,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct OrgReport {
    /// Units added.
    pub added: usize,
    /// Units changed (renamed, moved, their kind or people).
    pub changed: usize,
    /// Units the file names that were already as it says.
    pub unchanged: usize,
    /// Units renamed: (code, from, to).
    pub renamed: Vec<(String, String, String)>,
}

impl OrgPlan {
    /// What the plan does, as told.
    pub fn report(&self) -> OrgReport {
        OrgReport {
            added: self.added.len(),
            changed: self.changed.len(),
            unchanged: self.unchanged,
            renamed: self
                .changed
                .iter()
                .filter_map(|c| {
                    c.was
                        .as_ref()
                        .map(|was| (c.code.clone(), was.clone(), c.name.clone()))
                })
                .collect(),
        }
    }
}

/// The units a campaign may take from the directory (those not retired), as the language
/// reads them: the liaison is the unit's 联系人, the leader its 负责人.
pub fn entries(units: &[OrgUnit]) -> Vec<crate::language::directory::DirEntry> {
    units
        .iter()
        .filter(|u| u.retired_at.is_none())
        .map(|u| {
            let person = |role: &str| u.contacts.iter().find(|c| c.role == role);
            crate::language::directory::DirEntry {
                code: u.code.clone(),
                name: u.name.clone(),
                parent: u.parent.clone(),
                kind: u.kind.clone(),
                email: u.email.clone(),
                phone: u.phone.clone(),
                liaison: person("联系人")
                    .map(|c| (c.name.clone(), c.phone.clone(), c.email.clone())),
                leader: person("负责人").map(|c| (c.name.clone(), c.phone.clone())),
            }
        })
        .collect()
}

/// A digest of what campaigns read of the directory: a campaign that takes units from it is
/// synced again when it changes.
pub fn digest(entries: &[crate::language::directory::DirEntry]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(format!("{entries:?}").as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why an import of the directory was not taken.
#[derive(Debug, thiserror::Error)]
pub enum OrgImportError {
    /// Rows that cannot be taken: none was.
    #[error("{} row(s) cannot be taken; nothing was imported", .0.len())]
    Rows(Vec<OrgRowError>),
    /// The records could not be read or written.
    #[error(transparent)]
    Store(#[from] super::StoreError),
}

/// Every unit, as [`OrgUnit`]'s columns: id, code, name, parent's code, kind, email, phone,
/// contacts (JSON), retired_at.
pub(super) const UNITS: &str = "SELECT u.id, u.code, u.name, p.code, u.kind, u.email, u.phone,
        u.contacts, u.retired_at
    FROM org_units u LEFT JOIN org_units p ON p.id = u.parent_id ORDER BY u.id";

/// A unit's people as kept.
pub(super) fn contacts_json(contacts: &[OrgContact]) -> String {
    serde_json::to_string(contacts).unwrap_or_else(|_| "[]".into())
}

/// A unit's people from what is kept; a value that is not theirs is none.
pub(super) fn contacts_of(json: &str) -> Vec<OrgContact> {
    serde_json::from_str(json).unwrap_or_default()
}

/// What a change writes in the unit's history.
pub(super) fn change_data(c: &OrgChange) -> String {
    serde_json::json!({ "what": c.what, "was": c.was, "name": c.name }).to_string()
}
