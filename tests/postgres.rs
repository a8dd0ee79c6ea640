//! What only a shared PostgreSQL database has to get right: several processes claiming the
//! same outbox at once, a server that restarts under a connected store, a database that is
//! not duban's, a server that cannot be reached — and never a password in a message.

use duban::store::{Claim, Outbox, OutboxMail, PgStore, StoreError};

use crate::common::Workspace;
use crate::pgserver;

/// A store on a new database of the test server, with `mails` queued for one campaign.
fn with_mails(url: &str, mails: usize) -> PgStore {
    let store = PgStore::connect(url).unwrap();
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    admin
        .batch_execute(
            "INSERT INTO campaigns (key, zone, source, fingerprint, synced_at)
             VALUES ('c', 'UTC', 's', 'f', 0)",
        )
        .unwrap();
    let queued: Vec<OutboxMail> = (0..mails)
        .map(|i| OutboxMail {
            campaign_id: 1,
            recipient: format!("u{i}@example.org"),
            subject: "【催报】".into(),
            body: "…".into(),
            message_id: format!("<{i}@example.org>"),
            notices: Vec::new(),
            attachment: None,
            not_before: None,
        })
        .collect();
    // Without notices a mail would be dropped as a duplicate: write them directly.
    for m in &queued {
        admin
            .execute(
                "INSERT INTO mails (campaign_id, recipient, subject, body, message_id, next_attempt_at, created_at)
                 VALUES (1, $1, $2, $3, $4, 0, 0)",
                &[&m.recipient, &m.subject, &m.body, &m.message_id],
            )
            .unwrap();
    }
    assert_eq!(store.outbox(false).unwrap().len(), mails);
    store.last_pass().unwrap();
    store
}

#[test]
fn processes_claiming_at_once_send_each_mail_once() {
    let Some(url) = pgserver::database() else {
        return;
    };
    drop(with_mails(&url, 200));
    let senders: Vec<_> = (0..6)
        .map(|n| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut store = PgStore::connect(&url).unwrap();
                let claim = Claim {
                    owner: format!("node-{n}"),
                    at: 1_000,
                    expires_at: 2_000,
                };
                let mut sent = Vec::new();
                while let Some(mail) = store.claim_mail(1_000, &claim).unwrap() {
                    store.mark_sent(mail.id, &claim, "250 ok", 1_001).unwrap();
                    sent.push(mail.id);
                }
                sent
            })
        })
        .collect();
    let mut all: Vec<i64> = senders
        .into_iter()
        .flat_map(|s| s.join().unwrap())
        .collect();
    all.sort_unstable();
    let before = all.len();
    all.dedup();
    assert_eq!((before, all.len()), (200, 200), "each mail once, none left");
    let store = PgStore::connect(&url).unwrap();
    assert!(store.outbox(false).unwrap().is_empty());
}

#[test]
fn a_claim_that_expired_is_taken_over_and_the_slow_node_cannot_overwrite_it() {
    let Some(url) = pgserver::database() else {
        return;
    };
    let mut store = with_mails(&url, 1);
    let slow = Claim {
        owner: "slow".into(),
        at: 1_000,
        expires_at: 1_060,
    };
    let mail = store.claim_mail(1_000, &slow).unwrap().unwrap();
    let rescuer = Claim {
        owner: "rescuer".into(),
        at: 1_061,
        expires_at: 1_121,
    };
    let mut other = PgStore::connect(&url).unwrap();
    let taken = other.claim_mail(1_061, &rescuer).unwrap().unwrap();
    assert_eq!(taken.id, mail.id);
    other.mark_sent(mail.id, &rescuer, "250 ok", 1_062).unwrap();
    assert!(matches!(
        store.mark_failed(mail.id, &slow, "timeout", Some(2_000)),
        Err(StoreError::ClaimLost { .. })
    ));
    assert_eq!(store.outbox(true).unwrap()[0].state, "sent");
}

