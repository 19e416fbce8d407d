//! The command line: argument definitions and what each subcommand prints.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::device::{BACKEND, Precision};
use crate::report::{self, RunDir};
use crate::run::{self, Observer};
use crate::{Error, Result};

/// The config `simplenn train` uses when none is given: the planar flower, no download needed.
pub const DEFAULT_CONFIG: &str = "configs/shallow_planar.toml";

#[derive(Parser, Debug)]
#[command(name = "simplenn", version = crate::device::VERSION,
          about = "The course's simple neural networks on Burn, with the notes' gradients as a checker")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
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
    },
    /// Compare autodiff, the notes' handwritten gradients and finite differences.
    Gradcheck {
        config: PathBuf,
        /// Train this many steps first, then check.
        #[arg(long, default_value_t = 0)]
        steps: usize,
        /// Precision of the autodiff/handwritten comparison (finite differences are always f64).
        #[arg(long, default_value = "f64")]
        precision: Precision,
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// Print the backend this binary was built with.
    Backends,
}

/// Prints the cost like the notes (`Cost after iteration 100: 0.58`), as plain lines.
struct CostLog {
    quiet: bool,
}

impl Observer for CostLog {
    fn logged(&mut self, iteration: usize, cost: f64) {
        if !self.quiet {
            println!("Cost after iteration {iteration}: {cost:.6}");
        }
    }
}

pub fn main_with(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Train { config, out, set, force, quiet } => {
            train(config.as_deref().unwrap_or(Path::new(DEFAULT_CONFIG)), out, &set, force, quiet)
        }
        Command::Gradcheck { config, steps, precision, set } => {
            let loaded = Config::load(&config, &set)?;
            let report = crate::gradcheck::check_config(&loaded, steps, precision)?;
            print!("{report}");
            if report.passed() { Ok(()) } else { Err(Error::CheckFailed(report.failures_summary())) }
        }
        Command::Backends => {
            println!("backend: {BACKEND}");
            println!("float64: {}", if crate::device::supports_f64() { "supported" } else { "not supported" });
            Ok(())
        }
    }
}

fn train(config_path: &Path, out: Option<PathBuf>, set: &[String], force: bool, quiet: bool) -> Result<()> {
    let loaded = Config::load(config_path, set)?;
    let c = &loaded.config;
    let target = match out {
        Some(dir) => dir,
        None => {
            let stem = config_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "run".into());
            report::fresh_run_dir(Path::new("runs"), &stem)
        }
    };
    // Refuse an existing folder before spending time on training.
    let run_dir = RunDir::create(&target, force)?;
    let result = (|| {
        let data = crate::data::load(&c.data, &loaded.base_dir)?;
        let layers = run::initial_layers(&loaded, data.train.n_x)?;
        for w in run::init_warnings(&layers) {
            eprintln!("{w}");
        }
        if !quiet {
            println!(
                "simplenn: {} {:?} on {} examples ({} features), {} iterations, α = {}, {} on {BACKEND}",
                c.model.kind.name(),
                crate::config::Config::layer_sizes(c, data.train.n_x).unwrap_or_default(),
                data.train.m,
                data.train.n_x,
                c.train.iterations,
                c.train.learning_rate,
                c.train.precision.name()
            );
        }
        run::run_from(&loaded, data, &layers, 0.0, &mut CostLog { quiet })
    })();
    let result = match result {
        Ok(r) => r,
        Err(e) => {
            run_dir.abandon();
            return Err(e);
        }
    };
    let m = &result.metrics;
    report::write_run(&run_dir, &c.with_absolute_paths(&loaded.base_dir), m, &result.model)?;
    let dir = run_dir.commit()?;
    println!("train accuracy: {:.2} %", m.train_accuracy);
    match m.test_accuracy {
        Some(t) => println!("test accuracy:  {t:.2} %"),
        None => println!("test accuracy:  (no test set)"),
    }
    println!("final cost: {:.6}   ({:.2} s)", m.final_cost, m.seconds);
    println!("run folder: {}", dir.display());
    if let Some(failure) = &m.failure {
        let (iteration, cost) = m.costs.last().copied().unwrap_or((0, f64::NAN));
        eprintln!("{failure}");
        return Err(Error::Diverged { iteration, cost, learning_rate: c.train.learning_rate });
    }
    Ok(())
}
