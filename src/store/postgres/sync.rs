//! The [`Campaigns`] on PostgreSQL: loading a compiled schedule with the same rules as the SQLite
//! store's sync (stable identities, history kept, renames carried over, unchanged deliverables
//! left alone), with the schedule's rows streamed in by `COPY` and compared in one statement
//! each; and the campaigns' policies, zones and templates.

use super::queries::scopes;
use crate::store::unchanged::digests;
use crate::store::{Campaigns, Filter, Refusal};
use std::collections::{HashMap, HashSet};

use ::postgres::Transaction;
use ::postgres::binary_copy::BinaryCopyInWriter;
use ::postgres::types::Type;

use super::{PgStore, SYNC_LOCK};
use crate::language::campaign::{Campaign, Policy};
use crate::schedule::Schedule;
use crate::store::renames::{lost_history, renamed};
use crate::store::rows::{
    STORED_UNITS, StoredUnit, UPSERT_CAMPAIGN, UPSERT_DELIVERABLE, deliverable_rows, unit_rows,
};
use crate::store::sync::{Lists, RECORD_SYNC, declared_twice, kept_name, moved_unchanged, rows};
use crate::store::{Recorded, Source, StoreError, SyncOutcome, SyncReport};

impl Campaigns for PgStore {
    /// What was recorded of the campaign last synced from `path` (or, for a name relative to
    /// the workspace, from an absolute name ending in it: see [`Recorded::path`]).
    fn recorded_source(&self, path: &str) -> Result<Option<Recorded>, StoreError> {
        self.run(|client| {
            let row = client.query_opt(
                "SELECT fingerprint, contacts_source, horizon_year, key, stat, source FROM campaigns
                 WHERE source = $1
                    OR (left($1, 1) != '/' AND left(source, 1) = '/'
                        AND right(source, length($1) + 1) = '/' || $1)
                 ORDER BY source = $1 DESC, id LIMIT 1",
                &[&path],
            )?;
            Ok(row.map(|r| Recorded {
                fingerprint: r.get(0),
                contacts: r.get(1),
                horizon_year: i32::try_from(r.get::<_, i64>(2)).unwrap_or_default(),
                campaign: r.get(3),
                stat: r.get(4),
                path: r.get(5),
            }))
        })
    }

