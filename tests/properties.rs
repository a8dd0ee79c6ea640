//! Properties of date arithmetic: cadence expansion (bounds, one occurrence per period,
//! month-end clamping, leap years) and holiday shifting (a shifted date is a workday; make-up
//! Saturdays are workdays).

use chrono::{Datelike, Days, NaiveDate};
use proptest::prelude::*;

use duban::language::load_text;
use duban::schedule::{Calendar, Period, compile};

/// The (period, nominal due) of every occurrence of the one report in `campaign_text`.
fn occurrences(campaign_text: &str) -> Vec<(Period, NaiveDate)> {
    let loaded = load_text(
        "p.campaign",
        campaign_text,
        None,
        |_| Err(std::io::Error::other("").into()),
        &[],
    );
    let campaign = loaded
        .campaign
        .unwrap_or_else(|| panic!("{}\n{:#?}", campaign_text, loaded.diagnostics));
    let schedule = compile(&campaign, Calendar::official(), None).unwrap();
    schedule
        .entries
        .iter()
        .map(|e| (e.occurrence.period.clone().unwrap(), e.occurrence.nominal))
        .collect()
}

fn text(start: NaiveDate, end: NaiveDate, due: &str, extra: &str) -> String {
    format!(
        "campaign p {{\n  period {start} .. {end}\n}}\nunit a\nreport r {{\n  from a\n  due {due}\n{extra}}}\n"
    )
}

fn days_in_month(year: i32, month: u32) -> u32 {
    Period::Month { year, month }.last_day().unwrap().day()
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (2016i32..=2026, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn monthly_occurrences_stay_in_bounds_once_per_month_clamped(
        day in 1u32..=31,
        next in any::<bool>(),
        start in date(),
        months in 2u64..40,
    ) {
        let end = start.checked_add_days(Days::new(months * 30)).unwrap();
        let due = if next { format!("every month by day {day} of next month") } else { format!("every month by day {day}") };
        let found = occurrences(&text(start, end, &due, ""));
        prop_assert!(!found.is_empty());
        for (i, (period, nominal)) in found.iter().enumerate() {
            prop_assert!(start <= *nominal && *nominal <= end, "{nominal} outside {start}..{end}");
            if i > 0 {
                prop_assert_eq!(&found[i - 1].0.shift(1).unwrap(), period, "consecutive, one per month");
            }
            let due_month = period.shift(i64::from(next)).unwrap();
            let Period::Month { year, month } = due_month else { unreachable!() };
            prop_assert_eq!(nominal.month(), month);
            prop_assert_eq!(nominal.day(), day.min(days_in_month(year, month)));
        }
    }

    #[test]
    fn explicit_first_and_last_periods_bound_the_covered_periods(
        first in (2016i32..2024, 1u32..=12),
        count in 1i64..30,
        day in 1u32..=31,
    ) {
        let first = Period::Month { year: first.0, month: first.1 };
        let last = first.shift(count - 1).unwrap();
        let start = first.first_day().unwrap();
        let end = last.last_day().unwrap();
        let extra = format!("  covering previous month\n  first {first}\n  last {last}\n");
        let found = occurrences(&text(start, end, &format!("every month by day {day}"), &extra));
        prop_assert_eq!(found.len() as i64, count);
        prop_assert_eq!(&found[0].0, &first);
        prop_assert_eq!(&found[found.len() - 1].0, &last);
    }

    #[test]
    fn yearly_29_february_is_the_28th_in_common_years(year in 2000i32..2090) {
        let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap();
        let found = occurrences(&text(start, end, "every year by 02-29", ""));
        prop_assert_eq!(found.len(), 1);
        let leap = NaiveDate::from_ymd_opt(year, 2, 29).is_some();
        prop_assert_eq!(found[0].1.day(), if leap { 29 } else { 28 });
    }

    #[test]
    fn weekly_and_quarterly_occurrences_fall_on_their_day(start in date(), weekday in 0usize..7, day in 1u32..=92) {
        let end = start.checked_add_days(Days::new(400)).unwrap();
        let names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
        for (period, nominal) in occurrences(&text(start, end, &format!("every week by {}", names[weekday]), "")) {
            prop_assert_eq!(nominal.weekday().num_days_from_monday() as usize, weekday);
            prop_assert!(period.first_day().unwrap() <= nominal && nominal <= period.last_day().unwrap());
        }
        for (period, nominal) in occurrences(&text(start, end, &format!("every quarter by day {day}"), "")) {
            let first = period.first_day().unwrap();
            let expected = first.checked_add_days(Days::new(u64::from(day - 1))).unwrap().min(period.last_day().unwrap());
            prop_assert_eq!(nominal, expected);
        }
    }

    #[test]
    fn a_shifted_date_is_the_nearest_workday(date in date()) {
        let calendar = Calendar::official();
        let next = calendar.workday_on_or_after(date);
        let previous = calendar.workday_on_or_before(date);
        prop_assert!(calendar.is_workday(next) && calendar.is_workday(previous));
        prop_assert!(previous <= date && date <= next);
        for skipped in date.iter_days().take_while(|d| *d < next) {
            prop_assert!(!calendar.is_workday(skipped));
        }
        for skipped in previous.iter_days().skip(1).take_while(|d| *d <= date) {
            prop_assert!(!calendar.is_workday(skipped));
        }
    }

    #[test]
    fn counting_workdays_forward_and_back_returns_to_a_workday(date in date(), n in 0i64..40) {
        let calendar = Calendar::official();
        let start = calendar.workday_on_or_after(date);
        let there = calendar.add_workdays(start, n).unwrap();
        prop_assert!(calendar.is_workday(there));
        prop_assert_eq!(calendar.add_workdays(there, -n).unwrap(), start);
    }
}

#[test]
fn makeup_saturdays_are_workdays_and_stay_put() {
    let calendar = Calendar::official();
    let mut seen = 0;
    for year in 2016..=2026 {
        for (date, kind) in calendar.named_days(year) {
            if let duban::schedule::calendar::DayKind::MakeupWorkday(_) = kind {
                assert!(calendar.is_workday(date), "{date}");
                assert_eq!(calendar.workday_on_or_after(date), date);
                seen += 1;
            }
        }
    }
    assert!(seen > 40, "every year has make-up days ({seen})");
}
