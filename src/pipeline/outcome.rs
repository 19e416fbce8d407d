//! What a run leaves: what training reached after the checkpoint it started from, the model it
//! keeps, its scores on the data and the metrics and checkpoint state of its run folder.

use burn::module::Module;

use crate::Result;
use crate::config::Config;
use crate::confusion::{ClassReport, Confusion};
use crate::data::LoadedData;
use crate::device::Compute;
use crate::infer;
use crate::models::Model;
use crate::optim::Updater;
use crate::run_result::{CheckpointState, Metrics, RunResult};
use crate::stop::{Position, Stop};
use crate::train::{TrainOutcome, WatchState};

use super::Checkpoint;

/// What training reached, counting what the checkpoint it started from had done before.
pub(super) struct Trained {
    /// On the plain device: the last parameters, or, for a finished run that watched a
    /// validation set, the best log point's.
    model: Model,
    /// What watching the validation set saw (its history; a checkpoint also keeps the best
    /// parameters and the count since them, to go on from).
    watch: Option<WatchState>,
    rates: Vec<(usize, f64)>,
    stopped_early: bool,
    costs: Vec<(usize, f64)>,
    /// Epochs done (with the full batch, the notes' iterations).
    epochs: usize,
    /// Seconds of training.
    seconds: f64,
    /// Seconds of reading data.
    data_seconds: f64,
    stop: Option<Stop>,
}

impl Trained {
    /// `outcome` after `checkpoint`, which took `seconds` of training and `data_seconds` of
    /// reading data.
    /// The model of a run that watched a validation set is its best log point's parameters,
    /// unless the run stopped where it can go on (a checkpoint goes on from its last ones).
    pub(super) fn after(
        checkpoint: Checkpoint,
        outcome: TrainOutcome,
        watch: Option<WatchState>,
        seconds: f64,
        data_seconds: f64,
    ) -> Trained {
        let TrainOutcome {
            model,
            costs: new_costs,
            epochs_done,
            stop,
            rates: new_rates,
            stopped_early,
        } = outcome;
        let mut costs = checkpoint.costs;
        costs.extend(new_costs);
        let mut rates = checkpoint.rates;
        rates.extend(new_rates);
        let resumable = stop.as_ref().and_then(Stop::resume_at).is_some();
        let mut stop = stop;
        let model = match watch.as_ref().and_then(|w| w.best.as_ref()) {
            Some((point, best)) if !resumable => {
                if let Some(Stop::Diverged { kept_best, .. }) = &mut stop {
                    *kept_best = Some(point.iteration);
                }
                best.clone()
            }
            _ => model.valid(),
        };
        Trained {
            model,
            watch,
            rates,
            stopped_early,
            costs,
            epochs: epochs_done,
            seconds: checkpoint.seconds + seconds,
            data_seconds: checkpoint.data_seconds + data_seconds,
            stop,
        }
    }
}

/// Score the trained model on the training and test sets. A checkpoint of streamed data is not
/// scored: that would read the whole set again (or fail, when reading it is why the run
/// stopped) before the checkpoint is saved. A streamed set that cannot be read while scoring
/// makes the finished run a checkpoint, to be scored when resumed.
pub(super) fn score_unless_checkpoint(
    trained: &mut Trained,
    data: &LoadedData,
    dtype: burn::tensor::DType,
    compute: Compute,
) -> Result<Option<RunScores>> {
    let streamed = data.train.in_memory().is_none();
    Ok(match trained.stop.as_ref().and_then(Stop::resume_at) {
        Some(_) if streamed => None,
        _ => match score(&trained.model, data, dtype, compute) {
            Ok(scores) => Some(scores),
            Err(e) if streamed => {
                trained.stop = Some(Stop::DataFailed {
                    at: Position::at(trained.epochs),
                    error: e.to_string(),
                });
                None
            }
            Err(e) => return Err(e),
        },
    })
}

/// The run's metrics (metrics.json) and result; a run that stopped where it can go on keeps
/// where (checkpoint.json) and the optimizer's state.
pub(super) fn result(
    c: &Config,
    compute: Compute,
    data: LoadedData,
    sizes: Vec<usize>,
    trained: Trained,
    scores: Option<RunScores>,
    updater: &Updater,
) -> Result<RunResult> {
    let watch = trained.watch.unwrap_or_default();
    let checkpoint = trained
        .stop
        .as_ref()
        .and_then(Stop::resume_at)
        .map(|at| CheckpointState {
            since_best: watch.since_best,
            best: watch.best.as_ref().map(|(point, _)| *point),
            ..CheckpointState::from(at)
        });
    let watched = data.validation.is_some();
    let history = |f: fn(&(usize, f64, f64)) -> (usize, f64)| watch.history.iter().map(f).collect();
    let metrics = Metrics {
        model: c.model.kind.name().into(),
        layers: sizes,
        train_accuracy: scores.as_ref().map_or(f64::NAN, |s| s.train_accuracy),
        test_accuracy: scores.as_ref().and_then(|s| s.test_accuracy),
        final_cost: scores.as_ref().map_or(f64::NAN, |s| s.final_cost),
        costs: trained.costs,
        epochs: trained.epochs,
        learning_rate: c.train.learning_rate,
        backend: compute.backend.name().into(),
        precision: c.train.precision.name().into(),
        seed: c.init.seed,
        seconds: trained.seconds,
        data_seconds: trained.data_seconds,
        failure: trained.stop.as_ref().map(Stop::to_string),
        classes: Some(data.classes.clone()),
        train_classes: scores.as_ref().map(|s| s.train_classes.clone()),
        test_classes: scores.as_ref().and_then(|s| s.test_classes.clone()),
        image_shape: data.image_shape,
        learning_rates: trained.rates,
        validation_costs: history(|&(i, cost, _)| (i, cost)),
        validation_accuracies: history(|&(i, _, accuracy)| (i, accuracy)),
        best: watch.best.as_ref().map(|(point, _)| *point),
        stopped_early: watched.then_some(trained.stopped_early),
    };
    let optimizer = match checkpoint {
        Some(_) => updater.state()?,
        None => None,
    };
    // A checkpoint keeps its last parameters as the model and the best ones beside them.
    let best_model = match checkpoint {
        Some(_) => watch.best.map(|(_, model)| model),
        None => None,
    };
    Ok(RunResult {
        model: trained.model,
        metrics,
        data,
        stop: trained.stop,
        checkpoint,
        optimizer,
        best_model,
    })
}

/// What a trained model makes of a run's data.
pub(super) struct RunScores {
    train_accuracy: f64,
    final_cost: f64,
    train_classes: ClassReport,
    test_accuracy: Option<f64>,
    test_classes: Option<ClassReport>,
}

fn score(
    model: &Model,
    data: &LoadedData,
    dtype: burn::tensor::DType,
    compute: Compute,
) -> Result<RunScores> {
    let report = |outputs: &infer::Outputs, labels: &[f64]| {
        Confusion::new(data.classes.len(), &outputs.predictions(), labels).report(&data.classes)
    };
    let on_train = infer::score(model, &data.train, dtype, compute)?;
    let on_test = match &data.test {
        Some(test) => {
            let outputs = infer::score(model, test, dtype, compute)?.outputs;
            Some((outputs.accuracy(test.y()), report(&outputs, test.y())))
        }
        None => None,
    };
    Ok(RunScores {
        train_accuracy: on_train.outputs.accuracy(data.train.y()),
        final_cost: on_train.cost,
        train_classes: report(&on_train.outputs, data.train.y()),
        test_accuracy: on_test.as_ref().map(|t| t.0),
        test_classes: on_test.map(|t| t.1),
    })
}
