//! The run folder: what a run writes (`config.toml`, `metrics.json`, `model.bpk`, `input.json`,
//! plots; a checkpoint's `checkpoint.json` and `optimizer.bpk`) and how it is read back, in one
//! place, so writer and reader agree on every file.
//!
//! Nothing is ever half-written or lost: files are written to a temporary name and renamed into
//! place; a whole run folder is built under a temporary name next to its destination and renamed
//! at the end, so an interrupted run leaves no partial folder, and an existing folder is only
//! replaced with `--force`.

use std::path::{Path, PathBuf};

use burn::module::Module;

use burn::tensor::{Bytes, Device};

use crate::atomic::write_atomic;
use crate::config::{Config, LoadedConfig};
use crate::data::InputRecord;
use crate::device::Compute;
use crate::models::Model;
use crate::nn::DataMatrix;
use crate::run_result::{CheckpointState, Metrics, RunResult};
use crate::{Error, Result, plot};

pub const CONFIG_FILE: &str = "config.toml";
pub const METRICS_FILE: &str = "metrics.json";
pub const MODEL_FILE: &str = "model.bpk";
/// How the examples were made (CSV columns, feature scaling, the split): `data::InputRecord`.
pub const INPUT_FILE: &str = "input.json";
/// A checkpoint's optimizer state (momentum, Adam): a Burn record.
pub const OPTIMIZER_FILE: &str = "optimizer.bpk";
/// Where a checkpoint goes on (`run_result::CheckpointState`); absent from a finished run.
pub const CHECKPOINT_FILE: &str = "checkpoint.json";
/// A checkpoint of a run that watches a validation set: the best log point's parameters (a
/// finished run's model.bpk is them).
pub const BEST_FILE: &str = "best.bpk";

/// Serialise the trained model as a Burn record.
pub fn model_bytes(model: &Model) -> Result<Vec<u8>> {
    let bytes = model
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| Error::Backend(format!("cannot serialise the model: {e}")))?;
    Ok(bytes.to_vec())
}

