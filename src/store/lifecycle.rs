//! The lifecycle of an obligation: submitted (and, where the campaign says so, reviewed),
//! returned (退回), extended (延期), waived (免报). Every transition is one transaction that
//! appends an event to the history (who, when, what, why) and updates the obligation's record.
//! A request the records do not allow is refused with the reason and, where there is one, the
//! nearest valid name.

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::status::{Record, Status};
use super::{Store, StoreError};
use crate::clock::to_unix;
use crate::language::suggest;
use crate::schedule::obligation::end_of_day;

/// Names an obligation as the user does: campaign, deliverable, unit and, for recurring
/// deliverables, the period.
#[derive(Clone, Copy, Debug)]
pub struct Key<'a> {
    /// Campaign identifier.
    pub campaign: &'a str,
    /// Deliverable name.
    pub deliverable: &'a str,
    /// Unit name.
    pub unit: &'a str,
    /// Period (`2017-05`), for recurring deliverables.
    pub period: Option<&'a str>,
}

/// A signature on a submission.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Signature {
    /// Who signed.
    pub name: String,
    /// As what (村书记).
    pub role: String,
}

/// A submission.
#[derive(Clone, Debug, Default)]
pub struct Submission {
    /// Files to keep with it.
    pub files: Vec<PathBuf>,
    /// Its signatures.
    pub signatures: Vec<Signature>,
    /// Replace an earlier submission.
    pub replace: bool,
}

/// What to do to an obligation.
#[derive(Clone, Debug)]
pub enum Action {
    /// Record a submission.
    Submit(Submission),
    /// The reviewer accepts the submission under review.
    Accept,
    /// The reviewer sends it back.
    Reject {
        /// Why.
        reason: String,
    },
    /// The receiving office returns it (退回): it is owed again.
    Return {
        /// Why.
        reason: String,
    },
    /// A new deadline (延期).
    Extend {
        /// The new last day.
        until: NaiveDate,
        /// Why.
        reason: String,
    },
    /// Excused (免报).
    Waive {
        /// Why.
        reason: String,
    },
}

/// Who did it, when, and a note.
#[derive(Clone, Debug)]
pub struct Meta {
    /// When it happened (unix seconds).
    pub at: i64,
    /// When it was recorded (unix seconds).
    pub recorded_at: i64,
    /// Who did it.
    pub by: Option<String>,
    /// A note.
    pub note: Option<String>,
}

/// The result of a transition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// `nanyang-2017 统计表 宛城区 2017-05`.
    pub obligation: String,
    /// Status right after.
    pub status: Status,
    /// Its (effective) due date.
    pub due_date: String,
    /// The reviewer it now waits for, if any.
    pub waiting_for: Option<String>,
}

/// An obligation found from a [`Key`].
pub(super) struct Found {
    pub id: i64,
    pub label: String,
    pub zone: chrono_tz::Tz,
    pub state: String,
    pub due_at: i64,
    pub effective_due_at: i64,
    pub due_date: String,
    pub extended_until: Option<String>,
    pub submitted_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub active: bool,
    pub review: Option<String>,
    pub reviewer: Option<String>,
    pub signers: Vec<String>,
    pub soon_days: i64,
}

impl Found {
    pub fn record(&self) -> Record<'_> {
        Record {
            state: &self.state,
            submitted_at: self.submitted_at,
            closed_at: self.closed_at,
            due_at: self.due_at,
            effective_due_at: self.effective_due_at,
            soon_seconds: self.soon_days * 86_400,
        }
    }

    fn effective_due_date(&self) -> String {
        self.extended_until
            .clone()
            .unwrap_or_else(|| self.due_date.clone())
    }
}

impl Store {
    /// Applies `action` to the obligation `key` names.
    pub fn apply(
        &mut self,
        key: &Key<'_>,
        action: Action,
        meta: Meta,
    ) -> Result<Change, StoreError> {
        // Files are copied before the transaction: a copy is content-addressed, so one left
        // behind by a failed transaction is harmless, and no lock is held while copying.
        let stored = match &action {
            Action::Submit(s) => s
                .files
                .iter()
                .map(|f| store_file(f, &self.options.files))
                .collect::<Result<Vec<_>, _>>()?,
            _ => Vec::new(),
        };
        self.write(|tx| {
            let found = find(tx, key)?;
            if !found.active {
                return Err(StoreError::refused(
                    format!(
                        "{} was removed from the campaign file; its history is kept",
                        found.label
                    ),
                    Some("restore it in the campaign file to act on it again".into()),
                ));
            }
            transition(tx, &found, &action, &meta, &stored)?;
            let after = find(tx, key)?;
            Ok(Change {
                obligation: after.label.clone(),
                status: after.record().status_at(meta.at),
                due_date: after.effective_due_date(),
                waiting_for: (after.state == "review")
                    .then(|| after.reviewer_name())
                    .flatten(),
            })
        })
    }
}

