//! A model test of the ledger (issue 24, item 4), after taskchampion's operation tests: random
//! sequences of acts — submit (with and without `replace`, signed or not, with a review time of
//! its own or not), accept, send back, return, extend, waive, update — at random times, some
//! dated before the obligation's last act, some typed in later (补录), some two at once in one
//! `apply_all`, applied through the store. After every step the store must agree with a model
//! written here from the rules as the documents state them (not from `ledger::transition`):
//! the act's success (its status, deadline and reviewer waited for right after) or its
//! refusal, by kind and with the fields a person is shown; and, at the step's instant and at a
//! random later one, `status`'s counts per unit and report, each obligation's status and history
//! (kinds, times, 补录, what the event's data says), the `overdue` listing with its days and
//! what falls due within a week.
//!
//! Not covered here: acts on an obligation removed from its campaign file, the rows of a ledger
//! (an update is tried on ordinary obligations), files and values kept with a submission.
//!
//! Size: [`CASES`] (64) sequences of up to [`STEPS`] (12) steps — a step one act, or one in six
//! two — per engine, each sequence on a campaign of its own in the same database: a few seconds
//! on SQLite, some more on PostgreSQL. `PROPTEST_CASES=1000` tries more. proptest shrinks a
//! failure to its shortest sequence and prints it.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use duban::clock::{Instant, from_unix};
use duban::ledger::{Action, Refusal, Signature, Status, Submission};
use duban::store::{Backend, Filter, Key, Meta, StoreError, Window};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Sequences per engine.
const CASES: u32 = 64;
/// Steps per sequence, at most.
const STEPS: usize = 12;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// The window of the `due_within` listing, in days.
const WEEK: i64 = 7;
/// 2017-04-01 00:00 UTC: the campaign's first day.
const START: i64 = 1_491_004_800;

/// Two units and a reviewer; a one-off reviewed by 审核组 with its own reminder window, a
/// monthly report, a one-off two roles must sign. In UTC, with deadlines on workdays and held
/// to the stated day, so that each deadline is the end of its date.
fn campaign(name: &str) -> String {
    format!(
        "campaign {name} {{
  period 2017-04-01 .. 2017-05-31
  zone UTC
  holidays strict
}}
unit 甲
unit 乙
unit 审核组
report 方案 {{
  from 甲 乙
  due 2017-04-14
  review by 审核组
  remind {{ before 5d at 09:00 }}
}}
report 月报 {{ from 甲; due every month by day 25 }}
report 清单 {{ from 乙; due 2017-05-05; signers 书记 经办人 }}
"
    )
}

/// An obligation of [`campaign`], as the model knows it.
struct Spec {
    deliverable: &'static str,
    unit: &'static str,
    period: Option<&'static str>,
    /// The stated due date (year, month, day).
    due: (i32, u32, u32),
    /// Whether a submission waits for a reviewer.
    reviewed: bool,
    /// The roles that must sign.
    signers: &'static [&'static str],
    /// How many days before its deadline it is due soon (3 by default).
    soon_days: i64,
}

/// Every obligation of [`campaign`].
const OBLIGATIONS: [Spec; 5] = [
    Spec {
        deliverable: "方案",
        unit: "甲",
        period: None,
        due: (2017, 4, 14),
        reviewed: true,
        signers: &[],
        soon_days: 5,
    },
    Spec {
        deliverable: "方案",
        unit: "乙",
        period: None,
        due: (2017, 4, 14),
        reviewed: true,
        signers: &[],
        soon_days: 5,
    },
    Spec {
        deliverable: "月报",
        unit: "甲",
        period: Some("2017-04"),
        due: (2017, 4, 25),
        reviewed: false,
        signers: &[],
        soon_days: 3,
    },
    Spec {
        deliverable: "月报",
        unit: "甲",
        period: Some("2017-05"),
        due: (2017, 5, 25),
        reviewed: false,
        signers: &[],
        soon_days: 3,
    },
    Spec {
        deliverable: "清单",
        unit: "乙",
        period: None,
        due: (2017, 5, 5),
        reviewed: false,
        signers: &["书记", "经办人"],
        soon_days: 3,
    },
];

