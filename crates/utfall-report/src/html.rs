//! One self-contained HTML5 file: inline CSS, no scripts, no external resources, and a
//! Content-Security-Policy that forbids loading anything.

use std::fmt::Write as _;

use crate::{Block, Document, Table};

/// The policy in the file's `<meta http-equiv="Content-Security-Policy">`: nothing may be
/// loaded or run; only the inline style sheet and style attributes apply.
pub(crate) const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const STYLE: &str = r#"
:root { color-scheme: light; }
body {
  margin: 0;
  padding: 2rem 1.5rem 3rem;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  font-size: 1rem;
  line-height: 1.5;
  color: #1d1d1f;
  background: #fff;
}
main { max-width: 60rem; margin: 0 auto; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 0.3rem; }
.subtitle { color: #555; margin: 0 0 2rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 0.6rem; padding-bottom: 0.2rem; border-bottom: 1px solid #ddd; }
p, li, td, th { white-space: pre-line; }
p { margin: 0.6rem 0; max-width: 45rem; }
ul { margin: 0.6rem 0; padding-left: 1.4rem; }
.table-wrap { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; font-size: 0.92rem; }
th, td { padding: 0.3rem 0.7rem; text-align: left; vertical-align: top; border-bottom: 1px solid #e3e3e3; }
thead th { font-weight: 600; border-bottom: 2px solid #999; background: #f4f4f4; }
tbody tr:nth-child(even) { background: #fafafa; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
@media print {
  body { padding: 0; font-size: 10pt; color: #000; }
  main { max-width: none; }
  .subtitle { color: #333; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .table-wrap { overflow: visible; }
  table { font-size: 9pt; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  thead th { background: none; }
  tbody tr:nth-child(even) { background: none; }
}
"#;

/// Renders `doc` as one self-contained HTML5 file. All text is escaped, the file loads
/// nothing and runs nothing, and its Content-Security-Policy forbids both.
pub fn html(doc: &Document) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str("<!DOCTYPE html>\n");
    if doc.lang.trim().is_empty() {
        out.push_str("<html>\n");
    } else {
        let _ = writeln!(out, "<html lang=\"{}\">", escape(doc.lang.trim()));
    }
    out.push_str("<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">"
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(&doc.title));
    let _ = writeln!(out, "<style>{STYLE}</style>");
    out.push_str("</head>\n<body>\n<main>\n<header>\n");
    let _ = writeln!(out, "<h1>{}</h1>", escape(&doc.title));
    if !doc.subtitle.trim().is_empty() {
        let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", escape(&doc.subtitle));
    }
    out.push_str("</header>\n");
    for section in &doc.sections {
        out.push_str("<section>\n");
        let _ = writeln!(out, "<h2>{}</h2>", escape(&section.heading));
        for block in &section.blocks {
            match block {
                Block::Paragraph(text) => {
                    let _ = writeln!(out, "<p>{}</p>", escape(text));
                }
                Block::List(items) => {
                    out.push_str("<ul>\n");
                    for item in items {
                        let _ = writeln!(out, "<li>{}</li>", escape(item));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Table(table) => write_table(&mut out, table),
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn write_table(out: &mut String, table: &Table) {
    let n_columns = table.column_count();
    if n_columns == 0 {
        return;
    }
    let numeric = table.numeric_columns();
    out.push_str("<div class=\"table-wrap\">\n<table>\n<thead>\n<tr>");
    for (column, is_numeric) in numeric.iter().enumerate() {
        let header = table.headers.get(column).map_or("", String::as_str);
        let class = if *is_numeric { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th scope=\"col\"{class}>{}</th>", escape(header));
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for (column, is_numeric) in numeric.iter().enumerate() {
            let Some(cell) = row.get(column) else {
                out.push_str("<td></td>");
                continue;
            };
            let class = if *is_numeric || cell.number.is_some() {
                " class=\"num\""
            } else {
                ""
            };
            let style = if cell.indent > 0 {
                // Within the style sheet's 0.7rem padding, 1.2rem per level.
                format!(
                    " style=\"padding-left:{:.1}rem\"",
                    0.7 + 1.2 * f32::from(cell.indent)
                )
            } else {
                String::new()
            };
            let _ = write!(out, "<td{class}{style}>{}</td>", escape(&cell.text));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

/// Escapes text for an HTML element's content or a quoted attribute value.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and line breaks are not allowed in HTML.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_special_characters() {
        assert_eq!(
            escape(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
    }

    #[test]
    fn replaces_control_characters() {
        assert_eq!(escape("a\u{0}b\tc"), "a\u{fffd}b\tc");
    }
}
