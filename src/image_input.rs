//! The user's own pictures: decoded, resized to the model's input and flattened exactly like the
//! course's images (feature `(row·W + col)·3 + channel`, divided by 255).

use std::path::Path;

use image::imageops::FilterType;

use crate::{Error, Result};

/// Features of one image for a model trained on `[height, width, 3]` pictures.
pub fn features(path: &Path, shape: [usize; 3]) -> Result<Vec<f64>> {
    let fail = |m: String| Error::Image {
        path: path.to_path_buf(),
        message: m,
    };
    if path.is_dir() {
        return Err(fail(
            "is a directory; give image files (PNG or JPEG)".into(),
        ));
    }
    let reader = image::ImageReader::open(path)
        .and_then(|reader| reader.with_guessed_format())
        .map_err(|e| fail(format!("cannot be read ({e})")))?;
    if reader.format().is_none() {
        return Err(fail("is not a PNG or JPEG image".into()));
    }
    let img = reader
        .decode()
        .map_err(|e| fail(format!("cannot be decoded ({e}); is the file complete?")))?;
    let [height, width, channels] = shape;
    if channels != 3 {
        return Err(fail(format!(
            "the model expects {channels}-channel images; simplenn reads RGB only"
        )));
    }
    let rgb = img.to_rgb8();
    // Bilinear resizing, like the course's scipy/PIL `imresize`; no resampling when the size
    // already matches, so a course image written as PNG gives back the very same features.
    let rgb = if rgb.dimensions() == (width as u32, height as u32) {
        rgb
    } else {
        image::imageops::resize(&rgb, width as u32, height as u32, FilterType::Triangle)
    };
    Ok(rgb.as_raw().iter().map(|&v| v as f64 / 255.0).collect())
}

/// Write a course-layout RGB image (row-major `height × width × 3` bytes) as PNG.
pub fn write_png(path: &Path, rgb: &[u8], height: usize, width: usize) -> Result<()> {
    image::save_buffer(
        path,
        rgb,
        width as u32,
        height as u32,
        image::ExtendedColorType::Rgb8,
    )
    .map_err(|e| Error::Image {
        path: path.to_path_buf(),
        message: format!("cannot be written ({e})"),
    })
}
