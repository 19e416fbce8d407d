//! The command line: argument definitions and dispatch to `commands`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands;
use crate::device::{self, Backend, Precision};
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

#[derive(Args, Debug)]
pub struct DataArgs {
    #[command(subcommand)]
    pub command: DataCommand,
}

#[derive(Subcommand, Debug)]
pub enum DataCommand {
    /// Download a data set's files, check their SHA-256 and put them into datasets/.
    Fetch(FetchArgs),
}

#[derive(Args, Debug)]
pub struct FetchArgs {
    /// Which data set: `cat` (the course's train_catvnoncat.h5 and test_catvnoncat.h5).
    pub dataset: FetchedSet,
    /// Fetch from this base URL or folder instead of the public mirrors (repeatable: tried in
    /// order).
    #[arg(long = "from", value_name = "URL_OR_DIR")]
    pub from: Vec<String>,
    /// Where the files go.
    #[arg(long, default_value = "datasets")]
    pub to: PathBuf,
    /// Give up on a source after this many seconds.
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub timeout: u64,
}

/// The data sets `data fetch` knows.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum FetchedSet {
    Cat,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Config file (default: configs/shallow_planar.toml).
    pub config: Option<PathBuf>,
    /// Run folder (default: runs/<config name>, or -2, -3, … if taken).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a config value, e.g. --set train.learning_rate=0.05 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Replace an existing --out folder.
    #[arg(long)]
    pub force: bool,
    /// Print only the final summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Continue an interrupted run folder (its checkpoint) to the end.
    #[arg(long, value_name = "RUN_DIR")]
    pub resume: Option<PathBuf>,
    /// Stop before this iteration (or before batch B of epoch E: E:B) and save a checkpoint,
    /// as Ctrl-C does.
    #[arg(long, value_name = "ITERATION[:BATCH]", hide = true, value_parser = parse_stop_at)]
    pub stop_at: Option<(usize, usize)>,
}

#[derive(Args, Debug)]
pub struct GradcheckArgs {
    pub config: PathBuf,
    /// Train this many steps first, then check.
    #[arg(long, default_value_t = 0)]
    pub steps: usize,
    /// Precision of the autodiff/handwritten comparison (finite differences are always f64).
    /// Default: f64, or f32 on a backend without f64 (wgpu).
    #[arg(long)]
    pub precision: Option<Precision>,
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

#[derive(Args, Debug)]
pub struct SweepArgs {
    pub config: PathBuf,
    #[arg(long = "set", value_name = "KEY=VALUES", required = true)]
    pub set: Vec<String>,
    /// Sweep folder (default: runs/<config>-sweep-<key>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub force: bool,
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct EvaluateArgs {
    pub run_dir: PathBuf,
    /// Evaluate on another config's data, an HDF5 file or (a model trained on a table) a CSV
    /// table instead of the run's own.
    #[arg(long, value_name = "CONFIG_H5_OR_CSV")]
    pub data: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct PredictArgs {
    pub run_dir: PathBuf,
    /// Pictures (a model trained on images) or CSV tables (a model trained on a CSV table).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Args, Debug)]
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

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[arg(required = true)]
    pub configs: Vec<PathBuf>,
    /// Timed iterations per config (after one warm-up iteration).
    #[arg(long, default_value_t = 50)]
    pub iterations: usize,
    #[arg(long, default_value = "f32")]
    pub precision: Precision,
    /// Time each config's whole training run instead (all its iterations, as `train` runs
    /// it; nothing is written).
    #[arg(long, conflicts_with = "iterations")]
    pub whole: bool,
    /// Override a config value, as for train (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// Select the backend, then run the command.
pub fn main_with(cli: Cli) -> Result<()> {
    let backend = device::resolve(cli.backend.as_deref()).map_err(Error::Usage)?;
    device::select(backend);
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
        Command::Train(args) => commands::train::train(args),
        Command::Gradcheck(args) => commands::gradcheck::gradcheck(args),
        Command::Sweep(args) => commands::sweep::sweep(args),
        Command::Evaluate(args) => {
            commands::evaluate::evaluate(&args.run_dir, args.data.as_deref())
        }
        Command::Predict(args) => commands::predict::predict(&args.run_dir, &args.files),
        Command::Export(args) => {
            commands::export::export(&args.run_dir, &args.h5, &args.group, args.force)
        }
        Command::Bench(args) => commands::bench::bench(args),
        Command::Backends => {
            commands::backends::backends(backend);
            Ok(())
        }
        Command::Data(args) => match args.command {
            DataCommand::Fetch(args) => commands::data::fetch(args),
        },
    }
}

/// `--stop-at E` or `--stop-at E:B`.
fn parse_stop_at(text: &str) -> std::result::Result<(usize, usize), String> {
    let (epoch, batch) = text.split_once(':').unwrap_or((text, "0"));
    let number = |t: &str| {
        t.parse::<usize>()
            .map_err(|_| format!("`{text}`: expected ITERATION or EPOCH:BATCH, e.g. 7 or 7:3"))
    };
    Ok((number(epoch)?, number(batch)?))
}
