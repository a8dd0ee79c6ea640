//! What supervisors hand round: the bulletin (通报) of 南阳 in May 2017 and 千阳 in Q2 2023 in
//! every format, with the same numbers as `status` and `overdue` at the period's end; the
//! assessment (考核) scored by a campaign's rules; interviews (约谈) recorded and not proposed
//! again — on SQLite and on PostgreSQL.

use std::io::Read;

use crate::contents::Office;

/// 南阳's office chases with an interview after 14 days (the seed leaves that to 市纪委).
fn nanyang_with_rules(office: &Office) {
    let path = office.w.campaign("nanyang-2017");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace("  逾期 14天 通知 市纪委", "  逾期 14天 约谈 市纪委")
        + "\n考核 {\n  按时 10分\n  逾期 每天扣 1分\n  未报 0分\n  退回 扣 2分\n}\n";
    std::fs::write(path, text).unwrap();
}

fn submit(office: &Office, deliverable: &str, unit: &str, period: Option<&str>, at: &str) {
    let mut args = vec!["submit", "nanyang-2017", deliverable, unit, "--at", at];
    if let Some(p) = period {
        args.extend(["--period", p]);
    }
    office.ok(&args);
}

/// A month of 南阳: plans on time and late, an extension, a waiver, a return.
fn may_2017(office: &Office) {
    for unit in [
        "宛城区",
        "卧龙区",
        "南召县",
        "方城县",
        "西峡县",
        "镇平县",
        "内乡县",
        "淅川县",
    ] {
        submit(office, "工作方案", unit, None, "2017-04-14");
    }
    // Due Saturday 15 April: on time until Monday the 17th; the 20th is three days late.
    submit(office, "工作方案", "新野县", None, "2017-04-20");
    office.ok(&[
        "extend",
        "nanyang-2017",
        "工作方案",
        "市审计局",
        "--until",
        "2017-04-30",
        "--reason",
        "审计任务冲突",
        "--at",
        "2017-04-12",
    ]);
    submit(office, "工作方案", "市审计局", None, "2017-04-28");
    office.ok(&[
        "waive",
        "nanyang-2017",
        "工作方案",
        "市林业局",
        "--reason",
        "不涉及",
        "--at",
        "2017-04-10",
    ]);
    for unit in ["宛城区", "卧龙区", "南召县", "方城县"] {
        submit(office, "统计表", unit, Some("2017-04"), "2017-04-24");
        submit(office, "统计表", unit, Some("2017-05"), "2017-05-24");
    }
    office.ok(&[
        "return",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
        "--reason",
        "数据有误",
        "--at",
        "2017-05-24T18:00",
    ]);
    submit(
        office,
        "统计表",
        "卧龙区",
        Some("2017-05"),
        "2017-05-25T10:00",
    );
    office.ok(&[
        "interview",
        "record",
        "nanyang-2017",
        "桐柏县",
        "--at",
        "2017-05-10",
        "--by",
        "市纪委",
        "--reason",
        "工作方案逾期",
        "--note",
        "约谈县纪委书记",
    ]);
}

const END: &str = "2017-05-31T23:59:59";

