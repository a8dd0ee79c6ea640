//! `duban bulletin | assess | interview`: what supervisors hand round — the bulletin (通报) of a
//! month or quarter, the assessment (考核) of a year, and the interviews (约谈) held.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::contents::{SheetFormat, write_file};
use super::lifecycle::ActorArgs;
use super::output;
use super::{CliError, Context};
use crate::app::{Assessment, UnitScore, Window};
use crate::clock::Instant;
use crate::documents::{self, Cell};
use crate::language::form::num;
use crate::vocabulary::Period;

/// The time a bulletin or an assessment covers: one of a month, a quarter, a year, or two dates.
#[derive(Debug, clap::Args)]
pub struct WindowArgs {
    /// A month: `2017-05`.
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["quarter", "year", "from"])]
    pub month: Option<String>,
    /// A quarter: `2023Q2` (or `2023-Q2`).
    #[arg(long, value_name = "YYYYQN", conflicts_with_all = ["year", "from"])]
    pub quarter: Option<String>,
    /// A year: `2017`.
    #[arg(long, value_name = "YYYY", conflicts_with = "from")]
    pub year: Option<i32>,
    /// The first day (with --to).
    #[arg(long, value_name = "DATE", value_parser = crate::clock::parse_date, requires = "to")]
    pub from: Option<NaiveDate>,
    /// The last day (with --from).
    #[arg(long, value_name = "DATE", value_parser = crate::clock::parse_date, requires = "from")]
    pub to: Option<NaiveDate>,
}

impl WindowArgs {
    /// The window asked for; `None` when none was.
    fn window(&self) -> Result<Option<Window>, CliError> {
        let bad = |what: &str, text: &str, example: &str| CliError::Usage {
            message: format!("`{text}` is not a {what}: write it as {example}"),
        };
        let period = if let Some(m) = &self.month {
            match Period::parse(m) {
                Some(p @ Period::Month { .. }) => p,
                _ => return Err(bad("month", m, "2017-05")),
            }
        } else if let Some(q) = &self.quarter {
            let dashed = q.replacen(['Q', 'q'], "-Q", 1).replace("--", "-");
            match Period::parse(&dashed) {
                Some(p @ Period::Quarter { .. }) => p,
                _ => return Err(bad("quarter", q, "2023Q2")),
            }
        } else if let Some(y) = self.year {
            Period::Year(y)
        } else if let (Some(from), Some(to)) = (self.from, self.to) {
            if to < from {
                return Err(CliError::Usage {
                    message: format!("--to {to} is before --from {from}"),
                });
            }
            return Ok(Some(Window::between(from, to)));
        } else {
            return Ok(None);
        };
        Ok(Window::of(&period))
    }
}

/// How a bulletin is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BulletinFormat {
    /// Markdown, for a mail body.
    Md,
    /// HTML that prints on A4, with the chart.
    Html,
    /// Word (with -o FILE.docx).
    Docx,
    /// Excel, one sheet per table (with -o FILE.xlsx).
    Xlsx,
    /// The numbers, as JSON.
    Json,
    /// The chart of on-time rates alone, as SVG.
    Svg,
}

/// Arguments of `duban bulletin`.
#[derive(Debug, clap::Args)]
pub struct BulletinArgs {
    /// Campaign identifier.
    pub campaign: String,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "md")]
    pub format: BulletinFormat,
    /// The file to write (docx and xlsx need one).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The date of issue (default: the day of --as-of, or today).
    #[arg(long, value_name = "DATE", value_parser = crate::clock::parse_date)]
    pub issued: Option<NaiveDate>,
    /// The instant to load the campaign files at (default: now).
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<Instant>,
    /// The bulletin's own 文号, printed above its title (`宛纪办通〔2017〕5号`).
    #[arg(long, value_name = "TEXT")]
    pub number: Option<String>,
    /// Whom it is addressed to (主送机关), printed under its title (`各县区纪委、市直各单位`).
    #[arg(long, value_name = "TEXT")]
    pub addressed_to: Option<String>,
}