    /// Records that the campaign from `path` is unchanged though its files were touched.
    fn record_stat(&mut self, path: &str, stat: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE campaigns SET stat = $2 WHERE source = $1",
                &[&path, &stat],
            )?;
            Ok(())
        })
    }

    /// Brings the records in line with `schedule`, in one transaction.
    fn sync(
        &mut self,
        schedule: &Schedule<'_>,
        source: &Source,
        now: i64,
    ) -> Result<SyncReport, StoreError> {
        let campaign = schedule.campaign;
        let outcome = self.write(|tx| {
            // Two nodes syncing at once would both insert the same new rows: one waits.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SYNC_LOCK])?;
            let campaign_id = upsert_campaign(tx, campaign, source, now)?;
            let units = upsert_units(tx, campaign_id, campaign)?;
            rename_deliverables(tx, campaign_id, campaign)?;
            if !source.accept_removals {
                refuse_lost_history(tx, campaign_id, campaign)?;
            }
            let deliverables = upsert_deliverables(tx, campaign_id, schedule)?;
            let fresh = digests(schedule, &deliverables, &units);
            let same = unchanged(tx, campaign_id, &fresh)?;
            let deadlines =
                super::deadlines::sync_deadlines(tx, campaign_id, schedule, &deliverables)?;
            let lists = Lists {
                units: &units,
                deliverables: &deliverables,
                deadlines: &deadlines,
                same: &same,
            };
            let outcome = merge(tx, campaign_id, schedule, &lists, now)?;
            record_digests(tx, campaign_id, &fresh)?;
            if let Some([added, changed, removed, kept, restored]) = outcome.counts() {
                if added + changed + removed >= super::ANALYZE_AFTER {
                    tx.batch_execute("ANALYZE obligation_rows")?;
                }
                tx.execute(
                    RECORD_SYNC,
                    &[
                        &campaign_id,
                        &now,
                        &source.fingerprint,
                        &added,
                        &changed,
                        &removed,
                        &kept,
                        &restored,
                    ],
                )?;
            }
            Ok(outcome)
        })?;
        Ok(SyncReport {
            campaign: campaign.id.clone(),
            outcome,
        })
    }

    /// Every reminder policy.
    fn policies(&self) -> Result<Vec<Policy>, StoreError> {
        self.run(|client| {
            client
                .query(
                    "SELECT policy FROM campaigns
                     UNION SELECT policy FROM deliverables WHERE policy IS NOT NULL",
                    &[],
                )?
                .iter()
                .map(|r| Ok(crate::store::decode::json(r.get(0))?))
                .collect()
        })
    }

    /// Each deliverable of `campaign` with the reminder policy that applies to it.
    fn deliverable_policies(&self, campaign: &str) -> Result<Vec<(String, Policy)>, StoreError> {
        self.run(|client| {
            client
                .query(crate::store::plan_input::DELIVERABLE_POLICIES, &[&campaign])?
                .iter()
                .map(|r| Ok((r.get(0), crate::store::decode::json(r.get(1))?)))
                .collect()
        })
    }

    /// The time of day of every reminder policy, each in its campaign's zone.
    fn policy_times(&self) -> Result<Vec<(chrono_tz::Tz, u32, u32)>, StoreError> {
        let mut times: Vec<(chrono_tz::Tz, u32, u32)> = self.run(|client| {
            client
                .query(
                    "SELECT c.zone, c.policy FROM campaigns c
                     UNION SELECT c.zone, d.policy FROM deliverables d
                           JOIN campaigns c ON c.id = d.campaign_id WHERE d.policy IS NOT NULL",
                    &[],
                )?
                .iter()
                .map(|r| {
                    let policy: Policy = crate::store::decode::json(r.get(1))?;
                    let zone = crate::store::decode::zone(r.get(0))?;
                    Ok((zone, policy.time.0, policy.time.1))
                })
                .collect::<Result<_, StoreError>>()
        })?;
        times.sort_by_key(|(zone, h, m)| (zone.name().to_string(), *h, *m));
        times.dedup();
        Ok(times)
    }

    /// The campaigns' own mail templates folders.
    fn templates_folders(&self) -> Result<Vec<String>, StoreError> {
        self.run(|client| {
            Ok(client
                .query(
                    "SELECT DISTINCT templates FROM campaigns WHERE templates IS NOT NULL ORDER BY 1",
                    &[],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect())
        })
    }

    /// A campaign's zone; an unknown campaign is refused.
    fn campaign_zone(&self, key: &str) -> Result<chrono_tz::Tz, StoreError> {
        let filter = Filter {
            campaigns: vec![key.to_string()],
            ..Filter::default()
        };
        let scopes = self.run(|client| scopes(client, &filter))?;
        scopes.first().map(|s| s.zone).ok_or_else(|| {
            Refusal::Unknown {
                kind: "campaign",
                name: key.to_string(),
                suggestion: None,
            }
            .into()
        })
    }
}

fn upsert_campaign(
    tx: &mut Transaction<'_>,
    c: &Campaign,
    source: &Source,
    now: i64,
) -> Result<i64, StoreError> {
    let elsewhere = tx
        .query_opt(
            "SELECT source FROM campaigns WHERE key = $1 AND source != $2",
            &[&c.id, &source.path],
        )?
        .map(|r| r.get(0));
    declared_twice(c, source, elsewhere)?;
    let policy = serde_json::to_string(&c.policy).unwrap_or_default();
    let office = c.office.map(|o| c.units[o].name.clone());
    let row = tx.query_one(
        UPSERT_CAMPAIGN,
        &[
            &c.id,
            &c.title,
            &c.zone.name(),
            &source.path,
            &source.contacts,
            &source.fingerprint,
            &i64::from(source.horizon_year),
            &office,
            &policy,
            &now,
            &c.issuer,
            &c.doc,
            &source.templates,
            &source.stat,
            &crate::store::rows::groups(c),
            &crate::store::rows::scoring(c),
            &c.directory,
        ],
    )?;
    Ok(row.get(0))
}

