//! Values that do not fit their form: each a clear error naming the cell and the rule, exit 2,
//! and nothing recorded.

use super::{NANYANG_FIELDS, Office, csv, figures};

fn office() -> Office {
    Office::sqlite(&["nanyang-2017", "qianyang-2023"])
}

/// `submit nanyang-2017 统计表 宛城区 --period 2017-05 --data FILE`, which must fail.
fn refused(office: &Office, data: &str, more: &[&str]) -> String {
    let mut args = vec![
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--at",
        "2017-05-24",
        "--data",
        data,
    ];
    args.extend(more);
    let error = office.fails(&args);
    assert!(error.contains("nothing was recorded"), "{error}");
    nothing_recorded(office);
    error
}

fn nothing_recorded(office: &Office) {
    let history = office.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-30",
    ]);
    assert_eq!(history["events"].as_array().unwrap().len(), 0, "{history}");
}

#[test]
fn a_bad_cell_is_named_by_file_row_and_column_with_its_rule() {
    let office = office();
    let mut values = figures(0);
    values[3] = "三".into();
    values[5] = "-1".into();
    let data = office.file("bad.csv", csv("宛城区", &values));
    let error = refused(&office, &data, &[]);
    assert!(
        error.contains(&format!(
            "{data}:2:5: 约谈函询人数: `三` is not a whole number (the field is a whole number（人）, at least 0, required)"
        )),
        "{error}"
    );
    assert!(
        error.contains(&format!("{data}:2:7: 党纪处分人数: `-1` is below 0")),
        "{error}"
    );
}

#[test]
fn an_xlsx_cell_is_named_as_the_spreadsheet_names_it() {
    let office = office();
    let path = office.w.path().join("bad.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (i, field) in NANYANG_FIELDS.iter().enumerate() {
        sheet.write_string(0, i as u16, *field).unwrap();
        sheet.write_number(1, i as u16, 1.0).unwrap();
    }
    sheet.write_number(1, 2, 2.5).unwrap();
    book.save(&path).unwrap();
    let data = path.display().to_string();
    let error = refused(&office, &data, &[]);
    assert!(
        error.contains(&format!(
            "{data}:Sheet1!C2: 查处问题数: `2.5` is not a whole number"
        )),
        "{error}"
    );
}

#[test]
fn unknown_and_missing_columns_and_a_failed_check() {
    let office = office();
    let mut header = NANYANG_FIELDS.to_vec();
    header[0] = "中省市转办线索";
    header.pop();
    let values = figures(0)[..8].join(",");
    let data = office.file("cols.csv", format!("{}\n{values}\n", header.join(",")));
    let error = refused(&office, &data, &[]);
    assert!(
        error.contains(&format!(
            "{data}:1:1: `中省市转办线索` is not a field of form 统计表; did you mean `中省市转办线索数`?"
        )),
        "{error}"
    );
    // A complete row whose figures do not add up: the office's own message. 附件3 states no rule
    // between its columns; an office that wants one adds it to its copy of the form.
    let path = office.w.campaign("nanyang-2017");
    // The form's last field (the clue ledger's, further down, has the same line).
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "  字段 备注 文本 可选\n}",
        "  字段 备注 文本 可选\n  校验 查处问题数 <= 中省市转办线索数 + 自查自纠问题线索数 \"查处问题数不能超过问题线索数（中省市转办 + 自查自纠）\"\n}",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let mut values = figures(0);
    values[2] = "99".into();
    let data = office.file("check.csv", csv("宛城区", &values));
    let error = refused(&office, &data, &[]);
    assert!(
        error.contains(&format!(
            "{data}:2: 查处问题数不能超过问题线索数（中省市转办 + 自查自纠） (check: 查处问题数 <= 中省市转办线索数 + 自查自纠问题线索数)"
        )),
        "{error}"
    );
    let data = office.file(
        "short.csv",
        format!(
            "{}\n{}\n",
            NANYANG_FIELDS[..8].join(","),
            figures(0)[..8].join(",")
        ),
    );
    let error = refused(&office, &data, &[]);
    assert!(
        error.contains(&format!("{data}:2: 移送司法机关人数: missing")),
        "{error}"
    );
}

