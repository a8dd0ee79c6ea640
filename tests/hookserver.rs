//! Fake servers of 企业微信's, 钉钉's and 飞书's robot APIs and of a cloud SMS gateway, speaking
//! real HTTP on loopback: each checks the key or token, the signature and its timestamp window
//! as its app does (written here from the apps' documentation, not from duban's code), counts
//! its per-minute limits, and answers with the app's own codes — HTTP 200 with the error in the
//! body, as they do.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};
use serde_json::{Value, json};

/// One message a fake accepted.
#[derive(Clone, Debug)]
pub struct Received {
    /// `wecom`, `dingtalk`, `feishu` or `sms`.
    pub channel: String,
    /// The robot's key or token, or the phone for SMS.
    pub to: String,
    /// The text, or the SMS template's parameters.
    pub text: String,
    /// The phones called out (@).
    pub mobiles: Vec<String>,
}

/// A robot the fakes know: its key (token) and, for 钉钉 and 飞书, its signing secret.
#[derive(Clone, Debug)]
pub struct FakeRobot {
    pub key: String,
    pub secret: Option<String>,
}

#[derive(Default)]
struct State {
    robots: HashMap<String, FakeRobot>,
    sms: Option<(String, String)>,
    sms_daily_cap: usize,
    received: Vec<Received>,
    /// Send times per key, for the per-minute limits.
    sent_at: HashMap<String, Vec<Instant>>,
    /// Keys held back by 钉钉's ten-minute throttle.
    throttled_until: HashMap<String, Instant>,
    nonces: HashSet<String>,
    refused: Vec<String>,
    /// Per phone, SMS sent (the daily cap).
    per_phone: HashMap<String, usize>,
    /// Whether to answer nothing for a while (an outage).
    down: bool,
    /// How long each request takes.
    delay: Duration,
    /// How long the apps' "minute" lasts here: a test cannot wait a real one.
    minute: Duration,
}

/// The fakes, on one port: `/cgi-bin/webhook/send` (企业微信), `/robot/send` (钉钉),
/// `/open-apis/bot/v2/hook/…` (飞书) and `/sms` (the gateway).
pub struct HookServer {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl HookServer {
    /// Starts the fakes with `robots` and an SMS account (AccessKey id, secret).
    pub fn start(robots: &[FakeRobot], sms: Option<(&str, &str)>) -> HookServer {
        HookServer::start_with(robots, sms, None)
    }

    /// The same over TLS, presenting the certificate chain and key (PEM) of `tls`, as the apps'
    /// servers do (`https://localhost:PORT`).
    pub fn start_with_tls(
        robots: &[FakeRobot],
        sms: Option<(&str, &str)>,
        tls: (&str, &str),
    ) -> HookServer {
        use rustls::pki_types::pem::PemObject as _;
        let chain = rustls::pki_types::CertificateDer::pem_slice_iter(tls.0.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(tls.1.as_bytes()).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
        HookServer::start_with(robots, sms, Some(Arc::new(config)))
    }

    fn start_with(
        robots: &[FakeRobot],
        sms: Option<(&str, &str)>,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> HookServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            robots: robots.iter().map(|r| (r.key.clone(), r.clone())).collect(),
            sms: sms.map(|(id, secret)| (id.to_string(), secret.to_string())),
            sms_daily_cap: 10,
            minute: Duration::from_secs(60),
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let state = Arc::clone(&shared);
                let tls = tls.clone();
                std::thread::spawn(move || match tls {
                    None => serve(stream, &state),
                    Some(config) => {
                        let Ok(connection) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        serve(rustls::StreamOwned::new(connection, stream), &state);
                    }
                });
            }
        });
        HookServer { port, state }
    }

    /// The base address (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// Every refusal answered so far (`93000 …`, `SignatureDoesNotMatch`).
    pub fn refused(&self) -> Vec<String> {
        self.state.lock().unwrap().refused.clone()
    }

    /// Knows `robots` too.
    pub fn add_robots(&self, robots: &[FakeRobot]) {
        let mut state = self.state.lock().unwrap();
        for r in robots {
            state.robots.insert(r.key.clone(), r.clone());
        }
    }

    /// Counts the per-minute limits over `minute` instead.
    pub fn minute(&self, minute: Duration) {
        self.state.lock().unwrap().minute = minute;
    }

    /// Takes `delay` over each request from now on.
    pub fn delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    /// Drops every connection unanswered while `down`.
    pub fn set_down(&self, down: bool) {
        self.state.lock().unwrap().down = down;
    }
}