/// The roles a submission may carry signatures of.
const ROLES: [&str; 3] = ["书记", "经办人", "主任"];

fn date((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The instant a day ends in UTC: a deadline on `day` is missed from then.
fn end_of(day: NaiveDate) -> i64 {
    (day + Days::new(1))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

/// Where an obligation stands, in the model's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Nothing counted yet.
    Owed,
    /// Sent back, by its reviewer or the office: owed again.
    SentBack,
    /// Submitted, waiting for its reviewer.
    InReview,
    /// Submitted and counted.
    Counted,
    /// Excused.
    Excused,
}

/// An act the model recorded, and what its history event must say.
#[derive(Clone, Debug)]
struct Done {
    kind: &'static str,
    at: i64,
    /// Typed in more than ten minutes after it was done.
    backfilled: bool,
    /// An extension's new last day.
    until: Option<NaiveDate>,
    /// A reviewed submission's own review deadline.
    review_due: Option<i64>,
    /// What the event's data must say, as [`detail`] writes it.
    detail: String,
}

/// An obligation as it stood at an instant, folded from the acts done by then.
#[derive(Clone, Copy, Debug)]
struct Then {
    stage: Stage,
    /// The counting (last) submission.
    submitted: Option<i64>,
    /// The deadline in force: the end of the stated day, or of the extension's.
    deadline: i64,
    /// The extension's last day, if any.
    until: Option<NaiveDate>,
    review_due: Option<i64>,
}

impl Then {
    /// When a waiting review is late: its own time, else the deadline in force, but never less
    /// than a day after the report came.
    fn review_deadline(&self) -> i64 {
        self.review_due
            .unwrap_or_else(|| self.deadline.max(self.submitted.unwrap() + DAY))
    }

    fn closed(&self) -> bool {
        matches!(
            self.stage,
            Stage::InReview | Stage::Counted | Stage::Excused
        )
    }
}

/// What the model expects the store to refuse, with the fields it can know.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Refused {
    BeforeLastAct,
    Waived,
    AlreadySubmitted,
    MissingSignatures(Vec<String>),
    NotUnderReview(Status),
    NothingToReturn(Status),
    NotOwed(Status),
    NotLater(NaiveDate, String),
    AlreadyWaived,
    SubmittedNotWaivable,
    AskedTooLate(String),
    /// Anything else: never expected.
    Other(String),
}

impl Refused {
    fn of(refusal: &Refusal) -> Refused {
        match refusal {
            Refusal::BeforeLastAct { .. } => Refused::BeforeLastAct,
            Refusal::Waived { .. } => Refused::Waived,
            Refusal::AlreadySubmitted { .. } => Refused::AlreadySubmitted,
            Refusal::MissingSignatures { missing, .. } => {
                Refused::MissingSignatures(missing.clone())
            }
            Refusal::NotUnderReview { status, .. } => Refused::NotUnderReview(*status),
            Refusal::NothingToReturn { status, .. } => Refused::NothingToReturn(*status),
            Refusal::NotOwed { status, .. } => Refused::NotOwed(*status),
            Refusal::NotLater { until, current } => Refused::NotLater(*until, current.clone()),
            Refusal::AlreadyWaived { .. } => Refused::AlreadyWaived,
            Refusal::SubmittedNotWaivable { .. } => Refused::SubmittedNotWaivable,
            Refusal::AskedTooLate { due, .. } => Refused::AskedTooLate(due.clone()),
            other => Refused::Other(format!("{other:?}")),
        }
    }
}

/// The data of a history event, as far as the model knows it.
fn detail(kind: &str, data: &serde_json::Value) -> String {
    let field = |name: &str| data.get(name).map_or("-".to_string(), |v| v.to_string());
    match kind {
        "submitted" => format!(
            "replaces={} review_due_at={}",
            field("replaces"),
            field("review_due_at")
        ),
        "review_accepted" => format!("reviewed_late={}", field("reviewed_late")),
        "extended" | "extension_asked" => {
            format!("from={} until={}", field("from"), field("until"))
        }
        _ => String::new(),
    }
}

/// The model: each obligation's acts, in order.
#[derive(Clone, Debug, Default)]
struct Model {
    acts: [Vec<Done>; 5],
}

impl Model {
    /// Obligation `i` as it stood at `t`: only acts done by then count.
    fn then(&self, i: usize, t: i64) -> Then {
        let spec = &OBLIGATIONS[i];
        let mut then = Then {
            stage: Stage::Owed,
            submitted: None,
            deadline: end_of(date(spec.due)),
            until: None,
            review_due: None,
        };
        for done in self.acts[i].iter().filter(|d| d.at <= t) {
            match done.kind {
                "submitted" => {
                    then.stage = if spec.reviewed {
                        Stage::InReview
                    } else {
                        Stage::Counted
                    };
                    then.submitted = Some(done.at);
                    then.review_due = done.review_due;
                }
                "review_accepted" => then.stage = Stage::Counted,
                "review_returned" | "returned" => then.stage = Stage::SentBack,
                "extended" => {
                    let until = done.until.unwrap();
                    then.until = Some(until);
                    then.deadline = end_of(until);
                }
                "waived" => then.stage = Stage::Excused,
                "updated" | "chased" | "extension_asked" | "extension_declined"
                | "acknowledged" => {}
                other => unreachable!("the model records no {other}"),
            }
        }
        then
    }

    /// Obligation `i` after every act recorded.
    fn now(&self, i: usize) -> Then {
        self.then(i, i64::MAX)
    }

    /// The due date in force of obligation `i`, as units are told it.
    fn due_date(&self, i: usize) -> NaiveDate {
        self.now(i).until.unwrap_or(date(OBLIGATIONS[i].due))
    }

    /// The status of obligation `i` at `t`.
    fn status(&self, i: usize, t: i64) -> Status {
        let then = self.then(i, t);
        match then.stage {
            Stage::Excused => Status::Waived,
            Stage::InReview if t >= then.review_deadline() => Status::ReviewOverdue,
            Stage::InReview => Status::UnderReview,
            Stage::Counted if then.submitted.unwrap() < then.deadline => Status::SubmittedOnTime,
            Stage::Counted => Status::SubmittedLate,
            Stage::Owed | Stage::SentBack => {
                if t >= then.deadline {
                    Status::Overdue
                } else if then.stage == Stage::SentBack {
                    Status::Returned
                } else if then.until.is_some() {
                    Status::Extended
                } else if t >= then.deadline - OBLIGATIONS[i].soon_days * DAY {
                    Status::DueSoon
                } else {
                    Status::NotYetDue
                }
            }
        }
    }

    /// Records `action` on obligation `i`, done at `at` and typed in at `recorded_at`, or says
    /// why the records refuse it.
    fn act(&mut self, i: usize, action: &Action, at: i64, recorded_at: i64) -> Result<(), Refused> {
        let spec = &OBLIGATIONS[i];
        if self.acts[i].last().is_some_and(|last| at < last.at) {
            return Err(Refused::BeforeLastAct);
        }
        let now = self.now(i);
        let status = self.status(i, at);
        let mut done = Done {
            kind: "",
            at,
            backfilled: recorded_at - at > 600,
            until: None,
            review_due: None,
            detail: String::new(),
        };
        match action {
            Action::Submit(submission) => {
                match now.stage {
                    Stage::Excused => return Err(Refused::Waived),
                    Stage::InReview | Stage::Counted if !submission.replace => {
                        return Err(Refused::AlreadySubmitted);
                    }
                    _ => {}
                }
                let missing: Vec<String> = spec
                    .signers
                    .iter()
                    .filter(|role| !submission.signatures.iter().any(|s| s.role == **role))
                    .map(|role| role.to_string())
                    .collect();
                if !missing.is_empty() {
                    return Err(Refused::MissingSignatures(missing));
                }
                done.kind = "submitted";
                done.review_due = submission.review_due_at.filter(|_| spec.reviewed);
                done.detail = format!(
                    "replaces={} review_due_at={}",
                    submission.replace && now.closed(),
                    done.review_due.map_or("-".to_string(), |d| d.to_string())
                );
            }
            Action::Accept { .. } | Action::Reject { .. } if now.stage != Stage::InReview => {
                return Err(Refused::NotUnderReview(status));
            }
            Action::Accept { .. } => {
                done.kind = "review_accepted";
                done.detail = format!("reviewed_late={}", at >= now.review_deadline());
            }
            Action::Reject { .. } => done.kind = "review_returned",
            Action::Return { .. } => match now.stage {
                Stage::InReview | Stage::Counted => done.kind = "returned",
                _ => return Err(Refused::NothingToReturn(status)),
            },
            Action::Extend { until, .. } => {
                if now.closed() {
                    return Err(Refused::NotOwed(status));
                }
                let from = self.due_date(i);
                if end_of(*until) <= now.deadline {
                    return Err(Refused::NotLater(*until, from.to_string()));
                }
                done.kind = "extended";
                done.until = Some(*until);
                done.detail = format!("from=\"{from}\" until=\"{until}\"");
            }
            Action::Waive { .. } => match now.stage {
                Stage::Excused => return Err(Refused::AlreadyWaived),
                Stage::Counted => return Err(Refused::SubmittedNotWaivable),
                _ => done.kind = "waived",
            },
            Action::Update { .. } => match now.stage {
                Stage::Owed | Stage::SentBack => done.kind = "updated",
                _ => return Err(Refused::NotOwed(status)),
            },
            Action::Chase { .. } => match now.stage {
                Stage::Owed | Stage::SentBack => done.kind = "chased",
                _ => return Err(Refused::NotOwed(status)),
            },
            // Asked before the deadline in force only, for a later day; the record unchanged.
            Action::AskExtension { until, .. } => {
                if now.closed() {
                    return Err(Refused::NotOwed(status));
                }
                let from = self.due_date(i);
                if at >= now.deadline {
                    return Err(Refused::AskedTooLate(from.to_string()));
                }
                if end_of(*until) <= now.deadline {
                    return Err(Refused::NotLater(*until, from.to_string()));
                }
                done.kind = "extension_asked";
                done.detail = format!("from=\"{from}\" until=\"{until}\"");
            }
            Action::DeclineExtension { .. } => {
                if now.closed() {
                    return Err(Refused::NotOwed(status));
                }
                done.kind = "extension_declined";
            }
            Action::Acknowledge => match now.stage {
                Stage::Owed | Stage::SentBack => done.kind = "acknowledged",
                _ => return Err(Refused::NotOwed(status)),
            },
        }
        self.acts[i].push(done);
        Ok(())
    }
}

/// An act as generated: turned into an [`Action`] against the model as it stands, since an
/// extension is to a day counted from the deadline in force.
#[derive(Clone, Debug)]
enum Act {
    Submit {
        replace: bool,
        /// Which of [`ROLES`] sign.
        signed: [bool; 3],
        /// A review time of its own, in hours after the submission.
        review_hours: Option<i64>,
    },
    Accept,
    Reject,
    Return,
    /// To the deadline in force moved by this many days (not later if ≤ 0).
    Extend(i64),
    Waive,
    Update,
    Chase,
    /// More time asked for: the deadline in force moved by this many days.
    Ask(i64),
    Decline,
    Acknowledge,
}

impl Act {
    fn action(&self, model: &Model, i: usize, at: i64) -> Action {
        let reason = || "核实".to_string();
        match self {
            Act::Submit {
                replace,
                signed,
                review_hours,
            } => Action::Submit(Submission {
                replace: *replace,
                signatures: ROLES
                    .iter()
                    .zip(signed)
                    .filter(|(_, s)| **s)
                    .map(|(role, _)| Signature {
                        name: "张三".into(),
                        role: role.to_string(),
                    })
                    .collect(),
                review_due_at: review_hours.map(|h| at + h * HOUR),
                ..Submission::default()
            }),
            Act::Accept => Action::Accept {
                next_review_due: None,
                by: None,
            },
            Act::Reject => Action::Reject { reason: reason() },
            Act::Return => Action::Return { reason: reason() },
            Act::Extend(days) => Action::Extend {
                until: model
                    .due_date(i)
                    .checked_add_signed(chrono::Duration::days(*days))
                    .unwrap(),
                reason: reason(),
            },
            Act::Waive => Action::Waive { reason: reason() },
            Act::Update => Action::Update { values: Vec::new() },
            Act::Chase => Action::Chase { forced: false },
            Act::Ask(days) => Action::AskExtension {
                until: model
                    .due_date(i)
                    .checked_add_signed(chrono::Duration::days(*days))
                    .unwrap(),
                reason: reason(),
            },
            Act::Decline => Action::DeclineExtension { reason: reason() },
            Act::Acknowledge => Action::Acknowledge,
        }
    }
}

/// One step: the clock moves by `dt` (back, too), then one or two acts are recorded at once,
/// typed in `typed_later` seconds after; the records are then looked at then and `look_ahead`
/// later.
#[derive(Clone, Debug)]
struct Step {
    dt: i64,
    typed_later: i64,
    acts: Vec<(usize, Act)>,
    look_ahead: i64,
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        4 => (any::<bool>(), signed(), prop::option::of(1i64..96)).prop_map(
            |(replace, signed, review_hours)| Act::Submit { replace, signed, review_hours }
        ),
        2 => Just(Act::Accept),
        1 => Just(Act::Reject),
        2 => Just(Act::Return),
        2 => (-3i64..12).prop_map(Act::Extend),
        1 => Just(Act::Waive),
        1 => Just(Act::Update),
        1 => Just(Act::Chase),
        1 => (-2i64..8).prop_map(Act::Ask),
        1 => Just(Act::Decline),
        1 => Just(Act::Acknowledge),
    ]
}

