//! Accounts and sessions for the web pages: an account is created with a one-time link that
//! sets its password (hashed with argon2id), signing in opens a session kept in the store (so
//! that several nodes share it) under the SHA-256 of a random cookie, with its own CSRF secret.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

pub use super::account_refusal::AccountRefusal;
use super::{AppError, Office};
use crate::clock::Instant;
use crate::store::{Backend, FailedSignIns, NewUser, Refusal, Role, Throttle, Turn, User};
use crate::vocabulary::typed;

/// How long a one-time link to set a password works.
pub const LINK_SECONDS: i64 = 7 * 86_400;
/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3_600;
/// The shortest password accepted.
pub const SHORTEST_PASSWORD: usize = 10;
/// How failed sign-ins are slowed. They are counted per client address and account, never per
/// account alone: a guesser who knows a name cannot keep its owner out, who signs in from
/// another address as ever. An address may try five wrong passwords on an account; then it waits
/// a minute, and each failure after doubles the wait, up to an hour. A pair quiet for a day is
/// forgotten, and the right password forgets it at once.
pub const THROTTLE: Throttle = Throttle {
    free: 5,
    first_delay: 60,
    longest_delay: 3_600,
    forget_after: 86_400,
};

/// A signed-in person: their account and the CSRF secret their forms carry.
#[derive(Clone, Debug)]
pub struct Session {
    /// The account.
    pub user: User,
    /// The secret every form of the session carries back.
    pub csrf: String,
}

