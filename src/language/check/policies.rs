//! Reminder policies: lead times, the time of day, and the overdue ladder.

use super::*;
use crate::language::campaign::Channels;

impl Checker<'_> {
    pub(super) fn top_policy(&mut self, file: &File) -> Policy {
        let mut blocks = file.items.iter().filter_map(|i| match i {
            TopItem::Remind(r) => Some(r),
            _ => None,
        });
        let Some(first) = blocks.next() else {
            return Policy::default();
        };
        for extra in blocks {
            self.error(
                Problem::DuplicateStatement {
                    statement: "remind",
                },
                extra.span,
            );
        }
        self.policy(first)
    }

    /// The campaign's `assess` block, if it has one: its rules over the default's.
    pub(super) fn scoring(&mut self, file: &File) -> Option<crate::language::scoring::Scoring> {
        let mut blocks = file.items.iter().filter_map(|i| match i {
            TopItem::Assess(a) => Some(a),
            _ => None,
        });
        let first = blocks.next()?;
        for extra in blocks {
            self.error(
                Problem::DuplicateStatement {
                    statement: "assess",
                },
                extra.span,
            );
        }
        let mut scoring = crate::language::scoring::Scoring::default();
        let mut seen = StatementSet::default();
        for stmt in &first.stmts {
            let keyword = match stmt.node {
                AssessStmt::OnTime(_) => "on-time",
                AssessStmt::Late(_) => "overdue",
                AssessStmt::Missing(_) => "missing",
                AssessStmt::Returned(_) => "returned",
                AssessStmt::Waived(_) => "waived",
                AssessStmt::Extended(_) => "extended",
                AssessStmt::Rank(_) => "rank",
                AssessStmt::Note(_) => continue,
            };
            if !seen.first(keyword, stmt.span, &mut self.diagnostics) {
                continue;
            }
            match &stmt.node {
                AssessStmt::OnTime(p) => scoring.on_time = *p,
                AssessStmt::Late(l) => scoring.late = *l,
                AssessStmt::Missing(p) => scoring.missing = *p,
                AssessStmt::Returned(p) => scoring.returned = *p,
                AssessStmt::Waived(w) => scoring.waived = *w,
                AssessStmt::Extended(e) => scoring.extension_counts = *e,
                AssessStmt::Rank(b) => scoring.ranking = *b,
                AssessStmt::Note(_) => {}
            }
        }
        Some(scoring)
    }

    pub(super) fn policy(&mut self, decl: &RemindDecl) -> Policy {
        let defaults = Policy::default();
        let mut lead_times = None;
        let mut time = None;
        let mut ladder = Vec::new();
        let mut unacknowledged_ladder = Vec::new();
        let mut before_by = defaults.before_by.clone();
        for stmt in &decl.stmts {
            match &stmt.node {
                RemindStmt::Before(leads, at, by) => {
                    lead_times = Some(leads.iter().map(|l| l.node).collect::<Vec<_>>());
                    if let Some(at) = at {
                        time = Some(at.node);
                    }
                    before_by = channels(by);
                }
                RemindStmt::At(at) => time = Some(at.node),
                RemindStmt::Overdue {
                    after,
                    interview,
                    to,
                    letter,
                    unacknowledged,
                } => {
                    let mut targets = Vec::new();
                    let mut by = Vec::new();
                    for (t, channels_of_t) in to {
                        let reached = channels(channels_of_t);
                        match t {
                            EscalateTo::Role(role) => {
                                targets.push(Escalate::Role(role.node));
                                by.push(reached);
                            }
                            EscalateTo::Named(name) => {
                                for u in self.units_of(std::slice::from_ref(name)) {
                                    targets.push(Escalate::Unit(self.units[u].name.clone()));
                                    by.push(reached.clone());
                                }
                            }
                        }
                    }
                    let rung = Rung {
                        after: after.node,
                        interview: *interview,
                        to: targets,
                        by: Channels::each(by),
                        letter: *letter,
                    };
                    if *unacknowledged {
                        unacknowledged_ladder.push(rung);
                    } else {
                        ladder.push(rung);
                    }
                }
                RemindStmt::Note(_) => {}
            }
        }
        let mut lead_times = lead_times.unwrap_or(defaults.lead_times);
        lead_times.sort_by_key(|d| std::cmp::Reverse(approximate_days(d)));
        lead_times.dedup();
        ladder.sort_by_key(|r| approximate_days(&r.after));
        unacknowledged_ladder.sort_by_key(|r| approximate_days(&r.after));
        Policy {
            unacknowledged: unacknowledged_ladder,
            lead_times,
            time: time.unwrap_or(defaults.time),
            before_by,
            ladder: if ladder.is_empty() {
                defaults.ladder
            } else {
                ladder
            },
        }
    }
}

/// The channels a stage names, once each in the order written; mail when it names none.
fn channels(by: &[crate::language::ast::Spanned<Channel>]) -> Vec<Channel> {
    let mut out: Vec<Channel> = Vec::new();
    for c in by {
        if !out.contains(&c.node) {
            out.push(c.node);
        }
    }
    if out.is_empty() {
        out.push(Channel::Mail);
    }
    out
}

