//! The data matrix X (n_x, m), one column per example as in the notes: the input A[0] of the
//! first layer, whose product W[1]·X is the one place the fast path (`crate::fast`) can step in.

use burn::tensor::Tensor;

use crate::device::Placement;
use crate::tensor_util::matrix;

#[derive(Debug, Clone)]
pub struct DataMatrix {
    x: Tensor<2>,
    /// Xᵀ for the fast path's kernels, where they will be used.
    #[cfg(feature = "cpu-kernels")]
    x_t: Option<Tensor<2>>,
}

impl DataMatrix {
    /// From row-major host values of X (n_x rows of m values), placed `at` (the fast path's own
    /// kernels serve it where `at` allows them and they apply: a CPU backend, a wide input).
    pub fn new(values: Vec<f64>, n_x: usize, m: usize, at: Placement) -> Self {
        DataMatrix {
            #[cfg(feature = "cpu-kernels")]
            x_t: crate::fast::transposed(&values, n_x, m, at),
            x: matrix(values, n_x, m, at.dtype, at.device),
        }
    }

    /// From the examples as rows: row-major Xᵀ (m rows of n_x values), as a mini-batch is cut
    /// (in the training's float type: nothing to convert).
    pub fn from_rows<E: burn::tensor::Element + Default>(
        rows: Vec<E>,
        m: usize,
        n_x: usize,
        at: Placement,
    ) -> Self {
        let x_values = crate::tensor_util::transpose(&rows, m, n_x);
        DataMatrix {
            #[cfg(feature = "cpu-kernels")]
            x_t: crate::fast::by_example(rows, m, n_x, at),
            x: matrix(x_values, n_x, m, at.dtype, at.device),
        }
    }

    /// X (n_x, m).
    pub fn x(&self) -> Tensor<2> {
        self.x.clone()
    }

    /// Whether [`DataMatrix::times`] takes the fast path for this matrix.
    pub fn takes_fast_path(&self) -> bool {
        #[cfg(feature = "cpu-kernels")]
        return self.x_t.is_some();
        #[cfg(not(feature = "cpu-kernels"))]
        false
    }

    /// W·X, differentiable in W.
    pub fn times(&self, w: Tensor<2>) -> Tensor<2> {
        #[cfg(feature = "cpu-kernels")]
        if let Some(x_t) = &self.x_t {
            return crate::fast::product(w, &self.x, x_t);
        }
        w.matmul(self.x())
    }
}
