//! A checked campaign: every name resolved to an index, every date validated, every window
//! turned into dates. This is what the checker produces and the schedule compiler consumes.

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::ast::{Channel, ContactRole, Duration, DurationUnit, PeriodUnit, Role, ShiftRule, Span};
use super::form::Form;
use crate::vocabulary::Period;

/// Index of a unit in [`Campaign::units`].
pub type UnitId = usize;
/// Index of a phase in [`Campaign::phases`].
pub type PhaseId = usize;
/// Index of a deliverable in [`Campaign::deliverables`].
pub type DeliverableId = usize;
/// Index of an item in [`Campaign::items`].
pub type ItemId = usize;

/// A checked campaign.
#[derive(Clone, Debug)]
pub struct Campaign {
    /// Identifier (`nanyang-2017`): part of every obligation's identity.
    pub id: String,
    /// Title.
    pub title: Option<String>,
    /// Issuing body.
    pub issuer: Option<String>,
    /// Document number (文号).
    pub doc: Option<String>,
    /// Date of issue (印发).
    pub issued: Option<NaiveDate>,
    /// Time zone of every date in the campaign.
    pub zone: Tz,
    /// First day of the campaign.
    pub start: NaiveDate,
    /// Last day of the campaign.
    pub end: NaiveDate,
    /// Default deadline shifting.
    pub shift: ShiftRule,
    /// The office running the campaign.
    pub office: Option<UnitId>,
    /// Supervising units of the whole campaign.
    pub supervisors: Vec<UnitId>,
    /// The contacts file named by the campaign, as written.
    pub contacts_file: Option<String>,
    /// The folder of the campaign's own mail templates, as written.
    pub templates: Option<String>,
    /// Units, in declaration order.
    pub units: Vec<Unit>,
    /// Groups, with members flattened to units.
    pub groups: Vec<Group>,
    /// Phases, in declaration order.
    pub phases: Vec<Phase>,
    /// Rectification items.
    pub items: Vec<Item>,
    /// Deliverables (reports, measures, targets), in declaration order.
    pub deliverables: Vec<Deliverable>,
    /// The campaign-wide reminder policy.
    pub policy: Policy,
    /// The forms declared (`form { … }`), whether a deliverable carries them or not.
    pub forms: Vec<Form>,
    /// How timeliness is scored (`assess { … }`); none: by the on-time rate.
    pub scoring: Option<crate::language::scoring::Scoring>,
    /// The directory unit the campaign is bound to (`通讯录 ROOT`), by its code: an account
    /// of that unit or one above it that runs or supervises campaigns sees this one.
    pub directory: Option<String>,
    /// What units may ask for in more time in every report that says nothing of its own
    /// (`延期 …` in the campaign block).
    pub extensions: Option<crate::language::ast::ExtensionRule>,
    /// Who answers requests for more time in every report that names nobody of its own
    /// (`延期 … 由 县纪委 审批` in the campaign block), as written; none: the office.
    pub extension_approver: Option<crate::language::ast::Name>,
    /// How soon every report's notices are acknowledged, where a report says nothing of its
    /// own (`签收 …` in the campaign block).
    pub acknowledge: Option<crate::language::ast::AckWithin>,
}

impl Campaign {
    /// The unit named `name`.
    pub fn unit(&self, name: &str) -> Option<UnitId> {
        self.units.iter().position(|u| u.name == name)
    }

    /// The deliverable named `name`.
    pub fn deliverable(&self, name: &str) -> Option<DeliverableId> {
        self.deliverables.iter().position(|d| d.name == name)
    }

    /// How far past the campaign an open-ended cadence runs when nobody says: to the end of the
    /// year after the campaign's last year.
    pub fn default_horizon(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(chrono::Datelike::year(&self.end) + 1, 12, 31).unwrap_or(self.end)
    }

