//! simplenn: the classic course's simple neural networks — logistic regression, a shallow
//! network and an L-layer network — as Burn modules trained with autodiff, with the notes'
//! handwritten backward passes kept as an independent gradient checker.
//!
//! Data flows top to bottom through one [`pipeline`]: [`config`] → [`data`] → [`models`] →
//! [`train`] → [`run_dir`]. [`gradcheck`] sits beside training and reads only the model's
//! parameters; [`fast`] (cargo feature `cpu-kernels`) holds the one operation with its own
//! kernels, the first layer's W·X on the CPU backends.

pub mod cli;
pub mod commands;
pub mod config;
pub mod data;
pub mod device;
pub mod error;
#[cfg(feature = "cpu-kernels")]
pub mod fast;
pub mod gradcheck;
pub mod image_input;
pub mod models;
pub mod nn;
pub mod optim;
pub mod params_file;
pub mod pipeline;
pub mod plot;
pub mod rng;
pub mod run_dir;
pub mod tensor_util;
pub mod train;

pub use error::{Error, Result};
