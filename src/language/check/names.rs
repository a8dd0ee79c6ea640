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

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn a_group_stands_for_its_members_once_each() {
        let c = campaign("group 两家 { 甲 乙 }\nreport r {\n  from 两家 甲\n  due 2017-05-01\n}\n");
        let from: Vec<&str> = c.deliverables[0]
            .from
            .iter()
            .map(|&u| c.units[u].name.as_str())
            .collect();
        assert_eq!(from, ["甲", "乙"]);
    }

    #[test]
    fn an_unknown_name_gets_the_nearest_known_one_or_how_to_declare_it() {
        let near =
            problems("group 县区 { 宛城区 卧龙区 }\nreport r {\n  from 县 \n  due 2017-05-01\n}\n");
        assert_eq!(near.len(), 1, "{near:?}");
        assert!(
            near[0].starts_with("error: unknown unit or group `县`"),
            "{near:?}"
        );
        assert!(near[0].contains("`县区`"), "{near:?}");
        let far = problems("report r {\n  from 丙丁戊\n  due 2017-05-01\n}\n");
        assert!(far[0].contains("declare it with `unit 丙丁戊`"), "{far:?}");
    }

    #[test]
    fn a_group_where_one_unit_is_meant_is_an_error() {
        let problems = problems("group 两家 { 甲 乙 }\nunit 丙 { under 两家 }\n");
        assert_eq!(problems, ["error: `两家` is a group, not a unit"]);
    }

    #[test]
    fn a_name_defined_twice_points_at_the_first() {
        let (_, diagnostics) = check_body("unit 甲\n");
        assert_eq!(lines(&diagnostics), ["error: unit `甲` is defined twice"]);
        assert_eq!(diagnostics[0].notes[0].1, "first defined here");
    }

    #[test]
    fn an_unknown_phase_gets_the_nearest() {
        let problems = problems(
            "phase 自查自纠 2017-04-01 .. 2017-05-31\nreport r {\n  from 甲\n  during 自查自究\n  due 2017-05-01\n}\n",
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("unknown phase `自查自究`"),
            "{problems:?}"
        );
        assert!(problems[0].contains("`自查自纠`"), "{problems:?}");
    }
}
