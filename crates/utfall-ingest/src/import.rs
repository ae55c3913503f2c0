//! One import: a file read with a preset into canonical rows, streamed into staged Parquet
//! parts on both cores, committed atomically; rejected rows kept in a quarantine with their
//! row, column and reason.
//!
//! Delimited text and NDJSON are cut into chunks at record boundaries by one thread and read
//! by workers (one a core), each with its own part files; memory is bounded by the chunk size
//! and a row group a worker, whatever the size of the file. JSON API responses, Excel sheets
//! and Parquet files go through the same sink on one thread.

use std::collections::BTreeMap;
use std::io::{Read, Write as _};
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::{channel, sync_channel};

use sha2::{Digest, Sha256};
use utfall_model::catalog::{Catalog, Table};

use crate::parse::{DateOrder, NumberStyle};
use crate::preset::{Plan, PlanError, ReadSettings, header_score};
use crate::store::{DataStore, ImportRecord, StagedTable, Staging, StoreError, TableWriter};
use crate::table::{CellError, Parsed, TableBuilder, TableRows};

/// Reports progress of long work (the binary draws a bar).
pub trait Reporter: Sync {
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
    /// The text encoding, if not to be detected.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    pub dry_run: bool,
}

/// What an import found and did.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    pub file: String,
    pub sha256: String,
    /// `csv`, `ndjson`, `json`, `xlsx` or `parquet`, and a layout where it has one.
    pub format: String,
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
    #[error("`{file}`: {message}")]
    Format { file: String, message: String },
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
    Ok(hex(&hasher.finalize()))
}

/// Bytes as lower-case hexadecimal (how digests are written).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A reader that hashes what passes through it.
struct HashingReader<'a, R> {
    inner: R,
    hasher: Option<&'a std::sync::Mutex<Sha256>>,
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buffer)?;
        if let Some(hasher) = self.hasher
            && let Ok(mut hasher) = hasher.lock()
        {
            hasher.update(&buffer[..n]);
        }
        Ok(n)
    }
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

/// Rows that are not data: totals, blank lines, and the footer Salesforce writes under a
/// report ("Generated By:", the copyright line, "Confidential Information").
fn is_total_row(record: &csv::StringRecord) -> bool {
    let first = record.get(0).unwrap_or("").trim_start().as_bytes();
    let starts = |prefix: &str| {
        first.len() >= prefix.len() && first[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    let filled = || record.iter().filter(|c| !c.trim().is_empty());
    starts("total")
        || starts("summa")
        || starts("generated by")
        || starts("confidential information")
        || filled().next().is_none()
        || (filled().take(3).count() <= 2
            && record.iter().any(|c| c.contains("salesforce.com, inc.")))
}

/// The kind of file, from its name and the preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Delimited,
    Ndjson,
    Json,
    Xlsx,
    Parquet,
}

fn kind_of(path: &Path, preset: &str) -> Kind {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => Kind::Xlsx,
        "parquet" => Kind::Parquet,
        "ndjson" | "jsonl" => Kind::Ndjson,
        "json" if preset == "ga4-bigquery" => Kind::Ndjson,
        "json" => Kind::Json,
        _ => Kind::Delimited,
    }
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
    let size = std::fs::metadata(path).map_err(read_error)?.len();
    let kind = kind_of(path, &options.preset);
    let mut summary = ImportSummary {
        file: file_name.clone(),
        ..ImportSummary::default()
    };
    let manifest = store.manifest()?;
    // The file's SHA-256 says whether it was imported before. Streamed text is hashed as it
    // is read, unless an earlier import of the preset had the same size (then first).
    let streamed = matches!(kind, Kind::Delimited)
        || (matches!(kind, Kind::Ndjson) && options.preset == "ga4-bigquery");
    let maybe_seen = manifest
        .imports
        .iter()
        .any(|i| i.preset == options.preset && i.size.is_none_or(|s| s == size));
    if !streamed || maybe_seen {
        summary.sha256 = sha256_of(path).map_err(read_error)?;
        if manifest
            .imports
            .iter()
            .any(|i| i.sha256 == summary.sha256 && i.preset == options.preset)
        {
            summary.already_imported = true;
            return Ok(summary);
        }
    }
    let now = jiff::Timestamp::now();
    let id = format!(
        "{}-{:x}{:08x}",
        now.as_second(),
        std::process::id(),
        now.subsec_nanosecond()
    );
    let hasher = summary
        .sha256
        .is_empty()
        .then(|| std::sync::Mutex::new(Sha256::new()));
    let staging = if options.dry_run {
        None
    } else {
        Some(store.stage(&id)?)
    };
    let context = Context {
        path,
        options,
        catalog,
        reporter,
        staging: staging.as_ref(),
        hasher: hasher.as_ref(),
    };
    let outcome = match kind {
        Kind::Delimited => context.delimited(&mut summary),
        Kind::Ndjson if options.preset == "ga4-bigquery" => context.ga4_lines(&mut summary),
        Kind::Parquet if options.preset == "ga4-bigquery" => context.ga4_parquet(&mut summary),
        Kind::Ndjson | Kind::Json => context.json(&mut summary),
        Kind::Xlsx => context.xlsx(&mut summary),
        Kind::Parquet => context.parquet(&mut summary),
    }?;
    summary.imported = summary.read - summary.rejected - summary.skipped;
    if let Some(hasher) = hasher {
        summary.sha256 = hex(&hasher.into_inner().map_err(|_| poisoned())?.finalize());
    }
    let Some(staging) = staging else {
        return Ok(summary);
    };
    let record = ImportRecord {
        id,
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
        size: Some(size),
    };
    let quarantine = (summary.rejected > 0).then(|| staging.path(QUARANTINE_FILE));
    let counts = store.commit(staging, outcome, quarantine, record)?;
    summary.duplicates = counts.iter().map(|c| c.duplicates).sum();
    summary.quarantine = store
        .manifest()?
        .imports
        .last()
        .and_then(|i| i.quarantine.clone());
    Ok(summary)
}

