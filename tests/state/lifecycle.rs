//! Review, return, extension, waiver, signatures and files, and names that do not match.

use super::has;
use crate::common::Workspace;

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
        "--at",
        "2023-07-21",
    ]);
    assert!(error.contains("not waiting for review"), "{error}");
}

#[test]
fn signatures_files_and_second_submissions() {
    let w = Workspace::new(&["gulu-2023"]);
    let error = w
        .submit("gulu-2023", "问题清单", "各村")
        .at("2023-07-15")
        .args(&["--signed-by", "张:村书记"])
        .fails();
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
    let report_history = || {
        w.json(&[
            "history",
            "gulu-2023",
            "自查自纠工作报告",
            "镇村建中心",
            "--as-of",
            "2023-07-21",
        ])
    };
    let history = report_history();
    let stored = &history["events"][0]["files"][0];
    let sha = stored["sha256"].as_str().unwrap();
    assert_eq!(stored["name"], "问题清单.xlsx");
    let copy = w.path().join("duban-files").join(&sha[..2]).join(sha);
    assert_eq!(
        std::fs::read_to_string(copy).unwrap(),
        "清单内容",
        "the file is kept under its SHA-256"
    );

    let error = w
        .submit("gulu-2023", "自查自纠工作报告", "镇村建中心")
        .at("2023-07-20")
        .fails();
    assert!(
        error.contains("already submitted") && error.contains("--replace"),
        "{error}"
    );
    w.submit("gulu-2023", "自查自纠工作报告", "镇村建中心")
        .at("2023-07-20")
        .args(&["--replace"])
        .ok();
    let history = report_history();
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
    w.submit("nanyang-2017", "统计表", "宛城区")
        .period("2017-05")
        .at("2017-05-20")
        .ok();
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
    let error = w
        .submit("nanyang-2017", "统计表", "南召县")
        .period("2017-05")
        .fails();
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
