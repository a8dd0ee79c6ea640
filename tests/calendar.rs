//! `duban calendar` and user holiday files.

use crate::common::duban;

#[test]
fn shows_holidays_and_makeup_days_of_a_year() {
    let run = duban(&["calendar", "2017"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    let json = duban(&["calendar", "2026", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["year"], 2026);
    assert!(
        value["days"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["off"] == false)
    );
}

#[test]
fn an_unknown_year_is_an_error_until_a_file_supplies_it() {
    let run = duban(&["calendar", "2027"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--holidays"), "{}", run.stderr);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("2027.toml");
    std::fs::write(
        &file,
        "[[notice]]\nyear = 2027\nholidays.\"元旦\" = { off = [\"2027-01-01\"] }\n",
    )
    .unwrap();
    let run = duban(&["--holidays", file.to_str().unwrap(), "calendar", "2027"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("2027-01-01"));
}

#[test]
fn a_deadline_in_an_unknown_year_warns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late.campaign");
    std::fs::write(&path, "campaign late {\n  period 2027-01-01 .. 2027-12-31\n}\nunit a\nreport r {\n  from a\n  due 2027-03-01\n}\n").unwrap();
    let run = duban(&["check", path.to_str().unwrap()]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains("no holiday calendar for 2027"),
        "{}",
        run.stderr
    );
}

/// Two campaigns reaching into the same unknown year: one warning in a run, whichever command
/// reads them.
#[test]
fn an_unknown_year_is_warned_about_once_per_run() {
    let w = crate::common::Workspace::new(&[]);
    for name in ["a", "b"] {
        std::fs::write(
            w.path().join(format!("campaigns/{name}.campaign")),
            format!("campaign {name} {{\n  period 2030-01-01 .. 2030-12-31\n}}\nunit 甲\nreport r {{\n  from 甲\n  due every month by day 25\n}}\n"),
        )
        .unwrap();
    }
    let count = |stderr: &str| stderr.matches("no holiday calendar for 2030").count();
    let run = w.run(&["check", "campaigns/a.campaign", "campaigns/b.campaign"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(count(&run.stderr), 1, "{}", run.stderr);
    let run = w.run(&["sync", "--as-of", "2030-01-01"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(count(&run.stderr), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("duban calendar import FILE"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_broken_holiday_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[[notice]]\nyear = \"x\"\n").unwrap();
    let run = duban(&["--holidays", file.to_str().unwrap(), "calendar", "2017"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bad.toml"), "{}", run.stderr);
}

/// A year the shipped calendar lacks is imported once into the office's own calendars and used
/// by every command from then on; a file with no notice is refused and nothing is kept.
#[test]
fn a_year_is_imported_into_the_offices_calendars() {
    let w = crate::common::Workspace::new(&[]);
    let notice = r#"{"year": 2031, "papers": [], "days": [
        {"name": "劳动节", "date": "2031-05-01", "isOffDay": true},
        {"name": "劳动节", "date": "2031-05-02", "isOffDay": true},
        {"name": "劳动节", "date": "2031-05-04", "isOffDay": false}
    ]}"#;
    std::fs::write(w.path().join("2031.json"), notice).unwrap();
    std::fs::write(
        w.path().join("empty.json"),
        r#"{"year": 2032, "papers": [], "days": []}"#,
    )
    .unwrap();
    assert_eq!(w.run(&["calendar", "2031"]).code, 2);
    let error = w.fails(&["calendar", "import", "empty.json"]);
    assert!(error.contains("holds no holiday notice"), "{error}");
    assert!(!w.path().join("calendars").exists(), "nothing kept");
    let out = w.ok(&["calendar", "import", "2031.json"]);
    assert!(out.contains("imported the holiday notice of 2031"), "{out}");
    let shown = w.ok(&["calendar", "2031", "--format", "json"]);
    assert!(shown.contains("2031-05-04"), "{shown}");
    // A deadline on the holiday is late only after the first workday after it.
    std::fs::write(
        w.path().join("campaigns/c.campaign"),
        "campaign c {\n  period 2031-04-01 .. 2031-06-30\n}\nunit 甲\nreport r {\n  from 甲\n  due 2031-05-01\n}\n",
    )
    .unwrap();
    let run = w.run(&["schedule", "campaigns/c.campaign", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stderr.contains("no holiday calendar"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("2031-05-05T00:00:00+08:00"),
        "{}",
        run.stdout
    );
}
