//! One document, rendered many ways. A [`Document`] is headings, paragraphs and tables whose
//! cells carry both the text a reader sees (already formatted in the reader's locale, e.g.
//! `1 234,50 kr`) and, for numbers, the raw value and its kind, so that a spreadsheet gets
//! real numeric cells with number formats. The renderers — Markdown, self-contained HTML, PDF
//! (fonts embedded, no network) and XLSX — add no numbers and no words of their own beyond
//! the layout: every front end shows the same content.
//!
//! The PDF renderer is behind the cargo feature `pdf` (off by default: krilla takes minutes
//! to build); without it, [`pdf()`] and [`render`] with [`Format::Pdf`] return
//! [`ReportError::PdfNotBuilt`].
#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod error;
mod format;
mod html;
mod markdown;
mod pdf;
mod table;
mod xlsx;

pub use error::ReportError;
pub use format::{Format, render};
pub use html::html;
pub use markdown::markdown;
pub use pdf::pdf;
pub use xlsx::xlsx;

use serde::{Deserialize, Serialize};

/// A document: a title, a line under it, and its sections in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// The title.
    pub title: String,
    /// The line under the title (workspace, period, when it was made).
    pub subtitle: String,
    /// The document's language, `sv` or `en` (HTML `lang`, PDF metadata).
    pub lang: String,
    /// The sections.
    pub sections: Vec<Section>,
}

/// A section: a heading and its blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// The heading.
    pub heading: String,
    /// Paragraphs, tables and lists in order.
    pub blocks: Vec<Block>,
}

/// A piece of a section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Block {
    /// A paragraph of plain text (never markup: renderers escape it).
    Paragraph(String),
    /// A bulleted list of plain-text items.
    List(Vec<String>),
    /// A table.
    Table(Table),
}

/// A table: a name (the XLSX sheet's name), column headers and rows of cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// A short name, unique in the document (at most 31 characters: it names the sheet).
    pub name: String,
    /// The column headers.
    pub headers: Vec<String>,
    /// The rows; each as long as `headers`.
    pub rows: Vec<Vec<Cell>>,
}

/// A cell: the text shown, and the number behind it when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// What the reader sees, formatted in the document's locale.
    pub text: String,
    /// The raw number and how it is formatted, for spreadsheets; `None` for text.
    pub number: Option<Number>,
    /// Indentation level (KPI trees), 0 for none.
    #[serde(default)]
    pub indent: u8,
}

/// A cell's raw number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Number {
    /// The value (a share is a fraction: 0.125 for 12,5 %).
    pub value: f64,
    /// Its kind.
    pub kind: NumberKind,
}

/// How a number is formatted in a spreadsheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NumberKind {
    /// A whole count: `# ##0`.
    Count,
    /// A decimal number with this many decimals.
    Decimal(u8),
    /// An amount of money (`# ##0 "kr"` for SEK; the currency code otherwise).
    Money(Currency),
    /// A share, shown as a percentage with one decimal (`0.0 %`).
    Percent,
    /// A difference of shares in percentage points (the value in points: 1.5 for +1,5 pe).
    Points,
}

/// A currency code of three letters, e.g. `SEK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Currency(pub [u8; 3]);

impl Cell {
    /// A text cell.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            number: None,
            indent: 0,
        }
    }

    /// A number cell: its formatted text and its value.
    pub fn number(text: impl Into<String>, value: f64, kind: NumberKind) -> Cell {
        Cell {
            text: text.into(),
            number: value.is_finite().then_some(Number { value, kind }),
            indent: 0,
        }
    }

    /// The same cell indented.
    pub fn indented(mut self, indent: u8) -> Cell {
        self.indent = indent;
        self
    }
}