fn now_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn serve(stream: impl Read + Write, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
        let mut length = 0;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (down, delay) = {
            let s = state.lock().unwrap();
            (s.down, s.delay)
        };
        if down {
            return;
        }
        std::thread::sleep(delay);
        let answer = handle(&target, &String::from_utf8_lossy(&body), state);
        let text = answer.to_string();
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{text}",
            text.len()
        );
        if reader.get_mut().write_all(reply.as_bytes()).is_err()
            || reader.get_mut().flush().is_err()
        {
            return;
        }
    }
}

/// The query's parameters, decoded.
fn query(target: &str) -> HashMap<String, String> {
    let q = target.split_once('?').map_or("", |(_, q)| q);
    url::form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn hmac256(key: &[u8], message: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `key` may send now, `limit` a minute (and at most `per_second` a second).
fn within_rate(state: &mut State, key: &str, limit: usize, per_second: Option<usize>) -> bool {
    let now = Instant::now();
    let minute = state.minute;
    let times = state.sent_at.entry(key.to_string()).or_default();
    times.retain(|t| now.duration_since(*t) < minute);
    if times.len() >= limit {
        return false;
    }
    if let Some(n) = per_second
        && times
            .iter()
            .filter(|t| now.duration_since(**t) < Duration::from_secs(1))
            .count()
            >= n
    {
        return false;
    }
    times.push(now);
    true
}

fn handle(target: &str, body: &str, state: &Mutex<State>) -> Value {
    let mut s = state.lock().unwrap();
    let refuse = |s: &mut State, code: Value, key: &str, words: &str| {
        s.refused.push(format!("{code} {words}"));
        let _ = key;
        code
    };
    let path = target.split('?').next().unwrap_or("");
    let q = query(target);
    let payload: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    if path == "/cgi-bin/webhook/send" {
        let key = q.get("key").cloned().unwrap_or_default();
        if !s.robots.contains_key(&key) {
            let a = json!({"errcode": 93000, "errmsg": "invalid webhook url"});
            return refuse(&mut s, a, &key, "93000");
        }
        let content = payload["text"]["content"].as_str().unwrap_or("");
        if content.len() > 2048 {
            return json!({"errcode": 45002, "errmsg": "content exceed max length"});
        }
        if !within_rate(&mut s, &key, 20, None) {
            let a = json!({"errcode": 45009, "errmsg": "api freq out of limit"});
            return refuse(&mut s, a, &key, "45009");
        }
        let mobiles = strings(&payload["text"]["mentioned_mobile_list"]);
        s.received.push(Received {
            channel: "wecom".into(),
            to: key,
            text: content.into(),
            mobiles,
        });
        return json!({"errcode": 0, "errmsg": "ok"});
    }
    if path == "/robot/send" {
        let token = q.get("access_token").cloned().unwrap_or_default();
        let Some(robot) = s.robots.get(&token).cloned() else {
            let a = json!({"errcode": 300001, "errmsg": "token is not exist"});
            return refuse(&mut s, a, &token, "300001");
        };
        if let Some(secret) = &robot.secret {
            let ts: i64 = q.get("timestamp").and_then(|t| t.parse().ok()).unwrap_or(0);
            // 钉钉: the timestamp within an hour of the server's time.
            if (ts / 1000 - now_seconds()).abs() > 3600 {
                let a = json!({"errcode": 310000, "errmsg": "sign not match, more: [timestamp invalid]"});
                return refuse(&mut s, a, &token, "310000 timestamp");
            }
            let expected = hmac256(secret.as_bytes(), format!("{ts}\n{secret}").as_bytes());
            if q.get("sign") != Some(&expected) {
                let a = json!({"errcode": 310000, "errmsg": "sign not match"});
                return refuse(&mut s, a, &token, "310000 sign");
            }
        }
        if s.throttled_until
            .get(&token)
            .is_some_and(|t| *t > Instant::now())
            || !within_rate(&mut s, &token, 20, None)
        {
            // Over 20 a minute: throttled for ten minutes.
            s.throttled_until
                .insert(token.clone(), Instant::now() + Duration::from_secs(600));
            let a =
                json!({"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"});
            return refuse(&mut s, a, &token, "130101");
        }
        s.received.push(Received {
            channel: "dingtalk".into(),
            to: token,
            text: payload["text"]["content"].as_str().unwrap_or("").into(),
            mobiles: strings(&payload["at"]["atMobiles"]),
        });
        return json!({"errcode": 0, "errmsg": "ok"});
    }
    if let Some(token) = path.strip_prefix("/open-apis/bot/v2/hook/") {
        let token = token.to_string();
        let Some(robot) = s.robots.get(&token).cloned() else {
            let a = json!({"code": 19001, "msg": "param invalid: incoming webhook access token invalid", "data": {}});
            return refuse(&mut s, a, &token, "19001");
        };
        if let Some(secret) = &robot.secret {
            let ts: i64 = payload["timestamp"]
                .as_str()
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            let expected = hmac256(format!("{ts}\n{secret}").as_bytes(), b"");
            // 飞书: within an hour, and the signature of that timestamp.
            if (ts - now_seconds()).abs() > 3600 || payload["sign"].as_str() != Some(&expected) {
                let a = json!({"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time", "data": {}});
                return refuse(&mut s, a, &token, "19021");
            }
        }
        if !within_rate(&mut s, &token, 100, Some(5)) {
            let a = json!({"code": 9499, "msg": "Too Many Request", "data": {}});
            return refuse(&mut s, a, &token, "9499");
        }
        s.received.push(Received {
            channel: "feishu".into(),
            to: token,
            text: payload["content"]["text"].as_str().unwrap_or("").into(),
            mobiles: Vec::new(),
        });
        return json!({"code": 0, "msg": "success", "data": {}});
    }
    if path == "/sms" {
        return sms(&mut s, body);
    }
    json!({"errcode": 404, "errmsg": "no such API"})
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// RFC 3986 encoding as the gateway documents it (only `A-Za-z0-9-_.~` kept).
fn pe(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn sms(s: &mut State, body: &str) -> Value {
    let fields: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let answer = |code: &str| json!({"Code": code, "Message": code, "RequestId": "fake"});
    let Some((id, secret)) = s.sms.clone() else {
        return answer("InvalidAccessKeyId.NotFound");
    };
    if fields.get("AccessKeyId") != Some(&id) {
        s.refused.push("InvalidAccessKeyId.NotFound".into());
        return answer("InvalidAccessKeyId.NotFound");
    }
    let mut sorted: Vec<(&String, &String)> =
        fields.iter().filter(|(k, _)| *k != "Signature").collect();
    sorted.sort();
    let canonical = sorted
        .iter()
        .map(|(k, v)| format!("{}={}", pe(k), pe(v)))
        .collect::<Vec<_>>()
        .join("&");
    let to_sign = format!("POST&{}&{}", pe("/"), pe(&canonical));
    let mut mac =
        hmac::Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    if fields.get("Signature") != Some(&expected) {
        s.refused.push("SignatureDoesNotMatch".into());
        return answer("SignatureDoesNotMatch");
    }
    // The timestamp within 15 minutes; each nonce once.
    let stamp = fields.get("Timestamp").cloned().unwrap_or_default();
    let at = chrono::DateTime::parse_from_rfc3339(&stamp).map(|t| t.timestamp());
    if at.map_or(true, |t| (t - now_seconds()).abs() > 900) {
        return answer("InvalidTimeStamp.Expired");
    }
    let nonce = fields.get("SignatureNonce").cloned().unwrap_or_default();
    if !s.nonces.insert(nonce) {
        return answer("SignatureNonceUsed");
    }
    let phones: Vec<&str> = fields
        .get("PhoneNumbers")
        .map(|p| p.split(',').collect())
        .unwrap_or_default();
    if phones.is_empty() || phones.len() > 1000 {
        return answer("isv.MOBILE_COUNT_OVER_LIMIT");
    }
    if phones
        .iter()
        .any(|p| p.len() != 11 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return answer("isv.MOBILE_NUMBER_ILLEGAL");
    }
    let params: Value = fields
        .get("TemplateParam")
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(Value::Null);
    if !params.is_object() || fields.get("SignName").is_none_or(|n| n.is_empty()) {
        return answer("isv.INVALID_PARAMETERS");
    }
    for phone in &phones {
        let n = s.per_phone.entry(phone.to_string()).or_default();
        if *n >= s.sms_daily_cap {
            return answer("isv.DAY_LIMIT_CONTROL");
        }
    }
    for phone in phones {
        *s.per_phone.entry(phone.to_string()).or_default() += 1;
        s.received.push(Received {
            channel: "sms".into(),
            to: phone.to_string(),
            text: params.to_string(),
            mobiles: Vec::new(),
        });
    }
    json!({"Code": "OK", "Message": "OK", "BizId": "fake-biz", "RequestId": "fake"})
}
