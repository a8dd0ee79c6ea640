//! A leader's instructions (批示) made tracked work. A campaign declares where they are kept
//! (`批示 领导批示 { … }`, a ledger whose rows carry the instruction's own fields); each
//! instruction given on the campaign, on one of its units or on one of its obligations becomes
//! a row there: its unit, its deadline, chased by the ladder like any row, closed by its 办结报告
//! and reviewed (复核) by the office — accepted, or returned to be done again. The bulletin lists
//! every instruction with its source and where it stands.

use chrono::NaiveDate;
use serde::Serialize;

use super::contents::Said;
use super::ledgers::RowState;
use super::{AppError, Office};
use crate::clock::Instant;
use crate::language::form::{
    INSTRUCTION_ABOUT, INSTRUCTION_DATE, INSTRUCTION_LEADER, INSTRUCTION_TEXT,
};
use crate::store::{Backend, Change, Key};

/// What an instruction was given on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum About {
    /// The campaign as a whole.
    Campaign,
    /// One of its units.
    Unit(String),
    /// One of its obligations: a deliverable, a unit, and the period where it has several.
    Obligation {
        /// The deliverable.
        deliverable: String,
        /// The unit that owes it.
        unit: String,
        /// Its period (`2017-05`), for a recurring one.
        period: Option<String>,
    },
}

impl About {
    /// What a person wrote: nothing for the campaign, `宛城区` for a unit, `统计表 宛城区
    /// 2017-05` (or without its period) for an obligation.
    pub fn parse(said: &str) -> About {
        let words: Vec<&str> = said.split_whitespace().collect();
        match words.as_slice() {
            [] => About::Campaign,
            [unit] => About::Unit(unit.to_string()),
            [deliverable, unit] => About::Obligation {
                deliverable: deliverable.to_string(),
                unit: unit.to_string(),
                period: None,
            },
            [deliverable, unit, period, ..] => About::Obligation {
                deliverable: deliverable.to_string(),
                unit: unit.to_string(),
                period: Some(period.to_string()),
            },
        }
    }

    /// As the instruction's 批示对象 field says it: `全局`, `宛城区`, `统计表 宛城区 2017-05`.
    pub fn words(&self) -> String {
        match self {
            About::Campaign => "专项整治全局".to_string(),
            About::Unit(unit) => unit.clone(),
            About::Obligation {
                deliverable,
                unit,
                period,
            } => match period {
                Some(p) => format!("{deliverable} {unit} {p}"),
                None => format!("{deliverable} {unit}"),
            },
        }
    }
}

/// A leader's instruction, as the office enters it.
#[derive(Clone, Debug)]
pub struct Instruction {
    /// Who gave it (`市委书记 张三`).
    pub leader: String,
    /// What it says.
    pub text: String,
    /// What it was given on.
    pub about: About,
    /// The unit that is to carry it out (承办单位).
    pub unit: String,
    /// By when; none: the ledger's own rule (`办结时限 交办后10个工作日`).
    pub due: Option<NaiveDate>,
    /// The day the leader wrote it, where it is not the day it is entered.
    pub written: Option<NaiveDate>,
    /// The instruction as written (批示件, a scan), kept with its entry.
    pub files: Vec<crate::store::Upload>,
}

/// One instruction as the bulletin and `duban instructions` list it.
#[derive(Clone, Debug, Serialize)]
pub struct InstructionLine {
    /// Its row (`#2`).
    pub row: String,
    /// Who gave it.
    pub leader: String,
    /// What it says.
    pub text: String,
    /// What it was given on (批示对象).
    pub about: String,
    /// The unit carrying it out.
    pub unit: String,
    /// Its deadline.
    pub due_date: String,
    /// Where it stands.
    pub state: RowState,
}

impl InstructionLine {
    /// Where it stands, in the words of a 督办 office: 办理中, 已办结, 逾期未办结 …
    pub fn state_zh(&self) -> &'static str {
        match self.state {
            RowState::Open | RowState::Rectifying => "办理中",
            RowState::Overdue => "逾期未办结",
            RowState::UnderReview => "办结报告待复核",
            RowState::Closed => "已办结",
            RowState::Returned => "复核退回，重新办理",
            RowState::Waived => "免于办理",
        }
    }
}

impl Office {
    /// The campaign's instructions ledger (`批示`), by its name; a campaign that declares none
    /// is refused with the line to add.
    pub fn instructions_ledger(
        &self,
        store: &dyn Backend,
        campaign: &str,
    ) -> Result<String, AppError> {
        store.campaign_zone(campaign)?;
        for (name, _) in store.deliverable_policies(campaign)? {
            let described = store.describe(campaign, &name)?;
            if described.ledger.as_ref().is_some_and(|l| l.instructions) {
                return Ok(name);
            }
        }
        Err(AppError::NoInstructions {
            campaign: campaign.to_string(),
        })
    }

    /// [`Office::instruct`] for `who`, from a page or the API: only the office, in a campaign
    /// it acts in, enters an instruction; it is entered in their name.
    pub fn instruct_as(
        &self,
        store: &mut dyn Backend,
        who: &crate::store::User,
        campaign: &str,
        instruction: &Instruction,
        at: Instant,
    ) -> Result<Change, AppError> {
        super::rights::allow_act(who, super::Page::Instruct)?;
        if !who.in_campaign(campaign) {
            return Err(AppError::Forbidden {
                what: campaign.to_string(),
            });
        }
        self.instruct(
            store,
            campaign,
            instruction,
            at,
            (Some(who.name.clone()), None),
        )
    }

