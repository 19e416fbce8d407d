//! K classes end to end: three classes from every kind of data (a table, picture folders, HDF5
//! in memory and streamed, the course's HDF5 layout, the generated spiral), their names and
//! order, the confusion matrix and per-class figures against a hand count, predict's
//! probabilities, export's shapes, resume bit for bit, and run folders written before K classes.

#[macro_use]
mod common;

use std::path::{Path, PathBuf};

use simplenn::config::Config;
use simplenn::confusion::Confusion;
use simplenn::pipeline::{self, Start};
use simplenn::rng::NumpyRng;
use simplenn::run_dir;
use simplenn::run_result::RunResult;
use simplenn::train::Silent;

/// Centres of the three generated classes, far apart: any model separates them.
const CENTRES: [(f64, f64); 3] = [(-2.0, 0.0), (2.0, 0.0), (0.0, 3.0)];

/// `n` points around each centre, classes interleaved (0, 1, 2, 0, 1, 2, …): (x1, x2, class).
fn points(n: usize, seed: u32) -> Vec<(f64, f64, usize)> {
    let mut rng = NumpyRng::new(seed);
    (0..3 * n)
        .map(|i| {
            let k = i % 3;
            let (a, b) = CENTRES[k];
            (a + 0.5 * rng.gauss(), b + 0.5 * rng.gauss(), k)
        })
        .collect()
}

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

/// A config in `dir` with `[data]` as given and a softmax regression that fits it.
fn config(dir: &Path, name: &str, data: &str, train: &str) -> PathBuf {
    write(
        &dir.join(format!("{name}.toml")),
        &format!(
            "[model]\nkind = \"logistic\"\n[data]\n{data}\n[train]\nlearning_rate = 0.5\niterations = 150\nlog_every = 50\n{train}\n"
        ),
    )
}

