//! The bulletin (通报) of a campaign for a month, a quarter or any days: how the units stand at
//! the end of it — the same counts as `status`, the same late list as `overdue`, both at that
//! instant — ranked by on-time rate, with the targets below threshold, the units the campaign's
//! rule proposes for an interview (约谈) and the interviews held.

use chrono::NaiveDate;
use serde::Serialize;

use super::assess::{Window, chinese_date};
use super::{AppError, Office, TargetFinding, TargetState};
use crate::clock::Instant;
use crate::store::{Backend, Filter, Interview, StatusRow};
use crate::vocabulary::{Duration, DurationUnit};

/// The counts of a bulletin's summary: every obligation of the campaign at the window's end.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Units that owe something.
    pub units: usize,
    /// Reports due by then, or dealt with.
    pub due: usize,
    /// On time.
    pub on_time: usize,
    /// Late.
    pub late: usize,
    /// Awaiting review.
    pub under_review: usize,
    /// Waived.
    pub waived: usize,
    /// Overdue and not sent.
    pub overdue: usize,
}

impl Counts {
    fn add(&mut self, row: &StatusRow) {
        self.due += row.due;
        self.on_time += row.on_time;
        self.late += row.late;
        self.under_review += row.under_review;
        self.waived += row.waived;
        self.overdue += row.overdue;
    }

    /// On-time reports of those due (waived ones left out), in percent.
    pub fn on_time_rate(&self) -> Option<f64> {
        let judged = self.due - self.waived;
        (judged > 0).then(|| (self.on_time as f64 * 1000.0 / judged as f64).round() / 10.0)
    }
}

/// One unit's line of the ranking.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranked {
    /// Its place.
    pub rank: usize,
    /// The unit.
    pub unit: String,
    /// Its counts.
    #[serde(flatten)]
    pub counts: Counts,
    /// Its on-time rate, in percent.
    pub on_time_rate: Option<f64>,
}

/// A report still missing at the window's end.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Missing {
    /// The unit.
    pub unit: String,
    /// The report.
    pub deliverable: String,
    /// Its period.
    pub period: Option<String>,
    /// Its deadline, as units were told it.
    pub due_date: String,
    /// Its last on-time day: `due_date`, or the workday a rest day moved it to.
    pub on_time_until: String,
    /// Days overdue, from `on_time_until`.
    pub days_overdue: i64,
}

/// A unit the campaign's rule proposes to interview.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Proposal {
    /// The unit.
    pub unit: String,
    /// The lapses: reports overdue past the interview rung, `统计表 2017-04（逾期36天）`.
    pub lapses: Vec<String>,
}

/// A campaign's bulletin for a window.
#[derive(Clone, Debug, Serialize)]
pub struct Bulletin {
    /// Campaign identifier.
    pub campaign: String,
    /// Its title.
    pub title: String,
    /// 文号.
    pub doc: Option<String>,
    /// 发文单位.
    pub issuer: Option<String>,
    /// The office that runs it (the bulletin's author).
    pub office: Option<String>,
    /// The time covered.
    pub window: Window,
    /// The date of issue.
    pub issued: NaiveDate,
    /// The counts at the window's end.
    pub counts: Counts,
    /// The summary paragraph, in the style of such documents.
    pub summary: String,
    /// Units by on-time rate, best first.
    pub ranking: Vec<Ranked>,
    /// Reports still missing at the window's end, longest overdue first.
    pub missing: Vec<Missing>,
    /// Targets below their threshold.
    pub below_target: Vec<TargetFinding>,
    /// Every target value reported by the window's end, by date (for the progress chart).
    #[serde(skip)]
    pub targets: Vec<TargetFinding>,
    /// The campaign's interview rule (`逾期14天约谈`), if its ladder has one.
    pub interview_rule: Option<String>,
    /// Units proposed for an interview by that rule.
    pub proposed: Vec<Proposal>,
    /// Interviews held in the window.
    pub interviews: Vec<(String, String)>,
    /// How many reports were overdue at the end of each week of the window (and at its end).
    pub trend: Vec<(NaiveDate, usize)>,
}

