//! `duban serve`, the real binary on a free port, spoken to over HTTP: accounts made on the
//! command line set their password through the one-time link, sign in (CSRF checked, cookies
//! HttpOnly and SameSite=Strict, failures slowed per address), and see what their role allows — a
//! liaison its own unit only, a supervisor the board.

use crate::common::Workspace;
use crate::webserver::{Server, sign_up, token};

#[test]
fn each_role_sees_what_it_may_and_nothing_else_on_sqlite() {
    each_role_sees_what_it_may_and_nothing_else(Workspace::new(&["nanyang-2017"]));
}

#[test]
fn each_role_sees_what_it_may_and_nothing_else_on_postgres() {
    let Some(url) = crate::pgserver::database() else {
        return;
    };
    let w = Workspace::new(&["nanyang-2017"]);
    std::fs::write(
        w.path().join("duban.toml"),
        format!("database = \"{url}\"\n"),
    )
    .unwrap();
    each_role_sees_what_it_may_and_nothing_else(w);
}

fn each_role_sees_what_it_may_and_nothing_else(w: Workspace) {
    let liaison = token(&w.ok(&[
        "user",
        "add",
        "张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]));
    let supervisor = token(&w.ok(&["user", "add", "王五", "--role", "supervisor"]));
    let error = w.fails(&["user", "add", "李四", "--unit", "宛城", "--role", "liaison"]);
    assert!(error.contains("did you mean `宛城区`?"), "{error}");
    let error = w.fails(&[
        "user",
        "add",
        "张三",
        "--unit",
        "卧龙区",
        "--role",
        "liaison",
    ]);
    assert!(
        error.contains("an account named 张三 exists already"),
        "{error}"
    );
    let server = Server::start(&w, "2017-05-27");

    // A visitor is sent to sign in; every page says what may not run or frame it.
    let board = server.get("/board", "");
    assert_eq!(board.status, 303);
    assert_eq!(board.header("location"), Some("/login"));
    let login = server.get("/login", "");
    assert!(
        login
            .header("content-security-policy")
            .is_some_and(|c| c.contains("frame-ancestors 'none'"))
    );
    assert!(login.body.contains("name=\"csrf\""), "{}", login.body);

    // A form without its CSRF secret, a short password and a spent link are refused.
    let csrf = login.cookie("duban_csrf").unwrap();
    let forged = server.send(
        "POST",
        "/login",
        &csrf,
        &[("name", "张三"), ("password", "x"), ("csrf", "forged")],
    );
    assert_eq!(forged.status, 403);
    let secret = csrf.split_once('=').unwrap().1;
    let short = server.send(
        "POST",
        "/set-password",
        &csrf,
        &[("token", &liaison), ("password", "short"), ("csrf", secret)],
    );
    assert_eq!(short.status, 400);
    // Said in the page's own words, as everything a person reads there.
    assert!(short.body.contains("密码至少10个字符"), "{}", short.body);

    let zhang = sign_up(&server, &liaison, "张三", "宛城区联络员的密码1234");
    let spent = server.send(
        "POST",
        "/set-password",
        &csrf,
        &[
            ("token", &liaison),
            ("password", "another password"),
            ("csrf", secret),
        ],
    );
    assert_eq!(spent.status, 400, "a link works once");
    assert!(
        spent.body.contains("该链接已使用或已过期"),
        "{}",
        spent.body
    );

    // The liaison's board is its own unit's page; another unit's is refused.
    let own = server.get("/board", &zhang);
    assert_eq!(own.status, 303);
    assert_eq!(
        own.header("location"),
        Some("/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA")
    );
    let page = server.get("/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA", &zhang);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h1>宛城区</h1>"), "{}", page.body);
    assert!(
        page.body.contains("工作方案"),
        "what it owes: {}",
        page.body
    );
    let other = server.get("/unit/%E5%8D%A7%E9%BE%99%E5%8C%BA", &zhang);
    assert_eq!(other.status, 403, "卧龙区 is not 张三's");
    assert!(!other.body.contains("工作方案"));

    // The supervisor sees every unit's lights, and can search them.
    let wang = sign_up(&server, &supervisor, "王五", "监督室的长密码abcdef");
    let board = server.get("/board", &wang);
    assert_eq!(board.status, 200);
    assert!(board.body.contains("三色看板"), "{}", board.body);
    assert!(board.body.contains("卧龙区") && board.body.contains("宛城区"));
    assert!(
        board.body.contains("class=\"red\""),
        "27 May: much is overdue"
    );
    let found = server.get("/board?q=%E5%8D%A7%E9%BE%99", &wang);
    assert!(found.body.contains("卧龙区") && !found.body.contains(">宛城区<"));
    assert_eq!(
        server
            .get("/unit/%E5%8D%A7%E9%BE%99%E5%8C%BA", &wang)
            .status,
        200
    );

    // Signing out ends the session in the store.
    let logout_form = server.get("/board", &wang);
    let csrf_value = logout_form
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let out = server.send("POST", "/logout", &wang, &[("csrf", &csrf_value)]);
    assert_eq!(out.status, 303);
    assert_eq!(server.get("/board", &wang).status, 303, "signed out");
    assert_eq!(server.get("/nowhere", "").status, 404);
}

#[test]
fn wrong_passwords_are_refused_alike_and_then_rate_limited() {
    let w = Workspace::new(&["nanyang-2017"]);
    let link = liaison_link(&w);
    let server = Server::start(&w, "2017-05-27");
    sign_up(&server, &link, "张三", "宛城区联络员的密码1234");
    let attempt = |name: &str, password: &str| server.sign_in_attempt(name, password);
    let unknown = attempt("无此人", "whatever password");
    let wrong = attempt("张三", "not the password");
    assert_eq!((unknown.status, wrong.status), (401, 401));
    assert!(unknown.body.contains("账号或密码错误") && wrong.body.contains("账号或密码错误"));
    for _ in 0..4 {
        attempt("张三", "still not it");
    }
    let limited = attempt("张三", "宛城区联络员的密码1234");
    assert_eq!(
        limited.status, 429,
        "from this address, even the right password waits now"
    );
    assert!(limited.body.contains("请1分钟后再试"), "{}", limited.body);
    // A minute from the last failure, less the moment since (a second may tick between).
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((55..=60).contains(&wait), "retry after {wait} s");
}

/// The JSON API: a unit's token sees and submits for its unit only; 401 without a token, 403
/// for another unit, 422 for what the records refuse; the OpenAPI document describes it.
#[test]
fn the_api_answers_for_the_tokens_unit_only() {
    let w = Workspace::new(&["nanyang-2017"]);
    let created = w.ok(&["token", "create", "--unit", "宛城区", "--role", "liaison"]);
    let unit = created.split_whitespace().last().unwrap().to_string();
    let office = w.ok(&["token", "create", "--role", "office"]);
    let office = office.split_whitespace().last().unwrap().to_string();
    let server = Server::start(&w, "2017-05-27");
    assert_eq!(
        server
            .api("GET", "/api/v1/obligations?campaign=nanyang-2017", "", None)
            .status,
        401
    );
    assert_eq!(
        server
            .api(
                "GET",
                "/api/v1/obligations?campaign=nanyang-2017",
                "not-a-token",
                None
            )
            .status,
        401
    );
    let own = server.api(
        "GET",
        "/api/v1/obligations?campaign=nanyang-2017",
        &unit,
        None,
    );
    assert_eq!(own.status, 200, "{}", own.body);
    let rows: serde_json::Value = serde_json::from_str(&own.body).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    // Its own: what its pages show it, decided by the same rights.
    assert!(rows.iter().all(|r| r["unit"] == "宛城区"), "{}", own.body);
    assert!(rows.iter().any(|r| r["unit"] == "宛城区"));
    assert!(rows.iter().all(|r| r["unit"] != "卧龙区"), "{}", own.body);
    let all: serde_json::Value = serde_json::from_str(
        &server
            .api(
                "GET",
                "/api/v1/obligations?campaign=nanyang-2017",
                &office,
                None,
            )
            .body,
    )
    .unwrap();
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|r| r["unit"] == "卧龙区")
    );
    let post =
        |token: &str, body: String| server.api("POST", "/api/v1/submissions", token, Some(&body));
    let submit = |token: &str, unit: &str, deliverable: &str| {
        post(
            token,
            format!(
                r#"{{"campaign":"nanyang-2017","deliverable":"{deliverable}","unit":"{unit}"}}"#
            ),
        )
    };
    // A unit never chooses the time of its own act: `at` from its token is refused, and
    // nothing is recorded.
    let backdated = post(
        &unit,
        r#"{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"宛城区","at":"2017-04-14"}"#
            .into(),
    );
    assert_eq!(backdated.status, 403, "{}", backdated.body);
    assert!(
        backdated.body.contains("\"code\":\"time_not_chosen\""),
        "{}",
        backdated.body
    );
    assert!(backdated.body.contains("补录"), "{}", backdated.body);
    // Without it, the server's time (27 May: 工作方案 was due 15 April).
    let done = submit(&unit, "宛城区", "工作方案");
    assert_eq!(done.status, 201, "{}", done.body);
    assert!(
        done.body.contains("\"status\":\"submitted_late\""),
        "{}",
        done.body
    );
    assert_eq!(submit(&unit, "卧龙区", "工作方案").status, 403);
    // A supervisor watches; it does not report for units (as on the pages).
    let supervisor = w.ok(&["token", "create", "--role", "supervisor"]);
    let supervisor = supervisor.split_whitespace().last().unwrap().to_string();
    let refused = submit(&supervisor, "卧龙区", "工作方案");
    assert_eq!(refused.status, 403, "{}", refused.body);
    let refused = submit(&unit, "宛城区", "工作方按");
    assert_eq!(refused.status, 404, "{}", refused.body);
    assert!(
        refused.body.contains("工作方案"),
        "the nearest name: {}",
        refused.body
    );
    let history = w.json(&["history", "nanyang-2017", "工作方案", "宛城区"]);
    assert_eq!(history["events"].as_array().unwrap().len(), 1, "{history}");
    assert_eq!(history["events"][0]["by"], "token:宛城区-1", "{history}");
    assert!(
        history["events"][0]["at"]
            .as_str()
            .unwrap()
            .starts_with("2017-05-27T"),
        "{history}"
    );
    // The office records a report that came on paper at its own time (补录), kept with when
    // it was typed in.
    let paper = post(
        &office,
        r#"{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"卧龙区","at":"2017-04-14T16:00"}"#.into(),
    );
    assert_eq!(paper.status, 201, "{}", paper.body);
    assert!(
        paper.body.contains("\"status\":\"submitted_on_time\""),
        "{}",
        paper.body
    );
    let history = w.json(&["history", "nanyang-2017", "工作方案", "卧龙区"]);
    assert_eq!(history["events"][0]["backfilled"], true, "{history}");
    let spec = server.api("GET", "/api/v1/openapi.json", "", None);
    let spec: serde_json::Value = serde_json::from_str(&spec.body).unwrap();
    assert!(spec["paths"]["/api/v1/submissions"]["post"]["responses"]["403"].is_object());
    assert!(spec["paths"]["/api/v1/obligations"]["get"].is_object());
    let forms = &spec["paths"]["/api/v1/submissions"]["post"]["requestBody"]["content"];
    assert!(forms["multipart/form-data"].is_object());

    // With the form's figures: a bad one is 422 naming its field; files come as multipart.
    let bad = server.api(
        "POST",
        "/api/v1/submissions",
        &unit,
        Some(r#"{"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-04","values":{"查处问题数":"many"}}"#),
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body.contains("\"field\":\"查处问题数\""),
        "{}",
        bad.body
    );
    let boundary = "api-boundary";
    let mut body = String::new();
    let figures = [
        ("campaign", "nanyang-2017"),
        ("deliverable", "统计表"),
        ("unit", "宛城区"),
        ("period", "2017-04"),
        ("f:中省市转办线索数", "3"),
        ("f:自查自纠问题线索数", "2"),
        ("f:查处问题数", "4"),
        ("f:约谈函询人数", "1"),
        ("f:组织处理人数", "0"),
        ("f:党纪处分人数", "1"),
        ("f:政纪处分人数", "0"),
        ("f:责任追究人数", "0"),
        ("f:移送司法机关人数", "0"),
    ];
    for (name, value) in figures {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"四月统计表.xlsx\"\r\n\r\nPK-table\r\n--{boundary}--\r\n"
    ));
    let sent = server.exchange(
        "POST",
        "/api/v1/submissions",
        &[
            format!("Authorization: Bearer {unit}"),
            format!("Content-Type: multipart/form-data; boundary={boundary}"),
        ],
        &body,
    );
    assert_eq!(sent.status, 201, "{}", sent.body);
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-04",
        "--as-of",
        "2017-05-28",
    ]);
    assert_eq!(
        history["events"][0]["files"][0]["name"], "四月统计表.xlsx",
        "{history}"
    );
    assert_eq!(history["events"][0]["values"].as_array().unwrap().len(), 9);
}

