//! The notes' three models as Burn modules. Each `forward` returns the output logits Z[L];
//! the output sigmoid lives in the cost (computed from logits, for stability) and in `predict`.

mod deep;
mod logistic;
mod shallow;

pub use deep::DeepNet;
pub use logistic::LogisticRegression;
pub use shallow::ShallowNet;

use burn::module::Module;
use burn::tensor::{DType, Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::nn::{Activation, DataMatrix, Dense, LayerValues};

/// Which of the three models a config asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    Logistic,
    Shallow,
    Deep,
}

impl ModelKind {
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Logistic => "logistic",
            ModelKind::Shallow => "shallow",
            ModelKind::Deep => "deep",
        }
    }
}

#[derive(Module, Debug)]
pub enum Model {
    Logistic(LogisticRegression),
    Shallow(ShallowNet),
    Deep(DeepNet),
}

impl Model {
    /// Build a model from host values of its layers (in order) on `device` with `dtype`.
    pub fn from_layers(
        kind: ModelKind,
        layers: &[LayerValues],
        hidden: Activation,
        dtype: DType,
        device: &Device,
    ) -> Model {
        let mut dense: Vec<Dense> = layers
            .iter()
            .map(|l| Dense::from_values(l.n_out, l.n_in, l.w.clone(), l.b.clone(), dtype, device))
            .collect();
        match kind {
            ModelKind::Logistic => {
                assert_eq!(dense.len(), 1, "logistic regression has exactly one layer");
                Model::Logistic(LogisticRegression {
                    neuron: dense.remove(0),
                })
            }
            ModelKind::Shallow => {
                assert_eq!(dense.len(), 2, "the shallow network has exactly two layers");
                let output = dense.pop().expect("two layers");
                let hidden_layer = dense.pop().expect("two layers");
                Model::Shallow(ShallowNet {
                    hidden: hidden_layer,
                    output,
                    activation: hidden,
                })
            }
            ModelKind::Deep => Model::Deep(DeepNet {
                layers: dense,
                activation: hidden,
            }),
        }
    }

    pub fn kind(&self) -> ModelKind {
        match self {
            Model::Logistic(_) => ModelKind::Logistic,
            Model::Shallow(_) => ModelKind::Shallow,
            Model::Deep(_) => ModelKind::Deep,
        }
    }

    /// Z[L] for the columns of X (n_x, m).
    pub fn forward(&self, x: &DataMatrix) -> Tensor<2> {
        match self {
            Model::Logistic(m) => m.forward(x),
            Model::Shallow(m) => m.forward(x),
            Model::Deep(m) => m.forward(x),
        }
    }

    /// Ŷ = A[L] = σ(Z[L]), the probability of class 1.
    pub fn predict_proba(&self, x: &DataMatrix) -> Tensor<2> {
        crate::nn::activation::sigmoid(self.forward(x))
    }

    /// The layers in order, l = 1 … L.
    pub fn layers(&self) -> Vec<&Dense> {
        match self {
            Model::Logistic(m) => vec![&m.neuron],
            Model::Shallow(m) => vec![&m.hidden, &m.output],
            Model::Deep(m) => m.layers.iter().collect(),
        }
    }

    /// The hidden-layer activation g (none for logistic regression).
    pub fn hidden_activation(&self) -> Activation {
        match self {
            Model::Logistic(_) => Activation::sigmoid(),
            Model::Shallow(m) => m.activation,
            Model::Deep(m) => m.activation,
        }
    }

    /// Layer sizes n[0], n[1], …, n[L].
    pub fn sizes(&self) -> Vec<usize> {
        let layers = self.layers();
        let mut sizes = vec![layers[0].shape().1];
        sizes.extend(layers.iter().map(|l| l.shape().0));
        sizes
    }

    /// Host copies of every layer's parameters (f64, notes' shapes).
    pub fn layer_values(&self) -> crate::Result<Vec<LayerValues>> {
        self.layers()
            .into_iter()
            .map(|layer| {
                let (n_out, n_in) = layer.shape();
                Ok(LayerValues {
                    n_out,
                    n_in,
                    w: crate::tensor_util::to_vec_f64(layer.w.val())?,
                    b: crate::tensor_util::to_vec_f64(layer.b.val())?,
                })
            })
            .collect()
    }
}
