//! The organisation's directory on SQLite: read whole, planned in `store/organisation.rs`,
//! written in one transaction.

use rusqlite::OptionalExtension;

use super::{Store, StoreError};
use crate::store::Organisation;
use crate::store::organisation::{
    OrgImportError, OrgReport, OrgRow, OrgUnit, ParentId, UNITS, change_data, contacts_json,
    contacts_of, plan,
};

fn units(conn: &rusqlite::Connection) -> Result<Vec<OrgUnit>, StoreError> {
    let mut statement = conn.prepare(UNITS)?;
    let rows = statement.query_map([], |r| {
        Ok(OrgUnit {
            id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            parent: r.get(3)?,
            kind: r.get(4)?,
            email: r.get(5)?,
            phone: r.get(6)?,
            contacts: contacts_of(&r.get::<_, String>(7)?),
            retired_at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Organisation for Store {
    fn org_units(&self) -> Result<Vec<OrgUnit>, StoreError> {
        units(&self.conn)
    }

    fn org_import(&mut self, rows: &[OrgRow], at: i64) -> Result<OrgReport, OrgImportError> {
        let mut refused = None;
        let report = self.write(|tx| {
            let kept = units(tx)?;
            let plan = match plan(&kept, rows, kept.len() as i64 + 1) {
                Ok(plan) => plan,
                Err(errors) => {
                    refused = Some(errors);
                    return Ok(OrgReport::default());
                }
            };
            let mut ids = Vec::with_capacity(plan.added.len());
            let id_of = |p: ParentId, ids: &[i64]| match p {
                ParentId::Kept(id) => id,
                ParentId::Added(i) => ids[i],
            };
            {
                let mut add = tx.prepare_cached(
                    "INSERT INTO org_units
                         (code, name, parent_id, kind, email, phone, contacts, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                )?;
                let mut event = tx.prepare_cached(
                    "INSERT INTO org_events (unit_id, at, kind, data) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for a in &plan.added {
                    let parent = a.parent.map(|p| id_of(p, &ids));
                    add.execute(rusqlite::params![
                        a.code,
                        a.name,
                        parent,
                        a.kind,
                        a.email,
                        a.phone,
                        contacts_json(&a.contacts),
                        at
                    ])?;
                    let id = tx.last_insert_rowid();
                    event.execute(rusqlite::params![id, at, "added", "{}"])?;
                    ids.push(id);
                }
                let mut change = tx.prepare_cached(
                    "UPDATE org_units SET name = ?2, parent_id = ?3, kind = ?4, email = ?5,
                         phone = ?6, contacts = ?7, updated_at = ?8 WHERE id = ?1",
                )?;
                for c in &plan.changed {
                    let parent = c.parent.map(|p| id_of(p, &ids));
                    change.execute(rusqlite::params![
                        c.id,
                        c.name,
                        parent,
                        c.kind,
                        c.email,
                        c.phone,
                        contacts_json(&c.contacts),
                        at
                    ])?;
                    event.execute(rusqlite::params![c.id, at, "changed", change_data(c)])?;
                }
            }
            Ok(plan.report())
        })?;
        match refused {
            Some(errors) => Err(OrgImportError::Rows(errors)),
            None => Ok(report),
        }
    }

    fn org_retire(&mut self, code: &str, at: i64) -> Result<Option<OrgUnit>, StoreError> {
        self.write(|tx| {
            let Some(id): Option<i64> = tx
                .query_row("SELECT id FROM org_units WHERE code = ?1", [code], |r| {
                    r.get(0)
                })
                .optional()?
            else {
                return Ok(None);
            };
            let was = units(tx)?.into_iter().find(|u| u.id == id);
            if was.as_ref().is_some_and(|u| u.retired_at.is_none()) {
                tx.execute(
                    "UPDATE org_units SET retired_at = ?2, updated_at = ?2 WHERE id = ?1",
                    rusqlite::params![id, at],
                )?;
                tx.execute(
                    "INSERT INTO org_events (unit_id, at, kind, data) VALUES (?1, ?2, 'retired', '{}')",
                    rusqlite::params![id, at],
                )?;
            }
            Ok(was)
        })
    }
}
