//! Signing in under attack, through the real binary behind `--behind-proxy` (the address the
//! proxy names in `X-Forwarded-For` is the client's): a guesser's address waits at the account
//! it guesses, each wait twice the last, while the owner signs in from another address and is
//! told of the guesses; forty wrong passwords at once get exactly the checks allowed. On SQLite
//! and on PostgreSQL.

use std::path::PathBuf;

use crate::common::Workspace;
use crate::webserver::{Reply, Server, encode, sign_up, token};

const PASSWORD: &str = "宛城区联络员的密码1234";
const GUESSER: &str = "203.0.113.66";
const OWNER: &str = "198.51.100.7";

/// Where the records are, to move a pair's last try back in time (the server's clock is the
/// wall's, and a test waits for no clock).
enum Records {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Records {
    /// Every pair's last try `seconds` earlier.
    fn age(&self, seconds: i64) {
        let sql = "UPDATE sign_in_attempts SET last_at = last_at - $1";
        match self {
            Records::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.busy_timeout(std::time::Duration::from_secs(10))
                    .unwrap();
                conn.execute(sql, [seconds]).unwrap();
            }
            Records::Postgres(url) => {
                let mut db = postgres::Client::connect(url, postgres::NoTls).unwrap();
                db.execute(sql, &[&seconds]).unwrap();
            }
        }
    }
}

/// The 宛城区 liaison 张三 with their password set, on a server behind a "proxy".
fn started(postgres: bool) -> Option<(Workspace, Server, Records)> {
    let w = Workspace::new(&["nanyang-2017"]);
    let records = if postgres {
        let url = crate::pgserver::database()?;
        std::fs::write(
            w.path().join("duban.toml"),
            format!("database = \"{url}\"\n"),
        )
        .unwrap();
        Records::Postgres(url)
    } else {
        Records::Sqlite(w.db())
    };
    let link = token(&w.ok(&[
        "user",
        "add",
        "张三",
        "--unit",
        "宛城区",
        "--role",
        "liaison",
    ]));
    let server = Server::start_with(&w, &["--as-of", "2017-05-27", "--behind-proxy"]);
    sign_up(&server, &link, "张三", PASSWORD);
    Some((w, server, records))
}

/// A sign-in form's CSRF cookie and secret, which every try below sends.
struct Form {
    cookie: String,
    secret: String,
}

impl Form {
    fn new(server: &Server) -> Form {
        let cookie = server.get("/login", "").cookie("duban_csrf").unwrap();
        let secret = cookie.split_once('=').unwrap().1.to_string();
        Form { cookie, secret }
    }

    /// One try as `name` with `password`, from the address `from` as the proxy names it.
    fn try_from(&self, server: &Server, name: &str, password: &str, from: &str) -> Reply {
        let body = format!(
            "name={}&password={}&csrf={}",
            encode(name),
            encode(password),
            self.secret
        );
        server.exchange(
            "POST",
            "/login",
            &[
                format!("Cookie: {}", self.cookie),
                "Content-Type: application/x-www-form-urlencoded".to_string(),
                format!("X-Forwarded-For: {from}"),
            ],
            &body,
        )
    }
}

/// The seconds a refused try is told to wait.
fn waits(reply: &Reply) -> i64 {
    assert_eq!(reply.status, 429, "{}", reply.body);
    reply.header("retry-after").unwrap().parse().unwrap()
}

#[test]
fn a_guesser_waits_longer_each_time_and_the_owner_signs_in_on_sqlite() {
    a_guesser_waits_longer_each_time_and_the_owner_signs_in(false);
}

#[test]
fn a_guesser_waits_longer_each_time_and_the_owner_signs_in_on_postgres() {
    a_guesser_waits_longer_each_time_and_the_owner_signs_in(true);
}

fn a_guesser_waits_longer_each_time_and_the_owner_signs_in(postgres: bool) {
    let Some((_w, server, records)) = started(postgres) else {
        return;
    };
    let form = Form::new(&server);
    for _ in 0..5 {
        let wrong = form.try_from(&server, "张三", "not the password", GUESSER);
        assert_eq!(wrong.status, 401, "{}", wrong.body);
    }
    let refused = form.try_from(&server, "张三", PASSWORD, GUESSER);
    assert!((55..=60).contains(&waits(&refused)), "a minute");
    assert!(refused.body.contains("请1分钟后再试"), "{}", refused.body);

    // The owner, from another address, is not kept out, and is told of the guesses once.
    let owner = form.try_from(&server, "张三", PASSWORD, OWNER);
    assert_eq!(owner.status, 200, "{}", owner.body);
    assert!(
        owner.body.contains(&format!(
            "您的账号自上次登录以来有5次密码错误的登录尝试，最近一次来自 {GUESSER} 于 "
        )),
        "{}",
        owner.body
    );
    assert!(!owner.body.contains("--"), "no command-line flag in it");
    let session = owner.cookie("duban_session").unwrap();
    assert_eq!(server.get("/board", &session).status, 303, "to its unit");
    assert_eq!(
        server
            .get("/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA", &session)
            .status,
        200
    );
    let again = form.try_from(&server, "张三", PASSWORD, OWNER);
    assert_eq!(again.status, 303, "told once: {}", again.body);
    // Another address of the guesser's is a fresh start too; the guesser's still waits.
    assert_eq!(
        form.try_from(&server, "张三", "not the password", "203.0.113.67")
            .status,
        401
    );
    assert!(waits(&form.try_from(&server, "张三", PASSWORD, GUESSER)) > 50);

    // Once its wait is over, each wrong password doubles it.
    records.age(60);
    let wrong = form.try_from(&server, "张三", "still not it", GUESSER);
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert!((115..=120).contains(&waits(&form.try_from(&server, "张三", PASSWORD, GUESSER))));
    records.age(120);
    assert_eq!(
        form.try_from(&server, "张三", "still not it", GUESSER)
            .status,
        401
    );
    let refused = form.try_from(&server, "张三", PASSWORD, GUESSER);
    assert!((235..=240).contains(&waits(&refused)));
    assert!(refused.body.contains("请4分钟后再试"), "{}", refused.body);

    let owner = form.try_from(&server, "张三", PASSWORD, OWNER);
    assert!(
        owner.body.contains("有3次密码错误的登录尝试"),
        "the two since, and 203.0.113.67's: {}",
        owner.body
    );
}

#[test]
fn forty_wrong_passwords_at_once_get_five_checks_on_sqlite() {
    forty_wrong_passwords_at_once_get_five_checks(false);
}

#[test]
fn forty_wrong_passwords_at_once_get_five_checks_on_postgres() {
    forty_wrong_passwords_at_once_get_five_checks(true);
}

fn forty_wrong_passwords_at_once_get_five_checks(postgres: bool) {
    let Some((_w, server, _records)) = started(postgres) else {
        return;
    };
    let form = Form::new(&server);
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let tries: Vec<_> = (0..40)
            .map(|n| {
                let (server, form) = (&server, &form);
                scope.spawn(move || {
                    form.try_from(server, "张三", &format!("guess {n}"), GUESSER)
                        .status
                })
            })
            .collect();
        tries.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (5, 35), "{statuses:?}");
    let owner = form.try_from(&server, "张三", PASSWORD, OWNER);
    assert!(
        owner.body.contains("有5次密码错误的登录尝试"),
        "{}",
        owner.body
    );
}
