//! The [`Outbox`] of an SQLite store: what the planner reads, notices and their mails written in
//! one transaction, claimed before they are sent, marked sent once the server accepted them.

use super::{Store, StoreError};
use crate::ledger::Action;
use crate::store::outbox::{RECORD_FOR, RECORDED_EVENTS, RecordedEvent, claim_held, retryable};
use crate::store::plan_input::{Owed, Window};
use crate::store::{
    Attachment, Candidate, Change, Claim, Directory, Key, Meta, Outbox, OutboxMail, OutboxRow,
    PendingMail, PlanInput, Refusal, Skip,
};
use rusqlite::{OptionalExtension, params};

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

impl Outbox for Store {
    fn link_secret(&self) -> Result<String, StoreError> {
        Ok(self
            .conn
            .query_row(crate::store::accounts::LINK_SECRET, [], |r| r.get(0))?)
    }
    /// Writes the notices that are new, each mail with them, in one transaction. Returns how
    /// many notices and mails were new.
    fn queue(&mut self, mails: &[OutboxMail], now: i64) -> Result<(usize, usize), StoreError> {
        self.write(|tx| {
            let queued = queue_in(tx, mails, now)?;
            tx.execute(
                "INSERT INTO passes (id, at) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET at = max(at, excluded.at)",
                [now],
            )?;
            Ok(queued)
        })
    }

