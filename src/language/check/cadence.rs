//! Recurring cadences: the unit a cadence repeats over, the day each occurrence is due, and its
//! first and last occurrence.

use super::*;

impl Checker<'_> {
    pub(super) fn cadence(
        &mut self,
        c: &Cadence,
        stmts: &[&Spanned<ReportStmt>],
        id: DeliverableId,
    ) -> Option<Recurrence> {
        let unit = c.unit.node;
        let mut later = 0u32;
        let mut covering = None;
        let mut first = None;
        let mut last = None;
        let mut ongoing = false;
        let mut during = None;
        for stmt in stmts {
            match &stmt.node {
                ReportStmt::Covering(cov) if cov.node == Coverage::Previous => {
                    later += 1;
                    covering = Some(cov.span);
                }
                ReportStmt::First(b) => first = self.limit(b, unit, id, false),
                ReportStmt::Last(b) if matches!(b.node, Bound::Ongoing) => ongoing = true,
                ReportStmt::Last(b) => last = self.limit(b, unit, id, true),
                ReportStmt::Ongoing => ongoing = true,
                ReportStmt::During(_) => during = self.current_phase,
                _ => {}
            }
        }
        if ongoing && last.is_some() {
            self.error(
                Problem::Cadence {
                    message: "a cadence cannot be both `ongoing` and have a `last` occurrence"
                        .into(),
                },
                c.span,
            );
        }
        if let Some(times) = &c.times {
            self.times_without_days(c, times);
            return None;
        }
        let step = self.step(c)?;
        let rules: Vec<DueRule> = c
            .dues
            .iter()
            .map(|due| self.due_rule(c, due, later))
            .collect::<Option<_>>()?;
        if let Some(covering) = covering {
            self.shifted_twice(c, &rules, covering)?;
        }
        if rules.len() > 1 && unit == PeriodUnit::Phase {
            self.error(
                Problem::Cadence {
                    message: "a per-phase report has one deadline in each phase".into(),
                },
                c.span,
            )
            .help = Some("declare a report for each deadline".into());
            return None;
        }
        Some(Recurrence {
            unit,
            step,
            rules,
            first,
            last,
            ongoing,
            during,
        })
    }

    /// `每月 下月5日前` with `报告期 上月`: each moves the deadline a period after the one the
    /// report covers, so together the report due on 5 March would cover January. Documents
    /// that say both mean one shift; which one cannot be guessed, so it is refused.
    fn shifted_twice(&mut self, c: &Cadence, rules: &[DueRule], covering: Span) -> Option<()> {
        if rules.iter().all(|r| r.later() < 2) {
            return Some(());
        }
        let unit = c.unit.node;
        let (message, fix) = match unit {
            PeriodUnit::Month => (
                "`下月` (next month) and `报告期 上月` (covering previous month) both move the report a month later: the report due on 5 March would cover January".to_string(),
                "keep one: `每月 下月5日前` alone covers the month before its deadline (so does `每月5日前` with `报告期 上月`)".to_string(),
            ),
            _ => (
                format!("the deadline in the next {unit} and `covering previous` both move the report a {unit} later: each would cover the {unit} before last"),
                format!("keep one: a deadline in the next {unit} already covers the {unit} before it"),
            ),
        };
        let d = self.error(Problem::Cadence { message }, c.span);
        d.notes.push((covering, "the second shift".into()));
        d.help = Some(fix);
        None
    }

    /// `每周编发二期`: how often, not when. Which days the office chooses is not in the
    /// document, so the file must say them once: the help writes them out.
    fn times_without_days(&mut self, c: &Cadence, times: &Spanned<u32>) {
        let n = times.node;
        let unit = c.unit.node;
        let example = match (unit, n) {
            (PeriodUnit::Week, 1) => "`每周五前`".to_string(),
            (PeriodUnit::Week, 2) => "`每周二、周五前`".to_string(),
            (PeriodUnit::Week, 3) => "`每周一、周三、周五前`".to_string(),
            (PeriodUnit::Month, 1) => "`每月25日前`".to_string(),
            (PeriodUnit::Month, 2) => "`每月15日和月底前` (or `每半月`)".to_string(),
            (PeriodUnit::Month, 3) => "`每月10日、20日和月底前`".to_string(),
            _ => "the day of each one, separated by `和` or `、`".to_string(),
        };
        let message = format!(
            "{n} times every {unit} says how often, not on which days: the days must be written"
        );
        self.error(Problem::Cadence { message }, times.span).help = Some(format!(
            "write the days the office chose, e.g. {example}; each becomes an occurrence named by its date"
        ));
    }

    /// `每两周`: how many units a period spans.
    fn step(&mut self, c: &Cadence) -> Option<u32> {
        let step = c.step.node;
        let fits = match c.unit.node {
            PeriodUnit::Phase | PeriodUnit::HalfMonth | PeriodUnit::HalfYear => step == 1,
            _ => (1..=12).contains(&step),
        };
        if !fits {
            self.error(
                Problem::Cadence {
                    message: format!(
                        "every {step} {}s is not a cadence duban knows",
                        c.unit.node
                    ),
                },
                c.step.span,
            )
            .help = Some("every 2 weeks (每两周), every 2 or 3 months, every half-month (每半月) or half-year (每半年)".into());
            return None;
        }
        Some(step)
    }

    pub(super) fn due_rule(
        &mut self,
        c: &Cadence,
        due: &Spanned<CadenceDue>,
        later: u32,
    ) -> Option<DueRule> {
        let unit = c.unit.node;
        let mismatch = |this: &mut Self, message: String| {
            this.error(Problem::Cadence { message }, due.span);
            None
        };
        let next_of = |this: &mut Self, next: &Option<Spanned<PeriodUnit>>| -> Option<u32> {
            match next {
                None => Some(later),
                Some(n) if n.node == unit => Some(later + 1),
                Some(n) => {
                    this.error(
                        Problem::Cadence {
                            message: format!(
                                "this cadence repeats every {unit}, but this names the next {}",
                                n.node
                            ),
                        },
                        n.span,
                    );
                    None
                }
            }
        };
        let longest = match unit {
            PeriodUnit::Week => 7,
            PeriodUnit::Month => 31,
            PeriodUnit::Quarter => 92,
            PeriodUnit::Year => 366,
            PeriodUnit::HalfMonth => 16,
            PeriodUnit::HalfYear => 184,
            PeriodUnit::Phase => 366,
        };
        match &due.node {
            CadenceDue::Day { day, next } => {
                if *day == 0 || *day > longest {
                    return mismatch(self, format!("a {unit} has no day {day}"));
                }
                Some(DueRule::Day {
                    day: *day,
                    later: next_of(self, next)?,
                })
            }
            CadenceDue::End { next } => Some(DueRule::End {
                later: next_of(self, next)?,
            }),
            CadenceDue::MonthDay { month, day, next } => {
                if unit != PeriodUnit::Year {
                    return mismatch(
                        self,
                        format!("a month and day fits a yearly cadence, not every {unit}"),
                    );
                }
                // 6月底 is the month's last day: 31 is clamped to it.
                let (day, written) = match day.deadline_day() {
                    Some(n) => (n, true),
                    None => (31, false),
                };
                // 2000 is a leap year: 29 February is a valid yearly date (the 28th in other years).
                let valid = NaiveDate::from_ymd_opt(2000, *month, if written { day } else { 1 });
                if valid.is_none() {
                    let message = format!("{month}-{day} is not a day of the year");
                    self.error(Problem::InvalidDate { text: message }, due.span);
                    return None;
                }
                Some(DueRule::MonthDay {
                    month: *month,
                    day,
                    later: next_of(self, next)?,
                })
            }
            CadenceDue::LastWorkday { next } => Some(DueRule::LastWorkday {
                later: next_of(self, next)?,
            }),
            CadenceDue::Weekday { weekday, next } => {
                if unit != PeriodUnit::Week {
                    return mismatch(
                        self,
                        format!("a weekday fits a weekly cadence, not every {unit}"),
                    );
                }
                Some(DueRule::Weekday {
                    weekday: *weekday,
                    later: next_of(self, next)?,
                })
            }
            CadenceDue::Relative(r) => {
                if unit != PeriodUnit::Phase {
                    // `by 25` reads as the deadline of a report named 25: a day was meant.
                    let day = match &r.anchor.node {
                        Anchor::Due(name) if name.node.chars().all(|c| c.is_ascii_digit()) => {
                            Some(name.node.clone())
                        }
                        _ => None,
                    };
                    let message = format!(
                        "a deadline counted from an event fits `every phase`, not every {unit}"
                    );
                    self.error(Problem::Cadence { message }, due.span).help = day.map(|day| {
                        format!("to mean day {day} of each {unit}, write `by day {day}`")
                    });
                    return None;
                }
                let (next, start) = match &r.anchor.node {
                    Anchor::Start(AnchorTarget::NextPhase) => (true, true),
                    Anchor::End(AnchorTarget::NextPhase) => (true, false),
                    Anchor::Start(AnchorTarget::ThisPhase) => (false, true),
                    Anchor::End(AnchorTarget::ThisPhase) => (false, false),
                    _ => {
                        return mismatch(
                            self,
                            "a per-phase deadline counts from `this phase` or `next phase` (本阶段, 下阶段)".into(),
                        );
                    }
                };
                let (offset, unit) = offset_of(r.offset);
                Some(DueRule::PhaseRelative {
                    next,
                    start,
                    offset,
                    unit,
                })
            }
        }
    }

    pub(super) fn limit(
        &mut self,
        bound: &Spanned<Bound>,
        unit: PeriodUnit,
        id: DeliverableId,
        last: bool,
    ) -> Option<Limit> {
        match &bound.node {
            Bound::Ongoing => None,
            Bound::Date(d) => self
                .date(&Spanned::new(d.clone(), bound.span), DateUse::Point)
                .map(|d| Limit::Date(DateRule::Fixed(d))),
            Bound::Anchor(a) => {
                self.anchor(&Spanned::new(a.clone(), bound.span), id)
                    .map(|anchor| {
                        Limit::Date(DateRule::Relative {
                            anchor,
                            offset: 0,
                            unit: DurationUnit::Days,
                        })
                    })
            }
            Bound::Period(lit) => {
                let (kind, period) = match *lit {
                    PeriodLit::Month(year, month) => (
                        PeriodUnit::Month,
                        (1..=12)
                            .contains(&month)
                            .then_some(Period::Month { year, month }),
                    ),
                    PeriodLit::Quarter(year, quarter) => {
                        (PeriodUnit::Quarter, Some(Period::Quarter { year, quarter }))
                    }
                    PeriodLit::Year(year) => (PeriodUnit::Year, Some(Period::Year(year))),
                    PeriodLit::HalfMonth(year, month, half) => (
                        PeriodUnit::HalfMonth,
                        ((1..=12).contains(&month) && (1..=2).contains(&half))
                            .then_some(Period::HalfMonth { year, month, half }),
                    ),
                    PeriodLit::HalfYear(year, half) => (
                        PeriodUnit::HalfYear,
                        (1..=2)
                            .contains(&half)
                            .then_some(Period::HalfYear { year, half }),
                    ),
                    PeriodLit::Week(year, week) => (
                        PeriodUnit::Week,
                        NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)
                            .map(|_| Period::Week { year, week }),
                    ),
                };
                let Some(period) = period else {
                    self.error(
                        Problem::InvalidDate {
                            text: self.text(bound.span).to_string(),
                        },
                        bound.span,
                    );
                    return None;
                };
                // `每半月` from a month (`首期 2025年1月`): its first half, or as the last, its
                // second; a half-yearly cadence from a year likewise.
                let half = if last { 2 } else { 1 };
                let period = match (&period, unit) {
                    (Period::Month { year, month }, PeriodUnit::HalfMonth) => Period::HalfMonth {
                        year: *year,
                        month: *month,
                        half,
                    },
                    (Period::Year(year), PeriodUnit::HalfYear) => {
                        Period::HalfYear { year: *year, half }
                    }
                    _ => period,
                };
                let kind = match period {
                    Period::HalfMonth { .. } => PeriodUnit::HalfMonth,
                    Period::HalfYear { .. } => PeriodUnit::HalfYear,
                    _ => kind,
                };
                if kind != unit {
                    self.error(
                        Problem::Cadence {
                            message: format!(
                                "this cadence repeats every {unit}, but this bound is a {kind}"
                            ),
                        },
                        bound.span,
                    )
                    .help = Some("give a period of the cadence's kind, or a date".into());
                    return None;
                }
                Some(Limit::Period(period))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn recurrence(due: &str, extra: &str) -> Recurrence {
        let d = only_deliverable(&format!("report r {{\n  from 甲\n  due {due}\n{extra}}}\n"));
        match d.due {
            Due::Recurring(r) => r,
            other => panic!("{due}: {other:?}"),
        }
    }

    fn cadence_problems(due: &str) -> Vec<String> {
        problems(&format!("report r {{\n  from 甲\n  due {due}\n}}\n"))
    }

    #[test]
    fn the_phrases_of_documents_become_rules() {
        for (due, unit, step, rules) in [
            (
                "每月25日前",
                PeriodUnit::Month,
                1,
                vec![DueRule::Day { day: 25, later: 0 }],
            ),
            (
                "每月 下月5日前",
                PeriodUnit::Month,
                1,
                vec![DueRule::Day { day: 5, later: 1 }],
            ),
            (
                "每月",
                PeriodUnit::Month,
                1,
                vec![DueRule::End { later: 0 }],
            ),
            (
                "每月最后一个工作日",
                PeriodUnit::Month,
                1,
                vec![DueRule::LastWorkday { later: 0 }],
            ),
            (
                "每月5日和20日前",
                PeriodUnit::Month,
                1,
                vec![
                    DueRule::Day { day: 5, later: 0 },
                    DueRule::Day { day: 20, later: 0 },
                ],
            ),
            (
                "每两周周五前",
                PeriodUnit::Week,
                2,
                vec![DueRule::Weekday {
                    weekday: 4,
                    later: 0,
                }],
            ),
            (
                "每半月",
                PeriodUnit::HalfMonth,
                1,
                vec![DueRule::End { later: 0 }],
            ),
            // A month's end is its last day each year: 31 clamps to 30 June (and 2月底 to the
            // 28th or the 29th).
            (
                "每年6月底前",
                PeriodUnit::Year,
                1,
                vec![DueRule::MonthDay {
                    month: 6,
                    day: 31,
                    later: 0,
                }],
            ),
        ] {
            let r = recurrence(due, "");
            assert_eq!((r.unit, r.step, r.rules), (unit, step, rules), "{due}");
        }
    }

    #[test]
    fn a_report_on_the_previous_period_is_due_a_period_later() {
        let r = recurrence("every month by day 10", "  covering previous\n");
        assert_eq!(r.rules, [DueRule::Day { day: 10, later: 1 }]);
    }

    #[test]
    fn pieces_that_do_not_fit_the_cadence_are_errors() {
        assert_eq!(
            cadence_problems("every month by day 32"),
            ["error: a month has no day 32"]
        );
        assert_eq!(
            cadence_problems("every month by friday"),
            ["error: a weekday fits a weekly cadence, not every month"]
        );
        assert_eq!(
            cadence_problems("every 13 months by day 1"),
            [
                "error: every 13 months is not a cadence duban knows (help: every 2 weeks (每两周), every 2 or 3 months, every half-month (每半月) or half-year (每半年))"
            ]
        );
        assert_eq!(
            cadence_problems("every month by 25"),
            [
                "error: a deadline counted from an event fits `every phase`, not every month (help: to mean day 25 of each month, write `by day 25`)"
            ]
        );
    }

    #[test]
    fn a_first_occurrence_must_be_a_period_of_the_cadences_kind() {
        let r = recurrence("every month by day 25", "  first 2017-05\n");
        assert_eq!(
            r.first,
            Some(Limit::Period(Period::Month {
                year: 2017,
                month: 5
            }))
        );
        let problems =
            problems("report r {\n  from 甲\n  due every month by day 25\n  first 2017-Q2\n}\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("this cadence repeats every month, but this bound is a quarter"),
            "{problems:?}"
        );
    }
}
