//! `duban phases FILE`: each phase of a campaign with the window it resolves to — what a phase
//! given by its end date alone, or "from the day of issue", actually covers.

use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

use super::output::{self, Format, csv_row};
use super::{CliError, Context};

/// Arguments of `duban phases`.
#[derive(Debug, clap::Args)]
pub struct PhasesArgs {
    /// The campaign file.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// One phase, as printed.
#[derive(Serialize)]
struct PhaseRow {
    name: String,
    start: String,
    /// None for an open-ended phase.
    end: Option<String>,
    days: Option<i64>,
}

/// Prints the campaign's period and its phases.
pub fn run(context: &Context, args: &PhasesArgs) -> Result<ExitCode, CliError> {
    let (campaign, _) = super::load_campaign(context, &args.file)?;
    let rows: Vec<PhaseRow> = campaign
        .phases
        .iter()
        .map(|p| PhaseRow {
            name: p.name.clone(),
            start: p.start.to_string(),
            end: p.end.map(|e| e.to_string()),
            days: p.end.map(|e| (e - p.start).num_days() + 1),
        })
        .collect();
    if args.format == Format::Xlsx {
        return Err(CliError::Usage {
            message: "phases are a few lines: --format takes table, json or csv here".into(),
        });
    }
    match args.format {
        Format::Json => say!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        )?,
        Format::Csv | Format::Xlsx => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            csv_row(&mut out, &["name", "start", "end", "days"])?;
            for r in &rows {
                let days = r.days.map(|d| d.to_string()).unwrap_or_default();
                csv_row(
                    &mut out,
                    &[&r.name, &r.start, r.end.as_deref().unwrap_or(""), &days],
                )?;
            }
        }
        Format::Table => {
            let lines = rows.iter().map(|r| {
                vec![
                    r.name.clone(),
                    r.start.clone(),
                    r.end.clone().unwrap_or_else(|| "open".into()),
                    r.days.map_or_else(|| "—".into(), |d| d.to_string()),
                ]
            });
            say_raw!(
                "{}",
                output::table(&["phase", "start", "end", "days"], lines)
            )?;
            say!(
                "{}: {} – {}, {}",
                campaign.id,
                campaign.start,
                campaign.end,
                output::plural(rows.len(), "phase")
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
