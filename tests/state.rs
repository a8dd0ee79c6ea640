//! The state engine through the real binary: sync, submit and the lifecycle, the daily queries
//! at several instants, edits of a campaign after submissions, and bad input.

use serde_json::Value;

use crate::common::Workspace;

/// `(unit, deliverable, period)` of every row of a JSON answer.
fn keys(rows: &Value) -> Vec<(String, String, String)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["unit"].as_str().unwrap().to_string(),
                r["deliverable"].as_str().unwrap().to_string(),
                r["period"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(rows: &Value, unit: &str, deliverable: &str, period: &str) -> bool {
    keys(rows).contains(&(unit.into(), deliverable.into(), period.into()))
}

#[test]
fn a_staff_members_day_with_nanyang() {
    let w = Workspace::new(&["nanyang-2017"]);
    assert_eq!(
        w.ok(&["sync", "--as-of", "2017-04-01"]),
        "nanyang-2017: 347 added\n"
    );
    assert_eq!(
        w.ok(&["sync", "--as-of", "2017-04-01"]),
        "nanyang-2017: unchanged\n",
        "sync is idempotent"
    );

    let out = w.ok(&[
        "submit",
        "nanyang-2017",
        "工作方案",
        "宛城区",
        "--at",
        "2017-04-14T16:00",
        "--by",
        "张三",
    ]);
    assert_eq!(
        out,
        "recorded: nanyang-2017 工作方案 宛城区 — submitted on time\n"
    );
    let out = w.ok(&[
        "submit",
        "nanyang-2017",
        "工作方案",
        "卧龙区",
        "--at",
        "2017-04-18T09:30",
    ]);
    assert_eq!(
        out,
        "recorded: nanyang-2017 工作方案 卧龙区 — submitted late (due 2017-04-15)\n"
    );
    w.ok(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-04",
        "--at",
        "2017-04-24",
    ]);

    // The plan is due on Saturday the 15th: by the civil code (第二百零三条) the period ends
    // with Monday the 17th, so on Sunday nobody is late yet...
    let overdue = w.json(&[
        "overdue",
        "--as-of",
        "2017-04-16",
        "--deliverable",
        "工作方案",
    ]);
    assert!(overdue.as_array().unwrap().is_empty(), "{overdue:#}");
    // ...and on Tuesday everyone but 宛城区 is one day late, against the date they were told.
    let overdue = w.json(&[
        "overdue",
        "--as-of",
        "2017-04-18",
        "--deliverable",
        "工作方案",
    ]);
    assert_eq!(overdue.as_array().unwrap().len(), 25);
    assert!(!has(&overdue, "宛城区", "工作方案", ""));
    assert!(
        has(&overdue, "卧龙区", "工作方案", ""),
        "卧龙区 had not submitted yet at the start of the 18th"
    );
    assert!(
        overdue
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["days_overdue"] == 1 && r["due_date"] == "2017-04-15")
    );

    // On the 19th 卧龙区 has (late), so it is no longer listed.
    let overdue = w.json(&[
        "overdue",
        "--as-of",
        "2017-04-19",
        "--deliverable",
        "工作方案",
    ]);
    assert_eq!(overdue.as_array().unwrap().len(), 24);
    assert!(!has(&overdue, "卧龙区", "工作方案", ""));

    // Due soon: on the 20th, the office's April bulletin that day and the April table from
    // everyone; on the 24th at noon, the table from everyone but 宛城区, which sent it that
    // morning.
    let due = w.json(&["due", "--within", "7d", "--as-of", "2017-04-20"]);
    let (bulletin, tables): (Vec<_>, Vec<_>) = due
        .as_array()
        .unwrap()
        .iter()
        .partition(|r| r["deliverable"] == "典型案例通报");
    assert_eq!(
        bulletin
            .iter()
            .map(|r| (r["unit"].as_str(), r["days_left"].as_i64()))
            .collect::<Vec<_>>(),
        [(Some("市纪委"), Some(0))]
    );
    assert_eq!(tables.len(), 26);
    assert!(
        tables
            .iter()
            .all(|r| r["due_date"] == "2017-04-25" && r["days_left"] == 5)
    );
    let due = w.json(&[
        "due",
        "--within",
        "7d",
        "--as-of",
        "2017-04-24T12:00",
        "--deliverable",
        "统计表",
    ]);
    assert_eq!(due.as_array().unwrap().len(), 25);
    assert!(!has(&due, "宛城区", "统计表", "2017-04"));
    assert!(
        due.as_array()
            .unwrap()
            .iter()
            .all(|r| r["days_left"] == 1 && r["status"] == "due soon")
    );

    let units = ["--unit", "宛城区", "--unit", "卧龙区", "--unit", "南召县"];
    let mut args = vec!["status", "--as-of", "2017-04-26"];
    args.extend(units);
    insta::assert_snapshot!("nanyang-status-2017-04-26", w.ok(&args));
    let mut args = vec!["overdue", "--as-of", "2017-04-26"];
    args.extend(units);
    insta::assert_snapshot!("nanyang-overdue-2017-04-26", w.ok(&args));
    let mut args = vec!["overdue", "--as-of", "2017-04-26", "--by", "deliverable"];
    args.extend(units);
    insta::assert_snapshot!("nanyang-overdue-by-deliverable-2017-04-26", w.ok(&args));

    let status = w.json(&[
        "status",
        "--as-of",
        "2017-04-26",
        "--unit",
        "卧龙区",
        "--deliverable",
        "工作方案",
    ]);
    assert_eq!(status[0]["late"], 1);
    assert_eq!(status[0]["light"], "green");
    let status = w.json(&[
        "status",
        "--as-of",
        "2017-04-23",
        "--unit",
        "南召县",
        "--deliverable",
        "统计表",
    ]);
    assert_eq!(
        (status[0]["due_soon"].as_i64(), status[0]["light"].as_str()),
        (Some(1), Some("yellow"))
    );

    // Exit 1 only when asked to.
    assert_eq!(
        w.run(&["overdue", "--as-of", "2017-04-26", "--fail-if-any"])
            .code,
        1
    );
    assert_eq!(
        w.run(&["overdue", "--as-of", "2017-04-14", "--fail-if-any"])
            .code,
        0
    );
    let csv = w.ok(&[
        "overdue",
        "--as-of",
        "2017-04-18",
        "--format",
        "csv",
        "--deliverable",
        "工作方案",
    ]);
    assert_eq!(csv.lines().count(), 26);
    assert!(csv.starts_with("campaign,deliverable,unit,period,due_date,due_at,days_overdue"));
}

