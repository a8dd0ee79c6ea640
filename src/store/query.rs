//! Questions staff ask of the store, each at an instant: what is overdue, what falls due soon,
//! how each unit stands (三色管理), and what happened to one obligation.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use chrono_tz::Tz;
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

use super::decode::{Json, Zone};
use super::lifecycle::{Key, find};
use super::{Interner, Store, StoreError, text};
use crate::clock::{Instant, from_unix};
use crate::language::campaign::Contact;
use crate::language::suggest;
use crate::ledger::{Record, Status};

/// How far ahead `due_within` looks.
#[derive(Clone, Copy, Debug)]
pub enum Window {
    /// Through the end of the N-th local day after the as-of day (so `3` on the 23rd covers
    /// deadlines on the 23rd to the 26th).
    Days(i64),
    /// N seconds after the as-of instant.
    Seconds(i64),
}

/// Which campaigns, units and deliverables a query covers (empty: all).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Campaign identifiers.
    pub campaigns: Vec<String>,
    /// Unit names.
    pub units: Vec<String>,
    /// Deliverable names.
    pub deliverables: Vec<String>,
}

/// An overdue obligation.
#[derive(Clone, Debug, Serialize)]
///
/// Names, dates and contacts are shared between the rows that repeat them: a listing of a
/// hundred thousand rows allocates per unit and per deadline, not per row.
pub struct OverdueRow {
    /// Campaign identifier.
    pub campaign: Arc<str>,
    /// Deliverable name.
    pub deliverable: Arc<str>,
    /// Unit name.
    pub unit: Arc<str>,
    /// Period, or null for a one-off.
    pub period: Option<Arc<str>>,
    /// The due date in force (after any extension), as units were told it.
    pub due_date: Arc<str>,
    /// The instant it became late: the end of its last on-time day (RFC 3339, campaign zone).
    pub due_at: Arc<str>,
    /// Whole days since its last on-time day, counted in the campaign's zone.
    pub days_overdue: i64,
    /// `overdue`, or `returned` when a submission was sent back.
    pub status: &'static str,
    /// The unit's mailbox.
    pub email: Option<Arc<str>>,
    /// The unit's phone.
    pub phone: Option<Arc<str>>,
    /// The unit's contact people.
    pub contacts: Arc<[Contact]>,
}

/// An obligation falling due soon.
#[derive(Clone, Debug, Serialize)]
pub struct DueRow {
    /// Campaign identifier.
    pub campaign: Arc<str>,
    /// Deliverable name.
    pub deliverable: Arc<str>,
    /// Unit name.
    pub unit: Arc<str>,
    /// Period, or null for a one-off.
    pub period: Option<Arc<str>>,
    /// The due date in force, as units were told it.
    pub due_date: Arc<str>,
    /// The instant it becomes late: the end of its last on-time day (RFC 3339, campaign zone).
    pub due_at: Arc<str>,
    /// Whole days left, counted in the campaign's zone (0: due today).
    pub days_left: i64,
    /// Its status (due soon, extended, returned, not yet due).
    pub status: String,
}

/// How one unit stands with one deliverable.
#[derive(Clone, Debug, Serialize)]
pub struct StatusRow {
    /// Campaign identifier.
    pub campaign: String,
    /// Unit name.
    pub unit: String,
    /// Deliverable name.
    pub deliverable: String,
    /// Obligations whose deadline has passed, or that were dealt with.
    pub due: usize,
    /// Submitted on time.
    pub on_time: usize,
    /// Submitted late.
    pub late: usize,
    /// Waiting for review.
    pub under_review: usize,
    /// Waived.
    pub waived: usize,
    /// Overdue now.
    pub overdue: usize,
    /// Due within the reminder window.
    pub due_soon: usize,
    /// Still to come.
    pub upcoming: usize,
    /// red (overdue), yellow (due soon) or green (on track).
    pub light: Light,
}

