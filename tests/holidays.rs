//! The holiday rule of 民法典 第二百零三条, the default: a deadline on a rest day or a holiday is
//! told as the document gives it, but is late only after the end of the first workday after.
//! The three seed deadlines the issue names, and the opt-outs.

use crate::common::{Workspace, schedule_json};

/// (due_date, due_at) of the first obligation of `campaign` matching `pick`.
fn dates(campaign: &str, pick: impl Fn(&serde_json::Value) -> bool) -> (String, String) {
    let all = schedule_json(campaign, &[]);
    let o = all.iter().find(|o| pick(o)).expect("the obligation");
    (
        o["due_date"].as_str().unwrap().to_string(),
        o["due_at"].as_str().unwrap().to_string(),
    )
}

#[test]
fn the_seed_deadlines_in_holidays_end_on_the_first_workday_after() {
    // 宜春's September report, due in the National Day holiday: the 8th is a make-up workday.
    let yichun = dates("yichun-2016", |o| {
        o["deliverable"] == "月报" && o["period"] == "2016-09"
    });
    assert_eq!(
        yichun,
        ("2016-10-05".into(), "2016-10-09T00:00:00+08:00".into())
    );
    // 千阳's ≥ 75 % target on 30 September 2023: Saturday 7 October is a make-up workday.
    let qianyang = dates("qianyang-2023", |o| {
        o["due_date"] == "2023-09-30" && o["threshold"] == "≥ 75%"
    });
    assert_eq!(
        qianyang,
        ("2023-09-30".into(), "2023-10-08T00:00:00+08:00".into())
    );
    // 古路's yearly summary on Saturday 30 December 2023, with New Year's Day after it.
    let gulu = dates("gulu-2023", |o| {
        o["deliverable"] == "年度工作总结" && o["due_date"] == "2023-12-30"
    });
    assert_eq!(
        gulu,
        ("2023-12-30".into(), "2024-01-03T00:00:00+08:00".into())
    );
}

#[test]
fn nobody_is_overdue_before_the_legal_last_day_has_passed() {
    let w = Workspace::new(&["yichun-2016"]);
    let late = |as_of: &str| -> Vec<i64> {
        let rows = w.json(&["overdue", "--as-of", as_of, "--deliverable", "月报"]);
        rows.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["period"] == "2016-09")
            .map(|r| r["days_overdue"].as_i64().unwrap())
            .collect()
    };
    assert!(
        late("2016-10-08T23:59").is_empty(),
        "the 8th is the legal last day"
    );
    let next_day = late("2016-10-09T09:00");
    assert!(
        !next_day.is_empty() && next_day.iter().all(|d| *d == 1),
        "{next_day:?}"
    );
    // The listing shows both the date units were told and when lateness began, as does `due`
    // before it.
    for (command, as_of) in [("overdue", "2016-10-09T09:00"), ("due", "2016-10-01")] {
        let mut args = vec![command, "--as-of", as_of, "--deliverable", "月报"];
        if command == "due" {
            args.extend(["--within", "7d"]);
        }
        let rows = w.json(&args);
        let row = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["period"] == "2016-09")
            .unwrap_or_else(|| panic!("{command}: {rows:#}"));
        assert_eq!(
            (
                row["due_date"].as_str(),
                row["due_at"].as_str(),
                row["on_time_until"].as_str()
            ),
            (
                Some("2016-10-05"),
                Some("2016-10-09T00:00:00+08:00"),
                Some("2016-10-08")
            ),
            "{command}"
        );
        // The table shows where the date moved, so that the days read right beside it; the CSV
        // has the last on-time day as its last column.
        let table = w.ok(&args);
        let line = table
            .lines()
            .find(|l| l.contains("2016-10-05"))
            .unwrap_or_else(|| panic!("{command}: {table}"));
        assert!(line.contains("2016-10-05→10-08"), "{command}: {table}");
        args.extend(["--format", "csv"]);
        let csv = w.ok(&args);
        let mut lines = csv.lines();
        assert!(
            lines.next().unwrap().ends_with(",on_time_until"),
            "{command}: {csv}"
        );
        assert!(
            lines.any(|l| l.contains(",2016-10-05,") && l.ends_with(",2016-10-08")),
            "{command}: {csv}"
        );
    }
    // No overdue notice about it on the legal last day (a reminder is fine)...
    let september = "月报表（2016年9月）";
    let run = w.ok(&["remind", "--dry-run", "--as-of", "2016-10-08T09:05"]);
    assert!(
        !run.lines()
            .any(|l| l.contains("【催办】") && l.contains(september)),
        "{run}"
    );
    // ...and the first one, the morning after, is the first rung: one day overdue.
    let run = w.ok(&["remind", "--dry-run", "--as-of", "2016-10-09T09:05"]);
    let subjects: Vec<&str> = run
        .lines()
        .filter(|l| l.contains("【催办】") && l.contains(september))
        .collect();
    assert!(!subjects.is_empty(), "{run}");
    assert!(
        subjects.iter().all(|s| s.ends_with("已逾期1天")),
        "{subjects:#?}"
    );
}

#[test]
fn a_campaign_may_opt_out_strictly_or_move_the_date_back() {
    let w = Workspace::new(&[]);
    let text = |rule: &str| {
        format!(
            "campaign c {{\n  period 2023-09-01 .. 2023-12-31\n}}\nunit 甲\n\
             report r {{\n  from 甲\n  due 2023-09-30\n  holidays {rule}\n}}\n"
        )
    };
    let path = w.path().join("campaigns/c.campaign");
    for (rule, expected) in [
        ("legal", ("2023-09-30", "2023-10-08T00:00:00+08:00")),
        ("依法顺延", ("2023-09-30", "2023-10-08T00:00:00+08:00")),
        ("strict", ("2023-09-30", "2023-10-01T00:00:00+08:00")),
        ("不顺延", ("2023-09-30", "2023-10-01T00:00:00+08:00")),
        ("keep", ("2023-09-30", "2023-10-01T00:00:00+08:00")),
        ("提前", ("2023-09-28", "2023-09-29T00:00:00+08:00")),
        ("next-workday", ("2023-10-07", "2023-10-08T00:00:00+08:00")),
    ] {
        std::fs::write(&path, text(rule)).unwrap();
        let rows = w.json(&["schedule", path.to_str().unwrap()]);
        let o = &rows[0];
        assert_eq!(
            (
                o["due_date"].as_str().unwrap(),
                o["due_at"].as_str().unwrap()
            ),
            expected,
            "holidays {rule}"
        );
    }
}

#[test]
fn a_year_without_a_holiday_notice_draws_one_warning() {
    let file = crate::common::campaign("gulu-2023");
    let run = crate::common::duban(&["schedule", file.to_str().unwrap(), "--to", "2028-12-31"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for year in ["2027", "2028"] {
        let warnings = run
            .stderr
            .lines()
            .filter(|l| l.starts_with(&format!("warning: no holiday calendar for {year}")))
            .count();
        assert_eq!(warnings, 1, "{year}: {}", run.stderr);
    }
}