#[test]
fn qianyang_reports_cover_the_previous_month() {
    let w = Workspace::new(&["qianyang-2023"]);
    w.ok(&[
        "submit",
        "qianyang-2023",
        "月报告",
        "城关镇",
        "--period",
        "2023-03",
        "--at",
        "2023-04-20",
    ]);
    let overdue = w.json(&[
        "overdue",
        "--as-of",
        "2023-04-26",
        "--deliverable",
        "月报告",
    ]);
    assert!(!has(&overdue, "城关镇", "月报告", "2023-03"));
    let row = overdue
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit"] == "崔家头镇")
        .unwrap();
    assert_eq!(
        (
            row["period"].as_str(),
            row["due_date"].as_str(),
            row["days_overdue"].as_i64()
        ),
        (Some("2023-03"), Some("2023-04-25"), Some(1))
    );
    let lists = w.json(&[
        "overdue",
        "--as-of",
        "2023-04-01",
        "--deliverable",
        "分管领导及联络员名单",
    ]);
    assert_eq!(
        lists.as_array().unwrap().len(),
        26,
        "7 towns and 19 departments"
    );
}

#[test]
fn review_return_and_resubmission() {
    let w = Workspace::new(&["gulu-2023"]);
    let sign = [
        "--signed-by",
        "张:村书记",
        "--signed-by",
        "李:驻村领导",
        "--signed-by",
        "王:经办人员",
    ];
    let mut submit = vec![
        "submit",
        "gulu-2023",
        "问题清单",
        "各村",
        "--at",
        "2023-07-15",
    ];
    submit.extend(sign);
    let out = w.ok(&submit);
    assert!(
        out.contains("under review, waiting for review by 各驻村组"),
        "{out}"
    );
    // Under review is not overdue: the village has done its part.
    assert!(!has(
        &w.json(&["overdue", "--as-of", "2023-07-19"]),
        "各村",
        "问题清单",
        ""
    ));

    let out = w.ok(&[
        "review",
        "gulu-2023",
        "问题清单",
        "各村",
        "--return",
        "--reason",
        "缺少整改措施",
        "--by",
        "驻村组",
        "--at",
        "2023-07-16",
    ]);
    assert!(out.contains("returned (due 2023-07-18)"), "{out}");
    assert!(
        has(
            &w.json(&["overdue", "--as-of", "2023-07-19"]),
            "各村",
            "问题清单",
            ""
        ),
        "returned and not resubmitted"
    );

    let mut again = vec![
        "submit",
        "gulu-2023",
        "问题清单",
        "各村",
        "--at",
        "2023-07-17",
    ];
    again.extend(sign);
    w.ok(&again);
    let out = w.ok(&[
        "review",
        "gulu-2023",
        "问题清单",
        "各村",
        "--accept",
        "--at",
        "2023-07-19",
    ]);
    assert!(
        out.contains("submitted on time"),
        "judged by when it was submitted: {out}"
    );

    let history = w.json(&[
        "history",
        "gulu-2023",
        "问题清单",
        "各村",
        "--as-of",
        "2023-07-20",
    ]);
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "submitted",
            "review_returned",
            "submitted",
            "review_accepted"
        ]
    );
    assert_eq!(history["status"], "submitted_on_time");
    assert_eq!(history["events"][1]["reason"], "缺少整改措施");

    let error = w.fails(&[
        "review",
        "gulu-2023",
        "自查自纠工作报告",
        "镇村建中心",
        "--accept",
    ]);
    assert!(error.contains("not waiting for review"), "{error}");
}