#[test]
fn a_store_connects_again_after_the_server_restarts() {
    let Some(server) = pgserver::own() else {
        return;
    };
    let url = server.database();
    let mut store = with_mails(&url, 3);
    let claim = Claim {
        owner: "a".into(),
        at: 1_000,
        expires_at: 1_060,
    };
    let first = store.claim_mail(1_000, &claim).unwrap().unwrap();
    server.restart();
    // The connection died with the server: the store notices, connects again, and goes on.
    store.mark_sent(first.id, &claim, "250 ok", 1_001).unwrap();
    let rows = store.outbox(true).unwrap();
    let sent: Vec<&str> = rows.iter().map(|m| m.state.as_str()).collect();
    assert_eq!(sent, ["sent", "pending", "pending"]);
}

#[test]
fn a_database_of_another_program_is_refused_untouched() {
    let Some(url) = pgserver::database() else {
        return;
    };
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute("CREATE TABLE payroll (id int); INSERT INTO payroll VALUES (1)")
        .unwrap();
    let error = PgStore::connect(&url).err().unwrap();
    assert!(matches!(error, StoreError::NotDuban { .. }), "{error}");
    let tables: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1, "nothing was created beside it");
}

#[test]
fn an_unreachable_server_is_named_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "postgresql://duban:s3cret-pw@/d?host={}&connect_timeout=2",
        dir.path().display()
    );
    let error = PgStore::connect(&url).err().unwrap();
    let message = error.to_string();
    assert!(matches!(error, StoreError::Unreachable { .. }), "{message}");
    assert!(message.contains("duban:***@"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
}

/// A workspace whose records are the PostgreSQL database `url` (named in its `duban.toml`).
fn on_postgres(campaigns: &[&str], url: &str) -> Workspace {
    let w = Workspace::new(campaigns);
    std::fs::write(
        w.path().join("duban.toml"),
        format!("database = \"{url}\"\n"),
    )
    .unwrap();
    w
}

/// The same week of 南阳's work, run on `w`; then what `status`, `overdue`, `due` and
/// `history` say, with the instants a run records by the real clock left out.
fn a_week_of_nanyang(w: &Workspace) -> Vec<serde_json::Value> {
    w.ok(&["sync", "--as-of", "2017-04-01"]);
    w.submit("nanyang-2017", "工作方案", "宛城区")
        .at("2017-04-14T16:00")
        .by("张三")
        .ok();
    w.submit("nanyang-2017", "工作方案", "卧龙区")
        .at("2017-04-18T09:30")
        .ok();
    w.submit("nanyang-2017", "统计表", "宛城区")
        .period("2017-04")
        .at("2017-04-24")
        .ok();
    w.ok(&[
        "extend",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
        "--until",
        "2017-06-02",
        "--reason",
        "系统故障",
        "--at",
        "2017-05-24",
    ]);
    w.ok(&[
        "waive",
        "nanyang-2017",
        "统计表",
        "南召县",
        "--period",
        "2017-05",
        "--reason",
        "并入全市统计",
        "--at",
        "2017-05-10",
    ]);
    let mut answers = vec![
        w.json(&["status", "--as-of", "2017-05-27"]),
        w.json(&["overdue", "--as-of", "2017-05-27"]),
        w.json(&["due", "--as-of", "2017-05-20", "--within", "10"]),
    ];
    for (deliverable, unit, period) in [
        ("工作方案", "卧龙区", None),
        ("统计表", "卧龙区", Some("2017-05")),
        ("统计表", "南召县", Some("2017-05")),
    ] {
        let mut args = vec!["history", "nanyang-2017", deliverable, unit];
        args.extend(period.map(|p| ["--period", p]).into_iter().flatten());
        args.extend(["--as-of", "2017-06-01"]);
        let mut history = w.json(&args);
        for event in history["events"].as_array_mut().unwrap() {
            event.as_object_mut().unwrap().remove("recorded_at");
        }
        answers.push(history);
    }
    answers
}

#[test]
fn the_command_line_answers_the_same_on_postgresql_as_on_sqlite() {
    let Some(url) = pgserver::database() else {
        return;
    };
    let on_sqlite = a_week_of_nanyang(&Workspace::new(&["nanyang-2017"]));
    let on_postgres = a_week_of_nanyang(&on_postgres(&["nanyang-2017"], &url));
    assert!(!on_sqlite[1].as_array().unwrap().is_empty());
    for (sqlite, postgres) in on_sqlite.iter().zip(&on_postgres) {
        assert_eq!(sqlite, postgres);
    }
}

#[test]
fn a_server_that_is_down_is_an_error_that_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "postgresql://duban:pw-never-shown@/d?host={}",
        dir.path().display()
    );
    let w = on_postgres(&["nanyang-2017"], &url);
    let error = w.fails(&["overdue", "--as-of", "2017-05-27"]);
    assert!(
        error.contains("cannot reach the PostgreSQL database"),
        "{error}"
    );
    assert!(!error.contains("pw-never-shown"), "{error}");
}

