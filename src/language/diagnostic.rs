//! Problems found in a campaign file: what each says (`error: …`), where it is, and a `help:`
//! line where a fix can be suggested. How they are drawn against the source is `sources.rs`.

use std::fmt;

use super::ast::Span;
pub use super::sources::Sources;

/// Diagnostics rendered for one file at most; the rest are counted.
pub const SHOWN: usize = 20;

/// A message longer than this is cut even when nothing else limits it: a name in it may be a
/// whole runaway line of the file.
const RUNAWAY: usize = 1000;

/// A message cut to `width` display columns (a CJK character is two), marked `…`; `None` cuts
/// only a runaway one.
pub(super) fn short(text: &str, width: Option<usize>) -> String {
    use unicode_width::UnicodeWidthChar;
    let limit = width.unwrap_or(RUNAWAY);
    let columns = |c: char| {
        if width.is_some() {
            c.width().unwrap_or(0)
        } else {
            1
        }
    };
    if text.chars().map(columns).sum::<usize>() <= limit {
        return text.to_string();
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in text.chars() {
        used += columns(c);
        if used >= limit {
            break;
        }
        cut.push(c);
    }
    cut.push('…');
    cut
}

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; the campaign still compiles.
    Warning,
    /// The campaign cannot be compiled.
    Error,
}

/// What kind of named thing a name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// A unit.
    Unit,
    /// A group of units.
    Group,
    /// A unit or a group.
    UnitOrGroup,
    /// A phase.
    Phase,
    /// A deliverable (report, measure, target).
    Deliverable,
    /// A rectification item.
    Item,
    /// A phase or a deliverable (what a relative deadline may count from).
    PhaseOrDeliverable,
    /// A form.
    Form,
    /// A field of a form.
    Field,
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameKind::Unit => "unit",
            NameKind::Group => "group",
            NameKind::UnitOrGroup => "unit or group",
            NameKind::Phase => "phase",
            NameKind::Deliverable => "deliverable",
            NameKind::Item => "item",
            NameKind::PhaseOrDeliverable => "phase or deliverable",
            NameKind::Form => "form",
            NameKind::Field => "field",
        })
    }
}

