//! `simplenn data fetch cat [--from URL_OR_DIR]… [--to DIR] [--timeout SECONDS]`.

use std::time::Duration;

use crate::Result;
use crate::cli::{FetchArgs, FetchedSet};
use crate::data::fetch::{self, CAT_FILES, CAT_MIRRORS};

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
