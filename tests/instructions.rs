//! A leader's instruction (批示) made tracked work, through the real binary: the office enters
//! it for a unit (on what it was given, by when), the ladder's lists know it when it is late,
//! its unit reports it done with its 办结报告 (a file: none is refused), the office reviews it
//! (复核: returned, then accepted), every step is in its history, and the bulletin lists it with
//! its source and where it stands — on SQLite and PostgreSQL; from a unit's page and through the
//! API, each as the office alone.

use crate::common::Workspace;

const CAMPAIGN: &str = "专项整治 ins-2017 \"批示办理\" {
  期间 2017年4月1日 至 2017年12月31日
  主办单位 市纪委
}
单位 市纪委
单位 县甲
单位 县乙
报送 统计表 {
  报送单位 县甲 县乙
  接收单位 市纪委
  时限 每月25日前
  首期 2017年5月
  末期 2017年6月
}
批示 领导批示 \"领导批示件\" {
  办结时限 交办后10个工作日
}
";

fn workspace(postgres: Option<&str>) -> Workspace {
    let w = Workspace::new(&[]);
    std::fs::create_dir_all(w.path().join("campaigns")).unwrap();
    std::fs::write(w.path().join("campaigns/ins-2017.campaign"), CAMPAIGN).unwrap();
    if let Some(url) = postgres {
        std::fs::write(
            w.path().join("duban.toml"),
            format!("database = \"{url}\"\n"),
        )
        .unwrap();
    }
    w.ok(&["sync", "--as-of", "2017-05-01T08:00"]);
    w
}

fn instructions(postgres: Option<&str>) {
    let w = workspace(postgres);
    let written = w.path().join("批示件.txt");
    std::fs::write(&written, "扶贫领域问题要抓紧整改。张三").unwrap();
    // Friday 12 May: ten workdays after it is the 26th.
    let out = w.ok(&[
        "instruct",
        "ins-2017",
        "县甲",
        "--leader",
        "市委书记 张三",
        "--text",
        "扶贫领域问题要抓紧整改，整改结果报市纪委",
        "--about",
        "统计表 县甲 2017-05",
        "--written",
        "2017-05-11",
        "--file",
        written.to_str().unwrap(),
        "--at",
        "2017-05-12T09:00",
    ]);
    assert!(
        out.contains("ins-2017 领导批示 县甲 #1 — not yet due (due 2017-05-26)"),
        "{out}"
    );
    // What it is about must exist; nothing is entered otherwise.
    let err = w.fails(&[
        "instruct",
        "ins-2017",
        "县乙",
        "--leader",
        "市长 李四",
        "--text",
        "约谈",
        "--about",
        "县丙",
        "--at",
        "2017-05-12T09:00",
    ]);
    assert!(err.contains("unknown unit `县丙`"), "{err}");
    let err = w.fails(&[
        "instruct",
        "ins-2017",
        "县乙",
        "--leader",
        "市长 李四",
        "--text",
        "约谈",
        "--about",
        "统计表 县乙 2017-13",
        "--at",
        "2017-05-12T09:00",
    ]);
    assert!(err.contains("2017-13"), "{err}");
    let listed = w.json(&["instructions", "ins-2017"]);
    assert_eq!(listed["instructions"].as_array().unwrap().len(), 1);
    // Past its day it is overdue like any report, and chased as one.
    let overdue = w.ok(&["overdue", "--campaign", "ins-2017", "--as-of", "2017-05-27"]);
    assert!(overdue.contains("领导批示"), "{overdue}");
    assert!(overdue.contains("#1"), "{overdue}");
    // Done only by its 办结报告.
    let err = w.fails(&[
        "ledger",
        "close",
        "ins-2017",
        "领导批示",
        "1",
        "--at",
        "2017-05-24T10:00",
    ]);
    assert!(err.contains("办结报告"), "{err}");
    let report = w.path().join("办结报告.txt");
    std::fs::write(&report, "已完成整改").unwrap();
    let report = report.to_str().unwrap();
    let out = w.ok(&[
        "ledger",
        "close",
        "ins-2017",
        "领导批示",
        "1",
        "--file",
        report,
        "--at",
        "2017-05-24T10:00",
    ]);
    assert!(out.contains("waiting for review by 市纪委"), "{out}");
    // 复核: returned with a reason, reported again, accepted.
    let review = |verdict: &[&str], at: &str| {
        let mut args = vec![
            "review",
            "ins-2017",
            "领导批示",
            "县甲",
            "--period",
            "#1",
            "--at",
            at,
        ];
        args.extend_from_slice(verdict);
        w.ok(&args)
    };
    review(
        &["--return", "--reason", "整改材料不全"],
        "2017-05-25T10:00",
    );
    w.ok(&[
        "ledger",
        "close",
        "ins-2017",
        "领导批示",
        "1",
        "--file",
        report,
        "--at",
        "2017-05-26T10:00",
    ]);
    review(&["--accept"], "2017-05-27T10:00");
    let history = w.json(&["history", "ins-2017", "领导批示", "县甲", "--period", "#1"]);
    assert_eq!(history["events"][0]["files"][0]["name"], "批示件.txt");
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "entered",
            "submitted",
            "review_returned",
            "submitted",
            "review_accepted"
        ]
    );
    // As of any instant: under review on the 24th, closed out on the 27th.
    let then = w.json(&["instructions", "ins-2017", "--as-of", "2017-05-24T12:00"]);
    assert_eq!(then["instructions"][0]["state"], "under_review");
    let now = w.json(&["instructions", "ins-2017", "--as-of", "2017-05-28"]);
    let line = &now["instructions"][0];
    assert_eq!(line["state"], "closed");
    assert_eq!(line["leader"], "市委书记 张三");
    assert_eq!(line["about"], "统计表 县甲 2017-05");
    // The May bulletin lists it with its source and where it stands.
    let bulletin = w.ok(&[
        "bulletin",
        "ins-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-06-05",
    ]);
    assert!(bulletin.contains("领导批示办理情况"), "{bulletin}");
    assert!(
        bulletin.contains(
            "| 市委书记 张三 | 扶贫领域问题要抓紧整改，整改结果报市纪委 | 统计表 县甲 2017-05 | 县甲 | 2017-05-26 | 已办结 |"
        ),
        "{bulletin}"
    );
}

