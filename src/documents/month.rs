//! A month of deadlines as a grid, Monday first (Remind's `-c`): the weeks of the month, and an
//! HTML page of it with each day's deadlines in its cell, rest days and make-up workdays marked.

use chrono::{Datelike, NaiveDate};

use super::escape;
use crate::reports::Deadline;
use crate::schedule::Calendar;

/// The weeks of the month of `first` (its first day), Monday to Sunday; days of the months
/// around it are `None`.
pub fn weeks(first: NaiveDate) -> Vec<[Option<NaiveDate>; 7]> {
    let mut out = Vec::new();
    let mut week = [None; 7];
    for day in first.iter_days().take_while(|d| d.month() == first.month()) {
        let slot = day.weekday().num_days_from_monday() as usize;
        week[slot] = Some(day);
        if slot == 6 {
            out.push(week);
            week = [None; 7];
        }
    }
    if week.iter().any(Option::is_some) {
        out.push(week);
    }
    out
}

/// `休` for a rest day (a weekend or a holiday), `班` for a make-up workday, else nothing.
pub fn mark(calendar: &Calendar, day: NaiveDate) -> &'static str {
    use crate::schedule::calendar::DayKind;
    match calendar.day(day) {
        DayKind::MakeupWorkday(_) => "班",
        kind if !kind.is_workday() => "休",
        _ => "",
    }
}

/// The month as an HTML page: a table of weeks, each day's deadlines in its cell.
pub fn html(title: &str, first: NaiveDate, calendar: &Calendar, deadlines: &[Deadline]) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n{STYLE}</head>\n<body>\n<h1>{}</h1>\n<table>\n<thead><tr>",
        escape(title),
        escape(title)
    );
    for day in ["一", "二", "三", "四", "五", "六", "日"] {
        out.push_str(&format!("<th>{day}</th>"));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for week in weeks(first) {
        out.push_str("<tr>");
        for day in week {
            let Some(day) = day else {
                out.push_str("<td class=\"none\"></td>");
                continue;
            };
            let mark = mark(calendar, day);
            let class = if mark == "休" { " class=\"rest\"" } else { "" };
            out.push_str(&format!(
                "<td{class}><div class=\"day\">{}<span>{mark}</span></div>",
                day.day()
            ));
            for d in deadlines.iter().filter(|d| d.date == day) {
                let open = if d.open > 0 {
                    format!("，未报{}", d.open)
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "<div class=\"due\">{}（{}个单位{open}）</div>",
                    escape(&d.deliverable),
                    d.units
                ));
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    out
}

const STYLE: &str = "<style>
@page { size: A4 landscape; margin: 15mm; }
body { font-family: FangSong, '仿宋_GB2312', 'Noto Serif CJK SC', serif; margin: 12mm; }
h1 { font-size: 18pt; text-align: center; font-weight: normal; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 1px solid #000; vertical-align: top; padding: 3pt; font-size: 10pt; }
td { height: 22mm; }
td.rest { background: #f3f3f3; }
td.none { background: #fff; border-color: #ccc; }
.day { font-weight: bold; }
.day span { float: right; font-weight: normal; color: #c62828; }
.due { margin-top: 2pt; }
</style>
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn may_2017_starts_on_a_monday_and_has_five_weeks() {
        let first = NaiveDate::from_ymd_opt(2017, 5, 1).unwrap();
        let weeks = weeks(first);
        assert_eq!(weeks.len(), 5);
        assert_eq!(weeks[0][0], Some(first));
        assert_eq!(weeks[4][2], NaiveDate::from_ymd_opt(2017, 5, 31));
        assert_eq!(weeks[4][3], None);
        let calendar = Calendar::official();
        assert_eq!(mark(calendar, first), "休", "劳动节");
        assert_eq!(
            mark(calendar, NaiveDate::from_ymd_opt(2017, 5, 27).unwrap()),
            "班"
        );
        assert_eq!(
            mark(calendar, NaiveDate::from_ymd_opt(2017, 5, 25).unwrap()),
            ""
        );
    }
}
