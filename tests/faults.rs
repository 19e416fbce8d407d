//! Faults: divergence keeps the last finite parameters, interrupted runs resume to exactly the
//! uninterrupted result, files are replaced atomically.

#[macro_use]
mod common;

use common::simplenn;

use std::path::Path;

use simplenn::atomic::{write_atomic, write_atomic_via};
use simplenn::device::Backend;
use simplenn::run_dir;

fn metrics(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("metrics.json")).unwrap()).unwrap()
}

/// A checkpoint's checkpoint.json: where it goes on.
fn checkpoint(dir: &Path) -> serde_json::Value {
    let path = dir.join(run_dir::CHECKPOINT_FILE);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Trains `config` with `set` until the cost becomes non-finite, checks what the user is told,
/// and returns the finite costs logged (every iteration) and the iteration it diverged at.
fn diverge(dir: &Path, config: &str, set: &[&str]) -> (Vec<f64>, usize) {
    let mut cmd = simplenn();
    cmd.args(["train", config, "-q", "--set", "train.log_every=1"]);
    for s in set {
        cmd.args(["--set", s]);
    }
    let out = cmd.arg("--out").arg(dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("training diverged") && stderr.contains("smaller learning rate"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let m = metrics(dir);
    let iteration = m["iterations"].as_u64().unwrap() as usize;
    assert!(
        stderr.contains(&format!("at iteration {iteration}")),
        "{stderr}"
    );
    let failure = m["failure"].as_str().unwrap();
    assert!(
        failure.contains(&format!("those of iteration {}", iteration - 1)),
        "{failure}"
    );
    let costs: Vec<f64> = m["costs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[1].as_f64().unwrap())
        .collect();
    assert_eq!(
        costs.len(),
        iteration,
        "one finite cost per iteration before"
    );
    (costs, iteration)
}

/// The saved parameters of the diverged run in `dir` equal, bit for bit, those of a checkpoint
/// of the same run taken before iteration `before` (the last one whose cost was finite).
fn assert_saved_equal_checkpoint(
    dir: &Path,
    config: &str,
    set: &[&str],
    before: usize,
    backend: Backend,
) {
    let compute = common::compute(backend);
    let checkpoint = dir.with_extension("checkpoint");
    let mut cmd = simplenn();
    cmd.args(["train", config, "-q", "--stop-at", &before.to_string()]);
    for s in set {
        cmd.args(["--set", s]);
    }
    let out = cmd.arg("--out").arg(&checkpoint).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let saved = run_dir::load(dir, compute)
        .unwrap()
        .model
        .layer_values()
        .unwrap();
    let expected = run_dir::load(&checkpoint, compute)
        .unwrap()
        .model
        .layer_values()
        .unwrap();
    let bits = |layers: &[simplenn::nn::LayerValues]| -> Vec<u64> {
        layers
            .iter()
            .flat_map(|l| l.w.iter().chain(&l.b).map(|v| v.to_bits()))
            .collect()
    };
    assert_eq!(bits(&saved), bits(&expected));
    assert!(
        saved
            .iter()
            .all(|l| l.w.iter().chain(&l.b).all(|v| v.is_finite()))
    );
}

per_backend!(fn divergence_after_a_rising_cost_keeps_the_last_finite_parameters(backend) {
    // The planar net at α = 1e38: the cost rises for a few iterations, then overflows.
    let tmp = common::tempdir();
    let dir = tmp.path().join("run");
    let set = ["train.learning_rate=1e38", "train.iterations=50"];
    let (costs, iteration) = diverge(&dir, "configs/shallow_planar.toml", &set);
    assert!(
        costs.len() >= 2 && costs[costs.len() - 1] > costs[costs.len() - 2],
        "the cost should rise before it overflows: {costs:?}"
    );
    assert_saved_equal_checkpoint(&dir, "configs/shallow_planar.toml", &set, iteration - 1, backend);
});

per_backend!(
#[cfg_attr(not(cat_files), ignore = "needs the course's cat files in datasets/: cargo run -- data fetch cat")]
fn divergence_straight_from_a_falling_cost_keeps_the_last_finite_parameters(backend) {
    // Logistic regression on the cat pictures at α = 1e38: the first cost is finite, the next
    // is already NaN, with no rise in between.
    common::dataset("train_catvnoncat.h5");
    let tmp = common::tempdir();
    let dir = tmp.path().join("run");
    let set = ["train.learning_rate=1e38", "train.iterations=20"];
    let (costs, iteration) = diverge(&dir, "configs/logistic_cat.toml", &set);
    // One finite cost (iteration 0's), then a non-finite one: no rise that the divergence check
    // could have seen first.
    assert_eq!(
        (costs.len(), iteration),
        (1, 1),
        "the cost should become non-finite right after the first one: {costs:?}"
    );
    assert_saved_equal_checkpoint(&dir, "configs/logistic_cat.toml", &set, iteration - 1, backend);
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
    assert_eq!(checkpoint(&parts)["iteration"], 130);
    assert!(metrics(&parts).get("resume_from").is_none(), "the checkpoint has its own file");
    // A second checkpoint of the same run, its weights nudged: what it resumes to must differ.
    let nudged = common::nudged_copy(&parts, &tmp.path().join("nudged"));
    // The resumed run trains only iterations 130..300: its first logged cost is iteration 150's.
    let resumed = common::succeeds(simplenn().args(["train", "--resume"]).arg(&parts));
    let stdout = String::from_utf8_lossy(&resumed.stdout);
    assert!(stdout.contains("resuming at iteration 130 of 300"), "{stdout}");
    assert_eq!(
        common::logged_steps(&resumed.stdout),
        [150, 175, 200, 225, 250, 275, 299],
        "{stdout}"
    );

    // Everything the two runs wrote is equal — floats bit for bit (metrics.json's numbers read
    // back exactly) — except the clock.
    let (mut a, mut b) = (metrics(&whole), metrics(&parts));
    for m in [&mut a, &mut b] {
        let m = m.as_object_mut().unwrap();
        m.remove("seconds");
        m.remove("data_seconds");
    }
    assert_eq!(a, b);
    let bits = |m: &serde_json::Value| -> Vec<u64> {
        m["costs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c[1].as_f64().unwrap().to_bits())
            .chain([m["final_cost"].as_f64().unwrap().to_bits()])
            .chain([m["train_accuracy"].as_f64().unwrap().to_bits()])
            .collect()
    };
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(a["costs"].as_array().unwrap().len(), 300 / 25 + 1);
    assert!(
        !parts.join(run_dir::CHECKPOINT_FILE).exists(),
        "a finished run keeps no checkpoint"
    );
    let compute = common::compute(backend);
    let (ma, mb) = (run_dir::load(&whole, compute).unwrap(), run_dir::load(&parts, compute).unwrap());
    assert_eq!(
        ma.model.layer_values().unwrap(),
        mb.model.layer_values().unwrap()
    );
    common::succeeds(simplenn().args(["train", "-q", "--resume"]).arg(&nudged));
    let mc = run_dir::load(&nudged, compute).unwrap();
    assert_ne!(
        mc.model.layer_values().unwrap(),
        ma.model.layer_values().unwrap(),
        "the resumed run ignored the checkpoint's weights"
    );
    assert_eq!(mc.metrics.costs[..6], ma.metrics.costs[..6], "costs before the checkpoint are kept");
    assert_ne!(mc.metrics.costs[6..], ma.metrics.costs[6..]);
    // A finished run has nothing to resume.
    let again = simplenn()
        .args(["train", "--resume"])
        .arg(&parts)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
});

per_backend!(cpu fn an_old_run_folder_with_its_checkpoint_in_metrics_json_still_resumes(backend) {
    // The older run-folder layout keeps where a checkpoint goes on in metrics.json
    // (`resume_from`; inside an epoch also `resume_batch` and `resume_cost_so_far`). Such a
    // folder, made here by moving the fields back by hand, resumes to the uninterrupted result.
    let compute = common::compute(backend);
    let tmp = common::tempdir();
    let (whole, old) = (tmp.path().join("whole"), tmp.path().join("old"));
    let args = [
        "train",
        "-q",
        "--set",
        "train.iterations=4",
        "--set",
        "train.log_every=1",
        "--set",
        "train.batch_size=64",
        "--set",
        "train.optimizer=momentum",
        "--set",
        "train.learning_rate=0.3",
        "--out",
    ];
    common::succeeds(simplenn().args(args).arg(&whole));
    let stopped = simplenn()
        .args(args)
        .arg(&old)
        .args(["--stop-at", "2:3"])
        .output()
        .unwrap();
    assert_eq!(
        stopped.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&stopped.stderr)
    );
    let state = checkpoint(&old);
    assert_eq!((state["iteration"].as_u64(), state["batch"].as_u64()), (Some(2), Some(3)));
    let mut m = metrics(&old);
    let fields = m.as_object_mut().unwrap();
    assert!(!fields.contains_key("resume_from"));
    fields.insert("resume_from".into(), state["iteration"].clone());
    fields.insert("resume_batch".into(), state["batch"].clone());
    fields.insert("resume_cost_so_far".into(), state["cost_so_far"].clone());
    std::fs::write(old.join("metrics.json"), serde_json::to_string_pretty(&m).unwrap()).unwrap();
    std::fs::remove_file(old.join(run_dir::CHECKPOINT_FILE)).unwrap();
    let saved = run_dir::load(&old, compute).unwrap().checkpoint.expect("an old checkpoint");
    assert_eq!((saved.iteration, saved.batch), (2, 3));
    assert_eq!(saved.cost_so_far.to_bits(), state["cost_so_far"].as_f64().unwrap().to_bits());
    // It goes on where it stopped: epochs 2 (from its batch 3) and 3 are trained and logged.
    let resumed = common::succeeds(simplenn().args(["train", "--resume"]).arg(&old));
    assert_eq!(
        common::logged_steps(&resumed.stdout),
        [2, 3],
        "{}",
        String::from_utf8_lossy(&resumed.stdout)
    );
    // To the uninterrupted result, bit for bit, written in the new layout.
    let (mut a, mut b) = (metrics(&whole), metrics(&old));
    for m in [&mut a, &mut b] {
        let m = m.as_object_mut().unwrap();
        m.remove("seconds");
        m.remove("data_seconds");
    }
    assert_eq!(a, b);
    assert!(!old.join(run_dir::CHECKPOINT_FILE).exists());
    let (ma, mb) = (run_dir::load(&whole, compute).unwrap(), run_dir::load(&old, compute).unwrap());
    assert_eq!(ma.model.layer_values().unwrap(), mb.model.layer_values().unwrap());
    assert!(mb.checkpoint.is_none());
    // Now a finished run: nothing to resume.
    let again = simplenn().args(["train", "--resume"]).arg(&old).output().unwrap();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nothing to resume"), "{stderr}");
});

per_backend!(cpu fn a_run_folder_reads_back_every_cost_bit_for_bit(backend) {
    // Through the run folder's own writer (run_dir::save) and reader (run_dir::load), which a
    // resumed run reads its costs from. 0.43440762162208557 is a cost that serde_json's default
    // float parser reads back one ulp off (the `float_roundtrip` feature is what keeps it); the
    // others are drawn at random over 40 orders of magnitude.
    let compute = common::compute(backend);
    let loaded = common::shipped("shallow_planar.toml", &["train.iterations=2"]);
    let start = simplenn::pipeline::Start::Fresh;
    let mut result =
        simplenn::pipeline::run(&loaded, start, &mut simplenn::train::Silent, compute).unwrap();
    let mut rng = simplenn::rng::NumpyRng::new(3);
    let costs: Vec<(usize, f64)> = std::iter::once(0.434_407_621_622_085_57)
        .chain((0..20_000).map(|_| rng.uniform() * 10f64.powi((rng.uniform() * 40.0) as i32 - 20)))
        .enumerate()
        .collect();
    result.metrics.costs = costs.clone();
    result.metrics.final_cost = costs[1].1;
    let tmp = common::tempdir();
    let dir = run_dir::RunDir::create(&tmp.path().join("run"), false).unwrap();
    run_dir::save(&dir, &loaded, &result, compute).unwrap();
    let dir = dir.commit().unwrap();
    let back = run_dir::load(&dir, compute).unwrap().metrics;
    assert_eq!(back.costs.len(), costs.len());
    let off: Vec<_> = costs
        .iter()
        .zip(&back.costs)
        .filter(|(a, b)| a.0 != b.0 || a.1.to_bits() != b.1.to_bits())
        .take(5)
        .collect();
    assert!(off.is_empty(), "read back differently: {off:?}");
    assert_eq!(back.final_cost.to_bits(), costs[1].1.to_bits());
});

#[test]
fn atomic_write_replaces_whole_files_and_leaves_no_temporaries() {
    let tmp = common::tempdir();
    let path = tmp.path().join("metrics.json");
    write_atomic(&path, b"first").unwrap();
    write_atomic(&path, b"second").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"second");
    // A writer that stops half-way (a crash, a full disk, a kill): while it writes, and after it
    // failed, the target holds its old content, whole. (A plain fs::write to the target fails
    // both checks.)
    let failed = write_atomic_via(&path, |tmp| {
        std::fs::write(tmp, b"thi").unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"second",
            "target touched mid-write"
        );
        Err(simplenn::Error::Output("disk full half-way".into()))
    });
    assert!(failed.is_err());
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
