//! A progress bar on stderr for the long computations: shown only on a
//! terminal, only once the work has taken more than a second, and never
//! with `-q`; with `-v`, each stage's time when it ends.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over the steps of one stage at a time (the bootstrap's
/// replicates, then the declared models, ...), named by its message: a
/// new bar for each stage.
pub struct Progress {
    start: Instant,
    /// The stage, its bar and when it started.
    current: Mutex<Option<(String, ProgressBar, Instant)>>,
}

impl Progress {
    pub fn new() -> Progress {
        Progress {
            start: Instant::now(),
            current: Mutex::new(None),
        }
    }

    /// `done` of `total` steps of `stage`.
    pub fn tick(&self, stage: &str, done: usize, total: usize) {
        let Ok(mut current) = self.current.lock() else {
            return;
        };
        if current.as_ref().is_none_or(|(s, _, _)| s != stage) {
            if let Some(old) = current.take() {
                finish(old);
            }
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
            if let Ok(style) =
                ProgressStyle::with_template("{msg:28} {bar:40} {pos}/{len} ({eta} left)")
            {
                bar.set_style(style);
            }
            bar.set_message(stage.to_string());
            *current = Some((stage.to_string(), bar, Instant::now()));
        }
        if let Some((_, bar, _)) = current.as_ref() {
            let quiet = crate::verbosity::quiet();
            if bar.is_hidden() && !quiet && self.start.elapsed() > Duration::from_secs(1) {
                // Hidden again by indicatif itself when stderr is not a terminal.
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
            bar.set_position(done as u64);
        }
    }
}

/// Ends a stage's bar, and with `-v` says how long the stage took.
fn finish((stage, bar, started): (String, ProgressBar, Instant)) {
    bar.finish_and_clear();
    if crate::verbosity::verbose() {
        eprintln!("{stage}: {:.1} s", started.elapsed().as_secs_f64());
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Ok(mut current) = self.current.lock() {
            if let Some(old) = current.take() {
                finish(old);
            }
        }
    }
}
