//! HDF5 reading: the generic `X`/`Y` data set, and the checked reads the course's layout
//! (`cat.rs`) and parameter files (`params_file.rs`) share. Every failure names the file, the
//! dataset and what was expected.

use std::path::Path;

use hdf5::types::{FloatSize, IntSize, TypeDescriptor};

use super::Dataset;
use crate::{Error, Result};

/// Open an HDF5 file for reading, with errors a person can act on.
pub fn open(path: &Path) -> Result<hdf5::File> {
    hdf5::silence_errors(true);
    if !path.exists() {
        return Err(Error::data(
            path,
            "no such file; check the path (relative paths in a config are resolved from the config file's folder)",
        ));
    }
    if path.is_dir() {
        return Err(Error::data(path, "is a directory, expected an HDF5 file"));
    }
    hdf5::File::open(path).map_err(|e| {
        Error::data(
            path,
            format!(
                "cannot be opened as HDF5 ({e}); is it an HDF5 file, and complete (not truncated)?"
            ),
        )
    })
}

/// A dataset that must exist in `group`.
pub fn dataset(group: &hdf5::Group, path: &Path, name: &str) -> Result<hdf5::Dataset> {
    group.dataset(name).map_err(|_| {
        let mut present = group.member_names().unwrap_or_default();
        present.sort();
        Error::data(
            path,
            format!(
                "has no dataset `{name}` (found: {})",
                list_or_none(&present)
            ),
        )
    })
}

pub fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "nothing".into()
    } else {
        names.join(", ")
    }
}

fn descriptor(ds: &hdf5::Dataset, path: &Path, name: &str) -> Result<TypeDescriptor> {
    ds.dtype().and_then(|t| t.to_descriptor()).map_err(|e| {
        Error::data(
            path,
            format!("dataset `{name}` has an unreadable type: {e}"),
        )
    })
}

fn type_name(d: &TypeDescriptor) -> String {
    match d {
        TypeDescriptor::Integer(s) => format!("int{}", int_bits(*s)),
        TypeDescriptor::Unsigned(s) => format!("uint{}", int_bits(*s)),
        TypeDescriptor::Float(FloatSize::U4) => "float32".into(),
        TypeDescriptor::Float(FloatSize::U8) => "float64".into(),
        other => format!("{other:?}"),
    }
}

fn int_bits(s: IntSize) -> usize {
    s as usize * 8
}

/// The element kinds a dataset may be required to have.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Elements {
    /// Floating point features (the generic `X`, parameters).
    Float,
    /// Integer class labels.
    Integer,
    /// Unsigned bytes (the course's image pixels).
    Bytes,
}

/// Read a numeric dataset as f64, checking its element type and rank. Returns values (row-major)
/// and the shape.
pub fn read_f64(
    ds: &hdf5::Dataset,
    path: &Path,
    name: &str,
    want: Elements,
    ranks: &[usize],
) -> Result<(Vec<f64>, Vec<usize>)> {
    let d = descriptor(ds, path, name)?;
    let ok = match want {
        Elements::Float => matches!(d, TypeDescriptor::Float(_)),
        Elements::Integer => matches!(
            d,
            TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_) | TypeDescriptor::Boolean
        ),
        Elements::Bytes => matches!(d, TypeDescriptor::Unsigned(IntSize::U1)),
    };
    if !ok {
        let wanted = match want {
            Elements::Float => "floating-point values (float32 or float64)",
            Elements::Integer => "integer labels (0 or 1)",
            Elements::Bytes => "uint8 pixel values",
        };
        return Err(Error::data(
            path,
            format!(
                "dataset `{name}` holds {}, expected {wanted}",
                type_name(&d)
            ),
        ));
    }
    let shape = ds.shape();
    if !ranks.contains(&shape.len()) {
        let ranks: Vec<String> = ranks.iter().map(|r| r.to_string()).collect();
        return Err(Error::data(
            path,
            format!(
                "dataset `{name}` has shape {shape:?} (rank {}), expected rank {}",
                shape.len(),
                ranks.join(" or ")
            ),
        ));
    }
    // A corrupt header can declare an absurd shape; reading it would try to allocate terabytes.
    // Even a compressed dataset cannot hold more than ~1000 values per byte of file.
    let file_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(u64::MAX);
    let declared = shape.iter().try_fold(1u64, |n, &d| n.checked_mul(d as u64));
    if declared.is_none_or(|n| n > file_bytes.saturating_mul(1000)) {
        return Err(Error::data(
            path,
            format!(
                "dataset `{name}` declares shape {shape:?}, more values than this {file_bytes}-byte file can hold; the file is corrupt"
            ),
        ));
    }
    check_storage(ds, path, name, declared.unwrap_or(0), file_bytes)?;
    let values = ds.read_raw::<f64>().map_err(|e| {
        Error::data(
            path,
            format!("dataset `{name}` cannot be read ({e}); the file may be truncated or corrupt"),
        )
    })?;
    Ok((values, shape))
}