    /// The policy that applies to a deliverable.
    pub fn policy_for(&self, deliverable: DeliverableId) -> &Policy {
        self.deliverables[deliverable]
            .policy
            .as_ref()
            .unwrap_or(&self.policy)
    }
}

/// A unit: anything that submits or receives reports.
#[derive(Clone, Debug)]
pub struct Unit {
    /// Its name.
    pub name: String,
    /// Full name, if different.
    pub full_name: Option<String>,
    /// Parent unit (county of a township, township of a village).
    pub parent: Option<UnitId>,
    /// The unit's mailbox.
    pub email: Option<String>,
    /// The unit's phone.
    pub phone: Option<String>,
    /// Contact people.
    pub contacts: Vec<Contact>,
    /// The unit that reviews its submissions, where a report asks for review.
    pub reviewer: Option<UnitId>,
    /// The days it is on the roll, if not the whole campaign: it owes only what falls due then.
    pub active: Option<(NaiveDate, NaiveDate)>,
    /// Where it was declared.
    pub span: Span,
    /// Its code in the office's directory, where the campaign is bound to it (`通讯录 ROOT`).
    pub code: Option<String>,
}

impl Unit {
    /// Whether it owes what falls due on `date`.
    pub fn owes_on(&self, date: NaiveDate) -> bool {
        self.active
            .is_none_or(|(start, end)| start <= date && date <= end)
    }

    /// Contacts with `role`.
    pub fn contacts_with(&self, role: ContactRole) -> impl Iterator<Item = &Contact> {
        self.contacts.iter().filter(move |c| c.role == role)
    }
}

/// A contact person.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Contact {
    /// Their role.
    pub role: ContactRole,
    /// Their name.
    pub name: Option<String>,
    /// Their mailbox.
    pub email: Option<String>,
    /// Their phone.
    pub phone: Option<String>,
}

impl Contact {
    /// How to reach them, as listings show it: the name and the phone, else the mailbox.
    pub fn reach(&self) -> String {
        let how = self
            .phone
            .as_deref()
            .or(self.email.as_deref())
            .unwrap_or("");
        format!("{} {how}", self.name.as_deref().unwrap_or(""))
            .trim()
            .to_string()
    }

    /// Whom to call at a unit: its liaison, else its leader, else any contact.
    pub fn first_to_call(contacts: &[Contact]) -> Option<&Contact> {
        [
            ContactRole::Liaison,
            ContactRole::Leader,
            ContactRole::Contact,
        ]
        .iter()
        .find_map(|role| contacts.iter().find(|c| c.role == *role))
    }
}

/// A named group of units.
#[derive(Clone, Debug)]
pub struct Group {
    /// Its name.
    pub name: String,
    /// Member units (nested groups flattened), in order, without repeats.
    pub members: Vec<UnitId>,
    /// Where it was declared.
    pub span: Span,
}

/// A phase with its dates.
#[derive(Clone, Debug)]
pub struct Phase {
    /// Its name.
    pub name: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day; none for an open-ended phase (`2011年1月1日起`), which runs until the
    /// campaign file gives it an end.
    pub end: Option<NaiveDate>,
    /// Where it was declared.
    pub span: Span,
}

/// A rectification item.
#[derive(Clone, Debug)]
pub struct Item {
    /// Short name.
    pub name: String,
    /// Title as the document gives it.
    pub title: Option<String>,
    /// 牵头单位.
    pub lead: Vec<UnitId>,
    /// 配合单位.
    pub cooperate: Vec<UnitId>,
    /// 监督单位.
    pub supervisors: Vec<UnitId>,
    /// Where it was declared.
    pub span: Span,
}

/// The name of a report's part its owers' sub-units owe (`分解 到 下级`): `统计表（下级）`.
pub fn part_of(deliverable: &str) -> String {
    format!("{deliverable}（下级）")
}

/// What kind of deliverable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliverableKind {
    /// A report to submit.
    Report,
    /// A measure to complete.
    Measure,
    /// A target to reach and report.
    Target,
    /// A list units keep, each row closed out by its deadline (台账, 清单).
    Ledger,
}

