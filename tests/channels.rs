//! `duban channels check` against a real SMTP server on loopback: the server reached as a pass
//! would reach it, nothing sent; `--send UNIT` one test message to each of the unit's
//! mailboxes, outside the outbox; a refused login, an unknown unit and a unit without a mailbox
//! said as such (exit 2), no secret shown.

use crate::mail::{configure_with, nanyang};
use crate::mailserver::MailServer;

#[test]
fn a_channel_is_checked_without_sending_and_a_unit_gets_one_test_message() {
    let server = MailServer::start();
    let w = nanyang(&server.url());
    let port = server.url().rsplit(':').next().unwrap().to_string();
    let checked = w.ok(&["channels", "check"]);
    assert!(
        checked.contains(&format!(
            "mail: 127.0.0.1:{port} — connected, not encrypted"
        )),
        "{checked}"
    );
    assert!(server.messages().is_empty(), "a check sends nothing");

    let sent = w.ok(&[
        "channels",
        "check",
        "--send",
        "宛城区",
        "--campaign",
        "nanyang-2017",
    ]);
    let messages = server.messages();
    let mut to: Vec<&str> = messages.iter().map(|m| m.to.as_str()).collect();
    to.sort_unstable();
    assert_eq!(
        to,
        [
            "u04-leader@nanyang.example.org",
            "u04-liaison@nanyang.example.org",
            "u04@nanyang.example.org"
        ],
        "{sent}"
    );
    assert!(messages.iter().all(|m| m.subject == "【督办】测试消息"));
    assert_eq!(sent.matches("a test message went to").count(), 3, "{sent}");
    assert!(
        w.json(&["outbox", "--all"]).as_array().unwrap().is_empty(),
        "a test message is no notice: the outbox has none"
    );

    let unknown = w.run(&["channels", "check", "--send", "宛城"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stdout);
    assert!(unknown.stderr.contains("宛城区"), "{}", unknown.stderr);
}

#[test]
fn a_refused_login_is_said_and_no_secret_shown() {
    let server = MailServer::start_with_login("duban", "right-password");
    let w = nanyang(&server.url());
    std::fs::write(w.path().join("smtp-password"), "wrong-password\n").unwrap();
    configure_with(
        &w,
        &server.url(),
        "user = \"duban\"\npassword_file = \"smtp-password\"\n",
    );
    let run = w.run(&["channels", "check"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("mail:") && run.stderr.contains("535"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("wrong-password") && !run.stdout.contains("wrong-password"));
    std::fs::write(w.path().join("smtp-password"), "right-password\n").unwrap();
    let ok = w.ok(&["channels", "check"]);
    assert!(ok.contains("logged in"), "{ok}");
}