#[test]
fn signatures_files_and_second_submissions() {
    let w = Workspace::new(&["gulu-2023"]);
    let error = w.fails(&[
        "submit",
        "gulu-2023",
        "问题清单",
        "各村",
        "--at",
        "2023-07-15",
        "--signed-by",
        "张:村书记",
    ]);
    assert!(error.contains("missing: 驻村领导、经办人员"), "{error}");

    let file = w.path().join("问题清单.xlsx");
    std::fs::write(&file, "清单内容").unwrap();
    w.ok(&[
        "submit",
        "gulu-2023",
        "自查自纠工作报告",
        "镇村建中心",
        "--at",
        "2023-07-19",
        "--file",
        file.to_str().unwrap(),
        "--note",
        "第一版",
    ]);
    let history = w.json(&["history", "gulu-2023", "自查自纠工作报告", "镇村建中心"]);
    let stored = &history["events"][0]["files"][0];
    let sha = stored["sha256"].as_str().unwrap();
    assert_eq!(stored["name"], "问题清单.xlsx");
    let copy = w.path().join("duban-files").join(&sha[..2]).join(sha);
    assert_eq!(
        std::fs::read_to_string(copy).unwrap(),
        "清单内容",
        "the file is kept under its SHA-256"
    );

    let error = w.fails(&[
        "submit",
        "gulu-2023",
        "自查自纠工作报告",
        "镇村建中心",
        "--at",
        "2023-07-20",
    ]);
    assert!(
        error.contains("already submitted") && error.contains("--replace"),
        "{error}"
    );
    w.ok(&[
        "submit",
        "gulu-2023",
        "自查自纠工作报告",
        "镇村建中心",
        "--at",
        "2023-07-20",
        "--replace",
    ]);
    let history = w.json(&["history", "gulu-2023", "自查自纠工作报告", "镇村建中心"]);
    assert_eq!(
        history["events"].as_array().unwrap().len(),
        2,
        "both submissions are in the history"
    );
    assert_eq!(history["events"][1]["data"]["replaces"], true);
}

