use std::io::{Cursor, Read as _};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use utfall_report::{Block, Cell, Document, Format, NumberKind, Section, Table, render, xlsx};

use crate::fixtures;

fn render_xlsx(doc: &Document) -> Vec<u8> {
    match xlsx(doc) {
        Ok(bytes) => bytes,
        Err(error) => panic!("{error}"),
    }
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("calamine reads the workbook")
}

/// One part of the workbook's ZIP file, as text.
fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip file");
    let mut file = archive.by_name(name).expect(name);
    let mut text = String::new();
    file.read_to_string(&mut text).expect("utf-8");
    text
}

fn table(name: &str, headers: &[&str], rows: Vec<Vec<Cell>>) -> Block {
    Block::Table(Table {
        name: name.into(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
    })
}

fn doc(lang: &str, blocks: Vec<Block>) -> Document {
    Document {
        title: "Rapport".into(),
        subtitle: "Underrubrik".into(),
        lang: lang.into(),
        sections: vec![Section {
            heading: "Avsnitt".into(),
            blocks,
        }],
    }
}

#[test]
fn numbers_come_back_as_numbers_and_text_as_text() {
    let source = fixtures::channels();
    let bytes = render_xlsx(&source);
    let mut workbook = open(&bytes);
    assert_eq!(workbook.sheet_names(), vec!["Översikt", "Kanaler"]);
    let range = workbook.worksheet_range("Kanaler").expect("the sheet");
    let Some(Block::Table(table)) = source.sections[1].blocks.first() else {
        panic!("the fixture has a table")
    };
    for (column, header) in table.headers.iter().enumerate() {
        assert_eq!(
            range.get_value((0, column as u32)),
            Some(&Data::String(header.clone()))
        );
    }
    for (r, row) in table.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let got = range.get_value((r as u32 + 1, c as u32));
            let want = match (cell.number, cell.text.as_str()) {
                (Some(number), _) => Some(Data::Float(number.value)),
                (None, "") => None,
                (None, text) => Some(Data::String(text.to_owned())),
            };
            assert_eq!(
                got.filter(|d| **d != Data::Empty).cloned(),
                want,
                "row {r} column {c}"
            );
        }
    }
}

#[test]
fn number_formats_bold_frozen_header_and_indent_are_set() {
    let bytes = render_xlsx(&fixtures::channels());
    let styles = part(&bytes, "xl/styles.xml");
    for format in [
        "formatCode=\"#,##0\"",
        "formatCode=\"#,##0.00 &quot;kr&quot;\"",
        "formatCode=\"0.0%\"",
        "formatCode=\"+0.0&quot; pe&quot;;-0.0&quot; pe&quot;\"",
    ] {
        assert!(styles.contains(format), "{format} not in {styles}");
    }
    assert!(styles.contains("<b/>"), "no bold font");
    assert!(styles.contains("indent=\"1\""), "no indented cell");
    let sheet = part(&bytes, "xl/worksheets/sheet2.xml");
    assert!(
        sheet.contains(
            "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
        ),
        "{sheet}"
    );
}

#[test]
fn formula_like_text_stays_text_with_a_quote_prefix() {
    let texts = [
        "=1+1",
        "+46 70 123 45 67",
        "-5 kr",
        "@SUM(A1:A2)",
        "=HYPERLINK(\"x\")",
    ];
    let rows = texts.iter().map(|t| vec![Cell::text(*t)]).collect();
    let bytes = render_xlsx(&doc("sv", vec![table("Text", &["Text"], rows)]));
    let mut workbook = open(&bytes);
    let range = workbook.worksheet_range("Text").expect("the sheet");
    for (index, text) in texts.iter().enumerate() {
        assert_eq!(
            range.get_value((index as u32 + 1, 0)),
            Some(&Data::String(text.to_string()))
        );
    }
    let formulas = workbook.worksheet_formula("Text").expect("the formulas");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "a formula was written"
    );
    let sheet = part(&bytes, "xl/worksheets/sheet2.xml");
    assert!(!sheet.contains("<f>"), "{sheet}");
    assert!(part(&bytes, "xl/styles.xml").contains("quotePrefix=\"1\""));
}

#[test]
fn sheet_names_are_made_valid_and_unique() {
    let one = || vec![vec![Cell::number("1", 1.0, NumberKind::Count)]];
    let bytes = render_xlsx(&doc(
        "sv",
        vec![
            table("Kanal/vecka: v. 1–4", &["A"], one()),
            table("kanal/vecka: v. 1–4", &["A"], one()),
            table("Översikt", &["A"], one()),
            table("", &["A"], one()),
            table("En mycket lång tabellrubrik som inte ryms", &["A"], one()),
            table("'History'", &["A"], one()),
        ],
    ));
    let workbook = open(&bytes);
    assert_eq!(
        workbook.sheet_names(),
        vec![
            "Översikt",
            "Kanal-vecka- v. 1–4",
            "kanal-vecka- v. 1–4 (2)",
            "Översikt (2)",
            "Tabell 4",
            "En mycket lång tabellrubrik som",
            "History (1)",
        ]
    );
}

#[test]
fn the_overview_holds_the_words_and_names_the_sheets() {
    let source = fixtures::channels();
    let mut workbook = open(&render_xlsx(&source));
    let range = workbook.worksheet_range("Översikt").expect("the overview");
    let strings: Vec<String> = range
        .used_cells()
        .filter_map(|(_, _, d)| match d {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        strings,
        vec![
            "Marknadsrapport mars 2025",
            "Arbetsyta Demo AB · 2025-03-01 – 2025-03-31",
            "Sammanfattning",
            "Intäkten ökade med 12,5\u{a0}% jämfört med februari.",
            "Sök växte mest",
            "E-post minskade",
            "Kanaler",
            "Kanaler",
        ]
    );
}

#[test]
fn an_english_document_gets_an_overview_and_points_in_pp() {
    let rows = vec![vec![
        Cell::number("+1.5 pp", 1.5, NumberKind::Points),
        Cell::number(
            "€12.00",
            12.0,
            NumberKind::Money(utfall_report::Currency(*b"EUR")),
        ),
        Cell::number("1.235", 1.23456, NumberKind::Decimal(3)),
    ]];
    let bytes = render_xlsx(&doc("en", vec![table("Shares", &["Δ", "Cost", "π"], rows)]));
    let mut workbook = open(&bytes);
    assert_eq!(workbook.sheet_names(), vec!["Overview", "Shares"]);
    let range = workbook.worksheet_range("Shares").expect("the sheet");
    assert_eq!(range.get_value((1, 2)), Some(&Data::Float(1.23456)));
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains("formatCode=\"+0.0&quot; pp&quot;;-0.0&quot; pp&quot;\""));
    assert!(styles.contains("formatCode=\"#,##0.00 &quot;EUR&quot;\""));
    assert!(styles.contains("formatCode=\"#,##0.000\""));
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let source = fixtures::long_table();
    let first = render_xlsx(&source);
    assert!(first == render_xlsx(&source), "two renders differ");
    assert_eq!(render(&source, Format::Xlsx).ok(), Some(first.clone()));
    let mut workbook = open(&first);
    let range = workbook.worksheet_range("Kampanjer").expect("the sheet");
    assert_eq!(range.height(), 61);
    for i in 0..60 {
        let row = fixtures::long_row(i);
        let Some(cost) = row[2].number else {
            panic!("a number")
        };
        assert_eq!(
            range.get_value((i as u32 + 1, 2)),
            Some(&Data::Float(cost.value))
        );
    }
}
