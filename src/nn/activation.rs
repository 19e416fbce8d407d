//! The notes' four activation functions, each with its forward g(Z) and its derivative g′(Z).
//!
//! The forward is used by the models (and so differentiated by autodiff); the derivative is used
//! only by the handwritten backward pass of the gradient checker — two independent routes.

use burn::tensor::{Tensor, activation};
use serde::{Deserialize, Serialize};

/// σ(z) = 1 / (1 + e⁻ᶻ), evaluated as ½·(1 + tanh(z/2)): the same function, finite for every z
/// with a finite derivative, and computed in the tensor's own dtype (Burn 0.22's built-in
/// `sigmoid` rounds through f32, which would spoil the f64 comparisons with numpy).
pub fn sigmoid<const D: usize>(z: Tensor<D>) -> Tensor<D> {
    z.mul_scalar(0.5).tanh().add_scalar(1.0).mul_scalar(0.5)
}

/// Hidden-layer activation, as written in a config (`"tanh"`, `"relu"`, …).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ActivationKind {
    Sigmoid,
    #[default]
    Tanh,
    Relu,
    LeakyRelu,
}

impl ActivationKind {
    pub const ALL: [ActivationKind; 4] = [
        ActivationKind::Sigmoid,
        ActivationKind::Tanh,
        ActivationKind::Relu,
        ActivationKind::LeakyRelu,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ActivationKind::Sigmoid => "sigmoid",
            ActivationKind::Tanh => "tanh",
            ActivationKind::Relu => "relu",
            ActivationKind::LeakyRelu => "leaky_relu",
        }
    }
}

/// An activation with its parameters (Leaky ReLU's slope for z < 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Activation {
    pub kind: ActivationKind,
    pub leaky_slope: f64,
}

/// Leaky ReLU's slope when the config does not give one.
pub const DEFAULT_LEAKY_SLOPE: f64 = 0.01;

impl Activation {
    pub fn new(kind: ActivationKind, leaky_slope: f64) -> Self {
        Activation { kind, leaky_slope }
    }

    pub fn sigmoid() -> Self {
        Activation::new(ActivationKind::Sigmoid, DEFAULT_LEAKY_SLOPE)
    }

    /// A = g(Z):
    /// sigmoid σ(z) = 1 / (1 + e⁻ᶻ); tanh; ReLU max(0, z); Leaky ReLU max(αz, z).
    pub fn forward<const D: usize>(&self, z: Tensor<D>) -> Tensor<D> {
        match self.kind {
            ActivationKind::Sigmoid => sigmoid(z),
            ActivationKind::Tanh => z.tanh(),
            ActivationKind::Relu => activation::relu(z),
            ActivationKind::LeakyRelu => activation::leaky_relu(z, self.leaky_slope),
        }
    }

    /// g′(Z), given Z and A = g(Z):
    /// sigmoid σ′ = A(1 − A); tanh′ = 1 − A²; ReLU′ = 1 if z > 0 else 0;
    /// Leaky ReLU′ = 1 if z > 0 else α.
    ///
    /// At z = 0 (ReLU's kink) the derivative is taken as 0 (α for Leaky ReLU), the same
    /// convention as Burn's autodiff; the numerical check avoids kinks (see gradcheck::numeric).
    pub fn derivative<const D: usize>(&self, z: Tensor<D>, a: Tensor<D>) -> Tensor<D> {
        match self.kind {
            ActivationKind::Sigmoid => a.clone() * (a.ones_like() - a),
            ActivationKind::Tanh => a.ones_like() - a.square(),
            ActivationKind::Relu => {
                let not_positive = z.clone().lower_equal_elem(0.0);
                z.ones_like().mask_fill(not_positive, 0.0)
            }
            ActivationKind::LeakyRelu => {
                let not_positive = z.clone().lower_equal_elem(0.0);
                z.ones_like().mask_fill(not_positive, self.leaky_slope)
            }
        }
    }
}
