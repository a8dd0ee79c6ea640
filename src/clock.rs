//! Time as data. The engine never reads the system clock itself: it is handed a [`Clock`], and
//! every command that depends on "now" takes `--as-of` (or `--at`), an [`Instant`] that may be
//! written as RFC 3339 or as a local date and time read in a campaign's zone.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Where "now" comes from.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// One clock shared, such as the daemon's with the passes it runs.
impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant (tests, `--as-of`).
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The system clock moved by a fixed amount: "pretend it is 2017-05-22 09:05 now, and let time
/// pass as usual" (for rehearsing a campaign, and for tests of the daemon).
#[derive(Clone, Copy, Debug)]
pub struct OffsetClock(pub chrono::Duration);

impl OffsetClock {
    /// A clock that reads `start` now.
    pub fn starting_at(start: DateTime<Utc>) -> OffsetClock {
        OffsetClock(start - Utc::now())
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
    }
}

/// An instant as the user wrote it: absolute, or local to whichever campaign it is used with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instant {
    /// RFC 3339, with an offset.
    Absolute(DateTime<Utc>),
    /// `YYYY-MM-DD[THH:MM[:SS]]`, read in the campaign's zone (a date alone is its 00:00).
    Local(NaiveDateTime),
}

impl Instant {
    /// The instant in `zone` (for a local time that a clock change skips, the moment after).
    pub fn in_zone(self, zone: Tz) -> DateTime<Utc> {
        match self {
            Instant::Absolute(t) => t,
            Instant::Local(local) => match zone.from_local_datetime(&local) {
                chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
                    t.with_timezone(&Utc)
                }
                chrono::LocalResult::None => zone
                    .from_local_datetime(&(local + chrono::Duration::hours(1)))
                    .earliest()
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or_else(|| Utc.from_utc_datetime(&local)),
            },
        }
    }
}

/// `--as-of` / `--at` could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a time: write RFC 3339 (2017-05-25T18:00:00+08:00) or a local YYYY-MM-DD[THH:MM] (also 2017/5/25 18:00, 2017年5月25日), in the years 1970–2200"
)]
pub struct InstantError(pub String);

/// How far past now (seconds) a time of something done may be before it counts as in the
/// future: clocks of different machines disagree a little.
pub const FUTURE_GRACE: i64 = 60;

/// The years a date or time given to duban may fall in: anything else is surely a typo
/// (`0000-01-01`, `20177-05-01`), and far enough out it would overflow the date arithmetic it
/// feeds.
pub const YEARS: std::ops::RangeInclusive<i32> = 1970..=2200;

/// The date and time forms offices write, as `YYYY-MM-DD[ HH:MM]`: `2017/5/24 16:00` (Excel's),
/// `2017年5月27日`, `2017.5.27`; anything else as it is.
fn normalized(text: &str) -> String {
    let text = text.trim();
    let (date, time) = match text.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (text, None),
    };
    let written = date.contains(['/', '年', '.']) && !date.contains('-');
    if !written {
        return text.to_string();
    }
    let parts: Vec<&str> = date
        .trim_end_matches('日')
        .split(['/', '年', '月', '.'])
        .collect();
    let date = match parts[..] {
        [y, m, d] => format!("{y}-{m:0>2}-{d:0>2}"),
        _ => return text.to_string(),
    };
    match time {
        Some(time) => format!("{date}T{time:0>5}"),
        None => date,
    }
}

/// A date of the command line, in [`YEARS`]: `2017-05-25`, `2017/05/25`, `2017年5月25日`.
// A value parser for clap, which shows its error text as it is after the argument's name:
// a `String` is what clap takes (no caller matches on it).
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let date = NaiveDate::parse_from_str(&normalized(text), "%Y-%m-%d").map_err(|_| {
        format!("`{text}` is not a date like 2017-05-25 (or 2017/5/25, 2017年5月25日)")
    })?;
    if !YEARS.contains(&chrono::Datelike::year(&date)) {
        return Err(format!(
            "{date} is outside the years {}–{} duban works with",
            YEARS.start(),
            YEARS.end()
        ));
    }
    Ok(date)
}

impl FromStr for Instant {
    type Err = InstantError;

    fn from_str(text: &str) -> Result<Instant, InstantError> {
        let instant = parse_instant(text.trim()).or_else(|_| parse_instant(&normalized(text)))?;
        let year = match instant {
            Instant::Absolute(t) => chrono::Datelike::year(&t),
            Instant::Local(t) => chrono::Datelike::year(&t),
        };
        if YEARS.contains(&year) {
            Ok(instant)
        } else {
            Err(InstantError(text.trim().to_string()))
        }
    }
}

fn parse_instant(text: &str) -> Result<Instant, InstantError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(Instant::Absolute(t.with_timezone(&Utc)));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(Instant::Local(local));
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| Instant::Local(d.and_time(NaiveTime::MIN)))
        .map_err(|_| InstantError(text.to_string()))
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Instant::Absolute(t) => write!(f, "{}", t.to_rfc3339()),
            Instant::Local(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M")),
        }
    }
}

/// Unix seconds, as the store keeps instants.
pub fn to_unix(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// An instant from unix seconds.
pub fn from_unix(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_read_in_the_campaign_zone() {
        let shanghai = chrono_tz::Asia::Shanghai;
        let t: Instant = "2017-05-25".parse().unwrap();
        assert_eq!(
            t.in_zone(shanghai).to_rfc3339(),
            "2017-05-24T16:00:00+00:00"
        );
        let t: Instant = "2017-05-25T18:30".parse().unwrap();
        assert_eq!(
            t.in_zone(shanghai).to_rfc3339(),
            "2017-05-25T10:30:00+00:00"
        );
        let t: Instant = "2017-05-25T18:30:00+08:00".parse().unwrap();
        assert_eq!(
            t.in_zone(chrono_tz::UTC).to_rfc3339(),
            "2017-05-25T10:30:00+00:00"
        );
        assert!("25/05/2017".parse::<Instant>().is_err());
        for (written, read) in [
            ("2017/5/24 16:00", "2017-05-24T16:00"),
            ("2017/05/27", "2017-05-27T00:00"),
            ("2017年5月27日", "2017-05-27T00:00"),
            ("2017年5月27日 9:30", "2017-05-27T09:30"),
            ("2017.5.3", "2017-05-03T00:00"),
        ] {
            let t: Instant = written.parse().unwrap();
            assert_eq!(t.to_string(), read, "{written}");
        }
        assert_eq!(
            parse_date("2017年5月27日").unwrap(),
            NaiveDate::from_ymd_opt(2017, 5, 27).unwrap()
        );
        assert!("2017/13/01".parse::<Instant>().is_err());
        assert!(
            "0000-01-01".parse::<Instant>().is_err(),
            "a typo, not a time"
        );
        assert!("2201-01-01T00:00:00Z".parse::<Instant>().is_err());
        assert!(parse_date("1969-12-31").is_err() && parse_date("2200-12-31").is_ok());
    }

    #[test]
    fn a_skipped_local_time_moves_forward() {
        // 2017-03-26 02:30 does not exist in Berlin (clocks go from 02:00 to 03:00).
        let t: Instant = "2017-03-26T02:30".parse().unwrap();
        let utc = t.in_zone(chrono_tz::Europe::Berlin);
        assert_eq!(utc.to_rfc3339(), "2017-03-26T01:30:00+00:00");
    }
}