/// Something units owe: a report, a measure or a target.
#[derive(Clone, Debug)]
pub struct Deliverable {
    /// Its name: part of every obligation's identity.
    pub name: String,
    /// Title as the document gives it.
    pub title: Option<String>,
    /// Report, measure or target.
    pub kind: DeliverableKind,
    /// A ledger of a leader's instructions (`批示`): each row one instruction, closed by its
    /// 办结报告 and reviewed (复核).
    pub instructions: bool,
    /// The item it belongs to.
    pub item: Option<ItemId>,
    /// Units that owe it.
    pub from: Vec<UnitId>,
    /// Whom it goes to.
    pub to: Vec<RecipientRef>,
    /// Forms it carries, as named.
    pub forms: Vec<String>,
    /// The declared form among them, whose fields its submissions carry; a target without one
    /// carries its own value.
    pub form: Option<Form>,
    /// For a target, the report field its value is taken from (`取自 统计表.支出进度`).
    pub value_from: Option<ValueFrom>,
    /// Signers it must carry (签字背书).
    pub signers: Vec<String>,
    /// Review before it counts as received: the first level's.
    pub review: Option<ReviewRule>,
    /// The levels of review after the first (`审核 乡镇纪委 然后 县纪委`), in order: each
    /// accepts and passes it on; the last one's acceptance counts it.
    pub review_then: Vec<UnitId>,
    /// What a unit may ask for in more time (`延期 最多1次 不超过10日`): the report's own, else
    /// the campaign's; none: no limit.
    pub extensions: Option<crate::language::ast::ExtensionRule>,
    /// Who answers its units' requests for more time (`由 县纪委 审批`); none: the office.
    pub extension_approver: Option<UnitId>,
    /// How soon its units acknowledge each notice of it (`签收 24小时内`): the report's own,
    /// else the campaign's; none: no acknowledgement is asked for.
    pub acknowledge: Option<crate::language::ast::AckWithin>,
    /// How long the reviewer has, counted from the submission (`审核时限 3个工作日`); without
    /// it, the review is due by the deadline in force.
    pub review_within: Option<crate::vocabulary::Duration>,
    /// When it is due.
    pub due: Due,
    /// The phase it is tied to (`during`): a cadence keeps the occurrences due in it, and a
    /// one-off deadline outside it is a warning.
    pub phase: Option<PhaseId>,
    /// How a deadline on a non-workday moves.
    pub shift: ShiftRule,
    /// Its own reminder policy, if it has one.
    pub policy: Option<Policy>,
    /// Notes.
    pub notes: Vec<String>,
    /// The names it had in earlier versions of the file (`formerly`): a renamed deliverable
    /// keeps its obligations and their history.
    pub formerly: Vec<String>,
    /// Where it was declared.
    pub span: Span,
    /// Where its due rule is.
    pub due_span: Span,
}

/// A recipient of a deliverable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecipientRef {
    /// A unit.
    Unit(UnitId),
    /// The submitting unit's parent.
    Parent,
}

/// Who reviews a submission before it counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewRule {
    /// One unit reviews every submission.
    ByUnit(UnitId),
    /// Each submitting unit's own `reviewer`.
    ByReviewer,
}

/// When a deliverable is due.
#[derive(Clone, Debug)]
pub enum Due {
    /// Once.
    Once(DateRule),
    /// Every period of a cadence.
    Recurring(Recurrence),
    /// At each threshold of a target.
    Checkpoints(Vec<Checkpoint>),
    /// No final deadline (长期坚持).
    Ongoing,
    /// On each of several dates (分别于6月底和7月底前); each occurrence is named by its date.
    Several(Vec<DateRule>),
    /// A duty without a date (随时报告): listed, never overdue, never late.
    Standing,
    /// A ledger's rows, entered as they are found, each due as this says.
    Rows(RowDue),
    /// A part the owing units pass down to their sub-units when they choose, each by the date
    /// it gives (`分解 到 下级` without a time): owed only once passed down.
    Passed,
}

