//! The decision-region figure of 2-D data: the plane coloured by the predicted class, one colour
//! per class, with the points on top.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Drawn, Figure, axes, both, frame};
use crate::Result;

/// The predicted class of each of a batch of 2-D points.
pub type Classifier<'a> = dyn Fn(&[(f64, f64)]) -> Result<Vec<usize>> + 'a;

/// Whether the span from `lo` to `hi` is a finite number (it is not when either end is infinite,
/// or when they are finite but further apart than the largest f64).
fn step_finite(lo: f64, hi: f64) -> bool {
    (hi - lo).is_finite()
}

/// The planar decision regions: the plane coloured by the predicted class (one colour per class,
/// K of them), the data on top in the darker shade of its class. `predict` maps a batch of
/// points (x1, x2) to their predicted classes. Points too far apart for an f64 to span draw no
/// figure.
pub fn decision_boundary(
    dir: &Path,
    stem: &str,
    title: &str,
    x: &[f64],
    y: &[f64],
    predict: &Classifier,
) -> Result<()> {
    let m = y.len();
    let (x1, x2) = (&x[..m], &x[m..]);
    let range = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min) - 1.0;
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max) + 1.0;
        (lo, hi)
    };
    let ((ax, bx), (ay, by)) = (range(x1), range(x2));
    if !(step_finite(ax, bx) && step_finite(ay, by)) {
        // Points spread over more than an f64 can span: no grid or axis can be laid over them
        // (plotters would search for tick marks forever). The run keeps its other files.
        return Ok(());
    }
    const GRID: usize = 160;
    let step = ((bx - ax) / GRID as f64, (by - ay) / GRID as f64);
    let points: Vec<(f64, f64)> = (0..GRID)
        .flat_map(|i| {
            (0..GRID).map(move |j| {
                (
                    ax + (i as f64 + 0.5) * step.0,
                    ay + (j as f64 + 0.5) * step.1,
                )
            })
        })
        .collect();
    let classes = predict(&points)?;
    let figure = BoundaryFigure {
        title,
        x1,
        x2,
        y,
        points,
        classes,
        bounds: (ax, bx, ay, by),
        step,
    };
    both(dir, stem, (700, 640), &figure)
}

/// Class k's colours: a light one for its region, a dark one for its points. Class 0 is red and
/// class 1 blue (the notes' flower); more classes take the next hues of the list.
fn class_colors(k: usize) -> (RGBColor, RGBColor) {
    // Light (region), dark (points).
    const COLORS: [[u8; 6]; 10] = [
        [245, 190, 180, 200, 40, 30],
        [180, 200, 240, 30, 70, 200],
        [190, 230, 180, 40, 150, 40],
        [250, 225, 170, 220, 140, 0],
        [220, 195, 240, 120, 50, 170],
        [180, 230, 230, 0, 140, 140],
        [245, 200, 225, 200, 50, 130],
        [215, 215, 215, 90, 90, 90],
        [230, 230, 180, 140, 140, 20],
        [205, 185, 170, 120, 70, 40],
    ];
    let [a, b, c, d, e, f] = COLORS[k % COLORS.len()];
    (RGBColor(a, b, c), RGBColor(d, e, f))
}

struct BoundaryFigure<'a> {
    title: &'a str,
    x1: &'a [f64],
    x2: &'a [f64],
    y: &'a [f64],
    points: Vec<(f64, f64)>,
    /// The predicted class of each point.
    classes: Vec<usize>,
    bounds: (f64, f64, f64, f64),
    step: (f64, f64),
}

impl Figure for BoundaryFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        let (x1, x2, y, step) = (self.x1, self.x2, self.y, self.step);
        let ((ax, bx, ay, by), m) = (self.bounds, y.len());
        let mut chart = frame(root, self.title, (40, 50), ax..bx, ay..by)?;
        axes(chart.configure_mesh().disable_mesh(), "x1", "x2")?;
        chart
            .draw_series(
                self.points
                    .iter()
                    .zip(&self.classes)
                    .map(|(&(px, py), &k)| {
                        Rectangle::new(
                            [
                                (px - step.0 / 2.0, py - step.1 / 2.0),
                                (px + step.0 / 2.0, py + step.1 / 2.0),
                            ],
                            class_colors(k).0.filled(),
                        )
                    }),
            )
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(
                (0..m).map(|i| {
                    Circle::new((x1[i], x2[i]), 3, class_colors(y[i] as usize).1.filled())
                }),
            )
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}
