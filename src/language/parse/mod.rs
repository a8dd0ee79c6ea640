//! Text → syntax tree. The only module that touches pest: it lowers pest's pairs into the typed
//! [`ast`](super::ast) at once, and turns pest's errors into diagnostics written for people.
//!
//! A line the grammar cannot read is caught by the grammar's `bad_stmt` rule, so the rest of the
//! file is still parsed and every mistake of a file is reported in one run. That line is then
//! parsed again, alone, with the strict rule of its block, which pins down the column of the
//! first mistake in it.

use std::num::NonZeroUsize;

use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;

use super::ast::*;
use super::diagnostic::{Diagnostic, Problem};
use super::grammar::{CampaignParser, Rule};
use super::hints;
use super::keywords::{self, Context};
use super::suggest;

/// Parses a campaign file. Returns what could be read and every syntax error found.
pub fn parse(src: &str) -> (File, Vec<Diagnostic>) {
    if let Some(diagnostic) = hints::check_nesting(src) {
        return (File::default(), vec![diagnostic]);
    }
    // Everything after a brace left open reads as wrong: say which brace, and nothing else.
    if let Some(diagnostic) = hints::unclosed_brace(src) {
        return (File::default(), vec![diagnostic]);
    }
    // Bounds the work on pathological input; generous for real files.
    pest::set_call_limit(NonZeroUsize::new(200 * src.len() + 1_000_000));
    let mut lower = Lower {
        src,
        diagnostics: Vec::new(),
        broken: Vec::new(),
    };
    let file = match CampaignParser::parse(Rule::file, src) {
        Ok(mut pairs) => match pairs.next() {
            Some(pair) => lower.file(pair),
            None => File::default(),
        },
        Err(error) => {
            lower.diagnostics.push(pest_error(src, 0, error));
            File::default()
        }
    };
    (file, lower.diagnostics)
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

struct Lower<'s> {
    src: &'s str,
    diagnostics: Vec<Diagnostic>,
    broken: Vec<(Span, &'static str)>,
}

impl<'s> Lower<'s> {
    fn file(&mut self, pair: Pair<'s, Rule>) -> File {
        let mut items = Vec::new();
        for p in pair.into_inner() {
            let item = match p.as_rule() {
                Rule::campaign => TopItem::Campaign(self.campaign(p)),
                Rule::unit => TopItem::Unit(self.unit(p)),
                Rule::group => TopItem::Group(self.group(p)),
                Rule::phase => TopItem::Phase(self.phase(p)),
                Rule::report => TopItem::Report(self.report(p)),
                Rule::item => TopItem::Item(self.item(p)),
                Rule::measure => TopItem::Measure(self.measure(p)),
                Rule::target => TopItem::Target(self.target(p)),
                Rule::remind => TopItem::Remind(self.remind(p)),
                Rule::stray_close => {
                    self.diagnostics.push(
                        Diagnostic::error(Problem::UnmatchedBrace, span_of(&p))
                            .with_label("no block is open here"),
                    );
                    continue;
                }
                _ => {
                    self.other(p, Context::Top);
                    continue;
                }
            };
            items.push(item);
        }
        File {
            items,
            broken: std::mem::take(&mut self.broken),
        }
    }

    /// A pair a block does not expect: a `bad_stmt` to explain, or EOI.
    fn other(&mut self, pair: Pair<'s, Rule>, context: Context) {
        if pair.as_rule() == Rule::bad_stmt {
            self.bad_statement(&pair, context);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Campaign
    // -----------------------------------------------------------------------------------------

    fn campaign(&mut self, pair: Pair<'s, Rule>) -> CampaignDecl {
        let (span, id, title, stmts) = self.headed_block(pair, Self::campaign_stmt);
        CampaignDecl {
            span,
            id,
            title,
            stmts,
        }
    }

    /// `KEYWORD NAME ["title"] { … }`: the span, name and title, and the block's statements
    /// lowered by `stmt` (which explains the lines it cannot use).
    #[allow(clippy::type_complexity)]
    fn headed_block<T>(
        &mut self,
        pair: Pair<'s, Rule>,
        mut stmt: impl FnMut(&mut Self, Pair<'s, Rule>) -> Option<Spanned<T>>,
    ) -> (Span, Name, Option<Name>, Vec<Spanned<T>>) {
        let span = span_of(&pair);
        let mut name = None;
        let mut title = None;
        let mut stmts = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::name => name = Some(self.name(p)),
                Rule::string => title = Some(self.string(p)),
                Rule::campaign_block
                | Rule::unit_block
                | Rule::report_block
                | Rule::item_block
                | Rule::measure_block
                | Rule::target_block => {
                    for s in p.into_inner() {
                        if let Some(lowered) = stmt(self, s) {
                            stmts.push(lowered);
                        }
                    }
                }
                _ => {}
            }
        }
        let name = name.unwrap_or_else(|| Spanned::new(String::new(), span));
        (span, name, title, stmts)
    }

    fn campaign_stmt(&mut self, pair: Pair<'s, Rule>) -> Option<Spanned<CampaignStmt>> {
        let span = span_of(&pair);
        let rule = pair.as_rule();
        let stmt = match rule {
            Rule::title => CampaignStmt::Title(self.last_text(pair)),
            Rule::issuer => CampaignStmt::Issuer(self.last_text(pair)),
            Rule::doc => CampaignStmt::Doc(self.last_text(pair)),
            Rule::note => CampaignStmt::Note(self.last_text(pair)),
            Rule::contacts => CampaignStmt::Contacts(self.last_text(pair)),
            Rule::templates => CampaignStmt::Templates(self.last_text(pair)),
            Rule::office => CampaignStmt::Office(self.last_text(pair)),
            Rule::issued => CampaignStmt::Issued(self.date(last(pair)?)),
            Rule::zone => {
                let p = last(pair)?;
                CampaignStmt::Zone(Spanned::new(p.as_str().to_string(), span_of(&p)))
            }
            Rule::period => CampaignStmt::Period(self.window(last(pair)?)),
            Rule::holidays => CampaignStmt::Holidays(shift_rule(last(pair)?)),
            Rule::supervisors => CampaignStmt::Supervisors(self.name_list(last(pair)?)),
            _ => {
                self.other(pair, Context::Campaign);
                return None;
            }
        };
        Some(Spanned::new(stmt, span))
    }

    // -----------------------------------------------------------------------------------------
    // Units and groups
    // -----------------------------------------------------------------------------------------

    fn unit(&mut self, pair: Pair<'s, Rule>) -> UnitDecl {
        let (span, name, _, stmts) = self.headed_block(pair, Self::unit_stmt);
        UnitDecl { span, name, stmts }
    }

    fn unit_stmt(&mut self, pair: Pair<'s, Rule>) -> Option<Spanned<UnitStmt>> {
        let span = span_of(&pair);
        let stmt = match pair.as_rule() {
            Rule::under => UnitStmt::Under(self.last_text(pair)),
            Rule::full_name => UnitStmt::FullName(self.last_text(pair)),
            Rule::email => UnitStmt::Email(self.last_text(pair)),
            Rule::phone => UnitStmt::Phone(self.last_text(pair)),
            Rule::reviewer => UnitStmt::Reviewer(self.last_text(pair)),
            Rule::active => UnitStmt::Active(self.window(last(pair)?)),
            Rule::note => UnitStmt::Note(self.last_text(pair)),
            Rule::contact => UnitStmt::Contact(self.contact(pair)),
            _ => {
                self.other(pair, Context::Unit);
                return None;
            }
        };
        Some(Spanned::new(stmt, span))
    }

    fn contact(&mut self, pair: Pair<'s, Rule>) -> ContactDecl {
        let mut contact = ContactDecl {
            role: ContactRole::Contact,
            person: None,
            email: None,
            phone: None,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::contact_role => {
                    contact.role = match p.into_inner().next().map(|k| k.as_rule()) {
                        Some(Rule::kw_leader) => ContactRole::Leader,
                        Some(Rule::kw_liaison) => ContactRole::Liaison,
                        _ => ContactRole::Contact,
                    }
                }
                Rule::text => contact.person = Some(self.text(p)),
                Rule::contact_attr => {
                    let is_email =
                        p.clone().into_inner().next().map(|k| k.as_rule()) == Some(Rule::kw_email);
                    let value = self.last_text(p);
                    if is_email {
                        contact.email = Some(value);
                    } else {
                        contact.phone = Some(value);
                    }
                }
                _ => {}
            }
        }
        contact
    }

    fn group(&mut self, pair: Pair<'s, Rule>) -> GroupDecl {
        let span = span_of(&pair);
        let mut names = Vec::new();
        let mut members = Vec::new();
        let mut members_span = span;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::name => names.push(self.name(p)),
                Rule::group_members | Rule::name_list => {
                    members_span = span_of(&p);
                    members = p
                        .into_inner()
                        .filter(|n| n.as_rule() == Rule::name)
                        .map(|n| self.name(n))
                        .collect();
                }
                _ => {}
            }
        }
        let mut names = names.into_iter();
        GroupDecl {
            span,
            name: names
                .next()
                .unwrap_or_else(|| Spanned::new(String::new(), span)),
            under: names.next(),
            members,
            members_span,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Phases and windows
    // -----------------------------------------------------------------------------------------

    fn phase(&mut self, pair: Pair<'s, Rule>) -> PhaseDecl {
        let span = span_of(&pair);
        let mut name = None;
        let mut window = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::name => name = Some(self.name(p)),
                Rule::window => window = Some(self.window(p)),
                _ => {}
            }
        }
        PhaseDecl {
            span,
            name: name.unwrap_or_else(|| Spanned::new(String::new(), span)),
            window: window.unwrap_or_else(|| Spanned::new(Window::Throughout, span)),
        }
    }

    fn window(&mut self, pair: Pair<'s, Rule>) -> Spanned<Window> {
        let span = span_of(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Spanned::new(Window::Throughout, span);
        };
        let window = match inner.as_rule() {
            Rule::window_until => match inner.into_inner().find(|p| p.as_rule() == Rule::date) {
                Some(date) => Window::Until(self.date(date)),
                None => Window::Throughout,
            },
            Rule::window_span => self.window_span(inner),
            _ => Window::Throughout,
        };
        Spanned::new(window, span)
    }

    fn window_span(&mut self, pair: Pair<'s, Rule>) -> Window {
        let span = span_of(&pair);
        let mut start = WindowStart::Issue(span);
        let mut end = None;
        let mut open = false;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::w_from | Rule::w_qi => open = true,
                Rule::window_start => {
                    if let Some(s) = p.into_inner().next() {
                        start = match s.as_rule() {
                            Rule::date => WindowStart::Date(self.date(s)),
                            _ => WindowStart::Issue(span_of(&s)),
                        };
                    }
                }
                Rule::date => end = Some(self.date(p)),
                _ => {}
            }
        }
        Window::Span { start, end, open }
    }

    // -----------------------------------------------------------------------------------------
    // Reports, measures, targets, items
    // -----------------------------------------------------------------------------------------

    fn report(&mut self, pair: Pair<'s, Rule>) -> ReportDecl {
        let (span, name, title, stmts) = self.deliverable(pair, Context::Report);
        ReportDecl {
            span,
            name,
            title,
            stmts,
        }
    }

    fn measure(&mut self, pair: Pair<'s, Rule>) -> MeasureDecl {
        let (span, name, title, stmts) = self.deliverable(pair, Context::Measure);
        MeasureDecl {
            span,
            name,
            title,
            stmts,
        }
    }

    fn target(&mut self, pair: Pair<'s, Rule>) -> TargetDecl {
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
    fn deliverable(
        &mut self,
        pair: Pair<'s, Rule>,
        context: Context,
    ) -> (Span, Name, Option<Name>, Vec<Spanned<ReportStmt>>) {
        self.headed_block(pair, |this, s| this.report_stmt(s, context))
    }

    fn report_stmt(
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
            Rule::review => ReportStmt::Review(
                pair.into_inner()
                    .find(|p| p.as_rule() == Rule::name)
                    .map(|p| self.name(p)),
            ),
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
            _ => {
                self.other(pair, context);
                return None;
            }
        };
        Some(Spanned::new(stmt, span))
    }

    fn recipient(&mut self, pair: Pair<'s, Rule>) -> Recipient {
        let span = span_of(&pair);
        match pair.into_inner().next() {
            Some(p) if p.as_rule() == Rule::name => Recipient::Named(self.name(p)),
            _ => Recipient::Parent(span),
        }
    }

    fn threshold(&mut self, pair: Pair<'s, Rule>) -> Option<Threshold> {
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
            by: by?,
        })
    }

    fn item(&mut self, pair: Pair<'s, Rule>) -> ItemDecl {
        let (span, name, title, stmts) = self.headed_block(pair, Self::item_stmt);
        ItemDecl {
            span,
            name,
            title,
            stmts,
        }
    }

    fn item_stmt(&mut self, pair: Pair<'s, Rule>) -> Option<Spanned<ItemStmt>> {
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

    fn due_value(&mut self, pair: Pair<'s, Rule>) -> Spanned<DueExpr> {
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
    fn dates(&mut self, pair: Pair<'s, Rule>) -> DueExpr {
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

    fn deadline(&mut self, pair: Pair<'s, Rule>) -> Spanned<DueExpr> {
        let span = span_of(&pair);
        let expr = match pair.into_inner().next() {
            Some(p) if p.as_rule() == Rule::date => DueExpr::Date(self.date(p)),
            Some(p) => DueExpr::Relative(self.relative(p)),
            None => DueExpr::Ongoing,
        };
        Spanned::new(expr, span)
    }

    fn relative(&mut self, pair: Pair<'s, Rule>) -> Relative {
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

    fn anchor(&mut self, pair: Pair<'s, Rule>) -> Spanned<Anchor> {
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

    fn anchor_target(&mut self, pair: Pair<'s, Rule>) -> AnchorTarget {
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

    fn cadence(&mut self, pair: Pair<'s, Rule>) -> Cadence {
        let span = span_of(&pair);
        let mut unit = Spanned::new(PeriodUnit::Month, span);
        let mut step = Spanned::new(1, span);
        let mut dues = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
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
            span,
        }
    }

    fn cadence_due(&mut self, pair: Pair<'s, Rule>) -> Spanned<CadenceDue> {
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
    fn next_marker(&mut self, pair: Pair<'s, Rule>) -> Option<Spanned<PeriodUnit>> {
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

    fn bound(&mut self, pair: Pair<'s, Rule>) -> Spanned<Bound> {
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

    fn period_lit(&mut self, pair: Pair<'s, Rule>) -> Option<PeriodLit> {
        let lit = pair.into_inner().next()?;
        let rule = lit.as_rule();
        let mut year = 0;
        let mut n = 0;
        for p in lit.into_inner() {
            match p.as_rule() {
                Rule::year => year = self.number(&p) as i32,
                Rule::quarter_n => n = chinese_digit(p.as_str()),
                Rule::number => n = self.number(&p),
                _ => {}
            }
        }
        Some(match rule {
            Rule::quarter_lit => PeriodLit::Quarter(year, n),
            Rule::week_lit => PeriodLit::Week(year, n),
            _ => PeriodLit::Year(year),
        })
    }

    // -----------------------------------------------------------------------------------------
    // Reminders
    // -----------------------------------------------------------------------------------------

    fn remind(&mut self, pair: Pair<'s, Rule>) -> RemindDecl {
        let span = span_of(&pair);
        let mut stmts = Vec::new();
        for p in pair.into_inner() {
            if p.as_rule() != Rule::remind_block {
                continue;
            }
            for s in p.into_inner() {
                if let Some(stmt) = self.remind_stmt(s) {
                    stmts.push(stmt);
                }
            }
        }
        RemindDecl { span, stmts }
    }

    fn remind_stmt(&mut self, pair: Pair<'s, Rule>) -> Option<Spanned<RemindStmt>> {
        let span = span_of(&pair);
        let stmt = match pair.as_rule() {
            Rule::before => {
                let mut leads = Vec::new();
                let mut at = None;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::duration => leads.push(self.duration(p)),
                        Rule::time_of_day => at = Some(self.time_of_day(p)),
                        _ => {}
                    }
                }
                RemindStmt::Before(leads, at)
            }
            Rule::at => RemindStmt::At(self.time_of_day(last(pair)?)),
            Rule::overdue => {
                let mut after = None;
                let mut interview = false;
                let mut to = Vec::new();
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::duration => after = Some(self.duration(p)),
                        Rule::action => interview = matches!(p.as_str(), "interview" | "约谈"),
                        Rule::escalate_to => to.push(self.escalate_to(p)),
                        _ => {}
                    }
                }
                RemindStmt::Overdue {
                    after: after?,
                    interview,
                    to,
                }
            }
            Rule::note => RemindStmt::Note(self.last_text(pair)),
            _ => {
                self.other(pair, Context::Remind);
                return None;
            }
        };
        Some(Spanned::new(stmt, span))
    }

    fn escalate_to(&mut self, pair: Pair<'s, Rule>) -> EscalateTo {
        let span = span_of(&pair);
        match pair.into_inner().next() {
            Some(p) if p.as_rule() == Rule::role => {
                let role = match p.as_str() {
                    "liaison" | "联络员" => Role::Liaison,
                    "leader" | "分管领导" => Role::Leader,
                    "recipients" | "recipient" | "接收单位" => Role::Recipients,
                    "supervisors" | "监督单位" => Role::Supervisors,
                    "lead" | "牵头单位" => Role::Lead,
                    _ => Role::Office,
                };
                EscalateTo::Role(Spanned::new(role, span_of(&p)))
            }
            Some(p) => EscalateTo::Named(self.name(p)),
            None => EscalateTo::Role(Spanned::new(Role::Office, span)),
        }
    }

    fn time_of_day(&mut self, pair: Pair<'s, Rule>) -> Spanned<(u32, u32)> {
        let span = span_of(&pair);
        let numbers: Vec<u32> = pair.into_inner().map(|p| self.number(&p)).collect();
        let hour = numbers.first().copied().unwrap_or(0);
        let minute = numbers.get(1).copied().unwrap_or(0);
        if hour > 23 || minute > 59 {
            self.diagnostics.push(Diagnostic::error(
                Problem::OutOfRange {
                    message: format!("{} is not a time of day", span_text(self.src, span)),
                },
                span,
            ));
        }
        Spanned::new((hour.min(23), minute.min(59)), span)
    }

    // -----------------------------------------------------------------------------------------
    // Leaves
    // -----------------------------------------------------------------------------------------

    fn duration(&mut self, pair: Pair<'s, Rule>) -> Spanned<Duration> {
        let span = span_of(&pair);
        let mut count = 0;
        let mut unit = DurationUnit::Days;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::number => count = self.number(&p),
                Rule::dur_unit => {
                    unit = match p.as_str() {
                        "workdays" | "workday" | "wd" | "个工作日" | "工作日" => {
                            DurationUnit::Workdays
                        }
                        "weeks" | "week" | "w" | "周" => DurationUnit::Weeks,
                        _ => DurationUnit::Days,
                    }
                }
                _ => {}
            }
        }
        Spanned::new(Duration { count, unit }, span)
    }

    fn date(&mut self, pair: Pair<'s, Rule>) -> Spanned<DateExpr> {
        let span = span_of(&pair);
        let mut expr = DateExpr {
            year: None,
            month: 0,
            day: DayPart::WholeMonth,
        };
        let Some(form) = pair.into_inner().next() else {
            return Spanned::new(expr, span);
        };
        let mut pieces: Vec<Pair<'s, Rule>> = form.into_inner().collect();
        // `end of 2017-06`: the month part comes first, the month nested after it.
        if let Some(i) = pieces.iter().position(|p| p.as_rule() == Rule::iso_month) {
            let month = pieces.remove(i);
            pieces.extend(month.into_inner());
        }
        for p in pieces {
            match p.as_rule() {
                Rule::year => expr.year = Some(self.number(&p) as i32),
                Rule::month => expr.month = self.month(&p),
                Rule::day => expr.day = DayPart::Day(self.number(&p)),
                Rule::month_part_zh | Rule::month_part_en => expr.day = day_part(p.as_str()),
                // 2017年底: the last day of the year.
                Rule::year_end_zh => {
                    expr.month = 12;
                    expr.day = DayPart::End;
                }
                _ => {}
            }
        }
        Spanned::new(expr, span)
    }

    /// A month as written: digits, or 元 (元月, January).
    fn month(&mut self, pair: &Pair<'s, Rule>) -> u32 {
        if pair.as_str() == "元" {
            return 1;
        }
        self.number(pair)
    }

    fn number(&mut self, pair: &Pair<'s, Rule>) -> u32 {
        match pair.as_str().parse() {
            Ok(n) => n,
            Err(_) => {
                self.diagnostics.push(Diagnostic::error(
                    Problem::OutOfRange {
                        message: format!("{} is too large a number", pair.as_str()),
                    },
                    span_of(pair),
                ));
                0
            }
        }
    }

    fn name_list(&mut self, pair: Pair<'s, Rule>) -> Vec<Name> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::name)
            .map(|p| self.name(p))
            .collect()
    }

    /// Every `text` child of a statement (forms, signers).
    fn texts(&mut self, pair: Pair<'s, Rule>) -> Vec<Name> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::text)
            .map(|p| self.text(p))
            .collect()
    }

    /// The value of a `KEYWORD VALUE` statement, where the value is a name, text or string.
    fn last_text(&mut self, pair: Pair<'s, Rule>) -> Name {
        let span = span_of(&pair);
        match last(pair) {
            Some(p) => self.text(p),
            None => Spanned::new(String::new(), span),
        }
    }

    fn text(&mut self, pair: Pair<'s, Rule>) -> Name {
        match pair.as_rule() {
            Rule::text | Rule::name => match pair.into_inner().next() {
                Some(p) => self.text(p),
                None => Spanned::new(String::new(), Span::default()),
            },
            Rule::string => self.string(pair),
            _ => Spanned::new(pair.as_str().to_string(), span_of(&pair)),
        }
    }

    fn name(&mut self, pair: Pair<'s, Rule>) -> Name {
        self.text(pair)
    }

    fn string(&mut self, pair: Pair<'s, Rule>) -> Name {
        let span = span_of(&pair);
        let raw = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        Spanned::new(out, span)
    }

    // -----------------------------------------------------------------------------------------
    // Explaining lines the grammar could not read
    // -----------------------------------------------------------------------------------------

    fn bad_statement(&mut self, pair: &Pair<'s, Rule>, context: Context) {
        let text = pair.as_str();
        let start = pair.as_span().start();
        let word = first_word(text);
        let word_span = Span::new(start, start + word.len());
        let meant = keywords::lookup(word)
            .filter(|k| k.contexts.contains(&context))
            .or_else(|| {
                let nearest = suggest::nearest(word, keywords::spellings_in(context))?;
                keywords::lookup(nearest)
            });
        if let Some(keyword) = meant {
            self.broken.push((span_of(pair), keyword.english));
        }
        let diagnostic = match keywords::lookup(word) {
            Some(keyword) if keyword.contexts.contains(&context) => explain(text, start, context),
            Some(keyword) => {
                let places: Vec<&str> = keyword.contexts.iter().map(|c| c.describe()).collect();
                Diagnostic::error(
                    Problem::MisplacedKeyword {
                        word: word.to_string(),
                        context: context.describe(),
                    },
                    word_span,
                )
                .with_help(Some(format!(
                    "{} belongs in {}",
                    keyword.both(),
                    join_or(&places, "or")
                )))
            }
            None if word.is_empty() => explain(text, start, context),
            None => unknown_keyword(word, word_span, context),
        };
        self.diagnostics.push(diagnostic);
    }
}

fn unknown_keyword(word: &str, span: Span, context: Context) -> Diagnostic {
    let glued = keywords::spellings_in(context)
        .filter(|k| word.starts_with(k) && word.len() > k.len())
        .max_by_key(|k| k.len());
    let help = match glued {
        Some(k) => Some(format!("put a space or `：` after `{k}`")),
        None => suggest::did_you_mean(word, keywords::spellings_in(context)).or_else(|| {
            let some: Vec<String> = keywords::KEYWORDS
                .iter()
                .filter(|k| k.contexts.contains(&context))
                .take(6)
                .map(|k| format!("`{}`", k.english))
                .collect();
            Some(format!(
                "a statement in {} starts with a keyword such as {}",
                context.describe(),
                some.join(", ")
            ))
        }),
    };
    Diagnostic::error(
        Problem::UnknownKeyword {
            word: word.to_string(),
        },
        span,
    )
    .with_label("not a keyword here")
    .with_help(help)
}

/// Parses one statement alone with the strict rule of its block, and describes the first place
/// where it goes wrong.
fn explain(text: &str, offset: usize, context: Context) -> Diagnostic {
    let rule = match context {
        Context::Top => Rule::top_only,
        Context::Campaign => Rule::campaign_only,
        Context::Unit => Rule::unit_only,
        Context::Report => Rule::report_only,
        Context::Item => Rule::item_only,
        Context::Measure => Rule::measure_only,
        Context::Target => Rule::target_only,
        Context::Remind => Rule::remind_only,
    };
    match CampaignParser::parse(rule, text) {
        Err(error) => pest_error(text, offset, error),
        Ok(_) => {
            let end = offset + text.trim_end().len();
            Diagnostic::error(
                Problem::Syntax {
                    expected: "a complete statement".into(),
                    found: "this".into(),
                },
                Span::new(offset, end),
            )
        }
    }
}

/// Turns a pest error on `text` (which starts at `offset` in the file) into a diagnostic.
fn pest_error(text: &str, offset: usize, error: pest::error::Error<Rule>) -> Diagnostic {
    let at = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
    .min(text.len());
    let (expected, call_limit) = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => (describe_expected(positives), false),
        ErrorVariant::CustomError { message } => (String::new(), message.contains("call limit")),
    };
    if call_limit {
        return Diagnostic::error(Problem::TooComplex, Span::new(offset, offset));
    }
    let (found, len) = describe_found(text, at);
    let token = &text[at..at + len];
    let help = (expected.contains("a name") && keywords::lookup(token).is_some())
        .then(|| format!("`{token}` is a keyword; to use it as a name, quote it: `\"{token}\"`"))
        .or_else(|| hints::glued_name(text, at, len))
        .or_else(|| hints::misspelt_word(&text[..at + len]));
    let expected = if expected.is_empty() {
        "something else".to_string()
    } else {
        expected
    };
    Diagnostic::error(
        Problem::Syntax { expected, found },
        Span::new(offset + at, offset + at + len),
    )
    .with_help(help)
}

