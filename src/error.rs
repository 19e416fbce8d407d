//! The one error type of simplenn. Every message names the problem *and* the fix, because the
//! people reading it are learning; the binary prints the whole chain and picks the exit code.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A config file (or a `--set` override) that cannot be used as written.
    #[error("config {path}: {message}")]
    Config { path: String, message: String },

    /// A data or parameter file that is missing, unreadable or not laid out as expected.
    #[error("data file {path}: {message}")]
    Data { path: PathBuf, message: String },

    /// A file of a run folder (`metrics.json`, `input.json`, …) that cannot be read as what
    /// `simplenn train` writes there, or that no longer fits the data it describes.
    #[error("run folder file {path}: {message}")]
    RunFile { path: PathBuf, message: String },

    /// A starting point (a run folder's checkpoint, or given parameters) that does not fit the
    /// data or the config it is to go on with; `dir` is the run folder.
    #[error("checkpoint {}: {message}", dir.display())]
    Checkpoint { dir: PathBuf, message: String },

    /// An image given to `predict` that cannot be used.
    #[error("image {path}: {message}")]
    Image { path: PathBuf, message: String },

    /// Command-line arguments that are well-formed for clap but wrong for simplenn.
    #[error("{0}")]
    Usage(String),

    /// Training ended early (divergence, Ctrl-C); the run folder `dir` holds what it reached.
    #[error("{}", stop.message(Some(dir)))]
    Stopped {
        stop: crate::stop::Stop,
        dir: PathBuf,
    },

    /// Work stopped by Ctrl-C that leaves nothing to resume (a sweep).
    #[error("{0}")]
    Cancelled(String),

    /// A gradient check that ran and found disagreeing gradients.
    #[error("gradient check failed: {0}")]
    CheckFailed(String),

    /// Reading or writing a file of our own (run folders, reports).
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A figure or report could not be produced.
    #[error("writing output: {0}")]
    Output(String),

    /// A tensor operation failed inside Burn (device, dtype, readback, serialisation).
    #[error("tensor backend: {0}")]
    Backend(String),

    /// Something inside simplenn that should not fail did: a broken invariant (a value that
    /// cannot be missing, an example asked for twice), or a worker thread that could not start
    /// or died. Not the user's to fix; worth a bug report.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn config(path: impl std::fmt::Display, message: impl Into<String>) -> Self {
        Error::Config {
            path: path.to_string(),
            message: message.into(),
        }
    }

    pub fn data(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Data {
            path: path.into(),
            message: message.into(),
        }
    }

    pub fn run_file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::RunFile {
            path: path.into(),
            message: message.into(),
        }
    }

    /// A checkpoint error for the run whose config is `config` (the folder it sits in).
    pub fn checkpoint(config: impl AsRef<std::path::Path>, message: impl Into<String>) -> Self {
        let config = config.as_ref();
        Error::Checkpoint {
            dir: config.parent().unwrap_or(config).to_path_buf(),
            message: message.into(),
        }
    }

    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// The same error naming `to` where it named `from` (a temporary file written for `to`).
    pub fn with_path(self, from: &std::path::Path, to: &std::path::Path) -> Self {
        match self {
            Error::Data { path, message } if path == from => Error::data(to, message),
            Error::Io {
                action,
                path,
                source,
            } if path == from => Error::io(action, to, source),
            e => e,
        }
    }

    /// Exit status of the command line: 1 when a check ran and failed (or training diverged, or
    /// something failed inside Burn or simplenn), 2 for anything the user has to fix in their
    /// input.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::CheckFailed(_)
            | Error::Stopped {
                stop: crate::stop::Stop::Diverged { .. },
                ..
            }
            | Error::Backend(_)
            | Error::Internal(_)
            | Error::Output(_) => 1,
            // The data went wrong under the run: input to fix, then resume.
            Error::Stopped {
                stop: crate::stop::Stop::DataFailed { .. },
                ..
            } => 2,
            Error::Stopped { .. } | Error::Cancelled(_) => 130,
            _ => 2,
        }
    }
}
