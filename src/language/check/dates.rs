//! Dates as written → calendar days: what a month, 月底 or 下旬 means as a deadline or as the start
//! or end of a window.

use super::*;

impl Checker<'_> {
    pub(super) fn date(&mut self, d: &Spanned<DateExpr>, used: DateUse) -> Option<NaiveDate> {
        let expr = &d.node;
        let Some(year) = expr.year.or(self.campaign_year) else {
            let year = self.year_hint.unwrap_or(2017);
            let example = match expr.day {
                DayPart::Day(day) => format!("{year}年{}月{day}日", expr.month),
                DayPart::WholeMonth => format!("{year}年{}月", expr.month),
                _ => format!("{year}年{}", self.text(d.span)),
            };
            self.error(Problem::YearlessDate, d.span).help = Some(format!(
                "write the full date, e.g. `{example}`, so that no reader has to guess"
            ));
            return None;
        };
        let month_first = NaiveDate::from_ymd_opt(year, expr.month, 1);
        let Some(first) = month_first else {
            self.error(
                Problem::InvalidDate {
                    text: self.text(d.span).to_string(),
                },
                d.span,
            );
            return None;
        };
        let last = last_day_of_month(first);
        let day = |n: u32| NaiveDate::from_ymd_opt(year, expr.month, n);
        let date = match (expr.day, used) {
            (DayPart::Day(n), _) => day(n),
            (DayPart::WholeMonth, DateUse::Start) => Some(first),
            (DayPart::WholeMonth, DateUse::End) => Some(last),
            (DayPart::WholeMonth, DateUse::Point) => {
                let text = self.text(d.span).to_string();
                self.error(
                    Problem::DateForm {
                        message: format!("{text} is a month, but a deadline needs a day"),
                    },
                    d.span,
                )
                .help = Some(format!(
                    "write `{year}年{}月底` or `end of {year}-{:02}` for its last day",
                    expr.month, expr.month
                ));
                return None;
            }
            (DayPart::End, _) => Some(last),
            (DayPart::Beginning, DateUse::Start) => Some(first),
            (DayPart::Beginning, _) => day(5),
            (DayPart::Middle, _) => day(15),
            (DayPart::Early, DateUse::Start) => Some(first),
            (DayPart::Early, _) => day(10),
            (DayPart::Mid, DateUse::Start) => day(11),
            (DayPart::Mid, _) => day(20),
            (DayPart::Late, DateUse::Start) => day(21),
            (DayPart::Late, _) => Some(last),
        };
        if date.is_none() {
            self.error(
                Problem::InvalidDate {
                    text: self.text(d.span).to_string(),
                },
                d.span,
            )
            .label = Some(format!("{year}-{:02} has {} days", expr.month, last.day()));
        }
        date
    }
}

pub(super) fn last_day_of_month(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn due_on(text: &str) -> NaiveDate {
        match only_deliverable(&format!("report r {{\n  from 甲\n  due {text}\n}}\n")).due {
            Due::Once(DateRule::Fixed(date)) => date,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn phase_window(text: &str) -> (NaiveDate, Option<NaiveDate>) {
        let c = campaign(&format!("phase p {text}\n"));
        (c.phases[0].start, c.phases[0].end)
    }

    #[test]
    fn parts_of_a_month_as_deadlines() {
        for (text, expected) in [
            ("2017年6月底前", date(2017, 6, 30)),
            ("2017年6月下旬", date(2017, 6, 30)),
            ("2017年6月中旬", date(2017, 6, 20)),
            ("2017年6月上旬", date(2017, 6, 10)),
            ("2017年7月初", date(2017, 7, 5)),
            ("2017年7月中", date(2017, 7, 15)),
            ("2017年2月底", date(2017, 2, 28)),
            ("2017年底", date(2017, 12, 31)),
        ] {
            assert_eq!(due_on(text), expected, "{text}");
        }
    }

    #[test]
    fn parts_of_a_month_as_the_edges_of_a_window() {
        assert_eq!(
            phase_window("2017年6月下旬 至 2017年7月上旬"),
            (date(2017, 6, 21), Some(date(2017, 7, 10)))
        );
        assert_eq!(
            phase_window("2017年6月初 至 2017年6月中旬"),
            (date(2017, 6, 1), Some(date(2017, 6, 20)))
        );
        assert_eq!(
            phase_window("2017-05 .. 2017-06"),
            (date(2017, 5, 1), Some(date(2017, 6, 30)))
        );
    }

    #[test]
    fn a_date_without_a_year_takes_the_campaigns_when_it_lies_in_one() {
        // The test campaign runs through 2017 only.
        assert_eq!(due_on("4月15日"), date(2017, 4, 15));
        assert_eq!(
            phase_window("5月"),
            (date(2017, 5, 1), Some(date(2017, 5, 31)))
        );
        assert_eq!(
            phase_window("2017年7月初至9月底"),
            (date(2017, 7, 1), Some(date(2017, 9, 30)))
        );
    }

    #[test]
    fn a_date_without_a_year_or_that_does_not_exist_is_an_error() {
        let over_two_years = "campaign t {\n  period 2017-04-01 .. 2018-03-31\n}\nunit 甲\n";
        let (_, diagnostics) = check_file(&format!(
            "{over_two_years}report r {{\n  from 甲\n  due 4月15日\n}}\n"
        ));
        let problems = lines(&diagnostics);
        assert_eq!(
            problems,
            [
                "error: this date has no year (help: write the full date, e.g. `2017年4月15日`, so that no reader has to guess)"
            ]
        );
        let problems = problems_of("2017-02-30");
        assert_eq!(problems, ["error: 2017-02-30 is not a date"]);
    }

    fn problems_of(due: &str) -> Vec<String> {
        problems(&format!("report r {{\n  from 甲\n  due {due}\n}}\n"))
    }
}
