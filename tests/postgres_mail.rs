//! Several nodes on one PostgreSQL database, sending a busy morning of 南阳's mail through a
//! real SMTP server: two daemons racing, one of them killed with SIGKILL mid-pass, and the
//! database server restarted under a daemon mid-pass. Each notice goes out once; at most the
//! mail in flight at a kill or a restart goes out twice — and not even that one when the
//! connection is lost (a terminated session, a restart, a server down for seconds) between the
//! mail server's 250 and the mark: the mark is made on a new connection.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{KillOnDrop, Workspace};
use crate::mailserver::{MailServer, Received};
use crate::pgserver;

/// The mails the morning's pass writes (as in `mail_concurrency`).
const MAILS: usize = 27;

/// 南阳 on PostgreSQL `url`, mailing through `server`, with claims that expire in seconds (so
/// that a dead node's mail is taken over within the test).
fn office(server: &MailServer, url: &str) -> Workspace {
    office_claiming(server, url, 3)
}

/// The same, with claims of `claim_seconds`.
fn office_claiming(server: &MailServer, url: &str, claim_seconds: u32) -> Workspace {
    let w = Workspace::new(&["nanyang-2017"]);
    std::fs::write(
        w.path().join("duban.toml"),
        format!(
            "database = \"{url}\"\n[mail]\nurl = \"{}\"\nfrom = \"督办 <duban@nanyang.example.org>\"\n\
             timeout_seconds = 2\nclaim_seconds = {claim_seconds}\n",
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

/// Waits until the records say every notice is sent: the mail a killed node held in flight may
/// have reached the server already, but its claim must expire before a living node marks or
/// resends it, which can be after every Message-ID has arrived.
fn settled(w: &Workspace, server: &MailServer) -> HashMap<String, usize> {
    for _ in 0..600 {
        let outbox = w.json(&["outbox", "--all"]);
        let rows = outbox.as_array().unwrap();
        if rows.len() == MAILS && rows.iter().all(|m| m["state"] == "sent") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    deliveries(server)
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
    let per_id = settled(&w, &server);
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
    let per_id = settled(&w, &server);
    stop(running);
    assert_each_once_but_the_one_in_flight(&w, &per_id);
}

/// One `duban remind` pass at the morning of the 22nd, running on its own.
fn remind(w: &Workspace) -> KillOnDrop {
    KillOnDrop::spawn(
        crate::common::process(w.path())
            .args(["remind", "--as-of", "2017-05-22T09:05"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )
}

/// Waits for the pass to end: its exit code and what it logged.
fn finish(pass: KillOnDrop) -> (Option<i32>, String) {
    let output = pass.into_inner().wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code(), text)
}

/// Every mail the pass sent arrived exactly once, and the records say each is sent: a second
/// pass sends nothing.
fn assert_each_exactly_once(server: &MailServer, w: &Workspace, log: &str) {
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for m in server.messages() {
        *per_id.entry(m.message_id).or_insert(0) += 1;
    }
    let repeated: Vec<_> = per_id.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.is_empty(), "sent twice: {repeated:?}\n{log}");
    assert_eq!(per_id.len(), MAILS, "every notice delivered\n{log}");
    let outbox = w.json(&["outbox", "--all"]);
    let rows = outbox.as_array().unwrap();
    assert_eq!(rows.len(), MAILS);
    assert!(rows.iter().all(|m| m["state"] == "sent"), "{outbox:#}");
    let again = w.run(&["remind", "--as-of", "2017-05-22T09:05"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        server.messages().len(),
        MAILS,
        "a later pass resends nothing"
    );
}

#[test]
fn a_mail_the_server_accepted_is_marked_sent_though_the_session_is_terminated() {
    let Some(url) = pgserver::database() else {
        return;
    };
    let server = MailServer::start();
    let w = office_claiming(&server, &url, 120);
    server.hold(true);
    let pass = remind(&w);
    let mut terminated = 0;
    for n in 1..=MAILS {
        assert!(server.held(), "mail {n} reached the server");
        // Every third mail: the session ends between the server's 250 and the mark.
        if n % 3 == 1 {
            terminated += pgserver::Server::terminate_sessions(&url);
        }
        server.release();
    }
    server.hold(false);
    let (code, log) = finish(pass);
    assert_eq!(code, Some(0), "the pass completes\n{log}");
    // Once for every third mail: 9 of the 27.
    assert!(
        terminated >= MAILS.div_ceil(3) as i64,
        "the pass's session was ended each time ({terminated})"
    );
    assert!(
        log.contains("the connection to the PostgreSQL database") && log.contains("was lost"),
        "the log says the connection was lost:\n{log}"
    );
    assert!(!log.contains("db error"), "{log}");
    assert_each_exactly_once(&server, &w, &log);
}

#[test]
fn a_mail_the_server_accepted_is_marked_sent_though_the_database_server_restarts() {
    let Some(pg) = pgserver::own() else {
        return;
    };
    let server = MailServer::start();
    let url = pg.database();
    let w = office_claiming(&server, &url, 120);
    server.hold(true);
    let pass = remind(&w);
    for n in 1..=MAILS {
        assert!(server.held(), "mail {n} reached the server");
        match n {
            // Restarted at once, as a crash and a restart would.
            5 | 17 => pg.restart(),
            // Down for a while: the mark waits for the server.
            11 => {
                pg.stop();
                server.release();
                std::thread::sleep(Duration::from_secs(3));
                pg.start();
                continue;
            }
            _ => {}
        }
        server.release();
    }
    server.hold(false);
    let (code, log) = finish(pass);
    assert_eq!(code, Some(0), "the pass completes\n{log}");
    assert!(!log.contains("db error"), "{log}");
    assert_each_exactly_once(&server, &w, &log);
}
