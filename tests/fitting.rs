//! The tools for fitting well, end to end: early stopping keeps exactly the parameters of its
//! best log point, dropout repeats and resumes bit for bit and never reaches inference, a
//! resumed run goes on counting patience, and the learning-rate schedules give the rates of
//! their formulas.

#[macro_use]
mod common;

use std::path::{Path, PathBuf};

use simplenn::config::Config;
use simplenn::gradcheck::NotesFormulas;
use simplenn::gradcheck::handwritten::forward_cache;
use simplenn::optim::{Rates, Updater};
use simplenn::pipeline::{self, Start};
use simplenn::run_dir;
use simplenn::stop::Position;
use simplenn::train::{self, Fitting, Schedule, Silent};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The flower with a validation set and early stopping: a large rate and a small hidden layer
/// make the validation cost turn up within a few hundred iterations.
const WATCHED: &str = "[model]\nkind = \"shallow\"\nhidden = 30\n[data]\nkind = \"planar\"\nm = 200\nnoise = 0.4\nvalidation = 0.3\n[init]\nscheme = \"he\"\n[train]\nlearning_rate = 1.5\niterations = 3000\nlog_every = 50\npatience = 4\n";

// An early-stopped run keeps the parameters of its best log point, bit for bit those of an
// uninterrupted run of `best.iteration` iterations on the same data from the same start.
per_backend!(fn early_stopping_keeps_the_best_log_point_exactly(backend) {
    let compute = common::compute(backend);
    let tmp = common::tempdir();
    let config = write(tmp.path(), "watched.toml", WATCHED);
    let loaded = Config::load(&config, &[]).unwrap();
    let result = pipeline::run(&loaded, Start::Fresh, &mut Silent, compute).unwrap();
    let m = &result.metrics;
    let best = m.best.expect("a run with a validation set has a best log point");
    assert_eq!(m.stopped_early, Some(true), "the run stopped early: {:?}", m.validation_costs);
    assert!(best.iteration > 0 && m.epochs < 3000, "best {best:?}, {} iterations", m.epochs);
    // Stopped `patience` log points after the best, each one no better than it.
    assert_eq!(m.epochs, best.iteration + 4 * 50 + 1);
    assert_eq!(m.validation_costs.len(), m.costs.len());
    let after: Vec<f64> = m.validation_costs.iter().filter(|c| c.0 > best.iteration).map(|c| c.1).collect();
    assert_eq!(after.len(), 4);
    assert!(after.iter().all(|&c| c >= best.validation_cost), "{after:?} vs {best:?}");
    assert_eq!(
        m.validation_costs.iter().map(|c| c.1).fold(f64::INFINITY, f64::min),
        best.validation_cost
    );

    // The same data and start, trained for exactly best.iteration iterations, nothing watched.
    let prepared = pipeline::prepare(&loaded, compute).unwrap();
    let layers = pipeline::initial_parameters(&loaded, &prepared.spec).unwrap();
    let mut full = None;
    let feed = prepared.feed(&loaded.config, None, &mut full).unwrap();
    let schedule = Schedule {
        learning_rate: 1.5,
        epochs: best.iteration,
        log_every: 50,
        start: Position::default(),
    };
    let short = train::train(
        prepared.model(&layers),
        &feed,
        &mut Updater::gd(),
        schedule,
        &mut Fitting::plain(1.5),
        &mut Silent,
        compute,
    )
    .unwrap();
    assert_eq!(
        result.model.layer_values().unwrap(),
        short.model.layer_values().unwrap(),
        "the kept parameters are not those of iteration {}",
        best.iteration
    );
    // And not the last ones: the run went on past its best.
    assert_ne!(short.epochs_done, m.epochs);
});

