//! The command line, end to end through the real binary.

#[macro_use]
mod common;

use common::simplenn;
use simplenn::device::{Backend, KNOWN};

/// The binary with no backend chosen by the environment.
fn simplenn_unset() -> std::process::Command {
    let mut c = simplenn();
    c.env_remove("SIMPLENN_BACKEND");
    c
}

#[test]
fn backends_lists_every_compiled_backend_and_marks_the_default() {
    let out = simplenn_unset().arg("backends").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let compiled = Backend::compiled();
    for b in &compiled {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(b.name()))
            .unwrap_or_else(|| panic!("{} not listed:\n{text}", b.name()));
        // The default is ndarray when compiled in, else the first of flex, wgpu, cuda.
        let default = KNOWN
            .iter()
            .find(|k| compiled.iter().any(|c| c.name() == **k))
            .unwrap();
        assert_eq!(line.contains("(default"), b.name() == *default, "{text}");
        // The CPU backends compute f64 exactly; the self-test must not reject them.
        if b.is_cpu() {
            assert!(line.contains("f64 supported"), "{text}");
        }
    }
    // Listed lines are exactly the compiled backends.
    let listed = text.lines().filter(|l| l.starts_with("  ")).count();
    assert_eq!(listed, compiled.len(), "{text}");
    let version =
        String::from_utf8(simplenn_unset().arg("--version").output().unwrap().stdout).unwrap();
    for b in &compiled {
        assert!(version.contains(b.name()), "{version}");
    }
}

/// Exit 2, a message naming `must` and the compiled backends, no panic.
fn assert_backend_refused(out: std::process::Output, must: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(must), "{err}");
    assert!(err.contains(&simplenn::device::compiled_names()), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_backend_not_compiled_in_or_unknown_is_refused_with_the_fix() {
    let train = [
        "train",
        "configs/shallow_planar.toml",
        "-q",
        "--set",
        "train.iterations=2",
    ];
    for name in KNOWN.iter().filter(|k| Backend::from_name(k).is_err()) {
        let tmp = common::tempdir();
        // As a flag and as the environment variable: both name the cargo feature that adds it.
        let out = simplenn_unset()
            .args(train)
            .args(["--backend", name, "--out"])
            .arg(tmp.path().join("run"))
            .output()
            .unwrap();
        assert_backend_refused(out, &format!("--features {name}"));
        let out = simplenn_unset()
            .env("SIMPLENN_BACKEND", name)
            .args(train)
            .arg("--out")
            .arg(tmp.path().join("run"))
            .output()
            .unwrap();
        assert_backend_refused(out, &format!("--features {name}"));
        assert!(
            !tmp.path().join("run").exists(),
            "a refused run left a folder"
        );
    }
    let out = simplenn_unset()
        .args(["backends", "--backend", "nonsense"])
        .output()
        .unwrap();
    assert_backend_refused(out, "unknown backend `nonsense`");
}

#[test]
fn the_flag_takes_precedence_over_the_environment() {
    let compiled = Backend::compiled();
    let (Some(first), Some(last)) = (compiled.first(), compiled.last()) else {
        unreachable!("a binary has at least one backend")
    };
    let tmp = common::tempdir();
    common::succeeds(
        simplenn_unset()
            .env("SIMPLENN_BACKEND", first.name())
            .args([
                "train",
                "configs/shallow_planar.toml",
                "-q",
                "--set",
                "train.iterations=3",
            ])
            .args(["--backend", last.name(), "--out"])
            .arg(tmp.path().join("run")),
    );
    let metrics: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("run/metrics.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(metrics["backend"], last.name());
    // An unusable environment value does not matter when the flag is given.
    common::succeeds(simplenn_unset().env("SIMPLENN_BACKEND", "nonsense").args([
        "gradcheck",
        "configs/shallow_planar.toml",
        "--backend",
        first.name(),
    ]));
}

per_backend!(fn train_writes_a_complete_run_folder(backend) {
    let tmp = common::tempdir();
    let out_dir = tmp.path().join("run");
    let out = simplenn()
        .args([
            "train",
            "configs/shallow_planar.toml",
            "--set",
            "train.iterations=300",
            "--set",
            "train.log_every=100",
            "--out",
        ])
        .arg(&out_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Cost after iteration 0: 0.69"), "{stdout}");
    assert!(stdout.contains("train accuracy"), "{stdout}");

    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("metrics.json")).unwrap())
            .unwrap();
    for key in [
        "train_accuracy",
        "final_cost",
        "costs",
        "iterations",
        "backend",
        "precision",
        "seconds",
    ] {
        assert!(
            !metrics[key].is_null(),
            "metrics.json lacks {key}: {metrics}"
        );
    }
    assert!(metrics["test_accuracy"].is_null());
    assert_eq!(metrics["iterations"], 300);
    assert_eq!(metrics["backend"], backend.name());
    assert_eq!(metrics["costs"][1][0], 100);
    assert!(out_dir.join("model.bpk").metadata().unwrap().len() > 0);
    // The saved config is complete and loads again (paths absolute).
    simplenn::config::Config::load(&out_dir.join("config.toml"), &[]).unwrap();

    // A second run into the same folder is refused, and the first run is untouched.
    let again = simplenn()
        .args([
            "train",
            "configs/shallow_planar.toml",
            "--set",
            "train.iterations=5",
            "--out",
        ])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let kept: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("metrics.json")).unwrap())
            .unwrap();
    assert_eq!(kept["iterations"], 300);
    // Nothing but the run folder was left behind (no staging folders).
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
});

