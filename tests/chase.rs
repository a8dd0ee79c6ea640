//! 一键催办 through the real binary and a real SMTP server on loopback: `duban chase` records a
//! `chased` event in each overdue obligation's history (the record unchanged) and sends the
//! unit one mail at each of its mailboxes, once; a second chase the same day is refused unless
//! forced; a unit with nothing overdue, or a report not yet late, is not chased; a later pass
//! does not send a chase again.

use crate::mail::nanyang;
use crate::mailserver::MailServer;

fn history_kinds(w: &crate::common::Workspace, unit: &str) -> Vec<String> {
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        unit,
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-28",
    ]);
    history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_office_chases_a_late_unit_once_a_day_unless_it_insists() {
    let server = MailServer::start();
    let w = nanyang(&server.url());
    // 统计表 of May is due on the 25th; 宛城区 sent it, 卧龙区 did not.
    w.submit("nanyang-2017", "统计表", "宛城区")
        .period("2017-05")
        .at("2017-05-20")
        .ok();

    // A pass in the morning: the planner's next window reaches back to it.
    w.ok(&["remind", "--as-of", "2017-05-27T09:00"]);
    let last_pass = || -> i64 {
        rusqlite::Connection::open(w.db())
            .unwrap()
            .query_row("SELECT at FROM passes", [], |r| r.get(0))
            .unwrap()
    };
    let morning = last_pass();
    let before = server.messages().len();
    let chased = w.ok(&[
        "chase",
        "nanyang-2017",
        "卧龙区",
        "统计表",
        "--as-of",
        "2017-05-27T10:00",
    ]);
    assert_eq!(
        last_pass(),
        morning,
        "a chase is no pass: the next pass still reaches back to the morning's"
    );
    assert!(
        chased.contains("chased 卧龙区 for 1 overdue item: 统计表 2017-05"),
        "{chased}"
    );
    let messages = server.messages().split_off(before);
    assert!(!messages.is_empty(), "{chased}");
    assert!(
        messages
            .iter()
            .all(|m| m.to.starts_with("u05") && m.subject.contains("统计表已逾期，请立即报送")),
        "{:?}",
        messages
            .iter()
            .map(|m| (&m.to, &m.subject))
            .collect::<Vec<_>>()
    );
    assert!(
        messages[0].body.contains("卧龙区：") && messages[0].body.contains("已逾期2天"),
        "{}",
        messages[0].body
    );
    let sent = messages.len();
    let total = || server.messages().len() - before;
    assert_eq!(history_kinds(&w, "卧龙区").last().unwrap(), "chased");
    let status = w.json(&[
        "overdue",
        "--campaign",
        "nanyang-2017",
        "--unit",
        "卧龙区",
        "--as-of",
        "2017-05-27T11:00",
    ]);
    assert!(
        status
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["deliverable"] == "统计表"),
        "a chase changes nothing of the record: {status:#}"
    );

    // Again the same day: refused, nothing sent; with --force, chased and sent again.
    let again = w.run(&[
        "chase",
        "nanyang-2017",
        "卧龙区",
        "统计表",
        "--as-of",
        "2017-05-27T15:00",
    ]);
    assert_eq!(again.code, 2, "{}", again.stdout);
    assert!(
        again.stderr.contains("chased today already"),
        "{}",
        again.stderr
    );
    assert_eq!(total(), sent);
    w.ok(&[
        "chase",
        "nanyang-2017",
        "卧龙区",
        "统计表",
        "--force",
        "--as-of",
        "2017-05-27T15:01",
    ]);
    assert_eq!(total(), 2 * sent);
    let kinds = history_kinds(&w, "卧龙区");
    assert_eq!(
        kinds.iter().filter(|k| *k == "chased").count(),
        2,
        "{kinds:?}"
    );

    // A unit whose report came: nothing to chase.
    let nothing = w.run(&[
        "chase",
        "nanyang-2017",
        "宛城区",
        "统计表",
        "--as-of",
        "2017-05-27T10:00",
    ]);
    assert_eq!(nothing.code, 2);
    assert!(
        nothing.stderr.contains("nothing overdue"),
        "{}",
        nothing.stderr
    );
    assert!(!history_kinds(&w, "宛城区").contains(&"chased".to_string()));

    // The next pass sends the overdue ladder, never a chase again.
    w.ok(&["remind", "--as-of", "2017-05-27T16:00"]);
    let chases = server
        .messages()
        .iter()
        .filter(|m| m.subject.contains("请立即报送"))
        .count();
    assert_eq!(chases, 2 * sent);
}

