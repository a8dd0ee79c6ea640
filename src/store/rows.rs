//! A campaign's units and deliverables as the columns every backend stores them in: names for
//! references, JSON for lists, and the statements that write them. Worked out once here, so
//! that the backends differ only where their SQL does. (The statements number their parameters
//! `$1`, `$2`, … in order of first use, which SQLite reads as positions too.)

use serde::{Deserialize, Serialize};

use crate::language::campaign::{Campaign, Due, RecipientRef, ReviewRule, RowDue};
use crate::schedule::Schedule;

/// A ledger's rules, as its deliverable keeps them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LedgerRules {
    /// The units that keep its rows (a row's unit is one of them, or under one).
    pub keepers: Vec<String>,
    /// When a row must be closed out.
    pub close: RowDue,
    /// Its rows are a leader's instructions (`批示`), each closed by its 办结报告.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub instructions: bool,
}

/// A target's threshold at one of its dates, as a deliverable keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// The period of the obligation it is checked at (its date, `2023-06-30`).
    pub period: String,
    /// At least (true) or at most.
    pub at_least: bool,
    /// The number.
    pub value: f64,
    /// Its unit (`%`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// A unit's columns.
pub(super) struct UnitRow<'c> {
    pub name: &'c str,
    pub parent: Option<&'c str>,
    pub reviewer: Option<&'c str>,
    pub email: Option<&'c str>,
    pub phone: Option<&'c str>,
    pub contacts: String,
    /// Its code in the office's directory, where the campaign is bound to it.
    pub code: Option<&'c str>,
}

/// A deliverable's columns.
pub(super) struct DeliverableRow<'c> {
    pub name: &'c str,
    pub kind: Option<String>,
    pub recurring: bool,
    pub review: Option<String>,
    pub recipients: String,
    pub signers: String,
    pub forms: String,
    pub soon_days: i64,
    pub policy: Option<String>,
    pub title: Option<&'c str>,
    pub supervisors: String,
    pub lead: String,
    pub standing: Option<String>,
    pub form: Option<String>,
    pub thresholds: Option<String>,
    pub ledger: Option<String>,
    pub review_within: Option<String>,
    pub asks: Option<String>,
    /// The levels of review after the first, by unit name (JSON); none: one level.
    pub review_then: Option<String>,
}

/// The campaign's units, in declaration order.
pub(super) fn unit_rows(c: &Campaign) -> impl Iterator<Item = UnitRow<'_>> {
    c.units.iter().map(|unit| UnitRow {
        name: &unit.name,
        parent: unit.parent.map(|p| c.units[p].name.as_str()),
        reviewer: unit.reviewer.map(|r| c.units[r].name.as_str()),
        email: unit.email.as_deref(),
        phone: unit.phone.as_deref(),
        contacts: serde_json::to_string(&unit.contacts).unwrap_or_default(),
        code: unit.code.as_deref(),
    })
}

/// The thresholds of deliverable `index` (a target), from the schedule's occurrences of it.
fn thresholds(schedule: &Schedule<'_>, index: usize) -> Option<String> {
    let Due::Checkpoints(points) = &schedule.campaign.deliverables[index].due else {
        return None;
    };
    let list: Vec<Threshold> = schedule
        .entries
        .iter()
        .filter(|e| e.deliverable == index)
        .filter_map(|e| {
            let point = &points[e.occurrence.checkpoint?];
            Some(Threshold {
                period: e.occurrence.period.as_ref()?.to_string(),
                at_least: point.at_least,
                value: point.value.parse().ok()?,
                unit: point.unit.clone(),
            })
        })
        .collect();
    serde_json::to_string(&list).ok()
}

/// The campaign's deliverables, in declaration order.
pub(super) fn deliverable_rows<'c>(
    schedule: &'c Schedule<'c>,
) -> impl Iterator<Item = DeliverableRow<'c>> {
    let c: &'c Campaign = schedule.campaign;
    c.deliverables.iter().enumerate().map(move |(index, d)| {
        let kind = serde_json::to_value(d.kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from));
        let review = d.review.map(|r| match r {
            ReviewRule::ByUnit(u) => format!("unit:{}", c.units[u].name),
            ReviewRule::ByReviewer => "reviewer".to_string(),
        });
        let recipients: Vec<String> =
            d.to.iter()
                .map(|r| match r {
                    RecipientRef::Unit(u) => c.units[*u].name.clone(),
                    RecipientRef::Parent => "@parent".to_string(),
                })
                .collect();
        let soon_days = c
            .policy_for(index)
            .lead_times
            .iter()
            .map(|d| d.normalized().0)
            .max()
            .unwrap_or(0);
        let names = |ids: &[usize]| -> String {
            let names: Vec<&str> = ids.iter().map(|u| c.units[*u].name.as_str()).collect();
            serde_json::to_string(&names).unwrap_or_default()
        };
        let item = d.item.map(|i| &c.items[i]);
        let supervisors = match item {
            Some(item) if !item.supervisors.is_empty() => names(&item.supervisors),
            _ => names(&c.supervisors),
        };
        DeliverableRow {
            name: &d.name,
            kind,
            // A part passed down by choice has the periods of the report it is part of.
            recurring: match d.due {
                Due::Passed => c
                    .deliverables
                    .iter()
                    .find(|w| crate::language::campaign::part_of(&w.name) == d.name)
                    .is_none_or(|w| !matches!(w.due, Due::Once(_))),
                _ => !matches!(d.due, Due::Once(_)),
            },
            review,
            recipients: serde_json::to_string(&recipients).unwrap_or_default(),
            signers: serde_json::to_string(&d.signers).unwrap_or_default(),
            forms: serde_json::to_string(&d.forms).unwrap_or_default(),
            soon_days,
            policy: d
                .policy
                .as_ref()
                .and_then(|p| serde_json::to_string(p).ok()),
            title: d.title.as_deref(),
            supervisors,
            lead: item.map(|i| names(&i.lead)).unwrap_or_else(|| "[]".into()),
            standing: matches!(d.due, Due::Standing).then(|| names(&d.from)),
            form: d.form.as_ref().and_then(|f| serde_json::to_string(f).ok()),
            thresholds: thresholds(schedule, index),
            ledger: match d.due {
                Due::Rows(close) => serde_json::to_string(&LedgerRules {
                    keepers: d.from.iter().map(|u| c.units[*u].name.clone()).collect(),
                    close,
                    instructions: d.instructions,
                })
                .ok(),
                _ => None,
            },
            review_then: (!d.review_then.is_empty() && d.review.is_some())
                .then(|| names(&d.review_then)),
            review_within: d
                .review_within
                .filter(|_| d.review.is_some())
                .and_then(|w| serde_json::to_string(&w).ok()),
            asks: (d.extensions.is_some()
                || d.acknowledge.is_some()
                || matches!(d.due, Due::Passed))
            .then(|| {
                serde_json::to_string(&super::contents::Asks {
                    extensions: d.extensions,
                    acknowledge: d.acknowledge,
                    approver: d.extension_approver.map(|u| c.units[u].name.clone()),
                    passed: matches!(d.due, Due::Passed),
                })
                .ok()
            })
            .flatten(),
        }
    })
}

