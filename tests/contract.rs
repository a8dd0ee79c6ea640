//! The storage contract suite: what every backend of the store must do, written once against
//! the traits of `duban::store` (campaigns, ledger, queries, outbox) and run for each backend
//! by one line at the end (`storage_contract!`), the way taskchampion's `storage_tests!` is.

mod asof;
mod model;

use asof::the_record_at_an_instant_is_what_was_done_by_then;
use chrono::{DateTime, TimeZone, Utc};
use duban::clock::Instant;
use duban::ledger::{Action, Refusal, Status, Submission};
use duban::store::{
    Backend, Claim, FailedSignIns, Filter, ImportBatch, ImportError, ImportRow, Key, Meta,
    NewToken, NewUser, NoticeKey, OutboxMail, PgStore, Role, Skip, Source, Store, StoreError,
    SyncOutcome, Throttle, Turn, Window,
};
use model::the_ledger_does_what_its_model_does;

const CAMPAIGN: &str = "campaign c {
  period 2017-04-01 .. 2017-12-31
  zone UTC
  holidays strict
}
unit 甲
unit 乙
report 方案 { from 甲 乙; due 2017-04-14 }
report 月报 { from 甲; due every month by day 25 }
";

fn utc(text: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    Utc.from_utc_datetime(&naive)
}

fn at(text: &str) -> Instant {
    Instant::Absolute(utc(text))
}

fn meta(text: &str) -> Meta {
    let t = utc(text).timestamp();
    Meta {
        at: t,
        recorded_at: t,
        by: Some("张三".into()),
        note: None,
    }
}

fn key<'a>(deliverable: &'a str, unit: &'a str, period: Option<&'a str>) -> Key<'a> {
    Key {
        campaign: "c",
        deliverable,
        unit,
        period,
    }
}

fn submit() -> Action {
    Action::Submit(Submission::default())
}

/// Loads [`CAMPAIGN`] into `backend`; returns how it went and how many obligations it has.
fn sync(backend: &mut impl Backend) -> (SyncOutcome, usize) {
    sync_text(backend, CAMPAIGN, false).unwrap()
}

/// Loads campaign `text` into `backend` as the file [`CAMPAIGN`] came from.
fn sync_text(
    backend: &mut impl Backend,
    text: &str,
    accept_removals: bool,
) -> Result<(SyncOutcome, usize), StoreError> {
    let loaded = duban::language::load_text("c.campaign", text, None, |_| Ok(String::new()), &[]);
    let campaign = loaded.campaign.expect("the contract's campaign is valid");
    let calendar = duban::schedule::Calendar::official();
    let schedule = duban::schedule::compile(&campaign, calendar, None).unwrap();
    let source = Source {
        names: duban::fsio::Names::new(std::path::Path::new("/contract")),
        path: "/contract/c.campaign".into(),
        contacts: None,
        fingerprint: "f".into(),
        horizon_year: 2018,
        templates: None,
        stat: "s".into(),
        accept_removals,
    };
    let report = backend.sync(&schedule, &source, 0)?;
    Ok((report.outcome, schedule.len()))
}

/// Loads campaign `text`, whose identifier is `name`, into `backend` from a file of its own.
fn sync_named(backend: &mut impl Backend, name: &str, text: &str) {
    let loaded = duban::language::load_text(
        &format!("{name}.campaign"),
        text,
        None,
        |_| Ok(String::new()),
        &[],
    );
    let campaign = loaded.campaign.expect("a valid campaign");
    let schedule =
        duban::schedule::compile(&campaign, duban::schedule::Calendar::official(), None).unwrap();
    let source = Source {
        names: duban::fsio::Names::new(std::path::Path::new("/contract")),
        path: format!("/contract/{name}.campaign"),
        contacts: None,
        fingerprint: name.into(),
        horizon_year: 2018,
        templates: None,
        stat: "s".into(),
        accept_removals: false,
    };
    backend.sync(&schedule, &source, 0).unwrap();
}

fn refusal(error: StoreError) -> Refusal {
    match error {
        StoreError::Refused(refusal) => refusal,
        other => panic!("not a refusal: {other}"),
    }
}

pub fn a_sync_adds_every_obligation_and_a_second_changes_nothing(mut b: impl Backend) {
    let (first, count) = sync(&mut b);
    assert_eq!(count, 11, "方案 twice, 月报 April to December");
    assert!(
        matches!(first, SyncOutcome::Synced { added, .. } if added == count),
        "{first:?}"
    );
    let (again, _) = sync(&mut b);
    assert!(
        matches!(again, SyncOutcome::Synced { added: 0, changed: 0, removed: 0, restored: 0, ref kept } if kept.is_empty()),
        "{again:?}"
    );
    assert_eq!(b.campaign_zone("c").unwrap(), chrono_tz::UTC);
    assert_eq!(b.policies().unwrap().len(), 1);
}

pub fn a_submission_is_recorded_once_and_replaced_only_when_asked(mut b: impl Backend) {
    sync(&mut b);
    let change = b
        .apply(&key("方案", "甲", None), submit(), meta("2017-04-13 10:00"))
        .unwrap();
    assert_eq!(change.status, Status::SubmittedOnTime);
    let again = b.apply(&key("方案", "甲", None), submit(), meta("2017-04-13 11:00"));
    assert!(matches!(
        refusal(again.unwrap_err()),
        Refusal::AlreadySubmitted { .. }
    ));
    let replace = Action::Submit(Submission {
        replace: true,
        ..Submission::default()
    });
    b.apply(&key("方案", "甲", None), replace, meta("2017-04-16 09:00"))
        .unwrap();
    let (status, events) = b
        .history(&key("方案", "甲", None), at("2017-05-01 00:00"))
        .unwrap();
    assert_eq!(status, Status::SubmittedLate, "the replacement counts");
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["submitted", "submitted"], "nothing is lost");
}

pub fn a_return_makes_it_owed_again(mut b: impl Backend) {
    sync(&mut b);
    b.apply(&key("方案", "甲", None), submit(), meta("2017-04-13 10:00"))
        .unwrap();
    let returned = Action::Return {
        reason: "数据不全".into(),
    };
    b.apply(&key("方案", "甲", None), returned, meta("2017-04-14 09:00"))
        .unwrap();
    let overdue = b
        .overdue(&Filter::default(), at("2017-04-20 00:00"))
        .unwrap();
    let row = overdue
        .iter()
        .find(|r| &*r.unit == "甲" && &*r.deliverable == "方案")
        .expect("owed again, and late");
    assert_eq!((row.status, row.days_overdue), ("returned", 6));
    let again = Action::Return { reason: "x".into() };
    assert!(matches!(
        refusal(
            b.apply(&key("方案", "甲", None), again, meta("2017-04-15 09:00"))
                .unwrap_err()
        ),
        Refusal::NothingToReturn { .. }
    ));
}

pub fn an_extension_moves_the_deadline_later_only(mut b: impl Backend) {
    sync(&mut b);
    let day = |d| chrono::NaiveDate::from_ymd_opt(2017, 4, d).unwrap();
    let earlier = Action::Extend {
        until: day(10),
        reason: "r".into(),
    };
    assert!(matches!(
        refusal(
            b.apply(&key("方案", "乙", None), earlier, meta("2017-04-01 09:00"))
                .unwrap_err()
        ),
        Refusal::NotLater { .. }
    ));
    let later = Action::Extend {
        until: day(20),
        reason: "r".into(),
    };
    b.apply(&key("方案", "乙", None), later, meta("2017-04-01 09:00"))
        .unwrap();
    let due = b
        .due_within(&Filter::default(), at("2017-04-15 09:00"), Window::Days(7))
        .unwrap();
    let row = due
        .iter()
        .find(|r| &*r.unit == "乙" && &*r.deliverable == "方案")
        .expect("still owed");
    assert_eq!(
        (&*row.due_date, row.status),
        ("2017-04-20", Status::Extended)
    );
    let overdue = b
        .overdue(&Filter::default(), at("2017-04-15 09:00"))
        .unwrap();
    assert!(overdue.iter().all(|r| &*r.unit != "乙"), "{overdue:?}");
}

