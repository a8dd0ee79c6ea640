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
mod channels;
mod chase;
mod check;
mod completions;
mod contents;
mod documents;
mod draft;
mod error;
mod ics;
mod import;
mod init;
mod instructions;
mod ledgers;
mod letters;
mod lifecycle;
mod migrate;
mod notices;
mod output;
mod phases;
mod progress;
mod queries;
mod schedule;
mod sync;
mod units;
mod web;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use completions::VAR as COMPLETE_VAR;
pub use error::CliError;

use crate::app::Office;
use crate::clock::Instant;
use crate::config::Config;
use crate::store::Records;

/// The heading of the options every command takes.
const GLOBAL: &str = "Global options";

/// duban (督办): supervise and chase the reports a campaign demands.
#[derive(Debug, Parser)]
#[command(name = "duban", version, about, max_term_width = 110)]
pub struct Args {
    /// The configuration file (default: $DUBAN_CONFIG, else ./duban.toml if present).
    #[arg(long, global = true, value_name = "PATH", help_heading = GLOBAL)]
    pub config: Option<PathBuf>,

    /// The database (overrides the configuration): an SQLite file, or a PostgreSQL URL
    /// (`postgres://user@host/db`).
    #[arg(long, global = true, value_name = "PATH|URL", env = "DUBAN_DB", help_heading = GLOBAL)]
    pub db: Option<PathBuf>,

    /// A holiday file adding years to the shipped calendar (TOML as in data/calendar-cn.toml,
    /// or holiday-cn JSON).
    #[arg(long, global = true, value_name = "FILE", env = "DUBAN_HOLIDAYS", help_heading = GLOBAL)]
    pub holidays: Option<PathBuf>,

    /// Accept times later than now for what is recorded (`--at`, an import's rows); without
    /// it, a time more than a minute ahead is refused as a mistyped year.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub future: bool,

    /// Colour diagnostics: auto, always or never.
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto", help_heading = GLOBAL)]
    pub color: output::ColorChoice,

