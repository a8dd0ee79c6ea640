//! The state an obligation's record is in, as the store keeps it.

use std::fmt;
use std::str::FromStr;

/// Where an obligation's record stands; with the instants it keeps, it gives the [`Status`]
/// at any instant.
///
/// [`Status`]: super::Status
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// Owed: nothing submitted yet (or an extension running).
    Open,
    /// Submitted, waiting for its reviewer.
    Review,
    /// Submitted and counted.
    Received,
    /// Sent back (退回): owed again.
    Returned,
    /// Excused (免报).
    Waived,
}

impl State {
    /// The word the store writes.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Review => "review",
            State::Received => "received",
            State::Returned => "returned",
            State::Waived => "waived",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word the store never writes.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a state of an obligation")]
pub struct UnknownState(pub String);

impl FromStr for State {
    type Err = UnknownState;

    fn from_str(s: &str) -> Result<State, UnknownState> {
        Ok(match s {
            "open" => State::Open,
            "review" => State::Review,
            "received" => State::Received,
            "returned" => State::Returned,
            "waived" => State::Waived,
            other => return Err(UnknownState(other.to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_what_it_writes() {
        for state in [
            State::Open,
            State::Review,
            State::Received,
            State::Returned,
            State::Waived,
        ] {
            assert_eq!(state.as_str().parse::<State>().unwrap(), state);
        }
        assert!("closed".parse::<State>().is_err());
    }
}
