//! `simplenn export RUN_DIR --h5 FILE`: the trained parameters as `W1, b1, …` (f64, the notes'
//! shapes) — the layout of the course's init files, so numpy can read them and simplenn can
//! start from them again (`init.scheme = "h5"`).

use std::path::Path;

use crate::data::h5;
use crate::saved;
use crate::{Error, Result};

pub fn export(dir: &Path, file: &Path, group: &str, force: bool) -> Result<()> {
    let run = saved::load(dir)?;
    if file.exists() && !force {
        return Err(Error::Usage(format!(
            "{} already exists; pass --force to replace it",
            file.display()
        )));
    }
    let layers = run.model.layer_values()?;
    // HDF5 writes through a path: write a temporary file next to the target, then rename.
    let parent = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "params.h5".into());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if let Err(e) = h5::write_params(&tmp, group, &layers) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, file).map_err(|e| Error::io("cannot move into place", file, e))?;
    let names: Vec<String> = (1..=layers.len())
        .flat_map(|l| [format!("W{l}"), format!("b{l}")])
        .collect();
    println!(
        "wrote {} ({}: {})",
        file.display(),
        if group.is_empty() { "/" } else { group },
        names.join(", ")
    );
    Ok(())
}
