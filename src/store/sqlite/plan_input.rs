//! What the notice planner reads, from SQLite: the owed obligations near an instant and the
//! notices written, folded with the maps of `store/plan_input.rs` (the [`Outbox`](crate::store::Outbox)
//! hands them out).

use super::decode::{Json, Zone};
use super::{Store, StoreError, Threshold, text};
use crate::language::campaign::{Contact, Policy};
use crate::store::deadlines::{SQLITE, owed_between};
use crate::store::owed::CampaignRow;
use crate::store::plan_input::{
    CAMPAIGNS, DELIVERABLES, Owed, OwedRow, PlanMaps, REPORTED_TARGETS, TOLD_OWED, UNITS, Window,
    reviews_sql, tell,
};
use crate::store::{Filter, PlanInput, Written};
use rusqlite::params;
use std::collections::HashMap;
use std::sync::Arc;

/// An [`OwedRow`] from its columns, first in the row.
fn owed_row<'r>(r: &'r rusqlite::Row<'_>) -> Result<OwedRow<'r>, StoreError> {
    Ok(OwedRow {
        id: r.get(0)?,
        campaign_id: r.get(1)?,
        deliverable_id: r.get(2)?,
        unit_id: r.get(3)?,
        period: text(r, 4)?,
        due_date: text(r, 5)?,
        state: text(r, 6)?,
        effective_due_at: r.get(7)?,
    })
}

impl Store {
    pub(super) fn load_plan_input(
        &self,
        (start, end): Window,
        owed_at: Option<Owed>,
        only: &[String],
    ) -> Result<PlanInput, StoreError> {
        let owed_only = owed_at.is_some();
        let mut maps = PlanMaps::default();
        self.campaign_infos(&mut maps)?;
        self.directory(&mut maps)?;
        self.shared_deliverables(&mut maps)?;
        // What was done after the pass's instant had not happened then.
        let mut later = HashMap::new();
        if let Some(Owed::At(as_of)) = owed_at {
            for scope in self.scopes(&Filter::default())? {
                let t = as_of.in_zone(scope.zone).timestamp();
                let overlay = self.overlay(&Filter::default(), &scope, t)?;
                later.extend(overlay.into_iter().map(|(id, then)| (id, (scope.id, then))));
            }
        }
        // Owed obligations are range scans of the covering index under each deadline in the
        // window, and of the few extended; a preview that assumes nothing was submitted reads
        // every active one.
        let sql = if owed_only {
            let owed = owed_between(SQLITE, ("$1", true), "$2", None).replace('$', "?");
            format!(
                "SELECT id, campaign_id, deliverable_id, unit_id, period,
                        coalesce(extended_until, due_date), state, effective_due_at
                 FROM ({owed})"
            )
        } else {
            "SELECT id, campaign_id, deliverable_id, unit_id, period,
                    coalesce(extended_until, due_date), state, effective_due_at
             FROM obligations WHERE active = 1 AND campaign_id IN (SELECT id FROM campaigns)
                 AND effective_due_at BETWEEN ?1 AND ?2"
                .to_string()
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "{sql} ORDER BY campaign_id, effective_due_at, unit_id, deliverable_id, period"
        ))?;
        let mut rows = stmt.query(params![start, end])?;
        let mut candidates = Vec::new();
        while let Some(r) = rows.next()? {
            let row = owed_row(r)?;
            if !later.contains_key(&row.id) {
                candidates.extend(maps.candidate(&row, only)?);
            }
        }
        for (id, (campaign_id, then)) in &later {
            if let Some(row) = then.owed_row(*id, *campaign_id, (start, end)) {
                candidates.extend(maps.candidate(&row, only)?);
            }
            if let Some(row) = then.review_row(*id, *campaign_id, (start, end)) {
                candidates.extend(maps.review_candidate(&row, then.reviewing.as_deref(), only)?);
            }
        }
        // Reviews owed are chased too, of reviewers; a preview that assumes nothing was
        // submitted has none.
        if owed_only {
            let mut stmt = self
                .conn
                .prepare_cached(&reviews_sql("max").replace('$', "?"))?;
            let mut rows = stmt.query(params![start, end])?;
            while let Some(r) = rows.next()? {
                let row = owed_row(r)?;
                if !later.contains_key(&row.id) {
                    let reviewing: Option<String> = r.get(8)?;
                    candidates.extend(maps.review_candidate(&row, reviewing.as_deref(), only)?);
                }
            }
        }
        // What was reported is only known to fall short when the records count, not in a
        // preview that assumes nothing was submitted.
        let mut stmt = self.conn.prepare_cached(REPORTED_TARGETS)?;
        let mut rows = stmt.query(params![start, end])?;
        while owed_only && let Some(r) = rows.next()? {
            candidates.extend(maps.below_candidate(&owed_row(r)?, r.get(8)?, only)?);
        }
        // Who was told of a task that asks for 签收, and has not acknowledged it: its own ladder.
        if let Some(Owed::At(as_of)) = owed_at {
            let t = maps.instant(as_of);
            let mut stmt = self.conn.prepare_cached(&TOLD_OWED.replace('$', "?"))?;
            let told = stmt
                .query_map([t], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
                .collect::<Result<HashMap<i64, (i64, bool)>, _>>()?;
            tell(&mut candidates, &told);
        }
        Ok(maps.input(candidates))
    }

