//! The [`Campaigns`] of an SQLite store: loading a compiled schedule (upserts, bulk inserts
//! without indexes, and the merge that keeps history) and the campaigns' policies, zones and
//! templates; what both engines share is in `store/sync.rs`.

use super::decode::Json;
use super::decode::Zone;
use super::{Store, StoreError, renames};
use crate::language::campaign::Campaign;
use crate::language::campaign::Policy;
use crate::schedule::Schedule;
use crate::store::plan_input::DELIVERABLE_POLICIES;
use crate::store::rows::{
    STORED_UNITS, StoredUnit, UPSERT_CAMPAIGN, UPSERT_DELIVERABLE, UPSERT_UNIT, deliverable_rows,
    unit_rows,
};
use crate::store::sync::{
    Deadlines, Lists, RECORD_SYNC, declared_twice, kept_name, moved_unchanged, rows,
};
use crate::store::{Campaigns, Filter, Recorded, Refusal, Source, SyncOutcome, SyncReport};
use chrono_tz::Tz;
use rusqlite::{Transaction, params};
use std::collections::HashMap;

impl Campaigns for Store {
    /// What was recorded of the campaign last synced from `path` (or, for a name relative to
    /// the workspace, from an absolute name ending in it: see [`Recorded::path`]).
    fn recorded_source(&self, path: &str) -> Result<Option<Recorded>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT fingerprint, contacts_source, horizon_year, key, stat, source FROM campaigns
             WHERE source = ?1
                OR (substr(?1, 1, 1) != '/' AND substr(source, 1, 1) = '/'
                    AND substr(source, -(length(?1) + 1)) = '/' || ?1)
             ORDER BY source = ?1 DESC, id LIMIT 1",
        )?;
        let mut rows = stmt.query([path])?;
        Ok(match rows.next()? {
            Some(row) => Some(Recorded {
                fingerprint: row.get(0)?,
                contacts: row.get(1)?,
                horizon_year: row.get(2)?,
                campaign: row.get(3)?,
                stat: row.get(4)?,
                path: row.get(5)?,
            }),
            None => None,
        })
    }

    /// Records that the campaign from `path` is unchanged though its files were touched.
    fn record_stat(&mut self, path: &str, stat: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE campaigns SET stat = ?2 WHERE source = ?1",
                params![path, stat],
            )?;
            Ok(())
        })
    }

    /// Brings the store in line with `schedule`, in one transaction.
    fn sync(
        &mut self,
        schedule: &Schedule<'_>,
        source: &Source,
        now: i64,
    ) -> Result<SyncReport, StoreError> {
        let campaign = schedule.campaign;
        let outcome = self.write(|tx| {
            let campaign_id = upsert_campaign(tx, campaign, source, now)?;
            let units = upsert_units(tx, campaign_id, campaign)?;
            renames::rename_deliverables(tx, campaign_id, campaign)?;
            if !source.accept_removals {
                renames::refuse_lost_history(tx, campaign_id, campaign)?;
            }
            let deliverables = upsert_deliverables(tx, campaign_id, schedule)?;
            // Whether there are any, not how many: a count would read all of a national campaign.
            let existing: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM obligations WHERE campaign_id = ?1)",
                [campaign_id],
                |r| r.get(0),
            )?;
            let fresh = crate::store::unchanged::digests(schedule, &deliverables, &units);
            let deadlines =
                super::deadlines::sync_deadlines(tx, campaign_id, schedule, &deliverables)?;
            let outcome = if !existing {
                insert_all(tx, campaign_id, schedule, &units, &deliverables, &deadlines)?
            } else {
                let same = super::unchanged::unchanged(tx, campaign_id, &fresh)?;
                let lists = Lists {
                    units: &units,
                    deliverables: &deliverables,
                    deadlines: &deadlines,
                    same: &same,
                };
                merge(tx, campaign_id, schedule, &lists, now)?
            };
            super::unchanged::record(tx, campaign_id, &fresh)?;
            if let Some([added, changed, removed, kept, restored]) = outcome.counts() {
                tx.execute(
                    RECORD_SYNC,
                    params![
                        campaign_id,
                        now,
                        source.fingerprint,
                        added,
                        changed,
                        removed,
                        kept,
                        restored
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

    /// The time zone of a campaign; an unknown campaign is refused with the nearest name.
    fn campaign_zone(&self, key: &str) -> Result<Tz, StoreError> {
        let filter = Filter {
            campaigns: vec![key.to_string()],
            ..Filter::default()
        };
        let scope = self.scopes(&filter)?.into_iter().next();
        scope.map(|s| s.zone).ok_or_else(|| {
            Refusal::Unknown {
                kind: "campaign",
                name: key.to_string(),
                suggestion: None,
            }
            .into()
        })
    }

    /// The times of day of every reminder policy, each in its campaign's zone.
    fn policy_times(&self) -> Result<Vec<(Tz, u32, u32)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.zone, c.policy FROM campaigns c
             UNION SELECT c.zone, d.policy FROM deliverables d
                   JOIN campaigns c ON c.id = d.campaign_id WHERE d.policy IS NOT NULL",
        )?;
        let mut times: Vec<(Tz, u32, u32)> = stmt
            .query_map([], |r| {
                let policy = r.get::<_, Json<Policy>>(1)?.0;
                Ok((r.get::<_, Zone>(0)?.0, policy.time.0, policy.time.1))
            })?
            .collect::<Result<_, _>>()?;
        times.sort_by_key(|(zone, h, m)| (zone.name().to_string(), *h, *m));
        times.dedup();
        Ok(times)
    }

    /// The campaigns' own mail templates folders.
    fn templates_folders(&self) -> Result<Vec<String>, StoreError> {
        let folders = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT templates FROM campaigns WHERE templates IS NOT NULL ORDER BY 1",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(folders)
    }

    /// Every reminder policy in the store.
    fn policies(&self) -> Result<Vec<Policy>, StoreError> {
        let policies = self
            .conn
            .prepare_cached(
                "SELECT policy FROM campaigns
                 UNION SELECT policy FROM deliverables WHERE policy IS NOT NULL",
            )?
            .query_map([], |r| Ok(r.get::<_, Json<Policy>>(0)?.0))?
            .collect::<Result<_, _>>()?;
        Ok(policies)
    }

    /// Each deliverable of `campaign` with the reminder policy that applies to it: its own,
    /// else the campaign's.
    fn deliverable_policies(&self, campaign: &str) -> Result<Vec<(String, Policy)>, StoreError> {
        let policies = self
            .conn
            .prepare_cached(DELIVERABLE_POLICIES)?
            .query_map([campaign], |r| {
                Ok((r.get(0)?, r.get::<_, Json<Policy>>(1)?.0))
            })?
            .collect::<Result<_, _>>()?;
        Ok(policies)
    }
}

fn upsert_campaign(
    tx: &Transaction<'_>,
    c: &Campaign,
    source: &Source,
    now: i64,
) -> Result<i64, StoreError> {
    let elsewhere: Option<String> = tx
        .query_row(
            "SELECT source FROM campaigns WHERE key = ?1 AND source != ?2",
            params![c.id, source.path],
            |r| r.get(0),
        )
        .ok();
    declared_twice(c, source, elsewhere)?;
    let policy = serde_json::to_string(&c.policy).unwrap_or_default();
    let office = c.office.map(|o| c.units[o].name.clone());
    Ok(tx.query_row(
        UPSERT_CAMPAIGN,
        params![
            c.id,
            c.title,
            c.zone.name(),
            source.path,
            source.contacts,
            source.fingerprint,
            source.horizon_year,
            office,
            policy,
            now,
            c.issuer,
            c.doc,
            source.templates,
            source.stat,
            crate::store::rows::groups(c),
            crate::store::rows::scoring(c),
            c.directory
        ],
        |r| r.get(0),
    )?)
}

fn upsert_units(
    tx: &Transaction<'_>,
    campaign_id: i64,
    c: &Campaign,
) -> Result<Vec<i64>, StoreError> {
    let mut stored: HashMap<String, StoredUnit> = HashMap::new();
    {
        let mut stmt = tx.prepare_cached(&STORED_UNITS.replace('$', "?"))?;
        let mut rows = stmt.query([campaign_id])?;
        while let Some(r) = rows.next()? {
            let unit = (
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            );
            stored.insert(r.get(0)?, unit);
        }
    }
    let mut stmt = tx.prepare_cached(UPSERT_UNIT)?;
    let mut ids = Vec::with_capacity(c.units.len());
    for u in unit_rows(c) {
        if let Some(same) = stored.get(u.name).filter(|s| u.stored_as(s)) {
            ids.push(same.0);
            continue;
        }
        ids.push(stmt.query_row(
            params![
                campaign_id,
                u.name,
                u.parent,
                u.reviewer,
                u.email,
                u.phone,
                u.contacts,
                u.code
            ],
            |r| r.get(0),
        )?);
    }
    Ok(ids)
}

fn upsert_deliverables(
    tx: &Transaction<'_>,
    campaign_id: i64,
    schedule: &Schedule<'_>,
) -> Result<Vec<i64>, StoreError> {
    let mut stmt = tx.prepare_cached(UPSERT_DELIVERABLE)?;
    let mut ids = Vec::with_capacity(schedule.campaign.deliverables.len());
    for d in deliverable_rows(schedule) {
        ids.push(stmt.query_row(
            params![
                campaign_id,
                d.name,
                d.kind,
                d.recurring,
                d.review,
                d.recipients,
                d.signers,
                d.forms,
                d.soon_days,
                d.policy,
                d.title,
                d.supervisors,
                d.lead,
                d.standing,
                d.form,
                d.thresholds,
                d.ledger,
                d.review_within,
                d.asks,
                d.review_then
            ],
            |r| r.get(0),
        )?);
    }
    Ok(ids)
}

/// How many new obligations make a first sync drop the secondary indexes and build them again
/// afterwards: inserting in schedule order scatters the deadline index over more pages than the
/// cache holds, while building it sorts once.
const BULK_ROWS: usize = 200_000;
/// Runs `work` with the obligations' secondary indexes dropped, then creates them again as the
/// schema defines them, in the same transaction.
fn without_indexes<T>(
    tx: &Transaction<'_>,
    work: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let indexes: Vec<(String, String)> = tx
        .prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'index' AND tbl_name = 'obligation_rows' AND sql IS NOT NULL",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (name, _) in &indexes {
        tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
    }
    let value = work()?;
    // SQLite's sorter takes as much memory as the page cache may: a smaller cache while the
    // indexes are built keeps the peak down, at the price of merging runs from disk.
    let cache: i64 = tx.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    tx.pragma_update(None, "cache_size", -8_192)?;
    for (_, sql) in &indexes {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "cache_size", cache)?;
    Ok(value)
}

