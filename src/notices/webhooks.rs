//! Webhooks out: other systems (an OA system, a 一表通 platform, a province's dashboard) told
//! of what happens in the record — a submission recorded, a review decided, an item overdue,
//! an acknowledgement, a request for more time and its answer, a waiver — by an HTTP POST of
//! JSON, signed with HMAC-SHA256 over a timestamp and the body.
//!
//! Deliveries go through the outbox as mail does: each is written once, keyed by its event
//! and its receiver, before anything is sent, and claimed by one pass at a time. A delivery is
//! marked sent only on a 2xx answer; a 5xx, 408, 429, a timeout or a refused connection is
//! tried again with the mail's backoff; another 4xx is given up (the receiver will not take
//! it however often it is sent); a 401 or 403 (the receiver refuses the signature) stops that
//! receiver alone for the pass and leaves its deliveries pending with why. So each event
//! reaches each receiver at least once, across crashes, processes and nodes; the one in flight
//! when its sender dies may arrive twice, and a receiver knows it again by `Duban-Delivery`
//! (the same on every try) or by the event's `id`.
//!
//! The receivers and their secrets are kept in a secrets file of their own (`[channels]
//! webhooks_file`, `DUBAN_WEBHOOKS_FILE`, or `webhooks.toml` among systemd's credentials),
//! never in the records; the outbox names a receiver by its name only (`webhook:一表通`):
//!
//! ```toml
//! ["一表通"]
//! url = "https://ybt.example.gov.cn/hooks/duban"
//! secret = "…"                     # at least 16 characters
//! events = ["submission.recorded", "review.decided", "obligation.overdue"]  # all by default
//! campaigns = ["nanyang-2017"]     # every campaign by default
//! ```
//!
//! A request carries `Duban-Event` (its type), `Duban-Delivery` (the delivery's id),
//! `Duban-Timestamp` (unix seconds when it was signed, at each try) and `Duban-Signature:
//! sha256=HEX`, HMAC-SHA256 keyed by the secret over `TIMESTAMP.BODY`: a receiver computes it
//! again and refuses a timestamp far from its own clock, so a request caught on the way cannot
//! be replayed later.

use std::fmt;

use chrono::SecondsFormat;
use hmac::{KeyInit as _, Mac as _};
use serde_json::{Value, json};

use super::hooks::{request_failed, unix_now};
use super::send::{Outgoing, SendError};
use crate::clock::Instant;
use crate::store::{
    Candidate, NoticeKey, Outbox, OutboxMail, PlanInput, RecordedEvent, StoreError, Written,
};

/// What other systems are told of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// A unit's report recorded (报送).
    SubmissionRecorded,
    /// A reviewer's decision: accepted, passed to the next level, or returned.
    ReviewDecided,
    /// A report not in by the last day it was on time.
    ObligationOverdue,
    /// A unit acknowledged what it owes (签收).
    AcknowledgementRecorded,
    /// A unit asked for more time (申请延期).
    ExtensionRequested,
    /// The office's answer to it, or an extension it gave.
    ExtensionDecided,
    /// The office waived a report (免报).
    ObligationWaived,
}

impl EventType {
    /// Every type, as the webhooks file may name them.
    pub const ALL: [EventType; 7] = [
        EventType::SubmissionRecorded,
        EventType::ReviewDecided,
        EventType::ObligationOverdue,
        EventType::AcknowledgementRecorded,
        EventType::ExtensionRequested,
        EventType::ExtensionDecided,
        EventType::ObligationWaived,
    ];

    /// Its name, as requests and the webhooks file give it.
    pub fn name(self) -> &'static str {
        match self {
            EventType::SubmissionRecorded => "submission.recorded",
            EventType::ReviewDecided => "review.decided",
            EventType::ObligationOverdue => "obligation.overdue",
            EventType::AcknowledgementRecorded => "acknowledgement.recorded",
            EventType::ExtensionRequested => "extension.requested",
            EventType::ExtensionDecided => "extension.decided",
            EventType::ObligationWaived => "obligation.waived",
        }
    }

    /// The type named `name`.
    pub fn named(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The type of a ledger act, and the decision it carries; none for acts not told.
    fn of_act(kind: &str) -> Option<(EventType, Option<&'static str>)> {
        Some(match kind {
            "submitted" => (EventType::SubmissionRecorded, None),
            "review_accepted" => (EventType::ReviewDecided, Some("accepted")),
            "review_passed" => (EventType::ReviewDecided, Some("passed")),
            "review_returned" | "returned" => (EventType::ReviewDecided, Some("returned")),
            "acknowledged" => (EventType::AcknowledgementRecorded, None),
            "extension_asked" => (EventType::ExtensionRequested, None),
            "extended" => (EventType::ExtensionDecided, Some("extended")),
            "extension_declined" => (EventType::ExtensionDecided, Some("declined")),
            "waived" => (EventType::ObligationWaived, None),
            _ => return None,
        })
    }
}

