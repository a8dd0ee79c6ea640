//! What a reviewer's decision does, level by level (`审核 乡镇纪委 然后 县纪委`): an
//! acceptance passes the report to the next level or, at the last, counts it; a return at any
//! level sends it back, naming the level and its reviewer. Part of [`transition`]: the record
//! is under review when these are asked.
//!
//! [`transition`]: super::transition

use serde_json::json;

use super::{Effect, Facts, Refusal, Update};

/// The acceptance of the level deciding, by `by` where a reviewer (not the office) decides:
/// refused unless `by` is that level's reviewer. The reviewer's timeliness is kept with the
/// act, and each level's act names its level and reviewer, so that a bulletin counts a late
/// level against the unit that was late.
pub(super) fn accept(
    facts: &Facts<'_>,
    next_review_due: Option<i64>,
    by: Option<&str>,
    at: i64,
) -> Result<Effect, Refusal> {
    let level = facts.review_level;
    let deciding = facts.reviewers.get(level);
    if let Some(by) = by
        && deciding.map(String::as_str) != Some(by)
    {
        return Err(Refusal::NotThisLevel {
            obligation: facts.obligation.to_string(),
            by: by.to_string(),
            deciding: deciding.cloned().unwrap_or_default(),
        });
    }
    let mut data = json!({
        "reviewed_late": facts.record.reviewed_late(at),
        "level": level + 1,
        "levels": facts.reviewers.len().max(1),
    });
    if let Some(reviewer) = deciding {
        data["reviewer"] = json!(reviewer);
    }
    let effect = |event, data, update| Effect {
        event,
        reason: None,
        data,
        update,
    };
    let Some(next) = facts.reviewers.get(level + 1) else {
        return Ok(effect("review_accepted", data, Update::Accepted));
    };
    // The next level's own time where the office's layer set one; else the deadline in force,
    // and never less than a day after the passing.
    let review_due = next_review_due.unwrap_or_else(|| {
        facts
            .record
            .effective_due_at
            .max(at.saturating_add(super::REVIEW_GRACE))
    });
    data["next"] = json!(next);
    data["review_due_at"] = json!(review_due);
    let level = u8::try_from(level + 1).unwrap_or(u8::MAX);
    Ok(effect(
        "review_passed",
        data,
        Update::Passed { level, review_due },
    ))
}

/// A return at any level: back to the unit, naming the level (where there are several) and
/// its reviewer.
pub(super) fn reject(facts: &Facts<'_>, reason: &str) -> Effect {
    let mut data = json!({});
    if facts.reviewers.len() > 1 {
        data["level"] = json!(facts.review_level + 1);
        data["levels"] = json!(facts.reviewers.len());
    }
    if let Some(reviewer) = facts.reviewers.get(facts.review_level) {
        data["reviewer"] = json!(reviewer);
    }
    Effect {
        event: "review_returned",
        reason: Some(reason.to_string()),
        data,
        update: Update::Reopened,
    }
}

#[cfg(test)]
mod tests {
    use super::super::transition::tests::{DAY, accept, facts, submit};
    use super::super::{Action, Facts, Refusal, State, Update, transition};

    #[test]
    fn a_review_in_levels_passes_each_level_then_counts_and_a_return_names_its_level() {
        let reviewers = ["乡镇纪委".to_string(), "县纪委".to_string()];
        let at_level = |review_level| Facts {
            reviewed: true,
            reviewers: &reviewers,
            review_level,
            ..facts(State::Review)
        };
        let first = transition(&at_level(0), &accept(), 6 * DAY).unwrap();
        assert_eq!(first.event, "review_passed");
        // Passed after the deadline's day 10 would give a day; before it, the deadline.
        assert_eq!(
            first.update,
            Update::Passed {
                level: 1,
                review_due: 10 * DAY
            }
        );
        assert_eq!(first.data["next"], "县纪委");
        assert_eq!(first.data["reviewer"], "乡镇纪委");
        let last = transition(&at_level(1), &accept(), 7 * DAY).unwrap();
        assert_eq!(last.event, "review_accepted");
        assert_eq!(last.update, Update::Accepted);
        assert_eq!(last.data["level"], 2);
        let back = Action::Reject {
            reason: "数据不符".into(),
        };
        let returned = transition(&at_level(1), &back, 7 * DAY).unwrap();
        assert_eq!(returned.update, Update::Reopened);
        assert_eq!(returned.data["reviewer"], "县纪委");
        assert_eq!(returned.data["level"], 2);
        // The level's own time, where the office's layer gave one.
        let timed = Action::Accept {
            next_review_due: Some(8 * DAY),
            by: None,
        };
        // The first level's reviewer, accepting again once it has passed: refused.
        let twice = Action::Accept {
            next_review_due: None,
            by: Some("乡镇纪委".into()),
        };
        assert!(matches!(
            transition(&at_level(1), &twice, 7 * DAY).unwrap_err(),
            Refusal::NotThisLevel { .. }
        ));
        let own = Action::Accept {
            next_review_due: None,
            by: Some("县纪委".into()),
        };
        assert!(transition(&at_level(1), &own, 7 * DAY).is_ok());
        let passed = transition(&at_level(0), &timed, 6 * DAY).unwrap();
        assert_eq!(
            passed.update,
            Update::Passed {
                level: 1,
                review_due: 8 * DAY
            }
        );
        // A submission names who decides first.
        let sent = transition(&Facts { ..at_level(0) }, &submit(true), DAY).unwrap();
        assert_eq!(sent.data["reviewer"], "乡镇纪委");
    }
}
