//! The format of the file: the serde types of each section (`[model]`, `[data]`, `[init]`,
//! `[train]`), their enums, defaults and what a section can tell about itself. Unknown keys are
//! rejected here (`deny_unknown_fields`); the values are checked in `checks`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::device::Precision;
use crate::models::ModelKind;
use crate::nn::activation::ActivationKind;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// `logistic`, `shallow` or `deep`.
    pub kind: ModelKind,
    /// Deep net: every layer size n[0] … n[L] (n[0] = features, n[L] = 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<usize>>,
    /// Shallow net: hidden units n_h.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<usize>,
    /// Hidden activation: `tanh` (shallow default), `relu` (deep default), `sigmoid`, `leaky_relu`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation: Option<ActivationKind>,
    /// Leaky ReLU's slope for z < 0 (default 0.01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaky_slope: Option<f64>,
}

/// Where the examples come from: `[data] kind = …` and the keys of that kind.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DataSource {
    /// The notes' flower, generated in code (no download).
    Planar {
        #[serde(default = "default_planar_m")]
        m: usize,
        #[serde(default = "default_planar_noise")]
        noise: f64,
    },
    /// K interleaved spiral arms, one class each, generated in code (no download): the classic
    /// K-class set that no straight line separates.
    Spiral {
        /// Arms, one per class (K).
        #[serde(default = "default_spiral_arms")]
        arms: usize,
        /// Points per arm.
        #[serde(default = "default_spiral_points")]
        points: usize,
        /// Standard deviation of the noise added to each point's angle.
        #[serde(default = "default_planar_noise")]
        noise: f64,
    },
    /// The course's cat / non-cat HDF5 files.
    Cat {
        train: PathBuf,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        test: Option<PathBuf>,
    },
    /// Any HDF5 file with X of floats and Y of 0/1 labels: X is (n_x, m), one example per
    /// column as in the notes, or with `layout = "examples_first"` (m, …), one example per row
    /// (what h5py users and PyTorch write).
    H5 {
        train: PathBuf,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        test: Option<PathBuf>,
        #[serde(default = "default_x_name")]
        x: String,
        #[serde(default = "default_y_name")]
        y: String,
        #[serde(default, skip_serializing_if = "H5Layout::is_notes")]
        layout: H5Layout,
    },
    /// A folder per class of PNG/JPEG pictures (the layout of torchvision's `ImageFolder`).
    Images {
        train: PathBuf,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        test: Option<PathBuf>,
        /// [height, width] every picture is resized to.
        #[serde(default = "default_image_size")]
        size: [usize; 2],
        /// The folder of class 1 with two classes (default: the second folder in sorted order).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        positive: Option<String>,
        /// Skip pictures that cannot be decoded (counted) instead of stopping.
        #[serde(default)]
        skip_unreadable: bool,
    },
    /// A CSV table with a header row: one column of labels, numeric feature columns.
    Csv {
        train: PathBuf,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        test: Option<PathBuf>,
        /// The label column.
        label: String,
        /// The feature columns (default: every column but the label).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        features: Option<Vec<String>>,
        /// The label value of class 1 with two classes (default: the second in text order).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        positive: Option<String>,
    },
}

/// Where the examples run in an HDF5 `X`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum H5Layout {
    /// (n_x, m): one example per column, the notes' X.
    #[default]
    FeaturesFirst,
    /// (m, …): one example per row (any further axes are flattened, row-major).
    ExamplesFirst,
}

impl H5Layout {
    fn is_notes(&self) -> bool {
        *self == H5Layout::FeaturesFirst
    }
}

/// `[data] stream = true`: how examples are read from disk during training.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StreamConfig {
    /// Examples per read (one HDF5 hyperslab, or pictures decoded together). Default: as many
    /// as fill 4 MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<usize>,
    /// Examples held by the shuffle buffer. Default: as many as fill 64 MB, at least one batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shuffle_buffer: Option<usize>,
}

/// The `[data]` section: a source, and what every kind can ask for after loading.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DataConfig {
    #[serde(flatten)]
    pub source: DataSource,
    /// Seeds the generated data and the split.
    pub seed: u32,
    /// The classes in the order of their numbers 0 … K−1 (default: the data's names sorted).
    /// Data with names of its own (label values, class folders, `list_classes`) must be listed
    /// exactly; an HDF5 `Y` of class numbers takes them as the names of 0 … K−1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<String>>,
    /// Without a test set: this fraction of each class becomes the test set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split: Option<f64>,
    /// This fraction of each class of the training set is held out as the validation set,
    /// watched at every log point (and by `train.patience`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<f64>,
    /// Scale each feature by the training set's mean and standard deviation.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub standardize: bool,
    /// Read the training (and test) examples from disk a block at a time during training and
    /// evaluation instead of loading the set into memory.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stream: bool,
    #[serde(flatten)]
    pub streaming: StreamConfig,
}

