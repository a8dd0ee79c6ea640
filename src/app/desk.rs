//! The use cases a signed-in person runs through the web pages: a unit's obligations, one
//! obligation with its history, a reviewer's queue, and acting on an obligation (submit,
//! accept, send back, return, extend, waive) — each as [`super::rights`] allows.

use super::rights::{Deed, Page, Rights, allow, forbidden, may, rights};
use super::{AppError, Office, Said, Submitted};
use crate::clock::Instant;
use crate::language::form::Form;
use crate::reports::UnitCalendar;
use crate::store::{
    Action, Backend, HistoryEvent, Key, Status, Submission, User, WorkItem, worklist::QUEUE_DAYS,
};

/// A unit's page: its obligations the person may see, and its sub-units.
#[derive(Clone, Debug)]
pub struct UnitDesk {
    /// The obligations, by campaign and deadline.
    pub items: Vec<WorkItem>,
    /// The units directly under it, in any campaign.
    pub children: Vec<String>,
    /// The letters the ladder issued it (督办函 and its kin) in the campaigns the person acts
    /// in, newest first.
    pub letters: Vec<crate::store::Letter>,
    /// The campaigns of its items where the person may enter a leader's instruction (批示) for
    /// it: those that keep instructions, to the office.
    pub instructing: Vec<String>,
}

/// One obligation as its page shows it.
#[derive(Clone, Debug)]
pub struct ObligationDesk {
    /// The obligation.
    pub item: WorkItem,
    /// Where it stands.
    pub status: Status,
    /// Every event, in order.
    pub history: Vec<HistoryEvent>,
    /// What the person may do.
    pub rights: Rights,
    /// The form its submissions carry, if any.
    pub form: Option<Form>,
    /// Who answers its unit's requests for more time, where the campaign names a unit
    /// (`由 县纪委 审批`); none: the office.
    pub approver: Option<String>,
    /// Where its report is split to sub-units (`分解 到 下级`) and the person may submit: what
    /// the sub-units' parts add up to, and those not in yet.
    pub parts: Option<super::rollup::Parts>,
    /// A leader's instruction (批示): what it says (批示领导, 批示内容 …), as entered; its
    /// 办结报告 is a file, so [`ObligationDesk::form`] is none.
    pub instruction: Option<Vec<(String, String)>>,
    /// The units under its unit it may pass it down to now (分解到下级), where the person may
    /// submit it, it is owed and the campaign lets its units pass it down.
    pub pass_down: Option<Vec<String>>,
}

impl Office {
    /// The obligations of `unit` that `who` may see, as they stood at `as_of`, and its
    /// sub-units; a unit of which they may see nothing (or no unit at all) is refused as
    /// forbidden, not as unknown, so that guessing names tells nothing — but to the office and
    /// supervisors, who see every unit, a name no campaign has is refused as unknown, with the
    /// nearest name.
    pub fn unit_desk(
        &self,
        store: &dyn Backend,
        who: &User,
        unit: &str,
        as_of: Instant,
    ) -> Result<UnitDesk, AppError> {
        let mut all = store.unit_work(unit)?;
        super::instant::work_at(store, &mut all, as_of)?;
        let mut items = Vec::with_capacity(all.len());
        let mut judge = super::Judge::new(store, who);
        for item in all {
            if judge.rights(&item)?.see {
                items.push(item);
            }
        }
        let own = who.unit.as_deref() == Some(unit);
        // An account bound to campaigns sees the units of those, not every unit of the records.
        let sees_every_unit = who.role.sees_all() && who.every_campaign();
        if items.is_empty() && !(own || sees_every_unit) {
            return Err(forbidden(unit));
        }
        // Those who see every unit are told a name no campaign has, with the nearest one.
        if items.is_empty() && !own {
            super::accounts::known_unit(store, unit)?;
        }
        // The units under it in the campaigns the account acts in, each once.
        let mut children: Vec<String> = Vec::new();
        for (campaign, child) in store.sub_units(unit)? {
            if who.in_campaign(&campaign) && !children.contains(&child) {
                children.push(child);
            }
        }
        // A letter is seen by whoever sees one of the obligations it is about, once issued.
        let then = as_of.in_zone(self.config.zone).timestamp();
        let letters = store
            .letters_of(unit)?
            .into_iter()
            .filter(|l| who.in_campaign(&l.campaign) && l.issued_at <= then)
            .filter(|l| {
                l.items.iter().any(|i| {
                    items.iter().any(|w| {
                        w.campaign == l.campaign
                            && w.deliverable == i.deliverable
                            && w.period == i.period
                    })
                })
            })
            .collect();
        let mut instructing: Vec<String> = Vec::new();
        // A read-only token is offered no form it could not send.
        if may(who, Page::Instruct) && !who.read_only {
            for item in &items {
                if !instructing.contains(&item.campaign)
                    && self.instructions_ledger(store, &item.campaign).is_ok()
                {
                    instructing.push(item.campaign.clone());
                }
            }
        }
        Ok(UnitDesk {
            instructing,
            items,
            children,
            letters,
        })
    }

