//! How a campaign scores timeliness (考核): the points of a report on time, late, or never sent,
//! what a return costs, and how waivers and extensions count. A unit's score is the mean of its
//! reports' points, so that units owing different numbers of reports compare; without an
//! `assess` block each report on time scores 100 and every other 0: the on-time rate.

use serde::{Deserialize, Serialize};

/// A campaign's scoring rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scoring {
    /// Points of a report submitted by its deadline.
    pub on_time: f64,
    /// What a late report scores: points off the on-time ones per day late, or flat points.
    pub late: Late,
    /// Points of a report never sent (overdue at the end of the assessed time).
    pub missing: f64,
    /// Points off for each time a report was returned (退回).
    pub returned: f64,
    /// Whether a waived report counts, and as what.
    pub waived: Waived,
    /// Whether lateness counts from an extension's deadline or the original one.
    pub extension_counts: bool,
    /// What a bulletin ranks units by (排名 按本期|按累计); campaigns stored before it was
    /// said read as the default.
    #[serde(default)]
    pub ranking: Basis,
}

/// Which of a bulletin's two counts a ranking or a proposal is made from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// 本期: the reports that fell due in the bulletin's window — what the bulletin is about,
    /// and a unit late in March is not ranked down again every month after.
    #[default]
    Period,
    /// 累计: every report that fell due from the campaign's start to the window's end.
    ToDate,
}

impl Basis {
    /// `本期` or `累计`, as the bulletin labels it.
    pub fn label(self) -> &'static str {
        match self {
            Basis::Period => "本期",
            Basis::ToDate => "累计",
        }
    }
}

impl Default for Scoring {
    /// The on-time rate, in percent.
    fn default() -> Scoring {
        Scoring {
            on_time: 100.0,
            late: Late::Points(0.0),
            missing: 0.0,
            returned: 0.0,
            waived: Waived::Excluded,
            extension_counts: true,
            ranking: Basis::Period,
        }
    }
}

/// What a late report scores.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Late {
    /// The on-time points less this much per day late, never below zero (逾期 每天扣 1分).
    PerDay(f64),
    /// These points, however late (逾期 5分).
    Points(f64),
}

/// How a waived report (免报) counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Waived {
    /// Left out of the unit's score (免报 不计).
    Excluded,
    /// As if on time (免报 满分).
    Full,
}

impl Scoring {
    /// The points of one report, `days_late` after its deadline (none: never sent), returned
    /// `returns` times; never below zero.
    pub fn points(&self, days_late: Option<i64>, returns: i64) -> f64 {
        let base = match days_late {
            None => self.missing,
            Some(0) => self.on_time,
            Some(days) => match self.late {
                Late::PerDay(off) => self.on_time - off * days as f64,
                Late::Points(p) => p,
            },
        };
        (base - self.returned * returns as f64).max(0.0)
    }

    /// The rules in a sentence, for `assess --explain`.
    pub fn describe(&self) -> String {
        let late = match self.late {
            Late::PerDay(off) => format!("late: {} less {} a day", num(self.on_time), num(off)),
            Late::Points(p) => format!("late: {}", num(p)),
        };
        format!(
            "on time: {}; {late}; never sent: {}; each return: -{}; waived: {}; lateness from {} deadline",
            num(self.on_time),
            num(self.missing),
            num(self.returned),
            match self.waived {
                Waived::Excluded => "not counted",
                Waived::Full => "as on time",
            },
            if self.extension_counts {
                "an extension's"
            } else {
                "the original"
            }
        )
    }
}

fn num(n: f64) -> String {
    super::form::num(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_scores_by_its_days_late_and_its_returns() {
        let s = Scoring {
            on_time: 10.0,
            late: Late::PerDay(1.0),
            missing: 0.0,
            returned: 2.0,
            ..Scoring::default()
        };
        assert_eq!(s.points(Some(0), 0), 10.0);
        assert_eq!(s.points(Some(3), 0), 7.0);
        assert_eq!(s.points(Some(3), 1), 5.0);
        assert_eq!(s.points(Some(30), 0), 0.0, "never below zero");
        assert_eq!(s.points(None, 0), 0.0);
        let rate = Scoring::default();
        assert_eq!(rate.points(Some(0), 0), 100.0);
        assert_eq!(rate.points(Some(1), 0), 0.0);
    }
}
