//! The people who sign in and their sessions, on PostgreSQL: the statements of
//! `store::accounts`.

use super::{PgStore, texts};
use crate::language::campaign::Contact;
use crate::store::accounts::{
    ApiToken, CLOSE_SESSION, CLOSE_SESSIONS_OF, COUNT_ATTEMPT, DIRECTORY_CAMPAIGNS, DIRECTORY_NAME,
    DirectoryCampaigns, FAILED_SIGN_INS, FORGET_ATTEMPTS, FORGET_PAIR, FailedSignIns, INSERT_TOKEN,
    INSERT_USER, NewToken, NewUser, OPEN_SESSION, RESET_USER, REVOKE_TOKEN, SESSION, SET_DISABLED,
    SET_PASSWORD, SIGNED_IN_AT, TOKEN, TOKEN_USED, TOKENS, TOLD_FAILED, Throttle, TokenColumns,
    Turn, UNIT_CODES, UNIT_CONTACTS, UNIT_NAMES, USER, USERS, User, UserColumns, WAIT_UNTIL,
    WRONG_PASSWORD, api_token, campaigns_json, contacts_of, taken, token_taken, user,
};
use crate::store::{Accounts, StoreError};

/// An account's columns from a row, from column `at` on.
fn user_row(r: &::postgres::Row, at: usize) -> UserColumns {
    (
        r.get(at),
        r.get(at + 1),
        r.get(at + 2),
        r.get(at + 3),
        r.get(at + 4),
        r.get(at + 5),
        r.get(at + 6),
        r.get(at + 7),
    )
}