#[test]
fn a_sqlite_store_migrates_with_every_event_file_and_mail() {
    let Some(url) = pgserver::database() else {
        return;
    };
    let server = crate::mailserver::MailServer::start();
    let sqlite = Workspace::new(&["nanyang-2017"]);
    let mail = format!(
        "[mail]\nurl = \"{}\"\nfrom = \"督办 <duban@nanyang.example.org>\"\n",
        server.url()
    );
    std::fs::write(sqlite.path().join("duban.toml"), &mail).unwrap();
    a_week_of_nanyang(&sqlite);
    std::fs::write(sqlite.path().join("统计表.xlsx"), "五月统计").unwrap();
    sqlite
        .submit("nanyang-2017", "统计表", "宛城区")
        .period("2017-05")
        .at("2017-05-20")
        .args(&["--file", "统计表.xlsx"])
        .ok();
    sqlite.ok(&["remind", "--as-of", "2017-05-22T09:05"]);
    sqlite.ok(&[
        "interview",
        "record",
        "nanyang-2017",
        "卧龙区",
        "--at",
        "2017-05-23",
        "--reason",
        "工作方案逾期",
    ]);
    // Accounts and tokens move with their lifecycle: disabled, revoked, named.
    sqlite.ok(&[
        "user",
        "add",
        "张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]);
    sqlite.ok(&["user", "disable", "张三"]);
    sqlite.ok(&["token", "create", "--unit", "宛城区", "--role", "liaison"]);
    sqlite.ok(&["token", "create", "--role", "office", "--name", "省平台"]);
    sqlite.ok(&["token", "revoke", "省平台"]);
    let db_before = std::fs::read(sqlite.db()).unwrap();

    let report = sqlite.ok(&["migrate", "--to", &url, "--json"]);
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["verified"], true);
    assert_eq!(report["files"], 1);
    assert!(
        report["tables"]["events"].as_u64().unwrap() >= 6,
        "{report}"
    );
    assert!(report["tables"]["mails"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(report["tables"]["interviews"], 1, "{report}");
    assert_eq!(
        std::fs::read(sqlite.db()).unwrap(),
        db_before,
        "the source is only read"
    );

    let queries = [
        &["status", "--as-of", "2017-05-27"][..],
        &["overdue", "--as-of", "2017-05-27"],
        &["due", "--as-of", "2017-05-20", "--within", "10"],
        &[
            "history",
            "nanyang-2017",
            "统计表",
            "宛城区",
            "--period",
            "2017-05",
        ],
        &["history", "nanyang-2017", "工作方案", "卧龙区"],
        &["outbox", "--all"],
        &["user", "list"],
        &["token", "list"],
        &[
            "bulletin",
            "nanyang-2017",
            "--month",
            "2017-05",
            "--as-of",
            "2017-05-27",
        ],
    ];
    let on_sqlite: Vec<_> = queries.iter().map(|args| sqlite.json(args)).collect();
    // The office switches its configuration over; the answers stay the same.
    let w = sqlite;
    std::fs::write(
        w.path().join("duban.toml"),
        format!("database = \"{url}\"\n{mail}"),
    )
    .unwrap();
    for (args, before) in queries.iter().zip(&on_sqlite) {
        assert_eq!(&w.json(args), before, "{args:?}");
    }
    // The tokens' numbers go on from the copied ones.
    let made = w.ok(&["token", "create", "--unit", "宛城区", "--role", "liaison"]);
    assert!(made.contains("token 宛城区-2 "), "{made}");
    assert_eq!(w.json(&["token", "list"])[2]["id"], 3);
    std::fs::write(w.path().join("duban.toml"), &mail).unwrap();
    let again = w.fails(&["migrate", "--to", &url]);
    assert!(again.contains("already holds 1 campaign"), "{again}");
}

/// Four units, a weekly report over a year, on PostgreSQL `url`.
fn weekly_on(url: &str) -> Workspace {
    let w = on_postgres(&[], url);
    std::fs::write(
        w.path().join("campaigns/weekly.campaign"),
        "campaign weekly {\n  period 2020-01-01 .. 2020-12-31\n}\n\
         group 各单位 { 一 二 三 四 }\n\
         report 周报 {\n  from 各单位\n  due every week by friday\n}\n",
    )
    .unwrap();
    w.ok(&["sync", "--as-of", "2020-01-01"]);
    w
}

/// `duban submit weekly 周报 UNIT --period P` as a process of its own.
fn submitting(w: &Workspace, unit: &str, period: &str) -> std::process::Child {
    crate::common::process(w.path())
        .args([
            "submit",
            "weekly",
            "周报",
            unit,
            "--period",
            period,
            "--at",
            "2020-01-02",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn processes_writing_one_database_at_once_lose_and_repeat_nothing() {
    let Some(url) = pgserver::database() else {
        return;
    };
    let w = std::sync::Arc::new(weekly_on(&url));
    let periods: Vec<String> = (2..=21).map(|n| format!("2020-W{n:02}")).collect();
    // Four clerks, one per unit, each submitting twenty weeks, all at once.
    let clerks: Vec<_> = ["一", "二", "三", "四"]
        .iter()
        .map(|unit| {
            let (w, periods) = (w.clone(), periods.clone());
            let unit = unit.to_string();
            std::thread::spawn(move || {
                for p in &periods {
                    let out = submitting(&w, &unit, p).wait_with_output().unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            })
        })
        .collect();
    // Meanwhile six processes race to submit one and the same report: one wins.
    let racers: Vec<_> = (0..6).map(|_| submitting(&w, "一", "2020-W30")).collect();
    let outcomes: Vec<_> = racers
        .into_iter()
        .map(|r| r.wait_with_output().unwrap())
        .collect();
    for clerk in clerks {
        clerk.join().unwrap();
    }
    let won = outcomes.iter().filter(|o| o.status.success()).count();
    assert_eq!(won, 1, "exactly one of the racers records it");
    for lost in outcomes.iter().filter(|o| !o.status.success()) {
        let stderr = String::from_utf8_lossy(&lost.stderr);
        assert!(stderr.contains("already submitted"), "{stderr}");
    }
    let mut db = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let row = db
        .query_one(
            "SELECT count(*), count(DISTINCT obligation_id) FROM events WHERE kind = 'submitted'",
            &[],
        )
        .unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (81, 81));
}

#[test]
fn db_names_a_postgresql_database_on_the_command_line_too() {
    let Some(url) = pgserver::database() else {
        return;
    };
    let w = Workspace::new(&["nanyang-2017"]);
    let synced = w.ok(&["--db", &url, "sync", "--as-of", "2017-04-01"]);
    assert_eq!(synced, "nanyang-2017: 338 added\n");
    assert!(!w.db().exists(), "no SQLite file was made beside it");
    let overdue = w.json(&["--db", &url, "overdue", "--as-of", "2017-04-18"]);
    assert_eq!(
        overdue.as_array().unwrap().len(),
        26,
        "every unit's plan is a day late"
    );
}

/// The city's file of its 13 counties' May figures, submitted for them by 南阳市 (a unit may
/// report for the units under it), on `w`: first with a row for a county that has already sent
/// its own (refused whole: nothing of it recorded), then without it. What `status`, `rollup` and
/// two histories say afterwards, with the instants a run records by the real clock left out.
fn the_citys_file(w: &Workspace) -> (String, Vec<serde_json::Value>) {
    use crate::contents::rollup::COUNTIES;
    use crate::contents::{NANYANG_FIELDS, figures};
    w.ok(&["sync", "--as-of", "2017-05-01"]);
    let file = |name: &str, counties: &[&str]| {
        let mut text = format!("填报单位,{}\n", NANYANG_FIELDS.join(","));
        for (i, county) in counties.iter().enumerate() {
            text += &format!("{county},{}\n", figures(i).join(","));
        }
        std::fs::write(w.path().join(name), text).unwrap();
    };
    file("own.csv", &COUNTIES[..1]);
    w.submit("nanyang-2017", "统计表", "宛城区")
        .period("2017-05")
        .at("2017-05-19T10:00")
        .args(&["--data", "own.csv"])
        .ok();
    file("all.csv", &COUNTIES);
    file("rest.csv", &COUNTIES[1..]);
    let send = |name: &str| {
        w.run(&[
            "submit",
            "nanyang-2017",
            "统计表",
            "南阳市",
            "--period",
            "2017-05",
            "--at",
            "2017-05-20T10:00",
            "--data",
            name,
        ])
    };
    let refused = send("all.csv");
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    let after_refusal = w.json(&["status", "--as-of", "2017-05-21"]);
    let sent = send("rest.csv");
    assert_eq!(sent.code, 0, "{}", sent.stderr);
    assert_eq!(
        sent.stdout.matches("recorded:").count(),
        12,
        "{}",
        sent.stdout
    );
    let mut answers = vec![
        after_refusal,
        w.json(&["status", "--as-of", "2017-05-21"]),
        w.json(&[
            "rollup",
            "nanyang-2017",
            "统计表",
            "--period",
            "2017-05",
            "--as-of",
            "2017-05-21",
        ]),
    ];
    for unit in ["宛城区", "邓州市"] {
        let mut history = w.json(&[
            "history",
            "nanyang-2017",
            "统计表",
            unit,
            "--period",
            "2017-05",
            "--as-of",
            "2017-05-21",
        ]);
        for event in history["events"].as_array_mut().unwrap() {
            event.as_object_mut().unwrap().remove("recorded_at");
        }
        answers.push(history);
    }
    (refused.stderr, answers)
}

#[test]
fn a_file_of_many_units_is_recorded_whole_or_not_at_all_alike_on_both_engines() {
    let Some(url) = pgserver::database() else {
        return;
    };
    let (sqlite_refusal, on_sqlite) = the_citys_file(&Workspace::new(&["nanyang-2017"]));
    let (pg_refusal, on_postgres) = the_citys_file(&on_postgres(&["nanyang-2017"], &url));
    assert!(sqlite_refusal.contains("宛城区"), "{sqlite_refusal}");
    assert_eq!(sqlite_refusal, pg_refusal);
    // The refused file recorded nothing: one submission (宛城区's own) before and 13 after.
    let on_time = |status: &serde_json::Value| -> i64 {
        let rows = status.as_array().unwrap().iter();
        rows.filter(|r| r["deliverable"] == "统计表")
            .map(|r| r["on_time"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(on_time(&on_sqlite[0]), 1, "{:#}", on_sqlite[0]);
    assert_eq!(on_time(&on_sqlite[1]), 13, "{:#}", on_sqlite[1]);
    for (sqlite, postgres) in on_sqlite.iter().zip(&on_postgres) {
        assert_eq!(sqlite, postgres);
    }
}
