//! The gradient checker: every gradient computed three ways and compared parameter by parameter.
//!
//! 1. **autodiff** — Burn's backward pass through the model's forward and the cost;
//! 2. **handwritten** — the notes' dZ / dW / db / dA formulas ([`handwritten`]), on plain tensors
//!    of the same backend;
//! 3. **numerical** — central finite differences of the cost in f64 ([`numeric`]).

pub mod compare;
pub mod handwritten;
pub mod numeric;

pub use compare::Report;
use compare::{Row, Tolerances};
pub use handwritten::{BackwardFormulas, NotesFormulas};

use burn::tensor::Device;

use crate::Result;
use crate::data::Dataset;
use crate::device::{Compute, Precision};
use crate::infer::cost_from_logits;
use crate::models::{ModelKind, ModelSpec};
use crate::nn::LayerValues;
use crate::tensor_util::{matrix, to_vec_f64};

/// A parameter's gradient on the host, in the notes' shape and row-major order, or why the
/// handwritten pass could not produce it.
struct HostGrad {
    values: std::result::Result<Vec<f64>, String>,
}

/// Whether a model is the notes' single neuron: logistic regression with one output unit, whose
/// w is a column (n_x, 1). Softmax regression (K units) is the one-layer network, W (K, n_x).
fn single_neuron(kind: ModelKind, layers: &[LayerValues]) -> bool {
    kind == ModelKind::Logistic && layers.last().is_some_and(|l| l.n_out == 1)
}

/// The notes' parameter names: `w, b` for the single neuron, `W, b` for softmax regression,
/// `W1, b1, W2, …` otherwise.
fn param_name(kind: ModelKind, neuron: bool, layer: usize, is_bias: bool) -> String {
    match (kind, neuron, is_bias) {
        (ModelKind::Logistic, true, false) => "w".into(),
        (ModelKind::Logistic, false, false) => "W".into(),
        (ModelKind::Logistic, _, true) => "b".into(),
        (_, _, false) => format!("W{}", layer + 1),
        (_, _, true) => format!("b{}", layer + 1),
    }
}

/// The notes' shape of a parameter (w is a column (n_x, 1) for the single neuron).
fn param_shape(neuron: bool, layer: &LayerValues, is_bias: bool) -> (usize, usize) {
    match (neuron, is_bias) {
        (_, true) => (layer.n_out, 1),
        (true, false) => (layer.n_in, 1),
        (false, false) => (layer.n_out, layer.n_in),
    }
}

/// What a check's cost holds beyond the cross-entropy, on the host: λ of the L2 term and one
/// set of dropout masks (D[l], p) for the hidden layers, the same for all three witnesses (as
/// training draws them: [`crate::regularize::Dropout::draw`]). The default is neither.
#[derive(Debug, Clone, Default)]
pub struct Fitting {
    pub l2: f64,
    pub dropout: Vec<(Vec<f64>, f64)>,
}

impl Fitting {
    /// The masks D[l] as tensors of `dtype` on `device`, for the handwritten pass and the
    /// finite differences.
    fn extras(&self, m: usize, dtype: burn::tensor::DType, device: &Device) -> handwritten::Extras {
        handwritten::Extras {
            l2: self.l2,
            dropout: self
                .dropout
                .iter()
                .map(|(d, keep)| {
                    (
                        matrix(d.clone(), d.len() / m.max(1), m, dtype, device),
                        *keep,
                    )
                })
                .collect(),
        }
    }
}

/// Gradients by autodiff on `compute`'s autodiff device, [W1, b1, W2, b2, …], in the spec's
/// dtype: the model's own forward (with the masks D[l]/p) and cost (with the L2 term).
fn autodiff_grads(
    spec: &ModelSpec,
    layers: &[LayerValues],
    data: &Dataset,
    fitting: &Fitting,
    compute: Compute,
) -> Result<Vec<HostGrad>> {
    let ad = compute.autodiff();
    let dtype = spec.dtype;
    let model = spec.init_with(layers, &ad);
    let masks = crate::regularize::scaled_masks(&fitting.dropout, data.m, dtype, &ad);
    let mut cost = cost_from_logits(
        model.forward_masked(&data.x_matrix(compute.place(dtype, &ad)), &masks),
        data.y_tensor(spec.units(), dtype, &ad),
    );
    if fitting.l2 > 0.0 {
        cost = cost + crate::regularize::l2_term(&model, fitting.l2, data.m);
    }
    let grads = cost.backward();
    let mut out = Vec::new();
    for layer in model.layers() {
        for p in [layer.w.val(), layer.b.val()] {
            // A parameter outside the graph has gradient 0.
            let values = match p.grad(&grads) {
                Some(t) => to_vec_f64(t)?,
                None => vec![0.0; p.dims().iter().product()],
            };
            out.push(HostGrad { values: Ok(values) });
        }
    }
    Ok(out)
}

