//! The checker passes on correct gradients for every model and hidden activation — and fails,
//! on the right parameter, when it is fed the wrong formulas.

#[macro_use]
mod common;

use burn::tensor::Tensor;
use simplenn::data::{Dataset, planar, spiral};
use simplenn::device::{Backend, Precision};
use simplenn::gradcheck::{self, BackwardFormulas, Fitting, NotesFormulas, Report};
use simplenn::models::{ModelKind, ModelSpec};
use simplenn::nn::init::draw_layers;
use simplenn::nn::{Activation, ActivationKind, InitScheme, LayerValues};

/// A small data set with n_x features for a model with `units` output units: two classes (the
/// flower) for one unit, K classes (K spiral arms) for K; the two coordinates are padded with
/// products.
fn data_for(n_x: usize, units: usize) -> Dataset {
    let f = match units {
        1 => planar::flower(60, 0.2, 3),
        k => spiral::arms(k, 20, 0.2, 3),
    };
    let mut x = Vec::with_capacity(n_x * f.m);
    for feature in 0..n_x {
        for i in 0..f.m {
            let (a, b) = (f.x[i], f.x[f.m + i]);
            x.push(match feature % 3 {
                0 => a / 4.0,
                1 => b / 4.0,
                _ => a * b / 16.0 + 0.1 * feature as f64,
            });
        }
    }
    Dataset {
        n_x,
        m: f.m,
        x,
        y: f.y,
    }
}

/// The two-class set with n_x features.
fn data(n_x: usize) -> Dataset {
    data_for(n_x, 1)
}

/// Layer sizes of a model of `kind` with `units` output units.
fn sizes_for(kind: ModelKind, units: usize) -> Vec<usize> {
    match kind {
        ModelKind::Logistic => vec![4, units],
        ModelKind::Shallow => vec![4, 5, units],
        ModelKind::Deep => vec![4, 6, 5, 3, units],
    }
}

/// Parameters after `steps` of plain gradient descent using the *autodiff* trainer on `backend`.
fn trained(kind: ModelKind, g: Activation, steps: usize, backend: Backend) -> Vec<LayerValues> {
    trained_for(kind, 1, g, steps, backend)
}

/// The same for a model with `units` output units, on its data ([`data_for`]).
fn trained_for(
    kind: ModelKind,
    units: usize,
    g: Activation,
    steps: usize,
    backend: Backend,
) -> Vec<LayerValues> {
    let layers = draw_layers(&sizes_for(kind, units), InitScheme::He, 0.01, 5);
    if steps == 0 {
        return layers;
    }
    let d = data_for(4, units);
    let compute = common::compute(backend);
    let ad = compute.autodiff();
    let dt = common::best_precision("gradcheck training steps", backend).dtype();
    let model = ModelSpec::of_layers(kind, &layers, g, dt).init_with(&layers, &ad);
    let schedule = simplenn::train::Schedule {
        learning_rate: 0.5,
        epochs: steps,
        log_every: steps,
        start: Default::default(),
    };
    let (x, y) = (
        d.x_matrix(compute.place(dt, &ad)),
        d.y_tensor(units, dt, &ad),
    );
    let out = simplenn::train::train(
        model,
        &simplenn::train::Feed::Full { x: &x, y: &y },
        &mut simplenn::optim::Updater::gd(),
        schedule,
        &mut simplenn::train::Fitting::plain(0.5),
        &mut simplenn::train::Silent,
        compute,
    )
    .unwrap();
    out.model.layer_values().unwrap()
}

fn run(
    kind: ModelKind,
    g: Activation,
    layers: &[LayerValues],
    f: &dyn BackwardFormulas,
    p: Precision,
    backend: Backend,
) -> Report {
    run_with(kind, g, layers, &Fitting::default(), f, p, backend)
}

/// The check with the L2 term and dropout masks of `fitting`.
fn run_with(
    kind: ModelKind,
    g: Activation,
    layers: &[LayerValues],
    fitting: &Fitting,
    f: &dyn BackwardFormulas,
    p: Precision,
    backend: Backend,
) -> Report {
    let spec = ModelSpec::of_layers(kind, layers, g, p.dtype());
    let report = gradcheck::check(
        &spec,
        p,
        layers,
        &data_for(4, spec.units()),
        fitting,
        f,
        1,
        format!("{kind:?} {:?}", g.kind),
        common::compute(backend),
    )
    .unwrap();
    println!("{report}");
    report
}

per_backend!(fn all_models_and_activations_pass_before_and_after_training(backend) {
    every_model_and_activation_passes(1, backend);
});