/// `seed`, `split` and `standardize` apply to every kind, so they are taken out of the section
/// before the rest is read as the kind's own keys (serde's `flatten` cannot be combined with
/// rejecting unknown keys).
impl<'de> Deserialize<'de> for DataConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        fn take<T: serde::de::DeserializeOwned, E: serde::de::Error>(
            table: &mut toml::Table,
            key: &str,
        ) -> std::result::Result<Option<T>, E> {
            table
                .remove(key)
                .map(|v| T::deserialize(v).map_err(|e| E::custom(format!("data.{key}: {e}"))))
                .transpose()
        }
        let mut table = toml::Table::deserialize(d)?;
        let seed = take::<_, D::Error>(&mut table, "seed")?.unwrap_or_else(default_seed);
        let split = take::<_, D::Error>(&mut table, "split")?;
        let classes = take::<_, D::Error>(&mut table, "classes")?;
        let validation = take::<_, D::Error>(&mut table, "validation")?;
        let standardize = take::<_, D::Error>(&mut table, "standardize")?.unwrap_or(false);
        let stream = take::<_, D::Error>(&mut table, "stream")?.unwrap_or(false);
        let streaming = StreamConfig {
            block: take::<_, D::Error>(&mut table, "block")?,
            shuffle_buffer: take::<_, D::Error>(&mut table, "shuffle_buffer")?,
        };
        let source = DataSource::deserialize(toml::Value::Table(table)).map_err(|e| {
            D::Error::custom(format!(
                "{e} (every kind also takes seed, split, validation, classes, standardize, stream, block and shuffle_buffer)"
            ))
        })?;
        Ok(DataConfig {
            source,
            seed,
            classes,
            split,
            validation,
            standardize,
            stream,
            streaming,
        })
    }
}

impl DataConfig {
    /// A source with the defaults of the other keys (seed 1, no split, no scaling).
    pub fn of(source: DataSource) -> DataConfig {
        DataConfig {
            source,
            seed: default_seed(),
            classes: None,
            split: None,
            validation: None,
            standardize: false,
            stream: false,
            streaming: StreamConfig::default(),
        }
    }
}

impl DataSource {
    /// The training file or folder (none for the generated flower).
    pub fn train(&self) -> Option<&PathBuf> {
        match self {
            DataSource::Planar { .. } | DataSource::Spiral { .. } => None,
            DataSource::Cat { train, .. }
            | DataSource::H5 { train, .. }
            | DataSource::Images { train, .. }
            | DataSource::Csv { train, .. } => Some(train),
        }
    }

    /// The test file or folder, if the section names one.
    pub fn test(&self) -> Option<&PathBuf> {
        match self {
            DataSource::Planar { .. } | DataSource::Spiral { .. } => None,
            DataSource::Cat { test, .. }
            | DataSource::H5 { test, .. }
            | DataSource::Images { test, .. }
            | DataSource::Csv { test, .. } => test.as_ref(),
        }
    }
}

fn default_image_size() -> [usize; 2] {
    [64, 64]
}
fn default_planar_m() -> usize {
    400
}
fn default_planar_noise() -> f64 {
    0.2
}
fn default_spiral_arms() -> usize {
    3
}
fn default_spiral_points() -> usize {
    100
}
fn default_seed() -> u32 {
    1
}
fn default_x_name() -> String {
    "X".into()
}
fn default_y_name() -> String {
    "Y".into()
}
fn default_scale() -> f64 {
    0.01
}

