//! `duban chase CAMPAIGN UNIT [DELIVERABLE]`: 一键催办 from the command line — the unit chased
//! now for what it owes past its deadline, the chase in each obligation's history, one mail at
//! each of its mailboxes, sent at once when a mail server is configured (else left in the
//! outbox for the daemon).

use std::process::ExitCode;

use super::{CliError, Context, output};
use crate::app::{ChaseRequest, MailSetup};
use crate::clock::Instant;

/// Arguments of `duban chase`.
#[derive(Debug, clap::Args)]
pub struct ChaseArgs {
    /// Campaign identifier.
    #[arg(add = super::completions::campaigns())]
    campaign: String,
    /// Unit name.
    #[arg(add = super::completions::units())]
    unit: String,
    /// Only this report (default: everything the unit owes past its deadline).
    #[arg(add = super::completions::deliverables())]
    deliverable: Option<String>,
    /// Only this period of it.
    #[arg(long, requires = "deliverable")]
    period: Option<String>,
    /// Chase again what was chased today already.
    #[arg(long)]
    force: bool,
    /// When the chase is made: RFC 3339, or local YYYY-MM-DD[THH:MM] (default: now).
    #[arg(long, value_name = "TIME")]
    as_of: Option<Instant>,
}

/// Runs `duban chase`.
pub fn run(context: &Context, args: &ChaseArgs) -> Result<ExitCode, CliError> {
    let at = context.instant(args.as_of);
    let setup = MailSetup::resolve(&context.config)?;
    let mut store = context.store_for_record(at)?;
    let asked = ChaseRequest {
        campaign: &args.campaign,
        unit: &args.unit,
        deliverable: args.deliverable.as_deref(),
        period: args.period.as_deref(),
        force: args.force,
    };
    let chased = context.chase(&mut *store, None, &asked, at)?;
    say!(
        "chased {} for {}: {}; a mail to {}",
        args.unit,
        output::plural(chased.chased.len(), "overdue item"),
        chased.chased.join(", "),
        chased.to.join(", ")
    )?;
    if !chased.already.is_empty() {
        say!(
            "already chased today (again with --force): {}",
            chased.already.join(", ")
        )?;
    }
    if setup.smtp.is_none() {
        say!("no mail server is configured: the mails wait in the outbox (`duban outbox`)")?;
        return Ok(ExitCode::SUCCESS);
    }
    crate::cli::notices::init_logging(false);
    let mailer = setup.couriers(None)?;
    let report = context.send_queued(&mut *store, &mailer, &setup, at)?;
    crate::cli::notices::told(&report)
}
