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

use crate::device::Precision;
use crate::{Error, Result};

/// A `--precision` the selected backend can compute in, or a usage error saying what to do.
fn precision_flag(p: Precision) -> Result<Precision> {
    crate::device::check_precision(p)
        .map_err(|why| Error::Usage(format!("--precision {}: {why}", p.name())))?;
    Ok(p)
}
