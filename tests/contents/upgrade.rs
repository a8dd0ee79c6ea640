//! Databases written by the released duban open and are upgraded in place, keeping every
//! record, and then take values: an SQLite file of schema version 5 and a PostgreSQL dump of
//! its schema version 1, both made by the duban of issue 10 and checked in.

use super::Office;
use crate::common::root;

fn then_values_work(office: &Office) {
    let history = office.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-04",
        "--as-of",
        "2017-05-01",
    ]);
    assert_eq!(history["status"], "submitted_on_time");
    assert_eq!(history["events"][0]["by"], "张三");
    let late = office.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "卧龙区",
        "--period",
        "2017-04",
        "--as-of",
        "2017-05-01",
    ]);
    assert_eq!(late["status"], "submitted_late");
    // The upgrade made the next sync read the campaign again: its new form is there.
    office.ok(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--at",
        "2017-05-20",
        "--value",
        "中省市转办线索数=1",
        "--value",
        "自查自纠问题线索数=1",
        "--value",
        "查处问题数=1",
        "--value",
        "约谈函询人数=0",
        "--value",
        "组织处理人数=0",
        "--value",
        "党纪处分人数=0",
        "--value",
        "政纪处分人数=0",
        "--value",
        "责任追究人数=0",
        "--value",
        "移送司法机关人数=0",
    ]);
    let rollup = office.json(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-30",
    ]);
    assert_eq!(rollup["total"]["values"]["查处问题数"], "1");
}

