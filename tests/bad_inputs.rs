//! The corpus of bad inputs: each one goes through the real binary and must end in exit status
//! 2, a message containing the expected fragment, no panic, and no output folder left behind.

// The corpus is built case by case, with the files each case needs written in between.
#![allow(clippy::vec_init_then_push)]

#[macro_use]
mod common;

use std::path::{Path, PathBuf};

/// A base config that works (planar, no files needed).
const GOOD: &str = "[model]\nkind = \"deep\"\nlayers = [2, 3, 1]\nactivation = \"relu\"\n[data]\nkind = \"planar\"\nm = 40\n[train]\nlearning_rate = 0.1\niterations = 5\n";

struct Case {
    name: &'static str,
    /// Arguments; `{dir}` is replaced by the case's scratch folder.
    args: Vec<String>,
    fragment: &'static str,
}

fn config_case(name: &'static str, dir: &Path, text: &str, fragment: &'static str) -> Case {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    Case {
        name,
        args: vec!["train".into(), path.display().to_string()],
        fragment,
    }
}

fn replace(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from}");
    GOOD.replace(from, to)
}

fn h5_config(train: &Path, extra: &str) -> String {
    format!(
        "[model]\nkind = \"logistic\"\n[data]\nkind = \"h5\"\ntrain = {:?}\n{extra}\n[train]\nlearning_rate = 0.1\niterations = 5\n",
        train.display().to_string()
    )
}

/// Write an HDF5 file with a float X of `x_shape` and a Y of the given values.
fn write_xy(path: &Path, x_shape: &[usize], y: &[i64]) {
    let n: usize = x_shape.iter().product();
    let x: Vec<f64> = (0..n).map(|i| i as f64 / 10.0).collect();
    common::write_xy(path, &x, x_shape, y);
}