per_backend!(fn gradcheck_command_prints_the_table_and_passes(backend) {
    let out = simplenn()
        .args(["gradcheck", "configs/shallow_planar.toml", "--steps", "20"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in ["W1", "b1", "W2", "b2"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(name) && l.ends_with("PASS")),
            "{name}: {stdout}"
        );
    }
    assert!(stdout.contains("verdict: PASS"));
});

#[test]
fn bad_config_exits_2_with_the_key_named() {
    let out = simplenn()
        .args([
            "train",
            "configs/shallow_planar.toml",
            "--set",
            "train.learning_rate=-1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: config") && stderr.contains("train.learning_rate"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

per_backend!(fn f64_trains_where_the_backend_has_it_and_is_a_clear_config_error_elsewhere(backend) {
    let tmp = common::tempdir();
    let out = simplenn()
        .args([
            "train",
            "-q",
            "--set",
            "train.precision=f64",
            "--set",
            "train.iterations=2",
            "--out",
        ])
        .arg(tmp.path().join("run"))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    if backend.supports_f64() {
        assert_eq!(out.status.code(), Some(0), "{err}");
        let m = simplenn::run_dir::load(&tmp.path().join("run"), common::compute(backend)).unwrap().metrics;
        assert_eq!(m.precision, "f64");
    } else {
        assert_eq!(out.status.code(), Some(2));
        assert!(
            err.contains("train.precision") && err.contains("no usable f64"),
            "{err}"
        );
    }
});

/// The cells of the table row for `name` in `simplenn bench` output.
fn bench_row(stdout: &str, name: &str) -> Vec<String> {
    let row = stdout
        .lines()
        .find(|l| l.starts_with(&format!("| {name} |")))
        .unwrap_or_else(|| panic!("no row for {name}:\n{stdout}"));
    row.split('|')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

per_backend!(fn bench_times_iterations_and_whole_runs(backend) {
    let out = simplenn()
        .args(["bench", "configs/shallow_planar.toml", "--iterations", "3"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!("backend {}", backend.name())),
        "{stdout}"
    );
    // median, p10, p90, examples/s, first iteration, data load: six numbers; every iteration
    // takes time, loading the (generated) data may not. examples/s is the examples of a step
    // (all 400 with the full batch, 64 in a mini-batch) at the median step time, printed to
    // 3 decimals (hence the tolerance).
    let check = |stdout: &str, examples: f64| {
        let cells: Vec<f64> = bench_row(stdout, "shallow_planar")[1..]
            .iter()
            .map(|c| c.parse().unwrap())
            .collect();
        assert_eq!(cells.len(), 6, "{stdout}");
        assert!(
            [cells[0], cells[1], cells[2], cells[4]].iter().all(|&ms| ms > 0.0 && ms.is_finite())
                && cells[5] >= 0.0,
            "{stdout}"
        );
        // The median t is within 0.0005 ms of the printed c, so |E/t − E/c| ≤ E·0.0005/(c·t)
        // with t ≥ c − 0.0005.
        let expected = examples / (cells[0] / 1e3);
        assert!(
            (cells[3] - expected).abs() <= expected * 0.0005 / (cells[0] - 0.0005) + 1.0,
            "examples/s {} against {expected}: {stdout}",
            cells[3]
        );
    };
    check(&stdout, 400.0);
    assert!(stdout.contains("3 timed iterations"), "{stdout}");
    assert!(stdout.contains("peak resident memory"), "{stdout}");
    let out = simplenn()
        .args(["bench", "configs/shallow_planar.toml", "--iterations", "9"])
        .args(["--set", "train.batch_size=64"])
        .output()
        .unwrap();
    let batches = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{batches}");
    check(&batches, 64.0);

    // --whole trains the config to the end (here shortened by --set) and reports its cost.
    let out = simplenn()
        .args(["bench", "configs/shallow_planar.toml", "--whole"])
        .args(["--set", "train.iterations=40"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let row = bench_row(&stdout, "shallow_planar");
    assert_eq!(row[1], "40", "{stdout}");
    // examples per second: the flower's 400 examples per epoch, at the epoch time reported
    // (printed to 3 decimals, hence the tolerance).
    let (ms_per_epoch, per_second): (f64, f64) = (row[3].parse().unwrap(), row[4].parse().unwrap());
    let expected = 400.0 / (ms_per_epoch / 1e3);
    let printed = 0.0005 / ms_per_epoch; // the relative error of a value printed to 3 decimals
    assert!((per_second - expected).abs() <= (printed + 0.01) * expected, "{stdout}");
    let final_cost: f64 = row[6].parse().unwrap();
    assert!(final_cost > 0.0 && final_cost < 0.693, "{stdout}");

    // A bad override is reported before any table is printed.
    let out = simplenn()
        .args([
            "bench",
            "configs/shallow_planar.toml",
            "--set",
            "train.bogus=1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field `bogus`"));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
});

#[test]
#[cfg_attr(
    not(any(
        all(
            feature = "ndarray",
            any(feature = "flex", feature = "wgpu", feature = "cuda")
        ),
        all(feature = "flex", any(feature = "wgpu", feature = "cuda")),
        all(feature = "wgpu", feature = "cuda")
    )),
    ignore = "needs a build with two backends (the default build has ndarray and flex)"
)]
fn a_run_resumes_only_on_the_backend_it_started_on() {
    let compiled = Backend::compiled();
    let (first, last) = (&compiled[0], &compiled[compiled.len() - 1]);
    assert_ne!(first, last, "this binary has one backend");
    let tmp = common::tempdir();
    let run = tmp.path().join("run");
    let stopped = simplenn_unset()
        .args([
            "train",
            "configs/shallow_planar.toml",
            "-q",
            "--stop-at",
            "5",
            "--out",
        ])
        .arg(&run)
        .args(["--backend", first.name()])
        .output()
        .unwrap();
    assert_eq!(stopped.status.code(), Some(130));
    let out = simplenn_unset()
        .args(["train", "--resume"])
        .arg(&run)
        .args(["--backend", last.name()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("trained on the {} backend", first.name()))
            && err.contains(&format!("--backend {}", first.name())),
        "{err}"
    );
    // The checkpoint is untouched and still resumes where it started.
    common::succeeds(
        simplenn_unset()
            .args(["train", "-q", "--resume"])
            .arg(&run)
            .args(["--backend", first.name()]),
    );
}

#[test]
fn a_child_process_does_not_keep_the_tests_hdf5_files_locked() {
    // Tests run in parallel: a child spawned while this thread holds an HDF5 file open must not
    // keep its lock once the file is closed here, or reopening it fails with "unable to lock
    // file" (common::simplenn closes inherited descriptors at exec).
    let tmp = common::tempdir();
    let path = tmp.path().join("held.h5");
    common::write_xy(&path, &[0.0; 6], &[2, 3], &[0, 1, 0]);
    let held = hdf5::File::open_rw(&path).unwrap();
    let mut child = simplenn()
        .args(["train", "-q", "--set", "train.iterations=100000", "--out"])
        .arg(tmp.path().join("run"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    drop(held);
    // spawn() returns after exec, so the child holds whatever it inherited; it must still run
    // (100,000 iterations take seconds) for the check to mean anything.
    assert!(
        child.try_wait().unwrap().is_none(),
        "the child exited early"
    );
    // Another test's child, forked in these same moments, shares the descriptor until its own
    // exec closes it (milliseconds): a lock that outlasts a few tries over half a second is this
    // child's, which runs for seconds.
    let mut reopened = hdf5::File::open_rw(&path);
    for _ in 0..10 {
        if reopened.is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        reopened = hdf5::File::open_rw(&path);
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the child exited before the file was reopened"
    );
    let _ = child.kill();
    let _ = child.wait();
    reopened.unwrap_or_else(|e| panic!("the child still holds the file: {e}"));
}
