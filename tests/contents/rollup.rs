//! The 南阳 统计表 filled in by 13 counties, in the files they send (UTF-8 and GBK CSV, .xlsx,
//! JSON, `--value`), added up to the city's table.

use super::{NANYANG_FIELDS, Office, csv, figures};

/// 南阳's 13 counties, as its campaign lists them.
pub const COUNTIES: [&str; 13] = [
    "宛城区",
    "卧龙区",
    "南召县",
    "方城县",
    "西峡县",
    "镇平县",
    "内乡县",
    "淅川县",
    "社旗县",
    "唐河县",
    "新野县",
    "桐柏县",
    "邓州市",
];

/// An .xlsx of one unit's figures, as Excel would hold them: numbers as numbers.
fn xlsx(path: &str, unit: &str, values: &[String]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "填报单位").unwrap();
    sheet.write_string(1, 0, unit).unwrap();
    for (i, (field, value)) in NANYANG_FIELDS.iter().zip(values).enumerate() {
        let column = i as u16 + 1;
        sheet.write_string(0, column, *field).unwrap();
        sheet
            .write_number(1, column, value.parse::<f64>().unwrap())
            .unwrap();
    }
    book.save(path).unwrap();
}

/// Each county sends its figures for May, each in another kind of file.
fn thirteen_counties_report(office: &Office) {
    for (i, county) in COUNTIES.iter().enumerate() {
        let values = figures(i);
        let path = match i % 4 {
            0 => office.file(&format!("{county}.csv"), csv(county, &values)),
            1 => {
                let text = csv(county, &values);
                let (gbk, _, _) = encoding_rs::GBK.encode(&text);
                office.file(&format!("{county}-gbk.csv"), gbk)
            }
            2 => {
                let path = office.w.path().join(format!("{county}.xlsx"));
                xlsx(path.to_str().unwrap(), county, &values);
                path.display().to_string()
            }
            _ => {
                let object: serde_json::Map<String, serde_json::Value> = NANYANG_FIELDS
                    .iter()
                    .zip(&values)
                    .map(|(f, v)| (f.to_string(), v.parse::<i64>().unwrap().into()))
                    .collect();
                office.file(
                    &format!("{county}.json"),
                    serde_json::to_string(&object).unwrap(),
                )
            }
        };
        office.ok(&[
            "submit",
            "nanyang-2017",
            "统计表",
            county,
            "--period",
            "2017-05",
            "--at",
            "2017-05-24",
            "--data",
            &path,
        ]);
    }
}

fn sum_of(field: usize) -> i64 {
    (0..COUNTIES.len())
        .map(|i| figures(i)[field].parse::<i64>().unwrap())
        .sum()
}

