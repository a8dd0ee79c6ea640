//! `duban serve | user`: the web pages, and the accounts that sign in to them.

use std::process::ExitCode;

use std::io::Write;

use super::{CliError, Context};
use crate::app::{Expiry, TokenSpec};
use crate::clock::Instant;
use crate::store::{ApiToken, Role, User};

/// Arguments of `duban openapi`.
#[derive(Debug, clap::Args)]
pub struct OpenapiArgs {
    /// The file to write (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// Writes the API's description: its keys sorted and indented, so that a diff of the file
/// shows each change to the API.
pub fn openapi(args: &OpenapiArgs) -> Result<ExitCode, CliError> {
    let text =
        serde_json::to_string_pretty(&crate::web::openapi_document()).unwrap_or_default() + "\n";
    match &args.output {
        Some(path) => super::contents::write_file(path, text.as_bytes())?,
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `duban serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0: a free one, printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// The pages are reached over HTTPS (behind a proxy): cookies are marked Secure.
    #[arg(long)]
    pub secure: bool,
    /// Requests come through a reverse proxy on this machine (nginx): the client's address,
    /// which sign-in failures are counted by, is the last in `X-Forwarded-For`.
    #[arg(long)]
    pub behind_proxy: bool,
    /// Take this instant as now (a rehearsal): the board's lights, and the time of what is
    /// submitted or decided through the pages.
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<Instant>,
    /// Run the daemon in the same process: reminders and escalations by mail on its schedules
    /// (the mail settings are checked before the pages are served).
    #[arg(long)]
    pub with_daemon: bool,
    /// With `--with-daemon`: when to run a pass (cron, six fields); may be repeated.
    #[arg(long, value_name = "CRON", requires = "with_daemon")]
    pub schedule: Vec<String>,
}

/// Loads the campaign files once, then serves the pages until SIGINT or SIGTERM; with
/// `daemon` (a context of its own), runs the daemon beside them, which stops on the same signal.
pub fn serve(
    context: Context,
    args: &ServeArgs,
    daemon: Option<Context>,
) -> Result<ExitCode, CliError> {
    let at = context.instant(args.as_of);
    drop(context.store_synced(at)?);
    let daemon = match daemon {
        Some(daemon) => {
            let daemon_args =
                super::notices::DaemonArgs::alongside(args.as_of, args.schedule.clone());
            let (settings, pass) = super::notices::prepare_daemon(daemon, &daemon_args)?;
            Some(std::thread::spawn(move || {
                crate::daemon::run(settings, pass)
            }))
        }
        None => None,
    };
    let mut web = crate::web::Web::new(context.office, args.secure, args.as_of);
    web.behind_proxy = args.behind_proxy;
    let served = crate::web::serve(web, &args.listen, |address| {
        say!("listening on http://{address}").ok();
        std::io::Write::flush(&mut std::io::stdout()).ok();
    });
    // The daemon got the same signal: it finishes the mail in flight and stops.
    let stopped = daemon.map(|d| d.join());
    served?;
    match stopped {
        Some(Ok(Err(e))) => Err(e.into()),
        Some(Err(_)) => Err(CliError::DaemonPanicked),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// Arguments of `duban token`.
#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: TokenAction,
}

/// What to do with API tokens.
#[derive(Debug, clap::Subcommand)]
pub enum TokenAction {
    /// Create a bearer token for the JSON API; it is printed once, as the last word.
    #[command(
        after_help = "Example:\n  duban token create --unit 宛城区 --role liaison --name 宛城区-填报系统 --expires 90"
    )]
    Create {
        /// The unit it acts for (a supervisor or office token may have none).
        #[arg(long)]
        unit: Option<String>,
        /// What it may do.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Its name, which the history shows for what it does (`token:NAME`); default: the
        /// unit (or role) and a number, `宛城区-1`.
        #[arg(long)]
        name: Option<String>,
        /// When it stops working: days (`90`), a date (`2027-06-30`: through that day, China
        /// Standard Time), or `never`; default: `token_days` of duban.toml, else 180 days.
        #[arg(long, value_name = "DAYS|DATE|never")]
        expires: Option<Expiry>,
        /// A campaign it acts in (repeat for several); none: every campaign. Needed when the
        /// unit's name is in several campaigns (each may be another office's).
        #[arg(long = "campaign", value_name = "CAMPAIGN")]
        campaigns: Vec<String>,
        /// It reads and never acts: listings and the unit's calendar, no submission, review,
        /// request or chase (a dashboard, a calendar's subscription).
        #[arg(long)]
        read_only: bool,
    },
    /// Every token: its name, unit, role, when made, when it expires, when last used, and
    /// whether it is revoked. Never a secret.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Revoke a token by its name or number: it is refused from then on (401, `token_revoked`).
    Revoke {
        /// Its name, or its number in `duban token list`.
        token: String,
    },
}

/// How `token list` and `user list` print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table.
    Table,
    /// JSON: an array of rows.
    Json,
    /// CSV with a header row.
    Csv,
}

/// When a time (unix seconds) was, in the office's zone, to the minute.
fn when_in(zone: chrono_tz::Tz, at: Option<i64>) -> String {
    at.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// The same, as RFC 3339 for JSON.
fn rfc3339_in(zone: chrono_tz::Tz, at: Option<i64>) -> serde_json::Value {
    at.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|t| {
            serde_json::Value::from(
                t.with_timezone(&zone)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            )
        })
        .unwrap_or(serde_json::Value::Null)
}

/// Where a token stands at `now`: `revoked`, `expired` or `active`.
fn token_state(token: &ApiToken, now: i64) -> &'static str {
    if token.revoked_at.is_some() {
        "revoked"
    } else if token.expires_at.is_some_and(|at| at <= now) {
        "expired"
    } else {
        "active"
    }
}

/// Creates, lists or revokes API tokens.
pub fn token(context: &Context, args: &TokenArgs) -> Result<ExitCode, CliError> {
    // Tokens belong to no campaign: their times are the office's.
    let zone = context.config.zone;
    let when = |at| when_in(zone, at);
    let rfc3339 = |at| rfc3339_in(zone, at);
    let now = Instant::Absolute(context.clock.now());
    let t = context.clock.now().timestamp();
    let mut store = context.store_for_accounts()?;
    match &args.action {
        TokenAction::Create {
            unit,
            role,
            name,
            expires,
            campaigns,
            read_only,
        } => {
            let spec = TokenSpec {
                unit: unit.as_deref(),
                role: *role,
                name: name.as_deref(),
                expires: expires.unwrap_or(Expiry::Default),
                campaigns,
                read_only: *read_only,
            };
            let (secret, made) = context.create_token(&mut *store, &spec, now)?;
            let expires = match made.expires_at {
                Some(at) => format!("expires {}", when(Some(at))),
                None => "never expires".to_string(),
            };
            say!(
                "created token {} ({}{}), {expires}; keep it secret, it is shown once: {secret}",
                made.name,
                role.as_str(),
                made.unit
                    .as_deref()
                    .map(|u| format!(" for {u}"))
                    .unwrap_or_default()
            )?;
        }
        TokenAction::List { format } => {
            let tokens = context.tokens(&*store)?;
            let mut out = std::io::stdout().lock();
            match format {
                Format::Json => {
                    let rows: Vec<serde_json::Value> = tokens
                        .iter()
                        .map(|k| {
                            serde_json::json!({
                                "id": k.id, "name": k.name, "unit": k.unit, "role": k.role,
                                "created_at": rfc3339(Some(k.created_at)),
                                "expires_at": rfc3339(k.expires_at),
                                "last_used_at": rfc3339(k.last_used_at),
                                "revoked_at": rfc3339(k.revoked_at),
                                "campaigns": k.campaigns,
                                "read_only": k.read_only,
                                "state": token_state(k, t),
                            })
                        })
                        .collect();
                    writeln!(
                        out,
                        "{}",
                        serde_json::to_string_pretty(&rows).unwrap_or_default()
                    )?;
                }
                Format::Table | Format::Csv => {
                    let header = [
                        "id",
                        "name",
                        "unit",
                        "role",
                        "created",
                        "expires",
                        "last used",
                        "state",
                    ];
                    let rows = tokens.iter().map(|k| {
                        vec![
                            k.id.to_string(),
                            k.name.clone(),
                            k.unit.clone().unwrap_or_else(|| "—".into()),
                            if k.read_only {
                                format!("{} (read-only)", k.role.as_str())
                            } else {
                                k.role.as_str().to_string()
                            },
                            when(Some(k.created_at)),
                            k.expires_at
                                .map_or_else(|| "never".to_string(), |at| when(Some(at))),
                            k.last_used_at
                                .map_or_else(|| "never".to_string(), |at| when(Some(at))),
                            match token_state(k, t) {
                                "revoked" => format!("revoked {}", when(k.revoked_at)),
                                state => state.to_string(),
                            },
                        ]
                    });
                    if *format == Format::Table {
                        write!(out, "{}", super::output::table(&header, rows))?;
                    } else {
                        super::output::csv_row(&mut out, &header)?;
                        for row in rows {
                            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
                            super::output::csv_row(&mut out, &cells)?;
                        }
                    }
                }
            }
        }
        TokenAction::Revoke { token } => {
            let (revoked, before) = context.revoke_token(&mut *store, token, now)?;
            if before {
                say!(
                    "token {} was revoked already, on {}",
                    revoked.name,
                    when(revoked.revoked_at)
                )?;
            } else {
                say!("revoked token {}: it is refused from now on", revoked.name)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `duban user`.
#[derive(Debug, clap::Args)]
pub struct UserArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: UserAction,
}

/// What to do with accounts.
#[derive(Debug, clap::Subcommand)]
pub enum UserAction {
    /// Create an account and print a one-time link that sets its password (valid 7 days).
    Add {
        /// The name it signs in with.
        name: String,
        /// The unit it acts for (an office or supervisor account may have none).
        #[arg(long)]
        unit: Option<String>,
        /// What it may do.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A campaign it acts in (repeat for several); none: every campaign. Needed when the
        /// unit's name is in several campaigns (each may be another office's).
        #[arg(long = "campaign", value_name = "CAMPAIGN")]
        campaigns: Vec<String>,
        /// Where the pages are reached, for the link (default: `base_url` of duban.toml, else
        /// http://127.0.0.1:8080).
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Every account: its unit and role, whether its password is set, whether it is
    /// disabled, and when it last signed in.
    #[command(after_help = "Example:\n  duban user list")]
    List {
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Disable an account: it cannot sign in, and its open sessions end at once.
    #[command(after_help = "Example:\n  duban user disable 张三")]
    Disable {
        /// The account.
        name: String,
    },
    /// Enable a disabled account again (its password is the one it had).
    #[command(after_help = "Example:\n  duban user enable 张三")]
    Enable {
        /// The account.
        name: String,
    },
    /// A forgotten password: the account's password stops working at once (its sessions end)
    /// and a new one-time link that sets one is printed (valid 7 days).
    #[command(after_help = "Example:\n  duban user reset 张三")]
    Reset {
        /// The account.
        name: String,
        /// Where the pages are reached, for the link (default: `base_url` of duban.toml, else
        /// http://127.0.0.1:8080).
        #[arg(long)]
        base_url: Option<String>,
    },
    /// An account for every named contact person of every unit (from the campaigns and their
    /// contacts files): leaders as leaders, the others as liaisons. Prints a CSV of the
    /// accounts with their one-time links, to pass on; people who have an account already are
    /// listed without a link.
    Import {
        /// Only this campaign's units.
        #[arg(long)]
        campaign: Option<String>,
        /// Where the pages are reached, for the links (default: `base_url` of duban.toml, else
        /// http://127.0.0.1:8080).
        #[arg(long)]
        base_url: Option<String>,
    },
}

// A value parser for clap, which shows its error text as it is after the argument's name:
// a `String` is what clap takes (no caller matches on it).
fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        format!("`{text}`: a role is liaison, leader, reviewer, supervisor or office")
    })
}

/// Creates an account, or one for every contact person.
pub fn user(context: &Context, args: &UserArgs) -> Result<ExitCode, CliError> {
    // Accounts belong to no campaign: their times are the office's.
    let when = |at| when_in(context.config.zone, at);
    let now = Instant::Absolute(context.clock.now());
    // Where the links go: as asked, else duban.toml's `base_url`, else `serve`'s default.
    let base = |asked: &Option<String>| -> String {
        asked
            .clone()
            .or_else(|| context.config.base_url.clone())
            .unwrap_or_else(|| "http://127.0.0.1:8080".to_string())
            .trim_end_matches('/')
            .to_string()
    };
    let mut store = context.store_for_accounts()?;
    match &args.action {
        UserAction::Add {
            name,
            unit,
            role,
            campaigns,
            base_url,
        } => {
            let token =
                context.add_user(&mut *store, name, unit.as_deref(), *role, campaigns, now)?;
            say!(
                "created {name} ({}{}); the password is set at {}/set-password?token={token}",
                role.as_str(),
                unit.as_deref()
                    .map(|u| format!(", {u}"))
                    .unwrap_or_default(),
                base(base_url)
            )?;
        }
        UserAction::List { format } => {
            list_users(&context.users(&*store)?, *format, context.config.zone)?
        }
        UserAction::Disable { name } => {
            let before = context.set_disabled(&mut *store, name, true, now)?;
            match before.disabled_at {
                Some(at) => say!("{name} was disabled already, on {}", when(Some(at)))?,
                None => say!(
                    "disabled {name}: it cannot sign in, and its sessions have ended; `duban user enable {name}` undoes it"
                )?,
            }
        }
        UserAction::Enable { name } => {
            let before = context.set_disabled(&mut *store, name, false, now)?;
            match (before.disabled_at, &before.password) {
                (Some(_), Some(_)) => say!("enabled {name}: it signs in again with its password")?,
                (Some(_), None) => say!(
                    "enabled {name}: it signs in once its password is set through its one-time link"
                )?,
                (None, _) => say!("{name} is not disabled")?,
            }
        }
        UserAction::Reset { name, base_url } => {
            let token = context.reset_user(&mut *store, name, now)?;
            say!(
                "reset {name}: its password no longer works and its sessions have ended; a new one is set at {}/set-password?token={token}",
                base(base_url)
            )?;
        }
        UserAction::Import { campaign, base_url } => {
            let made = context.accounts_from_contacts(&mut *store, campaign.as_deref(), now)?;
            let mut out = std::io::stdout().lock();
            super::output::csv_row(
                &mut out,
                &["account", "unit", "role", "phone", "email", "link"],
            )?;
            for person in &made {
                let link = person
                    .token
                    .as_ref()
                    .map(|t| format!("{}/set-password?token={t}", base(base_url)))
                    .unwrap_or_else(|| "(exists)".to_string());
                super::output::csv_row(
                    &mut out,
                    &[
                        &person.name,
                        &person.unit,
                        person.role.as_str(),
                        person.phone.as_deref().unwrap_or(""),
                        person.email.as_deref().unwrap_or(""),
                        &link,
                    ],
                )?;
            }
            let created = made.iter().filter(|p| p.token.is_some()).count();
            eprintln!(
                "{created} accounts created, {} there already; the links work 7 days and once",
                made.len() - created
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Where an account stands: `disabled`, `awaiting_password` (its link not yet used) or
/// `active`.
fn user_state(user: &User) -> &'static str {
    if user.disabled_at.is_some() {
        "disabled"
    } else if user.password.is_none() {
        "awaiting_password"
    } else {
        "active"
    }
}

/// Prints every account.
fn list_users(users: &[User], format: Format, zone: chrono_tz::Tz) -> Result<(), CliError> {
    let when = |at| when_in(zone, at);
    let rfc3339 = |at| rfc3339_in(zone, at);
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        let rows: Vec<serde_json::Value> = users
            .iter()
            .map(|u| {
                serde_json::json!({
                    "name": u.name, "unit": u.unit, "role": u.role,
                    "password_set": u.password.is_some(),
                    "disabled_at": rfc3339(u.disabled_at),
                    "last_sign_in_at": rfc3339(u.last_sign_in_at),
                    "state": user_state(u),
                    "campaigns": u.campaigns,
                    "unit_code": u.unit_code,
                })
            })
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        )?;
        return Ok(());
    }
    let header = ["name", "unit", "role", "campaigns", "state", "last sign-in"];
    let rows = users.iter().map(|u| {
        vec![
            u.name.clone(),
            u.unit.clone().unwrap_or_else(|| "—".into()),
            u.role.as_str().to_string(),
            if u.every_campaign() {
                "all".to_string()
            } else if u.campaigns.is_empty() {
                "none yet".to_string()
            } else {
                u.campaigns.join(" ")
            },
            match user_state(u) {
                "disabled" => format!("disabled {}", when(u.disabled_at)),
                "awaiting_password" => "awaiting password".to_string(),
                state => state.to_string(),
            },
            u.last_sign_in_at
                .map_or_else(|| "never".to_string(), |at| when(Some(at))),
        ]
    });
    if format == Format::Table {
        write!(out, "{}", super::output::table(&header, rows))?;
    } else {
        super::output::csv_row(&mut out, &header)?;
        for row in rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            super::output::csv_row(&mut out, &cells)?;
        }
    }
    Ok(())
}
