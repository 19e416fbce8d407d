//! `simplenn export RUN_DIR --h5 FILE`: the trained parameters as `W1, b1, …` (f64, the notes'
//! shapes) — the layout of the course's init files, so numpy can read them and simplenn can
//! start from them again (`init.scheme = "h5"`; with `standardize = true` the scaling is folded
//! into W1 and b1, so the file's model takes raw features).

use std::path::PathBuf;

use crate::atomic::write_atomic_via;
use crate::device::Compute;
use crate::params_file;
use crate::run_dir;
use crate::{Error, Result};

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    pub run_dir: PathBuf,
    #[arg(long = "h5", value_name = "FILE")]
    pub h5: PathBuf,
    /// Group inside the file (default: the root).
    #[arg(long, default_value = "")]
    pub group: String,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
}

pub fn export(args: ExportArgs, compute: Compute) -> Result<()> {
    let (dir, file, group, force) = (
        args.run_dir.as_path(),
        args.h5.as_path(),
        args.group.as_str(),
        args.force,
    );
    let run = run_dir::load(dir, compute)?;
    if file.exists() && !force {
        return Err(Error::Usage(format!(
            "{} already exists; pass --force to replace it",
            file.display()
        )));
    }
    let mut layers = run.model.layer_values()?;
    // The file's parameters take raw features: a run that scaled its inputs has the scaling
    // folded into the first layer.
    if let Some(scaling) = &run.input.scaling {
        let first = &mut layers[0];
        scaling.fold_into(&mut first.w, &mut first.b);
    }
    write_atomic_via(file, |tmp| params_file::write(tmp, group, &layers))?;
    let names: Vec<String> = (1..=layers.len())
        .flat_map(|l| [format!("W{l}"), format!("b{l}")])
        .collect();
    println!(
        "wrote {} ({}: {})",
        file.display(),
        if group.is_empty() { "/" } else { group },
        names.join(", ")
    );
    if run.input.scaling.is_some() {
        println!(
            "the training set's feature scaling is folded into W1 and b1: they take raw features"
        );
    }
    Ok(())
}
