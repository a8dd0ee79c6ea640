//! 一键催办: the office chases a unit now for what it owes past its deadline. Each overdue
//! obligation chased gets a `chased` event in its history (who, when; the record unchanged,
//! through the ledger's own transition), and the unit one message at each of its mailboxes, its
//! robots and (with SMS set up) its people's phones, listing them, queued in the outbox with
//! the other notices — so it goes out once, by the same claims,
//! whoever sends it. An obligation is chased at most once a day (in its campaign's zone) unless
//! the office insists.

use super::{AppError, Office};
use crate::clock::Instant;
use crate::ledger::{Action, Status};
use crate::store::{Backend, Key, NoticeKey, OutboxMail, User, WorkItem};

/// Whom to chase, for what.
#[derive(Clone, Copy, Debug)]
pub struct ChaseRequest<'a> {
    /// The campaign.
    pub campaign: &'a str,
    /// The unit.
    pub unit: &'a str,
    /// Only this report, if given.
    pub deliverable: Option<&'a str>,
    /// Only this period of it, if given.
    pub period: Option<&'a str>,
    /// Chase again what was chased today already.
    pub force: bool,
}

/// What a chase did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chased {
    /// The obligations chased now (`统计表 2017-05`).
    pub chased: Vec<String>,
    /// Those chased today already, left alone.
    pub already: Vec<String>,
    /// Where the chase went (a message each, queued): mailboxes, robots, phones.
    pub to: Vec<String>,
}

/// Why a chase did nothing.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ChaseRefusal {
    /// Nothing of the unit is overdue there.
    #[error("{unit} has nothing overdue in {campaign}{}", deliverable.as_ref().map(|d| format!(" of {d}")).unwrap_or_default())]
    NothingOverdue {
        /// The unit.
        unit: String,
        /// The campaign.
        campaign: String,
        /// The report asked about.
        deliverable: Option<String>,
    },
    /// Everything overdue was chased today already.
    #[error("{unit} was chased today already for everything overdue ({}): chase again with --force", items.join(", "))]
    ChasedToday {
        /// The unit.
        unit: String,
        /// What was chased.
        items: Vec<String>,
    },
}

impl ChaseRefusal {
    /// The same, as the pages say it.
    pub fn zh(&self) -> String {
        match self {
            ChaseRefusal::NothingOverdue { unit, .. } => format!("{unit}没有逾期未报的事项"),
            ChaseRefusal::ChasedToday { unit, .. } => {
                format!(
                    "今天已经催办过{unit}；如确需再次催办，请在该事项的页面勾选“仍再次催办”后提交"
                )
            }
        }
    }
}

