//! The one place that turns the enabled cargo feature into a Burn device, and the one place that
//! maps the config's precision to a tensor dtype.
//!
//! `Device::default()` would prefer flex or wgpu over ndarray when several backends are compiled
//! in, so the choice is made explicitly here, most specific feature first.

use std::sync::OnceLock;

use burn::tensor::{DType, Device, activation};
use serde::{Deserialize, Serialize};

/// Name of the backend this binary was built for (also written to `metrics.json`).
pub const BACKEND: &str = if cfg!(feature = "cuda") {
    "cuda"
} else if cfg!(feature = "wgpu") {
    "wgpu"
} else if cfg!(feature = "flex") {
    "flex"
} else if cfg!(feature = "ndarray") {
    "ndarray"
} else {
    "none"
};

#[cfg(not(any(
    feature = "ndarray",
    feature = "flex",
    feature = "wgpu",
    feature = "cuda"
)))]
compile_error!("simplenn needs one backend feature: ndarray (default), flex, wgpu or cuda");

/// `simplenn --version`: the crate version and the backend it was built with.
pub const VERSION: &str = if cfg!(feature = "cuda") {
    concat!(env!("CARGO_PKG_VERSION"), " (backend: cuda)")
} else if cfg!(feature = "wgpu") {
    concat!(env!("CARGO_PKG_VERSION"), " (backend: wgpu)")
} else if cfg!(feature = "flex") {
    concat!(env!("CARGO_PKG_VERSION"), " (backend: flex)")
} else {
    concat!(env!("CARGO_PKG_VERSION"), " (backend: ndarray)")
};

/// Whether the compiled backend computes correctly in f64. A device that claims f64 is not
/// trusted blindly: on wgpu over Vulkan (lavapipe, measured) f64 addition and matmul are right
/// but exp, log and tanh return garbage (Vulkan's GLSL.std.450 defines them for 32-bit floats
/// only). So the ops the models use are tried once in f64 and compared with the host's values.
pub fn supports_f64() -> bool {
    f64_support() == F64Support::Exact
}

/// What the compiled backend's device does with f64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum F64Support {
    /// Computes f64 to f64 accuracy.
    Exact,
    /// Claims f64, but exp, tanh or log σ in f64 disagree with the host.
    Inexact,
    /// Has no f64 dtype.
    Absent,
}

pub fn f64_support() -> F64Support {
    static SUPPORT: OnceLock<F64Support> = OnceLock::new();
    *SUPPORT.get_or_init(|| {
        let device = device();
        if !device.supports_dtype(DType::F64) {
            F64Support::Absent
        } else if f64_ops_are_exact(&device) {
            F64Support::Exact
        } else {
            F64Support::Inexact
        }
    })
}

/// exp, tanh and log σ of a few values in f64 on `device`, equal to the host's to 1e-12.
fn f64_ops_are_exact(device: &Device) -> bool {
    let z = [-2.5, -0.5, 0.25, 3.0];
    let t = crate::tensor_util::matrix(z.to_vec(), 1, z.len(), DType::F64, device);
    let on_device = t.clone().exp() + t.clone().tanh() + activation::log_sigmoid(t);
    let Ok(got) = crate::tensor_util::to_vec_f64(on_device) else {
        return false;
    };
    z.iter().zip(&got).all(|(&z, &g)| {
        let expected = z.exp() + z.tanh() - (-z).exp().ln_1p();
        (g - expected).abs() <= 1e-12 * expected.abs().max(1.0)
    })
}

/// `Err` with what to do when the compiled backend cannot compute in `precision` (f64 on wgpu).
pub fn check_precision(precision: Precision) -> Result<(), String> {
    if precision == Precision::F64 && !supports_f64() {
        return Err(format!(
            "the {BACKEND} backend has no usable f64 on this device (`simplenn backends` says why): use f32, or build simplenn with the ndarray (default) or flex feature for f64"
        ));
    }
    Ok(())
}

/// The plain (non-autodiff) device of the compiled backend.
pub fn device() -> Device {
    #[cfg(feature = "cuda")]
    return Device::cuda(0);
    #[cfg(all(feature = "wgpu", not(feature = "cuda")))]
    return Device::wgpu(Default::default());
    #[cfg(all(feature = "flex", not(any(feature = "cuda", feature = "wgpu"))))]
    return Device::flex();
    // Burn 0.22 marks ndarray deprecated in favour of flex; it is still our default backend.
    #[cfg(all(
        feature = "ndarray",
        not(any(feature = "cuda", feature = "wgpu", feature = "flex"))
    ))]
    #[allow(deprecated)]
    return Device::ndarray();
}

/// The autodiff device every model is trained on.
pub fn autodiff_device() -> Device {
    device().autodiff()
}

/// Floating-point precision of a run. The dtype is set per tensor (not per device), so f64
/// gradient checks and f32 training can share one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    #[default]
    F32,
    F64,
}

impl Precision {
    pub fn dtype(self) -> DType {
        match self {
            Precision::F32 => DType::F32,
            Precision::F64 => DType::F64,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        }
    }
}

impl std::str::FromStr for Precision {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "f32" => Ok(Precision::F32),
            "f64" => Ok(Precision::F64),
            other => Err(format!("unknown precision `{other}`: use f32 or f64")),
        }
    }
}
