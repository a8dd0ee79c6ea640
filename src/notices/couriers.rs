//! Every channel behind one [`Mailer`]: each outbox message goes by the channel its address
//! names (`wecom:…`, `sms:…`, a mail address) — mail through SMTP, robots through
//! [`Hooks`], SMS through the gateway. A channel that is not set up refuses as a login does:
//! its messages stay pending, untried, with the reason, until it is.

use super::hooks::Hooks;
use super::send::{Mailer, Outgoing, SendError};
use super::sms::Sms;
use super::webhooks::Webhooks;
use crate::vocabulary::Channel;

/// The channels an office has set up.
#[derive(Default)]
pub struct Couriers {
    /// Mail, if a server is configured.
    pub mail: Option<Box<dyn Mailer>>,
    /// The robots, if a robots file is configured.
    pub hooks: Option<Hooks>,
    /// The SMS gateway, if configured.
    pub sms: Option<Sms>,
    /// The other systems told of the record's events, if a webhooks file is configured.
    pub webhooks: Option<Webhooks>,
}

impl Couriers {
    /// Whether `channel` is set up.
    pub fn has(&self, channel: Channel) -> bool {
        match channel {
            Channel::Mail => self.mail.is_some(),
            Channel::Sms => self.sms.is_some(),
            robot => self
                .hooks
                .as_ref()
                .is_some_and(|h| h.book().robots().iter().any(|r| r.channel == robot)),
        }
    }
}

/// The words of a channel that is not set up, as its messages keep them.
pub fn not_set_up(channel: Channel) -> String {
    match channel {
        Channel::Mail => "no mail server is set up ([mail] url in duban.toml)".into(),
        Channel::Sms => "no SMS gateway is set up ([sms] in duban.toml)".into(),
        robot => format!(
            "no {} robot is set up ([channels] robots_file in duban.toml)",
            robot.zh()
        ),
    }
}

impl Mailer for Couriers {
    fn send(&self, mail: &Outgoing<'_>) -> Result<String, SendError> {
        if let Some(name) = super::webhooks::receiver_of(mail.to) {
            return self
                .webhooks
                .as_ref()
                .ok_or_else(|| {
                    SendError::Unconfigured(
                        "no webhooks are set up ([channels] webhooks_file in duban.toml)".into(),
                    )
                })?
                .send(name, mail);
        }
        let (channel, to) = Channel::of(mail.to);
        let missing = || SendError::Unconfigured(not_set_up(channel));
        match channel {
            Channel::Mail => self.mail.as_ref().ok_or_else(missing)?.send(mail),
            Channel::Sms => self.sms.as_ref().ok_or_else(missing)?.send(to, mail.body),
            robot => self
                .hooks
                .as_ref()
                .ok_or_else(missing)?
                .send(robot, to, mail.body),
        }
    }
}
