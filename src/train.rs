//! Gradient descent with Burn autodiff, the notes' loop: forward → cost → backward (autodiff) →
//! update, every epoch on the full batch (the notes' method, the default) or on mini-batches.

use burn::module::Module;
use burn::tensor::{DType, Tensor};

use crate::Result;
use crate::data::{Examples, Order};
use crate::device::Compute;
use crate::infer::{self, cost_from_logits};
use crate::models::Model;
use crate::nn::DataMatrix;
use crate::optim::{Rates, Updater};
use crate::regularize::{Dropout, l2_term};
use crate::stop::{BestPoint, Position, Stop};
use crate::tensor_util::scalar_f64;

/// One step of gradient descent on X (n_x, m) and Y, all on the autodiff device: forward (its
/// hidden activations multiplied by dropout's `masks`, if any) → cost (+ the L2 term when
/// `l2` > 0) → backward (autodiff) → update at rate `learning_rate` (`updater`: the notes'
/// W := W − α·dW, or one of Burn's optimizers). Returns the updated model and the cost of the
/// parameters it was given; a cost that is not finite is returned with the model as it was
/// (there is nothing to descend).
pub fn step(
    model: Model,
    x: &DataMatrix,
    y: &Tensor<2>,
    updater: &mut Updater,
    learning_rate: f64,
    l2: f64,
    masks: &[Tensor<2>],
) -> Result<(Model, f64)> {
    let mut cost = cost_from_logits(model.forward_masked(x, masks), y.clone());
    if l2 > 0.0 {
        cost = cost + l2_term(&model, l2, y.dims()[1]);
    }
    let value = scalar_f64(cost.clone().inner())?;
    if !value.is_finite() {
        return Ok((model, value));
    }
    let grads = cost.backward();
    Ok((updater.update(model, grads, learning_rate), value))
}

/// What a run adds to plain gradient descent at a fixed rate: the rate of each epoch, the L2
/// term, dropout, and a validation set to watch.
pub struct Fitting<'a> {
    pub rates: Rates,
    /// λ of the L2 term (0: none).
    pub l2: f64,
    pub dropout: Option<Dropout>,
    pub watch: Option<Watch<'a>>,
}

impl Fitting<'_> {
    /// Gradient descent at `learning_rate` and nothing else: the notes' loop.
    pub fn plain(learning_rate: f64) -> Fitting<'static> {
        Fitting {
            rates: Rates::constant(learning_rate),
            l2: 0.0,
            dropout: None,
            watch: None,
        }
    }
}

/// A validation set, scored at every log point with the parameters of that point (before its
/// update, as the logged training cost): its cost J (the cross-entropy, without the L2 term)
/// and accuracy. The parameters of the lowest cost are kept; with `patience`, training stops
/// once that many log points have passed without a cost lower by more than `min_delta`.
pub struct Watch<'a> {
    pub examples: &'a Examples,
    pub dtype: DType,
    pub patience: Option<usize>,
    pub min_delta: f64,
    /// What has been seen so far (a checkpoint's, when a run resumes).
    pub state: WatchState,
}

/// What watching a validation set has seen: every log point's (iteration, cost, accuracy), the
/// best one with its parameters (on the plain device), and how many log points came after it.
#[derive(Debug, Clone, Default)]
pub struct WatchState {
    pub history: Vec<(usize, f64, f64)>,
    pub best: Option<(BestPoint, Model)>,
    pub since_best: usize,
}

