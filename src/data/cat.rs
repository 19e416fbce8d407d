//! The course's cat / non-cat files: `train_set_x` (m, 64, 64, 3) uint8, `train_set_y` (m,)
//! and `list_classes` (`non-cat`, `cat`); the test file uses the prefix `test_`.

use std::path::Path;

use super::Dataset;
use super::h5::{Blocks, Elements, check_labels, checked_shape, dataset, open, read_label_values};
use crate::{Error, Result};

/// One cat file, flattened exactly like the notes' `x.reshape(m, -1).T / 255`: feature index
/// `(row·64 + col)·3 + channel`, one example per column. Returns the data set, the class names
/// and the image shape (height, width, channels).
pub fn load(path: &Path, prefix: &str) -> Result<(Dataset, Vec<String>, [usize; 3])> {
    let file = open_checked(path, prefix)?;
    let data = file.blocks.read_all(file.y)?;
    Ok((data, file.classes, file.shape))
}

/// A cat file, checked, its pixels ready to be read by blocks of pictures.
pub struct CatFile {
    /// The pixels, divided by 255 as they are read.
    pub blocks: Blocks,
    pub y: Vec<f64>,
    /// `list_classes`: the names of classes 0 … K−1.
    pub classes: Vec<String>,
    /// Height, width, channels.
    pub shape: [usize; 3],
}

/// Open the cat file at `path` (datasets `{prefix}_set_x`, `{prefix}_set_y`) and check it.
pub fn open_checked(path: &Path, prefix: &str) -> Result<CatFile> {
    if !path.exists() {
        return Err(Error::data(
            path,
            "no such file; `simplenn data fetch cat` downloads the course's two cat files into \
             datasets/ and checks them (or copy them there by hand: datasets/README.md)",
        ));
    }
    let file = open(path)?;
    let (x_name, y_name) = (format!("{prefix}_set_x"), format!("{prefix}_set_y"));
    let x_ds = dataset(&file, path, &x_name)?;
    let shape = checked_shape(&x_ds, path, &x_name, Elements::Bytes, &[4])?;
    let (labels, yshape) = read_label_values(&file, path, &y_name)?;
    let m = shape[0];
    let m_y = *yshape.last().unwrap_or(&0);
    if m_y != m {
        return Err(Error::data(
            path,
            format!("`{x_name}` has {m} images but `{y_name}` has {m_y} labels; they must match"),
        ));
    }
    if m == 0 || shape[1..].contains(&0) {
        return Err(Error::data(
            path,
            format!("`{x_name}` has shape {shape:?}: it holds no pixels"),
        ));
    }
    let y = check_labels(labels, path, &y_name)?;
    let classes = read_classes(&file, path)?;
    // numpy's (m, n_x) row-major reshape, scaled to [0, 1]; `Blocks` turns it into (n_x, m).
    let blocks = Blocks::new(path, file, x_ds, &x_name, true, 255.0);
    Ok(CatFile {
        blocks,
        y,
        classes,
        shape: [shape[1], shape[2], shape[3]],
    })
}

/// `list_classes`: fixed-length byte strings, one per class; the course files hold `non-cat`,
/// `cat`.
fn read_classes(file: &hdf5::File, path: &Path) -> Result<Vec<String>> {
    let Ok(ds) = file.dataset("list_classes") else {
        return Ok(vec!["non-cat".into(), "cat".into()]);
    };
    if ds.size() > 64 {
        return Err(Error::data(
            path,
            "`list_classes` must hold at most 64 class names",
        ));
    }
    let n = ds.size();
    let dtype = ds
        .dtype()
        .map_err(|e| Error::data(path, format!("`list_classes`: {e}")))?;
    let size = dtype.size();
    let bytes = ds
        .read_raw::<u8>()
        .ok()
        .filter(|b| b.len() == n * size)
        .or_else(|| read_fixed_ascii(&ds, size));
    match bytes {
        Some(b) if n >= 2 && size > 0 && b.len() == n * size => Ok(b
            .chunks(size)
            .map(|chunk| {
                String::from_utf8_lossy(chunk)
                    .trim_end_matches('\0')
                    .trim()
                    .to_string()
            })
            .collect()),
        _ => Err(Error::data(
            path,
            "`list_classes` must hold two or more fixed-length strings (class 0, class 1, …)",
        )),
    }
}

fn read_fixed_ascii(ds: &hdf5::Dataset, size: usize) -> Option<Vec<u8>> {
    use hdf5::types::FixedAscii;
    if size > 64 {
        return None;
    }
    let names = ds.read_raw::<FixedAscii<64>>().ok()?;
    let mut out = Vec::new();
    for n in names {
        let mut b = n.as_bytes().to_vec();
        b.resize(size, 0);
        out.extend(b);
    }
    Some(out)
}