/// A receiver, with its secret.
#[derive(Clone)]
pub struct Receiver {
    /// Its name, as the outbox and logs name it.
    pub name: String,
    /// Where deliveries are posted (`https://…`, or `http://` on this machine).
    url: String,
    /// The signing key.
    secret: String,
    /// The types it is sent; every one when empty.
    pub events: Vec<EventType>,
    /// The campaigns whose events it is sent; every one when empty.
    pub campaigns: Vec<String>,
}

/// Never the address (it may hold a token) or the secret.
impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("name", &self.name)
            .field("events", &self.events)
            .field("campaigns", &self.campaigns)
            .finish_non_exhaustive()
    }
}

impl Receiver {
    /// Whether it is sent events of `kind` of `campaign`.
    fn wants(&self, kind: EventType, campaign: &str) -> bool {
        (self.events.is_empty() || self.events.contains(&kind))
            && (self.campaigns.is_empty() || self.campaigns.iter().any(|c| c == campaign))
    }

    /// Its outbox address.
    pub fn address(&self) -> String {
        format!("{PREFIX}{}", self.name)
    }
}

/// The prefix of a receiver's outbox address.
pub const PREFIX: &str = "webhook:";

/// The receiver an outbox address names, if it names one.
pub fn receiver_of(address: &str) -> Option<&str> {
    address.strip_prefix(PREFIX)
}

/// The webhooks file is unusable. No message quotes the file's text: a line of it may hold a
/// secret.
#[derive(Debug, thiserror::Error)]
pub enum WebhooksError {
    /// The file cannot be read.
    #[error("cannot read the webhooks file {}: {source}", path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not TOML.
    #[error("the webhooks file is not valid TOML at line {line}")]
    Syntax {
        /// Where.
        line: usize,
    },
    /// A receiver lacks something or has something wrong.
    #[error("webhook `{receiver}` in the webhooks file: {problem}")]
    Receiver {
        /// Which.
        receiver: String,
        /// What is wrong.
        problem: String,
    },
}

/// Every receiver of the office, by name.
#[derive(Clone, Debug, Default)]
pub struct WebhookBook {
    receivers: Vec<Receiver>,
}

/// The shortest secret taken: a guessable key would let anyone forge deliveries.
const MIN_SECRET: usize = 16;

