//! Groups whose units come from the office's directory (组织机构/通讯录) rather than the
//! campaign file: `分组 各村 通讯录 古路镇 层级 村` is every unit of kind 村 under 古路镇 that
//! the directory has and has not retired, each with the people the directory keeps for it.
//! The language knows the directory only as these entries, handed to it when a campaign is
//! loaded; the records keep it (`duban units import`).

use super::ast::{ContactRole, File, GroupDecl, Name, Spanned, TopItem};
use super::campaign::{Campaign, Contact, Unit};
use super::contacts::{ContactBook, Person, UnitContacts};
use super::diagnostic::{Diagnostic, Problem};

/// A unit of the office's directory, as a campaign reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirEntry {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its parent's code.
    pub parent: Option<String>,
    /// Its kind or level (`村`).
    pub kind: Option<String>,
    /// Its mailbox.
    pub email: Option<String>,
    /// Its phone.
    pub phone: Option<String>,
    /// Its liaison (联系人): name, phone, mailbox.
    pub liaison: Option<(String, Option<String>, Option<String>)>,
    /// Its leader (负责人): name, phone.
    pub leader: Option<(String, Option<String>)>,
}

/// Whether campaign text may use the directory: then its groups are filled in from it, and
/// the campaign is synced again when the directory changes.
pub fn may_use(text: &str) -> bool {
    text.contains("通讯录") || text.contains("directory")
}

/// Fills in each directory group of `file` with the directory's units, and gives `book` the
/// people of those it has none for (a campaign's own contacts file wins). A root the
/// directory does not have, or has twice, is an error at its name. Returns the code of each
/// unit it filled in, by name, for [`codes`] to give the checked campaign's units.
pub fn expand(
    file: &mut File,
    directory: &[DirEntry],
    book: &mut Option<ContactBook>,
    source: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> std::collections::HashMap<String, String> {
    let mut codes = std::collections::HashMap::new();
    for item in &mut file.items {
        let TopItem::Group(group) = item else {
            continue;
        };
        let Some((root, kind)) = group.directory.clone() else {
            continue;
        };
        if directory.is_empty() {
            diagnostics.push(Diagnostic::error(
                Problem::NoDirectory {
                    name: group.name.node.clone(),
                },
                group.members_span,
            ));
            continue;
        }
        match members(
            directory,
            &root.node,
            kind.as_ref().map(|k| k.node.as_str()),
        ) {
            Ok(found) => match repeated(&found) {
                Some((name, codes)) => diagnostics.push(Diagnostic::error(
                    Problem::SameNameInDirectory {
                        group: group.name.node.clone(),
                        name,
                        codes,
                    },
                    group.members_span,
                )),
                None => {
                    codes.extend(found.iter().map(|e| (e.name.clone(), e.code.clone())));
                    fill(group, &found, book, source)
                }
            },
            Err(problem) => diagnostics.push(Diagnostic::error(problem, root.span)),
        }
    }
    codes
}

/// Gives each unit of `campaign` that a directory group filled in its code in the directory.
pub fn codes(campaign: &mut Campaign, codes: &std::collections::HashMap<String, String>) {
    for unit in &mut campaign.units {
        if unit.code.is_none() {
            unit.code = codes.get(&unit.name).cloned();
        }
    }
}

/// The first name two of `found` share, with their codes.
fn repeated(found: &[&DirEntry]) -> Option<(String, Vec<String>)> {
    let mut seen: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for e in found {
        if let Some(first) = seen.insert(e.name.as_str(), e.code.as_str()) {
            return Some((e.name.clone(), vec![first.to_string(), e.code.clone()]));
        }
    }
    None
}

/// The unit `root` names: its code, or a name the directory has once.
fn find_root<'d>(directory: &'d [DirEntry], root: &str) -> Result<&'d DirEntry, Problem> {
    if let Some(top) = directory.iter().find(|e| e.code == root) {
        return Ok(top);
    }
    let named: Vec<&DirEntry> = directory.iter().filter(|e| e.name == root).collect();
    match named.as_slice() {
        [one] => Ok(one),
        [] => {
            let names = directory.iter().map(|e| e.name.as_str());
            Err(Problem::NotInDirectory {
                name: root.to_string(),
                nearest: super::suggest::nearest(root, names).map(String::from),
            })
        }
        many => Err(Problem::AmbiguousInDirectory {
            name: root.to_string(),
            codes: many.iter().map(|e| e.code.clone()).collect(),
        }),
    }
}

