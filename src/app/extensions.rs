//! 签收 and 申请延期, the unit's side of an obligation beside its report. A unit acknowledges a
//! task once (签收), the time kept. And 申请延期: a unit asks for more time with a reason and a day; the office grants it (an
//! extension to that day or a nearer one, as `extend` does), or declines it with a reason.
//! The ledger keeps each step as an act; what this adds is the order between them — one
//! request open at a time, and a decline only of a request that is open — read from the
//! obligation's history.

use super::{AppError, Office};
use crate::clock::Instant;
use crate::ledger::Action;
use crate::store::{Backend, HistoryEvent, Key};

/// Why a request for more time, or its decline, is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExtensionRefusal {
    /// The unit asked already, and the office has not answered.
    #[error("more time was asked for already (until {until}); the office has not answered yet")]
    AlreadyAsked {
        /// The day asked for.
        until: String,
    },
    /// Nothing to decline.
    #[error("no request for more time is open")]
    NoneOpen,
    /// Acknowledged already.
    #[error("acknowledged already, at {at}")]
    AlreadyAcknowledged {
        /// When.
        at: String,
    },
    /// The campaign allows so many requests, and they were made (`延期 最多1次`).
    #[error("more time may be asked for {times} time(s) only, and was")]
    TooMany {
        /// The campaign's limit.
        times: u32,
    },
    /// The day asked for is later than the campaign allows (`延期 不超过10日`).
    #[error(
        "more time may be asked for until {latest} at the latest (the deadline {due} and {span})"
    )]
    TooFar {
        /// The latest day that may be asked for.
        latest: chrono::NaiveDate,
        /// The deadline the span counts from.
        due: String,
        /// The campaign's span, as it says it.
        span: String,
    },
}

impl ExtensionRefusal {
    /// As the pages say it.
    pub fn zh(&self) -> String {
        match self {
            ExtensionRefusal::AlreadyAsked { until } => {
                format!("已申请延期至{until}，请等待主办单位答复")
            }
            ExtensionRefusal::NoneOpen => "没有待答复的延期申请".to_string(),
            ExtensionRefusal::AlreadyAcknowledged { at } => format!("已于{at}签收"),
            ExtensionRefusal::TooMany { times } => {
                format!("本项工作最多可申请延期{times}次，已申请过，不能再申请")
            }
            ExtensionRefusal::TooFar { latest, .. } => {
                format!("申请延期的日期不能晚于{latest}（原截止日期后按专项规定的最长期限）")
            }
        }
    }
}

/// The request for more time the office has not answered yet, if any: (the day asked for,
/// why), from the history in the order it was recorded. An extension or a decline answers it;
/// a report sent or an obligation waived leaves nothing to answer.
pub fn open_request(history: &[HistoryEvent]) -> Option<(String, String)> {
    let mut open = None;
    for e in history {
        match e.kind.as_str() {
            "extension_asked" => {
                let until = e.data["until"].as_str().unwrap_or_default().to_string();
                open = Some((until, e.reason.clone().unwrap_or_default()));
            }
            "extended" | "extension_declined" | "submitted" | "waived" => open = None,
            _ => {}
        }
    }
    open
}

/// When the task was acknowledged (签收) and by whom, if it was: the first time.
pub fn acknowledged(history: &[HistoryEvent]) -> Option<(String, Option<String>)> {
    history.iter().find(|e| e.kind == "acknowledged").map(|e| {
        (
            e.at.get(..16).unwrap_or(&e.at).replace('T', " "),
            e.by.clone(),
        )
    })
}

impl Office {
    /// Refuses a request for more time while one is open, a decline with none open, and a
    /// second acknowledgement.
    pub(super) fn extension_in_order(
        &self,
        store: &dyn Backend,
        key: &Key<'_>,
        action: &Action,
        at: Instant,
    ) -> Result<(), AppError> {
        if !matches!(
            action,
            Action::AskExtension { .. } | Action::DeclineExtension { .. } | Action::Acknowledge
        ) {
            return Ok(());
        }
        // Everything recorded counts, also what is dated after `at` (an act out of order is
        // the ledger's to refuse, with its dates).
        let zone = store.campaign_zone(key.campaign)?;
        let now = Instant::Absolute(self.clock.now());
        let latest = if at.in_zone(zone) > now.in_zone(zone) {
            at
        } else {
            now
        };
        let (_, history) = store.history(key, latest)?;
        if matches!(action, Action::Acknowledge) {
            return match acknowledged(&history) {
                Some((at, _)) => Err(ExtensionRefusal::AlreadyAcknowledged { at }.into()),
                None => Ok(()),
            };
        }
        if let Action::AskExtension { until, .. } = action {
            self.within_limits(store, key, &history, *until)?;
        }
        let open = open_request(&history);
        match (action, open) {
            (Action::AskExtension { .. }, Some((until, _))) => {
                Err(ExtensionRefusal::AlreadyAsked { until }.into())
            }
            (Action::DeclineExtension { .. }, None) => Err(ExtensionRefusal::NoneOpen.into()),
            _ => Ok(()),
        }
    }
}

