//! The typed syntax tree of a campaign file, as written: names are not yet resolved and dates not
//! yet validated. Every node carries the byte span of the text it came from, so the checker can
//! point at it.

use std::fmt;

pub use super::asks::{AckWithin, ExtensionRule};
pub use super::when::{
    Anchor, AnchorTarget, Bound, Cadence, CadenceDue, Coverage, DateExpr, DayPart, DueExpr, Offset,
    PeriodLit, Relative, Window, WindowStart,
};

pub use crate::vocabulary::{Channel, Duration, DurationUnit, PeriodUnit, Role, ShiftRule};

/// A byte range in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A value with the span it was written at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `node` with `span`.
    pub fn new(node: T, span: Span) -> Spanned<T> {
        Spanned { node, span }
    }
}

impl<T: fmt::Display> fmt::Display for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.node.fmt(f)
    }
}

/// A name (of a unit, group, phase, deliverable, item …) or a piece of free text.
pub type Name = Spanned<String>;

/// A whole campaign file.
#[derive(Clone, Debug, Default)]
pub struct File {
    /// Top-level declarations in source order.
    pub items: Vec<TopItem>,
    /// Statements the parser could not read, with the keyword each was (or most likely meant to
    /// be), so that the checker does not also report them missing.
    pub broken: Vec<(Span, &'static str)>,
}

/// A top-level declaration.
#[derive(Clone, Debug)]
pub enum TopItem {
    /// `campaign ID { … }`
    Campaign(CampaignDecl),
    /// `unit NAME { … }`
    Unit(UnitDecl),
    /// `group NAME { … }`
    Group(GroupDecl),
    /// `phase NAME WINDOW`
    Phase(PhaseDecl),
    /// `report NAME { … }`
    Report(ReportDecl),
    /// `item NAME { … }`
    Item(ItemDecl),
    /// `measure NAME { … }`
    Measure(MeasureDecl),
    /// `target NAME { … }`
    Target(TargetDecl),
    /// `remind { … }`
    Remind(RemindDecl),
    /// `form NAME ["title"] { field …; check … }`
    Form(FormDecl),
    /// `ledger NAME ["title"] { from …; field …; close … }`
    Ledger(LedgerDecl),
    /// `assess { on-time 10; overdue 1 per day; … }`
    Assess(AssessDecl),
}

/// `assess { … }` / `考核 { … }`: how timeliness is scored.
#[derive(Clone, Debug)]
pub struct AssessDecl {
    /// The whole block.
    pub span: Span,
    /// Its statements.
    pub stmts: Vec<Spanned<AssessStmt>>,
}

/// A statement of `assess { … }`.
#[derive(Clone, Debug)]
pub enum AssessStmt {
    /// `on-time 10` / `按时 10分`
    OnTime(f64),
    /// `overdue 1 per day` / `逾期 每天扣 1分`, or flat points.
    Late(crate::language::scoring::Late),
    /// `missing 0` / `未报 0分`
    Missing(f64),
    /// `returned 2` / `退回 扣 2分`
    Returned(f64),
    /// `waived excluded|full` / `免报 不计|满分`
    Waived(crate::language::scoring::Waived),
    /// `extended new|original` / `延期 按新时限|按原时限`: whether an extension's deadline counts.
    Extended(bool),
    /// `rank period|to-date` / `排名 按本期|按累计`: what a bulletin ranks units by.
    Rank(crate::language::scoring::Basis),
    /// `note …`
    Note(Name),
}

/// The campaign header block.
#[derive(Clone, Debug)]
pub struct CampaignDecl {
    /// The whole declaration.
    pub span: Span,
    /// The campaign's identifier (`nanyang-2017`).
    pub id: Name,
    /// The title given right after the identifier, if any.
    pub title: Option<Name>,
    /// Statements of the block.
    pub stmts: Vec<Spanned<CampaignStmt>>,
}

/// A statement inside `campaign { … }`.
#[derive(Clone, Debug)]
pub enum CampaignStmt {
    /// `title "…"`
    Title(Name),
    /// `issuer "…"`
    Issuer(Name),
    /// `doc "宛纪办〔2017〕21号"`
    Doc(Name),
    /// `issued 2017-03-30`
    Issued(Spanned<DateExpr>),
    /// `zone Asia/Shanghai`
    Zone(Name),
    /// `period WINDOW`
    Period(Spanned<Window>),
    /// `holidays next-workday`
    Holidays(Spanned<ShiftRule>),
    /// `office UNIT`
    Office(Name),
    /// `supervisors UNIT…`
    Supervisors(Vec<Name>),
    /// `contacts "file.toml"`
    Contacts(Name),
    /// `templates "folder"`: the campaign's own mail templates.
    Templates(Name),
    /// `directory ROOT`: the campaign's units are the office directory's under ROOT.
    Directory(Name),
    /// `延期 最多1次 不超过10日`: what every report's units may ask for in more time.
    Extensions(Spanned<ExtensionRule>, Option<Name>),
    /// `签收 24小时内`: every report's notices are acknowledged within a time.
    Acknowledge(Spanned<AckWithin>),
    /// `note "…"`
    Note(Name),
}

/// `unit NAME { … }`
#[derive(Clone, Debug)]
pub struct UnitDecl {
    /// The whole declaration.
    pub span: Span,
    /// The unit's name.
    pub name: Name,
    /// Statements of the block.
    pub stmts: Vec<Spanned<UnitStmt>>,
}

/// A statement inside `unit { … }`.
#[derive(Clone, Debug)]
pub enum UnitStmt {
    /// `under PARENT`
    Under(Name),
    /// `full-name "…"`
    FullName(Name),
    /// `email "…"`
    Email(Name),
    /// `phone "…"`
    Phone(Name),
    /// `reviewer UNIT`
    Reviewer(Name),
    /// `active WINDOW`: the unit owes only what falls due within it (joined or left mid-campaign).
    Active(Spanned<Window>),
    /// `leader "张三" email "…" phone "…"`
    Contact(ContactDecl),
    /// `note "…"`
    Note(Name),
}

/// The role a contact person plays for a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactRole {
    /// 分管领导: the leader in charge; receives overdue notices.
    Leader,
    /// 联络员: the working contact; receives reminders.
    Liaison,
    /// 联系人: a general contact.
    Contact,
}

