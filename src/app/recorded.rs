//! What a bulletin says of how its records were kept: the reports recorded afterwards (补录 —
//! they came on paper and were typed in later; they count from when they came, and the
//! bulletin says so), and the reviews that were late — accepted after their deadline in the
//! window, or still waiting past it at the instant counted. A late review is its reviewer's
//! lateness, named with the reviewer, never counted against the unit that sent the report.

use chrono::TimeZone;
use chrono_tz::Tz;

use super::AppError;
use crate::ledger::{Status, backfilled};
use crate::reports::{Backfill, LateReview, UnitRequests};
use crate::store::Backend;

/// An instant as a bulletin shows it, in `zone`.
pub(super) fn minute(zone: Tz, at: i64) -> String {
    zone.timestamp_opt(at, 0)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn period(p: String) -> Option<String> {
    (!p.is_empty()).then_some(p)
}

/// What a window's events say besides the counts.
pub(super) struct Notes {
    /// Reports recorded afterwards (补录).
    pub backfilled: Vec<Backfill>,
    /// Reviews that were late.
    pub late_reviews: Vec<LateReview>,
    /// Each unit's requests for more time, their answers, its acknowledgements.
    pub requests: Vec<UnitRequests>,
}

/// The reports of campaign `campaign_id` recorded afterwards, and its reviews accepted late,
/// among what was done in `from ..= to` (unix seconds); with the reviews still waiting past
/// their deadline at `to`, among the obligations due by `due_to` (a date), when `waiting` says
/// there are any (the status rows count them: most bulletins need not read every obligation
/// again to find none).
pub(super) fn notes(
    store: &dyn Backend,
    campaign_id: i64,
    zone: Tz,
    (from, to): (i64, i64),
    (due_to, waiting): (&str, bool),
) -> Result<Notes, AppError> {
    let mut backfills = Vec::new();
    let mut late = Vec::new();
    let mut requests: Vec<UnitRequests> = Vec::new();
    for r in store.reported(campaign_id, from, to)? {
        let counted = match r.kind.as_str() {
            "extension_asked" | "extended" | "extension_declined" | "acknowledged" => {
                let at = match requests.iter().position(|q| q.unit == r.unit) {
                    Some(at) => at,
                    None => {
                        requests.push(UnitRequests {
                            unit: r.unit.clone(),
                            ..UnitRequests::default()
                        });
                        requests.len() - 1
                    }
                };
                Some(&mut requests[at])
            }
            _ => None,
        };
        if let Some(q) = counted {
            match r.kind.as_str() {
                "extension_asked" => q.asked += 1,
                "extended" => q.granted += 1,
                "extension_declined" => q.declined += 1,
                _ => q.acknowledged += 1,
            }
            continue;
        }
        if r.kind == "submitted" && backfilled(r.at, r.recorded_at) {
            backfills.push(Backfill {
                unit: r.unit,
                deliverable: r.deliverable,
                period: period(r.period),
                at: minute(zone, r.at),
                recorded_at: minute(zone, r.recorded_at),
                by: r.by,
            });
        } else if matches!(r.kind.as_str(), "review_accepted" | "review_passed") && r.reviewed_late
        {
            late.push(LateReview {
                reviewer: r.reviewer,
                unit: r.unit,
                deliverable: r.deliverable,
                period: period(r.period),
                review_due: None,
                reviewed_at: Some(minute(zone, r.at)),
            });
        }
    }
    let assessed = if waiting {
        store.assessed(campaign_id, "0000-01-01", due_to, to)?
    } else {
        Vec::new()
    };
    for a in assessed {
        if a.record.status_at(to) == Status::ReviewOverdue {
            let due = a.record.review_due_at();
            late.push(LateReview {
                reviewer: a.reviewer,
                unit: a.unit,
                deliverable: a.deliverable,
                period: period(a.period),
                // The last day it was on time: the day before the instant it fell due.
                review_due: zone
                    .timestamp_opt(due - 1, 0)
                    .single()
                    .map(|t| t.date_naive().to_string()),
                reviewed_at: None,
            });
        }
    }
    requests.sort_by(|a, b| a.unit.cmp(&b.unit));
    Ok(Notes {
        backfilled: backfills,
        late_reviews: late,
        requests,
    })
}