impl Office {
    /// The bulletin of `campaign` for `window`, as the records stand at its end, issued on
    /// `issued`.
    pub fn bulletin(
        &self,
        store: &dyn Backend,
        campaign: &str,
        window: &Window,
        issued: NaiveDate,
    ) -> Result<Bulletin, AppError> {
        let header = store.campaign_header(campaign)?;
        let end = window.end();
        let filter = Filter {
            campaigns: vec![campaign.to_string()],
            ..Filter::default()
        };
        // The campaign's targets are read once: for the status rows' lights and for the list.
        let findings = self.targets(store, Some(campaign), end)?;
        let mut rows = store.status(&filter, end)?;
        super::targets::mark_below(&mut rows, &findings);
        let mut counts = Counts::default();
        let mut ranking: Vec<Ranked> = Vec::new();
        for row in &rows {
            counts.add(row);
            if ranking.last().is_none_or(|r| r.unit != row.unit) {
                ranking.push(Ranked {
                    rank: 0,
                    unit: row.unit.clone(),
                    counts: Counts::default(),
                    on_time_rate: None,
                });
            }
            ranking.last_mut().expect("just pushed").counts.add(row);
        }
        counts.units = ranking.len();
        rank(&mut ranking);
        let mut missing: Vec<Missing> = store
            .overdue(&filter, end)?
            .into_iter()
            .map(|r| Missing {
                unit: r.unit.to_string(),
                deliverable: r.deliverable.to_string(),
                period: r.period.map(|p| p.to_string()),
                due_date: r.due_date.to_string(),
                on_time_until: r.on_time_until.to_string(),
                days_overdue: r.days_overdue,
            })
            .collect();
        missing.sort_by_key(|m| std::cmp::Reverse(m.days_overdue));
        let targets: Vec<TargetFinding> =
            findings.into_iter().filter(|f| f.value.is_some()).collect();
        let below_target = targets
            .iter()
            .filter(|f| f.state == TargetState::BelowTarget)
            .cloned()
            .collect();
        let held = store.interviews(header.id)?;
        let start = Instant::Local(window.from.and_hms_opt(0, 0, 0).expect("midnight"))
            .in_zone(header.zone)
            .timestamp();
        let end_at = end.in_zone(header.zone).timestamp();
        let rung = header.policy.ladder.iter().find(|r| r.interview);
        let interview_rule = rung.map(|r| rule(r.after));
        let proposed = match rung {
            Some(r) => self.proposals(r.after, &missing, &held, window.to, header.zone),
            None => Vec::new(),
        };
        let interviews = held
            .iter()
            .filter(|i| (start..=end_at).contains(&i.at))
            .map(|i| (i.unit.clone(), interview_line(i, header.zone)))
            .collect();
        let summary = summary(&header.title, window, &counts);
        let mut trend = Vec::new();
        for day in week_ends(window) {
            let at = Instant::Local(day.and_hms_opt(23, 59, 59).expect("a valid time"));
            // Overdue counts alone: no target's value changes them.
            let overdue = store.status(&filter, at)?.iter().map(|r| r.overdue).sum();
            trend.push((day, overdue));
        }
        Ok(Bulletin {
            campaign: header.key,
            title: header.title,
            doc: header.doc,
            issuer: header.issuer,
            office: header.office,
            window: window.clone(),
            issued,
            counts,
            summary,
            ranking,
            missing,
            below_target,
            targets,
            interview_rule,
            proposed,
            interviews,
            trend,
        })
    }