/// 32 random bytes, as hex: a cookie, a one-time link, a CSRF secret.
pub fn secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// The SHA-256 of `text`, as hex: what the store keeps of a secret.
pub fn digest(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

impl Office {
    /// Creates the account `name` acting for `unit` as `role` in `campaigns` (none: every
    /// one), with a one-time token for its password link. A unit no campaign has is refused
    /// with the nearest name; see [`scope`] for the campaigns.
    pub fn add_user(
        &self,
        store: &mut dyn Backend,
        name: &str,
        unit: Option<&str>,
        role: Role,
        campaigns: &[String],
        now: Instant,
    ) -> Result<String, AppError> {
        if name.trim().is_empty() || name.starts_with("token:") {
            return Err(AccountRefusal::AccountName {
                name: name.to_string(),
            }
            .into());
        }
        shown_as_is(&[("账号名称", Some(name)), ("单位名称", unit)])?;
        check_unit(unit, role)?;
        let bound = super::scope::scope(store, unit, campaigns)?;
        let token = secret();
        let now = now.in_zone(self.config.zone).timestamp();
        store.add_user(&NewUser {
            name,
            unit: bound.unit.as_deref(),
            role,
            setup_token: &digest(&token),
            setup_expires_at: now + LINK_SECONDS,
            now,
            campaigns: &bound.campaigns,
            unit_code: bound.code.as_deref(),
        })?;
        Ok(token)
    }

    /// Every account, in the order they were made, each with the campaigns it acts in now.
    pub fn users(&self, store: &dyn Backend) -> Result<Vec<User>, AppError> {
        store
            .users()?
            .into_iter()
            .map(|u| super::scope::joined(store, u))
            .collect()
    }

    /// Every account the office account `who` manages, for its page of them; anyone else is
    /// refused.
    pub fn accounts(&self, store: &dyn Backend, who: &User) -> Result<Vec<User>, AppError> {
        super::rights::allow(who, super::rights::Page::Accounts)?;
        let mut users = self.users(store)?;
        users.retain(|u| super::scope::manages(who, &u.campaigns));
        Ok(users)
    }

    /// Creates an account as the office account `who` does through the pages: as
    /// [`Office::add_user`], refused to anyone else.
    pub fn add_user_as(
        &self,
        store: &mut dyn Backend,
        who: &User,
        new: (&str, Option<&str>, Role, &[String]),
        now: Instant,
    ) -> Result<String, AppError> {
        super::rights::allow_act(who, super::rights::Page::Accounts)?;
        let campaigns = super::scope::within(who, new.3)?;
        self.add_user(store, new.0, new.1, new.2, &campaigns, now)
    }

    /// An account for every named contact person of every unit (of `campaign`, or of all):
    /// leaders as leaders, the others as liaisons. A person already with an account for the
    /// unit is left as they are, so that running it again after new contacts adds only them.
    pub fn accounts_from_contacts(
        &self,
        store: &mut dyn Backend,
        campaign: Option<&str>,
        now: Instant,
    ) -> Result<Vec<FromContact>, AppError> {
        if let Some(campaign) = campaign {
            store.campaign_header(campaign)?;
        }
        let mut people: Vec<FromContact> = Vec::new();
        for (key, unit, contacts) in store.unit_contacts()? {
            if campaign.is_some_and(|c| c != key) {
                continue;
            }
            for contact in contacts {
                let Some(name) = contact.name.clone().filter(|n| !n.trim().is_empty()) else {
                    continue;
                };
                // The same person of the same unit in several campaigns: one account, acting in
                // each campaign that lists them (and no other of the same unit name).
                if let Some(known) = people.iter_mut().find(|p| p.name == name && p.unit == unit) {
                    if !known.campaigns.contains(&key) {
                        known.campaigns.push(key.clone());
                    }
                    continue;
                }
                let role = match contact.role {
                    crate::language::ast::ContactRole::Leader => Role::Leader,
                    _ => Role::Liaison,
                };
                people.push(FromContact {
                    name,
                    unit: unit.clone(),
                    role,
                    phone: contact.phone,
                    email: contact.email,
                    token: None,
                    campaigns: vec![key.clone()],
                });
            }
        }
        // A name two units share (two 张伟) would be one account: each gets its unit's prefix.
        let shared: Vec<String> = people
            .iter()
            .filter(|p| people.iter().any(|q| q.name == p.name && q.unit != p.unit))
            .map(|p| p.name.clone())
            .collect();
        for person in &mut people {
            if shared.contains(&person.name) {
                person.name = format!("{}·{}", person.unit, person.name);
            }
            let mut found = store.user(&person.name)?;
            // The name is someone else's, of another unit: the unit's prefix tells them apart.
            if found
                .as_ref()
                .is_some_and(|u| u.unit.as_deref() != Some(person.unit.as_str()))
            {
                person.name = format!("{}·{}", person.unit, person.name);
                found = store.user(&person.name)?;
            }
            if found.is_none() {
                let unit = Some(person.unit.as_str());
                let campaigns = person.campaigns.clone();
                person.token =
                    Some(self.add_user(store, &person.name, unit, person.role, &campaigns, now)?);
            }
        }
        Ok(people)
    }

    /// Disables the account `name` (it cannot sign in, and its sessions end at once) or, with
    /// `disabled` false, enables it again: the account as it was before. An unknown name is
    /// refused with the nearest.
    pub fn set_disabled(
        &self,
        store: &mut dyn Backend,
        name: &str,
        disabled: bool,
        now: Instant,
    ) -> Result<User, AppError> {
        let before = existing_user(store, name)?;
        let at = disabled.then(|| now.in_zone(self.config.zone).timestamp());
        // Disabling one disabled already keeps the instant it was disabled at.
        if disabled != before.disabled_at.is_some() {
            store.set_disabled(name, at)?;
        }
        Ok(before)
    }

    /// Disables or enables an account as the office account `who` does through the pages:
    /// as [`Office::set_disabled`], refused to anyone else; nobody disables their own account
    /// (the office would lock itself out).
    pub fn set_disabled_as(
        &self,
        store: &mut dyn Backend,
        who: &User,
        name: &str,
        disabled: bool,
        now: Instant,
    ) -> Result<User, AppError> {
        super::rights::allow_act(who, super::rights::Page::Accounts)?;
        if disabled && who.name == name {
            return Err(AccountRefusal::DisablesItself.into());
        }
        super::scope::managed(store, who, name, !disabled)?;
        self.set_disabled(store, name, disabled, now)
    }

    /// A forgotten password: the account `name` loses its password at once (and its sessions
    /// end), and gets a new one-time link that sets one, valid [`LINK_SECONDS`]: its token. A
    /// disabled account stays disabled. An unknown name is refused with the nearest.
    pub fn reset_user(
        &self,
        store: &mut dyn Backend,
        name: &str,
        now: Instant,
    ) -> Result<String, AppError> {
        existing_user(store, name)?;
        let token = secret();
        let t = now.in_zone(self.config.zone).timestamp();
        store.reset_user(name, &digest(&token), t + LINK_SECONDS)?;
        Ok(token)
    }

    /// Resets an account as the office account `who` does through the pages: as
    /// [`Office::reset_user`], refused to anyone else.
    pub fn reset_user_as(
        &self,
        store: &mut dyn Backend,
        who: &User,
        name: &str,
        now: Instant,
    ) -> Result<String, AppError> {
        super::rights::allow_act(who, super::rights::Page::Accounts)?;
        super::scope::managed(store, who, name, true)?;
        self.reset_user(store, name, now)
    }
}

/// A sign-in that succeeded.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The session's cookie.
    pub cookie: String,
    /// The session.
    pub session: Session,
    /// The wrong passwords tried on the account since its owner last signed in, to tell them.
    pub failed: Option<FailedSignIns>,
}

