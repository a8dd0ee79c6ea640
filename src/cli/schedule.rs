//! `duban schedule FILE`: every obligation of a campaign with its due date.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::output::{self, csv_row};
use super::{CliError, Context};
use crate::documents::ics;
use crate::language::campaign::{Campaign, Due};
use crate::language::suggest;
use crate::schedule::{Obligation, compile};
use crate::store::StandingDuty;

/// Arguments of `duban schedule`.
#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    /// The campaign file.
    pub file: PathBuf,
    /// Only obligations of this unit (or of the units of this group); may be repeated.
    #[arg(long, value_name = "UNIT")]
    pub unit: Vec<String>,
    /// Only this deliverable; may be repeated.
    #[arg(long, value_name = "NAME")]
    pub deliverable: Vec<String>,
    /// Only obligations due on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = crate::clock::parse_date)]
    pub from: Option<NaiveDate>,
    /// Only obligations due on or before this date; open-ended cadences run to it.
    #[arg(long, value_name = "DATE", value_parser = crate::clock::parse_date)]
    pub to: Option<NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ScheduleFormat,
    /// With `--format ics`: to-dos (VTODO) instead of all-day events.
    #[arg(long)]
    pub todo: bool,
    #[command(flatten)]
    pub written: output::FileArgs,
}

/// Output formats of `duban schedule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ScheduleFormat {
    /// An aligned table.
    Table,
    /// A JSON array of obligations.
    Json,
    /// CSV with a header row.
    Csv,
    /// iCalendar: an all-day event per obligation, its reminders as alarms (to-dos with
    /// `--todo`).
    Ics,
    /// An Excel workbook (with -o FILE.xlsx): dates as dates.
    Xlsx,
}

