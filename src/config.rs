//! Config files (TOML): the only place that knows the file format. Unknown keys are rejected,
//! every value is validated with a message that names the key, and `--set key=value` overrides
//! are applied to the parsed table before it is checked, so they get the same checks.
//!
//! Relative paths in a config are resolved from the folder that holds the config file, so a
//! config works from any working directory.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::device::Precision;
use crate::models::{ModelKind, ModelSpec};
use crate::nn::activation::{ActivationKind, DEFAULT_LEAKY_SLOPE};
use crate::nn::{Activation, InitScheme};
use crate::{Error, Result};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub model: ModelConfig,
    pub data: DataConfig,
    #[serde(default)]
    pub init: InitConfig,
    pub train: TrainConfig,
}

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
        /// The folder of class 1 (default: the second folder in sorted order).
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
        /// The label value of class 1, when the labels are not 0/1.
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

/// The kinds whose examples can be read a block at a time.
pub const STREAMING_KINDS: &str = "cat, h5 and images";

/// The `[data]` section: a source, and what every kind can ask for after loading.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DataConfig {
    #[serde(flatten)]
    pub source: DataSource,
    /// Seeds the generated flower and the split.
    pub seed: u32,
    /// Without a test set: this fraction of each class becomes the test set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split: Option<f64>,
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
        let standardize = take::<_, D::Error>(&mut table, "standardize")?.unwrap_or(false);
        let stream = take::<_, D::Error>(&mut table, "stream")?.unwrap_or(false);
        let streaming = StreamConfig {
            block: take::<_, D::Error>(&mut table, "block")?,
            shuffle_buffer: take::<_, D::Error>(&mut table, "shuffle_buffer")?,
        };
        let source = DataSource::deserialize(toml::Value::Table(table)).map_err(|e| {
            D::Error::custom(format!(
                "{e} (every kind also takes seed, split, standardize, stream, block and shuffle_buffer)"
            ))
        })?;
        Ok(DataConfig {
            source,
            seed,
            split,
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
            split: None,
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
            DataSource::Planar { .. } => None,
            DataSource::Cat { train, .. }
            | DataSource::H5 { train, .. }
            | DataSource::Images { train, .. }
            | DataSource::Csv { train, .. } => Some(train),
        }
    }

    /// The test file or folder, if the section names one.
    pub fn test(&self) -> Option<&PathBuf> {
        match self {
            DataSource::Planar { .. } => None,
            DataSource::Cat { test, .. }
            | DataSource::H5 { test, .. }
            | DataSource::Images { test, .. }
            | DataSource::Csv { test, .. } => test.as_ref(),
        }
    }
}

/// The largest picture side `data.size` takes (a 4096×4096 RGB picture is 50 million features).
const MAX_IMAGE_SIDE: usize = 4096;

