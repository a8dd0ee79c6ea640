//! The status of an obligation at an instant, derived from its record: not yet due, due soon,
//! overdue, submitted on time or late, under review (or its review overdue), returned, extended,
//! waived.

use std::fmt;

use serde::Serialize;

use super::State;

/// What an obligation looks like at an instant.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Past its (possibly extended) deadline and not submitted.
    Overdue,
    /// Returned (退回) and not yet due: to be submitted again.
    Returned,
    /// Inside the reminder window before its deadline.
    DueSoon,
    /// Extended (延期) and not yet due.
    Extended,
    /// Not yet due.
    NotYetDue,
    /// Submitted, waiting for its review past the review's deadline (审核逾期): the reviewer is
    /// late, not the unit, whose timeliness is judged by when it submitted.
    ReviewOverdue,
    /// Submitted, waiting for its review.
    UnderReview,
    /// Submitted after its deadline.
    SubmittedLate,
    /// Submitted on time.
    SubmittedOnTime,
    /// Excused (免报).
    Waived,
}

impl Status {
    /// Whether it waits for its reviewer (on time or not).
    pub fn is_in_review(self) -> bool {
        matches!(self, Status::UnderReview | Status::ReviewOverdue)
    }

    /// Whether the unit still owes it.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Overdue
                | Status::Returned
                | Status::DueSoon
                | Status::Extended
                | Status::NotYetDue
        )
    }

    /// 中文 label used in tables.
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Overdue => "逾期",
            Status::Returned => "退回",
            Status::DueSoon => "临期",
            Status::Extended => "延期",
            Status::NotYetDue => "未到期",
            Status::ReviewOverdue => "审核逾期",
            Status::UnderReview => "审核中",
            Status::SubmittedLate => "逾期报送",
            Status::SubmittedOnTime => "按时报送",
            Status::Waived => "免报",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Overdue => "overdue",
            Status::Returned => "returned",
            Status::DueSoon => "due soon",
            Status::Extended => "extended",
            Status::NotYetDue => "not yet due",
            Status::ReviewOverdue => "review overdue",
            Status::UnderReview => "under review",
            Status::SubmittedLate => "submitted late",
            Status::SubmittedOnTime => "submitted on time",
            Status::Waived => "waived",
        })
    }
}

/// The least time a reviewer has for a submission, in seconds: a day.
pub const REVIEW_GRACE: i64 = 86_400;

/// The record of an obligation, as far as its status depends on it.
#[derive(Clone, Copy, Debug)]
pub struct Record {
    /// Where the record stands.
    pub state: State,
    /// When the counting submission was made.
    pub submitted_at: Option<i64>,
    /// When it stopped being owed.
    pub closed_at: Option<i64>,
    /// The deadline as the campaign gives it.
    pub due_at: i64,
    /// The deadline after any extension.
    pub effective_due_at: i64,
    /// How long before the deadline "due soon" starts, in seconds.
    pub soon_seconds: i64,
    /// When the review of the submission is due, where the campaign gives the reviewer a time
    /// of their own (`审核时限`): fixed when the report came, on the calendar of that day.
    pub review_due: Option<i64>,
}

impl Record {
    /// When the review of a submission is due: the reviewer's own time where the campaign gives
    /// one (`审核时限`); else the deadline in force — the report must have passed its review by
    /// then — but never less than [`REVIEW_GRACE`] after it arrived, so that a report sent on
    /// the last evening, or late, does not make its reviewer late the moment it comes.
    pub fn review_due_at(&self) -> i64 {
        if let Some(due) = self.review_due {
            return due;
        }
        let arrived = self
            .submitted_at
            .map_or(i64::MIN, |s| s.saturating_add(REVIEW_GRACE));
        self.effective_due_at.max(arrived)
    }

    /// Whether a review accepted at `at` was late.
    pub fn reviewed_late(&self, at: i64) -> bool {
        self.state == State::Review && at >= self.review_due_at()
    }

