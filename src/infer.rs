//! Inference: what a trained model says about examples, written once. [`outputs`] is the one
//! forward pass, Z[L] and Ŷ = A[L] for every column of X: σ(Z[L]) for one output unit (two
//! classes, the notes' net), softmax(Z[L]) over the K rows for K units; [`Outputs::predicted`]
//! is the one place Ŷ becomes a class (class 1 when Ŷ > 0.5; the most probable of K), with
//! [`Outputs::confidence`] on top of it; against labels, [`Outputs::accuracy`] and [`score`]
//! (Ŷ and the cost J of a whole set) measure it. Training's accuracy and final cost,
//! `evaluate`, `predict` and the decision-region plot all go through here, so all of them
//! predict alike.

use burn::tensor::{DType, Tensor, activation};

use crate::Result;
use crate::data::Examples;
use crate::device::Compute;
use crate::models::Model;
use crate::nn::DataMatrix;
use crate::tensor_util::{scalar_f64, to_vec_f64};

/// The cost J from the logits Z[L] and Y ([`crate::data::classes::targets`]), by the output
/// layer's size:
///
/// - one unit (σ, two classes): J = −1/m · Σ [ y·log a + (1 − y)·log(1 − a) ],  a = σ(z),
///   computed as  J = 1/m · Σ [ (1 − y)·z − log σ(z) ]  (the same function: log(1 − σ(z)) =
///   log σ(z) − z). Burn's `log_sigmoid` is evaluated without overflow and has an exact
///   backward, so J stays finite where log(a) would give −inf.
/// - K units (softmax): J = −1/m · Σᵢ Σₖ Yₖᵢ · log softmax(Z)ₖᵢ with Y one-hot (K, m), the
///   log-softmax taken by Burn's `log_softmax` over the K rows (shifted by each column's
///   largest logit, so finite for any logits).
///
/// Both have the gradient dZ[L] = 1/m · (A[L] − Y). Training descends J
/// ([`crate::train::step`]), [`score`] reports it, the gradient checker differentiates it.
pub fn cost_from_logits(z: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
    if z.dims()[0] == 1 {
        let not_y = y.ones_like() - y;
        return (not_y * z.clone() - activation::log_sigmoid(z)).mean();
    }
    // Summed over the classes, then averaged with `mean`: dividing by m with `div_scalar`
    // instead gives an f64 gradient off by ~3e-8 relative (the gradient check catches it).
    (y * activation::log_softmax(z, 0)).sum_dim(0).mean().neg()
}

/// Ŷ = A[L] from the logits Z[L]: σ(Z) for one output unit, softmax over the K rows for K.
pub fn output_activation(z: Tensor<2>) -> Tensor<2> {
    if z.dims()[0] == 1 {
        crate::nn::activation::sigmoid(z)
    } else {
        activation::softmax(z, 0)
    }
}

/// Ŷ of a set of examples, on the host: for each example, what the output layer says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outputs {
    /// n[L]: 1 (σ: each value is the probability of class 1) or K (softmax: one probability
    /// per class).
    pub units: usize,
    /// Example by example: example i's `units` values at `i * units ..`.
    pub values: Vec<f64>,
}

impl Outputs {
    /// Examples.
    pub fn m(&self) -> usize {
        self.values.len() / self.units.max(1)
    }

    /// Classes the model tells apart: 2 for one unit, else one per unit.
    pub fn classes(&self) -> usize {
        if self.units == 1 { 2 } else { self.units }
    }

    /// Example i's output units (Ŷ of class 1 alone for one unit).
    pub fn units_of(&self, i: usize) -> &[f64] {
        &self.values[i * self.units..(i + 1) * self.units]
    }

    /// The probability of each class for example i (for one unit: 1 − Ŷ, Ŷ).
    pub fn class_probabilities(&self, i: usize) -> Vec<f64> {
        match self.units_of(i) {
            [p] => vec![1.0 - p, *p],
            all => all.to_vec(),
        }
    }