#[test]
fn an_instruction_is_entered_chased_closed_by_its_report_and_reviewed_on_sqlite() {
    instructions(None);
}

#[test]
fn an_instruction_is_entered_chased_closed_by_its_report_and_reviewed_on_postgres() {
    if let Some(url) = crate::pgserver::database() {
        instructions(Some(&url));
    }
}

/// A campaign that keeps no instructions says how to keep them; the language gives every
/// instruction its own fields and refuses a declared field of the same name.
#[test]
fn a_campaign_without_instructions_says_how_to_keep_them() {
    let w = Workspace::new(&["nanyang-2017"]);
    w.ok(&["sync", "--as-of", "2017-05-01T08:00"]);
    let err = w.fails(&[
        "instruct",
        "nanyang-2017",
        "宛城区",
        "--leader",
        "市委书记",
        "--text",
        "抓紧",
        "--due",
        "2017-05-30",
    ]);
    assert!(err.contains("批示 领导批示"), "{err}");
    let file = w.path().join("twice.campaign");
    std::fs::write(
        &file,
        CAMPAIGN.replace("  办结时限", "  字段 批示内容 文本\n  办结时限"),
    )
    .unwrap();
    let err = w.fails(&["check", file.to_str().unwrap()]);
    assert!(
        err.contains("`批示内容` is a field every instruction has already"),
        "{err}"
    );
}

