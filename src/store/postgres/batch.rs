//! Many actions in one transaction on PostgreSQL, in a handful of statements: a province's file
//! of 35,715 villages' figures (`submit --data`) was one action after another, each looking up
//! its campaign, report, unit and periods and writing its event, record and values in turn —
//! some twenty round trips an action, minutes in all. Here the names are looked up once for all
//! the actions, the obligations they name read (and locked, in the order of their ids, so that
//! two batches cannot wait on each other) in one statement, each action decided in order by the
//! [`ledger`](crate::ledger) as before, and what they record written in one statement per table.
//!
//! What a batch answers is what the actions one after another would have answered: the same
//! changes, and the first refusal in the actions' order, whether it is an unknown name or the
//! ledger's.

use std::collections::HashMap;

use ::postgres::Transaction;

use super::texts;
use crate::ledger::{ACTS, Action, Refusal, Update};
use crate::store::decode::{json, state, zone};
use crate::store::lifecycle::{
    Found, StoredFile, choose_period, label, owed_by, submitted_values, unknown_name,
};
use crate::store::{Change, Key, Meta, StoreError};
use crate::values::FieldValue;

/// A report as the actions need it.
struct Report {
    id: i64,
    recurring: bool,
    review: Option<String>,
    review_then: Option<String>,
    signers: Vec<String>,
    soon_days: i64,
}

/// A campaign's names: its zone, its reports, and the units the actions name.
struct Campaign {
    id: i64,
    zone: chrono_tz::Tz,
    reports: HashMap<String, Report>,
    /// Unit name → (id, its reviewer).
    units: HashMap<String, (i64, Option<String>)>,
}

/// The obligation an action names: report, unit, period.
type Target = (i64, i64, String);

