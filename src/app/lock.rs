//! Entry that closes a while after the deadline (DHIS2's expiry days): a form that says `lock 10d
//! after due` takes no submission later than that, until the office extends the deadline — which
//! moves the lock with it.

use chrono::NaiveDate;

use super::{AppError, Office};
use crate::clock::Instant;
use crate::language::form::Form;
use crate::schedule::obligation::end_of_day;
use crate::store::{Backend, Described, Key};

impl Office {
    /// Refuses a submission at `at` for `units` when `form` locks and their deadline's lock has
    /// passed.
    pub(super) fn refuse_locked(
        &self,
        store: &dyn Backend,
        described: &Described,
        form: &Form,
        key: &Key<'_>,
        units: &[&str],
        at: Instant,
    ) -> Result<(), AppError> {
        let Some(lock) = form.lock else {
            return Ok(());
        };
        let Some(period) = key.period.map(str::to_string).or_else(|| {
            let periods = store.periods(described.id).ok()?;
            (periods.len() == 1).then(|| periods[0].clone())
        }) else {
            return Ok(());
        };
        let zone = store.campaign_zone(key.campaign)?;
        let at = at.in_zone(zone).timestamp();
        for standing in store.standings(described.id, &period)? {
            if !units.contains(&standing.unit.as_str()) {
                continue;
            }
            let Ok(deadline) = NaiveDate::parse_from_str(&standing.due_date, "%Y-%m-%d") else {
                continue;
            };
            let Some(locked) = crate::notices::plan::shift(&self.calendar, deadline, lock, true)
            else {
                continue;
            };
            if end_of_day(zone, locked).timestamp() < at {
                return Err(AppError::Locked {
                    obligation: format!("{} {} {period}", key.deliverable, standing.unit)
                        .trim_end()
                        .to_string(),
                    deadline,
                    locked,
                });
            }
        }
        Ok(())
    }
}
