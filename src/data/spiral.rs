//! `kind = "spiral"`: K arms winding out from the centre, one class each — the classic K-class
//! set (cs231n's) that a linear classifier cannot separate and one hidden layer can.
//!
//! Arm j has N points at radius r = linspace(0, 1, N) and angle
//! t = linspace(4j, 4(j + 1), N) + randn(N)·noise, at (r·sin t, r·cos t); the draws come from
//! numpy's legacy generator seeded with `data.seed`, arm after arm, as
//! `np.random.seed(seed); … np.random.randn(N)` would give them.

use super::Dataset;
use super::planar::linspace;
use crate::rng::NumpyRng;

/// How far each arm turns, in radians.
const TURN: f64 = 4.0;

/// X (2, K·N), Y the arm of each point: arm 0's N points first, then arm 1's, …
pub fn arms(k: usize, n: usize, noise: f64, seed: u32) -> Dataset {
    let mut rng = NumpyRng::new(seed);
    let m = k * n;
    let (mut x1, mut x2, mut y) = (
        Vec::with_capacity(m),
        Vec::with_capacity(m),
        Vec::with_capacity(m),
    );
    for arm in 0..k {
        let r = linspace(0.0, 1.0, n);
        let start = arm as f64 * TURN;
        let t = linspace(start, start + TURN, n)
            .into_iter()
            .zip(rng.randn(n))
            .map(|(t, e)| t + e * noise);
        for (r, t) in r.iter().zip(t) {
            x1.push(r * t.sin());
            x2.push(r * t.cos());
            y.push(arm as f64);
        }
    }
    let mut x = x1;
    x.extend(x2);
    Dataset { n_x: 2, m, x, y }
}

/// The class names: `arm 0`, `arm 1`, …
pub fn names(k: usize) -> Vec<String> {
    (0..k).map(|j| format!("arm {j}")).collect()
}