fn rolls_up_to_the_city_table(office: Office) {
    thirteen_counties_report(&office);
    let city = office.json(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-30",
        "--by",
        "县区",
    ]);
    assert_eq!(city["rows"].as_array().unwrap().len(), 13);
    assert!(
        city["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "reported")
    );
    // The group's members are all in; the 市直 units, which owe it too, are not.
    let by_group = office.json(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-30",
        "--by",
        "groups",
    ]);
    let counties = &by_group["rows"][0];
    assert_eq!(counties["name"], "县区");
    assert_eq!(
        (counties["reported"].as_u64(), counties["owed"].as_u64()),
        (Some(13), Some(13))
    );
    for (i, field) in NANYANG_FIELDS.iter().enumerate() {
        assert_eq!(counties["values"][field], sum_of(i).to_string(), "{field}");
    }
    let departments = &by_group["rows"][1];
    assert_eq!(departments["name"], "市直各单位");
    assert_eq!(departments["reported"], 0);
    assert_eq!(departments["missing"].as_array().unwrap().len(), 13);
    // The total says it is partial, and names who is missing.
    assert_eq!(by_group["total"]["reported"], 13);
    assert_eq!(by_group["total"]["owed"], 26);
    assert_eq!(by_group["total"]["missing"][0], "市委政法委");
    // By parent: the 13 counties are under 南阳市.
    let by_parent = office.json(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-30",
        "--by",
        "parent",
    ]);
    let city_row = by_parent["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "南阳市")
        .unwrap();
    assert_eq!(city_row["values"]["查处问题数"], sum_of(2).to_string());
    // The table a person reads: the document's columns, a 合计 row, and the partial warning.
    let table = office.ok(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-30",
    ]);
    assert!(
        table.starts_with("附件3 统计表 — nanyang-2017 统计表 2017-05\n"),
        "{table}"
    );
    assert!(table.contains("填报单位"), "{table}");
    let total_line = table.lines().find(|l| l.starts_with("合计")).unwrap();
    assert!(total_line.contains("13/26"), "{total_line}");
    assert!(
        table.contains("partial: 13 of 26 units reported; not yet: 市委政法委"),
        "{table}"
    );
    assert!(
        table.contains("reporting rate 50% (13 of 26), on time 50% (13)"),
        "{table}"
    );
    // CSV for a spreadsheet; exit 1 when asked whether anyone is missing.
    let csv = office.ok(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-30",
        "--format",
        "csv",
    ]);
    assert!(
        csv.starts_with("填报单位,报送情况,中省市转办线索数,"),
        "{csv}"
    );
    assert_eq!(
        office.code(&[
            "rollup",
            "nanyang-2017",
            "统计表",
            "--period",
            "2017-05",
            "--as-of",
            "2017-05-30",
            "--fail-if-incomplete",
        ]),
        1
    );
    // What was submitted is in the history, typed.
    let history = office.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-30",
    ]);
    let values = &history["events"][0]["values"];
    assert_eq!(values[0]["field"], "中省市转办线索数");
    assert_eq!(values[0]["number"], figures(1)[0].parse::<f64>().unwrap());
}

#[test]
fn the_nanyang_table_rolls_up_from_13_counties_on_sqlite() {
    rolls_up_to_the_city_table(Office::sqlite(&["nanyang-2017"]));
}

#[test]
fn the_nanyang_table_rolls_up_from_13_counties_on_postgres() {
    if let Some(office) = Office::postgres(&["nanyang-2017"]) {
        rolls_up_to_the_city_table(office);
    }
}

/// A county with townships, a form with a shared field (一表通), and a second form that asks
/// for the same figure.
const COUNTY: &str = r#"
campaign county-2024 "县乡两级报表" { period 2024-01-01 .. 2024-12-31 }
unit 县 {}
unit 甲镇 { under 县 }
unit 乙镇 { under 县 }
unit 丙镇 { under 县 }
unit 丁村 { under 甲镇 }
unit 外县 {}
group 各镇 { 甲镇 乙镇 丙镇 }
form 进度表 "附件1 进度表" {
  field 项目数 integer 个
  field 资金支出进度 percent shared
  field 完成 one-of 是|否 optional
}
form 资金表 {
  field 资金支出进度 percent shared
  field 拨付资金 amount 万元
}
report 月报 { from 各镇 丁村; to 县; form 进度表; due every month by day 25 }
report 资金 { from 各镇; to 县; form 资金表; due every month by day 28 }
"#;

fn county() -> Office {
    let office = Office::sqlite(&[]);
    std::fs::write(office.w.campaign("county-2024"), COUNTY).unwrap();
    office
}

