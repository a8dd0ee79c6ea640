//! `duban channels check`: every configured channel checked without sending (today, mail: the
//! server reached, encrypted and logged in as a pass would), and with `--send UNIT` one test
//! message to that unit.

use std::process::ExitCode;

use super::{CliError, Context};
use crate::app::{MailSetup, send_test};

/// Arguments of `duban channels`.
#[derive(Debug, clap::Args)]
pub struct ChannelsArgs {
    #[command(subcommand)]
    action: ChannelsAction,
}

/// What `duban channels` does.
#[derive(Debug, clap::Subcommand)]
pub enum ChannelsAction {
    /// Check each configured channel without sending anything (with --send, send one test
    /// message to a unit).
    #[command(
        after_help = "Examples:\n  duban channels check\n  duban channels check --send 宛城区 --campaign nanyang-2017"
    )]
    Check {
        /// Send one test message to each mailbox of this unit.
        #[arg(long, value_name = "UNIT")]
        send: Option<String>,
        /// The campaign whose unit it is (default: every campaign that has a unit of that name).
        #[arg(long, value_name = "CAMPAIGN", requires = "send")]
        campaign: Option<String>,
    },
}

/// Runs `duban channels`.
pub fn run(context: &Context, args: &ChannelsArgs) -> Result<ExitCode, CliError> {
    let ChannelsAction::Check { send, campaign } = &args.action;
    let setup = MailSetup::resolve(&context.config)?;
    let mailer = setup.mailer(None)?;
    let checked = mailer.check().map_err(|e| CliError::ChannelRefused {
        channel: "mail",
        why: e.to_string(),
    })?;
    say!(
        "mail: {} — connected, {}{}{}",
        checked.server,
        if checked.encrypted {
            "encrypted"
        } else {
            "not encrypted"
        },
        if checked.logged_in { ", logged in" } else { "" },
        if checked.pipelining {
            ", pipelining"
        } else {
            ""
        }
    )?;
    let Some(unit) = send else {
        return Ok(ExitCode::SUCCESS);
    };
    let store = context.store_for_accounts()?;
    let addresses = context.unit_mailboxes(&*store, unit, campaign.as_deref())?;
    let mut refused = Vec::new();
    for sent in send_test(&mailer, unit, &addresses, &setup.pass.domain) {
        match sent.outcome {
            Ok(reply) => say!("mail: a test message went to {} ({reply})", sent.address)?,
            Err(e) => refused.push(format!("{}: {e}", sent.address)),
        }
    }
    if refused.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(CliError::ChannelRefused {
            channel: "mail",
            why: refused.join("; "),
        })
    }
}
