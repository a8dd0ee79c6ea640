//! Checked campaign + calendar → schedule. A pure function: no I/O and no clock. Every
//! deliverable becomes its occurrences (one per period of a cadence, one per threshold of a
//! target, one for a one-off deadline), each with the date the document gives (nominal) and the
//! date it is due after the campaign's holiday rule. Obligations are occurrences × units.

use std::collections::HashSet;

use chrono::{Datelike, Days, NaiveDate};

use super::calendar::Calendar;
use super::obligation::Obligation;
use crate::language::campaign::*;
use crate::language::diagnostic::{Diagnostic, Problem};
use crate::vocabulary::Period;
use crate::vocabulary::{DurationUnit, PeriodUnit, ShiftRule};

/// More occurrences than this from one cadence is a mistake, not a campaign.
pub const MAX_OCCURRENCES: usize = 10_000;

/// One due date of a deliverable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// The period it covers; none for a one-off deadline.
    pub period: Option<Period>,
    /// The date the document gives.
    pub nominal: NaiveDate,
    /// The date it is due, as units are told it: the document's, or moved off a non-workday
    /// where the campaign says so (`提前`, `顺延`).
    pub due: NaiveDate,
    /// The last day on which it is on time: under the default rule the first workday on or
    /// after `due`, else `due` itself.
    pub on_time_until: NaiveDate,
    /// For a target, which of its thresholds.
    pub checkpoint: Option<usize>,
}

/// A deliverable's occurrence in the schedule.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Which deliverable.
    pub deliverable: DeliverableId,
    /// When.
    pub occurrence: Occurrence,
}

/// A compiled campaign: every occurrence of every deliverable, in date order.
#[derive(Clone, Debug)]
pub struct Schedule<'c> {
    /// The campaign.
    pub campaign: &'c Campaign,
    /// Occurrences sorted by due date, then deliverable, then period.
    pub entries: Vec<Entry>,
    /// Warnings: deadlines outside the campaign, years without holiday data.
    pub warnings: Vec<Diagnostic>,
    /// The last day open-ended cadences were expanded to.
    pub horizon: NaiveDate,
}

impl<'c> Schedule<'c> {
    /// The units that owe `entry` (those on the roll on its due date).
    pub fn owers<'s>(&'s self, entry: &'s Entry) -> impl Iterator<Item = usize> + 's {
        let units = &self.campaign.units;
        self.campaign.deliverables[entry.deliverable]
            .from
            .iter()
            .copied()
            .filter(move |&u| units[u].owes_on(entry.occurrence.due))
    }

    /// Every obligation (occurrence × owing unit), in schedule order.
    pub fn obligations(&self) -> impl Iterator<Item = Obligation<'_>> + '_ {
        self.entries.iter().flat_map(move |entry| {
            let deliverable = &self.campaign.deliverables[entry.deliverable];
            self.owers(entry).map(move |unit| Obligation {
                campaign: self.campaign,
                deliverable_id: entry.deliverable,
                deliverable,
                unit_id: unit,
                occurrence: &entry.occurrence,
            })
        })
    }