/// How the initial weights are drawn. `scheme = "h5"` loads them from a file instead.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InitConfig {
    /// `zeros`, `normal_scaled`, `normal_sqrt_prev`, `he` or `h5`. Default: zeros for logistic
    /// regression, normal_scaled for the shallow net, normal_sqrt_prev for the deep net.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<InitChoice>,
    /// Factor of `normal_scaled` (the course's 0.01).
    #[serde(default = "default_scale")]
    pub scale: f64,
    /// Seed of numpy's legacy generator: `seed = 1` draws the course's `np.random.seed(1)` weights.
    /// Its second job: with shuffled mini-batches (`train.batch_size`, `train.shuffle` on) it
    /// also orders every epoch's batches, with the epoch number, so a resumed run cuts the same
    /// batches as the uninterrupted one.
    #[serde(default = "default_seed")]
    pub seed: u32,
    /// `h5` only: the parameter file (`W1, b1, …` as f64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// `h5` only: the group inside the file (default: the root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl Default for InitConfig {
    fn default() -> Self {
        InitConfig {
            scheme: None,
            scale: default_scale(),
            seed: default_seed(),
            path: None,
            group: None,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum InitChoice {
    Zeros,
    NormalScaled,
    NormalSqrtPrev,
    He,
    H5,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// α in W := W − α·dW.
    pub learning_rate: f64,
    /// Passes over the training set (`epochs` names the same key). With the full batch one
    /// epoch is one gradient-descent step: the notes' iteration.
    #[serde(alias = "epochs")]
    pub iterations: usize,
    /// Print and record the cost every this many epochs (the notes use 100).
    #[serde(default = "default_log_every")]
    pub log_every: usize,
    /// `f32` (default) or `f64`.
    #[serde(default)]
    pub precision: Precision,
    /// Examples per gradient step (default: every example, the notes' full batch; a size above
    /// the number of examples is the full batch too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<usize>,
    /// Reshuffle the examples every epoch, from `init.seed` (mini-batches only; default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shuffle: Option<bool>,
    /// Burn's optimizer: `gd` (SGD, the notes' W := W − α·dW; default), `momentum` or `adam`.
    #[serde(default, skip_serializing_if = "OptimizerKind::is_gd")]
    pub optimizer: OptimizerKind,
    /// Momentum's β (default 0.9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta: Option<f64>,
    /// Momentum's share of dW left out of v := β·v + (1 − dampening)·dW (Burn's name).
    /// The default, β, is the course's average v := β·v + (1 − β)·dW; 0 is the heavy
    /// ball v := β·v + dW (PyTorch's default), whose steps grow to 1/(1 − β) times GD's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dampening: Option<f64>,
    /// Momentum's Nesterov form: step along dW + β·v instead of v (default false; needs
    /// dampening = 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nesterov: Option<bool>,
    /// Adam's β₁ (default 0.9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta1: Option<f64>,
    /// Adam's β₂ (default 0.999).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta2: Option<f64>,
    /// Adam's ε (default 1e-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epsilon: Option<f64>,
    /// L2 regularization λ: the cost gains λ/(2m)·Σ‖W[l]‖² (biases not regularized; with
    /// mini-batches m is the batch's size). Default 0: off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l2: Option<f64>,
    /// Inverted dropout's keep probability p for the hidden layers during training: one number
    /// for every hidden layer or one per hidden layer. Default 1: off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_prob: Option<KeepProb>,
    /// Early stopping: stop when the validation cost has not improved (by more than
    /// `min_delta`) for this many log points. Needs `data.validation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patience: Option<usize>,
    /// How much the validation cost must fall to count as an improvement (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_delta: Option<f64>,
    /// The course's learning-rate decay: α = α₀ / (1 + decay_rate·⌊epoch / decay_interval⌋).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decay_rate: Option<f64>,
    /// Epochs between two decays of the course's schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decay_interval: Option<usize>,
    /// One of Burn's learning-rate schedules, stepped once an epoch: `cosine` (to
    /// `min_learning_rate` over the run's epochs), `exponential` (× `gamma` every epoch) or
    /// `step` (× `gamma` every `step_size` epochs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr_schedule: Option<LrSchedule>,
    /// `cosine`: the rate the curve reaches after `iterations` epochs, one past the last
    /// (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_learning_rate: Option<f64>,
    /// `exponential` and `step`: the factor of each decay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gamma: Option<f64>,
    /// `step`: epochs between two decays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_size: Option<usize>,
}

/// `keep_prob`: one p for every hidden layer, or one per hidden layer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum KeepProb {
    Every(f64),
    Each(Vec<f64>),
}

/// Burn's learning-rate schedules that `lr_schedule` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LrSchedule {
    Cosine,
    Exponential,
    Step,
}

impl LrSchedule {
    pub fn name(self) -> &'static str {
        match self {
            LrSchedule::Cosine => "cosine",
            LrSchedule::Exponential => "exponential",
            LrSchedule::Step => "step",
        }
    }
}

/// How parameters are updated from their gradients.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    #[default]
    Gd,
    Momentum,
    Adam,
}

impl OptimizerKind {
    fn is_gd(&self) -> bool {
        *self == OptimizerKind::Gd
    }

    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Gd => "gd",
            OptimizerKind::Momentum => "momentum",
            OptimizerKind::Adam => "adam",
        }
    }
}

fn default_log_every() -> usize {
    100
}

impl TrainConfig {
    /// What one pass of the training loop is called in logs and plots: an "epoch" with
    /// mini-batches, else the notes' "iteration" (one full-batch step, one epoch).
    pub fn unit(&self) -> &'static str {
        if self.batch_size.is_some() {
            "epoch"
        } else {
            "iteration"
        }
    }
}
