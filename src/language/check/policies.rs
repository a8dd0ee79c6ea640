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
