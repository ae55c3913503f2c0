use std::io::Write as _;
use std::process::{Command, Stdio};

use utfall_report::{Block, Cell, Document, Format, NumberKind, Section, Table, pdf, render};

use crate::fixtures::{self, LONG_HEADERS};

fn render_pdf(doc: &Document) -> Vec<u8> {
    match pdf(doc) {
        Ok(bytes) => bytes,
        Err(error) => panic!("{error}"),
    }
}

/// Whether poppler's `tool` can be run. Without it the test is skipped with a note, except
/// in CI (`CI` set), where a missing tool fails the test.
fn have(tool: &str) -> bool {
    if Command::new(tool).arg("-v").output().is_ok() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("`{tool}` is not on PATH; CI must install poppler-utils");
    }
    eprintln!("skipped: `{tool}` is not on PATH (apt-get install poppler-utils)");
    false
}

/// `pdftotext ARGS - -`: the text of the PDF, pages separated by form feeds.
fn pdftotext(pdf: &[u8], args: &[&str]) -> String {
    let mut child = Command::new("pdftotext")
        .args(args)
        .args(["-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pdftotext runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(pdf)
        .expect("pdftotext reads the pdf");
    let output = child.wait_with_output().expect("pdftotext finishes");
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// Runs of white space (no-break spaces included) made one plain space.
fn squash(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The squashed lines of each page.
fn pages(text: &str) -> Vec<Vec<String>> {
    text.split('\u{c}')
        .filter(|page| !page.trim().is_empty())
        .map(|page| page.lines().map(squash).filter(|l| !l.is_empty()).collect())
        .collect()
}

fn row_line(cells: &[Cell]) -> String {
    squash(
        &cells
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

#[test]
fn the_same_document_gives_the_same_bytes_without_dates() {
    let doc = fixtures::long_table();
    let first = render_pdf(&doc);
    let second = render_pdf(&doc);
    assert!(first.starts_with(b"%PDF-"));
    assert!(first == second, "two renders differ");
    let text = String::from_utf8_lossy(&first);
    for dated in ["CreationDate", "ModDate", "CreateDate", "ModifyDate"] {
        assert!(!text.contains(dated), "{dated} in the pdf");
    }
    assert_eq!(render(&doc, Format::Pdf).ok(), Some(first));
}

#[test]
fn both_fonts_are_embedded_as_subsets() {
    let bytes = render_pdf(&fixtures::channels());
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("/FontFile2"),
        "no embedded TrueType font program"
    );
    // A subset's name carries a six-letter tag: `ABCDEF+DejaVuSans`.
    for name in ["+DejaVuSans", "+DejaVuSans-Bold"] {
        assert!(text.contains(name), "{name} missing");
    }
    // The two fonts are 1.4 MB whole; subsets of a few dozen glyphs are far smaller.
    assert!(bytes.len() < 150_000, "{} bytes", bytes.len());
    assert!(text.contains("/MediaBox[0 0 595 842]"), "not A4 portrait");
    assert!(text.contains("/Lang(sv)"), "no document language");
    assert!(
        text.contains("/Title(Marknadsrapport mars 2025)"),
        "no title"
    );
}

#[test]
fn every_word_and_cell_can_be_extracted() {
    if !have("pdftotext") {
        return;
    }
    let doc = fixtures::channels();
    let text = squash(&pdftotext(&render_pdf(&doc), &["-layout"]));
    let mut expected = vec![doc.title.clone(), doc.subtitle.clone()];
    for section in &doc.sections {
        expected.push(section.heading.clone());
        for block in &section.blocks {
            match block {
                Block::Paragraph(p) => expected.push(p.clone()),
                Block::List(items) => expected.extend(items.iter().cloned()),
                Block::Table(table) => {
                    expected.push(table.headers.join(" "));
                    for row in &table.rows {
                        expected.push(row_line(row));
                    }
                }
            }
        }
    }
    for piece in expected {
        assert!(text.contains(&squash(&piece)), "{piece:?} not in {text}");
    }
    // The Swedish numbers with their no-break spaces came through.
    for number in ["1 234,50 kr", "12,5 %", "−0,3 pe"] {
        assert!(text.contains(number), "{number} not in {text}");
    }
    assert_eq!(footers(&render_pdf(&doc)), vec!["1 / 1"]);
}

#[test]
fn a_sixty_row_table_breaks_across_pages_with_its_header_on_each() {
    if !have("pdftotext") {
        return;
    }
    let doc = fixtures::long_table();
    let bytes = render_pdf(&doc);
    let pages = pages(&pdftotext(&bytes, &["-layout"]));
    assert!(pages.len() >= 2, "{} page(s)", pages.len());
    let n = pages.len();
    let header = squash(&LONG_HEADERS.join(" "));
    for (index, lines) in pages.iter().enumerate() {
        assert!(
            lines.contains(&header),
            "no header on page {}: {lines:?}",
            index + 1
        );
    }
    let expected: Vec<String> = (1..=n).map(|page| format!("{page} / {n}")).collect();
    assert_eq!(footers(&bytes), expected);
    let all: Vec<&String> = pages.iter().flatten().collect();
    for i in 0..60 {
        let line = row_line(&fixtures::long_row(i));
        let found = all.iter().filter(|l| ***l == line).count();
        assert_eq!(found, 1, "row {} ({line:?}) found {found} times", i + 1);
    }
    // The rows are in order, the first on page 1 and the last on the last page.
    assert!(pages[0].contains(&row_line(&fixtures::long_row(0))));
    assert!(pages[n - 1].contains(&row_line(&fixtures::long_row(59))));
}

/// The words of `pdftotext -bbox`: text and box (x_min, y_min, x_max, y_max), page by page.
fn words(pdf: &[u8]) -> Vec<Vec<(String, [f32; 4])>> {
    let html = pdftotext(pdf, &["-bbox"]);
    html.split("<page ")
        .skip(1)
        .map(|page| {
            page.split("<word ")
                .skip(1)
                .map(|word| {
                    let attr = |name: &str| -> f32 {
                        let start = word.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
                        let end = start + word[start..].find('"').expect("quote");
                        word[start..end].parse().expect("number")
                    };
                    let text_start = word.find('>').expect(">") + 1;
                    let text_end = word.find("</word>").expect("</word>");
                    let text = word[text_start..text_end].to_owned();
                    (
                        text,
                        [attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax")],
                    )
                })
                .collect()
        })
        .collect()
}

/// The last three words of each page, the footer's `n / N`, with spaces between them.
/// (`pdftotext -layout` may close up the spaces of so short a line; the words stay apart.)
fn footers(pdf: &[u8]) -> Vec<String> {
    words(pdf)
        .iter()
        .map(|page| {
            let last: Vec<&str> = page.iter().rev().take(3).map(|(t, _)| t.as_str()).collect();
            last.into_iter().rev().collect::<Vec<_>>().join(" ")
        })
        .collect()
}

fn find<'a>(words: &'a [(String, [f32; 4])], text: &str) -> &'a [f32; 4] {
    &words
        .iter()
        .find(|(t, _)| t == text)
        .unwrap_or_else(|| panic!("{text} not found in {words:?}"))
        .1
}

fn tree_table(rows: Vec<Vec<Cell>>, headers: Vec<String>) -> Document {
    Document {
        title: "Träd".into(),
        subtitle: String::new(),
        lang: "sv".into(),
        sections: vec![Section {
            heading: "KPI-träd".into(),
            blocks: vec![Block::Table(Table {
                name: "Träd".into(),
                headers,
                rows,
            })],
        }],
    }
}

#[test]
fn numbers_are_right_aligned_and_indentation_is_honoured() {
    if !have("pdftotext") {
        return;
    }
    let count = |n: f64| Cell::number(format!("{n}"), n, NumberKind::Count);
    let doc = tree_table(
        vec![
            vec![Cell::text("Intäkt"), count(1234567.0)],
            vec![Cell::text("Ordrar").indented(1), count(89.0)],
            vec![Cell::text("Snittorder").indented(2), count(7.0)],
        ],
        vec!["KPI".into(), "Värde".into()],
    );
    let pages = words(&render_pdf(&doc));
    let words = &pages[0];
    let (top, one, two) = (
        find(words, "Intäkt"),
        find(words, "Ordrar"),
        find(words, "Snittorder"),
    );
    let step = one[0] - top[0];
    assert!(step > 5.0, "indent 1 starts {step} pt right of indent 0");
    assert!(
        ((two[0] - one[0]) - step).abs() < 0.5,
        "levels are not even"
    );
    let right_edges: Vec<f32> = ["1234567", "89", "7", "Värde"]
        .iter()
        .map(|w| find(words, w)[2])
        .collect();
    for edge in &right_edges {
        assert!(
            (edge - right_edges[0]).abs() < 0.5,
            "right edges {right_edges:?}"
        );
    }
    assert!(find(words, "89")[0] > find(words, "1234567")[0]);
}

#[test]
fn a_wide_table_shrinks_its_font_and_wraps_its_text_instead_of_cutting_it() {
    if !have("pdftotext") {
        return;
    }
    let headers: Vec<String> = (1..=12).map(|c| format!("Vecka {c}")).collect();
    let numbers: Vec<Cell> = (1..=12)
        .map(|c| {
            let n = 100_000.0 * f64::from(c) + 1.0;
            Cell::number(format!("{n}"), n, NumberKind::Count)
        })
        .collect();
    let doc = tree_table(vec![numbers.clone()], headers.clone());
    let bytes = render_pdf(&doc);
    let text = squash(&pdftotext(&bytes, &["-layout"]));
    assert!(text.contains(&row_line(&numbers)), "{text}");
    // The table's text is smaller than the 9 pt of a narrow table.
    let pages = words(&bytes);
    let cell = find(&pages[0], "100001");
    let height = cell[3] - cell[1];
    let narrow = words(&render_pdf(&tree_table(
        vec![vec![Cell::number("100001", 100001.0, NumberKind::Count)]],
        vec!["Vecka 1".into()],
    )));
    let narrow_cell = find(&narrow[0], "100001");
    assert!(height < 0.9 * (narrow_cell[3] - narrow_cell[1]), "{height}");

    // A text far too long for one line wraps onto as many as it needs: nothing is cut, and
    // the numbers stay whole on the row's first line.
    let mut row = vec![Cell::text("Lång beskrivning ".repeat(40).trim_end())];
    row.extend(numbers.iter().take(6).cloned());
    let doc = tree_table(vec![row], (0..7).map(|c| format!("K{c}")).collect());
    let bytes = render_pdf(&doc);
    let text = squash(&pdftotext(&bytes, &["-layout"]));
    assert!(!text.contains('…'), "{text}");
    let tokens: Vec<&str> = text.split(' ').collect();
    for word in ["Lång", "beskrivning"] {
        let n = tokens.iter().filter(|t| **t == word).count();
        assert_eq!(n, 40, "{word} {n} times in {text}");
    }
    assert!(text.contains(&row_line(&numbers[..6])), "{text}");
    let words = &words(&bytes)[0];
    let first = find(words, "Lång");
    assert!((find(words, "100001")[1] - first[1]).abs() < 0.5);
    let lines = words
        .iter()
        .filter(|(t, _)| t == "Lång")
        .map(|(_, b)| b[1].round() as i32)
        .collect::<std::collections::BTreeSet<_>>();
    assert!(lines.len() > 2, "{lines:?}");
}

/// A word of `pdftotext -bbox` with `token` among its pieces (split at no-break spaces, which
/// pdftotext may or may not treat as spaces).
fn find_piece<'a>(words: &'a [(String, [f32; 4])], token: &str) -> &'a [f32; 4] {
    &words
        .iter()
        .find(|(t, _)| squash(t).split(' ').any(|piece| piece == token))
        .unwrap_or_else(|| panic!("{token} not found in {words:?}"))
        .1
}

#[test]
fn a_long_kpi_name_wraps_in_its_column_beside_eight_numbers_on_its_first_line() {
    if !have("pdftotext") {
        return;
    }
    let name = "Kundanskaffningskostnad (CAC) för nya kunder i Norden";
    let money = |text: &str, v: f64| Cell::number(text, v, fixtures::SEK);
    let percent = |text: &str, v: f64| Cell::number(text, v, NumberKind::Percent);
    let points = |text: &str, v: f64| Cell::number(text, v, NumberKind::Points);
    let numbers = vec![
        money("1\u{a0}234\u{a0}567\u{a0}kr", 1234567.0),
        money("987\u{a0}654\u{a0}kr", 987654.0),
        percent("\u{2212}12,5\u{a0}%", -0.125),
        points("+3,2\u{a0}pe", 3.2),
        percent("+4,8\u{a0}%", 0.048),
        points("\u{2212}0,7\u{a0}pe", -0.7),
        percent("18,3\u{a0}%", 0.183),
        points("+1,1\u{a0}pe", 1.1),
    ];
    let mut row = vec![Cell::text(name)];
    row.extend(numbers.iter().cloned());
    let mut next = vec![Cell::text("Nya kunder").indented(1)];
    next.extend(numbers.iter().cloned());
    let headers = [
        "KPI",
        "Värde",
        "Mål",
        "Mot mål",
        "Förra",
        "Förändring",
        "I fjol",
        "Mot i fjol",
        "Andel",
    ];
    let doc = tree_table(vec![row, next], headers.map(String::from).to_vec());
    let bytes = render_pdf(&doc);

    let text = squash(&pdftotext(&bytes, &["-layout"]));
    assert!(!text.contains('…'), "{text}");
    let tokens: Vec<&str> = text.split(' ').collect();
    for word in name.split(' ') {
        assert!(tokens.contains(&word), "{word:?} not in {text}");
    }
    for number in &numbers {
        assert!(
            text.contains(&squash(&number.text)),
            "{} not in {text}",
            number.text
        );
    }
    for header in headers.iter().flat_map(|h| h.split(' ')) {
        assert!(tokens.contains(&header), "{header:?} not in {text}");
    }

    // The name wraps: its first word on one line, its last further down, both in the first
    // column; every number of its row on the name's first line.
    let words = &words(&bytes)[0];
    let first = find(words, "Kundanskaffningskostnad");
    let last = find(words, "Norden");
    assert!(last[1] > first[1] + 1.0, "{first:?} {last:?}");
    let number_pieces = [
        "567",
        "654",
        "\u{2212}12,5",
        "+3,2",
        "+4,8",
        "\u{2212}0,7",
        "18,3",
        "+1,1",
    ];
    let mut left = f32::MAX;
    for piece in number_pieces {
        let number = find_piece(words, piece);
        assert!(
            (number[1] - first[1]).abs() < 0.5 && (number[3] - first[3]).abs() < 0.5,
            "{piece} at {number:?}, the name's first line at {first:?}"
        );
        left = left.min(number[0]);
    }
    assert!(
        first[2] < left && last[2] < left,
        "the name runs into the numbers"
    );
    // The next row starts below the name's last line.
    assert!(find(words, "Nya")[1] > last[3], "{last:?}");
}
