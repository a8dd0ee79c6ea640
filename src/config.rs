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
//! calendars = "calendars"         # where `duban calendar import` keeps holiday notices
//! contacts = "contacts.toml"      # optional: the office's address book, for every campaign
//!                                 # that names no contacts file of its own
//! allowed_folders = ["/srv/shared"] # folders outside this one that campaigns may name files in
//! busy_timeout_ms = 5000          # how long to wait for a locked database
//! backfill_days = 30              # how far back the office may record a past act (补录);
//!                                 # default: no limit
//! token_days = 180                # how long a new API token works unless `token create
//!                                 # --expires` says otherwise (default 180)
//! base_url = "https://duban.example.gov.cn"  # where people reach the pages: the links
//!                                 # `user add`, `user reset` and `user import` print
//!                                 # (default http://127.0.0.1:8080, `serve`'s own default)
//! lang = "zh"                    # the command line's tables headed in Chinese (default "en";
//!                                 # `--lang` overrides; CSV and JSON keep their English keys)
//! kept_pages_seconds = 5          # how long `serve` shows a page again to the person who
//!                                 # asked for it while nothing changed (web::kept; SQLite
//!                                 # only); 0: never
//! zone = "Asia/Shanghai"          # the office's zone: the times that belong to no campaign
//!                                 # (accounts, tokens, sign-ins) are shown and a local
//!                                 # `--as-of` for them is read in it (default Asia/Shanghai)
//!
//! [mail]
//! url = "smtp://mail.example.org:587?tls=required"   # DUBAN_SMTP_URL overrides
//! from = "督办 <duban@example.org>"
//! password_file = "/etc/duban/smtp-password"         # or DUBAN_SMTP_PASSWORD
//! ca_file = "/etc/duban/mail-ca.pem"                 # an authority besides the system's
//!
//! [channels]
//! robots_file = "/etc/duban/robots.toml"   # the group robots and their keys (notices::robots);
//!                                          # or DUBAN_ROBOTS_FILE, or the credential robots.toml
//! webhooks_file = "/etc/duban/webhooks.toml"   # other systems told of the record's events
//!                                          # (notices::webhooks); or DUBAN_WEBHOOKS_FILE, or
//!                                          # the credential webhooks.toml
//! wecom_url = "https://qyapi.weixin.qq.com"   # each app's API: its public address by default
//! dingtalk_url = "https://oapi.dingtalk.com"
//! feishu_url = "https://open.feishu.cn"
//! ca_file = "/etc/duban/gateway-ca.pem"    # an authority besides the system's
//! timeout_seconds = 10
//! one_per_item = false                     # robots and SMS: one message per item, not a digest
//!
//! [sms]
//! url = "https://dysmsapi.aliyuncs.com"   # or a province's own gateway of the same shape
//! key_id = "LTAI…"
//! secret_file = "/etc/duban/sms-secret"   # or DUBAN_SMS_SECRET, or the credential sms-secret
//! sign_name = "南阳市纪委监委"
//! template = "SMS_000001"                 # variables ${kind} ${title} ${summary}
//! region = "cn-hangzhou"
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// The office's zone unless duban.toml names another: China Standard Time.
pub const OFFICE_ZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// The validated configuration the program runs on.
#[derive(Clone, Debug)]
pub struct Config {
    /// The config file read, if any.
    pub source: Option<PathBuf>,
    /// The SQLite database.
    pub database: Database,
    /// The folder of campaign files.
    pub campaigns: PathBuf,
    /// Where submitted files are copied.
    pub files: PathBuf,
    /// A holiday file adding years to the shipped calendar.
    pub holidays: Option<PathBuf>,
    /// The office's own store of holiday notices (`duban calendar import`), read after the
    /// shipped calendar: a year in it replaces the shipped one.
    pub calendars: PathBuf,
    /// The office's contacts file (an absolute path): used by every campaign that names none of
    /// its own.
    pub contacts: Option<PathBuf>,
    /// How long to wait for a database another process is writing.
    pub busy_timeout: Duration,
    /// How many days back the office may record an act done earlier (补录: a report that came
    /// on paper); none: no limit. Units never choose the time of their acts at all.
    pub backfill_days: Option<u32>,
    /// How many days a new API token works unless its maker says otherwise; none: the default
    /// (`app::TOKEN_DAYS`).
    pub token_days: Option<u32>,
    /// Where people reach the pages, for the links the command line prints; none: `serve`'s
    /// default address.
    pub base_url: Option<String>,
    /// How long the pages a node made are shown again while nothing changed (`web::kept`);
    /// 0: every page is made afresh.
    pub kept_pages_seconds: u64,
    /// The command line's tables are headed in Chinese (`lang = "zh"`).
    pub chinese_tables: bool,
    /// The office's time zone: the times that belong to no campaign (accounts, tokens,
    /// sign-ins, a page of several campaigns in different zones) are shown in it, and a local
    /// `--as-of` for them is read in it. A campaign's own times are in its own zone.
    pub zone: chrono_tz::Tz,
    /// Mail settings.
    pub mail: MailConfig,
    /// The robots and their apps.
    pub channels: ChannelsConfig,
    /// The SMS gateway.
    pub sms: SmsConfig,
    /// The workspace: the folder of the config file, or the working directory. Campaigns may
    /// name files inside it.
    pub workspace: PathBuf,
    /// Other folders campaigns may name files in (`allowed_folders`).
    pub allowed_folders: Vec<PathBuf>,
    /// Where a workspace was looked for and not found (no `duban.toml`, no `campaigns/` in the
    /// working directory or above it, no `$DUBAN_CONFIG`); none when one was found. A command
    /// that reads the records refuses to run without one rather than make a database here.
    pub not_found_in: Option<Vec<PathBuf>>,
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
    /// A PEM file of certificate authorities the mail server's certificate may be signed by,
    /// besides the system's (an office's own authority).
    pub ca_file: Option<PathBuf>,
    /// Send attempts before a notice is marked failed.
    pub max_attempts: Option<u32>,
    /// Seconds to wait for the server on each send.
    pub timeout_seconds: Option<u64>,
    /// Seconds a pass holds its claim on a mail it is sending; after that another pass takes
    /// the mail over (its process is taken to have died). Default: 4 × timeout, at least 120.
    pub claim_seconds: Option<u64>,
}

