//! The people who sign in and their sessions, on PostgreSQL: the statements of
//! `store::accounts`.

use super::{PgStore, texts};
use crate::language::campaign::Contact;
use crate::store::StoreError;
use crate::store::accounts::{
    ADD_FAILURE, CLOSE_SESSION, FAILURES, FORGET_FAILURES, INSERT_TOKEN, INSERT_USER, NewUser,
    OPEN_SESSION, SESSION, SET_PASSWORD, TOKEN, UNIT_CONTACTS, UNIT_NAMES, USER, USERS, User,
    contacts_of, holder, taken, user,
};

impl PgStore {
    /// Creates an account; a name taken is refused.
    pub fn add_user(&mut self, new: &NewUser<'_>) -> Result<(), StoreError> {
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

    /// How many failed sign-ins `key` (an account or an address) has had since `since`.
    pub fn failures(&self, key: &str, since: i64) -> Result<usize, StoreError> {
        self.run(|client| {
            let count: i64 = client.query_one(FAILURES, &[&key, &since])?.get(0);
            Ok(usize::try_from(count).unwrap_or(usize::MAX))
        })
    }

    /// Counts a failed sign-in of `key` at `at`, and forgets those before `forget_before`.
    pub fn add_failure(
        &mut self,
        key: &str,
        at: i64,
        forget_before: i64,
    ) -> Result<(), StoreError> {
        self.run(|client| {
            client.execute(FORGET_FAILURES, &[&forget_before])?;
            client.execute(ADD_FAILURE, &[&key, &at])?;
            Ok(())
        })
    }

    /// Every unit's contact people, by campaign and unit, in declaration order.
    pub fn unit_contacts(&self) -> Result<Vec<(String, String, Vec<Contact>)>, StoreError> {
        self.run(|client| {
            client
                .query(UNIT_CONTACTS, &[])?
                .iter()
                .map(|r| contacts_of(r.get(0), r.get(1), r.get::<_, &str>(2)))
                .collect()
        })
    }

    /// Every account, in the order they were made.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        self.run(|client| {
            client
                .query(USERS, &[])?
                .iter()
                .map(|r| user(r.get(0), r.get(1), r.get(2), r.get(3)))
                .collect()
        })
    }

    /// The account named `name`.
    pub fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        self.run(|client| {
            client
                .query_opt(USER, &[&name])?
                .map(|r| user(r.get(0), r.get(1), r.get(2), r.get(3)))
                .transpose()
        })
    }

    /// Sets the password of the account whose one-time link is `token`, if still valid.
    pub fn set_password(
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
    pub fn open_session(
        &mut self,
        token: &str,
        name: &str,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.run(|client| {
            client.execute(OPEN_SESSION, &[&token, &csrf, &now, &expires_at, &name])?;
            Ok(())
        })
    }

    /// The account and CSRF secret of the session `token`, if open at `now`.
    pub fn session(&self, token: &str, now: i64) -> Result<Option<(User, String)>, StoreError> {
        self.run(|client| {
            client
                .query_opt(SESSION, &[&token, &now])?
                .map(|r| Ok((user(r.get(0), r.get(1), r.get(2), r.get(3))?, r.get(4))))
                .transpose()
        })
    }

    /// Ends the session `token`.
    pub fn close_session(&mut self, token: &str) -> Result<(), StoreError> {
        self.run(|client| {
            client.execute(CLOSE_SESSION, &[&token])?;
            Ok(())
        })
    }

    /// Keeps an API token acting for `unit` as `role`.
    pub fn add_token(
        &mut self,
        token: &str,
        unit: Option<&str>,
        role: crate::store::Role,
        now: i64,
    ) -> Result<(), StoreError> {
        self.run(|client| {
            client.execute(INSERT_TOKEN, &[&token, &unit, &role.as_str(), &now])?;
            Ok(())
        })
    }

    /// Whom the API token `token` acts for.
    pub fn token(&self, token: &str) -> Result<Option<User>, StoreError> {
        self.run(|client| {
            client
                .query_opt(TOKEN, &[&token])?
                .map(|r| holder(r.get(0), r.get(1)))
                .transpose()
        })
    }

    /// Every unit's name, in any campaign.
    pub fn unit_names(&self) -> Result<Vec<String>, StoreError> {
        self.run(|client| texts(client, UNIT_NAMES, &[]))
    }
}