    /// Every campaign: as mails describe it, and as its candidates share it.
    fn campaign_infos(&self, maps: &mut PlanMaps) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(CAMPAIGNS)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let row = CampaignRow {
                key: r.get(1)?,
                title: r.get(2)?,
                doc: r.get(6)?,
                issuer: r.get(5)?,
                office: r.get(4)?,
                office_phone: r.get(8)?,
                templates: r.get(7)?,
            };
            maps.add_campaign(r.get(0)?, r.get::<_, Zone>(3)?.0, row);
        }
        Ok(())
    }

    /// Every unit's mailboxes, and each unit by row id.
    fn directory(&self, maps: &mut PlanMaps) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(UNITS)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let contacts: Vec<Contact> = r.get::<_, Json<_>>(4)?.0;
            let name: Arc<str> = text(r, 2)?.into();
            let (id, campaign) = (r.get(0)?, r.get(1)?);
            maps.add_unit(
                id,
                campaign,
                name,
                r.get(3)?,
                contacts,
                (r.get(5)?, r.get(7)?),
                r.get(6)?,
            );
        }
        Ok(())
    }

    /// Every deliverable, by row id, with what its candidates share.
    fn shared_deliverables(&self, maps: &mut PlanMaps) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(DELIVERABLES)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let json = |i: usize| -> Result<Vec<String>, StoreError> {
                Ok(r.get::<_, Json<Vec<String>>>(i)?.0)
            };
            let lists = [json(4)?, json(5)?, json(6)?, json(7)?];
            let policy = r.get::<_, Json<Policy>>(3)?.0;
            let thresholds = r.get::<_, Option<Json<Vec<Threshold>>>>(8)?;
            let thresholds = thresholds.map(|t| t.0).unwrap_or_default();
            maps.add_deliverable(
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                policy,
                lists,
                thresholds,
                (r.get(9)?, r.get(10)?),
            );
        }
        Ok(())
    }

    /// The keys of the notices already written that go out at `from` or later.
    pub(super) fn sent_notices(&self, from: i64) -> Result<Written, StoreError> {
        let mut sent = Written::default();
        let mut stmt = self.conn.prepare_cached(
            "SELECT obligation_id, stage, due_date, recipient FROM notices WHERE send_at >= ?1",
        )?;
        let mut rows = stmt.query([from])?;
        while let Some(r) = rows.next()? {
            sent.add(r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?));
        }
        Ok(sent)
    }
}
