//! What the config adds to gradient descent, as the pipeline hands it to `train`: the rate of
//! each epoch, the L2 term, dropout, and the validation set to watch.

use crate::Result;
use crate::config::{Config, KeepProb, LoadedConfig};
use crate::error::Error;
use crate::models::ModelSpec;
use crate::optim::Rates;
use crate::regularize::Dropout;
use crate::train::{Fitting, Watch, WatchState};

use super::Prepared;

/// What the config adds to gradient descent: the rate of each epoch, the L2 term, dropout (one
/// keep probability per hidden layer, masks seeded by `init.seed`), and the validation set,
/// watched from `watch` (what a checkpoint had seen of it; None: not watched, as `bench` runs).
pub fn fitting<'a>(
    loaded: &LoadedConfig,
    prepared: &'a Prepared,
    watch: Option<WatchState>,
) -> Result<Fitting<'a>> {
    let t = &loaded.config.train;
    let rates = Rates::from_config(t).map_err(|m| Error::config(&loaded.source, m))?;
    let dropout = dropout(&loaded.config, &prepared.spec);
    let watch = prepared
        .data
        .validation
        .as_ref()
        .zip(watch)
        .map(|(examples, state)| Watch {
            examples,
            dtype: prepared.spec.dtype,
            patience: t.patience,
            min_delta: t.min_delta.unwrap_or(0.0),
            state,
        });
    Ok(Fitting {
        rates,
        l2: t.l2.unwrap_or(0.0),
        dropout,
        watch,
    })
}

/// The dropout `c` asks for on a model of `spec`: one keep probability per hidden layer, masks
/// seeded by `init.seed`; None when every p is 1.
pub fn dropout(c: &Config, spec: &ModelSpec) -> Option<Dropout> {
    let hidden = spec.sizes.len().saturating_sub(2);
    let keep = match &c.train.keep_prob {
        Some(KeepProb::Every(p)) => vec![*p; hidden],
        Some(KeepProb::Each(each)) => each.clone(),
        None => Vec::new(),
    };
    let dropping = keep.iter().any(|&p| p < 1.0);
    dropping.then_some(Dropout {
        keep,
        seed: c.init.seed,
    })
}

/// The keys of fitting well that the run uses, in words for the training display.
pub(super) fn fitting_words(prepared: &Prepared, c: &Config) -> Vec<String> {
    let t = &c.train;
    let mut words = Vec::new();
    if let Some(l2) = t.l2.filter(|&l| l > 0.0) {
        words.push(format!(
            "L2 λ = {l2}: the logged cost is the cross-entropy + λ/(2m)·Σ‖W[l]‖²"
        ));
    }
    if let Some(d) = dropout(c, &prepared.spec) {
        words.push(format!(
            "dropout keep_prob {:?} on the hidden layers",
            d.keep
        ));
    }
    if let Some(v) = &prepared.data.validation {
        let patience = match t.patience {
            Some(p) => format!(", early stopping after {p} log points without improvement"),
            None => String::new(),
        };
        words.push(format!(
            "validation: {} held-out examples, the best log point's parameters kept{patience}",
            v.m()
        ));
    }
    if let (Some(rate), Some(interval)) = (t.decay_rate, t.decay_interval) {
        words.push(format!("α = α₀ / (1 + {rate}·⌊epoch / {interval}⌋)"));
    }
    if let Some(schedule) = t.lr_schedule {
        words.push(format!("α: Burn's {} schedule", schedule.name()));
    }
    words
}
