//! `simplenn data fetch cat`: the course's two cat files, downloaded from public mirrors (tried in
//! order) or copied from a folder, each checked against its SHA-256 (the values of
//! `datasets/README.md`) and moved into place only when complete and correct. A failure leaves
//! no file behind.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// A file to fetch: its name and SHA-256 (hex).
pub struct Wanted {
    pub name: &'static str,
    pub sha256: &'static str,
}

/// The course's cat / non-cat files (datasets/README.md lists the same checksums).
pub const CAT_FILES: [Wanted; 2] = [
    Wanted {
        name: "train_catvnoncat.h5",
        sha256: "fbe56ab67c3ae28d564e3a644189117976d6b31af0a3ce9bb17dbf22908af242",
    },
    Wanted {
        name: "test_catvnoncat.h5",
        sha256: "6a9d39ce52fa85953c5834695b8534a30ed8cfd54971fb2f080b5a24d002b951",
    },
];

/// Public copies of the course's `datasets/` folder, pinned to a commit so that their content
/// cannot change; the checksum decides whether a download is the course's file.
pub const CAT_MIRRORS: [&str; 3] = [
    "https://raw.githubusercontent.com/ramakris/coursera-deeplearning/b1c8f954b5711f918c75f764138837bbe1b3f7fc/datasets",
    "https://raw.githubusercontent.com/Youngyi/DeepLearning/dff21304241c5e651d4a6680cba6e23c3990e915/datasets",
    "https://raw.githubusercontent.com/giuseppefutia/word2vec/d11195fa8f20367a8ec767c603450592d6f53f20/datasets",
];

/// The end of the "does not exist" error of a file or folder that a script makes in the
/// repository's `datasets/`: `scripts/own-data-examples.sh` (the breast-cancer table, the cat
/// pictures written from the course's cat files) or `scripts/kclass-examples.sh` (iris, wine,
/// the digits pictures): how to make it. Empty for any other path. (The course's cat files
/// themselves: `simplenn data fetch cat`, `cat.rs`.)
pub fn own_data_hint(path: &Path) -> &'static str {
    let made_in = |folder: &str| path.ancestors().any(|f| f.ends_with(folder));
    if path.ends_with("datasets/breast_cancer.csv") || made_in("datasets/cat_pictures") {
        "; `bash scripts/own-data-examples.sh` makes it (README, Your own data)"
    } else if path.ends_with("datasets/iris.csv")
        || path.ends_with("datasets/wine.csv")
        || made_in("datasets/digits_pictures")
    {
        "; `bash scripts/kclass-examples.sh` makes it (README, K classes)"
    } else {
        ""
    }
}

/// No course file is near this size; a source that sends more is not serving one.
const MAX_BYTES: u64 = 64 << 20;

/// The SHA-256 of a file, in hex.
pub fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why one source did not deliver a file.
enum Failure {
    /// Nothing answered: no network, a wrong host, a refused connection.
    Unreachable(String),
    /// It answered, but not with the file.
    Bad(String),
}

/// Copy or download `name` from `source` into `tmp`, returning the SHA-256 of what was written.
fn get(
    source: &str,
    name: &str,
    tmp: &Path,
    timeout: Duration,
) -> std::result::Result<String, Failure> {
    let cannot_write =
        |e: std::io::Error| Failure::Bad(format!("cannot write {} ({e})", tmp.display()));
    let mut out = std::fs::File::create(tmp).map_err(cannot_write)?;
    let mut hasher = Sha256::new();
    let mut reader: Box<dyn Read> = if Path::new(source).is_dir() {
        let path = Path::new(source).join(name);
        Box::new(
            std::fs::File::open(&path)
                .map_err(|e| Failure::Bad(format!("cannot read {} ({e})", path.display())))?,
        )
    } else {
        let url = format!("{}/{name}", source.trim_end_matches('/'));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(timeout.min(Duration::from_secs(15))))
            .timeout_global(Some(timeout))
            .build()
            .into();
        let response = agent.get(&url).call().map_err(|e| match e {
            ureq::Error::StatusCode(code) => Failure::Bad(format!("{url} answered HTTP {code}")),
            ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => {
                Failure::Unreachable(format!("{url}: cannot connect ({e})"))
            }
            ureq::Error::Io(io) => Failure::Unreachable(format!("{url}: cannot connect ({io})")),
            ureq::Error::Timeout(_) => {
                Failure::Bad(format!("{url}: no answer within {} s", timeout.as_secs()))
            }
            e => Failure::Bad(format!("{url}: {e}")),
        })?;
        Box::new(response.into_body().into_reader())
    };
    let mut buffer = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                return Err(Failure::Bad(format!(
                    "{source}: the transfer broke off after {total} bytes ({e})"
                )));
            }
        };
        total += n as u64;
        if total > MAX_BYTES {
            return Err(Failure::Bad(format!(
                "{source}: sent more than {MAX_BYTES} bytes, which is not the course's file"
            )));
        }
        hasher.update(&buffer[..n]);
        out.write_all(&buffer[..n]).map_err(cannot_write)?;
    }
    out.sync_all().map_err(cannot_write)?;
    Ok(hex(&hasher.finalize()))
}

