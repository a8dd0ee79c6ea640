//! The store: every campaign's obligations and the append-only history of what happened to
//! each. What a store must do, whatever its engine, is the contract of `contract.rs`; what an
//! action does to an obligation is the [`ledger`](crate::ledger)'s to say, and the store saves
//! it. This module holds what every engine shares: the contract (its traits, the rows and values
//! they take and give, [`StoreError`]), the SQL text both engines run, and the pure code that
//! turns their rows into answers. The engines sit beside each other and never use one another:
//! one SQLite file, the embedded default (`sqlite/`: WAL mode so that the daemon and staff at the
//! command line can use it at once; every change in one transaction; a locked database is waited
//! for, then refused with a clear message; a file that is not a duban database is refused without
//! being touched), and a PostgreSQL database that a province's nodes share ([`postgres`]).
//! Copying the one into the other ([`migrate`]) is the only code that knows both.

pub mod accounts;
pub(crate) mod asof;
pub mod assessment;
mod contents;
mod contract;
mod deadlines;
mod decode;
mod import;
pub mod letters;
mod lifecycle;
pub mod migrate;
pub mod organisation;
mod outbox;
mod owed;
mod plan_input;
pub mod postgres;
mod query;
mod renames;
mod row_words;
mod rows;
mod scope;
mod shared;
mod sqlite;
mod sync;
mod unchanged;
pub mod worklist;

use std::path::PathBuf;

pub use crate::ledger::{Action, Refusal, Signature, State, Status, Submission, Upload};
pub use accounts::{
    ApiToken, DirectoryCampaigns, FailedSignIns, NewToken, NewUser, Role, Throttle, Turn, User,
};
pub use asof::{Overlay, Then};
pub use assessment::{Assessed, CampaignHeader, Interview, NewInterview, Reported, Told};
pub use contents::{
    Asks, Described, LedgerRow, LedgerRules, NewRow, Standing, Sum, TargetValue, Threshold,
    UnitReach,
};
pub use contract::{
    Accounts, Assessment, Backend, Campaigns, Contents, FileSource, Files, Ledger, Location,
    Organisation, Outbox, Queries,
};

/// Open records, whichever backend holds them.
pub type Records = Box<dyn Backend + Send>;
pub use self::postgres::PgStore;
pub use import::{BadRow, ImportBatch, ImportError, ImportReport, ImportRow, RowProblem};
pub use letters::{Letter, LetterItem, Letters, NewLetter};
pub use lifecycle::{Change, Key, Meta};
pub use organisation::{OrgContact, OrgImportError, OrgReport, OrgRow, OrgUnit, Parent};
pub use outbox::{
    Attachment, Claim, NoticeKey, OutboxMail, OutboxRow, PendingMail, RecordedEvent, Skip,
};
pub use owed::{Below, CampaignRow, Candidate, Directory, Mailboxes};
pub use plan_input::{PlanInput, Written};
pub use query::{
    DueRow, Filter, HistoryEvent, HistoryFile, Light, OverdueRow, StandingDuty, StatusRow, Window,
};
pub use sqlite::{ChangeStamp, Options, Store, change_stamp, schema};
pub use sync::{Recorded, Source, SyncOutcome, SyncReport};
pub use worklist::WorkItem;

