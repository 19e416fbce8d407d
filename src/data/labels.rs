//! Settling the classes of a data set as the config asks: the order of named classes
//! (`data.classes`, `positive`), and the class numbers of an HDF5 `Y` checked and renumbered for
//! a training or a test set.

use std::path::Path;

use super::classes::{self, Naming};
use crate::config::{DataConfig, DataSource};
use crate::{Error, Result};

/// What `[data]` says of the classes' order: `classes`, or `positive` (pictures, tables).
pub(super) fn naming(config: &DataConfig) -> Naming<'_> {
    let positive = match &config.source {
        DataSource::Images { positive, .. } | DataSource::Csv { positive, .. } => {
            positive.as_deref()
        }
        _ => None,
    };
    Naming {
        fixed: config.classes.as_deref(),
        positive,
    }
}

/// Check the class numbers `y` (dataset `y_name` of the HDF5 file at `path`) and settle the
/// classes: the training set's (`classes` empty) are the file's own names `own` (`list_classes`)
/// or [`classes::numbered`] by the labels, put in the order `data.classes` asks for, `y`
/// renumbered to it; a test set's labels must be among them, renumbered alike.
pub(super) fn number_labels(
    path: &Path,
    y_name: &str,
    y: &mut [f64],
    own: Option<Vec<String>>,
    config: &DataConfig,
    classes: &mut Vec<String>,
) -> Result<()> {
    let in_file = |m: String| Error::data(path, format!("dataset `{y_name}` {m}"));
    if classes.is_empty() {
        let fixed = config.classes.as_deref();
        let (numbered, order) = match own {
            // The file names its classes, numbered in its order: data.classes may only
            // reorder them.
            Some(names) => {
                let numbered = classes::numbered(y, Some(&names)).map_err(in_file)?;
                let order = match fixed {
                    None => numbered.clone(),
                    Some(_) => classes::order(&names.iter().cloned().collect(), naming(config))
                        .map_err(|m| Error::data(path, format!("`list_classes`: {m}")))?,
                };
                (numbered, order)
            }
            // Numbers alone: data.classes names them, in order.
            None => {
                let numbered = classes::numbered(y, fixed).map_err(in_file)?;
                (numbered.clone(), numbered)
            }
        };
        classes::renumber(y, &numbered, &order);
        *classes = order;
        return Ok(());
    }
    classes::check_test_labels(y, classes.len()).map_err(in_file)?;
    if let Some(names) = own {
        if !classes::same_names(&names, classes) {
            return Err(Error::data(
                path,
                format!(
                    "`list_classes` names {} but the training set has {}; a test set needs the training set's classes",
                    classes::quoted(&names),
                    classes::quoted(classes)
                ),
            ));
        }
        classes::renumber(y, &names, classes);
    }
    Ok(())
}
