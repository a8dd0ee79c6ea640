//! When a deliverable is due: one-off and relative deadlines, the events they count from, target
//! checkpoints, and the cycles relative deadlines must not form.

use super::*;

impl Checker<'_> {
    pub(super) fn checkpoints(
        &mut self,
        thresholds: &[&Threshold],
        what: &str,
        span: Span,
        id: DeliverableId,
    ) -> Due {
        if thresholds.is_empty() {
            self.error(
                Problem::MissingStatement {
                    what: what.to_string(),
                    statement: "at least",
                },
                span,
            )
            .help = Some(
                "add a threshold such as `at least 30% by 2023-04-30` (`不低于 30% 2023年4月底前`)"
                    .into(),
            );
        }
        let mut out = Vec::new();
        for t in thresholds {
            let date = match &t.by.node {
                DueExpr::Date(d) => self.date(d, DateUse::Point).map(DateRule::Fixed),
                DueExpr::Relative(r) => self.relative(r, id),
                DueExpr::Ongoing => self.by_phase_end(&t.by),
                _ => None,
            };
            if let Some(date) = date {
                out.push(Checkpoint {
                    at_least: t.at_least,
                    value: t.value.node.clone(),
                    unit: t.unit.clone(),
                    date,
                });
            }
        }
        Due::Checkpoints(out)
    }

    /// `自查面要达到100%` with `阶段内 自查自纠`: reached by the end of the phase.
    fn by_phase_end(&mut self, by: &Spanned<DueExpr>) -> Option<DateRule> {
        let Some(phase) = self.current_phase else {
            let year = self.year_hint.unwrap_or(2017);
            self.error(
                Problem::DateForm {
                    message:
                        "this threshold has no date, and its target no phase whose end it is due by"
                            .into(),
                },
                by.span,
            )
            .help = Some(format!(
                "write its date (`不低于 100% {year}年6月底前`, `at least 100% by {year}-06-30`), or tie the target to a phase with `阶段内 PHASE` (`during PHASE`)"
            ));
            return None;
        };
        if self.phases[phase].end.is_none() {
            let name = self.phases[phase].name.clone();
            self.error(
                Problem::DateForm {
                    message: format!(
                        "this threshold is due by the end of phase `{name}`, which has none"
                    ),
                },
                by.span,
            )
            .help = Some("write its date, or give the phase an end".into());
            return None;
        }
        Some(DateRule::Relative {
            anchor: AnchorRef::PhaseEnd(phase),
            offset: 0,
            unit: DurationUnit::Days,
        })
    }

    pub(super) fn due(
        &mut self,
        expr: &Spanned<DueExpr>,
        cadence_stmts: &[&Spanned<ReportStmt>],
        id: DeliverableId,
    ) -> Due {
        match &expr.node {
            DueExpr::Date(d) => self
                .date(d, DateUse::Point)
                .map(DateRule::Fixed)
                .map_or(Due::Ongoing, Due::Once),
            DueExpr::Relative(r) => self.relative(r, id).map_or(Due::Ongoing, Due::Once),
            DueExpr::Ongoing => Due::Ongoing,
            DueExpr::Standing => Due::Standing,
            DueExpr::Dates(dates) => {
                let rules: Option<Vec<DateRule>> = dates
                    .iter()
                    .map(|d| self.date(d, DateUse::Point).map(DateRule::Fixed))
                    .collect();
                rules.map_or(Due::Ongoing, Due::Several)
            }
            DueExpr::Cadence(c) => match self.cadence(c, cadence_stmts, id) {
                Some(r) => Due::Recurring(r),
                None => Due::Ongoing,
            },
        }
    }

    pub(super) fn relative(&mut self, r: &Relative, id: DeliverableId) -> Option<DateRule> {
        let anchor = self.anchor(&r.anchor, id)?;
        let (offset, unit) = offset_of(r.offset);
        Some(DateRule::Relative {
            anchor,
            offset,
            unit,
        })
    }

    pub(super) fn anchor(
        &mut self,
        anchor: &Spanned<Anchor>,
        id: DeliverableId,
    ) -> Option<AnchorRef> {
        match &anchor.node {
            Anchor::Start(target) | Anchor::End(target) => {
                let start = matches!(anchor.node, Anchor::Start(_));
                match target {
                    AnchorTarget::Campaign => Some(if start {
                        AnchorRef::CampaignStart
                    } else {
                        AnchorRef::CampaignEnd
                    }),
                    AnchorTarget::ThisPhase if self.current_phase.is_some() => {
                        let phase = self.current_phase?;
                        self.phase_edge(phase, start, anchor.span)
                    }
                    AnchorTarget::NextPhase | AnchorTarget::ThisPhase => {
                        self.error(
                            Problem::Cadence {
                                message:
                                    "`next phase` and `this phase` only make sense in `every phase`"
                                        .into(),
                            },
                            anchor.span,
                        );
                        None
                    }
                    AnchorTarget::Named(name) => {
                        let phase = self.phase_named(name)?;
                        self.phase_edge(phase, start, anchor.span)
                    }
                }
            }
            Anchor::Receipt(name) => {
                if let Some(&(target, _)) = self.deliverable_index.get(&name.node) {
                    self.dependencies.push((id, target, name.span));
                    return Some(AnchorRef::Deliverable(target));
                }
                if let Some(&phase) = self.phase_index.get(&name.node) {
                    return Some(AnchorRef::PhaseStart(phase));
                }
                let help = self.nearest_event(&name.node)
                    .unwrap_or_else(|| format!(
                        "say when `{0}` arrives: declare it as a phase (`阶段 {0} 2017年5月1日起`) or as the office's report with a deadline",
                        name.node
                    ));
                self.error(
                    Problem::UnknownName {
                        kind: NameKind::PhaseOrDeliverable,
                        name: name.node.clone(),
                    },
                    name.span,
                )
                .help = Some(help);
                None
            }
            Anchor::Due(name) => {
                if let Some(&(target, _)) = self.deliverable_index.get(&name.node) {
                    self.dependencies.push((id, target, name.span));
                    return Some(AnchorRef::Deliverable(target));
                }
                if self.phase_index.contains_key(&name.node) {
                    self.error(
                        Problem::WrongKind {
                            name: name.node.clone(),
                            found: NameKind::Phase,
                            expected: NameKind::Deliverable,
                        },
                        name.span,
                    )
                    .help = Some(format!(
                        "count from `start of {0}` or `end of {0}`",
                        name.node
                    ));
                    return None;
                }
                let help = self.nearest_event(&name.node);
                self.error(
                    Problem::UnknownName {
                        kind: NameKind::PhaseOrDeliverable,
                        name: name.node.clone(),
                    },
                    name.span,
                )
                .help = help;
                None
            }
        }
    }

    /// Relative deadlines must not go round in a circle, and must count from one-off deadlines.
    pub(super) fn check_dependencies(&mut self, campaign: &Campaign) {
        let n = campaign.deliverables.len();
        let mut edges = vec![Vec::new(); n];
        for &(from, to, span) in &self.dependencies.clone() {
            if from < n && to < n {
                edges[from].push(to);
                if from != to && !matches!(campaign.deliverables[to].due, Due::Once(_)) {
                    self.error(
                        Problem::AnchorRecurs {
                            name: campaign.deliverables[to].name.clone(),
                        },
                        span,
                    );
                }
            }
        }
        let mut state = vec![0u8; n];
        for start in 0..n {
            let mut trail = Vec::new();
            if state[start] == 0
                && let Some(circle) = find_cycle(start, &edges, &mut state, &mut trail)
            {
                let names: Vec<&str> = circle
                    .iter()
                    .map(|&i| campaign.deliverables[i].name.as_str())
                    .collect();
                let d = &campaign.deliverables[circle[0]];
                self.error(
                    Problem::DeadlineCycle {
                        name: d.name.clone(),
                        path: names.join(" → "),
                    },
                    d.due_span,
                );
            }
        }
    }
}

