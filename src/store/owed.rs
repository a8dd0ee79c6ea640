//! What is owed and whom to reach: the read model a notice pass plans from, as the store
//! loads it. The planner (in `notices`) decides what is due; this only carries the facts.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::language::campaign::{Contact, Policy};

/// An obligation still owed, with what the planner needs to know about it.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Its units acknowledge its notices (签收 in the campaign): a message carries the link.
    pub acknowledge: bool,
    /// How soon (`签收 24小时内`), where they do.
    pub ack_within: Option<crate::language::ast::AckWithin>,
    /// When its unit was first told of it (a notice sent to its liaison, leader or mailbox),
    /// and whether it has acknowledged it since — where its report asks for 签收.
    pub told: Option<(i64, bool)>,
    /// Its row in the store.
    pub obligation_id: i64,
    /// Its campaign's row in the store.
    pub campaign_id: i64,
    /// Its campaign's identifier.
    pub campaign: Arc<str>,
    /// Its campaign's time zone.
    pub zone: Tz,
    /// The deliverable's name.
    pub deliverable: Arc<str>,
    /// The deliverable's title, if it has one.
    pub title: Option<Arc<str>>,
    /// The owing unit.
    pub unit: Arc<str>,
    /// Where the unit stands in its campaign's declaration order.
    pub unit_order: i64,
    /// The period, or none for a one-off.
    pub period: Option<Arc<str>>,
    /// The deadline in force (after any extension), as units are told it.
    pub due_date: NaiveDate,
    /// Its last on-time day: the due date, or the first workday after it when the office is
    /// closed on the due date (民法典 第二百零三条). Overdue notices count from here.
    pub on_time_until: NaiveDate,
    /// Whether a submission was returned.
    pub returned: bool,
    /// The reminder policy that applies.
    pub policy: Arc<Policy>,
    /// Recipient units (the unit's parent resolved).
    pub to: Arc<[String]>,
    /// Supervising units (of its item, or of the campaign).
    pub supervisors: Arc<[String]>,
    /// Lead units of its item.
    pub lead: Arc<[String]>,
    /// The campaign's office.
    pub office: Option<Arc<str>>,
    /// The forms it carries.
    pub form: Option<Arc<str>>,
    /// For a target whose reported value falls short of its threshold: the value and the
    /// threshold. The ladder chases it as "below target"; nothing reminds of it before.
    pub below: Option<Below>,
    /// Whether its unit was interviewed (约谈) after it fell due: the lapse was dealt with, and
    /// the ladder's interview rung is not proposed again.
    pub interviewed: bool,
    /// For a review owed (a submission waiting for its reviewer): the unit that submitted it.
    /// `unit` is then the reviewer, who owes the review, and the deadline is the review's.
    pub review_of: Option<Arc<str>>,
}

/// A target's value that falls short of its threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Below {
    /// The value reported.
    pub value: f64,
    /// The threshold of its date.
    pub threshold: super::Threshold,
}

/// The mailboxes of a campaign's units.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    /// By campaign, then unit name: the unit's mailbox and contacts.
    units: HashMap<i64, HashMap<Arc<str>, Mailboxes>>,
}

/// A unit's own mailbox, and its contact people.
pub type Mailboxes = (Option<String>, Vec<Contact>);

impl Directory {
    /// Adds a unit's mailbox and contacts.
    pub fn add(
        &mut self,
        campaign_id: i64,
        unit: impl Into<Arc<str>>,
        email: Option<String>,
        contacts: Vec<Contact>,
    ) {
        self.units
            .entry(campaign_id)
            .or_default()
            .insert(unit.into(), (email, contacts));
    }

    /// The mailbox and contacts of `unit` in campaign `campaign_id`.
    pub fn entry(&self, campaign_id: i64, unit: &str) -> Option<&Mailboxes> {
        self.units.get(&campaign_id)?.get(unit)
    }
}

/// A campaign as the store holds it, for the mails that act on it.
#[derive(Clone, Debug, Default)]
pub struct CampaignRow {
    /// Identifier.
    pub key: String,
    /// Title, if it has one.
    pub title: Option<String>,
    /// The document number.
    pub doc: Option<String>,
    /// The issuer.
    pub issuer: Option<String>,
    /// The office (主办单位).
    pub office: Option<String>,
    /// The office's phone.
    pub office_phone: Option<String>,
    /// The campaign's own templates folder.
    pub templates: Option<String>,
}
