//! What users look at and keep: plots, sweeps, saved models, predict, export.

#[macro_use]
mod common;

use common::shipped;

use common::simplenn;

use std::path::{Path, PathBuf};

use simplenn::config::LoadedConfig;
use simplenn::device::Compute;
use simplenn::pipeline::{self, Start};
use simplenn::run_dir::{self, RunDir};
use simplenn::run_result::RunResult;
use simplenn::train::Silent;

fn assert_png(path: &Path) {
    let img = image::open(path).unwrap_or_else(|e| panic!("{}: not a PNG ({e})", path.display()));
    assert!(img.width() > 100 && img.height() > 100);
}

fn assert_svg(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{}: not well-formed SVG ({e})", path.display()));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert!(
        doc.descendants().count() > 20,
        "{} is nearly empty",
        path.display()
    );
}

per_backend!(cpu fn points_too_far_apart_to_draw_leave_a_run_folder_without_a_boundary(backend) {
    // Two features at ±1e308: finite, but their span is not, and plotters searched for tick
    // marks over it forever. The run ends (it diverges at once), keeps its folder and its cost
    // plot, and draws no boundary.
    let tmp = common::tempdir();
    let (file, config, dir) = (tmp.path().join("far.h5"), tmp.path().join("far.toml"), tmp.path().join("run"));
    let x = [1e308, -1e308, 0.5, -1e308, 1e308, -0.5];
    common::write_xy(&file, &x, &[2, 3], &[1, 0, 1]);
    std::fs::write(&config, format!(
        "[model]\nkind = \"logistic\"\n[data]\nkind = \"h5\"\ntrain = {:?}\n[train]\nlearning_rate = 0.1\niterations = 3\n",
        file.display().to_string()
    )).unwrap();
    let mut child = simplenn()
        .args(["train", "-q"])
        .arg(&config)
        .arg("--out")
        .arg(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let clock = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if clock.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("train has not ended after 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(matches!(status.code(), Some(0 | 1)), "{status:?}");
    assert!(dir.join("metrics.json").exists() && dir.join("cost.png").exists());
    assert!(!dir.join("boundary.png").exists());
});

per_backend!(fn run_folder_plots_are_valid_png_and_svg(backend) {
    let tmp = common::tempdir();
    let dir = tmp.path().join("run");
    common::succeeds(simplenn()
        .args(["train", "-q", "--set", "train.iterations=200", "--out"])
        .arg(&dir));
    for stem in ["cost", "boundary"] {
        assert_png(&dir.join(format!("{stem}.png")));
        assert_svg(&dir.join(format!("{stem}.svg")));
    }
    // The cost curve's x axis names the unit of the logged costs: the notes' iterations, or
    // epochs with mini-batches.
    let x_axis = |dir: &Path| {
        let svg = std::fs::read_to_string(dir.join("cost.svg")).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text().map(str::trim))
            .collect();
        ["iteration", "epoch"].map(|label| texts.contains(&label))
    };
    assert_eq!(x_axis(&dir), [true, false]);
    let batches = tmp.path().join("batches");
    common::succeeds(simplenn()
        .args(["train", "-q", "--set", "train.iterations=20", "--set", "train.batch_size=64"])
        .arg("--out")
        .arg(&batches));
    assert_eq!(x_axis(&batches), [false, true]);
});

per_backend!(fn sweep_trains_every_value_and_tabulates_them(backend) {
    let tmp = common::tempdir();
    let dir = tmp.path().join("sweep");
    common::succeeds(simplenn()
        .args([
            "sweep",
            "configs/shallow_planar.toml",
            "-q",
            "--set",
            "model.hidden=1,3,5",
            "--set",
            "train.iterations=100",
            "--out",
        ])
        .arg(&dir));
    let csv = std::fs::read_to_string(dir.join("sweep.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{csv}");
    for (row, value) in rows.iter().zip(["1", "3", "5"]) {
        assert!(row.starts_with(&format!("{value},")), "{row}");
        // Each variant really had its own width: its run folder's metrics say so.
        let m: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("model.hidden={value}/metrics.json")))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(m["layers"][1].as_u64().unwrap().to_string(), value);
    }
    let md = std::fs::read_to_string(dir.join("sweep.md")).unwrap();
    assert_eq!(
        md.lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| model"))
            .count(),
        3
    );
    for stem in ["accuracy", "costs"] {
        assert_png(&dir.join(format!("{stem}.png")));
        assert_svg(&dir.join(format!("{stem}.svg")));
    }
});

/// Train in-process on `compute` and write a run folder, returning the result and the folder.
fn train_and_save(loaded: &LoadedConfig, dir: &Path, compute: Compute) -> RunResult {
    let result = pipeline::run(loaded, Start::Fresh, &mut Silent, compute).unwrap();
    let run_dir = RunDir::create(dir, false).unwrap();
    run_dir::save(&run_dir, loaded, &result, compute).unwrap();
    run_dir.commit().unwrap();
    result
}

