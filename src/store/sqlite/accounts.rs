//! The people who sign in and their sessions, as SQLite keeps them: the statements of
//! `store/accounts.rs` run on the file.

use super::{Store, StoreError};
use crate::language::campaign::Contact;
use crate::store::accounts::{
    CLOSE_SESSION, CLOSE_SESSIONS_OF, COUNT_ATTEMPT, DIRECTORY_CAMPAIGNS, DIRECTORY_NAME,
    DirectoryCampaigns, FAILED_SIGN_INS, FORGET_ATTEMPTS, FORGET_PAIR, INSERT_TOKEN, INSERT_USER,
    OPEN_SESSION, RESET_USER, REVOKE_TOKEN, SESSION, SET_DISABLED, SET_PASSWORD, SIGNED_IN_AT,
    TOKEN, TOKEN_USED, TOKENS, TOLD_FAILED, TokenColumns, UNIT_CODES, UNIT_CONTACTS, UNIT_NAMES,
    USER, USERS, UserColumns, WAIT_UNTIL, WRONG_PASSWORD, api_token, campaigns_json, contacts_of,
    taken, token_taken, user,
};
use crate::store::{Accounts, ApiToken, FailedSignIns, NewToken, NewUser, Throttle, Turn, User};
use rusqlite::OptionalExtension;

/// An account's columns from an SQLite row, from column `at` on.
fn user_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<UserColumns> {
    Ok((
        r.get(at)?,
        r.get(at + 1)?,
        r.get(at + 2)?,
        r.get(at + 3)?,
        r.get(at + 4)?,
        r.get(at + 5)?,
        r.get(at + 6)?,
        r.get(at + 7)?,
    ))
}

/// A token's columns from an SQLite row.
fn token_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenColumns> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

