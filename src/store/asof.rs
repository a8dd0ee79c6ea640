//! Answers at an instant before the latest act: the obligations something was done to after
//! T, with their records rebuilt as they stood at T ([`crate::ledger::replay`]). Every listing
//! reads the latest records (the live case, T = now, has nothing after T and costs one index
//! probe) and takes these instead of the rows they replace. What both engines share is here;
//! each reads its own rows.

use std::collections::HashMap;

use crate::ledger::{Past, Record, Start, Status, replay};

/// An obligation as it stood at T, where something was done to it after T.
#[derive(Clone, Debug)]
pub struct Then {
    /// Its unit's row id.
    pub unit_id: i64,
    /// Its deliverable's row id.
    pub deliverable_id: i64,
    /// Its period (`""` for a one-off).
    pub period: String,
    /// The due date in force then, as units were told it.
    pub due_date: String,
    /// Its record then.
    pub record: Record,
    /// The extended deadline in force then, if any.
    pub extended_until: Option<String>,
    /// How many times it had been returned (退回) by then.
    pub returns: i64,
    /// Who was deciding on it then, where its acts say (a review in levels passes from one
    /// reviewer to the next): `None` where they do not, and the latest record's reviewer holds.
    pub reviewing: Option<String>,
}

/// The obligations of one campaign acted on after T, by row id.
pub type Overlay = HashMap<i64, Then>;

/// What a listing needs of an owed obligation, owned: rows gathered to be put in order with
/// those of an [`Overlay`].
#[derive(Clone, Debug)]
pub(crate) struct Owing {
    /// Its unit's row id.
    pub unit_id: i64,
    /// Its deliverable's row id.
    pub deliverable_id: i64,
    /// Its period.
    pub period: String,
    /// The due date in force.
    pub due_date: String,
    /// Its state.
    pub state: crate::ledger::State,
    /// The deadline as the campaign gives it.
    pub due_at: i64,
    /// The deadline in force.
    pub late_at: i64,
}

impl Owing {
    /// Its columns as a listing's row is made from them.
    pub(super) fn owed(&self) -> super::shared::Owed<'_> {
        super::shared::Owed {
            period: &self.period,
            due_date: &self.due_date,
            state: self.state.as_str(),
            late_at: self.late_at,
        }
    }
}

impl Then {
    /// The obligation from its row — the campaign's due date and deadline, the latest extended
    /// deadline — and its acts in the order recorded, at `t`.
    pub(crate) fn rebuild<'a>(
        row: Base,
        start: Start,
        history: impl IntoIterator<Item = Past<'a>>,
        t: i64,
    ) -> Then {
        let mut returns = 0;
        let mut reviewing = None;
        let counted = history.into_iter().inspect(|p| {
            if p.kind == "returned" && p.at <= t {
                returns += 1;
            }
            if matches!(p.kind, "submitted" | "review_passed") && p.at <= t {
                reviewing = p.reviewer.clone();
            }
        });
        let (record, extended) = replay(start, counted, t);
        let extended_until = extended.map(|d| d.to_string());
        Then {
            unit_id: row.unit_id,
            deliverable_id: row.deliverable_id,
            period: row.period,
            due_date: extended_until.clone().unwrap_or(row.due_date),
            record,
            extended_until,
            returns,
            reviewing,
        }
    }

    /// Whether it was overdue at `t`.
    pub(crate) fn overdue_at(&self, t: i64) -> bool {
        self.record.status_at(t) == Status::Overdue
    }

    /// Whether it was owed at `t` with its deadline after `t` and no later than `until`.
    pub(crate) fn due_between(&self, t: i64, until: i64) -> bool {
        self.record.closed_at.is_none()
            && self.record.effective_due_at > t
            && self.record.effective_due_at <= until
    }

    /// It, as a listing's row.
    pub(crate) fn owing(&self) -> Owing {
        Owing {
            unit_id: self.unit_id,
            deliverable_id: self.deliverable_id,
            period: self.period.clone(),
            due_date: self.due_date.clone(),
            state: self.record.state,
            due_at: self.record.due_at,
            late_at: self.record.effective_due_at,
        }
    }
}

/// The columns of an obligation's row an overlay starts from.
#[derive(Clone, Debug)]
pub(crate) struct Base {
    /// Its unit's row id.
    pub unit_id: i64,
    /// Its deliverable's row id.
    pub deliverable_id: i64,
    /// Its period.
    pub period: String,
    /// The campaign's due date.
    pub due_date: String,
}

/// The acts of one obligation's history as they are read, to answer where it stood at T.
#[derive(Default)]
pub(crate) struct Acts {
    acts: Vec<(String, i64, Option<chrono::NaiveDate>, Option<i64>)>,
}

impl Acts {
    /// Adds an event (any kind: those not among [`crate::ledger::ACTS`] are passed over).
    pub(crate) fn push(&mut self, kind: &str, at: i64, data: &serde_json::Value) {
        if crate::ledger::ACTS.contains(&kind) {
            let past = Past::of(kind, at, data);
            self.acts
                .push((kind.to_string(), at, past.until, past.review_due));
        }
    }

    /// The status at `t` of the obligation whose latest record is `latest`: that record's,
    /// unless something was done after `t`.
    pub(crate) fn status_at(
        &self,
        latest: Record,
        reviewed: bool,
        zone: chrono_tz::Tz,
        t: i64,
    ) -> Status {
        if self.acts.iter().all(|(_, at, _, _)| *at <= t) {
            return latest.status_at(t);
        }
        let start = Start {
            due_at: latest.due_at,
            soon_seconds: latest.soon_seconds,
            reviewed,
            zone,
        };
        let history = self.acts.iter().map(|(kind, at, until, review_due)| Past {
            kind,
            at: *at,
            until: *until,
            review_due: *review_due,
            reviewer: None,
        });
        replay(start, history, t).0.status_at(t)
    }
}

/// Puts rows in the order `overdue` lists them: by unit then deadline, or by deliverable,
/// period, deadline, unit.
pub(crate) fn overdue_order(rows: &mut [Owing], by_deliverable: bool) {
    if by_deliverable {
        rows.sort_by(|a, b| {
            (a.deliverable_id, &a.period, a.late_at, a.unit_id).cmp(&(
                b.deliverable_id,
                &b.period,
                b.late_at,
                b.unit_id,
            ))
        });
    } else {
        rows.sort_by(|a, b| {
            (a.unit_id, a.late_at, a.deliverable_id, &a.period).cmp(&(
                b.unit_id,
                b.late_at,
                b.deliverable_id,
                &b.period,
            ))
        });
    }
}

/// The order `due` lists rows in: by deadline, deliverable, unit, period.
pub(crate) fn due_key(o: &Owing) -> (i64, i64, i64, &str) {
    (o.late_at, o.deliverable_id, o.unit_id, &o.period)
}