const QUARANTINE_FILE: &str = "quarantine.csv";
const QUARANTINE_HEADER: &str = "file,line,column,reason,record\n";
/// Bytes of text a chunk holds.
const CHUNK_BYTES: usize = 8 << 20;
/// A record longer than this (an unclosed quote, most likely) is cut at a line end.
const MAX_RECORD_BYTES: usize = 64 << 20;
/// Records read into one batch on the single-threaded paths.
const BATCH_RECORDS: usize = 64 * 1024;

/// Everything an import's readers share.
struct Context<'a> {
    path: &'a Path,
    options: &'a ImportOptions,
    catalog: &'a Catalog,
    reporter: &'a dyn Reporter,
    staging: Option<&'a Staging>,
    /// Set when the file is hashed as it is read.
    hasher: Option<&'a std::sync::Mutex<Sha256>>,
}

/// A piece of the input: the text of whole records and the line its first one starts on.
struct Chunk {
    seq: u64,
    start_line: u64,
    bytes: Vec<u8>,
}

/// What a chunk's records came to.
#[derive(Debug, Default)]
struct ChunkResult {
    seq: u64,
    read: u64,
    rejected: u64,
    skipped: u64,
    rejections: Vec<(u64, String, String)>,
    preview: Vec<Vec<String>>,
    quarantine: String,
}

/// A worker's rows: builders per table, flushed to the worker's part files after each chunk.
struct Sink {
    file: String,
    builders: Vec<TableBuilder>,
    writers: Option<Vec<TableWriter>>,
    result: ChunkResult,
}

impl Sink {
    fn new(file: &str, tables: &[Table], staging: Option<&Staging>) -> Sink {
        Sink {
            file: file.to_string(),
            builders: tables.iter().map(TableBuilder::new).collect(),
            writers: staging.map(|s| tables.iter().map(|t| s.writer(t)).collect()),
            result: ChunkResult::default(),
        }
    }

    fn begin(&mut self, seq: u64) {
        self.result = ChunkResult {
            seq,
            ..ChunkResult::default()
        };
    }

    /// One record's rows for each table (`None`: skipped on purpose), or why it was rejected.
    /// A record lands whole or not at all.
    fn accept(
        &mut self,
        line: u64,
        rows: Result<Option<TableRows>, CellError>,
        raw: impl FnOnce() -> String,
    ) {
        self.result.read += 1;
        let checked = rows.and_then(|rows| {
            if let Some(tables) = &rows {
                for (rows, builder) in tables.iter().zip(&self.builders) {
                    rows.iter().try_for_each(|row| builder.check(row))?;
                }
            }
            Ok(rows)
        });
        match checked {
            Ok(None) => self.result.skipped += 1,
            Ok(Some(tables)) => {
                for (rows, builder) in tables.into_iter().zip(&mut self.builders) {
                    for row in rows {
                        builder.push(row);
                    }
                }
            }
            Err(error) => self.reject(line, &error.column, &error.reason, &raw()),
        }
    }

