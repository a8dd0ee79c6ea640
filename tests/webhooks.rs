//! Webhooks out, through the real binary to a receiver speaking real HTTP on loopback: the
//! receiver checks every request's HMAC-SHA256 signature and timestamp as a system taking
//! duban's events would (written here from the documented scheme, not from duban's code), and
//! refuses what does not verify with 401. Each event reaches each receiver once per pass that
//! finds it (at least once across a SIGKILL of the sender), a receiver that refuses the
//! signature stops alone with its deliveries left pending, and a receiver that is down loses
//! nothing — on SQLite and PostgreSQL.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{KeyInit as _, Mac as _};
use serde_json::Value;

use crate::common::{KillOnDrop, Workspace};
use crate::mailserver::MailServer;

const SECRET: &str = "ybt-signing-secret-2017";

/// One delivery the receiver took.
#[derive(Clone, Debug)]
struct Delivery {
    event: String,
    delivery: String,
    body: Value,
}

#[derive(Default)]
struct State {
    taken: Vec<Delivery>,
    refused: Vec<String>,
    delay: Duration,
    down: bool,
}

/// A system taking duban's events on `/hooks/duban`, keyed by `secret`.
struct Receiver {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl Receiver {
    fn start(secret: &str) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let secret = secret.to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = shared.clone();
                let secret = secret.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &state, &secret);
                });
            }
        });
        Receiver { port, state }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hooks/duban", self.port)
    }

    fn taken(&self) -> Vec<Delivery> {
        self.state.lock().unwrap().taken.clone()
    }

    fn refused(&self) -> Vec<String> {
        self.state.lock().unwrap().refused.clone()
    }

    fn delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    fn down(&self, down: bool) {
        self.state.lock().unwrap().down = down;
    }
}

/// The hex HMAC-SHA256 of `message` keyed by `secret`.
fn hmac_hex(secret: &str, message: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn serve(stream: std::net::TcpStream, state: &Mutex<State>, secret: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut headers = HashMap::new();
        loop {
            let mut header = String::new();
            reader.read_line(&mut header)?;
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let (delay, down) = {
            let s = state.lock().unwrap();
            (s.delay, s.down)
        };
        std::thread::sleep(delay);
        let status = if down {
            "503 Service Unavailable"
        } else if !line.starts_with("POST /hooks/duban ") {
            "404 Not Found"
        } else {
            match verify(&headers, &body, secret) {
                Ok(delivery) => {
                    state.lock().unwrap().taken.push(delivery);
                    "204 No Content"
                }
                Err(why) => {
                    state.lock().unwrap().refused.push(why);
                    "401 Unauthorized"
                }
            }
        };
        write!(
            writer,
            "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"
        )?;
        writer.flush()?;
    }
}

/// The receiver's checks: the signature over `TIMESTAMP.BODY`, a timestamp within five
/// minutes of its own clock, JSON whose type is the header's.
fn verify(
    headers: &HashMap<String, String>,
    body: &[u8],
    secret: &str,
) -> Result<Delivery, String> {
    let get = |name: &str| headers.get(name).cloned().ok_or(format!("no {name}"));
    let timestamp: i64 = get("duban-timestamp")?.parse().map_err(|_| "timestamp")?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    if (now - timestamp).abs() > 300 {
        return Err(format!("stale timestamp {timestamp}"));
    }
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    let expected = format!("sha256={}", hmac_hex(secret, &signed));
    if get("duban-signature")? != expected {
        return Err("signature".into());
    }
    if !get("content-type")?.starts_with("application/json") {
        return Err("content type".into());
    }
    let body: Value = serde_json::from_slice(body).map_err(|_| "not JSON")?;
    let event = get("duban-event")?;
    if body["type"] != event.as_str() {
        return Err(format!("type {} under {event}", body["type"]));
    }
    Ok(Delivery {
        event,
        delivery: get("duban-delivery")?,
        body,
    })
}

/// 南阳 with its 工作方案 reviewed by 党风政风监督室, a mail server, and the webhooks file
/// naming `receivers` (name, url, secret); claims of four seconds, so that a killed pass's are
/// soon taken over.
fn office(
    smtp: &MailServer,
    postgres: Option<&str>,
    receivers: &[(&str, String, &str)],
) -> Workspace {
    let w = Workspace::new(&["nanyang-2017"]);
    let file = w.campaign("nanyang-2017");
    let text = std::fs::read_to_string(&file).unwrap();
    let reviewed = text.replacen(
        "  时限 2017年4月15日前\n",
        "  时限 2017年4月15日前\n  审核 党风政风监督室\n",
        1,
    );
    assert_ne!(reviewed, text);
    std::fs::write(&file, reviewed).unwrap();
    let database = postgres
        .map(|url| format!("database = \"{url}\"\n"))
        .unwrap_or_default();
    std::fs::write(
        w.path().join("duban.toml"),
        format!(
            "{database}[mail]\nurl = \"{}\"\nfrom = \"督办 <duban@nanyang.example.org>\"\ntimeout_seconds = 2\nclaim_seconds = 4\n\
             [channels]\nwebhooks_file = \"webhooks.toml\"\ntimeout_seconds = 2\n",
            smtp.url()
        ),
    )
    .unwrap();
    write_receivers(&w, receivers);
    w.ok(&["sync", "--as-of", "2017-04-01T08:00"]);
    w
}

fn write_receivers(w: &Workspace, receivers: &[(&str, String, &str)]) {
    let text: String = receivers
        .iter()
        .map(|(name, url, secret)| {
            format!("[\"{name}\"]\nurl = \"{url}\"\nsecret = \"{secret}\"\n\n")
        })
        .collect();
    std::fs::write(w.path().join("webhooks.toml"), text).unwrap();
}

/// The units late with their 工作方案 on 19 April (due the 15th, a Saturday: on time until
/// Monday the 17th): all but 宛城区, which sent it.
fn late_units(w: &Workspace) -> Vec<String> {
    let rows = w.json(&["overdue", "--as-of", "2017-04-19T09:00"]);
    let mut units: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["deliverable"] == "工作方案")
        .map(|r| r["unit"].as_str().unwrap().to_string())
        .collect();
    units.sort();
    units
}

