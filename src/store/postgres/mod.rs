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
mod batch;
mod contents;
mod deadlines;
mod ledger;
mod letters;
mod organisation;
mod outbox;
pub(super) mod queries;
mod schema;
mod sync;
mod tls;

use std::cell::RefCell;

use ::postgres::{Client, NoTls, Transaction};

use super::{Location, StoreError, describe_postgres};

pub use schema::{LATEST, MIGRATIONS};

/// An open PostgreSQL store.
pub struct PgStore {
    client: RefCell<Client>,
    config: ::postgres::Config,
    /// TLS as the URL's `sslmode` asks; `None` for `disable`.
    tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
    server: String,
}

impl Location for PgStore {
    fn location(&self) -> String {
        self.server().to_string()
    }

    fn is_read_only(&self) -> bool {
        false
    }
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
        let insecure = |e: tls::TlsError| StoreError::Insecure {
            server: server.clone(),
            message: e.to_string(),
            help: "see `sslmode` and `sslrootcert` in README.md (One database for a province)",
        };
        let (url, wish) = tls::split(url).map_err(insecure)?;
        let tls = match wish.mode {
            tls::Mode::Disable => None,
            _ => Some(tls::connector(&wish).map_err(insecure)?),
        };
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
        config.ssl_mode(tls::library_mode(wish.mode));
        let client = connect(&config, tls.as_ref(), &server)?;
        let store = PgStore {
            client: RefCell::new(client),
            config,
            tls,
            server,
        };
        store.run(|client| schema::migrate(client, &store.server))?;
        Ok(store)
    }

    /// The server and database, with any password left out: safe to show.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The connection, for [`migrate`](crate::store::migrate), which copies into it.
    pub(in crate::store) fn client(&self) -> std::cell::RefMut<'_, Client> {
        self.client.borrow_mut()
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
            *client = connect(&self.config, self.tls.as_ref(), &self.server)?;
        }
        match work(&mut client) {
            Err(StoreError::Postgres(e)) if lost(&e) => {
                tracing::warn!(server = %self.server, error = %describe_postgres(&e), "the database connection was lost; connecting again");
                *client = connect(&self.config, self.tls.as_ref(), &self.server)?;
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
        self.run(|client| match transaction(client, &mut work) {
            Ok(value) => Ok(value),
            // Committed or not: nobody can say, so it is not tried again.
            Err(Failure::Committing(e)) => {
                Err(self
                    .lost_connection(" while committing (whether it was recorded is unknown)", &e))
            }
            Err(Failure::Work(e)) => Err(e),
        })
    }

    /// Records what has already happened outside the database — a mail the server accepted —
    /// so that it is not done again: a connection lost before or while committing is opened
    /// again, waiting longer each time (up to [`RECORD_FOR`] in all, which a server's restart
    /// fits in), and `work` run once more on it. `work` is told whether an earlier try may have
    /// committed already, so that it can recognise its own write instead of refusing it. Safe
    /// for writes guarded by a claim: nobody else may write the row meanwhile.
    fn record<T>(
        &self,
        doing: &str,
        mut work: impl FnMut(&mut Transaction<'_>, bool) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let started = std::time::Instant::now();
        let mut wait = std::time::Duration::from_millis(100);
        let mut maybe_done = false;
        let mut reconnect = false;
        loop {
            let mut client = self.client.borrow_mut();
            let attempt = if reconnect || client.is_closed() {
                connect(&self.config, self.tls.as_ref(), &self.server).map(|fresh| *client = fresh)
            } else {
                Ok(())
            };
            let lost_now = match attempt {
                Err(e) => e,
                Ok(()) => match transaction(&mut client, &mut |tx| work(tx, maybe_done)) {
                    Ok(value) => return Ok(value),
                    Err(Failure::Committing(e)) => {
                        maybe_done = true;
                        self.lost_connection(" while committing", &e)
                    }
                    Err(Failure::Work(StoreError::Postgres(e))) if lost(&e) => {
                        self.lost_connection("", &e)
                    }
                    Err(Failure::Work(e)) => return Err(self.classify(e)),
                },
            };
            drop(client);
            if started.elapsed() >= RECORD_FOR {
                let message = match lost_now {
                    StoreError::ConnectionLost { message, .. }
                    | StoreError::Unreachable { message, .. } => message,
                    other => other.to_string(),
                };
                return Err(StoreError::ConnectionLost {
                    server: self.server.clone(),
                    doing: format!(
                        " while recording {doing}, and no new one could record it within {} s",
                        RECORD_FOR.as_secs()
                    ),
                    message,
                });
            }
            tracing::warn!(server = %self.server, error = %lost_now, "the database connection was lost while recording {doing}: trying again on a new one");
            std::thread::sleep(wait);
            wait = (wait * 2).min(std::time::Duration::from_secs(5));
            reconnect = true;
        }
    }

    /// A broken connection is said to be one, with the server it was to.
    fn classify(&self, error: StoreError) -> StoreError {
        match error {
            StoreError::Postgres(e) if lost(&e) => self.lost_connection("", &e),
            other => other,
        }
    }

    fn lost_connection(&self, doing: &str, error: &::postgres::Error) -> StoreError {
        StoreError::ConnectionLost {
            server: self.server.clone(),
            doing: doing.to_string(),
            message: describe_postgres(error),
        }
    }
}

/// How long [`PgStore::record`] keeps trying to record what was done outside the database.
const RECORD_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// Why a transaction failed: in its work (rolled back by the server if the connection went
/// with it), or while committing (its outcome unknown if the connection went).
enum Failure {
    Work(StoreError),
    Committing(::postgres::Error),
}

/// `work` in one transaction on `client`, committed if it succeeds.
fn transaction<T>(
    client: &mut Client,
    work: &mut dyn FnMut(&mut Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, Failure> {
    let mut tx = client.transaction().map_err(|e| Failure::Work(e.into()))?;
    let value = work(&mut tx).map_err(Failure::Work)?;
    match tx.commit() {
        Ok(()) => Ok(value),
        Err(e) if lost(&e) => Err(Failure::Committing(e)),
        Err(e) => Err(Failure::Work(e.into())),
    }
}

/// Whether `error` is the connection's failing rather than a statement's: closed, broken
/// (an I/O error), or ended by the server — shut down or restarting (`57P01`–`57P03`), the
/// session terminated (`pg_terminate_backend`, also `57P01`), or any other FATAL error, after
/// which the server closes the session.
fn lost(error: &::postgres::Error) -> bool {
    use ::postgres::error::{Severity, SqlState};
    use std::error::Error as _;
    if error.is_closed()
        || error
            .source()
            .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
    {
        return true;
    }
    let Some(db) = error.as_db_error() else {
        return false;
    };
    let ended = [
        SqlState::ADMIN_SHUTDOWN,
        SqlState::CRASH_SHUTDOWN,
        SqlState::CANNOT_CONNECT_NOW,
        SqlState::CONNECTION_EXCEPTION,
        SqlState::CONNECTION_FAILURE,
        SqlState::CONNECTION_DOES_NOT_EXIST,
    ];
    ended.contains(db.code())
        || matches!(
            db.parsed_severity(),
            Some(Severity::Fatal | Severity::Panic)
        )
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

fn connect(
    config: &::postgres::Config,
    tls: Option<&tokio_postgres_rustls::MakeRustlsConnect>,
    server: &str,
) -> Result<Client, StoreError> {
    let connected = match tls {
        Some(tls) => config.connect(tls.clone()),
        None => config.connect(NoTls),
    };
    connected.map_err(|e| {
        let message = describe_postgres(&e);
        match tls_help(&message) {
            Some(help) => StoreError::Insecure {
                server: server.to_string(),
                message,
                help,
            },
            None => StoreError::Unreachable {
                server: server.to_string(),
                message,
            },
        }
    })
}

/// What to do about a refused certificate or a server without TLS, from rustls's words.
fn tls_help(message: &str) -> Option<&'static str> {
    let said = |words: &[&str]| words.iter().any(|w| message.contains(w));
    if said(&["NotValidForName", "not valid for name"]) {
        Some(
            "the server's certificate is not made for the host the URL names (sslmode=verify-full checks it): name the host as the certificate does",
        )
    } else if said(&["UnknownIssuer", "unknown issuer"]) {
        Some(
            "the server's certificate is signed by an authority not trusted here: name its certificate with sslrootcert=FILE in the URL",
        )
    } else if message.contains("invalid peer certificate") {
        Some("the server's certificate was refused: ask its administrator for a valid one")
    } else if message.contains("server does not support TLS") {
        Some(
            "the URL asks for TLS (sslmode) and the server offers none: turn on ssl on the server, or use a local socket",
        )
    } else {
        None
    }
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
