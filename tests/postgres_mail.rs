//! Several nodes on one PostgreSQL database, sending a busy morning of 南阳's mail through a
//! real SMTP server: two daemons racing, one of them killed with SIGKILL mid-pass, and the
//! database server restarted under a daemon mid-pass. Each notice goes out once; at most the
//! mail in flight at a kill or a restart goes out twice.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{KillOnDrop, Workspace};
use crate::mailserver::{MailServer, Received};
use crate::pgserver;

/// The mails the morning's pass writes (as in `mail_concurrency`).
const MAILS: usize = 29;

/// 南阳 on PostgreSQL `url`, mailing through `server`, with claims that expire in seconds (so
/// that a dead node's mail is taken over within the test).
fn office(server: &MailServer, url: &str) -> Workspace {
    let w = Workspace::new(&["nanyang-2017"]);
    std::fs::write(
        w.path().join("duban.toml"),
        format!(
            "database = \"{url}\"\n[mail]\nurl = \"{}\"\nfrom = \"督办 <duban@nanyang.example.org>\"\n\
             timeout_seconds = 2\nclaim_seconds = 3\n",
            server.url()
        ),
    )
    .unwrap();
    w.ok(&["sync", "--as-of", "2017-05-22T09:00"]);
    w
}

fn daemon(w: &Workspace) -> KillOnDrop {
    KillOnDrop::spawn(
        crate::common::process(w.path())
            .args([
                "daemon",
                "--as-of",
                "2017-05-22T09:05",
                "--schedule",
                "*/2 * * * * *",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
}

fn stop(mut daemon: KillOnDrop) {
    Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(daemon.wait().unwrap().code(), Some(0), "a clean exit");
}

/// How often each Message-ID arrived, once every one has (and a moment more for repeats).
fn deliveries(server: &MailServer) -> HashMap<String, usize> {
    let mut per_id: HashMap<String, usize> = HashMap::new();
    let count = |messages: &[Received], per_id: &mut HashMap<String, usize>| {
        per_id.clear();
        for m in messages {
            *per_id.entry(m.message_id.clone()).or_insert(0) += 1;
        }
    };
    for _ in 0..600 {
        count(&server.messages(), &mut per_id);
        if per_id.len() >= MAILS {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(1_500));
    count(&server.messages(), &mut per_id);
    per_id
}

fn assert_each_once_but_the_one_in_flight(w: &Workspace, per_id: &HashMap<String, usize>) {
    assert_eq!(per_id.len(), MAILS, "every notice delivered");
    let repeated: usize = per_id.values().map(|n| n - 1).sum();
    assert!(
        repeated <= 1,
        "at most the mail in flight repeated ({repeated})"
    );
    let outbox = w.json(&["outbox", "--all"]);
    let rows = outbox.as_array().unwrap();
    assert_eq!(
        rows.len(),
        MAILS,
        "one mail per notice, whichever node planned it"
    );
    assert!(rows.iter().all(|m| m["state"] == "sent"), "{outbox:#}");
}

#[test]
fn two_daemons_on_one_database_send_each_notice_once_though_one_is_killed() {
    let Some(url) = pgserver::database() else {
        return;
    };
    let server = MailServer::start();
    server.delay(0.2);
    let w = office(&server, &url);
    let mut first = daemon(&w);
    let second = daemon(&w);
    let before_kill = server.wait_for(5).len();
    assert!(
        before_kill < MAILS,
        "killed mid-pass ({before_kill} delivered)"
    );
    first.kill().unwrap(); // SIGKILL: its claim on the mail in flight stays until it expires
    first.wait().unwrap();
    server.delay(0.0);
    let per_id = deliveries(&server);
    stop(second);
    assert_each_once_but_the_one_in_flight(&w, &per_id);
}

#[test]
fn a_daemon_goes_on_after_the_database_server_restarts_mid_pass() {
    let Some(pg) = pgserver::own() else {
        return;
    };
    let server = MailServer::start();
    server.delay(0.2);
    let w = office(&server, &pg.database());
    let running = daemon(&w);
    server.wait_for(5);
    pg.restart();
    server.delay(0.0);
    let per_id = deliveries(&server);
    stop(running);
    assert_each_once_but_the_one_in_flight(&w, &per_id);
}