fn default_image_size() -> [usize; 2] {
    [64, 64]
}
fn default_planar_m() -> usize {
    400
}
fn default_planar_noise() -> f64 {
    0.2
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

    fn validate(&self) -> std::result::Result<(), String> {
        if !self.learning_rate.is_finite() || self.learning_rate <= 0.0 {
            return Err(format!(
                "train.learning_rate = {}: must be a finite number > 0 (the notes use 0.005 to 1.2)",
                self.learning_rate
            ));
        }
        if self.iterations == 0 {
            return Err("train.iterations (or epochs) = 0: must be at least 1".into());
        }
        if let Err(why) = crate::device::check_precision(self.precision) {
            return Err(format!(
                "train.precision = \"{}\": {why}",
                self.precision.name()
            ));
        }
        if self.log_every == 0 {
            return Err(
                "train.log_every = 0: must be at least 1 (the notes log every 100 iterations)"
                    .into(),
            );
        }
        if self.batch_size == Some(0) {
            return Err(
                "train.batch_size = 0: must be at least 1 (remove it for the full batch)".into(),
            );
        }
        if self.shuffle.is_some() && self.batch_size.is_none() {
            return Err("train.shuffle: only used with mini-batches; set train.batch_size or remove shuffle".into());
        }
        // Every optimizer key belongs to one optimizer; set for another, it is a mistake.
        let owned = [
            ("beta", self.beta.is_some(), OptimizerKind::Momentum),
            (
                "dampening",
                self.dampening.is_some(),
                OptimizerKind::Momentum,
            ),
            ("nesterov", self.nesterov.is_some(), OptimizerKind::Momentum),
            ("beta1", self.beta1.is_some(), OptimizerKind::Adam),
            ("beta2", self.beta2.is_some(), OptimizerKind::Adam),
            ("epsilon", self.epsilon.is_some(), OptimizerKind::Adam),
        ];
        for (key, set, owner) in owned {
            if set && self.optimizer != owner {
                return Err(format!(
                    "train.{key}: only used with optimizer = \"{}\" (this config has \"{}\")",
                    owner.name(),
                    self.optimizer.name()
                ));
            }
        }
        let rates = [
            ("beta", self.beta),
            ("beta1", self.beta1),
            ("beta2", self.beta2),
        ];
        for (key, value) in rates {
            // Burn holds these as f32: a value that rounds to 1 there is 1.
            if let Some(v) = value
                && (!(0.0..1.0).contains(&v) || v as f32 >= 1.0)
            {
                return Err(format!("train.{key} = {v}: must be in [0, 1), e.g. 0.9"));
            }
        }
        if let Some(d) = self.dampening {
            // At 1 the gradient would never enter v after the first step.
            if !(0.0..1.0).contains(&d) {
                return Err(format!(
                    "train.dampening = {d}: must be in [0, 1); leave it out for the course's \
                     average (dampening = beta) or set 0 for the heavy ball v := β·v + dW"
                ));
            }
        }
        // Nesterov's look-ahead is defined on the heavy ball; on the course's average it would
        // add the raw gradient to a velocity of another scale (PyTorch refuses it too).
        if self.nesterov == Some(true) && self.dampening != Some(0.0) {
            return Err(
                "train.nesterov = true: Nesterov's form needs the heavy ball; add dampening = 0"
                    .into(),
            );
        }
        if let Some(e) = self.epsilon
            && !(e.is_finite() && e as f32 > 0.0 && (e as f32).is_finite())
        {
            return Err(format!(
                "train.epsilon = {e}: must be a finite number > 0, e.g. 1e-8"
            ));
        }
        Ok(())
    }
}

impl ModelConfig {
    fn validate(&self) -> std::result::Result<(), String> {
        let m = self;
        match m.kind {
            ModelKind::Logistic => {
                if m.layers.is_some() || m.hidden.is_some() || m.activation.is_some() {
                    return Err("model: logistic regression is a single sigmoid neuron; remove `layers`, `hidden` and `activation` (or use kind = \"deep\")".into());
                }
            }
            ModelKind::Shallow => {
                if m.layers.is_some() {
                    return Err("model.layers: the shallow net has one hidden layer; set `hidden = n_h` instead (or use kind = \"deep\")".into());
                }
                match m.hidden {
                    None => return Err("model.hidden: missing; the shallow net needs the number of hidden units, e.g. hidden = 4".into()),
                    Some(0) => return Err("model.hidden = 0: needs at least 1 hidden unit".into()),
                    _ => {}
                }
            }
            ModelKind::Deep => {
                if m.hidden.is_some() {
                    return Err(
                        "model.hidden: the deep net takes `layers = [n0, n1, …, 1]`, not `hidden`"
                            .into(),
                    );
                }
                let Some(layers) = &m.layers else {
                    return Err("model.layers: missing; the deep net needs every layer size, e.g. layers = [12288, 20, 7, 5, 1]".into());
                };
                if layers.len() < 2 {
                    return Err(format!(
                        "model.layers = {layers:?}: needs at least an input and an output size, e.g. [12288, 7, 1]"
                    ));
                }
                if let Some(i) = layers.iter().position(|&n| n == 0) {
                    return Err(format!(
                        "model.layers = {layers:?}: layer {i} has size 0; every layer needs at least 1 unit"
                    ));
                }
                if *layers.last().expect("len >= 2") != 1 {
                    return Err(format!(
                        "model.layers = {layers:?}: the last layer must be 1 (one sigmoid output for binary classification)"
                    ));
                }
            }
        }
        if let Some(slope) = m.leaky_slope
            && !(0.0..1.0).contains(&slope)
        {
            return Err(format!("model.leaky_slope = {slope}: must be in [0, 1)"));
        }
        Ok(())
    }
}

