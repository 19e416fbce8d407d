//! `simplenn gradcheck CONFIG [--steps N]`: the gradient checker on a config's model and data,
//! at the initial parameters or after `steps` iterations of training through the pipeline.

use std::path::PathBuf;

use crate::config::LoadedConfig;
use crate::device::{Compute, Precision};
use crate::gradcheck::{self, NotesFormulas, Report};
use crate::models::ModelKind;
use crate::pipeline::{self, Start};
use crate::train::Silent;
use crate::{Error, Result};

#[derive(clap::Args, Debug)]
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

pub fn gradcheck(args: GradcheckArgs, compute: Compute) -> Result<()> {
    let precision = match args.precision {
        Some(p) => super::precision_flag(p, compute.backend)?,
        None if compute.backend.supports_f64() => Precision::F64,
        None => Precision::F32,
    };
    let loaded = super::load_config(&args.config, &args.set, compute.backend)?;
    let report = check_config(&loaded, args.steps, precision, compute)?;
    print!("{report}");
    if report.passed() {
        Ok(())
    } else {
        Err(Error::CheckFailed(report.failures_summary()))
    }
}

/// The check of a config's model on its training set on `compute`, after `steps` iterations (0:
/// at the initial parameters).
pub fn check_config(
    loaded: &LoadedConfig,
    steps: usize,
    precision: Precision,
    compute: Compute,
) -> Result<Report> {
    let c = &loaded.config;
    // The data once: prepared for a check at the start, or as the short training run read it.
    let (layers, data) = if steps == 0 {
        let prepared = pipeline::prepare(loaded, compute)?;
        let layers = pipeline::initial_parameters(loaded, &prepared.spec)?;
        (layers, prepared.data)
    } else {
        let mut short = loaded.clone();
        short.config.train.iterations = steps;
        short.config.train.log_every = steps;
        let result = pipeline::run(&short, Start::Fresh, &mut Silent, compute)?;
        (result.model.layer_values()?, result.data)
    };
    let spec = c
        .model_spec(data.train.n_x(), data.classes.len())
        .map_err(|m| Error::config(&loaded.source, m))?;
    let data = data
        .train
        .need_memory("gradcheck (the notes' full-batch gradients)")?;
    // The L2 term and one step's dropout masks (those of the next step), for all three witnesses.
    let fitting = gradcheck::Fitting {
        l2: c.train.l2.unwrap_or(0.0),
        dropout: pipeline::dropout(c, &spec)
            .map(|d| d.draw(&spec.sizes[1..spec.sizes.len() - 1], data.m, steps, 0))
            .unwrap_or_default(),
    };
    let mut extras = Vec::new();
    if fitting.l2 > 0.0 {
        extras.push(format!("L2 λ = {}", fitting.l2));
    }
    if !fitting.dropout.is_empty() {
        let keep: Vec<f64> = fitting.dropout.iter().map(|(_, p)| *p).collect();
        extras.push(format!("dropout keep_prob {keep:?} (one step's masks)"));
    }
    let extras = if extras.is_empty() {
        String::new()
    } else {
        format!(", {}", extras.join(", "))
    };
    let title = format!(
        "gradient check: {} {:?}, hidden activation {}{extras}, {} examples, {} ({}), backend {}",
        c.model.kind.name(),
        spec.sizes,
        match (c.model.kind, spec.units()) {
            (ModelKind::Logistic, 1) => "none (single sigmoid neuron)",
            (ModelKind::Logistic, _) => "none (softmax regression)",
            _ => spec.activation.kind.name(),
        },
        data.m,
        if steps == 0 {
            "initial parameters".to_string()
        } else {
            format!("after {steps} training steps")
        },
        precision.name(),
        compute.backend.name()
    );
    gradcheck::check(
        &spec,
        precision,
        &layers,
        data,
        &fitting,
        &NotesFormulas,
        c.init.seed,
        title,
        compute,
    )
}
