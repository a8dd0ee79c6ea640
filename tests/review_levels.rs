//! Review level by level (`审核 党风政风监督室 然后 市纪委`) through the real binary: a report
//! passes the first level to the second, whose acceptance counts it; a return at the second
//! level goes back to the unit naming the level and who returned it, and the report sent again
//! starts at the first level; each level's queue is its own, and the record as of any instant
//! names who was deciding then — on the command line on SQLite and PostgreSQL, and on the pages.

use crate::common::Workspace;

/// 南阳 with its 统计表 reviewed by 党风政风监督室, then by 市纪委.
fn two_levels(postgres: Option<&str>) -> Workspace {
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
    let levels = text.replacen(
        "  表单 \"附件3 统计表\"\n",
        "  表单 \"附件3 统计表\"\n  审核 党风政风监督室 然后 市纪委\n",
        1,
    );
    assert_ne!(levels, text, "the campaign has its 统计表");
    std::fs::write(&file, levels).unwrap();
    w.ok(&["sync", "--as-of", "2017-05-01T08:00"]);
    w
}

const MAY: [&str; 5] = ["nanyang-2017", "统计表", "宛城区", "--period", "2017-05"];

fn with<'a>(rest: &[&'a str]) -> Vec<&'a str> {
    let mut args: Vec<&str> = Vec::new();
    args.extend_from_slice(rest);
    args
}

fn review(w: &Workspace, verdict: &[&str], at: &str) -> String {
    let mut args = with(&["review"]);
    args.extend_from_slice(&MAY);
    args.extend_from_slice(verdict);
    args.extend_from_slice(&["--at", at]);
    w.ok(&args)
}

fn submit(w: &Workspace, at: &str) -> String {
    let mut args = with(&["submit"]);
    args.extend_from_slice(&MAY);
    args.extend_from_slice(&[
        "--value",
        "中省市转办线索数=1",
        "--value",
        "自查自纠问题线索数=2",
        "--value",
        "查处问题数=1",
        "--value",
        "约谈函询人数=0",
        "--value",
        "组织处理人数=0",
        "--value",
        "党纪处分人数=0",
        "--value",
        "政纪处分人数=0",
        "--value",
        "责任追究人数=0",
        "--value",
        "移送司法机关人数=0",
        "--replace",
        "--at",
        at,
    ]);
    w.ok(&args)
}

fn history(w: &Workspace, as_of: Option<&str>) -> serde_json::Value {
    let mut args = with(&["history"]);
    args.extend_from_slice(&MAY);
    if let Some(t) = as_of {
        args.extend_from_slice(&["--as-of", t]);
    }
    w.json(&args)
}