/// Every unit of the campaign in one statement (a national campaign has 35,715: one round trip
/// each would take seconds); their ids in declaration order.
fn upsert_units(
    tx: &mut Transaction<'_>,
    campaign_id: i64,
    c: &Campaign,
) -> Result<Vec<i64>, StoreError> {
    let stored: HashMap<String, StoredUnit> = tx
        .query(STORED_UNITS, &[&campaign_id])?
        .iter()
        .map(|r| {
            let unit = (
                r.get(1),
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5),
                r.get(6),
                r.get(7),
            );
            (r.get(0), unit)
        })
        .collect();
    let rows: Vec<_> = unit_rows(c).collect();
    let changed: Vec<_> = rows
        .iter()
        .filter(|u| !stored.get(u.name).is_some_and(|s| u.stored_as(s)))
        .collect();
    let names: Vec<&str> = changed.iter().map(|u| u.name).collect();
    let parents: Vec<Option<&str>> = changed.iter().map(|u| u.parent).collect();
    let reviewers: Vec<Option<&str>> = changed.iter().map(|u| u.reviewer).collect();
    let emails: Vec<Option<&str>> = changed.iter().map(|u| u.email).collect();
    let phones: Vec<Option<&str>> = changed.iter().map(|u| u.phone).collect();
    let contacts: Vec<&str> = changed.iter().map(|u| u.contacts.as_str()).collect();
    let codes: Vec<Option<&str>> = changed.iter().map(|u| u.code).collect();
    let written = tx.query(
        "INSERT INTO units (campaign_id, name, parent, reviewer, email, phone, contacts, code)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
         ON CONFLICT (campaign_id, name) DO UPDATE SET parent = excluded.parent,
             reviewer = excluded.reviewer, email = excluded.email, phone = excluded.phone,
             contacts = excluded.contacts, code = excluded.code
         RETURNING name, id",
        &[
            &campaign_id,
            &names, &parents, &reviewers, &emails, &phones, &contacts, &codes,
        ],
    )?;
    let mut ids: HashMap<&str, i64> = stored
        .iter()
        .map(|(name, u)| (name.as_str(), u.0))
        .collect();
    ids.extend(
        written
            .iter()
            .map(|r| (r.get::<_, &str>(0), r.get::<_, i64>(1))),
    );
    rows.iter()
        .map(|u| {
            ids.get(u.name).copied().ok_or_else(|| StoreError::Decode {
                message: format!("unit `{}` was not stored", u.name),
            })
        })
        .collect()
}

fn upsert_deliverables(
    tx: &mut Transaction<'_>,
    campaign_id: i64,
    schedule: &Schedule<'_>,
) -> Result<Vec<i64>, StoreError> {
    let stmt = tx.prepare(UPSERT_DELIVERABLE)?;
    let mut ids = Vec::with_capacity(schedule.campaign.deliverables.len());
    for d in deliverable_rows(schedule) {
        let row = tx.query_one(
            &stmt,
            &[
                &campaign_id,
                &d.name,
                &d.kind,
                &d.recurring,
                &d.review,
                &d.recipients,
                &d.signers,
                &d.forms,
                &d.soon_days,
                &d.policy,
                &d.title,
                &d.supervisors,
                &d.lead,
                &d.standing,
                &d.form,
                &d.thresholds,
                &d.ledger,
                &d.review_within,
                &d.asks,
                &d.review_then,
            ],
        )?;
        ids.push(row.get(0));
    }
    Ok(ids)
}