    /// Every obligation of `unit` (in `campaigns`, or all), for the office's own tools: a name
    /// no campaign knows is refused with the nearest one.
    pub fn unit_work(
        &self,
        store: &dyn Backend,
        unit: &str,
        campaigns: &[String],
    ) -> Result<Vec<WorkItem>, AppError> {
        let items: Vec<WorkItem> = store
            .unit_work(unit)?
            .into_iter()
            .filter(|i| campaigns.is_empty() || campaigns.contains(&i.campaign))
            .collect();
        if items.is_empty() {
            super::accounts::known_unit(store, unit)?;
        }
        Ok(items)
    }

    /// What a unit's calendar is made of: its obligations (as [`Office::unit_work`] gives
    /// them, as they stood at `as_of`) and the reminder policy of each of their deliverables.
    pub fn unit_calendar(
        &self,
        store: &dyn Backend,
        unit: &str,
        campaigns: &[String],
        as_of: Instant,
    ) -> Result<UnitCalendar, AppError> {
        let mut items = self.unit_work(store, unit, campaigns)?;
        super::instant::work_at(store, &mut items, as_of)?;
        let mut keys: Vec<&str> = Vec::new();
        for item in &items {
            if !keys.contains(&item.campaign.as_str()) {
                keys.push(&item.campaign);
            }
        }
        let mut policies = std::collections::HashMap::new();
        for key in &keys {
            for (deliverable, policy) in store.deliverable_policies(key)? {
                policies.insert((key.to_string(), deliverable), policy);
            }
        }
        let zone = match keys.first() {
            Some(key) => store.campaign_zone(key)?,
            None => self.config.zone,
        };
        Ok(UnitCalendar {
            items,
            policies,
            zone,
        })
    }

    /// The obligation `key` names, if `who` may see it: its history at `as_of` and what they
    /// may do.
    pub fn obligation_desk(
        &self,
        store: &dyn Backend,
        who: &User,
        key: &Key<'_>,
        as_of: Instant,
    ) -> Result<ObligationDesk, AppError> {
        let mut item = self.item(store, who, key)?;
        let rights = rights(store, who, &item)?;
        super::instant::work_at(store, std::slice::from_mut(&mut item), as_of)?;
        let (status, history) = store.history(key, as_of)?;
        // Passed down only while a day before its own deadline is left to give.
        let today = as_of.in_zone(item.zone).date_naive().to_string();
        let passable_now = rights.submit && status.is_open() && item.deadline() >= today.as_str();
        let described = store.describe(key.campaign, key.deliverable)?;
        let (mut form, approver) = (described.form, described.asks.approver);
        // An instruction is done by its 办结报告 (a file); what it says stays as entered.
        let instruction = described
            .ledger
            .as_ref()
            .is_some_and(|l| l.instructions)
            .then(|| {
                form = None;
                history
                    .iter()
                    .find(|e| e.kind == "entered")
                    .map(|e| {
                        e.values
                            .iter()
                            .map(|v| (v.field.clone(), v.display()))
                            .collect()
                    })
                    .unwrap_or_default()
            });
        let parts = if rights.submit && form.is_some() {
            self.sum_of_parts(
                store,
                key.campaign,
                key.deliverable,
                (key.unit, key.period),
                as_of,
            )
            .ok()
        } else {
            None
        };
        Ok(ObligationDesk {
            item,
            status,
            history,
            rights,
            form,
            approver,
            pass_down: if passable_now {
                self.passable(store, key)?
            } else {
                None
            },
            parts,
            instruction,
        })
    }

    /// The obligation `key` names, if `who` may see it.
    pub(super) fn item(
        &self,
        store: &dyn Backend,
        who: &User,
        key: &Key<'_>,
    ) -> Result<WorkItem, AppError> {
        // Another office's campaign: refused before anything of it is looked up, so that the
        // refusal names nothing of it.
        if !who.in_campaign(key.campaign) {
            return Err(forbidden(key.unit));
        }
        let found = store.unit_work(key.unit)?.into_iter().find(|i| {
            i.campaign == key.campaign
                && i.deliverable == key.deliverable
                && i.period == key.period.unwrap_or("")
        });
        match found {
            Some(item) if rights(store, who, &item)?.see => Ok(item),
            // A name mistyped on one's own unit's report: the nearest name tells nothing new.
            None if who.unit.as_deref() == Some(key.unit) => {
                store.history(key, Instant::Absolute(self.clock.now()))?;
                Err(forbidden(key.unit))
            }
            // Unknown and not allowed look the same to whoever may not see the unit (or the
            // campaign: another office's).
            _ if !who.role.sees_all() || !who.in_campaign(key.campaign) => Err(forbidden(key.unit)),
            Some(item) => Ok(item),
            None => {
                // Let the records name what is unknown, with the nearest name.
                store.history(key, Instant::Absolute(self.clock.now()))?;
                Err(forbidden(key.unit))
            }
        }
    }

