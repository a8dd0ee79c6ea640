//! 签收 and 申请延期 through the real binary. A unit acknowledges a task once, the time kept. a unit asks for more time before its deadline with a
//! reason and a day; the office grants a nearer day (an extension, as `extend`) or declines with
//! a reason; one request open at a time; asked after the deadline, refused — on the command
//! line on SQLite and PostgreSQL, and on the obligation pages of both sides.

use crate::common::Workspace;

fn history_kinds(w: &Workspace, unit: &str) -> Vec<String> {
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        unit,
        "--period",
        "2017-05",
    ]);
    history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

fn overdue_units(w: &Workspace, as_of: &str) -> Vec<String> {
    w.json(&[
        "overdue",
        "--campaign",
        "nanyang-2017",
        "--deliverable",
        "统计表",
        "--as-of",
        as_of,
    ])
    .as_array()
    .unwrap()
    .iter()
    .filter(|r| r["period"] == "2017-05")
    .map(|r| r["unit"].as_str().unwrap().to_string())
    .collect()
}

fn asks_and_answers(postgres: Option<&str>) {
    let w = Workspace::new(&["nanyang-2017"]);
    if let Some(url) = postgres {
        std::fs::write(
            w.path().join("duban.toml"),
            format!("database = \"{url}\"\n"),
        )
        .unwrap();
    }
    w.ok(&["sync", "--as-of", "2017-05-01T08:00"]);
    let ask = |unit: &str, until: &str, at: &str| {
        w.run(&[
            "ask-extension",
            "nanyang-2017",
            "统计表",
            unit,
            "--period",
            "2017-05",
            "--until",
            until,
            "--reason",
            "乡镇数据未齐",
            "--by",
            "李四",
            "--at",
            at,
        ])
    };
    // 宛城区 asks for five more days; asking again while it is open is refused.
    let asked = ask("宛城区", "2017-05-30", "2017-05-20T10:00");
    assert_eq!(asked.code, 0, "{}", asked.stderr);
    let again = ask("宛城区", "2017-06-05", "2017-05-21T10:00");
    assert_eq!(again.code, 2, "{}", again.stdout);
    assert!(
        again
            .stderr
            .contains("asked for already (until 2017-05-30)"),
        "{}",
        again.stderr
    );
    // The deadline holds until the office answers: asking is not being given.
    assert_eq!(history_kinds(&w, "宛城区"), ["extension_asked"]);
    // The office gives three days, not five.
    w.ok(&[
        "extend",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--until",
        "2017-05-28",
        "--reason",
        "同意延期三天",
        "--at",
        "2017-05-22T09:00",
    ]);
    assert_eq!(history_kinds(&w, "宛城区"), ["extension_asked", "extended"]);
    assert!(!overdue_units(&w, "2017-05-27T10:00").contains(&"宛城区".to_string()));
    assert!(overdue_units(&w, "2017-05-29T10:00").contains(&"宛城区".to_string()));
    // After the deadline, a request is refused (the office may still extend).
    let late = ask("卧龙区", "2017-06-01", "2017-05-26T10:00");
    assert_eq!(late.code, 2, "{}", late.stdout);
    assert!(
        late.stderr.contains("was due 2017-05-25"),
        "{}",
        late.stderr
    );
    // 内乡县 asks and is declined, with a reason; a second decline has nothing to answer.
    assert_eq!(ask("内乡县", "2017-05-31", "2017-05-23T10:00").code, 0);
    let decline = |at: &str| {
        w.run(&[
            "decline-extension",
            "nanyang-2017",
            "统计表",
            "内乡县",
            "--period",
            "2017-05",
            "--reason",
            "时间充足请按时报送",
            "--at",
            at,
        ])
    };
    assert_eq!(decline("2017-05-23T15:00").code, 0);
    let twice = decline("2017-05-23T16:00");
    assert_eq!(twice.code, 2);
    assert!(
        twice.stderr.contains("no request for more time is open"),
        "{}",
        twice.stderr
    );
    assert_eq!(
        history_kinds(&w, "内乡县"),
        ["extension_asked", "extension_declined"]
    );
    assert!(overdue_units(&w, "2017-05-26T10:00").contains(&"内乡县".to_string()));
    // A report sent answers an open request: after a 退回 the unit may ask again.
    assert_eq!(ask("南召县", "2017-05-30", "2017-05-20T10:00").code, 0);
    w.ok(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "南召县",
        "--period",
        "2017-05",
        "--at",
        "2017-05-21T10:00",
    ]);
    w.ok(&[
        "return",
        "nanyang-2017",
        "统计表",
        "南召县",
        "--period",
        "2017-05",
        "--reason",
        "数据有误",
        "--at",
        "2017-05-22T10:00",
    ]);
    let anew = ask("南召县", "2017-05-31", "2017-05-23T10:00");
    assert_eq!(anew.code, 0, "{}", anew.stderr);
    // The record as of a moment between the ask and the answer: asked, not yet extended.
    let between = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-21T00:00",
    ]);
    let kinds: Vec<&str> = between["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["extension_asked"]);
    // The May bulletin counts each unit's requests and their answers; 宛城区's report by its
    // new deadline would be on time.
    let b = w.json(&[
        "bulletin",
        "nanyang-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-06-05",
    ]);
    let requests = b["requests"].as_array().unwrap();
    let of = |unit: &str| {
        requests
            .iter()
            .find(|r| r["unit"] == unit)
            .cloned()
            .unwrap()
    };
    assert_eq!(of("宛城区")["asked"], 1, "{b}");
    assert_eq!(of("宛城区")["granted"], 1, "{b}");
    assert_eq!(of("内乡县")["declined"], 1, "{b}");
    let md = w.ok(&[
        "bulletin",
        "nanyang-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-06-05",
        "--format",
        "md",
    ]);
    assert!(md.contains("、申请延期和签收情况"), "{md}");
    assert!(
        md.contains("经同意延期的事项按延期后的截止时间计算"),
        "{md}"
    );
    // The assessment of the month counts them too.
    let a = w.json(&[
        "assess",
        "nanyang-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-06-05",
    ]);
    let units = a["units"].as_array().unwrap();
    let wancheng = units.iter().find(|u| u["unit"] == "宛城区").unwrap();
    assert_eq!(wancheng["requests"]["asked"], 1, "{a}");
    assert_eq!(wancheng["requests"]["granted"], 1, "{a}");
}

