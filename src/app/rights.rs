//! Rights, decided once: what a person may do with one obligation ([`rights`]), which pages and
//! listings they may open ([`may`]), and in which campaigns. Every route, page, API call and
//! command asks here, against the records — the unit's reviewer, the deliverable's receivers,
//! the unit tree — so that no front end can grant more than these rules. A [`Judge`] asks for
//! many obligations of one person and reads the unit tree once, not once per obligation.

use super::AppError;
use crate::store::{Backend, Role, User, WorkItem};
use std::collections::HashMap;

/// What a person may do with one obligation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Rights {
    /// See it and its history.
    pub see: bool,
    /// Submit for it (its unit's liaison or leader, or a unit above it, or the office).
    pub submit: bool,
    /// Accept it or send it back while under review (its reviewer, or the office).
    pub review: bool,
    /// Return what was received (退回: a unit it is sent to, or the office).
    pub send_back: bool,
    /// Extend its deadline or waive it (the office).
    pub excuse: bool,
    /// Answer its unit's request for more time — grant or decline it (the office, or the unit
    /// the campaign names to answer: `延期 … 由 县纪委 审批`).
    pub answer: bool,
}

/// A page or listing that is not one obligation's: whom it is for is decided here, beside
/// [`rights`], so that every front end asks the same question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// The board (三色看板): supervisors and the office.
    Board,
    /// The overdue list and its downloads: supervisors and the office.
    Overdue,
    /// The bulletin (通报): supervisors and the office.
    Bulletin,
    /// The accounts, and making, disabling, enabling and resetting them: the office.
    Accounts,
    /// The JSON API's tokens, and making and revoking them: the office.
    Tokens,
    /// A reviewing unit's queue: reviewers and the office.
    ReviewQueue,
    /// Recording reports from a clerk's spreadsheet (导入报送记录): the office.
    Import,
    /// Entering a leader's instruction (交办领导批示): the office.
    Instruct,
    /// The organisation's directory (组织机构/通讯录): supervisors and the office see it; the
    /// office that keeps the records (bound to no campaign) edits it.
    Directory,
}

/// Whether `who` may open `page`.
pub fn may(who: &User, page: Page) -> bool {
    match page {
        Page::Board | Page::Overdue | Page::Bulletin => who.role.sees_all(),
        Page::Accounts | Page::Tokens | Page::Import | Page::Instruct => who.role == Role::Office,
        Page::ReviewQueue => matches!(who.role, Role::Reviewer | Role::Office),
        Page::Directory => who.role.sees_all(),
    }
}

/// `page`, or the refusal as forbidden.
pub fn allow(who: &User, page: Page) -> Result<(), AppError> {
    if may(who, page) {
        Ok(())
    } else {
        Err(forbidden(match page {
            Page::Board => "the board",
            Page::Overdue => "the overdue list",
            Page::Bulletin => "the bulletin",
            Page::Accounts => "the accounts",
            Page::Tokens => "the API tokens",
            Page::ReviewQueue => "the review queue",
            Page::Directory => "the directory",
            Page::Import => "recording a spreadsheet of reports",
            Page::Instruct => "entering a leader's instruction",
        }))
    }
}

/// `page`'s acts — making, changing, recording, sending — for `who`: as [`allow`], and never
/// for a read-only token, which reads what its role reads and does nothing (as [`rights`]
/// says of one obligation).
pub fn allow_act(who: &User, page: Page) -> Result<(), AppError> {
    allow(who, page)?;
    if who.read_only {
        return Err(forbidden("acting with a read-only token"));
    }
    Ok(())
}

/// What a person asked to do to an obligation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deed {
    /// Submit.
    Submit,
    /// Accept or send back under review.
    Review,
    /// Return what was received.
    SendBack,
    /// Extend or waive.
    Excuse,
    /// Answer a request for more time.
    Answer,
}

/// Each unit's parent in one campaign.
type Parents = HashMap<String, Option<String>>;

/// Whether `ancestor` is above `unit` in the tree of one campaign, `parents` by unit.
fn is_above(parents: &Parents, ancestor: &str, unit: &str) -> bool {
    let mut current = unit;
    // A tree from the store has no cycles; the bound is a guard, not a rule.
    for _ in 0..parents.len() {
        match parents.get(current).and_then(Option::as_deref) {
            Some(p) if p == ancestor => return true,
            Some(p) => current = p,
            None => return false,
        }
    }
    false
}

/// The campaigns `who` reads on a page of `page`: those `asked` for (each one it acts in), or
/// — none asked — all it acts in (none: every campaign). Anything else is refused.
pub fn campaigns_of(who: &User, page: Page, asked: &[String]) -> Result<Vec<String>, AppError> {
    allow(who, page)?;
    if let Some(outside) = asked.iter().find(|c| !who.in_campaign(c)) {
        return Err(forbidden(outside));
    }
    Ok(if asked.is_empty() {
        who.campaigns.clone()
    } else {
        asked.to_vec()
    })
}

