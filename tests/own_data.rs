//! Your own data: image folders and CSV tables trained end to end, the label mapping, a seeded
//! split that keeps the class ratio, standardisation applied the same way by training,
//! `evaluate`, `predict` and `export`, and the course's cat pictures as PNG folders giving the
//! HDF5 route's numbers.

#[macro_use]
mod common;

use std::path::{Path, PathBuf};

use simplenn::data::{self, InputRecord, cat};
use simplenn::image_input::write_png;
use simplenn::pipeline::{self, Start};
use simplenn::rng::NumpyRng;
use simplenn::train::Silent;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Run the binary; it must succeed. Returns stdout and stderr.
fn ok(args: &[&str]) -> (String, String) {
    let out = common::succeeds(common::simplenn().args(args));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr(&out),
    )
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn images_config(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("images.toml");
    std::fs::write(
        &path,
        format!(
            "[model]\nkind = \"logistic\"\n[data]\nkind = \"images\"\ntrain = \"train\"\ntest = \"test\"\nsize = [6, 6]\n{extra}\n[train]\nlearning_rate = 0.5\niterations = 200\n"
        ),
    )
    .unwrap();
    path
}

per_backend!(fn image_folders_train_end_to_end(backend) {
    let tmp = common::tempdir();
    let dir = tmp.path();
    common::picture_folders(&dir.join("train"), 12, 1);
    common::picture_folders(&dir.join("test"), 4, 2);
    let config = images_config(dir, "");
    let run = dir.join("run");
    let run_s = run.display().to_string();
    let (_, err) = ok(&["train", &config.display().to_string(), "--out", &run_s]);
    assert!(err.contains("ignored 1 file(s)"), "{err}");
    let m = json(&run.join("metrics.json"));
    // Class 1 is the second folder in sorted order.
    assert_eq!(m["classes"], serde_json::json!(["dark", "light"]));
    assert_eq!(m["image_shape"], serde_json::json!([6, 6, 3]));
    assert_eq!(m["train_accuracy"], 100.0);
    assert_eq!(m["test_accuracy"], 100.0);
    // predict resizes pictures of other sizes the same way as loading does: two patterned
    // pictures (which any change of filter or of pixel order would read differently), mid-grey
    // on average so that p(light) is far from 0 and 1, through `evaluate --data` (the loader)
    // and `predict`.
    let patterned = |path: &Path, h: u32, w: u32| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let rgb: Vec<u8> = (0..h * w * 3)
            .map(|k| {
                let (r, c, ch) = (k / (3 * w), k / 3 % w, k % 3);
                (70 + 60 * ((r * 7 + c * 13 + ch * 5) % 3)) as u8
            })
            .collect();
        image::save_buffer(path, &rgb, w, h, image::ExtendedColorType::Rgb8).unwrap();
    };
    let pictures = [dir.join("check/dark/a.png"), dir.join("check/light/b.png")];
    patterned(&pictures[0], 9, 15);
    patterned(&pictures[1], 12, 12);
    let check = dir.join("check.toml");
    std::fs::write(
        &check,
        "[model]\nkind = \"logistic\"\n[data]\nkind = \"images\"\ntrain = \"check\"\nsize = [6, 6]\n[train]\nlearning_rate = 0.5\niterations = 1\n",
    )
    .unwrap();
    ok(&["evaluate", &run_s, "--data", &check.display().to_string()]);
    let evaluated: Vec<f64> = std::fs::read_to_string(run.join("predictions.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
        .collect();
    assert_eq!(evaluated.len(), 2);
    let paths: Vec<String> = pictures.iter().map(|p| p.display().to_string()).collect();
    let (out, _) = ok(&["predict", &run_s, &paths[0], &paths[1]]);
    for (path, p_eval) in paths.iter().zip(&evaluated) {
        // "PATH: CLASS (p(light) = P, confidence C %)", P with 6 decimals.
        let line = out.lines().find(|l| l.starts_with(&format!("{path}: "))).unwrap_or_else(|| panic!("{path}: {out}"));
        let p: f64 = line.split("= ").nth(1).unwrap().split(',').next().unwrap().parse().unwrap();
        assert!((0.001..0.999).contains(p_eval), "{path}: p = {p_eval} is too close to 0 or 1 to compare");
        assert!((p - p_eval).abs() <= 5.1e-7, "{path}: predict {p}, evaluate {p_eval}");
    }

    // `positive` names class 1.
    let l = simplenn::config::Config::load(&images_config(dir, "positive = \"dark\""), &[]).unwrap();
    let split = data::load(&l.config.data).unwrap();
    assert_eq!(split.classes, ["light".to_string(), "dark".to_string()]);
    // Sorted folders: dark first, so its 12 pictures are the first 12 examples.
    assert!(split.train.y()[..12].iter().all(|&y| y == 1.0));
    assert!(split.train.y()[12..].iter().all(|&y| y == 0.0));
    // An unreadable picture stops loading, unless skip_unreadable says to skip it.
    std::fs::write(dir.join("train").join("light").join("zz.png"), "broken").unwrap();
    assert!(data::load(&l.config.data).is_err());
    let l = simplenn::config::Config::load(&images_config(dir, "skip_unreadable = true"), &[]).unwrap();
    let split = data::load(&l.config.data).unwrap();
    assert_eq!(split.train.m(), 24);
    assert!(split.notes.iter().any(|n| n.contains("skipped 1 picture(s)")), "{:?}", split.notes);
});

/// A table of two features where "yes" is x1 + 2·x2 > 1, an id column that is not a feature,
/// and a skewed class ratio; x2 is on another scale than x1.
fn table(path: &Path, rows: usize, seed: u32, with_label: bool) -> Vec<(f64, f64)> {
    let mut rng = NumpyRng::new(seed);
    let mut text = String::from(if with_label {
        "id,x1,x2,outcome\n"
    } else {
        "id,x1,x2\n"
    });
    let mut xs = Vec::new();
    for i in 0..rows {
        let (x1, x2) = (rng.gauss(), 100.0 + 10.0 * rng.gauss());
        let yes = x1 + 2.0 * (x2 - 100.0) / 10.0 > 1.0;
        text += &format!("row{i},{x1},{x2}");
        if with_label {
            text += if yes { ",yes" } else { ",no" };
        }
        text += "\n";
        xs.push((x1, x2));
    }
    std::fs::write(path, text).unwrap();
    xs
}

fn csv_config(dir: &Path, seed: u32) -> PathBuf {
    let path = dir.join(format!("table-{seed}.toml"));
    std::fs::write(
        &path,
        format!(
            "[model]\nkind = \"logistic\"\n[data]\nkind = \"csv\"\ntrain = \"table.csv\"\nlabel = \"outcome\"\nfeatures = [\"x1\", \"x2\"]\nsplit = 0.25\nseed = {seed}\nstandardize = true\n[train]\nlearning_rate = 0.5\niterations = 300\nprecision = \"f64\"\n"
        ),
    )
    .unwrap();
    path
}

per_backend!(cpu fn csv_tables_train_split_standardize_and_predict(backend) {
    let tmp = common::tempdir();
    let dir = tmp.path();
    let xs = table(&dir.join("table.csv"), 120, 7, true);
    let run = dir.join("run");
    let run_s = run.display().to_string();
    ok(&["train", &csv_config(dir, 3).display().to_string(), "--out", &run_s, "-q"]);
    let m = json(&run.join("metrics.json"));
    assert_eq!(m["classes"], serde_json::json!(["no", "yes"]));
    assert!(m["train_accuracy"].as_f64().unwrap() > 95.0, "{m}");
    assert!(m["test_accuracy"].as_f64().unwrap() > 85.0, "{m}");

    // The split keeps each class's share and records where every example went.
    let input: InputRecord = serde_json::from_value(json(&run.join("input.json"))).unwrap();
    let split = input.split.clone().unwrap();
    let yes: Vec<bool> = xs
        .iter()
        .map(|(x1, x2)| x1 + 2.0 * (x2 - 100.0) / 10.0 > 1.0)
        .collect();
    let count = |idx: &[usize], class: bool| idx.iter().filter(|&&i| yes[i] == class).count();
    for class in [false, true] {
        let n = count(&(0..120).collect::<Vec<_>>(), class);
        assert_eq!(count(&split.test, class), (0.25 * n as f64).round() as usize, "class {class}");
    }
    let mut all: Vec<usize> = split.train.iter().chain(&split.test).copied().collect();
    all.sort_unstable();
    assert_eq!(all, (0..120).collect::<Vec<_>>());
    // Seeded: the same seed gives the same split, another seed another one.
    let again = simplenn::config::Config::load(&csv_config(dir, 3), &[]).unwrap();
    let again = data::load(&again.config.data).unwrap();
    assert_eq!(again.input.split.as_ref(), Some(&split));
    let other = simplenn::config::Config::load(&csv_config(dir, 4), &[]).unwrap();
    let other = data::load(&other.config.data).unwrap();
    assert_ne!(other.input.split.unwrap().test, split.test);

    // Standardisation: the training set's statistics, recorded; predict on a raw training row
    // gives evaluate's probability for it.
    // The statistics, computed here in two passes over the training rows: the mean and the
    // population standard deviation (not the sample one) of each feature.
    let scaling = input.scaling.unwrap();
    let columns: [Vec<f64>; 2] = [
        split.train.iter().map(|&i| xs[i].0).collect(),
        split.train.iter().map(|&i| xs[i].1).collect(),
    ];
    for (f, column) in columns.iter().enumerate() {
        let m = column.len() as f64;
        let mean = column.iter().sum::<f64>() / m;
        let std = (column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / m).sqrt();
        let near = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
        assert!(near(scaling.mean[f], mean), "feature {f}: mean {} vs {mean}", scaling.mean[f]);
        assert!(near(scaling.std[f], std), "feature {f}: std {} vs {std} (population)", scaling.std[f]);
    }
    ok(&["evaluate", &run_s]);
    let evaluated: Vec<(String, usize, f64)> = std::fs::read_to_string(run.join("predictions.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].parse().unwrap(), f[3].parse().unwrap())
        })
        .collect();
    table(&dir.join("rows.csv"), 120, 7, false);
    let (out, _) = ok(&["predict", &run_s, &dir.join("rows.csv").display().to_string()]);
    let predicted: Vec<(f64, String)> = out
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2].parse().unwrap(), f[3].to_string())
        })
        .collect();
    assert_eq!(predicted.len(), 120);
    assert!(predicted.iter().all(|(_, c)| c == "yes" || c == "no"));
    // evaluate wrote one row for each of the 90 training and 30 test examples.
    assert_eq!(evaluated.len(), 120);
    assert_eq!(evaluated.iter().filter(|(set, _, _)| set == "test").count(), 30);
    for (set, i, p) in &evaluated {
        let original = if set == "train" { split.train[*i] } else { split.test[*i] };
        let q = predicted[original].0;
        // Both print 9 decimals.
        assert!((p - q).abs() <= 2e-9, "{set} #{i} (row {original}): evaluate {p}, predict {q}");
    }

    // evaluate --data on the whole table: the run's columns, classes and scaling, so its
    // accuracy is that of predict's classes against the labels.
    let (out, _) = ok(&["evaluate", &run_s, "--data", &dir.join("table.csv").display().to_string()]);
    let right = predicted
        .iter()
        .zip(&yes)
        .filter(|((_, c), y)| (c == "yes") == **y)
        .count();
    let expected = format!("data accuracy: {:.2} % (120 examples)", 100.0 * right as f64 / 120.0);
    assert!(out.contains(&expected), "{expected} not in:\n{out}");

    // export folds the scaling into W1 and b1: on raw features they give predict's numbers.
    let h5 = dir.join("model.h5");
    ok(&["export", &run_s, "--h5", &h5.display().to_string()]);
    let f = hdf5::File::open(&h5).unwrap();
    let w: Vec<f64> = f.dataset("W1").unwrap().read_raw().unwrap();
    let b: Vec<f64> = f.dataset("b1").unwrap().read_raw().unwrap();
    for (i, (x1, x2)) in xs.iter().enumerate() {
        let p = 1.0 / (1.0 + (-(w[0] * x1 + w[1] * x2 + b[0])).exp());
        assert!((p - predicted[i].0).abs() <= 2e-9, "row {i}: export {p}, predict {}", predicted[i].0);
    }
});

