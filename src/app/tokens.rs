//! API tokens: made by the office for a unit (or a role), named, expiring, revoked; kept only
//! as the SHA-256 of their secret, which is shown once; the holder a request's bearer token
//! stands for, with its last use noted.

use super::accounts::{AccountRefusal, check_unit, digest, secret, shown_as_is};
use super::{AppError, Office};
use crate::clock::Instant;
use crate::store::{ApiToken, Backend, NewToken, Refusal, Role, User};

/// How many days an API token works when neither `--expires` nor `token_days` in duban.toml
/// says otherwise.
pub const TOKEN_DAYS: u32 = 180;

impl Office {
    /// A bearer token for the JSON API as `new` describes it: its secret, shown once and kept
    /// only as its SHA-256, and the token as the office sees it. Without a name it is named
    /// after its unit (or role) and a number (`宛城区-1`); without an expiry it works for
    /// `token_days` of duban.toml ([`TOKEN_DAYS`] by default).
    pub fn create_token(
        &self,
        store: &mut dyn Backend,
        new: &TokenSpec<'_>,
        now: Instant,
    ) -> Result<(String, ApiToken), AppError> {
        check_unit(new.unit, new.role)?;
        let bound = super::scope::scope(store, new.unit, new.campaigns)?;
        // A token is bound to the campaigns its unit is in when made: the office makes another
        // for a campaign that comes later (a token is not an account that signs in again).
        let unit = bound.unit;
        let mut campaigns = bound.campaigns;
        if let Some(code) = &bound.code {
            super::scope::join(store, code, new.role, &mut campaigns)?;
            if campaigns.is_empty() {
                return Err(AccountRefusal::NoCampaignYet {
                    unit: unit.unwrap_or_default(),
                }
                .into());
            }
        }
        let t = now.in_zone(self.config.zone).timestamp();
        let name = match new.name.map(str::trim) {
            Some(name) => {
                check_token_name(name)?;
                name.to_string()
            }
            None => {
                let base = unit.as_deref().unwrap_or(new.role.as_str());
                let taken: Vec<String> = store.tokens()?.into_iter().map(|t| t.name).collect();
                (1..)
                    .map(|n| format!("{base}-{n}"))
                    .find(|n| !taken.contains(n))
                    .unwrap_or_default()
            }
        };
        let days = self.config.token_days.unwrap_or(TOKEN_DAYS);
        let expires_at = new.expires.instant(t, days, self.config.zone)?;
        let secret = secret();
        store.add_token(&NewToken {
            token: &digest(&secret),
            name: &name,
            unit: unit.as_deref(),
            role: new.role,
            now: t,
            expires_at,
            campaigns: &campaigns,
            read_only: new.read_only,
        })?;
        let made = store
            .tokens()?
            .into_iter()
            .find(|k| k.name == name)
            .ok_or_else(|| AccountRefusal::TokenLost { name: name.clone() })?;
        Ok((secret, made))
    }

    /// Makes a token as the office account `who` does through the pages: as
    /// [`Office::create_token`], refused to anyone else.
    pub fn create_token_as(
        &self,
        store: &mut dyn Backend,
        who: &User,
        new: &TokenSpec<'_>,
        now: Instant,
    ) -> Result<(String, ApiToken), AppError> {
        super::rights::allow_act(who, super::rights::Page::Tokens)?;
        let campaigns = super::scope::within(who, new.campaigns)?;
        let new = TokenSpec {
            campaigns: &campaigns,
            ..*new
        };
        self.create_token(store, &new, now)
    }

    /// Whether `who` may make a calendar subscription for `unit`: its own liaison or leader,
    /// or the office.
    pub fn may_subscribe(who: &User, unit: &str) -> bool {
        who.role == Role::Office
            || matches!(who.role, Role::Liaison | Role::Leader) && who.unit.as_deref() == Some(unit)
    }

    /// A calendar subscription for `unit`, made by `who` on the unit's page: a read-only token
    /// of the unit (it lists and never acts), named `日历-UNIT-N`, that never expires (the
    /// office revokes it on the accounts page), bound to the campaigns `who` acts in. Its
    /// secret is shown once.
    pub fn calendar_token_as(
        &self,
        store: &mut dyn Backend,
        who: &User,
        unit: &str,
        now: Instant,
    ) -> Result<(String, ApiToken), AppError> {
        if !Office::may_subscribe(who, unit) {
            return Err(super::rights::forbidden("a calendar of another unit"));
        }
        // Only a unit `who` sees in its campaigns (an office bound to another office's
        // campaigns does not).
        self.unit_desk(&*store, who, unit, now)?;
        let taken: Vec<String> = store.tokens()?.into_iter().map(|t| t.name).collect();
        let name = (1..)
            .map(|n| format!("日历-{unit}-{n}"))
            .find(|n| !taken.contains(n))
            .unwrap_or_default();
        let campaigns = if who.every_campaign() {
            Vec::new()
        } else {
            who.campaigns.clone()
        };
        let spec = TokenSpec {
            unit: Some(unit),
            role: Role::Liaison,
            name: Some(&name),
            expires: Expiry::Never,
            campaigns: &campaigns,
            read_only: true,
        };
        self.create_token(store, &spec, now)
    }

