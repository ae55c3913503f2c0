//! Page layout: where every line of text and every rule goes, page by page.
//!
//! Coordinates are PDF points with the origin at the page's top left and y growing downwards
//! (krilla's convention).

use super::text::{Fonts, Run, Weight};
use crate::{Block, Cell, Document, Table};

/// A4 portrait, as krilla's default page.
pub(crate) const PAGE_WIDTH: f32 = 595.0;
pub(crate) const PAGE_HEIGHT: f32 = 842.0;
/// 20 mm margins left and right and at the top; the bottom one leaves room for the footer.
const MARGIN_X: f32 = 56.7;
const MARGIN_TOP: f32 = 56.7;
const CONTENT_BOTTOM: f32 = PAGE_HEIGHT - 62.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;

/// DejaVu Sans's ascender, in ems (1901 / 2048).
const ASCENT: f32 = 0.93;

const TITLE_SIZE: f32 = 20.0;
const SUBTITLE_SIZE: f32 = 11.0;
const HEADING_SIZE: f32 = 14.0;
const BODY_SIZE: f32 = 10.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.4;
const LIST_INDENT: f32 = 14.0;

/// Table font sizes, tried largest first until the table fits the page's width.
const TABLE_SIZES: [f32; 5] = [9.0, 8.5, 8.0, 7.5, 7.0];
/// A table cell's padding left and right, in points.
const CELL_PAD_X: f32 = 6.0;
/// A line's height in a table cell or header, as a multiple of the font size.
const TABLE_LEADING: f32 = 1.25;
/// The space above a row's first line and below its last, and above and below the header's
/// lines, as multiples of the font size (a row of one line is 1.7 times the size high).
const ROW_PAD_Y: f32 = 0.225;
const HEADER_PAD_Y: f32 = 0.35;
/// One level of a cell's indentation, in ems, and the deepest level shown.
const INDENT_EM: f32 = 1.2;
const MAX_INDENT: u8 = 10;
/// The narrowest a column of text gets, its indentation aside, before the table's font is made
/// smaller instead: about 12 characters (DejaVu Sans's lowercase letters average 0.56 em).
const MIN_TEXT_EM: f32 = 12.0 * 0.56;
/// The longest word (about 24 characters: `Kundanskaffningskostnad`) that a smaller font is
/// worth to keep whole on its line; a longer one is broken where the column ends.
const WHOLE_WORD_EM: f32 = 24.0 * 0.56;
/// No column is squeezed below this width when a table is too wide even at its smallest size.
const MIN_COLUMN_WIDTH: f32 = 24.0;

const BLACK: u8 = 0;
const GREY_SUBTITLE: u8 = 85;
pub(crate) const GREY_FOOTER: u8 = 110;
const GREY_HEADER_FILL: u8 = 236;
const GREY_HEADER_RULE: u8 = 140;
const GREY_ROW_RULE: u8 = 215;

/// One thing to draw.
#[derive(Debug)]
pub(crate) enum Op {
    /// Shaped text with its baseline's start at (`x`, `baseline`).
    Text {
        x: f32,
        baseline: f32,
        weight: Weight,
        size: f32,
        grey: u8,
        run: Run,
    },
    /// A filled rectangle (backgrounds, rules).
    Rect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        grey: u8,
    },
}

/// Lays `doc` out into pages of drawing operations (at least one page).
pub(crate) fn lay_out(doc: &Document, fonts: &Fonts) -> Vec<Vec<Op>> {
    let mut layout = Layout {
        fonts,
        pages: vec![Vec::new()],
        y: MARGIN_TOP,
    };
    layout.text_block(&doc.title, Weight::Bold, TITLE_SIZE, BLACK, 0.0);
    if !doc.subtitle.trim().is_empty() {
        layout.y += 2.0;
        layout.text_block(
            &doc.subtitle,
            Weight::Regular,
            SUBTITLE_SIZE,
            GREY_SUBTITLE,
            0.0,
        );
    }
    layout.y += 8.0;
    for section in &doc.sections {
        layout.heading(&section.heading);
        for block in &section.blocks {
            match block {
                Block::Paragraph(text) => {
                    layout.text_block(text, Weight::Regular, BODY_SIZE, BLACK, 0.0);
                    layout.y += BODY_SIZE * 0.6;
                }
                Block::List(items) => {
                    for item in items {
                        layout.list_item(item);
                    }
                    layout.y += BODY_SIZE * 0.6;
                }
                Block::Table(table) => {
                    layout.table(table);
                    layout.y += BODY_SIZE;
                }
            }
        }
    }
    layout.pages
}

struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    /// The top of the free space on the last page.
    y: f32,
}