/// The `[channels]` table: the robots and where their apps are.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelsConfig {
    /// The secrets file of robots.
    pub robots_file: Option<PathBuf>,
    /// The secrets file of webhooks: the systems told of the record's events.
    pub webhooks_file: Option<PathBuf>,
    /// 企业微信's API.
    pub wecom_url: Option<String>,
    /// 钉钉's API.
    pub dingtalk_url: Option<String>,
    /// 飞书's API.
    pub feishu_url: Option<String>,
    /// Certificate authorities (PEM) besides the system's, for the apps and the SMS gateway.
    pub ca_file: Option<PathBuf>,
    /// Seconds to wait for an app or the gateway on each message (default 10).
    pub timeout_seconds: Option<u64>,
    /// One message per item to robots and phones, rather than one per campaign listing them
    /// all (mail keeps its digests).
    #[serde(default)]
    pub one_per_item: bool,
}

/// The `[sms]` table: a gateway of the common cloud shape.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    /// The gateway's address.
    pub url: Option<String>,
    /// The AccessKey's id.
    pub key_id: Option<String>,
    /// A file holding the AccessKey's secret.
    pub secret_file: Option<PathBuf>,
    /// The signature name.
    pub sign_name: Option<String>,
    /// The template's code.
    pub template: Option<String>,
    /// The API's region (default cn-hangzhou).
    pub region: Option<String>,
}

impl ChannelsConfig {
    /// How long one message may wait for an app or the gateway.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds.unwrap_or(10).max(1))
    }
}

impl MailConfig {
    /// How long one send may wait for the server.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds.unwrap_or(30))
    }

    /// How long a claim on a mail lasts.
    pub fn claim(&self) -> Duration {
        let timeout = self.timeout().as_secs();
        Duration::from_secs(
            self.claim_seconds
                .unwrap_or_else(|| timeout.saturating_mul(4).max(120)),
        )
    }

    /// What is wrong with these settings, if anything.
    fn problem(&self) -> Option<String> {
        if self.timeout_seconds == Some(0) {
            return Some("[mail] timeout_seconds must be at least 1".into());
        }
        if self.max_attempts == Some(0) {
            return Some("[mail] max_attempts must be at least 1".into());
        }
        if self.claim() <= self.timeout() {
            return Some(format!(
                "[mail] claim_seconds ({}) must be longer than timeout_seconds ({}), or a slow send would be taken over and sent twice",
                self.claim().as_secs(),
                self.timeout().as_secs()
            ));
        }
        None
    }
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

