//! Syntax tree → checked [`Campaign`]. Resolves every name (suggesting the nearest on a miss),
//! validates every date, turns windows into dates, flattens groups, and finds what cannot work:
//! names defined twice, windows that end before they start, empty groups, cycles in groups,
//! parents or relative deadlines. Every problem of the file is collected before giving up.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

mod cadence;
mod dates;
mod deliverables;
mod due;
mod forms;
mod header;
mod names;
mod phases;
mod policies;
#[cfg(test)]
mod testing;
mod units;

use super::ast::{self, *};
use super::campaign::*;
use super::contacts::ContactBook;
use super::diagnostic::{Diagnostic, NameKind, Problem};
use super::suggest;
use crate::vocabulary::Period;

pub use units::is_mail_address;

use due::offset_of;

/// Checks a parsed file. `src` is its text (for quoting it in messages); `contacts` is the
/// parsed contacts file the campaign names, if any. Returns the campaign when there is no error.
pub fn check(
    src: &str,
    file: &File,
    contacts: Option<&ContactBook>,
) -> (Option<Campaign>, Vec<Diagnostic>) {
    let mut checker = Checker::new(src);
    let campaign = checker.run(file, contacts);
    let ok = !checker.diagnostics.iter().any(Diagnostic::is_error);
    (campaign.filter(|_| ok), checker.diagnostics)
}

/// The unit of the office's directory a parsed campaign binds its units to, if any.
pub fn directory_root(file: &File) -> Option<&Name> {
    file.items.iter().find_map(|item| match item {
        TopItem::Campaign(c) => c.stmts.iter().find_map(|s| match &s.node {
            CampaignStmt::Directory(root) => Some(root),
            _ => None,
        }),
        _ => None,
    })
}

/// The contacts file a parsed campaign names, if any.
pub fn contacts_file(file: &File) -> Option<&Name> {
    file.items.iter().find_map(|item| match item {
        TopItem::Campaign(c) => c.stmts.iter().find_map(|s| match &s.node {
            CampaignStmt::Contacts(path) => Some(path),
            _ => None,
        }),
        _ => None,
    })
}

/// How a date is used, which decides what a month or 下旬 means.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DateUse {
    /// A single day (a deadline).
    Point,
    /// The first day of a window.
    Start,
    /// The last day of a window.
    End,
}

/// A deliverable as declared, whatever its keyword.
struct DeliverableDecl<'f> {
    kind: DeliverableKind,
    instructions: bool,
    name: &'f Name,
    title: Option<&'f Name>,
    stmts: &'f [Spanned<ReportStmt>],
    item: Option<ItemId>,
    span: Span,
}

struct Checker<'s> {
    src: &'s str,
    diagnostics: Vec<Diagnostic>,
    /// Year to suggest for dates written without one.
    year_hint: Option<i32>,
    /// The year a date written without one is in: the campaign's, when its period lies in one.
    campaign_year: Option<i32>,
    units: Vec<Unit>,
    explicit_units: HashSet<UnitId>,
    unit_index: HashMap<String, UnitId>,
    groups: Vec<(String, Span)>,
    group_index: HashMap<String, usize>,
    group_members: Vec<Vec<UnitId>>,
    phases: Vec<Phase>,
    phase_index: HashMap<String, PhaseId>,
    deliverable_index: HashMap<String, (DeliverableId, Span)>,
    item_index: HashMap<String, ItemId>,
    /// Relative deadlines between deliverables: (from, to, where).
    dependencies: Vec<(DeliverableId, DeliverableId, Span)>,
    /// Statements the parser could not read (not to be reported missing as well).
    broken: Vec<(Span, &'static str)>,
    /// Items that name a lead unit (resolved or not).
    items_with_lead: HashSet<ItemId>,
    /// `active` windows of units, resolved once the campaign's dates are known.
    pending_active: Vec<(UnitId, Spanned<Window>)>,
    /// The phase the deliverable being checked is tied to (`during`): what `本阶段` means.
    current_phase: Option<PhaseId>,
    /// Targets' `value-from`: (target, report, field), resolved once every form is known.
    value_froms: Vec<(DeliverableId, Name, Name)>,
    /// Reports split to their owers' sub-units (`分解 到 下级 时限 …`): the report, the sub-units'
    /// deadline, and where the statement is.
    splits: Vec<(DeliverableId, crate::language::campaign::Due, Span)>,
}