impl Layout<'_> {
    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn page_is_empty(&self) -> bool {
        self.pages.last().is_none_or(Vec::is_empty)
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
    }

    /// Starts a new page unless `height` more points fit on this one (or it is still empty).
    fn ensure(&mut self, height: f32) {
        if self.y + height > CONTENT_BOTTOM && !self.page_is_empty() {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, baseline: f32, weight: Weight, size: f32, grey: u8, run: Run) {
        if run.glyphs.is_empty() {
            return;
        }
        self.ops().push(Op::Text {
            x,
            baseline,
            weight,
            size,
            grey,
            run,
        });
    }

    fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, grey: u8) {
        self.ops().push(Op::Rect {
            x,
            y,
            width,
            height,
            grey,
        });
    }

    /// Wrapped text across the content width, less `indent`.
    fn text_block(&mut self, text: &str, weight: Weight, size: f32, grey: u8, indent: f32) {
        let line_height = size * LEADING;
        let lines = self.fonts.wrap(weight, size, text, CONTENT_WIDTH - indent);
        for line in lines {
            self.ensure(line_height);
            let run = self.fonts.shape(weight, &line);
            let baseline = self.y + (line_height - size) / 2.0 + ASCENT * size;
            self.text(MARGIN_X + indent, baseline, weight, size, grey, run);
            self.y += line_height;
        }
    }

    fn heading(&mut self, heading: &str) {
        self.y += HEADING_SIZE * 0.8;
        // Keep the heading with at least three lines of what follows it.
        self.ensure(HEADING_SIZE * LEADING + 3.0 * BODY_SIZE * LEADING);
        self.text_block(heading, Weight::Bold, HEADING_SIZE, BLACK, 0.0);
        self.y += HEADING_SIZE * 0.3;
    }

    fn list_item(&mut self, item: &str) {
        let line_height = BODY_SIZE * LEADING;
        self.ensure(line_height);
        let bullet = self.fonts.shape(Weight::Regular, "•");
        let baseline = self.y + (line_height - BODY_SIZE) / 2.0 + ASCENT * BODY_SIZE;
        self.text(
            MARGIN_X + 3.0,
            baseline,
            Weight::Regular,
            BODY_SIZE,
            BLACK,
            bullet,
        );
        self.text_block(item, Weight::Regular, BODY_SIZE, BLACK, LIST_INDENT);
    }

    /// A table: its header row, then its rows, each as high as its tallest cell and never split
    /// across pages; the header row repeats at the top of every page the table continues on.
    fn table(&mut self, table: &Table) {
        let n_columns = table.column_count();
        if n_columns == 0 {
            return;
        }
        let plan = TablePlan::new(table, self.fonts);
        let header = plan.header(self.fonts, table);
        let header_height = plan.lines_height(
            header.iter().map(Vec::len).max().unwrap_or(1).max(1),
            HEADER_PAD_Y,
        );
        // The last resort: a row taller than a page below the header is cut to fit one.
        let max_lines = plan.lines_that_fit(CONTENT_BOTTOM - MARGIN_TOP - header_height);
        let rows: Vec<Vec<CellLines>> = table
            .rows
            .iter()
            .map(|row| {
                (0..n_columns)
                    .map(|column| plan.cell(self.fonts, column, row.get(column), max_lines))
                    .collect()
            })
            .collect();

        let first_height = plan.row_height(rows.first().map_or(&[][..], Vec::as_slice));
        self.ensure(header_height + first_height);
        self.table_header(&plan, &header, header_height);
        for row in rows {
            let height = plan.row_height(&row);
            if self.y + height > CONTENT_BOTTOM {
                self.new_page();
                self.table_header(&plan, &header, header_height);
            }
            self.table_row(&plan, row, height);
        }
    }

    fn table_header(&mut self, plan: &TablePlan, header: &[Vec<Run>], height: f32) {
        let size = plan.size;
        let total = plan.total_width();
        self.rect(MARGIN_X, self.y, total, height, GREY_HEADER_FILL);
        let line_height = size * TABLE_LEADING;
        let first_baseline =
            self.y + size * HEADER_PAD_Y + (line_height - size) / 2.0 + ASCENT * size;
        let mut x = MARGIN_X;
        for (column, lines) in header.iter().enumerate() {
            let width = plan.widths[column];
            for (index, run) in lines.iter().enumerate() {
                let text_x = if plan.numeric[column] {
                    x + width - CELL_PAD_X - run.width(size)
                } else {
                    x + CELL_PAD_X
                };
                let baseline = first_baseline + index as f32 * line_height;
                self.text(text_x, baseline, Weight::Bold, size, BLACK, run.clone());
            }
            x += width;
        }
        self.y += height;
        self.rect(MARGIN_X, self.y - 0.8, total, 0.8, GREY_HEADER_RULE);
    }

    /// One row, `height` high: every cell's lines from the top, so that a row's numbers stand
    /// on the same line as the first line of its text; a rule below.
    fn table_row(&mut self, plan: &TablePlan, row: Vec<CellLines>, height: f32) {
        let size = plan.size;
        let line_height = size * TABLE_LEADING;
        // The baseline 0.36 em below a line's middle: half DejaVu Sans's cap height (0.73 em),
        // so digits and capitals sit in the middle of the line.
        let first_baseline = self.y + size * ROW_PAD_Y + line_height / 2.0 + 0.36 * size;
        let mut x = MARGIN_X;
        for (cell, width) in row.into_iter().zip(&plan.widths) {
            for (index, run) in cell.lines.into_iter().enumerate() {
                let text_x = if cell.right_aligned {
                    x + width - CELL_PAD_X - run.width(size)
                } else {
                    x + CELL_PAD_X + cell.indent
                };
                let baseline = first_baseline + index as f32 * line_height;
                self.text(text_x, baseline, Weight::Regular, size, BLACK, run);
            }
            x += width;
        }
        self.y += height;
        self.rect(
            MARGIN_X,
            self.y - 0.4,
            plan.total_width(),
            0.4,
            GREY_ROW_RULE,
        );
    }
}

/// A table's font size and column widths.
#[derive(Debug)]
struct TablePlan {
    size: f32,
    widths: Vec<f32>,
    numeric: Vec<bool>,
}