per_backend!(fn saved_model_reloads_with_identical_predictions(backend) {
    let compute = common::compute(backend);
    let tmp = common::tempdir();
    let dir = tmp.path().join("run");
    let loaded = shipped(
        "shallow_planar.toml",
        &["train.iterations=150", "model.activation=relu"],
    );
    let result = train_and_save(&loaded, &dir, compute);
    let reloaded = run_dir::load(&dir, compute).unwrap();
    let dtype = loaded.config.train.precision.dtype();
    let x = result
        .data
        .train
        .in_memory()
        .unwrap()
        .x_matrix(compute.place(dtype, &compute.device()));
    let before = simplenn::infer::probabilities(&result.model, &x).unwrap();
    let after = simplenn::infer::probabilities(&reloaded.model, &x).unwrap();
    assert_eq!(before, after);
    assert_eq!(
        result.model.layer_values().unwrap(),
        reloaded.model.layer_values().unwrap()
    );
    assert_eq!(reloaded.metrics, result.metrics);
});

per_backend!(fn export_then_import_round_trips_exactly(backend) {
    let compute = common::compute(backend);
    let tmp = common::tempdir();
    let dir = tmp.path().join("run");
    let result = train_and_save(
        &shipped("shallow_planar.toml", &["train.iterations=120"]),
        &dir,
        compute,
    );
    let h5 = tmp.path().join("trained.h5");
    common::succeeds(simplenn()
        .args(["export"])
        .arg(&dir)
        .arg("--h5")
        .arg(&h5)
        .args(["--group", "shallow_nh4"]));
    // simplenn starts again from the exported file, exactly where training ended.
    let h5_text = h5.display().to_string();
    let again = shipped(
        "shallow_planar.toml",
        &[
            "init.scheme=h5",
            &format!("init.path={h5_text:?}"),
            "init.group=shallow_nh4",
        ],
    );
    assert_eq!(
        common::initial_parameters(&again, compute),
        result.model.layer_values().unwrap()
    );
    // Exporting over an existing file needs --force.
    let refused = simplenn()
        .args(["export"])
        .arg(&dir)
        .arg("--h5")
        .arg(&h5)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
});

/// Write test image `index` of the cat test file as a PNG, exactly its pixels.
fn cat_test_png(index: usize, dir: &Path) -> PathBuf {
    let path = common::dataset("test_catvnoncat.h5");
    let file = hdf5::File::open(path).unwrap();
    let raw: Vec<u8> = file.dataset("test_set_x").unwrap().read_raw().unwrap();
    let n = 64 * 64 * 3;
    let png = dir.join(format!("test{index}.png"));
    simplenn::image_input::write_png(&png, &raw[index * n..(index + 1) * n], 64, 64).unwrap();
    png
}

per_backend!(
#[cfg_attr(not(cat_files), ignore = "needs the course's cat files in datasets/: cargo run -- data fetch cat")]
fn predict_on_a_course_picture_matches_evaluate(backend) {
    let tmp = common::tempdir();
    common::dataset("train_catvnoncat.h5");
    let dir = tmp.path().join("run");
    // After 300 iterations the model classifies cats and non-cats of the test set right, and
    // gets some of each wrong, so a class printed by predict can be checked against a label.
    common::succeeds(simplenn()
        .args([
            "train",
            "configs/logistic_cat.toml",
            "-q",
            "--set",
            "train.iterations=300",
            "--out",
        ])
        .arg(&dir));
    let eval = simplenn().arg("evaluate").arg(&dir).output().unwrap();
    let eval_text = String::from_utf8_lossy(&eval.stdout);
    assert!(
        eval.status.success() && eval_text.contains("test accuracy"),
        "{eval_text}"
    );
    assert_png(&dir.join("mislabelled.png"));
    // predictions.csv: set, index, label, p, predicted class. One test picture per class that
    // evaluate classifies right: predict must print that class (the label's name).
    let csv = std::fs::read_to_string(dir.join("predictions.csv")).unwrap();
    let rows: Vec<Vec<String>> = csv
        .lines()
        .filter(|l| l.starts_with("test,"))
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    let mut pictures = Vec::new();
    for label in ["0", "1"] {
        let row = rows
            .iter()
            .find(|r| r[2] == label && r[4] == label)
            .unwrap_or_else(|| panic!("no test picture of class {label} classified right:\n{csv}"));
        let index: usize = row[1].parse().unwrap();
        let p_eval: f64 = row[3].parse().unwrap();
        let class = if label == "1" { "cat" } else { "non-cat" };
        pictures.push((cat_test_png(index, tmp.path()), class, p_eval));
    }

    let missing = tmp.path().join("nope.jpg");
    let pred = simplenn()
        .arg("predict")
        .arg(&dir)
        .args(pictures.iter().map(|p| &p.0))
        .arg(&missing)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&pred.stdout);
    // The unreadable file is reported, the good ones are still predicted.
    assert_eq!(pred.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&pred.stderr).contains("nope.jpg"));
    for (png, class, p_eval) in &pictures {
        // "PATH: CLASS (p(cat) = P, confidence C %)"
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{}: ", png.display())))
            .unwrap_or_else(|| panic!("{} not predicted:\n{stdout}", png.display()));
        let rest = &line[png.display().to_string().len() + 2..];
        let printed_class = rest.split(" (p(").next().unwrap();
        assert_eq!(printed_class, *class, "{line}");
        let p_pred: f64 = rest
            .split("= ")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (p_pred - p_eval).abs() < 1e-6,
            "predict {p_pred} vs evaluate {p_eval}\n{stdout}"
        );
    }
});
