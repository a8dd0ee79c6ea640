//! Assessment (考核): each unit's timeliness over a time, scored by the campaign's rules (or by
//! the on-time rate), ranked, with a breakdown per deliverable and — for `--explain` — every
//! report's points and why.

use chrono::NaiveDate;
use serde::Serialize;

use super::{AppError, Office};
use crate::clock::Instant;
use crate::language::scoring::{Scoring, Waived};
use crate::ledger::Status;
use crate::reports::{Deadline, Window};
use crate::store::{Assessed, Backend};

/// How one report scored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoreLine {
    /// The deliverable.
    pub deliverable: String,
    /// Its period.
    pub period: String,
    /// Its deadline.
    pub due_date: String,
    /// `on_time`, `late`, `under_review`, `missing`, `waived` — its status at the instant
    /// counted.
    pub outcome: &'static str,
    /// Days late, for a late report.
    pub days_late: i64,
    /// Times it was returned.
    pub returns: i64,
    /// Its points.
    pub points: f64,
    /// Whether it counts in the score (a waived report left out does not).
    #[serde(skip)]
    scored: bool,
}

/// One deliverable's part of a unit's score.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Part {
    /// The deliverable (none in a unit's totals).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub deliverable: String,
    /// Reports counted.
    pub reports: usize,
    /// On time.
    pub on_time: usize,
    /// Late.
    pub late: usize,
    /// Never sent.
    pub missing: usize,
    /// Sent and awaiting review (scored by when it was sent).
    pub under_review: usize,
    /// Waived (免报): counted here whether or not the rules score them.
    pub waived: usize,
    /// Days late, added up.
    pub late_days: i64,
    /// Returns.
    pub returns: i64,
    /// The mean of its reports' points.
    pub score: Option<f64>,
    #[serde(skip)]
    points: f64,
}

/// A unit's assessment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnitScore {
    /// Its place (units with equal scores share one).
    pub rank: usize,
    /// The unit.
    pub unit: String,
    /// The mean of its reports' points; none when nothing of it was due.
    pub score: Option<f64>,
    /// On-time reports of those due, in percent.
    pub on_time_rate: Option<f64>,
    /// Its totals over every deliverable.
    #[serde(flatten)]
    pub total: Part,
    /// Interviews (约谈) held with it in the time.
    pub interviews: usize,
    /// Its requests for more time in the time, and how they were answered: an extension
    /// granted is scored by the campaign's `延期` rule and is not lateness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<crate::reports::UnitRequests>,
    /// Per deliverable.
    pub deliverables: Vec<Part>,
    /// Every report's points, for `--explain`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<ScoreLine>,
}

/// A campaign's assessment over a time.
#[derive(Clone, Debug, Serialize)]
pub struct Assessment {
    /// Campaign identifier.
    pub campaign: String,
    /// Its title.
    pub title: String,
    /// The time assessed.
    pub window: Window,
    /// The rules, in a sentence.
    pub rules: String,
    /// The units, best first.
    pub units: Vec<UnitScore>,
}

impl Office {
    /// Scores every unit of `campaign` on the reports due in `window`, as the records stood at
    /// its end — or at `as_of`, when the window is not over by then: a report due in the window
    /// and still not sent at its end is missing, as the bulletin of the window counts it; with
    /// `explain`, every report's points are kept.
    pub fn assess(
        &self,
        store: &dyn Backend,
        campaign: &str,
        window: &Window,
        as_of: Instant,
        explain: bool,
    ) -> Result<Assessment, AppError> {
        let header = store.campaign_header(campaign)?;
        let at = window
            .counted_at(as_of, header.zone)
            .in_zone(header.zone)
            .timestamp();
        let scoring = header.scoring.clone().unwrap_or_default();
        let rows = store.assessed(
            header.id,
            &window.from.to_string(),
            &window.to.to_string(),
            at,
        )?;
        let interviews = store.interviews(header.id)?;
        let start = Instant::Local(window.from.and_hms_opt(0, 0, 0).expect("midnight"))
            .in_zone(header.zone)
            .timestamp();
        // Requests for more time and their answers, as the bulletin of the window counts them.
        let requests = super::recorded::notes(
            store,
            header.id,
            header.zone,
            (start, at),
            (&window.to.to_string(), false),
        )?
        .requests;
        let mut units: Vec<UnitScore> = Vec::new();
        for row in &rows {
            if units.last().is_none_or(|u| u.unit != row.unit) {
                units.push(UnitScore {
                    rank: 0,
                    unit: row.unit.clone(),
                    score: None,
                    on_time_rate: None,
                    total: Part::default(),
                    interviews: interviews
                        .iter()
                        .filter(|i| i.unit == row.unit && (start..=at).contains(&i.at))
                        .count(),
                    requests: requests.iter().find(|q| q.unit == row.unit).cloned(),
                    deliverables: Vec::new(),
                    lines: Vec::new(),
                });
            }
            let unit = units.last_mut().expect("just pushed");
            let Some(line) = score(row, &scoring, at) else {
                continue;
            };
            let part = match unit
                .deliverables
                .iter_mut()
                .position(|p| p.deliverable == row.deliverable)
            {
                Some(i) => &mut unit.deliverables[i],
                None => {
                    unit.deliverables.push(Part {
                        deliverable: row.deliverable.clone(),
                        ..Part::default()
                    });
                    unit.deliverables.last_mut().expect("just pushed")
                }
            };
            part.add(&line);
            unit.total.add(&line);
            if explain && line.scored {
                unit.lines.push(line);
            }
        }
        for unit in &mut units {
            for part in unit
                .deliverables
                .iter_mut()
                .chain(std::iter::once(&mut unit.total))
            {
                part.score = (part.reports > 0).then(|| round(part.points / part.reports as f64));
            }
            unit.score = unit.total.score;
            let t = &unit.total;
            let judged = t.on_time + t.late + t.missing + t.under_review;
            unit.on_time_rate =
                (judged > 0).then(|| round(unit.total.on_time as f64 * 100.0 / judged as f64));
        }
        rank(&mut units);
        Ok(Assessment {
            campaign: header.key,
            title: header.title,
            window: window.clone(),
            rules: scoring.describe(),
            units,
        })
    }
}

