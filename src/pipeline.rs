//! The one run pipeline: config → data → model → training → metrics.
//!
//! [`run`] is what `train`, `train --resume`, `sweep`, `bench --whole` and `gradcheck --steps`
//! go through; `bench` times the steps of [`train::train`] on what [`prepare`] builds
//! ([`Prepared::model`], [`Prepared::full_batch`] or the mini-batches of [`Prepared::batches`]).
//! Writing the run folder is the caller's last step (`run_dir::save`).

use std::time::Instant;

use burn::module::Module;
use burn::tensor::Tensor;

use crate::config::{Config, KeepProb, LoadedConfig};
use crate::confusion::{ClassReport, Confusion};
use crate::data::{self, Examples, InputRecord, LoadedData, Order, stream};
use crate::device::Compute;
use crate::infer;
use crate::models::{Model, ModelSpec};
use crate::nn::init::{draw_layers, init_warnings};
use crate::nn::{DataMatrix, LayerValues};
use crate::optim::{Rates, Updater};
use crate::regularize::Dropout;
use crate::run_result::{CheckpointState, Metrics, RunResult};
use crate::stop::{Position, Stop};
use crate::train::{
    self, Feed, Fitting, Observer, Plan, Schedule, TrainOutcome, Watch, WatchState,
};
use crate::{Error, Result, params_file};

/// A config's data and the model that fits it, and what they are computed on.
pub struct Prepared {
    pub data: LoadedData,
    pub spec: ModelSpec,
    /// Wall time of reading or generating the data.
    pub data_seconds: f64,
    /// Where [`Prepared::model`] and [`Prepared::full_batch`] make their tensors.
    pub compute: Compute,
}

/// config → data → model spec: check that `compute`'s backend can run the config's precision,
/// load (or generate) the data, and check the model against it.
pub fn prepare(loaded: &LoadedConfig, compute: Compute) -> Result<Prepared> {
    loaded.check_backend(compute.backend)?;
    let clock = Instant::now();
    let data = data::load(&loaded.config.data)?;
    let data_seconds = clock.elapsed().as_secs_f64();
    let spec = loaded
        .config
        .model_spec(data.train.n_x(), data.classes.len())
        .map_err(|m| Error::config(&loaded.source, m))?;
    Ok(Prepared {
        data,
        spec,
        data_seconds,
        compute,
    })
}

/// The initial parameters a config asks for: drawn by its init scheme, or read from its
/// parameter file (checked against the spec's layer sizes).
pub fn initial_parameters(loaded: &LoadedConfig, spec: &ModelSpec) -> Result<Vec<LayerValues>> {
    let c = &loaded.config;
    match c.init_scheme() {
        Some(scheme) => Ok(draw_layers(&spec.sizes, scheme, c.init.scale, c.init.seed)),
        None => {
            let path = c.init.path.as_deref().unwrap_or(std::path::Path::new(""));
            params_file::read(path, c.init.group.as_deref().unwrap_or(""), &spec.sizes)
        }
    }
}

impl Prepared {
    /// The model with the parameters `layers`, on the autodiff device.
    pub fn model(&self, layers: &[LayerValues]) -> Model {
        self.spec.init_with(layers, &self.compute.autodiff())
    }

    /// The mini-batches `c` asks for on this data: their size and how an epoch orders the
    /// examples. None for the full batch: no `batch_size`, or one that covers every example of a
    /// set in memory.
    pub fn batches(&self, c: &Config) -> Option<(usize, Order)> {
        let train = &self.data.train;
        let streamed = train.in_memory().is_none();
        let size = c
            .train
            .batch_size
            .filter(|&size| size < train.m() || streamed)?;
        let order = match train {
            _ if !c.train.shuffle.unwrap_or(true) => Order::InFile,
            Examples::Memory(_) => Order::Shuffled,
            Examples::Stream(set) => Order::Blocks {
                block: set.block,
                buffer: c
                    .data
                    .streaming
                    .shuffle_buffer
                    .unwrap_or_else(|| stream::default_buffer(set.n_x, size)),
            },
        };
        Some((size, order))
    }

