//! `[data] stream = true`: training read from disk a block at a time equals training on the
//! same examples in memory in the same order (f64, 1e-12), for both HDF5 layouts, picture folders
//! and the course's cat file; a run stopped inside an epoch resumes bit for bit; a file that
//! changes under a run stops it with a checkpoint from which the run goes on unchanged.

#[macro_use]
mod common;

use std::path::{Path, PathBuf};

use simplenn::config::{Config, LoadedConfig};
use simplenn::data::{self, Examples, Order};
use simplenn::device::Compute;
use simplenn::optim::Updater;
use simplenn::pipeline::{self, Checkpoint, Start};
use simplenn::rng::NumpyRng;
use simplenn::run_result::RunResult;
use simplenn::stop::{Position, Stop};
use simplenn::train::{self, Feed, Observer, Schedule, Silent};

/// `m` examples of 12 features, labelled by a fixed linear rule, written as X (n_x, m) — the
/// notes' layout — or, `examples_first`, as X (m, 3, 4); Y is (1, m).
fn linear_set(path: &Path, m: usize, examples_first: bool) {
    linear_set_mapped(path, m, examples_first, |_, v| v);
}

/// Each feature's mean and population standard deviation over `rows` (two passes; 1 for a
/// constant feature), computed here apart from simplenn's own statistics.
fn mean_and_std(rows: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let m = rows.len() as f64;
    (0..rows[0].len())
        .map(|f| {
            let mean = rows.iter().map(|r| r[f]).sum::<f64>() / m;
            let var = rows.iter().map(|r| (r[f] - mean).powi(2)).sum::<f64>() / m;
            (mean, if var > 0.0 { var.sqrt() } else { 1.0 })
        })
        .unzip()
}

/// [`linear_set`] with feature f's value v written as `map(f, v)` (labels from the values before);
/// returns the examples as written, one row each. The file is written once: opening it again to
/// change it could find it still locked by a child process that another test started while it
/// was open.
fn linear_set_mapped(
    path: &Path,
    m: usize,
    examples_first: bool,
    map: fn(usize, f64) -> f64,
) -> Vec<Vec<f64>> {
    let mut rng = NumpyRng::new(7);
    let n_x = 12;
    let rows: Vec<Vec<f64>> = (0..m)
        .map(|_| (0..n_x).map(|_| rng.uniform() * 2.0 - 1.0).collect())
        .collect();
    let y: Vec<i64> = rows
        .iter()
        .map(|r| {
            let s: f64 = r
                .iter()
                .enumerate()
                .map(|(f, v)| v * (f as f64 - 5.5))
                .sum();
            (s > 0.3) as i64
        })
        .collect();
    let rows: Vec<Vec<f64>> = rows
        .into_iter()
        .map(|r| r.into_iter().enumerate().map(|(f, v)| map(f, v)).collect())
        .collect();
    if examples_first {
        let x: Vec<f64> = rows.concat();
        common::write_xy(path, &x, &[m, 3, 4], &y);
    } else {
        let x: Vec<f64> = (0..n_x)
            .flat_map(|f| rows.iter().map(move |r| r[f]))
            .collect();
        common::write_xy(path, &x, &[n_x, m], &y);
    }
    rows
}

fn config(dir: &Path, data: &str, train: &str) -> LoadedConfig {
    let rate = if train.contains("learning_rate") {
        ""
    } else {
        "learning_rate = 0.3\n"
    };
    let precision = if train.contains("precision") {
        ""
    } else {
        "precision = 'f64'\n"
    };
    let text = format!(
        "[model]\nkind = 'deep'\nlayers = [{n_x}, 6, 1]\n[data]\n{data}\n[init]\nscale = 0.5\n[train]\n{rate}{precision}epochs = 6\nlog_every = 1\nbatch_size = 16\n{train}\n",
        n_x = if data.contains("images") { 108 } else { 12 }
    );
    let path = dir.join("stream.toml");
    std::fs::write(&path, text).unwrap();
    Config::load(&path, &[]).unwrap()
}

