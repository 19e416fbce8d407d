//! HDF5 reading: the generic `X`/`Y` data set, and the checked reads the course's layout
//! (`cat.rs`) and parameter files (`params_file.rs`) share. Every failure names the file, the
//! dataset and what was expected.

use std::path::Path;

use hdf5::types::{FloatSize, IntSize, TypeDescriptor};

use super::Dataset;
use crate::config::H5Layout;
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
    group
        .dataset(name)
        .map_err(|_| not_found(group, path, &format!("dataset `{name}`"), ""))
}

/// The error for `what` (a dataset or group, with its name) missing from `group` of the file at
/// `path`: it lists what `group` holds instead, sorted ("nothing" when empty), then `advice`.
pub fn not_found(group: &hdf5::Group, path: &Path, what: &str, advice: &str) -> Error {
    let mut present = group.member_names().unwrap_or_default();
    present.sort();
    let found = if present.is_empty() {
        "nothing".to_string()
    } else {
        present.join(", ")
    };
    Error::data(path, format!("has no {what} (found: {found}){advice}"))
}

/// The labels dataset `name` of `file`: integers, of rank 1 or 2, read as f64 with their shape
/// (not yet checked to be class numbers: [`check_labels`]).
pub fn read_label_values(
    file: &hdf5::File,
    path: &Path,
    name: &str,
) -> Result<(Vec<f64>, Vec<usize>)> {
    read_f64(
        &dataset(file, path, name)?,
        path,
        name,
        Elements::Integer,
        &[1, 2],
    )
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
    let shape = checked_shape(ds, path, name, want, ranks)?;
    let values = ds.read_raw::<f64>().map_err(|e| {
        Error::data(
            path,
            format!("dataset `{name}` cannot be read ({e}); the file may be truncated or corrupt"),
        )
    })?;
    Ok((values, shape))
}

/// The shape of a numeric dataset, after checking its element type, its rank, and that its
/// declared size fits the file (nothing is read).
pub fn checked_shape(
    ds: &hdf5::Dataset,
    path: &Path,
    name: &str,
    want: Elements,
    ranks: &[usize],
) -> Result<Vec<usize>> {
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
            Elements::Integer => "integer labels, the class numbers 0, 1, …, K−1",
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
    let file_bytes = file_length(path).unwrap_or(u64::MAX);
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
    Ok(shape)
}

fn file_length(path: &Path) -> Option<u64> {
    std::fs::metadata(path).map(|m| m.len()).ok()
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

/// Check that labels are class numbers 0, 1, 2, … (whole numbers ≥ 0) and return them as f64;
/// how many classes they make is [`super::classes::numbered`]'s to say.
pub fn check_labels(values: Vec<f64>, path: &Path, name: &str) -> Result<Vec<f64>> {
    if let Some((i, v)) = values
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_finite() && **v >= 0.0 && v.fract() == 0.0))
    {
        return Err(Error::data(
            path,
            format!(
                "dataset `{name}` has label {v} at index {i}; labels must be the class numbers 0, 1, …, K−1"
            ),
        ));
    }
    Ok(values)
}

/// Examples of an HDF5 dataset read a block of consecutive examples at a time (one hyperslab
/// per block), as rows of n_x values: what streaming reads, and what loading a whole set reads
/// in one block.
pub struct Blocks {
    path: std::path::PathBuf,
    /// Kept open for as long as the dataset is read.
    _file: hdf5::File,
    ds: hdf5::Dataset,
    name: String,
    /// The dataset's shape; examples run along the first axis when `examples_first`, else the
    /// second (the notes' (n_x, m)).
    shape: Vec<usize>,
    examples_first: bool,
    /// Every value is divided by this (255 for the course's pixels, else 1).
    divisor: f64,
    /// The file's length when it was opened: a file that changes under a run is an error, not
    /// zeros (HDF5 reads past the end of a truncated file as zeros).
    length: u64,
    pub n_x: usize,
    pub m: usize,
}

impl Blocks {
    /// `ds` (named `name` in `file` at `path`), already checked by [`checked_shape`].
    pub fn new(
        path: &Path,
        file: hdf5::File,
        ds: hdf5::Dataset,
        name: &str,
        examples_first: bool,
        divisor: f64,
    ) -> Blocks {
        let shape = ds.shape();
        let (m, n_x) = if examples_first {
            (shape[0], shape[1..].iter().product())
        } else {
            (shape[1], shape[0])
        };
        Blocks {
            path: path.to_path_buf(),
            _file: file,
            ds,
            name: name.to_string(),
            shape,
            examples_first,
            divisor,
            length: file_length(path).unwrap_or(0),
            n_x,
            m,
        }
    }

    /// Examples `start .. start + count` as rows: value f of example i at `[i * n_x + f]`.
    pub fn read_rows(&self, start: usize, count: usize) -> Result<Vec<f64>> {
        let values = self.read_slab(start, count)?;
        Ok(if self.examples_first {
            values
        } else {
            crate::tensor_util::transpose(&values, self.n_x, count)
        })
    }