#[test]
fn returned_extended_and_waived() {
    let w = Workspace::new(&["nanyang-2017"]);
    // Returned by the office: owed again, overdue once past the deadline.
    w.ok(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--at",
        "2017-05-20",
    ]);
    let out = w.ok(&[
        "return",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--reason",
        "数据与内网不一致",
        "--at",
        "2017-05-22",
    ]);
    assert!(out.contains("returned"), "{out}");
    let overdue = w.json(&["overdue", "--as-of", "2017-05-27", "--unit", "宛城区"]);
    let row = overdue
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["period"] == "2017-05")
        .unwrap();
    assert_eq!(row["status"], "returned");

    // Extended: not overdue until the new date.
    let out = w.ok(&[
        "extend",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
        "--until",
        "2017-06-02",
        "--reason",
        "系统故障",
        "--at",
        "2017-05-24",
    ]);
    assert!(out.contains("extended (due 2017-06-02)"), "{out}");
    assert!(!has(
        &w.json(&["overdue", "--as-of", "2017-05-27"]),
        "卧龙区",
        "统计表",
        "2017-05"
    ));
    let later = w.json(&["overdue", "--as-of", "2017-06-03"]);
    let row = later
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit"] == "卧龙区" && r["period"] == "2017-05")
        .unwrap();
    assert_eq!(
        (row["due_date"].as_str(), row["days_overdue"].as_i64()),
        (Some("2017-06-02"), Some(1))
    );
    let error = w.fails(&[
        "extend",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
        "--until",
        "2017-05-30",
        "--reason",
        "x",
    ]);
    assert!(
        error.contains("not after the current deadline 2017-06-02"),
        "{error}"
    );

    // Waived: never overdue, and nothing to submit.
    w.ok(&[
        "waive",
        "nanyang-2017",
        "统计表",
        "南召县",
        "--period",
        "2017-05",
        "--reason",
        "并入全市统计",
        "--at",
        "2017-05-10",
    ]);
    assert!(!has(
        &w.json(&["overdue", "--as-of", "2017-06-30"]),
        "南召县",
        "统计表",
        "2017-05"
    ));
    let error = w.fails(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "南召县",
        "--period",
        "2017-05",
    ]);
    assert!(error.contains("waived"), "{error}");
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "南召县",
        "--period",
        "2017-05",
        "--as-of",
        "2017-06-01",
    ]);
    assert_eq!(history["status"], "waived");
    assert_eq!(history["events"][0]["reason"], "并入全市统计");
}

#[test]
fn editing_the_campaign_keeps_every_submission() {
    let w = Workspace::new(&["nanyang-2017"]);
    w.ok(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--at",
        "2017-05-22",
    ]);
    w.ok(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
        "--at",
        "2017-05-23",
    ]);

    // Move the monthly deadline to the 19th (a Friday in May) and drop 卧龙区 from the counties.
    let path = w.campaign("nanyang-2017");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text
        .replace("  时限 每月25日前\n", "  时限 每月19日前\n")
        .replace("  宛城区 卧龙区 南召县", "  宛城区 南召县");
    assert_ne!(edited, text);
    std::fs::write(&path, &edited).unwrap();
    let out = w.ok(&["sync", "--as-of", "2017-06-01"]);
    assert!(out.starts_with("nanyang-2017: 0 added, 225 moved, 12 removed; 1 no longer in the file but kept with their history: 统计表 卧龙区 2017-05"), "{out}");

    // 宛城区's submission is kept; against the new deadline it was late.
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--as-of",
        "2017-06-01",
    ]);
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["submitted", "due_changed"]);
    assert_eq!(
        history["events"][1]["data"],
        serde_json::json!({"from": "2017-05-25", "to": "2017-05-19"})
    );
    assert_eq!(history["status"], "submitted_late");

    // 卧龙区's is kept as history, and cannot be acted on.
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
    ]);
    assert_eq!(history["events"][1]["kind"], "removed");
    let error = w.fails(&[
        "return",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
        "--reason",
        "x",
    ]);
    assert!(error.contains("removed from the campaign file"), "{error}");
    assert!(!has(
        &w.json(&["overdue", "--as-of", "2017-12-31"]),
        "卧龙区",
        "统计表",
        "2017-06"
    ));

    // Put it back: restored, with everything it had.
    std::fs::write(&path, &text).unwrap();
    let out = w.ok(&["sync", "--as-of", "2017-06-01"]);
    assert!(
        out.contains("1 restored") && out.contains("12 added"),
        "{out}"
    );
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
    ]);
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["submitted", "removed", "restored"],
        "its deadline never moved: it was out of the file"
    );
    assert_eq!(
        w.ok(&["sync", "--as-of", "2017-06-01"]),
        "nanyang-2017: unchanged\n"
    );
}