fn cases(dir: &Path) -> Vec<Case> {
    let mut v = Vec::new();
    // --- config files ---
    v.push(config_case(
        "unknown_key",
        dir,
        &replace("iterations = 5", "iterations = 5\nlearnin_rate = 3"),
        "unknown field `learnin_rate`",
    ));
    v.push(config_case(
        "misspelled_kind",
        dir,
        &replace("kind = \"deep\"", "kind = \"dep\""),
        "unknown variant `dep`",
    ));
    v.push(config_case(
        "wrong_type",
        dir,
        &replace("iterations = 5", "iterations = \"five\""),
        "invalid type",
    ));
    v.push(config_case(
        "negative_lr",
        dir,
        &replace("learning_rate = 0.1", "learning_rate = -0.1"),
        "train.learning_rate = -0.1",
    ));
    v.push(config_case(
        "zero_lr",
        dir,
        &replace("learning_rate = 0.1", "learning_rate = 0.0"),
        "must be a finite number > 0",
    ));
    v.push(config_case(
        "nan_lr",
        dir,
        &replace("learning_rate = 0.1", "learning_rate = nan"),
        "train.learning_rate = NaN",
    ));
    v.push(config_case(
        "inf_lr",
        dir,
        &replace("learning_rate = 0.1", "learning_rate = inf"),
        "train.learning_rate = inf",
    ));
    v.push(config_case(
        "zero_iterations",
        dir,
        &replace("iterations = 5", "iterations = 0"),
        "train.iterations (or epochs) = 0",
    ));
    v.push(config_case(
        "empty_layers",
        dir,
        &replace("[2, 3, 1]", "[]"),
        "at least an input and an output",
    ));
    v.push(config_case(
        "one_layer",
        dir,
        &replace("[2, 3, 1]", "[2]"),
        "at least an input and an output",
    ));
    v.push(config_case(
        "zero_size_layer",
        dir,
        &replace("[2, 3, 1]", "[2, 0, 1]"),
        "layer 1 has size 0",
    ));
    v.push(config_case(
        "first_layer_mismatch",
        dir,
        &replace("[2, 3, 1]", "[3, 3, 1]"),
        "must equal the number of input features, 2",
    ));
    v.push(config_case(
        "last_layer_not_the_classes",
        dir,
        &replace("[2, 3, 1]", "[2, 3, 4]"),
        "the last layer is 4 but the data has 2 classes",
    ));
    v.push(config_case(
        "unknown_activation",
        dir,
        &replace("\"relu\"", "\"swish\""),
        "unknown variant `swish`",
    ));
    v.push(config_case(
        "missing_data_path",
        dir,
        &replace("kind = \"planar\"\nm = 40", "kind = \"cat\""),
        "missing field `train`",
    ));
    v.push(config_case(
        "toml_syntax",
        dir,
        &replace("[train]", "[train"),
        "line 8, column",
    ));
    v.push(config_case(
        "negative_leaky_slope",
        dir,
        &replace("\"relu\"", "\"leaky_relu\"\nleaky_slope = -1.0"),
        "model.leaky_slope",
    ));
    v.push(config_case(
        "shallow_without_hidden",
        dir,
        &replace("kind = \"deep\"\nlayers = [2, 3, 1]", "kind = \"shallow\""),
        "model.hidden: missing",
    ));
    v.push(config_case(
        "odd_planar_m",
        dir,
        &replace("m = 40", "m = 41"),
        "data.m = 41",
    ));
    v.push(config_case(
        "h5_init_without_path",
        dir,
        &replace("[train]", "[init]\nscheme = \"h5\"\n[train]"),
        "init.path: missing",
    ));
    v.push(Case {
        name: "config_missing",
        args: vec!["train".into(), dir.join("nope.toml").display().to_string()],
        fragment: "cannot be read",
    });
    v.push(Case {
        name: "config_is_directory",
        args: vec!["train".into(), dir.display().to_string()],
        fragment: "is a directory",
    });

    // --- HDF5 data files ---
    let good_h5 = dir.join("good.h5");
    write_xy(&good_h5, &[2, 6], &[0, 1, 0, 1, 1, 0]);
    let h5_case = |name: &'static str, file: &Path, extra: &str, fragment: &'static str| {
        config_case(name, dir, &h5_config(file, extra), fragment)
    };
    v.push(h5_case(
        "h5_missing_file",
        &dir.join("absent.h5"),
        "",
        "no such file",
    ));
    let text = dir.join("text.h5");
    std::fs::write(&text, "X,Y\n1,0\n").unwrap();
    v.push(h5_case(
        "h5_not_hdf5",
        &text,
        "",
        "cannot be opened as HDF5",
    ));
    let bytes = std::fs::read(&good_h5).unwrap();
    let truncated = dir.join("truncated.h5");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    v.push(h5_case("h5_truncated", &truncated, "", "truncated"));
    v.push(h5_case(
        "h5_missing_key",
        &good_h5,
        "y = \"labels\"",
        "has no dataset `labels` (found: X, Y)",
    ));
    let float_labels = dir.join("float_labels.h5");
    {
        let f = hdf5::File::create(&float_labels).unwrap();
        f.new_dataset::<f64>()
            .shape([2, 3])
            .create("X")
            .unwrap()
            .write_raw(&[0.0; 6][..])
            .unwrap();
        f.new_dataset::<f64>()
            .shape([1, 3])
            .create("Y")
            .unwrap()
            .write_raw(&[0.0, 1.0, 0.0][..])
            .unwrap();
    }
    v.push(h5_case(
        "h5_float_labels",
        &float_labels,
        "",
        "`Y` holds float64, expected integer labels",
    ));
    let int_features = dir.join("int_features.h5");
    {
        let f = hdf5::File::create(&int_features).unwrap();
        f.new_dataset::<i64>()
            .shape([2, 3])
            .create("X")
            .unwrap()
            .write_raw(&[1i64; 6][..])
            .unwrap();
        f.new_dataset::<u8>()
            .shape([1, 3])
            .create("Y")
            .unwrap()
            .write_raw(&[0u8, 1, 0][..])
            .unwrap();
    }
    v.push(h5_case(
        "h5_int_features",
        &int_features,
        "",
        "`X` holds int64, expected floating-point values",
    ));
    let rank1 = dir.join("rank1.h5");
    write_xy(&rank1, &[6], &[0, 1, 0, 1, 1, 0]);
    v.push(h5_case(
        "h5_wrong_rank",
        &rank1,
        "",
        "(rank 1), expected rank 2",
    ));
    let count = dir.join("count.h5");
    write_xy(&count, &[2, 5], &[0, 1, 0, 1]);
    v.push(h5_case(
        "h5_count_mismatch",
        &count,
        "",
        "5 examples (columns) but `Y` has 4 labels",
    ));
    let labels = dir.join("labels.h5");
    write_xy(&labels, &[2, 3], &[0, 2, 2]);
    v.push(h5_case(
        "h5_labels_skip_a_class",
        &labels,
        "",
        "has no example of class 1",
    ));
    // A NaN or infinity in X is the data's fault, named where it is (not a divergence).
    let with = |value: f64, at: usize, shape: &[usize]| {
        let n: usize = shape.iter().product();
        let mut x: Vec<f64> = (0..n).map(|i| i as f64 / 10.0).collect();
        x[at] = value;
        x
    };
    let nan = dir.join("nan.h5");
    // (n_x = 2, m = 3): value 4 is feature 1 of example 1.
    common::write_xy(&nan, &with(f64::NAN, 4, &[2, 3]), &[2, 3], &[0, 1, 0]);
    v.push(h5_case(
        "h5_nan_in_x",
        &nan,
        "",
        "`X` holds NaN at example 1, feature 1: every value must be a finite number",
    ));
    let inf = dir.join("inf.h5");
    // (m = 3, n_x = 2): value 5 is feature 1 of example 2.
    common::write_xy(&inf, &with(f64::INFINITY, 5, &[3, 2]), &[3, 2], &[0, 1, 0]);
    v.push(h5_case(
        "h5_inf_in_x_examples_first",
        &inf,
        "layout = \"examples_first\"",
        "`X` holds inf at example 2, feature 1",
    ));
    let empty = dir.join("empty.h5");
    write_xy(&empty, &[2, 0], &[]);
    v.push(h5_case("h5_empty", &empty, "", "the data set is empty"));
    // Found by tests/fuzz.rs: a header whose compact data size disagrees with the shape made
    // libhdf5 1.10 read out of bounds (segfault or gigabytes allocated).
    let corrupt = common::repo().join("tests/fixtures/corrupt_compact_header.h5");
    v.push(h5_case(
        "h5_corrupt_compact_header",
        &corrupt,
        "",
        "the file is corrupt or truncated",
    ));
    let cat_float = dir.join("cat_float.h5");
    {
        let f = hdf5::File::create(&cat_float).unwrap();
        f.new_dataset::<f32>()
            .shape([2, 4, 4, 3])
            .create("train_set_x")
            .unwrap()
            .write_raw(&[0.5f32; 96][..])
            .unwrap();
        f.new_dataset::<i64>()
            .shape([2])
            .create("train_set_y")
            .unwrap()
            .write_raw(&[0i64, 1][..])
            .unwrap();
    }
    v.push(config_case(
        "cat_float_pixels",
        dir,
        &format!("[model]\nkind = \"logistic\"\n[data]\nkind = \"cat\"\ntrain = {:?}\n[train]\nlearning_rate = 0.1\niterations = 5\n", cat_float.display().to_string()),
        "expected uint8 pixel values",
    ));
    // --- initial-parameter files ---
    let init = dir.join("init.h5");
    {
        let f = hdf5::File::create(&init).unwrap();
        let g = f.create_group("net").unwrap();
        for (name, shape) in [
            ("W1", [3usize, 2usize]),
            ("b1", [3, 1]),
            ("W2", [1, 3]),
            ("b2", [1, 1]),
        ] {
            g.new_dataset::<f64>()
                .shape(shape)
                .create(name)
                .unwrap()
                .write_raw(&vec![0.1; shape[0] * shape[1]][..])
                .unwrap();
        }
    }
    let init_case = |name: &'static str, layers: &str, group: &str, fragment: &'static str| {
        let text = replace("[2, 3, 1]", layers).replace(
            "[train]",
            &format!(
                "[init]\nscheme = \"h5\"\npath = {:?}\ngroup = \"{group}\"\n[train]",
                init.display().to_string()
            ),
        );
        config_case(name, dir, &text, fragment)
    };
    v.push(init_case(
        "init_wrong_shape",
        "[2, 4, 1]",
        "net",
        "`net/W1` has shape [3, 2], but layers [2, 4, 1] need (4, 2)",
    ));
    v.push(init_case(
        "init_missing_w3",
        "[2, 3, 1, 1]",
        "net",
        "has no dataset `W3`",
    ));
    v.push(init_case(
        "init_missing_group",
        "[2, 3, 1]",
        "deep",
        "has no group `deep` (found: net)",
    ));

    // --- command line ---
    let arg = |name: &'static str, args: &[&str], fragment: &'static str| Case {
        name,
        args: args.iter().map(|s| s.to_string()).collect(),
        fragment,
    };
    v.push(arg(
        "unknown_subcommand",
        &["trian"],
        "unrecognized subcommand 'trian'",
    ));
    v.push(arg(
        "unknown_flag",
        &["train", "--lerning-rate", "3"],
        "unexpected argument '--lerning-rate'",
    ));
    v.push(arg(
        "set_unknown_key",
        &[
            "train",
            "configs/shallow_planar.toml",
            "--set",
            "model.hiden=3",
        ],
        "unknown field `hiden`",
    ));
    v.push(arg(
        "set_wrong_type",
        &[
            "train",
            "configs/shallow_planar.toml",
            "--set",
            "train.iterations=many",
        ],
        "invalid type: string \"many\"",
    ));
    v.push(arg(
        "set_without_value",
        &[
            "train",
            "configs/shallow_planar.toml",
            "--set",
            "train.iterations",
        ],
        "expected key=value",
    ));
    v.push(arg(
        "evaluate_missing_run",
        &["evaluate", "runs/does-not-exist"],
        "run folder runs/does-not-exist does not exist",
    ));
    v.push(arg(
        "resume_missing_run",
        &["train", "--resume", "runs/does-not-exist"],
        "does not exist",
    ));
    v.push(arg(
        "bad_precision",
        &[
            "gradcheck",
            "configs/shallow_planar.toml",
            "--precision",
            "f16",
        ],
        "unknown precision `f16`",
    ));
    v.push(arg(
        "sweep_without_list",
        &[
            "sweep",
            "configs/shallow_planar.toml",
            "--set",
            "model.hidden=3",
        ],
        "give the values to sweep",
    ));
    v
}

