//! Reading a run folder back: its config, its metrics and its trained model.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::tensor::Bytes;

use crate::config::{Config, LoadedConfig};
use crate::device;
use crate::models::Model;
use crate::nn::init::{InitScheme, draw_layers};
use crate::report::{CONFIG_FILE, METRICS_FILE, MODEL_FILE};
use crate::run::Metrics;
use crate::{Error, Result};

/// A finished (or checkpointed) run, loaded from its folder.
pub struct SavedRun {
    pub dir: PathBuf,
    pub config: LoadedConfig,
    pub metrics: Metrics,
    /// On the plain device, ready for inference.
    pub model: Model,
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

/// Load `dir`, checking that it is a run folder.
pub fn load(dir: &Path) -> Result<SavedRun> {
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
    let metrics_path = need(dir, METRICS_FILE)?;
    let text = std::fs::read_to_string(&metrics_path)
        .map_err(|e| Error::io("cannot read", &metrics_path, e))?;
    let metrics: Metrics = serde_json::from_str(&text).map_err(|e| {
        Error::data(
            &metrics_path,
            format!("is not a simplenn metrics file ({e})"),
        )
    })?;
    let model_path = need(dir, MODEL_FILE)?;
    let bytes = std::fs::read(&model_path).map_err(|e| Error::io("cannot read", &model_path, e))?;
    let model = model_from_bytes(&config, &metrics.layers, bytes).map_err(|m| {
        Error::data(
            &model_path,
            format!("cannot be loaded as this run's model: {m}"),
        )
    })?;
    Ok(SavedRun {
        dir: dir.to_path_buf(),
        config,
        metrics,
        model,
    })
}

/// Rebuild the model skeleton the config describes and fill it from a Burn record.
pub fn model_from_bytes(
    config: &LoadedConfig,
    sizes: &[usize],
    bytes: Vec<u8>,
) -> std::result::Result<Model, String> {
    if sizes.len() < 2 {
        return Err(format!("metrics.json lists layers {sizes:?}"));
    }
    let c = &config.config;
    let expected = match c.model.kind {
        crate::models::ModelKind::Logistic => Some(2),
        crate::models::ModelKind::Shallow => Some(3),
        crate::models::ModelKind::Deep => None,
    };
    if expected.is_some_and(|n| n != sizes.len()) {
        return Err(format!(
            "metrics.json lists layers {sizes:?}, which a {} model cannot have",
            c.model.kind.name()
        ));
    }
    let skeleton_layers = draw_layers(sizes, InitScheme::Zeros, 0.0, 0);
    let skeleton = Model::from_layers(
        c.model.kind,
        &skeleton_layers,
        c.activation(),
        c.train.precision.dtype(),
        &device::device(),
    );
    let record = burn::store::ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes))
        .map_err(|e| e.to_string())?;
    skeleton.try_load_record(record).map_err(|e| e.to_string())
}
