//! The lifecycle of an obligation: submitted (and, where the campaign says so, reviewed),
//! returned (退回), extended (延期), waived (免报). Every transition is one transaction that
//! appends an event to the history (who, when, what, why) and updates the obligation's record.
//! A request the records do not allow is refused with the reason and, where there is one, the
//! nearest valid name.

use std::io::Read;

use sha2::{Digest, Sha256};

use super::StoreError;
use crate::language::suggest;
use crate::ledger::{
    Action, Effect, Facts, Record, Refusal, State, Status, Update, Upload, transition,
};
use crate::values::FieldValue;

/// Names an obligation as the user does: campaign, deliverable, unit and, for recurring
/// deliverables, the period.
#[derive(Clone, Copy, Debug)]
pub struct Key<'a> {
    /// Campaign identifier.
    pub campaign: &'a str,
    /// Deliverable name.
    pub deliverable: &'a str,
    /// Unit name.
    pub unit: &'a str,
    /// Period (`2017-05`), for recurring deliverables.
    pub period: Option<&'a str>,
}

/// Who did it, when, and a note.
#[derive(Clone, Debug)]
pub struct Meta {
    /// When it happened (unix seconds).
    pub at: i64,
    /// When it was recorded (unix seconds).
    pub recorded_at: i64,
    /// Who did it.
    pub by: Option<String>,
    /// A note.
    pub note: Option<String>,
}

/// The result of a transition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// `nanyang-2017 统计表 宛城区 2017-05`.
    pub obligation: String,
    /// Status right after.
    pub status: Status,
    /// Its (effective) due date.
    pub due_date: String,
    /// The reviewer it now waits for, if any.
    pub waiting_for: Option<String>,
}

/// An obligation found from a [`Key`].
pub(super) struct Found {
    pub id: i64,
    pub label: String,
    pub zone: chrono_tz::Tz,
    pub state: State,
    pub due_at: i64,
    pub effective_due_at: i64,
    pub due_date: String,
    pub extended_until: Option<String>,
    pub submitted_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub active: bool,
    pub review: Option<String>,
    pub reviewer: Option<String>,
    /// The deliverable's levels of review after the first (JSON names), if any.
    pub review_then: Option<String>,
    /// The level deciding while it is under review (0: the first).
    pub review_level: i64,
    pub signers: Vec<String>,
    pub soon_days: i64,
    /// When the latest act on it was done, if any.
    pub last_act_at: Option<i64>,
    /// When the review of its submission is due, if the reviewer has a time of their own.
    pub review_due: Option<i64>,
}

impl Found {
    pub fn record(&self) -> Record {
        Record {
            state: self.state,
            submitted_at: self.submitted_at,
            closed_at: self.closed_at,
            due_at: self.due_at,
            effective_due_at: self.effective_due_at,
            soon_seconds: self.soon_days * 86_400,
            review_due: self.review_due,
        }
    }

    fn effective_due_date(&self) -> String {
        self.extended_until
            .clone()
            .unwrap_or_else(|| self.due_date.clone())
    }
}

/// The values an action records: a submission's.
pub(super) fn submitted_values(action: &Action) -> &[FieldValue] {
    match action {
        Action::Submit(s) => &s.values,
        Action::Update { values } => values,
        _ => &[],
    }
}

impl Found {
    /// What `action` would do, or why the records do not allow it.
    pub(super) fn effect(&self, action: &Action, at: i64) -> Result<Effect, Refusal> {
        let due_date = self.effective_due_date();
        let reviewers = self.reviewers();
        let facts = Facts {
            obligation: &self.label,
            record: self.record(),
            active: self.active,
            reviewed: self.review.is_some(),
            reviewers: &reviewers,
            review_level: usize::try_from(self.review_level).unwrap_or_default(),
            signers: &self.signers,
            zone: self.zone,
            due_date: &due_date,
            last_act_at: self.last_act_at,
        };
        transition(&facts, action, at)
    }

    /// The obligation after `effect`, as saved: what a second look would find, without one.
    pub(super) fn after(mut self, effect: &Effect) -> Found {
        match effect.update {
            Update::Submitted {
                state,
                at,
                review_due,
            } => {
                self.state = state;
                self.submitted_at = Some(at);
                self.closed_at = Some(at);
                self.review_due = review_due;
                self.review_level = 0;
            }
            Update::Accepted => self.state = State::Received,
            Update::Passed { level, review_due } => {
                self.review_level = i64::from(level);
                self.review_due = Some(review_due);
            }
            Update::Reopened => {
                self.state = State::Returned;
                self.closed_at = None;
                self.review_level = 0;
            }
            Update::Extended {
                until,
                effective_due_at,
            } => {
                self.extended_until = Some(until.to_string());
                self.effective_due_at = effective_due_at;
            }
            Update::Waived { at } => {
                self.state = State::Waived;
                self.closed_at = Some(at);
                self.review_level = 0;
            }
            Update::Values => {}
        }
        self
    }

    /// The obligation as a transition at `at` left it.
    pub(super) fn change(&self, at: i64) -> Change {
        Change {
            obligation: self.label.clone(),
            status: self.record().status_at(at),
            due_date: self.effective_due_date(),
            waiting_for: (self.state == State::Review)
                .then(|| self.reviewing())
                .flatten(),
        }
    }