    /// X and Y of the whole training set on the autodiff device: the full batch.
    pub fn full_batch(&self) -> Result<(DataMatrix, Tensor<2>)> {
        let train = self.data.train.need_memory("the full batch")?;
        let (ad, dtype) = (self.compute.autodiff(), self.spec.dtype);
        Ok((
            train.x_matrix(self.compute.place(dtype, &ad)),
            train.y_tensor(self.spec.units(), dtype, &ad),
        ))
    }

    /// What gradient descent reads: the full batch (`batches` None), which lives on the device
    /// for the whole run (in `full`), or mini-batches cut from the host copy (or read from disk),
    /// so X goes to the device a batch at a time. Training and `bench` read the same feed.
    pub fn feed<'a>(
        &'a self,
        c: &Config,
        batches: Option<(usize, Order)>,
        full: &'a mut Option<(DataMatrix, Tensor<2>)>,
    ) -> Result<Feed<'a>> {
        Ok(match batches {
            None => {
                let (x, y) = &*full.insert(self.full_batch()?);
                Feed::Full { x, y }
            }
            Some((size, order)) => Feed::Batches {
                examples: &self.data.train,
                size,
                order,
                // `init.seed`'s second job: besides drawing the initial weights, it orders every
                // epoch's mini-batches (with the epoch: `Order::indices`; not with
                // `train.shuffle = false`), so a resumed run cuts the same batches as the
                // uninterrupted one.
                seed: c.init.seed,
                dtype: self.spec.dtype,
            },
        })
    }
}

/// Where a run starts.
pub enum Start {
    /// At iteration 0 from the config's initial parameters.
    Fresh,
    /// At iteration 0 from given parameters (the course's weights, in the tests).
    From(Vec<LayerValues>),
    /// Where a checkpoint left off.
    Checkpoint(Box<Checkpoint>),
}

/// A run folder's state when it was interrupted.
pub struct Checkpoint {
    pub layers: Vec<LayerValues>,
    /// Where the run goes on: the next iteration (and batch) to run.
    pub at: Position,
    /// Costs logged before `at`.
    pub costs: Vec<(usize, f64)>,
    /// Seconds of training and of reading data spent before `at`.
    pub seconds: f64,
    pub data_seconds: f64,
    /// How the run's examples were made (`input.json`): the data read again must give the same.
    pub input: Option<InputRecord>,
    /// The optimizer's state (momentum, Adam), when it has one.
    pub optimizer: Option<Vec<u8>>,
    /// What watching the validation set had seen: its log points, the best one's parameters.
    pub watch: WatchState,
    /// (iteration, α) at the log points before `at`, when the rate changes.
    pub rates: Vec<(usize, f64)>,
}

impl Checkpoint {
    /// Iteration 0 with the parameters `layers`.
    fn at_start(layers: Vec<LayerValues>) -> Checkpoint {
        Checkpoint {
            layers,
            at: Position::default(),
            costs: Vec::new(),
            seconds: 0.0,
            data_seconds: 0.0,
            input: None,
            optimizer: None,
            watch: WatchState::default(),
            rates: Vec::new(),
        }
    }
}

