//! Items and deliverables (reports, measures, targets): their statements, owners and recipients.

use super::*;

impl Checker<'_> {
    pub(super) fn items(&mut self, file: &File, campaign: &mut Campaign) {
        for item in &file.items {
            let TopItem::Item(decl) = item else { continue };
            self.check_name(&decl.name, "item name");
            if let Some(&first) = self.item_index.get(&decl.name.node) {
                let first_span = campaign.items[first].span;
                self.duplicate(NameKind::Item, &decl.name, first_span);
                continue;
            }
            let mut resolved = Item {
                name: decl.name.node.clone(),
                title: decl.title.as_ref().map(|t| t.node.clone()),
                lead: Vec::new(),
                cooperate: Vec::new(),
                supervisors: Vec::new(),
                span: decl.name.span,
            };
            let mut seen = StatementSet::default();
            for stmt in &decl.stmts {
                let list = match &stmt.node {
                    ItemStmt::Lead(names) => Some(("lead", names)),
                    ItemStmt::Cooperate(names) => Some(("cooperate", names)),
                    ItemStmt::Supervisors(names) => Some(("supervisors", names)),
                    _ => None,
                };
                let Some((keyword, names)) = list else {
                    continue;
                };
                if !seen.first(keyword, stmt.span, &mut self.diagnostics) {
                    continue;
                }
                let units = self.units_of(names);
                match keyword {
                    "lead" => {
                        self.items_with_lead.insert(campaign.items.len());
                        resolved.lead = units
                    }
                    "cooperate" => resolved.cooperate = units,
                    _ => resolved.supervisors = units,
                }
            }
            self.item_index
                .insert(decl.name.node.clone(), campaign.items.len());
            campaign.items.push(resolved);
        }
    }

    pub(super) fn deliverable_decls<'f>(&self, file: &'f File) -> Vec<DeliverableDecl<'f>> {
        // Reports, measures and targets are declared alike, at the top or inside an item.
        macro_rules! decl {
            ($kind:ident, $d:expr, $item:expr) => {
                DeliverableDecl {
                    kind: DeliverableKind::$kind,
                    instructions: false,
                    name: &$d.name,
                    title: $d.title.as_ref(),
                    stmts: &$d.stmts[..],
                    item: $item,
                    span: $d.span,
                }
            };
        }
        let mut out = Vec::new();
        for top in &file.items {
            match top {
                TopItem::Report(r) => out.push(decl!(Report, r, None)),
                TopItem::Measure(m) => out.push(decl!(Measure, m, None)),
                TopItem::Target(t) => out.push(decl!(Target, t, None)),
                TopItem::Ledger(l) => out.push(DeliverableDecl {
                    instructions: l.instructions,
                    ..decl!(Ledger, l, None)
                }),
                TopItem::Item(item) => {
                    let id = self.item_index.get(&item.name.node).copied();
                    for stmt in &item.stmts {
                        match &stmt.node {
                            ItemStmt::Report(r) => out.push(decl!(Report, r, id)),
                            ItemStmt::Measure(m) => out.push(decl!(Measure, m, id)),
                            ItemStmt::Target(t) => out.push(decl!(Target, t, id)),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    pub(super) fn deliverables(&mut self, file: &File, campaign: &mut Campaign) {
        let decls = self.deliverable_decls(file);
        // Declare every name first: deadlines may count from a deliverable declared later.
        let mut unique = Vec::new();
        for decl in decls {
            self.check_name(decl.name, "deliverable name");
            if let Some(&(_, first)) = self.deliverable_index.get(&decl.name.node) {
                self.duplicate(NameKind::Deliverable, decl.name, first);
                continue;
            }
            let id = unique.len();
            self.deliverable_index
                .insert(decl.name.node.clone(), (id, decl.name.span));
            unique.push(decl);
        }
        for (id, decl) in unique.iter().enumerate() {
            let deliverable = self.deliverable(id, decl, campaign);
            campaign.deliverables.push(deliverable);
        }
        for (id, due, span) in std::mem::take(&mut self.splits) {
            if let Some(part) = self.split(&campaign.deliverables[id], due, span) {
                campaign.deliverables.push(part);
            }
        }
    }

    /// The part of report `whole` its owers' sub-units owe them (`分解 到 下级`): a report of
    /// its own, `统计表（下级）`, from the units directly under each ower, to their parent, on the
    /// same form, by `due`; none (an error) where no ower has a unit under it.
    fn split(&mut self, whole: &Deliverable, due: Due, span: Span) -> Option<Deliverable> {
        // The units are the checker's until the campaign is whole.
        let from: Vec<UnitId> = self
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.parent.is_some_and(|p| whole.from.contains(&p)))
            .map(|(i, _)| i)
            .collect();
        if from.is_empty() {
            self.error(
                Problem::Invalid {
                    message: format!(
                        "`{}` is split to sub-units, but no unit that owes it has a unit under it",
                        whole.name
                    ),
                },
                span,
            )
            .help = Some("declare the sub-units with `under` (`隶属`), or remove `分解`".into());
            return None;
        }
        Some(Deliverable {
            name: crate::language::campaign::part_of(&whole.name),
            title: Some(format!(
                "{}（下级报送）",
                whole.title.as_deref().unwrap_or(&whole.name)
            )),
            from,
            to: vec![RecipientRef::Parent],
            review: None,
            review_then: Vec::new(),
            review_within: None,
            signers: Vec::new(),
            formerly: Vec::new(),
            value_from: None,
            due,
            due_span: span,
            ..whole.clone()
        })
    }

    pub(super) fn deliverable(
        &mut self,
        id: DeliverableId,
        decl: &DeliverableDecl<'_>,
        campaign: &Campaign,
    ) -> Deliverable {
        let what = format!("{} `{}`", kind_word(decl.kind), decl.name.node);
        let mut d = Deliverable {
            name: decl.name.node.clone(),
            title: decl.title.map(|t| t.node.clone()),
            kind: decl.kind,
            instructions: decl.instructions,
            item: decl.item,
            from: Vec::new(),
            to: Vec::new(),
            forms: Vec::new(),
            form: None,
            value_from: None,
            signers: Vec::new(),
            review: None,
            review_then: Vec::new(),
            review_within: None,
            extensions: campaign.extensions,
            extension_approver: campaign
                .extension_approver
                .as_ref()
                .and_then(|name| self.unit_ref(name)),
            acknowledge: campaign.acknowledge,
            due: Due::Ongoing,
            phase: None,
            shift: campaign.shift,
            policy: None,
            notes: Vec::new(),
            formerly: Vec::new(),
            span: decl.name.span,
            due_span: decl.name.span,
        };
        let mut seen = StatementSet::default();
        let mut due = None;
        let mut cadence_stmts: Vec<&Spanned<ReportStmt>> = Vec::new();
        let mut thresholds = Vec::new();
        let mut close = None;
        let mut has_from = false;
        let mut has_to = false;
        let mut review_within = None;
        let mut split = None;
        for stmt in decl.stmts {
            let keyword = report_keyword(&stmt.node);
            if !matches!(keyword, "note" | "threshold")
                && !seen.first(keyword, stmt.span, &mut self.diagnostics)
            {
                continue;
            }
            match &stmt.node {
                ReportStmt::From(names) => {
                    has_from = true;
                    d.from = self.units_of(names);
                }
                ReportStmt::To(recipients) => {
                    has_to = true;
                    d.to = self.recipients(recipients);
                }
                ReportStmt::Form(forms) => d.forms = forms.iter().map(|f| f.node.clone()).collect(),
                ReportStmt::Signers(s) => d.signers = s.iter().map(|f| f.node.clone()).collect(),
                ReportStmt::Formerly(names) => {
                    for name in names {
                        if let Some(&(_, current)) = self.deliverable_index.get(&name.node) {
                            self.diagnostics.push(
                                Diagnostic::error(
                                    Problem::FormerNameInUse {
                                        name: name.node.clone(),
                                    },
                                    name.span,
                                )
                                .with_note(current, "declared here"),
                            );
                        }
                    }
                    d.formerly = names.iter().map(|n| n.node.clone()).collect()
                }
                ReportStmt::Review(by, then) => {
                    d.review = match by {
                        Some(unit) => self.unit_ref(unit).map(ReviewRule::ByUnit),
                        None => Some(ReviewRule::ByReviewer),
                    };
                    d.review_then.clear();
                    for name in then {
                        let Some(unit) = self.unit_ref(name) else {
                            continue;
                        };
                        let twice = d.review == Some(ReviewRule::ByUnit(unit))
                            || d.review_then.contains(&unit);
                        if twice {
                            self.error(
                                Problem::ReviewsTwice {
                                    unit: name.node.clone(),
                                    deliverable: d.name.clone(),
                                },
                                name.span,
                            );
                        } else {
                            d.review_then.push(unit);
                        }
                    }
                }
                ReportStmt::Extensions(rule, approver) => {
                    d.extensions = Some(rule.node);
                    if let Some(name) = approver {
                        d.extension_approver = self.unit_ref(name);
                    }
                }
                ReportStmt::Acknowledge(within) => d.acknowledge = Some(within.node),
                ReportStmt::Split(expr) => split = Some((expr, stmt.span)),
                ReportStmt::ReviewWithin(within) => {
                    review_within = Some(stmt.span);
                    d.review_within = Some(within.node);
                }
                ReportStmt::Due(expr) => {
                    d.due_span = expr.span;
                    due = Some(expr);
                }
                ReportStmt::Covering(_)
                | ReportStmt::First(_)
                | ReportStmt::Last(_)
                | ReportStmt::During(_)
                | ReportStmt::Ongoing => cadence_stmts.push(stmt),
                ReportStmt::Holidays(rule) => d.shift = rule.node,
                ReportStmt::Note(n) => d.notes.push(n.node.clone()),
                ReportStmt::Remind(r) => d.policy = Some(self.policy(r)),
                ReportStmt::Threshold(t) => thresholds.push(t),
                ReportStmt::Bulletin => {
                    has_from = true;
                    has_to = !campaign.supervisors.is_empty();
                    d.from = campaign.office.into_iter().collect();
                    d.to = campaign
                        .supervisors
                        .iter()
                        .map(|&u| RecipientRef::Unit(u))
                        .collect();
                    if campaign.office.is_none() {
                        self.error(
                            Problem::Invalid {
                                message: "the bulletin is the office's to send: the campaign names no `office`".into(),
                            },
                            stmt.span,
                        )
                        .help = Some("add `office UNIT` / `主办单位 UNIT` to the campaign block".into());
                    }
                }
                ReportStmt::ValueFrom(report, field) => {
                    self.value_froms.push((id, report.clone(), field.clone()))
                }
                ReportStmt::CloseDue(expr) => {
                    d.due_span = stmt.span;
                    close = Some(expr);
                }
            }
        }
        // A leader may instruct any unit of the campaign, and the office reviews (复核s) the
        // 办结报告 unless the block says who does.
        if decl.instructions {
            if !has_from {
                has_from = true;
                d.from = (0..self.units.len()).collect();
            }
            if d.review.is_none() {
                d.review = campaign.office.map(ReviewRule::ByUnit);
            }
        }
        let item = decl.item.map(|i| &campaign.items[i]);
        if !has_from {
            match (decl.kind, item) {
                (DeliverableKind::Measure | DeliverableKind::Target, Some(item))
                    if !item.lead.is_empty() =>
                {
                    d.from = item.lead.clone()
                }
                // The item names a lead that did not resolve: that error is reported already.
                (DeliverableKind::Measure | DeliverableKind::Target, Some(_))
                    if decl.item.is_some_and(|i| self.items_with_lead.contains(&i)) => {}
                _ => {
                    let statement = if decl.kind == DeliverableKind::Measure {
                        "owners"
                    } else {
                        "from"
                    };
                    if let Some(d) =
                        self.missing(what.clone(), statement, decl.span, decl.name.span)
                    {
                        d.help = Some(format!("say who owes it: `{statement} UNIT…`"));
                    }
                }
            }
        }
        if !has_to && let Some(office) = campaign.office {
            d.to = vec![RecipientRef::Unit(office)];
        }
        if d.review == Some(ReviewRule::ByReviewer) {
            self.check_reviewers(&d, decl);
        }
        if let Some(span) = review_within
            && d.review.is_none()
        {
            let problem = Problem::ReviewWithinWithoutReview {
                deliverable: d.name.clone(),
            };
            self.diagnostics
                .push(Diagnostic::error(problem, span).with_help(Some(
                    "add `review` (`审核`), or remove the time limit".into(),
                )));
        }
        self.current_phase = cadence_stmts.iter().find_map(|s| match &s.node {
            ReportStmt::During(p) => self.phase_ref(p),
            _ => None,
        });
        d.phase = self.current_phase;
        d.due = match decl.kind {
            DeliverableKind::Target => self.checkpoints(&thresholds, &what, decl.name.span, id),
            DeliverableKind::Ledger => Due::Rows(match close {
                Some(RowDueExpr::AfterEntry(d)) => RowDue::AfterEntry(*d),
                Some(RowDueExpr::By(date)) => match self.date(date, DateUse::Point) {
                    Some(day) => RowDue::By(day),
                    None => RowDue::AsEntered,
                },
                None => RowDue::AsEntered,
            }),
            _ => {
                match due {
                    Some(expr) => self.due(expr, &cadence_stmts, id),
                    None => {
                        // In the language the block is written in, with the campaign's year.
                        let chinese = !self.text(decl.span).starts_with(|c: char| c.is_ascii());
                        let year = self.year_hint.unwrap_or(2017);
                        let help = if chinese {
                            format!(
                                "add `时限 {year}年4月15日前` or `时限 每月25日前`; a duty with no date is `时限 随时报告`"
                            )
                        } else {
                            format!(
                                "add `due {year}-04-15` or `due every month by day 25`; a duty with no date is `due as needed`"
                            )
                        };
                        if let Some(d) = self.missing(what, "due", decl.span, decl.name.span) {
                            d.help = Some(help);
                        }
                        Due::Ongoing
                    }
                }
            }
        };
        // Its sub-units' part, by their own time, with the same first and last periods.
        if let Some((expr, span)) = split {
            let part = match expr {
                Some(expr) => self.due(expr, &cadence_stmts, id),
                None => Due::Passed,
            };
            self.splits.push((id, part, span));
        }
        let written_as_cadence = matches!(due.map(|e| &e.node), Some(DueExpr::Cadence(_)));
        if !written_as_cadence {
            // A one-off may be tied to a phase; the schedule warns if it falls outside it.
            let cadence_only = cadence_stmts
                .into_iter()
                .filter(|s| !matches!(s.node, ReportStmt::During(_)));
            for stmt in cadence_only {
                self.error(
                    Problem::Cadence {
                        message: format!(
                            "`{}` only applies to a recurring `due`",
                            report_keyword(&stmt.node)
                        ),
                    },
                    stmt.span,
                );
            }
        }
        d
    }

    pub(super) fn check_reviewers(&mut self, d: &Deliverable, decl: &DeliverableDecl<'_>) {
        let review_span = decl
            .stmts
            .iter()
            .find(|s| matches!(s.node, ReportStmt::Review(..)))
            .map(|s| s.span)
            .unwrap_or(decl.name.span);
        for &unit in &d.from {
            // Its own reviewer named again at a later level would decide twice.
            if let Some(own) = self.units[unit].reviewer
                && d.review_then.contains(&own)
            {
                self.error(
                    Problem::ReviewsTwice {
                        unit: self.units[own].name.clone(),
                        deliverable: d.name.clone(),
                    },
                    review_span,
                );
            }
            if self.units[unit].reviewer.is_none() {
                let name = self.units[unit].name.clone();
                let span = self.units[unit].span;
                self.error(Problem::NoReviewer { unit: name }, review_span)
                    .notes
                    .push((span, "declared here".into()));
            }
        }
    }

    pub(super) fn recipients(&mut self, recipients: &[ast::Recipient]) -> Vec<RecipientRef> {
        let mut out = Vec::new();
        for r in recipients {
            match r {
                ast::Recipient::Parent(_) => out.push(RecipientRef::Parent),
                ast::Recipient::Named(name) => {
                    let units = self.units_of(std::slice::from_ref(name));
                    out.extend(units.into_iter().map(RecipientRef::Unit));
                }
            }
        }
        out
    }
}

pub(super) fn report_keyword(stmt: &ReportStmt) -> &'static str {
    match stmt {
        ReportStmt::From(_) => "from",
        ReportStmt::To(_) => "to",
        ReportStmt::Form(_) => "form",
        ReportStmt::Signers(_) => "signers",
        ReportStmt::Formerly(_) => "formerly",
        ReportStmt::Review(..) => "review",
        ReportStmt::ReviewWithin(_) => "review-within",
        ReportStmt::Due(_) => "due",
        ReportStmt::Covering(_) => "covering",
        ReportStmt::First(_) => "first",
        ReportStmt::Last(_) => "last",
        ReportStmt::During(_) => "during",
        ReportStmt::Ongoing => "ongoing",
        ReportStmt::Holidays(_) => "holidays",
        ReportStmt::Note(_) => "note",
        ReportStmt::Split(_) => "split",
        ReportStmt::Remind(_) => "remind",
        ReportStmt::Threshold(_) => "threshold",
        ReportStmt::CloseDue(_) => "close",
        ReportStmt::ValueFrom(..) => "value-from",
        ReportStmt::Bulletin => "bulletin",
        ReportStmt::Extensions(..) => "extended",
        ReportStmt::Acknowledge(_) => "acknowledge",
    }
}

pub(super) fn kind_word(kind: DeliverableKind) -> &'static str {
    match kind {
        DeliverableKind::Report => "report",
        DeliverableKind::Measure => "measure",
        DeliverableKind::Target => "target",
        DeliverableKind::Ledger => "ledger",
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn a_report_goes_to_the_office_unless_it_says_where() {
        let c = check_file(
            "campaign t {\n  period 2017-04-01 .. 2017-12-31\n  office 办\n}\nunit 办\nunit 甲 { under 办 }\nreport 默认 { from 甲; due 2017-05-01 }\nreport 上级 { from 甲; to parent; due 2017-05-01 }\n",
        )
        .0
        .unwrap();
        assert_eq!(c.deliverables[0].to, [RecipientRef::Unit(0)]);
        assert_eq!(c.deliverables[1].to, [RecipientRef::Parent]);
    }

    #[test]
    fn what_a_report_lacks_or_repeats_is_an_error() {
        let found = problems("report r {\n  due 2017-05-01\n  due 2017-06-01\n}\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found
                .iter()
                .any(|l| l.starts_with("error: report `r` has no `from`")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|l| l.starts_with("error: `due` is given twice")),
            "{found:?}"
        );
        let found = problems("report r { from 甲 }\n");
        assert!(
            found[0].starts_with("error: report `r` has no `due`"),
            "{found:?}"
        );
    }

    #[test]
    fn review_by_each_units_reviewer_needs_one_for_every_unit() {
        let problems =
            problems("unit 丙 { reviewer 乙 }\nreport r { from 丙 甲; review; due 2017-05-01 }\n");
        assert_eq!(
            problems,
            ["error: `甲` must have its submission reviewed, but has no `reviewer`"]
        );
    }

    #[test]
    fn a_review_in_levels_names_each_unit_once() {
        let units = "unit 丙\n";
        assert!(
            problems(&format!(
                "{units}report r {{ from 甲; review by 乙 then 丙; due 2017-05-01 }}\n"
            ))
            .is_empty()
        );
        assert_eq!(
            problems(&format!(
                "{units}report r {{ from 甲; 审核 乙 然后 丙 然后 乙; due 2017-05-01 }}\n"
            )),
            ["error: `乙` reviews `r` at two levels; each level is another unit's"]
        );
    }

    #[test]
    fn a_reviewers_time_limit_needs_a_review() {
        let problems = problems("report r { from 甲; review within 3 workdays; due 2017-05-01 }\n");
        assert_eq!(
            problems,
            [
                "error: `r` gives its reviewer a time limit, but is not reviewed \
                 (help: add `review` (`审核`), or remove the time limit)"
            ]
        );
        let (c, diagnostics) =
            check_body("report r { from 甲; review by 甲; 审核时限 3个工作日; due 2017-05-01 }\n");
        let within = c.expect("a campaign").deliverables[0]
            .review_within
            .unwrap();
        assert_eq!((within.count, within.unit), (3, DurationUnit::Workdays));
        // Read and applied: nothing to say.
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }

    #[test]
    fn what_units_may_ask_for_in_more_time_is_read_in_both_spellings() {
        use crate::language::ast::ExtensionRule;
        use crate::vocabulary::Duration;
        let c = campaign(
            "report r { from 甲; due 2017-05-01; 延期 最多1次 不超过10日 }\nreport s { from 甲; due 2017-05-01; extended at most 2 times up to 3 workdays }\nreport t { from 甲; due 2017-05-01; 延期 不超过5日 }\nreport u { from 甲; due 2017-05-01 }\n",
        );
        let rules: Vec<Option<ExtensionRule>> =
            c.deliverables.iter().map(|d| d.extensions).collect();
        let days = |count, unit| Some(Duration { count, unit });
        assert_eq!(
            rules,
            [
                Some(ExtensionRule {
                    times: Some(1),
                    span: days(10, DurationUnit::Days)
                }),
                Some(ExtensionRule {
                    times: Some(2),
                    span: days(3, DurationUnit::Workdays)
                }),
                Some(ExtensionRule {
                    times: None,
                    span: days(5, DurationUnit::Days)
                }),
                None,
            ]
        );
        // Said for the whole campaign, it holds for every report that says nothing of its own.
        let (c, diagnostics) = check_file(
            "campaign t {\n  period 2017-04-01 .. 2017-12-31\n  延期 最多1次\n}\nunit 甲\nreport r { from 甲; due 2017-05-01 }\nreport s { from 甲; due 2017-05-01; 延期 最多2次 }\n",
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let times: Vec<Option<u32>> = c
            .unwrap()
            .deliverables
            .iter()
            .map(|d| d.extensions.and_then(|e| e.times))
            .collect();
        assert_eq!(times, [Some(1), Some(2)]);
    }

    #[test]
    fn how_soon_a_notice_is_acknowledged_is_read_in_hours_or_days() {
        use crate::language::ast::AckWithin;
        use crate::vocabulary::Duration;
        let (c, diagnostics) = check_file(
            "campaign t {\n  period 2017-04-01 .. 2017-12-31\n  签收 48小时内\n}\nunit 甲\nreport r { from 甲; due 2017-05-01; 签收 24小时内 }\nreport s { from 甲; due 2017-05-01; acknowledge within 2 hours }\nreport t { from 甲; due 2017-05-01; 签收 1个工作日内 }\nreport u { from 甲; due 2017-05-01 }\n",
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let within: Vec<Option<AckWithin>> = c
            .unwrap()
            .deliverables
            .iter()
            .map(|d| d.acknowledge)
            .collect();
        assert_eq!(
            within,
            [
                Some(AckWithin::Hours(24)),
                Some(AckWithin::Hours(2)),
                Some(AckWithin::Span(Duration {
                    count: 1,
                    unit: DurationUnit::Workdays
                })),
                // The campaign's, where the report says nothing.
                Some(AckWithin::Hours(48)),
            ]
        );
    }

    #[test]
    fn cadence_statements_on_a_one_off_are_errors_but_a_phase_is_not() {
        let problems = problems(
            "phase p 2017-05-01 .. 2017-06-30\nreport r { from 甲; due 2017-05-20; first 2017-05; during p }\n",
        );
        assert_eq!(
            problems,
            ["error: `first` only applies to a recurring `due`"]
        );
    }

    #[test]
    fn a_former_name_still_in_use_is_an_error() {
        let problems = problems(
            "report 月报 { from 甲; due 2017-05-01 }\nreport 统计 { from 甲; formerly 月报; due 2017-05-01 }\n",
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("月报"), "{problems:?}");
    }
}
