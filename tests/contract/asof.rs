//! The record "as of T", as a property: random sequences of acts (submit, return, accept,
//! extend, waive, some typed in long after they were done), and random instants T; every
//! listing at T must equal the same listing of a fresh campaign into which only the acts done
//! by T were recorded. The sequences come from a seeded generator (the seed is in every
//! failure), so that a failure is reproduced by its number.

use duban::clock::Instant;
use duban::ledger::{Action, Submission};
use duban::store::{Backend, Filter, Key, Meta, Window};

/// Sequences tried, and instants per sequence.
const SEQUENCES: u64 = 24;
const INSTANTS: usize = 5;

/// One campaign: two units, a one-off under review, a monthly report.
fn campaign(name: &str) -> String {
    format!(
        "campaign {name} {{
  period 2017-04-01 .. 2017-07-31
  zone UTC
  holidays strict
}}
unit 甲
unit 乙
unit 审核组
report 方案 {{ from 甲 乙; due 2017-04-14; review by 审核组 }}
report 月报 {{ from 甲 乙; due every month by day 25 }}
"
    )
}

/// xorshift64*: small, seeded, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// An obligation of the campaign: deliverable, unit, period.
type Which = (&'static str, &'static str, Option<&'static str>);

const OBLIGATIONS: [Which; 8] = [
    ("方案", "甲", None),
    ("方案", "乙", None),
    ("月报", "甲", Some("2017-04")),
    ("月报", "甲", Some("2017-05")),
    ("月报", "甲", Some("2017-06")),
    ("月报", "乙", Some("2017-04")),
    ("月报", "乙", Some("2017-05")),
    ("月报", "乙", Some("2017-06")),
];

/// 2017-04-01 00:00 UTC.
const START: i64 = 1_491_004_800;
const DAY: i64 = 86_400;

fn key(campaign: &str, (deliverable, unit, period): Which) -> Key<'_> {
    Key {
        campaign,
        deliverable,
        unit,
        period,
    }
}

fn action(rng: &mut Rng, at: i64) -> Action {
    let reason = "核实".to_string();
    match rng.below(6) {
        0 | 1 => Action::Submit(Submission::default()),
        2 => Action::Accept {
            next_review_due: None,
            by: None,
        },
        3 => Action::Return { reason },
        4 => Action::Extend {
            until: duban::clock::from_unix(at + (3 + rng.below(20) as i64) * DAY).date_naive(),
            reason,
        },
        _ => Action::Waive { reason },
    }
}

/// Everything a listing at `t` says about campaign `name`, with the campaign's name left out.
fn listings(b: &impl Backend, name: &str, t: i64) -> Vec<String> {
    let filter = Filter {
        campaigns: vec![name.to_string()],
        ..Filter::default()
    };
    let at = Instant::Absolute(duban::clock::from_unix(t));
    let mut out = Vec::new();
    for r in b.overdue(&filter, at).unwrap() {
        out.push(format!(
            "overdue {} {} {:?} {} {} {}",
            r.deliverable, r.unit, r.period, r.due_date, r.days_overdue, r.status
        ));
    }
    for r in b.due_within(&filter, at, Window::Days(45)).unwrap() {
        out.push(format!(
            "due {} {} {:?} {} {} {:?}",
            r.deliverable, r.unit, r.period, r.due_date, r.days_left, r.status
        ));
    }
    for r in b.status(&filter, at).unwrap() {
        out.push(format!(
            "status {} {} due={} on_time={} late={} review={} waived={} overdue={} soon={} upcoming={}",
            r.unit, r.deliverable, r.due, r.on_time, r.late, r.under_review, r.waived, r.overdue,
            r.due_soon, r.upcoming
        ));
    }
    for which in OBLIGATIONS {
        let (status, events) = b.history(&key(name, which), at).unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        out.push(format!("history {which:?} {status:?} {kinds:?}"));
    }
    out
}

pub fn the_record_at_an_instant_is_what_was_done_by_then(mut b: impl Backend) {
    let mut compared = 0;
    for seed in 1..=SEQUENCES {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let full = format!("full{seed}");
        super::sync_named(&mut b, &full, &campaign(&full));
        // Acts at rising times over four months; a refused one is not recorded.
        let mut t = START;
        let mut done: Vec<(Which, Action, Meta)> = Vec::new();
        for _ in 0..(8 + rng.below(16)) {
            t += rng.below(6 * DAY as u64) as i64;
            let which = OBLIGATIONS[rng.below(OBLIGATIONS.len() as u64) as usize];
            let act = action(&mut rng, t);
            // One act in four arrived on paper and was typed in a month later (补录).
            let recorded_at = if rng.below(4) == 0 { t + 30 * DAY } else { t };
            let meta = Meta {
                at: t,
                recorded_at,
                by: Some("测试".into()),
                note: None,
            };
            if b.apply(&key(&full, which), act.clone(), meta.clone())
                .is_ok()
            {
                done.push((which, act, meta));
            }
        }
        for i in 0..INSTANTS {
            let instant = START + rng.below((t - START + 10 * DAY) as u64) as i64;
            let fresh = format!("fresh{seed}x{i}");
            super::sync_named(&mut b, &fresh, &campaign(&fresh));
            for (which, act, meta) in done.iter().filter(|(_, _, m)| m.at <= instant) {
                b.apply(&key(&fresh, *which), act.clone(), meta.clone())
                    .unwrap_or_else(|e| {
                        panic!("seed {seed}: {which:?} {act:?} at {}: {e}", meta.at)
                    });
            }
            assert_eq!(
                listings(&b, &full, instant),
                listings(&b, &fresh, instant),
                "seed {seed}, instant {instant}: {} acts recorded, {} of them by then",
                done.len(),
                done.iter().filter(|(_, _, m)| m.at <= instant).count()
            );
            compared += 1;
        }
    }
    assert_eq!(compared, SEQUENCES as usize * INSTANTS);
}
