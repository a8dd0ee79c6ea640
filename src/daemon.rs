//! `duban daemon`: a long-running process that runs a pass (sync changed campaign files, plan,
//! queue, send) at start-up to catch up, then on a cron schedule in the campaigns' time zone.
//! Passes never overlap. On SIGTERM or SIGINT it stops scheduling, lets the pass in flight
//! finish the mail it is sending, and exits 0.
//!
//! The store and the mail transport are blocking; each pass runs on a blocking thread, never
//! inside async code.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::notices::pass::PassReport;
use chrono_tz::Tz;
use tokio::signal::unix::{SignalKind, signal};
use tokio_cron_scheduler::{Job, JobScheduler};
use tracing::{error, info, warn};

/// Why a pass failed: the error of the layer that ran it, kept whole for the log (its sources
/// and help with it), never flattened into a string before it is shown.
pub type PassFailed = Box<dyn std::error::Error + Send + Sync>;

/// One pass: given "now" and the stop flag, does the work and reports what it did.
pub type PassFn =
    dyn Fn(DateTime<Utc>, &AtomicBool) -> Result<PassReport, PassFailed> + Send + Sync;

/// How the daemon runs.
#[derive(Clone)]
pub struct Settings {
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// When passes run.
    pub schedules: Vec<Schedule>,
}

/// A cron expression (six fields, seconds first: five-field ones are given a zero second by
/// the daemon's plan) and the zone it is read in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// The expression.
    pub cron: String,
    /// Its zone: a campaign's, for the time of day its reminders go out.
    pub zone: Tz,
}

/// The daemon could not start.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The runtime or signal handlers could not be set up.
    #[error("cannot start: {0}")]
    Start(#[from] std::io::Error),
    /// A schedule is not a valid cron expression.
    #[error(
        "schedule {schedule:?}: {message} (five fields as in crontab, \"*/5 * * * *\", or six with seconds first)"
    )]
    Schedule {
        /// The expression.
        schedule: String,
        /// What the scheduler said.
        message: String,
    },
}

/// Runs until SIGTERM or SIGINT.
pub fn run(settings: Settings, pass: Arc<PassFn>) -> Result<(), DaemonError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(serve(settings, pass))
}

async fn serve(settings: Settings, pass: Arc<PassFn>) -> Result<(), DaemonError> {
    // Signals first, so that a SIGTERM during the start-up pass is handled, not fatal.
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let stop = Arc::new(AtomicBool::new(false));
    let running = Arc::new(tokio::sync::Mutex::new(()));
    let trigger = Trigger {
        clock: settings.clock.clone(),
        pass,
        stop: stop.clone(),
        running: running.clone(),
    };
    let shown: Vec<String> = settings
        .schedules
        .iter()
        .map(|s| format!("{} ({})", s.cron, s.zone))
        .collect();
    // Every schedule is read before any pass runs (and before the scheduler starts): a bad one
    // ends the daemon before it does any work.
    check(&settings.schedules)?;
    let mut scheduler = JobScheduler::new()
        .await
        .map_err(|e| schedule_error("", e))?;
    for schedule in &settings.schedules {
        let trigger = trigger.clone();
        let cron = schedule.cron.as_str();
        let job = Job::new_async_tz(cron, schedule.zone, move |_, _| {
            let trigger = trigger.clone();
            Box::pin(async move { trigger.fire("schedule").await })
        })
        .map_err(|e| schedule_error(cron, e))?;
        scheduler
            .add(job)
            .await
            .map_err(|e| schedule_error(cron, e))?;
    }
    info!(schedules = ?shown, "daemon started");
    let startup = {
        let trigger = trigger.clone();
        tokio::spawn(async move { trigger.fire("start-up").await })
    };
    scheduler.start().await.map_err(|e| schedule_error("", e))?;
    tokio::select! {
        _ = terminate.recv() => info!("SIGTERM: finishing the mail in flight"),
        _ = interrupt.recv() => info!("SIGINT: finishing the mail in flight"),
    }
    stop.store(true, Ordering::SeqCst);
    if let Err(e) = scheduler.shutdown().await {
        warn!(error = %e, "scheduler did not shut down cleanly");
    }
    let _ = startup.await;
    // Waits for a pass in flight: it stops after its current mail.
    let _idle = running.lock().await;
    info!("daemon stopped");
    Ok(())
}

/// Reads every schedule as the scheduler will, so that a bad one is found before any work.
pub fn check(schedules: &[Schedule]) -> Result<(), DaemonError> {
    for schedule in schedules {
        Job::new_async_tz(schedule.cron.as_str(), schedule.zone, |_, _| {
            Box::pin(async {})
        })
        .map_err(|e| schedule_error(&schedule.cron, e))?;
    }
    Ok(())
}

fn schedule_error(schedule: &str, e: impl std::fmt::Display) -> DaemonError {
    DaemonError::Schedule {
        schedule: schedule.to_string(),
        message: e.to_string(),
    }
}

/// Runs passes one at a time.
#[derive(Clone)]
struct Trigger {
    clock: Arc<dyn Clock>,
    pass: Arc<PassFn>,
    stop: Arc<AtomicBool>,
    running: Arc<tokio::sync::Mutex<()>>,
}

impl Trigger {
    /// Runs a pass at unix second `at` (of the daemon's clock; at once if that has passed
    /// while the pass ran), when messages held back by a rate limit fall due within the hour:
    /// a robot's next twenty go on their minute, not at the next scheduled pass.
    fn again_at(&self, at: i64) {
        let wait = (at - self.clock.now().timestamp()).max(0);
        if wait > 3600 {
            return;
        }
        let again = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_secs(wait.unsigned_abs() + 1)).await;
            Box::pin(again.fire("rate limit")).await;
        });
    }

    async fn fire(&self, why: &'static str) {
        let Ok(guard) = self.running.clone().try_lock_owned() else {
            info!(
                trigger = why,
                "a pass is still running; this one is skipped"
            );
            return;
        };
        if self.stop.load(Ordering::SeqCst) {
            return;
        }
        let pass = self.pass.clone();
        let stop = self.stop.clone();
        let now = self.clock.now();
        let result = tokio::task::spawn_blocking(move || {
            let outcome = pass(now, &stop);
            drop(guard);
            outcome
        })
        .await;
        match result {
            Ok(Ok(report)) => {
                info!(trigger = why, "{report}");
                for &at in report.wakes.iter().take(60) {
                    self.again_at(at);
                }
            }
            // One failed pass never stops the daemon: the next one tries again.
            Ok(Err(failed)) => error!(trigger = why, error = %failed, "pass failed"),
            Err(join) => error!(trigger = why, error = %join, "pass panicked"),
        }
    }
}
