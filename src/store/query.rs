//! Questions staff ask of the store, each at an instant: what is overdue, what falls due soon,
//! how each unit stands (三色管理), and what happened to one obligation.

use std::collections::HashMap;
use std::sync::Arc;

use chrono_tz::Tz;
use rusqlite::params_from_iter;
use serde::Serialize;

use super::asof::{Owing, Then, due_key, overdue_order};
use super::decode::Json;
use super::lifecycle::{Key, find};
use super::shared::{Owed, Shared};
use super::{Store, StoreError, text};
use crate::clock::{Instant, from_unix};
use crate::language::campaign::Contact;
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

impl Window {
    /// How many seconds after `t` (on `today`, in `zone`) the window ends.
    pub(super) fn seconds_after(self, t: i64, today: chrono::NaiveDate, zone: Tz) -> i64 {
        match self {
            Window::Seconds(s) => s,
            Window::Days(n) => {
                let last = today
                    .checked_add_days(chrono::Days::new(n.max(0) as u64))
                    .unwrap_or(chrono::NaiveDate::MAX);
                crate::schedule::obligation::end_of_day(zone, last).timestamp() - t
            }
        }
    }
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
    /// Only obligations whose deadline, as the campaign gives it (before any extension), falls
    /// on or after this day: a bulletin's window, in which a report falls due.
    pub due_from: Option<chrono::NaiveDate>,
    /// … and on or before this day.
    pub due_to: Option<chrono::NaiveDate>,
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
    /// Its last on-time day: `due_date`, or the first workday after it when a rest day moved
    /// the deadline (民法典 第二百零三条). Days overdue count from here.
    pub on_time_until: Arc<str>,
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
    /// Its last on-time day: `due_date`, or the first workday after it when a rest day moved
    /// the deadline (民法典 第二百零三条).
    pub on_time_until: Arc<str>,
    /// Whole days left to `due_date`, counted in the campaign's zone (0: due today).
    pub days_left: i64,
    /// Its status (due soon, extended, returned, not yet due): `due_soon` … in JSON.
    pub status: Status,
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
    /// Waiting for review (past the review's deadline or not).
    pub under_review: usize,
    /// Of those, waiting past the review's deadline (`review_overdue`): the reviewer's lateness.
    pub review_overdue: usize,
    /// Waived.
    pub waived: usize,
    /// Overdue now.
    pub overdue: usize,
    /// Due within the reminder window.
    pub due_soon: usize,
    /// Still to come.
    pub upcoming: usize,
    /// Values reported below a target's threshold (or above an upper one).
    pub below_target: usize,
    /// The worst light of its obligations as the unit's ([`Light::of_unit`]): red overdue (or
    /// below target), yellow needing attention, green done on time or waiting for review (its
    /// reviewer late or not), grey nothing to judge yet.
    pub light: Light,
    /// Who reviews the unit's submissions of it, where they are reviewed: the one a
    /// `review_overdue` is late against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
}

/// 三色管理, one meaning everywhere: each status has its colour ([`Light::of`]), and a row of
/// several obligations shows the worst of theirs (red before yellow before green before grey).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    /// Overdue (or a value below its target).
    Red,
    /// Needs attention: due soon, returned (退回), extended (延期), or sent late.
    Yellow,
    /// Done on time, or sent and waiting for its review.
    Green,
    /// Nothing to judge yet: not yet due, or waived (免报).
    Grey,
}

impl Light {
    /// The colour of one status.
    pub fn of(status: Status) -> Light {
        match status {
            Status::Overdue | Status::ReviewOverdue => Light::Red,
            Status::DueSoon | Status::Returned | Status::Extended | Status::SubmittedLate => {
                Light::Yellow
            }
            Status::SubmittedOnTime | Status::UnderReview => Light::Green,
            Status::NotYetDue | Status::Waived => Light::Grey,
        }
    }

    /// The colour of one status on the unit's side (a `status` row, the board, which judge
    /// units): a review overdue is its reviewer's lateness, so the unit shows what it did —
    /// sent, waiting for review.
    pub fn of_unit(status: Status) -> Light {
        match status {
            Status::ReviewOverdue => Light::of(Status::UnderReview),
            other => Light::of(other),
        }
    }
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
    /// Recorded afterwards (补录: a report that came on paper, typed in later), by more than
    /// [`crate::ledger::BACKFILL_MARGIN`] seconds.
    pub backfilled: bool,
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
    /// The values of its form's fields (a submission's).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<crate::values::FieldValue>,
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

/// A duty without a date, if `filter` wants it and any of its `units`.
pub(super) fn standing(
    filter: &Filter,
    campaign: &str,
    deliverable: String,
    title: Option<String>,
    units: Vec<String>,
) -> Option<StandingDuty> {
    let units: Vec<String> = units
        .into_iter()
        .filter(|u| filter.units.is_empty() || filter.units.contains(u))
        .collect();
    let wanted = filter.deliverables.is_empty() || filter.deliverables.contains(&deliverable);
    (wanted && !units.is_empty()).then(|| StandingDuty {
        campaign: campaign.to_string(),
        deliverable,
        title,
        units,
    })
}

/// Status rows of one campaign, counted from its obligations one at a time.
pub(super) struct Tally<'o> {
    out: &'o mut Vec<StatusRow>,
    campaign: &'o str,
    index: HashMap<(String, String), usize>,
}

