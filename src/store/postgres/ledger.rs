//! The ledger on PostgreSQL: each action is one transaction that locks the obligation's row,
//! asks the [`ledger`](crate::ledger) what the action does, and saves the event (with the
//! submitted files' contents) and the record. Two clerks acting on one obligation at once are
//! serialised by the row lock: the second sees what the first did.

use crate::store::deadlines::{MOVES, Move, Moves};
use crate::store::{Files, Ledger};
use std::collections::HashMap;

use ::postgres::{GenericClient, Transaction};

use super::contents::pg_value_at;
use super::{PgStore, texts};
use crate::clock::{Instant, from_unix};
use crate::ledger::{Action, Refusal, Status};
use crate::store::contents::EVENT_VALUES;
use crate::store::decode::{json, state, zone};
use crate::store::import::{
    self, BadRow, Deliverable, ImportBatch, ImportError, ImportReport, ImportRow,
};
use crate::store::lifecycle::{
    Found, choose_period, label, owed_by, read_submission, unknown_name,
};
use crate::store::{Change, FileSource, HistoryEvent, HistoryFile, Key, Meta, StoreError};
use crate::values::FieldValue;

/// A submitted file as kept, with its bytes.
pub(super) type ReadFile = (crate::store::lifecycle::StoredFile, Vec<u8>);