// Softmax over K = 3 classes: the same three witnesses, the handwritten pass through the notes'
// softmax and dZ[L] = A[L] − Y with Y one-hot.
per_backend!(fn softmax_passes_for_every_model_and_activation(backend) {
    every_model_and_activation_passes(3, backend);
});

fn every_model_and_activation_passes(units: usize, backend: Backend) {
    let p = common::best_precision("all_models_and_activations_pass", backend);
    for kind in [ModelKind::Logistic, ModelKind::Shallow, ModelKind::Deep] {
        let activations: &[ActivationKind] = if kind == ModelKind::Logistic {
            &[ActivationKind::Sigmoid]
        } else {
            &ActivationKind::ALL
        };
        for &a in activations {
            let g = Activation::new(a, 0.05);
            for steps in [0, 7] {
                let layers = trained_for(kind, units, g, steps, backend);
                let report = run(kind, g, &layers, &NotesFormulas, p, backend);
                assert!(
                    report.passed(),
                    "{kind:?}/{a:?}, {units} output unit(s), after {steps} steps:\n{report}"
                );
                // Every parameter was checked numerically, at (almost) every coordinate.
                if backend.supports_f64() {
                    for row in &report.rows {
                        let n = row
                            .numeric
                            .as_ref()
                            .expect("f64 backends run the numerical check");
                        assert!(n.checked > 0, "{row:?}");
                        // (in f32, `passed` above already applied the f32 tolerance)
                        assert!(p == Precision::F32 || row.hand_relative <= 1e-10, "{row:?}");
                    }
                } else {
                    assert!(report.rows.iter().all(|r| r.numeric.is_none()));
                    assert!(report.to_string().contains("has no f64"), "{report}");
                }
            }
        }
    }
}

per_backend!(fn f32_handwritten_agrees_within_its_tolerance(backend) {
    let g = Activation::new(ActivationKind::Tanh, 0.01);
    let report = run(
        ModelKind::Shallow,
        g,
        &trained(ModelKind::Shallow, g, 3, backend),
        &NotesFormulas,
        Precision::F32,
        backend,
    );
    assert!(report.passed(), "{report}");
    assert!(
        report
            .rows
            .iter()
            .all(|r| r.hand_relative <= 1e-4 || r.hand_max_abs <= 1e-6)
    );
    // At the 0.01-scaled start the output bias gradient is ~1e-5: f32 rounding of the mean of
    // A − Y dominates its relative error, and the absolute floor is what lets it pass.
    let start = run(
        ModelKind::Shallow,
        g,
        &trained(ModelKind::Shallow, g, 0, backend),
        &NotesFormulas,
        Precision::F32,
        backend,
    );
    assert!(start.passed(), "{start}");
});

/// The notes' misprint: dZ[1] = W[2]ᵀdZ[2] ∘ (1 − A[1])² instead of (1 − A[1]²).
struct MisprintedTanh;
impl BackwardFormulas for MisprintedTanh {
    fn dz_hidden(&self, da: Tensor<2>, _g: &Activation, _z: Tensor<2>, a: Tensor<2>) -> Tensor<2> {
        da * (a.ones_like() - a).square()
    }
}

/// dW without the 1/m.
struct MissingOneOverM;
impl BackwardFormulas for MissingOneOverM {
    fn dw(&self, dz: Tensor<2>, a_prev: Tensor<2>, _m: usize) -> Tensor<2> {
        dz.matmul(a_prev.transpose())
    }
}

/// dA[l−1] = W[l] · dZ[l] (the transpose forgotten; shapes only allow it for square W).
struct MissingTranspose;
impl BackwardFormulas for MissingTranspose {
    fn da_prev(&self, w: Tensor<2>, dz: Tensor<2>) -> Tensor<2> {
        w.matmul(dz)
    }
}

/// dA[l−1] = W[l] · dZ[l] where W[l] is square (there the shapes do not catch the forgotten
/// transpose), the right W[l]ᵀ · dZ[l] elsewhere.
struct MissingTransposeOnSquare;
impl BackwardFormulas for MissingTransposeOnSquare {
    fn da_prev(&self, w: Tensor<2>, dz: Tensor<2>) -> Tensor<2> {
        let [rows, cols] = w.dims();
        if rows == cols {
            w.matmul(dz)
        } else {
            w.transpose().matmul(dz)
        }
    }
}

/// ReLU′ = 1 everywhere.
struct ReluSlopeOne;
impl BackwardFormulas for ReluSlopeOne {
    fn dz_hidden(&self, da: Tensor<2>, _g: &Activation, _z: Tensor<2>, _a: Tensor<2>) -> Tensor<2> {
        da
    }
}