    /// The units with a report overdue past the campaign's interview rung by `day`, unless they
    /// were interviewed since that report fell due (the same lapse is not proposed twice).
    fn proposals(
        &self,
        after: Duration,
        missing: &[Missing],
        held: &[Interview],
        day: NaiveDate,
        zone: chrono_tz::Tz,
    ) -> Vec<Proposal> {
        let mut out: Vec<Proposal> = Vec::new();
        for m in missing {
            let Ok(due) = NaiveDate::parse_from_str(&m.due_date, "%Y-%m-%d") else {
                continue;
            };
            let reached =
                crate::notices::plan::shift(&self.calendar, due, after, true).unwrap_or(due);
            let since = Instant::Local(due.and_hms_opt(0, 0, 0).expect("midnight"))
                .in_zone(zone)
                .timestamp();
            let interviewed = held.iter().any(|i| i.unit == m.unit && i.at >= since);
            if reached > day || interviewed {
                continue;
            }
            let lapse = format!(
                "{}{}（逾期{}天）",
                m.deliverable,
                m.period
                    .as_deref()
                    .map(|p| format!(" {p}"))
                    .unwrap_or_default(),
                m.days_overdue
            );
            match out.iter_mut().find(|p| p.unit == m.unit) {
                Some(p) => p.lapses.push(lapse),
                None => out.push(Proposal {
                    unit: m.unit.clone(),
                    lapses: vec![lapse],
                }),
            }
        }
        out
    }
}

/// The Sundays of the window, and its last day.
fn week_ends(window: &Window) -> Vec<NaiveDate> {
    use chrono::Datelike;
    let mut out: Vec<NaiveDate> = window
        .from
        .iter_days()
        .take_while(|d| *d < window.to)
        .filter(|d| d.weekday() == chrono::Weekday::Sun)
        .collect();
    out.push(window.to);
    out
}

/// The interview rung as a document writes it: `逾期14天约谈`.
fn rule(after: Duration) -> String {
    let unit = match after.unit {
        DurationUnit::Days => "天",
        DurationUnit::Workdays => "个工作日",
        DurationUnit::Weeks => "周",
    };
    format!("逾期{}{unit}约谈", after.count)
}

/// Best first by on-time rate, then fewer overdue; equal units share a place.
fn rank(ranking: &mut [Ranked]) {
    for r in ranking.iter_mut() {
        r.on_time_rate = r.counts.on_time_rate();
    }
    super::assess::rank_by(
        ranking,
        |r| (r.on_time_rate.unwrap_or(-1.0), -(r.counts.overdue as f64)),
        |r, place| r.rank = place,
    );
}

/// `截至2017年5月31日，…共有26个单位应报送52项，按时报送40项，…`
fn summary(title: &str, window: &Window, c: &Counts) -> String {
    let mut text = format!(
        "截至{}，{title}共有{}个单位应报送{}项，其中按时报送{}项，逾期报送{}项",
        chinese_date(window.to),
        c.units,
        c.due,
        c.on_time,
        c.late
    );
    if c.under_review > 0 {
        text.push_str(&format!("，待审核{}项", c.under_review));
    }
    if c.waived > 0 {
        text.push_str(&format!("，免报{}项", c.waived));
    }
    text.push_str(&format!("，尚未报送{}项", c.overdue));
    match c.on_time_rate() {
        Some(rate) => text.push_str(&format!(
            "，按时报送率{}%。",
            crate::language::form::num(rate)
        )),
        None => text.push('。'),
    }
    text
}

/// `2017年6月2日 市纪委 约谈：…`
fn interview_line(i: &Interview, zone: chrono_tz::Tz) -> String {
    use chrono::TimeZone;
    let day = zone
        .timestamp_opt(i.at, 0)
        .single()
        .map(|t| chinese_date(t.date_naive()))
        .unwrap_or_default();
    let mut line = format!("{day}，{}", i.reason);
    if let Some(by) = &i.by {
        line.push_str(&format!("（{by}）"));
    }
    if let Some(note) = &i.note {
        line.push_str(&format!("：{note}"));
    }
    line
}

impl Office {
    /// Records an interview (约谈) held with `unit` at `at`, by `by`, for `reason` (the rung
    /// that proposed it, or the supervisor's own decision).
    #[allow(clippy::too_many_arguments)]
    pub fn record_interview(
        &self,
        store: &mut dyn Backend,
        campaign: &str,
        unit: &str,
        at: Instant,
        by: Option<String>,
        reason: String,
        note: Option<String>,
    ) -> Result<(), AppError> {
        let meta = self.meta(store, campaign, at, by, note)?;
        store.record_interview(&crate::store::NewInterview {
            campaign,
            unit,
            at: meta.at,
            recorded_at: meta.recorded_at,
            by: meta.by,
            reason,
            note: meta.note,
        })?;
        Ok(())
    }
}