/// On the obligation page: the office's 一键催办 on an overdue report, in its history with the
/// office's name and counted on the page, its mail queued for the next pass; once a day unless
/// asked again; a liaison has no such button and is refused.
#[test]
fn the_office_chases_from_the_obligation_page() {
    use crate::webserver::{Server, encode, sign_up, token};
    let server_mail = MailServer::start();
    let w = nanyang(&server_mail.url());
    let office = token(&w.ok(&["user", "add", "赵办", "--role", "office"]));
    let liaison = token(&w.ok(&[
        "user",
        "add",
        "钱四",
        "--unit",
        "卧龙区",
        "--role",
        "liaison",
    ]));
    let server = Server::start(&w, "2017-05-27T10:00");
    let office = sign_up(&server, &office, "赵办", "赵办的一个足够长的密码");
    let liaison = sign_up(&server, &liaison, "钱四", "钱四的一个足够长的密码");
    let page = format!(
        "/o/nanyang-2017/{}/{}/2017-05",
        encode("统计表"),
        encode("卧龙区")
    );
    let shown = server.get(&page, &office);
    assert!(shown.body.contains("id=\"chase\""), "{}", shown.body);
    // The overdue list offers it on each row, to the office.
    let list = server.get("/overdue?campaign=nanyang-2017", &office);
    assert!(
        // (minijinja writes `/` in an attribute as `&#x2f;`, which a browser reads as `/`.)
        list.body.contains(&format!(
            "action=\"{}/act\" class=\"chase\"",
            page.replace('/', "&#x2f;")
        )),
        "{}",
        list.body
    );
    assert!(!server.get(&page, &liaison).body.contains("id=\"chase\""));
    let secret = crate::web_rights::secret_of(&server, &office);
    let chase = |cookie: &str, secret: &str, force: bool| {
        let mut form = vec![("csrf", secret), ("action", "chase")];
        if force {
            form.push(("force", "1"));
        }
        server.send("POST", &format!("{page}/act"), cookie, &form)
    };
    let done = chase(&office, &secret, false);
    assert_eq!(done.status, 303, "{}", done.body);
    let shown = server.get(&page, &office);
    assert!(shown.body.contains("已催办1次"), "{}", shown.body);
    assert!(
        shown
            .body
            .contains("<td data-label=\"事项\">催办</td><td data-label=\"办理人\">赵办</td>"),
        "{}",
        shown.body
    );
    let outbox = w.json(&["outbox"]);
    assert!(
        outbox.as_array().unwrap().iter().any(|m| m["subject"]
            .as_str()
            .unwrap()
            .contains("请立即报送")
            && m["recipient"].as_str().unwrap().starts_with("u05")),
        "queued for the next pass: {outbox:#}"
    );
    // Again today: said, not done; asked again: done.
    let again = chase(&office, &secret, false);
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(
        again.body.contains("今天已经催办过卧龙区"),
        "{}",
        again.body
    );
    assert_eq!(chase(&office, &secret, true).status, 303);
    assert!(server.get(&page, &office).body.contains("已催办2次"));
    // The unit's page says it beside the report.
    let unit_page = server.get(&format!("/unit/{}", encode("卧龙区")), &liaison);
    assert!(
        unit_page
            .body
            .contains("<small class=\"chased\">已催办2次</small>"),
        "{}",
        unit_page.body
    );
    // The board offers it in each red cell of a unit, to the office, and chases from there.
    let board = server.get("/board?campaign=nanyang-2017", &office);
    assert!(
        board.body.contains("class=\"chase\"")
            && board.body.contains("name=\"unit\" value=\"南召县\""),
        "{}",
        board.body
    );
    let from_board = server.send(
        "POST",
        "/chase",
        &office,
        &[
            ("csrf", secret.as_str()),
            ("campaign", "nanyang-2017"),
            ("unit", "南召县"),
            ("deliverable", "统计表"),
        ],
    );
    assert_eq!(from_board.status, 200, "{}", from_board.body);
    assert!(
        from_board.body.contains("已向南召县发出催办通知"),
        "{}",
        from_board.body
    );
    // Through the API, with the office's token: 201 with what was chased; again, its code.
    let office_token = w
        .ok(&["token", "create", "--role", "office"])
        .split_whitespace()
        .last()
        .unwrap()
        .to_string();
    let body = r#"{"campaign":"nanyang-2017","unit":"内乡县","deliverable":"统计表"}"#;
    let made = server.api("POST", "/api/v1/chases", &office_token, Some(body));
    assert_eq!(made.status, 201, "{}", made.body);
    let said: serde_json::Value = serde_json::from_str(&made.body).unwrap();
    assert_eq!(
        said["chased"],
        serde_json::json!(["统计表 2017-05"]),
        "{said:#}"
    );
    let again = server.api("POST", "/api/v1/chases", &office_token, Some(body));
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(
        again.body.contains("\"code\":\"chased_today\""),
        "{}",
        again.body
    );
    // The liaison may not chase.
    let theirs = crate::web_rights::secret_of(&server, &liaison);
    assert_eq!(chase(&liaison, &theirs, false).status, 403);
}
