//! `duban calendar YEAR`: the statutory holidays and make-up workdays of a year.

use std::process::ExitCode;

use chrono::Datelike;
use serde::Serialize;

use super::output;
use super::{CliError, Context};
use crate::schedule::calendar::DayKind;

/// Arguments of `duban calendar`.
#[derive(Debug, clap::Args)]
pub struct CalendarArgs {
    /// The year.
    pub year: i32,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: CalendarFormat,
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

/// Prints the year's named days; an unknown year is an error.
pub fn run(context: &Context, args: &CalendarArgs) -> Result<ExitCode, CliError> {
    if !context.calendar.knows(args.year) {
        let known: Vec<String> = context
            .calendar
            .known_years()
            .map(|y| y.to_string())
            .collect();
        return Err(CliError::Usage {
            message: format!(
                "no holiday notice for {} is known (known: {}); add it with `--holidays FILE`",
                args.year,
                known.join(", ")
            ),
        });
    }
    let days: Vec<Day> = context
        .calendar
        .named_days(args.year)
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
            let value = serde_json::json!({ "year": args.year, "days": days });
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
