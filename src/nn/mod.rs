//! Building blocks shared by the three models.
pub mod activation;
pub mod dense;
pub mod init;
pub mod input;

pub use activation::{Activation, ActivationKind};
pub use dense::Dense;
pub use init::{InitScheme, LayerValues};
pub use input::DataMatrix;