pub fn a_waiver_ends_what_is_owed(mut b: impl Backend) {
    sync(&mut b);
    let waive = Action::Waive {
        reason: "合并".into(),
    };
    b.apply(&key("方案", "乙", None), waive, meta("2017-04-02 09:00"))
        .unwrap();
    let status = b
        .status(&Filter::default(), at("2017-05-01 00:00"))
        .unwrap();
    let row = status
        .iter()
        .find(|r| r.unit == "乙" && r.deliverable == "方案")
        .unwrap();
    assert_eq!((row.waived, row.overdue), (1, 0));
    let late = b.apply(&key("方案", "乙", None), submit(), meta("2017-04-03 09:00"));
    assert!(matches!(refusal(late.unwrap_err()), Refusal::Waived { .. }));
}

/// A chase and its mails are written in one transaction, or neither; and writing them is no
/// pass (the planner's window still reaches back to the last real one).
pub fn a_chase_is_recorded_with_its_mails_or_not_at_all(mut b: impl Backend) {
    sync(&mut b);
    b.apply(
        &key("方案", "乙", None),
        Action::Waive {
            reason: "合并".into(),
        },
        meta("2017-04-02 09:00"),
    )
    .unwrap();
    let owed = b
        .unit_work("甲")
        .unwrap()
        .into_iter()
        .find(|i| i.deliverable == "方案")
        .unwrap();
    let mail = OutboxMail {
        campaign_id: owed.campaign_id,
        recipient: "jia@example.org".into(),
        subject: "【督办】方案已逾期，请立即报送".into(),
        body: "…".into(),
        message_id: "<chase@example.org>".into(),
        notices: vec![NoticeKey {
            obligation_id: owed.id,
            stage: "chase:100".into(),
            due_date: owed.due_date.clone(),
            recipient: "jia@example.org".into(),
            role: "unit".into(),
            send_at: 100,
        }],
        attachment: None,
        not_before: None,
    };
    let chase = || Action::Chase { forced: false };
    // 乙's was waived: the whole of it is refused, 甲's chase and the mail with it.
    let both = [
        (key("方案", "甲", None), chase()),
        (key("方案", "乙", None), chase()),
    ];
    let refused = b.apply_and_queue(
        &both,
        meta("2017-04-20 10:00"),
        std::slice::from_ref(&mail),
        100,
    );
    assert!(matches!(
        refusal(refused.unwrap_err()),
        Refusal::NotOwed { .. }
    ));
    assert!(
        b.outbox(true).unwrap().is_empty(),
        "no mail without its chase"
    );
    let kinds = |b: &dyn Backend| -> Vec<String> {
        let (_, history) = b
            .history(&key("方案", "甲", None), at("2017-05-01 00:00"))
            .unwrap();
        history.into_iter().map(|e| e.kind).collect()
    };
    assert!(!kinds(&b).contains(&"chased".to_string()));
    // 甲's alone: recorded with its mail, and no pass is counted.
    b.apply_and_queue(
        &[(key("方案", "甲", None), chase())],
        meta("2017-04-20 10:00"),
        &[mail],
        100,
    )
    .unwrap();
    assert_eq!(kinds(&b).last().map(String::as_str), Some("chased"));
    assert_eq!(b.outbox(false).unwrap().len(), 1);
    assert_eq!(b.last_pass().unwrap(), None, "a chase is no pass");
}

pub fn unknown_names_are_refused_with_the_nearest(mut b: impl Backend) {
    sync(&mut b);
    let error = b
        .apply(
            &key("方案", "甲甲", None),
            submit(),
            meta("2017-04-02 09:00"),
        )
        .unwrap_err();
    match refusal(error) {
        Refusal::Unknown {
            kind,
            name,
            suggestion,
        } => {
            assert_eq!((kind, name.as_str()), ("unit", "甲甲"));
            assert!(suggestion.is_some_and(|s| s.contains("`甲`")));
        }
        other => panic!("{other:?}"),
    }
    let no_period = b.apply(&key("月报", "甲", None), submit(), meta("2017-04-02 09:00"));
    assert!(matches!(
        refusal(no_period.unwrap_err()),
        Refusal::PeriodNeeded { .. }
    ));
}

pub fn the_outbox_writes_each_notice_once_and_a_claim_is_exclusive(mut b: impl Backend) {
    sync(&mut b);
    let window = (
        utc("2017-04-01 00:00").timestamp(),
        utc("2017-04-30 00:00").timestamp(),
    );
    let input = b
        .plan_input(
            window,
            0,
            duban::clock::Instant::Absolute(chrono::Utc::now()),
        )
        .unwrap();
    let owed = input
        .candidates
        .iter()
        .find(|c| &*c.unit == "甲" && &*c.deliverable == "方案")
        .expect("a candidate");
    let mail = OutboxMail {
        campaign_id: owed.campaign_id,
        recipient: "jia@example.org".into(),
        subject: "【催报】方案".into(),
        body: "…".into(),
        message_id: "<1@example.org>".into(),
        notices: vec![NoticeKey {
            obligation_id: owed.obligation_id,
            stage: "before:3d".into(),
            due_date: owed.due_date.to_string(),
            recipient: "jia@example.org".into(),
            role: "liaison".into(),
            send_at: 100,
        }],
        attachment: None,
        not_before: None,
    };
    assert_eq!(b.queue(std::slice::from_ref(&mail), 100).unwrap(), (1, 1));
    // Another pass planned the same notice at the same time: its mail has its own Message-ID.
    let twin = OutboxMail {
        message_id: "<2@example.org>".into(),
        ..mail
    };
    assert_eq!(
        b.queue(&[twin], 101).unwrap(),
        (0, 0),
        "a notice already written makes no second mail"
    );
    let claim = |owner: &str, at: i64| Claim {
        owner: owner.into(),
        at,
        expires_at: at + 60,
    };
    let (a, other) = (claim("a", 200), claim("b", 200));
    let held = b.claim_mail(200, &a).unwrap().expect("the mail");
    assert!(b.claim_mail(200, &other).unwrap().is_none(), "held by a");
    assert!(matches!(
        b.mark_sent(held.id, &other, "250 ok", 201),
        Err(StoreError::ClaimLost { .. })
    ));
    b.mark_sent(held.id, &a, "250 ok", 201).unwrap();
    let outbox = b.outbox(true).unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].state, "sent");
    assert!(b.outbox(false).unwrap().is_empty(), "nothing left to send");
    assert!(matches!(
        b.retry(&[held.id]).map_err(refusal),
        Err(Refusal::MailNotFailed { .. })
    ));
}

