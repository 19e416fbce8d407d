//! How the parameters follow their gradients, through Burn's optimizers (`burn::optim`) with the
//! course's defaults. `gd` is the notes' W := W − α·dW: Burn's SGD without momentum computes
//! exactly that (W − dW·α), so full-batch runs keep the numpy reference histories.
//!
//! Burn's momentum with dampening β (the default) is the course's v := β·v + (1 − β)·dW,
//! W := W − α·v, except that Burn starts v at the first gradient where the course starts it
//! at 0 (so its first step is 1/(1 − β) times larger). That v is an average of dW: under a
//! steady gradient it steps exactly as gradient descent does, so at the same α it smooths the
//! path but does not speed it up. `dampening = 0` is the heavy ball v := β·v + dW, whose steps
//! grow to 1/(1 − β) times gradient descent's: the form that outruns it at the same α. Burn's
//! Adam is the course's, bias correction included; it holds β₁, β₂ and ε as f32.

use burn::lr_scheduler::cosine::CosineAnnealingLrSchedulerConfig;
use burn::lr_scheduler::exponential::ExponentialLrSchedulerConfig;
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::lr_scheduler::step::StepLrSchedulerConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::{DType, Device, FloatDType, Gradients};

use crate::config::{LrSchedule, OptimizerKind, TrainConfig};
use crate::models::Model;

/// One of Burn's optimizers, with its state (momentum's velocity, Adam's moments); the rate α
/// of each step is [`Rates`]'.
pub struct Updater {
    optimizer: ModuleOptimizer,
    /// Whether the state carries anything from step to step (plain gradient descent's does not).
    stateful: bool,
}

impl Updater {
    /// The notes' gradient descent W := W − α·dW: Burn's SGD without momentum or weight decay.
    pub fn gd() -> Updater {
        Updater {
            optimizer: SgdConfig::new().init(),
            stateful: false,
        }
    }

    /// What `[train]` asks for.
    pub fn from_config(t: &TrainConfig) -> Updater {
        let optimizer = match t.optimizer {
            OptimizerKind::Gd => return Updater::gd(),
            OptimizerKind::Momentum => {
                let beta = t.beta.unwrap_or(0.9);
                let momentum = MomentumConfig::new()
                    .with_momentum(beta)
                    .with_dampening(t.dampening.unwrap_or(beta))
                    .with_nesterov(t.nesterov.unwrap_or(false));
                SgdConfig::new().with_momentum(Some(momentum)).init()
            }
            OptimizerKind::Adam => AdamConfig::new()
                .with_beta_1(t.beta1.unwrap_or(0.9) as f32)
                .with_beta_2(t.beta2.unwrap_or(0.999) as f32)
                .with_epsilon(t.epsilon.unwrap_or(1e-8) as f32)
                .init(),
        };
        Updater {
            optimizer,
            stateful: true,
        }
    }

    /// The optimizer's state (a Burn record), if it has any.
    pub fn state(&self) -> crate::Result<Option<Vec<u8>>> {
        if !self.stateful {
            return Ok(None);
        }
        self.optimizer
            .into_bytes()
            .map(|b| Some(b.to_vec()))
            .map_err(|e| crate::Error::Output(format!("the optimizer's state: {e}")))
    }

    /// Continue from a state that [`Updater::state`] gave, for parameters of `dtype`.
    pub fn restore(self, bytes: Vec<u8>, dtype: DType) -> std::result::Result<Updater, String> {
        if !self.stateful {
            return Err("gradient descent has no state to restore".into());
        }
        if !state_loads_as(dtype) {
            return Err(format!(
                "Burn loads an optimizer's state in the float type of the default device, which \
                 this process already uses for another type than the run's {dtype:?}; resume the \
                 run in a process of its own (simplenn train --resume RUN_DIR)"
            ));
        }
        let optimizer = self
            .optimizer
            .from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes))
            .map_err(|e| e.to_string())?;
        Ok(Updater { optimizer, ..self })
    }

    /// Whether the optimizer carries state from step to step.
    pub fn has_state(&self) -> bool {
        self.stateful
    }

    /// The model after one update at rate `learning_rate` with the gradients of its cost. A
    /// parameter that did not take part in the cost has no gradient and is left as it is.
    pub fn update(&mut self, model: Model, grads: Gradients, learning_rate: f64) -> Model {
        let grads = GradientsParams::from_grads(grads, &model);
        self.optimizer.step(learning_rate, model, grads)
    }
}