/// `top` and every unit under it, in the directory's order.
fn subtree<'d>(directory: &'d [DirEntry], top: &DirEntry) -> Vec<&'d DirEntry> {
    let mut inside = std::collections::HashSet::from([top.code.as_str()]);
    // Parents come before children in the directory's order, unless a unit was moved under a
    // later one: go round until nothing more is found.
    loop {
        let before = inside.len();
        for e in directory {
            if e.parent.as_deref().is_some_and(|p| inside.contains(p)) {
                inside.insert(e.code.as_str());
            }
        }
        if inside.len() == before {
            break;
        }
    }
    directory
        .iter()
        .filter(|e| inside.contains(e.code.as_str()))
        .collect()
}

/// The units under `root` (a code, or a name the directory has once), of `kind` if given, in
/// the directory's order; `root` itself is not one of them.
fn members<'d>(
    directory: &'d [DirEntry],
    root: &str,
    kind: Option<&str>,
) -> Result<Vec<&'d DirEntry>, Problem> {
    let top = find_root(directory, root)?;
    Ok(subtree(directory, top)
        .into_iter()
        .filter(|e| e.code != top.code)
        .filter(|e| kind.is_none_or(|k| e.kind.as_deref() == Some(k)))
        .collect())
}

/// Binds the units of a campaign that says `通讯录 ROOT` to the directory: each must be ROOT
/// or a unit under it, by a name it has once there; each gets its code, and the mailbox, phone
/// and people the directory keeps where the campaign gives none of its own (its contacts file
/// or block wins). A unit the directory does not have there, or has twice, is an error at the
/// unit's name with the nearest names or the codes.
pub fn bind(campaign: &mut Campaign, directory: &[DirEntry], root: &Name) -> Vec<Diagnostic> {
    if directory.is_empty() {
        let problem = Problem::BoundWithoutDirectory {
            root: root.node.clone(),
        };
        return vec![Diagnostic::error(problem, root.span)];
    }
    let top = match find_root(directory, &root.node) {
        Ok(top) => top,
        Err(problem) => return vec![Diagnostic::error(problem, root.span)],
    };
    campaign.directory = Some(top.code.clone());
    let under = subtree(directory, top);
    let mut by_name: std::collections::HashMap<&str, Vec<&DirEntry>> =
        std::collections::HashMap::new();
    for e in &under {
        by_name.entry(e.name.as_str()).or_default().push(e);
    }
    let mut diagnostics = Vec::new();
    for unit in &mut campaign.units {
        match by_name.get(unit.name.as_str()).map(Vec::as_slice) {
            Some([e]) => take(unit, e),
            Some(many) => diagnostics.push(Diagnostic::error(
                Problem::TwiceUnderRoot {
                    name: unit.name.clone(),
                    root: root.node.clone(),
                    codes: many.iter().map(|e| e.code.clone()).collect(),
                },
                unit.span,
            )),
            None => {
                let names = under.iter().map(|e| e.name.as_str());
                diagnostics.push(Diagnostic::error(
                    Problem::NotUnderRoot {
                        name: unit.name.clone(),
                        root: root.node.clone(),
                        nearest: super::suggest::nearest(&unit.name, names).map(String::from),
                    },
                    unit.span,
                ));
            }
        }
    }
    // A unit the campaign puts under none is under its parent in the directory, where the
    // campaign has that unit too (the directory is a tree: no loop can come of it).
    let ids: std::collections::HashMap<String, usize> = campaign
        .units
        .iter()
        .enumerate()
        .filter_map(|(id, u)| u.code.clone().map(|code| (code, id)))
        .collect();
    let parents: std::collections::HashMap<&str, &str> = under
        .iter()
        .filter_map(|e| e.parent.as_deref().map(|p| (e.code.as_str(), p)))
        .collect();
    for unit in &mut campaign.units {
        if unit.parent.is_none()
            && let Some(code) = &unit.code
            && let Some(parent) = parents.get(code.as_str())
        {
            unit.parent = ids.get(*parent).copied();
        }
    }
    diagnostics
}

