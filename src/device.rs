//! The one place that turns a backend into a Burn device, and the one place that maps the
//! config's precision to a tensor dtype.
//!
//! Cargo features decide which backends are compiled in (`ndarray`, `flex`, `wgpu`, `cuda`);
//! Burn 0.22's dispatch backend holds all of them in one binary, so the backend is chosen at run
//! time among those: `--backend NAME` or `SIMPLENN_BACKEND=NAME`, else
//! [`Backend::default_compiled`].
//! The command line makes that choice once ([`resolve`]) and passes it down as a [`Compute`]:
//! every function that makes tensors is handed the device it makes them on, and nothing below
//! the command line reads the environment or a global to find it. So one test process can run
//! tests on every compiled backend side by side.

use std::sync::OnceLock;

use burn::tensor::{DType, Device, activation};
use serde::{Deserialize, Serialize};

#[cfg(not(any(
    feature = "ndarray",
    feature = "flex",
    feature = "wgpu",
    feature = "cuda"
)))]
compile_error!("simplenn needs a backend feature: ndarray, flex (the default pair), wgpu or cuda");

/// A backend compiled into this binary. Only compiled backends have a variant, so a `Backend`
/// value always has a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    #[cfg(feature = "ndarray")]
    NdArray,
    #[cfg(feature = "flex")]
    Flex,
    #[cfg(feature = "wgpu")]
    Wgpu,
    #[cfg(feature = "cuda")]
    Cuda,
}

/// Every backend simplenn knows, in order of preference for the default, with the cargo
/// feature that compiles it in.
pub const KNOWN: [&str; 4] = ["ndarray", "flex", "wgpu", "cuda"];

impl Backend {
    /// The backends compiled into this binary, in order of preference.
    // One cfg'd push per feature: `vec![…]` cannot leave out an element by cfg.
    #[allow(clippy::vec_init_then_push)]
    pub fn compiled() -> Vec<Backend> {
        let mut all = Vec::new();
        #[cfg(feature = "ndarray")]
        all.push(Backend::NdArray);
        #[cfg(feature = "flex")]
        all.push(Backend::Flex);
        #[cfg(feature = "wgpu")]
        all.push(Backend::Wgpu);
        #[cfg(feature = "cuda")]
        all.push(Backend::Cuda);
        all
    }

    /// ndarray when compiled in (the backend the design names), otherwise the first compiled of
    /// flex, wgpu, cuda.
    pub fn default_compiled() -> Backend {
        Backend::compiled()[0]
    }

    /// The name used on the command line, in `metrics.json` and as the cargo feature.
    pub fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "ndarray")]
            Backend::NdArray => "ndarray",
            #[cfg(feature = "flex")]
            Backend::Flex => "flex",
            #[cfg(feature = "wgpu")]
            Backend::Wgpu => "wgpu",
            #[cfg(feature = "cuda")]
            Backend::Cuda => "cuda",
        }
    }

    /// The compiled backend called `name`, or what to do: an unknown name lists the known ones,
    /// a known one that is not compiled in names the cargo feature that adds it.
    pub fn from_name(name: &str) -> Result<Backend, String> {
        if let Some(b) = Backend::compiled().into_iter().find(|b| b.name() == name) {
            return Ok(b);
        }
        let here = compiled_names();
        if KNOWN.contains(&name) {
            Err(format!(
                "backend `{name}` is not compiled into this binary (it has: {here}); \
                 rebuild with it, e.g. `cargo build --release --features {name}`, \
                 or choose one of: {here}"
            ))
        } else {
            Err(format!(
                "unknown backend `{name}`: simplenn knows {}; this binary has: {here}",
                KNOWN.join(", ")
            ))
        }
    }

    /// The plain (non-autodiff) device of this backend.
    pub fn device(self) -> Device {
        match self {
            // Burn 0.22 marks ndarray deprecated in favour of flex; it is still a backend here.
            #[cfg(feature = "ndarray")]
            #[allow(deprecated)]
            Backend::NdArray => Device::ndarray(),
            #[cfg(feature = "flex")]
            Backend::Flex => Device::flex(),
            #[cfg(feature = "wgpu")]
            Backend::Wgpu => Device::wgpu(Default::default()),
            #[cfg(feature = "cuda")]
            Backend::Cuda => Device::cuda(0),
        }
    }

    /// Whether this backend runs on the host's memory (the data product's own kernels serve it).
    pub fn is_cpu(self) -> bool {
        matches!(self.name(), "ndarray" | "flex")
    }

    /// Why this backend's device cannot be used here (e.g. wgpu with no Vulkan, Metal or DX12
    /// adapter), tried once per process with one small f32 tensor; None when it works.
    pub fn open_error(self) -> Option<String> {
        static OPENED: [OnceLock<Option<String>>; 4] = [const { OnceLock::new() }; 4];
        OPENED[self.slot()]
            .get_or_init(|| {
                catch_panic(|| {
                    let one =
                        crate::tensor_util::matrix(vec![1.0], 1, 1, DType::F32, &self.device());
                    let _ = crate::tensor_util::to_vec_f64(one);
                })
                .err()
            })
            .clone()
    }

    /// This backend's place in [`KNOWN`] (for per-backend caches).
    fn slot(self) -> usize {
        KNOWN.iter().position(|&k| k == self.name()).unwrap_or(0)
    }

    /// What this backend's device does with f64, tried once per process (see [`F64Support`]).
    pub fn f64_support(self) -> F64Support {
        static SUPPORT: [OnceLock<F64Support>; 4] = [const { OnceLock::new() }; 4];
        SUPPORT[self.slot()].get_or_init(|| probe_f64(self)).clone()
    }
}

