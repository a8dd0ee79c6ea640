//! The words every stage shares: lengths of time, the periods cadences repeat over, the holiday
//! rule, the roles an escalation names, and the reporting periods obligations cover. They sit
//! below the language and the schedule, so that neither has to import the other for them; and
//! the bounds on what people type (`typed`).

use std::fmt;

mod channel;
mod period;
pub mod typed;

pub use channel::{Channel, mobile};
pub use period::Period;

/// How a deadline that falls on a non-workday moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShiftRule {
    /// The default (民法典 第二百零三条): units are told the document's date, but a period
    /// whose last day is a rest day or a holiday ends at the end of the first workday after.
    #[default]
    Legal,
    /// The document's date, even if the office is closed that day.
    Strict,
    /// The stated date itself moves to the next workday.
    NextWorkday,
    /// The stated date itself moves to the previous workday (提前).
    PreviousWorkday,
}

impl fmt::Display for ShiftRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShiftRule::Legal => "legal",
            ShiftRule::Strict => "strict",
            ShiftRule::NextWorkday => "next-workday",
            ShiftRule::PreviousWorkday => "previous-workday",
        })
    }
}

/// A length of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Duration {
    /// How many.
    pub count: u32,
    /// Of what.
    pub unit: DurationUnit,
}

/// The unit of a [`Duration`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DurationUnit {
    /// Calendar days.
    Days,
    /// Workdays on the official calendar.
    Workdays,
    /// Weeks of seven days.
    Weeks,
}

/// The kind of period a cadence repeats over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeriodUnit {
    /// ISO weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
    /// Calendar years.
    Year,
    /// Halves of a month: the 1st–15th and the 16th to its end (每半月).
    HalfMonth,
    /// Halves of a year: January–June and July–December (每半年).
    HalfYear,
    /// The campaign's phases.
    Phase,
}

impl fmt::Display for PeriodUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PeriodUnit::Week => "week",
            PeriodUnit::Month => "month",
            PeriodUnit::Quarter => "quarter",
            PeriodUnit::Year => "year",
            PeriodUnit::HalfMonth => "half-month",
            PeriodUnit::HalfYear => "half-year",
            PeriodUnit::Phase => "phase",
        })
    }
}

/// A role an escalation step can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The late unit's liaison (联络员).
    Liaison,
    /// The late unit's leader in charge (分管领导).
    Leader,
    /// The report's recipients (接收单位).
    Recipients,
    /// The supervising units of the item or campaign (监督单位).
    Supervisors,
    /// The campaign's office (主办单位).
    Office,
    /// The item's lead unit (牵头单位).
    Lead,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Liaison => "liaison",
            Role::Leader => "leader",
            Role::Recipients => "recipients",
            Role::Supervisors => "supervisors",
            Role::Office => "office",
            Role::Lead => "lead",
        })
    }
}

impl Duration {
    /// The count and unit to count in, with weeks as seven days: the one place weeks become days.
    pub fn normalized(self) -> (i64, DurationUnit) {
        match self.unit {
            DurationUnit::Weeks => (i64::from(self.count) * 7, DurationUnit::Days),
            unit => (i64::from(self.count), unit),
        }
    }
}