    /// The status at `at` (unix seconds). A submission or waiver after `at` has not happened yet.
    pub fn status_at(&self, at: i64) -> Status {
        let closed_by_then = self.closed_at.is_some_and(|c| c <= at);
        if closed_by_then {
            match self.state {
                State::Waived => return Status::Waived,
                State::Review if at >= self.review_due_at() => return Status::ReviewOverdue,
                State::Review => return Status::UnderReview,
                State::Received => {
                    let on_time = self.submitted_at.is_some_and(|s| s < self.effective_due_at);
                    return if on_time {
                        Status::SubmittedOnTime
                    } else {
                        Status::SubmittedLate
                    };
                }
                _ => {}
            }
        }
        if at >= self.effective_due_at {
            Status::Overdue
        } else if self.state == State::Returned {
            Status::Returned
        } else if self.effective_due_at > self.due_at {
            Status::Extended
        } else if at >= self.effective_due_at - self.soon_seconds {
            Status::DueSoon
        } else {
            Status::NotYetDue
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn record(state: State) -> Record {
        Record {
            state,
            submitted_at: None,
            closed_at: None,
            due_at: 10 * DAY,
            effective_due_at: 10 * DAY,
            soon_seconds: 3 * DAY,
            review_due: None,
        }
    }

    #[test]
    fn an_open_obligation_moves_from_not_due_to_soon_to_overdue() {
        let r = record(State::Open);
        assert_eq!(r.status_at(0), Status::NotYetDue);
        assert_eq!(r.status_at(7 * DAY), Status::DueSoon);
        assert_eq!(r.status_at(10 * DAY - 1), Status::DueSoon);
        assert_eq!(
            r.status_at(10 * DAY),
            Status::Overdue,
            "overdue from the end of the due date"
        );
    }

    #[test]
    fn submissions_count_from_when_they_were_made() {
        let mut r = record(State::Received);
        r.submitted_at = Some(9 * DAY);
        r.closed_at = Some(9 * DAY);
        assert_eq!(
            r.status_at(8 * DAY),
            Status::DueSoon,
            "not yet submitted then"
        );
        assert_eq!(r.status_at(20 * DAY), Status::SubmittedOnTime);
        r.submitted_at = Some(11 * DAY);
        r.closed_at = Some(11 * DAY);
        assert_eq!(r.status_at(10 * DAY + 1), Status::Overdue);
        assert_eq!(r.status_at(20 * DAY), Status::SubmittedLate);
    }

    #[test]
    fn a_review_waiting_past_the_deadline_is_overdue_for_the_reviewer() {
        let mut r = record(State::Review);
        r.submitted_at = Some(7 * DAY);
        r.closed_at = Some(7 * DAY);
        assert_eq!(r.status_at(9 * DAY), Status::UnderReview);
        assert_eq!(r.status_at(10 * DAY), Status::ReviewOverdue);
        assert!(!r.status_at(10 * DAY).is_open(), "the unit owes nothing");
        assert!(r.reviewed_late(10 * DAY));
        assert!(!r.reviewed_late(9 * DAY));
        r.effective_due_at = 15 * DAY;
        assert_eq!(
            r.status_at(12 * DAY),
            Status::UnderReview,
            "an extension gives the reviewer the same time"
        );
    }

    #[test]
    fn extension_returned_and_waived() {
        let mut r = record(State::Open);
        r.effective_due_at = 15 * DAY;
        assert_eq!(r.status_at(11 * DAY), Status::Extended);
        assert_eq!(r.status_at(15 * DAY), Status::Overdue);
        let r = record(State::Returned);
        assert_eq!(r.status_at(DAY), Status::Returned);
        let mut r = record(State::Waived);
        r.closed_at = Some(5 * DAY);
        assert_eq!(r.status_at(6 * DAY), Status::Waived);
        assert_eq!(r.status_at(4 * DAY), Status::NotYetDue);
    }
}
