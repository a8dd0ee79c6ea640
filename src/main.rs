//! The `duban` binary: parse the arguments, run, print the error once, exit with its code.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A shell asking for completions (`DUBAN_COMPLETE=bash duban -- …`) is answered and exits.
    clap_complete::CompleteEnv::with_factory(<duban::cli::Args as clap::CommandFactory>::command)
        .var(duban::cli::COMPLETE_VAR)
        .complete();
    let args = match duban::cli::Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            // `--help` to a full stdout is a failure to say so, not a reason to panic; to a
            // closed one (`duban --help | head`), no failure at all.
            let code = match e.print() {
                Err(io) if io.kind() != std::io::ErrorKind::BrokenPipe => {
                    let _ = writeln!(std::io::stderr(), "error: cannot write output: {io}");
                    2
                }
                _ => e.exit_code(),
            };
            return ExitCode::from(u8::try_from(code).unwrap_or(2));
        }
    };
    match duban::cli::run(args) {
        Ok(code) => code,
        // A reader that stopped reading (`duban overdue | head`) is not a failure.
        Err(duban::cli::CliError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(error) => {
            // A closed or full stderr leaves only the exit code to tell.
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "error: {error}");
            if let Some(help) = error.help() {
                let _ = writeln!(stderr, "help: {help}");
            }
            ExitCode::from(2)
        }
    }
}
