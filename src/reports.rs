//! What reports are made of: the values of a bulletin (通报), an assessment's window, a month's
//! deadlines, a unit's calendar, targets and their findings — made by the application layer,
//! laid out by `documents` (which renders values to bytes and so must not depend on the layer
//! that makes them).

use chrono::NaiveDate;
use serde::Serialize;

use crate::clock::Instant;
pub use crate::language::scoring::Basis;
use crate::store::{StatusRow, WorkItem};

/// The counts of a bulletin's summary: the obligations of the campaign with a deadline in its
/// span, at the instant the bulletin counts at.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Units with a report due by then.
    pub units: usize,
    /// Reports due by then, or dealt with.
    pub due: usize,
    /// On time.
    pub on_time: usize,
    /// Late.
    pub late: usize,
    /// Awaiting review.
    pub under_review: usize,
    /// Waived.
    pub waived: usize,
    /// Overdue and not sent.
    pub overdue: usize,
}

impl Counts {
    /// Adds one status row's counts (the units are counted apart).
    pub fn add(&mut self, row: &StatusRow) {
        self.due += row.due;
        self.on_time += row.on_time;
        self.late += row.late;
        self.under_review += row.under_review;
        self.waived += row.waived;
        self.overdue += row.overdue;
    }

    /// On-time reports of those due (waived ones left out), in percent.
    pub fn on_time_rate(&self) -> Option<f64> {
        let judged = self.due - self.waived;
        (judged > 0).then(|| (self.on_time as f64 * 1000.0 / judged as f64).round() / 10.0)
    }
}

/// What a bulletin proposes interviews from: every report overdue past the interview rung at
/// the instant counted, whatever period it was due in (累计) — a lapse does not end with the
/// month it fell due in, and a month's reports are rarely past a rung of weeks by its end.
pub const INTERVIEW_BASIS: Basis = Basis::ToDate;

/// One unit's line of the ranking.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranked {
    /// Its place.
    pub rank: usize,
    /// The unit.
    pub unit: String,
    /// Its 本期 counts.
    #[serde(flatten)]
    pub counts: Counts,
    /// Its 累计 counts.
    pub to_date: Counts,
    /// Its on-time rate by the ranking's basis, in percent.
    pub on_time_rate: Option<f64>,
}

/// A report still missing at the instant counted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Missing {
    /// The unit.
    pub unit: String,
    /// The report.
    pub deliverable: String,
    /// Its period.
    pub period: Option<String>,
    /// Its deadline, as units were told it.
    pub due_date: String,
    /// Its last on-time day: `due_date`, or the workday a rest day moved it to.
    pub on_time_until: String,
    /// Days overdue, from `on_time_until`.
    pub days_overdue: i64,
    /// Whether it fell due in the window (本期) rather than before it.
    pub in_period: bool,
}

/// A unit the campaign's rule proposes to interview.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Proposal {
    /// The unit.
    pub unit: String,
    /// The lapses: reports overdue past the interview rung, `统计表 2017-04（逾期36天）`.
    pub lapses: Vec<String>,
}

