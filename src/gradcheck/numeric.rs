//! The third witness: central finite differences of the cost, always in f64.
//!
//! The five-point central difference
//! ∂J/∂θᵢ ≈ (−J(θ + 2h·eᵢ) + 8·J(θ + h·eᵢ) − 8·J(θ − h·eᵢ) + J(θ − 2h·eᵢ)) / 12h, h = 1e-3.
//! Its truncation error is O(h⁴) ≈ 1e-13 and its f64 cancellation error ≈ 1e-16·J/h ≈ 1e-13,
//! so even a bias whose gradient is ~1e-6 (the planar net's b1 at its 0.01-scaled start) is
//! measured to ~1e-7 relative, and ordinary gradients to ~1e-10. (The course's two-point
//! difference with ε = 1e-7 has ~1e-9 cancellation error: too coarse for such small gradients.)
//!
//! ReLU and Leaky ReLU have a kink at z = 0 where the derivative jumps. A central difference
//! that straddles a kink measures neither side's derivative. So when a perturbation (up to ±2h)
//! flips the sign of any hidden pre-activation Z[l], the coordinate is retried with h = 1e-4, then
//! 1e-5 (cancellation error still ≤ 1e-11); if even that crosses a kink (a Z within ~1e-5 of 0),
//! the coordinate is *skipped* (counted in the report) and, for sampled layers, replaced by another
//! draw. Autodiff and the handwritten pass are never skipped.

use burn::tensor::{DType, Device, Tensor};

use super::Fitting;
use super::handwritten::{Extras, forward_cache};
use crate::Result;
use crate::data::Dataset;
use crate::infer::cost_from_logits;
use crate::models::{ModelKind, ModelSpec};
use crate::nn::{ActivationKind, LayerValues};
use crate::rng::NumpyRng;
use crate::tensor_util::{scalar_f64, to_vec_f64};

pub const EPSILON: f64 = 1e-3;
/// Steps tried in turn: a stencil that crosses a ReLU kink is retried with the next, smaller one.
const STEPS: [f64; 3] = [EPSILON, 1e-4, 1e-5];
/// Parameters with at most this many entries are checked at every coordinate.
pub const FULL_CHECK_LIMIT: usize = 5000;
/// Coordinates sampled (seeded) from a larger parameter.
pub const SAMPLES: usize = 200;

/// The finite-difference gradient at some coordinates of one parameter.
pub struct NumericGrad {
    /// (flat index in the row-major parameter, estimate)
    pub values: Vec<(usize, f64)>,
    /// Coordinates skipped because the perturbation crossed a ReLU kink.
    pub skipped_at_kinks: usize,
}

/// Evaluates J and the sign pattern of hidden pre-activations for given host parameters, in f64.
struct Evaluator<'a> {
    /// The model's spec in f64.
    spec: ModelSpec,
    x: Tensor<2>,
    y: Tensor<2>,
    /// The L2 term's λ and the dropout masks of the check.
    extras: Extras,
    device: &'a Device,
}

impl Evaluator<'_> {
    fn cost_and_signs(&self, layers: &[LayerValues]) -> Result<(f64, Vec<bool>)> {
        let model = self.spec.init_with(layers, self.device);
        let dense = model.layers();
        let g = self.spec.activation;
        let cache = forward_cache(
            &dense,
            &g,
            self.x.clone(),
            &self.extras.dropout,
            &super::NotesFormulas,
        );
        let big_l = dense.len();
        let mut cost = scalar_f64(cost_from_logits(cache.z[big_l - 1].clone(), self.y.clone()))?;
        if self.extras.l2 > 0.0 {
            // λ/(2m)·Σ‖W[l]‖², summed on the host in f64.
            let squares: f64 = layers.iter().flat_map(|l| &l.w).map(|w| w * w).sum();
            cost += self.extras.l2 / (2.0 * self.x.dims()[1] as f64) * squares;
        }
        let has_kink = matches!(g.kind, ActivationKind::Relu | ActivationKind::LeakyRelu);
        let mut signs = Vec::new();
        if has_kink && self.spec.kind != ModelKind::Logistic {
            for z in &cache.z[..big_l - 1] {
                signs.extend(to_vec_f64(z.clone())?.into_iter().map(|v| v > 0.0));
            }
        }
        Ok((cost, signs))
    }
}

/// Finite-difference gradients of every parameter of `layers` ([W1, b1, W2, …]) of a model
/// of `spec`, on f64 copies of X and Y. `seed` picks the sampled coordinates of large parameters.
pub fn numeric_grads(
    spec: &ModelSpec,
    layers: &[LayerValues],
    data: &Dataset,
    fitting: &Fitting,
    device: &Device,
    seed: u32,
) -> Result<Vec<NumericGrad>> {
    let eval = Evaluator {
        spec: ModelSpec {
            dtype: DType::F64,
            ..spec.clone()
        },
        x: crate::tensor_util::matrix(data.x.clone(), data.n_x, data.m, DType::F64, device),
        y: data.y_tensor(spec.units(), DType::F64, device),
        extras: fitting.extras(data.m, DType::F64, device),
        device,
    };
    let (_, base_signs) = eval.cost_and_signs(layers)?;
    let mut rng = NumpyRng::new(seed);
    let mut out = Vec::new();
    for (l, layer) in layers.iter().enumerate() {
        for is_bias in [false, true] {
            let len = if is_bias {
                layer.b.len()
            } else {
                layer.w.len()
            };
            let sampled = len > FULL_CHECK_LIMIT;
            // Every coordinate of a small parameter; for a large one, distinct seeded draws
            // (at most 20 × SAMPLES of them) until SAMPLES usable coordinates are found.
            let coordinates: Box<dyn Iterator<Item = usize> + '_> = if sampled {
                let mut seen = std::collections::HashSet::new();
                Box::new(
                    (0..20 * SAMPLES)
                        .map(|_| (rng.uniform() * len as f64) as usize)
                        .filter(move |i| seen.insert(*i)),
                )
            } else {
                Box::new(0..len)
            };
            let wanted = if sampled { SAMPLES } else { len };
            let mut values = Vec::new();
            let mut skipped = 0;
            for index in coordinates {
                if values.len() == wanted {
                    break;
                }
                let perturbed = |delta: f64| {
                    let mut p = layers.to_vec();
                    let target = if is_bias { &mut p[l].b } else { &mut p[l].w };
                    target[index] += delta;
                    p
                };
                // The largest step whose stencil stays on one side of every kink.
                let mut estimate = None;
                'steps: for h in STEPS {
                    let mut j = [0.0; 4];
                    for (k, multiple) in [2.0, 1.0, -1.0, -2.0].into_iter().enumerate() {
                        let (cost, signs) = eval.cost_and_signs(&perturbed(multiple * h))?;
                        if signs != base_signs {
                            continue 'steps;
                        }
                        j[k] = cost;
                    }
                    estimate = Some((-j[0] + 8.0 * j[1] - 8.0 * j[2] + j[3]) / (12.0 * h));
                    break;
                }
                match estimate {
                    Some(g) => values.push((index, g)),
                    None => skipped += 1,
                }
            }
            out.push(NumericGrad {
                values,
                skipped_at_kinks: skipped,
            });
        }
    }
    Ok(out)
}
