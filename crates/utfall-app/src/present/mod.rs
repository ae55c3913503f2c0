//! Results laid out for a person: the headers, cells and notes of a table, formatted in the
//! reader's locale. The CLI prints them as aligned text and the web app as HTML, so both show
//! the same numbers with the same decimals and the same words. The machine-readable layouts
//! (CSV) are tables too, with stable snake_case headers and unformatted values.

pub mod import;
pub mod memory;

/// A table with the lines that follow it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The column headers.
    pub headers: Vec<String>,
    /// The rows, one cell a column.
    pub rows: Vec<Vec<String>>,
    /// Sentences shown under the table, one a line (fit statistics, warnings, notes).
    pub notes: Vec<String>,
}

impl Table {
    /// A table of `headers` and `rows` with no notes.
    pub fn new<S: Into<String>>(
        headers: impl IntoIterator<Item = S>,
        rows: Vec<Vec<String>>,
    ) -> Table {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            rows,
            notes: Vec::new(),
        }
    }

    /// The table with one more note under it.
    pub fn note(mut self, line: impl Into<String>) -> Table {
        self.notes.push(line.into());
        self
    }
}
