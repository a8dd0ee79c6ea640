//! Names and scopes: references to units, groups and phases, resolved or reported with the
//! nearest known name.

use super::*;

impl Checker<'_> {
    /// A unit or a group, flattened to units.
    pub(super) fn units_of(&mut self, names: &[Name]) -> Vec<UnitId> {
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
    pub(super) fn unit_ref(&mut self, name: &Name) -> Option<UnitId> {
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

    pub(super) fn unknown_unit(&mut self, name: &Name, kind: NameKind) {
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

    pub(super) fn phase_ref(&mut self, name: &Name) -> Option<PhaseId> {
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

    pub(super) fn duplicate(&mut self, kind: NameKind, name: &Name, first: Span) {
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
    pub(super) fn check_name(&mut self, name: &Name, what: &str) {
        if name.node.trim().is_empty() || name.node.chars().any(char::is_control) {
            self.error(
                Problem::Invalid {
                    message: format!("a {what} must be non-empty and on one line"),
                },
                name.span,
            );
        }
    }
}
