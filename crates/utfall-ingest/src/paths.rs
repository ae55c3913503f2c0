//! Path files: one row per path of channels (`email > paid_search > direct`) with its
//! conversions, conversion value and non-converting journeys, as attribution tools exchange
//! them (`channelattribution`'s `path`, `total_conversions`, `total_conversion_value`,
//! `total_null`).
//!
//! [`read_path_file`] streams a file in blocks cut at record boundaries (never inside a quoted
//! field, by [`record_boundary`], the cutter the importer and its fuzz target use), reads the
//! blocks on several threads and merges what they make in file order, so memory holds a block
//! a thread and whatever the caller accumulates. The delimiter, unless given, is found by the
//! importer's [`sniff`]. This module knows nothing of attribution: the caller says what a row
//! adds to its accumulator and how two accumulators merge.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::import::{record_boundary, sniff};

/// Where a path file's columns are and how to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathFileOptions {
    /// The column holding the path, e.g. `email > paid_search > direct` (required).
    pub path_column: String,
    /// The column with the number of conversions, fractions allowed (required).
    pub conversions_column: String,
    /// The column with the conversion value (zero for every row when the file has none).
    pub value_column: String,
    /// The column with the number of journeys that did not convert (zero when absent).
    pub nulls_column: String,
    /// The field delimiter; `None` detects it from the first lines. With `;` numbers are read
    /// with a decimal comma (`12,5`).
    pub delimiter: Option<u8>,
    /// Bytes a block holds (at least one record: a longer record makes a longer block).
    pub block_bytes: usize,
    /// Threads reading blocks; 0 is one a core.
    pub threads: usize,
}

impl Default for PathFileOptions {
    /// `channelattribution`'s column names, a detected delimiter, 16 MiB blocks, one thread a
    /// core.
    fn default() -> PathFileOptions {
        PathFileOptions {
            path_column: "path".to_string(),
            conversions_column: "total_conversions".to_string(),
            value_column: "total_conversion_value".to_string(),
            nulls_column: "total_null".to_string(),
            delimiter: None,
            block_bytes: 16 << 20,
            threads: 0,
        }
    }
}

/// One row of a path file, as handed to the caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathRow<'a> {
    /// The line the record starts on (the header is line 1): the row's place in the file.
    pub line: u64,
    /// The path as written (channels and their separators), unquoted.
    pub path: &'a str,
    /// Conversions, at least 0.
    pub conversions: f64,
    /// Conversion value, at least 0 (0 without a value column or with an empty cell).
    pub value: f64,
    /// Journeys that did not convert, at least 0 (0 without a column or with an empty cell).
    pub nulls: f64,
}

/// Which of the two required columns is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequiredColumn {
    /// [`PathFileOptions::path_column`].
    Path,
    /// [`PathFileOptions::conversions_column`].
    Conversions,
}

impl RequiredColumn {
    /// The `utfall attribution paths` flag that names this column.
    pub fn flag(self) -> &'static str {
        match self {
            RequiredColumn::Path => "--path-col",
            RequiredColumn::Conversions => "--conv-col",
        }
    }
}

/// Why a path file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PathFileError {
    /// The file could not be opened.
    #[error("cannot read `{}`", file.display())]
    Open {
        /// The file.
        file: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Reading the file failed part way.
    #[error("failed to read `{}`", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The header line could not be read as CSV text.
    #[error("failed to read the header of `{}`", file.display())]
    Header {
        /// The file.
        file: PathBuf,
        /// What the CSV reader said.
        #[source]
        source: csv::Error,
    },
    /// A record could not be read.
    #[error("failed to read `{}` near line {line}", file.display())]
    Record {
        /// The file.
        file: PathBuf,
        /// The first line of the block the record is in.
        line: u64,
        /// What the CSV reader said.
        #[source]
        source: csv::Error,
    },
    /// A required column is not in the header.
    #[error("`{}` has no column `{column}`", file.display())]
    MissingColumn {
        /// The file.
        file: PathBuf,
        /// The name looked for.
        column: String,
        /// Which column it is (its flag says how to name another).
        required: RequiredColumn,
        /// The header's column names, in order.
        columns: Vec<String>,
    },
    /// A count or value cell holds something other than a finite number of at least 0.
    #[error(
        "`{}`:{line}: column `{column}` holds `{text}`, not a count or amount",
        file.display()
    )]
    BadNumber {
        /// The file.
        file: PathBuf,
        /// The line the record starts on.
        line: u64,
        /// The column's name.
        column: String,
        /// The cell as written (invalid UTF-8 replaced).
        text: String,
    },
    /// A path cell is not UTF-8 text.
    #[error("`{}`:{line}: the path is not UTF-8 text", file.display())]
    NotUtf8 {
        /// The file.
        file: PathBuf,
        /// The line the record starts on.
        line: u64,
        /// The path column's name.
        column: String,
    },
}