/// Softmax taken over the wrong axis: each class's row normalised across the examples instead
/// of each example's column across the classes.
struct SoftmaxOverExamples;
impl BackwardFormulas for SoftmaxOverExamples {
    fn softmax(&self, z: Tensor<2>) -> Tensor<2> {
        let e = (z.clone() - z.max_dim(1)).exp();
        e.clone() / e.sum_dim(1)
    }
}

/// dZ[L] = A[L] − y with the class numbers y (1, m) instead of the one-hot Y (K, m): the labels
/// broadcast down every row.
struct LabelsInsteadOfOneHot;
impl BackwardFormulas for LabelsInsteadOfOneHot {
    fn dz_softmax(&self, a_out: Tensor<2>, y_one_hot: Tensor<2>) -> Tensor<2> {
        let labels = y_one_hot.argmax(0).float();
        a_out - labels
    }
}

per_backend!(fn softmax_mutations_fail_on_the_output_layer(backend) {
    let g = Activation::new(ActivationKind::Tanh, 0.01);
    let layers = trained_for(ModelKind::Shallow, 3, g, 5, backend);
    let p = common::best_precision("wrong-formula test", backend);
    for (name, f) in [
        ("softmax over the examples", &SoftmaxOverExamples as &dyn BackwardFormulas),
        ("labels instead of one-hot", &LabelsInsteadOfOneHot),
    ] {
        let report = run(ModelKind::Shallow, g, &layers, f, p, backend);
        // dZ[L] feeds every gradient: the output layer's and, through dA, the hidden layer's.
        assert_eq!(failed(&report), ["W1", "b1", "W2", "b2"], "{name}:\n{report}");
    }
    // Softmax regression (one layer) catches them too.
    let layers = trained_for(ModelKind::Logistic, 3, g, 5, backend);
    for f in [&SoftmaxOverExamples as &dyn BackwardFormulas, &LabelsInsteadOfOneHot] {
        let report = run(ModelKind::Logistic, Activation::sigmoid(), &layers, f, p, backend);
        assert_eq!(failed(&report), ["W", "b"], "{report}");
    }
});

fn failed(report: &Report) -> Vec<String> {
    report.failed_params()
}

per_backend!(fn misprinted_tanh_derivative_fails_on_the_hidden_layer(backend) {
    let g = Activation::new(ActivationKind::Tanh, 0.01);
    let report = run(
        ModelKind::Shallow,
        g,
        &trained(ModelKind::Shallow, g, 5, backend),
        &MisprintedTanh,
        common::best_precision("wrong-formula test", backend),
        backend,
    );
    assert!(!report.passed());
    // Only the hidden layer's gradients go through g′; the output layer's stay right.
    assert_eq!(failed(&report), ["W1", "b1"], "{report}");
    assert!(report.to_string().contains("verdict: FAIL"));
});

per_backend!(fn missing_one_over_m_fails_on_every_weight(backend) {
    let g = Activation::new(ActivationKind::Relu, 0.01);
    let report = run(
        ModelKind::Deep,
        g,
        &trained(ModelKind::Deep, g, 3, backend),
        &MissingOneOverM,
        common::best_precision("wrong-formula test", backend),
        backend,
    );
    assert_eq!(failed(&report), ["W1", "W2", "W3", "W4"], "{report}");
    let logistic = run(
        ModelKind::Logistic,
        Activation::sigmoid(),
        &trained(ModelKind::Logistic, Activation::sigmoid(), 3, backend),
        &MissingOneOverM,
        common::best_precision("wrong-formula test", backend),
        backend,
    );
    // Logistic regression has its own dw formula (1/m·X·dZᵀ): untouched by this fault.
    assert!(logistic.passed(), "{logistic}");
});

