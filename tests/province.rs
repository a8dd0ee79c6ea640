//! Accounts that belong to directory units, through the real binary and the pages, on SQLite
//! and PostgreSQL: a province with two cities, each with a county named 东城区. An account of
//! one 东城区 acts in the campaigns that have that 东城区 — those of later too — and never in
//! the other city's; a city's office sees the campaigns bound to its city; the province's
//! supervisor sees both cities'; a campaign that declares a 东城区 of its own is no one's here.

use crate::common::Workspace;
use crate::organisation::office;
use crate::webserver::{Server, encode, sign_up, token};

const DIRECTORY: &str = "单位编码,单位名称,上级单位,层级,邮箱
P,示例省,,省,sheng@example.gov.cn
A,甲市,P,市,jia@example.gov.cn
A-DC,东城区,A,县,dc-a@example.gov.cn
A-XC,西城区,A,县,xc-a@example.gov.cn
B,乙市,P,市,yi@example.gov.cn
B-DC,东城区,B,县,dc-b@example.gov.cn
";

/// A city's campaign over its counties, bound to the city in the directory.
fn city_campaign(key: &str, title: &str, city: &str) -> String {
    format!(
        "专项整治 {key} \"{title}\" {{
  期间 2023年5月1日 至 2023年11月15日
  主办单位 {city}
  通讯录 {city}
}}
单位 {city} {{}}
分组 各县区 隶属 {city} 通讯录 {city} 层级 县
报送 月报 \"工作情况\" {{
  报送单位 各县区
  接收单位 {city}
  时限 2023年7月18日前
}}
"
    )
}

fn accounts(w: &Workspace) -> serde_json::Value {
    w.json(&["user", "list"])
}

