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
