//! `simplenn data fetch cat` against a local HTTP server on 127.0.0.1 that serves the course's
//! files whole, corrupted, truncated, not at all (404) and never (a stall). Every failure ends in
//! exit status 2 with a message that names the problem, and leaves nothing in the folder.

#[macro_use]
mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

const FILES: [&str; 2] = ["train_catvnoncat.h5", "test_catvnoncat.h5"];

/// Answer one request: `/good/F`, `/corrupt/F` (one byte changed), `/truncated/F` (half the
/// bytes, then the connection closes), `/onlytrain/F` (the training file only), `/stall/F`
/// (nothing, ever); anything else is a 404.
fn answer(mut stream: TcpStream, files: &[(String, Vec<u8>)]) {
    let mut request = String::new();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).map_or(true, |n| n == 0) || header.trim().is_empty() {
            break;
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let (mode, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let file = files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, b)| b.clone());
    let head = |len: usize| {
        format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n")
    };
    match (mode, file) {
        ("good", Some(bytes)) => {
            let _ = stream.write_all(head(bytes.len()).as_bytes());
            let _ = stream.write_all(&bytes);
        }
        ("corrupt", Some(mut bytes)) => {
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0xff;
            let _ = stream.write_all(head(bytes.len()).as_bytes());
            let _ = stream.write_all(&bytes);
        }
        ("truncated", Some(bytes)) => {
            let _ = stream.write_all(head(bytes.len()).as_bytes());
            let _ = stream.write_all(&bytes[..bytes.len() / 2]);
        }
        ("onlytrain", Some(bytes)) if name == FILES[0] => {
            let _ = stream.write_all(head(bytes.len()).as_bytes());
            let _ = stream.write_all(&bytes);
        }
        ("stall", _) => std::thread::sleep(Duration::from_secs(60)),
        _ => {
            let _ = stream.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    }
}

/// A server on 127.0.0.1 serving the course's files; returns its base URL.
fn serve(files: Vec<(String, Vec<u8>)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let files = files.clone();
            std::thread::spawn(move || answer(stream, &files));
        }
    });
    url
}

/// Names in a folder, hidden ones included.
fn contents(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn fetch(to: &Path, from: &[String], timeout: &str) -> std::process::Output {
    let mut cmd = common::simplenn();
    cmd.args(["data", "fetch", "cat", "--timeout", timeout, "--to"])
        .arg(to);
    for f in from {
        cmd.arg("--from").arg(f);
    }
    cmd.output().unwrap()
}

/// Fetch from each source in `cases` (mode, fragment of the message) into a folder of its own:
/// exit 2, the problem named, nothing written, within the time limit.
fn assert_each_fails(url: &str, cases: &[(&str, &str)], tmp: &Path) {
    for &(mode, fragment) in cases {
        let to = tmp.join(mode);
        let clock = Instant::now();
        let out = fetch(&to, &[format!("{url}/{mode}")], "2");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{mode}: {err}");
        assert!(err.contains(fragment), "{mode}: {err}");
        assert!(err.contains("nothing was written"), "{mode}: {err}");
        assert!(!err.contains("panicked"), "{mode}: {err}");
        assert_eq!(contents(&to), Vec::<String>::new(), "{mode} left files");
        assert!(
            clock.elapsed() < Duration::from_secs(30),
            "{mode} took {:?}",
            clock.elapsed()
        );
    }
}

#[test]
fn fetch_refuses_every_broken_download_and_writes_nothing() {
    // Made-up bytes under the course's names: whatever arrives, it is not the course's file, so
    // these cases need no real file and run everywhere.
    let files: Vec<(String, Vec<u8>)> = FILES
        .iter()
        .map(|name| {
            (
                name.to_string(),
                format!("not the {name} you want\n")
                    .repeat(4000)
                    .into_bytes(),
            )
        })
        .collect();
    let url = serve(files);
    let tmp = common::tempdir();
    assert_each_fails(
        &url,
        &[
            // Served whole and intact, but its SHA-256 is not the course's.
            ("good", "not the course's"),
            ("corrupt", "not the course's"),
            ("truncated", "the transfer broke off"),
            ("missing", "answered HTTP 404"),
            ("stall", "no answer within 2 s"),
        ],
        tmp.path(),
    );
    // Nothing listens on port 1: no source can be reached, which the message says at once.
    let to = tmp.path().join("offline");
    let out = fetch(&to, &["http://127.0.0.1:1".to_string()], "5");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no source could be reached (no network?)"),
        "{err}"
    );
    assert!(err.contains("datasets/README.md"), "{err}");
    assert_eq!(contents(&to), Vec::<String>::new());
}

#[test]
#[cfg_attr(
    not(cat_files),
    ignore = "needs the course's cat files in datasets/: cargo run -- data fetch cat"
)]
fn fetch_keeps_the_course_files_whole_and_only_them() {
    let (train, test) = (common::dataset(FILES[0]), common::dataset(FILES[1]));
    let files = vec![
        (FILES[0].to_string(), std::fs::read(&train).unwrap()),
        (FILES[1].to_string(), std::fs::read(&test).unwrap()),
    ];
    let url = serve(files.clone());
    let tmp = common::tempdir();
    // The course's bytes, broken; and the training file arriving whole while the test file
    // does not: neither is kept.
    assert_each_fails(
        &url,
        &[
            ("corrupt", "not the course's"),
            ("truncated", "the transfer broke off"),
            ("onlytrain", "cannot fetch test_catvnoncat.h5"),
        ],
        tmp.path(),
    );
    let same_bytes = |to: &Path| {
        let mut names = contents(to);
        names.sort();
        assert_eq!(names, vec![FILES[1].to_string(), FILES[0].to_string()]);
        for (name, bytes) in &files {
            assert!(
                &std::fs::read(to.join(name)).unwrap() == bytes,
                "{name} differs from the course's"
            );
        }
    };

    // A first mirror that fails, a second that works: both files, whole.
    let to = tmp.path().join("good");
    let out = fetch(&to, &[format!("{url}/missing"), format!("{url}/good")], "5");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    same_bytes(&to);
    // Files already there with the right checksum are kept, whatever the sources.
    let out = fetch(&to, &[format!("{url}/corrupt")], "5");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("already there"));
    same_bytes(&to);
    // A folder is a source too.
    let to = tmp.path().join("from_folder");
    let folder = train.parent().unwrap().display().to_string();
    let out = fetch(&to, &[folder], "5");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    same_bytes(&to);
}
