//! The one run pipeline: config → data → model → training → metrics.
//!
//! [`run`] is what `train`, `train --resume`, `sweep`, `bench --whole` and `gradcheck --steps`
//! go through; `bench` times [`train::step`] on what [`prepare`] builds ([`Prepared::model`],
//! [`Prepared::full_batch`]).
//! Writing the run folder is the caller's last step (`run_dir::save`).

use std::time::Instant;

use burn::module::Module;
use burn::tensor::Tensor;

use crate::config::{LoadedConfig, absolute};
use crate::data::{self, DataSplit, InputRecord};
use crate::device;
use crate::models::{Model, ModelSpec};
use crate::nn::init::{draw_layers, symmetric_hidden_layers};
use crate::nn::{DataMatrix, LayerValues};
use crate::optim::Updater;
use crate::run_dir::Metrics;
use crate::train::{self, Feed, Observer, Plan, Schedule, Stop, TrainOutcome};
use crate::{Error, Result, params_file};

/// A config's data and the model that fits it.
pub struct Prepared {
    pub data: DataSplit,
    pub spec: ModelSpec,
    /// Wall time of reading or generating the data.
    pub data_seconds: f64,
}

/// config → data → model spec: load (or generate) the data, and check the model against it.
pub fn prepare(loaded: &LoadedConfig) -> Result<Prepared> {
    let clock = Instant::now();
    let data = data::load(&loaded.config.data, &loaded.base_dir)?;
    let data_seconds = clock.elapsed().as_secs_f64();
    let spec = loaded
        .config
        .model_spec(data.train.n_x)
        .map_err(|m| Error::config(&loaded.source, m))?;
    Ok(Prepared {
        data,
        spec,
        data_seconds,
    })
}

/// The initial parameters a config asks for: drawn by its init scheme, or read from its
/// parameter file (checked against the spec's layer sizes).
pub fn initial_parameters(loaded: &LoadedConfig, spec: &ModelSpec) -> Result<Vec<LayerValues>> {
    let c = &loaded.config;
    match c.init_scheme() {
        Some(scheme) => Ok(draw_layers(&spec.sizes, scheme, c.init.scale, c.init.seed)),
        None => {
            let path = absolute(
                &loaded.base_dir,
                c.init.path.as_deref().unwrap_or(std::path::Path::new("")),
            );
            params_file::read(&path, c.init.group.as_deref().unwrap_or(""), &spec.sizes)
        }
    }
}

/// Warnings a user should see before training from `layers` (symmetric hidden layers).
pub fn init_warnings(layers: &[LayerValues]) -> Vec<String> {
    symmetric_hidden_layers(layers)
        .into_iter()
        .map(|l| {
            format!(
                "warning: every unit of hidden layer {} starts with the same weights; gradient descent \
                 keeps them identical forever (the notes' symmetry problem). Use a random init scheme \
                 such as normal_scaled or normal_sqrt_prev.",
                l + 1
            )
        })
        .collect()
}

impl Prepared {
    /// The model with the parameters `layers`, on the autodiff device.
    pub fn model(&self, layers: &[LayerValues]) -> Model {
        self.spec.init_with(layers, &device::autodiff_device())
    }

