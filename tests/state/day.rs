//! A staff member's day with 南阳, and 千阳's reports on the month before.

use super::has;
use crate::common::Workspace;

#[test]
fn a_staff_members_day_with_nanyang() {
    let w = Workspace::new(&["nanyang-2017"]);
    assert_eq!(
        w.ok(&["sync", "--as-of", "2017-04-01"]),
        "nanyang-2017: 338 added\n"
    );
    assert_eq!(
        w.ok(&["sync", "--as-of", "2017-04-01"]),
        "nanyang-2017: unchanged\n",
        "sync is idempotent"
    );

    let out = w
        .submit("nanyang-2017", "工作方案", "宛城区")
        .at("2017-04-14T16:00")
        .by("张三")
        .ok();
    assert_eq!(
        out,
        "recorded: nanyang-2017 工作方案 宛城区 — submitted on time\n"
    );
    let out = w
        .submit("nanyang-2017", "工作方案", "卧龙区")
        .at("2017-04-18T09:30")
        .ok();
    assert_eq!(
        out,
        "recorded: nanyang-2017 工作方案 卧龙区 — submitted late (due 2017-04-15)\n"
    );
    w.submit("nanyang-2017", "统计表", "宛城区")
        .period("2017-04")
        .at("2017-04-24")
        .ok();

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

    // Due soon: on the 20th, the April table from everyone (the document's monthly exposure of
    // cases has no day: a standing duty, never due); on the 24th at noon, the table from everyone
    // but 宛城区, which sent it that morning.
    let due = w.json(&["due", "--within", "7d", "--as-of", "2017-04-20"]);
    let tables: Vec<_> = due.as_array().unwrap().iter().collect();
    assert!(tables.iter().all(|r| r["deliverable"] == "统计表"), "{due}");
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
            .all(|r| r["days_left"] == 1 && r["status"] == "due_soon")
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
    assert_eq!(status[0]["light"], "yellow", "sent late: not green");
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
    w.submit("qianyang-2023", "月报告", "城关镇")
        .period("2023-03")
        .at("2023-04-20")
        .ok();
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