/// The files of `actions`' submissions, read before the transaction: no lock is held while a
/// large file is read.
pub(super) fn read_files(actions: &[(Key<'_>, Action)]) -> Result<Vec<Vec<ReadFile>>, StoreError> {
    actions
        .iter()
        .map(|(_, action)| match action {
            Action::Submit(s) => s
                .files
                .iter()
                .map(read_submission)
                .collect::<Result<Vec<_>, _>>(),
            _ => Ok(Vec::new()),
        })
        .collect()
}

impl Ledger for PgStore {
    /// Applies each action to the obligation its key names, all in one transaction, in a
    /// handful of statements however many there are ([`super::batch`]).
    fn apply_all(
        &mut self,
        actions: &[(Key<'_>, Action)],
        meta: Meta,
    ) -> Result<Vec<Change>, StoreError> {
        let files = read_files(actions)?;
        self.write(|tx| super::batch::apply(tx, actions, &meta, &files))
    }

    /// The status of one obligation at `as_of`, and every event of it in order.
    fn history(
        &self,
        key: &Key<'_>,
        as_of: Instant,
    ) -> Result<(Status, Vec<HistoryEvent>), StoreError> {
        self.run(|client| {
            let found = find(client, key)?;
            let t = as_of.in_zone(found.zone).timestamp();
            let mut acts = crate::store::asof::Acts::default();
            let time = |t: i64| from_unix(t).with_timezone(&found.zone).to_rfc3339();
            let files = client
                .prepare("SELECT name, sha256, size FROM files WHERE event_id = $1 ORDER BY id")?;
            let values = client.prepare(EVENT_VALUES)?;
            let moves = client
                .query(MOVES, &[&found.id])?
                .iter()
                .map(|r| Move {
                    at: r.get(0),
                    from: r.get(1),
                    to: r.get(2),
                    events_before: r.get(3),
                })
                .collect();
            let mut moves = Moves::new(moves);
            let mut events = Vec::new();
            for r in client.query(
                "SELECT id, kind, at, recorded_at, actor, reason, note, data FROM events
                 WHERE obligation_id = $1 ORDER BY id",
                &[&found.id],
            )? {
                let id: i64 = r.get(0);
                let (kind, at, recorded_at): (String, i64, i64) = (r.get(1), r.get(2), r.get(3));
                moves.at_event((id, &kind, at), &mut events, &time);
                let data = json(r.get(7))?;
                acts.push(&kind, at, &data);
                // What people did after `as_of` had not happened then. (The schedule's own events —
                // a moved deadline, a removed report — are the campaign file's as it is now.)
                if at > t && crate::ledger::ACTS.contains(&kind.as_str()) {
                    continue;
                }
                let kept = client
                    .query(&files, &[&id])?
                    .iter()
                    .map(|f| HistoryFile {
                        name: f.get(0),
                        sha256: f.get(1),
                        size: f.get(2),
                    })
                    .collect();
                let values = client
                    .query(&values, &[&id])?
                    .iter()
                    .filter_map(|v| pg_value_at(v, 0))
                    .collect();
                events.push(HistoryEvent {
                    backfilled: crate::ledger::backfilled(at, recorded_at),
                    kind,
                    at: time(at),
                    recorded_at: time(recorded_at),
                    by: r.get(4),
                    reason: r.get(5),
                    note: r.get(6),
                    data,
                    files: kept,
                    values,
                });
            }
            moves.rest(&mut events, &time);
            let status = acts.status_at(found.record(), found.review.is_some(), found.zone, t);
            Ok((status, events))
        })
    }

    /// Submissions from a file: all rows or none, the same rows twice recorded once. The rows
    /// are gathered first, so that a transaction lost with its connection can be run again;
    /// the obligations they name are read a deliverable at a time, and what is recorded is
    /// written in three statements at the end (a file of 320,000 rows would otherwise make a
    /// million round trips). An obligation someone else changed meanwhile refuses the file.
    fn import(
        &mut self,
        rows: &mut dyn Iterator<Item = Result<ImportRow, BadRow>>,
        batch: &ImportBatch<'_>,
    ) -> Result<ImportReport, ImportError> {
        let rows: Vec<_> = rows.collect();
        let mut bad = Vec::new();
        let report = self.write(|tx| {
            let names = import_names(tx)?;
            let mut target = Target {
                tx,
                owed: HashMap::new(),
                recorded: Vec::new(),
            };
            // Tried again on a new connection if the old one is lost: from the start.
            bad.clear();
            let report = import::run(rows.clone(), &names, &mut target, batch, &mut bad)?;
            target.write(batch.recorded_at)?;
            Ok(report)
        });
        import::outcome(report, bad)
    }
}

impl Files for PgStore {
    /// The content of a submitted file, by its SHA-256; `None` if no submission kept it.
    fn file_content(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.run(|client| {
            Ok(client
                .query_opt("SELECT content FROM blobs WHERE sha256 = $1", &[&sha256])?
                .map(|r| r.get(0)))
        })
    }

    /// A submitted file is in `blobs`, read a piece at a time with [`PgStore::file_piece`]: its
    /// size.
    fn file_source(&self, sha256: &str) -> Result<Option<FileSource>, StoreError> {
        self.run(|client| {
            Ok(client
                .query_opt("SELECT size FROM blobs WHERE sha256 = $1", &[&sha256])?
                .map(|r| FileSource::Records {
                    size: u64::try_from(r.get::<_, i64>(0)).unwrap_or(0),
                }))
        })
    }

    /// At most `len` bytes of a submitted file from `offset`: a slice of its `blobs` row, which
    /// the server reads from only the TOAST chunks it covers (contents are stored uncompressed,
    /// `STORAGE EXTERNAL`, since schema version 7), never the whole value.
    fn file_piece(&self, sha256: &str, offset: u64, len: usize) -> Result<Vec<u8>, StoreError> {
        // substring() counts from 1, in int4.
        let (from, count) = (
            i32::try_from(offset + 1).unwrap_or(i32::MAX),
            i32::try_from(len).unwrap_or(i32::MAX),
        );
        self.run(|client| {
            Ok(client
                .query_opt(
                    "SELECT substring(content FROM $2 FOR $3) FROM blobs WHERE sha256 = $1",
                    &[&sha256, &from, &count],
                )?
                .map(|r| r.get(0))
                .unwrap_or_default())
        })
    }
}

/// A submission an import records: the obligation as it was found, and what it becomes.
struct Recorded {
    id: i64,
    was_state: String,
    was_submitted_at: Option<i64>,
    state: String,
    at: i64,
    by: Option<String>,
    note: Option<String>,
    data: String,
    values: Vec<FieldValue>,
}

/// Where an import's rows go on PostgreSQL: the obligations of each deliverable it names, read
/// once, and the submissions to write at the end.
struct Target<'a, 't> {
    tx: &'a mut Transaction<'t>,
    owed: HashMap<i64, HashMap<(i64, String), import::Owed>>,
    recorded: Vec<Recorded>,
}

impl import::Target for Target<'_, '_> {
    fn find(
        &mut self,
        deliverable: i64,
        unit: i64,
        period: &str,
    ) -> Result<Option<import::Owed>, StoreError> {
        if !self.owed.contains_key(&deliverable) {
            let mut owed = HashMap::new();
            for r in self.tx.query(
                "SELECT unit_id, period, id, state, submitted_at, active FROM obligations
                 WHERE deliverable_id = $1",
                &[&deliverable],
            )? {
                owed.insert(
                    (r.get(0), r.get(1)),
                    (r.get(2), r.get(3), r.get(4), r.get(5)),
                );
            }
            self.owed.insert(deliverable, owed);
        }
        Ok(self.owed[&deliverable]
            .get(&(unit, period.to_string()))
            .cloned())
    }

    fn record(
        &mut self,
        (id, was_state, was_submitted_at, _): &import::Owed,
        row: &ImportRow,
        at: i64,
        data: &str,
        state: &str,
        values: Vec<FieldValue>,
    ) -> Result<(), StoreError> {
        self.recorded.push(Recorded {
            id: *id,
            was_state: was_state.clone(),
            was_submitted_at: *was_submitted_at,
            state: state.to_string(),
            at,
            by: row.by.clone(),
            note: row.note.clone(),
            data: data.to_string(),
            values,
        });
        Ok(())
    }
}

impl Target<'_, '_> {
    /// Writes what was recorded: the obligations' new state, only where it is still as found,
    /// and their events, in the file's order.
    fn write(self, recorded_at: i64) -> Result<(), StoreError> {
        use ::postgres::types::Type;
        self.tx.batch_execute(
            "CREATE TEMP TABLE imported (seq BIGINT, obligation_id BIGINT, was_state TEXT,
                 was_submitted_at BIGINT, state TEXT, at BIGINT, actor TEXT, note TEXT, data TEXT)
             ON COMMIT DROP",
        )?;
        let sink = self.tx.copy_in("COPY imported FROM STDIN BINARY")?;
        let types = [
            Type::INT8,
            Type::INT8,
            Type::TEXT,
            Type::INT8,
            Type::TEXT,
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
        ];
        let mut writer = ::postgres::binary_copy::BinaryCopyInWriter::new(sink, &types);
        for (seq, r) in self.recorded.iter().enumerate() {
            writer.write(&[
                &(seq as i64),
                &r.id,
                &r.was_state,
                &r.was_submitted_at,
                &r.state,
                &r.at,
                &r.by,
                &r.note,
                &r.data,
            ])?;
        }
        writer.finish()?;
        let updated = self.tx.execute(
            "UPDATE obligation_rows o SET state = i.state, submitted_at = i.at, closed_at = i.at
             FROM imported i
             WHERE o.id = i.obligation_id AND o.state = i.was_state
               AND o.submitted_at IS NOT DISTINCT FROM i.was_submitted_at",
            &[],
        )?;
        if updated as usize != self.recorded.len() {
            return Err(StoreError::Concurrent {
                doing: "the import".into(),
                changed: self.recorded.len() - updated as usize,
            });
        }
        let events = self.tx.query(
            "INSERT INTO events (obligation_id, kind, at, recorded_at, actor, note, data)
             SELECT obligation_id, 'submitted', at, $1, actor, note, data FROM imported ORDER BY seq
             RETURNING id, obligation_id",
            &[&recorded_at],
        )?;
        // An import names each obligation once: its new event is found by the obligation.
        let event_of: HashMap<i64, i64> = events.iter().map(|r| (r.get(1), r.get(0))).collect();
        for r in self.recorded.iter().filter(|r| !r.values.is_empty()) {
            write_values(&mut *self.tx, event_of[&r.id], r.id, &r.values)?;
        }
        if self.recorded.len() as i64 >= super::ANALYZE_AFTER {
            self.tx.batch_execute("ANALYZE obligation_rows")?;
        }
        Ok(())
    }
}

fn import_names(tx: &mut Transaction<'_>) -> Result<import::Names, StoreError> {
    let mut names = import::Names::default();
    for r in tx.query("SELECT key, id, zone FROM campaigns", &[])? {
        names
            .campaigns
            .insert(r.get(0), (r.get(1), zone(r.get(2))?));
    }
    for r in tx.query(
        "SELECT campaign_id, name, id, recurring, review, signers, form FROM deliverables",
        &[],
    )? {
        let deliverable = Deliverable {
            id: r.get(2),
            recurring: r.get(3),
            review: r.get::<_, Option<&str>>(4).is_some(),
            signers: json(r.get(5))?,
            form: r.get::<_, Option<&str>>(6).map(json).transpose()?,
        };
        names.deliverables.insert((r.get(0), r.get(1)), deliverable);
    }
    for r in tx.query("SELECT campaign_id, name, id FROM units", &[])? {
        names.units.insert((r.get(0), r.get(1)), r.get(2));
    }
    Ok(names)
}

/// Writes `values` as event `event`'s, in the form's order, and makes them the ones that count
/// for `obligation`.
pub(super) fn write_values(
    tx: &mut Transaction<'_>,
    event: i64,
    obligation: i64,
    values: &[FieldValue],
) -> Result<(), StoreError> {
    // One statement for all of a submission's values, not a round trip each.
    let fields: Vec<&str> = values.iter().map(|v| v.field.as_str()).collect();
    let positions: Vec<i64> = (0..values.len() as i64).collect();
    let numbers: Vec<Option<f64>> = values.iter().map(|v| v.number).collect();
    let texts: Vec<Option<&str>> = values.iter().map(|v| v.text.as_deref()).collect();
    let shared: Vec<Option<&str>> = values.iter().map(|v| v.shared.as_deref()).collect();
    let reused: Vec<Option<i64>> = values.iter().map(|v| v.reused_from).collect();
    tx.execute(
        "INSERT INTO field_values
             (event_id, obligation_id, field, position, number, text, shared, reused_from)
         SELECT $1, $2, x.* FROM unnest($3::text[], $4::bigint[], $5::float8[], $6::text[],
                                        $7::text[], $8::bigint[]) AS x",
        &[
            &event,
            &obligation,
            &fields,
            &positions,
            &numbers,
            &texts,
            &shared,
            &reused,
        ],
    )?;
    tx.execute(
        "UPDATE obligation_rows SET values_event = $2 WHERE id = $1",
        &[&obligation, &event],
    )?;
    Ok(())
}

/// Finds the obligation `key` names (for its history; the ledger's acts find theirs in
/// [`super::batch`]), or explains what does not match, with the nearest names.
fn find(client: &mut impl GenericClient, key: &Key<'_>) -> Result<Found, StoreError> {
    let Some(campaign) = client.query_opt(
        "SELECT id, zone FROM campaigns WHERE key = $1",
        &[&key.campaign],
    )?
    else {
        let known = texts(client, "SELECT key FROM campaigns", &[])?;
        return Err(unknown_name("campaign", key.campaign, &known).into());
    };
    let (campaign_id, zone): (i64, _) = (campaign.get(0), zone(campaign.get(1))?);
    let Some(deliverable) = client.query_opt(
        "SELECT id, recurring, review, signers, soon_days, review_then FROM deliverables
         WHERE campaign_id = $1 AND name = $2",
        &[&campaign_id, &key.deliverable],
    )?
    else {
        let sql = "SELECT name FROM deliverables WHERE campaign_id = $1";
        let known = texts(client, sql, &[&campaign_id])?;
        return Err(unknown_name("deliverable", key.deliverable, &known).into());
    };
    let Some(unit) = client.query_opt(
        "SELECT id, reviewer FROM units WHERE campaign_id = $1 AND name = $2",
        &[&campaign_id, &key.unit],
    )?
    else {
        let sql = "SELECT name FROM units WHERE campaign_id = $1";
        let known = texts(client, sql, &[&campaign_id])?;
        return Err(unknown_name("unit", key.unit, &known).into());
    };
    let (deliverable_id, unit_id): (i64, i64) = (deliverable.get(0), unit.get(0));
    let periods = texts(
        client,
        "SELECT period FROM obligations WHERE deliverable_id = $1 AND unit_id = $2 ORDER BY due_at",
        &[&deliverable_id, &unit_id],
    )?;
    if periods.is_empty() {
        let owers = texts(
            client,
            "SELECT u.name FROM units u WHERE u.id IN
                 (SELECT DISTINCT unit_id FROM obligations WHERE deliverable_id = $1)
             ORDER BY u.id LIMIT 6",
            &[&deliverable_id],
        )?;
        return Err(Refusal::NotOwedBy {
            unit: key.unit.into(),
            deliverable: key.deliverable.into(),
            campaign: key.campaign.into(),
            owers: owed_by(&owers),
        }
        .into());
    }
    let period = choose_period(key, deliverable.get(1), &periods)?;
    let r = client.query_one(
        &format!(
            "SELECT id, state, due_at, effective_due_at, due_date, extended_until, submitted_at,
                    closed_at, active,
                    (SELECT max(at) FROM events e WHERE e.obligation_id = obligations.id
                        AND e.kind IN {acts}),
                    review_due_at, review_level
             FROM obligations WHERE deliverable_id = $1 AND unit_id = $2 AND period = $3",
            acts = crate::ledger::ACTS_SQL
        ),
        &[&deliverable_id, &unit_id, &period],
    )?;
    Ok(Found {
        id: r.get(0),
        label: label(key, period),
        zone,
        state: state(r.get(1))?,
        due_at: r.get(2),
        effective_due_at: r.get(3),
        due_date: r.get(4),
        extended_until: r.get(5),
        submitted_at: r.get(6),
        closed_at: r.get(7),
        active: r.get(8),
        review: deliverable.get(2),
        reviewer: unit.get(1),
        review_then: deliverable.get(5),
        review_level: r.get(11),
        signers: json(deliverable.get(3))?,
        soon_days: deliverable.get(4),
        last_act_at: r.get(9),
        review_due: r.get(10),
    })
}
