//! The [`Queries`] of an SQLite store — overdue, due soon, status, standing duties, a unit's
//! work and a reviewer's queue, and what was done after an instant — answered with what
//! `store/query.rs` and `store/worklist.rs` share.

use super::decode::Json;
use super::{Store, StoreError, text};
use crate::clock::{Instant, from_unix};
use crate::store::asof::{Owing, Then, due_key, overdue_order};
use crate::store::deadlines::{SQLITE, owed_between, owed_by};
use crate::store::query::{Tally, standing};
use crate::store::shared::{Owed, Shared};
use crate::store::worklist::{PAGE_SQL, SUB_UNITS, UNIT_SQL, queue_sql};
use crate::store::{
    DueRow, Filter, OverdueRow, Overlay, Queries, StandingDuty, StatusRow, Window, WorkItem,
};
use rusqlite::params_from_iter;
use std::sync::Arc;

impl Queries for Store {
    /// The duties without a date of the campaigns in scope, in declaration order.
    fn standing_duties(&self, filter: &Filter) -> Result<Vec<StandingDuty>, StoreError> {
        let (scopes, _, _) = self.select(filter, "o")?;
        let mut out = Vec::new();
        for scope in scopes {
            let mut stmt = self.conn.prepare_cached(
                "SELECT name, title, standing FROM deliverables
                 WHERE campaign_id = ?1 AND standing IS NOT NULL ORDER BY id",
            )?;
            let mut rows = stmt.query([scope.id])?;
            while let Some(r) = rows.next()? {
                let units: Vec<String> = r.get::<_, Json<_>>(2)?.0;
                out.extend(standing(filter, &scope.key, r.get(0)?, r.get(1)?, units));
            }
        }
        Ok(out)
    }

