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

/// A 2-D tensor from row-major host values.
pub fn matrix(
    values: Vec<f64>,
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
/// By tiles of 8 rows × 64 columns, each written one output row (8 values) at a time: a plain
/// loop over a wide X writes every value to another page, and square tiles of a wide matrix put
/// their output rows a power of two apart, on the same cache sets.
pub fn transpose(values: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    const ROWS: usize = 8;
    const COLS: usize = 64;
    let mut out = vec![0.0; values.len()];
    for r0 in (0..rows).step_by(ROWS) {
        let r1 = (r0 + ROWS).min(rows);
        for c0 in (0..cols).step_by(COLS) {
            for c in c0..(c0 + COLS).min(cols) {
                for r in r0..r1 {
                    out[c * rows + r] = values[r * cols + c];
                }
            }
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
