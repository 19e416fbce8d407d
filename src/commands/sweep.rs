//! `simplenn sweep CONFIG --set key=v1,v2,…`: train one variant per value, then a table
//! (Markdown + CSV), accuracy against the value, and every cost curve on one plot.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::commands::progress::TrainingDisplay;
use crate::device::Compute;
use crate::pipeline::{self, Start};
use crate::plot::{self, Curve};
use crate::run_dir::{self, RunDir};
use crate::run_result::RunResult;
use crate::{Error, Result};

/// Split `a,b,[c,d],"e,f"` at the commas outside brackets and quotes.
pub fn split_values(raw: &str) -> Vec<String> {
    let (mut out, mut current, mut depth, mut quoted) = (Vec::new(), String::new(), 0i32, false);
    for ch in raw.chars() {
        match ch {
            '"' | '\'' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    out.push(current.trim().to_string());
    out
}

/// One trained variant of the sweep.
struct Variant {
    value: String,
    result: RunResult,
    /// The config's [`crate::config::TrainConfig::unit`].
    unit: &'static str,
}

#[derive(clap::Args, Debug)]
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

pub fn sweep(args: SweepArgs, compute: Compute) -> Result<()> {
    let SweepArgs {
        config,
        set,
        out,
        force,
        quiet,
    } = args;
    let config_path: &Path = &config;
    let mut swept: Option<(String, Vec<String>)> = None;
    let mut fixed = Vec::new();
    for assignment in &set {
        let Some((key, raw)) = assignment.split_once('=') else {
            return Err(Error::Usage(format!(
                "--set {assignment}: expected key=value or key=v1,v2,…"
            )));
        };
        let values = split_values(raw);
        if values.len() > 1 {
            if let Some((other, _)) = &swept {
                return Err(Error::Usage(format!(
                    "sweep one key at a time: both `{other}` and `{}` have several values",
                    key.trim()
                )));
            }
            swept = Some((key.trim().to_string(), values));
        } else {
            fixed.push(assignment.clone());
        }
    }
    let Some((key, values)) = swept else {
        return Err(Error::Usage("give the values to sweep as --set key=v1,v2,…, e.g. --set model.hidden=1,2,3,4,5,20,50".into()));
    };
    if let Some(v) = values.iter().find(|v| v.is_empty()) {
        return Err(Error::Usage(format!(
            "--set {key}=…: empty value in the list ({v:?})"
        )));
    }
    // Check every variant's config before training any of them.
    let mut configs = Vec::new();
    for v in &values {
        let mut overrides = fixed.clone();
        overrides.push(format!("{key}={v}"));
        configs.push(super::load_config(
            config_path,
            &overrides,
            compute.backend,
        )?);
    }
    let stem = config_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sweep".into());
    let target = out.unwrap_or_else(|| {
        run_dir::fresh_run_dir(Path::new("runs"), &format!("{stem}-sweep-{key}"))
    });
    let sweep_dir = RunDir::create(&target, force)?;
    let trained = (|| {
        let mut variants = Vec::new();
        for (v, loaded) in values.iter().zip(&configs) {
            if !quiet {
                println!("== {key} = {v}");
            }
            let mut display = TrainingDisplay::new(true, None);
            let result = pipeline::run(loaded, Start::Fresh, &mut display, compute)?;
            if display.was_interrupted() {
                return Err(Error::Cancelled(format!(
                    "sweep interrupted during {key} = {v}; no sweep folder was written (runs of a sweep are not resumable: run it again)"
                )));
            }
            let m = &result.metrics;
            if !quiet {
                println!(
                    "   train {:.2} %{}  final cost {:.6}  ({:.1} s)",
                    m.train_accuracy,
                    m.test_accuracy
                        .map(|t| format!("  test {t:.2} %"))
                        .unwrap_or_default(),
                    m.final_cost,
                    m.seconds
                );
            }
            let variant_dir = RunDir::create(&sweep_dir.staged_path(&format!("{key}={v}")), false)?;
            run_dir::save(&variant_dir, loaded, &result, compute)?;
            variant_dir.commit()?;
            variants.push(Variant {
                value: v.clone(),
                result,
                unit: loaded.config.train.unit(),
            });
        }
        write_summary(&sweep_dir, &key, &variants)?;
        Ok::<_, Error>(variants)
    })();
    let variants = match trained {
        Ok(v) => v,
        Err(e) => {
            sweep_dir.abandon();
            return Err(e);
        }
    };
    let dir = sweep_dir.commit()?;
    print!("\n{}", markdown_table(&key, &variants));
    println!(
        "\nsweep folder: {} (sweep.md, sweep.csv, accuracy.png, costs.png, one run folder per value)",
        dir.display()
    );
    Ok(())
}

/// The validation accuracy of a variant's kept model (its best log point), when it has a
/// validation set.
fn validation_accuracy(m: &crate::run_result::Metrics) -> Option<f64> {
    m.best.map(|b| b.validation_accuracy)
}

fn markdown_table(key: &str, variants: &[Variant]) -> String {
    let mut md = format!(
        "| {key} | train accuracy (%) | validation accuracy (%) | test accuracy (%) | final cost | {}s | seconds |\n|---|---|---|---|---|---|---|\n",
        variants.first().map_or("iteration", |v| v.unit)
    );
    let shown = |a: Option<f64>| a.map(|t| format!("{t:.2}")).unwrap_or_else(|| "—".into());
    for v in variants {
        let m = &v.result.metrics;
        let stopped = if m.stopped_early == Some(true) {
            " (stopped early)"
        } else {
            ""
        };
        let _ = writeln!(
            md,
            "| {} | {:.2} | {} | {} | {:.6} | {}{stopped} | {:.2} |",
            v.value,
            m.train_accuracy,
            shown(validation_accuracy(m)),
            shown(m.test_accuracy),
            m.final_cost,
            m.epochs,
            m.seconds
        );
    }
    md
}

fn write_summary(dir: &RunDir, key: &str, variants: &[Variant]) -> Result<()> {
    dir.write("sweep.md", markdown_table(key, variants).as_bytes())?;
    let mut csv = format!(
        "{key},train_accuracy,validation_accuracy,test_accuracy,final_cost,iterations,seconds\n"
    );
    for v in variants {
        let m = &v.result.metrics;
        let quoted = if v.value.contains(',') {
            format!("\"{}\"", v.value)
        } else {
            v.value.clone()
        };
        let test = m.test_accuracy.map(|t| t.to_string()).unwrap_or_default();
        let validation = validation_accuracy(m)
            .map(|t| t.to_string())
            .unwrap_or_default();
        let _ = writeln!(
            csv,
            "{quoted},{},{validation},{test},{},{},{}",
            m.train_accuracy, m.final_cost, m.epochs, m.seconds
        );
    }
    dir.write("sweep.csv", csv.as_bytes())?;
    let labels: Vec<String> = variants.iter().map(|v| v.value.clone()).collect();
    let train: Vec<f64> = variants
        .iter()
        .map(|v| v.result.metrics.train_accuracy)
        .collect();
    let test: Vec<Option<f64>> = variants
        .iter()
        .map(|v| v.result.metrics.test_accuracy)
        .collect();
    let validation: Vec<Option<f64>> = variants
        .iter()
        .map(|v| validation_accuracy(&v.result.metrics))
        .collect();
    let staged = dir.staged_path("");
    plot::sweep_accuracy(
        &staged,
        "accuracy",
        key,
        &labels,
        &train,
        &validation,
        &test,
    )?;
    let curves: Vec<Curve> = variants
        .iter()
        .map(|v| Curve {
            label: format!("{key} = {}", v.value),
            costs: &v.result.metrics.costs,
        })
        .collect();
    // A full batch's epoch is one iteration, so "epoch" fits every curve once one has batches.
    let unit = if variants.iter().any(|v| v.unit == "epoch") {
        "epoch"
    } else {
        "iteration"
    };
    plot::cost_curves(
        &staged,
        "costs",
        &format!("cost for each {key}"),
        unit,
        &curves,
        &[],
    )
}
