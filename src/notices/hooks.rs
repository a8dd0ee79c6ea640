//! Sending to the robots of 企业微信, 钉钉 and 飞书 over HTTPS: each request built and signed as
//! its app documents, each answer read by the app's own codes.
//!
//! These apps answer HTTP 200 with the error in the body, so a message counts as sent only on
//! the app's success code (`errcode` 0, `code` 0); a rate-limit code is retried after the wait
//! the app asks; a refused key or signature is [`SendError::Login`], which stops that robot (and
//! only it) for the pass and leaves its messages pending. A timeout after the request was
//! written is the one case that may send a message twice, as for mail: the app may have taken
//! it without the answer arriving.
//!
//! Rate limits are kept here too, per robot in this process (企业微信 and 钉钉 20 a minute,
//! 飞书 100 a minute and 5 a second): a message over the limit is not sent but given back with
//! the wait until the minute frees, so a pass spreads a robot's messages rather than failing
//! them. Several processes sharing one robot still meet the app's own limit; its code is read as
//! the same wait.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};
use serde_json::{Value, json};

use super::robots::{Robot, RobotBook};
use super::send::SendError;
use crate::vocabulary::Channel;

/// Where each app's API is: the public one unless an office runs its own (政务微信, 浙政钉 and
/// private deployments have their own addresses), and tests a fake on loopback.
#[derive(Clone, Debug)]
pub struct Endpoints {
    /// 企业微信, `https://qyapi.weixin.qq.com`.
    pub wecom: String,
    /// 钉钉, `https://oapi.dingtalk.com`.
    pub dingtalk: String,
    /// 飞书, `https://open.feishu.cn`.
    pub feishu: String,
}

impl Default for Endpoints {
    fn default() -> Endpoints {
        Endpoints {
            wecom: "https://qyapi.weixin.qq.com".into(),
            dingtalk: "https://oapi.dingtalk.com".into(),
            feishu: "https://open.feishu.cn".into(),
        }
    }
}

/// What a robot message carries, as the outbox keeps it (its body, JSON): the text, and the
/// phones of the people it calls out (@) where the app can.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RobotMessage {
    /// The text, already cut to the app's limit.
    pub text: String,
    /// Phones to @.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mobiles: Vec<String>,
}

/// The most each app takes in one text message, in bytes of UTF-8.
pub fn text_limit(channel: Channel) -> usize {
    match channel {
        // 企业微信: "文本内容，最长不超过2048个字节".
        Channel::Wecom => 2048,
        // 钉钉 takes 20,000 bytes; 飞书 20 KB for the whole request, with room for the rest.
        Channel::Dingtalk => 20_000,
        Channel::Feishu => 18_000,
        Channel::Mail | Channel::Sms => usize::MAX,
    }
}

