//! The model a config describes: its hidden activation, layer sizes, `ModelSpec` and initial
//! weight scheme, with the per-model defaults.

use crate::models::{ModelKind, ModelSpec};
use crate::nn::activation::{ActivationKind, DEFAULT_LEAKY_SLOPE};
use crate::nn::{Activation, InitScheme};

use super::{Config, InitChoice};

impl Config {
    /// The hidden activation the model uses.
    pub fn activation(&self) -> Activation {
        let default = match self.model.kind {
            ModelKind::Deep => ActivationKind::Relu,
            _ => ActivationKind::Tanh,
        };
        Activation::new(
            self.model.activation.unwrap_or(default),
            self.model.leaky_slope.unwrap_or(DEFAULT_LEAKY_SLOPE),
        )
    }

    /// Layer sizes n[0] … n[L] for data with `n_x` features; an error if they disagree.
    pub fn layer_sizes(&self, n_x: usize) -> std::result::Result<Vec<usize>, String> {
        match self.model.kind {
            ModelKind::Logistic => Ok(vec![n_x, 1]),
            ModelKind::Shallow => Ok(vec![n_x, self.model.hidden.unwrap_or(4), 1]),
            ModelKind::Deep => {
                let layers = self.model.layers.clone().unwrap_or_default();
                if layers.first() != Some(&n_x) {
                    return Err(format!(
                        "model.layers = {layers:?}: the first layer must equal the number of input features, {n_x} for this data"
                    ));
                }
                Ok(layers)
            }
        }
    }

    /// The model this config describes, for data with `n_x` features.
    pub fn model_spec(&self, n_x: usize) -> std::result::Result<ModelSpec, String> {
        Ok(ModelSpec {
            kind: self.model.kind,
            sizes: self.layer_sizes(n_x)?,
            activation: self.activation(),
            dtype: self.train.precision.dtype(),
        })
    }

    /// The weight scheme, with the per-model default.
    pub fn init_scheme(&self) -> Option<InitScheme> {
        let choice = self.init.scheme.unwrap_or(match self.model.kind {
            ModelKind::Logistic => InitChoice::Zeros,
            ModelKind::Shallow => InitChoice::NormalScaled,
            ModelKind::Deep => InitChoice::NormalSqrtPrev,
        });
        match choice {
            InitChoice::Zeros => Some(InitScheme::Zeros),
            InitChoice::NormalScaled => Some(InitScheme::NormalScaled),
            InitChoice::NormalSqrtPrev => Some(InitScheme::NormalSqrtPrev),
            InitChoice::He => Some(InitScheme::He),
            InitChoice::H5 => None,
        }
    }
}
