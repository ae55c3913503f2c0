//! Utfall's application layer: the use cases — scorecard, KPI series and export, explain,
//! review follow-ups, digests and alerts by e-mail, attribution, mix modelling, lift, imports,
//! definition edits, the demo — as functions over a [`Session`], each returning plain typed
//! results that every front end formats its own way. [`wire`] holds their serialisable shapes,
//! so that `--format json` and the JSON API are the same document; [`AppError`] is the one
//! error, classified into the user's mistakes and ours.
#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod attribution;
pub mod definitions;
pub mod demo;
pub mod digest;
pub mod edit;
mod error;
pub mod explain;
pub mod import;
pub mod memory;
pub mod mmm;
pub mod present;
pub mod review;
pub mod scorecard;
pub mod series;
pub mod session;
pub mod upload;
pub mod views;
pub mod wire;
pub mod workshop;

pub use error::{AppError, ErrorKind};
pub use session::{Clock, Session};
/// The async runtime type the front ends hold.
pub use tokio::runtime::Runtime;

/// The one async runtime of a process (two workers: the query engine's plans run on them).
pub fn runtime() -> Result<tokio::runtime::Runtime, AppError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| AppError::internal("failed to start the async runtime").caused_by(error))
}
