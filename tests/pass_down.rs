//! 分解 by a unit for one period (`分解 到 下级` without a time), through the real binary: the
//! county passes its May table down to its townships by a day it chooses — no later than its
//! own deadline, once, only what it owes — the townships owe their part to it and are chased
//! for it, a sync of the edited campaign keeps their parts, and the county's report is made
//! from their sum; on SQLite and PostgreSQL, and from the county's page.

use crate::common::Workspace;

const CAMPAIGN: &str = "专项整治 pass-2017 \"分解\" {
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
  分解 到 下级
}
";

fn workspace(postgres: Option<&str>) -> Workspace {
    let w = Workspace::new(&[]);
    std::fs::create_dir_all(w.path().join("campaigns")).unwrap();
    std::fs::write(w.path().join("campaigns/pass-2017.campaign"), CAMPAIGN).unwrap();
    if let Some(url) = postgres {
        std::fs::write(
            w.path().join("duban.toml"),
            format!("database = \"{url}\"\n"),
        )
        .unwrap();
    }
    w.ok(&["sync", "--as-of", "2017-05-01T08:00"]);
    w
}

fn pass(w: &Workspace, unit: &str, period: &str, due: &str) -> crate::common::Run {
    pass_at(w, unit, period, due, "2017-05-10T09:00")
}

fn pass_at(w: &Workspace, unit: &str, period: &str, due: &str, at: &str) -> crate::common::Run {
    w.run(&[
        "pass-down",
        "pass-2017",
        "统计表",
        unit,
        "--period",
        period,
        "--due",
        due,
        "--at",
        at,
    ])
}

fn passing(postgres: Option<&str>) {
    let w = workspace(postgres);
    // Nothing is owed by the townships until the county passes its table down.
    let schedule = w.json(&[
        "schedule",
        w.path()
            .join("campaigns/pass-2017.campaign")
            .to_str()
            .unwrap(),
    ]);
    assert!(
        schedule
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["deliverable"] == "统计表"),
        "{schedule}"
    );
    // Not after its own deadline; not where it has nobody under it.
    let late = pass(&w, "县甲", "2017-05", "2017-05-26");
    assert_eq!(late.code, 2);
    assert!(
        late.stderr.contains("after 县甲's own deadline 2017-05-25"),
        "{}",
        late.stderr
    );
    let alone = pass(&w, "县乙", "2017-05", "2017-05-20");
    assert_eq!(alone.code, 2);
    assert!(
        alone.stderr.contains("县乙 has no unit under it"),
        "{}",
        alone.stderr
    );
    let done = pass(&w, "县甲", "2017-05", "2017-05-19");
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(
        done.stdout
            .contains("pass-2017 统计表（下级） 乡一 2017-05 — not yet due (due 2017-05-19)"),
        "{}",
        done.stdout
    );
    assert!(done.stdout.contains("乡二 2017-05"), "{}", done.stdout);
    let again = pass(&w, "县甲", "2017-05", "2017-05-19");
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("owed already"), "{}", again.stderr);
    // An edit of the campaign keeps the parts passed down.
    let file = w.path().join("campaigns/pass-2017.campaign");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("报送单位 县甲 县乙", "报送单位 县甲 县乙 县丙") + "单位 县丙\n",
    )
    .unwrap();
    let synced = w.ok(&["sync", "--as-of", "2017-05-11T08:00"]);
    assert!(synced.contains("2 added"), "{synced}");
    assert!(!synced.contains("removed"), "{synced}");
    // Owed to the county and chased: 乡二 is late after the 22nd (the 19th is a Friday).
    let overdue = w.ok(&[
        "overdue",
        "--campaign",
        "pass-2017",
        "--as-of",
        "2017-05-20T10:00",
    ]);
    assert!(overdue.contains("乡一"), "{overdue}");
    assert!(overdue.contains("乡二"), "{overdue}");
    // Nothing is sent as the county's report while none of its parts is in.
    let none = w.run(&[
        "submit",
        "pass-2017",
        "统计表",
        "县甲",
        "--period",
        "2017-05",
        "--from-parts",
        "--at",
        "2017-05-17T10:00",
    ]);
    assert_eq!(none.code, 2, "{}", none.stdout);
    assert!(none.stderr.contains("nothing to add up"), "{}", none.stderr);
    w.ok(&[
        "submit",
        "pass-2017",
        "统计表（下级）",
        "乡一",
        "--period",
        "2017-05",
        "--value",
        "查处问题数=3",
        "--at",
        "2017-05-18T10:00",
    ]);
    w.ok(&[
        "submit",
        "pass-2017",
        "统计表（下级）",
        "乡二",
        "--period",
        "2017-05",
        "--value",
        "查处问题数=2",
        "--at",
        "2017-05-19T10:00",
    ]);
    w.ok(&[
        "submit",
        "pass-2017",
        "统计表",
        "县甲",
        "--period",
        "2017-05",
        "--from-parts",
        "--at",
        "2017-05-22T10:00",
    ]);
    let history = w.json(&[
        "history",
        "pass-2017",
        "统计表",
        "县甲",
        "--period",
        "2017-05",
    ]);
    assert!(
        history
            .to_string()
            .contains(r#"{"field":"查处问题数","number":5.0}"#),
        "{history}"
    );
    let part = w.json(&[
        "history",
        "pass-2017",
        "统计表（下级）",
        "乡一",
        "--period",
        "2017-05",
    ]);
    let first = &part["events"][0];
    assert_eq!(first["kind"], "passed_down");
    assert_eq!(first["data"]["from"], "县甲");
    // Once the county has sent its June table, June is not passed down any more.
    w.ok(&[
        "submit",
        "pass-2017",
        "统计表",
        "县甲",
        "--period",
        "2017-06",
        "--value",
        "查处问题数=0",
        "--at",
        "2017-06-01T10:00",
    ]);
    let sent = pass_at(&w, "县甲", "2017-06", "2017-06-20", "2017-06-02T10:00");
    assert_eq!(sent.code, 2, "{}", sent.stdout);
    assert!(sent.stderr.contains("not owed now"), "{}", sent.stderr);
}