/// `text` cut to at most `limit` bytes at a character boundary, ending with `…（详见平台）`
/// when cut, so that a reader knows there is more.
pub fn cut(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    const MORE: &str = "…（详见督办平台）";
    let mut end = limit.saturating_sub(MORE.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{MORE}", &text[..end])
}

/// A robot's limits: messages a minute, and the shortest gap between two.
fn limits(channel: Channel) -> (usize, Duration) {
    match channel {
        Channel::Feishu => (100, Duration::from_millis(200)),
        _ => (20, Duration::ZERO),
    }
}

/// Sends to robots.
pub struct Hooks {
    agent: ureq::Agent,
    endpoints: Endpoints,
    book: RobotBook,
    /// When each robot last sent, newest last: at most a minute's worth.
    sent: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Hooks {
    /// Robots of `book`, reached at `endpoints` through `agent`.
    pub fn new(agent: ureq::Agent, endpoints: Endpoints, book: RobotBook) -> Hooks {
        Hooks {
            agent,
            endpoints,
            book,
            sent: Mutex::new(HashMap::new()),
        }
    }

    /// The robots it knows.
    pub fn book(&self) -> &RobotBook {
        &self.book
    }

    /// Sends `message` (the outbox's body) to robot `name` of `channel`.
    pub fn send(&self, channel: Channel, name: &str, body: &str) -> Result<String, SendError> {
        let robot = self.book.get(channel, name).ok_or_else(|| {
            SendError::Unconfigured(format!(
                "{} robot `{name}` is not in the robots file",
                channel.zh()
            ))
        })?;
        let message: RobotMessage = serde_json::from_str(body).unwrap_or_else(|_| RobotMessage {
            text: body.to_string(),
            mobiles: Vec::new(),
        });
        self.take_turn(robot)?;
        let (url, payload) = self.request(robot, &message, unix_now());
        let answer = post_json(&self.agent, &url, &payload)?;
        read_answer(robot, &answer)
    }

    /// Waits for or refuses a turn within the robot's rate limit.
    fn take_turn(&self, robot: &Robot) -> Result<(), SendError> {
        let (per_minute, gap) = limits(robot.channel);
        let mut sent = self
            .sent
            .lock()
            .map_err(|_| SendError::Transient("the robots' rate lock is poisoned".into()))?;
        let times = sent.entry(robot.name.clone()).or_default();
        let now = Instant::now();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            times.pop_front();
        }
        if times.len() >= per_minute {
            let frees = Duration::from_secs(60).saturating_sub(now.duration_since(times[0]));
            return Err(SendError::Throttled(
                format!(
                    "{} robot `{}` has sent {per_minute} messages this minute",
                    robot.channel.zh(),
                    robot.name
                ),
                frees.max(Duration::from_secs(1)),
            ));
        }
        if let Some(last) = times.back() {
            let since = now.duration_since(*last);
            if since < gap {
                std::thread::sleep(gap - since);
            }
        }
        times.push_back(Instant::now());
        Ok(())
    }

    /// The request's address and body for `robot` at unix second `now`.
    fn request(&self, robot: &Robot, message: &RobotMessage, now: i64) -> (String, Value) {
        let enc = |s: &str| percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string();
        match robot.channel {
            Channel::Wecom => (
                format!(
                    "{}/cgi-bin/webhook/send?key={}",
                    self.endpoints.wecom.trim_end_matches('/'),
                    enc(&robot.key)
                ),
                json!({
                    "msgtype": "text",
                    "text": {"content": message.text, "mentioned_mobile_list": message.mobiles},
                }),
            ),
            Channel::Dingtalk => {
                let mut url = format!(
                    "{}/robot/send?access_token={}",
                    self.endpoints.dingtalk.trim_end_matches('/'),
                    enc(&robot.key)
                );
                if let Some(secret) = &robot.secret {
                    let millis = now * 1000;
                    let sign = dingtalk_sign(secret, millis);
                    url.push_str(&format!("&timestamp={millis}&sign={}", enc(&sign)));
                }
                // 钉钉 shows an @ only where the text names the phone too.
                let mut text = message.text.clone();
                for m in &message.mobiles {
                    text.push_str(&format!(" @{m}"));
                }
                (
                    url,
                    json!({
                        "msgtype": "text",
                        "text": {"content": text},
                        "at": {"atMobiles": message.mobiles, "isAtAll": false},
                    }),
                )
            }
            _ => {
                let url = format!(
                    "{}/open-apis/bot/v2/hook/{}",
                    self.endpoints.feishu.trim_end_matches('/'),
                    enc(&robot.key)
                );
                let mut body = json!({"msg_type": "text", "content": {"text": message.text}});
                if let Some(secret) = &robot.secret {
                    body["timestamp"] = json!(now.to_string());
                    body["sign"] = json!(feishu_sign(secret, now));
                }
                (url, body)
            }
        }
    }
}

/// What stays as it is in a URL (RFC 3986's unreserved characters): a hook's id is a UUID.
pub const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// 钉钉's signature: base64(HMAC-SHA256(secret, "timestamp\nsecret")), timestamp in ms.
pub fn dingtalk_sign(secret: &str, millis: i64) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{millis}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// 飞书's signature: base64(HMAC-SHA256 keyed by "timestamp\nsecret" over nothing), timestamp
/// in seconds.
pub fn feishu_sign(secret: &str, seconds: i64) -> String {
    let key = format!("{seconds}\n{secret}");
    let mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes())
        .expect("HMAC takes a key of any length");
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The wall clock's unix seconds: signatures are checked against the app's clock, whatever
/// instant a rehearsal plans at.
pub(super) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// What an HTTP exchange gave: the status and the body.
pub(super) struct Answer {
    pub status: u16,
    pub body: String,
}

/// Posts `payload` as JSON; an answer of any status is returned, a failure to get one is
/// transient (a refused connection, a timeout).
pub(super) fn post_json(
    agent: &ureq::Agent,
    url: &str,
    payload: &Value,
) -> Result<Answer, SendError> {
    post(
        agent,
        url,
        "application/json",
        payload.to_string().as_bytes(),
    )
}

/// Posts `body` of `content_type` to `url`.
pub(super) fn post(
    agent: &ureq::Agent,
    url: &str,
    content_type: &str,
    body: &[u8],
) -> Result<Answer, SendError> {
    let mut response = agent
        .post(url)
        .header("Content-Type", content_type)
        .send(body)
        .map_err(|e| request_failed(&e))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .map_err(|e| SendError::Transient(shown_error(&e)))?;
    Ok(Answer { status, body })
}

/// What a request that got no answer means for its message.
pub(super) fn request_failed(e: &ureq::Error) -> SendError {
    // A certificate not trusted, or no TLS where the address says https: as for mail,
    // nothing goes until it is mended.
    if tls_failed(e) {
        SendError::Untrusted(shown_error(e))
    } else {
        SendError::Transient(shown_error(e))
    }
}

/// Whether the TLS handshake failed (rustls's own error, however ureq passes it on).
fn tls_failed(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => true,
        ureq::Error::Io(io) => io
            .get_ref()
            .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some()),
        _ => false,
    }
}

