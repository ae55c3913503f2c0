//! An Excel workbook: an overview sheet with the document's words, then one sheet per table
//! with real numeric cells and number formats.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format as CellFormat, FormatAlign, FormatBorder, Url, Workbook,
    Worksheet, XlsxError,
};

use crate::{Block, Cell, Document, NumberKind, ReportError, Table};

/// Excel's longest sheet name, in UTF-16 code units.
const MAX_SHEET_NAME: usize = 31;
/// Excel's deepest indentation.
const MAX_INDENT: u8 = 15;
/// Column widths, in characters of the default font.
const MIN_COLUMN_WIDTH: f64 = 8.0;
const MAX_COLUMN_WIDTH: f64 = 60.0;
const OVERVIEW_COLUMN_WIDTH: f64 = 100.0;

/// Renders `doc` as an XLSX workbook: a first sheet (`Översikt` for a Swedish document,
/// `Overview` otherwise) with the title, subtitle, headings, paragraphs and lists, then one
/// sheet per table named after [`Table::name`] (made a valid, unique sheet name). Header rows
/// are bold and frozen, numbers are numeric cells with a number format for their kind, and
/// text is always a string, quote-prefixed when it starts like a formula. The same document
/// gives the same bytes.
pub fn xlsx(doc: &Document) -> Result<Vec<u8>, ReportError> {
    let swedish = is_swedish(&doc.lang);
    let tables: Vec<&Table> = doc
        .sections
        .iter()
        .flat_map(|section| &section.blocks)
        .filter_map(|block| match block {
            Block::Table(table) => Some(table),
            _ => None,
        })
        .collect();
    let overview_name = if swedish { "Översikt" } else { "Overview" };
    let mut names = SheetNames::default();
    let overview_name = names.claim(overview_name, overview_name);
    let fallback = if swedish { "Tabell" } else { "Table" };
    let table_names: Vec<String> = tables
        .iter()
        .enumerate()
        .map(|(index, table)| names.claim(&table.name, &format!("{fallback} {}", index + 1)))
        .collect();

    let mut workbook = Workbook::new();
    // A fixed creation time (the ZIP epoch, as in the file's entries) keeps the bytes
    // reproducible; the document's own subtitle says when it was made.
    let epoch = ExcelDateTime::from_ymd(1980, 1, 1)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(doc.title.as_str())
            .set_creation_datetime(&epoch),
    );

    let overview = workbook.add_worksheet();
    overview.set_name(overview_name.as_str())?;
    write_overview(overview, doc, &table_names)?;

    for (table, name) in tables.iter().zip(&table_names) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name.as_str())?;
        write_table(sheet, table, swedish)?;
    }
    Ok(workbook.save_to_buffer()?)
}

fn is_swedish(lang: &str) -> bool {
    let lang = lang.trim().to_ascii_lowercase();
    lang == "sv" || lang.starts_with("sv-") || lang.starts_with("sv_")
}

fn write_overview(
    sheet: &mut Worksheet,
    doc: &Document,
    table_names: &[String],
) -> Result<(), ReportError> {
    sheet.set_column_width(0, OVERVIEW_COLUMN_WIDTH)?;
    let title = text_format(&doc.title).set_bold().set_font_size(16);
    let heading = CellFormat::new().set_bold().set_font_size(13);
    let mut row = 0;
    sheet.write_string_with_format(row, 0, doc.title.as_str(), &title)?;
    row += 1;
    if !doc.subtitle.trim().is_empty() {
        sheet.write_string_with_format(
            row,
            0,
            doc.subtitle.as_str(),
            &text_format(&doc.subtitle),
        )?;
        row += 1;
    }
    let mut tables = table_names.iter();
    for section in &doc.sections {
        row += 1;
        let format = quote_if_formula_like(heading.clone(), &section.heading);
        sheet.write_string_with_format(row, 0, section.heading.as_str(), &format)?;
        row += 1;
        for block in &section.blocks {
            match block {
                Block::Paragraph(text) => {
                    let format = text_format(text)
                        .set_text_wrap()
                        .set_align(FormatAlign::Top);
                    sheet.write_string_with_format(row, 0, text.as_str(), &format)?;
                    row += 1;
                }
                Block::List(items) => {
                    for item in items {
                        let format = text_format(item).set_text_wrap().set_indent(1);
                        sheet.write_string_with_format(row, 0, item.as_str(), &format)?;
                        row += 1;
                    }
                }
                Block::Table(_) => {
                    // A link to the table's sheet, its text the sheet's name.
                    if let Some(name) = tables.next() {
                        let link = Url::new(format!("internal:'{}'!A1", name.replace('\'', "''")));
                        sheet.write_url_with_text(row, 0, link, name.as_str())?;
                        row += 1;
                    }
                }
            }
        }
    }
    Ok(())
}