/// A small image model (8×8 pictures in the course's layout) for the image cases.
fn image_run(dir: &Path) -> PathBuf {
    let data = dir.join("tiny_cat.h5");
    {
        let f = hdf5::File::create(&data).unwrap();
        let pixels: Vec<u8> = (0..4 * 8 * 8 * 3).map(|i| (i * 7 % 256) as u8).collect();
        f.new_dataset::<u8>()
            .shape([4, 8, 8, 3])
            .create("train_set_x")
            .unwrap()
            .write_raw(&pixels[..])
            .unwrap();
        f.new_dataset::<i64>()
            .shape([4])
            .create("train_set_y")
            .unwrap()
            .write_raw(&[0i64, 1, 0, 1][..])
            .unwrap();
    }
    let config = dir.join("tiny_cat.toml");
    std::fs::write(&config, format!("[model]\nkind = \"logistic\"\n[data]\nkind = \"cat\"\ntrain = {:?}\n[train]\nlearning_rate = 0.1\niterations = 3\n", data.display().to_string())).unwrap();
    let run = dir.join("image_run");
    common::train_into(&config, &run);
    run
}

fn image_cases(dir: &Path, run: &Path) -> Vec<Case> {
    let predict = |name: &'static str, image: &Path, fragment: &'static str| Case {
        name,
        args: vec![
            "predict".into(),
            run.display().to_string(),
            image.display().to_string(),
        ],
        fragment,
    };
    let not_image = dir.join("notes.png");
    std::fs::write(&not_image, "this is text, not a picture").unwrap();
    let good_png = dir.join("good.png");
    simplenn::image_input::write_png(&good_png, &[200u8; 8 * 8 * 3], 8, 8).unwrap();
    let bytes = std::fs::read(&good_png).unwrap();
    let truncated = dir.join("truncated.png");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let not_model = common::repo().join("configs");
    vec![
        predict("image_not_an_image", &not_image, "cannot be decoded"),
        predict("image_truncated_png", &truncated, "cannot be decoded"),
        predict(
            "image_unreadable_path",
            &dir.join("missing.jpg"),
            "cannot be read",
        ),
        predict("image_is_directory", dir, "is a directory"),
        Case {
            name: "predict_on_a_non_run_folder",
            args: vec![
                "predict".into(),
                not_model.display().to_string(),
                good_png.display().to_string(),
            ],
            fragment: "not a simplenn run folder",
        },
    ]
}