impl Checker<'_> {
    /// The deliverable or phase whose name is nearest to `name`, as a "did you mean".
    fn nearest_event(&self, name: &str) -> Option<String> {
        let known = self.deliverable_index.keys().chain(self.phase_index.keys());
        suggest::did_you_mean(name, known.map(String::as_str))
    }

    /// A phase by name; `自查自纠阶段` names the phase `自查自纠` when no phase has the longer name.
    fn phase_named(&mut self, name: &Name) -> Option<PhaseId> {
        if !self.phase_index.contains_key(&name.node)
            && let Some(short) = name.node.strip_suffix("阶段")
            && let Some(&phase) = self.phase_index.get(short)
        {
            return Some(phase);
        }
        self.phase_ref(name)
    }

    /// The start or end of a phase; an open-ended phase has no end to count from.
    fn phase_edge(&mut self, phase: PhaseId, start: bool, span: Span) -> Option<AnchorRef> {
        if start {
            return Some(AnchorRef::PhaseStart(phase));
        }
        if self.phases[phase].end.is_none() {
            let name = self.phases[phase].name.clone();
            self.error(
                Problem::DateForm {
                    message: format!("phase `{name}` has no end to count from"),
                },
                span,
            )
            .help = Some(format!(
                "give `{name}` an end date, or count from its start"
            ));
            return None;
        }
        Some(AnchorRef::PhaseEnd(phase))
    }
}

