//! Utfall's model: the workspace's definitions as code (goals, KPIs, sources, activities), the
//! KPI formula language, validation with `file:line:col` diagnostics, the KPI library,
//! calendars and periods, and the templates `utfall init` writes.
//!
//! This crate reads the definition files it is handed and nothing else; it knows nothing of
//! query engines, stores or terminals.
#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod catalog;
pub mod check;
pub mod diagnostic;
pub mod formula;
pub mod holidays;
pub mod kinds;
pub mod library;
pub mod locale;
pub mod money;
pub mod period;
pub mod template;
pub mod tree;
pub mod workspace;
