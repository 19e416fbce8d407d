//! The data matrix's two products on host memory, for the CPU backends (`data_product.rs`):
//!
//! - forward  Z = W·X     : Z[r,i]  = Σ_j W[r,j] · Xᵀ[i,j]   (dot products of contiguous rows)
//! - backward dW = dZ·Xᵀ  : dW[r,j] = Σ_i dZ[r,i] · Xᵀ[i,j]  (sums of scaled contiguous rows)
//!
//! Both read Xᵀ (m, n_x) row by row, once per call, in blocks of columns small enough that the
//! matching block of W (or dW) stays in the core's cache, and both split the work over the rayon
//! threads. Burn's own kernels for these shapes (one or a few rows of W against 12288×209) are
//! general GEMMs or single-threaded matrix-vector products (README, Performance).

use rayon::prelude::*;

/// f32 or f64.
pub trait Real:
    Copy + Send + Sync + Default + std::ops::Add<Output = Self> + std::ops::Mul<Output = Self>
{
    /// a·b + c, rounded once (one FMA instruction where the CPU has it).
    fn mul_add(a: Self, b: Self, c: Self) -> Self;
}
impl Real for f32 {
    #[inline(always)]
    fn mul_add(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
}
impl Real for f64 {
    #[inline(always)]
    fn mul_add(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
}

/// a·b + c, fused when the kernel was compiled for FMA (`FMA`), else a multiply and an add:
/// without the instruction, `mul_add` would be a slow library call.
#[inline(always)]
fn madd<T: Real, const FMA: bool>(a: T, b: T, c: T) -> T {
    if FMA { T::mul_add(a, b, c) } else { a * b + c }
}

/// Whether this CPU has AVX2 and FMA (checked once; the crate is compiled for baseline x86-64,
/// which has neither, so the kernels are compiled twice and picked here).
#[cfg(target_arch = "x86_64")]
fn fma_available() -> bool {
    static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS.get_or_init(|| {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    })
}

/// Columns of X handled together: a block of W or dW (n[1] rows × this) stays in L1/L2.
const BLOCK: usize = 512;

/// Σ a[j]·b[j] with independent partial sums, so the compiler can keep them in vector registers.
#[inline(always)]
fn dot<T: Real, const FMA: bool>(a: &[T], b: &[T]) -> T {
    const LANES: usize = 16;
    let mut acc = [T::default(); LANES];
    let (a_chunks, a_rest) = a.as_chunks::<LANES>();
    let (b_chunks, b_rest) = b.as_chunks::<LANES>();
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        for l in 0..LANES {
            acc[l] = madd::<T, FMA>(x[l], y[l], acc[l]);
        }
    }
    let mut sum = T::default();
    for (x, y) in a_rest.iter().zip(b_rest) {
        sum = sum + *x * *y;
    }
    acc.iter().fold(sum, |s, &v| s + v)
}

/// acc[j] += s·x[j]
#[inline(always)]
fn axpy<T: Real, const FMA: bool>(acc: &mut [T], s: T, x: &[T]) {
    for (a, &v) in acc.iter_mut().zip(x) {
        *a = madd::<T, FMA>(s, v, *a);
    }
}

/// Z = W·X: `w` is (n1, k) and `x_t` is Xᵀ (m, k), both row-major; returns Z (n1, m) row-major.
pub fn product<T: Real>(w: &[T], x_t: &[T], n1: usize, k: usize, m: usize) -> Vec<T> {
    assert_eq!(w.len(), n1 * k);
    assert_eq!(x_t.len(), m * k);
    // Zᵀ (m, n1), one row per example, so that the threads write disjoint rows.
    let mut z_t = vec![T::default(); m * n1];
    let per_thread = m.div_ceil(rayon::current_num_threads()).max(1);
    z_t.par_chunks_mut(per_thread * n1)
        .enumerate()
        .for_each(|(t, z_rows)| {
            let x_rows = &x_t[t * per_thread * k..];
            #[cfg(target_arch = "x86_64")]
            if fma_available() {
                // SAFETY: the CPU has AVX2 and FMA (checked by fma_available).
                unsafe { product_rows_fma(w, x_rows, z_rows, n1, k) };
                return;
            }
            product_rows::<T, false>(w, x_rows, z_rows, n1, k)
        });
    let mut z = vec![T::default(); n1 * m];
    for (i, row) in z_t.chunks_exact(n1).enumerate() {
        for (r, &v) in row.iter().enumerate() {
            z[r * m + i] = v;
        }
    }
    z
}

/// One thread's share of Z = W·X: the rows of Zᵀ in `z_rows`, from the rows of Xᵀ in `x_rows`.
#[inline(always)]
fn product_rows<T: Real, const FMA: bool>(
    w: &[T],
    x_rows: &[T],
    z_rows: &mut [T],
    n1: usize,
    k: usize,
) {
    for j0 in (0..k).step_by(BLOCK) {
        let j1 = (j0 + BLOCK).min(k);
        for (i, z_row) in z_rows.chunks_exact_mut(n1).enumerate() {
            let x_row = &x_rows[i * k + j0..i * k + j1];
            for (r, z) in z_row.iter_mut().enumerate() {
                *z = *z + dot::<T, FMA>(&w[r * k + j0..r * k + j1], x_row);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn product_rows_fma<T: Real>(w: &[T], x_rows: &[T], z_rows: &mut [T], n1: usize, k: usize) {
    product_rows::<T, true>(w, x_rows, z_rows, n1, k)
}

/// dW = dZ·Xᵀ: `dz` is (n1, m) and `x_t` is Xᵀ (m, k), both row-major; returns dW (n1, k).
pub fn product_transposed<T: Real>(dz: &[T], x_t: &[T], n1: usize, k: usize, m: usize) -> Vec<T> {
    assert_eq!(dz.len(), n1 * m);
    assert_eq!(x_t.len(), m * k);
    let mut dw = vec![T::default(); n1 * k];
    // Each thread owns one range of columns of every row of dW.
    let threads = rayon::current_num_threads().max(1);
    let per_thread = k.div_ceil(threads).div_ceil(BLOCK).max(1) * BLOCK;
    let mut parts: Vec<Vec<&mut [T]>> = (0..k.div_ceil(per_thread)).map(|_| Vec::new()).collect();
    for row in dw.chunks_mut(k) {
        for (part, segment) in parts.iter_mut().zip(row.chunks_mut(per_thread)) {
            part.push(segment);
        }
    }
    parts.into_par_iter().enumerate().for_each(|(t, mut rows)| {
        let x_cols = &x_t[t * per_thread..];
        #[cfg(target_arch = "x86_64")]
        if fma_available() {
            // SAFETY: the CPU has AVX2 and FMA (checked by fma_available).
            unsafe { transposed_columns_fma(dz, x_cols, &mut rows, k, m) };
            return;
        }
        transposed_columns::<T, false>(dz, x_cols, &mut rows, k, m)
    });
    dw
}

/// One thread's share of dW = dZ·Xᵀ: the same range of columns of every row of dW (`rows`),
/// from the columns of Xᵀ that start at `x_cols` (row stride `k`).
#[inline(always)]
fn transposed_columns<T: Real, const FMA: bool>(
    dz: &[T],
    x_cols: &[T],
    rows: &mut [&mut [T]],
    k: usize,
    m: usize,
) {
    let width = rows[0].len();
    for b0 in (0..width).step_by(BLOCK) {
        let b1 = (b0 + BLOCK).min(width);
        for i in 0..m {
            let x_row = &x_cols[i * k + b0..i * k + b1];
            for (r, dw_row) in rows.iter_mut().enumerate() {
                axpy::<T, FMA>(&mut dw_row[b0..b1], dz[r * m + i], x_row);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn transposed_columns_fma<T: Real>(
    dz: &[T],
    x_cols: &[T],
    rows: &mut [&mut [T]],
    k: usize,
    m: usize,
) {
    transposed_columns::<T, true>(dz, x_cols, rows, k, m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both products against the textbook triple loop, on shapes that do not divide the block.
    #[test]
    fn products_match_the_definition() {
        let (n1, k, m) = (3, 2 * BLOCK + 37, 11);
        let w: Vec<f64> = (0..n1 * k).map(|v| ((v * 7) % 13) as f64 - 6.0).collect();
        let x_t: Vec<f64> = (0..m * k).map(|v| ((v * 5) % 11) as f64 - 5.0).collect();
        let dz: Vec<f64> = (0..n1 * m).map(|v| ((v * 3) % 7) as f64 - 3.0).collect();
        let z = product(&w, &x_t, n1, k, m);
        let dw = product_transposed(&dz, &x_t, n1, k, m);
        // The portable (non-FMA) kernels too, whatever this CPU picks above.
        let mut z_t = vec![0.0; m * n1];
        product_rows::<f64, false>(&w, &x_t, &mut z_t, n1, k);
        let mut dw_plain = vec![0.0; n1 * k];
        let mut rows: Vec<&mut [f64]> = dw_plain.chunks_mut(k).collect();
        transposed_columns::<f64, false>(&dz, &x_t, &mut rows, k, m);
        for r in 0..n1 {
            for i in 0..m {
                let want: f64 = (0..k).map(|j| w[r * k + j] * x_t[i * k + j]).sum();
                assert_eq!(z[r * m + i], want, "Z[{r},{i}]");
                assert_eq!(z_t[i * n1 + r], want, "Z[{r},{i}], portable kernel");
            }
            for j in 0..k {
                let want: f64 = (0..m).map(|i| dz[r * m + i] * x_t[i * k + j]).sum();
                assert_eq!(dw[r * k + j], want, "dW[{r},{j}]");
                assert_eq!(dw_plain[r * k + j], want, "dW[{r},{j}], portable kernel");
            }
        }
    }
}