#[test]
fn a_county_passes_one_period_down_to_its_townships_on_sqlite() {
    passing(None);
}

#[test]
fn a_county_passes_one_period_down_to_its_townships_on_postgres() {
    if let Some(url) = crate::pgserver::database() {
        passing(Some(&url));
    }
}

/// On the county's page: 分解到下级 is offered to its liaison while its table is owed and not
/// yet passed down, and passes it with the day given; another county's liaison may not.
#[test]
fn the_countys_page_passes_its_table_down() {
    use crate::web_rights::csrf;
    use crate::webserver::{Server, encode, sign_up, token};
    let w = workspace(None);
    let add = |name: &str, unit: &str| {
        token(&w.ok(&["user", "add", name, "--unit", unit, "--role", "liaison"]))
    };
    let (own, other) = (add("甲联络员", "县甲"), add("乙联络员", "县乙"));
    let server = Server::start(&w, "2017-05-10T09:00");
    let own = sign_up(&server, &own, "甲联络员", "a long enough password");
    let other = sign_up(&server, &other, "乙联络员", "a long enough password");
    let page = format!(
        "/o/pass-2017/{}/{}/2017-05",
        encode("统计表"),
        encode("县甲")
    );
    let body = server.get(&page, &own);
    assert!(body.body.contains("分解给乡一、乡二"), "{}", body.body);
    let secret = csrf(&body);
    let bad = server.send(
        "POST",
        &format!("{page}/act"),
        &own,
        &[
            ("csrf", secret.as_str()),
            ("action", "pass_down"),
            ("until", "2017-05-30"),
        ],
    );
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("晚于本单位的截止日期"), "{}", bad.body);
    let sent = server.send(
        "POST",
        &format!("{page}/act"),
        &own,
        &[
            ("csrf", secret.as_str()),
            ("action", "pass_down"),
            ("until", "2017-05-19"),
        ],
    );
    assert_eq!(sent.status, 303, "{}", sent.body);
    let after = server.get(&page, &own).body;
    assert!(!after.contains("分解给"), "passed down once: {after}");
    assert!(after.contains("按下级报送汇总填入"), "{after}");
    let secret = crate::web_rights::secret_of(&server, &other);
    let refused = server.send(
        "POST",
        &format!(
            "/o/pass-2017/{}/{}/2017-06/act",
            encode("统计表"),
            encode("县甲")
        ),
        &other,
        &[
            ("csrf", secret.as_str()),
            ("action", "pass_down"),
            ("until", "2017-06-20"),
        ],
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    let june = w.run(&[
        "history",
        "pass-2017",
        "统计表（下级）",
        "乡一",
        "--period",
        "2017-06",
    ]);
    assert_ne!(june.code, 0, "nothing passed down for June");
    // Through the API: the county's token passes June down, and sends May from its parts.
    let county = w.ok(&["token", "create", "--role", "liaison", "--unit", "县甲"]);
    let county = county.split_whitespace().last().unwrap().to_string();
    let other = w.ok(&["token", "create", "--role", "liaison", "--unit", "县乙"]);
    let other = other.split_whitespace().last().unwrap().to_string();
    let june = r#"{"campaign":"pass-2017","deliverable":"统计表","unit":"县甲","period":"2017-06","due":"2017-06-20"}"#;
    let refused = server.api("POST", "/api/v1/pass-downs", &other, Some(june));
    assert_eq!(refused.status, 403, "{}", refused.body);
    let passed = server.api("POST", "/api/v1/pass-downs", &county, Some(june));
    assert_eq!(passed.status, 201, "{}", passed.body);
    assert!(passed.body.contains("乡二 2017-06"), "{}", passed.body);
    let again = server.api("POST", "/api/v1/pass-downs", &county, Some(june));
    assert_eq!(again.status, 409, "{}", again.body);
    for (unit, n) in [("乡一", "4"), ("乡二", "1")] {
        w.ok(&[
            "submit",
            "pass-2017",
            "统计表（下级）",
            unit,
            "--period",
            "2017-05",
            "--value",
            &format!("查处问题数={n}"),
            // At the server's own instant: what it adds up is what was in by then.
            "--at",
            "2017-05-10T09:00",
        ]);
    }
    let sent = server.api(
        "POST",
        "/api/v1/submissions",
        &county,
        Some(r#"{"campaign":"pass-2017","deliverable":"统计表","unit":"县甲","period":"2017-05","from_parts":true}"#),
    );
    assert_eq!(sent.status, 201, "{}", sent.body);
    let history = w.json(&[
        "history",
        "pass-2017",
        "统计表",
        "县甲",
        "--period",
        "2017-05",
    ]);
    assert!(
        history
            .to_string()
            .contains(r#"{"field":"查处问题数","number":5.0}"#),
        "{history}"
    );
}
