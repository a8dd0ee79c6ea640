//! Setting a channel up (`duban channels check`): the mail server checked as a pass would use
//! it — connected, encrypted and logged in where the settings ask — and the robots and the SMS
//! gateway checked as far as can be without sending; and a test message to one unit by each of
//! its channels (its mailboxes, its robots, its people's phones), as a contact point's "test"
//! button does in the monitoring tools offices know.

use super::{AppError, Office};
use crate::notices::send::{Mailer, Outgoing, SendError};
use crate::store::Backend;

/// What became of the test message to one mailbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestSent {
    /// The mailbox.
    pub address: String,
    /// The server's reply once it took the message, or why it did not.
    pub outcome: Result<String, SendError>,
}

/// Why no test message (or chase) can go to a unit: it has no mailbox, robot or phone.
#[derive(Debug, thiserror::Error)]
#[error("{unit} has no mailbox{}: give it one (邮箱) in its campaign, its contacts file or the directory, or a robot in the robots file", campaign.as_ref().map(|c| format!(" in {c}")).unwrap_or_default())]
pub struct NoMailbox {
    /// The unit.
    pub unit: String,
    /// The campaign asked about, if one was.
    pub campaign: Option<String>,
}

impl NoMailbox {
    /// The same, as the pages say it.
    pub fn zh(&self) -> String {
        format!(
            "{}没有邮箱，通知无法送达：请在通讯录中补充其邮箱",
            self.unit
        )
    }
}

/// Where a unit is reached, on every channel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    /// Its mailboxes: its own, then its people's.
    pub mailboxes: Vec<String>,
    /// Its people's phones, the liaison's first, then the unit's own.
    pub phones: Vec<String>,
    /// Its robots, as outbox addresses (`wecom:宛城区督办群`).
    pub robots: Vec<String>,
}

impl Reach {
    /// Every address, in the outbox's terms: mailboxes, robots, then phones (`sms:…`) when
    /// `sms` is set up.
    pub fn addresses(&self, sms: bool) -> Vec<String> {
        let phones = self
            .phones
            .iter()
            .filter(|_| sms)
            .map(|p| crate::vocabulary::Channel::Sms.address(p));
        self.mailboxes
            .iter()
            .chain(&self.robots)
            .cloned()
            .chain(phones)
            .collect()
    }
}

impl Office {
    /// The mailboxes of `unit` in `campaign` (or in every campaign that has it): the unit's own,
    /// then its people's, each once. A unit no campaign has is refused with the nearest name.
    pub fn unit_mailboxes(
        &self,
        store: &dyn Backend,
        unit: &str,
        campaign: Option<&str>,
    ) -> Result<Vec<String>, AppError> {
        let reach = self.unit_reach(store, unit, campaign)?;
        if reach.mailboxes.is_empty() {
            return Err(AppError::NoMailbox(NoMailbox {
                unit: unit.to_string(),
                campaign: campaign.map(str::to_string),
            }));
        }
        Ok(reach.mailboxes)
    }

