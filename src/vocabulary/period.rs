//! Reporting periods: the week, month, quarter or year an obligation covers, or the phase, or
//! the checkpoint date of a target. A period has a stable text form (`2017-05`, `2017-Q2`,
//! `2017`, `2025-W23`) that is part of an obligation's identity.

use std::fmt;

use chrono::{Datelike, Days, IsoWeek, NaiveDate};

use super::PeriodUnit;

/// The period an obligation covers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    /// An ISO week (Monday to Sunday).
    Week {
        /// ISO week-numbering year.
        year: i32,
        /// Week 1..=53.
        week: u32,
    },
    /// A calendar month.
    Month {
        /// Year.
        year: i32,
        /// Month 1..=12.
        month: u32,
    },
    /// A calendar quarter.
    Quarter {
        /// Year.
        year: i32,
        /// Quarter 1..=4.
        quarter: u32,
    },
    /// A calendar year.
    Year(i32),
    /// A phase of the campaign, by name.
    Phase(String),
    /// The first (1st–15th) or second half of a calendar month.
    HalfMonth {
        /// Year.
        year: i32,
        /// Month 1..=12.
        month: u32,
        /// 1 or 2.
        half: u32,
    },
    /// The first (January–June) or second half of a year.
    HalfYear {
        /// Year.
        year: i32,
        /// 1 or 2.
        half: u32,
    },
    /// A single date: a target's checkpoint, or one of the dates of a deliverable due on several
    /// (`分别于6月底和7月底前`, `每月5日和20日前`).
    Date(NaiveDate),
}

impl Period {
    /// The calendar period of `unit` that contains `date` (phases have none).
    pub fn containing(unit: PeriodUnit, date: NaiveDate) -> Option<Period> {
        Some(match unit {
            PeriodUnit::Week => {
                let w: IsoWeek = date.iso_week();
                Period::Week {
                    year: w.year(),
                    week: w.week(),
                }
            }
            PeriodUnit::Month => Period::Month {
                year: date.year(),
                month: date.month(),
            },
            PeriodUnit::Quarter => Period::Quarter {
                year: date.year(),
                quarter: (date.month() - 1) / 3 + 1,
            },
            PeriodUnit::Year => Period::Year(date.year()),
            PeriodUnit::HalfMonth => Period::HalfMonth {
                year: date.year(),
                month: date.month(),
                half: if date.day() <= 15 { 1 } else { 2 },
            },
            PeriodUnit::HalfYear => Period::HalfYear {
                year: date.year(),
                half: if date.month() <= 6 { 1 } else { 2 },
            },
            PeriodUnit::Phase => return None,
        })
    }