    /// The language of tables' headers: en or zh (default: `lang` in duban.toml, else en).
    /// CSV and JSON keep their English keys.
    #[arg(long, global = true, value_name = "LANG", help_heading = GLOBAL)]
    pub lang: Option<output::Lang>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a workspace here: duban.toml, campaigns/ and an example campaign.
    #[command(after_help = "Example:\n  duban init && duban check campaigns/")]
    Init(init::InitArgs),
    /// Draft a campaign file from its document (.txt, .docx, .html), each statement citing its
    /// sentence.
    #[command(
        after_help = "Example:\n  duban draft 工作方案.docx -o campaigns/draft.campaign && duban check campaigns/draft.campaign"
    )]
    Draft(draft::DraftArgs),
    /// Check campaign files and report every problem (exit 2 on errors).
    #[command(after_help = "Example:\n  duban check campaigns/")]
    Check(check::CheckArgs),
    /// Compile a campaign into its obligations and print them.
    #[command(
        after_help = "Example:\n  duban schedule campaigns/nanyang-2017.campaign --unit 宛城区 --to 2017-06-30"
    )]
    Schedule(schedule::ScheduleArgs),
    /// Each phase of a campaign with the dates it covers.
    #[command(after_help = "Example:\n  duban phases campaigns/yichun-2016.campaign")]
    Phases(phases::PhasesArgs),
    /// Show the statutory holidays and make-up workdays of a year.
    #[command(after_help = "Example:\n  duban calendar 2017")]
    Calendar(calendar::CalendarArgs),
    /// Load campaign files into the database (done before every command that reads it).
    #[command(after_help = "Example:\n  duban sync --as-of 2017-04-27")]
    Sync(sync::SyncArgs),
    /// Record a submission.
    #[command(
        after_help = "Example:\n  duban submit nanyang-2017 统计表 宛城区 --period 2017-04 --at 2017-04-24T10:30 --by 李四"
    )]
    Submit(lifecycle::SubmitArgs),
    /// Record the submissions of a CSV or JSONL file, all or nothing.
    #[command(after_help = "Example:\n  duban import 收文登记.xlsx --as-of 2017-05-01")]
    Import(import::ImportArgs),
    /// Accept or return a submission waiting for review.
    #[command(
        after_help = "Example:\n  duban review gulu-2023 问题清单 各村 --accept --at 2023-07-19"
    )]
    Review(lifecycle::ReviewArgs),
    /// Return a submission (退回): the obligation is owed again.
    #[command(
        after_help = "Example:\n  duban return nanyang-2017 统计表 宛城区 --period 2017-05 --reason \"数据与台账不符\" --at 2017-05-27"
    )]
    Return(lifecycle::ReasonArgs),
    /// Give an obligation a later deadline (延期).
    #[command(
        after_help = "Example:\n  duban extend nanyang-2017 统计表 宛城区 --period 2017-05 --until 2017-06-02 --reason 核实台账 --at 2017-05-27"
    )]
    Extend(lifecycle::ExtendArgs),
    /// Pass one period of a unit's report down to the units under it (分解 到 下级), by a day.
    #[command(
        after_help = "Example:\n  duban pass-down county-2024 月报 县 --period 2024-03 --due 2024-03-20"
    )]
    PassDown(lifecycle::PassDownArgs),
    /// Record that a unit acknowledged a task (签收), once.
    #[command(
        after_help = "Example:\n  duban acknowledge nanyang-2017 统计表 宛城区 --period 2017-05 --by 李四"
    )]
    Acknowledge(lifecycle::AckArgs),
    /// A unit asks for more time (申请延期), before its deadline: the office grants it with
    /// `extend` (to that day or a nearer one) or declines it with `decline-extension`.
    #[command(after_help = "Example:
  duban ask-extension nanyang-2017 统计表 宛城区 --period 2017-05 --until 2017-05-30 --reason 乡镇数据未齐 --by 李四")]
    AskExtension(lifecycle::ExtendArgs),
    /// Decline a unit's request for more time (不同意延期), for a reason.
    #[command(after_help = "Example:
  duban decline-extension nanyang-2017 统计表 宛城区 --period 2017-05 --reason 时间充足请按时报送")]
    DeclineExtension(lifecycle::ReasonArgs),
    /// Excuse an obligation (免报).
    #[command(
        after_help = "Example:\n  duban waive nanyang-2017 统计表 宛城区 --period 2017-05 --reason \"已合并报送\" --at 2017-05-27"
    )]
    Waive(lifecycle::ReasonArgs),
    /// Every event of one obligation.
    #[command(
        after_help = "Example:\n  duban history nanyang-2017 统计表 宛城区 --period 2017-05 --as-of 2017-05-27"
    )]
    History(lifecycle::HistoryArgs),
    /// A unit's obligations as an iCalendar file, done ones marked done.
    #[command(after_help = "Example:\n  duban ics --unit 宛城区 --as-of 2017-05-27 -o 宛城区.ics")]
    Ics(ics::IcsArgs),
    /// The letters the overdue ladder issued to a unit (督办函 and its kin), and their Word files.
    #[command(after_help = "Example:\n  duban letters 宛城区 --save 督办文书/")]
    Letters(letters::LettersArgs),
    /// The shell script that completes duban's commands, flags and names (source it).
    #[command(after_help = "Example:\n  source <(duban completions bash)")]
    Completions(completions::CompletionsArgs),
    /// The manual page, in roff (`duban man > duban.1; man -l duban.1`).
    #[command(after_help = "Example:\n  duban man > duban.1 && man -l duban.1")]
    Man,
    /// Every overdue obligation, with the unit's contacts.
    #[command(
        after_help = "Example:\n  duban overdue --as-of 2017-04-27 --campaign nanyang-2017 --fail-if-any"
    )]
    Overdue(queries::OverdueArgs),
    /// Per unit and deliverable: counts and a red / yellow / green light.
    #[command(after_help = "Example:\n  duban status --as-of 2017-04-27 --unit 宛城区")]
    Status(queries::QueryArgs),
    /// What falls due soon.
    #[command(after_help = "Example:\n  duban due --as-of 2017-05-20 --within 1w")]
    Due(queries::DueArgs),
    /// One pass: plan the notices due now, queue and send them (for cron).
    #[command(after_help = "Example:\n  duban remind --dry-run --as-of 2017-05-22T09:05")]
    Remind(notices::RemindArgs),
    /// Every notice that would go out between two dates, day by day.
    #[command(
        after_help = "Example:\n  duban preview --from 2017-05-01 --to 2017-05-31 --campaign nanyang-2017"
    )]
    Preview(notices::PreviewArgs),
    /// Mails not yet sent (or all), and requeueing failed ones.
    #[command(after_help = "Example:\n  duban outbox --all --format csv")]
    Outbox(notices::OutboxArgs),
    /// Chase a unit now for what it owes past its deadline (一键催办): in the history, and a mail.
    #[command(
        after_help = "Example:\n  duban chase nanyang-2017 卧龙区 统计表 --as-of 2017-05-27T10:00"
    )]
    Chase(chase::ChaseArgs),
    /// Check the channels notices go by, without sending (or send a unit one test message).
    #[command(after_help = "Example:\n  duban channels check --send 宛城区")]
    Channels(channels::ChannelsArgs),
    /// Run passes on a schedule until SIGTERM or SIGINT.
    #[command(after_help = "Example:\n  duban daemon --schedule \"*/5 * * * *\"")]
    Daemon(notices::DaemonArgs),
    /// Copy the SQLite store into an empty PostgreSQL database, and check the copy.
    #[command(after_help = "Example:\n  duban migrate --to postgres://duban@localhost/duban")]
    Migrate(migrate::MigrateArgs),
    /// Add up one period's figures of a report's form, up the unit hierarchy (汇总).
    #[command(
        after_help = "Example:\n  duban rollup nanyang-2017 统计表 --period 2017-05 --by groups --as-of 2017-05-30"
    )]
    Rollup(contents::RollupArgs),
    /// Each value reported for a target against its threshold (below target is red).
    #[command(after_help = "Example:\n  duban targets --campaign qianyang-2023 --as-of 2023-07-01")]
    Targets(contents::TargetsArgs),
    /// Write a report's blank form as .xlsx, with a row per unit, for units to fill in.
    #[command(
        after_help = "Example:\n  duban template nanyang-2017 统计表 --unit 南阳市 --as-of 2017-05-15 -o 附件3.xlsx"
    )]
    Template(contents::TemplateArgs),
    /// A ledger's rows (台账): enter, update, close out (销号), reopen, show.
    #[command(after_help = "Example:\n  duban ledger show gulu-2023 问题台账 --as-of 2023-07-20")]
    Ledger(ledgers::LedgerArgs),
    /// Enter a leader's instruction (批示) as tracked work: its unit, its deadline, its ladder.
    #[command(
        after_help = "Example:\n  duban instruct nanyang-2017 宛城区 --leader 市委书记 --text 抓紧整改扶贫领域问题 --about 宛城区 --due 2017-05-26 --at 2017-05-12"
    )]
    Instruct(instructions::InstructArgs),
    /// A campaign's instructions (批示) as they stand: who gave them, on what, and where each is.
    #[command(after_help = "Example:\n  duban instructions nanyang-2017 --as-of 2017-06-05")]
    Instructions(instructions::InstructionsArgs),
    /// The bulletin (通报) of a month, a quarter or any days: md, html, docx, xlsx.
    #[command(
        after_help = "Example:\n  duban bulletin nanyang-2017 --month 2017-05 --as-of 2017-06-05 --format docx -o 通报.docx"
    )]
    Bulletin(documents::BulletinArgs),
    /// Each unit's timeliness scored by the campaign's rules (考核), ranked.
    #[command(
        after_help = "Example:\n  duban assess nanyang-2017 --month 2017-05 --as-of 2017-06-05"
    )]
    Assess(documents::AssessArgs),
    /// Record an interview (约谈) that took place.
    #[command(
        after_help = "Example:\n  duban interview record nanyang-2017 新野县 --at 2017-06-08 --reason 逾期14天"
    )]
    Interview(documents::InterviewArgs),
    /// Write the JSON API's description (OpenAPI), as `/api/v1/openapi.json` serves it.
    #[command(after_help = "Example:\n  duban openapi -o docs/openapi.json")]
    Openapi(web::OpenapiArgs),
    /// Serve the web pages: sign-in, the board (三色看板), each unit's page.
    #[command(after_help = "Example:\n  duban serve --listen 127.0.0.1:8080")]
    Serve(web::ServeArgs),
    /// Accounts that sign in to the web pages.
    #[command(after_help = "Example:\n  duban user add 张三 --unit 宛城区 --role liaison")]
    User(web::UserArgs),
    /// Bearer tokens for the JSON API.
    #[command(after_help = "Example:\n  duban token create --unit 宛城区 --role liaison")]
    Token(web::TokenArgs),
    /// The organisation's directory (组织机构/通讯录): import the office's sheet, list, export.
    #[command(after_help = "Example:\n  duban units import 通讯录.xlsx && duban units list")]
    Units(units::UnitsArgs),
}

