//! Hand-written documents. Every expected value in the tests comes from these.

use utfall_report::{Block, Cell, Currency, Document, NumberKind, Section, Table};

pub const SEK: NumberKind = NumberKind::Money(Currency(*b"SEK"));

/// A small Swedish document with one of everything.
pub fn channels() -> Document {
    Document {
        title: "Marknadsrapport mars 2025".into(),
        subtitle: "Arbetsyta Demo AB · 2025-03-01 – 2025-03-31".into(),
        lang: "sv".into(),
        sections: vec![
            Section {
                heading: "Sammanfattning".into(),
                blocks: vec![
                    Block::Paragraph("Intäkten ökade med 12,5\u{a0}% jämfört med februari.".into()),
                    Block::List(vec!["Sök växte mest".into(), "E-post minskade".into()]),
                ],
            },
            Section {
                heading: "Kanaler".into(),
                blocks: vec![Block::Table(Table {
                    name: "Kanaler".into(),
                    headers: vec![
                        "Kanal".into(),
                        "Besök".into(),
                        "Kostnad".into(),
                        "Andel".into(),
                        "Förändring".into(),
                    ],
                    rows: vec![
                        vec![
                            Cell::text("Betald sök"),
                            Cell::number("12\u{a0}345", 12345.0, NumberKind::Count),
                            Cell::number("1\u{a0}234,50\u{a0}kr", 1234.5, SEK),
                            Cell::number("12,5\u{a0}%", 0.125, NumberKind::Percent),
                            Cell::number("+1,5\u{a0}pe", 1.5, NumberKind::Points),
                        ],
                        vec![
                            Cell::text("Varumärke").indented(1),
                            Cell::number("2\u{a0}000", 2000.0, NumberKind::Count),
                            Cell::number("99,90\u{a0}kr", 99.9, SEK),
                            Cell::number("2,0\u{a0}%", 0.02, NumberKind::Percent),
                            Cell::number("−0,3\u{a0}pe", -0.3, NumberKind::Points),
                        ],
                        vec![
                            Cell::text("E-post"),
                            Cell::number("870", 870.0, NumberKind::Count),
                            Cell::text("–"),
                            Cell::number("0,7\u{a0}%", 0.007, NumberKind::Percent),
                            Cell::text(""),
                        ],
                    ],
                })],
            },
        ],
    }
}

/// Text that would be markup, script or a formula if a renderer let it through.
pub const HOSTILE: [&str; 6] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">klicka</a>",
    "\"><svg onload=alert(1)>",
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
];

/// A document whose every piece of text is hostile.
pub fn hostile() -> Document {
    Document {
        title: HOSTILE[0].into(),
        subtitle: HOSTILE[1].into(),
        lang: "sv\"><script>alert(1)</script>".into(),
        sections: vec![Section {
            heading: HOSTILE[2].into(),
            blocks: vec![
                Block::Paragraph(HOSTILE.join(" ")),
                Block::List(HOSTILE.iter().map(|s| s.to_string()).collect()),
                Block::Table(Table {
                    name: "Fientlig".into(),
                    headers: HOSTILE.iter().map(|s| s.to_string()).collect(),
                    rows: vec![HOSTILE.iter().map(|s| Cell::text(*s)).collect()],
                }),
            ],
        }],
    }
}

/// The cells of row `i` (0-based) of [`long_table`].
pub fn long_row(i: usize) -> Vec<Cell> {
    let visits = 1000 + 37 * i;
    let cost_ore = 123_450 + 1_001 * i;
    vec![
        Cell::text(format!("Kampanj {:02}", i + 1)),
        Cell::number(
            format!("{}\u{a0}{:03}", visits / 1000, visits % 1000),
            visits as f64,
            NumberKind::Count,
        ),
        Cell::number(
            format!(
                "{}\u{a0}{:03},{:02}\u{a0}kr",
                cost_ore / 100 / 1000,
                cost_ore / 100 % 1000,
                cost_ore % 100
            ),
            cost_ore as f64 / 100.0,
            SEK,
        ),
        Cell::number(
            format!("{},{}\u{a0}%", i % 20, i % 10),
            (i % 20) as f64 / 100.0 + (i % 10) as f64 / 1000.0,
            NumberKind::Percent,
        ),
    ]
}

pub const LONG_HEADERS: [&str; 4] = ["Kampanj", "Besök", "Kostnad", "Konverteringsgrad"];

/// A document with a 60-row table: more than one A4 page.
pub fn long_table() -> Document {
    Document {
        title: "Kampanjer".into(),
        subtitle: "Alla kampanjer under kvartalet".into(),
        lang: "sv".into(),
        sections: vec![Section {
            heading: "Kampanjer".into(),
            blocks: vec![
                Block::Paragraph("Tabellen listar kampanjerna i startordning.".into()),
                Block::Table(Table {
                    name: "Kampanjer".into(),
                    headers: LONG_HEADERS.iter().map(|s| s.to_string()).collect(),
                    rows: (0..60).map(long_row).collect(),
                }),
            ],
        }],
    }
}
