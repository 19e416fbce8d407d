//! Tells the integration tests which course files this machine has, as cfg flags: a test that
//! needs a missing file is then reported by `cargo test` as *ignored*, with the command that gets
//! the file, and counted in each summary line ("N ignored"), instead of passing without having
//! run. In CI (`CI` set) every flag is on, so a missing file fails its tests there.
//!
//! - `cat_files`: `datasets/train_catvnoncat.h5` and `datasets/test_catvnoncat.h5`;
//! - `flower_file`: `datasets/planar_flower.h5`, the flower as numpy generates it;
//! - `course_reference`: `numpy_reference.json` and `course_init_params.h5` in
//!   `$SIMPLENN_REFERENCE_DIR` or `../shared/reference`.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    // A file added to or removed from datasets/ (a fetch, a symlink) changes the folder.
    println!("cargo::rerun-if-changed=datasets");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=SIMPLENN_REFERENCE_DIR");
    println!("cargo::rustc-check-cfg=cfg(cat_files, flower_file, course_reference)");

    let ci = std::env::var_os("CI").is_some();
    let datasets = Path::new("datasets");
    let all_in = |dir: &Path, names: &[&str]| names.iter().all(|n| dir.join(n).exists());
    if ci || all_in(datasets, &["train_catvnoncat.h5", "test_catvnoncat.h5"]) {
        println!("cargo::rustc-cfg=cat_files");
    }
    if ci || all_in(datasets, &["planar_flower.h5"]) {
        println!("cargo::rustc-cfg=flower_file");
    }
    let reference: Vec<PathBuf> = [
        std::env::var_os("SIMPLENN_REFERENCE_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from),
        Some(PathBuf::from("../shared/reference")),
    ]
    .into_iter()
    .flatten()
    .filter(|d| d.is_dir())
    .collect();
    for dir in &reference {
        println!("cargo::rerun-if-changed={}", dir.display());
    }
    let files = ["numpy_reference.json", "course_init_params.h5"];
    if ci || reference.iter().any(|d| all_in(d, &files)) {
        println!("cargo::rustc-cfg=course_reference");
    }
}
