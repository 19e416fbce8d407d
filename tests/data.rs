//! Data loaders and generators: the cat flattening order, the planar flower, the course's init.

#[macro_use]
mod common;

use simplenn::data::{cat, h5, planar};
use simplenn::nn::InitScheme;
use simplenn::nn::init::draw_layers;
use simplenn::params_file;

/// A cat file in the course's layout: `{prefix}_set_x` uint8 (m, h, w, 3) with pixel (i, row,
/// col, ch) = `pixel(i, row, col, ch)`, `{prefix}_set_y` int64 (m,), `list_classes`.
fn tiny_cat_file(path: &std::path::Path, prefix: &str, [m, h, w]: [usize; 3], y: &[i64]) {
    use hdf5::types::FixedAscii;
    let f = hdf5::File::create(path).unwrap();
    let mut pixels = Vec::with_capacity(m * h * w * 3);
    for i in 0..m {
        for row in 0..h {
            for col in 0..w {
                for ch in 0..3 {
                    pixels.push(pixel(i, row, col, ch));
                }
            }
        }
    }
    f.new_dataset::<u8>()
        .shape([m, h, w, 3])
        .create(format!("{prefix}_set_x").as_str())
        .unwrap()
        .write_raw(&pixels)
        .unwrap();
    f.new_dataset::<i64>()
        .shape([m])
        .create(format!("{prefix}_set_y").as_str())
        .unwrap()
        .write_raw(y)
        .unwrap();
    let names = [
        FixedAscii::<8>::from_ascii(b"dog").unwrap(),
        FixedAscii::<8>::from_ascii(b"no dog").unwrap(),
    ];
    f.new_dataset::<FixedAscii<8>>()
        .shape([2])
        .create("list_classes")
        .unwrap()
        .write_raw(&names)
        .unwrap();
}

/// The pixel at (picture, row, column, channel) of the tiny file (3 pictures of 4×5): one more
/// than its place in the file, so every pixel differs and a transposed or mis-strided read shows.
fn pixel(i: usize, row: usize, col: usize, ch: usize) -> u8 {
    (((i * 4 + row) * 5 + col) * 3 + ch + 1) as u8
}

#[test]
fn cat_loader_flattens_like_numpy_reshape_transpose() {
    // numpy: x.reshape(m, -1).T / 255, so feature (row·w + col)·3 + ch of example i is pixel
    // (i, row, col, ch). Every pixel of a 3-picture file of 4×5 pixels, checked one by one.
    let tmp = common::tempdir();
    let path = tmp.path().join("tiny.h5");
    let (m, h, w) = (3, 4, 5);
    tiny_cat_file(&path, "train", [m, h, w], &[1, 0, 1]);
    let (data, classes, shape) = cat::load(&path, "train").unwrap();
    assert_eq!(
        (data.n_x, data.m, data.x.len()),
        (h * w * 3, m, h * w * 3 * m)
    );
    assert_eq!(shape, [h, w, 3]);
    // Class 0 first, as stored.
    assert_eq!(classes, ["dog".to_string(), "no dog".to_string()]);
    assert_eq!(data.y, [1.0, 0.0, 1.0]);
    for i in 0..m {
        for row in 0..h {
            for col in 0..w {
                for ch in 0..3 {
                    let expected = pixel(i, row, col, ch) as f64 / 255.0;
                    let feature = (row * w + col) * 3 + ch;
                    assert_eq!(
                        data.x[feature * m + i],
                        expected,
                        "picture {i} ({row}, {col}, {ch})"
                    );
                    assert_eq!(data.example(i)[feature], expected);
                }
            }
        }
    }
    // The other prefix is the test file's; a file without it is refused, naming the dataset.
    let err = cat::load(&path, "test").unwrap_err().to_string();
    assert!(err.contains("test_set_x"), "{err}");
}

#[test]
#[cfg_attr(
    not(cat_files),
    ignore = "needs the course's cat files in datasets/: cargo run -- data fetch cat"
)]
fn the_course_cat_file_loads_as_the_course_says() {
    let path = common::dataset("train_catvnoncat.h5");
    let (data, classes, shape) = cat::load(&path, "train").unwrap();
    assert_eq!((data.n_x, data.m), (12288, 209));
    assert_eq!(shape, [64, 64, 3]);
    assert_eq!(classes, ["non-cat".to_string(), "cat".to_string()]);
    // Read one pixel straight from the file: image 25, row 10, column 37, blue channel.
    let file = hdf5::File::open(&path).unwrap();
    let raw: Vec<u8> = file.dataset("train_set_x").unwrap().read_raw().unwrap();
    let (i, row, col, ch) = (25, 10, 37, 2);
    let pixel = raw[((i * 64 + row) * 64 + col) * 3 + ch] as f64 / 255.0;
    let feature = (row * 64 + col) * 3 + ch;
    assert_eq!(data.x[feature * data.m + i], pixel);
    // Labels come through unchanged: 72 cats in the training set.
    assert_eq!(data.class_counts(2)[1], 72);
}