#[test]
fn a_county_submits_one_file_with_a_row_per_township() {
    let office = county();
    let data = office.file(
        "townships.csv",
        "填报单位,项目数,资金支出进度,完成\n甲镇,3,40%,是\n乙镇,5,55,否\n丁村,1,10,\n",
    );
    let out = office.ok(&[
        "submit",
        "county-2024",
        "月报",
        "县",
        "--period",
        "2024-03",
        "--at",
        "2024-03-20",
        "--data",
        &data,
    ]);
    assert_eq!(
        out.matches("recorded: county-2024 月报").count(),
        3,
        "{out}"
    );
    assert!(out.contains("月报 丁村 2024-03"), "{out}");
    let by_level = office.json(&[
        "rollup",
        "county-2024",
        "月报",
        "--period",
        "2024-03",
        "--as-of",
        "2024-03-30",
        "--by",
        "level:2",
    ]);
    let rows = by_level["rows"].as_array().unwrap();
    let first = rows.iter().find(|r| r["name"] == "甲镇").unwrap();
    // 甲镇 and its village 丁村 add up into the township.
    assert_eq!(first["values"]["项目数"], "4");
    assert_eq!(
        (first["reported"].as_u64(), first["owed"].as_u64()),
        (Some(2), Some(2))
    );
    let third = rows.iter().find(|r| r["name"] == "丙镇").unwrap();
    assert_eq!(third["missing"][0], "丙镇");
    assert_eq!(by_level["total"]["values"]["项目数"], "9");
    // A percentage is the units' mean, not their sum: (40 + 55 + 10) / 3.
    assert_eq!(by_level["total"]["values"]["资金支出进度"], "35");
    // Text and choices are shown per unit, not added.
    let by_unit = office.json(&[
        "rollup",
        "county-2024",
        "月报",
        "--period",
        "2024-03",
        "--as-of",
        "2024-03-30",
    ]);
    assert_eq!(by_unit["rows"][0]["values"]["完成"], "是");
    assert!(by_unit["total"]["values"].get("完成").is_none());
}

#[test]
fn a_shared_figure_is_reported_once_and_reused_by_the_other_form() {
    let office = county();
    office.ok(&[
        "submit",
        "county-2024",
        "月报",
        "甲镇",
        "--period",
        "2024-03",
        "--at",
        "2024-03-20",
        "--value",
        "项目数=3",
        "--value",
        "资金支出进度=40",
    ]);
    // The 资金表 asks for the same figure: left out, it is taken from the 进度表.
    let out = office.ok(&[
        "submit",
        "county-2024",
        "资金",
        "甲镇",
        "--period",
        "2024-03",
        "--at",
        "2024-03-21",
        "--value",
        "拨付资金=12.5",
    ]);
    assert!(out.contains("reused: 甲镇 资金支出进度"), "{out}");
    let rollup = office.json(&[
        "rollup",
        "county-2024",
        "资金",
        "--period",
        "2024-03",
        "--as-of",
        "2024-03-30",
    ]);
    assert_eq!(rollup["rows"][0]["values"]["资金支出进度"], "40");
    assert_eq!(rollup["rows"][0]["reused"], 1);
    assert_eq!(rollup["total"]["reused"], 1);
    let table = office.ok(&[
        "rollup",
        "county-2024",
        "资金",
        "--period",
        "2024-03",
        "--as-of",
        "2024-03-30",
    ]);
    assert!(
        table.contains("1 figure(s) reused from other forms (一表通)"),
        "{table}"
    );
    let history = office.ok(&[
        "history",
        "county-2024",
        "资金",
        "甲镇",
        "--period",
        "2024-03",
        "--as-of",
        "2024-03-30",
    ]);
    assert!(history.contains("资金支出进度 40 (reused)"), "{history}");
    // Without an earlier figure there is nothing to reuse: the field is missing.
    let error = office.fails(&[
        "submit",
        "county-2024",
        "资金",
        "乙镇",
        "--period",
        "2024-03",
        "--at",
        "2024-03-21",
        "--value",
        "拨付资金=3",
    ]);
    assert!(error.contains("资金支出进度: missing"), "{error}");
}