fn train(path: &Path, backend: simplenn::device::Backend) -> RunResult {
    let loaded = Config::load(path, &[]).unwrap();
    pipeline::run(&loaded, Start::Fresh, &mut Silent, common::compute(backend)).unwrap()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A CSV table of the points, labelled by `names[class]`.
fn table(path: &Path, points: &[(f64, f64, usize)], names: &[&str]) -> PathBuf {
    let mut text = String::from("x1,x2,species\n");
    for (a, b, k) in points {
        text.push_str(&format!("{a},{b},{}\n", names[*k]));
    }
    write(path, &text)
}

// Each data kind with three classes: the classes come out named and ordered as the rules say,
// the labels numbered by that order, the output layer has 3 units and the model separates
// the classes.
per_backend!(fn three_classes_from_every_kind_of_data(backend) {
    let tmp = common::tempdir();
    let dir = tmp.path();
    let pts = points(12, 3);
    let names = ["versicolor", "setosa", "virginica"];
    let check = |r: &RunResult, classes: &[&str], what: &str| {
        assert_eq!(r.data.classes, classes, "{what}");
        assert_eq!(*r.metrics.layers.last().unwrap(), 3, "{what}");
        assert!(r.metrics.train_accuracy > 99.0, "{what}: {}", r.metrics.train_accuracy);
        let report = r.metrics.train_classes.as_ref().unwrap();
        assert_eq!(report.per_class.len(), 3, "{what}");
        assert!(report.per_class.iter().all(|s| s.support == 12), "{what}");
    };

    // A table: the label values in text order, or as `classes` fixes it.
    let csv = table(&dir.join("three.csv"), &pts, &names);
    let data = format!("kind = \"csv\"\ntrain = {:?}\nlabel = \"species\"", csv.display().to_string());
    let r = train(&config(dir, "csv", &data, ""), backend);
    check(&r, &["setosa", "versicolor", "virginica"], "csv");
    // Row 0 is a versicolor: class 1 in text order.
    assert_eq!(r.data.train.y()[0], 1.0);
    let fixed = format!("{data}\nclasses = [\"virginica\", \"versicolor\", \"setosa\"]");
    let r = train(&config(dir, "csv_fixed", &fixed, ""), backend);
    check(&r, &["virginica", "versicolor", "setosa"], "csv with classes");
    assert_eq!(r.data.train.y()[..3], [1.0, 2.0, 0.0]);

    // Picture folders: one per class, each class its own colour.
    let pictures = dir.join("pictures");
    let colours = [[200u8, 30, 30], [30, 200, 30], [30, 30, 200]];
    for (k, folder) in ["red", "green", "blue"].iter().enumerate() {
        for i in 0..12 {
            let rgb: Vec<u8> = (0..16).flat_map(|p| colours[k].map(|c| c.wrapping_add((p * 3 + i) as u8 % 20))).collect();
            let path = pictures.join(folder).join(format!("{i:02}.png"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            simplenn::image_input::write_png(&path, &rgb, 4, 4).unwrap();
        }
    }
    let data = format!("kind = \"images\"\ntrain = {:?}\nsize = [4, 4]", pictures.display().to_string());
    let r = train(&config(dir, "images", &data, ""), backend);
    check(&r, &["blue", "green", "red"], "images");
    assert_eq!(r.data.image_shape, Some([4, 4, 3]));

    // HDF5 X (2, m) and Y of class numbers: unnamed, or named by `classes`; in memory and
    // streamed.
    let h5 = dir.join("three.h5");
    let m = pts.len();
    let mut x: Vec<f64> = pts.iter().map(|p| p.0).collect();
    x.extend(pts.iter().map(|p| p.1));
    let y: Vec<i64> = pts.iter().map(|p| p.2 as i64).collect();
    common::write_xy(&h5, &x, &[2, m], &y);
    let data = format!("kind = \"h5\"\ntrain = {:?}", h5.display().to_string());
    let r = train(&config(dir, "h5", &data, ""), backend);
    check(&r, &["class 0", "class 1", "class 2"], "h5");
    assert_eq!(r.data.train.y(), y.iter().map(|&v| v as f64).collect::<Vec<_>>());
    let named = format!("{data}\nclasses = [\"a\", \"b\", \"c\"]");
    check(&train(&config(dir, "h5_named", &named, ""), backend), &["a", "b", "c"], "h5 named");
    let streamed = format!("{data}\nstream = true");
    let r = train(&config(dir, "h5_stream", &streamed, "batch_size = 12"), backend);
    check(&r, &["class 0", "class 1", "class 2"], "h5 streamed");

    // The course's layout with three names in `list_classes`, kept in the file's order.
    let cat = dir.join("three_cat.h5");
    {
        let f = hdf5::File::create(&cat).unwrap();
        let pixels: Vec<u8> = pts
            .iter()
            .flat_map(|&(_, _, k)| (0..2 * 2 * 3).map(move |p| colours[k][p % 3]))
            .collect();
        f.new_dataset::<u8>().shape([m, 2, 2, 3]).create("train_set_x").unwrap().write_raw(&pixels).unwrap();
        f.new_dataset::<i64>().shape([m]).create("train_set_y").unwrap().write_raw(&y).unwrap();
        let names: Vec<hdf5::types::FixedAscii<8>> = ["zebra", "ant", "moth"]
            .iter()
            .map(|n| hdf5::types::FixedAscii::from_ascii(n).unwrap())
            .collect();
        f.new_dataset::<hdf5::types::FixedAscii<8>>().shape([3]).create("list_classes").unwrap().write_raw(&names).unwrap();
    }
    let data = format!("kind = \"cat\"\ntrain = {:?}", cat.display().to_string());
    check(&train(&config(dir, "cat", &data, ""), backend), &["zebra", "ant", "moth"], "cat layout");
    // `classes` reorders the file's names, and the labels with them.
    let reordered = format!("{data}\nclasses = [\"moth\", \"zebra\", \"ant\"]");
    let r = train(&config(dir, "cat_reordered", &reordered, ""), backend);
    check(&r, &["moth", "zebra", "ant"], "cat layout, reordered");
    assert_eq!(r.data.train.y()[..3], [1.0, 2.0, 0.0]);

    // The generated spiral: a shallow net separates the arms, softmax regression cannot.
    let spiral = "[data]\nkind = \"spiral\"\narms = 3\npoints = 40\n[train]\nlearning_rate = 1.0\niterations = 1500\nlog_every = 500\n";
    let shallow = write(&dir.join("spiral.toml"), &format!("[model]\nkind = \"shallow\"\nhidden = 12\n{spiral}"));
    let linear = write(&dir.join("spiral_linear.toml"), &format!("[model]\nkind = \"logistic\"\n{spiral}"));
    let (deep, flat) = (train(&shallow, backend), train(&linear, backend));
    assert_eq!(deep.data.classes, ["arm 0", "arm 1", "arm 2"]);
    assert_eq!(deep.metrics.layers, [2, 12, 3]);
    assert!(
        deep.metrics.train_accuracy > 95.0 && flat.metrics.train_accuracy < 70.0,
        "shallow {} %, softmax regression {} %",
        deep.metrics.train_accuracy,
        flat.metrics.train_accuracy
    );
});

#[test]
fn confusion_matrix_and_per_class_figures_match_a_hand_count() {
    let labels = [0.0, 0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0];
    let predicted = [0, 0, 1, 1, 1, 2, 2, 0, 0];
    let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    let report = Confusion::new(3, &predicted, &labels).report(&names);
    // Rows: label; columns: prediction; counted by hand.
    assert_eq!(report.confusion, [[2, 1, 0], [0, 2, 0], [2, 0, 2]]);
    // Precision TP/(TP+FP) from the columns, recall TP/(TP+FN) from the rows.
    let want = [
        (0.5, 2.0 / 3.0, 4.0 / 7.0, 3),
        (2.0 / 3.0, 1.0, 0.8, 2),
        (1.0, 0.5, 2.0 / 3.0, 4),
    ];
    for (s, (p, r, f1, support)) in report.per_class.iter().zip(want) {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-15;
        assert!(
            close(s.precision, p) && close(s.recall, r) && close(s.f1, f1),
            "{s:?}"
        );
        assert_eq!(s.support, support);
    }
    let mean = |f: [f64; 3]| f.iter().sum::<f64>() / 3.0;
    let a = &report.macro_average;
    assert!((a.precision - mean([0.5, 2.0 / 3.0, 1.0])).abs() < 1e-15);
    assert!((a.recall - mean([2.0 / 3.0, 1.0, 0.5])).abs() < 1e-15);
    assert!((a.f1 - mean([4.0 / 7.0, 0.8, 2.0 / 3.0])).abs() < 1e-15);
    // A class never predicted has precision 0, not NaN.
    let never = Confusion::new(3, &[0, 0, 1], &[0.0, 2.0, 1.0]).report(&names);
    assert_eq!(never.per_class[2].precision, 0.0);
    assert_eq!(never.per_class[2].f1, 0.0);
}

/// Train a three-class table through the binary, with a held-out test set.
fn csv_run(dir: &Path) -> (PathBuf, PathBuf) {
    let csv = table(&dir.join("train.csv"), &points(15, 5), &["x", "y", "z"]);
    // A few points near the middle so that the test set has mistakes to count.
    let mut test = points(6, 9);
    test.extend([(0.0, 1.2, 0), (0.0, 1.2, 1), (0.0, 1.2, 2), (-0.3, 0.5, 2)]);
    let test = table(&dir.join("test.csv"), &test, &["x", "y", "z"]);
    let data = format!(
        "kind = \"csv\"\ntrain = {:?}\ntest = {:?}\nlabel = \"species\"\nstandardize = true",
        csv.display().to_string(),
        test.display().to_string()
    );
    let config = config(dir, "csv_run", &data, "");
    let run = dir.join("run");
    common::train_into(&config, &run);
    (run, test)
}

// evaluate prints the K × K matrix with the class names; it equals a count of its own
// predictions.csv, and metrics.json keeps the same figures.
per_backend!(fn evaluate_prints_the_confusion_matrix_of_its_predictions(backend) {
    let tmp = common::tempdir();
    let (run, _) = csv_run(tmp.path());
    let out = common::succeeds(common::simplenn().arg("evaluate").arg(&run));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let predictions = std::fs::read_to_string(run.join("predictions.csv")).unwrap();
    let mut lines = predictions.lines();
    assert_eq!(lines.next().unwrap(), "set,index,label,p_x,p_y,p_z,prediction");
    let mut counts = [[0usize; 3]; 3];
    for line in lines.filter(|l| l.starts_with("test,")) {
        let f: Vec<&str> = line.split(',').collect();
        let (label, predicted) = (f[2].parse::<f64>().unwrap() as usize, f[6].parse::<usize>().unwrap());
        counts[label][predicted] += 1;
        let p: Vec<f64> = f[3..6].iter().map(|v| v.parse().unwrap()).collect();
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{line}");
    }
    assert_eq!(counts.iter().flatten().sum::<usize>(), 22);
    assert!(counts.iter().enumerate().any(|(r, row)| row.iter().enumerate().any(|(c, &n)| r != c && n > 0)), "the test set has mistakes: {counts:?}");
    // The printed test matrix: its rows after the header of names.
    let test_part = &stdout[stdout.find("test accuracy").unwrap()..];
    let rows: Vec<Vec<usize>> = test_part
        .lines()
        .skip(3)
        .take(3)
        .map(|l| l.split_whitespace().skip(1).map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows, counts.map(|r| r.to_vec()), "{stdout}");
    for fragment in ["precision", "recall", "F1", "macro average"] {
        assert!(test_part.contains(fragment), "{stdout}");
    }
    let metrics = json(&run.join("metrics.json"));
    let kept: Vec<Vec<usize>> = serde_json::from_value(metrics["test_classes"]["confusion"].clone()).unwrap();
    assert_eq!(kept, counts.map(|r| r.to_vec()));
    assert_eq!(metrics["classes"], serde_json::json!(["x", "y", "z"]));
});

// predict: one probability column per class, each row summing to 1, the class the largest;
// export: W[L] of shape (K, n[L−1]).
per_backend!(fn predict_and_export_speak_in_k_classes(backend) {
    let tmp = common::tempdir();
    let (run, test) = csv_run(tmp.path());
    let out = common::succeeds(common::simplenn().arg("predict").arg(&run).arg(&test));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), "file,row,p_x,p_y,p_z,species");
    let mut n = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let p: Vec<f64> = f[2..5].iter().map(|v| v.parse().unwrap()).collect();
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{line}");
        let best = (0..3).fold(0, |b, k| if p[k] > p[b] { k } else { b });
        assert_eq!(f[5], ["x", "y", "z"][best], "{line}");
        n += 1;
    }
    assert_eq!(n, 22);

    let h5 = tmp.path().join("exported.h5");
    common::succeeds(common::simplenn().arg("export").arg(&run).arg("--h5").arg(&h5));
    let file = hdf5::File::open(&h5).unwrap();
    assert_eq!(file.dataset("W1").unwrap().shape(), [3, 2]);
    assert_eq!(file.dataset("b1").unwrap().shape(), [3, 1]);
});

