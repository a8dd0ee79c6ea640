//! The official calendar: which days are workdays. Weekends are off and weekdays are workdays,
//! except where a State Council notice says otherwise (statutory holidays off, make-up workdays
//! 调休 on). The notices for 2016–2026 ship inside the program; a user can add later years (or
//! replace shipped ones) from a file in the same TOML form or in holiday-cn's JSON form.
//!
//! A year with no notice is *unknown*: the calendar still answers for it by the ordinary week,
//! but says so, and callers warn rather than pretend the year has no holidays.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

/// What kind of day a date is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DayKind {
    /// An ordinary Monday–Friday.
    Workday,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// A statutory holiday (or a day of its block), with the holiday's name.
    Holiday(String),
    /// A weekend day worked in exchange for a holiday (调休上班).
    MakeupWorkday(String),
}

impl DayKind {
    /// Whether people work that day.
    pub fn is_workday(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeupWorkday(_))
    }
}

/// An error reading a calendar file.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// The file could not be read.
    #[error("cannot read holiday file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a calendar.
    #[error("holiday file {path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A day or a range of days of the file cannot be read.
    #[error("holiday file {path}: {problem}")]
    Days {
        /// The file.
        path: String,
        /// What is wrong with the day.
        problem: DaysError,
    },
}

/// A day or a range of days of a holiday file that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DaysError {
    /// Not a `YYYY-MM-DD` date.
    #[error("`{0}` is not a date")]
    NotADate(String),
    /// A range that ends before it starts, or that is longer than a month.
    #[error("`{0}` is not a range of at most a month")]
    NotARange(String),
}

/// One notice's named days: date → (day off?, holiday name).
type Notice = BTreeMap<NaiveDate, (bool, String)>;

/// The official calendar.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    notices: BTreeMap<i32, Notice>,
    days: HashMap<NaiveDate, (bool, String)>,
}

/// How many days a search for a workday may look before giving up (no real calendar has a
/// non-workday run this long).
const SEARCH_LIMIT: u64 = 60;