    fn apply_and_queue(
        &mut self,
        actions: &[(Key<'_>, Action)],
        meta: Meta,
        mails: &[OutboxMail],
        now: i64,
    ) -> Result<Vec<Change>, StoreError> {
        let stored = self.stored_files(actions)?;
        self.write(|tx| {
            let changes = super::lifecycle::apply_in(tx, actions, &meta, &stored)?;
            queue_in(tx, mails, now)?;
            Ok(changes)
        })
    }

    /// Claims the oldest mail due at `now` that no live pass holds, for `claim.owner` until
    /// `claim.expires_at`, in one transaction; `None` when there is none left. A claim whose
    /// expiry has passed belonged to a pass that died: it is taken over. (On PostgreSQL the
    /// same is `SELECT … FOR UPDATE SKIP LOCKED LIMIT 1` and an `UPDATE … RETURNING`.)
    fn claim_mails(
        &mut self,
        now: i64,
        claim: &Claim,
        limit: usize,
        skip: &Skip,
    ) -> Result<Vec<PendingMail>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let (left_alone, values) = skip.condition(6, '?');
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(&format!(
                "UPDATE mails SET claimed_by = ?1, claim_expires_at = ?2
                 WHERE id IN (SELECT id FROM mails
                              WHERE state = 'pending' AND next_attempt_at <= ?3
                                AND (claimed_by IS NULL OR claim_expires_at <= ?4){left_alone}
                              ORDER BY id LIMIT ?5)
                 RETURNING id, recipient, subject, body, message_id, attempts, attachment"
            ))?;
            let mut bound: Vec<&dyn rusqlite::ToSql> =
                vec![&claim.owner, &claim.expires_at, &now, &claim.at, &limit];
            bound.extend(values.iter().map(|v| v as &dyn rusqlite::ToSql));
            let rows = stmt.query_map(bound.as_slice(), |r| {
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
            })?;
            let mut mails = Vec::new();
            for row in rows {
                let (mut mail, attachment) = row?;
                mail.attachment = Attachment::decode(attachment.as_deref())?;
                mails.push(mail);
            }
            // RETURNING gives no order: the oldest first.
            mails.sort_by_key(|m| m.id);
            Ok(mails)
        })
    }

    /// The server accepted mail `id`, sent under `claim`. Refused with
    /// [`StoreError::ClaimLost`] when the claim is no longer this pass's. A database another
    /// process keeps locked past the busy timeout (a long sync) is waited for again, up to
    /// [`RECORD_FOR`]: a sent mail left pending would be sent again once its claim expired.
    fn mark_sent(
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
    fn mark_failed(
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
    fn release_mail(
        &mut self,
        id: i64,
        claim: &Claim,
        error: Option<&str>,
        due_at: Option<i64>,
    ) -> Result<(), StoreError> {
        self.record(|tx| {
            tx.execute(
                "UPDATE mails SET claimed_by = NULL, claim_expires_at = NULL,
                     last_error = coalesce(?3, last_error),
                     next_attempt_at = coalesce(?4, next_attempt_at)
                 WHERE id = ?1 AND claimed_by = ?2",
                params![id, claim.owner, error, due_at],
            )?;
            Ok(())
        })
    }

    /// The outbox: failed and pending mails, or every mail with `all`.
    fn outbox(&self, all: bool) -> Result<Vec<OutboxRow>, StoreError> {
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
    fn retry(&mut self, ids: &[i64]) -> Result<usize, StoreError> {
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

    fn acts_seen(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT acts_seen FROM passes WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?
            .flatten())
    }

    fn mark_acts_seen(&mut self, at: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE passes SET acts_seen = max(coalesce(acts_seen, ?1), ?1) WHERE id = 1",
                [at],
            )?;
            Ok(())
        })
    }

    fn recorded_events(&self, from: i64) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&RECORDED_EVENTS.replace('$', "?"))?;
        let rows = stmt.query_map(params![from], |r| {
            Ok(RecordedEvent {
                id: r.get(0)?,
                obligation_id: r.get(1)?,
                campaign_id: r.get(2)?,
                campaign: r.get(3)?,
                deliverable: r.get(4)?,
                unit: r.get(5)?,
                period: r.get(6)?,
                kind: r.get(7)?,
                at: r.get(8)?,
                recorded_at: r.get(9)?,
                actor: r.get(10)?,
                reason: r.get(11)?,
                data: r.get(12)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Obligations owed with an effective deadline in `window`, with mailboxes and campaigns,
    /// and the notices written that go out at `written_since` or later: what a pass plans from.
    fn plan_input(
        &self,
        window: Window,
        written_since: i64,
        as_of: crate::clock::Instant,
    ) -> Result<PlanInput, StoreError> {
        let mut input = self.load_plan_input(window, Some(Owed::At(as_of)), &[])?;
        input.sent = self.sent_notices(written_since)?;
        Ok(input)
    }

    /// For a preview: every obligation with a deadline in `window`, owed now (`current`) or
    /// not, of the given campaigns (or all).
    fn preview_input(
        &self,
        campaigns: &[String],
        window: Window,
        current: bool,
    ) -> Result<(Vec<Candidate>, Directory), StoreError> {
        let known: Vec<String> = self
            .conn
            .prepare_cached("SELECT key FROM campaigns")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for c in campaigns {
            if !known.contains(c) {
                return Err(Refusal::Unknown {
                    kind: "campaign",
                    name: c.clone(),
                    suggestion: crate::language::suggest::did_you_mean(
                        c,
                        known.iter().map(String::as_str),
                    ),
                }
                .into());
            }
        }
        let input = self.load_plan_input(window, current.then_some(Owed::Latest), campaigns)?;
        Ok((input.candidates, input.directory))
    }

    /// The instant of the last pass that wrote to the outbox, if any.
    fn last_pass(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT at FROM passes WHERE id = 1", [], |r| r.get(0))
            .optional()?)
    }
}

/// Writes the notices of `mails` that are new, each mail with them, in `tx`: (new notices, new
/// mails). A mail whose every notice another process queued first is not kept.
pub(super) fn queue_in(
    tx: &rusqlite::Transaction<'_>,
    mails: &[OutboxMail],
    now: i64,
) -> Result<(usize, usize), StoreError> {
    let mut new_notices = 0;
    let mut queued = 0;
    let mut insert_notice = tx.prepare_cached(
            "INSERT OR IGNORE INTO notices (obligation_id, stage, due_date, recipient, role, send_at, created_at, mail_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
    for m in mails {
        tx.execute(
                "INSERT INTO mails (campaign_id, recipient, subject, body, message_id, next_attempt_at, created_at, attachment)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    m.campaign_id,
                    m.recipient,
                    m.subject,
                    m.body,
                    m.message_id,
                    m.not_before.map_or(now, |t| t.max(now)),
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
    Ok((new_notices, queued))
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
            .release_mail(mail.id, &a, Some("535 login refused"), None)
            .unwrap();
        let again = store.claim_mail(200, &claim("b", 1000)).unwrap().unwrap();
        assert_eq!((again.id, again.attempts), (mail.id, 0));
    }
}