impl Part {
    fn add(&mut self, line: &ScoreLine) {
        match line.outcome {
            "on_time" => self.on_time += 1,
            "late" => {
                self.late += 1;
                self.late_days += line.days_late;
            }
            "under_review" => self.under_review += 1,
            "missing" => self.missing += 1,
            "waived" => self.waived += 1,
            _ => {}
        }
        if line.scored {
            self.reports += 1;
            self.points += line.points;
            self.returns += line.returns;
        }
    }
}

/// How one obligation scores at `at`; none when it does not count (not yet due). Its outcome
/// is its status at `at`, as `status` and the bulletin count it; its days late, for the points,
/// are counted from the deadline the rules name (an extension's, or the original one).
fn score(row: &Assessed, scoring: &Scoring, at: i64) -> Option<ScoreLine> {
    let record = &row.record;
    let deadline = if scoring.extension_counts {
        record.effective_due_at
    } else {
        record.due_at
    };
    let days_late = |submitted: i64| {
        let late = submitted - deadline;
        if late < 0 { 0 } else { late / 86_400 + 1 }
    };
    let status = record.status_at(at);
    let (outcome, days_late) = match status {
        Status::Waived => ("waived", 0),
        Status::SubmittedOnTime => ("on_time", days_late(record.submitted_at?)),
        Status::SubmittedLate => ("late", days_late(record.submitted_at?)),
        Status::UnderReview | Status::ReviewOverdue => {
            ("under_review", days_late(record.submitted_at?))
        }
        Status::Overdue => ("missing", 0),
        _ => return None,
    };
    let points = match outcome {
        "waived" => scoring.on_time,
        "missing" => scoring.points(None, row.returns),
        _ => scoring.points(Some(days_late), row.returns),
    };
    let scored = !(outcome == "waived" && scoring.waived == Waived::Excluded);
    Some(ScoreLine {
        deliverable: row.deliverable.clone(),
        period: row.period.clone(),
        due_date: row.extended_until.clone().unwrap_or(row.due_date.clone()),
        outcome,
        days_late,
        returns: row.returns,
        points,
        scored,
    })
}

/// Best first: by score, then on-time rate; equal units share a place (1, 2, 2, 4).
fn rank(units: &mut [UnitScore]) {
    rank_by(
        units,
        |u| (u.score.unwrap_or(-1.0), u.on_time_rate.unwrap_or(-1.0)),
        |u, place| u.rank = place,
    );
}

/// Sorts `items` best first by `key` (highest first) and gives each its place with `set`:
/// equal keys share a place, and the next place counts them (1, 2, 2, 4).
pub(super) fn rank_by<T>(
    items: &mut [T],
    key: impl Fn(&T) -> (f64, f64),
    mut set: impl FnMut(&mut T, usize),
) {
    items.sort_by(|a, b| {
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut place = 0;
    for i in 0..items.len() {
        if i == 0 || key(&items[i]) != key(&items[i - 1]) {
            place = i + 1;
        }
        set(&mut items[i], place);
    }
}

/// Scores and rates are shown to two places.
fn round(n: f64) -> f64 {
    (n * 100.0).round() / 100.0
}

impl Office {
    /// Every deadline of `campaign` in `window`, by day, with how many units still owe each.
    pub fn deadlines(
        &self,
        store: &dyn Backend,
        campaign: &str,
        window: &Window,
        as_of: Instant,
    ) -> Result<Vec<Deadline>, AppError> {
        let header = store.campaign_header(campaign)?;
        let at = as_of.in_zone(header.zone).timestamp();
        let rows = store.assessed(
            header.id,
            &window.from.to_string(),
            &window.to.to_string(),
            at,
        )?;
        let mut out: Vec<Deadline> = Vec::new();
        for row in rows {
            let Ok(date) = NaiveDate::parse_from_str(&row.due_date, "%Y-%m-%d") else {
                continue;
            };
            let open = usize::from(row.record.status_at(at).is_open());
            match out
                .iter_mut()
                .find(|d| d.date == date && d.deliverable == row.deliverable)
            {
                Some(d) => {
                    d.units += 1;
                    d.open += open;
                }
                None => out.push(Deadline {
                    date,
                    deliverable: row.deliverable,
                    units: 1,
                    open,
                }),
            }
        }
        out.sort_by(|a, b| (a.date, &a.deliverable).cmp(&(b.date, &b.deliverable)));
        Ok(out)
    }
}
