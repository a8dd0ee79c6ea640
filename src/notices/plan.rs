//! The notice planner: owed obligations + reminder policy + calendar + an instant → the notices
//! due at that instant. Pure: no I/O, no clock.
//!
//! Each obligation has stages: reminders at each lead time before its deadline (at the policy's
//! time of day, on the last workday on or before), then the rungs of the overdue ladder after it
//! (on the first workday on or after). At an instant only the *current* stage counts — the
//! latest one whose time has come — so a pass after downtime sends the notice of the right
//! stage, never a stale reminder for a deadline already passed.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::clock::Instant;
use crate::language::campaign::{Channels, Escalate, Policy};
use crate::schedule::Calendar;
use crate::schedule::obligation::end_of_day;
use crate::vocabulary::{Duration, DurationUnit, Role};

pub use super::address::{Addressee, Audience, addressees};
pub use super::robots::Routes;

pub use crate::store::{Candidate, Directory};

impl Candidate {
    /// The instant it becomes overdue.
    pub fn due_at(&self) -> DateTime<Utc> {
        end_of_day(self.zone, self.on_time_until).to_utc()
    }
}

/// What kind of notice a stage sends, the least serious first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 催报: before the deadline.
    Reminder,
    /// 待审核: a submission waits for its reviewer, whose time is running out.
    ReviewReminder,
    /// 未签收: a task that asks for 签收 was not acknowledged in time (its own ladder).
    Unacknowledged,
    /// 目标预警: a target's value reported short of its threshold, chased by the ladder.
    BelowTarget,
    /// 审核催办: a review past its deadline.
    ReviewOverdue,
    /// 催办: after the deadline.
    Overdue,
    /// 约谈: the last rung.
    Interview,
}

impl Kind {
    /// Whether it goes out before the deadline (a reminder), not after (the ladder).
    pub fn before(self) -> bool {
        matches!(
            self,
            Kind::Reminder | Kind::ReviewReminder | Kind::Unacknowledged
        )
    }
}

/// The stage of 未签收's own ladder current at `t`, if any: its latest rung reached, while the
/// deadline has not passed (after it, the overdue ladder chases the report itself). It runs
/// beside the reminders, so that a rung and a reminder on the same morning both go out.
pub fn current_unacknowledged(
    c: &Candidate,
    calendar: &Calendar,
    t: DateTime<Utc>,
) -> Option<Stage> {
    if c.ack_within.is_none() || c.told.is_none() || t >= c.due_at() {
        return None;
    }
    let time =
        NaiveTime::from_hms_opt(c.policy.time.0, c.policy.time.1, 0).unwrap_or(NaiveTime::MIN);
    let at = |day: NaiveDate| Instant::Local(day.and_time(time)).in_zone(c.zone);
    unacknowledged_stages(c, calendar, &at)
        .into_iter()
        .rfind(|s| s.send_at <= t)
}

/// One stage of an obligation's notices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    /// Reminder, overdue notice or interview.
    pub kind: Kind,
    /// Days (or workdays) before or after the deadline.
    pub count: u32,
    /// What `count` counts.
    pub unit: DurationUnit,
    /// The local day it goes out.
    pub day: NaiveDate,
    /// The instant it goes out.
    pub send_at: DateTime<Utc>,
    /// Whom it goes to.
    pub targets: Vec<Escalate>,
    /// The channels each of `targets` is reached by.
    pub by: Channels,
    /// The formal document it issues to the late unit (`发 督办函`), if any: a rung of a
    /// report owed, never a reminder, a review's chase or a target's.
    pub letter: Option<crate::language::letters::LetterKind>,
}

impl Stage {
    /// A stable name, part of a notice's identity: `before:3d`, `overdue:7d`, `interview:14d`.
    pub fn label(&self) -> String {
        let unit = match self.unit {
            DurationUnit::Workdays => "wd",
            DurationUnit::Weeks => "w",
            DurationUnit::Days => "d",
        };
        // A review's stages are named apart from the report's: the office may be both the
        // report's recipient, chased about the unit, and its reviewer, chased about itself.
        let kind = match self.kind {
            Kind::Reminder => "before",
            Kind::ReviewReminder => "review-before",
            Kind::Unacknowledged => "unacknowledged",
            Kind::BelowTarget => "below",
            Kind::ReviewOverdue => "review-overdue",
            Kind::Overdue => "overdue",
            Kind::Interview => "interview",
        };
        format!("{kind}:{}{unit}", self.count)
    }
}

