//! A build without the `pdf` feature: no PDF renderer, and an error that says how to get one.

use utfall_report::{Format, ReportError, pdf, render};

use crate::fixtures;

#[test]
fn without_the_pdf_feature_a_pdf_is_refused_with_how_to_build_one() {
    let doc = fixtures::channels();
    for result in [pdf(&doc), render(&doc, Format::Pdf)] {
        match result {
            Err(error @ ReportError::PdfNotBuilt) => assert_eq!(
                error.to_string(),
                "this build of Utfall has no PDF renderer: \
                 build with `cargo build --release --features pdf`"
            ),
            other => panic!(
                "expected PdfNotBuilt, got {:?}",
                other.map(|bytes| bytes.len())
            ),
        }
    }
    // The other formats do not need it.
    for format in [Format::Markdown, Format::Html, Format::Xlsx] {
        assert!(render(&doc, format).is_ok(), "{format}");
    }
}
