//! How a classifier's predictions meet the labels: the K × K confusion matrix and, from it, each
//! class's precision, recall and F1 with their macro averages (the unweighted mean over the
//! classes, so a small class counts as much as a large one). Training's metrics and `evaluate`
//! both report them from here.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// Counts of (label, prediction) pairs: `counts[label][prediction]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    pub counts: Vec<Vec<usize>>,
}

/// One class's figures. Precision = TP / (TP + FP), recall = TP / (TP + FN),
/// F1 = 2·P·R / (P + R); a ratio with nothing to count (a class never predicted, or with no
/// examples) is 0, as scikit-learn's `zero_division=0` gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassScores {
    pub class: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Examples of the class.
    pub support: usize,
}

/// What `metrics.json` keeps of a set: the confusion matrix, every class's figures and their
/// macro averages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassReport {
    /// Rows: label; columns: prediction; in the order of the classes.
    pub confusion: Vec<Vec<usize>>,
    pub per_class: Vec<ClassScores>,
    pub macro_average: ClassScores,
}

impl Confusion {
    /// The matrix of `k` classes for the predicted classes `predicted` and the labels `labels`.
    pub fn new(k: usize, predicted: &[usize], labels: &[f64]) -> Confusion {
        let mut counts = vec![vec![0; k]; k];
        for (&p, &y) in predicted.iter().zip(labels) {
            counts[y as usize][p] += 1;
        }
        Confusion { counts }
    }

    /// Precision, recall and F1 of each class (named by `classes`), then their macro averages.
    pub fn report(&self, classes: &[String]) -> ClassReport {
        let k = self.counts.len();
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let per_class: Vec<ClassScores> = (0..k)
            .map(|c| {
                let tp = self.counts[c][c];
                let predicted: usize = (0..k).map(|r| self.counts[r][c]).sum();
                let support: usize = self.counts[c].iter().sum();
                let (precision, recall) = (ratio(tp, predicted), ratio(tp, support));
                let f1 = if precision + recall == 0.0 {
                    0.0
                } else {
                    2.0 * precision * recall / (precision + recall)
                };
                ClassScores {
                    class: classes
                        .get(c)
                        .cloned()
                        .unwrap_or_else(|| format!("class {c}")),
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect();
        let mean = |f: fn(&ClassScores) -> f64| per_class.iter().map(f).sum::<f64>() / k as f64;
        let macro_average = ClassScores {
            class: "macro average".into(),
            precision: mean(|s| s.precision),
            recall: mean(|s| s.recall),
            f1: mean(|s| s.f1),
            support: per_class.iter().map(|s| s.support).sum(),
        };
        ClassReport {
            confusion: self.counts.clone(),
            per_class,
            macro_average,
        }
    }
}

impl ClassReport {
    /// The matrix with the class names on both sides, then the per-class table, indented by two
    /// spaces, as `evaluate` prints them.
    pub fn table(&self) -> String {
        let names: Vec<&str> = self.per_class.iter().map(|s| s.class.as_str()).collect();
        let w = names
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
            .max("macro average".len());
        let mut out = String::from("  confusion matrix (rows: label, columns: prediction)\n");
        let _ = write!(out, "  {:>w$}", "");
        for n in &names {
            let _ = write!(out, "  {n:>w$}");
        }
        out.push('\n');
        for (n, row) in names.iter().zip(&self.confusion) {
            let _ = write!(out, "  {n:>w$}");
            for count in row {
                let _ = write!(out, "  {count:>w$}");
            }
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "  {:>w$}  {:>9}  {:>9}  {:>9}  {:>7}",
            "class", "precision", "recall", "F1", "support"
        );
        for s in self.per_class.iter().chain([&self.macro_average]) {
            let _ = writeln!(
                out,
                "  {:>w$}  {:>9.3}  {:>9.3}  {:>9.3}  {:>7}",
                s.class, s.precision, s.recall, s.f1, s.support
            );
        }
        out
    }
}
