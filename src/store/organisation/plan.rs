//! What the office's rows make of the directory: units added (parents first), units changed
//! (renamed, moved, their kind or people) and units named unchanged, or every row that cannot
//! be taken. Pure: the engines read the directory, call [`plan`], and write what it says.

use std::collections::HashMap;

use super::{
    NewOrgUnit, OrgChange, OrgContact, OrgPlan, OrgRow, OrgRowError, OrgUnit, Parent, ParentId,
};

/// A unit while planning: one the directory has, or one added.
#[derive(Clone, Debug)]
struct Node {
    code: String,
    name: String,
    parent: Option<usize>,
    kind: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    contacts: Vec<OrgContact>,
    /// The records' id, for a unit kept.
    id: Option<i64>,
    retired: bool,
    /// What the rows changed in a unit kept.
    what: Vec<&'static str>,
    was: Option<String>,
    named: bool,
}

/// What `rows` make of the directory `kept` (every unit it has, retired ones too): units
/// added, changed and left as they are, or every row that cannot be taken. `next_code` is the
/// number the first made-up code takes (`U000001`).
pub fn plan(
    kept: &[OrgUnit],
    rows: &[OrgRow],
    mut next_code: i64,
) -> Result<OrgPlan, Vec<OrgRowError>> {
    let mut nodes: Vec<Node> = Vec::with_capacity(kept.len() + rows.len());
    let mut by_code: HashMap<String, usize> = HashMap::new();
    for u in kept {
        by_code.insert(u.code.clone(), nodes.len());
        nodes.push(Node {
            code: u.code.clone(),
            name: u.name.clone(),
            parent: None,
            kind: u.kind.clone(),
            email: u.email.clone(),
            phone: u.phone.clone(),
            contacts: u.contacts.clone(),
            id: Some(u.id),
            retired: u.retired_at.is_some(),
            what: Vec::new(),
            was: None,
            named: false,
        });
    }
    for (i, u) in kept.iter().enumerate() {
        nodes[i].parent = u.parent.as_ref().and_then(|p| by_code.get(p).copied());
    }
    let mut children: HashMap<(Option<usize>, String), Vec<usize>> = HashMap::new();
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate().filter(|(_, n)| !n.retired) {
        children
            .entry((n.parent, n.name.clone()))
            .or_default()
            .push(i);
        by_name.entry(n.name.clone()).or_default().push(i);
    }
    let mut errors = Vec::new();
    let mut first_row_of_code: HashMap<String, String> = HashMap::new();
    // Rows whose parent is a name are taken once that name is known: a file may list a
    // village before its town.
    let mut waiting: Vec<&OrgRow> = Vec::new();
    let mut book = Book {
        nodes: &mut nodes,
        by_code: &mut by_code,
        children: &mut children,
        by_name: &mut by_name,
        next_code: &mut next_code,
    };
    for row in rows {
        if let Some(code) = &row.code {
            if let Some(first) = first_row_of_code.get(code) {
                errors.push(OrgRowError::RepeatedCode {
                    at: row.at.clone(),
                    code: code.clone(),
                    first: first.clone(),
                });
                continue;
            }
            first_row_of_code.insert(code.clone(), row.at.clone());
        }
        match &row.parent {
            Parent::Top => book.take(row, None, &mut errors),
            Parent::Path(path) => {
                let mut at = None;
                for (name, kind) in path {
                    at = Some(book.child(at, name, kind.clone()));
                }
                book.take(row, at, &mut errors);
            }
            Parent::Named(_) => waiting.push(row),
        }
    }
    // Named parents: each round takes the rows whose parent is now known.
    loop {
        let mut left = Vec::new();
        let before = waiting.len();
        for row in waiting {
            let Parent::Named(parent) = &row.parent else {
                continue;
            };
            match book.find(parent) {
                Found::One(p) => book.take(row, Some(p), &mut errors),
                Found::None => left.push(row),
                Found::Many(codes) => errors.push(OrgRowError::AmbiguousParent {
                    at: row.at.clone(),
                    parent: parent.clone(),
                    codes,
                }),
            }
        }
        waiting = left;
        if waiting.is_empty() || waiting.len() == before {
            break;
        }
    }
    for row in waiting {
        let Parent::Named(parent) = &row.parent else {
            continue;
        };
        let names: Vec<&str> = book.by_name.keys().map(String::as_str).collect();
        errors.push(OrgRowError::UnknownParent {
            at: row.at.clone(),
            parent: parent.clone(),
            nearest: crate::language::suggest::nearest(parent, names).map(String::from),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(finish(nodes, kept.len()))
}

/// Whether a name or code finds a unit.
enum Found {
    None,
    One(usize),
    Many(Vec<String>),
}

/// The units while planning, and their indexes.
struct Book<'a> {
    nodes: &'a mut Vec<Node>,
    by_code: &'a mut HashMap<String, usize>,
    children: &'a mut HashMap<(Option<usize>, String), Vec<usize>>,
    by_name: &'a mut HashMap<String, Vec<usize>>,
    next_code: &'a mut i64,
}

impl Book<'_> {
    /// The unit a parent column names: by code first, then by name among units not retired.
    fn find(&self, text: &str) -> Found {
        if let Some(&i) = self.by_code.get(text) {
            return Found::One(i);
        }
        match self.by_name.get(text).map(Vec::as_slice) {
            None | Some([]) => Found::None,
            Some([one]) => Found::One(*one),
            Some(many) => Found::Many(many.iter().map(|&i| self.nodes[i].code.clone()).collect()),
        }
    }

    /// The unit `name` under `parent`, added (with `kind`) if there is none.
    fn child(&mut self, parent: Option<usize>, name: &str, kind: Option<String>) -> usize {
        if let Some(&i) = self
            .children
            .get(&(parent, name.to_string()))
            .and_then(|c| c.first())
        {
            self.nodes[i].named = true;
            return i;
        }
        let code = self.made_up_code();
        self.add(Node {
            code,
            name: name.to_string(),
            parent,
            kind,
            email: None,
            phone: None,
            contacts: Vec::new(),
            id: None,
            retired: false,
            what: Vec::new(),
            was: None,
            named: true,
        })
    }

    fn made_up_code(&mut self) -> String {
        loop {
            let code = format!("U{:06}", *self.next_code);
            *self.next_code += 1;
            if !self.by_code.contains_key(&code) {
                return code;
            }
        }
    }

    fn add(&mut self, node: Node) -> usize {
        let i = self.nodes.len();
        self.by_code.insert(node.code.clone(), i);
        self.children
            .entry((node.parent, node.name.clone()))
            .or_default()
            .push(i);
        self.by_name.entry(node.name.clone()).or_default().push(i);
        self.nodes.push(node);
        i
    }

    /// Takes `row` as the unit under `parent`: the one its code names, else the one of its
    /// name there, else a new one.
    fn take(&mut self, row: &OrgRow, parent: Option<usize>, errors: &mut Vec<OrgRowError>) {
        let existing = match &row.code {
            Some(code) => self.by_code.get(code).copied(),
            None => self
                .children
                .get(&(parent, row.name.clone()))
                .and_then(|c| c.first().copied())
                // A sheet that does not say where its units sit (names and people only)
                // updates the unit of that name, when the directory has just one.
                .or_else(
                    || match (&row.parent, self.by_name.get(&row.name).map(Vec::as_slice)) {
                        (Parent::Top, Some([one])) => Some(*one),
                        _ => None,
                    },
                ),
        };
        let Some(i) = existing else {
            let code = row.code.clone().unwrap_or_else(|| self.made_up_code());
            self.add(Node {
                code,
                name: row.name.clone(),
                parent,
                kind: row.kind.clone(),
                email: row.email.clone(),
                phone: row.phone.clone(),
                contacts: row.contacts.clone(),
                id: None,
                retired: false,
                what: Vec::new(),
                was: None,
                named: true,
            });
            return;
        };
        // Moving a unit under one of its own descendants would make a loop.
        let mut up = parent;
        while let Some(p) = up {
            if p == i {
                errors.push(OrgRowError::Cycle {
                    at: row.at.clone(),
                    name: row.name.clone(),
                });
                return;
            }
            up = self.nodes[p].parent;
        }
        let node = &mut self.nodes[i];
        node.named = true;
        let mut what = Vec::new();
        if node.name != row.name {
            if node.was.is_none() && node.id.is_some() {
                node.was = Some(node.name.clone());
            }
            let old = std::mem::replace(&mut node.name, row.name.clone());
            what.push("name");
            let (parent_before, new_name) = (node.parent, node.name.clone());
            if let Some(list) = self.children.get_mut(&(parent_before, old.clone())) {
                list.retain(|&x| x != i);
            }
            if let Some(list) = self.by_name.get_mut(&old) {
                list.retain(|&x| x != i);
            }
            self.children
                .entry((parent_before, new_name.clone()))
                .or_default()
                .push(i);
            self.by_name.entry(new_name).or_default().push(i);
        }
        let node = &mut self.nodes[i];
        // A row that does not say where its unit sits leaves a kept unit where it is.
        if !matches!(row.parent, Parent::Top) && node.parent != parent {
            let name = node.name.clone();
            if let Some(list) = self.children.get_mut(&(node.parent, name.clone())) {
                list.retain(|&x| x != i);
            }
            node.parent = parent;
            self.children.entry((parent, name)).or_default().push(i);
            what.push("parent");
        }
        let node = &mut self.nodes[i];
        if row.kind.is_some() && node.kind != row.kind {
            node.kind = row.kind.clone();
            what.push("kind");
        }
        if row.email.is_some() && node.email != row.email {
            node.email = row.email.clone();
            what.push("email");
        }
        if row.phone.is_some() && node.phone != row.phone {
            node.phone = row.phone.clone();
            what.push("phone");
        }
        if !row.contacts.is_empty() && node.contacts != row.contacts {
            node.contacts = row.contacts.clone();
            what.push("contacts");
        }
        for w in what {
            if !node.what.contains(&w) {
                node.what.push(w);
            }
        }
    }
}

/// The plan the nodes make: those added in order (parents first, as they were made), those
/// kept and changed, and how many kept ones the rows named unchanged.
fn finish(nodes: Vec<Node>, kept: usize) -> OrgPlan {
    let place = |i: usize| -> ParentId {
        match nodes[i].id {
            Some(id) => ParentId::Kept(id),
            None => ParentId::Added(i - kept),
        }
    };
    let mut plan = OrgPlan::default();
    for (i, n) in nodes.iter().enumerate() {
        match n.id {
            None => plan.added.push(NewOrgUnit {
                code: n.code.clone(),
                name: n.name.clone(),
                parent: n.parent.map(place),
                kind: n.kind.clone(),
                email: n.email.clone(),
                phone: n.phone.clone(),
                contacts: n.contacts.clone(),
            }),
            Some(id) if !n.what.is_empty() => plan.changed.push(OrgChange {
                id,
                code: n.code.clone(),
                name: n.name.clone(),
                parent: n.parent.map(place),
                kind: n.kind.clone(),
                email: n.email.clone(),
                phone: n.phone.clone(),
                contacts: n.contacts.clone(),
                what: n.what.clone(),
                was: n.was.clone(),
            }),
            Some(_) if n.named => plan.unchanged += 1,
            Some(_) => {}
        }
        debug_assert!(n.id.is_some() || i >= kept);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(at: &str, code: Option<&str>, name: &str, parent: Parent) -> OrgRow {
        OrgRow {
            at: at.into(),
            code: code.map(String::from),
            name: name.into(),
            parent,
            kind: None,
            email: None,
            phone: None,
            contacts: Vec::new(),
        }
    }

    fn kept(plan: &OrgPlan) -> Vec<OrgUnit> {
        // The plan as an engine would write it, ids from 1.
        let mut out: Vec<OrgUnit> = Vec::new();
        for (i, a) in plan.added.iter().enumerate() {
            out.push(OrgUnit {
                id: i as i64 + 1,
                code: a.code.clone(),
                name: a.name.clone(),
                parent: a.parent.map(|p| match p {
                    ParentId::Added(j) => plan.added[j].code.clone(),
                    ParentId::Kept(_) => unreachable!(),
                }),
                kind: a.kind.clone(),
                email: a.email.clone(),
                phone: a.phone.clone(),
                contacts: a.contacts.clone(),
                retired_at: None,
            });
        }
        out
    }

    #[test]
    fn level_columns_make_the_tree_and_a_village_before_its_town_waits_for_it() {
        let path =
            |names: &[&str]| Parent::Path(names.iter().map(|n| (n.to_string(), None)).collect());
        let rows = vec![
            row("2", None, "新庄村", Parent::Named("古路镇".into())),
            row("3", None, "古路镇", path(&["千阳县"])),
            row("4", None, "高崖村", path(&["千阳县", "古路镇"])),
        ];
        let plan = plan(&[], &rows, 1).unwrap();
        let names: Vec<&str> = plan.added.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["千阳县", "古路镇", "高崖村", "新庄村"]);
        assert_eq!(plan.added[3].parent, Some(ParentId::Added(1)));
        assert_eq!(plan.added[0].code, "U000001");
    }

    #[test]
    fn a_code_keeps_the_unit_through_a_rename_and_the_same_file_again_changes_nothing() {
        let first = vec![
            row("2", Some("411300"), "南阳市", Parent::Top),
            row(
                "3",
                Some("411302"),
                "宛城区",
                Parent::Named("411300".into()),
            ),
        ];
        let p = plan(&[], &first, 1).unwrap();
        let units = kept(&p);
        let again = plan(&units, &first, 3).unwrap();
        assert_eq!(
            (again.added.len(), again.changed.len(), again.unchanged),
            (0, 0, 2)
        );
        let renamed = vec![row(
            "3",
            Some("411302"),
            "宛城新区",
            Parent::Named("南阳市".into()),
        )];
        let p = plan(&units, &renamed, 3).unwrap();
        assert_eq!(p.changed.len(), 1);
        assert_eq!(p.changed[0].was.as_deref(), Some("宛城区"));
        assert_eq!(p.changed[0].what, ["name"]);
    }

    #[test]
    fn an_unknown_or_ambiguous_parent_and_a_repeated_code_are_each_told() {
        let rows = vec![
            row("2", None, "甲镇", Parent::Top),
            row("3", None, "新庄村", Parent::Named("甲镇".into())),
            row("4", None, "乙镇", Parent::Top),
            row("5", None, "新庄村", Parent::Named("乙镇".into())),
            row("6", None, "一组", Parent::Named("新庄村".into())),
            row("7", None, "二组", Parent::Named("新庄".into())),
            row("8", Some("X1"), "丙", Parent::Top),
            row("9", Some("X1"), "丁", Parent::Top),
        ];
        let errors = plan(&[], &rows, 1).unwrap_err();
        assert!(matches!(&errors[0], OrgRowError::RepeatedCode { at, .. } if at == "9"));
        assert!(
            errors.iter().any(|e| matches!(e, OrgRowError::AmbiguousParent { at, codes, .. } if at == "6" && codes.len() == 2)),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| matches!(e, OrgRowError::UnknownParent { at, nearest, .. } if at == "7" && nearest.as_deref() == Some("新庄村"))),
            "{errors:?}"
        );
    }
}