#[test]
fn a_row_for_a_unit_that_is_not_a_sub_unit_is_refused() {
    let office = office();
    let two = format!(
        "{}{}",
        csv("宛城区", &figures(0)),
        csv("卧龙区", &figures(1)).lines().nth(1).unwrap()
    );
    let data = office.file("two.csv", two);
    let error = refused(&office, &data, &[]);
    assert!(
        error.contains(&format!(
            "{data}:3:1: 卧龙区 is not 宛城区 nor one of its sub-units"
        )),
        "{error}"
    );
    let data = office.file("typo.csv", csv("宛城去", &figures(0)));
    let error = refused(&office, &data, &[]);
    assert!(
        error.contains("unknown unit `宛城去`; did you mean `宛城区`?"),
        "{error}"
    );
}

#[test]
fn a_gbk_file_read_as_utf8_is_refused_and_read_when_detected() {
    let office = office();
    let text = csv("宛城区", &figures(0));
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let data = office.file("gbk.csv", gbk);
    let error = office.fails(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--at",
        "2017-05-24",
        "--data",
        &data,
        "--encoding",
        "utf-8",
    ]);
    assert!(
        error.contains(&format!("{data}:1: this is not UTF-8 text")),
        "{error}"
    );
    assert!(error.contains("try --encoding gbk"), "{error}");
    nothing_recorded(&office);
    office.ok(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--at",
        "2017-05-24",
        "--data",
        &data,
    ]);
}

#[test]
fn a_percent_over_100_and_values_for_a_report_without_a_form() {
    let office = office();
    let error = office.fails(&[
        "submit",
        "qianyang-2023",
        "衔接资金支出进度",
        "县乡村振兴局",
        "--period",
        "2023-06-30",
        "--at",
        "2023-06-28",
        "--value",
        "120%",
    ]);
    assert!(
        error.contains("--value 衔接资金支出进度=120%: 衔接资金支出进度: `120%` is above 100 (the field is a percentage, 0 to 100, required)"),
        "{error}"
    );
    // The contact list (附件2) is a file; the monthly report carries 附件1's 19 columns.
    let error = office.fails(&[
        "submit",
        "qianyang-2023",
        "分管领导及联络员名单",
        "县财政局",
        "--at",
        "2023-03-30",
        "--value",
        "x=1",
    ]);
    assert!(
        error.contains("分管领导及联络员名单 has no form with fields"),
        "{error}"
    );
    let error = office.fails(&[
        "submit",
        "qianyang-2023",
        "月报告",
        "县财政局",
        "--period",
        "2023-03",
        "--at",
        "2023-04-20",
        "--value",
        "x=1",
    ]);
    assert!(
        error.contains("`x` is not a field of form 数据统计表; its fields are 是否建立机构、"),
        "{error}"
    );
    let error = office.fails(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-13",
        "--as-of",
        "2017-05-30",
    ]);
    assert!(
        error.contains("统计表 has no period `2017-13`; its periods are 2017-04"),
        "{error}"
    );
    let error = office.fails(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-05",
        "--by",
        "县去",
        "--as-of",
        "2017-05-30",
    ]);
    assert!(error.contains("unknown group `县去`"), "{error}");
}

#[test]
fn a_file_that_is_not_a_table_is_refused_and_left_as_it_was() {
    let office = office();
    let data = office.file("not.xlsx", "this is no spreadsheet");
    let before = std::fs::read(&data).unwrap();
    let error = office.fails(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--data",
        &data,
    ]);
    assert!(error.contains("not a readable .xlsx file"), "{error}");
    nothing_recorded(&office);
    assert_eq!(std::fs::read(&data).unwrap(), before);
    let data = office.file("data.txt.doc", "x");
    let error = office.fails(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--data",
        &data,
    ]);
    assert!(
        error.contains("not a table duban reads (.csv, .xlsx or .json)"),
        "{error}"
    );
}
