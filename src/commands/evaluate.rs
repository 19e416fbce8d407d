//! `simplenn evaluate RUN_DIR [--data CONFIG_H5_OR_CSV]`: reload a trained model and measure it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::atomic::write_atomic;
use crate::config::{DataConfig, DataSource};
use crate::data::{self, Dataset, Examples, LoadedData, UNNAMED_CLASSES, h5};
use crate::device::{Backend, Compute};
use crate::infer::{accuracy, class_name, predicted_class, score};
use crate::plot::{self, Tile};
use crate::run_dir::{self, SavedRun};
use crate::{Error, Result};

/// Counts of (label, prediction) pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Confusion {
    pub true_negative: usize,
    pub false_positive: usize,
    pub false_negative: usize,
    pub true_positive: usize,
}

impl Confusion {
    pub fn new(probabilities: &[f64], labels: &[f64]) -> Confusion {
        let mut c = Confusion::default();
        for (&p, &y) in probabilities.iter().zip(labels) {
            match (y == 1.0, predicted_class(p) == 1) {
                (false, false) => c.true_negative += 1,
                (false, true) => c.false_positive += 1,
                (true, false) => c.false_negative += 1,
                (true, true) => c.true_positive += 1,
            }
        }
        c
    }
}

/// The data to evaluate on: the run's own (split and scaled as in training, which must give the
/// run's recorded input), or another config's data, an HDF5 file or a CSV table, read with the
/// run's columns and classes and scaled as the run's training set was. Another config is loaded
/// as every command loads one: its precision must suit `backend`.
fn data_for(run: &SavedRun, data: Option<&Path>, backend: Backend) -> Result<LoadedData> {
    let Some(path) = data else {
        let own = data::load(&run.config.config.data)?;
        if own.input != run.input {
            return Err(Error::run_file(
                run.dir.join(crate::run_dir::INPUT_FILE),
                "records a split, scaling or columns that the data files no longer give: they changed since training; \
                 evaluate on the data with --data, or train again",
            ));
        }
        return Ok(own);
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let classes = run.metrics.classes.clone();
    let mut split = match (ext.as_str(), &run.input.columns, &classes) {
        ("toml", Some(columns), Some(classes)) => {
            // A CSV run reads any table by its own columns and label values.
            let other = super::load_config(path, &[], backend)?;
            let DataSource::Csv { train, .. } = &other.config.data.source else {
                return Err(Error::Usage(format!(
                    "{} was trained on a CSV table; --data {} must name a CSV config or table",
                    run.dir.display(),
                    path.display()
                )));
            };
            csv_split(data::csv::load_like(train, columns, classes)?, classes).into_examples()
        }
        ("toml", _, _) => {
            let other = super::load_config(path, &[], backend)?;
            // Every example as stored, in memory or streamed: the run's own scaling is
            // applied after, and a split of the other config does not apply here.
            let as_stored = DataConfig {
                split: None,
                standardize: false,
                ..other.config.data.clone()
            };
            data::load(&as_stored)?
        }
        ("csv", Some(columns), Some(classes)) => {
            csv_split(data::csv::load_like(path, columns, classes)?, classes).into_examples()
        }
        ("csv", _, _) => {
            return Err(Error::Usage(format!(
                "{} was not trained on a CSV table; evaluate it on a config or an HDF5 file",
                run.dir.display()
            )));
        }
        _ => h5_data(path)?.into_examples(),
    };
    if let Some(classes) = &classes {
        align_classes(&mut split, classes, path)?;
    }
    for set in std::iter::once(&mut split.train).chain(split.test.as_mut()) {
        run.input.prepare(set);
    }
    Ok(split)
}

fn csv_split(set: Dataset, classes: &[String; 2]) -> LoadedData<Dataset> {
    LoadedData {
        train: set,
        test: None,
        classes: classes.clone(),
        image_shape: None,
        input: Default::default(),
        notes: Vec::new(),
    }
}

/// Labels of other data by the run's class names: the same names in the other order flip the
/// labels; other names are an error. Data without names of its own ([`UNNAMED_CLASSES`]) is
/// taken as it is.
fn align_classes(split: &mut LoadedData, classes: &[String; 2], path: &Path) -> Result<()> {
    if split.classes == *classes || split.classes == UNNAMED_CLASSES {
        return Ok(());
    }
    if split.classes[0] == classes[1] && split.classes[1] == classes[0] {
        for set in std::iter::once(&mut split.train).chain(split.test.as_mut()) {
            set.y_mut().iter_mut().for_each(|y| *y = 1.0 - *y);
        }
        split.classes = classes.clone();
        return Ok(());
    }
    Err(Error::data(
        path,
        format!(
            "has the classes \"{}\" and \"{}\", but the model was trained on \"{}\" and \"{}\"",
            split.classes[0], split.classes[1], classes[0], classes[1]
        ),
    ))
}

/// An HDF5 file: the course's layout (train_/test_ prefix) or a generic X/Y file.
fn h5_data(path: &Path) -> Result<LoadedData<Dataset>> {
    let file = h5::open(path)?;
    let names = file.member_names().unwrap_or_default();
    let course_prefix = ["test", "train"]
        .into_iter()
        .find(|p| names.contains(&format!("{p}_set_x")));
    if let Some(prefix) = course_prefix {
        let (set, classes, shape) = data::cat::load(path, prefix)?;
        return Ok(LoadedData {
            train: set,
            test: None,
            classes,
            image_shape: Some(shape),
            input: Default::default(),
            notes: Vec::new(),
        });
    }
    let generic = DataConfig::of(DataSource::H5 {
        train: crate::config::absolute(Path::new("."), path),
        test: None,
        x: "X".into(),
        y: "Y".into(),
        layout: Default::default(),
    });
    data::load_source(&generic)
}

#[derive(clap::Args, Debug)]
pub struct EvaluateArgs {
    pub run_dir: PathBuf,
    /// Evaluate on another config's data, an HDF5 file or (a model trained on a table) a CSV
    /// table instead of the run's own.
    #[arg(long, value_name = "CONFIG_H5_OR_CSV")]
    pub data: Option<PathBuf>,
}

pub fn evaluate(args: EvaluateArgs, compute: Compute) -> Result<()> {
    let (dir, data) = (args.run_dir.as_path(), args.data.as_deref());
    let run = run_dir::load(dir, compute)?;
    let split = data_for(&run, data, compute.backend)?;
    let n_x = run.metrics.layers[0];
    let dtype = run.config.config.train.precision.dtype();
    let mut report = String::new();
    let mut sets: Vec<(&str, &Examples)> = Vec::new();
    if data.is_some() {
        sets.push(("data", &split.train));
    } else {
        sets.push(("train", &split.train));
        if let Some(t) = &split.test {
            sets.push(("test", t));
        }
    }
    let [c0, c1] = &split.classes;
    let mut csv = String::from("set,index,label,probability,prediction\n");
    let mut tiles = Vec::new();
    for (name, set) in &sets {
        if set.n_x() != n_x {
            return Err(Error::data(
                data.unwrap_or(dir),
                format!(
                    "has {} features per example but the model takes {n_x}",
                    set.n_x()
                ),
            ));
        }
        let probs = score(&run.model, set, dtype, compute)?.probabilities;
        let acc = accuracy(&probs, set.y());
        let c = Confusion::new(&probs, set.y());
        let _ = writeln!(report, "{name} accuracy: {acc:.2} % ({} examples)", set.m());
        let _ = writeln!(
            report,
            "  confusion matrix (rows: label, columns: prediction)"
        );
        let w = c0.len().max(c1.len()).max(8);
        let _ = writeln!(report, "  {:>w$}  {:>w$}  {:>w$}", "", c0, c1);
        let _ = writeln!(
            report,
            "  {:>w$}  {:>w$}  {:>w$}",
            c0, c.true_negative, c.false_positive
        );
        let _ = writeln!(
            report,
            "  {:>w$}  {:>w$}  {:>w$}",
            c1, c.false_negative, c.true_positive
        );
        for (i, (&p, &y)) in probs.iter().zip(set.y()).enumerate() {
            let predicted = predicted_class(p);
            let _ = writeln!(csv, "{name},{i},{y},{p:.9},{predicted}");
            if predicted as f64 != y && split.image_shape.is_some() && tiles.len() < 40 {
                let mut pixels = set.example(i)?;
                if let Some(scaling) = &run.input.scaling {
                    scaling.unapply_one(&mut pixels);
                }
                let rgb: Vec<u8> = pixels
                    .iter()
                    .map(|v| (v * 255.0).round().clamp(0.0, 255.0) as u8)
                    .collect();
                let caption = format!(
                    "{name} #{i}: predicted {}, is {}",
                    class_name(p, &split.classes),
                    split.classes[y as usize]
                );
                tiles.push(Tile { rgb, caption });
            }
        }
    }
    print!("{report}");
    write_atomic(&run.dir.join("predictions.csv"), csv.as_bytes())?;
    println!(
        "per-example probabilities: {}",
        run.dir.join("predictions.csv").display()
    );
    if let Some([h, w, _]) = split.image_shape {
        if tiles.is_empty() {
            println!("no mislabelled pictures");
        } else {
            plot::image_grid(
                &run.dir,
                "mislabelled",
                "mislabelled pictures",
                &tiles,
                h,
                w,
            )?;
            println!(
                "mislabelled pictures ({}): {}",
                tiles.len(),
                run.dir.join("mislabelled.png").display()
            );
        }
    }
    Ok(())
}
