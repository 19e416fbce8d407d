//! Data loaders and generators: the cat flattening order, the planar flower, the course's init.

#[macro_use]
mod common;

use simplenn::data::{cat, h5, planar};
use simplenn::nn::InitScheme;
use simplenn::nn::init::draw_layers;
use simplenn::params_file;

#[test]
fn cat_loader_flattens_like_numpy_reshape_transpose() {
    let Some(path) = common::dataset("train_catvnoncat.h5") else {
        return;
    };
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
    assert_eq!(data.example(i)[feature], pixel);
    // Labels come through unchanged: 72 cats in the training set.
    assert_eq!(data.positives(), 72);
}

#[test]
fn planar_flower_has_the_notes_shape_and_balance() {
    let d = planar::flower(400, 0.2, 1);
    assert_eq!((d.n_x, d.m, d.x.len(), d.y.len()), (2, 400, 800, 400));
    assert_eq!(d.positives(), 200);
    assert!(d.y[..200].iter().all(|&v| v == 0.0) && d.y[200..].iter().all(|&v| v == 1.0));
    // r = 4 sin(4t) + noise: every point lies within the petals' reach.
    assert!(d.x.iter().all(|v| v.abs() < 5.0));
    let other = planar::flower(100, 0.0, 7);
    assert_eq!((other.m, other.positives()), (100, 50));
}

#[test]
fn planar_flower_equals_the_numpy_generated_file() {
    let Some(path) = common::dataset("planar_flower.h5").or_else(|| {
        let shared = common::repo().join("../shared/datasets/planar_flower.h5");
        shared.exists().then_some(shared)
    }) else {
        return;
    };
    let numpy = h5::load_xy(&path, "X", "Y", Default::default()).unwrap();
    let ours = planar::flower(400, 0.2, 1);
    assert_eq!(ours.y, numpy.y);
    let worst = ours
        .x
        .iter()
        .zip(&numpy.x)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    // Same random stream and formulas; only sin/cos of the two math libraries may differ in
    // the last bit.
    assert!(
        worst < 1e-12,
        "largest difference from numpy's flower: {worst}"
    );
}

#[test]
fn seeded_init_reproduces_the_course_initial_weights() {
    let Some(path) = common::reference("course_init_params.h5") else {
        return;
    };
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
