//! What the notice planner reads from the store: the obligations owed near an instant, with
//! their deliverables' policies and recipients, every unit's mailboxes, and the notices already
//! written. Deliverable-, unit- and period-level values are read once and shared, because a
//! national campaign has a hundred thousand obligations in the window and three deliverables.

use std::collections::HashMap;
use std::sync::Arc;

use chrono_tz::Tz;

use super::owed::{Below, CampaignRow, Candidate, Directory};
use super::{Interner, StoreError, Threshold};
use crate::language::campaign::{Contact, Policy};

/// The deadlines a pass or a preview looks at: unix seconds, both ends included.
pub type Window = (i64, i64);

/// What the planner needs from the store.
pub struct PlanInput {
    /// Obligations still owed near `t`.
    pub candidates: Vec<Candidate>,
    /// Every unit's mailbox and contacts.
    pub directory: Directory,
    /// Each campaign, by row.
    pub campaigns: HashMap<i64, CampaignRow>,
    /// Notices already written.
    pub sent: Written,
}

/// The notices already written, by obligation: each one's stage, deadline and mailbox.
#[derive(Debug, Default)]
pub struct Written(HashMap<i64, Vec<(String, String, String)>>);

impl Written {
    /// Adds a notice of `obligation_id` already written: its stage, deadline and mailbox.
    pub(super) fn add(&mut self, obligation_id: i64, key: (String, String, String)) {
        self.0.entry(obligation_id).or_default().push(key);
    }

    /// The notices of `obligation_id` already in the outbox: (stage, deadline, mailbox) each.
    /// Most obligations have none, so a caller need not spell out its own key to find that.
    pub fn of(&self, obligation_id: i64) -> &[(String, String, String)] {
        self.0.get(&obligation_id).map_or(&[], Vec::as_slice)
    }
}

/// A campaign as its candidates share it.
struct CampaignShared {
    key: Arc<str>,
    zone: Tz,
    office: Option<Arc<str>>,
}

/// A unit as its candidates share it.
#[derive(Default)]
struct UnitShared {
    name: Arc<str>,
    parent: Option<String>,
    /// Its own reviewer (`审核单位`), if the campaign gives one.
    reviewer: Option<String>,
    /// When it was last interviewed (约谈).
    interviewed: Option<i64>,
}

/// A deliverable as its candidates share it.
struct DeliverableShared {
    name: Arc<str>,
    title: Option<Arc<str>>,
    policy: Arc<Policy>,
    recipients: Vec<String>,
    /// Whether `recipients` names `@parent`, so that the list differs between units.
    to_parent: bool,
    /// Recipients with `@parent` resolved, by the parent's name (only `None` if `to_parent` is
    /// false: one list serves every unit).
    to: HashMap<Option<String>, Arc<[String]>>,
    supervisors: Arc<[String]>,
    lead: Arc<[String]>,
    form: Option<Arc<str>>,
    /// A target's thresholds, by period.
    thresholds: Vec<Threshold>,
    /// Who reviews its submissions: `reviewer` (each unit's own) or `unit:NAME`.
    review: Option<String>,
    /// How soon its units acknowledge its notices (签收), where they do.
    acknowledge: Option<crate::language::ast::AckWithin>,
}

impl DeliverableShared {
    fn to(&mut self, parent: &Option<String>) -> Arc<[String]> {
        let parent = if self.to_parent { parent } else { &None };
        if let Some(to) = self.to.get(parent) {
            return to.clone();
        }
        let to: Arc<[String]> = self
            .recipients
            .iter()
            .filter_map(|r| match r.as_str() {
                "@parent" => parent.clone(),
                _ => Some(r.clone()),
            })
            .collect();
        self.to.insert(parent.clone(), to.clone());
        to
    }
}

