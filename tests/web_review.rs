//! Deciding on a report as a reviewer does, through the real server: the queue shows who sent
//! and who signed each report and its figures, as the obligation's page does above its forms;
//! a 退回 asks "确认退回？" on a page of its own (no script) before anything is recorded, and
//! asks only whom the return itself would allow.

use crate::common::Workspace;
use crate::web_form::{FIGURES, PAGE, csrf, send, send_signed_list};
use crate::webserver::{Server, sign_up, token};

/// 古路's problem list of 各村.
const LIST: &str = "/o/gulu-2023/%E9%97%AE%E9%A2%98%E6%B8%85%E5%8D%95/%E5%90%84%E6%9D%91/-";

/// The events of an obligation's history, as the office's command line counts them.
fn events(w: &Workspace, args: &[&str]) -> usize {
    let mut all = vec!["history"];
    all.extend_from_slice(args);
    w.json(&all)["events"].as_array().map_or(0, Vec::len)
}

#[test]
fn the_queue_shows_who_signed_and_a_return_under_review_is_confirmed_first() {
    let w = Workspace::new(&["gulu-2023"]);
    let reviewer = token(&w.ok(&[
        "user",
        "add",
        "驻村审核",
        "--unit",
        "各驻村组",
        "--role",
        "reviewer",
    ]));
    let clerk = token(&w.ok(&[
        "user",
        "add",
        "村文书",
        "--unit",
        "各村",
        "--role",
        "liaison",
    ]));
    w.ok(&["sync", "--as-of", "2023-07-10"]);
    send_signed_list(&w);
    let server = Server::start(&w, "2023-07-15");
    let reviewer = sign_up(&server, &reviewer, "驻村审核", "a long enough password");
    let clerk = sign_up(&server, &clerk, "村文书", "a long enough password");

    let queue = server.get("/review", &reviewer).body;
    assert!(queue.contains("待审核（1）"), "{queue}");
    assert!(
        queue.contains("签字人：村书记：张明；驻村领导：李华；经办人员：王芳"),
        "who signed, in the row: {queue}"
    );
    let page = server.get(LIST, &reviewer).body;
    assert!(page.contains("<h2>最近报送</h2>"), "{page}");
    assert!(
        page.contains("签字人：村书记：张明；驻村领导：李华；经办人员：王芳"),
        "{page}"
    );

    let history = ["gulu-2023", "问题清单", "各村", "--as-of", "2023-07-15"];
    let before = events(&w, &history);
    let ask = |cookie: &str, confirm: bool| {
        let secret = csrf(&server.get(LIST, cookie).body);
        let mut form = vec![
            ("csrf", secret.as_str()),
            ("action", "reject"),
            ("reason", "驻村领导未到场核实"),
        ];
        if confirm {
            form.push(("confirm", "1"));
        }
        server.send("POST", &format!("{LIST}/act"), cookie, &form)
    };
    // The village's own clerk may not decide: refused at the question already.
    let refused = ask(&clerk, false);
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(!refused.body.contains("确认"), "{}", refused.body);
    // The reviewer is asked first, with the reason and what was sent; nothing is recorded.
    let asked = ask(&reviewer, false);
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(
        asked.body.contains("<h1>确认审核退回？</h1>"),
        "{}",
        asked.body
    );
    assert!(
        asked.body.contains("退回理由：驻村领导未到场核实"),
        "{}",
        asked.body
    );
    assert!(
        asked.body.contains("签字人：村书记：张明"),
        "{}",
        asked.body
    );
    assert!(
        asked.body.contains("name=\"confirm\" value=\"1\""),
        "{}",
        asked.body
    );
    assert_eq!(events(&w, &history), before, "asking records nothing");
    assert!(server.get(LIST, &reviewer).body.contains("审核中"));
    // Confirmed, it is done.
    let done = ask(&reviewer, true);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(events(&w, &history), before + 1);
    let returned = server.get(LIST, &clerk).body;
    assert!(returned.contains("驻村领导未到场核实"), "{returned}");
}

#[test]
fn the_queue_shows_the_figures_sent_and_a_return_of_a_received_report_is_confirmed_first() {
    let w = Workspace::new(&["nanyang-2017"]);
    let clerk = token(&w.ok(&[
        "user",
        "add",
        "张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]));
    let reviewer = token(&w.ok(&[
        "user",
        "add",
        "李审",
        "--unit",
        "党风政风监督室",
        "--role",
        "reviewer",
    ]));
    let server = Server::start(&w, "2017-04-24");
    let clerk = sign_up(&server, &clerk, "张三", "a long enough password");
    let reviewer = sign_up(&server, &reviewer, "李审", "a long enough password");
    assert_eq!(send(&server, &clerk, &FIGURES, false).0, 303);

    let queue = server.get("/review", &reviewer).body;
    assert!(queue.contains("报送人：张三"), "{queue}");
    assert!(
        queue.contains("中省市转办线索数：3；自查自纠问题线索数：2；查处问题数：4"),
        "the figures, in the row: {queue}"
    );
    let page = server.get(PAGE, &reviewer).body;
    assert!(
        page.contains("<td>责任追究人数</td><td>7</td>"),
        "the figures above the forms: {page}"
    );
    assert!(page.contains("签字人：无须签字"), "{page}");

    let history = [
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-04",
        "--as-of",
        "2017-04-24",
    ];
    let before = events(&w, &history);
    let ask = |cookie: &str, confirm: bool| {
        let secret = csrf(&server.get(PAGE, cookie).body);
        let mut form = vec![
            ("csrf", secret.as_str()),
            ("action", "return"),
            ("reason", "责任追究人数有误"),
        ];
        if confirm {
            form.push(("confirm", "1"));
        }
        server.send("POST", &format!("{PAGE}/act"), cookie, &form)
    };
    let refused = ask(&clerk, false);
    assert_eq!(refused.status, 403, "{}", refused.body);
    let asked = ask(&reviewer, false);
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(asked.body.contains("<h1>确认退回？</h1>"), "{}", asked.body);
    assert!(
        asked.body.contains("退回理由：责任追究人数有误"),
        "{}",
        asked.body
    );
    assert!(asked.body.contains("id=\"cancel\""), "{}", asked.body);
    assert_eq!(events(&w, &history), before, "asking records nothing");
    // An empty reason is refused before anything is asked.
    let secret = csrf(&server.get(PAGE, &reviewer).body);
    let empty = server.send(
        "POST",
        &format!("{PAGE}/act"),
        &reviewer,
        &[("csrf", &secret), ("action", "return"), ("reason", " ")],
    );
    assert_eq!(empty.status, 400, "{}", empty.body);
    assert!(empty.body.contains("请填写理由"), "{}", empty.body);
    let done = ask(&reviewer, true);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(events(&w, &history), before + 1);
    // Nothing left to return: the ledger says so, no question is asked.
    let again = ask(&reviewer, false);
    assert_ne!(again.status, 200, "{}", again.body);
    assert!(!again.body.contains("确认退回"), "{}", again.body);
}
