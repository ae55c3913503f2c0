//! The crate's one error type.

/// Why a document could not be rendered.
///
/// Non-exhaustive because the PDF renderer's variants exist only with the `pdf` feature.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A format name that is none of `md`, `markdown`, `html`, `pdf` and `xlsx`.
    #[error("unknown report format `{0}`; expected one of md, markdown, html, pdf, xlsx")]
    UnknownFormat(String),
    /// A PDF was asked of a build without the `pdf` feature (never returned with it).
    #[error(
        "this build of Utfall has no PDF renderer: build with `cargo build --release --features pdf`"
    )]
    PdfNotBuilt,
    /// An embedded font could not be read (the fonts are compiled in, so this is a bug).
    #[cfg(feature = "pdf")]
    #[error("the embedded font `{0}` could not be read")]
    Font(&'static str),
    /// krilla could not write the PDF.
    #[cfg(feature = "pdf")]
    #[error("failed to write the pdf")]
    Pdf(#[source] krilla::error::KrillaError),
    /// rust_xlsxwriter could not write the workbook.
    #[error("failed to write the xlsx workbook")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

#[cfg(test)]
mod tests {
    use super::ReportError;

    #[test]
    fn the_error_can_travel_between_threads_and_into_anyhow() {
        fn send_sync_static<T: Send + Sync + 'static + std::error::Error>() {}
        send_sync_static::<ReportError>();
    }
}
