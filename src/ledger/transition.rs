//! What an action does to an obligation: the event it appends and the change to its record,
//! or the refusal. Pure: the store reads the facts first and saves the effect after.

use std::path::PathBuf;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde_json::json;

use super::{Record, Refusal, State};
use crate::clock::to_unix;
use crate::schedule::obligation::end_of_day;

/// A signature on a submission.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Signature {
    /// Who signed.
    pub name: String,
    /// As what (村书记).
    pub role: String,
}

/// A file to keep with a submission: where to read it, and the name it is kept under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// Where it is now.
    pub path: PathBuf,
    /// Its name as the person who submitted it called it (the file's own name, or an
    /// upload's); shown and offered back, never used as a path.
    pub name: String,
}

impl Upload {
    /// The file at `path`, kept under its own name.
    pub fn at(path: PathBuf) -> Upload {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Upload { path, name }
    }
}

/// A submission.
#[derive(Clone, Debug, Default)]
pub struct Submission {
    /// Files to keep with it.
    pub files: Vec<Upload>,
    /// Its signatures.
    pub signatures: Vec<Signature>,
    /// Replace an earlier submission.
    pub replace: bool,
    /// The values of its form's fields, checked.
    pub values: Vec<crate::values::FieldValue>,
    /// When its review is due, where the campaign gives the reviewer a time of their own
    /// (`审核时限`, counted from the submission on the calendar): set by the office's layer,
    /// which has the calendar; kept with the event so that the record at any instant knows it.
    pub review_due_at: Option<i64>,
}

/// What to do to an obligation.
#[derive(Clone, Debug)]
pub enum Action {
    /// Record a submission.
    Submit(Submission),
    /// The reviewer at the level deciding accepts the submission under review: where the
    /// campaign declares a later level (`审核 乡镇纪委 然后 县纪委`) it passes to that level's
    /// reviewer, else it is counted.
    Accept {
        /// When the next level's review is due, where the campaign gives reviewers a time of
        /// their own (`审核时限`, counted on the calendar from the passing: set by the office's
        /// layer, which has the calendar); without one, the deadline in force, and never less
        /// than [`REVIEW_GRACE`](super::REVIEW_GRACE) after the passing.
        next_review_due: Option<i64>,
        /// The reviewing unit that decides, where a reviewer (not the office) does: refused
        /// unless it is the one deciding at the level the records are at when the act is
        /// saved — so that a second click, or a second node, never passes the next level too.
        by: Option<String>,
    },
    /// The reviewer sends it back.
    Reject {
        /// Why.
        reason: String,
    },
    /// The receiving office returns it (退回): it is owed again.
    Return {
        /// Why.
        reason: String,
    },
    /// A new deadline (延期).
    Extend {
        /// The new last day.
        until: NaiveDate,
        /// Why.
        reason: String,
    },
    /// Excused (免报).
    Waive {
        /// Why.
        reason: String,
    },
    /// New values for an owed ledger row (整改中): progress recorded, still owed.
    Update {
        /// The row's values after the change (all of them).
        values: Vec<crate::values::FieldValue>,
    },
    /// The unit acknowledges the task (签收): the time it did so is kept, the record unchanged;
    /// only what is still owed is acknowledged.
    Acknowledge,
    /// The unit asks for more time (申请延期): until a day, for a reason; the record unchanged
    /// until the office grants it (an [`Action::Extend`]) or declines it. Asked before the
    /// deadline only.
    AskExtension {
        /// The day asked for.
        until: NaiveDate,
        /// Why.
        reason: String,
    },
    /// The office declines a unit's request for more time, for a reason: the record unchanged.
    DeclineExtension {
        /// Why.
        reason: String,
    },
    /// The office chased the unit for it (一键催办): a note in its history, the record
    /// unchanged; only what is still owed can be chased.
    Chase {
        /// Whether the office chased again on a day it had already chased (the layer above
        /// allows once a day otherwise).
        forced: bool,
    },
}

