//! Errors that end a command, and how they read.

use crate::app::AppError;
use crate::clock::InstantError;
use crate::config::ConfigError;
use crate::language::load::ReadError;
use crate::schedule::calendar::CalendarError;
use crate::store::StoreError;

/// Why a command failed. Diagnostics of a campaign are printed where they are found; this only
/// carries what is left to say.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A use case of the office failed: a file, the configuration, the calendar, the records,
    /// the mail settings.
    #[error(transparent)]
    App(#[from] AppError),
    /// A time that cannot be read.
    #[error(transparent)]
    Instant(#[from] InstantError),
    /// The campaign has errors (already printed).
    #[error("{path} has errors; run `duban check {path}` for all of them")]
    Invalid {
        /// The campaign file.
        path: String,
    },
    /// Arguments that do not fit.
    #[error("{message}")]
    Usage {
        /// What is wrong, with a suggestion where there is one.
        message: String,
    },
    /// A document could not be read for drafting.
    #[error(transparent)]
    Document(#[from] crate::draft::ReadError),
    /// A document could not be drafted.
    #[error(transparent)]
    Draft(#[from] crate::draft::DraftError),
    /// Writing the output failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    /// A file or folder could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or folder.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A workbook could not be made.
    #[error("the workbook could not be made: {0}")]
    Workbook(#[from] rust_xlsxwriter::XlsxError),
    /// A blank form's workbook could not be made.
    #[error("the workbook could not be made: {0}")]
    Sheet(#[from] crate::values::sheet::SheetError),
    /// A listing written for a workbook could not be read back.
    #[error("the listing could not be read back: {0}")]
    ReadBack(#[from] csv::Error),
    /// The daemon could not start.
    #[error(transparent)]
    Daemon(#[from] crate::daemon::DaemonError),
    /// The web server could not start or failed.
    #[error(transparent)]
    Web(#[from] crate::web::WebError),
    /// The daemon run beside the web server stopped with a panic.
    #[error("the daemon stopped with a panic")]
    DaemonPanicked,
    /// A pass had mail to send and sent none: the server is down, refuses them, or refused
    /// the login.
    #[error("{}", match (login_refused, untrusted) {
        (Some(refusal), _) => format!("the mail server refused the login ({refusal}); every mail is still pending: check [mail] user and the password"),
        (None, Some(why)) => format!("{why}; every mail is still pending: check [mail] url (the server's name as its certificate gives it, its tls=) and ca_file (the authority that signed it)"),
        (None, None) => "no mail could be sent; they are in the outbox (`duban outbox`)".to_string(),
    })]
    NothingSent {
        /// The server's refusal of the login, if that was why.
        login_refused: Option<String>,
        /// Why the server's certificate was not trusted, if that was why.
        untrusted: Option<String>,
    },
    /// A channel checked (`duban channels check`) is not usable, or refused a test message.
    #[error("{channel}: {why}")]
    ChannelRefused {
        /// The channel.
        channel: &'static str,
        /// Why.
        why: String,
    },
}

impl CliError {
    /// What would fix it, if anything is known.
    pub fn help(&self) -> Option<String> {
        match self {
            CliError::App(AppError::Store(e)) => e.help(),
            _ => None,
        }
    }
}

/// The errors a command meets outside a use case go the same way as inside one.
macro_rules! through_the_office {
    ($($error:ty),*) => {$(
        impl From<$error> for CliError {
            fn from(e: $error) -> CliError {
                CliError::App(e.into())
            }
        }
    )*};
}

through_the_office!(ReadError, ConfigError, CalendarError, StoreError);
