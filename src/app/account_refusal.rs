//! Why an account or token the office asked for cannot be, in English for the command line
//! and in Chinese for the pages.

use super::accounts::SHORTEST_PASSWORD;
use crate::vocabulary::typed;

/// An account or token the office asked for that cannot be: said in English on the command
/// line, in Chinese on the pages ([`AccountRefusal::zh`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AccountRefusal {
    /// A name no account may have.
    #[error("`{name}` cannot be an account name")]
    AccountName {
        /// As given.
        name: String,
    },
    /// A name no token may have (empty, or a number, which `token revoke` reads as one).
    #[error("`{name}` cannot be a token's name: give words, not a number")]
    TokenName {
        /// As given.
        name: String,
    },
    /// A role that acts for a unit, without one.
    #[error("a {role} acts for a unit: give it with --unit")]
    NeedsUnit {
        /// The role, as the store writes it.
        role: &'static str,
    },
    /// A unit whose name is in several campaigns, with no campaign said.
    #[error(
        "{unit} is a unit of {}: say which campaign the account acts in with --campaign",
        campaigns.join(", ")
    )]
    UnitInSeveral {
        /// The unit.
        unit: String,
        /// The campaigns it is in.
        campaigns: Vec<String>,
    },
    /// A unit no campaign has, by a name the directory has twice.
    #[error(
        "the directory has {} units named {unit} (codes {}): give the code with --unit",
        codes.len(),
        codes.join(", ")
    )]
    TwiceInDirectory {
        /// The name.
        unit: String,
        /// Their codes.
        codes: Vec<String>,
    },
    /// A token for a directory unit no campaign has yet.
    #[error("{unit} is in no campaign yet: a token acts in the campaigns its unit is in")]
    NoCampaignYet {
        /// The unit.
        unit: String,
    },
    /// A unit that is none of the campaigns said.
    #[error("{unit} is not a unit of {}", campaigns.join(", "))]
    UnitNotIn {
        /// The unit.
        unit: String,
        /// The campaigns said.
        campaigns: Vec<String>,
    },
    /// An expiry already past, or no days.
    #[error("a token must work for at least a day: give a later date or more days")]
    ExpiresAtOnce,
    /// The office disabling the account it is signed in with.
    #[error("an account cannot disable itself")]
    DisablesItself,
    /// A name longer than names may be.
    #[error(transparent)]
    TooLong(#[from] typed::TooLong),
    /// A name with a character people would not see.
    #[error("{what} holds an invisible control character (U+{code:04X}): remove it and try again")]
    Hidden {
        /// Which name.
        what: String,
        /// The character.
        code: u32,
    },
    /// A password shorter than passwords may be.
    #[error("a password has at least {SHORTEST_PASSWORD} characters")]
    ShortPassword,
    /// A set-password link already used, or expired.
    #[error("this link was used already or has expired: ask the office for a new one")]
    LinkSpent,
    /// A token's lifetime that is not a number of days.
    #[error("a token's days are a whole number above 0 (or none, for the default)")]
    BadDays,
    /// A token just made that the records do not return.
    #[error("the token {name} was made but cannot be found")]
    TokenLost {
        /// Its name.
        name: String,
    },
    /// The password could not be hashed.
    #[error("the password could not be hashed: {0}")]
    Hash(argon2::password_hash::Error),
}

impl AccountRefusal {
    /// The same, as the pages say it: in Chinese, naming no command-line flag.
    pub fn zh(&self) -> String {
        match self {
            AccountRefusal::AccountName { name } => format!("「{name}」不能用作账号名称"),
            AccountRefusal::TokenName { name } => {
                format!("「{name}」不能用作令牌名称：名称须含文字，不能只是数字")
            }
            AccountRefusal::NeedsUnit { .. } => "该角色代表某个单位办理，请填写单位".to_string(),
            AccountRefusal::UnitInSeveral { unit, campaigns } => format!(
                "「{unit}」是多个专项工作（{}）的单位，请选择该账号办理的专项工作",
                campaigns.join("、")
            ),
            AccountRefusal::TwiceInDirectory { unit, codes } => format!(
                "通讯录中有{}个名为「{unit}」的单位（编码 {}），请填写单位编码",
                codes.len(),
                codes.join("、")
            ),
            AccountRefusal::NoCampaignYet { unit } => {
                format!("「{unit}」尚未参加任何专项工作，令牌无事可办")
            }
            AccountRefusal::UnitNotIn { unit, campaigns } => {
                format!("「{unit}」不是{}的单位", campaigns.join("、"))
            }
            AccountRefusal::ExpiresAtOnce => "令牌至少须有效一天".to_string(),
            AccountRefusal::DisablesItself => "不能停用自己正在使用的账号".to_string(),
            AccountRefusal::TooLong(e) => e.to_string(),
            AccountRefusal::Hidden { what, code } => {
                format!("{what}含有不可见的控制字符（U+{code:04X}），请删去后重试")
            }
            AccountRefusal::ShortPassword => format!("密码至少{SHORTEST_PASSWORD}个字符"),
            AccountRefusal::LinkSpent => {
                "该链接已使用或已过期，请联系督办办公室重新发送".to_string()
            }
            AccountRefusal::BadDays => "有效天数须为正整数，留空则按默认天数".to_string(),
            AccountRefusal::TokenLost { .. } => {
                "令牌已创建，但未能读取，请刷新页面查看".to_string()
            }
            AccountRefusal::Hash(_) => "密码未能保存，请重试".to_string(),
        }
    }
}