/// The campaigns, units and deliverables a pass's candidates share, read once before the
/// obligations (by every backend, each with its own SQL).
#[derive(Default)]
pub(super) struct PlanMaps {
    campaigns: HashMap<i64, CampaignRow>,
    shared: HashMap<i64, CampaignShared>,
    directory: Directory,
    /// By row id: units are never deleted, so their ids are dense.
    units: Vec<UnitShared>,
    deliverables: Vec<Option<DeliverableShared>>,
    periods: Interner,
    /// Unit row ids by campaign and name, to find a reviewer.
    unit_ids: HashMap<(i64, Arc<str>), i64>,
}

/// An owed obligation's columns, as a pass reads them.
pub(super) struct OwedRow<'r> {
    pub id: i64,
    pub campaign_id: i64,
    pub deliverable_id: i64,
    pub unit_id: i64,
    pub period: &'r str,
    /// The due date in force (after any extension).
    pub due_date: &'r str,
    pub state: &'r str,
    pub effective_due_at: i64,
}

/// Columns id, key, title, zone, office, issuer, doc, templates, the office's phone.
pub(super) const CAMPAIGNS: &str = "SELECT id, key, title, zone, office, issuer, doc, templates,
        (SELECT u.phone FROM units u WHERE u.campaign_id = c.id AND u.name = c.office)
     FROM campaigns c";

/// Columns id, campaign_id, name, email, contacts, parent, when the unit was last interviewed
/// (约谈), if ever, and its reviewer.
pub(super) const UNITS: &str =
    "SELECT u.id, u.campaign_id, u.name, u.email, u.contacts, u.parent, i.at, u.reviewer
     FROM units u LEFT JOIN (SELECT unit_id, max(at) AS at FROM interviews GROUP BY unit_id) i
         ON i.unit_id = u.id";

/// Columns id, name, title, policy in force, recipients, supervisors, lead, forms, thresholds,
/// review, and what it asks of its units (the `asks` JSON: 签收, 申请延期).
pub(super) const DELIVERABLES: &str =
    "SELECT d.id, d.name, d.title, coalesce(d.policy, c.policy), d.recipients,
            d.supervisors, d.lead, d.forms, d.thresholds, d.review, d.asks
     FROM deliverables d JOIN campaigns c ON c.id = d.campaign_id";

/// The obligations still owed of reports that ask for 签收 whose unit was told of them by `$1`
/// (a notice sent to its liaison, leader or mailbox): id, when first told, and whether it has
/// acknowledged by then.
pub(super) const TOLD_OWED: &str = "SELECT n.obligation_id, min(m.sent_at),
        EXISTS (SELECT 1 FROM events e WHERE e.obligation_id = n.obligation_id
                  AND e.kind = 'acknowledged' AND e.at <= $1)
     FROM notices n JOIN mails m ON m.id = n.mail_id
     JOIN obligations o ON o.id = n.obligation_id
     JOIN deliverables d ON d.id = o.deliverable_id
     WHERE d.asks LIKE '%\"acknowledge\"%' AND o.active AND o.closed_at IS NULL
       AND n.role IN ('liaison', 'leader', 'unit')
       AND m.sent_at IS NOT NULL AND m.sent_at <= $1
     GROUP BY n.obligation_id";

impl PlanMaps {
    /// The instant a pass at `as_of` counts 签收 by: `as_of` read in a campaign's zone (a local
    /// time means the same hour everywhere the office works).
    pub(super) fn instant(&self, as_of: crate::clock::Instant) -> i64 {
        let zone = self
            .shared
            .values()
            .next()
            .map_or(chrono_tz::UTC, |c| c.zone);
        as_of.in_zone(zone).timestamp()
    }
}

/// `candidates` told what [`TOLD_OWED`] read of them (by obligation row id).
pub(super) fn tell(candidates: &mut [Candidate], told: &HashMap<i64, (i64, bool)>) {
    for c in candidates.iter_mut().filter(|c| c.ack_within.is_some()) {
        c.told = told.get(&c.obligation_id).copied();
    }
}

