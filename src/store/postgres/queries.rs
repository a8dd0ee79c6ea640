//! The [`Queries`] on PostgreSQL, with the same answers as on SQLite: the rows are read from the
//! owed-obligations index, and the units and deliverables they name are read once per campaign
//! and shared between rows; a unit's work and a reviewer's queue run the statements of
//! `store::worklist`.

use crate::store::deadlines::{POSTGRES, owed_between, owed_by};
use crate::store::worklist::{PAGE_SQL, SUB_UNITS, UNIT_SQL, queue_sql};
use crate::store::{Overlay, Queries, WorkItem};
use std::collections::HashMap;
use std::sync::Arc;

use ::postgres::fallible_iterator::FallibleIterator;
use ::postgres::types::ToSql;
use ::postgres::{Client, GenericClient};

use super::asof::overlay;
use super::{PgStore, texts};
use crate::clock::{Instant, from_unix};
use crate::store::asof::{Owing, Then, due_key, overdue_order};
use crate::store::decode::{json, state, zone};
use crate::store::query::{Tally, standing};
use crate::store::scope::{Scope, check_known, in_filter};
use crate::store::shared::{Owed, Shared, SharedDeliverable, unit_from};
use crate::store::{DueRow, Filter, OverdueRow, StandingDuty, StatusRow, StoreError, Window};

/// Parameters of a query, numbered from `$1`.
type Params = Vec<Box<dyn ToSql + Sync>>;

/// The campaigns a query covers, its conditions, and the name lists they take.
type Selection = (Vec<Scope>, String, Vec<Vec<String>>);