/// A first sync: every obligation is new.
fn insert_all(
    tx: &Transaction<'_>,
    campaign_id: i64,
    schedule: &Schedule<'_>,
    units: &[i64],
    deliverables: &[i64],
    deadlines: &Deadlines,
) -> Result<SyncOutcome, StoreError> {
    let insert = || -> Result<usize, StoreError> {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO obligation_rows (campaign_id, deliverable_id, unit_id, period, deadline_id)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut added = 0;
        for (deliverable, period, _, _, unit_list) in rows(schedule) {
            let deliverable = deliverables[deliverable];
            let deadline = deadlines.id(deliverable, &period);
            for &unit in &unit_list {
                stmt.execute(params![
                    campaign_id,
                    deliverable,
                    units[unit],
                    period,
                    deadline
                ])?;
                added += 1;
            }
        }
        Ok(added)
    };
    let added = if schedule.len() >= BULK_ROWS {
        without_indexes(tx, insert)?
    } else {
        insert()?
    };
    Ok(SyncOutcome::Synced {
        added,
        changed: 0,
        removed: 0,
        kept: Vec::new(),
        restored: 0,
    })
}

/// A later sync: compare with what the store holds, through a temporary table. The
/// deliverables in `lists.same` have the obligations the last sync left them, and are not
/// compared; their deadlines, kept apart, moved with [`sync_deadlines`].
fn merge(
    tx: &Transaction<'_>,
    campaign_id: i64,
    schedule: &Schedule<'_>,
    lists: &Lists<'_>,
    now: i64,
) -> Result<SyncOutcome, StoreError> {
    tx.execute_batch(
        "DROP TABLE IF EXISTS temp.incoming;
         CREATE TEMP TABLE incoming (
             deliverable_id INTEGER, unit_id INTEGER, period TEXT, deadline_id INTEGER,
             PRIMARY KEY (deliverable_id, unit_id, period)) WITHOUT ROWID;
         DROP TABLE IF EXISTS temp.compared;
         CREATE TEMP TABLE compared (deliverable_id INTEGER PRIMARY KEY);
         DROP TABLE IF EXISTS temp.moved_deadlines;
         CREATE TEMP TABLE moved_deadlines (id INTEGER PRIMARY KEY);
         DROP TABLE IF EXISTS temp.back;
         DROP TABLE IF EXISTS temp.gone;",
    )?;
    // Every deliverable of the campaign, in the file or not, but those as last synced: only
    // their obligations can be gone.
    {
        let ids: Vec<i64> = tx
            // A ledger's rows are entered one by one, never from the file.
            .prepare_cached(
                "SELECT id FROM deliverables WHERE campaign_id = ?1 AND kind != 'ledger'",
            )?
            .query_map([campaign_id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut stmt = tx.prepare_cached("INSERT INTO temp.compared VALUES (?1)")?;
        for id in ids.into_iter().filter(|id| !lists.same.contains(id)) {
            stmt.execute([id])?;
        }
        let mut stmt = tx.prepare_cached("INSERT INTO temp.moved_deadlines VALUES (?1)")?;
        for id in &lists.deadlines.moved {
            stmt.execute([id])?;
        }
    }
    {
        let mut stmt =
            tx.prepare_cached("INSERT OR IGNORE INTO temp.incoming VALUES (?1, ?2, ?3, ?4)")?;
        for (deliverable, period, _, _, unit_list) in rows(schedule) {
            let deliverable = lists.deliverables[deliverable];
            if lists.same.contains(&deliverable) {
                continue;
            }
            let deadline = lists.deadlines.id(deliverable, &period);
            for &unit in &unit_list {
                stmt.execute(params![deliverable, lists.units[unit], period, deadline])?;
            }
        }
    }
    // What came back, and what is gone, each found once (driven from the incoming rows through
    // the unique index, never by a scan of the campaign's obligations: `+` keeps the planner
    // off the campaign's index); every statement after works from these by row id. Reminders
    // sent count as history too: their notices name the obligation, and an outbox is never
    // rewritten.
    tx.execute(
        "CREATE TEMP TABLE back AS
         SELECT o.id FROM temp.incoming i JOIN obligation_rows o
           ON o.deliverable_id = i.deliverable_id AND o.unit_id = i.unit_id AND o.period = i.period
         WHERE +o.campaign_id = ?1 AND o.active = 0",
        [campaign_id],
    )?;
    tx.execute(
        "CREATE TEMP TABLE gone AS
         SELECT o.id, (EXISTS (SELECT 1 FROM events e WHERE e.obligation_id = o.id)
                       OR EXISTS (SELECT 1 FROM notices n WHERE n.obligation_id = o.id)) AS history
         FROM obligation_rows o
         WHERE +o.campaign_id = ?1 AND o.active = 1
           AND o.deliverable_id IN (SELECT deliverable_id FROM temp.compared)
           AND NOT (o.deliverable_id IN (SELECT value FROM json_each(?2))
                    AND EXISTS (SELECT 1 FROM events e
                                WHERE e.obligation_id = o.id AND e.kind = 'passed_down'))
           AND NOT EXISTS (SELECT 1 FROM temp.incoming i WHERE i.deliverable_id = o.deliverable_id
                             AND i.unit_id = o.unit_id AND i.period = o.period)",
        params![
            campaign_id,
            serde_json::to_string(&crate::store::sync::passed_parts(schedule, lists))
                .unwrap_or_else(|_| "[]".into())
        ],
    )?;
    // Obligations already there whose deadline moved: counted, not written (the deadline was).
    let compared_moved: i64 = tx.query_row(
        "SELECT count(*) FROM temp.incoming i JOIN obligation_rows o
           ON o.deliverable_id = i.deliverable_id AND o.unit_id = i.unit_id AND o.period = i.period
         WHERE i.deadline_id IN (SELECT id FROM temp.moved_deadlines)",
        [],
        |r| r.get(0),
    )?;
    let changed = compared_moved as usize + moved_unchanged(schedule, lists);
    let added = tx.execute(
        "INSERT INTO obligation_rows (campaign_id, deliverable_id, unit_id, period, deadline_id)
         SELECT ?1, i.deliverable_id, i.unit_id, i.period, i.deadline_id
         FROM temp.incoming i
         WHERE NOT EXISTS (SELECT 1 FROM obligation_rows o WHERE o.deliverable_id = i.deliverable_id
                             AND o.unit_id = i.unit_id AND o.period = i.period)",
        [campaign_id],
    )?;
    let kept = kept_names(tx)?;
    tx.execute(
        "INSERT INTO events (obligation_id, kind, at, recorded_at)
         SELECT id, 'removed', ?1, ?1 FROM temp.gone WHERE history ORDER BY id",
        [now],
    )?;
    // A move is told to those in the file after it (see `Moves`): written after the
    // obligations gone, before those back.
    super::deadlines::record_moves(tx, lists.deadlines, now)?;
    let restored = tx.execute(
        "INSERT INTO events (obligation_id, kind, at, recorded_at)
         SELECT id, 'restored', ?1, ?1 FROM temp.back ORDER BY id",
        [now],
    )?;
    tx.execute(
        "UPDATE obligation_rows SET active = 1 WHERE id IN (SELECT id FROM temp.back)",
        [],
    )?;
    tx.execute(
        "UPDATE obligation_rows SET active = 0 WHERE id IN (SELECT id FROM temp.gone WHERE history)",
        [],
    )?;
    let removed = tx.execute(
        "DELETE FROM obligation_rows WHERE id IN (SELECT id FROM temp.gone WHERE NOT history)",
        [],
    )?;
    tx.execute_batch(
        "DROP TABLE temp.incoming; DROP TABLE temp.compared; DROP TABLE temp.moved_deadlines;
         DROP TABLE temp.back; DROP TABLE temp.gone;",
    )?;
    Ok(SyncOutcome::Synced {
        added,
        changed,
        removed,
        kept,
        restored,
    })
}

/// `统计表 宛城区 2017-05` for each obligation gone from the file that has history.
fn kept_names(tx: &Transaction<'_>) -> Result<Vec<String>, StoreError> {
    let mut stmt = tx.prepare(
        "SELECT d.name, u.name, o.period FROM temp.gone g JOIN obligations o ON o.id = g.id
         JOIN deliverables d ON d.id = o.deliverable_id JOIN units u ON u.id = o.unit_id
         WHERE g.history ORDER BY d.id, u.id, o.period",
    )?;
    let names = stmt
        .query_map([], |r| {
            let (d, u, p): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            Ok(kept_name(&d, &u, &p))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_sql(store: &Store) -> Vec<String> {
        store
            .conn
            .prepare(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'obligation_rows'
                 AND sql IS NOT NULL ORDER BY name",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_bulk_insert_gets_its_indexes_back_and_a_failed_one_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let options = super::super::Options {
            busy_timeout: std::time::Duration::from_millis(100),
            files: dir.path().join("files"),
        };
        let mut store = Store::open(&dir.path().join("d.db"), options).unwrap();
        let before = index_sql(&store);
        assert_eq!(before.len(), 7, "{before:?}");
        let dropped = store
            .write(|tx| {
                without_indexes(tx, || {
                    let left: i64 = tx.query_row(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'obligation_rows' AND sql IS NOT NULL",
                        [],
                        |r| r.get(0),
                    )?;
                    Ok(left)
                })
            })
            .unwrap();
        assert_eq!(dropped, 0);
        assert_eq!(index_sql(&store), before);
        let failed = store.write(|tx| {
            without_indexes(tx, || -> Result<(), StoreError> {
                Err(StoreError::RolledBack)
            })
        });
        assert!(failed.is_err());
        assert_eq!(index_sql(&store), before, "the rollback restores them");
        store.check_integrity().unwrap();
    }
}