fn h5_data(file: &str, examples_first: bool, extra: &str) -> String {
    let layout = if examples_first {
        "layout = 'examples_first'\n"
    } else {
        ""
    };
    format!("kind = 'h5'\ntrain = '{file}'\n{layout}{extra}")
}

/// Epochs of `train::train` on `compute` from the config's initial parameters on `examples` in
/// `order`.
fn epochs(
    l: &LoadedConfig,
    examples: &Examples,
    order: Order,
    compute: Compute,
) -> (Vec<(usize, f64)>, Vec<f64>) {
    let prepared = pipeline::prepare(l, compute).unwrap();
    let layers = pipeline::initial_parameters(l, &prepared.spec).unwrap();
    let feed = Feed::Batches {
        examples,
        size: 16,
        order,
        seed: 1,
        dtype: prepared.spec.dtype,
    };
    let schedule = Schedule {
        learning_rate: 0.3,
        epochs: 6,
        log_every: 1,
        start: Position::default(),
    };
    let out = train::train(
        prepared.model(&layers),
        &feed,
        &mut Updater::gd(),
        schedule,
        &mut simplenn::train::Fitting::plain(0.3),
        &mut Silent,
        compute,
    )
    .unwrap();
    assert!(out.stop.is_none());
    let params = out.model.layer_values().unwrap();
    (
        out.costs,
        params
            .iter()
            .flat_map(|p| p.w.iter().chain(&p.b))
            .copied()
            .collect(),
    )
}

fn close(a: &[(usize, f64)], b: &[(usize, f64)], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}");
    for (&(i, x), &(_, y)) in a.iter().zip(b) {
        let diff = (x - y).abs();
        println!("{what} epoch {i}: streamed {x:.15} in memory {y:.15} (diff {diff:.1e})");
        assert!(diff <= 1e-12 * y.abs(), "{what} epoch {i}: {x} vs {y}");
    }
}

per_backend!(cpu fn streamed_and_in_memory_training_give_the_same_history(backend) {
    let compute = common::compute(backend);
    let tmp = common::tempdir();
    for examples_first in [false, true] {
        let file = tmp.path().join(format!("set-{examples_first}.h5"));
        linear_set(&file, 203, examples_first);
        let name = file.display().to_string();
        let memory = config(tmp.path(), &h5_data(&name, examples_first, ""), "");
        let streamed = config(
            tmp.path(),
            &h5_data(&name, examples_first, "stream = true\nblock = 10\nshuffle_buffer = 40"),
            "",
        );
        let in_memory = data::load(&memory.config.data).unwrap().train;
        let on_disk = data::load(&streamed.config.data).unwrap().train;
        assert!(in_memory.in_memory().is_some() && on_disk.in_memory().is_none());
        // The streamed order, given to both: blocks of 10 in random order through a buffer of 40.
        let order = Order::Blocks { block: 10, buffer: 40 };
        let (a, pa) = epochs(&streamed, &on_disk, order, compute);
        let (b, pb) = epochs(&memory, &in_memory, order, compute);
        close(&a, &b, &format!("examples_first = {examples_first}"));
        assert_eq!(pa.len(), pb.len());
        for (x, y) in pa.iter().zip(&pb) {
            assert!((x - y).abs() <= 1e-12 * (1.0 + y.abs()), "{x} vs {y}");
        }
        // Another order gives another history: the comparison can fail.
        let (c, _) = epochs(&memory, &in_memory, Order::Shuffled, compute);
        assert_ne!(c, b);
        // The whole pipeline, in file order: the same history, and the batched accuracy and
        // cost of the streamed set equal the in-memory ones.
        let memory = config(tmp.path(), &h5_data(&name, examples_first, ""), "shuffle = false");
        let streamed = config(
            tmp.path(),
            &h5_data(&name, examples_first, "stream = true\nblock = 7"),
            "shuffle = false",
        );
        let a = pipeline::run(&streamed, Start::Fresh, &mut Silent, compute).unwrap().metrics;
        let b = pipeline::run(&memory, Start::Fresh, &mut Silent, compute).unwrap().metrics;
        close(&a.costs, &b.costs, "pipeline");
        assert_eq!(a.train_accuracy, b.train_accuracy);
        assert!((a.final_cost - b.final_cost).abs() <= 1e-12 * b.final_cost);
    }
});

