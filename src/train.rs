//! Gradient descent with Burn autodiff, the notes' loop: forward → cost → backward (autodiff) →
//! update, every epoch on the full batch (the notes' method, the default) or on mini-batches.

use burn::tensor::{DType, Tensor, activation};

use crate::Result;
use crate::data::Dataset;
use crate::models::Model;
use crate::nn::DataMatrix;
use crate::optim::Updater;
use crate::rng::NumpyRng;
use crate::tensor_util::scalar_f64;

/// J = −1/m · Σ [ y·log a + (1 − y)·log(1 − a) ],  a = σ(z),
/// computed from the logits z as  J = 1/m · Σ [ (1 − y)·z − log σ(z) ]
/// (the same function: log(1 − σ(z)) = log σ(z) − z). Burn's `log_sigmoid` is evaluated
/// without overflow and has an exact backward, so J stays finite where log(a) would give −inf.
pub fn cost_from_logits(z: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
    let not_y = y.ones_like() - y;
    (not_y * z.clone() - activation::log_sigmoid(z)).mean()
}

/// One step of gradient descent on X (n_x, m), Y (1, m), all on the autodiff device:
/// forward → cost → backward (autodiff) → update (`updater`: the notes' W := W − α·dW, or one of
/// Burn's optimizers). Returns the updated model and the cost of the parameters it was given; a
/// cost that is not finite is returned with the model as it was (there is nothing to descend).
pub fn step(
    model: Model,
    x: &DataMatrix,
    y: &Tensor<2>,
    updater: &mut Updater,
) -> Result<(Model, f64)> {
    let cost = cost_from_logits(model.forward(x), y.clone());
    let value = scalar_f64(cost.clone().inner())?;
    if !value.is_finite() {
        return Ok((model, value));
    }
    let grads = cost.backward();
    Ok((updater.update(model, grads), value))
}

/// What gradient descent reads every epoch.
pub enum Feed<'a> {
    /// The whole training set, on the autodiff device: one step per epoch (the notes' method).
    Full { x: &'a DataMatrix, y: &'a Tensor<2> },
    /// Mini-batches of `size` examples cut from the host copy every epoch, in file order or
    /// shuffled by a generator seeded with (`seed`, epoch), so an epoch's order does not depend on
    /// where a run was resumed.
    Batches {
        data: &'a Dataset,
        size: usize,
        shuffle: bool,
        seed: u32,
        dtype: DType,
    },
}

impl Feed<'_> {
    /// The example indices of each batch of `epoch`.
    fn batches(
        data: &Dataset,
        size: usize,
        shuffle: bool,
        seed: u32,
        epoch: usize,
    ) -> Vec<Vec<usize>> {
        let mut order: Vec<usize> = (0..data.m).collect();
        if shuffle {
            let mut rng =
                NumpyRng::new(seed.wrapping_add((epoch as u32).wrapping_mul(0x9E37_79B9)));
            for i in (1..order.len()).rev() {
                let j = (rng.uniform() * (i + 1) as f64) as usize;
                order.swap(i, j);
            }
        }
        order.chunks(size.max(1)).map(<[usize]>::to_vec).collect()
    }
}

/// Why gradient descent ended before the schedule's last iteration: one value, rendered once
/// (the run's `metrics.json` and the command's error message both use [`Stop::message`]).
#[derive(Debug, Clone, Copy, PartialEq)]
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
    },
    /// Stopped (Ctrl-C, `--stop-at`) before `iteration`, which a resumed run starts with.
    Interrupted { iteration: usize },
}

