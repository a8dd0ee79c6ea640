//! The ledger of one obligation, without storage: the states its record can be in
//! ([`State`]), the status it shows at an instant ([`Status`]), and what an action does to it
//! ([`transition`]) — an [`Effect`] for the store to save, or a [`Refusal`] a caller can match.
//! The store loads a record, asks here, and saves the effect in one transaction.

mod refusal;
mod replay;
mod review;
mod state;
mod status;
mod transition;

pub use refusal::Refusal;
pub use replay::{ACTS, ACTS_SQL, BACKFILL_MARGIN, Past, Start, backfilled, replay};
pub use state::State;
pub use status::{REVIEW_GRACE, Record, Status};
pub use transition::{Action, Effect, Facts, Signature, Submission, Update, Upload, transition};
