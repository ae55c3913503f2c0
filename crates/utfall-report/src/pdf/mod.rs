//! A4 PDF, laid out here and written by krilla with DejaVu Sans embedded and subset; only
//! with the `pdf` feature (krilla costs minutes to build), without it [`pdf`] says so.
//!
//! Layout happens first, into pages of positioned text runs and filled rectangles, so that
//! the footer can say `n / N`; painting then hands each page to krilla. Nothing in the file
//! depends on the clock or on chance: the same document gives the same bytes.

#[cfg(feature = "pdf")]
mod layout;
#[cfg(feature = "pdf")]
mod paint;
#[cfg(feature = "pdf")]
mod text;

use crate::{Document, ReportError};

/// Renders `doc` as an A4 portrait PDF with its fonts embedded (subset DejaVu Sans): a title,
/// sections, wrapped paragraphs and lists, and tables whose header row repeats on every page
/// they cross and whose text cells wrap within their columns, with page numbers `n / N` in
/// the footer. The same document gives the same bytes (no dates, no random identifiers), and
/// all text can be extracted (copied, searched).
///
/// Only a build with the `pdf` feature has the renderer; any other build returns
/// [`ReportError::PdfNotBuilt`].
pub fn pdf(doc: &Document) -> Result<Vec<u8>, ReportError> {
    #[cfg(feature = "pdf")]
    {
        paint::pdf(doc)
    }
    #[cfg(not(feature = "pdf"))]
    {
        let _ = doc;
        Err(ReportError::PdfNotBuilt)
    }
}