/// The learning rate of every epoch: the config's α throughout (the notes'), the course's decay
/// α = α₀ / (1 + decay_rate·⌊epoch / decay_interval⌋), or one of Burn's schedules stepped once
/// an epoch. A pure function of the epoch, whatever epoch a run starts at (a resumed run's
/// Burn schedule is stepped through the epochs it skips).
pub struct Rates {
    kind: RateKind,
    /// Burn's schedule: the epoch its next step gives, and the rate of the one before.
    next: usize,
    last: f64,
}

enum RateKind {
    Constant(f64),
    Course {
        alpha0: f64,
        decay_rate: f64,
        interval: usize,
    },
    Burn(Box<ModuleLrScheduler>),
}

impl Rates {
    /// What `[train]` asks for (its keys are checked by the config; Burn's own checks of a
    /// schedule come back as the error).
    pub fn from_config(t: &TrainConfig) -> std::result::Result<Rates, String> {
        let alpha0 = t.learning_rate;
        let kind = match (t.decay_rate, t.decay_interval, t.lr_schedule) {
            (Some(decay_rate), Some(interval), _) => RateKind::Course {
                alpha0,
                decay_rate,
                interval,
            },
            (_, _, None) => RateKind::Constant(alpha0),
            (_, _, Some(schedule)) => {
                let scheduler = match schedule {
                    LrSchedule::Cosine => {
                        CosineAnnealingLrSchedulerConfig::new(alpha0, t.iterations)
                            .with_min_lr(t.min_learning_rate.unwrap_or(0.0))
                            .init()
                    }
                    LrSchedule::Exponential => {
                        ExponentialLrSchedulerConfig::new(alpha0, t.gamma.unwrap_or(1.0)).init()
                    }
                    LrSchedule::Step => {
                        StepLrSchedulerConfig::new(alpha0, t.step_size.unwrap_or(1))
                            .with_gamma(t.gamma.unwrap_or(0.1))
                            .init()
                    }
                }
                .map_err(|e| format!("train.lr_schedule = \"{}\": {e}", schedule.name()))?;
                RateKind::Burn(Box::new(scheduler))
            }
        };
        Ok(Rates {
            kind,
            next: 0,
            last: alpha0,
        })
    }

    /// The config's α in every epoch.
    pub fn constant(learning_rate: f64) -> Rates {
        Rates {
            kind: RateKind::Constant(learning_rate),
            next: 0,
            last: learning_rate,
        }
    }

    /// Whether the rate changes from epoch to epoch (then it is logged with the cost).
    pub fn varies(&self) -> bool {
        !matches!(self.kind, RateKind::Constant(_))
    }

    /// α in `epoch`; asked in increasing order of epochs.
    pub fn at(&mut self, epoch: usize) -> f64 {
        match &mut self.kind {
            RateKind::Constant(alpha) => *alpha,
            RateKind::Course {
                alpha0,
                decay_rate,
                interval,
            } => *alpha0 / (1.0 + *decay_rate * (epoch / *interval) as f64),
            RateKind::Burn(scheduler) => {
                while self.next <= epoch {
                    self.last = scheduler.step().base();
                    self.next += 1;
                }
                self.last
            }
        }
    }
}

/// Make Burn's default device create float tensors of `dtype`, as it must before an optimizer's
/// state is loaded (`ModuleOptimizer::load_record` builds the state there without a dtype, and a
/// state of the wrong type fails at the next step). Possible until the default device makes its
/// first tensor; afterwards true only if it already uses `dtype`. `train --resume` calls this
/// before anything touches a device (`commands::train::before_resume`).
pub fn state_loads_as(dtype: DType) -> bool {
    let float = match dtype {
        DType::F64 => FloatDType::F64,
        _ => FloatDType::F32,
    };
    let mut default = Device::default();
    default.configure(float).is_ok() || default.settings().float_dtype == float
}
