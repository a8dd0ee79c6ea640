//! What bulletins and assessments read: a campaign's heading and rules, each obligation due in
//! a time with the facts its score depends on, and the interviews (约谈) held — the statements
//! both engines run (each in its own folder).

use chrono_tz::Tz;
use serde::Serialize;

use super::StoreError;
use crate::language::campaign::Policy;
use crate::language::scoring::Scoring;
use crate::ledger::Record;

/// A campaign as a document about it is headed, with its rules.
#[derive(Clone, Debug)]
pub struct CampaignHeader {
    /// Its row id.
    pub id: i64,
    /// Identifier.
    pub key: String,
    /// Title.
    pub title: String,
    /// 文号.
    pub doc: Option<String>,
    /// 发文单位.
    pub issuer: Option<String>,
    /// The office that runs it.
    pub office: Option<String>,
    /// Its time zone.
    pub zone: Tz,
    /// Its reminder policy (the overdue ladder, and which rung is an interview).
    pub policy: Policy,
    /// How timeliness is scored, if the campaign says.
    pub scoring: Option<Scoring>,
}

/// One obligation due in an assessed time, with what its score depends on.
#[derive(Clone, Debug)]
pub struct Assessed {
    /// The unit that owes it.
    pub unit: String,
    /// The deliverable.
    pub deliverable: String,
    /// Its period (`""` for a one-off).
    pub period: String,
    /// Its deadline as the campaign gives it.
    pub due_date: String,
    /// An extension's deadline, if granted.
    pub extended_until: Option<String>,
    /// Its record.
    pub record: Record,
    /// How many times it was returned (退回).
    pub returns: i64,
    /// Who reviews its submissions, where they are reviewed and the reviewer is known.
    pub reviewer: Option<String>,
}

/// A submission, or a review accepted, as a bulletin names it: who, what, when it was done and
/// when it was recorded.
#[derive(Clone, Debug, Serialize)]
pub struct Reported {
    /// The unit whose report it was.
    pub unit: String,
    /// The deliverable.
    pub deliverable: String,
    /// Its period (`""` for a one-off).
    pub period: String,
    /// `submitted` or `review_accepted`.
    pub kind: String,
    /// When it was done (unix seconds).
    pub at: i64,
    /// When it was recorded.
    pub recorded_at: i64,
    /// Who recorded it.
    pub by: Option<String>,
    /// A review accepted after its deadline.
    pub reviewed_late: bool,
    /// Who reviews the report, where it is reviewed.
    pub reviewer: Option<String>,
}

/// Who reviews a report, in SQL over `deliverables d`, the submitting `units u` and
/// `obligations o`: past the first level of a review in levels, the level's (`o.reviewing`);
/// else each unit's own reviewer, or the one unit the deliverable names. (A level's act names
/// its own reviewer in its data, which a reader prefers.)
const REVIEWER: &str = "coalesce(o.reviewing,
    CASE WHEN d.review = 'reviewer' THEN u.reviewer ELSE substr(d.review, 6) END)";

/// Submissions, accepted reviews, requests for more time and their answers, and
/// acknowledgements (签收) of campaign `$1` done in `$2 ..= $3` (unix seconds), in
/// the order they were done: unit, deliverable, period, kind, at, recorded_at, actor, data,
/// reviewer.
pub(super) static REPORTED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT u.name, d.name, o.period, e.kind, e.at, e.recorded_at, e.actor, e.data, {REVIEWER}
         FROM events e JOIN obligations o ON o.id = e.obligation_id
         JOIN units u ON u.id = o.unit_id JOIN deliverables d ON d.id = o.deliverable_id
         WHERE o.campaign_id = $1
           AND e.kind IN ('submitted', 'review_accepted', 'review_passed', 'extension_asked', 'extended',
                          'extension_declined', 'acknowledged')
           AND e.at BETWEEN $2 AND $3
         ORDER BY e.at, e.id"
    )
});

/// An obligation of a report that asks for 签收, whose unit was told of it (a notice to its
/// liaison, leader or mailbox went out): when first told, and when it acknowledged, if it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Told {
    /// The unit.
    pub unit: String,
    /// The deliverable.
    pub deliverable: String,
    /// The period (`""` for a one-off).
    pub period: String,
    /// What the report asks of its units (the `asks` column, JSON).
    pub asks: String,
    /// When the first notice to the unit went out (unix seconds).
    pub told_at: i64,
    /// When it acknowledged (unix seconds), if it did.
    pub acknowledged_at: Option<i64>,
    /// When the obligation was closed (sent, waived), if it was.
    pub closed_at: Option<i64>,
}

/// The obligations of campaign `$1` of reports that ask for 签收 whose unit was told of them by
/// `$2` (unix seconds): see [`Told`].
pub(super) const TOLD: &str = "SELECT u.name, d.name, o.period, d.asks, min(m.sent_at),
         (SELECT min(e.at) FROM events e WHERE e.obligation_id = o.id AND e.kind = 'acknowledged'),
         o.closed_at
     FROM notices n JOIN mails m ON m.id = n.mail_id
     JOIN obligations o ON o.id = n.obligation_id
     JOIN deliverables d ON d.id = o.deliverable_id
     JOIN units u ON u.id = o.unit_id
     WHERE o.campaign_id = $1 AND o.active AND d.asks LIKE '%\"acknowledge\"%'
       AND n.role IN ('liaison', 'leader', 'unit')
       AND m.sent_at IS NOT NULL AND m.sent_at <= $2
     GROUP BY o.id, u.name, d.name, o.period, d.asks, o.closed_at
     ORDER BY u.name, d.name, o.period";