/// A 4×4 PNG of one grey level.
fn png(path: &Path, level: u8) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    simplenn::image_input::write_png(path, &[level; 4 * 4 * 3], 4, 4).unwrap();
}

/// Your own data: image folders, CSV tables, split and standardize settings.
fn own_data_cases(dir: &Path) -> Vec<Case> {
    let mut v = Vec::new();
    let images = |train: &Path, extra: &str| {
        format!(
            "[model]\nkind = \"logistic\"\n[data]\nkind = \"images\"\ntrain = {:?}\nsize = [4, 4]\n{extra}\n[train]\nlearning_rate = 0.1\niterations = 3\n",
            train.display().to_string()
        )
    };
    let folder = |name: &str, classes: &[&str]| {
        let root = dir.join(name);
        std::fs::create_dir_all(&root).unwrap();
        for (k, c) in classes.iter().enumerate() {
            png(&root.join(c).join("p1.png"), 40 * k as u8);
        }
        root
    };
    let empty = folder("img_empty", &[]);
    v.push(config_case(
        "images_empty_folder",
        dir,
        &images(&empty, ""),
        "has no class folders",
    ));
    let one = folder("img_one", &["a"]);
    v.push(config_case(
        "images_one_class",
        dir,
        &images(&one, ""),
        "has only the class folder \"a\"",
    ));
    let three = folder("img_three", &["a", "b", "c"]);
    v.push(config_case(
        "images_classes_names_one_not_there",
        dir,
        &images(&three, "classes = [\"a\", \"b\", \"z\"]"),
        "data.classes names \"z\", which is not one of the data's classes",
    ));
    v.push(config_case(
        "images_classes_misses_one",
        dir,
        &images(&three, "classes = [\"c\", \"a\"]"),
        "data.classes does not name \"b\"",
    ));
    v.push(config_case(
        "images_positive_with_three_classes",
        dir,
        &images(&three, "positive = \"a\""),
        "picks class 1 of two classes, but the data has 3",
    ));
    let empty_class = folder("img_empty_class", &["a", "b"]);
    std::fs::create_dir_all(empty_class.join("c")).unwrap();
    v.push(config_case(
        "images_empty_class_folder",
        dir,
        &images(&empty_class, ""),
        "class folder \"c\" has no PNG or JPEG pictures",
    ));
    let no_pictures = folder("img_nopics", &["a"]);
    std::fs::create_dir_all(no_pictures.join("b")).unwrap();
    std::fs::write(no_pictures.join("b").join("readme.txt"), "no pictures here").unwrap();
    v.push(config_case(
        "images_class_without_pictures",
        dir,
        &images(&no_pictures, ""),
        "class folder \"b\" has no PNG or JPEG pictures",
    ));
    let broken = folder("img_broken", &["a", "b"]);
    std::fs::write(broken.join("b").join("p2.png"), "not a picture").unwrap();
    v.push(config_case(
        "images_undecodable_picture",
        dir,
        &images(&broken, ""),
        "set data.skip_unreadable = true",
    ));
    let train = folder("img_train", &["a", "b"]);
    let other = folder("img_other", &["a", "c"]);
    v.push(config_case(
        "images_test_classes_differ",
        dir,
        &images(&train, &format!("test = {:?}", other.display().to_string())),
        "the test set needs the training set's classes",
    ));
    v.push(config_case(
        "images_positive_not_a_class",
        dir,
        &images(&train, "positive = \"cat\""),
        "data.positive = \"cat\" is not one of the data's classes",
    ));

    let csv = |name: &str, text: &str| {
        let path = dir.join(format!("{name}.csv"));
        std::fs::write(&path, text).unwrap();
        path
    };
    let table = |path: &Path, extra: &str| {
        format!(
            "[model]\nkind = \"logistic\"\n[data]\nkind = \"csv\"\ntrain = {:?}\nlabel = \"label\"\n{extra}\n[train]\nlearning_rate = 0.1\niterations = 3\n",
            path.display().to_string()
        )
    };
    let good = csv("good", "a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n");
    let cases: [(&'static str, &str, &str, &'static str); 10] = [
        ("csv_empty", "", "", "is empty"),
        (
            "csv_ragged_row",
            "a,b,label\n1,2,0\n1,0\n",
            "",
            "has 2 field(s) but the header has 3",
        ),
        (
            "csv_non_numeric_cell",
            "a,label\nx,0\n1,1\n",
            "",
            "column \"a\": \"x\" is not a number",
        ),
        (
            "csv_empty_cell",
            "a,b,label\n1,,0\n2,3,1\n",
            "",
            "column \"b\": empty cell",
        ),
        (
            "csv_nan",
            "a,label\nNaN,0\n1,1\n",
            "",
            "NaN is not a usable value",
        ),
        (
            "csv_inf",
            "a,label\n1,0\n-inf,1\n",
            "",
            "-inf is not a usable value",
        ),
        (
            "csv_classes_and_positive",
            "a,label\n1,x\n2,y\n3,z\n",
            "classes = [\"x\", \"y\", \"z\"]\npositive = \"y\"",
            "data.classes and data.positive: keep one",
        ),
        (
            "csv_positive_never_occurs",
            "a,label\n1,x\n2,y\n",
            "positive = \"w\"",
            "data.positive = \"w\" is not one of the data's classes",
        ),
        (
            "csv_feature_not_a_column",
            "a,label\n1,x\n2,y\n",
            "features = [\"a\", \"q\"]",
            "has no column \"q\"",
        ),
        (
            "csv_one_class",
            "a,label\n1,x\n2,x\n",
            "",
            "only one class (\"x\")",
        ),
    ];
    for (name, text, extra, fragment) in cases {
        v.push(config_case(
            name,
            dir,
            &table(&csv(name, text), extra),
            fragment,
        ));
    }
    v.push(config_case(
        "csv_label_as_feature",
        dir,
        &table(&good, "features = [\"a\", \"label\"]"),
        "lists the label column",
    ));
    v.push(config_case(
        "csv_missing_label_column",
        dir,
        &table(&good, "").replace("label = \"label\"", "label = \"class\""),
        "has no column \"class\"",
    ));
    v.push(config_case(
        "split_above_one",
        dir,
        &table(&good, "split = 1.5"),
        "data.split = 1.5",
    ));
    v.push(config_case(
        "split_zero",
        dir,
        &table(&good, "split = 0.0"),
        "strictly between 0 and 1",
    ));
    let lopsided = csv("lopsided", "a,label\n1,x\n2,x\n3,x\n4,x\n5,x\n6,y\n");
    v.push(config_case(
        "split_leaves_a_class_empty",
        dir,
        &table(&lopsided, "split = 0.2"),
        "class \"y\" has 1 example(s)",
    ));
    v.push(config_case(
        "split_with_a_test_set",
        dir,
        &table(
            &good,
            &format!("split = 0.5\ntest = {:?}", good.display().to_string()),
        ),
        "names a test set already",
    ));
    // The README's own-data examples on a fresh clone: their data is what
    // scripts/own-data-examples.sh makes, and the error says so. The shipped configs are copied
    // into a folder of their own, so their `../datasets/…` names nothing, whether or not a
    // developer has made the data in the repository.
    let fresh = dir.join("fresh_clone").join("configs");
    std::fs::create_dir_all(&fresh).unwrap();
    for (name, config, script) in [
        (
            "own_example_table_missing",
            "breast_cancer_csv.toml",
            "own-data-examples",
        ),
        (
            "own_example_pictures_missing",
            "cat_pictures.toml",
            "own-data-examples",
        ),
        (
            "kclass_example_table_missing",
            "iris_csv.toml",
            "kclass-examples",
        ),
        (
            "kclass_example_pictures_missing",
            "digits_pictures.toml",
            "kclass-examples",
        ),
    ] {
        let copy = fresh.join(config);
        std::fs::copy(common::repo().join("configs").join(config), &copy).unwrap();
        let fragment = match script {
            "own-data-examples" => "`bash scripts/own-data-examples.sh` makes it",
            _ => "`bash scripts/kclass-examples.sh` makes it",
        };
        v.push(Case {
            name,
            args: vec!["train".into(), copy.display().to_string()],
            fragment,
        });
    }
    v
}

