//! What every renderer needs to know about a table's shape.

use crate::{Cell, Table};

impl Table {
    /// The number of columns: the headers', or the longest row's when a row is longer.
    pub fn column_count(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .fold(self.headers.len(), usize::max)
    }

    /// Whether column `column` is a column of numbers, shown right-aligned: at least one of its
    /// cells is a number and every other one is blank (see [`Cell::is_blank`]).
    pub fn is_numeric_column(&self, column: usize) -> bool {
        let mut any_number = false;
        for row in &self.rows {
            match row.get(column) {
                Some(cell) if cell.number.is_some() => any_number = true,
                Some(cell) if cell.is_blank() => {}
                Some(_) => return false,
                None => {}
            }
        }
        any_number
    }

    /// [`Table::is_numeric_column`] for every column, in order.
    pub fn numeric_columns(&self) -> Vec<bool> {
        (0..self.column_count())
            .map(|column| self.is_numeric_column(column))
            .collect()
    }
}

impl Cell {
    /// Whether the cell holds no number and no text but perhaps a dash standing for a missing
    /// value (`-`, `–`, `—`) and white space. A blank cell does not stop a column from being a
    /// column of numbers.
    pub fn is_blank(&self) -> bool {
        self.number.is_none()
            && self
                .text
                .chars()
                .all(|c| c.is_whitespace() || matches!(c, '-' | '\u{2013}' | '\u{2014}'))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Cell, NumberKind, Table};

    fn table(rows: Vec<Vec<Cell>>) -> Table {
        Table {
            name: "t".into(),
            headers: vec!["Kanal".into(), "Besök".into()],
            rows,
        }
    }

    #[test]
    fn a_column_of_numbers_and_blanks_is_numeric_and_a_text_column_is_not() {
        let t = table(vec![
            vec![
                Cell::text("Sök"),
                Cell::number("1 200", 1200.0, NumberKind::Count),
            ],
            vec![Cell::text("E-post"), Cell::text("–")],
            vec![Cell::text("Övrigt"), Cell::text("")],
        ]);
        assert_eq!(t.numeric_columns(), vec![false, true]);
    }

    #[test]
    fn a_column_with_one_word_or_no_number_at_all_is_not_numeric() {
        let t = table(vec![
            vec![Cell::text(""), Cell::number("5", 5.0, NumberKind::Count)],
            vec![Cell::text(""), Cell::text("saknas")],
        ]);
        assert_eq!(t.numeric_columns(), vec![false, false]);
    }

    #[test]
    fn the_column_count_covers_a_row_longer_than_the_headers() {
        let t = table(vec![vec![
            Cell::text("a"),
            Cell::text("b"),
            Cell::text("c"),
        ]]);
        assert_eq!(t.column_count(), 3);
    }
}
