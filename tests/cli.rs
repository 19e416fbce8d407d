//! The command line, end to end through the real binary.

mod common;

use common::simplenn;

fn expected_backend() -> &'static str {
    if cfg!(feature = "cuda") {
        "cuda"
    } else if cfg!(feature = "wgpu") {
        "wgpu"
    } else if cfg!(feature = "flex") {
        "flex"
    } else {
        "ndarray"
    }
}

#[test]
fn reports_the_backend_it_was_built_with() {
    let out = simplenn().arg("backends").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("backend: {}", expected_backend())),
        "{text}"
    );
    // The CPU backends compute f64 exactly; the self-test must not reject them.
    if matches!(expected_backend(), "ndarray" | "flex") {
        assert!(text.contains("float64: supported"), "{text}");
    }
    let version = String::from_utf8(simplenn().arg("--version").output().unwrap().stdout).unwrap();
    assert!(
        version.contains(&format!("backend: {}", expected_backend())),
        "{version}"
    );
}

#[test]
fn train_writes_a_complete_run_folder() {
    let tmp = tempfile::tempdir().unwrap();
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
    assert_eq!(metrics["backend"], expected_backend());
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
}

#[test]
fn gradcheck_command_prints_the_table_and_passes() {
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
}

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

#[test]
fn f64_on_a_backend_without_usable_f64_is_a_clear_config_error() {
    if simplenn::device::supports_f64() {
        // ndarray / flex: f64 training is accepted (the reference tests run it).
        return;
    }
    let out = simplenn()
        .args([
            "train",
            "-q",
            "--set",
            "train.precision=f64",
            "--set",
            "train.iterations=2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("train.precision") && err.contains("no usable f64"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

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

#[test]
fn bench_times_iterations_and_whole_runs() {
    let out = simplenn()
        .args(["bench", "configs/shallow_planar.toml", "--iterations", "3"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!("backend {}", expected_backend())),
        "{stdout}"
    );
    // median, p10, p90, first iteration, data load: numbers, p10 ≤ median ≤ p90.
    let cells: Vec<f64> = bench_row(&stdout, "shallow_planar")[1..]
        .iter()
        .map(|c| c.parse().unwrap())
        .collect();
    assert!(cells[1] <= cells[0] && cells[0] <= cells[2], "{stdout}");
    assert!(stdout.contains("peak resident memory"), "{stdout}");

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
    let final_cost: f64 = row[5].parse().unwrap();
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
}
