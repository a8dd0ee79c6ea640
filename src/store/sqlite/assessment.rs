//! What bulletins and assessments read, as SQLite runs the statements of
//! `store/assessment.rs`.

use super::StoreError;
use crate::store::assessment::{
    ASSESSED, HEADER, INSERT_INTERVIEW, INTERVIEWS, REPORTED, TOLD, UNIT_ID, header,
};
use crate::store::lifecycle::unknown_name;
use crate::store::{
    Assessed, Assessment, CampaignHeader, Contents, Filter, Interview, NewInterview, Reported, Told,
};
use rusqlite::OptionalExtension;

impl Assessment for super::Store {
    /// A campaign's heading and rules; an unknown campaign is refused with the nearest name.
    fn campaign_header(&self, key: &str) -> Result<CampaignHeader, StoreError> {
        let found = self
            .conn
            .query_row(HEADER, [key], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get(1)?,
                    r.get::<_, String>(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .optional()?;
        let Some((id, title, zone, office, policy, issuer, doc, scoring)) = found else {
            let mut stmt = self.conn.prepare_cached("SELECT key FROM campaigns")?;
            let known = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            return Err(unknown_name("campaign", key, &known).into());
        };
        header(key, id, title, &zone, office, policy, issuer, doc, scoring)
    }

    /// The obligations of campaign `campaign_id` due in `from ..= to` (dates), by unit, as
    /// they stood at `at` (unix seconds): what was done after it had not happened.
    fn assessed(
        &self,
        campaign_id: i64,
        from: &str,
        to: &str,
        at: i64,
    ) -> Result<Vec<Assessed>, StoreError> {
        let scope = self
            .scopes(&Filter::default())?
            .into_iter()
            .find(|s| s.id == campaign_id);
        let overlay = match &scope {
            Some(scope) => self.overlay(&Filter::default(), scope, at)?,
            None => crate::store::asof::Overlay::new(),
        };
        // SQLite numbers `$N` parameters in the order they first appear (`$4` comes first
        // here); `?N` is numbered as written.
        let mut stmt = self.conn.prepare_cached(&ASSESSED.replace('$', "?"))?;
        let rows = stmt.query_map(rusqlite::params![campaign_id, from, to, at], |r| {
            let row = Assessed {
                unit: r.get(0)?,
                deliverable: r.get(1)?,
                period: r.get(2)?,
                due_date: r.get(3)?,
                extended_until: r.get(4)?,
                record: super::decode::record(r, 5, 13)?,
                returns: r.get(11)?,
                reviewer: r.get(14)?,
            };
            Ok(row.then(overlay.get(&r.get::<_, i64>(12)?)))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records an interview; an unknown unit is refused with the nearest name.
    fn record_interview(&mut self, interview: &NewInterview<'_>) -> Result<(), StoreError> {
        let header = self.campaign_header(interview.campaign)?;
        let unit: Option<i64> = self
            .conn
            .query_row(UNIT_ID, rusqlite::params![header.id, interview.unit], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(unit) = unit else {
            let known: Vec<String> = self
                .unit_tree(header.id)?
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            return Err(unknown_name("unit", interview.unit, &known).into());
        };
        self.conn.execute(
            INSERT_INTERVIEW,
            rusqlite::params![
                header.id,
                unit,
                interview.at,
                interview.recorded_at,
                interview.by,
                interview.reason,
                interview.note
            ],
        )?;
        Ok(())
    }

    fn told(&self, campaign_id: i64, at: i64) -> Result<Vec<Told>, StoreError> {
        let mut stmt = self.conn.prepare_cached(TOLD)?;
        let rows = stmt.query_map(rusqlite::params![campaign_id, at], |r| {
            Ok(Told {
                unit: r.get(0)?,
                deliverable: r.get(1)?,
                period: r.get(2)?,
                asks: r.get(3)?,
                told_at: r.get(4)?,
                acknowledged_at: r.get(5)?,
                closed_at: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The interviews of campaign `campaign_id`, in order.
    fn reported(&self, campaign_id: i64, from: i64, to: i64) -> Result<Vec<Reported>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&REPORTED.replace('$', "?"))?;
        let rows = stmt.query_map(rusqlite::params![campaign_id, from, to], |r| {
            Ok(Reported {
                unit: r.get(0)?,
                deliverable: r.get(1)?,
                period: r.get(2)?,
                kind: r.get(3)?,
                at: r.get(4)?,
                recorded_at: r.get(5)?,
                by: r.get(6)?,
                reviewed_late: Reported::late(&r.get::<_, String>(7)?),
                reviewer: Reported::reviewer_of(&r.get::<_, String>(7)?, r.get(8)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The interviews of campaign `campaign_id`, in order.
    fn interviews(&self, campaign_id: i64) -> Result<Vec<Interview>, StoreError> {
        let mut stmt = self.conn.prepare_cached(INTERVIEWS)?;
        let rows = stmt.query_map([campaign_id], |r| {
            Ok(Interview {
                unit: r.get(0)?,
                at: r.get(1)?,
                by: r.get(2)?,
                reason: r.get(3)?,
                note: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