/// The Debian/Ubuntu HDF5 1.10 library trusts a dataset's storage description and reads out of
/// bounds (a crash, or gigabytes allocated) when a corrupt header disagrees with the data size —
/// found by `tests/fuzz.rs`. Check what can be checked before reading: compact data must be
/// exactly `n × element size` bytes, contiguous data must lie inside the file.
fn check_storage(
    ds: &hdf5::Dataset,
    path: &Path,
    name: &str,
    values: u64,
    file_bytes: u64,
) -> Result<()> {
    let element = ds.dtype().map(|t| t.size() as u64).unwrap_or(0);
    let needed = values.saturating_mul(element);
    let corrupt = |what: String| {
        Error::data(
            path,
            format!("dataset `{name}`: {what}; the file is corrupt or truncated"),
        )
    };
    match ds.layout() {
        hdf5::dataset::Layout::Compact if ds.storage_size() != needed => Err(corrupt(format!(
            "holds {} bytes of data for {values} values of {element} bytes",
            ds.storage_size()
        ))),
        hdf5::dataset::Layout::Contiguous => match ds.offset() {
            Some(offset) if offset.saturating_add(needed) > file_bytes => Err(corrupt(format!(
                "its data would end at byte {}, past the end of the {file_bytes}-byte file",
                offset.saturating_add(needed)
            ))),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Check 0/1 labels and return them as f64.
pub fn check_labels(values: Vec<f64>, path: &Path, name: &str) -> Result<Vec<f64>> {
    if let Some((i, v)) = values
        .iter()
        .enumerate()
        .find(|(_, v)| **v != 0.0 && **v != 1.0)
    {
        return Err(Error::data(
            path,
            format!(
                "dataset `{name}` has label {v} at index {i}; labels must be 0 or 1 (binary classification)"
            ),
        ));
    }
    Ok(values)
}

/// A generic data set: `x_name` (n_x, m) of floats and `y_name` (1, m) or (m,) of 0/1 integers.
pub fn load_xy(path: &Path, x_name: &str, y_name: &str) -> Result<Dataset> {
    let file = open(path)?;
    let (x, xs) = read_f64(
        &dataset(&file, path, x_name)?,
        path,
        x_name,
        Elements::Float,
        &[2],
    )?;
    let (y, ys) = read_f64(
        &dataset(&file, path, y_name)?,
        path,
        y_name,
        Elements::Integer,
        &[1, 2],
    )?;
    let (n_x, m) = (xs[0], xs[1]);
    let m_y = *ys.last().unwrap_or(&0);
    if ys.len() == 2 && ys[0] != 1 {
        return Err(Error::data(
            path,
            format!("dataset `{y_name}` has shape {ys:?}, expected (1, m): one row of labels"),
        ));
    }
    if m_y != m {
        return Err(Error::data(
            path,
            format!(
                "`{x_name}` has {m} examples (columns) but `{y_name}` has {m_y} labels; they must match (X is (n_x, m), Y is (1, m))"
            ),
        ));
    }
    if m == 0 || n_x == 0 {
        return Err(Error::data(
            path,
            format!("`{x_name}` has shape ({n_x}, {m}): the data set is empty"),
        ));
    }
    let y = check_labels(y, path, y_name)?;
    Ok(Dataset { n_x, m, x, y })
}