// A K-class run stopped and resumed ends bit for bit where the uninterrupted run ends.
per_backend!(fn k_class_resume_is_bit_for_bit(backend) {
    let tmp = common::tempdir();
    let config = write(
        &tmp.path().join("spiral.toml"),
        "[model]\nkind = \"shallow\"\nhidden = 8\n[data]\nkind = \"spiral\"\npoints = 30\n[train]\nlearning_rate = 0.8\niterations = 90\nlog_every = 10\n",
    );
    let (whole, parts) = (tmp.path().join("whole"), tmp.path().join("parts"));
    common::train_into(&config, &whole);
    let stopped = common::simplenn()
        .args(["train", "-q"])
        .arg(&config)
        .arg("--out")
        .arg(&parts)
        .args(["--stop-at", "45"])
        .output()
        .unwrap();
    assert_eq!(stopped.status.code(), Some(130));
    let resumed = common::succeeds(common::simplenn().args(["train", "--resume"]).arg(&parts));
    assert_eq!(common::logged_steps(&resumed.stdout), [50, 60, 70, 80, 89]);
    let compute = common::compute(backend);
    let (a, b) = (run_dir::load(&whole, compute).unwrap(), run_dir::load(&parts, compute).unwrap());
    assert_eq!(a.model.layer_values().unwrap(), b.model.layer_values().unwrap());
    let bits = |m: &simplenn::run_result::Metrics| -> Vec<u64> {
        m.costs.iter().map(|c| c.1.to_bits()).chain([m.final_cost.to_bits()]).collect()
    };
    assert_eq!(bits(&a.metrics), bits(&b.metrics));
    assert_eq!(a.metrics.train_classes, b.metrics.train_classes);
});