impl Found {
    fn reviewer_name(&self) -> Option<String> {
        match self.review.as_deref()? {
            "reviewer" => self.reviewer.clone(),
            other => other.strip_prefix("unit:").map(String::from),
        }
    }
}

fn transition(
    tx: &Transaction<'_>,
    found: &Found,
    action: &Action,
    meta: &Meta,
    files: &[StoredFile],
) -> Result<(), StoreError> {
    let closed = found.closed_at.is_some();
    let label = &found.label;
    match action {
        Action::Submit(submission) => {
            match found.state.as_str() {
                "waived" => {
                    return Err(StoreError::refused(
                        format!("{label} was waived: nothing is owed"),
                        None,
                    ));
                }
                "review" | "received" if !submission.replace => {
                    return Err(StoreError::refused(
                        format!("{label} was already submitted"),
                        Some("to submit it again, say `--replace` (the earlier submission stays in its history)".into()),
                    ));
                }
                _ => {}
            }
            check_signatures(&found.signers, &submission.signatures, label)?;
            let state = if found.review.is_some() {
                "review"
            } else {
                "received"
            };
            let data = json!({
                "signatures": submission.signatures,
                "replaces": submission.replace && closed,
            });
            let event = event(tx, found.id, "submitted", meta, None, &data)?;
            for file in files {
                tx.execute(
                    "INSERT INTO files (event_id, name, sha256, size) VALUES (?1, ?2, ?3, ?4)",
                    params![event, file.name, file.sha256, file.size],
                )?;
            }
            tx.execute(
                "UPDATE obligations SET state = ?2, submitted_at = ?3, closed_at = ?3 WHERE id = ?1",
                params![found.id, state, meta.at],
            )?;
        }
        Action::Accept | Action::Reject { .. } => {
            if found.state != "review" {
                return Err(StoreError::refused(
                    format!(
                        "{label} is not waiting for review (it is {})",
                        found.record().status_at(meta.at)
                    ),
                    None,
                ));
            }
            if let Action::Reject { reason } = action {
                event(
                    tx,
                    found.id,
                    "review_returned",
                    meta,
                    Some(reason),
                    &json!({}),
                )?;
                tx.execute(
                    "UPDATE obligations SET state = 'returned', closed_at = NULL WHERE id = ?1",
                    [found.id],
                )?;
            } else {
                event(tx, found.id, "review_accepted", meta, None, &json!({}))?;
                tx.execute(
                    "UPDATE obligations SET state = 'received' WHERE id = ?1",
                    [found.id],
                )?;
            }
        }
        Action::Return { reason } => {
            if !matches!(found.state.as_str(), "received" | "review") {
                return Err(StoreError::refused(
                    format!(
                        "{label} has no submission to return (it is {})",
                        found.record().status_at(meta.at)
                    ),
                    None,
                ));
            }
            event(tx, found.id, "returned", meta, Some(reason), &json!({}))?;
            tx.execute(
                "UPDATE obligations SET state = 'returned', closed_at = NULL WHERE id = ?1",
                [found.id],
            )?;
        }
        Action::Extend { until, reason } => {
            if closed {
                return Err(StoreError::refused(
                    format!(
                        "{label} is no longer owed (it is {}): nothing to extend",
                        found.record().status_at(meta.at)
                    ),
                    None,
                ));
            }
            let new_due = to_unix(end_of_day(found.zone, *until).to_utc());
            if new_due <= found.effective_due_at {
                return Err(StoreError::refused(
                    format!(
                        "{until} is not after the current deadline {}",
                        found.effective_due_date()
                    ),
                    None,
                ));
            }
            let data = json!({ "from": found.effective_due_date(), "until": until.to_string() });
            event(tx, found.id, "extended", meta, Some(reason), &data)?;
            tx.execute(
                "UPDATE obligations SET extended_until = ?2, effective_due_at = ?3 WHERE id = ?1",
                params![found.id, until.to_string(), new_due],
            )?;
        }
        Action::Waive { reason } => {
            match found.state.as_str() {
                "waived" => {
                    return Err(StoreError::refused(
                        format!("{label} is already waived"),
                        None,
                    ));
                }
                "received" => {
                    return Err(StoreError::refused(
                        format!("{label} was submitted: there is nothing to waive"),
                        Some("return it first if the submission should not count".into()),
                    ));
                }
                _ => {}
            }
            event(tx, found.id, "waived", meta, Some(reason), &json!({}))?;
            tx.execute(
                "UPDATE obligations SET state = 'waived', closed_at = ?2 WHERE id = ?1",
                params![found.id, meta.at],
            )?;
        }
    }
    Ok(())
}

