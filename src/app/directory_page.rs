//! The organisation's directory on the office's page: listed (a unit and those below it, or
//! those whose name or code holds what was typed) to supervisors and the office, and one
//! unit's name, mailbox and people edited by the office that keeps the records — through the
//! same import as the office's sheet, so that a rename keeps the unit and its history.

use super::rights::{Page, allow};
use super::{AppError, Office};
use crate::store::organisation::OrgRowError;
use crate::store::{
    Backend, OrgContact, OrgImportError, OrgReport, OrgRow, OrgUnit, Parent, Role, User,
};

/// A unit's code and name.
pub type CodeName = (String, String);

/// What the page's form says of one unit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitEdit {
    /// Its code.
    pub code: String,
    /// Its name (a new one renames it).
    pub name: String,
    /// Its mailbox.
    pub email: Option<String>,
    /// Its liaison (联系人): name and phone.
    pub liaison: Option<(String, Option<String>)>,
    /// Its leader (负责人): name and phone.
    pub leader: Option<(String, Option<String>)>,
}

impl Office {
    /// The directory's units in use for `who`'s page: those under `under` (a code or name, and
    /// it) if given, and of them those whose name or code holds `query`; with every unit's
    /// name by its code (for parents shown by name), from one read of the directory.
    pub fn directory_as(
        &self,
        store: &dyn Backend,
        who: &User,
        under: Option<&str>,
        query: Option<&str>,
    ) -> Result<(Vec<OrgUnit>, Vec<CodeName>), AppError> {
        allow(who, Page::Directory)?;
        let units = store.org_units()?;
        let names = units
            .iter()
            .map(|u| (u.code.clone(), u.name.clone()))
            .collect();
        let mut found = super::organisation::below(units, under, false)?;
        if let Some(q) = query.map(str::trim).filter(|q| !q.is_empty()) {
            found.retain(|u| u.name.contains(q) || u.code.contains(q));
        }
        Ok((found, names))
    }

    /// Whether `who` may change the directory (asked before a page reads what was sent).
    pub fn may_change_directory(&self, who: &User) -> Result<(), AppError> {
        keeper(who)
    }

    /// Takes the office's sheet at `path` into the directory as `who` does on the page: as
    /// [`Office::import_units`], for the office that keeps the records only.
    pub fn import_units_as(
        &self,
        store: &mut dyn Backend,
        who: &User,
        path: &std::path::Path,
        now: i64,
    ) -> Result<super::OrgImported, AppError> {
        keeper(who)?;
        self.import_units(store, path, crate::values::table::Encoding::Auto, now)
    }

    /// Edits one unit as `who` does on the page: the office that keeps the records only (an
    /// office bound to campaigns shares the directory with other offices, and does not edit
    /// it). The unit keeps its parent and level; its people are replaced by those given.
    pub fn edit_unit_as(
        &self,
        store: &mut dyn Backend,
        who: &User,
        edit: &UnitEdit,
        now: i64,
    ) -> Result<OrgReport, AppError> {
        keeper(who)?;
        let at = format!("网页：{}", edit.code);
        if edit.name.trim().is_empty() {
            return Err(AppError::Directory(vec![OrgRowError::NoName { at }]));
        }
        // A mailbox is checked as the office's sheet checks it: the page said so and stored
        // any text before.
        if let Some(bad) = edit
            .email
            .as_ref()
            .filter(|e| !crate::language::check::is_mail_address(e))
        {
            return Err(AppError::Directory(vec![OrgRowError::BadEmail {
                at,
                email: bad.clone(),
            }]));
        }
        let units = store.org_units()?;
        let Some(unit) = units.iter().find(|u| u.code == edit.code) else {
            let codes = units.iter().map(|u| u.code.as_str());
            return Err(super::organisation::unknown(&edit.code, codes));
        };
        let person = |role: &str, (name, phone): &(String, Option<String>)| OrgContact {
            role: role.into(),
            name: name.clone(),
            phone: phone.clone(),
            email: None,
        };
        let mut contacts: Vec<OrgContact> = Vec::new();
        contacts.extend(edit.liaison.iter().map(|p| person("联系人", p)));
        contacts.extend(edit.leader.iter().map(|p| person("负责人", p)));
        let row = OrgRow {
            at,
            code: Some(edit.code.clone()),
            name: edit.name.trim().to_string(),
            parent: unit.parent.clone().map_or(Parent::Top, Parent::Named),
            kind: unit.kind.clone(),
            email: edit.email.clone(),
            phone: unit.phone.clone(),
            contacts,
        };
        match store.org_import(&[row], now) {
            Ok(report) => Ok(report),
            Err(OrgImportError::Rows(errors)) => Err(AppError::Directory(errors)),
            Err(OrgImportError::Store(e)) => Err(e.into()),
        }
    }
}

/// Whether `who` may change the directory: the office that keeps the records (an office bound
/// to campaigns shares the directory with other offices, and does not change it).
fn keeper(who: &User) -> Result<(), AppError> {
    super::rights::allow_act(who, Page::Directory)?;
    if who.role != Role::Office || !who.every_campaign() {
        return Err(AppError::Forbidden {
            what: "the directory".into(),
        });
    }
    Ok(())
}
