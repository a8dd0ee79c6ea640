//! The people who sign in to the web pages, and their sessions: the statements both engines
//! run, each in its own folder. Secrets are never stored as given: a password as its argon2id
//! hash (made above, in the application layer), a one-time link and a session cookie as their
//! SHA-256.

use serde::Serialize;

use super::{Refusal, StoreError};
use crate::language::campaign::Contact;

/// What a person may do, besides seeing their own unit.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A unit's liaison (联络员): reports for the unit.
    Liaison,
    /// A unit's leader (分管领导).
    Leader,
    /// A reviewing unit (驻村组): decides on the units it reviews.
    Reviewer,
    /// A supervising office: sees the board of every unit.
    Supervisor,
    /// The office that runs the campaigns: everything.
    Office,
}

impl Role {
    /// As the store writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Liaison => "liaison",
            Role::Leader => "leader",
            Role::Reviewer => "reviewer",
            Role::Supervisor => "supervisor",
            Role::Office => "office",
        }
    }

    /// `liaison`, `leader`, `reviewer`, `supervisor` or `office`.
    pub fn parse(text: &str) -> Option<Role> {
        Some(match text {
            "liaison" => Role::Liaison,
            "leader" => Role::Leader,
            "reviewer" => Role::Reviewer,
            "supervisor" => Role::Supervisor,
            "office" => Role::Office,
            _ => return None,
        })
    }

    /// Whether it sees every unit (the board).
    pub fn sees_all(self) -> bool {
        matches!(self, Role::Supervisor | Role::Office)
    }
}

/// A person's account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    /// The name they sign in with.
    pub name: String,
    /// The unit they act for (none for an office-wide account).
    pub unit: Option<String>,
    /// What they may do.
    pub role: Role,
    /// Their password's argon2id hash, once set.
    #[serde(skip)]
    pub password: Option<String>,
    /// When the office disabled the account (unix seconds): it cannot sign in, and its sessions
    /// have ended. None: it is enabled.
    pub disabled_at: Option<i64>,
    /// When they last signed in (unix seconds), if ever.
    pub last_sign_in_at: Option<i64>,
    /// The campaigns the account acts in (their keys); none: every campaign in the records,
    /// as an account of the office that keeps them (unless it is of a directory unit). Two
    /// offices in one database each bind theirs, so that neither sees the other's.
    pub campaigns: Vec<String>,
    /// The directory unit the account belongs to (its code), if it does: then it acts in the
    /// campaigns it is named for and those its unit is in (filled in by the application layer
    /// when it signs in), never in every campaign.
    pub unit_code: Option<String>,
    /// It may read what its role and unit see, and do nothing (a read-only API token: a
    /// calendar's subscription, a dashboard). Accounts that sign in are never read-only.
    #[serde(skip)]
    pub read_only: bool,
}

impl User {
    /// Whether the account acts in `campaign`.
    pub fn in_campaign(&self, campaign: &str) -> bool {
        self.every_campaign() || self.campaigns.iter().any(|c| c == campaign)
    }

    /// Whether the account acts in every campaign in the records: bound to none, and of no
    /// directory unit (the office that keeps the records).
    pub fn every_campaign(&self) -> bool {
        self.campaigns.is_empty() && self.unit_code.is_none()
    }
}

/// A bearer token of the JSON API as the office sees it: never its secret, which is shown once
/// and kept only as its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Its number.
    pub id: i64,
    /// Its name, unique: the history names what it did `token:NAME`.
    pub name: String,
    /// The unit it acts for (none for an office-wide token).
    pub unit: Option<String>,
    /// What it may do.
    pub role: Role,
    /// When it was made (unix seconds).
    pub created_at: i64,
    /// When it stops working (unix seconds); none: never.
    pub expires_at: Option<i64>,
    /// When it was last used (unix seconds, to the minute), if ever.
    pub last_used_at: Option<i64>,
    /// When the office revoked it (unix seconds), if it did.
    pub revoked_at: Option<i64>,
    /// The campaigns it acts in; none: every one.
    pub campaigns: Vec<String>,
    /// It reads and never acts (a calendar's subscription, a dashboard).
    pub read_only: bool,
}

impl ApiToken {
    /// The account its holder acts as: named `token:NAME`, as the history shows it.
    pub fn holder(&self) -> User {
        User {
            name: format!("token:{}", self.name),
            unit: self.unit.clone(),
            role: self.role,
            password: None,
            disabled_at: None,
            last_sign_in_at: None,
            campaigns: self.campaigns.clone(),
            unit_code: None,
            read_only: self.read_only,
        }
    }
}

