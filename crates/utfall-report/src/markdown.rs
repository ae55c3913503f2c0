//! GitHub-flavoured Markdown.
//!
//! Every piece of text is plain text, so the characters Markdown would read as markup are
//! escaped with a backslash: the output shows exactly the document's words, never a link, an
//! emphasis or raw HTML that was not written by this renderer.

use std::fmt::Write as _;

use crate::{Block, Document, Table};

/// What one level of a cell's indentation looks like: two no-break spaces, which Markdown
/// keeps (ordinary leading spaces in a table cell are trimmed).
const INDENT: &str = "\u{a0}\u{a0}";

/// Renders `doc` as GitHub-flavoured Markdown: `# title`, the subtitle, a `## heading` per
/// section, paragraphs, `- ` lists and pipe tables whose columns of numbers are right-aligned.
pub fn markdown(doc: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}", escape_line(&doc.title));
    if !doc.subtitle.trim().is_empty() {
        let _ = write!(out, "\n{}\n", escape_text(&doc.subtitle));
    }
    for section in &doc.sections {
        let _ = write!(out, "\n## {}\n", escape_line(&section.heading));
        for block in &section.blocks {
            out.push('\n');
            match block {
                Block::Paragraph(text) => {
                    out.push_str(&escape_text(text));
                    out.push('\n');
                }
                Block::List(items) => {
                    for item in items {
                        let _ = writeln!(out, "- {}", escape_line(item));
                    }
                }
                Block::Table(table) => write_table(&mut out, table),
            }
        }
    }
    out
}

fn write_table(out: &mut String, table: &Table) {
    let n_columns = table.column_count();
    if n_columns == 0 {
        return;
    }
    let numeric = table.numeric_columns();
    out.push('|');
    for column in 0..n_columns {
        let header = table.headers.get(column).map_or("", String::as_str);
        let _ = write!(out, " {} |", escape_cell(header));
    }
    out.push_str("\n|");
    for is_numeric in &numeric {
        out.push_str(if *is_numeric { " ---: |" } else { " --- |" });
    }
    out.push('\n');
    for row in &table.rows {
        out.push('|');
        for column in 0..n_columns {
            out.push(' ');
            if let Some(cell) = row.get(column) {
                for _ in 0..cell.indent {
                    out.push_str(INDENT);
                }
                out.push_str(&escape_cell(&cell.text));
            }
            out.push_str(" |");
        }
        out.push('\n');
    }
}

/// Escapes a paragraph: inline markup everywhere, block markup at the start of each line.
fn escape_text(text: &str) -> String {
    text.lines()
        .map(|line| escape_line(line.trim_end()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Escapes one line of text (a heading, a list item), with any line breaks in it made spaces.
fn escape_line(text: &str) -> String {
    let text = text.split(['\n', '\r']).collect::<Vec<_>>().join(" ");
    let body = escape_inline(text.trim_start());
    escape_line_start(&body)
}

/// Escapes a table cell: inline markup, `|`, and line breaks written as `<br>`.
fn escape_cell(text: &str) -> String {
    text.trim()
        .lines()
        .map(|line| escape_inline(line.trim()))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Backslash-escapes the characters that start inline markup anywhere in a line: emphasis,
/// code, links, images, raw HTML and entities, strikethrough, table pipes, and `#` (a
/// heading's closing sequence).
fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '!' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Backslash-escapes what would start a block at the start of a line: a list item (`-`, `+`,
/// `1.`, `1)`), a thematic break or setext underline (`=`, `-`). Headings, quotes and `*`
/// items are already escaped inline, and indented code is avoided by the trimmed start.
fn escape_line_start(line: &str) -> String {
    let first = line.chars().next();
    match first {
        Some('-' | '+' | '=') => format!("\\{line}"),
        Some(c) if c.is_ascii_digit() => {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            match line[digits..].chars().next() {
                Some(marker @ ('.' | ')')) => {
                    format!("{}\\{marker}{}", &line[..digits], &line[digits + 1..])
                }
                _ => line.to_owned(),
            }
        }
        _ => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup_is_escaped() {
        assert_eq!(
            escape_inline("a *b* [c](d) <e> & f_g | `h`"),
            "a \\*b\\* \\[c\\](d) \\<e\\> \\& f\\_g \\| \\`h\\`"
        );
    }

    #[test]
    fn block_markup_at_the_start_of_a_line_is_escaped() {
        assert_eq!(escape_line("# rubrik #"), "\\# rubrik \\#");
        assert_eq!(escape_line("-5,0 %"), "\\-5,0 %");
        assert_eq!(escape_line("2024. Ett bra år"), "2024\\. Ett bra år");
        assert_eq!(escape_line("3) tre"), "3\\) tre");
        assert_eq!(escape_line("12,5 %"), "12,5 %");
        assert_eq!(escape_text("rad ett\n# rad två"), "rad ett\n\\# rad två");
    }

    #[test]
    fn a_cell_keeps_its_line_breaks_as_br_and_escapes_pipes() {
        assert_eq!(escape_cell("a|b\nc"), "a\\|b<br>c");
    }
}
