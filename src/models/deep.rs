//! The L-layer network: any widths, one hidden activation (ReLU by default), sigmoid output.

use burn::module::Module;
use burn::tensor::Tensor;

use crate::nn::{Activation, DataMatrix, Dense};

#[derive(Module, Debug)]
pub struct DeepNet {
    pub layers: Vec<Dense>,
    #[module(skip)]
    pub activation: Activation,
}

impl DeepNet {
    /// A[l] = g(W[l]·A[l−1] + b[l]) for l < L; returns Z[L], the logits. `masks` (training
    /// with dropout: D[l]/p for each hidden layer, or none) multiply the hidden activations.
    pub fn forward(&self, x: &DataMatrix, masks: &[Tensor<2>]) -> Tensor<2> {
        let (first, rest) = self
            .layers
            .split_first()
            .expect("a DeepNet has at least one layer");
        let z1 = first.forward_data(x);
        let Some((output, hidden)) = rest.split_last() else {
            return z1; // L = 1: logistic regression
        };
        let dropped = |l: usize, a: Tensor<2>| match masks.get(l) {
            Some(mask) => a * mask.clone(),
            None => a,
        };
        let a1 = dropped(0, self.activation.forward(z1));
        let a = hidden.iter().enumerate().fold(a1, |a_prev, (l, layer)| {
            dropped(l + 1, self.activation.forward(layer.forward(a_prev)))
        });
        output.forward(a)
    }
}