/// K classes: layers against the data's classes, HDF5 labels, `classes`, test classes, and
/// predicting with a model on a table without its columns.
fn kclass_cases(dir: &Path) -> Vec<Case> {
    let mut v = Vec::new();
    let spiral = "[model]\nkind = \"deep\"\nlayers = [2, 5, 4]\n[data]\nkind = \"spiral\"\narms = 3\npoints = 10\n[train]\nlearning_rate = 0.1\niterations = 3\n";
    v.push(config_case(
        "last_layer_not_the_three_classes",
        dir,
        spiral,
        "the last layer is 4 but the data has 3 classes; end the layers with 3",
    ));
    v.push(config_case(
        "spiral_one_arm",
        dir,
        &spiral.replace("arms = 3", "arms = 1"),
        "data.arms = 1",
    ));
    v.push(config_case(
        "classes_for_generated_data",
        dir,
        &spiral.replace(
            "points = 10",
            "points = 10\nclasses = [\"a\", \"b\", \"c\"]",
        ),
        "generated data names its classes itself",
    ));
    v.push(config_case(
        "classes_named_twice",
        dir,
        &h5_config(Path::new("x.h5"), "classes = [\"a\", \"a\"]"),
        "\"a\" is empty or named twice",
    ));
    let h5 = |name: &'static str, y: &[i64], extra: &str, fragment: &'static str| {
        let path = dir.join(format!("{name}.h5"));
        write_xy(&path, &[2, y.len()], y);
        config_case(name, dir, &h5_config(&path, extra), fragment)
    };
    v.push(h5(
        "h5_negative_label",
        &[0, -1, 1],
        "",
        "label -1 at index 1",
    ));
    v.push(h5("h5_one_class", &[0, 0, 0], "", "has only the label 0"));
    v.push(h5(
        "h5_huge_label",
        &[0, 1_000_000, 1],
        "",
        "has label 1000000 at index 1, but only 3 examples",
    ));
    v.push(h5(
        "h5_label_past_the_names",
        &[0, 2, 1],
        "classes = [\"a\", \"b\"]",
        "has label 2 at index 1, but there are 2 class names",
    ));
    let fraction = dir.join("fraction.h5");
    {
        let f = hdf5::File::create(&fraction).unwrap();
        f.new_dataset::<f64>()
            .shape([2, 3])
            .create("X")
            .unwrap()
            .write_raw(&[0.1, 0.2, 0.3, 0.4, 0.5, 0.6][..])
            .unwrap();
        f.new_dataset::<f64>()
            .shape([1, 3])
            .create("Y")
            .unwrap()
            .write_raw(&[0.0, 1.5, 1.0][..])
            .unwrap();
    }
    v.push(config_case(
        "h5_fractional_label",
        dir,
        &h5_config(&fraction, ""),
        "holds float64, expected integer labels, the class numbers 0, 1, …, K−1",
    ));
    let (train, test) = (dir.join("k_train.h5"), dir.join("k_test.h5"));
    write_xy(&train, &[2, 3], &[0, 1, 2]);
    write_xy(&test, &[2, 2], &[0, 3]);
    v.push(config_case(
        "h5_test_class_not_in_training",
        dir,
        &h5_config(&train, &format!("test = {:?}", test.display().to_string())),
        "has label 3 at index 1, but the training set has the classes 0 … 2",
    ));
    let table = |name: &str, text: &str| {
        let path = dir.join(format!("{name}.csv"));
        std::fs::write(&path, text).unwrap();
        path
    };
    let three = table("k_three", "a,b,label\n1,2,x\n3,4,y\n5,6,z\n7,8,x\n");
    let other = table("k_other", "a,b,label\n1,2,x\n3,4,w\n");
    let csv_config = |train: &Path, extra: &str| {
        format!(
            "[model]\nkind = \"logistic\"\n[data]\nkind = \"csv\"\ntrain = {:?}\nlabel = \"label\"\n{extra}\n[train]\nlearning_rate = 0.1\niterations = 3\n",
            train.display().to_string()
        )
    };
    v.push(config_case(
        "csv_test_class_not_in_training",
        dir,
        &csv_config(&three, &format!("test = {:?}", other.display().to_string())),
        "label \"w\" is not one of the training set's classes (\"x\", \"y\", \"z\")",
    ));
    v.push(config_case(
        "csv_classes_names_one_not_there",
        dir,
        &csv_config(&three, "classes = [\"x\", \"y\", \"q\"]"),
        "data.classes names \"q\"",
    ));
    // A model trained on columns a, b: a table without b cannot be classified.
    let config = dir.join("k_run.toml");
    std::fs::write(&config, csv_config(&three, "")).unwrap();
    let run = dir.join("k_run");
    common::train_into(&config, &run);
    let wrong = table("k_wrong_columns", "a,c\n1,2\n");
    v.push(Case {
        name: "predict_on_a_table_without_the_run_columns",
        args: vec![
            "predict".into(),
            run.display().to_string(),
            wrong.display().to_string(),
        ],
        fragment: "has no column \"b\"",
    });
    v
}

