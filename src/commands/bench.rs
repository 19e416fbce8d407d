//! `simplenn bench CONFIG… [--iterations N] [--precision f32|f64] [--set KEY=VALUE]…`: time
//! training iterations (forward + autodiff backward + update, synchronised by reading the cost)
//! on the chosen backend, as [`train::train`] takes them (its own loop, observed), with data
//! loading and the first (warm-up) iteration reported separately; with `--whole`, each config's
//! whole training run instead.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::config::LoadedConfig;
use crate::device::{Compute, Precision};
use crate::optim::Updater;
use crate::pipeline::{self, Start};
use crate::stop::{Position, Stop};
use crate::train::{self, Observer, Schedule, Silent};
use crate::{Error, Result};

/// Timings of one config.
pub struct BenchResult {
    pub name: String,
    pub data_ms: f64,
    pub first_ms: f64,
    /// Per-iteration times after the first, sorted.
    pub iteration_ms: Vec<f64>,
    /// Examples in one step: the training set, or a mini-batch.
    pub examples_per_step: usize,
}

impl BenchResult {
    fn quantile(&self, q: f64) -> f64 {
        let v = &self.iteration_ms;
        v[((v.len() - 1) as f64 * q).round() as usize]
    }
}

/// Peak resident memory of this process (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Time `iterations` gradient steps (after one warm-up step) of `loaded`'s training, in
/// `precision` on `compute`: the steps of [`train::train`] itself, full-batch iterations or
/// mini-batch steps with the cutting (or reading) of their batches, in the order training takes
/// them.
pub fn bench_config(
    path: &Path,
    mut loaded: LoadedConfig,
    iterations: usize,
    precision: Precision,
    compute: Compute,
) -> Result<BenchResult> {
    loaded.config.train.precision = precision;
    let c = &loaded.config;
    let prepared = pipeline::prepare(&loaded, compute)?;
    let layers = pipeline::initial_parameters(&loaded, &prepared.spec)?;
    let model = prepared.model(&layers);
    let mut updater = Updater::from_config(&c.train);
    let m = prepared.data.train.m();
    let wanted = iterations + 1;
    let mut full = None;
    // Full-size batches are timed (an epoch's shorter last batch is trained, not timed), so
    // examples/s is the batch size at the median step time; enough epochs to time `wanted`
    // steps, of which training stops as soon as they are timed.
    let batches = prepared.batches(c);
    let feed = prepared.feed(c, batches, &mut full)?;
    let (mut clock, epochs, examples_per_step) = match batches {
        None => (StepClock::new(wanted, None), wanted, m),
        Some((size, _)) => {
            let step = size.min(m);
            let per_epoch = (m / step.max(1)).max(1);
            let clock = StepClock::new(wanted, Some((step, m)));
            (clock, wanted.div_ceil(per_epoch), step)
        }
    };
    let schedule = Schedule {
        learning_rate: c.train.learning_rate,
        epochs,
        log_every: c.train.log_every,
        start: Position::default(),
    };
    let mut fitting = pipeline::fitting(&loaded, &prepared, None)?;
    let outcome = train::train(
        model,
        &feed,
        &mut updater,
        schedule,
        &mut fitting,
        &mut clock,
        compute,
    )?;
    match outcome.stop {
        None | Some(Stop::Interrupted { .. }) => {}
        // What reading the batch said, as the data error it was.
        Some(Stop::DataFailed { error, .. }) => return Err(Error::Usage(error)),
        Some(Stop::Diverged {
            iteration,
            cost,
            learning_rate,
            ..
        }) => {
            return Err(Error::Usage(format!(
                "{}: training diverged (the cost became {cost} in {} {iteration}) before {wanted} \
                 steps were timed; try a smaller learning rate than {learning_rate:?}",
                config_name(path),
                c.train.unit()
            )));
        }
    }
    let mut times = clock.times;
    if times.len() < wanted {
        return Err(Error::Internal("an epoch without batches".into()));
    }
    let first_ms = times.remove(0);
    times.sort_by(f64::total_cmp);
    Ok(BenchResult {
        name: config_name(path),
        data_ms: prepared.data_seconds * 1e3,
        first_ms,
        iteration_ms: times,
        examples_per_step,
    })
}

/// Times the gradient steps of [`train::train`]: each from the end of the step before (the
/// first from training's poll before it) to its end, the step's cost read (with the full batch
/// [`Observer::step`], with mini-batches [`Observer::batch`]); asks training to stop once
/// `wanted` steps are timed.
struct StepClock {
    wanted: usize,
    /// Mini-batches: (examples of a full-size batch, examples of an epoch); None: the full batch.
    batches: Option<(usize, usize)>,
    since: Option<Instant>,
    /// Milliseconds of the steps timed, in order.
    times: Vec<f64>,
}

