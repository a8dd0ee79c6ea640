//! The command line: what the user typed (clap structs, kept apart from what the program runs
//! on) and one module per command. Every command returns the process exit code: 0 ok, 1 a
//! finding the user asked about, 2 bad input or failure.

/// Prints a line to stdout and returns the error — a full disk, a closed pipe — for the
/// command to end with, where `println!` would panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*).map_err($crate::cli::CliError::Output)
    }};
}

/// Like [`say!`], without the line break.
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*).map_err($crate::cli::CliError::Output)
    }};
}

/// Prints a line to stderr. A message that cannot be shown there has nowhere else to go: it is
/// dropped rather than turned into a panic.
macro_rules! tell {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// Like [`tell!`], without the line break.
macro_rules! tell_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod calendar;
mod check;
mod contents;
mod documents;
mod error;
mod ics;
mod import;
mod init;
mod ledgers;
mod lifecycle;
mod migrate;
mod notices;
mod output;
mod phases;
mod queries;
mod schedule;
mod sync;
mod web;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use error::CliError;

use crate::app::Office;
use crate::clock::Instant;
use crate::config::Config;
use crate::store::Records;

/// duban (督办): supervise and chase the reports a campaign demands.
#[derive(Debug, Parser)]
#[command(name = "duban", version, about, max_term_width = 100)]
pub struct Args {
    /// The configuration file (default: $DUBAN_CONFIG, else ./duban.toml if present).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// The database (overrides the configuration): an SQLite file, or a PostgreSQL URL
    /// (`postgres://user@host/db`).
    #[arg(long, global = true, value_name = "PATH|URL", env = "DUBAN_DB")]
    pub db: Option<PathBuf>,

    /// A holiday file adding years to the shipped calendar (TOML as in data/calendar-cn.toml,
    /// or holiday-cn JSON).
    #[arg(long, global = true, value_name = "FILE", env = "DUBAN_HOLIDAYS")]
    pub holidays: Option<PathBuf>,

    /// Accept times later than now for what is recorded (`--at`, an import's rows); without
    /// it, a time more than a minute ahead is refused as a mistyped year.
    #[arg(long, global = true)]
    pub future: bool,

    /// Colour diagnostics: auto, always or never.
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: output::ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a workspace here: duban.toml, campaigns/ and an example campaign.
    Init(init::InitArgs),
    /// Check campaign files and report every problem (exit 2 on errors).
    Check(check::CheckArgs),
    /// Compile a campaign into its obligations and print them.
    Schedule(schedule::ScheduleArgs),
    /// Each phase of a campaign with the dates it covers.
    Phases(phases::PhasesArgs),
    /// Show the statutory holidays and make-up workdays of a year.
    Calendar(calendar::CalendarArgs),
    /// Load campaign files into the database (done before every command that reads it).
    Sync(sync::SyncArgs),
    /// Record a submission.
    Submit(lifecycle::SubmitArgs),
    /// Record the submissions of a CSV or JSONL file, all or nothing.
    Import(import::ImportArgs),
    /// Accept or return a submission waiting for review.
    Review(lifecycle::ReviewArgs),
    /// Return a submission (退回): the obligation is owed again.
    Return(lifecycle::ReasonArgs),
    /// Give an obligation a later deadline (延期).
    Extend(lifecycle::ExtendArgs),
    /// Excuse an obligation (免报).
    Waive(lifecycle::ReasonArgs),
    /// Every event of one obligation.
    History(lifecycle::HistoryArgs),
    /// A unit's obligations as an iCalendar file, done ones marked done.
    Ics(ics::IcsArgs),
    /// Every overdue obligation, with the unit's contacts.
    Overdue(queries::OverdueArgs),
    /// Per unit and deliverable: counts and a red / yellow / green light.
    Status(queries::QueryArgs),
    /// What falls due soon.
    Due(queries::DueArgs),
    /// One pass: plan the notices due now, queue and send them (for cron).
    Remind(notices::RemindArgs),
    /// Every notice that would go out between two dates, day by day.
    Preview(notices::PreviewArgs),
    /// Mails not yet sent (or all), and requeueing failed ones.
    Outbox(notices::OutboxArgs),
    /// Run passes on a schedule until SIGTERM or SIGINT.
    Daemon(notices::DaemonArgs),
    /// Copy the SQLite store into an empty PostgreSQL database, and check the copy.
    Migrate(migrate::MigrateArgs),
    /// Add up one period's figures of a report's form, up the unit hierarchy (汇总).
    Rollup(contents::RollupArgs),
    /// Each value reported for a target against its threshold (below target is red).
    Targets(contents::TargetsArgs),
    /// Write a report's blank form as .xlsx, with a row per unit, for units to fill in.
    Template(contents::TemplateArgs),
    /// A ledger's rows (台账): enter, update, close out (销号), reopen, show.
    Ledger(ledgers::LedgerArgs),
    /// The bulletin (通报) of a month, a quarter or any days: md, html, docx, xlsx.
    Bulletin(documents::BulletinArgs),
    /// Each unit's timeliness scored by the campaign's rules (考核), ranked.
    Assess(documents::AssessArgs),
    /// Record an interview (约谈) that took place.
    Interview(documents::InterviewArgs),
    /// Serve the web pages: sign-in, the board (三色看板), each unit's page.
    Serve(web::ServeArgs),
    /// Accounts that sign in to the web pages.
    User(web::UserArgs),
    /// Bearer tokens for the JSON API.
    Token(web::TokenArgs),
}

/// Runs the command line and returns the exit code. Output that could not be written all the
/// way (a full disk) is an error, found at the latest when it is flushed here.
pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let code = dispatch(args)?;
    std::io::Write::flush(&mut std::io::stdout())?;
    Ok(code)
}