/// Whom failed sign-ins are counted against: the client's address, or for IPv6 its /64 (one
/// subscriber's network, whose every address a guesser has).
fn guesser(client: &str) -> String {
    match client.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        _ => client.to_string(),
    }
}

/// An account made (or found) for a contact person of a unit's.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FromContact {
    /// The account's name: the person's, or `UNIT·NAME` where two units have the same name.
    pub name: String,
    /// The unit.
    pub unit: String,
    /// Its role: a leader (分管领导) leads, anyone else is a liaison.
    pub role: Role,
    /// The person's phone, to pass the link on.
    pub phone: Option<String>,
    /// The person's mailbox.
    pub email: Option<String>,
    /// The one-time token of a new account; none where the account was there already.
    pub token: Option<String>,
    /// The campaigns it acts in: those its unit is in.
    pub campaigns: Vec<String>,
}

/// Refuses what people would see of a name not as it is: too long, something hidden in it,
/// something reversing how the rest reads.
pub(super) fn shown_as_is(texts: &[(&str, Option<&str>)]) -> Result<(), AppError> {
    for (what, text) in texts {
        let Some(text) = text else { continue };
        typed::within(what, text, typed::NAME_MAX).map_err(AccountRefusal::from)?;
        if let Some(c) = text.chars().find(|c| typed::is_hidden(*c)) {
            return Err(AccountRefusal::Hidden {
                what: what.to_string(),
                code: u32::from(c),
            }
            .into());
        }
    }
    Ok(())
}

/// The account `name`, or its refusal with the nearest name.
fn existing_user(store: &dyn Backend, name: &str) -> Result<User, AppError> {
    if let Some(user) = store.user(name)? {
        return Ok(user);
    }
    let users = store.users()?;
    let suggestion =
        crate::language::suggest::did_you_mean(name, users.iter().map(|u| u.name.as_str()));
    Err(AppError::Store(
        Refusal::Unknown {
            kind: "account",
            name: name.to_string(),
            suggestion: suggestion.or_else(|| Some("`duban user list` lists them".into())),
        }
        .into(),
    ))
}

/// Refuses no unit for a role that acts for one (an unknown unit is refused where the
/// account's campaigns are found: [`super::scope::scope`]).
pub(super) fn check_unit(unit: Option<&str>, role: Role) -> Result<(), AppError> {
    if unit.is_none() && !role.sees_all() {
        return Err(AccountRefusal::NeedsUnit {
            role: role.as_str(),
        }
        .into());
    }
    Ok(())
}

/// Refuses a unit no campaign has, with the nearest name.
pub(super) fn known_unit(store: &dyn Backend, unit: &str) -> Result<(), AppError> {
    let known = store.unit_names()?;
    if known.iter().any(|u| u == unit) {
        return Ok(());
    }
    let suggestion = crate::language::suggest::did_you_mean(unit, known.iter().map(String::as_str));
    Err(AppError::Store(
        crate::store::Refusal::Unknown {
            kind: "unit",
            name: unit.to_string(),
            suggestion,
        }
        .into(),
    ))
}