/// Messages of every channel share the outbox: one that waits for a rate limit is not claimed
/// before its time, one given back with a time is due again then, and a pass leaves alone what
/// refused it (mail, one robot, the SMS gateway) while it claims the rest.
pub fn a_pass_claims_around_what_refused_it_and_what_must_wait(mut b: impl Backend) {
    sync(&mut b);
    let input = b
        .plan_input(
            (
                utc("2017-04-01 00:00").timestamp(),
                utc("2017-04-30 00:00").timestamp(),
            ),
            0,
            duban::clock::Instant::Absolute(chrono::Utc::now()),
        )
        .unwrap();
    let owed = input
        .candidates
        .iter()
        .find(|c| &*c.unit == "甲" && &*c.deliverable == "方案")
        .expect("a candidate");
    let message = |n: usize, to: &str, not_before: Option<i64>| OutboxMail {
        campaign_id: owed.campaign_id,
        recipient: to.into(),
        subject: "【催报】方案".into(),
        body: "…".into(),
        message_id: format!("<{n}@example.org>"),
        notices: vec![NoticeKey {
            obligation_id: owed.obligation_id,
            stage: format!("before:{n}d"),
            due_date: owed.due_date.to_string(),
            recipient: to.into(),
            role: "liaison".into(),
            send_at: 100,
        }],
        attachment: None,
        not_before,
    };
    let messages = [
        message(1, "jia@example.org", None),
        message(2, "wecom:甲群", None),
        message(3, "wecom:乙群", None),
        message(4, "sms:13800000001", None),
        message(5, "wecom:甲群", Some(160)),
    ];
    assert_eq!(b.queue(&messages, 100).unwrap(), (5, 5));
    let claim = |owner: &str, at: i64| Claim {
        owner: owner.into(),
        at,
        expires_at: at + 60,
    };
    let claimed = |b: &mut dyn Backend, now: i64, skip: &Skip| -> Vec<String> {
        let got = b.claim_mails(now, &claim("a", now), 10, skip).unwrap();
        let names = got.iter().map(|m| m.recipient.clone()).collect();
        for m in got {
            b.release_mail(m.id, &claim("a", now), None, None).unwrap();
        }
        names
    };
    // Not before its time.
    assert_eq!(
        claimed(&mut b, 150, &Skip::default()),
        [
            "jia@example.org",
            "wecom:甲群",
            "wecom:乙群",
            "sms:13800000001"
        ]
    );
    let skip = Skip {
        mail: true,
        prefixes: vec!["sms:".into()],
        recipients: vec!["wecom:甲群".into()],
    };
    assert_eq!(claimed(&mut b, 170, &skip), ["wecom:乙群"]);
    // Given back until later: not due before then, and not counted as tried.
    let first = b
        .claim_mails(170, &claim("a", 170), 1, &Skip::default())
        .unwrap()
        .pop()
        .unwrap();
    b.release_mail(
        first.id,
        &claim("a", 170),
        Some("45009 api freq out of limit"),
        Some(300),
    )
    .unwrap();
    assert!(
        !claimed(&mut b, 299, &Skip::default()).contains(&first.recipient),
        "waits until 300"
    );
    assert!(claimed(&mut b, 300, &Skip::default()).contains(&first.recipient));
    let row = b
        .outbox(false)
        .unwrap()
        .into_iter()
        .find(|r| r.id == first.id)
        .unwrap();
    assert_eq!(row.attempts, 0);
    assert_eq!(
        row.last_error.as_deref(),
        Some("45009 api freq out of limit")
    );
}

pub fn an_import_is_all_or_nothing_and_idempotent(mut b: impl Backend) {
    sync(&mut b);
    let row = |line, unit: &str| {
        Ok(ImportRow {
            line,
            campaign: "c".into(),
            deliverable: "方案".into(),
            unit: unit.into(),
            period: String::new(),
            at: at("2017-04-12 09:00"),
            by: None,
            note: None,
            signatures: Vec::new(),
            values: Vec::new(),
        })
    };
    let batch = ImportBatch {
        source: "s.csv",
        recorded_at: 0,
        latest: None,
    };
    let bad = b.import(&mut vec![row(1, "甲"), row(2, "丙")].into_iter(), &batch);
    assert!(matches!(bad, Err(ImportError::BadRows(rows)) if rows.len() == 1));
    let (status, _) = b
        .history(&key("方案", "甲", None), at("2017-04-13 00:00"))
        .unwrap();
    assert_eq!(status, Status::DueSoon, "nothing of the bad file was kept");
    let report = b
        .import(&mut vec![row(1, "甲")].into_iter(), &batch)
        .unwrap();
    assert_eq!((report.recorded, report.unchanged), (1, 0));
    let report = b
        .import(&mut vec![row(1, "甲")].into_iter(), &batch)
        .unwrap();
    assert_eq!((report.recorded, report.unchanged), (0, 1));
}

pub fn an_edited_campaign_keeps_every_submission(mut b: impl Backend) {
    sync(&mut b);
    b.apply(
        &key("月报", "甲", Some("2017-05")),
        submit(),
        meta("2017-05-22 09:00"),
    )
    .unwrap();
    // The monthly deadline moves to the 20th: the submission is kept, and now late.
    let moved = CAMPAIGN.replace("by day 25", "by day 20");
    let (outcome, _) = sync_text(&mut b, &moved, false).unwrap();
    assert!(
        matches!(
            outcome,
            SyncOutcome::Synced {
                changed: 9,
                added: 0,
                ..
            }
        ),
        "{outcome:?}"
    );
    let (status, events) = b
        .history(&key("月报", "甲", Some("2017-05")), at("2017-06-01 00:00"))
        .unwrap();
    assert_eq!(status, Status::SubmittedLate);
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["submitted", "due_changed"]);
    // A deliverable with history cannot vanish unless the removal is accepted.
    let without = moved.replace("report 月报 { from 甲; due every month by day 20 }\n", "");
    let refused = sync_text(&mut b, &without, false).unwrap_err();
    assert!(
        matches!(refused, StoreError::HistoryWouldBeLost { ref deliverable, .. } if deliverable == "月报"),
        "{refused}"
    );
    let (status, _) = b
        .history(&key("月报", "甲", Some("2017-05")), at("2017-06-01 00:00"))
        .unwrap();
    assert_eq!(
        status,
        Status::SubmittedLate,
        "the refused sync changed nothing"
    );
    let (outcome, _) = sync_text(&mut b, &without, true).unwrap();
    assert!(
        matches!(outcome, SyncOutcome::Synced { ref kept, .. } if kept.len() == 1),
        "{outcome:?}"
    );
    let (_, events) = b
        .history(&key("月报", "甲", Some("2017-05")), at("2017-06-01 00:00"))
        .unwrap();
    assert_eq!(
        events.last().unwrap().kind,
        "removed",
        "its history is kept"
    );
}

pub fn an_edit_of_one_report_leaves_the_others_as_they_were(mut b: impl Backend) {
    sync(&mut b);
    let may = key("月报", "甲", Some("2017-05"));
    b.apply(&may, submit(), meta("2017-05-22 09:00")).unwrap();
    // 方案 is due a day earlier and no longer from 乙; 月报 is as it was.
    let edited = CAMPAIGN.replace(
        "report 方案 { from 甲 乙; due 2017-04-14 }",
        "report 方案 { from 甲; due 2017-04-13 }",
    );
    let (outcome, _) = sync_text(&mut b, &edited, false).unwrap();
    assert!(
        matches!(outcome, SyncOutcome::Synced { added: 0, changed: 1, removed: 1, ref kept, .. } if kept.is_empty()),
        "{outcome:?}"
    );
    let (status, events) = b.history(&may, at("2017-06-01 00:00")).unwrap();
    assert_eq!((status, events.len()), (Status::SubmittedOnTime, 1));
    // 月报 leaves the file (its history kept) and comes back: restored, not taken as unchanged.
    let without = edited.replace("report 月报 { from 甲; due every month by day 25 }\n", "");
    let (outcome, _) = sync_text(&mut b, &without, true).unwrap();
    assert!(
        matches!(outcome, SyncOutcome::Synced { removed: 8, ref kept, .. } if kept.len() == 1),
        "{outcome:?}"
    );
    let (outcome, _) = sync_text(&mut b, &edited, false).unwrap();
    assert!(
        matches!(
            outcome,
            SyncOutcome::Synced {
                added: 8,
                restored: 1,
                ..
            }
        ),
        "{outcome:?}"
    );
    let (status, _) = b.history(&may, at("2017-06-01 00:00")).unwrap();
    assert_eq!(status, Status::SubmittedOnTime);
    let late = b
        .overdue(&Filter::default(), at("2017-07-01 00:00"))
        .unwrap();
    assert!(
        late.iter()
            .any(|r| &*r.deliverable == "月报" && r.period.as_deref() == Some("2017-06")),
        "the months that came back are owed: {late:?}"
    );
}

