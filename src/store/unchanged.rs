//! Which deliverables' obligations are exactly as the last sync left them. Each deliverable
//! keeps a digest of the obligations its last sync wrote (unit and period; their deadlines are
//! kept apart, one per period, and compared on their own); a later sync leaves a deliverable
//! whose obligations digest the same alone, so that an edit of a phone number, of one report
//! or of a deadline does not make every obligation of the campaign be compared again.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::schedule::Schedule;

/// Bumped whenever what the digest covers changes, so that no old digest can match.
const VERSION: &str = "rows-2";

/// The digest of each deliverable's rows in `schedule`, by the deliverable's row id.
/// `deliverables` and `units` map the schedule's indices to row ids.
pub(super) fn digests(
    schedule: &Schedule<'_>,
    deliverables: &[i64],
    units: &[i64],
) -> HashMap<i64, String> {
    // SipHash with fixed keys: stable within a build, and a build whose hash differs only makes
    // the next sync compare every row, never skip one that changed.
    let mut hashers: HashMap<i64, std::collections::hash_map::DefaultHasher> = deliverables
        .iter()
        .map(|&id| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            VERSION.hash(&mut h);
            (id, h)
        })
        .collect();
    for (deliverable, period, _, _, owers) in super::sync::rows(schedule) {
        let Some(h) = hashers.get_mut(&deliverables[deliverable]) else {
            continue;
        };
        period.hash(h);
        for unit in owers {
            units[unit].hash(h);
        }
    }
    hashers
        .into_iter()
        .map(|(id, h)| (id, format!("{:016x}", h.finish())))
        .collect()
}