/// What a column's content asks for, in ems: widths scale with the font size.
#[derive(Debug, Clone, Copy, Default)]
struct Wants {
    /// The widest cell on one line, its indentation included.
    body: f32,
    /// The widest cell that never wraps: a number, or any cell of a column of numbers.
    unbreakable: f32,
    /// The widest word of a cell of text that is worth keeping whole (at most
    /// [`WHOLE_WORD_EM`]), its indentation included.
    word: f32,
    /// The deepest indentation of a cell of text.
    indent: f32,
    /// The header on one line (its widest line when it has line breaks), its widest word, and
    /// its widest word worth keeping whole.
    header: f32,
    header_word: f32,
    header_whole_word: f32,
}

impl Wants {
    /// Every cell and the header on one line.
    fn natural(&self) -> f32 {
        self.body.max(self.header)
    }

    /// A column of numbers at its narrowest: its numbers whole, its header wrapped.
    fn numbers(&self) -> f32 {
        self.body.max(self.header_word)
    }

    /// A column of text at its narrowest before the font shrinks instead: about 12 characters
    /// after the indentation, unless it needs less; never narrower than a number in it.
    fn least_text(&self) -> f32 {
        self.natural()
            .min(MIN_TEXT_EM + self.indent)
            .max(self.unbreakable)
    }

    /// A column of text as narrow as it gets with its words whole (those of up to about 24
    /// characters: a longer one is broken anyway), and at least [`Wants::least_text`].
    fn whole_words(&self) -> f32 {
        self.natural()
            .min(self.word.max(self.header_whole_word))
            .max(self.least_text())
    }
}

/// How narrow the columns of text of a table may get before its font is made smaller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextFloor {
    /// [`Wants::whole_words`].
    WholeWords,
    /// [`Wants::least_text`].
    TwelveCharacters,
}

impl TablePlan {
    /// Picks the largest font size at which the table fits the page's width: with every cell
    /// on one line if it can; else with the headers of number columns wrapped between words;
    /// else with the text cells wrapped, the columns of text sharing the width the numbers
    /// leave in proportion to their content. Number columns keep their width throughout.
    /// The size is the largest at which the columns of text keep their words whole (see
    /// [`Wants::whole_words`]); if there is none, the largest at which they are at least about
    /// 12 characters wide; only when they would be narrower even at the smallest size are
    /// they squeezed further (see [`squeeze`]).
    fn new(table: &Table, fonts: &Fonts) -> TablePlan {
        let numeric = table.numeric_columns();
        let wants = measure(table, fonts, &numeric);
        for floor in [TextFloor::WholeWords, TextFloor::TwelveCharacters] {
            for size in TABLE_SIZES {
                if let Some(widths) = fit(&wants, &numeric, size, floor) {
                    return TablePlan {
                        size,
                        widths,
                        numeric,
                    };
                }
            }
        }
        let size = TABLE_SIZES[TABLE_SIZES.len() - 1];
        let widths = squeeze(&wants, &numeric, size);
        TablePlan {
            size,
            widths,
            numeric,
        }
    }

    fn total_width(&self) -> f32 {
        self.widths.iter().sum()
    }

    /// The height of `n_lines` lines of the table's text with `pad` ems above and below.
    fn lines_height(&self, n_lines: usize, pad: f32) -> f32 {
        self.size * (2.0 * pad + n_lines as f32 * TABLE_LEADING)
    }

    /// A row's height: its tallest cell's (one line when it is empty).
    fn row_height(&self, row: &[CellLines]) -> f32 {
        let n_lines = row.iter().map(|cell| cell.lines.len()).max().unwrap_or(1);
        self.lines_height(n_lines.max(1), ROW_PAD_Y)
    }

    /// How many lines a row `height` points high holds (at least one).
    fn lines_that_fit(&self, height: f32) -> usize {
        let lines = (height / self.size - 2.0 * ROW_PAD_Y) / TABLE_LEADING;
        // Truncating a non-negative, finite float: the whole lines.
        (lines + 1e-4).floor().max(1.0) as usize
    }

    /// The header's lines, column by column, wrapped to the columns' widths.
    fn header(&self, fonts: &Fonts, table: &Table) -> Vec<Vec<Run>> {
        (0..self.widths.len())
            .map(|column| {
                let header = table.headers.get(column).map_or("", String::as_str);
                let max = (self.widths[column] - 2.0 * CELL_PAD_X).max(0.0);
                fonts
                    .wrap(Weight::Bold, self.size, header, max)
                    .iter()
                    .map(|line| fonts.truncate(Weight::Bold, self.size, line, max))
                    .collect()
            })
            .collect()
    }

    /// A cell's lines in column `column`: a number (or any cell of a column of numbers) on one
    /// line, right-aligned; text wrapped to the column, every line indented alike, and cut
    /// after `max_lines` lines with `…` if it needs more.
    fn cell(
        &self,
        fonts: &Fonts,
        column: usize,
        cell: Option<&Cell>,
        max_lines: usize,
    ) -> CellLines {
        let inner = (self.widths[column] - 2.0 * CELL_PAD_X).max(0.0);
        let Some(cell) = cell else {
            return CellLines {
                lines: Vec::new(),
                right_aligned: false,
                indent: 0.0,
                max_width: inner,
            };
        };
        let text = cell_line(cell);
        if self.numeric[column] || cell.number.is_some() {
            // Numbers never wrap; one is cut only when the column cannot hold it at all.
            return CellLines {
                lines: vec![fonts.truncate(Weight::Regular, self.size, &text, inner)],
                right_aligned: true,
                indent: 0.0,
                max_width: inner,
            };
        }
        // However deep, the indentation leaves the text at least half the column.
        let indent = (INDENT_EM * self.size * indent_levels(cell)).min(inner / 2.0);
        let max_width = inner - indent;
        let lines = fonts
            .wrap_at_most(Weight::Regular, self.size, &text, max_width, max_lines)
            .iter()
            .map(|line| fonts.truncate(Weight::Regular, self.size, line, max_width))
            .collect();
        let mut cell = CellLines {
            lines,
            right_aligned: false,
            indent,
            max_width,
        };
        cell.cut(fonts, self.size, max_lines);
        cell
    }
}

