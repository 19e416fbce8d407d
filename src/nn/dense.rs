//! The dense layer every model is built from, in the notes' shapes:
//! W[l] is (n[l], n[l−1]), b[l] is (n[l], 1), A[l−1] is (n[l−1], m).

use burn::module::{Module, Param};
use burn::tensor::{DType, Device, Tensor};

use crate::nn::DataMatrix;
use crate::tensor_util::matrix;

#[derive(Module, Debug)]
pub struct Dense {
    pub w: Param<Tensor<2>>,
    pub b: Param<Tensor<2>>,
}

impl Dense {
    /// A layer from host values (row-major W of shape (n_out, n_in), b of length n_out).
    pub fn from_values(
        n_out: usize,
        n_in: usize,
        w: Vec<f64>,
        b: Vec<f64>,
        dtype: DType,
        device: &Device,
    ) -> Self {
        assert_eq!(w.len(), n_out * n_in, "W values do not match its shape");
        assert_eq!(b.len(), n_out, "b values do not match its shape");
        Dense {
            w: Param::from_tensor(matrix(w, n_out, n_in, dtype, device)),
            b: Param::from_tensor(matrix(b, n_out, 1, dtype, device)),
        }
    }

    /// Z[l] = W[l] · A[l−1] + b[l]   (b broadcast over the m columns)
    pub fn forward(&self, a_prev: Tensor<2>) -> Tensor<2> {
        self.w.val().matmul(a_prev) + self.b.val()
    }

    /// The same for the first layer, whose input A[0] is the data matrix X.
    pub fn forward_data(&self, x: &DataMatrix) -> Tensor<2> {
        x.times(self.w.val()) + self.b.val()
    }

    /// (n[l], n[l−1])
    pub fn shape(&self) -> (usize, usize) {
        let [n_out, n_in] = self.w.val().dims();
        (n_out, n_in)
    }
}