/// Writes the bulletin of a month, a quarter or any days.
pub fn bulletin(context: &Context, args: &BulletinArgs) -> Result<ExitCode, CliError> {
    let Some(window) = args.window.window()? else {
        return Err(CliError::Usage {
            message: "say which time the bulletin covers: --month 2017-05, --quarter 2023Q2, --year 2017, or --from DATE --to DATE".into(),
        });
    };
    let as_of = context.instant(args.as_of);
    let store = context.store_for_reading(as_of)?;
    let zone = store.campaign_zone(&args.campaign)?;
    let issued = args
        .issued
        .unwrap_or_else(|| as_of.in_zone(zone).with_timezone(&zone).date_naive());
    let mut b = context.bulletin(&*store, &args.campaign, &window, as_of, issued)?;
    crate::app::address_bulletin(&mut b, args.number.as_deref(), args.addressed_to.as_deref())?;
    let bytes = match args.format {
        BulletinFormat::Md => documents::bulletin::markdown(&b).into_bytes(),
        BulletinFormat::Html => documents::bulletin::html(&b).into_bytes(),
        BulletinFormat::Json => {
            (serde_json::to_string_pretty(&output::versioned(&b)).unwrap_or_default() + "\n").into()
        }
        BulletinFormat::Svg => documents::bulletin::chart(&b).into_bytes(),
        BulletinFormat::Docx => {
            needs_file(args.output.as_ref(), "docx")?;
            documents::bulletin::docx(&b)?
        }
        BulletinFormat::Xlsx => {
            needs_file(args.output.as_ref(), "xlsx")?;
            documents::bulletin::xlsx(&b).map_err(xlsx_error)?
        }
    };
    write_out(args.output.as_ref(), &bytes)?;
    Ok(ExitCode::SUCCESS)
}

