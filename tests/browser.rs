//! The web pages in a real browser: Debian's `chromium`, headless, driven through
//! `chromedriver` by the W3C WebDriver protocol (JSON over HTTP, spoken here on a plain
//! `TcpStream`). The four roles of 南阳 go through their day: the liaison submits 统计表 with a
//! file and sees it on time; the receiving office's reviewer returns it after the deadline; the
//! supervisor's board turns the unit red; the office extends the deadline. Screenshots are kept
//! in `target/browser/` for the developer to look at.
//!
//! Without `chromium` and `chromedriver` the test fails, saying what to install — unless
//! `DUBAN_TEST_BROWSER=skip` asks to skip it, which it then says out loud.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::Workspace;
use crate::webserver::{Server, token};

/// A running `chromedriver`, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Driver {
    /// `chromedriver` on a free port, or none (said out loud) when asked to skip.
    fn start() -> Option<Driver> {
        let missing: Vec<&str> = ["/usr/bin/chromium", "/usr/bin/chromedriver"]
            .into_iter()
            .filter(|p| !Path::new(p).exists())
            .collect();
        if !missing.is_empty() {
            if std::env::var("DUBAN_TEST_BROWSER").as_deref() == Ok("skip") {
                eprintln!("SKIPPED: the browser tests (DUBAN_TEST_BROWSER=skip)");
                return None;
            }
            panic!(
                "the browser tests need {} (apt-get install chromium chromium-driver), or \
                 DUBAN_TEST_BROWSER=skip to skip them knowingly",
                missing.join(" and ")
            );
        }
        let port = free_port();
        let child = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let driver = Driver { child, port };
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(driver);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("chromedriver did not listen on {port}");
    }

    /// One WebDriver command: its `value`, or a panic with the driver's error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .unwrap();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).unwrap();
        let json = read_reply(&mut stream);
        let reply: Value = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {json}"));
        let value = reply["value"].clone();
        if value.get("error").is_some() {
            panic!("{method} {path}: {value}");
        }
        value
    }
}