/// 宛城区 sends its 工作方案 on the 14th and 党风政风监督室 accepts it on the 18th.
fn act(w: &Workspace) {
    w.submit("nanyang-2017", "工作方案", "宛城区")
        .at("2017-04-14T10:00")
        .ok();
    w.ok(&[
        "review",
        "nanyang-2017",
        "工作方案",
        "宛城区",
        "--accept",
        "--at",
        "2017-04-18T10:00",
    ]);
}

fn by_type<'a>(taken: &'a [Delivery], kind: &str) -> Vec<&'a Delivery> {
    taken.iter().filter(|d| d.event == kind).collect()
}

/// Every event the receiver should see after the pass of the 19th: the submission, the
/// review's decision, and each late unit's overdue.
fn assert_the_19th(w: &Workspace, taken: &[Delivery], times: usize) {
    let submitted = by_type(taken, "submission.recorded");
    assert_eq!(submitted.len(), times, "{taken:#?}");
    assert_eq!(submitted[0].body["unit"], "宛城区");
    assert_eq!(submitted[0].body["deliverable"], "工作方案");
    assert_eq!(submitted[0].body["campaign"], "nanyang-2017");
    assert_eq!(submitted[0].body["occurred_at"], "2017-04-14T02:00:00Z");
    let decided = by_type(taken, "review.decided");
    assert_eq!(decided.len(), times, "{taken:#?}");
    assert_eq!(decided[0].body["decision"], "accepted");
    assert_eq!(decided[0].body["unit"], "宛城区");
    let mut overdue: Vec<String> = by_type(taken, "obligation.overdue")
        .iter()
        .filter(|d| d.body["deliverable"] == "工作方案")
        .map(|d| d.body["unit"].as_str().unwrap().to_string())
        .collect();
    overdue.sort();
    overdue.dedup();
    let late = late_units(w);
    assert!(late.len() > 10, "{late:?}");
    assert_eq!(overdue, late);
    let one = by_type(taken, "obligation.overdue")[0];
    assert_eq!(one.body["due_date"], "2017-04-15");
    assert_eq!(one.body["on_time_until"], "2017-04-17");
    assert_eq!(one.body["occurred_at"], "2017-04-18T00:00:00+08:00");
    assert!(!taken.iter().any(|d| d.body.to_string().contains(SECRET)));
}