fn bulletin_agrees_with_status_and_overdue(office: Office) {
    nanyang_with_rules(&office);
    may_2017(&office);
    let b = office.json(&[
        "bulletin",
        "nanyang-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-06-05",
    ]);
    assert_eq!(b["issued"], "2017-06-05");
    assert_eq!(b["as_of"], "2017-05-31", "the window's end: {b}");
    assert_eq!(b["complete"], true);
    // Nothing was sent early for a later period: 累计 is `status` at the window's end.
    let status = office.json(&["status", "--campaign", "nanyang-2017", "--as-of", END]);
    let rows = status.as_array().unwrap();
    let total = |key: &str| rows.iter().map(|r| r[key].as_u64().unwrap()).sum::<u64>();
    for (ours, theirs) in [
        ("due", "due"),
        ("on_time", "on_time"),
        ("late", "late"),
        ("under_review", "under_review"),
        ("waived", "waived"),
        ("overdue", "overdue"),
    ] {
        assert_eq!(
            b["to_date"][ours].as_u64().unwrap(),
            total(theirs),
            "{ours}: {b}"
        );
    }
    // 本期: May's reports only — the statistics table of May (the monthly exposure of cases has
    // no day in the document: a standing duty, not counted).
    assert_eq!(b["counts"]["due"], 26, "{b}");
    // Every unit's 累计 line of the ranking is its status rows added up.
    for r in b["ranking"].as_array().unwrap() {
        let unit = r["unit"].as_str().unwrap();
        let of = |key: &str| {
            rows.iter()
                .filter(|s| s["unit"] == unit)
                .map(|s| s[key].as_u64().unwrap())
                .sum::<u64>()
        };
        assert_eq!(
            r["to_date"]["on_time"].as_u64().unwrap(),
            of("on_time"),
            "{unit}"
        );
        assert_eq!(
            r["to_date"]["overdue"].as_u64().unwrap(),
            of("overdue"),
            "{unit}"
        );
    }
    assert_eq!(b["ranking_basis"], "period");
    assert_eq!(b["interview_basis"], "to_date");
    assert_eq!(b["ranking"][0]["rank"], 1);
    assert_eq!(
        b["ranking"][0]["on_time_rate"], 100.0,
        "{}",
        b["ranking"][0]
    );
    // The missing list is `overdue` at the same instant, with the same dates: the one units were
    // told, and the last on-time day its days count from.
    let key = |r: &serde_json::Value| {
        (
            r["unit"].as_str().unwrap().to_string(),
            r["deliverable"].as_str().unwrap().to_string(),
            r["days_overdue"].as_i64().unwrap(),
            r["due_date"].as_str().unwrap().to_string(),
            r["on_time_until"].as_str().unwrap().to_string(),
        )
    };
    let overdue = office.json(&["overdue", "--campaign", "nanyang-2017", "--as-of", END]);
    let mut expected: Vec<_> = overdue.as_array().unwrap().iter().map(key).collect();
    let mut listed: Vec<_> = b["missing"].as_array().unwrap().iter().map(key).collect();
    assert!(
        listed.iter().any(|(_, d, _, due, last)| d == "工作方案"
            && due == "2017-04-15"
            && last == "2017-04-17"),
        "{listed:?}"
    );
    expected.sort();
    listed.sort();
    assert_eq!(listed, expected);
    // 14 days past 工作方案 (due 15 April): proposed, but not 桐柏县, interviewed since.
    assert_eq!(b["interview_rule"], "逾期14天约谈");
    let proposed: Vec<&str> = b["proposed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["unit"].as_str().unwrap())
        .collect();
    assert!(proposed.contains(&"邓州市"), "{proposed:?}");
    assert!(
        !proposed.contains(&"桐柏县"),
        "interviewed already: {proposed:?}"
    );
    assert!(!proposed.contains(&"宛城区"), "{proposed:?}");
    assert_eq!(b["interviews"][0][0], "桐柏县", "{b}");
    assert!(
        b["summary"].as_str().unwrap().starts_with(
            "截至2017年5月31日，侵害群众利益的不正之风和腐败问题专项整治本期（2017年5月）共有"
        ),
        "{}",
        b["summary"]
    );
}

#[test]
fn the_may_bulletin_agrees_with_status_and_overdue_on_sqlite() {
    bulletin_agrees_with_status_and_overdue(Office::sqlite(&["nanyang-2017"]));
}

#[test]
fn the_may_bulletin_agrees_with_status_and_overdue_on_postgres() {
    if let Some(office) = Office::postgres(&["nanyang-2017"]) {
        bulletin_agrees_with_status_and_overdue(office);
    }
}

/// The counts of `unit` in a bulletin's ranking (本期) and in the assessment of the same
/// window, side by side: reported, on time, late, awaiting review, waived, never sent.
fn unit_counts(b: &serde_json::Value, a: &serde_json::Value, unit: &str) -> [(u64, u64); 6] {
    let r = b["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit"] == unit)
        .unwrap_or_else(|| panic!("{unit} in {b}"));
    let u = a["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == unit)
        .unwrap_or_else(|| panic!("{unit} in {a}"));
    let n = |v: &serde_json::Value| v.as_u64().unwrap();
    // Waived reports are left out of the score (the rules' default): reported = due - waived.
    [
        (n(&r["due"]) - n(&r["waived"]), n(&u["reports"])),
        (n(&r["on_time"]), n(&u["on_time"])),
        (n(&r["late"]), n(&u["late"])),
        (n(&r["under_review"]), n(&u["under_review"])),
        (n(&r["waived"]), n(&u["waived"])),
        (n(&r["overdue"]), n(&u["missing"])),
    ]
}

/// The bulletin and the assessment of `window` made at `at` agree on every unit's counts.
fn bulletin_and_assessment_agree(office: &Office, window: &[&str], at: &str) -> serde_json::Value {
    let mut args = vec!["bulletin", "nanyang-2017"];
    args.extend(window);
    args.extend(["--as-of", at]);
    let b = office.json(&args);
    args[0] = "assess";
    let a = office.json(&args);
    let units = b["ranking"].as_array().unwrap();
    assert!(!units.is_empty(), "{b}");
    for r in units {
        let unit = r["unit"].as_str().unwrap();
        if r["due"] == 0 {
            // Nothing of it fell due in the window: the assessment has no score for it.
            continue;
        }
        for (i, (ours, theirs)) in unit_counts(&b, &a, unit).into_iter().enumerate() {
            assert_eq!(
                ours, theirs,
                "{unit}, count {i}, {window:?} at {at}: {b}\n{a}"
            );
        }
    }
    let sum = |key: &str| units.iter().map(|r| r[key].as_u64().unwrap()).sum::<u64>();
    assert_eq!(b["counts"]["due"].as_u64().unwrap(), sum("due"));
    assert_eq!(b["counts"]["overdue"].as_u64().unwrap(), sum("overdue"));
    b
}

/// A bulletin counts its own window: 本期 the reports due in it (one sent early for a later
/// period counts in that period), 累计 every report due from the start to its end; a window not
/// over is counted to the instant the bulletin is made, and says so; and the assessment of the
/// same window agrees on every count.
fn a_bulletin_counts_its_own_window(office: Office) {
    nanyang_with_rules(&office);
    may_2017(&office);
    // 宛城区 sends June's table early, on 20 May; 西峡县 sends May's late, on 2 June, and 南召县's
    // May table is returned on 3 June: none of it had happened by the end of May.
    submit(&office, "统计表", "宛城区", Some("2017-06"), "2017-05-20");
    submit(&office, "统计表", "西峡县", Some("2017-05"), "2017-06-02");
    office.ok(&[
        "return",
        "nanyang-2017",
        "统计表",
        "南召县",
        "--period",
        "2017-05",
        "--reason",
        "漏填",
        "--at",
        "2017-06-03",
    ]);
    office.ok(&[
        "waive",
        "nanyang-2017",
        "统计表",
        "市林业局",
        "--period",
        "2017-05",
        "--reason",
        "不涉及",
        "--at",
        "2017-05-12",
    ]);
    let may = bulletin_and_assessment_agree(&office, &["--month", "2017-05"], "2017-06-05");
    let unit = |b: &serde_json::Value, name: &str| {
        b["ranking"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit"] == name)
            .unwrap()
            .clone()
    };
    // May: 宛城区 owed May's table and sent it; June's, sent early, is not May's.
    let wancheng = unit(&may, "宛城区");
    assert_eq!(
        (wancheng["due"].clone(), wancheng["on_time"].clone()),
        (1.into(), 1.into()),
        "{wancheng}"
    );
    assert_eq!(wancheng["to_date"]["due"], 3, "{wancheng}");
    // 西峡县's May table was not sent by 31 May; 南召县's was received then.
    assert_eq!(unit(&may, "西峡县")["overdue"], 1);
    assert_eq!(unit(&may, "南召县")["on_time"], 1);
    assert_eq!(unit(&may, "市林业局")["waived"], 1);
    assert_eq!(may["as_of"], "2017-05-31");
    // June, as a range of days, at 5 July: 宛城区's early table counts here, on time.
    let june = bulletin_and_assessment_agree(
        &office,
        &["--from", "2017-06-01", "--to", "2017-06-30"],
        "2017-07-05",
    );
    let wancheng = unit(&june, "宛城区");
    assert_eq!(wancheng["on_time"], 1, "{wancheng}");
    assert!(
        june["counts"]["due"].as_u64().unwrap() < june["to_date"]["due"].as_u64().unwrap(),
        "本期 is June's alone: {june}"
    );
    assert_eq!(
        june["to_date"]["due"].as_u64().unwrap(),
        may["to_date"]["due"].as_u64().unwrap() + june["counts"]["due"].as_u64().unwrap(),
        "累计 to June = 累计 to May + June's"
    );
    // The quarter and a month not over agree too.
    bulletin_and_assessment_agree(&office, &["--quarter", "2017Q2"], "2017-07-05");
    let early = bulletin_and_assessment_agree(&office, &["--month", "2017-05"], "2017-05-27");
    assert_eq!(early["as_of"], "2017-05-27");
    assert_eq!(early["complete"], false);
    let md = office.ok(&[
        "bulletin",
        "nanyang-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-05-27",
    ]);
    assert!(
        md.starts_with("# 关于侵害群众利益的不正之风和腐败问题专项整治报送情况的通报（2017年5月，截至2017年5月27日）\n"),
        "{md}"
    );
    assert!(md.contains("截至2017年5月27日（本期尚未结束），"), "{md}");
    assert!(!md.contains("截至2017年5月31日"), "no date to come: {md}");
    // A window not begun is refused.
    let error = office.fails(&[
        "bulletin",
        "nanyang-2017",
        "--month",
        "2017-06",
        "--as-of",
        "2017-05-27",
    ]);
    assert!(error.contains("begins on 2017-06-01"), "{error}");
    // A campaign may rank by 累计 instead; the bulletin says so.
    let path = office.w.campaign("nanyang-2017");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("  退回 扣 2分\n", "  退回 扣 2分\n  排名 按累计\n"),
    )
    .unwrap();
    let b = office.json(&[
        "bulletin",
        "nanyang-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-06-05",
    ]);
    assert_eq!(b["ranking_basis"], "to_date", "{b}");
    let first = &b["ranking"][0];
    assert_eq!(first["on_time_rate"], 100.0, "by 累计: {first}");
    assert_eq!(first["to_date"]["overdue"], 0, "{first}");
    let md = office.ok(&[
        "bulletin",
        "nanyang-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-06-05",
    ]);
    assert!(
        md.contains("以下按各单位累计按时报送率由高到低排列"),
        "{md}"
    );
}

#[test]
fn a_bulletin_counts_its_own_window_on_sqlite() {
    a_bulletin_counts_its_own_window(Office::sqlite(&["nanyang-2017"]));
}

#[test]
fn a_bulletin_counts_its_own_window_on_postgres() {
    if let Some(office) = Office::postgres(&["nanyang-2017"]) {
        a_bulletin_counts_its_own_window(office);
    }
}

/// The bulletin in every format: Markdown and HTML printed, Word and Excel written.
#[test]
fn the_bulletin_is_written_in_every_format() {
    let office = Office::sqlite(&["nanyang-2017"]);
    nanyang_with_rules(&office);
    may_2017(&office);
    let args = |format: &'static str| {
        vec![
            "bulletin",
            "nanyang-2017",
            "--month",
            "2017-05",
            "--issued",
            "2017-06-05",
            "--as-of",
            "2017-06-05",
            "--format",
            format,
        ]
    };
    let md = office.ok(&args("md"));
    assert!(
        md.starts_with(
            "# 关于侵害群众利益的不正之风和腐败问题专项整治报送情况的通报（2017年5月）\n"
        ),
        "{md}"
    );
    assert!(md.contains("| 名次 | 单位 | 本期应报 |"), "{md}");
    assert!(md.contains("| 本期（2017年5月） | 26 |"), "{md}");
    assert!(
        md.contains("| 累计（自专项开始至2017年5月31日） | 78 |"),
        "{md}"
    );
    assert!(md.contains("依据累计逾期未报情况"), "{md}");
    assert!(!md.contains(" --"), "no flag named: {md}");
    assert!(md.contains("本期已约谈桐柏县"), "{md}");
    assert!(
        md.contains("| 工作方案 | — | 2017-04-15（顺延至04-17） |"),
        "the date its days count from: {md}"
    );
    assert!(md.ends_with("2017年6月5日\n"), "{md}");
    let html = office.ok(&args("html"));
    assert!(html.contains("@page { size: A4;"), "{html}");
    assert!(html.contains("<td>本期（2017年5月）</td>"), "{html}");
    assert!(html.contains("<th>累计按时报送率</th>"), "{html}");
    assert!(html.contains("<svg"), "the chart is inline");
    assert!(
        html.contains(">宛城区</text>"),
        "Chinese labels are text nodes"
    );
    // Word: a zip whose document names the fonts and holds the tables.
    let docx = office.w.path().join("通报.docx");
    let mut a = args("docx");
    a.extend(["-o", docx.to_str().unwrap()]);
    office.ok(&a);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).unwrap();
    let mut document = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut document)
        .unwrap();
    assert!(document.contains("方正小标宋简体"), "the title font");
    assert!(document.contains("仿宋_GB2312"), "the body font");
    assert!(document.contains(">一、总体情况</w:t>"), "{document}");
    assert!(document.contains("<w:tbl>"), "tables");
    assert!(document.contains(">新野县</w:t>"), "a unit in the ranking");
    assert!(document.contains(">本期（2017年5月）</w:t>"), "{document}");
    assert!(document.contains(">累计（自专项开始至2017年5月31日）</w:t>"));
    assert!(zip.by_name("word/styles.xml").is_ok());
    assert!(zip.by_name("[Content_Types].xml").is_ok());
    // Excel: one sheet per table, numbers as numbers.
    let xlsx = office.w.path().join("通报.xlsx");
    let mut a = args("xlsx");
    a.extend(["-o", xlsx.to_str().unwrap()]);
    office.ok(&a);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    assert_eq!(
        book.sheet_names(),
        // Every report here was typed in years after it came: each is marked 补录.
        [
            "总体情况",
            "各单位排名",
            "尚未报送",
            "目标未达标",
            "补录",
            "约谈"
        ]
    );
    let summary = book.worksheet_range("总体情况").unwrap();
    assert_eq!(
        summary.get((1, 0)),
        Some(&calamine::Data::String("本期（2017年5月）".into()))
    );
    assert_eq!(
        summary.get((2, 0)),
        Some(&calamine::Data::String(
            "累计（自专项开始至2017年5月31日）".into()
        ))
    );
    let ranking = book.worksheet_range("各单位排名").unwrap();
    assert_eq!(
        ranking.get((0, 1)),
        Some(&calamine::Data::String("单位".into()))
    );
    assert!(matches!(
        ranking.get((1, 0)),
        Some(calamine::Data::Float(_))
    ));
    // docx and xlsx need a file; a bad month is refused.
    let error = office.fails(&args("docx"));
    assert!(error.contains("-o FILE.docx"), "{error}");
    let error = office.fails(&[
        "bulletin",
        "nanyang-2017",
        "--month",
        "2017-13",
        "--as-of",
        "2017-06-05",
    ]);
    assert!(error.contains("`2017-13` is not a month"), "{error}");
    let error = office.fails(&["bulletin", "nanyang-2017", "--as-of", "2017-06-05"]);
    assert!(error.contains("--month 2017-05"), "{error}");
}