/// Reads a path file: every row is handed to `add`, with an accumulator made by `new`, in file
/// order within a block; the blocks' accumulators are merged by `merge` in file order into the
/// first one. Memory holds one block a thread (see [`PathFileOptions::block_bytes`]).
///
/// The first error in file order is returned.
pub fn read_path_file<B: Send>(
    path: &Path,
    options: &PathFileOptions,
    new: impl Fn() -> B + Sync,
    add: impl Fn(&mut B, PathRow<'_>) + Sync,
    merge: impl Fn(&mut B, B),
) -> Result<B, PathFileError> {
    let file = std::fs::File::open(path).map_err(|source| PathFileError::Open {
        file: path.to_path_buf(),
        source,
    })?;
    let mut input = Input {
        file,
        path,
        pending: Vec::new(),
        eof: false,
    };
    let block_bytes = options.block_bytes.max(1);
    // The head: enough lines to detect the delimiter, and at least the whole header record.
    input.fill_to(block_bytes.max(HEAD_BYTES))?;
    while !input.eof && record_boundary(&input.pending, options.delimiter.unwrap_or(b',')) == 0 {
        input.fill_to(input.pending.len() + block_bytes)?;
    }
    let header = Header::read(path, &input.pending, options)?;
    let columns = header.columns(path, options)?;
    let mut first_line = 1 + count_line_feeds(&input.pending[..header.end]) as u64;
    input.pending.drain(..header.end);

    let reader = BlockReader {
        path,
        delimiter: header.delimiter,
        decimal_comma: header.delimiter == b';',
        columns: &columns,
        options,
    };
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let mut total = new();
    loop {
        // Up to one block a thread, each ending at a record boundary.
        let mut blocks: Vec<(u64, Vec<u8>)> = Vec::new();
        while blocks.len() < threads {
            let Some(block) = input.next_block(block_bytes, header.delimiter)? else {
                break;
            };
            let n_lines = count_line_feeds(&block) as u64;
            blocks.push((first_line, block));
            first_line += n_lines;
        }
        if blocks.is_empty() {
            break;
        }
        let results: Vec<Result<B, PathFileError>> = if blocks.len() == 1 {
            blocks
                .iter()
                .map(|(line, block)| reader.read(*line, block, &new, &add))
                .collect()
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = blocks
                    .iter()
                    .map(|(line, block)| {
                        let (reader, new, add) = (&reader, &new, &add);
                        scope.spawn(move || reader.read(*line, block, new, add))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|handle| match handle.join() {
                        Ok(result) => result,
                        Err(panic) => std::panic::resume_unwind(panic),
                    })
                    .collect()
            })
        };
        for result in results {
            merge(&mut total, result?);
        }
    }
    Ok(total)
}

/// Bytes read at least before the delimiter is detected.
const HEAD_BYTES: usize = 64 << 10;

/// Lines of the head the delimiter is detected from.
const SNIFF_LINES: usize = 12;

fn count_line_feeds(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// The file and what has been read of it but not yet handed out.
struct Input<'p> {
    file: std::fs::File,
    path: &'p Path,
    pending: Vec<u8>,
    eof: bool,
}