pub fn a_review_accepts_or_sends_back(mut b: impl Backend) {
    let reviewed = CAMPAIGN
        .replace("unit 甲\n", "unit 甲 { reviewer 乙 }\n")
        .replace(
            "report 方案 { from 甲 乙; due 2017-04-14 }",
            "report 方案 { from 甲; review; due 2017-04-14 }",
        );
    sync_text(&mut b, &reviewed, false).unwrap();
    let change = b
        .apply(&key("方案", "甲", None), submit(), meta("2017-04-12 09:00"))
        .unwrap();
    assert_eq!(change.status, Status::UnderReview);
    assert_eq!(change.waiting_for.as_deref(), Some("乙"));
    let reject = Action::Reject {
        reason: "缺附件".into(),
    };
    b.apply(&key("方案", "甲", None), reject, meta("2017-04-13 09:00"))
        .unwrap();
    b.apply(&key("方案", "甲", None), submit(), meta("2017-04-13 15:00"))
        .unwrap();
    let change = b
        .apply(
            &key("方案", "甲", None),
            Action::Accept {
                next_review_due: None,
                by: None,
            },
            meta("2017-04-14 09:00"),
        )
        .unwrap();
    assert_eq!(change.status, Status::SubmittedOnTime);
    let again = b.apply(
        &key("方案", "甲", None),
        Action::Accept {
            next_review_due: None,
            by: None,
        },
        meta("2017-04-14 10:00"),
    );
    assert!(matches!(
        refusal(again.unwrap_err()),
        Refusal::NotUnderReview { .. }
    ));
    let (_, events) = b
        .history(&key("方案", "甲", None), at("2017-04-15 00:00"))
        .unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "submitted",
            "review_returned",
            "submitted",
            "review_accepted"
        ]
    );
}

pub fn a_submitted_file_is_kept_once_by_its_digest(mut b: impl Backend) {
    sync(&mut b);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("方案.docx");
    std::fs::write(&file, "实施方案全文").unwrap();
    let with_file = || {
        Action::Submit(Submission {
            files: vec![duban::ledger::Upload::at(file.clone())],
            ..Submission::default()
        })
    };
    b.apply(
        &key("方案", "甲", None),
        with_file(),
        meta("2017-04-13 10:00"),
    )
    .unwrap();
    b.apply(
        &key("方案", "乙", None),
        with_file(),
        meta("2017-04-13 11:00"),
    )
    .unwrap();
    let (_, events) = b
        .history(&key("方案", "乙", None), at("2017-04-14 00:00"))
        .unwrap();
    let kept = &events[0].files[0];
    assert_eq!((kept.name.as_str(), kept.size), ("方案.docx", 18));
    let content = b.file_content(&kept.sha256).unwrap();
    assert_eq!(content.as_deref(), Some("实施方案全文".as_bytes()));
    assert_eq!(b.file_content(&"0".repeat(64)).unwrap(), None);
    assert_eq!(b.file_content("../../etc/passwd").unwrap(), None);
    // Read a piece at a time, as downloads are sent.
    let source = b.file_source(&kept.sha256).unwrap().unwrap();
    assert_eq!(source.size(), 18);
    let pieces: Vec<Vec<u8>> = (0..4)
        .map(|n| b.file_piece(&kept.sha256, n * 5, 5).unwrap())
        .collect();
    assert_eq!(pieces.concat(), "实施方案全文".as_bytes());
    assert_eq!(pieces[3].len(), 3, "the last piece is short");
    assert!(b.file_piece(&kept.sha256, 18, 5).unwrap().is_empty());
    assert_eq!(b.file_source(&"0".repeat(64)).unwrap(), None);
    assert_eq!(b.file_source("../../etc/passwd").unwrap(), None);
}