fn assessment_scores_by_the_campaigns_rules(office: Office) {
    nanyang_with_rules(&office);
    may_2017(&office);
    let a = office.json(&[
        "assess",
        "nanyang-2017",
        "--from",
        "2017-04-01",
        "--to",
        "2017-05-31",
        "--as-of",
        "2017-06-01",
    ]);
    let unit = |name: &str| {
        a["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == name)
            .unwrap_or_else(|| panic!("{name} in {a}"))
            .clone()
    };
    // Three reports on time: 10 each.
    let first = unit("宛城区");
    assert_eq!(first["score"], 10.0, "{first}");
    assert_eq!(first["on_time_rate"], 100.0);
    assert_eq!(first["rank"], 1);
    // 卧龙区: May's report returned once (−2), resubmitted on time: (10 + 10 + 8) / 3.
    let returned = unit("卧龙区");
    assert_eq!(returned["returns"], 1, "{returned}");
    assert_eq!(returned["score"], 9.33, "{returned}");
    // 新野县: its plan three days late (7), two statistics tables never sent (0).
    let late = unit("新野县");
    assert_eq!(late["late_days"], 3, "{late}");
    assert_eq!(late["score"], 2.33, "{late}");
    assert_eq!(late["on_time_rate"], 0.0);
    // An extension's deadline counts; a waived report is left out.
    let extended = unit("市审计局");
    assert_eq!(extended["on_time"], 1, "{extended}");
    let waived = unit("市林业局");
    assert_eq!(waived["reports"], 2, "{waived}");
    assert_eq!(unit("桐柏县")["interviews"], 1);
    // Ranked: nobody below scores more than anybody above.
    let scores: Vec<f64> = a["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["score"].as_f64().unwrap_or(-1.0))
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // How a unit's score was made.
    let explained = office.ok(&[
        "assess",
        "nanyang-2017",
        "--from",
        "2017-04-01",
        "--to",
        "2017-05-31",
        "--unit",
        "新野县",
        "--explain",
        "--as-of",
        "2017-06-01",
    ]);
    assert!(
        explained.contains("rules: on time: 10; late: 10 less 1 a day"),
        "{explained}"
    );
    assert!(explained.contains("late 3 day(s)"), "{explained}");
    assert!(explained.contains("never sent"), "{explained}");
    // The workbook a person opens is headed in Chinese, its figures numbers; CSV keeps the
    // keys, for programs.
    let book = office.w.path().join("考核.xlsx");
    office.ok(&[
        "assess",
        "nanyang-2017",
        "--from",
        "2017-04-01",
        "--to",
        "2017-05-31",
        "--as-of",
        "2017-06-01",
        "--format",
        "xlsx",
        "-o",
        book.to_str().unwrap(),
    ]);
    use calamine::Reader as _;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
    let range = workbook.worksheet_range("考核").unwrap();
    let mut rows = range.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(
        header,
        [
            "名次",
            "单位",
            "得分",
            "按时率（%）",
            "应报",
            "按时",
            "逾期",
            "未报",
            "逾期天数",
            "退回",
            "约谈"
        ],
    );
    let top = rows.next().unwrap();
    assert_eq!(top[1].to_string(), "宛城区", "{top:?}");
    assert!(matches!(top[3], calamine::Data::Float(_)), "{top:?}");
    let csv = office.ok(&[
        "assess",
        "nanyang-2017",
        "--as-of",
        "2017-06-01",
        "--format",
        "csv",
    ]);
    assert!(csv.starts_with("rank,unit,score,on_time_rate,"), "{csv}");
    let error = office.fails(&[
        "assess",
        "nanyang-2017",
        "--unit",
        "新野",
        "--as-of",
        "2017-06-01",
    ]);
    assert!(error.contains("did you mean `新野县`?"), "{error}");
}

#[test]
fn the_assessment_scores_by_the_campaigns_rules_on_sqlite() {
    assessment_scores_by_the_campaigns_rules(Office::sqlite(&["nanyang-2017"]));
}

#[test]
fn the_assessment_scores_by_the_campaigns_rules_on_postgres() {
    if let Some(office) = Office::postgres(&["nanyang-2017"]) {
        assessment_scores_by_the_campaigns_rules(office);
    }
}

/// 千阳's second quarter: the spending target below its 50% in the bulletin; without a 考核
/// block the score is the on-time rate.
#[test]
fn qianyangs_quarter_shows_its_target_and_scores_by_the_on_time_rate() {
    let office = Office::sqlite(&["qianyang-2023"]);
    office.ok(&[
        "submit",
        "qianyang-2023",
        "衔接资金支出进度",
        "县乡村振兴局",
        "--period",
        "2023-06-30",
        "--value",
        "12%",
        "--at",
        "2023-06-28",
    ]);
    let b = office.json(&[
        "bulletin",
        "qianyang-2023",
        "--quarter",
        "2023Q2",
        "--as-of",
        "2023-07-03",
    ]);
    assert_eq!(b["window"]["label"], "2023年第二季度");
    assert_eq!(b["issued"], "2023-07-03");
    assert_eq!(b["below_target"][0]["unit"], "县乡村振兴局", "{b}");
    assert_eq!(b["below_target"][0]["value"], 12.0);
    assert_eq!(b["interview_rule"], serde_json::Value::Null);
    let md = office.ok(&[
        "bulletin",
        "qianyang-2023",
        "--quarter",
        "2023-Q2",
        "--as-of",
        "2023-07-03",
    ]);
    assert!(
        md.contains("| 县乡村振兴局 | 衔接资金支出进度 | 2023-06-30 | ≥ 50% | 12 | 38 |"),
        "{md}"
    );
    assert!(md.contains("本次专项未设约谈规则"), "{md}");
    let a = office.json(&[
        "assess",
        "qianyang-2023",
        "--quarter",
        "2023Q2",
        "--as-of",
        "2023-07-03",
    ]);
    let unit = a["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "县乡村振兴局")
        .unwrap();
    assert_eq!(unit["score"], unit["on_time_rate"], "{unit}");
    assert!(
        a["rules"].as_str().unwrap().starts_with("on time: 100;"),
        "{a}"
    );
    let svg = office.ok(&[
        "bulletin",
        "qianyang-2023",
        "--quarter",
        "2023Q2",
        "--format",
        "svg",
        "--as-of",
        "2023-07-03",
    ]);
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.contains(">各单位本期按时报送率</text>"), "{svg}");
    let html = office.ok(&[
        "bulletin",
        "qianyang-2023",
        "--quarter",
        "2023Q2",
        "--format",
        "html",
        "--as-of",
        "2023-07-03",
    ]);
    assert_eq!(
        html.matches("<svg").count(),
        3,
        "rates, the weekly trend, target progress"
    );
    assert!(html.contains(">逾期未报数量变化（累计）</text>"), "{html}");
    assert!(
        html.contains(">6月30日</text>"),
        "the quarter's last day: {html}"
    );
    assert!(html.contains(">目标进度（最新报送值）</text>"), "{html}");
    assert!(html.contains(">12%</text>"), "{html}");
}

/// Every listing writes a workbook with typed cells, and CSV with a byte-order mark for Excel.
#[test]
fn every_listing_writes_a_workbook_and_csv_for_excel() {
    use calamine::{Data, Reader};
    let office = Office::sqlite(&["nanyang-2017"]);
    may_2017(&office);
    let at = ["--as-of", "2017-06-01"];
    let listings: [(&str, Vec<&str>); 7] = [
        ("overdue", vec!["overdue"]),
        ("status", vec!["status"]),
        (
            "due",
            vec!["due", "--within", "30d", "--as-of", "2017-05-01"],
        ),
        (
            "history",
            vec![
                "history",
                "nanyang-2017",
                "统计表",
                "卧龙区",
                "--period",
                "2017-05",
            ],
        ),
        ("targets", vec!["targets"]),
        ("outbox", vec!["outbox"]),
        (
            "preview",
            vec!["preview", "--from", "2017-05-20", "--to", "2017-05-26"],
        ),
    ];
    for (name, args) in listings {
        let path = office.w.path().join(format!("{name}.xlsx"));
        let mut all = args.clone();
        if !args.contains(&"--as-of") && !matches!(name, "outbox" | "preview") {
            all.extend(at);
        }
        all.extend(["--format", "xlsx", "-o", path.to_str().unwrap()]);
        let out = office.ok(&all);
        assert!(out.contains("wrote "), "{name}: {out}");
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        let first = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&first).unwrap();
        assert!(range.height() >= 1, "{name}: a header at least");
        if name == "overdue" {
            let header: Vec<String> = range
                .rows()
                .next()
                .unwrap()
                .iter()
                .map(|c| c.to_string())
                .collect();
            // A workbook a person opens is headed in Chinese.
            let due = header.iter().position(|h| h == "截止日期").unwrap();
            let days = header.iter().position(|h| h == "逾期天数").unwrap();
            let row = range.rows().nth(1).unwrap();
            assert!(matches!(row[due], Data::DateTime(_)), "{:?}", row[due]);
            assert!(matches!(row[days], Data::Float(_)), "{:?}", row[days]);
        }
    }
    let schedule = office.w.path().join("schedule.xlsx");
    office.ok(&[
        "schedule",
        office.w.campaign("nanyang-2017").to_str().unwrap(),
        "--to",
        "2017-05-31",
        "--format",
        "xlsx",
        "-o",
        schedule.to_str().unwrap(),
    ]);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&schedule).unwrap();
    assert_eq!(book.sheet_names(), ["日程"]);
    assert!(book.worksheet_range("日程").unwrap().height() > 50);
    // CSV with a BOM, to stdout or a file; history in real CSV.
    let csv = office.w.run(&[
        "status",
        "--as-of",
        "2017-06-01",
        "--format",
        "csv",
        "--bom",
    ]);
    assert!(csv.stdout.starts_with('\u{feff}'), "{}", csv.stdout);
    let history = office.ok(&[
        "history",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
        "--as-of",
        "2017-06-01",
        "--format",
        "csv",
    ]);
    assert!(
        history.starts_with("at,event,by,detail,status\n"),
        "{history}"
    );
    assert!(history.contains(",returned,"), "{history}");
    let error = office.fails(&["overdue", "--as-of", "2017-06-01", "--format", "xlsx"]);
    assert!(error.contains("-o FILE.xlsx"), "{error}");
}

