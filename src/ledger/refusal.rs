//! What the records do not allow, as values a caller can match: each with the message shown
//! to people and, where one is known, what would fix it.

use chrono::NaiveDate;

use super::Status;

/// A request the records do not allow. `obligation` names one as the user does:
/// `nanyang-2017 统计表 宛城区 2017-05`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// An act dated before the last act on the same obligation.
    #[error(
        "{obligation}: {at} is before its last recorded act ({last}); acts are recorded in the order they were done"
    )]
    BeforeLastAct {
        /// The obligation.
        obligation: String,
        /// The time given.
        at: String,
        /// When the last act was done.
        last: String,
    },
    /// No campaign, deliverable or unit has that name.
    #[error("unknown {kind} `{name}`")]
    Unknown {
        /// `campaign`, `deliverable` or `unit`.
        kind: &'static str,
        /// As given.
        name: String,
        /// The nearest known name, or how to make it known.
        suggestion: Option<String>,
    },
    /// The unit owes nothing of that deliverable.
    #[error("{unit} owes no {deliverable} in {campaign}")]
    NotOwedBy {
        /// The unit.
        unit: String,
        /// The deliverable.
        deliverable: String,
        /// The campaign.
        campaign: String,
        /// Who does owe it, a few of them.
        owers: Option<String>,
    },
    /// A period given for a one-off.
    #[error("{deliverable} is due once: it has no period `{period}`")]
    PeriodOfAOneOff {
        /// The deliverable.
        deliverable: String,
        /// As given.
        period: String,
    },
    /// A recurring deliverable named without its period.
    #[error("{deliverable} recurs: say which period with --period")]
    PeriodNeeded {
        /// The deliverable.
        deliverable: String,
        /// The periods the unit owes, first to last.
        range: String,
    },
    /// A period the unit does not owe.
    #[error("{deliverable} has no period `{period}` for {unit}")]
    UnknownPeriod {
        /// The deliverable.
        deliverable: String,
        /// The unit.
        unit: String,
        /// As given.
        period: String,
        /// The nearest period, or the range the unit owes.
        suggestion: String,
    },
    /// The obligation is no longer in the campaign file.
    #[error("{obligation} was removed from the campaign file; its history is kept")]
    Removed {
        /// Which.
        obligation: String,
    },
    /// A submission for a waived obligation.
    #[error("{obligation} was waived: nothing is owed")]
    Waived {
        /// Which.
        obligation: String,
    },
    /// A second submission without `--replace`.
    #[error("{obligation} was already submitted")]
    AlreadySubmitted {
        /// Which.
        obligation: String,
    },
    /// A part passed down (`分解 到 下级`) to a sub-unit that owes it already.
    #[error("{obligation} is owed already: its part was passed down before")]
    PassedDownAlready {
        /// The sub-unit's part.
        obligation: String,
    },
    /// A submission without every signature the deliverable asks for.
    #[error("{obligation} must be signed by {}; missing: {}", required.join("、"), missing.join("、"))]
    MissingSignatures {
        /// Which.
        obligation: String,
        /// Every role that must sign.
        required: Vec<String>,
        /// The roles that did not.
        missing: Vec<String>,
    },
    /// A review decision on something not under review.
    #[error("{obligation} is not waiting for review (it is {status})")]
    NotUnderReview {
        /// Which.
        obligation: String,
        /// Its status instead.
        status: Status,
    },
    /// A reviewer accepting at a level that is not its own (its level has decided already).
    #[error("{obligation} waits for the review of {deciding}, not of {by}")]
    NotThisLevel {
        /// Which.
        obligation: String,
        /// The reviewer that asked.
        by: String,
        /// The reviewer deciding now.
        deciding: String,
    },
    /// A return (退回) of something not submitted.
    #[error("{obligation} has no submission to return (it is {status})")]
    NothingToReturn {
        /// Which.
        obligation: String,
        /// Its status instead.
        status: Status,
    },
    /// An extension of something no longer owed.
    #[error("{obligation} is no longer owed (it is {status}): nothing to extend")]
    NotOwed {
        /// Which.
        obligation: String,
        /// Its status instead.
        status: Status,
    },
    /// An extension that does not move the deadline later.
    #[error("{until} is not after the current deadline {current}")]
    NotLater {
        /// The date asked for.
        until: NaiveDate,
        /// The deadline in force.
        current: String,
    },
    /// A unit asked for more time once its deadline had passed.
    #[error(
        "{obligation} was due {due}: more time is asked for before the deadline; the office may still extend it"
    )]
    AskedTooLate {
        /// Which.
        obligation: String,
        /// The deadline in force.
        due: String,
    },
    /// A waiver of a waived obligation.
    #[error("{obligation} is already waived")]
    AlreadyWaived {
        /// Which.
        obligation: String,
    },
    /// A waiver of a counted submission.
    #[error("{obligation} was submitted: there is nothing to waive")]
    SubmittedNotWaivable {
        /// Which.
        obligation: String,
    },
    /// No mail has that number.
    #[error("there is no mail {id}")]
    NoMail {
        /// As given.
        id: i64,
    },
    /// A retry of a mail that has not failed.
    #[error("mail {id} is {state}, not failed")]
    MailNotFailed {
        /// Which.
        id: i64,
        /// `pending` or `sent`.
        state: String,
    },
    /// An account of that name exists already.
    #[error("an account named {name} exists already")]
    AccountExists {
        /// The name.
        name: String,
    },
    /// An API token of that name exists already (revoked or not: the history names tokens).
    #[error("a token named {name} exists already")]
    TokenExists {
        /// The name.
        name: String,
    },
    /// Two campaign files declare the same identifier.
    #[error("campaign `{campaign}` is declared both in {first} and in {second}")]
    DeclaredTwice {
        /// The identifier.
        campaign: String,
        /// The file it was synced from.
        first: String,
        /// The file now syncing it.
        second: String,
    },
}