/// A token to keep: its SHA-256, never the secret.
#[derive(Clone, Debug)]
pub struct NewToken<'a> {
    /// SHA-256 (hex) of the secret.
    pub token: &'a str,
    /// Its name, unique.
    pub name: &'a str,
    /// The unit it acts for.
    pub unit: Option<&'a str>,
    /// What it may do.
    pub role: Role,
    /// Now.
    pub now: i64,
    /// When it stops working; none: never.
    pub expires_at: Option<i64>,
    /// The campaigns it acts in; none: every one.
    pub campaigns: &'a [String],
    /// It reads and never acts.
    pub read_only: bool,
}

/// How failed sign-ins are slowed, per address and account: the application's policy, which
/// the store applies in the statement that counts.
#[derive(Clone, Copy, Debug)]
pub struct Throttle {
    /// The failures a pair may have before it waits.
    pub free: i64,
    /// The first wait, in seconds; each failure after it doubles the wait.
    pub first_delay: i64,
    /// The longest wait, in seconds.
    pub longest_delay: i64,
    /// A pair whose last try is this many seconds old is forgotten.
    pub forget_after: i64,
}

/// Whether a try at signing in may check its password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Turn {
    /// It may: it is counted as the pair's failure number `failures` before the check (so that
    /// tries at once cannot outrun the count), and forgotten if the password is right.
    Try {
        /// The pair's failures, this one included.
        failures: i64,
    },
    /// The pair of address and account waits until this instant (unix seconds).
    Wait {
        /// When it may try again.
        until: i64,
    },
}

/// The wrong passwords tried on an account since its owner last signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FailedSignIns {
    /// How many.
    pub count: i64,
    /// The address the latest came from.
    pub from: String,
    /// When the latest came (unix seconds).
    pub at: i64,
}

/// An account to create, with the SHA-256 of its one-time link.
#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    /// The name.
    pub name: &'a str,
    /// The unit.
    pub unit: Option<&'a str>,
    /// The role.
    pub role: Role,
    /// SHA-256 (hex) of the one-time token that sets the password.
    pub setup_token: &'a str,
    /// When the link stops working (unix seconds).
    pub setup_expires_at: i64,
    /// Now.
    pub now: i64,
    /// The campaigns it acts in; none: every one (unless of a directory unit).
    pub campaigns: &'a [String],
    /// The directory unit it belongs to (its code), if it does.
    pub unit_code: Option<&'a str>,
}

pub(super) const INSERT_USER: &str =
    "INSERT INTO users (name, unit, role, setup_token, setup_expires_at, created_at, campaigns,
                        unit_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub(super) const USER: &str =
    "SELECT name, unit, role, password, disabled_at, last_sign_in_at, campaigns, unit_code
     FROM users WHERE name = $1";
/// Every unit's contact people: campaign, unit, contacts (JSON), in declaration order.
/// Each campaign with a unit named `$1`, and that unit's code in the office's directory where
/// the campaign is bound to it.
pub(super) const UNIT_CODES: &str = "SELECT c.key, u.code FROM units u
     JOIN campaigns c ON c.id = u.campaign_id WHERE u.name = $1 ORDER BY c.id";

/// The campaigns of the directory unit `$1`, by id: each with a unit of that code (0), or bound
/// to a directory unit at or under it (1, the larger where both). Walks up from each bound
/// campaign's root, a few rows per campaign, never down a province's 40,000 units.
pub(super) const DIRECTORY_CAMPAIGNS: &str = "WITH RECURSIVE up (campaign_id, parent_id, code) AS (
         SELECT c.id, o.parent_id, o.code FROM campaigns c JOIN org_units o ON o.code = c.directory
         UNION ALL
         SELECT up.campaign_id, o.parent_id, o.code FROM up JOIN org_units o ON o.id = up.parent_id
     )
     SELECT c.key, CAST(max(x.runs) AS BIGINT) FROM (
         SELECT campaign_id, 0 AS runs FROM units WHERE code = $1
         UNION ALL
         SELECT campaign_id, 1 AS runs FROM up WHERE code = $1
     ) x JOIN campaigns c ON c.id = x.campaign_id GROUP BY c.id, c.key ORDER BY c.id";

/// The name the directory gives the live unit `$1` now.
pub(super) const DIRECTORY_NAME: &str =
    "SELECT name FROM org_units WHERE code = $1 AND retired_at IS NULL";