per_backend!(fn missing_transpose_fails_below_the_output_layer(backend) {
    let g = Activation::new(ActivationKind::Tanh, 0.01);
    let layers = draw_layers(&[4, 3, 3, 1], InitScheme::He, 0.01, 11);
    let report = run(
        ModelKind::Deep,
        g,
        &layers,
        &MissingTranspose,
        common::best_precision("wrong-formula test", backend),
        backend,
    );
    // dA[2] = W[3]·dZ[3] multiplies (1, 3) by (1, m): a shape error, reported (not a crash) as
    // a failure of every layer below; the output layer's own gradients are still right.
    assert_eq!(failed(&report), ["W1", "b1", "W2", "b2"], "{report}");
    assert!(report.row("W3").unwrap().passed, "{report}");
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("handwritten pass failed")),
        "{report}"
    );

    // Where W is square (W[2] is 3×3) the shapes allow W·dZ: the values must give it away. dA[1]
    // is wrong, so W[1] and b[1] fail; W[2] and above only use dZ[2], which is right.
    let report = run(
        ModelKind::Deep,
        g,
        &layers,
        &MissingTransposeOnSquare,
        common::best_precision("wrong-formula test", backend),
        backend,
    );
    assert_eq!(failed(&report), ["W1", "b1"], "{report}");
    assert!(
        !report
            .notes
            .iter()
            .any(|n| n.contains("handwritten pass failed")),
        "a value error, not a shape error: {report}"
    );
});

/// The logistic-regression gradient in closed form, in plain Rust on the host:
/// dw = 1/m · X (A − Y)ᵀ, db = 1/m · Σ (A − Y), with A = σ(wᵀX + b).
fn logistic_gradient(w: &[f64], b: f64, d: &Dataset) -> (Vec<f64>, f64) {
    let (n_x, m) = (d.n_x, d.m);
    let residual: Vec<f64> = (0..m)
        .map(|i| {
            let z = b + (0..n_x).map(|j| w[j] * d.x[j * m + i]).sum::<f64>();
            1.0 / (1.0 + (-z).exp()) - d.y[i]
        })
        .collect();
    let dw = (0..n_x)
        .map(|j| (0..m).map(|i| d.x[j * m + i] * residual[i]).sum::<f64>() / m as f64)
        .collect();
    (dw, residual.iter().sum::<f64>() / m as f64)
}

per_backend!(cpu fn finite_differences_equal_the_closed_form_logistic_gradient(backend) {
    // 4 weights (every coordinate checked) and 6000 (over FULL_CHECK_LIMIT: sampled).
    for n_x in [4, 6000] {
        assert_eq!(n_x > gradcheck::numeric::FULL_CHECK_LIMIT, n_x == 6000);
        // Bounded features and weights scaled by 1/√n_x keep Z of order 1, so J and its
        // differences stay well inside f64's precision at any width.
        let labels = data(1).y;
        let m = labels.len();
        let d = Dataset {
            n_x,
            m,
            x: (0..n_x * m)
                .map(|k| 0.5 * ((k / m) as f64 * 0.7 + (k % m) as f64 * 1.3).sin())
                .collect(),
            y: labels,
        };
        let scale = 1.0 / (n_x as f64).sqrt();
        let w: Vec<f64> = (0..n_x)
            .map(|j| scale * ((j * 7 % 11) as f64 / 11.0 - 0.5))
            .collect();
        let b = 0.1;
        let layer = LayerValues {
            n_out: 1,
            n_in: n_x,
            w: w.clone(),
            b: vec![b],
        };
        let layers = [layer];
        let spec = ModelSpec::of_layers(
            ModelKind::Logistic,
            &layers,
            Activation::sigmoid(),
            Precision::F64.dtype(),
        );
        let numeric = gradcheck::numeric::numeric_grads(
            &spec,
            &layers,
            &d,
            &Fitting::default(),
            &backend.device(),
            7,
        )
        .unwrap();
        let (dw, db) = logistic_gradient(&w, b, &d);
        let (w_fd, b_fd) = (&numeric[0], &numeric[1]);
        let expected_w = if n_x > gradcheck::numeric::FULL_CHECK_LIMIT {
            gradcheck::numeric::SAMPLES
        } else {
            n_x
        };
        assert_eq!(w_fd.values.len(), expected_w);
        // Five-point differences in f64: truncation and cancellation errors ~1e-13.
        let close = |got: f64, want: f64| (got - want).abs() <= 1e-9 * want.abs().max(1e-3);
        for &(j, g) in &w_fd.values {
            assert!(close(g, dw[j]), "n_x {n_x}, dw[{j}]: finite differences {g}, closed form {}", dw[j]);
        }
        assert!(close(b_fd.values[0].1, db), "db: {} vs {db}", b_fd.values[0].1);
        // …and the witness would catch a gradient that forgot the 1/m.
        let m = d.m as f64;
        assert!(w_fd.values.iter().any(|&(j, g)| !close(g, dw[j] * m)));
    }
});

per_backend!(fn relu_derivative_of_one_fails(backend) {
    let g = Activation::new(ActivationKind::Relu, 0.01);
    let report = run(
        ModelKind::Shallow,
        g,
        &trained(ModelKind::Shallow, g, 5, backend),
        &ReluSlopeOne,
        common::best_precision("wrong-formula test", backend),
        backend,
    );
    assert_eq!(failed(&report), ["W1", "b1"], "{report}");
});

