//! One training run from a config: data → initial model → gradient descent → metrics.
//! Used by the command line and by the tests, so both exercise the same path.

use std::time::Instant;

use burn::module::Module;
use burn::tensor::Device;
use serde::Serialize;

use crate::config::{LoadedConfig, absolute};
use crate::data::{self, DataSplit};
use crate::device;
use crate::models::Model;
use crate::nn::LayerValues;
use crate::nn::init::{draw_layers, symmetric_hidden_layers};
use crate::train::{self, Schedule, TrainOutcome};
pub use crate::train::{Observer, Silent};
use crate::{Error, Result};

/// The initial parameters a config asks for, checked against the data's feature count.
pub fn initial_layers(loaded: &LoadedConfig, n_x: usize) -> Result<Vec<LayerValues>> {
    let c = &loaded.config;
    let sizes = c
        .layer_sizes(n_x)
        .map_err(|m| Error::config(&loaded.source, m))?;
    match c.init_scheme() {
        Some(scheme) => Ok(draw_layers(&sizes, scheme, c.init.scale, c.init.seed)),
        None => {
            let path = absolute(
                &loaded.base_dir,
                c.init.path.as_deref().unwrap_or(std::path::Path::new("")),
            );
            crate::data::h5::read_params(&path, c.init.group.as_deref().unwrap_or(""), &sizes)
        }
    }
}

/// Warnings a user should see before training (symmetric hidden layers).
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

/// Build the model of a config on `device`.
pub fn build_model(loaded: &LoadedConfig, layers: &[LayerValues], device: &Device) -> Model {
    let c = &loaded.config;
    Model::from_layers(
        c.model.kind,
        layers,
        c.activation(),
        c.train.precision.dtype(),
        device,
    )
}

/// JSON has no NaN: serde_json writes it as `null`; read `null` back as NaN.
fn null_as_nan<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    Ok(<Option<f64> as serde::Deserialize>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// The numbers a run reports (written as `metrics.json`).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Metrics {
    pub model: String,
    pub layers: Vec<usize>,
    pub train_accuracy: f64,
    pub test_accuracy: Option<f64>,
    /// `null` in JSON when the cost is not finite (a diverged run).
    #[serde(deserialize_with = "null_as_nan")]
    pub final_cost: f64,
    pub costs: Vec<(usize, f64)>,
    pub iterations: usize,
    pub learning_rate: f64,
    pub backend: String,
    pub precision: String,
    pub seed: u32,
    /// Wall time of the gradient-descent loop alone.
    pub seconds: f64,
    /// Wall time of reading or generating the data.
    pub data_seconds: f64,
    /// `null`, or why training stopped early.
    pub failure: Option<String>,
    /// Class names (0, 1).
    #[serde(default)]
    pub classes: Option<[String; 2]>,
    /// (height, width, channels) when the inputs are images: what `predict` resizes to.
    #[serde(default)]
    pub image_shape: Option<[usize; 3]>,
    /// Set while the run folder is a checkpoint (interrupted): the next iteration to run.
    #[serde(default)]
    pub resume_from: Option<usize>,
}

/// A finished run: the trained model (plain device) and its metrics.
pub struct RunResult {
    pub model: Model,
    pub metrics: Metrics,
    pub data: DataSplit,
    /// (iteration, cost) where the cost stopped being finite, if it did.
    pub diverged: Option<(usize, f64)>,
}

/// Train what `loaded` describes, from the data to the metrics.
pub fn run(loaded: &LoadedConfig, observer: &mut dyn Observer) -> Result<RunResult> {
    let c = &loaded.config;
    let started = Instant::now();
    let data = data::load(&c.data, &loaded.base_dir)?;
    let data_seconds = started.elapsed().as_secs_f64();
    let layers = initial_layers(loaded, data.train.n_x)?;
    run_from(loaded, data, &layers, data_seconds, observer)
}

/// Where a run starts: fresh parameters at iteration 0, or a checkpoint.
pub struct Start<'a> {
    pub layers: &'a [LayerValues],
    pub iteration: usize,
    /// Costs logged before `iteration` (from the checkpoint).
    pub costs: Vec<(usize, f64)>,
    /// Seconds of training already spent before `iteration`.
    pub seconds: f64,
}

/// Train from given initial layers (tests use this to start from the course's weights).
pub fn run_from(
    loaded: &LoadedConfig,
    data: DataSplit,
    layers: &[LayerValues],
    data_seconds: f64,
    observer: &mut dyn Observer,
) -> Result<RunResult> {
    resume(
        loaded,
        data,
        Start {
            layers,
            iteration: 0,
            costs: Vec::new(),
            seconds: 0.0,
        },
        data_seconds,
        observer,
    )
}

/// Train from `start` to the config's last iteration.
pub fn resume(
    loaded: &LoadedConfig,
    data: DataSplit,
    start: Start,
    data_seconds: f64,
    observer: &mut dyn Observer,
) -> Result<RunResult> {
    let c = &loaded.config;
    let dtype = c.train.precision.dtype();
    let ad = device::autodiff_device();
    let model = build_model(loaded, start.layers, &ad);
    let sizes = model.sizes();
    let x = data.train.x_matrix(dtype, &ad);
    let y = data.train.y_tensor(dtype, &ad);
    let schedule = Schedule {
        learning_rate: c.train.learning_rate,
        iterations: c.train.iterations,
        log_every: c.train.log_every,
        start: start.iteration,
    };

    observer.started(schedule.iterations);
    let clock = Instant::now();
    let outcome = train::train(model, &x, y, schedule, observer)?;
    let seconds = start.seconds + clock.elapsed().as_secs_f64();
    observer.finished();

    let TrainOutcome {
        model,
        costs: new_costs,
        iterations_done,
        diverged,
        interrupted,
    } = outcome;
    let mut costs = start.costs;
    costs.extend(new_costs);
    let model = model.valid();
    let plain = device::device();
    let train_x = data.train.x_matrix(dtype, &plain);
    let train_probs = train::probabilities(&model, &train_x)?;
    let final_cost = crate::tensor_util::scalar_f64(train::cost_from_logits(
        model.forward(&train_x),
        data.train.y_tensor(dtype, &plain),
    ))?;
    let test_accuracy = match &data.test {
        Some(test) => Some(train::accuracy(
            &train::probabilities(&model, &test.x_matrix(dtype, &plain))?,
            &test.y,
        )),
        None => None,
    };
    let failure = if interrupted {
        Some(format!(
            "interrupted before iteration {iterations_done}; continue with `simplenn train --resume RUN_DIR`"
        ))
    } else {
        diverged.map(|(i, cost)| {
            let kept = if i > schedule.start {
                format!("the saved parameters are those of iteration {} (the last finite cost)", i - 1)
            } else if schedule.start > 0 {
                format!("the saved parameters are the checkpoint's (iteration {i}), whose cost is already non-finite")
            } else {
                "the saved parameters are the starting ones, whose cost is already non-finite: check the data and the initial weights".to_string()
            };
            format!("diverged: cost {cost} at iteration {i}; {kept}; try a smaller learning rate than {:?}", c.train.learning_rate)
        })
    };
    let metrics = Metrics {
        model: c.model.kind.name().into(),
        layers: sizes,
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
        failure,
        classes: Some(data.classes.clone()),
        image_shape: data.image_shape,
        resume_from: interrupted.then_some(iterations_done),
    };
    Ok(RunResult {
        model,
        metrics,
        data,
        diverged,
    })
}
