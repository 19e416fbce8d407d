//! Config validation: every mistake ends in an error that names the key and the fix.

use simplenn::config::Config;

const GOOD: &str = r#"
[model]
kind = "deep"
layers = [2, 3, 1]
activation = "relu"
[data]
kind = "planar"
[train]
learning_rate = 0.1
iterations = 10
"#;

fn err(text: &str) -> String {
    Config::parse(text, "test.toml", &[])
        .unwrap_err()
        .to_string()
}

fn err_set(set: &[&str]) -> String {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    Config::parse(GOOD, "test.toml", &set)
        .unwrap_err()
        .to_string()
}

#[test]
fn the_good_config_parses_with_defaults() {
    let c = Config::parse(GOOD, "test.toml", &[]).unwrap();
    assert_eq!(c.train.log_every, 100);
    assert_eq!(c.layer_sizes(2, 2).unwrap(), vec![2, 3, 1]);
}

#[test]
fn shipped_configs_all_parse() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        Config::load(&path, &[]).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        n += 1;
    }
    assert!(n >= 4);
}

#[test]
fn unknown_key_is_named() {
    let e = err(&GOOD.replace("iterations = 10", "iterations = 10\nlearning_rat = 3"));
    assert!(e.contains("unknown field `learning_rat`"), "{e}");
}

#[test]
fn misspelled_model_kind_lists_the_choices() {
    let e = err(&GOOD.replace("kind = \"deep\"", "kind = \"dep\""));
    assert!(e.contains("dep") && e.contains("deep"), "{e}");
}

#[test]
fn wrong_type_is_reported_with_position() {
    let e = err(&GOOD.replace("iterations = 10", "iterations = \"ten\""));
    assert!(e.contains("line") && e.contains("iterations"), "{e}");
}

#[test]
fn syntax_error_shows_line_and_column() {
    let e = err(&GOOD.replace("[train]", "[train"));
    assert!(e.contains("line 8") && e.contains("column"), "{e}");
}

#[test]
fn learning_rate_must_be_positive_and_finite() {
    for bad in ["0", "-0.1", "nan", "inf"] {
        let e = err_set(&[&format!("train.learning_rate={bad}")]);
        assert!(
            e.contains("train.learning_rate") && e.contains("> 0"),
            "{bad}: {e}"
        );
    }
}

#[test]
fn zero_iterations_rejected() {
    assert!(err_set(&["train.iterations=0"]).contains("train.iterations (or epochs) = 0"));
}

#[test]
fn layer_lists_are_checked() {
    assert!(err_set(&["model.layers=[]"]).contains("at least an input and an output"));
    assert!(err_set(&["model.layers=[2]"]).contains("at least an input and an output"));
    assert!(err_set(&["model.layers=[2, 0, 1]"]).contains("layer 1 has size 0"));
    let c = Config::parse(GOOD, "t", &["model.layers=[5, 3, 1]".into()]).unwrap();
    assert!(
        c.layer_sizes(2, 2)
            .unwrap_err()
            .contains("number of input features, 2")
    );
}

#[test]
fn the_output_layer_has_one_unit_for_two_classes_and_k_for_k() {
    let sizes = |model: &str, k: usize| {
        let text = GOOD.replace(
            "kind = \"deep\"\nlayers = [2, 3, 1]\nactivation = \"relu\"",
            model,
        );
        Config::parse(&text, "t", &[]).unwrap().layer_sizes(2, k)
    };
    let (logistic, shallow) = ("kind = \"logistic\"", "kind = \"shallow\"\nhidden = 3");
    assert_eq!(sizes(logistic, 2).unwrap(), [2, 1]);
    assert_eq!(sizes(logistic, 3).unwrap(), [2, 3]);
    assert_eq!(sizes(shallow, 2).unwrap(), [2, 3, 1]);
    assert_eq!(sizes(shallow, 10).unwrap(), [2, 3, 10]);
    // The deep net states n[L]: 1 or 2 for two classes, K for K.
    let deep = |layers: &str, k: usize| {
        Config::parse(GOOD, "t", &[format!("model.layers={layers}")])
            .unwrap()
            .layer_sizes(2, k)
    };
    assert_eq!(deep("[2, 3, 1]", 2).unwrap(), [2, 3, 1]);
    assert_eq!(deep("[2, 3, 2]", 2).unwrap(), [2, 3, 2]);
    assert_eq!(deep("[2, 3, 4]", 4).unwrap(), [2, 3, 4]);
    let e = deep("[2, 3, 1]", 3).unwrap_err();
    assert!(
        e.contains("the last layer is 1 but the data has 3 classes; end the layers with 3"),
        "{e}"
    );
    let e = deep("[2, 3, 3]", 2).unwrap_err();
    assert!(
        e.contains("end the layers with 1 (one sigmoid output"),
        "{e}"
    );
}

#[test]
fn unknown_activation_is_named() {
    let e = err_set(&["model.activation=swish"]);
    assert!(e.contains("swish") && e.contains("relu"), "{e}");
}

#[test]
fn cat_data_needs_a_path() {
    let e = err(&GOOD.replace("kind = \"planar\"", "kind = \"cat\""));
    assert!(e.contains("missing field `train`"), "{e}");
}

#[test]
fn set_with_unknown_key_or_bad_value() {
    assert!(err_set(&["model.hiden=3"]).contains("unknown field `hiden`"));
    assert!(err_set(&["train.iterations=abc"]).contains("iterations"));
    assert!(err_set(&["novalue"]).contains("expected key=value"));
}

#[test]
fn shallow_and_logistic_are_checked() {
    let shallow = GOOD.replace("kind = \"deep\"\nlayers = [2, 3, 1]", "kind = \"shallow\"");
    assert!(err(&shallow).contains("model.hidden: missing"));
    let logistic = GOOD.replace("kind = \"deep\"", "kind = \"logistic\"");
    assert!(err(&logistic).contains("logistic regression has no hidden layer"));
}
