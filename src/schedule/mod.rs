//! The schedule: the official calendar, reporting periods, and the compiler that turns a
//! checked campaign into every obligation with its due date.

pub mod calendar;
pub mod compile;
pub mod obligation;

pub use crate::vocabulary::Period;
pub use calendar::Calendar;
pub use compile::{Schedule, compile};
pub use obligation::{Obligation, ObligationRecord};
