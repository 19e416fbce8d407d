//! Building blocks shared by the three models.
pub mod activation;
pub mod data_product;
pub mod dense;
pub mod init;
#[cfg(any(feature = "ndarray", feature = "flex"))]
mod kernels;

pub use activation::{Activation, ActivationKind};
pub use data_product::DataMatrix;
pub use dense::Dense;
pub use init::{InitScheme, LayerValues};
