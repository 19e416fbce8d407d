//! What the user sees while a model trains: a progress bar with the cost and an ETA on a
//! terminal, the notes' "Cost after iteration i" lines otherwise, nothing with `--quiet`.
//! Ctrl-C is caught here and turned into a clean stop with a checkpoint.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use crate::stop::Position;
use crate::train::{Observer, Plan};

/// Set by the Ctrl-C handler; training stops before its next iteration.
fn interrupt_flag() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let handler_flag = flag.clone();
        // If a handler cannot be installed, Ctrl-C simply ends the process as usual.
        let _ = ctrlc::set_handler(move || handler_flag.store(true, Ordering::SeqCst));
        flag
    })
    .clone()
}

pub struct TrainingDisplay {
    quiet: bool,
    bar: Option<ProgressBar>,
    interrupted: Arc<AtomicBool>,
    /// Stop before this (iteration, batch) as if Ctrl-C had been pressed (tests, `--stop-at`).
    stop_at: Option<(usize, usize)>,
    /// "iteration" or "epoch", from the plan.
    unit: &'static str,
    /// Gradient steps per epoch: the bar counts those, so a long epoch shows its progress.
    batches: usize,
}

impl TrainingDisplay {
    pub fn new(quiet: bool, stop_at: Option<(usize, usize)>) -> Self {
        TrainingDisplay {
            quiet,
            bar: None,
            interrupted: interrupt_flag(),
            stop_at,
            unit: "iteration",
            batches: 1,
        }
    }

    pub fn was_interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }

    /// Move the bar to `batch` batches into epoch `iteration` (0-based; the full batch has one).
    fn show_position(&self, iteration: usize, batch: usize) {
        let Some(bar) = &self.bar else { return };
        bar.set_position((iteration * self.batches + batch) as u64);
        if self.batches > 1 {
            let epochs = bar.length().unwrap_or(0) as usize / self.batches;
            let (epoch, batch) = counted(iteration * self.batches + batch, self.batches);
            bar.set_prefix(format!(
                "{epoch} (batch {batch}/{}) of {epochs}",
                self.batches
            ));
        }
    }
}

/// The epoch and its batch that the last of `done` steps belonged to, with `batches` steps an
/// epoch: what the bar shows. Epochs count from 0 as in "Cost after epoch 0" and the resume
/// line, batches from 1, so the end of an epoch reads "batch 4/4", not "0/4" of the next.
/// Before any step: epoch 0, batch 0.
fn counted(done: usize, batches: usize) -> (usize, usize) {
    match done.checked_sub(1) {
        None => (0, 0),
        Some(last) => (last / batches, last % batches + 1),
    }
}

impl Observer for TrainingDisplay {
    fn warning(&mut self, message: &str) {
        eprintln!("{message}");
    }

    fn note(&mut self, message: &str) {
        eprintln!("note: {message}");
    }

    fn started(&mut self, plan: &Plan) {
        self.unit = plan.unit;
        self.batches = plan.batches.max(1);
        if let Some((iteration, batch)) = self.stop_at.filter(|&(_, b)| b >= self.batches) {
            eprintln!(
                "warning: --stop-at {iteration}:{batch}: an epoch here has {} batch(es); stopping before {} {} instead",
                self.batches,
                plan.unit,
                iteration + 1
            );
            self.stop_at = Some((iteration + 1, 0));
        }
        if self.quiet {
            return;
        }
        let s = &plan.schedule;
        let start = s.start.iteration;
        if s.start.batch > 0 {
            println!(
                "resuming in {} {start} of {} at batch {}",
                plan.unit, s.epochs, s.start.batch
            );
        } else if start > 0 {
            println!("resuming at {} {start} of {}", plan.unit, s.epochs);
        }
        let batches = match plan.batches {
            1 => String::new(),
            n => format!(" of {n} batches of {}", plan.batch_size),
        };
        println!(
            "simplenn: {} {:?} on {} examples ({} features), {} {}s{batches}, {} α = {}, {} on {}",
            plan.model,
            plan.sizes,
            plan.examples,
            plan.sizes[0],
            s.epochs,
            plan.unit,
            plan.optimizer,
            s.learning_rate,
            plan.precision,
            plan.backend
        );
        for words in &plan.fitting {
            println!("  {words}");
        }
        if std::io::stderr().is_terminal() {
            // The bar moves by gradient steps, so a long epoch shows its progress; with
            // mini-batches its label counts epochs, the unit of the logged costs.
            let bar = ProgressBar::new((s.epochs * self.batches) as u64);
            let template = if self.batches > 1 {
                "{bar:40.cyan/blue} epoch {prefix}  cost {msg}  ETA {eta}"
            } else {
                "{bar:40.cyan/blue} {pos:>6}/{len} {prefix}  cost {msg}  {per_sec}  ETA {eta}"
            };
            bar.set_style(
                ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            if self.batches == 1 {
                bar.set_prefix(if plan.unit == "epoch" { "epochs" } else { "it" });
            }
            self.bar = Some(bar);
            self.show_position(start, s.start.batch);
        }
    }

    fn logged(&mut self, iteration: usize, cost: f64) {
        if self.quiet {
            return;
        }
        let line = format!("Cost after {} {iteration}: {cost:.6}", self.unit);
        match &self.bar {
            Some(bar) => bar.println(line),
            None => println!("{line}"),
        }
    }

    fn watched(&mut self, _iteration: usize, rate: Option<f64>, validation: Option<(f64, f64)>) {
        if self.quiet {
            return;
        }
        let mut parts = Vec::new();
        if let Some((cost, accuracy)) = validation {
            parts.push(format!(
                "validation cost {cost:.6}, accuracy {accuracy:.2} %"
            ));
        }
        if let Some(alpha) = rate {
            parts.push(format!("α = {alpha:.6}"));
        }
        let line = format!("  {}", parts.join("; "));
        match &self.bar {
            Some(bar) => bar.println(line),
            None => println!("{line}"),
        }
    }

    fn step(&mut self, iteration: usize, cost: f64) {
        self.show_position(iteration + 1, 0);
        if let Some(bar) = &self.bar
            && iteration.is_multiple_of(10)
        {
            bar.set_message(format!("{cost:.6}"));
        }
    }

    fn batch(&mut self, at: &Position) {
        self.show_position(at.iteration, at.batch);
        if let Some(bar) = &self.bar
            && at.batch.is_multiple_of(20)
        {
            // The epoch's cost so far, as a mean over its batches (sizes nearly equal).
            let mean = at.cost_so_far * self.batches as f64 / at.batch as f64;
            bar.set_message(format!("{mean:.6}"));
        }
    }

    fn finished(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn should_stop(&mut self, at: &Position) -> bool {
        self.was_interrupted() || self.stop_at == Some((at.iteration, at.batch))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bar_counts_epochs_from_zero_and_their_batches_from_one() {
        let shown: Vec<_> = (0..=9).map(|done| super::counted(done, 4)).collect();
        let expected = [
            (0, 0),
            (0, 1),
            (0, 2),
            (0, 3),
            (0, 4),
            (1, 1),
            (1, 2),
            (1, 3),
            (1, 4),
            (2, 1),
        ];
        assert_eq!(shown, expected);
    }
}
