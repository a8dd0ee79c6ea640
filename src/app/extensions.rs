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
