//! The authorisation matrix: every route of the pages tried as every role — a visitor, the
//! unit's liaison, another unit's liaison, the reviewer it reports to, a supervisor, the office —
//! including guessed names and another unit's file under one's own address (no IDOR). A refused
//! action changes nothing in the records; an allowed one is recorded in the person's name.

use crate::common::Workspace;
use crate::webserver::{Reply, Server, sign_up, token};

const OWN: &str = "/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-05";
const OTHER: &str =
    "/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%8D%A7%E9%BE%99%E5%8C%BA/2017-05";
const OWN_UNIT: &str = "/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA";
const OTHER_UNIT: &str = "/unit/%E5%8D%A7%E9%BE%99%E5%8C%BA";
const NO_UNIT: &str = "/unit/%E6%97%A0%E6%AD%A4%E5%8D%95%E4%BD%8D";

/// The CSRF secret a signed-in page's forms carry.
pub(crate) fn csrf(page: &Reply) -> String {
    page.body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no CSRF secret in {}", page.body))
        .to_string()
}

/// The CSRF secret of `cookie`'s session: every page of a session has it in its header's form
/// (a page that does not exist, too).
pub(crate) fn secret_of(server: &Server, cookie: &str) -> String {
    csrf(&server.get("/nowhere", cookie))
}

/// A multipart submission of 统计表 with one file.
pub(crate) fn submission(
    server: &Server,
    path: &str,
    cookie: &str,
    secret: &str,
    file: &[u8],
) -> Reply {
    let boundary = "duban-test-boundary";
    let mut body = String::new();
    let mut part = |name: &str, value: &str| {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    };
    part("csrf", secret);
    for (field, value) in [
        ("中省市转办线索数", "3"),
        ("自查自纠问题线索数", "2"),
        ("查处问题数", "4"),
        ("约谈函询人数", "1"),
        ("组织处理人数", "0"),
        ("党纪处分人数", "1"),
        ("政纪处分人数", "0"),
        ("责任追究人数", "0"),
        ("移送司法机关人数", "0"),
    ] {
        part(&format!("f:{field}"), value);
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../统计表.html\"\r\n\
         Content-Type: text/html\r\n\r\n{}\r\n--{boundary}--\r\n",
        String::from_utf8_lossy(file)
    ));
    server.exchange(
        "POST",
        &format!("{path}/submit"),
        &[
            format!("Cookie: {cookie}"),
            format!("Content-Type: multipart/form-data; boundary={boundary}"),
        ],
        &body,
    )
}

/// A decision's form, posted.
pub(crate) fn decide(
    server: &Server,
    path: &str,
    cookie: &str,
    secret: &str,
    action: &str,
) -> Reply {
    server.send(
        "POST",
        &format!("{path}/act"),
        cookie,
        &[
            ("csrf", secret),
            ("action", action),
            ("reason", "核实"),
            ("until", "2017-06-30"),
        ],
    )
}

/// A decision's form posted as [`decide`] does, confirmed: a 退回 only asks ("确认退回？")
/// until the form says `confirm=1`.
pub(crate) fn decide_confirmed(
    server: &Server,
    path: &str,
    cookie: &str,
    secret: &str,
    action: &str,
) -> Reply {
    server.send(
        "POST",
        &format!("{path}/act"),
        cookie,
        &[
            ("csrf", secret),
            ("action", action),
            ("reason", "核实"),
            ("until", "2017-06-30"),
            ("confirm", "1"),
        ],
    )
}

