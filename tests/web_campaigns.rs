//! Two offices' campaigns in one database: 南阳's and 宜春's, each with a unit named
//! 党风政风监督室 that receives its counties' reports. An account or token bound to one
//! campaign sees and acts on nothing of the other's — through the review queue, the obligation
//! pages, the board, the overdue list, the bulletin, the accounts page and the API — and an
//! account for a unit whose name is in both is not made until the office says which.

use crate::common::Workspace;
use crate::pgserver;
use crate::webserver::{Server, sign_up, token};

const NANYANG: &str =
    "/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-05";
const YICHUN: &str = "/o/yichun-2016/%E6%9C%88%E6%8A%A5/%E8%A2%81%E5%B7%9E%E5%8C%BA/2017-04";

fn two_offices(postgres: bool) -> Option<Workspace> {
    let w = Workspace::new(&["nanyang-2017", "yichun-2016"]);
    if postgres {
        let url = pgserver::database()?;
        std::fs::write(
            w.path().join("duban.toml"),
            format!("database = \"{url}\"\n"),
        )
        .unwrap();
    }
    Some(w)
}

fn csrf(body: &str) -> String {
    body.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string()
}

fn each_office_sees_its_own(postgres: bool) {
    let Some(w) = two_offices(postgres) else {
        return;
    };
    w.ok(&["sync", "--as-of", "2017-05-01"]);
    // The same name in both: the office must say which campaign the account acts in.
    let refused = w.run(&[
        "user",
        "add",
        "审核员",
        "--unit",
        "党风政风监督室",
        "--role",
        "reviewer",
    ]);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(
        refused
            .stderr
            .contains("is a unit of nanyang-2017, yichun-2016"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("--campaign"), "{}", refused.stderr);
    let wrong = w.run(&[
        "user",
        "add",
        "审核员",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
        "--campaign",
        "yichun-2016",
    ]);
    assert_eq!(wrong.code, 2);
    assert!(
        wrong.stderr.contains("宛城区 is not a unit of yichun-2016"),
        "{}",
        wrong.stderr
    );
    let reviewer = token(&w.ok(&[
        "user",
        "add",
        "审核员",
        "--unit",
        "党风政风监督室",
        "--role",
        "reviewer",
        "--campaign",
        "nanyang-2017",
    ]));
    let yichun_office = token(&w.ok(&[
        "user",
        "add",
        "宜春主任",
        "--role",
        "office",
        "--campaign",
        "yichun-2016",
    ]));

    // A report received by each 党风政风监督室.
    let figures = "填报单位,中省市转办线索数,自查自纠问题线索数,查处问题数,约谈函询人数,组织处理人数,党纪处分人数,政纪处分人数,责任追究人数,移送司法机关人数\n宛城区,3,2,4,1,0,1,0,0,0\n";
    std::fs::write(w.path().join("nanyang.csv"), figures).unwrap();
    w.ok(&[
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--at",
        "2017-05-20T10:00",
        "--data",
        "nanyang.csv",
    ]);
    std::fs::write(w.path().join("月报.xlsx"), "PK").unwrap();
    w.ok(&[
        "submit",
        "yichun-2016",
        "月报",
        "袁州区",
        "--period",
        "2017-04",
        "--at",
        "2017-05-04T10:00",
        "--file",
        "月报.xlsx",
    ]);

    let server = Server::start(&w, "2017-05-27");
    let reviewer = sign_up(&server, &reviewer, "审核员", "a long enough password");
    let queue = server.get("/review", &reviewer).body;
    assert!(queue.contains("宛城区"), "{queue}");
    assert!(
        !queue.contains("袁州区"),
        "宜春's report is not in 南阳's queue: {queue}"
    );
    assert_eq!(server.get(NANYANG, &reviewer).status, 200);
    let other = server.get(YICHUN, &reviewer);
    assert!(
        matches!(other.status, 403 | 404),
        "{}: {}",
        other.status,
        other.body
    );
    // Returning 宜春's report is refused, and nothing is recorded.
    let secret = csrf(&server.get(NANYANG, &reviewer).body);
    let sent_back = server.send(
        "POST",
        &format!("{YICHUN}/act"),
        &reviewer,
        &[
            ("csrf", &secret),
            ("action", "return"),
            ("reason", "不是你的"),
        ],
    );
    assert!(
        matches!(sent_back.status, 403 | 404),
        "{}",
        sent_back.status
    );
    let history = w.json(&[
        "history",
        "yichun-2016",
        "月报",
        "袁州区",
        "--period",
        "2017-04",
        "--as-of",
        "2017-05-28",
    ]);
    assert_eq!(
        history["events"].as_array().unwrap().len(),
        1,
        "{history:#}"
    );

    // 宜春's office: its board, its lists, its accounts; 南阳's are not its to see.
    let office = sign_up(
        &server,
        &yichun_office,
        "宜春主任",
        "a long enough password",
    );
    let board = server.get("/board", &office).body;
    assert!(board.contains("yichun-2016"), "{board}");
    assert!(!board.contains("nanyang-2017"), "{board}");
    assert_eq!(
        server.get("/overdue?campaign=nanyang-2017", &office).status,
        403
    );
    let overdue = server.get("/overdue?format=csv", &office).body;
    assert!(!overdue.contains("nanyang-2017"), "{overdue}");
    assert_eq!(
        server
            .get("/bulletin?campaign=nanyang-2017&period=2017-05", &office)
            .status,
        403
    );
    assert_eq!(server.get(NANYANG, &office).status, 403);
    // Nor 南阳's units' pages (which would list the units under them).
    let city = server.get("/unit/%E5%8D%97%E9%98%B3%E5%B8%82", &office);
    assert_eq!(city.status, 403, "{}", city.body);
    let accounts = server.get("/accounts", &office).body;
    assert!(accounts.contains("宜春主任"), "{accounts}");
    // Its forms offer its own units and campaigns, not 南阳's.
    assert!(accounts.contains("<option value=\"袁州区\">"), "{accounts}");
    assert!(
        !accounts.contains("<option value=\"宛城区\">"),
        "{accounts}"
    );
    assert!(
        accounts.contains("<option>yichun-2016</option>"),
        "{accounts}"
    );
    assert!(
        !accounts.contains("<option>nanyang-2017</option>"),
        "{accounts}"
    );
    assert!(
        !accounts.contains("审核员"),
        "南阳's account is not 宜春's to manage: {accounts}"
    );
    let secret = csrf(&accounts);
    let reset = server.send(
        "POST",
        "/accounts/reset",
        &office,
        &[("csrf", &secret), ("name", "审核员")],
    );
    assert_eq!(reset.status, 403, "{}", reset.body);

    // A token bound to 南阳 lists 南阳's obligations only.
    let made = w.ok(&[
        "token",
        "create",
        "--unit",
        "党风政风监督室",
        "--role",
        "reviewer",
        "--campaign",
        "nanyang-2017",
    ]);
    let secret = made.trim().rsplit(' ').next().unwrap().to_string();
    // An office token bound to 南阳 is refused 宜春's list outright.
    let office_token = w.ok(&[
        "token",
        "create",
        "--role",
        "office",
        "--campaign",
        "nanyang-2017",
    ]);
    let office_token = office_token.trim().rsplit(' ').next().unwrap().to_string();
    let listed = server.api(
        "GET",
        "/api/v1/obligations?campaign=yichun-2016",
        &office_token,
        None,
    );
    assert_eq!(listed.status, 403, "{}", listed.body);
    let own = server.api(
        "GET",
        "/api/v1/obligations?campaign=nanyang-2017",
        &office_token,
        None,
    );
    assert_eq!(own.status, 200, "{}", own.body);
    // Accounts made from the contacts act in the campaign that lists each person.
    w.ok(&["user", "import"]);
    let users = w.json(&["user", "list"]);
    let person = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "项有军")
        .unwrap_or_else(|| panic!("{users:#}"));
    assert_eq!(
        person["campaigns"],
        serde_json::json!(["nanyang-2017"]),
        "{person:#}"
    );
    let yichun = server.api(
        "GET",
        "/api/v1/obligations?campaign=yichun-2016",
        &secret,
        None,
    );
    assert!(
        yichun.status == 403 || !yichun.body.contains("袁州区"),
        "{}: {}",
        yichun.status,
        yichun.body
    );
}