    /// Where `unit` of `campaign` (or of every campaign that has it) is reached: its
    /// mailboxes, its people's phones, and the robots that carry its notices. A unit no
    /// campaign has is refused with the nearest name; one reached nowhere is [`NoMailbox`].
    pub fn unit_reach(
        &self,
        store: &dyn Backend,
        unit: &str,
        campaign: Option<&str>,
    ) -> Result<Reach, AppError> {
        super::accounts::known_unit(store, unit)?;
        let mut campaigns: Vec<String> = store
            .unit_codes(unit)?
            .into_iter()
            .map(|(c, _)| c)
            .filter(|c| campaign.is_none_or(|asked| asked == c))
            .collect();
        campaigns.dedup();
        if let Some(asked) = campaign {
            store.campaign_header(asked)?;
        }
        let add = |list: &mut Vec<String>, address: Option<String>| {
            let address = address.map(|a| a.trim().to_string());
            if let Some(a) = address.filter(|a| !a.is_empty())
                && !list.contains(&a)
            {
                list.push(a);
            }
        };
        let mut reach = Reach::default();
        let mut own_phones = Vec::new();
        for key in &campaigns {
            let header = store.campaign_header(key)?;
            for (name, email, phone) in store.unit_reach(header.id)? {
                if name == unit {
                    add(&mut reach.mailboxes, email);
                    add(&mut own_phones, phone);
                }
            }
        }
        let mut people = Vec::new();
        for (key, name, contacts) in store.unit_contacts()? {
            if name == unit && campaigns.contains(&key) {
                people.extend(contacts);
            }
        }
        // The liaison's phone first: the one a chase is meant for.
        people.sort_by_key(|c| c.role != crate::language::ast::ContactRole::Liaison);
        let mobile = |p: Option<String>| p.map(|p| crate::vocabulary::mobile(&p));
        for contact in people {
            add(&mut reach.mailboxes, contact.email);
            add(&mut reach.phones, mobile(contact.phone));
        }
        for phone in own_phones {
            add(&mut reach.phones, mobile(Some(phone)));
        }
        let routes = self.routes()?;
        for channel in crate::vocabulary::Channel::ALL {
            if let Some(robot) = routes.robot(unit, channel) {
                reach.robots.push(channel.address(robot));
            }
        }
        if reach.mailboxes.is_empty() && reach.robots.is_empty() && reach.phones.is_empty() {
            return Err(AppError::NoMailbox(NoMailbox {
                unit: unit.to_string(),
                campaign: campaign.map(str::to_string),
            }));
        }
        Ok(reach)
    }
}

/// Sends the test message for `unit` to each of `addresses` (in the outbox's terms: a mail
/// address, a robot, a phone) through `mailer`, each with a Message-ID of `domain`; a refusal
/// of one does not keep it from the others.
pub fn send_test(
    mailer: &dyn Mailer,
    unit: &str,
    addresses: &[String],
    domain: &str,
) -> Vec<TestSent> {
    let subject = "【督办】测试消息";
    let body = format!(
        "{unit}：\n\n这是督办系统发出的测试消息，用于确认贵单位能收到督办提醒。收到即可，无需回复。\n"
    );
    addresses
        .iter()
        .map(|address| {
            let message_id = format!("<test-{}@{domain}>", &super::accounts::secret()[..24]);
            let fitted = crate::notices::fit::fit(address, subject, &body, &[], "测试消息", "");
            let outgoing = Outgoing {
                to: address,
                subject,
                body: &fitted,
                message_id: &message_id,
                attachment: None,
            };
            TestSent {
                address: address.clone(),
                outcome: mailer.send(&outgoing),
            }
        })
        .collect()
}

impl Office {
    /// What is wrong with the robots file against the records: each unit a robot names that no
    /// campaign has (a typo would leave that unit's robot silent), with the nearest name.
    pub fn robot_findings(
        &self,
        store: &dyn Backend,
        book: &crate::notices::robots::RobotBook,
    ) -> Result<Vec<String>, AppError> {
        let known = store.unit_names()?;
        let mut findings = Vec::new();
        for robot in book.robots() {
            for unit in robot.units.iter().filter(|u| !known.contains(u)) {
                let hint =
                    crate::language::suggest::did_you_mean(unit, known.iter().map(String::as_str))
                        .map(|h| format!(" ({h})"))
                        .unwrap_or_default();
                findings.push(format!(
                    "{} robot `{}` names {unit}, which no campaign has{hint}",
                    robot.channel.zh(),
                    robot.name
                ));
            }
            if robot.units.is_empty() {
                findings.push(format!(
                    "{} robot `{}` names no unit: it carries nothing",
                    robot.channel.zh(),
                    robot.name
                ));
            }
        }
        Ok(findings)
    }
}