    /// X and Y of the whole training set on the autodiff device: the full batch.
    pub fn full_batch(&self) -> (DataMatrix, Tensor<2>) {
        let (ad, dtype, train) = (device::autodiff_device(), self.spec.dtype, &self.data.train);
        (train.x_matrix(dtype, &ad), train.y_tensor(dtype, &ad))
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
    /// The next iteration to run.
    pub iteration: usize,
    /// Costs logged before `iteration`.
    pub costs: Vec<(usize, f64)>,
    /// Seconds of training and of reading data spent before `iteration`.
    pub seconds: f64,
    pub data_seconds: f64,
    /// How the run's examples were made (`input.json`): the data read again must give the same.
    pub input: Option<InputRecord>,
    /// The optimizer's state (momentum, Adam), when it has one.
    pub optimizer: Option<Vec<u8>>,
}

impl Checkpoint {
    /// Iteration 0 with the parameters `layers`.
    fn at_start(layers: Vec<LayerValues>) -> Checkpoint {
        Checkpoint {
            layers,
            iteration: 0,
            costs: Vec::new(),
            seconds: 0.0,
            data_seconds: 0.0,
            input: None,
            optimizer: None,
        }
    }
}

/// A finished run: the trained model (plain device), its metrics and data.
pub struct RunResult {
    pub model: Model,
    pub metrics: Metrics,
    pub data: DataSplit,
    /// Why training ended early, if it did.
    pub stop: Option<Stop>,
    /// The optimizer's state when a run with momentum or Adam was interrupted (to resume it).
    pub optimizer: Option<Vec<u8>>,
}

/// Train what `loaded` describes from `start` to its last iteration, telling `observer`.
pub fn run(loaded: &LoadedConfig, start: Start, observer: &mut dyn Observer) -> Result<RunResult> {
    let c = &loaded.config;
    let prepared = prepare(loaded)?;
    for note in &prepared.data.notes {
        observer.note(note);
    }
    let checkpoint = match start {
        Start::Fresh => Checkpoint::at_start(initial_parameters(loaded, &prepared.spec)?),
        Start::From(layers) => Checkpoint::at_start(layers),
        Start::Checkpoint(checkpoint) => *checkpoint,
    };
    let sizes = ModelSpec::of_layers(
        c.model.kind,
        &checkpoint.layers,
        prepared.spec.activation,
        prepared.spec.dtype,
    )
    .sizes;
    if sizes != prepared.spec.sizes {
        return Err(Error::config(
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
        return Err(Error::config(
            &loaded.source,
            "the data no longer gives the examples this run was trained on (its split, scaling or \
             columns differ from the run folder's input.json): resume needs the same data files",
        ));
    }
    if checkpoint.iteration == 0 {
        for warning in init_warnings(&checkpoint.layers) {
            observer.warning(&warning);
        }
    }
    let mut updater = Updater::from_config(&c.train);
    if checkpoint.iteration > 0 && updater.has_state() {
        let Some(bytes) = checkpoint.optimizer.clone() else {
            return Err(Error::config(
                &loaded.source,
                format!(
                    "a checkpoint of a run with optimizer = \"{}\" needs the optimizer's state, and this one has none",
                    c.train.optimizer.name()
                ),
            ));
        };
        updater = updater.restore(bytes).map_err(|e| {
            Error::config(
                &loaded.source,
                format!("the checkpoint's optimizer state cannot be read: {e}"),
            )
        })?;
    }
    let m = prepared.data.train.m;
    let batch = c.train.batch_size.filter(|&size| size < m);
    if let Some(size) = c.train.batch_size.filter(|&size| size >= m) {
        observer.note(&format!(
            "train.batch_size = {size} covers all {m} training examples: every step is the full batch"
        ));
    }
    // The full batch lives on the device for the whole run; mini-batches are cut from the host
    // copy, so X goes to the device a batch at a time.
    let model = prepared.model(&checkpoint.layers);
    let full = batch.is_none().then(|| prepared.full_batch());
    let feed = match (&full, batch) {
        (Some((x, y)), _) => Feed::Full { x, y },
        (None, size) => Feed::Batches {
            data: &prepared.data.train,
            size: size.unwrap_or(m),
            shuffle: c.train.shuffle.unwrap_or(true),
            seed: c.init.seed,
            dtype: prepared.spec.dtype,
        },
    };
    let schedule = Schedule {
        learning_rate: c.train.learning_rate,
        iterations: c.train.iterations,
        log_every: c.train.log_every,
        start: checkpoint.iteration,
    };
    observer.started(&Plan {
        model: c.model.kind.name(),
        sizes: prepared.spec.sizes.clone(),
        examples: prepared.data.train.m,
        schedule,
        precision: c.train.precision.name(),
        backend: device::selected().name(),
        unit: match feed {
            Feed::Full { .. } => "iteration",
            Feed::Batches { .. } => "epoch",
        },
    });
    let clock = Instant::now();
    let outcome = train::train(model, &feed, &mut updater, schedule, observer)?;
    let seconds = checkpoint.seconds + clock.elapsed().as_secs_f64();
    observer.finished();
    drop(full);

    let TrainOutcome {
        model,
        costs: new_costs,
        iterations_done,
        stop,
    } = outcome;
    let mut costs = checkpoint.costs;
    costs.extend(new_costs);
    let model = model.valid();
    let Prepared {
        data,
        spec,
        data_seconds,
    } = prepared;
    let data_seconds = checkpoint.data_seconds + data_seconds;
    let plain = device::device();
    let train_x = data.train.x_matrix(spec.dtype, &plain);
    let train_probs = train::probabilities(&model, &train_x)?;
    let final_cost = crate::tensor_util::scalar_f64(train::cost_from_logits(
        model.forward(&train_x),
        data.train.y_tensor(spec.dtype, &plain),
    ))?;
    let test_accuracy = match &data.test {
        Some(test) => Some(train::accuracy(
            &train::probabilities(&model, &test.x_matrix(spec.dtype, &plain))?,
            &test.y,
        )),
        None => None,
    };
    let metrics = Metrics {
        model: c.model.kind.name().into(),
        layers: spec.sizes,
        train_accuracy: train::accuracy(&train_probs, &data.train.y),
        test_accuracy,
        final_cost,
        costs,
        iterations: iterations_done,
        learning_rate: c.train.learning_rate,
        backend: device::selected().name().into(),
        precision: c.train.precision.name().into(),
        seed: c.init.seed,
        seconds,
        data_seconds,
        failure: stop.map(|s| s.to_string()),
        classes: Some(data.classes.clone()),
        image_shape: data.image_shape,
        resume_from: match stop {
            Some(Stop::Interrupted { iteration }) => Some(iteration),
            _ => None,
        },
    };
    let optimizer = match stop {
        Some(Stop::Interrupted { .. }) => updater.state()?,
        _ => None,
    };
    Ok(RunResult {
        model,
        metrics,
        data,
        stop,
        optimizer,
    })
}