/// `lang` in duban.toml.
#[derive(Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum LangSetting {
    En,
    Zh,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    database: Option<PathBuf>,
    campaigns: Option<PathBuf>,
    files: Option<PathBuf>,
    holidays: Option<PathBuf>,
    calendars: Option<PathBuf>,
    contacts: Option<PathBuf>,
    busy_timeout_ms: Option<u64>,
    backfill_days: Option<u32>,
    token_days: Option<u32>,
    base_url: Option<String>,
    kept_pages_seconds: Option<u64>,
    lang: Option<LangSetting>,
    zone: Option<String>,
    #[serde(default)]
    allowed_folders: Vec<PathBuf>,
    #[serde(default)]
    mail: MailConfig,
    #[serde(default)]
    channels: ChannelsConfig,
    #[serde(default)]
    sms: SmsConfig,
}

impl Config {
    /// Finds and reads the configuration: `explicit`, else `$DUBAN_CONFIG`, else the nearest
    /// workspace at or above the working directory (a folder with `duban.toml`, or with
    /// `campaigns/`: the defaults there), as git and cargo look upwards; else the defaults here,
    /// marked as not found ([`Config::not_found_in`]).
    pub fn discover(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let from_env = std::env::var_os("DUBAN_CONFIG").map(PathBuf::from);
        if let Some(path) = explicit.map(Path::to_path_buf).or(from_env) {
            return Config::read(&path);
        }
        let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let mut looked = Vec::new();
        for (depth, dir) in here.ancestors().enumerate() {
            // The working directory is named `.`, so that paths shown stay as short as before.
            let base = if depth == 0 { Path::new(".") } else { dir };
            if base.join("duban.toml").is_file() {
                return Config::read(&base.join("duban.toml"));
            }
            if base.join("campaigns").is_dir() {
                return Ok(Config::from_file(None, base, ConfigFile::default()));
            }
            looked.push(dir.to_path_buf());
        }
        let mut config = Config::from_file(None, Path::new("."), ConfigFile::default());
        config.not_found_in = Some(looked);
        Ok(config)
    }

