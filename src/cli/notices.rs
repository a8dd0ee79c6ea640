//! `duban remind | preview | outbox | daemon`: reminders and escalations by mail.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use chrono::{DateTime, NaiveDate, Utc};

use super::output::{self, Format, fit};
use super::{CliError, Context};
use crate::app::{DaemonPlan, MailSetup};
use crate::clock::Instant;
use crate::notices::plan::Kind;
use crate::notices::send::Mailer;

/// Arguments of `duban remind`.
#[derive(Debug, clap::Args)]
pub struct RemindArgs {
    /// The instant of the pass (default: now).
    #[arg(long, value_name = "TIME")]
    as_of: Option<Instant>,
    /// Print the mails that would be written now instead of queueing and sending them.
    #[arg(long)]
    dry_run: bool,
    /// Only plan: count the notices due and the mails they make, write and send nothing.
    #[arg(long, conflicts_with = "dry_run")]
    plan_only: bool,
}

/// Arguments of `duban preview`.
#[derive(Debug, clap::Args)]
pub struct PreviewArgs {
    /// First day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = crate::clock::parse_date)]
    from: NaiveDate,
    /// Last day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = crate::clock::parse_date)]
    to: NaiveDate,
    /// Only this campaign; may be repeated.
    #[arg(long)]
    campaign: Vec<String>,
    /// Leave out what is already submitted, waived or under review (by default the preview
    /// assumes nothing is submitted).
    #[arg(long)]
    current: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    #[command(flatten)]
    file: output::FileArgs,
}

/// Arguments of `duban outbox`.
#[derive(Debug, clap::Args)]
pub struct OutboxArgs {
    /// What to do (default: list the mails not yet sent).
    #[command(subcommand)]
    action: Option<OutboxAction>,
    /// List sent mails too.
    #[arg(long)]
    all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    #[command(flatten)]
    file: output::FileArgs,
}

/// What `duban outbox` can do besides listing.
#[derive(Debug, clap::Subcommand)]
pub enum OutboxAction {
    /// Put failed mails (these, or all) back in the queue.
    Retry {
        /// Mail numbers, as `duban outbox` lists them.
        ids: Vec<i64>,
    },
}

/// Arguments of `duban daemon`.
#[derive(Debug, clap::Args)]
pub struct DaemonArgs {
    /// Pretend it is this instant at start-up, and let time pass from there (for rehearsals).
    #[arg(long, value_name = "TIME")]
    as_of: Option<Instant>,
    /// Log as JSON lines instead of text.
    #[arg(long)]
    json_logs: bool,
    /// When to run a pass: cron, five fields as in crontab (`*/5 * * * *`) or six with seconds
    /// first; may be repeated. Default: every 5 minutes, and at each policy's time of day in
    /// its campaign's zone.
    #[arg(long, value_name = "CRON")]
    schedule: Vec<String>,
    /// The zone `--schedule` and a local `--as-of` are read in. Default: the zone every
    /// campaign shares, else the office's (`zone` in duban.toml).
    #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
    zone: Option<chrono_tz::Tz>,
}

impl DaemonArgs {
    /// The daemon `duban serve --with-daemon` runs: its default schedules, from `as_of`.
    pub fn alongside(as_of: Option<Instant>, schedule: Vec<String>) -> DaemonArgs {
        DaemonArgs {
            as_of,
            json_logs: false,
            schedule,
            zone: None,
        }
    }
}

// A value parser for clap, which shows its error text as it is after the argument's name:
// a `String` is what clap takes (no caller matches on it).
fn parse_zone(text: &str) -> Result<chrono_tz::Tz, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not a time zone (e.g. Asia/Shanghai, Asia/Urumqi, UTC)"))
}