// A run folder written before K classes (metrics.json without the per-class figures) still
// evaluates and predicts, with the class names it recorded.
per_backend!(fn a_run_folder_from_before_k_classes_still_evaluates(backend) {
    let tmp = common::tempdir();
    let dir = tmp.path();
    let pts: Vec<(f64, f64, usize)> = points(10, 4).into_iter().filter(|p| p.2 < 2).collect();
    let csv = table(&dir.join("two.csv"), &pts, &["no", "yes"]);
    let data = format!("kind = \"csv\"\ntrain = {:?}\nlabel = \"species\"", csv.display().to_string());
    let config = config(dir, "two", &data, "");
    let run = dir.join("run");
    common::train_into(&config, &run);
    let path = run.join("metrics.json");
    let mut metrics = json(&path);
    let fresh = metrics["train_accuracy"].clone();
    let object = metrics.as_object_mut().unwrap();
    assert!(object.remove("train_classes").is_some());
    std::fs::write(&path, serde_json::to_string_pretty(&metrics).unwrap()).unwrap();
    let out = common::succeeds(common::simplenn().arg("evaluate").arg(&run));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("train accuracy: {:.2} %", fresh.as_f64().unwrap())),
        "{stdout}"
    );
    let out = common::succeeds(common::simplenn().arg("predict").arg(&run).arg(&csv));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("file,row,probability,species\n"), "{text}");
    assert_eq!(text.lines().count(), 21);
});

