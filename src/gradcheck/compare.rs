//! Comparison of the three gradients: error measures, tolerances and the printed table.

use std::fmt;

use crate::device::Precision;

/// ‖g₁ − g₂‖ / (‖g₁‖ + ‖g₂‖) — the course's gradient-check measure (0 when both are 0).
pub fn relative_error(g1: &[f64], g2: &[f64]) -> f64 {
    let norm = |v: &mut dyn Iterator<Item = f64>| v.map(|x| x * x).sum::<f64>().sqrt();
    let diff = norm(&mut g1.iter().zip(g2).map(|(a, b)| a - b));
    let denom = norm(&mut g1.iter().copied()) + norm(&mut g2.iter().copied());
    if denom == 0.0 { 0.0 } else { diff / denom }
}

/// max |g₁ − g₂|
pub fn max_abs_diff(g1: &[f64], g2: &[f64]) -> f64 {
    g1.iter()
        .zip(g2)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
}

/// The thresholds a check must meet.
#[derive(Debug, Clone, Copy)]
pub struct Tolerances {
    /// autodiff ↔ handwritten, relative error, in the checked precision.
    pub handwritten: f64,
    /// f32 only: a parameter whose gradient is so close to 0 that f32 rounding of its O(1)
    /// summands dominates (e.g. db[L] = mean(A − Y) at initialisation) passes when
    /// max|Δ| is within this absolute bound — a few f32 ulps of the summands.
    pub handwritten_abs_floor: Option<f64>,
    /// autodiff (f64) ↔ finite differences (f64), relative error.
    pub numerical: f64,
}

impl Tolerances {
    /// Whether an autodiff ↔ handwritten comparison passes.
    pub fn handwritten_ok(&self, relative: f64, max_abs: f64) -> bool {
        relative <= self.handwritten
            || self
                .handwritten_abs_floor
                .is_some_and(|floor| max_abs <= floor)
    }

    /// f64: 1e-10 (both are exact up to rounding); f32: 1e-4 (float32 rounding over long sums).
    /// Numerical: 2e-7, the course's gradient-check threshold, always in f64.
    pub fn for_precision(p: Precision) -> Tolerances {
        // (see the fields for the f32 absolute floor)
        match p {
            Precision::F64 => Tolerances {
                handwritten: 1e-10,
                handwritten_abs_floor: None,
                numerical: 2e-7,
            },
            Precision::F32 => Tolerances {
                handwritten: 1e-4,
                handwritten_abs_floor: Some(1e-6),
                numerical: 2e-7,
            },
        }
    }
}

/// The numerical comparison of one parameter.
#[derive(Debug, Clone)]
pub struct NumericRow {
    pub max_abs: f64,
    pub relative: f64,
    pub checked: usize,
    pub skipped_at_kinks: usize,
    pub sampled: bool,
}

/// One parameter's line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    pub shape: (usize, usize),
    pub hand_max_abs: f64,
    pub hand_relative: f64,
    pub numeric: Option<NumericRow>,
    pub passed: bool,
}

/// The whole check.
#[derive(Debug, Clone)]
pub struct Report {
    pub title: String,
    /// The precision the three witnesses computed in, and the tolerances that go with it.
    pub precision: Precision,
    pub tolerances: Tolerances,
    /// One row per parameter (W[l], b[l]).
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.rows.iter().all(|r| r.passed)
    }

    /// Names of the parameters that failed.
    pub fn failed_params(&self) -> Vec<String> {
        self.rows
            .iter()
            .filter(|r| !r.passed)
            .map(|r| r.name.clone())
            .collect()
    }

    pub fn row(&self, name: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.name == name)
    }

    pub fn failures_summary(&self) -> String {
        format!(
            "{} disagree beyond tolerance",
            self.failed_params().join(", ")
        )
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.tolerances;
        writeln!(f, "{}", self.title)?;
        writeln!(
            f,
            "tolerances: autodiff↔handwritten rel ≤ {:.0e}{} ({}), autodiff↔numerical rel ≤ {:.0e} (f64, five-point central differences, h = {:.0e}, smaller beside ReLU kinks)",
            t.handwritten,
            t.handwritten_abs_floor
                .map(|a| format!(" or max|Δ| ≤ {a:.0e}"))
                .unwrap_or_default(),
            self.precision.name(),
            t.numerical,
            super::numeric::EPSILON
        )?;
        writeln!(
            f,
            "{:<6} {:>12} │ {:>11} {:>11} │ {:>11} {:>11} {:>14} │ result",
            "param", "shape", "hand max|Δ|", "hand rel", "num max|Δ|", "num rel", "coords"
        )?;
        writeln!(f, "{}", "─".repeat(104))?;
        for r in &self.rows {
            let shape = format!("({}, {})", r.shape.0, r.shape.1);
            let (num_abs, num_rel, coords) = match &r.numeric {
                Some(n) => (
                    format!("{:.2e}", n.max_abs),
                    format!("{:.2e}", n.relative),
                    format!(
                        "{}{}{}",
                        n.checked,
                        if n.sampled { " sampled" } else { " all" },
                        if n.skipped_at_kinks > 0 {
                            format!(" −{}k", n.skipped_at_kinks)
                        } else {
                            String::new()
                        }
                    ),
                ),
                None => ("—".into(), "—".into(), "—".into()),
            };
            writeln!(
                f,
                "{:<6} {:>12} │ {:>11.2e} {:>11.2e} │ {:>11} {:>11} {:>14} │ {}",
                r.name,
                shape,
                r.hand_max_abs,
                r.hand_relative,
                num_abs,
                num_rel,
                coords,
                if r.passed { "PASS" } else { "FAIL" }
            )?;
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        writeln!(
            f,
            "verdict: {}",
            if self.passed() {
                "PASS — all three gradients agree".to_string()
            } else {
                format!("FAIL — {}", self.failures_summary())
            }
        )
    }
}
