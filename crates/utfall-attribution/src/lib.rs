//! Attribution: which channels, campaigns and activities produced the conversions.
//!
//! Pure numeric code. Journeys come in as paths of channel (or campaign, activity) ids with
//! their conversions, conversion value and non-converting count; credits come out per channel.
//! Nothing here reads files or prints.
//!
//! - [`heuristic`]: first touch, last touch, linear (the `channelattribution` semantics).
//! - [`markov`]: Markov chains of order 1–4 with removal effects computed exactly by linear
//!   algebra rather than by simulation.
//! - [`shapley`]: Shapley values over channel coalitions, exact up to 20 channels.
#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod bootstrap;
pub mod heuristic;
pub mod journeys;
pub mod markov;
pub mod paths;
pub mod shapley;

pub use paths::{PathSet, PathSetBuilder};

/// Attribution could not be computed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AttributionError {
    /// Markov order outside 1–4.
    #[error("Markov order {0} is not supported; use 1, 2, 3 or 4")]
    UnsupportedOrder(usize),
    /// Too many channels for a state key.
    #[error("{0} channels is more than the {max} a Markov model supports", max = u16::MAX)]
    TooManyChannels(usize),
    /// Exact Shapley values over too many channels.
    #[error("exact Shapley values need at most {max} channels, the data has {0}", max = shapley::MAX_EXACT_CHANNELS)]
    TooManyChannelsForShapley(usize),
    /// A count or value that is negative or not finite.
    #[error("path {path}: {what} must be a finite number of at least 0, not {value}")]
    InvalidNumber {
        /// The path's position in the input.
        path: usize,
        /// Which number: conversions, value or non-conversions.
        what: &'static str,
        /// The number found.
        value: f64,
    },
}