/// When a ledger's row must be closed out (销号).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowDue {
    /// So long after it is entered.
    AfterEntry(Duration),
    /// By a date.
    By(NaiveDate),
    /// When the entry says (each row is given its own deadline).
    AsEntered,
}

/// A date, fixed or relative to an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateRule {
    /// A fixed date.
    Fixed(NaiveDate),
    /// Counted from an event.
    Relative {
        /// The event.
        anchor: AnchorRef,
        /// Signed count (negative is before).
        offset: i64,
        /// What is counted.
        unit: DurationUnit,
    },
}

/// An event a relative date counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnchorRef {
    /// The first day of a phase.
    PhaseStart(PhaseId),
    /// The last day of a phase.
    PhaseEnd(PhaseId),
    /// The first day of the campaign.
    CampaignStart,
    /// The last day of the campaign.
    CampaignEnd,
    /// The due date of a one-off deliverable.
    Deliverable(DeliverableId),
}

/// A recurring cadence, resolved.
#[derive(Clone, Debug)]
pub struct Recurrence {
    /// What it repeats over.
    pub unit: PeriodUnit,
    /// How many units one period spans (每两周: 2); periods start with the first one.
    pub step: u32,
    /// When occurrences fall due in each period: one, or several (`每月5日和20日前`), when
    /// each occurrence is named by its date.
    pub rules: Vec<DueRule>,
    /// Earliest occurrence.
    pub first: Option<Limit>,
    /// Latest occurrence.
    pub last: Option<Limit>,
    /// Runs past the campaign.
    pub ongoing: bool,
    /// Only occurrences due within this phase.
    pub during: Option<PhaseId>,
}

/// When an occurrence of a cadence falls due, for the period it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DueRule {
    /// Day N of the period `later` periods after the covered one (clamped to its end).
    Day {
        /// 1-based day.
        day: u32,
        /// Periods after the covered one.
        later: u32,
    },
    /// The last day of the period `later` periods after the covered one.
    End {
        /// Periods after the covered one.
        later: u32,
    },
    /// A month and day of the year `later` years after the covered one.
    MonthDay {
        /// Month.
        month: u32,
        /// Day (29 February is the 28th in other years).
        day: u32,
        /// Years after the covered one.
        later: u32,
    },
    /// The last workday of the period `later` periods after the covered one.
    LastWorkday {
        /// Periods after the covered one.
        later: u32,
    },
    /// A weekday (0 = Monday) of the week `later` weeks after the covered one.
    Weekday {
        /// Days after Monday.
        weekday: u32,
        /// Weeks after the covered one.
        later: u32,
    },
    /// For per-phase reports: counted from the start or end of this or the next phase.
    PhaseRelative {
        /// From the next phase rather than the covered one.
        next: bool,
        /// From its start rather than its end.
        start: bool,
        /// Signed count.
        offset: i64,
        /// What is counted.
        unit: DurationUnit,
    },
}

impl DueRule {
    /// How many periods after the covered one the deadline falls in.
    pub fn later(&self) -> u32 {
        match *self {
            DueRule::Day { later, .. }
            | DueRule::End { later }
            | DueRule::LastWorkday { later }
            | DueRule::MonthDay { later, .. }
            | DueRule::Weekday { later, .. } => later,
            DueRule::PhaseRelative { .. } => 0,
        }
    }
}

/// A first or last occurrence bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Limit {
    /// The covered period.
    Period(Period),
    /// The due date.
    Date(DateRule),
}

/// Where a target's value comes from: a numeric field of a report's form, reported by the same
/// unit for the period that covers the threshold's date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueFrom {
    /// The report.
    pub report: DeliverableId,
    /// The field of its form.
    pub field: String,
}

