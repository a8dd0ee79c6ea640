//! Questions staff ask of the store, each at an instant: what is overdue, what falls due soon,
//! how each unit stands (三色管理), and what happened to one obligation.

use std::collections::HashMap;
use std::sync::Arc;

use chrono_tz::Tz;
use serde::Serialize;

use crate::language::campaign::Contact;
use crate::ledger::{Record, Status};

/// How far ahead `due_within` looks.
#[derive(Clone, Copy, Debug)]
pub enum Window {
    /// Through the end of the N-th local day after the as-of day (so `3` on the 23rd covers
    /// deadlines on the 23rd to the 26th).
    Days(i64),
    /// N seconds after the as-of instant.
    Seconds(i64),
}

impl Window {
    /// How many seconds after `t` (on `today`, in `zone`) the window ends.
    pub(super) fn seconds_after(self, t: i64, today: chrono::NaiveDate, zone: Tz) -> i64 {
        match self {
            Window::Seconds(s) => s,
            Window::Days(n) => {
                let last = today
                    .checked_add_days(chrono::Days::new(n.max(0) as u64))
                    .unwrap_or(chrono::NaiveDate::MAX);
                crate::schedule::obligation::end_of_day(zone, last).timestamp() - t
            }
        }
    }
}

/// Which campaigns, units and deliverables a query covers (empty: all).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Campaign identifiers.
    pub campaigns: Vec<String>,
    /// Unit names.
    pub units: Vec<String>,
    /// Deliverable names.
    pub deliverables: Vec<String>,
    /// Only obligations whose deadline, as the campaign gives it (before any extension), falls
    /// on or after this day: a bulletin's window, in which a report falls due.
    pub due_from: Option<chrono::NaiveDate>,
    /// … and on or before this day.
    pub due_to: Option<chrono::NaiveDate>,
}

/// An overdue obligation.
#[derive(Clone, Debug, Serialize)]
///
/// Names, dates and contacts are shared between the rows that repeat them: a listing of a
/// hundred thousand rows allocates per unit and per deadline, not per row.
pub struct OverdueRow {
    /// Campaign identifier.
    pub campaign: Arc<str>,
    /// Deliverable name.
    pub deliverable: Arc<str>,
    /// Unit name.
    pub unit: Arc<str>,
    /// Period, or null for a one-off.
    pub period: Option<Arc<str>>,
    /// The due date in force (after any extension), as units were told it.
    pub due_date: Arc<str>,
    /// The instant it became late: the end of its last on-time day (RFC 3339, campaign zone).
    pub due_at: Arc<str>,
    /// Its last on-time day: `due_date`, or the first workday after it when a rest day moved
    /// the deadline (民法典 第二百零三条). Days overdue count from here.
    pub on_time_until: Arc<str>,
    /// Whole days since its last on-time day, counted in the campaign's zone.
    pub days_overdue: i64,
    /// `overdue`, or `returned` when a submission was sent back.
    pub status: &'static str,
    /// The unit's mailbox.
    pub email: Option<Arc<str>>,
    /// The unit's phone.
    pub phone: Option<Arc<str>>,
    /// The unit's contact people.
    pub contacts: Arc<[Contact]>,
}

/// An obligation falling due soon.
#[derive(Clone, Debug, Serialize)]
pub struct DueRow {
    /// Campaign identifier.
    pub campaign: Arc<str>,
    /// Deliverable name.
    pub deliverable: Arc<str>,
    /// Unit name.
    pub unit: Arc<str>,
    /// Period, or null for a one-off.
    pub period: Option<Arc<str>>,
    /// The due date in force, as units were told it.
    pub due_date: Arc<str>,
    /// The instant it becomes late: the end of its last on-time day (RFC 3339, campaign zone).
    pub due_at: Arc<str>,
    /// Its last on-time day: `due_date`, or the first workday after it when a rest day moved
    /// the deadline (民法典 第二百零三条).
    pub on_time_until: Arc<str>,
    /// Whole days left to `due_date`, counted in the campaign's zone (0: due today).
    pub days_left: i64,
    /// Its status (due soon, extended, returned, not yet due): `due_soon` … in JSON.
    pub status: Status,
}

/// How one unit stands with one deliverable.
#[derive(Clone, Debug, Serialize)]
pub struct StatusRow {
    /// Campaign identifier.
    pub campaign: String,
    /// Unit name.
    pub unit: String,
    /// Deliverable name.
    pub deliverable: String,
    /// Obligations whose deadline has passed, or that were dealt with.
    pub due: usize,
    /// Submitted on time.
    pub on_time: usize,
    /// Submitted late.
    pub late: usize,
    /// Waiting for review (past the review's deadline or not).
    pub under_review: usize,
    /// Of those, waiting past the review's deadline (`review_overdue`): the reviewer's lateness.
    pub review_overdue: usize,
    /// Waived.
    pub waived: usize,
    /// Overdue now.
    pub overdue: usize,
    /// Due within the reminder window.
    pub due_soon: usize,
    /// Still to come.
    pub upcoming: usize,
    /// Values reported below a target's threshold (or above an upper one).
    pub below_target: usize,
    /// The worst light of its obligations as the unit's ([`Light::of_unit`]): red overdue (or
    /// below target), yellow needing attention, green done on time or waiting for review (its
    /// reviewer late or not), grey nothing to judge yet.
    pub light: Light,
    /// Who reviews the unit's submissions of it, where they are reviewed: the one a
    /// `review_overdue` is late against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
}

