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
    #[arg(required = true)]
    pub year: Option<i32>,
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
        CalendarFormat::Json => {
            let value = serde_json::json!({ "year": year, "days": days });
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

/// 周一 … 周日.
pub fn weekday_zh(day: chrono::Weekday) -> &'static str {
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][day.num_days_from_monday() as usize]
}
