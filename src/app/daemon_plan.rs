//! When the daemon runs its passes, and by which clock: decided once, before it starts.

use std::sync::Arc;

use chrono_tz::Tz;

use crate::clock::{Clock, Instant, OffsetClock, SystemClock};
use crate::daemon::Schedule;

/// The daemon's clock and schedules.
pub struct DaemonPlan {
    /// Real time, or for a rehearsal a clock that starts at the given instant.
    pub clock: Arc<dyn Clock>,
    /// When passes run.
    pub schedules: Vec<Schedule>,
}

/// The plan for schedules `given` (read in `zone`, by default the zone every campaign shares,
/// else `office`, the workspace's) or the defaults, for campaigns whose policies send at
/// `times`; `rehearsal` starts the clock at that instant instead of now.
pub fn daemon_plan(
    given: &[String],
    zone: Option<Tz>,
    office: Tz,
    rehearsal: Option<Instant>,
    times: &[(Tz, u32, u32)],
) -> DaemonPlan {
    let mut zones: Vec<Tz> = times.iter().map(|t| t.0).collect();
    zones.sort_by_key(|z| z.name());
    zones.dedup();
    let zone = zone.unwrap_or(match zones[..] {
        [only] => only,
        _ => office,
    });
    let clock: Arc<dyn Clock> = match rehearsal {
        Some(start) => Arc::new(OffsetClock::starting_at(start.in_zone(zone))),
        None => Arc::new(SystemClock),
    };
    DaemonPlan {
        clock,
        schedules: schedules(given, zone, times),
    }
}

/// The daemon's schedules: those given, read in `zone`; by default every five minutes, and at
/// each policy's time of day in its campaign's zone, so that reminders leave on the minute.
pub fn schedules(given: &[String], zone: Tz, times: &[(Tz, u32, u32)]) -> Vec<Schedule> {
    let at = |cron: String, zone| Schedule { cron, zone };
    if !given.is_empty() {
        return given.iter().map(|c| at(with_seconds(c), zone)).collect();
    }
    let mut out = vec![at("0 */5 * * * *".into(), chrono_tz::UTC)];
    for &(zone, hour, minute) in times {
        out.push(at(format!("0 {minute} {hour} * * *"), zone));
    }
    out.dedup();
    out
}

/// A crontab line's five fields with a zero second in front (the scheduler reads six);
/// anything else as it is.
fn with_seconds(cron: &str) -> String {
    if cron.split_whitespace().count() == 5 {
        format!("0 {}", cron.trim())
    } else {
        cron.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daemon_runs_every_five_minutes_and_at_each_policys_time() {
        let shanghai = chrono_tz::Asia::Shanghai;
        let times = [(shanghai, 9, 0), (chrono_tz::UTC, 9, 0)];
        let crons: Vec<(String, Tz)> = schedules(&[], shanghai, &times)
            .into_iter()
            .map(|s| (s.cron, s.zone))
            .collect();
        assert_eq!(
            crons,
            [
                ("0 */5 * * * *".to_string(), chrono_tz::UTC),
                ("0 0 9 * * *".to_string(), shanghai),
                ("0 0 9 * * *".to_string(), chrono_tz::UTC),
            ]
        );
        let given = schedules(&["*/2 * * * * *".into()], shanghai, &times);
        assert_eq!(given.len(), 1);
        let crontab = schedules(&["*/5 9-17 * * 1-5".into()], shanghai, &times);
        assert_eq!(crontab[0].cron, "0 */5 9-17 * * 1-5", "a second in front");
        assert_eq!(given[0].zone, shanghai);
    }

    #[test]
    fn given_schedules_are_read_in_the_one_zone_of_the_campaigns() {
        let urumqi = chrono_tz::Asia::Urumqi;
        let berlin = chrono_tz::Europe::Berlin;
        let given = ["0 0 8 * * *".to_string()];
        let plan = daemon_plan(&given, None, berlin, None, &[(urumqi, 9, 0)]);
        assert_eq!(plan.schedules[0].zone, urumqi);
        let several = [(urumqi, 9, 0), (chrono_tz::UTC, 9, 0), (urumqi, 10, 0)];
        let plan = daemon_plan(&given, None, berlin, None, &several);
        assert_eq!(
            plan.schedules[0].zone, berlin,
            "several zones: the office's"
        );
        let plan = daemon_plan(&given, Some(urumqi), berlin, None, &several);
        assert_eq!(plan.schedules[0].zone, urumqi, "the zone given");
    }
}
