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

    /// Layer sizes n[0] … n[L] for data with `n_x` features and `classes` classes; an error if
    /// the config's layers disagree with the data.
    ///
    /// n[L] is the number of output units: 1 for two classes (the notes' σ output, Ŷ the
    /// probability of class 1), K for K ≥ 3 (softmax). Two classes may also be given 2 units
    /// (`layers = [..., 2]`), a softmax over both.
    pub fn layer_sizes(
        &self,
        n_x: usize,
        classes: usize,
    ) -> std::result::Result<Vec<usize>, String> {
        let units = if classes == 2 { 1 } else { classes };
        match self.model.kind {
            ModelKind::Logistic => Ok(vec![n_x, units]),
            ModelKind::Shallow => Ok(vec![n_x, self.model.hidden.unwrap_or(4), units]),
            ModelKind::Deep => {
                let layers = self.model.layers.clone().unwrap_or_default();
                if layers.first() != Some(&n_x) {
                    return Err(format!(
                        "model.layers = {layers:?}: the first layer must equal the number of input features, {n_x} for this data"
                    ));
                }
                let last = *layers.last().unwrap_or(&0);
                if classes == 2 && !(last == 1 || last == 2) {
                    return Err(format!(
                        "model.layers = {layers:?}: the last layer is {last} but the data has 2 classes; end the layers with 1 (one sigmoid output, the notes' net) or 2 (a softmax over both)"
                    ));
                }
                if classes != 2 && last != classes {
                    return Err(format!(
                        "model.layers = {layers:?}: the last layer is {last} but the data has {classes} classes; end the layers with {classes} (one softmax output per class)"
                    ));
                }
                Ok(layers)
            }
        }
    }

    /// The model this config describes, for data with `n_x` features and `classes` classes.
    pub fn model_spec(&self, n_x: usize, classes: usize) -> std::result::Result<ModelSpec, String> {
        Ok(ModelSpec {
            kind: self.model.kind,
            sizes: self.layer_sizes(n_x, classes)?,
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