    /// Enters a leader's instruction as a row of the campaign's instructions ledger: its unit
    /// owes its 办结报告 by `due` (or the ledger's rule). What it is about must exist: a unit
    /// of the campaign, or an obligation of it.
    pub fn instruct(
        &self,
        store: &mut dyn Backend,
        campaign: &str,
        instruction: &Instruction,
        at: Instant,
        (by, note): (Option<String>, Option<String>),
    ) -> Result<Change, AppError> {
        let ledger = self.instructions_ledger(store, campaign)?;
        // As long as the pages let them be: a leader's name, and what a 批示 says.
        let long = [
            (
                "批示领导",
                &instruction.leader,
                crate::vocabulary::typed::NAME_MAX,
            ),
            (
                "批示内容",
                &instruction.text,
                crate::vocabulary::typed::VALUE_MAX,
            ),
        ]
        .into_iter()
        .filter_map(|(field, text, limit)| {
            crate::vocabulary::typed::within(field, text, limit)
                .err()
                .map(|e| crate::values::Invalid {
                    at: field.to_string(),
                    message: e.to_string(),
                    field: Some(field.to_string()),
                    zh: Some(e.to_string()),
                })
        })
        .collect::<Vec<_>>();
        if !long.is_empty() {
            return Err(AppError::Invalid(long));
        }
        match &instruction.about {
            About::Campaign => {}
            About::Unit(unit) => {
                let id = store.campaign_header(campaign)?.id;
                let units: Vec<String> = store.unit_tree(id)?.into_iter().map(|(u, _)| u).collect();
                if !units.iter().any(|u| u == unit) {
                    let suggestion = crate::language::suggest::did_you_mean(
                        unit,
                        units.iter().map(String::as_str),
                    );
                    let refusal = crate::store::Refusal::Unknown {
                        kind: "unit",
                        name: unit.clone(),
                        suggestion,
                    };
                    return Err(crate::store::StoreError::Refused(refusal).into());
                }
            }
            About::Obligation {
                deliverable,
                unit,
                period,
            } => {
                let key = Key {
                    campaign,
                    deliverable,
                    unit,
                    period: period.as_deref(),
                };
                // Its history exists only if the obligation does: an unknown one is refused
                // with the store's own words (the nearest name).
                store.history(&key, at)?;
            }
        }
        let mut values = vec![
            (INSTRUCTION_LEADER.to_string(), instruction.leader.clone()),
            (INSTRUCTION_TEXT.to_string(), instruction.text.clone()),
            (INSTRUCTION_ABOUT.to_string(), instruction.about.words()),
        ];
        if let Some(day) = instruction.written {
            values.push((INSTRUCTION_DATE.to_string(), day.to_string()));
        }
        let said = Said {
            values,
            ..Said::default()
        };
        for file in &instruction.files {
            self.refuse_secret(&file.path)?;
        }
        let mut rows = self.rows_to_enter(
            &*store,
            (campaign, &ledger),
            Some(&instruction.unit),
            &said,
            instruction.due,
            at,
        )?;
        if let Some(row) = rows.first_mut() {
            row.files = instruction.files.clone();
        }
        let meta = self.meta(&*store, campaign, at, by, note)?;
        let key = Key {
            campaign,
            deliverable: &ledger,
            unit: "",
            period: None,
        };
        let mut changes = store.add_rows(&key, &rows, meta)?;
        Ok(changes.remove(0))
    }

    /// The instructions of the campaign `holder` may see (those of the obligations it sees: the
    /// office's and supervisors' all, a unit's its own and those under it), as at `as_of`; a
    /// campaign it does not act in is refused.
    pub fn visible_instructions(
        &self,
        store: &dyn Backend,
        campaign: &str,
        holder: &crate::store::User,
        as_of: Instant,
    ) -> Result<Vec<InstructionLine>, AppError> {
        let seen = self.visible_obligations(store, campaign, holder, as_of)?;
        let mut lines = self.instructions(store, campaign, as_of)?;
        if lines.is_empty() {
            return Ok(lines);
        }
        let ledger = self.instructions_ledger(store, campaign)?;
        lines.retain(|l| {
            seen.iter().any(|o| {
                o.deliverable == ledger && o.unit == l.unit && o.period.as_deref() == Some(&l.row)
            })
        });
        Ok(lines)
    }

    /// Every instruction of the campaign as it stood at `as_of`, in the order entered; none
    /// where the campaign keeps no instructions.
    pub fn instructions(
        &self,
        store: &dyn Backend,
        campaign: &str,
        as_of: Instant,
    ) -> Result<Vec<InstructionLine>, AppError> {
        let ledger = match self.instructions_ledger(store, campaign) {
            Ok(ledger) => ledger,
            Err(AppError::NoInstructions { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let view = self.ledger_show(store, campaign, &ledger, None, as_of)?;
        Ok(view
            .rows
            .into_iter()
            .map(|r| {
                let field = |name: &str| r.values.get(name).cloned().unwrap_or_default();
                InstructionLine {
                    leader: field(INSTRUCTION_LEADER),
                    text: field(INSTRUCTION_TEXT),
                    about: field(INSTRUCTION_ABOUT),
                    row: r.row,
                    unit: r.unit,
                    due_date: r.due_date,
                    state: r.state,
                }
            })
            .collect())
    }
}