impl Calendar {
    /// The calendar shipped with duban.
    pub fn official() -> &'static Calendar {
        static OFFICIAL: OnceLock<Calendar> = OnceLock::new();
        OFFICIAL.get_or_init(|| {
            Calendar::from_toml(
                "data/calendar-cn.toml",
                include_str!("../../data/calendar-cn.toml"),
            )
            .unwrap_or_default()
        })
    }

    /// The shipped calendar with the notices of `path` added (a year in the file replaces that
    /// year's shipped notice). `.json` files are read as holiday-cn, anything else as TOML.
    pub fn with_file(path: &Path) -> Result<Calendar, CalendarError> {
        let mut calendar = Calendar::official().clone();
        calendar.merge(Calendar::read_file(path)?);
        Ok(calendar)
    }

    /// The notices of one holiday file alone: `.json` is read as holiday-cn, anything else as
    /// TOML.
    pub fn read_file(path: &Path) -> Result<Calendar, CalendarError> {
        let name = path.display().to_string();
        let text =
            crate::fsio::read_text(path, crate::fsio::limits::SETTINGS).map_err(|source| {
                CalendarError::Read {
                    path: name.clone(),
                    source,
                }
            })?;
        if path.extension().is_some_and(|e| e == "json") {
            Calendar::from_holiday_cn(&name, &text)
        } else {
            Calendar::from_toml(&name, &text)
        }
    }

    /// Reads the TOML form (`[[notice]] year = …; holidays."春节" = { off = […], work = […] }`).
    pub fn from_toml(path: &str, text: &str) -> Result<Calendar, CalendarError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            #[serde(default)]
            notice: Vec<NoticeToml>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct NoticeToml {
            year: i32,
            #[serde(default)]
            sources: Vec<String>,
            #[serde(default)]
            holidays: BTreeMap<String, Holiday>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Holiday {
            #[serde(default)]
            off: Vec<String>,
            #[serde(default)]
            work: Vec<String>,
        }
        let invalid = |message: String| CalendarError::Invalid {
            path: path.to_string(),
            message,
        };
        let bad_days = |problem| CalendarError::Days {
            path: path.to_string(),
            problem,
        };
        let file: File = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut calendar = Calendar::default();
        for notice in file.notice {
            let _ = notice.sources;
            let mut days = Notice::new();
            for (name, holiday) in notice.holidays {
                for range in &holiday.off {
                    for date in parse_range(range).map_err(bad_days)? {
                        days.insert(date, (true, name.clone()));
                    }
                }
                for day in &holiday.work {
                    days.insert(parse_date(day).map_err(bad_days)?, (false, name.clone()));
                }
            }
            calendar.notices.insert(notice.year, days);
        }
        calendar.reindex();
        Ok(calendar)
    }

    /// Reads one year of holiday-cn's JSON (`{year, days: [{name, date, isOffDay}]}`).
    pub fn from_holiday_cn(path: &str, text: &str) -> Result<Calendar, CalendarError> {
        #[derive(Deserialize)]
        struct Year {
            year: i32,
            days: Vec<Day>,
        }
        #[derive(Deserialize)]
        struct Day {
            name: String,
            date: String,
            #[serde(rename = "isOffDay")]
            is_off_day: bool,
        }
        let invalid = |message: String| CalendarError::Invalid {
            path: path.to_string(),
            message,
        };
        let bad_days = |problem| CalendarError::Days {
            path: path.to_string(),
            problem,
        };
        let year: Year = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut calendar = Calendar::default();
        if year.days.is_empty() {
            // holiday-cn publishes an empty file before the notice is out: still unknown.
            return Ok(calendar);
        }
        let mut days = Notice::new();
        for day in year.days {
            days.insert(
                parse_date(&day.date).map_err(bad_days)?,
                (day.is_off_day, day.name),
            );
        }
        calendar.notices.insert(year.year, days);
        calendar.reindex();
        Ok(calendar)
    }

    /// Adds `other`'s notices, replacing notices of the same year.
    pub fn merge(&mut self, other: Calendar) {
        self.notices.extend(other.notices);
        self.reindex();
    }

    fn reindex(&mut self) {
        self.days = self
            .notices
            .values()
            .flat_map(|n| n.iter().map(|(d, v)| (*d, v.clone())))
            .collect();
    }

    /// A digest of every notice, so that a schedule compiled against another calendar can be
    /// told apart.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for (year, days) in &self.notices {
            hasher.update(year.to_le_bytes());
            for (date, (off, name)) in days {
                hasher.update(format!("{date}{off}{name};").as_bytes());
            }
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Whether a notice for `year` is known.
    pub fn knows(&self, year: i32) -> bool {
        self.notices.contains_key(&year)
    }

    /// The years with a notice.
    pub fn known_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.notices.keys().copied()
    }

    /// What kind of day `date` is (by the ordinary week where no notice names it).
    pub fn day(&self, date: NaiveDate) -> DayKind {
        match self.days.get(&date) {
            Some((true, name)) => DayKind::Holiday(name.clone()),
            Some((false, name)) => DayKind::MakeupWorkday(name.clone()),
            None if is_weekend(date) => DayKind::Weekend,
            None => DayKind::Workday,
        }
    }

    /// Whether `date` is a workday.
    pub fn is_workday(&self, date: NaiveDate) -> bool {
        match self.days.get(&date) {
            Some((off, _)) => !off,
            None => !is_weekend(date),
        }
    }

    /// `date` if it is a workday, else the first workday after it.
    pub fn workday_on_or_after(&self, date: NaiveDate) -> NaiveDate {
        self.search(date, |d| d.checked_add_days(Days::new(1)))
    }

    /// `date` if it is a workday, else the last workday before it.
    pub fn workday_on_or_before(&self, date: NaiveDate) -> NaiveDate {
        self.search(date, |d| d.checked_sub_days(Days::new(1)))
    }

    fn search(&self, date: NaiveDate, step: impl Fn(NaiveDate) -> Option<NaiveDate>) -> NaiveDate {
        let mut day = date;
        for _ in 0..SEARCH_LIMIT {
            if self.is_workday(day) {
                return day;
            }
            match step(day) {
                Some(next) => day = next,
                None => return date,
            }
        }
        date
    }

    /// The date `count` workdays after (or, if negative, before) `date`; `date` itself is not
    /// counted (民法典 第二百零一条).
    pub fn add_workdays(&self, date: NaiveDate, count: i64) -> Option<NaiveDate> {
        let mut day = date;
        let mut left = count.unsigned_abs();
        while left > 0 {
            day = if count > 0 {
                day.checked_add_days(Days::new(1))?
            } else {
                day.checked_sub_days(Days::new(1))?
            };
            if self.is_workday(day) {
                left -= 1;
            }
        }
        Some(day)
    }

    /// Every day of `year` that a notice names, in date order: holidays and make-up workdays.
    pub fn named_days(&self, year: i32) -> Vec<(NaiveDate, DayKind)> {
        let mut days: Vec<(NaiveDate, DayKind)> = self
            .days
            .keys()
            .filter(|d| d.year() == year)
            .map(|d| (*d, self.day(*d)))
            .collect();
        days.sort_by_key(|(d, _)| *d);
        days
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn parse_date(text: &str) -> Result<NaiveDate, DaysError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| DaysError::NotADate(text.to_string()))
}