/// `serve --with-daemon`: the pages and the mail in one process, both stopped by one SIGTERM.
#[test]
fn the_daemon_runs_beside_the_pages_and_stops_with_them() {
    let mail = crate::mailserver::MailServer::start();
    let w = Workspace::new(&["nanyang-2017"]);
    std::fs::write(
        w.path().join("duban.toml"),
        format!(
            "[mail]\nurl = \"{}\"\nfrom = \"督办 <duban@nanyang.example.org>\"\n",
            mail.url()
        ),
    )
    .unwrap();
    let mut server = Server::start_with(
        &w,
        &[
            "--as-of",
            "2017-05-22T09:05",
            "--with-daemon",
            "--schedule",
            "*/2 * * * * *",
        ],
    );
    assert_eq!(server.get("/login", "").status, 200);
    let sent = mail.wait_for(1);
    assert!(!sent.is_empty(), "the daemon's first pass sent mail");
    let started = std::time::Instant::now();
    assert_eq!(server.terminate(), Some(0), "a clean exit");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

/// With `--with-daemon`, the mail settings are checked before anything is served.
#[test]
fn serve_with_daemon_refuses_to_start_without_a_mail_server() {
    let w = Workspace::new(&["nanyang-2017"]);
    let error = w.fails(&["serve", "--listen", "127.0.0.1:0", "--with-daemon"]);
    assert!(error.contains("mail"), "{error}");
}

/// Behind a proxy (`--behind-proxy`), sign-in failures are counted by the address the proxy
/// names (and the account); without it, a header a client sends itself changes nothing.
#[test]
fn failures_are_counted_by_the_address_the_proxy_names() {
    for (behind, other_address_may_try) in [(true, true), (false, false)] {
        let w = Workspace::new(&["nanyang-2017"]);
        let mut args = vec!["--as-of", "2017-05-27"];
        if behind {
            args.push("--behind-proxy");
        }
        let server = Server::start_with(&w, &args);
        let login = server.get("/login", "");
        let csrf = login.cookie("duban_csrf").unwrap();
        let secret = csrf.split_once('=').unwrap().1.to_string();
        let attempt = |name: &str, from: &str| {
            let body = format!(
                "name={}&password=wrong-password&csrf={secret}",
                crate::webserver::encode(name)
            );
            server.exchange(
                "POST",
                "/login",
                &[
                    format!("Cookie: {csrf}"),
                    "Content-Type: application/x-www-form-urlencoded".to_string(),
                    format!("X-Forwarded-For: 198.51.100.9, {from}"),
                ],
                &body,
            )
        };
        for _ in 0..5 {
            assert_eq!(attempt("张三", "203.0.113.1").status, 401);
        }
        assert_eq!(
            attempt("张三", "203.0.113.1").status,
            429,
            "that address is limited at that account"
        );
        assert_eq!(attempt("李四", "203.0.113.1").status, 401, "not at another");
        let other = attempt("张三", "203.0.113.2").status;
        assert_eq!(
            other == 401,
            other_address_may_try,
            "behind a proxy: {behind}"
        );
    }
}

/// `user import`: an account for every named contact person, leaders as leaders; two units'
/// people of the same name get their unit's prefix; a second run makes no one twice.
#[test]
fn accounts_are_made_from_the_contacts_in_bulk() {
    let w = Workspace::new(&[]);
    std::fs::write(
        w.campaign("contacts"),
        "campaign contacts-demo {\n  period 2023-05-01 .. 2023-12-31\n}\n\
         单位 甲县 {\n  分管领导 \"张伟\" 电话 \"13800000001\"\n  联络员 \"李娜\" 邮箱 \"lina@example.org\"\n}\n\
         单位 乙县 {\n  联络员 \"张伟\" 电话 \"13800000002\"\n}\n\
         report 月报 { from 甲县 乙县; due every month by day 25 }\n",
    )
    .unwrap();
    let csv = w.ok(&["user", "import", "--base-url", "https://duban.example.org"]);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "account,unit,role,phone,email,link");
    assert!(
        rows.iter().any(|r| r.starts_with(
            "甲县·张伟,甲县,leader,13800000001,,https://duban.example.org/set-password?token="
        )),
        "{csv}"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("乙县·张伟,乙县,liaison,")),
        "{csv}"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("李娜,甲县,liaison,,lina@example.org,https://")),
        "{csv}"
    );
    assert_eq!(rows.len(), 4);
    let again = w.ok(&["user", "import"]);
    assert_eq!(again.matches("(exists)").count(), 3, "{again}");
    // A link made in bulk works like any other.
    let link = rows[1].rsplit("token=").next().unwrap().to_string();
    let server = Server::start(&w, "2023-06-01");
    let name = rows[1].split(',').next().unwrap();
    let cookie = sign_up(&server, &link, name, "批量创建的账号的密码");
    assert_eq!(
        server.get("/board", &cookie).status,
        303,
        "to its unit's page"
    );
}

