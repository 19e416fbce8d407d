//! Config files (TOML): the only place that knows the file format. Unknown keys are rejected,
//! every value is validated with a message that names the key, and `--set key=value` overrides
//! are applied to the parsed table before it is checked, so they get the same checks.
//!
//! Relative paths in a config are resolved from the folder that holds the config file, so a
//! config works from any working directory. [`Config::load`] resolves them once: every data and
//! init path of a [`LoadedConfig`] is absolute, and the modules that open them take them as
//! they are.
//!
//! This file loads a config (read, parse, override, validate) and resolves its paths; the
//! sections' types are in `format`, their checks in `checks` (those of fitting well in
//! `fitting_checks`), the model a config describes in
//! `spec` and `--set` in `overrides`.

mod checks;
mod fitting_checks;
mod format;
mod overrides;
mod spec;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::device::Backend;
use crate::{Error, Result};

pub use checks::STREAMING_KINDS;
pub use format::{
    DataConfig, DataSource, H5Layout, InitChoice, InitConfig, KeepProb, LrSchedule, ModelConfig,
    OptimizerKind, StreamConfig, TrainConfig,
};
use overrides::apply_override;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub model: ModelConfig,
    pub data: DataConfig,
    #[serde(default)]
    pub init: InitConfig,
    pub train: TrainConfig,
}

/// A config as loaded: the values (their paths absolute), where they came from, and the folder
/// that holds the config file (its relative paths were resolved from it).
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    pub source: String,
    pub base_dir: PathBuf,
}

impl LoadedConfig {
    /// A config error on `train.precision` when `backend` cannot compute in it (f64 on a backend
    /// without usable f64). Not one of [`Config::validate`]'s checks, which need no backend: this
    /// one runs where the backend is known (the commands, `pipeline::prepare`, `run_dir::load`).
    pub fn check_backend(&self, backend: Backend) -> Result<()> {
        let precision = self.config.train.precision;
        backend.check_precision(precision).map_err(|why| {
            Error::config(
                &self.source,
                format!("train.precision = \"{}\": {why}", precision.name()),
            )
        })
    }
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

    /// Read, override and validate a config file, and make its paths absolute (resolved from
    /// the file's folder): the one place where a config's paths are resolved.
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
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let config = Config::parse(&text, &source, overrides)?.with_absolute_paths(&base_dir);
        Ok(LoadedConfig {
            config,
            source,
            base_dir,
        })
    }

    /// The same config with every relative path made absolute, resolved from `base_dir`
    /// ([`Config::load`]; the run folder's copy).
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
            DataSource::Planar { .. } | DataSource::Spiral { .. } => {}
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
