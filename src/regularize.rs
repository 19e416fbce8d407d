//! The course's tools against overfitting, as training applies them: the L2 term of the cost and
//! inverted dropout's masks. (Their handwritten gradients are in `gradcheck/handwritten.rs`.)
//!
//! - **L2**: J = CE + λ/(2m)·Σₗ ‖W[l]‖²_F, biases not regularized ([`l2_term`]); autodiff then
//!   adds (λ/m)·W[l] to every dW[l].
//! - **Dropout**: during training only, each hidden activation is kept with probability p and
//!   scaled: A[l] ← A[l]·D[l] / p, D[l] of 0s and 1s ([`Dropout::masks`]). The masks are a pure
//!   function of (seed, epoch, batch), so a run repeats, and resumes, bit for bit; inference
//!   (`infer`) never drops anything.

use burn::tensor::{DType, Device, Tensor};

use crate::models::Model;
use crate::rng::NumpyRng;
use crate::tensor_util::{factor, matrix};

/// λ/(2m)·Σₗ ‖W[l]‖²_F for the weights of `model` (no biases), m the examples of the step.
pub fn l2_term(model: &Model, lambda: f64, m: usize) -> Tensor<1> {
    let squares = model
        .layers()
        .into_iter()
        .map(|layer| layer.w.val().square().sum())
        .reduce(|a, b| a + b)
        .expect("a model has layers");
    let factor = factor(&squares, lambda / (2.0 * m as f64));
    squares * factor
}

/// Inverted dropout on the hidden layers: keep probability `keep[l]` for hidden layer l + 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Dropout {
    pub keep: Vec<f64>,
    /// The seed every mask derives from (`init.seed`).
    pub seed: u32,
}

impl Dropout {
    /// The dropout of the hidden layers of sizes `hidden` for a step on `m` examples in `epoch`
    /// (its `batch`-th mini-batch), on the host: for each hidden layer D[l] (n[l], m, row-major)
    /// of 0s and 1s, D = (u < p) for u uniform in [0, 1), and its p. Drawn from numpy's
    /// generator seeded by (seed, epoch, batch), layer after layer, row by row: the same masks
    /// whenever the same step runs again.
    pub fn draw(
        &self,
        hidden: &[usize],
        m: usize,
        epoch: usize,
        batch: usize,
    ) -> Vec<(Vec<f64>, f64)> {
        let stream = self
            .seed
            .wrapping_add((epoch as u32).wrapping_mul(0x9E37_79B9))
            .wrapping_add((batch as u32).wrapping_mul(0x85EB_CA6B))
            ^ 0x5bd1_e995;
        let mut rng = NumpyRng::new(stream);
        hidden
            .iter()
            .zip(&self.keep)
            .map(|(&n, &keep)| {
                let d = (0..n * m)
                    .map(|_| (rng.uniform() < keep) as u8 as f64)
                    .collect();
                (d, keep)
            })
            .collect()
    }

    /// The same masks as tensors of D[l] / p (n[l], m): 1/p for a kept unit, 0 for a dropped
    /// one, what the models multiply the hidden activations by ([`Model::forward_masked`]).
    /// Held as D/p so that A[l]·D[l]/p is one product of two tensors
    /// ([`crate::tensor_util::factor`] says why).
    pub fn masks(
        &self,
        hidden: &[usize],
        m: usize,
        epoch: usize,
        batch: usize,
        dtype: DType,
        device: &Device,
    ) -> Vec<Tensor<2>> {
        scaled_masks(&self.draw(hidden, m, epoch, batch), m, dtype, device)
    }
}

/// Drawn masks (D[l], p) as tensors of D[l] / p, each (n[l], m).
pub fn scaled_masks(
    drawn: &[(Vec<f64>, f64)],
    m: usize,
    dtype: DType,
    device: &Device,
) -> Vec<Tensor<2>> {
    drawn
        .iter()
        .map(|(d, keep)| {
            let scaled: Vec<f64> = d.iter().map(|&v| v / keep).collect();
            matrix(scaled, d.len() / m.max(1), m, dtype, device)
        })
        .collect()
}