pub fn listings_agree_with_each_other_at_an_instant(mut b: impl Backend) {
    sync(&mut b);
    b.apply(
        &key("月报", "甲", Some("2017-04")),
        submit(),
        meta("2017-04-20 10:00"),
    )
    .unwrap();
    let as_of = at("2017-06-26 12:00");
    let overdue = b.overdue(&Filter::default(), as_of).unwrap();
    let names: Vec<(&str, &str, Option<&str>, i64)> = overdue
        .iter()
        .map(|r| {
            (
                &*r.deliverable,
                &*r.unit,
                r.period.as_deref(),
                r.days_overdue,
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("方案", "甲", None, 73),
            ("月报", "甲", Some("2017-05"), 32),
            ("月报", "甲", Some("2017-06"), 1),
            ("方案", "乙", None, 73),
        ]
    );
    let mut streamed = 0;
    b.overdue_each(&Filter::default(), as_of, true, &mut |_| {
        streamed += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(streamed, overdue.len());
    let only = Filter {
        units: vec!["乙".into()],
        ..Filter::default()
    };
    assert_eq!(b.overdue(&only, as_of).unwrap().len(), 1);
    let due = b
        .due_within(&Filter::default(), as_of, Window::Days(31))
        .unwrap();
    assert_eq!(due.len(), 1, "July's report");
    assert_eq!((due[0].days_left, &*due[0].due_date), (29, "2017-07-25"));
    let status = b.status(&Filter::default(), as_of).unwrap();
    let monthly = status.iter().find(|r| r.deliverable == "月报").unwrap();
    assert_eq!(
        (monthly.on_time, monthly.overdue, monthly.upcoming),
        (1, 2, 6)
    );
    let (candidates, _) = b.preview_input(&[], (0, i64::MAX), true).unwrap();
    assert_eq!(candidates.len(), 10, "all but the one submitted");
    assert!(b.preview_input(&["d".into()], (0, 1), true).is_err());
}

pub fn a_campaign_whose_reports_are_all_replaced_loses_the_old_ones(mut b: impl Backend) {
    sync(&mut b);
    let replaced = "campaign c {
  period 2017-04-01 .. 2017-12-31
  zone UTC
  holidays strict
}
unit 甲
unit 乙
report 新方案 { from 甲 乙; due 2017-05-14 }
";
    let (outcome, count) = sync_text(&mut b, replaced, false).unwrap();
    assert_eq!(count, 2);
    assert!(
        matches!(outcome, SyncOutcome::Synced { added: 2, removed: 11, ref kept, .. } if kept.is_empty()),
        "{outcome:?}"
    );
    let overdue = b
        .overdue(&Filter::default(), at("2017-06-01 00:00"))
        .unwrap();
    let names: Vec<&str> = overdue.iter().map(|r| &*r.deliverable).collect();
    assert_eq!(
        names,
        ["新方案", "新方案"],
        "nothing of the old reports is owed"
    );
}

pub fn a_removed_report_with_reminders_sent_keeps_them(mut b: impl Backend) {
    sync(&mut b);
    let input = b
        .plan_input(
            (0, i64::MAX),
            0,
            duban::clock::Instant::Absolute(chrono::Utc::now()),
        )
        .unwrap();
    let owed = input
        .candidates
        .iter()
        .find(|c| &*c.deliverable == "月报")
        .expect("a monthly report owed");
    let mail = OutboxMail {
        campaign_id: owed.campaign_id,
        recipient: "jia@example.org".into(),
        subject: "【催报】月报".into(),
        body: "…".into(),
        message_id: "<r@example.org>".into(),
        notices: vec![NoticeKey {
            obligation_id: owed.obligation_id,
            stage: "before:3d".into(),
            due_date: owed.due_date.to_string(),
            recipient: "jia@example.org".into(),
            role: "liaison".into(),
            send_at: 100,
        }],
        attachment: None,
        not_before: None,
    };
    assert_eq!(b.queue(&[mail], 100).unwrap(), (1, 1));
    // 月报 leaves the file; nothing was ever submitted for it, but a reminder went out.
    let without = CAMPAIGN.replace("report 月报 { from 甲; due every month by day 25 }\n", "");
    let (outcome, _) = sync_text(&mut b, &without, false).unwrap();
    assert!(
        matches!(outcome, SyncOutcome::Synced { removed: 8, ref kept, .. } if kept.len() == 1),
        "the one reminded is kept, the rest removed: {outcome:?}"
    );
    assert_eq!(
        b.outbox(true).unwrap().len(),
        1,
        "the mail is still in the outbox"
    );
}

/// A campaign whose report carries a form, and a ledger.
const CONTENTS: &str = "campaign c {
  period 2017-04-01 .. 2017-12-31
  zone UTC
  holidays strict
}
unit 市
unit 甲 { under 市 }
unit 乙 { under 市 }
form 表 { field 件数 integer; field 金额 amount optional; field 说明 text optional }
report 月报 { from 甲 乙; form 表; due every month by day 25 }
ledger 台账 { from 甲 乙; field 问题 text; close within 10d }
";

fn value(field: &str, number: Option<f64>, text: Option<&str>) -> duban::values::FieldValue {
    duban::values::FieldValue {
        field: field.into(),
        number,
        text: text.map(String::from),
        shared: None,
        reused_from: None,
    }
}

pub fn values_are_kept_typed_and_added_up_by_the_database(mut b: impl Backend) {
    sync_text(&mut b, CONTENTS, false).unwrap();
    let described = b.describe("c", "月报").unwrap();
    let form = described.form.clone().expect("the report carries its form");
    assert_eq!(form.fields.len(), 3);
    let with = |values| {
        Action::Submit(Submission {
            values,
            ..Submission::default()
        })
    };
    let actions = [
        (
            key("月报", "甲", Some("2017-05")),
            with(vec![
                value("件数", Some(3.0), None),
                value("金额", Some(0.1), None),
                value("说明", None, Some("甲说")),
            ]),
        ),
        (
            key("月报", "乙", Some("2017-05")),
            with(vec![
                value("件数", Some(4.0), None),
                value("金额", Some(0.2), None),
            ]),
        ),
    ];
    let changes = b.apply_all(&actions, meta("2017-05-20 08:00")).unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[1].status, Status::SubmittedOnTime);
    let standings = b.standings(described.id, "2017-05").unwrap();
    assert!(
        standings
            .iter()
            .all(|s| s.state == "received" && s.has_values)
    );
    let mut by_unit = b.sums(described.id, "2017-05", 0, None).unwrap();
    by_unit.sort_by(|x, y| (&x.key, &x.field).cmp(&(&y.key, &y.field)));
    let text = by_unit.iter().find(|s| s.field == "说明").unwrap();
    assert_eq!(
        (text.key.as_str(), text.text.as_deref()),
        ("甲", Some("甲说"))
    );
    let by_parent = b.sums(described.id, "2017-05", 1, None).unwrap();
    let count = by_parent.iter().find(|s| s.field == "件数").unwrap();
    assert_eq!(
        (count.key.as_str(), count.sum, count.count),
        ("市", Some(7.0), 2)
    );
    // Read from the history, at an instant: the same after the submissions, nothing before.
    let sorted = |mut sums: Vec<duban::store::Sum>| {
        sums.sort_by(|x, y| (&x.key, &x.field).cmp(&(&y.key, &y.field)));
        sums
    };
    let then = |t: &str| {
        sorted(
            b.sums(described.id, "2017-05", 1, Some(utc(t).timestamp()))
                .unwrap(),
        )
    };
    assert_eq!(then("2017-05-20 09:00"), sorted(by_parent.clone()));
    assert!(then("2017-05-20 07:00").is_empty());
    let amount = by_parent.iter().find(|s| s.field == "金额").unwrap();
    assert!((amount.sum.unwrap() - 0.3).abs() < 1e-9);
    let (_, events) = b
        .history(&key("月报", "甲", Some("2017-05")), at("2017-05-21 00:00"))
        .unwrap();
    let kept: Vec<&str> = events[0].values.iter().map(|v| v.field.as_str()).collect();
    assert_eq!(kept, ["件数", "金额", "说明"], "in the form's order");
    // All or nothing: a refusal in the second action records neither.
    let again = [
        (
            key("月报", "甲", Some("2017-06")),
            with(vec![value("件数", Some(1.0), None)]),
        ),
        (
            key("月报", "乙", Some("2017-05")),
            with(vec![value("件数", Some(1.0), None)]),
        ),
    ];
    let refused = b.apply_all(&again, meta("2017-06-20 08:00")).unwrap_err();
    assert!(matches!(refusal(refused), Refusal::AlreadySubmitted { .. }));
    assert!(
        b.standings(described.id, "2017-06")
            .unwrap()
            .iter()
            .all(|s| s.state == "open")
    );
}