#[test]
fn a_campaign_with_errors_keeps_its_last_good_version() {
    let w = Workspace::new(&["nanyang-2017"]);
    w.ok(&["sync", "--as-of", "2017-04-01"]);
    let path = w.campaign("nanyang-2017");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("报送单位 县区 市直各单位", "报送单位 县去 市直各单位"),
    )
    .unwrap();
    let run = w.run(&["sync", "--as-of", "2017-04-01"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `县区`?")
            && run.stderr.contains("keeps its last good version"),
        "{}",
        run.stderr
    );
    // Daily commands still work on the last good version, and say why the file was not read.
    // The plan was due on Saturday the 15th: late after Monday the 17th.
    let run = w.run(&["overdue", "--as-of", "2017-04-18", "--format", "json"]);
    assert_eq!(run.code, 0);
    let rows: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 26);
    assert!(run.stderr.contains("not synced"), "{}", run.stderr);
}

#[test]
fn unknown_names_and_periods_name_the_nearest() {
    let w = Workspace::new(&["nanyang-2017"]);
    for (args, expected) in [
        (
            vec!["submit", "nanyang-2071", "统计表", "宛城区"],
            "help: did you mean `nanyang-2017`?",
        ),
        (
            vec!["submit", "nanyang-2017", "统计", "宛城区"],
            "unknown deliverable `统计`",
        ),
        (
            vec![
                "submit",
                "nanyang-2017",
                "统计表",
                "宛城去",
                "--period",
                "2017-05",
            ],
            "help: did you mean `宛城区`?",
        ),
        (
            vec![
                "submit",
                "nanyang-2017",
                "统计表",
                "宛城区",
                "--period",
                "2017-5",
            ],
            "help: did you mean `2017-05`?",
        ),
        (
            vec![
                "submit",
                "nanyang-2017",
                "统计表",
                "宛城区",
                "--period",
                "2018-02",
            ],
            "run from 2017-04 to 2017-12",
        ),
        (
            vec!["submit", "nanyang-2017", "统计表", "宛城区"],
            "say which period with --period",
        ),
        (
            vec![
                "submit",
                "nanyang-2017",
                "工作方案",
                "宛城区",
                "--period",
                "2017-04",
            ],
            "leave out --period",
        ),
        (
            vec![
                "submit",
                "nanyang-2017",
                "统计表",
                "党风政风监督室",
                "--period",
                "2017-05",
            ],
            "owes no 统计表",
        ),
        (
            vec!["overdue", "--unit", "宛城去"],
            "did you mean `宛城区`?",
        ),
        (
            vec!["status", "--campaign", "nanyang"],
            "unknown campaign `nanyang`",
        ),
        (vec!["overdue", "--as-of", "2017-13-01"], "is not a time"),
    ] {
        let error = w.fails(&args);
        assert!(error.contains(expected), "{args:?}: {error}");
    }
}