impl Input<'_> {
    /// Reads until `pending` holds `len` bytes or the file ends.
    fn fill_to(&mut self, len: usize) -> Result<(), PathFileError> {
        while !self.eof && self.pending.len() < len {
            let start = self.pending.len();
            self.pending.resize(len, 0);
            let result = self.file.read(&mut self.pending[start..]);
            match result {
                Ok(n) => {
                    self.pending.truncate(start + n);
                    self.eof = n == 0;
                }
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {
                    self.pending.truncate(start);
                }
                Err(source) => {
                    return Err(PathFileError::Read {
                        file: self.path.to_path_buf(),
                        source,
                    });
                }
            }
        }
        Ok(())
    }

    /// The next block of whole records, about `block_bytes` long (longer only when one record
    /// is); `None` at the end of the file.
    fn next_block(
        &mut self,
        block_bytes: usize,
        delimiter: u8,
    ) -> Result<Option<Vec<u8>>, PathFileError> {
        self.fill_to(block_bytes)?;
        let mut window = block_bytes;
        loop {
            if self.pending.is_empty() {
                return Ok(None);
            }
            if self.eof && self.pending.len() <= window {
                return Ok(Some(std::mem::take(&mut self.pending)));
            }
            let end = window.min(self.pending.len());
            let cut = boundary(&self.pending[..end], delimiter);
            if cut > 0 {
                let rest = self.pending.split_off(cut);
                return Ok(Some(std::mem::replace(&mut self.pending, rest)));
            }
            // No record ends within the window: widen it.
            window += block_bytes;
            self.fill_to(window)?;
        }
    }
}

/// Where the last whole record of `bytes` ends (they start at a record boundary): without a
/// quote, every line feed ends a record.
fn boundary(bytes: &[u8], delimiter: u8) -> usize {
    if memchr::memchr(b'"', bytes).is_some() {
        record_boundary(bytes, delimiter)
    } else {
        memchr::memrchr(b'\n', bytes).map_or(0, |i| i + 1)
    }
}

/// The header record: its names, the delimiter that reads them and where the data starts.
struct Header {
    names: Vec<String>,
    delimiter: u8,
    end: usize,
}

impl Header {
    /// Reads the header from the head of the file. Without a delimiter given, the one
    /// [`sniff`] finds in the first lines, unless the header read with it lacks the path
    /// column and the one it finds in the header alone does not.
    fn read(path: &Path, head: &[u8], options: &PathFileOptions) -> Result<Header, PathFileError> {
        let read = |delimiter: u8| -> Result<Header, PathFileError> {
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .has_headers(false)
                .flexible(true)
                .from_reader(head);
            let mut record = csv::StringRecord::new();
            let found =
                reader
                    .read_record(&mut record)
                    .map_err(|source| PathFileError::Header {
                        file: path.to_path_buf(),
                        source,
                    })?;
            let names = if found {
                record
                    .iter()
                    .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
                    .collect()
            } else {
                Vec::new()
            };
            let mut end = (reader.position().byte() as usize).min(head.len());
            // The reader may stop between the `\r` and the `\n` of a line end.
            while end < head.len() && matches!(head[end], b'\r' | b'\n') {
                end += 1;
            }
            Ok(Header {
                names,
                delimiter,
                end,
            })
        };
        if let Some(delimiter) = options.delimiter {
            return read(delimiter);
        }
        // Whole lines only: a cut last line would count fields wrongly.
        let complete = match memchr::memrchr(b'\n', head) {
            Some(i) if i + 1 < head.len() => &head[..=i],
            _ => head,
        };
        let text = String::from_utf8_lossy(complete);
        let lines: Vec<&str> = text.lines().take(SNIFF_LINES).collect();
        let by_lines = read(sniff(&lines).0)?;
        if by_lines.position(&options.path_column).is_some() {
            return Ok(by_lines);
        }
        let by_header = read(sniff(&lines[..lines.len().min(1)]).0)?;
        Ok(if by_header.position(&options.path_column).is_some() {
            by_header
        } else {
            by_lines
        })
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|h| h == name)
    }

    fn columns(&self, path: &Path, options: &PathFileOptions) -> Result<Columns, PathFileError> {
        let required = |name: &str, required: RequiredColumn| {
            self.position(name)
                .ok_or_else(|| PathFileError::MissingColumn {
                    file: path.to_path_buf(),
                    column: name.to_string(),
                    required,
                    columns: self.names.clone(),
                })
        };
        Ok(Columns {
            path: required(&options.path_column, RequiredColumn::Path)?,
            conversions: required(&options.conversions_column, RequiredColumn::Conversions)?,
            value: self.position(&options.value_column),
            nulls: self.position(&options.nulls_column),
        })
    }
}

/// Where the columns of a path file are.
struct Columns {
    path: usize,
    conversions: usize,
    value: Option<usize>,
    nulls: Option<usize>,
}