/// Every problem the language stages can report. The message is the `Display` text; where the
/// problem is and what would fix it travel in [`Diagnostic`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The text does not follow the grammar.
    #[error("expected {expected}, found {found}")]
    Syntax {
        /// What the grammar allowed here, in words.
        expected: String,
        /// What is there, in words.
        found: String,
    },
    /// A statement starts with a word that is no keyword.
    #[error("unknown keyword `{word}`")]
    UnknownKeyword {
        /// The word.
        word: String,
    },
    /// A keyword used where its statement is not allowed.
    #[error("`{word}` cannot be used inside {context}")]
    MisplacedKeyword {
        /// The keyword.
        word: String,
        /// Where it was found (`a report block`).
        context: &'static str,
    },
    /// A `}` without a `{`.
    #[error("unmatched `}}`")]
    UnmatchedBrace,
    /// Blocks nested deeper than any campaign needs.
    #[error("blocks are nested more than {limit} deep")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// A `{` that is never closed.
    #[error("this `{{` is never closed")]
    UnclosedBrace,
    /// The file is larger than the parser's budget allows.
    #[error("this file is too complex to parse")]
    TooComplex,
    /// A name that refers to nothing declared.
    #[error("unknown {kind} `{name}`")]
    UnknownName {
        /// What was expected.
        kind: NameKind,
        /// The name.
        name: String,
    },
    /// A name that refers to something of the wrong kind.
    #[error("`{name}` is a {found}, not a {expected}")]
    WrongKind {
        /// The name.
        name: String,
        /// What it is.
        found: NameKind,
        /// What was expected here.
        expected: NameKind,
    },
    /// The same name declared twice.
    #[error("{kind} `{name}` is defined twice")]
    Duplicate {
        /// What it is.
        kind: NameKind,
        /// The name.
        name: String,
    },
    /// A `formerly` name that a deliverable has now.
    #[error(
        "`{name}` is the name of a deliverable now; `formerly` names what it was called before"
    )]
    FormerNameInUse {
        /// The name.
        name: String,
    },
    /// A statement given twice in one block.
    #[error("`{statement}` is given twice")]
    DuplicateStatement {
        /// The statement keyword.
        statement: &'static str,
    },
    /// A statement a block needs is missing.
    #[error("{what} has no `{statement}`")]
    MissingStatement {
        /// The block (`report 统计表`).
        what: String,
        /// The missing statement keyword.
        statement: &'static str,
    },
    /// No `campaign` block in the file.
    #[error("this file has no `campaign` block")]
    MissingCampaign,
    /// More than one `campaign` block.
    #[error("a file holds one campaign, but this is a second `campaign` block")]
    SecondCampaign,
    /// A date that does not exist.
    #[error("{text} is not a date")]
    InvalidDate {
        /// The date as written.
        text: String,
    },
    /// A Chinese date without its year.
    #[error("this date has no year")]
    YearlessDate,
    /// A value that cannot be used (a name on two lines, a malformed mail address).
    #[error("{message}")]
    Invalid {
        /// What is wrong.
        message: String,
    },
    /// A date form that does not fit where it is used.
    #[error("{message}")]
    DateForm {
        /// What is wrong.
        message: String,
    },
    /// A window whose end is before its start.
    #[error("this window ends ({end}) before it starts ({start})")]
    WindowReversed {
        /// Its first day.
        start: String,
        /// Its last day.
        end: String,
    },
    /// A group of the directory's units, where there is no directory.
    #[error(
        "group `{name}` takes its units from the office's directory, which is empty: import the office's 通讯录 with `duban units import FILE`"
    )]
    NoDirectory {
        /// The group.
        name: String,
    },
    /// A unit the directory does not have (or has retired).
    #[error("the office's directory has no unit `{name}`{}", nearest.as_ref().map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default())]
    NotInDirectory {
        /// As written.
        name: String,
        /// The nearest name it has.
        nearest: Option<String>,
    },
    /// A campaign bound to the directory (`通讯录 ROOT`) where there is none.
    #[error(
        "the campaign's units are the office directory's under `{root}`, and the directory is empty: import the office's 通讯录 with `duban units import FILE`"
    )]
    BoundWithoutDirectory {
        /// The unit named.
        root: String,
    },
    /// A unit of a campaign bound to the directory that is not under its root.
    #[error("unit `{name}` is not in the office's directory under `{root}`{}", nearest.as_ref().map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default())]
    NotUnderRoot {
        /// The unit.
        name: String,
        /// The campaign's root.
        root: String,
        /// The nearest name under it.
        nearest: Option<String>,
    },
    /// A unit of a campaign bound to the directory whose name two units under its root have.
    #[error("the office's directory has {} units named `{name}` under `{root}` (codes {}): rename one in the directory, or bind the campaign to a unit lower down", codes.len(), codes.join(", "))]
    TwiceUnderRoot {
        /// The unit.
        name: String,
        /// The campaign's root.
        root: String,
        /// Their codes.
        codes: Vec<String>,
    },
    /// A name two of the directory's units have.
    #[error("the office's directory has {} units named `{name}` (codes {}): name the one meant by its code", codes.len(), codes.join(", "))]
    AmbiguousInDirectory {
        /// As written.
        name: String,
        /// Their codes.
        codes: Vec<String>,
    },
    /// Two of a directory group's units with one name: a campaign names each unit once.
    #[error("group `{group}` would have {} units named `{name}` (codes {}): a campaign names each unit once — narrow the group, or rename one in the directory", codes.len(), codes.join(", "))]
    SameNameInDirectory {
        /// The group.
        group: String,
        /// The name.
        name: String,
        /// Their codes.
        codes: Vec<String>,
    },
    /// A group with no members.
    #[error("group `{name}` is empty")]
    EmptyGroup {
        /// The group.
        name: String,
    },
    /// A group that contains itself.
    #[error("group `{name}` contains itself")]
    GroupCycle {
        /// The group.
        name: String,
    },
    /// A unit that is its own ancestor.
    #[error("unit `{name}` is its own parent")]
    ParentCycle {
        /// The unit.
        name: String,
    },
    /// A relative deadline that depends on itself.
    #[error("the deadline of `{name}` refers to itself: {path}")]
    DeadlineCycle {
        /// The deliverable.
        name: String,
        /// The circle, `方案 → 总结 → 方案`.
        path: String,
    },
    /// A relative deadline anchored on a recurring deliverable.
    #[error("`{name}` recurs, so it has no single deadline to count from")]
    AnchorRecurs {
        /// The anchor deliverable.
        name: String,
    },
    /// A cadence that yields nothing.
    #[error("the cadence of `{name}` has no occurrence between {from} and {to}")]
    NoOccurrence {
        /// The deliverable.
        name: String,
        /// The first day considered.
        from: String,
        /// The last day considered.
        to: String,
    },
    /// A cadence that yields too much to be meant.
    #[error("the cadence of `{name}` has more than {limit} occurrences")]
    TooManyOccurrences {
        /// The deliverable.
        name: String,
        /// The limit.
        limit: usize,
    },
    /// A cadence whose pieces do not fit together.
    #[error("{message}")]
    Cadence {
        /// What does not fit.
        message: String,
    },
    /// A one-off deadline outside the campaign period (a warning).
    #[error("`{name}` is due on {date}, outside the campaign period {start} – {end}")]
    OutsideCampaign {
        /// The deliverable.
        name: String,
        /// Its due date.
        date: String,
        /// Campaign start.
        start: String,
        /// Campaign end.
        end: String,
    },
    /// A one-off deadline tied to a phase (`during`) that falls outside it (a warning).
    #[error("`{name}` is due on {date}, outside its phase `{phase}` ({start} – {end})")]
    OutsidePhase {
        /// The deliverable.
        name: String,
        /// Its due date.
        date: String,
        /// The phase.
        phase: String,
        /// The phase's first day.
        start: String,
        /// The phase's last day (— when open-ended).
        end: String,
    },
    /// A cadence's first occurrence covers a period that ends before the campaign starts
    /// (`每月 下月5日前` in a campaign from 1 March: its 5 March report covers February).
    #[error(
        "the first `{name}`, due {date}, covers {period}, which ends before the campaign starts ({start})"
    )]
    PeriodBeforeCampaign {
        /// The deliverable.
        name: String,
        /// Its first due date.
        date: String,
        /// The period it covers.
        period: String,
        /// Campaign start.
        start: String,
    },
    /// An occurrence of a per-phase cadence that would fall after the campaign (a warning): it
    /// is left out, as a calendar cadence's would be.
    #[error(
        "`{name}` for phase `{phase}` would be due on {date}, after the campaign ends ({end}): it is left out"
    )]
    PhaseReportAfterCampaign {
        /// The deliverable.
        name: String,
        /// The phase it reports on.
        phase: String,
        /// When it would be due.
        date: String,
        /// Campaign end.
        end: String,
    },
    /// A phase that runs outside the campaign's period (a warning).
    #[error(
        "phase `{name}` runs {start} – {end}, outside the campaign period {campaign_start} – {campaign_end}"
    )]
    PhaseOutsideCampaign {
        /// The phase.
        name: String,
        /// Its first day.
        start: String,
        /// Its last day.
        end: String,
        /// Campaign start.
        campaign_start: String,
        /// Campaign end.
        campaign_end: String,
    },
    /// A deadline in a year the holiday calendar does not know (a warning).
    #[error("no holiday calendar for {year}: {what} on {date} assumes no holidays that year")]
    UnknownYear {
        /// The year.
        year: i32,
        /// What falls there.
        what: String,
        /// The date.
        date: String,
    },
    /// A time zone chrono-tz does not know.
    #[error("unknown time zone `{name}`")]
    UnknownZone {
        /// As written.
        name: String,
    },
    /// A number out of range.
    #[error("{message}")]
    OutOfRange {
        /// What is out of range.
        message: String,
    },
    /// A reviewer is needed but none is declared.
    #[error("`{unit}` must have its submission reviewed, but has no `reviewer`")]
    NoReviewer {
        /// The submitting unit.
        unit: String,
    },
    /// A comment marked `待确认` (to confirm): a reading the drafter made (a year, a day, a
    /// recipient the document does not give), left for a person to confirm.
    #[error("a reading to confirm: {reading}")]
    ToConfirm {
        /// The comment's words.
        reading: String,
    },
    /// A review in levels names one unit at two levels: it would decide twice.
    #[error("`{unit}` reviews `{deliverable}` at two levels; each level is another unit's")]
    ReviewsTwice {
        /// The unit named twice.
        unit: String,
        /// The deliverable.
        deliverable: String,
    },
    /// `review within` on a report nobody reviews.
    #[error("`{deliverable}` gives its reviewer a time limit, but is not reviewed")]
    ReviewWithinWithoutReview {
        /// The deliverable.
        deliverable: String,
    },
    /// A role a remind rule names that cannot be resolved.
    #[error("{message}")]
    Policy {
        /// What is wrong.
        message: String,
    },
    /// The contacts file could not be used.
    #[error("contacts file `{path}`: {message}")]
    ContactsFile {
        /// Its path as written.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// A problem at a place in a file, with what would help fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub problem: Problem,
    /// Which file (an index into [`Sources`]).
    pub file: usize,
    /// Where.
    pub span: Span,
    /// Short text under the carets.
    pub label: Option<String>,
    /// Other places that explain it (`first defined here`).
    pub notes: Vec<(Span, String)>,
    /// A suggested fix.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span` of file 0.
    pub fn error(problem: Problem, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            problem,
            file: 0,
            span,
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    /// A warning at `span` of file 0.
    pub fn warning(problem: Problem, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(problem, span)
        }
    }

    /// Adds the text shown under the carets.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Adds a secondary place.
    pub fn with_note(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.notes.push((span, text.into()));
        self
    }

    /// Adds a suggested fix, if there is one.
    pub fn with_help(mut self, help: Option<String>) -> Diagnostic {
        self.help = help;
        self
    }

    /// Moves it to another file.
    pub fn in_file(mut self, file: usize) -> Diagnostic {
        self.file = file;
        self
    }

    /// Whether this stops compilation.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carets_line_up_under_chinese_text() {
        let mut sources = Sources::new();
        let text = "from 宛城区 卧龙去\n";
        sources.add("x.campaign", text);
        let start = text.find("卧龙去").unwrap();
        let d = Diagnostic::error(
            Problem::UnknownName {
                kind: NameKind::Unit,
                name: "卧龙去".into(),
            },
            Span::new(start, start + "卧龙去".len()),
        );
        let out = sources.render(&[d], false);
        let lines: Vec<&str> = out.lines().collect();
        let source = lines.iter().find(|l| l.starts_with("1 ")).unwrap();
        let carets = lines.iter().find(|l| l.contains('^')).unwrap();
        let col =
            |s: &str, pat: &str| unicode_width::UnicodeWidthStr::width(&s[..s.find(pat).unwrap()]);
        assert_eq!(col(source, "卧龙去"), col(carets, "^"), "{out}");
        assert_eq!(
            carets.matches('^').count(),
            6,
            "three wide characters take six columns"
        );
        // Columns count characters, as an editor shows them.
        assert!(out.contains("x.campaign:1:10"), "{out}");
    }

    #[test]
    fn spans_past_the_end_do_not_panic() {
        let mut sources = Sources::new();
        sources.add("x", "一二");
        let d = Diagnostic::error(Problem::MissingCampaign, Span::new(1, 99));
        assert!(sources.render(&[d], false).contains("error"));
    }
}
