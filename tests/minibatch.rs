//! Mini-batches and optimizers: reproducible from the seed, one batch of every example is the
//! full batch, each mini-batch step descends the notes' averaged gradient of its batch, and on
//! the planar flower Adam and the heavy-ball momentum get further than plain gradient descent.

#[macro_use]
mod common;

use burn::tensor::Tensor;
use simplenn::data::{Examples, Order};
use simplenn::device::{Compute, Precision};
use simplenn::gradcheck::NotesFormulas;
use simplenn::gradcheck::handwritten;
use simplenn::models::ModelSpec;
use simplenn::nn::{DataMatrix, LayerValues};
use simplenn::optim::Updater;
use simplenn::pipeline::{self, Start};
use simplenn::run_result::Metrics;
use simplenn::train::{self, Feed, Schedule, Silent};

fn planar(set: &[&str], compute: Compute) -> Metrics {
    let l = common::shipped("shallow_planar.toml", set);
    pipeline::run(&l, Start::Fresh, &mut Silent, compute)
        .unwrap()
        .metrics
}

fn bits(m: &Metrics) -> Vec<u64> {
    m.costs.iter().map(|c| c.1.to_bits()).collect()
}

per_backend!(fn mini_batch_runs_repeat_bit_for_bit_from_the_seed(backend) {
    let compute = common::compute(backend);
    let set = ["train.iterations=30", "train.log_every=1", "train.batch_size=64"];
    let (a, b) = (planar(&set, compute), planar(&set, compute));
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(a.costs.len(), 30);
    // Another seed shuffles (and starts) differently; no shuffling is another run again.
    let c = planar(&[&set[..], &["init.seed=3"]].concat(), compute);
    assert_ne!(bits(&a), bits(&c));
    let d = planar(&[&set[..], &["train.shuffle=false"]].concat(), compute);
    assert_ne!(bits(&a), bits(&d));
    // The cost falls over the epochs.
    assert!(a.costs[29].1 < a.costs[0].1, "{:?}", a.costs);
});

/// X, Y and the shallow net of the planar config, for `compute`.
fn planar_start(compute: Compute) -> (Examples, ModelSpec, Vec<LayerValues>) {
    let l = common::shipped("shallow_planar.toml", &["train.precision=f64"]);
    let prepared = pipeline::prepare(&l, compute).unwrap();
    let layers = pipeline::initial_parameters(&l, &prepared.spec).unwrap();
    (prepared.data.train, prepared.spec, layers)
}

/// X and Y of every example, in f64 on `compute`'s autodiff device: the full batch.
fn full_batch(data: &Examples, compute: Compute) -> (DataMatrix, Tensor<2>) {
    let (ad, dtype) = (compute.autodiff(), Precision::F64.dtype());
    let mem = data.in_memory().unwrap();
    (
        mem.x_matrix(compute.place(dtype, &ad)),
        mem.y_tensor(1, dtype, &ad),
    )
}

fn epochs(
    feed: &Feed,
    spec: &ModelSpec,
    layers: &[LayerValues],
    n: usize,
    compute: Compute,
) -> (Vec<(usize, f64)>, Vec<LayerValues>) {
    let model = spec.init_with(layers, &compute.autodiff());
    let schedule = Schedule {
        learning_rate: 0.5,
        epochs: n,
        log_every: 1,
        start: Default::default(),
    };
    let out = train::train(
        model,
        feed,
        &mut Updater::gd(),
        schedule,
        &mut simplenn::train::Fitting::plain(0.5),
        &mut Silent,
        compute,
    )
    .unwrap();
    (out.costs, out.model.layer_values().unwrap())
}

