//! Logistic regression as a single neuron: z = wᵀx + b, ŷ = σ(z).
//!
//! The notes' w is a column (n_x, 1); here it is stored as the row wᵀ (1, n_x) so that the neuron
//! is an ordinary [`Dense`] layer with n[1] = 1.

use burn::module::Module;
use burn::tensor::Tensor;

use crate::nn::{DataMatrix, Dense};

#[derive(Module, Debug)]
pub struct LogisticRegression {
    pub neuron: Dense,
}

impl LogisticRegression {
    /// Z = wᵀ·X + b, the logits (the sigmoid is applied by the cost and by `predict`).
    pub fn forward(&self, x: &DataMatrix) -> Tensor<2> {
        self.neuron.forward_data(x)
    }
}
