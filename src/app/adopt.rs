//! A campaign's own units taken into the office's directory (`duban units adopt CAMPAIGN`):
//! the way an office that has run campaigns before it kept a directory gets one without typing
//! its units again. Each campaign's units go under a unit of their own at the top (the
//! campaign's issuing office, or a directory unit the office names), so that two campaigns'
//! units of one name (南阳's and 宜春's 党风政风监督室) stay two units unless the office puts
//! them under the same one. Taking them again changes nothing: a unit is known by its name
//! under its parent. The campaign may then say `通讯录 ROOT` and be bound to them.

use std::collections::HashMap;

use super::{AppError, Office};
use crate::language::ast::ContactRole;
use crate::store::{Backend, OrgContact, OrgImportError, OrgRow, Parent};

/// What taking a campaign's units did: the directory's report and the unit they went under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adopted {
    /// Added, changed, unchanged.
    pub report: crate::store::OrgReport,
    /// The unit at the top of the campaign's units (a campaign bound to the directory names it).
    pub root: String,
}

impl Office {
    /// Takes the units of `campaign` into the directory, under `under` (a directory unit's
    /// code or name) or else under a unit named after the campaign's issuing office (its
    /// 发文单位, else its title), at the top. All or nothing, as an import of a sheet.
    pub fn adopt_units(
        &self,
        store: &mut dyn Backend,
        campaign: &str,
        under: Option<&str>,
        now: i64,
    ) -> Result<Adopted, AppError> {
        let header = store.campaign_header(campaign)?;
        let top: Vec<(String, Option<String>)> = match under {
            Some(unit) => path_of(store, unit)?,
            None => vec![(header.issuer.clone().unwrap_or(header.title.clone()), None)],
        };
        let root = top.last().map(|(name, _)| name.clone()).unwrap_or_default();
        let tree: HashMap<String, Option<String>> =
            store.unit_tree(header.id)?.into_iter().collect();
        let people: HashMap<String, Vec<crate::language::campaign::Contact>> = store
            .unit_contacts()?
            .into_iter()
            .filter(|(c, _, _)| c == campaign)
            .map(|(_, unit, contacts)| (unit, contacts))
            .collect();
        // The unit's own mailbox and phone, besides its people's.
        let reach: HashMap<String, (Option<String>, Option<String>)> = store
            .unit_reach(header.id)?
            .into_iter()
            .map(|(name, email, phone)| (name, (email, phone)))
            .collect();
        let mut names: Vec<&String> = tree.keys().collect();
        names.sort();
        let rows: Vec<OrgRow> = names
            .into_iter()
            .filter(|name| **name != root)
            .map(|name| OrgRow {
                at: format!("{campaign}: {name}"),
                code: None,
                name: name.clone(),
                parent: Parent::Path(path(&top, &tree, name, &root)),
                kind: None,
                email: reach.get(name).and_then(|(email, _)| email.clone()),
                phone: reach.get(name).and_then(|(_, phone)| phone.clone()),
                contacts: people.get(name).map(|c| contacts(c)).unwrap_or_default(),
            })
            .collect();
        let report = match store.org_import(&rows, now) {
            Ok(report) => report,
            Err(OrgImportError::Rows(errors)) => return Err(AppError::Directory(errors)),
            Err(OrgImportError::Store(e)) => return Err(e.into()),
        };
        Ok(Adopted { report, root })
    }
}

/// The names from the directory's top down to `unit` (a code or a name it has once), each
/// with its kind: where a campaign's units go under it.
fn path_of(store: &dyn Backend, unit: &str) -> Result<Vec<(String, Option<String>)>, AppError> {
    let units = store.org_units()?;
    let by_code: HashMap<&str, &crate::store::OrgUnit> =
        units.iter().map(|u| (u.code.as_str(), u)).collect();
    let named: Vec<&crate::store::OrgUnit> = units.iter().filter(|u| u.name == unit).collect();
    let found = match (by_code.get(unit), named.as_slice()) {
        (Some(u), _) | (None, [u]) => *u,
        _ => {
            let names = units.iter().map(|u| u.name.as_str());
            return Err(super::organisation::unknown(unit, names));
        }
    };
    let mut path = vec![(found.name.clone(), found.kind.clone())];
    let mut at = found;
    // The directory is a tree: its parents end at the top (the bound guards a broken record).
    while let Some(parent) = at.parent.as_deref().and_then(|p| by_code.get(p)) {
        if path.len() > units.len() {
            break;
        }
        path.push((parent.name.clone(), parent.kind.clone()));
        at = parent;
    }
    path.reverse();
    Ok(path)
}

/// Where `name` goes: under `top`, then its campaign ancestors (those not `root` itself).
fn path(
    top: &[(String, Option<String>)],
    tree: &HashMap<String, Option<String>>,
    name: &str,
    root: &str,
) -> Vec<(String, Option<String>)> {
    let mut above = Vec::new();
    let mut at = tree.get(name).cloned().flatten();
    while let Some(parent) = at {
        if parent == root || above.iter().any(|(n, _)| *n == parent) || above.len() > tree.len() {
            break;
        }
        above.push((parent.clone(), None));
        at = tree.get(&parent).cloned().flatten();
    }
    above.reverse();
    let mut out = top.to_vec();
    out.extend(above);
    out
}

/// A campaign unit's people as the directory keeps them: the liaison as 联系人, the leader as
/// 负责人 (a general contact as 联系人 where there is no liaison).
fn contacts(people: &[crate::language::campaign::Contact]) -> Vec<OrgContact> {
    let liaison = people.iter().any(|c| c.role == ContactRole::Liaison);
    people
        .iter()
        .filter_map(|c| {
            let role = match c.role {
                ContactRole::Liaison => "联系人",
                ContactRole::Leader => "负责人",
                ContactRole::Contact if !liaison => "联系人",
                // A general contact beside a liaison: the directory keeps one 联系人.
                ContactRole::Contact => return None,
            };
            Some(OrgContact {
                role: role.into(),
                // The directory names each person; a campaign may know only a mailbox.
                name: c.name.clone().unwrap_or_else(|| c.role.title().to_string()),
                phone: c.phone.clone(),
                email: c.email.clone(),
            })
        })
        .collect()
}