pub fn a_ledgers_rows_are_entered_numbered_and_left_alone_by_a_sync(mut b: impl Backend) {
    use duban::store::NewRow;
    sync_text(&mut b, CONTENTS, false).unwrap();
    let described = b.describe("c", "台账").unwrap();
    assert_eq!(described.ledger.as_ref().unwrap().keepers, ["甲", "乙"]);
    let row = |unit: &str, day: u32| {
        let due_date = chrono::NaiveDate::from_ymd_opt(2017, 6, day).unwrap();
        let end = due_date.succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap();
        NewRow {
            unit: unit.into(),
            due_date,
            due_at: end.and_utc().timestamp(),
            values: vec![value("问题", None, Some("未公示"))],
            files: Vec::new(),
        }
    };
    let ledger = key("台账", "", None);
    let changes = b
        .add_rows(
            &ledger,
            &[row("甲", 10), row("乙", 20)],
            meta("2017-06-01 08:00"),
        )
        .unwrap();
    let labels: Vec<&str> = changes.iter().map(|c| c.obligation.as_str()).collect();
    assert_eq!(labels, ["c 台账 甲 #1", "c 台账 乙 #2"]);
    let more = b
        .add_rows(&ledger, &[row("甲", 30)], meta("2017-06-02 08:00"))
        .unwrap();
    assert_eq!(more[0].obligation, "c 台账 甲 #3");
    let overdue = b
        .overdue(&Filter::default(), at("2017-06-15 00:00"))
        .unwrap();
    let rows: Vec<&str> = overdue
        .iter()
        .filter(|r| &*r.deliverable == "台账")
        .map(|r| r.period.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(rows, ["#1"]);
    // A sync of the edited file (a field more) keeps every row.
    let edited = CONTENTS.replace(
        "field 问题 text;",
        "field 问题 text; field 进度 text optional;",
    );
    sync_text(&mut b, &edited, false).unwrap();
    let kept = b.ledger_rows(described.id).unwrap();
    assert_eq!(kept.len(), 3);
    assert_eq!(kept[0].values[0].text.as_deref(), Some("未公示"));
    let unknown = b.add_rows(
        &key("月报", "", None),
        &[row("甲", 10)],
        meta("2017-06-03 08:00"),
    );
    assert!(matches!(
        refusal(unknown.unwrap_err()),
        Refusal::Unknown { kind: "ledger", .. }
    ));
}

/// A part passed down (`split to sub-units` without a time): owed by nobody until a unit
/// passes a period down; then each of the given sub-units owes it, with its own deadline and a
/// `passed_down` event naming who passed it; twice is refused; a sync of the edited file keeps
/// the parts; another unit's own date for the same period stands beside the first's.
pub fn a_part_passed_down_is_owed_by_the_sub_units_and_kept_by_a_sync(mut b: impl Backend) {
    use duban::store::NewRow;
    let text = CONTENTS.replace(
        "report 月报 { from 甲 乙; form 表; due every month by day 25 }",
        "unit 甲一 { under 甲 }\nunit 乙一 { under 乙 }\nreport 月报 { from 甲 乙; form 表; due every month by day 25; first 2017-05; last 2017-06; split to sub-units }",
    );
    sync_text(&mut b, &text, false).unwrap();
    let part = b.describe("c", "月报（下级）").unwrap();
    assert!(part.asks.passed);
    assert!(b.periods(part.id).unwrap().is_empty(), "owed by nobody yet");
    let row = |unit: &str, day: u32| {
        let due_date = chrono::NaiveDate::from_ymd_opt(2017, 5, day).unwrap();
        let end = due_date.succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap();
        NewRow {
            unit: unit.into(),
            due_date,
            due_at: end.and_utc().timestamp(),
            values: Vec::new(),
            files: Vec::new(),
        }
    };
    let from = |unit| key("月报（下级）", unit, Some("2017-05"));
    let changes = b
        .pass_down(&from("甲"), &[row("甲一", 19)], meta("2017-05-10 08:00"))
        .unwrap();
    assert_eq!(changes[0].obligation, "c 月报（下级） 甲一 2017-05");
    assert_eq!(changes[0].due_date, "2017-05-19");
    let again = b.pass_down(&from("甲"), &[row("甲一", 19)], meta("2017-05-10 09:00"));
    assert!(matches!(
        refusal(again.unwrap_err()),
        Refusal::PassedDownAlready { .. }
    ));
    b.pass_down(&from("乙"), &[row("乙一", 22)], meta("2017-05-10 09:00"))
        .unwrap();
    let (_, events) = b
        .history(
            &key("月报（下级）", "甲一", Some("2017-05")),
            at("2017-05-11 00:00"),
        )
        .unwrap();
    assert_eq!(events[0].kind, "passed_down");
    assert_eq!(events[0].data["from"], "甲");
    // A sync of the edited file keeps both, each with its own date.
    let edited = text.replace(
        "field 问题 text;",
        "field 问题 text; field 进度 text optional;",
    );
    sync_text(&mut b, &edited, false).unwrap();
    let overdue = b
        .overdue(&Filter::default(), at("2017-05-21 00:00"))
        .unwrap();
    let late: Vec<&str> = overdue
        .iter()
        .filter(|r| &*r.deliverable == "月报（下级）")
        .map(|r| &*r.unit)
        .collect();
    assert_eq!(late, ["甲一"], "乙一 is owed by the 22nd");
}

pub fn worklists_show_a_units_obligations_and_a_reviewers_queue(mut b: impl Backend) {
    let text = CAMPAIGN
        .replace(
            "unit 甲\n",
            "unit 甲 { reviewer 乙 }\nunit 丙\nunit 丁 { under 丙 }\n",
        )
        .replace(
            "report 方案 { from 甲 乙; due 2017-04-14 }",
            "report 方案 { from 甲; review; due 2017-04-14 }",
        )
        .replace(
            "report 月报 { from 甲; due every month by day 25 }",
            "report 月报 { from 甲; to 丙; due every month by day 25 }",
        );
    sync_text(&mut b, &text, false).unwrap();
    let work = b.unit_work("甲").unwrap();
    assert_eq!(work.len(), 1 + 9, "方案 and nine months of 月报");
    assert!(work.iter().all(|w| w.unit == "甲" && w.campaign == "c"));
    let plan = work.iter().find(|w| w.deliverable == "方案").unwrap();
    assert_eq!(plan.reviewer.as_deref(), Some("乙"));
    let monthly = work.iter().find(|w| w.deliverable == "月报").unwrap();
    assert_eq!(monthly.receivers, ["丙"]);
    assert_eq!(monthly.reviewer, None);
    assert!(b.unit_work("丁").unwrap().is_empty(), "丁 owes nothing");
    assert!(b.sub_units("甲").unwrap().is_empty());
    let under: Vec<String> = b
        .sub_units("丙")
        .unwrap()
        .into_iter()
        .map(|(_, u)| u)
        .collect();
    assert_eq!(under, ["丁"]);
    // A campaign's work read by key, three rows a page: every obligation once, in row order,
    // each as the unit's own worklist gives it; past the last row, nothing.
    let campaign_id = b.campaign_header("c").unwrap().id;
    let (mut paged, mut after) = (Vec::new(), 0);
    loop {
        let page = b.campaign_work(campaign_id, after, 3).unwrap();
        assert!(page.len() <= 3);
        let Some(last) = page.last() else { break };
        after = last.id;
        paged.extend(page);
    }
    assert_eq!(paged.len(), work.len());
    assert!(paged.windows(2).all(|w| w[0].id < w[1].id), "in row order");
    for item in &work {
        let same = paged.iter().find(|p| p.id == item.id).unwrap();
        assert_eq!(
            (
                &same.deliverable,
                &same.period,
                &same.reviewer,
                &same.receivers
            ),
            (
                &item.deliverable,
                &item.period,
                &item.reviewer,
                &item.receivers
            )
        );
    }
    assert!(b.campaign_work(campaign_id, after, 3).unwrap().is_empty());
    assert!(b.campaign_work(campaign_id + 1, 0, 3).unwrap().is_empty());
    // Each deliverable's reminders: the campaign's policy where it has none of its own.
    let mut policies = b.deliverable_policies("c").unwrap();
    policies.sort_by(|a, b| a.0.cmp(&b.0));
    let names: Vec<&str> = policies.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(names, ["方案", "月报"]);
    assert!(policies.iter().all(|(_, p)| p.lead_times.len() == 2));

    let since = utc("2017-01-01 00:00").timestamp();
    assert!(b.review_queue("乙", since).unwrap().is_empty());
    b.apply(&key("方案", "甲", None), submit(), meta("2017-04-12 09:00"))
        .unwrap();
    b.apply(
        &key("月报", "甲", Some("2017-04")),
        submit(),
        meta("2017-04-20 09:00"),
    )
    .unwrap();
    let queue = b.review_queue("乙", since).unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].deliverable, "方案");
    let received = b.review_queue("丙", since).unwrap();
    assert_eq!(received.len(), 1, "what 丙 received, which it may return");
    assert_eq!(received[0].period, "2017-04");
    let later = utc("2017-04-21 00:00").timestamp();
    assert!(b.review_queue("丙", later).unwrap().is_empty());

    let reason = "数据不全".to_string();
    b.apply(
        &key("月报", "甲", Some("2017-04")),
        Action::Return { reason },
        meta("2017-04-21 09:00"),
    )
    .unwrap();
    assert!(b.review_queue("丙", since).unwrap().is_empty());
    let returned = b.unit_work("甲").unwrap();
    let april = returned.iter().find(|w| w.period == "2017-04").unwrap();
    assert_eq!(april.reason.as_deref(), Some("数据不全"));
}

