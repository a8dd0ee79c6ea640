//! Accounts and tokens over their life, through the real binary, on SQLite and on PostgreSQL:
//! a token named, listed with its expiry and last use (never its secret), named in the history
//! by what it did, refused once revoked or expired (401, each with its code and Chinese words);
//! an account disabled (it cannot sign in, its open session ends), enabled, reset (its old
//! password stops at once, a new one-time link sets one); and the same from the office's
//! accounts page.

use crate::common::Workspace;
use crate::web_rights::{csrf, secret_of};
use crate::webserver::{Server, sign_up, token};

const PASSWORD: &str = "宛城区联络员的密码1234";
const OFFICE_PASSWORD: &str = "主办单位赵办的密码5678";
const SUBMISSION: &str = r#"{"campaign":"nanyang-2017","deliverable":"工作方案","unit":"宛城区"}"#;

/// Runs SQL on the records (to age a token past its expiry: a test waits for no clock).
fn execute(w: &Workspace, postgres: Option<&str>, sql: &str) {
    match postgres {
        Some(url) => {
            let mut db = postgres::Client::connect(url, postgres::NoTls).unwrap();
            db.batch_execute(sql).unwrap();
        }
        None => {
            let conn = rusqlite::Connection::open(w.db()).unwrap();
            conn.busy_timeout(std::time::Duration::from_secs(10))
                .unwrap();
            conn.execute_batch(sql).unwrap();
        }
    }
}

/// Sets `password` through the one-time `link`, then signs in: the session cookie. (A sign-in
/// may first tell of wrong passwords tried meanwhile: 200 with the session, not 303.)
fn set_and_sign_in(server: &Server, link: &str, name: &str, password: &str) -> String {
    let form = server.get(&format!("/set-password?token={link}"), "");
    assert_eq!(form.status, 200);
    let csrf = form.cookie("duban_csrf").unwrap();
    let secret = csrf.split_once('=').unwrap().1.to_string();
    let set = server.send(
        "POST",
        "/set-password",
        &csrf,
        &[("token", link), ("password", password), ("csrf", &secret)],
    );
    assert_eq!(set.status, 303, "{}", set.body);
    let signed = server.sign_in_attempt(name, password);
    assert!([200, 303].contains(&signed.status), "{}", signed.body);
    signed.cookie("duban_session").unwrap()
}

/// The secret `token create` ends with.
fn secret(created: &str) -> String {
    created.split_whitespace().last().unwrap().to_string()
}

/// A 401 of the API with its code, its words Chinese.
fn refused(reply: &crate::webserver::Reply, code: &str) -> String {
    assert_eq!(reply.status, 401, "{}", reply.body);
    let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(body["code"], code, "{body}");
    let error = body["error"].as_str().unwrap().to_string();
    assert!(
        error
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "in Chinese: {error}"
    );
    error
}

#[test]
fn accounts_and_tokens_live_revoke_expire_and_reset_on_sqlite() {
    accounts_and_tokens_live_revoke_expire_and_reset(None);
}

#[test]
fn accounts_and_tokens_live_revoke_expire_and_reset_on_postgres() {
    let Some(url) = crate::pgserver::database() else {
        return;
    };
    accounts_and_tokens_live_revoke_expire_and_reset(Some(&url));
}