/// Targets' obligations received with a value, deadline in `$1 ..= $2`: the columns of an
/// [`OwedRow`], then the value. Which fall short of their threshold is decided by
/// [`PlanMaps::below_candidate`]. Driven from the targets (`IN`): a pass must not read every
/// obligation.
pub(super) const REPORTED_TARGETS: &str =
    "SELECT o.id, o.campaign_id, o.deliverable_id, o.unit_id, o.period,
            coalesce(o.extended_until, o.due_date), o.state, o.effective_due_at, v.number
     FROM obligations o JOIN deliverables d ON d.id = o.deliverable_id
     JOIN field_values v ON v.event_id = o.values_event AND v.field = d.name
     WHERE o.deliverable_id IN (SELECT id FROM deliverables WHERE kind = 'target')
       AND o.active AND o.state = 'received' AND o.effective_due_at BETWEEN $1 AND $2
     ORDER BY o.campaign_id, o.effective_due_at, o.unit_id, o.deliverable_id";

/// Submissions waiting for their reviewer, the review due in `$1 ..= $2`: the columns of an
/// [`OwedRow`], the review's deadline in place of the report's. Found through the partial index
/// of submissions in review, which are few.
pub(super) fn reviews_sql(max: &str) -> String {
    // When the review is due, as `Record::review_due_at` says: its own deadline, else the
    // report's in force but at least the grace after it came (`max` is the engine's
    // two-argument maximum).
    let grace = crate::ledger::REVIEW_GRACE;
    let due = format!("coalesce(review_due_at, {max}(effective_due_at, submitted_at + {grace}))");
    format!(
        "SELECT id, campaign_id, deliverable_id, unit_id, period,
                coalesce(extended_until, due_date), state, {due}, reviewing
         FROM obligations WHERE state = 'review' AND active
             AND campaign_id IN (SELECT id FROM campaigns) AND {due} BETWEEN $1 AND $2
         ORDER BY campaign_id, {due}, unit_id, deliverable_id, period"
    )
}

/// When a plan counts what was done: at a pass's instant, or as the records stand now.
#[derive(Clone, Copy, Debug)]
pub(super) enum Owed {
    /// What was owed at this instant.
    At(crate::clock::Instant),
    /// What is owed by the latest records (a preview of what is owed now).
    Latest,
}

impl super::asof::Then {
    /// It as a planner's row, if it was owed then with its deadline in `window`.
    pub(super) fn owed_row(
        &self,
        id: i64,
        campaign_id: i64,
        window: Window,
    ) -> Option<OwedRow<'_>> {
        let due = self.record.effective_due_at;
        (self.record.closed_at.is_none() && due >= window.0 && due <= window.1).then(|| OwedRow {
            id,
            campaign_id,
            deliverable_id: self.deliverable_id,
            unit_id: self.unit_id,
            period: &self.period,
            due_date: &self.due_date,
            state: self.record.state.as_str(),
            effective_due_at: due,
        })
    }

    /// It as a planner's row of a review owed, if it waited for its reviewer then with the
    /// review due in `window`.
    pub(super) fn review_row(
        &self,
        id: i64,
        campaign_id: i64,
        window: Window,
    ) -> Option<OwedRow<'_>> {
        let due = self.record.review_due_at();
        let waiting = self.record.state == crate::ledger::State::Review;
        (waiting && due >= window.0 && due <= window.1).then(|| OwedRow {
            id,
            campaign_id,
            deliverable_id: self.deliverable_id,
            unit_id: self.unit_id,
            period: &self.period,
            due_date: &self.due_date,
            state: self.record.state.as_str(),
            effective_due_at: due,
        })
    }
}

/// The slot for row `id` in a table indexed by row id, grown as needed.
fn slot<T>(table: &mut Vec<T>, id: i64, empty: impl FnMut() -> T) -> &mut T {
    let index = usize::try_from(id).unwrap_or_default();
    if table.len() <= index {
        table.resize_with(index + 1, empty);
    }
    &mut table[index]
}

