//! `simplenn predict RUN_DIR FILE…`: classify the user's own pictures (a model trained on
//! images), or the rows of CSV tables (a model trained on a CSV table). New examples go through
//! what the training set went through: the same resizing, the same columns, the same scaling.

use std::path::PathBuf;

use crate::data::{Dataset, Examples, csv};
use crate::device::Compute;
use crate::image_input;
use crate::infer::{Outputs, probabilities};
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
    let classes = run.classes();
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
        let outputs = probabilities_of(&run, vec![features], compute)?;
        println!("{}: {}", path.display(), verdict(&outputs, &classes));
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
fn probabilities_of(run: &SavedRun, examples: Vec<Vec<f64>>, compute: Compute) -> Result<Outputs> {
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

/// What a picture is, in words: the predicted class by name and how sure the model is; for
/// two classes with Ŷ, the probability of class 1, for K with every class's probability.
fn verdict(outputs: &Outputs, classes: &[String]) -> String {
    let predicted = &classes[outputs.predicted(0)];
    let confidence = 100.0 * outputs.confidence(0);
    match outputs.units_of(0) {
        [p] => format!(
            "{predicted} (p({}) = {p:.6}, confidence {confidence:.1} %)",
            classes[1]
        ),
        all => {
            let each: Vec<String> = classes
                .iter()
                .zip(all)
                .map(|(c, p)| format!("p({c}) = {p:.6}"))
                .collect();
            format!(
                "{predicted} (confidence {confidence:.1} %; {})",
                each.join(", ")
            )
        }
    }
}

/// Every row of every table, as CSV on stdout: `file,row`, Ŷ (`probability`, the probability of
/// class 1, for two classes; one column `p_<class>` per class for K), then the predicted class
/// written as the label column's own value.
fn predict_rows(
    run: &SavedRun,
    columns: &csv::Columns,
    classes: &[String],
    files: &[PathBuf],
    compute: Compute,
) -> Result<()> {
    let mut tables = Vec::new();
    for path in files {
        tables.push((path, csv::read_features(path, columns)?));
    }
    let mut out = ::csv::Writer::from_writer(std::io::stdout().lock());
    let failed = |e: ::csv::Error| Error::Output(format!("writing the predictions: {e}"));
    let mut header = vec!["file".to_string(), "row".to_string()];
    match run.model.units() {
        1 => header.push("probability".into()),
        _ => header.extend(classes.iter().map(|c| format!("p_{c}"))),
    }
    header.push(columns.label.clone());
    out.write_record(&header).map_err(failed)?;
    for (path, rows) in tables {
        let outputs = probabilities_of(run, rows, compute)?;
        for i in 0..outputs.m() {
            let mut record = vec![path.display().to_string(), (i + 1).to_string()];
            record.extend(outputs.units_of(i).iter().map(|p| format!("{p:.9}")));
            record.push(classes[outputs.predicted(i)].clone());
            out.write_record(&record).map_err(failed)?;
        }
    }
    out.flush()
        .map_err(|e| Error::Output(format!("writing the predictions: {e}")))?;
    Ok(())
}
