//! The rehearsal of 南阳 in May 2017 that shows the work running both ways, through the real
//! binary, a real SMTP server and the real pages, on SQLite and PostgreSQL: 宛城区 acknowledges
//! its 统计表 (签收); 卧龙区 asks for five more days and is given three (申请延期); 宛城区 splits
//! its 统计表 to its two 街道 and sends their sum (分解 到 下级); the table is reviewed in two
//! levels and returned at the second; a leader's instruction on it (批示) is closed by its
//! 办结报告 and reviewed; and 南召县, which sends nothing, gets a numbered 督办函 by mail — each
//! step in the history, on the pages of the unit and of the office, and in the May bulletin.

use crate::common::Workspace;
use crate::mailserver::MailServer;

/// 南阳 as the rehearsal runs it: its 统计表 acknowledged within a day, extended once by at
/// most ten days, split to sub-units, reviewed by 党风政风监督室 then 市纪委; two 街道 under
/// 宛城区; the 3-day rung issuing a 督办函; leaders' instructions kept.
fn nanyang(mail: &str, postgres: Option<&str>) -> Workspace {
    let w = Workspace::new(&["nanyang-2017"]);
    let database = postgres
        .map(|url| format!("database = \"{url}\"\n"))
        .unwrap_or_default();
    std::fs::write(
        w.path().join("duban.toml"),
        format!(
            "{database}[mail]\nurl = \"{mail}\"\nfrom = \"督办 <duban@nanyang.example.org>\"\nmax_attempts = 3\n"
        ),
    )
    .unwrap();
    let file = w.campaign("nanyang-2017");
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text
        .replacen(
            "  表单 \"附件3 统计表\"\n",
            "  表单 \"附件3 统计表\"\n  审核 党风政风监督室 然后 市纪委\n  签收 24小时内\n  延期 最多1次 不超过10日\n  分解 到 下级 时限 每月20日前\n",
            1,
        )
        .replacen(
            "  逾期 3天 通知 联络员 分管领导\n",
            "  逾期 3天 通知 联络员 分管领导 发 督办函\n",
            1,
        );
    assert!(
        edited.contains("分解 到 下级") && edited.contains("发 督办函"),
        "both places found"
    );
    let edited = format!(
        "{edited}\n单位 新华街道 {{ 隶属 宛城区 }}\n单位 汉冶街道 {{ 隶属 宛城区 }}\n批示 领导批示 \"领导批示件\" {{\n  办结时限 交办后10个工作日\n}}\n"
    );
    std::fs::write(&file, edited).unwrap();
    // April is done: every 工作方案 and April table in (the 街道's parts aside).
    let plans = w.json(&[
        "schedule",
        file.to_str().unwrap(),
        "--deliverable",
        "工作方案",
    ]);
    for plan in plans.as_array().unwrap() {
        let unit = plan["unit"].as_str().unwrap();
        w.ok(&[
            "submit",
            "nanyang-2017",
            "工作方案",
            unit,
            "--at",
            "2017-04-14",
        ]);
        w.ok(&[
            "submit",
            "nanyang-2017",
            "统计表",
            unit,
            "--period",
            "2017-04",
            "--at",
            "2017-04-24",
        ]);
    }
    w
}

const FIGURES: [&str; 18] = [
    "--value",
    "中省市转办线索数=1",
    "--value",
    "自查自纠问题线索数=2",
    "--value",
    "查处问题数=1",
    "--value",
    "约谈函询人数=1",
    "--value",
    "组织处理人数=0",
    "--value",
    "党纪处分人数=1",
    "--value",
    "政纪处分人数=0",
    "--value",
    "责任追究人数=0",
    "--value",
    "移送司法机关人数=0",
];

fn run(w: &Workspace, args: &[&str]) -> String {
    w.ok(args)
}

/// `duban ACT nanyang-2017 统计表 UNIT --period 2017-05 REST…`.
fn may(w: &Workspace, act: &str, unit: &str, rest: &[&str]) -> String {
    let mut args = vec![act, "nanyang-2017", "统计表", unit, "--period", "2017-05"];
    args.extend_from_slice(rest);
    run(w, &args)
}

