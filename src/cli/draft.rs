//! `duban draft DOCUMENT`: a campaign file drafted from the document (.txt, .docx, .html), to
//! review and then check.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::CliError;
use crate::draft::{self, Options};

/// Arguments of `duban draft`.
#[derive(Debug, clap::Args)]
pub struct DraftArgs {
    /// The document: .txt (UTF-8 or GBK), .docx, or .html saved from a site (.pdf: not yet).
    document: PathBuf,
    /// The campaign file to write (default: print it).
    #[arg(short, long, value_name = "FILE.campaign")]
    output: Option<PathBuf>,
    /// The day of issue, for a text without its notice (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    issued: Option<NaiveDate>,
    /// Show, on stderr, what each sentence was read as.
    #[arg(long)]
    explain: bool,
}

/// Drafts the document's campaign.
pub fn run(args: &DraftArgs) -> Result<ExitCode, CliError> {
    let text = draft::read(&args.document)?;
    let id = campaign_id(args);
    let options = Options {
        id,
        issued: args.issued,
        source: args
            .document
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let drafted = draft::draft(&text, &options)?;
    if args.explain {
        for (sentence, what) in &drafted.explain {
            tell!("¶{} {}\n    → {what}", sentence.paragraph, sentence.text);
        }
    }
    match &args.output {
        Some(path) => {
            std::fs::write(path, &drafted.text).map_err(|source| CliError::Write {
                path: path.clone(),
                source,
            })?;
            tell!(
                "{}: {} statements drafted{}; review it, then `duban check {}`",
                path.display(),
                drafted.statements,
                if drafted.refused > 0 {
                    format!(", {} left as comments", drafted.refused)
                } else {
                    String::new()
                },
                path.display()
            );
        }
        None => say_raw!("{}", drafted.text)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The campaign's id: the output file's name, else the document's, where it is a name.
fn campaign_id(args: &DraftArgs) -> String {
    let stem = args
        .output
        .as_ref()
        .unwrap_or(&args.document)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id: String = stem
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        format!("draft-{id}").trim_end_matches('-').to_string()
    } else {
        id
    }
}
