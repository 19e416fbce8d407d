//! The notes' handwritten forward cache and backward pass, on plain (non-autodiff) tensors.
//!
//! Each formula is one method of [`BackwardFormulas`]; [`NotesFormulas`] is the notes' version.
//! Tests swap in deliberately wrong formulas to prove the checker catches them.

use burn::tensor::Tensor;

use crate::nn::{Activation, Dense};
use crate::tensor_util::factor;

/// One formula per method, with the notes' defaults.
pub trait BackwardFormulas {
    /// Output layer (sigmoid + cross-entropy):  dZ[L] = A[L] − Y
    fn dz_output(&self, a_out: Tensor<2>, y: Tensor<2>) -> Tensor<2> {
        a_out - y
    }

    /// Output layer of K units, softmax over each column's K rows:
    /// A[L]ₖ = e^{Z[L]ₖ} / Σⱼ e^{Z[L]ⱼ}  (each column shifted by its largest logit first, which
    /// leaves A unchanged and keeps e^Z finite)
    fn softmax(&self, z: Tensor<2>) -> Tensor<2> {
        let shifted = z.clone() - z.max_dim(0);
        let e = shifted.exp();
        e.clone() / e.sum_dim(0)
    }

    /// Output layer (softmax + cross-entropy):  dZ[L] = A[L] − Y,  Y one-hot (K, m)
    fn dz_softmax(&self, a_out: Tensor<2>, y_one_hot: Tensor<2>) -> Tensor<2> {
        a_out - y_one_hot
    }

    /// dW[l] = 1/m · dZ[l] · A[l−1]ᵀ
    fn dw(&self, dz: Tensor<2>, a_prev: Tensor<2>, m: usize) -> Tensor<2> {
        dz.matmul(a_prev.transpose()).div_scalar(m as f64)
    }

    /// db[l] = 1/m · Σ_columns dZ[l]
    fn db(&self, dz: Tensor<2>, m: usize) -> Tensor<2> {
        dz.sum_dim(1).div_scalar(m as f64)
    }

    /// dA[l−1] = W[l]ᵀ · dZ[l]
    fn da_prev(&self, w: Tensor<2>, dz: Tensor<2>) -> Tensor<2> {
        w.transpose().matmul(dz)
    }

    /// dZ[l] = dA[l] ∘ g′(Z[l])
    fn dz_hidden(&self, da: Tensor<2>, g: &Activation, z: Tensor<2>, a: Tensor<2>) -> Tensor<2> {
        da * g.derivative(z, a)
    }

    /// Logistic regression:  dw = 1/m · X · dZᵀ   (a column, like the notes' w)
    fn dw_logistic(&self, x: Tensor<2>, dz: Tensor<2>, m: usize) -> Tensor<2> {
        x.matmul(dz.transpose()).div_scalar(m as f64)
    }

    /// L2 regularization's share of dW[l]:  λ/m · W[l]   (added to the cross-entropy's dW)
    fn dw_l2(&self, w: Tensor<2>, lambda: f64, m: usize) -> Tensor<2> {
        let f = factor(&w, lambda / m as f64);
        w * f
    }

    /// Inverted dropout on a hidden layer (forward):  A[l] ← A[l] ∘ D[l] / p
    fn dropout(&self, a: Tensor<2>, d: Tensor<2>, keep: f64) -> Tensor<2> {
        let f = factor(&d, 1.0 / keep);
        a * (d * f)
    }

    /// Its backward:  dA[l] ← dA[l] ∘ D[l] / p   (the units dropped get no gradient)
    fn da_dropout(&self, da: Tensor<2>, d: Tensor<2>, keep: f64) -> Tensor<2> {
        let f = factor(&d, 1.0 / keep);
        da * (d * f)
    }
}

/// What the cost holds beyond the cross-entropy during a check: λ of the L2 term, and one
/// hidden layer's dropout mask after another, D[l] (0s and 1s) with its p.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub l2: f64,
    pub dropout: Vec<(Tensor<2>, f64)>,
}

/// The formulas exactly as the notes derive them.
pub struct NotesFormulas;
impl BackwardFormulas for NotesFormulas {}

/// Z[l] and A[l] for l = 1 … L (A[L] = σ(Z[L]) for one output unit, softmax(Z[L]) for K),
/// with A[0] = X in `a[0]`.
pub struct ForwardCache {
    pub z: Vec<Tensor<2>>,
    pub a: Vec<Tensor<2>>,
}

