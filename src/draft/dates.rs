//! Dates as the drafter writes them: with their year always (a reader must not have to guess
//! it), in the language's Chinese form, keeping the document's own part of the month (6月底,
//! 3月下旬) rather than a day it does not say.

use chrono::{Datelike, NaiveDate};

use crate::language::ast::{DateExpr, DayPart};

/// Which year a date without one is read in.
#[derive(Clone, Copy, Debug)]
pub enum Year {
    /// Only as written: a date without a year has no day.
    Written,
    /// This year where none is written.
    Default(i32),
}

/// The day a deadline written as `date` falls on.
pub fn day(date: &DateExpr, year: Year) -> Option<NaiveDate> {
    let year = match (date.year, year) {
        (Some(y), _) | (None, Year::Default(y)) => y,
        (None, Year::Written) => return None,
    };
    let day = date
        .day
        .deadline_day()
        .unwrap_or_else(|| last_day(year, date.month));
    NaiveDate::from_ymd_opt(year, date.month, day)
}

fn last_day(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|d| d.pred_opt()).map_or(28, |d| d.day())
}

/// `date` with its year: the one written, else the year of issue — or the next one when the
/// day would fall before the document was issued (a 1月 deadline in a plan issued in
/// November). The flag says a year was supplied, so that the draft says so.
pub fn with_year(date: &DateExpr, issued: NaiveDate) -> (DateExpr, bool) {
    if date.year.is_some() {
        return (date.clone(), false);
    }
    let mut dated = date.clone();
    dated.year = Some(issued.year());
    if day(&dated, Year::Written).is_some_and(|d| d < issued) {
        dated.year = Some(issued.year() + 1);
    }
    (dated, true)
}

/// `date` in the language's Chinese form, or None without a year.
pub fn write(date: &DateExpr) -> Option<String> {
    let year = date.year?;
    let month = date.month;
    Some(match date.day {
        DayPart::Day(d) => format!("{year}年{month}月{d}日"),
        DayPart::WholeMonth => format!("{year}年{month}月"),
        DayPart::End => format!("{year}年{month}月底"),
        DayPart::Early => format!("{year}年{month}月上旬"),
        DayPart::Mid => format!("{year}年{month}月中旬"),
        DayPart::Late => format!("{year}年{month}月下旬"),
        DayPart::Beginning => format!("{year}年{month}月初"),
        DayPart::Middle => format!("{year}年{month}月中"),
    })
}

/// A window's first day as written: a whole month stays a month (its first day).
pub fn write_start(date: &DateExpr) -> String {
    write(date).unwrap_or_default()
}

/// A day in the language's Chinese form.
pub fn write_day(day: NaiveDate) -> String {
    format!("{}年{}月{}日", day.year(), day.month(), day.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(month: u32, day: DayPart) -> DateExpr {
        DateExpr {
            year: None,
            month,
            day,
        }
    }

    #[test]
    fn a_date_without_its_year_takes_the_year_of_issue_or_the_next() {
        let issued = NaiveDate::from_ymd_opt(2017, 3, 30).unwrap();
        let (d, supplied) = with_year(&md(4, DayPart::Day(15)), issued);
        assert!(supplied);
        assert_eq!(write(&d).unwrap(), "2017年4月15日");
        let (d, _) = with_year(&md(1, DayPart::Day(10)), issued);
        assert_eq!(write(&d).unwrap(), "2018年1月10日");
        let (d, _) = with_year(&md(6, DayPart::End), issued);
        assert_eq!(write(&d).unwrap(), "2017年6月底");
        assert_eq!(day(&d, Year::Written), NaiveDate::from_ymd_opt(2017, 6, 30));
    }
}