fn describe_found(text: &str, at: usize) -> (String, usize) {
    let rest = &text[at..];
    let line_rest = rest.split(['\n', '\r']).next().unwrap_or("");
    if line_rest.trim().is_empty() {
        return ("the end of the line".to_string(), 0);
    }
    let token: String = line_rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let token = if token.is_empty() {
        line_rest
            .chars()
            .next()
            .map(String::from)
            .unwrap_or_default()
    } else {
        token
    };
    (format!("`{token}`"), token.len())
}

/// What the grammar wanted, in words; rules with no words of their own are left out.
fn describe_expected(rules: &[Rule]) -> String {
    let mut words: Vec<String> = Vec::new();
    for rule in rules {
        if let Some(w) = describe_rule(*rule)
            && !words.contains(&w)
        {
            words.push(w);
        }
    }
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    join_or(&refs, "or")
}

fn describe_rule(rule: Rule) -> Option<String> {
    let text = match rule {
        Rule::EOI => "the end of the statement",
        Rule::name | Rule::bare_name | Rule::name_list | Rule::recipient | Rule::escalate_to => {
            "a name"
        }
        Rule::text | Rule::string => "a name or \"text\"",
        Rule::date
        | Rule::cn_date
        | Rule::cn_month
        | Rule::cn_month_part
        | Rule::md_part
        | Rule::md_date
        | Rule::iso_date
        | Rule::iso_month
        | Rule::en_month_part
        | Rule::year
        | Rule::month
        | Rule::day => "a date like `2017-04-15` or `2017年4月15日`",
        Rule::window
        | Rule::window_span
        | Rule::window_until
        | Rule::window_start
        | Rule::issue_day
        | Rule::throughout => {
            "a window like `2017-04-01 .. 2017-05-31` or `2017年4月1日 至 2017年5月31日`"
        }
        Rule::range_sep => "`..` or `至`",
        Rule::number | Rule::decimal => "a number",
        Rule::duration => "a length of time like `3d` or `3天`",
        Rule::dur_unit => "a unit of time (`d`, `workdays`, `天`, `个工作日`)",
        Rule::time_of_day => "a time of day like `09:00`",
        Rule::cadence_unit => {
            "`month`, `quarter`, `year`, `week` or `phase` (`月`, `季度`, `年`, `周`, `阶段`)"
        }
        Rule::cadence_due
        | Rule::due_day
        | Rule::due_end
        | Rule::due_month_day
        | Rule::due_weekday
        | Rule::due_relative => "a due rule like `by day 25` or `25日前`",
        Rule::due_value
        | Rule::deadline
        | Rule::cadence
        | Rule::relative
        | Rule::rel_en
        | Rule::rel_zh => "a date, a cadence like `every month by day 25`, or `ongoing`",
        Rule::anchor_en | Rule::anchor_zh | Rule::anchor_target | Rule::bound => {
            "a date, a period like `2017-05`, or `end of PHASE`"
        }
        Rule::edge_en => "`start` or `end`",
        Rule::edge_zh => "`开始` or `结束`",
        Rule::w_of => "`of`",
        Rule::direction => "`after` or `before` (`后` or `前`)",
        Rule::zone_name => "a time zone like `Asia/Shanghai`",
        Rule::shift_rule => {
            "`keep`, `next-workday` or `previous-workday` (`不调整`, `顺延`, `提前`)"
        }
        Rule::coverage => "`previous month` or `this month` (`上月`, `本月`)",
        Rule::period_lit | Rule::quarter_lit | Rule::week_lit | Rule::year_lit => {
            "a period like `2017-05` or `2017-Q2`"
        }
        Rule::comparison => "`at least` / `不低于` or `at most` / `不高于`",
        Rule::quantity => "a quantity like `30%`",
        Rule::action => "`->` or `通知`",
        Rule::role => "a role (`liaison`, `leader`, `supervisors`, `office`) or a unit",
        Rule::campaign_block
        | Rule::unit_block
        | Rule::report_block
        | Rule::item_block
        | Rule::measure_block
        | Rule::target_block
        | Rule::remind_block
        | Rule::group_members => "`{`",
        Rule::kw_ongoing => "`ongoing` / `长期坚持`",
        Rule::kw_at => "`at` / `时间`",
        Rule::kw_under => "`under` / `隶属`",
        _ => {
            let name = format!("{rule:?}");
            let keyword = keywords::lookup(name.strip_prefix("kw_")?.replace('_', "-").as_str())?;
            return Some(keyword.both());
        }
    };
    Some(text.to_string())
}