/// A directory unit's name now (none if retired or unknown) and its campaigns: (campaign,
/// whether it is bound to that unit or one under it rather than only having the unit).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectoryCampaigns {
    /// The unit's name in the directory now.
    pub name: Option<String>,
    /// Its campaigns, in the order they were first synced.
    pub campaigns: Vec<(String, bool)>,
}

pub(super) const UNIT_CONTACTS: &str = "SELECT c.key, u.name, u.contacts FROM units u
     JOIN campaigns c ON c.id = u.campaign_id ORDER BY c.id, u.id";
/// Forgets the pairs of address and account whose last try was before `$1`.
pub(super) const FORGET_ATTEMPTS: &str = "DELETE FROM sign_in_attempts WHERE last_at < $1";
/// Counts a try of address `$1` at account `$2` at `$3`, unless the pair waits until later: its
/// failures so far, this one included, or no row. One statement, so that tries at once are
/// counted one after the other: with `$4` failures a pair waits `$5` seconds, and each failure
/// after doubles the wait, up to `$6`.
pub(super) const COUNT_ATTEMPT: &str =
    "INSERT INTO sign_in_attempts (client, account, failures, delay, last_at)
     VALUES ($1, $2, 1, 0, $3)
     ON CONFLICT (client, account) DO UPDATE SET
         failures = sign_in_attempts.failures + 1,
         delay = CASE WHEN sign_in_attempts.failures + 1 < $4 THEN 0
                      WHEN sign_in_attempts.delay = 0 THEN $5
                      WHEN sign_in_attempts.delay * 2 > $6 THEN $6
                      ELSE sign_in_attempts.delay * 2 END,
         last_at = $3
     WHERE sign_in_attempts.last_at + sign_in_attempts.delay <= $3
     RETURNING failures";
/// Until when address `$1` waits to try account `$2`.
pub(super) const WAIT_UNTIL: &str =
    "SELECT last_at + delay FROM sign_in_attempts WHERE client = $1 AND account = $2";
/// Forgets the failures of address `$1` at account `$2`: the right password came.
pub(super) const FORGET_PAIR: &str =
    "DELETE FROM sign_in_attempts WHERE client = $1 AND account = $2";
/// A wrong password from `$1` at `$2`, for the owner of account `$3` to be told.
pub(super) const WRONG_PASSWORD: &str =
    "UPDATE users SET last_failed_from = $1, last_failed_at = $2,
     failed_sign_ins = failed_sign_ins + 1 WHERE name = $3";
/// The wrong passwords tried on account `$1` since its owner was last told.
pub(super) const FAILED_SIGN_INS: &str =
    "SELECT failed_sign_ins, last_failed_from, last_failed_at FROM users WHERE name = $1";
/// The owner of account `$2` was told of `$1` wrong passwords: those are taken off, not the
/// ones tried meanwhile (and if two sign-ins at once both told them, only one takes them off).
pub(super) const TOLD_FAILED: &str = "UPDATE users SET failed_sign_ins = failed_sign_ins - $1
     WHERE name = $2 AND failed_sign_ins >= $1";
/// Every account, in the order they were made.
pub(super) const USERS: &str =
    "SELECT name, unit, role, password, disabled_at, last_sign_in_at, campaigns, unit_code
     FROM users ORDER BY id";
/// Sets the password of the account whose link is `$2`, valid at `$3`; the link is spent.
pub(super) const SET_PASSWORD: &str =
    "UPDATE users SET password = $1, setup_token = NULL, setup_expires_at = NULL
     WHERE setup_token = $2 AND setup_expires_at > $3 RETURNING name";
/// Opens session `$1` (CSRF `$2`, from `$3` to `$4`) for the account named `$5`. (SQLite numbers
/// `$n` parameters in the order they appear: they must appear in order.)
pub(super) const OPEN_SESSION: &str =
    "INSERT INTO sessions (token, user_id, csrf, created_at, expires_at)
     SELECT $1, id, $2, $3, $4 FROM users WHERE name = $5";
/// Account `$2` signed in at `$1`.
pub(super) const SIGNED_IN_AT: &str = "UPDATE users SET last_sign_in_at = $1 WHERE name = $2";
/// The account and CSRF secret of session `$1` open at `$2`; a disabled account has none.
pub(super) const SESSION: &str = "SELECT u.name, u.unit, u.role, u.password, u.disabled_at,
     u.last_sign_in_at, u.campaigns, u.unit_code, s.csrf
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL";
pub(super) const CLOSE_SESSION: &str = "DELETE FROM sessions WHERE token = $1";
/// Ends every session of account `$1`.
pub(super) const CLOSE_SESSIONS_OF: &str =
    "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE name = $1)";
