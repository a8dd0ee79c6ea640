//! Syntax tree → checked [`Campaign`]. Resolves every name (suggesting the nearest on a miss),
//! validates every date, turns windows into dates, flattens groups, and finds what cannot work:
//! names defined twice, windows that end before they start, empty groups, cycles in groups,
//! parents or relative deadlines. Every problem of the file is collected before giving up.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

use super::ast::{self, *};
use super::campaign::*;
use super::contacts::ContactBook;
use super::diagnostic::{Diagnostic, NameKind, Problem};
use super::suggest;

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
}

impl<'s> Checker<'s> {
    fn new(src: &'s str) -> Checker<'s> {
        Checker {
            src,
            diagnostics: Vec::new(),
            year_hint: None,
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
        self.deliverables(file, &mut campaign);
        self.check_dependencies(&campaign);
        campaign.policy = self.top_policy(file);
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

    // -----------------------------------------------------------------------------------------
    // The campaign block
    // -----------------------------------------------------------------------------------------

    fn campaign_header<'f>(&mut self, file: &'f File) -> Option<&'f CampaignDecl> {
        let mut headers = file.items.iter().filter_map(|i| match i {
            TopItem::Campaign(c) => Some(c),
            _ => None,
        });
        let Some(first) = headers.next() else {
            if !self.broken.iter().any(|(_, k)| *k == "campaign") {
                self.error(Problem::MissingCampaign, Span::new(0, 0)).help =
                    Some("start the file with `campaign ID { … }` (or `专项整治 ID { … }`)".into());
            }
            return None;
        };
        for extra in headers {
            self.error(Problem::SecondCampaign, extra.id.span)
                .notes
                .push((first.id.span, "the first campaign block".into()));
        }
        self.check_name(&first.id, "campaign identifier");
        if first.id.node.chars().any(char::is_whitespace) {
            self.error(
                Problem::Invalid {
                    message: "a campaign identifier cannot contain spaces".into(),
                },
                first.id.span,
            )
            .help = Some("use `-` between words, as in `nanyang-2017`".into());
        }
        for stmt in &first.stmts {
            if let CampaignStmt::Issued(date) = &stmt.node {
                self.year_hint = date.node.year;
            }
        }
        Some(first)
    }

    fn campaign_attributes(&mut self, decl: &CampaignDecl, file: &File) -> Option<Campaign> {
        let mut seen = StatementSet::default();
        let mut title = decl.title.as_ref().map(|t| t.node.clone());
        let mut issuer = None;
        let mut doc = None;
        let mut issued = None;
        let mut zone = chrono_tz::Asia::Shanghai;
        let mut period = None;
        let mut shift = ShiftRule::Legal;
        let mut office = None;
        let mut supervisors = Vec::new();
        let mut contacts_file = None;
        let mut templates = None;
        for stmt in &decl.stmts {
            let keyword = campaign_keyword(&stmt.node);
            if !seen.first(keyword, stmt.span, &mut self.diagnostics) {
                continue;
            }
            match &stmt.node {
                CampaignStmt::Title(t) => title = Some(t.node.clone()),
                CampaignStmt::Issuer(t) => issuer = Some(t.node.clone()),
                CampaignStmt::Doc(t) => doc = Some(t.node.clone()),
                CampaignStmt::Issued(d) => issued = self.date(d, DateUse::Point),
                CampaignStmt::Zone(z) => match z.node.parse::<Tz>() {
                    Ok(tz) => zone = tz,
                    Err(_) => {
                        self.error(
                            Problem::UnknownZone {
                                name: z.node.clone(),
                            },
                            z.span,
                        )
                        .help = Some(
                            "write an IANA zone such as `Asia/Shanghai` or `Asia/Urumqi`".into(),
                        )
                    }
                },
                CampaignStmt::Period(w) => period = Some(w),
                CampaignStmt::Holidays(rule) => shift = rule.node,
                CampaignStmt::Office(name) => office = self.unit_ref(name),
                CampaignStmt::Supervisors(names) => supervisors = self.units_of(names),
                CampaignStmt::Contacts(path) => contacts_file = Some(path.node.clone()),
                CampaignStmt::Templates(path) => templates = Some(path.node.clone()),
                CampaignStmt::Note(_) => {}
            }
        }
        let explicit = period.and_then(|w| self.window(w, issued, None, None));
        let (start, end) =
            self.phases_and_period(file, issued, explicit, decl.span, decl.id.span)?;
        for (unit, window) in std::mem::take(&mut self.pending_active) {
            self.units[unit].active = self.window(&window, issued, Some(start), Some((start, end)));
        }
        Some(Campaign {
            id: decl.id.node.clone(),
            title,
            issuer,
            doc,
            issued,
            zone,
            start,
            end,
            shift,
            office,
            supervisors,
            contacts_file,
            templates,
            units: Vec::new(),
            groups: Vec::new(),
            phases: Vec::new(),
            items: Vec::new(),
            deliverables: Vec::new(),
            policy: Policy::default(),
        })
    }

    /// Resolves phase windows and the campaign period, which may depend on each other: a phase
    /// `throughout` needs the campaign's dates, and a campaign without `period` spans its phases.
    fn phases_and_period(
        &mut self,
        file: &File,
        issued: Option<NaiveDate>,
        explicit: Option<(NaiveDate, NaiveDate)>,
        header: Span,
        id_span: Span,
    ) -> Option<(NaiveDate, NaiveDate)> {
        let decls: Vec<&PhaseDecl> = file
            .items
            .iter()
            .filter_map(|i| match i {
                TopItem::Phase(p) => Some(p),
                _ => None,
            })
            .collect();
        // First pass: windows that need no campaign end.
        let fallback_start = explicit.map(|p| p.0).or(issued);
        let mut resolved: Vec<Option<(NaiveDate, NaiveDate)>> = Vec::new();
        let mut previous_end = None;
        for decl in &decls {
            let needs_campaign = window_needs_campaign(&decl.window.node);
            let window = if needs_campaign && explicit.is_none() {
                None
            } else {
                let start_after = previous_end.or(fallback_start);
                self.window(&decl.window, issued, start_after, explicit)
            };
            // An end-only phase starts after the previous phase of the sequence; phases that
            // run throughout the campaign are not part of the sequence.
            if let Some((_, end)) = window
                && !matches!(decl.window.node, Window::Throughout)
            {
                previous_end = end.succ_opt();
            }
            resolved.push(window);
        }
        let period = match explicit {
            Some(p) => p,
            None => {
                let starts = resolved.iter().flatten().map(|w| w.0).chain(issued);
                let ends = resolved.iter().flatten().map(|w| w.1);
                match (starts.min(), ends.max()) {
                    (Some(s), Some(e)) => (s, e),
                    _ => {
                        if let Some(d) =
                            self.missing("the campaign".into(), "period", header, id_span)
                        {
                            d.help =
                                Some("add `period 2017-04-01 .. 2017-12-31` (or `期间 …`)".into());
                        }
                        return None;
                    }
                }
            }
        };
        // Second pass: phases that needed the campaign's dates.
        for (decl, window) in decls.iter().zip(resolved.iter_mut()) {
            if window.is_none() && window_needs_campaign(&decl.window.node) && explicit.is_none() {
                *window = self.window(&decl.window, issued, Some(period.0), Some(period));
            }
        }
        for (decl, window) in decls.iter().zip(resolved) {
            self.check_name(&decl.name, "phase name");
            if let Some(&first) = self.phase_index.get(&decl.name.node) {
                let first_span = self.phases[first].span;
                self.duplicate(NameKind::Phase, &decl.name, first_span);
                continue;
            }
            let (start, end) = window.unwrap_or(period);
            if explicit.is_some() && (start < period.0 || end > period.1) {
                self.diagnostics.push(Diagnostic::warning(
                    Problem::PhaseOutsideCampaign {
                        name: decl.name.node.clone(),
                        start: start.to_string(),
                        end: end.to_string(),
                        campaign_start: period.0.to_string(),
                        campaign_end: period.1.to_string(),
                    },
                    decl.window.span,
                ));
            }
            self.phase_index
                .insert(decl.name.node.clone(), self.phases.len());
            self.phases.push(Phase {
                name: decl.name.node.clone(),
                start,
                end,
                span: decl.name.span,
            });
        }
        Some(period)
    }

    /// The dates of a window. `start_after` is where an end-only window starts; `campaign` the
    /// campaign's dates, where known.
    fn window(
        &mut self,
        window: &Spanned<Window>,
        issued: Option<NaiveDate>,
        start_after: Option<NaiveDate>,
        campaign: Option<(NaiveDate, NaiveDate)>,
    ) -> Option<(NaiveDate, NaiveDate)> {
        let (start, end) = match &window.node {
            Window::Throughout => return campaign,
            Window::Until(end) => {
                let end = self.date(end, DateUse::End)?;
                let Some(start) = start_after else {
                    self.error(
                        Problem::DateForm {
                            message:
                                "this window gives only its end, and nothing says where it starts"
                                    .into(),
                        },
                        window.span,
                    )
                    .help = Some(
                        "give the campaign an `issued` date or a `period`, or write the start"
                            .into(),
                    );
                    return None;
                };
                (start, end)
            }
            Window::Span { start, end, open } => {
                let first = match start {
                    WindowStart::Issue(span) => match issued {
                        Some(d) => d,
                        None => {
                            self.error(
                                Problem::DateForm {
                                    message: "`issue` / `即日` needs the campaign's `issued` date"
                                        .into(),
                                },
                                *span,
                            );
                            return None;
                        }
                    },
                    WindowStart::Date(d) => self.date(d, DateUse::Start)?,
                };
                let last = match (end, start) {
                    (Some(end), _) => self.date(end, DateUse::End)?,
                    (None, _) if *open => campaign.map(|c| c.1)?,
                    (None, WindowStart::Date(d)) if d.node.day == DayPart::WholeMonth => {
                        self.date(d, DateUse::End)?
                    }
                    (None, _) => first,
                };
                (first, last)
            }
        };
        if end < start {
            self.error(
                Problem::WindowReversed {
                    start: start.to_string(),
                    end: end.to_string(),
                },
                window.span,
            );
            return None;
        }
        Some((start, end))
    }

    // -----------------------------------------------------------------------------------------
    // Units and groups
    // -----------------------------------------------------------------------------------------

    fn declare_units(&mut self, file: &File) {
        let group_names: HashSet<&str> = file
            .items
            .iter()
            .filter_map(|i| match i {
                TopItem::Group(g) => Some(g.name.node.as_str()),
                _ => None,
            })
            .collect();
        for item in &file.items {
            match item {
                TopItem::Unit(u) => {
                    if group_names.contains(u.name.node.as_str()) {
                        self.error(
                            Problem::Duplicate {
                                kind: NameKind::UnitOrGroup,
                                name: u.name.node.clone(),
                            },
                            u.name.span,
                        )
                        .label = Some("also the name of a group".into());
                        continue;
                    }
                    match self.unit_index.get(&u.name.node) {
                        Some(&id) if self.explicit_units.contains(&id) => {
                            let first = self.units[id].span;
                            self.duplicate(NameKind::Unit, &u.name, first);
                        }
                        Some(&id) => {
                            self.explicit_units.insert(id);
                        }
                        None => {
                            let id = self.add_unit(&u.name);
                            self.explicit_units.insert(id);
                        }
                    }
                }
                TopItem::Group(g) => {
                    for member in &g.members {
                        if !group_names.contains(member.node.as_str())
                            && !self.unit_index.contains_key(&member.node)
                        {
                            self.add_unit(member);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn add_unit(&mut self, name: &Name) -> UnitId {
        self.check_name(name, "unit name");
        let id = self.units.len();
        self.unit_index.insert(name.node.clone(), id);
        self.units.push(Unit {
            name: name.node.clone(),
            full_name: None,
            parent: None,
            email: None,
            phone: None,
            contacts: Vec::new(),
            reviewer: None,
            active: None,
            span: name.span,
        });
        id
    }

    fn resolve_groups(&mut self, file: &File) {
        let decls: Vec<&GroupDecl> = file
            .items
            .iter()
            .filter_map(|i| match i {
                TopItem::Group(g) => Some(g),
                _ => None,
            })
            .collect();
        for g in &decls {
            self.check_name(&g.name, "group name");
            if let Some(&first) = self.group_index.get(&g.name.node) {
                let first_span = self.groups[first].1;
                self.duplicate(NameKind::Group, &g.name, first_span);
                continue;
            }
            self.group_index
                .insert(g.name.node.clone(), self.groups.len());
            self.groups.push((g.name.node.clone(), g.name.span));
        }
        // Flatten, detecting cycles: state 0 = new, 1 = in progress, 2 = done.
        let mut state = vec![0u8; self.groups.len()];
        self.group_members = vec![Vec::new(); self.groups.len()];
        let by_index: HashMap<usize, &GroupDecl> = decls
            .iter()
            .filter_map(|g| Some((*self.group_index.get(&g.name.node)?, *g)))
            .filter(|(i, g)| self.groups[*i].1 == g.name.span)
            .collect();
        for index in 0..self.groups.len() {
            self.flatten_group(index, &by_index, &mut state);
        }
        for g in decls {
            if g.members.is_empty() {
                self.error(
                    Problem::EmptyGroup {
                        name: g.name.node.clone(),
                    },
                    g.members_span,
                )
                .help = Some("list its member units, or remove the group".into());
            }
            if let Some(under) = &g.under {
                let Some(parent) = self.unit_ref(under) else {
                    continue;
                };
                for member in &g.members {
                    if let Some(&unit) = self.unit_index.get(&member.node)
                        && self.units[unit].parent.is_none()
                        && !self.group_index.contains_key(&member.node)
                    {
                        self.units[unit].parent = Some(parent);
                    }
                }
            }
        }
    }

    fn flatten_group(
        &mut self,
        index: usize,
        decls: &HashMap<usize, &GroupDecl>,
        state: &mut [u8],
    ) {
        match state[index] {
            2 => return,
            1 => {
                let (name, span) = self.groups[index].clone();
                self.error(Problem::GroupCycle { name }, span);
                state[index] = 2;
                return;
            }
            _ => {}
        }
        state[index] = 1;
        let mut members = Vec::new();
        if let Some(decl) = decls.get(&index) {
            for member in &decl.members {
                if let Some(&nested) = self.group_index.get(&member.node) {
                    self.flatten_group(nested, decls, state);
                    members.extend(self.group_members[nested].iter().copied());
                } else if let Some(&unit) = self.unit_index.get(&member.node) {
                    members.push(unit);
                }
            }
        }
        let mut seen = HashSet::new();
        members.retain(|u| seen.insert(*u));
        self.group_members[index] = members;
        state[index] = 2;
    }

    fn resolve_units(&mut self, file: &File) {
        for item in &file.items {
            let TopItem::Unit(decl) = item else { continue };
            let Some(&id) = self.unit_index.get(&decl.name.node) else {
                continue;
            };
            if self.units[id].span != decl.name.span && self.explicit_units.contains(&id) {
                // A group member declared again explicitly: the explicit span is more useful.
                self.units[id].span = decl.name.span;
            }
            let mut seen = StatementSet::default();
            for stmt in &decl.stmts {
                let keyword = unit_keyword(&stmt.node);
                if keyword != "contact" && !seen.first(keyword, stmt.span, &mut self.diagnostics) {
                    continue;
                }
                match &stmt.node {
                    UnitStmt::Under(p) => self.units[id].parent = self.unit_ref(p),
                    UnitStmt::FullName(n) => self.units[id].full_name = Some(n.node.clone()),
                    UnitStmt::Email(e) => self.units[id].email = self.email(e),
                    UnitStmt::Phone(p) => self.units[id].phone = Some(p.node.clone()),
                    UnitStmt::Reviewer(r) => self.units[id].reviewer = self.unit_ref(r),
                    UnitStmt::Active(w) => self.pending_active.push((id, w.clone())),
                    UnitStmt::Contact(c) => {
                        let contact = Contact {
                            role: c.role,
                            name: c.person.as_ref().map(|p| p.node.clone()),
                            email: c.email.as_ref().and_then(|e| self.email(e)),
                            phone: c.phone.as_ref().map(|p| p.node.clone()),
                        };
                        self.units[id].contacts.push(contact);
                    }
                    UnitStmt::Note(_) => {}
                }
            }
        }
        self.check_parent_cycles();
    }

    fn check_parent_cycles(&mut self) {
        for start in 0..self.units.len() {
            let mut at = self.units[start].parent;
            let mut steps = 0;
            while let Some(unit) = at {
                if unit == start {
                    let (name, span) = (self.units[start].name.clone(), self.units[start].span);
                    self.error(Problem::ParentCycle { name }, span);
                    self.units[start].parent = None;
                    break;
                }
                steps += 1;
                if steps > self.units.len() {
                    break;
                }
                at = self.units[unit].parent;
            }
        }
    }

    fn apply_contacts(&mut self, book: &ContactBook) {
        for (name, span, entry) in &book.units {
            let Some(&id) = self.unit_index.get(name) else {
                if book.shared {
                    continue;
                }
                // An address book outlives campaign edits: a unit no longer in the campaign is
                // worth a warning, not a refusal to load.
                let help = suggest::did_you_mean(name, self.unit_index.keys().map(String::as_str))
                    .or_else(|| Some("its contacts are not used".into()));
                self.diagnostics.push(
                    Diagnostic::warning(
                        Problem::UnknownName {
                            kind: NameKind::Unit,
                            name: name.clone(),
                        },
                        *span,
                    )
                    .in_file(book.file)
                    .with_help(help),
                );
                continue;
            };
            if let Some(email) = &entry.email {
                let span = email.span();
                self.units[id].email =
                    self.email_in(email.get_ref(), Span::new(span.start, span.end), book.file);
            }
            if entry.phone.is_some() {
                self.units[id].phone = entry.phone.clone();
            }
            for (role, person) in entry.people() {
                let email = person.email.as_ref().and_then(|e| {
                    let span = e.span();
                    self.email_in(e.get_ref(), Span::new(span.start, span.end), book.file)
                });
                let unit = &mut self.units[id];
                if role != ContactRole::Contact {
                    unit.contacts.retain(|c| c.role != role);
                }
                unit.contacts.push(Contact {
                    role,
                    name: person.name.clone(),
                    email,
                    phone: person.phone.clone(),
                });
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Items and deliverables
    // -----------------------------------------------------------------------------------------

    fn items(&mut self, file: &File, campaign: &mut Campaign) {
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

    fn deliverable_decls<'f>(&self, file: &'f File) -> Vec<DeliverableDecl<'f>> {
        // Reports, measures and targets are declared alike, at the top or inside an item.
        macro_rules! decl {
            ($kind:ident, $d:expr, $item:expr) => {
                DeliverableDecl {
                    kind: DeliverableKind::$kind,
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

    fn deliverables(&mut self, file: &File, campaign: &mut Campaign) {
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
    }

    fn deliverable(
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
            item: decl.item,
            from: Vec::new(),
            to: Vec::new(),
            forms: Vec::new(),
            signers: Vec::new(),
            review: None,
            due: Due::Ongoing,
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
        let mut has_from = false;
        let mut has_to = false;
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
                ReportStmt::Review(by) => {
                    d.review = match by {
                        Some(unit) => self.unit_ref(unit).map(ReviewRule::ByUnit),
                        None => Some(ReviewRule::ByReviewer),
                    }
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
        d.due = match decl.kind {
            DeliverableKind::Target => self.checkpoints(&thresholds, &what, decl.name.span, id),
            _ => {
                match due {
                    Some(expr) => self.due(expr, &cadence_stmts, id),
                    None => {
                        if let Some(d) = self.missing(what, "due", decl.span, decl.name.span) {
                            d.help = Some("add `due 2017-04-15`, `due every month by day 25` or `due ongoing`".into());
                        }
                        Due::Ongoing
                    }
                }
            }
        };
        let written_as_cadence = matches!(due.map(|e| &e.node), Some(DueExpr::Cadence(_)));
        if !written_as_cadence {
            for stmt in cadence_stmts {
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

    fn check_reviewers(&mut self, d: &Deliverable, decl: &DeliverableDecl<'_>) {
        let review_span = decl
            .stmts
            .iter()
            .find(|s| matches!(s.node, ReportStmt::Review(_)))
            .map(|s| s.span)
            .unwrap_or(decl.name.span);
        for &unit in &d.from {
            if self.units[unit].reviewer.is_none() {
                let name = self.units[unit].name.clone();
                let span = self.units[unit].span;
                self.error(Problem::NoReviewer { unit: name }, review_span)
                    .notes
                    .push((span, "declared here".into()));
            }
        }
    }

    fn recipients(&mut self, recipients: &[ast::Recipient]) -> Vec<RecipientRef> {
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

    fn checkpoints(
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

    fn due(
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
            DueExpr::Cadence(c) => match self.cadence(c, cadence_stmts, id) {
                Some(r) => Due::Recurring(r),
                None => Due::Ongoing,
            },
        }
    }

    // -----------------------------------------------------------------------------------------
    // Relative deadlines and cadences
    // -----------------------------------------------------------------------------------------

    fn relative(&mut self, r: &Relative, id: DeliverableId) -> Option<DateRule> {
        let anchor = self.anchor(&r.anchor, id)?;
        let (offset, unit) = offset_of(r.offset);
        Some(DateRule::Relative {
            anchor,
            offset,
            unit,
        })
    }

    fn anchor(&mut self, anchor: &Spanned<Anchor>, id: DeliverableId) -> Option<AnchorRef> {
        match &anchor.node {
            Anchor::Start(target) | Anchor::End(target) => {
                let start = matches!(anchor.node, Anchor::Start(_));
                match target {
                    AnchorTarget::Campaign => Some(if start {
                        AnchorRef::CampaignStart
                    } else {
                        AnchorRef::CampaignEnd
                    }),
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
                        let phase = self.phase_ref(name)?;
                        Some(if start {
                            AnchorRef::PhaseStart(phase)
                        } else {
                            AnchorRef::PhaseEnd(phase)
                        })
                    }
                }
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
                let candidates: Vec<String> = self
                    .deliverable_index
                    .keys()
                    .chain(self.phase_index.keys())
                    .cloned()
                    .collect();
                let help = suggest::did_you_mean(&name.node, candidates.iter().map(String::as_str));
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

    fn cadence(
        &mut self,
        c: &Cadence,
        stmts: &[&Spanned<ReportStmt>],
        id: DeliverableId,
    ) -> Option<Recurrence> {
        let unit = c.unit.node;
        let mut later = 0u32;
        let mut first = None;
        let mut last = None;
        let mut ongoing = false;
        let mut during = None;
        for stmt in stmts {
            match &stmt.node {
                ReportStmt::Covering(cov) if cov.node == Coverage::Previous => later += 1,
                ReportStmt::First(b) => first = self.limit(b, unit, id),
                ReportStmt::Last(b) if matches!(b.node, Bound::Ongoing) => ongoing = true,
                ReportStmt::Last(b) => last = self.limit(b, unit, id),
                ReportStmt::Ongoing => ongoing = true,
                ReportStmt::During(p) => during = self.phase_ref(p),
                _ => {}
            }
        }
        if ongoing && last.is_some() {
            self.error(
                Problem::Cadence {
                    message: "a cadence cannot be both `ongoing` and have a `last` occurrence"
                        .into(),
                },
                c.due.span,
            );
        }
        let rule = self.due_rule(c, later)?;
        Some(Recurrence {
            unit,
            rule,
            first,
            last,
            ongoing,
            during,
        })
    }

    fn due_rule(&mut self, c: &Cadence, later: u32) -> Option<DueRule> {
        let unit = c.unit.node;
        let mismatch = |this: &mut Self, message: String| {
            this.error(Problem::Cadence { message }, c.due.span);
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
            PeriodUnit::Phase => 366,
        };
        match &c.due.node {
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
                // 2000 is a leap year: 29 February is a valid yearly date (the 28th in other years).
                if NaiveDate::from_ymd_opt(2000, *month, *day).is_none() {
                    let message = format!("{month}-{day} is not a day of the year");
                    self.error(Problem::InvalidDate { text: message }, c.due.span);
                    return None;
                }
                Some(DueRule::MonthDay {
                    month: *month,
                    day: *day,
                    later: next_of(self, next)?,
                })
            }
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
                    return mismatch(
                        self,
                        format!(
                            "a deadline counted from an event fits `every phase`, not every {unit}"
                        ),
                    );
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

    fn limit(
        &mut self,
        bound: &Spanned<Bound>,
        unit: PeriodUnit,
        id: DeliverableId,
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
                            .then_some(crate::schedule::period::Period::Month { year, month }),
                    ),
                    PeriodLit::Quarter(year, quarter) => (
                        PeriodUnit::Quarter,
                        Some(crate::schedule::period::Period::Quarter { year, quarter }),
                    ),
                    PeriodLit::Year(year) => (
                        PeriodUnit::Year,
                        Some(crate::schedule::period::Period::Year(year)),
                    ),
                    PeriodLit::Week(year, week) => (
                        PeriodUnit::Week,
                        NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)
                            .map(|_| crate::schedule::period::Period::Week { year, week }),
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

    /// Relative deadlines must not go round in a circle, and must count from one-off deadlines.
    fn check_dependencies(&mut self, campaign: &Campaign) {
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

    // -----------------------------------------------------------------------------------------
    // Reminder policy
    // -----------------------------------------------------------------------------------------

    fn top_policy(&mut self, file: &File) -> Policy {
        let mut blocks = file.items.iter().filter_map(|i| match i {
            TopItem::Remind(r) => Some(r),
            _ => None,
        });
        let Some(first) = blocks.next() else {
            return Policy::default();
        };
        for extra in blocks {
            self.error(
                Problem::DuplicateStatement {
                    statement: "remind",
                },
                extra.span,
            );
        }
        self.policy(first)
    }

    fn policy(&mut self, decl: &RemindDecl) -> Policy {
        let defaults = Policy::default();
        let mut lead_times = None;
        let mut time = None;
        let mut ladder = Vec::new();
        for stmt in &decl.stmts {
            match &stmt.node {
                RemindStmt::Before(leads, at) => {
                    lead_times = Some(leads.iter().map(|l| l.node).collect::<Vec<_>>());
                    if let Some(at) = at {
                        time = Some(at.node);
                    }
                }
                RemindStmt::At(at) => time = Some(at.node),
                RemindStmt::Overdue {
                    after,
                    interview,
                    to,
                } => {
                    let mut targets = Vec::new();
                    for t in to {
                        match t {
                            EscalateTo::Role(role) => targets.push(Escalate::Role(role.node)),
                            EscalateTo::Named(name) => {
                                let units = self.units_of(std::slice::from_ref(name));
                                targets.extend(
                                    units
                                        .into_iter()
                                        .map(|u| Escalate::Unit(self.units[u].name.clone())),
                                );
                            }
                        }
                    }
                    ladder.push(Rung {
                        after: after.node,
                        interview: *interview,
                        to: targets,
                    });
                }
                RemindStmt::Note(_) => {}
            }
        }
        let mut lead_times = lead_times.unwrap_or(defaults.lead_times);
        lead_times.sort_by_key(|d| std::cmp::Reverse(approximate_days(d)));
        lead_times.dedup();
        ladder.sort_by_key(|r| approximate_days(&r.after));
        Policy {
            lead_times,
            time: time.unwrap_or(defaults.time),
            ladder: if ladder.is_empty() {
                defaults.ladder
            } else {
                ladder
            },
        }
    }

    // -----------------------------------------------------------------------------------------
    // Names and dates
    // -----------------------------------------------------------------------------------------

    /// A unit or a group, flattened to units.
    fn units_of(&mut self, names: &[Name]) -> Vec<UnitId> {
        let mut out = Vec::new();
        for name in names {
            if let Some(&unit) = self.unit_index.get(&name.node) {
                out.push(unit);
            } else if let Some(&group) = self.group_index.get(&name.node) {
                out.extend(self.group_members[group].iter().copied());
            } else {
                self.unknown_unit(name, NameKind::UnitOrGroup);
            }
        }
        let mut seen = HashSet::new();
        out.retain(|u| seen.insert(*u));
        out
    }

    /// A single unit (not a group).
    fn unit_ref(&mut self, name: &Name) -> Option<UnitId> {
        if let Some(&unit) = self.unit_index.get(&name.node) {
            return Some(unit);
        }
        if self.group_index.contains_key(&name.node) {
            self.error(
                Problem::WrongKind {
                    name: name.node.clone(),
                    found: NameKind::Group,
                    expected: NameKind::Unit,
                },
                name.span,
            );
            return None;
        }
        self.unknown_unit(name, NameKind::Unit);
        None
    }

    fn unknown_unit(&mut self, name: &Name, kind: NameKind) {
        let candidates: Vec<&str> = self
            .unit_index
            .keys()
            .chain(self.group_index.keys())
            .map(String::as_str)
            .collect();
        let help = suggest::did_you_mean(&name.node, candidates).or_else(|| {
            Some(format!(
                "declare it with `unit {}` or list it in a `group`",
                name.node
            ))
        });
        self.error(
            Problem::UnknownName {
                kind,
                name: name.node.clone(),
            },
            name.span,
        )
        .help = help;
    }

    fn phase_ref(&mut self, name: &Name) -> Option<PhaseId> {
        if let Some(&phase) = self.phase_index.get(&name.node) {
            return Some(phase);
        }
        let help = suggest::did_you_mean(&name.node, self.phase_index.keys().map(String::as_str));
        self.error(
            Problem::UnknownName {
                kind: NameKind::Phase,
                name: name.node.clone(),
            },
            name.span,
        )
        .help = help;
        None
    }

    fn duplicate(&mut self, kind: NameKind, name: &Name, first: Span) {
        self.error(
            Problem::Duplicate {
                kind,
                name: name.node.clone(),
            },
            name.span,
        )
        .notes
        .push((first, "first defined here".into()));
    }

    /// Names end up in tables, file names and mail headers: no control characters.
    fn check_name(&mut self, name: &Name, what: &str) {
        if name.node.trim().is_empty() || name.node.chars().any(char::is_control) {
            self.error(
                Problem::Invalid {
                    message: format!("a {what} must be non-empty and on one line"),
                },
                name.span,
            );
        }
    }

    fn email(&mut self, value: &Name) -> Option<String> {
        self.email_in(&value.node, value.span, 0)
    }

    fn email_in(&mut self, value: &str, span: Span, file: usize) -> Option<String> {
        if is_mail_address(value) {
            return Some(value.to_string());
        }
        self.diagnostics.push(
            Diagnostic::error(
                Problem::Invalid {
                    message: format!("`{value}` is not a mail address"),
                },
                span,
            )
            .in_file(file)
            .with_help(Some(
                "write a plain address such as `office@example.org`".into(),
            )),
        );
        None
    }

    fn date(&mut self, d: &Spanned<DateExpr>, used: DateUse) -> Option<NaiveDate> {
        let expr = &d.node;
        let Some(year) = expr.year else {
            let year = self.year_hint.unwrap_or(2017);
            let example = match expr.day {
                DayPart::Day(day) => format!("{year}年{}月{day}日", expr.month),
                _ => format!("{year}{}", self.text(d.span)),
            };
            self.error(Problem::YearlessDate, d.span).help = Some(format!(
                "write the full date, e.g. `{example}`, so that no reader has to guess"
            ));
            return None;
        };
        let month_first = NaiveDate::from_ymd_opt(year, expr.month, 1);
        let Some(first) = month_first else {
            self.error(
                Problem::InvalidDate {
                    text: self.text(d.span).to_string(),
                },
                d.span,
            );
            return None;
        };
        let last = last_day_of_month(first);
        let day = |n: u32| NaiveDate::from_ymd_opt(year, expr.month, n);
        let date = match (expr.day, used) {
            (DayPart::Day(n), _) => day(n),
            (DayPart::WholeMonth, DateUse::Start) => Some(first),
            (DayPart::WholeMonth, DateUse::End) => Some(last),
            (DayPart::WholeMonth, DateUse::Point) => {
                let text = self.text(d.span).to_string();
                self.error(
                    Problem::DateForm {
                        message: format!("{text} is a month, but a deadline needs a day"),
                    },
                    d.span,
                )
                .help = Some(format!(
                    "write `{year}年{}月底` or `end of {year}-{:02}` for its last day",
                    expr.month, expr.month
                ));
                return None;
            }
            (DayPart::End, _) => Some(last),
            (DayPart::Early, DateUse::Start) => Some(first),
            (DayPart::Early, _) => day(10),
            (DayPart::Mid, DateUse::Start) => day(11),
            (DayPart::Mid, _) => day(20),
            (DayPart::Late, DateUse::Start) => day(21),
            (DayPart::Late, _) => Some(last),
        };
        if date.is_none() {
            self.error(
                Problem::InvalidDate {
                    text: self.text(d.span).to_string(),
                },
                d.span,
            )
            .label = Some(format!("{year}-{:02} has {} days", expr.month, last.day()));
        }
        date
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

fn campaign_keyword(stmt: &CampaignStmt) -> &'static str {
    match stmt {
        CampaignStmt::Title(_) => "title",
        CampaignStmt::Issuer(_) => "issuer",
        CampaignStmt::Doc(_) => "doc",
        CampaignStmt::Issued(_) => "issued",
        CampaignStmt::Zone(_) => "zone",
        CampaignStmt::Period(_) => "period",
        CampaignStmt::Holidays(_) => "holidays",
        CampaignStmt::Office(_) => "office",
        CampaignStmt::Supervisors(_) => "supervisors",
        CampaignStmt::Contacts(_) => "contacts",
        CampaignStmt::Templates(_) => "templates",
        CampaignStmt::Note(_) => "note",
    }
}

fn unit_keyword(stmt: &UnitStmt) -> &'static str {
    match stmt {
        UnitStmt::Under(_) => "under",
        UnitStmt::FullName(_) => "full-name",
        UnitStmt::Email(_) => "email",
        UnitStmt::Phone(_) => "phone",
        UnitStmt::Reviewer(_) => "reviewer",
        UnitStmt::Active(_) => "active",
        UnitStmt::Contact(_) => "contact",
        UnitStmt::Note(_) => "note",
    }
}

fn report_keyword(stmt: &ReportStmt) -> &'static str {
    match stmt {
        ReportStmt::From(_) => "from",
        ReportStmt::To(_) => "to",
        ReportStmt::Form(_) => "form",
        ReportStmt::Signers(_) => "signers",
        ReportStmt::Formerly(_) => "formerly",
        ReportStmt::Review(_) => "review",
        ReportStmt::Due(_) => "due",
        ReportStmt::Covering(_) => "covering",
        ReportStmt::First(_) => "first",
        ReportStmt::Last(_) => "last",
        ReportStmt::During(_) => "during",
        ReportStmt::Ongoing => "ongoing",
        ReportStmt::Holidays(_) => "holidays",
        ReportStmt::Note(_) => "note",
        ReportStmt::Remind(_) => "remind",
        ReportStmt::Threshold(_) => "threshold",
    }
}

fn kind_word(kind: DeliverableKind) -> &'static str {
    match kind {
        DeliverableKind::Report => "report",
        DeliverableKind::Measure => "measure",
        DeliverableKind::Target => "target",
    }
}

fn window_needs_campaign(window: &Window) -> bool {
    matches!(
        window,
        Window::Throughout
            | Window::Span {
                end: None,
                open: true,
                ..
            }
    )
}

fn offset_of(offset: Option<Offset>) -> (i64, DurationUnit) {
    match offset {
        None => (0, DurationUnit::Days),
        Some(o) => {
            let (count, unit) = match o.amount.unit {
                DurationUnit::Weeks => (i64::from(o.amount.count) * 7, DurationUnit::Days),
                unit => (i64::from(o.amount.count), unit),
            };
            (if o.after { count } else { -count }, unit)
        }
    }
}

fn approximate_days(d: &Duration) -> u64 {
    match d.unit {
        DurationUnit::Weeks => u64::from(d.count) * 7,
        _ => u64::from(d.count),
    }
}

/// A circle reachable from `at`, as the deliverables along it with the first repeated at the
/// end (`[方案, 总结, 方案]`). `state`: 0 not seen, 1 on the current path (`trail`), 2 done.
fn find_cycle(
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

fn last_day_of_month(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first)
}

/// A plain mail address: one `@`, a dotted domain, nothing that could break a mail header.
pub fn is_mail_address(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[]\\,;:\"@".contains(c))
    };
    plain(local)
        && plain(domain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}
