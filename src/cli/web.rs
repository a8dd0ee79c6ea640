//! `duban serve | user`: the web pages, and the accounts that sign in to them.

use std::process::ExitCode;

use super::{CliError, Context};
use crate::clock::Instant;
use crate::store::Role;

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
    served.map_err(|e| CliError::Usage {
        message: e.to_string(),
    })?;
    match stopped {
        Some(Ok(Err(e))) => Err(CliError::Usage {
            message: e.to_string(),
        }),
        Some(Err(_)) => Err(CliError::Usage {
            message: "the daemon stopped with a panic".into(),
        }),
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
    Create {
        /// The unit it acts for (a supervisor or office token may have none).
        #[arg(long)]
        unit: Option<String>,
        /// What it may do.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
}

/// Creates an API token.
pub fn token(context: &Context, args: &TokenArgs) -> Result<ExitCode, CliError> {
    let TokenAction::Create { unit, role } = &args.action;
    let now = Instant::Absolute(context.clock.now());
    let mut store = context.store_for_accounts()?;
    let token = context.create_token(&mut *store, unit.as_deref(), *role, now)?;
    say!(
        "created a {} token{}; keep it secret, it is shown once: {token}",
        role.as_str(),
        unit.as_deref()
            .map(|u| format!(" for {u}"))
            .unwrap_or_default()
    )?;
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
        /// Where the pages are reached, for the link.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        base_url: String,
    },
    /// An account for every named contact person of every unit (from the campaigns and their
    /// contacts files): leaders as leaders, the others as liaisons. Prints a CSV of the
    /// accounts with their one-time links, to pass on; people who have an account already are
    /// listed without a link.
    Import {
        /// Only this campaign's units.
        #[arg(long)]
        campaign: Option<String>,
        /// Where the pages are reached, for the links.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        base_url: String,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        format!("`{text}`: a role is liaison, leader, reviewer, supervisor or office")
    })
}

/// Creates an account, or one for every contact person.
pub fn user(context: &Context, args: &UserArgs) -> Result<ExitCode, CliError> {
    let now = Instant::Absolute(context.clock.now());
    let mut store = context.store_for_accounts()?;
    match &args.action {
        UserAction::Add {
            name,
            unit,
            role,
            base_url,
        } => {
            let token = context.add_user(&mut *store, name, unit.as_deref(), *role, now)?;
            say!(
                "created {name} ({}{}); the password is set at {}/set-password?token={token}",
                role.as_str(),
                unit.as_deref()
                    .map(|u| format!(", {u}"))
                    .unwrap_or_default(),
                base_url.trim_end_matches('/')
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
                    .map(|t| format!("{}/set-password?token={t}", base_url.trim_end_matches('/')))
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