pub fn sign_in_tries_are_counted_per_address_and_account_with_growing_waits(mut b: impl Backend) {
    sync(&mut b);
    let throttle = Throttle {
        free: 3,
        first_delay: 10,
        longest_delay: 35,
        forget_after: 1_000,
    };
    let (guesser, owner) = ("192.0.2.1", "198.51.100.2");
    let count = |b: &mut dyn Backend, client: &str, account: &str, at: i64| {
        b.count_attempt(client, account, at, &throttle).unwrap()
    };
    for n in 1..=3 {
        assert_eq!(
            count(&mut b, guesser, "张三", 100),
            Turn::Try { failures: n }
        );
    }
    // The third failure makes the pair wait 10 seconds; nobody else waits.
    assert_eq!(
        count(&mut b, guesser, "张三", 100),
        Turn::Wait { until: 110 }
    );
    assert_eq!(
        count(&mut b, guesser, "张三", 109),
        Turn::Wait { until: 110 }
    );
    assert_eq!(count(&mut b, owner, "张三", 100), Turn::Try { failures: 1 });
    assert_eq!(
        count(&mut b, guesser, "李四", 100),
        Turn::Try { failures: 1 }
    );
    // Each failure after doubles the wait, up to the longest.
    assert_eq!(
        count(&mut b, guesser, "张三", 110),
        Turn::Try { failures: 4 }
    );
    assert_eq!(
        count(&mut b, guesser, "张三", 129),
        Turn::Wait { until: 130 }
    );
    assert_eq!(
        count(&mut b, guesser, "张三", 130),
        Turn::Try { failures: 5 }
    );
    assert_eq!(
        count(&mut b, guesser, "张三", 130),
        Turn::Wait { until: 165 }
    );
    assert_eq!(
        count(&mut b, guesser, "张三", 165),
        Turn::Try { failures: 6 }
    );
    assert_eq!(
        count(&mut b, guesser, "张三", 165),
        Turn::Wait { until: 200 }
    );
    // The right password forgets its own address's failures only.
    assert_eq!(b.signed_in(owner, "张三").unwrap(), None, "no account 张三");
    assert_eq!(count(&mut b, owner, "张三", 166), Turn::Try { failures: 1 });
    assert_eq!(
        count(&mut b, guesser, "张三", 166),
        Turn::Wait { until: 200 }
    );
    // A pair quiet for long is forgotten.
    assert_eq!(
        count(&mut b, guesser, "张三", 1_300),
        Turn::Try { failures: 1 }
    );

    // Wrong passwords are kept for the account's owner, told once at the next sign-in.
    b.add_user(&NewUser {
        name: "王五",
        unit: None,
        role: Role::Office,
        setup_token: "link",
        setup_expires_at: 10_000,
        now: 0,
        campaigns: &[],
        unit_code: None,
    })
    .unwrap();
    assert_eq!(b.signed_in(owner, "王五").unwrap(), None);
    b.wrong_password("王五", guesser, 400).unwrap();
    b.wrong_password("王五", "2001:db8::7", 500).unwrap();
    b.wrong_password("无此人", guesser, 500).unwrap();
    assert_eq!(
        b.signed_in(owner, "王五").unwrap(),
        Some(FailedSignIns {
            count: 2,
            from: "2001:db8::7".into(),
            at: 500
        })
    );
    assert_eq!(b.signed_in(owner, "王五").unwrap(), None, "told once");
}

/// Accounts and tokens over their life: an account disabled (its sessions end and no session
/// of it is found), enabled, reset (its password gone, a new link that sets one); a token named
/// (a name taken refused), found revoked or not, its use kept to the minute, revoked once.
pub fn accounts_and_tokens_have_a_lifecycle(mut b: impl Backend) {
    let campaigns = vec!["nanyang-2017".to_string()];
    b.add_user(&NewUser {
        name: "张三",
        unit: Some("甲"),
        role: Role::Liaison,
        setup_token: "link-1",
        setup_expires_at: 10_000,
        now: 0,
        campaigns: &campaigns,
        unit_code: Some("411300-01"),
    })
    .unwrap();
    let kept = b.user("张三").unwrap().unwrap();
    assert_eq!(kept.campaigns, campaigns);
    assert_eq!(kept.unit_code.as_deref(), Some("411300-01"));
    assert_eq!(
        b.set_password("link-1", "hash-1", 100).unwrap().as_deref(),
        Some("张三")
    );
    b.open_session("cookie-1", "张三", "csrf", 200, 5_000)
        .unwrap();
    let (user, csrf) = b.session("cookie-1", 300).unwrap().unwrap();
    assert_eq!(
        user.campaigns, campaigns,
        "a session's account acts in its campaigns"
    );
    assert_eq!(csrf, "csrf");
    assert_eq!(user.unit_code.as_deref(), Some("411300-01"));
    assert_eq!(user.last_sign_in_at, Some(200));
    assert_eq!(user.disabled_at, None);

    assert!(b.set_disabled("张三", Some(400)).unwrap());
    assert!(!b.set_disabled("无此人", Some(400)).unwrap());
    assert!(b.session("cookie-1", 500).unwrap().is_none(), "ended");
    assert_eq!(b.user("张三").unwrap().unwrap().disabled_at, Some(400));
    b.open_session("cookie-2", "张三", "csrf", 500, 5_000)
        .unwrap();
    assert!(
        b.session("cookie-2", 600).unwrap().is_none(),
        "no session of a disabled account is found"
    );
    assert!(b.set_disabled("张三", None).unwrap());
    assert!(b.session("cookie-2", 600).unwrap().is_some());

    assert!(b.reset_user("张三", "link-2", 9_000).unwrap());
    assert!(!b.reset_user("无此人", "link-3", 9_000).unwrap());
    let reset = b.user("张三").unwrap().unwrap();
    assert_eq!(reset.password, None, "the old password stops at once");
    assert!(b.session("cookie-2", 700).unwrap().is_none(), "ended");
    assert_eq!(b.set_password("link-1", "hash-x", 800).unwrap(), None);
    assert_eq!(
        b.set_password("link-2", "hash-2", 800).unwrap().as_deref(),
        Some("张三")
    );
    assert_eq!(b.users().unwrap()[0].password.as_deref(), Some("hash-2"));

    let token = |name: &'static str, digest: &'static str, expires_at| NewToken {
        token: digest,
        name,
        unit: Some("甲"),
        role: Role::Liaison,
        now: 1_000,
        expires_at,
        campaigns: &campaigns,
        read_only: name == "省平台",
    };
    b.add_token(&token("甲-1", "digest-1", Some(5_000)))
        .unwrap();
    b.add_token(&token("省平台", "digest-2", None)).unwrap();
    assert!(matches!(
        b.add_token(&token("甲-1", "digest-3", None)),
        Err(StoreError::Refused(Refusal::TokenExists { .. }))
    ));
    let found = b.token("digest-1").unwrap().unwrap();
    assert_eq!(
        (found.name.as_str(), found.expires_at, found.last_used_at),
        ("甲-1", Some(5_000), None)
    );
    assert_eq!(found.holder().name, "token:甲-1");
    assert!(b.token("digest-3").unwrap().is_none());
    b.token_used(found.id, 2_000).unwrap();
    b.token_used(found.id, 2_030).unwrap();
    assert_eq!(
        b.token("digest-1").unwrap().unwrap().last_used_at,
        Some(2_000),
        "kept to the minute"
    );
    b.token_used(found.id, 2_061).unwrap();
    assert_eq!(
        b.token("digest-1").unwrap().unwrap().last_used_at,
        Some(2_061)
    );
    assert!(b.revoke_token(found.id, 3_000).unwrap());
    assert!(!b.revoke_token(found.id, 3_100).unwrap(), "once");
    let listed = b.tokens().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        (listed[0].revoked_at, listed[1].revoked_at),
        (Some(3_000), None)
    );
    assert_eq!(listed[1].name, "省平台");
    // A read-only token is kept as one, and its holder can do nothing.
    assert!(listed[1].read_only && !listed[0].read_only);
    assert!(b.token("digest-2").unwrap().unwrap().holder().read_only);
}