impl WatchState {
    /// Take the validation cost and accuracy of `model` (the parameters of `iteration`).
    /// A cost that is not finite (parameters that already diverged; training stops at this
    /// iteration's step) is not recorded: JSON has no NaN, and no log point follows.
    fn see(&mut self, iteration: usize, cost: f64, accuracy: f64, model: &Model, min_delta: f64) {
        if !cost.is_finite() {
            return;
        }
        self.history.push((iteration, cost, accuracy));
        let better = match &self.best {
            None => cost.is_finite(),
            Some((best, _)) => cost < best.validation_cost - min_delta,
        };
        if better {
            let point = BestPoint {
                iteration,
                validation_cost: cost,
                validation_accuracy: accuracy,
            };
            self.best = Some((point, model.clone()));
            self.since_best = 0;
        } else {
            self.since_best += 1;
        }
    }
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
    /// (iteration, α) at every log point, when the rate changes from epoch to epoch.
    pub rates: Vec<(usize, f64)>,
    /// Whether early stopping (`patience`) ended the run.
    pub stopped_early: bool,
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
    /// The keys of fitting well in use (L2, dropout, validation, the rate's schedule), in words.
    pub fitting: Vec<String>,
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
    /// What else a log point has, when the run has it: the rate α of that iteration (when it
    /// changes from epoch to epoch) and the validation set's cost and accuracy.
    fn watched(&mut self, _iteration: usize, _rate: Option<f64>, _validation: Option<(f64, f64)>) {}
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
/// (mini-batches go to `compute`'s autodiff device), updating with `updater` at the rates of
/// `fitting` (with its L2 term and dropout), watching its validation set at every log point.
pub fn train(
    mut model: Model,
    feed: &Feed,
    updater: &mut Updater,
    schedule: Schedule,
    fitting: &mut Fitting,
    observer: &mut dyn Observer,
    compute: Compute,
) -> Result<TrainOutcome> {
    let mut costs = Vec::new();
    let mut rates = Vec::new();
    // A divergence must leave the user the last parameters whose cost was finite: those of the
    // iteration before. `previous` keeps them alive (a clone of the tensor handles, not of the
    // values).
    let mut previous: Option<Model> = None;
    let first = schedule.start.iteration;
    let units = model.units();
    let hidden = model.hidden_sizes();
    let device = compute.autodiff();
    // Every stop happens in iteration `i`, which is then the number of iterations done.
    let stopped = |model, costs, rates, i, stop| TrainOutcome {
        model,
        costs,
        epochs_done: i,
        stop: Some(stop),
        rates,
        stopped_early: false,
    };
    let reader = match feed {
        Feed::Batches {
            examples, dtype, ..
        } => Some(examples.reader(*dtype)),
        Feed::Full { .. } => None,
    };
    for i in first..schedule.epochs {
        let current = model.clone();
        let alpha = fitting.rates.at(i);
        let logs = i.is_multiple_of(schedule.log_every) || i + 1 == schedule.epochs;
        let diverged = |cost| Stop::Diverged {
            iteration: i,
            cost,
            first,
            learning_rate: schedule.learning_rate,
            batches: matches!(feed, Feed::Batches { .. }),
            kept_best: None,
        };
        // Dropout's masks for batch `b` of this epoch on `m` examples of `dtype`.
        let masks = |m: usize, b: usize, dtype: DType| match &fitting.dropout {
            Some(d) => d.masks(&hidden, m, i, b, dtype, &device),
            None => Vec::new(),
        };
        let cost = match feed {
            Feed::Full { x, y } => {
                let at = Position::at(i);
                if observer.should_stop(&at) {
                    return Ok(stopped(model, costs, rates, i, Stop::Interrupted { at }));
                }
                if logs {
                    validate(fitting.watch.as_mut(), &model, i, compute)?;
                }
                let masks = masks(y.dims()[1], 0, y.dtype());
                let (next, cost) = step(model, x, y, updater, alpha, fitting.l2, &masks)?;
                if !cost.is_finite() {
                    // Not recorded in `costs` (JSON has no NaN); the stop carries it.
                    let kept = previous.unwrap_or(current);
                    return Ok(stopped(kept, costs, rates, i, diverged(cost)));
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
                        return Ok(stopped(model, costs, rates, i, Stop::Interrupted { at }));
                    }
                    // A resumed epoch was validated before its first batch, by the run that
                    // started it.
                    if logs && at.batch == 0 {
                        validate(fitting.watch.as_mut(), &model, i, compute)?;
                    }
                    let part = match batches.next() {
                        None => break,
                        Some(Ok(part)) => part,
                        Some(Err(e)) => {
                            let error = e.to_string();
                            let stop = Stop::DataFailed { at, error };
                            return Ok(stopped(model, costs, rates, i, stop));
                        }
                    };
                    let share = part.m() as f64 / m as f64;
                    let masks = masks(part.m(), at.batch, *dtype);
                    let (x, y) = part.tensors(compute.place(*dtype, &device), units);
                    let (next, cost) = step(model, &x, &y, updater, alpha, fitting.l2, &masks)?;
                    if !cost.is_finite() {
                        return Ok(stopped(current, costs, rates, i, diverged(cost)));
                    }
                    at.cost_so_far += cost * share;
                    at.batch += 1;
                    model = next;
                    observer.batch(&at);
                }
                at.cost_so_far
            }
        };
        if logs {
            costs.push((i, cost));
            observer.logged(i, cost);
            let rate = fitting.rates.varies().then_some(alpha);
            if let Some(alpha) = rate {
                rates.push((i, alpha));
            }
            let watch = fitting.watch.as_ref();
            let validation = watch
                .and_then(|w| w.state.history.last())
                .map(|&(_, cost, accuracy)| (cost, accuracy));
            if rate.is_some() || validation.is_some() {
                observer.watched(i, rate, validation);
            }
            // Early stopping, after the log point's training cost: the run has done i + 1
            // iterations, and keeps the best log point's parameters.
            if watch.is_some_and(|w| w.patience.is_some_and(|p| w.state.since_best >= p)) {
                observer.step(i, cost);
                return Ok(TrainOutcome {
                    model,
                    costs,
                    epochs_done: i + 1,
                    stop: None,
                    rates,
                    stopped_early: true,
                });
            }
        }
        previous = Some(current);
        observer.step(i, cost);
    }
    Ok(TrainOutcome {
        model,
        costs,
        epochs_done: schedule.epochs,
        stop: None,
        rates,
        stopped_early: false,
    })
}

/// Score the validation set of `watch` (if any) with `model`, the parameters of `iteration`.
fn validate(
    watch: Option<&mut Watch>,
    model: &Model,
    iteration: usize,
    compute: Compute,
) -> Result<()> {
    let Some(w) = watch else {
        return Ok(());
    };
    let plain = model.valid();
    let scores = infer::score(&plain, w.examples, w.dtype, compute)?;
    let accuracy = scores.outputs.accuracy(w.examples.y());
    w.state
        .see(iteration, scores.cost, accuracy, &plain, w.min_delta);
    Ok(())
}
