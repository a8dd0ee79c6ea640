//! `duban check FILE|DIR...`: every problem of every campaign, on stderr.

use std::path::{Path, PathBuf};

use std::process::ExitCode;

use super::output::plural;
use super::{CliError, Context};
use crate::language::load;
use crate::schedule::compile;

/// Arguments of `duban check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Campaign files, or folders whose `*.campaign` files to check.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,
    /// `human`: excerpts with carets, on stderr; `json`: one JSON object per diagnostic and
    /// one per file checked, on stdout (as cargo's `--message-format=json`).
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
}

/// Output formats of `duban check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// For people.
    Human,
    /// JSON lines, for editors and scripts.
    Json,
}

/// Checks each file; exit 2 if any has an error, 0 otherwise (warnings allowed).
pub fn run(context: &Context, args: &CheckArgs) -> Result<ExitCode, CliError> {
    let mut failed = false;
    let files =
        crate::workspace::campaign_files(&args.paths).map_err(|source| load::ReadError {
            path: args.paths[0].clone(),
            source,
        })?;
    for path in files {
        failed |= !check_one(context, &path, args.format)?;
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Checks and compiles one file, prints its diagnostics, and says whether it is free of errors.
fn check_one(context: &Context, path: &Path, format: CheckFormat) -> Result<bool, CliError> {
    let loaded = load(
        path,
        context.config.contacts.as_deref(),
        &context.confinement,
        &super::directory(context, path),
    )?;
    let mut diagnostics = loaded.diagnostics.clone();
    let mut summary = None;
    if let Some(campaign) = &loaded.campaign {
        match compile(campaign, &context.calendar, None) {
            Ok(schedule) => {
                diagnostics.extend(schedule.warnings.iter().cloned());
                summary = Some(format!(
                    "{}: ok — {}, {}, {}",
                    path.display(),
                    plural(campaign.units.len(), "unit"),
                    plural(campaign.deliverables.len(), "deliverable"),
                    plural(schedule.len(), "obligation")
                ));
            }
            Err(errors) => diagnostics.extend(errors),
        }
    }
    let diagnostics = context.first_warnings(diagnostics);
    let ok = !diagnostics.iter().any(|d| d.is_error());
    if format == CheckFormat::Json {
        for message in loaded.sources.json(&diagnostics) {
            say!("{message}")?;
        }
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        let done = serde_json::json!({
            "reason": "checked",
            "file": path.display().to_string(),
            "errors": errors,
            "warnings": diagnostics.len() - errors,
            "ok": ok,
        });
        say!("{done}")?;
        return Ok(ok);
    }
    tell_raw!("{}", context.render(&loaded.sources, &diagnostics));
    match summary {
        Some(line) if ok => say!("{line}")?,
        _ => {
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            tell!("{}: {}", path.display(), plural(errors, "error"));
        }
    }
    Ok(ok)
}
