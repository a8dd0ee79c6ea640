//! Which deadlines the planner must look at for a pass at an instant: a notice can be due for an
//! obligation only if its deadline is near enough. Ahead, the window ends at the last deadline
//! whose earliest reminder day has come (so it stretches over a holiday that moves reminders
//! earlier); behind, it reaches past the last rung of every ladder, plus holidays, plus the time
//! the daemon was stopped since its last pass, so a notice missed while it was down still goes.

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::plan::shift;
use crate::language::campaign::Policy;
use crate::schedule::Calendar;
use crate::vocabulary::{Duration, DurationUnit};

const DAY: i64 = 86_400;

/// The longest run of days a notice can be moved by holidays (Spring Festival and its weekends).
const HOLIDAYS: u64 = 12;

/// How far back a pass always looks for notices it has not written (days).
const MIN_CATCH_UP: u64 = 7;

/// How far back a pass looks after a long stop (days).
const MAX_CATCH_UP: u64 = 366;

/// A range of effective due instants (unix seconds, inclusive).
pub type Window = (i64, i64);

/// The deadlines a pass at `t` must consider, given the store's reminder `policies` and the
/// instant of the last pass that wrote to the outbox.
pub fn for_pass(
    policies: &[Policy],
    calendar: &Calendar,
    t: DateTime<Utc>,
    last_pass: Option<i64>,
) -> Window {
    // Campaigns keep their own zones: a day either side of the UTC date covers every local
    // "today" (in China, a morning pass is still yesterday in UTC).
    let today = t.date_naive();
    let latest_today = today + Days::new(1);
    let stopped = last_pass.map_or(0, |last| (t.timestamp() - last).max(0) / DAY);
    let catch_up = (stopped as u64 + 1).clamp(MIN_CATCH_UP, MAX_CATCH_UP);
    let first = today - Days::new(longest_ladder(policies) + HOLIDAYS + catch_up + 1);
    let last = with_default(policies)
        .flat_map(|p| &p.lead_times)
        .map(|lead| last_deadline_reminded(calendar, latest_today, lead))
        .max()
        .unwrap_or(latest_today);
    // The end of that day in any zone.
    (midnight(first), midnight(last + Days::new(2)))
}

/// The deadlines whose notices can fall between `from` and `to`, for a preview.
pub fn for_days(policies: &[Policy], from: NaiveDate, to: NaiveDate) -> Window {
    let first = from - Days::new(longest_ladder(policies) + HOLIDAYS + 1);
    let last = to + Days::new(longest_lead_days(policies) + HOLIDAYS + 2);
    (midnight(first), midnight(last))
}

/// How long before its deadline any notice can go out, holidays included (seconds).
pub fn longest_lead(policies: &[Policy]) -> i64 {
    (longest_lead_days(policies) + HOLIDAYS + 1) as i64 * DAY
}

fn longest_lead_days(policies: &[Policy]) -> u64 {
    with_default(policies)
        .flat_map(|p| p.lead_times.iter().map(days))
        .max()
        .unwrap_or(0)
}

/// The latest deadline whose reminder `lead` before it has gone out by the end of `today`:
/// reminders that would fall on a non-workday go out on the workday before.
fn last_deadline_reminded(calendar: &Calendar, today: NaiveDate, lead: &Duration) -> NaiveDate {
    let reminded = |due: NaiveDate| {
        shift(calendar, due, *lead, false)
            .is_some_and(|day| calendar.workday_on_or_before(day) <= today)
    };
    // The reminder day grows with the deadline: walk forward until it passes today.
    let mut due = today;
    for _ in 0..days(lead) + HOLIDAYS * 3 {
        let next = due + Days::new(1);
        if !reminded(next) {
            break;
        }
        due = next;
    }
    due
}

/// The longest ladder of any policy, in calendar days.
fn longest_ladder(policies: &[Policy]) -> u64 {
    with_default(policies)
        .flat_map(|p| p.ladder.iter().map(|r| days(&r.after)))
        .max()
        .unwrap_or(0)
}

/// The policies, and the default one that a campaign without its own reminder rules gets.
fn with_default(policies: &[Policy]) -> impl Iterator<Item = &Policy> {
    static DEFAULT: std::sync::LazyLock<Policy> = std::sync::LazyLock::new(Policy::default);
    policies.iter().chain([&*DEFAULT])
}

/// A duration in calendar days, at most.
fn days(d: &Duration) -> u64 {
    match d.normalized() {
        // A workday count can span a week-long holiday.
        (n, DurationUnit::Workdays) => n.unsigned_abs() * 2 + 10,
        (n, _) => n.unsigned_abs(),
    }
}

fn midnight(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar() -> &'static Calendar {
        Calendar::official()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn days_before(n: u32) -> Duration {
        Duration {
            count: n,
            unit: DurationUnit::Days,
        }
    }

    #[test]
    fn on_a_workday_the_window_ends_a_lead_time_ahead() {
        // Monday 23 June 2025: a reminder three days ahead covers deadlines up to Thursday.
        let day = last_deadline_reminded(calendar(), date("2025-06-23"), &days_before(3));
        assert_eq!(day, date("2025-06-26"));
    }

    #[test]
    fn before_a_holiday_the_window_stretches_over_it() {
        // National Day 2025 is 1–8 October, with Sunday 28 September worked. On Friday the
        // 26th, the reminder of the 30th (due on Saturday the 27th) has gone out too...
        let day = last_deadline_reminded(calendar(), date("2025-09-26"), &days_before(3));
        assert_eq!(day, date("2025-09-30"));
        // ...and on the 30th, those of every deadline through the holiday and three days after.
        let day = last_deadline_reminded(calendar(), date("2025-09-30"), &days_before(3));
        assert_eq!(day, date("2025-10-11"));
    }

    #[test]
    fn a_morning_pass_in_china_covers_the_deadlines_it_reminds_of() {
        // 07:30 in Beijing on Monday 23 June is still Sunday in UTC; a reminder three days
        // ahead that morning is for Thursday the 26th, which ends at 16:00 UTC.
        let t = "2025-06-22T23:30:00Z".parse().unwrap();
        let (start, end) = for_pass(&[Policy::default()], calendar(), t, None);
        let thursday_ends = "2025-06-26T16:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert!(start < t.timestamp() && thursday_ends.timestamp() <= end);
    }

    #[test]
    fn the_window_reaches_back_over_a_stop() {
        let policies = [Policy::default()];
        let t = "2025-06-23T01:00:00Z".parse().unwrap();
        let (usual, _) = for_pass(&policies, calendar(), t, None);
        let month_ago = t.timestamp() - 30 * DAY;
        let (after_stop, _) = for_pass(&policies, calendar(), t, Some(month_ago));
        assert!(usual - after_stop >= 23 * DAY, "{usual} {after_stop}");
    }
}
