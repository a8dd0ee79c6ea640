//! iCalendar (RFC 5545) of obligations, so that Outlook, Google, WeCom and DingTalk calendars
//! show each report on the day it is due: an all-day VEVENT (or a VTODO) per obligation, with a
//! VALARM for each of its campaign's reminders, at the day and time the reminder mail goes out.
//!
//! Clients replace an event they hold by its UID when the new one has a higher SEQUENCE: every
//! export carries the instant it was revised (the campaign file's modification time, or the
//! moment the records were read) as SEQUENCE, in minutes since 2000, and as LAST-MODIFIED, so a
//! re-export after a deadline moved updates what people see.

use std::io::{self, Write};

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};

use crate::language::campaign::{Campaign, Policy};
use crate::ledger::Status;
use crate::reports::UnitCalendar;
use crate::schedule::{Calendar, Obligation};

/// Which component an obligation becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Component {
    /// An all-day event on the due date: what every calendar shows.
    Event,
    /// A to-do due that day, which a client can tick off.
    Todo,
}

impl Component {
    /// To-dos when `todo` (`--todo`), else events.
    pub fn todo_if(todo: bool) -> Component {
        if todo {
            Component::Todo
        } else {
            Component::Event
        }
    }
}

/// Where an obligation stands, as a calendar can say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Still owed.
    Open,
    /// Owed again: sent back with a reason (退回).
    Returned,
    /// Owed past its deadline.
    Overdue,
    /// Submitted, waiting for its review.
    InReview,
    /// Done: submitted (on time or late) or waived, at that instant.
    Done(DateTime<Utc>),
}

/// One obligation, ready to be written.
#[derive(Clone, Debug)]
pub struct Entry {
    /// What identifies it across exports: campaign, deliverable, unit, period.
    pub identity: String,
    /// The title a calendar shows.
    pub summary: String,
    /// The details.
    pub description: String,
    /// Its campaign.
    pub category: String,
    /// The date it is due, as units are told it.
    pub due: NaiveDate,
    /// How long before the due date's midnight each reminder goes out.
    pub alarms: Vec<chrono::Duration>,
    /// Where it stands.
    pub progress: Progress,
}

/// What a whole export says of itself.
#[derive(Clone, Copy, Debug)]
pub struct Export<'a> {
    /// The calendar's name.
    pub name: &'a str,
    /// Events or to-dos.
    pub component: Component,
    /// When what it shows was last revised.
    pub revised: DateTime<Utc>,
}

/// The entries of a compiled campaign's obligations, each with its reminders' alarms.
pub fn schedule_entries<'a>(
    campaign: &'a Campaign,
    calendar: &'a Calendar,
    obligations: impl Iterator<Item = Obligation<'a>> + 'a,
) -> impl Iterator<Item = Entry> + 'a {
    obligations.map(move |o| {
        let r = o.record();
        let mut description = format!("报送单位：{}\n接收单位：{}", r.unit, r.to.join("、"));
        if let Some(form) = &r.form {
            description.push_str(&format!("\n表单：{form}"));
        }
        if !r.signers.is_empty() {
            description.push_str(&format!("\n签字：{}", r.signers.join("、")));
        }
        if o.occurrence.on_time_until != o.occurrence.due {
            description.push_str(&format!(
                "\n逾期起算：{} 后（节假日顺延）",
                o.occurrence.on_time_until
            ));
        }
        let due = o.occurrence.due;
        Entry {
            identity: identity(&r.campaign, &r.deliverable, &r.unit, r.period.as_deref()),
            summary: summary(&r.deliverable, r.period.as_deref(), &r.unit),
            description,
            category: r.campaign.clone(),
            due,
            alarms: alarms(calendar, campaign.policy_for(o.deliverable_id), due),
            progress: Progress::Open,
        }
    })
}

/// The entries of a unit's obligations in the records at `as_of` (unix seconds): done ones
/// marked done, without alarms; an extended one on its new date.
pub fn work_entries(unit: &UnitCalendar, calendar: &Calendar, as_of: i64) -> Vec<Entry> {
    unit.items
        .iter()
        .filter_map(|item| {
            let due: NaiveDate = item
                .extended_until
                .as_deref()
                .unwrap_or(&item.due_date)
                .parse()
                .ok()?;
            let status = item.record.status_at(as_of);
            let progress = match status {
                Status::SubmittedOnTime | Status::SubmittedLate | Status::Waived => {
                    let at = item.record.closed_at.or(item.record.submitted_at)?;
                    Progress::Done(crate::clock::from_unix(at))
                }
                Status::UnderReview | Status::ReviewOverdue => Progress::InReview,
                Status::Returned => Progress::Returned,
                Status::Overdue => Progress::Overdue,
                _ => Progress::Open,
            };
            let period = (!item.period.is_empty()).then_some(item.period.as_str());
            let mut description = format!(
                "报送单位：{}\n接收单位：{}\n状态：{}",
                item.unit,
                item.receivers.join("、"),
                status.label_zh()
            );
            if item.extended_until.is_some() {
                description.push_str(&format!("\n原截止：{}（已延期）", item.due_date));
            }
            if let Some(reason) = item.reason.as_deref().filter(|_| status.is_open()) {
                description.push_str(&format!("\n退回原因：{reason}"));
            }
            Some(Entry {
                identity: identity(&item.campaign, &item.deliverable, &item.unit, period),
                summary: summary(&item.deliverable, period, &item.unit),
                description,
                category: item.campaign.clone(),
                due,
                alarms: match (progress, policy_of(unit, item)) {
                    (Progress::Open | Progress::Returned, Some(policy)) => {
                        alarms(calendar, policy, due)
                    }
                    _ => Vec::new(),
                },
                progress,
            })
        })
        .collect()
}

