//! Utfall's charts as SVG text, drawn on the server: no JavaScript, no fonts to fetch, no
//! randomness. The same input gives the same bytes, so a chart can be cached, compared in a
//! test and printed.
//!
//! Every chart has a fixed `viewBox` and is scaled by CSS, carries `role="img"` with a
//! `<title>` (and a `<desc>` where one is given) in the page language, and is styled by class
//! names: [`stylesheet`] is the CSS, for the page's stylesheet (a strict
//! `Content-Security-Policy` blocks inline `<style>`), or [`standalone`] puts it inside.
//! All text handed in is plain text and is escaped here. Numbers a reader sees are formatted
//! with [`utfall_model::locale::Locale`]; the numbers a test or a script reads sit in `data-*`
//! attributes as Rust's shortest round-trip `f64` text (`0.30000000000000004`).
//!
//! - [`kpi_chart`]: one KPI over periods, IBCS-like: actual, last year, target bands,
//!   forecast, the running period and annotation markers.
//! - [`sparkline`]: a small line without axes.
//! - [`bar_chart`]: horizontal bars per category, optionally grouped by series, with intervals.
//! - [`line_chart`]: several series over a numeric or a categorical x axis, optionally stacked.
#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod bar;
mod kpi;
mod line;
mod scale;
#[cfg(test)]
mod scan;
mod sparkline;
mod svg;

pub use bar::{Bar, BarCategory, BarChart, bar_chart};
pub use kpi::{Band, KpiChart, Marker, MarkerKind, PeriodPoint, kpi_chart};
pub use line::{LineChart, Series, XAxis, line_chart};
pub use scale::{AxisUnit, nice_ticks};
pub use sparkline::sparkline;

/// The CSS of every chart, scoped by each chart's root class.
pub fn stylesheet() -> String {
    [kpi::STYLE, bar::STYLE, line::STYLE, sparkline::STYLE].concat()
}

/// A chart with its CSS inside, for use outside a page (a file, an e-mail).
pub fn standalone(svg: &str) -> String {
    match svg.find('>') {
        Some(end) => format!(
            "{}<style>{}</style>{}",
            &svg[..=end],
            stylesheet(),
            &svg[end + 1..]
        ),
        None => svg.to_string(),
    }
}