/// Why the store refused.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A stored value duban cannot read back: never replaced by a default.
    #[error("the database holds a value duban cannot read back: {message}")]
    Decode {
        /// What it held, and what it should have been.
        message: String,
    },
    /// The database file could not be opened.
    #[error("cannot open database {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// The file is not an SQLite database, or not duban's.
    #[error("{path} is not a duban database ({why}); it was left untouched")]
    NotDuban {
        /// The file.
        path: PathBuf,
        /// What it looks like instead.
        why: String,
    },
    /// The database was written by a newer duban.
    #[error(
        "{path} has schema version {found}, but this duban knows versions up to {known}: upgrade duban"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// The newest this program knows.
        known: i64,
    },
    /// Another process held the database for longer than the wait allows.
    #[error(
        "the database {path} is locked by another process (waited {waited_ms} ms); try again, or raise busy_timeout_ms"
    )]
    Locked {
        /// The file.
        path: PathBuf,
        /// How long it waited.
        waited_ms: u128,
    },
    /// The database file may not be written.
    #[error("the database {path} is read-only: cannot {doing}")]
    ReadOnly {
        /// The file.
        path: PathBuf,
        /// What needed writing.
        doing: String,
    },
    /// `--db` or the configuration names a symbolic link to nothing.
    #[error("{path} is a symbolic link to {target}, which does not exist; it was not created")]
    DanglingLink {
        /// The link.
        path: PathBuf,
        /// Where it points.
        target: PathBuf,
    },
    /// The database reported damage.
    #[error("the database {path} is damaged: {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// SQLite's words.
        message: String,
    },
    /// A request the records do not allow (unknown names, a second submission, …).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// A transaction its caller rolled back on purpose (an import with bad rows).
    #[error("rolled back")]
    RolledBack,
    /// A pass no longer holds the claim on a mail it sent: its claim expired and another pass
    /// took the mail over.
    #[error(
        "mail {mail} is no longer claimed by this pass: another pass took it over after the claim expired"
    )]
    ClaimLost {
        /// The mail.
        mail: i64,
    },
    /// Another process changed what this one was about to write (PostgreSQL, where an import
    /// reads first and writes at the end): nothing was written.
    #[error(
        "{changed} obligation(s) were changed by someone else during {doing}; nothing was recorded: run it again"
    )]
    Concurrent {
        /// What was under way.
        doing: String,
        /// How many obligations changed meanwhile.
        changed: usize,
    },
    /// A deliverable whose obligations have history is no longer in the campaign file.
    #[error(
        "`{deliverable}` is no longer in campaign `{campaign}`, but {obligations} of its obligations have submissions or decisions; the campaign was not synced"
    )]
    HistoryWouldBeLost {
        /// The campaign.
        campaign: String,
        /// The deliverable's stored name.
        deliverable: String,
        /// Its obligations with history.
        obligations: i64,
    },
    /// A submitted file could not be stored.
    #[error("cannot store {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Any other SQLite failure.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// The PostgreSQL server could not be reached, refused the login, or broke the connection.
    #[error("cannot reach the PostgreSQL database {server}: {message}")]
    Unreachable {
        /// The server and database (never the password).
        server: String,
        /// Why.
        message: String,
    },
    /// TLS to the PostgreSQL server could not be set up as the URL asks, or the server's
    /// certificate was refused: nothing was sent to it.
    #[error("no secure connection to the PostgreSQL database {server}: {message}")]
    Insecure {
        /// The server and database (never the password).
        server: String,
        /// Why.
        message: String,
        /// What to do about it.
        help: &'static str,
    },
    /// The connection to the PostgreSQL server broke (a restart, a failover, a terminated
    /// session, the network) and a new one did not succeed in time.
    #[error("the connection to the PostgreSQL database {server} was lost{doing}: {message}")]
    ConnectionLost {
        /// The server and database (never the password).
        server: String,
        /// What was under way, as ` while …`, or empty.
        doing: String,
        /// The server's or the network's words.
        message: String,
    },
    /// Any other PostgreSQL failure.
    #[error("database error: {}", describe_postgres(.0))]
    Postgres(::postgres::Error),
}

impl StoreError {
    /// What would fix it, if anything is known.
    pub fn help(&self) -> Option<String> {
        match self {
            StoreError::Refused(refusal) => refusal.help(),
            StoreError::Unreachable { .. } => Some(
                "is the PostgreSQL server running, and does `database` in duban.toml (or --db) name it right?".into(),
            ),
            StoreError::Insecure { help, .. } => Some((*help).into()),
            StoreError::ConnectionLost { .. } => Some(
                "the server restarted or the network failed: run it again once the server is back (the daemon's next pass does)".into(),
            ),
            StoreError::HistoryWouldBeLost { deliverable, .. } => Some(format!(
                "if it was renamed, say so in its block: `formerly \"{deliverable}\"` (原名); if it was removed on purpose, run `duban sync --accept-removals`"
            )),
            _ => None,
        }
    }
}

/// The words of a PostgreSQL error, with what the server or the network said: the driver's
/// own `Display` of a server's error is only "db error".
fn describe_postgres(error: &::postgres::Error) -> String {
    use std::error::Error as _;
    if let Some(db) = error.as_db_error() {
        return format!("{}: {} ({})", db.severity(), db.message(), db.code().code());
    }
    match error.source() {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

/// One shared copy of each distinct text: the periods of a listing, say, which thousands of
/// rows repeat.
#[derive(Debug, Default)]
struct Interner(std::collections::HashMap<String, std::sync::Arc<str>>);

impl Interner {
    /// The shared copy of `text`.
    fn get(&mut self, text: &str) -> std::sync::Arc<str> {
        if let Some(shared) = self.0.get(text) {
            return shared.clone();
        }
        let shared: std::sync::Arc<str> = text.into();
        self.0.insert(text.to_string(), shared.clone());
        shared
    }
}
