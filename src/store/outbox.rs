//! The outbox. Every notice is written with its unique key (obligation, stage, deadline,
//! mailbox) in the same transaction as the rendered mail that carries it, before anything is
//! sent; a mail is marked sent only once the server has accepted it. So a notice is sent once,
//! and a crash repeats at most the mail in flight.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Refusal, Store, StoreError};

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

impl Store {
    /// `work` in one write transaction, tried again while the database stays locked by another
    /// process (each try waits the busy timeout), for up to [`RECORD_FOR`]: for recording what
    /// has already happened outside it. An SQLite commit either happens or not, so a try that
    /// failed changed nothing.
    fn record<T>(
        &mut self,
        mut work: impl FnMut(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let started = std::time::Instant::now();
        loop {
            match self.write(&mut work) {
                Err(StoreError::Locked { path, waited_ms }) => {
                    if started.elapsed() >= RECORD_FOR {
                        return Err(StoreError::Locked {
                            path,
                            waited_ms: started.elapsed().as_millis().max(waited_ms),
                        });
                    }
                    tracing::warn!(path = %path.display(), "the database is locked by another process: waiting to record what became of a mail");
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }
}

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

impl Store {
    /// Writes the notices that are new, each mail with them, in one transaction. Returns how
    /// many notices and mails were new.
    pub fn queue(&mut self, mails: &[OutboxMail], now: i64) -> Result<(usize, usize), StoreError> {
        self.write(|tx| {
            let mut new_notices = 0;
            let mut queued = 0;
            let mut insert_notice = tx.prepare_cached(
                "INSERT OR IGNORE INTO notices (obligation_id, stage, due_date, recipient, role, send_at, created_at, mail_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for m in mails {
                tx.execute(
                    "INSERT INTO mails (campaign_id, recipient, subject, body, message_id, next_attempt_at, created_at, attachment)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
                    params![
                        m.campaign_id,
                        m.recipient,
                        m.subject,
                        m.body,
                        m.message_id,
                        now,
                        Attachment::encode(m.attachment.as_ref())
                    ],
                )?;
                let mail = tx.last_insert_rowid();
                let mut written = 0;
                for n in &m.notices {
                    written += insert_notice.execute(params![
                        n.obligation_id,
                        n.stage,
                        n.due_date,
                        n.recipient,
                        n.role,
                        n.send_at,
                        now,
                        mail
                    ])?;
                }
                if written == 0 {
                    // Another process queued these notices first: no mail for them.
                    tx.execute("DELETE FROM mails WHERE id = ?1", [mail])?;
                } else {
                    queued += 1;
                    new_notices += written;
                }
            }
            tx.execute(
                "INSERT INTO passes (id, at) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET at = max(at, excluded.at)",
                [now],
            )?;
            Ok((new_notices, queued))
        })
    }

    /// Claims the oldest mail due at `now` that no live pass holds, for `claim.owner` until
    /// `claim.expires_at`, in one transaction; `None` when there is none left. A claim whose
    /// expiry has passed belonged to a pass that died: it is taken over. (On PostgreSQL the
    /// same is `SELECT … FOR UPDATE SKIP LOCKED LIMIT 1` and an `UPDATE … RETURNING`.)
    pub fn claim_mail(
        &mut self,
        now: i64,
        claim: &Claim,
    ) -> Result<Option<PendingMail>, StoreError> {
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "UPDATE mails SET claimed_by = ?1, claim_expires_at = ?2
                 WHERE id = (SELECT id FROM mails
                             WHERE state = 'pending' AND next_attempt_at <= ?3
                               AND (claimed_by IS NULL OR claim_expires_at <= ?4)
                             ORDER BY id LIMIT 1)
                 RETURNING id, recipient, subject, body, message_id, attempts, attachment",
            )?;
            let mail = stmt
                .query_row(params![claim.owner, claim.expires_at, now, claim.at], |r| {
                    Ok((
                        PendingMail {
                            id: r.get(0)?,
                            recipient: r.get(1)?,
                            subject: r.get(2)?,
                            body: r.get(3)?,
                            message_id: r.get(4)?,
                            attempts: r.get(5)?,
                            attachment: None,
                        },
                        r.get::<_, Option<String>>(6)?,
                    ))
                })
                .optional()?;
            let Some((mut mail, attachment)) = mail else {
                return Ok(None);
            };
            mail.attachment = Attachment::decode(attachment.as_deref())?;
            Ok(Some(mail))
        })
    }

    /// The server accepted mail `id`, sent under `claim`. Refused with
    /// [`StoreError::ClaimLost`] when the claim is no longer this pass's. A database another
    /// process keeps locked past the busy timeout (a long sync) is waited for again, up to
    /// [`RECORD_FOR`]: a sent mail left pending would be sent again once its claim expired.
    pub fn mark_sent(
        &mut self,
        id: i64,
        claim: &Claim,
        reply: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.record(|tx| {
            let changed = tx.execute(
                "UPDATE mails SET state = 'sent', attempts = attempts + 1, smtp_reply = ?2, sent_at = ?3,
                     last_error = NULL, claimed_by = NULL, claim_expires_at = NULL
                 WHERE id = ?1 AND claimed_by = ?4 AND state = 'pending'",
                params![id, reply, now, claim.owner],
            )?;
            claim_held(changed, id)
        })
    }

    /// A send of mail `id` under `claim` failed: try again at `retry_at`, or give up if none
    /// (waiting for a locked database as [`mark_sent`](Self::mark_sent) does).
    pub fn mark_failed(
        &mut self,
        id: i64,
        claim: &Claim,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<(), StoreError> {
        self.record(|tx| {
            let changed = match retry_at {
                Some(at) => tx.execute(
                    "UPDATE mails SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3,
                         claimed_by = NULL, claim_expires_at = NULL
                     WHERE id = ?1 AND claimed_by = ?4 AND state = 'pending'",
                    params![id, error, at, claim.owner],
                )?,
                None => tx.execute(
                    "UPDATE mails SET attempts = attempts + 1, last_error = ?2, state = 'failed',
                         claimed_by = NULL, claim_expires_at = NULL
                     WHERE id = ?1 AND claimed_by = ?3 AND state = 'pending'",
                    params![id, error, claim.owner],
                )?,
            };
            claim_held(changed, id)
        })
    }

    /// Gives mail `id` back untried (the pass stops before sending it): it is due again at once
    /// for any pass, and its attempts are not counted.
    pub fn release_mail(
        &mut self,
        id: i64,
        claim: &Claim,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        self.record(|tx| {
            tx.execute(
                "UPDATE mails SET claimed_by = NULL, claim_expires_at = NULL,
                     last_error = coalesce(?3, last_error)
                 WHERE id = ?1 AND claimed_by = ?2",
                params![id, claim.owner, error],
            )?;
            Ok(())
        })
    }

    /// The outbox: failed and pending mails, or every mail with `all`.
    pub fn outbox(&self, all: bool) -> Result<Vec<OutboxRow>, StoreError> {
        let filter = if all { "" } else { "WHERE m.state != 'sent'" };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT m.id, c.key, m.state, m.recipient, m.subject, m.attempts, m.last_error, m.smtp_reply,
                    m.message_id, m.created_at, m.sent_at, m.next_attempt_at, c.zone
             FROM mails m JOIN campaigns c ON c.id = m.campaign_id {filter} ORDER BY m.id"
        ))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(OutboxRow {
                    id: r.get(0)?,
                    campaign: r.get(1)?,
                    state: r.get(2)?,
                    recipient: r.get(3)?,
                    subject: r.get(4)?,
                    attempts: r.get(5)?,
                    last_error: r.get(6)?,
                    smtp_reply: r.get(7)?,
                    message_id: r.get(8)?,
                    created_at: r.get(9)?,
                    sent_at: r.get(10)?,
                    next_attempt_at: r.get(11)?,
                    zone: r.get(12)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Puts failed mails (the given ones, or all) back in the queue, due at the next pass.
    pub fn retry(&mut self, ids: &[i64]) -> Result<usize, StoreError> {
        let now = 0;
        self.write(|tx| {
            if ids.is_empty() {
                return Ok(tx.execute(
                    "UPDATE mails SET state = 'pending', attempts = 0, next_attempt_at = ?1 WHERE state = 'failed'",
                    [now],
                )?);
            }
            let mut count = 0;
            for id in ids {
                let state: Option<String> = tx
                    .query_row("SELECT state FROM mails WHERE id = ?1", [id], |r| r.get(0))
                    .ok();
                retryable(*id, state.as_deref())?;
                count += tx.execute(
                    "UPDATE mails SET state = 'pending', attempts = 0, next_attempt_at = ?2 WHERE id = ?1",
                    params![id, now],
                )?;
            }
            Ok(count)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::store::Options;

    fn store(dir: &std::path::Path) -> Store {
        let store = Store::open(
            &dir.join("d.db"),
            Options {
                busy_timeout: Duration::from_millis(500),
                files: dir.join("files"),
            },
        )
        .unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO campaigns (key, zone, source, fingerprint, synced_at) VALUES ('c', 'UTC', 's', 'f', 0);
                 INSERT INTO mails (campaign_id, recipient, subject, body, message_id, next_attempt_at, created_at)
                     VALUES (1, 'a@x', 's', 'b', '<1@x>', 100, 100), (1, 'b@x', 's', 'b', '<2@x>', 100, 100),
                            (1, 'c@x', 's', 'b', '<3@x>', 500, 100);",
            )
            .unwrap();
        store
    }

    fn claim(owner: &str, at: i64) -> Claim {
        Claim {
            owner: owner.into(),
            at,
            expires_at: at + 60,
        }
    }

    #[test]
    fn a_claimed_mail_is_skipped_by_other_passes_until_its_claim_expires() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store(dir.path());
        // a holds its claims for longer than b.
        let a = Claim {
            expires_at: 2000,
            ..claim("a", 1000)
        };
        let b = claim("b", 1000);
        let first = store.claim_mail(200, &a).unwrap().unwrap();
        let second = store.claim_mail(200, &b).unwrap().unwrap();
        assert_ne!(first.id, second.id, "two passes never hold the same mail");
        assert!(
            store.claim_mail(200, &b).unwrap().is_none(),
            "the third is not due yet"
        );
        // Pass b dies holding its mail; after the claim's expiry pass c takes it over...
        let c = claim("c", 1061);
        let taken = store.claim_mail(200, &c).unwrap().unwrap();
        assert_eq!(taken.id, second.id);
        // ...and b, were it alive after all, may not mark it sent.
        assert!(matches!(
            store.mark_sent(second.id, &b, "250 ok", 200),
            Err(StoreError::ClaimLost { .. })
        ));
        store.mark_sent(second.id, &c, "250 ok", 200).unwrap();
        store.mark_sent(first.id, &a, "250 ok", 200).unwrap();
        assert!(
            store.claim_mail(200, &claim("d", 5000)).unwrap().is_none(),
            "a sent mail is never claimed again"
        );
    }

    #[test]
    fn a_released_mail_is_due_again_for_anyone() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store(dir.path());
        let a = claim("a", 1000);
        let mail = store.claim_mail(200, &a).unwrap().unwrap();
        store
            .release_mail(mail.id, &a, Some("535 login refused"))
            .unwrap();
        let again = store.claim_mail(200, &claim("b", 1000)).unwrap().unwrap();
        assert_eq!((again.id, again.attempts), (mail.id, 0));
    }
}
