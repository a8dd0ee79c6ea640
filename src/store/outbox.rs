//! The outbox. Every notice is written with its unique key (obligation, stage, deadline,
//! mailbox) in the same transaction as the rendered mail that carries it, before anything is
//! sent; a mail is marked sent only once the server has accepted it. So a notice is sent once,
//! and a crash repeats at most the mail in flight.

use std::collections::{HashMap, HashSet};

use chrono_tz::Tz;
use rusqlite::params;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::{Store, StoreError};
use crate::language::campaign::{Contact, Policy};
use crate::notices::plan::{Candidate, Directory, Notice};
use crate::notices::render::{CampaignInfo, Digest, Rendered};

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

/// What the planner needs from the store.
pub struct PlanInput {
    /// Obligations still owed near `t`.
    pub candidates: Vec<Candidate>,
    /// Every unit's mailbox and contacts.
    pub directory: Directory,
    /// Each campaign, by row.
    pub campaigns: HashMap<i64, CampaignInfo>,
    /// Notices already written, by key.
    pub sent: HashSet<(i64, String, String, String)>,
}

impl Store {
    /// Obligations owed near `t` whose notices could be due, with mailboxes and campaigns.
    pub fn plan_input(&self, t: i64) -> Result<PlanInput, StoreError> {
        let (ahead, behind) = self.notice_window()?;
        self.load_plan_input(t - behind, t + ahead, true, &[])
    }

