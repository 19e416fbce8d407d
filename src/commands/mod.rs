//! What each subcommand does, with its arguments (a clap `Args` struct beside the function that
//! runs it); `cli.rs` lists the subcommands, parses and dispatches here. Nothing here imports
//! `cli`.

pub mod backends;
pub mod bench;
pub mod data;
pub mod evaluate;
pub mod export;
pub mod gradcheck;
pub mod predict;
pub mod progress;
pub mod sweep;
pub mod train;

use std::path::Path;

use crate::config::{Config, LoadedConfig};
use crate::device::{Backend, Precision};
use crate::{Error, Result};

/// A `--precision` the chosen backend can compute in, or a usage error saying what to do.
fn precision_flag(p: Precision, backend: Backend) -> Result<Precision> {
    backend
        .check_precision(p)
        .map_err(|why| Error::Usage(format!("--precision {}: {why}", p.name())))?;
    Ok(p)
}

/// A config file with `--set` overrides, read and validated, whose precision the chosen backend
/// can compute in.
fn load_config(path: &Path, set: &[String], backend: Backend) -> Result<LoadedConfig> {
    let loaded = Config::load(path, set)?;
    loaded.check_backend(backend)?;
    Ok(loaded)
}
