//! `duban calendar YEAR`: the statutory holidays and make-up workdays of a year.

use std::process::ExitCode;

use chrono::Datelike;
use serde::Serialize;

use super::output;
use super::{CliError, Context};
use crate::schedule::calendar::DayKind;

/// Arguments of `duban calendar`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CalendarArgs {
    /// Add a year's holiday notice to the office's own calendars.
    #[command(subcommand)]
    pub action: Option<CalendarAction>,
    /// The year to show.
    #[arg(required_unless_present = "deadlines")]
    pub year: Option<i32>,
    /// Show a campaign's deadlines on a month's grid instead (with --month).
    #[arg(
        long,
        value_name = "CAMPAIGN",
        requires = "month",
        conflicts_with = "year"
    )]
    pub deadlines: Option<String>,
    /// The month of --deadlines: `2017-05`.
    #[arg(long, value_name = "YYYY-MM", requires = "deadlines")]
    pub month: Option<String>,
    /// The instant to count what is still owed at (default: now).
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<crate::clock::Instant>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: CalendarFormat,
}

/// What `duban calendar` can do besides showing a year.
#[derive(Debug, clap::Subcommand)]
pub enum CalendarAction {
    /// Add a holiday file's notices to the office's own calendars.
    ///
    /// The file is the TOML form of data/calendar-cn.toml or a holiday-cn JSON file; it is
    /// kept in `calendars/` beside duban.toml, and a year there replaces the shipped one.
    /// Every command uses it from then on.
    Import {
        /// The holiday file.
        file: std::path::PathBuf,
    },
}

/// Output formats of `duban calendar`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum CalendarFormat {
    /// An aligned table.
    Table,
    /// A JSON object.
    Json,
    /// An HTML page (the month of --deadlines).
    Html,
}

#[derive(Serialize)]
struct Day {
    date: String,
    weekday: &'static str,
    off: bool,
    name: String,
}

/// Validates a holiday file and copies it into the office's store, named by its years.
fn import(context: &Context, file: &std::path::Path) -> Result<ExitCode, CliError> {
    let (years, target) = context.import_calendar(file)?;
    let years: Vec<String> = years.iter().map(i32::to_string).collect();
    say!(
        "imported the holiday notice of {} into {}",
        years.join(", "),
        target.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the year's named days; an unknown year is an error.
pub fn run(context: &Context, args: &CalendarArgs) -> Result<ExitCode, CliError> {
    if let (Some(campaign), Some(month)) = (&args.deadlines, &args.month) {
        return deadlines(context, args, campaign, month);
    }
    let year = match (&args.action, args.year) {
        (Some(CalendarAction::Import { file }), _) => return import(context, file),
        (None, Some(year)) => year,
        (None, None) => {
            return Err(CliError::Usage {
                message: "say which year: `duban calendar 2017`".into(),
            });
        }
    };
    if !context.calendar.knows(year) {
        let known: Vec<String> = context
            .calendar
            .known_years()
            .map(|y| y.to_string())
            .collect();
        return Err(CliError::Usage {
            message: format!(
                "no holiday notice for {} is known (known: {}); add it with `duban calendar import FILE` (or `--holidays FILE`)",
                year,
                known.join(", ")
            ),
        });
    }
    let days: Vec<Day> = context
        .calendar
        .named_days(year)
        .into_iter()
        .map(|(date, kind)| {
            let (off, name) = match kind {
                DayKind::Holiday(name) => (true, name),
                DayKind::MakeupWorkday(name) => (false, name),
                _ => (!kind.is_workday(), String::new()),
            };
            Day {
                date: date.to_string(),
                weekday: weekday_zh(date.weekday()),
                off,
                name,
            }
        })
        .collect();
    match args.format {
        CalendarFormat::Html => {
            return Err(CliError::Usage {
                message: "--format html shows a month of deadlines: add --deadlines CAMPAIGN --month YYYY-MM".into(),
            });
        }
        CalendarFormat::Json => {
            let value = super::output::versioned(serde_json::json!({ "year": year, "days": days }));
            say!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            )?;
        }
        CalendarFormat::Table => {
            let rows = days.into_iter().map(|d| {
                let kind = if d.off {
                    "holiday 放假"
                } else {
                    "make-up workday 调休上班"
                };
                vec![d.date, d.weekday.to_string(), kind.to_string(), d.name]
            });
            say_raw!(
                "{}",
                output::table(&["date", "day", "kind", "holiday"], rows)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A campaign's deadlines on the grid of a month, each day marked 休 or 班 as the calendar says.
fn deadlines(
    context: &Context,
    args: &CalendarArgs,
    campaign: &str,
    month: &str,
) -> Result<ExitCode, CliError> {
    use crate::vocabulary::Period;
    let Some(period @ Period::Month { .. }) = Period::parse(month) else {
        return Err(CliError::Usage {
            message: format!("`{month}` is not a month: write it as 2017-05"),
        });
    };
    let window = crate::app::Window::of(&period).expect("a month is a window");
    let as_of = context.instant(args.as_of);
    let store = context.store_for_reading(as_of)?;
    let due = context.deadlines(&*store, campaign, &window, as_of)?;
    let title = format!("{campaign} {} 报送日历", window.label);
    match args.format {
        CalendarFormat::Json => say!(
            "{}",
            serde_json::to_string_pretty(&super::output::versioned(serde_json::json!({
                "campaign": campaign,
                "month": month,
                "deadlines": due,
            })))
            .unwrap_or_default()
        )?,
        CalendarFormat::Html => say_raw!(
            "{}",
            crate::documents::month::html(&title, window.from, &context.calendar, &due)
        )?,
        CalendarFormat::Table => say_raw!("{}", month_table(context, &title, &window, &due))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The month in the terminal: a grid whose cells say the day, 休 / 班, and how many
/// deliverables fall due (●N); then each day's deadlines.
fn month_table(
    context: &Context,
    title: &str,
    window: &crate::app::Window,
    due: &[crate::app::Deadline],
) -> String {
    use crate::documents::month;
    let rows = month::weeks(window.from).into_iter().map(|week| {
        week.iter()
            .map(|day| match day {
                None => String::new(),
                Some(day) => {
                    let count = due.iter().filter(|d| d.date == *day).count();
                    let dots = if count > 0 {
                        format!(" ●{count}")
                    } else {
                        String::new()
                    };
                    format!(
                        "{:>2}{}{dots}",
                        day.day(),
                        month::mark(&context.calendar, *day)
                    )
                }
            })
            .collect::<Vec<String>>()
    });
    let mut out = format!("{title}\n");
    out.push_str(&output::table(
        &["一", "二", "三", "四", "五", "六", "日"],
        rows,
    ));
    for d in due {
        out.push_str(&format!(
            "{} {}  {}（{} 个单位，未报 {}）\n",
            d.date,
            weekday_zh(d.date.weekday()),
            d.deliverable,
            d.units,
            d.open
        ));
    }
    if due.is_empty() {
        out.push_str("no deadline this month\n");
    }
    out
}

/// 周一 … 周日.
pub fn weekday_zh(day: chrono::Weekday) -> &'static str {
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][day.num_days_from_monday() as usize]
}
