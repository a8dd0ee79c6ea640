//! The campaign files and the store together: loading every campaign file that changed since
//! the last sync into the store. A file is recognised as unchanged by a fingerprint of its text,
//! its contacts file, the calendar and how far ahead open-ended cadences are expanded, so an
//! unchanged campaign is not even parsed.

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};

use crate::fsio::{Confinement, Names};
use crate::language::{self, Diagnostic, Sources};
use crate::schedule::{Calendar, compile};
use crate::store::{Backend, Source, StoreError, SyncReport};

/// What happened to one campaign file in a sync.
#[derive(Debug)]
pub enum FileSync {
    /// Synced (or found unchanged).
    Done {
        /// The report.
        report: SyncReport,
        /// Warnings, with the sources to render them.
        warnings: Option<(Sources, Vec<Diagnostic>)>,
    },
    /// The campaign has errors: the store keeps its last good version.
    Invalid {
        /// Its diagnostics.
        sources: Sources,
        /// Errors and warnings.
        diagnostics: Vec<Diagnostic>,
    },
    /// Keeping it up to date would add more than a year of obligations at once, which only
    /// an explicit sync may do: nothing was changed.
    TooFar {
        /// The campaign.
        campaign: String,
        /// The year the records have its open-ended cadences to the end of.
        runs_to: i32,
        /// The year the sync would have taken them to.
        wanted: i32,
    },
    /// It could not be read or stored.
    Failed(SyncFailed),
}

/// Why a campaign file could not be read or stored.
#[derive(Debug, thiserror::Error)]
pub enum SyncFailed {
    /// The records failed or refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file could not be read.
    #[error(transparent)]
    Read(#[from] language::load::ReadError),
    /// The file is not one a campaign may be (it holds a secret).
    #[error("{}: {refused}", path.display())]
    Confined {
        /// The file.
        path: PathBuf,
        /// Why.
        refused: crate::fsio::Confined,
    },
    /// The campaign's templates folder cannot be used.
    #[error("{}: templates folder `{folder}`: {refused}", path.display())]
    Templates {
        /// The campaign file.
        path: PathBuf,
        /// The folder as the campaign names it.
        folder: String,
        /// Why.
        refused: crate::fsio::Confined,
    },
}

impl SyncFailed {
    /// What would fix it, if anything is known.
    pub fn help(&self) -> Option<String> {
        match self {
            SyncFailed::Store(e) => e.help(),
            _ => None,
        }
    }
}

/// The `*.campaign` files of `paths` (folders are searched, files taken as they are).
pub fn campaign_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "campaign"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// How far open-ended cadences are kept in the store: to the end of the year after `today`'s
/// (or after the campaign's, if later).
pub fn horizon_year(today: NaiveDate) -> i32 {
    today.year() + 1
}

/// The campaign files' surroundings: the calendar, and the office's contacts file (from
/// `duban.toml`) for campaigns that name none.
#[derive(Clone, Copy)]
pub struct Surroundings<'a> {
    /// The holiday calendar.
    pub calendar: &'a Calendar,
    /// The office's contacts file, if any (absolute, as `Config` gives it).
    pub shared_contacts: Option<&'a Path>,
    /// Where the files a campaign names may be.
    pub confinement: &'a Confinement,
    /// How the records name files: relative to the workspace.
    pub names: &'a Names,
    /// Whether a deliverable with history may vanish from a campaign (`--accept-removals`).
    pub accept_removals: bool,
    /// Whether the sync may carry open-ended cadences more than a year past where the records
    /// have them (only `duban sync` may: any other command doing so is a rehearsal's records
    /// met by today's clock).
    pub catch_up: bool,
}

/// Syncs one campaign file into `store`.
pub fn sync_file(
    store: &mut dyn Backend,
    path: &Path,
    around: Surroundings<'_>,
    today: NaiveDate,
    now: i64,
) -> (PathBuf, FileSync) {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let result = sync_inner(store, &path, around, today, now);
    (path, result.unwrap_or_else(FileSync::Failed))
}