fn needs_file(path: Option<&PathBuf>, format: &str) -> Result<(), CliError> {
    match path {
        Some(_) => Ok(()),
        None => Err(CliError::Usage {
            message: format!("--format {format} writes a file: give it with -o FILE.{format}"),
        }),
    }
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> CliError {
    CliError::Usage {
        message: e.to_string(),
    }
}

fn write_out(path: Option<&PathBuf>, bytes: &[u8]) -> Result<(), CliError> {
    match path {
        Some(path) => {
            write_file(path, bytes)?;
            say!("wrote {}", path.display())
        }
        None => say_raw!("{}", String::from_utf8_lossy(bytes)),
    }
}

/// Arguments of `duban assess`.
#[derive(Debug, clap::Args)]
pub struct AssessArgs {
    /// Campaign identifier.
    pub campaign: String,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Only this unit.
    #[arg(long)]
    pub unit: Option<String>,
    /// How the score was made: every report's points.
    #[arg(long)]
    pub explain: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: SheetFormat,
    /// The file to write (`--format xlsx` needs one).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Score the records as they stood at this instant (default: now).
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<Instant>,
}

/// Scores each unit's timeliness, ranked.
pub fn assess(context: &Context, args: &AssessArgs) -> Result<ExitCode, CliError> {
    // No time given: every report of the campaign.
    let window = args.window.window()?.unwrap_or_else(|| Window {
        label: "全程".into(),
        ..Window::between(
            NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date"),
            NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date"),
        )
    });
    let as_of = context.instant(args.as_of);
    let store = context.store_for_reading(as_of)?;
    let mut assessment = context.assess(&*store, &args.campaign, &window, as_of, args.explain)?;
    if let Some(unit) = &args.unit {
        if !assessment.units.iter().any(|u| &u.unit == unit) {
            let names = assessment.units.iter().map(|u| u.unit.as_str());
            let hint = crate::language::suggest::did_you_mean(unit, names)
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            return Err(CliError::Usage {
                message: format!(
                    "{unit} owes nothing of {} in this time{hint}",
                    args.campaign
                ),
            });
        }
        assessment.units.retain(|u| &u.unit == unit);
    }
    let bytes = match args.format {
        SheetFormat::Json => {
            let value = output::versioned(&assessment);
            (serde_json::to_string_pretty(&value).unwrap_or_default() + "\n").into_bytes()
        }
        SheetFormat::Table => assess_table(&assessment, args.explain).into_bytes(),
        SheetFormat::Csv => {
            let mut out = Vec::new();
            output::csv_row(&mut out, &ASSESS_COLUMNS)?;
            for u in &assessment.units {
                let cells: Vec<String> = unit_cells(u).iter().map(Cell::show).collect();
                let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
                output::csv_row(&mut out, &refs)?;
            }
            out
        }
        SheetFormat::Xlsx => {
            needs_file(args.output.as_ref(), "xlsx")?;
            let mut book = rust_xlsxwriter::Workbook::new();
            let rows: Vec<Vec<Cell>> = assessment.units.iter().map(unit_cells).collect();
            documents::sheet(&mut book, "考核", &ASSESS_COLUMNS_ZH, &rows).map_err(xlsx_error)?;
            book.save_to_buffer().map_err(xlsx_error)?
        }
    };
    write_out(args.output.as_ref(), &bytes)?;
    Ok(ExitCode::SUCCESS)
}

const ASSESS_COLUMNS: [&str; 11] = [
    "rank",
    "unit",
    "score",
    "on_time_rate",
    "reports",
    "on_time",
    "late",
    "missing",
    "late_days",
    "returns",
    "interviews",
];

/// [`ASSESS_COLUMNS`] as a workbook a person opens names them (CSV keeps the keys, for
/// programs): the terminal table's words, the rate's unit said since the cell is a number.
const ASSESS_COLUMNS_ZH: [&str; 11] = [
    "名次",
    "单位",
    "得分",
    "按时率（%）",
    "应报",
    "按时",
    "逾期",
    "未报",
    "逾期天数",
    "退回",
    "约谈",
];

fn unit_cells(u: &UnitScore) -> Vec<Cell> {
    let n = |x: usize| Cell::Number(x as f64);
    let opt = |x: Option<f64>| x.map_or(Cell::Text(String::new()), Cell::Number);
    vec![
        n(u.rank),
        Cell::Text(u.unit.clone()),
        opt(u.score),
        opt(u.on_time_rate),
        n(u.total.reports),
        n(u.total.on_time),
        n(u.total.late),
        n(u.total.missing),
        Cell::Number(u.total.late_days as f64),
        Cell::Number(u.total.returns as f64),
        n(u.interviews),
    ]
}

fn assess_table(a: &Assessment, explain: bool) -> String {
    let mut out = format!(
        "{} 考核 — {} {}\nrules: {}\n",
        a.title, a.campaign, a.window.label, a.rules
    );
    let header = [
        "名次",
        "单位",
        "得分",
        "按时率",
        "应报",
        "按时",
        "逾期",
        "未报",
        "逾期天数",
        "退回",
        "约谈",
    ];
    let rows = a.units.iter().map(|u| {
        let mut cells: Vec<String> = unit_cells(u).iter().map(Cell::show).collect();
        if let Some(rate) = u.on_time_rate {
            cells[3] = format!("{}%", num(rate));
        }
        cells
    });
    out.push_str(&output::table(&header, rows));
    if !explain {
        return out;
    }
    for u in &a.units {
        out.push_str(&format!(
            "\n{} — score {}\n",
            u.unit,
            u.score.map_or("—".into(), num)
        ));
        for part in &u.deliverables {
            out.push_str(&format!(
                "  {}: {} report(s), score {}\n",
                part.deliverable,
                part.reports,
                part.score.map_or("—".into(), num)
            ));
        }
        let lines = u.lines.iter().map(|l| {
            let outcome = match (l.outcome, l.days_late) {
                ("late", days) => format!("late {days} day(s)"),
                ("missing", _) => "never sent".into(),
                ("waived", _) => "waived".into(),
                ("under_review", 0) => "awaiting review, sent on time".into(),
                ("under_review", days) => format!("awaiting review, sent {days} day(s) late"),
                // On time by an extension the rules do not count.
                (_, 0) => "on time".into(),
                (_, days) => {
                    format!("on time by its extension, {days} day(s) past the original deadline")
                }
            };
            vec![
                l.deliverable.clone(),
                l.period.clone(),
                l.due_date.clone(),
                outcome,
                l.returns.to_string(),
                num(l.points),
            ]
        });
        out.push_str(&output::table(
            &["事项", "期次", "截止日期", "情况", "退回", "得分"],
            lines,
        ));
    }
    out
}

/// Arguments of `duban interview`.
#[derive(Debug, clap::Args)]
pub struct InterviewArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: InterviewAction,
}

/// What to do with interviews (约谈).
#[derive(Debug, clap::Subcommand)]
pub enum InterviewAction {
    /// Record an interview that took place; the bulletin shows it, and the same lapse is not
    /// proposed again.
    Record {
        /// Campaign identifier.
        campaign: String,
        /// The unit interviewed.
        unit: String,
        /// Why: the rung that proposed it, or the supervisor's own decision.
        #[arg(long, default_value = "督办单位决定")]
        reason: String,
        #[command(flatten)]
        actor: ActorArgs,
    },
}

/// Records an interview.
pub fn interview(context: &Context, args: &InterviewArgs) -> Result<ExitCode, CliError> {
    let InterviewAction::Record {
        campaign,
        unit,
        reason,
        actor,
    } = &args.action;
    let at = context.instant(actor.at);
    let mut store = context.store_for_record(at)?;
    context.record_interview(
        &mut *store,
        campaign,
        unit,
        at,
        actor.by.clone(),
        reason.clone(),
        actor.note.clone(),
    )?;
    say!("recorded: interview of {unit} ({campaign}) — {reason}")?;
    Ok(ExitCode::SUCCESS)
}
