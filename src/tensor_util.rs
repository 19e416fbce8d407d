//! Small conversions between host vectors and tensors, in one place.

use burn::tensor::{DType, Device, Tensor, TensorCreationOptions, TensorData};

use crate::{Error, Result};

/// Read a tensor back to the host as f64, whatever its dtype. The conversion happens on the host,
/// so it also works on backends without f64 (wgpu).
pub fn to_vec_f64<const D: usize>(t: Tensor<D>) -> Result<Vec<f64>> {
    t.try_into_data()
        .map_err(|e| Error::Backend(format!("reading a tensor back: {e:?}")))?
        .try_into_vec_as::<f64>()
        .map_err(|e| Error::Backend(format!("reading a tensor back: {e:?}")))
}

/// Read a one-element tensor as f64.
pub fn scalar_f64<const D: usize>(t: Tensor<D>) -> Result<f64> {
    Ok(to_vec_f64(t)?[0])
}

/// `value` as a 1×1 tensor of `like`'s dtype and device, to multiply by (it broadcasts).
/// Unlike a scalar operand (`mul_scalar`, `div_scalar`), whose gradient Burn's autodiff does not
/// keep in f64 (the gradient check sees ~1e-8 relative), a product of two tensors is exact, so
/// the formulas' constant factors (λ/m, 1/p) are applied this way.
pub fn factor<const D: usize>(like: &Tensor<D>, value: f64) -> Tensor<D> {
    matrix(vec![value], 1, 1, like.dtype(), &like.device()).reshape([1; D])
}

/// A 2-D tensor from row-major host values.
pub fn matrix<E: burn::tensor::Element>(
    values: Vec<E>,
    rows: usize,
    cols: usize,
    dtype: DType,
    device: &Device,
) -> Tensor<2> {
    Tensor::<2>::from_data(
        TensorData::new(values, [rows, cols]),
        TensorCreationOptions::new(device.clone()).with_dtype(dtype),
    )
}

/// The transpose of row-major `values` (`rows` × `cols`): X (n_x, m) ↔ its examples as rows.
/// By 8 × 8 blocks gathered in a local tile and written as 8 runs of 8: a plain loop over a wide
/// X writes every value to another page, and larger tiles of a wide matrix put their output rows
/// a power of two apart, on the same cache sets.
pub fn transpose<T: Copy + Default>(values: &[T], rows: usize, cols: usize) -> Vec<T> {
    const B: usize = 8;
    let mut out = vec![T::default(); values.len()];
    let (whole_rows, whole_cols) = (rows / B * B, cols / B * B);
    for r0 in (0..whole_rows).step_by(B) {
        for c0 in (0..whole_cols).step_by(B) {
            let mut tile = [[T::default(); B]; B];
            for (i, row) in values[r0 * cols..].chunks(cols).take(B).enumerate() {
                for (j, &v) in row[c0..c0 + B].iter().enumerate() {
                    tile[j][i] = v;
                }
            }
            for (j, column) in tile.iter().enumerate() {
                let at = (c0 + j) * rows + r0;
                out[at..at + B].copy_from_slice(column);
            }
        }
    }
    // The edges: the last rows (all columns) and the last columns of the other rows.
    for r in 0..rows {
        let from = if r < whole_rows { whole_cols } else { 0 };
        for c in from..cols {
            out[c * rows + r] = values[r * cols + c];
        }
    }
    out
}

/// `f()`, or the message of its panic (`fallback` when it carries none): Burn panics on
/// mismatched shapes and on a device it cannot open, and those become error messages.
pub fn catch_panic<T>(fallback: &str, f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| fallback.to_string())
    })
}

#[cfg(test)]
mod tests {
    /// The blocked transpose against the definition, on shapes with and without whole blocks.
    #[test]
    fn transpose_matches_the_definition() {
        for (rows, cols) in [(13, 21), (8, 8), (1, 17), (64, 3), (16, 40), (0, 5)] {
            let values: Vec<f64> = (0..rows * cols).map(|i| i as f64).collect();
            let out = super::transpose(&values, rows, cols);
            for r in 0..rows {
                for c in 0..cols {
                    assert_eq!(
                        out[c * rows + r],
                        values[r * cols + c],
                        "{rows}×{cols} at ({r}, {c})"
                    );
                }
            }
        }
    }
}
