//! PostgreSQL's reading of the obligations acted on after an instant (the shared part is in
//! `store::asof`).

use ::postgres::Client;
use ::postgres::fallible_iterator::FallibleIterator;

use crate::ledger::{ACTS_SQL, Past, Start};
use crate::store::StoreError;
use crate::store::asof::{Base, Overlay, Then};
use crate::store::scope::Scope;

/// The obligations of campaign `scope` acted on after `t`, narrowed by `conditions` on the
/// alias `x` (taking `names` from `$3`), as they stood at `t`; empty (one index probe) when
/// nothing was done after `t`.
pub(super) fn overlay(
    client: &mut Client,
    scope: &Scope,
    t: i64,
    conditions: &str,
    names: &[Vec<String>],
) -> Result<Overlay, StoreError> {
    // The latest event of any kind first: one step down the `events_at` index whatever the
    // statistics say (a table just imported has none), and in the live case the whole answer.
    let latest: Option<i64> = client.query_one("SELECT max(at) FROM events", &[])?.get(0);
    if latest.is_none_or(|latest| latest <= t) {
        return Ok(Overlay::new());
    }
    let later: bool = client
        .query_one(
            &format!("SELECT EXISTS (SELECT 1 FROM events WHERE at > $1 AND kind IN {ACTS_SQL})"),
            &[&t],
        )?
        .get(0);
    if !later {
        return Ok(Overlay::new());
    }
    let sql = format!(
        "SELECT x.id, x.unit_id, x.deliverable_id, x.period, x.due_date, x.due_at, d.soon_days,
                d.review IS NOT NULL
         FROM obligations x JOIN deliverables d ON d.id = x.deliverable_id
         WHERE x.campaign_id = $1 AND x.active
           AND x.id IN (SELECT obligation_id FROM events WHERE at > $2 AND kind IN {ACTS_SQL})
           {conditions}"
    );
    let params = super::queries::params(vec![Box::new(scope.id), Box::new(t)], names);
    let bases: Vec<(i64, Base, Start)> = client
        .query_raw(&sql, params.iter().map(|p| p.as_ref()))?
        .map(|r| {
            Ok((
                r.get(0),
                Base {
                    unit_id: r.get(1),
                    deliverable_id: r.get(2),
                    period: r.get(3),
                    due_date: r.get(4),
                },
                Start {
                    due_at: r.get(5),
                    soon_seconds: r.get::<_, i64>(6) * 86_400,
                    reviewed: r.get(7),
                    zone: scope.zone,
                },
            ))
        })
        .collect()?;
    let events = client.prepare(&format!(
        "SELECT kind, at, data FROM events WHERE obligation_id = $1 AND kind IN {ACTS_SQL} ORDER BY id"
    ))?;
    let mut out = Overlay::new();
    for (id, base, start) in bases {
        let rows = client.query(&events, &[&id])?;
        let history = rows
            .iter()
            .map(|e| Past::parse(e.get(0), e.get(1), e.get(2)));
        out.insert(id, Then::rebuild(base, start, history, t));
    }
    Ok(out)
}
