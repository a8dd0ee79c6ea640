//! The phrases of real campaign documents (issue 9, section 3), compiled by the real binary: each
//! comes out on the dates the document means. The campaign is `examples/17-document-phrases`.

use std::collections::BTreeMap;

use crate::common::{Workspace, duban, root};

/// Due dates per deliverable, with the period each covers, from `duban schedule --format json`.
fn due_dates(file: &str, extra: &[&str]) -> BTreeMap<String, Vec<(String, String)>> {
    let mut args = vec!["schedule", file, "--format", "json"];
    args.extend_from_slice(extra);
    let run = duban(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for row in rows {
        let text = |key: &str| row[key].as_str().unwrap_or("—").to_string();
        out.entry(text("deliverable"))
            .or_default()
            .push((text("period"), text("due_date")));
    }
    out
}

const EXAMPLE: &str = "examples/17-document-phrases.campaign";

fn dates_of(all: &BTreeMap<String, Vec<(String, String)>>, name: &str) -> Vec<String> {
    all.get(name)
        .unwrap_or_else(|| panic!("{name} has no obligation"))
        .iter()
        .map(|(_, due)| due.clone())
        .collect()
}

#[test]
fn durations_with_nei_count_from_phases_and_notices() {
    let all = due_dates(EXAMPLE, &[]);
    // 通知 is due Wednesday 2017-03-01; five workdays after it is the next Wednesday.
    assert_eq!(dates_of(&all, "实施方案"), ["2017-03-08"]);
    // 自查自纠 ends 2017-06-30: ten days after, and three days after.
    assert_eq!(dates_of(&all, "自查报告"), ["2017-07-10"]);
    assert_eq!(dates_of(&all, "阶段小结"), ["2017-07-03"]);
}

#[test]
fn several_dates_and_several_days_per_period() {
    let all = due_dates(EXAMPLE, &[]);
    assert_eq!(
        all["进展情况"],
        [
            ("2017-06-30".to_string(), "2017-06-30".to_string()),
            ("2017-07-31".to_string(), "2017-07-31".to_string())
        ]
    );
    assert_eq!(
        dates_of(&all, "半月报")[..4],
        ["2017-03-05", "2017-03-20", "2017-04-05", "2017-04-20"]
    );
    assert_eq!(dates_of(&all, "半月报").len(), 8);
    let briefs = dates_of(&all, "工作简报");
    assert_eq!(
        briefs[..4],
        ["2017-01-03", "2017-01-06", "2017-01-10", "2017-01-13"]
    );
    // Each occurrence is named by its date: one deliverable, not two.
    assert!(all["工作简报"].iter().all(|(period, due)| period == due));
}

#[test]
fn periods_of_two_weeks_half_months_and_half_years() {
    let all = due_dates(EXAMPLE, &[]);
    // Fortnights start with the campaign's first week (2016-W52, as 2017-01-01 is a Sunday);
    // each is due on the Friday of its second week.
    assert_eq!(
        all["双周报"]
            .iter()
            .map(|(p, _)| p.as_str())
            .collect::<Vec<_>>(),
        ["2016-W52", "2017-W02", "2017-W04", "2017-W06"]
    );
    assert_eq!(
        dates_of(&all, "双周报"),
        ["2017-01-06", "2017-01-20", "2017-02-03", "2017-02-17"]
    );
    assert_eq!(
        all["半月统计"],
        [
            ("2017-01-H1", "2017-01-15"),
            ("2017-01-H2", "2017-01-31"),
            ("2017-02-H1", "2017-02-15"),
            ("2017-02-H2", "2017-02-28")
        ]
        .map(|(p, d)| (p.to_string(), d.to_string()))
    );
    assert_eq!(dates_of(&all, "半年总结"), ["2017-06-30", "2017-12-31"]);
    assert_eq!(dates_of(&all, "年中报告"), ["2017-06-30"]);
    // The last workday of January 2017 is the 26th: the Spring Festival holiday starts on the 27th.
    assert_eq!(dates_of(&all, "月末台账"), ["2017-01-26", "2017-02-28"]);
}

#[test]
fn parts_of_months_first_month_and_year_end() {
    let all = due_dates(EXAMPLE, &[]);
    assert_eq!(dates_of(&all, "月初报"), ["2017-01-05", "2017-02-05"]);
    assert_eq!(dates_of(&all, "月中报"), ["2017-01-15", "2017-02-15"]);
    assert_eq!(dates_of(&all, "元月报告"), ["2017-01-10"]);
    assert_eq!(dates_of(&all, "七月初报告"), ["2017-07-05"]);
    assert_eq!(dates_of(&all, "年终总结"), ["2017-12-31"]);
}

#[test]
fn an_open_ended_phase_runs_past_the_campaign_to_the_horizon() {
    let all = due_dates(EXAMPLE, &[]);
    // The default horizon is the end of the year after the campaign.
    assert_eq!(
        dates_of(&all, "长效季报"),
        [
            "2017-09-30",
            "2017-12-31",
            "2018-03-31",
            "2018-06-30",
            "2018-09-30",
            "2018-12-31"
        ]
    );
    let to = due_dates(EXAMPLE, &["--to", "2019-06-30"]);
    assert_eq!(dates_of(&to, "长效季报").len(), 8);
    let run = duban(&["phases", EXAMPLE, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let phases: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(phases[2]["name"], "长效管理");
    assert_eq!(phases[2]["end"], serde_json::Value::Null);
}

#[test]
fn standing_duties_are_listed_and_never_overdue() {
    let run = duban(&["schedule", EXAMPLE]);
    assert!(run.stdout.contains("问题线索"), "{}", run.stdout);
    assert!(run.stdout.contains("甲县、乙县"), "{}", run.stdout);
    let all = due_dates(EXAMPLE, &[]);
    assert!(!all.contains_key("问题线索"));

    let w = Workspace::new(&[]);
    std::fs::copy(
        root().join(EXAMPLE),
        w.path().join("campaigns/phrases.campaign"),
    )
    .unwrap();
    let status = w.ok(&["status", "--as-of", "2030-01-01"]);
    assert!(status.contains("standing duty"), "{status}");
    assert!(status.contains("问题线索"), "{status}");
    let overdue = w.json(&["overdue", "--as-of", "2030-01-01"]);
    let rows = overdue.as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["deliverable"] != "问题线索"));
    let only = w.run(&["status", "--deliverable", "问题线索", "--unit", "乙县"]);
    assert_eq!(only.code, 0, "{}", only.stderr);
    assert!(only.stdout.contains("乙县"), "{}", only.stdout);
    assert!(!only.stdout.contains("甲县"), "{}", only.stdout);
}

#[test]
fn a_one_off_tied_to_a_phase_is_warned_about_when_it_falls_outside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tied.campaign");
    std::fs::write(
        &path,
        "专项整治 tied { 期间 2017年1月1日 至 2017年12月31日 }\n单位 甲县\n\
         阶段 自查自纠 2017年3月1日 至 2017年6月30日\n\
         报送 整改报告 { 报送单位 甲县; 阶段内 自查自纠; 时限 2017年8月15日 }\n\
         报送 自查报告 { 报送单位 甲县; 阶段内 自查自纠; 时限 2017年5月15日 }\n",
    )
    .unwrap();
    let run = duban(&["check", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`整改报告` is due on 2017-08-15, outside its phase `自查自纠`"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("自查报告"), "{}", run.stderr);
}

#[test]
fn phrases_that_cannot_work_are_errors_at_their_place() {
    let dir = tempfile::tempdir().unwrap();
    for (body, message) in [
        (
            "时限 收到通报后5个工作日内",
            "unknown phase or deliverable `通报`",
        ),
        (
            "阶段内 长效管理; 时限 阶段结束后10日内",
            "phase `长效管理` has no end to count from",
        ),
        (
            "时限 每阶段 本阶段结束后3日前和5日前",
            "one deadline in each phase",
        ),
        (
            "时限 每两阶段 本阶段结束后3日前",
            "every 2 phases is not a cadence",
        ),
    ] {
        let path = dir.path().join("bad.campaign");
        std::fs::write(
            &path,
            format!(
                "专项整治 bad {{ 期间 2017年1月1日 至 2017年12月31日 }}\n单位 甲县\n\
                 阶段 长效管理 2017年7月1日起\n报送 方案 {{ 报送单位 甲县; {body} }}\n"
            ),
        )
        .unwrap();
        let run = duban(&["check", path.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{body}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{body}: {}", run.stderr);
        assert!(
            run.stderr.contains("bad.campaign:4:"),
            "{body}: {}",
            run.stderr
        );
    }
}