#[test]
fn a_form_changed_after_submissions_keeps_the_old_values_and_says_which_no_longer_fit() {
    let office = county();
    office.ok(&[
        "submit",
        "county-2024",
        "月报",
        "甲镇",
        "--period",
        "2024-03",
        "--at",
        "2024-03-20",
        "--value",
        "项目数=30",
        "--value",
        "资金支出进度=40",
    ]);
    let changed = COUNTY
        .replace("field 项目数 integer 个", "field 项目数 integer 个 max 10")
        .replace(
            "  field 完成 one-of 是|否 optional\n",
            "  field 完成 one-of 是|否 optional\n  field 新项目 integer optional\n",
        )
        .replace(
            "  field 资金支出进度 percent shared\n  field 完成",
            "  field 完成",
        );
    std::fs::write(office.w.campaign("county-2024"), changed).unwrap();
    let run = office.w.run(&[
        "rollup",
        "county-2024",
        "月报",
        "--period",
        "2024-03",
        "--as-of",
        "2024-03-30",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rollup: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        rollup["rows"][0]["values"]["项目数"], "30",
        "kept as recorded"
    );
    assert!(rollup["rows"][0]["values"].get("资金支出进度").is_none());
    let unfit = rollup["unfit"].as_array().unwrap();
    assert!(
        unfit.iter().any(|u| u
            .as_str()
            .unwrap()
            .contains("资金支出进度 is no longer a field")),
        "{unfit:?}"
    );
    assert!(
        unfit
            .iter()
            .any(|u| u.as_str().unwrap().contains("项目数 = 30 is above 10 now")),
        "{unfit:?}"
    );
    assert!(
        run.stderr
            .contains("note: 甲镇: 项目数 = 30 is above 10 now"),
        "{}",
        run.stderr
    );
}

/// The sheet XML of an .xlsx (read with Python's zipfile: the workbook is a zip).
fn sheet_xml(path: &std::path::Path) -> String {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('xl/worksheets/sheet1.xml').decode())",
        ])
        .arg(path)
        .output()
        .expect("python3 reads the workbook");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_blank_form_filled_in_and_sent_back_is_a_submission() {
    use calamine::Reader as _;
    let office = Office::sqlite(&["nanyang-2017"]);
    let blank = office.w.path().join("附件3.xlsx");
    let out = office.ok(&[
        "template",
        "nanyang-2017",
        "统计表",
        "--unit",
        "南阳市",
        "-o",
        blank.to_str().unwrap(),
        "--as-of",
        "2017-05-01",
    ]);
    assert!(out.contains("11 fields, 13 units"), "{out}");
    // Excel checks each column as the form does: whole numbers from 0; one-of lists.
    let xml = sheet_xml(&blank);
    assert!(xml.contains("<dataValidation type=\"whole\""), "{xml}");
    assert!(xml.contains("<formula1>0</formula1>"), "{xml}");
    // What Excel tells the clerk about each column is the pages' Chinese, naming no flag.
    let told: Vec<&str> = ["promptTitle=\"", "prompt=\"", "errorTitle=\"", "error=\""]
        .iter()
        .flat_map(|attribute| xml.split(attribute).skip(1))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(told.contains(&"整数（件），不小于0，必填"), "{told:?}");
    let english: Vec<&&str> = told
        .iter()
        .filter(|t| {
            t.contains("--")
                || t.split(|c: char| !c.is_ascii_alphabetic())
                    .any(|w| w.len() >= 2)
        })
        .collect();
    assert!(english.is_empty(), "{english:?}");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&blank).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][0], "填报单位");
    assert_eq!(rows[0][1..10], NANYANG_FIELDS.map(String::from));
    let units: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(units, COUNTIES);
    // Filled in as a county would: its own row, the other counties' rows left blank and
    // removed — then sent back.
    let filled = office.w.path().join("宛城区.xlsx");
    let mut copy = rust_xlsxwriter::Workbook::new();
    let sheet = copy.add_worksheet();
    for (c, name) in rows[0].iter().enumerate() {
        sheet.write_string(0, c as u16, name).unwrap();
    }
    sheet.write_string(1, 0, "宛城区").unwrap();
    for (c, value) in figures(0).iter().enumerate() {
        sheet
            .write_number(1, c as u16 + 1, value.parse::<f64>().unwrap())
            .unwrap();
    }
    copy.save(&filled).unwrap();
    office.ok(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "南阳市",
        "--period",
        "2017-05",
        "--at",
        "2017-05-24",
        "--data",
        filled.to_str().unwrap(),
    ]);
    let rollup = office.json(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-30",
        "--by",
        "parent",
    ]);
    let city = rollup["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "南阳市")
        .unwrap();
    assert_eq!(city["values"]["中省市转办线索数"], figures(0)[0]);
    assert_eq!(
        (city["reported"].as_u64(), city["owed"].as_u64()),
        (Some(1), Some(13))
    );
    // The roll-up as a workbook: numbers as numbers.
    let table = office.w.path().join("汇总.xlsx");
    office.ok(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-30",
        "--format",
        "xlsx",
        "-o",
        table.to_str().unwrap(),
    ]);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&table).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.get((1, 0)).unwrap().to_string(), "宛城区");
    assert_eq!(
        range.get((1, 2)),
        Some(&calamine::Data::Float(figures(0)[0].parse().unwrap()))
    );
    let error = office.fails(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-05",
        "--format",
        "xlsx",
    ]);
    assert!(error.contains("give it with -o FILE.xlsx"), "{error}");
}

