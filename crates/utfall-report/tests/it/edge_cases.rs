//! Documents at the edges: empty, ragged, glyphs the font lacks, values Excel cannot hold.

use utfall_report::{
    Block, Cell, Document, Format, Number, NumberKind, ReportError, Section, Table, render,
};

/// Renders `doc` in every format this build has (a PDF only with the `pdf` feature).
fn render_all(doc: &Document) {
    for format in Format::ALL {
        match render(doc, format) {
            Ok(bytes) => assert!(!bytes.is_empty(), "{format}: no bytes"),
            Err(ReportError::PdfNotBuilt) if !cfg!(feature = "pdf") && format == Format::Pdf => {}
            Err(error) => panic!("{format}: {error}"),
        }
    }
}

#[test]
fn an_empty_document_renders_in_every_format() {
    render_all(&Document {
        title: String::new(),
        subtitle: String::new(),
        lang: String::new(),
        sections: Vec::new(),
    });
}

#[test]
fn odd_tables_and_text_render_in_every_format() {
    let nan = Cell {
        text: "–".into(),
        number: Some(Number {
            value: f64::NAN,
            kind: NumberKind::Percent,
        }),
        indent: 255,
    };
    render_all(&Document {
        title: "東京 😀 \u{0} tabb\tslut".into(),
        subtitle: "\n\n".into(),
        lang: "sv".into(),
        sections: vec![Section {
            heading: String::new(),
            blocks: vec![
                Block::Paragraph(String::new()),
                Block::List(Vec::new()),
                // No columns at all.
                Block::Table(Table {
                    name: "tom".into(),
                    headers: Vec::new(),
                    rows: Vec::new(),
                }),
                // Headers only.
                Block::Table(Table {
                    name: "bara rubriker".into(),
                    headers: vec!["A".into(), "B".into()],
                    rows: Vec::new(),
                }),
                // Rows shorter and longer than the headers; a value that is not a number.
                Block::Table(Table {
                    name: "ojämn".into(),
                    headers: vec!["A".into()],
                    rows: vec![
                        vec![],
                        vec![Cell::text("a"), Cell::text("b"), nan],
                        vec![Cell::text("x".repeat(5000)).indented(3)],
                    ],
                }),
            ],
        }],
    });
}
