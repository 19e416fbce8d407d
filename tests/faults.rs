//! Faults: divergence keeps the last finite parameters, interrupted runs resume to exactly the
//! uninterrupted result, files are replaced atomically.

#[macro_use]
mod common;

use common::simplenn;

use std::path::Path;

use simplenn::report::write_atomic;
use simplenn::saved;

fn metrics(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("metrics.json")).unwrap()).unwrap()
}

per_backend!(fn divergence_stops_at_once_and_keeps_the_last_finite_parameters(backend) {
    let tmp = common::tempdir();
    let dir = tmp.path().join("run");
    let out = simplenn()
        .args([
            "train",
            "-q",
            "--set",
            "train.learning_rate=1e38",
            "--set",
            "train.iterations=50",
            "--out",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("training diverged") && stderr.contains("smaller learning rate"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
    let m = metrics(&dir);
    let failure = m["failure"].as_str().unwrap();
    let iteration = m["iterations"].as_u64().unwrap();
    assert!(
        iteration < 50 && failure.contains(&format!("iteration {iteration}")),
        "{m}"
    );
    assert!(
        stderr.contains(&format!("at iteration {iteration}")),
        "{stderr}"
    );
    // The saved parameters are finite ones.
    let run = saved::load(&dir).unwrap();
    for layer in run.model.layer_values().unwrap() {
        assert!(layer.w.iter().chain(&layer.b).all(|v| v.is_finite()));
    }
});

per_backend!(fn resumed_run_equals_uninterrupted_run_bit_for_bit(backend) {
    let tmp = common::tempdir();
    let (whole, parts) = (tmp.path().join("whole"), tmp.path().join("parts"));
    let common_args = [
        "train",
        "-q",
        "--set",
        "train.iterations=300",
        "--set",
        "train.log_every=25",
        "--out",
    ];
    assert!(
        simplenn()
            .args(common_args)
            .arg(&whole)
            .output()
            .unwrap()
            .status
            .success()
    );

    // Interrupted before iteration 130 (what Ctrl-C does), then resumed.
    let stopped = simplenn()
        .args(common_args)
        .arg(&parts)
        .args(["--stop-at", "130"])
        .output()
        .unwrap();
    assert_eq!(stopped.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&stopped.stderr);
    assert!(
        stderr.contains("interrupted before iteration 130") && stderr.contains("--resume"),
        "{stderr}"
    );
    assert_eq!(metrics(&parts)["resume_from"], 130);
    let resumed = simplenn()
        .args(["train", "-q", "--resume"])
        .arg(&parts)
        .output()
        .unwrap();
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );

    let (a, b) = (metrics(&whole), metrics(&parts));
    assert_eq!(a["costs"], b["costs"]);
    assert_eq!(a["final_cost"], b["final_cost"]);
    assert!(b["resume_from"].is_null());
    let (ma, mb) = (saved::load(&whole).unwrap(), saved::load(&parts).unwrap());
    assert_eq!(
        ma.model.layer_values().unwrap(),
        mb.model.layer_values().unwrap()
    );
    // A finished run has nothing to resume.
    let again = simplenn()
        .args(["train", "--resume"])
        .arg(&parts)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
});

#[test]
fn atomic_write_replaces_whole_files_and_leaves_no_temporaries() {
    let tmp = common::tempdir();
    let path = tmp.path().join("metrics.json");
    write_atomic(&path, b"first").unwrap();
    write_atomic(&path, b"second").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"second");
    // A target that cannot be replaced (a directory) fails and leaves nothing behind.
    let blocked = tmp.path().join("blocked");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("inside"), b"keep").unwrap();
    assert!(write_atomic(&blocked, b"x").is_err());
    assert_eq!(std::fs::read(blocked.join("inside")).unwrap(), b"keep");
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "temporary files left: {names:?}");
}

#[test]
fn force_replaces_a_run_folder_only_when_asked() {
    let tmp = common::tempdir();
    let dir = tmp.path().join("run");
    let args = ["train", "-q", "--set", "train.iterations=20", "--out"];
    assert!(
        simplenn()
            .args(args)
            .arg(&dir)
            .output()
            .unwrap()
            .status
            .success()
    );
    std::fs::write(dir.join("note.txt"), "mine").unwrap();
    assert_eq!(
        simplenn()
            .args(args)
            .arg(&dir)
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    assert!(
        dir.join("note.txt").exists(),
        "the refused run must not touch the folder"
    );
    assert!(
        simplenn()
            .args(args)
            .arg(&dir)
            .arg("--force")
            .output()
            .unwrap()
            .status
            .success()
    );
    assert!(!dir.join("note.txt").exists() && dir.join("metrics.json").exists());
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}