/// A campaign's bulletin for a window.
#[derive(Clone, Debug, Serialize)]
pub struct Bulletin {
    /// Campaign identifier.
    pub campaign: String,
    /// Its title.
    pub title: String,
    /// 文号.
    pub doc: Option<String>,
    /// 发文单位.
    pub issuer: Option<String>,
    /// The office that runs it (the bulletin's author).
    pub office: Option<String>,
    /// The bulletin's own 文号 (发文字号, `宛纪办通〔2017〕5号`), as the office gives it.
    pub number: Option<String>,
    /// Whom it is addressed to (主送机关, `各县区纪委、市直各单位`), as the office gives it.
    pub to: Option<String>,
    /// The time covered.
    pub window: Window,
    /// The day the counts stand at (截至): the window's last day, or the day the bulletin was
    /// made when the window was not over by then.
    pub as_of: NaiveDate,
    /// Whether the window was over when the bulletin was made.
    pub complete: bool,
    /// The date of issue.
    pub issued: NaiveDate,
    /// 本期: the reports that fell due in the window.
    pub counts: Counts,
    /// 累计: the reports that fell due from the campaign's start to the window's end.
    pub to_date: Counts,
    /// The summary paragraph, in the style of such documents.
    pub summary: String,
    /// What the ranking is by.
    pub ranking_basis: Basis,
    /// Units by on-time rate, best first.
    pub ranking: Vec<Ranked>,
    /// Reports still missing at the instant counted (累计: this window's and earlier ones),
    /// longest overdue first.
    pub missing: Vec<Missing>,
    /// Targets below their threshold.
    pub below_target: Vec<TargetFinding>,
    /// Every target value reported by the instant counted, by date (for the progress chart).
    #[serde(skip)]
    pub targets: Vec<TargetFinding>,
    /// The campaign's interview rule (`逾期14天约谈`), if its ladder has one.
    pub interview_rule: Option<String>,
    /// What the proposals are made from.
    pub interview_basis: Basis,
    /// Units proposed for an interview by that rule.
    pub proposed: Vec<Proposal>,
    /// Interviews held in the window, by the instant counted.
    pub interviews: Vec<(String, String)>,
    /// Reports done in the window and recorded afterwards (补录), in the order they were done.
    pub backfilled: Vec<Backfill>,
    /// Reviews accepted late in the window, and those still waiting past their deadline at
    /// the instant counted: each its reviewer's lateness.
    pub late_reviews: Vec<LateReview>,
    /// Per unit, what it asked for and acknowledged in the window (申请延期, 签收), and how the
    /// office answered: an extension granted moves the deadline, so what came by it is on time.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<UnitRequests>,
    /// Notices not acknowledged (未签收) at the instant counted, of reports that ask for it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unacknowledged: Vec<Unacknowledged>,
    /// Leaders' instructions (批示) entered by the instant counted, each with its source and
    /// where it stands then.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub instructions: Vec<Instructed>,
    /// The ladder's letters (督办函 and its kin) issued in the window by the instant counted,
    /// in the order issued.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub letters: Vec<Issued>,
    /// How many reports (累计) were overdue at the end of each week of the window (and at the
    /// instant counted).
    pub trend: Vec<(NaiveDate, usize)>,
}

/// A report recorded afterwards (补录).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Backfill {
    /// The unit whose report it was.
    pub unit: String,
    /// The deliverable.
    pub deliverable: String,
    /// Its period, for a recurring deliverable.
    pub period: Option<String>,
    /// When it came (`2017-05-20 10:00`), in the campaign's zone: when it counts from.
    pub at: String,
    /// When it was recorded.
    pub recorded_at: String,
    /// Who recorded it.
    pub by: Option<String>,
}

/// A letter of the ladder as the bulletin lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issued {
    /// Its 文号 (`督办函〔2017〕3号`).
    pub number: String,
    /// The unit it went to.
    pub unit: String,
    /// What it is about: each report (and period) late.
    pub items: String,
    /// The day it was issued.
    pub day: String,
}

/// A leader's instruction (批示) as the bulletin lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Instructed {
    /// Who gave it.
    pub leader: String,
    /// What it says.
    pub text: String,
    /// What it was given on (the campaign, a unit, an obligation).
    pub about: String,
    /// The unit carrying it out.
    pub unit: String,
    /// Its deadline.
    pub due_date: String,
    /// Where it stands (办理中, 已办结 …).
    pub state: String,
}

/// A notice not acknowledged (未签收) by the time the report asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unacknowledged {
    /// The unit.
    pub unit: String,
    /// The deliverable.
    pub deliverable: String,
    /// Its period, for a recurring deliverable.
    pub period: Option<String>,
    /// When the unit was first told (`2017-05-20 09:00`, in the campaign's zone).
    pub told: String,
    /// By when it was to acknowledge, the same way.
    pub due: String,
}

/// What one unit asked for and acknowledged in a bulletin's window.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UnitRequests {
    /// The unit.
    pub unit: String,
    /// Requests for more time it made (申请延期).
    pub asked: usize,
    /// Extensions the office granted it (延期), asked for or not.
    pub granted: usize,
    /// Requests the office declined (不同意延期).
    pub declined: usize,
    /// Tasks it acknowledged (签收).
    pub acknowledged: usize,
}