impl Reported {
    /// Whether the event's data says the review was late.
    pub(super) fn late(data: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(data)
            .is_ok_and(|d| d["reviewed_late"].as_bool() == Some(true))
    }

    /// Who acted, as the event's data names its reviewer (a level of a review in levels
    /// names its own), else `reviewer` (whom the records name now).
    pub(super) fn reviewer_of(data: &str, reviewer: Option<String>) -> Option<String> {
        serde_json::from_str::<serde_json::Value>(data)
            .ok()
            .and_then(|d| d["reviewer"].as_str().map(String::from))
            .or(reviewer)
    }
}

/// An interview (约谈) to record.
#[derive(Clone, Debug)]
pub struct NewInterview<'a> {
    /// Campaign identifier.
    pub campaign: &'a str,
    /// The unit interviewed.
    pub unit: &'a str,
    /// When it took place (unix seconds).
    pub at: i64,
    /// When it was recorded.
    pub recorded_at: i64,
    /// Who held it.
    pub by: Option<String>,
    /// Why: the rung that proposed it, or the supervisor's own decision.
    pub reason: String,
    /// What was said.
    pub note: Option<String>,
}

/// An interview held.
#[derive(Clone, Debug, Serialize)]
pub struct Interview {
    /// The unit interviewed.
    pub unit: String,
    /// When (unix seconds).
    pub at: i64,
    /// Who held it.
    pub by: Option<String>,
    /// Why.
    pub reason: String,
    /// What was said.
    pub note: Option<String>,
}

/// Columns id, title, zone, office, policy, issuer, doc, scoring.
pub(super) const HEADER: &str =
    "SELECT id, title, zone, office, policy, issuer, doc, scoring FROM campaigns WHERE key = $1";

/// Obligations of campaign `$1` due (as the campaign gives it) in `$2 ..= $3`, by unit, with
/// the returns (退回) made by `$4`; the last column is the row's id.
pub(super) const ASSESSED: &str =
    "SELECT u.name, d.name, o.period, o.due_date, o.extended_until, o.state, o.submitted_at,
            o.closed_at, o.due_at, o.effective_due_at, d.soon_days,
            (SELECT count(*) FROM events e
             WHERE e.obligation_id = o.id AND e.kind = 'returned' AND e.at <= $4),
            o.id, o.review_due_at,
            coalesce(o.reviewing,
                CASE WHEN d.review = 'reviewer' THEN u.reviewer ELSE substr(d.review, 6) END)
     FROM obligations o JOIN units u ON u.id = o.unit_id
     JOIN deliverables d ON d.id = o.deliverable_id
     WHERE o.campaign_id = $1 AND o.active AND o.due_date BETWEEN $2 AND $3
     ORDER BY u.id, d.id, o.due_at, o.period";

impl Assessed {
    /// It as it stood at T, when something was done to it after T (`then`, from an overlay).
    pub(super) fn then(mut self, then: Option<&super::asof::Then>) -> Assessed {
        if let Some(then) = then {
            self.extended_until = then.extended_until.clone();
            self.record = then.record;
            // A review in levels: the reviewer deciding then, not now.
            if then.reviewing.is_some() {
                self.reviewer = then.reviewing.clone();
            }
        }
        self
    }
}

/// The unit of campaign `$1` named `$2`.
pub(super) const UNIT_ID: &str = "SELECT id FROM units WHERE campaign_id = $1 AND name = $2";

/// Columns unit, at, actor, reason, note of campaign `$1`'s interviews, in order.
pub(super) const INTERVIEWS: &str = "SELECT u.name, i.at, i.actor, i.reason, i.note
     FROM interviews i JOIN units u ON u.id = i.unit_id
     WHERE i.campaign_id = $1 ORDER BY i.at, i.id";

/// Inserts an interview: campaign, unit, at, recorded_at, actor, reason, note.
pub(super) const INSERT_INTERVIEW: &str =
    "INSERT INTO interviews (campaign_id, unit_id, at, recorded_at, actor, reason, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// The heading of a campaign from its columns, the JSON ones decoded.
#[allow(clippy::too_many_arguments)]
pub(super) fn header(
    key: &str,
    id: i64,
    title: Option<String>,
    zone: &str,
    office: Option<String>,
    policy: Option<String>,
    issuer: Option<String>,
    doc: Option<String>,
    scoring: Option<String>,
) -> Result<CampaignHeader, StoreError> {
    Ok(CampaignHeader {
        id,
        key: key.to_string(),
        title: title.unwrap_or_else(|| key.to_string()),
        doc,
        issuer,
        office,
        zone: super::decode::zone(zone)?,
        policy: match policy {
            Some(p) => super::decode::json(&p)?,
            None => Policy::default(),
        },
        scoring: scoring.as_deref().map(super::decode::json).transpose()?,
    })
}
