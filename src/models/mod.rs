//! The notes' three models as Burn modules. Each `forward` returns the output logits Z[L];
//! the output sigmoid lives in the cost (computed from logits, for stability) and in
//! [`crate::infer`], where Ŷ = σ(Z[L]) and the class it picks are computed.

mod deep;
mod logistic;
mod shallow;

pub use deep::DeepNet;
pub use logistic::LogisticRegression;
pub use shallow::ShallowNet;

use burn::module::{Module, ParamId};
use burn::tensor::{DType, Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::nn::{Activation, DataMatrix, Dense, InitScheme, LayerValues};

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

    /// How many layers L a model of this kind has: one neuron, one hidden layer and the output,
    /// or any number (None).
    pub fn layer_count(self) -> Option<usize> {
        match self {
            ModelKind::Logistic => Some(1),
            ModelKind::Shallow => Some(2),
            ModelKind::Deep => None,
        }
    }
}

/// Everything that fixes a model's shape: its kind, the layer sizes n[0] … n[L], the hidden
/// activation and the dtype. A config produces it (`Config::model_spec`); `init_with` builds the
/// model from given parameters, `init` the zero model a saved record is loaded into.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    pub kind: ModelKind,
    pub sizes: Vec<usize>,
    pub activation: Activation,
    pub dtype: DType,
}

impl ModelSpec {
    /// The spec of a model whose layers are `layers`.
    pub fn of_layers(
        kind: ModelKind,
        layers: &[LayerValues],
        activation: Activation,
        dtype: DType,
    ) -> Self {
        let mut sizes: Vec<usize> = layers.first().map(|l| l.n_in).into_iter().collect();
        sizes.extend(layers.iter().map(|l| l.n_out));
        ModelSpec {
            kind,
            sizes,
            activation,
            dtype,
        }
    }

    /// n[L], the output units.
    pub fn units(&self) -> usize {
        *self.sizes.last().expect("a model has layers")
    }

    /// The model with every parameter zero (a skeleton for a saved record).
    pub fn init(&self, device: &Device) -> Model {
        self.init_with(
            &crate::nn::init::draw_layers(&self.sizes, InitScheme::Zeros, 0.0, 0),
            device,
        )
    }

    /// The model with the given parameters of layers 1 … L, which must have this spec's sizes.
    pub fn init_with(&self, layers: &[LayerValues], device: &Device) -> Model {
        assert_eq!(
            ModelSpec::of_layers(self.kind, layers, self.activation, self.dtype).sizes,
            self.sizes,
            "the parameters do not have the spec's layer sizes"
        );
        let mut dense: Vec<Dense> = layers
            .iter()
            .map(|l| {
                Dense::from_values(
                    l.n_out,
                    l.n_in,
                    l.w.clone(),
                    l.b.clone(),
                    self.dtype,
                    device,
                )
            })
            .collect();
        // Parameter ids by position (W[l], b[l] → 2l − 1, 2l): an optimizer keeps its state by
        // id, so a model rebuilt from a checkpoint must carry the ids of the one that was saved.
        for (l, layer) in dense.iter_mut().enumerate() {
            layer.w.id = ParamId::from(2 * l as u64 + 1);
            layer.b.id = ParamId::from(2 * l as u64 + 2);
        }
        if let Some(count) = self.kind.layer_count() {
            assert_eq!(
                dense.len(),
                count,
                "a {} model has {count} layer(s)",
                self.kind.name()
            );
        }
        let activation = self.activation;
        match self.kind {
            ModelKind::Logistic => Model::Logistic(LogisticRegression {
                neuron: dense.remove(0),
            }),
            ModelKind::Shallow => {
                let output = dense.remove(1);
                let hidden = dense.remove(0);
                Model::Shallow(ShallowNet {
                    hidden,
                    output,
                    activation,
                })
            }
            ModelKind::Deep => Model::Deep(DeepNet {
                layers: dense,
                activation,
            }),
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
    pub fn kind(&self) -> ModelKind {
        match self {
            Model::Logistic(_) => ModelKind::Logistic,
            Model::Shallow(_) => ModelKind::Shallow,
            Model::Deep(_) => ModelKind::Deep,
        }
    }

    /// Z[L] for the columns of X (n_x, m): what the model says, with every unit (inference,
    /// and training without dropout).
    pub fn forward(&self, x: &DataMatrix) -> Tensor<2> {
        self.forward_masked(x, &[])
    }

    /// Z[L] with the hidden activations multiplied by `masks` (dropout's D[l]/p, one per hidden
    /// layer, from [`crate::regularize::Dropout::masks`]): training only.
    pub fn forward_masked(&self, x: &DataMatrix, masks: &[Tensor<2>]) -> Tensor<2> {
        match self {
            Model::Logistic(m) => m.forward(x),
            Model::Shallow(m) => m.forward(x, masks),
            Model::Deep(m) => m.forward(x, masks),
        }
    }

    /// The sizes of the hidden layers, n[1] … n[L−1].
    pub fn hidden_sizes(&self) -> Vec<usize> {
        let sizes = self.sizes();
        sizes[1..sizes.len() - 1].to_vec()
    }

    /// The layers in order, l = 1 … L.
    pub fn layers(&self) -> Vec<&Dense> {
        match self {
            Model::Logistic(m) => vec![&m.neuron],
            Model::Shallow(m) => vec![&m.hidden, &m.output],
            Model::Deep(m) => m.layers.iter().collect(),
        }
    }

    /// n[L], the output units: 1 (σ, two classes) or K (softmax over K classes).
    pub fn units(&self) -> usize {
        self.layers().last().map_or(1, |l| l.shape().0)
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