per_backend!(cpu fn one_batch_of_every_example_is_the_full_batch(backend) {
    let compute = common::compute(backend);
    let (data, spec, layers) = planar_start(compute);
    let dtype = Precision::F64.dtype();
    let (x, y) = full_batch(&data, compute);
    let full = epochs(&Feed::Full { x: &x, y: &y }, &spec, &layers, 20, compute);
    // In file order: the very same arithmetic.
    let in_order = Feed::Batches { examples: &data, size: data.m(), order: Order::InFile, seed: 1, dtype };
    assert_eq!(epochs(&in_order, &spec, &layers, 20, compute), full);
    // Shuffled: the same sums in another order.
    let shuffled = Feed::Batches { examples: &data, size: data.m(), order: Order::Shuffled, seed: 1, dtype };
    let (costs, _) = epochs(&shuffled, &spec, &layers, 20, compute);
    assert_eq!(costs.len(), full.0.len());
    for (&(i, a), &(_, b)) in costs.iter().zip(&full.0) {
        assert!((a - b).abs() <= 1e-12 * b.abs(), "epoch {i}: {a} vs {b}");
    }
});

per_backend!(cpu fn the_epoch_cost_is_the_cost_over_every_example(backend) {
    // At α = 0 the parameters stay put, so every epoch's cost (the batches' costs weighted by
    // their sizes: 64, …, 64, 16) must be the full batch's cost at those parameters.
    let compute = common::compute(backend);
    let (data, spec, layers) = planar_start(compute);
    let dtype = Precision::F64.dtype();
    let (x, y) = full_batch(&data, compute);
    let run = |feed: &Feed| {
        let model = spec.init_with(&layers, &compute.autodiff());
        let schedule = Schedule { learning_rate: 0.0, epochs: 3, log_every: 1, start: Default::default() };
        train::train(model, feed, &mut Updater::gd(), schedule, &mut simplenn::train::Fitting::plain(0.0), &mut Silent, compute).unwrap().costs
    };
    let full = run(&Feed::Full { x: &x, y: &y });
    let batches = run(&Feed::Batches { examples: &data, size: 64, order: Order::Shuffled, seed: 1, dtype });
    assert_eq!(batches.len(), 3);
    for (&(i, a), &(_, b)) in batches.iter().zip(&full) {
        assert!((a - b).abs() <= 1e-12 * b, "epoch {i}: batches {a} vs full {b}");
    }
});

per_backend!(cpu fn each_step_descends_the_averaged_gradient_of_its_batch(backend) {
    // One epoch of 4 unshuffled batches of 100 by train::train (autodiff), against the notes'
    // handwritten dW = 1/m_B·dZ·Aᵀ, db = 1/m_B·Σ dZ of each batch applied by hand (f64).
    let compute = common::compute(backend);
    let (data, spec, layers) = planar_start(compute);
    let dtype = Precision::F64.dtype();
    let lr = 0.5;
    let feed = Feed::Batches { examples: &data, size: 100, order: Order::InFile, seed: 1, dtype };
    let (_, trained) = epochs(&feed, &spec, &layers, 1, compute);
    let plain = compute.device();
    let mut by_hand = layers.clone();
    for k in 0..4 {
        let batch = data.in_memory().unwrap().select(&(100 * k..100 * (k + 1)).collect::<Vec<_>>());
        let model = spec.init_with(&by_hand, &plain);
        let x = simplenn::tensor_util::matrix(batch.x.clone(), 2, 100, dtype, &plain);
        let y = batch.y_tensor(1, dtype, &plain);
        let grads = handwritten::backward(&model.layers(), &spec.activation, x, y, &Default::default(), &NotesFormulas);
        for (layer, g) in by_hand.iter_mut().zip(grads) {
            let (dw, db) = g.unwrap();
            let dw = simplenn::tensor_util::to_vec_f64(dw).unwrap();
            let db = simplenn::tensor_util::to_vec_f64(db).unwrap();
            layer.w.iter_mut().zip(dw).for_each(|(w, d)| *w -= lr * d);
            layer.b.iter_mut().zip(db).for_each(|(b, d)| *b -= lr * d);
        }
    }
    for (l, (a, b)) in trained.iter().zip(&by_hand).enumerate() {
        for (x, y) in a.w.iter().chain(&a.b).zip(b.w.iter().chain(&b.b)) {
            assert!((x - y).abs() <= 1e-12 * (1.0 + y.abs()), "layer {}: {x} vs {y}", l + 1);
        }
    }
    // …and not the full batch's gradient: a single full step lands elsewhere.
    let (x, y) = full_batch(&data, compute);
    let (_, full) = epochs(&Feed::Full { x: &x, y: &y }, &spec, &layers, 1, compute);
    assert_ne!(full[0].w, trained[0].w);
});