#[test]
fn the_block_order_is_a_seeded_permutation() {
    let order = Order::Blocks {
        block: 10,
        buffer: 40,
    };
    let a = order.indices(203, 1, 0);
    let mut sorted = a.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..203).collect::<Vec<_>>());
    assert_eq!(a, order.indices(203, 1, 0));
    assert_ne!(a, order.indices(203, 1, 1), "every epoch reshuffles");
    assert_ne!(a, order.indices(203, 2, 0), "the seed decides");
    assert_ne!(a, (0..203).collect::<Vec<_>>());
    // No example leaves before its block is read: at any point, the examples handed out plus
    // those waiting in the buffer come from the blocks read so far, at most `buffer + block`
    // more than were handed out.
    let mut seen_blocks = std::collections::BTreeSet::new();
    for (k, &i) in a.iter().enumerate() {
        seen_blocks.insert(i / 10);
        assert!(
            seen_blocks.len() * 10 <= k + 1 + 40 + 10 + 10,
            "position {k}: {} blocks",
            seen_blocks.len()
        );
    }
}

per_backend!(cpu fn picture_folders_stream_like_they_load(backend) {
    let compute = common::compute(backend);
    let tmp = common::tempdir();
    common::picture_folders(&tmp.path().join("train"), 20, 3);
    let data = |extra: &str| format!("kind = 'images'\ntrain = 'train'\nsize = [6, 6]\n{extra}");
    let memory = config(tmp.path(), &data(""), "shuffle = false");
    let a = pipeline::run(&memory, Start::Fresh, &mut Silent, compute).unwrap().metrics;
    let streamed = config(tmp.path(), &data("stream = true\nblock = 3"), "shuffle = false");
    let b = pipeline::run(&streamed, Start::Fresh, &mut Silent, compute).unwrap().metrics;
    close(&b.costs, &a.costs, "pictures");
    assert_eq!(a.train_accuracy, b.train_accuracy);
    // Shuffled streaming runs and repeats itself.
    let shuffled = config(tmp.path(), &data("stream = true\nblock = 3\nshuffle_buffer = 8"), "");
    let c = pipeline::run(&shuffled, Start::Fresh, &mut Silent, compute).unwrap().metrics;
    let d = pipeline::run(&shuffled, Start::Fresh, &mut Silent, compute).unwrap().metrics;
    assert_eq!(c.costs, d.costs);
    assert_ne!(c.costs, b.costs);
});

per_backend!(
#[cfg_attr(not(cat_files), ignore = "needs the course's cat files in datasets/: cargo run -- data fetch cat")]
cpu fn the_cat_file_streams_like_it_loads(backend) {
    let compute = common::compute(backend);
    common::dataset("train_catvnoncat.h5");
    common::dataset("test_catvnoncat.h5");
    let set = ["train.iterations=3", "train.precision=f64", "train.batch_size=64", "train.shuffle=false"];
    let memory = common::shipped("deep_cat.toml", &set);
    let streamed = common::shipped("deep_cat.toml", &[&set[..], &["data.stream=true", "data.block=50"]].concat());
    let a = pipeline::run(&memory, Start::Fresh, &mut Silent, compute).unwrap().metrics;
    let b = pipeline::run(&streamed, Start::Fresh, &mut Silent, compute).unwrap().metrics;
    close(&b.costs, &a.costs, "cat");
    assert_eq!(a.train_accuracy, b.train_accuracy);
    assert_eq!(a.test_accuracy, b.test_accuracy);
});

/// Truncates the training file once the run reaches batch 10 of epoch 1.
struct Truncate {
    file: PathBuf,
    done: bool,
}

