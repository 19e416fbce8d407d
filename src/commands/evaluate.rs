//! `simplenn evaluate RUN_DIR [--data CONFIG_H5_OR_CSV]`: reload a trained model and measure it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::atomic::write_atomic;
use crate::config::{DataConfig, DataSource};
use crate::confusion::Confusion;
use crate::data::{self, Dataset, Examples, LoadedData, classes, h5};
use crate::device::{Backend, Compute};
use crate::infer::score;
use crate::plot::{self, Tile};
use crate::run_dir::{self, SavedRun};
use crate::{Error, Result};

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
                validation: None,
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

fn csv_split(set: Dataset, classes: &[String]) -> LoadedData<Dataset> {
    LoadedData {
        train: set,
        test: None,
        validation: None,
        classes: classes.to_vec(),
        image_shape: None,
        input: Default::default(),
        notes: Vec::new(),
    }
}

/// Labels of other data by the run's class names: the same names in another order are
/// renumbered to the run's; other names are an error. Data without names of its own (an HDF5
/// `Y` of class numbers) is taken as it is, when its labels are among the run's classes.
fn align_classes(split: &mut LoadedData, run_classes: &[String], path: &Path) -> Result<()> {
    let k = run_classes.len();
    // A label past the data's own class names (a course-layout file with more labels than
    // `list_classes` names) has no name to be matched by.
    let names = split.classes.len();
    for set in std::iter::once(&split.train).chain(split.test.as_ref()) {
        if let Some((i, v)) = set
            .y()
            .iter()
            .enumerate()
            .find(|(_, v)| **v as usize >= names)
        {
            return Err(Error::data(
                path,
                format!(
                    "has label {v} at example {i}, but names only {names} classes ({}); labels must be 0 … {}",
                    classes::quoted(&split.classes),
                    names - 1
                ),
            ));
        }
    }
    if split.classes == run_classes {
        return Ok(());
    }
    if split.classes == classes::unnamed(split.classes.len()) {
        if split.classes.len() <= k {
            split.classes = run_classes.to_vec();
            return Ok(());
        }
        return Err(Error::data(
            path,
            format!(
                "has labels up to {}, but the model was trained on {k} classes ({}): labels 0 … {}",
                split.classes.len() - 1,
                classes::quoted(run_classes),
                k - 1
            ),
        ));
    }
    if !classes::same_names(&split.classes, run_classes) {
        return Err(Error::data(
            path,
            format!(
                "has the classes {}, but the model was trained on {}",
                classes::quoted(&split.classes),
                classes::quoted(run_classes)
            ),
        ));
    }
    let from = split.classes.clone();
    for set in std::iter::once(&mut split.train).chain(split.test.as_mut()) {
        classes::renumber(set.y_mut(), &from, run_classes);
    }
    split.classes = run_classes.to_vec();
    Ok(())
}

/// A CSV field: as it is, or quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
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
            validation: None,
            classes,
            image_shape: Some(shape),
            input: Default::default(),
            notes: Vec::new(),
        });
    }
    // X and Y as they are: the labels need not hold every class (a file of one class is fine
    // to evaluate on); `align_classes` checks them against the run's classes.
    let set = h5::load_xy(path, "X", "Y", Default::default())?;
    let largest = set.y.iter().fold(0.0f64, |a, &v| a.max(v));
    if largest >= set.m.max(2) as f64 {
        return Err(Error::data(
            path,
            format!(
                "dataset `Y` has label {largest}: more than any model's classes for {} examples",
                set.m
            ),
        ));
    }
    let classes = classes::unnamed(largest as usize + 1);
    Ok(LoadedData {
        train: set,
        test: None,
        validation: None,
        classes,
        image_shape: None,
        input: Default::default(),
        notes: Vec::new(),
    })
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
        if let Some(v) = &split.validation {
            sets.push(("validation", v));
        }
        if let Some(t) = &split.test {
            sets.push(("test", t));
        }
    }
    let units = run.model.units();
    let mut csv = String::from("set,index,label");
    if units == 1 {
        csv.push_str(",probability");
    } else {
        for c in &split.classes {
            let _ = write!(csv, ",{}", csv_field(&format!("p_{c}")));
        }
    }
    csv.push_str(",prediction\n");
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
        let outputs = score(&run.model, set, dtype, compute)?.outputs;
        let acc = outputs.accuracy(set.y());
        let predictions = outputs.predictions();
        let classes =
            Confusion::new(split.classes.len(), &predictions, set.y()).report(&split.classes);
        let _ = writeln!(report, "{name} accuracy: {acc:.2} % ({} examples)", set.m());
        report.push_str(&classes.table());
        for (i, (&predicted, &y)) in predictions.iter().zip(set.y()).enumerate() {
            let _ = write!(csv, "{name},{i},{y}");
            for p in outputs.units_of(i) {
                let _ = write!(csv, ",{p:.9}");
            }
            let _ = writeln!(csv, ",{predicted}");
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
                    split.classes[predicted], split.classes[y as usize]
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
