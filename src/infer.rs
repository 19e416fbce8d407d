//! Inference: what a trained model says about examples, written once. [`outputs`] is the one
//! forward pass, Z[L] and Ŷ = A[L] = σ(Z[L]) for every column of X; [`predicted_class`] is the
//! one place Ŷ becomes a class (1 when Ŷ > 0.5), with [`class_name`] and [`confidence`] on top of
//! it; against labels, [`accuracy`] and [`score`] (Ŷ and the cost J of a whole set) measure it.
//! Training's accuracy and final cost, `evaluate`, `predict` and the decision-boundary plot all
//! go through here, so all of them predict alike.

use burn::tensor::{DType, Tensor, activation};

use crate::Result;
use crate::data::Examples;
use crate::device::Compute;
use crate::models::Model;
use crate::nn::DataMatrix;
use crate::tensor_util::{scalar_f64, to_vec_f64};

/// J = −1/m · Σ [ y·log a + (1 − y)·log(1 − a) ],  a = σ(z),
/// computed from the logits z as  J = 1/m · Σ [ (1 − y)·z − log σ(z) ]
/// (the same function: log(1 − σ(z)) = log σ(z) − z). Burn's `log_sigmoid` is evaluated
/// without overflow and has an exact backward, so J stays finite where log(a) would give −inf.
/// Training descends it ([`crate::train::step`]), [`score`] reports it, the gradient checker
/// differentiates it.
pub fn cost_from_logits(z: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
    let not_y = y.ones_like() - y;
    (not_y * z.clone() - activation::log_sigmoid(z)).mean()
}

/// The forward pass of inference: Z[L] of `model` for the columns of X (kept on the device, for
/// a cost), and Ŷ = σ(Z[L]) for every column, on the host.
pub fn outputs(model: &Model, x: &DataMatrix) -> Result<(Tensor<2>, Vec<f64>)> {
    let z = model.forward(x);
    let probabilities = to_vec_f64(crate::nn::activation::sigmoid(z.clone()))?;
    Ok((z, probabilities))
}

/// Ŷ for every column of X, on the host: the probability of class 1 for each example.
pub fn probabilities(model: &Model, x: &DataMatrix) -> Result<Vec<f64>> {
    Ok(outputs(model, x)?.1)
}

/// The predicted class of an example whose Ŷ is `p`: 1 when Ŷ > 0.5, as in the notes. The
/// threshold is written here only.
pub fn predicted_class(p: f64) -> u8 {
    (p > 0.5) as u8
}

/// The name of the predicted class of an example whose Ŷ is `p`, among `classes` (the names of
/// class 0 and class 1).
pub fn class_name(p: f64, classes: &[String; 2]) -> &String {
    &classes[predicted_class(p) as usize]
}

/// How sure the model is of the class it predicts for an example whose Ŷ is `p`: Ŷ for class
/// 1, 1 − Ŷ for class 0.
pub fn confidence(p: f64) -> f64 {
    if predicted_class(p) == 1 { p } else { 1.0 - p }
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

/// What a model makes of a set: Ŷ for every example (in file order) and the cost J.
pub struct Scores {
    pub probabilities: Vec<f64>,
    pub cost: f64,
}

/// Examples per forward pass when scoring a streamed set: 2 M values (16 MB of f64).
const SCORE_VALUES: usize = 1 << 21;

/// Ŷ and J of `model` (on `compute`'s plain device) on `examples`: in one pass for a set in
/// memory, a block of examples at a time (J weighted by block sizes) for a streamed one.
pub fn score(model: &Model, examples: &Examples, dtype: DType, compute: Compute) -> Result<Scores> {
    let device = compute.device();
    let at = compute.place(dtype, &device);
    // One forward pass gives both: Ŷ = σ(Z[L]) and the cost from the logits Z[L].
    let one = |x: DataMatrix, y: Tensor<2>| -> Result<(Vec<f64>, f64)> {
        let (z, probabilities) = outputs(model, &x)?;
        let cost = scalar_f64(cost_from_logits(z, y))?;
        Ok((probabilities, cost))
    };
    if let Some(set) = examples.in_memory() {
        let (probabilities, cost) = one(set.x_matrix(at), set.y_tensor(dtype, &device))?;
        return Ok(Scores {
            probabilities,
            cost,
        });
    }
    let m = examples.m();
    let size = (SCORE_VALUES / examples.n_x().max(1)).max(1);
    let mut scores = Scores {
        probabilities: Vec::with_capacity(m),
        cost: 0.0,
    };
    for batch in examples.reader(dtype).epoch((0..m).collect(), size, 0) {
        let batch = batch?;
        let share = batch.m() as f64 / m as f64;
        let (x, y) = batch.tensors(at);
        let (p, cost) = one(x, y)?;
        scores.probabilities.extend(p);
        scores.cost += cost * share;
    }
    Ok(scores)
}
