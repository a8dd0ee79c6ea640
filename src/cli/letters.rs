//! `duban letters`: the letters the overdue ladder issued to a unit (督办函 and its kin), listed,
//! and written out as Word with `--save DIR`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::output::{self, Format};
use super::{CliError, Context};

/// `duban letters`.
#[derive(clap::Args, Debug)]
pub struct LettersArgs {
    /// The unit the letters were issued to.
    #[arg(add = super::completions::units())]
    unit: String,
    /// Only this campaign; may be repeated.
    #[arg(long, value_name = "ID", add = super::completions::campaigns())]
    campaign: Vec<String>,
    /// Also write each letter as Word (.docx) into this folder.
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,
    /// How to print the list.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    #[command(flatten)]
    file: output::FileArgs,
}

/// Lists (and saves) the unit's letters.
pub fn run(context: &Context, args: &LettersArgs) -> Result<ExitCode, CliError> {
    let store = context.store_for_reading(context.instant(None))?;
    let letters = context.letters_of(&*store, &args.unit, &args.campaign)?;
    if let Some(dir) = &args.save {
        std::fs::create_dir_all(dir).map_err(|source| CliError::Write {
            path: dir.clone(),
            source,
        })?;
        for letter in &letters {
            let bytes =
                crate::documents::letter::docx(letter).map_err(crate::app::AppError::Document)?;
            let path = dir.join(crate::documents::letter::file_name(letter));
            std::fs::write(&path, &bytes).map_err(|source| CliError::Write {
                path: path.clone(),
                source,
            })?;
        }
    }
    let mut out = output::Sink::open(args.format, &args.file, "督办文书")?;
    match args.format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&output::versioned(&letters)).unwrap_or_default()
        )?,
        _ => {
            let header = ["number", "unit", "issued", "campaign", "items"];
            let rows = letters.iter().map(|l| {
                let items: Vec<String> = l
                    .items
                    .iter()
                    .map(|i| match i.period.as_str() {
                        "" => format!("{} (due {})", i.deliverable, i.due_date),
                        p => format!("{} {p} (due {})", i.deliverable, i.due_date),
                    })
                    .collect();
                vec![
                    l.number_text(),
                    l.unit.clone(),
                    l.day.clone(),
                    l.campaign.clone(),
                    items.join("; "),
                ]
            });
            if args.format == Format::Table {
                write!(out, "{}", output::table(&header, rows))?;
            } else {
                output::csv_row(&mut out, &header)?;
                for row in rows {
                    let cells: Vec<&str> = row.iter().map(String::as_str).collect();
                    output::csv_row(&mut out, &cells)?;
                }
            }
        }
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}