impl Office {
    /// Sets the password of the account whose one-time link carries `token`: the account's
    /// name. A short password, or a link spent or expired, is refused.
    pub fn set_password(
        &self,
        store: &mut dyn Backend,
        token: &str,
        password: &str,
        now: Instant,
    ) -> Result<String, AppError> {
        if password.chars().count() < SHORTEST_PASSWORD {
            return Err(AccountRefusal::ShortPassword.into());
        }
        let salt = SaltString::generate(&mut OsRng);
        let hash = argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(AccountRefusal::Hash)?
            .to_string();
        let now = now.in_zone(self.config.zone).timestamp();
        store
            .set_password(&digest(token), &hash, now)?
            .ok_or_else(|| AccountRefusal::LinkSpent.into())
    }

    /// Signs `name` in: the session's cookie, and the session. A wrong name and a wrong
    /// password are refused alike, so that the refusal does not say which names exist.
    pub fn sign_in(
        &self,
        store: &mut dyn Backend,
        name: &str,
        password: &str,
        now: Instant,
    ) -> Result<(String, Session), AppError> {
        let refused = || AppError::SignIn;
        let user = store.user(name)?.ok_or_else(refused)?;
        let stored = user.password.as_deref().ok_or_else(refused)?;
        let parsed = PasswordHash::new(stored).map_err(|_| refused())?;
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .map_err(|_| refused())?;
        // Said only to whoever knows the password: a guesser learns nothing of the account.
        if user.disabled_at.is_some() {
            return Err(AppError::Disabled);
        }
        let (cookie, csrf) = (secret(), secret());
        let now = now.in_zone(self.config.zone).timestamp();
        store.open_session(&digest(&cookie), name, &csrf, now, now + SESSION_SECONDS)?;
        Ok((cookie, Session { user, csrf }))
    }

    /// Signs in as [`Office::sign_in`] does, for a person at the address `client`, unless that
    /// address has failed too often at that account lately (see [`THROTTLE`]): then its tries
    /// wait, the right password's too, but no other address's. Each try is counted in the
    /// records before its password is checked, in one statement, so that every node behind a
    /// load balancer counts the same tries and tries at once get no more checks than one after
    /// the other. A wrong password for an account is kept for its owner, who is told at their
    /// next sign-in.
    pub fn sign_in_from(
        &self,
        store: &mut dyn Backend,
        name: &str,
        password: &str,
        client: &str,
        now: Instant,
    ) -> Result<SignedIn, AppError> {
        let t = now.in_zone(self.config.zone).timestamp();
        let from = guesser(client);
        if let Turn::Wait { until } = store.count_attempt(&from, name, t, &THROTTLE)? {
            return Err(AppError::TooManyFailures {
                seconds: (until - t).max(1),
            });
        }
        match self.sign_in(store, name, password, now) {
            Ok((cookie, session)) => {
                let failed = store.signed_in(&from, name)?;
                Ok(SignedIn {
                    cookie,
                    session,
                    failed,
                })
            }
            Err(AppError::SignIn) => {
                store.wrong_password(name, client, t)?;
                Err(AppError::SignIn)
            }
            Err(e) => Err(e),
        }
    }

    /// The session whose cookie is `cookie`, if it is open at `now`.
    pub fn session(
        &self,
        store: &dyn Backend,
        cookie: &str,
        now: Instant,
    ) -> Result<Option<Session>, AppError> {
        let now = now.in_zone(self.config.zone).timestamp();
        store
            .session(&digest(cookie), now)?
            .map(|(user, csrf)| {
                let user = super::scope::joined(store, user)?;
                Ok(Session { user, csrf })
            })
            .transpose()
    }

    /// Ends the session whose cookie is `cookie`.
    pub fn sign_out(&self, store: &mut dyn Backend, cookie: &str) -> Result<(), AppError> {
        Ok(store.close_session(&digest(cookie))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guessers_are_counted_by_address_and_an_ipv6_network() {
        for (client, counted) in [
            ("203.0.113.7", "203.0.113.7"),
            ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
            ("2001:db8:1:2::9", "2001:db8:1:2::/64"),
            ("::ffff:192.0.2.1", "192.0.2.1"),
            ("not an address", "not an address"),
        ] {
            assert_eq!(guesser(client), counted, "{client}");
        }
    }

    #[test]
    fn secrets_are_long_random_and_compared_whole() {
        let (a, b) = (secret(), secret());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &b));
        assert!(!same_secret(&a, &a[..63]));
        assert_eq!(digest("abc").len(), 64);
    }
}