#[test]
fn configuration_is_found_and_read() {
    let w = Workspace::new(&["gulu-2023"]);
    std::fs::create_dir(w.path().join("state")).unwrap();
    std::fs::write(
        w.path().join("duban.toml"),
        "database = \"state/office.db\"\nbusy_timeout_ms = 1000\n",
    )
    .unwrap();
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    assert!(w.path().join("state/office.db").exists());
    assert!(!w.db().exists());
    // --db overrides the configuration.
    let other = w.path().join("other.db");
    w.ok(&[
        "--db",
        other.to_str().unwrap(),
        "sync",
        "--as-of",
        "2023-06-01",
    ]);
    assert!(other.exists());
    let error = w.fails(&["--config", "missing.toml", "status"]);
    assert!(error.contains("cannot read config missing.toml"), "{error}");
    std::fs::write(w.path().join("bad.toml"), "databse = 1\n").unwrap();
    let error = w.fails(&["--config", "bad.toml", "status"]);
    assert!(error.contains("databse"), "{error}");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let w = Workspace::new(&["gulu-2023"]);
    std::fs::write(w.db(), "会议纪要，不是数据库\n").unwrap();
    let error = w.fails(&["status"]);
    assert!(error.contains("is not a duban database"), "{error}");
    assert_eq!(
        std::fs::read_to_string(w.db()).unwrap(),
        "会议纪要，不是数据库\n"
    );
    assert!(!w.path().join("duban.db-wal").exists());
}

#[test]
fn a_database_from_a_newer_duban_is_refused() {
    let w = Workspace::new(&["gulu-2023"]);
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let error = w.fails(&["status"]);
    assert!(
        error.contains("schema version 999") && error.contains("upgrade duban"),
        "{error}"
    );
}

/// A record in a state duban never writes, or a campaign in a zone nobody knows, is an error,
/// not read as something it is not.
#[test]
fn a_record_in_an_unknown_state_is_an_error_not_a_default() {
    let w = Workspace::new(&["gulu-2023"]);
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    // The schema's CHECK keeps such a row out; another tool may have written it past it.
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.pragma_update(None, "ignore_check_constraints", true)
        .unwrap();
    conn.execute("UPDATE obligations SET state = 'closed' WHERE id = 1", [])
        .unwrap();
    drop(conn);
    for args in [
        &["status", "--as-of", "2023-06-01"][..],
        &["due", "--within", "30d", "--as-of", "2023-07-10"],
    ] {
        let error = w.fails(args);
        assert!(
            error.contains("cannot read back: `closed` is not a state of an obligation"),
            "{args:?}: {error}"
        );
    }
    // Nor is a zone nobody knows read as China's.
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.execute("UPDATE campaigns SET zone = 'Asia/Nowhere'", [])
        .unwrap();
    drop(conn);
    let error = w.fails(&["overdue", "--as-of", "2023-08-01"]);
    assert!(
        error.contains("`Asia/Nowhere` is not a time zone"),
        "{error}"
    );
}

#[test]
fn a_locked_database_is_waited_for_then_refused() {
    let w = Workspace::new(&["gulu-2023"]);
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    std::fs::write(w.path().join("duban.toml"), "busy_timeout_ms = 300\n").unwrap();
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let error = w.fails(&[
        "submit",
        "gulu-2023",
        "自查自纠工作报告",
        "镇村建中心",
        "--at",
        "2023-07-19",
    ]);
    assert!(
        error.contains("locked by another process (waited 300 ms)"),
        "{error}"
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(300),
        "it waited first"
    );
    conn.execute_batch("ROLLBACK").unwrap();
    w.ok(&[
        "submit",
        "gulu-2023",
        "自查自纠工作报告",
        "镇村建中心",
        "--at",
        "2023-07-19",
    ]);
}