/// From the unit's page: the office enters it (the form is the office's alone), the unit sees
/// what the leader said and reports it done with a file — without one it is told why — and
/// through the API the office's token enters one too, a unit's token is refused.
#[test]
fn the_office_instructs_from_the_units_page_and_through_the_api() {
    use crate::web_rights::{csrf, secret_of};
    use crate::webserver::{Server, encode, sign_up, token};
    let w = workspace(None);
    let office_link = token(&w.ok(&["user", "add", "督办员", "--role", "office"]));
    let liaison_link = token(&w.ok(&[
        "user",
        "add",
        "乙联络员",
        "--unit",
        "县乙",
        "--role",
        "liaison",
    ]));
    let server = Server::start(&w, "2017-05-12T09:00");
    let office = sign_up(&server, &office_link, "督办员", "a long enough password");
    let liaison = sign_up(&server, &liaison_link, "乙联络员", "a long enough password");
    let unit_page = format!("/unit/{}", encode("县乙"));
    let page = server.get(&unit_page, &office);
    assert!(page.body.contains("交办领导批示"), "{}", page.body);
    assert!(
        !server
            .get(&unit_page, &liaison)
            .body
            .contains("交办领导批示"),
        "the unit's own page offers it nothing to instruct"
    );
    let secret = csrf(&page);
    let sent = server.send_multipart(
        "/instruct",
        &office,
        &[
            ("csrf", secret.as_str()),
            ("campaign", "ins-2017"),
            ("unit", "县乙"),
            ("leader", "市长 李四"),
            ("text", "请县乙三日内报告整改情况"),
            ("about", "unit"),
            ("due", "2017-05-17"),
        ],
        &[("批示件.txt", "请县乙三日内报告整改情况。李四")],
    );
    assert_eq!(sent.status, 303, "{}", sent.body);
    let row = sent.header("location").unwrap().to_string();
    assert!(row.contains(&encode("#1")), "{row}");
    // The liaison, refused the form, sees the instruction on its own page.
    let secret = secret_of(&server, &liaison);
    let refused = server.send_multipart(
        "/instruct",
        &liaison,
        &[
            ("csrf", secret.as_str()),
            ("campaign", "ins-2017"),
            ("unit", "县乙"),
            ("leader", "县长"),
            ("text", "自己交办"),
        ],
        &[],
    );
    assert_eq!(refused.status, 403);
    let path = row.split('?').next().unwrap().to_string();
    let body = server.get(&path, &liaison).body;
    assert!(
        body.contains("批示内容：请县乙三日内报告整改情况"),
        "{body}"
    );
    assert!(body.contains("批示对象：县乙"), "{body}");
    assert!(body.contains("提交办结报告"), "{body}");
    assert!(
        body.contains("批示件.txt"),
        "the instruction as written: {body}"
    );
    let upload = |file: Option<&str>| {
        let boundary = "duban-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{secret}\r\n"
        );
        if let Some(text) = file {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"办结报告.txt\"\r\nContent-Type: text/plain\r\n\r\n{text}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        server.exchange(
            "POST",
            &format!("{path}/submit"),
            &[
                format!("Cookie: {liaison}"),
                format!("Content-Type: multipart/form-data; boundary={boundary}"),
            ],
            &body,
        )
    };
    let none = upload(None);
    assert_eq!(none.status, 422);
    assert!(none.body.contains("请上传办结报告"), "{}", none.body);
    let done = upload(Some("已报告整改情况"));
    assert_eq!(done.status, 303, "{}", done.body);
    let body = server.get(&path, &liaison).body;
    assert!(body.contains("待市纪委审核"), "{body}");
    // The API: the office's token enters one; a unit's is refused.
    let office_token = w.ok(&["token", "create", "--role", "office"]);
    let office_token = office_token.split_whitespace().last().unwrap().to_string();
    let unit_token = w.ok(&["token", "create", "--role", "liaison", "--unit", "县甲"]);
    let unit_token = unit_token.split_whitespace().last().unwrap().to_string();
    let body = r#"{"campaign":"ins-2017","unit":"县甲","leader":"市委书记 张三","text":"加快进度","about":"县甲","due":"2017-05-31"}"#;
    let made = server.api("POST", "/api/v1/instructions", &office_token, Some(body));
    assert_eq!(made.status, 201, "{}", made.body);
    assert!(made.body.contains("\"row\":\"#2\""), "{}", made.body);
    let refused = server.api("POST", "/api/v1/instructions", &unit_token, Some(body));
    assert_eq!(refused.status, 403, "{}", refused.body);
    // 县甲 reports #2 done through the API: not by rewriting what the leader said, not without
    // its report.
    let rewrite = server.api(
        "POST",
        "/api/v1/submissions",
        &unit_token,
        Some(r##"{"campaign":"ins-2017","deliverable":"领导批示","unit":"县甲","period":"#2","values":{"批示内容":"无须整改"}}"##),
    );
    assert_eq!(rewrite.status, 422, "{}", rewrite.body);
    let bare = server.api(
        "POST",
        "/api/v1/submissions",
        &unit_token,
        Some(r##"{"campaign":"ins-2017","deliverable":"领导批示","unit":"县甲","period":"#2"}"##),
    );
    assert_eq!(bare.status, 422, "{}", bare.body);
    assert!(bare.body.contains("办结报告"), "{}", bare.body);
    let empty = server.api(
        "POST",
        "/api/v1/instructions",
        &office_token,
        Some(r#"{"campaign":"ins-2017","unit":"县甲","leader":"","text":"加快进度","due":"2017-05-31"}"#),
    );
    assert_eq!(empty.status, 422, "{}", empty.body);
    let long = format!(
        r#"{{"campaign":"ins-2017","unit":"县甲","leader":"{}","text":"加快进度","due":"2017-05-31"}}"#,
        "长".repeat(65)
    );
    let long = server.api("POST", "/api/v1/instructions", &office_token, Some(&long));
    assert_eq!(long.status, 422, "{}", long.body);
    assert!(long.body.contains("批示领导"), "{}", long.body);
    // A read-only token of the office reads and does nothing: no instruction, no chase, no
    // waiver, no account, no token — each refused as forbidden, nothing recorded.
    let reader = w.ok(&["token", "create", "--role", "office", "--read-only"]);
    let reader = reader.split_whitespace().last().unwrap().to_string();
    for (path, body) in [
        ("/api/v1/instructions", body),
        (
            "/api/v1/chases",
            r#"{"campaign":"ins-2017","unit":"县甲","deliverable":"统计表"}"#,
        ),
        (
            "/api/v1/waivers",
            r#"{"campaign":"ins-2017","unit":"县甲","deliverable":"统计表","period":"2017-06","reason":"不再报送"}"#,
        ),
    ] {
        let refused = server.api("POST", path, &reader, Some(body));
        assert_eq!(refused.status, 403, "{path}: {}", refused.body);
    }
    let read = server.api(
        "GET",
        "/api/v1/instructions?campaign=ins-2017",
        &reader,
        None,
    );
    assert_eq!(read.status, 200, "{}", read.body);
    let listed = w.json(&["instructions", "ins-2017"]);
    assert_eq!(listed["instructions"].as_array().unwrap().len(), 2);
    // Read through the API: the office sees both, 县甲's token its own only.
    let read = |token: &str| {
        let got = server.api("GET", "/api/v1/instructions?campaign=ins-2017", token, None);
        assert_eq!(got.status, 200, "{}", got.body);
        let lines: serde_json::Value = serde_json::from_str(&got.body).unwrap();
        lines
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                format!(
                    "{} {}",
                    l["unit"].as_str().unwrap(),
                    l["row"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(read(&office_token), ["县乙 #1", "县甲 #2"]);
    assert_eq!(read(&unit_token), ["县甲 #2"]);
    // In pages of one: #1, then — after the Link the first page gives — #2, and no page after.
    let first = server.api(
        "GET",
        "/api/v1/instructions?campaign=ins-2017&limit=1",
        &office_token,
        None,
    );
    assert!(
        first.body.contains("\"#1\"") && !first.body.contains("#2"),
        "{}",
        first.body
    );
    let link = first.header("link").expect("a next page");
    let next = &link[1..link.find('>').unwrap()];
    let second = server.api("GET", next, &office_token, None);
    assert!(
        second.body.contains("\"#2\"") && !second.body.contains("#1"),
        "{}",
        second.body
    );
    assert!(second.header("link").is_none());
}