#[test]
fn each_office_sees_only_its_own_campaigns_on_sqlite() {
    each_office_sees_its_own(false);
}

#[test]
fn each_office_sees_only_its_own_campaigns_on_postgres() {
    each_office_sees_its_own(true);
}

/// The links the command line prints go where people reach the pages: `--base-url`, else
/// `base_url` of duban.toml, else `serve`'s default address.
#[test]
fn links_carry_the_address_the_office_gives() {
    let w = Workspace::new(&["nanyang-2017"]);
    let made = w.ok(&["user", "add", "甲", "--role", "office"]);
    assert!(
        made.contains("http://127.0.0.1:8080/set-password?token="),
        "{made}"
    );
    let toml = w.path().join("duban.toml");
    let mut settings = std::fs::read_to_string(&toml).unwrap_or_default();
    settings.insert_str(0, "base_url = \"https://duban.example.gov.cn/\"\n");
    std::fs::write(&toml, settings).unwrap();
    let made = w.ok(&["user", "add", "乙", "--role", "office"]);
    assert!(
        made.contains("https://duban.example.gov.cn/set-password?token="),
        "{made}"
    );
    let reset = w.ok(&["user", "reset", "乙", "--base-url", "http://10.0.0.5:8080"]);
    assert!(
        reset.contains("http://10.0.0.5:8080/set-password?token="),
        "{reset}"
    );
}
