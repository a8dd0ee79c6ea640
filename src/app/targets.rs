//! Targets with values: each value reported for a target checked against the threshold at its
//! date (千阳: 支出进度 ≥ 30% / 50% / 75% by April / June / September). A value below it is a
//! finding of its own: listed by `duban targets`, red in `status`.

use super::{AppError, Office};
use crate::clock::Instant;
use crate::language::form::num;
use crate::reports::{TargetFinding, TargetState};
use crate::store::{Backend, Filter, Light, StatusRow, TargetValue};

impl Office {
    /// Every target obligation of `campaign` (or of all) with its value, as it stands at
    /// `as_of`.
    pub fn targets(
        &self,
        store: &dyn Backend,
        campaign: Option<&str>,
        as_of: Instant,
    ) -> Result<Vec<TargetFinding>, AppError> {
        let mut values = store.target_values(campaign.unwrap_or(""), None)?;
        if let Some(key) = campaign
            && values.is_empty()
        {
            store.campaign_zone(key)?;
        }
        // A campaign something was done to after `as_of` is read again as it stood then.
        let mut keys: Vec<String> = values.iter().map(|v| v.campaign.clone()).collect();
        keys.dedup();
        for key in keys {
            let header = store.campaign_header(&key)?;
            if store.acted_after(header.id, as_of)?.is_empty() {
                continue;
            }
            let t = as_of.in_zone(header.zone).timestamp();
            let then = store.target_values(&key, Some(t))?;
            values.retain(|v| v.campaign != key);
            values.extend(then);
            // Back in the campaigns' order (each campaign's own order is kept).
            values.sort_by(|a, b| a.campaign.cmp(&b.campaign));
        }
        let mut zones = std::collections::HashMap::new();
        let mut out = Vec::new();
        for v in &values {
            if !zones.contains_key(&v.campaign) {
                zones.insert(v.campaign.clone(), store.campaign_zone(&v.campaign)?);
            }
            let now = as_of.in_zone(zones[&v.campaign]).timestamp();
            if let Some(finding) = finding(v, now) {
                out.push(finding);
            }
        }
        Ok(out)
    }

    /// `status`, with each target whose value fell short counted and turned red.
    pub fn status(
        &self,
        store: &dyn Backend,
        filter: &Filter,
        as_of: Instant,
    ) -> Result<Vec<StatusRow>, AppError> {
        let mut rows = store.status(filter, as_of)?;
        let findings = self.targets(store, None, as_of)?;
        mark_below(&mut rows, &findings);
        Ok(rows)
    }
}

/// Each status row with its targets whose value fell short counted, and turned red.
pub(super) fn mark_below(rows: &mut [StatusRow], findings: &[TargetFinding]) {
    for row in rows.iter_mut() {
        row.below_target = findings
            .iter()
            .filter(|f| {
                f.state == TargetState::BelowTarget
                    && f.campaign == row.campaign
                    && f.unit == row.unit
                    && f.target == row.deliverable
            })
            .count();
        if row.below_target > 0 {
            row.light = Light::Red;
        }
    }
}

/// Where a target obligation stands at `now` (unix seconds), if it has a threshold.
fn finding(v: &TargetValue, now: i64) -> Option<TargetFinding> {
    let threshold = v.thresholds.iter().find(|t| t.period == v.period)?;
    let counted = matches!(v.state.as_str(), "received" | "review");
    let value = v.value.filter(|_| counted);
    let gap = value.map(|x| {
        if threshold.at_least {
            threshold.value - x
        } else {
            x - threshold.value
        }
    });
    let state = match (value, gap) {
        (Some(_), _) if v.state == "review" => TargetState::AwaitingReview,
        (Some(_), Some(g)) if g > 1e-9 => TargetState::BelowTarget,
        (Some(_), _) => TargetState::Met,
        (None, _) if now > v.due_at => TargetState::NotReported,
        (None, _) => TargetState::Pending,
    };
    Some(TargetFinding {
        campaign: v.campaign.clone(),
        target: v.deliverable.clone(),
        unit: v.unit.clone(),
        period: v.period.clone(),
        threshold: format!(
            "{} {}{}",
            if threshold.at_least { "≥" } else { "≤" },
            num(threshold.value),
            threshold.unit.as_deref().unwrap_or("")
        ),
        value,
        gap: gap.map(|g| (g * 1e6).round() / 1e6),
        state,
    })
}