fn dispatch(args: Args) -> Result<ExitCode, CliError> {
    if let Command::Init(a) = &args.command {
        return init::run(a);
    }
    let context = Context::new(&args)?;
    if let Command::Daemon(a) = &args.command {
        return notices::daemon(context, a);
    }
    if let Command::Serve(a) = &args.command {
        let daemon = a.with_daemon.then(|| Context::new(&args)).transpose()?;
        return web::serve(context, a, daemon);
    }
    match &args.command {
        Command::Check(a) => check::run(&context, a),
        Command::Schedule(a) => schedule::run(&context, a),
        Command::Phases(a) => phases::run(&context, a),
        Command::Calendar(a) => calendar::run(&context, a),
        Command::Sync(a) => sync::run(&context, a),
        Command::Submit(a) => lifecycle::submit(&context, a),
        Command::Import(a) => import::run(&context, a),
        Command::Review(a) => lifecycle::review(&context, a),
        Command::Return(a) => lifecycle::return_(&context, a),
        Command::Extend(a) => lifecycle::extend(&context, a),
        Command::Waive(a) => lifecycle::waive(&context, a),
        Command::History(a) => lifecycle::history(&context, a),
        Command::Ics(a) => ics::run(&context, a),
        Command::Overdue(a) => queries::overdue(&context, a),
        Command::Status(a) => queries::status(&context, a),
        Command::Due(a) => queries::due(&context, a),
        Command::Remind(a) => notices::remind(&context, a),
        Command::Preview(a) => notices::preview(&context, a),
        Command::Outbox(a) => notices::outbox(&context, a),
        Command::Migrate(a) => migrate::run(&context, a),
        Command::Rollup(a) => contents::rollup(&context, a),
        Command::Targets(a) => contents::targets(&context, a),
        Command::Template(a) => contents::template(&context, a),
        Command::Ledger(a) => ledgers::run(&context, a),
        Command::Bulletin(a) => documents::bulletin(&context, a),
        Command::Assess(a) => documents::assess(&context, a),
        Command::Interview(a) => documents::interview(&context, a),
        Command::User(a) => web::user(&context, a),
        Command::Token(a) => web::token(&context, a),
        Command::Init(_) | Command::Daemon(_) | Command::Serve(_) => Ok(ExitCode::SUCCESS),
    }
}