fn parse_range(text: &str) -> Result<Vec<NaiveDate>, DaysError> {
    let (start, end) = match text.split_once("..") {
        Some((a, b)) => (parse_date(a)?, parse_date(b)?),
        None => {
            let d = parse_date(text)?;
            (d, d)
        }
    };
    if end < start || (end - start).num_days() > 31 {
        return Err(DaysError::NotARange(text.to_string()));
    }
    Ok(start.iter_days().take_while(|d| *d <= end).collect())
}

/// The holiday files of an office's own store of calendars, in name order (none if the folder
/// does not exist).
pub fn stored_files(folder: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml" || e == "json"))
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    #[test]
    fn ships_2016_to_2026() {
        let years: Vec<i32> = Calendar::official().known_years().collect();
        assert_eq!(years, (2016..=2026).collect::<Vec<_>>());
        assert!(!Calendar::official().knows(2027));
    }

    #[test]
    fn holidays_and_makeup_days() {
        let c = Calendar::official();
        // 2017-10-01..08 off; Saturday 2017-09-30 worked.
        assert_eq!(
            c.day(d("2017-10-04")),
            DayKind::Holiday("中秋节、国庆节".into())
        );
        assert!(c.is_workday(d("2017-09-30")));
        assert!(!c.is_workday(d("2017-10-08")));
        assert_eq!(c.workday_on_or_after(d("2017-10-01")), d("2017-10-09"));
        assert_eq!(c.workday_on_or_before(d("2017-10-08")), d("2017-09-30"));
        // 2018-12-29 (a Saturday) is a make-up day named in the 2019 notice.
        assert!(c.is_workday(d("2018-12-29")));
    }

    #[test]
    fn workday_counting_skips_the_start_day() {
        let c = Calendar::official();
        // Friday 2017-09-29 + 1 workday = Saturday 2017-09-30 (a make-up day).
        assert_eq!(c.add_workdays(d("2017-09-29"), 1), Some(d("2017-09-30")));
        assert_eq!(c.add_workdays(d("2017-09-30"), 1), Some(d("2017-10-09")));
        assert_eq!(c.add_workdays(d("2017-10-09"), -1), Some(d("2017-09-30")));
        assert_eq!(c.add_workdays(d("2017-10-09"), 0), Some(d("2017-10-09")));
    }

    #[test]
    fn a_user_file_adds_a_year_and_json_is_read_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("2027.toml");
        std::fs::write(
            &path,
            "[[notice]]\nyear = 2027\nholidays.\"元旦\" = { off = [\"2027-01-01..2027-01-03\"], work = [\"2027-01-09\"] }\n",
        )
        .unwrap();
        let c = Calendar::with_file(&path).unwrap();
        assert!(c.knows(2027) && c.knows(2017));
        assert!(!c.is_workday(d("2027-01-01")) && c.is_workday(d("2027-01-09")));

        let json = dir.path().join("2027.json");
        std::fs::write(
            &json,
            r#"{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#,
        )
        .unwrap();
        assert!(Calendar::with_file(&json).unwrap().knows(2027));
        let empty = dir.path().join("2028.json");
        std::fs::write(&empty, r#"{"year": 2028, "papers": [], "days": []}"#).unwrap();
        assert!(!Calendar::with_file(&empty).unwrap().knows(2028));
    }

    #[test]
    fn bad_files_are_errors_not_panics() {
        assert!(
            Calendar::from_toml(
                "x",
                "[[notice]]\nyear = 2027\nholidays.a = { off = [\"2027-02-30\"] }"
            )
            .is_err()
        );
        assert!(Calendar::from_toml("x", "nonsense = ").is_err());
        assert!(Calendar::from_holiday_cn("x", "{").is_err());
        assert!(Calendar::with_file(Path::new("/nonexistent/cal.toml")).is_err());
    }

    /// The shipped table against the public holiday-cn dataset (MIT; its files are kept in
    /// tests/fixtures/holiday-cn, so this never depends on anything outside the repository),
    /// every day of 2016–2026.
    #[test]
    fn matches_the_reference_dataset() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/holiday-cn");
        let mut reference: HashMap<NaiveDate, bool> = HashMap::new();
        for year in 2016..=2026 {
            let text = std::fs::read_to_string(folder.join(format!("{year}.json"))).unwrap();
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            for day in value["days"].as_array().unwrap() {
                let date = d(day["date"].as_str().unwrap());
                reference.insert(date, !day["isOffDay"].as_bool().unwrap());
            }
        }
        let c = Calendar::official();
        let mut checked = 0;
        for date in d("2016-01-01")
            .iter_days()
            .take_while(|x| *x <= d("2026-12-31"))
        {
            let expected = reference.get(&date).copied().unwrap_or(!is_weekend(date));
            assert_eq!(c.is_workday(date), expected, "{date}");
            checked += 1;
        }
        assert_eq!(checked, 4018);
    }
}
