//! The checks of the keys of fitting well (L2, dropout, validation and early stopping, the
//! rate's schedules): each on its own, then against the model and the data.

use crate::models::ModelKind;

use super::{Config, KeepProb, LrSchedule, TrainConfig};

impl Config {
    /// The keys of fitting well, against the rest: dropout needs hidden layers (and one p per
    /// hidden layer), early stopping a validation set.
    pub(super) fn validate_fitting(&self) -> std::result::Result<(), String> {
        let t = &self.train;
        if let Some(keep) = &t.keep_prob {
            let hidden = match self.model.kind {
                ModelKind::Logistic => 0,
                ModelKind::Shallow => 1,
                ModelKind::Deep => self
                    .model
                    .layers
                    .as_ref()
                    .map_or(0, |l| l.len().saturating_sub(2)),
            };
            if hidden == 0 {
                return Err(format!(
                    "train.keep_prob: dropout drops hidden units, and this {} model has no hidden layer; remove keep_prob",
                    self.model.kind.name()
                ));
            }
            if let KeepProb::Each(each) = keep
                && each.len() != hidden
            {
                return Err(format!(
                    "train.keep_prob = {each:?}: gives {} value(s) but the model has {hidden} hidden layer(s); give one per hidden layer, or one number for all",
                    each.len()
                ));
            }
        }
        if t.patience.is_some() && self.data.validation.is_none() {
            return Err("train.patience: early stopping watches the validation cost; add data.validation = 0.2 (a held-out fraction of the training set) or remove patience".into());
        }
        if t.min_delta.is_some() && t.patience.is_none() {
            return Err(
                "train.min_delta: only used with train.patience; add patience or remove min_delta"
                    .into(),
            );
        }
        if self.data.validation.is_some() && self.data.stream {
            return Err("data.validation with data.stream = true: a streamed set is read in file order and cannot be split; remove one of them".into());
        }
        Ok(())
    }
}

impl TrainConfig {
    /// `l2`, `keep_prob`, `patience`, `min_delta` and the learning-rate schedule's keys.
    pub(super) fn validate_fitting(&self) -> std::result::Result<(), String> {
        if let Some(l2) = self.l2
            && !(l2.is_finite() && l2 >= 0.0)
        {
            return Err(format!(
                "train.l2 = {l2}: λ must be a finite number ≥ 0 (the course tries 0.1 to 0.7; 0 is off)"
            ));
        }
        let ps = match &self.keep_prob {
            Some(KeepProb::Every(p)) => vec![*p],
            Some(KeepProb::Each(each)) => each.clone(),
            None => Vec::new(),
        };
        if let Some(p) = ps.iter().find(|p| !(**p > 0.0 && **p <= 1.0)) {
            return Err(format!(
                "train.keep_prob = {p}: a keep probability must be in (0, 1] (1 keeps every unit: no dropout; the course uses 0.86)"
            ));
        }
        if self.patience == Some(0) {
            return Err("train.patience = 0: must be at least 1 log point (how many log points may pass without a better validation cost)".into());
        }
        if let Some(d) = self.min_delta
            && !(d.is_finite() && d >= 0.0)
        {
            return Err(format!(
                "train.min_delta = {d}: must be a finite number ≥ 0"
            ));
        }
        match (self.decay_rate, self.decay_interval) {
            (Some(_), None) => return Err("train.decay_rate needs train.decay_interval (epochs between decays): α = α₀ / (1 + decay_rate·⌊epoch / decay_interval⌋)".into()),
            (None, Some(_)) => return Err("train.decay_interval needs train.decay_rate: α = α₀ / (1 + decay_rate·⌊epoch / decay_interval⌋)".into()),
            (Some(r), Some(i)) => {
                if !(r.is_finite() && r >= 0.0) {
                    return Err(format!("train.decay_rate = {r}: must be a finite number ≥ 0"));
                }
                if i == 0 {
                    return Err("train.decay_interval = 0: must be at least 1 epoch".into());
                }
                if self.lr_schedule.is_some() {
                    return Err("train.decay_rate and train.lr_schedule: keep one learning-rate schedule".into());
                }
            }
            (None, None) => {}
        }
        let schedule = self.lr_schedule;
        let owned = [
            (
                "min_learning_rate",
                self.min_learning_rate.is_some(),
                &[LrSchedule::Cosine][..],
            ),
            (
                "gamma",
                self.gamma.is_some(),
                &[LrSchedule::Exponential, LrSchedule::Step][..],
            ),
            (
                "step_size",
                self.step_size.is_some(),
                &[LrSchedule::Step][..],
            ),
        ];
        for (key, set, schedules) in owned {
            if set && !schedule.is_some_and(|s| schedules.contains(&s)) {
                let names: Vec<&str> = schedules.iter().map(|s| s.name()).collect();
                return Err(format!(
                    "train.{key}: only used with lr_schedule = \"{}\"; set that schedule or remove {key}",
                    names.join("\" or \"")
                ));
            }
        }
        match schedule {
            Some(LrSchedule::Exponential) if self.gamma.is_none() => {
                return Err("train.lr_schedule = \"exponential\" needs train.gamma, the factor of every epoch, e.g. gamma = 0.999".into());
            }
            Some(LrSchedule::Step) if self.step_size.is_none() => {
                return Err("train.lr_schedule = \"step\" needs train.step_size, the epochs between two decays, e.g. step_size = 500".into());
            }
            _ => {}
        }
        if self.step_size == Some(0) {
            return Err("train.step_size = 0: must be at least 1 epoch".into());
        }
        if let Some(g) = self.gamma
            && !(g > 0.0 && g <= 1.0)
        {
            return Err(format!("train.gamma = {g}: must be in (0, 1]"));
        }
        if let Some(min) = self.min_learning_rate
            && !(min >= 0.0 && min <= self.learning_rate)
        {
            return Err(format!(
                "train.min_learning_rate = {min}: must be between 0 and train.learning_rate ({})",
                self.learning_rate
            ));
        }
        if matches!(schedule, Some(LrSchedule::Cosine | LrSchedule::Exponential))
            && self.learning_rate > 1.0
        {
            return Err(format!(
                "train.learning_rate = {} with lr_schedule = \"{}\": Burn's {} schedule starts at a rate of at most 1; lower the rate or use decay_rate and decay_interval (the course's schedule)",
                self.learning_rate,
                schedule.map_or("", |s| s.name()),
                schedule.map_or("", |s| s.name())
            ));
        }
        Ok(())
    }
}
