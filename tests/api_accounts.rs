//! The office's accounts and tokens through the API, as its page manages them: an account made
//! (its one-time link answered once) signs up, is disabled (its session ends), enabled and
//! reset; a token made works until another revokes it, and none revokes itself; listings carry
//! no secret and come in pages; a read-only token of the office reads them and changes nothing.
//! And the board's trend as JSON.

use crate::common::Workspace;
use crate::webserver::{Server, sign_up};
use serde_json::Value;

fn token(w: &Workspace, args: &[&str]) -> String {
    let mut create = vec!["token", "create"];
    create.extend_from_slice(args);
    w.ok(&create).split_whitespace().last().unwrap().to_string()
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn the_office_manages_accounts_and_tokens_through_the_api() {
    let w = Workspace::new(&["nanyang-2017"]);
    let office = token(&w, &["--role", "office", "--name", "人事系统"]);
    let reader = token(&w, &["--role", "office", "--read-only"]);
    let server = Server::start(&w, "2017-05-24T09:00");

    // An account: 201 with its link, once; its holder signs up through it.
    let made = server.api(
        "POST",
        "/api/v1/accounts",
        &office,
        Some(r#"{"name":"新联络员","unit":"宛城区","role":"liaison"}"#),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let account = json(&made.body);
    assert_eq!(account["role"], "liaison", "{account}");
    assert_eq!(account["ready"], false, "{account}");
    let link = account["link"].as_str().unwrap();
    let link = link.rsplit("token=").next().unwrap();
    let cookie = sign_up(&server, link, "新联络员", "a long enough password");
    assert_eq!(
        server
            .get("/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA", &cookie)
            .status,
        200
    );
    // The same name again: the records' state refuses it.
    let again = server.api(
        "POST",
        "/api/v1/accounts",
        &office,
        Some(r#"{"name":"新联络员","unit":"宛城区","role":"liaison"}"#),
    );
    assert_eq!(again.status, 409, "{}", again.body);
    // A role that acts for a unit, without one; a name of the history's tokens.
    for body in [
        r#"{"name":"无单位","role":"liaison"}"#,
        r#"{"name":"token:x","role":"supervisor"}"#,
    ] {
        let refused = server.api("POST", "/api/v1/accounts", &office, Some(body));
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert!(
            refused.body.contains("\"code\":\"bad_account\""),
            "{}",
            refused.body
        );
    }

    // Disabled: the session ends; again, it says it was; enabled; reset gives a new link.
    let path = "/api/v1/accounts/%E6%96%B0%E8%81%94%E7%BB%9C%E5%91%98";
    let disabled = server.api("POST", &format!("{path}/disable"), &office, None);
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    let disabled = json(&disabled.body);
    assert_eq!(disabled["was_disabled"], false, "{disabled}");
    assert!(disabled["disabled_at"].is_string(), "{disabled}");
    assert_eq!(
        server
            .get("/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA", &cookie)
            .status,
        303
    );
    let twice = json(
        &server
            .api("POST", &format!("{path}/disable"), &office, None)
            .body,
    );
    assert_eq!(twice["was_disabled"], true, "{twice}");
    let enabled = json(
        &server
            .api("POST", &format!("{path}/enable"), &office, None)
            .body,
    );
    assert!(enabled["disabled_at"].is_null(), "{enabled}");
    let reset = json(
        &server
            .api("POST", &format!("{path}/reset"), &office, None)
            .body,
    );
    assert_eq!(reset["ready"], false, "{reset}");
    assert!(
        reset["link"]
            .as_str()
            .unwrap()
            .starts_with("/set-password?token=")
    );
    let unknown = server.api(
        "POST",
        "/api/v1/accounts/%E6%97%A0%E4%BA%BA/disable",
        &office,
        None,
    );
    assert_eq!(unknown.status, 404, "{}", unknown.body);

    // A token: its secret once; it works; another revokes it; none revokes itself.
    let made = server.api(
        "POST",
        "/api/v1/tokens",
        &office,
        Some(r#"{"name":"填报系统","unit":"宛城区","role":"liaison","days":30,"campaigns":["nanyang-2017"]}"#),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let made = json(&made.body);
    let secret = made["secret"].as_str().unwrap().to_string();
    assert_eq!(
        made["campaigns"],
        serde_json::json!(["nanyang-2017"]),
        "{made}"
    );
    assert!(made["expires_at"].is_string(), "{made}");
    let works = server.api(
        "GET",
        "/api/v1/obligations?campaign=nanyang-2017",
        &secret,
        None,
    );
    assert_eq!(works.status, 200, "{}", works.body);
    // JSON's 30.0 is JSON Schema's integer 30; 0 and 3661 days are not a token's.
    let whole = server.api(
        "POST",
        "/api/v1/tokens",
        &office,
        Some(r#"{"name":"看板","role":"supervisor","days":30.0,"read_only":true}"#),
    );
    assert_eq!(whole.status, 201, "{}", whole.body);
    for days in ["0", "3661", "1.5"] {
        let body = format!(r#"{{"role":"supervisor","days":{days}}}"#);
        let refused = server.api("POST", "/api/v1/tokens", &office, Some(&body));
        assert_eq!(refused.status, 422, "{days}: {}", refused.body);
    }
    for name in ["12", " #+7 ", "99999999999999999999999"] {
        let body = format!(r#"{{"name":"{name}","role":"supervisor"}}"#);
        let refused = server.api("POST", "/api/v1/tokens", &office, Some(&body));
        assert_eq!(refused.status, 422, "{name}: {}", refused.body);
    }
    let revoked = server.api(
        "POST",
        "/api/v1/tokens/%E5%A1%AB%E6%8A%A5%E7%B3%BB%E7%BB%9F/revoke",
        &office,
        None,
    );
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(json(&revoked.body)["was_revoked"], false);
    let refused = server.api(
        "GET",
        "/api/v1/obligations?campaign=nanyang-2017",
        &secret,
        None,
    );
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(refused.body.contains("token_revoked"), "{}", refused.body);
    let itself = server.api(
        "POST",
        "/api/v1/tokens/%E4%BA%BA%E4%BA%8B%E7%B3%BB%E7%BB%9F/revoke",
        &office,
        None,
    );
    assert_eq!(itself.status, 409, "{}", itself.body);
    assert!(
        itself.body.contains("\"code\":\"own_token\""),
        "{}",
        itself.body
    );

    // The listings: no secret, no hash, no link; in pages of one, the whole list.
    let tokens = server.pages("/api/v1/tokens?limit=1", &office, 1);
    let names: Vec<&str> = tokens.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["人事系统", "office-1", "填报系统", "看板"],
        "{tokens:?}"
    );
    let accounts = server.pages("/api/v1/accounts?limit=1", &office, 1);
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    let listed = format!("{tokens:?}{accounts:?}");
    for kept in [&secret, "secret", "password", "link", "argon2"] {
        assert!(!listed.contains(kept), "{kept} in {listed}");
    }

    // A read-only token of the office reads them, and changes nothing.
    assert_eq!(
        server.api("GET", "/api/v1/tokens", &reader, None).status,
        200
    );
    for (path, body) in [
        (
            "/api/v1/accounts",
            Some(r#"{"name":"只读的","role":"supervisor"}"#),
        ),
        ("/api/v1/tokens", Some(r#"{"role":"supervisor"}"#)),
        (&format!("{path}/disable")[..], None),
        ("/api/v1/tokens/1/revoke", None),
    ] {
        let refused = server.api("POST", path, &reader, body);
        assert_eq!(refused.status, 403, "{path}: {}", refused.body);
    }
    let still = json(&server.api("GET", "/api/v1/accounts", &office, None).body);
    assert_eq!(still.as_array().unwrap().len(), 1, "{still}");
    assert!(still[0]["disabled_at"].is_null(), "{still}");
}

#[test]
fn the_boards_trend_through_the_api() {
    let w = Workspace::new(&["nanyang-2017"]);
    // Two of April's 52 reports in by their deadlines (26 units' 工作方案 and 统计表): 3.8%.
    for unit in ["宛城区", "卧龙区"] {
        w.submit("nanyang-2017", "工作方案", unit)
            .at("2017-04-14")
            .ok();
    }
    let supervisor = token(&w, &["--role", "supervisor"]);
    let liaison = token(&w, &["--role", "liaison", "--unit", "宛城区"]);
    let server = Server::start(&w, "2017-05-27T09:00");
    let trend = server.api(
        "GET",
        "/api/v1/board/trend?campaign=nanyang-2017",
        &supervisor,
        None,
    );
    assert_eq!(trend.status, 200, "{}", trend.body);
    assert_eq!(
        json(&trend.body)["months"],
        serde_json::json!([
            {"month": "2017-04", "on_time_rate": 3.8},
            {"month": "2017-05", "on_time_rate": 0.0}
        ]),
        "{}",
        trend.body
    );
    assert!(trend.header("etag").is_some());
    let refused = server.api(
        "GET",
        "/api/v1/board/trend?campaign=nanyang-2017",
        &liaison,
        None,
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    let unknown = server.api(
        "GET",
        "/api/v1/board/trend?campaign=nowhere",
        &supervisor,
        None,
    );
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}

/// An office bound to its campaigns acts only on the accounts and tokens of those, whatever
/// spelling names another's: `#12` is token 12, and another office's is forbidden; its own, by
/// any spelling, it does not revoke; an unknown name is not answered with another office's.
#[test]
fn another_offices_accounts_and_tokens_are_not_reached_by_any_spelling() {
    let w = Workspace::new(&["nanyang-2017", "gulu-2023"]);
    let nanyang = token(
        &w,
        &[
            "--role",
            "liaison",
            "--unit",
            "宛城区",
            "--name",
            "南阳填报",
        ],
    );
    let gulu = token(
        &w,
        &[
            "--role",
            "office",
            "--campaign",
            "gulu-2023",
            "--name",
            "古路办",
        ],
    );
    w.ok(&[
        "user",
        "add",
        "南阳张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]);
    let listed = w.json(&["token", "list"]);
    let id = |name: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .map(|t| t["id"].as_i64().unwrap())
            .unwrap()
    };
    let (theirs, mine) = (id("南阳填报"), id("古路办"));
    let server = Server::start(&w, "2017-05-24T09:00");
    for spelling in [
        format!("{theirs}"),
        format!("%23{theirs}"),
        format!("0{theirs}"),
    ] {
        let refused = server.api(
            "POST",
            &format!("/api/v1/tokens/{spelling}/revoke"),
            &gulu,
            None,
        );
        assert_eq!(refused.status, 403, "{spelling}: {}", refused.body);
    }
    let works = server.api(
        "GET",
        "/api/v1/obligations?campaign=nanyang-2017",
        &nanyang,
        None,
    );
    assert_eq!(
        works.status, 200,
        "南阳's token still works: {}",
        works.body
    );
    for spelling in [
        format!("{mine}"),
        format!("%23{mine}"),
        format!("%20{mine}"),
    ] {
        let itself = server.api(
            "POST",
            &format!("/api/v1/tokens/{spelling}/revoke"),
            &gulu,
            None,
        );
        assert_eq!(itself.status, 409, "{spelling}: {}", itself.body);
    }
    let unknown = server.api(
        "POST",
        "/api/v1/accounts/%E5%8D%97%E9%98%B3%E5%BC%A0%E5%9B%9B/disable",
        &gulu,
        None,
    );
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert!(!unknown.body.contains("南阳张三"), "{}", unknown.body);
    let theirs = server.api(
        "POST",
        "/api/v1/accounts/%E5%8D%97%E9%98%B3%E5%BC%A0%E4%B8%89/reset",
        &gulu,
        None,
    );
    assert_eq!(theirs.status, 403, "{}", theirs.body);
}
