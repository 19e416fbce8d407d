//! `simplenn train`: a config in, a run folder out (config, metrics, model, plots).

use std::path::{Path, PathBuf};

use crate::commands::progress::TrainingDisplay;
use crate::config::{Config, LoadedConfig};
use crate::nn::DataMatrix;
use crate::plot;
use crate::report::{self, RunDir};
use crate::run::{self, RunResult, Start};
use crate::{Error, Result, saved};

/// The config `simplenn train` uses when none is given: the planar flower, no download needed.
pub const DEFAULT_CONFIG: &str = "configs/shallow_planar.toml";

pub struct TrainArgs {
    pub config: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub set: Vec<String>,
    pub force: bool,
    pub quiet: bool,
    pub resume: Option<PathBuf>,
    pub stop_at: Option<usize>,
}

pub fn train(args: TrainArgs) -> Result<()> {
    if let Some(dir) = &args.resume {
        if args.config.is_some() || args.out.is_some() || !args.set.is_empty() {
            return Err(Error::Usage(
                "--resume continues a run folder with its own config: drop CONFIG, --out and --set"
                    .into(),
            ));
        }
        return resume(dir, args.quiet, args.stop_at);
    }
    let config_path = args
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG));
    let loaded = Config::load(&config_path, &args.set)?;
    let target = match &args.out {
        Some(dir) => dir.clone(),
        None => {
            let stem = config_path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "run".into());
            report::fresh_run_dir(Path::new("runs"), &stem)
        }
    };
    // Refuse an existing folder before spending time on training.
    let run_dir = RunDir::create(&target, args.force)?;
    let mut display = TrainingDisplay::new(args.quiet, args.stop_at);
    let result = (|| {
        let data = crate::data::load(&loaded.config.data, &loaded.base_dir)?;
        let layers = run::initial_layers(&loaded, data.train.n_x)?;
        for w in run::init_warnings(&layers) {
            eprintln!("{w}");
        }
        if !args.quiet {
            print_header(&loaded, &data);
        }
        run::run_from(&loaded, data, &layers, 0.0, &mut display)
    })();
    finish(run_dir, &loaded, result, args.quiet)
}

fn print_header(loaded: &LoadedConfig, data: &crate::data::DataSplit) {
    let c = &loaded.config;
    println!(
        "simplenn: {} {:?} on {} examples ({} features), {} iterations, α = {}, {} on {}",
        c.model.kind.name(),
        c.layer_sizes(data.train.n_x).unwrap_or_default(),
        data.train.m,
        data.train.n_x,
        c.train.iterations,
        c.train.learning_rate,
        c.train.precision.name(),
        crate::device::selected().name()
    );
}

/// `train --resume DIR`: continue a checkpoint to the config's last iteration, in place.
fn resume(dir: &Path, quiet: bool, stop_at: Option<usize>) -> Result<()> {
    let saved = saved::load(dir)?;
    let Some(from) = saved.metrics.resume_from else {
        return Err(Error::Usage(format!(
            "{} is a finished run ({} iterations); there is nothing to resume",
            dir.display(),
            saved.metrics.iterations
        )));
    };
    // The promise is that a resumed run equals the uninterrupted one bit for bit, which holds on
    // the backend the run started on.
    let here = crate::device::selected().name();
    if saved.metrics.backend != here {
        return Err(Error::Usage(format!(
            "{} was trained on the {} backend; resume it there: simplenn train --resume {} --backend {}",
            dir.display(),
            saved.metrics.backend,
            dir.display(),
            saved.metrics.backend
        )));
    }
    let loaded = saved.config.clone();
    let data = crate::data::load(&loaded.config.data, &loaded.base_dir)?;
    let layers = saved.model.layer_values()?;
    if !quiet {
        println!(
            "resuming {} at iteration {from} of {}",
            dir.display(),
            loaded.config.train.iterations
        );
    }
    let run_dir = RunDir::create(dir, true)?;
    let mut display = TrainingDisplay::new(quiet, stop_at);
    let start = Start {
        layers: &layers,
        iteration: from,
        costs: saved.metrics.costs.clone(),
        seconds: saved.metrics.seconds,
    };
    let result = run::resume(
        &loaded,
        data,
        start,
        saved.metrics.data_seconds,
        &mut display,
    );
    finish(run_dir, &loaded, result, quiet)
}

/// Write the run folder (or throw the staging folder away on error) and report.
fn finish(
    run_dir: RunDir,
    loaded: &LoadedConfig,
    result: Result<RunResult>,
    quiet: bool,
) -> Result<()> {
    let result = match result {
        Ok(r) => r,
        Err(e) => {
            run_dir.abandon();
            return Err(e);
        }
    };
    if let Err(e) = write_outputs(&run_dir, loaded, &result) {
        run_dir.abandon();
        return Err(e);
    }
    let dir = run_dir.commit()?;
    let m = &result.metrics;
    if let Some(next) = m.resume_from {
        return Err(Error::Interrupted {
            iteration: next,
            dir,
        });
    }
    println!("train accuracy: {:.2} %", m.train_accuracy);
    match m.test_accuracy {
        Some(t) => println!("test accuracy:  {t:.2} %"),
        None => println!("test accuracy:  (no test set)"),
    }
    if !quiet {
        println!(
            "final cost: {:.6}   (training {:.2} s, data {:.2} s)",
            m.final_cost, m.seconds, m.data_seconds
        );
    }
    println!("run folder: {}", dir.display());
    if let Some((iteration, cost)) = result.diverged {
        return Err(Error::Diverged {
            iteration,
            cost,
            learning_rate: loaded.config.train.learning_rate,
            dir: Some(dir),
        });
    }
    Ok(())
}

/// config.toml, metrics.json, model.bpk, cost.{png,svg} and, for 2-D data, boundary.{png,svg}.
pub fn write_outputs(run_dir: &RunDir, loaded: &LoadedConfig, result: &RunResult) -> Result<()> {
    let c = &loaded.config;
    report::write_run(
        run_dir,
        &c.with_absolute_paths(&loaded.base_dir),
        &result.metrics,
        &result.model,
    )?;
    let dir = run_dir.staged_path("");
    let title = format!(
        "{} {:?}, α = {}",
        c.model.kind.name(),
        result.metrics.layers,
        c.train.learning_rate
    );
    plot::cost_curves(
        &dir,
        "cost",
        &title,
        &[plot::Curve {
            label: String::new(),
            costs: &result.metrics.costs,
        }],
    )?;
    let train = &result.data.train;
    if train.n_x == 2 {
        let dtype = c.train.precision.dtype();
        let model = &result.model;
        let predict = |points: &[(f64, f64)]| -> Result<Vec<f64>> {
            let mut x: Vec<f64> = points.iter().map(|p| p.0).collect();
            x.extend(points.iter().map(|p| p.1));
            let x = DataMatrix::new(x, 2, points.len(), dtype, &crate::device::device());
            crate::train::probabilities(model, &x)
        };
        let title = format!(
            "decision boundary: {} {:?} ({:.1} % train accuracy)",
            c.model.kind.name(),
            result.metrics.layers,
            result.metrics.train_accuracy
        );
        plot::decision_boundary(&dir, "boundary", &title, &train.x, &train.y, &predict)?;
    }
    Ok(())
}
