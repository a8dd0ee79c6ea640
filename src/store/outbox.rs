//! The outbox. Every notice is written with its unique key (obligation, stage, deadline,
//! mailbox) in the same transaction as the rendered mail that carries it, before anything is
//! sent; a mail is marked sent only once the server has accepted it. So a notice is sent once,
//! and a crash repeats at most the mail in flight.

use rusqlite::params;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::{Store, StoreError};
use crate::notices::plan::{Candidate, Notice};
use crate::notices::render::{Digest, Rendered};

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
}

impl Store {
    /// Writes the notices that are new, each digest's mail with them, in one transaction.
    /// Returns how many notices and mails were new.
    pub fn queue(
        &mut self,
        notices: &[Notice],
        candidates: &[Candidate],
        digests: &[(Digest, Rendered)],
        now: i64,
        domain: &str,
    ) -> Result<(usize, usize), StoreError> {
        self.write(|tx| {
            let mut new_notices = 0;
            let mut mails = 0;
            let mut insert_notice = tx.prepare_cached(
                "INSERT OR IGNORE INTO notices (obligation_id, stage, due_date, recipient, role, send_at, created_at, mail_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for (digest, rendered) in digests {
                let message_id = message_id(digest, now, domain);
                tx.execute(
                    "INSERT INTO mails (campaign_id, recipient, subject, body, message_id, next_attempt_at, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                    params![digest.campaign_id, digest.address, rendered.subject, rendered.body, message_id, now],
                )?;
                let mail = tx.last_insert_rowid();
                let mut written = 0;
                for &i in &digest.notices {
                    let notice = &notices[i];
                    let c = &candidates[notice.candidate];
                    written += insert_notice.execute(params![
                        c.obligation_id,
                        notice.stage.label(),
                        c.due_date.to_string(),
                        notice.to.address,
                        notice.to.role,
                        notice.stage.send_at.timestamp(),
                        now,
                        mail
                    ])?;
                }
                if written == 0 {
                    // Another process queued these notices first: no mail for them.
                    tx.execute("DELETE FROM mails WHERE id = ?1", [mail])?;
                } else {
                    mails += 1;
                    new_notices += written;
                }
            }
            tx.execute(
                "INSERT INTO passes (id, at) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET at = max(at, excluded.at)",
                [now],
            )?;
            Ok((new_notices, mails))
        })
    }

    /// Mails whose (next) send is due at `now`, oldest first.
    pub fn due_mails(&self, now: i64) -> Result<Vec<PendingMail>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, recipient, subject, body, message_id, attempts FROM mails
             WHERE state = 'pending' AND next_attempt_at <= ?1 ORDER BY id",
        )?;
        let mails = stmt
            .query_map([now], |r| {
                Ok(PendingMail {
                    id: r.get(0)?,
                    recipient: r.get(1)?,
                    subject: r.get(2)?,
                    body: r.get(3)?,
                    message_id: r.get(4)?,
                    attempts: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(mails)
    }

    /// The server accepted mail `id`.
    pub fn mark_sent(&mut self, id: i64, reply: &str, now: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE mails SET state = 'sent', attempts = attempts + 1, smtp_reply = ?2, sent_at = ?3,
                     last_error = NULL WHERE id = ?1",
                params![id, reply, now],
            )?;
            Ok(())
        })
    }

    /// A send of mail `id` failed: try again at `retry_at`, or give up if none.
    pub fn mark_failed(
        &mut self,
        id: i64,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            match retry_at {
                Some(at) => tx.execute(
                    "UPDATE mails SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
                    params![id, error, at],
                )?,
                None => tx.execute(
                    "UPDATE mails SET attempts = attempts + 1, last_error = ?2, state = 'failed' WHERE id = ?1",
                    params![id, error],
                )?,
            };
            Ok(())
        })
    }

    /// The outbox: failed and pending mails, or every mail with `all`.
    pub fn outbox(&self, all: bool) -> Result<Vec<OutboxRow>, StoreError> {
        let filter = if all { "" } else { "WHERE m.state != 'sent'" };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT m.id, c.key, m.state, m.recipient, m.subject, m.attempts, m.last_error, m.smtp_reply,
                    m.message_id, m.created_at, m.sent_at, m.next_attempt_at
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
                match state.as_deref() {
                    Some("failed") => {
                        count += tx.execute(
                            "UPDATE mails SET state = 'pending', attempts = 0, next_attempt_at = ?2 WHERE id = ?1",
                            params![id, now],
                        )?;
                    }
                    Some(other) => {
                        return Err(StoreError::refused(format!("mail {id} is {other}, not failed"), None));
                    }
                    None => return Err(StoreError::refused(format!("there is no mail {id}"), None)),
                }
            }
            Ok(count)
        })
    }
}

/// A Message-ID unique to this digest, stable across its retries.
fn message_id(digest: &Digest, now: i64, domain: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(digest.campaign_id.to_le_bytes());
    hasher.update(digest.address.as_bytes());
    hasher.update(now.to_le_bytes());
    for n in &digest.notices {
        hasher.update(n.to_le_bytes());
    }
    hasher.update(std::process::id().to_le_bytes());
    let hash: String = hasher
        .finalize()
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("<duban.{now}.{hash}@{domain}>")
}