/// Reads blocks of records into rows.
struct BlockReader<'a> {
    path: &'a Path,
    delimiter: u8,
    decimal_comma: bool,
    columns: &'a Columns,
    options: &'a PathFileOptions,
}

impl BlockReader<'_> {
    /// Reads one block whose first record starts on `first_line`.
    fn read<B>(
        &self,
        first_line: u64,
        block: &[u8],
        new: &impl Fn() -> B,
        add: &impl Fn(&mut B, PathRow<'_>),
    ) -> Result<B, PathFileError> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(block);
        let mut accumulator = new();
        let mut record = csv::ByteRecord::new();
        // Line feeds in the block up to `counted.0`. The reader's own line count misses line
        // feeds after carriage returns, so lines are counted from the records' bytes.
        let mut counted = (0usize, 0u64);
        loop {
            let more =
                reader
                    .read_byte_record(&mut record)
                    .map_err(|source| PathFileError::Record {
                        file: self.path.to_path_buf(),
                        line: first_line,
                        source,
                    })?;
            if !more {
                break;
            }
            let mut start = record
                .position()
                .map_or(0, |p| p.byte() as usize)
                .min(block.len());
            while start < block.len() && matches!(block[start], b'\r' | b'\n') {
                start += 1;
            }
            if start > counted.0 {
                counted.1 += count_line_feeds(&block[counted.0..start]) as u64;
                counted.0 = start;
            }
            let line = first_line + counted.1;
            let number = |column: Option<usize>, name: &str| -> Result<f64, PathFileError> {
                let Some(column) = column else {
                    return Ok(0.0);
                };
                let bytes = record.get(column).unwrap_or(b"");
                count_or_amount(bytes, self.decimal_comma).ok_or_else(|| PathFileError::BadNumber {
                    file: self.path.to_path_buf(),
                    line,
                    column: name.to_string(),
                    text: String::from_utf8_lossy(bytes).into_owned(),
                })
            };
            let options = self.options;
            let conversions = number(Some(self.columns.conversions), &options.conversions_column)?;
            let value = number(self.columns.value, &options.value_column)?;
            let nulls = number(self.columns.nulls, &options.nulls_column)?;
            let path = std::str::from_utf8(record.get(self.columns.path).unwrap_or(b"")).map_err(
                |_| PathFileError::NotUtf8 {
                    file: self.path.to_path_buf(),
                    line,
                    column: options.path_column.clone(),
                },
            )?;
            add(
                &mut accumulator,
                PathRow {
                    line,
                    path,
                    conversions,
                    value,
                    nulls,
                },
            );
        }
        Ok(accumulator)
    }
}