/// The course's pictures, written as `root/cat/NNN.png` and `root/non-cat/NNN.png`.
fn cat_folders(h5: &Path, prefix: &str, root: &Path) -> simplenn::data::Dataset {
    let (set, _, [h, w, _]) = cat::load(h5, prefix).unwrap();
    for i in 0..set.m {
        let rgb: Vec<u8> = set
            .example(i)
            .iter()
            .map(|v| (v * 255.0).round() as u8)
            .collect();
        let class = if set.y[i] == 1.0 { "cat" } else { "non-cat" };
        let path = root.join(class).join(format!("{i:03}.png"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        write_png(&path, &rgb, h, w).unwrap();
    }
    set
}

per_backend!(
#[cfg_attr(not(cat_files), ignore = "needs the course's cat files in datasets/: cargo run -- data fetch cat")]
cpu fn cat_pictures_as_png_folders_give_the_hdf5_numbers(backend) {
    let (train_h5, test_h5) = (
        common::dataset("train_catvnoncat.h5"),
        common::dataset("test_catvnoncat.h5"),
    );
    let tmp = common::tempdir();
    let train = cat_folders(&train_h5, "train", &tmp.path().join("train"));
    cat_folders(&test_h5, "test", &tmp.path().join("test"));
    let common_set = ["train.iterations=300", "train.precision=f64"];
    let h5_route = common::shipped("deep_cat.toml", &common_set);
    let (t, s) = (tmp.path().join("train"), tmp.path().join("test"));
    let (t, s) = (format!("data.train={:?}", t.display().to_string()), format!("data.test={:?}", s.display().to_string()));
    let folder_route = common::shipped(
        "deep_cat.toml",
        &[&common_set[..], &["data.kind=images", &t, &s, "data.positive=cat"]].concat(),
    );
    // The same X: every picture read back equals the course's example, feature for feature.
    let folders = data::load(&folder_route.config.data).unwrap();
    assert_eq!(folders.classes, ["non-cat".to_string(), "cat".to_string()]);
    let order: Vec<usize> = (0..train.m)
        .filter(|&i| train.y[i] == 1.0)
        .chain((0..train.m).filter(|&i| train.y[i] == 0.0))
        .collect();
    assert_eq!(folders.train.m(), train.m);
    for (k, &i) in order.iter().enumerate() {
        assert_eq!(folders.train.example(k).unwrap(), train.example(i), "picture {i}");
        assert_eq!(folders.train.y()[k], train.y[i]);
    }
    // The same training: f64 cost histories to 1e-9, the same accuracies.
    let compute = common::compute(backend);
    let a = pipeline::run(&h5_route, Start::Fresh, &mut Silent, compute).unwrap().metrics;
    let b = pipeline::run(&folder_route, Start::Fresh, &mut Silent, compute).unwrap().metrics;
    assert_eq!(a.costs.len(), b.costs.len());
    for (&(i, x), &(_, y)) in a.costs.iter().zip(&b.costs) {
        let rel = (x - y).abs() / x.abs();
        println!("iteration {i}: HDF5 {x:.15} folders {y:.15} (rel {rel:.1e})");
        assert!(rel <= 1e-9, "iteration {i}: {x} vs {y}");
    }
    assert_eq!(a.train_accuracy, b.train_accuracy);
    assert_eq!(a.test_accuracy, b.test_accuracy);
});

per_backend!(cpu fn resume_refuses_data_that_changed(backend) {
    let tmp = common::tempdir();
    let dir = tmp.path();
    table(&dir.join("table.csv"), 80, 5, true);
    let run = dir.join("run");
    let run_s = run.display().to_string();
    let config = csv_config(dir, 3).display().to_string();
    let out = common::simplenn()
        .args(["train", &config, "--out", &run_s, "-q", "--stop-at", "100"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    // Another table under the same name: the recorded split and scaling no longer hold, for
    // resume and for evaluate alike.
    table(&dir.join("table.csv"), 80, 6, true);
    let out = common::simplenn().args(["evaluate", &run_s]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("changed since training"), "{}", stderr(&out));
    let out = common::simplenn().args(["train", "--resume", &run_s]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("resume needs the same data files"), "{err}");
    // Reported as the checkpoint's problem, naming the run folder (not the config).
    assert!(err.contains(&format!("checkpoint {run_s}: ")), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial"))
        .collect();
    assert!(left.is_empty(), "staging folders left: {left:?}");
    // The checkpoint is untouched and still says where it stopped.
    assert_eq!(json(&run.join("checkpoint.json"))["iteration"], 100);
    // A table with another column count: the model's sizes no longer fit either.
    std::fs::write(dir.join("table.csv"), "id,x1,outcome\nr,1,yes\ns,2,no\n").unwrap();
    let out = common::simplenn().args(["train", "--resume", &run_s]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("has no column \"x2\""), "{}", stderr(&out));
});
