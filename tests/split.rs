//! 分解 到 下级 (a report split to the owers' sub-units) through the real binary: each county's
//! townships owe it their part by their own earlier day, to the county; the county's own report
//! can be made from their parts, added up (its own deadline stays its own); a county with no
//! township under it has nothing to add up. On SQLite and PostgreSQL.

use crate::common::Workspace;

const CAMPAIGN: &str = "专项整治 split-2017 \"分解\" {
  期间 2017年4月1日 至 2017年6月30日
  主办单位 市纪委
}
单位 市纪委
单位 县甲
单位 乡一 { 隶属 县甲 }
单位 乡二 { 隶属 县甲 }
单位 县乙
表单 统计表 \"统计表\" {
  字段 查处问题数 整数 件
}
报送 统计表 {
  报送单位 县甲 县乙
  接收单位 市纪委
  表单 统计表
  时限 每月25日前
  首期 2017年5月
  末期 2017年6月
  分解 到 下级 时限 每月20日前
}
";

fn split(postgres: Option<&str>) {
    let w = Workspace::new(&[]);
    std::fs::create_dir_all(w.path().join("campaigns")).unwrap();
    std::fs::write(w.path().join("campaigns/split-2017.campaign"), CAMPAIGN).unwrap();
    if let Some(url) = postgres {
        std::fs::write(
            w.path().join("duban.toml"),
            format!("database = \"{url}\"\n"),
        )
        .unwrap();
    }
    w.ok(&["sync", "--as-of", "2017-05-01T08:00"]);
    // The townships owe their part to the county by the 20th; the counties theirs by the 25th.
    let rows = w.json(&[
        "schedule",
        w.path()
            .join("campaigns/split-2017.campaign")
            .to_str()
            .unwrap(),
    ]);
    let part: Vec<(String, String, String)> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["deliverable"] == "统计表（下级）" && r["period"] == "2017-05")
        .map(|r| {
            (
                r["unit"].as_str().unwrap().to_string(),
                r["due_date"].as_str().unwrap().to_string(),
                r["to"][0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        part,
        [
            ("乡一".into(), "2017-05-20".into(), "县甲".into()),
            ("乡二".into(), "2017-05-20".into(), "县甲".into())
        ]
    );
    let submit = |unit: &str, extra: &[&str], at: &str| {
        let mut args = vec![
            "submit",
            "split-2017",
            "统计表（下级）",
            unit,
            "--period",
            "2017-05",
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--at", at]);
        w.ok(&args)
    };
    submit("乡一", &["--value", "查处问题数=2"], "2017-05-18T10:00");
    // Made from the parts in so far: the one missing is named.
    let county = |unit: &str, at: &str, replace: bool| {
        let mut args = vec![
            "submit",
            "split-2017",
            "统计表",
            unit,
            "--period",
            "2017-05",
            "--from-parts",
        ];
        if replace {
            args.push("--replace");
        }
        args.extend_from_slice(&["--at", at]);
        w.run(&args)
    };
    let early = county("县甲", "2017-05-19T09:00", false);
    assert_eq!(early.code, 0, "{}", early.stderr);
    assert!(early.stderr.contains("乡二"), "{}", early.stderr);
    submit("乡二", &["--value", "查处问题数=3"], "2017-05-19T10:00");
    let whole = county("县甲", "2017-05-19T11:00", true);
    assert_eq!(whole.code, 0, "{}", whole.stderr);
    assert!(!whole.stderr.contains("warning"), "{}", whole.stderr);
    let history = w.json(&[
        "history",
        "split-2017",
        "统计表",
        "县甲",
        "--period",
        "2017-05",
    ]);
    let last = history["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["values"][0]["field"], "查处问题数");
    assert_eq!(last["values"][0]["number"], 5.0, "{last}");
    // A county with no township has no parts.
    let none = county("县乙", "2017-05-19T12:00", false);
    assert_eq!(none.code, 2, "{}", none.stdout);
    assert!(
        none.stderr.contains("no unit under 县乙"),
        "{}",
        none.stderr
    );
    // The parts are chased as any report is: overdue the day after the 20th.
    let overdue = w.json(&[
        "overdue",
        "--campaign",
        "split-2017",
        "--as-of",
        "2017-05-21T10:00",
    ]);
    assert_eq!(
        overdue.as_array().unwrap().len(),
        0,
        "both parts came in: {overdue}"
    );
}

#[test]
fn a_report_split_to_sub_units_is_owed_by_them_and_added_up_on_sqlite() {
    split(None);
}

#[test]
fn a_report_split_to_sub_units_is_owed_by_them_and_added_up_on_postgres() {
    if let Some(url) = crate::pgserver::database() {
        split(Some(&url));
    }
}

/// On the county's page: 按下级报送汇总填入 fills its form with what its townships' parts add
/// up to, naming those not in yet; nothing is recorded until it sends the form.
#[test]
fn the_countys_page_fills_its_form_from_its_townships_parts() {
    use crate::webserver::{Server, sign_up, token};
    let w = Workspace::new(&[]);
    std::fs::create_dir_all(w.path().join("campaigns")).unwrap();
    std::fs::write(w.path().join("campaigns/split-2017.campaign"), CAMPAIGN).unwrap();
    let link = token(&w.ok(&[
        "user",
        "add",
        "甲联络员",
        "--unit",
        "县甲",
        "--role",
        "liaison",
    ]));
    w.ok(&[
        "submit",
        "split-2017",
        "统计表（下级）",
        "乡一",
        "--period",
        "2017-06",
        "--value",
        "查处问题数=4",
        "--at",
        "2017-06-18T10:00",
    ]);
    let server = Server::start(&w, "2017-06-19T10:00");
    let me = sign_up(&server, &link, "甲联络员", "a long enough password");
    let page = "/o/split-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%8E%BF%E7%94%B2/2017-06";
    let body = server.get(page, &me).body;
    assert!(body.contains("按下级报送汇总填入"), "{body}");
    assert!(body.contains("乡二尚未报送"), "{body}");
    let filled = server.get(&format!("{page}?from_parts=1"), &me).body;
    assert!(
        filled.contains("已按下级报送汇总填入（乡二尚未报送，未计入）"),
        "{filled}"
    );
    assert!(filled.contains("value=\"4\""), "{filled}");
    let history = w.json(&[
        "history",
        "split-2017",
        "统计表",
        "县甲",
        "--period",
        "2017-06",
    ]);
    assert_eq!(
        history["events"].as_array().unwrap().len(),
        0,
        "nothing recorded"
    );
}
