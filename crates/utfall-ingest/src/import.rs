//! One import: a file read with a preset into canonical rows, committed atomically, rejected
//! rows kept in a quarantine with their row, column and reason.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::Path;

use sha2::{Digest, Sha256};
use utfall_model::catalog::Catalog;

use crate::decode::open_text;
use crate::parse::{DateOrder, NumberStyle};
use crate::preset::{Plan, PlanError, ReadSettings, header_score};
use crate::store::{DataStore, ImportRecord, StoreError, TableChange};
use crate::table::TableBuilder;

/// Reports progress of long work (the binary draws a bar).
pub trait Reporter {
    /// `done` of `total` bytes read.
    fn progress(&self, done: u64, total: u64);
}

/// A reporter that reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Reporter for Silent {
    fn progress(&self, _done: u64, _total: u64) {}
}

/// What to import and how.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub preset: String,
    /// Source column → target column, overriding the preset's labels.
    pub mapping: BTreeMap<String, String>,
    /// For `generic`: the table to fill.
    pub table: Option<String>,
    pub currency: String,
    pub time_zone: jiff::tz::TimeZone,
    pub delimiter: Option<u8>,
    pub decimal_comma: Option<bool>,
    pub date_order: Option<DateOrder>,
    pub dry_run: bool,
}

/// What an import found and did.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    pub file: String,
    pub sha256: String,
    pub encoding: String,
    pub delimiter: char,
    pub decimal_comma: bool,
    pub day_first: bool,
    /// 1-based line of the header.
    pub header_line: usize,
    pub tables: Vec<String>,
    pub mapping: Vec<(String, String)>,
    /// The first rows as read, for `--dry-run`.
    pub preview: Vec<Vec<String>>,
    pub read: u64,
    pub imported: u64,
    pub duplicates: u64,
    pub rejected: u64,
    /// Rows read and deliberately not imported (GA4 events without ids: consent denied).
    pub skipped: u64,
    /// Up to ten rejections: (line, column, reason).
    pub rejections: Vec<(u64, String, String)>,
    pub quarantine: Option<String>,
    pub already_imported: bool,
}

/// An import that could not run.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("failed to read `{file}`")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{file}`: {source}")]
    Plan {
        file: String,
        #[source]
        source: PlanError,
    },
    #[error("`{file}`:{line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// What the first lines of a file say about it: delimiter, decimal comma (if any evidence) and
/// the order of day and month.
pub fn sniff(lines: &[&str]) -> (u8, Option<bool>, DateOrder) {
    let delimiter = detect_delimiter(lines);
    let cells: Vec<String> = lines
        .iter()
        .flat_map(|line| line.split(char::from(delimiter)).map(str::to_string))
        .collect();
    (
        delimiter,
        detect_decimal_comma(&cells),
        detect_date_order(&cells),
    )
}

fn detect_delimiter(lines: &[&str]) -> u8 {
    let mut best = (b',', 0usize);
    for candidate in [b';', b'\t', b',', b'|'] {
        let counts: Vec<usize> = lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| count_outside_quotes(l, candidate))
            .collect();
        let Some(&last) = counts.last() else { continue };
        // The header and the rows under it agree on the number of fields.
        let consistent = counts.iter().rev().take(5).filter(|&&c| c == last).count();
        let score = if last > 0 {
            consistent * 1000 + last
        } else {
            0
        };
        if score > best.1 {
            best = (candidate, score);
        }
    }
    best.0
}

/// How often `byte` occurs in a line outside quoted fields.
fn count_outside_quotes(line: &str, byte: u8) -> usize {
    let mut in_quotes = false;
    let mut count = 0;
    for b in line.bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == byte && !in_quotes {
            count += 1;
        }
    }
    count
}

/// Whether decimals are written with a comma; `None` without evidence.
fn detect_decimal_comma(cells: &[String]) -> Option<bool> {
    let (mut comma, mut dot) = (0, 0);
    for cell in cells {
        let bytes = cell.as_bytes();
        for window in bytes.windows(3) {
            if window[0].is_ascii_digit() && window[2].is_ascii_digit() {
                match window[1] {
                    b',' => comma += 1,
                    b'.' => dot += 1,
                    _ => {}
                }
            }
        }
    }
    (comma + dot > 0).then_some(comma > dot)
}

