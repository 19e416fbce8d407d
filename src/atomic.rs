//! Atomic file writes: a file is written under a temporary name in its folder, flushed and
//! renamed into place, so it holds either its old content or the new one, whole.

use std::path::Path;

use crate::{Error, Result};

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
    let written = write(&tmp)
        .map_err(|e| e.with_path(&tmp, path))
        .and_then(|()| {
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
