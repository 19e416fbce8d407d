//! The fast path: the first layer's product W·X on the CPU backends (ndarray, flex), as one Burn
//! autodiff operation ([`data_product`]) whose kernels ([`kernels`]) read X and Xᵀ as stored.
//!
//! Compiled with the cargo feature `cpu-kernels` (on by default). Without it — and on wgpu and
//! cuda, for inputs narrower than [`WIDE_INPUT`], or when the command line was told
//! `SIMPLENN_CPU_KERNELS=off` (`crate::device::Compute::kernels`, handed down as `kernels`) — the
//! product is Burn's matmul, and every gradient in training is Burn autodiff's own. The gradient
//! checker compares this op's dW with the notes' formula like every other gradient, and a test
//! trains with and without it to the same cost history (docs/performance.md says what it gains).

#[cfg(any(feature = "ndarray", feature = "flex"))]
mod data_product;
pub mod kernels;

use burn::tensor::Tensor;

#[cfg(any(feature = "ndarray", feature = "flex"))]
pub use data_product::product;

/// Without a CPU backend compiled in, [`transposed`] is always None and this is never called.
#[cfg(not(any(feature = "ndarray", feature = "flex")))]
pub fn product(w: Tensor<2>, x: &Tensor<2>, _x_t: &Tensor<2>) -> Tensor<2> {
    w.matmul(x.clone())
}

use crate::device::Placement;
use crate::tensor_util::matrix;

/// Inputs narrower than this (the planar set's n_x = 2) take Burn's matmul: there the product is
/// a few hundred multiply-adds, and splitting it over threads costs more than it saves.
pub const WIDE_INPUT: usize = 256;

/// Xᵀ (m, n_x), contiguous, for X given as row-major host values (n_x rows of m) — when the fast
/// path will be taken: kernels allowed, a CPU backend and an input at least [`WIDE_INPUT`]
/// wide. It doubles the memory of X, which is why it is made only then.
pub fn transposed(values: &[f64], n_x: usize, m: usize, at: Placement) -> Option<Tensor<2>> {
    wanted(n_x, at).then(|| {
        let by_example = crate::tensor_util::transpose(values, n_x, m);
        matrix(by_example, m, n_x, at.dtype, at.device)
    })
}

/// Xᵀ (m, n_x) from the examples as rows, when the fast path will be taken (see [`transposed`]).
pub fn by_example<E: burn::tensor::Element>(
    rows: Vec<E>,
    m: usize,
    n_x: usize,
    at: Placement,
) -> Option<Tensor<2>> {
    wanted(n_x, at).then(|| matrix(rows, m, n_x, at.dtype, at.device))
}

/// Whether X of `n_x` features placed `at` takes the fast path: the kernels allowed, its device
/// a CPU backend's, and the input wide.
fn wanted(n_x: usize, at: Placement) -> bool {
    let cpu = crate::device::Backend::compiled()
        .into_iter()
        .any(|b| b.is_cpu() && b.device() == *at.device);
    at.kernels && cpu && n_x >= WIDE_INPUT
}