fn detect_date_order(cells: &[String]) -> DateOrder {
    for cell in cells {
        let parts: Vec<&str> = cell.split(['/', '.']).collect();
        if parts.len() == 3 && parts[2].trim().len() >= 4 {
            let first: u32 = parts[0].trim().parse().unwrap_or(0);
            let second: u32 = parts[1].trim().parse().unwrap_or(0);
            if second > 12 && first <= 12 {
                return DateOrder::MonthFirst;
            }
            if first > 12 {
                return DateOrder::DayFirst;
            }
        }
    }
    DateOrder::DayFirst
}

fn is_total_row(record: &csv::StringRecord) -> bool {
    let first = record.get(0).unwrap_or("").trim().to_lowercase();
    first.starts_with("total")
        || first.starts_with("summa")
        || (record.iter().all(|c| c.trim().is_empty()))
}

/// Imports one file.
pub fn import_file(
    store: &DataStore,
    path: &Path,
    options: &ImportOptions,
    catalog: &Catalog,
    reporter: &dyn Reporter,
) -> Result<ImportSummary, ImportError> {
    let file_name = path.display().to_string();
    let read_error = |source| ImportError::Read {
        file: file_name.clone(),
        source,
    };
    let sha256 = sha256_of(path).map_err(read_error)?;
    let mut summary = ImportSummary {
        file: file_name.clone(),
        sha256: sha256.clone(),
        ..ImportSummary::default()
    };
    let manifest = store.manifest()?;
    if manifest
        .imports
        .iter()
        .any(|i| i.sha256 == sha256 && i.preset == options.preset)
    {
        summary.already_imported = true;
        return Ok(summary);
    }
    if options.preset == "ga4-bigquery" {
        return import_ga4(store, path, options, catalog, summary, reporter);
    }
    let total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);

    // Sniff the first lines: delimiter, header line, number and date conventions.
    let (mut text, encoding) = open_text(path).map_err(read_error)?;
    summary.encoding = encoding.to_string();
    let mut head = String::new();
    let mut byte = [0u8; 1];
    let mut head_bytes: Vec<u8> = Vec::new();
    let mut n_lines = 0;
    while n_lines < 30 {
        match text.read(&mut byte).map_err(read_error)? {
            0 => break,
            _ => {
                head_bytes.push(byte[0]);
                if byte[0] == b'\n' {
                    n_lines += 1;
                }
            }
        }
    }
    head.push_str(&String::from_utf8_lossy(&head_bytes));
    let lines: Vec<&str> = head.lines().collect();
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| detect_delimiter(&lines[..lines.len().min(12)]));
    summary.delimiter = char::from(delimiter);
    let split = |line: &str| -> Vec<String> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(line.as_bytes())
            .records()
            .next()
            .and_then(Result::ok)
            .map(|r| r.iter().map(str::to_string).collect())
            .unwrap_or_default()
    };
    let header_index = (0..lines.len().min(10))
        .map(|i| (header_score(&options.preset, &split(lines[i])), i))
        .filter(|(score, _)| *score > 0)
        .max_by_key(|(score, i)| (*score, std::cmp::Reverse(*i)))
        .map_or(0, |(_, i)| i);
    summary.header_line = header_index + 1;
    let sample_cells: Vec<String> = lines
        .iter()
        .skip(header_index + 1)
        .flat_map(|l| split(l))
        .collect();
    // A comma-separated file writes decimals with a point; otherwise the sample decides, and
    // without evidence a `;` or tab file is taken to be Swedish.
    let decimal_comma = options.decimal_comma.unwrap_or_else(|| {
        delimiter != b',' && detect_decimal_comma(&sample_cells).unwrap_or(true)
    });
    summary.decimal_comma = decimal_comma;
    let date_order = options
        .date_order
        .unwrap_or_else(|| detect_date_order(&sample_cells));
    summary.day_first = date_order == DateOrder::DayFirst;
    let settings = ReadSettings {
        currency: options.currency.clone(),
        time_zone: options.time_zone.clone(),
        date_order,
        number_style: NumberStyle { decimal_comma },
    };

    // Read all of it: the lines already taken, then the rest of the stream.
    let rest = std::io::Cursor::new(head_bytes).chain(text);
    let counting = CountingReader {
        inner: rest,
        count: 0,
        total,
        reporter,
        last_report: 0,
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(counting);
    let mut records = csv.records();
    let mut header = Vec::new();
    for _ in 0..=header_index {
        match records.next() {
            Some(Ok(record)) => header = record.iter().map(str::to_string).collect(),
            Some(Err(error)) => {
                return Err(ImportError::Csv {
                    file: file_name,
                    line: 1,
                    message: error.to_string(),
                });
            }
            None => break,
        }
    }
    let plan = Plan::new(
        &options.preset,
        &header,
        &options.mapping,
        options.table.as_deref(),
        catalog,
    )
    .map_err(|source| ImportError::Plan {
        file: file_name.clone(),
        source,
    })?;
    summary.tables = plan.tables.iter().map(|t| t.name.clone()).collect();
    summary.mapping = plan.describe();
    let mut builders: Vec<TableBuilder> = plan.tables.iter().map(TableBuilder::new).collect();
    let mut quarantine = String::from("file,line,column,reason,record\n");
    for result in records {
        let record = match result {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                summary.read += 1;
                reject(
                    &mut summary,
                    &mut quarantine,
                    &file_name,
                    line,
                    "",
                    &format!("unreadable row: {error}"),
                    "",
                );
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if is_total_row(&record) {
            continue;
        }
        summary.read += 1;
        let cells: Vec<&str> = record.iter().collect();
        if summary.preview.len() < 5 {
            summary
                .preview
                .push(cells.iter().map(|c| (*c).to_string()).collect());
        }
        let raw = cells.join(&char::from(delimiter).to_string());
        // Check every row of every table before adding any, so a record lands whole or not at all.
        let checked = plan.rows(&cells, &settings).and_then(|tables| {
            tables
                .iter()
                .zip(&builders)
                .try_for_each(|(rows, builder)| {
                    rows.iter().try_for_each(|row| builder.check(row))
                })?;
            Ok(tables)
        });
        match checked {
            Ok(tables) => {
                for (rows, builder) in tables.into_iter().zip(&mut builders) {
                    for row in rows {
                        builder.push(row);
                    }
                }
            }
            Err(error) => reject(
                &mut summary,
                &mut quarantine,
                &file_name,
                line,
                &error.column,
                &error.reason,
                &raw,
            ),
        }
    }
    summary.imported = summary.read - summary.rejected;
    finish(
        store,
        summary,
        options,
        &plan.tables,
        &mut builders,
        quarantine,
    )
}

/// Commits the rows of an import (unless it is a dry run) and completes its summary.
fn finish(
    store: &DataStore,
    mut summary: ImportSummary,
    options: &ImportOptions,
    tables: &[utfall_model::catalog::Table],
    builders: &mut [TableBuilder],
    quarantine: String,
) -> Result<ImportSummary, ImportError> {
    if options.dry_run {
        return Ok(summary);
    }
    let changes: Vec<TableChange> = tables
        .iter()
        .zip(builders.iter_mut())
        .map(|(table, builder)| TableChange {
            table: table.clone(),
            batch: builder.finish(),
        })
        .collect();
    let id = format!(
        "{}-{}",
        jiff::Timestamp::now().as_second(),
        &summary.sha256[..12]
    );
    let record = ImportRecord {
        id: id.clone(),
        file: summary.file.clone(),
        sha256: summary.sha256.clone(),
        preset: options.preset.clone(),
        tables: summary.tables.clone(),
        read: summary.read,
        imported: summary.imported,
        duplicates: 0,
        rejected: summary.rejected,
        quarantine: None,
        at: jiff::Timestamp::now().to_string(),
    };
    let quarantine = (summary.rejected > 0).then(|| (format!("{id}.csv"), quarantine.into_bytes()));
    let counts = store.commit(changes, quarantine, record)?;
    summary.duplicates = counts.iter().map(|c| c.duplicates).sum();
    summary.quarantine = store
        .manifest()?
        .imports
        .last()
        .and_then(|i| i.quarantine.clone());
    Ok(summary)
}

/// GA4's BigQuery export as newline-delimited JSON (`bq extract` form): one event per line.
fn import_ga4(
    store: &DataStore,
    path: &Path,
    options: &ImportOptions,
    catalog: &Catalog,
    mut summary: ImportSummary,
    reporter: &dyn Reporter,
) -> Result<ImportSummary, ImportError> {
    use std::io::BufRead as _;
    let file_name = summary.file.clone();
    let read_error = |source| ImportError::Read {
        file: file_name.clone(),
        source,
    };
    let (text, encoding) = open_text(path).map_err(read_error)?;
    summary.encoding = encoding.to_string();
    let tables: Vec<utfall_model::catalog::Table> = ["web_events", "touchpoints"]
        .iter()
        .filter_map(|name| catalog.table(name).cloned())
        .collect();
    summary.tables = tables.iter().map(|t| t.name.clone()).collect();
    summary.mapping = crate::ga4::describe();
    let mut builders: Vec<TableBuilder> = tables.iter().map(TableBuilder::new).collect();
    let mut quarantine = String::from("file,line,column,reason,record\n");
    let key_events = crate::ga4::default_key_events();
    let total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let counting = CountingReader {
        inner: text,
        count: 0,
        total,
        reporter,
        last_report: 0,
    };
    for (index, line) in std::io::BufReader::new(counting).lines().enumerate() {
        let line = line.map_err(read_error)?;
        if line.trim().is_empty() {
            continue;
        }
        let number = index as u64 + 1;
        summary.read += 1;
        let checked = crate::ga4::rows(&line, &key_events, &options.time_zone).and_then(|rows| {
            if let Some((event, touch)) = &rows {
                builders[0].check(event)?;
                touch.as_ref().map_or(Ok(()), |t| builders[1].check(t))?;
            }
            Ok(rows)
        });
        match checked {
            Ok(None) => summary.skipped += 1,
            Ok(Some((event, touch))) => {
                builders[0].push(event);
                if let Some(touch) = touch {
                    builders[1].push(touch);
                }
                if summary.preview.len() < 5 {
                    summary.preview.push(vec![line.chars().take(120).collect()]);
                }
            }
            Err(error) => reject(
                &mut summary,
                &mut quarantine,
                &file_name,
                number,
                &error.column,
                &error.reason,
                &line,
            ),
        }
    }
    summary.imported = summary.read - summary.rejected - summary.skipped;
    finish(store, summary, options, &tables, &mut builders, quarantine)
}

fn csv_cell(text: &str) -> String {
    // Quoted, and safe to open in a spreadsheet.
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Counts a rejected row and keeps it in the quarantine with its line, column and reason.
fn reject(
    summary: &mut ImportSummary,
    quarantine: &mut String,
    file: &str,
    line: u64,
    column: &str,
    reason: &str,
    raw: &str,
) {
    summary.rejected += 1;
    if summary.rejections.len() < 10 {
        summary
            .rejections
            .push((line, column.to_string(), reason.to_string()));
    }
    quarantine.push_str(&format!(
        "{},{line},{},{},{}\n",
        csv_cell(file),
        csv_cell(column),
        csv_cell(reason),
        csv_cell(raw)
    ));
}

struct CountingReader<'a, R> {
    inner: R,
    count: u64,
    total: u64,
    reporter: &'a dyn Reporter,
    last_report: u64,
}

impl<R: std::io::Read> std::io::Read for CountingReader<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buffer)?;
        self.count += n as u64;
        if self.count - self.last_report > (1 << 20) || n == 0 {
            self.last_report = self.count;
            self.reporter
                .progress(self.count.min(self.total), self.total);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert_eq!(
            detect_delimiter(&[
                "Namn;Belopp;Datum",
                "A;1 234,50;2026-01-02",
                "B;5,00;2026-01-03"
            ]),
            b';'
        );
        assert_eq!(detect_delimiter(&["a,b,c", "1,2,3"]), b',');
        assert_eq!(
            detect_delimiter(&["Report title", "a\tb\tc", "1\t2,5\t3"]),
            b'\t'
        );
        assert_eq!(
            detect_decimal_comma(&["1 234,50".into(), "5,00".into()]),
            Some(true)
        );
        assert_eq!(
            detect_decimal_comma(&["1,234.50".into(), "5.00".into()]),
            Some(false)
        );
        // Quoted thousands separators do not count, and a `|` inside names does not win.
        let google = [
            "Day,Campaign,Cost,Impr.",
            "2026-01-01,Sök | A,\"1,234.50\",\"1,800\"",
            "2026-01-01,Sök | B,\"829.48\",\"2,000\"",
            "2026-01-02,Sök | A,\"1,000.00\",\"900\"",
        ];
        assert_eq!(detect_delimiter(&google), b',');
        assert_eq!(detect_decimal_comma(&["12".into()]), None);
        assert_eq!(
            detect_date_order(&["26/11/2026".into()]),
            DateOrder::DayFirst
        );
        assert_eq!(
            detect_date_order(&["11/26/2026".into()]),
            DateOrder::MonthFirst
        );
    }
}
