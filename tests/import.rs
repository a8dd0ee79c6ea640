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

/// The at of each obligation's first event, by unit.
fn submitted_at(w: &Workspace, unit: &str) -> String {
    let history = w.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        unit,
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-30",
    ]);
    history["events"][0]["at"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_workbook_and_a_gbk_csv_with_chinese_headers_and_excels_dates_are_read() {
    let w = Workspace::new(&["nanyang-2017"]);
    // A workbook as an office keeps it: Chinese headers, a real date cell, and a serial number
    // in a cell not formatted as a date.
    let book_path = w.path().join("收文登记.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["专项", "报送事项", "报送单位", "期次", "报送时间", "经办人"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let when = rust_xlsxwriter::ExcelDateTime::parse_from_str("2017-05-24T16:00:00").unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy/m/d h:mm");
    for (r, unit) in ["宛城区", "卧龙区"].iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, "nanyang-2017").unwrap();
        sheet.write_string(r, 1, "统计表").unwrap();
        sheet.write_string(r, 2, *unit).unwrap();
        sheet.write_string(r, 3, "2017-05").unwrap();
        sheet.write_string(r, 5, "李四").unwrap();
    }
    sheet
        .write_datetime_with_format(1, 4, &when, &format)
        .unwrap();
    // 42880.375 is 2017-05-25 09:00.
    sheet.write_number(2, 4, 42880.375).unwrap();
    book.save(&book_path).unwrap();
    let out = w.ok(&[
        "import",
        book_path.to_str().unwrap(),
        "--as-of",
        "2017年5月1日",
    ]);
    assert!(out.ends_with(": 2 recorded, 0 already recorded\n"), "{out}");
    assert_eq!(submitted_at(&w, "宛城区"), "2017-05-24T16:00:00+08:00");
    assert_eq!(submitted_at(&w, "卧龙区"), "2017-05-25T09:00:00+08:00");

    // A CSV saved by Excel on Chinese Windows: GBK, Excel's own date form.
    let text = "专项,报送事项,报送单位,期次,报送时间\r\nnanyang-2017,统计表,南召县,2017-05,2017/5/26 8:30\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let csv = w.path().join("gbk.csv");
    std::fs::write(&csv, &gbk).unwrap();
    let out = w.ok(&["import", csv.to_str().unwrap(), "--as-of", "2017/05/01"]);
    assert!(out.ends_with(": 1 recorded, 0 already recorded\n"), "{out}");
    assert_eq!(submitted_at(&w, "南召县"), "2017-05-26T08:30:00+08:00");
    // With a byte-order mark, as "CSV UTF-8" writes it.
    let csv = w.path().join("bom.csv");
    std::fs::write(
        &csv,
        "\u{feff}报送单位,报送事项,期次,报送时间,专项\nnanyang-2017 is not here,统计表,2017-05,2017年5月26日,nanyang-2017\n方城县,统计表,2017-05,2017年5月26日,nanyang-2017\n",
    )
    .unwrap();
    let err = w.fails(&["import", csv.to_str().unwrap(), "--as-of", "2017-05-01"]);
    assert!(err.contains("bom.csv:2: unknown unit"), "{err}");
    assert!(!err.contains("bom.csv:3"), "{err}");
}

#[test]
fn hundreds_of_rows_with_one_mistake_are_named_twenty_times_and_counted() {
    let w = Workspace::new(&["nanyang-2017"]);
    let mut text = String::from("campaign,deliverable,unit,period,at\n");
    for _ in 0..250 {
        text.push_str("nanyang-2017,统计表,宛城去,2017-05,2017-05-24\n");
    }
    text.push_str("nanyang-2017,统计表,宛城区,2017-13,2017-05-24\n");
    let csv = w.path().join("typo.csv");
    std::fs::write(&csv, text).unwrap();
    let err = w.fails(&["import", csv.to_str().unwrap(), "--as-of", "2017-05-01"]);
    let named = err
        .lines()
        .filter(|l| l.contains("unknown unit `宛城去`"))
        .count();
    assert_eq!(named, 21, "twenty rows and the count: {err}");
    assert!(
        err.contains("and 230 more rows with the same reason: unknown unit `宛城去`"),
        "{err}"
    );
    assert!(
        err.contains("typo.csv:252:"),
        "the other reason is named: {err}"
    );
    assert!(err.contains("251 bad rows"), "{err}");
}

#[test]
fn dates_are_read_as_offices_write_them_and_lengths_in_weeks_and_hours() {
    let w = Workspace::new(&["nanyang-2017"]);
    let written = w.ok(&["overdue", "--as-of", "2017年5月27日"]);
    assert_eq!(written, w.ok(&["overdue", "--as-of", "2017-05-27"]));
    assert_eq!(written, w.ok(&["overdue", "--as-of", "2017/05/27"]));
    let week = w.json(&["due", "--as-of", "2017-05-20", "--within", "1w"]);
    let days = w.json(&["due", "--as-of", "2017-05-20", "--within", "7d"]);
    assert_eq!(week, days);
    let mixed = w.json(&["due", "--as-of", "2017-05-22T09:00", "--within", "2d12h"]);
    let hours = w.json(&["due", "--as-of", "2017-05-22T09:00", "--within", "60h"]);
    assert_eq!(mixed, hours);
    let err = w.fails(&["due", "--within", "2x"]);
    assert!(err.contains("7d, 1w, 48h or 2d12h"), "{err}");
}
