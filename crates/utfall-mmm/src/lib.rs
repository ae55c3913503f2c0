//! Marketing mix modelling: what each channel and control adds to an outcome over time, with
//! uncertainty, and where the next krona should go.
//!
//! Pure numeric code, no I/O: the binary reads files and workspaces and hands over [`Data`].
//! - [`model`]: the model (adstock, saturation, trend and seasonality, controls), PyMC-Marketing's
//!   scaling and priors, and its log posterior with an exact gradient;
//! - [`bayes`]: the NUTS fit (nuts-rs) and [`report`] its summary, decomposition and diagnostics;
//! - [`ridge`]: a Robyn-style fit — ridge regression per candidate, hyper-parameters searched by
//!   differential evolution over NRMSE and DECOMP.RSSD, a Pareto front;
//! - [`optimize`]: the budget allocation that equalises marginal returns;
//! - [`lift`]: the effect of one dated activity against a counterfactual;
//! - [`simulate`]: data with known truth, PyMC-Marketing's example recipe among them.

#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]
// Numeric loops over several arrays read more clearly with indices.
#![allow(clippy::needless_range_loop)]

pub mod bayes;
pub mod diagnostics;
pub mod dual;
pub mod lift;
pub mod model;
pub mod optimize;
pub mod prior;
pub mod report;
pub mod ridge;
pub mod simulate;
pub mod transform;

pub use bayes::{Posterior, SamplerSettings, sample};
pub use model::{Data, LiftTest, ModelSpec, Prepared, Priors, Series};
pub use prior::Prior;
pub use transform::{Adstock, AdstockKind, Saturation};

/// What can go wrong in a mix model, a lift analysis or a budget allocation.
#[derive(Debug, thiserror::Error)]
pub enum MmmError {
    /// The data cannot be fitted as given (too few rows, a column of the wrong length, no spend…).
    #[error("{0}")]
    Data(String),
    /// The settings or the budget cannot be used (too few draws, a budget outside the bounds…).
    #[error("{0}")]
    Settings(String),
    /// The NUTS sampler itself failed.
    #[error("the sampler failed: {0}")]
    Sampler(String),
}
