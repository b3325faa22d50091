//! Progress for long runs, on a terminal only: events done, rate, time left.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Shown only when stderr is a terminal and output is not `--json`.
    pub fn new(json: bool, total: Option<u64>, what: &str) -> Self {
        if json || !std::io::stderr().is_terminal() {
            return Self { bar: None };
        }
        let bar = match total {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template(&format!(
                    "{what} {{bar:30}} {{percent:>3}}%  {{msg}}  {{elapsed}} (about {{eta}} left)"
                ))
                .expect("valid template"),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template(&format!("{what} {{spinner}} {{msg}}  {{elapsed}}"))
                    .expect("valid template"),
            ),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(8));
        Self { bar: Some(bar) }
    }

    /// `position` in the unit of the total (bytes of input, or events).
    pub fn update(&self, position: u64, events: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(position);
            let secs = bar.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!(
                "{events} events, {:.0} events/s",
                events as f64 / secs
            ));
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
