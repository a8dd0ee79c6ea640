//! Calendars out: `schedule --format ics` and `duban ics --unit`, read back by a real iCalendar
//! parser (the `icalendar` crate's): all-day events on the stated date with an alarm for each
//! reminder, to-dos with `--todo`, done ones marked done, and SEQUENCE and LAST-MODIFIED that
//! grow when a re-export carries a moved deadline, under the same UID.

use std::time::{Duration, SystemTime};

use icalendar::parser::{Component, read_calendar, unfold};

use crate::common::{Workspace, duban};

/// The components of an export, as the parser reads them (an unreadable one fails the test).
fn components(text: &str) -> Vec<Component<'static>> {
    let unfolded: &'static str = Box::leak(unfold(text).into_boxed_str());
    let calendar = read_calendar(unfolded).unwrap_or_else(|e| panic!("{e}\n{text}"));
    // The typed reading must take it too.
    let typed: icalendar::Calendar = text.parse().unwrap();
    assert_eq!(typed.components.len(), calendar.components.len());
    calendar.components
}

fn prop(c: &Component<'_>, name: &str) -> String {
    c.find_prop(name)
        .map(|p| p.val.as_str().to_string())
        .unwrap_or_default()
}

/// The component whose summary starts with `summary`.
fn find<'c>(all: &'c [Component<'static>], summary: &str) -> &'c Component<'static> {
    all.iter()
        .find(|c| prop(c, "SUMMARY").contains(summary))
        .unwrap_or_else(|| panic!("no {summary}"))
}

fn triggers(c: &Component<'_>) -> Vec<String> {
    c.components
        .iter()
        .filter(|a| a.name == "VALARM")
        .map(|a| prop(a, "TRIGGER"))
        .collect()
}

fn set_modified(path: &std::path::Path, unix: u64) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(unix))
        .unwrap();
}

#[test]
fn a_schedule_becomes_all_day_events_with_an_alarm_per_reminder() {
    let w = Workspace::new(&["nanyang-2017"]);
    let file = w.campaign("nanyang-2017");
    let path = file.to_str().unwrap();
    set_modified(&file, 1_493_596_800); // 2017-05-01T00:00:00Z
    let run = duban(&["schedule", path, "--unit", "宛城区", "--format", "ics"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let events = components(&run.stdout);
    assert!(events.iter().all(|c| c.name == "VEVENT"));
    let listed = crate::common::schedule_json("nanyang-2017", &["--unit", "宛城区"]);
    assert_eq!(events.len(), listed.len());
    let may = find(&events, "统计表（2017-05） — 宛城区");
    assert_eq!(prop(may, "DTSTART"), "20170525");
    assert_eq!(prop(may, "DTEND"), "20170526", "the whole day");
    // 3 and 1 days before at 09:00: Monday the 22nd and Wednesday the 24th.
    assert_eq!(triggers(may), ["-P2DT15H", "-PT15H"]);
    // June's falls due on Sunday the 25th: the day-before reminder goes out on Friday.
    let june = find(&events, "统计表（2017-06） — 宛城区");
    assert_eq!(prop(june, "DTSTART"), "20170625");
    assert_eq!(triggers(june), ["-P2DT15H", "-P1DT15H"]);
    assert_eq!(prop(may, "LAST-MODIFIED"), "20170501T000000Z");
    let first_sequence: i64 = prop(may, "SEQUENCE").parse().unwrap();
    let uid = prop(may, "UID");

    // The deadline moves to the 26th in a later edit: same UID, a higher SEQUENCE.
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text.replacen("  时限 每月25日前", "  时限 每月26日前", 1);
    assert_ne!(edited, text, "the campaign says 每月25日前");
    std::fs::write(&file, edited).unwrap();
    set_modified(&file, 1_496_275_200); // 2017-06-01T00:00:00Z
    let run = duban(&["schedule", path, "--unit", "宛城区", "--format", "ics"]);
    let events = components(&run.stdout);
    let moved = find(&events, "统计表（2017-05） — 宛城区");
    assert_eq!(prop(moved, "UID"), uid);
    assert_eq!(prop(moved, "DTSTART"), "20170526");
    assert!(prop(moved, "SEQUENCE").parse::<i64>().unwrap() > first_sequence);
    assert_eq!(prop(moved, "LAST-MODIFIED"), "20170601T000000Z");

    let run = duban(&[
        "schedule",
        path,
        "--unit",
        "宛城区",
        "--format",
        "ics",
        "--todo",
    ]);
    let todos = components(&run.stdout);
    assert!(todos.iter().all(|c| c.name == "VTODO"));
    let may = find(&todos, "统计表（2017-05） — 宛城区");
    assert_eq!(prop(may, "DUE"), "20170526");
    assert_eq!(prop(may, "STATUS"), "NEEDS-ACTION");
    assert_eq!(triggers(may).len(), 2);
}

#[test]
fn a_units_calendar_from_the_records_marks_done_what_is_done() {
    let w = Workspace::new(&["nanyang-2017"]);
    w.ok(&["sync", "--as-of", "2017-05-20"]);
    w.submit("nanyang-2017", "统计表", "宛城区")
        .period("2017-05")
        .at("2017-05-24T10:00")
        .ok();
    w.ok(&[
        "extend",
        "nanyang-2017",
        "自查自纠总结",
        "宛城区",
        "--until",
        "2017-06-09",
        "--reason",
        "核实台账",
        "--at",
        "2017-05-26",
    ]);
    let ics = |as_of: &str, more: &[&str]| {
        let mut args = vec!["ics", "--unit", "宛城区", "--as-of", as_of];
        args.extend_from_slice(more);
        components(&w.ok(&args))
    };
    let todos = ics("2017-05-27", &["--todo"]);
    let done = find(&todos, "统计表（2017-05） — 宛城区");
    assert_eq!(prop(done, "STATUS"), "COMPLETED");
    assert_eq!(prop(done, "COMPLETED"), "20170524T020000Z");
    assert!(triggers(done).is_empty(), "nothing to remind of");
    let open = find(&todos, "统计表（2017-06） — 宛城区");
    assert_eq!(prop(open, "STATUS"), "NEEDS-ACTION");
    assert_eq!(triggers(open).len(), 2);
    let extended = find(&todos, "自查自纠总结 — 宛城区");
    assert_eq!(prop(extended, "DUE"), "20170609", "the extended deadline");
    assert!(prop(extended, "DESCRIPTION").contains("已延期"));

    // As it stood before it was sent, and before the extension: still to do, by the old day.
    let before = ics("2017-05-23", &["--todo"]);
    let owed = find(&before, "统计表（2017-05） — 宛城区");
    assert_eq!(prop(owed, "STATUS"), "NEEDS-ACTION");
    let not_yet = find(&before, "自查自纠总结 — 宛城区");
    assert!(!prop(not_yet, "DESCRIPTION").contains("已延期"));

    let events = ics("2017-05-27", &[]);
    let done = find(&events, "统计表（2017-05） — 宛城区");
    assert!(prop(done, "SUMMARY").starts_with("【已完成】"));
    // A later export replaces the earlier one in a client.
    let later = ics("2017-05-28", &[]);
    let sequence = |c: &[Component<'static>]| -> i64 {
        prop(find(c, "统计表（2017-06）"), "SEQUENCE")
            .parse()
            .unwrap()
    };
    assert!(sequence(&later) > sequence(&events));

    let err = w.fails(&["ics", "--unit", "宛城去", "--as-of", "2017-05-27"]);
    assert!(err.contains("unknown unit `宛城去`"), "{err}");
    assert!(err.contains("宛城区"), "{err}");
}
