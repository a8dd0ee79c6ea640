//! The outbox. Every notice is written with its unique key (obligation, stage, deadline,
//! mailbox) in the same transaction as the rendered mail that carries it, before anything is
//! sent; a mail is marked sent only once the server has accepted it. So a notice is sent once,
//! and a crash repeats at most the mail in flight.

use serde::Serialize;

use super::{Refusal, StoreError};

/// A finished mail for the outbox, with the notices it carries: what a pass hands the store
/// to write before it sends anything.
#[derive(Clone, Debug)]
pub struct OutboxMail {
    /// The campaign's row.
    pub campaign_id: i64,
    /// The recipient's address.
    pub recipient: String,
    /// The subject, one line.
    pub subject: String,
    /// The body, plain text.
    pub body: String,
    /// Its Message-ID, stable across retries.
    pub message_id: String,
    /// The notices it carries.
    pub notices: Vec<NoticeKey>,
    /// A document it carries (the bulletin, to the office that issues it).
    pub attachment: Option<Attachment>,
    /// Not sent before this instant (a robot's messages spread over the minutes its rate
    /// limit allows); at once when `None`.
    pub not_before: Option<i64>,
}

/// A file a mail carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// Its file name (`通报.docx`).
    pub name: String,
    /// Its MIME type.
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl Attachment {
    /// As the outbox keeps it: JSON with the bytes in base64.
    pub(super) fn encode(attachment: Option<&Attachment>) -> Option<String> {
        use base64::Engine as _;
        attachment.map(|a| {
            serde_json::json!({
                "name": a.name,
                "content_type": a.content_type,
                "base64": base64::engine::general_purpose::STANDARD.encode(&a.bytes),
            })
            .to_string()
        })
    }

    /// What [`Attachment::encode`] kept.
    pub(super) fn decode(text: Option<&str>) -> Result<Option<Attachment>, StoreError> {
        use base64::Engine as _;
        let Some(text) = text else { return Ok(None) };
        let bad = || StoreError::Decode {
            message: "a mail's attachment is not what duban writes".into(),
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(|_| bad())?;
        let field = |key: &str| value.get(key).and_then(|v| v.as_str()).ok_or_else(bad);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(field("base64")?)
            .map_err(|_| bad())?;
        Ok(Some(Attachment {
            name: field("name")?.to_string(),
            content_type: field("content_type")?.to_string(),
            bytes,
        }))
    }
}

/// A notice's unique key in the outbox, and when it goes out: each is written once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeKey {
    /// The obligation's row.
    pub obligation_id: i64,
    /// The stage (`before:3d`, `overdue:7d`, …).
    pub stage: String,
    /// The deadline it is about, as units are told it.
    pub due_date: String,
    /// The mailbox.
    pub recipient: String,
    /// The role it is addressed in.
    pub role: String,
    /// When it is due to go out (unix seconds).
    pub send_at: i64,
}

/// A mail waiting to be sent.
#[derive(Clone, Debug)]
pub struct PendingMail {
    /// Its row.
    pub id: i64,
    /// The recipient's address.
    pub recipient: String,
    /// The subject.
    pub subject: String,
    /// The body.
    pub body: String,
    /// Its Message-ID.
    pub message_id: String,
    /// Sends tried so far.
    pub attempts: i64,
    /// The document it carries, if any.
    pub attachment: Option<Attachment>,
}

/// Messages a pass leaves alone, because what they go by refused it this pass (the mail
/// server's login, one robot's key, the SMS gateway's signature).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skip {
    /// Mail: addresses without a channel's prefix.
    pub mail: bool,
    /// Recipients beginning so (`sms:`).
    pub prefixes: Vec<String>,
    /// Whole recipients (`wecom:宛城区督办群`).
    pub recipients: Vec<String>,
}

impl Skip {
    /// The SQL that keeps a row out (` AND …`), its parameters numbered from `first` in the
    /// engine's way (`?N` or `$N`), and their values.
    pub(super) fn condition(&self, first: usize, mark: char) -> (String, Vec<String>) {
        let mut sql = String::new();
        let mut values = Vec::new();
        if self.mail {
            // A mail address has no `:` before its `@` unquoted; every other channel's does.
            sql.push_str(" AND recipient LIKE '%:%'");
        }
        for prefix in &self.prefixes {
            sql.push_str(&format!(
                " AND recipient NOT LIKE {mark}{}",
                first + values.len()
            ));
            values.push(format!("{prefix}%"));
        }
        for recipient in &self.recipients {
            sql.push_str(&format!(" AND recipient <> {mark}{}", first + values.len()));
            values.push(recipient.clone());
        }
        (sql, values)
    }
}