// At the same α, Adam and the heavy-ball momentum v := β·v + dW (`dampening = 0`, plain or
// Nesterov) get further than plain gradient descent. The course's momentum, v := β·v + (1 − β)·dW
// (the default), averages the gradient without amplifying it: it keeps gradient descent's pace,
// so the two forms cannot both pass unless `dampening` reaches Burn's optimizer.
per_backend!(fn adam_and_heavy_ball_momentum_beat_plain_gd_on_the_flower(backend) {
    let compute = common::compute(backend);
    let set = ["train.learning_rate=0.01", "train.iterations=100", "train.batch_size=64"];
    let last = |extra: &[&str]| planar(&[&set[..], extra].concat(), compute).costs.last().unwrap().1;
    let gd = last(&[]);
    let course = last(&["train.optimizer=momentum"]);
    let heavy = last(&["train.optimizer=momentum", "train.dampening=0"]);
    let nesterov = last(&["train.optimizer=momentum", "train.dampening=0", "train.nesterov=true"]);
    let adam = last(&["train.optimizer=adam"]);
    println!(
        "after 100 epochs at α = 0.01: gd {gd:.6}, momentum (course) {course:.6}, \
         heavy ball {heavy:.6}, Nesterov {nesterov:.6}, adam {adam:.6}"
    );
    assert!(adam < 0.9 * gd, "adam {adam} vs gd {gd}");
    assert!(heavy < 0.95 * gd, "heavy-ball momentum {heavy} vs gd {gd}");
    assert!(nesterov < 0.95 * gd, "Nesterov momentum {nesterov} vs gd {gd}");
    // Nesterov's look-ahead changes the path a little: the key reaches Burn.
    assert_ne!(nesterov, heavy, "nesterov = true gave the heavy ball's cost");
    assert!((course - gd).abs() < 0.01 * gd, "the course's momentum {course} vs gd {gd}");
});

#[test]
fn optimizer_keys_are_checked() {
    let base = "[model]\nkind='logistic'\n[data]\nkind='planar'\n[train]\nlearning_rate=0.1\niterations=5\n";
    let bad = [
        ("batch_size=0", "train.batch_size = 0"),
        ("optimizer='sgd'", "unknown variant `sgd`"),
        (
            "optimizer='momentum'\nbeta=1.0",
            "train.beta = 1: must be in [0, 1)",
        ),
        ("beta=0.9", "only used with optimizer = \"momentum\""),
        (
            "dampening=0.0",
            "train.dampening: only used with optimizer = \"momentum\"",
        ),
        (
            "optimizer='adam'\nnesterov=true",
            "train.nesterov: only used with optimizer",
        ),
        (
            "optimizer='momentum'\nnesterov=true",
            "train.nesterov = true: Nesterov's form needs the heavy ball; add dampening = 0",
        ),
        (
            "optimizer='momentum'\ndampening=1.0",
            "train.dampening = 1: must be in [0, 1)",
        ),
        ("optimizer='adam'\nepsilon=0.0", "train.epsilon = 0"),
        ("shuffle=false", "only used with mini-batches"),
    ];
    for (extra, fragment) in bad {
        let text = format!("{base}{extra}\n");
        let err = simplenn::config::Config::parse(&text, "test", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains(fragment), "{extra}: {err}");
    }
    // `epochs` is `iterations` by another name: one or the other, not both.
    let c =
        simplenn::config::Config::parse(&base.replace("iterations", "epochs"), "t", &[]).unwrap();
    assert_eq!(c.train.iterations, 5);
    let both = simplenn::config::Config::parse(&format!("{base}epochs=5\n"), "t", &[])
        .unwrap_err()
        .to_string();
    assert!(
        both.contains("`epochs` and `iterations` are one key"),
        "{both}"
    );
}

/// `simplenn train` on the flower with `set`, into `dir`; the exit status.
fn train_cli(dir: &std::path::Path, set: &[&str], extra: &[&str]) -> Option<i32> {
    let mut cmd = common::simplenn();
    cmd.args(["train", "configs/shallow_planar.toml", "-q", "--out"])
        .arg(dir);
    for s in set {
        cmd.args(["--set", s]);
    }
    cmd.args(extra).output().unwrap().status.code()
}

