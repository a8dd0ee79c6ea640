//! The organisation's directory on PostgreSQL: read whole, planned in
//! `store/organisation.rs`, written in one transaction — a province's 39,527 units in a few
//! statements (ids taken first, so that each unit's parent is known without reading back).

use ::postgres::GenericClient;

use super::PgStore;
use crate::store::organisation::{
    OrgImportError, OrgReport, OrgRow, OrgUnit, ParentId, UNITS, change_data, contacts_json,
    contacts_of, plan,
};
use crate::store::{Organisation, StoreError};

fn units(client: &mut impl GenericClient) -> Result<Vec<OrgUnit>, StoreError> {
    Ok(client
        .query(UNITS, &[])?
        .iter()
        .map(|r| OrgUnit {
            id: r.get(0),
            code: r.get(1),
            name: r.get(2),
            parent: r.get(3),
            kind: r.get(4),
            email: r.get(5),
            phone: r.get(6),
            contacts: contacts_of(r.get(7)),
            retired_at: r.get(8),
        })
        .collect())
}

impl Organisation for PgStore {
    fn org_units(&self) -> Result<Vec<OrgUnit>, StoreError> {
        self.run(units)
    }

    fn org_import(&mut self, rows: &[OrgRow], at: i64) -> Result<OrgReport, OrgImportError> {
        let mut refused = None;
        let report = self.write(|tx| {
            refused = None;
            // One import at a time: each plans against the directory as the last one left it.
            tx.batch_execute("LOCK TABLE org_units IN SHARE ROW EXCLUSIVE MODE")?;
            let kept = units(tx)?;
            let plan = match plan(&kept, rows, kept.len() as i64 + 1) {
                Ok(plan) => plan,
                Err(errors) => {
                    refused = Some(errors);
                    return Ok(OrgReport::default());
                }
            };
            let ids: Vec<i64> = tx
                .query(
                    "SELECT nextval(pg_get_serial_sequence('org_units', 'id'))
                     FROM generate_series(1, $1::bigint)",
                    &[&(plan.added.len() as i64)],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let id_of = |p: ParentId| match p {
                ParentId::Kept(id) => id,
                ParentId::Added(i) => ids[i],
            };
            if !plan.added.is_empty() {
                let a = &plan.added;
                let codes: Vec<&str> = a.iter().map(|u| u.code.as_str()).collect();
                let names: Vec<&str> = a.iter().map(|u| u.name.as_str()).collect();
                let parents: Vec<Option<i64>> = a.iter().map(|u| u.parent.map(id_of)).collect();
                let kinds: Vec<Option<&str>> = a.iter().map(|u| u.kind.as_deref()).collect();
                let emails: Vec<Option<&str>> = a.iter().map(|u| u.email.as_deref()).collect();
                let phones: Vec<Option<&str>> = a.iter().map(|u| u.phone.as_deref()).collect();
                let contacts: Vec<String> = a.iter().map(|u| contacts_json(&u.contacts)).collect();
                // Parents come before their children in the plan, and the rows go in in order,
                // so that the foreign key holds at each row.
                tx.execute(
                    "INSERT INTO org_units
                         (id, code, name, parent_id, kind, email, phone, contacts, created_at,
                          updated_at)
                     SELECT x.id, x.code, x.name, x.parent, x.kind, x.email, x.phone, x.contacts,
                            $9, $9
                     FROM unnest($1::bigint[], $2::text[], $3::text[],
                         $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
                         WITH ORDINALITY AS x (id, code, name, parent, kind, email, phone,
                                               contacts, n)
                     ORDER BY x.n",
                    &[
                        &ids, &codes, &names, &parents, &kinds, &emails, &phones, &contacts, &at,
                    ],
                )?;
                tx.execute(
                    "INSERT INTO org_events (unit_id, at, kind, data)
                     SELECT id, $2, 'added', '{}' FROM unnest($1::bigint[]) AS id",
                    &[&ids, &at],
                )?;
            }
            if !plan.changed.is_empty() {
                let c = &plan.changed;
                let ids: Vec<i64> = c.iter().map(|u| u.id).collect();
                let names: Vec<&str> = c.iter().map(|u| u.name.as_str()).collect();
                let parents: Vec<Option<i64>> = c.iter().map(|u| u.parent.map(id_of)).collect();
                let kinds: Vec<Option<&str>> = c.iter().map(|u| u.kind.as_deref()).collect();
                let emails: Vec<Option<&str>> = c.iter().map(|u| u.email.as_deref()).collect();
                let phones: Vec<Option<&str>> = c.iter().map(|u| u.phone.as_deref()).collect();
                let contacts: Vec<String> = c.iter().map(|u| contacts_json(&u.contacts)).collect();
                let data: Vec<String> = c.iter().map(change_data).collect();
                tx.execute(
                    "UPDATE org_units o SET name = x.name, parent_id = x.parent, kind = x.kind,
                         email = x.email, phone = x.phone, contacts = x.contacts, updated_at = $8
                     FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                                 $6::text[], $7::text[])
                          AS x (id, name, parent, kind, email, phone, contacts)
                     WHERE o.id = x.id",
                    &[
                        &ids, &names, &parents, &kinds, &emails, &phones, &contacts, &at,
                    ],
                )?;
                tx.execute(
                    "INSERT INTO org_events (unit_id, at, kind, data)
                     SELECT x.id, $3, 'changed', x.data
                     FROM unnest($1::bigint[], $2::text[]) AS x (id, data)",
                    &[&ids, &data, &at],
                )?;
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
            let was = units(tx)?.into_iter().find(|u| u.code == code);
            if let Some(unit) = was.as_ref().filter(|u| u.retired_at.is_none()) {
                tx.execute(
                    "UPDATE org_units SET retired_at = $2, updated_at = $2 WHERE id = $1",
                    &[&unit.id, &at],
                )?;
                tx.execute(
                    "INSERT INTO org_events (unit_id, at, kind, data)
                     VALUES ($1, $2, 'retired', '{}')",
                    &[&unit.id, &at],
                )?;
            }
            Ok(was)
        })
    }
}