/// What every command runs with: the office, and how to show things to this user.
pub struct Context {
    /// The office: configuration, calendar, clock.
    pub office: Office,
    /// Whether to colour diagnostics.
    pub color: bool,
    /// The campaign files whose errors were shown, by path, with the digest of what was shown:
    /// the daemon shows a file's errors when they first appear, not at every pass.
    reported: std::sync::Mutex<std::collections::HashMap<PathBuf, u64>>,
    /// The years whose missing holiday notice was warned about: once per run, however many
    /// campaigns reach into them.
    years_warned: std::sync::Mutex<std::collections::HashSet<i32>>,
}

impl std::ops::Deref for Context {
    type Target = Office;

    fn deref(&self) -> &Office {
        &self.office
    }
}

impl std::ops::DerefMut for Context {
    fn deref_mut(&mut self) -> &mut Office {
        &mut self.office
    }
}

impl Context {
    fn new(args: &Args) -> Result<Context, CliError> {
        let mut config = Config::discover(args.config.as_deref())?;
        if let Some(db) = &args.db {
            let files_configured = config.source.is_some();
            config = config.with_database(db.clone(), files_configured);
        }
        let mut office = Office::open(config, args.holidays.as_deref())?;
        office.future = args.future;
        Ok(Context {
            office,
            color: args.color.enabled_for_stderr(),
            reported: std::sync::Mutex::default(),
            years_warned: std::sync::Mutex::default(),
        })
    }

    /// Whether the errors of `path`, as `digest` says they are, were shown already (and
    /// remembers that they now are).
    fn already_reported(&self, path: &std::path::Path, digest: u64) -> bool {
        let Ok(mut reported) = self.reported.lock() else {
            return false;
        };
        reported.insert(path.to_path_buf(), digest) == Some(digest)
    }

    /// `diagnostics` without the warnings of a year without a holiday notice that this run has
    /// shown already.
    fn first_warnings(
        &self,
        mut diagnostics: Vec<crate::language::Diagnostic>,
    ) -> Vec<crate::language::Diagnostic> {
        use crate::language::diagnostic::Problem;
        if let Ok(mut warned) = self.years_warned.lock() {
            diagnostics.retain(|d| match d.problem {
                Problem::UnknownYear { year, .. } => warned.insert(year),
                _ => true,
            });
        }
        diagnostics
    }

    /// Opens the records after loading the configured campaign folder into them, telling the
    /// user what changed. Campaigns with errors are reported and keep their last good version.
    pub fn store_synced(&self, as_of: Instant) -> Result<Records, CliError> {
        self.opened(|seen| self.office.store_synced(as_of, seen))
    }

    /// Opens the records for recording something done at `at` (see
    /// [`Office::store_for_record`]), telling the user what changed.
    pub fn store_for_record(&self, at: Instant) -> Result<Records, CliError> {
        self.opened(|seen| self.office.store_for_record(at, seen))
    }

    /// Opens the records for managing accounts (see [`Office::store_for_accounts`]).
    pub fn store_for_accounts(&self) -> Result<Records, CliError> {
        self.opened(|seen| self.office.store_for_accounts(seen))
    }

    fn opened(
        &self,
        open: impl FnOnce(
            &mut dyn FnMut(&std::path::Path, crate::workspace::FileSync),
        ) -> Result<Records, crate::app::AppError>,
    ) -> Result<Records, CliError> {
        let mut shown = Ok(());
        let store = open(&mut |path, result| {
            if shown.is_ok() {
                shown = sync::show(self, path, result, false);
            }
        })?;
        shown?;
        if store.is_read_only() {
            tell!(
                "warning: {} is read-only: answering from it as it is, without loading changed campaign files",
                store.location()
            );
        }
        Ok(store)
    }
}

/// Loads a campaign and prints its warnings; its errors end the command.
fn load_campaign(
    context: &Context,
    path: &std::path::Path,
) -> Result<(crate::language::Campaign, crate::language::Sources), CliError> {
    let loaded = crate::language::load(
        path,
        context.config.contacts.as_deref(),
        &context.confinement,
    )?;
    tell_raw!(
        "{}",
        loaded.sources.render(&loaded.diagnostics, context.color)
    );
    match loaded.campaign {
        Some(campaign) => Ok((campaign, loaded.sources)),
        None => Err(CliError::Invalid {
            path: path.display().to_string(),
        }),
    }
}