fn join_or(words: &[&str], conjunction: &str) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

/// The leading keyword-like word of a line: up to a space, a colon, a quote or a brace.
fn first_word(text: &str) -> &str {
    let end = text
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || ":：;；{}\"“,，、".contains(*c))
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    &text[..end]
}

fn last(pair: Pair<'_, Rule>) -> Option<Pair<'_, Rule>> {
    pair.into_inner().last()
}

fn span_text(src: &str, span: Span) -> &str {
    src.get(span.start..span.end).unwrap_or("")
}

fn shift_rule(pair: Pair<'_, Rule>) -> Spanned<ShiftRule> {
    let rule = match pair.as_str() {
        "next-workday" | "顺延" => ShiftRule::NextWorkday,
        "previous-workday" | "提前" => ShiftRule::PreviousWorkday,
        "strict" | "keep" | "不顺延" | "不调整" => ShiftRule::Strict,
        _ => ShiftRule::Legal,
    };
    Spanned::new(rule, span_of(&pair))
}

fn coverage(pair: Pair<'_, Rule>) -> Spanned<Coverage> {
    let text = pair.as_str();
    let previous = text.starts_with("previous") || text.starts_with('上');
    let coverage = if previous {
        Coverage::Previous
    } else {
        Coverage::This
    };
    Spanned::new(coverage, span_of(&pair))
}

/// 上旬, `early`, 底, 初…: which part of a month.
fn day_part(text: &str) -> DayPart {
    match text {
        "上旬" | "early" => DayPart::Early,
        "中旬" | "mid" => DayPart::Mid,
        "下旬" | "late" => DayPart::Late,
        "初" => DayPart::Beginning,
        "中" => DayPart::Middle,
        _ => DayPart::End,
    }
}

fn period_unit(text: &str) -> Option<PeriodUnit> {
    Some(match text {
        "month" | "months" | "月" | "个月" => PeriodUnit::Month,
        "quarter" | "quarters" | "季度" | "季" => PeriodUnit::Quarter,
        "year" | "years" | "年" => PeriodUnit::Year,
        "week" | "weeks" | "周" | "星期" => PeriodUnit::Week,
        "half-month" | "半月" | "半个月" => PeriodUnit::HalfMonth,
        "half-year" | "半年" => PeriodUnit::HalfYear,
        "phase" | "阶段" => PeriodUnit::Phase,
        _ => return None,
    })
}

fn weekday_index(text: &str) -> u32 {
    let last = text.chars().last().unwrap_or('一');
    match text {
        "monday" => 0,
        "tuesday" => 1,
        "wednesday" => 2,
        "thursday" => 3,
        "friday" => 4,
        "saturday" => 5,
        "sunday" => 6,
        _ => match last {
            '一' => 0,
            '二' => 1,
            '三' => 2,
            '四' => 3,
            '五' => 4,
            '六' => 5,
            _ => 6,
        },
    }
}

fn chinese_digit(text: &str) -> u32 {
    match text {
        "一" => 1,
        "二" => 2,
        "三" => 3,
        "四" => 4,
        _ => text.parse().unwrap_or(0),
    }
}

#[cfg(test)]
mod tests;
