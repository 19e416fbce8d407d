//! Parameter files: `W1, b1, …, WL, bL` as f64 in the notes' shapes, in an HDF5 group — the
//! layout of the course's initial-weight files. `init.scheme = "h5"` reads them; `export` writes
//! them, so numpy can read a trained model and simplenn can start from it again.

use std::path::Path;

use crate::data::h5::{Elements, not_found, open, read_f64};
use crate::nn::LayerValues;
use crate::{Error, Result};

/// Read `W1, b1, …, WL, bL` from `group` of a parameter file, checking every shape against the
/// model's layer sizes `sizes = [n0, n1, …, nL]`.
pub fn read(path: &Path, group: &str, sizes: &[usize]) -> Result<Vec<LayerValues>> {
    let file = open(path)?;
    let g = if group.is_empty() || group == "/" {
        file.as_group()
            .map_err(|e| Error::data(path, format!("cannot read the root group: {e}")))?
    } else {
        file.group(group).map_err(|_| {
            not_found(
                &file,
                path,
                &format!("group `{group}`"),
                "; set init.group to one of them",
            )
        })?
    };
    let mut layers = Vec::new();
    for l in 1..sizes.len() {
        let (n_out, n_in) = (sizes[l], sizes[l - 1]);
        let read = |name: String, want: [usize; 2]| -> Result<Vec<f64>> {
            let ds = g.dataset(&name).map_err(|_| {
                Error::data(path, format!("group `{group}` has no dataset `{name}`; a model with layers {sizes:?} needs W1..W{n} and b1..b{n}", n = sizes.len() - 1))
            })?;
            let (v, shape) = read_f64(&ds, path, &name, Elements::Float, &[1, 2])?;
            let shape2 = if shape.len() == 1 {
                vec![shape[0], 1]
            } else {
                shape.clone()
            };
            if shape2 != want {
                return Err(Error::data(
                    path,
                    format!(
                        "`{group}/{name}` has shape {shape:?}, but layers {sizes:?} need ({}, {})",
                        want[0], want[1]
                    ),
                ));
            }
            Ok(v)
        };
        let w = read(format!("W{l}"), [n_out, n_in])?;
        let b = read(format!("b{l}"), [n_out, 1])?;
        layers.push(LayerValues { n_out, n_in, w, b });
    }
    Ok(layers)
}

/// Write `W1, b1, …` (f64, notes' shapes) into `group` of a new file at `path`.
pub fn write(path: &Path, group: &str, layers: &[LayerValues]) -> Result<()> {
    let io = |e: hdf5::Error| Error::data(path, format!("cannot be written: {e}"));
    let file = hdf5::File::create(path).map_err(io)?;
    let g = if group.is_empty() || group == "/" {
        file.as_group().map_err(io)?
    } else {
        file.create_group(group).map_err(io)?
    };
    for (i, layer) in layers.iter().enumerate() {
        let l = i + 1;
        let w = g
            .new_dataset::<f64>()
            .shape([layer.n_out, layer.n_in])
            .create(format!("W{l}").as_str())
            .map_err(io)?;
        w.write_raw(&layer.w[..]).map_err(io)?;
        let b = g
            .new_dataset::<f64>()
            .shape([layer.n_out, 1])
            .create(format!("b{l}").as_str())
            .map_err(io)?;
        b.write_raw(&layer.b[..]).map_err(io)?;
    }
    Ok(())
}