    /// One record read by a direct plan into the main table.
    fn accept_direct(
        &mut self,
        line: u64,
        row: Result<Vec<Parsed<'_>>, CellError>,
        raw: impl FnOnce() -> String,
    ) {
        self.result.read += 1;
        match row {
            Ok(row) => self.builders[0].push_parsed(&row),
            Err(error) => self.reject(line, &error.column, &error.reason, &raw()),
        }
    }

    fn reject(&mut self, line: u64, column: &str, reason: &str, raw: &str) {
        let result = &mut self.result;
        result.rejected += 1;
        if result.rejections.len() < 10 {
            result
                .rejections
                .push((line, column.to_string(), reason.to_string()));
        }
        // Kept as read, but for e-mail addresses, which are never stored.
        result.quarantine.push_str(&format!(
            "{},{line},{},{},{}\n",
            csv_cell(&self.file),
            csv_cell(column),
            csv_cell(&crate::preset::mask_emails(reason)),
            csv_cell(&crate::preset::mask_emails(raw))
        ));
    }

    fn preview(&mut self, cells: impl FnOnce() -> Vec<String>) {
        if self.result.preview.len() < 5 {
            self.result.preview.push(cells());
        }
    }

    /// Writes the chunk's rows; their order in the import is the chunk's (after every row
    /// already stored, which have order 0).
    fn end(&mut self) -> Result<ChunkResult, StoreError> {
        let order = (self.result.seq + 1) << 32;
        for (i, builder) in self.builders.iter_mut().enumerate() {
            let batch = builder.finish();
            if let Some(writers) = &mut self.writers {
                writers[i].write(&batch, order)?;
            }
        }
        Ok(std::mem::take(&mut self.result))
    }

    fn finish(self) -> Result<Vec<StagedTable>, StoreError> {
        self.writers
            .into_iter()
            .flatten()
            .map(TableWriter::finish)
            .collect()
    }
}

/// Where the last complete record of `bytes` ends (after its line feed), reading quotes as a
/// CSV reader does: a quote opens a quoted field only at the start of a field, and `""` inside
/// one is a quote. 0 if no record is complete.
pub fn record_boundary(bytes: &[u8], delimiter: u8) -> usize {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut boundary = 0;
    for (i, &b) in bytes.iter().enumerate() {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::FieldStart, b'"') | (State::QuoteInQuoted, b'"') => State::Quoted,
            (_, b'\n') => {
                boundary = i + 1;
                State::FieldStart
            }
            // A lone carriage return ends a record too (as the CSV reader reads it); the cut
            // is made at line feeds only.
            (_, b'\r') => State::FieldStart,
            (_, b) if b == delimiter => State::FieldStart,
            (State::FieldStart | State::QuoteInQuoted | State::Unquoted, _) => State::Unquoted,
        };
    }
    boundary
}

fn line_boundary(bytes: &[u8]) -> usize {
    bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
}

/// Collects the chunks' results in order: counts, the first rejections and rows, and the
/// quarantine, written as it comes.
struct Collector<'a> {
    summary: &'a mut ImportSummary,
    pending: BTreeMap<u64, ChunkResult>,
    next: u64,
    quarantine: Option<std::io::BufWriter<std::fs::File>>,
    quarantine_path: Option<std::path::PathBuf>,
}

impl Collector<'_> {
    fn add(&mut self, result: ChunkResult) -> Result<(), ImportError> {
        self.pending.insert(result.seq, result);
        while let Some(result) = self.pending.remove(&self.next) {
            self.next += 1;
            let summary = &mut *self.summary;
            summary.read += result.read;
            summary.rejected += result.rejected;
            summary.skipped += result.skipped;
            let room = 10usize.saturating_sub(summary.rejections.len());
            summary
                .rejections
                .extend(result.rejections.into_iter().take(room));
            let room = 5usize.saturating_sub(summary.preview.len());
            summary
                .preview
                .extend(result.preview.into_iter().take(room));
            if !result.quarantine.is_empty()
                && let Some(path) = &self.quarantine_path
            {
                if self.quarantine.is_none() {
                    let mut file =
                        std::fs::File::create(path).map_err(|source| StoreError::Io {
                            action: "create",
                            path: path.clone(),
                            source,
                        })?;
                    file.write_all(QUARANTINE_HEADER.as_bytes())
                        .map_err(|source| write_error(path, source))?;
                    self.quarantine = Some(std::io::BufWriter::new(file));
                }
                if let Some(out) = &mut self.quarantine {
                    out.write_all(result.quarantine.as_bytes())
                        .map_err(|source| write_error(path, source))?;
                }
            }
        }
        Ok(())
    }

    fn close(self) -> Result<(), ImportError> {
        if let (Some(mut out), Some(path)) = (self.quarantine, self.quarantine_path) {
            out.flush().map_err(|source| write_error(&path, source))?;
        }
        Ok(())
    }
}

