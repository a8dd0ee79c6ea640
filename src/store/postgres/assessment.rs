//! What bulletins and assessments read, on PostgreSQL: the statements of `store::assessment`.

use super::{PgStore, texts};
use crate::store::assessment::{
    ASSESSED, Assessed, CampaignHeader, HEADER, INSERT_INTERVIEW, INTERVIEWS, Interview,
    NewInterview, REPORTED, Reported, TOLD, Told, UNIT_ID, header,
};
use crate::store::lifecycle::unknown_name;
use crate::store::{Assessment, StoreError};

impl Assessment for PgStore {
    /// A campaign's heading and rules; an unknown campaign is refused with the nearest name.
    fn campaign_header(&self, key: &str) -> Result<CampaignHeader, StoreError> {
        self.run(|client| {
            let Some(r) = client.query_opt(HEADER, &[&key])? else {
                let known = texts(client, "SELECT key FROM campaigns", &[])?;
                return Err(unknown_name("campaign", key, &known).into());
            };
            header(
                key,
                r.get(0),
                r.get(1),
                r.get::<_, String>(2).as_str(),
                r.get(3),
                r.get(4),
                r.get(5),
                r.get(6),
                r.get(7),
            )
        })
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
        self.run(|client| {
            let scope = super::queries::scopes(client, &crate::store::Filter::default())?
                .into_iter()
                .find(|s| s.id == campaign_id);
            let overlay = match &scope {
                Some(scope) => super::asof::overlay(client, scope, at, "", &[])?,
                None => crate::store::asof::Overlay::new(),
            };
            let mut out = Vec::new();
            for r in client.query(ASSESSED, &[&campaign_id, &from, &to, &at])? {
                let row = Assessed {
                    unit: r.get(0),
                    deliverable: r.get(1),
                    period: r.get(2),
                    due_date: r.get(3),
                    extended_until: r.get(4),
                    record: super::record(&r, 5, 13)?,
                    returns: r.get(11),
                    reviewer: r.get(14),
                };
                out.push(row.then(overlay.get(&r.get::<_, i64>(12))));
            }
            Ok(out)
        })
    }

    /// Records an interview; an unknown unit is refused with the nearest name.
    fn record_interview(&mut self, interview: &NewInterview<'_>) -> Result<(), StoreError> {
        let campaign = self.campaign_header(interview.campaign)?.id;
        self.write(|tx| {
            let Some(unit) = tx.query_opt(UNIT_ID, &[&campaign, &interview.unit])? else {
                let known = texts(
                    tx,
                    "SELECT name FROM units WHERE campaign_id = $1 ORDER BY id",
                    &[&campaign],
                )?;
                return Err(unknown_name("unit", interview.unit, &known).into());
            };
            let unit: i64 = unit.get(0);
            tx.execute(
                INSERT_INTERVIEW,
                &[
                    &campaign,
                    &unit,
                    &interview.at,
                    &interview.recorded_at,
                    &interview.by,
                    &interview.reason,
                    &interview.note,
                ],
            )?;
            Ok(())
        })
    }

    /// Submissions and accepted reviews of campaign `campaign_id` done in `from ..= to`.
    fn reported(&self, campaign_id: i64, from: i64, to: i64) -> Result<Vec<Reported>, StoreError> {
        self.run(|client| {
            Ok(client
                .query(REPORTED.as_str(), &[&campaign_id, &from, &to])?
                .iter()
                .map(|r| Reported {
                    unit: r.get(0),
                    deliverable: r.get(1),
                    period: r.get(2),
                    kind: r.get(3),
                    at: r.get(4),
                    recorded_at: r.get(5),
                    by: r.get(6),
                    reviewed_late: Reported::late(r.get(7)),
                    reviewer: Reported::reviewer_of(r.get(7), r.get(8)),
                })
                .collect())
        })
    }

    fn told(&self, campaign_id: i64, at: i64) -> Result<Vec<Told>, StoreError> {
        self.run(|client| {
            Ok(client
                .query(TOLD, &[&campaign_id, &at])?
                .iter()
                .map(|r| Told {
                    unit: r.get(0),
                    deliverable: r.get(1),
                    period: r.get(2),
                    asks: r.get(3),
                    told_at: r.get(4),
                    acknowledged_at: r.get(5),
                    closed_at: r.get(6),
                })
                .collect())
        })
    }

    /// The interviews of campaign `campaign_id`, in order.
    fn interviews(&self, campaign_id: i64) -> Result<Vec<Interview>, StoreError> {
        self.run(|client| {
            Ok(client
                .query(INTERVIEWS, &[&campaign_id])?
                .iter()
                .map(|r| Interview {
                    unit: r.get(0),
                    at: r.get(1),
                    by: r.get(2),
                    reason: r.get(3),
                    note: r.get(4),
                })
                .collect())
        })
    }
}
