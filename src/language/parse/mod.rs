//! Text → syntax tree. The only module that touches pest: it lowers pest's pairs into the typed
//! [`ast`](super::ast) at once, and turns pest's errors into diagnostics written for people.
//!
//! A line the grammar cannot read is caught by the grammar's `bad_stmt` rule, so the rest of the
//! file is still parsed and every mistake of a file is reported in one run. That line is then
//! parsed again, alone, with the strict rule of its block, which pins down the column of the
//! first mistake in it.
//!
//! This file lowers the file and its blocks; `report` lowers deliverables and their deadlines,
//! `leaves` reminders, dates, durations and names, and `errors` explains what could not be read.

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
                Rule::form_decl => TopItem::Form(self.form(p)),
                Rule::ledger => TopItem::Ledger(self.ledger(p)),
                Rule::assess => TopItem::Assess(self.assess(p)),
                Rule::bulletin => match self.bulletin(p) {
                    Some(report) => TopItem::Report(report),
                    None => continue,
                },
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
                | Rule::target_block
                | Rule::form_block => {
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
            Rule::extensions => {
                let (rule, approver) = self.extension_rule(pair);
                CampaignStmt::Extensions(rule, approver)
            }
            Rule::acknowledge => CampaignStmt::Acknowledge(self.ack_within(pair)?),
            Rule::contacts => CampaignStmt::Contacts(self.last_text(pair)),
            Rule::templates => CampaignStmt::Templates(self.last_text(pair)),
            Rule::campaign_directory => CampaignStmt::Directory(self.last_text(pair)),
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
        let mut directory = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::name => names.push(self.name(p)),
                Rule::group_directory => {
                    members_span = span_of(&p);
                    let mut parts = p
                        .into_inner()
                        .filter(|n| n.as_rule() == Rule::name)
                        .map(|n| self.name(n));
                    if let Some(root) = parts.next() {
                        directory = Some((root, parts.next()));
                    }
                }
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
            directory,
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
        // `2009年7月初至9月底`: an end without its year takes the start's.
        if let (WindowStart::Date(first), Some(last)) = (&start, &mut end)
            && last.node.year.is_none()
        {
            last.node.year = first.node.year;
        }
        Window::Span { start, end, open }
    }
}

mod errors;
mod form;
mod leaves;
pub mod phrase;
mod report;

use errors::*;
use leaves::*;

#[cfg(test)]
mod tests;
