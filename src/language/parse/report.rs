//! Reports, measures, targets and items, and the deadlines and cadences they are due by.

use super::*;

impl<'s> Lower<'s> {
    pub(super) fn report(&mut self, pair: Pair<'s, Rule>) -> ReportDecl {
        let (span, name, title, stmts) = self.deliverable(pair, Context::Report);
        ReportDecl {
            span,
            name,
            title,
            stmts,
        }
    }

    /// `通报 每月 下月5日前`: a report named 通报 that the campaign's office owes.
    pub(super) fn bulletin(&mut self, pair: Pair<'s, Rule>) -> Option<ReportDecl> {
        let span = span_of(&pair);
        let keyword = pair
            .clone()
            .into_inner()
            .next()
            .map_or(span, |k| span_of(&k));
        let due = self.due_value(last(pair)?);
        let name = Spanned::new("通报".to_string(), keyword);
        Some(ReportDecl {
            span,
            title: Some(name.clone()),
            name,
            stmts: vec![
                Spanned::new(ReportStmt::Bulletin, keyword),
                Spanned::new(ReportStmt::Due(due), span),
            ],
        })
    }

    pub(super) fn measure(&mut self, pair: Pair<'s, Rule>) -> MeasureDecl {
        let (span, name, title, stmts) = self.deliverable(pair, Context::Measure);
        MeasureDecl {
            span,
            name,
            title,
            stmts,
        }
    }

    pub(super) fn target(&mut self, pair: Pair<'s, Rule>) -> TargetDecl {
        let (span, name, title, stmts) = self.deliverable(pair, Context::Target);
        TargetDecl {
            span,
            name,
            title,
            stmts,
        }
    }

    /// The shared shape of reports, measures and targets: `KW NAME ["title"] { … }`.
    #[allow(clippy::type_complexity)]
    pub(super) fn deliverable(
        &mut self,
        pair: Pair<'s, Rule>,
        context: Context,
    ) -> (Span, Name, Option<Name>, Vec<Spanned<ReportStmt>>) {
        self.headed_block(pair, |this, s| this.report_stmt(s, context))
    }

