//! Shell completions: `duban completions bash|zsh|fish|powershell|elvish` prints the script a
//! shell sources; it calls back into duban (`DUBAN_COMPLETE=bash duban -- WORDS`), which
//! completes commands and flags from the argument definitions and campaign, unit and
//! deliverable names from the workspace's campaign files (clap_complete's dynamic engine).

use std::ffi::OsStr;
use std::process::ExitCode;

use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::env::Shells;

use super::CliError;

/// The variable that makes duban complete instead of run.
pub const VAR: &str = "DUBAN_COMPLETE";

/// Arguments of `duban completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_parser = ["bash", "zsh", "fish", "powershell", "elvish"])]
    shell: String,
}

/// Prints the registration script for the shell.
pub fn run(args: &CompletionsArgs) -> Result<ExitCode, CliError> {
    let shells = Shells::builtins();
    let Some(shell) = shells.completer(&args.shell) else {
        return Err(CliError::Usage {
            message: format!("no completions for {}", args.shell),
        });
    };
    // The script calls this very binary back, wherever it is installed.
    let binary = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "duban".into());
    let mut script = Vec::new();
    shell.write_registration(VAR, "duban", "duban", &binary, &mut script)?;
    std::io::Write::write_all(&mut std::io::stdout(), &script)?;
    Ok(ExitCode::SUCCESS)
}

/// What a name argument completes to.
#[derive(Clone, Copy)]
enum Kind {
    Campaign,
    Unit,
    Deliverable,
}

/// Completes campaign identifiers.
pub fn campaigns() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| candidates(Kind::Campaign, current))
}

/// Completes unit (and group) names.
pub fn units() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| candidates(Kind::Unit, current))
}

/// Completes deliverable names.
pub fn deliverables() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| candidates(Kind::Deliverable, current))
}

/// The names of `kind` in the workspace's campaign files that start with `current`. Read from
/// the files rather than the records, so they complete before the first sync, and nothing is
/// written while a shell asks.
fn candidates(kind: Kind, current: &OsStr) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    let Ok(config) = crate::config::Config::discover(None) else {
        return Vec::new();
    };
    let files = crate::workspace::campaign_files(std::slice::from_ref(&config.campaigns))
        .unwrap_or_default();
    let confinement = crate::fsio::Confinement::new(&config.workspace, &config.allowed_folders);
    let mut names: Vec<(String, Option<String>)> = Vec::new();
    for file in files {
        // Names from the files alone: a completion opens no records.
        let Ok(loaded) =
            crate::language::load(&file, config.contacts.as_deref(), &confinement, &[])
        else {
            continue;
        };
        let Some(c) = loaded.campaign else { continue };
        match kind {
            Kind::Campaign => names.push((c.id.clone(), c.title.clone())),
            Kind::Unit => {
                names.extend(c.units.iter().map(|u| (u.name.clone(), Some(c.id.clone()))));
                names.extend(
                    c.groups
                        .iter()
                        .map(|g| (g.name.clone(), Some(c.id.clone()))),
                );
            }
            Kind::Deliverable => names.extend(
                c.deliverables
                    .iter()
                    .map(|d| (d.name.clone(), Some(c.id.clone()))),
            ),
        }
    }
    names.sort();
    names.dedup_by(|a, b| a.0 == b.0);
    names
        .into_iter()
        .filter(|(name, _)| name.starts_with(current.as_ref()))
        .map(|(name, help)| CompletionCandidate::new(name).help(help.map(Into::into)))
        .collect()
}