/// Train what `loaded` describes from `start` to its last iteration on `compute`, telling
/// `observer`: the pipeline, one named step a line.
pub fn run(
    loaded: &LoadedConfig,
    start: Start,
    observer: &mut dyn Observer,
    compute: Compute,
) -> Result<RunResult> {
    let c = &loaded.config;
    let prepared = prepare(loaded, compute)?;
    for note in &prepared.data.notes {
        observer.note(note);
    }
    let checkpoint = starting_point(loaded, &prepared.spec, start)?;
    check_fits(loaded, &prepared, &checkpoint)?;
    warn_at_start(&checkpoint, observer);
    let mut updater = optimizer(loaded, &prepared, &checkpoint)?;
    let batches = mini_batches(&prepared, c, observer);
    let model = prepared.model(&checkpoint.layers);
    let mut full = None;
    let feed = prepared.feed(c, batches, &mut full)?;
    let schedule = schedule(c, checkpoint.at);
    let mut fitting = fitting(loaded, &prepared, Some(checkpoint.watch.clone()))?;
    observer.started(&plan(&prepared, c, schedule, &feed));
    let clock = Instant::now();
    let outcome = train::train(
        model,
        &feed,
        &mut updater,
        schedule,
        &mut fitting,
        observer,
        compute,
    )?;
    let seconds = clock.elapsed().as_secs_f64();
    observer.finished();
    drop(full);
    let watch = fitting.watch.map(|w| w.state);
    let mut trained = Trained::after(checkpoint, outcome, watch, seconds, prepared.data_seconds);
    let Prepared { data, spec, .. } = prepared;
    let scores = score_unless_checkpoint(&mut trained, &data, spec.dtype, compute)?;
    result(c, compute, data, spec.sizes, trained, scores, &updater)
}

/// Where training starts: the config's initial parameters, given ones, or a checkpoint.
fn starting_point(loaded: &LoadedConfig, spec: &ModelSpec, start: Start) -> Result<Checkpoint> {
    Ok(match start {
        Start::Fresh => Checkpoint::at_start(initial_parameters(loaded, spec)?),
        Start::From(layers) => Checkpoint::at_start(layers),
        Start::Checkpoint(checkpoint) => *checkpoint,
    })
}

/// Check that the starting parameters fit the model the data needs, and that a checkpoint's
/// data still gives the examples it was trained on.
fn check_fits(loaded: &LoadedConfig, prepared: &Prepared, checkpoint: &Checkpoint) -> Result<()> {
    let sizes = ModelSpec::of_layers(
        loaded.config.model.kind,
        &checkpoint.layers,
        prepared.spec.activation,
        prepared.spec.dtype,
    )
    .sizes;
    if sizes != prepared.spec.sizes {
        // Parameters given at iteration 0 belong to the config; a checkpoint's to its run folder.
        let error: fn(&str, String) -> Error = if checkpoint.at == Position::default() {
            |source, message| Error::config(source, message)
        } else {
            |source, message| Error::checkpoint(source, message)
        };
        return Err(error(
            &loaded.source,
            format!(
                "the starting parameters have layer sizes {sizes:?} but the data and the model need {:?}; \
                 a checkpoint resumes only on the data it was trained on",
                prepared.spec.sizes
            ),
        ));
    }
    if checkpoint
        .input
        .as_ref()
        .is_some_and(|i| *i != prepared.data.input)
    {
        return Err(Error::checkpoint(
            &loaded.source,
            "the data no longer gives the examples this run was trained on (its split, scaling or \
             columns differ from the run folder's input.json): resume needs the same data files",
        ));
    }
    Ok(())
}

/// Warn of a symmetric start at iteration 0 (a checkpoint was warned about when it started).
fn warn_at_start(checkpoint: &Checkpoint, observer: &mut dyn Observer) {
    if checkpoint.at == Position::default() {
        for warning in init_warnings(&checkpoint.layers) {
            observer.warning(&warning);
        }
    }
}

/// The optimizer the config asks for, with a checkpoint's state (momentum, Adam) restored.
fn optimizer(
    loaded: &LoadedConfig,
    prepared: &Prepared,
    checkpoint: &Checkpoint,
) -> Result<Updater> {
    let c = &loaded.config;
    let updater = Updater::from_config(&c.train);
    if checkpoint.at == Position::default() || !updater.has_state() {
        return Ok(updater);
    }
    let Some(bytes) = checkpoint.optimizer.clone() else {
        return Err(Error::checkpoint(
            &loaded.source,
            format!(
                "a checkpoint of a run with optimizer = \"{}\" needs the optimizer's state, and this one has none",
                c.train.optimizer.name()
            ),
        ));
    };
    updater.restore(bytes, prepared.spec.dtype).map_err(|e| {
        Error::checkpoint(
            &loaded.source,
            format!("the checkpoint's optimizer state cannot be read: {e}"),
        )
    })
}