/// Compiles the campaign and prints the selected obligations.
pub fn run(context: &Context, args: &ScheduleArgs) -> Result<ExitCode, CliError> {
    let (campaign, sources) = super::load_campaign(context, &args.file)?;
    let schedule = match compile(&campaign, &context.calendar, args.to) {
        Ok(s) => s,
        Err(errors) => {
            tell_raw!("{}", context.render(&sources, &errors));
            return Err(CliError::Invalid {
                path: args.file.display().to_string(),
            });
        }
    };
    tell_raw!("{}", context.render(&sources, &schedule.warnings));
    let units = select(&args.unit, "unit", || {
        campaign
            .units
            .iter()
            .map(|u| u.name.as_str())
            .chain(campaign.groups.iter().map(|g| g.name.as_str()))
    })?;
    let units: Option<Vec<usize>> = units.map(|names| {
        names
            .iter()
            .flat_map(|n| match campaign.unit(n) {
                Some(u) => vec![u],
                None => campaign
                    .groups
                    .iter()
                    .find(|g| &g.name == n)
                    .map(|g| g.members.clone())
                    .unwrap_or_default(),
            })
            .collect()
    });
    let deliverables = select(&args.deliverable, "deliverable", || {
        campaign.deliverables.iter().map(|d| d.name.as_str())
    })?;
    let selected = schedule.obligations().filter(|o| {
        units.as_ref().is_none_or(|u| u.contains(&o.unit_id))
            && deliverables
                .as_ref()
                .is_none_or(|d| d.contains(&o.deliverable.name))
            && args.from.is_none_or(|f| o.occurrence.due >= f)
            && args.to.is_none_or(|t| o.occurrence.due <= t)
    });
    // The listing's own formats are streamed; a workbook is made from its CSV.
    let sink_format = match args.format {
        ScheduleFormat::Xlsx => output::Format::Xlsx,
        ScheduleFormat::Csv => output::Format::Csv,
        _ => output::Format::Table,
    };
    let mut out = output::Sink::open(sink_format, &args.written, "日程")?;
    match args.format {
        ScheduleFormat::Table => {
            write_table(&mut out, selected)?;
            let standing = standing_duties(&campaign, units.as_deref(), deliverables.as_deref());
            write!(out, "{}", output::standing_duties(&standing))?;
        }
        ScheduleFormat::Json => write_json(&mut out, selected)?,
        ScheduleFormat::Csv | ScheduleFormat::Xlsx => write_csv(&mut out, selected)?,
        ScheduleFormat::Ics => {
            let export = ics::Export {
                name: campaign.title.as_deref().unwrap_or(&campaign.id),
                component: ics::Component::todo_if(args.todo),
                revised: modified(&args.file),
            };
            let entries = ics::schedule_entries(&campaign, &context.calendar, selected);
            ics::write(&mut out, &export, entries)?;
        }
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}

/// When `file` was last changed (the revision an iCalendar export carries).
fn modified(file: &std::path::Path) -> chrono::DateTime<chrono::Utc> {
    std::fs::metadata(file)
        .and_then(|m| m.modified())
        .map(chrono::DateTime::<chrono::Utc>::from)
        .map(|t| crate::clock::from_unix(t.timestamp()))
        .unwrap_or_default()
}

/// The campaign's duties without a date, for the selected units and deliverables.
fn standing_duties(
    campaign: &Campaign,
    units: Option<&[usize]>,
    deliverables: Option<&[String]>,
) -> Vec<StandingDuty> {
    campaign
        .deliverables
        .iter()
        .filter(|d| matches!(d.due, Due::Standing))
        .filter(|d| deliverables.is_none_or(|names| names.contains(&d.name)))
        .filter_map(|d| {
            let owners: Vec<String> = d
                .from
                .iter()
                .filter(|u| units.is_none_or(|wanted| wanted.contains(u)))
                .map(|&u| campaign.units[u].name.clone())
                .collect();
            (!owners.is_empty()).then(|| StandingDuty {
                campaign: campaign.id.clone(),
                deliverable: d.name.clone(),
                title: d.title.clone(),
                units: owners,
            })
        })
        .collect()
}

/// Checks names given on the command line against the campaign's, suggesting the nearest.
fn select<'a, I: Iterator<Item = &'a str>>(
    wanted: &[String],
    what: &str,
    known: impl Fn() -> I,
) -> Result<Option<Vec<String>>, CliError> {
    if wanted.is_empty() {
        return Ok(None);
    }
    for name in wanted {
        if !known().any(|k| k == name) {
            let hint = suggest::did_you_mean(name, known())
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            return Err(CliError::Usage {
                message: format!("unknown {what} `{name}`{hint}"),
            });
        }
    }
    Ok(Some(wanted.to_vec()))
}

fn write_table<'a>(
    out: &mut impl Write,
    obligations: impl Iterator<Item = Obligation<'a>>,
) -> std::io::Result<()> {
    let mut shifted = false;
    let rows: Vec<Vec<String>> = obligations
        .map(|o| {
            let r = o.record();
            let moved = r.due_date != r.nominal_date;
            shifted |= moved;
            vec![
                format!("{}{}", r.due_date, if moved { "*" } else { "" }),
                r.deliverable,
                r.period.unwrap_or_else(|| "—".into()),
                r.unit,
                short_list(&r.to),
                r.form.unwrap_or_default(),
            ]
        })
        .collect();
    let count = rows.len();
    write!(
        out,
        "{}",
        output::table(
            &["due", "deliverable", "period", "unit", "to", "form"],
            rows
        )
    )?;
    writeln!(out, "{}", output::plural(count, "obligation"))?;
    if shifted {
        writeln!(
            out,
            "* moved off a non-workday by the campaign's holiday rule"
        )?;
    }
    Ok(())
}

/// A list for a table cell: the first three names, then how many more.
fn short_list(names: &[String]) -> String {
    match names.len() {
        0..=3 => names.join("、"),
        n => format!("{} …+{}", names[..3].join("、"), n - 3),
    }
}

fn write_json<'a>(
    out: &mut impl Write,
    obligations: impl Iterator<Item = Obligation<'a>>,
) -> std::io::Result<()> {
    out.write_all(b"[")?;
    for (i, o) in obligations.enumerate() {
        out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer(&mut *out, &o.record())?;
    }
    out.write_all(b"\n]\n")
}

fn write_csv<'a>(
    out: &mut impl Write,
    obligations: impl Iterator<Item = Obligation<'a>>,
) -> std::io::Result<()> {
    csv_row(
        out,
        &[
            "campaign",
            "deliverable",
            "kind",
            "unit",
            "period",
            "due_date",
            "due_at",
            "to",
            "form",
            "signers",
        ],
    )?;
    for o in obligations {
        let r = o.record();
        let kind = serde_json::to_value(r.kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        csv_row(
            out,
            &[
                &r.campaign,
                &r.deliverable,
                &kind,
                &r.unit,
                r.period.as_deref().unwrap_or(""),
                &r.due_date,
                &r.due_at,
                &r.to.join(";"),
                r.form.as_deref().unwrap_or(""),
                &r.signers.join(";"),
            ],
        )?;
    }
    Ok(())
}