    /// How many obligations there are.
    pub fn len(&self) -> usize {
        self.entries.iter().map(|e| self.owers(e).count()).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Compiles `campaign` against `calendar`. Open-ended cadences run to `horizon` (default: the
/// end of the year after the campaign's end).
pub fn compile<'c>(
    campaign: &'c Campaign,
    calendar: &Calendar,
    horizon: Option<NaiveDate>,
) -> Result<Schedule<'c>, Vec<Diagnostic>> {
    let horizon = horizon.unwrap_or_else(|| campaign.default_horizon());
    let mut compiler = Compiler {
        campaign,
        calendar,
        horizon,
        once: vec![None; campaign.deliverables.len()],
        visiting: vec![false; campaign.deliverables.len()],
        errors: Vec::new(),
        warnings: Vec::new(),
        warned_years: HashSet::new(),
    };
    let mut entries = Vec::new();
    for (id, deliverable) in campaign.deliverables.iter().enumerate() {
        for occurrence in compiler.occurrences(id, deliverable) {
            entries.push(Entry {
                deliverable: id,
                occurrence,
            });
        }
    }
    compiler
        .errors
        .extend(taken_from_reports(campaign, &mut entries));
    if !compiler.errors.is_empty() {
        return Err(compiler.errors);
    }
    entries.sort_by(|a, b| {
        (a.occurrence.due, a.deliverable, &a.occurrence.period).cmp(&(
            b.occurrence.due,
            b.deliverable,
            &b.occurrence.period,
        ))
    });
    Ok(Schedule {
        campaign,
        entries,
        warnings: compiler.warnings,
        horizon,
    })
}

/// A target whose value is a report's field (`取自 统计表.支出进度`) is known when the report for
/// the period covering each threshold's date is in: each of its occurrences is due with that
/// report's. A threshold date no period of the report covers is an error.
fn taken_from_reports(campaign: &Campaign, entries: &mut [Entry]) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let covering = |entries: &[Entry], report: DeliverableId, date: NaiveDate| {
        entries
            .iter()
            .filter(|e| e.deliverable == report)
            .find(|e| e.occurrence.period.as_ref().is_some_and(|p| p.covers(date)))
            .map(|e| (e.occurrence.due, e.occurrence.on_time_until))
    };
    for i in 0..entries.len() {
        let d = &campaign.deliverables[entries[i].deliverable];
        let Some(from) = &d.value_from else { continue };
        let date = entries[i].occurrence.nominal;
        match covering(entries, from.report, date) {
            Some((due, on_time_until)) => {
                entries[i].occurrence.due = due;
                entries[i].occurrence.on_time_until = on_time_until;
            }
            None => {
                let report = &campaign.deliverables[from.report];
                errors.push(
                    Diagnostic::error(
                        Problem::Invalid {
                            message: format!(
                                "no period of `{}` covers {date}: target `{}` takes its value from it there",
                                report.name, d.name
                            ),
                        },
                        d.due_span,
                    )
                    .with_note(report.due_span, "its periods are set here"),
                );
            }
        }
    }
    errors
}

struct Compiler<'c, 'k> {
    campaign: &'c Campaign,
    calendar: &'k Calendar,
    horizon: NaiveDate,
    /// Due dates of one-off deliverables, once computed.
    once: Vec<Option<NaiveDate>>,
    visiting: Vec<bool>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    warned_years: HashSet<i32>,
}

impl Compiler<'_, '_> {
    fn occurrences(&mut self, id: DeliverableId, d: &Deliverable) -> Vec<Occurrence> {
        let mut out = match &d.due {
            Due::Ongoing | Due::Standing | Due::Rows(_) | Due::Passed => Vec::new(),
            Due::Once(_) => self
                .once_due(id)
                .map(|due| self.one_off(d, None, due))
                .into_iter()
                .collect(),
            Due::Several(dates) => dates
                .iter()
                .filter_map(|rule| {
                    let nominal = self.date(*rule)?;
                    Some(self.one_off(d, Some(Period::Date(nominal)), nominal))
                })
                .collect(),
            Due::Checkpoints(points) => points
                .iter()
                .enumerate()
                .filter_map(|(i, point)| {
                    let nominal = self.date(point.date)?;
                    let mut o = self.one_off(d, Some(Period::Date(nominal)), nominal);
                    o.checkpoint = Some(i);
                    Some(o)
                })
                .collect(),
            Due::Recurring(rec) => self.recurring(d, rec),
        };
        for o in &mut out {
            self.warn_unknown_year(id, o.due);
        }
        out
    }