impl ContactRole {
    /// Its Chinese title, as mails address people: `分管领导`, `联络员`, `联系人`.
    pub fn title(self) -> &'static str {
        match self {
            ContactRole::Leader => "分管领导",
            ContactRole::Liaison => "联络员",
            ContactRole::Contact => "联系人",
        }
    }
}

impl fmt::Display for ContactRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContactRole::Leader => "leader",
            ContactRole::Liaison => "liaison",
            ContactRole::Contact => "contact",
        })
    }
}

/// A contact person of a unit.
#[derive(Clone, Debug)]
pub struct ContactDecl {
    /// Their role.
    pub role: ContactRole,
    /// Their name, if given.
    pub person: Option<Name>,
    /// Their mailbox.
    pub email: Option<Name>,
    /// Their phone.
    pub phone: Option<Name>,
}

/// `group NAME [under PARENT] { MEMBERS }`
#[derive(Clone, Debug)]
pub struct GroupDecl {
    /// The whole declaration.
    pub span: Span,
    /// The group's name.
    pub name: Name,
    /// Parent unit of every member.
    pub under: Option<Name>,
    /// Members: units (declared here if not elsewhere) or other groups.
    pub members: Vec<Name>,
    /// Where the member list is (for "empty group").
    pub members_span: Span,
    /// The members are the office directory's units under this one (of this kind), filled in
    /// when the campaign is loaded ([`crate::language::directory`]).
    pub directory: Option<(Name, Option<Name>)>,
}

/// `phase NAME WINDOW`
#[derive(Clone, Debug)]
pub struct PhaseDecl {
    /// The whole declaration.
    pub span: Span,
    /// The phase's name.
    pub name: Name,
    /// Its dates.
    pub window: Spanned<Window>,
}

/// `report NAME { … }`
#[derive(Clone, Debug)]
pub struct ReportDecl {
    /// The whole declaration.
    pub span: Span,
    /// The deliverable's name.
    pub name: Name,
    /// A longer title given after the name.
    pub title: Option<Name>,
    /// Statements of the block.
    pub stmts: Vec<Spanned<ReportStmt>>,
}