    /// Every API token, revoked and expired ones too, in the order they were made.
    pub fn tokens(&self, store: &dyn Backend) -> Result<Vec<ApiToken>, AppError> {
        Ok(store.tokens()?)
    }

    /// Every API token, for the office's page; anyone else is refused.
    pub fn tokens_as(&self, store: &dyn Backend, who: &User) -> Result<Vec<ApiToken>, AppError> {
        super::rights::allow(who, super::rights::Page::Tokens)?;
        let mut tokens = self.tokens(store)?;
        tokens.retain(|t| super::scope::manages(who, &t.campaigns));
        Ok(tokens)
    }

    /// Revokes the token named `which` (or numbered so) at `now`: the token, and whether it
    /// had been revoked before (then nothing changes). An unknown one is refused with the
    /// nearest name.
    pub fn revoke_token(
        &self,
        store: &mut dyn Backend,
        which: &str,
        now: Instant,
    ) -> Result<(ApiToken, bool), AppError> {
        let tokens = store.tokens()?;
        let Some(token) = named(&tokens, which).cloned() else {
            return Err(unknown_token(which, &tokens));
        };
        self.revoke(store, token, now)
    }

    fn revoke(
        &self,
        store: &mut dyn Backend,
        mut token: ApiToken,
        now: Instant,
    ) -> Result<(ApiToken, bool), AppError> {
        let t = now.in_zone(self.config.zone).timestamp();
        let revoked_now = store.revoke_token(token.id, t)?;
        if revoked_now {
            token.revoked_at = Some(t);
        }
        Ok((token, !revoked_now))
    }

    /// The token `which` names (by name, or by number as `revoke_token` reads it) for the
    /// office account `who` to act on: one of the campaigns it manages; another's is refused
    /// as forbidden, and an unknown one is suggested only among its own (another office's
    /// names are not told).
    pub fn token_as(
        &self,
        store: &dyn Backend,
        who: &User,
        which: &str,
    ) -> Result<ApiToken, AppError> {
        super::rights::allow_act(who, super::rights::Page::Tokens)?;
        let tokens = store.tokens()?;
        match named(&tokens, which) {
            Some(token) if super::scope::manages(who, &token.campaigns) => Ok(token.clone()),
            Some(_) => Err(AppError::Forbidden {
                what: which.to_string(),
            }),
            None => {
                let mine: Vec<ApiToken> = tokens
                    .into_iter()
                    .filter(|t| super::scope::manages(who, &t.campaigns))
                    .collect();
                Err(unknown_token(which, &mine))
            }
        }
    }

    /// Revokes a token as the office account `who` does through the pages: as
    /// [`Office::revoke_token`], for a token of the campaigns it manages (found as
    /// [`Office::token_as`] finds it), refused to anyone else.
    pub fn revoke_token_as(
        &self,
        store: &mut dyn Backend,
        who: &User,
        which: &str,
        now: Instant,
    ) -> Result<(ApiToken, bool), AppError> {
        let token = self.token_as(&*store, who, which)?;
        self.revoke(store, token, now)
    }

    /// Whom the bearer token `token` acts for at `now`, as the account `token:NAME` (the
    /// history's name for what it does); an unknown, revoked or expired token is refused
    /// saying which. Its use is kept, to the minute.
    pub fn token_holder(
        &self,
        store: &mut dyn Backend,
        token: &str,
        now: Instant,
    ) -> Result<User, AppError> {
        let t = now.in_zone(self.config.zone).timestamp();
        let Some(found) = store.token(&digest(token))? else {
            return Err(AppError::TokenRefused(TokenRefusal::Unknown));
        };
        if let Some(at) = found.revoked_at {
            return Err(AppError::TokenRefused(TokenRefusal::Revoked { at }));
        }
        if let Some(at) = found.expires_at.filter(|at| *at <= t) {
            return Err(AppError::TokenRefused(TokenRefusal::Expired { at }));
        }
        // At most one write a minute per token, and none for most requests: the use is only
        // kept when the one kept is a minute old. A use that cannot be kept (a read-only
        // database) does not refuse the request.
        if found.last_used_at.is_none_or(|used| used + 60 <= t)
            && let Err(e) = store.token_used(found.id, t)
        {
            tracing::warn!(error = %e, token = %found.name, "a token's last use could not be kept");
        }
        Ok(found.holder())
    }
}