/// Measures every column of `table` (`numeric` says which are columns of numbers).
fn measure(table: &Table, fonts: &Fonts, numeric: &[bool]) -> Vec<Wants> {
    let mut wants = vec![Wants::default(); numeric.len()];
    for row in &table.rows {
        for (want, (cell, is_numeric)) in wants.iter_mut().zip(row.iter().zip(numeric)) {
            let line = cell_line(cell);
            let em = fonts.shape(Weight::Regular, &line).width_em;
            let indent = INDENT_EM * indent_levels(cell);
            want.body = want.body.max(em + indent);
            if *is_numeric || cell.number.is_some() {
                want.unbreakable = want.unbreakable.max(em);
                continue;
            }
            want.indent = want.indent.max(indent);
            for word in line.split(' ') {
                let word_em = fonts.shape(Weight::Regular, word).width_em;
                if word_em <= WHOLE_WORD_EM {
                    want.word = want.word.max(word_em + indent);
                }
            }
        }
    }
    for (want, header) in wants.iter_mut().zip(&table.headers) {
        want.header = header
            .lines()
            .map(|line| fonts.shape(Weight::Bold, line).width_em)
            .fold(0.0, f32::max);
        for word in header.split(BREAKING_SPACE) {
            let word_em = fonts.shape(Weight::Bold, word).width_em;
            want.header_word = want.header_word.max(word_em);
            if word_em <= WHOLE_WORD_EM {
                want.header_whole_word = want.header_whole_word.max(word_em);
            }
        }
    }
    wants
}

/// Column widths at `size` that fit the content width, or `None` when the columns of text
/// would have to get narrower than `floor` allows.
fn fit(wants: &[Wants], numeric: &[bool], size: f32, floor: TextFloor) -> Option<Vec<f32>> {
    let points = |em: f32| em * size + 2.0 * CELL_PAD_X;
    let natural: Vec<f32> = wants.iter().map(|w| points(w.natural())).collect();
    let natural_total: f32 = natural.iter().sum();
    if natural_total <= CONTENT_WIDTH {
        return Some(natural);
    }
    // The headers of number columns wrap; the spare width goes to those that want it.
    let least = least_widths(wants, numeric, size);
    let least_total: f32 = least.iter().sum();
    if least_total <= CONTENT_WIDTH {
        let spare = CONTENT_WIDTH - least_total;
        let wanted = natural_total - least_total;
        return Some(
            least
                .iter()
                .zip(&natural)
                .map(|(l, n)| l + (n - l) * spare / wanted)
                .collect(),
        );
    }
    // The text wraps in what the numbers leave: shared in proportion to the text's natural
    // widths (paddings aside), none narrower than its floor.
    let text: Vec<&Wants> = wants
        .iter()
        .zip(numeric)
        .filter(|(_, n)| !**n)
        .map(|(w, _)| w)
        .collect();
    let room = CONTENT_WIDTH
        - numbers_only(&least, numeric).sum::<f32>()
        - text.len() as f32 * 2.0 * CELL_PAD_X;
    let inner = |f: fn(&Wants) -> f32| -> Vec<f32> { text.iter().map(|w| f(w) * size).collect() };
    let whole_words = inner(Wants::whole_words);
    let floors = if whole_words.iter().sum::<f32>() <= room {
        whole_words
    } else if floor == TextFloor::TwelveCharacters {
        inner(Wants::least_text)
    } else {
        return None;
    };
    if floors.iter().sum::<f32>() > room {
        return None;
    }
    let text_widths = share(room, &inner(Wants::natural), &floors)
        .into_iter()
        .map(|w| w + 2.0 * CELL_PAD_X)
        .collect();
    Some(merge(&least, numeric, text_widths))
}

/// Each column at its narrowest without wrapping a cell: numbers whole with their headers
/// wrapped, text on one line.
fn least_widths(wants: &[Wants], numeric: &[bool], size: f32) -> Vec<f32> {
    wants
        .iter()
        .zip(numeric)
        .map(|(w, n)| {
            let em = if *n { w.numbers() } else { w.natural() };
            em * size + 2.0 * CELL_PAD_X
        })
        .collect()
}

/// Column widths that fit the content width at `size`, the smallest, when even there the
/// columns of text would get narrower than [`Wants::least_text`]: columns of numbers keep
/// their widths while the columns of text share what is left in proportion to their content
/// (none narrower than [`MIN_COLUMN_WIDTH`]); only if that is not enough do all columns give
/// way, the widest first.
fn squeeze(wants: &[Wants], numeric: &[bool], size: f32) -> Vec<f32> {
    let pad = 2.0 * CELL_PAD_X;
    let least = least_widths(wants, numeric, size);
    let text_wants: Vec<f32> = text_only(&least, numeric).map(|w| w - pad).collect();
    let floors: Vec<f32> = text_wants
        .iter()
        .map(|w| w.min(MIN_COLUMN_WIDTH - pad))
        .collect();
    let room =
        CONTENT_WIDTH - numbers_only(&least, numeric).sum::<f32>() - text_wants.len() as f32 * pad;
    if !text_wants.is_empty() && room >= floors.iter().sum::<f32>() {
        let text_widths = share(room, &text_wants, &floors)
            .into_iter()
            .map(|w| w + pad)
            .collect();
        return merge(&least, numeric, text_widths);
    }
    level(&least, CONTENT_WIDTH)
        .into_iter()
        .map(|w| w.max(MIN_COLUMN_WIDTH.min(CONTENT_WIDTH / least.len().max(1) as f32)))
        .collect()
}