/// What a transition needs to know of an obligation.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    /// How the user names it: `nanyang-2017 统计表 宛城区 2017-05`.
    pub obligation: &'a str,
    /// Its record.
    pub record: Record,
    /// Whether it is still in its campaign file.
    pub active: bool,
    /// Whether its deliverable asks for review.
    pub reviewed: bool,
    /// Who reviews it, level by level (`审核 乡镇纪委 然后 县纪委`): the units' names, resolved
    /// for its unit; one for a single review, none where it is not reviewed.
    pub reviewers: &'a [String],
    /// The level deciding while it is under review (0: the first).
    pub review_level: usize,
    /// The roles that must sign a submission.
    pub signers: &'a [String],
    /// Its campaign's zone, where a deadline's day ends.
    pub zone: Tz,
    /// The deadline in force, as units are told it.
    pub due_date: &'a str,
    /// When the latest act on it was done, if any: an act may not be dated before it.
    pub last_act_at: Option<i64>,
}

/// What a transition does: the event appended to the history, and the change to the record.
#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    /// The event's kind (`submitted`, `review_accepted`, `returned`, …).
    pub event: &'static str,
    /// Why, for decisions that give a reason.
    pub reason: Option<String>,
    /// What else the event records.
    pub data: serde_json::Value,
    /// The change to the record.
    pub update: Update,
}

/// A change to an obligation's record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Update {
    /// Submitted at `at`: it is no longer owed from then.
    Submitted {
        /// `review` or `received`.
        state: State,
        /// When.
        at: i64,
        /// When its review is due, if the reviewer has a time of their own.
        review_due: Option<i64>,
    },
    /// The reviewer accepted it: counted.
    Accepted,
    /// A level of its review accepted it and passed it to the next (`level`, counted from 0),
    /// whose review is due at `review_due`; still under review. The next reviewer's name is the
    /// event's `next`.
    Passed {
        /// The level now deciding.
        level: u8,
        /// When its review is due.
        review_due: i64,
    },
    /// Sent back: owed again.
    Reopened,
    /// A later deadline.
    Extended {
        /// The new last day.
        until: NaiveDate,
        /// The instant it becomes late.
        effective_due_at: i64,
    },
    /// Excused from `at`.
    Waived {
        /// When.
        at: i64,
    },
    /// Nothing of the record changes (the action's values, if it has any, are kept).
    Values,
}

