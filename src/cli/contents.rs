//! `duban rollup | targets`: what the reports say, added up and checked.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::output::{self, Format, csv_row};
use super::{CliError, Context};
use crate::app::{By, Rollup, RollupRow};
use crate::clock::Instant;

/// Arguments of `duban rollup`.
#[derive(Debug, clap::Args)]
pub struct RollupArgs {
    /// Campaign identifier.
    pub campaign: String,
    /// The report whose figures to add up.
    pub deliverable: String,
    /// Its period (`2017-05`); a one-off has none.
    #[arg(long)]
    pub period: Option<String>,
    /// Rows by `unit` (the document's table), `parent`, `level:N` (1 is the top), `groups`,
    /// or one group's name (its members).
    #[arg(long, default_value = "unit", value_parser = parse_by)]
    pub by: By,
    /// The instant to load the campaign files at (default: now).
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<Instant>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: SheetFormat,
    /// The file to write (`--format xlsx` needs one).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 if any unit that owes the report has not reported.
    #[arg(long)]
    pub fail_if_incomplete: bool,
}

// A value parser for clap, which shows its error text as it is after the argument's name:
// a `String` is what clap takes (no caller matches on it).
fn parse_by(text: &str) -> Result<By, String> {
    text.parse()
        .map_err(|e: crate::app::BadLevel| e.to_string())
}

/// Adds up one period's figures.
pub fn rollup(context: &Context, args: &RollupArgs) -> Result<ExitCode, CliError> {
    let as_of = context.instant(args.as_of);
    let store = context.store_for_reading(as_of)?;
    let rollup = context.rollup(
        &*store,
        &args.campaign,
        &args.deliverable,
        (args.period.as_deref(), &args.by),
        as_of,
    )?;
    let (header, rows) = rollup_rows(&rollup);
    emit(
        args.format,
        args.output.as_deref(),
        (&rollup.deliverable, &header, &rows),
        || rollup_table(&rollup, args.by == By::Unit),
        || serde_json::to_string_pretty(&output::versioned(&rollup)).unwrap_or_default() + "\n",
    )?;
    for note in &rollup.unfit {
        tell!("note: {note}");
    }
    if args.fail_if_incomplete && !rollup.total.complete() {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The columns of a roll-up: name, how many reported, the fields, and who is missing.
fn cells(rollup: &Rollup, row: &RollupRow, wide: bool) -> Vec<String> {
    let mut cells = vec![
        row.name.clone(),
        row.status
            .as_deref()
            .map(|s| s.replace('_', " "))
            .unwrap_or_else(|| format!("{}/{}", row.reported, row.owed)),
    ];
    for field in &rollup.fields {
        cells.push(row.values.get(field).cloned().unwrap_or_default());
    }
    let missing = if wide || row.missing.len() <= 3 {
        row.missing.join("、")
    } else {
        format!(
            "{} … ({} units)",
            row.missing[..3].join("、"),
            row.missing.len()
        )
    };
    if row.status.is_none() {
        cells.push(missing);
    }
    cells
}

fn header(rollup: &Rollup, with_missing: bool) -> Vec<&str> {
    let mut header = vec!["填报单位", "报送情况"];
    header.extend(rollup.fields.iter().map(String::as_str));
    if with_missing {
        header.push("未报单位");
    }
    header
}

fn rollup_table(rollup: &Rollup, by_unit: bool) -> String {
    let period = if rollup.period.is_empty() {
        String::new()
    } else {
        format!(" {}", rollup.period)
    };
    let mut out = format!(
        "{} — {} {}{period}\n",
        rollup.title, rollup.campaign, rollup.deliverable
    );
    let mut rows: Vec<Vec<String>> = rollup
        .rows
        .iter()
        .map(|r| cells(rollup, r, false))
        .collect();
    let mut total = rollup.total.clone();
    if by_unit {
        // The unit rows say each one's standing; the total says how many.
        total.status = Some(format!("{}/{}", total.reported, total.owed));
    }
    let mut last = cells(rollup, &total, false);
    if !by_unit {
        last.truncate(rows.first().map_or(last.len(), Vec::len));
    }
    rows.push(last);
    let header = header(rollup, !by_unit);
    out.push_str(&output::table(&header, rows));
    if !rollup.total.complete() {
        out.push_str(&format!(
            "partial: {} of {} units reported; not yet: {}\n",
            rollup.total.reported,
            rollup.total.owed,
            summary(&rollup.total.missing)
        ));
    }
    if let (Some(reporting), Some(on_time)) =
        (rollup.total.reporting_rate(), rollup.total.on_time_rate())
    {
        out.push_str(&format!(
            "reporting rate {reporting}% ({} of {}), on time {on_time}% ({})\n",
            rollup.total.reported, rollup.total.owed, rollup.total.on_time
        ));
    }
    if rollup.total.reused > 0 {
        out.push_str(&format!(
            "{} figure(s) reused from other forms (一表通)\n",
            rollup.total.reused
        ));
    }
    out
}

fn summary(names: &[String]) -> String {
    if names.len() <= 10 {
        names.join("、")
    } else {
        format!("{} … and {} more", names[..10].join("、"), names.len() - 10)
    }
}

/// Every row of a roll-up, with all its missing units, and the total last.
fn rollup_rows(rollup: &Rollup) -> (Vec<String>, Vec<Vec<String>>) {
    let header = header(rollup, true).into_iter().map(String::from).collect();
    let rows = rollup
        .rows
        .iter()
        .chain(std::iter::once(&rollup.total))
        .map(|row| {
            let mut cells = cells(rollup, row, true);
            if row.status.is_some() {
                cells.push(row.missing.join("、"));
            }
            cells
        })
        .collect();
    (header, rows)
}

/// Prints a listing in `format`, or writes it to `path`: CSV and .xlsx from its cells (a sheet
/// `name`, a header, rows), the table and JSON as their makers give them.
pub(super) fn emit(
    format: SheetFormat,
    path: Option<&Path>,
    (name, header, rows): (&str, &[String], &[Vec<String>]),
    table: impl FnOnce() -> String,
    json: impl FnOnce() -> String,
) -> Result<(), CliError> {
    let bytes = match format {
        SheetFormat::Json => json().into_bytes(),
        SheetFormat::Table => table().into_bytes(),
        SheetFormat::Csv => {
            let mut out = Vec::new();
            for cells in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
                let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
                csv_row(&mut out, &refs)?;
            }
            out
        }
        SheetFormat::Xlsx => {
            if path.is_none() {
                return Err(CliError::Usage {
                    message: "--format xlsx writes a file: give it with -o FILE.xlsx".into(),
                });
            }
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            crate::documents::listing(name, &header, rows.iter().cloned()).map_err(|e| {
                CliError::Usage {
                    message: e.to_string(),
                }
            })?
        }
    };
    match path {
        Some(path) => {
            write_file(path, &bytes)?;
            say!("wrote {}", path.display())?;
        }
        None => say_raw!("{}", String::from_utf8_lossy(&bytes))?,
    }
    Ok(())
}

/// How a listing that offices take into Excel can be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SheetFormat {
    /// An aligned table.
    Table,
    /// JSON.
    Json,
    /// CSV with a header row.
    Csv,
    /// An Excel workbook (with -o FILE): numbers as numbers, the header frozen.
    Xlsx,
}

