//! The promises, tried as an operator would break them: a campaign naming a secret, a mistyped
//! spreadsheet, an endless input, a full or closed output, a refused database, a renamed
//! deliverable. Each was once broken; each test runs the real binary.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::Workspace;

/// `duban` in `w` with `stdout` as given; no run may take more than a minute (a hang is the
/// failure some of these tests look for, not slowness).
fn run_with(w: &Workspace, args: &[&str], stdout: Stdio) -> (i32, String) {
    let mut command = crate::common::process(w.path());
    command.args(args).stdout(stdout).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("duban {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code().unwrap_or(-1), reader.join().unwrap())
}

fn campaign_with(w: &Workspace, name: &str, from: &str, to: &str) {
    let path = w.campaign(name);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

// ---------------------------------------------------------------------------------------------
// 2. Secrets named by a campaign.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_campaign_cannot_read_files_outside_the_workspace() {
    let w = Workspace::new(&["gulu-2023"]);
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.toml");
    std::fs::write(
        &secret,
        "[机密]\npassword = \"hunter2-secret\"\n这不是 TOML\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&secret, w.path().join("campaigns/link.toml")).unwrap();
    let relative = pathdiff(outside.path(), &w.path().join("campaigns"));
    for named in [
        "/etc/passwd".to_string(),
        "/proc/self/environ".to_string(),
        secret.display().to_string(),
        format!("{relative}/secret.toml"),
        "link.toml".to_string(),
    ] {
        campaign_with_contacts(&w, &named);
        let run = w.run(&["check", "campaigns/gulu-2023.campaign"]);
        assert_eq!(run.code, 2, "{named}: {}", run.stderr);
        assert!(
            run.stderr.contains("contacts file") && run.stderr.contains("outside")
                || run.stderr.contains("absolute path"),
            "{named}: {}",
            run.stderr
        );
        for leak in ["hunter2", "root:", "PATH="] {
            assert!(
                !run.stderr.contains(leak),
                "{named} leaked {leak}: {}",
                run.stderr
            );
            assert!(!run.stdout.contains(leak), "{named} leaked {leak}");
        }
    }
    // The office may allow a folder explicitly.
    std::fs::write(
        w.path().join("duban.toml"),
        format!("allowed_folders = [\"{}\"]\n", outside.path().display()),
    )
    .unwrap();
    std::fs::write(
        &secret,
        std::fs::read(w.path().join("campaigns/gulu-2023.contacts.toml")).unwrap(),
    )
    .unwrap();
    campaign_with_contacts(&w, &secret.display().to_string());
    w.ok(&["check", "campaigns/gulu-2023.campaign"]);
}

#[test]
fn the_daemon_never_prints_the_environment_a_campaign_names() {
    let w = Workspace::new(&["gulu-2023"]);
    campaign_with_contacts(&w, "/proc/self/environ");
    let stderr = daemon_for(&w, 3, &[("DUBAN_SMTP_PASSWORD", "s3cret-smtp-password")]);
    assert!(
        stderr.contains("outside") || stderr.contains("absolute path"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret-smtp-password"), "{stderr}");
    assert!(!stderr.contains("DUBAN_SMTP_PASSWORD"), "{stderr}");
}

#[test]
fn a_broken_contacts_file_is_quoted_only_in_a_short_excerpt() {
    let w = Workspace::new(&["gulu-2023"]);
    let long = format!("[\"甲\"]\nemail = \"{}\n", "x".repeat(50_000));
    std::fs::write(w.path().join("campaigns/gulu-2023.contacts.toml"), long).unwrap();
    let run = w.run(&["check", "campaigns/gulu-2023.campaign"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("contacts file"), "{}", run.stderr);
    assert!(run.stderr.len() < 4_000, "{} bytes", run.stderr.len());
    assert!(
        run.stderr.contains('…'),
        "the cut is marked: {}",
        run.stderr
    );
}

/// What a daemon in `w` (with a mail server that is never reached) logs in `seconds` of passes
/// every second, with `env` set, until SIGTERM.
fn daemon_for(w: &Workspace, seconds: u64, env: &[(&str, &str)]) -> String {
    daemon_with(
        w,
        "[mail]\nurl = \"smtp://127.0.0.1:9\"\nfrom = \"d@example.org\"\n",
        seconds,
        env,
    )
}

/// The same, with `settings` as duban.toml.
fn daemon_with(w: &Workspace, settings: &str, seconds: u64, env: &[(&str, &str)]) -> String {
    std::fs::write(w.path().join("duban.toml"), settings).unwrap();
    let child = crate::common::KillOnDrop::spawn(
        crate::common::process(w.path())
            .args([
                "daemon",
                "--as-of",
                "2023-07-01T09:00",
                "--schedule",
                "*/1 * * * * *",
            ])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    );
    std::thread::sleep(Duration::from_secs(seconds));
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.into_inner().wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn campaign_with_contacts(w: &Workspace, path: &str) {
    let file = w.campaign("gulu-2023");
    let text = std::fs::read_to_string(&file).unwrap();
    let start = text.find("联系人文件 \"").unwrap() + "联系人文件 \"".len();
    let end = start + text[start..].find('"').unwrap();
    std::fs::write(&file, format!("{}{path}{}", &text[..start], &text[end..])).unwrap();
}

/// `to` relative to `from`, as `../..`.
fn pathdiff(to: &Path, from: &Path) -> String {
    let to = std::fs::canonicalize(to).unwrap();
    let from = std::fs::canonicalize(from).unwrap();
    let ups = from.components().count() - 1;
    format!(
        "{}{}",
        "../".repeat(ups),
        to.strip_prefix("/").unwrap().display()
    )
    .trim_end_matches('/')
    .to_string()
}

// ---------------------------------------------------------------------------------------------
// 3. Import files that lose rows.
// ---------------------------------------------------------------------------------------------

#[test]
fn import_refuses_every_file_that_would_lose_a_row() {
    let w = Workspace::new(&["nanyang-2017"]);
    let head = "campaign,deliverable,unit,period,at,note\n";
    let row = |unit: &str| format!("nanyang-2017,统计表,{unit},2017-05,2017-05-20,\n");
    let cases = [
        (
            "quote.csv",
            format!("{head}nanyang-2017,统计表,宛城区,2017-05,2017-05-20,\"unclosed\n{}{}", row("卧龙区"), row("南召县")),
            ":2: a quote opened on this line is never closed",
        ),
        (
            "wide.csv",
            format!("{head}{}nanyang-2017,统计表,卧龙区,2017-05,2017-05-20,,extra\n", row("宛城区")),
            ":3: 7 fields, but the header names 6 columns",
        ),
        (
            "misspelt.csv",
            format!("campaign,deliverable,unit,period,at,nte\n{}", row("宛城区")),
            ":1: unknown column `nte`; did you mean `note`?",
        ),
        (
            "rows.JSONL",
            "{\"campaign\":\"nanyang-2017\",\"deliverable\":\"统计表\",\"unit\":\"宛城区\",\"period\":\"2017-05\",\"at\":\"2017-05-20\",\"nte\":\"x\"}\n".to_string(),
            ":1: unknown column `nte`; did you mean `note`?",
        ),
        (
            "rows.txt",
            row("宛城区"),
            "name it .csv, .xlsx or .jsonl",
        ),
    ];
    for (name, text, expected) in cases {
        std::fs::write(w.path().join(name), &text).unwrap();
        let run = w.run(&["import", name, "--as-of", "2017-06-01"]);
        assert_eq!(run.code, 2, "{name}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(expected), "{name}: {}", run.stderr);
    }
    let status = w.json(&["status", "--as-of", "2017-06-01"]);
    let submitted: i64 = status
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["submitted"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(
        submitted, 0,
        "nothing was recorded from a refused file: {status:#}"
    );
    // An uppercase extension is still JSONL, and a good file goes in whole.
    std::fs::write(
        w.path().join("good.JSONL"),
        "{\"campaign\":\"nanyang-2017\",\"deliverable\":\"统计表\",\"unit\":\"宛城区\",\"period\":\"2017-05\",\"at\":\"2017-05-20\",\"note\":\"ok\"}\n",
    )
    .unwrap();
    let out = w.ok(&["import", "good.JSONL", "--as-of", "2017-06-01"]);
    assert!(out.contains("1 recorded"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// 4. Panics on odd arguments and on full or closed output.
// ---------------------------------------------------------------------------------------------

const COMMANDS: &[&[&str]] = &[
    &["check", "campaigns"],
    &["schedule", "campaigns/nanyang-2017.campaign"],
    &[
        "schedule",
        "campaigns/nanyang-2017.campaign",
        "--format",
        "ics",
    ],
    &["calendar", "2017"],
    &["sync", "--as-of", "2017-05-01"],
    &["status", "--as-of", "2017-06-01"],
    &["overdue", "--as-of", "2017-06-01"],
    &["overdue", "--as-of", "2017-06-01", "--format", "csv"],
    &["due", "--as-of", "2017-05-20", "--within", "30d"],
    &[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
    ],
    &["remind", "--plan-only", "--as-of", "2017-05-22T09:05"],
    &["remind", "--dry-run", "--as-of", "2017-05-22T09:05"],
    &["preview", "--from", "2017-05-01", "--to", "2017-05-31"],
    &["outbox", "--all"],
    &[
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-06",
        "--at",
        "2017-06-20",
    ],
    &["--help"],
    &["--version"],
    &["overdue", "--help"],
];

#[test]
fn no_command_panics_on_a_full_or_closed_output() {
    let w = Workspace::new(&["nanyang-2017"]);
    w.ok(&["sync", "--as-of", "2017-05-01"]);
    for args in COMMANDS {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let (code, stderr) = run_with(&w, args, Stdio::from(full));
        assert!(
            !stderr.contains("panicked"),
            "{args:?} to /dev/full: {stderr}"
        );
        assert_eq!(code, 2, "{args:?} to /dev/full must fail: {stderr}");
        assert!(
            stderr.contains("No space left on device") || stderr.contains("cannot write"),
            "{args:?}: {stderr}"
        );
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let (code, stderr) = run_with(&w, args, Stdio::from(writer));
        assert!(
            !stderr.contains("panicked"),
            "{args:?} to a closed pipe: {stderr}"
        );
        assert!(
            code == 0 || code == 2,
            "{args:?} to a closed pipe: {code} {stderr}"
        );
    }
}

#[test]
fn odd_arguments_are_refused_not_panicked_on() {
    let w = Workspace::new(&["nanyang-2017"]);
    for args in [
        &["due", "--within", "100000000d", "--as-of", "2017-05-01"][..],
        &["due", "--within", "99999999999999999999h"],
        &[
            "preview",
            "--from",
            "+262143-01-01",
            "--to",
            "+262143-12-31",
        ],
        &["preview", "--from", "9999-01-01", "--to", "9999-12-31"],
        &[
            "schedule",
            "campaigns/nanyang-2017.campaign",
            "--to",
            "9999-12-31",
        ],
        &[
            "submit",
            "nanyang-2017",
            "工作方案",
            "宛城区",
            "--at",
            "0000-01-01",
        ],
        &[
            "waive",
            "nanyang-2017",
            "工作方案",
            "宛城区",
            "--reason",
            "",
        ],
        &[
            "waive",
            "nanyang-2017",
            "工作方案",
            "宛城区",
            "--reason",
            "   ",
        ],
        &["calendar", "99999999"],
        &["remind", "--as-of", "99999-01-01"],
    ] {
        let run = w.run(args);
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
    }
    let history = w.json(&["history", "nanyang-2017", "工作方案", "宛城区"]);
    assert!(
        history["events"].as_array().unwrap().is_empty(),
        "nothing recorded"
    );
}

/// A daemon found a campaign with errors: it shows them once, not at every pass.
#[test]
fn the_daemon_shows_a_campaigns_errors_once() {
    let w = Workspace::new(&["gulu-2023"]);
    let path = w.campaign("gulu-2023");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("\nreport 坏报表 {\n  from 不存在的单位\n  due 2023-08-01\n}\n");
    std::fs::write(&path, text).unwrap();
    let stderr = daemon_for(&w, 4, &[]);
    assert!(
        stderr.contains("still not synced"),
        "more than one pass: {stderr}"
    );
    assert_eq!(
        stderr
            .matches("unknown unit or group `不存在的单位`")
            .count(),
        1,
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Refused databases are left as they were.
// ---------------------------------------------------------------------------------------------

/// A synced database of the 古路 campaign in rollback-journal mode, as an older tool or a
/// copy might leave it.
fn rollback_database(w: &Workspace) {
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
}

fn refused_untouched(w: &Workspace, expected: &str) {
    let before = std::fs::read(w.db()).unwrap();
    let error = w.fails(&["status", "--as-of", "2023-07-01"]);
    assert!(error.contains(expected), "{error}");
    assert!(
        std::fs::read(w.db()).unwrap() == before,
        "the refused file was changed"
    );
    assert!(
        !w.path().join("duban.db-wal").exists(),
        "no journal created beside it"
    );
}

#[test]
fn a_database_of_a_newer_schema_is_refused_untouched() {
    let w = Workspace::new(&["gulu-2023"]);
    rollback_database(&w);
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    refused_untouched(&w, "schema version 99");
}

#[test]
fn a_damaged_database_is_refused_untouched() {
    let w = Workspace::new(&["gulu-2023"]);
    rollback_database(&w);
    let mut bytes = std::fs::read(w.db()).unwrap();
    let page = 4096;
    assert!(bytes.len() > 4 * page);
    for b in &mut bytes[2 * page + 100..3 * page] {
        *b = 0xA5;
    }
    std::fs::write(w.db(), &bytes).unwrap();
    refused_untouched(&w, "damaged");
}

#[test]
fn an_empty_database_of_another_program_is_refused_untouched() {
    let w = Workspace::new(&["gulu-2023"]);
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.pragma_update(None, "user_version", 7).unwrap();
    drop(conn);
    assert!(std::fs::metadata(w.db()).unwrap().len() > 0);
    refused_untouched(&w, "not a duban database");
}

#[test]
fn a_dangling_link_is_not_followed_into_a_new_file() {
    let w = Workspace::new(&["gulu-2023"]);
    let target = w.path().join("gone/elsewhere.db");
    std::os::unix::fs::symlink(&target, w.path().join("link.db")).unwrap();
    let error = w.fails(&["--db", "link.db", "status", "--as-of", "2023-07-01"]);
    assert!(error.contains("symbolic link"), "{error}");
    assert!(!target.exists() && !target.parent().unwrap().exists());
}

#[test]
fn a_read_only_database_still_answers_queries() {
    let w = Workspace::new(&["gulu-2023"]);
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    let before = std::fs::read(w.db()).unwrap();
    let mut permissions = std::fs::metadata(w.db()).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(w.db(), permissions).unwrap();
    let run = w.run(&["overdue", "--as-of", "2023-09-01", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("read-only"), "{}", run.stderr);
    let overdue: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(!overdue.as_array().unwrap().is_empty());
    let error = w.fails(&[
        "submit",
        "gulu-2023",
        "自查自纠工作报告",
        "镇村建中心",
        "--at",
        "2023-07-19",
    ]);
    assert!(error.contains("read-only"), "{error}");
    assert!(std::fs::read(w.db()).unwrap() == before);
}

// ---------------------------------------------------------------------------------------------
// 7. Endless inputs.
// ---------------------------------------------------------------------------------------------

fn fifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[test]
fn endless_inputs_are_refused_at_once() {
    let w = Workspace::new(&["gulu-2023"]);
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    fifo(&w.path().join("pipe.csv"));
    fifo(&w.path().join("campaigns/pipe.toml"));
    let submit = |file: &'static str| {
        vec![
            "submit",
            "gulu-2023",
            "自查自纠工作报告",
            "镇村建中心",
            "--at",
            "2023-07-19",
            "--file",
            file,
        ]
    };
    for args in [
        &submit("/dev/zero")[..],
        &submit("pipe.csv"),
        &["import", "pipe.csv"],
        &["import", "/dev/zero"],
    ] {
        let (code, stderr) = run_with(&w, args, Stdio::null());
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
    }
    fifo(&w.path().join("pipe.db"));
    let (code, stderr) = run_with(&w, &["--db", "pipe.db", "status"], Stdio::null());
    assert_eq!(code, 2);
    assert!(stderr.contains("not a regular file"), "{stderr}");
    campaign_with_contacts(&w, "pipe.toml");
    let (code, stderr) = run_with(
        &w,
        &["check", "campaigns/gulu-2023.campaign"],
        Stdio::null(),
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

#[test]
fn views_of_the_system_are_never_submitted() {
    let w = Workspace::new(&["gulu-2023"]);
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    std::os::unix::fs::symlink("/proc/self/environ", w.path().join("环境.txt")).unwrap();
    for file in ["/proc/self/environ", "环境.txt", "/proc/version"] {
        let args = [
            "submit",
            "gulu-2023",
            "自查自纠工作报告",
            "镇村建中心",
            "--at",
            "2023-07-19",
            "--file",
            file,
        ];
        let (code, stderr) = run_with(&w, &args, Stdio::null());
        assert_eq!(code, 2, "{file}: {stderr}");
        assert!(stderr.contains("under /proc"), "{file}: {stderr}");
    }
    let history = w.json(&[
        "history",
        "gulu-2023",
        "自查自纠工作报告",
        "镇村建中心",
        "--as-of",
        "2023-07-20",
    ]);
    assert!(
        history["events"].as_array().unwrap().is_empty(),
        "{history}"
    );
}

// ---------------------------------------------------------------------------------------------
// 8. Settings that cannot work.
// ---------------------------------------------------------------------------------------------

#[test]
fn mail_settings_that_cannot_work_are_refused() {
    let w = Workspace::new(&["gulu-2023"]);
    for (setting, expected) in [
        ("timeout_seconds = 0", "timeout_seconds must be at least 1"),
        ("max_attempts = 0", "max_attempts must be at least 1"),
        (
            "timeout_seconds = 60\nclaim_seconds = 30",
            "claim_seconds (30) must be longer",
        ),
    ] {
        std::fs::write(
            w.path().join("duban.toml"),
            format!("[mail]\nurl = \"smtp://127.0.0.1:9\"\n{setting}\n"),
        )
        .unwrap();
        let error = w.fails(&["remind", "--as-of", "2023-07-01T09:00"]);
        assert!(error.contains(expected), "{setting}: {error}");
    }
}

// ---------------------------------------------------------------------------------------------
// 9. Renamed deliverables.
// ---------------------------------------------------------------------------------------------

fn submit_may(w: &Workspace, deliverable: &str) {
    for unit in ["宛城区", "卧龙区"] {
        w.ok(&[
            "submit",
            "nanyang-2017",
            deliverable,
            unit,
            "--period",
            "2017-05",
            "--at",
            "2017-05-20",
        ]);
    }
    w.ok(&[
        "waive",
        "nanyang-2017",
        deliverable,
        "南召县",
        "--period",
        "2017-05",
        "--at",
        "2017-05-21",
        "--reason",
        "并入市直报送",
    ]);
}

fn overdue_may(w: &Workspace, deliverable: &str) -> Vec<String> {
    let rows = w.json(&[
        "overdue",
        "--as-of",
        "2017-05-31",
        "--deliverable",
        deliverable,
    ]);
    rows.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["period"] == "2017-05")
        .map(|r| r["unit"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_declared_rename_keeps_every_submission_and_waiver() {
    let w = Workspace::new(&["nanyang-2017"]);
    submit_may(&w, "统计表");
    let before = overdue_may(&w, "统计表");
    assert!(
        !before.contains(&"宛城区".to_string()) && !before.contains(&"南召县".to_string()),
        "{before:?}"
    );
    campaign_with(&w, "nanyang-2017", "报送 统计表 ", "报送 统计报表 ");
    campaign_with(
        &w,
        "nanyang-2017",
        "  表单 \"附件3 统计表\"",
        "  原名 统计表\n  表单 \"附件3 统计表\"",
    );
    w.ok(&["check", "campaigns/nanyang-2017.campaign"]);
    w.ok(&["sync", "--as-of", "2017-05-31"]);
    assert_eq!(
        overdue_may(&w, "统计报表"),
        before,
        "the same units are late, no more"
    );
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计报表",
        "宛城区",
        "--period",
        "2017-05",
    ]);
    assert_eq!(history["events"][0]["kind"], "submitted");
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计报表",
        "南召县",
        "--period",
        "2017-05",
    ]);
    assert_eq!(history["status"], "waived");
}

#[test]
fn an_undeclared_rename_asks_before_it_drops_history() {
    let w = Workspace::new(&["nanyang-2017"]);
    submit_may(&w, "统计表");
    campaign_with(&w, "nanyang-2017", "报送 统计表 ", "报送 统计报表 ");
    let run = w.run(&["sync", "--as-of", "2017-05-31"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("`统计表` is no longer in campaign `nanyang-2017`")
            && run.stderr.contains("formerly")
            && run.stderr.contains("--accept-removals"),
        "{}",
        run.stderr
    );
    // Until then every command answers from the last good version: nobody is chased.
    let rows = w.json(&[
        "overdue",
        "--as-of",
        "2017-05-31",
        "--deliverable",
        "统计表",
    ]);
    assert!(
        !rows
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["unit"] == "宛城区" && r["period"] == "2017-05")
    );
    // Confirmed: the old obligations are kept as history, the new ones are owed.
    let out = w.ok(&["sync", "--as-of", "2017-05-31", "--accept-removals"]);
    assert!(out.contains("kept with their history"), "{out}");
    assert!(overdue_may(&w, "统计报表").contains(&"宛城区".to_string()));
}

/// The SMTP password file is never read as a campaign's file, whatever path reaches it: named
/// as contacts with `..`, or through a link in campaigns/; `check`, `sync`, `remind` and the
/// daemon's log say why and never print it.
#[test]
fn the_smtp_password_file_is_never_read_as_contacts() {
    let secret = "hunter2-口令-7f3a";
    let w = Workspace::new(&["gulu-2023"]);
    std::fs::write(w.path().join("smtp-password"), format!("{secret}\n")).unwrap();
    let settings = "[mail]\nurl = \"smtp://127.0.0.1:9\"\nfrom = \"d@example.org\"\npassword_file = \"smtp-password\"\n";
    std::fs::write(w.path().join("duban.toml"), settings).unwrap();
    for named in ["../smtp-password", "linked.toml"] {
        if named == "linked.toml" {
            std::os::unix::fs::symlink("../smtp-password", w.path().join("campaigns/linked.toml"))
                .unwrap();
        }
        campaign_with_contacts(&w, named);
        for args in [
            &["check", "campaigns/gulu-2023.campaign"][..],
            &["sync", "--as-of", "2023-07-01"],
            &["remind", "--dry-run", "--as-of", "2023-07-01T09:00"],
        ] {
            let run = w.run(args);
            let all = format!("{}{}", run.stdout, run.stderr);
            assert!(
                !all.contains(secret),
                "{named} {args:?} printed the password: {all}"
            );
            assert!(all.contains("holds a secret"), "{named} {args:?}: {all}");
        }
    }
    let log = daemon_with(&w, settings, 2, &[]);
    assert!(log.contains("holds a secret"), "{log}");
    assert!(!log.contains(secret), "{log}");
}

/// A file that holds a secret — the SMTP password file, a systemd credential — is never read
/// into the records or shown, whatever command is given its path (directly, or through a
/// link): `submit --file` and `--data`, `import`, `check`, `calendar import`, `--holidays`
/// refuse it, say why, never print it, and record nothing.
#[test]
fn a_file_that_holds_a_secret_is_never_submitted_imported_or_shown() {
    let secret = "hunter2-口令-7f3a";
    let w = Workspace::new(&["nanyang-2017"]);
    std::fs::write(w.path().join("smtp-password"), format!("{secret}\n")).unwrap();
    let credentials = tempfile::tempdir().unwrap();
    std::fs::write(
        credentials.path().join("smtp-password"),
        format!("{secret}\n"),
    )
    .unwrap();
    std::fs::write(
        w.path().join("duban.toml"),
        "[mail]\nurl = \"smtp://127.0.0.1:9\"\nfrom = \"d@example.org\"\npassword_file = \"smtp-password\"\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("smtp-password", w.path().join("统计表.xlsx")).unwrap();
    std::os::unix::fs::symlink("smtp-password", w.path().join("received.csv")).unwrap();
    let credential = credentials.path().join("smtp-password");
    let credential = credential.to_str().unwrap();
    let submit = [
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-04",
        "--at",
        "2017-04-24T10:30",
    ];
    let with = |more: &[&'static str]| -> Vec<String> {
        submit.iter().chain(more).map(|s| s.to_string()).collect()
    };
    let mut cases: Vec<Vec<String>> = vec![
        with(&["--file", "smtp-password"]),
        with(&["--file", "统计表.xlsx"]),
        with(&["--data", "received.csv"]),
        vec!["import".into(), "received.csv".into()],
        vec!["check".into(), "smtp-password".into()],
        vec!["calendar".into(), "import".into(), "smtp-password".into()],
        vec![
            "--holidays".into(),
            "smtp-password".into(),
            "calendar".into(),
            "2017".into(),
        ],
    ];
    let mut credential_case = submit.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    credential_case.extend(["--file".to_string(), credential.to_string()]);
    cases.push(credential_case);
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = crate::common::process(w.path())
            .env("CREDENTIALS_DIRECTORY", credentials.path())
            .args(&args)
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(output.status.code(), Some(2), "{args:?}: {all}");
        assert!(all.contains("holds a secret"), "{args:?}: {all}");
        assert!(
            !all.contains(secret),
            "{args:?} printed the password: {all}"
        );
    }
    let history = w.ok(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-04",
        "--as-of",
        "2017-04-27",
    ]);
    assert!(
        !history.contains("submitted"),
        "nothing recorded: {history}"
    );
    assert!(
        !w.path().join("duban-files").exists()
            || std::fs::read_dir(w.path().join("duban-files"))
                .unwrap()
                .next()
                .is_none(),
        "no copy kept"
    );
    assert!(!w.path().join("calendars").exists(), "no notice kept");
}
