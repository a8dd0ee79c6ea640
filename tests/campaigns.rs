//! The four seed campaigns: their compiled schedules, pinned by snapshots and checked by hand
//! against the documents.

use serde_json::Value;

use crate::common::{CAMPAIGNS, campaign, duban, schedule_json};

/// The one obligation of `deliverable` from `unit` for `period`.
fn find<'a>(all: &'a [Value], deliverable: &str, unit: &str, period: Option<&str>) -> &'a Value {
    let matches: Vec<&Value> = all
        .iter()
        .filter(|o| {
            o["deliverable"] == deliverable && o["unit"] == unit && o["period"].as_str() == period
        })
        .collect();
    assert_eq!(matches.len(), 1, "{deliverable} {unit} {period:?}");
    matches[0]
}

#[test]
fn schedules_match_their_snapshots() {
    for name in CAMPAIGNS {
        let file = campaign(name);
        // 古路's yearly summary runs past the campaign; show two years of it.
        let run = duban(&["schedule", file.to_str().unwrap(), "--to", "2024-12-31"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        insta::assert_snapshot!(format!("schedule-{name}"), run.stdout);
    }
}

#[test]
fn nanyang_statistics_table_is_due_on_the_25th() {
    let all = schedule_json("nanyang-2017", &[]);
    let o = find(&all, "统计表", "宛城区", Some("2017-05"));
    assert_eq!(o["due_date"], "2017-05-25");
    assert_eq!(o["due_at"], "2017-05-26T00:00:00+08:00");
    assert_eq!(o["to"], serde_json::json!(["党风政风监督室"]));
    assert_eq!(o["form"], "附件3 统计表");
    let months = all
        .iter()
        .filter(|o| o["deliverable"] == "统计表" && o["unit"] == "宛城区")
        .count();
    assert_eq!(months, 9, "April to December");
    let summary = find(&all, "自查自纠总结", "市财政局", None);
    assert_eq!(summary["due_date"], "2017-06-05");
    assert_eq!(
        summary["signers"],
        serde_json::json!(["同级党委", "同级纪检监察机关"])
    );
}

#[test]
fn yichun_reports_fall_after_the_month_and_the_phase() {
    let all = schedule_json("yichun-2016", &[]);
    assert_eq!(
        find(&all, "月报", "袁州区", Some("2016-06"))["due_date"],
        "2016-07-05"
    );
    assert_eq!(
        find(&all, "月报", "袁州区", Some("2017-05"))["due_date"],
        "2017-06-05"
    );
    // 综合治理 starts 2016-08-31, the day after 自查自纠 ends: its report is due 5 days later.
    assert_eq!(
        find(&all, "阶段工作情况", "袁州区", Some("自查自纠"))["due_date"],
        "2016-09-05"
    );
    let department = find(&all, "部门月报", "袁州区直相关职能部门", Some("2016-06"));
    assert_eq!(
        department["to"],
        serde_json::json!(["袁州区", "市直相关职能部门"])
    );
}

#[test]
fn qianyang_monthly_report_covers_the_previous_month() {
    let all = schedule_json("qianyang-2023", &[]);
    assert_eq!(
        find(&all, "月报告", "城关镇", Some("2023-03"))["due_date"],
        "2023-04-25"
    );
    assert_eq!(
        find(&all, "分管领导及联络员名单", "高崖镇", None)["due_date"],
        "2023-03-31"
    );
    let target = find(&all, "衔接资金支出进度", "县乡村振兴局", Some("2023-06-30"));
    assert_eq!(target["threshold"], "≥ 50%");
    assert_eq!(target["item"], "项目资金管理");
}

#[test]
fn gulu_lists_are_reviewed_and_the_summary_is_yearly() {
    let all = schedule_json("gulu-2023", &["--to", "2024-12-31"]);
    let list = find(&all, "问题清单", "各村", None);
    assert_eq!(list["due_date"], "2023-07-18");
    assert_eq!(list["reviewer"], "各驻村组");
    assert_eq!(
        list["signers"],
        serde_json::json!(["村书记", "驻村领导", "经办人员"])
    );
    assert_eq!(
        find(&all, "年度工作总结", "镇村建中心", Some("2023"))["due_date"],
        "2023-12-30"
    );
    assert_eq!(
        find(&all, "年度工作总结", "镇村建中心", Some("2024"))["due_date"],
        "2024-12-30"
    );
    assert_eq!(
        find(&all, "加强财务管理", "镇纪委", None)["due_date"],
        "2023-10-31"
    );
}

#[test]
fn json_has_the_documented_keys() {
    for name in CAMPAIGNS {
        for o in schedule_json(name, &[]) {
            for key in [
                "campaign",
                "deliverable",
                "unit",
                "period",
                "due_date",
                "due_at",
                "to",
                "form",
            ] {
                assert!(o.get(key).is_some(), "{name}: {key} missing in {o}");
            }
            let due_at = o["due_at"].as_str().unwrap();
            assert!(
                chrono::DateTime::parse_from_rfc3339(due_at).is_ok(),
                "{due_at}"
            );
        }
    }
}

#[test]
fn ics_has_one_event_per_obligation_in_folded_lines() {
    let file = campaign("nanyang-2017");
    let run = duban(&["schedule", file.to_str().unwrap(), "--format", "ics"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let todos = run.stdout.matches("BEGIN:VEVENT").count();
    assert_eq!(todos, schedule_json("nanyang-2017", &[]).len());
    assert_eq!(todos, run.stdout.matches("END:VEVENT").count());
    for line in run.stdout.split("\r\n") {
        assert!(line.len() <= 75, "{line}");
    }
    assert!(run.stdout.contains("DTSTART;VALUE=DATE:20170525"));
    let uids: std::collections::HashSet<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("UID:"))
        .collect();
    assert_eq!(uids.len(), todos, "UIDs are unique");
}

/// 宜春 gives its phases by their end dates alone: `duban phases` shows where each starts.
#[test]
fn phases_show_the_window_each_phase_resolves_to() {
    let file = campaign("yichun-2016");
    let run = duban(&["phases", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let phases: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let windows: Vec<(&str, &str, &str)> = phases
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["start"].as_str().unwrap(),
                p["end"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        windows,
        [
            ("动员部署", "2016-06-01", "2016-06-30"),
            ("自查自纠", "2016-07-01", "2016-08-30"),
            ("综合治理", "2016-08-31", "2017-04-30"),
            ("总结提高", "2017-05-01", "2017-05-31"),
        ]
    );
    let table = duban(&["phases", file.to_str().unwrap()]);
    assert!(
        table
            .stdout
            .ends_with("yichun-2016: 2016-06-01 – 2017-05-31, 4 phases\n"),
        "{}",
        table.stdout
    );
}
