//! The authorisation matrix: every route the server answers (`duban::web::route_table`, from
//! which the router itself is built) has rows here — role × route × whose (the unit's own,
//! another unit's, another campaign's) → the status it must answer — and each row is tried
//! against the real server. A route added without a row fails the first assertion, so that no
//! route ships unchecked. The last column is another office in the same database (古路's,
//! its account and token bound to gulu-2023): 南阳's pages, records, accounts and API are
//! refused it (403), its own campaign's are its to see and act on, and its board, lists and
//! accounts page are its own. Where it acts on 古路's after the office's row already has, the
//! ledger's refusal (422 on the pages, 409 through the API: already waived, already submitted)
//! shows the act was allowed.

use std::collections::BTreeSet;

use crate::common::Workspace;
use crate::web_rights::{csrf, decide, secret_of, submission};
use crate::webserver::{Reply, Server, sign_up, token};

/// The people, in the order of every row's statuses.
const ROLES: [&str; 8] = [
    "visitor",
    "liaison",
    "leader",
    "other liaison",
    "reviewer",
    "supervisor",
    "office",
    "another office",
];

const OBLIGATION: &str = "/o/{campaign}/{deliverable}/{unit}/{period}";
/// 统计表 of 宛城区 (the liaison's and the leader's own unit).
const OWN: &str = "/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA";
/// 统计表 of 南召县 (nobody's here but the supervisor's and the office's).
const OTHER: &str = "/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%8D%97%E5%8F%AC%E5%8E%BF";
/// 古路's 专项治理工作总结 of 镇村建中心: another campaign.
const ELSEWHERE_TOO: &str = "/o/gulu-2023/%E4%B8%93%E9%A1%B9%E6%B2%BB%E7%90%86%E5%B7%A5%E4%BD%9C%E6%80%BB%E7%BB%93/%E9%95%87%E6%9D%91%E5%BB%BA%E4%B8%AD%E5%BF%83/-";
/// 古路's 自查自纠工作报告 of 镇村建中心: another campaign.
const ELSEWHERE: &str = "/o/gulu-2023/%E8%87%AA%E6%9F%A5%E8%87%AA%E7%BA%A0%E5%B7%A5%E4%BD%9C%E6%8A%A5%E5%91%8A/%E9%95%87%E6%9D%91%E5%BB%BA%E4%B8%AD%E5%BF%83/-";

/// 统计表 of 宛城区 in May under a signature that is not its own.
const FORGED_ACK: &str = "/ack/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-05/00000000000000000000000000000000";

/// Who asks: a session cookie for the pages, a bearer token for the API.
struct Person {
    cookie: String,
    token: String,
}

/// How a row asks, as the `i`-th person.
type Ask = Box<dyn Fn(&Server, &Person, usize) -> Reply>;

/// One row: a route of the table, whose, and what each role gets.
struct Row {
    method: &'static str,
    route: &'static str,
    whose: &'static str,
    expected: [u16; 8],
    ask: Ask,
}

fn row(
    method: &'static str,
    route: &'static str,
    whose: &'static str,
    expected: [u16; 8],
    ask: impl Fn(&Server, &Person, usize) -> Reply + 'static,
) -> Row {
    Row {
        method,
        route,
        whose,
        expected,
        ask: Box::new(ask),
    }
}

fn get(path: &'static str) -> impl Fn(&Server, &Person, usize) -> Reply {
    move |server, p, _| server.get(path, &p.cookie)
}

fn api(
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
) -> impl Fn(&Server, &Person, usize) -> Reply {
    move |server, p, _| server.api(method, path, &p.token, body)
}

/// A session's CSRF secret, or none for a visitor (whose forms are refused before it counts).
fn secret(server: &Server, p: &Person) -> String {
    if p.cookie.is_empty() {
        "none".into()
    } else {
        secret_of(server, &p.cookie)
    }
}

