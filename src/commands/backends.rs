//! `simplenn backends`: the backends compiled into this binary, the default, and f64 support.

use crate::device::{self, Backend};

/// `simplenn backends`: one line per compiled backend, the default and this run's choice marked.
pub fn backends(chosen: Backend) {
    println!(
        "backends compiled into this binary (choose with --backend NAME or SIMPLENN_BACKEND=NAME):"
    );
    let default = Backend::default_compiled();
    for b in Backend::compiled() {
        let mut marks = Vec::new();
        if b == default {
            marks.push("default");
        }
        if b == chosen && b != default {
            marks.push("chosen");
        }
        let marks = if marks.is_empty() {
            String::new()
        } else {
            format!(" ({})", marks.join(", "))
        };
        println!(
            "  {:<8}{marks:<12} {}",
            b.name(),
            b.f64_support().describe()
        );
    }
    let missing: Vec<&str> = device::KNOWN
        .iter()
        .copied()
        .filter(|k| Backend::from_name(k).is_err())
        .collect();
    if !missing.is_empty() {
        println!(
            "not compiled in: {} (add with cargo's --features, e.g. --features {})",
            missing.join(", "),
            missing[0]
        );
    }
}