/// Mostly every role that must sign, sometimes any.
fn signed() -> impl Strategy<Value = [bool; 3]> {
    prop_oneof![3 => Just([true, true, false]), 1 => any::<[bool; 3]>()]
}

/// An obligation, the first two more often than the others, so that acts on one follow each
/// other (a submission, its review, a return, a second submission).
fn which() -> impl Strategy<Value = usize> {
    prop_oneof![3 => Just(0usize), 2 => Just(2usize), 1 => 0..OBLIGATIONS.len()]
}

fn step() -> impl Strategy<Value = Step> {
    let one = || (which(), act());
    (
        prop_oneof![1 => Just(0i64), 6 => (-48i64..96).prop_map(|h| h * HOUR)],
        prop_oneof![3 => Just(0i64), 1 => Just(600i64), 1 => Just(601i64), 1 => Just(30 * DAY)],
        prop_oneof![5 => prop::collection::vec(one(), 1), 1 => prop::collection::vec(one(), 2)],
        (0i64..30 * 24).prop_map(|h| h * HOUR),
    )
        .prop_map(|(dt, typed_later, acts, look_ahead)| Step {
            dt,
            typed_later,
            acts,
            look_ahead,
        })
}

fn key(campaign: &str, i: usize) -> Key<'_> {
    let spec = &OBLIGATIONS[i];
    Key {
        campaign,
        deliverable: spec.deliverable,
        unit: spec.unit,
        period: spec.period,
    }
}