// Interrupted after its best log point and resumed, a watched run ends as the uninterrupted one:
// the same best, the same stop, the same history and parameters (patience counted across).
per_backend!(fn a_resumed_watched_run_goes_on_counting_patience(backend) {
    let tmp = common::tempdir();
    let config = write(tmp.path(), "watched.toml", WATCHED);
    let (whole, parts) = (tmp.path().join("whole"), tmp.path().join("parts"));
    common::train_into(&config, &whole);
    let best = json(&whole.join("metrics.json"))["best"]["iteration"].as_u64().unwrap() as usize;
    // Stop one log point after the best (patience already counting), then resume.
    let stop = best + 60;
    let stopped = common::simplenn()
        .args(["train", "-q"])
        .arg(&config)
        .arg("--out")
        .arg(&parts)
        .args(["--stop-at", &stop.to_string()])
        .output()
        .unwrap();
    assert_eq!(stopped.status.code(), Some(130));
    assert!(parts.join(run_dir::BEST_FILE).exists(), "the checkpoint keeps the best parameters");
    let checkpoint = json(&parts.join(run_dir::CHECKPOINT_FILE));
    assert_eq!(checkpoint["best"]["iteration"], best);
    assert_eq!(checkpoint["since_best"], 1);
    common::succeeds(common::simplenn().args(["train", "-q", "--resume"]).arg(&parts));
    let (mut a, mut b) = (json(&whole.join("metrics.json")), json(&parts.join("metrics.json")));
    for m in [&mut a, &mut b] {
        let m = m.as_object_mut().unwrap();
        m.remove("seconds");
        m.remove("data_seconds");
    }
    assert_eq!(a, b);
    assert_eq!(
        std::fs::read(whole.join(run_dir::MODEL_FILE)).unwrap(),
        std::fs::read(parts.join(run_dir::MODEL_FILE)).unwrap()
    );
    assert!(!parts.join(run_dir::BEST_FILE).exists(), "a finished run keeps one model");
});

/// A deep net on the flower with dropout on both hidden layers, in mini-batches.
const DROPPED: &str = "[model]\nkind = \"deep\"\nlayers = [2, 16, 8, 1]\nactivation = \"relu\"\n[data]\nkind = \"planar\"\nm = 200\n[init]\nscheme = \"he\"\n[train]\nlearning_rate = 0.3\niterations = 40\nlog_every = 5\nbatch_size = 64\nkeep_prob = [0.7, 0.9]\n";

// Dropout's masks are a function of (seed, epoch, batch): two runs are equal bit for bit, a run
// stopped inside an epoch resumes to the same end, and another seed gives other masks.
per_backend!(fn dropout_runs_repeat_and_resume_bit_for_bit(backend) {
    let tmp = common::tempdir();
    let config = write(tmp.path(), "dropped.toml", DROPPED);
    let run = |name: &str, extra: &[&str]| {
        let dir = tmp.path().join(name);
        let out = common::simplenn()
            .args(["train", "-q"])
            .arg(&config)
            .arg("--out")
            .arg(&dir)
            .args(extra)
            .output()
            .unwrap();
        (dir, out.status.code())
    };
    let model = |dir: &Path| std::fs::read(dir.join(run_dir::MODEL_FILE)).unwrap();
    let costs = |dir: &Path| json(&dir.join("metrics.json"))["costs"].clone();
    let (one, _) = run("one", &[]);
    let (two, _) = run("two", &[]);
    assert_eq!(model(&one), model(&two));
    assert_eq!(costs(&one), costs(&two));
    let (parts, code) = run("parts", &["--stop-at", "17:2"]);
    assert_eq!(code, Some(130));
    common::succeeds(common::simplenn().args(["train", "-q", "--resume"]).arg(&parts));
    assert_eq!(model(&one), model(&parts));
    assert_eq!(costs(&one), costs(&parts));
    let (other, _) = run("other", &["--set", "init.seed=2"]);
    let (plain, _) = run("plain", &["--set", "train.keep_prob=1.0"]);
    assert_ne!(costs(&one), costs(&plain), "keep_prob < 1 drops units");
    assert_ne!(model(&one), model(&other));
});