fn policy_of<'u>(unit: &'u UnitCalendar, item: &crate::store::WorkItem) -> Option<&'u Policy> {
    unit.policies
        .get(&(item.campaign.clone(), item.deliverable.clone()))
}

fn identity(campaign: &str, deliverable: &str, unit: &str, period: Option<&str>) -> String {
    format!(
        "{campaign}\u{1f}{deliverable}\u{1f}{unit}\u{1f}{}",
        period.unwrap_or("")
    )
}

fn summary(deliverable: &str, period: Option<&str>, unit: &str) -> String {
    let period = period.map(|p| format!("（{p}）")).unwrap_or_default();
    format!("{deliverable}{period} — {unit}")
}

/// How long before `due`'s midnight each reminder of `policy` goes out: on its day (a workday)
/// at the policy's time of day.
fn alarms(calendar: &Calendar, policy: &Policy, due: NaiveDate) -> Vec<chrono::Duration> {
    let time = NaiveTime::from_hms_opt(policy.time.0, policy.time.1, 0).unwrap_or(NaiveTime::MIN);
    let midnight = due.and_time(NaiveTime::MIN);
    let mut alarms: Vec<chrono::Duration> =
        crate::notices::plan::reminder_days(calendar, due, &policy.lead_times)
            .map(|(_, day)| midnight - day.and_time(time))
            .collect();
    // Two lead times a rest day moves onto one workday (3 days and 1 day before a Monday are
    // both the Friday before) are one reminder, as the mail is: one alarm, not two.
    alarms.sort_unstable_by(|a, b| b.cmp(a));
    alarms.dedup();
    alarms
}

/// Writes a VCALENDAR of `entries`.
pub fn write(
    out: &mut impl Write,
    export: &Export<'_>,
    entries: impl IntoIterator<Item = Entry>,
) -> io::Result<()> {
    let stamp = export.revised.format("%Y%m%dT%H%M%SZ").to_string();
    // Minutes since 2000: an INTEGER (32 bits) for four thousand years, and later for every
    // later revision, rehearsals of 2017 included.
    let sequence = ((export.revised.timestamp() - 946_684_800) / 60).clamp(0, i64::from(i32::MAX));
    line(out, "BEGIN:VCALENDAR")?;
    line(out, "VERSION:2.0")?;
    line(out, "PRODID:-//duban//campaign schedule//ZH")?;
    line(out, "CALSCALE:GREGORIAN")?;
    line(out, &format!("X-WR-CALNAME:{}", escape(export.name)))?;
    let kind = match export.component {
        Component::Event => "VEVENT",
        Component::Todo => "VTODO",
    };
    for entry in entries {
        line(out, &format!("BEGIN:{kind}"))?;
        line(
            out,
            &format!("UID:{:016x}@duban", fnv1a(entry.identity.as_bytes())),
        )?;
        line(out, &format!("DTSTAMP:{stamp}"))?;
        line(out, &format!("LAST-MODIFIED:{stamp}"))?;
        line(out, &format!("SEQUENCE:{sequence}"))?;
        line(out, &format!("SUMMARY:{}", escape(&shown(&entry))))?;
        dates(out, export.component, entry.due, entry.progress)?;
        line(out, &format!("DESCRIPTION:{}", escape(&entry.description)))?;
        line(out, &format!("CATEGORIES:{}", escape(&entry.category)))?;
        for before in &entry.alarms {
            line(out, "BEGIN:VALARM")?;
            line(out, "ACTION:DISPLAY")?;
            line(out, &format!("TRIGGER:{}", trigger(*before)))?;
            line(out, &format!("DESCRIPTION:{}", escape(&entry.summary)))?;
            line(out, "END:VALARM")?;
        }
        line(out, &format!("END:{kind}"))?;
    }
    line(out, "END:VCALENDAR")
}

/// The summary, with where it stands in front when it is no longer simply owed.
fn shown(entry: &Entry) -> String {
    match entry.progress {
        Progress::Open => entry.summary.clone(),
        Progress::Returned => format!("【退回】{}", entry.summary),
        Progress::Overdue => format!("【逾期】{}", entry.summary),
        Progress::InReview => format!("【审核中】{}", entry.summary),
        Progress::Done(_) => format!("【已完成】{}", entry.summary),
    }
}

