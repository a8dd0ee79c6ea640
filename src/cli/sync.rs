//! `duban sync [FILE|DIR]…`: load campaign files into the database. Also run, quietly, before
//! every command that reads the database.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{CliError, Context};
use crate::clock::Instant;
use crate::store::{Backend, SyncOutcome};
use crate::workspace::FileSync;

/// Arguments of `duban sync`.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// Campaign files or folders (default: the configured campaigns folder).
    #[arg(value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,
    /// The instant to sync at: open-ended cadences are kept to the end of the following year.
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<Instant>,
    /// Sync even if a deliverable with submissions or decisions is gone from a campaign (its
    /// obligations are kept, inactive, with their history). Without it such a sync is refused:
    /// a renamed deliverable should say `formerly "OLD NAME"`.
    #[arg(long)]
    pub accept_removals: bool,
}

/// Syncs and reports each campaign; exit 2 if any could not be synced.
pub fn run(context: &Context, args: &SyncArgs) -> Result<ExitCode, CliError> {
    let as_of = context.instant(args.as_of);
    let mut store = context.open_store()?;
    let paths = if args.paths.is_empty() {
        vec![context.config.campaigns.clone()]
    } else {
        args.paths.clone()
    };
    let ok = sync_paths(
        context,
        &mut *store,
        &paths,
        as_of,
        true,
        args.accept_removals,
    )?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// Syncs the campaign files of `paths`. With `verbose`, every campaign gets a line on stdout;
/// without, only changes are mentioned, on stderr. Returns whether all synced.
pub fn sync_paths(
    context: &Context,
    store: &mut dyn Backend,
    paths: &[PathBuf],
    as_of: Instant,
    verbose: bool,
    accept_removals: bool,
) -> Result<bool, CliError> {
    let mut shown = Ok(());
    let ok = context
        .office
        .sync(store, paths, as_of, accept_removals, &mut |path, result| {
            if shown.is_ok() {
                shown = show(context, path, result, verbose);
            }
        })?;
    shown?;
    Ok(ok)
}

/// Tells the user how the sync of one campaign file went.
pub fn show(
    context: &Context,
    path: &Path,
    result: FileSync,
    verbose: bool,
) -> Result<(), CliError> {
    match result {
        FileSync::Done { report, warnings } => {
            if let Some((sources, diagnostics)) = warnings {
                let diagnostics = context.first_warnings(diagnostics);
                tell_raw!("{}", context.render(&sources, &diagnostics));
            }
            let line = describe(&report.campaign, &report.outcome);
            if verbose {
                say!("{line}")?;
            } else if changed(&report.outcome) {
                note(&format!("synced {line}"));
            }
        }
        FileSync::Invalid {
            sources,
            diagnostics,
        } => {
            // A daemon's every pass would print the same errors again.
            let repeated = context.already_reported(path, sources.digest()) && !verbose;
            if repeated {
                note(&format!(
                    "{}: still not synced, it has the errors shown before",
                    path.display()
                ));
            } else {
                tell_raw!("{}", context.render(&sources, &diagnostics));
                note(&format!(
                    "{}: not synced, it has errors (the database keeps its last good version)",
                    path.display()
                ));
            }
        }
        FileSync::TooFar {
            campaign,
            runs_to,
            wanted,
        } => {
            let refusal = crate::app::AppError::ClockJump {
                campaign,
                runs_to,
                wanted,
            };
            tell!("error: {refusal}");
        }
        FileSync::Failed(failed) => match failed.help() {
            Some(help) => tell!("error: {failed}\nhelp: {help}"),
            None => tell!("error: {failed}"),
        },
    }
    Ok(())
}

/// A line for the operator: in the daemon's log if there is one, else on stderr.
fn note(line: &str) {
    if tracing::dispatcher::has_been_set() {
        tracing::info!("{line}");
    } else {
        tell!("{line}");
    }
}

/// Whether a sync changed any obligation.
fn changed(outcome: &SyncOutcome) -> bool {
    match outcome {
        SyncOutcome::Unchanged => false,
        SyncOutcome::Synced {
            added,
            changed,
            removed,
            kept,
            restored,
        } => added + changed + removed + restored + kept.len() > 0,
    }
}

fn describe(campaign: &str, outcome: &SyncOutcome) -> String {
    let SyncOutcome::Synced {
        added,
        changed: moved,
        removed,
        kept,
        restored,
    } = outcome
    else {
        return format!("{campaign}: unchanged");
    };
    if !changed(outcome) {
        return format!("{campaign}: unchanged");
    }
    let mut parts = vec![format!("{added} added")];
    for (count, what) in [
        (*moved, "moved"),
        (*removed, "removed"),
        (*restored, "restored"),
    ] {
        if count > 0 {
            parts.push(format!("{count} {what}"));
        }
    }
    let mut line = format!("{campaign}: {}", parts.join(", "));
    if !kept.is_empty() {
        line.push_str(&format!(
            "; {} no longer in the file but kept with their history: {}",
            kept.len(),
            kept.join("; ")
        ));
    }
    line
}
