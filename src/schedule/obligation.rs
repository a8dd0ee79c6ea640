//! An obligation: one unit owing one deliverable for one period, with the instant it becomes
//! overdue and whom it goes to. Its identity is (campaign, deliverable, unit, period).

use chrono::{DateTime, Days, NaiveDate, NaiveTime, SecondsFormat, TimeZone};
use chrono_tz::Tz;
use serde::Serialize;

use super::compile::Occurrence;
use crate::language::campaign::*;

/// A view of one obligation inside a schedule.
#[derive(Clone, Copy, Debug)]
pub struct Obligation<'a> {
    /// The campaign.
    pub campaign: &'a Campaign,
    /// Which deliverable.
    pub deliverable_id: DeliverableId,
    /// The deliverable.
    pub deliverable: &'a Deliverable,
    /// The unit that owes it.
    pub unit_id: UnitId,
    /// The occurrence: period and due date.
    pub occurrence: &'a Occurrence,
}

impl<'a> Obligation<'a> {
    /// The unit that owes it.
    pub fn unit(&self) -> &'a Unit {
        &self.campaign.units[self.unit_id]
    }

    /// The period as text (`2017-05`), or none for a one-off.
    pub fn period_label(&self) -> Option<String> {
        self.occurrence.period.as_ref().map(ToString::to_string)
    }

    /// The instant it becomes overdue: the end of its last on-time day in the campaign's zone
    /// (its due date, or the first workday after under the default holiday rule).
    pub fn due_at(&self) -> DateTime<Tz> {
        end_of_day(self.campaign.zone, self.occurrence.on_time_until)
    }

    /// Whom it goes to, with `parent` resolved for this unit.
    pub fn recipients(&self) -> Vec<UnitId> {
        let mut out = Vec::new();
        for r in &self.deliverable.to {
            let unit = match r {
                RecipientRef::Unit(u) => Some(*u),
                RecipientRef::Parent => self.unit().parent,
            };
            if let Some(u) = unit
                && !out.contains(&u)
            {
                out.push(u);
            }
        }
        out
    }

    /// Who reviews it before it counts, if anyone.
    pub fn reviewer(&self) -> Option<UnitId> {
        match self.deliverable.review? {
            ReviewRule::ByUnit(u) => Some(u),
            ReviewRule::ByReviewer => self.unit().reviewer,
        }
    }

    /// The forms it carries, as one text (`附件1、附件2`), or none.
    pub fn form(&self) -> Option<String> {
        (!self.deliverable.forms.is_empty()).then(|| self.deliverable.forms.join("、"))
    }

    /// A flat record of it, as `schedule --format json` prints it.
    pub fn record(&self) -> ObligationRecord {
        let units = &self.campaign.units;
        let d = self.deliverable;
        ObligationRecord {
            campaign: self.campaign.id.clone(),
            deliverable: d.name.clone(),
            kind: d.kind,
            unit: self.unit().name.clone(),
            period: self.period_label(),
            due_date: self.occurrence.due.to_string(),
            due_at: self.due_at().to_rfc3339_opts(SecondsFormat::Secs, true),
            nominal_date: self.occurrence.nominal.to_string(),
            to: self
                .recipients()
                .into_iter()
                .map(|u| units[u].name.clone())
                .collect(),
            form: self.form(),
            signers: d.signers.clone(),
            reviewer: self.reviewer().map(|u| units[u].name.clone()),
            item: d.item.map(|i| self.campaign.items[i].name.clone()),
            threshold: self.occurrence.checkpoint.and_then(|i| match &d.due {
                Due::Checkpoints(points) => points.get(i).map(Checkpoint::describe),
                _ => None,
            }),
        }
    }
}

/// One obligation, flattened for output.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ObligationRecord {
    /// Campaign identifier.
    pub campaign: String,
    /// Deliverable name.
    pub deliverable: String,
    /// Report, measure or target.
    pub kind: DeliverableKind,
    /// The owing unit.
    pub unit: String,
    /// The period covered (`2017-05`, `2017-Q2`, `2017`, a phase), or null for a one-off.
    pub period: Option<String>,
    /// Local due date, inclusive, as units are told it.
    pub due_date: String,
    /// The instant it becomes overdue (RFC 3339): the end of the due date, or of the first
    /// workday after it when the due date is a rest day or a holiday.
    pub due_at: String,
    /// The date the document gives, before any holiday shift.
    pub nominal_date: String,
    /// Recipient units.
    pub to: Vec<String>,
    /// The form(s) carried.
    pub form: Option<String>,
    /// Required signers.
    pub signers: Vec<String>,
    /// The reviewing unit, if any.
    pub reviewer: Option<String>,
    /// The rectification item it belongs to.
    pub item: Option<String>,
    /// For a target: the threshold to reach (`≥ 30%`).
    pub threshold: Option<String>,
}

/// The first instant after `date` in `zone`: when an obligation due that day becomes overdue.
pub fn end_of_day(zone: Tz, date: NaiveDate) -> DateTime<Tz> {
    let next = date.checked_add_days(Days::new(1)).unwrap_or(date);
    let midnight = next.and_time(NaiveTime::MIN);
    match zone.from_local_datetime(&midnight) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t,
        // Midnight skipped by a clock change: the day ends when the clock jumps.
        chrono::LocalResult::None => zone.from_utc_datetime(&midnight),
    }
}