/// A count or amount: a finite number of at least 0, an empty cell being 0; with a decimal
/// comma, `12,5` is 12.5.
fn count_or_amount(bytes: &[u8], decimal_comma: bool) -> Option<f64> {
    match bytes {
        b"0" | b"" => return Some(0.0),
        b"1" => return Some(1.0),
        _ => {}
    }
    let text = std::str::from_utf8(bytes).ok()?.trim();
    if text.is_empty() {
        return Some(0.0);
    }
    let value: f64 = if decimal_comma && text.contains(',') {
        text.replace(',', ".").parse().ok()?
    } else {
        text.parse().ok()?
    };
    (value.is_finite() && value >= 0.0).then_some(value)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A row as read, owned: (line, path, conversions, value, nulls).
    type Row = (u64, String, f64, f64, f64);

    fn read(text: &[u8], options: &PathFileOptions) -> Result<Vec<Row>, PathFileError> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("paths.csv");
        std::fs::write(&file, text).unwrap();
        read_path_file(
            &file,
            options,
            Vec::new,
            |rows: &mut Vec<Row>, row| {
                rows.push((
                    row.line,
                    row.path.to_string(),
                    row.conversions,
                    row.value,
                    row.nulls,
                ));
            },
            |rows, more| rows.extend(more),
        )
    }

    fn blocks(block_bytes: usize, threads: usize) -> PathFileOptions {
        PathFileOptions {
            block_bytes,
            threads,
            ..PathFileOptions::default()
        }
    }

    /// The same rows whatever the block size (from one byte up) and number of threads.
    fn assert_reads(text: &[u8], want: &[Row]) {
        for block_bytes in (1..=text.len() + 1).chain([16 << 20]) {
            for threads in [1, 3] {
                let got = read(text, &blocks(block_bytes, threads)).unwrap();
                assert_eq!(
                    got, want,
                    "blocks of {block_bytes} bytes, {threads} threads"
                );
            }
        }
    }

    fn row(line: u64, path: &str, conversions: f64, value: f64, nulls: f64) -> Row {
        (line, path.to_string(), conversions, value, nulls)
    }

    #[test]
    fn quoted_line_breaks_across_block_boundaries() {
        // Lines: 1 header, 2–3 the first path, 4 the second, 5–7 the third.
        let text = "path,total_conversions,total_null\n\"email >\nseo\",1,0\nseo,0,2\n\"direct\n>\nemail\",2,1\n";
        assert_reads(
            text.as_bytes(),
            &[
                row(2, "email >\nseo", 1.0, 0.0, 0.0),
                row(4, "seo", 0.0, 0.0, 2.0),
                row(5, "direct\n>\nemail", 2.0, 0.0, 1.0),
            ],
        );
    }

    #[test]
    fn crlf_line_ends() {
        let text = "path,total_conversions,total_conversion_value\r\na > b,1,10\r\n\"c\r\nd\",2,5.5\r\nb,0,0\r\n";
        assert_reads(
            text.as_bytes(),
            &[
                row(2, "a > b", 1.0, 10.0, 0.0),
                row(3, "c\r\nd", 2.0, 5.5, 0.0),
                row(5, "b", 0.0, 0.0, 0.0),
            ],
        );
    }

    #[test]
    fn semicolons_with_decimal_commas() {
        let text = "path;total_conversions;total_conversion_value\na > b;1;12,5\nb;0,5;3\n";
        assert_reads(
            text.as_bytes(),
            &[row(2, "a > b", 1.0, 12.5, 0.0), row(3, "b", 0.5, 3.0, 0.0)],
        );
    }

    #[test]
    fn a_byte_order_mark_before_the_header() {
        let text = "\u{feff}path,total_conversions\na,1\n\"b\",2\n";
        assert_reads(
            text.as_bytes(),
            &[row(2, "a", 1.0, 0.0, 0.0), row(3, "b", 2.0, 0.0, 0.0)],
        );
    }

    #[test]
    fn a_bad_number_names_its_line_and_column() {
        // Lines: 1 header, 2 a, 3 b, 4–5 the quoted path, 6 the bad count, 8 a later bad one.
        let text = "path,total_conversions\na,1\nb,2\n\"c\nd\",1\ne,many\nf,1\ng,-1\n";
        for block_bytes in [1, 7, 20, 1 << 20] {
            let error = read(text.as_bytes(), &blocks(block_bytes, 4)).unwrap_err();
            let PathFileError::BadNumber {
                line, column, text, ..
            } = &error
            else {
                panic!("{error:?}")
            };
            assert_eq!(
                (*line, column.as_str(), text.as_str()),
                (6, "total_conversions", "many")
            );
            assert!(
                error.to_string().ends_with(
                    "paths.csv`:6: column `total_conversions` holds `many`, not a count or amount"
                ),
                "{error}"
            );
        }
        let error = read(b"path,total_conversions\ng,-1\n", &blocks(4, 2)).unwrap_err();
        assert!(
            matches!(error, PathFileError::BadNumber { line: 2, .. }),
            "{error:?}"
        );
    }

    #[test]
    fn a_file_of_many_blocks_is_read_in_parallel_in_file_order() {
        let mut text = String::from("path,total_conversions,total_conversion_value,total_null\n");
        for i in 0..1000 {
            text.push_str(&format!("c{} > d,{},{i},{}\n", i % 3, i % 2, 1 - i % 2));
        }
        let rows = read(text.as_bytes(), &blocks(64, 4)).unwrap();
        assert_eq!(rows.len(), 1000);
        // Row i is on line i + 2, in order.
        assert!(rows.iter().enumerate().all(|(i, r)| r.0 == i as u64 + 2));
        assert_eq!(rows[5], row(7, "c2 > d", 1.0, 5.0, 0.0));
        // 500 odd rows convert; the values 0 + 1 + … + 999 = 499 500; 500 even rows did not.
        assert_eq!(rows.iter().map(|r| r.2).sum::<f64>(), 500.0);
        assert_eq!(rows.iter().map(|r| r.3).sum::<f64>(), 499_500.0);
        assert_eq!(rows.iter().map(|r| r.4).sum::<f64>(), 500.0);
        assert_eq!(rows, read(text.as_bytes(), &blocks(1 << 20, 1)).unwrap());
        // Merged in file order: the accumulators are blocks of consecutive lines.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("paths.csv");
        std::fs::write(&file, &text).unwrap();
        let ranges = read_path_file(
            &file,
            &blocks(64, 4),
            Vec::new,
            |ranges: &mut Vec<(u64, u64)>, row| match ranges.last_mut() {
                Some(last) => last.1 = row.line,
                None => ranges.push((row.line, row.line)),
            },
            |ranges, more| ranges.extend(more),
        )
        .unwrap();
        assert!(ranges.len() > 10, "{} blocks", ranges.len());
        assert_eq!(ranges.first().unwrap().0, 2);
        assert_eq!(ranges.last().unwrap().1, 1001);
        assert!(
            ranges.windows(2).all(|w| w[1].0 == w[0].1 + 1),
            "{ranges:?}"
        );
    }

    #[test]
    fn a_missing_column_lists_the_columns_and_the_flag() {
        let error = read(b"path,conversions\na,1\n", &PathFileOptions::default()).unwrap_err();
        let PathFileError::MissingColumn {
            column,
            required,
            columns,
            ..
        } = &error
        else {
            panic!("{error:?}")
        };
        assert_eq!(column, "total_conversions");
        assert_eq!(required.flag(), "--conv-col");
        assert_eq!(columns, &["path", "conversions"]);
        assert!(
            error
                .to_string()
                .ends_with("has no column `total_conversions`")
        );
        let options = PathFileOptions {
            path_column: "journey".to_string(),
            conversions_column: "conversions".to_string(),
            ..PathFileOptions::default()
        };
        let error = read(b"path,conversions\na,1\n", &options).unwrap_err();
        assert!(matches!(
            error,
            PathFileError::MissingColumn {
                required: RequiredColumn::Path,
                ..
            }
        ));
    }

    #[test]
    fn a_path_that_is_not_utf8() {
        let error = read(b"path,total_conversions\na,1\n\xff\xfe,1\n", &blocks(5, 2)).unwrap_err();
        assert!(
            matches!(&error, PathFileError::NotUtf8 { line: 3, column, .. } if column == "path"),
            "{error:?}"
        );
    }

    #[test]
    fn channels_separated_by_pipes_do_not_make_the_delimiter() {
        // Every row has two `|` and one `,`; the header has no `|` at all.
        let text = "path,total_conversions\na|b|c,1\nb|c|a,1\nc|a|b,1\na|a|b,1\nb|b|c,1\nc|c|a,1\n";
        let rows = read(text.as_bytes(), &PathFileOptions::default()).unwrap();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0], row(2, "a|b|c", 1.0, 0.0, 0.0));
    }

    #[test]
    fn a_given_delimiter_and_named_columns() {
        let options = PathFileOptions {
            path_column: "journey".to_string(),
            conversions_column: "conv".to_string(),
            value_column: "worth".to_string(),
            nulls_column: "lost".to_string(),
            delimiter: Some(b'\t'),
            ..PathFileOptions::default()
        };
        let text = "lost\tjourney\tconv\tworth\n3\ta, b\t1\t2.5\n\tb\t\t\n";
        assert_eq!(
            read(text.as_bytes(), &options).unwrap(),
            [row(2, "a, b", 1.0, 2.5, 3.0), row(3, "b", 0.0, 0.0, 0.0)]
        );
    }

    #[test]
    fn a_file_with_a_header_only_or_nothing() {
        assert_eq!(read(b"path,total_conversions", &blocks(4, 2)).unwrap(), []);
        assert!(matches!(
            read(b"", &PathFileOptions::default()).unwrap_err(),
            PathFileError::MissingColumn {
                required: RequiredColumn::Path,
                ..
            }
        ));
    }

    #[test]
    fn a_missing_file() {
        let error = read_path_file(
            Path::new("/no/such/paths.csv"),
            &PathFileOptions::default(),
            || (),
            |_, _| {},
            |_, _| {},
        )
        .unwrap_err();
        assert!(matches!(error, PathFileError::Open { .. }), "{error:?}");
    }
}
