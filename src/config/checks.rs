//! Checks that need no data, section by section, in a fixed order; each message starts with
//! the key it is about.

use crate::models::ModelKind;

use super::{
    Config, DataConfig, DataSource, InitChoice, InitConfig, KeepProb, LrSchedule, ModelConfig,
    OptimizerKind, TrainConfig,
};

/// The kinds whose examples can be read a block at a time.
pub const STREAMING_KINDS: &str = "cat, h5 and images";

/// The largest picture side `data.size` takes (a 4096×4096 RGB picture is 50 million features).
const MAX_IMAGE_SIDE: usize = 4096;
/// Arms of the generated spiral: as many classes as the plots have colours for.
const MAX_SPIRAL_ARMS: usize = 10;

impl Config {
    /// Checks that need no data, section by section. Each message starts with the key it is about.
    pub fn validate(&self) -> std::result::Result<(), String> {
        self.train.validate()?;
        self.model.validate()?;
        self.init.validate()?;
        self.data.validate()?;
        if self.data.stream && self.train.batch_size.is_none() {
            return Err("data.stream = true needs train.batch_size: streaming reads a mini-batch at a time (the full batch would need the whole set in memory), e.g. batch_size = 256".into());
        }
        self.validate_fitting()
    }

    /// The keys of fitting well, against the rest: dropout needs hidden layers (and one p per
    /// hidden layer), early stopping a validation set.
    fn validate_fitting(&self) -> std::result::Result<(), String> {
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
    fn validate_fitting(&self) -> std::result::Result<(), String> {
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

    fn validate(&self) -> std::result::Result<(), String> {
        self.validate_fitting()?;
        if !self.learning_rate.is_finite() || self.learning_rate <= 0.0 {
            return Err(format!(
                "train.learning_rate = {}: must be a finite number > 0 (the notes use 0.005 to 1.2)",
                self.learning_rate
            ));
        }
        if self.iterations == 0 {
            return Err("train.iterations (or epochs) = 0: must be at least 1".into());
        }
        if self.log_every == 0 {
            return Err(
                "train.log_every = 0: must be at least 1 (the notes log every 100 iterations)"
                    .into(),
            );
        }
        if self.batch_size == Some(0) {
            return Err(
                "train.batch_size = 0: must be at least 1 (remove it for the full batch)".into(),
            );
        }
        if self.shuffle.is_some() && self.batch_size.is_none() {
            return Err("train.shuffle: only used with mini-batches; set train.batch_size or remove shuffle".into());
        }
        // Every optimizer key belongs to one optimizer; set for another, it is a mistake.
        let owned = [
            ("beta", self.beta.is_some(), OptimizerKind::Momentum),
            (
                "dampening",
                self.dampening.is_some(),
                OptimizerKind::Momentum,
            ),
            ("nesterov", self.nesterov.is_some(), OptimizerKind::Momentum),
            ("beta1", self.beta1.is_some(), OptimizerKind::Adam),
            ("beta2", self.beta2.is_some(), OptimizerKind::Adam),
            ("epsilon", self.epsilon.is_some(), OptimizerKind::Adam),
        ];
        for (key, set, owner) in owned {
            if set && self.optimizer != owner {
                return Err(format!(
                    "train.{key}: only used with optimizer = \"{}\" (this config has \"{}\")",
                    owner.name(),
                    self.optimizer.name()
                ));
            }
        }
        let rates = [
            ("beta", self.beta),
            ("beta1", self.beta1),
            ("beta2", self.beta2),
        ];
        for (key, value) in rates {
            // Burn holds these as f32: a value that rounds to 1 there is 1.
            if let Some(v) = value
                && (!(0.0..1.0).contains(&v) || v as f32 >= 1.0)
            {
                return Err(format!("train.{key} = {v}: must be in [0, 1), e.g. 0.9"));
            }
        }
        if let Some(d) = self.dampening {
            // At 1 the gradient would never enter v after the first step.
            if !(0.0..1.0).contains(&d) {
                return Err(format!(
                    "train.dampening = {d}: must be in [0, 1); leave it out for the course's \
                     average (dampening = beta) or set 0 for the heavy ball v := β·v + dW"
                ));
            }
        }
        // Nesterov's look-ahead is defined on the heavy ball; on the course's average it would
        // add the raw gradient to a velocity of another scale (PyTorch refuses it too).
        if self.nesterov == Some(true) && self.dampening != Some(0.0) {
            return Err(
                "train.nesterov = true: Nesterov's form needs the heavy ball; add dampening = 0"
                    .into(),
            );
        }
        if let Some(e) = self.epsilon
            && !(e.is_finite() && e as f32 > 0.0 && (e as f32).is_finite())
        {
            return Err(format!(
                "train.epsilon = {e}: must be a finite number > 0, e.g. 1e-8"
            ));
        }
        Ok(())
    }
}

impl ModelConfig {
    fn validate(&self) -> std::result::Result<(), String> {
        let m = self;
        match m.kind {
            ModelKind::Logistic => {
                if m.layers.is_some() || m.hidden.is_some() || m.activation.is_some() {
                    return Err("model: logistic regression has no hidden layer (one sigmoid neuron for two classes, a softmax layer for K); remove `layers`, `hidden` and `activation` (or use kind = \"deep\")".into());
                }
            }
            ModelKind::Shallow => {
                if m.layers.is_some() {
                    return Err("model.layers: the shallow net has one hidden layer; set `hidden = n_h` instead (or use kind = \"deep\")".into());
                }
                match m.hidden {
                    None => return Err("model.hidden: missing; the shallow net needs the number of hidden units, e.g. hidden = 4".into()),
                    Some(0) => return Err("model.hidden = 0: needs at least 1 hidden unit".into()),
                    _ => {}
                }
            }
            ModelKind::Deep => {
                if m.hidden.is_some() {
                    return Err(
                        "model.hidden: the deep net takes `layers = [n0, n1, …, 1]`, not `hidden`"
                            .into(),
                    );
                }
                let Some(layers) = &m.layers else {
                    return Err("model.layers: missing; the deep net needs every layer size, e.g. layers = [12288, 20, 7, 5, 1]".into());
                };
                if layers.len() < 2 {
                    return Err(format!(
                        "model.layers = {layers:?}: needs at least an input and an output size, e.g. [12288, 7, 1]"
                    ));
                }
                if let Some(i) = layers.iter().position(|&n| n == 0) {
                    return Err(format!(
                        "model.layers = {layers:?}: layer {i} has size 0; every layer needs at least 1 unit"
                    ));
                }
            }
        }
        if let Some(slope) = m.leaky_slope
            && !(0.0..1.0).contains(&slope)
        {
            return Err(format!("model.leaky_slope = {slope}: must be in [0, 1)"));
        }
        Ok(())
    }
}

impl InitConfig {
    fn validate(&self) -> std::result::Result<(), String> {
        let i = self;
        match (i.scheme, &i.path) {
            (Some(InitChoice::H5), None) => return Err("init.path: missing; scheme = \"h5\" needs the parameter file, e.g. path = \"init.h5\"".into()),
            (Some(InitChoice::H5), Some(_)) => {}
            (_, Some(_)) => return Err("init.path: only used with scheme = \"h5\"; remove it or set init.scheme = \"h5\"".into()),
            _ => {}
        }
        if !i.scale.is_finite() || i.scale <= 0.0 {
            return Err(format!(
                "init.scale = {}: must be a finite number > 0",
                i.scale
            ));
        }
        Ok(())
    }
}

impl DataConfig {
    fn validate(&self) -> std::result::Result<(), String> {
        match &self.source {
            DataSource::Planar { m, noise, .. } => {
                if *m < 2 || m % 2 != 0 {
                    return Err(format!(
                        "data.m = {m}: the flower needs an even number of points ≥ 2 (half per class)"
                    ));
                }
                if !noise.is_finite() || *noise < 0.0 {
                    return Err(format!("data.noise = {noise}: must be a finite number ≥ 0"));
                }
            }
            DataSource::Spiral {
                arms,
                points,
                noise,
            } => {
                if !(2..=MAX_SPIRAL_ARMS).contains(arms) {
                    return Err(format!(
                        "data.arms = {arms}: the spiral needs 2 to {MAX_SPIRAL_ARMS} arms (one per class)"
                    ));
                }
                if *points < 2 {
                    return Err(format!(
                        "data.points = {points}: each arm needs at least 2 points"
                    ));
                }
                if !noise.is_finite() || *noise < 0.0 {
                    return Err(format!("data.noise = {noise}: must be a finite number ≥ 0"));
                }
            }
            DataSource::Cat { train, .. }
            | DataSource::H5 { train, .. }
            | DataSource::Csv { train, .. } => {
                if train.as_os_str().is_empty() {
                    return Err("data.train: empty path; give the training file, e.g. train = \"../datasets/train_catvnoncat.h5\"".into());
                }
            }
            DataSource::Images { train, size, .. } => {
                if train.as_os_str().is_empty() {
                    return Err("data.train: empty path; give the folder that holds one subfolder per class, e.g. train = \"pictures/train\"".into());
                }
                if size.iter().any(|&s| s == 0 || s > MAX_IMAGE_SIDE) {
                    return Err(format!(
                        "data.size = {size:?}: height and width must be between 1 and {MAX_IMAGE_SIDE}, e.g. size = [64, 64]"
                    ));
                }
            }
        }
        if let DataSource::Csv {
            label,
            features: Some(features),
            ..
        } = &self.source
        {
            if features.is_empty() {
                return Err("data.features = []: name at least one feature column, or remove the key to use every column but the label".into());
            }
            if features.contains(label) {
                return Err(format!(
                    "data.features lists the label column \"{label}\": the label cannot be a feature; remove it from features"
                ));
            }
        }
        self.validate_classes()?;
        if let Some(fraction) = self.validation
            && !(fraction > 0.0 && fraction < 1.0)
        {
            return Err(format!(
                "data.validation = {fraction}: must be a fraction strictly between 0 and 1, e.g. validation = 0.2"
            ));
        }
        if let Some(fraction) = self.split {
            if !(fraction > 0.0 && fraction < 1.0) {
                return Err(format!(
                    "data.split = {fraction}: must be a fraction strictly between 0 and 1, e.g. split = 0.2"
                ));
            }
            if self.source.test().is_some() {
                return Err(
                    "data.split: the section names a test set already; remove `test` or `split`"
                        .into(),
                );
            }
        }
        self.validate_stream()
    }

    /// `classes`: two or more different names, for data that is not generated, and not beside
    /// `positive` (which picks class 1 of two; `classes` orders them all).
    fn validate_classes(&self) -> std::result::Result<(), String> {
        let Some(classes) = &self.classes else {
            return Ok(());
        };
        if matches!(
            self.source,
            DataSource::Planar { .. } | DataSource::Spiral { .. }
        ) {
            return Err(
                "data.classes: generated data names its classes itself; remove the key".into(),
            );
        }
        if classes.len() < 2 {
            return Err(format!(
                "data.classes = {classes:?}: name two or more classes, in the order of their numbers 0, 1, …"
            ));
        }
        if let Some(name) = classes
            .iter()
            .enumerate()
            .find(|(i, n)| n.is_empty() || classes[..*i].contains(n))
            .map(|(_, n)| n)
        {
            return Err(format!(
                "data.classes = {classes:?}: \"{name}\" is empty or named twice; name each class once"
            ));
        }
        if let DataSource::Images {
            positive: Some(_), ..
        }
        | DataSource::Csv {
            positive: Some(_), ..
        } = self.source
        {
            return Err("data.classes and data.positive: keep one (classes fixes the order of every class; class 1 is its second name)".into());
        }
        Ok(())
    }

    fn validate_stream(&self) -> std::result::Result<(), String> {
        let s = &self.streaming;
        for (key, value) in [("block", s.block), ("shuffle_buffer", s.shuffle_buffer)] {
            match value {
                Some(0) => return Err(format!("data.{key} = 0: must be at least 1 example")),
                Some(_) if !self.stream => {
                    return Err(format!(
                        "data.{key} applies to streamed data only: add stream = true or remove it"
                    ));
                }
                _ => {}
            }
        }
        if !self.stream {
            return Ok(());
        }
        let kind = match &self.source {
            DataSource::Planar { .. } => Some("planar (the flower is generated in memory)"),
            DataSource::Spiral { .. } => Some("spiral (generated in memory)"),
            DataSource::Csv { .. } => Some("csv"),
            _ => None,
        };
        if let Some(kind) = kind {
            return Err(format!(
                "data.stream = true: kind = {kind} cannot be streamed; the kinds that can are {STREAMING_KINDS}; remove stream = true"
            ));
        }
        if self.split.is_some() {
            return Err("data.stream = true with data.split: a streamed set is read in file order and cannot be split; give the test set as its own file or folder (test = …) and remove split".into());
        }
        if matches!(
            self.source,
            DataSource::Images {
                skip_unreadable: true,
                ..
            }
        ) {
            return Err("data.stream = true with data.skip_unreadable: a streamed picture is decoded when its batch is read, so the set's size must be known before; remove the unreadable pictures and skip_unreadable, or remove stream = true".into());
        }
        Ok(())
    }
}
