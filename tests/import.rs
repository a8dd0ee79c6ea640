//! `duban import`: a spreadsheet of received reports, all or nothing, idempotent.

use crate::common::Workspace;

#[test]
fn a_csv_of_received_reports_is_recorded_once() {
    let w = Workspace::new(&["nanyang-2017"]);
    let file = w.path().join("received.csv");
    std::fs::write(
        &file,
        "campaign,deliverable,unit,period,at,by,note\n\
         nanyang-2017,工作方案,宛城区,,2017-04-14T10:00,张三,\n\
         nanyang-2017,统计表,宛城区,2017-04,2017-04-24,\"李四\",\"含电子版, 已盖章\"\n\
         nanyang-2017,统计表,卧龙区,2017-04,2017-04-26T09:00:00+08:00,,\n",
    )
    .unwrap();
    let out = w.ok(&["import", file.to_str().unwrap(), "--as-of", "2017-04-01"]);
    assert!(out.ends_with(": 3 recorded, 0 already recorded\n"), "{out}");
    let out = w.ok(&["import", file.to_str().unwrap(), "--as-of", "2017-04-01"]);
    assert!(
        out.ends_with(": 0 recorded, 3 already recorded\n"),
        "importing again changes nothing: {out}"
    );
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-04",
    ]);
    assert_eq!(history["events"].as_array().unwrap().len(), 1);
    assert_eq!(history["events"][0]["note"], "含电子版, 已盖章");
    assert_eq!(history["events"][0]["data"]["imported"], "received.csv");
    let status = w.json(&[
        "status",
        "--as-of",
        "2017-04-27",
        "--unit",
        "卧龙区",
        "--deliverable",
        "统计表",
    ]);
    assert_eq!(status[0]["late"], 1);
}

#[test]
fn one_bad_row_imports_nothing_and_every_bad_row_is_named() {
    let w = Workspace::new(&["nanyang-2017", "gulu-2023"]);
    let file = w.path().join("received.jsonl");
    let rows = [
        r#"{"campaign": "nanyang-2017", "deliverable": "工作方案", "unit": "宛城区", "at": "2017-04-14"}"#,
        r#"{"campaign": "nanyang-2017", "deliverable": "工作方案", "unit": "宛城去", "at": "2017-04-14"}"#,
        r#"{"campaign": "nanyang-2017", "deliverable": "统计表", "unit": "卧龙区", "at": "2017-04-24"}"#,
        r#"{"campaign": "nanyang-2017", "deliverable": "统计表", "unit": "卧龙区", "period": "2017-04", "at": "someday"}"#,
        r#"not json"#,
        r#"{"campaign": "gulu-2023", "deliverable": "问题清单", "unit": "各村", "at": "2023-07-15", "signed_by": "张:村书记"}"#,
        r#"{"campaign": "nanyang-2017", "deliverable": "工作方案", "unit": "宛城区", "at": "2017-04-14"}"#,
    ];
    std::fs::write(&file, rows.join("\n")).unwrap();
    let run = w.run(&["import", file.to_str().unwrap(), "--as-of", "2017-04-01"]);
    assert_eq!(run.code, 2);
    // Rows that cannot even be read are reported first; the rest is not looked at.
    assert!(
        run.stderr
            .contains("received.jsonl:4: `someday` is not a time"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("received.jsonl:5: not JSON"),
        "{}",
        run.stderr
    );

    let readable: Vec<&str> = rows
        .iter()
        .copied()
        .filter(|r| !r.contains("someday") && *r != "not json")
        .collect();
    std::fs::write(&file, readable.join("\n")).unwrap();
    let run = w.run(&["import", file.to_str().unwrap(), "--as-of", "2017-04-01"]);
    assert_eq!(run.code, 2);
    for expected in [
        "received.jsonl:2: unknown unit `宛城去`; did you mean `宛城区`?",
        "received.jsonl:3: 统计表 recurs: the row needs a period",
        "received.jsonl:4: missing signatures: 驻村领导、经办人员",
        "received.jsonl:5: the same obligation as line 1",
        "4 bad rows in",
    ] {
        assert!(run.stderr.contains(expected), "{expected}\n{}", run.stderr);
    }
    let overdue = w.json(&[
        "overdue",
        "--as-of",
        "2017-04-18",
        "--campaign",
        "nanyang-2017",
        "--unit",
        "宛城区",
    ]);
    assert_eq!(
        overdue.as_array().unwrap().len(),
        1,
        "the good rows were not imported either"
    );
}

#[test]
fn the_readme_example_imports() {
    let readme = std::fs::read_to_string(crate::common::root().join("README.md")).unwrap();
    let csv = readme
        .split_once("```csv\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(block, _)| block)
        .expect("README.md has a csv block");
    let w = Workspace::new(&["nanyang-2017"]);
    let file = w.path().join("received.csv");
    std::fs::write(&file, csv).unwrap();
    let out = w.ok(&["import", file.to_str().unwrap(), "--as-of", "2017-06-01"]);
    assert!(out.ends_with(": 2 recorded, 0 already recorded\n"), "{out}");
}
