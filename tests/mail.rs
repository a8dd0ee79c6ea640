//! Reminders and escalations against a real SMTP server on loopback: who gets which mail when,
//! exactly once, through a server that is down or refuses, and through a daemon killed with
//! SIGKILL or stopped with SIGTERM.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{KillOnDrop, Workspace};
use crate::mailserver::{MailServer, free_port};

const OFFICE: &str = "nydfzf@126.com";

/// The 南阳 campaign with everything due in April and the office's May bulletin submitted on
/// time, and a mail server.
pub(crate) fn nanyang(url: &str) -> Workspace {
    let w = Workspace::new(&["nanyang-2017"]);
    configure(&w, url);
    let plans = w.json(&[
        "schedule",
        w.campaign("nanyang-2017").to_str().unwrap(),
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

fn configure(w: &Workspace, url: &str) {
    configure_with(w, url, "");
}

/// Writes the workspace's `duban.toml` with `extra` lines in its `[mail]` table.
pub(crate) fn configure_with(w: &Workspace, url: &str, extra: &str) {
    std::fs::write(
        w.path().join("duban.toml"),
        format!("[mail]\nurl = \"{url}\"\nfrom = \"督办 <duban@nanyang.example.org>\"\nmax_attempts = 3\n{extra}"),
    )
    .unwrap();
}

fn liaison(n: u32) -> String {
    format!("u{n:02}-liaison@nanyang.example.org")
}

/// Mails per recipient.
fn by_recipient(messages: &[crate::mailserver::Received]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for m in messages {
        *counts.entry(m.to.clone()).or_insert(0) += 1;
    }
    counts
}

#[test]
fn reminders_overdue_notices_and_the_escalation_digest() {
    let server = MailServer::start();
    let w = nanyang(&server.url());
    w.submit("nanyang-2017", "统计表", "宛城区")
        .period("2017-05")
        .at("2017-05-20")
        .ok();

    // Three days before the 25th: one digest for each county or department still owing.
    let out = w.ok(&["remind", "--as-of", "2017-05-22T09:05"]);
    assert!(
        out.starts_with("25 notices due, 25 mails queued; 25 sent, 0 to retry, 0 failed"),
        "{out}"
    );
    let messages = server.messages();
    let counts = by_recipient(&messages);
    assert_eq!(messages.len(), 25);
    assert!(
        counts.values().all(|n| *n == 1),
        "one digest each: {counts:?}"
    );
    assert!(
        !counts.contains_key(&liaison(4)),
        "宛城区 has submitted: nothing for it"
    );
    let woling = messages
        .iter()
        .find(|m| m.to == liaison(5))
        .expect("卧龙区's liaison");
    assert_eq!(
        woling.subject,
        "【催报】2017年度侵害群众利益的不正之风和腐败问题专项整治工作统计表（2017年5月）将于5月25日到期"
    );
    insta::assert_snapshot!("reminder-to-woling", woling.body);

    // The same pass again sends nothing.
    let out = w.ok(&["remind", "--as-of", "2017-05-22T09:05"]);
    assert!(
        out.starts_with("0 notices due, 0 mails queued; 0 sent"),
        "{out}"
    );
    assert_eq!(server.messages().len(), 25);

    // 卧龙区 submits; the day after the deadline the others' liaisons hear it is overdue.
    w.submit("nanyang-2017", "统计表", "卧龙区")
        .period("2017-05")
        .at("2017-05-23")
        .ok();
    w.ok(&["remind", "--as-of", "2017-05-26T09:05"]);
    let overdue: Vec<_> = server.messages().into_iter().skip(25).collect();
    assert_eq!(overdue.len(), 24);
    assert!(
        overdue
            .iter()
            .all(|m| m.subject.starts_with("【催办】") && m.subject.ends_with("已逾期1天")),
        "{:?}",
        overdue[0].subject
    );
    let counts = by_recipient(&overdue);
    assert!(!counts.contains_key(&liaison(4)) && !counts.contains_key(&liaison(5)));
    assert!(counts.contains_key(&liaison(6)), "南召县's liaison");

    // Seven days late: the office gets one digest listing every late unit.
    w.ok(&["remind", "--as-of", "2017-06-01T09:05"]);
    let latest: Vec<_> = server.messages().into_iter().skip(49).collect();
    let to_office: Vec<_> = latest.iter().filter(|m| m.to == OFFICE).collect();
    assert_eq!(
        to_office.len(),
        1,
        "{:?}",
        latest
            .iter()
            .map(|m| (&m.to, &m.subject))
            .collect::<Vec<_>>()
    );
    let digest = to_office[0];
    assert_eq!(
        digest.subject,
        "【督办】侵害群众利益的不正之风和腐败问题专项整治：24个单位的24项报送事项逾期未报"
    );
    assert!(
        digest.body.contains("1. 南召县") && digest.body.contains("24. 市卫计委"),
        "{}",
        digest.body
    );
    assert!(!digest.body.contains("宛城区") && !digest.body.contains("卧龙区"));
    insta::assert_snapshot!("escalation-to-office", digest.body);

    let outbox = w.json(&["outbox", "--all"]);
    assert!(
        outbox
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["state"] == "sent" && m["smtp_reply"].as_str().unwrap().starts_with("250"))
    );
}

#[test]
fn a_server_that_is_down_gets_everything_once_it_is_back() {
    let port = free_port();
    let w = nanyang(&format!("smtp://127.0.0.1:{port}"));
    let run = w.run(&["remind", "--as-of", "2017-05-22T09:05"]);
    assert!(
        run.stdout.contains("26 mails queued; 0 sent, 26 to retry"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.code, 2,
        "nothing could be sent: a failure for cron to report"
    );
    assert!(
        run.stderr.contains("no mail could be sent"),
        "{}",
        run.stderr
    );
    let outbox = w.json(&["outbox"]);
    assert_eq!(outbox.as_array().unwrap().len(), 26);
    assert!(
        outbox
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["state"] == "pending" && m["attempts"] == 1 && m["sent_at"].is_null())
    );

    // Too soon for the retry: nothing is tried.
    let out = w.ok(&["remind", "--as-of", "2017-05-22T09:05:30"]);
    assert!(out.contains("0 sent, 0 to retry"), "{out}");

    let server = MailServer::start_on(port);
    let out = w.ok(&["remind", "--as-of", "2017-05-22T09:15"]);
    assert!(out.contains("0 mails queued; 26 sent"), "{out}");
    assert_eq!(server.messages().len(), 26, "each queued mail, once");
    assert!(w.json(&["outbox"]).as_array().unwrap().is_empty());
}

#[test]
fn refusals_are_retried_or_given_up_and_requeued() {
    let server = MailServer::start();
    let w = nanyang(&server.url());
    server.reply_with(Some("451 4.3.0 Mailbox busy, try again later"));
    let run = w.run(&["remind", "--as-of", "2017-05-22T09:05"]);
    assert!(
        run.stdout.contains("0 sent, 26 to retry, 0 failed"),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 2);
    server.reply_with(Some("550 5.1.1 Mailbox unavailable"));
    let run = w.run(&["remind", "--as-of", "2017-05-22T09:15"]);
    assert!(
        run.stdout.contains("0 sent, 0 to retry, 26 failed"),
        "a permanent refusal is not retried: {}",
        run.stdout
    );
    assert_eq!(run.code, 2);
    assert!(
        server.messages().is_empty(),
        "nothing was accepted, nothing is marked sent"
    );
    let listing = w.ok(&["outbox"]);
    assert!(
        listing.contains("26 mails, 26 failed (requeue with `duban outbox retry`)"),
        "{listing}"
    );
    assert!(listing.contains("550"), "{listing}");

    server.reply_with(None);
    let out = w.ok(&["outbox", "retry"]);
    assert_eq!(out, "26 mails back in the queue\n");
    let out = w.ok(&["remind", "--as-of", "2017-05-22T09:20"]);
    assert!(out.contains("26 sent"), "{out}");
    assert_eq!(server.messages().len(), 26);
}

#[test]
fn dry_run_prints_and_sends_nothing() {
    let server = MailServer::start();
    let w = nanyang(&server.url());
    let run = w.run(&["remind", "--dry-run", "--as-of", "2017-05-22T09:05"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout.matches("Subject: 【催报】").count(), 26);
    assert!(
        run.stderr
            .contains("26 mails would be written; nothing was queued or sent")
    );
    assert!(server.messages().is_empty());
    assert!(w.json(&["outbox", "--all"]).as_array().unwrap().is_empty());
}

/// A schedule the daemon cannot read ends it before its first pass: nothing is queued or sent.
#[test]
fn a_daemon_with_a_bad_schedule_does_no_work() {
    let server = MailServer::start();
    let w = nanyang(&server.url());
    let run = w.run_or_kill(&[
        "daemon",
        "--as-of",
        "2017-05-22T09:05",
        "--schedule",
        "every tuesday",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("schedule \"every tuesday\""),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("pass"), "no pass ran: {}", run.stderr);
    assert!(w.json(&["outbox", "--all"]).as_array().unwrap().is_empty());
    assert!(server.messages().is_empty());
}

/// A crontab line of five fields is read as a crontab would read it; a missing mail server is
/// said with what the command itself offers instead, and nothing it lacks.
#[test]
fn a_crontab_schedule_is_read_and_a_missing_server_is_named_with_this_commands_flags() {
    let w = Workspace::new(&["nanyang-2017"]);
    let run = w.run_or_kill(&["daemon", "--as-of", "2017-05-22T09:05"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no mail server"), "{}", run.stderr);
    assert!(!run.stderr.contains("--dry-run"), "{}", run.stderr);
    let run = w.run_or_kill(&["serve", "--with-daemon", "--listen", "127.0.0.1:0"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains("--dry-run"), "{}", run.stderr);
    let err = w.fails(&["remind", "--as-of", "2017-05-22T09:05"]);
    assert!(
        err.contains("no mail server") && err.contains("--dry-run"),
        "{err}"
    );

    let server = MailServer::start();
    let w = nanyang(&server.url());
    let (child, rx) = daemon_on(&w, "2017-05-22T09:05", "*/5 9-17 * * 1-5");
    let log = wait_for_line(&rx, "daemon started");
    assert!(
        log.last().unwrap().contains("0 */5 9-17 * * 1-5"),
        "{log:?}"
    );
    drop(child);
}

/// A campaign's own template that does not compile ends the daemon before its first pass.
#[test]
fn a_daemon_with_a_broken_template_does_no_work() {
    let server = MailServer::start();
    let w = nanyang(&server.url());
    let folder = w.path().join("campaigns/templates");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("unit.subject.j2"), "{% if %}").unwrap();
    let path = w.campaign("nanyang-2017");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen(
        "  时区 Asia/Shanghai\n",
        "  时区 Asia/Shanghai\n  模板 \"templates\"\n",
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(&path, edited).unwrap();
    let run = w.run_or_kill(&[
        "daemon",
        "--as-of",
        "2017-05-22T09:05",
        "--schedule",
        "*/2 * * * * *",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("unit.subject.j2"), "{}", run.stderr);
    assert!(!run.stderr.contains("daemon started"), "{}", run.stderr);
    assert!(w.json(&["outbox", "--all"]).as_array().unwrap().is_empty());
    assert!(server.messages().is_empty());
}

/// The plan is due on Saturday 15 April, so on time until Monday the 17th: a reminder that first
/// goes out that Monday says how far the date moved, not that it is coming.
#[test]
fn a_reminder_after_a_stated_rest_day_says_how_far_it_moved() {
    let w = Workspace::new(&["nanyang-2017"]);
    configure(&w, "smtp://127.0.0.1:9");
    let out = w.ok(&["remind", "--dry-run", "--as-of", "2017-04-17T09:05"]);
    let mail = out
        .split("────")
        .find(|m| m.contains("To: 宛城区") && m.contains("专项整治工作方案"))
        .expect("the plan's reminder");
    assert!(
        mail.contains("Subject: 【催报】专项整治工作方案截止日期4月15日，顺延至4月17日\n"),
        "{mail}"
    );
    assert!(
        mail.contains("截止日期：4月15日（遇休息日顺延至4月17日）"),
        "{mail}"
    );
}

/// The mail of a dry run's output that goes to `to`.
fn dry_run_mail<'a>(out: &'a str, to: &str) -> &'a str {
    out.split("────")
        .map(str::trim)
        .find(|m| m.starts_with(&format!("To: {to}")))
        .unwrap_or_else(|| panic!("no mail to {to}: {out}"))
}

/// On 21 April the 南阳 plan (stated for Saturday the 15th, so on time until Monday the 17th)
/// is four days late while April's table is due in four days: one mail to each liaison lists
/// them apart, each in its own words, and says where the plan's deadline moved.
#[test]
fn a_mail_with_late_and_coming_reports_lists_them_apart() {
    let w = Workspace::new(&["nanyang-2017"]);
    configure(&w, "smtp://127.0.0.1:9");
    w.ok(&["sync", "--as-of", "2017-04-20"]);
    let out = w.ok(&["remind", "--dry-run", "--as-of", "2017-04-21T09:05"]);
    let mail = dry_run_mail(&out, "宛城区 联络员");
    assert!(
        mail.contains(
            "Subject: 【催办】侵害群众利益的不正之风和腐败问题专项整治：1项已逾期、1项即将到期\n"
        ),
        "{mail}"
    );
    assert!(!mail.contains("以下报送事项已经逾期"), "{mail}");
    let late = mail.find("一、已经逾期（1项）").expect(mail);
    let coming = mail.find("二、即将到期（1项）").expect(mail);
    let plan = mail
        .find("截止日期：4月15日（遇休息日顺延至4月17日，已逾期4天）")
        .expect(mail);
    let table = mail.find("截止日期：4月25日（还有4天）").expect(mail);
    assert!(late < plan && plan < coming && coming < table, "{mail}");
    assert!(mail.contains("如已报送，请忽略本提醒"), "{mail}");
    let body = &mail[mail.find("\n\n").unwrap()..];
    insta::assert_snapshot!("late-and-coming-to-wancheng", body.trim());
    // Every liaison's mail is the same shape; the leaders hear only of the late plan.
    assert_eq!(out.matches("1项已逾期、1项即将到期").count(), 26, "{out}");
    let leader = dry_run_mail(&out, "宛城区 分管领导");
    assert!(
        leader.contains("Subject: 【催办】专项整治工作方案已逾期4天\n"),
        "{leader}"
    );
    assert!(
        leader.contains("截止日期：4月15日（遇休息日顺延至4月17日，已逾期4天）"),
        "{leader}"
    );
    assert!(
        !leader.contains("即将到期") && !leader.contains("请忽略"),
        "{leader}"
    );
}

/// A campaign whose notices of 2 May 2017 mix every kind a day can: the plan stated for
/// Saturday 15 April reaches its interview rung (14 days after Monday the 17th, moved past
/// Labour Day), the self-inspection report of Friday 28 April its first rung (moved past the
/// holiday too), and the table due Saturday 6 May its reminder.
const MIXED: &str = r#"campaign mixed "混合督办演示" {
  period 2017-04-01 .. 2017-06-30
  office 党风政风监督室
}
unit 党风政风监督室 {
  email "office@example.org"
  phone "63398128"
}
unit 宛城区 {
  leader "张三" email "leader@example.org"
  liaison "李四" email "liaison@example.org"
}

report 工作方案 { from 宛城区; to 党风政风监督室; due 2017-04-15 }
report 自查报告 { from 宛城区; to 党风政风监督室; due 2017-04-28 }
report 统计表 { from 宛城区; to 党风政风监督室; due 2017-05-06 }

remind {
  before 4d at 09:00
  overdue 1d -> liaison, office
  overdue 14d interview leader, office
}
"#;

#[test]
fn an_escalation_with_several_kinds_lists_each_apart() {
    let w = Workspace::new(&[]);
    std::fs::write(w.campaign("mixed"), MIXED).unwrap();
    configure(&w, "smtp://127.0.0.1:9");
    let out = w.ok(&["remind", "--dry-run", "--as-of", "2017-05-02T09:05"]);

    let office = dry_run_mail(&out, "党风政风监督室");
    assert!(
        office.contains(
            "Subject: 【约谈建议】混合督办演示：1个单位的1项逾期较长建议约谈、1项报送事项逾期未报\n"
        ),
        "{office}"
    );
    let body = &office[office.find("\n\n").unwrap()..];
    insta::assert_snapshot!("interview-and-overdue-to-office", body.trim());

    // The liaison: a late report, and one due on a Saturday, so on time until the Monday.
    let liaison = dry_run_mail(&out, "宛城区 联络员");
    assert!(
        liaison.contains("Subject: 【催办】混合督办演示：1项已逾期、1项即将到期\n"),
        "{liaison}"
    );
    for line in [
        "一、已经逾期（1项），请尽快报送：",
        "   截止日期：4月28日（已逾期4天）",
        "二、即将到期（1项），请按时报送：",
        "   截止日期：5月6日（还有4天，遇休息日顺延至5月8日）",
        "以上即将到期的事项如已报送，请忽略本提醒。",
    ] {
        assert!(liaison.contains(line), "{line}: {liaison}");
    }

    // The leader: the interview alone, with the date it counts from.
    let leader = dry_run_mail(&out, "宛城区 分管领导");
    assert!(
        leader.contains("Subject: 【约谈通知】工作方案逾期15天未报\n")
            && leader.contains("截止日期：4月15日（遇休息日顺延至4月17日，已逾期15天）")
            && !leader.contains("一、"),
        "{leader}"
    );
}

/// The May statistics table's notices that a dry run at `as_of` would write.
fn may_items(w: &Workspace, as_of: &str) -> usize {
    let out = w.ok(&["remind", "--dry-run", "--as-of", as_of]);
    out.matches("2017年5月").count()
}

#[test]
fn a_pass_after_a_long_stop_catches_up_from_the_last_one() {
    let server = MailServer::start();
    // The May table fell due on the 25th and its last rung went out a week later. A store
    // whose first pass is in July does not dig that up...
    let fresh = nanyang(&server.url());
    assert_eq!(may_items(&fresh, "2017-07-20T09:05"), 0);
    // ...but a daemon that last ran on 22 May and was stopped until July sends it then.
    let stopped = nanyang(&server.url());
    stopped.ok(&["remind", "--as-of", "2017-05-22T09:05"]);
    assert!(may_items(&stopped, "2017-07-20T09:05") > 0);
    // Once sent, it is not sent again, however long the next stop.
    stopped.ok(&["remind", "--as-of", "2017-07-20T09:05"]);
    assert_eq!(may_items(&stopped, "2017-09-20T09:05"), 0);
}

#[test]
fn preview_lists_every_notice_of_may() {
    let w = Workspace::new(&["nanyang-2017"]);
    let out = w.ok(&[
        "preview",
        "--from",
        "2017-05-01",
        "--to",
        "2017-05-31",
        "--campaign",
        "nanyang-2017",
    ]);
    insta::assert_snapshot!("nanyang-preview-may", out);
}

/// Starts `duban daemon` in the workspace, pretending it is `as_of`, and waits for it to log
/// that it started.
fn daemon(w: &Workspace, as_of: &str) -> (KillOnDrop, std::sync::mpsc::Receiver<String>) {
    daemon_on(w, as_of, "*/2 * * * * *")
}

fn daemon_on(
    w: &Workspace,
    as_of: &str,
    schedule: &str,
) -> (KillOnDrop, std::sync::mpsc::Receiver<String>) {
    let mut child = KillOnDrop::spawn(
        crate::common::process(w.path())
            .args(["daemon", "--as-of", as_of, "--schedule", schedule])
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    );
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

fn wait_for_line(rx: &std::sync::mpsc::Receiver<String>, needle: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            let found = line.contains(needle);
            seen.push(line);
            if found {
                return seen;
            }
        }
    }
    panic!("no log line with {needle:?}: {seen:#?}");
}

#[test]
fn the_daemon_stops_cleanly_on_sigterm() {
    let server = MailServer::start();
    let w = nanyang(&server.url());
    let (mut child, rx) = daemon(&w, "2017-05-22T09:05");
    wait_for_line(&rx, "daemon started");
    let log = wait_for_line(&rx, "sent");
    assert!(log.iter().any(|l| l.contains("to=")), "{log:?}");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "a clean exit");
    assert!(started.elapsed() < Duration::from_secs(10));
    wait_for_line(&rx, "daemon stopped");
}

#[test]
fn a_daemon_killed_mid_pass_loses_no_notice_and_repeats_at_most_one() {
    let server = MailServer::start();
    server.delay(0.2);
    let w = nanyang(&server.url());
    // The mail in flight at the kill stays claimed by the dead process until its claim expires.
    configure_with(
        &w,
        &server.url(),
        "timeout_seconds = 2\nclaim_seconds = 3\n",
    );
    let (mut child, _rx) = daemon(&w, "2017-05-22T09:05");
    let before_kill = server.wait_for(5).len();
    assert!(
        (5..26).contains(&before_kill),
        "killed mid-pass ({before_kill} delivered)"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    server.delay(0.0);

    let (mut child, _rx) = daemon(&w, "2017-05-22T09:06");
    let messages = server.wait_for(26);
    std::thread::sleep(Duration::from_millis(500));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));

    let messages = if messages.len() >= 26 {
        server.messages()
    } else {
        messages
    };
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for m in &messages {
        *per_id.entry(m.message_id.clone()).or_insert(0) += 1;
    }
    assert_eq!(per_id.len(), 26, "every notice delivered");
    let repeated: usize = per_id.values().map(|n| n - 1).sum();
    assert!(
        repeated <= 1,
        "at most the mail in flight is repeated ({repeated})"
    );
    let recipients: std::collections::HashSet<&str> =
        messages.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(recipients.len(), 26);
}

#[test]
fn a_refused_login_stops_the_pass_and_leaves_every_mail_pending() {
    let server = MailServer::start_with_login("duban", "right-password");
    let w = nanyang(&server.url());
    std::fs::write(w.path().join("smtp-password"), "wrong-password\n").unwrap();
    configure_with(
        &w,
        &server.url(),
        "user = \"duban\"\npassword_file = \"smtp-password\"\n",
    );
    let run = w.run(&["remind", "--as-of", "2017-05-22T09:05"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("refused the login") && run.stderr.contains("535"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("wrong-password"), "no secret shown");
    let outbox = w.json(&["outbox"]);
    let rows = outbox.as_array().unwrap();
    assert_eq!(rows.len(), 26);
    assert!(
        rows.iter()
            .all(|m| m["state"] == "pending" && m["attempts"] == 0),
        "one refused login is no attempt at any mail: {outbox:#}"
    );
    // With the right password the same mails go out at once.
    std::fs::write(w.path().join("smtp-password"), "right-password\n").unwrap();
    let out = w.ok(&["remind", "--as-of", "2017-05-22T09:06"]);
    assert!(out.contains("26 sent"), "{out}");
    assert_eq!(server.messages().len(), 26);
}

/// systemd's `LoadCredential=smtp-password:…` hands the password over as a file in
/// `$CREDENTIALS_DIRECTORY`, as examples/duban.service does.
#[test]
fn a_systemd_credential_is_the_smtp_password() {
    let server = MailServer::start_with_login("duban", "right-password");
    let w = nanyang(&server.url());
    configure_with(&w, &server.url(), "user = \"duban\"\n");
    let credentials = tempfile::tempdir().unwrap();
    std::fs::write(credentials.path().join("smtp-password"), "right-password\n").unwrap();
    let output = crate::common::process(w.path())
        .env("CREDENTIALS_DIRECTORY", credentials.path())
        .env_remove("DUBAN_SMTP_PASSWORD")
        .args(["remind", "--as-of", "2017-05-22T09:05"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("26 sent"),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(server.messages().len(), 26);
}

#[test]
fn a_mail_given_up_does_not_say_it_will_be_retried() {
    let port = free_port();
    let w = nanyang(&format!("smtp://127.0.0.1:{port}"));
    // max_attempts = 3: the third failed send is the last.
    for at in ["2017-05-22T09:05", "2017-05-22T09:10", "2017-05-22T09:20"] {
        assert_eq!(w.run(&["remind", "--as-of", at]).code, 2);
    }
    let outbox = w.json(&["outbox"]);
    let rows = outbox.as_array().unwrap();
    assert_eq!(rows.len(), 26);
    for m in rows {
        assert_eq!(m["state"], "failed", "{m:#}");
        assert_eq!(m["attempts"], 3);
        let error = m["last_error"].as_str().unwrap();
        assert!(
            error.contains("Connection refused") && !error.contains("retry"),
            "{error}"
        );
    }
}
