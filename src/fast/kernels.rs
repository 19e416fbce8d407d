//! The data matrix's two products on host memory, for the CPU backends (`data_product.rs`).
//! Mostly one operation, out = A·Bᵀ with A and B row-major (`a_bt`: every output is a dot
//! product of two contiguous rows):
//!
//! - forward  Z = W·X   = W · (Xᵀ)ᵀ : A = W (n1, n_x),  B = Xᵀ (m, n_x)
//! - backward dW = dZ·Xᵀ           : A = dZ (n1, m),  B = X (n_x, m)
//!
//! which is why the data matrix is held both as X and as Xᵀ. For a single unit the forward is
//! instead out = A·B (`a_b`: w times X, as a sum of X's rows scaled by w), so that both passes
//! read the same 10 MB (data_product.rs says when). B's rows are split over the rayon threads;
//! each thread takes them in chunks, and the columns in blocks, so that the pieces of A and B in
//! use stay in the core's caches. Inside, a register tile of R rows of A × I rows (or columns) of
//! B keeps R·I independent sums in SIMD registers, so that each value loaded feeds several
//! multiply-adds, and enough of them are in flight to hide the FMA latency. Burn's own kernels
//! for these shapes (one or a few rows of W against 12288×209) are general GEMMs or
//! single-threaded matrix-vector products (docs/performance.md).

use rayon::prelude::*;

/// f32 or f64.
pub trait Real:
    Copy
    + Send
    + Sync
    + Default
    + std::ops::Add<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::AddAssign
{
}
impl Real for f32 {}
impl Real for f64 {}

/// A SIMD register of `N` values: what the tile needs. `Scalar` is the portable one.
trait Lanes: Copy {
    type T: Real;
    const N: usize;
    /// # Safety
    /// The CPU supports the instructions of the implementation.
    unsafe fn zero() -> Self;
    /// # Safety
    /// `p..p+N` is readable, and as for `zero`.
    unsafe fn load(p: *const Self::T) -> Self;
    /// a·b + c. # Safety: as for `zero`.
    unsafe fn mul_add(a: Self, b: Self, c: Self) -> Self;
    /// The sum of the lanes. # Safety: as for `zero`.
    unsafe fn sum(self) -> Self::T;
    /// Every lane = v. # Safety: as for `zero`.
    unsafe fn splat(v: Self::T) -> Self;
    /// a + b. # Safety: as for `zero`.
    unsafe fn add(a: Self, b: Self) -> Self;
    /// # Safety
    /// `p..p+N` is writable, and as for `zero`.
    unsafe fn store(self, p: *mut Self::T);
}

/// One lane, plain arithmetic: the kernels on any CPU.
#[derive(Clone, Copy)]
struct Scalar<T>(T);

impl<T: Real> Lanes for Scalar<T> {
    type T = T;
    const N: usize = 1;
    unsafe fn zero() -> Self {
        Scalar(T::default())
    }
    unsafe fn load(p: *const T) -> Self {
        // SAFETY: the caller guarantees p is readable.
        Scalar(unsafe { *p })
    }
    unsafe fn mul_add(a: Self, b: Self, c: Self) -> Self {
        Scalar(a.0 * b.0 + c.0)
    }
    unsafe fn sum(self) -> T {
        self.0
    }
    unsafe fn splat(v: T) -> Self {
        Scalar(v)
    }
    unsafe fn add(a: Self, b: Self) -> Self {
        Scalar(a.0 + b.0)
    }
    unsafe fn store(self, p: *mut T) {
        // SAFETY: the caller guarantees p is writable.
        unsafe { *p = self.0 }
    }
}