/// The mini-batches `c` asks for ([`Prepared::batches`]), noting a batch size that covers the
/// whole training set.
fn mini_batches(
    prepared: &Prepared,
    c: &Config,
    observer: &mut dyn Observer,
) -> Option<(usize, Order)> {
    let m = prepared.data.train.m();
    let batches = prepared.batches(c);
    if let Some(size) = c.train.batch_size.filter(|&size| size >= m) {
        observer.note(&format!(
            "train.batch_size = {size} covers all {m} training examples: every step is the full batch"
        ));
    }
    batches
}

/// What the config adds to gradient descent: the rate of each epoch, the L2 term, dropout (one
/// keep probability per hidden layer, masks seeded by `init.seed`), and the validation set,
/// watched from `watch` (what a checkpoint had seen of it; None: not watched, as `bench` runs).
pub fn fitting<'a>(
    loaded: &LoadedConfig,
    prepared: &'a Prepared,
    watch: Option<WatchState>,
) -> Result<Fitting<'a>> {
    let t = &loaded.config.train;
    let rates = Rates::from_config(t).map_err(|m| Error::config(&loaded.source, m))?;
    let dropout = dropout(&loaded.config, &prepared.spec);
    let watch = prepared
        .data
        .validation
        .as_ref()
        .zip(watch)
        .map(|(examples, state)| Watch {
            examples,
            dtype: prepared.spec.dtype,
            patience: t.patience,
            min_delta: t.min_delta.unwrap_or(0.0),
            state,
        });
    Ok(Fitting {
        rates,
        l2: t.l2.unwrap_or(0.0),
        dropout,
        watch,
    })
}

/// The dropout `c` asks for on a model of `spec`: one keep probability per hidden layer, masks
/// seeded by `init.seed`; None when every p is 1.
pub fn dropout(c: &Config, spec: &ModelSpec) -> Option<Dropout> {
    let hidden = spec.sizes.len().saturating_sub(2);
    let keep = match &c.train.keep_prob {
        Some(KeepProb::Every(p)) => vec![*p; hidden],
        Some(KeepProb::Each(each)) => each.clone(),
        None => Vec::new(),
    };
    let dropping = keep.iter().any(|&p| p < 1.0);
    dropping.then_some(Dropout {
        keep,
        seed: c.init.seed,
    })
}

/// The config's learning rate and epochs (`train.iterations`), from `start`.
fn schedule(c: &Config, start: Position) -> Schedule {
    Schedule {
        learning_rate: c.train.learning_rate,
        epochs: c.train.iterations,
        log_every: c.train.log_every,
        start,
    }
}

/// What the observer is told before the first iteration.
fn plan(prepared: &Prepared, c: &Config, schedule: Schedule, feed: &Feed) -> Plan {
    let m = prepared.data.train.m();
    Plan {
        model: c.model.kind.name(),
        sizes: prepared.spec.sizes.clone(),
        examples: m,
        schedule,
        precision: c.train.precision.name(),
        backend: prepared.compute.backend.name(),
        batches: match *feed {
            Feed::Full { .. } => 1,
            Feed::Batches { size, .. } => m.div_ceil(size.max(1)),
        },
        batch_size: match *feed {
            Feed::Full { .. } => m,
            Feed::Batches { size, .. } => size.min(m),
        },
        unit: c.train.unit(),
        optimizer: c.train.optimizer.name(),
        fitting: fitting_words(prepared, c),
    }
}

