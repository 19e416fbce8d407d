//! Z = W·X for the data matrix X, as one Burn autodiff operation with its own kernels.
//!
//! X (n_x, m) is the input of the first layer and never needs a gradient, so autodiff only ever
//! asks this product for dW = dZ·Xᵀ. Burn's generic matmul backward gets Xᵀ by transposing the
//! tensor it saw in the forward pass; Burn's CPU backends then multiply a transposed view, which
//! burn-ndarray copies (n_x × m values, every iteration) and the gemm crate behind flex walks
//! with long strides on one thread. Here X is held twice, as X (n_x, m) and as Xᵀ (m, n_x), both
//! contiguous, and both products run in `kernels.rs`: Z = W·X as dot products with Xᵀ's rows (or,
//! for a single unit, as a sum of X's scaled rows), dW = dZ·Xᵀ as dot products with X's rows.

// Burn 0.22 marks its ndarray backend deprecated in favour of flex; it is still this crate's
// default (README, Backends), and the extension macro names it in code it generates here.
#![allow(deprecated)]

use burn::tensor::Tensor;

mod cpu {
    use burn::backend::autodiff::checkpoint::base::Checkpointer;
    use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
    use burn::backend::autodiff::grads::Gradients;
    use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
    use burn::backend::ops::FloatTensorOps;
    use burn::backend::{
        Autodiff, AutodiffBackend, Backend, backend_extension, tensor::FloatTensor,
    };

    use crate::fast::kernels;

    /// The two products this module provides, per backend.
    #[backend_extension(NdArray: cfg(feature = "ndarray"), Flex: cfg(feature = "flex"), Autodiff)]
    pub trait DataProduct: Backend {
        /// W·X, given X (n_x, m) and the same values as Xᵀ (m, n_x).
        fn data_product(
            w: FloatTensor<Self>,
            x: FloatTensor<Self>,
            x_t: FloatTensor<Self>,
        ) -> FloatTensor<Self> {
            let _ = x_t;
            Self::float_matmul(w, x)
        }

        /// dZ·Xᵀ, given X (n_x, m) and the same values as Xᵀ (m, n_x).
        fn data_product_transposed(
            dz: FloatTensor<Self>,
            x: FloatTensor<Self>,
            x_t: FloatTensor<Self>,
        ) -> FloatTensor<Self> {
            let _ = x;
            Self::float_matmul(dz, x_t)
        }
    }

    /// Which of the two products.
    #[derive(Clone, Copy)]
    enum Which {
        /// Z = W·X
        Forward,
        /// dW = dZ·Xᵀ
        Backward,
    }

    /// Layers of at least this many units take Z = W·X as dot products over Xᵀ's rows (compute
    /// bound: each value of X meets every row of W); a single unit (logistic regression) takes
    /// it as a sum of X's rows scaled by w. That product is bound by reading the data, and
    /// reading X in both passes keeps one copy of it in the cache instead of two
    /// (docs/performance.md).
    const DOTS_FROM: usize = 2;

    /// One product on host slices: `lhs` is W or dZ, `x` is X (n_x, m), `x_t` is Xᵀ.
    fn host_product<T: kernels::Kernel>(
        which: Which,
        lhs: &[T],
        x: &[T],
        x_t: &[T],
        [n_x, m]: [usize; 2],
    ) -> (Vec<T>, [usize; 2]) {
        match which {
            Which::Forward => {
                let n1 = lhs.len() / n_x;
                let z = if n1 >= DOTS_FROM {
                    kernels::a_bt(lhs, x_t, n1, m, n_x) // W·(Xᵀ)ᵀ
                } else {
                    kernels::a_b(lhs, x, n1, n_x, m)
                };
                (z, [n1, m])
            }
            Which::Backward => {
                let n1 = lhs.len() / m;
                (kernels::a_bt(lhs, x, n1, n_x, m), [n1, n_x]) // dZ·(X)ᵀ
            }
        }
    }

    /// `impl DataProduct` for a CPU backend whose `$run` computes a product on host memory, or
    /// returns None (a non-contiguous or non-float tensor) for Burn's matmul to do it.
    macro_rules! kernel_backed {
        ($backend:ty, $run:ident) => {
            impl DataProduct for $backend {
                fn data_product(
                    w: FloatTensor<Self>,
                    x: FloatTensor<Self>,
                    x_t: FloatTensor<Self>,
                ) -> FloatTensor<Self> {
                    $run(Which::Forward, &w, &x, &x_t).unwrap_or_else(|| Self::float_matmul(w, x))
                }

                fn data_product_transposed(
                    dz: FloatTensor<Self>,
                    x: FloatTensor<Self>,
                    x_t: FloatTensor<Self>,
                ) -> FloatTensor<Self> {
                    $run(Which::Backward, &dz, &x, &x_t)
                        .unwrap_or_else(|| Self::float_matmul(dz, x_t))
                }
            }
        };
    }

    /// burn-ndarray: the kernels on the arrays' memory, when both are contiguous f32 or f64 (always,
    /// for the tensors simplenn makes); anything else takes Burn's matmul.
    #[cfg(feature = "ndarray")]
    mod ndarray_kernels {
        use super::*;
        use burn::backend::NdArray;
        use burn::tensor::TensorData;
        use burn_ndarray::NdArrayTensor;

