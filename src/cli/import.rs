//! `duban import FILE.csv|FILE.xlsx|FILE.jsonl`: submissions from a spreadsheet of received reports, read
//! by `app::sheet_rows`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{CliError, Context};
use crate::clock::{Instant, to_unix};
use crate::store::{BadRow, ImportError};

/// Arguments of `duban import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A `.csv` (UTF-8 or GBK), `.xlsx` or `.jsonl` file of submissions.
    file: PathBuf,
    /// The instant to sync campaign files at (default: now).
    #[arg(long, value_name = "TIME")]
    as_of: Option<Instant>,
}

/// Imports a file, all or nothing.
pub fn run(context: &Context, args: &ImportArgs) -> Result<ExitCode, CliError> {
    context.refuse_secret(&args.file)?;
    let file = crate::fsio::open_regular(&args.file, u64::MAX).map_err(|source| {
        crate::language::load::ReadError {
            path: args.file.clone(),
            source,
        }
    })?;
    let kind = crate::app::SheetKind::of(&args.file).ok_or_else(|| CliError::Usage {
        message: format!(
            "cannot tell what kind of file {} is: name it .csv, .xlsx or .jsonl",
            args.file.display()
        ),
    })?;
    let rows =
        crate::app::sheet_rows(file, &args.file, kind).map_err(crate::app::AppError::from)?;
    let as_of = context.instant(args.as_of);
    let mut store = context.store_for_record(as_of)?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let batch = crate::store::ImportBatch {
        source: &name,
        recorded_at: to_unix(context.clock.now()),
        latest: context.latest(),
    };
    let working = super::progress::Progress::start(&format!("importing {name}"), Some("rows"));
    let mut counted = rows.inspect(|_| working.inc(1));
    let imported = store.import(&mut counted, &batch);
    drop(working);
    match imported {
        Ok(report) => {
            say!(
                "{}: {} recorded, {} already recorded",
                args.file.display(),
                report.recorded,
                report.unchanged
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::BadRows(mut rows)) => {
            rows.sort_by_key(|r| r.line);
            refuse(&args.file, &rows)
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// How many rows with the same reason are named before the rest are counted.
const SHOWN_PER_REASON: usize = 20;

/// Names every bad row, but of rows refused for the same reason (one typo copied down 200,000
/// rows) only the first [`SHOWN_PER_REASON`], then how many more there are.
fn refuse(file: &std::path::Path, bad: &[BadRow]) -> Result<ExitCode, CliError> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for BadRow { line, reason } in bad {
        let count = seen.entry(reason.to_string()).or_default();
        *count += 1;
        if *count <= SHOWN_PER_REASON {
            tell!("{}:{line}: {reason}", file.display());
        }
    }
    let mut more: Vec<(String, usize)> = seen
        .into_iter()
        .filter(|(_, n)| *n > SHOWN_PER_REASON)
        .collect();
    more.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    for (reason, n) in more {
        tell!(
            "{}: and {} more rows with the same reason: {reason}",
            file.display(),
            n - SHOWN_PER_REASON
        );
    }
    tell!(
        "error: {} bad row{} in {}: nothing was imported",
        bad.len(),
        if bad.len() == 1 { "" } else { "s" },
        file.display()
    );
    Ok(ExitCode::from(2))
}