/// What `who` may do with `item`: nothing in a campaign the account does not act in (an
/// account bound to 南阳's campaigns sees nothing of 宜春's, though both have a unit of the
/// same name), else as its role and unit say.
pub fn rights(store: &dyn Backend, who: &User, item: &WorkItem) -> Result<Rights, AppError> {
    Judge::new(store, who).rights(item)
}

/// [`rights`] for many obligations of one person: what judging reads from the records — each
/// campaign's unit tree, each deliverable's approver — is read once and kept while it judges.
pub struct Judge<'a> {
    store: &'a dyn Backend,
    who: &'a User,
    /// Each campaign's tree (by its row id), once read.
    trees: HashMap<i64, Parents>,
    /// Each deliverable's approver of requests for more time, once read.
    approvers: HashMap<(String, String), Option<String>>,
}

impl<'a> Judge<'a> {
    /// A judge of what `who` may do.
    pub fn new(store: &'a dyn Backend, who: &'a User) -> Judge<'a> {
        Judge {
            store,
            who,
            trees: HashMap::new(),
            approvers: HashMap::new(),
        }
    }

    /// What the person may do with `item`, as [`rights`] says.
    pub fn rights(&mut self, item: &WorkItem) -> Result<Rights, AppError> {
        let who = self.who;
        if !who.in_campaign(&item.campaign) {
            return Ok(Rights::default());
        }
        if who.read_only {
            // A read-only token sees what its role and unit see, and does nothing.
            return Ok(Rights {
                see: self.decide(item)?.see,
                ..Rights::default()
            });
        }
        self.decide(item)
    }

    /// What the person's role and unit allow with `item`, read-only or not.
    fn decide(&mut self, item: &WorkItem) -> Result<Rights, AppError> {
        let who = self.who;
        if who.role == Role::Office {
            return Ok(Rights {
                see: true,
                submit: true,
                review: item.reviewer.is_some(),
                send_back: true,
                excuse: true,
                answer: true,
            });
        }
        let own = who.unit.as_deref();
        let reviews = own.is_some() && item.reviewer.as_deref() == own;
        // Every level of a review in levels sees the report, before and after its turn.
        let a_level = own.is_some_and(|u| item.review_levels.iter().any(|r| r == u));
        let receives = own.is_some_and(|u| item.receivers.iter().any(|r| r == u));
        // The unit tree is read only when nothing cheaper decides (a unit two levels down).
        let above = if who.role.sees_all() || (reviews || receives) && who.role == Role::Reviewer {
            false
        } else {
            self.acts_for(item)?
        };
        let reporter = matches!(who.role, Role::Liaison | Role::Leader) && above;
        let reviewer = who.role == Role::Reviewer;
        // The unit the campaign names to answer requests for more time (read only for a
        // reviewer).
        let answer = reviewer && own.is_some() && self.approver(item)?.as_deref() == own;
        Ok(Rights {
            see: who.role.sees_all() || above || reviews || receives || a_level || answer,
            submit: reporter,
            review: reviewer && reviews,
            send_back: reviewer && receives,
            excuse: false,
            answer,
        })
    }

    /// Whether the person acts for `item`'s unit: its own, or one above it.
    fn acts_for(&mut self, item: &WorkItem) -> Result<bool, AppError> {
        let Some(own) = self.who.unit.as_deref() else {
            return Ok(false);
        };
        if own == item.unit || item.parent.as_deref() == Some(own) {
            return Ok(true);
        }
        if !self.trees.contains_key(&item.campaign_id) {
            let tree = self.store.unit_tree(item.campaign_id)?;
            self.trees
                .insert(item.campaign_id, tree.into_iter().collect());
        }
        Ok(is_above(&self.trees[&item.campaign_id], own, &item.unit))
    }

    /// The unit that answers requests for more time of `item`'s deliverable, if it names one.
    fn approver(&mut self, item: &WorkItem) -> Result<Option<String>, AppError> {
        let key = (item.campaign.clone(), item.deliverable.clone());
        if let Some(known) = self.approvers.get(&key) {
            return Ok(known.clone());
        }
        let approver = self
            .store
            .describe(&item.campaign, &item.deliverable)?
            .asks
            .approver;
        self.approvers.insert(key, approver.clone());
        Ok(approver)
    }
}

/// A refusal as forbidden, naming what was asked for.
pub(super) fn forbidden(what: &str) -> AppError {
    AppError::Forbidden {
        what: what.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::is_above;

    fn tree() -> super::Parents {
        [
            ("市", None),
            ("县", Some("市")),
            ("乡", Some("县")),
            ("村", Some("乡")),
        ]
        .into_iter()
        .map(|(n, p)| (n.to_string(), p.map(String::from)))
        .collect()
    }

    #[test]
    fn a_unit_is_above_every_unit_under_it_and_no_other() {
        assert!(is_above(&tree(), "市", "村"));
        assert!(is_above(&tree(), "乡", "村"));
        assert!(!is_above(&tree(), "村", "市"));
        assert!(!is_above(&tree(), "村", "村"));
        assert!(!is_above(&tree(), "别处", "村"));
    }
}