fn write_error(path: &Path, source: std::io::Error) -> ImportError {
    ImportError::Store(StoreError::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    })
}

impl Context<'_> {
    fn file(&self) -> String {
        self.path.display().to_string()
    }

    /// The file as UTF-8 text, in the encoding given or detected, hashed as it is read.
    fn open(
        &self,
    ) -> Result<
        (
            crate::decode::DecodingReader<HashingReader<'_, std::fs::File>>,
            &'static str,
        ),
        ImportError,
    > {
        let file = std::fs::File::open(self.path).map_err(self.read_error())?;
        let reader = HashingReader {
            inner: file,
            hasher: self.hasher,
        };
        crate::decode::open_reader(reader, self.options.encoding).map_err(self.read_error())
    }

    fn read_error(&self) -> impl FnOnce(std::io::Error) -> ImportError + '_ {
        move |source| ImportError::Read {
            file: self.file(),
            source,
        }
    }

    fn collector<'s>(&self, summary: &'s mut ImportSummary) -> Collector<'s> {
        Collector {
            summary,
            pending: BTreeMap::new(),
            next: 0,
            quarantine: None,
            quarantine_path: self.staging.map(|s| s.path(QUARANTINE_FILE)),
        }
    }

    /// Cuts `reader` into chunks of whole records and has workers (one a core) turn them into
    /// rows with `process`. Returns the staged tables.
    #[allow(clippy::too_many_arguments)]
    fn parallel<R: Read>(
        &self,
        reader: R,
        start_line: u64,
        total: u64,
        tables: &[Table],
        boundary: &(dyn Fn(&[u8]) -> usize + Sync),
        process: &(dyn Fn(&mut Sink, &Chunk) + Sync),
        summary: &mut ImportSummary,
    ) -> Result<Vec<StagedTable>, ImportError> {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
        let mut reader = CountingReader {
            inner: reader,
            count: 0,
            total,
            reporter: self.reporter,
            last_report: 0,
        };
        let file = self.file();
        let mut collector = self.collector(summary);
        let (chunks_in, chunks_out) = sync_channel::<Chunk>(workers * 2);
        let chunks_out = Mutex::new(chunks_out);
        let (results_in, results_out) = channel::<ChunkResult>();
        std::thread::scope(|scope| -> Result<Vec<StagedTable>, ImportError> {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    let results_in = results_in.clone();
                    let chunks_out = &chunks_out;
                    let file = &file;
                    scope.spawn(move || -> Result<Vec<StagedTable>, StoreError> {
                        let mut sink = Sink::new(file, tables, self.staging);
                        loop {
                            let next = chunks_out.lock().map_err(|_| poisoned())?.recv();
                            let Ok(chunk) = next else { break };
                            sink.begin(chunk.seq);
                            process(&mut sink, &chunk);
                            if results_in.send(sink.end()?).is_err() {
                                break;
                            }
                        }
                        sink.finish()
                    })
                })
                .collect();
            drop(results_in);
            let mut buffer: Vec<u8> = Vec::with_capacity(CHUNK_BYTES * 2);
            let (mut seq, mut line) = (0u64, start_line);
            let mut failed = None;
            loop {
                let mut eof = false;
                while buffer.len() < CHUNK_BYTES {
                    let start = buffer.len();
                    buffer.resize(start + (64 << 10), 0);
                    match reader.read(&mut buffer[start..]) {
                        Ok(0) => {
                            buffer.truncate(start);
                            eof = true;
                            break;
                        }
                        Ok(n) => buffer.truncate(start + n),
                        Err(error) => {
                            buffer.truncate(start);
                            failed = Some(ImportError::Read {
                                file: file.clone(),
                                source: error,
                            });
                            eof = true;
                            break;
                        }
                    }
                }
                let mut cut = if eof { buffer.len() } else { boundary(&buffer) };
                if cut == 0 && buffer.len() > MAX_RECORD_BYTES {
                    cut = line_boundary(&buffer).max(buffer.len());
                }
                if cut > 0 {
                    let rest = buffer.split_off(cut);
                    let bytes = std::mem::replace(&mut buffer, rest);
                    let newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
                    let chunk = Chunk {
                        seq,
                        start_line: line,
                        bytes,
                    };
                    if chunks_in.send(chunk).is_err() {
                        break;
                    }
                    seq += 1;
                    line += newlines;
                }
                while let Ok(result) = results_out.try_recv() {
                    collector.add(result)?;
                }
                if eof {
                    break;
                }
            }
            drop(chunks_in);
            for result in results_out.iter() {
                collector.add(result)?;
            }
            let mut staged = Vec::new();
            for handle in handles {
                staged.extend(handle.join().map_err(|_| poisoned())??);
            }
            if let Some(error) = failed {
                return Err(error);
            }
            collector.close()?;
            Ok(staged)
        })
    }

    /// Single-threaded: records already in memory, in batches.
    fn sequential(
        &self,
        tables: &[Table],
        records: impl Iterator<Item = (u64, Result<Option<TableRows>, CellError>, String)>,
        summary: &mut ImportSummary,
        preview: bool,
    ) -> Result<Vec<StagedTable>, ImportError> {
        let file = self.file();
        let mut collector = self.collector(summary);
        let mut sink = Sink::new(&file, tables, self.staging);
        let mut seq = 0;
        sink.begin(seq);
        let mut in_batch = 0;
        for (line, rows, raw) in records {
            if preview {
                sink.preview(|| vec![raw.chars().take(120).collect()]);
            }
            sink.accept(line, rows, || raw);
            in_batch += 1;
            if in_batch == BATCH_RECORDS {
                collector.add(sink.end()?)?;
                seq += 1;
                sink.begin(seq);
                in_batch = 0;
            }
        }
        collector.add(sink.end()?)?;
        collector.close()?;
        Ok(sink.finish()?)
    }

    /// How values are read, from the options and what the sample shows.
    fn settings(
        &self,
        delimiter: u8,
        sample: &[String],
        summary: &mut ImportSummary,
    ) -> ReadSettings {
        // A comma-separated file writes decimals with a point; otherwise the sample decides,
        // and without evidence a `;` or tab file is taken to be Swedish.
        let decimal_comma = self
            .options
            .decimal_comma
            .unwrap_or_else(|| delimiter != b',' && detect_decimal_comma(sample).unwrap_or(true));
        let date_order = self
            .options
            .date_order
            .unwrap_or_else(|| detect_date_order(sample));
        summary.decimal_comma = decimal_comma;
        summary.day_first = date_order == DateOrder::DayFirst;
        ReadSettings {
            currency: self.options.currency.clone(),
            time_zone: self.options.time_zone.clone(),
            date_order,
            number_style: NumberStyle { decimal_comma },
        }
    }

    fn plan(&self, header: &[String]) -> Result<Plan, ImportError> {
        Plan::new(
            &self.options.preset,
            header,
            &self.options.mapping,
            self.options.table.as_deref(),
            self.catalog,
        )
        .map_err(|source| ImportError::Plan {
            file: self.file(),
            source,
        })
    }

    /// Delimited text: CSV, TSV, `;`-separated, in any supported encoding.
    fn delimited(&self, summary: &mut ImportSummary) -> Result<Vec<StagedTable>, ImportError> {
        let (mut text, encoding) = self.open()?;
        summary.format = "csv".into();
        summary.encoding = encoding.to_string();
        // The first lines: delimiter, header line, number and date conventions.
        let mut head_bytes: Vec<u8> = Vec::new();
        let mut block = vec![0u8; 64 << 10];
        while head_bytes.iter().filter(|&&b| b == b'\n').count() < 30 {
            let n = text.read(&mut block).map_err(self.read_error())?;
            if n == 0 {
                break;
            }
            head_bytes.extend_from_slice(&block[..n]);
        }
        let head = String::from_utf8_lossy(&head_bytes).into_owned();
        let lines: Vec<&str> = head.lines().take(30).collect();
        let delimiter = self
            .options
            .delimiter
            .unwrap_or_else(|| detect_delimiter(&lines[..lines.len().min(12)]));
        summary.delimiter = char::from(delimiter);
        let head_records: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(head_bytes.as_slice())
            .records()
            .take(12)
            .map_while(Result::ok)
            .map(|r| r.iter().map(str::to_string).collect())
            .collect();
        // A wide export does not name its survey: `--map survey_id=NAME`, else the file's name.
        let survey_id = self
            .options
            .mapping
            .get("survey_id")
            .cloned()
            .unwrap_or_else(|| {
                self.path
                    .file_stem()
                    .map_or("survey".into(), |s| s.to_string_lossy().into_owned())
            });
        let wide = (self.options.preset == "survey")
            .then(|| crate::survey::Wide::detect(&head_records, &survey_id))
            .flatten();
        let header_index = match &wide {
            Some(wide) => wide.header_rows - 1,
            None => (0..head_records.len().min(10))
                .map(|i| (header_score(&self.options.preset, &head_records[i]), i))
                .filter(|(score, _)| *score > 0)
                .max_by_key(|(score, i)| (*score, std::cmp::Reverse(*i)))
                .map_or(0, |(_, i)| i),
        };
        summary.header_line = header_index + 1;
        let sample: Vec<String> = head_records
            .iter()
            .skip(header_index + 1)
            .flatten()
            .cloned()
            .collect();
        let settings = self.settings(delimiter, &sample, summary);
        let header = head_records.get(header_index).cloned().unwrap_or_default();
        let plan = match wide {
            Some(wide) => {
                summary.format = format!("csv ({})", wide.layout.name());
                Plan::survey_wide(wide, &self.options.mapping, self.catalog).map_err(|source| {
                    ImportError::Plan {
                        file: self.file(),
                        source,
                    }
                })?
            }
            None => self.plan(&header)?,
        };
        summary.tables = plan.tables.iter().map(|t| t.name.clone()).collect();
        summary.mapping = plan.describe();

        // Where the data starts: after the header's record, as a CSV reader counts.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(head_bytes.as_slice());
        let mut record = csv::ByteRecord::new();
        for _ in 0..=header_index {
            if !reader.read_byte_record(&mut record).unwrap_or(false) {
                break;
            }
        }
        let position = reader.position().clone();
        let offset = (position.byte() as usize).min(head_bytes.len());
        let data = std::io::Cursor::new(head_bytes.split_off(offset)).chain(text);
        let separator = char::from(delimiter).to_string();
        let direct = plan.is_direct();
        let process = |sink: &mut Sink, chunk: &Chunk| {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .delimiter(delimiter)
                .flexible(true)
                .from_reader(chunk.bytes.as_slice());
            let mut bytes = csv::ByteRecord::new();
            loop {
                match reader.read_byte_record(&mut bytes) {
                    Ok(false) => break,
                    Ok(true) => {
                        let line = chunk.start_line + bytes.position().map_or(1, |p| p.line()) - 1;
                        let record = match csv::StringRecord::from_byte_record(bytes) {
                            Ok(record) => record,
                            Err(error) => {
                                // Kept as read, with the bytes that are not UTF-8 replaced.
                                let record = error.into_byte_record();
                                let raw: Vec<String> = record
                                    .iter()
                                    .map(|c| String::from_utf8_lossy(c).into_owned())
                                    .collect();
                                let column = record
                                    .iter()
                                    .position(|c| std::str::from_utf8(c).is_err())
                                    .and_then(|i| header.get(i).cloned())
                                    .unwrap_or_default();
                                sink.result.read += 1;
                                sink.reject(
                                    line,
                                    &column,
                                    "not valid UTF-8; save the file as UTF-8 or name its encoding with `--encoding`",
                                    &raw.join(&separator),
                                );
                                bytes = record;
                                continue;
                            }
                        };
                        if is_total_row(&record) {
                            bytes = record.into_byte_record();
                            continue;
                        }
                        sink.preview(|| record.iter().map(str::to_string).collect());
                        let raw = || record.iter().collect::<Vec<_>>().join(&separator);
                        if direct {
                            sink.accept_direct(line, plan.direct_row(&record, &settings), raw);
                        } else {
                            let cells: Vec<&str> = record.iter().collect();
                            sink.accept(line, plan.rows(&cells, &settings), raw);
                        }
                        bytes = record.into_byte_record();
                    }
                    Err(error) => {
                        let line =
                            chunk.start_line + error.position().map_or(1, |p| p.line()).max(1) - 1;
                        sink.result.read += 1;
                        sink.reject(line, "", &format!("unreadable row: {error}"), "");
                    }
                }
            }
        };
        // Without a quote in the chunk, every line feed ends a record.
        let boundary = |bytes: &[u8]| {
            if bytes.contains(&b'"') {
                record_boundary(bytes, delimiter)
            } else {
                line_boundary(bytes)
            }
        };
        let total = std::fs::metadata(self.path).map_or(0, |m| m.len());
        self.parallel(
            data,
            position.line(),
            total,
            &plan.tables,
            &boundary,
            &process,
            summary,
        )
    }

    fn ga4_tables(&self) -> Vec<Table> {
        ["web_events", "touchpoints", "identities"]
            .iter()
            .filter_map(|name| self.catalog.table(name).cloned())
            .collect()
    }

    /// GA4's BigQuery export as newline-delimited JSON (`bq extract` form): one event a line.
    fn ga4_lines(&self, summary: &mut ImportSummary) -> Result<Vec<StagedTable>, ImportError> {
        let (text, encoding) = self.open()?;
        summary.format = "ndjson".into();
        summary.encoding = encoding.to_string();
        let total = std::fs::metadata(self.path).map_or(0, |m| m.len());
        self.ga4_events(text, total, summary)
    }

    /// GA4's BigQuery export as Parquet (what `bq extract --destination_format=PARQUET` or
    /// an export through Cloud Storage writes): the same nested columns, each row turned into
    /// a JSON line as it is read, then read as the NDJSON export is, on every core.
    fn ga4_parquet(&self, summary: &mut ImportSummary) -> Result<Vec<StagedTable>, ImportError> {
        summary.format = "parquet".into();
        let lines =
            crate::ga4::ParquetLines::open(self.path).map_err(|message| ImportError::Format {
                file: self.file(),
                message,
            })?;
        // The JSON is larger than the file: no byte count to show progress by.
        self.ga4_events(lines, 0, summary)
    }

    /// GA4 events, one JSON object a line, into web events, touchpoints and identities.
    fn ga4_events(
        &self,
        lines: impl Read,
        total: u64,
        summary: &mut ImportSummary,
    ) -> Result<Vec<StagedTable>, ImportError> {
        let tables = self.ga4_tables();
        summary.tables = tables.iter().map(|t| t.name.clone()).collect();
        summary.mapping = crate::ga4::describe();
        let key_events = crate::ga4::default_key_events();
        let zone = &self.options.time_zone;
        let process = |sink: &mut Sink, chunk: &Chunk| {
            let text = String::from_utf8_lossy(&chunk.bytes);
            for (index, line) in text.split('\n').enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                sink.preview(|| vec![line.chars().take(120).collect()]);
                let rows =
                    crate::ga4::rows(line, &key_events, zone).map(|rows| rows.map(ga4_tables_rows));
                sink.accept(chunk.start_line + index as u64, rows, || line.to_string());
            }
        };
        self.parallel(lines, 1, total, &tables, &line_boundary, &process, summary)
    }

    /// Records from a header and rows of text cells (JSON API responses, Excel, Parquet).
    fn tabular(
        &self,
        header: &[String],
        rows: impl Iterator<Item = (u64, Vec<String>)>,
        settings: &ReadSettings,
        summary: &mut ImportSummary,
    ) -> Result<Vec<StagedTable>, ImportError> {
        let plan = self.plan(header)?;
        summary.tables = plan.tables.iter().map(|t| t.name.clone()).collect();
        summary.mapping = plan.describe();
        let mut previews = Vec::new();
        let records = rows.map(|(line, cells)| {
            if previews.len() < 5 {
                previews.push(cells.clone());
            }
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            let rows = plan.rows(&refs, settings);
            (line, rows, cells.join(","))
        });
        let staged = self.sequential(&plan.tables, records, summary, false)?;
        summary.preview = previews;
        Ok(staged)
    }

    /// JSON API responses: one response, an array of them, or one a line.
    fn json(&self, summary: &mut ImportSummary) -> Result<Vec<StagedTable>, ImportError> {
        let (mut text, encoding) = self.open()?;
        summary.format = "json".into();
        summary.encoding = encoding.to_string();
        let mut body = String::new();
        text.read_to_string(&mut body).map_err(self.read_error())?;
        if self.options.preset == "ga4-data-api" {
            summary.format = "json (GA4 runReport)".into();
            let tables: Vec<Table> = self
                .catalog
                .table("observations")
                .cloned()
                .into_iter()
                .collect();
            summary.tables = vec!["observations".into()];
            summary.mapping = vec![
                ("metric".into(), "`ga4_` + each metricHeaders name".into()),
                ("date".into(), "the `date` dimension (YYYYMMDD)".into()),
                (
                    "value / unit".into(),
                    "the metric's value, read by its metricHeaders type".into(),
                ),
                (
                    "dimension / dimension_value".into(),
                    "the other dimensions, joined".into(),
                ),
            ];
            let rows = crate::json::run_report(&body).map_err(|message| ImportError::Format {
                file: self.file(),
                message,
            })?;
            let records = rows
                .into_iter()
                .map(|(n, rows, raw)| (n, rows.map(Some), raw));
            return self.sequential(&tables, records, summary, true);
        }
        let records = crate::json::records(&body).map_err(|message| ImportError::Format {
            file: self.file(),
            message,
        })?;
        summary.format = format!("json ({})", records.layout);
        // Pipedrive's API writes times in UTC without saying so.
        let time_zone = if self.options.preset == "pipedrive-deals" {
            jiff::tz::TimeZone::UTC
        } else {
            self.options.time_zone.clone()
        };
        let settings = ReadSettings {
            currency: self.options.currency.clone(),
            time_zone,
            date_order: DateOrder::DayFirst,
            number_style: NumberStyle {
                decimal_comma: false,
            },
        };
        summary.day_first = true;
        self.tabular(
            &records.header,
            records.rows.into_iter(),
            &settings,
            summary,
        )
    }

    /// An Excel workbook (or OpenDocument sheet): the first sheet with a header the preset
    /// knows, else the first sheet.
    fn xlsx(&self, summary: &mut ImportSummary) -> Result<Vec<StagedTable>, ImportError> {
        summary.format = "xlsx".into();
        let sheet = crate::sheet::read(self.path, &self.options.preset).map_err(|message| {
            ImportError::Format {
                file: self.file(),
                message,
            }
        })?;
        summary.format = format!("xlsx (sheet `{}`)", sheet.name);
        summary.header_line = sheet.header_row;
        let settings = ReadSettings {
            currency: self.options.currency.clone(),
            time_zone: self.options.time_zone.clone(),
            date_order: self.options.date_order.unwrap_or(DateOrder::DayFirst),
            number_style: NumberStyle {
                decimal_comma: false,
            },
        };
        summary.day_first = settings.date_order == DateOrder::DayFirst;
        self.tabular(&sheet.header, sheet.rows.into_iter(), &settings, summary)
    }

    /// Any Parquet file, its columns by name (the `generic` preset and mappings).
    fn parquet(&self, summary: &mut ImportSummary) -> Result<Vec<StagedTable>, ImportError> {
        summary.format = "parquet".into();
        let (header, rows) =
            crate::sheet::parquet_rows(self.path).map_err(|message| ImportError::Format {
                file: self.file(),
                message,
            })?;
        let settings = ReadSettings {
            currency: self.options.currency.clone(),
            time_zone: self.options.time_zone.clone(),
            date_order: DateOrder::DayFirst,
            number_style: NumberStyle {
                decimal_comma: false,
            },
        };
        let mut failure = None;
        let rows = rows.map_while(|row| match row {
            Ok(row) => Some(row),
            Err(message) => {
                failure = Some(message);
                None
            }
        });
        let staged = self.tabular(&header, rows, &settings, summary)?;
        if let Some(message) = failure {
            return Err(ImportError::Format {
                file: self.file(),
                message,
            });
        }
        Ok(staged)
    }
}

