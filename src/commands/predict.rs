//! `simplenn predict RUN_DIR IMAGE…`: classify the user's own pictures.

use std::path::{Path, PathBuf};

use crate::image_input;
use crate::nn::DataMatrix;
use crate::run_dir;
use crate::train::probabilities;
use crate::{Error, Result};

pub fn predict(dir: &Path, images: &[PathBuf]) -> Result<()> {
    let run = run_dir::load(dir)?;
    let Some(shape) = run.metrics.image_shape else {
        return Err(Error::Usage(format!(
            "{} was trained on {}-feature vectors, not images; predict needs a model trained on image data (e.g. configs/deep_cat.toml)",
            dir.display(),
            run.metrics.layers[0]
        )));
    };
    let classes = run
        .metrics
        .classes
        .clone()
        .unwrap_or_else(|| ["class 0".into(), "class 1".into()]);
    let dtype = run.config.config.train.precision.dtype();
    let mut failures = 0;
    for path in images {
        let features = match image_input::features(path, shape) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: {e}");
                failures += 1;
                continue;
            }
        };
        let n = features.len();
        let p = probabilities(
            &run.model,
            &DataMatrix::new(features, n, 1, dtype, &crate::device::device()),
        )?[0];
        let (class, confidence) = if crate::train::predicted_class(p) == 1 {
            (&classes[1], p)
        } else {
            (&classes[0], 1.0 - p)
        };
        println!(
            "{}: {class} (p({}) = {p:.6}, confidence {:.1} %)",
            path.display(),
            classes[1],
            100.0 * confidence
        );
    }
    if failures > 0 {
        return Err(Error::Usage(format!(
            "{failures} of {} image(s) could not be read (see above)",
            images.len()
        )));
    }
    Ok(())
}