impl Queries for PgStore {
    /// Hands every obligation overdue at `as_of` to `visit`, one at a time, as they stream from
    /// the server: by unit then deadline, or with `by_deliverable` by deliverable, period, unit.
    fn overdue_each(
        &self,
        filter: &Filter,
        as_of: Instant,
        by_deliverable: bool,
        visit: &mut dyn FnMut(OverdueRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.run(|client| {
            let (scopes, conditions, names) = select(client, filter, "x", 3)?;
            let order = if by_deliverable {
                "x.deliverable_id, x.period, x.effective_due_at, x.unit_id"
            } else {
                "x.unit_id, x.effective_due_at, x.deliverable_id, x.period"
            };
            let columns = "unit_id, deliverable_id, period, due_date, extended_until, state, effective_due_at, id";
            // Owed now: the deadlines passed, then the obligations owed under each.
            let owed = owed_by(POSTGRES, "$1", "$2");
            let sql = format!(
                "SELECT x.unit_id, x.deliverable_id, x.period, coalesce(x.extended_until, x.due_date), x.state,
                        x.effective_due_at, x.id
                 FROM (SELECT {columns} FROM ({owed}) owed
                       UNION ALL
                       SELECT {columns} FROM obligations
                           WHERE closed_at > $1 AND active AND effective_due_at <= $1 AND campaign_id = $2) x
                 WHERE TRUE {conditions}
                 ORDER BY {order}"
            );
            for scope in scopes {
                let t = as_of.in_zone(scope.zone).timestamp();
                let today = from_unix(t).with_timezone(&scope.zone).date_naive();
                let mut shared = preloaded(client, scope.id, true)?;
                let campaign: Arc<str> = scope.key.as_str().into();
                let overlay = overlay(client, &scope, t, &conditions, &names)?;
                let params = params(vec![Box::new(t), Box::new(scope.id)], &names);
                let mut rows = client.query_raw(&sql, params.iter().map(|p| p.as_ref()))?;
                if overlay.is_empty() {
                    while let Some(r) = rows.next()? {
                        let unit = shared.known_unit(r.get(0))?;
                        let deliverable = shared.known_deliverable(r.get(1))?.name;
                        let owed = Owed {
                            period: r.get(2),
                            due_date: r.get(3),
                            state: r.get(4),
                            late_at: r.get(5),
                        };
                        let row = shared
                            .overdue_row(&campaign, unit, deliverable, &owed, scope.zone, today);
                        visit(row)?;
                    }
                    continue;
                }
                // Something was done after `as_of`: those obligations as they stood then, in
                // order among the rest.
                let mut all = Vec::new();
                while let Some(r) = rows.next()? {
                    if !overlay.contains_key(&r.get::<_, i64>(6)) {
                        all.push(Owing {
                            unit_id: r.get(0),
                            deliverable_id: r.get(1),
                            period: r.get(2),
                            due_date: r.get(3),
                            state: state(r.get(4))?,
                            due_at: 0,
                            late_at: r.get(5),
                        });
                    }
                }
                all.extend(overlay.values().filter(|o| o.overdue_at(t)).map(Then::owing));
                overdue_order(&mut all, by_deliverable);
                for o in all {
                    let unit = shared.known_unit(o.unit_id)?;
                    let deliverable = shared.known_deliverable(o.deliverable_id)?.name;
                    visit(shared.overdue_row(&campaign, unit, deliverable, &o.owed(), scope.zone, today))?;
                }
            }
            Ok(())
        })
    }

    /// What falls due after `as_of` and within `window`, by deadline.
    fn due_within(
        &self,
        filter: &Filter,
        as_of: Instant,
        window: Window,
    ) -> Result<Vec<DueRow>, StoreError> {
        self.run(|client| {
            let (scopes, conditions, names) = select(client, filter, "x", 4)?;
            let (_, later, later_names) = select(client, filter, "x", 3)?;
            let columns = "unit_id, deliverable_id, period, due_date, extended_until, state, effective_due_at, due_at, id";
            let owed = owed_between(POSTGRES, ("$1", false), "$1 + $3", Some("$2"));
            let sql = format!(
                "SELECT x.unit_id, x.deliverable_id, x.period, coalesce(x.extended_until, x.due_date),
                        x.state, x.due_at, x.effective_due_at, x.id, u.name
                 FROM (SELECT {columns} FROM ({owed}) owed
                       UNION ALL
                       SELECT {columns} FROM obligations WHERE closed_at > $1 AND active
                           AND effective_due_at > $1 AND effective_due_at <= $1 + $3 AND campaign_id = $2) x
                 JOIN units u ON u.id = x.unit_id
                 WHERE TRUE {conditions}
                 ORDER BY x.effective_due_at, x.deliverable_id, x.unit_id, x.period"
            );
            let mut out = Vec::new();
            for scope in scopes {
                let t = as_of.in_zone(scope.zone).timestamp();
                let today = from_unix(t).with_timezone(&scope.zone).date_naive();
                let within = window.seconds_after(t, today, scope.zone);
                // Rows due soon are mostly of different units: their names come with the rows.
                let mut shared = preloaded(client, scope.id, false)?;
                let campaign: Arc<str> = scope.key.as_str().into();
                let overlay = overlay(client, &scope, t, &later, &later_names)?;
                let params = params(
                    vec![Box::new(t), Box::new(scope.id), Box::new(within)],
                    &names,
                );
                let mut push = |shared: &mut Shared, unit: Arc<str>, o: &Owing| {
                    let deliverable = shared.known_deliverable(o.deliverable_id)?;
                    out.push(shared.due_row(&campaign, unit, deliverable, o, scope.zone, today, t));
                    Ok::<_, StoreError>(())
                };
                let mut later_rows = Vec::new();
                let mut rows = client.query_raw(&sql, params.iter().map(|p| p.as_ref()))?;
                while let Some(r) = rows.next()? {
                    if overlay.contains_key(&r.get::<_, i64>(7)) {
                        continue;
                    }
                    let owing = Owing {
                        unit_id: r.get(0),
                        deliverable_id: r.get(1),
                        period: r.get(2),
                        due_date: r.get(3),
                        state: state(r.get(4))?,
                        due_at: r.get(5),
                        late_at: r.get(6),
                    };
                    let unit: Arc<str> = r.get::<_, &str>(8).into();
                    if overlay.is_empty() {
                        push(&mut shared, unit, &owing)?;
                    } else {
                        later_rows.push((unit, owing));
                    }
                }
                drop(rows);
                if !overlay.is_empty() {
                    // Something was done after `as_of`: those obligations as they stood then,
                    // in order among the rest.
                    for then in overlay.values().filter(|o| o.due_between(t, t + within)) {
                        let name: String = client
                            .query_one("SELECT name FROM units WHERE id = $1", &[&then.unit_id])?
                            .get(0);
                        later_rows.push((name.into(), then.owing()));
                    }
                    later_rows.sort_by(|(_, a), (_, b)| due_key(a).cmp(&due_key(b)));
                    for (unit, owing) in later_rows {
                        push(&mut shared, unit, &owing)?;
                    }
                }
            }
            Ok(out)
        })
    }

    /// Per unit and deliverable: counts and a light.
    fn status(&self, filter: &Filter, as_of: Instant) -> Result<Vec<StatusRow>, StoreError> {
        self.run(|client| {
            let (scopes, conditions, names) = select(client, filter, "o", 2)?;
            let (_, later, later_names) = select(client, filter, "x", 3)?;
            let sql = format!(
                "SELECT u.name, d.name, o.state, o.submitted_at, o.closed_at, o.due_at, o.effective_due_at, d.soon_days,
                        o.id, o.review_due_at,
                        coalesce(o.reviewing,
                            CASE WHEN d.review = 'reviewer' THEN u.reviewer ELSE substr(d.review, 6) END)
                 FROM obligations o
                 JOIN deliverables d ON d.id = o.deliverable_id
                 JOIN units u ON u.id = o.unit_id
                 WHERE o.campaign_id = $1 AND o.active {conditions}
                 ORDER BY u.id, d.id"
            );
            let mut out = Vec::new();
            for scope in scopes {
                let t = as_of.in_zone(scope.zone).timestamp();
                let overlay = overlay(client, &scope, t, &later, &later_names)?;
                let params = params(vec![Box::new(scope.id)], &names);
                let mut rows = client.query_raw(&sql, params.iter().map(|p| p.as_ref()))?;
                let mut tally = Tally::new(&mut out, &scope.key);
                while let Some(r) = rows.next()? {
                    let then = overlay.get(&r.get::<_, i64>(8));
                    let record = match then {
                        Some(then) => then.record,
                        None => super::record(&r, 2, 9)?,
                    };
                    // A review in levels: the reviewer deciding then, not now.
                    let reviewer = then
                        .and_then(|t| t.reviewing.clone())
                        .or_else(|| r.get(10));
                    tally.add((r.get(0), r.get(1)), reviewer, &record, t);
                }
            }
            Ok(out)
        })
    }

    /// The duties without a date.
    fn standing_duties(&self, filter: &Filter) -> Result<Vec<StandingDuty>, StoreError> {
        self.run(|client| {
            let (scopes, _, _) = select(client, filter, "o", 1)?;
            let mut out = Vec::new();
            for scope in scopes {
                for r in client.query(
                    "SELECT name, title, standing FROM deliverables
                     WHERE campaign_id = $1 AND standing IS NOT NULL ORDER BY id",
                    &[&scope.id],
                )? {
                    let units = json(r.get(2))?;
                    out.extend(standing(filter, &scope.key, r.get(0), r.get(1), units));
                }
            }
            Ok(out)
        })
    }

    /// The obligations of campaign `campaign_id` acted on after `as_of`, as they stood then.
    fn acted_after(
        &self,
        campaign_id: i64,
        as_of: crate::clock::Instant,
    ) -> Result<Overlay, StoreError> {
        self.run(|client| {
            let scopes = super::queries::scopes(client, &crate::store::Filter::default())?;
            let Some(scope) = scopes.into_iter().find(|s| s.id == campaign_id) else {
                return Ok(Overlay::new());
            };
            let t = as_of.in_zone(scope.zone).timestamp();
            overlay(client, &scope, t, "", &[])
        })
    }

    /// Every obligation of the unit `unit`, in any campaign, by campaign and deadline.
    fn unit_work(&self, unit: &str) -> Result<Vec<WorkItem>, StoreError> {
        self.run(|client| {
            let rows = client.query(UNIT_SQL.as_str(), &[&unit])?;
            rows.iter().map(item).collect()
        })
    }

    /// A page of the campaign's obligations after row `after`, in row order.
    fn campaign_work(
        &self,
        campaign_id: i64,
        after: i64,
        limit: usize,
    ) -> Result<Vec<WorkItem>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(|client| {
            let rows = client.query(PAGE_SQL.as_str(), &[&campaign_id, &after, &limit])?;
            rows.iter().map(item).collect()
        })
    }