fn sync_inner(
    store: &mut dyn Backend,
    path: &Path,
    around: Surroundings<'_>,
    today: NaiveDate,
    now: i64,
) -> Result<FileSync, SyncFailed> {
    let calendar = around.calendar;
    let names = around.names;
    // The shared contacts file as the records name it, so that a copy of the workspace has
    // the same fingerprints (its path is what it reads).
    let shared_name = around.shared_contacts.map(|p| names.name(p));
    let shared_name = shared_name.as_deref();
    let shared_path = around.shared_contacts.map(|p| p.to_string_lossy());
    let shared_path = shared_path.as_deref();
    let name = path.display().to_string();
    // How the records name this file: relative to the workspace.
    let key = names.name(path);
    // The horizon only ever grows, so that asking about the past never forgets the future.
    let recorded = store.recorded_source(&key)?;
    // Recorded under an absolute name (an older duban's, or the original's of a copied
    // workspace): synced again, so that its files are named relative to this workspace.
    let renamed = recorded.as_ref().is_some_and(|r| r.path != key);
    let contacts_path = |r: &crate::store::Recorded| {
        r.contacts
            .as_deref()
            .map(|c| names.path(c).display().to_string())
    };
    let year = horizon_year(today).max(recorded.as_ref().map_or(0, |r| r.horizon_year));
    let unchanged = |r: &crate::store::Recorded| FileSync::Done {
        report: SyncReport {
            campaign: r.campaign.clone(),
            outcome: crate::store::SyncOutcome::Unchanged,
        },
        warnings: None,
    };
    // Same sizes and times as last time (and the same directory, for a campaign that takes
    // units from it): not even read.
    // The directory is read at most once per file, when the campaign uses it.
    let mut read_directory: Option<(Vec<language::directory::DirEntry>, String)> = None;
    if let Some(r) = &recorded
        && !renamed
        && r.horizon_year >= year
    {
        let mut stat = stat_of(path, contacts_path(r).as_deref(), shared_name);
        if r.stat
            .as_deref()
            .is_some_and(|s| s.contains(DIRECTORY_MARK))
        {
            let (_, digest) = read_directory.insert(directory_of(store)?);
            stat += &format!("{DIRECTORY_MARK}{digest}");
        }
        if r.stat.as_deref() == Some(stat.as_str()) {
            return Ok(unchanged(r));
        }
    }
    around
        .confinement
        .not_secret(path)
        .map_err(|refused| SyncFailed::Confined {
            path: path.to_path_buf(),
            refused,
        })?;
    let text = language::load::read_campaign(path)?;
    let (directory, directory_digest) = match read_directory {
        Some(read) if language::directory::may_use(&text) => read,
        None if language::directory::may_use(&text) => directory_of(store)?,
        _ => (Vec::new(), String::new()),
    };
    if let Some(r) = recorded.as_ref().filter(|_| !renamed) {
        let contacts_text = contacts_path(r)
            .as_deref()
            .map(read_or_empty)
            .unwrap_or_default()
            + &directory_digest;
        if r.fingerprint == fingerprint_of(&text, &contacts_text, shared_name, calendar)
            && r.horizon_year >= year
        {
            // Touched but not changed.
            let mut stat = stat_of(path, contacts_path(r).as_deref(), shared_name);
            if !directory_digest.is_empty() {
                stat += &format!("{DIRECTORY_MARK}{directory_digest}");
            }
            let _ = store.record_stat(&key, &stat);
            return Ok(unchanged(r));
        }
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let mut contacts_used: Option<(PathBuf, String)> = None;
    let loaded = language::load_text(
        &name,
        &text,
        shared_path,
        |file| {
            let (full, contents) =
                language::load::read_contacts(base, file, shared_path, around.confinement)?;
            contacts_used = Some((full, contents.clone()));
            Ok(contents)
        },
        &directory,
    );
    let Some(campaign) = &loaded.campaign else {
        return Ok(FileSync::Invalid {
            sources: loaded.sources,
            diagnostics: loaded.diagnostics,
        });
    };
    let horizon = NaiveDate::from_ymd_opt(year, 12, 31).map(|h| h.max(campaign.default_horizon()));
    let schedule = match compile(campaign, calendar, horizon) {
        Ok(s) => s,
        Err(errors) => {
            let mut diagnostics = loaded.diagnostics.clone();
            diagnostics.extend(errors);
            return Ok(FileSync::Invalid {
                sources: loaded.sources,
                diagnostics,
            });
        }
    };
    if let Some(r) = &recorded
        && !around.catch_up
        && r.horizon_year > 0
        && carried_too_far(&schedule, r.horizon_year)
    {
        return Ok(FileSync::TooFar {
            campaign: r.campaign.clone(),
            runs_to: r.horizon_year,
            wanted: year,
        });
    }
    let contacts_text = contacts_used.as_ref().map(|c| c.1.as_str()).unwrap_or("");
    let templates = match &campaign.templates {
        Some(t) => Some(
            around
                .confinement
                .resolve(base, t)
                .map_err(|refused| SyncFailed::Templates {
                    path: path.to_path_buf(),
                    folder: t.clone(),
                    refused,
                })
                .map(|folder| names.name(&folder))?,
        ),
        None => None,
    };
    let source = Source {
        names: names.clone(),
        accept_removals: around.accept_removals,
        path: key,
        contacts: contacts_used.as_ref().map(|c| names.name(&c.0)),
        fingerprint: fingerprint_of(
            &text,
            &format!("{contacts_text}{directory_digest}"),
            shared_name,
            calendar,
        ),
        horizon_year: year,
        templates,
        stat: stat_of(
            path,
            contacts_used
                .as_ref()
                .map(|c| c.0.to_string_lossy())
                .as_deref(),
            shared_name,
        ) + &if directory_digest.is_empty() {
            String::new()
        } else {
            format!("{DIRECTORY_MARK}{directory_digest}")
        },
    };
    let report = store.sync(&schedule, &source, now)?;
    let mut warnings = loaded.diagnostics.clone();
    warnings.extend(schedule.warnings.iter().cloned());
    Ok(FileSync::Done {
        report,
        warnings: (!warnings.is_empty()).then(|| (loaded.sources.clone(), warnings)),
    })
}

/// What a campaign's recorded stat carries after its files' when it takes units from the
/// office's directory: the directory's digest, so that a change to it syncs the campaign again.
const DIRECTORY_MARK: &str = " directory:";

/// The office's directory as campaigns read it, and its digest.
fn directory_of(
    store: &dyn Backend,
) -> Result<(Vec<language::directory::DirEntry>, String), SyncFailed> {
    let entries = crate::store::organisation::entries(&store.org_units()?);
    let digest = crate::store::organisation::digest(&entries);
    Ok((entries, digest))
}

/// Whether `schedule` has obligations of open-ended cadences more than a year past the end of
/// `runs_to`, where the records have them: a campaign whose every date is written out is
/// never carried anywhere by the clock.
fn carried_too_far(schedule: &crate::schedule::Schedule<'_>, runs_to: i32) -> bool {
    let Some(next_end) = NaiveDate::from_ymd_opt(runs_to + 1, 12, 31) else {
        return false;
    };
    let limit = next_end.max(schedule.campaign.default_horizon());
    schedule.entries.iter().any(|e| e.occurrence.due > limit)
}

/// `size:modified` of the campaign file and of the contacts file it used, and which shared
/// contacts file the configuration names (a campaign with none of its own would use it).
fn stat_of(path: &Path, contacts: Option<&str>, shared: Option<&str>) -> String {
    let one = |p: &Path| match std::fs::metadata(p) {
        Ok(m) => {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}:{modified}", m.len())
        }
        Err(_) => "-".to_string(),
    };
    let own = match contacts {
        Some(c) => format!("{} {}", one(path), one(Path::new(c))),
        None => one(path),
    };
    format!("{own} shared={}", shared.unwrap_or("-"))
}

fn read_or_empty(path: &str) -> String {
    crate::fsio::read_text(Path::new(path), crate::fsio::limits::CONTACTS).unwrap_or_default()
}

/// A digest of everything a campaign's stored schedule depends on, but the horizon: its text,
/// the contacts it used, the shared contacts file configured, the calendar.
fn fingerprint_of(text: &str, contacts: &str, shared: Option<&str>, calendar: &Calendar) -> String {
    let mut hasher = Sha256::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(crate::store::schema::LATEST.to_le_bytes());
    hasher.update((text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
    hasher.update((contacts.len() as u64).to_le_bytes());
    hasher.update(contacts.as_bytes());
    let shared = shared.unwrap_or("");
    hasher.update((shared.len() as u64).to_le_bytes());
    hasher.update(shared.as_bytes());
    hasher.update(calendar.fingerprint().as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