impl Office {
    /// Refuses a request beyond what the campaign allows (`延期 最多1次 不超过10日`): more
    /// requests than it allows, or a day past the original deadline by more than its span.
    fn within_limits(
        &self,
        store: &dyn Backend,
        key: &Key<'_>,
        history: &[HistoryEvent],
        until: chrono::NaiveDate,
    ) -> Result<(), AppError> {
        let Some(rule) = store
            .describe(key.campaign, key.deliverable)?
            .asks
            .extensions
        else {
            return Ok(());
        };
        let asked = history
            .iter()
            .filter(|e| e.kind == "extension_asked")
            .count();
        if let Some(times) = rule.times
            && asked >= times as usize
        {
            return Err(ExtensionRefusal::TooMany { times }.into());
        }
        let Some(span) = rule.span else {
            return Ok(());
        };
        // Counted from the deadline the campaign set, not from one already moved.
        let due = store
            .unit_work(key.unit)?
            .into_iter()
            .find(|i| {
                i.campaign == key.campaign
                    && i.deliverable == key.deliverable
                    && i.period.as_str() == key.period.unwrap_or("")
            })
            .and_then(|i| i.due_date.parse::<chrono::NaiveDate>().ok());
        let Some(due) = due else {
            return Ok(());
        };
        let Some(latest) = crate::notices::plan::shift(&self.calendar, due, span, true) else {
            return Ok(());
        };
        if until > latest {
            return Err(ExtensionRefusal::TooFar {
                latest,
                due: due.to_string(),
                span: match span.unit {
                    crate::vocabulary::DurationUnit::Days => format!("{} days", span.count),
                    crate::vocabulary::DurationUnit::Workdays => format!("{} workdays", span.count),
                    crate::vocabulary::DurationUnit::Weeks => format!("{} weeks", span.count),
                },
            }
            .into());
        }
        Ok(())
    }
}

impl Office {
    /// The notices of campaign `campaign_id` not acknowledged (未签收) at `at` (unix seconds):
    /// of reports that ask for 签收 (`签收 24小时内`), told to the unit (the first notice to its
    /// liaison, leader or mailbox went out), not acknowledged and still owed when the time to
    /// acknowledge ran out — in hours from the notice, or to the end of the last of so many
    /// days or workdays after the day it came.
    pub fn unacknowledged(
        &self,
        store: &dyn Backend,
        campaign_id: i64,
        zone: chrono_tz::Tz,
        at: i64,
    ) -> Result<Vec<crate::reports::Unacknowledged>, AppError> {
        use chrono::TimeZone;
        let minute = |t: i64| super::recorded::minute(zone, t);
        let mut out = Vec::new();
        for told in store.told(campaign_id, at)? {
            let asks: crate::store::Asks = serde_json::from_str(&told.asks).unwrap_or_default();
            let Some(within) = asks.acknowledge else {
                continue;
            };
            let due = match within {
                crate::language::ast::AckWithin::Hours(h) => told.told_at + i64::from(h) * 3600,
                crate::language::ast::AckWithin::Span(span) => {
                    let day = zone
                        .timestamp_opt(told.told_at, 0)
                        .single()
                        .map(|t| t.date_naive());
                    let Some(last) = day
                        .and_then(|d| crate::notices::plan::shift(&self.calendar, d, span, true))
                    else {
                        continue;
                    };
                    crate::clock::to_unix(
                        crate::schedule::obligation::end_of_day(zone, last).to_utc(),
                    )
                }
            };
            // As things stand at `at`: acknowledged or sent since, even late, it is not 未签收.
            let acknowledged = told.acknowledged_at.is_some_and(|t| t <= at);
            let closed = told.closed_at.is_some_and(|t| t <= at);
            if due > at || acknowledged || closed {
                continue;
            }
            out.push(crate::reports::Unacknowledged {
                unit: told.unit,
                deliverable: told.deliverable,
                period: (!told.period.is_empty()).then_some(told.period),
                told: minute(told.told_at),
                due: minute(due),
            });
        }
        Ok(out)
    }
}

/// What a 签收 link came to.
#[derive(Debug)]
pub enum LinkAck {
    /// Acknowledged now.
    Done,
    /// Acknowledged before: when, and by whom.
    Before {
        /// When.
        at: String,
        /// By whom, if said.
        by: Option<String>,
    },
}

impl Office {
    /// Acknowledges the obligation `key` for whoever holds the link of a notice (签收 without
    /// signing in), if `mac` is its signature; a link of no obligation, or a forged one, is
    /// refused as forbidden (the page says not found). The link does this one thing: the
    /// rights of anyone are not involved, and it acknowledges once.
    pub fn acknowledge_by_link(
        &self,
        store: &mut dyn Backend,
        key: &Key<'_>,
        mac: &str,
        at: Instant,
    ) -> Result<LinkAck, AppError> {
        if let Some(before) = self.ack_link_state(&*store, key, mac, at)? {
            return Ok(before);
        }
        self.record(
            store,
            key,
            Action::Acknowledge,
            at,
            Some(format!("{}（通知中的签收链接）", key.unit)),
            None,
        )?;
        Ok(LinkAck::Done)
    }
}

impl Office {
    /// Whether `mac` signs the obligation `key` (else forbidden: a forged or altered link), and
    /// whether it was acknowledged already — what a 签收 link's page shows before it acts.
    pub fn ack_link_state(
        &self,
        store: &dyn Backend,
        key: &Key<'_>,
        mac: &str,
        at: Instant,
    ) -> Result<Option<LinkAck>, AppError> {
        let secret = store.link_secret()?;
        let expected = crate::notices::links::ack_mac(
            &secret,
            key.campaign,
            key.deliverable,
            key.unit,
            key.period.unwrap_or(""),
        );
        if !super::same_secret(&expected, mac) {
            return Err(super::rights::forbidden(key.unit));
        }
        let (_, history) = store.history(key, at)?;
        Ok(acknowledged(&history).map(|(at, by)| LinkAck::Before { at, by }))
    }
}
