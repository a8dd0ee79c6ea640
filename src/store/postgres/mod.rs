//! The PostgreSQL backend: one database that a province's offices share, with any number of
//! daemons, command lines and web servers against it at once. It implements the same contract
//! as the SQLite store (`contract.rs`) and passes the same suite; what differs is only how:
//! submitted files are kept in the database (content-addressed, so that any node can serve
//! them), mails are claimed with `FOR UPDATE SKIP LOCKED`, and a sync of one campaign holds a
//! transaction-scoped advisory lock (never a session lock, which a server restart would drop
//! while the session thinks it still holds it).
//!
//! The driver is the synchronous `postgres` crate (rust-postgres): the store's callers are
//! synchronous, and the daemon already runs each pass on a blocking thread.

mod accounts;
pub(super) mod asof;
mod assessment;
mod contents;
mod ledger;
mod migrate;
mod outbox;
pub(super) mod queries;
mod rows_in;
mod schema;
mod sync;
mod worklist;

use std::cell::RefCell;

use ::postgres::{Client, NoTls, Transaction};

use super::StoreError;

pub use migrate::{MigrateError, Migrated, migrate};
pub use schema::{LATEST, MIGRATIONS};

/// An open PostgreSQL store.
pub struct PgStore {
    client: RefCell<Client>,
    config: ::postgres::Config,
    server: String,
}

/// How many obligations a sync or an import must change to refresh the planner's statistics
/// at once: autovacuum would, later, and until then the daily queries are planned for a table
/// as it was (a first sync's million rows planned as none).
const ANALYZE_AFTER: i64 = 10_000;

/// The lock a sync of any campaign holds until its transaction ends ("dubn").
const SYNC_LOCK: i64 = 0x6475_626e;

impl PgStore {
    /// Connects to the database `url` names (`postgres://user:password@host/db`, or
    /// `postgres:///db?host=/socket/dir`) and brings its schema up to date. A database that
    /// holds another program's tables, or a newer duban's schema, is refused untouched.
    pub fn connect(url: &str) -> Result<PgStore, StoreError> {
        let server = redact(url);
        let mut config: ::postgres::Config =
            url.parse()
                .map_err(|e: ::postgres::Error| StoreError::Unreachable {
                    server: server.clone(),
                    message: format!("not a PostgreSQL connection string ({e})"),
                })?;
        // A sync sorts a campaign's rows in temporary tables, which live in the session's own
        // buffers: 8 MB by default would spill a national campaign to disk. Only used memory
        // counts. Set as the session starts, so that it costs no round trip.
        let options = config.get_options().unwrap_or_default().to_string();
        config.options(format!("{options} -c temp_buffers=256MB").trim());
        let client = connect(&config, &server)?;
        let store = PgStore {
            client: RefCell::new(client),
            config,
            server,
        };
        store.run(|client| schema::migrate(client, &store.server))?;
        Ok(store)
    }

    /// The server and database, with any password left out: safe to show.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Runs `work` on the connection. A connection the server closed (a restart, a failover) is
    /// opened again and `work` run once more: what failed with the connection was rolled back
    /// by the server, so nothing is done twice — except for a failure while committing, whose
    /// outcome is unknown, which [`write`](Self::write) reports instead.
    fn run<T>(
        &self,
        mut work: impl FnMut(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.client.borrow_mut();
        if client.is_closed() {
            *client = connect(&self.config, &self.server)?;
        }
        match work(&mut client) {
            Err(StoreError::Postgres(e)) if lost(&e) => {
                tracing::warn!(server = %self.server, "the database connection was lost; connecting again");
                *client = connect(&self.config, &self.server)?;
                work(&mut client).map_err(|e| self.classify(e))
            }
            other => other.map_err(|e| self.classify(e)),
        }
    }

    /// Runs `work` in one transaction, committed if it succeeds; run again on a new connection
    /// if the old one was lost before the commit.
    fn write<T>(
        &self,
        mut work: impl FnMut(&mut Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.run(|client| {
            let mut tx = client.transaction()?;
            let value = work(&mut tx)?;
            tx.commit().map_err(|e| match lost(&e) {
                // Committed or not: nobody can say, so it is not tried again.
                true => StoreError::Unreachable {
                    server: self.server.clone(),
                    message: format!("the connection was lost while committing: {e}"),
                },
                false => e.into(),
            })?;
            Ok(value)
        })
    }

    /// A broken connection is said to be one, with the server it was to.
    fn classify(&self, error: StoreError) -> StoreError {
        match error {
            StoreError::Postgres(e) if lost(&e) => StoreError::Unreachable {
                server: self.server.clone(),
                message: e.to_string(),
            },
            other => other,
        }
    }
}

/// Whether `error` is the connection's failing rather than a statement's.
fn lost(error: &::postgres::Error) -> bool {
    use std::error::Error as _;
    error.is_closed()
        || error
            .source()
            .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
}

/// An obligation's record from six columns from `first` on: state, submitted_at, closed_at,
/// due_at, effective_due_at, and the deliverable's soon_days; and its review_due_at, in column
/// `review`.
fn record(
    r: &::postgres::Row,
    first: usize,
    review: usize,
) -> Result<crate::ledger::Record, StoreError> {
    Ok(crate::ledger::Record {
        state: crate::store::decode::state(r.get(first))?,
        submitted_at: r.get(first + 1),
        closed_at: r.get(first + 2),
        due_at: r.get(first + 3),
        effective_due_at: r.get(first + 4),
        soon_seconds: r.get::<_, i64>(first + 5) * 86_400,
        review_due: r.get(review),
    })
}

fn texts(
    client: &mut impl ::postgres::GenericClient,
    sql: &str,
    params: &[&(dyn ::postgres::types::ToSql + Sync)],
) -> Result<Vec<String>, StoreError> {
    Ok(client
        .query(sql, params)?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

fn connect(config: &::postgres::Config, server: &str) -> Result<Client, StoreError> {
    config.connect(NoTls).map_err(|e| StoreError::Unreachable {
        server: server.to_string(),
        message: e.to_string(),
    })
}

/// `url` with its password (in the URL or as `password=`) replaced by `***`.
pub fn redact(url: &str) -> String {
    let hidden = if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        match authority.rsplit_once('@') {
            Some((user, host)) if user.contains(':') => {
                let name = user.split(':').next().unwrap_or_default();
                format!("{scheme}://{name}:***@{host}{tail}")
            }
            _ => url.to_string(),
        }
    } else {
        url.to_string()
    };
    hidden
        .split(['&', '?', ' '])
        .fold(hidden.clone(), |text, part| match part.split_once('=') {
            Some(("password", value)) if !value.is_empty() => {
                text.replace(&format!("password={value}"), "password=***")
            }
            _ => text,
        })
}

impl From<::postgres::Error> for StoreError {
    fn from(error: ::postgres::Error) -> StoreError {
        StoreError::Postgres(error)
    }
}

/// Whether `database` names a PostgreSQL database rather than an SQLite file.
pub fn is_url(database: &str) -> bool {
    database.starts_with("postgres://") || database.starts_with("postgresql://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://duban:s3cret@db.example.org:5432/province"),
            "postgres://duban:***@db.example.org:5432/province"
        );
        assert_eq!(
            redact("postgres://duban@db/p?password=s3cret&sslmode=disable"),
            "postgres://duban@db/p?password=***&sslmode=disable"
        );
        assert_eq!(
            redact("postgresql:///p?host=/tmp/x"),
            "postgresql:///p?host=/tmp/x"
        );
        assert!(is_url("postgresql:///p") && !is_url("duban.db"));
    }
}