fn campaigns_of(users: &serde_json::Value, name: &str) -> serde_json::Value {
    let user = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {users:#}"));
    user["campaigns"].clone()
}

fn province(postgres: bool) {
    let Some(w) = office(postgres) else { return };
    std::fs::write(w.path().join("通讯录.csv"), DIRECTORY).unwrap();
    w.ok(&["units", "import", "通讯录.csv"]);
    std::fs::create_dir_all(w.path().join("campaigns")).unwrap();

    // Before any campaign: a name the directory has twice must be given by its code.
    let twice = w.run(&[
        "user",
        "add",
        "李东",
        "--unit",
        "东城区",
        "--role",
        "liaison",
    ]);
    assert_eq!(twice.code, 2, "{}", twice.stdout);
    assert!(
        twice.stderr.contains("A-DC") && twice.stderr.contains("B-DC"),
        "{}",
        twice.stderr
    );
    let unknown = w.run(&[
        "user",
        "add",
        "李东",
        "--unit",
        "东城县",
        "--role",
        "liaison",
    ]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("东城区"), "{}", unknown.stderr);
    let early_token = w.run(&["token", "create", "--unit", "A-DC", "--role", "liaison"]);
    assert_eq!(early_token.code, 2, "{}", early_token.stdout);
    assert!(
        early_token.stderr.contains("in no campaign yet"),
        "{}",
        early_token.stderr
    );
    let mut links = Vec::new();
    for (name, unit, role) in [
        ("李东", "A-DC", "liaison"),
        ("省督查", "示例省", "supervisor"),
        ("甲办", "甲市", "office"),
        ("乙办", "乙市", "office"),
    ] {
        links.push(token(
            &w.ok(&["user", "add", name, "--unit", unit, "--role", role]),
        ));
    }
    let users = accounts(&w);
    let li = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "李东");
    assert_eq!(
        li.unwrap()["unit"],
        "东城区",
        "the directory's name: {users:#}"
    );
    assert_eq!(li.unwrap()["unit_code"], "A-DC", "{users:#}");
    for name in ["李东", "省督查", "甲办", "乙办"] {
        assert_eq!(campaigns_of(&users, name), serde_json::json!([]), "{name}");
    }

    // The cities' campaigns come, and one that declares a 东城区 of its own.
    let write = |file: &str, text: &str| {
        std::fs::write(w.path().join("campaigns").join(file), text).unwrap();
    };
    write(
        "jia.campaign",
        &city_campaign("jia-2023", "甲市专项整治", "甲市"),
    );
    write(
        "yi.campaign",
        &city_campaign("yi-2023", "乙市专项整治", "乙市"),
    );
    write(
        "other.campaign",
        "专项整治 other \"另一项\" {\n  期间 2023年5月1日 至 2023年11月15日\n}\n单位 东城区 {}\n报送 台账 \"台账\" {\n  报送单位 东城区\n  时限 2023年7月18日前\n}\n",
    );
    w.ok(&["sync", "--as-of", "2023-06-01"]);
    let users = accounts(&w);
    let expected = [
        ("李东", serde_json::json!(["jia-2023"])),
        ("省督查", serde_json::json!(["jia-2023", "yi-2023"])),
        ("甲办", serde_json::json!(["jia-2023"])),
        ("乙办", serde_json::json!(["yi-2023"])),
    ];
    for (name, campaigns) in &expected {
        assert_eq!(campaigns_of(&users, name), *campaigns, "{name}: {users:#}");
    }
    let made = w.ok(&["token", "create", "--unit", "A-DC", "--role", "liaison"]);
    assert!(
        made.contains("created token 东城区-1 (liaison for 东城区)"),
        "{made}"
    );
    let tokens = w.json(&["token", "list"]);
    assert_eq!(
        tokens[0]["campaigns"],
        serde_json::json!(["jia-2023"]),
        "{tokens:#}"
    );

    // The pages: each sees its own part of the province.
    let server = Server::start(&w, "2023-07-20");
    let mut cookies = Vec::new();
    for ((name, _), link) in expected.iter().zip(&links) {
        cookies.push(sign_up(&server, link, name, "一个足够长的密码啊啊"));
    }
    let (li, province, jia, yi) = (&cookies[0], &cookies[1], &cookies[2], &cookies[3]);
    let board = server.get("/board", province);
    assert_eq!(board.status, 200, "{}", board.body);
    assert!(
        board.body.contains("甲市专项整治")
            && board.body.contains("乙市专项整治")
            && !board.body.contains("另一项"),
        "{}",
        board.body
    );
    let board = server.get("/board", jia);
    assert!(
        board.body.contains("甲市专项整治") && !board.body.contains("乙市专项整治"),
        "{}",
        board.body
    );
    // Another city's campaign asked for by name: shown nothing of.
    assert!(
        !server
            .get("/board?campaign=yi-2023", jia)
            .body
            .contains("乙市专项整治")
    );
    assert!(
        !server
            .get("/board?campaign=jia-2023", yi)
            .body
            .contains("甲市专项整治")
    );
    assert_eq!(server.get("/overdue?campaign=yi-2023", jia).status, 403);
    let own = format!("/o/jia-2023/{}/{}/-", encode("月报"), encode("东城区"));
    assert_eq!(server.get(&own, li).status, 200);
    for elsewhere in ["yi-2023", "other"] {
        let deliverable = if elsewhere == "other" {
            "台账"
        } else {
            "月报"
        };
        let path = format!(
            "/o/{elsewhere}/{}/{}/-",
            encode(deliverable),
            encode("东城区")
        );
        assert_eq!(server.get(&path, li).status, 403, "{path}");
    }

    // A campaign 甲市 starts later: its office, its county and the province have it at once.
    write(
        "jia2.campaign",
        &city_campaign("jia-2024", "甲市第二项", "甲市"),
    );
    w.ok(&["sync", "--as-of", "2023-07-20"]);
    // (The board is kept for some seconds; the overdue list is read at once.)
    for (cookie, status) in [(jia, 200), (province, 200), (yi, 403)] {
        let overdue = server.get("/overdue?campaign=jia-2024", cookie);
        assert_eq!(overdue.status, status, "{}", overdue.body);
    }
    let later = format!("/o/jia-2024/{}/{}/-", encode("月报"), encode("东城区"));
    assert_eq!(server.get(&later, li).status, 200);
    drop(server);

    // The directory renames the county: the account stays with its unit, by its code.
    std::fs::write(
        w.path().join("改名.csv"),
        "单位编码,单位名称,上级单位,层级\nA-DC,东城新区,A,县\n",
    )
    .unwrap();
    w.ok(&["units", "import", "改名.csv"]);
    let users = accounts(&w);
    let li = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "李东");
    assert_eq!(li.unwrap()["unit"], "东城新区", "{users:#}");
}

#[test]
fn accounts_of_directory_units_see_their_part_of_the_province_on_sqlite() {
    province(false);
}

#[test]
fn accounts_of_directory_units_see_their_part_of_the_province_on_postgres() {
    province(true);
}