fn rename_deliverables(
    tx: &mut Transaction<'_>,
    campaign_id: i64,
    c: &Campaign,
) -> Result<(), StoreError> {
    let stmt = tx.prepare("SELECT id FROM deliverables WHERE campaign_id = $1 AND name = $2")?;
    let renames = renamed(c, |name| {
        Ok(tx
            .query_opt(&stmt, &[&campaign_id, &name])?
            .map(|r| r.get(0)))
    })?;
    for (id, name) in renames {
        tx.execute(
            "UPDATE deliverables SET name = $2 WHERE id = $1",
            &[&id, &name],
        )?;
    }
    Ok(())
}

fn refuse_lost_history(
    tx: &mut Transaction<'_>,
    campaign_id: i64,
    c: &Campaign,
) -> Result<(), StoreError> {
    let stored: Vec<(i64, String)> = tx
        .query(
            "SELECT id, name FROM deliverables WHERE campaign_id = $1 ORDER BY name",
            &[&campaign_id],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let count = tx.prepare(
        "SELECT count(*) FROM obligations o
         WHERE o.deliverable_id = $1 AND o.active
           AND EXISTS (SELECT 1 FROM events e WHERE e.obligation_id = o.id
                         AND e.kind NOT IN ('due_changed', 'removed', 'restored'))",
    )?;
    lost_history(c, stored, |id| Ok(tx.query_one(&count, &[&id])?.get(0)))
}

/// The deliverables whose stored digest is `fresh`'s.
fn unchanged(
    tx: &mut Transaction<'_>,
    campaign_id: i64,
    fresh: &HashMap<i64, String>,
) -> Result<HashSet<i64>, StoreError> {
    let rows = tx.query(
        "SELECT id, rows_digest FROM deliverables WHERE campaign_id = $1 AND rows_digest IS NOT NULL",
        &[&campaign_id],
    )?;
    Ok(rows
        .iter()
        .filter(|r| fresh.get(&r.get::<_, i64>(0)).map(String::as_str) == Some(r.get(1)))
        .map(|r| r.get(0))
        .collect())
}

fn record_digests(
    tx: &mut Transaction<'_>,
    campaign_id: i64,
    fresh: &HashMap<i64, String>,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE deliverables SET rows_digest = NULL WHERE campaign_id = $1",
        &[&campaign_id],
    )?;
    let stmt = tx.prepare("UPDATE deliverables SET rows_digest = $2 WHERE id = $1")?;
    for (id, digest) in fresh {
        tx.execute(&stmt, &[id, digest])?;
    }
    Ok(())
}

