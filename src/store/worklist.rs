//! What the people of the web pages work from: a unit's obligations in every campaign, and a
//! reviewing unit's queue — the statements both engines run.
//! Each row carries who may decide on it (the unit's reviewer, the deliverable's receivers), so
//! that the application layer checks a person's right against the records, not against the page.

use serde::Serialize;

use super::StoreError;
use crate::ledger::Record;

/// An obligation as a unit's page or a reviewer's queue shows it.
#[derive(Clone, Debug, Serialize)]
pub struct WorkItem {
    /// Its campaign's identifier.
    pub campaign: String,
    /// Its campaign's row id.
    #[serde(skip)]
    pub campaign_id: i64,
    /// The deliverable.
    pub deliverable: String,
    /// The owing unit.
    pub unit: String,
    /// Its period (`""` for a one-off).
    pub period: String,
    /// The deadline as the campaign gives it.
    pub due_date: String,
    /// An extension's deadline, if granted.
    pub extended_until: Option<String>,
    /// Its record.
    #[serde(skip)]
    pub record: Record,
    /// Who reviews it before it counts (the unit's 驻村组, or a unit the deliverable names),
    /// if its deliverable asks for review: in a review in levels, the level deciding now.
    pub reviewer: Option<String>,
    /// Every level's reviewer, in order, where it is reviewed in levels (`审核 乡镇纪委 然后
    /// 县纪委`): each sees it; empty for a single review.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub review_levels: Vec<String>,
    /// The units its deliverable is sent to (`@parent` read as the unit's parent).
    pub receivers: Vec<String>,
    /// The unit's parent.
    pub parent: Option<String>,
    /// Why it was last sent back (退回 or not accepted), if it was.
    pub reason: Option<String>,
    /// The roles that must sign a submission (村书记, 驻村领导 …).
    pub signers: Vec<String>,
    /// Its row in the store.
    #[serde(skip)]
    pub id: i64,
    /// Its campaign's zone, in which its days are counted.
    #[serde(skip)]
    pub zone: chrono_tz::Tz,
    /// How many times the office chased its unit for it (一键催办).
    pub chases: i64,
}

/// Columns of a [`WorkItem`], from `units u`, `deliverables d`, `obligations o`, `campaigns c`.
pub(super) const COLUMNS: &str = "c.key, c.id, d.name, u.name, o.period, o.due_date,
    o.extended_until, o.state, o.submitted_at, o.closed_at, o.due_at, o.effective_due_at,
    d.soon_days, CASE WHEN o.reviewing IS NOT NULL THEN 'unit:' || o.reviewing ELSE d.review END,
    u.reviewer, d.recipients, u.parent,
    (SELECT e.reason FROM events e WHERE e.obligation_id = o.id
        AND e.kind IN ('returned', 'review_returned') ORDER BY e.id DESC LIMIT 1),
    d.signers, o.id, c.zone, o.review_due_at,
    (SELECT count(*) FROM events e WHERE e.obligation_id = o.id AND e.kind = 'chased'),
    CASE WHEN d.review = 'reviewer' THEN u.reviewer ELSE substr(d.review, 6) END, d.review_then";

/// The joins every listing reads through; the obligations are reached by deliverable and unit,
/// the index both backends have.
pub(super) const FROM: &str = "FROM units u
    JOIN campaigns c ON c.id = u.campaign_id
    JOIN deliverables d ON d.campaign_id = u.campaign_id
    JOIN obligations o ON o.deliverable_id = d.id AND o.unit_id = u.id AND o.active";

/// Every obligation of the unit named `$1`, in any campaign (made once: every unit page runs it).
pub static UNIT_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {COLUMNS} {FROM} WHERE u.name = $1
         ORDER BY c.key, o.effective_due_at, d.id, o.period"
    )
});

/// A page of a campaign's obligations: those of campaign `$1` after row `$2`, in row order, at
/// most `$3` — read by key from the obligations' own index, so that the thousandth page of a
/// province's million costs what the first does.
pub static PAGE_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {COLUMNS} FROM obligations o
         JOIN units u ON u.id = o.unit_id
         JOIN campaigns c ON c.id = o.campaign_id
         JOIN deliverables d ON d.id = o.deliverable_id
         WHERE o.campaign_id = $1 AND o.active AND o.id > $2
         ORDER BY o.id LIMIT $3"
    )
});