impl Office {
    /// Chases `asked.unit` at `at` for what it owes past its deadline in `asked.campaign`
    /// (of one report or one obligation, if asked), as `who` (none: the office at the command
    /// line). Refused to anyone but the office.
    pub fn chase(
        &self,
        store: &mut dyn Backend,
        who: Option<&User>,
        asked: &ChaseRequest<'_>,
        at: Instant,
    ) -> Result<Chased, AppError> {
        let domain = super::mail::message_domain(&self.config.mail);
        // The office's, in its own campaigns: refused before anything of the campaign is read.
        if let Some(who) = who
            && (who.role != crate::store::Role::Office
                || who.read_only
                || !who.in_campaign(asked.campaign))
        {
            return Err(super::rights::forbidden(asked.unit));
        }
        let header = store.campaign_header(asked.campaign)?;
        super::accounts::known_unit(&*store, asked.unit)?;
        let mut items: Vec<WorkItem> = store
            .unit_work(asked.unit)?
            .into_iter()
            .filter(|i| {
                i.campaign == asked.campaign
                    && i.unit == asked.unit
                    && asked.deliverable.is_none_or(|d| d == i.deliverable)
                    && asked.period.is_none_or(|p| p == i.period)
            })
            .collect();
        super::instant::work_at(&*store, &mut items, at)?;
        let zone = header.zone;
        let t = at.in_zone(zone).timestamp();
        items.retain(|i| i.record.status_at(t) == Status::Overdue);
        if items.is_empty() {
            return Err(AppError::Chase(ChaseRefusal::NothingOverdue {
                unit: asked.unit.to_string(),
                campaign: asked.campaign.to_string(),
                deliverable: asked.deliverable.map(str::to_string),
            }));
        }
        let today = crate::clock::from_unix(t).with_timezone(&zone).date_naive();
        // An event's time is RFC 3339 in the campaign's zone: its date is its first ten.
        let today_text = today.format("%Y-%m-%d").to_string();
        let mut done = Chased::default();
        let mut chased = Vec::new();
        let mut forced = Vec::new();
        for item in items {
            let key = key_of(&item);
            if let Some(who) = who {
                self.allowed(&*store, who, &key, super::Deed::Excuse)?;
            }
            let (_, history) = store.history(&key, at)?;
            let chased_today = history
                .iter()
                .any(|e| e.kind == "chased" && e.at.get(..10) == Some(today_text.as_str()));
            if chased_today && !asked.force {
                done.already.push(label(&item));
                continue;
            }
            done.chased.push(label(&item));
            forced.push(chased_today);
            chased.push(item);
        }
        if chased.is_empty() {
            return Err(AppError::Chase(ChaseRefusal::ChasedToday {
                unit: asked.unit.to_string(),
                items: done.already,
            }));
        }
        let reach = self.unit_reach(&*store, asked.unit, Some(asked.campaign))?;
        // The liaison is called out in the unit's robot groups.
        let mobiles: Vec<String> = reach.phones.iter().take(1).cloned().collect();
        done.to = reach.addresses(self.config.sms.url.is_some());
        // Reached nowhere it can be reached now (a phone, and no SMS set up): no chase is
        // recorded that tells no one.
        if done.to.is_empty() {
            return Err(AppError::NoMailbox(super::NoMailbox {
                unit: asked.unit.to_string(),
                campaign: Some(asked.campaign.to_string()),
            }));
        }
        let (subject, body) = letter(&header, asked.unit, &chased, t, zone);
        let summary = format!("{}项已逾期", chased.len());
        // A robot's message ends with the way to the unit's page.
        let link = self
            .config
            .base_url
            .as_deref()
            .map_or(String::new(), |base| {
                let unit = percent_encoding::utf8_percent_encode(
                    asked.unit,
                    crate::notices::hooks::UNRESERVED,
                );
                format!("\n\n办理入口：{}/unit/{unit}", base.trim_end_matches('/'))
            });
        let mails: Vec<OutboxMail> = done
            .to
            .iter()
            .map(|to| OutboxMail {
                campaign_id: header.id,
                recipient: to.clone(),
                subject: subject.clone(),
                body: crate::notices::fit::fit(to, &subject, &body, &mobiles, &summary, &link),
                message_id: format!(
                    "<chase-{}-{t}-{}@{domain}>",
                    chased[0].id,
                    &super::accounts::secret()[..12]
                ),
                notices: chased
                    .iter()
                    .map(|i| NoticeKey {
                        obligation_id: i.id,
                        stage: format!("chase:{t}"),
                        due_date: i.deadline().to_string(),
                        recipient: to.clone(),
                        role: "unit".into(),
                        send_at: t,
                    })
                    .collect(),
                attachment: None,
                not_before: None,
            })
            .collect();
        // Every chase and its mails in one transaction: all recorded, or none.
        let actions: Vec<(Key<'_>, Action)> = chased
            .iter()
            .zip(&forced)
            .map(|(item, &forced)| (key_of(item), Action::Chase { forced }))
            .collect();
        let meta = self.meta(
            &*store,
            asked.campaign,
            at,
            who.map(|w| w.name.clone()),
            None,
        )?;
        store.apply_and_queue(&actions, meta, &mails, t)?;
        Ok(done)
    }
}

fn key_of(item: &WorkItem) -> Key<'_> {
    Key {
        campaign: &item.campaign,
        deliverable: &item.deliverable,
        unit: &item.unit,
        period: (!item.period.is_empty()).then_some(item.period.as_str()),
    }
}

fn label(item: &WorkItem) -> String {
    if item.period.is_empty() {
        item.deliverable.clone()
    } else {
        format!("{} {}", item.deliverable, item.period)
    }
}

/// The chase's subject and text: each item with its deadline and how late it is.
fn letter(
    header: &crate::store::CampaignHeader,
    unit: &str,
    items: &[WorkItem],
    t: i64,
    zone: chrono_tz::Tz,
) -> (String, String) {
    let day = |date: &str| {
        chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map(|d| d.format("%-m月%-d日").to_string())
            .unwrap_or_else(|_| date.to_string())
    };
    let today = crate::clock::from_unix(t).with_timezone(&zone).date_naive();
    let mut lines = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let due = item.deadline();
        let late = chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d")
            .map(|d| (today - d).num_days().max(1))
            .unwrap_or(1);
        let period = if item.period.is_empty() {
            String::new()
        } else {
            format!("（{}）", item.period)
        };
        lines.push(format!(
            "{}. {}{period}\n   截止日期：{}（已逾期{late}天）",
            n + 1,
            item.deliverable,
            day(due)
        ));
    }
    let subject = match items {
        [one] => format!("【督办】{}已逾期，请立即报送", one.deliverable),
        _ => format!(
            "【督办】{}等{}项已逾期，请立即报送",
            items[0].deliverable,
            items.len()
        ),
    };
    let from = header
        .issuer
        .clone()
        .or(header.office.clone())
        .unwrap_or_default();
    let body = format!(
        "{unit}：\n\n根据《{}》的要求，以下报送事项已逾期未报，现予督办，请立即报送：\n\n{}\n\n如有特殊情况，请及时与{}联系说明。\n\n{from}\n{}\n",
        header.title,
        lines.join("\n"),
        header.office.as_deref().unwrap_or("督办办公室"),
        crate::reports::chinese_date(today)
    );
    (subject, body)
}
