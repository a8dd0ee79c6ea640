//! Each campaign keeps its own time zone (issue 9, section 2): a campaign in Asia/Urumqi and one
//! in UTC in one store, read by the real binary. A local `--as-of` means that time in each
//! campaign's zone; reminders leave at the policy's time of day in its zone; the daemon
//! schedules each zone's time of day.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::Workspace;

/// The same small campaign in `zone`: one report due Thursday 2017-05-25, a reminder the day
/// before at 09:00.
fn campaign(id: &str, zone: &str) -> String {
    format!(
        "campaign {id} {{\n  zone {zone}\n  period 2017-05-01 .. 2017-06-30\n}}\n\
         unit 甲县 {{ email jia-{id}@example.org }}\n\
         report 月报 {{ from 甲县; due 2017-05-25 }}\n\
         remind {{ before 1d at 09:00 }}\n"
    )
}

fn workspace() -> Workspace {
    let w = Workspace::new(&[]);
    for (id, zone) in [("west", "Asia/Urumqi"), ("utc", "UTC")] {
        std::fs::write(
            w.path().join("campaigns").join(format!("{id}.campaign")),
            campaign(id, zone),
        )
        .unwrap();
    }
    std::fs::write(
        w.path().join("duban.toml"),
        "[mail]\nurl = \"smtp://127.0.0.1:9\"\nfrom = \"督办 <duban@example.org>\"\n",
    )
    .unwrap();
    w
}

/// The addresses a dry run at `as_of` would write to.
fn reminded(w: &Workspace, as_of: &str) -> Vec<String> {
    let out = w.ok(&["remind", "--dry-run", "--as-of", as_of]);
    let mut to: Vec<String> = out
        .lines()
        .filter_map(|l| l.strip_prefix("To: "))
        .map(String::from)
        .collect();
    to.sort();
    to
}

#[test]
fn a_local_as_of_is_read_in_each_campaigns_zone() {
    let w = workspace();
    // 08:59 in either zone: no reminder yet, in neither campaign.
    assert!(reminded(&w, "2017-05-24T08:59").is_empty());
    // 09:01 local is 03:01 UTC for Urumqi and 09:01 UTC for the other: both are due.
    let both = reminded(&w, "2017-05-24T09:01");
    assert_eq!(both.len(), 2, "{both:?}");
    assert!(
        both[0].contains("jia-utc@") && both[1].contains("jia-west@"),
        "{both:?}"
    );
    // An absolute instant is the same moment everywhere: 03:30 UTC is 09:30 in Urumqi only.
    let west = reminded(&w, "2017-05-24T03:30:00Z");
    assert_eq!(west.len(), 1, "{west:?}");
    assert!(west[0].contains("jia-west@"), "{west:?}");
}

#[test]
fn lateness_and_the_preview_are_in_each_campaigns_zone() {
    let w = workspace();
    let overdue = |as_of: &str| -> Vec<String> {
        let rows = w.json(&["overdue", "--as-of", as_of]);
        let mut campaigns: Vec<String> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["campaign"].as_str().unwrap().to_string())
            .collect();
        campaigns.sort();
        campaigns
    };
    assert!(overdue("2017-05-25T23:59").is_empty());
    assert_eq!(overdue("2017-05-26T00:01"), ["utc", "west"]);
    // 20:00 UTC on the 25th is already the 26th in Urumqi.
    assert_eq!(overdue("2017-05-25T20:00:00Z"), ["west"]);

    let preview = w.json(&["preview", "--from", "2017-05-24", "--to", "2017-05-24"]);
    let mails = preview.as_array().unwrap();
    assert_eq!(mails.len(), 2, "{preview}");
    for mail in mails {
        let zone = mail["zone"].as_str().unwrap();
        let at = chrono::DateTime::parse_from_rfc3339(mail["send_at"].as_str().unwrap()).unwrap();
        let local = at.with_timezone(&zone.parse::<chrono_tz::Tz>().unwrap());
        assert_eq!(
            local.format("%Y-%m-%d %H:%M").to_string(),
            "2017-05-24 09:00"
        );
    }
    let table = w.ok(&["preview", "--from", "2017-05-24", "--to", "2017-05-24"]);
    assert_eq!(table.matches("09:00").count(), 2, "{table}");
}