/// The keys of fitting well that the run uses, in words for the training display.
fn fitting_words(prepared: &Prepared, c: &Config) -> Vec<String> {
    let t = &c.train;
    let mut words = Vec::new();
    if let Some(l2) = t.l2.filter(|&l| l > 0.0) {
        words.push(format!(
            "L2 λ = {l2}: the logged cost is the cross-entropy + λ/(2m)·Σ‖W[l]‖²"
        ));
    }
    if let Some(d) = dropout(c, &prepared.spec) {
        words.push(format!(
            "dropout keep_prob {:?} on the hidden layers",
            d.keep
        ));
    }
    if let Some(v) = &prepared.data.validation {
        let patience = match t.patience {
            Some(p) => format!(", early stopping after {p} log points without improvement"),
            None => String::new(),
        };
        words.push(format!(
            "validation: {} held-out examples, the best log point's parameters kept{patience}",
            v.m()
        ));
    }
    if let (Some(rate), Some(interval)) = (t.decay_rate, t.decay_interval) {
        words.push(format!("α = α₀ / (1 + {rate}·⌊epoch / {interval}⌋)"));
    }
    if let Some(schedule) = t.lr_schedule {
        words.push(format!("α: Burn's {} schedule", schedule.name()));
    }
    words
}

/// What training reached, counting what the checkpoint it started from had done before.
struct Trained {
    /// On the plain device: the last parameters, or, for a finished run that watched a
    /// validation set, the best log point's.
    model: Model,
    /// What watching the validation set saw (its history; a checkpoint also keeps the best
    /// parameters and the count since them, to go on from).
    watch: Option<WatchState>,
    rates: Vec<(usize, f64)>,
    stopped_early: bool,
    costs: Vec<(usize, f64)>,
    /// Epochs done (with the full batch, the notes' iterations).
    epochs: usize,
    /// Seconds of training.
    seconds: f64,
    /// Seconds of reading data.
    data_seconds: f64,
    stop: Option<Stop>,
}

impl Trained {
    /// `outcome` after `checkpoint`, which took `seconds` of training and `data_seconds` of
    /// reading data.
    /// The model of a run that watched a validation set is its best log point's parameters,
    /// unless the run stopped where it can go on (a checkpoint goes on from its last ones).
    fn after(
        checkpoint: Checkpoint,
        outcome: TrainOutcome,
        watch: Option<WatchState>,
        seconds: f64,
        data_seconds: f64,
    ) -> Trained {
        let TrainOutcome {
            model,
            costs: new_costs,
            epochs_done,
            stop,
            rates: new_rates,
            stopped_early,
        } = outcome;
        let mut costs = checkpoint.costs;
        costs.extend(new_costs);
        let mut rates = checkpoint.rates;
        rates.extend(new_rates);
        let resumable = stop.as_ref().and_then(Stop::resume_at).is_some();
        let mut stop = stop;
        let model = match watch.as_ref().and_then(|w| w.best.as_ref()) {
            Some((point, best)) if !resumable => {
                if let Some(Stop::Diverged { kept_best, .. }) = &mut stop {
                    *kept_best = Some(point.iteration);
                }
                best.clone()
            }
            _ => model.valid(),
        };
        Trained {
            model,
            watch,
            rates,
            stopped_early,
            costs,
            epochs: epochs_done,
            seconds: checkpoint.seconds + seconds,
            data_seconds: checkpoint.data_seconds + data_seconds,
            stop,
        }
    }
}

/// Score the trained model on the training and test sets. A checkpoint of streamed data is not
/// scored: that would read the whole set again (or fail, when reading it is why the run
/// stopped) before the checkpoint is saved. A streamed set that cannot be read while scoring
/// makes the finished run a checkpoint, to be scored when resumed.
fn score_unless_checkpoint(
    trained: &mut Trained,
    data: &LoadedData,
    dtype: burn::tensor::DType,
    compute: Compute,
) -> Result<Option<RunScores>> {
    let streamed = data.train.in_memory().is_none();
    Ok(match trained.stop.as_ref().and_then(Stop::resume_at) {
        Some(_) if streamed => None,
        _ => match score(&trained.model, data, dtype, compute) {
            Ok(scores) => Some(scores),
            Err(e) if streamed => {
                trained.stop = Some(Stop::DataFailed {
                    at: Position::at(trained.epochs),
                    error: e.to_string(),
                });
                None
            }
            Err(e) => return Err(e),
        },
    })
}