#[test]
fn label_values_that_are_numbers_sort_as_numbers() {
    use simplenn::data::classes::{Naming, order};
    let found = |names: &[&str]| names.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        order(&found(&["10", "2", "1", "0"]), Naming::default()).unwrap(),
        ["0", "1", "2", "10"]
    );
    assert_eq!(
        order(&found(&["b", "10", "2"]), Naming::default()).unwrap(),
        ["10", "2", "b"],
        "names that are not all numbers sort as text"
    );
    // Two classes as before: 0 and 1, class 1 the second.
    assert_eq!(
        order(&found(&["1", "0"]), Naming::default()).unwrap(),
        ["0", "1"]
    );
}

// evaluate --data on an HDF5 file: labels of one class only are fine; a label past the names of
// a course-layout file is an error naming it, not a panic.
per_backend!(fn evaluate_on_other_hdf5_data_checks_its_labels(backend) {
    let _ = backend;
    let tmp = common::tempdir();
    let dir = tmp.path();
    let pts = points(10, 7);
    let h5 = dir.join("three.h5");
    let mut x: Vec<f64> = pts.iter().map(|p| p.0).collect();
    x.extend(pts.iter().map(|p| p.1));
    let y: Vec<i64> = pts.iter().map(|p| p.2 as i64).collect();
    common::write_xy(&h5, &x, &[2, pts.len()], &y);
    let config = config(dir, "h5", &format!("kind = \"h5\"\ntrain = {:?}", h5.display().to_string()), "");
    let run = dir.join("run");
    common::train_into(&config, &run);
    // Only class 2's points.
    let ones: Vec<&(f64, f64, usize)> = pts.iter().filter(|p| p.2 == 2).collect();
    let only = dir.join("only.h5");
    let mut x: Vec<f64> = ones.iter().map(|p| p.0).collect();
    x.extend(ones.iter().map(|p| p.1));
    common::write_xy(&only, &x, &[2, ones.len()], &vec![2; ones.len()]);
    let out = common::succeeds(common::simplenn().arg("evaluate").arg(&run).arg("--data").arg(&only));
    assert!(String::from_utf8_lossy(&out.stdout).contains("data accuracy: 100.00 % (10 examples)"));
    // A label 3 for a three-class model.
    let past = dir.join("past.h5");
    common::write_xy(&past, &[0.0, 1.0, 2.0, 3.0], &[2, 2], &[0, 3]);
    let out = common::simplenn().arg("evaluate").arg(&run).arg("--data").arg(&past).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("label") && !stderr.contains("panicked"), "{stderr}");
});
