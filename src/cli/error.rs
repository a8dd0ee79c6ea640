//! Errors that end a command, and how they read.

use crate::clock::InstantError;
use crate::config::ConfigError;
use crate::language::load::ReadError;
use crate::schedule::calendar::CalendarError;
use crate::store::StoreError;

/// Why a command failed. Diagnostics of a campaign are printed where they are found; this only
/// carries what is left to say.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The holiday file is unusable.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
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
            CliError::Store(e) => e.help(),
            _ => None,
        }
    }
}

impl From<crate::app::AppError> for CliError {
    fn from(e: crate::app::AppError) -> CliError {
        use crate::app::AppError;
        match e {
            AppError::Read(e) => CliError::Read(e),
            AppError::Config(e) => CliError::Config(e),
            AppError::Calendar(e) => CliError::Calendar(e),
            AppError::Store(e) => CliError::Store(e),
            AppError::Mail { message } => CliError::Usage { message },
            AppError::Pass(message) => CliError::Usage { message },
            e @ AppError::NoHolidayNotice { .. } => CliError::Usage {
                message: e.to_string(),
            },
        }
    }
}