/// The forward pass, keeping every Z and A (the notes' `cache`); the hidden A[l] after dropout
/// when `dropout` has masks.
pub fn forward_cache(
    layers: &[&Dense],
    g: &Activation,
    x: Tensor<2>,
    dropout: &[(Tensor<2>, f64)],
    f: &dyn BackwardFormulas,
) -> ForwardCache {
    let mut z = Vec::with_capacity(layers.len());
    let mut a = vec![x];
    for (l, layer) in layers.iter().enumerate() {
        let z_l = layer.forward(a[l].clone());
        let a_l = if l + 1 < layers.len() {
            match dropout.get(l) {
                Some((d, keep)) => f.dropout(g.forward(z_l.clone()), d.clone(), *keep),
                None => g.forward(z_l.clone()),
            }
        } else if z_l.dims()[0] == 1 {
            crate::nn::activation::sigmoid(z_l.clone())
        } else {
            f.softmax(z_l.clone())
        };
        z.push(z_l);
        a.push(a_l);
    }
    ForwardCache { z, a }
}

/// A layer's handwritten (dW, db), or why it could not be computed (a formula that panicked,
/// typically a shape mismatch such as a forgotten transpose).
pub type LayerGrads = std::result::Result<(Tensor<2>, Tensor<2>), String>;

/// (dW[l], db[l]) for l = 1 … L, by the notes' backward pass of the L-layer network (the
/// shallow network is the case L = 2, softmax regression the case L = 1).
pub fn backward(
    layers: &[&Dense],
    g: &Activation,
    x: Tensor<2>,
    y: Tensor<2>,
    extras: &Extras,
    f: &dyn BackwardFormulas,
) -> Vec<LayerGrads> {
    let m = x.dims()[1];
    let cache = forward_cache(layers, g, x, &extras.dropout, f);
    let big_l = layers.len();
    let mut grads: Vec<LayerGrads> = Vec::with_capacity(big_l);
    let a_out = cache.a[big_l].clone();
    let mut dz = guarded(|| match a_out.dims()[0] {
        1 => f.dz_output(a_out, y),
        _ => f.dz_softmax(a_out, y),
    });
    for l in (1..=big_l).rev() {
        let a_prev = cache.a[l - 1].clone();
        let w = layers[l - 1].w.val();
        let layer_grads = dz.clone().and_then(|dz| {
            guarded(|| {
                let dw = f.dw(dz.clone(), a_prev.clone(), m);
                let dw = match extras.l2 {
                    0.0 => dw,
                    lambda => dw + f.dw_l2(w.clone(), lambda, m),
                };
                (dw, f.db(dz, m))
            })
        });
        grads.push(layer_grads);
        if l > 1 {
            dz = dz.and_then(|dz| {
                guarded(|| {
                    let da_prev = f.da_prev(w.clone(), dz);
                    let da_prev = match extras.dropout.get(l - 2) {
                        Some((d, keep)) => f.da_dropout(da_prev, d.clone(), *keep),
                        None => da_prev,
                    };
                    // g′ from Z[l−1] and g(Z[l−1]), the activation before dropout scaled it.
                    let z = cache.z[l - 2].clone();
                    f.dz_hidden(da_prev, g, z.clone(), g.forward(z))
                })
                .map_err(|e| format!("computing dA[{}] and dZ[{}]: {e}", l - 1, l - 1))
            });
        }
    }
    grads.reverse();
    grads
}

/// Run one formula, turning a panic (Burn panics on mismatched shapes) into an error message.
fn guarded<T>(formula: impl FnOnce() -> T) -> std::result::Result<T, String> {
    crate::tensor_util::catch_panic("the formula panicked", formula)
}

/// (dw, db) of logistic regression, the notes' single-neuron form; dw is a column (n_x, 1).
pub fn backward_logistic(
    neuron: &Dense,
    x: Tensor<2>,
    y: Tensor<2>,
    l2: f64,
    f: &dyn BackwardFormulas,
) -> LayerGrads {
    let m = x.dims()[1];
    let a = crate::nn::activation::sigmoid(neuron.forward(x.clone()));
    guarded(|| {
        let dz = f.dz_output(a, y);
        let dw = f.dw_logistic(x, dz.clone(), m);
        let dw = match l2 {
            0.0 => dw,
            lambda => dw + f.dw_l2(neuron.w.val().transpose(), lambda, m),
        };
        (dw, f.db(dz, m))
    })
}