/// A database written by the first schema version, checked in, opens and is upgraded in place
/// with all its records.
#[test]
fn the_first_schema_version_is_upgraded() {
    let fixture = crate::common::root().join("tests/fixtures/db/schema-v1.db");
    let w = Workspace::new(&["gulu-2023"]);
    std::fs::copy(&fixture, w.db()).unwrap();
    let version = |path: &std::path::Path| -> i64 {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(version(&fixture), 1);
    let history = w.json(&[
        "history",
        "gulu-2023",
        "问题清单",
        "各村",
        "--as-of",
        "2023-07-20",
    ]);
    assert_eq!(history["status"], "submitted_on_time");
    assert_eq!(history["events"][0]["by"], "村会计");
    assert_eq!(version(&w.db()), duban::store::schema::LATEST);
    w.ok(&[
        "submit",
        "gulu-2023",
        "自查自纠工作报告",
        "镇村建中心",
        "--at",
        "2023-07-19",
    ]);
}

#[test]
fn a_listing_of_thousands_of_units_gives_each_its_own_contacts() {
    // Past a thousand units, a listing reads all of a campaign's units at once instead of one
    // by one: both ways must name every unit with its own liaison.
    let w = Workspace::new(&[]);
    let villages: Vec<String> = (1..=1500).map(|n| format!("村{n:04}")).collect();
    let campaign = format!(
        "campaign many \"many villages\" {{\n  period 2025-01-01 .. 2025-03-31\n  \
         contacts \"many.contacts.toml\"\n}}\nunit 乡政府 {{ email \"town@example.org\" }}\n\
         group 各村 {{\n  {}\n}}\nreport 月报 {{\n  from 各村\n  to 乡政府\n  \
         due every month by day 25\n  first 2025-01\n  last 2025-03\n}}\n",
        villages.join(" ")
    );
    let contacts: String = villages
        .iter()
        .map(|v| format!("[\"{v}\"]\nliaison = {{ email = \"{v}@example.org\" }}\n"))
        .collect();
    std::fs::write(w.path().join("campaigns/many.campaign"), campaign).unwrap();
    std::fs::write(w.path().join("campaigns/many.contacts.toml"), contacts).unwrap();
    let out = w.ok(&["overdue", "--as-of", "2025-02-01", "--format", "csv"]);
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 1500);
    for (row, village) in rows.iter().zip(&villages) {
        let fields: Vec<&str> = row.split(',').collect();
        assert_eq!(fields[2], village, "{row}");
        assert_eq!(fields[10], format!("{village}@example.org"), "{row}");
    }
    let out = w.ok(&[
        "due",
        "--within",
        "30d",
        "--as-of",
        "2025-02-01",
        "--format",
        "csv",
    ]);
    assert_eq!(out.lines().count(), 1501);
}

#[test]
fn the_offices_contacts_file_serves_campaigns_that_name_none() {
    let w = Workspace::new(&[]);
    std::fs::write(
        w.path().join("campaigns/small.campaign"),
        "campaign small \"small\" {\n  period 2025-01-01 .. 2025-03-31\n}\n\
         unit 乡政府 { email \"town@example.org\" }\nunit 甲村\nunit 乙村\n\
         report 月报 {\n  from 甲村 乙村\n  to 乡政府\n  due 2025-01-25\n}\n",
    )
    .unwrap();
    let book = |email: &str| {
        format!(
            "[\"甲村\"]\nliaison = {{ email = \"{email}\" }}\n\
             [\"别的村\"]\nliaison = {{ email = \"other@example.org\" }}\n"
        )
    };
    std::fs::write(w.path().join("office.toml"), book("jia@example.org")).unwrap();
    std::fs::write(w.path().join("duban.toml"), "contacts = \"office.toml\"\n").unwrap();
    let liaison_of_jia = || {
        let out = w.ok(&["overdue", "--as-of", "2025-02-01", "--format", "csv"]);
        let row = out
            .lines()
            .find(|l| l.contains(",甲村,"))
            .unwrap()
            .to_string();
        row.split(',').nth(10).unwrap().to_string()
    };

    // A unit of another campaign in the office's book is not worth a warning.
    let run = w.run(&["check", "campaigns"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert_eq!(liaison_of_jia(), "jia@example.org");

    // An edited book, and a configuration without it, reach the store at the next command.
    std::fs::write(w.path().join("office.toml"), book("jia2@example.org")).unwrap();
    assert_eq!(liaison_of_jia(), "jia2@example.org");
    std::fs::write(w.path().join("duban.toml"), "").unwrap();
    assert_eq!(liaison_of_jia(), "");
}