#[test]
fn the_daemon_schedules_each_zones_time_of_day() {
    let w = workspace();
    let mut child = crate::common::KillOnDrop::spawn(
        crate::common::process(w.path())
            .args(["daemon", "--as-of", "2017-05-20T08:00"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    );
    let stderr = child.stderr.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut started = None;
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        if line.contains("daemon started") {
            started = Some(line);
            break;
        }
        assert!(Instant::now() < deadline, "no start line");
    }
    drop(child);
    let line = started.expect("the daemon logged its start");
    assert!(line.contains("0 0 9 * * * (Asia/Urumqi)"), "{line}");
    assert!(line.contains("0 0 9 * * * (UTC)"), "{line}");
}

/// One campaign in Asia/Urumqi (UTC+6, two hours behind the office's default zone): 甲 reports
/// to 丙, which receives it.
fn urumqi_workspace() -> Workspace {
    let w = Workspace::new(&[]);
    std::fs::write(
        w.path().join("campaigns").join("west.campaign"),
        "campaign west {\n  zone Asia/Urumqi\n  period 2017-05-01 .. 2017-08-31\n}\n\
         unit 甲 { email jia@example.org }\n\
         unit 丙 { email bing@example.org }\n\
         report 月报 { from 甲; to 丙; due 2017-05-25 }\n",
    )
    .unwrap();
    w
}

#[test]
fn the_board_and_pages_show_a_campaigns_times_in_its_zone() {
    let w = urumqi_workspace();
    let link = crate::webserver::token(&w.ok(&["user", "add", "王五", "--role", "supervisor"]));
    // 03:30 UTC is 09:30 in Urumqi (and 11:30 in Beijing, which the pages are not in).
    let server = crate::webserver::Server::start(&w, "2017-05-26T03:30:00Z");
    let cookie = crate::webserver::sign_up(&server, &link, "王五", "监督室的长密码abcdef");
    for path in ["/board", "/overdue", "/unit/%E7%94%B2"] {
        let page = server.get(path, &cookie);
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(
            page.body.contains("截至 2017-05-26 09:30"),
            "{path}: {}",
            page.body
        );
        assert!(!page.body.contains("11:30"), "{path}: {}", page.body);
    }
}

/// Whether 丙's reviewer sees 甲's report among what 丙 received, on the review page of a
/// server at the local time `as_of`.
fn received_at(w: &Workspace, link: &str, as_of: &str) -> bool {
    let server = crate::webserver::Server::start(w, as_of);
    let cookie = crate::webserver::sign_up(&server, link, "赵六", "丙审核员的长密码123");
    let page = server.get("/review", &cookie);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("截至 {}", as_of.replace('T', " ")))
    );
    page.body.contains("月报")
}

#[test]
fn a_local_as_of_reads_the_review_window_in_the_campaigns_zone() {
    let w = urumqi_workspace();
    // 10:00 in Urumqi is 04:00 UTC.
    w.submit("west", "月报", "甲").at("2017-05-20T10:00").ok();
    let link = crate::webserver::token(
        &w.ok(&["user", "add", "赵六", "--unit", "丙", "--role", "reviewer"]),
    );
    // What was received in the last 60 days, counted in Urumqi: at 09:30 sixty days on it is
    // still there (read as UTC, the window would start at 09:30 UTC and leave it out) …
    assert!(received_at(&w, &link, "2017-07-19T09:30"));
    // … and at 11:30 it is gone (read in Beijing's zone, the office's, it would still show).
    let w2 = urumqi_workspace();
    w2.submit("west", "月报", "甲").at("2017-05-20T10:00").ok();
    let link = crate::webserver::token(
        &w2.ok(&["user", "add", "赵六", "--unit", "丙", "--role", "reviewer"]),
    );
    assert!(!received_at(&w2, &link, "2017-07-19T11:30"));
}

#[test]
fn accounts_and_tokens_are_in_the_offices_zone() {
    let w = urumqi_workspace();
    std::fs::write(w.path().join("duban.toml"), "zone = \"Europe/Berlin\"\n").unwrap();
    w.ok(&[
        "token",
        "create",
        "--role",
        "office",
        "--name",
        "柏林",
        "--expires",
        "2027-06-30",
    ]);
    let tokens = w.json(&["token", "list"]);
    // Through the 30th in Berlin (summer time, UTC+2), not in Beijing.
    assert_eq!(
        tokens[0]["expires_at"], "2027-07-01T00:00:00+02:00",
        "{tokens}"
    );
    let table = w.ok(&["token", "list"]);
    assert!(table.contains("2027-07-01 00:00"), "{table}");

    std::fs::write(w.path().join("duban.toml"), "zone = \"Europe/Atlantis\"\n").unwrap();
    let error = w.fails(&["token", "list"]);
    assert!(
        error.contains("`Europe/Atlantis` is not a time zone"),
        "{error}"
    );
}