impl StepClock {
    fn new(wanted: usize, batches: Option<(usize, usize)>) -> StepClock {
        StepClock {
            wanted,
            batches,
            since: None,
            times: Vec::with_capacity(wanted),
        }
    }

    /// A step ended: its time is kept when `timed`; the next step's time starts now.
    fn ended(&mut self, timed: bool) {
        let now = Instant::now();
        if let Some(since) = self.since.filter(|_| timed) {
            self.times.push((now - since).as_secs_f64() * 1e3);
        }
        self.since = Some(now);
    }
}

impl Observer for StepClock {
    fn step(&mut self, _iteration: usize, _cost: f64) {
        if self.batches.is_none() {
            self.ended(true);
        }
    }

    fn batch(&mut self, at: &Position) {
        // Batch `at.batch` of an epoch is full-size when it ends within the epoch's examples.
        let full_size = self.batches.is_some_and(|(size, m)| at.batch * size <= m);
        self.ended(full_size);
    }

    fn should_stop(&mut self, _at: &Position) -> bool {
        if self.since.is_none() {
            self.since = Some(Instant::now());
        }
        self.times.len() >= self.wanted
    }
}

/// Every config with the overrides applied, before anything is printed or timed: a bad one is
/// reported on its own.
fn load_all(
    configs: &[PathBuf],
    set: &[String],
    compute: Compute,
) -> Result<Vec<(PathBuf, LoadedConfig)>> {
    configs
        .iter()
        .map(|p| Ok((p.clone(), super::load_config(p, set, compute.backend)?)))
        .collect()
}

/// The file name of a config without its extension.
fn config_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[derive(clap::Args, Debug)]
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

pub fn bench(args: BenchArgs, compute: Compute) -> Result<()> {
    let precision = super::precision_flag(args.precision, compute.backend)?;
    if args.whole {
        return bench_whole(&args.configs, &args.set, precision, compute);
    }
    let iterations = args.iterations;
    let loaded = load_all(&args.configs, &args.set, compute)?;
    println!(
        "backend {}, {}, {iterations} timed iterations each (gradient steps: forward + autodiff \
         backward + update; a mini-batch step includes cutting or reading its batch)",
        compute.backend.name(),
        precision.name()
    );
    println!(
        "| config | median ms/step | p10 | p90 | examples/s (median) | first step (ms) | data load (ms) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let streamed = loaded.iter().any(|(_, l)| l.config.data.stream);
    for (path, l) in loaded {
        let r = bench_config(&path, l, iterations.max(1), precision, compute)?;
        let median = r.quantile(0.5);
        println!(
            "| {} | {:.3} | {:.3} | {:.3} | {:.0} | {:.1} | {:.1} |",
            r.name,
            median,
            r.quantile(0.1),
            r.quantile(0.9),
            r.examples_per_step as f64 / (median / 1e3),
            r.first_ms,
            r.data_ms
        );
    }
    if streamed {
        // The reader fills its first shuffle buffer while an epoch's first step waits: one slow
        // step an epoch, which the median passes over once an epoch has a few batches.
        println!(
            "streamed: an epoch's first step waits for the reader to fill its buffer, which the \
             median passes over; `bench --whole` times whole epochs, reading included"
        );
    }
    if let Some(mib) = peak_rss_mib() {
        println!("peak resident memory (the whole process, every config): {mib:.0} MiB");
    }
    Ok(())
}

/// `--whole`: each config trained from start to end as `simplenn train` does it (data loading
/// apart, nothing written): what a user waits for, first iteration and periodic cost reads
/// included.
fn bench_whole(
    configs: &[PathBuf],
    set: &[String],
    precision: Precision,
    compute: Compute,
) -> Result<()> {
    let loaded = load_all(configs, set, compute)?;
    println!(
        "backend {}, {}, whole training runs (every iteration of each config)",
        compute.backend.name(),
        precision.name()
    );
    println!(
        "| config | epochs | training (s) | mean ms/epoch | examples/s | data load (ms) | final cost |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (path, mut l) in loaded {
        l.config.train.precision = precision;
        let r = pipeline::run(&l, Start::Fresh, &mut Silent, compute)?;
        let m = &r.metrics;
        let examples = (r.data.train.m() * m.epochs) as f64;
        println!(
            "| {} | {} | {:.3} | {:.3} | {:.0} | {:.1} | {:.6} |",
            config_name(&path),
            m.epochs,
            m.seconds,
            m.seconds * 1e3 / m.epochs.max(1) as f64,
            examples / m.seconds.max(1e-12),
            m.data_seconds * 1e3,
            m.final_cost
        );
    }
    if let Some(mib) = peak_rss_mib() {
        println!("peak resident memory: {mib:.0} MiB");
    }
    Ok(())
}
