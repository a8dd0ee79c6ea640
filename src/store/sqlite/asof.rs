//! Answers at an instant before the latest act, from SQLite's rows: the obligations acted on
//! after T, rebuilt as they stood at T with what `store/asof.rs` shares.

use crate::ledger::{Past, Start};
use crate::store::asof::Base;
use crate::store::{Filter, Overlay, Then};

impl super::Store {
    /// The obligations of campaign `scope` (narrowed by `filter`) acted on after `t`, as they
    /// stood at `t`; empty (one index probe) when nothing was done after `t`.
    pub(super) fn overlay(
        &self,
        filter: &Filter,
        scope: &crate::store::scope::Scope,
        t: i64,
    ) -> Result<Overlay, super::StoreError> {
        // The latest event of any kind first: one step down the `events_at` index whatever the
        // statistics say, and in the live case (T = now) the whole answer.
        let latest: Option<i64> = self
            .conn
            .prepare_cached("SELECT max(at) FROM events")?
            .query_row([], |r| r.get(0))?;
        if latest.is_none_or(|latest| latest <= t) {
            return Ok(Overlay::new());
        }
        let later: bool = self
            .conn
            .prepare_cached(&format!(
                "SELECT EXISTS (SELECT 1 FROM events WHERE at > ?1 AND kind IN {})",
                crate::ledger::ACTS_SQL
            ))?
            .query_row([t], |r| r.get(0))?;
        if !later {
            return Ok(Overlay::new());
        }
        let (_, conditions, values) = self.select(filter, "x")?;
        let sql = format!(
            "SELECT x.id, x.unit_id, x.deliverable_id, x.period, x.due_date, x.due_at, d.soon_days,
                    d.review IS NOT NULL
             FROM obligations x JOIN deliverables d ON d.id = x.deliverable_id
             WHERE x.campaign_id = ?1 AND x.active = 1
               AND x.id IN (SELECT obligation_id FROM events WHERE at > ?2 AND kind IN {})
               {conditions}",
            crate::ledger::ACTS_SQL
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let params = [scope.id, t]
            .into_iter()
            .map(rusqlite::types::Value::from)
            .chain(values);
        let mut events = self.conn.prepare_cached(&format!(
            "SELECT kind, at, data FROM events WHERE obligation_id = ?1 AND kind IN {} ORDER BY id",
            crate::ledger::ACTS_SQL
        ))?;
        let mut out = Overlay::new();
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let base = Base {
                unit_id: r.get(1)?,
                deliverable_id: r.get(2)?,
                period: r.get(3)?,
                due_date: r.get(4)?,
            };
            let start = Start {
                due_at: r.get(5)?,
                soon_seconds: r.get::<_, i64>(6)? * 86_400,
                reviewed: r.get(7)?,
                zone: scope.zone,
            };
            let acts = events
                .query_map([id], |e| {
                    Ok((
                        e.get::<_, String>(0)?,
                        e.get::<_, i64>(1)?,
                        e.get::<_, String>(2)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let history = acts
                .iter()
                .map(|(kind, at, data)| Past::parse(kind, *at, data));
            out.insert(id, Then::rebuild(base, start, history, t));
        }
        Ok(out)
    }
}