/// `duban import` reads the same data columns as `submit --data`: each row's figures checked
/// against its report's form, the file recorded whole or not at all.
fn imports_figures(office: Office) {
    let header = format!(
        "campaign,deliverable,unit,period,at,{}",
        NANYANG_FIELDS.join(",")
    );
    let line = |unit: &str, i: usize| {
        format!(
            "nanyang-2017,统计表,{unit},2017-05,2017-05-24,{}",
            figures(i).join(",")
        )
    };
    let mut bad = figures(1);
    bad[2] = "很多".into();
    let file = office.file(
        "received.csv",
        format!(
            "{header}\n{}\nnanyang-2017,统计表,卧龙区,2017-05,2017-05-24,{}\n",
            line("宛城区", 0),
            bad.join(",")
        ),
    );
    let error = office.fails(&["import", &file]);
    assert!(
        error.contains("3: column `查处问题数`: 查处问题数: `很多` is not a whole number"),
        "{error}"
    );
    let rollup = office.json(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-30",
    ]);
    assert_eq!(rollup["total"]["reported"], 0, "nothing was imported");
    let file = office.file(
        "received.csv",
        format!("{header}\n{}\n{}\n", line("宛城区", 0), line("卧龙区", 1)),
    );
    office.ok(&["import", &file]);
    office.ok(&["import", &file]);
    let rollup = office.json(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-30",
    ]);
    assert_eq!(rollup["total"]["reported"], 2);
    let both = figures(0)[2].parse::<i64>().unwrap() + figures(1)[2].parse::<i64>().unwrap();
    assert_eq!(rollup["total"]["values"]["查处问题数"], both.to_string());
    // A column for a report without a form is refused; a misspelt known column is named.
    let file = office.file(
        "plan.csv",
        "campaign,deliverable,unit,at,立案\nnanyang-2017,工作方案,宛城区,2017-04-10,3\n",
    );
    let error = office.fails(&["import", &file]);
    assert!(
        error.contains("工作方案 has no form with fields, so the columns 立案 mean nothing for it"),
        "{error}"
    );
    let file = office.file("typo.csv", "campaign,deliverable,unit,at,nte\n");
    let error = office.fails(&["import", &file]);
    assert!(
        error.contains("unknown column `nte`; did you mean `note`?"),
        "{error}"
    );
}

#[test]
fn an_import_reads_the_figures_columns_on_sqlite() {
    imports_figures(Office::sqlite(&["nanyang-2017"]));
}

#[test]
fn an_import_reads_the_figures_columns_on_postgres() {
    if let Some(office) = Office::postgres(&["nanyang-2017"]) {
        imports_figures(office);
    }
}

/// Two townships under a county: how each field adds up as it says (DHIS2's aggregation type),
/// and the on-time rate beside the reporting rate.
const TOWNSHIPS: &str = r#"
campaign towns-2023 "乡镇统计" { period 2023-01-01 .. 2023-12-31; office 县 }
unit 县 { email "county@example.org" }
unit 甲镇 { under 县; email "a@example.org" }
unit 乙镇 { under 县; email "b@example.org" }
unit 丙镇 { under 县; email "c@example.org" }
form 乡镇表 {
  field 问题数 integer 件
  field 人均 decimal total average
  field 排名 integer total none
  field 整改率 percent 汇总 求和
}
report 月报 { from 甲镇、乙镇、丙镇; to 县; form 乡镇表; due 2023-05-10 }
"#;

