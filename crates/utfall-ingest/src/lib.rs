//! Connectors: what marketing systems export, read into Utfall's canonical tables.
//!
//! Files are decoded whatever their encoding ([`decode`]), their values read in Swedish or
//! English conventions ([`parse`]), mapped by a preset into canonical rows ([`preset`]), and
//! committed atomically to Parquet ([`store`]). Rejected rows are kept, with their reason, in
//! a quarantine. This crate prints nothing; the binary reports.

#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod channel;
pub mod decode;
pub mod ga4;
pub mod import;
pub mod json;
pub mod labels;
pub mod parse;
pub mod paths;
pub mod preset;
pub mod report;
pub mod sheet;
pub mod store;
pub mod survey;
pub mod table;
