//! `duban.toml`: where the database, the campaigns and the submitted files live, and how mail is
//! sent. Found at `--config PATH`, else `$DUBAN_CONFIG`, else `./duban.toml`; with none of them
//! the defaults apply (a missing config is not an error). Relative paths are read from the
//! config file's folder.
//!
//! ```toml
//! database = "duban.db"           # default: duban.db beside the config
//! campaigns = "campaigns"         # folder of *.campaign files
//! files = "duban-files"           # where submitted files are copied (default: beside the database)
//! holidays = "holidays-2027.toml" # optional: adds years to the shipped calendar
//! contacts = "contacts.toml"      # optional: the office's address book, for every campaign
//!                                 # that names no contacts file of its own
//! busy_timeout_ms = 5000          # how long to wait for a locked database
//!
//! [mail]
//! url = "smtp://mail.example.org:587?tls=required"   # DUBAN_SMTP_URL overrides
//! from = "督办 <duban@example.org>"
//! password_file = "/etc/duban/smtp-password"         # or DUBAN_SMTP_PASSWORD
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// The validated configuration the program runs on.
#[derive(Clone, Debug)]
pub struct Config {
    /// The config file read, if any.
    pub source: Option<PathBuf>,
    /// The SQLite database.
    pub database: PathBuf,
    /// The folder of campaign files.
    pub campaigns: PathBuf,
    /// Where submitted files are copied.
    pub files: PathBuf,
    /// A holiday file adding years to the shipped calendar.
    pub holidays: Option<PathBuf>,
    /// The office's contacts file (an absolute path): used by every campaign that names none of
    /// its own.
    pub contacts: Option<PathBuf>,
    /// How long to wait for a database another process is writing.
    pub busy_timeout: Duration,
    /// Mail settings.
    pub mail: MailConfig,
}

/// The `[mail]` table.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// lettre's SMTP URL (`smtp://host:port`, `smtps://…`, `?tls=required`).
    pub url: Option<String>,
    /// The sender.
    pub from: Option<String>,
    /// A file holding the SMTP password.
    pub password_file: Option<PathBuf>,
    /// The SMTP user name (default: none, or the URL's).
    pub user: Option<String>,
    /// Send attempts before a notice is marked failed.
    pub max_attempts: Option<u32>,
    /// Seconds to wait for the server on each send.
    pub timeout_seconds: Option<u64>,
}

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// It could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not valid.
    #[error("config {path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    database: Option<PathBuf>,
    campaigns: Option<PathBuf>,
    files: Option<PathBuf>,
    holidays: Option<PathBuf>,
    contacts: Option<PathBuf>,
    busy_timeout_ms: Option<u64>,
    #[serde(default)]
    mail: MailConfig,
}

impl Config {
    /// Finds and reads the configuration: `explicit`, else `$DUBAN_CONFIG`, else
    /// `./duban.toml`, else the defaults (relative to the working directory).
    pub fn discover(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let from_env = std::env::var_os("DUBAN_CONFIG").map(PathBuf::from);
        let path = match explicit.map(Path::to_path_buf).or(from_env) {
            Some(path) => Some(path),
            None => Some(PathBuf::from("duban.toml")).filter(|p| p.is_file()),
        };
        match path {
            Some(path) => Config::read(&path),
            None => Ok(Config::from_file(
                None,
                Path::new("."),
                ConfigFile::default(),
            )),
        }
    }

    /// Reads the config file at `path`.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file: ConfigFile = toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: e.message().to_string(),
        })?;
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Ok(Config::from_file(Some(path.to_path_buf()), base, file))
    }

    fn from_file(source: Option<PathBuf>, base: &Path, file: ConfigFile) -> Config {
        let resolve = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        let database = resolve(file.database.unwrap_or_else(|| PathBuf::from("duban.db")));
        let files = match file.files {
            Some(f) => resolve(f),
            None => database.with_file_name("duban-files"),
        };
        let mut mail = file.mail;
        mail.password_file = mail.password_file.map(resolve);
        Config {
            source,
            database,
            campaigns: resolve(file.campaigns.unwrap_or_else(|| PathBuf::from("campaigns"))),
            files,
            holidays: file.holidays.map(resolve),
            // Absolute: campaigns are read from their own folder, not from the config's.
            contacts: file
                .contacts
                .map(resolve)
                .map(|p| std::path::absolute(&p).unwrap_or(p)),
            busy_timeout: Duration::from_millis(file.busy_timeout_ms.unwrap_or(5000)),
            mail,
        }
    }

    /// Uses `database` instead of the configured one (`--db`); submitted files go beside it
    /// unless the config names their folder.
    pub fn with_database(mut self, database: PathBuf, files_configured: bool) -> Config {
        if !files_configured {
            self.files = database.with_file_name("duban-files");
        }
        self.database = database;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("duban.toml");
        std::fs::write(
            &path,
            "database = \"state/d.db\"\ncampaigns = \"c\"\n[mail]\nfrom = \"a@example.org\"\n",
        )
        .unwrap();
        let config = Config::read(&path).unwrap();
        assert_eq!(config.database, dir.path().join("state/d.db"));
        assert_eq!(config.files, dir.path().join("state/duban-files"));
        assert_eq!(config.campaigns, dir.path().join("c"));
        assert_eq!(config.mail.from.as_deref(), Some("a@example.org"));
    }

    #[test]
    fn unknown_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("duban.toml");
        std::fs::write(&path, "databse = \"x\"\n").unwrap();
        let error = Config::read(&path).unwrap_err().to_string();
        assert!(error.contains("databse"), "{error}");
    }
}
