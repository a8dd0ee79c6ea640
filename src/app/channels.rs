//! Setting a channel up (`duban channels check`): the mail server checked as a pass would use
//! it — connected, encrypted and logged in where the settings ask — without sending anything,
//! and a test message to one unit's mailboxes, as a contact point's "test" button does in the
//! monitoring tools offices know.

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

/// Why no test message can go to a unit.
#[derive(Debug, thiserror::Error)]
#[error("{unit} has no mailbox{}: give it one (邮箱) in its campaign, its contacts file or the directory", campaign.as_ref().map(|c| format!(" in {c}")).unwrap_or_default())]
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

impl Office {
    /// The mailboxes of `unit` in `campaign` (or in every campaign that has it): the unit's own,
    /// then its people's, each once. A unit no campaign has is refused with the nearest name.
    pub fn unit_mailboxes(
        &self,
        store: &dyn Backend,
        unit: &str,
        campaign: Option<&str>,
    ) -> Result<Vec<String>, AppError> {
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
        let mut addresses: Vec<String> = Vec::new();
        let mut add = |address: Option<String>| {
            if let Some(a) = address.filter(|a| !a.trim().is_empty())
                && !addresses.contains(&a)
            {
                addresses.push(a);
            }
        };
        for key in &campaigns {
            let header = store.campaign_header(key)?;
            for (name, email, _) in store.unit_reach(header.id)? {
                if name == unit {
                    add(email);
                }
            }
        }
        for (key, name, contacts) in store.unit_contacts()? {
            if name == unit && campaigns.contains(&key) {
                for contact in contacts {
                    add(contact.email);
                }
            }
        }
        if addresses.is_empty() {
            return Err(AppError::NoMailbox(NoMailbox {
                unit: unit.to_string(),
                campaign: campaign.map(str::to_string),
            }));
        }
        Ok(addresses)
    }
}

/// Sends the test message for `unit` to each of `addresses` through `mailer`, each with a
/// Message-ID of `domain`; a refusal of one does not keep it from the others.
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
            let outgoing = Outgoing {
                to: address,
                subject,
                body: &body,
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
