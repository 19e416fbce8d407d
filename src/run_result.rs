//! What a run produced: [`RunResult`] (the trained model, its data and how training ended), its
//! [`Metrics`], the numbers `metrics.json` holds, and, for a run that stopped where it can go
//! on, its [`CheckpointState`] (`checkpoint.json`). The pipeline builds them; the run folder
//! writes and reads them.

use serde::{Deserialize, Serialize};

use crate::confusion::ClassReport;
use crate::data::LoadedData;
use crate::models::Model;
use crate::stop::{BestPoint, Position, Stop};

/// JSON has no NaN: serde_json writes it as `null`; read `null` back as NaN.
fn null_as_nan<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    Ok(<Option<f64> as Deserialize>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// The numbers a run reports (`metrics.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Metrics {
    pub model: String,
    pub layers: Vec<usize>,
    /// `null` in JSON for a checkpoint of streamed data (not scored).
    #[serde(deserialize_with = "null_as_nan")]
    pub train_accuracy: f64,
    pub test_accuracy: Option<f64>,
    /// `null` in JSON when the cost is not finite (a diverged run).
    #[serde(deserialize_with = "null_as_nan")]
    pub final_cost: f64,
    pub costs: Vec<(usize, f64)>,
    /// Epochs done (`train::Schedule::epochs`): with the full batch, the notes' iterations.
    /// `iterations` in JSON.
    #[serde(rename = "iterations")]
    pub epochs: usize,
    pub learning_rate: f64,
    pub backend: String,
    pub precision: String,
    /// `init.seed`: it drew the initial weights and, with shuffled mini-batches, orders every
    /// epoch's batches.
    pub seed: u32,
    /// Wall time of the gradient-descent loop alone.
    pub seconds: f64,
    /// Wall time of reading or generating the data.
    pub data_seconds: f64,
    /// `null`, or why training stopped early (`stop::Stop`'s message).
    pub failure: Option<String>,
    /// The names of classes 0 … K−1 (a run folder written before they were recorded has none).
    #[serde(default)]
    pub classes: Option<Vec<String>>,
    /// The training set's confusion matrix and per-class precision, recall and F1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_classes: Option<ClassReport>,
    /// The same for the test set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_classes: Option<ClassReport>,
    /// (iteration, α) at every log point, when the rate changes from epoch to epoch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub learning_rates: Vec<(usize, f64)>,
    /// The validation set's cost (the cross-entropy, without the L2 term) at every log point:
    /// the same iterations as `costs`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation_costs: Vec<(usize, f64)>,
    /// The validation set's accuracy at every log point.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation_accuracies: Vec<(usize, f64)>,
    /// The log point of the lowest validation cost: a finished run's model is its parameters
    /// (a checkpoint's model.bpk holds the last ones, best.bpk these).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best: Option<BestPoint>,
    /// With a validation set: whether early stopping (`train.patience`) ended the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_early: Option<bool>,
    /// (height, width, channels) when the inputs are images: what `predict` resizes to.
    #[serde(default)]
    pub image_shape: Option<[usize; 3]>,
}

/// Where a run that stopped early goes on (`checkpoint.json`): in the run folder only while it
/// is a checkpoint (interrupted, or its data failed), never in a finished one. The rest of what
/// a resumed run needs is in the folder's other files: the parameters (`model.bpk`), the costs
/// and clocks so far (`metrics.json`), how the examples were made (`input.json`) and the
/// optimizer's state (`optimizer.bpk`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct CheckpointState {
    /// The next iteration (epoch, with mini-batches) to run.
    pub iteration: usize,
    /// The next batch of that epoch: 0 at an epoch's start, and always with the full batch.
    pub batch: usize,
    /// The epoch's cost over its first `batch` batches (`stop::Position`): 0 when `batch` is.
    pub cost_so_far: f64,
    /// A run that watches a validation set: its best log point so far (its parameters are in
    /// `best.bpk`) and the log points since, which early stopping counts on from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best: Option<BestPoint>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub since_best: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl CheckpointState {
    /// Where training goes on.
    pub fn position(&self) -> Position {
        Position {
            iteration: self.iteration,
            batch: self.batch,
            cost_so_far: self.cost_so_far,
        }
    }
}

impl From<Position> for CheckpointState {
    fn from(at: Position) -> CheckpointState {
        CheckpointState {
            iteration: at.iteration,
            batch: at.batch,
            cost_so_far: at.cost_so_far,
            best: None,
            since_best: 0,
        }
    }
}

/// A finished run: the trained model (plain device), its metrics and data.
pub struct RunResult {
    pub model: Model,
    pub metrics: Metrics,
    pub data: LoadedData,
    /// Why training ended early, if it did.
    pub stop: Option<Stop>,
    /// Where it goes on when it stopped resumably (`checkpoint.json`); None when it finished or
    /// diverged.
    pub checkpoint: Option<CheckpointState>,
    /// The optimizer's state when a run with momentum or Adam was interrupted (to resume it).
    pub optimizer: Option<Vec<u8>>,
    /// A checkpoint of a run that watches a validation set: the best log point's parameters
    /// (`model` is the last ones, to go on from).
    pub best_model: Option<Model>,
}
