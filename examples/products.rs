//! The fast path's two products (`src/fast/kernels.rs`) against the `gemm` crate, the maintained
//! GEMM that Burn's flex backend uses: Z = W·X and dW = dZ·Xᵀ for the cat data's shapes
//! (n_x = 12288, m = 209) and first layers of 1, 7 and 20 units, in f32.
//!
//! `cargo run --example products [ROUNDS] [REPS]`: each round times every variant REPS times, one
//! after the other, and the table keeps each variant's best median over the rounds (a shared
//! machine's speed drifts). gemm runs on one thread, and on one thread per core with the output's
//! columns split between them (gemm's own threading needs its `rayon` feature, which Burn's tree
//! does not turn on); it reads X and Xᵀ through strides, without a copy.

use std::time::Instant;

use simplenn::fast::kernels::{a_b, a_bt};

const N_X: usize = 12288;
const M: usize = 209;

/// out (rows × cols, row-major) = A (rows × k, row-major) · B, where B's element (p, j) is at
/// `b[p * b_rs + j * b_cs]`; the columns are split over `threads` threads.
fn gemm(
    a: &[f32],
    b: &[f32],
    (b_rs, b_cs): (usize, usize),
    rows: usize,
    k: usize,
    cols: usize,
    threads: usize,
) -> Vec<f32> {
    let mut out = vec![0f32; rows * cols];
    let per = cols.div_ceil(threads);
    let out_addr = out.as_mut_ptr() as usize;
    std::thread::scope(|s| {
        for t in 0..threads {
            let (j0, j1) = (t * per, ((t + 1) * per).min(cols));
            if j0 >= j1 {
                continue;
            }
            s.spawn(move || {
                // SAFETY: every thread writes its own columns j0..j1 of `out`, which outlives the
                // scope; A and B are read within their lengths (the strides describe them).
                unsafe {
                    gemm::gemm(
                        rows,
                        j1 - j0,
                        k,
                        (out_addr as *mut f32).add(j0),
                        1,
                        cols as isize,
                        false,
                        a.as_ptr(),
                        1,
                        k as isize,
                        b.as_ptr().add(j0 * b_cs),
                        b_cs as isize,
                        b_rs as isize,
                        0.0,
                        1.0,
                        false,
                        false,
                        false,
                        gemm::Parallelism::None,
                    )
                }
            });
        }
    });
    out
}

fn median_ms(reps: usize, mut f: impl FnMut() -> Vec<f32>) -> (f64, Vec<f32>) {
    let mut last = f();
    let mut times: Vec<f64> = (0..reps)
        .map(|_| {
            let clock = Instant::now();
            last = f();
            clock.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], last)
}

fn max_rel_diff(a: &[f32], b: &[f32]) -> f64 {
    let scale = a.iter().fold(0f32, |s, v| s.max(v.abs())) as f64;
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() as f64)
        .fold(0.0, f64::max)
        / scale.max(1e-30)
}

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().expect("ROUNDS REPS"));
    let rounds = args.next().unwrap_or(3);
    let reps = args.next().unwrap_or(20);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let value = |k: usize| ((k * 2654435761) % 1000) as f32 / 1000.0 - 0.5;
    let x: Vec<f32> = (0..N_X * M).map(value).collect();
    let mut x_t = vec![0f32; N_X * M];
    for f in 0..N_X {
        for i in 0..M {
            x_t[i * N_X + f] = x[f * M + i];
        }
    }
    println!(
        "f32, n_x = {N_X}, m = {M}, {cores} cores; best of {rounds} rounds' medians over {reps} reps (ms)"
    );
    println!();
    println!(
        "| product | units | own kernels | gemm, 1 thread | gemm, {cores} threads | max rel. diff |"
    );
    println!("|---|---|---|---|---|---|");
    for n1 in [1usize, 7, 20] {
        let w: Vec<f32> = (0..n1 * N_X).map(|k| value(k + 7)).collect();
        let dz: Vec<f32> = (0..n1 * M).map(|k| value(k + 11)).collect();
        // Z = W·X: own kernels as data_product.rs picks them; gemm with X as stored.
        let own_z = |s: &mut Vec<f64>| {
            let (t, z) = median_ms(reps, || {
                if n1 >= 2 {
                    a_bt(&w, &x_t, n1, M, N_X)
                } else {
                    a_b(&w, &x, n1, N_X, M)
                }
            });
            s.push(t);
            z
        };
        // dW = dZ·Xᵀ: own kernel with X's rows; gemm reads Xᵀ from X through strides.
        let own_dw = |s: &mut Vec<f64>| {
            let (t, d) = median_ms(reps, || a_bt(&dz, &x, n1, N_X, M));
            s.push(t);
            d
        };
        let mut best = [[f64::INFINITY; 3]; 2];
        let mut diff: [f64; 2] = [0.0; 2];
        for _ in 0..rounds {
            let mut t = Vec::new();
            let z = own_z(&mut t);
            let (g1, z1) = median_ms(reps, || gemm(&w, &x, (M, 1), n1, N_X, M, 1));
            let (gn, _) = median_ms(reps, || gemm(&w, &x, (M, 1), n1, N_X, M, cores));
            let d = own_dw(&mut t);
            let (h1, d1) = median_ms(reps, || gemm(&dz, &x, (1, M), n1, M, N_X, 1));
            let (hn, _) = median_ms(reps, || gemm(&dz, &x, (1, M), n1, M, N_X, cores));
            for (k, v) in [t[0], g1, gn].into_iter().enumerate() {
                best[0][k] = best[0][k].min(v);
            }
            for (k, v) in [t[1], h1, hn].into_iter().enumerate() {
                best[1][k] = best[1][k].min(v);
            }
            diff = [max_rel_diff(&z, &z1), max_rel_diff(&d, &d1)];
        }
        for (p, name) in ["Z = W·X", "dW = dZ·Xᵀ"].into_iter().enumerate() {
            let [own, one, many] = best[p];
            println!(
                "| {name} | {n1} | {own:.3} | {one:.3} | {many:.3} | {:.1e} |",
                diff[p]
            );
        }
    }
}
