//! What `[data]` asks for after loading: a seeded split that keeps the class ratio, and feature
//! scaling by the training set's statistics. Both are recorded in the run folder (`input.json`)
//! so that `evaluate`, `predict` and `export` apply exactly what training saw.

use serde::{Deserialize, Serialize};

use super::Dataset;
use crate::rng::NumpyRng;

/// Which examples of the loaded set (by index, in file order) went to each part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitRecord {
    pub fraction: f64,
    pub seed: u32,
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// Split `data` so that `fraction` of each class (rounded, at least one) becomes the test set:
/// each class's indices are shuffled by `seed` (Fisher–Yates on numpy's generator) and the first
/// ones taken. Both parts keep the file order. An error names the class that one part would lack.
pub fn split(
    data: &Dataset,
    fraction: f64,
    seed: u32,
    classes: &[String],
) -> Result<(Dataset, Dataset, SplitRecord), String> {
    let mut rng = NumpyRng::new(seed);
    let mut test = Vec::new();
    for (class, name) in classes.iter().enumerate() {
        let mut members: Vec<usize> = (0..data.m).filter(|&i| data.y[i] == class as f64).collect();
        let n = members.len();
        if n == 0 {
            return Err(format!(
                "data.split = {fraction}: class \"{name}\" has no examples, so the test set cannot keep its share; \
                 the data needs examples of every class"
            ));
        }
        let k = (fraction * n as f64).round() as usize;
        if k == 0 || k == n {
            return Err(format!(
                "data.split = {fraction}: class \"{name}\" has {n} example(s), so {} would get none of it; \
                 choose a split between {:.3} and {:.3}, or add examples",
                if k == 0 {
                    "the test set"
                } else {
                    "the training set"
                },
                0.5 / n.max(1) as f64,
                1.0 - 0.5 / n.max(1) as f64
            ));
        }
        rng.shuffle(&mut members);
        test.extend_from_slice(&members[..k]);
    }
    test.sort_unstable();
    let in_test = {
        let mut mask = vec![false; data.m];
        for &i in &test {
            mask[i] = true;
        }
        mask
    };
    let train: Vec<usize> = (0..data.m).filter(|&i| !in_test[i]).collect();
    Ok((
        data.select(&train),
        data.select(&test),
        SplitRecord {
            fraction,
            seed,
            train,
            test,
        },
    ))
}

/// Per-feature mean and standard deviation of a training set: x ↦ (x − mean) / std.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    pub mean: Vec<f64>,
    /// The population standard deviation; 1 for a feature that is constant in the training set
    /// (it is then only centred).
    pub std: Vec<f64>,
}

impl Scaling {
    /// The statistics of a set in memory, by [`Scaling::fit_passes`] over its examples, each
    /// gathered into one reused row (X is not copied whole: a large set stays within its size).
    pub fn fit(data: &Dataset) -> Scaling {
        let (n_x, m) = (data.n_x, data.m);
        let fitted = Scaling::fit_passes(n_x, m, |f| {
            let mut row = vec![0.0; n_x];
            for i in 0..m {
                for (k, v) in row.iter_mut().enumerate() {
                    *v = data.x[k * m + i];
                }
                f(&row);
            }
            Ok::<(), std::convert::Infallible>(())
        });
        match fitted {
            Ok(scaling) => scaling,
            Err(never) => match never {},
        }
    }

    /// The one statistics routine, in memory and streamed: the mean and population standard
    /// deviation of each of `n_x` features over `m` examples, in two passes (sums, then squared
    /// deviations from the mean). `pass(f)` calls `f` on every example's `n_x` values, in the
    /// set's order, or fails. Each feature's sums add the examples in that order, starting from
    /// -0.0 as `Iterator::sum` does: a set gives the same bits whether it is in memory or read
    /// from disk a block at a time.
    pub fn fit_passes<E>(
        n_x: usize,
        m: usize,
        mut pass: impl FnMut(&mut dyn FnMut(&[f64])) -> std::result::Result<(), E>,
    ) -> std::result::Result<Scaling, E> {
        let m = m.max(1) as f64;
        let mut sum = vec![-0.0; n_x];
        pass(&mut |row: &[f64]| sum.iter_mut().zip(row).for_each(|(s, v)| *s += v))?;
        let mean: Vec<f64> = sum.iter().map(|s| s / m).collect();
        let mut squares = vec![-0.0; n_x];
        pass(&mut |row: &[f64]| {
            for ((q, v), mu) in squares.iter_mut().zip(row).zip(&mean) {
                *q += (v - mu) * (v - mu);
            }
        })?;
        let std = squares.iter().map(|&q| Scaling::std_of(q, m)).collect();
        Ok(Scaling { mean, std })
    }

    /// The population standard deviation from the sum of squared deviations of `m` values; 1
    /// for a constant feature (it is then only centred).
    pub fn std_of(squares: f64, m: f64) -> f64 {
        let std = (squares / m).sqrt();
        if std > 0.0 { std } else { 1.0 }
    }

    /// Feature `f`'s value `v`, scaled.
    fn scale(&self, f: usize, v: f64) -> f64 {
        (v - self.mean[f]) / self.std[f]
    }

    /// Scale every example of `data` (which must have this scaling's features).
    pub fn apply(&self, data: &mut Dataset) {
        for (f, row) in data.x.chunks_exact_mut(data.m.max(1)).enumerate() {
            row.iter_mut().for_each(|v| *v = self.scale(f, *v));
        }
    }

    /// Scale one example's features.
    pub fn apply_one(&self, features: &mut [f64]) {
        for (f, v) in features.iter_mut().enumerate() {
            *v = self.scale(f, *v);
        }
    }

    /// The features of one scaled example as they were before scaling.
    pub fn unapply_one(&self, features: &mut [f64]) {
        for (f, v) in features.iter_mut().enumerate() {
            *v = *v * self.std[f] + self.mean[f];
        }
    }

    /// W[1] and b[1] that compute on raw features what `w` and `b` compute on scaled ones:
    /// W·((x − μ)/σ) + b = (W/σ)·x + (b − (W/σ)·μ). `w` is row-major (n_out, n_x).
    pub fn fold_into(&self, w: &mut [f64], b: &mut [f64]) {
        let n_x = self.mean.len();
        for (row, bias) in w.chunks_exact_mut(n_x).zip(b) {
            for (f, v) in row.iter_mut().enumerate() {
                *v /= self.std[f];
                *bias -= *v * self.mean[f];
            }
        }
    }
}
