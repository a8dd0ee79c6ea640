//! Dates as written → calendar days: what a month, 月底 or 下旬 means as a deadline or as the start
//! or end of a window.

use super::*;

impl Checker<'_> {
    pub(super) fn date(&mut self, d: &Spanned<DateExpr>, used: DateUse) -> Option<NaiveDate> {
        let expr = &d.node;
        let Some(year) = expr.year else {
            let year = self.year_hint.unwrap_or(2017);
            let example = match expr.day {
                DayPart::Day(day) => format!("{year}年{}月{day}日", expr.month),
                _ => format!("{year}{}", self.text(d.span)),
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
