//! Several processes writing one database at once: every submission recorded, none duplicated.
//! And a process killed with SIGKILL in the middle of a batch: the database stays consistent and
//! keeps everything acknowledged before the kill.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use crate::common::Workspace;

/// Eight units, a weekly report over four years: 8 × 209 distinct obligations.
const WEEKLY: &str = "campaign weekly {\n  period 2020-01-01 .. 2023-12-31\n}\n\
group 各单位 { 一 二 三 四 五 六 七 八 }\n\
report 周报 {\n  from 各单位\n  due every week by friday\n}\n";

fn weekly() -> Workspace {
    let w = Workspace::new(&[]);
    std::fs::write(w.path().join("campaigns/weekly.campaign"), WEEKLY).unwrap();
    w.ok(&["sync", "--as-of", "2020-01-01"]);
    w
}

/// The ISO weeks the campaign covers, as periods.
fn weeks(count: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut day = chrono::NaiveDate::from_ymd_opt(2020, 1, 3).unwrap();
    while out.len() < count {
        let w = chrono::Datelike::iso_week(&day);
        out.push(format!("{}-W{:02}", w.year(), w.week()));
        day += chrono::Duration::days(7);
    }
    out
}

/// A shell loop submitting `unit`'s reports for `periods`, printing `ACK <period>` after each
/// acknowledged one.
fn worker(w: &Workspace, unit: &str, periods: &[String]) -> Command {
    let binary = assert_cmd::cargo::cargo_bin("duban");
    let script = format!(
        "for p in {}; do \"{}\" submit weekly 周报 {unit} --period \"$p\" --at 2020-01-02 >/dev/null && echo \"ACK $p\"; done",
        periods.join(" "),
        binary.display()
    );
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(script)
        .current_dir(w.path())
        .env("NO_COLOR", "1")
        .env_remove("DUBAN_CONFIG")
        .env_remove("DUBAN_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn count(w: &Workspace, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn eight_processes_submitting_at_once_record_every_submission_once() {
    let w = weekly();
    std::fs::write(w.path().join("duban.toml"), "busy_timeout_ms = 60000\n").unwrap();
    let periods = weeks(200);
    let units = ["一", "二", "三", "四", "五", "六", "七", "八"];
    let children: Vec<_> = units
        .iter()
        .map(|unit| worker(&w, unit, &periods).spawn().unwrap())
        .collect();
    let mut acknowledged = 0;
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.is_empty(), "a worker failed: {stderr}");
        acknowledged += String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|l| l.starts_with("ACK"))
            .count();
    }
    assert_eq!(acknowledged, 1600);
    assert_eq!(
        count(&w, "SELECT count(*) FROM events WHERE kind = 'submitted'"),
        1600
    );
    assert_eq!(
        count(
            &w,
            "SELECT count(*) FROM obligations WHERE state = 'received'"
        ),
        1600
    );
    assert_eq!(
        count(
            &w,
            "SELECT count(*) FROM (SELECT obligation_id FROM events GROUP BY obligation_id HAVING count(*) > 1)"
        ),
        0,
        "no obligation has two submissions"
    );
}

#[test]
fn racing_for_the_same_obligations_records_each_once() {
    let w = weekly();
    std::fs::write(w.path().join("duban.toml"), "busy_timeout_ms = 60000\n").unwrap();
    let periods = weeks(40);
    let children: Vec<_> = (0..4)
        .map(|_| worker(&w, "一", &periods).spawn().unwrap())
        .collect();
    let mut acknowledged = 0;
    for child in children {
        let output = child.wait_with_output().unwrap();
        acknowledged += String::from_utf8_lossy(&output.stdout).lines().count();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr
                .lines()
                .all(|l| l.is_empty() || l.contains("already submitted") || l.starts_with("help:")),
            "{stderr}"
        );
    }
    assert_eq!(
        acknowledged, 40,
        "exactly one of the four wins each obligation"
    );
    assert_eq!(
        count(&w, "SELECT count(*) FROM events WHERE kind = 'submitted'"),
        40
    );
}

#[test]
fn a_kill_in_the_middle_of_a_batch_loses_nothing_acknowledged() {
    let w = weekly();
    let periods = weeks(209);
    let mut command = worker(&w, "五", &periods);
    command.process_group(0);
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acknowledged = Vec::new();
    while acknowledged.len() < 60 {
        let line = lines.next().expect("the batch ends early").unwrap();
        acknowledged.push(line.trim_start_matches("ACK ").to_string());
    }
    // Kill the whole process group (the shell and the duban it is running) without warning.
    let status = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = child.wait();
    // Lines already in the pipe were acknowledged before the kill, too.
    for line in lines.map_while(Result::ok) {
        acknowledged.push(line.trim_start_matches("ACK ").to_string());
    }
    assert!(
        acknowledged.len() < periods.len(),
        "the batch was killed before it ended"
    );

    let conn = rusqlite::Connection::open(w.db()).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let recorded: Vec<String> = conn
        .prepare(
            "SELECT o.period FROM obligations o JOIN units u ON u.id = o.unit_id
             WHERE u.name = '五' AND o.state = 'received' ORDER BY o.due_at",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        recorded.len() >= acknowledged.len() && recorded.len() <= acknowledged.len() + 1,
        "at most the one in flight is recorded without its acknowledgement: {} vs {}",
        recorded.len(),
        acknowledged.len()
    );
    assert_eq!(recorded[..acknowledged.len()], acknowledged[..]);
    let events: i64 = conn
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        events as usize,
        recorded.len(),
        "every recorded submission has its event, and no more"
    );
    drop(conn);
    // The database is usable afterwards.
    w.ok(&[
        "submit",
        "weekly",
        "周报",
        "五",
        "--period",
        &periods[200],
        "--at",
        "2020-01-02",
    ]);
}
