//! `kind = "csv"`: a table with a header row, one label column and numeric feature columns.
//! Labels are 0/1 or any two values; class 1 is `positive`, or else the second of the two values
//! in text order (so 1 for 0/1 labels). Every error names the file, the row and the column.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Dataset;
use super::classes::{self, Naming};
use crate::{Error, Result};

/// The columns a model was trained on: what `predict` reads from a new table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Columns {
    pub features: Vec<String>,
    pub label: String,
}

/// A CSV table, loaded.
pub struct Table {
    pub data: Dataset,
    pub columns: Columns,
    /// The label values of class 0 and class 1.
    pub classes: Vec<String>,
}

/// A row of a table: its line number in the file and its fields.
type Row = (u64, Vec<String>);

/// The header and the rows of a CSV file.
fn read(path: &Path) -> Result<(Vec<String>, Vec<Row>)> {
    let file = std::fs::File::open(path).map_err(|e| {
        let hint = match e.kind() {
            std::io::ErrorKind::NotFound => super::fetch::own_data_hint(path),
            _ => "",
        };
        Error::data(
            path,
            format!("cannot be read ({e}); check the path in data.train / data.test{hint}"),
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(file);
    let bad = |e: csv::Error| Error::data(path, format!("is not a readable CSV file ({e})"));
    let header: Vec<String> = reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(str::to_string)
        .collect();
    if header.iter().all(|h| h.is_empty()) {
        return Err(Error::data(
            path,
            "is empty; a CSV table needs a header row naming its columns, then one row per example",
        ));
    }
    if let Some(h) = header
        .iter()
        .find(|h| header.iter().filter(|o| o == h).count() > 1)
    {
        return Err(Error::data(
            path,
            format!("names the column \"{h}\" twice in its header; column names must be unique"),
        ));
    }
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(bad)?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            return Err(Error::data(
                path,
                format!(
                    "row at line {line} has {} field(s) but the header has {}; every row needs one value per column",
                    record.len(),
                    header.len()
                ),
            ));
        }
        records.push((line, record.iter().map(str::to_string).collect()));
    }
    if records.is_empty() {
        return Err(Error::data(
            path,
            "has a header but no rows; it needs at least one example",
        ));
    }
    Ok((header, records))
}

/// The index of column `name`, or an error that lists the columns.
fn column(path: &Path, header: &[String], name: &str, key: &str) -> Result<usize> {
    header.iter().position(|h| h == name).ok_or_else(|| {
        Error::data(
            path,
            format!(
                "has no column \"{name}\" (its columns: {}); set {key} to one of them",
                header.join(", ")
            ),
        )
    })
}

/// A feature cell as a finite number.
fn number(path: &Path, line: u64, name: &str, cell: &str) -> Result<f64> {
    let at = format!("line {line}, column \"{name}\"");
    if cell.is_empty() {
        return Err(Error::data(
            path,
            format!(
                "{at}: empty cell; every feature needs a number (fill it in or remove the row)"
            ),
        ));
    }
    let v: f64 = cell
        .parse()
        .map_err(|_| Error::data(path, format!("{at}: \"{cell}\" is not a number; feature columns must be numeric (leave text columns out with data.features)")))?;
    if !v.is_finite() {
        return Err(Error::data(
            path,
            format!(
                "{at}: {cell} is not a usable value; replace it with a number or remove the row"
            ),
        ));
    }
    Ok(v)
}

/// The feature values of every row (row by row), read by `columns`' names.
fn features_by_row(
    path: &Path,
    header: &[String],
    records: &[Row],
    features: &[String],
) -> Result<Vec<Vec<f64>>> {
    let idx: Vec<usize> = features
        .iter()
        .map(|f| column(path, header, f, "data.features"))
        .collect::<Result<_>>()?;
    records
        .iter()
        .map(|(line, row)| {
            idx.iter()
                .zip(features)
                .map(|(&c, name)| number(path, *line, name, &row[c]))
                .collect()
        })
        .collect()
}

/// Load a training table: the label column `label`, the feature columns `features` (default:
/// every other column), and the classes, the label values in text order or as `naming` says.
pub fn load_train(
    path: &Path,
    label: &str,
    features: Option<&[String]>,
    naming: Naming,
) -> Result<Table> {
    let (header, records) = read(path)?;
    let label_col = column(path, &header, label, "data.label")?;
    let features: Vec<String> = match features {
        Some(f) => f.to_vec(),
        None => header.iter().filter(|h| *h != label).cloned().collect(),
    };
    if features.is_empty() {
        return Err(Error::data(
            path,
            format!(
                "has no column besides the label \"{label}\"; it needs at least one feature column"
            ),
        ));
    }
    let mut values = BTreeSet::new();
    for (line, row) in &records {
        let v = &row[label_col];
        if v.is_empty() {
            return Err(Error::data(
                path,
                format!("line {line}, column \"{label}\": empty label; every row needs one"),
            ));
        }
        values.insert(v.clone());
    }
    let classes = classes::order(&values, naming)
        .map_err(|m| Error::data(path, format!("column \"{label}\": {m}")))?;
    let columns = Columns {
        features,
        label: label.to_string(),
    };
    let data = dataset(path, &header, &records, &columns, &classes)?;
    Ok(Table {
        data,
        columns,
        classes,
    })
}

/// Load a table with the columns and classes of a training table (a test set).
pub fn load_like(path: &Path, columns: &Columns, classes: &[String]) -> Result<Dataset> {
    let (header, records) = read(path)?;
    dataset(path, &header, &records, columns, classes)
}

fn dataset(
    path: &Path,
    header: &[String],
    records: &[Row],
    columns: &Columns,
    classes: &[String],
) -> Result<Dataset> {
    let label_col = column(path, header, &columns.label, "data.label")?;
    let y = records
        .iter()
        .map(|(line, row)| {
            let v = &row[label_col];
            match classes.iter().position(|c| c == v) {
                Some(class) => Ok(class as f64),
                None => Err(Error::data(
                    path,
                    format!(
                        "line {line}, column \"{}\": label \"{v}\" is not one of the training set's classes ({})",
                        columns.label,
                        classes::quoted(classes)
                    ),
                )),
            }
        })
        .collect::<Result<Vec<f64>>>()?;
    let rows = features_by_row(path, header, records, &columns.features)?;
    Ok(Dataset::from_examples(columns.features.len(), &rows, y))
}

/// The feature values of every row of a table with (at least) the given feature columns, for
/// `predict`; the label column may be absent.
pub fn read_features(path: &Path, columns: &Columns) -> Result<Vec<Vec<f64>>> {
    let (header, records) = read(path)?;
    features_by_row(path, &header, &records, &columns.features)
}