/// The submissions awaiting the decision of the reviewing unit `$1`: under review for the
/// units it reviews; received, and not older than `$2` (unix seconds), by the deliverables it
/// is sent. `receives` is the backend's test that `d.recipients` (JSON) names `$1`, or names
/// `@parent` where the unit's parent is `$1`.
pub fn queue_sql(receives: &str) -> String {
    format!(
        "SELECT {COLUMNS} {FROM}
         WHERE (o.state = 'review'
                AND (o.reviewing = $1
                     OR o.reviewing IS NULL
                        AND ((d.review = 'reviewer' AND u.reviewer = $1) OR d.review = 'unit:' || $1)))
            OR (o.state IN ('review', 'received') AND o.submitted_at >= $2 AND ({receives}))
         ORDER BY o.submitted_at DESC, c.key, d.id, u.id
         LIMIT 500"
    )
}

/// The units whose parent is the unit named `$1`, in any campaign, in declaration order.
pub const SUB_UNITS: &str = "SELECT k.key, c.name FROM units p
    JOIN units c ON c.campaign_id = p.campaign_id AND c.parent = p.name
    JOIN campaigns k ON k.id = p.campaign_id
    WHERE p.name = $1 ORDER BY c.id";

/// How many days back a reviewer's queue shows what it received (and may still return).
pub const QUEUE_DAYS: i64 = 60;

impl WorkItem {
    /// A row whose receivers are the JSON list `recipients`, `@parent` read as `parent`, and
    /// whose reviewer is the deliverable's `review` (`reviewer`: the unit's own; `unit:NAME`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        campaign: (String, i64),
        deliverable: String,
        unit: String,
        period: String,
        due: (String, Option<String>),
        record: Record,
        review: Option<String>,
        reviewer: Option<String>,
        recipients: &str,
        parent: Option<String>,
        reason: Option<String>,
        signers: &str,
    ) -> Result<WorkItem, StoreError> {
        let listed: Vec<String> = super::decode::json(recipients)?;
        let signers = super::decode::json(signers)?;
        let receivers = listed
            .into_iter()
            .filter_map(|r| {
                if r == "@parent" {
                    parent.clone()
                } else {
                    Some(r)
                }
            })
            .collect();
        Ok(WorkItem {
            campaign: campaign.0,
            campaign_id: campaign.1,
            deliverable,
            unit,
            period,
            due_date: due.0,
            extended_until: due.1,
            record,
            reviewer: match review.as_deref() {
                Some("reviewer") => reviewer,
                Some(other) => other.strip_prefix("unit:").map(String::from),
                None => None,
            },
            receivers,
            parent,
            reason,
            signers,
            review_levels: Vec::new(),
            // Set by the engine's row reader, from the row's id, its campaign's zone and its
            // chases.
            id: 0,
            zone: chrono_tz::UTC,
            chases: 0,
        })
    }

    /// Its last on-time day — the deadline in force, or the workday a rest day moved it to
    /// (民法典 第二百零三条) — and the whole days from `at`'s day to it, in its campaign's
    /// zone: positive days left, negative days late.
    pub fn countdown(&self, at: i64) -> (chrono::NaiveDate, i64) {
        let day = |t: i64| {
            crate::clock::from_unix(t)
                .with_timezone(&self.zone)
                .date_naive()
        };
        let last = day(self.record.effective_due_at - 1);
        (last, (last - day(at)).num_days())
    }

    /// It with the levels of its review, where the deliverable has more than one: `first`
    /// (the first level's reviewer) and `then` (the later levels' names, JSON).
    pub(super) fn with_levels(
        mut self,
        first: Option<String>,
        then: Option<&str>,
    ) -> Result<WorkItem, StoreError> {
        if let Some(then) = then {
            let later: Vec<String> = super::decode::json(then)?;
            self.review_levels = first.into_iter().chain(later).collect();
        }
        Ok(self)
    }

    /// The deadline in force.
    pub fn deadline(&self) -> &str {
        self.extended_until.as_deref().unwrap_or(&self.due_date)
    }
}
