//! The obligations a holder may see, a page at a time: what the JSON API lists. A page is read
//! by key — the campaign's obligations after a row, in row order — so that the last page of a
//! province's million costs what the first does, and a row recorded between two pages neither
//! shifts nor repeats what the next page gives (an offset would).

use super::{AppError, Office};
use crate::clock::Instant;
use crate::store::{Backend, User, WorkItem};

/// An obligation as the JSON API shows it.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
#[schemars(rename = "Obligation")]
pub struct Visible {
    /// Campaign identifier.
    pub campaign: String,
    /// The deliverable.
    pub deliverable: String,
    /// The owing unit.
    pub unit: String,
    /// Its period.
    pub period: Option<String>,
    /// Its deadline in force.
    pub due_date: String,
    /// Where it stands.
    pub status: crate::store::Status,
}

/// One page of a listing, and where the next one starts.
#[derive(Clone, Debug)]
pub struct Paged<T> {
    /// What this page holds, in row order.
    pub rows: Vec<T>,
    /// The row after which the next page starts; none when this page is the last.
    pub next: Option<i64>,
}

/// The fewest rows read from the store at a time: a holder who sees one row in a thousand
/// makes a page walk further through the campaign, a few hundred rows a step.
const BATCH: usize = 256;

/// The most rows read from the store at a time, whatever the page's length.
const MOST_AT_ONCE: usize = 10_001;

impl Office {
    /// The obligations of `campaign` that `holder` may see, each with its status at `as_of`:
    /// what the pages would show them, decided by the same [`super::rights`] (a unit's own and
    /// those below it, what a reviewing or receiving unit gets, all for a supervisor or the
    /// office). All of them, in row order.
    pub fn visible_obligations(
        &self,
        store: &dyn Backend,
        campaign: &str,
        holder: &User,
        as_of: Instant,
    ) -> Result<Vec<Visible>, AppError> {
        let whole = Slice {
            unit: None,
            after: 0,
            limit: usize::MAX,
        };
        Ok(self
            .visible_page(store, campaign, holder, as_of, &whole)?
            .rows)
    }

    /// The slice `window` of the obligations of `campaign` that `holder` may see, as
    /// [`Office::visible_obligations`] gives them; it says where the next starts when there is
    /// one more to see. A unit named that the holder sees nothing of gives an empty page, as an
    /// unknown one does — except to those who see every unit, who are told a name the records
    /// do not have, with the nearest.
    pub fn visible_page(
        &self,
        store: &dyn Backend,
        campaign: &str,
        holder: &User,
        as_of: Instant,
        window: &Slice<'_>,
    ) -> Result<Paged<Visible>, AppError> {
        // Another office's campaign, known or not, is refused alike.
        if !holder.in_campaign(campaign) {
            return Err(super::rights::forbidden(campaign));
        }
        let header = store.campaign_header(campaign)?;
        if let Some(unit) = window.unit
            && holder.role.sees_all()
        {
            let units = store.unit_tree(header.id)?;
            if !units.iter().any(|(name, _)| name == unit) {
                let names = units.iter().map(|(name, _)| name.as_str());
                let suggestion = crate::language::suggest::did_you_mean(unit, names);
                return Err(
                    crate::store::StoreError::from(crate::store::Refusal::Unknown {
                        kind: "unit",
                        name: unit.to_string(),
                        suggestion,
                    })
                    .into(),
                );
            }
        }
        let at = as_of.in_zone(header.zone).timestamp();
        // One judge for the page: the unit tree is read once, not once an obligation.
        let mut judge = super::Judge::new(store, holder);
        let mut rows: Vec<(i64, Visible)> = Vec::new();
        let mut pages = Batches::new(store, &header, window)?;
        // Read once for the page, however many batches it walks.
        let mut then = super::instant::Overlays::new(store, as_of);
        while let Some(mut work) = pages.next_batch()? {
            then.put(&mut work)?;
            for item in work {
                if !judge.rights(&item)?.see {
                    continue;
                }
                // One more than the page holds: the page is full and there is a next.
                if rows.len() == window.limit {
                    let next = rows.last().map(|(id, _)| *id);
                    return Ok(Paged {
                        rows: rows.into_iter().map(|(_, v)| v).collect(),
                        next,
                    });
                }
                let visible = Visible {
                    campaign: header.key.clone(),
                    status: item.record.status_at(at),
                    deliverable: item.deliverable,
                    unit: item.unit,
                    period: (!item.period.is_empty()).then_some(item.period),
                    due_date: item.extended_until.unwrap_or(item.due_date),
                };
                rows.push((item.id, visible));
            }
        }
        Ok(Paged {
            rows: rows.into_iter().map(|(_, v)| v).collect(),
            next: None,
        })
    }
}

/// Which page of a listing: one unit's obligations or the campaign's, after which row, how many.
#[derive(Clone, Debug)]
pub struct Slice<'a> {
    /// Only this unit's own obligations (not those of the units under it).
    pub unit: Option<&'a str>,
    /// After this row (0: from the first).
    pub after: i64,
    /// At most this many.
    pub limit: usize,
}

/// The campaign's obligations after a row, in row order, a batch at a time.
enum Batches<'a> {
    /// One unit's: read whole by the unit (its own index), the rows after the cursor kept.
    Unit(Option<Vec<WorkItem>>),
    /// The campaign's: read by key, a batch at a time.
    Campaign {
        store: &'a dyn Backend,
        campaign_id: i64,
        after: i64,
        batch: usize,
        done: bool,
    },
}

impl<'a> Batches<'a> {
    fn new(
        store: &'a dyn Backend,
        header: &crate::store::CampaignHeader,
        window: &Slice<'_>,
    ) -> Result<Batches<'a>, AppError> {
        Ok(match window.unit {
            Some(unit) => {
                let mut own: Vec<WorkItem> = store
                    .unit_work(unit)?
                    .into_iter()
                    .filter(|i| i.campaign_id == header.id && i.id > window.after)
                    .collect();
                own.sort_by_key(|i| i.id);
                Batches::Unit(Some(own))
            }
            None => Batches::Campaign {
                store,
                campaign_id: header.id,
                after: window.after,
                batch: window.limit.saturating_add(1).clamp(BATCH, MOST_AT_ONCE),
                done: false,
            },
        })
    }

    /// The next rows, or none when every row was given.
    fn next_batch(&mut self) -> Result<Option<Vec<WorkItem>>, AppError> {
        match self {
            Batches::Unit(own) => Ok(own.take()),
            Batches::Campaign {
                store,
                campaign_id,
                after,
                batch,
                done,
            } => {
                if *done {
                    return Ok(None);
                }
                let work = store.campaign_work(*campaign_id, *after, *batch)?;
                *done = work.len() < *batch;
                match work.last() {
                    Some(last) => *after = last.id,
                    None => return Ok(None),
                }
                Ok(Some(work))
            }
        }
    }
}
