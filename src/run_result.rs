//! What a run produced: [`RunResult`] (the trained model, its data and how training ended) and
//! its [`Metrics`], the numbers `metrics.json` holds. The pipeline builds them; the run folder
//! writes and reads them.

use serde::{Deserialize, Serialize};

use crate::data::DataSplit;
use crate::models::Model;
use crate::stop::Stop;

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
    pub iterations: usize,
    pub learning_rate: f64,
    pub backend: String,
    pub precision: String,
    pub seed: u32,
    /// Wall time of the gradient-descent loop alone.
    pub seconds: f64,
    /// Wall time of reading or generating the data.
    pub data_seconds: f64,
    /// `null`, or why training stopped early (`train::Stop`'s message).
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
    /// A checkpoint inside an epoch: the next batch of that epoch, and the epoch's cost over
    /// the batches done (`train::Position`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_batch: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_cost_so_far: Option<f64>,
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
