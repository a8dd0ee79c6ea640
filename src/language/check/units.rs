//! Units and groups: declarations, membership, parents, and the contacts a file supplies.

use super::*;

impl Checker<'_> {
    pub(super) fn declare_units(&mut self, file: &File) {
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

    pub(super) fn add_unit(&mut self, name: &Name) -> UnitId {
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
            code: None,
        });
        id
    }

    pub(super) fn resolve_groups(&mut self, file: &File) {
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

    pub(super) fn flatten_group(
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

    pub(super) fn resolve_units(&mut self, file: &File) {
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

    pub(super) fn check_parent_cycles(&mut self) {
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

    pub(super) fn apply_contacts(&mut self, book: &ContactBook) {
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

    pub(super) fn email(&mut self, value: &Name) -> Option<String> {
        self.email_in(&value.node, value.span, 0)
    }

    pub(super) fn email_in(&mut self, value: &str, span: Span, file: usize) -> Option<String> {
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
}

pub(super) fn unit_keyword(stmt: &UnitStmt) -> &'static str {
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

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn parent_of(c: &Campaign, unit: &str) -> Option<String> {
        let unit = c.units.iter().find(|u| u.name == unit).expect(unit);
        unit.parent.map(|p| c.units[p].name.clone())
    }

    #[test]
    fn a_group_under_a_parent_declares_its_members_under_it() {
        let c = campaign("group 各镇 under 甲 { 一镇 二镇 }\ngroup 全部 { 各镇 乙 }\n");
        assert_eq!(parent_of(&c, "一镇").as_deref(), Some("甲"));
        assert_eq!(parent_of(&c, "乙"), None);
        let all = c.groups.iter().find(|g| g.name == "全部").unwrap();
        let members: Vec<&str> = all
            .members
            .iter()
            .map(|&u| c.units[u].name.as_str())
            .collect();
        assert_eq!(members, ["一镇", "二镇", "乙"], "groups flatten in order");
    }

    #[test]
    fn cycles_of_parents_and_groups_are_errors() {
        assert_eq!(
            problems("unit 丙 { under 丙 }\n"),
            ["error: unit `丙` is its own parent"]
        );
        let cycle = problems("group 一 { 甲 二 }\ngroup 二 { 一 }\n");
        assert!(
            cycle.iter().any(|l| l.contains("contains itself")),
            "{cycle:?}"
        );
    }

    #[test]
    fn an_address_that_could_break_a_mail_header_is_refused() {
        assert!(is_mail_address("office@example.org"));
        for bad in [
            "office",
            "a@b",
            "a b@example.org",
            "a@example.org>",
            "@example.org",
            "a@.org",
        ] {
            assert!(!is_mail_address(bad), "{bad}");
        }
        assert_eq!(
            problems("unit 丙 { email \"丙@\" }\n"),
            [
                "error: `丙@` is not a mail address (help: write a plain address such as `office@example.org`)"
            ]
        );
    }
}