/// Put every wanted file into `to`, from the first source that delivers it whole and correct.
/// A file already in `to` with the right checksum is kept. All or nothing: the files are moved
/// into place only once every one of them has been fetched and checked. Returns one line per file.
pub fn fetch(
    wanted: &[Wanted],
    sources: &[String],
    to: &Path,
    timeout: Duration,
) -> Result<Vec<String>> {
    let created = !to.exists();
    std::fs::create_dir_all(to).map_err(|e| Error::io("cannot create folder", to, e))?;
    let mut report = Vec::new();
    // (temporary file, destination) of every file fetched so far.
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut outcome = Ok(());
    for file in wanted {
        let dest = to.join(file.name);
        if dest.is_file() && sha256_of(&dest).is_ok_and(|h| h == file.sha256) {
            report.push(format!(
                "{}: already there, checksum correct",
                dest.display()
            ));
            continue;
        }
        let tmp: PathBuf = to.join(format!(".{}.part-{}", file.name, std::process::id()));
        match fetch_one(file, sources, &tmp, timeout) {
            Ok(source) => {
                report.push(format!(
                    "{}: from {source}, checksum correct",
                    dest.display()
                ));
                staged.push((tmp, dest));
            }
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
    }
    if let Err(why) = outcome {
        for (tmp, _) in &staged {
            let _ = std::fs::remove_file(tmp);
        }
        if created {
            let _ = std::fs::remove_dir(to);
        }
        return Err(Error::Usage(format!(
            "{why}\nnothing was written to {}. Copy the course's files into it by hand \
             (datasets/README.md says where they come from and their SHA-256), or pass \
             --from URL_OR_DIR to fetch from another source",
            to.display()
        )));
    }
    for (tmp, dest) in staged {
        std::fs::rename(&tmp, &dest).map_err(|e| Error::io("cannot move into place", &dest, e))?;
    }
    Ok(report)
}

/// `file` into `tmp` from the first source that delivers it with the right checksum; the
/// source's name, or why none did.
fn fetch_one(
    file: &Wanted,
    sources: &[String],
    tmp: &Path,
    timeout: Duration,
) -> std::result::Result<String, String> {
    let mut failures = Vec::new();
    for source in sources {
        match get(source, file.name, tmp, timeout) {
            Ok(hash) if hash == file.sha256 => return Ok(source.clone()),
            Ok(hash) => failures.push(Failure::Bad(format!(
                "{source}: the file's SHA-256 is {hash}, not the course's {}: an incomplete or different file",
                file.sha256
            ))),
            Err(f) => failures.push(f),
        }
        let _ = std::fs::remove_file(tmp);
    }
    let unreachable = failures
        .iter()
        .all(|f| matches!(f, Failure::Unreachable(_)));
    let lines: Vec<String> = failures
        .iter()
        .map(|f| match f {
            Failure::Unreachable(m) | Failure::Bad(m) => format!("  - {m}"),
        })
        .collect();
    let headline = if unreachable {
        format!(
            "cannot fetch {}: no source could be reached (no network?)",
            file.name
        )
    } else {
        format!(
            "cannot fetch {}: no source delivered the course's file",
            file.name
        )
    };
    Err(format!("{headline}:\n{}", lines.join("\n")))
}
