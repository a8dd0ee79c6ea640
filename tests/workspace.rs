//! Where duban works: a command that reads the records finds its workspace (`duban.toml`, or
//! `campaigns/`, here or in a folder above, or `$DUBAN_CONFIG`) or fails with exit 2 saying
//! where it looked — it never makes a database in the wrong folder and reports success. `duban
//! init` makes a workspace, and never overwrites one.

use std::path::Path;

fn duban(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = assert_cmd::Command::cargo_bin("duban")
        .unwrap()
        .current_dir(dir)
        .env_remove("DUBAN_CONFIG")
        .env_remove("DUBAN_DB")
        .env_remove("DUBAN_HOLIDAYS")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_folder_without_a_workspace_is_refused_and_left_empty() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["overdue", "--fail-if-any", "--as-of", "2017-05-27"][..],
        &["status", "--as-of", "2017-05-27"],
        &["remind", "--dry-run", "--as-of", "2017-05-27"],
        &["preview", "--from", "2017-05-01", "--to", "2017-05-31"],
    ] {
        let (code, stdout, stderr) = duban(dir.path(), args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains("no duban workspace"), "{stderr}");
        assert!(
            stderr.contains(&dir.path().display().to_string()),
            "where it looked: {stderr}"
        );
        assert!(stderr.contains("duban init"), "{stderr}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "nothing made: {left:?}");
}

#[test]
fn init_makes_a_workspace_that_is_found_from_below_and_never_overwrites_one() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = duban(dir.path(), &["init"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("duban check campaigns/"), "{stdout}");
    let (code, stdout, stderr) = duban(dir.path(), &["check", "campaigns/"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let config = std::fs::read(dir.path().join("duban.toml")).unwrap();
    std::fs::write(dir.path().join("duban.toml"), b"database = \"office.db\"\n").unwrap();
    let (code, _, stderr) = duban(dir.path(), &["init"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("exists already"), "{stderr}");
    assert_eq!(
        std::fs::read(dir.path().join("duban.toml")).unwrap(),
        b"database = \"office.db\"\n",
        "refused, and left as it was"
    );
    assert!(!config.is_empty());

    let deeper = dir.path().join("reports/2017");
    std::fs::create_dir_all(&deeper).unwrap();
    let (code, stdout, stderr) = duban(&deeper, &["status", "--as-of", "2017-04-10"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("宛城区"), "{stdout}");
    assert!(
        dir.path().join("office.db").is_file(),
        "the workspace's database"
    );
    assert!(
        std::fs::read_dir(&deeper).unwrap().next().is_none(),
        "nothing made below"
    );
}

/// The example campaign's 工作方案 deadline, as `due` in `dir` sees it in April 2017.
fn deadline(dir: &Path) -> String {
    let (code, stdout, stderr) = duban(
        dir,
        &[
            "due",
            "--as-of",
            "2017-04-01",
            "--within",
            "60d",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rows.len(), 1, "{stdout}");
    rows[0]["due_date"].as_str().unwrap().to_string()
}

/// Moves the example campaign's deadline in workspace `dir` to April `day`.
fn move_deadline(dir: &Path, day: u32) {
    let file = dir.join("campaigns/example.campaign");
    let text = std::fs::read_to_string(&file).unwrap();
    let at = text
        .find("时限：2017年4月")
        .expect("the example's deadline");
    let end = at + text[at..].find("日前").unwrap();
    let moved = format!("{}时限：2017年4月{day}{}", &text[..at], &text[end..]);
    std::fs::write(&file, moved).unwrap();
}

fn copy(from: &Path, to: &Path) {
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

fn sync(dir: &Path) {
    let (code, stdout, stderr) = duban(dir, &["sync", "--as-of", "2017-04-01"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn a_copied_or_moved_workspace_works_on_its_own_files() {
    let dir = tempfile::tempdir().unwrap();
    let office = dir.path().join("office");
    std::fs::create_dir(&office).unwrap();
    assert_eq!(duban(&office, &["init"]).0, 0);
    sync(&office);
    assert_eq!(deadline(&office), "2017-04-15");

    let copied = dir.path().join("office-copy");
    copy(&office, &copied);
    move_deadline(&copied, 20);
    sync(&copied);
    assert_eq!(
        deadline(&copied),
        "2017-04-20",
        "the copy reads its own file"
    );
    assert_eq!(
        deadline(&office),
        "2017-04-15",
        "the original keeps its own"
    );

    let moved = dir.path().join("office-moved");
    std::fs::rename(&copied, &moved).unwrap();
    move_deadline(&moved, 25);
    sync(&moved);
    assert_eq!(
        deadline(&moved),
        "2017-04-25",
        "a moved workspace reads its files"
    );
    assert_eq!(deadline(&office), "2017-04-15");
}

#[test]
fn records_that_name_files_absolutely_are_taken_over_by_a_copy() {
    let dir = tempfile::tempdir().unwrap();
    let office = dir.path().join("office");
    std::fs::create_dir(&office).unwrap();
    assert_eq!(duban(&office, &["init"]).0, 0);
    sync(&office);
    // As duban named campaign files before: absolutely, where the workspace was.
    let real = std::fs::canonicalize(&office).unwrap();
    let db = rusqlite::Connection::open(office.join("duban.db")).unwrap();
    let changed = db
        .execute(
            "UPDATE campaigns SET source = ?1 || '/' || source",
            [real.display().to_string()],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);

    let copied = dir.path().join("office-copy");
    copy(&office, &copied);
    move_deadline(&copied, 20);
    sync(&copied);
    assert_eq!(deadline(&copied), "2017-04-20");
    assert_eq!(deadline(&office), "2017-04-15");
    for place in [&office, &copied] {
        let db = rusqlite::Connection::open(place.join("duban.db")).unwrap();
        let source: String = db
            .query_row("SELECT source FROM campaigns", [], |r| r.get(0))
            .unwrap();
        assert_eq!(source, "campaigns/example.campaign", "renamed relative");
    }
}

#[test]
fn offices_sharing_a_postgresql_database_name_the_same_files_alike() {
    let Some(url) = crate::pgserver::database() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let office = dir.path().join("office");
    std::fs::create_dir(&office).unwrap();
    assert_eq!(duban(&office, &["init"]).0, 0);
    std::fs::write(office.join("duban.toml"), format!("database = \"{url}\"\n")).unwrap();
    sync(&office);
    // Another machine's workspace, elsewhere, with the same campaign files: the same records.
    let other = dir.path().join("elsewhere/office");
    std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
    copy(&office, &other);
    let (code, stdout, stderr) = duban(&other, &["sync", "--as-of", "2017-04-01"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains("added"), "nothing new: {stdout}");
    move_deadline(&other, 20);
    sync(&other);
    assert_eq!(deadline(&other), "2017-04-20");
    let mut db = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let sources: Vec<String> = db
        .query("SELECT source FROM campaigns", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(sources, ["campaigns/example.campaign"]);
}