    /// A one-off occurrence due (nominally) on `nominal`; warns when outside the campaign.
    fn one_off(
        &mut self,
        d: &Deliverable,
        period: Option<Period>,
        nominal: NaiveDate,
    ) -> Occurrence {
        let due = self.shift(nominal, d.shift);
        let c = self.campaign;
        // A deadline counted from its own phase (阶段结束后3天内) is meant to fall outside it.
        let from_own_phase = matches!(d.due, Due::Once(DateRule::Relative {
            anchor: AnchorRef::PhaseStart(p) | AnchorRef::PhaseEnd(p), ..
        }) if Some(p) == d.phase);
        if let Some(phase) = d.phase.map(|p| &c.phases[p])
            && !from_own_phase
            && (due < phase.start || phase.end.is_some_and(|end| due > end))
        {
            self.warnings.push(Diagnostic::warning(
                Problem::OutsidePhase {
                    name: d.name.clone(),
                    date: due.to_string(),
                    phase: phase.name.clone(),
                    start: phase.start.to_string(),
                    end: phase.end.map_or_else(|| "—".into(), |e| e.to_string()),
                },
                d.due_span,
            ));
        }
        if due < c.start || due > c.end {
            self.warnings.push(Diagnostic::warning(
                Problem::OutsideCampaign {
                    name: d.name.clone(),
                    date: due.to_string(),
                    start: c.start.to_string(),
                    end: c.end.to_string(),
                },
                d.due_span,
            ));
        }
        Occurrence {
            period,
            nominal,
            due,
            on_time_until: self.on_time_until(due, d.shift),
            checkpoint: None,
        }
    }

    /// The (nominal) due date of a one-off deliverable, computed once.
    fn once_due(&mut self, id: DeliverableId) -> Option<NaiveDate> {
        if let Some(date) = self.once[id] {
            return Some(date);
        }
        let Due::Once(rule) = self.campaign.deliverables[id].due else {
            return None;
        };
        if self.visiting[id] {
            return None; // a cycle: the checker has reported it
        }
        self.visiting[id] = true;
        let date = self.date(rule);
        self.visiting[id] = false;
        self.once[id] = date;
        date
    }

    fn date(&mut self, rule: DateRule) -> Option<NaiveDate> {
        match rule {
            DateRule::Fixed(date) => Some(date),
            DateRule::Relative {
                anchor,
                offset,
                unit,
            } => {
                let base = self.anchor(anchor)?;
                self.add(base, offset, unit)
            }
        }
    }

    fn anchor(&mut self, anchor: AnchorRef) -> Option<NaiveDate> {
        let c = self.campaign;
        match anchor {
            AnchorRef::PhaseStart(p) => Some(c.phases[p].start),
            AnchorRef::PhaseEnd(p) => c.phases[p].end,
            AnchorRef::CampaignStart => Some(c.start),
            AnchorRef::CampaignEnd => Some(c.end),
            AnchorRef::Deliverable(d) => {
                let nominal = self.once_due(d)?;
                Some(self.shift(nominal, c.deliverables[d].shift))
            }
        }
    }

    /// `date` plus `offset` days or workdays; the starting day is not counted.
    fn add(&self, date: NaiveDate, offset: i64, unit: DurationUnit) -> Option<NaiveDate> {
        match unit {
            DurationUnit::Workdays => self.calendar.add_workdays(date, offset),
            _ if offset >= 0 => date.checked_add_days(Days::new(offset as u64)),
            _ => date.checked_sub_days(Days::new(offset.unsigned_abs())),
        }
    }

    fn shift(&self, date: NaiveDate, rule: ShiftRule) -> NaiveDate {
        match rule {
            ShiftRule::Legal | ShiftRule::Strict => date,
            ShiftRule::NextWorkday => self.calendar.workday_on_or_after(date),
            ShiftRule::PreviousWorkday => self.calendar.workday_on_or_before(date),
        }
    }

    /// The last on-time day of a deadline stated as `due` (民法典 第二百零三条 under the default).
    fn on_time_until(&self, due: NaiveDate, rule: ShiftRule) -> NaiveDate {
        match rule {
            ShiftRule::Legal => self.calendar.workday_on_or_after(due),
            _ => due,
        }
    }