impl Observer for Truncate {
    fn should_stop(&mut self, at: &Position) -> bool {
        if !self.done && at.iteration == 1 && at.batch == 10 {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(&self.file)
                .unwrap();
            let len = f.metadata().unwrap().len();
            f.set_len(len / 2).unwrap();
            self.done = true;
        }
        false
    }
}

/// Counts what a run trains: the mini-batch steps taken and the epochs whose cost was logged.
#[derive(Default)]
struct Steps {
    batches: usize,
    logged: Vec<usize>,
}

impl Observer for Steps {
    fn batch(&mut self, _at: &Position) {
        self.batches += 1;
    }
    fn logged(&mut self, epoch: usize, _cost: f64) {
        self.logged.push(epoch);
    }
}

fn checkpoint_of(r: &RunResult) -> Checkpoint {
    Checkpoint {
        layers: r.model.layer_values().unwrap(),
        at: r.stop.as_ref().unwrap().resume_at().unwrap(),
        costs: r.metrics.costs.clone(),
        seconds: 0.0,
        data_seconds: 0.0,
        input: None,
        optimizer: r.optimizer.clone(),
        watch: Default::default(),
        rates: Vec::new(),
    }
}

per_backend!(cpu fn a_file_truncated_mid_epoch_stops_with_a_checkpoint_that_resumes(backend) {
    let compute = common::compute(backend);
    let tmp = common::tempdir();
    let file = tmp.path().join("set.h5");
    linear_set(&file, 400, true);
    let name = file.display().to_string();
    let l = config(
        tmp.path(),
        &h5_data(&name, true, "stream = true\nblock = 8\nshuffle_buffer = 16"),
        // f32: this process has made f32 tensors on Burn's default device, where an optimizer's
        // state loads (an f64 run resumes in a process of its own, as the CLI test below does).
        "optimizer = 'adam'\nlearning_rate = 0.01\nprecision = 'f32'",
    );
    let whole = pipeline::run(&l, Start::Fresh, &mut Silent, compute).unwrap();
    let backup = tmp.path().join("backup.h5");
    std::fs::copy(&file, &backup).unwrap();
    let mut truncate = Truncate { file: file.clone(), done: false };
    let cut = pipeline::run(&l, Start::Fresh, &mut truncate, compute).unwrap();
    let stop = cut.stop.clone().expect("the run must stop");
    let Stop::DataFailed { at, error } = &stop else {
        panic!("expected a data failure, got {stop:?}");
    };
    println!("{}", stop.message(Some(Path::new("RUN"))));
    assert_eq!(at.iteration, 1, "{stop:?}");
    assert!(at.batch >= 10, "{stop:?}");
    assert!(error.contains("changed while it was being read"), "{error}");
    assert!(stop.message(None).contains("--resume"));
    assert_eq!(cut.checkpoint.map(|c| c.iteration), Some(1));
    // Nothing lost: with the file restored, the checkpoint goes on to the uninterrupted result,
    // training only what was left: 25 batches an epoch (400 examples by 16), 6 epochs.
    std::fs::copy(&backup, &file).unwrap();
    let mut steps = Steps::default();
    let resumed = pipeline::run(&l, Start::Checkpoint(Box::new(checkpoint_of(&cut))), &mut steps, compute).unwrap();
    assert!(resumed.stop.is_none());
    assert_eq!(steps.batches, 6 * 25 - 25 - at.batch, "batches trained after {at:?}");
    assert_eq!(steps.logged, [1, 2, 3, 4, 5]);
    let bits = |m: &simplenn::run_result::Metrics| m.costs.iter().map(|c| c.1.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&resumed.metrics), bits(&whole.metrics));
    assert_eq!(resumed.model.layer_values().unwrap(), whole.model.layer_values().unwrap());
});

/// `simplenn train` with `config` into `dir`, with `extra` arguments; the exit status.
fn train_cli(config: &Path, dir: &Path, extra: &[&str]) -> Option<i32> {
    let mut cmd = common::simplenn();
    cmd.args(["train", "-q", "--out"]).arg(dir).arg(config);
    cmd.args(extra).output().unwrap().status.code()
}