/// A statement inside `report { … }`, `measure { … }` or `target { … }`.
#[derive(Clone, Debug)]
pub enum ReportStmt {
    /// `from UNITS` / `owners UNITS`
    From(Vec<Name>),
    /// `to RECIPIENTS`
    To(Vec<Recipient>),
    /// `form TEXT…`
    Form(Vec<Name>),
    /// `signers TEXT…`
    Signers(Vec<Name>),
    /// `formerly NAME…`: the names it had in earlier versions of the file.
    Formerly(Vec<Name>),
    /// `review [by UNIT] [then UNIT]…` (`审核 乡镇纪委 然后 县纪委`): who reviews first (none
    /// named: each unit's own reviewer), and who reviews after, level by level.
    Review(Option<Name>, Vec<Name>),
    /// `review within DURATION` (`审核时限 3个工作日`): the reviewer's time, from the submission.
    ReviewWithin(Spanned<Duration>),
    /// `due …`
    Due(Spanned<DueExpr>),
    /// `covering previous month`
    Covering(Spanned<Coverage>),
    /// `first BOUND`
    First(Spanned<Bound>),
    /// `last BOUND`
    Last(Spanned<Bound>),
    /// `during PHASE`
    During(Name),
    /// `ongoing`
    Ongoing,
    /// `holidays RULE`
    Holidays(Spanned<ShiftRule>),
    /// `note TEXT`
    Note(Name),
    /// `remind { … }`
    Remind(RemindDecl),
    /// `at least 30% by DATE` (targets)
    Threshold(Threshold),
    /// `close within 30d` / `销号时限 录入后30日` (ledgers)
    CloseDue(RowDueExpr),
    /// `value-from 统计表.支出进度` / `取自 …` (targets): the report and field the value is.
    ValueFrom(Name, Name),
    /// The campaign's own bulletin (`通报 每月 下月5日前`): the office owes it.
    Bulletin,
    /// `延期 最多1次 不超过10日`: what the units may ask for in more time.
    Extensions(Spanned<ExtensionRule>, Option<Name>),
    /// `签收 24小时内`: the units acknowledge each notice of it within a time.
    Acknowledge(Spanned<AckWithin>),
    /// `split to sub-units due …` (`分解 到 下级 时限 每月20日前`): each owing unit's sub-units
    /// owe it their part, by this time; without one (`分解 到 下级`), each owing unit passes its
    /// part down when it chooses, by the date it gives.
    Split(Option<Spanned<DueExpr>>),
}

/// A recipient of a report.
#[derive(Clone, Debug)]
pub enum Recipient {
    /// A unit or group by name.
    Named(Name),
    /// The submitting unit's parent (上级).
    Parent(Span),
}

/// `item NAME { lead …; cooperate …; supervisors …; measure …; … }`
#[derive(Clone, Debug)]
pub struct ItemDecl {
    /// The whole declaration.
    pub span: Span,
    /// Short name.
    pub name: Name,
    /// Title as the document gives it.
    pub title: Option<Name>,
    /// Statements of the block.
    pub stmts: Vec<Spanned<ItemStmt>>,
}

/// A statement inside `item { … }`.
#[derive(Clone, Debug)]
pub enum ItemStmt {
    /// 牵头单位
    Lead(Vec<Name>),
    /// 配合单位
    Cooperate(Vec<Name>),
    /// 监督单位
    Supervisors(Vec<Name>),
    /// A measure of this item.
    Measure(MeasureDecl),
    /// A target of this item.
    Target(TargetDecl),
    /// A report of this item.
    Report(ReportDecl),
    /// `note …`
    Note(Name),
}

/// `measure NAME { owners …; due … }`
#[derive(Clone, Debug)]
pub struct MeasureDecl {
    /// The whole declaration.
    pub span: Span,
    /// Short name.
    pub name: Name,
    /// Title as the document gives it.
    pub title: Option<Name>,
    /// Statements (`From` holds the owners).
    pub stmts: Vec<Spanned<ReportStmt>>,
}

/// `target NAME { from …; at least 30% by … }`
#[derive(Clone, Debug)]
pub struct TargetDecl {
    /// The whole declaration.
    pub span: Span,
    /// The quantity's name.
    pub name: Name,
    /// Title as the document gives it.
    pub title: Option<Name>,
    /// Statements.
    pub stmts: Vec<Spanned<ReportStmt>>,
}

/// A threshold of a target.
#[derive(Clone, Debug)]
pub struct Threshold {
    /// At least or at most.
    pub at_least: bool,
    /// The number.
    pub value: Spanned<String>,
    /// Its unit (`%`), if written.
    pub unit: Option<String>,
    /// When it must be reached; `Ongoing` when no date is written (the end of its phase).
    pub by: Spanned<DueExpr>,
}

/// `remind { before …; at …; overdue … }`
#[derive(Clone, Debug)]
pub struct RemindDecl {
    /// The whole block.
    pub span: Span,
    /// Statements of the block.
    pub stmts: Vec<Spanned<RemindStmt>>,
}

/// A statement inside `remind { … }`.
#[derive(Clone, Debug)]
pub enum RemindStmt {
    /// Lead times, optionally the time of day, and the channels reminders go by (mail when
    /// none is named).
    Before(
        Vec<Spanned<Duration>>,
        Option<Spanned<(u32, u32)>>,
        Vec<Spanned<Channel>>,
    ),
    /// Local time of day to send.
    At(Spanned<(u32, u32)>),
    /// A rung of the overdue ladder.
    Overdue {
        /// Days past the deadline.
        after: Spanned<Duration>,
        /// An interview (约谈) rather than a notice.
        interview: bool,
        /// Whom to notify, each with the channels it is reached by (mail when none is named).
        to: Vec<(EscalateTo, Vec<Spanned<Channel>>)>,
        /// The formal document it issues (`发 督办函`), if any.
        letter: Option<crate::language::letters::LetterKind>,
        /// A rung of 未签收's own ladder (`未签收 1天 通知 分管领导`), counted from when the
        /// acknowledgement was due, rather than of the overdue ladder.
        unacknowledged: bool,
    },
    /// `note …`
    Note(Name),
}