/// Writes `bytes` to `path` whole or not at all: a temporary file beside it, then renamed.
pub(super) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{name}.duban-{}", std::process::id()));
    let written =
        std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(CliError::Write {
            path: path.to_path_buf(),
            source: e,
        });
    }
    Ok(())
}

/// Arguments of `duban template`.
#[derive(Debug, clap::Args)]
pub struct TemplateArgs {
    /// Campaign identifier.
    pub campaign: String,
    /// The report whose form to write out.
    pub deliverable: String,
    /// Only this unit and the units under it (a county's copy for its townships).
    #[arg(long)]
    pub unit: Option<String>,
    /// The period whose owing units to list (default: the first).
    #[arg(long)]
    pub period: Option<String>,
    /// The .xlsx file to write.
    #[arg(short, long, value_name = "FILE.xlsx")]
    pub output: PathBuf,
    /// The instant to load the campaign files at (default: now).
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<Instant>,
}

/// Writes the blank form units fill in: headers, a row per unit, Excel's checks per column.
pub fn template(context: &Context, args: &TemplateArgs) -> Result<ExitCode, CliError> {
    let as_of = context.instant(args.as_of);
    let store = context.store_for_reading(as_of)?;
    let (form, units) = context.template(
        &*store,
        &args.campaign,
        &args.deliverable,
        args.unit.as_deref(),
        args.period.as_deref(),
    )?;
    let bytes = crate::values::sheet::template(&form, &units)?;
    write_file(&args.output, &bytes)?;
    say!(
        "wrote {}: {} fields, {}",
        args.output.display(),
        form.fields.len(),
        output::plural(units.len(), "unit")
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `duban targets`.
#[derive(Debug, clap::Args)]
pub struct TargetsArgs {
    /// The instant to ask at (default: now).
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<Instant>,
    /// Only this campaign.
    #[arg(long)]
    pub campaign: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[command(flatten)]
    pub file: output::FileArgs,
    /// Exit 1 if any value is below its target.
    #[arg(long)]
    pub fail_if_any: bool,
}

/// Every target's value against its threshold.
pub fn targets(context: &Context, args: &TargetsArgs) -> Result<ExitCode, CliError> {
    use crate::app::TargetState;
    let as_of = context.instant(args.as_of);
    let store = context.store_for_reading(as_of)?;
    let findings = context.targets(&*store, args.campaign.as_deref(), as_of)?;
    let value = |v: Option<f64>| v.map(crate::language::form::num).unwrap_or_default();
    let mut out = output::Sink::open(args.format, &args.file, "目标")?;
    match args.format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&findings).unwrap_or_default()
        )?,
        Format::Csv | Format::Xlsx => {
            csv_row(
                &mut out,
                &[
                    "campaign",
                    "unit",
                    "target",
                    "period",
                    "threshold",
                    "value",
                    "gap",
                    "state",
                ],
            )?;
            for f in &findings {
                let (v, g) = (value(f.value), value(f.gap));
                csv_row(
                    &mut out,
                    &[
                        &f.campaign,
                        &f.unit,
                        &f.target,
                        &f.period,
                        &f.threshold,
                        &v,
                        &g,
                        f.state.words(),
                    ],
                )?;
            }
        }
        Format::Table => {
            if findings.is_empty() {
                writeln!(out, "no target has a threshold to check")?;
            } else {
                let rows = findings.iter().map(|f| {
                    vec![
                        f.unit.clone(),
                        f.target.clone(),
                        f.period.clone(),
                        f.threshold.clone(),
                        value(f.value),
                        value(f.gap.filter(|g| *g > 0.0)),
                        f.state.words().to_string(),
                    ]
                });
                write!(
                    out,
                    "{}",
                    output::table(
                        &[
                            "unit",
                            "target",
                            "date",
                            "threshold",
                            "value",
                            "gap",
                            "state"
                        ],
                        rows
                    )
                )?;
            }
        }
    }
    out.finish()?;
    let below = findings.iter().any(|f| f.state == TargetState::BelowTarget);
    if args.fail_if_any && below {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