per_backend!(cpu fn a_streamed_run_stopped_inside_an_epoch_resumes_bit_for_bit(backend) {
    let compute = common::compute(backend);
    let tmp = common::tempdir();
    let file = tmp.path().join("set.h5");
    linear_set(&file, 203, false);
    let name = file.display().to_string();
    config(
        tmp.path(),
        &h5_data(&name, false, "stream = true\nblock = 10\nshuffle_buffer = 30"),
        "optimizer = 'momentum'",
    );
    let cfg = tmp.path().join("stream.toml");
    let (whole, parts) = (tmp.path().join("whole"), tmp.path().join("parts"));
    assert_eq!(train_cli(&cfg, &whole, &[]), Some(0));
    assert_eq!(train_cli(&cfg, &parts, &["--stop-at", "2:5"]), Some(130));
    let checkpoint = simplenn::run_dir::load(&parts, compute).unwrap().checkpoint;
    assert_eq!(checkpoint.map(|c| c.iteration), Some(2));
    assert_eq!(checkpoint.map(|c| c.batch), Some(5));
    let nudged = common::nudged_copy(&parts, &tmp.path().join("nudged"));
    // Epochs 2 (from its batch 5) to 5 are trained, and logged; none before.
    let out = common::succeeds(common::simplenn().args(["train", "--resume"]).arg(&parts));
    assert_eq!(common::logged_steps(&out.stdout), [2, 3, 4, 5], "{}", String::from_utf8_lossy(&out.stdout));
    let (a, b) = (
        simplenn::run_dir::load(&whole, compute).unwrap(),
        simplenn::run_dir::load(&parts, compute).unwrap(),
    );
    let bits = |m: &simplenn::run_result::Metrics| m.costs.iter().map(|c| c.1.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.metrics), bits(&b.metrics));
    assert_eq!(a.model.layer_values().unwrap(), b.model.layer_values().unwrap());
    // The nudged checkpoint's weights are the ones trained on.
    common::succeeds(common::simplenn().args(["train", "-q", "--resume"]).arg(&nudged));
    let c = simplenn::run_dir::load(&nudged, compute).unwrap();
    assert_ne!(c.model.layer_values().unwrap(), a.model.layer_values().unwrap());
    assert_eq!(c.metrics.costs[..2], a.metrics.costs[..2]);
    assert_ne!(c.metrics.costs[2..], a.metrics.costs[2..]);
    // `evaluate` reads the streamed set in batches and finds the run's own accuracy.
    let out = common::succeeds(common::simplenn().arg("evaluate").arg(&whole));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = format!("train accuracy: {:.2} %", a.metrics.train_accuracy);
    assert!(text.contains(&line), "{text}");
});

per_backend!(cpu fn a_test_picture_that_cannot_be_read_keeps_the_trained_run_as_a_checkpoint(backend) {
    let compute = common::compute(backend);
    // The test set is read only when the trained model is scored: a broken picture there must
    // not throw the finished training away.
    let tmp = common::tempdir();
    common::picture_folders(&tmp.path().join("train"), 10, 3);
    common::picture_folders(&tmp.path().join("test"), 3, 4);
    let broken = tmp.path().join("test").join("light").join("01.PNG");
    let good = std::fs::read(&broken).unwrap();
    std::fs::write(&broken, "not a picture").unwrap();
    let data = "kind = 'images'\ntrain = 'train'\ntest = 'test'\nsize = [6, 6]\nstream = true";
    let l = config(tmp.path(), data, "optimizer = 'adam'\nlearning_rate = 0.01\nprecision = 'f32'");
    let cut = pipeline::run(&l, Start::Fresh, &mut Silent, compute).unwrap();
    let Some(Stop::DataFailed { at, error }) = &cut.stop else {
        panic!("expected a data failure, got {:?}", cut.stop);
    };
    assert_eq!((at.iteration, at.batch), (6, 0), "{error}");
    assert!(error.contains("01.PNG"), "{error}");
    assert_eq!(cut.checkpoint.map(|c| c.iteration), Some(6));
    std::fs::write(&broken, good).unwrap();
    let mut steps = Steps::default();
    let resumed = pipeline::run(&l, Start::Checkpoint(Box::new(checkpoint_of(&cut))), &mut steps, compute).unwrap();
    assert!(resumed.stop.is_none());
    assert_eq!((steps.batches, steps.logged.len()), (0, 0), "no epoch is trained again");
    assert_eq!(resumed.metrics.costs, cut.metrics.costs);
    assert!(resumed.metrics.test_accuracy.is_some_and(f64::is_finite));
});

