//! Full-batch gradient descent with Burn autodiff, exactly the notes' loop:
//! forward → cost → backward (autodiff) → W := W − α·dW, for every parameter, every iteration.

use burn::module::{Module, ModuleMapper, Param};
use burn::tensor::{Gradients, Tensor, activation};

use crate::Result;
use crate::models::Model;
use crate::nn::DataMatrix;
use crate::tensor_util::scalar_f64;

/// J = −1/m · Σ [ y·log a + (1 − y)·log(1 − a) ],  a = σ(z),
/// computed from the logits z as  J = 1/m · Σ [ (1 − y)·z − log σ(z) ]
/// (the same function: log(1 − σ(z)) = log σ(z) − z). Burn's `log_sigmoid` is evaluated
/// without overflow and has an exact backward, so J stays finite where log(a) would give −inf.
pub fn cost_from_logits(z: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
    let not_y = y.ones_like() - y;
    (not_y * z.clone() - activation::log_sigmoid(z)).mean()
}

/// W := W − α·dW for every float parameter, with dW from autodiff. A parameter that did not take
/// part in the cost has no gradient (dW = 0) and is left as it is.
struct GradientDescent<'a> {
    grads: &'a Gradients,
    learning_rate: f64,
}

impl ModuleMapper for GradientDescent<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        param.map(|w| match w.grad(self.grads) {
            Some(dw) => (w.inner() - dw.mul_scalar(self.learning_rate))
                .autodiff()
                .require_grad(),
            None => w,
        })
    }
}

/// What one training run produced.
pub struct TrainOutcome {
    /// The trained model, on the autodiff device.
    pub model: Model,
    /// (iteration, cost before that iteration's update) every `log_every` iterations and at the
    /// last iteration — the notes' cost list.
    pub costs: Vec<(usize, f64)>,
    /// Iterations actually run (fewer than asked when training diverged).
    pub iterations_done: usize,
    /// Set when the cost became NaN or infinite: (iteration, cost). `model` then holds the
    /// parameters of the iteration before, the last whose cost was finite.
    pub diverged: Option<(usize, f64)>,
    /// Set when the observer asked to stop: `model` holds the parameters before iteration
    /// `iterations_done`, from which training can resume.
    pub interrupted: bool,
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

/// What the caller shows while training (cost lines, a progress bar, nothing).
pub trait Observer {
    fn started(&mut self, _total: usize) {}
    /// A logged cost (every `log_every` iterations and the last one).
    fn logged(&mut self, _iteration: usize, _cost: f64) {}
    /// After every iteration.
    fn step(&mut self, _iteration: usize, _cost: f64) {}
    fn finished(&mut self) {}
    /// Polled before every iteration: true stops training cleanly (Ctrl-C), keeping the
    /// parameters reached so far as a checkpoint.
    fn should_stop(&mut self, _iteration: usize) -> bool {
        false
    }
}

/// An observer that shows nothing.
pub struct Silent;
impl Observer for Silent {}

/// Train `model` (on an autodiff device) on X (n_x, m), Y (1, m) — both on the same device.
pub fn train(
    mut model: Model,
    x: &DataMatrix,
    y: Tensor<2>,
    schedule: Schedule,
    observer: &mut dyn Observer,
) -> Result<TrainOutcome> {
    let mut costs = Vec::new();
    // A divergence must leave the user the last parameters whose cost was finite: those of the
    // iteration before. `previous` keeps them alive (a clone of the tensor handles, not of the
    // values); the price is that the update cannot write into the old buffers (`simplenn bench`).
    let mut previous: Option<Model> = None;
    for i in schedule.start..schedule.iterations {
        if observer.should_stop(i) {
            return Ok(TrainOutcome {
                model,
                costs,
                iterations_done: i,
                diverged: None,
                interrupted: true,
            });
        }
        let cost = cost_from_logits(model.forward(x), y.clone());
        let value = scalar_f64(cost.clone().inner())?;
        if !value.is_finite() {
            // Not recorded in `costs` (JSON has no NaN); `diverged` carries it. The parameters
            // of iteration i − 1 had a finite cost; at the run's first iteration there are no
            // earlier ones, and the starting parameters are kept.
            let model = previous.unwrap_or(model);
            return Ok(TrainOutcome {
                model,
                costs,
                iterations_done: i,
                diverged: Some((i, value)),
                interrupted: false,
            });
        }
        if i.is_multiple_of(schedule.log_every) || i + 1 == schedule.iterations {
            costs.push((i, value));
            observer.logged(i, value);
        }
        let grads = cost.backward();
        previous = Some(model.clone());
        model = model.map(&mut GradientDescent {
            grads: &grads,
            learning_rate: schedule.learning_rate,
        });
        observer.step(i, value);
    }
    Ok(TrainOutcome {
        model,
        costs,
        iterations_done: schedule.iterations,
        diverged: None,
        interrupted: false,
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