/// Runs the command line and returns the exit code. Output that could not be written all the
/// way (a full disk) is an error, found at the latest when it is flushed here.
pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let code = dispatch(args)?;
    std::io::Write::flush(&mut std::io::stdout())?;
    Ok(code)
}

fn dispatch(args: Args) -> Result<ExitCode, CliError> {
    match &args.command {
        Command::Init(a) => return init::run(a),
        Command::Draft(a) => return draft::run(a),
        Command::Completions(a) => return completions::run(a),
        Command::Openapi(a) => return web::openapi(a),
        Command::Man => return man(),
        _ => {}
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
        Command::AskExtension(a) => lifecycle::ask_extension(&context, a),
        Command::Acknowledge(a) => lifecycle::acknowledge(&context, a),
        Command::PassDown(a) => lifecycle::pass_down(&context, a),
        Command::DeclineExtension(a) => lifecycle::decline_extension(&context, a),
        Command::Waive(a) => lifecycle::waive(&context, a),
        Command::History(a) => lifecycle::history(&context, a),
        Command::Ics(a) => ics::run(&context, a),
        Command::Letters(a) => letters::run(&context, a),
        Command::Overdue(a) => queries::overdue(&context, a),
        Command::Status(a) => queries::status(&context, a),
        Command::Due(a) => queries::due(&context, a),
        Command::Remind(a) => notices::remind(&context, a),
        Command::Preview(a) => notices::preview(&context, a),
        Command::Outbox(a) => notices::outbox(&context, a),
        Command::Channels(a) => channels::run(&context, a),
        Command::Chase(a) => chase::run(&context, a),
        Command::Migrate(a) => migrate::run(&context, a),
        Command::Rollup(a) => contents::rollup(&context, a),
        Command::Targets(a) => contents::targets(&context, a),
        Command::Template(a) => contents::template(&context, a),
        Command::Ledger(a) => ledgers::run(&context, a),
        Command::Instruct(a) => instructions::instruct(&context, a),
        Command::Instructions(a) => instructions::list(&context, a),
        Command::Bulletin(a) => documents::bulletin(&context, a),
        Command::Assess(a) => documents::assess(&context, a),
        Command::Interview(a) => documents::interview(&context, a),
        Command::User(a) => web::user(&context, a),
        Command::Token(a) => web::token(&context, a),
        Command::Units(a) => units::run(&context, a),
        Command::Init(_)
        | Command::Draft(_)
        | Command::Daemon(_)
        | Command::Serve(_)
        | Command::Completions(_)
        | Command::Openapi(_)
        | Command::Man => Ok(ExitCode::SUCCESS),
    }
}

