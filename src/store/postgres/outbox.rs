//! The outbox on PostgreSQL, shared by every node. A notice is written once whichever node
//! plans it (its unique key, `ON CONFLICT DO NOTHING`); a mail is claimed by one node with
//! `FOR UPDATE SKIP LOCKED` and a lease, and marked sent in the transaction that ends the claim,
//! only if the claim is still the sender's. So a node that died holding a claim loses it when
//! the lease runs out, and a node that was only slow cannot overwrite the taker's result (the
//! stale rescue of riverqueue/river#1302). Nothing depends on a session's advisory lock, which a
//! server restart would drop unseen.

use crate::store::deadlines::{POSTGRES, owed_between};
use crate::store::{Outbox, Skip};
use ::postgres::fallible_iterator::FallibleIterator;

use super::PgStore;
use crate::store::decode::{json, zone};
use crate::store::outbox::{Attachment, RECORDED_EVENTS, RecordedEvent, claim_held, retryable};
use crate::store::plan_input::{
    CAMPAIGNS, DELIVERABLES, Owed, OwedRow, PlanMaps, REPORTED_TARGETS, TOLD_OWED, UNITS,
    reviews_sql, tell,
};
use crate::store::{
    CampaignRow, Candidate, Claim, Directory, OutboxMail, OutboxRow, PendingMail, PlanInput,
    StoreError, Written,
};

/// An [`OwedRow`] from its columns, first in the row.
fn owed_row(r: &::postgres::Row) -> OwedRow<'_> {
    OwedRow {
        id: r.get(0),
        campaign_id: r.get(1),
        deliverable_id: r.get(2),
        unit_id: r.get(3),
        period: r.get(4),
        due_date: r.get(5),
        state: r.get(6),
        effective_due_at: r.get(7),
    }
}

impl Outbox for PgStore {
    fn link_secret(&self) -> Result<String, StoreError> {
        self.run(|client| {
            Ok(client
                .query_one(crate::store::accounts::LINK_SECRET, &[])?
                .get(0))
        })
    }
    /// What a pass plans from: obligations owed with a deadline in `window`, and the notices
    /// written that go out at `written_since` or later.
    fn plan_input(
        &self,
        window: (i64, i64),
        written_since: i64,
        as_of: crate::clock::Instant,
    ) -> Result<PlanInput, StoreError> {
        let mut input = self.load_plan_input(window, Some(Owed::At(as_of)), &[])?;
        input.sent = self.run(|client| {
            let mut sent = Written::default();
            for r in client.query(
                "SELECT obligation_id, stage, due_date, recipient FROM notices WHERE send_at >= $1",
                &[&written_since],
            )? {
                sent.add(r.get(0), (r.get(1), r.get(2), r.get(3)));
            }
            Ok(sent)
        })?;
        Ok(input)
    }

    /// For a preview: every obligation with a deadline in `window`, owed now (`current`) or
    /// not, of the given campaigns (or all).
    fn preview_input(
        &self,
        campaigns: &[String],
        window: (i64, i64),
        current: bool,
    ) -> Result<(Vec<Candidate>, Directory), StoreError> {
        let filter = crate::store::Filter {
            campaigns: campaigns.to_vec(),
            ..Default::default()
        };
        self.run(|client| super::queries::scopes(client, &filter))?;
        let input = self.load_plan_input(window, current.then_some(Owed::Latest), campaigns)?;
        Ok((input.candidates, input.directory))
    }

    /// The instant of the last pass that wrote to the outbox.
    fn last_pass(&self) -> Result<Option<i64>, StoreError> {
        self.run(|client| {
            Ok(client
                .query_opt("SELECT at FROM passes WHERE id = 1", &[])?
                .map(|r| r.get(0)))
        })
    }

    /// Writes the notices that are new, each mail with them: (new notices, new mails).
    fn queue(&mut self, mails: &[OutboxMail], now: i64) -> Result<(usize, usize), StoreError> {
        self.write(|tx| {
            let queued = queue_in(tx, mails, now)?;
            tx.execute(
                "INSERT INTO passes (id, at) VALUES (1, $1)
                 ON CONFLICT (id) DO UPDATE SET at = greatest(passes.at, excluded.at)",
                &[&now],
            )?;
            Ok(queued)
        })
    }

