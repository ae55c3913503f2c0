//! The renderers, end to end, on hand-written documents.

mod edge_cases;
mod fixtures;
mod html;
mod markdown;
#[cfg(feature = "pdf")]
mod pdf;
#[cfg(not(feature = "pdf"))]
mod pdf_not_built;
mod xlsx;
