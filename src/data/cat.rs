//! The course's cat / non-cat files: `train_set_x` (m, 64, 64, 3) uint8, `train_set_y` (m,)
//! and `list_classes` (`non-cat`, `cat`); the test file uses the prefix `test_`.

use std::path::Path;

use super::Dataset;
use super::h5::{Elements, check_labels, dataset, open, read_f64};
use crate::{Error, Result};

/// One cat file, flattened exactly like the notes' `x.reshape(m, -1).T / 255`: feature index
/// `(row·64 + col)·3 + channel`, one example per column. Returns the data set, the class names
/// and the image shape (height, width, channels).
pub fn load(path: &Path, prefix: &str) -> Result<(Dataset, [String; 2], [usize; 3])> {
    if !path.exists() {
        return Err(Error::data(
            path,
            "no such file; `simplenn data fetch cat` downloads the course's two cat files into \
             datasets/ and checks them (or copy them there by hand: datasets/README.md)",
        ));
    }
    let file = open(path)?;
    let (x_name, y_name) = (format!("{prefix}_set_x"), format!("{prefix}_set_y"));
    let (pixels, shape) = read_f64(
        &dataset(&file, path, &x_name)?,
        path,
        &x_name,
        Elements::Bytes,
        &[4],
    )?;
    let (labels, yshape) = read_f64(
        &dataset(&file, path, &y_name)?,
        path,
        &y_name,
        Elements::Integer,
        &[1, 2],
    )?;
    let m = shape[0];
    let n_x = shape[1] * shape[2] * shape[3];
    let m_y = *yshape.last().unwrap_or(&0);
    if m_y != m {
        return Err(Error::data(
            path,
            format!("`{x_name}` has {m} images but `{y_name}` has {m_y} labels; they must match"),
        ));
    }
    if m == 0 {
        return Err(Error::data(
            path,
            format!("`{x_name}` holds no images: the data set is empty"),
        ));
    }
    let y = check_labels(labels, path, &y_name)?;
    // numpy's (m, n_x) row-major reshape, transposed to (n_x, m), scaled to [0, 1].
    let mut x = vec![0.0; n_x * m];
    for i in 0..m {
        for f in 0..n_x {
            x[f * m + i] = pixels[i * n_x + f] / 255.0;
        }
    }
    let classes = read_classes(&file, path)?;
    Ok((
        Dataset { n_x, m, x, y },
        classes,
        [shape[1], shape[2], shape[3]],
    ))
}

/// `list_classes`: fixed-length byte strings; the course files hold `non-cat`, `cat`.
fn read_classes(file: &hdf5::File, path: &Path) -> Result<[String; 2]> {
    let Ok(ds) = file.dataset("list_classes") else {
        return Ok(["non-cat".into(), "cat".into()]);
    };
    if ds.size() > 64 {
        return Err(Error::data(
            path,
            "`list_classes` must hold two class names",
        ));
    }
    let dtype = ds
        .dtype()
        .map_err(|e| Error::data(path, format!("`list_classes`: {e}")))?;
    let size = dtype.size();
    let bytes = ds
        .read_raw::<u8>()
        .ok()
        .filter(|b| b.len() == 2 * size)
        .or_else(|| read_fixed_ascii(&ds, size));
    match bytes {
        Some(b) if b.len() == 2 * size => {
            let name = |chunk: &[u8]| {
                String::from_utf8_lossy(chunk)
                    .trim_end_matches('\0')
                    .trim()
                    .to_string()
            };
            Ok([name(&b[..size]), name(&b[size..])])
        }
        _ => Err(Error::data(
            path,
            "`list_classes` must hold two fixed-length strings (class 0, class 1)",
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