    /// Who reviews it, level by level, resolved for its unit (none where it is not reviewed).
    pub(super) fn reviewers(&self) -> Vec<String> {
        let first = match self.review.as_deref() {
            Some("reviewer") => self.reviewer.clone(),
            Some(other) => other.strip_prefix("unit:").map(String::from),
            None => return Vec::new(),
        };
        let later: Vec<String> = self
            .review_then
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default();
        first.into_iter().chain(later).collect()
    }

    /// The reviewer deciding now, at its level, while it is under review.
    pub(super) fn reviewing(&self) -> Option<String> {
        let level = usize::try_from(self.review_level).unwrap_or_default();
        self.reviewers().into_iter().nth(level)
    }

    /// The reviewer past the first level, as the row keeps it (`reviewing`): none at the first.
    pub(super) fn reviewing_later(&self) -> Option<String> {
        (self.review_level > 0 && self.state == State::Review)
            .then(|| self.reviewing())
            .flatten()
    }
}

/// Writes one value of a submission: event, obligation, field, its position in the form,
/// number, text, shared key, and the event it was reused from.
pub(super) const INSERT_VALUE: &str = "INSERT INTO field_values
         (event_id, obligation_id, field, position, number, text, shared, reused_from)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// The period `key` names among an obligation's `periods` (`""` for a one-off), or why none.
pub(super) fn choose_period<'k>(
    key: &Key<'k>,
    recurring: bool,
    periods: &[String],
) -> Result<&'k str, Refusal> {
    match (recurring, key.period) {
        (false, None) => Ok(""),
        (false, Some(p)) => Err(Refusal::PeriodOfAOneOff {
            deliverable: key.deliverable.into(),
            period: p.into(),
        }),
        (true, None) => Err(Refusal::PeriodNeeded {
            deliverable: key.deliverable.into(),
            range: range(key.unit, periods),
        }),
        (true, Some(p)) if periods.iter().any(|x| x == p) => Ok(p),
        (true, Some(p)) => {
            let nearest = suggest::nearest_within(p, periods.iter().map(String::as_str), 1);
            let suggestion = nearest.map_or_else(
                || range(key.unit, periods),
                |n| format!("did you mean `{n}`?"),
            );
            Err(Refusal::UnknownPeriod {
                deliverable: key.deliverable.into(),
                unit: key.unit.into(),
                period: p.into(),
                suggestion,
            })
        }
    }
}

/// `nanyang-2017 统计表 宛城区 2017-05`: an obligation as people name it.
pub(super) fn label(key: &Key<'_>, period: &str) -> String {
    if period.is_empty() {
        format!("{} {} {}", key.campaign, key.deliverable, key.unit)
    } else {
        format!("{} {} {} {period}", key.campaign, key.deliverable, key.unit)
    }
}

/// "unknown unit `宛城去`" among `names`, with the nearest one.
pub(super) fn unknown_name(what: &'static str, name: &str, names: &[String]) -> Refusal {
    let help = suggest::did_you_mean(name, names.iter().map(String::as_str)).or_else(|| {
        (what == "campaign").then(|| "run `duban sync` to load the campaign files".to_string())
    });
    Refusal::Unknown {
        kind: what,
        name: name.into(),
        suggestion: help,
    }
}

/// `it is owed by 甲、乙 …`, from the first few units that owe a deliverable.
pub(super) fn owed_by(names: &[String]) -> Option<String> {
    (!names.is_empty()).then(|| format!("it is owed by {} …", names.join("、")))
}

/// `its periods for 宛城区 run from 2017-04 to 2017-12`.
fn range(unit: &str, periods: &[String]) -> String {
    format!(
        "its periods for {unit} run from {} to {}",
        periods[0],
        periods[periods.len() - 1]
    )
}

/// A file kept with a submission.
pub(super) struct StoredFile {
    pub name: String,
    pub sha256: String,
    pub size: i64,
}

/// Reads a submitted file whole, for a store that keeps files in the database: what is named
/// is what was read, within the same size limit.
pub(super) fn read_submission(upload: &Upload) -> Result<(StoredFile, Vec<u8>), StoreError> {
    let path = upload.path.as_path();
    let fail = |source| StoreError::File {
        path: path.to_path_buf(),
        source,
    };
    let mut file =
        crate::fsio::open_regular(path, crate::fsio::limits::SUBMISSION).map_err(fail)?;
    let mut content = Vec::new();
    let (sha256, size) = copy_hashed(&mut file, &mut content).map_err(fail)?;
    let stored = StoredFile {
        name: upload.name.clone(),
        sha256,
        size: i64::try_from(size).unwrap_or(i64::MAX),
    };
    Ok((stored, content))
}

/// Copies `file` to `out`, hashing it as it goes: its SHA-256 (hex) and size. A file that grows
/// past the size limit while it is read is refused.
pub(super) fn copy_hashed(
    file: &mut impl Read,
    out: &mut impl std::io::Write,
) -> std::io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        if size > crate::fsio::limits::SUBMISSION {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "it grew past the size limit while it was read",
            ));
        }
        hasher.update(&buffer[..n]);
        out.write_all(&buffer[..n])?;
    }
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((sha256, size))
}