/// The keys of fitting well: L2, dropout, validation and early stopping, the rate's schedules.
fn fitting_cases(dir: &Path) -> Vec<Case> {
    let cases: [(&'static str, &str, &'static str); 16] = [
        ("l2_negative", "l2 = -1.0", "train.l2 = -1"),
        ("l2_nan", "l2 = nan", "train.l2 = NaN"),
        (
            "keep_prob_zero",
            "keep_prob = 0.0",
            "train.keep_prob = 0: a keep probability must be in (0, 1]",
        ),
        (
            "keep_prob_above_one",
            "keep_prob = 1.5",
            "train.keep_prob = 1.5",
        ),
        (
            "keep_prob_list_too_long",
            "keep_prob = [0.8, 0.9]",
            "gives 2 value(s) but the model has 1 hidden layer(s)",
        ),
        (
            "patience_without_validation",
            "patience = 3",
            "train.patience: early stopping watches the validation cost",
        ),
        ("patience_zero", "patience = 0", "train.patience = 0"),
        (
            "min_delta_without_patience",
            "min_delta = 0.1",
            "train.min_delta: only used with train.patience",
        ),
        (
            "decay_rate_alone",
            "decay_rate = 1.0",
            "train.decay_rate needs train.decay_interval",
        ),
        (
            "decay_interval_alone",
            "decay_interval = 100",
            "train.decay_interval needs train.decay_rate",
        ),
        (
            "unknown_schedule",
            "lr_schedule = \"linear\"",
            "unknown variant `linear`",
        ),
        (
            "gamma_without_schedule",
            "gamma = 0.5",
            "train.gamma: only used with lr_schedule",
        ),
        (
            "exponential_without_gamma",
            "lr_schedule = \"exponential\"",
            "needs train.gamma",
        ),
        (
            "step_without_step_size",
            "lr_schedule = \"step\"",
            "needs train.step_size",
        ),
        (
            "two_schedules",
            "decay_rate = 1.0\ndecay_interval = 10\nlr_schedule = \"cosine\"",
            "keep one learning-rate schedule",
        ),
        (
            "cosine_above_one",
            "lr_schedule = \"cosine\"\nlearning_rate = 1.2",
            "Burn's cosine schedule starts at a rate of at most 1",
        ),
    ];
    let mut v = Vec::new();
    for (name, extra, fragment) in cases {
        let text = if extra.contains("learning_rate") {
            replace("learning_rate = 0.1\n", &format!("{extra}\n"))
        } else {
            replace("iterations = 5", &format!("iterations = 5\n{extra}"))
        };
        v.push(config_case(name, dir, &text, fragment));
    }
    v.push(config_case(
        "dropout_without_hidden_layers",
        dir,
        &replace(
            "kind = \"deep\"\nlayers = [2, 3, 1]\nactivation = \"relu\"",
            "kind = \"logistic\"",
        )
        .replace("iterations = 5", "iterations = 5\nkeep_prob = 0.8"),
        "train.keep_prob: dropout drops hidden units, and this logistic model has no hidden layer",
    ));
    v.push(config_case(
        "validation_above_one",
        dir,
        &replace("m = 40", "m = 40\nvalidation = 1.5"),
        "data.validation = 1.5",
    ));
    v.push(config_case(
        "validation_leaves_a_class_empty",
        dir,
        &replace("m = 40", "m = 40\nvalidation = 0.01"),
        "so the validation set would get none of it",
    ));
    v
}