/// 三色管理: red overdue, yellow due soon, green on track.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    /// Something is overdue.
    Red,
    /// Something falls due soon.
    Yellow,
    /// On track.
    Green,
}

/// An event in an obligation's history.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryEvent {
    /// What happened.
    pub kind: String,
    /// When it happened (RFC 3339 in the campaign's zone).
    pub at: String,
    /// When it was recorded.
    pub recorded_at: String,
    /// Who did it.
    pub by: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// Details (signatures, the new deadline …).
    pub data: serde_json::Value,
    /// Files kept with it.
    pub files: Vec<HistoryFile>,
}

/// A file kept with a submission.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryFile {
    /// Its name when submitted.
    pub name: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size in bytes.
    pub size: i64,
}

/// A duty without a date (随时报告): listed, never overdue.
#[derive(Clone, Debug, Serialize)]
pub struct StandingDuty {
    /// Campaign identifier.
    pub campaign: String,
    /// Deliverable name.
    pub deliverable: String,
    /// Its title, if the campaign gives one.
    pub title: Option<String>,
    /// The units that owe it.
    pub units: Vec<String>,
}

/// A campaign the query covers, with its zone.
struct Scope {
    id: i64,
    key: String,
    zone: Tz,
}

impl Store {
    /// The duties without a date of the campaigns in scope, in declaration order.
    pub fn standing_duties(&self, filter: &Filter) -> Result<Vec<StandingDuty>, StoreError> {
        let (scopes, _, _) = self.select(filter, "o")?;
        let mut out = Vec::new();
        for scope in scopes {
            let mut stmt = self.conn.prepare_cached(
                "SELECT name, title, standing FROM deliverables
                 WHERE campaign_id = ?1 AND standing IS NOT NULL ORDER BY id",
            )?;
            let mut rows = stmt.query([scope.id])?;
            while let Some(r) = rows.next()? {
                let deliverable: String = r.get(0)?;
                let units: Vec<String> = r.get::<_, Json<_>>(2)?.0;
                let units: Vec<String> = units
                    .into_iter()
                    .filter(|u| filter.units.is_empty() || filter.units.contains(u))
                    .collect();
                let wanted =
                    filter.deliverables.is_empty() || filter.deliverables.contains(&deliverable);
                if wanted && !units.is_empty() {
                    out.push(StandingDuty {
                        campaign: scope.key.clone(),
                        deliverable,
                        title: r.get(1)?,
                        units,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Every obligation overdue at `as_of`, ordered by unit, then deadline.
    pub fn overdue(&self, filter: &Filter, as_of: Instant) -> Result<Vec<OverdueRow>, StoreError> {
        let mut out = Vec::new();
        self.overdue_each(filter, as_of, false, |row| {
            out.push(row);
            Ok(())
        })?;
        Ok(out)
    }

    /// Hands every obligation overdue at `as_of` to `visit`, one at a time (the rows are not
    /// gathered): by unit then deadline, or with `by_deliverable` by deliverable, period, unit.
    pub fn overdue_each(
        &self,
        filter: &Filter,
        as_of: Instant,
        by_deliverable: bool,
        mut visit: impl FnMut(OverdueRow) -> Result<(), StoreError>,
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
            // Two index range scans: owed now (read from the covering index alone), and dealt
            // with only after `as_of`. Names and contacts are added from `Shared` rather than
            // joined, so that the sorter carries narrow rows.
            let columns = "unit_id, deliverable_id, period, due_date, extended_until, state, effective_due_at";
            let sql = format!(
                "SELECT x.unit_id, x.deliverable_id, x.period, coalesce(x.extended_until, x.due_date), x.state,
                        x.effective_due_at
                 FROM (SELECT {columns} FROM obligations INDEXED BY obligations_owed
                           WHERE closed_at IS NULL AND active = 1 AND campaign_id = ?2 AND effective_due_at <= ?1
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
            let mut rows = stmt.query(params_from_iter(params))?;
            while let Some(r) = rows.next()? {
                let unit = shared.unit(&self.conn, r.get(0)?)?;
                let (due_date, _) = shared.deadline(text(r, 3)?, today);
                // Late since the end of its last on-time day, which a holiday may put after
                // the due date units were told.
                let late_at = r.get(5)?;
                let days_overdue = shared.days_late(late_at, scope.zone, today);
                visit(OverdueRow {
                    due_at: shared.instant(late_at, scope.zone),
                    campaign: campaign.clone(),
                    deliverable: shared.deliverable(&self.conn, r.get(1)?)?.name,
                    unit: unit.name,
                    period: shared.period(text(r, 2)?),
                    days_overdue,
                    due_date,
                    status: if text(r, 4)? == "returned" {
                        "returned"
                    } else {
                        "overdue"
                    },
                    email: unit.email,
                    phone: unit.phone,
                    contacts: unit.contacts,
                })?;
            }
        }
        Ok(())
    }

    /// Every obligation still owed whose deadline falls after `as_of` and within the window,
    /// ordered by deadline.
    pub fn due_within(
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
            let within = match window {
                Window::Seconds(s) => s,
                Window::Days(n) => {
                    let last = today
                        .checked_add_days(chrono::Days::new(n.max(0) as u64))
                        .unwrap_or(chrono::NaiveDate::MAX);
                    crate::schedule::obligation::end_of_day(scope.zone, last).timestamp() - t
                }
            };
            let columns = "unit_id, deliverable_id, period, due_date, extended_until, state, effective_due_at, due_at";
            let sql = format!(
                "SELECT u.name, x.deliverable_id, x.period, coalesce(x.extended_until, x.due_date),
                        x.state, x.due_at, x.effective_due_at
                 FROM (SELECT {columns} FROM obligations INDEXED BY obligations_owed
                           WHERE closed_at IS NULL AND active = 1 AND campaign_id = ?2
                           AND effective_due_at > ?1 AND effective_due_at <= ?1 + ?3
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
            let mut rows = stmt.query(params_from_iter(params))?;
            while let Some(r) = rows.next()? {
                let deliverable = shared.deliverable(&self.conn, r.get(1)?)?;
                let record = Record {
                    state: r.get(4)?,
                    submitted_at: None,
                    closed_at: None,
                    due_at: r.get(5)?,
                    effective_due_at: r.get(6)?,
                    soon_seconds: deliverable.soon_days * 86_400,
                };
                let (due_date, days_overdue) = shared.deadline(text(r, 3)?, today);
                out.push(DueRow {
                    due_at: shared.instant(record.effective_due_at, scope.zone),
                    campaign: campaign.clone(),
                    deliverable: deliverable.name,
                    unit: text(r, 0)?.into(),
                    period: shared.period(text(r, 2)?),
                    days_left: -days_overdue,
                    due_date,
                    status: record.status_at(t).to_string(),
                });
            }
        }
        Ok(out)
    }

    /// How each unit stands with each deliverable at `as_of`.
    pub fn status(&self, filter: &Filter, as_of: Instant) -> Result<Vec<StatusRow>, StoreError> {
        let mut out = Vec::new();
        let (scopes, conditions, values) = self.select(filter, "o")?;
        for scope in scopes {
            let t = as_of.in_zone(scope.zone).timestamp();
            let sql = format!(
                "SELECT u.name, d.name, o.state, o.submitted_at, o.closed_at, o.due_at, o.effective_due_at, d.soon_days
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
            let mut rows = stmt.query(params_from_iter(params))?;
            let mut index: HashMap<(String, String), usize> = HashMap::new();
            while let Some(r) = rows.next()? {
                let (unit, deliverable): (String, String) = (r.get(0)?, r.get(1)?);
                let record = Record {
                    state: r.get(2)?,
                    submitted_at: r.get(3)?,
                    closed_at: r.get(4)?,
                    due_at: r.get(5)?,
                    effective_due_at: r.get(6)?,
                    soon_seconds: r.get::<_, i64>(7)? * 86_400,
                };
                let at = *index
                    .entry((unit.clone(), deliverable.clone()))
                    .or_insert_with(|| {
                        out.push(StatusRow {
                            campaign: scope.key.clone(),
                            unit,
                            deliverable,
                            due: 0,
                            on_time: 0,
                            late: 0,
                            under_review: 0,
                            waived: 0,
                            overdue: 0,
                            due_soon: 0,
                            upcoming: 0,
                            light: Light::Green,
                        });
                        out.len() - 1
                    });
                let row = &mut out[at];
                let status = record.status_at(t);
                match status {
                    Status::SubmittedOnTime => row.on_time += 1,
                    Status::SubmittedLate => row.late += 1,
                    Status::UnderReview => row.under_review += 1,
                    Status::Waived => row.waived += 1,
                    Status::Overdue => row.overdue += 1,
                    Status::DueSoon => row.due_soon += 1,
                    Status::NotYetDue | Status::Extended | Status::Returned => row.upcoming += 1,
                }
                if !status.is_open() || status == Status::Overdue {
                    row.due += 1;
                }
                row.light = if row.overdue > 0 {
                    Light::Red
                } else if row.due_soon > 0 {
                    Light::Yellow
                } else {
                    Light::Green
                };
            }
        }
        Ok(out)
    }

    /// Every event of one obligation, oldest first, and its status at `as_of`.
    pub fn history(
        &self,
        key: &Key<'_>,
        as_of: Instant,
    ) -> Result<(Status, Vec<HistoryEvent>), StoreError> {
        let found = find(&self.conn, key)?;
        let status = found
            .record()
            .status_at(as_of.in_zone(found.zone).timestamp());
        let zone = found.zone;
        let time = |t: i64| from_unix(t).with_timezone(&zone).to_rfc3339();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, at, recorded_at, actor, reason, note, data FROM events
             WHERE obligation_id = ?1 ORDER BY id",
        )?;
        let mut files = self.conn.prepare_cached(
            "SELECT name, sha256, size FROM files WHERE event_id = ?1 ORDER BY id",
        )?;
        let mut events = Vec::new();
        let mut rows = stmt.query([found.id])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let data = r.get::<_, Json<serde_json::Value>>(7)?.0;
            let kept = files
                .query_map([id], |f| {
                    Ok(HistoryFile {
                        name: f.get(0)?,
                        sha256: f.get(1)?,
                        size: f.get(2)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            events.push(HistoryEvent {
                kind: r.get(1)?,
                at: time(r.get(2)?),
                recorded_at: time(r.get(3)?),
                by: r.get(4)?,
                reason: r.get(5)?,
                note: r.get(6)?,
                data,
                files: kept,
            });
        }
        Ok((status, events))
    }

    /// The time zone of a campaign; an unknown campaign is refused with the nearest name.
    pub fn campaign_zone(&self, key: &str) -> Result<Tz, StoreError> {
        let filter = Filter {
            campaigns: vec![key.to_string()],
            ..Filter::default()
        };
        let scope = self.scopes(&filter)?.into_iter().next();
        scope.map(|s| s.zone).ok_or_else(|| {
            super::Refusal::Unknown {
                kind: "campaign",
                name: key.to_string(),
                suggestion: None,
            }
            .into()
        })
    }

    /// The campaigns a filter covers; an unknown one is refused with the nearest name.
    fn scopes(&self, filter: &Filter) -> Result<Vec<Scope>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, key, zone FROM campaigns ORDER BY id")?;
        let all = stmt
            .query_map([], |r| {
                Ok(Scope {
                    id: r.get(0)?,
                    key: r.get(1)?,
                    zone: r.get::<_, Zone>(2)?.0,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        for wanted in &filter.campaigns {
            if !all.iter().any(|s| &s.key == wanted) {
                let help = suggest::did_you_mean(wanted, all.iter().map(|s| s.key.as_str()))
                    .or_else(|| Some("run `duban sync` to load the campaign files".into()));
                return Err(super::Refusal::Unknown {
                    kind: "campaign",
                    name: wanted.clone(),
                    suggestion: help,
                }
                .into());
            }
        }
        Ok(all
            .into_iter()
            .filter(|s| filter.campaigns.is_empty() || filter.campaigns.contains(&s.key))
            .collect())
    }

    /// The campaigns a filter covers, and SQL conditions (with their values) narrowing the
    /// obligations named `row` in the query to its units and deliverables; names no campaign in
    /// scope knows are refused.
    fn select(
        &self,
        filter: &Filter,
        row: &str,
    ) -> Result<(Vec<Scope>, String, Vec<rusqlite::types::Value>), StoreError> {
        let scopes = self.scopes(filter)?;
        let mut conditions = String::new();
        let mut values = Vec::new();
        for (names, table, column) in [
            (&filter.units, "units", "unit_id"),
            (&filter.deliverables, "deliverables", "deliverable_id"),
        ] {
            if names.is_empty() {
                continue;
            }
            check_names(&self.conn, &scopes, table, names)?;
            let marks = vec!["?"; names.len()].join(", ");
            conditions.push_str(&format!(
                " AND {row}.{column} IN (SELECT id FROM {table} WHERE name IN ({marks}))"
            ));
            values.extend(names.iter().cloned().map(rusqlite::types::Value::from));
        }
        Ok((scopes, conditions, values))
    }
}

/// Refuses a unit or deliverable name that no campaign in scope knows, with the nearest one.
fn check_names(
    conn: &Connection,
    scopes: &[Scope],
    table: &str,
    names: &[String],
) -> Result<(), StoreError> {
    let mut known: Vec<String> = Vec::new();
    for scope in scopes {
        let mut stmt =
            conn.prepare_cached(&format!("SELECT name FROM {table} WHERE campaign_id = ?1"))?;
        for name in stmt.query_map([scope.id], |r| r.get::<_, String>(0))? {
            known.push(name?);
        }
    }
    for name in names {
        if !known.contains(name) {
            let what = if table == "units" {
                "unit"
            } else {
                "deliverable"
            };
            return Err(super::Refusal::Unknown {
                kind: what,
                name: name.clone(),
                suggestion: suggest::did_you_mean(name, known.iter().map(String::as_str)),
            }
            .into());
        }
    }
    Ok(())
}

/// What the rows of a listing share, read once: units (with their contacts), deliverables,
/// periods and deadlines (with their days overdue). Units are looked up one by one while they
/// are few; past [`UNITS_ONE_BY_ONE`], all the campaign's units are read in one scan.
#[derive(Default)]
struct Shared {
    campaign_id: i64,
    units: HashMap<i64, SharedUnit>,
    unit_lookups: usize,
    deliverables: HashMap<i64, SharedDeliverable>,
    periods: Interner,
    deadlines: HashMap<String, (Arc<str>, i64)>,
    /// Days late, by the instant lateness began.
    late: HashMap<i64, i64>,
    /// Instants as RFC 3339 text, by Unix time.
    instants: HashMap<i64, Arc<str>>,
}

/// A deliverable as its rows share it.
#[derive(Clone)]
struct SharedDeliverable {
    name: Arc<str>,
    soon_days: i64,
}

/// A unit as its rows share it.
#[derive(Clone)]
struct SharedUnit {
    name: Arc<str>,
    email: Option<Arc<str>>,
    phone: Option<Arc<str>>,
    contacts: Arc<[Contact]>,
}

/// How many units a listing looks up one at a time before it reads them all.
const UNITS_ONE_BY_ONE: usize = 1_000;

/// A unit from columns name, email, phone, contacts.
fn shared_unit(r: &rusqlite::Row<'_>) -> rusqlite::Result<SharedUnit> {
    let contacts: Vec<Contact> = r.get::<_, Json<_>>(3)?.0;
    Ok(SharedUnit {
        name: r.get_ref(0)?.as_str()?.into(),
        email: r.get::<_, Option<String>>(1)?.map(Arc::from),
        phone: r.get::<_, Option<String>>(2)?.map(Arc::from),
        contacts: contacts.into(),
    })
}

impl Shared {
    fn new(campaign_id: i64) -> Shared {
        Shared {
            campaign_id,
            ..Shared::default()
        }
    }

    /// Unit `id`, read once: overdue rows come in thousands, their units in hundreds.
    fn unit(&mut self, conn: &Connection, id: i64) -> Result<SharedUnit, StoreError> {
        if let Some(unit) = self.units.get(&id) {
            return Ok(unit.clone());
        }
        self.unit_lookups += 1;
        if self.unit_lookups == UNITS_ONE_BY_ONE {
            let mut stmt = conn.prepare_cached(
                "SELECT name, email, phone, contacts, id FROM units WHERE campaign_id = ?1",
            )?;
            let mut rows = stmt.query([self.campaign_id])?;
            while let Some(r) = rows.next()? {
                let unit = shared_unit(r)?;
                self.units.entry(r.get(4)?).or_insert(unit);
            }
            if let Some(unit) = self.units.get(&id) {
                return Ok(unit.clone());
            }
        }
        let mut stmt =
            conn.prepare_cached("SELECT name, email, phone, contacts FROM units WHERE id = ?1")?;
        let unit = stmt.query_row([id], shared_unit)?;
        self.units.insert(id, unit.clone());
        Ok(unit)
    }

    /// Deliverable `id`, read once.
    fn deliverable(&mut self, conn: &Connection, id: i64) -> Result<SharedDeliverable, StoreError> {
        if let Some(deliverable) = self.deliverables.get(&id) {
            return Ok(deliverable.clone());
        }
        let mut stmt =
            conn.prepare_cached("SELECT name, soon_days FROM deliverables WHERE id = ?1")?;
        let deliverable = stmt.query_row([id], |r| {
            Ok(SharedDeliverable {
                name: r.get_ref(0)?.as_str()?.into(),
                soon_days: r.get(1)?,
            })
        })?;
        self.deliverables.insert(id, deliverable.clone());
        Ok(deliverable)
    }

    fn period(&mut self, period: &str) -> Option<Arc<str>> {
        (!period.is_empty()).then(|| self.periods.get(period))
    }

    /// Days from the last on-time day of a deadline that passed at `late_at` to `today`.
    fn days_late(&mut self, late_at: i64, zone: chrono_tz::Tz, today: NaiveDate) -> i64 {
        *self.late.entry(late_at).or_insert_with(|| {
            let last_day = from_unix(late_at - 1).with_timezone(&zone).date_naive();
            (today - last_day).num_days()
        })
    }

    /// `at` as RFC 3339 text in `zone`, formatted once for all the rows that share it.
    fn instant(&mut self, at: i64, zone: chrono_tz::Tz) -> Arc<str> {
        self.instants
            .entry(at)
            .or_insert_with(|| {
                from_unix(at)
                    .with_timezone(&zone)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    .into()
            })
            .clone()
    }

    /// A deadline, and the days from it to `today`.
    fn deadline(&mut self, date: &str, today: NaiveDate) -> (Arc<str>, i64) {
        if let Some(shared) = self.deadlines.get(date) {
            return shared.clone();
        }
        let shared = (Arc::from(date), days_between(date, today));
        self.deadlines.insert(date.to_string(), shared.clone());
        shared
    }
}

/// Days from `date` (YYYY-MM-DD, as the store writes it) to `today`.
fn days_between(date: &str, today: NaiveDate) -> i64 {
    // The ISO parser: a format string is interpreted afresh on every call.
    date.parse::<NaiveDate>()
        .map(|d| (today - d).num_days())
        .unwrap_or_default()
}