// evaluate and predict use every unit: the probabilities they write are those of the notes'
// plain forward pass (no mask) through the saved parameters, computed here independently.
per_backend!(fn evaluate_and_predict_never_drop_units(backend) {
    let compute = common::compute(backend);
    let tmp = common::tempdir();
    let config = write(
        tmp.path(),
        "dropped.toml",
        &DROPPED.replace("keep_prob = [0.7, 0.9]", "keep_prob = 0.5"),
    );
    let dir = tmp.path().join("run");
    common::train_into(&config, &dir);
    common::succeeds(common::simplenn().arg("evaluate").arg(&dir));
    let saved = run_dir::load(&dir, compute).unwrap();
    let loaded = Config::load(&config, &[]).unwrap();
    let data = simplenn::data::load(&loaded.config.data).unwrap();
    let train = data.train.in_memory().unwrap();
    let plain = compute.device();
    let x = simplenn::tensor_util::matrix(train.x.clone(), 2, train.m, burn::tensor::DType::F32, &plain);
    let cache = forward_cache(&saved.model.layers(), &saved.config.config.activation(), x, &[], &NotesFormulas);
    let by_hand = simplenn::tensor_util::to_vec_f64(cache.a[3].clone()).unwrap();
    let written: Vec<f64> = std::fs::read_to_string(dir.join("predictions.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
        .collect();
    assert_eq!(written.len(), by_hand.len());
    for (w, h) in written.iter().zip(&by_hand) {
        assert!((w - h).abs() < 1e-6, "evaluate wrote {w}, the plain forward pass gives {h}");
    }
    // The run's own accuracy is scored the same way.
    let correct = by_hand
        .iter()
        .zip(&train.y)
        .filter(|&(&p, &y)| ((p > 0.5) as u8 as f64) == y)
        .count();
    let accuracy = 100.0 * correct as f64 / train.m as f64;
    assert!((saved.metrics.train_accuracy - accuracy).abs() < 1e-9);
});

#[test]
fn the_rates_are_those_of_their_formulas() {
    let config = |extra: &str| {
        Config::parse(
            &format!("[model]\nkind = \"logistic\"\n[data]\nkind = \"planar\"\n[train]\nlearning_rate = 0.5\niterations = 100\n{extra}\n"),
            "t",
            &[],
        )
        .unwrap()
        .train
    };
    // The course's decay: α₀ / (1 + rate·⌊epoch / interval⌋).
    let mut course = Rates::from_config(&config("decay_rate = 1.0\ndecay_interval = 10")).unwrap();
    let got: Vec<f64> = [0, 9, 10, 25, 99].iter().map(|&e| course.at(e)).collect();
    assert_eq!(got, [0.5, 0.5, 0.25, 0.5 / 3.0, 0.05]);
    // Burn's step schedule: × γ every step_size epochs; started late (a resumed run), the same.
    let t = config("lr_schedule = \"step\"\nstep_size = 30\ngamma = 0.5");
    let (mut from_start, mut late) = (
        Rates::from_config(&t).unwrap(),
        Rates::from_config(&t).unwrap(),
    );
    let all: Vec<f64> = (0..100).map(|e| from_start.at(e)).collect();
    assert_eq!(
        [all[0], all[29], all[30], all[60], all[99]],
        [0.5, 0.5, 0.25, 0.125, 0.0625]
    );
    assert_eq!(late.at(61), all[61]);
    // Cosine from α₀ to the minimum over the run's epochs.
    let mut cosine =
        Rates::from_config(&config("lr_schedule = \"cosine\"\nmin_learning_rate = 0.1")).unwrap();
    assert_eq!(cosine.at(0), 0.5);
    assert!((cosine.at(50) - 0.3).abs() < 1e-12);
    // Exponential: α₀·γ^epoch.
    let mut exponential =
        Rates::from_config(&config("lr_schedule = \"exponential\"\ngamma = 0.9")).unwrap();
    assert!((exponential.at(3) - 0.5 * 0.9f64.powi(3)).abs() < 1e-12);
    assert!(!Rates::from_config(&config("")).unwrap().varies());
}

// A decaying rate is logged with the cost and kept in metrics.json; the default configs keep
// theirs constant and write no rates.
per_backend!(cpu fn the_rate_in_use_is_logged_and_kept(backend) {
    let _ = backend;
    let tmp = common::tempdir();
    let dir = tmp.path().join("run");
    let out = common::succeeds(
        common::simplenn()
            .args(["train", "configs/shallow_planar.toml", "--set", "train.iterations=300", "--set", "train.decay_rate=1.0", "--set", "train.decay_interval=100", "--out"])
            .arg(&dir),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("α = 0.600000"), "{stdout}");
    let rates = json(&dir.join("metrics.json"))["learning_rates"].clone();
    assert_eq!(rates, serde_json::json!([[0, 1.2], [100, 1.2 / 2.0], [200, 1.2 / 3.0], [299, 1.2 / 3.0]]));
    let plain = tmp.path().join("plain");
    common::succeeds(common::simplenn().args(["train", "-q", "configs/shallow_planar.toml", "--set", "train.iterations=10", "--out"]).arg(&plain));
    let m = json(&plain.join("metrics.json"));
    for key in ["learning_rates", "validation_costs", "best", "stopped_early"] {
        assert!(m.get(key).is_none(), "{key} in a default run's metrics.json");
    }
});

// A watched run that diverges keeps its best log point's parameters, says so, and leaves a run
// folder that reads back (no NaN in its validation history).
per_backend!(fn a_diverged_watched_run_keeps_its_best_and_reads_back(backend) {
    let compute = common::compute(backend);
    let tmp = common::tempdir();
    let dir = tmp.path().join("run");
    let out = common::simplenn()
        .args(["train", "configs/shallow_planar.toml", "-q"])
        .args(["--set", "train.learning_rate=1e38", "--set", "train.iterations=50"])
        .args(["--set", "train.log_every=1", "--set", "data.validation=0.2"])
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("training diverged") && stderr.contains("the best log point"), "{stderr}");
    let saved = run_dir::load(&dir, compute).unwrap();
    let m = &saved.metrics;
    let best = m.best.expect("a best log point");
    assert_eq!(m.validation_costs.len(), m.costs.len());
    assert!(m.validation_costs.iter().all(|c| c.1.is_finite()));
    assert!(m.failure.as_deref().unwrap().contains(&format!("the best log point, {}", best.iteration)));
    common::succeeds(common::simplenn().arg("evaluate").arg(&dir));
});

// predict, like evaluate, uses every unit: on the training table itself it gives the
// probabilities evaluate wrote (which the test above ties to the plain forward pass).
per_backend!(fn predict_never_drops_units(backend) {
    let _ = backend;
    let tmp = common::tempdir();
    let mut table = String::from("a,b,label\n");
    let mut rng = simplenn::rng::NumpyRng::new(4);
    for _ in 0..60 {
        let (a, b) = (rng.gauss(), rng.gauss());
        table.push_str(&format!("{a},{b},{}\n", if a + b > 0.0 { "yes" } else { "no" }));
    }
    let csv = write(tmp.path(), "t.csv", &table);
    let config = write(
        tmp.path(),
        "t.toml",
        "[model]\nkind = \"shallow\"\nhidden = 8\n[data]\nkind = \"csv\"\ntrain = \"t.csv\"\nlabel = \"label\"\n[train]\nlearning_rate = 0.5\niterations = 50\nkeep_prob = 0.5\n",
    );
    let dir = tmp.path().join("run");
    common::train_into(&config, &dir);
    common::succeeds(common::simplenn().arg("evaluate").arg(&dir));
    let evaluated: Vec<String> = std::fs::read_to_string(dir.join("predictions.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().to_string())
        .collect();
    let out = common::succeeds(common::simplenn().arg("predict").arg(&dir).arg(&csv));
    let predicted: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().to_string())
        .collect();
    assert_eq!(predicted.len(), 60);
    assert_eq!(predicted, evaluated);
});
