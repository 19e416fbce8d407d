//! Initial parameters, drawn on the host so that every backend starts from the same numbers.
//!
//! The normal draws use [`NumpyRng`], so `seed = 1` gives exactly the weights of the course's
//! `np.random.seed(1)` notebooks (the tests check this against `course_init_params.h5`).

use serde::{Deserialize, Serialize};

use crate::rng::NumpyRng;

/// Host values of one layer: W row-major (n_out × n_in), b (n_out).
#[derive(Debug, Clone, PartialEq)]
pub struct LayerValues {
    pub n_out: usize,
    pub n_in: usize,
    pub w: Vec<f64>,
    pub b: Vec<f64>,
}

/// How the weights of every layer are drawn (biases always start at zero, as in the notes).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InitScheme {
    /// W = 0. Fine for logistic regression; a hidden layer started this way never breaks symmetry.
    Zeros,
    /// W = randn · scale (the course's `randn(n, n_prev) * 0.01`).
    NormalScaled,
    /// W = randn / √n[l−1] (the course's L-layer initialisation).
    NormalSqrtPrev,
    /// W = randn · √(2 / n[l−1]) (He et al., 2015), suited to ReLU layers.
    He,
}

/// Draw the layers `sizes[0] → sizes[1] → …` in order, one `randn(n[l], n[l−1])` per layer,
/// exactly as the course's loops do.
pub fn draw_layers(sizes: &[usize], scheme: InitScheme, scale: f64, seed: u32) -> Vec<LayerValues> {
    let mut rng = NumpyRng::new(seed);
    sizes
        .windows(2)
        .map(|pair| {
            let (n_in, n_out) = (pair[0], pair[1]);
            let w = match scheme {
                InitScheme::Zeros => vec![0.0; n_out * n_in],
                InitScheme::NormalScaled => scaled(rng.randn(n_out * n_in), scale),
                // numpy divides by √n (not multiplies by 1/√n); keep its rounding bit for bit.
                InitScheme::NormalSqrtPrev => {
                    let root = (n_in as f64).sqrt();
                    rng.randn(n_out * n_in)
                        .into_iter()
                        .map(|v| v / root)
                        .collect()
                }
                InitScheme::He => scaled(rng.randn(n_out * n_in), (2.0 / n_in as f64).sqrt()),
            };
            LayerValues {
                n_out,
                n_in,
                w,
                b: vec![0.0; n_out],
            }
        })
        .collect()
}

fn scaled(values: Vec<f64>, factor: f64) -> Vec<f64> {
    values.into_iter().map(|v| v * factor).collect()
}

/// Indices of hidden layers whose units all start with identical incoming weights: gradient
/// descent keeps such units identical forever (the notes' symmetry argument).
pub fn symmetric_hidden_layers(layers: &[LayerValues]) -> Vec<usize> {
    let hidden = layers.len().saturating_sub(1);
    (0..hidden)
        .filter(|&l| {
            let layer = &layers[l];
            layer.n_out > 1 && {
                let first = &layer.w[..layer.n_in];
                (1..layer.n_out).all(|r| {
                    &layer.w[r * layer.n_in..(r + 1) * layer.n_in] == first
                        && layer.b[r] == layer.b[0]
                })
            }
        })
        .collect()
}

/// Warnings a user should see before training from `layers` (symmetric hidden layers).
pub fn init_warnings(layers: &[LayerValues]) -> Vec<String> {
    symmetric_hidden_layers(layers)
        .into_iter()
        .map(|l| {
            format!(
                "warning: every unit of hidden layer {} starts with the same weights; gradient descent \
                 keeps them identical forever (the notes' symmetry problem). Use a random init scheme \
                 such as normal_scaled or normal_sqrt_prev.",
                l + 1
            )
        })
        .collect()
}