impl<'s> Checker<'s> {
    fn new(src: &'s str) -> Checker<'s> {
        Checker {
            src,
            diagnostics: Vec::new(),
            year_hint: None,
            campaign_year: None,
            units: Vec::new(),
            explicit_units: HashSet::new(),
            unit_index: HashMap::new(),
            groups: Vec::new(),
            group_index: HashMap::new(),
            group_members: Vec::new(),
            phases: Vec::new(),
            phase_index: HashMap::new(),
            deliverable_index: HashMap::new(),
            item_index: HashMap::new(),
            dependencies: Vec::new(),
            broken: Vec::new(),
            items_with_lead: HashSet::new(),
            pending_active: Vec::new(),
            current_phase: None,
            value_froms: Vec::new(),
            splits: Vec::new(),
        }
    }

    /// Reports a statement missing from the block at `block`, unless a broken line there was it.
    fn missing(
        &mut self,
        what: String,
        statement: &'static str,
        block: Span,
        at: Span,
    ) -> Option<&mut Diagnostic> {
        let broken = self
            .broken
            .iter()
            .any(|(span, k)| *k == statement && block.start <= span.start && span.end <= block.end);
        if broken {
            return None;
        }
        Some(self.error(Problem::MissingStatement { what, statement }, at))
    }

    fn error(&mut self, problem: Problem, span: Span) -> &mut Diagnostic {
        self.diagnostics.push(Diagnostic::error(problem, span));
        self.diagnostics.last_mut().expect("just pushed")
    }

    fn text(&self, span: Span) -> &'s str {
        self.src.get(span.start..span.end).unwrap_or("")
    }

    fn run(&mut self, file: &File, contacts: Option<&ContactBook>) -> Option<Campaign> {
        self.broken = file.broken.clone();
        let header = self.campaign_header(file);
        self.declare_units(file);
        self.resolve_groups(file);
        self.resolve_units(file);
        if let Some(book) = contacts {
            self.apply_contacts(book);
        }
        let mut campaign = self.campaign_attributes(header?, file)?;
        self.items(file, &mut campaign);
        campaign.forms = self.forms(file);
        let ledger_forms = self.ledger_forms(file);
        self.deliverables(file, &mut campaign);
        for d in &mut campaign.deliverables {
            d.form = match d.kind {
                DeliverableKind::Ledger => ledger_forms.iter().find(|f| f.name == d.name).cloned(),
                _ => forms::form_of(d, &campaign.forms),
            };
        }
        self.value_froms(&mut campaign);
        self.check_dependencies(&campaign);
        campaign.policy = self.top_policy(file);
        campaign.scoring = self.scoring(file);
        campaign.units = std::mem::take(&mut self.units);
        campaign.groups = self
            .groups
            .iter()
            .zip(&self.group_members)
            .map(|((name, span), members)| Group {
                name: name.clone(),
                members: members.clone(),
                span: *span,
            })
            .collect();
        campaign.phases = std::mem::take(&mut self.phases);
        Some(campaign)
    }
}

/// Remembers which statements a block has had, to report one given twice.
#[derive(Default)]
struct StatementSet {
    seen: HashMap<&'static str, Span>,
}

impl StatementSet {
    /// Whether this is the first `keyword` of the block; reports it otherwise.
    fn first(&mut self, keyword: &'static str, span: Span, out: &mut Vec<Diagnostic>) -> bool {
        if let Some(first) = self.seen.get(keyword) {
            out.push(
                Diagnostic::error(Problem::DuplicateStatement { statement: keyword }, span)
                    .with_note(*first, "first given here"),
            );
            return false;
        }
        self.seen.insert(keyword, span);
        true
    }
}