/// GA4's rows in the order of [`Context::ga4_tables`]: the event, its session's touchpoint,
/// and the identity its `user_id` makes.
fn ga4_tables_rows(rows: crate::ga4::EventRows) -> TableRows {
    vec![
        vec![rows.event],
        rows.touch.into_iter().collect(),
        rows.identity.into_iter().collect(),
    ]
}

fn poisoned() -> StoreError {
    StoreError::Corrupt {
        path: std::path::PathBuf::from("<import>"),
        reason: "a worker thread panicked".into(),
    }
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

struct CountingReader<'a, R> {
    inner: R,
    count: u64,
    total: u64,
    reporter: &'a dyn Reporter,
    last_report: u64,
}

impl<R: Read> Read for CountingReader<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buffer)?;
        self.count += n as u64;
        if self.total > 0 && (self.count - self.last_report > (1 << 20) || n == 0) {
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
    fn chunk_cuts() {
        // A quoted field with a line feed inside is not cut.
        assert_eq!(record_boundary(b"a,\"x\ny\"\nb,c", b','), 8);
        // A quote inside an unquoted field is a plain character.
        assert_eq!(record_boundary(b"5\" screen,1\n7\" tab", b','), 12);
        // `a` ends at a lone CR; the quote after it opens a field that spans the next line feed.
        assert_eq!(record_boundary(b"a\r\"x\ny\"\nz", b','), 8);
        assert_eq!(
            record_boundary(b"a\r\"x\ny", b','),
            0,
            "the line feed is quoted"
        );
        assert_eq!(record_boundary(b"no end", b','), 0);
    }

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