impl Accounts for Store {
    /// Counts a try of `client` at signing in to `account` at `now`, unless the pair waits.
    fn count_attempt(
        &mut self,
        client: &str,
        account: &str,
        now: i64,
        throttle: &Throttle,
    ) -> Result<Turn, StoreError> {
        self.conn
            .execute(FORGET_ATTEMPTS, [now - throttle.forget_after])?;
        let counted: Option<i64> = self
            .conn
            .prepare_cached(COUNT_ATTEMPT)?
            .query_row(
                rusqlite::params![
                    client,
                    account,
                    now,
                    throttle.free,
                    throttle.first_delay,
                    throttle.longest_delay
                ],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(failures) = counted {
            return Ok(Turn::Try { failures });
        }
        let until: Option<i64> = self
            .conn
            .prepare_cached(WAIT_UNTIL)?
            .query_row([client, account], |r| r.get(0))
            .optional()?;
        Ok(Turn::Wait {
            until: until.unwrap_or(now),
        })
    }

    /// A wrong password for `account` from `client` at `at`: its owner will be told.
    fn wrong_password(&mut self, account: &str, client: &str, at: i64) -> Result<(), StoreError> {
        self.conn
            .execute(WRONG_PASSWORD, rusqlite::params![client, at, account])?;
        Ok(())
    }

    /// The right password for `account` from `client`: the pair's failures are forgotten, and
    /// the wrong passwords tried on the account since its owner was last told are taken (to be
    /// told now).
    fn signed_in(
        &mut self,
        client: &str,
        account: &str,
    ) -> Result<Option<FailedSignIns>, StoreError> {
        self.conn.execute(FORGET_PAIR, [client, account])?;
        let found = self
            .conn
            .prepare_cached(FAILED_SIGN_INS)?
            .query_row([account], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                ))
            })
            .optional()?;
        let Some((count, Some(from), Some(at))) = found.filter(|f| f.0 > 0) else {
            return Ok(None);
        };
        self.conn
            .execute(TOLD_FAILED, rusqlite::params![count, account])?;
        Ok(Some(FailedSignIns { count, from, at }))
    }

    /// Every unit's contact people, by campaign and unit, in declaration order.
    fn unit_contacts(&self) -> Result<Vec<(String, String, Vec<Contact>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(UNIT_CONTACTS)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?)))?;
        rows.map(|r| {
            let (campaign, unit, contacts) = r?;
            contacts_of(campaign, unit, &contacts)
        })
        .collect()
    }

    /// Each campaign with a unit named `unit`, and its directory code.
    fn unit_codes(&self, unit: &str) -> Result<Vec<(String, Option<String>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&UNIT_CODES.replace('$', "?"))?;
        let rows = stmt.query_map([unit], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn directory_campaigns(&self, code: &str) -> Result<DirectoryCampaigns, StoreError> {
        let name = self
            .conn
            .prepare_cached(DIRECTORY_NAME)?
            .query_row([code], |r| r.get(0))
            .optional()?;
        let mut stmt = self
            .conn
            .prepare_cached(&DIRECTORY_CAMPAIGNS.replace('$', "?"))?;
        let rows = stmt.query_map([code], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? == 1)))?;
        let campaigns = rows.collect::<Result<_, _>>()?;
        Ok(DirectoryCampaigns { name, campaigns })
    }

    /// Every account, in the order they were made.
    fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut stmt = self.conn.prepare_cached(USERS)?;
        let rows = stmt.query_map([], |r| user_row(r, 0))?;
        rows.map(|r| user(r?)).collect()
    }

    /// Creates an account; a name taken is refused.
    fn add_user(&mut self, new: &NewUser<'_>) -> Result<(), StoreError> {
        let done = self.conn.execute(
            INSERT_USER,
            rusqlite::params![
                new.name,
                new.unit,
                new.role.as_str(),
                new.setup_token,
                new.setup_expires_at,
                new.now,
                campaigns_json(new.campaigns),
                new.unit_code
            ],
        );
        match done {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(taken(new.name))
            }
            other => other.map(|_| ()).map_err(Into::into),
        }
    }

    /// The account named `name`.
    fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        let row = self
            .conn
            .prepare_cached(USER)?
            .query_row([name], |r| user_row(r, 0))
            .optional()?;
        row.map(user).transpose()
    }

    /// Sets the password (its hash) of the account whose one-time link is `token` (its SHA-256),
    /// if the link is still valid at `now`; the account's name, or none.
    fn set_password(
        &mut self,
        token: &str,
        password: &str,
        now: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(SET_PASSWORD, rusqlite::params![password, token, now], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Opens a session for `name` under `token` (its SHA-256) with its CSRF secret.
    fn open_session(
        &mut self,
        token: &str,
        name: &str,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            OPEN_SESSION,
            rusqlite::params![token, csrf, now, expires_at, name],
        )?;
        self.conn
            .execute(SIGNED_IN_AT, rusqlite::params![now, name])?;
        Ok(())
    }

    /// The account and CSRF secret of the session `token` (its SHA-256), if open at `now`.
    fn session(&self, token: &str, now: i64) -> Result<Option<(User, String)>, StoreError> {
        let row = self
            .conn
            .prepare_cached(SESSION)?
            .query_row(rusqlite::params![token, now], |r| {
                Ok((user_row(r, 0)?, r.get::<_, String>(8)?))
            })
            .optional()?;
        row.map(|(u, c)| Ok((user(u)?, c))).transpose()
    }

    /// Disables the account `name` at `at` (its sessions end), or with none enables it:
    /// whether there is such an account.
    fn set_disabled(&mut self, name: &str, at: Option<i64>) -> Result<bool, StoreError> {
        self.write(|tx| {
            let found: Option<String> = tx
                .query_row(SET_DISABLED, rusqlite::params![at, name], |r| r.get(0))
                .optional()?;
            if found.is_some() && at.is_some() {
                tx.execute(CLOSE_SESSIONS_OF, [name])?;
            }
            Ok(found.is_some())
        })
    }

    /// Takes the password of the account `name` away and gives it the one-time link `token`
    /// (its SHA-256) until `expires_at`; its sessions end. Whether there is such an account.
    fn reset_user(&mut self, name: &str, token: &str, expires_at: i64) -> Result<bool, StoreError> {
        self.write(|tx| {
            let found: Option<String> = tx
                .query_row(
                    RESET_USER,
                    rusqlite::params![token, expires_at, name],
                    |r| r.get(0),
                )
                .optional()?;
            if found.is_some() {
                tx.execute(CLOSE_SESSIONS_OF, [name])?;
            }
            Ok(found.is_some())
        })
    }

    /// Ends the session `token` (its SHA-256).
    fn close_session(&mut self, token: &str) -> Result<(), StoreError> {
        self.conn.execute(CLOSE_SESSION, [token])?;
        Ok(())
    }

    /// Keeps an API token (its SHA-256, never the secret); a name taken is refused.
    fn add_token(&mut self, new: &NewToken<'_>) -> Result<(), StoreError> {
        let done = self.conn.execute(
            INSERT_TOKEN,
            rusqlite::params![
                new.token,
                new.name,
                new.unit,
                new.role.as_str(),
                new.now,
                new.expires_at,
                campaigns_json(new.campaigns),
                i64::from(new.read_only)
            ],
        );
        match done {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(token_taken(new.name))
            }
            other => other.map(|_| ()).map_err(Into::into),
        }
    }

    /// The API token whose SHA-256 is `token`, revoked, expired or not.
    fn token(&self, token: &str) -> Result<Option<ApiToken>, StoreError> {
        let row = self
            .conn
            .prepare_cached(TOKEN)?
            .query_row([token], token_row)
            .optional()?;
        row.map(api_token).transpose()
    }

    /// Every API token, in the order they were made.
    fn tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        let mut stmt = self.conn.prepare_cached(TOKENS)?;
        let rows = stmt.query_map([], token_row)?;
        rows.map(|r| api_token(r?)).collect()
    }

    /// Revokes token `id` at `at`: whether it was now (not before).
    fn revoke_token(&mut self, id: i64, at: i64) -> Result<bool, StoreError> {
        Ok(self.conn.execute(REVOKE_TOKEN, rusqlite::params![at, id])? > 0)
    }

    /// Token `id` was used at `at` (kept to the minute).
    fn token_used(&mut self, id: i64, at: i64) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(TOKEN_USED)?
            .execute(rusqlite::params![at, id])?;
        Ok(())
    }

    /// Every unit's name, in any campaign.
    fn unit_names(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(UNIT_NAMES)?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
