//! `simplenn predict RUN_DIR FILE…`: classify the user's own pictures (a model trained on
//! images), or the rows of CSV tables (a model trained on a CSV table). New examples go through
//! what the training set went through: the same resizing, the same columns, the same scaling.

use std::path::PathBuf;

use crate::data::{Dataset, Examples, UNNAMED_CLASSES, csv};
use crate::device::Compute;
use crate::image_input;
use crate::infer::{class_name, confidence, probabilities};
use crate::run_dir::{self, SavedRun};
use crate::{Error, Result};

#[derive(clap::Args, Debug)]
pub struct PredictArgs {
    pub run_dir: PathBuf,
    /// Pictures (a model trained on images) or CSV tables (a model trained on a CSV table).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

pub fn predict(args: PredictArgs, compute: Compute) -> Result<()> {
    let (dir, files) = (args.run_dir.as_path(), args.files.as_slice());
    let run = run_dir::load(dir, compute)?;
    let classes = run
        .metrics
        .classes
        .clone()
        .unwrap_or_else(|| UNNAMED_CLASSES.map(String::from));
    if let Some(columns) = &run.input.columns {
        return predict_rows(&run, columns, &classes, files, compute);
    }
    let Some(shape) = run.metrics.image_shape else {
        return Err(Error::Usage(format!(
            "{} was trained on {}-feature vectors, neither images nor a CSV table; predict needs a model trained on pictures (e.g. configs/deep_cat.toml) or on a CSV table",
            dir.display(),
            run.metrics.layers[0]
        )));
    };
    let mut failures = 0;
    for path in files {
        let features = match image_input::features(path, shape) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: {e}");
                failures += 1;
                continue;
            }
        };
        let p = probabilities_of(&run, vec![features], compute)?[0];
        println!(
            "{}: {} (p({}) = {p:.6}, confidence {:.1} %)",
            path.display(),
            class_name(p, &classes),
            classes[1],
            100.0 * confidence(p)
        );
    }
    if failures > 0 {
        return Err(Error::Usage(format!(
            "{failures} of {} image(s) could not be read (see above)",
            files.len()
        )));
    }
    Ok(())
}

/// Ŷ for new examples given one by one (each a vector of the model's features, as read), on
/// `compute`, after they went through what the training set went through (the run's input
/// record: [`crate::data::InputRecord::prepare`]).
fn probabilities_of(run: &SavedRun, examples: Vec<Vec<f64>>, compute: Compute) -> Result<Vec<f64>> {
    let mut set = Examples::Memory(Dataset::from_examples(
        run.metrics.layers[0],
        &examples,
        Vec::new(),
    ));
    run.input.prepare(&mut set);
    let set = set
        .in_memory()
        .ok_or_else(|| Error::Internal("examples given one by one are held in memory".into()))?;
    let dtype = run.config.config.train.precision.dtype();
    let x = set.x_matrix(compute.place(dtype, &compute.device()));
    probabilities(&run.model, &x)
}

/// Every row of every table, as CSV on stdout: `file,row,probability,class`, the class written
/// as the label column's own value.
fn predict_rows(
    run: &SavedRun,
    columns: &csv::Columns,
    classes: &[String; 2],
    files: &[PathBuf],
    compute: Compute,
) -> Result<()> {
    let mut tables = Vec::new();
    for path in files {
        tables.push((path, csv::read_features(path, columns)?));
    }
    let mut out = ::csv::Writer::from_writer(std::io::stdout().lock());
    let failed = |e: ::csv::Error| Error::Output(format!("writing the predictions: {e}"));
    out.write_record(["file", "row", "probability", columns.label.as_str()])
        .map_err(failed)?;
    for (path, rows) in tables {
        let probs = probabilities_of(run, rows, compute)?;
        for (i, p) in probs.iter().enumerate() {
            let record = [
                path.display().to_string(),
                (i + 1).to_string(),
                format!("{p:.9}"),
                class_name(*p, classes).clone(),
            ];
            out.write_record(&record).map_err(failed)?;
        }
    }
    out.flush()
        .map_err(|e| Error::Output(format!("writing the predictions: {e}")))?;
    Ok(())
}