impl InitConfig {
    fn validate(&self) -> std::result::Result<(), String> {
        let i = self;
        match (i.scheme, &i.path) {
            (Some(InitChoice::H5), None) => return Err("init.path: missing; scheme = \"h5\" needs the parameter file, e.g. path = \"init.h5\"".into()),
            (Some(InitChoice::H5), Some(_)) => {}
            (_, Some(_)) => return Err("init.path: only used with scheme = \"h5\"; remove it or set init.scheme = \"h5\"".into()),
            _ => {}
        }
        if !i.scale.is_finite() || i.scale <= 0.0 {
            return Err(format!(
                "init.scale = {}: must be a finite number > 0",
                i.scale
            ));
        }
        Ok(())
    }
}

impl DataConfig {
    fn validate(&self) -> std::result::Result<(), String> {
        match &self.source {
            DataSource::Planar { m, noise, .. } => {
                if *m < 2 || m % 2 != 0 {
                    return Err(format!(
                        "data.m = {m}: the flower needs an even number of points ≥ 2 (half per class)"
                    ));
                }
                if !noise.is_finite() || *noise < 0.0 {
                    return Err(format!("data.noise = {noise}: must be a finite number ≥ 0"));
                }
            }
            DataSource::Cat { train, .. }
            | DataSource::H5 { train, .. }
            | DataSource::Csv { train, .. } => {
                if train.as_os_str().is_empty() {
                    return Err("data.train: empty path; give the training file, e.g. train = \"../datasets/train_catvnoncat.h5\"".into());
                }
            }
            DataSource::Images { train, size, .. } => {
                if train.as_os_str().is_empty() {
                    return Err("data.train: empty path; give the folder that holds one subfolder per class, e.g. train = \"pictures/train\"".into());
                }
                if size.iter().any(|&s| s == 0 || s > MAX_IMAGE_SIDE) {
                    return Err(format!(
                        "data.size = {size:?}: height and width must be between 1 and {MAX_IMAGE_SIDE}, e.g. size = [64, 64]"
                    ));
                }
            }
        }
        if let DataSource::Csv {
            label,
            features: Some(features),
            ..
        } = &self.source
        {
            if features.is_empty() {
                return Err("data.features = []: name at least one feature column, or remove the key to use every column but the label".into());
            }
            if features.contains(label) {
                return Err(format!(
                    "data.features lists the label column \"{label}\": the label cannot be a feature; remove it from features"
                ));
            }
        }
        if let Some(fraction) = self.split {
            if !(fraction > 0.0 && fraction < 1.0) {
                return Err(format!(
                    "data.split = {fraction}: must be a fraction strictly between 0 and 1, e.g. split = 0.2"
                ));
            }
            if self.source.test().is_some() {
                return Err(
                    "data.split: the section names a test set already; remove `test` or `split`"
                        .into(),
                );
            }
        }
        self.validate_stream()
    }

