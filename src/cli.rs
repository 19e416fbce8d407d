//! The command line: the top-level parser (the global `--backend`, the list of subcommands) and
//! dispatch to `commands`, where each command's arguments are defined beside it.

use clap::{Parser, Subcommand};

use crate::commands;
use crate::commands::bench::BenchArgs;
use crate::commands::data::DataArgs;
use crate::commands::evaluate::EvaluateArgs;
use crate::commands::export::ExportArgs;
use crate::commands::gradcheck::GradcheckArgs;
use crate::commands::predict::PredictArgs;
use crate::commands::sweep::SweepArgs;
use crate::commands::train::TrainArgs;
use crate::device::{self, Backend, Compute};
use crate::{Error, Result};

#[derive(Parser, Debug)]
#[command(
    name = "simplenn",
    version = version(),
    about = "The course's simple neural networks on Burn, with the notes' gradients as a checker"
)]
pub struct Cli {
    /// Backend to run on, among those compiled in (`simplenn backends` lists them). Default:
    /// ndarray when compiled in, else the first of flex, wgpu, cuda. Also: SIMPLENN_BACKEND=NAME.
    #[arg(long, global = true, value_name = "NAME")]
    pub backend: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

/// `simplenn --version`: the crate version and the backends compiled in.
fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        format!(
            "{} (backends: {}; default: {})",
            env!("CARGO_PKG_VERSION"),
            device::compiled_names(),
            Backend::default_compiled().name()
        )
    })
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train a model from a config file and write a run folder.
    Train(TrainArgs),
    /// Compare autodiff, the notes' handwritten gradients and finite differences.
    Gradcheck(GradcheckArgs),
    /// Train one variant per value: --set key=v1,v2,… (plus fixed --set key=value).
    Sweep(SweepArgs),
    /// Reload a trained model: accuracy, confusion matrix, mislabelled pictures.
    Evaluate(EvaluateArgs),
    /// Classify your own PNG/JPEG pictures, or the rows of CSV tables, with a trained model.
    Predict(PredictArgs),
    /// Write the trained parameters as W1, b1, … (f64) into an HDF5 file.
    Export(ExportArgs),
    /// Time training iterations of configs on this backend (median, spread, peak memory).
    Bench(BenchArgs),
    /// List the backends compiled into this binary, the default, and whether each has usable f64.
    Backends,
    /// Get data sets: `simplenn data fetch cat` downloads the course's cat files.
    Data(DataArgs),
}

/// What the command line asks to compute on: `--backend` or `SIMPLENN_BACKEND` (else the
/// default backend), with the fast path's kernels unless `SIMPLENN_CPU_KERNELS=off`. The one
/// place the environment is read for it; everything below is handed the result.
pub fn choose_compute(flag: Option<&str>) -> Result<Compute> {
    let env = |name: &str| std::env::var(name).ok();
    let backend =
        device::resolve(flag, env("SIMPLENN_BACKEND").as_deref()).map_err(Error::Usage)?;
    Ok(Compute {
        backend,
        kernels: device::kernels_allowed(env("SIMPLENN_CPU_KERNELS").as_deref()),
    })
}

/// Choose what to compute on, then run the command on it.
pub fn main_with(cli: Cli) -> Result<()> {
    let compute = choose_compute(cli.backend.as_deref())?;
    let backend = compute.backend;
    if let Command::Train(TrainArgs {
        resume: Some(dir), ..
    }) = &cli.command
    {
        commands::train::before_resume(dir);
    }
    if !matches!(cli.command, Command::Backends | Command::Data(_))
        && let Some(why) = backend.open_error()
    {
        return Err(Error::Usage(format!(
            "the {} backend could not open a device: {why}; choose another with --backend \
             (this binary has: {})",
            backend.name(),
            device::compiled_names()
        )));
    }
    match cli.command {
        Command::Train(args) => commands::train::train(args, compute),
        Command::Gradcheck(args) => commands::gradcheck::gradcheck(args, compute),
        Command::Sweep(args) => commands::sweep::sweep(args, compute),
        Command::Evaluate(args) => commands::evaluate::evaluate(args, compute),
        Command::Predict(args) => commands::predict::predict(args, compute),
        Command::Export(args) => commands::export::export(args, compute),
        Command::Bench(args) => commands::bench::bench(args, compute),
        Command::Backends => {
            commands::backends::backends(backend);
            Ok(())
        }
        Command::Data(args) => commands::data::data(args),
    }
}
