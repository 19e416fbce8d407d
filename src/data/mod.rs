//! Data sets in the notes' layout: X is (n_x, m), one example per column; the labels are class
//! numbers 0 … K−1 ([`classes`] says how they are found and turned into Y).

pub mod cat;
pub mod classes;
pub mod csv;
pub mod fetch;
pub mod h5;
pub mod images;
mod labels;
pub mod order;
pub mod planar;
pub mod prep;
pub mod spiral;
pub mod stream;

use std::path::Path;

use burn::tensor::{DType, Device, Tensor};
use serde::{Deserialize, Serialize};

pub use order::Order;
pub use prep::{Scaling, SplitRecord};
pub use stream::{Examples, StreamSet};

use classes::Naming;
use labels::{naming, number_labels};

use crate::config::{DataConfig, DataSource};
use crate::{Error, Result};

use crate::device::Placement;
use crate::nn::DataMatrix;
use crate::tensor_util::matrix;

/// A data set on the host. `x` is row-major (n_x, m): feature f of example i is `x[f * m + i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Features per example.
    pub n_x: usize,
    /// Examples.
    pub m: usize,
    pub x: Vec<f64>,
    /// The labels, one per example: the class numbers 0 … K−1 (0 or 1 for two classes).
    pub y: Vec<f64>,
}

impl Dataset {
    /// X (n_x, m), placed `at` ([`DataMatrix`]: the fast path may also hold Xᵀ).
    pub fn x_matrix(&self, at: Placement) -> DataMatrix {
        DataMatrix::new(self.x.clone(), self.n_x, self.m, at)
    }

    /// Y for a model with `units` output units ([`classes::targets`]): the labels (1, m) for
    /// one unit, one-hot (K, m) for K.
    pub fn y_tensor(&self, units: usize, dtype: DType, device: &Device) -> Tensor<2> {
        matrix(
            classes::targets(&self.y, units),
            units,
            self.m,
            dtype,
            device,
        )
    }

    /// Column i (one example) as a vector of n_x features.
    pub fn example(&self, i: usize) -> Vec<f64> {
        (0..self.n_x).map(|f| self.x[f * self.m + i]).collect()
    }

    /// A data set from examples given one by one (each `n_x` features) and their labels.
    pub fn from_examples(n_x: usize, examples: &[Vec<f64>], y: Vec<f64>) -> Dataset {
        Dataset::from_rows(n_x, &examples.concat(), y)
    }

    /// A data set from `rows` (m rows of `n_x` features, one example each) and their labels.
    pub fn from_rows(n_x: usize, rows: &[f64], y: Vec<f64>) -> Dataset {
        let m = rows.len() / n_x.max(1);
        let x = crate::tensor_util::transpose(rows, m, n_x);
        Dataset { n_x, m, x, y }
    }

    /// The examples at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        let mut x = Vec::with_capacity(self.n_x * indices.len());
        for row in self.x.chunks_exact(self.m.max(1)) {
            x.extend(indices.iter().map(|&i| row[i]));
        }
        Dataset {
            n_x: self.n_x,
            m: indices.len(),
            x,
            y: indices.iter().map(|&i| self.y[i]).collect(),
        }
    }

    /// Examples of each of `k` classes.
    pub fn class_counts(&self, k: usize) -> Vec<usize> {
        classes::counts(&self.y, k)
    }
}

/// What a config's `[data]` section loads: a training set, an optional test set, the names of
/// the classes 0 … K−1, and what the run folder must record to apply the model to new data.
#[derive(Debug, Clone)]
pub struct LoadedData<S = Examples> {
    pub train: S,
    pub test: Option<S>,
    /// The part of the training set held out by `validation` (not trained on).
    pub validation: Option<S>,
    pub classes: Vec<String>,
    /// Height, width, channels when the examples are images.
    pub image_shape: Option<[usize; 3]>,
    pub input: InputRecord,
    /// What the user should know about the data (files ignored, pictures skipped).
    pub notes: Vec<String>,
}

/// How the examples were made, for `evaluate`, `predict` and `export` (`input.json` in the run
/// folder).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InputRecord {
    /// A CSV table's feature and label columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<csv::Columns>,
    /// The training set's feature statistics, when `standardize = true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling: Option<Scaling>,
    /// Which examples went to the training and test sets, when `split` made the test set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<SplitRecord>,
    /// Which examples of the training set (numbered after `split`) were held out for
    /// validation, when `validation` asked for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<SplitRecord>,
}

impl InputRecord {
    /// Make examples as the run's training set was made, before the model sees them: scaled by
    /// the training set's statistics when the run standardizes its features (a set in memory at
    /// once, a streamed one as its rows are read). The one place a record is applied to
    /// examples: the training and test sets (`load`), other data (`evaluate --data`) and new
    /// examples (`predict`) all go through it. A set with another number of features than the
    /// record describes is left as it is, for the caller to report against the model.
    pub fn prepare(&self, set: &mut Examples) {
        let Some(scaling) = &self.scaling else {
            return;
        };
        match set {
            _ if set.n_x() != scaling.mean.len() => {}
            Examples::Memory(set) => scaling.apply(set),
            Examples::Stream(s) => *s = s.clone().scaled(scaling.clone()),
        }
    }
}