impl Refusal {
    /// The same as people read it on the pages: in Chinese, with the fix in the pages' own
    /// terms (no command-line flag).
    pub fn zh(&self) -> String {
        match self {
            Refusal::BeforeLastAct { at, last, .. } => {
                format!("办理时间 {at} 早于该事项上一次办理的时间（{last}），须按办理先后记录")
            }
            Refusal::Unknown {
                kind,
                name,
                suggestion,
            } => {
                let what = match *kind {
                    "campaign" => "专项工作",
                    "deliverable" => "报送事项",
                    "unit" => "单位",
                    "directory unit" => "通讯录中的单位",
                    _ => "名称",
                };
                let nearest = suggestion
                    .as_deref()
                    .and_then(|s| s.split('`').nth(1))
                    .map(|n| format!("，是否指「{n}」？"))
                    .unwrap_or_default();
                format!("没有名为「{name}」的{what}{nearest}")
            }
            Refusal::NotOwedBy {
                unit, deliverable, ..
            } => format!("「{unit}」无须报送「{deliverable}」"),
            Refusal::PeriodOfAOneOff { deliverable, .. } => {
                format!("「{deliverable}」只报送一次，没有期次")
            }
            Refusal::PeriodNeeded { deliverable, .. } => {
                format!("「{deliverable}」按期报送，请选择期次")
            }
            Refusal::UnknownPeriod {
                deliverable,
                unit,
                period,
                ..
            } => format!("「{unit}」的「{deliverable}」没有「{period}」这一期"),
            Refusal::Removed { .. } => "该事项已从专项工作方案中删除，记录仍保留".to_string(),
            Refusal::Waived { .. } => "该事项已免报，无须报送".to_string(),
            Refusal::PassedDownAlready { obligation } => {
                format!("{obligation} 已分解到下级，不再重复分解")
            }
            Refusal::AlreadySubmitted { .. } => {
                "该事项已报送。如需重新报送，请勾选“替换已报送的内容”（原报送内容仍保留在记录中）"
                    .to_string()
            }
            Refusal::MissingSignatures { missing, .. } => format!(
                "须由{}签字，尚缺：{}。请在表单中填写签字人姓名",
                match self {
                    Refusal::MissingSignatures { required, .. } => required.join("、"),
                    _ => String::new(),
                },
                missing.join("、")
            ),
            Refusal::NotUnderReview { status, .. } => {
                format!("该事项不在审核中（当前状态：{}）", status.label_zh())
            }
            Refusal::NotThisLevel { deciding, .. } => {
                format!("本级审核已完成，该事项现由{deciding}审核")
            }
            Refusal::NothingToReturn { status, .. } => {
                format!("该事项尚无可退回的报送（当前状态：{}）", status.label_zh())
            }
            Refusal::NotOwed { status, .. } => {
                format!(
                    "该事项已无须报送（当前状态：{}），无须再办理",
                    status.label_zh()
                )
            }
            Refusal::NotLater { until, current } => {
                format!("延期日期 {until} 须晚于现在的截止日期 {current}")
            }
            Refusal::AskedTooLate { due, .. } => {
                format!("截止日期 {due} 已过，不能再申请延期；如确有困难，请联系主办单位")
            }
            Refusal::AlreadyWaived { .. } => "该事项已免报".to_string(),
            Refusal::SubmittedNotWaivable { .. } => {
                "该事项已报送，不能免报；如报送不应计入，请先退回".to_string()
            }
            Refusal::NoMail { id } => format!("没有编号为 {id} 的邮件"),
            Refusal::MailNotFailed { id, .. } => format!("邮件 {id} 未发送失败，无须重发"),
            Refusal::AccountExists { name } => {
                format!("已有名为「{name}」的账号；忘记密码的，可在账号列表中重置密码")
            }
            Refusal::TokenExists { name } => {
                format!("已有名为「{name}」的令牌（吊销的令牌名称也不再使用），请换一个名称")
            }
            Refusal::DeclaredTwice { campaign, .. } => {
                format!("专项工作编号「{campaign}」在两个方案文件中重复")
            }
        }
    }

    /// What would fix it, if anything is known.
    pub fn help(&self) -> Option<String> {
        match self {
            Refusal::Unknown { suggestion, .. } => suggestion.clone(),
            Refusal::NotOwedBy { owers, .. } => owers.clone(),
            Refusal::PeriodOfAOneOff { .. } => Some("leave out --period".into()),
            Refusal::PeriodNeeded { range, .. } => Some(range.clone()),
            Refusal::UnknownPeriod { suggestion, .. } => Some(suggestion.clone()),
            Refusal::Removed { .. } => {
                Some("restore it in the campaign file to act on it again".into())
            }
            Refusal::AlreadySubmitted { .. } => Some(
                "to submit it again, say `--replace` (the earlier submission stays in its history)"
                    .into(),
            ),
            Refusal::MissingSignatures { missing, .. } => Some(format!(
                "add {}",
                missing
                    .iter()
                    .map(|r| format!("--signed-by 姓名:{r}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            Refusal::SubmittedNotWaivable { .. } => {
                Some("return it first if the submission should not count".into())
            }
            Refusal::DeclaredTwice { .. } => Some("give one of them another identifier".into()),
            Refusal::AccountExists { name } => Some(format!(
                "choose another name; for a forgotten password, `duban user reset {name}` gives a new link"
            )),
            Refusal::TokenExists { .. } => Some(
                "choose another name with --name: a token's name stays its own even once revoked, so that the history names one token"
                    .into(),
            ),
            _ => None,
        }
    }
}