/// Gradients by the handwritten formulas on `plain` (a plain device), [W1, b1, …] (w as the
/// notes' column), in the spec's dtype.
fn handwritten_grads(
    spec: &ModelSpec,
    layers: &[LayerValues],
    data: &Dataset,
    fitting: &Fitting,
    formulas: &dyn BackwardFormulas,
    plain: &Device,
) -> Result<Vec<HostGrad>> {
    let dtype = spec.dtype;
    let g = spec.activation;
    let model = spec.init_with(layers, plain);
    // X alone: the handwritten pass multiplies with plain matmul, so no Xᵀ copy is made.
    let x = matrix(data.x.clone(), data.n_x, data.m, dtype, plain);
    let y = data.y_tensor(spec.units(), dtype, plain);
    let per_layer: Vec<handwritten::LayerGrads> = match &model {
        crate::models::Model::Logistic(m) if spec.units() == 1 => {
            vec![handwritten::backward_logistic(
                &m.neuron, x, y, fitting.l2, formulas,
            )]
        }
        _ => {
            let extras = fitting.extras(data.m, dtype, plain);
            handwritten::backward(&model.layers(), &g, x, y, &extras, formulas)
        }
    };
    let mut out = Vec::new();
    for grads in per_layer {
        match grads {
            Ok((dw, db)) => {
                out.push(HostGrad {
                    values: Ok(to_vec_f64(dw)?),
                });
                out.push(HostGrad {
                    values: Ok(to_vec_f64(db)?),
                });
            }
            Err(e) => {
                out.push(HostGrad {
                    values: Err(e.clone()),
                });
                out.push(HostGrad { values: Err(e) });
            }
        }
    }
    Ok(out)
}

/// Run the three-way comparison for a model of `spec` with parameters `layers`, on `data` (with
/// the L2 term and dropout masks of `fitting`), on `compute`. Autodiff and the handwritten pass
/// compute in `precision`; the numerical check in f64 (where the backend has it).
// The check's inputs, then where it runs: grouping some of them would only rename them.
#[allow(clippy::too_many_arguments)]
pub fn check(
    spec: &ModelSpec,
    precision: Precision,
    layers: &[LayerValues],
    data: &Dataset,
    fitting: &Fitting,
    formulas: &dyn BackwardFormulas,
    seed: u32,
    title: String,
    compute: Compute,
) -> Result<Report> {
    let kind = spec.kind;
    let neuron = single_neuron(kind, layers);
    let in_precision = ModelSpec {
        dtype: precision.dtype(),
        ..spec.clone()
    };
    let tolerances = Tolerances::for_precision(precision);
    let mut notes = Vec::new();
    let plain = compute.device();
    let auto = autodiff_grads(&in_precision, layers, data, fitting, compute)?;
    let hand = handwritten_grads(&in_precision, layers, data, fitting, formulas, &plain)?;

    let f64_ok = compute.backend.supports_f64();
    let numeric = if f64_ok {
        let auto64 = if precision == Precision::F64 {
            None
        } else {
            let f64_spec = ModelSpec {
                dtype: Precision::F64.dtype(),
                ..spec.clone()
            };
            Some(autodiff_grads(&f64_spec, layers, data, fitting, compute)?)
        };
        let num = numeric::numeric_grads(spec, layers, data, fitting, &plain, seed)?;
        Some((auto64, num))
    } else {
        notes.push(format!(
            "the {} backend has no f64; the numerical check (which needs f64) was not run — run it on a CPU backend (--backend ndarray or flex)",
            compute.backend.name()
        ));
        None
    };

    let mut rows = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        for (k, is_bias) in [false, true].into_iter().enumerate() {
            let idx = 2 * i + k;
            let a = auto[idx]
                .values
                .as_ref()
                .map_err(|e| crate::Error::Internal(e.clone()))?;
            let shape = param_shape(neuron, layer, is_bias);
            let (hand_max_abs, hand_relative) = match &hand[idx].values {
                Ok(h) if h.len() == a.len() => {
                    (compare::max_abs_diff(a, h), compare::relative_error(a, h))
                }
                Ok(h) => {
                    notes.push(format!(
                        "{}: the handwritten gradient has {} entries, autodiff's {}",
                        param_name(kind, neuron, i, is_bias),
                        h.len(),
                        a.len()
                    ));
                    (f64::INFINITY, f64::INFINITY)
                }
                Err(e) => {
                    if !is_bias {
                        notes.push(format!("layer {}: the handwritten pass failed: {e}", i + 1));
                    }
                    (f64::INFINITY, f64::INFINITY)
                }
            };
            let numeric_row = numeric.as_ref().map(|(auto64, num)| {
                let reference = match auto64.as_ref().map(|v| v[idx].values.as_ref()) {
                    Some(Ok(v)) => v,
                    _ => a,
                };
                let grad = &num[idx];
                let at: Vec<f64> = grad.values.iter().map(|&(j, _)| reference[j]).collect();
                let est: Vec<f64> = grad.values.iter().map(|&(_, v)| v).collect();
                compare::NumericRow {
                    max_abs: compare::max_abs_diff(&at, &est),
                    relative: compare::relative_error(&at, &est),
                    checked: est.len(),
                    skipped_at_kinks: grad.skipped_at_kinks,
                    sampled: reference.len() > numeric::FULL_CHECK_LIMIT,
                }
            });
            let passed = tolerances.handwritten_ok(hand_relative, hand_max_abs)
                && numeric_row
                    .as_ref()
                    .is_none_or(|n| n.relative <= tolerances.numerical);
            rows.push(Row {
                name: param_name(kind, neuron, i, is_bias),
                shape,
                hand_max_abs,
                hand_relative,
                numeric: numeric_row,
                passed,
            });
        }
    }
    let skipped: usize = rows
        .iter()
        .filter_map(|r| r.numeric.as_ref())
        .map(|n| n.skipped_at_kinks)
        .sum();
    if skipped > 0 {
        notes.push(format!("{skipped} coordinate(s) skipped by the numerical check: even with h = 1e-5 their stencil crossed a ReLU kink (−Nk in the coords column)"));
    }
    Ok(Report {
        title,
        precision,
        tolerances,
        rows,
        notes,
    })
}