/// A run folder being written: files go into a hidden staging folder until `commit`.
pub struct RunDir {
    target: PathBuf,
    staging: PathBuf,
    force: bool,
    /// Set by `commit`: from then on the staging folder is the user's (moved into place, or
    /// left where the error message says); before, dropping the `RunDir` (an error, a panic)
    /// removes it.
    committing: bool,
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if !self.committing {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

impl RunDir {
    /// Start a run folder at `target`. Fails if it exists and `force` is false.
    pub fn create(target: &Path, force: bool) -> Result<RunDir> {
        if target.exists() && !force {
            return Err(Error::Usage(format!(
                "output folder {} already exists; choose another --out, or pass --force to replace it",
                target.display()
            )));
        }
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::io("cannot create folder", parent, e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".into());
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        std::fs::create_dir_all(&staging)
            .map_err(|e| Error::io("cannot create folder", &staging, e))?;
        Ok(RunDir {
            target: target.to_path_buf(),
            staging,
            force,
            committing: false,
        })
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        write_atomic(&self.staging.join(name), bytes)
    }

    /// The staging path of a file (for writers that need a path, such as HDF5 and plots).
    pub fn staged_path(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// Move the finished folder into place (replacing an old one only when forced).
    pub fn commit(mut self) -> Result<PathBuf> {
        self.committing = true;
        if self.target.exists() {
            if !self.force {
                return Err(Error::Usage(format!(
                    "output folder {} appeared while training; nothing was overwritten, the new run is in {}",
                    self.target.display(),
                    self.staging.display()
                )));
            }
            let old = self.staging.with_extension("old");
            std::fs::rename(&self.target, &old)
                .map_err(|e| Error::io("cannot move aside", &self.target, e))?;
            std::fs::rename(&self.staging, &self.target)
                .map_err(|e| Error::io("cannot move into place", &self.target, e))?;
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&self.staging, &self.target)
                .map_err(|e| Error::io("cannot move into place", &self.target, e))?;
        }
        Ok(self.target.clone())
    }

    /// Throw the staging folder away (on error): what dropping it does.
    pub fn abandon(self) {}
}

/// The first `runs/NAME`, `runs/NAME-2`, … that does not exist yet.
pub fn fresh_run_dir(root: &Path, name: &str) -> PathBuf {
    let first = root.join(name);
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|k| root.join(format!("{name}-{k}")))
        .find(|p| !p.exists())
        .expect("some name is free")
}

/// Write a finished run into `dir`: config.toml (paths made absolute), metrics.json, model.bpk,
/// input.json, cost.{png,svg} and, for 2-D data, boundary.{png,svg} (the model's predictions over
/// the plane computed on `compute`); a run that stopped where it can go on also gets
/// checkpoint.json and, with momentum or Adam, optimizer.bpk. `dir` is a new folder, so a
/// resumed run that finishes leaves neither behind.
pub fn save(
    dir: &RunDir,
    loaded: &LoadedConfig,
    result: &RunResult,
    compute: Compute,
) -> Result<()> {
    let c = &loaded.config;
    dir.write(
        CONFIG_FILE,
        c.with_absolute_paths(&loaded.base_dir).to_toml().as_bytes(),
    )?;
    let json = serde_json::to_string_pretty(&result.metrics)
        .map_err(|e| Error::Output(format!("metrics: {e}")))?;
    dir.write(METRICS_FILE, json.as_bytes())?;
    dir.write(MODEL_FILE, &model_bytes(&result.model)?)?;
    let input = serde_json::to_string(&result.data.input)
        .map_err(|e| Error::Output(format!("input record: {e}")))?;
    dir.write(INPUT_FILE, input.as_bytes())?;
    if let Some(checkpoint) = &result.checkpoint {
        let json = serde_json::to_string_pretty(checkpoint)
            .map_err(|e| Error::Output(format!("checkpoint: {e}")))?;
        dir.write(CHECKPOINT_FILE, json.as_bytes())?;
    }
    if let Some(state) = &result.optimizer {
        dir.write(OPTIMIZER_FILE, state)?;
    }
    if let Some(best) = &result.best_model {
        dir.write(BEST_FILE, &model_bytes(best)?)?;
    }
    let staged = dir.staged_path("");
    let m = &result.metrics;
    let title = format!("{} {:?}, α = {}", m.model, m.layers, m.learning_rate);
    let mut curves = vec![plot::Curve {
        label: String::new(),
        costs: &m.costs,
    }];
    if !m.validation_costs.is_empty() {
        curves[0].label = "training".into();
        curves.push(plot::Curve {
            label: "validation".into(),
            costs: &m.validation_costs,
        });
    }
    plot::cost_curves(
        &staged,
        "cost",
        &title,
        c.train.unit(),
        &curves,
        &m.learning_rates,
    )?;
    if let Some(train) = result.data.train.in_memory().filter(|t| t.n_x == 2) {
        let (dtype, device) = (c.train.precision.dtype(), compute.device());
        let predict = |points: &[(f64, f64)]| -> Result<Vec<usize>> {
            let mut x: Vec<f64> = points.iter().map(|p| p.0).collect();
            x.extend(points.iter().map(|p| p.1));
            let x = DataMatrix::new(x, 2, points.len(), compute.place(dtype, &device));
            Ok(crate::infer::probabilities(&result.model, &x)?.predictions())
        };
        let title = format!(
            "decision regions: {} {:?} ({:.1} % train accuracy)",
            m.model, m.layers, m.train_accuracy
        );
        plot::decision_boundary(&staged, "boundary", &title, &train.x, &train.y, &predict)?;
    }
    Ok(())
}

/// A finished (or checkpointed) run, loaded from its folder.
pub struct SavedRun {
    pub dir: PathBuf,
    pub config: LoadedConfig,
    pub metrics: Metrics,
    /// On the plain device it was loaded on, ready for inference.
    pub model: Model,
    /// How the examples were made: what new data must go through before the model sees it.
    pub input: InputRecord,
    /// Where the run goes on, when the folder is a checkpoint; None for a finished run.
    pub checkpoint: Option<CheckpointState>,
    /// A checkpoint's optimizer state, if it has one.
    pub optimizer: Option<Vec<u8>>,
    /// A checkpoint's best log point's parameters, when it watches a validation set.
    pub best_model: Option<Model>,
}

impl SavedRun {
    /// The names of the classes 0 … K−1 the model was trained on: as `metrics.json` records
    /// them, or, for a folder that records none, `class 0`, `class 1`, … for its output units.
    pub fn classes(&self) -> Vec<String> {
        self.metrics.classes.clone().unwrap_or_else(|| {
            let units = self.model.units();
            crate::data::classes::unnamed(if units == 1 { 2 } else { units })
        })
    }
}

/// The checkpoint in the older run-folder layout, kept in metrics.json (`resume_from`: the next
/// iteration; `resume_batch`, `resume_cost_so_far`: only for a checkpoint inside an epoch).
/// Read, so that such folders resume; never written.
#[derive(serde::Deserialize)]
struct OldCheckpoint {
    #[serde(default)]
    resume_from: Option<usize>,
    #[serde(default)]
    resume_batch: Option<usize>,
    #[serde(default)]
    resume_cost_so_far: Option<f64>,
}

impl OldCheckpoint {
    fn state(&self) -> Option<CheckpointState> {
        Some(CheckpointState {
            iteration: self.resume_from?,
            batch: self.resume_batch.unwrap_or(0),
            cost_so_far: self.resume_cost_so_far.unwrap_or(0.0),
            best: None,
            since_best: 0,
        })
    }
}

/// Where the run in `dir` goes on: its checkpoint.json, or in the older layout the `resume_from`
/// keys of its metrics.json (`metrics_path`); None for a finished run.
fn read_checkpoint(dir: &Path, metrics_path: &Path) -> Result<Option<CheckpointState>> {
    let path = dir.join(CHECKPOINT_FILE);
    if path.exists() {
        return read_json(&path, "checkpoint").map(Some);
    }
    Ok(read_json::<OldCheckpoint>(metrics_path, "metrics")?.state())
}

/// A JSON file of the run folder, read as `T`.
fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("cannot read", path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::run_file(path, format!("is not a simplenn {what} file ({e})")))
}

fn need(dir: &Path, name: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    if !path.is_file() {
        return Err(Error::Usage(format!(
            "{} is not a simplenn run folder: it has no {name} (a run folder is what `simplenn train` writes)",
            dir.display()
        )));
    }
    Ok(path)
}

/// Load `dir`, checking that it is a run folder whose config `compute`'s backend can run, with
/// the model on `compute`'s plain device.
pub fn load(dir: &Path, compute: Compute) -> Result<SavedRun> {
    if !dir.exists() {
        return Err(Error::Usage(format!(
            "run folder {} does not exist",
            dir.display()
        )));
    }
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{} is a file, not a run folder",
            dir.display()
        )));
    }
    let config = Config::load(&need(dir, CONFIG_FILE)?, &[])?;
    config.check_backend(compute.backend)?;
    let metrics_path = need(dir, METRICS_FILE)?;
    let metrics: Metrics = read_json(&metrics_path, "metrics")?;
    // A run whose examples were made without a split, scaling or CSV columns needs no record.
    let input_path = dir.join(INPUT_FILE);
    let input: InputRecord = if input_path.exists() {
        read_json(&input_path, "input record")?
    } else {
        InputRecord::default()
    };
    let n_x = metrics.layers.first().copied().unwrap_or(0);
    let widths = [
        input.scaling.as_ref().map(|s| s.mean.len()),
        input.columns.as_ref().map(|c| c.features.len()),
        metrics.image_shape.map(|[h, w, c]| h * w * c),
    ];
    if let Some(width) = widths.into_iter().flatten().find(|&w| w != n_x) {
        return Err(Error::run_file(
            &input_path,
            format!(
                "describes {width} features but the model takes {n_x}: the run folder's files do not belong together; train the model again"
            ),
        ));
    }
    let data = &config.config.data;
    if (data.standardize && input.scaling.is_none())
        || (matches!(data.source, crate::config::DataSource::Csv { .. }) && input.columns.is_none())
    {
        return Err(Error::run_file(
            &input_path,
            "is missing or incomplete: this run's config scales its features or reads a CSV table, and the run folder must record how; train the model again",
        ));
    }
    let checkpoint = read_checkpoint(dir, &metrics_path)?;
    let optimizer_path = dir.join(OPTIMIZER_FILE);
    let optimizer = if optimizer_path.is_file() {
        Some(
            std::fs::read(&optimizer_path)
                .map_err(|e| Error::io("cannot read", &optimizer_path, e))?,
        )
    } else {
        None
    };
    let model_path = need(dir, MODEL_FILE)?;
    let bytes = std::fs::read(&model_path).map_err(|e| Error::io("cannot read", &model_path, e))?;
    let model =
        model_from_bytes(&config, &metrics.layers, bytes, &compute.device()).map_err(|m| {
            Error::run_file(
                &model_path,
                format!("cannot be loaded as this run's model: {m}"),
            )
        })?;
    let best_path = dir.join(BEST_FILE);
    let best_model = match checkpoint.as_ref().and_then(|c| c.best) {
        Some(_) => {
            let bytes = std::fs::read(&best_path).map_err(|e| {
                Error::run_file(
                    &best_path,
                    format!("cannot be read ({e}): checkpoint.json names a best log point, whose parameters it holds; train again"),
                )
            })?;
            let best = model_from_bytes(&config, &metrics.layers, bytes, &compute.device())
                .map_err(|m| {
                    Error::run_file(
                        &best_path,
                        format!("cannot be loaded as this run's model: {m}"),
                    )
                })?;
            Some(best)
        }
        None => None,
    };
    Ok(SavedRun {
        dir: dir.to_path_buf(),
        config,
        metrics,
        model,
        input,
        checkpoint,
        optimizer,
        best_model,
    })
}

/// The model the config describes for the layer sizes `metrics.json` lists, filled from a Burn
/// record on `device`: the same spec `train` built it from.
pub fn model_from_bytes(
    config: &LoadedConfig,
    sizes: &[usize],
    bytes: Vec<u8>,
    device: &Device,
) -> std::result::Result<Model, String> {
    let (Some(&n_x), Some(&units)) = (sizes.first(), sizes.last()) else {
        return Err("metrics.json lists no layers".into());
    };
    // One output unit is two classes (σ); K units are K classes (softmax).
    let classes = if units == 1 { 2 } else { units };
    let spec = config.config.model_spec(n_x, classes)?;
    if spec.sizes != sizes {
        return Err(format!(
            "metrics.json lists layers {sizes:?}, but the run's config describes {:?}",
            spec.sizes
        ));
    }
    let skeleton = spec.init(device);
    let record = burn::store::ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes))
        .map_err(|e| e.to_string())?;
    skeleton.try_load_record(record).map_err(|e| e.to_string())
}