/// `status`'s counts, as (due, on time, late, under review, of those overdue, waived, overdue,
/// due soon, upcoming).
type Counts = [usize; 9];

/// Everything the records say of campaign `name` at `t` that the model predicts, against what
/// it predicts.
fn compare(b: &impl Backend, model: &Model, name: &str, t: i64) -> Result<(), TestCaseError> {
    let at = Instant::Absolute(from_unix(t));
    let filter = Filter {
        campaigns: vec![name.to_string()],
        ..Filter::default()
    };

    let mut expected: BTreeMap<(String, String), Counts> = BTreeMap::new();
    for (i, spec) in OBLIGATIONS.iter().enumerate() {
        let counts = expected
            .entry((spec.unit.to_string(), spec.deliverable.to_string()))
            .or_default();
        let slot = match model.status(i, t) {
            Status::SubmittedOnTime => 1,
            Status::SubmittedLate => 2,
            Status::UnderReview => 3,
            Status::ReviewOverdue => {
                counts[3] += 1;
                4
            }
            Status::Waived => 5,
            Status::Overdue => 6,
            Status::DueSoon => 7,
            Status::NotYetDue | Status::Extended | Status::Returned => 8,
        };
        counts[slot] += 1;
        // Due: its deadline has passed, or it was dealt with.
        if !matches!(slot, 7 | 8) {
            counts[0] += 1;
        }
    }
    let found: BTreeMap<(String, String), Counts> = b
        .status(&filter, at)
        .unwrap()
        .into_iter()
        .map(|r| {
            let counts = [
                r.due,
                r.on_time,
                r.late,
                r.under_review,
                r.review_overdue,
                r.waived,
                r.overdue,
                r.due_soon,
                r.upcoming,
            ];
            ((r.unit, r.deliverable), counts)
        })
        .collect();
    prop_assert_eq!(found, expected, "status at {}", t);

    for (i, spec) in OBLIGATIONS.iter().enumerate() {
        let (status, events) = b.history(&key(name, i), at).unwrap();
        prop_assert_eq!(
            status,
            model.status(i, t),
            "{} {} {:?} at {}",
            spec.deliverable,
            spec.unit,
            spec.period,
            t
        );
        let found: Vec<String> = events
            .iter()
            .map(|e| {
                let at = chrono::DateTime::parse_from_rfc3339(&e.at)
                    .unwrap()
                    .timestamp();
                let bf = if e.backfilled { " 补录" } else { "" };
                format!("{} {at}{bf} {}", e.kind, detail(&e.kind, &e.data))
            })
            .collect();
        let expected: Vec<String> = model.acts[i]
            .iter()
            .filter(|d| d.at <= t)
            .map(|d| {
                let bf = if d.backfilled { " 补录" } else { "" };
                format!("{} {}{bf} {}", d.kind, d.at, d.detail)
            })
            .collect();
        prop_assert_eq!(
            found,
            expected,
            "history of {} {} {:?} at {}",
            spec.deliverable,
            spec.unit,
            spec.period,
            t
        );
    }

    let mut found: Vec<String> = b
        .overdue(&filter, at)
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {:?} {} {} {}",
                r.deliverable,
                r.unit,
                r.period.as_deref(),
                r.due_date,
                r.status,
                r.days_overdue
            )
        })
        .collect();
    found.sort();
    let day = from_unix(t).date_naive();
    let mut expected: Vec<String> = (0..OBLIGATIONS.len())
        .filter(|&i| model.status(i, t) == Status::Overdue)
        .map(|i| {
            let spec = &OBLIGATIONS[i];
            let due = model.then(i, t).until.unwrap_or(date(spec.due));
            let word = if model.then(i, t).stage == Stage::SentBack {
                "returned"
            } else {
                "overdue"
            };
            format!(
                "{} {} {:?} {due} {word} {}",
                spec.deliverable,
                spec.unit,
                spec.period,
                (day - due).num_days()
            )
        })
        .collect();
    expected.sort();
    prop_assert_eq!(found, expected, "overdue at {}", t);

    // Falling due within a week: still owed, its deadline in force after `t` and on one of the
    // next seven days (or today).
    let mut found: Vec<String> = b
        .due_within(&filter, at, Window::Days(WEEK))
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {:?} {} {:?} {}",
                r.deliverable,
                r.unit,
                r.period.as_deref(),
                r.due_date,
                r.status,
                r.days_left
            )
        })
        .collect();
    found.sort();
    let mut expected: Vec<String> = (0..OBLIGATIONS.len())
        .filter_map(|i| {
            let spec = &OBLIGATIONS[i];
            let status = model.status(i, t);
            let due = model.then(i, t).until.unwrap_or(date(spec.due));
            let days_left = (due - day).num_days();
            let owed = matches!(
                status,
                Status::NotYetDue | Status::DueSoon | Status::Extended | Status::Returned
            );
            (owed && days_left <= WEEK).then(|| {
                format!(
                    "{} {} {:?} {due} {status:?} {days_left}",
                    spec.deliverable, spec.unit, spec.period
                )
            })
        })
        .collect();
    expected.sort();
    prop_assert_eq!(found, expected, "due within a week of {}", t);
    Ok(())
}

