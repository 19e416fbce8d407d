//! The command line: argument definitions and dispatch to `commands`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::commands;
use crate::config::Config;
use crate::device::{self, Backend, Precision};
use crate::{Error, Result};

pub use crate::commands::train::DEFAULT_CONFIG;

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
    Train {
        /// Config file (default: configs/shallow_planar.toml).
        config: Option<PathBuf>,
        /// Run folder (default: runs/<config name>, or -2, -3, … if taken).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override a config value, e.g. --set train.learning_rate=0.05 (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Replace an existing --out folder.
        #[arg(long)]
        force: bool,
        /// Print only the final summary.
        #[arg(long, short)]
        quiet: bool,
        /// Continue an interrupted run folder (its checkpoint) to the end.
        #[arg(long, value_name = "RUN_DIR")]
        resume: Option<PathBuf>,
        /// Stop before this iteration and save a checkpoint, as Ctrl-C does.
        #[arg(long, value_name = "ITERATION", hide = true)]
        stop_at: Option<usize>,
    },
    /// Compare autodiff, the notes' handwritten gradients and finite differences.
    Gradcheck {
        config: PathBuf,
        /// Train this many steps first, then check.
        #[arg(long, default_value_t = 0)]
        steps: usize,
        /// Precision of the autodiff/handwritten comparison (finite differences are always f64).
        /// Default: f64, or f32 on a backend without f64 (wgpu).
        #[arg(long)]
        precision: Option<Precision>,
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// Train one variant per value: --set key=v1,v2,… (plus fixed --set key=value).
    Sweep {
        config: PathBuf,
        #[arg(long = "set", value_name = "KEY=VALUES", required = true)]
        set: Vec<String>,
        /// Sweep folder (default: runs/<config>-sweep-<key>).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        force: bool,
        #[arg(long, short)]
        quiet: bool,
    },
    /// Reload a trained model: accuracy, confusion matrix, mislabelled pictures.
    Evaluate {
        run_dir: PathBuf,
        /// Evaluate on another config's data or an HDF5 file instead of the run's own.
        #[arg(long, value_name = "CONFIG_OR_H5")]
        data: Option<PathBuf>,
    },
    /// Classify your own PNG/JPEG pictures with a model trained on images.
    Predict {
        run_dir: PathBuf,
        #[arg(required = true)]
        images: Vec<PathBuf>,
    },
    /// Write the trained parameters as W1, b1, … (f64) into an HDF5 file.
    Export {
        run_dir: PathBuf,
        #[arg(long = "h5", value_name = "FILE")]
        h5: PathBuf,
        /// Group inside the file (default: the root).
        #[arg(long, default_value = "")]
        group: String,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Time training iterations of configs on this backend (median, spread, peak memory).
    Bench {
        #[arg(required = true)]
        configs: Vec<PathBuf>,
        /// Timed iterations per config (after one warm-up iteration).
        #[arg(long, default_value_t = 50)]
        iterations: usize,
        #[arg(long, default_value = "f32")]
        precision: Precision,
        /// Time each config's whole training run instead (all its iterations, as `train` runs
        /// it; nothing is written).
        #[arg(long, conflicts_with = "iterations")]
        whole: bool,
        /// Override a config value, as for train (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// List the backends compiled into this binary, the default, and whether each has usable f64.
    Backends,
}

pub fn main_with(cli: Cli) -> Result<()> {
    let backend = device::resolve(cli.backend.as_deref()).map_err(Error::Usage)?;
    device::select(backend);
    if !matches!(cli.command, Command::Backends)
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
        Command::Train {
            config,
            out,
            set,
            force,
            quiet,
            resume,
            stop_at,
        } => commands::train::train(commands::train::TrainArgs {
            config,
            out,
            set,
            force,
            quiet,
            resume,
            stop_at,
        }),
        Command::Gradcheck {
            config,
            steps,
            precision,
            set,
        } => {
            let precision = match precision {
                Some(p) => precision_flag(p)?,
                None if crate::device::supports_f64() => Precision::F64,
                None => Precision::F32,
            };
            let loaded = Config::load(&config, &set)?;
            let report = crate::gradcheck::check_config(&loaded, steps, precision)?;
            print!("{report}");
            if report.passed() {
                Ok(())
            } else {
                Err(Error::CheckFailed(report.failures_summary()))
            }
        }
        Command::Sweep {
            config,
            set,
            out,
            force,
            quiet,
        } => commands::sweep::sweep(&config, &set, out, force, quiet),
        Command::Evaluate { run_dir, data } => {
            commands::evaluate::evaluate(&run_dir, data.as_deref())
        }
        Command::Predict { run_dir, images } => commands::predict::predict(&run_dir, &images),
        Command::Export {
            run_dir,
            h5,
            group,
            force,
        } => commands::export::export(&run_dir, &h5, &group, force),
        Command::Bench {
            configs,
            iterations,
            precision,
            whole,
            set,
        } => {
            let precision = precision_flag(precision)?;
            if whole {
                commands::bench::bench_whole(&configs, &set, precision)
            } else {
                commands::bench::bench(&configs, &set, iterations, precision)
            }
        }
        Command::Backends => {
            backends(backend);
            Ok(())
        }
    }
}

/// `simplenn backends`: one line per compiled backend, the default and this run's choice marked.
fn backends(chosen: Backend) {
    println!(
        "backends compiled into this binary (choose with --backend NAME or SIMPLENN_BACKEND=NAME):"
    );
    let default = Backend::default_compiled();
    for b in Backend::compiled() {
        let mut marks = Vec::new();
        if b == default {
            marks.push("default");
        }
        if b == chosen && b != default {
            marks.push("chosen");
        }
        let marks = if marks.is_empty() {
            String::new()
        } else {
            format!(" ({})", marks.join(", "))
        };
        println!(
            "  {:<8}{marks:<12} {}",
            b.name(),
            b.f64_support().describe()
        );
    }
    let missing: Vec<&str> = device::KNOWN
        .iter()
        .copied()
        .filter(|k| Backend::from_name(k).is_err())
        .collect();
    if !missing.is_empty() {
        println!(
            "not compiled in: {} (add with cargo's --features, e.g. --features {})",
            missing.join(", "),
            missing[0]
        );
    }
}

/// A `--precision` the compiled backend can compute in, or a usage error saying what to do.
fn precision_flag(p: Precision) -> Result<Precision> {
    crate::device::check_precision(p)
        .map_err(|why| Error::Usage(format!("--precision {}: {why}", p.name())))?;
    Ok(p)
}