    /// The predicted class of example i: class 1 when Ŷ > 0.5, as in the notes (one unit), the
    /// most probable class (the first of equals) for K. The rule is written here only.
    pub fn predicted(&self, i: usize) -> usize {
        match self.units_of(i) {
            [p] => (*p > 0.5) as usize,
            all => {
                all.iter()
                    .enumerate()
                    .fold((0, f64::NEG_INFINITY), |best, (k, &p)| {
                        if p > best.1 { (k, p) } else { best }
                    })
                    .0
            }
        }
    }

    /// How sure the model is of the class it predicts for example i: that class's probability.
    pub fn confidence(&self, i: usize) -> f64 {
        self.class_probabilities(i)[self.predicted(i)]
    }

    /// The predicted class of every example.
    pub fn predictions(&self) -> Vec<usize> {
        (0..self.m()).map(|i| self.predicted(i)).collect()
    }

    /// Percentage of examples whose predicted class equals the label.
    pub fn accuracy(&self, labels: &[f64]) -> f64 {
        let correct = labels
            .iter()
            .enumerate()
            .filter(|&(i, &y)| self.predicted(i) as f64 == y)
            .count();
        100.0 * correct as f64 / labels.len().max(1) as f64
    }
}

/// The forward pass of inference: Z[L] of `model` for the columns of X (kept on the device, for
/// a cost), and Ŷ for every column, on the host.
pub fn outputs(model: &Model, x: &DataMatrix) -> Result<(Tensor<2>, Outputs)> {
    let z = model.forward(x);
    let units = z.dims()[0];
    // (m, units): example by example on the host.
    let values = to_vec_f64(output_activation(z.clone()).transpose())?;
    Ok((z, Outputs { units, values }))
}

/// Ŷ for every column of X, on the host.
pub fn probabilities(model: &Model, x: &DataMatrix) -> Result<Outputs> {
    Ok(outputs(model, x)?.1)
}

/// What a model makes of a set: Ŷ for every example (in file order) and the cost J.
pub struct Scores {
    pub outputs: Outputs,
    pub cost: f64,
}

/// Examples per forward pass when scoring a streamed set: 2 M values (16 MB of f64).
const SCORE_VALUES: usize = 1 << 21;

/// Ŷ and J of `model` (on `compute`'s plain device) on `examples`: in one pass for a set in
/// memory, a block of examples at a time (J weighted by block sizes) for a streamed one.
pub fn score(model: &Model, examples: &Examples, dtype: DType, compute: Compute) -> Result<Scores> {
    let device = compute.device();
    let at = compute.place(dtype, &device);
    // One forward pass gives both: Ŷ = A[L] and the cost from the logits Z[L].
    let units = model.units();
    let one = |x: DataMatrix, y: Tensor<2>| -> Result<(Outputs, f64)> {
        let (z, outputs) = outputs(model, &x)?;
        let cost = scalar_f64(cost_from_logits(z, y))?;
        Ok((outputs, cost))
    };
    if let Some(set) = examples.in_memory() {
        let (outputs, cost) = one(set.x_matrix(at), set.y_tensor(units, dtype, &device))?;
        return Ok(Scores { outputs, cost });
    }
    let m = examples.m();
    let size = (SCORE_VALUES / examples.n_x().max(1)).max(1);
    let mut scores = Scores {
        outputs: Outputs {
            units,
            values: Vec::with_capacity(m * units),
        },
        cost: 0.0,
    };
    for batch in examples.reader(dtype).epoch((0..m).collect(), size, 0) {
        let batch = batch?;
        let share = batch.m() as f64 / m as f64;
        let (x, y) = batch.tensors(at, units);
        let (outputs, cost) = one(x, y)?;
        scores.outputs.values.extend(outputs.values);
        scores.cost += cost * share;
    }
    Ok(scores)
}
