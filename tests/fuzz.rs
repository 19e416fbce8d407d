//! Property-based fuzzing of the two parsers users feed: the config parser and the HDF5 loader.
//! Neither may panic, whatever the input; each must answer Ok or a clear error.
//!
//! CI runs a few hundred cases. For a long run (minutes):
//! `PROPTEST_CASES=60000 cargo test --test fuzz`

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use simplenn::config::Config;
use simplenn::data::{Dataset, h5};

const GOOD: &str = "[model]\nkind = \"deep\"\nlayers = [2, 3, 1]\nactivation = \"relu\"\n[data]\nkind = \"planar\"\nm = 40\n[init]\nscheme = \"he\"\nseed = 3\n[train]\nlearning_rate = 0.1\niterations = 5\nprecision = \"f64\"\n";

/// Tokens that make mutated configs interesting to the parser.
const TOKENS: &[&str] = &[
    "=",
    "[",
    "]",
    "\"",
    ",",
    "\n",
    "kind",
    "deep",
    "shallow",
    "logistic",
    "layers",
    "hidden",
    "-1",
    "0",
    "1e400",
    "nan",
    "inf",
    "\"relu\"",
    "[]",
    "[0]",
    "{",
    "}",
    "h5",
    "cat",
    "train",
    "'",
    "#",
    ".",
    "true",
    "18446744073709551616",
];

fn mutate(base: &str, edits: &[(usize, usize, usize)]) -> String {
    let mut s = base.to_string();
    for &(pos, len, token) in edits {
        let mut start = pos % (s.len() + 1);
        while !s.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + len % 8).min(s.len());
        while !s.is_char_boundary(end) {
            end += 1;
        }
        s.replace_range(start..end, TOKENS[token % TOKENS.len()]);
    }
    s
}

fn good_h5_bytes() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("good.h5");
    let data = Dataset {
        n_x: 2,
        m: 5,
        x: (0..10).map(|i| i as f64).collect(),
        y: vec![0.0, 1.0, 1.0, 0.0, 1.0],
    };
    h5::write_xy(&path, &data).unwrap();
    std::fs::read(path).unwrap()
}

static FILES: AtomicUsize = AtomicUsize::new(0);

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn config_parser_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        let _ = Config::parse(&text, "fuzz", &[]);
    }

    #[test]
    fn config_parser_never_panics_on_mutated_configs(edits in prop::collection::vec((0usize..400, 0usize..8, 0usize..64), 1..6)) {
        let text = mutate(GOOD, &edits);
        if let Ok(c) = Config::parse(&text, "fuzz", &[]) {
            // Whatever parses must also pass its own validation and serialise back.
            prop_assert!(c.validate().is_ok());
            prop_assert!(Config::parse(&c.to_toml(), "again", &[]).is_ok());
        }
    }

    #[test]
    fn overrides_never_panic(key in "[a-z_.]{0,20}", value in "\\PC{0,20}") {
        let _ = Config::parse(GOOD, "fuzz", &[format!("{key}={value}")]);
    }

    #[test]
    fn hdf5_loader_never_panics_on_corrupted_files(
        flips in prop::collection::vec((0usize..4096, any::<u8>()), 0..12),
        cut in prop::option::of(0usize..4096),
    ) {
        let mut bytes = good_h5_bytes();
        for (pos, value) in flips {
            let n = bytes.len();
            bytes[pos % n] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut % (bytes.len() + 1));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("fuzz{}.h5", FILES.fetch_add(1, Ordering::Relaxed)));
        std::fs::write(&path, &bytes).unwrap();
        if let Some(keep) = std::env::var_os("SIMPLENN_FUZZ_KEEP") {
            // Keep the case being loaded, to reproduce a crash that kills the process.
            std::fs::write(keep, &bytes).unwrap();
        }
        match h5::load_xy(&path, "X", "Y") {
            // A corruption that still loads must give a consistent data set.
            Ok(d) => prop_assert!(d.x.len() == d.n_x * d.m && d.y.len() == d.m && d.y.iter().all(|&v| v == 0.0 || v == 1.0)),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
