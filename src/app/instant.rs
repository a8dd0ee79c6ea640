//! What the use cases read of obligations, as it stood at an instant: the lists read from the
//! latest records (a unit's work, a reviewer's queue) with the
//! obligations something was done to afterwards put back as they were then. The listings of
//! the store (`overdue`, `due`, `status`, `history`, `assessed`, a pass's plan) do the same on
//! their own.

use std::collections::HashMap;

use super::AppError;
use crate::clock::Instant;
use crate::store::{Backend, Overlay, State, WorkItem};

/// The overlays of the campaigns asked for so far, each read once: kept by whoever puts
/// several batches of items as they stood at one instant (a listing's pages).
pub(super) struct Overlays<'s> {
    store: &'s dyn Backend,
    as_of: Instant,
    read: HashMap<i64, Overlay>,
}

impl<'s> Overlays<'s> {
    pub(super) fn new(store: &'s dyn Backend, as_of: Instant) -> Overlays<'s> {
        Overlays {
            store,
            as_of,
            read: HashMap::new(),
        }
    }

    fn of(&mut self, campaign_id: i64) -> Result<&Overlay, AppError> {
        if !self.read.contains_key(&campaign_id) {
            let overlay = self.store.acted_after(campaign_id, self.as_of)?;
            self.read.insert(campaign_id, overlay);
        }
        Ok(&self.read[&campaign_id])
    }
}

/// Puts `items` as they stood at `as_of`.
pub(super) fn work_at(
    store: &dyn Backend,
    items: &mut [WorkItem],
    as_of: Instant,
) -> Result<(), AppError> {
    Overlays::new(store, as_of).put(items)
}

impl Overlays<'_> {
    /// Puts `items` as they stood at the overlays' instant.
    pub(super) fn put(&mut self, items: &mut [WorkItem]) -> Result<(), AppError> {
        for item in items {
            self.put_one(item)?;
        }
        Ok(())
    }

    fn put_one(&mut self, item: &mut WorkItem) -> Result<(), AppError> {
        if let Some(then) = self.of(item.campaign_id)?.get(&item.id) {
            item.record = then.record;
            item.extended_until = then.extended_until.clone();
            if then.reviewing.is_some() {
                item.reviewer = then.reviewing.clone();
            }
            // The reason shown is a return's: none where it was not returned then.
            if then.record.state != State::Returned {
                item.reason = None;
            }
        }
        Ok(())
    }
}
