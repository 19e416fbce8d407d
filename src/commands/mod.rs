//! What each subcommand does; `cli.rs` only parses arguments and dispatches here.

pub mod bench;
pub mod evaluate;
pub mod export;
pub mod predict;
pub mod progress;
pub mod sweep;
pub mod train;
