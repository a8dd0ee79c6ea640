//! What the seed documents of issue 30 showed: readings that gave wrong dates without a word,
//! diagnostics that did not help, and phrases real documents use. Each case runs the real
//! binary on a small campaign written to a temporary folder.

use std::collections::BTreeMap;

use crate::common::{Run, duban};

/// A campaign of 2025 (1 March – 30 June) with the unit 甲, then `body`.
fn file(body: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.campaign");
    std::fs::write(
        &path,
        format!("专项整治 seed-2025 {{ 期间 2025年3月1日 至 2025年6月30日 }}\n单位 甲\n{body}"),
    )
    .unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

/// `duban check` of [`file`].
fn check(body: &str) -> Run {
    let (_dir, path) = file(body);
    duban(&["check", "--color", "never", &path])
}

/// `duban schedule --format json` of [`file`]: each deliverable's (period, due date), and what
/// the run printed on stderr.
fn schedule(body: &str) -> (BTreeMap<String, Vec<(String, String)>>, String) {
    let (_dir, path) = file(body);
    let run = duban(&["schedule", &path, "--format", "json"]);
    assert_eq!(run.code, 0, "{body}\n{}", run.stderr);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for row in rows {
        let text = |key: &str| row[key].as_str().unwrap_or("—").to_string();
        out.entry(text("deliverable"))
            .or_default()
            .push((text("period"), text("due_date")));
    }
    (out, run.stderr)
}

/// `duban phases --format json` of [`file`]: each phase's (start, end), and stderr.
fn phases(body: &str) -> (Vec<(String, String)>, String) {
    let (_dir, path) = file(body);
    let run = duban(&["phases", &path, "--format", "json"]);
    assert_eq!(run.code, 0, "{body}\n{}", run.stderr);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let windows = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let text = |key: &str| p[key].as_str().unwrap_or("open").to_string();
            (text("start"), text("end"))
        })
        .collect();
    (windows, run.stderr)
}

// ---------------------------------------------------------------------------------------------
// Part 3: silent wrong readings
// ---------------------------------------------------------------------------------------------

#[test]
fn next_month_and_covering_previous_month_together_are_refused() {
    let run = check("报送 月报 { 报送单位 甲; 时限 每月 下月5日前; 报告期 上月 }\n");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "`下月` (next month) and `报告期 上月` (covering previous month) both move the report a month later"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("the second shift"), "{}", run.stderr);
    // Each alone is one shift: the report due 5 April covers March.
    for due in ["时限 每月 下月5日前", "时限 每月5日前; 报告期 上月"] {
        let (all, _) = schedule(&format!(
            "报送 月报 {{ 报送单位 甲; {due}; 首期 2025年3月 }}\n"
        ));
        assert_eq!(
            all["月报"][0],
            ("2025-03".to_string(), "2025-04-05".to_string()),
            "{due}"
        );
    }
}