/// A review that was late.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LateReview {
    /// Who reviews it (the late one), if known.
    pub reviewer: Option<String>,
    /// The unit whose report waited.
    pub unit: String,
    /// The deliverable.
    pub deliverable: String,
    /// Its period, for a recurring deliverable.
    pub period: Option<String>,
    /// When the review was due (`2023-07-17`), for one still waiting.
    pub review_due: Option<String>,
    /// When it was accepted (`2023-07-18 10:00`), for one accepted late.
    pub reviewed_at: Option<String>,
}

/// The days an assessment or a bulletin covers, both inclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
    /// As a heading names it: `2017年5月`, `2023年第二季度`, `2017年`.
    pub label: String,
}

impl Window {
    /// The days of `period` (a month, quarter, half-year or year).
    pub fn of(period: &crate::vocabulary::Period) -> Option<Window> {
        use crate::vocabulary::Period;
        let label = match *period {
            Period::Month { year, month } => format!("{year}年{month}月"),
            Period::Quarter { year, quarter } => {
                format!(
                    "{year}年第{}季度",
                    ["一", "二", "三", "四"][quarter as usize - 1]
                )
            }
            Period::HalfYear { year, half } => {
                format!("{year}年{}", if half == 1 { "上半年" } else { "下半年" })
            }
            Period::Year(year) => format!("{year}年"),
            _ => return None,
        };
        Some(Window {
            from: period.first_day()?,
            to: period.last_day()?,
            label,
        })
    }

    /// `from ..= to`, labelled with both dates.
    pub fn between(from: NaiveDate, to: NaiveDate) -> Window {
        Window {
            from,
            to,
            label: format!("{}至{}", chinese_date(from), chinese_date(to)),
        }
    }

    /// The instant the window closes: the end of its last day (local to each campaign).
    pub fn end(&self) -> Instant {
        Instant::Local(self.to.and_hms_opt(23, 59, 59).expect("a valid time"))
    }

    /// The instant a bulletin or an assessment of the window made at `made` counts at: the
    /// window's end, or `made` itself while the window is not over — never a time to come.
    pub fn counted_at(&self, made: Instant, zone: chrono_tz::Tz) -> Instant {
        Instant::Absolute(self.end().in_zone(zone).min(made.in_zone(zone)))
    }
}

/// `2017年5月31日`.
pub fn chinese_date(date: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// The deadlines of one day of a month: a deliverable, how many units owe it, how many of them
/// still do at `as_of`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// The day (as the campaign gives it).
    pub date: NaiveDate,
    /// The deliverable.
    pub deliverable: String,
    /// Units that owe it that day.
    pub units: usize,
    /// Of them, those that still owe it.
    pub open: usize,
}

/// Where one target obligation stands against its threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetState {
    /// The value reaches the threshold.
    Met,
    /// The value falls short of it.
    BelowTarget,
    /// The value is waiting for review (`under_review`, as an obligation's status says).
    #[serde(rename = "under_review")]
    AwaitingReview,
    /// Its date has passed and no value was reported.
    NotReported,
    /// Its date is still to come, and no value yet.
    Pending,
}

impl TargetState {
    /// `below target`.
    pub fn words(self) -> &'static str {
        match self {
            TargetState::Met => "met",
            TargetState::BelowTarget => "below target",
            TargetState::AwaitingReview => "awaiting review",
            TargetState::NotReported => "not reported",
            TargetState::Pending => "pending",
        }
    }
}

/// One target obligation and its value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetFinding {
    /// Campaign.
    pub campaign: String,
    /// The target.
    pub target: String,
    /// The unit that reports it.
    pub unit: String,
    /// The threshold's date (the obligation's period).
    pub period: String,
    /// The threshold, as people read it: `≥ 50%`.
    pub threshold: String,
    /// The value reported.
    pub value: Option<f64>,
    /// How far short of the threshold the value is (positive when short).
    pub gap: Option<f64>,
    /// Where it stands.
    pub state: TargetState,
}

/// A unit's obligations with the reminder policies of their deliverables, for its calendar.
pub struct UnitCalendar {
    /// Its obligations.
    pub items: Vec<WorkItem>,
    /// The policy of each (campaign, deliverable) among them.
    pub policies: std::collections::HashMap<(String, String), crate::language::campaign::Policy>,
    /// The zone of its first campaign, which a local `--as-of` is read in.
    pub zone: chrono_tz::Tz,
}