/// `standardize = true`: record the training set's statistics `scaling` in the split's input
/// record, then make both sets with that record ([`InputRecord::prepare`]), as new data will be.
fn standardize(split: &mut LoadedData, scaling: Scaling) {
    split.input.scaling = Some(scaling);
    let LoadedData {
        train,
        test,
        validation,
        input,
        ..
    } = split;
    input.prepare(train);
    for set in [test, validation].into_iter().flatten() {
        input.prepare(set);
    }
}

/// A test set's features must match the training set's.
fn same_features(path: &Path, test: usize, train: usize) -> Result<()> {
    if test != train {
        return Err(Error::data(
            path,
            format!("test set has {test} features but the training set has {train}"),
        ));
    }
    Ok(())
}

/// A test file's images must have the training images' shape.
fn same_image_shape(path: &Path, test: [usize; 3], train: [usize; 3]) -> Result<()> {
    if test != train {
        return Err(Error::data(
            path,
            format!("test images are {test:?} but training images are {train:?}"),
        ));
    }
    Ok(())
}

/// Load (or generate) what a config's `[data]` section names, then split and scale it as asked;
/// with `stream = true`, open it to be read a block at a time instead. Its paths are read as
/// they are: a loaded config's are absolute (`Config::load` resolved them from the config's
/// folder).
pub fn load(config: &DataConfig) -> Result<LoadedData> {
    if config.stream {
        return open_stream(config);
    }
    let mut split = load_source(config)?;
    if let Some(fraction) = config.split {
        let (train, test, record) =
            prep::split(&split.train, fraction, config.seed, &split.classes).map_err(|m| {
                match config.source.train() {
                    Some(path) => Error::data(path, m),
                    None => Error::config("[data]", m),
                }
            })?;
        split.train = train;
        split.test = Some(test);
        split.input.split = Some(record);
    }
    if let Some(fraction) = config.validation {
        // The same seeded, class-stratified cut as `split`, on what is left for training.
        let (train, validation, record) =
            prep::split(&split.train, fraction, config.seed, &split.classes).map_err(|m| {
                let m = m
                    .replace("data.split", "data.validation")
                    .replace("choose a split", "choose a validation fraction");
                Error::config("[data]", m.replace("the test set", "the validation set"))
            })?;
        split.train = train;
        split.validation = Some(validation);
        split.input.validation = Some(record);
    }
    let scaling = config.standardize.then(|| Scaling::fit(&split.train));
    let mut split = split.into_examples();
    if let Some(scaling) = scaling {
        standardize(&mut split, scaling);
    }
    Ok(split)
}

impl<S> LoadedData<S> {
    /// A training set, an optional test set and their classes' names, with nothing else known
    /// yet (not pictures, nothing to record, no notes): where every kind of data starts.
    fn new(train: S, test: Option<S>, classes: Vec<String>) -> LoadedData<S> {
        LoadedData {
            train,
            test,
            validation: None,
            classes,
            image_shape: None,
            input: InputRecord::default(),
            notes: Vec::new(),
        }
    }
}

impl LoadedData<Dataset> {
    /// The same split, its sets held in memory.
    pub fn into_examples(self) -> LoadedData {
        LoadedData {
            train: Examples::Memory(self.train),
            test: self.test.map(Examples::Memory),
            validation: self.validation.map(Examples::Memory),
            classes: self.classes,
            image_shape: self.image_shape,
            input: self.input,
            notes: self.notes,
        }
    }
}