fn accounts_and_tokens_live_revoke_expire_and_reset(postgres: Option<&str>) {
    let w = Workspace::new(&["nanyang-2017"]);
    if let Some(url) = postgres {
        std::fs::write(
            w.path().join("duban.toml"),
            format!("database = \"{url}\"\ntoken_days = 30\n"),
        )
        .unwrap();
    } else {
        std::fs::write(w.path().join("duban.toml"), "token_days = 30\n").unwrap();
    }

    // Tokens: one named, one named by default, one that never expires.
    let named = w.ok(&[
        "token",
        "create",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
        "--name",
        "宛城区填报系统",
        "--expires",
        "90",
    ]);
    assert!(named.starts_with("created token 宛城区填报系统"), "{named}");
    let named = secret(&named);
    let default = w.ok(&["token", "create", "--unit", "宛城区", "--role", "liaison"]);
    assert!(default.contains("token 宛城区-1 "), "{default}");
    let default = secret(&default);
    let lasting = w.ok(&[
        "token",
        "create",
        "--role",
        "office",
        "--name",
        "省平台",
        "--expires",
        "never",
    ]);
    assert!(lasting.contains("never expires"), "{lasting}");
    // A name is a token's for good; a date already over is refused; both exit 2.
    let taken = w.fails(&[
        "token",
        "create",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
        "--name",
        "省平台",
    ]);
    assert!(taken.contains("exists already"), "{taken}");
    let past = w.fails(&[
        "token",
        "create",
        "--role",
        "office",
        "--expires",
        "2020-01-01",
    ]);
    assert!(past.contains("at least a day"), "{past}");
    let unreadable = w.run(&["token", "create", "--role", "office", "--expires", "soon"]);
    assert_eq!(unreadable.code, 2, "{}", unreadable.stderr);

    let link = token(&w.ok(&[
        "user",
        "add",
        "张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]));
    let office_link = token(&w.ok(&["user", "add", "赵办", "--role", "office"]));
    // An existing name says how a forgotten password is mended.
    let again = w.fails(&[
        "user",
        "add",
        "张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]);
    assert!(again.contains("duban user reset 张三"), "{again}");

    let server = Server::start(&w, "2017-05-24T09:00");

    // The named token acts, and the history names it.
    let done = server.api("POST", "/api/v1/submissions", &named, Some(SUBMISSION));
    assert_eq!(done.status, 201, "{}", done.body);
    let history = w.json(&["history", "nanyang-2017", "工作方案", "宛城区"]);
    assert_eq!(
        history["events"][0]["by"], "token:宛城区填报系统",
        "{history}"
    );

    // Listed with expiry and last use, never with a secret.
    let listed = w.ok(&["token", "list"]);
    for s in [&named, &default] {
        assert!(!listed.contains(s.as_str()), "no secret listed:\n{listed}");
    }
    let tokens = w.json(&["token", "list"]);
    let by_name = |name: &str| -> serde_json::Value {
        tokens
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {tokens}"))
            .clone()
    };
    let used = by_name("宛城区填报系统");
    assert_eq!(used["state"], "active", "{used}");
    assert!(used["last_used_at"].is_string(), "{used}");
    assert!(used["expires_at"].is_string(), "{used}");
    let unused = by_name("宛城区-1");
    assert!(unused["last_used_at"].is_null(), "{unused}");
    let expiry = |t: &serde_json::Value, field: &str| {
        chrono::DateTime::parse_from_rfc3339(t[field].as_str().unwrap()).unwrap()
    };
    let days =
        |t: &serde_json::Value| (expiry(t, "expires_at") - expiry(t, "created_at")).num_days();
    assert_eq!(days(&used), 90, "--expires 90: {used}");
    assert_eq!(days(&unused), 30, "token_days of duban.toml: {unused}");
    assert!(by_name("省平台")["expires_at"].is_null());

    // Revoked: refused from then on, by its name (or number).
    let revoked = w.ok(&["token", "revoke", "宛城区填报系统"]);
    assert!(
        revoked.starts_with("revoked token 宛城区填报系统"),
        "{revoked}"
    );
    let words = refused(
        &server.api("POST", "/api/v1/submissions", &named, Some(SUBMISSION)),
        "token_revoked",
    );
    assert!(words.contains("吊销"), "{words}");
    let twice = w.ok(&["token", "revoke", &used["id"].to_string()]);
    assert!(twice.contains("revoked already"), "{twice}");
    let unknown = w.fails(&["token", "revoke", "宛城区填报系"]);
    assert!(
        unknown.contains("宛城区填报系统"),
        "the nearest name: {unknown}"
    );
    assert_eq!(
        w.json(&["token", "list"])[0]["state"],
        "revoked",
        "listed as revoked"
    );

    // Expired: refused, saying so.
    let path = "/api/v1/obligations?campaign=nanyang-2017";
    assert_eq!(server.api("GET", path, &default, None).status, 200);
    execute(
        &w,
        postgres,
        "UPDATE api_tokens SET expires_at = 1000 WHERE name = '宛城区-1'",
    );
    let words = refused(&server.api("GET", path, &default, None), "token_expired");
    assert!(words.contains("过期"), "{words}");
    refused(
        &server.api("GET", path, "not-a-token", None),
        "unknown_token",
    );
    refused(&server.api("GET", path, "", None), "no_token");
    assert_eq!(w.json(&["token", "list"])[1]["state"], "expired");

    // A disabled account cannot sign in, and its open session ends at once.
    let session = sign_up(&server, &link, "张三", PASSWORD);
    let own = "/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA";
    assert_eq!(server.get(own, &session).status, 200);
    let users = w.json(&["user", "list"]);
    assert!(users[0]["last_sign_in_at"].is_string(), "{users}");
    assert_eq!(users[0]["state"], "active", "{users}");
    let disabled = w.ok(&["user", "disable", "张三"]);
    assert!(disabled.starts_with("disabled 张三"), "{disabled}");
    assert_eq!(server.get(own, &session).status, 303, "the session ended");
    let signing = server.sign_in_attempt("张三", PASSWORD);
    assert_eq!(signing.status, 403, "{}", signing.body);
    assert!(signing.body.contains("已停用"), "{}", signing.body);
    assert_eq!(w.json(&["user", "list"])[0]["state"], "disabled");
    let unknown = w.fails(&["user", "disable", "张四"]);
    assert!(unknown.contains("unknown account"), "{unknown}");

    // Enabled again, the same password signs in.
    w.ok(&["user", "enable", "张三"]);
    assert_eq!(server.sign_in_attempt("张三", PASSWORD).status, 303);

    // Reset: the old password stops at once, the session ends, the new link sets a new one.
    let session = server.sign_in_attempt("张三", PASSWORD);
    let session = session.cookie("duban_session").unwrap();
    let reset = w.ok(&["user", "reset", "张三"]);
    let new_link = token(&reset);
    assert_eq!(server.sign_in_attempt("张三", PASSWORD).status, 401);
    assert_eq!(server.get(own, &session).status, 303);
    assert_eq!(w.json(&["user", "list"])[0]["state"], "awaiting_password");
    let new_password = "张三重新设置的密码0000";
    let session = set_and_sign_in(&server, &new_link, "张三", new_password);
    assert_eq!(server.get(own, &session).status, 200);

    // The office's page: every account and token, and the same acts.
    let office = sign_up(&server, &office_link, "赵办", OFFICE_PASSWORD);
    let page = server.get("/accounts", &office);
    assert_eq!(page.status, 200);
    for shown in [
        "宛城区填报系统",
        "已吊销",
        "已过期",
        "长期有效",
        "最近登录",
        "从未使用",
    ] {
        assert!(page.body.contains(shown), "{shown} on the page");
    }
    assert!(!page.body.contains(&default), "no secret on the page");
    let secret = secret_of(&server, &office);
    let post = |path: &str, form: &[(&str, &str)]| {
        let mut all = vec![("csrf", secret.as_str())];
        all.extend_from_slice(form);
        server.send("POST", path, &office, &all)
    };
    let done = post("/accounts/disable", &[("name", "张三")]);
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("已停用 张三"), "{}", done.body);
    assert_eq!(server.get(own, &session).status, 303, "the session ended");
    assert_eq!(server.sign_in_attempt("张三", new_password).status, 403);
    let own_account = post("/accounts/disable", &[("name", "赵办")]);
    assert_eq!(own_account.status, 422, "{}", own_account.body);
    let done = post("/accounts/enable", &[("name", "张三")]);
    assert!(done.body.contains("已启用 张三"), "{}", done.body);
    assert_eq!(server.sign_in_attempt("张三", new_password).status, 303);
    let done = post("/accounts/reset", &[("name", "张三")]);
    assert_eq!(done.status, 200, "{}", done.body);
    let page_link = done
        .body
        .split("set-password?token=")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(server.sign_in_attempt("张三", new_password).status, 401);
    set_and_sign_in(&server, &page_link, "张三", PASSWORD);
    let unknown = post("/accounts/reset", &[("name", "张四")]);
    assert_eq!(unknown.status, 422);
    assert!(
        unknown.body.contains("没有名为「张四」的账号"),
        "{}",
        unknown.body
    );

    let made = post(
        "/accounts/tokens",
        &[
            ("name", "卧龙区接口"),
            ("unit", "卧龙区"),
            ("role", "liaison"),
            ("days", "7"),
        ],
    );
    assert_eq!(made.status, 200, "{}", made.body);
    let no_unit = post("/accounts/tokens", &[("role", "liaison")]);
    assert_eq!(no_unit.status, 422, "{}", no_unit.body);
    assert!(no_unit.body.contains("请填写单位"), "{}", no_unit.body);
    assert!(!no_unit.body.contains("--unit"), "no flag on a page");
    let page_secret = made
        .body
        .split("<code id=\"secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(server.api("GET", path, &page_secret, None).status, 200);
    assert!(
        !server.get("/accounts", &office).body.contains(&page_secret),
        "the secret is shown once"
    );
    let id = w
        .json(&["token", "list"])
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "卧龙区接口")
        .unwrap()["id"]
        .to_string();
    let done = post("/accounts/tokens/revoke", &[("id", &id)]);
    assert!(done.body.contains("已吊销令牌 卧龙区接口"), "{}", done.body);
    refused(
        &server.api("GET", path, &page_secret, None),
        "token_revoked",
    );
    // A form without the session's secret does nothing.
    let forged = server.send(
        "POST",
        "/accounts/disable",
        &office,
        &[("csrf", "0".repeat(64).as_str()), ("name", "张三")],
    );
    assert_eq!(forged.status, 422);
    assert_eq!(server.sign_in_attempt("张三", PASSWORD).status, 303);
    assert!(!csrf(&page).is_empty());
}

/// Tokens made before tokens had names keep working once the records are upgraded: named
/// UNIT-N (or ROLE-N) by their row, without an expiry, and the history names them so.
#[test]
fn tokens_made_before_names_keep_working_on_sqlite() {
    let w = Workspace::new(&["nanyang-2017"]);
    let steps = duban::store::schema::MIGRATIONS;
    let before = steps
        .iter()
        .position(|s| s.contains("api_tokens_lifecycle"))
        .unwrap();
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    for step in &steps[..before] {
        conn.execute_batch(step).unwrap();
    }
    conn.pragma_update(None, "user_version", before as i64)
        .unwrap();
    conn.pragma_update(None, "application_id", 0x6475_626e_i64)
        .unwrap();
    conn.pragma_update(None, "journal_mode", "wal").unwrap();
    old_tokens(|sql, args| {
        conn.execute(sql, rusqlite::params_from_iter(args)).unwrap();
    });
    drop(conn);
    tokens_made_before_work(&w);
}

#[test]
fn tokens_made_before_names_keep_working_on_postgres() {
    let Some(url) = crate::pgserver::database() else {
        return;
    };
    let w = Workspace::new(&["nanyang-2017"]);
    std::fs::write(
        w.path().join("duban.toml"),
        format!("database = \"{url}\"\n"),
    )
    .unwrap();
    let steps = duban::store::postgres::MIGRATIONS;
    let before = steps
        .iter()
        .position(|s| s.contains("ADD COLUMN name TEXT"))
        .unwrap();
    let mut db = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    for step in &steps[..before] {
        db.batch_execute(step).unwrap();
    }
    db.batch_execute(&format!(
        "CREATE TABLE duban_schema (version BIGINT NOT NULL); INSERT INTO duban_schema VALUES ({before})"
    ))
    .unwrap();
    old_tokens(|sql, args| {
        let args: Vec<&(dyn postgres::types::ToSql + Sync)> = args
            .iter()
            .map(|a| a as &(dyn postgres::types::ToSql + Sync))
            .collect();
        let sql = sql
            .replace("?1", "$1")
            .replace("?2", "$2")
            .replace("?3", "$3");
        db.execute(&sql, &args).unwrap();
    });
    drop(db);
    tokens_made_before_work(&w);
}

/// The secrets of the tokens [`old_tokens`] keeps, by the table's row.
const OLD_SECRETS: [&str; 3] = ["old-secret-one", "old-secret-two", "old-secret-three"];

/// Two tokens of 宛城区 and one of the office, as the records kept them before names.
fn old_tokens(mut insert: impl FnMut(&str, Vec<String>)) {
    use sha2::Digest;
    let digest = |s: &str| {
        sha2::Sha256::digest(s.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    for (secret, unit, role) in [
        (OLD_SECRETS[0], "宛城区", "liaison"),
        (OLD_SECRETS[1], "宛城区", "leader"),
        (OLD_SECRETS[2], "", "office"),
    ] {
        insert(
            "INSERT INTO api_tokens (token, unit, role, created_at) VALUES (?1, NULLIF(?2, ''), ?3, 1000)",
            vec![digest(secret), unit.to_string(), role.to_string()],
        );
    }
}

fn tokens_made_before_work(w: &Workspace) {
    let tokens = w.json(&["token", "list"]);
    let names: Vec<&str> = tokens
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["宛城区-1", "宛城区-2", "office-3"], "{tokens}");
    assert!(tokens[0]["expires_at"].is_null(), "{tokens}");
    // A new token of the unit takes the next free number.
    let made = w.ok(&["token", "create", "--unit", "宛城区", "--role", "liaison"]);
    assert!(made.contains("token 宛城区-3 "), "{made}");
    let server = Server::start(w, "2017-05-24T09:00");
    let done = server.api(
        "POST",
        "/api/v1/submissions",
        OLD_SECRETS[1],
        Some(SUBMISSION),
    );
    assert_eq!(done.status, 201, "{}", done.body);
    let history = w.json(&["history", "nanyang-2017", "工作方案", "宛城区"]);
    assert_eq!(history["events"][0]["by"], "token:宛城区-2", "{history}");
    w.ok(&["token", "revoke", "2"]);
    refused(
        &server.api(
            "GET",
            "/api/v1/obligations?campaign=nanyang-2017",
            OLD_SECRETS[1],
            None,
        ),
        "token_revoked",
    );
}
