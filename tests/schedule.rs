//! `duban schedule`: filters, formats and bad arguments.

use crate::common::{campaign, duban, schedule_json};

#[test]
fn filters_by_unit_deliverable_and_dates() {
    let all = schedule_json(
        "nanyang-2017",
        &[
            "--unit",
            "宛城区",
            "--deliverable",
            "统计表",
            "--from",
            "2017-06-01",
            "--to",
            "2017-08-31",
        ],
    );
    let periods: Vec<&str> = all.iter().map(|o| o["period"].as_str().unwrap()).collect();
    assert_eq!(periods, ["2017-06", "2017-07", "2017-08"]);
    let group = schedule_json(
        "nanyang-2017",
        &["--unit", "县区", "--deliverable", "工作方案"],
    );
    assert_eq!(group.len(), 13);
}

#[test]
fn unknown_names_are_errors_with_a_suggestion() {
    let file = campaign("nanyang-2017");
    let run = duban(&["schedule", file.to_str().unwrap(), "--unit", "宛城去"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `宛城区`?"),
        "{}",
        run.stderr
    );
    let run = duban(&["schedule", file.to_str().unwrap(), "--deliverable", "统计"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown deliverable `统计`"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_invalid_campaign_prints_its_errors_and_exits_2() {
    let run = duban(&["schedule", "tests/fixtures/reject/unknown-unit.campaign"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown unit or group `卧龙去`"),
        "{}",
        run.stderr
    );
}

#[test]
fn csv_has_a_header_and_one_row_per_obligation() {
    let file = campaign("qianyang-2023");
    let run = duban(&["schedule", file.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("campaign,deliverable,kind,unit,period,due_date"));
    assert_eq!(lines.len() - 1, schedule_json("qianyang-2023", &[]).len());
}

/// Display columns at which the fields of a table line start.
fn field_starts(line: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut width = 0;
    let mut spaces = 2;
    for c in line.chars() {
        if c == ' ' {
            spaces += 1;
        } else {
            if spaces >= 2 {
                starts.push(width);
            }
            spaces = 0;
        }
        width += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    }
    starts
}

#[test]
fn the_table_lines_up_chinese_text() {
    let file = campaign("gulu-2023");
    let run = duban(&["schedule", file.to_str().unwrap()]);
    let header = field_starts(run.stdout.lines().next().unwrap());
    assert_eq!(header.len(), 6, "{}", run.stdout);
    for row in run.stdout.lines().filter(|l| l.starts_with("2023-")) {
        let starts = field_starts(row);
        assert_eq!(starts[..], header[..starts.len()], "{row}");
    }
}

#[test]
fn holiday_shifting_moves_a_deadline_off_a_holiday() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shift.campaign");
    std::fs::write(
        &path,
        "campaign shift {\n  period 2017-09-01 .. 2017-12-31\n  holidays next-workday\n}\nunit a\n\
         report r {\n  from a\n  due 2017-10-01\n}\nreport p {\n  from a\n  due 2017-10-01\n  holidays previous-workday\n}\n",
    )
    .unwrap();
    let run = duban(&["schedule", path.to_str().unwrap(), "--format", "json"]);
    let all: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let due =
        |name: &str| all.iter().find(|o| o["deliverable"] == name).unwrap()["due_date"].clone();
    assert_eq!(due("r"), "2017-10-09", "after the National Day week");
    assert_eq!(due("p"), "2017-09-30", "a make-up Saturday is a workday");
    let table = duban(&["schedule", path.to_str().unwrap()]);
    assert!(table.stdout.contains("2017-10-09*"), "{}", table.stdout);
}

#[test]
fn a_unit_owes_only_what_falls_due_while_it_is_on_the_roll() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("merged.campaign");
    std::fs::write(
        &path,
        "campaign merged {\n  period 2017-01-01 .. 2017-12-31\n}\ngroup 各镇 { 甲镇 乙镇 }\n\
         单位 乙镇 { 在册 2017年1月1日 至 2017年6月30日 }   # merged into 甲镇 on 7月1日\n\
         report 月报 {\n  from 各镇\n  due every month by day 25\n}\n",
    )
    .unwrap();
    let run = duban(&["schedule", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let count = |unit: &str| all.iter().filter(|o| o["unit"] == unit).count();
    assert_eq!((count("甲镇"), count("乙镇")), (12, 6));
}
