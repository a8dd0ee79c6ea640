//! The [`Ledger`] and the [`Files`] of an SQLite store: an obligation found from its key, each
//! transition saved in one transaction, its history, imports of submissions, and submitted
//! files kept content-addressed in the files folder.

use super::decode::{Json, Zone};
use super::{FileSource, Store, StoreError};
use crate::clock::Instant;
use crate::clock::from_unix;
use crate::ledger::{Action, Effect, Refusal, Update, Upload};
use crate::store::deadlines::{MOVES, Move, Moves};
use crate::store::import::{Deliverable, Names, outcome, run};
use crate::store::lifecycle::{
    Found, INSERT_VALUE, StoredFile, choose_period, copy_hashed, label, owed_by, submitted_values,
    unknown_name,
};
use crate::store::sqlite::import::Statements;
use crate::store::{
    BadRow, Change, HistoryEvent, HistoryFile, ImportBatch, ImportError, ImportReport, ImportRow,
    Key, Meta, Status,
};
use crate::store::{Files, Ledger};
use crate::values::FieldValue;
use rusqlite::{OptionalExtension, Transaction, params};
use std::io::Read;
use std::path::Path;

impl Store {
    /// The files of `actions`' submissions copied into the files folder, each action's own.
    /// Done before the transaction: a copy is content-addressed, so one left behind by a
    /// failed transaction is harmless, and no lock is held while copying.
    pub(super) fn stored_files(
        &self,
        actions: &[(Key<'_>, Action)],
    ) -> Result<Vec<Vec<StoredFile>>, StoreError> {
        actions
            .iter()
            .map(|(_, action)| match action {
                Action::Submit(s) => s
                    .files
                    .iter()
                    .map(|f| store_file(f, &self.options.files))
                    .collect::<Result<Vec<_>, _>>(),
                _ => Ok(Vec::new()),
            })
            .collect()
    }
}

/// Applies each action to the obligation its key names, in `tx`, with the files `stored` for
/// each: the changes, or the first refusal or failure.
pub(super) fn apply_in(
    tx: &Transaction<'_>,
    actions: &[(Key<'_>, Action)],
    meta: &Meta,
    stored: &[Vec<StoredFile>],
) -> Result<Vec<Change>, StoreError> {
    let mut changes = Vec::with_capacity(actions.len());
    for ((key, action), stored) in actions.iter().zip(stored) {
        let found = find(tx, key)?;
        let effect = found.effect(action, meta.at)?;
        save(
            tx,
            found.id,
            &effect,
            meta,
            stored,
            submitted_values(action),
        )?;
        changes.push(found.after(&effect).change(meta.at));
    }
    Ok(changes)
}

impl Ledger for Store {
    /// Applies each action to the obligation its key names, all in one transaction: all are
    /// recorded, or (the first refusal or failure) none.
    fn apply_all(
        &mut self,
        actions: &[(Key<'_>, Action)],
        meta: Meta,
    ) -> Result<Vec<Change>, StoreError> {
        let stored = self.stored_files(actions)?;
        self.write(|tx| apply_in(tx, actions, &meta, &stored))
    }

    /// Every event of one obligation, oldest first, and its status at `as_of`.
    fn history(
        &self,
        key: &Key<'_>,
        as_of: Instant,
    ) -> Result<(Status, Vec<HistoryEvent>), StoreError> {
        let found = find(&self.conn, key)?;
        let t = as_of.in_zone(found.zone).timestamp();
        let zone = found.zone;
        let time = |t: i64| from_unix(t).with_timezone(&zone).to_rfc3339();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, at, recorded_at, actor, reason, note, data FROM events
             WHERE obligation_id = ?1 ORDER BY id",
        )?;
        let mut files = self.conn.prepare_cached(
            "SELECT name, sha256, size FROM files WHERE event_id = ?1 ORDER BY id",
        )?;
        let mut values = self
            .conn
            .prepare_cached(crate::store::contents::EVENT_VALUES)?;
        let moves = self
            .conn
            .prepare_cached(&MOVES.replace('$', "?"))?
            .query_map([found.id], |r| {
                Ok(Move {
                    at: r.get(0)?,
                    from: r.get(1)?,
                    to: r.get(2)?,
                    events_before: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut moves = Moves::new(moves);
        let mut events = Vec::new();
        let mut acts = crate::store::asof::Acts::default();
        let mut rows = stmt.query([found.id])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let (kind, at, recorded_at): (String, i64, i64) = (r.get(1)?, r.get(2)?, r.get(3)?);
            moves.at_event((id, &kind, at), &mut events, &time);
            let data = r.get::<_, Json<serde_json::Value>>(7)?.0;
            acts.push(&kind, at, &data);
            // What people did after `as_of` had not happened then. (The schedule's own events —
            // a moved deadline, a removed report — are the campaign file's as it is now.)
            if at > t && crate::ledger::ACTS.contains(&kind.as_str()) {
                continue;
            }
            let kept = files
                .query_map([id], |f| {
                    Ok(HistoryFile {
                        name: f.get(0)?,
                        sha256: f.get(1)?,
                        size: f.get(2)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let said = values
                .query_map([id], |v| super::contents::value_at(v, 0))?
                .filter_map(Result::transpose)
                .collect::<Result<Vec<_>, _>>()?;
            events.push(HistoryEvent {
                backfilled: crate::ledger::backfilled(at, recorded_at),
                kind,
                at: time(at),
                recorded_at: time(recorded_at),
                by: r.get(4)?,
                reason: r.get(5)?,
                note: r.get(6)?,
                data,
                files: kept,
                values: said,
            });
        }
        moves.rest(&mut events, &time);
        let status = acts.status_at(found.record(), found.review.is_some(), zone, t);
        Ok((status, events))
    }

    /// Records every row's submission, or none if any row is bad. Rows are taken one at a time
    /// (a file of a million need not sit in memory); a row its reader could not make is passed
    /// as the [`BadRow`] saying why, and is reported with the others. `source` names the file in
    /// the history; `recorded_at` is when the import runs.
    fn import(
        &mut self,
        rows: &mut dyn Iterator<Item = Result<ImportRow, BadRow>>,
        batch: &ImportBatch<'_>,
    ) -> Result<ImportReport, ImportError> {
        let mut bad = Vec::new();
        let report = self.write(|tx| {
            let campaigns = tx
                .prepare("SELECT key, id, zone FROM campaigns")?
                .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get::<_, Zone>(2)?.0))))?
                .collect::<Result<_, _>>()?;
            let deliverables = tx
                .prepare("SELECT campaign_id, name, id, recurring, review, signers, form FROM deliverables")?
                .query_map([], |r| {
                    Ok((
                        (r.get(0)?, r.get(1)?),
                        Deliverable {
                            id: r.get(2)?,
                            recurring: r.get(3)?,
                            review: r.get::<_, Option<String>>(4)?.is_some(),
                            signers: r.get::<_, Json<Vec<String>>>(5)?.0,
                            form: r.get::<_, Option<Json<_>>>(6)?.map(|f| f.0),
                        },
                    ))
                })?
                .collect::<Result<_, _>>()?;
            let units = tx
                .prepare("SELECT campaign_id, name, id FROM units")?
                .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            let names = Names {
                campaigns,
                deliverables,
                units,
            };
            let mut statements = Statements::prepare(tx, batch.recorded_at)?;
            run(rows, &names, &mut statements, batch, &mut bad)
        });
        outcome(report, bad)
    }
}

impl Store {
    /// Where the content of the submitted file `sha256` is kept; `None` for a name that is not a
    /// digest, which could reach outside the folder.
    fn file_path(&self, sha256: &str) -> Option<std::path::PathBuf> {
        (sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| self.options.files.join(&sha256[..2]).join(sha256))
    }
}

impl Files for Store {
    /// The content of a submitted file, by its SHA-256; `None` if no submission kept it.
    fn file_content(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(path) = self.file_path(sha256) else {
            return Ok(None);
        };
        match std::fs::read(&path) {
            Ok(content) => Ok(Some(content)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StoreError::File { path, source }),
        }
    }

    /// The file on disk a submitted file's content is in, to be read as it is sent.
    fn file_source(&self, sha256: &str) -> Result<Option<FileSource>, StoreError> {
        let Some(path) = self.file_path(sha256) else {
            return Ok(None);
        };
        match std::fs::metadata(&path) {
            Ok(meta) => Ok(Some(FileSource::Disk {
                size: meta.len(),
                path,
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StoreError::File { path, source }),
        }
    }

    /// At most `len` bytes of a submitted file from `offset`.
    fn file_piece(&self, sha256: &str, offset: u64, len: usize) -> Result<Vec<u8>, StoreError> {
        use std::io::{Seek, SeekFrom};
        let Some(path) = self.file_path(sha256) else {
            return Ok(Vec::new());
        };
        let read = || -> std::io::Result<Vec<u8>> {
            let mut file = std::fs::File::open(&path)?;
            file.seek(SeekFrom::Start(offset))?;
            let mut piece = Vec::with_capacity(len);
            file.take(len as u64).read_to_end(&mut piece)?;
            Ok(piece)
        };
        read().map_err(|source| StoreError::File {
            path: path.clone(),
            source,
        })
    }
}

/// Appends the effect's event (with the submission's files and values) and changes the record.
fn save(
    tx: &Transaction<'_>,
    obligation: i64,
    effect: &Effect,
    meta: &Meta,
    files: &[StoredFile],
    values: &[FieldValue],
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO events (obligation_id, kind, at, recorded_at, actor, reason, note, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            obligation,
            effect.event,
            meta.at,
            meta.recorded_at,
            meta.by,
            effect.reason,
            meta.note,
            effect.data.to_string()
        ],
    )?;
    let event = tx.last_insert_rowid();
    match effect.update {
        Update::Submitted {
            state,
            at,
            review_due,
        } => {
            for file in files {
                tx.execute(
                    "INSERT INTO files (event_id, name, sha256, size) VALUES (?1, ?2, ?3, ?4)",
                    params![event, file.name, file.sha256, file.size],
                )?;
            }
            tx.execute(
                "UPDATE obligation_rows SET state = ?2, submitted_at = ?3, closed_at = ?3,
                    review_due_at = ?4, review_level = 0, reviewing = NULL WHERE id = ?1",
                params![obligation, state.as_str(), at, review_due],
            )?;
        }
        Update::Accepted => {
            tx.execute(
                "UPDATE obligation_rows SET state = 'received', reviewing = NULL WHERE id = ?1",
                [obligation],
            )?;
        }
        Update::Passed { level, review_due } => {
            tx.execute(
                "UPDATE obligation_rows SET review_level = ?2, reviewing = ?3, review_due_at = ?4
                 WHERE id = ?1",
                params![
                    obligation,
                    level,
                    effect.data.get("next").and_then(|n| n.as_str()),
                    review_due
                ],
            )?;
        }
        Update::Reopened => {
            tx.execute(
                "UPDATE obligation_rows SET state = 'returned', closed_at = NULL, review_level = 0,
                    reviewing = NULL WHERE id = ?1",
                [obligation],
            )?;
        }
        Update::Extended {
            until,
            effective_due_at,
        } => {
            tx.execute(
                "UPDATE obligation_rows SET extended_until = ?2, extended_due_at = ?3 WHERE id = ?1",
                params![obligation, until.to_string(), effective_due_at],
            )?;
        }
        Update::Waived { at } => {
            tx.execute(
                "UPDATE obligation_rows SET state = 'waived', closed_at = ?2, review_level = 0,
                    reviewing = NULL WHERE id = ?1",
                params![obligation, at],
            )?;
        }
        Update::Values => {}
    }
    if !values.is_empty() {
        write_values(tx, event, obligation, values)?;
    }
    Ok(())
}

/// Writes `values` as event `event`'s, in the form's order, and makes them the ones that count
/// for `obligation`.
pub(super) fn write_values(
    tx: &rusqlite::Connection,
    event: i64,
    obligation: i64,
    values: &[FieldValue],
) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(INSERT_VALUE)?;
    for (position, v) in (0i64..).zip(values) {
        insert.execute(params![
            event,
            obligation,
            v.field,
            position,
            v.number,
            v.text,
            v.shared,
            v.reused_from
        ])?;
    }
    tx.execute(
        "UPDATE obligation_rows SET values_event = ?2 WHERE id = ?1",
        params![obligation, event],
    )?;
    Ok(())
}

/// Finds the obligation `key` names, or explains what does not match, with the nearest names.
pub(super) fn find(conn: &rusqlite::Connection, key: &Key<'_>) -> Result<Found, StoreError> {
    let (campaign_id, zone): (i64, chrono_tz::Tz) = conn
        .query_row(
            "SELECT id, zone FROM campaigns WHERE key = ?1",
            [key.campaign],
            |r| Ok((r.get(0)?, r.get::<_, Zone>(1)?.0)),
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
    type Row = (i64, bool, Option<String>, Vec<String>, i64, Option<String>);
    let deliverable: Row = conn
        .query_row(
            "SELECT id, recurring, review, signers, soon_days, review_then FROM deliverables WHERE campaign_id = ?1 AND name = ?2",
            params![campaign_id, key.deliverable],
            |r| {
                let signers = r.get::<_, Json<Vec<String>>>(3)?.0;
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, signers, r.get(4)?, r.get(5)?))
            },
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
    let (deliverable_id, recurring, review, signers, soon_days, review_then) = deliverable;
    let periods: Vec<String> = conn
        .prepare_cached("SELECT period FROM obligations WHERE deliverable_id = ?1 AND unit_id = ?2 ORDER BY due_at")?
        .query_map(params![deliverable_id, unit_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if periods.is_empty() {
        return Err(Refusal::NotOwedBy {
            unit: key.unit.into(),
            deliverable: key.deliverable.into(),
            campaign: key.campaign.into(),
            owers: owers(conn, deliverable_id)?,
        }
        .into());
    }
    let period = choose_period(key, recurring, &periods)?;
    let label = label(key, period);
    conn.query_row(
        &format!("SELECT id, state, due_at, effective_due_at, due_date, extended_until, submitted_at, closed_at, active,
                (SELECT max(at) FROM events e WHERE e.obligation_id = obligations.id AND e.kind IN {}),
                review_due_at, review_level
         FROM obligations WHERE deliverable_id = ?1 AND unit_id = ?2 AND period = ?3", crate::ledger::ACTS_SQL),
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
                review_then: review_then.clone(),
                review_level: r.get(11)?,
                signers: signers.clone(),
                soon_days,
                last_act_at: r.get(9)?,
                review_due: r.get(10)?,
            })
        },
    )
    .map_err(StoreError::from)
}

/// "unknown unit `宛城去`", with the nearest known name.
pub(super) fn unknown(
    conn: &rusqlite::Connection,
    what: &'static str,
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
    unknown_name(what, name, &names).into()
}

fn owers(conn: &rusqlite::Connection, deliverable: i64) -> Result<Option<String>, StoreError> {
    let names: Vec<String> = conn
        .prepare(
            "SELECT DISTINCT u.name FROM obligations o JOIN units u ON u.id = o.unit_id
             WHERE o.deliverable_id = ?1 ORDER BY u.id LIMIT 6",
        )?
        .query_map([deliverable], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(owed_by(&names))
}

/// Copies `path` into `folder`, named by its SHA-256 (so a copy is written once and never
/// half-written: it goes to a temporary name first, hashed as it is copied, so that what is
/// named is what was read). Only a regular file of limited size is taken.
pub(super) fn store_file(upload: &Upload, folder: &Path) -> Result<StoredFile, StoreError> {
    let path = upload.path.as_path();
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
    let copied = std::fs::File::create(&temporary).and_then(|mut out| {
        let done = copy_hashed(&mut file, &mut out)?;
        out.sync_all()?;
        Ok(done)
    });
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
    Ok(StoredFile {
        name: upload.name.clone(),
        sha256,
        size: i64::try_from(size).unwrap_or(i64::MAX),
    })
}