    fn warn_unknown_year(&mut self, id: DeliverableId, date: NaiveDate) {
        let year = date.year();
        // Once per year and campaign: every deadline of that year has the same problem.
        if self.calendar.knows(year) || !self.warned_years.insert(year) {
            return;
        }
        let d = &self.campaign.deliverables[id];
        self.warnings.push(
            Diagnostic::warning(
                Problem::UnknownYear {
                    year,
                    what: format!("`{}` (and every other deadline that year)", d.name),
                    date: date.to_string(),
                },
                d.due_span,
            )
            .with_help(Some(format!(
                "give {year}'s holiday notice (国务院办公厅关于{year}年部分节假日安排的通知) for good with `duban calendar import FILE`, or for one command with `--holidays FILE`; FILE is a holiday-cn JSON file or TOML like examples/calendars/2009.toml:\n[[notice]]\nyear = {year}\nholidays.\"春节\" = {{ off = [\"{year}-MM-DD..{year}-MM-DD\"], work = [\"{year}-MM-DD\"] }}"
            ))),
        );
    }

    // -----------------------------------------------------------------------------------------
    // Cadences
    // -----------------------------------------------------------------------------------------

    fn recurring(&mut self, d: &Deliverable, rec: &Recurrence) -> Vec<Occurrence> {
        let found = if rec.unit == PeriodUnit::Phase {
            self.per_phase(d, rec)
        } else {
            self.per_period(d, rec)
        };
        let Some((nominals, from, to)) = found else {
            return Vec::new();
        };
        if nominals.is_empty() {
            self.errors.push(
                Diagnostic::error(
                    Problem::NoOccurrence {
                        name: d.name.clone(),
                        from,
                        to,
                    },
                    d.due_span,
                )
                .with_help(Some(
                    "check its `first` and `last`, or the campaign's `period`".into(),
                )),
            );
        }
        nominals
            .into_iter()
            .map(|(period, nominal)| {
                let due = self.shift(nominal, d.shift);
                Occurrence {
                    period: Some(period),
                    nominal,
                    due,
                    on_time_until: self.on_time_until(due, d.shift),
                    checkpoint: None,
                }
            })
            .collect()
    }

    /// Occurrences of a calendar cadence, with the range searched (for "no occurrence").
    #[allow(clippy::type_complexity)]
    fn per_period(
        &mut self,
        d: &Deliverable,
        rec: &Recurrence,
    ) -> Option<(Vec<(Period, NaiveDate)>, String, String)> {
        let c = self.campaign;
        let (lower_period, lower_date) = match &rec.first {
            Some(Limit::Period(p)) => (Some(p.clone()), None),
            Some(Limit::Date(rule)) => (None, Some(self.date(*rule)?)),
            None => (None, Some(c.start)),
        };
        // A cadence inside an open-ended phase runs, like an ongoing one, to the horizon.
        let open_phase = rec.during.is_some_and(|p| c.phases[p].end.is_none());
        let (upper_period, upper_date) = match &rec.last {
            Some(Limit::Period(p)) => (Some(p.clone()), None),
            Some(Limit::Date(rule)) => (None, Some(self.date(*rule)?)),
            None if rec.ongoing || open_phase => (None, Some(self.horizon)),
            None => (None, Some(c.end)),
        };
        let window = rec.during.map(|p| self.phase_window(p));
        let begin = match &lower_period {
            Some(p) => p.first_day()?,
            None => lower_date?,
        };
        let later = rec.rules.iter().map(|r| r.later()).max().unwrap_or(0);
        let step = i64::from(rec.step.max(1));
        // Far enough back that no period whose deadline falls in range is missed, keeping the
        // periods of a multi-unit cadence aligned on the one that contains `begin`.
        let back = (i64::from(later) + step) / step * step;
        let mut period = Period::containing(rec.unit, begin)?.shift(-back)?;
        let mut out = Vec::new();
        let mut first_covered = None;
        for _ in 0..MAX_OCCURRENCES * 10 {
            let mut nominals: Vec<NaiveDate> = rec
                .rules
                .iter()
                .filter_map(|rule| self.due_in(&period, rec.step, *rule))
                .collect();
            nominals.sort();
            let Some(&earliest) = nominals.first() else {
                break;
            };
            if upper_period.as_ref().is_some_and(|u| &period > u)
                || upper_date.is_some_and(|u| earliest > u)
            {
                break;
            }
            for nominal in nominals {
                let included = lower_period.as_ref().is_none_or(|l| &period >= l)
                    && lower_date.is_none_or(|l| nominal >= l)
                    && upper_date.is_none_or(|u| nominal <= u)
                    && window.is_none_or(|(s, e)| s <= nominal && nominal <= e);
                if !included {
                    continue;
                }
                if first_covered.is_none() {
                    first_covered = Some((period.clone(), nominal));
                }
                // Several deadlines in one period: each occurrence is named by its date.
                let name = if rec.rules.len() > 1 {
                    Period::Date(nominal)
                } else {
                    period.clone()
                };
                out.push((name, nominal));
                if out.len() > MAX_OCCURRENCES {
                    self.too_many(d);
                    return None;
                }
            }
            period = period.shift(step)?;
        }
        if rec.first.is_none()
            && let Some((period, nominal)) = first_covered
        {
            self.warn_period_before_campaign(d, rec, &period, nominal);
        }
        let from = lower_period
            .map(|p| p.to_string())
            .or(lower_date.map(|d| d.to_string()))
            .unwrap_or_default();
        let to = upper_period
            .map(|p| p.to_string())
            .or(upper_date.map(|d| d.to_string()))
            .unwrap_or_default();
        Some((out, from, to))
    }

