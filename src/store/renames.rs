//! Renamed and vanished deliverables. A deliverable's name is part of each obligation's
//! identity, so a rename declared with `formerly` renames the stored row (its obligations and
//! their history carry over), and one not declared — a deliverable with history gone from the
//! file — refuses the sync rather than chase every unit that already reported.

use super::StoreError;
use crate::language::campaign::Campaign;

/// The stored deliverables to rename, with their new names: each deliverable not stored under
/// its name but under one it was `formerly` called (the first found). `id_of` finds a stored
/// deliverable by name.
pub(super) fn renamed(
    c: &Campaign,
    mut id_of: impl FnMut(&str) -> Result<Option<i64>, StoreError>,
) -> Result<Vec<(i64, &str)>, StoreError> {
    let mut renames = Vec::new();
    for d in &c.deliverables {
        if d.formerly.is_empty() || id_of(&d.name)?.is_some() {
            continue;
        }
        for old in &d.formerly {
            if let Some(id) = id_of(old)? {
                renames.push((id, d.name.as_str()));
                break;
            }
        }
    }
    Ok(renames)
}

/// Refuses the first of the `stored` deliverables (row, name) gone from campaign `c` whose
/// obligations have history; `history` counts them for a deliverable's row.
pub(super) fn lost_history(
    c: &Campaign,
    stored: Vec<(i64, String)>,
    mut history: impl FnMut(i64) -> Result<i64, StoreError>,
) -> Result<(), StoreError> {
    let current: std::collections::HashSet<&str> =
        c.deliverables.iter().map(|d| d.name.as_str()).collect();
    for (id, name) in stored {
        if current.contains(name.as_str()) {
            continue;
        }
        let obligations = history(id)?;
        if obligations > 0 {
            return Err(StoreError::HistoryWouldBeLost {
                campaign: c.id.clone(),
                deliverable: name,
                obligations,
            });
        }
    }
    Ok(())
}