fn write_table(sheet: &mut Worksheet, table: &Table, swedish: bool) -> Result<(), ReportError> {
    let n_columns = table.column_count();
    let numeric = table.numeric_columns();
    let header = CellFormat::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    for (column, is_numeric) in numeric.iter().enumerate() {
        let text = table.headers.get(column).map_or("", String::as_str);
        let mut format = quote_if_formula_like(header.clone(), text);
        if *is_numeric {
            format = format.set_align(FormatAlign::Right);
        }
        sheet.write_string_with_format(0, col(column)?, text, &format)?;
    }
    sheet.set_freeze_panes(1, 0)?;

    for (index, cells) in table.rows.iter().enumerate() {
        let row = u32::try_from(index + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (column, cell) in cells.iter().enumerate() {
            write_cell(sheet, row, col(column)?, cell, swedish)?;
        }
    }
    if !table.rows.is_empty() && n_columns > 0 {
        let last_row =
            u32::try_from(table.rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.autofilter(0, 0, last_row, col(n_columns - 1)?)?;
    }

    for column in 0..n_columns {
        let header_chars = table.headers.get(column).map_or(0, |h| longest_line(h)) as f64;
        let body_chars = table
            .rows
            .iter()
            .filter_map(|cells| cells.get(column))
            .map(|cell| longest_line(&cell.text) as f64 + 2.0 * f64::from(cell.indent))
            .fold(0.0, f64::max);
        // Bold headers are a little wider; a filter button takes about two characters.
        let width = (header_chars * 1.1 + 2.0).max(body_chars) + 2.0;
        sheet.set_column_width(
            col(column)?,
            width.clamp(MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH),
        )?;
    }
    Ok(())
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    cell: &Cell,
    swedish: bool,
) -> Result<(), ReportError> {
    let indent = cell.indent.min(MAX_INDENT);
    match cell.number {
        // Excel has no NaN or infinity; such a value is shown as its text.
        Some(number) if number.value.is_finite() => {
            let mut format = CellFormat::new().set_num_format(number_format(number.kind, swedish));
            if indent > 0 {
                format = format.set_indent(indent);
            }
            sheet.write_number_with_format(row, column, number.value, &format)?;
        }
        _ if cell.text.is_empty() => {}
        _ => {
            let mut format = text_format(&cell.text);
            if indent > 0 {
                format = format.set_indent(indent);
            }
            sheet.write_string_with_format(row, column, cell.text.as_str(), &format)?;
        }
    }
    Ok(())
}

/// The Excel number format for a kind of number. The separators are Excel's own (`,` for
/// thousands, `.` for decimals): Excel shows them in the reader's locale.
pub(crate) fn number_format(kind: NumberKind, swedish: bool) -> String {
    match kind {
        NumberKind::Count => "#,##0".to_owned(),
        NumberKind::Decimal(decimals) => decimal_format(decimals),
        NumberKind::Money(currency) => {
            let code: String = currency
                .0
                .iter()
                .map(|&b| char::from(b))
                .filter(char::is_ascii_alphanumeric)
                .collect();
            let unit = if code.eq_ignore_ascii_case("SEK") {
                "kr".to_owned()
            } else {
                code.to_ascii_uppercase()
            };
            format!("{} \"{unit}\"", decimal_format(2))
        }
        NumberKind::Percent => "0.0%".to_owned(),
        NumberKind::Points => {
            let unit = if swedish { "pe" } else { "pp" };
            format!("+0.0\" {unit}\";-0.0\" {unit}\"")
        }
    }
}

fn decimal_format(decimals: u8) -> String {
    let decimals = usize::from(decimals.min(15));
    if decimals == 0 {
        "#,##0".to_owned()
    } else {
        format!("#,##0.{}", "0".repeat(decimals))
    }
}

/// The format for a text cell: quote-prefixed when Excel could take the text for a formula.
fn text_format(text: &str) -> CellFormat {
    quote_if_formula_like(CellFormat::new(), text)
}

fn quote_if_formula_like(format: CellFormat, text: &str) -> CellFormat {
    if starts_like_a_formula(text) {
        format.set_quote_prefix()
    } else {
        format
    }
}

/// Whether text starts with a character that makes Excel (or a program reading the sheet's
/// values) treat it as a formula: `=`, `+`, `-`, `@`, a tab or a carriage return.
pub(crate) fn starts_like_a_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A column index as rust_xlsxwriter takes it (which checks Excel's limit of 16 384 itself).
fn col(index: usize) -> Result<u16, ReportError> {
    u16::try_from(index).map_err(|_| ReportError::Xlsx(XlsxError::RowColumnLimitError))
}

fn longest_line(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// Sheet names handed out so far: valid by Excel's rules and unique (ignoring case).
#[derive(Debug, Default)]
struct SheetNames {
    taken: Vec<String>,
}

impl SheetNames {
    /// A valid sheet name made from `wanted` (or `fallback` when nothing is left of it), with
    /// ` (2)`, ` (3)`… added when the name is already taken.
    fn claim(&mut self, wanted: &str, fallback: &str) -> String {
        let mut base = sanitise_sheet_name(wanted);
        if base.is_empty() {
            base = sanitise_sheet_name(fallback);
        }
        if base.eq_ignore_ascii_case("history") {
            // Excel reserves it.
            base.push_str(" (1)");
        }
        let mut name = base.clone();
        let mut n = 2;
        while self.is_taken(&name) {
            let suffix = format!(" ({n})");
            name = format!(
                "{}{suffix}",
                cut_utf16(&base, MAX_SHEET_NAME - suffix.len())
            );
            n += 1;
        }
        self.taken.push(name.to_lowercase());
        name
    }

    fn is_taken(&self, name: &str) -> bool {
        let lower = name.to_lowercase();
        self.taken.contains(&lower)
    }
}

/// `name` made a valid Excel sheet name: `[ ] : * ? / \` become `-`, control characters go,
/// no apostrophe or space at either end, at most 31 UTF-16 code units. May be empty.
pub(crate) fn sanitise_sheet_name(name: &str) -> String {
    let replaced: String = name
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
            c => c,
        })
        .collect();
    let trimmed = replaced.trim_matches(|c: char| c == '\'' || c.is_whitespace());
    let cut = cut_utf16(trimmed, MAX_SHEET_NAME);
    cut.trim_end_matches(|c: char| c == '\'' || c.is_whitespace())
        .to_owned()
}

/// The longest prefix of `text` that is at most `max` UTF-16 code units long.
fn cut_utf16(text: &str, max: usize) -> &str {
    let mut units = 0;
    for (index, c) in text.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &text[..index];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    #[test]
    fn forbidden_characters_are_replaced_and_the_ends_trimmed() {
        assert_eq!(
            sanitise_sheet_name("Kanal/vecka [v. 12]"),
            "Kanal-vecka -v. 12-"
        );
        assert_eq!(sanitise_sheet_name("a:b*c?d\\e"), "a-b-c-d-e");
        assert_eq!(sanitise_sheet_name("'Citat'"), "Citat");
        assert_eq!(sanitise_sheet_name("  \t "), "");
    }

    #[test]
    fn long_names_are_cut_to_31_utf16_units() {
        let name = sanitise_sheet_name(&"Åäö".repeat(20));
        assert_eq!(name.chars().count(), 31);
        // An emoji is two UTF-16 units and is not split.
        let name = sanitise_sheet_name(&format!("{}😀😀", "a".repeat(28)));
        assert_eq!(name, format!("{}😀", "a".repeat(28)));
    }

    #[test]
    fn names_are_made_unique_ignoring_case_and_history_is_avoided() {
        let mut names = SheetNames::default();
        assert_eq!(names.claim("Översikt", "x"), "Översikt");
        assert_eq!(names.claim("översikt", "x"), "översikt (2)");
        assert_eq!(names.claim("Översikt", "x"), "Översikt (3)");
        assert_eq!(names.claim("", "Tabell 4"), "Tabell 4");
        assert_eq!(names.claim("History", "x"), "History (1)");
        let long = "k".repeat(40);
        assert_eq!(names.claim(&long, "x"), "k".repeat(31));
        assert_eq!(names.claim(&long, "x"), format!("{} (2)", "k".repeat(27)));
    }

    #[test]
    fn number_formats_follow_the_kind() {
        assert_eq!(number_format(NumberKind::Count, true), "#,##0");
        assert_eq!(number_format(NumberKind::Decimal(0), true), "#,##0");
        assert_eq!(number_format(NumberKind::Decimal(3), true), "#,##0.000");
        assert_eq!(
            number_format(NumberKind::Money(Currency(*b"SEK")), true),
            "#,##0.00 \"kr\""
        );
        assert_eq!(
            number_format(NumberKind::Money(Currency(*b"EUR")), true),
            "#,##0.00 \"EUR\""
        );
        assert_eq!(number_format(NumberKind::Percent, true), "0.0%");
        assert_eq!(
            number_format(NumberKind::Points, true),
            "+0.0\" pe\";-0.0\" pe\""
        );
        assert_eq!(
            number_format(NumberKind::Points, false),
            "+0.0\" pp\";-0.0\" pp\""
        );
    }

    #[test]
    fn formula_like_starts_are_recognised() {
        for text in ["=1+1", "+46", "-5", "@SUM(A1)", "\tx", "\rx"] {
            assert!(starts_like_a_formula(text), "{text:?}");
        }
        for text in ["1+1", "Sök", "", " =1"] {
            assert!(!starts_like_a_formula(text), "{text:?}");
        }
    }
}
