//! The notes' planar "flower": two classes of points on the petals of r = a·sin(4t).
//!
//! With the default m = 400, noise = 0.2, seed = 1 this is *exactly* the numpy
//! `load_planar_dataset()` of the notes (same MT19937 stream, same order of draws).

use super::Dataset;
use crate::rng::NumpyRng;

/// Petal length `a` in the notes.
const PETAL: f64 = 4.0;
/// Each class spans an angle of 3.12 rad, as in the notes.
const SPAN: f64 = 3.12;

/// X (2, m), Y (1, m): the first m/2 points are class 0, the rest class 1.
pub fn flower(m: usize, noise: f64, seed: u32) -> Dataset {
    let mut rng = NumpyRng::new(seed);
    let per_class = m / 2;
    let mut x1 = Vec::with_capacity(m);
    let mut x2 = Vec::with_capacity(m);
    let mut y = Vec::with_capacity(m);
    for class in 0..2 {
        // t = linspace(j·3.12, (j+1)·3.12, N) + randn(N)·noise
        let (start, stop) = (class as f64 * SPAN, (class + 1) as f64 * SPAN);
        let t: Vec<f64> = linspace(start, stop, per_class)
            .into_iter()
            .zip(rng.randn(per_class))
            .map(|(t, e)| t + e * noise)
            .collect();
        // r = a·sin(4t) + randn(N)·noise
        let r: Vec<f64> = t
            .iter()
            .zip(rng.randn(per_class))
            .map(|(t, e)| PETAL * (4.0 * t).sin() + e * noise)
            .collect();
        for (t, r) in t.iter().zip(&r) {
            x1.push(r * t.sin());
            x2.push(r * t.cos());
            y.push(class as f64);
        }
    }
    let m = y.len();
    let mut x = x1;
    x.extend(x2);
    Dataset { n_x: 2, m, x, y }
}

/// `np.linspace(start, stop, n)`: i·step + start, with the last point set to `stop` exactly.
pub(super) fn linspace(start: f64, stop: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![start];
    }
    let step = (stop - start) / (n - 1) as f64;
    let mut v: Vec<f64> = (0..n).map(|i| i as f64 * step + start).collect();
    v[n - 1] = stop;
    v
}