per_backend!(cpu fn a_nan_read_while_streaming_stops_with_a_data_error_naming_it(backend) {
    // The reader thread meets the NaN: training stops with a data failure (a checkpoint, as for
    // any file that fails mid-run), which names the dataset, the example and the feature.
    let compute = common::compute(backend);
    let tmp = common::tempdir();
    let file = tmp.path().join("nan.h5");
    let mut x: Vec<f64> = (0..12 * 40).map(|i| (i % 7) as f64 / 10.0).collect();
    x[7 * 40 + 25] = f64::NAN; // (n_x = 12, m = 40): feature 7 of example 25
    let y: Vec<i64> = (0..40).map(|i| i % 2).collect();
    common::write_xy(&file, &x, &[12, 40], &y);
    let l = config(
        tmp.path(),
        &h5_data(&file.display().to_string(), false, "stream = true\nblock = 8"),
        "shuffle = false",
    );
    let cut = pipeline::run(&l, Start::Fresh, &mut Silent, compute).unwrap();
    let Some(Stop::DataFailed { error, .. }) = &cut.stop else {
        panic!("expected a data failure, got {:?}", cut.stop);
    };
    assert!(error.contains("`X` holds NaN at example 25, feature 7"), "{error}");
});

#[test]
fn labels_may_be_a_row_or_a_column_in_either_layout() {
    let tmp = common::tempdir();
    let (n_x, m) = (3, 5);
    let x: Vec<f64> = (0..n_x * m).map(|i| i as f64).collect();
    let labels: Vec<i64> = vec![0, 1, 0, 1, 1];
    for (layout, x_shape) in [("", [n_x, m]), ("layout = 'examples_first'", [m, n_x])] {
        for y_shape in [vec![m], vec![1, m], vec![m, 1]] {
            // A file of its own each time: HDF5 may still hold the last one's lock (it failed
            // as "unable to lock file" when one name was created again).
            let name = format!("xy-{}-{}.h5", x_shape[0], y_shape.len() * 10 + y_shape[0]);
            let path = tmp.path().join(&name);
            let f = hdf5::File::create(&path).unwrap();
            f.new_dataset::<f64>()
                .shape(x_shape)
                .create("X")
                .unwrap()
                .write_raw(&x)
                .unwrap();
            f.new_dataset::<i64>()
                .shape(y_shape.clone())
                .create("Y")
                .unwrap()
                .write_raw(&labels)
                .unwrap();
            drop(f);
            let text = format!(
                "[model]\nkind = 'logistic'\n[data]\nkind = 'h5'\ntrain = '{name}'\n{layout}\n[train]\nlearning_rate = 0.1\nepochs = 1\n"
            );
            let cfg = tmp.path().join("xy.toml");
            std::fs::write(&cfg, text).unwrap();
            let l = Config::load(&cfg, &[]).unwrap();
            let split = data::load(&l.config.data)
                .unwrap_or_else(|e| panic!("{layout} Y {y_shape:?}: {e}"));
            assert_eq!(split.train.m(), m, "{layout} Y {y_shape:?}");
            assert_eq!(split.train.y(), [0.0, 1.0, 0.0, 1.0, 1.0]);
        }
    }
}

