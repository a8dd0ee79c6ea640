//! What the rows of a listing share, formatted once for all of them: a listing of a hundred
//! thousand rows allocates per unit and per deadline, not per row.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::asof::Owing;
use super::{DueRow, Interner, OverdueRow, StoreError};
use crate::clock::from_unix;
use crate::language::campaign::Contact;

/// What the rows of a listing share, read once: units (with their contacts), deliverables,
/// periods and deadlines (with their days overdue). Units are looked up one by one while they
/// are few; past [`UNITS_ONE_BY_ONE`], all the campaign's units are read in one scan.
#[derive(Default)]
pub(super) struct Shared {
    pub(super) campaign_id: i64,
    pub(super) units: HashMap<i64, SharedUnit>,
    pub(super) unit_lookups: usize,
    pub(super) deliverables: HashMap<i64, SharedDeliverable>,
    pub(super) periods: Interner,
    pub(super) deadlines: HashMap<String, (Arc<str>, i64)>,
    /// Days late, by the instant lateness began.
    pub(super) late: HashMap<i64, i64>,
    /// Instants as RFC 3339 text, by Unix time.
    pub(super) instants: HashMap<i64, Arc<str>>,
    /// Last on-time days as text, by the instant lateness begins.
    pub(super) last_days: HashMap<i64, Arc<str>>,
}

/// A deliverable as its rows share it.
#[derive(Clone)]
pub(super) struct SharedDeliverable {
    pub name: Arc<str>,
    pub soon_days: i64,
}

/// A unit as its rows share it.
#[derive(Clone)]
pub(super) struct SharedUnit {
    pub name: Arc<str>,
    pub email: Option<Arc<str>>,
    pub phone: Option<Arc<str>>,
    pub contacts: Arc<[Contact]>,
}

/// How many units a listing looks up one at a time before it reads them all.
pub(super) const UNITS_ONE_BY_ONE: usize = 1_000;

/// An owed obligation's columns, as a listing reads them.
pub(super) struct Owed<'r> {
    pub period: &'r str,
    /// The due date in force, as units were told it.
    pub due_date: &'r str,
    pub state: &'r str,
    /// Late since the end of its last on-time day, which a holiday may put after the due date
    /// units were told.
    pub late_at: i64,
}

/// A unit from its name, email, phone and contacts (as JSON).
pub(super) fn unit_from(
    name: &str,
    email: Option<String>,
    phone: Option<String>,
    contacts: &str,
) -> Result<SharedUnit, StoreError> {
    let contacts: Vec<Contact> = super::decode::json(contacts)?;
    Ok(SharedUnit {
        name: name.into(),
        email: email.map(Arc::from),
        phone: phone.map(Arc::from),
        contacts: contacts.into(),
    })
}

impl Shared {
    /// With every unit and deliverable of the campaign read beforehand.
    pub(super) fn preloaded(
        campaign_id: i64,
        units: HashMap<i64, SharedUnit>,
        deliverables: HashMap<i64, SharedDeliverable>,
    ) -> Shared {
        Shared {
            campaign_id,
            units,
            deliverables,
            ..Shared::default()
        }
    }

    /// A unit or deliverable read beforehand; a row that names none is undecodable.
    pub(super) fn known<T: Clone>(
        table: &HashMap<i64, T>,
        id: i64,
        what: &'static str,
    ) -> Result<T, StoreError> {
        table.get(&id).cloned().ok_or_else(|| StoreError::Decode {
            message: format!("{id} is not the row of {what} of the campaign"),
        })
    }

    /// The preloaded unit `id`.
    pub(super) fn known_unit(&self, id: i64) -> Result<SharedUnit, StoreError> {
        Shared::known(&self.units, id, "a unit")
    }

    /// The preloaded deliverable `id`.
    pub(super) fn known_deliverable(&self, id: i64) -> Result<SharedDeliverable, StoreError> {
        Shared::known(&self.deliverables, id, "a deliverable")
    }

    /// An overdue listing's row for `owed`, of `unit` and `deliverable`, on `today`.
    pub(super) fn overdue_row(
        &mut self,
        campaign: &Arc<str>,
        unit: SharedUnit,
        deliverable: Arc<str>,
        owed: &Owed<'_>,
        zone: chrono_tz::Tz,
        today: NaiveDate,
    ) -> OverdueRow {
        let (due_date, _) = self.deadline(owed.due_date, today);
        OverdueRow {
            due_at: self.instant(owed.late_at, zone),
            on_time_until: self.last_day(owed.late_at, zone),
            campaign: campaign.clone(),
            deliverable,
            unit: unit.name,
            period: self.period(owed.period),
            days_overdue: self.days_late(owed.late_at, zone, today),
            due_date,
            status: if owed.state == "returned" {
                "returned"
            } else {
                "overdue"
            },
            email: unit.email,
            phone: unit.phone,
            contacts: unit.contacts,
        }
    }

    /// A due listing's row for `owing`, of `unit` and `deliverable`, at `t` on `today`.
    #[allow(clippy::too_many_arguments)] // the row's parts, each of a different source
    pub(super) fn due_row(
        &mut self,
        campaign: &Arc<str>,
        unit: Arc<str>,
        deliverable: SharedDeliverable,
        owing: &Owing,
        zone: chrono_tz::Tz,
        today: NaiveDate,
        t: i64,
    ) -> DueRow {
        let record = crate::ledger::Record {
            state: owing.state,
            submitted_at: None,
            closed_at: None,
            due_at: owing.due_at,
            effective_due_at: owing.late_at,
            soon_seconds: deliverable.soon_days * 86_400,
            review_due: None,
        };
        let (due_date, days_overdue) = self.deadline(&owing.due_date, today);
        DueRow {
            due_at: self.instant(owing.late_at, zone),
            on_time_until: self.last_day(owing.late_at, zone),
            campaign: campaign.clone(),
            deliverable: deliverable.name,
            unit,
            period: self.period(&owing.period),
            days_left: -days_overdue,
            due_date,
            status: record.status_at(t),
        }
    }

    pub(super) fn new(campaign_id: i64) -> Shared {
        Shared {
            campaign_id,
            ..Shared::default()
        }
    }

    pub(super) fn period(&mut self, period: &str) -> Option<Arc<str>> {
        (!period.is_empty()).then(|| self.periods.get(period))
    }

    /// Days from the last on-time day of a deadline that passed at `late_at` to `today`.
    pub(super) fn days_late(&mut self, late_at: i64, zone: chrono_tz::Tz, today: NaiveDate) -> i64 {
        *self.late.entry(late_at).or_insert_with(|| {
            let last_day = from_unix(late_at - 1).with_timezone(&zone).date_naive();
            (today - last_day).num_days()
        })
    }

    /// The last on-time day of a deadline that passes at `late_at` (the day before it, in
    /// `zone`), as text: the stated date, or the workday a rest day moved it to.
    pub(super) fn last_day(&mut self, late_at: i64, zone: chrono_tz::Tz) -> Arc<str> {
        self.last_days
            .entry(late_at)
            .or_insert_with(|| {
                from_unix(late_at - 1)
                    .with_timezone(&zone)
                    .date_naive()
                    .to_string()
                    .into()
            })
            .clone()
    }

    /// `at` as RFC 3339 text in `zone`, formatted once for all the rows that share it.
    pub(super) fn instant(&mut self, at: i64, zone: chrono_tz::Tz) -> Arc<str> {
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
    pub(super) fn deadline(&mut self, date: &str, today: NaiveDate) -> (Arc<str>, i64) {
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
