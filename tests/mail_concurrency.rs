//! Several passes at once on one database — cron jobs side by side, the daemon and a manual
//! `duban remind` — against a real SMTP server: each pass claims the mails it sends, so every
//! mail goes out exactly once.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{KillOnDrop, Workspace};
use crate::mailserver::MailServer;

/// The mails the morning's pass writes.
const MAILS: usize = 27;

/// 南阳 on the morning of 22 May 2017 with nothing submitted: 27 reminders and overdue notices
/// due (26 units' May tables and one digest to the office; the monthly exposure of cases has no
/// day in the document, so the office is not chased for it), with a server slow enough (50 ms a mail) that passes started together overlap for the
/// whole of their sending.
fn office(server: &MailServer) -> Workspace {
    let w = Workspace::new(&["nanyang-2017"]);
    std::fs::write(
        w.path().join("duban.toml"),
        format!(
            "[mail]\nurl = \"{}\"\nfrom = \"督办 <duban@nanyang.example.org>\"\n",
            server.url()
        ),
    )
    .unwrap();
    w.ok(&["sync", "--as-of", "2017-05-22T09:00"]);
    server.delay(0.05);
    w
}

fn remind(w: &Workspace, as_of: &str) -> Command {
    let mut command = crate::common::process(w.path());
    command
        .args(["remind", "--as-of", as_of])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Every Message-ID delivered once, and every one of the outbox's mails delivered.
fn assert_each_mail_once(w: &Workspace, server: &MailServer, expected: usize) {
    let messages = server.wait_for(expected);
    // Anything sent twice would arrive shortly after the last first copy.
    std::thread::sleep(Duration::from_millis(700));
    let messages = if messages.len() >= expected {
        server.messages()
    } else {
        messages
    };
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for m in &messages {
        *per_id.entry(m.message_id.clone()).or_insert(0) += 1;
    }
    let twice: Vec<_> = per_id.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(messages.len(), expected, "every mail delivered");
    let outbox = w.json(&["outbox", "--all"]);
    let rows = outbox.as_array().unwrap();
    assert_eq!(rows.len(), expected);
    assert!(
        rows.iter()
            .all(|m| m["state"] == "sent" && m["attempts"] == 1),
        "each mail sent on its first and only attempt: {outbox:#}"
    );
}

fn passes_at_once(processes: usize) {
    let server = MailServer::start();
    let w = office(&server);
    let children: Vec<_> = (0..processes)
        .map(|_| remind(&w, "2017-05-22T09:05").spawn().unwrap())
        .collect();
    let mut sent = 0;
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let n: usize = stdout
            .split("; ")
            .nth(1)
            .and_then(|part| part.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count sent in {stdout:?}"));
        sent += n;
    }
    assert_eq!(sent, MAILS, "the passes' own counts add up to one of each");
    assert_each_mail_once(&w, &server, MAILS);
}

#[test]
fn two_passes_at_once_send_each_mail_once() {
    passes_at_once(2);
}

#[test]
fn three_passes_at_once_send_each_mail_once() {
    passes_at_once(3);
}

#[test]
fn four_passes_at_once_send_each_mail_once() {
    passes_at_once(4);
}

#[test]
fn the_daemon_and_a_manual_pass_send_each_mail_once() {
    let server = MailServer::start();
    let w = office(&server);
    let mut daemon = KillOnDrop::spawn(
        crate::common::process(w.path())
            .args([
                "daemon",
                "--as-of",
                "2017-05-22T09:05",
                "--schedule",
                "*/2 * * * * *",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    );
    let stderr = daemon.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // The manual pass starts while the daemon is in the middle of sending (a minute later in
    // the rehearsal's time, so that the daemon's mails are due for it too).
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) if line.contains(" sent") => break,
            _ => {}
        }
    }
    let manual = remind(&w, "2017-05-22T09:06").output().unwrap();
    assert_eq!(
        manual.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&manual.stderr)
    );
    assert_each_mail_once(&w, &server, MAILS);
    Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(daemon.wait().unwrap().code(), Some(0));
}

/// Another process holds the database's write lock longer than `busy_timeout_ms` (a long sync)
/// just as the mail server accepts a mail: the pass waits to mark it sent instead of failing
/// and leaving it pending, to be sent again once its claim expired.
#[test]
fn a_mail_accepted_while_another_process_holds_the_database_is_marked_sent_once_free() {
    let server = MailServer::start();
    let w = Workspace::new(&["nanyang-2017"]);
    std::fs::write(
        w.path().join("duban.toml"),
        format!(
            "busy_timeout_ms = 200\n[mail]\nurl = \"{}\"\nfrom = \"督办 <duban@nanyang.example.org>\"\ntimeout_seconds = 2\nclaim_seconds = 3\n",
            server.url()
        ),
    )
    .unwrap();
    w.ok(&["sync", "--as-of", "2017-05-22T09:00"]);
    server.hold(true);
    let pass = KillOnDrop::spawn(&mut remind(&w, "2017-05-22T09:05"));
    for n in 1..=MAILS {
        assert!(server.held(), "mail {n} reached the server");
        if n % 10 == 3 {
            let db = rusqlite::Connection::open(w.db()).unwrap();
            db.execute_batch("BEGIN IMMEDIATE").unwrap();
            server.release();
            // Ten times the busy timeout, and past the claim's expiry.
            std::thread::sleep(Duration::from_secs(4));
            db.execute_batch("COMMIT").unwrap();
            continue;
        }
        server.release();
    }
    server.hold(false);
    let output = pass.into_inner().wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(0), "the pass completes: {log}");
    assert!(log.contains("locked by another process"), "{log}");
    let again = remind(&w, "2017-05-22T09:05").output().unwrap();
    assert_eq!(again.status.code(), Some(0));
    assert_each_mail_once(&w, &server, MAILS);
}
