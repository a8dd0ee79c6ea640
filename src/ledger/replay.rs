//! An obligation's record as it stood at an instant, rebuilt from its history: the answer to
//! "where did this stand at T" when something was done to it after T. The record the store
//! keeps is the latest one; every answer at an earlier instant starts from the campaign's
//! deadline and replays the acts done up to T, in the order they were recorded.
//!
//! "Done up to T" is an act's business time (`at`): a report that came on paper and was
//! recorded later (补录) counts from when it came, not from when it was typed in.

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::{Record, State};
use crate::clock::to_unix;
use crate::schedule::obligation::end_of_day;

/// The kinds of event that change a record: what people do. (A sync's events — a moved
/// deadline, a removed or restored obligation — describe the schedule, which is the campaign
/// file's as it is now.) A chase changes nothing of the record but is an act all the same:
/// nothing may be dated before it, so that the history read as of any instant is a prefix of
/// what was recorded.
pub const ACTS: &[&str] = &[
    "submitted",
    "review_accepted",
    "review_returned",
    "returned",
    "extended",
    "waived",
    "updated",
    "chased",
    "extension_asked",
    "extension_declined",
    "acknowledged",
    "review_passed",
];

/// The SQL list of [`ACTS`], for `kind IN (…)`.
pub const ACTS_SQL: &str = "('submitted', 'review_accepted', 'review_returned', 'returned', \
                            'extended', 'waived', 'updated', 'chased', 'extension_asked', \
                            'extension_declined', 'acknowledged', 'review_passed')";

/// How much later than its time an act may be recorded and still not be a 补录 (a report
/// that came on paper, typed in afterwards).
pub const BACKFILL_MARGIN: i64 = 600;

/// Whether an act done at `at` and recorded at `recorded_at` was recorded afterwards (补录).
pub fn backfilled(at: i64, recorded_at: i64) -> bool {
    recorded_at - at > BACKFILL_MARGIN
}

/// One act of an obligation's history, as far as the record depends on it.
#[derive(Clone, Debug)]
pub struct Past<'a> {
    /// Its kind (one of [`ACTS`]; others are passed over).
    pub kind: &'a str,
    /// When it was done.
    pub at: i64,
    /// An extension's new deadline (`data.until`).
    pub until: Option<NaiveDate>,
    /// A submission's review deadline (`data.review_due_at`), where the reviewer has a time
    /// of their own.
    pub review_due: Option<i64>,
    /// Who decides from this act on, where it is one of a reviewed report: a submission's
    /// first reviewer (`data.reviewer`), a passed level's next (`data.next`).
    pub reviewer: Option<String>,
}

impl<'a> Past<'a> {
    /// The act of an event of `kind` done `at`, with what its `data` says the record needs.
    pub fn of(kind: &'a str, at: i64, data: &serde_json::Value) -> Past<'a> {
        Past {
            kind,
            at,
            until: data
                .get("until")
                .and_then(|u| u.as_str())
                .and_then(|u| u.parse().ok()),
            review_due: data.get("review_due_at").and_then(|d| d.as_i64()),
            reviewer: match kind {
                "submitted" => data.get("reviewer"),
                "review_passed" => data.get("next"),
                _ => None,
            }
            .and_then(|r| r.as_str())
            .map(String::from),
        }
    }

    /// As [`Past::of`], from the event's data as the store keeps it (JSON text).
    pub fn parse(kind: &'a str, at: i64, data: &str) -> Past<'a> {
        let data = serde_json::from_str(data).unwrap_or(serde_json::Value::Null);
        Past::of(kind, at, &data)
    }
}

/// What a record starts from: the campaign's deadline, before anyone did anything.
#[derive(Clone, Copy, Debug)]
pub struct Start {
    /// The deadline as the campaign gives it (end of its last on-time day).
    pub due_at: i64,
    /// How long before the deadline "due soon" starts, in seconds.
    pub soon_seconds: i64,
    /// Whether a submission waits for a reviewer.
    pub reviewed: bool,
    /// The campaign's zone, in which an extension's day ends.
    pub zone: Tz,
}

/// The record at `t`, and the extended deadline in force then: `history` replayed (in the
/// order it was recorded), each act counting only if it was done by `t`.
pub fn replay<'a>(
    start: Start,
    history: impl IntoIterator<Item = Past<'a>>,
    t: i64,
) -> (Record, Option<NaiveDate>) {
    let mut record = Record {
        state: State::Open,
        submitted_at: None,
        closed_at: None,
        due_at: start.due_at,
        effective_due_at: start.due_at,
        soon_seconds: start.soon_seconds,
        review_due: None,
    };
    let mut extended = None;
    for act in history.into_iter().filter(|p| p.at <= t) {
        match act.kind {
            "submitted" => {
                record.state = if start.reviewed {
                    State::Review
                } else {
                    State::Received
                };
                record.submitted_at = Some(act.at);
                record.closed_at = Some(act.at);
                record.review_due = act.review_due.filter(|_| start.reviewed);
            }
            "review_accepted" => record.state = State::Received,
            // A level passed it on: still under review, by the next level's time.
            "review_passed" => record.review_due = act.review_due,
            "review_returned" | "returned" => {
                record.state = State::Returned;
                record.closed_at = None;
            }
            "extended" => {
                if let Some(until) = act.until {
                    let end = to_unix(end_of_day(start.zone, until).to_utc());
                    // As a sync keeps it: an extension never moves a deadline earlier.
                    record.effective_due_at = end.max(start.due_at);
                    extended = Some(until);
                }
            }
            "waived" => {
                record.state = State::Waived;
                record.closed_at = Some(act.at);
            }
            _ => {}
        }
    }
    (record, extended)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Status;

    const DAY: i64 = 86_400;

    fn start(reviewed: bool) -> Start {
        Start {
            due_at: 10 * DAY,
            soon_seconds: 3 * DAY,
            reviewed,
            zone: chrono_tz::UTC,
        }
    }

    fn act(kind: &str, at: i64) -> Past<'_> {
        Past {
            kind,
            at,
            until: None,
            review_due: None,
            reviewer: None,
        }
    }

