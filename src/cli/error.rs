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
    /// Writing the output failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
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