/// AVX2 + FMA registers: 8 f32 or 4 f64.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::Lanes;
    use std::arch::x86_64::*;

    // SAFETY (all below): the caller guarantees AVX2 and FMA (`fma_available`) and readable
    // pointers, as the trait states.
    impl Lanes for __m256 {
        type T = f32;
        const N: usize = 8;
        #[inline(always)]
        unsafe fn zero() -> Self {
            unsafe { _mm256_setzero_ps() }
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            unsafe { _mm256_loadu_ps(p) }
        }
        #[inline(always)]
        unsafe fn mul_add(a: Self, b: Self, c: Self) -> Self {
            unsafe { _mm256_fmadd_ps(a, b, c) }
        }
        #[inline(always)]
        unsafe fn sum(self) -> f32 {
            unsafe {
                let quad = _mm_add_ps(_mm256_castps256_ps128(self), _mm256_extractf128_ps(self, 1));
                let pair = _mm_add_ps(quad, _mm_movehl_ps(quad, quad));
                _mm_cvtss_f32(_mm_add_ss(pair, _mm_shuffle_ps(pair, pair, 1)))
            }
        }
        #[inline(always)]
        unsafe fn splat(v: f32) -> Self {
            unsafe { _mm256_set1_ps(v) }
        }
        #[inline(always)]
        unsafe fn add(a: Self, b: Self) -> Self {
            unsafe { _mm256_add_ps(a, b) }
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            unsafe { _mm256_storeu_ps(p, self) }
        }
    }

    impl Lanes for __m256d {
        type T = f64;
        const N: usize = 4;
        #[inline(always)]
        unsafe fn zero() -> Self {
            unsafe { _mm256_setzero_pd() }
        }
        #[inline(always)]
        unsafe fn load(p: *const f64) -> Self {
            unsafe { _mm256_loadu_pd(p) }
        }
        #[inline(always)]
        unsafe fn mul_add(a: Self, b: Self, c: Self) -> Self {
            unsafe { _mm256_fmadd_pd(a, b, c) }
        }
        #[inline(always)]
        unsafe fn sum(self) -> f64 {
            unsafe {
                let pair = _mm_add_pd(_mm256_castpd256_pd128(self), _mm256_extractf128_pd(self, 1));
                _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)))
            }
        }
        #[inline(always)]
        unsafe fn splat(v: f64) -> Self {
            unsafe { _mm256_set1_pd(v) }
        }
        #[inline(always)]
        unsafe fn add(a: Self, b: Self) -> Self {
            unsafe { _mm256_add_pd(a, b) }
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f64) {
            unsafe { _mm256_storeu_pd(p, self) }
        }
    }
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

/// Columns taken together by `a_bt`: a block of A (20 rows × this = 80 KB in f32) stays in L2,
/// and the runs along each row of B are long enough for the hardware prefetcher (a block that
/// fits L1 is slower: docs/performance.md).
const COLUMNS: usize = 1024;
/// Rows of B taken together: a chunk of B (this × up to COLUMNS or m = 209 values) stays in L2.
const CHUNK: usize = 64;

/// Where the products are written: out (n_a, n_b) row-major, shared by the threads, which write
/// disjoint columns.
#[derive(Clone, Copy)]
pub struct Out<T>(*mut T);
// SAFETY: the threads write disjoint elements (their own rows of B = columns of out).
unsafe impl<T: Send> Send for Out<T> {}
unsafe impl<T: Send> Sync for Out<T> {}

/// Shapes: A (n_a, len); B (n_b, len) for A·Bᵀ, (len, n_b) for A·B; out (n_a, n_b).
#[derive(Clone, Copy)]
pub struct Shape {
    n_a: usize,
    n_b: usize,
    len: usize,
}

/// out[r, i] += Σ_{j ∈ cols} A[r, j]·B[i, j] for the R rows of A from `r` and the I rows of B
/// from `i`: R·I sums in registers.
///
/// # Safety
/// The CPU supports `V`, the rows and columns are inside A, B and out.
#[inline(always)]
unsafe fn dot_tile<V: Lanes, const R: usize, const I: usize>(
    a: &[V::T],
    b: &[V::T],
    out: Out<V::T>,
    s: Shape,
    (r, i): (usize, usize),
    cols: std::ops::Range<usize>,
) {
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let vec_end = cols.start + (cols.len() / V::N) * V::N;
    // SAFETY: the caller's guarantees; every pointer below is inside its row's `cols`.
    unsafe {
        let rows_a: [*const V::T; R] = std::array::from_fn(|p| pa.add((r + p) * s.len));
        let rows_b: [*const V::T; I] = std::array::from_fn(|q| pb.add((i + q) * s.len));
        let mut acc = [[V::zero(); R]; I];
        // acc[q][p] += A[r + p, j..j + N]·B[i + q, j..j + N], one vector of columns.
        let step = |acc: &mut [[V; R]; I], j: usize| {
            let bv: [V; I] = std::array::from_fn(|q| V::load(rows_b[q].add(j)));
            for (p, row_a) in rows_a.iter().enumerate() {
                let av = V::load(row_a.add(j));
                for (q, b) in bv.iter().enumerate() {
                    acc[q][p] = V::mul_add(av, *b, acc[q][p]);
                }
            }
        };
        // Two vectors a turn: the same sums in the same order, half the loop's bookkeeping
        // whatever the compiler makes of the loop (it once kept one vector a turn, 3 % of a
        // deep_cat step more).
        let pair_end = cols.start + (cols.len() / (2 * V::N)) * 2 * V::N;
        let mut j = cols.start;
        while j < pair_end {
            step(&mut acc, j);
            step(&mut acc, j + V::N);
            j += 2 * V::N;
        }
        while j < vec_end {
            step(&mut acc, j);
            j += V::N;
        }
        for (q, row) in acc.iter().enumerate() {
            for (p, v) in row.iter().enumerate() {
                let mut total = v.sum();
                for j in vec_end..cols.end {
                    total += a[(r + p) * s.len + j] * b[(i + q) * s.len + j];
                }
                *out.0.add((r + p) * s.n_b + i + q) += total;
            }
        }
    }
}

