//! The SQLite reads of what the rows of a listing share: units and deliverables, each read once.

use super::StoreError;
use super::decode::Json;
use crate::language::campaign::Contact;
use crate::store::shared::{Shared, SharedDeliverable, SharedUnit, UNITS_ONE_BY_ONE};
use rusqlite::Connection;
use std::sync::Arc;

/// A unit from columns name, email, phone, contacts.
fn shared_unit(r: &rusqlite::Row<'_>) -> rusqlite::Result<SharedUnit> {
    let contacts: Vec<Contact> = r.get::<_, Json<_>>(3)?.0;
    Ok(SharedUnit {
        name: r.get_ref(0)?.as_str()?.into(),
        email: r.get::<_, Option<String>>(1)?.map(Arc::from),
        phone: r.get::<_, Option<String>>(2)?.map(Arc::from),
        contacts: contacts.into(),
    })
}

impl Shared {
    /// Unit `id`, read once: overdue rows come in thousands, their units in hundreds.
    pub(super) fn unit(&mut self, conn: &Connection, id: i64) -> Result<SharedUnit, StoreError> {
        if let Some(unit) = self.units.get(&id) {
            return Ok(unit.clone());
        }
        self.unit_lookups += 1;
        if self.unit_lookups == UNITS_ONE_BY_ONE {
            let mut stmt = conn.prepare_cached(
                "SELECT name, email, phone, contacts, id FROM units WHERE campaign_id = ?1",
            )?;
            let mut rows = stmt.query([self.campaign_id])?;
            while let Some(r) = rows.next()? {
                let unit = shared_unit(r)?;
                self.units.entry(r.get(4)?).or_insert(unit);
            }
            if let Some(unit) = self.units.get(&id) {
                return Ok(unit.clone());
            }
        }
        let mut stmt =
            conn.prepare_cached("SELECT name, email, phone, contacts FROM units WHERE id = ?1")?;
        let unit = stmt.query_row([id], shared_unit)?;
        self.units.insert(id, unit.clone());
        Ok(unit)
    }

    /// Deliverable `id`, read once.
    pub(super) fn deliverable(
        &mut self,
        conn: &Connection,
        id: i64,
    ) -> Result<SharedDeliverable, StoreError> {
        if let Some(deliverable) = self.deliverables.get(&id) {
            return Ok(deliverable.clone());
        }
        let mut stmt =
            conn.prepare_cached("SELECT name, soon_days FROM deliverables WHERE id = ?1")?;
        let deliverable = stmt.query_row([id], |r| {
            Ok(SharedDeliverable {
                name: r.get_ref(0)?.as_str()?.into(),
                soon_days: r.get(1)?,
            })
        })?;
        self.deliverables.insert(id, deliverable.clone());
        Ok(deliverable)
    }
}