per_backend!(cpu fn mini_batch_runs_resume_bit_for_bit_with_the_optimizer_state(backend) {
    // Interrupted before epoch 7, or inside it before its batch 3, and resumed: the same costs and
    // parameters as the run that was not interrupted, for gradient descent, for Adam (whose
    // moments the checkpoint keeps) and for the heavy-ball Nesterov momentum (its velocity).
    let runs = [
        ("gd", "7"),
        ("adam", "7"),
        ("gd", "7:3"),
        ("adam", "7:3"),
        ("momentum", "7:3"),
    ];
    for (optimizer, stop_at) in runs {
        let tmp = common::tempdir();
        let momentum = ["train.dampening=0", "train.nesterov=true"];
        let chosen = format!("train.optimizer={optimizer}");
        let set = [
            &[
                "train.iterations=20",
                "train.log_every=1",
                "train.batch_size=64",
                "train.learning_rate=0.01",
                &chosen,
            ][..],
            if optimizer == "momentum" { &momentum[..] } else { &[] },
        ]
        .concat();
        let (whole, parts) = (tmp.path().join("whole"), tmp.path().join("parts"));
        assert_eq!(train_cli(&whole, &set, &[]), Some(0));
        assert_eq!(train_cli(&parts, &set, &["--stop-at", stop_at]), Some(130));
        assert_eq!(parts.join("optimizer.bpk").exists(), optimizer != "gd");
        // A copy of the checkpoint with W[1] nudged resumes elsewhere.
        let nudged = common::nudged_copy(&parts, &tmp.path().join("nudged"));
        // Only the epochs from the checkpoint on are trained: the first cost logged is epoch 7's
        // (the whole epoch's, also when the run stopped inside it).
        let out = common::succeeds(common::simplenn().args(["train", "--resume"]).arg(&parts));
        assert_eq!(
            common::logged_steps(&out.stdout),
            (7..20).collect::<Vec<_>>(),
            "{optimizer} {stop_at}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        common::succeeds(common::simplenn().args(["train", "-q", "--resume"]).arg(&nudged));
        let c = simplenn::run_dir::load(&nudged, common::compute(backend)).unwrap();
        let (a, b) = (
            simplenn::run_dir::load(&whole, common::compute(backend)).unwrap(),
            simplenn::run_dir::load(&parts, common::compute(backend)).unwrap(),
        );
        assert_eq!(bits(&a.metrics), bits(&b.metrics), "{optimizer} {stop_at}");
        assert_eq!(a.model.layer_values().unwrap(), b.model.layer_values().unwrap(), "{optimizer} {stop_at}");
        assert_ne!(c.model.layer_values().unwrap(), a.model.layer_values().unwrap(), "{optimizer} {stop_at}: the checkpoint's weights were ignored");
        assert_eq!(c.metrics.costs[..7], a.metrics.costs[..7], "{optimizer} {stop_at}");
        assert_ne!(c.metrics.costs[7..], a.metrics.costs[7..], "{optimizer} {stop_at}");
    }
});

#[test]
fn the_run_header_names_the_optimizer_and_the_batches() {
    let tmp = common::tempdir();
    let header = |set: &[&str]| {
        let mut cmd = common::simplenn();
        cmd.args(["train", "configs/shallow_planar.toml", "--force", "--out"])
            .arg(tmp.path().join("run"));
        for s in set {
            cmd.args(["--set", s]);
        }
        let out = common::succeeds(&mut cmd);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        stdout
            .lines()
            .find(|l| l.starts_with("simplenn: "))
            .unwrap_or_default()
            .to_string()
    };
    // 400 examples in batches of 64: 7 steps an epoch.
    let batches = header(&[
        "train.epochs=2",
        "train.batch_size=64",
        "train.optimizer=adam",
    ]);
    assert!(
        batches.contains("2 epochs of 7 batches of 64, adam α = 1.2,"),
        "{batches}"
    );
    let full = header(&["train.iterations=3"]);
    assert!(full.contains("3 iterations, gd α = 1.2,"), "{full}");
}
