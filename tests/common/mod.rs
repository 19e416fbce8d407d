//! Helpers shared by the integration tests: one test per compiled backend ([`per_backend!`]),
//! where the course files are, and how a test that needs them behaves when they are missing
//! (skip for a user, fail in CI).
#![allow(dead_code, unused_macros)]

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use simplenn::device::{Backend, Compute};

/// `per_backend!(fn name(backend) { … })` defines one `#[test]` per compiled backend, named
/// `name::ndarray`, `name::flex`, `name::wgpu`, `name::cuda` (so `cargo test ::wgpu` runs one
/// backend's tests, and the test list says which backend each ran on). The body is given that
/// backend and hands it (as [`compute`]) to what it calls; the binary started by [`simplenn`] on
/// the body's thread runs on it too.
/// `per_backend!(cpu fn …)` defines the ndarray and flex tests only: for runs too long for a
/// software GPU driver. Attributes before `fn` or `cpu` go on every test, e.g. the
/// `#[cfg_attr(not(cat_files), ignore = "…")]` of a test that needs the course's files
/// (build.rs sets the flags).
macro_rules! per_backend {
    ($(#[$attr:meta])* cpu fn $name:ident($b:ident) $body:block) => {
        per_backend!(@ ["ndarray" ndarray NdArray, "flex" flex Flex] { $(#[$attr])* } fn $name($b) $body);
    };
    ($(#[$attr:meta])* fn $name:ident($b:ident) $body:block) => {
        per_backend!(@ ["ndarray" ndarray NdArray, "flex" flex Flex, "wgpu" wgpu Wgpu, "cuda" cuda Cuda]
            { $(#[$attr])* } fn $name($b) $body);
    };
    (@ [$($feature:literal $test:ident $variant:ident),*] $attrs:tt fn $name:ident($b:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[allow(unused_variables, dead_code)]
            fn body($b: simplenn::device::Backend) $body

            $(
                per_backend!(@test $attrs $feature $test $variant);
            )*
        }
    };
    (@test { $(#[$attr:meta])* } $feature:literal $test:ident $variant:ident) => {
        #[cfg(feature = $feature)]
        #[test]
        $(#[$attr])*
        fn $test() {
            crate::common::on(simplenn::device::Backend::$variant, body)
        }
    };
}

thread_local! {
    /// The backend of the per-backend test running on this thread, for the child processes
    /// [`simplenn`] starts (test-only state: the library is always handed its backend).
    static TEST_BACKEND: Cell<Option<Backend>> = const { Cell::new(None) };
}

/// Runs a per-backend test body on `backend`, unless `SIMPLENN_BACKEND` names another backend:
/// then it says so where the user sees it (straight to the terminal, past libtest's capture) and
/// returns. (`cargo test ::ndarray` selects one backend's tests without any of them passing
/// unrun.)
pub fn on(backend: Backend, body: fn(Backend)) {
    if let Some(only) = std::env::var("SIMPLENN_BACKEND")
        .ok()
        .filter(|v| !v.is_empty())
    {
        let only = Backend::from_name(&only).unwrap_or_else(|e| panic!("SIMPLENN_BACKEND: {e}"));
        if only != backend {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {} on {}: SIMPLENN_BACKEND={} limits the tests to that backend",
                std::thread::current().name().unwrap_or("a test"),
                backend.name(),
                only.name()
            );
            return;
        }
    }
    TEST_BACKEND.with(|b| b.set(Some(backend)));
    eprintln!("backend: {}", backend.name());
    body(backend)
}

/// The backend of this thread's per-backend test, else the default one.
pub fn backend() -> Backend {
    TEST_BACKEND
        .with(Cell::get)
        .unwrap_or_else(Backend::default_compiled)
}

/// What a test computes on with `backend`: the fast path's kernels allowed unless
/// `SIMPLENN_CPU_KERNELS=off`, as on the command line.
pub fn compute(backend: Backend) -> Compute {
    Compute {
        backend,
        kernels: simplenn::device::kernels_allowed(
            std::env::var("SIMPLENN_CPU_KERNELS").ok().as_deref(),
        ),
    }
}

/// A folder under the system's temporary directory, removed with everything in it when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new empty [`TempDir`], unique to this process and call.
pub fn tempdir() -> TempDir {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "simplenn-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).unwrap();
    TempDir(path)
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `datasets/NAME`. A test that calls this carries `#[cfg_attr(not(cat_files), ignore = …)]` (or
/// `flower_file`), so it runs only where build.rs found the file, or in CI; a file missing then
/// (removed since the build, or `--ignored` asked for) fails the test with the way to get it.
pub fn dataset(name: &str) -> PathBuf {
    let path = repo().join("datasets").join(name);
    let how = if name.contains("catvnoncat") {
        "`cargo run -- data fetch cat` gets the course's cat files"
    } else {
        "datasets/README.md says where it comes from"
    };
    assert!(
        path.exists(),
        "datasets/{name} is missing: {how} (in CI, .ci/run links it)"
    );
    path
}

/// A file of the course reference (`numpy_reference.json`, `course_init_params.h5`), looked up in
/// `$SIMPLENN_REFERENCE_DIR` or `../shared/reference` beside the repository. Tests that call this
/// carry `#[cfg_attr(not(course_reference), ignore = …)]`.
pub fn reference(name: &str) -> PathBuf {
    let dirs = [
        std::env::var_os("SIMPLENN_REFERENCE_DIR")
            .map(PathBuf::from)
            .filter(|d| !d.as_os_str().is_empty()),
        Some(repo().join("../shared/reference")),
    ];
    dirs.into_iter()
        .flatten()
        .map(|d| d.join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "{name} is missing: set SIMPLENN_REFERENCE_DIR to the folder holding the course \
                 reference files (in CI, .ci/run sets it)"
            )
        })
}

/// The numpy reference run `name` in `dtype` ("float64"/"float32"): (iterations, costs).
pub fn reference_run(name: &str, dtype: &str) -> serde_json::Value {
    let path = reference("numpy_reference.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name && r["dtype"] == dtype)
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "numpy_reference.json has no run {name} ({dtype}): the file is older than this test"
            )
        })
}

/// Run `cmd`, which must succeed (a failure shows its stderr); its output.
pub fn succeeds(cmd: &mut std::process::Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `simplenn train -q CONFIG --out OUT`, which must succeed: a run folder for a test to use.
pub fn train_into(config: &Path, out: &Path) -> std::process::Output {
    succeeds(
        simplenn()
            .args(["train", "-q"])
            .arg(config)
            .arg("--out")
            .arg(out),
    )
}

/// The simplenn binary, run from the repository root on the backend of this thread's
/// per-backend test (the default backend outside one).
pub fn simplenn() -> std::process::Command {
    let backend = backend();
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_simplenn"));
    c.current_dir(repo())
        .env("SIMPLENN_BACKEND", backend.name())
        // The child's own HDF5 files take no locks, so it never waits on another test's.
        .env("HDF5_USE_FILE_LOCKING", "FALSE");
    no_inherited_files(&mut c);
    c
}

/// Tests run in parallel threads, and HDF5 opens files without O_CLOEXEC: a child started while
/// another thread had an HDF5 file open would keep that descriptor, and with it the file's lock,
/// for its whole life, so that thread could not open the file again after closing it. The child
/// gets only its standard streams: every other descriptor closes at exec.
#[cfg(unix)]
fn no_inherited_files(c: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec the closure makes only async-signal-safe system calls
    // (close_range, fcntl) and touches no memory of the parent.
    unsafe {
        c.pre_exec(|| {
            #[cfg(target_os = "linux")]
            if libc::syscall(
                libc::SYS_close_range,
                3u32,
                u32::MAX,
                libc::CLOSE_RANGE_CLOEXEC,
            ) == 0
            {
                return Ok(());
            }
            // Kernels before 5.11, other systems: mark them one by one (a test process has far
            // fewer than 4096 open).
            for fd in 3..4096 {
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            }
            Ok(())
        });
    }
}

#[cfg(not(unix))]
fn no_inherited_files(_: &mut std::process::Command) {}

/// Write an HDF5 file with a float dataset X of `x_shape` holding `x`, and Y (1, m) of `y`.
pub fn write_xy(path: &Path, x: &[f64], x_shape: &[usize], y: &[i64]) {
    let f = hdf5::File::create(path).unwrap();
    f.new_dataset::<f64>()
        .shape(x_shape.to_vec())
        .create("X")
        .unwrap()
        .write_raw(x)
        .unwrap();
    f.new_dataset::<i64>()
        .shape([1, y.len()])
        .create("Y")
        .unwrap()
        .write_raw(y)
        .unwrap();
}

/// The initial parameters of a config, as a run on `compute` would draw or read them.
pub fn initial_parameters(
    loaded: &simplenn::config::LoadedConfig,
    compute: Compute,
) -> Vec<simplenn::nn::LayerValues> {
    let prepared = simplenn::pipeline::prepare(loaded, compute).unwrap();
    simplenn::pipeline::initial_parameters(loaded, &prepared.spec).unwrap()
}

/// A shipped config with `--set` overrides.
pub fn shipped(name: &str, set: &[&str]) -> simplenn::config::LoadedConfig {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    simplenn::config::Config::load(&repo().join("configs").join(name), &set).unwrap()
}

/// The precision the exactness tests run in: f64 where the backend has it. On a backend without
/// f64 (wgpu) they run in f32 with f32 tolerances, and say so on stderr (the README lists them),
/// instead of being skipped. `SIMPLENN_TEST_F32=1` takes that f32 path on any backend.
pub fn best_precision(test: &str, backend: Backend) -> simplenn::device::Precision {
    use simplenn::device::Precision;
    if std::env::var_os("SIMPLENN_TEST_F32").is_some() {
        eprintln!("NOTE: {test}: SIMPLENN_TEST_F32 is set; running in f32 with f32 tolerances");
        Precision::F32
    } else if backend.supports_f64() {
        Precision::F64
    } else {
        eprintln!(
            "NOTE: {test}: the {} backend has no usable f64; running in f32 with f32 tolerances",
            backend.name()
        );
        Precision::F32
    }
}

/// A picture of `size`×`size` pixels around grey level `level`, with seeded noise.
pub fn picture(path: &Path, size: usize, level: f64, rng: &mut simplenn::rng::NumpyRng) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let rgb: Vec<u8> = (0..size * size * 3)
        .map(|_| (level + 30.0 * rng.uniform()).clamp(0.0, 255.0) as u8)
        .collect();
    simplenn::image_input::write_png(path, &rgb, size, size).unwrap();
}

/// `root/dark` and `root/light`: `n` pictures each (6×6), plus a file that is not a picture.
pub fn picture_folders(root: &Path, n: usize, seed: u32) {
    let mut rng = simplenn::rng::NumpyRng::new(seed);
    for i in 0..n {
        picture(
            &root.join("dark").join(format!("{i:02}.png")),
            6,
            40.0,
            &mut rng,
        );
        picture(
            &root.join("light").join(format!("{i:02}.PNG")),
            6,
            180.0,
            &mut rng,
        );
    }
    std::fs::write(root.join("dark").join("notes.txt"), "not a picture").unwrap();
}

/// The iterations (or epochs) of the "Cost after iteration N: …" lines a run printed.
pub fn logged_steps(stdout: &[u8]) -> Vec<usize> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("Cost after "))
        .filter_map(|rest| {
            rest.split(':')
                .next()?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .collect()
}

/// A copy at `to` of the checkpoint in `dir`, with 0.25 added to the first weight of W[1] (in its
/// model file), as if the run had reached other parameters: a resume that reads the checkpoint
/// must end elsewhere than the original's.
pub fn nudged_copy(dir: &Path, to: &Path) -> PathBuf {
    use simplenn::run_dir;
    std::fs::create_dir(to).unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
    let compute = compute(backend());
    let saved = run_dir::load(to, compute).unwrap();
    let mut layers = saved.model.layer_values().unwrap();
    layers[0].w[0] += 0.25;
    let spec = saved
        .config
        .config
        .model_spec(saved.metrics.layers[0], saved.classes().len())
        .unwrap();
    let model = spec.init_with(&layers, &compute.device());
    std::fs::write(
        to.join(run_dir::MODEL_FILE),
        run_dir::model_bytes(&model).unwrap(),
    )
    .unwrap();
    let back = run_dir::load(to, compute)
        .unwrap()
        .model
        .layer_values()
        .unwrap();
    assert_ne!(
        back,
        saved.model.layer_values().unwrap(),
        "the nudge did not reach the file"
    );
    to.to_path_buf()
}