/// A token's columns from a row.
fn token_row(r: &::postgres::Row) -> TokenColumns {
    (
        r.get(0),
        r.get(1),
        r.get(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get(6),
        r.get(7),
        r.get(8),
        r.get(9),
    )
}

impl Accounts for PgStore {
    /// Creates an account; a name taken is refused.
    fn add_user(&mut self, new: &NewUser<'_>) -> Result<(), StoreError> {
        let done = self.run(|client| {
            Ok(client.execute(
                INSERT_USER,
                &[
                    &new.name,
                    &new.unit,
                    &new.role.as_str(),
                    &new.setup_token,
                    &new.setup_expires_at,
                    &new.now,
                    &campaigns_json(new.campaigns),
                    &new.unit_code,
                ],
            ))
        })?;
        match done {
            Err(e) if e.code() == Some(&::postgres::error::SqlState::UNIQUE_VIOLATION) => {
                Err(taken(new.name))
            }
            other => other.map(|_| ()).map_err(Into::into),
        }
    }

    /// Counts a try of `client` at signing in to `account` at `now`, unless the pair waits.
    fn count_attempt(
        &mut self,
        client: &str,
        account: &str,
        now: i64,
        throttle: &Throttle,
    ) -> Result<Turn, StoreError> {
        self.run(|c| {
            c.execute(FORGET_ATTEMPTS, &[&(now - throttle.forget_after)])?;
            let counted = c.query_opt(
                COUNT_ATTEMPT,
                &[
                    &client,
                    &account,
                    &now,
                    &throttle.free,
                    &throttle.first_delay,
                    &throttle.longest_delay,
                ],
            )?;
            if let Some(row) = counted {
                return Ok(Turn::Try {
                    failures: row.get(0),
                });
            }
            let until = c.query_opt(WAIT_UNTIL, &[&client, &account])?;
            Ok(Turn::Wait {
                until: until.map_or(now, |r| r.get(0)),
            })
        })
    }

    /// A wrong password for `account` from `client` at `at`: its owner will be told.
    fn wrong_password(&mut self, account: &str, client: &str, at: i64) -> Result<(), StoreError> {
        self.run(|c| {
            c.execute(WRONG_PASSWORD, &[&client, &at, &account])?;
            Ok(())
        })
    }

    /// The right password for `account` from `client`: the pair's failures are forgotten, and
    /// the wrong passwords tried on the account since its owner was last told are taken.
    fn signed_in(
        &mut self,
        client: &str,
        account: &str,
    ) -> Result<Option<FailedSignIns>, StoreError> {
        self.run(|c| {
            c.execute(FORGET_PAIR, &[&client, &account])?;
            let Some(row) = c.query_opt(FAILED_SIGN_INS, &[&account])? else {
                return Ok(None);
            };
            let (count, from, at): (i64, Option<String>, Option<i64>) =
                (row.get(0), row.get(1), row.get(2));
            let (Some(from), Some(at)) = (from, at) else {
                return Ok(None);
            };
            if count == 0 {
                return Ok(None);
            }
            c.execute(TOLD_FAILED, &[&count, &account])?;
            Ok(Some(FailedSignIns { count, from, at }))
        })
    }

    /// Every unit's contact people, by campaign and unit, in declaration order.
    fn unit_contacts(&self) -> Result<Vec<(String, String, Vec<Contact>)>, StoreError> {
        self.run(|client| {
            client
                .query(UNIT_CONTACTS, &[])?
                .iter()
                .map(|r| contacts_of(r.get(0), r.get(1), r.get::<_, &str>(2)))
                .collect()
        })
    }

    /// Each campaign with a unit named `unit`, and its directory code.
    fn unit_codes(&self, unit: &str) -> Result<Vec<(String, Option<String>)>, StoreError> {
        self.run(|client| {
            Ok(client
                .query(UNIT_CODES, &[&unit])?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect())
        })
    }

    fn directory_campaigns(&self, code: &str) -> Result<DirectoryCampaigns, StoreError> {
        self.run(|client| {
            let name = client
                .query_opt(DIRECTORY_NAME, &[&code])?
                .map(|r| r.get(0));
            let campaigns = client
                .query(DIRECTORY_CAMPAIGNS, &[&code])?
                .iter()
                .map(|r| (r.get(0), r.get::<_, i64>(1) == 1))
                .collect();
            Ok(DirectoryCampaigns { name, campaigns })
        })
    }

    /// Every account, in the order they were made.
    fn users(&self) -> Result<Vec<User>, StoreError> {
        self.run(|client| {
            client
                .query(USERS, &[])?
                .iter()
                .map(|r| user(user_row(r, 0)))
                .collect()
        })
    }

    /// The account named `name`.
    fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        self.run(|client| {
            client
                .query_opt(USER, &[&name])?
                .map(|r| user(user_row(&r, 0)))
                .transpose()
        })
    }

    /// Sets the password of the account whose one-time link is `token`, if still valid.
    fn set_password(
        &mut self,
        token: &str,
        password: &str,
        now: i64,
    ) -> Result<Option<String>, StoreError> {
        self.run(|client| {
            Ok(client
                .query_opt(SET_PASSWORD, &[&password, &token, &now])?
                .map(|r| r.get(0)))
        })
    }

    /// Opens a session for `name` under `token` with its CSRF secret.
    fn open_session(
        &mut self,
        token: &str,
        name: &str,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.run(|client| {
            client.execute(OPEN_SESSION, &[&token, &csrf, &now, &expires_at, &name])?;
            client.execute(SIGNED_IN_AT, &[&now, &name])?;
            Ok(())
        })
    }

    /// The account and CSRF secret of the session `token`, if open at `now`.
    fn session(&self, token: &str, now: i64) -> Result<Option<(User, String)>, StoreError> {
        self.run(|client| {
            client
                .query_opt(SESSION, &[&token, &now])?
                .map(|r| Ok((user(user_row(&r, 0))?, r.get(8))))
                .transpose()
        })
    }

    /// Disables the account `name` at `at` (its sessions end), or with none enables it:
    /// whether there is such an account.
    fn set_disabled(&mut self, name: &str, at: Option<i64>) -> Result<bool, StoreError> {
        self.write(|tx| {
            let found = tx.query_opt(SET_DISABLED, &[&at, &name])?.is_some();
            if found && at.is_some() {
                tx.execute(CLOSE_SESSIONS_OF, &[&name])?;
            }
            Ok(found)
        })
    }

    /// Takes the password of the account `name` away and gives it the one-time link `token`
    /// until `expires_at`; its sessions end. Whether there is such an account.
    fn reset_user(&mut self, name: &str, token: &str, expires_at: i64) -> Result<bool, StoreError> {
        self.write(|tx| {
            let found = tx
                .query_opt(RESET_USER, &[&token, &expires_at, &name])?
                .is_some();
            if found {
                tx.execute(CLOSE_SESSIONS_OF, &[&name])?;
            }
            Ok(found)
        })
    }

    /// Ends the session `token`.
    fn close_session(&mut self, token: &str) -> Result<(), StoreError> {
        self.run(|client| {
            client.execute(CLOSE_SESSION, &[&token])?;
            Ok(())
        })
    }

    /// Keeps an API token (its SHA-256); a name taken is refused.
    fn add_token(&mut self, new: &NewToken<'_>) -> Result<(), StoreError> {
        let done = self.run(|client| {
            Ok(client.execute(
                INSERT_TOKEN,
                &[
                    &new.token,
                    &new.name,
                    &new.unit,
                    &new.role.as_str(),
                    &new.now,
                    &new.expires_at,
                    &campaigns_json(new.campaigns),
                    &i64::from(new.read_only),
                ],
            ))
        })?;
        match done {
            Err(e) if e.code() == Some(&::postgres::error::SqlState::UNIQUE_VIOLATION) => {
                Err(token_taken(new.name))
            }
            other => other.map(|_| ()).map_err(Into::into),
        }
    }

    /// The API token whose SHA-256 is `token`, revoked, expired or not.
    fn token(&self, token: &str) -> Result<Option<ApiToken>, StoreError> {
        self.run(|client| {
            client
                .query_opt(TOKEN, &[&token])?
                .map(|r| api_token(token_row(&r)))
                .transpose()
        })
    }

    /// Every API token, in the order they were made.
    fn tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        self.run(|client| {
            client
                .query(TOKENS, &[])?
                .iter()
                .map(|r| api_token(token_row(r)))
                .collect()
        })
    }

    /// Revokes token `id` at `at`: whether it was now (not before).
    fn revoke_token(&mut self, id: i64, at: i64) -> Result<bool, StoreError> {
        self.run(|client| Ok(client.execute(REVOKE_TOKEN, &[&at, &id])? > 0))
    }

    /// Token `id` was used at `at` (kept to the minute).
    fn token_used(&mut self, id: i64, at: i64) -> Result<(), StoreError> {
        self.run(|client| {
            client.execute(TOKEN_USED, &[&at, &id])?;
            Ok(())
        })
    }

    /// Every unit's name, in any campaign.
    fn unit_names(&self) -> Result<Vec<String>, StoreError> {
        self.run(|client| texts(client, UNIT_NAMES, &[]))
    }
}
