//! Progress on stderr for work that takes a while (loading a national campaign, importing
//! hundreds of thousands of rows): a spinner with what is being done, a count and the time
//! taken, shown only on a terminal and only once the work has taken a second, then cleared.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long work runs before its progress is shown (`DUBAN_PROGRESS_DELAY_MS` overrides).
const DELAY: Duration = Duration::from_secs(1);

/// Work in progress; cleared when dropped.
pub struct Progress {
    bar: ProgressBar,
    done: Arc<AtomicBool>,
}

impl Progress {
    /// Starts showing `message` (and, with `counting`, how many of `unit` are done) after the
    /// delay, if stderr is a terminal and no log is being written there.
    pub fn start(message: &str, counting: Option<&str>) -> Progress {
        let template = match counting {
            Some(unit) => format!("{{spinner}} {{msg}}: {{human_pos}} {unit} ({{elapsed}})"),
            None => "{spinner} {msg} ({elapsed})".to_string(),
        };
        let style = ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
            .with_style(style)
            .with_message(message.to_string());
        let done = Arc::new(AtomicBool::new(false));
        let shown = std::io::IsTerminal::is_terminal(&std::io::stderr())
            && !tracing::dispatcher::has_been_set();
        if shown {
            let delay = std::env::var("DUBAN_PROGRESS_DELAY_MS")
                .ok()
                .and_then(|ms| ms.parse().ok())
                .map_or(DELAY, Duration::from_millis);
            let show = |bar: &ProgressBar| {
                bar.set_draw_target(ProgressDrawTarget::stderr());
                // Drawn now, before the ticker takes over: once it is installed, `tick` does
                // nothing, and short work could end before the ticker's thread first draws.
                bar.tick();
                bar.enable_steady_tick(Duration::from_millis(100));
            };
            if delay.is_zero() {
                show(&bar);
            } else {
                let (bar, done) = (bar.clone(), done.clone());
                std::thread::spawn(move || {
                    std::thread::sleep(delay);
                    if !done.load(Ordering::SeqCst) {
                        show(&bar);
                    }
                });
            }
        }
        Progress { bar, done }
    }

    /// Runs `f` (which writes to stderr) with the spinner out of the way, then draws it again.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// Counts `n` more done.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
        self.bar.finish_and_clear();
    }
}