#[test]
fn a_first_report_covering_a_period_before_the_campaign_is_warned_about() {
    let (all, stderr) = schedule("报送 月报 { 报送单位 甲; 时限 每月 下月5日前 }\n");
    // The occurrence stays (the document may mean it), with a warning saying how to drop it.
    assert_eq!(
        all["月报"][0],
        ("2025-02".to_string(), "2025-03-05".to_string())
    );
    assert!(
        stderr.contains(
            "the first `月报`, due 2025-03-05, covers 2025-02, which ends before the campaign starts (2025-03-01)"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("`首期 2025年3月`"), "{stderr}");
    // With `首期`, no warning; nor for a report due in the month it covers.
    let (all, stderr) =
        schedule("报送 月报 { 报送单位 甲; 时限 每月 下月5日前; 首期 2025年3月 }\n");
    assert_eq!(all["月报"][0].0, "2025-03");
    assert!(!stderr.contains("warning"), "{stderr}");
    let (_, stderr) = schedule("报送 月报 { 报送单位 甲; 时限 每月25日前 }\n");
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn a_part_of_a_month_alone_is_a_window_of_all_its_days() {
    let (windows, _) = phases(
        "阶段 上 2025年3月上旬\n阶段 中 2025年3月中旬\n阶段 下 2025年4月下旬\n\
         阶段 初 2025年5月初\n阶段 月 2025年6月\n阶段 日 2025年6月3日\n",
    );
    let expected = [
        ("2025-03-01", "2025-03-10"),
        ("2025-03-11", "2025-03-20"),
        ("2025-04-21", "2025-04-30"),
        ("2025-05-01", "2025-05-05"),
        ("2025-06-01", "2025-06-30"),
        ("2025-06-03", "2025-06-03"),
    ];
    let windows: Vec<(&str, &str)> = windows
        .iter()
        .map(|(s, e)| (s.as_str(), e.as_str()))
        .collect();
    assert_eq!(windows, expected);
    // The same as writing both ends.
    let (both, _) = phases("阶段 中 2025年3月中旬 至 2025年3月中旬\n");
    assert_eq!(
        both[0],
        ("2025-03-11".to_string(), "2025-03-20".to_string())
    );
}

#[test]
fn a_per_phase_report_after_the_campaign_is_left_out_with_a_warning() {
    let body = "阶段 一 2025年3月1日 至 2025年4月30日\n阶段 二 2025年5月1日 至 2025年6月30日\n\
                报送 阶段报告 { 报送单位 甲; 时限 每阶段 下阶段开始后5日前 }\n";
    let (all, stderr) = schedule(body);
    assert_eq!(
        all["阶段报告"],
        [("一".to_string(), "2025-05-06".to_string())]
    );
    assert!(
        stderr.contains(
            "`阶段报告` for phase `二` would be due on 2025-07-06, after the campaign ends (2025-06-30): it is left out"
        ),
        "{stderr}"
    );
    // `ongoing` (or a `last` after it) keeps it, without a warning.
    let (all, stderr) = schedule(&body.replace("5日前 }", "5日前; 长期坚持 }"));
    assert_eq!(all["阶段报告"].len(), 2);
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn an_open_ended_phase_that_starts_after_the_campaign_is_warned_about() {
    let run = check("阶段 长效 2025年8月1日起\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "phase `长效` runs 2025-08-01 – —, outside the campaign period 2025-03-01 – 2025-06-30"
        ),
        "{}",
        run.stderr
    );
    let run = check("阶段 长效 2025年5月1日起\n");
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Part 4: diagnostics
// ---------------------------------------------------------------------------------------------

#[test]
fn each_diagnostic_starts_on_a_line_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.campaign"),
        "专项整治 a-2010 { 期间 2010年3月1日 至 2010年12月31日 }\n单位 甲\n报送 s {",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.campaign"),
        "专项整治 b-2010 { 期间 2010年3月1日 至 2010年12月31日 }\n单位 甲\n\
         报送 r { 报送单位 甲; 时限 2010年5月1日 }\n",
    )
    .unwrap();
    let run = duban(&["check", "--color", "never", dir.path().to_str().unwrap()]);
    assert!(run.stderr.contains("^ opened here\n"), "{}", run.stderr);
    for line in run.stderr.lines() {
        let starts = line.matches("error:").count() + line.matches("warning:").count();
        assert!(
            starts == 0 || line.starts_with("error:") || line.starts_with("warning:"),
            "{line:?} in\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_calendar_for_a_year_duban_does_not_ship_is_given_as_the_warning_says() {
    let warned = duban(&["check", "tests/fixtures/reject/unknown-year.campaign"]);
    assert!(
        warned.stderr.contains("examples/calendars/2009.toml"),
        "{}",
        warned.stderr
    );
    // The example file is that year's notice: given, the warning goes and Friday 2 October
    // (National Day) moves the bulletin's last on-time day to the next workday, Friday the 9th.
    let given = duban(&[
        "check",
        "--holidays",
        "examples/calendars/2009.toml",
        "tests/fixtures/reject/unknown-year.campaign",
    ]);
    assert_eq!(given.code, 0, "{}", given.stderr);
    assert!(!given.stderr.contains("warning"), "{}", given.stderr);
    let (_dir, path) = file("");
    std::fs::write(
        &path,
        "专项整治 y-2009 { 期间 2009年9月1日 至 2009年10月31日 }\n单位 甲\n\
         报送 周报 { 报送单位 甲; 时限 每周五前 }\n",
    )
    .unwrap();
    let run = duban(&[
        "schedule",
        &path,
        "--format",
        "json",
        "--holidays",
        "examples/calendars/2009.toml",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let national_day = rows
        .iter()
        .find(|r| r["due_date"] == "2009-10-02")
        .expect("the week of 2 October");
    // Late at the end of Friday the 9th.
    assert_eq!(
        national_day["due_at"], "2009-10-10T00:00:00+08:00",
        "{national_day}"
    );
}

// ---------------------------------------------------------------------------------------------
// Part 2: phrases real documents use, compiled verbatim
// ---------------------------------------------------------------------------------------------

#[test]
fn month_ranges_with_a_dash_in_brackets_or_without_a_year() {
    // The campaign lies in 2025: a date without its year is in 2025.
    let (windows, stderr) = phases(
        "阶段 一 (5月-6月)\n阶段 二 (2025年3月-2025年6月)\n阶段 三 （2025年3月-2025年5月上旬）\n\
         阶段 四 (5月)\n阶段 五 2025年5月-6月\n阶段 六 5月3日至5月15日\n阶段 七 2025年4月初至6月底\n",
    );
    assert!(!stderr.contains("warning"), "{stderr}");
    let expected = [
        ("2025-05-01", "2025-06-30"),
        ("2025-03-01", "2025-06-30"),
        ("2025-03-01", "2025-05-10"),
        ("2025-05-01", "2025-05-31"),
        ("2025-05-01", "2025-06-30"),
        ("2025-05-03", "2025-05-15"),
        ("2025-04-01", "2025-06-30"),
    ];
    let windows: Vec<(&str, &str)> = windows
        .iter()
        .map(|(s, e)| (s.as_str(), e.as_str()))
        .collect();
    assert_eq!(windows, expected);
}

#[test]
fn a_date_without_a_year_is_an_error_where_the_campaign_spans_two() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.campaign");
    std::fs::write(
        &path,
        "专项整治 two-2025 { 期间 2025年3月1日 至 2026年2月28日 }\n单位 甲\n阶段 一 (5月-8月)\n",
    )
    .unwrap();
    let run = duban(&["check", path.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("this date has no year"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`2025年5月`"), "{}", run.stderr);
}

#[test]
fn lead_ins_before_a_date_or_a_duty_and_jiezhi() {
    let (all, _) = schedule(
        "阶段 一 截止2025年4月5日\n\
         报送 甲报告 { 报送单位 甲; 时限 于6月30日前 }\n\
         报送 乙报告 { 报送单位 甲; 时限 并于5月25日前 }\n\
         报送 丙报告 { 报送单位 甲; 时限 于2025年4月30日前 }\n\
         报送 丁报告 { 报送单位 甲; 时限 要及时报送 }\n\
         报送 戊报告 { 报送单位 甲; 时限 截止2025年6月5日 }\n\
         报送 己报告 { 报送单位 甲; 时限 截至2025年6月6日前 }\n\
         报送 庚报告 { 报送单位 甲; 时限 于截止到2025年6月9日 }\n",
    );
    // 截止 before a report's deadline says what 前 after it does.
    assert_eq!(all["戊报告"], [("—".to_string(), "2025-06-05".to_string())]);
    assert_eq!(all["己报告"], [("—".to_string(), "2025-06-06".to_string())]);
    assert_eq!(all["庚报告"], [("—".to_string(), "2025-06-09".to_string())]);
    assert_eq!(all["甲报告"], [("—".to_string(), "2025-06-30".to_string())]);
    assert_eq!(all["乙报告"], [("—".to_string(), "2025-05-25".to_string())]);
    assert_eq!(all["丙报告"], [("—".to_string(), "2025-04-30".to_string())]);
    assert!(!all.contains_key("丁报告"), "a standing duty has no date");
    let (windows, _) = phases("阶段 一 截止2025年4月5日\n");
    assert_eq!(
        windows[0],
        ("2025-03-01".to_string(), "2025-04-05".to_string())
    );
}

#[test]
fn so_many_times_a_period_asks_for_the_days() {
    for (due, help) in [
        ("每周编发二期", "`每周二、周五前`"),
        ("每月报送两次", "`每月15日和月底前`"),
    ] {
        let run = check(&format!("报送 简报 {{ 报送单位 甲; 时限 {due} }}\n"));
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("says how often, not on which days"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains(help), "{}", run.stderr);
    }
    // Written as the help says, each day is an occurrence.
    let (all, _) =
        schedule("报送 简报 { 报送单位 甲; 时限 每周二、周五前; 首期 2025-W10; 末期 2025-W10 }\n");
    assert_eq!(
        all["简报"],
        [
            ("2025-03-04".to_string(), "2025-03-04".to_string()),
            ("2025-03-07".to_string(), "2025-03-07".to_string())
        ]
    );
}

#[test]
fn full_width_digits_and_dotted_dates() {
    let (all, _) = schedule(
        "报送 甲报告 { 报送单位 甲; 时限 ２０２５年３月１５日前 }\n\
         报送 乙报告 { 报送单位 甲; 时限 2025.3.15 }\n",
    );
    assert_eq!(all["甲报告"][0].1, "2025-03-15");
    assert_eq!(all["乙报告"][0].1, "2025-03-15");
}

#[test]
fn a_target_without_a_date_is_due_by_the_end_of_its_phase() {
    let (all, _) = schedule(
        "阶段 自查自纠 2025年3月1日 至 2025年4月30日\n\
         目标 自查面 { 报送单位 甲; 阶段内 自查自纠; 要达到 100% }\n\
         目标 整改率 { 报送单位 甲; 阶段内 自查自纠; 不低于 90% }\n",
    );
    assert_eq!(all["自查面"][0].1, "2025-04-30");
    assert_eq!(all["整改率"][0].1, "2025-04-30");
}

#[test]
fn half_months_bounded_by_a_month_or_a_half() {
    let (all, _) = schedule(
        "报送 甲 { 报送单位 甲; 时限 每半月; 首期 2025年3月; 末期 2025年4月 }\n\
         报送 乙 { 报送单位 甲; 时限 每半月; 首期 2025-03-H2; 末期 2025-04-H1 }\n",
    );
    let periods =
        |name: &str| -> Vec<String> { all[name].iter().map(|(p, _)| p.clone()).collect() };
    assert_eq!(
        periods("甲"),
        ["2025-03-H1", "2025-03-H2", "2025-04-H1", "2025-04-H2"]
    );
    assert_eq!(periods("乙"), ["2025-03-H2", "2025-04-H1"]);
}
