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

#[test]
fn a_broken_holiday_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[[notice]]\nyear = \"x\"\n").unwrap();
    let run = duban(&["--holidays", file.to_str().unwrap(), "calendar", "2017"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bad.toml"), "{}", run.stderr);
}