    fn validate_stream(&self) -> std::result::Result<(), String> {
        let s = &self.streaming;
        for (key, value) in [("block", s.block), ("shuffle_buffer", s.shuffle_buffer)] {
            match value {
                Some(0) => return Err(format!("data.{key} = 0: must be at least 1 example")),
                Some(_) if !self.stream => {
                    return Err(format!(
                        "data.{key} applies to streamed data only: add stream = true or remove it"
                    ));
                }
                _ => {}
            }
        }
        if !self.stream {
            return Ok(());
        }
        let kind = match &self.source {
            DataSource::Planar { .. } => Some("planar (the flower is generated in memory)"),
            DataSource::Csv { .. } => Some("csv"),
            _ => None,
        };
        if let Some(kind) = kind {
            return Err(format!(
                "data.stream = true: kind = {kind} cannot be streamed; the kinds that can are {STREAMING_KINDS}; remove stream = true"
            ));
        }
        if self.split.is_some() {
            return Err("data.stream = true with data.split: a streamed set is read in file order and cannot be split; give the test set as its own file or folder (test = …) and remove split".into());
        }
        if matches!(
            self.source,
            DataSource::Images {
                skip_unreadable: true,
                ..
            }
        ) {
            return Err("data.stream = true with data.skip_unreadable: a streamed picture is decoded when its batch is read, so the set's size must be known before; remove the unreadable pictures and skip_unreadable, or remove stream = true".into());
        }
        Ok(())
    }
}

/// A config as loaded: the values, where they came from, and the folder paths are relative to.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    pub source: String,
    pub base_dir: PathBuf,
}

impl Config {
    /// Parse TOML text (`source` names it in errors).
    pub fn parse(text: &str, source: &str, overrides: &[String]) -> Result<Config> {
        let config: Config = if overrides.is_empty() {
            toml::from_str(text).map_err(|e| Error::config(source, toml_message(&e)))?
        } else {
            let mut table: toml::Table =
                toml::from_str(text).map_err(|e| Error::config(source, toml_message(&e)))?;
            for o in overrides {
                apply_override(&mut table, o).map_err(|m| Error::config(source, m))?;
            }
            Config::deserialize(toml::Value::Table(table)).map_err(|e| {
                Error::config(
                    source,
                    format!(
                        "after --set {}: {}",
                        overrides.join(" --set "),
                        toml_message(&e)
                    ),
                )
            })?
        };
        config.validate().map_err(|m| Error::config(source, m))?;
        Ok(config)
    }