/// Runs every scenario of the contract against the backend `make` returns (with whatever
/// guard keeps it alive, such as its temporary folder).
macro_rules! storage_contract {
    ($backend:ident, $make:expr) => {
        mod $backend {
            use super::*;

            macro_rules! scenario {
                ($name:ident) => {
                    #[test]
                    fn $name() {
                        // None: a backend skipped knowingly, which its maker says out loud.
                        if let Some((_guard, backend)) = $make() {
                            super::$name(backend);
                        }
                    }
                };
            }

            scenario!(a_sync_adds_every_obligation_and_a_second_changes_nothing);
            scenario!(a_submission_is_recorded_once_and_replaced_only_when_asked);
            scenario!(a_return_makes_it_owed_again);
            scenario!(an_extension_moves_the_deadline_later_only);
            scenario!(a_waiver_ends_what_is_owed);
            scenario!(a_chase_is_recorded_with_its_mails_or_not_at_all);
            scenario!(unknown_names_are_refused_with_the_nearest);
            scenario!(the_outbox_writes_each_notice_once_and_a_claim_is_exclusive);
            scenario!(a_pass_claims_around_what_refused_it_and_what_must_wait);
            scenario!(an_import_is_all_or_nothing_and_idempotent);
            scenario!(an_edited_campaign_keeps_every_submission);
            scenario!(a_review_accepts_or_sends_back);
            scenario!(a_submitted_file_is_kept_once_by_its_digest);
            scenario!(listings_agree_with_each_other_at_an_instant);
            scenario!(a_campaign_whose_reports_are_all_replaced_loses_the_old_ones);
            scenario!(a_removed_report_with_reminders_sent_keeps_them);
            scenario!(an_edit_of_one_report_leaves_the_others_as_they_were);
            scenario!(values_are_kept_typed_and_added_up_by_the_database);
            scenario!(a_ledgers_rows_are_entered_numbered_and_left_alone_by_a_sync);
            scenario!(a_part_passed_down_is_owed_by_the_sub_units_and_kept_by_a_sync);
            scenario!(worklists_show_a_units_obligations_and_a_reviewers_queue);
            scenario!(the_record_at_an_instant_is_what_was_done_by_then);
            scenario!(the_ledger_does_what_its_model_does);
            scenario!(sign_in_tries_are_counted_per_address_and_account_with_growing_waits);
            scenario!(accounts_and_tokens_have_a_lifecycle);
            scenario!(letters_are_numbered_once_per_unit_kind_and_day);
            scenario!(a_review_in_levels_waits_for_each_level_in_turn);
        }
    };
}

/// A letter of the ladder is numbered in its campaign's sequence of its kind and year, once
/// per unit, kind and day: issued again, the same letter; another unit, the next number; another
/// kind, a sequence of its own.
pub fn letters_are_numbered_once_per_unit_kind_and_day(mut b: impl Backend) {
    use duban::language::letters::LetterKind;
    use duban::store::{LetterItem, NewLetter};
    sync(&mut b);
    let campaign_id = b.unit_work("甲").unwrap()[0].campaign_id;
    let items = [LetterItem {
        deliverable: "方案".into(),
        title: None,
        period: String::new(),
        due_date: "2017-04-14".into(),
    }];
    let day = |d: &str| d.parse::<chrono::NaiveDate>().unwrap();
    let issue = |b: &mut dyn Backend, unit: &str, kind, d: &str| {
        b.issue_letter(&NewLetter {
            campaign_id,
            unit,
            kind,
            day: day(d),
            issued_at: utc(&format!("{d} 09:05")).timestamp(),
            items: &items,
        })
        .unwrap()
    };
    let first = issue(&mut b, "甲", LetterKind::Supervision, "2017-04-18");
    assert_eq!(first.number_text(), "督办函〔2017〕1号");
    assert_eq!(first.items, items);
    let again = issue(&mut b, "甲", LetterKind::Supervision, "2017-04-18");
    assert_eq!(again, first, "the same escalation, the same letter");
    let other = issue(&mut b, "乙", LetterKind::Supervision, "2017-04-18");
    assert_eq!(other.number, 2);
    let red = issue(&mut b, "甲", LetterKind::Red, "2017-04-18");
    assert_eq!(red.number_text(), "红色督办单〔2017〕1号");
    let later = issue(&mut b, "甲", LetterKind::Supervision, "2017-04-25");
    assert_eq!(later.number, 3);
    let listed: Vec<String> = b
        .letters_of("甲")
        .unwrap()
        .iter()
        .map(|l| l.number_text())
        .collect();
    assert_eq!(
        listed,
        [
            "督办函〔2017〕3号",
            "红色督办单〔2017〕1号",
            "督办函〔2017〕1号"
        ]
    );
    assert_eq!(b.letters_of("丙").unwrap(), []);
}

/// A report reviewed in levels waits at each level for that level's reviewer, whose queue
/// alone has it; a return at the second level starts it again at the first.
pub fn a_review_in_levels_waits_for_each_level_in_turn(mut b: impl Backend) {
    let text = CAMPAIGN.replace(
        "report 方案 { from 甲 乙; due 2017-04-14 }",
        "unit 丙\nreport 方案 { from 甲 乙; review by 乙 then 丙; due 2017-04-14 }",
    );
    sync_text(&mut b, &text, false).unwrap();
    let k = key("方案", "甲", None);
    let accept = || Action::Accept {
        next_review_due: None,
        by: None,
    };
    let sent = b.apply(&k, submit(), meta("2017-04-10 09:00")).unwrap();
    assert_eq!(sent.waiting_for.as_deref(), Some("乙"));
    let queued = |b: &dyn Backend, unit: &str| {
        b.review_queue(unit, 0)
            .unwrap()
            .iter()
            .any(|i| i.unit == "甲" && i.record.state == duban::store::State::Review)
    };
    assert!(queued(&b, "乙") && !queued(&b, "丙"));
    let passed = b.apply(&k, accept(), meta("2017-04-11 09:00")).unwrap();
    assert_eq!(passed.status, Status::UnderReview);
    assert_eq!(passed.waiting_for.as_deref(), Some("丙"));
    assert!(!queued(&b, "乙") && queued(&b, "丙"));
    let item = b
        .unit_work("甲")
        .unwrap()
        .into_iter()
        .find(|i| i.deliverable == "方案")
        .unwrap();
    assert_eq!(item.reviewer.as_deref(), Some("丙"));
    assert_eq!(item.review_levels, ["乙", "丙"]);
    let back = Action::Reject {
        reason: "数据不全".into(),
    };
    let returned = b.apply(&k, back, meta("2017-04-12 09:00")).unwrap();
    assert_eq!(returned.status, Status::Returned);
    let again = b.apply(&k, submit(), meta("2017-04-13 09:00")).unwrap();
    assert_eq!(
        again.waiting_for.as_deref(),
        Some("乙"),
        "from the first level again"
    );
    b.apply(&k, accept(), meta("2017-04-13 10:00")).unwrap();
    let done = b.apply(&k, accept(), meta("2017-04-13 11:00")).unwrap();
    assert_eq!(done.status, Status::SubmittedOnTime);
    assert!(!queued(&b, "丙"));
}

fn sqlite() -> Option<(tempfile::TempDir, Store)> {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        &dir.path().join("duban.db"),
        duban::store::Options {
            busy_timeout: std::time::Duration::from_secs(5),
            files: dir.path().join("files"),
        },
    )
    .unwrap();
    Some((dir, store))
}

fn postgres() -> Option<((), PgStore)> {
    let url = crate::pgserver::database()?;
    Some(((), PgStore::connect(&url).unwrap()))
}

storage_contract!(on_sqlite, sqlite);
storage_contract!(on_postgres, postgres);
