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

use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::{DType, Device, FloatDType, Gradients};

use crate::config::{OptimizerKind, TrainConfig};
use crate::models::Model;

/// One of Burn's optimizers at rate α, with its state (momentum's velocity, Adam's moments).
pub struct Updater {
    optimizer: ModuleOptimizer,
    learning_rate: f64,
    /// Whether the state carries anything from step to step (plain gradient descent's does not).
    stateful: bool,
}

impl Updater {
    /// The notes' gradient descent W := W − α·dW: Burn's SGD without momentum or weight decay.
    pub fn gd(learning_rate: f64) -> Updater {
        Updater {
            optimizer: SgdConfig::new().init(),
            learning_rate,
            stateful: false,
        }
    }

    /// What `[train]` asks for.
    pub fn from_config(t: &TrainConfig) -> Updater {
        let learning_rate = t.learning_rate;
        let optimizer = match t.optimizer {
            OptimizerKind::Gd => return Updater::gd(learning_rate),
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
            learning_rate,
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

    /// The model after one update with the gradients of its cost. A parameter that did not take
    /// part in the cost has no gradient and is left as it is.
    pub fn update(&mut self, model: Model, grads: Gradients) -> Model {
        let grads = GradientsParams::from_grads(grads, &model);
        self.optimizer.step(self.learning_rate, model, grads)
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
