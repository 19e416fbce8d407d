//! Activations and their derivatives against values worked out by hand.

#[macro_use]
mod common;

use burn::tensor::Tensor;
use simplenn::device::{Backend, Precision};
use simplenn::nn::{Activation, ActivationKind};
use simplenn::tensor_util::{matrix, to_vec_f64};

fn z(backend: Backend) -> Tensor<2> {
    matrix(
        vec![-2.0, -0.5, 0.0, 0.5, 2.0],
        1,
        5,
        common::best_precision("activation values", backend).dtype(),
        &backend.device(),
    )
}

fn check(kind: ActivationKind, forward: [f64; 5], derivative: [f64; 5], backend: Backend) {
    // Exact to f64 rounding; to f32 rounding (values are O(1)) on a backend without f64.
    let f64 = common::best_precision("activation values", backend) == Precision::F64;
    let tol = if f64 { 1e-12 } else { 1e-6 };
    let g = Activation::new(kind, 0.1);
    let a = g.forward(z(backend));
    let got = to_vec_f64(a.clone()).unwrap();
    let d = to_vec_f64(g.derivative(z(backend), a)).unwrap();
    for i in 0..5 {
        assert!(
            (got[i] - forward[i]).abs() < tol,
            "{kind:?} g at {i}: {} vs {}",
            got[i],
            forward[i]
        );
        assert!(
            (d[i] - derivative[i]).abs() < tol,
            "{kind:?} g' at {i}: {} vs {}",
            d[i],
            derivative[i]
        );
    }
}

per_backend!(fn sigmoid_and_derivative(backend) {
    // σ(z) = 1/(1+e^-z); σ' = σ(1-σ); σ(0) = 0.5, σ'(0) = 0.25
    let s = |z: f64| 1.0 / (1.0 + (-z).exp());
    let f = [s(-2.0), s(-0.5), 0.5, s(0.5), s(2.0)];
    let d = f.map(|a| a * (1.0 - a));
    assert!((d[2] - 0.25).abs() < 1e-15);
    check(ActivationKind::Sigmoid, f, d, backend);
});

per_backend!(fn tanh_and_derivative(backend) {
    // tanh(0.5) = 0.46211715726000974, tanh' = 1 - tanh² (0.7864477329659274 at 0.5)
    let f = [
        -0.9640275800758169,
        -0.46211715726000974,
        0.0,
        0.46211715726000974,
        0.9640275800758169,
    ];
    let d = [
        0.07065082485316443,
        0.7864477329659274,
        1.0,
        0.7864477329659274,
        0.07065082485316443,
    ];
    check(ActivationKind::Tanh, f, d, backend);
});

per_backend!(fn relu_and_derivative(backend) {
    // The derivative at the kink z = 0 is taken as 0.
    check(
        ActivationKind::Relu,
        [0.0, 0.0, 0.0, 0.5, 2.0],
        [0.0, 0.0, 0.0, 1.0, 1.0],
        backend,
    );
});

per_backend!(fn leaky_relu_and_derivative(backend) {
    // slope 0.1 for z < 0 (and at the kink)
    check(
        ActivationKind::LeakyRelu,
        [-0.2, -0.05, 0.0, 0.5, 2.0],
        [0.1, 0.1, 0.1, 1.0, 1.0],
        backend,
    );
});