impl WebhookBook {
    /// Reads the webhooks file's text.
    pub fn parse(text: &str) -> Result<WebhookBook, WebhooksError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let at = e.span().map_or(0, |s| s.start);
            WebhooksError::Syntax {
                line: text[..at.min(text.len())].matches('\n').count() + 1,
            }
        })?;
        let mut receivers = Vec::new();
        for (name, value) in table {
            let bad = |problem: &str| WebhooksError::Receiver {
                receiver: name.clone(),
                problem: problem.to_string(),
            };
            let toml::Value::Table(fields) = value else {
                return Err(bad(
                    "write it as a table: [\"name\"] with url, secret, events and campaigns",
                ));
            };
            for field in fields.keys() {
                if !["url", "secret", "events", "campaigns"].contains(&field.as_str()) {
                    return Err(bad(&format!(
                        "unknown field `{field}` (a webhook has url, secret, events and campaigns)"
                    )));
                }
            }
            let text = |field: &str| match fields.get(field) {
                Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                Some(_) => Err(bad(&format!("`{field}` must be text"))),
                None => Err(bad(&format!("no `{field}`"))),
            };
            let list = |field: &str| match fields.get(field) {
                None => Ok(Vec::new()),
                Some(toml::Value::Array(items)) => items
                    .iter()
                    .map(|i| i.as_str().map(|s| s.trim().to_string()))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| bad(&format!("`{field}` must be a list of text"))),
                Some(_) => Err(bad(&format!("`{field}` must be a list of text"))),
            };
            if name.trim().is_empty() || name.contains(':') {
                return Err(bad("a webhook's name may not be empty or hold `:`"));
            }
            let url = text("url")?;
            let parsed = url::Url::parse(&url).map_err(|_| bad("`url` is not an address"))?;
            let local = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
            if parsed.scheme() != "https" && !(parsed.scheme() == "http" && local) {
                return Err(bad(
                    "`url` must be https:// (http:// only to this machine): deliveries carry the record",
                ));
            }
            let secret = text("secret")?;
            if secret.chars().count() < MIN_SECRET {
                return Err(bad(&format!(
                    "`secret` must be at least {MIN_SECRET} characters"
                )));
            }
            let events = list("events")?
                .iter()
                .map(|e| {
                    EventType::named(e).ok_or_else(|| {
                        let known: Vec<&str> = EventType::ALL.iter().map(|t| t.name()).collect();
                        bad(&format!(
                            "unknown event `{e}` (known: {})",
                            known.join(", ")
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let campaigns = list("campaigns")?;
            receivers.push(Receiver {
                name: name.clone(),
                url,
                secret,
                events,
                campaigns,
            });
        }
        Ok(WebhookBook { receivers })
    }

    /// Reads the webhooks file at `path`.
    pub fn read(path: &std::path::Path) -> Result<WebhookBook, WebhooksError> {
        let text =
            crate::fsio::read_text(path, crate::fsio::limits::SETTINGS).map_err(|source| {
                WebhooksError::Read {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
        WebhookBook::parse(&text)
    }

    /// Every receiver, in the file's order.
    pub fn receivers(&self) -> &[Receiver] {
        &self.receivers
    }
}

/// The signature of a delivery: `sha256=` and the hex of HMAC-SHA256 keyed by `secret` over
/// `TIMESTAMP.BODY`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// Sends deliveries to the receivers of a book.
pub struct Webhooks {
    agent: ureq::Agent,
    book: WebhookBook,
}

impl Webhooks {
    /// The receivers of `book`, reached through `agent`.
    pub fn new(agent: ureq::Agent, book: WebhookBook) -> Webhooks {
        Webhooks { agent, book }
    }

    /// Posts `delivery` (the outbox's body, its subject the event's type) to receiver `name`,
    /// signed now by the wall clock: the receiver checks it against its own.
    pub fn send(&self, name: &str, delivery: &Outgoing<'_>) -> Result<String, SendError> {
        let receiver = self
            .book
            .receivers
            .iter()
            .find(|r| r.name == name)
            .ok_or_else(|| {
                SendError::Unconfigured(format!("webhook `{name}` is not in the webhooks file"))
            })?;
        let timestamp = unix_now();
        let id = delivery.message_id;
        let response = self
            .agent
            .post(&receiver.url)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("User-Agent", concat!("duban/", env!("CARGO_PKG_VERSION")))
            .header("Duban-Event", delivery.subject)
            .header("Duban-Delivery", id)
            .header("Duban-Timestamp", timestamp.to_string())
            .header(
                "Duban-Signature",
                signature(&receiver.secret, timestamp, delivery.body),
            )
            .send(delivery.body.as_bytes())
            .map_err(|e| request_failed(&e))?;
        answer(name, response.status().as_u16(), response.headers())
    }
}

/// What a receiver's answer means for the delivery.
fn answer(name: &str, status: u16, headers: &ureq::http::HeaderMap) -> Result<String, SendError> {
    let said = format!("webhook `{name}` answered HTTP {status}");
    match status {
        200..=299 => Ok(format!("HTTP {status}")),
        401 | 403 => Err(SendError::Login(format!(
            "{said}: it refuses the signature (is its secret the webhooks file's?)"
        ))),
        429 | 503 => {
            let wait = headers
                .get("Retry-After")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            match wait {
                Some(seconds) => Err(SendError::Throttled(
                    said,
                    std::time::Duration::from_secs(seconds.clamp(1, 3600)),
                )),
                None => Err(SendError::Transient(said)),
            }
        }
        408 | 500..=599 => Err(SendError::Transient(said)),
        _ => Err(SendError::Permanent(said)),
    }
}

/// How far back a pass looks again for acts to tell other systems of: an act reads the clock
/// before it commits (an import of a whole spreadsheet, or a node whose clock is behind, by
/// minutes), so one committed after a pass read the record can bear an earlier instant than the
/// latest that pass saw. A day covers any transaction and any clock worth running; an act told
/// already is not read again (the store leaves out those whose deliveries are written).
const ACTS_MARGIN: i64 = 86_400;

/// The deliveries to other systems (webhooks) of the acts recorded since the last pass read
/// them (since the last pass, the first time) and of the reports overdue at `as_of`; and the
/// latest instant of an act read.
pub(super) fn for_pass<S: Outbox + ?Sized>(
    store: &S,
    input: &PlanInput,
    as_of: Instant,
    now: i64,
    receivers: &[Receiver],
) -> Result<(Vec<OutboxMail>, Option<i64>), StoreError> {
    if receivers.is_empty() {
        return Ok((Vec::new(), None));
    }
    // Acts are stamped by the clock of whoever recorded them (a rehearsal's, or the real one),
    // so a pass reads on from the earlier of the latest act it saw and its own last instant:
    // acts stamped by either clock are found, and the margin covers late commits.
    let since = match (store.acts_seen()?, store.last_pass()?) {
        (Some(seen), Some(last)) => Some(seen.min(last)),
        (seen, last) => seen.or(last),
    }
    .map_or(i64::MIN, |t| t.saturating_sub(ACTS_MARGIN));
    let events = store.recorded_events(since)?;
    let seen = events.iter().map(|e| e.recorded_at).max();
    Ok((
        deliveries(
            receivers,
            &events,
            &input.candidates,
            &input.sent,
            as_of,
            now,
        ),
        seen,
    ))
}

/// The deliveries a pass at `as_of` (unix seconds `now`) writes: one per receiver for each
/// act in `events` and each report in `candidates` overdue then (and not told yet: `written`),
/// of the types and campaigns it wants. Each is keyed in the outbox by its event and receiver,
/// so that a pass that finds the same event again writes nothing.
pub fn deliveries(
    receivers: &[Receiver],
    events: &[RecordedEvent],
    candidates: &[Candidate],
    written: &Written,
    as_of: Instant,
    now: i64,
) -> Vec<OutboxMail> {
    let mut out = Vec::new();
    if receivers.is_empty() {
        return out;
    }
    let mut add = |kind: EventType, campaign_id: i64, campaign: &str, key: NoticeKey, body| {
        for receiver in receivers.iter().filter(|r| r.wants(kind, campaign)) {
            let address = receiver.address();
            // An overdue told already (the planner reads the notices written): nothing to write.
            let told = written
                .of(key.obligation_id)
                .iter()
                .any(|(s, d, a)| *s == key.stage && *d == key.due_date && *a == address);
            if told {
                continue;
            }
            let body = serde_json::to_string(&body).unwrap_or_default();
            out.push(OutboxMail {
                campaign_id,
                recipient: address.clone(),
                subject: kind.name().to_string(),
                message_id: delivery_id(&key, &address, now),
                body,
                notices: vec![NoticeKey {
                    recipient: address,
                    send_at: now,
                    ..key.clone()
                }],
                attachment: None,
                not_before: None,
            });
        }
    };
    for event in events {
        let Some((kind, decision)) = EventType::of_act(&event.kind) else {
            continue;
        };
        let body = act_body(event, kind, decision);
        let key = NoticeKey {
            obligation_id: event.obligation_id,
            stage: format!("webhook:event:{}", event.id),
            due_date: String::new(),
            recipient: String::new(),
            role: "webhook".into(),
            send_at: now,
        };
        add(kind, event.campaign_id, &event.campaign, key, body);
    }
    for c in candidates {
        if c.review_of.is_some() || c.below.is_some() {
            continue;
        }
        let today = as_of.in_zone(c.zone).with_timezone(&c.zone).date_naive();
        if today <= c.on_time_until {
            continue;
        }
        // Overdue from the end of its last on-time day, in its campaign's zone.
        let since = c
            .due_at()
            .with_timezone(&c.zone)
            .to_rfc3339_opts(SecondsFormat::Secs, false);
        let id = format!(
            "overdue-{}-{}",
            c.obligation_id,
            c.due_date.format("%Y-%m-%d")
        );
        let body = json!({
            "id": id,
            "type": EventType::ObligationOverdue.name(),
            "occurred_at": since,
            "campaign": &*c.campaign,
            "deliverable": &*c.deliverable,
            "unit": &*c.unit,
            "period": c.period.as_deref(),
            "due_date": c.due_date.to_string(),
            "on_time_until": c.on_time_until.to_string(),
        });
        let key = NoticeKey {
            obligation_id: c.obligation_id,
            stage: "webhook:overdue".into(),
            due_date: c.due_date.to_string(),
            recipient: String::new(),
            role: "webhook".into(),
            send_at: now,
        };
        add(
            EventType::ObligationOverdue,
            c.campaign_id,
            &c.campaign,
            key,
            body,
        );
    }
    out
}

/// What a delivery of a recorded act says.
fn act_body(event: &RecordedEvent, kind: EventType, decision: Option<&str>) -> Value {
    let data: Value = serde_json::from_str(&event.data).unwrap_or(Value::Null);
    let time = |t: i64| crate::clock::from_unix(t).to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut body = json!({
        "id": format!("event-{}", event.id),
        "type": kind.name(),
        "occurred_at": time(event.at),
        "recorded_at": time(event.recorded_at),
        "campaign": event.campaign,
        "deliverable": event.deliverable,
        "unit": event.unit,
        "period": (!event.period.is_empty()).then_some(&event.period),
        "by": event.actor,
    });
    if let Some(decision) = decision {
        body["decision"] = decision.into();
    }
    if let Some(reason) = &event.reason {
        body["reason"] = reason.as_str().into();
    }
    // What the act's own record says that a receiver acts on: the level of a review, the
    // reviewer, the day asked for or given.
    for field in [
        "level",
        "levels",
        "reviewer",
        "next",
        "until",
        "asked_until",
        "late",
    ] {
        if let Some(value) = data.get(field).filter(|v| !v.is_null()) {
            body[field] = value.clone();
        }
    }
    body
}

/// A delivery's id: unique among the outbox's, the same on every try of it; ASCII, since it
/// goes in a header.
fn delivery_id(key: &NoticeKey, address: &str, now: i64) -> String {
    use sha2::{Digest as _, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(key.obligation_id.to_le_bytes());
    hasher.update(key.stage.as_bytes());
    hasher.update(key.due_date.as_bytes());
    hasher.update(address.as_bytes());
    hasher.update(now.to_le_bytes());
    hasher.update(std::process::id().to_le_bytes());
    format!("webhook.{}", super::render::short_hex(&hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_hmac_sha256_over_the_timestamp_and_the_body() {
        // RFC 4231's test case 2 key and message, in the timestamp.body shape, as Python's
        // hmac.new(b"Jefe", b"0.what do ya want for nothing?", hashlib.sha256) computes it.
        let mac = signature("Jefe", 0, "what do ya want for nothing?");
        assert_eq!(
            mac,
            "sha256=37f471929915ccd2cbbe79feb84ffcff4f2bb25e15fc41c2506687331ae179cc"
        );
        assert_ne!(mac, signature("Jefe", 1, "what do ya want for nothing?"));
        assert_ne!(mac, signature("Jeff", 0, "what do ya want for nothing?"));
    }

    #[test]
    fn a_book_names_receivers_and_refuses_what_would_leak_or_forge() {
        let book = WebhookBook::parse(
            "[\"一表通\"]\nurl = \"https://ybt.example.gov.cn/h\"\nsecret = \"0123456789abcdef\"\nevents = [\"submission.recorded\"]\n",
        )
        .unwrap();
        let r = &book.receivers()[0];
        assert_eq!(r.address(), "webhook:一表通");
        assert_eq!(r.events, [EventType::SubmissionRecorded]);
        assert!(!format!("{r:?}").contains("0123456789abcdef"));
        for (text, words) in [
            (
                "[a]\nurl = \"http://ybt.example.gov.cn/h\"\nsecret = \"0123456789abcdef\"",
                "https",
            ),
            (
                "[a]\nurl = \"https://x.cn/h\"\nsecret = \"short\"",
                "at least 16",
            ),
            (
                "[a]\nurl = \"https://x.cn/h\"\nsecret = \"0123456789abcdef\"\nevents = [\"x\"]",
                "unknown event `x`",
            ),
            ("[a]\nsecret = \"0123456789abcdef\"", "no `url`"),
            (
                "[a]\nurl = \"https://x.cn/h\"\nsecret = \"0123456789abcdef\"\nkey = 1",
                "unknown field",
            ),
        ] {
            let error = WebhookBook::parse(text).unwrap_err().to_string();
            assert!(error.contains(words), "{text}: {error}");
            assert!(!error.contains("0123456789abcdef"), "{error}");
        }
        let error = WebhookBook::parse("[a]\nsecret = \"0123456789abcdef\"\nurl = [")
            .unwrap_err()
            .to_string();
        assert!(!error.contains("0123456789abcdef"), "{error}");
    }

    #[test]
    fn answers_read_as_a_sender_must() {
        let none = ureq::http::HeaderMap::new();
        assert!(answer("a", 204, &none).is_ok());
        assert!(matches!(answer("a", 401, &none), Err(SendError::Login(_))));
        assert!(matches!(
            answer("a", 503, &none),
            Err(SendError::Transient(_))
        ));
        assert!(matches!(
            answer("a", 404, &none),
            Err(SendError::Permanent(_))
        ));
        let mut wait = ureq::http::HeaderMap::new();
        wait.insert("Retry-After", "30".parse().unwrap());
        assert!(matches!(
            answer("a", 429, &wait),
            Err(SendError::Throttled(_, d)) if d.as_secs() == 30
        ));
    }
}
