//! Progress for long steps: indicatif bars (rows, rows/s, ETA) when stderr is a terminal;
//! otherwise plain lines (cron, CI), at most one every few seconds per step.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Draws [`crmkit_load::load::Progress`] events.
pub struct Progress {
    terminal: bool,
    state: Mutex<State>,
}

struct State {
    bar: Option<ProgressBar>,
    step: String,
    total: u64,
    done: u64,
    started: Instant,
    printed: Instant,
}

/// How often a plain progress line is printed.
const EVERY: Duration = Duration::from_secs(5);

impl Progress {
    pub fn new() -> Progress {
        Progress {
            terminal: std::io::stderr().is_terminal(),
            state: Mutex::new(State {
                bar: None,
                step: String::new(),
                total: 0,
                done: 0,
                started: Instant::now(),
                printed: Instant::now(),
            }),
        }
    }
}

impl crmkit_load::load::Progress for Progress {
    fn begin(&self, step: &str, total: u64) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.step = step.to_string();
        state.total = total;
        state.done = 0;
        state.started = Instant::now();
        state.printed = Instant::now();
        if self.terminal {
            let bar = if total > 0 {
                let bar = ProgressBar::new(total);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{msg} [{bar:30}] {human_pos}/{human_len} 行  {per_sec}  剩余 {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar
            } else {
                let bar = ProgressBar::new_spinner();
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            };
            bar.set_message(step.to_string());
            state.bar = Some(bar);
        } else if total > 0 {
            eprintln!("{step}: 0/{total}");
        }
    }

    fn advance(&self, n: u64) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.done += n;
        if let Some(bar) = &state.bar {
            bar.inc(n);
        } else if state.printed.elapsed() >= EVERY {
            state.printed = Instant::now();
            let rate = state.done as f64 / state.started.elapsed().as_secs_f64().max(1e-3);
            eprintln!(
                "{}: {}/{} ({:.0} 行/秒)",
                state.step, state.done, state.total, rate
            );
        }
    }

    fn end(&self) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if let Some(bar) = state.bar.take() {
            bar.finish_and_clear();
        } else if state.total > 0 {
            let seconds = state.started.elapsed().as_secs_f64();
            // The total may have been an estimate (a streamed file); what was done is exact.
            eprintln!(
                "{}: {} 行完成, {:.1} 秒 ({:.0} 行/秒)",
                state.step,
                state.done,
                seconds,
                state.done as f64 / seconds.max(1e-3)
            );
        }
    }
}