        fn run(
            which: Which,
            lhs: &NdArrayTensor,
            x: &NdArrayTensor,
            x_t: &NdArrayTensor,
        ) -> Option<NdArrayTensor> {
            macro_rules! with {
                ($a:expr, $x:expr, $x_t:expr) => {{
                    let (a, x, x_t) = ($a.view(), $x.view(), $x_t.view());
                    let dims = [x.shape()[0], x.shape()[1]];
                    let (z, shape) =
                        host_product(which, a.as_slice()?, x.as_slice()?, x_t.as_slice()?, dims);
                    Some(NdArrayTensor::from_data(TensorData::new(z, shape)))
                }};
            }
            match (lhs, x, x_t) {
                (NdArrayTensor::F32(a), NdArrayTensor::F32(b), NdArrayTensor::F32(c)) => {
                    with!(a, b, c)
                }
                (NdArrayTensor::F64(a), NdArrayTensor::F64(b), NdArrayTensor::F64(c)) => {
                    with!(a, b, c)
                }
                _ => None,
            }
        }

        kernel_backed!(NdArray, run);
    }

    /// burn-flex: the same kernels on flex's buffers.
    #[cfg(feature = "flex")]
    mod flex_kernels {
        use super::*;
        use burn::backend::Flex;
        use burn::tensor::TensorData;
        use burn_flex::FlexTensor;

        fn run(
            which: Which,
            lhs: &FlexTensor,
            x: &FlexTensor,
            x_t: &FlexTensor,
        ) -> Option<FlexTensor> {
            use burn::tensor::DType;
            if ![lhs, x, x_t].iter().all(|t| t.layout().is_contiguous()) {
                return None;
            }
            let shape = x.layout().shape();
            let dims = [shape[0], shape[1]];
            macro_rules! with {
                ($t:ty) => {{
                    fn slice(t: &FlexTensor) -> &[$t] {
                        let start = t.layout().start_offset();
                        &t.storage::<$t>()[start..start + t.layout().num_elements()]
                    }
                    let (z, shape) = host_product(which, slice(lhs), slice(x), slice(x_t), dims);
                    Some(FlexTensor::from_data(TensorData::new(z, shape)))
                }};
            }
            match (lhs.dtype(), x.dtype(), x_t.dtype()) {
                (DType::F32, DType::F32, DType::F32) => with!(f32),
                (DType::F64, DType::F64, DType::F64) => with!(f64),
                _ => None,
            }
        }

        kernel_backed!(Flex, run);
    }

    /// Under autodiff: the forward product of the inner backend, and dW = dZ·Xᵀ as the backward.
    /// X and Xᵀ are data: they get no gradient.
    impl<B: Backend + DataProduct, C: CheckpointStrategy> DataProduct for Autodiff<B, C> {
        fn data_product(
            w: FloatTensor<Self>,
            x: FloatTensor<Self>,
            x_t: FloatTensor<Self>,
        ) -> FloatTensor<Self> {
            #[derive(Debug)]
            struct DataProductBackward;

            impl<B: Backend + DataProduct> Backward<B, 1> for DataProductBackward {
                /// X and Xᵀ, kept for dW.
                type State = (FloatTensor<B>, FloatTensor<B>);

                fn backward(
                    self,
                    ops: Ops<Self::State, 1>,
                    grads: &mut Gradients,
                    _checkpointer: &mut Checkpointer,
                ) {
                    let (x, x_t) = ops.state;
                    unary::<B, _>(ops.parents, ops.node, grads, |dz| {
                        B::data_product_transposed(dz, x, x_t)
                    });
                }
            }

            let x = x.into_primitive();
            let x_t = x_t.into_primitive();
            let (w, w_node) = w.into_parts();
            match DataProductBackward
                .prepare::<C>([w_node])
                .compute_bound()
                .stateful()
            {
                OpsKind::Tracked(prep) => {
                    let z = B::data_product(w, x.clone(), x_t.clone());
                    prep.finish((x, x_t), z)
                }
                OpsKind::UnTracked(prep) => prep.finish(B::data_product(w, x, x_t)),
            }
        }

        fn data_product_transposed(
            dz: FloatTensor<Self>,
            x: FloatTensor<Self>,
            x_t: FloatTensor<Self>,
        ) -> FloatTensor<Self> {
            // Not differentiated (only the backward pass above calls it, on the inner backend).
            let z = B::data_product_transposed(Self::inner(dz), Self::inner(x), Self::inner(x_t));
            Self::from_inner(z)
        }
    }
}

/// W·X through the op above, differentiable in W; `x_t` holds the values of X as Xᵀ.
pub fn product(w: Tensor<2>, x: &Tensor<2>, x_t: &Tensor<2>) -> Tensor<2> {
    use burn::backend::Dispatch;
    use cpu::DataProduct;
    Tensor::from_dispatch(<Dispatch as DataProduct>::data_product(
        w.into_dispatch(),
        x.clone().into_dispatch(),
        x_t.clone().into_dispatch(),
    ))
}