/// The events of an obligation's history, as the office's CLI prints them.
fn events(w: &Workspace, unit: &str) -> usize {
    let out = w.ok(&[
        "history",
        "nanyang-2017",
        "统计表",
        unit,
        "--period",
        "2017-05",
        "--format",
        "json",
        "--as-of",
        "2017-05-27",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    json["events"].as_array().unwrap().len()
}

#[test]
fn every_route_answers_each_role_as_its_rights_say() {
    let w = Workspace::new(&["nanyang-2017"]);
    let accounts = [
        ("张三", vec!["--unit", "宛城区", "--role", "liaison"]),
        ("孙领", vec!["--unit", "宛城区", "--role", "leader"]),
        ("钱四", vec!["--unit", "卧龙区", "--role", "liaison"]),
        (
            "李审",
            vec!["--unit", "党风政风监督室", "--role", "reviewer"],
        ),
        ("王督", vec!["--role", "supervisor"]),
        ("赵办", vec!["--role", "office"]),
    ];
    let links: Vec<(String, String)> = accounts
        .iter()
        .map(|(name, args)| {
            let mut all = vec!["user", "add", name];
            all.extend_from_slice(args);
            (name.to_string(), token(&w.ok(&all)))
        })
        .collect();
    let server = Server::start(&w, "2017-05-24T09:00");
    let cookies: Vec<String> = links
        .iter()
        .map(|(name, link)| sign_up(&server, link, name, &format!("{name}的一个足够长的密码")))
        .collect();
    let [zhang, sun, qian, li, wang, zhao] = [0, 1, 2, 3, 4, 5].map(|i| cookies[i].clone());

    // Submitting is the unit's own: another unit's liaison, the reviewer and the supervisor are
    // refused and nothing is recorded; the leader may; forms without the secret are refused.
    for cookie in [&qian, &li, &wang] {
        let secret = secret_of(&server, cookie);
        let refused = submission(&server, OWN, cookie, &secret, b"x");
        assert_eq!(refused.status, 403, "{}", refused.body);
    }
    assert_eq!(events(&w, "宛城区"), 0, "nothing recorded by those refused");
    let secret = csrf(&server.get(OWN, &zhang));
    assert_eq!(submission(&server, OWN, &zhang, "forged", b"x").status, 403);
    let page = b"<script>alert(1)</script>";
    let done = submission(&server, OWN, &zhang, &secret, page);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(events(&w, "宛城区"), 1);
    let leader = csrf(&server.get(OWN, &sun));
    assert_eq!(
        submission(&server, OWN, &sun, &leader, b"y").status,
        422,
        "the leader may submit; the records refuse a second submission"
    );

    // The file: served as a download to those who may see it, under its own address only.
    let own = server.get(OWN, &zhang);
    // The pages escape `/` in attributes as `&#x2f;`, which a browser reads back as `/`.
    let body = own.body.replace("&#x2f;", "/");
    let href = body
        .split("href=\"")
        .find(|s| s.contains("/file/"))
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no file in {}", own.body))
        .to_string();
    let sha = href.rsplit('/').next().unwrap().to_string();
    assert!(
        own.body.contains("统计表.html"),
        "the name's last part only"
    );
    assert!(!own.body.contains("../"), "{}", own.body);
    let other_file = format!("{OTHER}/file/{sha}");
    let expected_file = [
        ("visitor", "", 303, 303),
        ("liaison", zhang.as_str(), 200, 403),
        ("leader", sun.as_str(), 200, 403),
        ("other liaison", qian.as_str(), 403, 404),
        ("reviewer", li.as_str(), 200, 404),
        ("supervisor", wang.as_str(), 200, 404),
        ("office", zhao.as_str(), 200, 404),
    ];
    for (role, cookie, at_own, at_other) in expected_file {
        let got = server.get(&href, cookie);
        assert_eq!(got.status, at_own, "{role} fetching the file");
        if got.status == 200 {
            assert_eq!(got.body.as_bytes(), page);
            assert!(
                got.header("content-disposition")
                    .unwrap()
                    .starts_with("attachment")
            );
            assert_eq!(got.header("content-type"), Some("application/octet-stream"));
            assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
        }
        let guessed = server.get(&other_file, cookie);
        assert_eq!(
            guessed.status, at_other,
            "{role} guessing the file under 卧龙区"
        );
    }

    // Pages: (route, visitor, liaison, leader, other liaison, reviewer, supervisor, office).
    let matrix: [(&str, [u16; 7]); 12] = [
        ("/board", [303, 303, 303, 303, 303, 200, 200]),
        (OWN_UNIT, [303, 200, 200, 403, 200, 200, 200]),
        (OTHER_UNIT, [303, 403, 403, 200, 200, 200, 200]),
        (NO_UNIT, [303, 403, 403, 403, 403, 404, 404]),
        (OWN, [303, 200, 200, 403, 200, 200, 200]),
        (OTHER, [303, 403, 403, 200, 200, 200, 200]),
        ("/review", [303, 403, 403, 403, 200, 403, 200]),
        ("/accounts", [303, 403, 403, 403, 403, 403, 200]),
        ("/overdue", [303, 403, 403, 403, 403, 200, 200]),
        ("/overdue?format=csv", [303, 403, 403, 403, 403, 200, 200]),
        ("/overdue?format=xlsx", [303, 403, 403, 403, 403, 200, 200]),
        (
            "/bulletin?campaign=nanyang-2017&period=2017-04&format=docx",
            [303, 403, 403, 403, 403, 200, 200],
        ),
    ];
    let people = ["", &zhang, &sun, &qian, &li, &wang, &zhao];
    let roles = [
        "visitor",
        "liaison",
        "leader",
        "other liaison",
        "reviewer",
        "supervisor",
        "office",
    ];
    for (route, expected) in matrix {
        for ((who, want), role) in people.iter().zip(expected).zip(roles) {
            let got = server.get(route, who);
            assert_eq!(got.status, want, "{route} as {role}: {}", got.body);
        }
    }

    // Accounts are the office's: a liaison's form is refused; the office's makes one whose
    // link works once.
    let form = |cookie: &str, name: &str| {
        let secret = secret_of(&server, cookie);
        server.send(
            "POST",
            "/accounts",
            cookie,
            &[
                ("csrf", &secret),
                ("name", name),
                ("unit", "卧龙区"),
                ("role", "leader"),
            ],
        )
    };
    assert_eq!(form(&zhang, "冒名").status, 403);
    let made = form(&zhao, "周领");
    assert_eq!(made.status, 200, "{}", made.body);
    let link = made
        .body
        .replace("&#x2f;", "/")
        .split("token=")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string();
    let zhou = sign_up(&server, &link, "周领", "周领导的一个足够长的密码");
    assert_eq!(server.get(OTHER_UNIT, &zhou).status, 200);
    let listed = server.get("/accounts", &zhao);
    assert!(listed.body.contains("周领") && !listed.body.contains("冒名"));
    assert!(!listed.body.contains("$argon2"), "no hash is ever shown");
    assert_eq!(form(&zhao, "周领").status, 422, "a name taken");

    // The supervisor's downloads: every overdue report with whom to call, and the bulletin.
    let csv = server.get("/overdue?campaign=nanyang-2017&format=csv", &wang);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    assert!(
        csv.body.starts_with("\u{feff}campaign,deliverable,unit"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("卧龙区,") && csv.body.contains("工作方案"));
    let listed = server.get("/overdue", &wang);
    assert!(listed.body.contains("项逾期未报"), "{}", listed.body);
    // The plan stated for Saturday 15 April is late from the end of Monday the 17th: the page
    // names both, so that its days read right.
    assert!(
        listed
            .body
            .contains("2017-04-15<br><small>遇休息日顺延至2017-04-17</small>"),
        "{}",
        listed.body
    );
    let word = server.get(
        "/bulletin?campaign=nanyang-2017&period=2017-04&format=docx",
        &wang,
    );
    assert!(word.body.starts_with("PK"), "a .docx is a zip");
    let html = server.get("/bulletin?campaign=nanyang-2017&period=2017-04", &zhao);
    assert!(html.body.contains("通报"), "{}", html.body);

    // Decisions: return is the receiver's (and the office's), extend and waive the office's.
    let before = events(&w, "宛城区");
    for (cookie, action) in [
        (&zhang, "return"),
        (&zhang, "extend"),
        (&qian, "return"),
        (&wang, "return"),
        (&li, "extend"),
        (&li, "waive"),
        (&li, "accept"),
    ] {
        let secret = secret_of(&server, cookie);
        let refused = decide(&server, OWN, cookie, &secret, action);
        assert_eq!(refused.status, 403, "{action}: {}", refused.body);
    }
    assert_eq!(
        events(&w, "宛城区"),
        before,
        "nothing recorded by those refused"
    );
    let secret = csrf(&server.get(OWN, &li));
    let asked = decide(&server, OWN, &li, &secret, "return");
    assert_eq!(asked.status, 200, "a return asks first: {}", asked.body);
    assert!(asked.body.contains("确认退回？"), "{}", asked.body);
    assert_eq!(events(&w, "宛城区"), before, "nothing recorded by asking");
    assert_eq!(
        decide_confirmed(&server, OWN, &li, &secret, "return").status,
        303
    );
    let secret = csrf(&server.get(OWN, &zhao));
    assert_eq!(decide(&server, OWN, &zhao, &secret, "extend").status, 303);
    let history = w.ok(&[
        "history",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-05",
        "--as-of",
        "2017-05-27",
    ]);
    for name in ["张三", "李审", "赵办"] {
        assert!(
            history.contains(name),
            "every action names the person: {history}"
        );
    }
}

/// 古路: a village's list goes to its resident work team first, with three signatures; only
/// that team may accept it or send it back, and the township's centre that receives it only
/// once accepted.
#[test]
fn a_reviewing_unit_decides_on_its_own_units_only() {
    let w = Workspace::new(&["gulu-2023"]);
    let add = |name: &str, unit: &str, role: &str| {
        token(&w.ok(&["user", "add", name, "--unit", unit, "--role", role]))
    };
    let links = [
        ("村联络员", add("村联络员", "各村", "liaison")),
        ("驻村组员", add("驻村组员", "各驻村组", "reviewer")),
        ("中心审核", add("中心审核", "镇村建中心", "reviewer")),
    ];
    let server = Server::start(&w, "2023-07-10T09:00");
    let [village, team, centre] = links
        .map(|(name, link)| sign_up(&server, &link, name, &format!("{name}的一个足够长的密码")));
    let list = "/o/gulu-2023/%E9%97%AE%E9%A2%98%E6%B8%85%E5%8D%95/%E5%90%84%E6%9D%91/-";
    let boundary = "b";
    let mut body = String::new();
    for (name, value) in [
        ("csrf", secret_of(&server, &village)),
        ("sig:村书记", "王书记".to_string()),
        ("sig:驻村领导", "刘领导".to_string()),
        ("sig:经办人员", "陈经办".to_string()),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let sent = server.exchange(
        "POST",
        &format!("{list}/submit"),
        &[
            format!("Cookie: {village}"),
            format!("Content-Type: multipart/form-data; boundary={boundary}"),
        ],
        &body,
    );
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert!(server.get(list, &village).body.contains("审核中"));

    let queue = server.get("/review", &team);
    assert!(
        queue.body.contains("待审核") && queue.body.contains("各村"),
        "{}",
        queue.body
    );
    let centre_secret = secret_of(&server, &centre);
    assert_eq!(
        decide(&server, list, &centre, &centre_secret, "accept").status,
        403
    );
    let team_secret = secret_of(&server, &team);
    assert_eq!(
        decide(&server, list, &team, &team_secret, "accept").status,
        303
    );
    let page = server.get(list, &village);
    assert!(page.body.contains("按时报送"), "{}", page.body);
    assert!(
        page.body.contains("驻村组员"),
        "the decision names the person"
    );
    // Now received by the centre, which may return it.
    assert_eq!(
        decide_confirmed(&server, list, &centre, &centre_secret, "return").status,
        303
    );
}

/// A unit no campaign has is 404 for those who see every unit, with the nearest name; a
/// liaison guessing names is told only that it is not theirs.
#[test]
fn an_unknown_unit_is_not_found_with_the_nearest_name() {
    let w = Workspace::new(&["nanyang-2017"]);
    let office = token(&w.ok(&["user", "add", "主任", "--role", "office"]));
    let supervisor = token(&w.ok(&["user", "add", "王五", "--role", "supervisor"]));
    let liaison = token(&w.ok(&[
        "user",
        "add",
        "张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]));
    let server = Server::start(&w, "2017-05-27");
    let near = "/unit/%E5%AE%9B%E5%9F%8E"; // 宛城
    for (name, link) in [("主任", &office), ("王五", &supervisor)] {
        let cookie = sign_up(&server, link, name, "a long enough password");
        let page = server.get(near, &cookie);
        assert_eq!(page.status, 404, "{name}: {}", page.body);
        assert!(page.body.contains("宛城区"), "{name}: {}", page.body);
        assert_eq!(server.get(OWN_UNIT, &cookie).status, 200, "{name}");
    }
    let cookie = sign_up(&server, &liaison, "张三", "a long enough password");
    let page = server.get(near, &cookie);
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(!page.body.contains("宛城区？"), "{}", page.body);
}