pub(super) fn offset_of(offset: Option<Offset>) -> (i64, DurationUnit) {
    match offset {
        None => (0, DurationUnit::Days),
        Some(o) => {
            let (count, unit) = o.amount.normalized();
            (if o.after { count } else { -count }, unit)
        }
    }
}

/// A circle reachable from `at`, as the deliverables along it with the first repeated at the
/// end (`[方案, 总结, 方案]`). `state`: 0 not seen, 1 on the current path (`trail`), 2 done.
pub(super) fn find_cycle(
    at: usize,
    edges: &[Vec<usize>],
    state: &mut [u8],
    trail: &mut Vec<usize>,
) -> Option<Vec<usize>> {
    state[at] = 1;
    trail.push(at);
    for &next in &edges[at] {
        if state[next] == 1 {
            let from = trail.iter().position(|&t| t == next).unwrap_or(0);
            let mut circle = trail[from..].to_vec();
            circle.push(next);
            return Some(circle);
        }
        if state[next] == 0
            && let Some(circle) = find_cycle(next, edges, state, trail)
        {
            return Some(circle);
        }
    }
    trail.pop();
    state[at] = 2;
    None
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    const PHASE: &str = "phase 整治 2017-05-01 .. 2017-06-30\n";

    fn due_of(body: &str, name: &str) -> Due {
        let c = campaign(&format!("{PHASE}{body}"));
        c.deliverables
            .into_iter()
            .find(|d| d.name == name)
            .expect(name)
            .due
    }

    #[test]
    fn relative_deadlines_count_from_phases_and_other_deadlines() {
        let due = due_of(
            "report 方案 { from 甲; due 5d after start of 整治 }\nreport 台账 { from 甲; due 10 workdays after 方案 }\n",
            "台账",
        );
        let Due::Once(DateRule::Relative {
            anchor: AnchorRef::Deliverable(_),
            offset: 10,
            unit,
        }) = due
        else {
            panic!("{due:?}")
        };
        assert_eq!(unit, DurationUnit::Workdays);
        let due = due_of(
            "report 总结 { from 甲; due 阶段结束后10日内; 阶段内 整治 }\n",
            "总结",
        );
        assert!(
            matches!(
                due,
                Due::Once(DateRule::Relative {
                    anchor: AnchorRef::PhaseEnd(0),
                    offset: 10,
                    ..
                })
            ),
            "`阶段` is the report's own phase: {due:?}"
        );
    }

    #[test]
    fn a_notice_arrives_on_its_deadline_or_at_its_phases_start() {
        let due = due_of(
            "report 通知 { from 乙; due 2017-05-10 }\nreport 方案 { from 甲; due within 5 workdays after receipt of 通知 }\n",
            "方案",
        );
        assert!(
            matches!(
                due,
                Due::Once(DateRule::Relative {
                    anchor: AnchorRef::Deliverable(_),
                    offset: 5,
                    ..
                })
            ),
            "{due:?}"
        );
        let due = due_of("report 方案 { from 甲; due 收到整治后3日内 }\n", "方案");
        assert!(
            matches!(
                due,
                Due::Once(DateRule::Relative {
                    anchor: AnchorRef::PhaseStart(0),
                    offset: 3,
                    ..
                })
            ),
            "{due:?}"
        );
        let unknown = problems(&format!(
            "{PHASE}report 方案 {{ from 甲; due within 5 days after receipt of 文件 }}\n"
        ));
        assert_eq!(unknown.len(), 1, "{unknown:?}");
        assert!(unknown[0].starts_with("error: unknown"), "{unknown:?}");
    }

    #[test]
    fn several_dates_carry_their_year_forward() {
        let due = due_of(
            "report 进展 { from 甲; due 分别于2017年6月底和7月底前 }\n",
            "进展",
        );
        let Due::Several(dates) = due else {
            panic!("{due:?}")
        };
        assert_eq!(
            dates,
            [
                DateRule::Fixed(date(2017, 6, 30)),
                DateRule::Fixed(date(2017, 7, 31))
            ]
        );
    }

    #[test]
    fn a_cycle_of_deadlines_prints_its_path_and_a_cadence_is_no_anchor() {
        let cycle = problems(
            "report 方案 { from 甲; due 3d after 总结 }\nreport 总结 { from 甲; due 2d after 方案 }\n",
        );
        assert!(
            cycle.contains(
                &"error: the deadline of `方案` refers to itself: 方案 → 总结 → 方案".to_string()
            ),
            "{cycle:?}"
        );
        let recurring = problems(
            "report 月报 { from 甲; due every month by day 25 }\nreport 总结 { from 甲; due 2d after 月报 }\n",
        );
        assert_eq!(recurring.len(), 1, "{recurring:?}");
        assert!(
            recurring[0]
                .starts_with("error: `月报` recurs, so it has no single deadline to count from"),
            "{recurring:?}"
        );
    }
}
