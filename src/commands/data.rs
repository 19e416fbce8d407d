//! `simplenn data fetch cat [--from URL_OR_DIR]… [--to DIR] [--timeout SECONDS]`.

use std::path::PathBuf;
use std::time::Duration;

use crate::Result;
use crate::data::fetch::{self, CAT_FILES, CAT_MIRRORS};

#[derive(clap::Args, Debug)]
pub struct DataArgs {
    #[command(subcommand)]
    pub command: DataCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum DataCommand {
    /// Download a data set's files, check their SHA-256 and put them into datasets/.
    Fetch(FetchArgs),
}

#[derive(clap::Args, Debug)]
pub struct FetchArgs {
    /// Which data set: `cat` (the course's train_catvnoncat.h5 and test_catvnoncat.h5).
    pub dataset: FetchedSet,
    /// Fetch from this base URL or folder instead of the public mirrors (repeatable: tried in
    /// order).
    #[arg(long = "from", value_name = "URL_OR_DIR")]
    pub from: Vec<String>,
    /// Where the files go.
    #[arg(long, default_value = "datasets")]
    pub to: PathBuf,
    /// Give up on a source after this many seconds.
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub timeout: u64,
}

/// The data sets `data fetch` knows.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum FetchedSet {
    Cat,
}

/// Run the `data` subcommand given.
pub fn data(args: DataArgs) -> Result<()> {
    match args.command {
        DataCommand::Fetch(args) => fetch(args),
    }
}

pub fn fetch(args: FetchArgs) -> Result<()> {
    let (wanted, mirrors) = match args.dataset {
        FetchedSet::Cat => (&CAT_FILES, &CAT_MIRRORS),
    };
    let sources: Vec<String> = if args.from.is_empty() {
        mirrors.iter().map(|m| m.to_string()).collect()
    } else {
        args.from
    };
    let report = fetch::fetch(
        wanted,
        &sources,
        &args.to,
        Duration::from_secs(args.timeout.max(1)),
    )?;
    for line in report {
        println!("{line}");
    }
    Ok(())
}