    #[test]
    fn acts_after_the_instant_have_not_happened_yet() {
        let history = [act("submitted", 5 * DAY), act("returned", 12 * DAY)];
        let (then, _) = replay(start(false), history.clone(), 11 * DAY);
        assert_eq!(then.status_at(11 * DAY), Status::SubmittedOnTime);
        let (now, _) = replay(start(false), history, 13 * DAY);
        assert_eq!(now.status_at(13 * DAY), Status::Overdue);
    }

    #[test]
    fn a_review_is_due_when_its_submission_said() {
        let data = serde_json::json!({ "review_due_at": 6 * DAY });
        let history = [Past::of("submitted", 5 * DAY, &data)];
        let (record, _) = replay(start(true), history.clone(), 7 * DAY);
        assert_eq!(record.review_due, Some(6 * DAY));
        assert_eq!(record.status_at(6 * DAY - 1), Status::UnderReview);
        // Before the report's own deadline (day 10), yet late: the reviewer's time is its own.
        assert_eq!(record.status_at(6 * DAY), Status::ReviewOverdue);
        // A report that needs no review keeps no review deadline.
        let (plain, _) = replay(start(false), history, 7 * DAY);
        assert_eq!(plain.review_due, None);
    }

    #[test]
    fn an_extension_counts_from_when_it_was_granted() {
        let until = NaiveDate::from_ymd_opt(1970, 1, 16).unwrap();
        let history = [Past {
            kind: "extended",
            at: 12 * DAY,
            until: Some(until),
            review_due: None,
            reviewer: None,
        }];
        let (before, none) = replay(start(false), history.clone(), 11 * DAY);
        assert_eq!(before.status_at(11 * DAY), Status::Overdue);
        assert_eq!(none, None);
        let (after, extended) = replay(start(false), history, 13 * DAY);
        assert_eq!(after.status_at(13 * DAY), Status::Extended);
        assert_eq!(extended, Some(until));
    }

    #[test]
    fn a_reviewed_submission_waits_then_counts_and_a_waiver_closes() {
        let history = [act("submitted", DAY), act("review_accepted", 2 * DAY)];
        let (r, _) = replay(start(true), history.clone(), DAY);
        assert_eq!(r.status_at(DAY), Status::UnderReview);
        let (r, _) = replay(start(true), history, 2 * DAY);
        assert_eq!(r.status_at(2 * DAY), Status::SubmittedOnTime);
        let (r, _) = replay(start(false), [act("waived", 4 * DAY)], 20 * DAY);
        assert_eq!(r.status_at(20 * DAY), Status::Waived);
    }

    #[test]
    fn a_passed_level_keeps_it_under_review_by_the_next_levels_time() {
        let passed = serde_json::json!({ "next": "县纪委", "review_due_at": 12 * DAY });
        let history = [
            act("submitted", DAY),
            Past::of("review_passed", 2 * DAY, &passed),
        ];
        assert_eq!(history[1].reviewer.as_deref(), Some("县纪委"));
        let (r, _) = replay(start(true), history.clone(), 11 * DAY);
        assert_eq!(r.status_at(11 * DAY), Status::UnderReview);
        assert_eq!(r.status_at(12 * DAY), Status::ReviewOverdue);
        let (r, _) = replay(start(true), history, DAY);
        assert_eq!(r.review_due, None, "not passed yet then");
    }

    #[test]
    fn a_record_typed_in_later_is_marked() {
        assert!(!backfilled(100, 100 + BACKFILL_MARGIN));
        assert!(backfilled(100, 101 + BACKFILL_MARGIN));
    }
}
