//! A campaign file edited after submissions, or broken: nothing recorded is lost.

use serde_json::Value;

use super::has;
use crate::common::Workspace;

#[test]
fn editing_the_campaign_keeps_every_submission() {
    let w = Workspace::new(&["nanyang-2017"]);
    w.submit("nanyang-2017", "统计表", "宛城区")
        .period("2017-05")
        .at("2017-05-22")
        .ok();
    w.submit("nanyang-2017", "统计表", "卧龙区")
        .period("2017-05")
        .at("2017-05-23")
        .ok();

    // Move the monthly deadline to the 19th (a Friday in May) and drop 卧龙区 from the counties.
    let path = w.campaign("nanyang-2017");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text
        .replace("  时限 每月25日前\n", "  时限 每月19日前\n")
        .replace("  宛城区 卧龙区 南召县", "  宛城区 南召县");
    assert_ne!(edited, text);
    std::fs::write(&path, &edited).unwrap();
    let out = w.ok(&["sync", "--as-of", "2017-06-01"]);
    assert!(out.starts_with("nanyang-2017: 0 added, 225 moved, 12 removed; 1 no longer in the file but kept with their history: 统计表 卧龙区 2017-05"), "{out}");

    // 宛城区's submission is kept; against the new deadline it was late.
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--as-of",
        "2017-06-01",
    ]);
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["submitted", "due_changed"]);
    assert_eq!(
        history["events"][1]["data"],
        serde_json::json!({"from": "2017-05-25", "to": "2017-05-19"})
    );
    assert_eq!(history["status"], "submitted_late");

    // 卧龙区's is kept as history, and cannot be acted on.
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
    ]);
    assert_eq!(history["events"][1]["kind"], "removed");
    let error = w.fails(&[
        "return",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
        "--reason",
        "x",
    ]);
    assert!(error.contains("removed from the campaign file"), "{error}");
    assert!(!has(
        &w.json(&["overdue", "--as-of", "2017-12-31"]),
        "卧龙区",
        "统计表",
        "2017-06"
    ));

    // Put it back: restored, with everything it had.
    std::fs::write(&path, &text).unwrap();
    let out = w.ok(&["sync", "--as-of", "2017-06-01"]);
    assert!(
        out.contains("1 restored") && out.contains("12 added"),
        "{out}"
    );
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
    ]);
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["submitted", "removed", "restored"],
        "its deadline never moved: it was out of the file"
    );
    assert_eq!(
        w.ok(&["sync", "--as-of", "2017-06-01"]),
        "nanyang-2017: unchanged\n"
    );
}

#[test]
fn a_campaign_with_errors_keeps_its_last_good_version() {
    let w = Workspace::new(&["nanyang-2017"]);
    w.ok(&["sync", "--as-of", "2017-04-01"]);
    let path = w.campaign("nanyang-2017");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("报送单位 县区 市直各单位", "报送单位 县去 市直各单位"),
    )
    .unwrap();
    let run = w.run(&["sync", "--as-of", "2017-04-01"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `县区`?")
            && run.stderr.contains("keeps its last good version"),
        "{}",
        run.stderr
    );
    // Daily commands still work on the last good version, and say why the file was not read.
    // The plan was due on Saturday the 15th: late after Monday the 17th.
    let run = w.run(&["overdue", "--as-of", "2017-04-18", "--format", "json"]);
    assert_eq!(run.code, 0);
    let rows: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 26);
    assert!(run.stderr.contains("not synced"), "{}", run.stderr);
}
