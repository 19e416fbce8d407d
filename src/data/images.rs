//! `kind = "images"`: a folder per class of PNG or JPEG pictures, the layout of torchvision's
//! `ImageFolder` and Keras' `image_dataset_from_directory`. Every picture is decoded, made RGB,
//! resized and scaled to [0, 1] by `image_input::features`, the same function `predict` uses, in
//! the course's pixel order: a course picture written as PNG gives back exactly the course's X.

use std::path::{Path, PathBuf};

use super::Dataset;
use super::classes::{self, Naming};
use crate::image_input;
use crate::{Error, Result};

/// A folder of class folders, loaded.
pub struct ImageFolder {
    pub data: Dataset,
    /// The names of classes 0 … K−1.
    pub classes: Vec<String>,
    /// What the user should know: files ignored, pictures skipped.
    pub notes: Vec<String>,
}

/// Whether a file name ends in .png, .jpg or .jpeg, in any case.
fn is_picture(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["png", "jpg", "jpeg"].contains(&e.to_ascii_lowercase().as_str()))
}

/// The entries of `dir`, sorted by name, without hidden ones (`.DS_Store`, `._x.png`,
/// `.ipynb_checkpoints`: what file managers and notebooks leave behind).
fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::data(dir, format!("cannot be listed ({e})")))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| !name_of(p).starts_with('.'))
        .collect();
    entries.sort();
    Ok(entries)
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A folder of class folders, listed: every picture with its label, in sorted order (class
/// folders by name, pictures by name within each).
pub struct Listing {
    /// The names of classes 0 … K−1.
    pub classes: Vec<String>,
    pub pictures: Vec<(PathBuf, f64)>,
    /// The class folders and their names, in sorted order.
    folders: Vec<(PathBuf, String)>,
    /// Files and folders that are not pictures in a class folder.
    ignored: usize,
}

/// List `dir`, which must hold two or more class folders with at least one PNG or JPEG
/// picture each. Their order is sorted, or as `naming` says ([`classes::order`]). `expected`
/// (for a test folder) are the training set's classes, which the folder must have too.
pub fn list(dir: &Path, naming: Naming, expected: Option<&[String]>) -> Result<Listing> {
    if !dir.is_dir() {
        let (what, hint) = if dir.exists() {
            ("is a file", "")
        } else {
            ("does not exist", super::fetch::own_data_hint(dir))
        };
        return Err(Error::data(
            dir,
            format!(
                "{what}; data.train and data.test name a folder with one subfolder of pictures per class{hint}"
            ),
        ));
    }
    let entries = sorted_entries(dir)?;
    let (folders, loose): (Vec<PathBuf>, Vec<PathBuf>) =
        entries.into_iter().partition(|p| p.is_dir());
    let names: Vec<String> = folders.iter().map(|f| name_of(f)).collect();
    if folders.len() < 2 {
        let found = if names.is_empty() {
            "no class folders".to_string()
        } else {
            format!("only the class folder {}", classes::quoted(&names))
        };
        return Err(Error::data(
            dir,
            format!(
                "has {found}; a classifier needs a subfolder of pictures for each of two or more classes, \
                 e.g. {0}/cat and {0}/non-cat",
                dir.display()
            ),
        ));
    }
    let classes = match expected {
        Some(classes) => {
            if !classes::same_names(classes, &names) {
                let mut want = classes.to_vec();
                want.sort();
                return Err(Error::data(
                    dir,
                    format!(
                        "has the class folders {} but the training set has {}; the test set needs the training set's classes",
                        classes::quoted(&names),
                        classes::quoted(&want)
                    ),
                ));
            }
            classes.to_vec()
        }
        None => classes::order(&names.iter().cloned().collect(), naming)
            .map_err(|m| Error::data(dir, format!("class folders: {m}")))?,
    };
    let mut pictures = Vec::new();
    let mut ignored = loose.len();
    for (folder, name) in folders.iter().zip(&names) {
        let label = label_of(name, &classes);
        let before = pictures.len();
        for file in sorted_entries(folder)? {
            if file.is_file() && is_picture(&file) {
                pictures.push((file, label));
            } else {
                ignored += 1;
            }
        }
        if pictures.len() == before {
            return Err(no_pictures(folder, name, ""));
        }
    }
    Ok(Listing {
        classes,
        pictures,
        folders: folders.into_iter().zip(names).collect(),
        ignored,
    })
}

/// The label of the pictures in class folder `name`: its class number.
fn label_of(name: &str, classes: &[String]) -> f64 {
    classes
        .iter()
        .position(|c| c == name)
        .expect("every class folder is a class") as f64
}

fn no_pictures(folder: &Path, name: &str, readable: &str) -> Error {
    Error::data(
        folder,
        format!(
            "class folder \"{name}\" has no {readable}PNG or JPEG pictures; every class needs at least one"
        ),
    )
}

/// The features of one listed picture, resized to `size` = [height, width]; an unreadable
/// picture's error says to remove or replace it, and then `what_next`.
pub fn decode(path: &Path, size: [usize; 2], what_next: &str) -> Result<Vec<f64>> {
    image_input::features(path, [size[0], size[1], 3]).map_err(|e| match e {
        Error::Image { path, message } => Error::Image {
            path,
            message: format!("{message}; remove or replace it, {what_next}"),
        },
        e => e,
    })
}

/// Load `dir` (see [`list`]), every picture decoded and resized to `size` = [height, width].
pub fn load(
    dir: &Path,
    size: [usize; 2],
    naming: Naming,
    skip_unreadable: bool,
    expected: Option<&[String]>,
) -> Result<ImageFolder> {
    let listing = list(dir, naming, expected)?;
    let mut x_by_example: Vec<Vec<f64>> = Vec::new();
    let mut y = Vec::new();
    let mut skipped = 0;
    for (file, label) in &listing.pictures {
        match decode(
            file,
            size,
            "or set data.skip_unreadable = true to skip pictures that cannot be read",
        ) {
            Ok(features) => {
                x_by_example.push(features);
                y.push(*label);
            }
            Err(_) if skip_unreadable => skipped += 1,
            Err(e) => return Err(e),
        }
    }
    for (folder, name) in &listing.folders {
        if !y.contains(&label_of(name, &listing.classes)) {
            return Err(no_pictures(folder, name, "readable "));
        }
    }
    let data = Dataset::from_examples(size[0] * size[1] * 3, &x_by_example, y);
    let mut notes = listing.notes(dir);
    if skipped > 0 {
        notes.push(format!(
            "{}: skipped {skipped} picture(s) that cannot be read (data.skip_unreadable = true)",
            dir.display()
        ));
    }
    Ok(ImageFolder {
        data,
        classes: listing.classes,
        notes,
    })
}

impl Listing {
    /// What the user should know about the listing (files ignored).
    pub fn notes(&self, dir: &Path) -> Vec<String> {
        (self.ignored > 0)
            .then(|| ignored_note(dir, self.ignored))
            .into_iter()
            .collect()
    }
}

fn ignored_note(dir: &Path, ignored: usize) -> String {
    format!(
        "{}: ignored {ignored} file(s) or folder(s) that are not PNG or JPEG pictures in a class folder",
        dir.display()
    )
}