#[test]
fn planar_flower_equals_numpys_points() {
    // Points of numpy's flower (load_planar_dataset(), seed 1; datasets/planar_flower.csv),
    // (index, x1, x2, label): both petal sets, the first and last of each.
    let numpy = [
        (0, 1.204442292254319, 3.5761141481288448, 0.0),
        (1, 0.15870990398255372, -1.4821709003683443, 0.0),
        (133, 1.9294843307330813, -1.3907358896735182, 0.0),
        (199, -0.5858464101358456, -3.091259938950624, 0.0),
        (200, -1.0704958072229525, 3.682524609580073, 1.0),
        (287, -1.8542624815704614, 0.20958286910803303, 1.0),
        (399, 0.7307808250007513, 3.0683292081876545, 1.0),
    ];
    let d = planar::flower(400, 0.2, 1);
    assert_eq!((d.n_x, d.m, d.x.len(), d.y.len()), (2, 400, 800, 400));
    assert_eq!(d.class_counts(2)[1], 200);
    assert!(d.y[..200].iter().all(|&v| v == 0.0) && d.y[200..].iter().all(|&v| v == 1.0));
    for (i, x1, x2, y) in numpy {
        let ours = d.example(i);
        // Same random stream and formulas; only sin/cos of the two math libraries may differ in
        // the last bits.
        assert!(
            (ours[0] - x1).abs() < 1e-12 && (ours[1] - x2).abs() < 1e-12,
            "point {i}: ours {ours:?}, numpy ({x1}, {x2})"
        );
        assert_eq!(d.y[i], y, "point {i}");
    }
    let other = planar::flower(100, 0.0, 7);
    assert_eq!((other.m, other.class_counts(2)[1]), (100, 50));
}

#[test]
#[cfg_attr(
    not(flower_file),
    ignore = "needs numpy's datasets/planar_flower.h5 (datasets/README.md)"
)]
fn planar_flower_equals_the_numpy_generated_file() {
    let path = common::dataset("planar_flower.h5");
    let numpy = h5::load_xy(&path, "X", "Y", Default::default()).unwrap();
    let ours = planar::flower(400, 0.2, 1);
    assert_eq!(ours.y, numpy.y);
    assert_eq!(ours.x.len(), numpy.x.len());
    let worst = ours
        .x
        .iter()
        .zip(&numpy.x)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(
        worst < 1e-12,
        "largest difference from numpy's flower: {worst}"
    );
}

#[test]
#[cfg_attr(
    not(course_reference),
    ignore = "needs the course reference files: set SIMPLENN_REFERENCE_DIR to their folder"
)]
fn seeded_init_reproduces_the_course_initial_weights() {
    let path = common::reference("course_init_params.h5");
    let cases: [(&str, Vec<usize>, InitScheme, u32); 3] = [
        ("shallow_nh4", vec![2, 4, 1], InitScheme::NormalScaled, 2),
        (
            "two_layer_12288_7_1",
            vec![12288, 7, 1],
            InitScheme::NormalScaled,
            1,
        ),
        (
            "deep_12288_20_7_5_1",
            vec![12288, 20, 7, 5, 1],
            InitScheme::NormalSqrtPrev,
            1,
        ),
    ];
    for (group, sizes, scheme, seed) in cases {
        let course = params_file::read(&path, group, &sizes).unwrap();
        let ours = draw_layers(&sizes, scheme, 0.01, seed);
        assert_eq!(
            ours, course,
            "{group}: simplenn's seeded draw differs from the course's weights"
        );
    }
}

#[test]
fn params_round_trip_through_hdf5() {
    let dir = common::tempdir();
    let layers = draw_layers(&[5, 3, 1], InitScheme::He, 0.01, 9);
    let path = dir.path().join("p.h5");
    params_file::write(&path, "net", &layers).unwrap();
    assert_eq!(params_file::read(&path, "net", &[5, 3, 1]).unwrap(), layers);
    let err = params_file::read(&path, "net", &[5, 4, 1])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`net/W1` has shape [3, 5]") && err.contains("(4, 5)"),
        "{err}"
    );
    let err = params_file::read(&path, "net", &[5, 3, 1, 1])
        .unwrap_err()
        .to_string();
    assert!(err.contains("no dataset `W3`"), "{err}");
}