/// Compares the schedule with what the store holds, through a temporary table the rows are
/// copied into; a first sync is the case where nothing matches. The deliverables in
/// `lists.same` have the obligations the last sync left them, and are not compared; their
/// deadlines, kept apart, moved with [`sync_deadlines`].
fn merge(
    tx: &mut Transaction<'_>,
    campaign_id: i64,
    schedule: &Schedule<'_>,
    lists: &Lists<'_>,
    now: i64,
) -> Result<SyncOutcome, StoreError> {
    let existing: bool = tx
        .query_one(
            // Any deliverable the campaign ever had, in the file or not (each a probe of the
            // unique key).
            "SELECT EXISTS (SELECT 1 FROM deliverables d JOIN obligation_rows o ON o.deliverable_id = d.id
                            WHERE d.campaign_id = $1)",
            &[&campaign_id],
        )?
        .get(0);
    if !existing {
        return first_sync(tx, campaign_id, schedule, lists);
    }
    tx.batch_execute(
        "CREATE TEMP TABLE copied (deliverable_id BIGINT, unit_id BIGINT, period TEXT,
                                   deadline_id BIGINT, seq BIGINT) ON COMMIT DROP;
         CREATE TEMP TABLE compared (deliverable_id BIGINT PRIMARY KEY) ON COMMIT DROP;",
    )?;
    let all: Vec<i64> = tx
        .query(
            // A ledger's rows are entered one by one, never from the file.
            "SELECT id FROM deliverables WHERE campaign_id = $1 AND kind != 'ledger'",
            &[&campaign_id],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let compared: Vec<i64> = all
        .into_iter()
        .filter(|id| !lists.same.contains(id))
        .collect();
    tx.execute(
        "INSERT INTO compared SELECT unnest($1::bigint[])",
        &[&compared],
    )?;
    let sink = tx.copy_in("COPY copied FROM STDIN BINARY")?;
    let types = [Type::INT8, Type::INT8, Type::TEXT, Type::INT8, Type::INT8];
    let mut seq = 0i64;
    copy_rows(sink, &types, schedule, lists, |w, (d, u, p, deadline)| {
        seq += 1;
        w.write(&[&d, &u, &p, &deadline, &seq])
    })?;
    // A unit listed twice owes once: the first row counts.
    tx.batch_execute(
        "CREATE TEMP TABLE incoming ON COMMIT DROP AS
             SELECT DISTINCT ON (deliverable_id, unit_id, period)
                    deliverable_id, unit_id, period, deadline_id
             FROM copied ORDER BY deliverable_id, unit_id, period, seq;
         CREATE UNIQUE INDEX ON incoming (deliverable_id, unit_id, period);
         ANALYZE incoming;",
    )?;
    // What came back, and what is gone, each found once: every statement after works from
    // these by row id. An obligation has history if it is among the events' or the reminders'
    // (one hash of each rather than a probe per row): the outbox is never rewritten.
    // What was passed down of a part still passed down by choice is owed from that act, never
    // gone (the row ids are the database's own integers, written into the statement).
    let passed: Vec<String> = crate::store::sync::passed_parts(schedule, lists)
        .iter()
        .map(i64::to_string)
        .collect();
    // No row has id -1: an empty list matches nothing (`IN (NULL)` would make the test unknown).
    let passed = if passed.is_empty() {
        "-1".to_string()
    } else {
        passed.join(", ")
    };
    tx.batch_execute(&format!(
        "CREATE TEMP TABLE back ON COMMIT DROP AS
             SELECT o.id FROM incoming i JOIN obligation_rows o
               ON o.deliverable_id = i.deliverable_id AND o.unit_id = i.unit_id AND o.period = i.period
             WHERE NOT o.active;
         CREATE TEMP TABLE gone ON COMMIT DROP AS
             SELECT o.id, o.id IN (SELECT obligation_id FROM events)
                          OR o.id IN (SELECT obligation_id FROM notices) AS history
             FROM obligation_rows o
             WHERE o.active AND o.deliverable_id IN (SELECT deliverable_id FROM compared)
               AND NOT (o.deliverable_id IN ({passed})
                        AND EXISTS (SELECT 1 FROM events e
                                    WHERE e.obligation_id = o.id AND e.kind = 'passed_down'))
               AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.deliverable_id = o.deliverable_id
                                 AND i.unit_id = o.unit_id AND i.period = o.period);"
    ))?;
    // Obligations already there whose deadline moved: counted, not written (the deadline was).
    let moved: Vec<i64> = lists.deadlines.moved.iter().copied().collect();
    let compared_moved: i64 = tx
        .query_one(
            "SELECT count(*) FROM incoming i JOIN obligation_rows o
               ON o.deliverable_id = i.deliverable_id AND o.unit_id = i.unit_id AND o.period = i.period
             WHERE i.deadline_id = ANY($1)",
            &[&moved],
        )?
        .get(0);
    let changed = compared_moved as usize + moved_unchanged(schedule, lists);
    let added = tx.execute(
        "INSERT INTO obligation_rows (campaign_id, deliverable_id, unit_id, period, deadline_id)
         SELECT $1, i.deliverable_id, i.unit_id, i.period, i.deadline_id
         FROM incoming i
         WHERE NOT EXISTS (SELECT 1 FROM obligation_rows o WHERE o.deliverable_id = i.deliverable_id
                             AND o.unit_id = i.unit_id AND o.period = i.period)",
        &[&campaign_id],
    )?;
    let kept = kept_names(tx)?;
    tx.execute(
        "INSERT INTO events (obligation_id, kind, at, recorded_at)
         SELECT id, 'removed', $1, $1 FROM gone WHERE history ORDER BY id",
        &[&now],
    )?;
    // A move is told to those in the file after it (see `Moves`): written after the
    // obligations gone, before those back.
    super::deadlines::record_moves(tx, lists.deadlines, now)?;
    let restored = tx.execute(
        "INSERT INTO events (obligation_id, kind, at, recorded_at)
         SELECT id, 'restored', $1, $1 FROM back ORDER BY id",
        &[&now],
    )?;
    tx.execute(
        "UPDATE obligation_rows SET active = TRUE WHERE id IN (SELECT id FROM back)",
        &[],
    )?;
    tx.execute(
        "UPDATE obligation_rows SET active = FALSE WHERE id IN (SELECT id FROM gone WHERE history)",
        &[],
    )?;
    let removed = tx.execute(
        "DELETE FROM obligation_rows WHERE id IN (SELECT id FROM gone WHERE NOT history)",
        &[],
    )?;
    Ok(SyncOutcome::Synced {
        added: added as usize,
        changed,
        removed: removed as usize,
        kept,
        restored: restored as usize,
    })
}