/// Whom an escalation step notifies.
#[derive(Clone, Debug)]
pub enum EscalateTo {
    /// A role relative to the obligation.
    Role(Spanned<Role>),
    /// A unit or group by name.
    Named(Name),
}

/// `form NAME ["title"] { field …; check … }`: the fields a report carries.
#[derive(Clone, Debug)]
pub struct FormDecl {
    /// The whole declaration.
    pub span: Span,
    /// The form's name, which a report's `form` names.
    pub name: Name,
    /// Title as the document gives it (`附件3 统计表`).
    pub title: Option<Name>,
    /// Statements.
    pub stmts: Vec<Spanned<FormStmt>>,
}

/// A statement inside `form { … }`.
#[derive(Clone, Debug)]
pub enum FormStmt {
    /// `field NAME TYPE [UNIT] [optional] [shared KEY] [max N] [min N]`
    Field(FieldDecl),
    /// `check SUM OP SUM ["message"] [warning]`
    Check(CheckDecl),
    /// `lock 10d after due` / `锁定 截止后10日`: entry closes this long after the deadline.
    Lock(Spanned<crate::vocabulary::Duration>),
    /// `note …`
    Note(Name),
}

/// One field of a form.
#[derive(Clone, Debug)]
pub struct FieldDecl {
    /// Its name: the column header of the spreadsheet.
    pub name: Name,
    /// Its type.
    pub kind: Spanned<FieldKind>,
    /// What it counts (`件`, `万元`), if written.
    pub measure: Option<Name>,
    /// May be left empty.
    pub optional: bool,
    /// Reported once for every form that shares it (一表通): the key, the field's own name when
    /// `shared` stands alone.
    pub shared: Option<Name>,
    /// Smallest value allowed, as written.
    pub min: Option<Spanned<String>>,
    /// Largest value allowed, as written.
    pub max: Option<Spanned<String>>,
    /// How it adds up, if written (`total average`).
    pub total: Option<Spanned<crate::language::form::Total>>,
}

/// The type of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A whole number (件, 人).
    Integer,
    /// A number with decimals.
    Decimal,
    /// A sum of money (万元), with decimals.
    Amount,
    /// A percentage, written `12` or `12%`.
    Percent,
    /// A calendar day.
    Date,
    /// Free text.
    Text,
    /// One of a list of choices.
    OneOf(Vec<Name>),
}

/// A check between fields: `立案 <= 发现问题线索 "立案数不能超过线索数"`.
#[derive(Clone, Debug)]
pub struct CheckDecl {
    /// The left side.
    pub left: Vec<Term>,
    /// The comparison, as written (`<=`, `≤`, …).
    pub compare: Spanned<String>,
    /// The right side.
    pub right: Vec<Term>,
    /// The message the office wants shown.
    pub message: Option<Name>,
    /// A warning does not refuse a submission.
    pub warning: bool,
}

/// A term of a sum in a check.
#[derive(Clone, Debug)]
pub struct Term {
    /// Subtracted rather than added.
    pub minus: bool,
    /// A field or a number.
    pub operand: Operand,
}

/// A field or a number.
#[derive(Clone, Debug)]
pub enum Operand {
    /// A field of the form.
    Field(Name),
    /// A number, as written.
    Number(Spanned<String>),
}

/// `ledger NAME ["title"] { from …; to …; field …; close within 30d }`: a list units keep.
#[derive(Clone, Debug)]
pub struct LedgerDecl {
    /// The whole declaration.
    pub span: Span,
    /// Its name.
    pub name: Name,
    /// Title as the document gives it.
    pub title: Option<Name>,
    /// Its statements as a report's (from, to, review, signers, close …).
    pub stmts: Vec<Spanned<ReportStmt>>,
    /// Its fields and checks, as a form's.
    pub fields: Vec<Spanned<FormStmt>>,
    /// Declared as `instructions` (`批示`): its rows are a leader's instructions, each with the
    /// instruction's own fields before the declared ones.
    pub instructions: bool,
}

/// When a ledger's row must be closed out.
#[derive(Clone, Debug)]
pub enum RowDueExpr {
    /// So long after the row is entered (`录入后30日`, `within 30d`).
    AfterEntry(Duration),
    /// By a date (`2023年10月31日前`).
    By(Spanned<DateExpr>),
}
