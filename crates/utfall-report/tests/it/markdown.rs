use utfall_report::{Block, Cell, Document, Format, NumberKind, Section, Table, markdown, render};

use crate::fixtures::{self, HOSTILE};

#[test]
fn renders_title_sections_lists_and_a_right_aligned_table() {
    let expected = "# Marknadsrapport mars 2025\n\
        \n\
        Arbetsyta Demo AB · 2025-03-01 – 2025-03-31\n\
        \n\
        ## Sammanfattning\n\
        \n\
        Intäkten ökade med 12,5\u{a0}% jämfört med februari.\n\
        \n\
        - Sök växte mest\n\
        - E-post minskade\n\
        \n\
        ## Kanaler\n\
        \n\
        | Kanal | Besök | Kostnad | Andel | Förändring |\n\
        | --- | ---: | ---: | ---: | ---: |\n\
        | Betald sök | 12\u{a0}345 | 1\u{a0}234,50\u{a0}kr | 12,5\u{a0}% | +1,5\u{a0}pe |\n\
        | \u{a0}\u{a0}Varumärke | 2\u{a0}000 | 99,90\u{a0}kr | 2,0\u{a0}% | −0,3\u{a0}pe |\n\
        | E-post | 870 | – | 0,7\u{a0}% |  |\n";
    assert_eq!(markdown(&fixtures::channels()), expected);
}

#[test]
fn render_gives_the_markdown_as_utf8_bytes() {
    let doc = fixtures::channels();
    let bytes = render(&doc, Format::Markdown).ok();
    assert_eq!(bytes, Some(markdown(&doc).into_bytes()));
}

#[test]
fn pipes_and_line_breaks_in_cells_keep_the_table_whole() {
    let doc = Document {
        title: "T".into(),
        subtitle: String::new(),
        lang: "sv".into(),
        sections: vec![Section {
            heading: "H".into(),
            blocks: vec![Block::Table(Table {
                name: "t".into(),
                headers: vec!["A|B".into(), "C".into()],
                rows: vec![vec![
                    Cell::text("rad ett\nrad två"),
                    Cell::number("1", 1.0, NumberKind::Count),
                ]],
            })],
        }],
    };
    let out = markdown(&doc);
    let table: Vec<&str> = out.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(
        table,
        vec![
            "| A\\|B | C |",
            "| --- | ---: |",
            "| rad ett<br>rad två | 1 |"
        ]
    );
}

#[test]
fn markup_in_the_text_is_escaped_not_interpreted() {
    let doc = Document {
        title: "**fet** rubrik".into(),
        subtitle: "[länk](https://example.invalid)".into(),
        lang: "sv".into(),
        sections: vec![Section {
            heading: "# inte en rubrik".into(),
            blocks: vec![
                Block::Paragraph("- inte en lista\n1. inte heller\n<b>html</b> & `kod`".into()),
                Block::List(HOSTILE.iter().map(|s| s.to_string()).collect()),
            ],
        }],
    };
    let out = markdown(&doc);
    assert!(out.starts_with("# \\*\\*fet\\*\\* rubrik\n"), "{out}");
    assert!(
        out.contains("\n\\[länk\\](https://example.invalid)\n"),
        "{out}"
    );
    assert!(out.contains("\n## \\# inte en rubrik\n"), "{out}");
    assert!(
        out.contains("\n\\- inte en lista\n1\\. inte heller\n"),
        "{out}"
    );
    assert!(out.contains("\\<b\\>html\\</b\\> \\& \\`kod\\`"), "{out}");
    // Every `<` is escaped: no raw HTML reaches a Markdown renderer.
    for (index, _) in out.match_indices('<') {
        assert_eq!(&out[index - 1..index], "\\", "raw `<` at {index} in {out}");
    }
}