fn matrix() -> Vec<Row> {
    // Each role submits for a period of its own, so that one's success does not decide
    // another's answer.
    // (The other office, acting on nothing of 南阳's, shares the office's.)
    let period = |i: usize| format!("2017-{:02}", 6 + i.min(6));
    vec![
        row(
            "GET",
            "/",
            "any",
            [303, 303, 303, 303, 303, 303, 303, 303],
            get("/"),
        ),
        row("GET", "/login", "any", [200; 8], get("/login")),
        // Signing in and setting a password are for anyone: a wrong password, and a link that
        // is not one, are refused whoever asks.
        row("POST", "/login", "any", [401; 8], |s, _, i| {
            s.sign_in_attempt(&format!("无此人{i}"), "错误的密码错误的密码")
        }),
        row(
            "GET",
            "/set-password",
            "any",
            [200; 8],
            get("/set-password?token=not-a-token"),
        ),
        row("POST", "/set-password", "any", [400; 8], |s, _, _| {
            let form = s.get("/set-password?token=not-a-token", "");
            let cookie = form.cookie("duban_csrf").unwrap();
            let secret = cookie.split_once('=').unwrap().1.to_string();
            s.send(
                "POST",
                "/set-password",
                &cookie,
                &[
                    ("token", "not-a-token"),
                    ("password", "一个足够长的新密码一个足够长的新密码"),
                    ("csrf", &secret),
                ],
            )
        }),
        row(
            "GET",
            "/board",
            "all",
            [303, 303, 303, 303, 303, 200, 200, 200],
            get("/board"),
        ),
        // The board's trend of 南阳: its supervisor and office; not 古路's office.
        row(
            "GET",
            "/board/trend",
            "all",
            [303, 403, 403, 403, 403, 200, 200, 403],
            get("/board/trend?campaign=nanyang-2017"),
        ),
        row(
            "GET",
            "/unit/{name}",
            "own",
            [303, 200, 200, 403, 200, 200, 200, 403],
            get("/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA"),
        ),
        row(
            "GET",
            "/unit/{name}",
            "other unit",
            [303, 403, 403, 403, 200, 200, 200, 403],
            get("/unit/%E5%8D%97%E5%8F%AC%E5%8E%BF"),
        ),
        row(
            "GET",
            "/unit/{name}",
            "other campaign",
            [303, 403, 403, 403, 403, 200, 200, 200],
            get("/unit/%E9%95%87%E6%9D%91%E5%BB%BA%E4%B8%AD%E5%BF%83"),
        ),
        // A letter of the ladder (none issued here): whoever may open the unit's page is told
        // there is no such letter; the others are refused as the page refuses them.
        row(
            "GET",
            "/unit/{name}/letters/{id}",
            "own",
            [303, 404, 404, 403, 404, 404, 404, 403],
            get("/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA/letters/1"),
        ),
        // A calendar subscription: the unit's own people and the office make one; the other
        // office, bound to 古路, may not for 南阳's unit.
        row(
            "POST",
            "/unit/{name}/calendar",
            "own",
            [303, 200, 200, 403, 403, 403, 200, 403],
            |s, p, _| {
                let secret = secret(s, p);
                s.send(
                    "POST",
                    "/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA/calendar",
                    &p.cookie,
                    &[("csrf", &secret)],
                )
            },
        ),
        row(
            "GET",
            "/review",
            "own",
            [303, 403, 403, 403, 200, 403, 200, 200],
            get("/review"),
        ),
        row(
            "GET",
            "/accounts",
            "all",
            [303, 403, 403, 403, 403, 403, 200, 200],
            get("/accounts"),
        ),
        row(
            "POST",
            "/accounts",
            "all",
            [303, 403, 403, 403, 403, 403, 200, 422],
            |s, p, i| {
                let secret = secret(s, p);
                let name = format!("新账号{i}");
                s.send(
                    "POST",
                    "/accounts",
                    &p.cookie,
                    &[
                        ("csrf", &secret),
                        ("name", &name),
                        ("unit", "卧龙区"),
                        ("role", "liaison"),
                    ],
                )
            },
        ),
        // Disabling, enabling and resetting an account, making and revoking a token: the
        // office's alone. They act on an account and a token kept for these rows (备用), so
        // that no other row's person is touched.
        row(
            "POST",
            "/accounts/disable",
            "all",
            [303, 403, 403, 403, 403, 403, 200, 403],
            |s, p, _| {
                let secret = secret(s, p);
                s.send(
                    "POST",
                    "/accounts/disable",
                    &p.cookie,
                    &[("csrf", &secret), ("name", "备用")],
                )
            },
        ),
        row(
            "POST",
            "/accounts/enable",
            "all",
            [303, 403, 403, 403, 403, 403, 200, 403],
            |s, p, _| {
                let secret = secret(s, p);
                s.send(
                    "POST",
                    "/accounts/enable",
                    &p.cookie,
                    &[("csrf", &secret), ("name", "备用")],
                )
            },
        ),
        row(
            "POST",
            "/accounts/reset",
            "all",
            [303, 403, 403, 403, 403, 403, 200, 403],
            |s, p, _| {
                let secret = secret(s, p);
                s.send(
                    "POST",
                    "/accounts/reset",
                    &p.cookie,
                    &[("csrf", &secret), ("name", "备用")],
                )
            },
        ),
        row(
            "POST",
            "/accounts/tokens",
            "all",
            [303, 403, 403, 403, 403, 403, 200, 422],
            |s, p, i| {
                let secret = secret(s, p);
                let name = format!("新令牌{i}");
                s.send(
                    "POST",
                    "/accounts/tokens",
                    &p.cookie,
                    &[
                        ("csrf", &secret),
                        ("name", &name),
                        ("unit", "卧龙区"),
                        ("role", "liaison"),
                        ("days", "30"),
                    ],
                )
            },
        ),
        row(
            "POST",
            "/accounts/tokens/revoke",
            "all",
            [303, 403, 403, 403, 403, 403, 200, 403],
            |s, p, _| {
                let secret = secret(s, p);
                s.send(
                    "POST",
                    "/accounts/tokens/revoke",
                    &p.cookie,
                    &[("csrf", &secret), ("id", "备用令牌")],
                )
            },
        ),
        row(
            "GET",
            "/overdue",
            "all",
            [303, 403, 403, 403, 403, 200, 200, 200],
            get("/overdue"),
        ),
        // The directory: seen by supervisors and offices; edited only by the office that keeps
        // the records (bound to no campaign) — here a code the directory does not have, which
        // it is told (422); the other office, bound to 古路, may not edit it (403).
        row(
            "GET",
            "/units",
            "all",
            [303, 403, 403, 403, 403, 200, 200, 200],
            get("/units?q=%E5%8E%BF"),
        ),
        row(
            "POST",
            "/units",
            "all",
            [303, 403, 403, 403, 403, 403, 422, 403],
            |s, p, _| {
                let secret = secret(s, p);
                s.send(
                    "POST",
                    "/units",
                    &p.cookie,
                    &[("csrf", &secret), ("code", "U999999"), ("name", "无此单位")],
                )
            },
        ),
        // Through the API likewise: a code the directory does not have is the office's 404.
        row(
            "PUT",
            "/api/v1/units/{code}",
            "all",
            [401, 403, 403, 403, 403, 403, 404, 403],
            api(
                "PUT",
                "/api/v1/units/U999999",
                Some(r#"{"name":"无此单位"}"#),
            ),
        ),
        // And its sheet: a body that is no form is the office's 400 `bad_form`.
        row(
            "POST",
            "/api/v1/directory-imports",
            "all",
            [401, 403, 403, 403, 403, 403, 400, 403],
            api("POST", "/api/v1/directory-imports", Some("{}")),
        ),
        // A form with no sheet: the office that keeps the records is asked for one (422).
        row(
            "POST",
            "/units/import",
            "all",
            [303, 403, 403, 403, 403, 403, 422, 403],
            |s, p, _| {
                let secret = secret(s, p);
                crate::organisation::upload_sheet(s, &p.cookie, &secret, None)
            },
        ),
        // 签收 by a notice's link: the link alone decides, whoever holds it; a link whose
        // signature is not its obligation's is not found for anyone (the valid link's walk is
        // `extensions::a_notice_is_acknowledged_by_its_link_without_signing_in`).
        row(
            "GET",
            "/ack/{campaign}/{deliverable}/{unit}/{period}/{mac}",
            "forged",
            [404; 8],
            get(FORGED_ACK),
        ),
        row(
            "POST",
            "/ack/{campaign}/{deliverable}/{unit}/{period}/{mac}",
            "forged",
            [404; 8],
            |s, p, _| {
                s.send(
                    "POST",
                    &format!("/ack/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-05/{}", "0".repeat(32)),
                    &p.cookie,
                    &[],
                )
            },
        ),
        // Recording a clerk's sheet: the offices; a form with no sheet is asked for one (422).
        row(
            "GET",
            "/import",
            "all",
            [303, 403, 403, 403, 403, 403, 200, 200],
            get("/import"),
        ),
        row(
            "POST",
            "/import",
            "all",
            [303, 403, 403, 403, 403, 403, 422, 422],
            |s, p, _| {
                let secret = secret(s, p);
                crate::organisation::upload_to(s, "/import", &p.cookie, &secret, None)
            },
        ),
        row(
            "GET",
            "/bulletin",
            "all",
            [303, 403, 403, 403, 403, 200, 200, 403],
            get("/bulletin?campaign=nanyang-2017&period=2017-04"),
        ),
        row(
            "GET",
            OBLIGATION,
            "own",
            [303, 200, 200, 403, 200, 200, 200, 403],
            get("/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-05"),
        ),
        row(
            "GET",
            "/o/{campaign}/{deliverable}/{unit}/{period}/template",
            "own",
            [303, 200, 200, 403, 200, 200, 200, 403],
            get(
                "/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-05/template",
            ),
        ),
        row(
            "GET",
            OBLIGATION,
            "other unit",
            [303, 403, 403, 403, 200, 200, 200, 403],
            get("/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%8D%97%E5%8F%AC%E5%8E%BF/2017-05"),
        ),
        row(
            "GET",
            OBLIGATION,
            "other campaign",
            [303, 403, 403, 403, 403, 200, 200, 200],
            get(ELSEWHERE),
        ),
        row(
            "POST",
            "/o/{campaign}/{deliverable}/{unit}/{period}/submit",
            "own",
            [303, 303, 303, 403, 403, 403, 303, 403],
            move |s, p, i| {
                let secret = secret(s, p);
                submission(s, &format!("{OWN}/{}", period(i)), &p.cookie, &secret, b"x")
            },
        ),
        row(
            "POST",
            "/o/{campaign}/{deliverable}/{unit}/{period}/submit",
            "other unit",
            [303, 403, 403, 403, 403, 403, 303, 403],
            move |s, p, i| {
                let secret = secret(s, p);
                submission(
                    s,
                    &format!("{OTHER}/{}", period(i)),
                    &p.cookie,
                    &secret,
                    b"x",
                )
            },
        ),
        row(
            "POST",
            "/o/{campaign}/{deliverable}/{unit}/{period}/act",
            "own",
            [303, 403, 403, 403, 403, 403, 303, 403],
            |s, p, _| {
                let secret = secret(s, p);
                decide(s, &format!("{OWN}/2017-04"), &p.cookie, &secret, "extend")
            },
        ),
        // 一键催办 from the board's cell: 南召县 for its 工作方案, overdue since April. The
        // office's alone; another office's account is refused before anything is read.
        row(
            "POST",
            "/chase",
            "other",
            [303, 403, 403, 403, 403, 403, 200, 403],
            |s, p, _| {
                let secret = secret(s, p);
                s.send(
                    "POST",
                    "/chase",
                    &p.cookie,
                    &[
                        ("csrf", secret.as_str()),
                        ("campaign", "nanyang-2017"),
                        ("unit", "南召县"),
                        ("deliverable", "工作方案"),
                    ],
                )
            },
        ),
        // 交办领导批示 from a unit's page: the office's alone; 南阳 keeps no instructions, so the
        // office that may is told so (422), and every other role is refused before that.
        row(
            "POST",
            "/instruct",
            "other",
            [303, 403, 403, 403, 403, 403, 422, 403],
            |s, p, _| {
                let secret = secret(s, p);
                s.send_multipart(
                    "/instruct",
                    &p.cookie,
                    &[
                        ("csrf", secret.as_str()),
                        ("campaign", "nanyang-2017"),
                        ("unit", "南召县"),
                        ("leader", "市委书记"),
                        ("text", "抓紧整改"),
                    ],
                    &[],
                )
            },
        ),
        // 一键催办 of 南召县's April 统计表, overdue since 25 April: the office's alone.
        row(
            "POST",
            "/o/{campaign}/{deliverable}/{unit}/{period}/act",
            "other, a chase",
            [303, 403, 403, 403, 403, 403, 303, 403],
            |s, p, _| {
                let secret = secret(s, p);
                decide(s, &format!("{OTHER}/2017-04"), &p.cookie, &secret, "chase")
            },
        ),
        row(
            "POST",
            "/o/{campaign}/{deliverable}/{unit}/{period}/act",
            "other campaign",
            [303, 403, 403, 403, 403, 403, 303, 422],
            |s, p, _| {
                let secret = secret(s, p);
                decide(s, ELSEWHERE_TOO, &p.cookie, &secret, "waive")
            },
        ),
        // A 退回 not yet confirmed only asks ("确认退回？", 200), and only whom the return itself
        // would allow: the receiving unit's reviewer and the office. 2017-07 was sent by the
        // liaison's row above; asking changes nothing, so every role finds it the same.
        row(
            "POST",
            "/o/{campaign}/{deliverable}/{unit}/{period}/act",
            "own, a return asked",
            [303, 403, 403, 403, 200, 403, 200, 403],
            |s, p, _| {
                let secret = secret(s, p);
                decide(s, &format!("{OWN}/2017-07"), &p.cookie, &secret, "return")
            },
        ),
        row(
            "GET",
            "/o/{campaign}/{deliverable}/{unit}/{period}/file/{sha256}",
            "own",
            [303, 404, 404, 403, 404, 404, 404, 403],
            get(
                "/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-05/file/0000000000000000000000000000000000000000000000000000000000000000",
            ),
        ),
        // 一键催办 through the API: 卧龙区 for its 工作方案, overdue since April; the office's
        // token alone.
        row(
            "POST",
            "/api/v1/chases",
            "other",
            [401, 403, 403, 403, 403, 403, 201, 403],
            api(
                "POST",
                "/api/v1/chases",
                Some(r#"{"campaign":"nanyang-2017","unit":"卧龙区","deliverable":"工作方案"}"#),
            ),
        ),
        row(
            "POST",
            "/api/v1/instructions",
            "other",
            [401, 403, 403, 403, 403, 403, 409, 403],
            api(
                "POST",
                "/api/v1/instructions",
                Some(
                    r#"{"campaign":"nanyang-2017","unit":"南召县","leader":"市委书记","text":"抓紧整改"}"#,
                ),
            ),
        ),
        // The instructions a token sees: every role of 南阳 (none kept: an empty list); another
        // office's token is refused 南阳's.
        row(
            "GET",
            "/api/v1/instructions",
            "all",
            [401, 200, 200, 200, 200, 200, 200, 403],
            api("GET", "/api/v1/instructions?campaign=nanyang-2017", None),
        ),
        // 退回 and 免报 through the API: 方城县's 工作方案 (owed, not received) cannot be returned,
        // so whoever may return it — the office, and 党风政风监督室 it is sent to — is told so
        // (409); 免报 is the office's alone.
        row(
            "POST",
            "/api/v1/returns",
            "other",
            [401, 403, 403, 403, 409, 403, 409, 403],
            api(
                "POST",
                "/api/v1/returns",
                Some(
                    r#"{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"方城县","reason":"材料不全"}"#,
                ),
            ),
        ),
        row(
            "POST",
            "/api/v1/waivers",
            "other",
            [401, 403, 403, 403, 403, 403, 200, 403],
            api(
                "POST",
                "/api/v1/waivers",
                Some(
                    r#"{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"方城县","reason":"机构撤并"}"#,
                ),
            ),
        ),
        // One obligation and its files through the API: as its page (a file it does not keep
        // is not found, to whoever may see it).
        row(
            "GET",
            "/api/v1/obligations/{campaign}/{deliverable}/{unit}/{period}",
            "own",
            [401, 200, 200, 403, 200, 200, 200, 403],
            api(
                "GET",
                "/api/v1/obligations/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-05",
                None,
            ),
        ),
        row(
            "GET",
            "/api/v1/obligations/{campaign}/{deliverable}/{unit}/{period}",
            "other unit",
            [401, 403, 403, 403, 200, 200, 200, 403],
            api(
                "GET",
                "/api/v1/obligations/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%8D%97%E5%8F%AC%E5%8E%BF/2017-05",
                None,
            ),
        ),
        row(
            "GET",
            "/api/v1/obligations/{campaign}/{deliverable}/{unit}/{period}/files/{sha256}",
            "own",
            [401, 404, 404, 403, 404, 404, 404, 403],
            api(
                "GET",
                "/api/v1/obligations/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-05/files/0000000000000000000000000000000000000000000000000000000000000000",
                None,
            ),
        ),
        row(
            "GET",
            "/api/v1/obligations/{campaign}/{deliverable}/{unit}/{period}/template",
            "own",
            [401, 200, 200, 403, 200, 200, 200, 403],
            api(
                "GET",
                "/api/v1/obligations/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-05/template",
                None,
            ),
        ),
        // A clerk's sheet through the API: the office's tokens (a body that is no form is
        // 400 `bad_form` once the token may).
        row(
            "POST",
            "/api/v1/imports",
            "all",
            [401, 403, 403, 403, 403, 403, 400, 400],
            api("POST", "/api/v1/imports", Some("{}")),
        ),
        // The accounts and tokens through the API: as their page, the office's alone (another
        // office's lists its own, and cannot make an account of 南阳's unit: 404 in its
        // campaigns); they act on the account and token kept for these rows (备用).
        row(
            "GET",
            "/api/v1/accounts",
            "all",
            [401, 403, 403, 403, 403, 403, 200, 200],
            api("GET", "/api/v1/accounts", None),
        ),
        row(
            "POST",
            "/api/v1/accounts",
            "all",
            [401, 403, 403, 403, 403, 403, 201, 404],
            |s, p, i| {
                let body = format!(r#"{{"name":"接口账号{i}","unit":"卧龙区","role":"liaison"}}"#);
                s.api("POST", "/api/v1/accounts", &p.token, Some(&body))
            },
        ),
        row(
            "POST",
            "/api/v1/accounts/{name}/disable",
            "all",
            [401, 403, 403, 403, 403, 403, 200, 403],
            api("POST", "/api/v1/accounts/%E5%A4%87%E7%94%A8/disable", None),
        ),
        row(
            "POST",
            "/api/v1/accounts/{name}/enable",
            "all",
            [401, 403, 403, 403, 403, 403, 200, 403],
            api("POST", "/api/v1/accounts/%E5%A4%87%E7%94%A8/enable", None),
        ),
        row(
            "POST",
            "/api/v1/accounts/{name}/reset",
            "all",
            [401, 403, 403, 403, 403, 403, 200, 403],
            api("POST", "/api/v1/accounts/%E5%A4%87%E7%94%A8/reset", None),
        ),
        row(
            "GET",
            "/api/v1/tokens",
            "all",
            [401, 403, 403, 403, 403, 403, 200, 200],
            api("GET", "/api/v1/tokens", None),
        ),
        row(
            "POST",
            "/api/v1/tokens",
            "all",
            [401, 403, 403, 403, 403, 403, 201, 404],
            |s, p, i| {
                let body = format!(
                    r#"{{"name":"接口令牌{i}","unit":"卧龙区","role":"liaison","days":30}}"#
                );
                s.api("POST", "/api/v1/tokens", &p.token, Some(&body))
            },
        ),
        row(
            "POST",
            "/api/v1/tokens/{token}/revoke",
            "all",
            [401, 403, 403, 403, 403, 403, 200, 403],
            api(
                "POST",
                "/api/v1/tokens/%E5%A4%87%E7%94%A8%E4%BB%A4%E7%89%8C/revoke",
                None,
            ),
        ),
        row(
            "GET",
            "/api/v1/board/trend",
            "all",
            [401, 403, 403, 403, 403, 200, 200, 403],
            api("GET", "/api/v1/board/trend?campaign=nanyang-2017", None),
        ),
        // The board and the overdue list through the API: as their pages, supervisors' and the
        // office's; another office's token is refused 南阳's.
        row(
            "GET",
            "/api/v1/board",
            "all",
            [401, 403, 403, 403, 403, 200, 200, 403],
            api("GET", "/api/v1/board?campaign=nanyang-2017", None),
        ),
        row(
            "GET",
            "/api/v1/overdue",
            "all",
            [401, 403, 403, 403, 403, 200, 200, 403],
            api("GET", "/api/v1/overdue?campaign=nanyang-2017", None),
        ),
        row(
            "GET",
            "/api/v1/bulletin",
            "all",
            [401, 403, 403, 403, 403, 200, 200, 403],
            api("GET", "/api/v1/bulletin?campaign=nanyang-2017", None),
        ),
        // A review queue: a reviewer's and the office's (another office's too: its own, empty).
        row(
            "GET",
            "/api/v1/review-queue",
            "all",
            [401, 403, 403, 403, 200, 403, 200, 200],
            api("GET", "/api/v1/review-queue", None),
        ),
        // A letter of 宛城区 as Word: none issued here, so whoever may open its page is told
        // there is no such letter (404); the others are refused first.
        row(
            "GET",
            "/api/v1/units/{unit}/letters/{id}",
            "own",
            [401, 404, 404, 403, 404, 404, 404, 403],
            api(
                "GET",
                "/api/v1/units/%E5%AE%9B%E5%9F%8E%E5%8C%BA/letters/1",
                None,
            ),
        ),
        // The directory through the API: supervisors and the office (another office's too: the
        // directory is the organisation's), as the /units page.
        row(
            "GET",
            "/api/v1/units",
            "all",
            [401, 403, 403, 403, 403, 200, 200, 200],
            api("GET", "/api/v1/units?q=%E5%8E%BF", None),
        ),
        // 宛城区's letters: whoever may open its page.
        row(
            "GET",
            "/api/v1/letters",
            "own",
            [401, 200, 200, 403, 200, 200, 200, 403],
            api(
                "GET",
                "/api/v1/letters?unit=%E5%AE%9B%E5%9F%8E%E5%8C%BA",
                None,
            ),
        ),
        // 分解 through the API: 南阳 lets no report be passed down, so whoever may submit 宛城区's
        // table is told so (409); the others are refused first.
        row(
            "POST",
            "/api/v1/pass-downs",
            "own",
            [401, 409, 409, 403, 403, 403, 409, 403],
            api(
                "POST",
                "/api/v1/pass-downs",
                Some(
                    r#"{"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-06","due":"2017-06-20"}"#,
                ),
            ),
        ),
        // 签收 through the API: 宛城区's June table, by its liaison; again, refused (409) to its
        // leader; the unit's own people alone (the office records one otherwise on the CLI).
        row(
            "POST",
            "/api/v1/acknowledgements",
            "own",
            [401, 201, 409, 403, 403, 403, 403, 403],
            api(
                "POST",
                "/api/v1/acknowledgements",
                Some(
                    r#"{"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-06"}"#,
                ),
            ),
        ),
        // A review decision through the API: 宛城区's June table is not reviewed, so nobody
        // decides on it (the queue's reviewer and the office included); a review in levels is
        // decided through it in `review_levels`.
        row(
            "POST",
            "/api/v1/review-decisions",
            "own",
            [401, 403, 403, 403, 403, 403, 403, 403],
            api(
                "POST",
                "/api/v1/review-decisions",
                Some(
                    r#"{"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-06","accept":true}"#,
                ),
            ),
        ),
        // The calendar to subscribe to: the token's own unit's, read-only; a token of no unit
        // (the supervisor's and the office's here) has none.
        row(
            "GET",
            "/api/v1/calendar.ics",
            "own",
            [401, 200, 200, 200, 200, 403, 403, 403],
            api("GET", "/api/v1/calendar.ics", None),
        ),
        // 申请延期 through the API: 宛城区's June table, asked by its liaison; once open, asking
        // again is refused (409) to whoever may ask; declined by the office alone.
        row(
            "POST",
            "/api/v1/extension-requests",
            "own",
            [401, 201, 409, 403, 403, 403, 409, 403],
            api(
                "POST",
                "/api/v1/extension-requests",
                Some(
                    r#"{"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-06","until":"2017-06-30","reason":"乡镇数据未齐"}"#,
                ),
            ),
        ),
        row(
            "POST",
            "/api/v1/extension-decisions",
            "own",
            [401, 403, 403, 403, 403, 403, 200, 403],
            api(
                "POST",
                "/api/v1/extension-decisions",
                Some(
                    r#"{"campaign":"nanyang-2017","deliverable":"统计表","unit":"宛城区","period":"2017-06","grant":false,"reason":"时间充足"}"#,
                ),
            ),
        ),
        row(
            "GET",
            "/api/v1/obligations",
            "own",
            [401, 200, 200, 200, 200, 200, 200, 403],
            api("GET", "/api/v1/obligations?campaign=nanyang-2017", None),
        ),
        row(
            "GET",
            "/api/v1/obligations",
            "other campaign",
            [401, 200, 200, 200, 200, 200, 200, 200],
            api("GET", "/api/v1/obligations?campaign=gulu-2023", None),
        ),
        row(
            "POST",
            "/api/v1/submissions",
            "own",
            [401, 201, 409, 403, 403, 403, 409, 403],
            api(
                "POST",
                "/api/v1/submissions",
                Some(r#"{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"宛城区"}"#),
            ),
        ),
        row(
            "POST",
            "/api/v1/submissions",
            "other unit",
            [401, 403, 403, 403, 403, 403, 201, 403],
            api(
                "POST",
                "/api/v1/submissions",
                Some(r#"{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"南召县"}"#),
            ),
        ),
        row(
            "POST",
            "/api/v1/submissions",
            "other campaign",
            [401, 403, 403, 403, 403, 403, 201, 409],
            api(
                "POST",
                "/api/v1/submissions",
                Some(
                    r#"{"campaign":"gulu-2023","deliverable":"自查自纠工作报告","unit":"镇村建中心"}"#,
                ),
            ),
        ),
        row(
            "GET",
            "/api/v1/openapi.json",
            "any",
            [200; 8],
            api("GET", "/api/v1/openapi.json", None),
        ),
        row("POST", "/logout", "any", [303; 8], |s, p, _| {
            let secret = secret(s, p);
            s.send("POST", "/logout", &p.cookie, &[("csrf", &secret)])
        }),
    ]
}

#[test]
fn every_route_has_rows_in_the_authorisation_matrix_and_answers_them() {
    let rows = matrix();
    let served: BTreeSet<(&str, &str)> = duban::web::route_table().into_iter().collect();
    let checked: BTreeSet<(&str, &str)> = rows.iter().map(|r| (r.method, r.route)).collect();
    let unchecked: Vec<_> = served.difference(&checked).collect();
    assert!(
        unchecked.is_empty(),
        "routes without a row in the matrix: {unchecked:?}"
    );
    let stale: Vec<_> = checked.difference(&served).collect();
    assert!(
        stale.is_empty(),
        "rows of routes no longer served: {stale:?}"
    );

    let w = Workspace::new(&["nanyang-2017", "gulu-2023"]);
    let accounts: [(&str, &[&str]); 7] = [
        ("张三", &["--unit", "宛城区", "--role", "liaison"]),
        ("孙领", &["--unit", "宛城区", "--role", "leader"]),
        ("钱四", &["--unit", "卧龙区", "--role", "liaison"]),
        ("李审", &["--unit", "党风政风监督室", "--role", "reviewer"]),
        ("王督", &["--role", "supervisor"]),
        ("赵办", &["--role", "office"]),
        // Another office in the same database: 古路's, bound to its campaign.
        ("周办", &["--role", "office", "--campaign", "gulu-2023"]),
    ];
    let mut links = Vec::new();
    let mut tokens = Vec::new();
    for (name, args) in accounts {
        let mut user = vec!["user", "add", name];
        user.extend_from_slice(args);
        links.push(token(&w.ok(&user)));
        let mut create = vec!["token", "create"];
        create.extend_from_slice(args);
        tokens.push(w.ok(&create).split_whitespace().last().unwrap().to_string());
    }
    // What the rows of the accounts' own forms act on.
    w.ok(&[
        "user",
        "add",
        "备用",
        "--unit",
        "卧龙区",
        "--role",
        "liaison",
    ]);
    w.ok(&[
        "token",
        "create",
        "--unit",
        "卧龙区",
        "--role",
        "liaison",
        "--name",
        "备用令牌",
    ]);
    let server = Server::start(&w, "2017-05-24T09:00");
    let mut people = vec![Person {
        cookie: String::new(),
        token: String::new(),
    }];
    for (((name, _), link), token) in accounts.iter().zip(&links).zip(tokens) {
        let cookie = sign_up(&server, link, name, &format!("{name}的一个足够长的密码"));
        people.push(Person { cookie, token });
    }
    // The sessions' secrets are read once here, so that a failure names the row, not the page.
    assert!(!csrf(&server.get("/login", &people[1].cookie)).is_empty());

    let mut wrong = Vec::new();
    for row in &rows {
        for (i, (person, want)) in people.iter().zip(row.expected).enumerate() {
            let got = (row.ask)(&server, person, i);
            if got.status != want {
                wrong.push(format!(
                    "{} {} ({}) as {}: {} instead of {want}: {}",
                    row.method,
                    row.route,
                    row.whose,
                    ROLES[i],
                    got.status,
                    got.body.chars().take(160).collect::<String>()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