/// `stream = true`: check the files and list what to read; no example is read yet, but for the
/// statistics of `standardize`.
fn open_stream(config: &DataConfig) -> Result<LoadedData> {
    let block = config.streaming.block;
    let mut classes: Vec<String> = Vec::new();
    let mut image_shape: Option<[usize; 3]> = None;
    let mut notes = Vec::new();
    let mut opened: Vec<StreamSet> = Vec::new();
    let sets = std::iter::once((config.source.train(), "train"))
        .chain(config.source.test().map(|t| (Some(t), "test")));
    for (path, prefix) in sets {
        let Some(path) = path else {
            continue;
        };
        let set = match &config.source {
            DataSource::Cat { .. } => {
                let mut file = cat::open_checked(path, prefix)?;
                if let Some(train) = image_shape {
                    same_image_shape(path, file.shape, train)?;
                }
                image_shape = Some(file.shape);
                let y_name = format!("{prefix}_set_y");
                number_labels(
                    path,
                    &y_name,
                    &mut file.y,
                    Some(file.classes),
                    config,
                    &mut classes,
                )?;
                StreamSet::h5(file.blocks, file.y, block)
            }
            DataSource::H5 { x, y, layout, .. } => {
                let (blocks, mut labels) = h5::open_xy(path, x, y, *layout)?;
                number_labels(path, y, &mut labels, None, config, &mut classes)?;
                StreamSet::h5(blocks, labels, block)
            }
            DataSource::Images { size, .. } => {
                let expected = (prefix == "test").then_some(classes.as_slice());
                let listing = images::list(path, naming(config), expected)?;
                notes.extend(listing.notes(path));
                classes = listing.classes.clone();
                image_shape = Some([size[0], size[1], 3]);
                StreamSet::pictures(listing, *size, block)
            }
            DataSource::Planar { .. } | DataSource::Spiral { .. } | DataSource::Csv { .. } => {
                return Err(Error::config(
                    "[data]",
                    format!(
                        "stream = true: this kind cannot be streamed; the kinds that can are {}",
                        crate::config::STREAMING_KINDS
                    ),
                ));
            }
        };
        if let Some(train) = opened.first() {
            same_features(path, set.n_x, train.n_x)?;
        }
        opened.push(set);
    }
    let mut sets = opened.into_iter();
    let train = sets
        .next()
        .ok_or_else(|| Error::config("[data]", "no training set"))?;
    let scaling = if config.standardize {
        Some(train.fit_scaling()?)
    } else {
        None
    };
    let mut split = LoadedData {
        image_shape,
        notes,
        ..LoadedData::new(
            Examples::Stream(train),
            sets.next().map(Examples::Stream),
            classes,
        )
    };
    if let Some(scaling) = scaling {
        standardize(&mut split, scaling);
    }
    Ok(split)
}

/// What `[data]` names, as stored, in memory: no split, no scaling (`evaluate --data` applies the
/// run's own).
pub fn load_source(config: &DataConfig) -> Result<LoadedData<Dataset>> {
    match &config.source {
        DataSource::Spiral {
            arms,
            points,
            noise,
        } => Ok(LoadedData::new(
            spiral::arms(*arms, *points, *noise, config.seed),
            None,
            spiral::names(*arms),
        )),
        DataSource::Planar { m, noise } => Ok(LoadedData::new(
            planar::flower(*m, *noise, config.seed),
            None,
            vec!["red (0)".into(), "blue (1)".into()],
        )),
        DataSource::Cat {
            train: path, test, ..
        } => {
            let (mut train, names, shape) = cat::load(path, "train")?;
            let mut classes = Vec::new();
            number_labels(
                path,
                "train_set_y",
                &mut train.y,
                Some(names.clone()),
                config,
                &mut classes,
            )?;
            let test = load_test(test.as_deref(), |path| {
                let (mut test, names, test_shape) = cat::load(path, "test")?;
                same_image_shape(path, test_shape, shape)?;
                number_labels(
                    path,
                    "test_set_y",
                    &mut test.y,
                    Some(names),
                    config,
                    &mut classes,
                )?;
                Ok(test)
            })?;
            Ok(LoadedData {
                image_shape: Some(shape),
                ..LoadedData::new(train, test, classes)
            })
        }
        DataSource::H5 {
            train: path,
            test,
            x,
            y,
            layout,
        } => {
            let mut train = h5::load_xy(path, x, y, *layout)?;
            let mut classes = Vec::new();
            number_labels(path, y, &mut train.y, None, config, &mut classes)?;
            let test = load_test(test.as_deref(), |path| {
                let mut test = h5::load_xy(path, x, y, *layout)?;
                same_features(path, test.n_x, train.n_x)?;
                number_labels(path, y, &mut test.y, None, config, &mut classes)?;
                Ok(test)
            })?;
            Ok(LoadedData::new(train, test, classes))
        }
        DataSource::Images {
            train,
            test,
            size,
            skip_unreadable,
            ..
        } => {
            let folder = images::load(train, *size, naming(config), *skip_unreadable, None)?;
            let mut notes = folder.notes;
            let test = load_test(test.as_deref(), |path| {
                let t = images::load(
                    path,
                    *size,
                    Naming::default(),
                    *skip_unreadable,
                    Some(&folder.classes),
                )?;
                notes.extend(t.notes);
                Ok(t.data)
            })?;
            Ok(LoadedData {
                image_shape: Some([size[0], size[1], 3]),
                notes,
                ..LoadedData::new(folder.data, test, folder.classes)
            })
        }
        DataSource::Csv {
            train,
            test,
            label,
            features,
            ..
        } => {
            let table = csv::load_train(train, label, features.as_deref(), naming(config))?;
            let test = load_test(test.as_deref(), |path| {
                csv::load_like(path, &table.columns, &table.classes)
            })?;
            Ok(LoadedData {
                input: InputRecord {
                    columns: Some(table.columns),
                    ..InputRecord::default()
                },
                ..LoadedData::new(table.data, test, table.classes)
            })
        }
    }
}

/// The test set that `[data]` names at `test`, read by `load`; None when `[data]` names none.
fn load_test<T>(test: Option<&Path>, load: impl FnOnce(&Path) -> Result<T>) -> Result<Option<T>> {
    test.map(load).transpose()
}
