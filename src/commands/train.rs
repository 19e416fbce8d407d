//! `simplenn train [CONFIG]` and `simplenn train --resume RUN_DIR`: the pipeline, then the run
//! folder (config, metrics, model, plots).

use std::path::{Path, PathBuf};

use crate::commands::progress::TrainingDisplay;
use crate::config::LoadedConfig;
use crate::device::{Compute, Precision};
use crate::pipeline::{self, Checkpoint, Start};
use crate::run_dir::{self, RunDir};
use crate::run_result::RunResult;
use crate::train::WatchState;
use crate::{Error, Result};

/// The config `simplenn train` uses when none is given: the planar flower, no download needed.
pub const DEFAULT_CONFIG: &str = "configs/shallow_planar.toml";

#[derive(clap::Args, Debug)]
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

/// `--stop-at E` or `--stop-at E:B`.
fn parse_stop_at(text: &str) -> std::result::Result<(usize, usize), String> {
    let (epoch, batch) = text.split_once(':').unwrap_or((text, "0"));
    let number = |t: &str| {
        t.parse::<usize>()
            .map_err(|_| format!("`{text}`: expected ITERATION or EPOCH:BATCH, e.g. 7 or 7:3"))
    };
    Ok((number(epoch)?, number(batch)?))
}

pub fn train(args: TrainArgs, compute: Compute) -> Result<()> {
    if let Some(dir) = &args.resume {
        if args.config.is_some() || args.out.is_some() || !args.set.is_empty() {
            return Err(Error::Usage(
                "--resume continues a run folder with its own config: drop CONFIG, --out and --set"
                    .into(),
            ));
        }
        return resume(dir, args.quiet, args.stop_at, compute);
    }
    let config_path = args
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG));
    let loaded = super::load_config(&config_path, &args.set, compute.backend)?;
    let target = match &args.out {
        Some(dir) => dir.clone(),
        None => {
            let stem = config_path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "run".into());
            run_dir::fresh_run_dir(Path::new("runs"), &stem)
        }
    };
    // Refuse an existing folder before spending time on training.
    let run_dir = RunDir::create(&target, args.force)?;
    let mut display = TrainingDisplay::new(args.quiet, args.stop_at);
    let result = pipeline::run(&loaded, Start::Fresh, &mut display, compute);
    finish(run_dir, &loaded, result, args.quiet, compute)
}

/// What `train --resume DIR` needs before any tensor exists (opening a backend makes one): an
/// optimizer's state loads in the float type of Burn's default device, so that must be the run's.
pub fn before_resume(dir: &Path) {
    let text = std::fs::read_to_string(dir.join(run_dir::CONFIG_FILE)).unwrap_or_default();
    let precision = toml::from_str::<toml::Table>(&text).ok().and_then(|t| {
        t.get("train")?
            .get("precision")?
            .as_str()?
            .parse::<Precision>()
            .ok()
    });
    crate::optim::state_loads_as(precision.unwrap_or_default().dtype());
}

/// `train --resume DIR`: continue a checkpoint to the config's last iteration, in place.
fn resume(
    dir: &Path,
    quiet: bool,
    stop_at: Option<(usize, usize)>,
    compute: Compute,
) -> Result<()> {
    let saved = run_dir::load(dir, compute)?;
    let Some(state) = saved.checkpoint else {
        return Err(Error::Usage(format!(
            "{} is a finished run ({} {}s); there is nothing to resume",
            dir.display(),
            saved.metrics.epochs,
            saved.config.config.train.unit()
        )));
    };
    // The promise is that a resumed run equals the uninterrupted one bit for bit, which holds on
    // the backend the run started on.
    let here = compute.backend.name();
    if saved.metrics.backend != here {
        return Err(Error::Usage(format!(
            "{} was trained on the {} backend; resume it there: simplenn train --resume {} --backend {}",
            dir.display(),
            saved.metrics.backend,
            dir.display(),
            saved.metrics.backend
        )));
    }
    let checkpoint = Checkpoint {
        layers: saved.model.layer_values()?,
        at: state.position(),
        costs: saved.metrics.costs.clone(),
        seconds: saved.metrics.seconds,
        data_seconds: saved.metrics.data_seconds,
        input: Some(saved.input.clone()),
        optimizer: saved.optimizer.clone(),
        watch: WatchState {
            history: saved
                .metrics
                .validation_costs
                .iter()
                .zip(&saved.metrics.validation_accuracies)
                .map(|(&(i, cost), &(_, accuracy))| (i, cost, accuracy))
                .collect(),
            best: state.best.zip(saved.best_model.clone()),
            since_best: state.since_best,
        },
        rates: saved.metrics.learning_rates.clone(),
    };
    let run_dir = RunDir::create(dir, true)?;
    let mut display = TrainingDisplay::new(quiet, stop_at);
    let result = pipeline::run(
        &saved.config,
        Start::Checkpoint(Box::new(checkpoint)),
        &mut display,
        compute,
    );
    finish(run_dir, &saved.config, result, quiet, compute)
}

/// Write the run folder (or throw the staging folder away on error) and report.
fn finish(
    run_dir: RunDir,
    loaded: &LoadedConfig,
    result: Result<RunResult>,
    quiet: bool,
    compute: Compute,
) -> Result<()> {
    let result = match result {
        Ok(r) => r,
        Err(e) => {
            run_dir.abandon();
            return Err(e);
        }
    };
    if let Err(e) = run_dir::save(&run_dir, loaded, &result, compute) {
        run_dir.abandon();
        return Err(e);
    }
    let dir = run_dir.commit()?;
    let m = &result.metrics;
    if result.checkpoint.is_none() {
        println!("train accuracy: {:.2} %", m.train_accuracy);
        match m.test_accuracy {
            Some(t) => println!("test accuracy:  {t:.2} %"),
            None => println!("test accuracy:  (no test set)"),
        }
        if let Some(best) = &m.best {
            println!(
                "kept: the parameters of {} {} (validation cost {:.6}, accuracy {:.2} %){}",
                loaded.config.train.unit(),
                best.iteration,
                best.validation_cost,
                best.validation_accuracy,
                if m.stopped_early == Some(true) {
                    format!(
                        ", stopped early after {} {}s",
                        m.epochs,
                        loaded.config.train.unit()
                    )
                } else {
                    String::new()
                }
            );
        }
        if !quiet {
            println!(
                "final cost: {:.6}{}   (training {:.2} s, data {:.2} s)",
                m.final_cost,
                if loaded.config.train.l2.is_some_and(|l| l > 0.0) {
                    " (the cross-entropy alone, without the L2 term)"
                } else {
                    ""
                },
                m.seconds,
                m.data_seconds
            );
        }
        println!("run folder: {}", dir.display());
    }
    match result.stop {
        Some(stop) => Err(Error::Stopped { stop, dir }),
        None => Ok(()),
    }
}
