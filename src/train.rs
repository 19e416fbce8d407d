//! Gradient descent with Burn autodiff, the notes' loop: forward → cost → backward (autodiff) →
//! update, every epoch on the full batch (the notes' method, the default) or on mini-batches.

use burn::tensor::{DType, Tensor};

use crate::Result;
use crate::data::{Examples, Order};
use crate::device::Compute;
use crate::infer::cost_from_logits;
use crate::models::Model;
use crate::nn::DataMatrix;
use crate::optim::Updater;
use crate::stop::{Position, Stop};
use crate::tensor_util::scalar_f64;

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
    /// Mini-batches of `size` examples, in memory or read from disk, every epoch in the order
    /// `order` gives for (`seed`, epoch), so an epoch's batches do not depend on where a run was
    /// resumed.
    Batches {
        examples: &'a Examples,
        size: usize,
        order: Order,
        seed: u32,
        dtype: DType,
    },
}

/// What one training run produced.
pub struct TrainOutcome {
    /// The trained model, on the autodiff device.
    pub model: Model,
    /// (iteration, cost before that iteration's update) every `log_every` iterations and at the
    /// last iteration — the notes' cost list.
    pub costs: Vec<(usize, f64)>,
    /// Epochs done, counting those before `start` (fewer than asked when training stopped). An
    /// epoch of one full batch is the notes' iteration.
    pub epochs_done: usize,
    /// Set when training ended early; `model` then holds the parameters [`Stop`] describes.
    pub stop: Option<Stop>,
}

/// Settings of one run of gradient descent.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub learning_rate: f64,
    /// Total epochs of the run (a resumed run counts the ones done before): passes over the
    /// training set, one gradient step each with the full batch (the notes' iterations), one per
    /// mini-batch otherwise. Set from the config's `train.iterations` (or `epochs`).
    pub epochs: usize,
    pub log_every: usize,
    /// Where to start: iteration 0, or where a checkpoint left off.
    pub start: Position,
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
    /// Gradient steps per epoch (1 with the full batch).
    pub batches: usize,
    /// Examples per gradient step (all of them with the full batch).
    pub batch_size: usize,
    /// `gd`, `momentum` or `adam`.
    pub optimizer: &'static str,
}

/// What the caller shows while training (cost lines, a progress bar, nothing). Every command
/// that trains goes through the pipeline, so every command shows the same things; `bench` runs
/// this loop with an observer that times its steps and stops it once they are timed.
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
    /// After every mini-batch step; `at` counts the batches done in the epoch.
    fn batch(&mut self, _at: &Position) {}
    fn finished(&mut self) {}
    /// Polled before every batch (with the full batch: every iteration): true stops training
    /// cleanly (Ctrl-C), keeping the parameters reached so far as a checkpoint at `at`.
    fn should_stop(&mut self, _at: &Position) -> bool {
        false
    }
}

/// An observer that shows nothing.
pub struct Silent;
impl Observer for Silent {}

/// Train `model` (on `compute`'s autodiff device) for the epochs of `schedule`, reading `feed`
/// (mini-batches go to `compute`'s autodiff device) and updating with `updater`.
pub fn train(
    mut model: Model,
    feed: &Feed,
    updater: &mut Updater,
    schedule: Schedule,
    observer: &mut dyn Observer,
    compute: Compute,
) -> Result<TrainOutcome> {
    let mut costs = Vec::new();
    // A divergence must leave the user the last parameters whose cost was finite: those of the
    // iteration before. `previous` keeps them alive (a clone of the tensor handles, not of the
    // values).
    let mut previous: Option<Model> = None;
    let first = schedule.start.iteration;
    let units = model.units();
    // Every stop happens in iteration `i`, which is then the number of iterations done.
    let stopped = |model, costs, i, stop| TrainOutcome {
        model,
        costs,
        epochs_done: i,
        stop: Some(stop),
    };
    let reader = match feed {
        Feed::Batches {
            examples, dtype, ..
        } => Some(examples.reader(*dtype)),
        Feed::Full { .. } => None,
    };
    for i in first..schedule.epochs {
        let current = model.clone();
        let diverged = |cost| Stop::Diverged {
            iteration: i,
            cost,
            first,
            learning_rate: schedule.learning_rate,
            batches: matches!(feed, Feed::Batches { .. }),
        };
        let cost = match feed {
            Feed::Full { x, y } => {
                let at = Position::at(i);
                if observer.should_stop(&at) {
                    return Ok(stopped(model, costs, i, Stop::Interrupted { at }));
                }
                let (next, cost) = step(model, x, y, updater)?;
                if !cost.is_finite() {
                    // Not recorded in `costs` (JSON has no NaN); the stop carries it.
                    return Ok(stopped(
                        previous.unwrap_or(current),
                        costs,
                        i,
                        diverged(cost),
                    ));
                }
                model = next;
                cost
            }
            Feed::Batches {
                examples,
                size,
                order,
                seed,
                dtype,
            } => {
                // The epoch's cost: the batches' mean costs weighted by their sizes, the cost
                // over all examples as the course computes it for mini-batches.
                let device = compute.autodiff();
                let m = examples.m();
                let mut at = if i == first {
                    schedule.start
                } else {
                    Position::at(i)
                };
                let indices = order.indices(m, *seed, i);
                let mut batches = reader
                    .as_ref()
                    .expect("a reader for mini-batches")
                    .epoch(indices, *size, at.batch);
                loop {
                    if observer.should_stop(&at) {
                        return Ok(stopped(model, costs, i, Stop::Interrupted { at }));
                    }
                    let part = match batches.next() {
                        None => break,
                        Some(Ok(part)) => part,
                        Some(Err(e)) => {
                            let error = e.to_string();
                            return Ok(stopped(model, costs, i, Stop::DataFailed { at, error }));
                        }
                    };
                    let share = part.m() as f64 / m as f64;
                    let (x, y) = part.tensors(compute.place(*dtype, &device), units);
                    let (next, cost) = step(model, &x, &y, updater)?;
                    if !cost.is_finite() {
                        return Ok(stopped(current, costs, i, diverged(cost)));
                    }
                    at.cost_so_far += cost * share;
                    at.batch += 1;
                    model = next;
                    observer.batch(&at);
                }
                at.cost_so_far
            }
        };
        if i.is_multiple_of(schedule.log_every) || i + 1 == schedule.epochs {
            costs.push((i, cost));
            observer.logged(i, cost);
        }
        previous = Some(current);
        observer.step(i, cost);
    }
    Ok(TrainOutcome {
        model,
        costs,
        epochs_done: schedule.epochs,
        stop: None,
    })
}