    /// What awaits the reviewing unit of `who`: under review by it, and what it received in
    /// the last [`QUEUE_DAYS`] days (which it may return), newest first.
    pub fn review_desk(
        &self,
        store: &dyn Backend,
        who: &User,
        now: Instant,
    ) -> Result<Vec<WorkItem>, AppError> {
        allow(who, Page::ReviewQueue)?;
        let Some(unit) = who.unit.as_deref() else {
            return Ok(Vec::new());
        };
        // What it received counts from the same local time QUEUE_DAYS ago in each campaign's
        // zone: asked a day wider (wider than any zone's offset), each kept by its own.
        let window = |zone| now.in_zone(zone).timestamp() - QUEUE_DAYS * 86_400;
        let widest = window(self.config.zone) - 86_400;
        let mut queue = store.review_queue(unit, widest)?;
        queue.retain(|item| who.in_campaign(&item.campaign));
        queue.retain(|item| {
            let deciding = item.record.state == crate::store::State::Review
                && item.reviewer.as_deref() == Some(unit);
            deciding || item.record.submitted_at >= Some(window(item.zone))
        });
        super::instant::work_at(store, &mut queue, now)?;
        Ok(queue)
    }

    /// Submits for `key` as `who`, with what the form says: refused unless they act for its
    /// unit. Recorded in their name.
    pub fn submit_as(
        &self,
        store: &mut dyn Backend,
        who: &User,
        key: &Key<'_>,
        submission: Submission,
        said: &Said,
        at: Instant,
    ) -> Result<Submitted, AppError> {
        self.allowed(&*store, who, key, Deed::Submit)?;
        self.submit(
            store,
            key,
            submission,
            said,
            at,
            Some(who.name.clone()),
            None,
        )
    }

    /// Does `action` to `key` as `who` (anything but a submission), if their rights allow it:
    /// recorded in their name.
    pub fn act_as(
        &self,
        store: &mut dyn Backend,
        who: &User,
        key: &Key<'_>,
        action: Action,
        at: Instant,
    ) -> Result<crate::store::Change, AppError> {
        let deed = match &action {
            // The unit's own, as submitting is.
            Action::Submit(_)
            | Action::Update { .. }
            | Action::AskExtension { .. }
            | Action::Acknowledge => Deed::Submit,
            Action::Accept { .. } | Action::Reject { .. } => Deed::Review,
            Action::Return { .. } => Deed::SendBack,
            // Answering a request for more time: the office, or whom the campaign names.
            Action::DeclineExtension { .. } => Deed::Answer,
            Action::Extend { .. } if who.role != crate::store::Role::Office => Deed::Answer,
            // The office's, as extending and waiving are.
            Action::Extend { .. } | Action::Waive { .. } | Action::Chase { .. } => Deed::Excuse,
        };
        self.allowed(&*store, who, key, deed)?;
        // Whom the campaign names extends only in answer to a request.
        if deed == Deed::Answer && matches!(action, Action::Extend { .. }) {
            let (_, history) = store.history(key, at)?;
            if super::open_request(&history).is_none() {
                return Err(super::extensions::ExtensionRefusal::NoneOpen.into());
            }
        }
        // A reviewer's acceptance is checked again when it is saved: its own level's only.
        let mut action = action;
        if let Action::Accept { by, .. } = &mut action
            && who.role == crate::store::Role::Reviewer
        {
            *by = who.unit.clone();
        }
        // A receipt (签收) says that the unit itself has the task: its own liaison or leader
        // gives it, never the office or a unit above on its behalf (the office records a
        // receipt that came otherwise with `duban acknowledge`).
        if matches!(action, Action::Acknowledge)
            && !(matches!(
                who.role,
                crate::store::Role::Liaison | crate::store::Role::Leader
            ) && who.unit.as_deref() == Some(key.unit))
        {
            return Err(forbidden("签收须由本单位联络员或分管领导办理"));
        }
        self.record(store, key, action, at, Some(who.name.clone()), None)
    }

    /// Whether `who` may do `deed` to `key`, as [`Office::act_as`] and [`Office::submit_as`]
    /// decide it: a page that asks before doing (the confirmation of a 退回) asks this, so that
    /// it offers nothing the deed itself would refuse.
    pub fn allowed(
        &self,
        store: &dyn Backend,
        who: &User,
        key: &Key<'_>,
        deed: Deed,
    ) -> Result<(), AppError> {
        let item = self.item(store, who, key)?;
        let rights = rights(store, who, &item)?;
        let may = match deed {
            Deed::Submit => rights.submit,
            Deed::Review => rights.review,
            Deed::SendBack => rights.send_back,
            Deed::Excuse => rights.excuse,
            Deed::Answer => rights.answer,
        };
        if may {
            Ok(())
        } else {
            Err(forbidden(key.unit))
        }
    }
}