fn each_event_once(postgres: Option<&str>) {
    let smtp = MailServer::start();
    let ybt = Receiver::start(SECRET);
    let wrong = Receiver::start("the-receivers-own-secret");
    let w = office(
        &smtp,
        postgres,
        &[
            ("一表通", ybt.url(), SECRET),
            ("OA系统", wrong.url(), "not-the-receivers-secret"),
        ],
    );
    act(&w);
    w.ok(&["remind", "--as-of", "2017-04-19T09:05"]);
    let taken = ybt.taken();
    assert_the_19th(&w, &taken, 1);
    let mut ids: Vec<&str> = taken
        .iter()
        .map(|d| d.body["id"].as_str().unwrap())
        .collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "each event once");
    // The receiver that refuses the signature stopped alone; its deliveries wait, with why.
    assert_eq!(wrong.refused().len(), 1, "{:?}", wrong.refused());
    assert!(wrong.taken().is_empty());
    let outbox = w.ok(&["outbox"]);
    assert!(outbox.contains("webhook:OA系统"), "{outbox}");
    assert!(outbox.contains("answered HTTP 401"), "{outbox}");
    assert!(!outbox.contains("not-the-receivers-secret"), "{outbox}");
    // A pass again finds nothing new to tell, and says the refusing receiver still waits
    // (nothing could be sent: exit 2).
    let again = w.run(&["remind", "--as-of", "2017-04-19T09:10"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(
        again
            .stdout
            .contains("stopped: webhook `OA系统` answered HTTP 401"),
        "{}",
        again.stdout
    );
    assert_eq!(ybt.taken().len(), count, "nothing told twice");
    // Its secret mended, the waiting deliveries go.
    write_receivers(
        &w,
        &[
            ("一表通", ybt.url(), SECRET),
            ("OA系统", wrong.url(), "the-receivers-own-secret"),
        ],
    );
    w.ok(&["remind", "--as-of", "2017-04-19T09:15"]);
    assert_the_19th(&w, &wrong.taken(), 1);
    assert_eq!(ybt.taken().len(), count);
    // An act later (宛城区's 统计表 of April, on time) is told at the next pass, alone.
    w.submit("nanyang-2017", "统计表", "宛城区")
        .period("2017-04")
        .at("2017-04-20T10:00")
        .args(&[
            "--value",
            "中省市转办线索数=1",
            "--value",
            "自查自纠问题线索数=2",
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
        ])
        .ok();
    w.ok(&["remind", "--as-of", "2017-04-20T11:00"]);
    let after = ybt.taken();
    let new: Vec<&Delivery> = after[count..].iter().collect();
    assert_eq!(new.len(), 1, "{new:#?}");
    assert_eq!(new[0].event, "submission.recorded");
    assert_eq!(new[0].body["deliverable"], "统计表");
    assert_eq!(new[0].body["period"], "2017-04");
}

#[test]
fn each_event_reaches_each_receiver_once_signed_and_a_refusing_receiver_stops_alone() {
    each_event_once(None);
}

#[test]
fn on_postgresql_each_event_reaches_each_receiver_once() {
    let Some(url) = crate::pgserver::database() else {
        return;
    };
    each_event_once(Some(&url));
}

/// A receiver that is down (503) loses nothing: its deliveries are tried again, with backoff,
/// and arrive once it is up.
#[test]
fn a_receiver_that_is_down_loses_nothing() {
    let smtp = MailServer::start();
    let ybt = Receiver::start(SECRET);
    let w = office(&smtp, None, &[("一表通", ybt.url(), SECRET)]);
    act(&w);
    ybt.down(true);
    w.ok(&["remind", "--as-of", "2017-04-19T09:05"]);
    assert!(ybt.taken().is_empty());
    let outbox = w.ok(&["outbox"]);
    assert!(outbox.contains("answered HTTP 503"), "{outbox}");
    ybt.down(false);
    // The backoff's first wait is a minute or a little more.
    w.ok(&["remind", "--as-of", "2017-04-19T09:08"]);
    assert_the_19th(&w, &ybt.taken(), 1);
}

/// The daemon killed (SIGKILL) in the middle of its deliveries, and another started: the
/// receiver sees every event at least once, each delivery signed.
#[test]
fn every_event_arrives_at_least_once_across_a_sigkill_of_the_sender() {
    across_a_sigkill(None);
}

/// The same two nodes on one PostgreSQL database.
#[test]
fn on_postgresql_every_event_arrives_at_least_once_across_a_sigkill_of_the_sender() {
    let Some(url) = crate::pgserver::database() else {
        return;
    };
    across_a_sigkill(Some(&url));
}

fn across_a_sigkill(postgres: Option<&str>) {
    let smtp = MailServer::start();
    let ybt = Receiver::start(SECRET);
    let w = office(&smtp, postgres, &[("一表通", ybt.url(), SECRET)]);
    act(&w);
    let daemon = || {
        KillOnDrop::spawn(
            crate::common::process(w.path())
                .args([
                    "daemon",
                    "--as-of",
                    "2017-04-19T09:00",
                    "--schedule",
                    "*/1 * * * * *",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )
    };
    ybt.delay(Duration::from_millis(150));
    let first = daemon();
    let deadline = Instant::now() + Duration::from_secs(60);
    while ybt.taken().len() < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut first = first.into_inner();
    first.kill().unwrap();
    first.wait().unwrap();
    let before = ybt.taken().len();
    let expected = 2 + late_units(&w).len();
    assert!(
        (3..expected).contains(&before),
        "killed mid-pass ({before} delivered)"
    );
    ybt.delay(Duration::ZERO);
    let second = daemon();
    let distinct = |taken: &[Delivery]| {
        let mut ids: Vec<String> = taken
            .iter()
            .map(|d| d.body["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids.dedup();
        ids.len()
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    while distinct(&ybt.taken()) < expected && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(second);
    let taken = ybt.taken();
    assert_eq!(distinct(&taken), expected, "{taken:#?}");
    assert!(ybt.refused().is_empty(), "{:?}", ybt.refused());
    // At most the deliveries in flight when it was killed came twice, under the same id.
    assert!(taken.len() <= expected + 1, "{}", taken.len());
    let mut deliveries: HashMap<&str, &str> = HashMap::new();
    for d in &taken {
        let id = d.body["id"].as_str().unwrap();
        if let Some(before) = deliveries.insert(id, &d.delivery) {
            assert_eq!(before, d.delivery, "a delivery tried again keeps its id");
        }
    }
    assert_the_19th(&w, &dedup(&taken), 1);
}

/// Each event's first delivery.
fn dedup(taken: &[Delivery]) -> Vec<Delivery> {
    let mut seen = std::collections::HashSet::new();
    taken
        .iter()
        .filter(|d| seen.insert(d.body["id"].as_str().unwrap().to_string()))
        .cloned()
        .collect()
}

/// A receiver sent only the types and campaigns it names: 免报 and 延期 of 南阳, nothing else —
/// and the file named by `DUBAN_WEBHOOKS_FILE` is the one read.
#[test]
fn a_receiver_gets_only_the_events_and_campaigns_it_names() {
    let smtp = MailServer::start();
    let ybt = Receiver::start(SECRET);
    let w = office(&smtp, None, &[]);
    std::fs::write(
        w.path().join("elsewhere.toml"),
        format!(
            "[\"一表通\"]\nurl = \"{}\"\nsecret = \"{SECRET}\"\nevents = [\"obligation.waived\", \"extension.decided\"]\ncampaigns = [\"nanyang-2017\"]\n",
            ybt.url()
        ),
    )
    .unwrap();
    act(&w);
    w.ok(&[
        "waive",
        "nanyang-2017",
        "工作方案",
        "卧龙区",
        "--reason",
        "机构撤并",
        "--at",
        "2017-04-16T10:00",
    ]);
    w.ok(&[
        "extend",
        "nanyang-2017",
        "工作方案",
        "南召县",
        "--until",
        "2017-04-25",
        "--reason",
        "核实材料",
        "--at",
        "2017-04-16T11:00",
    ]);
    let run = crate::common::process(w.path())
        .args(["remind", "--as-of", "2017-04-19T09:05"])
        .env("DUBAN_WEBHOOKS_FILE", w.path().join("elsewhere.toml"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let taken = ybt.taken();
    let mut kinds: Vec<(&str, &str)> = taken
        .iter()
        .map(|d| (d.event.as_str(), d.body["unit"].as_str().unwrap()))
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            ("extension.decided", "南召县"),
            ("obligation.waived", "卧龙区")
        ]
    );
    let extended = taken
        .iter()
        .find(|d| d.event == "extension.decided")
        .unwrap();
    assert_eq!(extended.body["decision"], "extended");
    assert_eq!(extended.body["reason"], "核实材料");
}