impl Stop {
    /// What happened and what to do; `dir` is the run folder, once it is written.
    pub fn message(&self, dir: Option<&std::path::Path>) -> String {
        let folder = dir.map(|d| d.display().to_string());
        match *self {
            Stop::Diverged {
                iteration,
                cost,
                first,
                learning_rate,
                batches,
            } => {
                let (at, kept) = if batches {
                    (
                        format!("in epoch {iteration} (the cost of a mini-batch)"),
                        "the saved parameters are those at the start of that epoch".to_string(),
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
            Stop::Interrupted { iteration } => match folder {
                Some(d) => format!(
                    "interrupted before iteration {iteration}; the checkpoint is in {d}; continue with: simplenn train --resume {d}"
                ),
                None => format!(
                    "interrupted before iteration {iteration}; continue with: simplenn train --resume RUN_DIR"
                ),
            },
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

/// What one training run produced.
pub struct TrainOutcome {
    /// The trained model, on the autodiff device.
    pub model: Model,
    /// (iteration, cost before that iteration's update) every `log_every` iterations and at the
    /// last iteration — the notes' cost list.
    pub costs: Vec<(usize, f64)>,
    /// Iterations done, counting those before `start` (fewer than asked when training stopped).
    pub iterations_done: usize,
    /// Set when training ended early; `model` then holds the parameters [`Stop`] describes.
    pub stop: Option<Stop>,
}

/// Settings of one run of gradient descent.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub learning_rate: f64,
    /// Total iterations of the run (a resumed run counts the ones done before).
    pub iterations: usize,
    pub log_every: usize,
    /// First iteration to run: 0, or where a checkpoint left off.
    pub start: usize,
}

/// What a run tells its observer before the first iteration.
#[derive(Debug, Clone)]
pub struct Plan {
    pub model: &'static str,
    pub sizes: Vec<usize>,
    pub examples: usize,
    pub schedule: Schedule,
    pub precision: &'static str,
    pub backend: &'static str,
    /// What the schedule counts: "iteration" (the full batch, the notes' word) or "epoch".
    pub unit: &'static str,
}

/// What the caller shows while training (cost lines, a progress bar, nothing). Every command
/// that trains goes through the pipeline, so every command shows the same things.
pub trait Observer {
    /// Something the user should know before training (a symmetric start).
    fn warning(&mut self, _message: &str) {}
    /// Something about the data worth saying (files ignored, pictures skipped).
    fn note(&mut self, _message: &str) {}
    fn started(&mut self, _plan: &Plan) {}
    /// A logged cost (every `log_every` iterations and the last one).
    fn logged(&mut self, _iteration: usize, _cost: f64) {}
    /// After every iteration.
    fn step(&mut self, _iteration: usize, _cost: f64) {}
    fn finished(&mut self) {}
    /// Polled before every epoch (with the full batch: every iteration): true stops training
    /// cleanly (Ctrl-C), keeping the parameters reached so far as a checkpoint.
    fn should_stop(&mut self, _iteration: usize) -> bool {
        false
    }
}

/// An observer that shows nothing.
pub struct Silent;
impl Observer for Silent {}

/// Train `model` (on the autodiff device) for the epochs of `schedule`, reading `feed` and
/// updating with `updater`.
pub fn train(
    mut model: Model,
    feed: &Feed,
    updater: &mut Updater,
    schedule: Schedule,
    observer: &mut dyn Observer,
) -> Result<TrainOutcome> {
    let mut costs = Vec::new();
    // A divergence must leave the user the last parameters whose cost was finite: those of the
    // iteration before. `previous` keeps them alive (a clone of the tensor handles, not of the
    // values).
    let mut previous: Option<Model> = None;
    for i in schedule.start..schedule.iterations {
        if observer.should_stop(i) {
            return Ok(TrainOutcome {
                model,
                costs,
                iterations_done: i,
                stop: Some(Stop::Interrupted { iteration: i }),
            });
        }
        let current = model.clone();
        let diverged = |cost| Stop::Diverged {
            iteration: i,
            cost,
            first: schedule.start,
            learning_rate: schedule.learning_rate,
            batches: matches!(feed, Feed::Batches { .. }),
        };
        let cost = match feed {
            Feed::Full { x, y } => {
                let (next, cost) = step(model, x, y, updater)?;
                if !cost.is_finite() {
                    // Not recorded in `costs` (JSON has no NaN); the stop carries it.
                    return Ok(TrainOutcome {
                        model: previous.unwrap_or(current),
                        costs,
                        iterations_done: i,
                        stop: Some(diverged(cost)),
                    });
                }
                model = next;
                cost
            }
            Feed::Batches {
                data,
                size,
                shuffle,
                seed,
                dtype,
            } => {
                // The epoch's cost: the batches' mean costs weighted by their sizes, the cost
                // over all examples as the course computes it for mini-batches.
                let device = crate::device::autodiff_device();
                let mut total = 0.0;
                for batch in Feed::batches(data, *size, *shuffle, *seed, i) {
                    let part = data.select(&batch);
                    let (x, y) = (
                        part.x_matrix(*dtype, &device),
                        part.y_tensor(*dtype, &device),
                    );
                    let (next, cost) = step(model, &x, &y, updater)?;
                    if !cost.is_finite() {
                        return Ok(TrainOutcome {
                            model: current,
                            costs,
                            iterations_done: i,
                            stop: Some(diverged(cost)),
                        });
                    }
                    total += cost * (part.m as f64 / data.m as f64);
                    model = next;
                }
                total
            }
        };
        if i.is_multiple_of(schedule.log_every) || i + 1 == schedule.iterations {
            costs.push((i, cost));
            observer.logged(i, cost);
        }
        previous = Some(current);
        observer.step(i, cost);
    }
    Ok(TrainOutcome {
        model,
        costs,
        iterations_done: schedule.iterations,
        stop: None,
    })
}

/// The predicted class of an example whose Ŷ is `p`: 1 when Ŷ > 0.5, as in the notes.
pub fn predicted_class(p: f64) -> u8 {
    (p > 0.5) as u8
}

/// Percentage of examples whose predicted class equals the label.
pub fn accuracy(probabilities: &[f64], labels: &[f64]) -> f64 {
    let correct = probabilities
        .iter()
        .zip(labels)
        .filter(|&(&p, &y)| predicted_class(p) as f64 == y)
        .count();
    100.0 * correct as f64 / labels.len().max(1) as f64
}

/// Ŷ for every column of X, on the host.
pub fn probabilities(model: &Model, x: &DataMatrix) -> Result<Vec<f64>> {
    crate::tensor_util::to_vec_f64(model.predict_proba(x))
}