/// 三色管理, one meaning everywhere: each status has its colour ([`Light::of`]), and a row of
/// several obligations shows the worst of theirs (red before yellow before green before grey).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    /// Overdue (or a value below its target).
    Red,
    /// Needs attention: due soon, returned (退回), extended (延期), or sent late.
    Yellow,
    /// Done on time, or sent and waiting for its review.
    Green,
    /// Nothing to judge yet: not yet due, or waived (免报).
    Grey,
}

impl Light {
    /// The colour of one status.
    pub fn of(status: Status) -> Light {
        match status {
            Status::Overdue | Status::ReviewOverdue => Light::Red,
            Status::DueSoon | Status::Returned | Status::Extended | Status::SubmittedLate => {
                Light::Yellow
            }
            Status::SubmittedOnTime | Status::UnderReview => Light::Green,
            Status::NotYetDue | Status::Waived => Light::Grey,
        }
    }

    /// The colour of one status on the unit's side (a `status` row, the board, which judge
    /// units): a review overdue is its reviewer's lateness, so the unit shows what it did —
    /// sent, waiting for review.
    pub fn of_unit(status: Status) -> Light {
        match status {
            Status::ReviewOverdue => Light::of(Status::UnderReview),
            other => Light::of(other),
        }
    }
}

/// An event in an obligation's history.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryEvent {
    /// What happened.
    pub kind: String,
    /// When it happened (RFC 3339 in the campaign's zone).
    pub at: String,
    /// When it was recorded.
    pub recorded_at: String,
    /// Recorded afterwards (补录: a report that came on paper, typed in later), by more than
    /// [`crate::ledger::BACKFILL_MARGIN`] seconds.
    pub backfilled: bool,
    /// Who did it.
    pub by: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// Details (signatures, the new deadline …).
    pub data: serde_json::Value,
    /// Files kept with it.
    pub files: Vec<HistoryFile>,
    /// The values of its form's fields (a submission's).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<crate::values::FieldValue>,
}

/// A file kept with a submission.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryFile {
    /// Its name when submitted.
    pub name: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size in bytes.
    pub size: i64,
}

/// A duty without a date (随时报告): listed, never overdue.
#[derive(Clone, Debug, Serialize)]
pub struct StandingDuty {
    /// Campaign identifier.
    pub campaign: String,
    /// Deliverable name.
    pub deliverable: String,
    /// Its title, if the campaign gives one.
    pub title: Option<String>,
    /// The units that owe it.
    pub units: Vec<String>,
}

/// A duty without a date, if `filter` wants it and any of its `units`.
pub(super) fn standing(
    filter: &Filter,
    campaign: &str,
    deliverable: String,
    title: Option<String>,
    units: Vec<String>,
) -> Option<StandingDuty> {
    let units: Vec<String> = units
        .into_iter()
        .filter(|u| filter.units.is_empty() || filter.units.contains(u))
        .collect();
    let wanted = filter.deliverables.is_empty() || filter.deliverables.contains(&deliverable);
    (wanted && !units.is_empty()).then(|| StandingDuty {
        campaign: campaign.to_string(),
        deliverable,
        title,
        units,
    })
}

/// Status rows of one campaign, counted from its obligations one at a time.
pub(super) struct Tally<'o> {
    out: &'o mut Vec<StatusRow>,
    campaign: &'o str,
    index: HashMap<(String, String), usize>,
}

impl<'o> Tally<'o> {
    /// Counts into `out`, for `campaign`.
    pub(super) fn new(out: &'o mut Vec<StatusRow>, campaign: &'o str) -> Tally<'o> {
        Tally {
            out,
            campaign,
            index: HashMap::new(),
        }
    }

    /// Counts one obligation of `unit` and `deliverable` (reviewed by `reviewer`), as it
    /// stands at `t`.
    pub(super) fn add(
        &mut self,
        (unit, deliverable): (String, String),
        reviewer: Option<String>,
        record: &Record,
        t: i64,
    ) {
        let out = &mut *self.out;
        let at = *self
            .index
            .entry((unit.clone(), deliverable.clone()))
            .or_insert_with(|| {
                out.push(StatusRow {
                    campaign: self.campaign.to_string(),
                    unit,
                    deliverable,
                    due: 0,
                    on_time: 0,
                    late: 0,
                    under_review: 0,
                    review_overdue: 0,
                    waived: 0,
                    overdue: 0,
                    due_soon: 0,
                    upcoming: 0,
                    below_target: 0,
                    light: Light::Grey,
                    reviewer,
                });
                out.len() - 1
            });
        let row = &mut out[at];
        let status = record.status_at(t);
        match status {
            Status::SubmittedOnTime => row.on_time += 1,
            Status::SubmittedLate => row.late += 1,
            Status::UnderReview => row.under_review += 1,
            Status::ReviewOverdue => {
                row.under_review += 1;
                row.review_overdue += 1;
            }
            Status::Waived => row.waived += 1,
            Status::Overdue => row.overdue += 1,
            Status::DueSoon => row.due_soon += 1,
            Status::NotYetDue | Status::Extended | Status::Returned => row.upcoming += 1,
        }
        if !status.is_open() || status == Status::Overdue {
            row.due += 1;
        }
        row.light = row.light.min(Light::of_unit(status));
    }
}