/// A pass's hold on the mails it sends, so that no other pass sends them too: who holds it
/// and until when (unix seconds of the real clock, not of `--as-of`: a claim measures whether
/// its process is still alive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// The pass holding it (host, process and a nonce).
    pub owner: String,
    /// When it was taken.
    pub at: i64,
    /// When another pass may take it over.
    pub expires_at: i64,
}

/// How long a pass keeps trying to record what became of a mail it sent while another process
/// holds the database: a sync of a national campaign takes about ten seconds.
pub(super) const RECORD_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// Ok when an update touched the claimed row; otherwise another pass has taken it over.
pub(super) fn claim_held(changed: usize, mail: i64) -> Result<(), StoreError> {
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::ClaimLost { mail })
    }
}

/// Whether mail `id`, in `state` (`None`: no such mail), may be put back in the queue: only a
/// failed one may.
pub(super) fn retryable(id: i64, state: Option<&str>) -> Result<(), Refusal> {
    match state {
        Some("failed") => Ok(()),
        Some(other) => Err(Refusal::MailNotFailed {
            id,
            state: other.to_string(),
        }),
        None => Err(Refusal::NoMail { id }),
    }
}

/// A mail of the outbox, as `duban outbox` lists it.
#[derive(Clone, Debug, Serialize)]
pub struct OutboxRow {
    /// Its number.
    pub id: i64,
    /// Campaign identifier.
    pub campaign: String,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    /// The recipient's address.
    pub recipient: String,
    /// The subject.
    pub subject: String,
    /// Sends tried.
    pub attempts: i64,
    /// The last error, if any.
    pub last_error: Option<String>,
    /// The server's reply when it accepted the mail.
    pub smtp_reply: Option<String>,
    /// Its Message-ID.
    pub message_id: String,
    /// When it was queued (unix seconds).
    pub created_at: i64,
    /// When it was sent (unix seconds).
    pub sent_at: Option<i64>,
    /// When the next try is due (unix seconds).
    pub next_attempt_at: i64,
    /// The campaign's zone, that its times are shown in.
    pub zone: String,
}

/// An act recorded in the ledger that other systems may be told of (a webhook's event): what
/// was done to which obligation, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedEvent {
    /// The event's row: its identity for receivers, the same on every delivery of it.
    pub id: i64,
    /// The obligation's row.
    pub obligation_id: i64,
    /// The campaign's row.
    pub campaign_id: i64,
    /// The campaign's identifier.
    pub campaign: String,
    /// The deliverable.
    pub deliverable: String,
    /// The unit.
    pub unit: String,
    /// The period (`""` for a one-off).
    pub period: String,
    /// The ledger's kind of act (`submitted`, `review_accepted`, …).
    pub kind: String,
    /// When it was done (unix seconds).
    pub at: i64,
    /// When it was recorded (unix seconds).
    pub recorded_at: i64,
    /// Who did it.
    pub actor: Option<String>,
    /// The reason given (a return's, an extension's).
    pub reason: Option<String>,
    /// The act's data (JSON).
    pub data: String,
}

/// The acts other systems are told of, recorded after `$1` (unix seconds) and not told yet (no
/// delivery of them written), in the order they were written. (`events_recorded` keeps it a
/// range scan; the notices' key finds a delivery.)
pub(super) const RECORDED_EVENTS: &str =
    "SELECT e.id, e.obligation_id, o.campaign_id, c.key, d.name, u.name, o.period,
        e.kind, e.at, e.recorded_at, e.actor, e.reason, e.data
 FROM events e JOIN obligations o ON o.id = e.obligation_id
 JOIN campaigns c ON c.id = o.campaign_id JOIN deliverables d ON d.id = o.deliverable_id
 JOIN units u ON u.id = o.unit_id
 WHERE e.recorded_at > $1
   AND NOT EXISTS (SELECT 1 FROM notices n
                   WHERE n.obligation_id = e.obligation_id AND n.stage = 'webhook:event:' || e.id)
   AND e.kind IN ('submitted', 'review_accepted', 'review_passed', 'review_returned', 'returned',
                  'acknowledged', 'extension_asked', 'extended', 'extension_declined', 'waived')
 ORDER BY e.id";
