//! The notes' handwritten forward cache and backward pass, on plain (non-autodiff) tensors.
//!
//! Each formula is one method of [`BackwardFormulas`]; [`NotesFormulas`] is the notes' version.
//! Tests swap in deliberately wrong formulas to prove the checker catches them.

use burn::tensor::Tensor;

use crate::nn::{Activation, Dense};

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

/// The forward pass, keeping every Z and A (the notes' `cache`).
pub fn forward_cache(
    layers: &[&Dense],
    g: &Activation,
    x: Tensor<2>,
    f: &dyn BackwardFormulas,
) -> ForwardCache {
    let mut z = Vec::with_capacity(layers.len());
    let mut a = vec![x];
    for (l, layer) in layers.iter().enumerate() {
        let z_l = layer.forward(a[l].clone());
        let a_l = if l + 1 < layers.len() {
            g.forward(z_l.clone())
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
    f: &dyn BackwardFormulas,
) -> Vec<LayerGrads> {
    let m = x.dims()[1];
    let cache = forward_cache(layers, g, x, f);
    let big_l = layers.len();
    let mut grads: Vec<LayerGrads> = Vec::with_capacity(big_l);
    let a_out = cache.a[big_l].clone();
    let mut dz = guarded(|| match a_out.dims()[0] {
        1 => f.dz_output(a_out, y),
        _ => f.dz_softmax(a_out, y),
    });
    for l in (1..=big_l).rev() {
        let a_prev = cache.a[l - 1].clone();
        let layer_grads = dz
            .clone()
            .and_then(|dz| guarded(|| (f.dw(dz.clone(), a_prev.clone(), m), f.db(dz, m))));
        grads.push(layer_grads);
        if l > 1 {
            dz = dz.and_then(|dz| {
                guarded(|| {
                    let da_prev = f.da_prev(layers[l - 1].w.val(), dz);
                    f.dz_hidden(da_prev, g, cache.z[l - 2].clone(), a_prev)
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
    f: &dyn BackwardFormulas,
) -> LayerGrads {
    let m = x.dims()[1];
    let a = crate::nn::activation::sigmoid(neuron.forward(x.clone()));
    guarded(|| {
        let dz = f.dz_output(a, y);
        (f.dw_logistic(x, dz.clone(), m), f.db(dz, m))
    })
}