/// Inserts or updates a unit: campaign, name, parent, reviewer, email, phone, contacts.
/// (PostgreSQL writes all of a campaign's units in one statement instead.)
pub(super) const UPSERT_UNIT: &str =
    "INSERT INTO units (campaign_id, name, parent, reviewer, email, phone, contacts, code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (campaign_id, name) DO UPDATE SET parent = excluded.parent,
         reviewer = excluded.reviewer, email = excluded.email, phone = excluded.phone,
         contacts = excluded.contacts, code = excluded.code
     RETURNING id";

/// Inserts or updates a deliverable: campaign, then the columns of [`DeliverableRow`] in order.
pub(super) const UPSERT_DELIVERABLE: &str =
    "INSERT INTO deliverables (campaign_id, name, kind, recurring, review, recipients, signers, forms, soon_days,
                               policy, title, supervisors, lead, standing, form, thresholds, ledger,
                               review_within, asks, review_then)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
             $20)
     ON CONFLICT (campaign_id, name) DO UPDATE SET kind = excluded.kind,
         recurring = excluded.recurring, review = excluded.review,
         recipients = excluded.recipients, signers = excluded.signers, forms = excluded.forms,
         soon_days = excluded.soon_days, policy = excluded.policy, title = excluded.title,
         supervisors = excluded.supervisors, lead = excluded.lead, standing = excluded.standing,
         form = excluded.form, thresholds = excluded.thresholds, ledger = excluded.ledger,
         review_within = excluded.review_within, asks = excluded.asks,
         review_then = excluded.review_then
     RETURNING id";

/// Inserts or updates a campaign: key, title, zone, source, contacts source, fingerprint,
/// horizon year, office, policy, synced at, issuer, doc, templates, stat, groups, scoring,
/// and the directory unit it is bound to (its code).
pub(super) const UPSERT_CAMPAIGN: &str =
    "INSERT INTO campaigns (key, title, zone, source, contacts_source, fingerprint, horizon_year, office, policy,
                            synced_at, issuer, doc, templates, stat, groups, scoring, directory)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (key) DO UPDATE SET title = excluded.title, zone = excluded.zone,
         source = excluded.source, contacts_source = excluded.contacts_source,
         fingerprint = excluded.fingerprint, horizon_year = excluded.horizon_year,
         office = excluded.office, policy = excluded.policy, synced_at = excluded.synced_at,
         issuer = excluded.issuer, doc = excluded.doc, templates = excluded.templates,
         stat = excluded.stat, groups = excluded.groups, scoring = excluded.scoring,
         directory = excluded.directory
     RETURNING id";

/// How the campaign scores timeliness, as JSON, if it says.
pub(super) fn scoring(c: &Campaign) -> Option<String> {
    c.scoring
        .as_ref()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
}

/// The campaign's groups with their members, as JSON: `[["县区", ["宛城区", …]], …]`.
pub(super) fn groups(c: &Campaign) -> String {
    let groups: Vec<(&str, Vec<&str>)> = c
        .groups
        .iter()
        .map(|g| {
            let members = g
                .members
                .iter()
                .map(|u| c.units[*u].name.as_str())
                .collect();
            (g.name.as_str(), members)
        })
        .collect();
    serde_json::to_string(&groups).unwrap_or_default()
}

/// A campaign's units as stored: name, row id, then the columns of [`UnitRow`] but the name.
pub(super) const STORED_UNITS: &str = "SELECT name, id, parent, reviewer, email, phone, contacts, code FROM units WHERE campaign_id = $1";

/// A unit as stored: its row id and columns.
pub(super) type StoredUnit = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
);

impl UnitRow<'_> {
    /// Whether `stored` holds exactly this row: a sync writes only the units that changed, so
    /// that an edit of one deadline of a national campaign does not rewrite 35,715 units.
    pub fn stored_as(&self, stored: &StoredUnit) -> bool {
        let (_, parent, reviewer, email, phone, contacts, code) = stored;
        parent.as_deref() == self.parent
            && reviewer.as_deref() == self.reviewer
            && email.as_deref() == self.email
            && phone.as_deref() == self.phone
            && *contacts == self.contacts
            && code.as_deref() == self.code
    }
}