/// A month of deadlines on a grid, in the terminal and as HTML (Remind's `-c`).
#[test]
fn a_month_of_deadlines_is_a_calendar_grid() {
    let office = Office::sqlite(&["nanyang-2017"]);
    may_2017(&office);
    let args = [
        "calendar",
        "--deadlines",
        "nanyang-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-05-26",
    ];
    let grid = office.ok(&args);
    assert!(
        grid.starts_with("nanyang-2017 2017年5月 报送日历\n一"),
        "{grid}"
    );
    assert!(grid.contains("25 ●1"), "{grid}");
    assert!(grid.contains("27班"), "a make-up workday: {grid}");
    assert!(grid.contains("29休"), "端午: {grid}");
    assert!(
        grid.contains("2017-05-25 周四  统计表（26 个单位，未报 22）"),
        "{grid}"
    );
    let mut html = args.to_vec();
    html.extend(["--format", "html"]);
    let page = office.ok(&html);
    assert!(
        page.contains("<div class=\"due\">统计表（26个单位，未报22）</div>"),
        "{page}"
    );
    let json = office.json(&args);
    assert_eq!(json["deadlines"][0]["deliverable"], "统计表");
    assert_eq!(json["deadlines"][0]["open"], 22);
    let error = office.fails(&["calendar", "--deadlines", "nanyang-2017", "--month", "May"]);
    assert!(error.contains("`May` is not a month"), "{error}");
}

