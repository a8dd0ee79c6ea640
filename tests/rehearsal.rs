//! Rehearsals and the real clock: a time of something done that lies in the future is refused
//! unless `--future` is given; recording never carries open-ended cadences past what today
//! needs; and records of a rehearsal met by a command on today's clock are refused rather than
//! brought up to today (whose reminders would go to real people).

use crate::common::Workspace;

const ONGOING: &str = "campaign ongoing-2017 {
  period 2017-01-01 .. 2017-06-30
}
unit 办公室
unit 甲
report 月报 {
  from 甲
  to 办公室
  due 每月25日前
  ongoing
}
";

fn workspace() -> Workspace {
    let w = Workspace::new(&[]);
    std::fs::write(w.campaign("ongoing-2017"), ONGOING).unwrap();
    w
}

/// The last period of 月报 in the records, at `as_of`.
fn last_period(w: &Workspace, as_of: &str) -> String {
    let rows = w.json(&["due", "--as-of", as_of, "--within", "36500"]);
    rows.as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["period"].as_str())
        .max()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_time_in_the_future_is_refused_unless_future_is_given() {
    let w = workspace();
    // Brought up to today, as an office's records are.
    w.ok(&["sync"]);
    let before = last_period(&w, "2017-05-01");
    let err = w
        .submit("ongoing-2017", "月报", "甲")
        .period("2017-05")
        .at("2199-01-01")
        .fails();
    assert!(err.contains("2199-01-01 00:00 is in the future"), "{err}");
    assert!(err.contains("--future"), "{err}");
    let history = w.ok(&[
        "history",
        "ongoing-2017",
        "月报",
        "甲",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-02",
    ]);
    assert!(
        !history.contains("submitted"),
        "nothing recorded: {history}"
    );
    // Given on purpose, it is recorded, and the schedule runs no further than before.
    let out = w
        .submit("ongoing-2017", "月报", "甲")
        .period("2017-05")
        .at("2199-01-01")
        .args(&["--future"])
        .ok();
    assert!(out.contains("recorded"), "{out}");
    assert_eq!(last_period(&w, "2017-05-01"), before);
    assert!(
        before.as_str() < "2190",
        "to the end of next year: {before}"
    );
}

#[test]
fn an_imported_row_in_the_future_is_refused_with_its_line() {
    let w = workspace();
    w.ok(&["sync", "--as-of", "2017-05-01"]);
    let csv = w.path().join("received.csv");
    std::fs::write(
        &csv,
        "campaign,deliverable,unit,period,at\nongoing-2017,月报,甲,2017-04,2017-04-20T10:00\nongoing-2017,月报,甲,2017-05,2071-05-20T10:00\n",
    )
    .unwrap();
    let err = w.fails(&["import", csv.to_str().unwrap(), "--as-of", "2017-05-21"]);
    assert!(
        err.contains(":3: submitted at 2071-05-20 10:00, in the future"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    let out = w.ok(&[
        "import",
        csv.to_str().unwrap(),
        "--as-of",
        "2017-05-21",
        "--future",
    ]);
    assert!(out.contains("2 recorded"), "{out}");
}

#[test]
fn a_rehearsals_records_are_not_brought_up_to_today_by_another_command() {
    let w = workspace();
    w.ok(&["sync", "--as-of", "2017-05-01"]);
    // Without --as-of, today would add every month since 2018, each overdue: what reaches
    // people (reminders) is refused.
    let err = w.fails(&["remind", "--dry-run"]);
    assert!(
        err.contains("ongoing-2017's records run to the end of 2018"),
        "{err}"
    );
    assert!(err.contains("--as-of"), "{err}");
    assert!(err.contains("duban sync"), "{err}");
    // A command that only reads answers from the records as they are, and carries nothing
    // forward.
    let status = w.ok(&["status"]);
    assert!(status.contains("月报"), "{status}");
    w.ok(&[
        "history",
        "ongoing-2017",
        "月报",
        "甲",
        "--period",
        "2017-05",
    ]);
    assert!(last_period(&w, "2017-05-01").starts_with("2018-"));
    // The rehearsal's own time goes on working, and an explicit sync brings it up to date.
    w.ok(&["status", "--as-of", "2017-06-01"]);
    w.ok(&["sync", "--as-of", "2026-12-02"]);
    w.ok(&["status", "--as-of", "2026-12-02"]);
    assert!(last_period(&w, "2017-05-01").starts_with("2027-"));
}