/// The body of an HTTP reply, by its Content-Length (chromedriver keeps the connection open).
fn read_reply(stream: &mut TcpStream) -> String {
    let mut raw = Vec::new();
    let mut buffer = [0u8; 64 * 1024];
    loop {
        let n = stream.read(&mut buffer).unwrap();
        raw.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&raw);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.trim().parse::<usize>().ok());
            if length.is_some_and(|l| body.len() >= l) || n == 0 {
                return body.to_string();
            }
        }
        if n == 0 {
            return text.to_string();
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless browser window with a profile of its own.
struct Browser<'d> {
    driver: &'d Driver,
    session: String,
    base: String,
    _profile: tempfile::TempDir,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl<'d> Browser<'d> {
    fn open(driver: &'d Driver, server: &Server, width: u32, height: u32) -> Browser<'d> {
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args }
        } } });
        let created = driver.call("POST", "/session", Some(capabilities));
        Browser {
            driver,
            session: created["sessionId"].as_str().unwrap().to_string(),
            base: format!("http://127.0.0.1:{}", server.port),
            _profile: profile,
        }
    }

    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.driver.call(method, &path, body)
    }

    /// Points the window at `server` (another node on the same records).
    fn at(&mut self, server: &Server) {
        self.base = format!("http://127.0.0.1:{}", server.port);
    }

    fn go(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.command("POST", "/url", Some(json!({ "url": url })));
        self.settle();
    }

    fn loaded(&self) -> bool {
        let script = json!({ "script": "return document.readyState", "args": [] });
        self.command("POST", "/execute/sync", Some(script)) == "complete"
    }

    /// Waits until the document has loaded: chromedriver now and then answers a navigation
    /// before the page it leads to is in place (twice seen in CI under load).
    fn settle(&self) {
        for _ in 0..200 {
            if self.loaded() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{} never finished loading", self.path());
    }

    /// The page's source once it contains `needle`, or as it is after ten seconds, so that an
    /// assertion on it fails with the page in its message rather than on a page half replaced.
    fn source_with(&self, needle: &str) -> String {
        let mut page = self.source();
        for _ in 0..200 {
            if page.contains(needle) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
            page = self.source();
        }
        page
    }

    fn path(&self) -> String {
        let url = self.command("GET", "/url", None);
        url.as_str()
            .unwrap()
            .trim_start_matches(&self.base)
            .to_string()
    }

    fn find(&self, css: &str) -> String {
        let found = self.command(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        found[ELEMENT].as_str().unwrap().to_string()
    }

    fn exists(&self, css: &str) -> bool {
        let found = self.command(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        );
        !found.as_array().unwrap().is_empty()
    }

    /// Types `text` into the input `css`. Chinese is set as the input's value instead: typed,
    /// chromedriver's keystrokes of CJK characters are now and then lost on a loaded machine.
    fn type_into(&self, css: &str, text: &str) {
        if !text.is_ascii() {
            let script = json!({
                "script": "arguments[0].value = arguments[0].value + arguments[1]",
                "args": [{ ELEMENT: self.find(css) }, text]
            });
            self.command("POST", "/execute/sync", Some(script));
            return;
        }
        let element = self.find(css);
        self.command(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// Chooses the file at `path` in the file input `css` (a file input takes keystrokes only).
    fn attach(&self, css: &str, path: &Path) {
        let element = self.find(css);
        self.command(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": path.to_str().unwrap() })),
        );
    }

    fn click(&self, css: &str) {
        let element = self.find(css);
        self.command(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    /// Clicks a button that sends a form, and waits until the page it leads to has loaded
    /// (every form here leads to another address: the post's, or a redirect's).
    fn send(&self, css: &str) {
        let before = self.path();
        self.click(css);
        for _ in 0..200 {
            if self.path() != before && self.loaded() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{css} on {before} led nowhere");
    }

    fn text(&self, css: &str) -> String {
        let element = self.find(css);
        let text = self.command("GET", &format!("/element/{element}/text"), None);
        text.as_str().unwrap().to_string()
    }

    fn source(&self) -> String {
        self.command("GET", "/source", None)
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Keeps a screenshot of the window as `target/browser/NAME.png`.
    fn screenshot(&self, name: &str) -> PathBuf {
        use base64::Engine;
        let png = self.command("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        let dir = crate::common::root().join("target/browser");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, &bytes).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
        path
    }

    /// Sets the password through the one-time link and signs in, as a person would.
    fn sign_up(&self, link: &str, name: &str, password: &str) {
        self.go(&format!("/set-password?token={link}"));
        self.type_into("#password", password);
        self.send("form.box button");
        assert_eq!(self.path(), "/login?done=1", "{}", self.source());
        self.type_into("#name", name);
        self.type_into("#password", password);
        self.send("form.box button");
        assert!(
            !self.path().starts_with("/login"),
            "{name} signed in: {}",
            self.source()
        );
    }
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        let path = format!("/session/{}", self.session);
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.driver.call("DELETE", &path, None)
        }));
    }
}

const WANCHENG: &str = "/unit/%E5%AE%9B%E5%9F%8E%E5%8C%BA";
const MAY_TABLE: &str =
    "/o/nanyang-2017/%E7%BB%9F%E8%AE%A1%E8%A1%A8/%E5%AE%9B%E5%9F%8E%E5%8C%BA/2017-05";

/// The nine counts 统计表 requires, as `--value` arguments.
fn counts() -> Vec<String> {
    [
        "中省市转办线索数=3",
        "自查自纠问题线索数=2",
        "查处问题数=4",
        "约谈函询人数=1",
        "组织处理人数=0",
        "党纪处分人数=1",
        "政纪处分人数=0",
        "责任追究人数=0",
        "移送司法机关人数=0",
    ]
    .iter()
    .flat_map(|v| ["--value".to_string(), v.to_string()])
    .collect()
}

/// The cell of 宛城区's 统计表 on the board: its class.
fn board_cell(browser: &Browser<'_>) -> String {
    let script = json!({
        "script": "const rows = [...document.querySelectorAll('tr')];
                   const head = [...rows[0].children].map(c => c.textContent);
                   const row = rows.find(r => r.children[0] && r.children[0].textContent === '宛城区');
                   return row.children[head.indexOf('统计表')].className;",
        "args": []
    });
    browser
        .command("POST", "/execute/sync", Some(script))
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn four_roles_go_through_their_day_in_a_browser() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let w = Workspace::new(&["nanyang-2017"]);
    let link = |args: &[&str]| {
        let mut all = vec!["user", "add"];
        all.extend_from_slice(args);
        token(&w.ok(&all))
    };
    let liaison = link(&["张三", "--unit", "宛城区", "--role", "liaison"]);
    let reviewer = link(&["李审", "--unit", "党风政风监督室", "--role", "reviewer"]);
    let supervisor = link(&["王督", "--role", "supervisor"]);
    let office = link(&["赵办", "--role", "office"]);
    // April's table went in late by hand; May's is what the day is about.
    let mut april = vec![
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-04",
    ];
    let values = counts();
    april.extend(values.iter().map(String::as_str));
    april.extend(["--at", "2017-05-02T10:00"]);
    w.ok(&april);

    // 24 May, before the deadline: the liaison reports.
    let before = Server::start(&w, "2017-05-24T09:00");
    let mut zhang = Browser::open(&driver, &before, 412, 915);
    zhang.sign_up(&liaison, "张三", "宛城区联络员的密码1234");
    assert_eq!(zhang.path(), WANCHENG, "a liaison lands on its unit's page");
    assert!(zhang.source_with("统计表").contains("统计表"));
    zhang.screenshot("1-liaison-unit-page-phone");
    zhang.go(MAY_TABLE);
    assert_eq!(zhang.text("#status"), "临期", "due tomorrow");
    // A count that is not a number is shown beside its field, and nothing is recorded.
    zhang.type_into("input[name='f:中省市转办线索数']", "三");
    zhang.send("#submit");
    assert!(
        zhang.text(".field-error").contains("「三」不是数字"),
        "said in Chinese beside the field"
    );
    assert!(!zhang.source().contains(">报送</td>"), "nothing recorded");
    let upload = w.path().join("宛城区5月统计表.xlsx");
    std::fs::write(&upload, b"PK\x03\x04 the table as scanned").unwrap();
    for value in values.iter().filter(|v| v.contains('=')) {
        let (field, number) = value.split_once('=').unwrap();
        let css = format!("input[name='f:{field}']");
        let input = zhang.find(&css);
        zhang.command("POST", &format!("/element/{input}/clear"), Some(json!({})));
        zhang.type_into(&css, number);
    }
    zhang.attach("#file", &upload);
    zhang.send("#submit");
    assert_eq!(zhang.text("#status"), "按时报送", "{}", zhang.source());
    let history = zhang.text("#history");
    assert!(
        history.contains("张三"),
        "the history names the person: {history}"
    );
    assert!(history.contains("宛城区5月统计表.xlsx"), "{history}");
    zhang.screenshot("2-liaison-submitted");

    let mut wang = Browser::open(&driver, &before, 1280, 900);
    wang.sign_up(&supervisor, "王督", "督导组的一个长密码xyz");
    assert_eq!(wang.path(), "/board");
    // April's went in late: the row of 宛城区's 统计表 shows its worst, yellow, which May's
    // report on time does not hide.
    assert_eq!(board_cell(&wang), "yellow", "late in April: yellow");

    // 27 May, after the deadline, on a second node sharing the records and the sessions.
    drop(before);
    let after = Server::start(&w, "2017-05-27T09:00");
    let li = Browser::open(&driver, &after, 1280, 900);
    li.sign_up(&reviewer, "李审", "监督室审核人员的密码2017");
    li.go("/review");
    let queue = li.source_with("宛城区");
    assert!(queue.contains("宛城区"), "{queue}");
    li.screenshot("3-reviewer-queue");
    li.go(MAY_TABLE);
    // The reviewer downloads the file as it was sent.
    let href = li
        .command(
            "POST",
            "/execute/sync",
            Some(
                json!({ "script": "return document.querySelector('#history a').href", "args": [] }),
            ),
        )
        .as_str()
        .unwrap()
        .to_string();
    assert!(href.contains("/file/"), "{href}");
    li.type_into("#return-reason", "查处问题数与台账不符，请核实后重报");
    li.send("#return");
    // A return asks first, on a page of its own.
    assert!(li.text("h1").contains("确认退回"));
    li.screenshot("3-reviewer-confirms-return");
    li.send("#confirm");
    assert_eq!(li.text("#status"), "逾期");
    assert!(li.text("#history").contains("李审"));

    wang.at(&after);
    wang.go("/board");
    assert_eq!(board_cell(&wang), "red", "returned after the deadline: red");
    wang.screenshot("4-supervisor-board");
    // The bulletin: last month's, as the board offers it; another period picked; and back.
    wang.go("/bulletin?campaign=nanyang-2017");
    assert_eq!(wang.text("#back"), "返回看板");
    wang.command(
        "POST",
        "/execute/sync",
        Some(
            json!({ "script": "document.querySelector('#period').value = '2017-Q2'", "args": [] }),
        ),
    );
    wang.send("#show");
    assert!(
        wang.text("h1").contains("2017年第二季度"),
        "{}",
        wang.text("h1")
    );
    wang.screenshot("4-supervisor-bulletin");
    wang.send("#back");
    assert!(wang.path().starts_with("/board"), "{}", wang.path());

    // The liaison sees why; the office grants more time.
    zhang.at(&after);
    zhang.go(WANCHENG);
    let page = zhang.source_with("查处问题数与台账不符");
    assert!(page.contains("查处问题数与台账不符"), "{page}");
    assert!(!zhang.exists("#extend"), "a liaison cannot extend");
    let zhao = Browser::open(&driver, &after, 1280, 900);
    zhao.sign_up(&office, "赵办", "主办单位的管理密码2017");
    zhao.go(MAY_TABLE);
    zhao.click("details:has(#extend) summary");
    // A date input's typing depends on the browser's locale; its value does not.
    zhao.command(
        "POST",
        "/execute/sync",
        Some(json!({ "script": "document.querySelector('#until').value = '2017-06-02'", "args": [] })),
    );
    zhao.type_into("#extend-reason", "核实台账");
    zhao.send("#extend");
    assert_eq!(zhao.text("#status"), "退回", "owed again, with more time");
    let extended = zhao.source_with("2017-06-02（已延期）");
    assert!(extended.contains("2017-06-02（已延期）"), "{extended}");
    zhao.screenshot("5-office-extended");
    zhang.go(WANCHENG);
    zhang.screenshot("6-liaison-unit-page-after");
}

impl Browser<'_> {
    /// Signs in with a password set before.
    fn sign_in(&self, name: &str, password: &str) {
        self.go("/login");
        self.type_into("#name", name);
        self.type_into("#password", password);
        self.send("form.box button");
        assert!(!self.path().starts_with("/login"), "{}", self.source());
    }

    /// Resizes the window.
    fn resize(&self, width: u32, height: u32) {
        self.command(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        );
    }

    /// Runs `script` in the page and returns what it returns.
    fn run(&self, script: &str) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// At a phone's width: the page is no wider than the screen, and its lists are cards (each
    /// row a block, the column's name before each cell).
    fn fits_a_phone(&self, page: &str) {
        let overflow = self.run(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        );
        assert!(
            overflow.as_i64().unwrap_or(0) <= 1,
            "{page} is {overflow}px wider than the phone"
        );
        let rows = self.run(
            "return [...document.querySelectorAll('table.cards tbody tr')].map(r => getComputedStyle(r).display)",
        );
        for display in rows.as_array().unwrap() {
            assert_eq!(display, "block", "{page}: a list's row is a card");
        }
    }
}

/// Each role's pages at a phone's width (390×844) and at a desk's (1280×900), on one engine:
/// what each lands on, lists as cards on the phone, nothing wider than the screen, and the new
/// pages at work — the board filtered to red, a unit's page narrowed from a cell, the review
/// queue, the overdue list, and a clerk's sheet recorded on the import page.
fn each_role_at_a_phone_and_a_desk(w: Workspace, engine: &str) {
    let Some(driver) = Driver::start() else {
        return;
    };
    let link = |args: &[&str]| {
        let mut all = vec!["user", "add"];
        all.extend_from_slice(args);
        token(&w.ok(&all))
    };
    let people = [
        (
            "张三",
            link(&["张三", "--unit", "宛城区", "--role", "liaison"]),
        ),
        (
            "李审",
            link(&["李审", "--unit", "党风政风监督室", "--role", "reviewer"]),
        ),
        ("王督", link(&["王督", "--role", "supervisor"])),
        ("赵办", link(&["赵办", "--role", "office"])),
    ];
    let mut april = vec![
        "submit",
        "nanyang-2017",
        "统计表",
        "宛城区",
        "--period",
        "2017-04",
    ];
    let values = counts();
    april.extend(values.iter().map(String::as_str));
    april.extend(["--at", "2017-04-24T10:00"]);
    w.ok(&april);
    let server = Server::start(&w, "2017-05-27T09:00");
    let password = "每个角色的一个长密码2017";
    let browsers: Vec<Browser<'_>> = people
        .iter()
        .map(|(name, link)| {
            let b = Browser::open(&driver, &server, 390, 844);
            b.sign_up(link, name, password);
            b
        })
        .collect();
    let sheet = w.path().join("收文登记.csv");
    std::fs::write(
        &sheet,
        "报送单位,报送事项,期次,报送时间,中省市转办线索数,自查自纠问题线索数,查处问题数,约谈函询人数,组织处理人数,党纪处分人数,政纪处分人数,责任追究人数,移送司法机关人数\n卧龙区,统计表,2017-04,2017-04-25 16:00,1,0,0,0,0,0,0,0,0\n",
    )
    .unwrap();
    for (size, (width, height)) in [("phone", (390, 844)), ("desk", (1280, 900))] {
        let shot = |b: &Browser<'_>, name: &str| {
            b.screenshot(&format!("walk-{engine}-{size}-{name}"));
            if size == "phone" {
                b.fits_a_phone(name);
            }
        };
        for b in &browsers {
            b.resize(width, height);
        }
        let [zhang, li, wang, zhao] = &browsers[..] else {
            unreachable!()
        };
        // The liaison: its unit's page, then the May table.
        zhang.go(WANCHENG);
        assert!(zhang.source_with("统计表").contains("需要办理"));
        shot(zhang, "liaison-unit");
        zhang.go(MAY_TABLE);
        assert_eq!(zhang.text("#status"), "逾期");
        shot(zhang, "liaison-obligation");
        // The reviewer: its queue, April's table in it.
        li.go("/");
        assert_eq!(li.path(), "/review", "a reviewer lands on its queue");
        assert!(li.source_with("宛城区").contains("宛城区"));
        shot(li, "reviewer-queue");
        // The supervisor: the board, filtered to red, a cell followed; the overdue list.
        wang.go("/board?campaign=nanyang-2017&colour=red");
        assert!(wang.exists("a.cell"), "{}", wang.source());
        shot(wang, "supervisor-board-red");
        wang.click("a.cell");
        wang.settle();
        assert!(wang.path().starts_with("/unit/"), "{}", wang.path());
        assert!(wang.source().contains("只列出"), "{}", wang.source());
        shot(wang, "supervisor-cell");
        wang.go("/overdue");
        assert!(wang.source_with("逾期").contains("联络员"));
        shot(wang, "supervisor-overdue");
        // The office: a clerk's sheet recorded on the page (once), the accounts.
        zhao.go("/import");
        shot(zhao, "office-import");
        if size == "phone" {
            zhao.attach("input[name='file']", &sheet);
            // The form posts to its own address: wait for what it says.
            zhao.click("#import button");
            zhao.source_with("已全部导入");
            zhao.settle();
            let said = zhao.text("#said");
            assert!(said.contains("已全部导入：记录 1 条"), "{said}");
            shot(zhao, "office-imported");
        }
        zhao.go("/accounts");
        assert!(zhao.source_with("张三").contains("李审"));
        shot(zhao, "office-accounts");
    }
    drop(browsers);
    drop(server);
    // Signed in afresh, the liaison's password still works (the walk changed no account).
    let again = Server::start(&w, "2017-05-27T09:00");
    let b = Browser::open(&driver, &again, 390, 844);
    b.sign_in("张三", password);
    assert_eq!(b.path(), WANCHENG);
}

#[test]
fn each_role_at_a_phone_and_a_desk_on_sqlite() {
    each_role_at_a_phone_and_a_desk(Workspace::new(&["nanyang-2017"]), "sqlite");
}

#[test]
fn each_role_at_a_phone_and_a_desk_on_postgres() {
    let Some(url) = crate::pgserver::database() else {
        return;
    };
    let w = Workspace::new(&["nanyang-2017"]);
    std::fs::write(
        w.path().join("duban.toml"),
        format!("database = \"{url}\"\n"),
    )
    .unwrap();
    each_role_at_a_phone_and_a_desk(w, "postgres");
}
