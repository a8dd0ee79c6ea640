//! `duban channels check`: every configured channel checked without sending — mail (the
//! server reached, encrypted and logged in as a pass would), each robot (its app, whether it
//! signs, the units it carries, which must be units of the records) and the SMS gateway (its
//! settings complete) — and with `--send UNIT` one test message to that unit by each of its
//! channels.

use std::process::ExitCode;

use super::{CliError, Context};
use crate::app::{MailSetup, send_test};
use crate::vocabulary::Channel;

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
    /// message to a unit by each of its channels).
    #[command(
        after_help = "Examples:\n  duban channels check\n  duban channels check --send 宛城区 --campaign nanyang-2017"
    )]
    Check {
        /// Send one test message to each mailbox, robot and (with SMS set up) phone of this
        /// unit.
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
    let couriers = setup.couriers(None)?;
    if setup.smtp.is_some() {
        let checked = setup
            .mailer(None)?
            .check()
            .map_err(|e| CliError::ChannelRefused {
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
    } else {
        say!("mail: not set up ([mail] url in duban.toml)")?;
    }
    let mut findings = Vec::new();
    if let Some(book) = &setup.robots {
        for robot in book.robots() {
            let signing = match (robot.channel, robot.signed()) {
                (Channel::Wecom, _) => "",
                (_, true) => ", signed",
                (_, false) => {
                    ", not signed: its security setting must be a keyword or an address list"
                }
            };
            say!(
                "{}: robot {} — carries {}{signing}",
                robot.channel,
                robot.name,
                if robot.units.is_empty() {
                    "no unit".to_string()
                } else {
                    robot.units.join("、")
                }
            )?;
        }
        if let Ok(store) = context.store_for_accounts() {
            findings = context.robot_findings(&*store, book)?;
        }
    } else {
        say!("robots: none ([channels] robots_file in duban.toml)")?;
    }
    if let Some(sms) = &setup.sms {
        say!(
            "sms: {} — key {}, signature 【{}】, template {}",
            sms.url,
            sms.key_id,
            sms.sign_name,
            sms.template
        )?;
    }
    for finding in &findings {
        tell!("warning: {finding}");
    }
    let Some(unit) = send else {
        return Ok(ExitCode::SUCCESS);
    };
    let store = context.store_for_accounts()?;
    let reach = context.unit_reach(&*store, unit, campaign.as_deref())?;
    let addresses: Vec<String> = reach
        .addresses(setup.sms.is_some())
        .into_iter()
        .filter(|a| couriers.has(Channel::of(a).0))
        .collect();
    let mut refused = Vec::new();
    for sent in send_test(&couriers, unit, &addresses, &setup.pass.domain) {
        let (channel, to) = Channel::of(&sent.address);
        match sent.outcome {
            Ok(reply) => say!("{channel}: a test message went to {to} ({reply})")?,
            Err(e) => refused.push(format!("{}: {e}", sent.address)),
        }
    }
    if refused.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(CliError::ChannelRefused {
            channel: "channels",
            why: refused.join("; "),
        })
    }
}
