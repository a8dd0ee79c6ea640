//! The `duban` binary: parse the arguments, run, print the error once, exit with its code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = duban::cli::Args::parse();
    match duban::cli::run(args) {
        Ok(code) => code,
        // A reader that stopped reading (`duban overdue | head`) is not a failure.
        Err(duban::cli::CliError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            if let Some(help) = error.help() {
                eprintln!("help: {help}");
            }
            ExitCode::from(2)
        }
    }
}