#[test]
fn an_sqlite_file_of_schema_version_5_is_upgraded_with_its_records() {
    let office = Office::sqlite(&["nanyang-2017", "qianyang-2023"]);
    let fixture = root().join("tests/fixtures/db/schema-v5.db");
    std::fs::copy(&fixture, office.w.db()).unwrap();
    let version = |path: &std::path::Path| -> i64 {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(version(&fixture), 5);
    then_values_work(&office);
    assert_eq!(version(&office.w.db()), duban::store::schema::LATEST);
}

#[test]
fn a_postgres_database_of_schema_version_1_is_upgraded_with_its_records() {
    let Some(url) = crate::pgserver::database() else {
        return;
    };
    let dump = std::fs::read_to_string(root().join("tests/fixtures/db/postgres-v1.sql")).unwrap();
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin.batch_execute(&dump).unwrap();
    let version = |admin: &mut postgres::Client| -> i64 {
        admin
            .query_one("SELECT version FROM public.duban_schema", &[])
            .unwrap()
            .get(0)
    };
    assert_eq!(version(&mut admin), 1);
    let office = Office::sqlite(&["nanyang-2017", "qianyang-2023"]).on(&url);
    then_values_work(&office);
    assert_eq!(version(&mut admin), duban::store::postgres::LATEST);
}

/// A database of the duban of issue 11 (宛城区's April table on time with its figures, by 张三;
/// 卧龙区's late, on 10 May) keeps its values, and then scores and bulletins.
fn then_assessments_work(office: &Office) {
    let history = office.json(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-04",
        "--as-of",
        "2017-05-15",
    ]);
    assert_eq!(history["status"], "submitted_on_time");
    assert_eq!(history["events"][0]["by"], "张三");
    let april = office.json(&[
        "rollup",
        "nanyang-2017",
        "统计表",
        "--period",
        "2017-04",
        "--as-of",
        "2017-05-30",
    ]);
    assert_eq!(april["total"]["values"]["中省市转办线索数"], "3", "{april}");
    office.ok(&[
        "interview",
        "record",
        "nanyang-2017",
        "卧龙区",
        "--at",
        "2017-05-10",
        "--reason",
        "统计表逾期",
    ]);
    let a = office.json(&[
        "assess",
        "nanyang-2017",
        "--month",
        "2017-04",
        "--as-of",
        "2017-05-30",
    ]);
    let unit = |name: &str| {
        a["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(unit("宛城区")["on_time"], 1, "{a}");
    // Sent on 10 May: at the end of April, the end of the time assessed, it was never sent.
    let table = |u: &serde_json::Value| {
        u["deliverables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["deliverable"] == "统计表")
            .unwrap()
            .clone()
    };
    assert_eq!(table(&unit("卧龙区"))["missing"], 1, "{a}");
    // Assessed to 30 May, it is late.
    let later = office.json(&[
        "assess",
        "nanyang-2017",
        "--from",
        "2017-04-01",
        "--to",
        "2017-05-30",
        "--as-of",
        "2017-05-30",
    ]);
    let wolong = later["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "卧龙区")
        .unwrap();
    assert_eq!(table(wolong)["late"], 1, "{later}");
    let b = office.json(&[
        "bulletin",
        "nanyang-2017",
        "--month",
        "2017-05",
        "--as-of",
        "2017-06-01",
    ]);
    assert_eq!(b["interviews"][0][0], "卧龙区", "{b}");
}

#[test]
fn an_sqlite_file_of_schema_version_6_is_upgraded_with_its_values() {
    let office = Office::sqlite(&["nanyang-2017", "qianyang-2023"]);
    let fixture = root().join("tests/fixtures/db/schema-v6.db");
    std::fs::copy(&fixture, office.w.db()).unwrap();
    then_assessments_work(&office);
    let version: i64 = rusqlite::Connection::open(office.w.db())
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, duban::store::schema::LATEST);
}

#[test]
fn a_postgres_database_of_schema_version_2_is_upgraded_with_its_values() {
    let Some(url) = crate::pgserver::database() else {
        return;
    };
    let dump = std::fs::read_to_string(root().join("tests/fixtures/db/postgres-v2.sql")).unwrap();
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin.batch_execute(&dump).unwrap();
    let version = |admin: &mut postgres::Client| -> i64 {
        admin
            .query_one("SELECT version FROM public.duban_schema", &[])
            .unwrap()
            .get(0)
    };
    assert_eq!(version(&mut admin), 2);
    let office = Office::sqlite(&["nanyang-2017", "qianyang-2023"]).on(&url);
    then_assessments_work(&office);
    assert_eq!(version(&mut admin), duban::store::postgres::LATEST);
}

/// The stores made by `tests/fixtures/db/v15/make.sh` with the duban that kept a deadline on
/// every obligation: 南阳's and 千阳's campaigns, 宛城区's April table on time and 卧龙区's
/// late, 卧龙区's May table extended to 6-10, the monthly table's day moved from 25 to 24 (a
/// `due_changed` event in 宛城区's April history), and a row of 整改台账 due 7-15. Upgraded,
/// they answer overdue, due and status exactly as that duban did, keep the moved deadline in
/// the history, and move a deadline again once per period.
fn then_deadlines_are_kept_apart(office: &Office) {
    let campaign = office.w.campaign("nanyang-2017");
    let text = std::fs::read_to_string(&campaign).unwrap();
    std::fs::write(
        &campaign,
        text.replace("时限 每月25日前", "时限 每月24日前"),
    )
    .unwrap();
    let expected = root().join("tests/fixtures/db/v15");
    for (campaign, late, soon) in [
        ("nanyang-2017", "2017-07-20", "2017-06-01"),
        ("qianyang-2023", "2023-09-30", "2023-06-20"),
    ] {
        for (name, args) in [
            ("overdue", vec!["overdue", "--as-of", late]),
            ("due", vec!["due", "--as-of", soon, "--within", "30d"]),
            ("status", vec!["status", "--as-of", late]),
        ] {
            let mut args = args;
            args.extend(["--campaign", campaign, "--format", "csv"]);
            let then =
                std::fs::read_to_string(expected.join(format!("{name}-{campaign}.csv"))).unwrap();
            assert_eq!(office.ok(&args), then, "{name} of {campaign}");
        }
    }
    let moves = |unit: &str| -> Vec<(String, String)> {
        let history = office.json(&[
            "history",
            "nanyang-2017",
            "统计表",
            unit,
            "--period",
            "2017-04",
            "--as-of",
            "2017-07-01",
        ]);
        history["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "due_changed")
            .map(|e| {
                let text = |k: &str| e["data"][k].as_str().unwrap().to_string();
                (text("from"), text("to"))
            })
            .collect()
    };
    let before = ("2017-04-25".to_string(), "2017-04-24".to_string());
    assert_eq!(moves("宛城区"), vec![before.clone()]);
    // Moved again after the upgrade: once for the period, shown to those with history.
    let text = std::fs::read_to_string(&campaign).unwrap();
    std::fs::write(
        &campaign,
        text.replace("时限 每月24日前", "时限 每月23日前"),
    )
    .unwrap();
    let synced = office.ok(&["sync"]);
    assert!(
        synced.contains("nanyang-2017: 0 added, 234 moved"),
        "{synced}"
    );
    let after = ("2017-04-24".to_string(), "2017-04-23".to_string());
    assert_eq!(moves("宛城区"), vec![before, after]);
    assert_eq!(moves("南召县"), Vec::new(), "no history, no move in it");
    let late = office.ok(&[
        "overdue",
        "--campaign",
        "nanyang-2017",
        "--as-of",
        "2017-06-09",
        "--format",
        "csv",
    ]);
    assert!(
        late.contains(",统计表,宛城区,2017-05,2017-05-23,"),
        "{late}"
    );
    assert!(
        !late.contains(",统计表,卧龙区,2017-05,"),
        "extended to 6-10: {late}"
    );
    let rows = office.ok(&["ledger", "show", "nanyang-2017", "整改台账"]);
    assert!(rows.contains("2017-07-15"), "{rows}");
}

#[test]
fn an_sqlite_file_of_schema_version_15_keeps_its_deadlines_apart() {
    let office = Office::sqlite(&["nanyang-2017", "qianyang-2023"]);
    std::fs::copy(
        root().join("tests/fixtures/db/schema-v15.db"),
        office.w.db(),
    )
    .unwrap();
    then_deadlines_are_kept_apart(&office);
}

#[test]
fn a_postgres_database_of_schema_version_12_keeps_its_deadlines_apart() {
    let Some(url) = crate::pgserver::database() else {
        return;
    };
    let dump = std::fs::read_to_string(root().join("tests/fixtures/db/postgres-v12.sql")).unwrap();
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin.batch_execute(&dump).unwrap();
    let office = Office::sqlite(&["nanyang-2017", "qianyang-2023"]).on(&url);
    then_deadlines_are_kept_apart(&office);
}
