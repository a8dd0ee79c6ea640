//! Reminder policies: lead times, the time of day, and the overdue ladder.

use super::*;

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

    pub(super) fn policy(&mut self, decl: &RemindDecl) -> Policy {
        let defaults = Policy::default();
        let mut lead_times = None;
        let mut time = None;
        let mut ladder = Vec::new();
        for stmt in &decl.stmts {
            match &stmt.node {
                RemindStmt::Before(leads, at) => {
                    lead_times = Some(leads.iter().map(|l| l.node).collect::<Vec<_>>());
                    if let Some(at) = at {
                        time = Some(at.node);
                    }
                }
                RemindStmt::At(at) => time = Some(at.node),
                RemindStmt::Overdue {
                    after,
                    interview,
                    to,
                } => {
                    let mut targets = Vec::new();
                    for t in to {
                        match t {
                            EscalateTo::Role(role) => targets.push(Escalate::Role(role.node)),
                            EscalateTo::Named(name) => {
                                let units = self.units_of(std::slice::from_ref(name));
                                targets.extend(
                                    units
                                        .into_iter()
                                        .map(|u| Escalate::Unit(self.units[u].name.clone())),
                                );
                            }
                        }
                    }
                    ladder.push(Rung {
                        after: after.node,
                        interview: *interview,
                        to: targets,
                    });
                }
                RemindStmt::Note(_) => {}
            }
        }
        let mut lead_times = lead_times.unwrap_or(defaults.lead_times);
        lead_times.sort_by_key(|d| std::cmp::Reverse(approximate_days(d)));
        lead_times.dedup();
        ladder.sort_by_key(|r| approximate_days(&r.after));
        Policy {
            lead_times,
            time: time.unwrap_or(defaults.time),
            ladder: if ladder.is_empty() {
                defaults.ladder
            } else {
                ladder
            },
        }
    }
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