impl<'o> Tally<'o> {
    /// Counts into `out`, for `campaign`.
    pub(super) fn new(out: &'o mut Vec<StatusRow>, campaign: &'o str) -> Tally<'o> {
        Tally {
            out,
            campaign,
            index: HashMap::new(),
        }
    }

    /// Counts one obligation of `unit` and `deliverable` (reviewed by `reviewer`), as it
    /// stands at `t`.
    pub(super) fn add(
        &mut self,
        (unit, deliverable): (String, String),
        reviewer: Option<String>,
        record: &Record,
        t: i64,
    ) {
        let out = &mut *self.out;
        let at = *self
            .index
            .entry((unit.clone(), deliverable.clone()))
            .or_insert_with(|| {
                out.push(StatusRow {
                    campaign: self.campaign.to_string(),
                    unit,
                    deliverable,
                    due: 0,
                    on_time: 0,
                    late: 0,
                    under_review: 0,
                    review_overdue: 0,
                    waived: 0,
                    overdue: 0,
                    due_soon: 0,
                    upcoming: 0,
                    below_target: 0,
                    light: Light::Grey,
                    reviewer,
                });
                out.len() - 1
            });
        let row = &mut out[at];
        let status = record.status_at(t);
        match status {
            Status::SubmittedOnTime => row.on_time += 1,
            Status::SubmittedLate => row.late += 1,
            Status::UnderReview => row.under_review += 1,
            Status::ReviewOverdue => {
                row.under_review += 1;
                row.review_overdue += 1;
            }
            Status::Waived => row.waived += 1,
            Status::Overdue => row.overdue += 1,
            Status::DueSoon => row.due_soon += 1,
            Status::NotYetDue | Status::Extended | Status::Returned => row.upcoming += 1,
        }
        if !status.is_open() || status == Status::Overdue {
            row.due += 1;
        }
        row.light = row.light.min(Light::of_unit(status));
    }
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
                let units: Vec<String> = r.get::<_, Json<_>>(2)?.0;
                out.extend(standing(filter, &scope.key, r.get(0)?, r.get(1)?, units));
            }
        }
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
            let columns = "unit_id, deliverable_id, period, due_date, extended_until, state, effective_due_at, id";
            let sql = format!(
                "SELECT x.unit_id, x.deliverable_id, x.period, coalesce(x.extended_until, x.due_date), x.state,
                        x.effective_due_at, x.id
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
                let owed = Owed {
                    period: &o.period,
                    due_date: &o.due_date,
                    state: o.state.as_str(),
                    late_at: o.late_at,
                };
                visit(shared.overdue_row(&campaign, unit, deliverable, &owed, scope.zone, today))?;
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
            let within = window.seconds_after(t, today, scope.zone);
            let columns = "unit_id, deliverable_id, period, due_date, extended_until, state, effective_due_at, due_at, id";
            let sql = format!(
                "SELECT x.unit_id, x.deliverable_id, x.period, coalesce(x.extended_until, x.due_date),
                        x.state, x.due_at, x.effective_due_at, x.id, u.name
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
    pub fn status(&self, filter: &Filter, as_of: Instant) -> Result<Vec<StatusRow>, StoreError> {
        let mut out = Vec::new();
        let (scopes, conditions, values) = self.select(filter, "o")?;
        for scope in scopes {
            let t = as_of.in_zone(scope.zone).timestamp();
            let sql = format!(
                "SELECT u.name, d.name, o.state, o.submitted_at, o.closed_at, o.due_at, o.effective_due_at, d.soon_days,
                        o.id, o.review_due_at,
                        CASE WHEN d.review = 'reviewer' THEN u.reviewer ELSE substr(d.review, 6) END
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
                let record = match overlay.get(&r.get(8)?) {
                    Some(then) => then.record,
                    None => super::decode::record(r, 2, 9)?,
                };
                tally.add((r.get(0)?, r.get(1)?), r.get(10)?, &record, t);
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
        let mut values = self.conn.prepare_cached(super::contents::EVENT_VALUES)?;
        let mut events = Vec::new();
        let mut acts = super::asof::Acts::default();
        let mut rows = stmt.query([found.id])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let (kind, at, recorded_at): (String, i64, i64) = (r.get(1)?, r.get(2)?, r.get(3)?);
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
        let status = acts.status_at(found.record(), found.review.is_some(), zone, t);
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
}
