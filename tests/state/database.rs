//! The database itself: found through the configuration, foreign, newer, damaged, locked or of the first schema version.

use crate::common::Workspace;

#[test]
fn configuration_is_found_and_read() {
    let w = Workspace::new(&["gulu-2023"]);
    std::fs::create_dir(w.path().join("state")).unwrap();
    std::fs::write(
        w.path().join("duban.toml"),
        "database = \"state/office.db\"\nbusy_timeout_ms = 1000\n",
    )
    .unwrap();
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    assert!(w.path().join("state/office.db").exists());
    assert!(!w.db().exists());
    // --db overrides the configuration.
    let other = w.path().join("other.db");
    w.ok(&[
        "--db",
        other.to_str().unwrap(),
        "sync",
        "--as-of",
        "2023-06-01",
    ]);
    assert!(other.exists());
    let error = w.fails(&["--config", "missing.toml", "status"]);
    assert!(error.contains("cannot read config missing.toml"), "{error}");
    std::fs::write(w.path().join("bad.toml"), "databse = 1\n").unwrap();
    let error = w.fails(&["--config", "bad.toml", "status"]);
    assert!(error.contains("databse"), "{error}");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let w = Workspace::new(&["gulu-2023"]);
    std::fs::write(w.db(), "会议纪要，不是数据库\n").unwrap();
    let error = w.fails(&["status"]);
    assert!(error.contains("is not a duban database"), "{error}");
    assert_eq!(
        std::fs::read_to_string(w.db()).unwrap(),
        "会议纪要，不是数据库\n"
    );
    assert!(!w.path().join("duban.db-wal").exists());
}

#[test]
fn a_database_from_a_newer_duban_is_refused() {
    let w = Workspace::new(&["gulu-2023"]);
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let error = w.fails(&["status"]);
    assert!(
        error.contains("schema version 999") && error.contains("upgrade duban"),
        "{error}"
    );
}

/// A record in a state duban never writes, or a campaign in a zone nobody knows, is an error,
/// not read as something it is not.
#[test]
fn a_record_in_an_unknown_state_is_an_error_not_a_default() {
    let w = Workspace::new(&["gulu-2023"]);
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    // The schema's CHECK keeps such a row out; another tool may have written it past it.
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.pragma_update(None, "ignore_check_constraints", true)
        .unwrap();
    conn.execute(
        "UPDATE obligation_rows SET state = 'closed' WHERE id = 1",
        [],
    )
    .unwrap();
    drop(conn);
    for args in [
        &["status", "--as-of", "2023-06-01"][..],
        &["due", "--within", "30d", "--as-of", "2023-07-10"],
    ] {
        let error = w.fails(args);
        assert!(
            error.contains("cannot read back: `closed` is not a state of an obligation"),
            "{args:?}: {error}"
        );
    }
    // Nor is a zone nobody knows read as China's.
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.execute("UPDATE campaigns SET zone = 'Asia/Nowhere'", [])
        .unwrap();
    drop(conn);
    let error = w.fails(&["overdue", "--as-of", "2023-08-01"]);
    assert!(
        error.contains("`Asia/Nowhere` is not a time zone"),
        "{error}"
    );
}

#[test]
fn a_locked_database_is_waited_for_then_refused() {
    let w = Workspace::new(&["gulu-2023"]);
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    std::fs::write(w.path().join("duban.toml"), "busy_timeout_ms = 300\n").unwrap();
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let error = w
        .submit("gulu-2023", "自查自纠工作报告", "镇村建中心")
        .at("2023-07-19")
        .fails();
    assert!(
        error.contains("locked by another process (waited 300 ms)"),
        "{error}"
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(300),
        "it waited first"
    );
    conn.execute_batch("ROLLBACK").unwrap();
    w.submit("gulu-2023", "自查自纠工作报告", "镇村建中心")
        .at("2023-07-19")
        .ok();
}

/// A database written by the first schema version, checked in, opens and is upgraded in place
/// with all its records.
#[test]
fn the_first_schema_version_is_upgraded() {
    let fixture = crate::common::root().join("tests/fixtures/db/schema-v1.db");
    let w = Workspace::new(&["gulu-2023"]);
    std::fs::copy(&fixture, w.db()).unwrap();
    let version = |path: &std::path::Path| -> i64 {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(version(&fixture), 1);
    let history = w.json(&[
        "history",
        "gulu-2023",
        "问题清单",
        "各村",
        "--as-of",
        "2023-07-20",
    ]);
    assert_eq!(history["status"], "submitted_on_time");
    assert_eq!(history["events"][0]["by"], "村会计");
    assert_eq!(version(&w.db()), duban::store::schema::LATEST);
    w.submit("gulu-2023", "自查自纠工作报告", "镇村建中心")
        .at("2023-07-19")
        .ok();
}