/// Streaming (`[data] stream = true`) and the HDF5 layouts.
fn stream_cases(dir: &Path) -> Vec<Case> {
    let mut v = Vec::new();
    let good = dir.join("stream_good.h5");
    write_xy(&good, &[3, 8], &[0, 1, 0, 1, 0, 1, 0, 1]);
    let streamed = |extra: &str| {
        h5_config(&good, &format!("stream = true\n{extra}"))
            .replace("iterations = 5", "iterations = 5\nbatch_size = 4")
    };
    v.push(config_case(
        "stream_planar",
        dir,
        &replace("m = 40", "m = 40\nstream = true")
            .replace("iterations = 5", "iterations = 5\nbatch_size = 4"),
        "the kinds that can are cat, h5 and images",
    ));
    v.push(config_case(
        "stream_without_batch_size",
        dir,
        &h5_config(&good, "stream = true"),
        "data.stream = true needs train.batch_size",
    ));
    v.push(config_case(
        "stream_with_split",
        dir,
        &streamed("split = 0.5"),
        "cannot be split",
    ));
    v.push(config_case(
        "block_zero",
        dir,
        &streamed("block = 0"),
        "data.block = 0",
    ));
    v.push(config_case(
        "shuffle_buffer_without_stream",
        dir,
        &h5_config(&good, "shuffle_buffer = 64"),
        "data.shuffle_buffer applies to streamed data only",
    ));
    v.push(config_case(
        "unknown_layout",
        dir,
        &streamed("layout = \"rows\""),
        "unknown variant `rows`",
    ));
    // X written (m, n_x) but read in the notes' layout: the counts disagree, and the message
    // names the layout key.
    let rows = dir.join("stream_rows.h5");
    write_xy(&rows, &[8, 3], &[0, 1, 0, 1, 0, 1, 0, 1]);
    v.push(config_case(
        "examples_first_read_as_notes_layout",
        dir,
        &h5_config(&rows, "stream = true")
            .replace("iterations = 5", "iterations = 5\nbatch_size = 4"),
        "layout = \"examples_first\"",
    ));
    v
}