/// Two nodes on one database count the same failed sign-ins: five spread over both lock the
/// account on either.
#[test]
fn two_nodes_count_the_same_failed_sign_ins() {
    let w = Workspace::new(&["nanyang-2017"]);
    let link = liaison_link(&w);
    let (a, b) = (
        Server::start(&w, "2017-05-27"),
        Server::start(&w, "2017-05-27"),
    );
    sign_up(&a, &link, "张三", "宛城区联络员的密码1234");
    let attempt = |server: &Server, password: &str| server.sign_in_attempt("张三", password).status;
    for server in [&a, &b, &a, &b, &a] {
        assert_eq!(attempt(server, "not the password"), 401);
    }
    assert_eq!(
        attempt(&b, "宛城区联络员的密码1234"),
        429,
        "the other node knows"
    );
}

/// The one-time link of 张三, 宛城区's liaison, made on the command line.
fn liaison_link(w: &Workspace) -> String {
    token(&w.ok(&[
        "user",
        "add",
        "张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]))
}

/// The obligations listing pages with a cursor the Link header gives, every page together is
/// the whole listing once, and an unchanged listing asked with its ETag is a 304 with no body —
/// until something changes it.
#[test]
fn the_api_pages_its_listing_and_answers_an_unchanged_one_with_304() {
    let w = Workspace::new(&["nanyang-2017"]);
    let office = w.ok(&["token", "create", "--role", "office"]);
    let office = office.split_whitespace().last().unwrap().to_string();
    let server = Server::start(&w, "2017-05-27");
    let all = server.api(
        "GET",
        "/api/v1/obligations?campaign=nanyang-2017",
        &office,
        None,
    );
    assert_eq!(all.status, 200, "{}", all.body);
    let every: Vec<serde_json::Value> = serde_json::from_str(&all.body).unwrap();
    assert!(every.len() > 100, "{}", every.len());
    assert!(all.header("link").is_none(), "no page asked, no next page");

    // Pages of 100, following Link, until there is none.
    let mut path = "/api/v1/obligations?campaign=nanyang-2017&limit=100".to_string();
    let mut paged: Vec<serde_json::Value> = Vec::new();
    loop {
        let page = server.api("GET", &path, &office, None);
        assert_eq!(page.status, 200, "{}", page.body);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&page.body).unwrap();
        assert!(rows.len() <= 100);
        paged.extend(rows);
        let Some(link) = page.header("link") else {
            break;
        };
        assert!(link.ends_with("; rel=\"next\""), "{link}");
        path = link[1..link.find('>').unwrap()].to_string();
    }
    assert_eq!(paged, every, "every page together is the listing, once");
    let bad = server.api(
        "GET",
        "/api/v1/obligations?campaign=nanyang-2017&cursor=nonsense",
        &office,
        None,
    );
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("\"code\":\"bad_cursor\""), "{}", bad.body);
    let bad = server.api(
        "GET",
        "/api/v1/obligations?campaign=nanyang-2017&limit=0",
        &office,
        None,
    );
    assert!(bad.body.contains("\"code\":\"bad_limit\""), "{}", bad.body);

    // Unchanged: 304 with the same ETag and no body.
    let tag = all.header("etag").unwrap().to_string();
    let ask = |tag: &str| {
        server.exchange(
            "GET",
            "/api/v1/obligations?campaign=nanyang-2017",
            &[
                format!("Authorization: Bearer {office}"),
                format!("If-None-Match: {tag}"),
            ],
            "",
        )
    };
    let unchanged = ask(&tag);
    assert_eq!(unchanged.status, 304);
    assert!(unchanged.body.is_empty());
    assert_eq!(unchanged.header("etag"), Some(tag.as_str()));
    // Something changed: the listing again, with another tag.
    let sent = server.api(
        "POST",
        "/api/v1/submissions",
        &office,
        Some(r#"{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"宛城区","at":"2017-04-14"}"#),
    );
    assert_eq!(sent.status, 201, "{}", sent.body);
    let changed = ask(&tag);
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(tag.as_str()));
}

/// Pages are read by key: a liaison, who sees a few rows of the campaign, pages through exactly
/// its listing; a row recorded between two pages (a 线索台账 row entered) neither shifts nor
/// repeats what the next page gives, and comes last; a cursor of an earlier version (a count of
/// rows) still starts where it said.
#[test]
fn pages_are_read_by_key_and_a_row_recorded_between_two_shifts_nothing() {
    let w = Workspace::new(&["nanyang-2017"]);
    let liaison = w.ok(&["token", "create", "--unit", "宛城区", "--role", "liaison"]);
    let liaison = liaison.split_whitespace().last().unwrap().to_string();
    let server = Server::start(&w, "2017-05-27");
    let list = |path: &str| {
        let page = server.api("GET", path, &liaison, None);
        assert_eq!(page.status, 200, "{}", page.body);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&page.body).unwrap();
        let next = page
            .header("link")
            .map(|l| l[1..l.find('>').unwrap()].to_string());
        (rows, next)
    };
    let (every, _) = list("/api/v1/obligations?campaign=nanyang-2017");
    assert!(every.len() > 6, "{}", every.len());
    assert!(
        every.iter().all(|o| o["unit"] == "宛城区"),
        "its own unit's only"
    );

    let (first, next) = list("/api/v1/obligations?campaign=nanyang-2017&limit=5");
    assert_eq!(first, every[..5]);
    let next = next.expect("a next page");
    assert!(next.contains("cursor=k"), "{next}");
    // A row entered now, before the next page is asked for.
    w.ok(&[
        "ledger",
        "add",
        "nanyang-2017",
        "线索台账",
        "--unit",
        "宛城区",
        "--value",
        "问题类型=其他",
        "--value",
        "线索受理时间=2017-05-20",
        "--value",
        "线索来源=自查自纠",
        "--value",
        "查办单位=宛城区纪委",
        "--value",
        "线索基本情况=某村虚报冒领",
        "--due",
        "2017-06-30",
        "--at",
        "2017-05-20T09:00",
    ]);
    let mut paged = first;
    let mut path = Some(next);
    while let Some(p) = path {
        let (rows, next) = list(&p);
        assert!(rows.len() <= 5);
        paged.extend(rows);
        path = next;
    }
    let (now, _) = list("/api/v1/obligations?campaign=nanyang-2017");
    assert_eq!(now.len(), every.len() + 1);
    assert_eq!(paged, now, "nothing shifted, nothing repeated");
    assert_eq!(now[..every.len()], every[..]);
    assert_eq!(now.last().unwrap()["deliverable"], "线索台账");

    // An earlier version's cursor, a count of rows: the rows after the fifth.
    let (old, _) = list("/api/v1/obligations?campaign=nanyang-2017&limit=3&cursor=o5");
    assert_eq!(old, now[5..8]);

    // One unit's own: read by the unit, paged alike; another unit's, nothing to a liaison.
    let mut path =
        Some("/api/v1/obligations?campaign=nanyang-2017&unit=宛城区&limit=4".to_string());
    let mut own = Vec::new();
    while let Some(p) = path {
        let (rows, next) = list(&p);
        own.extend(rows);
        path = next;
        assert!(
            path.as_deref().is_none_or(|p| p.contains("unit=")),
            "{path:?}"
        );
    }
    assert_eq!(own, now);
    let (other, _) = list("/api/v1/obligations?campaign=nanyang-2017&unit=卧龙区");
    assert!(other.is_empty());
    let (none, _) = list("/api/v1/obligations?campaign=nanyang-2017&unit=没有的区");
    assert!(
        none.is_empty(),
        "an unknown unit tells a liaison nothing more"
    );
    // To the office, an unknown unit is told with the nearest name.
    let office = w.ok(&["token", "create", "--role", "office"]);
    let office = office.split_whitespace().last().unwrap().to_string();
    let wrong = server.api(
        "GET",
        "/api/v1/obligations?campaign=nanyang-2017&unit=宛城",
        &office,
        None,
    );
    assert_eq!(wrong.status, 404, "{}", wrong.body);
    assert!(wrong.body.contains("宛城区"), "{}", wrong.body);
    let theirs = server.api(
        "GET",
        "/api/v1/obligations?campaign=nanyang-2017&unit=宛城区",
        &office,
        None,
    );
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&theirs.body).unwrap(),
        now
    );
}

