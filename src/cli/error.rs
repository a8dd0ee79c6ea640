//! Errors that end a command, and how they read.

use crate::language::load::ReadError;
use crate::schedule::calendar::CalendarError;

/// Why a command failed. Diagnostics of a campaign are printed where they are found; this only
/// carries what is left to say.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The holiday file is unusable.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The campaign has errors (already printed).
    #[error("{path} has errors; run `duban check {path}` for all of them")]
    Invalid {
        /// The campaign file.
        path: String,
    },
    /// Arguments that do not fit the campaign.
    #[error("{message}")]
    Usage {
        /// What is wrong, with a suggestion where there is one.
        message: String,
    },
    /// Writing the output failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}