fn kinds(w: &Workspace, deliverable: &str, unit: &str, period: &str) -> Vec<String> {
    let history = w.json(&[
        "history",
        "nanyang-2017",
        deliverable,
        unit,
        "--period",
        period,
    ]);
    history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

fn rehearsal(postgres: Option<&str>) {
    let mail = MailServer::start();
    let w = nanyang(&mail.url(), postgres);

    // 签收: 宛城区 acknowledges its May table the day after it is told.
    may(&w, "acknowledge", "宛城区", &["--at", "2017-05-02T10:00"]);

    // 批示: the secretary's instruction on 宛城区's May table, for 宛城区, by the rule (ten
    // workdays from 10 May: the 24th); done by its 办结报告 and reviewed by the office.
    let out = run(
        &w,
        &[
            "instruct",
            "nanyang-2017",
            "宛城区",
            "--leader",
            "市纪委书记",
            "--text",
            "扶贫领域问题线索要逐条核查，五月底前报告结果",
            "--about",
            "统计表 宛城区 2017-05",
            "--at",
            "2017-05-10T09:00",
        ],
    );
    assert!(out.contains("领导批示 宛城区 #1"), "{out}");
    assert!(out.contains("due 2017-05-24"), "{out}");
    let report = w.path().join("办结报告.txt");
    std::fs::write(&report, "线索已逐条核查").unwrap();
    run(
        &w,
        &[
            "ledger",
            "close",
            "nanyang-2017",
            "领导批示",
            "1",
            "--file",
            report.to_str().unwrap(),
            "--at",
            "2017-05-19T16:00",
        ],
    );
    run(
        &w,
        &[
            "review",
            "nanyang-2017",
            "领导批示",
            "宛城区",
            "--period",
            "#1",
            "--accept",
            "--at",
            "2017-05-22T09:00",
        ],
    );

    // 申请延期: 卧龙区 asks for five days more (to the 30th) and is given three (the 28th).
    may(
        &w,
        "ask-extension",
        "卧龙区",
        &[
            "--until",
            "2017-05-30",
            "--reason",
            "乡镇数据未报齐",
            "--at",
            "2017-05-20T10:00",
        ],
    );
    may(
        &w,
        "extend",
        "卧龙区",
        &[
            "--until",
            "2017-05-28",
            "--reason",
            "同意延期三天",
            "--at",
            "2017-05-22T10:00",
        ],
    );

    // 分解: 宛城区's 街道 send their parts by the 20th; 宛城区 sends their sum.
    for (unit, at) in [
        ("新华街道", "2017-05-18T10:00"),
        ("汉冶街道", "2017-05-19T10:00"),
    ] {
        let mut args = vec![
            "submit",
            "nanyang-2017",
            "统计表（下级）",
            unit,
            "--period",
            "2017-05",
            "--at",
            at,
        ];
        args.extend_from_slice(&FIGURES);
        run(&w, &args);
    }
    may(
        &w,
        "submit",
        "宛城区",
        &["--from-parts", "--at", "2017-05-22T10:00"],
    );
    let values = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
    ]);
    let sent = values["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "submitted")
        .unwrap()
        .to_string();
    assert!(
        sent.contains(r#"{"field":"查处问题数","number":2.0}"#),
        "the parts added up: {sent}"
    );

    // Two levels: passed by 党风政风监督室, returned by 市纪委, sent again, passed twice.
    let passed = may(
        &w,
        "review",
        "宛城区",
        &["--accept", "--at", "2017-05-23T10:00"],
    );
    assert!(passed.contains("waiting for review by 市纪委"), "{passed}");
    may(
        &w,
        "review",
        "宛城区",
        &[
            "--return",
            "--reason",
            "数据与统计系统不一致",
            "--at",
            "2017-05-24T10:00",
        ],
    );
    may(
        &w,
        "submit",
        "宛城区",
        &["--from-parts", "--at", "2017-05-24T15:00"],
    );
    may(
        &w,
        "review",
        "宛城区",
        &["--accept", "--at", "2017-05-25T10:00"],
    );
    let done = may(
        &w,
        "review",
        "宛城区",
        &["--accept", "--at", "2017-05-26T10:00"],
    );
    assert!(done.contains("submitted on time"), "{done}");

    // 督办函: 南召县 sends nothing; three days late (after the Dragon Boat holiday) its liaison
    // and leader get its numbered letter.
    run(&w, &["remind", "--as-of", "2017-05-26T09:05"]);
    run(&w, &["remind", "--as-of", "2017-05-31T09:05"]);
    let letters = w.json(&["letters", "南召县"]);
    let letter = &letters.as_array().unwrap()[0];
    let number = format!("督办函〔{}〕{}号", letter["year"], letter["number"]);
    assert!(
        letter["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["deliverable"] == "统计表" && i["period"] == "2017-05"),
        "{letter}"
    );
    let reached = mail
        .messages()
        .into_iter()
        .filter(|m| {
            m.attachments
                .iter()
                .any(|(name, _)| name.contains("南召县"))
        })
        .count();
    assert!(reached >= 1, "the letter reached 南召县 by mail");

    // Each step in the history.
    assert_eq!(
        kinds(&w, "统计表", "宛城区", "2017-05"),
        [
            "acknowledged",
            "submitted",
            "review_passed",
            "review_returned",
            "submitted",
            "review_passed",
            "review_accepted"
        ]
    );
    assert_eq!(
        kinds(&w, "统计表", "卧龙区", "2017-05"),
        ["extension_asked", "extended"]
    );
    assert_eq!(
        kinds(&w, "领导批示", "宛城区", "#1"),
        ["entered", "submitted", "review_accepted"]
    );
    assert_eq!(
        kinds(&w, "统计表（下级）", "新华街道", "2017-05"),
        ["submitted"]
    );

    // The May bulletin.
    let bulletin = run(
        &w,
        &[
            "bulletin",
            "nanyang-2017",
            "--month",
            "2017-05",
            "--as-of",
            "2017-06-05",
        ],
    );
    for said in [
        "申请延期和签收情况",
        "| 卧龙区 | 1 | 1 | 0 | 0 |",
        "领导批示办理情况",
        "| 市纪委书记 | 扶贫领域问题线索要逐条核查，五月底前报告结果 | 统计表 宛城区 2017-05 | 宛城区 | 2017-05-24 | 已办结 |",
        "督办文书下发情况",
        &format!("| {number} | 南召县 |"),
        "| 南召县 | 统计表 | 2017-05 |",
    ] {
        assert!(bulletin.contains(said), "{said} in\n{bulletin}");
    }
    assert!(
        bulletin.contains("| 宛城区 | 0 | 0 | 0 | 1 |"),
        "宛城区 acknowledged once: {bulletin}"
    );

    // The pages of both sides.
    use crate::webserver::{Server, encode, sign_up, token};
    let people = [
        ("宛城联络员", Some("宛城区")),
        ("卧龙联络员", Some("卧龙区")),
        ("南召联络员", Some("南召县")),
        ("督办员", None),
    ];
    let links: Vec<String> = people
        .iter()
        .map(|(name, unit)| {
            let mut args = vec!["user", "add", name];
            match unit {
                Some(unit) => args.extend_from_slice(&["--unit", unit, "--role", "liaison"]),
                None => args.extend_from_slice(&["--role", "office"]),
            }
            token(&w.ok(&args))
        })
        .collect();
    let server = Server::start(&w, "2017-06-01T10:00");
    let cookies: Vec<String> = people
        .iter()
        .zip(&links)
        .map(|((name, _), link)| sign_up(&server, link, name, "a long enough password"))
        .collect();
    let [wancheng, wolong, nanzhao, office] = [0, 1, 2, 3].map(|i| cookies[i].clone());
    let page = |unit: &str, deliverable: &str, period: &str| {
        format!(
            "/o/nanyang-2017/{}/{}/{}",
            encode(deliverable),
            encode(unit),
            encode(period)
        )
    };
    let table = page("宛城区", "统计表", "2017-05");
    for who in [&wancheng, &office] {
        let body = server.get(&table, who).body;
        for said in [
            "签收",
            "第1级审核通过（党风政风监督室），转市纪委审核",
            "第2级审核退回（市纪委）",
            "数据与统计系统不一致",
            "第2级审核通过（市纪委），审核完成",
        ] {
            assert!(body.contains(said), "{said} on {table}: {body}");
        }
    }
    let extended = page("卧龙区", "统计表", "2017-05");
    for who in [&wolong, &office] {
        let body = server.get(&extended, who).body;
        for said in ["申请延期", "乡镇数据未报齐", "同意延期三天", "2017-05-28"] {
            assert!(body.contains(said), "{said} on {extended}: {body}");
        }
    }
    let instruction = page("宛城区", "领导批示", "#1");
    for who in [&wancheng, &office] {
        let body = server.get(&instruction, who).body;
        for said in [
            "批示内容：扶贫领域问题线索要逐条核查",
            "交办",
            "办结报告.txt",
            "复核通过",
        ] {
            assert!(body.contains(said), "{said} on {instruction}: {body}");
        }
    }
    let late = format!("/unit/{}", encode("南召县"));
    for who in [&nanzhao, &office] {
        let body = server.get(&late, who).body;
        assert!(body.contains("督办文书"), "{body}");
        assert!(body.contains(&number), "{number}: {body}");
    }
    let bulletin_page = server
        .get("/bulletin?campaign=nanyang-2017&period=2017-05", &office)
        .body;
    for said in ["领导批示办理情况", "督办文书下发情况", "申请延期和签收情况"]
    {
        assert!(bulletin_page.contains(said), "{said}: {bulletin_page}");
    }
}

#[test]
fn nanyang_in_may_runs_both_ways_on_sqlite() {
    rehearsal(None);
}

#[test]
fn nanyang_in_may_runs_both_ways_on_postgres() {
    if let Some(url) = crate::pgserver::database() {
        rehearsal(Some(&url));
    }
}