fn townships_add_up_as_their_fields_say(office: Office) {
    std::fs::write(office.w.campaign("towns-2023"), TOWNSHIPS).unwrap();
    for (town, values, at) in [
        ("甲镇", ["3", "2", "1", "40"], "2023-05-08"),
        ("乙镇", ["5", "4", "2", "30"], "2023-05-15"),
    ] {
        let mut args = vec!["submit", "towns-2023", "月报", town, "--at", at];
        let pairs: Vec<String> = ["问题数", "人均", "排名", "整改率"]
            .iter()
            .zip(values)
            .map(|(f, v)| format!("{f}={v}"))
            .collect();
        for pair in &pairs {
            args.extend(["--value", pair]);
        }
        office.ok(&args);
    }
    let county = office.json(&["rollup", "towns-2023", "月报", "--by", "parent"]);
    let row = &county["rows"][0];
    assert_eq!(row["name"], "县", "{county}");
    assert_eq!(row["values"]["问题数"], "8", "counts add: {county}");
    assert_eq!(row["values"]["人均"], "3", "averages average: {county}");
    assert_eq!(
        row["values"]["整改率"], "70",
        "as the form says, summed: {county}"
    );
    assert!(
        row["values"].get("排名").is_none(),
        "a rank does not add up: {county}"
    );
    assert_eq!(
        (row["reported"].as_u64(), row["on_time"].as_u64()),
        (Some(2), Some(1))
    );
    let by_unit = office.json(&["rollup", "towns-2023", "月报"]);
    assert_eq!(
        by_unit["rows"][1]["values"]["排名"], "2",
        "a unit's own figure shows"
    );
    let table = office.ok(&["rollup", "towns-2023", "月报"]);
    assert!(
        table.contains("reporting rate 66.7% (2 of 3), on time 33.3% (1)"),
        "{table}"
    );
}

#[test]
fn townships_add_up_as_their_fields_say_on_sqlite() {
    townships_add_up_as_their_fields_say(Office::sqlite(&[]));
}

#[test]
fn townships_add_up_as_their_fields_say_on_postgres() {
    if let Some(office) = Office::postgres(&[]) {
        townships_add_up_as_their_fields_say(office);
    }
}

/// A form that locks 10 days after its deadline takes nothing later, until the office extends.
fn entry_locks_after_the_deadline(office: Office) {
    let text = TOWNSHIPS.replace("form 乡镇表 {", "form 乡镇表 {\n  锁定 截止后10日");
    std::fs::write(office.w.campaign("towns-2023"), text).unwrap();
    let late = |town: &str, at: &str| {
        vec![
            "submit".to_string(),
            "towns-2023".into(),
            "月报".into(),
            town.into(),
            "--at".into(),
            at.into(),
            "--value".into(),
            "问题数=1".into(),
            "--value".into(),
            "人均=1".into(),
            "--value".into(),
            "排名=1".into(),
            "--value".into(),
            "整改率=1".into(),
        ]
    };
    // Due 10 May: the 20th is the last day entry is open.
    office.ok(&args(&late("甲镇", "2023-05-20T23:00")));
    let error = office.fails(&args(&late("乙镇", "2023-05-21T08:00")));
    assert!(
        error.contains("月报 乙镇: entry closed after 2023-05-20 (its deadline was 2023-05-10)"),
        "{error}"
    );
    assert!(error.contains("entry closed after 2023-05-20"), "{error}");
    assert!(error.contains("duban extend"), "{error}");
    let history = office.ok(&["history", "towns-2023", "月报", "乙镇"]);
    assert!(
        !history.contains("submitted"),
        "nothing recorded: {history}"
    );
    office.ok(&[
        "extend",
        "towns-2023",
        "月报",
        "乙镇",
        "--until",
        "2023-05-31",
        "--reason",
        "防汛",
        "--at",
        "2023-05-21T09:00",
    ]);
    office.ok(&args(&late("乙镇", "2023-05-21T10:00")));
    // A file without figures is entry too.
    let error = office.fails(&["submit", "towns-2023", "月报", "丙镇", "--at", "2023-06-01"]);
    assert!(error.contains("entry closed after 2023-05-20"), "{error}");
}

#[test]
fn entry_locks_after_the_deadline_on_sqlite() {
    entry_locks_after_the_deadline(Office::sqlite(&[]));
}

#[test]
fn entry_locks_after_the_deadline_on_postgres() {
    if let Some(office) = Office::postgres(&[]) {
        entry_locks_after_the_deadline(office);
    }
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}