#[test]
fn a_unit_asks_for_more_time_and_the_office_answers_on_sqlite() {
    asks_and_answers(None);
}

#[test]
fn a_unit_asks_for_more_time_and_the_office_answers_on_postgres() {
    let Some(url) = crate::pgserver::database() else {
        return;
    };
    asks_and_answers(Some(&url));
}

/// On the pages: the liaison asks on its obligation page and sees its request waiting; the
/// office sees it with the day asked for and grants a nearer one; the history says both in
/// Chinese.
#[test]
fn the_pages_of_both_sides_ask_and_answer() {
    use crate::webserver::{Server, encode, sign_up, token};
    let w = Workspace::new(&["nanyang-2017"]);
    let office = token(&w.ok(&["user", "add", "赵办", "--role", "office"]));
    let liaison = token(&w.ok(&[
        "user",
        "add",
        "李四",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]));
    let server = Server::start(&w, "2017-05-20T10:00");
    let office = sign_up(&server, &office, "赵办", "赵办的一个足够长的密码");
    let liaison = sign_up(&server, &liaison, "李四", "李四的一个足够长的密码");
    let page = format!(
        "/o/nanyang-2017/{}/{}/2017-05",
        encode("统计表"),
        encode("宛城区")
    );
    let shown = server.get(&page, &liaison);
    assert!(
        shown.body.contains("id=\"ask-extension\""),
        "{}",
        shown.body
    );
    assert!(
        !server
            .get(&page, &office)
            .body
            .contains("id=\"ask-extension\"")
    );
    let secret = crate::web_rights::secret_of(&server, &liaison);
    let asked = server.send(
        "POST",
        &format!("{page}/act"),
        &liaison,
        &[
            ("csrf", &secret),
            ("action", "ask_extension"),
            ("until", "2017-05-30"),
            ("reason", "乡镇数据未齐"),
        ],
    );
    assert_eq!(asked.status, 303, "{}", asked.body);
    let shown = server.get(&page, &liaison);
    assert!(
        shown
            .body
            .contains("宛城区已申请延期至2017-05-30（理由：乡镇数据未齐），待主办单位答复"),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("申请延期</td>"), "{}", shown.body);
    assert!(
        !shown.body.contains("id=\"ask-extension\""),
        "one request at a time"
    );
    // A liaison cannot decline (nor grant) its own request.
    let refused = server.send(
        "POST",
        &format!("{page}/act"),
        &liaison,
        &[
            ("csrf", &secret),
            ("action", "decline_extension"),
            ("reason", "自己不同意"),
        ],
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    let seen = server.get(&page, &office);
    assert!(seen.body.contains("id=\"grant\""), "{}", seen.body);
    assert!(seen.body.contains("value=\"2017-05-30\""), "{}", seen.body);
    let secret = crate::web_rights::secret_of(&server, &office);
    let granted = server.send(
        "POST",
        &format!("{page}/act"),
        &office,
        &[
            ("csrf", &secret),
            ("action", "extend"),
            ("until", "2017-05-28"),
            ("reason", "同意延期三天"),
        ],
    );
    assert_eq!(granted.status, 303, "{}", granted.body);
    let shown = server.get(&page, &liaison);
    assert!(shown.body.contains("截止 2017-05-28"), "{}", shown.body);
    assert!(!shown.body.contains("id=\"asked\""), "answered");
}

/// Through the API: the liaison's token asks; the office's grants a nearer day (the new
/// deadline in the answer); a decline with nothing open has its code; the OpenAPI document
/// lists both operations.
#[test]
fn the_api_asks_and_answers() {
    use crate::webserver::Server;
    let w = Workspace::new(&["nanyang-2017"]);
    w.ok(&["sync", "--as-of", "2017-05-20T08:00"]);
    let token = |args: &[&str]| {
        w.ok(&[&["token", "create"][..], args].concat())
            .split_whitespace()
            .last()
            .unwrap()
            .to_string()
    };
    let office = token(&["--role", "office"]);
    let liaison = token(&["--role", "liaison", "--unit", "宛城区"]);
    let server = Server::start(&w, "2017-05-20T10:00");
    let asked = server.api(
        "POST",
        "/api/v1/extension-requests",
        &liaison,
        Some(r#"{"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-05","until":"2017-05-30","reason":"乡镇数据未齐"}"#),
    );
    assert_eq!(asked.status, 201, "{}", asked.body);
    let decision = |grant: bool, until: &str| {
        let until = if until.is_empty() {
            String::new()
        } else {
            format!(r#","until":"{until}""#)
        };
        server.api(
            "POST",
            "/api/v1/extension-decisions",
            &office,
            Some(&format!(
                r#"{{"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-05","grant":{grant}{until},"reason":"同意三天"}}"#
            )),
        )
    };
    let no_day = decision(true, "");
    assert_eq!(no_day.status, 422, "{}", no_day.body);
    assert!(
        no_day.body.contains("\"code\":\"until_needed\""),
        "{}",
        no_day.body
    );
    let granted = decision(true, "2017-05-28");
    assert_eq!(granted.status, 200, "{}", granted.body);
    let said: serde_json::Value = serde_json::from_str(&granted.body).unwrap();
    assert_eq!(said["due_date"], "2017-05-28", "{said}");
    let nothing = decision(false, "");
    assert_eq!(nothing.status, 409, "{}", nothing.body);
    assert!(
        nothing.body.contains("\"code\":\"no_request\""),
        "{}",
        nothing.body
    );
    // A request needs a reason, and comes before the deadline: each refusal its code, in
    // Chinese.
    let ask = |body: &str| server.api("POST", "/api/v1/extension-requests", &liaison, Some(body));
    let blank = ask(
        r#"{"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-06","until":"2017-06-30","reason":"  "}"#,
    );
    assert_eq!(blank.status, 422, "{}", blank.body);
    assert!(
        blank.body.contains("\"code\":\"reason_needed\""),
        "{}",
        blank.body
    );
    let late = ask(
        r#"{"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-04","until":"2017-05-30","reason":"补报"}"#,
    );
    assert_eq!(late.status, 409, "{}", late.body);
    assert!(
        late.body.contains("\"code\":\"asked_too_late\""),
        "{}",
        late.body
    );
    assert!(late.body.contains("不能再申请延期"), "{}", late.body);
    let document = server.api("GET", "/api/v1/openapi.json", &office, None);
    assert!(document.body.contains("/api/v1/extension-requests"));
    assert!(document.body.contains("/api/v1/extension-decisions"));
}

/// 签收: on the command line (twice refused), on the liaison's page (the button, then the time
/// and who), and through the API (201, then `already_acknowledged`); in the history.
#[test]
fn a_unit_acknowledges_a_task_once() {
    use crate::webserver::{Server, encode, sign_up, token};
    let w = Workspace::new(&["nanyang-2017"]);
    w.ok(&["sync", "--as-of", "2017-05-02T08:00"]);
    let ack = |unit: &str| {
        w.run(&[
            "acknowledge",
            "nanyang-2017",
            "统计表",
            unit,
            "--period",
            "2017-05",
            "--by",
            "王五",
            "--at",
            "2017-05-02T09:00",
        ])
    };
    assert_eq!(ack("卧龙区").code, 0);
    let again = ack("卧龙区");
    assert_eq!(again.code, 2);
    assert!(
        again
            .stderr
            .contains("acknowledged already, at 2017-05-02 09:00"),
        "{}",
        again.stderr
    );
    assert_eq!(history_kinds(&w, "卧龙区"), ["acknowledged"]);

    let liaison = token(&w.ok(&[
        "user",
        "add",
        "李四",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]));
    let server = Server::start(&w, "2017-05-03T10:00");
    let liaison = sign_up(&server, &liaison, "李四", "李四的一个足够长的密码");
    let page = format!(
        "/o/nanyang-2017/{}/{}/2017-05",
        encode("统计表"),
        encode("宛城区")
    );
    assert!(
        server
            .get(&page, &liaison)
            .body
            .contains("id=\"acknowledge\"")
    );
    let secret = crate::web_rights::secret_of(&server, &liaison);
    let done = server.send(
        "POST",
        &format!("{page}/act"),
        &liaison,
        &[("csrf", &secret), ("action", "acknowledge")],
    );
    assert_eq!(done.status, 303, "{}", done.body);
    let shown = server.get(&page, &liaison);
    assert!(
        shown.body.contains("已于2017-05-03 10:00签收（李四）"),
        "{}",
        shown.body
    );
    assert!(!shown.body.contains("id=\"acknowledge\""));
    // The office does not acknowledge for a unit on the pages.
    let office = token(&w.ok(&["user", "add", "赵办", "--role", "office"]));
    let office = sign_up(&server, &office, "赵办", "赵办的一个足够长的密码");
    let other = format!(
        "/o/nanyang-2017/{}/{}/2017-05",
        encode("统计表"),
        encode("方城县")
    );
    assert!(
        !server
            .get(&other, &office)
            .body
            .contains("id=\"acknowledge\"")
    );
    let theirs = crate::web_rights::secret_of(&server, &office);
    let refused = server.send(
        "POST",
        &format!("{other}/act"),
        &office,
        &[("csrf", &theirs), ("action", "acknowledge")],
    );
    assert_eq!(refused.status, 403, "{}", refused.body);

    let unit_token = w
        .ok(&["token", "create", "--role", "liaison", "--unit", "南召县"])
        .split_whitespace()
        .last()
        .unwrap()
        .to_string();
    let body =
        r#"{"campaign":"nanyang-2017","deliverable":"统计表","unit":"南召县","period":"2017-05"}"#;
    let first = server.api("POST", "/api/v1/acknowledgements", &unit_token, Some(body));
    assert_eq!(first.status, 201, "{}", first.body);
    let second = server.api("POST", "/api/v1/acknowledgements", &unit_token, Some(body));
    assert_eq!(second.status, 409, "{}", second.body);
    assert!(
        second.body.contains("\"code\":\"already_acknowledged\""),
        "{}",
        second.body
    );
}

/// A calendar app subscribes with the token in the address (it sends no header): the unit's
/// reports on their days, its own only; a wrong token is refused.
#[test]
fn a_units_calendar_is_subscribed_to_with_its_token() {
    use crate::webserver::Server;
    let w = Workspace::new(&["nanyang-2017"]);
    w.ok(&["sync", "--as-of", "2017-05-20T08:00"]);
    let secret = w
        .ok(&["token", "create", "--role", "liaison", "--unit", "宛城区"])
        .split_whitespace()
        .last()
        .unwrap()
        .to_string();
    let server = Server::start(&w, "2017-05-20T10:00");
    let got = server.get(&format!("/api/v1/calendar.ics?token={secret}"), "");
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(
        got.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    assert!(got.body.starts_with("BEGIN:VCALENDAR"), "{}", got.body);
    assert!(got.body.contains("统计表"), "{}", got.body);
    assert!(got.body.contains("宛城区"), "{}", got.body);
    assert!(!got.body.contains("卧龙区"), "its own unit's only");
    // What is late says so in its title; it sets no more alarms.
    assert!(
        got.body.contains("SUMMARY:【逾期】工作方案"),
        "{}",
        got.body
    );
    let wrong = server.get("/api/v1/calendar.ics?token=not-a-token", "");
    assert_eq!(wrong.status, 401, "{}", wrong.body);
}

#[test]
fn a_liaison_subscribes_its_units_calendar_from_its_page_with_a_link_that_only_reads() {
    use crate::webserver::{Server, sign_up, token};
    let w = Workspace::new(&["nanyang-2017"]);
    let link = token(&w.ok(&[
        "user",
        "add",
        "张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]));
    let server = Server::start(&w, "2017-05-20T10:00");
    let me = sign_up(&server, &link, "张三", "a long enough password");
    let page = server.get("/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA", &me).body;
    assert!(page.contains("生成日历订阅链接"), "{page}");
    let secret = crate::web_form::csrf(&page);
    let made = server.send(
        "POST",
        "/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA/calendar",
        &me,
        &[("csrf", &secret)],
    );
    assert_eq!(made.status, 200, "{}", made.body);
    assert!(made.body.contains("只显示这一次"), "{}", made.body);
    let webcal = made
        .body
        .split("id=\"webcal\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
        .replace("&#x3d;", "=");
    assert!(webcal.starts_with("webcal://"), "{webcal}");
    let path = &webcal[webcal.find("/api/").unwrap()..];
    let calendar = server.get(path, "");
    assert_eq!(calendar.status, 200, "{}", calendar.body);
    assert!(calendar.body.contains("统计表"), "{}", calendar.body);
    // The link's token reads and never acts.
    let secret = path.rsplit("token=").next().unwrap();
    let acted = server.api(
        "POST",
        "/api/v1/acknowledgements",
        secret,
        Some(r#"{"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-06"}"#),
    );
    assert_eq!(acted.status, 403, "{}", acted.body);
    let listed = server.api(
        "GET",
        "/api/v1/obligations?campaign=nanyang-2017",
        secret,
        None,
    );
    assert_eq!(listed.status, 200, "{}", listed.body);
    // The office sees it among the tokens, read-only, never expiring.
    let tokens = w.json(&["token", "list"]);
    let made = &tokens[0];
    assert_eq!(made["name"], "日历-宛城区-1", "{tokens}");
    assert_eq!(made["read_only"], true, "{tokens}");
    assert!(made["expires_at"].is_null(), "{tokens}");
}

/// `延期 最多1次 不超过10日` in the campaign: a second request, or a day further than ten days
/// past the deadline the report first had, is refused saying why; within both, asked as
/// before. On both engines.
fn limits(postgres: Option<&str>) {
    let w = Workspace::new(&["nanyang-2017"]);
    if let Some(url) = postgres {
        std::fs::write(
            w.path().join("duban.toml"),
            format!("database = \"{url}\"\n"),
        )
        .unwrap();
    }
    let file = w.path().join("campaigns/nanyang-2017.campaign");
    let text = std::fs::read_to_string(&file).unwrap();
    let limited = text.replacen(
        "  表单 \"附件3 统计表\"\n",
        "  表单 \"附件3 统计表\"\n  延期 最多1次 不超过10日\n",
        1,
    );
    assert_ne!(limited, text, "the campaign has its 统计表");
    std::fs::write(&file, limited).unwrap();
    w.ok(&["sync", "--as-of", "2017-05-01T08:00"]);
    let ask = |unit: &str, until: &str, at: &str| {
        w.run(&[
            "ask-extension",
            "nanyang-2017",
            "统计表",
            unit,
            "--period",
            "2017-05",
            "--until",
            until,
            "--reason",
            "乡镇数据未齐",
            "--at",
            at,
        ])
    };
    // 2017-05-25 and ten days: 2017-06-04 at the latest.
    let far = ask("宛城区", "2017-06-05", "2017-05-20T10:00");
    assert_eq!(far.code, 2, "{}", far.stdout);
    assert!(
        far.stderr.contains("until 2017-06-04 at the latest"),
        "{}",
        far.stderr
    );
    assert_eq!(ask("宛城区", "2017-06-04", "2017-05-20T10:00").code, 0);
    w.ok(&[
        "decline-extension",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--reason",
        "不同意",
        "--at",
        "2017-05-21T09:00",
    ]);
    // Declined, it may not ask again: one request in all.
    let again = ask("宛城区", "2017-05-28", "2017-05-22T10:00");
    assert_eq!(again.code, 2, "{}", again.stdout);
    assert!(again.stderr.contains("1 time(s) only"), "{}", again.stderr);
    // Another unit's request is its own.
    assert_eq!(ask("卧龙区", "2017-05-30", "2017-05-22T10:00").code, 0);
}

#[test]
fn the_campaign_limits_requests_for_more_time_on_sqlite() {
    limits(None);
}

#[test]
fn the_campaign_limits_requests_for_more_time_on_postgres() {
    if let Some(url) = crate::pgserver::database() {
        limits(Some(&url));
    }
}

/// `签收 24小时内` on 统计表: a county told by the reminder of 22 May 09:05 that has not
/// acknowledged it by 23 May 09:05 is 未签收 — on the board, in the bulletin — and one that
/// acknowledged, or sent its report, is not.
#[test]
fn a_notice_not_acknowledged_in_time_shows_on_the_board_and_in_the_bulletin() {
    use crate::webserver::{Server, sign_up, token};
    let mail = crate::mailserver::MailServer::start();
    let w = crate::mail::nanyang(&mail.url());
    let file = w.path().join("campaigns/nanyang-2017.campaign");
    let text = std::fs::read_to_string(&file).unwrap();
    let asked = text.replacen(
        "  表单 \"附件3 统计表\"\n",
        "  表单 \"附件3 统计表\"\n  签收 24小时内\n",
        1,
    );
    assert_ne!(asked, text);
    std::fs::write(&file, asked).unwrap();
    w.ok(&["remind", "--as-of", "2017-05-22T09:05"]);
    w.ok(&[
        "acknowledge",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--at",
        "2017-05-22T15:00",
    ]);
    let unacknowledged = |at: &str| -> Vec<String> {
        let b = w.json(&[
            "bulletin",
            "nanyang-2017",
            "--month",
            "2017-05",
            "--as-of",
            at,
        ]);
        b["unacknowledged"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|u| u["unit"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    // Within the day, nobody is late to acknowledge.
    assert!(unacknowledged("2017-05-23T09:00").is_empty());
    let late = unacknowledged("2017-05-23T10:00");
    assert!(late.contains(&"卧龙区".to_string()), "{late:?}");
    assert!(
        !late.contains(&"宛城区".to_string()),
        "acknowledged: {late:?}"
    );
    let md = w.ok(&[
        "bulletin",
        "nanyang-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-05-23T10:00",
        "--format",
        "md",
    ]);
    assert!(md.contains("、未签收情况"), "{md}");
    assert!(md.contains("2017-05-23 09:05"), "the time it was due: {md}");
    // The board counts it on the county and up its tree.
    let link = token(&w.ok(&["user", "add", "王督", "--role", "supervisor"]));
    let server = Server::start(&w, "2017-05-23T10:00");
    let me = sign_up(&server, &link, "王督", "a long enough password");
    let board = server.get("/board?campaign=nanyang-2017", &me).body;
    assert!(board.contains("未签收"), "{board}");
}

/// 签收 by the link in a notice: the reminder to a county whose report asks for 签收 carries a
/// link that, opened, asks first (a GET never acts) and then acknowledges — once, for that
/// obligation only, without signing in; a link altered by a character is not found.
#[test]
fn a_notice_is_acknowledged_by_its_link_without_signing_in() {
    use crate::webserver::Server;
    let mail = crate::mailserver::MailServer::start();
    let w = crate::mail::nanyang(&mail.url());
    std::fs::write(
        w.path().join("duban.toml"),
        format!(
            "base_url = \"https://duban.example.gov.cn\"\n[mail]\nurl = \"{}\"\nfrom = \"督办 <duban@nanyang.example.org>\"\n",
            mail.url()
        ),
    )
    .unwrap();
    let file = w.path().join("campaigns/nanyang-2017.campaign");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replacen(
            "  表单 \"附件3 统计表\"\n",
            "  表单 \"附件3 统计表\"\n  签收 24小时内\n",
            1,
        ),
    )
    .unwrap();
    w.ok(&["remind", "--as-of", "2017-05-22T09:05"]);
    let messages = mail.messages();
    let to_wolong = messages
        .iter()
        .find(|m| m.to.contains("u05-liaison"))
        .expect("卧龙区's liaison was told");
    let line = to_wolong
        .body
        .lines()
        .find(|l| l.contains("签收："))
        .unwrap_or_else(|| panic!("{}", to_wolong.body));
    let link = &line[line.find("https://duban.example.gov.cn").unwrap()..];
    let path = link
        .trim_start_matches("https://duban.example.gov.cn")
        .trim()
        .to_string();
    assert!(path.starts_with("/ack/nanyang-2017/"), "{path}");

    let server = Server::start(&w, "2017-05-22T10:00");
    let asked = server.get(&path, "");
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(
        !asked.body.contains("duban ") && !asked.body.contains("--"),
        "no command named on the page: {}",
        asked.body
    );
    assert!(asked.body.contains("确认签收"), "{}", asked.body);
    assert!(asked.header("set-cookie").is_none(), "nobody is signed in");
    // Looking is not acknowledging.
    let history = w.ok(&[
        "history",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
    ]);
    assert!(!history.contains("acknowledged"), "{history}");
    let done = server.send("POST", &path, "", &[]);
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("已签收"), "{}", done.body);
    let history = w.ok(&[
        "history",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
    ]);
    assert!(history.contains("acknowledged"), "{history}");
    assert!(history.contains("通知中的签收链接"), "{history}");
    // Once: asked again, it says when.
    let again = server.send("POST", &path, "", &[]);
    assert!(again.body.contains("无需再次签收"), "{}", again.body);
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
    ]);
    let acks = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "acknowledged")
        .count();
    assert_eq!(acks, 1);
    // Another obligation under the same signature, or the signature altered: not found.
    let other = path.replacen(
        "%E5%8D%A7%E9%BE%99%E5%8C%BA",
        "%E5%AE%9B%E5%9F%8E%E5%8C%BA",
        1,
    );
    assert_ne!(other, path, "the link names 卧龙区: {path}");
    assert_eq!(server.send("POST", &other, "", &[]).status, 404);
    let mut forged = path.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    assert_eq!(server.get(&forged, "").status, 404);
}

/// 未签收's own ladder (`未签收 1天 通知 分管领导`): a county told by the reminder of 22 May
/// 09:05 that has not acknowledged by 23 May 09:05 has its leader told the next morning
/// (【签收提醒】), beside the liaison's reminder of that morning; a county that acknowledged is
/// not; a second pass sends nothing new.
fn climbs_its_own_ladder(postgres: Option<&str>) {
    let mail = crate::mailserver::MailServer::start();
    let w = match postgres {
        None => crate::mail::nanyang(&mail.url()),
        Some(url) => {
            let w = Workspace::new(&["nanyang-2017"]);
            std::fs::write(
                w.path().join("duban.toml"),
                format!(
                    "database = \"{url}\"\n[mail]\nurl = \"{}\"\nfrom = \"督办 <duban@nanyang.example.org>\"\n",
                    mail.url()
                ),
            )
            .unwrap();
            w
        }
    };
    let file = w.path().join("campaigns/nanyang-2017.campaign");
    let text = std::fs::read_to_string(&file).unwrap();
    let asked = text
        .replacen(
            "  表单 \"附件3 统计表\"\n",
            "  表单 \"附件3 统计表\"\n  签收 24小时内\n",
            1,
        )
        .replacen(
            "  逾期 1天 通知 联络员\n",
            "  未签收 1天 通知 分管领导\n  逾期 1天 通知 联络员\n",
            1,
        );
    assert_eq!(asked.matches("未签收 1天").count(), 1, "the remind block");
    std::fs::write(&file, &asked).unwrap();
    w.ok(&["remind", "--as-of", "2017-05-22T09:05"]);
    w.ok(&[
        "acknowledge",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--at",
        "2017-05-22T15:00",
    ]);
    let before = mail.messages().len();
    // Nothing of the ladder while the 24 hours run.
    w.ok(&["remind", "--as-of", "2017-05-23T09:05"]);
    let during: Vec<_> = mail.messages().into_iter().skip(before).collect();
    assert!(
        during.iter().all(|m| !m.subject.contains("签收提醒")),
        "{:?}",
        during.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    let before = mail.messages().len();
    w.ok(&["remind", "--as-of", "2017-05-24T09:05"]);
    let next: Vec<_> = mail.messages().into_iter().skip(before).collect();
    let chased: Vec<_> = next
        .iter()
        .filter(|m| m.subject.contains("【签收提醒】"))
        .collect();
    assert!(
        !chased.is_empty(),
        "{:?}",
        next.iter().map(|m| (&m.to, &m.subject)).collect::<Vec<_>>()
    );
    assert!(
        chased.iter().all(|m| m.subject.contains("尚未签收")),
        "{:?}",
        chased.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(
        chased.iter().all(|m| !m.body.contains("报送单位：宛城区")),
        "宛城区 acknowledged"
    );
    assert!(
        chased.iter().any(|m| m.body.contains("报送单位：卧龙区")),
        "{}",
        chased[0].body
    );
    assert!(
        chased.iter().all(|m| m.to.contains("leader")),
        "its leader: {:?}",
        chased.iter().map(|m| &m.to).collect::<Vec<_>>()
    );
    // The liaisons' reminder of that morning still goes out.
    assert!(
        next.iter().any(|m| m.subject.starts_with("【催报】")),
        "{:?}",
        next.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    // Once.
    let out = w.ok(&["remind", "--as-of", "2017-05-24T09:05"]);
    assert!(out.starts_with("0 notices due"), "{out}");
}

#[test]
fn a_task_not_acknowledged_in_time_climbs_its_own_ladder_on_sqlite() {
    climbs_its_own_ladder(None);
}

#[test]
fn a_task_not_acknowledged_in_time_climbs_its_own_ladder_on_postgres() {
    if let Some(url) = crate::pgserver::database() {
        climbs_its_own_ladder(Some(&url));
    }
}

/// `延期 最多1次 由 市纪委 审批`: a request for more time is answered by the unit the campaign
/// names — its reviewer sees it waiting for it and grants a nearer day on the page — and by
/// the office as before; another reviewer may not; the approver extends only in answer to a
/// request.
#[test]
fn the_unit_the_campaign_names_answers_requests_for_more_time() {
    use crate::webserver::{Server, encode, sign_up, token};
    let w = Workspace::new(&["nanyang-2017"]);
    let file = w.path().join("campaigns/nanyang-2017.campaign");
    let text = std::fs::read_to_string(&file).unwrap();
    let named = text.replacen(
        "  表单 \"附件3 统计表\"\n",
        "  表单 \"附件3 统计表\"\n  延期 最多1次 由 市纪委 审批\n",
        1,
    );
    assert_ne!(named, text);
    std::fs::write(&file, named).unwrap();
    let approver = token(&w.ok(&[
        "user",
        "add",
        "钱审",
        "--unit",
        "市纪委",
        "--role",
        "reviewer",
    ]));
    let other = token(&w.ok(&[
        "user",
        "add",
        "孙审",
        "--unit",
        "党风政风监督室",
        "--role",
        "reviewer",
    ]));
    w.ok(&["sync", "--as-of", "2017-05-01T08:00"]);
    let ask = |unit: &str| {
        w.ok(&[
            "ask-extension",
            "nanyang-2017",
            "统计表",
            unit,
            "--period",
            "2017-05",
            "--until",
            "2017-05-30",
            "--reason",
            "乡镇数据未齐",
            "--at",
            "2017-05-20T09:00",
        ])
    };
    ask("宛城区");
    let server = Server::start(&w, "2017-05-20T10:00");
    let approver = sign_up(&server, &approver, "钱审", "钱审的一个足够长的密码");
    let other = sign_up(&server, &other, "孙审", "孙审的一个足够长的密码");
    let page = |unit: &str| {
        format!(
            "/o/nanyang-2017/{}/{}/2017-05",
            encode("统计表"),
            encode(unit)
        )
    };
    let shown = server.get(&page("宛城区"), &approver);
    assert!(shown.body.contains("待市纪委答复"), "{}", shown.body);
    assert!(shown.body.contains("id=\"grant\""), "{}", shown.body);
    let act = |cookie: &str, unit: &str, form: &[(&str, &str)]| {
        let secret = crate::web_rights::secret_of(&server, cookie);
        let mut all = vec![("csrf", secret.as_str())];
        all.extend_from_slice(form);
        server.send("POST", &format!("{}/act", page(unit)), cookie, &all)
    };
    let grant = [
        ("action", "extend"),
        ("until", "2017-05-28"),
        ("reason", "同意延期三天"),
    ];
    assert_eq!(
        act(&other, "宛城区", &grant).status,
        403,
        "not the named unit"
    );
    let granted = act(&approver, "宛城区", &grant);
    assert_eq!(granted.status, 303, "{}", granted.body);
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
    ]);
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["extension_asked", "extended"]);
    // Without a request, the named unit may not extend on its own.
    let alone = act(&approver, "卧龙区", &grant);
    assert_eq!(alone.status, 422, "{}", alone.body);
}
