//! Where a run is ([`Position`]) and why it ended early ([`Stop`]): the values that training
//! produces, checkpoints record and the one error type carries. Nothing here depends on the
//! training loop, so `error` can hold a [`Stop`] without sitting above `train`.

/// A point of a run: before batch `batch` of epoch `iteration`, with the epoch's cost so far
/// (Σ cost·m_b/m over its first `batch` batches). With the full batch, `batch` is 0.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Position {
    pub iteration: usize,
    pub batch: usize,
    pub cost_so_far: f64,
}

impl Position {
    /// The start of epoch `iteration`.
    pub fn at(iteration: usize) -> Position {
        Position {
            iteration,
            ..Position::default()
        }
    }

    fn describe(&self) -> String {
        match self.batch {
            0 => format!("before iteration {}", self.iteration),
            b => format!("in epoch {} before batch {b}", self.iteration),
        }
    }
}

/// Why gradient descent ended before the schedule's last iteration: one value, rendered once
/// (the run's `metrics.json` and the command's error message both use [`Stop::message`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// The cost of the parameters of `iteration` was NaN or infinite. The parameters kept are
    /// those of the iteration before, or the starting ones when `iteration` was the run's first
    /// (`first`: 0, or where a checkpoint left off).
    Diverged {
        iteration: usize,
        cost: f64,
        first: usize,
        learning_rate: f64,
        /// Mini-batches: the parameters kept are those at the start of epoch `iteration`.
        batches: bool,
        /// A run that watched a validation set keeps its best log point's parameters instead:
        /// that iteration.
        kept_best: Option<usize>,
    },
    /// Stopped (Ctrl-C, `--stop-at`) at `at`, where a resumed run starts.
    Interrupted { at: Position },
    /// Reading the training data failed at `at` (a streamed file changed or cannot be read);
    /// the parameters reached are kept as a checkpoint at `at`.
    DataFailed { at: Position, error: String },
}

impl Stop {
    /// Where a resumed run starts, when the run folder is a checkpoint.
    pub fn resume_at(&self) -> Option<Position> {
        match self {
            Stop::Interrupted { at } | Stop::DataFailed { at, .. } => Some(*at),
            Stop::Diverged { .. } => None,
        }
    }

    /// What happened and what to do; `dir` is the run folder, once it is written.
    pub fn message(&self, dir: Option<&std::path::Path>) -> String {
        let folder = dir.map(|d| d.display().to_string());
        let resume = match &folder {
            Some(d) => {
                format!("the checkpoint is in {d}; continue with: simplenn train --resume {d}")
            }
            None => "continue with: simplenn train --resume RUN_DIR".to_string(),
        };
        match self {
            Stop::Diverged {
                iteration,
                cost,
                first,
                learning_rate,
                batches,
                kept_best,
            } => {
                let (iteration, first) = (*iteration, *first);
                let (at, kept) = if let Some(best) = kept_best {
                    (
                        format!(
                            "in {} {iteration}",
                            if *batches { "epoch" } else { "iteration" }
                        ),
                        format!(
                            "the saved parameters are those of the best log point, {best}, by the validation cost"
                        ),
                    )
                } else if *batches {
                    (
                        format!("in epoch {iteration} (the cost of a mini-batch)"),
                        "the saved parameters are those at the start of that epoch (or where a checkpoint inside it left off)".to_string(),
                    )
                } else {
                    (
                        format!("at iteration {iteration}"),
                        kept_full_batch(iteration, first),
                    )
                };
                let saved = folder.map(|d| format!(" (in {d})")).unwrap_or_default();
                format!(
                    "training diverged: the cost became {cost} {at}; {kept}{saved}; try a smaller learning rate than {learning_rate:?}"
                )
            }
            Stop::Interrupted { at } => format!("interrupted {}; {resume}", at.describe()),
            Stop::DataFailed { at, error } => format!(
                "reading the training data failed {}: {error}; the parameters reached are kept: {resume} once the data is whole again",
                at.describe()
            ),
        }
    }
}

/// Which parameters a full-batch run that diverged at `iteration` keeps (`first`: the run's
/// first iteration).
fn kept_full_batch(iteration: usize, first: usize) -> String {
    if iteration > first {
        format!(
            "the saved parameters are those of iteration {} (the last finite cost)",
            iteration - 1
        )
    } else if first > 0 {
        format!(
            "the saved parameters are the checkpoint's (iteration {iteration}), whose cost is already non-finite"
        )
    } else {
        "the saved parameters are the starting ones, whose cost is already non-finite: check the data and the initial weights".to_string()
    }
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(None))
    }
}

/// The log point with the lowest validation cost so far: the parameters of `iteration` (after
/// `iteration` updates) are the run's model when it watches a validation set. `metrics.json`
/// keeps it as `best`; a checkpoint keeps it to go on counting from.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BestPoint {
    pub iteration: usize,
    pub validation_cost: f64,
    pub validation_accuracy: f64,
}