    /// Without `first`, a cadence starts with the first deadline in the campaign; when that
    /// one covers a period wholly before the campaign (`每月 下月5日前` from 1 March covers
    /// February), the document may have meant it or not: say so.
    fn warn_period_before_campaign(
        &mut self,
        d: &Deliverable,
        rec: &Recurrence,
        period: &Period,
        due: NaiveDate,
    ) {
        let c = self.campaign;
        let last = period
            .shift(i64::from(rec.step.max(1)))
            .and_then(|p| p.first_day())
            .and_then(|p| p.pred_opt());
        if last.is_none_or(|last| last >= c.start) {
            return;
        }
        let after = Period::containing(rec.unit, c.start);
        let help = match after {
            Some(Period::Month { year, month }) => format!(
                "if the first report is the one on {year}-{month:02}, add `首期 {year}年{month}月` (`first {year}-{month:02}`); to keep {period}, write `首期` for it"
            ),
            Some(p) => format!(
                "if the first report is the one on {p}, add `first {p}` (首期); to keep {period}, write `first {period}`"
            ),
            None => "give the first period with `first` (首期)".into(),
        };
        self.warnings.push(
            Diagnostic::warning(
                Problem::PeriodBeforeCampaign {
                    name: d.name.clone(),
                    date: due.to_string(),
                    period: period.to_string(),
                    start: c.start.to_string(),
                },
                d.due_span,
            )
            .with_help(Some(help)),
        );
    }

