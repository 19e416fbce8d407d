//! Helpers shared by the integration tests: where the course files are, and how a test that
//! needs them behaves when they are missing (skip for a user, fail in CI).
#![allow(dead_code)]

use std::path::PathBuf;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `datasets/NAME` if present. Missing: panics when `CI` is set, otherwise prints why the test
/// is skipped and where to get the file, and returns None.
pub fn dataset(name: &str) -> Option<PathBuf> {
    let path = repo().join("datasets").join(name);
    if path.exists() {
        return Some(path);
    }
    missing(
        &format!("datasets/{name}"),
        "see datasets/README.md for where to get it",
    )
}

/// A file of the course reference (`numpy_reference.json`, `course_init_params.h5`), looked up in
/// `$SIMPLENN_REFERENCE_DIR` or `../shared/reference` beside the repository.
pub fn reference(name: &str) -> Option<PathBuf> {
    let dirs = [
        std::env::var_os("SIMPLENN_REFERENCE_DIR")
            .map(PathBuf::from)
            .filter(|d| !d.as_os_str().is_empty()),
        Some(repo().join("../shared/reference")),
    ];
    for d in dirs.into_iter().flatten() {
        if d.join(name).exists() {
            return Some(d.join(name));
        }
    }
    missing(
        name,
        "set SIMPLENN_REFERENCE_DIR to the folder holding the course reference files",
    )
}

fn missing(what: &str, how: &str) -> Option<PathBuf> {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is missing in CI; .ci/run must make it available ({how})");
    }
    eprintln!("SKIPPED: {what} is not installed; {how}");
    None
}

/// The numpy reference run `name` in `dtype` ("float64"/"float32"): (iterations, costs).
pub fn reference_run(name: &str, dtype: &str) -> Option<serde_json::Value> {
    let path = reference("numpy_reference.json")?;
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name && r["dtype"] == dtype)
        .cloned()
}

/// The simplenn binary, run from the repository root.
pub fn simplenn() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("simplenn").unwrap();
    c.current_dir(repo());
    c
}

/// A shipped config with `--set` overrides.
pub fn shipped(name: &str, set: &[&str]) -> simplenn::config::LoadedConfig {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    simplenn::config::Config::load(&repo().join("configs").join(name), &set).unwrap()
}

/// The precision the exactness tests run in: f64 where the backend has it. On a backend without
/// f64 (wgpu) they run in f32 with f32 tolerances, and say so on stderr (the README lists them),
/// instead of being skipped. `SIMPLENN_TEST_F32=1` takes that f32 path on any backend.
pub fn best_precision(test: &str) -> simplenn::device::Precision {
    use simplenn::device::{BACKEND, Precision, supports_f64};
    if std::env::var_os("SIMPLENN_TEST_F32").is_some() {
        eprintln!("NOTE: {test}: SIMPLENN_TEST_F32 is set; running in f32 with f32 tolerances");
        Precision::F32
    } else if supports_f64() {
        Precision::F64
    } else {
        eprintln!(
            "NOTE: {test}: the {BACKEND} backend has no usable f64; running in f32 with f32 tolerances"
        );
        Precision::F32
    }
}