    /// The units directly under the unit named `unit`, in any campaign.
    fn sub_units(&self, unit: &str) -> Result<Vec<(String, String)>, StoreError> {
        self.run(|client| {
            Ok(client
                .query(SUB_UNITS, &[&unit])?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect())
        })
    }

    /// What awaits the reviewing unit `reviewer`'s decision, newest first; received
    /// submissions since `since` (unix seconds).
    fn review_queue(&self, reviewer: &str, since: i64) -> Result<Vec<WorkItem>, StoreError> {
        self.run(|client| {
            static QUEUE: std::sync::LazyLock<String> =
                std::sync::LazyLock::new(|| queue_sql(RECEIVES));
            let rows = client.query(QUEUE.as_str(), &[&reviewer, &since])?;
            rows.iter().map(item).collect()
        })
    }
}

/// The campaigns a filter covers; an unknown one is refused with the nearest name.
pub(in crate::store) fn scopes(
    client: &mut impl GenericClient,
    filter: &Filter,
) -> Result<Vec<Scope>, StoreError> {
    let all = client
        .query("SELECT id, key, zone FROM campaigns ORDER BY id", &[])?
        .iter()
        .map(|r| {
            Ok(Scope {
                id: r.get(0),
                key: r.get(1),
                zone: zone(r.get(2))?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    in_filter(filter, all)
}

/// The campaigns a filter covers, and conditions narrowing the obligations named `row` to its
/// units and deliverables, with the name lists they take (as parameters from `$first`).
fn select(
    client: &mut Client,
    filter: &Filter,
    row: &str,
    first: usize,
) -> Result<Selection, StoreError> {
    let scopes = scopes(client, filter)?;
    let ids: Vec<i64> = scopes.iter().map(|s| s.id).collect();
    let mut conditions = String::new();
    let mut names = Vec::new();
    for (wanted, table, column) in [
        (&filter.units, "units", "unit_id"),
        (&filter.deliverables, "deliverables", "deliverable_id"),
    ] {
        if wanted.is_empty() {
            continue;
        }
        let known = texts(
            client,
            &format!("SELECT name FROM {table} WHERE campaign_id = ANY($1)"),
            &[&ids],
        )?;
        check_known(table, wanted, &known)?;
        let n = first + names.len();
        conditions.push_str(&format!(
            " AND {row}.{column} IN (SELECT id FROM {table} WHERE name = ANY(${n}))"
        ));
        names.push(wanted.clone());
    }
    conditions.push_str(&crate::store::scope::due_between(filter, row));
    Ok((scopes, conditions, names))
}

/// `leading` parameters, then each name list.
pub(super) fn params(mut leading: Params, names: &[Vec<String>]) -> Params {
    leading.extend(
        names
            .iter()
            .map(|n| Box::new(n.clone()) as Box<dyn ToSql + Sync>),
    );
    leading
}

/// What a listing's rows share, with every deliverable of the campaign (and every unit, with
/// `units`) read once.
fn preloaded(client: &mut Client, campaign_id: i64, units: bool) -> Result<Shared, StoreError> {
    let mut all = HashMap::new();
    if units {
        let sql = "SELECT id, name, email, phone, contacts FROM units WHERE campaign_id = $1";
        for r in client.query(sql, &[&campaign_id])? {
            all.insert(r.get(0), unit_from(r.get(1), r.get(2), r.get(3), r.get(4))?);
        }
    }
    let mut deliverables = HashMap::new();
    for r in client.query(
        "SELECT id, name, soon_days FROM deliverables WHERE campaign_id = $1",
        &[&campaign_id],
    )? {
        let name: &str = r.get(1);
        let deliverable = SharedDeliverable {
            name: name.into(),
            soon_days: r.get(2),
        };
        deliverables.insert(r.get(0), deliverable);
    }
    Ok(Shared::preloaded(campaign_id, all, deliverables))
}

const RECEIVES: &str = "jsonb_exists(d.recipients::jsonb, $1)
    OR (jsonb_exists(d.recipients::jsonb, '@parent') AND u.parent = $1)";

fn item(r: &::postgres::Row) -> Result<WorkItem, StoreError> {
    let record = super::record(r, 7, 21)?;
    let zone = crate::store::decode::zone(r.get(20))?;
    WorkItem::new(
        (r.get(0), r.get(1)),
        r.get(2),
        r.get(3),
        r.get(4),
        (r.get(5), r.get(6)),
        record,
        r.get(13),
        r.get(14),
        r.get::<_, &str>(15),
        r.get(16),
        r.get(17),
        r.get::<_, &str>(18),
    )
    .and_then(|item| {
        WorkItem {
            id: r.get(19),
            zone,
            chases: r.get(22),
            ..item
        }
        .with_levels(r.get(23), r.get(24))
    })
}