/// Every stage of a candidate, in the order they go out.
pub fn stages(c: &Candidate, calendar: &Calendar) -> Vec<Stage> {
    let time =
        NaiveTime::from_hms_opt(c.policy.time.0, c.policy.time.1, 0).unwrap_or(NaiveTime::MIN);
    let at = |day: NaiveDate| Instant::Local(day.and_time(time)).in_zone(c.zone);
    let mut out = Vec::new();
    // A value below target is known once reported: nothing to remind of, only to chase.
    let lead_times = if c.below.is_some() {
        &[][..]
    } else {
        &c.policy.lead_times[..]
    };
    let review = c.review_of.is_some();
    for (lead, day) in reminder_days(calendar, c.due_date, lead_times) {
        out.push(Stage {
            kind: if review {
                Kind::ReviewReminder
            } else {
                Kind::Reminder
            },
            count: lead.count,
            unit: lead.unit,
            day,
            send_at: at(day),
            targets: vec![Escalate::Role(Role::Liaison)],
            by: Channels::each(vec![c.policy.before_by.clone()]),
            letter: None,
        });
    }
    // Counted from the last on-time day: a holiday after the due date delays the first rung,
    // and never swallows it. Rungs that a holiday would send on one day go out on successive
    // workdays instead, in order, so that the lower ones are still heard.
    let mut last_rung: Option<NaiveDate> = None;
    for rung in &c.policy.ladder {
        // A late review is chased, never a reason to summon anyone.
        if rung.interview && (review || c.interviewed && c.below.is_none()) {
            continue;
        }
        let Some(day) = shift(calendar, c.on_time_until, rung.after, true) else {
            continue;
        };
        // A notice that would fall on a non-workday waits for the next one.
        let mut day = calendar.workday_on_or_after(day);
        if let Some(previous) = last_rung
            && day <= previous
        {
            day = calendar.workday_on_or_after(previous.succ_opt().unwrap_or(previous));
        }
        last_rung = Some(day);
        out.push(Stage {
            kind: if c.below.is_some() {
                Kind::BelowTarget
            } else if review {
                Kind::ReviewOverdue
            } else if rung.interview {
                Kind::Interview
            } else {
                Kind::Overdue
            },
            count: rung.after.count,
            unit: rung.after.unit,
            day,
            send_at: at(day),
            targets: rung.to.clone(),
            by: rung.by.clone(),
            letter: rung.letter.filter(|_| !review && c.below.is_none()),
        });
    }
    out.sort_by_key(|s| s.send_at);
    out
}

/// 未签收's own ladder: each rung counted from the day the acknowledgement was due (the hours
/// from the first notice, or the days or workdays after its day), never before that instant,
/// on a workday — for a task that asks for 签收 whose unit was told and has not acknowledged.
fn unacknowledged_stages(
    c: &Candidate,
    calendar: &Calendar,
    at: &dyn Fn(NaiveDate) -> DateTime<Utc>,
) -> Vec<Stage> {
    let (Some(within), Some((told_at, false))) = (c.ack_within, c.told) else {
        return Vec::new();
    };
    if c.review_of.is_some() || c.below.is_some() {
        return Vec::new();
    }
    let told = crate::clock::from_unix(told_at).with_timezone(&c.zone);
    let (due, due_day) = match within {
        crate::language::ast::AckWithin::Hours(h) => {
            let due = told + chrono::Duration::hours(i64::from(h));
            (due.to_utc(), due.date_naive())
        }
        crate::language::ast::AckWithin::Span(span) => {
            let Some(day) = shift(calendar, told.date_naive(), span, true) else {
                return Vec::new();
            };
            (end_of_day(c.zone, day).to_utc(), day)
        }
    };
    let mut out = Vec::new();
    for rung in &c.policy.unacknowledged {
        let Some(day) = shift(calendar, due_day, rung.after, true) else {
            continue;
        };
        let mut day = calendar.workday_on_or_after(day);
        // Not before the acknowledgement was due: a rung of 0 days after a due time later in
        // the day goes out the next workday.
        while at(day) < due {
            day = calendar.workday_on_or_after(day.succ_opt().unwrap_or(day));
        }
        out.push(Stage {
            kind: Kind::Unacknowledged,
            count: rung.after.count,
            unit: rung.after.unit,
            day,
            send_at: at(day),
            targets: rung.to.clone(),
            by: rung.by.clone(),
            letter: None,
        });
    }
    out
}

