//! The classes of a data set: class k is the k-th name of a list, and a label is the index k.
//! Every kind of data finds its classes by the same rules, written here: the names of label
//! values and folders in sorted order (as numbers when they all are), `list_classes` in its own
//! order, or the order `data.classes` fixes; with two classes `positive` picks class 1 instead.
//! Data without names (an HDF5 `Y` of integers) is numbered 0 … K−1 by its labels, and
//! `data.classes` names them.
//!
//! What a label is turned into for a formula (Y one-hot) is in [`targets`]; the models see only
//! that.

use std::collections::BTreeSet;

/// The names of data that has none of its own: `class 0`, `class 1`, … (K of them).
pub fn unnamed(k: usize) -> Vec<String> {
    (0..k).map(|c| format!("class {c}")).collect()
}

/// Quoted names for messages: `"a", "b", "c"`.
pub fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a config says of the classes' order: `data.classes` (`fixed`), or, for two classes,
/// `positive`, the name of class 1.
#[derive(Debug, Clone, Copy, Default)]
pub struct Naming<'a> {
    pub fixed: Option<&'a [String]>,
    pub positive: Option<&'a str>,
}

/// The order of the classes whose names are `found` (the data's distinct label values or class
/// folders): `data.classes` when the config gives it, which must list exactly these names; else
/// sorted, with `positive` as class 1 when it is given (two classes only). An error is a
/// sentence the caller puts after the place it is about.
pub fn order(found: &BTreeSet<String>, naming: Naming) -> Result<Vec<String>, String> {
    let mut sorted: Vec<String> = found.iter().cloned().collect();
    // Names that are all numbers sort as numbers ("2" before "10"); others as text.
    if let Ok(mut numbers) = sorted
        .iter()
        .map(|n| n.trim().parse::<f64>().map(|v| (v, n.clone())))
        .collect::<Result<Vec<_>, _>>()
        && numbers.iter().all(|(v, _)| v.is_finite())
    {
        numbers.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        sorted = numbers.into_iter().map(|(_, n)| n).collect();
    }
    if sorted.len() < 2 {
        return Err(format!(
            "only one class ({}); a classifier needs examples of at least two classes",
            quoted(&sorted)
        ));
    }
    if let Some(fixed) = naming.fixed {
        if let Some(extra) = fixed.iter().find(|n| !found.contains(*n)) {
            return Err(format!(
                "data.classes names \"{extra}\", which is not one of the data's classes ({}); list exactly those",
                quoted(&sorted)
            ));
        }
        if let Some(missing) = sorted.iter().find(|n| !fixed.contains(n)) {
            return Err(format!(
                "data.classes does not name \"{missing}\", one of the data's classes ({}); list every class once",
                quoted(&sorted)
            ));
        }
        return Ok(fixed.to_vec());
    }
    match naming.positive {
        None => Ok(sorted),
        Some(p) if sorted.len() > 2 => Err(format!(
            "data.positive = \"{p}\" picks class 1 of two classes, but the data has {} ({}); remove it \
             (data.classes = [...] fixes the order of more classes)",
            sorted.len(),
            quoted(&sorted)
        )),
        Some(p) => {
            let one = sorted.iter().find(|n| *n == p).ok_or_else(|| {
                format!(
                    "data.positive = \"{p}\" is not one of the data's classes ({}); set it to one of them",
                    quoted(&sorted)
                )
            })?;
            let zero = sorted.iter().find(|n| *n != p).expect("two classes");
            Ok(vec![zero.clone(), one.clone()])
        }
    }
}

/// The classes of training data labelled by class numbers 0 … K−1 (an HDF5 `Y`, checked to be
/// whole numbers ≥ 0): `names` when the file or the config names them, which must cover every
/// label; else K is one more than the largest label and the classes are [`unnamed`]. An error
/// names a label past the names and a class with no example.
pub fn numbered(labels: &[f64], names: Option<&[String]>) -> Result<Vec<String>, String> {
    let largest = labels.iter().fold(0.0f64, |a, &v| a.max(v));
    if names.is_none() && largest >= labels.len() as f64 {
        // Every class 0 … K−1 needs an example, so K ≤ m: a larger label is a gap, found
        // before K names are made for it.
        let i = labels.iter().position(|&v| v == largest).unwrap_or(0);
        return Err(format!(
            "has label {largest} at index {i}, but only {} examples: the labels must number the classes 0 … K−1 without gaps",
            labels.len()
        ));
    }
    let largest = largest as usize;
    let names = match names {
        Some(names) => {
            if let Some((i, v)) = labels
                .iter()
                .enumerate()
                .find(|(_, v)| **v as usize >= names.len())
            {
                return Err(format!(
                    "has label {v} at index {i}, but there are {} class names ({}: labels 0 … {}); \
                     name every class",
                    names.len(),
                    quoted(names),
                    names.len() - 1
                ));
            }
            names.to_vec()
        }
        None => unnamed(largest + 1),
    };
    if names.len() < 2 {
        return Err(
            "has only the label 0; a classifier needs examples of at least two classes".into(),
        );
    }
    let counts = counts(labels, names.len());
    if let Some(empty) = counts.iter().position(|&n| n == 0) {
        return Err(format!(
            "has no example of class {empty} (\"{}\") among its labels 0 … {}; every class needs training \
             examples (number the classes 0 … K−1 without gaps)",
            names[empty],
            names.len() - 1
        ));
    }
    Ok(names)
}

/// A test set's labels, numbered like training's K classes: an error names the first label
/// that is not one of them.
pub fn check_test_labels(labels: &[f64], k: usize) -> Result<(), String> {
    match labels
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.fract() == 0.0 && **v >= 0.0 && (**v as usize) < k))
    {
        Some((i, v)) => Err(format!(
            "has label {v} at index {i}, but the training set has the classes 0 … {}; a test set can \
             only hold the training set's classes",
            k - 1
        )),
        None => Ok(()),
    }
}

/// Whether two lists name the same classes, in any order.
pub fn same_names(a: &[String], b: &[String]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort();
    b.sort();
    a == b
}

/// Examples of each of `k` classes.
pub fn counts(labels: &[f64], k: usize) -> Vec<usize> {
    let mut counts = vec![0; k];
    for &y in labels {
        if let Some(c) = counts.get_mut(y as usize) {
            *c += 1;
        }
    }
    counts
}

/// Labels numbered by the order `from` re-numbered by the order `to` (the same names).
pub fn renumber(labels: &mut [f64], from: &[String], to: &[String]) {
    let map: Vec<f64> = from
        .iter()
        .map(|name| to.iter().position(|n| n == name).expect("same names") as f64)
        .collect();
    for y in labels {
        *y = map[*y as usize];
    }
}

/// Y as the cost's formula reads it, row-major: for one output unit (σ, two classes) the labels
/// themselves, (1, m); for K ≥ 2 units (softmax) one-hot, (K, m): Y[k, i] = 1 when example i is
/// of class k.
pub fn targets(labels: &[f64], units: usize) -> Vec<f64> {
    if units == 1 {
        return labels.to_vec();
    }
    let m = labels.len();
    let mut y = vec![0.0; units * m];
    for (i, &label) in labels.iter().enumerate() {
        y[label as usize * m + i] = 1.0;
    }
    y
}