fn kinds(history: &serde_json::Value) -> Vec<String> {
    history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

fn levels(postgres: Option<&str>) {
    let w = two_levels(postgres);
    let sent = submit(&w, "2017-05-20T10:00");
    assert!(
        sent.contains("waiting for review by 党风政风监督室"),
        "{sent}"
    );
    // The first level passes it on: still under review, now by 市纪委.
    let passed = review(&w, &["--accept", "--by", "王审"], "2017-05-21T09:00");
    assert!(passed.contains("under review"), "{passed}");
    assert!(passed.contains("waiting for review by 市纪委"), "{passed}");
    let h = history(&w, None);
    assert_eq!(kinds(&h), ["submitted", "review_passed"]);
    let pass = &h["events"][1]["data"];
    assert_eq!(pass["next"], "市纪委");
    assert_eq!(pass["reviewer"], "党风政风监督室");
    assert_eq!(pass["level"], 1);
    // The second level returns it: the unit owes it again, told which level and who.
    let returned = review(
        &w,
        &["--return", "--reason", "数字与系统不符", "--by", "李审"],
        "2017-05-22T09:00",
    );
    assert!(returned.contains("returned"), "{returned}");
    let h = history(&w, None);
    let back = h["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(back["kind"], "review_returned");
    assert_eq!(back["data"]["level"], 2);
    assert_eq!(back["data"]["reviewer"], "市纪委");
    assert_eq!(back["reason"], "数字与系统不符");
    let table = w.ok(&["history", MAY[0], MAY[1], MAY[2], MAY[3], MAY[4]]);
    assert!(table.contains("level 2 of 2 (市纪委)"), "{table}");
    // Sent again, it starts at the first level; both levels accept; counted on time.
    let again = submit(&w, "2017-05-23T10:00");
    assert!(
        again.contains("waiting for review by 党风政风监督室"),
        "{again}"
    );
    review(&w, &["--accept"], "2017-05-23T15:00");
    let done = review(&w, &["--accept"], "2017-05-24T09:00");
    assert!(done.contains("submitted on time"), "{done}");
    // Accepting what is no longer under review is refused.
    let mut args = with(&["review"]);
    args.extend_from_slice(&MAY);
    args.extend_from_slice(&["--accept", "--at", "2017-05-24T10:00"]);
    assert_eq!(w.run(&args).code, 2);
    // As of the moment between the two levels, it waited for 市纪委.
    let then = history(&w, Some("2017-05-21T12:00"));
    assert_eq!(then["status"], "under_review");
    assert_eq!(kinds(&then), ["submitted", "review_passed"]);
    // The bulletin's late reviews name the level that was late: none here.
    let b = w.json(&[
        "bulletin",
        "nanyang-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-06-05",
    ]);
    assert!(b.is_object(), "{b}");
}

#[test]
fn a_report_passes_each_level_and_a_return_at_the_second_goes_back_on_sqlite() {
    levels(None);
}

#[test]
fn a_report_passes_each_level_and_a_return_at_the_second_goes_back_on_postgres() {
    if let Some(url) = crate::pgserver::database() {
        levels(Some(&url));
    }
}

/// Each level's queue is its own: the first level's reviewer sees the report until it passes
/// it, then the second's sees it and may decide, and the first may no longer; the obligation's
/// page says whom it waits for and the history says each level in Chinese.
#[test]
fn each_level_has_its_own_queue_on_the_pages() {
    use crate::web_form::csrf;
    use crate::webserver::{Server, sign_up, token};
    let w = two_levels(None);
    let add = |name: &str, unit: &str| {
        token(&w.ok(&["user", "add", name, "--unit", unit, "--role", "reviewer"]))
    };
    let first = add("王审", "党风政风监督室");
    let second = add("李审", "市纪委");
    submit(&w, "2017-05-20T10:00");
    let server = Server::start(&w, "2017-05-21T09:00");
    let first = sign_up(&server, &first, "王审", "a long enough password");
    let second = sign_up(&server, &second, "李审", "a long enough password");
    let page = "/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-05";
    // Whether it waits for the decision of `cookie`'s unit (its queue's first list; the first
    // level also receives the report, and lists it below as received).
    let waiting = |cookie: &str| server.get("/review", cookie).body.contains("待审核（1）");
    assert!(waiting(&first), "the first level's queue has it");
    assert!(!waiting(&second), "not yet the second's");
    let body = server.get(page, &first).body;
    assert!(body.contains("待党风政风监督室审核"), "{body}");
    let accept = |cookie: &str| {
        let secret = csrf(&server.get(page, cookie).body);
        server.send(
            "POST",
            &format!("{page}/act"),
            cookie,
            &[("csrf", secret.as_str()), ("action", "accept")],
        )
    };
    // The second level sees it coming, and may not decide before the first has.
    let early = server.get(page, &second).body;
    assert!(early.contains("待党风政风监督室审核"), "{early}");
    assert!(!early.contains("id=\"accept\""), "{early}");
    assert_eq!(accept(&second).status, 403);
    let passed = accept(&first);
    assert!(passed.status < 400, "{}", passed.body);
    assert!(!waiting(&first), "passed on, out of the first queue");
    assert!(waiting(&second), "in the second's");
    let body = server.get(page, &second).body;
    assert!(body.contains("待市纪委审核"), "{body}");
    assert!(
        body.contains("第1级审核通过（党风政风监督室），转市纪委审核"),
        "{body}"
    );
    assert_eq!(accept(&first).status, 403, "the first level has decided");
    let done = accept(&second);
    assert!(done.status < 400, "{}", done.body);
    let body = server.get(page, &second).body;
    assert!(body.contains("第2级审核通过（市纪委），审核完成"), "{body}");
}

/// Through the API: each level's reviewer decides with its token, in turn; the first level's
/// token may not decide once it has passed the report on, and a return needs its reason.
#[test]
fn each_level_decides_through_the_api() {
    use crate::webserver::Server;
    let w = two_levels(None);
    let token = |unit: &str| {
        let out = w.ok(&["token", "create", "--role", "reviewer", "--unit", unit]);
        out.split_whitespace().last().unwrap().to_string()
    };
    let (first, second) = (token("党风政风监督室"), token("市纪委"));
    submit(&w, "2017-05-20T10:00");
    let server = Server::start(&w, "2017-05-21T09:00");
    let decide =
        |token: &str, body: &str| server.api("POST", "/api/v1/review-decisions", token, Some(body));
    let accept = r#"{"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-05","accept":true}"#;
    let back = r#"{"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-05","accept":false}"#;
    assert_eq!(decide(&second, accept).status, 403, "not its level yet");
    let passed = decide(&first, accept);
    assert_eq!(passed.status, 200, "{}", passed.body);
    let passed: serde_json::Value = serde_json::from_str(&passed.body).unwrap();
    assert_eq!(passed["waiting_for"], "市纪委");
    assert_eq!(passed["status"], "under_review");
    assert_eq!(decide(&first, accept).status, 403, "its level has decided");
    let no_reason = decide(&second, back);
    assert_eq!(no_reason.status, 422, "{}", no_reason.body);
    assert!(
        no_reason.body.contains("reason_needed"),
        "{}",
        no_reason.body
    );
    let done = decide(&second, accept);
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("submitted_on_time"), "{}", done.body);
    // Decided: nobody's to decide now; the office, who may decide at any level, is told why.
    assert_eq!(decide(&second, accept).status, 403);
    let office = w.ok(&["token", "create", "--role", "office"]);
    let office = office.split_whitespace().last().unwrap().to_string();
    let again = decide(&office, accept);
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("not_under_review"), "{}", again.body);
}