    /// The first day of a calendar period.
    pub fn first_day(&self) -> Option<NaiveDate> {
        match *self {
            Period::Week { year, week } => {
                NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)
            }
            Period::Month { year, month } => NaiveDate::from_ymd_opt(year, month, 1),
            Period::Quarter { year, quarter } => NaiveDate::from_ymd_opt(year, quarter * 3 - 2, 1),
            Period::Year(year) => NaiveDate::from_ymd_opt(year, 1, 1),
            Period::HalfMonth { year, month, half } => {
                NaiveDate::from_ymd_opt(year, month, if half == 1 { 1 } else { 16 })
            }
            Period::HalfYear { year, half } => {
                NaiveDate::from_ymd_opt(year, if half == 1 { 1 } else { 7 }, 1)
            }
            Period::Phase(_) => None,
            Period::Date(date) => Some(date),
        }
    }

    /// The last day of a calendar period.
    pub fn last_day(&self) -> Option<NaiveDate> {
        match self {
            Period::Date(date) => Some(*date),
            Period::Phase(_) => None,
            _ => self.shift(1)?.first_day()?.pred_opt(),
        }
    }

    /// Whether `date` falls in this calendar period (never, for a phase).
    pub fn covers(&self, date: NaiveDate) -> bool {
        match (self.first_day(), self.last_day()) {
            (Some(first), Some(last)) => first <= date && date <= last,
            _ => false,
        }
    }

    /// The calendar period `n` periods later (earlier if negative).
    pub fn shift(&self, n: i64) -> Option<Period> {
        match *self {
            Period::Week { .. } => {
                let first = self.first_day()?;
                let moved = if n >= 0 {
                    first.checked_add_days(Days::new(7 * n as u64))?
                } else {
                    first.checked_sub_days(Days::new(7 * n.unsigned_abs()))?
                };
                Period::containing(PeriodUnit::Week, moved)
            }
            Period::Month { year, month } => {
                let index = i64::from(year) * 12 + i64::from(month - 1) + n;
                Some(Period::Month {
                    year: i32::try_from(index.div_euclid(12)).ok()?,
                    month: index.rem_euclid(12) as u32 + 1,
                })
            }
            Period::Quarter { year, quarter } => {
                let index = i64::from(year) * 4 + i64::from(quarter - 1) + n;
                Some(Period::Quarter {
                    year: i32::try_from(index.div_euclid(4)).ok()?,
                    quarter: index.rem_euclid(4) as u32 + 1,
                })
            }
            Period::Year(year) => Some(Period::Year(i32::try_from(i64::from(year) + n).ok()?)),
            Period::HalfMonth { year, month, half } => {
                let index =
                    (i64::from(year) * 12 + i64::from(month - 1)) * 2 + i64::from(half - 1) + n;
                let months = index.div_euclid(2);
                Some(Period::HalfMonth {
                    year: i32::try_from(months.div_euclid(12)).ok()?,
                    month: months.rem_euclid(12) as u32 + 1,
                    half: index.rem_euclid(2) as u32 + 1,
                })
            }
            Period::HalfYear { year, half } => {
                let index = i64::from(year) * 2 + i64::from(half - 1) + n;
                Some(Period::HalfYear {
                    year: i32::try_from(index.div_euclid(2)).ok()?,
                    half: index.rem_euclid(2) as u32 + 1,
                })
            }
            Period::Phase(_) | Period::Date(_) => None,
        }
    }

    /// Day `day` (1-based) of the period, or its last day if it is shorter (民法典 第二百零二条).
    pub fn day(&self, day: u32) -> Option<NaiveDate> {
        let first = self.first_day()?;
        let last = self.last_day()?;
        let date = first.checked_add_days(Days::new(u64::from(day.max(1) - 1)))?;
        Some(date.min(last))
    }

    /// Parses the text form (`2017-05`, `2017-Q2`, `2017`, `2025-W23`, `2023-04-30`,
    /// `2017-05-H1`, `2017-H2`).
    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Some(Period::Date(date));
        }
        let half = |h: &str| h.parse().ok().filter(|h| (1..=2).contains(h));
        if let Some((month, h)) = text.rsplit_once("-H")
            && let Some(Period::Month { year, month }) = Period::parse(month)
        {
            return Some(Period::HalfMonth {
                year,
                month,
                half: half(h)?,
            });
        }
        if let Some((year, rest)) = text.split_once('-') {
            let year: i32 = year.parse().ok()?;
            let period = if let Some(h) = rest.strip_prefix('H') {
                Period::HalfYear {
                    year,
                    half: half(h)?,
                }
            } else if let Some(q) = rest.strip_prefix(['Q', 'q']) {
                Period::Quarter {
                    year,
                    quarter: q.parse().ok().filter(|q| (1..=4).contains(q))?,
                }
            } else if let Some(w) = rest.strip_prefix(['W', 'w']) {
                let week = w.parse().ok()?;
                NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)?;
                Period::Week { year, week }
            } else {
                Period::Month {
                    year,
                    month: rest.parse().ok().filter(|m| (1..=12).contains(m))?,
                }
            };
            return Some(period);
        }
        text.parse().ok().map(Period::Year)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Week { year, week } => write!(f, "{year}-W{week:02}"),
            Period::Month { year, month } => write!(f, "{year}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year}-Q{quarter}"),
            Period::Year(year) => write!(f, "{year}"),
            Period::HalfMonth { year, month, half } => write!(f, "{year}-{month:02}-H{half}"),
            Period::HalfYear { year, half } => write!(f, "{year}-H{half}"),
            Period::Phase(name) => f.write_str(name),
            Period::Date(date) => write!(f, "{date}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn month_end_clamping_and_leap_years() {
        let feb = |y| Period::Month { year: y, month: 2 };
        assert_eq!(feb(2024).day(31), Some(d(2024, 2, 29)));
        assert_eq!(feb(2023).day(31), Some(d(2023, 2, 28)));
        assert_eq!(
            Period::Month {
                year: 2017,
                month: 4
            }
            .day(31),
            Some(d(2017, 4, 30))
        );
        assert_eq!(
            Period::Quarter {
                year: 2017,
                quarter: 2
            }
            .day(10),
            Some(d(2017, 4, 10))
        );
        assert_eq!(
            Period::Quarter {
                year: 2017,
                quarter: 4
            }
            .last_day(),
            Some(d(2017, 12, 31))
        );
    }

    #[test]
    fn shifting_crosses_years() {
        let dec = Period::Month {
            year: 2016,
            month: 12,
        };
        assert_eq!(
            dec.shift(1),
            Some(Period::Month {
                year: 2017,
                month: 1
            })
        );
        assert_eq!(
            dec.shift(-12),
            Some(Period::Month {
                year: 2015,
                month: 12
            })
        );
        let q1 = Period::Quarter {
            year: 2017,
            quarter: 1,
        };
        assert_eq!(
            q1.shift(-1),
            Some(Period::Quarter {
                year: 2016,
                quarter: 4
            })
        );
        let w = Period::containing(PeriodUnit::Week, d(2020, 12, 31)).unwrap();
        assert_eq!(w.to_string(), "2020-W53");
        assert_eq!(w.shift(1).unwrap().to_string(), "2021-W01");
    }

    #[test]
    fn halves_of_months_and_years() {
        let h = Period::containing(PeriodUnit::HalfMonth, d(2024, 2, 20)).unwrap();
        assert_eq!(
            (h.first_day(), h.last_day()),
            (Some(d(2024, 2, 16)), Some(d(2024, 2, 29)))
        );
        assert_eq!(h.shift(1).unwrap().to_string(), "2024-03-H1");
        assert_eq!(h.shift(-3).unwrap().to_string(), "2024-01-H1");
        let y = Period::containing(PeriodUnit::HalfYear, d(2024, 12, 1)).unwrap();
        assert_eq!(y.last_day(), Some(d(2024, 12, 31)));
        assert_eq!(y.shift(1).unwrap().to_string(), "2025-H1");
        assert_eq!(y.shift(-2).unwrap().first_day(), Some(d(2023, 7, 1)));
    }

    #[test]
    fn text_form_round_trips() {
        for text in [
            "2017-05",
            "2017-Q2",
            "2017",
            "2025-W23",
            "2023-04-30",
            "2017-05-H2",
            "2017-H1",
        ] {
            assert_eq!(Period::parse(text).unwrap().to_string(), text);
        }
        for bad in [
            "2017-13",
            "2017-Q5",
            "x",
            "2017-W60",
            "2017-H3",
            "2017-13-H1",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }
}
