//! `--format`: every value a command offers does what it says, or is refused with exit 2 and
//! a message — never another format printed instead (issue 14: `preview --format csv` printed
//! JSON, `history --format csv` a table).

use crate::common::Workspace;

/// What a run printed, judged by its format.
fn judge(format: &str, code: i32, stdout: &str, stderr: &str, file: &std::path::Path) -> String {
    let first = stdout.lines().next().unwrap_or("");
    let is_json = serde_json::from_str::<serde_json::Value>(stdout).is_ok();
    match (code, format) {
        (2, _) if stderr.starts_with("error:") && stdout.is_empty() => "refused".into(),
        (0, "json") if is_json => "json".into(),
        (0, "csv") if !is_json && first.contains(',') && !first.starts_with(['{', '[']) => {
            "csv".into()
        }
        (0, "table") if !is_json && !first.contains(',') => "table".into(),
        (0, "xlsx") if std::fs::read(file).is_ok_and(|b| b.starts_with(b"PK")) => "xlsx".into(),
        _ => format!(
            "WRONG (exit {code}): {}{}",
            &first.chars().take(80).collect::<String>(),
            stderr
        ),
    }
}

#[test]
fn every_format_value_works_or_is_refused() {
    let w = Workspace::new(&["nanyang-2017", "gulu-2023"]);
    w.ok(&["sync", "--as-of", "2017-05-27"]);
    w.submit("nanyang-2017", "工作方案", "宛城区")
        .at("2017-04-12")
        .ok();
    let nanyang = w.campaign("nanyang-2017");
    let nanyang = nanyang.to_str().unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["status", "--as-of", "2017-05-27"],
        vec!["overdue", "--as-of", "2017-05-27"],
        vec!["due", "--as-of", "2017-05-20"],
        vec![
            "history",
            "nanyang-2017",
            "工作方案",
            "宛城区",
            "--as-of",
            "2017-05-27",
        ],
        vec!["preview", "--from", "2017-05-20", "--to", "2017-05-26"],
        vec!["outbox", "--all"],
        vec!["phases", nanyang],
        vec!["schedule", nanyang],
        vec!["calendar", "2017"],
        vec![
            "rollup",
            "nanyang-2017",
            "统计表",
            "--period",
            "2017-05",
            "--as-of",
            "2017-05-27",
        ],
        vec!["assess", "nanyang-2017", "--as-of", "2017-05-27"],
        vec!["targets", "--as-of", "2023-07-20"],
        vec![
            "ledger",
            "show",
            "gulu-2023",
            "问题台账",
            "--as-of",
            "2023-07-20",
        ],
    ];
    let mut wrong = Vec::new();
    let mut refused = Vec::new();
    for command in &commands {
        for format in ["table", "json", "csv", "xlsx", "yaml"] {
            let file = w.path().join(format!("out-{}.{format}", command[0]));
            let mut args = command.clone();
            args.extend(["--format", format]);
            let file_arg = file.to_str().unwrap();
            if format == "xlsx" {
                args.extend(["-o", file_arg]);
            }
            let run = w.run(&args);
            let verdict = judge(format, run.code, &run.stdout, &run.stderr, &file);
            if verdict == "refused" {
                refused.push(format!("{} {format}", command[0]));
            } else if verdict != format {
                wrong.push(format!("{args:?}: {verdict}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The formats a command does not offer are refused, and only those.
    for refusal in &refused {
        assert!(
            refusal.ends_with("yaml")
                || ["phases xlsx", "calendar csv", "calendar xlsx"].contains(&refusal.as_str()),
            "refused: {refused:?}"
        );
    }
}

/// One vocabulary (docs/json.md): every status is one of the documented words, a listing is an
/// array, an object carries the version; `check --format json` gives cargo-like diagnostics.
#[test]
fn json_speaks_one_vocabulary_with_a_version() {
    let doc = std::fs::read_to_string(crate::common::root().join("docs/json.md")).unwrap();
    assert!(doc.contains("**version 2**"));
    let words = [
        "not_yet_due",
        "due_soon",
        "extended",
        "overdue",
        "returned",
        "under_review",
        "submitted_on_time",
        "submitted_late",
        "waived",
    ];
    for word in words {
        assert!(doc.contains(&format!("`{word}`")), "{word} is documented");
    }
    let w = Workspace::new(&["nanyang-2017"]);
    w.ok(&["sync", "--as-of", "2017-05-20"]);
    w.submit("nanyang-2017", "统计表", "宛城区")
        .period("2017-05")
        .at("2017-05-19")
        .ok();
    let statuses = |value: &serde_json::Value| -> Vec<String> {
        value
            .as_array()
            .expect("a listing is an array")
            .iter()
            .map(|r| r["status"].as_str().unwrap().to_string())
            .collect()
    };
    // Two days before the May tables are due: the others' are due soon.
    let due = w.json(&["due", "--as-of", "2017-05-23", "--within", "30d"]);
    let overdue = w.json(&["overdue", "--as-of", "2017-06-10"]);
    for status in statuses(&due).iter().chain(&statuses(&overdue)) {
        assert!(words.contains(&status.as_str()), "{status}");
    }
    assert!(statuses(&due).contains(&"due_soon".to_string()));
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-27",
    ]);
    assert_eq!(history["version"], 2);
    assert_eq!(history["status"], "submitted_on_time");
    let rollup = w.json(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-30",
    ]);
    assert_eq!(rollup["version"], 2);
    for row in rollup["rows"].as_array().unwrap() {
        let status = row["status"].as_str().unwrap();
        assert!(!status.contains(' '), "{status}");
    }

    let run = crate::common::duban(&[
        "check",
        "tests/fixtures/reject/unknown-unit.campaign",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 2);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["reason"], "diagnostic");
    assert_eq!(
        (
            &lines[0]["line"],
            &lines[0]["column"],
            &lines[0]["severity"]
        ),
        (&9.into(), &12.into(), &"error".into())
    );
    assert_eq!(lines[0]["help"], "did you mean `卧龙区`?");
    assert_eq!(lines.last().unwrap()["reason"], "checked");
    assert!(
        run.stderr.is_empty(),
        "no human rendering beside: {}",
        run.stderr
    );
}

#[test]
fn tables_are_headed_in_chinese_on_asking_or_by_the_workspace() {
    let w = Workspace::new(&["nanyang-2017"]);
    w.ok(&["sync", "--as-of", "2017-05-27"]);
    let english = w.ok(&["overdue", "--as-of", "2017-05-27"]);
    assert!(english.starts_with("unit"), "{english}");
    let chinese = w.ok(&["overdue", "--as-of", "2017-05-27", "--lang", "zh"]);
    let head = chinese.lines().next().unwrap();
    for column in ["报送事项", "单位", "期次", "截止", "逾期天数", "联系人"] {
        assert!(head.contains(column), "{head}");
    }
    // The workspace's setting, and the flag over it.
    std::fs::write(w.path().join("duban.toml"), "lang = \"zh\"\n").unwrap();
    let set = w.ok(&["schedule", "campaigns/nanyang-2017.campaign"]);
    assert!(set.lines().next().unwrap().contains("接收单位"), "{set}");
    let flag = w.ok(&[
        "schedule",
        "campaigns/nanyang-2017.campaign",
        "--lang",
        "en",
    ]);
    assert!(flag.starts_with("due"), "{flag}");
    // CSV keeps its keys, for programs.
    let csv = w.ok(&["overdue", "--as-of", "2017-05-27", "--format", "csv"]);
    assert!(csv.starts_with("campaign,"), "{csv}");
    // A language duban does not have is refused, with the ones it has.
    std::fs::write(w.path().join("duban.toml"), "lang = \"fr\"\n").unwrap();
    let refused = w.fails(&["overdue", "--as-of", "2017-05-27"]);
    assert!(
        refused.contains("en") && refused.contains("zh"),
        "{refused}"
    );
}