    /// For a preview from `from` to `to`: every obligation with a notice in that time, owed
    /// now (`current`) or not, of the given campaigns (or all).
    pub fn preview_input(
        &self,
        campaigns: &[String],
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        current: bool,
    ) -> Result<(Vec<Candidate>, Directory), StoreError> {
        let known: Vec<String> = self
            .conn
            .prepare_cached("SELECT key FROM campaigns")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for c in campaigns {
            if !known.contains(c) {
                return Err(StoreError::refused(
                    format!("unknown campaign `{c}`"),
                    crate::language::suggest::did_you_mean(c, known.iter().map(String::as_str)),
                ));
            }
        }
        let (ahead, behind) = self.notice_window()?;
        let day = |d: chrono::NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .timestamp()
        };
        let input =
            self.load_plan_input(day(from) - behind, day(to) + ahead, current, campaigns)?;
        Ok((input.candidates, input.directory))
    }

    /// The local times of day of every reminder policy.
    pub fn policy_times(&self) -> Result<Vec<(u32, u32)>, StoreError> {
        let policies: Vec<String> = self
            .conn
            .prepare_cached("SELECT policy FROM campaigns UNION SELECT policy FROM deliverables WHERE policy IS NOT NULL")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut times: Vec<(u32, u32)> = policies
            .iter()
            .filter_map(|p| serde_json::from_str::<Policy>(p).ok())
            .map(|p| p.time)
            .collect();
        times.sort();
        times.dedup();
        Ok(times)
    }

    fn load_plan_input(
        &self,
        start: i64,
        end: i64,
        owed_only: bool,
        only: &[String],
    ) -> Result<PlanInput, StoreError> {
        let mut campaigns = HashMap::new();
        let mut zones: HashMap<i64, Tz> = HashMap::new();
        let mut offices: HashMap<i64, Option<String>> = HashMap::new();
        let mut directory = Directory::default();
        let mut phones: HashMap<(i64, String), Option<String>> = HashMap::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id, key, title, zone, office, issuer, doc, templates FROM campaigns",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let key: String = r.get(1)?;
                let title: Option<String> = r.get(2)?;
                let zone: String = r.get(3)?;
                let office: Option<String> = r.get(4)?;
                let issuer: Option<String> = r.get(5)?;
                let doc: Option<String> = r.get(6)?;
                let name = title.clone().unwrap_or_else(|| key.clone());
                let basis = match &doc {
                    Some(doc) => format!("《{name}》（{doc}）"),
                    None => format!("《{name}》"),
                };
                zones.insert(id, zone.parse().unwrap_or(chrono_tz::Asia::Shanghai));
                offices.insert(id, office.clone());
                campaigns.insert(
                    id,
                    CampaignInfo {
                        id: key,
                        name,
                        basis,
                        doc_or_title: doc
                            .clone()
                            .unwrap_or_else(|| title.clone().unwrap_or_default()),
                        office: office.clone().or(issuer).unwrap_or_default(),
                        office_phone: None,
                        templates: r.get(7)?,
                    },
                );
            }
        }
        {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT campaign_id, name, email, phone, contacts FROM units")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let (campaign, name): (i64, String) = (r.get(0)?, r.get(1)?);
                let contacts: String = r.get(4)?;
                let contacts: Vec<Contact> = serde_json::from_str(&contacts).unwrap_or_default();
                phones.insert((campaign, name.clone()), r.get(3)?);
                directory.add(campaign, name, r.get(2)?, contacts);
            }
        }
        for (id, info) in &mut campaigns {
            if let Some(Some(office)) = offices.get(id) {
                info.office_phone = phones.get(&(*id, office.clone())).cloned().flatten();
            }
        }
        let owed = if owed_only {
            "o.closed_at IS NULL AND "
        } else {
            ""
        };
        let window = format!("{owed}o.active = 1 AND o.effective_due_at BETWEEN ?1 AND ?2");
        let mut candidates = Vec::new();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT o.id, o.campaign_id, c.key, d.name, d.title, u.name, o.period,
                    coalesce(o.extended_until, o.due_date), o.state,
                    coalesce(d.policy, c.policy), d.recipients, d.supervisors, d.lead, d.forms, u.parent, u.id
             FROM obligations o
             JOIN deliverables d ON d.id = o.deliverable_id
             JOIN units u ON u.id = o.unit_id
             JOIN campaigns c ON c.id = o.campaign_id
             WHERE {window}
             ORDER BY o.effective_due_at, o.id"
        ))?;
        let mut rows = stmt.query(params![start, end])?;
        while let Some(r) = rows.next()? {
            let campaign_id: i64 = r.get(1)?;
            if !only.is_empty() && !only.contains(&r.get::<_, String>(2)?) {
                continue;
            }
            let due: String = r.get(7)?;
            let state: String = r.get(8)?;
            let policy: String = r.get(9)?;
            let recipients: String = r.get(10)?;
            let parent: Option<String> = r.get(14)?;
            let forms: Vec<String> =
                serde_json::from_str(&r.get::<_, String>(13)?).unwrap_or_default();
            let to: Vec<String> = serde_json::from_str::<Vec<String>>(&recipients)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| {
                    if r == "@parent" {
                        parent.clone()
                    } else {
                        Some(r)
                    }
                })
                .collect();
            let period: String = r.get(6)?;
            candidates.push(Candidate {
                obligation_id: r.get(0)?,
                campaign_id,
                campaign: r.get(2)?,
                zone: zones
                    .get(&campaign_id)
                    .copied()
                    .unwrap_or(chrono_tz::Asia::Shanghai),
                deliverable: r.get(3)?,
                title: r.get(4)?,
                unit: r.get(5)?,
                unit_order: r.get(15)?,
                period: (!period.is_empty()).then_some(period),
                due_date: chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d").unwrap_or_default(),
                returned: state == "returned",
                policy: serde_json::from_str(&policy).unwrap_or_default(),
                to,
                supervisors: serde_json::from_str(&r.get::<_, String>(11)?).unwrap_or_default(),
                lead: serde_json::from_str(&r.get::<_, String>(12)?).unwrap_or_default(),
                office: offices.get(&campaign_id).cloned().flatten(),
                form: (!forms.is_empty()).then(|| forms.join("、")),
            });
        }
        let mut sent = HashSet::new();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT n.obligation_id, n.stage, n.due_date, n.recipient FROM notices n
             JOIN obligations o ON o.id = n.obligation_id WHERE {window}"
        ))?;
        let mut rows = stmt.query(params![start, end])?;
        while let Some(r) = rows.next()? {
            sent.insert((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?));
        }
        Ok(PlanInput {
            candidates,
            directory,
            campaigns,
            sent,
        })
    }

    /// How far ahead of and behind its deadline an obligation can have a notice due (seconds):
    /// the longest lead time and rung of any policy, plus room for holidays and downtime.
    fn notice_window(&self) -> Result<(i64, i64), StoreError> {
        let mut policies: Vec<String> = self
            .conn
            .prepare_cached("SELECT policy FROM campaigns UNION SELECT policy FROM deliverables WHERE policy IS NOT NULL")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        policies.push(serde_json::to_string(&Policy::default()).unwrap_or_default());
        let days = |d: &crate::language::ast::Duration| -> i64 {
            let n = i64::from(d.count);
            match d.unit {
                crate::language::ast::DurationUnit::Days => n,
                // A workday count can span a week-long holiday.
                crate::language::ast::DurationUnit::Workdays => n * 2 + 10,
                crate::language::ast::DurationUnit::Weeks => n * 7,
            }
        };
        let (mut ahead, mut behind) = (0i64, 0i64);
        for text in policies {
            let Ok(policy) = serde_json::from_str::<Policy>(&text) else {
                continue;
            };
            ahead = ahead.max(policy.lead_times.iter().map(days).max().unwrap_or(0));
            behind = behind.max(
                policy
                    .ladder
                    .iter()
                    .map(|r| days(&r.after))
                    .max()
                    .unwrap_or(0),
            );
        }
        const DAY: i64 = 86_400;
        Ok(((ahead + 15) * DAY, (behind + 45) * DAY))
    }

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