/// The masks training would draw for the hidden layers of `layers` on the check's data: the
/// first step's, with keep probability 0.8 (0.6 for a second hidden layer).
fn dropout_masks(layers: &[LayerValues], m: usize) -> Vec<(Vec<f64>, f64)> {
    let hidden: Vec<usize> = layers[..layers.len() - 1].iter().map(|l| l.n_out).collect();
    let keep = [0.8, 0.6, 0.8, 0.6][..hidden.len()].to_vec();
    simplenn::regularize::Dropout { keep, seed: 3 }.draw(&hidden, m, 0, 0)
}

// L2 and dropout in all three witnesses: autodiff differentiates the model's own cost (with the
// L2 term, through the masked forward), the handwritten pass adds λ/m·W and masks dA, and the
// finite differences perturb the same J, for every hidden activation, two and three classes.
per_backend!(fn l2_and_dropout_pass_for_every_model_and_activation(backend) {
    let p = common::best_precision("l2 and dropout gradient check", backend);
    for units in [1, 3] {
        for kind in [ModelKind::Logistic, ModelKind::Shallow, ModelKind::Deep] {
            let activations: &[ActivationKind] = if kind == ModelKind::Logistic {
                &[ActivationKind::Sigmoid]
            } else {
                &ActivationKind::ALL
            };
            for &a in activations {
                let g = Activation::new(a, 0.05);
                let layers = trained_for(kind, units, g, 5, backend);
                let m = data_for(4, units).m;
                let with_dropout = kind != ModelKind::Logistic;
                let fittings = [
                    Fitting { l2: 0.7, dropout: Vec::new() },
                    Fitting {
                        l2: 0.0,
                        dropout: if with_dropout { dropout_masks(&layers, m) } else { Vec::new() },
                    },
                    Fitting {
                        l2: 0.3,
                        dropout: if with_dropout { dropout_masks(&layers, m) } else { Vec::new() },
                    },
                ];
                for fitting in &fittings {
                    let report = run_with(kind, g, &layers, fitting, &NotesFormulas, p, backend);
                    assert!(
                        report.passed(),
                        "{kind:?}/{a:?}, {units} unit(s), λ = {}, {} mask(s):\n{report}",
                        fitting.l2,
                        fitting.dropout.len()
                    );
                }
            }
        }
    }
});

/// The L2 term's gradient without its 1/m: λ·W.
struct L2WithoutOneOverM;
impl BackwardFormulas for L2WithoutOneOverM {
    fn dw_l2(&self, w: Tensor<2>, lambda: f64, _m: usize) -> Tensor<2> {
        w.mul_scalar(lambda)
    }
}

/// Dropout's backward without the division by p: dA·D.
struct MaskNotDividedByP;
impl BackwardFormulas for MaskNotDividedByP {
    fn da_dropout(&self, da: Tensor<2>, d: Tensor<2>, _keep: f64) -> Tensor<2> {
        da * d
    }
}

per_backend!(fn l2_and_dropout_mutations_fail_where_they_act(backend) {
    let g = Activation::new(ActivationKind::Tanh, 0.01);
    let p = common::best_precision("wrong-formula test", backend);
    let layers = trained_for(ModelKind::Deep, 1, g, 5, backend);
    let m = data_for(4, 1).m;
    // λ·W instead of λ/m·W: every weight is wrong, no bias is (biases are not regularized).
    let l2 = Fitting { l2: 0.7, dropout: Vec::new() };
    let report = run_with(ModelKind::Deep, g, &layers, &l2, &L2WithoutOneOverM, p, backend);
    assert_eq!(failed(&report), ["W1", "W2", "W3", "W4"], "{report}");
    // Without the L2 term the same formulas are right: the checker is not failing at random.
    let plain = run_with(ModelKind::Deep, g, &layers, &Fitting::default(), &L2WithoutOneOverM, p, backend);
    assert!(plain.passed(), "{plain}");
    // dA·D without /p: the layers below the first masked activation are wrong, the output
    // layer's are not.
    let dropout = Fitting { l2: 0.0, dropout: dropout_masks(&layers, m) };
    let report = run_with(ModelKind::Deep, g, &layers, &dropout, &MaskNotDividedByP, p, backend);
    assert_eq!(failed(&report), ["W1", "b1", "W2", "b2", "W3", "b3"], "{report}");
});