    /// Read, override and validate a config file.
    pub fn load(path: &Path, overrides: &[String]) -> Result<LoadedConfig> {
        let source = path.display().to_string();
        if path.is_dir() {
            return Err(Error::config(
                &source,
                "is a directory; give a .toml config file such as configs/shallow_planar.toml",
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::config(
                &source,
                format!("cannot be read ({e}); the shipped configs are in configs/"),
            )
        })?;
        let config = Config::parse(&text, &source, overrides)?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(LoadedConfig {
            config,
            source,
            base_dir,
        })
    }

    /// Checks that need no data, section by section. Each message starts with the key it is about.
    pub fn validate(&self) -> std::result::Result<(), String> {
        self.train.validate()?;
        self.model.validate()?;
        self.init.validate()?;
        self.data.validate()?;
        if self.data.stream && self.train.batch_size.is_none() {
            return Err("data.stream = true needs train.batch_size: streaming reads a mini-batch at a time (the full batch would need the whole set in memory), e.g. batch_size = 256".into());
        }
        Ok(())
    }

    /// The hidden activation the model uses.
    pub fn activation(&self) -> Activation {
        let default = match self.model.kind {
            ModelKind::Deep => ActivationKind::Relu,
            _ => ActivationKind::Tanh,
        };
        Activation::new(
            self.model.activation.unwrap_or(default),
            self.model.leaky_slope.unwrap_or(DEFAULT_LEAKY_SLOPE),
        )
    }

    /// Layer sizes n[0] … n[L] for data with `n_x` features; an error if they disagree.
    pub fn layer_sizes(&self, n_x: usize) -> std::result::Result<Vec<usize>, String> {
        match self.model.kind {
            ModelKind::Logistic => Ok(vec![n_x, 1]),
            ModelKind::Shallow => Ok(vec![n_x, self.model.hidden.unwrap_or(4), 1]),
            ModelKind::Deep => {
                let layers = self.model.layers.clone().unwrap_or_default();
                if layers.first() != Some(&n_x) {
                    return Err(format!(
                        "model.layers = {layers:?}: the first layer must equal the number of input features, {n_x} for this data"
                    ));
                }
                Ok(layers)
            }
        }
    }

    /// The model this config describes, for data with `n_x` features.
    pub fn model_spec(&self, n_x: usize) -> std::result::Result<ModelSpec, String> {
        Ok(ModelSpec {
            kind: self.model.kind,
            sizes: self.layer_sizes(n_x)?,
            activation: self.activation(),
            dtype: self.train.precision.dtype(),
        })
    }

    /// The weight scheme, with the per-model default.
    pub fn init_scheme(&self) -> Option<InitScheme> {
        let choice = self.init.scheme.unwrap_or(match self.model.kind {
            ModelKind::Logistic => InitChoice::Zeros,
            ModelKind::Shallow => InitChoice::NormalScaled,
            ModelKind::Deep => InitChoice::NormalSqrtPrev,
        });
        match choice {
            InitChoice::Zeros => Some(InitScheme::Zeros),
            InitChoice::NormalScaled => Some(InitScheme::NormalScaled),
            InitChoice::NormalSqrtPrev => Some(InitScheme::NormalSqrtPrev),
            InitChoice::He => Some(InitScheme::He),
            InitChoice::H5 => None,
        }
    }

    /// The same config with every relative path made absolute (for the run folder's copy).
    pub fn with_absolute_paths(&self, base_dir: &Path) -> Config {
        let abs = |p: &PathBuf| absolute(base_dir, p);
        let mut c = self.clone();
        match &mut c.data.source {
            DataSource::Cat { train, test, .. }
            | DataSource::H5 { train, test, .. }
            | DataSource::Images { train, test, .. }
            | DataSource::Csv { train, test, .. } => {
                *train = abs(train);
                *test = test.as_ref().map(abs);
            }
            DataSource::Planar { .. } => {}
        }
        c.init.path = c.init.path.as_ref().map(abs);
        c
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self)
            .unwrap_or_else(|e| format!("# config could not be written: {e}\n"))
    }
}

/// `base/p`, unless p is absolute.
pub fn absolute(base: &Path, p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    std::path::absolute(&joined).unwrap_or(joined)
}

fn toml_message(e: &toml::de::Error) -> String {
    let message = e
        .to_string()
        .trim_end()
        .replace("TOML parse error at", "at");
    if message.contains("duplicate field `iterations`") {
        // serde names the field, not the alias the user may have written.
        return format!("{message}\n`epochs` and `iterations` are one key: keep one of them");
    }
    message
}

/// `a.b.c=value`: the value is read as TOML (number, bool, array, quoted string), or else taken
/// as a bare string, so `--set model.activation=relu` works without quotes.
pub fn apply_override(
    table: &mut toml::Table,
    assignment: &str,
) -> std::result::Result<(), String> {
    let Some((key, raw)) = assignment.split_once('=') else {
        return Err(format!(
            "--set {assignment}: expected key=value, e.g. --set train.learning_rate=0.05"
        ));
    };
    let key = key.trim();
    let raw = raw.trim();
    let value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()));
    let parts: Vec<&str> = key.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!(
            "--set {assignment}: `{key}` is not a key; use section.key, e.g. model.hidden"
        ));
    }
    let (last, sections) = parts.split_last().expect("non-empty");
    let mut current = table;
    for s in sections {
        let entry = current
            .entry(s.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = entry
            .as_table_mut()
            .ok_or_else(|| format!("--set {assignment}: `{s}` is a value, not a section"))?;
    }
    // `epochs` and `iterations` are one key: setting either replaces the other.
    if let (["train"], Some(alias)) = (
        sections,
        match *last {
            "epochs" => Some("iterations"),
            "iterations" => Some("epochs"),
            _ => None,
        },
    ) {
        current.remove(alias);
    }
    current.insert(last.to_string(), value);
    Ok(())
}
