//! Loading a compiled schedule into the store, keyed by the stable identity of each obligation
//! (campaign, deliverable, unit, period). Editing a campaign updates deadlines and adds
//! obligations; one removed from the file is deleted only if nothing ever happened to it, and
//! otherwise kept (inactive) with its history and reported. Syncing the same schedule twice
//! changes nothing.

use super::StoreError;
use crate::clock::to_unix;
use crate::language::campaign::Campaign;
use crate::schedule::Schedule;

/// What a sync did to one campaign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncReport {
    /// The campaign's identifier.
    pub campaign: String,
    /// What changed.
    pub outcome: SyncOutcome,
}

/// What changed in a sync.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncOutcome {
    /// The campaign's files had not changed since the last sync.
    Unchanged,
    /// The obligations were brought in line with the schedule.
    Synced {
        /// Obligations that are new.
        added: usize,
        /// Obligations whose deadline moved.
        changed: usize,
        /// Obligations no longer in the file and with no history: deleted.
        removed: usize,
        /// Obligations no longer in the file but with history: kept, inactive.
        kept: Vec<String>,
        /// Obligations back in the file after having been removed.
        restored: usize,
    },
}

impl SyncOutcome {
    /// What a sync changed, in obligations: added, changed, removed, kept, restored; `None` when
    /// the campaign's files were unchanged.
    pub fn counts(&self) -> Option<[i64; 5]> {
        match self {
            SyncOutcome::Unchanged => None,
            SyncOutcome::Synced {
                added,
                changed,
                removed,
                kept,
                restored,
            } => Some([*added, *changed, *removed, kept.len(), *restored].map(|n| n as i64)),
        }
    }
}

/// Records a sync of campaign `$1` at `$2` from files of fingerprint `$3`, with its counts.
pub(super) const RECORD_SYNC: &str =
    "INSERT INTO syncs (campaign_id, at, fingerprint, added, changed, removed, kept, restored)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Where a campaign came from, to tell an unchanged one without parsing it. Its files are named
/// as [`names`](Self::names) says: relative to the workspace when inside it.
#[derive(Clone, Debug)]
pub struct Source {
    /// How the files are named, and what a name in the records means here.
    pub names: crate::fsio::Names,
    /// The campaign file.
    pub path: String,
    /// The contacts file it names, if any.
    pub contacts: Option<String>,
    /// A digest of everything the schedule depends on, but the horizon.
    pub fingerprint: String,
    /// Open-ended cadences are stored up to the end of this year.
    pub horizon_year: i32,
    /// The campaign's own mail templates folder, resolved.
    pub templates: Option<String>,
    /// Sizes and modification times of the campaign and contacts files, to tell an unchanged
    /// campaign without reading it.
    pub stat: String,
    /// Whether a deliverable may vanish from the campaign though its obligations have history
    /// (`sync --accept-removals`); otherwise the sync is refused, since such a deliverable is
    /// more often renamed than removed.
    pub accept_removals: bool,
}

/// What the store remembers of a campaign's source.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Its fingerprint.
    pub fingerprint: String,
    /// The contacts file it named.
    pub contacts: Option<String>,
    /// The year open-ended cadences were stored up to.
    pub horizon_year: i32,
    /// Its identifier.
    pub campaign: String,
    /// Sizes and modification times of its files when last synced.
    pub stat: Option<String>,
    /// The campaign file as the records name it: the name asked for, or an absolute name
    /// ending in it — the same file where the workspace was when an older duban (which named
    /// files absolutely) synced it, or in the workspace this one was copied from. Such a
    /// campaign is synced again, to name its files relative to this workspace.
    pub path: String,
}

/// Refuses campaign `c` from `source` when another file that still exists, `elsewhere`,
/// declared it first. A name of the records that is this file where the workspace used to be
/// (an absolute name of an older version, or of the workspace this one was copied from) is
/// this file, not another: the sync takes it over and names it relative to this workspace.
pub(super) fn declared_twice(
    c: &Campaign,
    source: &Source,
    elsewhere: Option<String>,
) -> Result<(), StoreError> {
    match elsewhere {
        Some(other) if source.names.same(&other, &source.path) => Ok(()),
        Some(other) if source.names.path(&other).exists() => Err(super::Refusal::DeclaredTwice {
            campaign: c.id.clone(),
            first: source.names.path(&other).display().to_string(),
            second: source.names.path(&source.path).display().to_string(),
        }
        .into()),
        _ => Ok(()),
    }
}

/// The schedule's occurrences as rows: (deliverable, period, due date, due instant, units).
pub(super) fn rows<'s>(
    schedule: &'s Schedule<'_>,
) -> impl Iterator<Item = (usize, String, String, i64, Vec<usize>)> + 's {
    let campaign = schedule.campaign;
    schedule.entries.iter().map(move |entry| {
        let o = &entry.occurrence;
        let period = o
            .period
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let due_at = to_unix(
            crate::schedule::obligation::end_of_day(campaign.zone, o.on_time_until).to_utc(),
        );
        let units = schedule.owers(entry).collect();
        (entry.deliverable, period, o.due.to_string(), due_at, units)
    })
}