/// Disables account `$2` at `$1` (NULL: enables it); its name, or no row if there is none.
pub(super) const SET_DISABLED: &str =
    "UPDATE users SET disabled_at = $1 WHERE name = $2 RETURNING name";
/// Account `$3` loses its password and gets the one-time link `$1` until `$2`; its name, or no
/// row if there is none.
pub(super) const RESET_USER: &str = "UPDATE users SET password = NULL, setup_token = $1,
     setup_expires_at = $2 WHERE name = $3 RETURNING name";
pub(super) const INSERT_TOKEN: &str =
    "INSERT INTO api_tokens (token, name, unit, role, created_at, expires_at, campaigns, read_only)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
/// A token's columns, as [`api_token`] takes them.
pub(super) const TOKEN: &str = "SELECT id, name, unit, role, created_at, expires_at,
     last_used_at, revoked_at, campaigns, read_only FROM api_tokens WHERE token = $1";
/// Every token, in the order they were made.
pub(super) const TOKENS: &str = "SELECT id, name, unit, role, created_at, expires_at,
     last_used_at, revoked_at, campaigns, read_only FROM api_tokens ORDER BY id";
/// Revokes token `$2` at `$1`, unless it was revoked already: whether it was now.
pub(super) const REVOKE_TOKEN: &str =
    "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL";
/// Token `$2` was used at `$1`: kept to the minute, so that a busy token writes at most once a
/// minute.
pub(super) const TOKEN_USED: &str = "UPDATE api_tokens SET last_used_at = $1
     WHERE id = $2 AND (last_used_at IS NULL OR last_used_at + 60 <= $1)";
pub(super) const UNIT_NAMES: &str = "SELECT DISTINCT name FROM units ORDER BY name";
/// The secret that signs links.
pub(super) const LINK_SECRET: &str = "SELECT value FROM secrets WHERE name = 'links'";

/// The refusal of a name already taken.
pub(super) fn taken(name: &str) -> StoreError {
    Refusal::AccountExists {
        name: name.to_string(),
    }
    .into()
}

/// The refusal of a token name already taken.
pub(super) fn token_taken(name: &str) -> StoreError {
    Refusal::TokenExists {
        name: name.to_string(),
    }
    .into()
}

/// A role from its column.
fn role(text: &str) -> Result<Role, StoreError> {
    Role::parse(text).ok_or_else(|| StoreError::Decode {
        message: format!("`{text}` is not a role"),
    })
}

/// An account's columns: name, unit, role, password, disabled_at, last_sign_in_at,
/// campaigns (JSON), unit_code.
pub(super) type UserColumns = (
    String,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    String,
    Option<String>,
);

/// The campaigns an account or token acts in, as kept (a JSON array of keys).
pub(super) fn campaigns_json(campaigns: &[String]) -> String {
    serde_json::to_string(campaigns).unwrap_or_else(|_| "[]".into())
}

/// A user from its columns.
pub(super) fn user(columns: UserColumns) -> Result<User, StoreError> {
    let (name, unit, role_text, password, disabled_at, last_sign_in_at, campaigns, unit_code) =
        columns;
    Ok(User {
        name,
        unit,
        role: role(&role_text)?,
        password,
        disabled_at,
        last_sign_in_at,
        campaigns: super::decode::json(&campaigns)?,
        unit_code,
        read_only: false,
    })
}

/// A token's columns: id, name, unit, role, created_at, expires_at, last_used_at, revoked_at,
/// campaigns (JSON), read_only (0 or 1).
pub(super) type TokenColumns = (
    i64,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
    i64,
);

/// A token from its columns.
pub(super) fn api_token(columns: TokenColumns) -> Result<ApiToken, StoreError> {
    let (
        id,
        name,
        unit,
        role_text,
        created_at,
        expires_at,
        last_used_at,
        revoked_at,
        campaigns,
        read_only,
    ) = columns;
    Ok(ApiToken {
        id,
        name,
        unit,
        role: role(&role_text)?,
        created_at,
        expires_at,
        last_used_at,
        revoked_at,
        campaigns: super::decode::json(&campaigns)?,
        read_only: read_only != 0,
    })
}

/// A unit's contacts from its columns.
pub(super) fn contacts_of(
    campaign: String,
    unit: String,
    contacts: &str,
) -> Result<(String, String, Vec<Contact>), StoreError> {
    Ok((campaign, unit, super::decode::json(contacts)?))
}
