//! simplenn: the classic course's simple neural networks — logistic regression, a shallow
//! network and an L-layer network — as Burn modules trained with autodiff, with the notes'
//! handwritten backward passes kept as an independent gradient checker.
//!
//! Data flows top to bottom: [`config`] → [`data`] → [`models`] → [`train`] → [`report`];
//! [`gradcheck`] sits beside training and reads only the model's parameters.

pub mod cli;
pub mod commands;
pub mod config;
pub mod data;
pub mod device;
pub mod error;
pub mod gradcheck;
pub mod image_input;
pub mod models;
pub mod nn;
pub mod plot;
pub mod report;
pub mod rng;
pub mod run;
pub mod saved;
pub mod tensor_util;
pub mod train;

pub use error::{Error, Result};