/// The component's dates and status: an event takes the whole due day (DTEND is exclusive);
/// a to-do is due that day and completed when done.
fn dates(
    out: &mut impl Write,
    component: Component,
    due: NaiveDate,
    progress: Progress,
) -> io::Result<()> {
    let day = |d: NaiveDate| format!("{:04}{:02}{:02}", d.year(), d.month(), d.day());
    match component {
        Component::Event => {
            line(out, &format!("DTSTART;VALUE=DATE:{}", day(due)))?;
            let next = due.succ_opt().unwrap_or(due);
            line(out, &format!("DTEND;VALUE=DATE:{}", day(next)))?;
            line(out, "TRANSP:TRANSPARENT")?;
            line(out, "STATUS:CONFIRMED")
        }
        Component::Todo => {
            line(out, &format!("DUE;VALUE=DATE:{}", day(due)))?;
            match progress {
                Progress::Open | Progress::Returned | Progress::Overdue => {
                    line(out, "STATUS:NEEDS-ACTION")
                }
                Progress::InReview => line(out, "STATUS:IN-PROCESS"),
                Progress::Done(at) => {
                    line(out, "STATUS:COMPLETED")?;
                    line(out, "PERCENT-COMPLETE:100")?;
                    line(out, &format!("COMPLETED:{}", at.format("%Y%m%dT%H%M%SZ")))
                }
            }
        }
    }
}

/// A trigger relative to the start of the due day: `-P2DT15H` is 09:00 three days before.
fn trigger(before: chrono::Duration) -> String {
    let seconds = before.num_seconds();
    let sign = if seconds > 0 { "-" } else { "" };
    let seconds = seconds.unsigned_abs();
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (hours, minutes) = (rest / 3_600, rest % 3_600 / 60);
    let mut text = format!("{sign}P");
    if days > 0 {
        text.push_str(&format!("{days}D"));
    }
    if hours > 0 || minutes > 0 || days == 0 {
        text.push('T');
        if hours > 0 || minutes == 0 {
            text.push_str(&format!("{hours}H"));
        }
        if minutes > 0 {
            text.push_str(&format!("{minutes}M"));
        }
    }
    text
}

/// Writes a content line, folded at 75 octets without splitting a character, ended by CRLF.
fn line(out: &mut impl Write, text: &str) -> io::Result<()> {
    let mut width = 0;
    for c in text.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.write_all(b"\r\n ")?;
            width = 1;
        }
        let mut buf = [0; 4];
        out.write_all(c.encode_utf8(&mut buf).as_bytes())?;
        width += len;
    }
    out.write_all(b"\r\n")
}

/// Escapes a TEXT value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A stable 64-bit hash (FNV-1a) for UIDs that survive re-export.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_long_lines_on_character_boundaries() {
        let mut out = Vec::new();
        let text = format!("SUMMARY:{}", "统计表".repeat(20));
        line(&mut out, &text).unwrap();
        let written = String::from_utf8(out).expect("folding kept UTF-8 intact");
        for physical in written.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        assert_eq!(written.replace("\r\n ", "").trim_end(), text);
    }

    #[test]
    fn escapes_text() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn lead_times_that_fall_on_one_workday_make_one_alarm() {
        let calendar = Calendar::official();
        let policy = Policy::default();
        // Monday 2017-09-25: 3 days before is Friday the 22nd, 1 day before a Sunday, moved
        // back to the same Friday.
        let monday = NaiveDate::from_ymd_opt(2017, 9, 25).unwrap();
        let alarms: Vec<String> = alarms(calendar, &policy, monday)
            .into_iter()
            .map(trigger)
            .collect();
        assert_eq!(alarms, ["-P2DT15H"]);
        // Thursday 2017-09-21: Monday and Wednesday, two alarms.
        let thursday = NaiveDate::from_ymd_opt(2017, 9, 21).unwrap();
        assert_eq!(
            alarms_of(calendar, &policy, thursday),
            ["-P2DT15H", "-PT15H"]
        );
    }

    fn alarms_of(calendar: &Calendar, policy: &Policy, due: NaiveDate) -> Vec<String> {
        alarms(calendar, policy, due)
            .into_iter()
            .map(trigger)
            .collect()
    }

    #[test]
    fn triggers_count_back_from_the_start_of_the_due_day() {
        let hours = |h: i64| chrono::Duration::hours(h);
        assert_eq!(trigger(hours(63)), "-P2DT15H", "09:00 three days before");
        assert_eq!(trigger(hours(15)), "-PT15H", "09:00 the day before");
        assert_eq!(trigger(hours(72)), "-P3D");
        assert_eq!(trigger(chrono::Duration::minutes(-570)), "PT9H30M");
        assert_eq!(trigger(hours(0)), "PT0H");
    }
}