/// The ladder's interview rung is not proposed again for a unit interviewed since the lapse.
#[test]
fn the_ladder_does_not_propose_an_interview_held_already() {
    let office = Office::sqlite(&["nanyang-2017"]);
    nanyang_with_rules(&office);
    office.ok(&[
        "interview",
        "record",
        "nanyang-2017",
        "桐柏县",
        "--at",
        "2017-04-25",
        "--by",
        "市纪委",
    ]);
    let mails = office.json(&[
        "preview",
        "--from",
        "2017-05-01",
        "--to",
        "2017-05-05",
        "--current",
    ]);
    let interviews: Vec<&serde_json::Value> = mails
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "interview")
        .collect();
    assert!(!interviews.is_empty(), "{mails}");
    let items: Vec<String> = interviews
        .iter()
        .flat_map(|m| m["items"].as_array().unwrap().iter())
        .map(|i| i.as_str().unwrap().to_string())
        .collect();
    assert!(items.iter().any(|i| i.contains("邓州市")), "{items:?}");
    assert!(
        !items.iter().any(|i| i.contains("桐柏县")),
        "interviewed already: {items:?}"
    );
}

/// `通报 每月 下月5日前` makes the bulletin the office's own report: its reminder carries the
/// month's bulletin as a Word file.
fn the_offices_reminder_carries_the_bulletin(office: Office) {
    let server = crate::mailserver::MailServer::start();
    let path = office.w.campaign("nanyang-2017");
    let text = std::fs::read_to_string(&path).unwrap() + "\n通报 每月 下月5日前\n";
    std::fs::write(path, text).unwrap();
    std::fs::write(
        office.w.path().join("duban.toml"),
        format!(
            "[mail]\nurl = \"{}\"\nfrom = \"督办 <duban@example.org>\"\n",
            server.url()
        ),
    )
    .unwrap();
    may_2017(&office);
    // 5 June 2017 is a Monday: the three-day reminder goes out on Friday the 2nd.
    office.ok(&["remind", "--as-of", "2017-06-02T09:05"]);
    let sent = server.messages();
    let bulletin: Vec<_> = sent.iter().filter(|m| !m.attachments.is_empty()).collect();
    assert_eq!(
        bulletin.len(),
        1,
        "{:?}",
        sent.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    let mail = bulletin[0];
    assert!(mail.subject.contains("通报"), "{}", mail.subject);
    let (name, bytes) = &mail.attachments[0];
    assert_eq!(
        name,
        "关于侵害群众利益的不正之风和腐败问题专项整治报送情况的通报（2017年5月）.docx"
    );
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let mut document = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut document)
        .unwrap();
    assert!(document.contains("截至2017年5月31日"), "the May bulletin");
    // The other mails carry nothing; a second pass sends nothing again.
    assert!(sent.iter().filter(|m| m.attachments.is_empty()).count() > 0);
    office.ok(&["remind", "--as-of", "2017-06-02T09:06"]);
    assert_eq!(server.messages().len(), sent.len());
}

#[test]
fn the_offices_reminder_carries_the_bulletin_on_sqlite() {
    the_offices_reminder_carries_the_bulletin(Office::sqlite(&["nanyang-2017"]));
}

#[test]
fn the_offices_reminder_carries_the_bulletin_on_postgres() {
    if let Some(office) = Office::postgres(&["nanyang-2017"]) {
        the_offices_reminder_carries_the_bulletin(office);
    }
}