/// The directory's code and, where the campaign gives none, its ways to reach the unit.
fn take(unit: &mut Unit, e: &DirEntry) {
    unit.code = Some(e.code.clone());
    if unit.email.is_none() {
        unit.email = e.email.clone();
    }
    if unit.phone.is_none() {
        unit.phone = e.phone.clone();
    }
    if unit.contacts.is_empty() {
        if let Some((name, phone, email)) = &e.liaison {
            unit.contacts.push(Contact {
                role: ContactRole::Liaison,
                name: Some(name.clone()),
                email: email.clone(),
                phone: phone.clone(),
            });
        }
        if let Some((name, phone)) = &e.leader {
            unit.contacts.push(Contact {
                role: ContactRole::Leader,
                name: Some(name.clone()),
                email: None,
                phone: phone.clone(),
            });
        }
    }
}

fn fill(group: &mut GroupDecl, found: &[&DirEntry], book: &mut Option<ContactBook>, source: usize) {
    let span = group.members_span;
    group.members = found
        .iter()
        .map(|e| Spanned::new(e.name.clone(), span))
        .collect();
    let book = book.get_or_insert_with(|| ContactBook {
        file: source,
        units: Vec::new(),
        shared: false,
    });
    // A set, not a search of the list for each: a province's group has 35,715 units.
    let named: std::collections::HashSet<String> =
        book.units.iter().map(|(name, _, _)| name.clone()).collect();
    for e in found {
        if named.contains(&e.name) {
            continue;
        }
        let person = |name: &str, phone: &Option<String>, email: Option<&String>| Person {
            name: Some(name.to_string()),
            email: email.map(|m| toml::Spanned::new(0..0, m.clone())),
            phone: phone.clone(),
        };
        let contacts = UnitContacts {
            email: e.email.clone().map(|m| toml::Spanned::new(0..0, m)),
            phone: e.phone.clone(),
            liaison: e
                .liaison
                .as_ref()
                .map(|(n, phone, mail)| person(n, phone, mail.as_ref())),
            leader: e.leader.as_ref().map(|(n, phone)| person(n, phone, None)),
            contact: Vec::new(),
        };
        book.units.push((e.name.clone(), span, contacts));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(code: &str, name: &str, parent: Option<&str>, kind: &str) -> DirEntry {
        DirEntry {
            code: code.into(),
            name: name.into(),
            parent: parent.map(String::from),
            kind: Some(kind.into()),
            ..DirEntry::default()
        }
    }

    #[test]
    fn a_groups_units_are_those_under_its_root_of_its_kind() {
        let directory = vec![
            entry("1", "古路镇", None, "乡镇"),
            entry("2", "一村", Some("1"), "村"),
            entry("3", "一组", Some("2"), "组"),
            entry("4", "二村", Some("1"), "村"),
            entry("5", "别镇", None, "乡镇"),
            entry("6", "三村", Some("5"), "村"),
        ];
        let names =
            |found: Vec<&DirEntry>| found.iter().map(|e| e.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(members(&directory, "古路镇", Some("村")).unwrap()),
            ["一村", "二村"]
        );
        assert_eq!(
            names(members(&directory, "1", None).unwrap()),
            ["一村", "一组", "二村"]
        );
        assert!(matches!(
            members(&directory, "古路", None),
            Err(Problem::NotInDirectory { nearest: Some(n), .. }) if n == "古路镇"
        ));
    }
}