    fn apply_and_queue(
        &mut self,
        actions: &[(crate::store::Key<'_>, crate::ledger::Action)],
        meta: crate::store::Meta,
        mails: &[OutboxMail],
        now: i64,
    ) -> Result<Vec<crate::store::Change>, StoreError> {
        let files = super::ledger::read_files(actions)?;
        self.write(|tx| {
            let changes = super::batch::apply(tx, actions, &meta, &files)?;
            queue_in(tx, mails, now)?;
            Ok(changes)
        })
    }

    /// Claims the oldest mail due at `now` that no live claim holds, skipping the rows another
    /// node is claiming at this moment.
    fn claim_mails(
        &mut self,
        now: i64,
        claim: &Claim,
        limit: usize,
        skip: &Skip,
    ) -> Result<Vec<PendingMail>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let (left_alone, values) = skip.condition(6, '$');
        self.write(|tx| {
            let mut bound: Vec<&(dyn ::postgres::types::ToSql + Sync)> =
                vec![&claim.owner, &claim.expires_at, &now, &claim.at, &limit];
            bound.extend(
                values
                    .iter()
                    .map(|v| v as &(dyn ::postgres::types::ToSql + Sync)),
            );
            let rows = tx.query(
                &format!(
                    "UPDATE mails SET claimed_by = $1, claim_expires_at = $2
                     WHERE id IN (SELECT id FROM mails
                                  WHERE state = 'pending' AND next_attempt_at <= $3
                                    AND (claimed_by IS NULL OR claim_expires_at <= $4){left_alone}
                                  ORDER BY id LIMIT $5 FOR UPDATE SKIP LOCKED)
                     RETURNING id, recipient, subject, body, message_id, attempts, attachment"
                ),
                &bound,
            )?;
            let mut mails = rows
                .iter()
                .map(|r| {
                    Ok(PendingMail {
                        id: r.get(0),
                        recipient: r.get(1),
                        subject: r.get(2),
                        body: r.get(3),
                        message_id: r.get(4),
                        attempts: r.get(5),
                        attachment: Attachment::decode(r.get(6))?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            // RETURNING gives no order: the oldest first.
            mails.sort_by_key(|m| m.id);
            Ok(mails)
        })
    }

    /// The server accepted mail `id`, sent under `claim`: marked sent as the claim ends. A
    /// connection lost meanwhile is opened again and the mark made on the new one (the claim
    /// keeps every other node off the mail), so that a restart of the server does not leave a
    /// sent mail pending, to be sent again.
    fn mark_sent(
        &mut self,
        id: i64,
        claim: &Claim,
        reply: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.record(&format!("that mail {id} was sent"), |tx, maybe_done| {
            let changed = tx.execute(
                "UPDATE mails SET state = 'sent', attempts = attempts + 1, smtp_reply = $2, sent_at = $3,
                     last_error = NULL, claimed_by = NULL, claim_expires_at = NULL
                 WHERE id = $1 AND claimed_by = $4 AND state = 'pending'",
                &[&id, &reply, &now, &claim.owner],
            )?;
            // The try whose commit the lost connection hid did it: the same reply, the same time.
            if changed == 0 && maybe_done {
                let ours = tx.query_opt(
                    "SELECT 1 FROM mails WHERE id = $1 AND state = 'sent' AND smtp_reply = $2 AND sent_at = $3",
                    &[&id, &reply, &now],
                )?;
                if ours.is_some() {
                    return Ok(());
                }
            }
            claim_held(changed as usize, id)
        })
    }

    /// Mail `id` could not be sent: retry at `retry_at`, or give up (`None`). Recorded through a
    /// lost connection as [`mark_sent`](Self::mark_sent) is, so that a mail refused for good is
    /// not tried again.
    fn mark_failed(
        &mut self,
        id: i64,
        claim: &Claim,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<(), StoreError> {
        // No retry: failed for good, and due never again.
        let (state, at) = match retry_at {
            Some(at) => ("pending", at),
            None => ("failed", i64::MAX),
        };
        self.record(&format!("that mail {id} failed"), |tx, maybe_done| {
            let changed = tx.execute(
                "UPDATE mails SET attempts = attempts + 1, last_error = $2, state = $3,
                     next_attempt_at = CASE WHEN $3 = 'pending' THEN $4 ELSE next_attempt_at END,
                     claimed_by = NULL, claim_expires_at = NULL
                 WHERE id = $1 AND claimed_by = $5 AND state = 'pending'",
                &[&id, &error, &state, &at, &claim.owner],
            )?;
            if changed == 0 && maybe_done {
                let ours = tx.query_opt(
                    "SELECT 1 FROM mails WHERE id = $1 AND state = $3 AND last_error = $2
                         AND claimed_by IS NULL
                         AND ($3 = 'failed' OR next_attempt_at = $4)",
                    &[&id, &error, &state, &at],
                )?;
                if ours.is_some() {
                    return Ok(());
                }
            }
            claim_held(changed as usize, id)
        })
    }

    /// Gives mail `id` back untried: due again at once for any node, or at `due_at`.
    fn release_mail(
        &mut self,
        id: i64,
        claim: &Claim,
        error: Option<&str>,
        due_at: Option<i64>,
    ) -> Result<(), StoreError> {
        self.record(&format!("that mail {id} was given back"), |tx, _| {
            tx.execute(
                "UPDATE mails SET claimed_by = NULL, claim_expires_at = NULL,
                     last_error = coalesce($3, last_error),
                     next_attempt_at = coalesce($4, next_attempt_at)
                 WHERE id = $1 AND claimed_by = $2",
                &[&id, &claim.owner, &error, &due_at],
            )?;
            Ok(())
        })
    }

    /// The mails not sent yet or failed (`all`: every one).
    fn outbox(&self, all: bool) -> Result<Vec<OutboxRow>, StoreError> {
        let filter = if all { "" } else { "WHERE m.state != 'sent'" };
        self.run(|client| {
            let rows = client.query(
                &format!(
                    "SELECT m.id, c.key, m.state, m.recipient, m.subject, m.attempts, m.last_error, m.smtp_reply,
                            m.message_id, m.created_at, m.sent_at, m.next_attempt_at, c.zone
                     FROM mails m JOIN campaigns c ON c.id = m.campaign_id {filter} ORDER BY m.id"
                ),
                &[],
            )?;
            Ok(rows
                .iter()
                .map(|r| OutboxRow {
                    id: r.get(0),
                    campaign: r.get(1),
                    state: r.get(2),
                    recipient: r.get(3),
                    subject: r.get(4),
                    attempts: r.get(5),
                    last_error: r.get(6),
                    smtp_reply: r.get(7),
                    message_id: r.get(8),
                    created_at: r.get(9),
                    sent_at: r.get(10),
                    next_attempt_at: r.get(11),
                    zone: r.get(12),
                })
                .collect())
        })
    }

    /// Puts failed mails (the given ones, or all) back in the queue.
    fn retry(&mut self, ids: &[i64]) -> Result<usize, StoreError> {
        self.write(|tx| {
            if ids.is_empty() {
                return Ok(tx.execute(
                    "UPDATE mails SET state = 'pending', attempts = 0, next_attempt_at = 0 WHERE state = 'failed'",
                    &[],
                )? as usize);
            }
            let mut count = 0;
            for id in ids {
                let state = tx
                    .query_opt("SELECT state FROM mails WHERE id = $1 FOR UPDATE", &[id])?
                    .map(|r| r.get::<_, String>(0));
                retryable(*id, state.as_deref())?;
                count += tx.execute(
                    "UPDATE mails SET state = 'pending', attempts = 0, next_attempt_at = 0 WHERE id = $1",
                    &[id],
                )? as usize;
            }
            Ok(count)
        })
    }

    fn acts_seen(&self) -> Result<Option<i64>, StoreError> {
        self.run(|client| {
            Ok(client
                .query_opt("SELECT acts_seen FROM passes WHERE id = 1", &[])?
                .and_then(|r| r.get(0)))
        })
    }

    fn mark_acts_seen(&mut self, at: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE passes SET acts_seen = GREATEST(coalesce(acts_seen, $1), $1) WHERE id = 1",
                &[&at],
            )?;
            Ok(())
        })
    }

    fn recorded_events(&self, from: i64) -> Result<Vec<RecordedEvent>, StoreError> {
        self.run(|client| {
            Ok(client
                .query(RECORDED_EVENTS, &[&from])?
                .iter()
                .map(|r| RecordedEvent {
                    id: r.get(0),
                    obligation_id: r.get(1),
                    campaign_id: r.get(2),
                    campaign: r.get(3),
                    deliverable: r.get(4),
                    unit: r.get(5),
                    period: r.get(6),
                    kind: r.get(7),
                    at: r.get(8),
                    recorded_at: r.get(9),
                    actor: r.get(10),
                    reason: r.get(11),
                    data: r.get(12),
                })
                .collect())
        })
    }
}

impl PgStore {
    fn load_plan_input(
        &self,
        (start, end): (i64, i64),
        owed_at: Option<Owed>,
        only: &[String],
    ) -> Result<PlanInput, StoreError> {
        let owed_only = owed_at.is_some();
        self.run(|client| {
            let mut maps = PlanMaps::default();
            // What was done after the pass's instant had not happened then.
            let mut later = std::collections::HashMap::new();
            if let Some(Owed::At(as_of)) = owed_at {
                for scope in super::queries::scopes(client, &crate::store::Filter::default())? {
                    let t = as_of.in_zone(scope.zone).timestamp();
                    let overlay = super::asof::overlay(client, &scope, t, "", &[])?;
                    later.extend(overlay.into_iter().map(|(id, then)| (id, (scope.id, then))));
                }
            }
            for r in client.query(CAMPAIGNS, &[])? {
                let row = CampaignRow {
                    key: r.get(1),
                    title: r.get(2),
                    doc: r.get(6),
                    issuer: r.get(5),
                    office: r.get(4),
                    office_phone: r.get(8),
                    templates: r.get(7),
                };
                maps.add_campaign(r.get(0), zone(r.get(3))?, row);
            }
            for r in client.query(UNITS, &[])? {
                let name: &str = r.get(2);
                let contacts = json(r.get(4))?;
                maps.add_unit(
                    r.get(0),
                    r.get(1),
                    name.into(),
                    r.get(3),
                    contacts,
                    (r.get(5), r.get(7)),
                    r.get(6),
                );
            }
            for r in client.query(DELIVERABLES, &[])? {
                let lists = [
                    json(r.get(4))?,
                    json(r.get(5))?,
                    json(r.get(6))?,
                    json(r.get(7))?,
                ];
                let thresholds: Option<&str> = r.get(8);
                let thresholds = thresholds.map(json).transpose()?.unwrap_or_default();
                maps.add_deliverable(
                    r.get(0),
                    r.get(1),
                    r.get(2),
                    json(r.get(3))?,
                    lists,
                    thresholds,
                    (r.get(9), r.get(10)),
                );
            }
            // Owed obligations through the deadlines in the window (and the few extended into
            // it); a preview that assumes nothing was submitted reads every active one.
            let rows = if owed_only {
                format!(
                    "SELECT id, campaign_id, deliverable_id, unit_id, period,
                            coalesce(extended_until, due_date), state, effective_due_at
                     FROM ({}) owed",
                    owed_between(POSTGRES, ("$1", true), "$2", None)
                )
            } else {
                "SELECT id, campaign_id, deliverable_id, unit_id, period,
                        coalesce(extended_until, due_date), state, effective_due_at
                 FROM obligations WHERE active AND effective_due_at BETWEEN $1 AND $2"
                    .to_string()
            };
            let sql = format!(
                "{rows} ORDER BY campaign_id, effective_due_at, unit_id, deliverable_id, period"
            );
            let mut candidates = Vec::new();
            let params: [&(dyn ::postgres::types::ToSql + Sync); 2] = [&start, &end];
            let mut rows = client.query_raw(&sql, params)?;
            while let Some(r) = rows.next()? {
                let row = owed_row(&r);
                if !later.contains_key(&row.id) {
                    candidates.extend(maps.candidate(&row, only)?);
                }
            }
            drop(rows);
            for (id, (campaign_id, then)) in &later {
                if let Some(row) = then.owed_row(*id, *campaign_id, (start, end)) {
                    candidates.extend(maps.candidate(&row, only)?);
                }
                if let Some(row) = then.review_row(*id, *campaign_id, (start, end)) {
                    let reviewing = then.reviewing.as_deref();
                    candidates.extend(maps.review_candidate(&row, reviewing, only)?);
                }
            }
            // Reviews owed are chased too, of reviewers (not in a preview that assumes nothing
            // submitted).
            if owed_only {
                for r in client.query(&reviews_sql("greatest"), &[&start, &end])? {
                    let row = owed_row(&r);
                    if !later.contains_key(&row.id) {
                        let reviewing: Option<&str> = r.get(8);
                        candidates.extend(maps.review_candidate(&row, reviewing, only)?);
                    }
                }
            }
            // Only when the records count (not in a preview that assumes nothing submitted).
            let reported = if owed_only {
                client.query(REPORTED_TARGETS, &[&start, &end])?
            } else {
                Vec::new()
            };
            for r in reported {
                candidates.extend(maps.below_candidate(&owed_row(&r), r.get(8), only)?);
            }
            // Who was told of a task that asks for 签收, and has not acknowledged it: its own
            // ladder.
            if let Some(Owed::At(as_of)) = owed_at {
                let t = maps.instant(as_of);
                let told: std::collections::HashMap<i64, (i64, bool)> = client
                    .query(TOLD_OWED, &[&t])?
                    .iter()
                    .map(|r| (r.get(0), (r.get(1), r.get(2))))
                    .collect();
                tell(&mut candidates, &told);
            }
            Ok(maps.input(candidates))
        })
    }
}

/// Writes the notices of `mails` that are new, each mail with them, in `tx`: (new notices, new
/// mails). A mail whose every notice another node queued first is not kept.
pub(super) fn queue_in(
    tx: &mut ::postgres::Transaction<'_>,
    mails: &[OutboxMail],
    now: i64,
) -> Result<(usize, usize), StoreError> {
    let (mut new_notices, mut queued) = (0, 0);
    let insert_mail = tx.prepare(
            "INSERT INTO mails (campaign_id, recipient, subject, body, message_id, next_attempt_at, created_at, attachment)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )?;
    let insert_notice = tx.prepare(
            "INSERT INTO notices (obligation_id, stage, due_date, recipient, role, send_at, created_at, mail_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (obligation_id, stage, due_date, recipient) DO NOTHING",
        )?;
    for m in mails {
        let mail: i64 = tx
            .query_one(
                &insert_mail,
                &[
                    &m.campaign_id,
                    &m.recipient,
                    &m.subject,
                    &m.body,
                    &m.message_id,
                    &m.not_before.map_or(now, |t| t.max(now)),
                    &now,
                    &Attachment::encode(m.attachment.as_ref()),
                ],
            )?
            .get(0);
        let mut written = 0;
        for n in &m.notices {
            written += tx.execute(
                &insert_notice,
                &[
                    &n.obligation_id,
                    &n.stage,
                    &n.due_date,
                    &n.recipient,
                    &n.role,
                    &n.send_at,
                    &now,
                    &mail,
                ],
            )?;
        }
        if written == 0 {
            // Another node queued these notices first: no mail for them.
            tx.execute("DELETE FROM mails WHERE id = $1", &[&mail])?;
        } else {
            queued += 1;
            new_notices += written as usize;
        }
    }
    Ok((new_notices, queued))
}