fn numbers_only<'a>(widths: &'a [f32], numeric: &'a [bool]) -> impl Iterator<Item = f32> + 'a {
    widths
        .iter()
        .zip(numeric)
        .filter(|(_, n)| **n)
        .map(|(w, _)| *w)
}

fn text_only<'a>(widths: &'a [f32], numeric: &'a [bool]) -> impl Iterator<Item = f32> + 'a {
    widths
        .iter()
        .zip(numeric)
        .filter(|(_, n)| !**n)
        .map(|(w, _)| *w)
}

/// `widths` with the columns of text's replaced, in order, by `text_widths`.
fn merge(widths: &[f32], numeric: &[bool], text_widths: Vec<f32>) -> Vec<f32> {
    let mut text_widths = text_widths.into_iter();
    widths
        .iter()
        .zip(numeric)
        .map(|(w, n)| {
            if *n {
                *w
            } else {
                text_widths.next().unwrap_or(*w)
            }
        })
        .collect()
}

/// Widths for columns that want `wants` and share `room`: the wants when they fit, else in
/// proportion to the wants but none below its floor (a floor above the want is the want).
fn share(room: f32, wants: &[f32], floors: &[f32]) -> Vec<f32> {
    if wants.iter().sum::<f32>() <= room {
        return wants.to_vec();
    }
    let floors: Vec<f32> = floors.iter().zip(wants).map(|(f, w)| f.min(*w)).collect();
    let mut at_floor = vec![false; wants.len()];
    loop {
        let fixed: f32 = floors
            .iter()
            .zip(&at_floor)
            .filter(|(_, at)| **at)
            .map(|(f, _)| f)
            .sum();
        let free: f32 = wants
            .iter()
            .zip(&at_floor)
            .filter(|(_, at)| !**at)
            .map(|(w, _)| w)
            .sum();
        let scale = if free > 0.0 {
            ((room - fixed) / free).max(0.0)
        } else {
            0.0
        };
        let mut changed = false;
        for ((want, floor), at) in wants.iter().zip(&floors).zip(at_floor.iter_mut()) {
            if !*at && want * scale < *floor {
                *at = true;
                changed = true;
            }
        }
        if !changed {
            return wants
                .iter()
                .zip(&floors)
                .zip(&at_floor)
                .map(|((want, floor), at)| if *at { *floor } else { want * scale })
                .collect();
        }
    }
}

/// `min(want, cap)` for each width, with the one cap that makes them add up to `total` (the
/// widths as they are when they already fit).
fn level(wants: &[f32], total: f32) -> Vec<f32> {
    if wants.iter().sum::<f32>() <= total {
        return wants.to_vec();
    }
    let mut sorted = wants.to_vec();
    sorted.sort_by(f32::total_cmp);
    let mut remaining = total;
    let mut cap = 0.0;
    for (index, want) in sorted.iter().enumerate() {
        let left = (sorted.len() - index) as f32;
        if want * left > remaining {
            cap = remaining / left;
            break;
        }
        remaining -= want;
    }
    wants.iter().map(|w| w.min(cap)).collect()
}

/// A cell laid out in its column: its lines, shaped at the table's size.
#[derive(Debug)]
struct CellLines {
    lines: Vec<Run>,
    /// Right-aligned (numbers), or left-aligned `indent` points in.
    right_aligned: bool,
    indent: f32,
    /// How wide a line may be.
    max_width: f32,
}

impl CellLines {
    /// Keeps the first `max_lines` lines, the last of them ended with `…` when any are dropped.
    fn cut(&mut self, fonts: &Fonts, size: f32, max_lines: usize) {
        if self.lines.len() <= max_lines {
            return;
        }
        self.lines.truncate(max_lines.max(1));
        if let Some(last) = self.lines.pop() {
            let ended = format!("{}…", last.text.trim_end());
            self.lines
                .push(fonts.truncate(Weight::Regular, size, &ended, self.max_width));
        }
    }
}

fn indent_levels(cell: &Cell) -> f32 {
    f32::from(cell.indent.min(MAX_INDENT))
}