/// An HTTP failure as logs may show it: never the address, which holds a robot's key.
fn shown_error(e: &ureq::Error) -> String {
    if let ureq::Error::Io(io) = e
        && let Some(tls) = io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return format!("TLS: {tls}");
    }
    match e {
        ureq::Error::Timeout(_) => "no answer in time (the message may have been taken)".into(),
        ureq::Error::Io(io) => format!("connection: {}", io.kind()),
        ureq::Error::Tls(why) => format!("TLS: {why}"),
        ureq::Error::Rustls(why) => format!("TLS: {why}"),
        other => {
            // ureq's own words may quote the address; keep only its kind.
            let text = other.to_string();
            format!("HTTP: {}", text.split(':').next().unwrap_or("failed"))
        }
    }
}

/// What a robot's app answered, by its own codes.
fn read_answer(robot: &Robot, answer: &Answer) -> Result<String, SendError> {
    let who = format!("{} robot `{}`", robot.channel.zh(), robot.name);
    let parsed: Option<Value> = serde_json::from_str(&answer.body).ok();
    let code = parsed.as_ref().and_then(|v| {
        v.get("errcode")
            .or_else(|| v.get("code"))
            .or_else(|| v.get("StatusCode"))
            .and_then(Value::as_i64)
    });
    let words = parsed
        .as_ref()
        .and_then(|v| v.get("errmsg").or_else(|| v.get("msg")))
        .and_then(Value::as_str)
        .unwrap_or("")
        .chars()
        .take(200)
        .collect::<String>();
    let said = format!(
        "{who}: {} {words}",
        code.map_or("-".into(), |c| c.to_string())
    );
    match (answer.status, code) {
        (200, Some(0)) => Ok(format!("{} ok", code.unwrap_or(0))),
        (429, _) => Err(SendError::Throttled(said, Duration::from_secs(60))),
        (status, None) if status >= 500 => {
            Err(SendError::Transient(format!("{who}: HTTP {status}")))
        }
        (status, None) => Err(SendError::Transient(format!(
            "{who}: HTTP {status} with no code the app uses"
        ))),
        (_, Some(code)) => Err(refusal(robot.channel, code, said)),
    }
}

/// What an app's error code means for the message.
fn refusal(channel: Channel, code: i64, said: String) -> SendError {
    match (channel, code) {
        // 企业微信: 93000 a webhook key that is not (or no longer) valid.
        (Channel::Wecom, 93000 | 40001 | 42001) => SendError::Login(said),
        // 企业微信: 45009 over the robot's 20 a minute.
        (Channel::Wecom, 45009) => SendError::Throttled(said, Duration::from_secs(60)),
        // 企业微信: 45002 too long, 44004 empty, 40008 a message type it does not take.
        (Channel::Wecom, 45002 | 44004 | 40008) => SendError::Permanent(said),
        // 钉钉: 310000 a signature, keyword or address the robot's security refuses; 300001 an
        // access_token that is not; 400102 a robot that is switched off.
        (Channel::Dingtalk, 310000 | 300001 | 300005 | 400102) => SendError::Login(said),
        // 钉钉: 130101 over 20 a minute: the robot is held for ten minutes.
        (Channel::Dingtalk, 130101) => SendError::Throttled(said, Duration::from_secs(600)),
        (Channel::Dingtalk, 460101) => SendError::Permanent(said),
        // 飞书: 19021 a bad signature or a timestamp out of its window; 19001 a hook that is
        // not; 19024 a keyword missing; 19022 an address not allowed.
        (Channel::Feishu, 19021 | 19001 | 19022 | 19024) => SendError::Login(said),
        // 飞书: 9499 and 11232 too many requests.
        (Channel::Feishu, 9499 | 11232) => SendError::Throttled(said, Duration::from_secs(60)),
        (Channel::Feishu, 19002 | 9209) => SendError::Permanent(said),
        _ => SendError::Transient(said),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_as_the_apps_document_them() {
        // Computed independently (Python's hmac) for the same secret and instant.
        assert_eq!(
            dingtalk_sign("SEC123", 1_700_000_000_000),
            "lkcPI1uoxBY1gUnCnnPH1Kkru0Hqjo7rFpA3haIVhEQ="
        );
        assert_eq!(
            feishu_sign("abc", 1_700_000_000),
            "VIS10b0EBvzzSdFnuk4tznEmK5wHaruvf/WnViv2yR4="
        );
    }

    #[test]
    fn a_cut_text_keeps_whole_characters_and_says_there_is_more() {
        let text = "逾期".repeat(1000);
        let cut_text = cut(&text, 2048);
        assert!(cut_text.len() <= 2048, "{}", cut_text.len());
        assert!(cut_text.ends_with("（详见督办平台）"));
        assert_eq!(cut("短", 2048), "短");
    }
}