/// The day of each reminder `lead_times` before `due_date`: never a non-workday, the last
/// workday before instead.
pub fn reminder_days<'p>(
    calendar: &'p Calendar,
    due_date: NaiveDate,
    lead_times: &'p [Duration],
) -> impl Iterator<Item = (&'p Duration, NaiveDate)> + 'p {
    lead_times.iter().filter_map(move |lead| {
        let day = shift(calendar, due_date, *lead, false)?;
        Some((lead, calendar.workday_on_or_before(day)))
    })
}

/// `date` moved by `by`, forward or back.
pub(crate) fn shift(
    calendar: &Calendar,
    date: NaiveDate,
    by: Duration,
    forward: bool,
) -> Option<NaiveDate> {
    let (count, unit) = by.normalized();
    let count = if forward { count } else { -count };
    match unit {
        DurationUnit::Workdays => calendar.add_workdays(date, count),
        _ if count >= 0 => date.checked_add_days(Days::new(count as u64)),
        _ => date.checked_sub_days(Days::new(count.unsigned_abs())),
    }
}

/// The stage current at `t`: the latest reminder reached while the deadline has not passed, or
/// the latest rung reached after it.
pub fn current(c: &Candidate, calendar: &Calendar, t: DateTime<Utc>) -> Option<Stage> {
    let overdue = t >= c.due_at();
    stages(c, calendar)
        .into_iter()
        .rfind(|s| s.send_at <= t && s.kind.before() != overdue)
}

/// A notice due now: one stage of one obligation, to one mailbox.
#[derive(Clone, Debug)]
pub struct Notice {
    /// Which candidate (index into the planner's input).
    pub candidate: usize,
    /// The stage.
    pub stage: Stage,
    /// The mailbox.
    pub to: Addressee,
}

/// Every notice due at `t`, and the targets without a mailbox.
pub fn plan(
    candidates: &[Candidate],
    directory: &Directory,
    routes: &Routes,
    calendar: &Calendar,
    as_of: Instant,
) -> (Vec<Notice>, Vec<String>) {
    let mut notices = Vec::new();
    let mut missing = Vec::new();
    // The stage depends only on the policy, the zone and the deadline, which thousands of
    // candidates share.
    let mut stages: HashMap<(*const Policy, Tz, NaiveDate, bool), Option<Stage>> = HashMap::new();
    for (index, c) in candidates.iter().enumerate() {
        let key = (
            Arc::as_ptr(&c.policy),
            c.zone,
            c.due_date,
            c.review_of.is_some(),
        );
        // 未签收's own ladder, beside the rest (it depends on when this one was told).
        if let Some(stage) = current_unacknowledged(c, calendar, as_of.in_zone(c.zone)) {
            let (found, lacking) = addressees(&stage, c, directory, routes);
            missing.extend(
                lacking
                    .into_iter()
                    .map(|who| format!("{}: {who}", c.campaign)),
            );
            for to in found {
                notices.push(Notice {
                    candidate: index,
                    stage: stage.clone(),
                    to,
                });
            }
        }
        // A local `as_of` means that time in each campaign's own zone.
        let stage = stages
            .entry(key)
            .or_insert_with(|| current(c, calendar, as_of.in_zone(c.zone)));
        let Some(stage) = stage.clone() else {
            continue;
        };
        let (found, lacking) = addressees(&stage, c, directory, routes);
        missing.extend(
            lacking
                .into_iter()
                .map(|who| format!("{}: {who}", c.campaign)),
        );
        for to in found {
            notices.push(Notice {
                candidate: index,
                stage: stage.clone(),
                to,
            });
        }
    }
    missing.sort();
    missing.dedup();
    (notices, missing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::ast::ContactRole;
    use crate::language::campaign::Contact;
    use crate::language::campaign::Rung;
    use crate::vocabulary::Channel;
    use crate::vocabulary::Duration;

    fn candidate(due: &str) -> Candidate {
        Candidate {
            acknowledge: false,
            ack_within: None,
            told: None,
            obligation_id: 1,
            campaign_id: 1,
            campaign: "c".into(),
            zone: chrono_tz::Asia::Shanghai,
            deliverable: "统计表".into(),
            title: None,
            unit: "宛城区".into(),
            unit_order: 1,
            period: Some("2017-05".into()),
            due_date: NaiveDate::parse_from_str(due, "%Y-%m-%d").unwrap(),
            on_time_until: NaiveDate::parse_from_str(due, "%Y-%m-%d").unwrap(),
            returned: false,
            policy: Arc::new(Policy::default()),
            to: ["党风政风监督室".to_string()].into(),
            supervisors: ["市纪委".to_string()].into(),
            lead: [].into(),
            office: Some("党风政风监督室".into()),
            form: None,
            below: None,
            interviewed: false,
            review_of: None,
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse::<Instant>()
            .unwrap()
            .in_zone(chrono_tz::Asia::Shanghai)
    }

    #[test]
    fn reminders_avoid_non_workdays() {
        let calendar = Calendar::official();
        // Due Thursday 2017-10-12; 3 days before is Monday 10-09; 1 day before Wednesday 10-11.
        let labels: Vec<(String, NaiveDate)> = stages(&candidate("2017-10-12"), calendar)
            .into_iter()
            .map(|s| (s.label(), s.day))
            .collect();
        assert_eq!(
            labels[0],
            (
                "before:3d".into(),
                NaiveDate::from_ymd_opt(2017, 10, 9).unwrap()
            )
        );
        // Due Monday 2017-10-09 (after the National Day week): 3 days before is 10-06, a
        // holiday, so the reminder goes out on the make-up Saturday 09-30.
        let s = stages(&candidate("2017-10-09"), calendar);
        assert_eq!(s[0].day, NaiveDate::from_ymd_opt(2017, 9, 30).unwrap());
        assert_eq!(s[1].day, NaiveDate::from_ymd_opt(2017, 9, 30).unwrap());
        // Overdue 1 day after 2017-09-30 is 10-01, a holiday: it waits for 10-09.
        let s = stages(&candidate("2017-09-30"), calendar);
        let first_rung = s.iter().find(|s| s.kind == Kind::Overdue).unwrap();
        assert_eq!(
            first_rung.day,
            NaiveDate::from_ymd_opt(2017, 10, 9).unwrap()
        );
    }

    #[test]
    fn a_holiday_delays_the_ladder_but_never_swallows_a_rung() {
        let calendar = Calendar::official();
        // On time until Thursday 2023-09-28, before the Mid-Autumn and National Day holidays:
        // the 1-, 3- and 7-day rungs would all fall on the make-up Saturday 10-07. They go out
        // on successive workdays instead, lowest first (Sunday 10-08 is a make-up workday too).
        let s = stages(&candidate("2023-09-28"), calendar);
        let rungs: Vec<(String, NaiveDate)> = s
            .iter()
            .filter(|s| s.kind != Kind::Reminder)
            .map(|s| (s.label(), s.day))
            .collect();
        let day = |m, d| NaiveDate::from_ymd_opt(2023, m, d).unwrap();
        assert_eq!(rungs[0], ("overdue:1d".into(), day(10, 7)));
        assert_eq!(rungs[1], ("overdue:3d".into(), day(10, 8)));
        assert_eq!(rungs[2], ("overdue:7d".into(), day(10, 9)));
        let c = candidate("2023-09-28");
        let first = current(&c, calendar, at("2023-10-07T09:00")).map(|s| s.label());
        assert_eq!(
            first.as_deref(),
            Some("overdue:1d"),
            "the first notice is the first rung"
        );
    }

    #[test]
    fn only_the_current_stage_counts() {
        let calendar = Calendar::official();
        let c = candidate("2017-05-25");
        let label = |t| current(&c, calendar, at(t)).map(|s| s.label());
        assert_eq!(label("2017-05-22T08:59"), None);
        assert_eq!(label("2017-05-22T09:00").as_deref(), Some("before:3d"));
        assert_eq!(label("2017-05-24T09:00").as_deref(), Some("before:1d"));
        assert_eq!(label("2017-05-25T23:59").as_deref(), Some("before:1d"));
        // Past the deadline, no reminder is stale-sent: nothing until the first rung.
        assert_eq!(label("2017-05-26T08:00"), None);
        assert_eq!(label("2017-05-26T09:00").as_deref(), Some("overdue:1d"));
        // Down for a week: the notice of the right stage, not the ones missed.
        assert_eq!(label("2017-06-02T10:00").as_deref(), Some("overdue:7d"));
    }

    #[test]
    fn addressees_fall_back_and_report_what_is_missing() {
        let mut directory = Directory::default();
        let liaison = Contact {
            role: ContactRole::Liaison,
            name: Some("李四".into()),
            email: Some("lisi@example.org".into()),
            phone: None,
        };
        directory.add(
            1,
            "宛城区",
            Some("wancheng@example.org".into()),
            vec![liaison],
        );
        directory.add(1, "党风政风监督室", Some("nydfzf@126.com".into()), vec![]);
        let mut c = candidate("2017-05-25");
        Arc::make_mut(&mut c.policy).ladder = vec![Rung {
            after: Duration {
                count: 3,
                unit: DurationUnit::Days,
            },
            interview: false,
            to: vec![
                Escalate::Role(Role::Liaison),
                Escalate::Role(Role::Leader),
                Escalate::Role(Role::Office),
                Escalate::Role(Role::Supervisors),
            ],
            by: Channels::default(),
            letter: None,
        }];
        let stage = current(&c, Calendar::official(), at("2017-06-01T10:00")).unwrap();
        let (found, missing) = addressees(&stage, &c, &directory, &Routes::default());
        let addresses: Vec<(&str, Audience)> = found
            .iter()
            .map(|a| (a.address.as_str(), a.audience))
            .collect();
        assert_eq!(
            addresses,
            [
                ("lisi@example.org", Audience::Unit),
                ("wancheng@example.org", Audience::Unit),
                ("nydfzf@126.com", Audience::Supervisor)
            ]
        );
        assert_eq!(missing, ["市纪委"]);
    }

    #[test]
    fn other_channels_go_to_the_units_robot_and_the_persons_phone() {
        let mut directory = Directory::default();
        let person = |role, name: &str, phone: Option<&str>| Contact {
            role,
            name: Some(name.into()),
            email: None,
            phone: phone.map(str::to_string),
        };
        directory.add(
            1,
            "宛城区",
            None,
            vec![
                person(ContactRole::Liaison, "李四", Some("138 0000 0001")),
                person(ContactRole::Leader, "张三", Some("13800000002")),
            ],
        );
        directory.add(1, "卧龙区", None, vec![]);
        let routes = crate::notices::robots::RobotBook::parse(
            "[\"宛城区群\"]\nchannel = \"企业微信\"\nkey = \"k\"\nunits = [\"宛城区\"]\n",
        )
        .unwrap()
        .routes();
        let mut c = candidate("2017-05-25");
        Arc::make_mut(&mut c.policy).ladder = vec![Rung {
            after: Duration {
                count: 1,
                unit: DurationUnit::Days,
            },
            interview: false,
            to: vec![Escalate::Role(Role::Liaison), Escalate::Role(Role::Leader)],
            by: Channels::each(vec![vec![Channel::Wecom, Channel::Sms]; 2]),
            letter: None,
        }];
        let stage = current(&c, Calendar::official(), at("2017-05-26T10:00")).unwrap();
        let (found, missing) = addressees(&stage, &c, &directory, &routes);
        let shown: Vec<(&str, Vec<&str>)> = found
            .iter()
            .map(|a| {
                (
                    a.address.as_str(),
                    a.mobiles.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                // One message to the group, calling out both people.
                ("wecom:宛城区群", vec!["13800000001", "13800000002"]),
                ("sms:13800000001", vec![]),
                ("sms:13800000002", vec![]),
            ]
        );
        assert!(missing.is_empty(), "{missing:?}");
        c.unit = "卧龙区".into();
        let (found, missing) = addressees(&stage, &c, &directory, &routes);
        assert!(found.is_empty());
        assert_eq!(
            missing,
            [
                "卧龙区 联络员（企业微信）",
                "卧龙区 联络员（短信）",
                "卧龙区 分管领导（企业微信）",
                "卧龙区 分管领导（短信）"
            ]
        );
    }
}
