//! Why a use case could not run.

use crate::config::ConfigError;
use crate::language::load::ReadError;
use crate::notices::pass::PassError;
use crate::schedule::calendar::CalendarError;
use crate::store::StoreError;

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The holiday file is unusable.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The records refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The mail settings are unusable: no server, an unreadable password file, a bad URL.
    #[error("{message}")]
    Mail {
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A holiday file with no notice in it (holiday-cn's file of a year not yet announced).
    #[error(
        "{} holds no holiday notice (holiday-cn publishes an empty file until the State Council's notice is out)",
        path.display()
    )]
    NoHolidayNotice {
        /// The file.
        path: std::path::PathBuf,
    },
    /// A migration was refused or its copy did not check out.
    #[error(transparent)]
    Migrate(Box<crate::store::postgres::MigrateError>),
    /// `duban migrate` reads an SQLite store: the configured database is not one, or absent.
    #[error("there is no SQLite store to migrate from: {database}")]
    NothingToMigrate {
        /// The configured database, and why.
        database: String,
    },
    /// A notice pass failed (templates, the mail server).
    #[error("{0}")]
    Pass(String),
}

impl From<crate::store::postgres::MigrateError> for AppError {
    fn from(e: crate::store::postgres::MigrateError) -> AppError {
        AppError::Migrate(Box::new(e))
    }
}

impl From<PassError> for AppError {
    fn from(e: PassError) -> AppError {
        match e {
            PassError::Store(e) => AppError::Store(e),
            other => AppError::Pass(other.to_string()),
        }
    }
}