/// The run's metrics (metrics.json) and result; a run that stopped where it can go on keeps
/// where (checkpoint.json) and the optimizer's state.
fn result(
    c: &Config,
    compute: Compute,
    data: LoadedData,
    sizes: Vec<usize>,
    trained: Trained,
    scores: Option<RunScores>,
    updater: &Updater,
) -> Result<RunResult> {
    let watch = trained.watch.unwrap_or_default();
    let checkpoint = trained
        .stop
        .as_ref()
        .and_then(Stop::resume_at)
        .map(|at| CheckpointState {
            since_best: watch.since_best,
            best: watch.best.as_ref().map(|(point, _)| *point),
            ..CheckpointState::from(at)
        });
    let watched = data.validation.is_some();
    let history = |f: fn(&(usize, f64, f64)) -> (usize, f64)| watch.history.iter().map(f).collect();
    let metrics = Metrics {
        model: c.model.kind.name().into(),
        layers: sizes,
        train_accuracy: scores.as_ref().map_or(f64::NAN, |s| s.train_accuracy),
        test_accuracy: scores.as_ref().and_then(|s| s.test_accuracy),
        final_cost: scores.as_ref().map_or(f64::NAN, |s| s.final_cost),
        costs: trained.costs,
        epochs: trained.epochs,
        learning_rate: c.train.learning_rate,
        backend: compute.backend.name().into(),
        precision: c.train.precision.name().into(),
        seed: c.init.seed,
        seconds: trained.seconds,
        data_seconds: trained.data_seconds,
        failure: trained.stop.as_ref().map(Stop::to_string),
        classes: Some(data.classes.clone()),
        train_classes: scores.as_ref().map(|s| s.train_classes.clone()),
        test_classes: scores.as_ref().and_then(|s| s.test_classes.clone()),
        image_shape: data.image_shape,
        learning_rates: trained.rates,
        validation_costs: history(|&(i, cost, _)| (i, cost)),
        validation_accuracies: history(|&(i, _, accuracy)| (i, accuracy)),
        best: watch.best.as_ref().map(|(point, _)| *point),
        stopped_early: watched.then_some(trained.stopped_early),
    };
    let optimizer = match checkpoint {
        Some(_) => updater.state()?,
        None => None,
    };
    // A checkpoint keeps its last parameters as the model and the best ones beside them.
    let best_model = match checkpoint {
        Some(_) => watch.best.map(|(_, model)| model),
        None => None,
    };
    Ok(RunResult {
        model: trained.model,
        metrics,
        data,
        stop: trained.stop,
        checkpoint,
        optimizer,
        best_model,
    })
}

/// What a trained model makes of a run's data.
struct RunScores {
    train_accuracy: f64,
    final_cost: f64,
    train_classes: ClassReport,
    test_accuracy: Option<f64>,
    test_classes: Option<ClassReport>,
}

fn score(
    model: &Model,
    data: &LoadedData,
    dtype: burn::tensor::DType,
    compute: Compute,
) -> Result<RunScores> {
    let report = |outputs: &infer::Outputs, labels: &[f64]| {
        Confusion::new(data.classes.len(), &outputs.predictions(), labels).report(&data.classes)
    };
    let on_train = infer::score(model, &data.train, dtype, compute)?;
    let on_test = match &data.test {
        Some(test) => {
            let outputs = infer::score(model, test, dtype, compute)?.outputs;
            Some((outputs.accuracy(test.y()), report(&outputs, test.y())))
        }
        None => None,
    };
    Ok(RunScores {
        train_accuracy: on_train.outputs.accuracy(data.train.y()),
        final_cost: on_train.cost,
        train_classes: report(&on_train.outputs, data.train.y()),
        test_accuracy: on_test.as_ref().map(|t| t.0),
        test_classes: on_test.map(|t| t.1),
    })
}