/// What a new token is to be.
#[derive(Clone, Debug)]
pub struct TokenSpec<'a> {
    /// The unit it acts for (none for a supervisor's or the office's).
    pub unit: Option<&'a str>,
    /// What it may do.
    pub role: Role,
    /// Its name; none: its unit (or role) and a number.
    pub name: Option<&'a str>,
    /// When it stops working.
    pub expires: Expiry,
    /// The campaigns it acts in; none: every one.
    pub campaigns: &'a [String],
    /// It reads and never acts (a calendar's subscription, a dashboard).
    pub read_only: bool,
}

/// When a new token stops working.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// After `token_days` of duban.toml, or [`TOKEN_DAYS`].
    Default,
    /// After so many days.
    Days(u32),
    /// At the end of that day, in the office's zone (China Standard Time).
    Until(chrono::NaiveDate),
    /// Never (a system the office revokes by hand).
    Never,
}

/// An expiry that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error(
    "`{given}`: an expiry is a number of days (`90`, `90d`), a date (`2027-06-30`), or `never`"
)]
pub struct ExpiryError {
    /// As given.
    pub given: String,
}

impl std::str::FromStr for Expiry {
    type Err = ExpiryError;

    fn from_str(text: &str) -> Result<Expiry, ExpiryError> {
        let text = text.trim();
        if text == "never" {
            return Ok(Expiry::Never);
        }
        if let Ok(days) = text.trim_end_matches('d').parse::<u32>() {
            return Ok(Expiry::Days(days));
        }
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Expiry::Until)
            .map_err(|_| ExpiryError {
                given: text.to_string(),
            })
    }
}

impl Expiry {
    /// The instant (unix seconds) a token made at `now` stops working, `days` being the
    /// default; none: never. A day already over, or no days, is refused. A day is through
    /// its end in `zone`, the office's.
    pub fn instant(
        self,
        now: i64,
        days: u32,
        zone: chrono_tz::Tz,
    ) -> Result<Option<i64>, AppError> {
        let at = match self {
            Expiry::Never => return Ok(None),
            Expiry::Default => now + i64::from(days) * 86_400,
            Expiry::Days(n) => now + i64::from(n) * 86_400,
            Expiry::Until(date) => date
                .succ_opt()
                .and_then(|next| next.and_hms_opt(0, 0, 0))
                .and_then(|midnight| {
                    use chrono::TimeZone;
                    zone.from_local_datetime(&midnight).earliest()
                })
                .map_or(i64::MAX, |t| t.timestamp()),
        };
        if at <= now {
            return Err(AccountRefusal::ExpiresAtOnce.into());
        }
        Ok(Some(at))
    }
}

/// Why a bearer token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRefusal {
    /// No token is kept with that secret.
    Unknown,
    /// The office revoked it at this instant (unix seconds).
    Revoked {
        /// When.
        at: i64,
    },
    /// It expired at this instant (unix seconds).
    Expired {
        /// When.
        at: i64,
    },
}

impl std::fmt::Display for TokenRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenRefusal::Unknown => write!(f, "unknown token"),
            TokenRefusal::Revoked { .. } => write!(f, "the token was revoked"),
            TokenRefusal::Expired { .. } => write!(f, "the token has expired"),
        }
    }
}

/// The token `which` names: by its name, else by its number (`12`, `#12`).
fn named<'a>(tokens: &'a [ApiToken], which: &str) -> Option<&'a ApiToken> {
    tokens.iter().find(|t| t.name == which).or_else(|| {
        let id = which.trim().trim_start_matches('#').parse::<i64>().ok()?;
        tokens.iter().find(|t| t.id == id)
    })
}

/// An unknown token, with the nearest name among `known`.
fn unknown_token(which: &str, known: &[ApiToken]) -> AppError {
    let suggestion =
        crate::language::suggest::did_you_mean(which, known.iter().map(|t| t.name.as_str()));
    AppError::Store(
        Refusal::Unknown {
            kind: "token",
            name: which.to_string(),
            suggestion: suggestion.or_else(|| Some("`duban token list` lists them".into())),
        }
        .into(),
    )
}

/// Refuses a token name that is empty, would read as a number (`token revoke` takes either),
/// or is not shown as it is.
fn check_token_name(name: &str) -> Result<(), AppError> {
    // A number however long, with its sign: `token revoke` would read it as one (and the
    // API's description says "not a number", whatever its size).
    let digits = name.trim_start_matches('#');
    let digits = digits.strip_prefix(['+', '-']).unwrap_or(digits);
    if name.is_empty() || !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AccountRefusal::TokenName {
            name: name.to_string(),
        }
        .into());
    }
    shown_as_is(&[("令牌名称", Some(name))])
}