/// Every refusal of the API says why in the pages' own words — Chinese, naming no command or
/// flag — beside its stable code: a missing campaign, a mistyped unit (with the nearest), a
/// report sent twice, values that do not fit the form, a time unreadable or in the future.
#[test]
fn the_apis_refusals_speak_chinese_and_name_no_command() {
    let w = Workspace::new(&["nanyang-2017"]);
    let office = w.ok(&["token", "create", "--role", "office"]);
    let office = office.split_whitespace().last().unwrap().to_string();
    let server = Server::start(&w, "2017-05-27");
    let submit = |body: &str| server.api("POST", "/api/v1/submissions", &office, Some(body));
    let first = submit(r#"{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"宛城区"}"#);
    assert_eq!(first.status, 201, "{}", first.body);
    let cases = [
        (
            server.api("GET", "/api/v1/obligations", &office, None),
            400,
            "campaign_needed",
        ),
        (
            submit(r#"{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"宛城"}"#),
            404,
            "unknown",
        ),
        (
            submit(r#"{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"宛城区"}"#),
            409,
            "already_submitted",
        ),
        (
            submit(
                r#"{"campaign":"nanyang-2017","deliverable":"统计表","unit":"卧龙区","period":"2017-05","values":{"查处问题数":"三"}}"#,
            ),
            422,
            "invalid_values",
        ),
        (
            submit(
                r#"{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"卧龙区","at":"昨天"}"#,
            ),
            400,
            "bad_time",
        ),
        (
            submit(
                r#"{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"卧龙区","at":"2099-05-01T09:00"}"#,
            ),
            422,
            "time_refused",
        ),
    ];
    for (reply, status, code) in cases {
        assert_eq!(reply.status, status, "{code}: {}", reply.body);
        let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(body["code"], code, "{body}");
        let words = body["error"].as_str().unwrap();
        assert!(
            words
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{code} in Chinese: {words}"
        );
        assert!(
            !words.contains("--") && !words.contains("duban ") && body.get("help").is_none(),
            "{code} names no command: {body}"
        );
    }
    // The mistyped unit is told with the nearest name.
    let typo = submit(r#"{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"宛城"}"#);
    assert!(typo.body.contains("宛城区"), "{}", typo.body);
}

/// What the page's form sends, the API takes too: who signed (古路's 问题清单 asks for three
/// signatures), and sending again in place of what was sent (替换已报送的内容) — as JSON and as
/// a multipart form; without them, the page's refusals.
#[test]
fn the_api_takes_signatures_and_a_replacement_as_the_page_does() {
    let w = Workspace::new(&["gulu-2023"]);
    let village = w.ok(&["token", "create", "--unit", "各村", "--role", "liaison"]);
    let village = village.split_whitespace().last().unwrap().to_string();
    let server = Server::start(&w, "2023-07-10T09:00");
    let send = |body: &str| server.api("POST", "/api/v1/submissions", &village, Some(body));
    let unsigned = send(r#"{"campaign":"gulu-2023","deliverable":"问题清单","unit":"各村"}"#);
    assert_eq!(unsigned.status, 422, "{}", unsigned.body);
    assert!(
        unsigned.body.contains("signatures_needed"),
        "{}",
        unsigned.body
    );
    let empty = send(
        r#"{"campaign":"gulu-2023","deliverable":"问题清单","unit":"各村","signed_by":{"村书记":" "}}"#,
    );
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(empty.body.contains("bad_signature"), "{}", empty.body);
    let signed = r#"{"campaign":"gulu-2023","deliverable":"问题清单","unit":"各村","signed_by":{"村书记":"王书记","驻村领导":"刘领导","经办人员":"陈经办"}}"#;
    let first = send(signed);
    assert_eq!(first.status, 201, "{}", first.body);
    let again = send(signed);
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("already_submitted"), "{}", again.body);
    let replaced = send(&signed.replace("\"signed_by\"", "\"replace\":true,\"signed_by\""));
    assert_eq!(replaced.status, 201, "{}", replaced.body);
    // As a multipart form, the page's own field names.
    let sent = server.api_multipart(
        "/api/v1/submissions",
        &village,
        &[
            ("campaign", "gulu-2023"),
            ("deliverable", "问题清单"),
            ("unit", "各村"),
            ("replace", "1"),
            ("sig:村书记", "王书记"),
            ("sig:驻村领导", "刘领导"),
            ("sig:经办人员", "陈经办"),
        ],
        &[],
    );
    assert_eq!(sent.status, 201, "{}", sent.body);
    // Three submissions in its history, each with its three signatures.
    let history = w.ok(&["history", "gulu-2023", "问题清单", "各村"]);
    assert_eq!(history.matches("王书记").count(), 3, "{history}");
}
