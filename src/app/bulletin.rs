//! The bulletin (通报) of a campaign for a month, a quarter or any days, in two counts, each
//! labelled: 本期, the reports that fell due in the window, and 累计, every report that fell due
//! from the campaign's start to the window's end — the same counts as `status`, the same late
//! list as `overdue`, narrowed to those deadlines, at the window's end (or at the instant the
//! bulletin is made, while the window is not over). A report falls in the window its deadline,
//! as the campaign gives it, is in: one sent early for a later period counts in that period.
//! Units are ranked by their 本期 on-time rate (or 累计, where the campaign's `考核` says
//! `排名 按累计`); the units the campaign's rule proposes for an
//! interview (约谈) are those with a report overdue past its rung, whatever period it was due in
//! (累计); with the targets below threshold and the interviews held.

use chrono::NaiveDate;

use super::{AppError, Office};
use crate::clock::Instant;
use crate::reports::{
    Basis, Bulletin, Counts, INTERVIEW_BASIS, Missing, Proposal, Ranked, TargetFinding,
    TargetState, Window, chinese_date,
};
use crate::store::{Backend, Filter, Interview};
use crate::vocabulary::{Duration, DurationUnit, Period, PeriodUnit};

impl Office {
    /// The bulletin of `campaign` for `window`, made at `made` and issued on `issued`: the
    /// records as they stood at the window's end, or at `made` while the window is not over. A
    /// window that has not begun at `made` is refused.
    pub fn bulletin(
        &self,
        store: &dyn Backend,
        campaign: &str,
        window: &Window,
        made: Instant,
        issued: NaiveDate,
    ) -> Result<Bulletin, AppError> {
        let header = store.campaign_header(campaign)?;
        let zone = header.zone;
        let at = window.counted_at(made, zone);
        let at_utc = at.in_zone(zone);
        let as_of = at_utc.with_timezone(&zone).date_naive();
        if as_of < window.from {
            return Err(AppError::NotBegun {
                window: window.label.clone(),
                from: window.from,
                made: as_of,
            });
        }
        let complete = at_utc >= window.end().in_zone(zone);
        let to_date = Filter {
            campaigns: vec![campaign.to_string()],
            due_to: Some(window.to),
            ..Filter::default()
        };
        let period = Filter {
            due_from: Some(window.from),
            ..to_date.clone()
        };
        // The campaign's targets are read once: for the status rows' lights and for the list.
        let findings = self.targets(store, Some(campaign), at)?;
        let mut rows = store.status(&to_date, at)?;
        super::targets::mark_below(&mut rows, &findings);
        let mut ranking: Vec<Ranked> = Vec::new();
        for row in &rows {
            if ranking.last().is_none_or(|r| r.unit != row.unit) {
                ranking.push(Ranked {
                    rank: 0,
                    unit: row.unit.clone(),
                    counts: Counts::default(),
                    to_date: Counts::default(),
                    on_time_rate: None,
                });
            }
            ranking.last_mut().expect("just pushed").to_date.add(row);
        }
        for row in &store.status(&period, at)? {
            if let Some(r) = ranking.iter_mut().find(|r| r.unit == row.unit) {
                r.counts.add(row);
            }
        }
        let total = |of: fn(&Ranked) -> &Counts| {
            let mut c = Counts::default();
            for r in &ranking {
                let unit = of(r);
                c.units += usize::from(unit.due > 0);
                c.due += unit.due;
                c.on_time += unit.on_time;
                c.late += unit.late;
                c.under_review += unit.under_review;
                c.waived += unit.waived;
                c.overdue += unit.overdue;
            }
            c
        };
        let counts = total(|r| &r.counts);
        let to_date_counts = total(|r| &r.to_date);
        for r in &mut ranking {
            r.counts.units = usize::from(r.counts.due > 0);
            r.to_date.units = usize::from(r.to_date.due > 0);
        }
        let ranking_basis = header
            .scoring
            .as_ref()
            .map(|s| s.ranking)
            .unwrap_or_default();
        rank(&mut ranking, ranking_basis);
        let mut missing: Vec<Missing> = store
            .overdue(&to_date, at)?
            .into_iter()
            .map(|r| Missing {
                unit: r.unit.to_string(),
                deliverable: r.deliverable.to_string(),
                period: r.period.map(|p| p.to_string()),
                in_period: false,
                due_date: r.due_date.to_string(),
                on_time_until: r.on_time_until.to_string(),
                days_overdue: r.days_overdue,
            })
            .collect();
        // Which of them fell due in the window: `overdue` narrowed to it.
        let in_period: Vec<(String, String, Option<String>)> = store
            .overdue(&period, at)?
            .into_iter()
            .map(|r| {
                (
                    r.unit.to_string(),
                    r.deliverable.to_string(),
                    r.period.map(|p| p.to_string()),
                )
            })
            .collect();
        for m in &mut missing {
            m.in_period = in_period
                .iter()
                .any(|(u, d, p)| *u == m.unit && *d == m.deliverable && *p == m.period);
        }
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
            .in_zone(zone)
            .timestamp();
        let end_at = at_utc.timestamp();
        let rung = header.policy.ladder.iter().find(|r| r.interview);
        let interview_rule = rung.map(|r| rule(r.after));
        let proposed = match rung {
            Some(r) => self.proposals(r.after, &missing, &held, as_of, zone),
            None => Vec::new(),
        };
        let interviews = held
            .iter()
            .filter(|i| (start..=end_at).contains(&i.at))
            .map(|i| (i.unit.clone(), interview_line(i, zone)))
            .collect();
        let super::recorded::Notes {
            backfilled,
            late_reviews,
            requests,
        } = super::recorded::notes(
            store,
            header.id,
            zone,
            (start, end_at),
            (
                &window.to.to_string(),
                rows.iter().any(|r| r.review_overdue > 0),
            ),
        )?;
        let summary = summary(
            &header.title,
            window,
            as_of,
            complete,
            &counts,
            &to_date_counts,
        );
        let mut trend = Vec::new();
        for day in week_ends(window, as_of) {
            let end_of_day = Instant::Local(day.and_hms_opt(23, 59, 59).expect("a valid time"));
            let when = if day == as_of { at } else { end_of_day };
            // Overdue counts alone: no target's value changes them.
            let overdue = store
                .status(&to_date, when)?
                .iter()
                .map(|r| r.overdue)
                .sum();
            trend.push((day, overdue));
        }
        let unacknowledged = self.unacknowledged(store, header.id, zone, end_at)?;
        let instructions = self
            .instructions(store, campaign, at)?
            .into_iter()
            .map(|i| crate::reports::Instructed {
                state: i.state_zh().to_string(),
                leader: i.leader,
                text: i.text,
                about: i.about,
                unit: i.unit,
                due_date: i.due_date,
            })
            .collect();
        let letters = letters_issued(store, campaign, &ranking, window, end_at)?;
        Ok(Bulletin {
            campaign: header.key,
            title: header.title,
            doc: header.doc,
            issuer: header.issuer,
            office: header.office,
            // The office's to give, on the page or the command line.
            number: None,
            to: None,
            window: window.clone(),
            as_of,
            complete,
            issued,
            counts,
            to_date: to_date_counts,
            summary,
            ranking_basis,
            ranking,
            missing,
            below_target,
            targets,
            interview_rule,
            interview_basis: INTERVIEW_BASIS,
            proposed,
            interviews,
            backfilled,
            requests,
            unacknowledged,
            instructions,
            letters,
            late_reviews,
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

/// The Sundays of the window up to `last`, and `last` (the day counted at).
fn week_ends(window: &Window, last: NaiveDate) -> Vec<NaiveDate> {
    use chrono::Datelike;
    let mut out: Vec<NaiveDate> = window
        .from
        .iter_days()
        .take_while(|d| *d < last)
        .filter(|d| d.weekday() == chrono::Weekday::Sun)
        .collect();
    out.push(last);
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

/// Best first by on-time rate of `basis`, then fewer overdue; equal units share a place.
fn rank(ranking: &mut [Ranked], basis: Basis) {
    let of = |r: &Ranked| match basis {
        Basis::Period => r.counts.clone(),
        Basis::ToDate => r.to_date.clone(),
    };
    for r in ranking.iter_mut() {
        r.on_time_rate = of(r).on_time_rate();
    }
    super::assess::rank_by(
        ranking,
        |r| (r.on_time_rate.unwrap_or(-1.0), -(of(r).overdue as f64)),
        |r, place| r.rank = place,
    );
}

/// `截至2017年5月31日，…本期（2017年5月）共有26个单位应报送52项，其中按时报送40项，…；自专项开始
/// 累计应报送80项，…`
fn summary(
    title: &str,
    window: &Window,
    as_of: NaiveDate,
    complete: bool,
    period: &Counts,
    to_date: &Counts,
) -> String {
    let mut text = format!("截至{}", chinese_date(as_of));
    if !complete {
        text.push_str("（本期尚未结束）");
    }
    text.push_str(&format!("，{title}本期（{}）", window.label));
    if period.due == 0 {
        text.push_str("暂无到期应报送事项");
    } else {
        text.push_str(&format!(
            "共有{}个单位应报送{}项，其中",
            period.units, period.due
        ));
        text.push_str(&tally(period));
    }
    text.push_str(&format!(
        "；自专项开始累计共有{}个单位应报送{}项，其中",
        to_date.units, to_date.due
    ));
    text.push_str(&tally(to_date));
    text.push('。');
    text
}

/// `按时报送40项，逾期报送8项，尚未报送4项，按时报送率76.9%`.
fn tally(c: &Counts) -> String {
    let mut text = format!("按时报送{}项，逾期报送{}项", c.on_time, c.late);
    if c.under_review > 0 {
        text.push_str(&format!("，待审核{}项", c.under_review));
    }
    if c.waived > 0 {
        text.push_str(&format!("，免报{}项", c.waived));
    }
    text.push_str(&format!("，尚未报送{}项", c.overdue));
    if let Some(rate) = c.on_time_rate() {
        text.push_str(&format!(
            "，按时报送率{}%",
            crate::language::form::num(rate)
        ));
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
    /// The periods a bulletin of `campaign` may be asked for at `made`: every month, quarter
    /// and year from the one its first report falls due in to the one its last does, leaving
    /// out those not begun at `made` (their bulletin is refused) — months, then quarters, then
    /// years, each in order.
    pub fn bulletin_periods(
        &self,
        store: &dyn Backend,
        campaign: &str,
        made: Instant,
    ) -> Result<Vec<Period>, AppError> {
        let header = store.campaign_header(campaign)?;
        let at = made.in_zone(header.zone);
        let today = at.with_timezone(&header.zone).date_naive();
        let mut first: Option<NaiveDate> = None;
        let mut last: Option<NaiveDate> = None;
        for a in store.assessed(header.id, "0000-01-01", "9999-12-31", at.timestamp())? {
            if let Ok(due) = NaiveDate::parse_from_str(&a.due_date, "%Y-%m-%d") {
                first = Some(first.map_or(due, |f| f.min(due)));
                last = Some(last.map_or(due, |l| l.max(due)));
            }
        }
        let (Some(first), Some(last)) = (first, last) else {
            return Ok(Vec::new());
        };
        let mut periods = Vec::new();
        for unit in [PeriodUnit::Month, PeriodUnit::Quarter, PeriodUnit::Year] {
            let mut next = Period::containing(unit, first);
            while let Some(period) = next {
                match period.first_day() {
                    Some(from) if from <= last && from <= today => {}
                    _ => break,
                }
                next = period.shift(1);
                periods.push(period);
            }
        }
        Ok(periods)
    }

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

/// Gives the bulletin its own 文号 (`number`) and 主送机关 (`to`) as the office typed them:
/// trimmed, an empty one as none; one too long, or holding a character people would not see,
/// is refused (in English and in Chinese), and the bulletin is left as it was.
pub fn address_bulletin(
    b: &mut Bulletin,
    number: Option<&str>,
    to: Option<&str>,
) -> Result<(), AppError> {
    let mut problems = Vec::new();
    let mut take = |what: &str, zh_what: &str, text: Option<&str>| -> Option<String> {
        let text = text.map(str::trim).filter(|t| !t.is_empty())?;
        if let Err(e) =
            crate::vocabulary::typed::within(what, text, crate::vocabulary::typed::NAME_MAX)
        {
            problems.push(crate::values::Invalid {
                at: what.to_string(),
                message: e.to_string(),
                field: Some(what.to_string()),
                zh: Some(format!(
                    "{zh_what}超过{}个字符",
                    crate::vocabulary::typed::NAME_MAX
                )),
            });
            return None;
        }
        if let Some(c) = text
            .chars()
            .find(|c| crate::vocabulary::typed::is_hidden(*c))
        {
            problems.push(crate::values::Invalid {
                at: what.to_string(),
                message: format!(
                    "{what} holds an invisible control character (U+{:04X})",
                    u32::from(c)
                ),
                field: Some(what.to_string()),
                zh: Some(format!(
                    "{zh_what}含有不可见的控制字符（U+{:04X}），请删去后重试",
                    u32::from(c)
                )),
            });
            return None;
        }
        Some(text.to_string())
    };
    let number = take("number", "文号", number);
    let to = take("to", "主送机关", to);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    b.number = number;
    b.to = to;
    Ok(())
}

/// The letters the ladder issued the campaign's units in `window`, by `end_at` (unix seconds),
/// in the order issued.
fn letters_issued(
    store: &dyn Backend,
    campaign: &str,
    ranking: &[Ranked],
    window: &Window,
    end_at: i64,
) -> Result<Vec<crate::reports::Issued>, AppError> {
    let (from, to) = (window.from.to_string(), window.to.to_string());
    let mut letters = Vec::new();
    for r in ranking {
        letters.extend(store.letters_of(&r.unit)?.into_iter().filter(|l| {
            l.campaign == campaign
                && l.issued_at <= end_at
                && (from.as_str()..=to.as_str()).contains(&l.day.as_str())
        }));
    }
    letters.sort_by_key(|l| (l.issued_at, l.number));
    Ok(letters
        .into_iter()
        .map(|l| crate::reports::Issued {
            number: l.number_text(),
            items: l
                .items
                .iter()
                .map(|i| {
                    let name = i.title.as_deref().unwrap_or(&i.deliverable);
                    if i.period.is_empty() {
                        name.to_string()
                    } else {
                        format!("{name}（{}）", i.period)
                    }
                })
                .collect::<Vec<_>>()
                .join("、"),
            unit: l.unit,
            day: l.day,
        })
        .collect())
}