/// A threshold of a target, due at a date.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    /// At least (true) or at most.
    pub at_least: bool,
    /// The number, as written.
    pub value: String,
    /// Its unit (`%`).
    pub unit: Option<String>,
    /// When.
    pub date: DateRule,
}

impl Checkpoint {
    /// `≥ 30%`
    pub fn describe(&self) -> String {
        format!(
            "{} {}{}",
            if self.at_least { "≥" } else { "≤" },
            self.value,
            self.unit.as_deref().unwrap_or("")
        )
    }
}

/// When reminders and escalations go out.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Policy {
    /// Reminders this long before each deadline.
    pub lead_times: Vec<Duration>,
    /// Local time of day to send.
    pub time: (u32, u32),
    /// The overdue ladder, in order of days.
    pub ladder: Vec<Rung>,
    /// The channels reminders go by.
    #[serde(default = "mail_only", skip_serializing_if = "is_mail_only")]
    pub before_by: Vec<Channel>,
    /// 未签收's own ladder (`未签收 1天 通知 分管领导`): each rung counted from when a task that
    /// asks for 签收 was to be acknowledged, while it is neither acknowledged nor sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unacknowledged: Vec<Rung>,
}

/// Mail alone: what a stage goes by when it names no channel (and what records kept before
/// there were others mean).
pub fn mail_only() -> Vec<Channel> {
    vec![Channel::Mail]
}

fn is_mail_only(by: &[Channel]) -> bool {
    by == [Channel::Mail]
}

impl Default for Policy {
    /// 3 days and 1 day before at 09:00; overdue 1 day the liaison, 3 days also the leader,
    /// 7 days the supervisors and the office.
    fn default() -> Policy {
        let days = |count| Duration {
            count,
            unit: DurationUnit::Days,
        };
        Policy {
            lead_times: vec![days(3), days(1)],
            time: (9, 0),
            before_by: mail_only(),
            unacknowledged: Vec::new(),
            ladder: vec![
                Rung {
                    after: days(1),
                    interview: false,
                    to: vec![Escalate::Role(Role::Liaison)],
                    by: Channels::default(),
                    letter: None,
                },
                Rung {
                    after: days(3),
                    interview: false,
                    to: vec![Escalate::Role(Role::Liaison), Escalate::Role(Role::Leader)],
                    by: Channels::default(),
                    letter: None,
                },
                Rung {
                    after: days(7),
                    interview: false,
                    to: vec![
                        Escalate::Role(Role::Supervisors),
                        Escalate::Role(Role::Office),
                    ],
                    by: Channels::default(),
                    letter: None,
                },
            ],
        }
    }
}

/// A rung of the overdue ladder.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rung {
    /// How long after the deadline.
    pub after: Duration,
    /// An interview (约谈) rather than a notice.
    pub interview: bool,
    /// Whom it goes to.
    pub to: Vec<Escalate>,
    /// The channels each of `to` is reached by.
    #[serde(default, skip_serializing_if = "Channels::all_mail")]
    pub by: Channels,
    /// The formal document it issues to the late unit (`发 督办函`): numbered, attached to
    /// the unit's mail, listed on its page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub letter: Option<crate::language::letters::LetterKind>,
}

/// The channels of each target of a rung, in the order of its targets; a target without an
/// entry (every target of records kept before there were other channels) is reached by mail.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Channels(Vec<Vec<Channel>>);

impl Channels {
    /// The channels of each target, in order.
    pub fn each(by: Vec<Vec<Channel>>) -> Channels {
        Channels(by)
    }

    /// Whom target number `i` is reached by.
    pub fn of(&self, i: usize) -> &[Channel] {
        self.0.get(i).map_or(&[Channel::Mail], Vec::as_slice)
    }

    fn all_mail(&self) -> bool {
        self.0.iter().all(|c| c == &[Channel::Mail])
    }
}

/// Whom a rung notifies.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Escalate {
    /// A role relative to the obligation.
    Role(Role),
    /// A unit, by name.
    Unit(String),
}