/// Applies `actions` in order in `tx`, `files[i]` being action i's submitted files (read
/// beforehand), and returns each one's change, or the first refusal.
pub(super) fn apply(
    tx: &mut Transaction<'_>,
    actions: &[(Key<'_>, Action)],
    meta: &Meta,
    files: &[Vec<(StoredFile, Vec<u8>)>],
) -> Result<Vec<Change>, StoreError> {
    let campaigns = campaigns(tx, actions)?;
    let periods = periods(tx, actions, &campaigns)?;
    // Each action's obligation, or the error looking it up meets; an error is returned only
    // when its action's turn comes, so that an earlier action's refusal is the one told.
    let mut targets = Vec::with_capacity(actions.len());
    for (key, _) in actions {
        targets.push(target(tx, key, &campaigns, &periods)?);
    }
    let mut found = obligations(tx, actions, &targets, &campaigns)?;
    let mut written = Written::default();
    let mut changes = Vec::with_capacity(actions.len());
    for (((key, action), target), files) in actions.iter().zip(targets).zip(files) {
        let target = target?;
        // Its periods were read before it was locked: a sync in between may have removed it.
        let Some(mut now) = found.remove(&target) else {
            return Err(StoreError::Concurrent {
                doing: "recording".into(),
                changed: 1,
            });
        };
        now.label = label(key, &target.2);
        let effect = now.effect(action, meta.at)?;
        written.event(
            now.id,
            effect.event,
            effect.reason.clone(),
            effect.data.to_string(),
        );
        if let Update::Submitted { .. } = effect.update {
            written
                .files
                .extend(files.iter().map(|f| (written.events.len() - 1, f)));
        }
        let values = submitted_values(action);
        if !values.is_empty() {
            written.values.push((written.events.len() - 1, values));
        }
        let acted = ACTS.contains(&effect.event);
        now = now.after(&effect);
        if acted {
            now.last_act_at = Some(now.last_act_at.map_or(meta.at, |t| t.max(meta.at)));
        }
        changes.push(now.change(meta.at));
        written.touched.push(now.id);
        found.insert(target, now);
    }
    written.save(tx, meta, &found)?;
    Ok(changes)
}

/// The campaigns the actions name, each with its reports and the units named in it. A campaign
/// not found is left out (its actions are refused in turn).
fn campaigns(
    tx: &mut Transaction<'_>,
    actions: &[(Key<'_>, Action)],
) -> Result<HashMap<String, Campaign>, StoreError> {
    let mut named: HashMap<&str, Vec<&str>> = HashMap::new();
    for (key, _) in actions {
        named.entry(key.campaign).or_default().push(key.unit);
    }
    let mut out = HashMap::new();
    for (key, mut units) in named {
        let Some(r) = tx.query_opt("SELECT id, zone FROM campaigns WHERE key = $1", &[&key])?
        else {
            continue;
        };
        let id: i64 = r.get(0);
        let mut reports = HashMap::new();
        for r in tx.query(
            "SELECT name, id, recurring, review, signers, soon_days, review_then FROM deliverables
             WHERE campaign_id = $1",
            &[&id],
        )? {
            let report = Report {
                id: r.get(1),
                recurring: r.get(2),
                review: r.get(3),
                signers: json(r.get(4))?,
                soon_days: r.get(5),
                review_then: r.get(6),
            };
            reports.insert(r.get(0), report);
        }
        units.sort_unstable();
        units.dedup();
        let units = tx
            .query(
                "SELECT name, id, reviewer FROM units WHERE campaign_id = $1 AND name = ANY($2)",
                &[&id, &units],
            )?
            .iter()
            .map(|r| (r.get(0), (r.get(1), r.get(2))))
            .collect();
        out.insert(
            key.to_string(),
            Campaign {
                id,
                zone: zone(r.get(1))?,
                reports,
                units,
            },
        );
    }
    Ok(out)
}

/// Each (report, unit) the actions name → its periods, earliest deadline first.
fn periods(
    tx: &mut Transaction<'_>,
    actions: &[(Key<'_>, Action)],
    campaigns: &HashMap<String, Campaign>,
) -> Result<HashMap<(i64, i64), Vec<String>>, StoreError> {
    let mut units: HashMap<i64, Vec<i64>> = HashMap::new();
    for (key, _) in actions {
        let Some(c) = campaigns.get(key.campaign) else {
            continue;
        };
        if let (Some(r), Some((u, _))) = (c.reports.get(key.deliverable), c.units.get(key.unit)) {
            units.entry(r.id).or_default().push(*u);
        }
    }
    let mut out: HashMap<(i64, i64), Vec<String>> = HashMap::new();
    for (report, mut units) in units {
        units.sort_unstable();
        units.dedup();
        for r in tx.query(
            "SELECT unit_id, period FROM obligations
             WHERE deliverable_id = $1 AND unit_id = ANY($2) ORDER BY due_at, id",
            &[&report, &units],
        )? {
            out.entry((report, r.get(0))).or_default().push(r.get(1));
        }
    }
    Ok(out)
}

/// The obligation `key` names, or why none: the same refusals, with the same nearest names, as
/// one action looked up alone.
fn target(
    tx: &mut Transaction<'_>,
    key: &Key<'_>,
    campaigns: &HashMap<String, Campaign>,
    periods: &HashMap<(i64, i64), Vec<String>>,
) -> Result<Result<Target, StoreError>, StoreError> {
    let Some(campaign) = campaigns.get(key.campaign) else {
        let known = texts(tx, "SELECT key FROM campaigns", &[])?;
        return Ok(Err(unknown_name("campaign", key.campaign, &known).into()));
    };
    let Some(report) = campaign.reports.get(key.deliverable) else {
        let mut known: Vec<String> = campaign.reports.keys().cloned().collect();
        known.sort_by_key(|name| campaign.reports[name].id);
        return Ok(Err(
            unknown_name("deliverable", key.deliverable, &known).into()
        ));
    };
    let Some((unit, _)) = campaign.units.get(key.unit) else {
        let sql = "SELECT name FROM units WHERE campaign_id = $1";
        let known = texts(tx, sql, &[&campaign.id])?;
        return Ok(Err(unknown_name("unit", key.unit, &known).into()));
    };
    let Some(periods) = periods.get(&(report.id, *unit)) else {
        let owers = texts(
            tx,
            "SELECT u.name FROM units u WHERE u.id IN
                 (SELECT DISTINCT unit_id FROM obligations WHERE deliverable_id = $1)
             ORDER BY u.id LIMIT 6",
            &[&report.id],
        )?;
        return Ok(Err(Refusal::NotOwedBy {
            unit: key.unit.into(),
            deliverable: key.deliverable.into(),
            campaign: key.campaign.into(),
            owers: owed_by(&owers),
        }
        .into()));
    };
    Ok(match choose_period(key, report.recurring, periods) {
        Ok(period) => Ok((report.id, *unit, period.to_string())),
        Err(refusal) => Err(refusal.into()),
    })
}

/// The obligations the targets name, read and locked in one statement.
fn obligations(
    tx: &mut Transaction<'_>,
    actions: &[(Key<'_>, Action)],
    targets: &[Result<Target, StoreError>],
    campaigns: &HashMap<String, Campaign>,
) -> Result<HashMap<Target, Found>, StoreError> {
    let mut named: HashMap<&Target, &Key<'_>> = HashMap::new();
    for ((key, _), target) in actions.iter().zip(targets) {
        if let Ok(target) = target {
            named.entry(target).or_insert(key);
        }
    }
    let (mut reports, mut units, mut periods) = (Vec::new(), Vec::new(), Vec::new());
    for (report, unit, period) in named.keys() {
        reports.push(*report);
        units.push(*unit);
        periods.push(period.as_str());
    }
    let rows = tx.query(
        &format!(
            "SELECT o.id, o.deliverable_id, o.unit_id, o.period, o.state, d.due_at,
                    {effective}, d.due_date, o.extended_until, o.submitted_at,
                    o.closed_at, o.active,
                    (SELECT max(at) FROM events e WHERE e.obligation_id = o.id
                        AND e.kind IN {acts}),
                    o.review_due_at, o.review_level
             FROM obligation_rows o
             JOIN unnest($1::bigint[], $2::bigint[], $3::text[]) AS k (d, u, p)
               ON o.deliverable_id = k.d AND o.unit_id = k.u AND o.period = k.p
             JOIN deadlines d ON d.id = o.deadline_id
             ORDER BY o.id FOR UPDATE OF o",
            effective = crate::store::deadlines::POSTGRES.effective,
            acts = crate::ledger::ACTS_SQL
        ),
        &[&reports, &units, &periods],
    )?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in rows {
        let target: Target = (r.get(1), r.get(2), r.get(3));
        let key = named[&target];
        let campaign = &campaigns[key.campaign];
        let report = &campaign.reports[key.deliverable];
        let found = Found {
            id: r.get(0),
            label: label(key, &target.2),
            zone: campaign.zone,
            state: state(r.get(4))?,
            due_at: r.get(5),
            effective_due_at: r.get(6),
            due_date: r.get(7),
            extended_until: r.get(8),
            submitted_at: r.get(9),
            closed_at: r.get(10),
            active: r.get(11),
            review: report.review.clone(),
            reviewer: campaign.units[key.unit].1.clone(),
            review_then: report.review_then.clone(),
            review_level: r.get(14),
            signers: report.signers.clone(),
            soon_days: report.soon_days,
            last_act_at: r.get(12),
            review_due: r.get(13),
        };
        out.insert(target, found);
    }
    Ok(out)
}

/// What a batch writes, gathered while its actions are decided.
#[derive(Default)]
struct Written<'a> {
    /// Each event: obligation, kind, reason, data.
    events: Vec<(i64, String, Option<String>, String)>,
    /// A submitted file and the event (by its place in `events`) it came with.
    files: Vec<(usize, &'a (StoredFile, Vec<u8>))>,
    /// A submission's values and its event (by place).
    values: Vec<(usize, &'a [FieldValue])>,
    /// The obligations acted on, in order (with repeats).
    touched: Vec<i64>,
}

impl<'a> Written<'a> {
    fn event(&mut self, obligation: i64, kind: &str, reason: Option<String>, data: String) {
        self.events
            .push((obligation, kind.to_string(), reason, data));
    }

    /// Writes the events (their ids in the actions' order), the files, the obligations as
    /// they ended and the values that now count for them.
    fn save(
        self,
        tx: &mut Transaction<'_>,
        meta: &Meta,
        found: &HashMap<Target, Found>,
    ) -> Result<(), StoreError> {
        if self.events.is_empty() {
            return Ok(());
        }
        // Ids taken first, so that each event's is known without reading it back, and the
        // history keeps the actions' order.
        let mut ids: Vec<i64> = tx
            .query(
                "SELECT nextval(pg_get_serial_sequence('events', 'id'))
                 FROM generate_series(1, $1::bigint)",
                &[&(self.events.len() as i64)],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        ids.sort_unstable();
        let obligations: Vec<i64> = self.events.iter().map(|e| e.0).collect();
        let kinds: Vec<&str> = self.events.iter().map(|e| e.1.as_str()).collect();
        let reasons: Vec<Option<&str>> = self.events.iter().map(|e| e.2.as_deref()).collect();
        let data: Vec<&str> = self.events.iter().map(|e| e.3.as_str()).collect();
        tx.execute(
            "INSERT INTO events (id, obligation_id, kind, at, recorded_at, actor, reason, note, data)
             SELECT x.id, x.obligation, x.kind, $5, $6, $7, x.reason, $8, x.data
             FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $9::text[])
                  AS x (id, obligation, kind, reason, data)",
            &[
                &ids,
                &obligations,
                &kinds,
                &reasons,
                &meta.at,
                &meta.recorded_at,
                &meta.by,
                &meta.note,
                &data,
            ],
        )?;
        for (event, (file, content)) in &self.files {
            tx.execute(
                "INSERT INTO blobs (sha256, size, content) VALUES ($1, $2, $3)
                 ON CONFLICT (sha256) DO NOTHING",
                &[&file.sha256, &file.size, content],
            )?;
            tx.execute(
                "INSERT INTO files (event_id, name, sha256, size) VALUES ($1, $2, $3, $4)",
                &[&ids[*event], &file.name, &file.sha256, &file.size],
            )?;
        }
        // The values that count for an obligation are its latest submission's.
        let mut counted: HashMap<i64, i64> = HashMap::new();
        let mut rows = ValueRows::default();
        for (event, values) in &self.values {
            let obligation = self.events[*event].0;
            counted.insert(obligation, ids[*event]);
            rows.push(ids[*event], obligation, values);
        }
        rows.write(tx)?;
        let mut touched = self.touched;
        touched.sort_unstable();
        touched.dedup();
        let by_id: HashMap<i64, &Found> = found.values().map(|f| (f.id, f)).collect();
        let ended: Vec<&Found> = touched.iter().map(|id| by_id[id]).collect();
        let states: Vec<&str> = ended.iter().map(|f| f.state.as_str()).collect();
        let submitted: Vec<Option<i64>> = ended.iter().map(|f| f.submitted_at).collect();
        let closed: Vec<Option<i64>> = ended.iter().map(|f| f.closed_at).collect();
        let review_due: Vec<Option<i64>> = ended.iter().map(|f| f.review_due).collect();
        let levels: Vec<i64> = ended.iter().map(|f| f.review_level).collect();
        let reviewing: Vec<Option<String>> = ended.iter().map(|f| f.reviewing_later()).collect();
        let extended: Vec<Option<&str>> =
            ended.iter().map(|f| f.extended_until.as_deref()).collect();
        let effective: Vec<i64> = ended.iter().map(|f| f.effective_due_at).collect();
        let values: Vec<Option<i64>> = touched.iter().map(|id| counted.get(id).copied()).collect();
        tx.execute(
            "UPDATE obligation_rows o SET state = x.state, submitted_at = x.submitted,
                 closed_at = x.closed, review_due_at = x.review_due,
                 extended_until = x.extended,
                 extended_due_at = CASE WHEN x.extended IS NOT NULL THEN x.effective END,
                 values_event = coalesce(x.values_event, o.values_event),
                 review_level = x.level, reviewing = x.reviewing
             FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[],
                         $6::text[], $7::bigint[], $8::bigint[], $9::bigint[], $10::text[])
                  AS x (id, state, submitted, closed, review_due, extended, effective, values_event,
                        level, reviewing)
             WHERE o.id = x.id",
            &[
                &touched,
                &states,
                &submitted,
                &closed,
                &review_due,
                &extended,
                &effective,
                &values,
                &levels,
                &reviewing,
            ],
        )?;
        Ok(())
    }
}

/// Rows of `field_values`, a column each, for one statement.
#[derive(Default)]
struct ValueRows<'a> {
    events: Vec<i64>,
    obligations: Vec<i64>,
    fields: Vec<&'a str>,
    positions: Vec<i64>,
    numbers: Vec<Option<f64>>,
    texts: Vec<Option<&'a str>>,
    shared: Vec<Option<&'a str>>,
    reused: Vec<Option<i64>>,
}

impl<'a> ValueRows<'a> {
    /// A submission's values, in the form's order.
    fn push(&mut self, event: i64, obligation: i64, values: &'a [FieldValue]) {
        for (position, v) in values.iter().enumerate() {
            self.events.push(event);
            self.obligations.push(obligation);
            self.fields.push(v.field.as_str());
            self.positions.push(position as i64);
            self.numbers.push(v.number);
            self.texts.push(v.text.as_deref());
            self.shared.push(v.shared.as_deref());
            self.reused.push(v.reused_from);
        }
    }

    fn write(self, tx: &mut Transaction<'_>) -> Result<(), StoreError> {
        if self.events.is_empty() {
            return Ok(());
        }
        tx.execute(
            "INSERT INTO field_values
                 (event_id, obligation_id, field, position, number, text, shared, reused_from)
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[],
                                  $5::float8[], $6::text[], $7::text[], $8::bigint[])",
            &[
                &self.events,
                &self.obligations,
                &self.fields,
                &self.positions,
                &self.numbers,
                &self.texts,
                &self.shared,
                &self.reused,
            ],
        )?;
        Ok(())
    }
}