/// What `action` at `at` (unix seconds) does to the obligation `facts` describe.
pub fn transition(facts: &Facts<'_>, action: &Action, at: i64) -> Result<Effect, Refusal> {
    let obligation = facts.obligation.to_string();
    if !facts.active {
        return Err(Refusal::Removed { obligation });
    }
    // An act dated before the last one would rewrite what the record said in between: every
    // answer "as of T" replays the acts in the order they were recorded.
    if let Some(last) = facts.last_act_at
        && at < last
    {
        let time = |t: i64| {
            crate::clock::from_unix(t)
                .with_timezone(&facts.zone)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        };
        return Err(Refusal::BeforeLastAct {
            obligation,
            at: time(at),
            last: time(last),
        });
    }
    let state = facts.record.state;
    let status = facts.record.status_at(at);
    let effect = |event, reason: Option<&String>, data, update| Effect {
        event,
        reason: reason.cloned(),
        data,
        update,
    };
    match action {
        Action::Submit(submission) => {
            match state {
                State::Waived => return Err(Refusal::Waived { obligation }),
                State::Review | State::Received if !submission.replace => {
                    return Err(Refusal::AlreadySubmitted { obligation });
                }
                _ => {}
            }
            check_signatures(facts, &submission.signatures)?;
            let mut data = json!({
                "signatures": submission.signatures,
                "replaces": submission.replace && facts.record.closed_at.is_some(),
            });
            let (state, review_due) = if facts.reviewed {
                (State::Review, submission.review_due_at)
            } else {
                (State::Received, None)
            };
            if let Some(due) = review_due {
                data["review_due_at"] = json!(due);
            }
            // Who decides first, kept with the act: the record as of any instant names who
            // was deciding then, whatever the campaign says later.
            if let Some(first) = facts.reviewers.first().filter(|_| facts.reviewed) {
                data["reviewer"] = json!(first);
            }
            Ok(effect(
                "submitted",
                None,
                data,
                Update::Submitted {
                    state,
                    at,
                    review_due,
                },
            ))
        }
        Action::Update { .. } => match state {
            State::Open | State::Returned => Ok(effect("updated", None, json!({}), Update::Values)),
            _ => Err(Refusal::NotOwed { obligation, status }),
        },
        Action::Chase { forced } => match state {
            State::Open | State::Returned => Ok(effect(
                "chased",
                None,
                json!({ "forced": forced }),
                Update::Values,
            )),
            _ => Err(Refusal::NotOwed { obligation, status }),
        },
        Action::Acknowledge => match state {
            State::Open | State::Returned => {
                Ok(effect("acknowledged", None, json!({}), Update::Values))
            }
            _ => Err(Refusal::NotOwed { obligation, status }),
        },
        Action::AskExtension { until, reason } => {
            if facts.record.closed_at.is_some() {
                return Err(Refusal::NotOwed { obligation, status });
            }
            if at >= facts.record.effective_due_at {
                return Err(Refusal::AskedTooLate {
                    obligation,
                    due: facts.due_date.to_string(),
                });
            }
            let asked_end = to_unix(end_of_day(facts.zone, *until).to_utc());
            if asked_end <= facts.record.effective_due_at {
                return Err(Refusal::NotLater {
                    until: *until,
                    current: facts.due_date.to_string(),
                });
            }
            let data = json!({ "from": facts.due_date, "until": until.to_string() });
            Ok(effect(
                "extension_asked",
                Some(reason),
                data,
                Update::Values,
            ))
        }
        Action::DeclineExtension { reason } => {
            if facts.record.closed_at.is_some() {
                return Err(Refusal::NotOwed { obligation, status });
            }
            Ok(effect(
                "extension_declined",
                Some(reason),
                json!({}),
                Update::Values,
            ))
        }
        Action::Accept { .. } | Action::Reject { .. } if state != State::Review => {
            Err(Refusal::NotUnderReview { obligation, status })
        }
        Action::Accept {
            next_review_due,
            by,
        } => super::review::accept(facts, *next_review_due, by.as_deref(), at),
        Action::Reject { reason } => Ok(super::review::reject(facts, reason)),
        Action::Return { reason } => match state {
            State::Received | State::Review => Ok(effect(
                "returned",
                Some(reason),
                json!({}),
                Update::Reopened,
            )),
            _ => Err(Refusal::NothingToReturn { obligation, status }),
        },
        Action::Extend { until, reason } => {
            if facts.record.closed_at.is_some() {
                return Err(Refusal::NotOwed { obligation, status });
            }
            let effective_due_at = to_unix(end_of_day(facts.zone, *until).to_utc());
            if effective_due_at <= facts.record.effective_due_at {
                return Err(Refusal::NotLater {
                    until: *until,
                    current: facts.due_date.to_string(),
                });
            }
            let data = json!({ "from": facts.due_date, "until": until.to_string() });
            let update = Update::Extended {
                until: *until,
                effective_due_at,
            };
            Ok(effect("extended", Some(reason), data, update))
        }
        Action::Waive { reason } => match state {
            State::Waived => Err(Refusal::AlreadyWaived { obligation }),
            State::Received => Err(Refusal::SubmittedNotWaivable { obligation }),
            _ => Ok(effect(
                "waived",
                Some(reason),
                json!({}),
                Update::Waived { at },
            )),
        },
    }
}