/// `统计表 宛城区 2017-05`: an obligation a sync kept, as the report names it.
pub(super) fn kept_name(deliverable: &str, unit: &str, period: &str) -> String {
    if period.is_empty() {
        format!("{deliverable} {unit}")
    } else {
        format!("{deliverable} {unit} {period}")
    }
}

/// A deadline of the schedule: (deliverable, period, due date, due instant), one per
/// deliverable and period.
pub(super) type Deadline = (usize, String, String, i64);

/// The schedule's deadlines, each (deliverable, period) once, in schedule order. Two
/// occurrences of one period would share the first's deadline, as their obligations did when
/// each kept its own (the first written won).
pub(super) fn deadlines(schedule: &Schedule<'_>) -> Vec<Deadline> {
    let mut seen = std::collections::HashSet::new();
    rows(schedule)
        .filter_map(|(deliverable, period, due_date, due_at, _)| {
            seen.insert((deliverable, period.clone())).then_some((
                deliverable,
                period,
                due_date,
                due_at,
            ))
        })
        .collect()
}

/// A stored deadline: its row id, due date and due instant, by (deliverable row id, period).
pub(super) type Stored = std::collections::HashMap<(i64, String), (i64, String, i64)>;

/// What a sync writes of the deadlines: those new, and those that moved (row id, old date, new
/// date, new instant). A deadline whose instant moved but not its date (a zone changed) moves
/// without a change in anyone's history, as before deadlines were kept apart.
#[derive(Debug, Default)]
pub(super) struct DeadlinePlan {
    /// (deliverable row id, period, due date, due instant) to insert.
    pub new: Vec<(i64, String, String, i64)>,
    /// (row id, date before, date now, instant now) to update.
    pub moved: Vec<(i64, String, String, i64)>,
}

/// Compares the schedule's deadlines with those stored.
pub(super) fn plan_deadlines(
    schedule: &Schedule<'_>,
    deliverables: &[i64],
    stored: &Stored,
) -> DeadlinePlan {
    let mut plan = DeadlinePlan::default();
    for (deliverable, period, due_date, due_at) in deadlines(schedule) {
        let deliverable = deliverables[deliverable];
        match stored.get(&(deliverable, period.clone())) {
            None => plan.new.push((deliverable, period, due_date, due_at)),
            Some((id, date, at)) if *date != due_date || *at != due_at => {
                plan.moved.push((*id, date.clone(), due_date, due_at))
            }
            Some(_) => {}
        }
    }
    plan
}

/// The campaign's deadlines after a sync brought them in line: each one's row id, and those
/// whose date moved.
#[derive(Debug, Default)]
pub(super) struct Deadlines {
    /// Row ids by (deliverable row id, period).
    pub ids: std::collections::HashMap<(i64, String), i64>,
    /// The row ids of those whose date moved.
    pub moved: std::collections::HashSet<i64>,
    /// Each move (row id, date before, date after), to be kept once the obligations are
    /// merged: the history shows a move to those still in the file after it.
    pub changes: Vec<(i64, String, String)>,
}

impl Deadlines {
    /// The row id of the deadline of `deliverable`'s `period`, which the sync wrote.
    pub fn id(&self, deliverable: i64, period: &str) -> i64 {
        // Every (deliverable, period) of the schedule was written before its obligations.
        self.ids[&(deliverable, period.to_string())]
    }
}

/// What a later sync compares with: the schedule's units, deliverables and deadlines by row
/// id, and the deliverables whose obligations are as the last sync left them.
pub(super) struct Lists<'a> {
    /// Row ids of the schedule's units.
    pub units: &'a [i64],
    /// Row ids of the schedule's deliverables.
    pub deliverables: &'a [i64],
    /// The deadlines, synced.
    pub deadlines: &'a Deadlines,
    /// Deliverables left alone.
    pub same: &'a std::collections::HashSet<i64>,
}

/// Row ids of the schedule's parts its owers pass down when they choose (`分解 到 下级` without
/// a time): what was passed down of them is owed from that act, not from the file, so a sync
/// never finds it gone while the part is still in the file.
pub(super) fn passed_parts(schedule: &Schedule<'_>, lists: &Lists<'_>) -> Vec<i64> {
    schedule
        .campaign
        .deliverables
        .iter()
        .zip(lists.deliverables)
        .filter(|(d, _)| matches!(d.due, crate::language::campaign::Due::Passed))
        .map(|(_, id)| *id)
        .collect()
}

/// How many obligations of the deliverables left alone moved with their deadline: all that
/// owe each moved period, since their obligations are exactly the schedule's.
pub(super) fn moved_unchanged(schedule: &Schedule<'_>, lists: &Lists<'_>) -> usize {
    let mut seen = std::collections::HashSet::new();
    rows(schedule)
        .filter(|(deliverable, period, _, _, _)| {
            let deliverable = lists.deliverables[*deliverable];
            lists.same.contains(&deliverable)
                && lists
                    .deadlines
                    .moved
                    .contains(&lists.deadlines.id(deliverable, period))
                && seen.insert((deliverable, period.clone()))
        })
        .map(|(_, _, _, _, owers)| owers.len())
        .sum()
}