/// One sequence, on a campaign of its own.
fn run(b: &mut impl Backend, name: &str, start: i64, steps: &[Step]) -> Result<(), TestCaseError> {
    super::sync_named(b, name, &campaign(name));
    let mut model = Model::default();
    compare(b, &model, name, start)?;
    let mut t = start;
    for (n, step) in steps.iter().enumerate() {
        t = (t + step.dt).max(START);
        let meta = Meta {
            at: t,
            recorded_at: t + step.typed_later,
            by: Some("模型".into()),
            note: None,
        };
        // All or none: the model tries the acts on a copy, kept only if every one is recorded.
        let mut trial = model.clone();
        let mut actions = Vec::new();
        let mut expected = Ok(Vec::new());
        for (i, act) in &step.acts {
            let action = act.action(&trial, *i, t);
            if let Ok(after) = &mut expected {
                match trial.act(*i, &action, meta.at, meta.recorded_at) {
                    Ok(()) => after.push((
                        trial.status(*i, t),
                        trial.due_date(*i).to_string(),
                        (trial.now(*i).stage == Stage::InReview).then(|| "审核组".to_string()),
                    )),
                    Err(refused) => expected = Err(refused),
                }
            }
            actions.push((key(name, *i), action));
        }
        let found = b.apply_all(&actions, meta);
        match (found, expected) {
            (Ok(changes), Ok(after)) => {
                let found: Vec<(Status, String, Option<String>)> = changes
                    .into_iter()
                    .map(|c| (c.status, c.due_date, c.waiting_for))
                    .collect();
                prop_assert_eq!(found, after, "step {}: {:?} at {}", n, step.acts, t);
                model = trial;
            }
            (Err(StoreError::Refused(refusal)), Err(refused)) => {
                prop_assert_eq!(
                    Refused::of(&refusal),
                    refused,
                    "step {}: {:?} at {}",
                    n,
                    step.acts,
                    t
                );
            }
            (found, expected) => {
                return Err(TestCaseError::fail(format!(
                    "step {n}: {:?} at {t}: the store says {found:?}, the model {expected:?}",
                    step.acts
                )));
            }
        }
        compare(b, &model, name, t)?;
        compare(b, &model, name, t + step.look_ahead)?;
    }
    Ok(())
}

pub fn the_ledger_does_what_its_model_does(b: impl Backend) {
    let backend = RefCell::new(b);
    let sequences = Cell::new(0u32);
    // More when asked (`PROPTEST_CASES=1000`), as proptest's own tests take it.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CASES);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        (0i64..30 * 24).prop_map(|h| START + h * HOUR),
        prop::collection::vec(step(), 1..=STEPS),
    );
    let outcome = runner.run(&strategy, |(start, steps)| {
        let n = sequences.get();
        sequences.set(n + 1);
        run(
            &mut *backend.borrow_mut(),
            &format!("model{n}"),
            start,
            &steps,
        )
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}
