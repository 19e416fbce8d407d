//! Fuzzing of the two parsers users feed: the config parser and the HDF5 loader. Neither may
//! panic, whatever the input; each must answer Ok or a clear error. Inputs are drawn from a
//! seeded generator, so a failure names a case that reproduces.
//!
//! CI runs a few hundred cases per test. For a long run (minutes):
//! `SIMPLENN_FUZZ_CASES=60000 cargo test --test fuzz`

#[macro_use]
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use simplenn::config::Config;
use simplenn::data::h5;

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
    let dir = common::tempdir();
    let path = dir.path().join("good.h5");
    let x: Vec<f64> = (0..10).map(|i| i as f64).collect();
    common::write_xy(&path, &x, &[2, 5], &[0, 1, 1, 0, 1]);
    std::fs::read(path).unwrap()
}

/// SplitMix64: a tiny seeded generator, enough to draw fuzz inputs.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in 0..n.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Up to `max` printable characters: ASCII, accented and wide letters, emoji and tokens.
    fn text(&mut self, max: usize) -> String {
        const WIDE: &[char] = &['é', 'ß', '漢', '🙂', '\u{a0}', 'ğ', '∞'];
        let mut s = String::new();
        for _ in 0..self.below(max + 1) {
            match self.below(10) {
                0 => s.push(WIDE[self.below(WIDE.len())]),
                1 => s.push_str(TOKENS[self.below(TOKENS.len())]),
                _ => s.push(char::from(b' ' + self.below(95) as u8)),
            }
        }
        s
    }
}

/// Runs `case` on `SIMPLENN_FUZZ_CASES` (default 256) generators seeded 0, 1, 2, …; a panic
/// names the seed.
fn for_cases(name: &str, case: impl Fn(&mut Gen)) {
    let cases = std::env::var("SIMPLENN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256u64);
    for seed in 0..cases {
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(&mut Gen(seed))));
        if run.is_err() {
            panic!("{name}: case with seed {seed} failed (see the panic above)");
        }
    }
}

#[test]
fn config_parser_never_panics_on_arbitrary_text() {
    for_cases("arbitrary text", |g| {
        let _ = Config::parse(&g.text(200), "fuzz", &[]);
    });
}

#[test]
fn config_parser_never_panics_on_mutated_configs() {
    for_cases("mutated configs", |g| {
        let edits: Vec<(usize, usize, usize)> = (0..1 + g.below(5))
            .map(|_| (g.below(400), g.below(8), g.below(64)))
            .collect();
        let text = mutate(GOOD, &edits);
        if let Ok(c) = Config::parse(&text, "fuzz", &[]) {
            // Whatever parses must also pass its own validation and serialise back.
            assert!(c.validate().is_ok(), "{text}");
            assert!(Config::parse(&c.to_toml(), "again", &[]).is_ok(), "{text}");
        }
    });
}

#[test]
fn overrides_never_panic() {
    const KEY: &[u8] = b"abcdefghijklmnopqrstuvwxyz_.";
    for_cases("overrides", |g| {
        let key: String = (0..g.below(21))
            .map(|_| char::from(KEY[g.below(KEY.len())]))
            .collect();
        let value = g.text(20);
        let _ = Config::parse(GOOD, "fuzz", &[format!("{key}={value}")]);
    });
}

/// A new file name per case: HDF5 keeps track of open files by inode.
static FILES: AtomicUsize = AtomicUsize::new(0);

#[test]
fn hdf5_loader_never_panics_on_corrupted_files() {
    let good = good_h5_bytes();
    let dir = common::tempdir();
    for_cases("corrupted HDF5", |g| {
        let mut bytes = good.clone();
        for _ in 0..g.below(12) {
            let n = bytes.len();
            bytes[g.below(4096) % n] = g.next() as u8;
        }
        if g.below(2) == 0 {
            bytes.truncate(g.below(4096) % (bytes.len() + 1));
        }
        let path = dir
            .path()
            .join(format!("fuzz-{}.h5", FILES.fetch_add(1, Ordering::Relaxed)));
        std::fs::write(&path, &bytes).unwrap();
        if let Some(keep) = std::env::var_os("SIMPLENN_FUZZ_KEEP") {
            // Keep the case being loaded, to reproduce a crash that kills the process.
            std::fs::write(keep, &bytes).unwrap();
        }
        match h5::load_xy(&path, "X", "Y", Default::default()) {
            // A corruption that still loads must give a consistent data set.
            Ok(d) => assert!(
                d.x.len() == d.n_x * d.m
                    && d.y.len() == d.m
                    && d.y.iter().all(|&v| v >= 0.0 && v.fract() == 0.0)
            ),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    });
}