    pub(super) fn report_stmt(
        &mut self,
        pair: Pair<'s, Rule>,
        context: Context,
    ) -> Option<Spanned<ReportStmt>> {
        let span = span_of(&pair);
        let stmt = match pair.as_rule() {
            Rule::from | Rule::owners => ReportStmt::From(self.name_list(last(pair)?)),
            Rule::to => ReportStmt::To(
                pair.into_inner()
                    .filter(|p| p.as_rule() == Rule::recipient)
                    .map(|p| self.recipient(p))
                    .collect(),
            ),
            Rule::form => ReportStmt::Form(self.texts(pair)),
            Rule::signers => ReportStmt::Signers(self.texts(pair)),
            Rule::formerly => ReportStmt::Formerly(self.texts(pair)),
            Rule::review => {
                let (mut first, mut then, mut later) = (None, false, Vec::new());
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::w_then => then = true,
                        Rule::name if then => later.push(self.name(p)),
                        Rule::name => first = Some(self.name(p)),
                        _ => {}
                    }
                }
                ReportStmt::Review(first, later)
            }
            Rule::review_within => ReportStmt::ReviewWithin(self.duration(last(pair)?)),
            Rule::extensions => {
                let (rule, approver) = self.extension_rule(pair);
                ReportStmt::Extensions(rule, approver)
            }
            Rule::acknowledge => ReportStmt::Acknowledge(self.ack_within(pair)?),
            Rule::split => ReportStmt::Split(match last(pair) {
                Some(p) if p.as_rule() == Rule::due_value => Some(self.due_value(p)),
                _ => None,
            }),
            Rule::due => ReportStmt::Due(self.due_value(last(pair)?)),
            Rule::covering => ReportStmt::Covering(coverage(last(pair)?)),
            Rule::first => ReportStmt::First(self.bound(last(pair)?)),
            Rule::last => {
                let p = last(pair)?;
                if p.as_rule() == Rule::kw_ongoing {
                    ReportStmt::Last(Spanned::new(Bound::Ongoing, span_of(&p)))
                } else {
                    ReportStmt::Last(self.bound(p))
                }
            }
            Rule::during => ReportStmt::During(self.last_text(pair)),
            Rule::ongoing => ReportStmt::Ongoing,
            Rule::holidays => ReportStmt::Holidays(shift_rule(last(pair)?)),
            Rule::note => ReportStmt::Note(self.last_text(pair)),
            Rule::remind => ReportStmt::Remind(self.remind(pair)),
            Rule::threshold => ReportStmt::Threshold(self.threshold(pair)?),
            Rule::value_from => self.value_from(pair),
            _ => {
                self.other(pair, context);
                return None;
            }
        };
        Some(Spanned::new(stmt, span))
    }

    /// `取自 统计表.支出进度`, or with the report's name quoted: `取自 "附件3 统计表".支出进度`.
    fn value_from(&mut self, pair: Pair<'s, Rule>) -> ReportStmt {
        let span = span_of(&pair);
        let mut texts = self.texts(pair).into_iter();
        let first = texts
            .next()
            .unwrap_or_else(|| Spanned::new(String::new(), span));
        if let Some(field) = texts.next() {
            return ReportStmt::ValueFrom(first, field);
        }
        // A bare name took the dot in: the report is what comes before the last one.
        let cut = first.node.rfind(['.', '．']);
        match cut {
            Some(i) => {
                let dot = first.node[i..].chars().next().map_or(1, char::len_utf8);
                let start = first.span.start;
                let report = Spanned::new(first.node[..i].to_string(), Span::new(start, start + i));
                let field = Spanned::new(
                    first.node[i + dot..].to_string(),
                    Span::new(start + i + dot, first.span.end),
                );
                ReportStmt::ValueFrom(report, field)
            }
            None => {
                let end = Span::new(first.span.end, first.span.end);
                ReportStmt::ValueFrom(first, Spanned::new(String::new(), end))
            }
        }
    }

    pub(super) fn recipient(&mut self, pair: Pair<'s, Rule>) -> Recipient {
        let span = span_of(&pair);
        match pair.into_inner().next() {
            Some(p) if p.as_rule() == Rule::name => Recipient::Named(self.name(p)),
            _ => Recipient::Parent(span),
        }
    }

    pub(super) fn threshold(&mut self, pair: Pair<'s, Rule>) -> Option<Threshold> {
        let span = span_of(&pair);
        let mut at_least = true;
        let mut value = None;
        let mut unit = None;
        let mut by = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::comparison => {
                    let s = p.as_str();
                    at_least =
                        !(s.contains("most") || ["不高于", "不超过", "≤", "<="].contains(&s));
                }
                Rule::quantity => {
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::decimal => {
                                value = Some(Spanned::new(q.as_str().to_string(), span_of(&q)))
                            }
                            Rule::quantity_unit => unit = Some(q.as_str().to_string()),
                            _ => {}
                        }
                    }
                }
                Rule::deadline => by = Some(self.deadline(p)),
                _ => {}
            }
        }
        Some(Threshold {
            at_least,
            value: value?,
            unit,
            // No date: the checker ties it to the end of the target's phase.
            by: by.unwrap_or_else(|| Spanned::new(DueExpr::Ongoing, span)),
        })
    }

    pub(super) fn item(&mut self, pair: Pair<'s, Rule>) -> ItemDecl {
        let (span, name, title, stmts) = self.headed_block(pair, Self::item_stmt);
        ItemDecl {
            span,
            name,
            title,
            stmts,
        }
    }

    pub(super) fn item_stmt(&mut self, pair: Pair<'s, Rule>) -> Option<Spanned<ItemStmt>> {
        let span = span_of(&pair);
        let stmt = match pair.as_rule() {
            Rule::lead => ItemStmt::Lead(self.name_list(last(pair)?)),
            Rule::cooperate => ItemStmt::Cooperate(self.name_list(last(pair)?)),
            Rule::supervisors => ItemStmt::Supervisors(self.name_list(last(pair)?)),
            Rule::measure => ItemStmt::Measure(self.measure(pair)),
            Rule::target => ItemStmt::Target(self.target(pair)),
            Rule::report => ItemStmt::Report(self.report(pair)),
            Rule::note => ItemStmt::Note(self.last_text(pair)),
            _ => {
                self.other(pair, Context::Item);
                return None;
            }
        };
        Some(Spanned::new(stmt, span))
    }

    // -----------------------------------------------------------------------------------------
    // Deadlines and cadences
    // -----------------------------------------------------------------------------------------

    pub(super) fn due_value(&mut self, pair: Pair<'s, Rule>) -> Spanned<DueExpr> {
        let span = span_of(&pair);
        match pair.into_inner().next() {
            Some(p) if p.as_rule() == Rule::cadence => {
                Spanned::new(DueExpr::Cadence(self.cadence(p)), span)
            }
            Some(p) if p.as_rule() == Rule::deadline => self.deadline(p),
            Some(p) if p.as_rule() == Rule::dates => Spanned::new(self.dates(p), span),
            Some(p) if p.as_rule() == Rule::standing => Spanned::new(DueExpr::Standing, span),
            _ => Spanned::new(DueExpr::Ongoing, span),
        }
    }

    /// `分别于2009年6月底和7月底前`: a date without its year takes the year of the one before.
    pub(super) fn dates(&mut self, pair: Pair<'s, Rule>) -> DueExpr {
        let mut dates: Vec<Spanned<DateExpr>> = Vec::new();
        for p in pair.into_inner().filter(|p| p.as_rule() == Rule::date) {
            let mut date = self.date(p);
            if date.node.year.is_none() {
                date.node.year = dates.last().and_then(|d| d.node.year);
            }
            dates.push(date);
        }
        DueExpr::Dates(dates)
    }

    pub(super) fn deadline(&mut self, pair: Pair<'s, Rule>) -> Spanned<DueExpr> {
        let span = span_of(&pair);
        let expr = match pair.into_inner().next() {
            Some(p) if p.as_rule() == Rule::date => DueExpr::Date(self.date(p)),
            Some(p) => DueExpr::Relative(self.relative(p)),
            None => DueExpr::Ongoing,
        };
        Spanned::new(expr, span)
    }

    pub(super) fn relative(&mut self, pair: Pair<'s, Rule>) -> Relative {
        let span = span_of(&pair);
        let Some(form) = pair.into_inner().next() else {
            return Relative {
                anchor: Spanned::new(Anchor::Start(AnchorTarget::Campaign), span),
                offset: None,
            };
        };
        let mut count = None;
        let mut after = true;
        let mut anchor = None;
        for p in form.into_inner() {
            match p.as_rule() {
                Rule::duration => count = Some(self.duration(p).node),
                Rule::direction => after = matches!(p.as_str(), "after" | "后"),
                Rule::anchor_en | Rule::anchor_zh => anchor = Some(self.anchor(p)),
                Rule::receipt_zh => {
                    let at = span_of(&p);
                    if let Some(name) = p.into_inner().find(|n| n.as_rule() == Rule::name) {
                        anchor = Some(Spanned::new(Anchor::Receipt(self.name(name)), at));
                    }
                }
                _ => {}
            }
        }
        Relative {
            anchor: anchor
                .unwrap_or_else(|| Spanned::new(Anchor::Start(AnchorTarget::Campaign), span)),
            offset: count.map(|amount| Offset { amount, after }),
        }
    }

    pub(super) fn anchor(&mut self, pair: Pair<'s, Rule>) -> Spanned<Anchor> {
        let span = span_of(&pair);
        let mut edge = "start";
        let mut target = None;
        let mut bare = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::receipt_en => edge = "receipt",
                Rule::edge_en | Rule::edge_zh => edge = p.as_str(),
                Rule::anchor_target => target = Some(self.anchor_target(p)),
                Rule::name => bare = Some(self.name(p)),
                _ => {}
            }
        }
        let anchor = match (bare, target) {
            (Some(name), _) if edge == "receipt" => Anchor::Receipt(name),
            (Some(name), _) => Anchor::Due(name),
            // 到期 (falls due) counts from another deliverable's deadline.
            (None, Some(AnchorTarget::Named(name))) if edge == "到期" => Anchor::Due(name),
            (None, Some(target)) if matches!(edge, "start" | "开始") => Anchor::Start(target),
            (None, Some(target)) => Anchor::End(target),
            (None, None) => Anchor::Start(AnchorTarget::Campaign),
        };
        Spanned::new(anchor, span)
    }

    pub(super) fn anchor_target(&mut self, pair: Pair<'s, Rule>) -> AnchorTarget {
        match pair.into_inner().next() {
            Some(p) => match p.as_rule() {
                Rule::next_phase => AnchorTarget::NextPhase,
                Rule::this_phase => AnchorTarget::ThisPhase,
                Rule::campaign_ref => AnchorTarget::Campaign,
                _ => AnchorTarget::Named(self.name(p)),
            },
            None => AnchorTarget::Campaign,
        }
    }

    pub(super) fn cadence(&mut self, pair: Pair<'s, Rule>) -> Cadence {
        let span = span_of(&pair);
        let mut unit = Spanned::new(PeriodUnit::Month, span);
        let mut step = Spanned::new(1, span);
        let mut dues = Vec::new();
        let mut times = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::times_zh => {
                    let at = span_of(&p);
                    let n = p.into_inner().next().map_or(0, |n| match n.as_str() {
                        "一" => 1,
                        "二" | "两" => 2,
                        "三" => 3,
                        "四" => 4,
                        "五" => 5,
                        "六" => 6,
                        digits => digits.parse().unwrap_or(0),
                    });
                    times = Some(Spanned::new(n, at));
                }
                Rule::cadence_step => {
                    let n = match p.as_str() {
                        "两" | "二" => 2,
                        "三" => 3,
                        "四" => 4,
                        "六" => 6,
                        _ => self.number(&p),
                    };
                    step = Spanned::new(n, span_of(&p));
                }
                Rule::cadence_unit => {
                    if let Some(u) = period_unit(p.as_str()) {
                        unit = Spanned::new(u, span_of(&p));
                    }
                }
                Rule::cadence_due => {
                    if let Some(d) = p.into_inner().next() {
                        dues.push(self.cadence_due(d));
                    }
                }
                _ => {}
            }
        }
        if dues.is_empty() {
            dues.push(Spanned::new(CadenceDue::End { next: None }, span));
        }
        Cadence {
            unit,
            step,
            dues,
            times,
            span,
        }
    }

    pub(super) fn cadence_due(&mut self, pair: Pair<'s, Rule>) -> Spanned<CadenceDue> {
        let span = span_of(&pair);
        let rule = pair.as_rule();
        if rule == Rule::due_relative {
            let relative = match pair.into_inner().next() {
                Some(p) => self.relative(p),
                None => Relative {
                    anchor: Spanned::new(Anchor::Start(AnchorTarget::NextPhase), span),
                    offset: None,
                },
            };
            return Spanned::new(CadenceDue::Relative(relative), span);
        }
        let mut numbers = Vec::new();
        let mut next = None;
        let mut weekday = 0;
        let mut part = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::number | Rule::day => numbers.push(self.number(&p)),
                Rule::month => numbers.push(self.month(&p)),
                Rule::month_part_zh | Rule::cadence_part => part = Some(day_part(p.as_str())),
                Rule::month_day_en => {
                    for n in p.into_inner() {
                        numbers.push(self.number(&n));
                    }
                }
                Rule::next_zh | Rule::of_next => next = self.next_marker(p),
                Rule::period_word_en => {
                    next = period_unit(p.as_str()).map(|u| Spanned::new(u, span_of(&p)))
                }
                Rule::weekday_en | Rule::weekday_zh => weekday = weekday_index(p.as_str()),
                _ => {}
            }
        }
        let n = |i: usize| numbers.get(i).copied().unwrap_or(0);
        let due = match rule {
            Rule::due_month_day => CadenceDue::MonthDay {
                month: n(0),
                day: part.unwrap_or(DayPart::Day(n(1))),
                next,
            },
            Rule::due_weekday => CadenceDue::Weekday { weekday, next },
            Rule::due_end => CadenceDue::End { next },
            Rule::due_last_workday => CadenceDue::LastWorkday { next },
            // 月初, 月中, 上旬…: the day a deadline written so means.
            Rule::due_part => match part {
                Some(DayPart::Late) | Some(DayPart::End) => CadenceDue::End { next },
                Some(part) => CadenceDue::Day {
                    day: part.deadline_day().unwrap_or(1),
                    next,
                },
                None => CadenceDue::End { next },
            },
            _ => CadenceDue::Day { day: n(0), next },
        };
        Spanned::new(due, span)
    }

    /// `下月` / `of next month`: which period unit the text says "next" of.
    pub(super) fn next_marker(&mut self, pair: Pair<'s, Rule>) -> Option<Spanned<PeriodUnit>> {
        let span = span_of(&pair);
        let text = pair.as_str();
        let unit = if pair.as_rule() == Rule::of_next {
            pair.into_inner()
                .find(|p| p.as_rule() == Rule::period_word_en)
                .and_then(|p| period_unit(p.as_str()))
        } else if text.contains('月') {
            Some(PeriodUnit::Month)
        } else if text.contains('季') {
            Some(PeriodUnit::Quarter)
        } else if text.contains('年') {
            Some(PeriodUnit::Year)
        } else {
            Some(PeriodUnit::Week)
        };
        unit.map(|u| Spanned::new(u, span))
    }

    pub(super) fn bound(&mut self, pair: Pair<'s, Rule>) -> Spanned<Bound> {
        let span = span_of(&pair);
        let Some(p) = pair.into_inner().next() else {
            return Spanned::new(Bound::Ongoing, span);
        };
        let bound = match p.as_rule() {
            Rule::period_lit => match self.period_lit(p) {
                Some(lit) => Bound::Period(lit),
                None => Bound::Ongoing,
            },
            Rule::date => {
                let date = self.date(p).node;
                match (date.year, date.day) {
                    (Some(y), DayPart::WholeMonth) => {
                        Bound::Period(PeriodLit::Month(y, date.month))
                    }
                    _ => Bound::Date(date),
                }
            }
            _ => Bound::Anchor(self.anchor(p).node),
        };
        Spanned::new(bound, span)
    }

    pub(super) fn period_lit(&mut self, pair: Pair<'s, Rule>) -> Option<PeriodLit> {
        let lit = pair.into_inner().next()?;
        let rule = lit.as_rule();
        let mut year = 0;
        let mut n = 0;
        let mut month = None;
        for p in lit.into_inner() {
            match p.as_rule() {
                Rule::year => year = self.number(&p) as i32,
                Rule::quarter_n => n = chinese_digit(p.as_str()),
                Rule::month => month = Some(self.month(&p)),
                Rule::number | Rule::half_n => n = self.number(&p),
                _ => {}
            }
        }
        Some(match (rule, month) {
            (Rule::half_lit, Some(month)) => PeriodLit::HalfMonth(year, month, n),
            (Rule::half_lit, None) => PeriodLit::HalfYear(year, n),
            (Rule::quarter_lit, _) => PeriodLit::Quarter(year, n),
            (Rule::week_lit, _) => PeriodLit::Week(year, n),
            _ => PeriodLit::Year(year),
        })
    }

    // -----------------------------------------------------------------------------------------
    // Reminders
}
