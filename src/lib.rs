//! simplenn: the classic course's simple neural networks — logistic regression, a shallow
//! network and an L-layer network — as Burn modules trained with autodiff, with the notes'
//! handwritten backward passes kept as an independent gradient checker.
//!
//! Data flows through one [`pipeline`]: [`config`] → [`data`] → [`models`] → [`train`] → a
//! [`run_result::RunResult`], which the command then writes with [`run_dir`]; a trained model is
//! applied to examples by [`infer`] alone. [`gradcheck`] sits beside training and reads only the
//! model's parameters; [`fast`] (cargo feature `cpu-kernels`) holds the one operation with its
//! own kernels, the first layer's W·X on the CPU backends.
//!
//! Imports point one way: a module uses only modules of the layers below its own, never one
//! above or beside it. The layers, top to bottom (`scripts/check-layers.sh` holds the same list
//! and fails on an import that points up or sideways):
//!
//! - [`cli`]: the top-level parser (`--backend`, the subcommands) and dispatch
//! - [`commands`]: each subcommand, with its clap arguments beside it
//! - [`pipeline`], [`run_dir`]: training a config into a [`run_result::RunResult`]; writing
//!   and reading run folders (neither uses the other: the commands join them)
//! - [`gradcheck`], [`plot`]
//! - [`params_file`], [`train`], [`run_result`]
//! - [`infer`], [`confusion`], [`regularize`]: what a model says about examples (Ŷ, the
//!   predicted class, accuracy, the cost J), written once for training, `evaluate`, `predict`
//!   and the plots; the confusion matrix and per-class precision, recall and F1; the L2 term
//!   and dropout's masks
//! - [`data`], [`optim`]
//! - [`config`]
//! - [`models`]
//! - [`nn`]
//! - [`fast`]
//! - [`device`]
//! - [`tensor_util`], [`image_input`], [`atomic`]: tensor helpers, reading pictures, files
//!   written whole or not at all
//! - [`error`], [`rng`]
//! - [`stop`]: where a run is and why it ended early, which [`error`] carries

pub mod atomic;
pub mod cli;
pub mod commands;
pub mod config;
pub mod confusion;
pub mod data;
pub mod device;
pub mod error;
#[cfg(feature = "cpu-kernels")]
pub mod fast;
pub mod gradcheck;
pub mod image_input;
pub mod infer;
pub mod models;
pub mod nn;
pub mod optim;
pub mod params_file;
pub mod pipeline;
pub mod plot;
pub mod regularize;
pub mod rng;
pub mod run_dir;
pub mod run_result;
pub mod stop;
pub mod tensor_util;
pub mod train;

pub use error::{Error, Result};