/// `dot_tile` over rows `rows` of B, I at a time (the rest one at a time), for R rows of A from `r`.
///
/// # Safety
/// As for `dot_tile`.
#[inline(always)]
unsafe fn dot_tiles<V: Lanes, const R: usize, const I: usize>(
    a: &[V::T],
    b: &[V::T],
    out: Out<V::T>,
    s: Shape,
    r: usize,
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
) {
    let mut i = rows.start;
    // SAFETY: the caller's guarantees, for rows inside `rows`.
    unsafe {
        while i + I <= rows.end {
            dot_tile::<V, R, I>(a, b, out, s, (r, i), cols.clone());
            i += I;
        }
        for i in i..rows.end {
            dot_tile::<V, R, 1>(a, b, out, s, (r, i), cols.clone());
        }
    }
}

/// One thread's share: the columns `rows` of out, i.e. those rows of B, against all of A.
///
/// # Safety
/// The CPU supports `V`; out has room for (n_a, n_b).
#[inline(always)]
unsafe fn dots_share<V: Lanes>(
    a: &[V::T],
    b: &[V::T],
    out: Out<V::T>,
    s: Shape,
    rows: std::ops::Range<usize>,
) {
    for c0 in rows.clone().step_by(CHUNK) {
        let chunk = c0..(c0 + CHUNK).min(rows.end);
        for j0 in (0..s.len).step_by(COLUMNS) {
            let cols = j0..(j0 + COLUMNS).min(s.len);
            let mut r = 0;
            // Tiles of 4×2 registers; the last rows of A as 3×3 or 2×4, so that there are 8 or 9
            // sums in flight (the FMA latency × the two FMA units). A single row of A is bound by
            // reading B, and 1×2 is faster there than 1×6 (docs/performance.md).
            // SAFETY: the caller's guarantees; r + R ≤ n_a in each arm.
            unsafe {
                while r < s.n_a {
                    let (ch, cl) = (chunk.clone(), cols.clone());
                    match s.n_a - r {
                        4.. => dot_tiles::<V, 4, 2>(a, b, out, s, r, ch, cl),
                        3 => dot_tiles::<V, 3, 3>(a, b, out, s, r, ch, cl),
                        2 => dot_tiles::<V, 2, 4>(a, b, out, s, r, ch, cl),
                        _ => dot_tiles::<V, 1, 2>(a, b, out, s, r, ch, cl),
                    }
                    r += (s.n_a - r).min(4);
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dots_f32_avx2(a: &[f32], b: &[f32], out: Out<f32>, s: Shape, rows: std::ops::Range<usize>) {
    // SAFETY: this function is only called when the CPU has AVX2 and FMA.
    unsafe { dots_share::<std::arch::x86_64::__m256>(a, b, out, s, rows) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dots_f64_avx2(a: &[f64], b: &[f64], out: Out<f64>, s: Shape, rows: std::ops::Range<usize>) {
    // SAFETY: as above.
    unsafe { dots_share::<std::arch::x86_64::__m256d>(a, b, out, s, rows) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn scaled_rows_f32_avx2(a: &[f32], b: &[f32], s: Shape, js: std::ops::Range<usize>) -> Vec<f32> {
    // SAFETY: as above.
    unsafe { scaled_rows::<std::arch::x86_64::__m256>(a, b, s, js) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn scaled_rows_f64_avx2(a: &[f64], b: &[f64], s: Shape, js: std::ops::Range<usize>) -> Vec<f64> {
    // SAFETY: as above.
    unsafe { scaled_rows::<std::arch::x86_64::__m256d>(a, b, s, js) }
}

/// Picks the fastest kernels this CPU runs for a share of each product.
pub trait Kernel: Real {
    /// A thread's share of A·Bᵀ (`dots_share`).
    fn dots(a: &[Self], b: &[Self], out: Out<Self>, s: Shape, rows: std::ops::Range<usize>);
    /// A thread's share of A·B (`scaled_rows`).
    fn scaled_rows(a: &[Self], b: &[Self], s: Shape, js: std::ops::Range<usize>) -> Vec<Self>;
}

macro_rules! kernel {
    ($t:ty, $dots:ident, $scaled_rows:ident) => {
        impl Kernel for $t {
            fn dots(a: &[$t], b: &[$t], out: Out<$t>, s: Shape, rows: std::ops::Range<usize>) {
                #[cfg(target_arch = "x86_64")]
                if fma_available() {
                    // SAFETY: the CPU has AVX2 and FMA.
                    return unsafe { $dots(a, b, out, s, rows) };
                }
                // SAFETY: scalar code runs anywhere; out has room (a_bt).
                unsafe { dots_share::<Scalar<$t>>(a, b, out, s, rows) }
            }

            fn scaled_rows(a: &[$t], b: &[$t], s: Shape, js: std::ops::Range<usize>) -> Vec<$t> {
                #[cfg(target_arch = "x86_64")]
                if fma_available() {
                    // SAFETY: the CPU has AVX2 and FMA.
                    return unsafe { $scaled_rows(a, b, s, js) };
                }
                // SAFETY: scalar code runs anywhere; the shapes are checked (a_b).
                unsafe { scaled_rows::<Scalar<$t>>(a, b, s, js) }
            }
        }
    };
}
kernel!(f32, dots_f32_avx2, scaled_rows_f32_avx2);
kernel!(f64, dots_f64_avx2, scaled_rows_f64_avx2);

/// A·Bᵀ: `a` is (n_a, len) and `b` is (n_b, len), both row-major; returns (n_a, n_b) row-major.
pub fn a_bt<T: Kernel>(a: &[T], b: &[T], n_a: usize, n_b: usize, len: usize) -> Vec<T> {
    a_bt_with(a, b, Shape { n_a, n_b, len }, T::dots)
}

/// `a_bt` with a given share kernel (the tests run the portable one too).
fn a_bt_with<T: Real>(
    a: &[T],
    b: &[T],
    s: Shape,
    share: impl Fn(&[T], &[T], Out<T>, Shape, std::ops::Range<usize>) + Sync,
) -> Vec<T> {
    assert_eq!(a.len(), s.n_a * s.len, "A is not (n_a, len)");
    assert_eq!(b.len(), s.n_b * s.len, "B is not (n_b, len)");
    let mut out = vec![T::default(); s.n_a * s.n_b];
    let ptr = Out(out.as_mut_ptr());
    let per_thread = s.n_b.div_ceil(rayon::current_num_threads().max(1)).max(1);
    (0..s.n_b.div_ceil(per_thread))
        .into_par_iter()
        .for_each(|t| {
            let rows = t * per_thread..((t + 1) * per_thread).min(s.n_b);
            share(a, b, ptr, s, rows);
        });
    out
}

/// Rows of B taken together by `scaled_rows`: a block of B (this × m = 209 values) stays in L2
/// while every tile of out passes over it.
const B_ROWS: usize = 48;

/// out[r, c..c+C·N] += Σ_{j ∈ js} A[r, j]·B[j, c..c+C·N] for the R rows of A from `r`: R·C
/// registers of sums; `out` is (n_a, n_b).
///
/// # Safety
/// The CPU supports `V`, the rows and columns are inside A (n_a, len), B (len, n_b) and out.
#[inline(always)]
// Indexed loops: with `iter_mut().enumerate()` over the accumulators the compiler keeps them in
// memory instead of registers (several times slower).
#[allow(clippy::needless_range_loop)]
unsafe fn scaled_tile<V: Lanes, const R: usize, const C: usize>(
    a: &[V::T],
    b: &[V::T],
    out: &mut [V::T],
    s: Shape,
    (r, c): (usize, usize),
    js: std::ops::Range<usize>,
) {
    let (pa, pb, po) = (a.as_ptr(), b.as_ptr(), out.as_mut_ptr());
    // SAFETY: the caller's guarantees; every pointer below is inside A, B or out.
    unsafe {
        let mut acc = [[V::zero(); C]; R];
        for j in js {
            let bv: [V; C] = std::array::from_fn(|q| V::load(pb.add(j * s.n_b + c + q * V::N)));
            for p in 0..R {
                let av = V::splat(*pa.add((r + p) * s.len + j));
                for q in 0..C {
                    acc[p][q] = V::mul_add(av, bv[q], acc[p][q]);
                }
            }
        }
        for (p, sums) in acc.iter().enumerate() {
            for (q, sum) in sums.iter().enumerate() {
                let o = po.add((r + p) * s.n_b + c + q * V::N);
                V::add(V::load(o), *sum).store(o);
            }
        }
    }
}

/// `scaled_tile` across all columns of out (3 registers wide, then 1, then the last columns
/// one value at a time), for R rows of A from `r`.
///
/// # Safety
/// As for `scaled_tile`.
#[inline(always)]
unsafe fn scaled_tiles<V: Lanes, const R: usize>(
    a: &[V::T],
    b: &[V::T],
    out: &mut [V::T],
    s: Shape,
    r: usize,
    js: std::ops::Range<usize>,
) {
    let vectors_end = s.n_b / V::N * V::N;
    let mut c = 0;
    // SAFETY: the caller's guarantees; every tile stays inside the n_b columns.
    unsafe {
        while c + 3 * V::N <= vectors_end {
            scaled_tile::<V, R, 3>(a, b, out, s, (r, c), js.clone());
            c += 3 * V::N;
        }
        while c < vectors_end {
            scaled_tile::<V, R, 1>(a, b, out, s, (r, c), js.clone());
            c += V::N;
        }
        for c in vectors_end..s.n_b {
            scaled_tile::<Scalar<V::T>, R, 1>(a, b, out, s, (r, c), js.clone());
        }
    }
}

/// One thread's share of A·B: the rows `js` of B (columns of A), as a partial out (n_a, n_b).
///
/// # Safety
/// The CPU supports `V`; A is (n_a, len), B is (len, n_b), js ⊂ 0..len.
#[inline(always)]
unsafe fn scaled_rows<V: Lanes>(
    a: &[V::T],
    b: &[V::T],
    s: Shape,
    js: std::ops::Range<usize>,
) -> Vec<V::T> {
    let mut out = vec![V::T::default(); s.n_a * s.n_b];
    for j0 in js.clone().step_by(B_ROWS) {
        let block = j0..(j0 + B_ROWS).min(js.end);
        let mut r = 0;
        // SAFETY: the caller's guarantees; r + R ≤ n_a in each arm.
        unsafe {
            while r < s.n_a {
                match s.n_a - r {
                    4.. => scaled_tiles::<V, 4>(a, b, &mut out, s, r, block.clone()),
                    3 => scaled_tiles::<V, 3>(a, b, &mut out, s, r, block.clone()),
                    2 => scaled_tiles::<V, 2>(a, b, &mut out, s, r, block.clone()),
                    _ => scaled_tiles::<V, 1>(a, b, &mut out, s, r, block.clone()),
                }
                r += (s.n_a - r).min(4);
            }
        }
    }
    out
}

/// A·B: `a` is (n_a, len) and `b` is (len, n_b), both row-major; returns (n_a, n_b) row-major.
/// Used for Z = W·X, so that both products read X itself (m = 209 columns, every row once).
pub fn a_b<T: Kernel>(a: &[T], b: &[T], n_a: usize, len: usize, n_b: usize) -> Vec<T> {
    a_b_with(a, b, Shape { n_a, n_b, len }, T::scaled_rows)
}

/// `a_b` with a given share kernel (the tests run the portable one too).
fn a_b_with<T: Real>(
    a: &[T],
    b: &[T],
    s: Shape,
    share: impl Fn(&[T], &[T], Shape, std::ops::Range<usize>) -> Vec<T> + Sync,
) -> Vec<T> {
    assert_eq!(a.len(), s.n_a * s.len, "A is not (n_a, len)");
    assert_eq!(b.len(), s.len * s.n_b, "B is not (len, n_b)");
    // The threads split the rows of B (the sum), each returning its partial out.
    let per_thread = s.len.div_ceil(rayon::current_num_threads().max(1)).max(1);
    let partials: Vec<Vec<T>> = (0..s.len.div_ceil(per_thread))
        .into_par_iter()
        .map(|t| share(a, b, s, t * per_thread..((t + 1) * per_thread).min(s.len)))
        .collect();
    let mut parts = partials.into_iter();
    let mut out = parts
        .next()
        .unwrap_or_else(|| vec![T::default(); s.n_a * s.n_b]);
    for part in parts {
        for (o, v) in out.iter_mut().zip(part) {
            *o += v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A·Bᵀ against the textbook triple loop, on shapes that divide neither the blocks, the
    /// chunks, the tiles nor the SIMD width, for every tile height (n_a = 1..=6), in f64
    /// (exact: the values are small integers) with the kernel this CPU picks and the portable one.
    #[test]
    fn a_bt_matches_the_definition() {
        let (n_b, len) = (CHUNK + 13, COLUMNS + 37);
        for n_a in 1..=6 {
            let a: Vec<f64> = (0..n_a * len)
                .map(|v| ((v * 7) % 13) as f64 - 6.0)
                .collect();
            let b: Vec<f64> = (0..n_b * len)
                .map(|v| ((v * 5) % 11) as f64 - 5.0)
                .collect();
            let fast = a_bt(&a, &b, n_a, n_b, len);
            let s = Shape { n_a, n_b, len };
            let portable = a_bt_with(&a, &b, s, |a, b, out, s, rows| unsafe {
                dots_share::<Scalar<f64>>(a, b, out, s, rows)
            });
            for r in 0..n_a {
                for i in 0..n_b {
                    let want: f64 = (0..len).map(|j| a[r * len + j] * b[i * len + j]).sum();
                    assert_eq!(fast[r * n_b + i], want, "n_a = {n_a}: out[{r},{i}]");
                    assert_eq!(
                        portable[r * n_b + i],
                        want,
                        "portable, n_a = {n_a}: out[{r},{i}]"
                    );
                }
            }
        }
        // f32 too (the AVX2 f32 registers): values whose sums are exact in f32.
        let (n_a, n_b, len) = (5, 9, 101);
        let a: Vec<f32> = (0..n_a * len).map(|v| (v % 5) as f32 - 2.0).collect();
        let b: Vec<f32> = (0..n_b * len).map(|v| (v % 3) as f32 - 1.0).collect();
        let out = a_bt(&a, &b, n_a, n_b, len);
        for r in 0..n_a {
            for i in 0..n_b {
                let want: f32 = (0..len).map(|j| a[r * len + j] * b[i * len + j]).sum();
                assert_eq!(out[r * n_b + i], want, "f32: out[{r},{i}]");
            }
        }
    }

    /// A·B against the triple loop: n_b not a multiple of the 3-register tile nor of the SIMD
    /// width, len not a multiple of the row block, every tile height; f64 and f32, fast and
    /// portable.
    #[test]
    fn a_b_matches_the_definition() {
        let (len, n_b) = (2 * B_ROWS + 7, 8 * 3 + 8 + 5);
        for n_a in 1..=6 {
            let a: Vec<f64> = (0..n_a * len)
                .map(|v| ((v * 7) % 13) as f64 - 6.0)
                .collect();
            let b: Vec<f64> = (0..len * n_b)
                .map(|v| ((v * 5) % 11) as f64 - 5.0)
                .collect();
            let fast = a_b(&a, &b, n_a, len, n_b);
            let portable = a_b_with(&a, &b, Shape { n_a, n_b, len }, |a, b, s, js| unsafe {
                scaled_rows::<Scalar<f64>>(a, b, s, js)
            });
            let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
            let b32: Vec<f32> = b.iter().map(|&v| v as f32).collect();
            let fast32 = a_b(&a32, &b32, n_a, len, n_b);
            for r in 0..n_a {
                for i in 0..n_b {
                    let want: f64 = (0..len).map(|j| a[r * len + j] * b[j * n_b + i]).sum();
                    assert_eq!(fast[r * n_b + i], want, "n_a = {n_a}: out[{r},{i}]");
                    assert_eq!(portable[r * n_b + i], want, "portable: out[{r},{i}]");
                    assert_eq!(fast32[r * n_b + i] as f64, want, "f32: out[{r},{i}]");
                }
            }
        }
    }
}
