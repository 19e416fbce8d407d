//! Checks that need no data, section by section, in a fixed order; each message starts with
//! the key it is about.

use crate::models::ModelKind;

use super::{
    Config, DataConfig, DataSource, InitChoice, InitConfig, ModelConfig, OptimizerKind, TrainConfig,
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
}

impl TrainConfig {
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