    /// Reads the config file at `path`.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let text =
            crate::fsio::read_text(path, crate::fsio::limits::SETTINGS).map_err(|source| {
                ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
        let file: ConfigFile = toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: e.message().to_string(),
        })?;
        if let Some(message) = file.mail.problem() {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message,
            });
        }
        // A claim must outlast a send on every channel in use, or a slow one is taken over
        // and sent twice.
        let channels_used = file.channels.timeout_seconds.is_some()
            || file.channels.robots_file.is_some()
            || file.channels.webhooks_file.is_some()
            || file.sms.url.is_some();
        if channels_used && file.channels.timeout() >= file.mail.claim() {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "[mail] claim_seconds ({}) must be longer than [channels] timeout_seconds ({}), or a slow message would be taken over and sent twice",
                    file.mail.claim().as_secs(),
                    file.channels.timeout().as_secs()
                ),
            });
        }
        if let Some(zone) = &file.zone
            && zone.parse::<chrono_tz::Tz>().is_err()
        {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "zone: `{zone}` is not a time zone; write an IANA zone such as `Asia/Shanghai` or `Asia/Urumqi`"
                ),
            });
        }
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Ok(Config::from_file(Some(path.to_path_buf()), base, file))
    }

    fn from_file(source: Option<PathBuf>, base: &Path, file: ConfigFile) -> Config {
        let resolve = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        let database = Database::resolve(
            file.database.unwrap_or_else(|| PathBuf::from("duban.db")),
            base,
        );
        let files = match file.files {
            Some(f) => resolve(f),
            None => database.files_beside(base),
        };
        let mut mail = file.mail;
        mail.password_file = mail.password_file.map(resolve);
        mail.ca_file = mail.ca_file.map(resolve);
        let mut channels = file.channels;
        channels.robots_file = channels.robots_file.map(resolve);
        channels.webhooks_file = channels.webhooks_file.map(resolve);
        channels.ca_file = channels.ca_file.map(resolve);
        let mut sms = file.sms;
        sms.secret_file = sms.secret_file.map(resolve);
        Config {
            source,
            database,
            campaigns: resolve(file.campaigns.unwrap_or_else(|| PathBuf::from("campaigns"))),
            files,
            holidays: file.holidays.map(resolve),
            calendars: resolve(file.calendars.unwrap_or_else(|| PathBuf::from("calendars"))),
            // Absolute: campaigns are read from their own folder, not from the config's.
            contacts: file
                .contacts
                .map(resolve)
                .map(|p| std::path::absolute(&p).unwrap_or(p)),
            busy_timeout: Duration::from_millis(file.busy_timeout_ms.unwrap_or(5000)),
            backfill_days: file.backfill_days,
            token_days: file.token_days,
            base_url: file.base_url,
            kept_pages_seconds: file.kept_pages_seconds.unwrap_or(5),
            chinese_tables: file.lang == Some(LangSetting::Zh),
            zone: file
                .zone
                .and_then(|z| z.parse().ok())
                .unwrap_or(OFFICE_ZONE),
            mail,
            channels,
            sms,
            workspace: base.to_path_buf(),
            allowed_folders: file.allowed_folders.into_iter().map(resolve).collect(),
            not_found_in: None,
        }
    }

    /// The files that hold a secret: the SMTP password file, and the systemd credentials
    /// folder (`$CREDENTIALS_DIRECTORY`). No campaign may name them as one of its files.
    pub fn secret_files(&self) -> Vec<PathBuf> {
        self.mail
            .password_file
            .iter()
            .chain(&self.channels.robots_file)
            .chain(&self.channels.webhooks_file)
            .chain(&self.sms.secret_file)
            .cloned()
            .chain(std::env::var_os("DUBAN_ROBOTS_FILE").map(PathBuf::from))
            .chain(std::env::var_os("DUBAN_WEBHOOKS_FILE").map(PathBuf::from))
            .chain(std::env::var_os("CREDENTIALS_DIRECTORY").map(PathBuf::from))
            .collect()
    }

    /// Uses `database` instead of the configured one (`--db`); submitted files go beside it
    /// unless the config names their folder.
    pub fn with_database(mut self, database: PathBuf, files_configured: bool) -> Config {
        // The records were named: they are where to work.
        self.not_found_in = None;
        let database = Database::resolve(database, Path::new(""));
        if !files_configured {
            self.files = database.files_beside(&self.workspace);
        }
        self.database = database;
        self
    }
}

/// Where the records are.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file: the embedded default, `duban.db` beside the configuration.
    File(PathBuf),
    /// A PostgreSQL database, by its connection URL (`postgres://…`), which may hold a password
    /// and so is never shown as it is.
    Postgres(String),
}

impl Database {
    /// What `database = …` (or `--db`) names, a relative file taken from `base`.
    fn resolve(given: PathBuf, base: &Path) -> Database {
        match given.to_str() {
            Some(url) if crate::store::postgres::is_url(url) => Database::Postgres(url.into()),
            _ if given.is_absolute() => Database::File(given),
            _ => Database::File(base.join(given)),
        }
    }

    /// The folder for submitted files when none is configured: beside an SQLite file, or the
    /// workspace's `duban-files` (PostgreSQL keeps their contents in the database).
    fn files_beside(&self, workspace: &Path) -> PathBuf {
        match self {
            Database::File(path) => path.with_file_name("duban-files"),
            Database::Postgres(_) => workspace.join("duban-files"),
        }
    }
}

impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::File(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => f.write_str(&crate::store::postgres::redact(url)),
        }
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Database({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_names_postgresql_and_never_shows_its_password() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("duban.toml");
        std::fs::write(
            &path,
            "database = \"postgres://duban:s3cret@db.example.org/province\"\n",
        )
        .unwrap();
        let config = Config::read(&path).unwrap();
        assert_eq!(
            config.database,
            Database::Postgres("postgres://duban:s3cret@db.example.org/province".into())
        );
        assert_eq!(config.files, dir.path().join("duban-files"));
        let shown = format!("{config:?} {}", config.database);
        assert!(!shown.contains("s3cret"), "{shown}");
        let relative = config.with_database("elsewhere.db".into(), false);
        assert_eq!(relative.database, Database::File("elsewhere.db".into()));
    }

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
        assert_eq!(
            config.database,
            Database::File(dir.path().join("state/d.db"))
        );
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