/// Prints the manual page: the overview of every command, then each command's own options.
fn man() -> Result<ExitCode, CliError> {
    let mut command = <Args as clap::CommandFactory>::command();
    command.build();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("duban {}", sub.get_name());
        let mut options = Vec::new();
        clap_mangen::Man::new(sub.clone()).render_options_section(&mut options)?;
        let options = String::from_utf8_lossy(&options).replace(".SH ", ".SS ");
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        let title = name.to_uppercase();
        let section = format!(".SH \"{title}\"\n{}\n{options}", roff_text(&about));
        page.extend(section.into_bytes());
    }
    std::io::Write::write_all(&mut std::io::stdout(), &page)?;
    Ok(ExitCode::SUCCESS)
}

/// `text` as a roff text line: a leading `.` or `'` would be read as a request.
fn roff_text(text: &str) -> String {
    let text = text.replace('\\', "\\e");
    if text.starts_with(['.', '\'']) {
        format!("\\&{text}")
    } else {
        text
    }
}

/// What every command runs with: the office, and how to show things to this user.
pub struct Context {
    /// The office: configuration, calendar, clock.
    pub office: Office,
    /// Whether to colour diagnostics.
    pub color: bool,
    /// The width diagnostics are cut to: stderr's terminal's (or `COLUMNS`), none when piped.
    pub diagnostic_width: Option<usize>,
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
        let lang = args.lang.unwrap_or(if config.chinese_tables {
            output::Lang::Zh
        } else {
            output::Lang::En
        });
        output::Style::for_stdout(args.color, lang).install();
        let mut office = Office::open(config, args.holidays.as_deref())?;
        office.future = args.future;
        Ok(Context {
            office,
            color: args.color.enabled_for_stderr(),
            diagnostic_width: output::stderr_width(),
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
    /// Diagnostics as shown to this user: coloured and cut to the terminal when on one.
    pub fn render(
        &self,
        sources: &crate::language::Sources,
        diagnostics: &[crate::language::Diagnostic],
    ) -> String {
        sources.render_to_width(diagnostics, self.color, self.diagnostic_width)
    }

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

    /// Runs `work`, which loads the configured campaign folder, telling the user what changed
    /// in each file (with a spinner on a terminal while it loads).
    pub fn loading<T>(
        &self,
        work: impl FnOnce(
            &mut dyn FnMut(&std::path::Path, crate::workspace::FileSync),
        ) -> Result<T, crate::app::AppError>,
    ) -> Result<T, CliError> {
        let mut shown = Ok(());
        let working = progress::Progress::start("loading campaign files", None);
        let done = work(&mut |path, result| {
            if shown.is_ok() {
                shown = working.suspend(|| sync::show(self, path, result, false));
            }
        });
        drop(working);
        let done = done?;
        shown?;
        Ok(done)
    }

    /// Opens the records after loading the configured campaign folder into them, telling the
    /// user what changed. Campaigns with errors are reported and keep their last good version.
    pub fn store_synced(&self, as_of: Instant) -> Result<Records, CliError> {
        self.opened(|seen| self.office.store_synced(as_of, seen))
    }

    /// Opens the records for a command that only reads them (see [`Office::store_for_reading`]),
    /// telling the user what changed.
    pub fn store_for_reading(&self, as_of: Instant) -> Result<Records, CliError> {
        self.opened(|seen| self.office.store_for_reading(as_of, seen))
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
        let store = self.loading(open)?;
        if store.is_read_only() {
            tell!(
                "warning: {} is read-only: answering from it as it is, without loading changed campaign files",
                store.location()
            );
        }
        Ok(store)
    }
}

/// The office's directory, if the campaign at `path` may take units from it (a file that
/// cannot be read is told by the loading that follows).
fn directory(
    context: &Context,
    path: &std::path::Path,
) -> Vec<crate::language::directory::DirEntry> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    context.directory_for(&text)
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
        &directory(context, path),
    )?;
    tell_raw!("{}", context.render(&loaded.sources, &loaded.diagnostics));
    match loaded.campaign {
        Some(campaign) => Ok((campaign, loaded.sources)),
        None => Err(CliError::Invalid {
            path: path.display().to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::Args;

    /// The words of a shell command: spaces split, double quotes group.
    fn words(line: &str) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut quoted = false;
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                ' ' if !quoted => out.push(String::new()),
                c => out.last_mut().unwrap().push(c),
            }
        }
        out.retain(|w| !w.is_empty());
        out
    }

    /// Every command's help ends with an example, and the example is a command duban takes.
    #[test]
    fn every_command_has_an_example_that_parses() {
        let command = Args::command();
        for sub in command.get_subcommands() {
            let after = sub.get_after_help().map(|h| h.to_string());
            let example = after
                .as_deref()
                .and_then(|h| h.strip_prefix("Example:\n  "))
                .unwrap_or_else(|| panic!("`duban {}` has no example", sub.get_name()));
            let example = example
                .trim_start_matches("source <(")
                .trim_end_matches(')');
            // The duban part of a line that goes on in the shell.
            let first = example
                .split(" && ")
                .next()
                .unwrap()
                .split(" > ")
                .next()
                .unwrap();
            let parsed = Args::try_parse_from(words(first));
            assert!(parsed.is_ok(), "{first}: {}", parsed.unwrap_err());
        }
    }
}
