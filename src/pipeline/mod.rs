//! The one run pipeline: config → data → model → training → metrics.
//!
//! [`run`] is what `train`, `train --resume`, `sweep`, `bench --whole` and `gradcheck --steps`
//! go through; `bench` times the steps of [`train::train`] on what [`prepare`] builds
//! ([`Prepared::model`], [`Prepared::full_batch`] or the mini-batches of [`Prepared::batches`]).
//! Writing the run folder is the caller's last step (`run_dir::save`).
//!
//! This file holds the steps; `fitting` builds what the config adds to gradient descent (rates,
//! L2, dropout, the validation set), `outcome` what a run leaves (the model kept, its scores,
//! metrics and checkpoint state).

mod fitting;
mod outcome;

use std::time::Instant;

use burn::tensor::Tensor;

use crate::config::{Config, LoadedConfig};
use crate::data::{self, Examples, InputRecord, LoadedData, Order, stream};
use crate::device::Compute;
use crate::models::{Model, ModelSpec};
use crate::nn::init::{draw_layers, init_warnings};
use crate::nn::{DataMatrix, LayerValues};
use crate::optim::Updater;
use crate::run_result::RunResult;
use crate::stop::Position;
use crate::train::{self, Feed, Observer, Plan, Schedule, WatchState};
use crate::{Error, Result, params_file};

use fitting::fitting_words;
pub use fitting::{dropout, fitting};
use outcome::{Trained, result, score_unless_checkpoint};

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
