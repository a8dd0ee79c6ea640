//! The `duban` binary: parse the arguments, run, print the error once, exit with its code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = duban::cli::Args::parse();
    match duban::cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            if let Some(help) = error.help() {
                eprintln!("help: {help}");
            }
            ExitCode::from(2)
        }
    }
}