per_backend!(fn every_bad_input_gets_a_clear_error_and_leaves_nothing_behind(backend) {
    let tmp = common::tempdir();
    let dir = tmp.path();
    let run = image_run(dir);
    let mut all = cases(dir);
    all.extend(image_cases(dir, &run));
    all.extend(own_data_cases(dir));
    all.extend(stream_cases(dir));
    all.extend(kclass_cases(dir));
    all.extend(fitting_cases(dir));
    assert!(all.len() >= 60, "the corpus has {} cases", all.len());
    let mut failures = Vec::new();
    for case in &all {
        let out_dir = dir.join(format!("out-{}", case.name));
        let mut cmd = common::simplenn();
        cmd.args(&case.args);
        if case.args.first().is_some_and(|a| a == "train")
            && !case.args.iter().any(|a| a == "--resume")
        {
            cmd.arg("--out").arg(&out_dir);
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let problems = [
            (out.status.code() != Some(2)).then(|| format!("exit status {:?}", out.status.code())),
            (!stderr.contains(case.fragment)).then(|| format!("message lacks {:?}", case.fragment)),
            (stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE"))
                .then(|| "panicked".to_string()),
            out_dir
                .exists()
                .then(|| "left an output folder".to_string()),
        ];
        let problems: Vec<String> = problems.into_iter().flatten().collect();
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {}\n  stderr: {}",
                case.name,
                problems.join("; "),
                stderr.trim()
            ));
        }
    }
    // No staging folder survived either.
    let partial: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial"))
        .collect();
    assert!(partial.is_empty(), "staging folders left: {partial:?}");
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
});
