//! Passing one period of a report down to the sub-units (转办 / 分解), where the campaign lets
//! its owers do so when they choose (`分解 到 下级` without a time): the county's townships each
//! come to owe the part (`统计表（下级）`) for that period, to the county, by the date the county
//! gives — no later than its own deadline, which stays its own. The parts are then chased by the
//! ladder like any report, and the county's report can be made from their sum.

use chrono::NaiveDate;

use super::{AppError, Office, rights};
use crate::clock::Instant;
use crate::language::campaign::part_of;
use crate::store::{Backend, Change, Key, NewRow, User};

/// Why a report cannot be passed down.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PassDownRefusal {
    /// The campaign does not let its owers pass it down when they choose.
    #[error(
        "{deliverable} is not passed down by its units: the campaign says `分解 到 下级` (without a time) where they may"
    )]
    NotPassable {
        /// The report.
        deliverable: String,
    },
    /// The unit has no unit under it in the campaign.
    #[error("{unit} has no unit under it to pass {deliverable} down to")]
    NoSubUnits {
        /// The unit.
        unit: String,
        /// The report.
        deliverable: String,
    },
    /// The report is not owed now (sent, or waived).
    #[error("{obligation} is not owed now: there is nothing to pass down")]
    NotOwed {
        /// The obligation.
        obligation: String,
    },
    /// A date after the unit's own deadline.
    #[error("the parts' date {due} is after {unit}'s own deadline {deadline}")]
    AfterDeadline {
        /// The unit.
        unit: String,
        /// The date given.
        due: NaiveDate,
        /// The unit's own deadline in force.
        deadline: String,
    },
    /// A date already past.
    #[error("the parts' date {due} is already past (today is {today})")]
    Past {
        /// The date given.
        due: NaiveDate,
        /// Today, in the campaign's zone.
        today: NaiveDate,
    },
}

impl PassDownRefusal {
    /// As the pages say it.
    pub fn zh(&self) -> String {
        match self {
            PassDownRefusal::NotPassable { deliverable } => {
                format!("本专项未允许将{deliverable}分解到下级")
            }
            PassDownRefusal::NoSubUnits { unit, .. } => format!("{unit}没有下级单位，无法分解"),
            PassDownRefusal::NotOwed { .. } => "该事项当前无须报送，不能分解".to_string(),
            PassDownRefusal::AfterDeadline { due, deadline, .. } => {
                format!("下级报送时限{due}晚于本单位的截止日期{deadline}，请提前")
            }
            PassDownRefusal::Past { due, .. } => format!("下级报送时限{due}已过，请另定日期"),
        }
    }
}

impl Office {
    /// The units directly under `key`'s unit that it may pass `key` down to now: where the
    /// campaign lets it (`分解 到 下级` without a time) and none of them owes the part for that
    /// period yet; none otherwise.
    pub fn passable(
        &self,
        store: &dyn Backend,
        key: &Key<'_>,
    ) -> Result<Option<Vec<String>>, AppError> {
        let Ok(part) = store.describe(key.campaign, &part_of(key.deliverable)) else {
            return Ok(None);
        };
        if !part.asks.passed {
            return Ok(None);
        }
        let under: Vec<String> = store
            .unit_tree(part.campaign_id)?
            .into_iter()
            .filter(|(_, parent)| parent.as_deref() == Some(key.unit))
            .map(|(unit, _)| unit)
            .collect();
        let period = key.period.unwrap_or_default();
        let owed = store
            .standings(part.id, period)?
            .into_iter()
            .any(|s| under.contains(&s.unit));
        Ok((!under.is_empty() && !owed).then_some(under))
    }

    /// Passes `key` (a unit's report for a period) down to the units directly under it: each
    /// owes the report's part for that period, to the unit, by `due`. `who` (none: the office's
    /// command line, which names who did it in `by`) must be one who may submit the report.
    pub fn pass_down(
        &self,
        store: &mut dyn Backend,
        (who, by): (Option<&User>, Option<String>),
        key: &Key<'_>,
        due: NaiveDate,
        at: Instant,
    ) -> Result<Vec<Change>, AppError> {
        if let Some(who) = who {
            let item = self.item(&*store, who, key)?;
            if !rights(&*store, who, &item)?.submit {
                return Err(super::rights::forbidden(key.deliverable));
            }
        }
        let part = part_of(key.deliverable);
        let passable = store
            .describe(key.campaign, &part)
            .is_ok_and(|d| d.asks.passed);
        if !passable {
            return Err(PassDownRefusal::NotPassable {
                deliverable: key.deliverable.to_string(),
            }
            .into());
        }
        let (status, _) = store.history(key, at)?;
        let (deadline, zone) = {
            let mut items = store.unit_work(key.unit)?;
            items.retain(|i| {
                i.campaign == key.campaign
                    && i.deliverable == key.deliverable
                    && i.period == key.period.unwrap_or_default()
            });
            let item = items.pop().ok_or_else(|| PassDownRefusal::NotOwed {
                obligation: named(key),
            })?;
            (item.deadline().to_string(), item.zone)
        };
        if !status.is_open() {
            return Err(PassDownRefusal::NotOwed {
                obligation: named(key),
            }
            .into());
        }
        let today = at.in_zone(zone).date_naive();
        if due < today {
            return Err(PassDownRefusal::Past { due, today }.into());
        }
        if deadline.as_str() < due.to_string().as_str() {
            return Err(PassDownRefusal::AfterDeadline {
                unit: key.unit.to_string(),
                due,
                deadline,
            }
            .into());
        }
        let campaign_id = store.campaign_header(key.campaign)?.id;
        let under: Vec<String> = store
            .unit_tree(campaign_id)?
            .into_iter()
            .filter(|(_, parent)| parent.as_deref() == Some(key.unit))
            .map(|(unit, _)| unit)
            .collect();
        if under.is_empty() {
            return Err(PassDownRefusal::NoSubUnits {
                unit: key.unit.to_string(),
                deliverable: key.deliverable.to_string(),
            }
            .into());
        }
        // Late only after the next workday where the day is one the offices are closed (民法典
        // 第二百零三条), as a ledger's row.
        let last = self.calendar.workday_on_or_after(due);
        let due_at = crate::schedule::obligation::end_of_day(zone, last).timestamp();
        let parts: Vec<NewRow> = under
            .into_iter()
            .map(|unit| NewRow {
                unit,
                due_date: due,
                due_at,
                values: Vec::new(),
                files: Vec::new(),
            })
            .collect();
        let by = who.map(|w| w.name.clone()).or(by);
        let meta = self.meta(&*store, key.campaign, at, by, None)?;
        let passed = Key {
            deliverable: &part,
            ..*key
        };
        Ok(store.pass_down(&passed, &parts, meta)?)
    }
}

/// `nanyang-2017 统计表 宛城区 2017-05`.
fn named(key: &Key<'_>) -> String {
    match key.period.filter(|p| !p.is_empty()) {
        Some(p) => format!("{} {} {} {p}", key.campaign, key.deliverable, key.unit),
        None => format!("{} {} {}", key.campaign, key.deliverable, key.unit),
    }
}
