//! Data sets in the notes' layout: X is (n_x, m), one example per column; Y is (1, m) of 0/1.

pub mod cat;
pub mod h5;
pub mod planar;

use burn::tensor::{DType, Device, Tensor};

use crate::nn::DataMatrix;
use crate::tensor_util::matrix;

/// A data set on the host. `x` is row-major (n_x, m): feature f of example i is `x[f * m + i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub n_x: usize,
    pub m: usize,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

impl Dataset {
    /// X (n_x, m) on a device, held as X and Xᵀ for the first layer's product
    /// ([`DataMatrix`]; the fast path may also hold Xᵀ).
    pub fn x_matrix(&self, dtype: DType, device: &Device) -> DataMatrix {
        DataMatrix::new(self.x.clone(), self.n_x, self.m, dtype, device)
    }

    /// Y (1, m) as a tensor.
    pub fn y_tensor(&self, dtype: DType, device: &Device) -> Tensor<2> {
        matrix(self.y.clone(), 1, self.m, dtype, device)
    }

    /// Column i (one example) as a vector of n_x features.
    pub fn example(&self, i: usize) -> Vec<f64> {
        (0..self.n_x).map(|f| self.x[f * self.m + i]).collect()
    }

    /// Number of examples labelled 1.
    pub fn positives(&self) -> usize {
        self.y.iter().filter(|&&v| v == 1.0).count()
    }
}

/// What a config's `[data]` section loads: a training set, an optional test set, and the names
/// of class 0 and class 1.
#[derive(Debug, Clone)]
pub struct DataSplit {
    pub train: Dataset,
    pub test: Option<Dataset>,
    pub classes: [String; 2],
    /// Height, width, channels when the examples are images (cat data).
    pub image_shape: Option<[usize; 3]>,
}

/// Load (or generate) what a config's `[data]` section names.
pub fn load(
    config: &crate::config::DataConfig,
    base_dir: &std::path::Path,
) -> crate::Result<DataSplit> {
    use crate::config::{DataConfig, absolute};
    match config {
        DataConfig::Planar { m, noise, seed } => Ok(DataSplit {
            train: planar::flower(*m, *noise, *seed),
            test: None,
            classes: ["red (0)".into(), "blue (1)".into()],
            image_shape: None,
        }),
        DataConfig::Cat { train, test } => {
            let (train, classes, shape) = cat::load(&absolute(base_dir, train), "train")?;
            let test = match test {
                Some(p) => {
                    let path = absolute(base_dir, p);
                    let (test, _, test_shape) = cat::load(&path, "test")?;
                    if test_shape != shape {
                        return Err(crate::Error::data(
                            path,
                            format!(
                                "test images are {test_shape:?} but training images are {shape:?}"
                            ),
                        ));
                    }
                    Some(test)
                }
                None => None,
            };
            Ok(DataSplit {
                train,
                test,
                classes,
                image_shape: Some(shape),
            })
        }
        DataConfig::H5 { train, test, x, y } => {
            let train = h5::load_xy(&absolute(base_dir, train), x, y)?;
            let test = match test {
                Some(p) => {
                    let path = absolute(base_dir, p);
                    let test = h5::load_xy(&path, x, y)?;
                    if test.n_x != train.n_x {
                        return Err(crate::Error::data(
                            path,
                            format!(
                                "test set has {} features but the training set has {}",
                                test.n_x, train.n_x
                            ),
                        ));
                    }
                    Some(test)
                }
                None => None,
            };
            Ok(DataSplit {
                train,
                test,
                classes: ["class 0".into(), "class 1".into()],
                image_shape: None,
            })
        }
    }
}