/// The compiled backends' names, comma-separated (for messages).
pub fn compiled_names() -> String {
    Backend::compiled()
        .iter()
        .map(|b| b.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a command computes on, chosen once by the command line and passed down to everything
/// that makes tensors: the backend, and whether the first layer's product may take simplenn's
/// own CPU kernels (the fast path, `crate::fast`; on by default, off with
/// `SIMPLENN_CPU_KERNELS=off`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Compute {
    pub backend: Backend,
    /// Whether data matrices may take the fast path (which still needs a CPU backend and a wide
    /// input: see `crate::fast`).
    pub kernels: bool,
}

impl Compute {
    /// The plain (non-autodiff) device.
    pub fn device(self) -> Device {
        self.backend.device()
    }

    /// The autodiff device every model is trained on.
    pub fn autodiff(self) -> Device {
        self.device().autodiff()
    }

    /// Matrices of `dtype` on `device` (this compute's plain or autodiff device).
    pub fn place(self, dtype: DType, device: &Device) -> Placement<'_> {
        Placement {
            dtype,
            device,
            kernels: self.kernels,
        }
    }
}

/// Where a matrix made from host values goes: its float type, its device, and whether the fast
/// path's kernels may serve it ([`Compute::kernels`]).
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub dtype: DType,
    pub device: &'a Device,
    pub kernels: bool,
}

/// The backend a command line asks for: `--backend` (`flag`) if given, else `SIMPLENN_BACKEND`
/// (`env`, as the command line read it) if set and not empty, else the default.
pub fn resolve(flag: Option<&str>, env: Option<&str>) -> Result<Backend, String> {
    match (flag, env.filter(|v| !v.is_empty())) {
        (Some(name), _) => Backend::from_name(name).map_err(|e| format!("--backend: {e}")),
        (None, Some(name)) => {
            Backend::from_name(name).map_err(|e| format!("SIMPLENN_BACKEND: {e}"))
        }
        (None, None) => Ok(Backend::default_compiled()),
    }
}

/// Whether the fast path's kernels are allowed, given the value of `SIMPLENN_CPU_KERNELS` (as
/// the command line read it): yes unless it is `off`, `0` or `false`.
pub fn kernels_allowed(setting: Option<&str>) -> bool {
    !matches!(setting, Some("off" | "0" | "false"))
}

/// What a backend's device does with f64. A device that claims f64 is not trusted blindly: on
/// wgpu over Vulkan (lavapipe) f64 addition and matmul are right but exp, log and tanh return
/// garbage (Vulkan's GLSL.std.450 defines them for 32-bit floats only). So the ops the models use
/// are tried once in f64 and compared with the host's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum F64Support {
    /// Computes f64 to f64 accuracy.
    Exact,
    /// Claims f64, but exp, tanh or log σ in f64 disagree with the host.
    Inexact,
    /// Has no f64 dtype.
    Absent,
    /// The device could not be opened (e.g. wgpu with no Vulkan, Metal or DX12 adapter).
    NoDevice(String),
}

impl F64Support {
    /// One line for `simplenn backends`.
    pub fn describe(&self) -> String {
        match self {
            F64Support::Exact => "f64 supported".into(),
            F64Support::Inexact => "f64 not usable: the device claims f64, but its f64 exp/tanh/log \
                                    disagree with the host's (on Vulkan they are defined for 32-bit \
                                    floats only); train in f32"
                .into(),
            F64Support::Absent => "f64 not supported by this device; train in f32".into(),
            F64Support::NoDevice(why) => format!("no device could be opened: {why}"),
        }
    }
}

fn probe_f64(backend: Backend) -> F64Support {
    if let Some(why) = backend.open_error() {
        return F64Support::NoDevice(why);
    }
    catch_panic(|| {
        let device = backend.device();
        if !device.supports_dtype(DType::F64) {
            F64Support::Absent
        } else if f64_ops_are_exact(&device) {
            F64Support::Exact
        } else {
            F64Support::Inexact
        }
    })
    .unwrap_or_else(F64Support::NoDevice)
}

/// `f()`, or the message of its panic: Burn's backends panic when a device cannot be opened.
fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    crate::tensor_util::catch_panic("the backend panicked while opening its device", f)
}

/// exp, tanh and log σ of a few values in f64 on `device`, equal to the host's to 1e-12.
fn f64_ops_are_exact(device: &Device) -> bool {
    let z: [f64; 4] = [-2.5, -0.5, 0.25, 3.0];
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

impl Backend {
    /// Whether this backend computes correctly in f64.
    pub fn supports_f64(self) -> bool {
        self.f64_support() == F64Support::Exact
    }

    /// `Err` with what to do when this backend cannot compute in `precision` (f64 on wgpu).
    pub fn check_precision(self, precision: Precision) -> Result<(), String> {
        if precision == Precision::F64 && !self.supports_f64() {
            let cpu: Vec<&str> = Backend::compiled()
                .into_iter()
                .filter(|b| b.is_cpu())
                .map(|b| b.name())
                .collect();
            let other = if cpu.is_empty() {
                "or build simplenn with the ndarray or flex feature for f64".to_string()
            } else {
                format!(
                    "or run on a CPU backend for f64 (--backend {})",
                    cpu.join(" or --backend ")
                )
            };
            return Err(format!(
                "the {} backend has no usable f64 on this device (`simplenn backends` says why): use f32, {other}",
                self.name()
            ));
        }
        Ok(())
    }
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