per_backend!(cpu fn a_standardized_stream_takes_the_in_memory_statistics(backend) {
    let compute = common::compute(backend);
    // `standardize` on a streamed set: the statistics from passes over the file equal those of
    // the set in memory (a constant feature included: its std is taken as 1), every row read of
    // the training and the test set is scaled by them, and training follows the same path.
    let tmp = common::tempdir();
    let (train_file, test_file) = (tmp.path().join("train.h5"), tmp.path().join("test.h5"));
    // Feature 0 constant in the training set.
    let rows = linear_set_mapped(&train_file, 203, true, |f, v| if f == 0 { 0.5 } else { v });
    linear_set(&test_file, 41, true);
    let data = |extra: &str| {
        format!(
            "kind = 'h5'\ntrain = '{}'\ntest = '{}'\nlayout = 'examples_first'\nstandardize = true\n{extra}",
            train_file.display(),
            test_file.display()
        )
    };
    let memory = config(tmp.path(), &data(""), "shuffle = false");
    let in_memory = data::load(&memory.config.data).unwrap();
    let streamed = config(tmp.path(), &data("stream = true\nblock = 9"), "shuffle = false");
    let on_disk = data::load(&streamed.config.data).unwrap();
    let scaling = on_disk.input.scaling.clone().unwrap();
    let (mean, std) = mean_and_std(&rows);
    assert_eq!(scaling.std[0], 1.0, "a constant feature is only centred");
    let near = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + b.abs());
    for f in 0..12 {
        assert!(near(scaling.mean[f], mean[f]), "feature {f}: mean {} vs {}", scaling.mean[f], mean[f]);
        assert!(near(scaling.std[f], std[f]), "feature {f}: std {} vs {} (population)", scaling.std[f], std[f]);
    }
    assert_eq!(on_disk.input.scaling, in_memory.input.scaling);
    for i in [0, 100, 202] {
        let read = on_disk.train.example(i).unwrap();
        for f in 0..12 {
            let expected = (rows[i][f] - mean[f]) / std[f];
            assert!(near(read[f], expected), "example {i} feature {f}: {} vs {expected}", read[f]);
        }
        assert_eq!(read, in_memory.train.example(i).unwrap());
    }
    let (a, b) = (on_disk.test.unwrap(), in_memory.test.unwrap());
    for i in [0, 40] {
        assert_eq!(a.example(i).unwrap(), b.example(i).unwrap());
    }
    let a = pipeline::run(&streamed, Start::Fresh, &mut Silent, compute).unwrap().metrics;
    let b = pipeline::run(&memory, Start::Fresh, &mut Silent, compute).unwrap().metrics;
    close(&a.costs, &b.costs, "standardized");
    assert_eq!((a.train_accuracy, a.test_accuracy), (b.train_accuracy, b.test_accuracy));
});

per_backend!(cpu fn evaluate_scales_a_streamed_standardized_set_once(backend) {
    let compute = common::compute(backend);
    // The run's own streamed data is scaled when it is opened; another streamed config given to
    // --data is read as stored and scaled by the run's statistics: both give the run's accuracy.
    let tmp = common::tempdir();
    let file = tmp.path().join("set.h5");
    // Far from centred and scaled: features scaled twice, or not at all, give other predictions.
    linear_set_mapped(&file, 203, true, |_, v| v * 5.0 + 10.0);
    let name = file.display().to_string();
    config(tmp.path(), &h5_data(&name, true, "stream = true\nstandardize = true"), "");
    let cfg = tmp.path().join("stream.toml");
    let run = tmp.path().join("run");
    assert_eq!(train_cli(&cfg, &run, &[]), Some(0));
    let accuracy = simplenn::run_dir::load(&run, compute).unwrap().metrics.train_accuracy;
    assert!(accuracy > 90.0, "{accuracy}");
    let own = common::succeeds(common::simplenn().arg("evaluate").arg(&run));
    let text = String::from_utf8_lossy(&own.stdout);
    assert!(text.contains(&format!("train accuracy: {accuracy:.2} %")), "{text}");
    let other = common::succeeds(common::simplenn().arg("evaluate").arg(&run).arg("--data").arg(&cfg));
    let text = String::from_utf8_lossy(&other.stdout);
    assert!(text.contains(&format!("data accuracy: {accuracy:.2} %")), "{text}");
});
