//! The command line: what the user typed (clap structs, kept apart from what the program runs
//! on) and one module per command. Every command returns the process exit code: 0 ok, 1 a
//! finding the user asked about, 2 bad input or failure.

mod calendar;
mod check;
mod error;
mod output;
mod schedule;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use error::CliError;

/// duban (督办): supervise and chase the reports a campaign demands.
#[derive(Debug, Parser)]
#[command(name = "duban", version, about, max_term_width = 100)]
pub struct Args {
    /// A holiday file adding years to the shipped calendar (TOML as in data/calendar-cn.toml,
    /// or holiday-cn JSON).
    #[arg(long, global = true, value_name = "FILE", env = "DUBAN_HOLIDAYS")]
    pub holidays: Option<PathBuf>,

    /// Colour diagnostics: auto, always or never.
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: output::ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check campaign files and report every problem (exit 2 on errors).
    Check(check::CheckArgs),
    /// Compile a campaign into its obligations and print them.
    Schedule(schedule::ScheduleArgs),
    /// Show the statutory holidays and make-up workdays of a year.
    Calendar(calendar::CalendarArgs),
}

/// Runs the command line and returns the exit code.
pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let context = Context::new(&args)?;
    match &args.command {
        Command::Check(a) => check::run(&context, a),
        Command::Schedule(a) => schedule::run(&context, a),
        Command::Calendar(a) => calendar::run(&context, a),
    }
}

/// What every command runs with, validated from the global flags.
pub struct Context {
    /// The official calendar, with the user's holiday file if given.
    pub calendar: crate::schedule::Calendar,
    /// Whether to colour diagnostics.
    pub color: bool,
}

impl Context {
    fn new(args: &Args) -> Result<Context, CliError> {
        let calendar = match &args.holidays {
            Some(path) => crate::schedule::Calendar::with_file(path)?,
            None => crate::schedule::Calendar::official().clone(),
        };
        Ok(Context {
            calendar,
            color: args.color.enabled_for_stderr(),
        })
    }
}

/// Loads a campaign and prints its warnings; its errors end the command.
fn load_campaign(
    context: &Context,
    path: &std::path::Path,
) -> Result<(crate::language::Campaign, crate::language::Sources), CliError> {
    let loaded = crate::language::load(path)?;
    eprint!(
        "{}",
        loaded.sources.render(&loaded.diagnostics, context.color)
    );
    match loaded.campaign {
        Some(campaign) => Ok((campaign, loaded.sources)),
        None => Err(CliError::Invalid {
            path: path.display().to_string(),
        }),
    }
}