/// A cell's text as one paragraph, as HTML shows it: line breaks and runs of spaces become one
/// space (where the text may wrap); no-break spaces stay.
fn cell_line(cell: &Cell) -> String {
    cell.text
        .split(BREAKING_SPACE)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The white space a line may break at (not U+00A0, the no-break space).
const BREAKING_SPACE: [char; 4] = [' ', '\t', '\n', '\r'];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Document, NumberKind, Section};

    fn fonts() -> Fonts {
        match Fonts::load() {
            Ok(fonts) => fonts,
            Err(error) => panic!("{error}"),
        }
    }

    fn count(n: f64) -> Cell {
        Cell::number(format!("{n}"), n, NumberKind::Count)
    }

    fn million() -> Cell {
        Cell::number("1\u{a0}234\u{a0}567", 1234567.0, NumberKind::Count)
    }

    /// A table of one row: `text` and `n_columns - 1` numbers `1 234 567`.
    fn wide_table(n_columns: usize, text: &str) -> Table {
        Table {
            name: "bred".into(),
            headers: (0..n_columns).map(|c| format!("Kolumn {c}")).collect(),
            rows: vec![
                (0..n_columns)
                    .map(|c| if c == 0 { Cell::text(text) } else { million() })
                    .collect(),
            ],
        }
    }

    fn document(table: Table) -> Document {
        Document {
            title: "Titel".into(),
            subtitle: String::new(),
            lang: "sv".into(),
            sections: vec![Section {
                heading: "Rubrik".into(),
                blocks: vec![Block::Table(table)],
            }],
        }
    }

    /// Every text run of every page: (page, text, x, baseline, weight).
    fn runs(pages: &[Vec<Op>]) -> Vec<(usize, &str, f32, f32, Weight)> {
        pages
            .iter()
            .enumerate()
            .flat_map(|(page, ops)| {
                ops.iter().filter_map(move |op| match op {
                    Op::Text {
                        run,
                        x,
                        baseline,
                        weight,
                        ..
                    } => Some((page, run.text.as_str(), *x, *baseline, *weight)),
                    Op::Rect { .. } => None,
                })
            })
            .collect()
    }

    fn the_least_text_width(size: f32) -> f32 {
        MIN_TEXT_EM * size + 2.0 * CELL_PAD_X
    }

    #[test]
    fn levelling_caps_the_widest_and_adds_up() {
        let widths = level(&[50.0, 300.0, 400.0], 450.0);
        assert_eq!(widths[0], 50.0);
        assert!((widths[1] - 200.0).abs() < 1e-3 && (widths[2] - 200.0).abs() < 1e-3);
        assert_eq!(level(&[10.0, 20.0], 100.0), vec![10.0, 20.0]);
    }

    #[test]
    fn sharing_is_in_proportion_to_the_wants_and_keeps_the_floors() {
        let widths = share(300.0, &[400.0, 200.0], &[0.0, 0.0]);
        assert!((widths[0] - 200.0).abs() < 1e-3 && (widths[1] - 100.0).abs() < 1e-3);
        // 250 and 50 in proportion; the second's floor is 80, so the first gives way.
        let widths = share(300.0, &[500.0, 100.0], &[0.0, 80.0]);
        assert!((widths[0] - 220.0).abs() < 1e-3 && (widths[1] - 80.0).abs() < 1e-3);
        // A floor above the want is the want; wants that fit are kept.
        assert_eq!(
            share(300.0, &[100.0, 50.0], &[0.0, 90.0]),
            vec![100.0, 50.0]
        );
    }

    #[test]
    fn a_narrow_table_keeps_the_largest_size_and_natural_widths() {
        let plan = TablePlan::new(&wide_table(3, "Sök"), &fonts());
        assert_eq!(plan.size, TABLE_SIZES[0]);
        assert!(plan.total_width() < CONTENT_WIDTH);
        assert_eq!(plan.numeric, vec![false, true, true]);
    }

    #[test]
    fn a_long_text_wraps_at_the_largest_size_and_the_numbers_keep_their_width() {
        let long = "En mycket lång beskrivning av en kampanj ".repeat(6);
        let fonts = fonts();
        let table = wide_table(6, &long);
        let plan = TablePlan::new(&table, &fonts);
        assert_eq!(plan.size, TABLE_SIZES[0], "{plan:?}");
        assert!(plan.total_width() <= CONTENT_WIDTH + 0.01, "{plan:?}");
        let number = fonts.width(Weight::Regular, plan.size, "1\u{a0}234\u{a0}567");
        for width in &plan.widths[1..] {
            assert!(
                (width - (number + 2.0 * CELL_PAD_X)).abs() < 0.01,
                "{plan:?}"
            );
        }
        let cell = plan.cell(&fonts, 0, Some(&table.rows[0][0]), usize::MAX);
        assert!(cell.lines.len() > 1);
        let texts: Vec<&str> = cell.lines.iter().map(|run| run.text.as_str()).collect();
        assert_eq!(texts.join(" "), long.trim_end());
        for run in &cell.lines {
            assert!(
                run.width(plan.size) <= cell.max_width + 0.01,
                "{}",
                run.text
            );
        }
        let number = plan.cell(&fonts, 1, Some(&table.rows[0][1]), usize::MAX);
        assert_eq!(number.lines.len(), 1);
        assert_eq!(number.lines[0].text, "1\u{a0}234\u{a0}567");
    }

    #[test]
    fn the_font_shrinks_when_the_text_would_get_narrower_than_twelve_characters() {
        // Eight numbers at 9 pt leave the text less than 12 characters: the font shrinks.
        let plan = TablePlan::new(&wide_table(9, "Betald sökannonsering"), &fonts());
        assert!(plan.size < TABLE_SIZES[0], "{plan:?}");
        assert!(plan.total_width() <= CONTENT_WIDTH + 0.01, "{plan:?}");
        assert!(
            plan.widths[0] >= the_least_text_width(plan.size) - 0.01,
            "{plan:?}"
        );
        // One step larger, it would have had to be narrower.
        let larger = TABLE_SIZES[TABLE_SIZES.iter().position(|s| *s == plan.size).unwrap() - 1];
        let numbers = 8.0
            * (fonts().width(Weight::Regular, larger, "1\u{a0}234\u{a0}567") + 2.0 * CELL_PAD_X);
        assert!(CONTENT_WIDTH - numbers < the_least_text_width(larger));
    }

    /// KPI `name` and eight numbers: two amounts, three percentages, three in points.
    fn scorecard(name: &str) -> Table {
        let money = Cell::number("1\u{a0}234\u{a0}567\u{a0}kr", 1234567.0, NumberKind::Count);
        let percent = Cell::number("\u{2212}12,5\u{a0}%", -0.125, NumberKind::Percent);
        let points = Cell::number("+3,2\u{a0}pe", 3.2, NumberKind::Points);
        let mut row = vec![Cell::text(name), money.clone(), money];
        for _ in 0..3 {
            row.extend([percent.clone(), points.clone()]);
        }
        Table {
            name: "t".into(),
            headers: [
                "KPI",
                "Värde",
                "Mål",
                "Mot mål",
                "Förra",
                "Förändring",
                "I fjol",
            ]
            .into_iter()
            .chain(["Mot i fjol", "Andel"])
            .map(String::from)
            .collect(),
            rows: vec![row],
        }
    }

    #[test]
    fn the_font_shrinks_to_keep_a_word_of_up_to_24_characters_whole() {
        let fonts = fonts();
        let name = "Kundanskaffningskostnad (CAC) för nya kunder i Norden";
        let table = scorecard(name);
        let plan = TablePlan::new(&table, &fonts);
        let cell = plan.cell(&fonts, 0, Some(&table.rows[0][0]), usize::MAX);
        let texts: Vec<&str> = cell.lines.iter().map(|run| run.text.as_str()).collect();
        assert!(texts.len() > 1, "{texts:?}");
        assert_eq!(texts.join(" "), name);
        assert_eq!(texts[0], "Kundanskaffningskostnad", "{plan:?}");
        assert!(plan.total_width() <= CONTENT_WIDTH + 0.01, "{plan:?}");

        // A longer word is broken rather than the font made smaller for it.
        let word = "Marknadsföringsresultatuppföljningssystemsimplementering";
        let long = format!("{word} för nya kunder");
        let table = scorecard(&long);
        let broken = TablePlan::new(&table, &fonts);
        assert!(broken.size > plan.size, "{broken:?}");
        let cell = broken.cell(&fonts, 0, Some(&table.rows[0][0]), usize::MAX);
        let texts: Vec<&str> = cell.lines.iter().map(|run| run.text.as_str()).collect();
        assert!(texts.iter().all(|t| !t.contains('…')), "{texts:?}");
        assert_eq!(texts.concat().replace(' ', ""), long.replace(' ', ""));
        assert!(
            broken.widths[0] >= the_least_text_width(broken.size) - 0.01,
            "{broken:?}"
        );
    }

    #[test]
    fn text_columns_share_the_width_in_proportion_to_their_content() {
        let long = "ord ".repeat(60);
        let short = "ord ".repeat(30);
        let table = Table {
            name: "t".into(),
            headers: vec!["A".into(), "B".into(), "C".into(), "Tal".into()],
            rows: vec![vec![
                Cell::text(long.trim_end()),
                Cell::text(short.trim_end()),
                Cell::text("Sök"),
                million(),
            ]],
        };
        let plan = TablePlan::new(&table, &fonts());
        assert_eq!(plan.size, TABLE_SIZES[0], "{plan:?}");
        let (a, b) = (
            plan.widths[0] - 2.0 * CELL_PAD_X,
            plan.widths[1] - 2.0 * CELL_PAD_X,
        );
        assert!((a / b - 2.0).abs() < 0.05, "{plan:?}");
        // The short column keeps its natural width, which is less than the floor.
        let natural = fonts().width(Weight::Regular, plan.size, "Sök") + 2.0 * CELL_PAD_X;
        assert!((plan.widths[2] - natural).abs() < 0.01, "{plan:?}");
        assert!(
            (plan.total_width() - CONTENT_WIDTH).abs() < 0.01,
            "{plan:?}"
        );

        // A column with little text gets its least width, not a sliver.
        let table = Table {
            name: "t".into(),
            headers: vec!["A".into(), "B".into()],
            rows: vec![vec![
                Cell::text("ord ".repeat(400).trim_end()),
                Cell::text("några ord som vill ha lite plats"),
            ]],
        };
        let plan = TablePlan::new(&table, &fonts());
        assert!(
            plan.widths[1] >= the_least_text_width(plan.size) - 0.01,
            "{plan:?}"
        );
    }

    #[test]
    fn a_table_too_wide_at_the_smallest_size_squeezes_its_text_and_keeps_its_numbers() {
        let fonts = fonts();
        let table = wide_table(10, "Betald sökannonsering i Norden");
        let plan = TablePlan::new(&table, &fonts);
        assert_eq!(plan.size, TABLE_SIZES[TABLE_SIZES.len() - 1]);
        assert!(plan.total_width() <= CONTENT_WIDTH + 0.01, "{plan:?}");
        assert!(plan.widths[0] < the_least_text_width(plan.size), "{plan:?}");
        assert!(plan.widths[0] >= MIN_COLUMN_WIDTH, "{plan:?}");
        let cell = plan.cell(&fonts, 0, Some(&table.rows[0][0]), usize::MAX);
        let texts: Vec<&str> = cell.lines.iter().map(|run| run.text.as_str()).collect();
        assert!(texts.iter().all(|t| !t.contains('…')), "{texts:?}");
        assert_eq!(
            texts.concat().replace(' ', ""),
            "Betald sökannonsering i Norden".replace(' ', "")
        );
        let number = plan.cell(&fonts, 9, Some(&table.rows[0][9]), usize::MAX);
        assert_eq!(number.lines[0].text, "1\u{a0}234\u{a0}567");
    }

    #[test]
    fn a_wrapped_cell_keeps_its_indent_and_its_row_is_as_tall_as_its_tallest_cell() {
        let name = "Kundanskaffningskostnad (CAC) för nya kunder i Norden och Baltikum";
        let mut table = wide_table(7, name);
        table.rows[0][0] = Cell::text(name).indented(2);
        table.rows.push(
            std::iter::once(Cell::text("Nästa"))
                .chain((1..7).map(|_| count(7.0)))
                .collect(),
        );
        let pages = lay_out(&document(table), &fonts());
        let runs = runs(&pages);
        let body = |text: &str| {
            runs.iter()
                .find(|r| r.1 == text && r.4 == Weight::Regular)
                .copied()
                .unwrap_or_else(|| panic!("{text} not in {runs:?}"))
        };
        let first = body("Kundanskaffningskostnad");
        let lines: Vec<_> = runs
            .iter()
            .filter(|r| r.4 == Weight::Regular && r.2 < first.2 + 1.0 && r.3 >= first.3)
            .filter(|r| r.3 < body("Nästa").3)
            .collect();
        assert!(lines.len() >= 3, "{lines:?}");
        let words: Vec<&str> = lines.iter().flat_map(|r| r.1.split(' ')).collect();
        assert_eq!(words.join(" "), name);
        // Indented alike on every line, two levels in.
        for line in &lines {
            assert!((line.2 - first.2).abs() < 0.01, "{lines:?}");
        }
        let indent = first.2 - (MARGIN_X + CELL_PAD_X);
        assert!(indent > 10.0, "{indent}");
        // The numbers stand on the first line; the next row starts below the last line.
        let numbers: Vec<_> = runs
            .iter()
            .filter(|r| r.1 == "1\u{a0}234\u{a0}567")
            .collect();
        assert_eq!(numbers.len(), 6);
        assert!(numbers.iter().all(|r| (r.3 - first.3).abs() < 0.01));
        let step = lines[1].3 - lines[0].3;
        let last = lines.iter().map(|r| r.3).fold(0.0, f32::max);
        assert!((last - first.3 - (lines.len() - 1) as f32 * step).abs() < 0.01);
        let next = body("Nästa").3;
        assert!(next - last > step, "{last} {next}");
        assert!(runs.iter().all(|r| !r.1.contains('…')), "{runs:?}");
    }

    #[test]
    fn a_long_table_repeats_its_bold_header_on_every_page_and_never_splits_a_row() {
        let headers = ["Kampanj", "Besök"];
        let doc = document(Table {
            name: "t".into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: (0..100)
                .map(|i| {
                    // Every third row wraps onto several lines; each word names its row.
                    let n_words = if i % 3 == 0 { 24 } else { 1 };
                    let text: Vec<String> = (0..n_words).map(|w| format!("r{i}o{w}")).collect();
                    vec![Cell::text(text.join(" ")), count(f64::from(i))]
                })
                .collect(),
        });
        let pages = lay_out(&doc, &fonts());
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let runs = runs(&pages);
        for page in 0..pages.len() {
            for header in headers {
                assert!(
                    runs.iter()
                        .any(|r| r.0 == page && r.1 == header && r.4 == Weight::Bold),
                    "no bold {header} on page {}",
                    page + 1
                );
            }
        }
        let mut wrapped = 0;
        for i in 0..100 {
            let prefix = format!("r{i}o");
            let row: Vec<_> = runs
                .iter()
                .filter(|r| {
                    r.1.split(' ').any(|w| {
                        w.starts_with(&prefix)
                            && w.len() > prefix.len()
                            && w[prefix.len()..].chars().all(|c| c.is_ascii_digit())
                    })
                })
                .collect();
            assert!(!row.is_empty(), "row {i} missing");
            assert!(
                row.iter().all(|r| r.0 == row[0].0),
                "row {i} split: {row:?}"
            );
            if row.len() > 1 {
                wrapped += 1;
            }
        }
        assert_eq!(wrapped, 34);
        // Everything stays inside the margins.
        for r in &runs {
            assert!(r.3 <= CONTENT_BOTTOM && r.2 >= MARGIN_X - 0.01, "{r:?}");
        }
        let title = runs.iter().find(|r| r.1 == "Titel");
        assert_eq!(title.map(|r| r.4), Some(Weight::Bold));
    }

    #[test]
    fn a_row_taller_than_a_page_is_cut_with_an_ellipsis_as_a_last_resort() {
        // Five columns of numbers leave the text about nine words a line: 900 words need
        // more lines than a page holds.
        let row = |text: &str| -> Vec<Cell> {
            std::iter::once(Cell::text(text))
                .chain((0..5).map(|_| million()))
                .collect()
        };
        let table = Table {
            name: "t".into(),
            headers: (0..6).map(|c| format!("K{c}")).collect(),
            rows: vec![
                row("före"),
                row("ord ".repeat(900).trim_end()),
                row("efter"),
            ],
        };
        let pages = lay_out(&document(table), &fonts());
        let runs = runs(&pages);
        let cut: Vec<_> = runs.iter().filter(|r| r.1.starts_with("ord")).collect();
        assert!(cut.len() > 20, "{}", cut.len());
        assert!(cut.iter().all(|r| r.0 == cut[0].0), "the row is split");
        assert!(cut.last().is_some_and(|r| r.1.ends_with('…')), "{cut:?}");
        assert_eq!(runs.iter().filter(|r| r.1.contains('…')).count(), 1);
        for r in &runs {
            assert!(r.3 <= CONTENT_BOTTOM, "{r:?}");
        }
        // The rows before and after are on their own pages, whole.
        for text in ["före", "efter"] {
            assert!(runs.iter().any(|r| r.1 == text), "{text} missing");
        }
        let numbers = runs.iter().filter(|r| r.1 == "1\u{a0}234\u{a0}567");
        assert_eq!(numbers.count(), 15);
        assert_eq!(pages.len(), 3);
    }
}
