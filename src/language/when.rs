//! The syntax tree's expressions of time: the windows of a campaign and its phases, dates as
//! documents write them (月初, 上旬, 年底), deadlines fixed, relative to an event or recurring,
//! and the bounds and periods of a cadence. `ast` re-exports them; the checker turns them into
//! dates on the calendar.

use super::ast::{Name, Span, Spanned};
use crate::vocabulary::{Duration, PeriodUnit};

/// A date window (of a phase or of the campaign).
#[derive(Clone, Debug)]
pub enum Window {
    /// The whole campaign (贯穿全过程).
    Throughout,
    /// Given by its end only; starts the day after the previous phase ends.
    Until(Spanned<DateExpr>),
    /// A start, and an end unless open.
    Span {
        /// The first day.
        start: WindowStart,
        /// The last day, if given.
        end: Option<Spanned<DateExpr>>,
        /// `from X` / `X起` with no end: runs to the end of the campaign.
        open: bool,
    },
}

/// Where a window starts.
#[derive(Clone, Debug)]
pub enum WindowStart {
    /// The day the campaign document was issued (即日起).
    Issue(Span),
    /// A date (a month means its first day).
    Date(Spanned<DateExpr>),
}

/// A calendar date as written, not yet validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateExpr {
    /// The year, if written (Chinese dates may omit it; the checker then asks for it).
    pub year: Option<i32>,
    /// 1-based month as written.
    pub month: u32,
    /// Which day(s) of the month.
    pub day: DayPart,
}

/// The day part of a [`DateExpr`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayPart {
    /// A day of the month as written.
    Day(u32),
    /// The whole month (`2017-05`, `2017年5月`).
    WholeMonth,
    /// 月底 / `end of`: the month's last day.
    End,
    /// 上旬: by the 10th.
    Early,
    /// 中旬: by the 20th.
    Mid,
    /// 下旬: by the last day.
    Late,
    /// 初 (月初): as a deadline by the 5th, as a start the 1st.
    Beginning,
    /// 中 (月中): the 15th.
    Middle,
}

impl DayPart {
    /// The day of the month a deadline written with this part falls on; `None` for the
    /// month's last day (底, 下旬) or a whole month.
    pub fn deadline_day(self) -> Option<u32> {
        match self {
            DayPart::Day(n) => Some(n),
            DayPart::Early => Some(10),
            DayPart::Mid => Some(20),
            DayPart::Beginning => Some(5),
            DayPart::Middle => Some(15),
            DayPart::End | DayPart::Late | DayPart::WholeMonth => None,
        }
    }
}

/// Which period a recurring report covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// The period it falls due in (or the one its due rule names).
    This,
    /// The period before.
    Previous,
}

/// What a `due` statement says.
#[derive(Clone, Debug)]
pub enum DueExpr {
    /// A date.
    Date(Spanned<DateExpr>),
    /// Relative to a phase, the campaign or another deadline.
    Relative(Relative),
    /// A recurring cadence.
    Cadence(Cadence),
    /// No final deadline (长期坚持).
    Ongoing,
    /// Several dates (分别于6月底和7月底前): one occurrence on each. A date after the first
    /// that omits its year takes the year of the one before.
    Dates(Vec<Spanned<DateExpr>>),
    /// A duty without a date (随时报告, 及时报送): never overdue.
    Standing,
}

/// A deadline relative to an anchor: `5d after start of 综合治理`.
#[derive(Clone, Debug)]
pub struct Relative {
    /// The event it counts from.
    pub anchor: Spanned<Anchor>,
    /// How far from it; none means the anchor's own day.
    pub offset: Option<Offset>,
}

/// An event a relative deadline counts from.
#[derive(Clone, Debug)]
pub enum Anchor {
    /// The first day of the target.
    Start(AnchorTarget),
    /// The last day of the target.
    End(AnchorTarget),
    /// The due date of another one-off deliverable.
    Due(Name),
    /// The day a notice arrives (收到通知后): a phase's start or a deliverable's deadline.
    Receipt(Name),
}

/// What an anchor's start or end belongs to.
#[derive(Clone, Debug)]
pub enum AnchorTarget {
    /// A named phase (or, for `到期`, a deliverable).
    Named(Name),
    /// The phase after the one a per-phase report covers (下阶段).
    NextPhase,
    /// The phase a per-phase report covers (本阶段).
    ThisPhase,
    /// The campaign period.
    Campaign,
}

/// `N days after` / `N个工作日前`.
#[derive(Clone, Copy, Debug)]
pub struct Offset {
    /// Signed by direction: after is positive.
    pub amount: Duration,
    /// Counting forward (after) or backward (before).
    pub after: bool,
}

/// `every month by day 25`
#[derive(Clone, Debug)]
pub struct Cadence {
    /// What it repeats over.
    pub unit: Spanned<PeriodUnit>,
    /// How many of those units one period spans (`每两周`: 2).
    pub step: Spanned<u32>,
    /// When occurrences fall due in each period: one or more (`每月5日和20日前`); none written
    /// means the end of the period.
    pub dues: Vec<Spanned<CadenceDue>>,
    /// `每周编发二期`: how many times a period, written instead of the days (the checker asks
    /// for the days).
    pub times: Option<Spanned<u32>>,
    /// The whole cadence.
    pub span: Span,
}

/// When an occurrence of a cadence falls due, relative to the period it is in.
#[derive(Clone, Debug)]
pub enum CadenceDue {
    /// Day N of the period (clamped to its last day).
    Day {
        /// Day number, 1-based.
        day: u32,
        /// Of the next period instead of this one (with the unit the text named).
        next: Option<Spanned<PeriodUnit>>,
    },
    /// The period's last day.
    End {
        /// Of the next period.
        next: Option<Spanned<PeriodUnit>>,
    },
    /// A month and day of the year (yearly cadences).
    MonthDay {
        /// Month.
        month: u32,
        /// Day, or a part of the month (`6月底`).
        day: DayPart,
        /// Of the next year.
        next: Option<Spanned<PeriodUnit>>,
    },
    /// A weekday (weekly cadences); 0 = Monday.
    Weekday {
        /// Days from Monday.
        weekday: u32,
        /// Of the next week.
        next: Option<Spanned<PeriodUnit>>,
    },
    /// Relative to this or the next phase (per-phase cadences).
    Relative(Relative),
    /// The period's last workday (每月最后一个工作日).
    LastWorkday {
        /// Of the next period.
        next: Option<Spanned<PeriodUnit>>,
    },
}

/// A first or last occurrence bound of a cadence.
#[derive(Clone, Debug)]
pub enum Bound {
    /// Occurrences due on or after / on or before this date.
    Date(DateExpr),
    /// Occurrences covering this period or later / earlier.
    Period(PeriodLit),
    /// Occurrences due on or after / before this event.
    Anchor(Anchor),
    /// No last occurrence: runs past the campaign.
    Ongoing,
}

/// A period written as a literal: `2017-05`, `2017-Q2`, `2017`, `2025-W23`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodLit {
    /// A month.
    Month(i32, u32),
    /// A quarter 1..=4.
    Quarter(i32, u32),
    /// A year.
    Year(i32),
    /// An ISO week.
    Week(i32, u32),
    /// A half-month: year, month, half (1 or 2).
    HalfMonth(i32, u32, u32),
    /// A half-year: year, half (1 or 2).
    HalfYear(i32, u32),
}