    /// Hands every obligation overdue at `as_of` to `visit`, one at a time (the rows are not
    /// gathered): by unit then deadline, or with `by_deliverable` by deliverable, period, unit.
    fn overdue_each(
        &self,
        filter: &Filter,
        as_of: Instant,
        by_deliverable: bool,
        visit: &mut dyn FnMut(OverdueRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let (scopes, conditions, values) = self.select(filter, "x")?;
        let order = if by_deliverable {
            "x.deliverable_id, x.period, x.effective_due_at, x.unit_id"
        } else {
            "x.unit_id, x.effective_due_at, x.deliverable_id, x.period"
        };
        for scope in scopes {
            let t = as_of.in_zone(scope.zone).timestamp();
            let today = from_unix(t).with_timezone(&scope.zone).date_naive();
            // Two index range scans: owed now (the deadlines passed, then the covering index of
            // the obligations owed under each), and dealt with only after `as_of`. Names and
            // contacts are added from `Shared` rather than joined, so that the sorter carries
            // narrow rows.
            let columns = "unit_id, deliverable_id, period, due_date, extended_until, state, effective_due_at, id";
            let owed = owed_by(SQLITE, "$1", "$2").replace('$', "?");
            let sql = format!(
                "SELECT x.unit_id, x.deliverable_id, x.period, coalesce(x.extended_until, x.due_date), x.state,
                        x.effective_due_at, x.id
                 FROM (SELECT {columns} FROM ({owed})
                       UNION ALL
                       SELECT {columns} FROM obligations
                           WHERE closed_at > ?1 AND active = 1 AND effective_due_at <= ?1 AND +campaign_id = ?2) x
                 WHERE 1 {conditions}
                 ORDER BY {order}"
            );
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let params = [t, scope.id]
                .into_iter()
                .map(rusqlite::types::Value::from)
                .chain(values.iter().cloned());
            let campaign: Arc<str> = scope.key.as_str().into();
            let mut shared = Shared::new(scope.id);
            let overlay = self.overlay(filter, &scope, t)?;
            let mut rows = stmt.query(params_from_iter(params))?;
            if overlay.is_empty() {
                while let Some(r) = rows.next()? {
                    let unit = shared.unit(&self.conn, r.get(0)?)?;
                    let deliverable = shared.deliverable(&self.conn, r.get(1)?)?.name;
                    let owed = Owed {
                        period: text(r, 2)?,
                        due_date: text(r, 3)?,
                        state: text(r, 4)?,
                        late_at: r.get(5)?,
                    };
                    visit(shared.overdue_row(
                        &campaign,
                        unit,
                        deliverable,
                        &owed,
                        scope.zone,
                        today,
                    ))?;
                }
                continue;
            }
            // Something was done after `as_of`: those obligations as they stood then, in order
            // among the rest.
            let mut all = Vec::new();
            while let Some(r) = rows.next()? {
                if !overlay.contains_key(&r.get(6)?) {
                    all.push(Owing {
                        unit_id: r.get(0)?,
                        deliverable_id: r.get(1)?,
                        period: r.get(2)?,
                        due_date: r.get(3)?,
                        state: r.get(4)?,
                        due_at: 0,
                        late_at: r.get(5)?,
                    });
                }
            }
            all.extend(
                overlay
                    .values()
                    .filter(|o| o.overdue_at(t))
                    .map(Then::owing),
            );
            overdue_order(&mut all, by_deliverable);
            for o in all {
                let unit = shared.unit(&self.conn, o.unit_id)?;
                let deliverable = shared.deliverable(&self.conn, o.deliverable_id)?.name;
                visit(shared.overdue_row(
                    &campaign,
                    unit,
                    deliverable,
                    &o.owed(),
                    scope.zone,
                    today,
                ))?;
            }
        }
        Ok(())
    }

    /// Every obligation still owed whose deadline falls after `as_of` and within the window,
    /// ordered by deadline.
    fn due_within(
        &self,
        filter: &Filter,
        as_of: Instant,
        window: Window,
    ) -> Result<Vec<DueRow>, StoreError> {
        let mut out = Vec::new();
        let (scopes, conditions, values) = self.select(filter, "x")?;
        for scope in scopes {
            let t = as_of.in_zone(scope.zone).timestamp();
            let today = from_unix(t).with_timezone(&scope.zone).date_naive();
            let within = window.seconds_after(t, today, scope.zone);
            let columns = "unit_id, deliverable_id, period, due_date, extended_until, state, effective_due_at, due_at, id";
            let owed = owed_between(SQLITE, ("$1", false), "$1 + $3", Some("$2")).replace('$', "?");
            let sql = format!(
                "SELECT x.unit_id, x.deliverable_id, x.period, coalesce(x.extended_until, x.due_date),
                        x.state, x.due_at, x.effective_due_at, x.id, u.name
                 FROM (SELECT {columns} FROM ({owed})
                       UNION ALL
                       SELECT {columns} FROM obligations WHERE closed_at > ?1 AND active = 1
                           AND effective_due_at > ?1 AND effective_due_at <= ?1 + ?3 AND +campaign_id = ?2) x
                 CROSS JOIN units u ON u.id = x.unit_id
                 WHERE 1 {conditions}
                 ORDER BY x.effective_due_at, x.deliverable_id, x.unit_id, x.period"
            );
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let params = [t, scope.id, within]
                .into_iter()
                .map(rusqlite::types::Value::from)
                .chain(values.iter().cloned());
            let campaign: Arc<str> = scope.key.as_str().into();
            // Most rows due soon are of different units: their names come with the rows.
            let mut shared = Shared::new(scope.id);
            let mut push = |shared: &mut Shared, unit: Arc<str>, o: &Owing| {
                let deliverable = shared.deliverable(&self.conn, o.deliverable_id)?;
                out.push(shared.due_row(&campaign, unit, deliverable, o, scope.zone, today, t));
                Ok::<_, StoreError>(())
            };
            let overlay = self.overlay(filter, &scope, t)?;
            let mut later = Vec::new();
            let mut rows = stmt.query(params_from_iter(params))?;
            while let Some(r) = rows.next()? {
                if overlay.contains_key(&r.get(7)?) {
                    continue;
                }
                let owing = Owing {
                    unit_id: r.get(0)?,
                    deliverable_id: r.get(1)?,
                    period: r.get(2)?,
                    due_date: r.get(3)?,
                    state: r.get(4)?,
                    due_at: r.get(5)?,
                    late_at: r.get(6)?,
                };
                let unit: Arc<str> = text(r, 8)?.into();
                if overlay.is_empty() {
                    push(&mut shared, unit, &owing)?;
                } else {
                    later.push((unit, owing));
                }
            }
            if !overlay.is_empty() {
                // Something was done after `as_of`: those obligations as they stood then, in
                // order among the rest.
                for then in overlay.values().filter(|o| o.due_between(t, t + within)) {
                    let unit = shared.unit(&self.conn, then.unit_id)?.name;
                    later.push((unit, then.owing()));
                }
                later.sort_by(|(_, a), (_, b)| due_key(a).cmp(&due_key(b)));
                for (unit, owing) in later {
                    push(&mut shared, unit, &owing)?;
                }
            }
        }
        Ok(out)
    }

    /// How each unit stands with each deliverable at `as_of`.
    fn status(&self, filter: &Filter, as_of: Instant) -> Result<Vec<StatusRow>, StoreError> {
        let mut out = Vec::new();
        let (scopes, conditions, values) = self.select(filter, "o")?;
        for scope in scopes {
            let t = as_of.in_zone(scope.zone).timestamp();
            let sql = format!(
                "SELECT u.name, d.name, o.state, o.submitted_at, o.closed_at, o.due_at, o.effective_due_at, d.soon_days,
                        o.id, o.review_due_at,
                        coalesce(o.reviewing,
                            CASE WHEN d.review = 'reviewer' THEN u.reviewer ELSE substr(d.review, 6) END)
                 FROM obligations o
                 JOIN deliverables d ON d.id = o.deliverable_id
                 JOIN units u ON u.id = o.unit_id
                 WHERE o.campaign_id = ?1 AND o.active = 1 {conditions}
                 ORDER BY u.id, d.id"
            );
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let params = [scope.id]
                .into_iter()
                .map(rusqlite::types::Value::from)
                .chain(values.iter().cloned());
            let overlay = self.overlay(filter, &scope, t)?;
            let mut rows = stmt.query(params_from_iter(params))?;
            let mut tally = Tally::new(&mut out, &scope.key);
            while let Some(r) = rows.next()? {
                let then = overlay.get(&r.get(8)?);
                let record = match then {
                    Some(then) => then.record,
                    None => super::decode::record(r, 2, 9)?,
                };
                // A review in levels: the reviewer deciding then, not now.
                let reviewer: Option<String> = match then.and_then(|t| t.reviewing.clone()) {
                    Some(deciding) => Some(deciding),
                    None => r.get(10)?,
                };
                tally.add((r.get(0)?, r.get(1)?), reviewer, &record, t);
            }
        }
        Ok(out)
    }

    /// The obligations of campaign `campaign_id` acted on after `as_of`, as they stood then.
    fn acted_after(
        &self,
        campaign_id: i64,
        as_of: crate::clock::Instant,
    ) -> Result<Overlay, super::StoreError> {
        let Some(scope) = self
            .scopes(&Filter::default())?
            .into_iter()
            .find(|s| s.id == campaign_id)
        else {
            return Ok(Overlay::new());
        };
        let t = as_of.in_zone(scope.zone).timestamp();
        self.overlay(&Filter::default(), &scope, t)
    }

    /// Every obligation of the unit `unit`, in any campaign, by campaign and deadline.
    fn unit_work(&self, unit: &str) -> Result<Vec<WorkItem>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&UNIT_SQL)?;
        let rows = stmt.query_map(rusqlite::params![unit], row)?;
        rows.map(|r| r?).collect()
    }

    /// A page of the campaign's obligations after row `after`, in row order.
    fn campaign_work(
        &self,
        campaign_id: i64,
        after: i64,
        limit: usize,
    ) -> Result<Vec<WorkItem>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&PAGE_SQL)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(rusqlite::params![campaign_id, after, limit], row)?;
        rows.map(|r| r?).collect()
    }

    /// The units directly under the unit named `unit`, in any campaign.
    fn sub_units(&self, unit: &str) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(SUB_UNITS)?;
        let rows = stmt.query_map([unit], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What awaits the reviewing unit `reviewer`'s decision, newest first; received
    /// submissions since `since` (unix seconds).
    fn review_queue(&self, reviewer: &str, since: i64) -> Result<Vec<WorkItem>, StoreError> {
        static QUEUE: std::sync::LazyLock<String> =
            std::sync::LazyLock::new(|| queue_sql(RECEIVES));
        let mut stmt = self.conn.prepare_cached(&QUEUE)?;
        let rows = stmt.query_map(rusqlite::params![reviewer, since], row)?;
        rows.map(|r| r?).collect()
    }
}

const RECEIVES: &str = "EXISTS (SELECT 1 FROM json_each(d.recipients) j
    WHERE j.value = $1 OR (j.value = '@parent' AND u.parent = $1))";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<WorkItem, StoreError>> {
    let record = super::decode::record(r, 7, 21)?;
    let id = r.get(19)?;
    let zone = r.get::<_, super::decode::Zone>(20)?.0;
    let chases = r.get(22)?;
    let (first, then): (Option<String>, Option<String>) = (r.get(23)?, r.get(24)?);
    Ok(WorkItem::new(
        (r.get(0)?, r.get(1)?),
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        (r.get(5)?, r.get(6)?),
        record,
        r.get(13)?,
        r.get(14)?,
        &r.get::<_, String>(15)?,
        r.get(16)?,
        r.get(17)?,
        &r.get::<_, String>(18)?,
    )
    .and_then(|item| {
        WorkItem {
            id,
            zone,
            chases,
            ..item
        }
        .with_levels(first, then.as_deref())
    }))
}
