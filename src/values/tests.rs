use super::*;
use crate::language::form::{Compare, Term};

fn field(name: &str, kind: FieldType) -> Field {
    Field {
        name: name.into(),
        kind: kind.clone(),
        measure: Some("件".into()),
        optional: false,
        shared: None,
        min: kind.is_numeric().then_some(0.0),
        max: (kind == FieldType::Percent).then_some(100.0),
        total: None,
        feeds: Vec::new(),
    }
}

fn form() -> Form {
    let mut note = field("备注", FieldType::Text);
    note.optional = true;
    Form {
        lock: None,
        name: "统计表".into(),
        title: None,
        fields: vec![
            field("线索", FieldType::Integer),
            field("立案", FieldType::Integer),
            field("进度", FieldType::Percent),
            note,
        ],
        checks: vec![Check {
            left: vec![Term {
                minus: false,
                field: Some("立案".into()),
                number: 0.0,
            }],
            compare: Compare::AtMost,
            right: vec![Term {
                minus: false,
                field: Some("线索".into()),
                number: 0.0,
            }],
            message: "立案数不能超过线索数".into(),
            warning: false,
        }],
    }
}

fn cell(text: &str, at: &str) -> Cell {
    Cell {
        text: text.into(),
        at: at.into(),
    }
}

fn row(values: &[(&str, &str)]) -> Result<Checked, Vec<Invalid>> {
    let cells: Vec<(String, Cell)> = values
        .iter()
        .enumerate()
        .map(|(i, (n, v))| (n.to_string(), cell(v, &format!("t.csv:2:{}", i + 1))))
        .collect();
    let pairs: Vec<(&str, &Cell)> = cells.iter().map(|(n, c)| (n.as_str(), c)).collect();
    check_row(&form(), &pairs, &[], "t.csv:2")
}

#[test]
fn numbers_as_offices_write_them() {
    let f = field("线索", FieldType::Integer);
    for (text, n) in [
        ("12", 12.0),
        ("1,234", 1234.0),
        ("１２", 12.0),
        ("3件", 3.0),
        ("7.0", 7.0),
    ] {
        assert_eq!(parse(&f, text).unwrap().unwrap().number, Some(n), "{text}");
    }
    for text in ["12.5", "abc", "1e5", "-3", "NaN", "1.", ".5"] {
        assert!(parse(&f, text).is_err(), "{text}");
    }
    let p = field("进度", FieldType::Percent);
    assert_eq!(parse(&p, "12%").unwrap().unwrap().number, Some(12.0));
    assert_eq!(parse(&p, "12.5％").unwrap().unwrap().number, Some(12.5));
    assert_eq!(parse(&p, "120%").unwrap_err(), Misfit::Above { max: 100.0 });
    assert_eq!(parse(&p, "120%").unwrap_err().to_string(), "is above 100");
    assert_eq!(parse(&p, " ").unwrap(), None);
}

#[test]
fn dates_and_choices() {
    let d = field("日期", FieldType::Date);
    for text in ["2017-05-03", "2017/5/3", "2017年5月3日", "2017.5.3"] {
        assert_eq!(
            parse(&d, text).unwrap().unwrap().text.as_deref(),
            Some("2017-05-03")
        );
    }
    assert!(parse(&d, "2017-02-30").is_err());
    let c = field("完成", FieldType::OneOf(vec!["是".into(), "否".into()]));
    assert!(parse(&c, "是").unwrap().is_some());
    assert_eq!(
        parse(&c, "也许").unwrap_err().to_string(),
        "is not one of 是|否"
    );
}

#[test]
fn a_good_row_has_its_values_in_the_forms_order() {
    let checked = row(&[("立案", "2"), ("进度", "50"), ("线索", "3")]).unwrap();
    let names: Vec<&str> = checked.values.iter().map(|v| v.field.as_str()).collect();
    assert_eq!(names, ["线索", "立案", "进度"]);
}

#[test]
fn every_problem_of_a_row_is_named_by_its_cell() {
    let problems = row(&[("线索", "x"), ("立案件", "2"), ("进度", "")]).unwrap_err();
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(text.len(), 4, "{text:#?}");
    assert!(
        text[0].starts_with("t.csv:2:1: 线索: `x` is not a whole number"),
        "{}",
        text[0]
    );
    assert!(
        text[1].contains("t.csv:2:2: `立案件` is not a field of form 统计表; did you mean `立案`?")
    );
    assert!(text[2].starts_with("t.csv:2: 立案: missing"), "{}", text[2]);
    assert!(text[3].starts_with("t.csv:2:3: 进度: empty"), "{}", text[3]);
}

#[test]
fn a_check_between_fields_refuses_with_the_offices_message() {
    let problems = row(&[("线索", "3"), ("立案", "5"), ("进度", "10")]).unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "t.csv:2: 立案数不能超过线索数 (check: 立案 <= 线索)"
    );
}

#[test]
fn gbk_is_read_when_the_bytes_are_not_utf8() {
    let (bytes, _, _) = encoding_rs::GBK.encode("单位,立案\n宛城区,3\n");
    assert_eq!(
        table::decode("t.csv", &bytes, table::Encoding::Auto).unwrap(),
        "单位,立案\n宛城区,3\n"
    );
    let error = table::decode("t.csv", &bytes, table::Encoding::Utf8).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("t.csv:1: this is not UTF-8 text"),
        "{error}"
    );
    let bom = [b"\xEF\xBB\xBF".as_slice(), "立案".as_bytes()].concat();
    assert_eq!(
        table::decode("t.csv", &bom, table::Encoding::Auto).unwrap(),
        "立案"
    );
}

#[test]
fn column_letters_count_as_spreadsheets_do() {
    let letters: Vec<String> = [0, 1, 25, 26, 27, 701, 702]
        .into_iter()
        .map(table::column_letters)
        .collect();
    assert_eq!(letters, ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]);
}