fn event(
    tx: &Transaction<'_>,
    obligation: i64,
    kind: &str,
    meta: &Meta,
    reason: Option<&String>,
    data: &serde_json::Value,
) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO events (obligation_id, kind, at, recorded_at, actor, reason, note, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            obligation,
            kind,
            meta.at,
            meta.recorded_at,
            meta.by,
            reason,
            meta.note,
            data.to_string()
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

fn check_signatures(
    required: &[String],
    given: &[Signature],
    label: &str,
) -> Result<(), StoreError> {
    let missing: Vec<&str> = required
        .iter()
        .filter(|role| !given.iter().any(|s| &s.role == *role))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let example = missing
        .iter()
        .map(|r| format!("--signed-by 姓名:{r}"))
        .collect::<Vec<_>>()
        .join(" ");
    Err(StoreError::refused(
        format!(
            "{label} must be signed by {}; missing: {}",
            required.join("、"),
            missing.join("、")
        ),
        Some(format!("add {example}")),
    ))
}

/// Finds the obligation `key` names, or explains what does not match, with the nearest names.
pub(super) fn find(conn: &rusqlite::Connection, key: &Key<'_>) -> Result<Found, StoreError> {
    let (campaign_id, zone): (i64, String) = conn
        .query_row(
            "SELECT id, zone FROM campaigns WHERE key = ?1",
            [key.campaign],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| {
            unknown(
                conn,
                "campaign",
                key.campaign,
                "SELECT key FROM campaigns",
                None,
            )
        })?;
    let deliverable: (i64, bool, Option<String>, String, i64) = conn
        .query_row(
            "SELECT id, recurring, review, signers, soon_days FROM deliverables WHERE campaign_id = ?1 AND name = ?2",
            params![campaign_id, key.deliverable],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?
        .ok_or_else(|| {
            unknown(conn, "deliverable", key.deliverable, "SELECT name FROM deliverables WHERE campaign_id = ?1", Some(campaign_id))
        })?;
    let (unit_id, reviewer): (i64, Option<String>) = conn
        .query_row(
            "SELECT id, reviewer FROM units WHERE campaign_id = ?1 AND name = ?2",
            params![campaign_id, key.unit],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| {
            unknown(
                conn,
                "unit",
                key.unit,
                "SELECT name FROM units WHERE campaign_id = ?1",
                Some(campaign_id),
            )
        })?;
    let (deliverable_id, recurring, review, signers, soon_days) = deliverable;
    let periods: Vec<String> = conn
        .prepare_cached("SELECT period FROM obligations WHERE deliverable_id = ?1 AND unit_id = ?2 ORDER BY due_at")?
        .query_map(params![deliverable_id, unit_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if periods.is_empty() {
        return Err(StoreError::refused(
            format!(
                "{} owes no {} in {}",
                key.unit, key.deliverable, key.campaign
            ),
            owers(conn, deliverable_id)?,
        ));
    }
    let period = match (recurring, key.period) {
        (false, None) => "",
        (false, Some(p)) => {
            return Err(StoreError::refused(
                format!("{} is due once: it has no period `{p}`", key.deliverable),
                Some("leave out --period".into()),
            ));
        }
        (true, None) => {
            return Err(StoreError::refused(
                format!("{} recurs: say which period with --period", key.deliverable),
                Some(format!(
                    "its periods for {} run from {} to {}",
                    key.unit,
                    periods[0],
                    periods[periods.len() - 1]
                )),
            ));
        }
        (true, Some(p)) if periods.iter().any(|x| x == p) => p,
        (true, Some(p)) => {
            let nearest = suggest::nearest_within(p, periods.iter().map(String::as_str), 1);
            let help = nearest.map(|n| format!("did you mean `{n}`?")).or_else(|| {
                Some(format!(
                    "its periods for {} run from {} to {}",
                    key.unit,
                    periods[0],
                    periods[periods.len() - 1]
                ))
            });
            return Err(StoreError::refused(
                format!("{} has no period `{p}` for {}", key.deliverable, key.unit),
                help,
            ));
        }
    };
    let label = if period.is_empty() {
        format!("{} {} {}", key.campaign, key.deliverable, key.unit)
    } else {
        format!("{} {} {} {period}", key.campaign, key.deliverable, key.unit)
    };
    let zone = zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    conn.query_row(
        "SELECT id, state, due_at, effective_due_at, due_date, extended_until, submitted_at, closed_at, active
         FROM obligations WHERE deliverable_id = ?1 AND unit_id = ?2 AND period = ?3",
        params![deliverable_id, unit_id, period],
        |r| {
            Ok(Found {
                id: r.get(0)?,
                label: label.clone(),
                zone,
                state: r.get(1)?,
                due_at: r.get(2)?,
                effective_due_at: r.get(3)?,
                due_date: r.get(4)?,
                extended_until: r.get(5)?,
                submitted_at: r.get(6)?,
                closed_at: r.get(7)?,
                active: r.get(8)?,
                review: review.clone(),
                reviewer: reviewer.clone(),
                signers: serde_json::from_str(&signers).unwrap_or_default(),
                soon_days,
            })
        },
    )
    .map_err(StoreError::from)
}

/// "unknown unit `宛城去`", with the nearest known name.
fn unknown(
    conn: &rusqlite::Connection,
    what: &str,
    name: &str,
    query: &str,
    scope: Option<i64>,
) -> StoreError {
    let names: Vec<String> = conn
        .prepare(query)
        .and_then(|mut stmt| match scope {
            Some(id) => stmt.query_map([id], |r| r.get(0))?.collect(),
            None => stmt.query_map([], |r| r.get(0))?.collect(),
        })
        .unwrap_or_default();
    let help = suggest::did_you_mean(name, names.iter().map(String::as_str)).or_else(|| {
        (what == "campaign").then(|| "run `duban sync` to load the campaign files".to_string())
    });
    StoreError::refused(format!("unknown {what} `{name}`"), help)
}

fn owers(conn: &rusqlite::Connection, deliverable: i64) -> Result<Option<String>, StoreError> {
    let names: Vec<String> = conn
        .prepare(
            "SELECT DISTINCT u.name FROM obligations o JOIN units u ON u.id = o.unit_id
             WHERE o.deliverable_id = ?1 ORDER BY u.id LIMIT 6",
        )?
        .query_map([deliverable], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok((!names.is_empty()).then(|| format!("it is owed by {} …", names.join("、"))))
}

/// A file kept with a submission.
pub(super) struct StoredFile {
    name: String,
    sha256: String,
    size: i64,
}

/// Copies `path` into `folder`, named by its SHA-256 (so a copy is written once and never
/// half-written: it goes to a temporary name first, hashed as it is copied, so that what is
/// named is what was read). Only a regular file of limited size is taken.
fn store_file(path: &Path, folder: &Path) -> Result<StoredFile, StoreError> {
    use std::io::Write as _;
    let fail = |source| StoreError::File {
        path: path.to_path_buf(),
        source,
    };
    let mut file =
        crate::fsio::open_regular(path, crate::fsio::limits::SUBMISSION).map_err(fail)?;
    std::fs::create_dir_all(folder).map_err(fail)?;
    let temporary = folder.join(format!(
        ".incoming.{}.{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    let copied = (|| {
        let mut out = std::fs::File::create(&temporary)?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = file.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            if size > crate::fsio::limits::SUBMISSION {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "it grew past the size limit while it was read",
                ));
            }
            hasher.update(&buffer[..n]);
            out.write_all(&buffer[..n])?;
        }
        out.sync_all()?;
        let sha256: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok((sha256, size))
    })();
    let (sha256, size) = match copied {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&temporary);
            return Err(fail(e));
        }
    };
    let target = folder.join(&sha256[..2]).join(&sha256);
    if target.exists() {
        let _ = std::fs::remove_file(&temporary);
    } else {
        let dir = target.parent().unwrap_or(folder);
        std::fs::create_dir_all(dir).map_err(fail)?;
        std::fs::rename(&temporary, &target).map_err(fail)?;
    }
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(StoredFile { name, sha256, size })
}
