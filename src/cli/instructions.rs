//! `duban instruct` and `duban instructions`: a leader's instruction (批示) entered as tracked
//! work, and the campaign's instructions as they stand. Closing one (its 办结报告) and reviewing
//! it (复核) are a ledger row's: `duban ledger close`, `duban review … --period '#N'`.

use std::process::ExitCode;

use chrono::NaiveDate;

use super::lifecycle::{ActorArgs, say_change};
use super::output;
use super::{CliError, Context};
use crate::app::{About, Instruction};
use crate::clock::Instant;

/// Arguments of `duban instruct`.
#[derive(Debug, clap::Args)]
pub struct InstructArgs {
    /// Campaign identifier.
    pub campaign: String,
    /// The unit that is to carry it out (承办单位).
    pub unit: String,
    /// Who gave it (`市委书记 张三`).
    #[arg(long)]
    pub leader: String,
    /// What it says.
    #[arg(long)]
    pub text: String,
    /// What it was given on: a unit (`宛城区`) or an obligation (`统计表 宛城区 2017-05`);
    /// without it, the campaign as a whole.
    #[arg(long, value_name = "UNIT | DELIVERABLE UNIT [PERIOD]")]
    pub about: Option<String>,
    /// The last day to report it done (办结); without it, the campaign's rule
    /// (`办结时限 交办后10个工作日`).
    #[arg(long, value_name = "DATE", value_parser = crate::clock::parse_date)]
    pub due: Option<NaiveDate>,
    /// The day the leader wrote it, where it is not the day it is entered.
    #[arg(long, value_name = "DATE", value_parser = crate::clock::parse_date)]
    pub written: Option<NaiveDate>,
    /// The instruction as written (批示件, a scan), kept with its SHA-256; may be repeated.
    #[arg(long = "file", value_name = "PATH")]
    pub files: Vec<std::path::PathBuf>,
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// Arguments of `duban instructions`.
#[derive(Debug, clap::Args)]
pub struct InstructionsArgs {
    /// Campaign identifier.
    pub campaign: String,
    /// The instant to show them at (default: now).
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<Instant>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

/// How `duban instructions` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// A line per instruction.
    Table,
    /// JSON.
    Json,
}

/// Enters an instruction.
pub fn instruct(context: &Context, args: &InstructArgs) -> Result<ExitCode, CliError> {
    let at = context.instant(args.actor.at);
    let mut store = context.store_for_record(at)?;
    let instruction = Instruction {
        leader: args.leader.clone(),
        text: args.text.clone(),
        about: About::parse(args.about.as_deref().unwrap_or_default()),
        unit: args.unit.clone(),
        due: args.due,
        written: args.written,
        files: args
            .files
            .iter()
            .cloned()
            .map(crate::store::Upload::at)
            .collect(),
    };
    let change = context.instruct(
        &mut *store,
        &args.campaign,
        &instruction,
        at,
        (args.actor.by.clone(), args.actor.note.clone()),
    )?;
    say_change(&change)?;
    Ok(ExitCode::SUCCESS)
}

/// Lists the campaign's instructions as they stand.
pub fn list(context: &Context, args: &InstructionsArgs) -> Result<ExitCode, CliError> {
    let as_of = context.instant(args.as_of);
    let store = context.store_for_reading(as_of)?;
    let ledger = context.instructions_ledger(&*store, &args.campaign)?;
    let lines = context.instructions(&*store, &args.campaign, as_of)?;
    match args.format {
        ListFormat::Json => {
            let value = output::versioned(serde_json::json!({
                "campaign": args.campaign,
                "ledger": ledger,
                "instructions": lines,
            }));
            say!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            )?;
        }
        ListFormat::Table => {
            if lines.is_empty() {
                say!("{}: no instructions yet", args.campaign)?;
            }
            for l in &lines {
                say!(
                    "{} {} {} — {} (on {}) — {}, due {}: {}",
                    ledger,
                    l.row,
                    l.unit,
                    l.leader,
                    l.about,
                    l.state.words(),
                    l.due_date,
                    l.text
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
