//! Run folders: everything a run writes, written so that nothing is ever half-written or lost.
//!
//! Files are written to a temporary name and renamed into place; a whole run folder is built
//! under a temporary name next to its destination and renamed at the end, so an interrupted run
//! leaves no partial folder, and an existing folder is only replaced with `--force`.

use std::path::{Path, PathBuf};

use burn::module::Module;

use crate::config::Config;
use crate::models::Model;
use crate::run::Metrics;
use crate::{Error, Result};

pub const CONFIG_FILE: &str = "config.toml";
pub const METRICS_FILE: &str = "metrics.json";
pub const MODEL_FILE: &str = "model.bpk";

/// Write `bytes` to `path` through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_via(path, |tmp| {
        std::fs::write(tmp, bytes).map_err(|e| Error::io("cannot write", tmp, e))
    })
}

/// Replace `path` with what `write` puts into the temporary path it is given (in the same folder,
/// with the same extension, for writers that pick the format from it): the file is flushed to
/// disk and renamed into place, so `path` holds either its old content or the new one, whole.
/// If `write` fails, the temporary file is removed and `path` is untouched.
pub fn write_atomic_via(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}{ext}", std::process::id()));
    let written = write(&tmp).and_then(|()| {
        std::fs::OpenOptions::new()
            .write(true)
            .open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io("cannot flush", &tmp, e))
    });
    written
        .and_then(|()| {
            std::fs::rename(&tmp, path).map_err(|e| Error::io("cannot move into place", path, e))
        })
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

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
    pub fn commit(self) -> Result<PathBuf> {
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

    /// Throw the staging folder away (on error).
    pub fn abandon(self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
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

/// Write the standard contents of a run folder.
pub fn write_run(dir: &RunDir, config: &Config, metrics: &Metrics, model: &Model) -> Result<()> {
    dir.write(CONFIG_FILE, config.to_toml().as_bytes())?;
    let json = serde_json::to_string_pretty(metrics)
        .map_err(|e| Error::Backend(format!("metrics: {e}")))?;
    dir.write(METRICS_FILE, json.as_bytes())?;
    dir.write(MODEL_FILE, &model_bytes(model)?)?;
    Ok(())
}
