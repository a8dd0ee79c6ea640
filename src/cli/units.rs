//! `duban units`: the organisation's directory (组织机构/通讯录) — imported from the office's
//! own spreadsheet, listed, exported the same way, a unit retired.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use super::{CliError, Context};
use crate::store::OrgUnit;
use crate::values::table::Encoding;

/// Arguments of `duban units`.
#[derive(Debug, clap::Args)]
pub struct UnitsArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: UnitsAction,
}

/// What to do with the directory.
#[derive(Debug, clap::Subcommand)]
pub enum UnitsAction {
    /// Take the office's 通讯录 or 组织机构 sheet (.xlsx, or CSV in UTF-8 or GBK) into the
    /// directory: every row, or none if any cannot be taken. Columns by their Chinese names:
    /// 单位编码, 单位名称, 上级单位, 层级, 联系人, 联系电话, 邮箱, 负责人, 负责人电话 — or one
    /// column per level (县区, 乡镇, 村) instead of 单位名称 and 上级单位. A title row above the
    /// header and merged cells are read as Excel shows them. A unit keeps its identity by its
    /// code (or, without one, by its name under its parent): a new name is a rename.
    #[command(after_help = "Example:\n  duban units import examples/gulu-directory.csv")]
    Import {
        /// The sheet.
        file: PathBuf,
        /// How a CSV file's bytes are read.
        #[arg(long, value_enum, default_value = "auto")]
        encoding: Encoding,
    },
    /// List the directory's units (with --under, a unit and those below it).
    List {
        /// A unit's code or name: it and the units below it.
        #[arg(long, value_name = "UNIT")]
        under: Option<String>,
        /// Retired units too.
        #[arg(long)]
        all: bool,
        /// How to print.
        #[arg(long, value_enum, default_value = "table")]
        format: super::web::Format,
    },
    /// Write the directory as a sheet the import reads again (.xlsx or .csv, by the name).
    Export {
        /// The file to write.
        file: PathBuf,
        /// Retired units too.
        #[arg(long)]
        all: bool,
    },
    /// Take a campaign's own units into the directory, under a unit named after its issuing
    /// office (or --under a directory unit): for an office whose campaigns came before its
    /// directory. Taking them again changes nothing; the campaign may then say `通讯录 ROOT`.
    #[command(after_help = "Example:\n  duban units adopt nanyang-2017")]
    Adopt {
        /// The campaign.
        campaign: String,
        /// A directory unit's code or name to put them under.
        #[arg(long, value_name = "UNIT")]
        under: Option<String>,
    },
    /// Retire a unit (it is never deleted: its history stays).
    Retire {
        /// Its code.
        code: String,
    },
}

/// Runs `duban units`.
pub fn run(context: &Context, args: &UnitsArgs) -> Result<ExitCode, CliError> {
    let now = context.clock.now().timestamp();
    let mut store = context.store_for_accounts()?;
    match &args.action {
        UnitsAction::Import { file, encoding } => {
            let done = context.import_units(&mut *store, file, *encoding, now)?;
            let r = &done.report;
            say!(
                "directory: {} row(s) read; {} unit(s) added, {} changed, {} unchanged",
                done.rows,
                r.added,
                r.changed,
                r.unchanged
            )?;
            for (code, from, to) in &r.renamed {
                say!("  renamed {code}: {from} → {to}")?;
            }
            if !done.unread.is_empty() {
                say!("columns not read: {}", done.unread.join("、"))?;
            }
        }
        UnitsAction::Adopt { campaign, under } => {
            let done = context.adopt_units(&mut *store, campaign, under.as_deref(), now)?;
            let r = &done.report;
            say!(
                "directory: {campaign}'s units taken under {}; {} unit(s) added, {} changed, {} unchanged",
                done.root,
                r.added,
                r.changed,
                r.unchanged
            )?;
            say!(
                "to bind the campaign to them, add `通讯录 {}` to its campaign block",
                done.root
            )?;
        }
        UnitsAction::List { under, all, format } => {
            let units = context.units(&*store, under.as_deref(), *all)?;
            list(&units, *format)?;
        }
        UnitsAction::Export { file, all } => {
            let units = context.units(&*store, None, *all)?;
            let is_xlsx = file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
            let bytes = if is_xlsx {
                crate::documents::organisation::xlsx(&units)?
            } else {
                let mut out = Vec::new();
                super::output::csv_row(&mut out, &crate::documents::organisation::HEADER)?;
                for row in crate::documents::organisation::rows(&units) {
                    let cells: Vec<&str> = row.iter().map(String::as_str).collect();
                    super::output::csv_row(&mut out, &cells)?;
                }
                out
            };
            super::contents::write_file(file, &bytes)?;
            say!("wrote {} unit(s) to {}", units.len(), file.display())?;
        }
        UnitsAction::Retire { code } => {
            let was = context.retire_unit(&mut *store, code, now)?;
            if was.retired_at.is_some() {
                say!("{} ({}) was retired already", was.name, was.code)?;
            } else {
                say!(
                    "retired {} ({}): it keeps its history and no longer takes part",
                    was.name,
                    was.code
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn list(units: &[OrgUnit], format: super::web::Format) -> Result<(), CliError> {
    use super::web::Format;
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(units).unwrap_or_default()
        )?;
        return Ok(());
    }
    let header = crate::documents::organisation::HEADER;
    let rows = crate::documents::organisation::rows(units);
    if format == Format::Table {
        write!(out, "{}", super::output::table(&header, rows.into_iter()))?;
    } else {
        super::output::csv_row(&mut out, &header)?;
        for row in rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            super::output::csv_row(&mut out, &cells)?;
        }
    }
    Ok(())
}