impl PlanMaps {
    /// Adds campaign `id`.
    pub(super) fn add_campaign(&mut self, id: i64, zone: Tz, row: CampaignRow) {
        let shared = CampaignShared {
            key: row.key.as_str().into(),
            zone,
            office: row.office.as_deref().map(Arc::from),
        };
        self.shared.insert(id, shared);
        self.campaigns.insert(id, row);
    }

    /// Adds unit `id` of campaign `campaign`, under `parent` and reviewed by `reviewer`, last
    /// interviewed at `interviewed`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn add_unit(
        &mut self,
        id: i64,
        campaign: i64,
        name: Arc<str>,
        email: Option<String>,
        contacts: Vec<Contact>,
        (parent, reviewer): (Option<String>, Option<String>),
        interviewed: Option<i64>,
    ) {
        *slot(&mut self.units, id, UnitShared::default) = UnitShared {
            name: name.clone(),
            parent,
            reviewer,
            interviewed,
        };
        self.unit_ids.insert((campaign, name.clone()), id);
        self.directory.add(campaign, name, email, contacts);
    }

    /// Adds deliverable `id`; `lists` are its recipients, supervisors, lead units and forms;
    /// `review` who reviews its submissions.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn add_deliverable(
        &mut self,
        id: i64,
        name: String,
        title: Option<String>,
        policy: Policy,
        lists: [Vec<String>; 4],
        thresholds: Vec<Threshold>,
        (review, asks): (Option<String>, Option<String>),
    ) {
        let acknowledge = asks
            .and_then(|a| serde_json::from_str::<super::Asks>(&a).ok())
            .and_then(|a| a.acknowledge);
        let [recipients, supervisors, lead, forms] = lists;
        *slot(&mut self.deliverables, id, || None) = Some(DeliverableShared {
            name: name.into(),
            title: title.map(Arc::from),
            policy: Arc::new(policy),
            to_parent: recipients.iter().any(|r| r == "@parent"),
            recipients,
            to: HashMap::new(),
            supervisors: supervisors.into(),
            lead: lead.into(),
            form: (!forms.is_empty()).then(|| forms.join("、").into()),
            thresholds,
            review,
            acknowledge,
        });
    }

    /// The candidate a submission waiting for its review makes (`row` with the review's
    /// deadline): owed by its reviewer — past the first level of a review in levels, the
    /// level's, `reviewing` — who is reminded and chased as a unit is; `None` when it names no
    /// reviewer the campaign has.
    pub(super) fn review_candidate(
        &mut self,
        row: &OwedRow<'_>,
        reviewing: Option<&str>,
        only: &[String],
    ) -> Result<Option<Candidate>, StoreError> {
        let index = |id: i64| usize::try_from(id).unwrap_or(usize::MAX);
        let review = self
            .deliverables
            .get(index(row.deliverable_id))
            .and_then(Option::as_ref)
            .and_then(|d| d.review.as_deref());
        let unit = self.units.get(index(row.unit_id));
        let reviewer = match review {
            _ if reviewing.is_some() => reviewing.map(str::to_string),
            Some("reviewer") => unit.and_then(|u| u.reviewer.clone()),
            Some(other) => other.strip_prefix("unit:").map(str::to_string),
            None => None,
        };
        let Some(reviewer_id) =
            reviewer.and_then(|r| self.unit_ids.get(&(row.campaign_id, r.as_str().into())))
        else {
            return Ok(None);
        };
        let reviewer_id = *reviewer_id;
        let Some(mut c) = self.candidate(row, only)? else {
            return Ok(None);
        };
        let Some(reviewer) = self.units.get(index(reviewer_id)) else {
            return Ok(None);
        };
        c.review_of = Some(std::mem::replace(&mut c.unit, reviewer.name.clone()));
        c.unit_order = reviewer_id;
        // A reviewer is chased, not asked to acknowledge.
        c.acknowledge = false;
        c.ack_within = None;
        // The review's deadline is its own day: no rest day moves it, and it was never stated
        // in another form.
        c.due_date = c.on_time_until;
        c.interviewed = false;
        Ok(Some(c))
    }

    /// The candidate a target's reported `value` makes when it falls short of the threshold of
    /// its date: chased by the overdue ladder as "below target".
    pub(super) fn below_candidate(
        &mut self,
        row: &OwedRow<'_>,
        value: Option<f64>,
        only: &[String],
    ) -> Result<Option<Candidate>, StoreError> {
        let Some(value) = value else { return Ok(None) };
        let index = usize::try_from(row.deliverable_id).unwrap_or(usize::MAX);
        let Some(threshold) = self
            .deliverables
            .get(index)
            .and_then(Option::as_ref)
            .and_then(|d| d.thresholds.iter().find(|t| t.period == row.period))
            .cloned()
        else {
            return Ok(None);
        };
        let short = if threshold.at_least {
            value < threshold.value - 1e-9
        } else {
            value > threshold.value + 1e-9
        };
        if !short {
            return Ok(None);
        }
        Ok(self.candidate(row, only)?.map(|mut c| {
            c.below = Some(Below { value, threshold });
            c
        }))
    }

    /// The candidate an owed obligation makes, unless its campaign is not among `only`.
    pub(super) fn candidate(
        &mut self,
        row: &OwedRow<'_>,
        only: &[String],
    ) -> Result<Option<Candidate>, StoreError> {
        let index = |id: i64| usize::try_from(id).unwrap_or(usize::MAX);
        let (Some(campaign), Some(deliverable), Some(unit)) = (
            self.shared.get(&row.campaign_id),
            self.deliverables
                .get_mut(index(row.deliverable_id))
                .and_then(Option::as_mut),
            self.units.get(index(row.unit_id)),
        ) else {
            return Ok(None);
        };
        if !only.is_empty() && !only.iter().any(|k| **k == *campaign.key) {
            return Ok(None);
        }
        let period = (!row.period.is_empty()).then(|| self.periods.get(row.period));
        let due_date = super::decode::day(row.due_date, 5)?;
        Ok(Some(Candidate {
            obligation_id: row.id,
            campaign_id: row.campaign_id,
            campaign: campaign.key.clone(),
            zone: campaign.zone,
            deliverable: deliverable.name.clone(),
            title: deliverable.title.clone(),
            unit: unit.name.clone(),
            unit_order: row.unit_id,
            period,
            due_date,
            on_time_until: crate::clock::from_unix(row.effective_due_at - 1)
                .with_timezone(&campaign.zone)
                .date_naive(),
            returned: row.state == "returned",
            policy: deliverable.policy.clone(),
            to: deliverable.to(&unit.parent),
            supervisors: deliverable.supervisors.clone(),
            lead: deliverable.lead.clone(),
            office: campaign.office.clone(),
            form: deliverable.form.clone(),
            below: None,
            interviewed: unit
                .interviewed
                .is_some_and(|at| at >= row.effective_due_at),
            review_of: None,
            acknowledge: deliverable.acknowledge.is_some(),
            ack_within: deliverable.acknowledge,
            told: None,
        }))
    }

    /// What a pass plans from, with `candidates` (and no notices written yet).
    pub(super) fn input(self, candidates: Vec<Candidate>) -> PlanInput {
        PlanInput {
            candidates,
            directory: self.directory,
            campaigns: self.campaigns,
            sent: Written::default(),
        }
    }
}

/// The policy of each deliverable of campaign `$1`, the campaign's where it has none.
pub(super) const DELIVERABLE_POLICIES: &str = "SELECT d.name, COALESCE(d.policy, c.policy)
     FROM deliverables d JOIN campaigns c ON c.id = d.campaign_id WHERE c.key = $1";
