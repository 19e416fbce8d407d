//! The L-layer network: any widths, one hidden activation (ReLU by default), sigmoid output.

use burn::module::Module;
use burn::tensor::Tensor;

use crate::nn::{Activation, Dense};

#[derive(Module, Debug)]
pub struct DeepNet {
    pub layers: Vec<Dense>,
    #[module(skip)]
    pub activation: Activation,
}

impl DeepNet {
    /// A[l] = g(W[l]·A[l−1] + b[l]) for l < L; returns Z[L], the logits.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let (output, hidden) = self
            .layers
            .split_last()
            .expect("a DeepNet has at least one layer");
        let a = hidden.iter().fold(x, |a_prev, layer| {
            self.activation.forward(layer.forward(a_prev))
        });
        output.forward(a)
    }
}