fn check_signatures(facts: &Facts<'_>, given: &[Signature]) -> Result<(), Refusal> {
    let missing: Vec<String> = facts
        .signers
        .iter()
        .filter(|role| !given.iter().any(|s| &s.role == *role))
        .cloned()
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Refusal::MissingSignatures {
        obligation: facts.obligation.to_string(),
        required: facts.signers.to_vec(),
        missing,
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::ledger::Status;

    pub(in crate::ledger) const DAY: i64 = 86_400;

    pub(in crate::ledger) fn facts(state: State) -> Facts<'static> {
        Facts {
            obligation: "c 月报 甲 2017-05",
            record: Record {
                state,
                submitted_at: None,
                closed_at: matches!(state, State::Received | State::Review | State::Waived)
                    .then_some(5 * DAY),
                due_at: 10 * DAY,
                effective_due_at: 10 * DAY,
                soon_seconds: 3 * DAY,
                review_due: None,
            },
            active: true,
            reviewed: false,
            reviewers: &[],
            review_level: 0,
            signers: &[],
            zone: chrono_tz::UTC,
            due_date: "1970-01-10",
            last_act_at: None,
        }
    }

    pub(in crate::ledger) fn submit(replace: bool) -> Action {
        Action::Submit(Submission {
            replace,
            ..Submission::default()
        })
    }

    #[test]
    fn a_submission_is_counted_or_waits_for_its_reviewer() {
        let effect = transition(&facts(State::Open), &submit(false), DAY).unwrap();
        assert_eq!(effect.event, "submitted");
        assert_eq!(
            effect.update,
            Update::Submitted {
                state: State::Received,
                at: DAY,
                review_due: None,
            }
        );
        let reviewed = Facts {
            reviewed: true,
            ..facts(State::Returned)
        };
        let effect = transition(&reviewed, &submit(false), DAY).unwrap();
        assert!(matches!(
            effect.update,
            Update::Submitted {
                state: State::Review,
                ..
            }
        ));
    }

    pub(in crate::ledger) fn accept() -> Action {
        Action::Accept {
            next_review_due: None,
            by: None,
        }
    }

    #[test]
    fn what_the_records_do_not_allow_is_refused_by_kind() {
        let at = 6 * DAY;
        let refused =
            |state: State, action: Action| transition(&facts(state), &action, at).unwrap_err();
        assert!(matches!(
            refused(State::Waived, submit(true)),
            Refusal::Waived { .. }
        ));
        assert!(matches!(
            refused(State::Received, submit(false)),
            Refusal::AlreadySubmitted { .. }
        ));
        assert_eq!(
            refused(State::Received, accept()),
            Refusal::NotUnderReview {
                obligation: "c 月报 甲 2017-05".into(),
                status: Status::SubmittedLate,
            }
        );
        let reason = || "x".to_string();
        assert!(matches!(
            refused(State::Open, Action::Return { reason: reason() }),
            Refusal::NothingToReturn { .. }
        ));
        assert!(matches!(
            refused(State::Waived, Action::Waive { reason: reason() }),
            Refusal::AlreadyWaived { .. }
        ));
        assert!(matches!(
            refused(State::Received, Action::Waive { reason: reason() }),
            Refusal::SubmittedNotWaivable { .. }
        ));
        let removed = Facts {
            active: false,
            ..facts(State::Open)
        };
        assert!(matches!(
            transition(&removed, &submit(false), at).unwrap_err(),
            Refusal::Removed { .. }
        ));
    }

    #[test]
    fn an_act_is_not_dated_before_the_last_one() {
        let facts = Facts {
            last_act_at: Some(5 * DAY),
            ..facts(State::Open)
        };
        assert!(matches!(
            transition(&facts, &submit(false), 4 * DAY).unwrap_err(),
            Refusal::BeforeLastAct { .. }
        ));
        assert!(transition(&facts, &submit(false), 5 * DAY).is_ok());
    }

    #[test]
    fn an_extension_must_move_the_deadline_later() {
        let extend = |until: NaiveDate| Action::Extend {
            until,
            reason: "r".into(),
        };
        let day = |d| NaiveDate::from_ymd_opt(1970, 1, d).unwrap();
        assert_eq!(
            transition(&facts(State::Open), &extend(day(10)), DAY).unwrap_err(),
            Refusal::NotLater {
                until: day(10),
                current: "1970-01-10".into()
            }
        );
        let effect = transition(&facts(State::Open), &extend(day(12)), DAY).unwrap();
        assert_eq!(
            effect.update,
            Update::Extended {
                until: day(12),
                effective_due_at: 12 * DAY
            }
        );
        assert!(matches!(
            transition(&facts(State::Received), &extend(day(12)), DAY).unwrap_err(),
            Refusal::NotOwed { .. }
        ));
    }

    #[test]
    fn a_missing_signature_names_the_roles_and_the_fix() {
        let signers = ["村书记".to_string(), "驻村领导".to_string()];
        let f = Facts {
            signers: &signers,
            ..facts(State::Open)
        };
        let action = Action::Submit(Submission {
            signatures: vec![Signature {
                name: "张三".into(),
                role: "村书记".into(),
            }],
            ..Submission::default()
        });
        let refusal = transition(&f, &action, DAY).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "c 月报 甲 2017-05 must be signed by 村书记、驻村领导; missing: 驻村领导"
        );
        assert_eq!(
            refusal.help().as_deref(),
            Some("add --signed-by 姓名:驻村领导")
        );
    }
}