    /// Occurrences of a per-phase cadence: one per phase, in declaration order.
    #[allow(clippy::type_complexity)]
    fn per_phase(
        &mut self,
        d: &Deliverable,
        rec: &Recurrence,
    ) -> Option<(Vec<(Period, NaiveDate)>, String, String)> {
        let campaign = self.campaign;
        let phases = &campaign.phases;
        // Like a calendar cadence's, the occurrences end with the campaign unless the file says
        // otherwise (`last`, `ongoing`, or a phase that is itself open-ended).
        let open_phase = rec.during.is_some_and(|p| phases[p].end.is_none());
        let bounded = rec.last.is_none() && !rec.ongoing && !open_phase;
        let lower = match &rec.first {
            Some(Limit::Date(rule)) => Some(self.date(*rule)?),
            _ => None,
        };
        let upper = match &rec.last {
            Some(Limit::Date(rule)) => Some(self.date(*rule)?),
            _ => None,
        };
        let window = rec.during.map(|p| self.phase_window(p));
        let rule = rec.rules.first().copied()?;
        let mut out = Vec::new();
        for (i, phase) in phases.iter().enumerate() {
            // After the last phase, "the next phase" starts the day after it ends.
            let next_start = phases
                .get(i + 1)
                .map(|p| p.start)
                .or(phase.end.and_then(|e| e.succ_opt()));
            let base = match rule {
                DueRule::PhaseRelative {
                    next: true,
                    start: true,
                    ..
                } => next_start,
                DueRule::PhaseRelative {
                    next: true,
                    start: false,
                    ..
                } => phases.get(i + 1).and_then(|p| p.end),
                DueRule::PhaseRelative { start: true, .. } => Some(phase.start),
                DueRule::PhaseRelative { start: false, .. } | DueRule::End { .. } => phase.end,
                DueRule::Day { day, .. } => phase
                    .start
                    .checked_add_days(Days::new(u64::from(day.saturating_sub(1))))
                    .map(|x| phase.end.map_or(x, |end| x.min(end))),
                _ => None,
            };
            let nominal = match (base, rule) {
                (Some(b), DueRule::PhaseRelative { offset, unit, .. }) => self.add(b, offset, unit),
                (b, _) => b,
            };
            let Some(nominal) = nominal else { continue };
            let included = lower.is_none_or(|l| nominal >= l)
                && upper.is_none_or(|u| nominal <= u)
                && window.is_none_or(|(s, e)| s <= nominal && nominal <= e);
            if !included {
                continue;
            }
            if bounded && nominal > campaign.end {
                self.warnings.push(
                    Diagnostic::warning(
                        Problem::PhaseReportAfterCampaign {
                            name: d.name.clone(),
                            phase: phase.name.clone(),
                            date: nominal.to_string(),
                            end: campaign.end.to_string(),
                        },
                        d.due_span,
                    )
                    .with_help(Some(format!(
                        "to keep it, add `last {nominal}` (末期 …) or `ongoing` (长期坚持); a report on the last phase is usually due by its end: `时限 {} 结束`",
                        phase.name
                    ))),
                );
                continue;
            }
            out.push((Period::Phase(phase.name.clone()), nominal));
        }
        let from = phases.first().map(|p| p.name.clone()).unwrap_or_default();
        let to = phases.last().map(|p| p.name.clone()).unwrap_or_default();
        Some((out, from, to))
    }

    /// A phase's days; an open-ended one runs to the horizon.
    fn phase_window(&self, phase: PhaseId) -> (NaiveDate, NaiveDate) {
        let p = &self.campaign.phases[phase];
        (p.start, p.end.unwrap_or(self.horizon))
    }

    /// The nominal due date under `rule` of the occurrence covering `period`, a period of
    /// `step` units: its deadline falls in the last of them (or `later` periods after).
    fn due_in(&self, period: &Period, step: u32, rule: DueRule) -> Option<NaiveDate> {
        let step = i64::from(step.max(1));
        let base = period.shift(step - 1 + i64::from(rule.later()) * step)?;
        match rule {
            DueRule::Day { day, .. } => base.day(day),
            DueRule::End { .. } => base.last_day(),
            DueRule::LastWorkday { .. } => {
                Some(self.calendar.workday_on_or_before(base.last_day()?))
            }
            DueRule::MonthDay { month, day, .. } => {
                let year = base.first_day()?.year();
                let first = NaiveDate::from_ymd_opt(year, month, 1)?;
                let last = Period::containing(PeriodUnit::Month, first)?.last_day()?;
                Some(NaiveDate::from_ymd_opt(year, month, day).unwrap_or(last))
            }
            DueRule::Weekday { weekday, .. } => base
                .first_day()?
                .checked_add_days(Days::new(u64::from(weekday))),
            DueRule::PhaseRelative { .. } => None,
        }
    }

    fn too_many(&mut self, d: &Deliverable) {
        self.errors.push(Diagnostic::error(
            Problem::TooManyOccurrences {
                name: d.name.clone(),
                limit: MAX_OCCURRENCES,
            },
            d.due_span,
        ));
    }
}
