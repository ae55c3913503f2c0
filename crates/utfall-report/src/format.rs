//! Choosing a renderer by name.

use std::fmt;
use std::str::FromStr;

use crate::{Document, ReportError};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// GitHub-flavoured Markdown.
    Markdown,
    /// One self-contained HTML5 file.
    Html,
    /// A4 PDF with embedded fonts.
    Pdf,
    /// An Excel workbook, one sheet per table.
    Xlsx,
}

impl Format {
    /// Every format, in the order they are usually offered.
    pub const ALL: [Format; 4] = [Format::Markdown, Format::Html, Format::Pdf, Format::Xlsx];

    /// Parses a format name: `md` or `markdown`, `html`, `pdf`, `xlsx` (ASCII case ignored).
    pub fn parse(name: &str) -> Result<Format, ReportError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "pdf" => Ok(Format::Pdf),
            "xlsx" => Ok(Format::Xlsx),
            _ => Err(ReportError::UnknownFormat(name.to_owned())),
        }
    }

    /// The file name extension, without the dot: `md`, `html`, `pdf`, `xlsx`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
        }
    }

    /// The media type, e.g. for an HTTP `Content-Type` header.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
            Format::Pdf => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

impl FromStr for Format {
    type Err = ReportError;

    fn from_str(name: &str) -> Result<Format, ReportError> {
        Format::parse(name)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// Renders `doc` in `format`; Markdown and HTML come back as their UTF-8 bytes.
pub fn render(doc: &Document, format: Format) -> Result<Vec<u8>, ReportError> {
    match format {
        Format::Markdown => Ok(crate::markdown(doc).into_bytes()),
        Format::Html => Ok(crate::html(doc).into_bytes()),
        Format::Pdf => crate::pdf(doc),
        Format::Xlsx => crate::xlsx(doc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_name_and_round_trips_the_extension() {
        assert_eq!(Format::parse("md").ok(), Some(Format::Markdown));
        assert_eq!(Format::parse("markdown").ok(), Some(Format::Markdown));
        assert_eq!(Format::parse("HTML").ok(), Some(Format::Html));
        assert_eq!(Format::parse("pdf").ok(), Some(Format::Pdf));
        assert_eq!(Format::parse("xlsx").ok(), Some(Format::Xlsx));
        for format in Format::ALL {
            assert_eq!(Format::parse(format.extension()).ok(), Some(format));
            assert_eq!(format.to_string().parse::<Format>().ok(), Some(format));
        }
    }

    #[test]
    fn rejects_an_unknown_name_with_a_message_naming_it() {
        let error = Format::parse("docx").err().map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some("unknown report format `docx`; expected one of md, markdown, html, pdf, xlsx")
        );
        assert!(Format::parse("").is_err());
        assert!(Format::parse("xls").is_err());
    }
}