/// One pass, for cron users: plan, queue, send.
pub fn remind(context: &Context, args: &RemindArgs) -> Result<ExitCode, CliError> {
    // A local `--as-of` is read in each campaign's own zone.
    let as_of = context.instant(args.as_of);
    if args.plan_only {
        let store = context.store_synced(as_of)?;
        let (notices, mails, missing) = context.plan_only(&*store, as_of)?;
        say!(
            "{} due at {as_of}, for {}; {} without a mail address",
            output::plural(notices, "notice"),
            output::plural(mails, "mailbox"),
            missing
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.dry_run {
        let store = context.store_synced(as_of)?;
        let (drafts, missing) = context.draft(&*store, as_of)?;
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        for (i, (digest, mail)) in drafts.iter().enumerate() {
            if i > 0 {
                writeln!(out, "\n{}\n", "─".repeat(40))?;
            }
            write!(
                out,
                "To: {} <{}>\nSubject: {}\n\n{}",
                digest.name, digest.address, mail.subject, mail.body
            )?;
        }
        tell!(
            "dry run: {} would be written; nothing was queued or sent",
            output::plural(drafts.len(), "mail")
        );
        for who in missing {
            tell!("warning: no mail address for {who}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    init_logging(false);
    let setup = MailSetup::resolve(&context.config)?;
    let mailer = setup.couriers(Some("or see the mails without sending them: --dry-run"))?;
    let report = context.loading(|seen| {
        context.notice_pass(&mailer, &setup, as_of, &AtomicBool::new(false), seen)
    })?;
    told(&report)
}

/// Prints what a pass did; an error (exit 2) when mails were due and none could be sent.
pub(super) fn told(report: &crate::notices::pass::PassReport) -> Result<ExitCode, CliError> {
    say!("{report}")?;
    if report.nothing_sent() {
        return Err(CliError::NothingSent {
            login_refused: report.login_refused.clone(),
            untrusted: report.untrusted.clone(),
        });
    }
    Ok(ExitCode::SUCCESS)
}

/// Every notice a period would bring, day by day.
pub fn preview(context: &Context, args: &PreviewArgs) -> Result<ExitCode, CliError> {
    let as_of = Instant::Local(args.from.and_hms_opt(0, 0, 0).unwrap_or_default());
    let store = context.store_synced(as_of)?;
    let mails = context.preview(&*store, &args.campaign, (args.from, args.to), args.current)?;
    let mut out = output::Sink::open(args.format, &args.file, "预览")?;
    match args.format {
        Format::Json => {
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&mails).unwrap_or_default()
            )?;
        }
        Format::Csv | Format::Xlsx => {
            output::csv_row(
                &mut out,
                &["day", "send_at", "campaign", "kind", "name", "to", "items"],
            )?;
            for m in &mails {
                let day = m.day.to_string();
                let at = m.send_at.with_timezone(&m.zone).to_rfc3339();
                let items = m.items.join("; ");
                output::csv_row(
                    &mut out,
                    &[
                        &day,
                        &at,
                        &m.campaign,
                        kind_zh(m.kind),
                        &m.name,
                        &m.to,
                        &items,
                    ],
                )?;
            }
        }
        Format::Table => {
            for day in mails.chunk_by(|a, b| a.day == b.day) {
                let first = &day[0];
                let weekday = super::calendar::weekday_zh(chrono::Datelike::weekday(&first.day));
                writeln!(
                    out,
                    "{} {weekday}  {}",
                    first.day,
                    output::plural(day.len(), "mail")
                )?;
                let rows = day.iter().map(|m| {
                    let time = m.send_at.with_timezone(&m.zone).format("%H:%M").to_string();
                    let items = match m.items.len() {
                        1 => m.items[0].clone(),
                        n => format!("{} …+{}", m.items[0], n - 1),
                    };
                    vec![
                        format!("  {time}"),
                        kind_zh(m.kind).into(),
                        fit(&format!("{} <{}>", m.name, m.to), 44),
                        items,
                    ]
                });
                write!(
                    out,
                    "{}",
                    output::table(&["  time", "kind", "to", "items"], rows)
                )?;
            }
            writeln!(
                out,
                "{} from {} to {}",
                output::plural(mails.len(), "mail"),
                args.from,
                args.to
            )?;
        }
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}

fn kind_zh(kind: Kind) -> &'static str {
    match kind {
        Kind::Reminder => "催报",
        Kind::ReviewReminder => "待审核",
        Kind::Unacknowledged => "签收提醒",
        Kind::BelowTarget => "目标预警",
        Kind::ReviewOverdue => "审核催办",
        Kind::Overdue => "催办",
        Kind::Interview => "约谈",
    }
}

/// Lists the outbox, or requeues failed mails.
pub fn outbox(context: &Context, args: &OutboxArgs) -> Result<ExitCode, CliError> {
    let mut store = context.open_store()?;
    if let Some(OutboxAction::Retry { ids }) = &args.action {
        let count = store.retry(ids)?;
        say!("{} back in the queue", output::plural(count, "mail"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows = store.outbox(args.all)?;
    let mut out = output::Sink::open(args.format, &args.file, "发件箱")?;
    match args.format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        )?,
        Format::Csv | Format::Xlsx => {
            output::csv_row(
                &mut out,
                &[
                    "id",
                    "campaign",
                    "state",
                    "attempts",
                    "to",
                    "subject",
                    "last_error",
                ],
            )?;
            for r in &rows {
                let (id, attempts) = (r.id.to_string(), r.attempts.to_string());
                output::csv_row(
                    &mut out,
                    &[
                        &id,
                        &r.campaign,
                        &r.state,
                        &attempts,
                        &r.recipient,
                        &r.subject,
                        r.last_error.as_deref().unwrap_or(""),
                    ],
                )?;
            }
        }
        Format::Table => {
            // Each mail's times in its campaign's zone.
            let lines = rows.iter().map(|r| {
                // A campaign's zone as the records keep it: always a zone, which they checked.
                let zone: chrono_tz::Tz = r.zone.parse().unwrap_or(chrono_tz::UTC);
                let time = |t: i64| {
                    DateTime::<Utc>::from_timestamp(t, 0)
                        .map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_default()
                };
                let when = match r.state.as_str() {
                    "sent" => r.sent_at.map(time).unwrap_or_default(),
                    "pending" => format!("next {}", time(r.next_attempt_at)),
                    _ => String::new(),
                };
                vec![
                    r.id.to_string(),
                    r.state.clone(),
                    r.attempts.to_string(),
                    r.recipient.clone(),
                    fit(&r.subject, 40),
                    when,
                    r.last_error
                        .clone()
                        .map(|e| fit(&e, 60))
                        .unwrap_or_default(),
                ]
            });
            write!(
                out,
                "{}",
                output::table(
                    &[
                        "id",
                        "state",
                        "tries",
                        "to",
                        "subject",
                        "when",
                        "last error"
                    ],
                    lines
                )
            )?;
            let failed = rows.iter().filter(|r| r.state == "failed").count();
            writeln!(
                out,
                "{}, {failed} failed{}",
                output::plural(rows.len(), "mail"),
                if failed > 0 {
                    " (requeue with `duban outbox retry`)"
                } else {
                    ""
                }
            )?;
        }
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the daemon until SIGTERM or SIGINT.
pub fn daemon(context: Context, args: &DaemonArgs) -> Result<ExitCode, CliError> {
    let (settings, pass) = prepare_daemon(context, args)?;
    crate::daemon::run(settings, pass)?;
    Ok(ExitCode::SUCCESS)
}

/// Everything the daemon runs with, every setting checked first (mail, campaigns, templates):
/// its schedules and its pass.
pub fn prepare_daemon(
    mut context: Context,
    args: &DaemonArgs,
) -> Result<(crate::daemon::Settings, Arc<crate::daemon::PassFn>), CliError> {
    init_logging(args.json_logs);
    let setup = MailSetup::resolve(&context.config)?;
    let mailer: Arc<dyn Mailer> = Arc::new(setup.couriers(None)?);
    // The campaigns first: their zones and times of day decide the schedules.
    let start = args
        .as_of
        .unwrap_or_else(|| Instant::Absolute(context.clock.now()));
    let store = context.store_synced(start)?;
    context.check_templates(&*store)?;
    let times = store.policy_times()?;
    drop(store);
    let DaemonPlan { clock, schedules } = crate::app::daemon_plan(
        &args.schedule,
        args.zone,
        context.config.zone,
        args.as_of,
        &times,
    );
    crate::daemon::check(&schedules)?;
    context.clock = Box::new(clock.clone());
    let context = Arc::new(context);
    let pass: Arc<crate::daemon::PassFn> =
        Arc::new(move |now: DateTime<Utc>, stop: &AtomicBool| {
            let as_of = Instant::Absolute(now);
            let report = context
                .loading(|seen| context.notice_pass(mailer.as_ref(), &setup, as_of, stop, seen))?;
            Ok(report)
        });
    Ok((crate::daemon::Settings { clock, schedules }, pass))
}

/// Logs to stderr: text by default, JSON lines with `json`. `RUST_LOG` narrows it.
pub(super) fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tokio_cron_scheduler=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.with_ansi(false).try_init()
    };
}
