//! `duban migrate --to postgres://…`: the office's SQLite store copied into PostgreSQL and
//! checked; the counts and checksum printed.

use std::io::Write;
use std::process::ExitCode;

use super::{CliError, Context};

/// Arguments of `duban migrate`.
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// The empty PostgreSQL database to copy into (`postgres://user@host/db`).
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Copies, checks, and says what was copied.
pub fn run(context: &Context, args: &MigrateArgs) -> Result<ExitCode, CliError> {
    let done = context.migrate_to(&args.to)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let tables: serde_json::Map<String, serde_json::Value> = done
            .tables
            .iter()
            .map(|(table, rows)| (table.to_string(), (*rows).into()))
            .collect();
        let report = serde_json::json!({
            "tables": tables,
            "files": done.files,
            "checksum": done.checksum,
            "verified": true,
        });
        writeln!(out, "{report}")?;
    } else {
        for (table, rows) in &done.tables {
            writeln!(out, "{table:<14}{rows:>10}")?;
        }
        writeln!(out, "{:<14}{:>10}", "files", done.files)?;
        writeln!(
            out,
            "copied to {} and verified: every table's rows read back equal (sha256 {})",
            crate::store::postgres::redact(&args.to),
            &done.checksum[..16]
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
