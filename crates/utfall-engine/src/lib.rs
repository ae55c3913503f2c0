//! The KPI engine: the workspace's KPI definitions compiled to Apache DataFusion plans over its
//! Parquet tables, evaluated for any calendar's periods.
//!
//! This is the only crate that knows DataFusion. Base aggregates (sums, counts, distinct
//! counts, first occurrences, conversions) are computed by DataFusion, grouped by the period
//! label of `utfall_period(time)`, batched so that one scan per table, time column and grain
//! serves every KPI that reads it. Ratios, derived KPIs, offsets and cumulative windows are
//! then evaluated per period on those values.
#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod cells;
pub mod explain;
mod fx;
pub mod journeys;
pub mod kpi;
pub mod period_udf;
pub mod rows;
pub mod status;
mod tables;
#[cfg(test)]
mod testing;

pub use kpi::{Engine, EngineConfig, EngineError, KpiValues, SplitValues};