pub(super) fn approximate_days(d: &Duration) -> u64 {
    d.normalized().0.unsigned_abs()
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn days(count: u32) -> Duration {
        Duration {
            count,
            unit: DurationUnit::Days,
        }
    }

    #[test]
    fn lead_times_and_rungs_come_in_order_whatever_order_they_are_written_in() {
        let c = campaign(
            "group 两家 { 甲 乙 }\n提醒 {\n  提前 1天 3天 1天 时间 08:30\n  逾期 7天 通知 两家\n  逾期 1天 通知 联络员\n}\n",
        );
        let p = &c.policy;
        assert_eq!(p.lead_times, [days(3), days(1)], "longest first, once each");
        assert_eq!(p.time, (8, 30));
        let ladder: Vec<(Duration, &[Escalate])> = p
            .ladder
            .iter()
            .map(|r| (r.after, r.to.as_slice()))
            .collect();
        assert_eq!(
            ladder,
            [
                (days(1), &[Escalate::Role(Role::Liaison)][..]),
                (
                    days(7),
                    &[Escalate::Unit("甲".into()), Escalate::Unit("乙".into())][..]
                ),
            ],
            "a group stands for its units"
        );
    }

    #[test]
    fn each_target_is_reached_by_the_channels_written_after_it() {
        let c = campaign(
            "group 两家 { 甲 乙 }\n提醒 {\n  提前 3天 经 企业微信\n  逾期 1天 通知 联络员 经 企业微信 经 短信，分管领导经短信\n  逾期 3天 通知 两家、主办单位\n  逾期 5天 -> liaison, leader by dingtalk, feishu\n}\n",
        );
        let p = &c.policy;
        assert_eq!(p.before_by, [Channel::Wecom]);
        let by = |rung: usize, target: usize| p.ladder[rung].by.of(target).to_vec();
        use Channel::*;
        assert_eq!(by(0, 0), [Wecom, Sms], "a second clause adds to the first");
        assert_eq!(by(0, 1), [Sms], "written without spaces");
        assert_eq!(p.ladder[1].to.len(), 3, "a group stands for its units");
        assert!((0..3).all(|t| by(1, t) == [Mail]), "mail without a clause");
        assert_eq!(by(2, 0), [Dingtalk, Feishu]);
        assert_eq!(by(2, 1), [Dingtalk, Feishu]);
    }

    #[test]
    fn without_a_remind_block_the_default_policy_holds() {
        let c = campaign("");
        let default = Policy::default();
        assert_eq!(c.policy.lead_times, default.lead_times);
        assert_eq!(c.policy.ladder.len(), default.ladder.len());
    }

    #[test]
    fn a_second_remind_block_is_an_error() {
        assert_eq!(
            problems("remind { before 3d }\nremind { before 1d }\n"),
            ["error: `remind` is given twice"]
        );
    }
}

#[cfg(test)]
mod scoring_tests {
    use super::super::testing::*;
    use crate::language::scoring::{Basis, Late, Scoring, Waived};

    #[test]
    fn an_assess_block_in_either_language_sets_the_scoring() {
        let expected = Scoring {
            on_time: 10.0,
            late: Late::PerDay(1.0),
            missing: 0.0,
            returned: 2.0,
            waived: Waived::Full,
            extension_counts: false,
            ranking: Basis::ToDate,
        };
        for block in [
            "考核 {\n  按时 10分\n  逾期 每天扣 1分\n  未报 0分\n  退回 扣 2分\n  免报 满分\n  延期 按原时限\n  排名 按累计\n}\n",
            "assess { on-time 10 points; overdue 1 per day; missing 0; returned 2 each; waived full; extended original; rank to-date }\n",
        ] {
            assert_eq!(campaign(block).scoring, Some(expected.clone()), "{block}");
        }
        let flat = campaign("考核 { 按时报送 10分; 逾期 5分 }\n")
            .scoring
            .unwrap();
        assert_eq!(flat.late, Late::Points(5.0));
        assert_eq!(flat.waived, Waived::Excluded);
        assert!(campaign("").scoring.is_none());
    }

    #[test]
    fn a_statement_given_twice_or_unknown_is_an_error() {
        assert_eq!(
            problems("考核 { 按时 10分; 按时 5分 }\n"),
            ["error: `on-time` is given twice"]
        );
        let (_, errors) = crate::language::parse::parse("考核 { 加分 5分 }\n");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0]
                .help
                .as_deref()
                .is_some_and(|h| h.contains("`on-time`")),
            "{errors:?}"
        );
    }
}

#[cfg(test)]
mod bulletin_tests {
    use super::super::testing::*;

    #[test]
    fn the_bulletin_is_the_offices_own_report_in_either_language() {
        for line in [
            "通报 每月 下月5日前\n",
            "bulletin every month by day 5 of next month\n",
        ] {
            let c = check_file(&format!(
                "campaign t {{\n  period 2017-04-01 .. 2017-12-31\n  office 办\n  supervisors 纪委\n}}\nunit 办\nunit 纪委\n{line}"
            ));
            assert!(c.1.is_empty(), "{line}: {}", lines(&c.1).join("\n"));
            let campaign = c.0.unwrap();
            let bulletin = &campaign.deliverables[0];
            assert_eq!(bulletin.name, "通报");
            assert_eq!(bulletin.from, [campaign.office.unwrap()]);
        }
    }

    #[test]
    fn a_bulletin_without_an_office_is_an_error() {
        let problems = problems("通报 每月 下月5日前\n");
        assert_eq!(
            problems,
            [
                "error: the bulletin is the office's to send: the campaign names no `office` (help: add `office UNIT` / `主办单位 UNIT` to the campaign block)"
            ]
        );
    }
}