    /// Every example, in the notes' layout (a file already in it is not transposed).
    pub fn read_all(&self, y: Vec<f64>) -> Result<Dataset> {
        let values = self.read_slab(0, self.m)?;
        Ok(if self.examples_first {
            Dataset::from_rows(self.n_x, &values, y)
        } else {
            Dataset {
                n_x: self.n_x,
                m: self.m,
                x: values,
                y,
            }
        })
    }

    /// Examples `start .. start + count` as the file stores them, (count, …) or (n_x, count),
    /// scaled by the divisor.
    fn read_slab(&self, start: usize, count: usize) -> Result<Vec<f64>> {
        let end = start + count;
        // The length is checked before and after the read: a file cut or replaced between the
        // check and the read makes the read fail or return other bytes, and either way the user
        // is told the same thing, whichever side of the read the change landed on.
        let changed = || {
            let now = file_length(&self.path).unwrap_or(0);
            (now != self.length).then(|| {
                Error::data(
                    &self.path,
                    format!(
                        "changed while it was being read: it was {} bytes and is now {now} (truncated or replaced); \
                         restore the file, then try again",
                        self.length
                    ),
                )
            })
        };
        if let Some(e) = changed() {
            return Err(e);
        }
        let failed = |e: hdf5::Error| {
            changed().unwrap_or_else(|| {
                Error::data(
                    &self.path,
                    format!(
                        "examples {start}..{end} of dataset `{}` cannot be read ({e}); the file may be truncated or corrupt",
                        self.name
                    ),
                )
            })
        };
        let mut slab: Vec<hdf5::SliceOrIndex> = self.shape.iter().map(|_| (..).into()).collect();
        let axis = if self.examples_first { 0 } else { 1 };
        slab[axis] = (start..end).into();
        let selection = hdf5::Selection::from(hdf5::Hyperslab::from(slab));
        let block = self
            .ds
            .read_slice::<f64, _, nd::IxDyn>(selection)
            .map_err(failed)?;
        if let Some(e) = changed() {
            return Err(e);
        }
        // A freshly read hyperslab is in standard (row-major) order, from offset 0.
        let mut values = block.into_raw_vec_and_offset().0;
        if let Some(k) = values.iter().position(|v| !v.is_finite()) {
            // (count, n_x) or (n_x, count): which example and feature the k-th value is.
            let (example, feature) = if self.examples_first {
                (start + k / self.n_x.max(1), k % self.n_x.max(1))
            } else {
                (start + k % count.max(1), k / count.max(1))
            };
            return Err(Error::data(
                &self.path,
                format!(
                    "dataset `{}` holds {} at example {example}, feature {feature}: every value \
                     must be a finite number; fix or remove that example",
                    self.name, values[k]
                ),
            ));
        }
        if self.divisor != 1.0 {
            values.iter_mut().for_each(|v| *v /= self.divisor);
        }
        Ok(values)
    }
}

/// A generic data set: `x_name` of floats, (n_x, m) or with `layout = "examples_first"` (m, …),
/// and `y_name` (m,), (1, m) or (m, 1) of 0/1 integers; read whole.
pub fn load_xy(path: &Path, x_name: &str, y_name: &str, layout: H5Layout) -> Result<Dataset> {
    let (blocks, y) = open_xy(path, x_name, y_name, layout)?;
    blocks.read_all(y)
}

/// The X of a generic data set, checked and ready to read by blocks, and its labels.
pub fn open_xy(
    path: &Path,
    x_name: &str,
    y_name: &str,
    layout: H5Layout,
) -> Result<(Blocks, Vec<f64>)> {
    let file = open(path)?;
    let examples_first = layout == H5Layout::ExamplesFirst;
    let x_ds = dataset(&file, path, x_name)?;
    let ranks: &[usize] = if examples_first { &[2, 3, 4, 5] } else { &[2] };
    checked_shape(&x_ds, path, x_name, Elements::Float, ranks)?;
    let (y, ys) = read_label_values(&file, path, y_name)?;
    let blocks = Blocks::new(path, file, x_ds, x_name, examples_first, 1.0);
    let (n_x, m) = (blocks.n_x, blocks.m);
    let one_row = ys.len() == 1 || ys[0] == 1 || ys[1] == 1;
    if !one_row {
        return Err(Error::data(
            path,
            format!(
                "dataset `{y_name}` has shape {ys:?}, expected (m,), (1, m) or (m, 1): one label per example"
            ),
        ));
    }
    let m_y = y.len();
    if m_y != m {
        let (axis, shape) = if examples_first {
            ("rows", "X is (m, …)")
        } else {
            (
                "columns",
                "X is (n_x, m), or set layout = \"examples_first\" for (m, n_x)",
            )
        };
        return Err(Error::data(
            path,
            format!(
                "`{x_name}` has {m} examples ({axis}) but `{y_name}` has {m_y} labels; they must match ({shape})"
            ),
        ));
    }
    if m == 0 || n_x == 0 {
        return Err(Error::data(
            path,
            format!(
                "`{x_name}` has shape {:?}: the data set is empty",
                blocks.shape
            ),
        ));
    }
    let y = check_labels(y, path, y_name)?;
    Ok((blocks, y))
}