/// A campaign's first sync: every row of the schedule is a new obligation, copied straight in.
/// (A unit listed twice would break the unique key and fail the sync, as on SQLite: the
/// campaign's checks refuse it first.)
fn first_sync(
    tx: &mut Transaction<'_>,
    campaign_id: i64,
    schedule: &Schedule<'_>,
    lists: &Lists<'_>,
) -> Result<SyncOutcome, StoreError> {
    let sink = tx.copy_in(
        "COPY obligation_rows (campaign_id, deliverable_id, unit_id, period, deadline_id)
         FROM STDIN BINARY",
    )?;
    let types = [Type::INT8, Type::INT8, Type::INT8, Type::TEXT, Type::INT8];
    // Every row: none is there to be the same.
    let all = Lists {
        same: &HashSet::new(),
        ..*lists
    };
    let added = copy_rows(sink, &types, schedule, &all, |w, (d, u, p, deadline)| {
        w.write(&[&campaign_id, &d, &u, &p, &deadline])
    })?;
    Ok(SyncOutcome::Synced {
        added,
        changed: 0,
        removed: 0,
        kept: Vec::new(),
        restored: 0,
    })
}

/// One obligation's columns as a schedule gives them: deliverable, unit, period, deadline.
type Columns<'r> = (i64, i64, &'r str, i64);

/// Streams the schedule's rows (but those of the deliverables in `lists.same`) into `sink`, of
/// columns `types`, each written by `write`; how many.
fn copy_rows(
    sink: ::postgres::CopyInWriter<'_>,
    types: &[Type],
    schedule: &Schedule<'_>,
    lists: &Lists<'_>,
    mut write: impl FnMut(&mut BinaryCopyInWriter<'_>, Columns<'_>) -> Result<(), ::postgres::Error>,
) -> Result<usize, StoreError> {
    let mut writer = BinaryCopyInWriter::new(sink, types);
    let mut count = 0;
    for (deliverable, period, _, _, owers) in rows(schedule) {
        let deliverable = lists.deliverables[deliverable];
        if lists.same.contains(&deliverable) {
            continue;
        }
        let deadline = lists.deadlines.id(deliverable, &period);
        for unit in owers {
            write(
                &mut writer,
                (deliverable, lists.units[unit], &period, deadline),
            )?;
            count += 1;
        }
    }
    writer.finish()?;
    Ok(count)
}

/// `统计表 宛城区 2017-05` for each obligation gone from the file that has history.
fn kept_names(tx: &mut Transaction<'_>) -> Result<Vec<String>, StoreError> {
    let rows = tx.query(
        "SELECT d.name, u.name, o.period FROM gone g JOIN obligations o ON o.id = g.id
         JOIN deliverables d ON d.id = o.deliverable_id JOIN units u ON u.id = o.unit_id
         WHERE g.history ORDER BY d.id, u.id, o.period",
        &[],
    )?;
    Ok(rows
        .iter()
        .map(|r| kept_name(r.get(0), r.get(1), r.get(2)))
        .collect())
}
