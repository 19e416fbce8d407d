//! The shallow network: one hidden layer (tanh by default), sigmoid output.

use burn::module::Module;
use burn::tensor::Tensor;

use crate::nn::{Activation, DataMatrix, Dense};

#[derive(Module, Debug)]
pub struct ShallowNet {
    pub hidden: Dense,
    pub output: Dense,
    #[module(skip)]
    pub activation: Activation,
}

impl ShallowNet {
    /// A[1] = g(W[1]·X + b[1]);  Z[2] = W[2]·A[1] + b[2] (the logits). `masks` (training with
    /// dropout: D[1]/p, or none) multiply A[1].
    pub fn forward(&self, x: &DataMatrix, masks: &[Tensor<2>]) -> Tensor<2> {
        let a1 = self.activation.forward(self.hidden.forward_data(x));
        let a1 = match masks.first() {
            Some(mask) => a1 * mask.clone(),
            None => a1,
        };
        self.output.forward(a1)
    }
}
