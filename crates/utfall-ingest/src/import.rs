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
use utfall_model::kinds::Preset;

use crate::parse::{DateOrder, NumberStyle, OrderEvidence, OrderVotes};
use crate::preset::{Plan, PlanError, PlanInput, ReadSettings, header_score};
use crate::store::{DataStore, ImportRecord, StagedTable, Staging, StoreError, TableWriter};
use crate::table::{CellError, Parsed, Row, TableBuilder, TableRows, Value};

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
    /// The preset the file is read with (`google-ads`, `generic`, …), as the user wrote it:
    /// [`import_file`] parses it once into a [`Preset`] before it reads the file, and refuses a
    /// name no preset has (`unknown preset`, with a hint to `--list-presets`).
    pub preset: String,
    /// Source column → target column, overriding the preset's labels.
    pub mapping: BTreeMap<String, String>,
    /// For `generic`: the table to fill.
    pub table: Option<String>,
    /// Target column → a value for every row (`--set platform=meta`).
    pub constants: BTreeMap<String, String>,
    /// The currency of amounts the file does not name one for (`--currency`, or the
    /// source's `currency`); without it such a file is refused.
    pub currency: Option<String>,
    /// The workspace's currency: what an ambiguous sign (`kr`, `$`) means when it is one of its
    /// currencies.
    pub workspace_currency: String,
    /// The time zone of times written without an offset.
    pub time_zone: jiff::tz::TimeZone,
    /// The delimiter, if not to be detected.
    pub delimiter: Option<u8>,
    /// Whether decimals are written with a comma, if not to be detected.
    pub decimal_comma: Option<bool>,
    /// The order of day and month, if the user named it; else decided from the file.
    pub date_order: Option<DateOrder>,
    /// The order to read dates by when the file does not decide it (the workspace's locale).
    pub default_date_order: DateOrder,
    /// The text encoding, if not to be detected.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Read and report, but store nothing.
    pub dry_run: bool,
}

impl ImportOptions {
    /// Options that read the file with `preset` in a workspace of `workspace_currency` and
    /// `time_zone`, and detect everything else: no mapping, table or constants, no currency for
    /// amounts that name none, the delimiter, decimal mark, encoding and date order from the
    /// file (day first where it does not decide), and a real import (not a dry run).
    pub fn new(
        preset: impl Into<String>,
        workspace_currency: impl Into<String>,
        time_zone: jiff::tz::TimeZone,
    ) -> ImportOptions {
        ImportOptions {
            preset: preset.into(),
            mapping: BTreeMap::new(),
            table: None,
            constants: BTreeMap::new(),
            currency: None,
            workspace_currency: workspace_currency.into(),
            time_zone,
            delimiter: None,
            decimal_comma: None,
            date_order: None,
            default_date_order: DateOrder::DayFirst,
            encoding: None,
            dry_run: false,
        }
    }
}

/// What an import found and did.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// The file imported, as its path was given.
    pub file: String,
    /// The SHA-256 of the file's bytes, in hex.
    pub sha256: String,
    /// `csv`, `ndjson`, `json`, `xlsx` or `parquet`, and a layout where it has one.
    pub format: String,
    /// The text encoding the file was read in.
    pub encoding: String,
    /// The delimiter of delimited text.
    pub delimiter: char,
    /// Whether decimals were read with a comma.
    pub decimal_comma: bool,
    /// Whether dates were read day first.
    pub day_first: bool,
    /// 1-based line of the header.
    pub header_line: usize,
    /// The tables the rows went to.
    pub tables: Vec<String>,
    /// Target column → where it came from, for people.
    pub mapping: Vec<(String, String)>,
    /// The first rows as read, for `--dry-run`.
    pub preview: Vec<Vec<String>>,
    /// Records read.
    pub read: u64,
    /// Records imported (read, less rejected and skipped).
    pub imported: u64,
    /// Rows that replaced a stored row or an earlier row of the file with the same key.
    pub duplicates: u64,
    /// Rows of earlier imports this one replaced (same natural key: a restatement).
    pub replaced: u64,
    /// Rows summed into an earlier row of the file with the same key (breakdown rows of one
    /// campaign and day).
    pub summed: u64,
    /// Rows that repeat an earlier row of the file exactly (imported once).
    pub identical: u64,
    /// Rows that share a key with an earlier row of the file but differ: the later is kept.
    pub conflicts: u64,
    /// Records rejected, and kept in the quarantine.
    pub rejected: u64,
    /// Rows read and deliberately not imported (GA4 events without ids: consent denied).
    pub skipped: u64,
    /// Up to ten rejections: (line, column, reason).
    pub rejections: Vec<(u64, String, String)>,
    /// The quarantine file of the rejected records, if any were.
    pub quarantine: Option<String>,
    /// Whether the same file was imported with the same preset before (nothing was done).
    pub already_imported: bool,
    /// What the import decided or assumed that a person should know (date order, currency,
    /// periods spread, made ids, conflicts), one sentence each.
    pub notes: Vec<String>,
    /// Columns of the file no canonical column took.
    pub unmapped: Vec<String>,
    /// Warnings: columns that stayed empty although the file has a likely source.
    pub warnings: Vec<String>,
}

/// An import that could not run.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("failed to read `{file}`")]
    Read {
        /// The file's path.
        file: String,
        /// What reading it failed with.
        #[source]
        source: std::io::Error,
    },
    /// The preset does not fit the file.
    #[error("`{file}`: {source}")]
    Plan {
        /// The file's path.
        file: String,
        /// Why the preset does not fit.
        #[source]
        source: PlanError,
    },
    /// The file is not in the format its name or preset says.
    #[error("`{file}`: {message}")]
    Format {
        /// The file's path.
        file: String,
        /// What is wrong with it, for people.
        message: String,
    },
    /// The data folder could not be read or written.
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

/// The delimiter that reads the first records (quoted line breaks and all, as a CSV reader
/// reads them) into the same number of fields, the most of them; ties go to the line-based
/// count of [`detect_delimiter`].
fn detect_delimiter_records(head: &[u8], lines: &[&str]) -> u8 {
    let by_lines = detect_delimiter(lines);
    let mut best = (by_lines, 0usize);
    for candidate in [b';', b'\t', b',', b'|'] {
        let counts: Vec<usize> = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(candidate)
            .flexible(true)
            .comment((head.first() == Some(&b'#')).then_some(b'#'))
            .from_reader(head)
            .records()
            .take(20)
            .map_while(Result::ok)
            .map(|r| r.len())
            .filter(|&n| n > 1)
            .collect();
        // The commonest field count and how many records have it.
        let mut tally: BTreeMap<usize, usize> = BTreeMap::new();
        for n in &counts {
            *tally.entry(*n).or_default() += 1;
        }
        let Some((&fields, &records)) = tally.iter().max_by_key(|(n, c)| (**c, **n)) else {
            continue;
        };
        let score = records * 1000 + fields;
        if score > best.1 || (score == best.1 && candidate == by_lines) {
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

/// Whether numbers are written with a decimal comma, from values that read only one way:
/// `412,30` or `1.234,5` (a comma group of other than three digits, or dots before a comma)
/// against `25.00` or `1,234.5`. `None` when no value tells, or values disagree.
fn decimal_evidence(cells: &[String]) -> Option<bool> {
    let (mut comma, mut point) = (0usize, 0usize);
    for cell in cells {
        // The number inside signs and codes (`US$24.90`, `24,90 kr`, `12 %`), spaces dropped.
        let text: String = cell
            .trim_matches(|c: char| !c.is_ascii_digit())
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
            .collect();
        let text = text.as_str();
        if text.is_empty()
            || !text
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
        {
            continue;
        }
        let (n_commas, n_dots) = (text.matches(',').count(), text.matches('.').count());
        let digits_after = |separator: char| text.rsplit(separator).next().map_or(0, str::len);
        match (n_commas, n_dots) {
            (1, 0) if digits_after(',') != 3 => comma += 1,
            (0, 1) if digits_after('.') != 3 => point += 1,
            (1, d) if d >= 1 && text.rfind(',') > text.rfind('.') => comma += 1,
            (c, 1) if c >= 1 && text.rfind('.') > text.rfind(',') => point += 1,
            _ => {}
        }
    }
    match (comma, point) {
        (0, 0) => None,
        (c, 0) if c > 0 => Some(true),
        (0, p) if p > 0 => Some(false),
        _ => None,
    }
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
fn is_total_row(record: &csv::StringRecord, deep: bool) -> bool {
    let first = record.get(0).unwrap_or("").trim_start().as_bytes();
    let starts = |prefix: &str| {
        first.len() >= prefix.len() && first[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    let filled = || record.iter().filter(|c| !c.trim().is_empty());
    // A total in another of the first cells (Google's keyword report: `Total: All but removed
    // keywords` under Match type), or a cell that is only the word. Checked on every record:
    // no allocation.
    let total_cell = |cell: &str| {
        let cell = cell.trim_start();
        if !matches!(
            cell.as_bytes().first(),
            Some(b't' | b'T' | b'g' | b'G' | b's' | b'S')
        ) {
            return false;
        }
        let cell = cell.trim_end();
        ["total:", "totalt:", "gesamt:"]
            .iter()
            .any(|prefix| starts_with_ignore_case(cell, prefix))
            || ["total", "totals", "grand total", "totalt", "summa"]
                .iter()
                .any(|word| cell.eq_ignore_ascii_case(word))
    };
    // (`deep`: the chunk holds such a word at all; most chunks of a large file do not.)
    (deep
        && (is_no_data_row(record)
            || record.iter().take(4).any(total_cell)
            || record.iter().any(|c| {
                (11..=16).contains(&c.len())
                    && matches!(c.trim_start().as_bytes().first(), Some(b'g' | b'G'))
                    && c.trim().eq_ignore_ascii_case("grand total")
            })))
        || starts("total")
        || starts("grand total")
        || starts("totaal")
        || starts("gesamt")
        || starts("insgesamt")
        || starts("summe")
        || starts("summa")
        || starts("generated by")
        || starts("confidential information")
        || filled().next().is_none()
        || (filled().take(3).count() <= 2
            && record.iter().any(|c| c.contains("salesforce.com, inc.")))
}

/// A report of `"Key:","value"` pairs under a title (Mailchimp's single-campaign report): the
/// keys without their colons and the values without a trailing `(40.86%)`, up to the first
/// section of other rows.
fn key_value_report(records: &[Vec<String>]) -> Option<(Vec<String>, Vec<String>)> {
    let pairs: Vec<(String, String)> = records
        .iter()
        .filter(|r| r.len() == 2 && r[0].trim().ends_with(':'))
        .map(|r| {
            let value = r[1].trim();
            let value = match value.rsplit_once(" (") {
                Some((number, rest)) if rest.ends_with(')') => number,
                _ => value,
            };
            (
                r[0].trim().trim_end_matches(':').to_string(),
                value.to_string(),
            )
        })
        .collect();
    (pairs.len() >= 4).then(|| pairs.into_iter().unzip())
}

/// A vendor's note that an export is empty (Meta: `No data available.`).
fn is_no_data_row(record: &csv::StringRecord) -> bool {
    let mut filled = record.iter().map(str::trim).filter(|c| !c.is_empty());
    let Some(first) = filled.next() else {
        return false;
    };
    if !matches!(
        first.as_bytes().first(),
        Some(b'n' | b'N' | b'i' | b'I' | b'k' | b'K')
    ) {
        return false;
    }
    ["no data", "inga data", "keine daten"]
        .iter()
        .any(|prefix| starts_with_ignore_case(first, prefix))
        && filled.next().is_none()
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= prefix.len() && bytes[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// `2/5/24` or `2/5/24 1:51`: the short date Excel writes under US settings.
fn us_short_date(text: &str) -> bool {
    let date = text.trim().split(' ').next().unwrap_or("");
    let parts: Vec<&str> = date.split('/').collect();
    parts.len() == 3
        && parts[2].len() == 2
        && parts[..2].iter().all(|p| (1..=2).contains(&p.len()))
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether the first rows look like a survey tool's wide export (many long question texts).
fn survey_like(rows: &[Vec<String>]) -> bool {
    rows.first().is_some_and(|r| {
        r.iter()
            .filter(|c| c.ends_with('?') || c.len() > 40)
            .count()
            >= 3
    })
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

fn kind_of(path: &Path, preset: Preset) -> Kind {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => Kind::Xlsx,
        "parquet" => Kind::Parquet,
        "ndjson" | "jsonl" => Kind::Ndjson,
        "json" if preset == Preset::Ga4Bigquery => Kind::Ndjson,
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
    let preset = Preset::parse(&options.preset).ok_or_else(|| ImportError::Plan {
        file: file_name.clone(),
        source: PlanError::UnknownPreset(options.preset.clone()),
    })?;
    let kind = kind_of(path, preset);
    let mut summary = ImportSummary {
        file: file_name.clone(),
        ..ImportSummary::default()
    };
    let manifest = store.manifest()?;
    // The file's SHA-256 says whether it was imported before. Streamed text is hashed as it
    // is read, unless an earlier import of the preset had the same size (then first).
    let streamed = matches!(kind, Kind::Delimited)
        || (matches!(kind, Kind::Ndjson) && preset == Preset::Ga4Bigquery);
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
        store,
        path,
        preset,
        options,
        catalog,
        reporter,
        staging: staging.as_ref(),
        hasher: hasher.as_ref(),
    };
    let outcome = match kind {
        Kind::Delimited => context.delimited(&mut summary),
        Kind::Ndjson if preset == Preset::Ga4Bigquery => context.ga4_lines(&mut summary),
        Kind::Parquet if preset == Preset::Ga4Bigquery => context.ga4_parquet(&mut summary),
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
    summary.replaced = counts.iter().map(|c| c.replaced).sum();
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
    store: &'a DataStore,
    path: &'a Path,
    /// `options.preset`, parsed.
    preset: Preset,
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

/// How the rows of one import that share a table's natural key are combined.
#[derive(Debug)]
enum Combine {
    /// Straight to the table (web events, tables without a key): the merge keeps the later
    /// row of a key and counts the earlier.
    Direct,
    /// Tracked by key: an exact repeat is counted, a differing row reported with its lines.
    Track(Mutex<KeyTrack>),
    /// Summed by key: spend's cost, impressions, clicks and conversions per campaign and day.
    Sum(Mutex<Sums>),
}

#[derive(Debug, Default)]
struct KeyTrack {
    /// Key hash → (line, hash of the whole row).
    seen: std::collections::HashMap<u64, (u64, u64)>,
    identical: u64,
    conflicts: u64,
    /// The first conflicts: (earlier line, later line, key).
    examples: Vec<(u64, u64, String)>,
}

#[derive(Debug, Default)]
struct Sums {
    /// Key → (first line, row).
    rows: std::collections::HashMap<String, (u64, Row)>,
    summed: u64,
    /// Rows of one key whose values do not add up: the later kept.
    conflicts: u64,
}

/// The columns rows of one key add up in (spend's measures, an observation's value).
const SUMMED: &[&str] = &[
    "cost",
    "impressions",
    "clicks",
    "platform_conversions",
    "value",
];

/// Whether an import tracks the keys of a table's rows itself (all but web events, whose
/// files are large and whose merge counts repeats; and tables without a key).
pub fn tracks_keys(table: &Table) -> bool {
    !table.key.is_empty() && table.name != "web_events"
}

fn hash_of(text: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = foldhash::fast::FixedState::with_seed(0x5eed).build_hasher();
    hasher.write(text.as_bytes());
    hasher.finish()
}

fn key_text(table: &Table, row: &Row) -> String {
    let values: Vec<Option<Value>> = table
        .key
        .iter()
        .filter_map(|k| table.columns.iter().position(|c| &c.name == k))
        .map(|i| row[i].clone())
        .collect();
    key_text_of(&values)
}

/// A key's values as people read them (and as keys are compared within an import).
fn key_text_of(values: &[Option<Value>]) -> String {
    values
        .iter()
        .map(|value| match value {
            Some(Value::Text(text)) => format!("`{text}`"),
            Some(Value::Date(date)) => date.to_string(),
            Some(Value::Timestamp(time)) => time.to_string(),
            Some(Value::Float(f)) => f.to_string(),
            Some(Value::Integer(i)) => i.to_string(),
            other => text_of(other),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Combine {
    fn for_table(table: &Table) -> Combine {
        if table.name == "spend" || table.name == "observations" {
            Combine::Sum(Mutex::default())
        } else if tracks_keys(table) {
            Combine::Track(Mutex::default())
        } else {
            Combine::Direct
        }
    }

    /// Takes a row; `Ok(true)`: the caller adds it to the table; `Err`: why it is rejected.
    fn take(&self, table: &Table, line: u64, row: &Row) -> Result<bool, String> {
        match self {
            Combine::Direct => Ok(true),
            Combine::Track(track) => {
                let key = key_text(table, row);
                let (key_hash, row_hash) = (hash_of(&key), hash_of(&format!("{row:?}")));
                let mut track = track.lock().map_err(|_| "a worker thread panicked")?;
                match track.seen.get(&key_hash).copied() {
                    Some((_, earlier)) if earlier == row_hash => track.identical += 1,
                    Some((earlier_line, _)) => {
                        track.conflicts += 1;
                        if track.examples.len() < 5 {
                            let (a, b) = (earlier_line.min(line), earlier_line.max(line));
                            track.examples.push((a, b, key));
                        }
                    }
                    None => {}
                }
                let entry = track.seen.entry(key_hash).or_insert((line, row_hash));
                if line > entry.0 {
                    *entry = (line, row_hash);
                }
                Ok(true)
            }
            Combine::Sum(sums) => {
                let key = key_text(table, row);
                let mut sums = sums.lock().map_err(|_| "a worker thread panicked")?;
                let Some((first_line, sum)) = sums.rows.get_mut(&key) else {
                    sums.rows.insert(key, (line, row.clone()));
                    return Ok(false);
                };
                let currency = table.columns.iter().position(|c| c.name == "currency");
                if let Some(i) = currency
                    && sum[i] != row[i]
                {
                    return Err(format!(
                        "the same campaign and day as line {first_line} in another currency ({} and {}); split the file by currency",
                        text_of(&sum[i]),
                        text_of(&row[i])
                    ));
                }
                // An observation adds up when it is a count or money; users, rates and
                // averages do not: the later row is kept, and the conflict counted.
                let additive = table.name != "observations"
                    || table.columns.iter().position(|c| c.name == "unit").is_some_and(|u| {
                        matches!(&row[u], Some(Value::Text(unit)) if unit == "count" || unit == "currency")
                    });
                if !additive {
                    if line > *first_line {
                        *sum = row.clone();
                    }
                    sums.conflicts += 1;
                    return Ok(false);
                }
                for (i, column) in table.columns.iter().enumerate() {
                    if SUMMED.contains(&column.name.as_str()) {
                        sum[i] = add_values(sum[i].take(), row[i].clone());
                    } else if sum[i].is_none() {
                        sum[i] = row[i].clone();
                    }
                }
                if line < *first_line {
                    *first_line = line;
                }
                sums.summed += 1;
                Ok(false)
            }
        }
    }
}

fn text_of(value: &Option<Value>) -> String {
    match value {
        Some(Value::Text(text)) => text.clone(),
        Some(other) => format!("{other:?}"),
        None => "none".into(),
    }
}

/// The sum of two measures; no value and a value is the value.
fn add_values(a: Option<Value>, b: Option<Value>) -> Option<Value> {
    match (a, b) {
        (Some(Value::Float(x)), Some(Value::Float(y))) => Some(Value::Float(x + y)),
        (Some(Value::Integer(x)), Some(Value::Integer(y))) => Some(Value::Integer(x + y)),
        (Some(Value::Float(x)), Some(Value::Integer(y)))
        | (Some(Value::Integer(y)), Some(Value::Float(x))) => Some(Value::Float(x + y as f64)),
        (a, None) => a,
        (None, b) => b,
        (a, _) => a,
    }
}

/// A worker's rows: builders per table, flushed to the worker's part files after each chunk.
struct Sink<'c> {
    file: String,
    tables: Vec<Table>,
    builders: Vec<TableBuilder>,
    writers: Option<Vec<TableWriter>>,
    combine: &'c [Combine],
    result: ChunkResult,
}

impl<'c> Sink<'c> {
    fn new(
        file: &str,
        tables: &[Table],
        staging: Option<&Staging>,
        combine: &'c [Combine],
    ) -> Sink<'c> {
        Sink {
            file: file.to_string(),
            tables: tables.to_vec(),
            builders: tables.iter().map(TableBuilder::new).collect(),
            writers: staging.map(|s| tables.iter().map(|t| s.writer(t)).collect()),
            combine,
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
            Ok(Some(mut tables)) => {
                // Addresses in any stored text are hashed, as e-mail columns are.
                for rows in &mut tables {
                    for row in rows.iter_mut() {
                        for value in row.iter_mut() {
                            if let Some(Value::Text(text)) = value
                                && text.contains('@')
                                && !text.starts_with("sha256:")
                            {
                                *text = crate::preset::mask_emails(text);
                            }
                        }
                    }
                }
                for (i, rows) in tables.iter().enumerate() {
                    for row in rows {
                        if let Err(reason) = self.combine[i].take(&self.tables[i], line, row) {
                            self.reject(line, "", &reason, &raw());
                            return;
                        }
                    }
                }
                for (i, rows) in tables.into_iter().enumerate() {
                    for row in rows {
                        if matches!(self.combine[i], Combine::Sum(_)) {
                            continue;
                        }
                        self.builders[i].push(row);
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

/// How a delimited file is cut into records: its delimiter, and whether `#` lines are
/// comments (GA4's downloads).
#[derive(Debug, Clone, Copy)]
struct Dialect {
    delimiter: u8,
    comments: bool,
}

impl Dialect {
    /// A CSV reader of `input` in this dialect, every record a row (no header taken).
    fn reader<R: Read>(self, input: R) -> csv::Reader<R> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(self.delimiter)
            .flexible(true)
            .comment(self.comments.then_some(b'#'))
            .from_reader(input)
    }
}

/// The first lines of a delimited file: what its delimiter, header and conventions are
/// decided from.
struct Head {
    /// The text read so far (whole lines and a piece of the next).
    bytes: Vec<u8>,
    dialect: Dialect,
    /// The `#` lines (and blank ones) before the header.
    preamble: Vec<String>,
    /// Up to 30 first records, as text.
    records: Vec<Vec<String>>,
}

/// Whether a file's first line is a `#` comment, as GA4's downloads open (a first column
/// named `#`, as Typeform writes, is a header, not a comment).
fn opens_with_comment(head: &str) -> bool {
    let first_line = head.trim_start().lines().next().unwrap_or("");
    first_line == "#"
        || first_line.starts_with("# ")
        || first_line.starts_with("#-")
        || first_line.starts_with("#\t")
}

/// Where the data starts in the head: after the header's record, as a CSV reader counts.
fn data_start(head: &Head, header_index: usize) -> usize {
    let mut reader = head.dialect.reader(head.bytes.as_slice());
    let mut record = csv::ByteRecord::new();
    for _ in 0..=header_index {
        if !reader.read_byte_record(&mut record).unwrap_or(false) {
            break;
        }
    }
    let bytes = &head.bytes;
    let mut offset = (reader.position().byte() as usize).min(bytes.len());
    // The reader stops at the CR of a CRLF: the LF belongs to the header's line.
    if offset > 0 && bytes[offset - 1] == b'\r' && bytes.get(offset) == Some(&b'\n') {
        offset += 1;
    }
    offset
}

/// Where the last complete record of a chunk of delimited text ends. Without a quote in the
/// chunk, every line feed ends a record.
fn delimited_boundary(bytes: &[u8], delimiter: u8) -> usize {
    if bytes.contains(&b'"') {
        record_boundary(bytes, delimiter)
    } else {
        line_boundary(bytes)
    }
}

/// What a chunk is searched for once, rather than once a record.
struct ChunkScan {
    /// An `@`: an address to hash may be in it.
    may_hold_address: bool,
    /// A word a totals row begins with: records are looked at closely.
    deep: bool,
}

impl ChunkScan {
    fn of(bytes: &[u8], generic: bool) -> ChunkScan {
        // (A generic file's own layout needs only the totals words.)
        let words: &[&str] = if generic {
            &["otal", "OTAL"]
        } else {
            &[
                "otal", "OTAL", "esamt", "umma", "umme", "data", "DATA", "aten",
            ]
        };
        ChunkScan {
            may_hold_address: memchr::memchr(b'@', bytes).is_some(),
            deep: words
                .iter()
                .any(|word| memchr::memmem::find(bytes, word.as_bytes()).is_some()),
        }
    }
}

/// The physical line of a record in a chunk, from the line feeds before it (a CSV reader's
/// own count misses the LF of CRLF line ends).
struct LineCounter<'c> {
    bytes: &'c [u8],
    start_line: u64,
    /// Without a CR in the chunk the reader's count is right, and cheaper.
    crlf: bool,
    /// The byte up to which line feeds are counted, and the line there.
    counted: (usize, u64),
}

impl<'c> LineCounter<'c> {
    fn new(chunk: &'c Chunk) -> LineCounter<'c> {
        LineCounter {
            bytes: &chunk.bytes,
            start_line: chunk.start_line,
            crlf: memchr::memchr(b'\r', &chunk.bytes).is_some(),
            counted: (0, chunk.start_line),
        }
    }

    /// The line of the record at `position` (the reader's byte and line).
    #[inline]
    fn line_of(&mut self, position: Option<&csv::Position>) -> u64 {
        let byte = position.map_or(0, |p| p.byte());
        let reader_line = position.map_or(1, |p| p.line());
        if !self.crlf {
            return self.start_line + reader_line.max(1) - 1;
        }
        let bytes = self.bytes;
        let mut at = (byte as usize).min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r') {
            at += 1;
        }
        if at > self.counted.0 {
            self.counted.1 += bytes[self.counted.0..at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.counted.0 = at;
        }
        self.counted.1
    }
}

/// How a delimited file's records become rows: what every worker reads its chunks with.
struct DelimitedRows<'p> {
    dialect: Dialect,
    plan: &'p Plan,
    settings: &'p ReadSettings,
    header: &'p [String],
    /// The delimiter as text, to write a rejected record as read.
    separator: String,
    /// Whether the plan takes the fast path ([`Plan::direct_row`]).
    direct: bool,
    generic: bool,
    /// Records that say `No data available.`
    no_data: std::sync::atomic::AtomicU64,
}

impl DelimitedRows<'_> {
    /// A chunk's records into the sink's rows.
    fn read_chunk(&self, sink: &mut Sink<'_>, chunk: &Chunk) {
        let mut reader = self.dialect.reader(chunk.bytes.as_slice());
        let mut bytes = csv::ByteRecord::new();
        let mut lines = LineCounter::new(chunk);
        let scan = ChunkScan::of(&chunk.bytes, self.generic);
        loop {
            match reader.read_byte_record(&mut bytes) {
                Ok(false) => break,
                Ok(true) => {
                    let line = lines.line_of(bytes.position());
                    bytes = self.read_record(sink, line, bytes, &scan);
                }
                Err(error) => {
                    let line = lines.line_of(error.position());
                    sink.result.read += 1;
                    sink.reject(line, "", &format!("unreadable row: {error}"), "");
                }
            }
        }
    }

    /// One record into the sink (or left out: a totals row); gives the record's buffer back
    /// for the next.
    #[inline]
    fn read_record(
        &self,
        sink: &mut Sink<'_>,
        line: u64,
        bytes: csv::ByteRecord,
        scan: &ChunkScan,
    ) -> csv::ByteRecord {
        let record = match csv::StringRecord::from_byte_record(bytes) {
            Ok(record) => record,
            Err(error) => return self.reject_not_utf8(sink, line, error.into_byte_record()),
        };
        if is_total_row(&record, scan.deep) {
            if is_no_data_row(&record) {
                self.no_data
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            return record.into_byte_record();
        }
        sink.preview(|| record.iter().map(str::to_string).collect());
        let raw = || record.iter().collect::<Vec<_>>().join(&self.separator);
        if self.direct {
            sink.accept_direct(
                line,
                self.plan
                    .direct_row(&record, self.settings, scan.may_hold_address),
                raw,
            );
        } else {
            let cells: Vec<&str> = record.iter().collect();
            sink.accept(line, self.plan.rows(&cells, self.settings), raw);
        }
        record.into_byte_record()
    }

    /// A record that is not UTF-8, rejected and kept as read with the bytes that are not
    /// UTF-8 replaced.
    #[cold]
    fn reject_not_utf8(
        &self,
        sink: &mut Sink<'_>,
        line: u64,
        record: csv::ByteRecord,
    ) -> csv::ByteRecord {
        let raw: Vec<String> = record
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        let column = record
            .iter()
            .position(|c| std::str::from_utf8(c).is_err())
            .and_then(|i| self.header.get(i).cloned())
            .unwrap_or_default();
        sink.result.read += 1;
        sink.reject(
            line,
            &column,
            "not valid UTF-8; save the file as UTF-8 or name its encoding with `--encoding`",
            &raw.join(&self.separator),
        );
        record
    }
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
        process: &(dyn Fn(&mut Sink<'_>, &Chunk) + Sync),
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
        let combine: Vec<Combine> = tables.iter().map(Combine::for_table).collect();
        let mut collector = self.collector(summary);
        let (chunks_in, chunks_out) = sync_channel::<Chunk>(workers * 2);
        let chunks_out = Mutex::new(chunks_out);
        let (results_in, results_out) = channel::<ChunkResult>();
        let staged = std::thread::scope(|scope| -> Result<Vec<StagedTable>, ImportError> {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    let results_in = results_in.clone();
                    let chunks_out = &chunks_out;
                    let file = &file;
                    let combine = &combine;
                    scope.spawn(move || -> Result<Vec<StagedTable>, StoreError> {
                        let mut sink = Sink::new(file, tables, self.staging, combine);
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
        })?;
        let mut staged = staged;
        staged.extend(self.finish_combine(tables, combine, summary)?);
        Ok(staged)
    }

    /// The summed rows written, and what the combining found added to the summary.
    fn finish_combine(
        &self,
        tables: &[Table],
        combine: Vec<Combine>,
        summary: &mut ImportSummary,
    ) -> Result<Vec<StagedTable>, ImportError> {
        let mut staged = Vec::new();
        // A dry run counts the stored rows the file's rows would replace (a restatement).
        if self.options.dry_run {
            for (table, combine) in tables.iter().zip(&combine) {
                let keys: std::collections::HashSet<u64> = match combine {
                    Combine::Direct => continue,
                    Combine::Track(track) => match track.lock() {
                        Ok(track) => track.seen.keys().copied().collect(),
                        Err(_) => continue,
                    },
                    Combine::Sum(sums) => match sums.lock() {
                        Ok(sums) => sums.rows.keys().map(|k| hash_of(k)).collect(),
                        Err(_) => continue,
                    },
                };
                let mut replaced = 0u64;
                self.store
                    .for_each_key(table, |values| {
                        if keys.contains(&hash_of(&key_text_of(values))) {
                            replaced += 1;
                        }
                    })
                    .map_err(ImportError::Store)?;
                summary.replaced += replaced;
            }
        }
        for (table, combine) in tables.iter().zip(combine) {
            match combine {
                Combine::Direct => {}
                Combine::Track(track) => {
                    let track = track.into_inner().map_err(|_| poisoned())?;
                    summary.identical += track.identical;
                    summary.conflicts += track.conflicts;
                    if track.identical > 0 {
                        summary.notes.push(format!(
                            "{} rows repeat an earlier row of the file exactly and were imported once",
                            track.identical
                        ));
                    }
                    if track.conflicts > 0 {
                        let examples: Vec<String> = track
                            .examples
                            .iter()
                            .map(|(a, b, key)| format!("line {b} over line {a} ({key})"))
                            .collect();
                        summary.notes.push(format!(
                            "{} rows of `{}` share their key ({}) with an earlier row of the file but differ; the later row is kept: {}",
                            track.conflicts,
                            table.name,
                            table.key.join(", "),
                            examples.join("; ")
                        ));
                    }
                }
                Combine::Sum(sums) => {
                    let sums = sums.into_inner().map_err(|_| poisoned())?;
                    summary.summed += sums.summed;
                    summary.conflicts += sums.conflicts;
                    if sums.summed > 0 && table.name == "spend" {
                        summary.notes.push(format!(
                            "{} rows share a campaign and day with an earlier row (breakdown rows: age, gender, placement, ad, product…) and were summed into {} rows of `{}` (cost, impressions, clicks, conversions)",
                            sums.summed,
                            sums.rows.len(),
                            table.name
                        ));
                    } else if sums.summed > 0 {
                        summary.notes.push(format!(
                            "{} counts share their metric, day and dimension with an earlier row of the file and were summed",
                            sums.summed
                        ));
                    }
                    if sums.conflicts > 0 {
                        summary.notes.push(format!(
                            "{} values that do not add up (users, rates, averages) share their metric, day and dimension with an earlier row; the later row is kept",
                            sums.conflicts
                        ));
                    }
                    // In the file's order, then the key's: the same file, the same rows.
                    let mut rows: Vec<(u64, String, Row)> = sums
                        .rows
                        .into_iter()
                        .map(|(key, (line, row))| (line, key, row))
                        .collect();
                    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
                    let mut builder = TableBuilder::new(table);
                    for (_, _, row) in rows {
                        builder.push(row);
                    }
                    if let Some(staging) = self.staging {
                        let mut writer = staging.writer(table);
                        writer.write(&builder.finish(), 1 << 62)?;
                        staged.push(writer.finish()?);
                    }
                }
            }
        }
        Ok(staged)
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
        let combine: Vec<Combine> = tables.iter().map(Combine::for_table).collect();
        let mut collector = self.collector(summary);
        let mut sink = Sink::new(&file, tables, self.staging, &combine);
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
        let mut staged = sink.finish()?;
        staged.extend(self.finish_combine(tables, combine, summary)?);
        Ok(staged)
    }

    /// How values are read, from the options and what the sample shows; dates in the order
    /// `order`.
    fn settings(
        &self,
        delimiter: u8,
        sample: &[String],
        order: DateOrder,
        summary: &mut ImportSummary,
    ) -> ReadSettings {
        // A comma-separated file writes decimals with a point; otherwise the sample decides,
        // and without evidence a `;` or tab file is taken to be Swedish.
        let decimal_comma = self.options.decimal_comma.unwrap_or_else(|| {
            decimal_evidence(sample).unwrap_or_else(|| {
                delimiter != b',' && detect_decimal_comma(sample).unwrap_or(true)
            })
        });
        summary.decimal_comma = decimal_comma;
        summary.day_first = order == DateOrder::DayFirst;
        ReadSettings {
            currency: self.options.currency.clone(),
            workspace_currency: self.options.workspace_currency.clone(),
            time_zone: self.options.time_zone.clone(),
            date_order: order,
            number_style: NumberStyle { decimal_comma },
        }
    }

    fn plan(&self, header: &[String]) -> Result<Plan, ImportError> {
        Plan::new(PlanInput {
            preset: self.preset,
            headers: header,
            mapping: &self.options.mapping,
            constants: &self.options.constants,
            table: self.options.table.as_deref(),
            currency: self.options.currency.as_deref(),
            catalog: self.catalog,
        })
        .map_err(|source| match source {
            // Say what the file has instead, and the preset it looks like.
            PlanError::MissingColumns { columns, hint } => {
                let shown: Vec<String> = header
                    .iter()
                    .filter(|h| !h.trim().is_empty())
                    .take(12)
                    .map(|h| format!("`{}`", h.trim()))
                    .collect();
                let more = header.len().saturating_sub(shown.len());
                let found = if shown.is_empty() {
                    "; the file's header is empty".to_string()
                } else if more > 0 {
                    format!("; its header has {} … and {more} more", shown.join(", "))
                } else {
                    format!("; its header has {}", shown.join(", "))
                };
                // Another preset that reads this header as it is.
                let own = header_score(self.preset, header);
                let likely = Preset::ALL
                    .iter()
                    .copied()
                    .filter(|&preset| preset != self.preset && preset != Preset::Generic)
                    .map(|preset| (header_score(preset, header), preset))
                    .filter(|(score, _)| *score >= 4 && *score >= own + 2)
                    .filter(|&(_, preset)| {
                        Plan::new(PlanInput {
                            preset,
                            headers: header,
                            mapping: &BTreeMap::new(),
                            constants: &BTreeMap::new(),
                            table: None,
                            currency: None,
                            catalog: self.catalog,
                        })
                        .is_ok()
                    })
                    // The best score; between equal ones, the name last in alphabetical order.
                    .max_by_key(|&(score, preset)| (score, preset.as_str()));
                let hint = match likely {
                    Some((_, name)) => format!(
                        "it looks like a `{name}` export: try `utfall import --preset {name} {}`; else {hint}",
                        self.file()
                    ),
                    None => hint,
                };
                self.plan_error(PlanError::MissingColumns {
                    columns: format!("{columns}{found}"),
                    hint,
                })
            }
            other => self.plan_error(other),
        })
    }

    fn plan_error(&self, source: PlanError) -> ImportError {
        ImportError::Plan {
            file: self.file(),
            source,
        }
    }

    /// The order of day and month for the whole file: the user's, else the one the values of
    /// its date columns need, else the vendor's or the locale's — announced when the values
    /// leave it open.
    fn decide_order(
        &self,
        votes: &OrderVotes,
        sample: &[String],
        summary: &mut ImportSummary,
    ) -> DateOrder {
        let name = |order: DateOrder| match order {
            DateOrder::DayFirst => "day first",
            DateOrder::MonthFirst => "month first",
        };
        if let Some(order) = self.options.date_order {
            if votes.decided().is_some_and(|d| d != order) {
                summary.notes.push(format!(
                    "dates are read {} as asked, although some values read only {} (line {}); those rows are rejected",
                    name(order),
                    name(votes.decided().unwrap_or(order)),
                    votes.first_day_first.or(votes.first_month_first).unwrap_or(0)
                ));
            }
            return order;
        }
        if let Some(order) = votes.decided() {
            if votes.conflicting() {
                summary.notes.push(format!(
                    "the dates disagree: {} values read only day first (first on line {}) and {} only month first (first on line {}); read {} as most of them need, and the others rejected",
                    votes.day_first,
                    votes.first_day_first.unwrap_or(0),
                    votes.month_first,
                    votes.first_month_first.unwrap_or(0),
                    name(order)
                ));
            }
            return order;
        }
        if votes.ambiguous == 0 {
            return self.options.default_date_order;
        }
        let example = sample
            .iter()
            .find(|c| crate::parse::order_evidence(c) == OrderEvidence::Ambiguous)
            .cloned()
            .unwrap_or_default();
        // Dates with dots or dashes between day, month and year are written day first
        // (German, Dutch, Nordic settings); the US writes slashes.
        let dotted = example
            .split(' ')
            .next()
            .is_some_and(|d| d.matches('.').count() == 2 || d.matches('-').count() == 2);
        let (order, why) = match self.preset {
            _ if dotted => (
                DateOrder::DayFirst,
                "as dates with dots are written (`dd.mm.yyyy`)".to_string(),
            ),
            Preset::LinkedinAds => (
                DateOrder::MonthFirst,
                "as LinkedIn Campaign Manager writes them".to_string(),
            ),
            Preset::Mailchimp => (
                DateOrder::MonthFirst,
                "as Mailchimp writes them".to_string(),
            ),
            _ if us_short_date(&example) => (
                DateOrder::MonthFirst,
                "`m/d/yy` is how Excel saves dates with US settings".to_string(),
            ),
            _ => (
                self.options.default_date_order,
                "by the workspace's locale".to_string(),
            ),
        };
        summary.notes.push(format!(
            "no date in the file tells day from month (e.g. `{example}`); read {} {why}; pass `--day-first` or `--month-first` if that is wrong",
            name(order)
        ));
        order
    }

    /// The votes of every value in the date columns, read from the whole file (the sample did
    /// not decide): a second pass over the text, stopping once a value decides.
    fn scan_dates(
        &self,
        dialect: Dialect,
        skip_records: usize,
        columns: &[usize],
        votes: &mut OrderVotes,
    ) -> Result<(), ImportError> {
        let file = std::fs::File::open(self.path).map_err(self.read_error())?;
        let (text, _) =
            crate::decode::open_reader(file, self.options.encoding).map_err(self.read_error())?;
        let mut reader = dialect.reader(text);
        let mut record = csv::ByteRecord::new();
        let mut index = 0usize;
        while reader.read_byte_record(&mut record).unwrap_or(false) {
            index += 1;
            if index <= skip_records {
                continue;
            }
            let line = record.position().map_or(0, |p| p.line());
            for &column in columns {
                if let Some(cell) = record.get(column).and_then(|c| std::str::from_utf8(c).ok()) {
                    votes.add(cell, line);
                }
            }
            if votes.decided().is_some() {
                break;
            }
        }
        Ok(())
    }

    /// Delimited text: CSV, TSV, `;`-separated, in any supported encoding.
    fn delimited(&self, summary: &mut ImportSummary) -> Result<Vec<StagedTable>, ImportError> {
        let (mut text, encoding) = self.open()?;
        summary.format = "csv".into();
        summary.encoding = encoding.to_string();
        let head = self.head(&mut text)?;
        let Dialect {
            delimiter,
            comments,
        } = head.dialect;
        summary.delimiter = char::from(delimiter);
        if self.preset == Preset::Ga4DataApi {
            return self.report_csv(
                &head.bytes,
                text,
                delimiter,
                comments,
                &head.preamble,
                summary,
            );
        }
        if self.preset == Preset::FxRates {
            return self.fx_rates_csv(&head.bytes, text, delimiter, summary);
        }
        if self.preset == Preset::Ga4Bigquery {
            return self.ga4_csv(&head.bytes, text, delimiter, summary);
        }
        if self.preset == Preset::Mailchimp
            && let Some(report) = key_value_report(&head.records)
        {
            return self.key_value(report, summary);
        }
        self.delimited_records(head, text, summary)
    }

    /// The first lines of delimited text (about 40): the delimiter, header line, number and
    /// date conventions are decided from them.
    fn head(&self, text: &mut impl Read) -> Result<Head, ImportError> {
        let mut bytes: Vec<u8> = Vec::new();
        let mut block = vec![0u8; 64 << 10];
        while bytes.iter().filter(|&&b| b == b'\n').count() < 40 {
            let n = text.read(&mut block).map_err(self.read_error())?;
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&block[..n]);
        }
        let head = String::from_utf8_lossy(&bytes).into_owned();
        let comments = opens_with_comment(&head);
        let preamble: Vec<String> = head
            .lines()
            .take_while(|l| comments && (l.starts_with('#') || l.trim().is_empty()))
            .map(str::to_string)
            .collect();
        let lines: Vec<&str> = head
            .lines()
            .filter(|l| !(comments && l.starts_with('#')))
            .take(30)
            .collect();
        let delimiter = self
            .options
            .delimiter
            .unwrap_or_else(|| detect_delimiter_records(&bytes, &lines[..lines.len().min(12)]));
        let dialect = Dialect {
            delimiter,
            comments,
        };
        let records = dialect
            .reader(bytes.as_slice())
            .records()
            .take(30)
            .map_while(Result::ok)
            .map(|r| r.iter().map(str::to_string).collect())
            .collect();
        Ok(Head {
            bytes,
            dialect,
            preamble,
            records,
        })
    }

    /// A preset's records of delimited text: the header found, the plan made, the conventions
    /// decided, then every record read.
    fn delimited_records(
        &self,
        head: Head,
        text: impl Read,
        summary: &mut ImportSummary,
    ) -> Result<Vec<StagedTable>, ImportError> {
        let wide = self.survey_wide(&head.records);
        let header_index = self.header_index(wide.as_ref(), &head.records);
        summary.header_line = header_index + 1 + head.preamble.len();
        let sample: Vec<String> = head
            .records
            .iter()
            .skip(header_index + 1)
            .flatten()
            .cloned()
            .collect();
        let header = head.records.get(header_index).cloned().unwrap_or_default();
        let mut plan = self.delimited_plan(wide, &head.records, &header, summary)?;
        if plan.needs_period() {
            self.period_from_titles(&mut plan, &head.records[..header_index], summary)?;
        }
        self.check_currency(&plan, &head.records[header_index + 1..], summary)?;
        let order = self.file_date_order(&plan, &head, header_index, summary)?;
        let settings = self.settings(head.dialect.delimiter, &sample, order, summary);
        summary.tables = plan.tables.iter().map(|t| t.name.clone()).collect();
        summary.mapping = plan.describe();
        if plan.wide.is_none() {
            summary.unmapped = plan.unmapped(&header);
            self.describe_plan(&plan, &header, summary);
        }
        let rows = DelimitedRows {
            dialect: head.dialect,
            plan: &plan,
            settings: &settings,
            header: &header,
            separator: char::from(head.dialect.delimiter).to_string(),
            direct: plan.is_direct(),
            generic: self.preset == Preset::Generic,
            no_data: std::sync::atomic::AtomicU64::new(0),
        };
        self.read_delimited(head, header_index, text, &rows, summary)
    }

    /// The survey a wide export answers: `--map survey_id=NAME`, else the file's name.
    fn survey_id(&self) -> String {
        self.options
            .mapping
            .get("survey_id")
            .or_else(|| self.options.constants.get("survey_id"))
            .cloned()
            .unwrap_or_else(|| {
                self.path
                    .file_stem()
                    .map_or("survey".into(), |s| s.to_string_lossy().into_owned())
            })
    }

    /// A survey tool's wide export, recognised by its header rows (`survey` preset only).
    fn survey_wide(&self, records: &[Vec<String>]) -> Option<crate::survey::Wide> {
        let survey_id = self.survey_id();
        (self.preset == Preset::Survey)
            .then(|| crate::survey::Wide::detect(records, &survey_id))
            .flatten()
    }

    /// The index of the header's record: a wide export's last header row, else the first of
    /// the first ten records with the most of the preset's labels.
    fn header_index(&self, wide: Option<&crate::survey::Wide>, records: &[Vec<String>]) -> usize {
        match wide {
            Some(wide) => wide.header_rows - 1,
            None => (0..records.len().min(10))
                .map(|i| (header_score(self.preset, &records[i]), i))
                .filter(|(score, _)| *score > 0)
                .max_by_key(|(score, i)| (*score, std::cmp::Reverse(*i)))
                .map_or(0, |(_, i)| i),
        }
    }

    /// The plan for the header: a survey tool's wide layout, else the preset's labels.
    fn delimited_plan(
        &self,
        wide: Option<crate::survey::Wide>,
        records: &[Vec<String>],
        header: &[String],
        summary: &mut ImportSummary,
    ) -> Result<Plan, ImportError> {
        if let Some(wide) = wide {
            summary.format = format!("csv ({})", wide.layout.name());
            for note in wide.notes() {
                summary.notes.push(note);
            }
            return Plan::survey_wide(
                wide,
                &self.options.mapping,
                &self.options.constants,
                self.catalog,
            )
            .map_err(|source| self.plan_error(source));
        }
        if self.preset == Preset::Survey && survey_like(records) {
            return Err(self.plan_error(PlanError::Shape {
                found: "the file looks like a survey tool's wide export (a question a column), but its header rows were not recognised: Utfall reads Qualtrics' layout (a row of ids such as `Q1`, then question texts, optionally `ImportId` JSON) and SurveyMonkey's (questions over a row of `Response` / option labels)".into(),
                hint: crate::labels::how_to_add(Preset::Survey, "").unwrap_or_default().to_string(),
            }));
        }
        self.plan(header)
    }

    /// A report for a period without a day column: the period is in its title rows, and each
    /// row's totals are spread over its days.
    fn period_from_titles(
        &self,
        plan: &mut Plan,
        title_rows: &[Vec<String>],
        summary: &mut ImportSummary,
    ) -> Result<(), ImportError> {
        let titles: Vec<String> = title_rows.iter().map(|r| r.join(" ")).collect();
        let found = match crate::report::title_period(&titles) {
            Ok(Some(period)) => {
                plan.period = Some(period);
                let days = period.0.until(period.1).map_or(0, |s| s.get_days()) + 1;
                summary.notes.push(format!(
                    "the report has no day column: each row's totals for {} – {} were spread evenly over its {days} days (cost to the cent, clicks and impressions whole); download it by day for exact daily figures",
                    period.0, period.1
                ));
                return Ok(());
            }
            Err(text) => format!(
                "the report covers `{text}` and has no day column, so its costs cannot be dated"
            ),
            Ok(None) => "the report has no day column and its title rows name no period, so its costs cannot be dated".into(),
        };
        Err(self.plan_error(PlanError::Shape {
            found,
            hint: crate::labels::how_to_add(self.preset, "date")
                .unwrap_or("download the report by day")
                .to_string(),
        }))
    }

    /// The order of day and month, from the date columns of the whole file.
    fn file_date_order(
        &self,
        plan: &Plan,
        head: &Head,
        header_index: usize,
        summary: &mut ImportSummary,
    ) -> Result<DateOrder, ImportError> {
        let date_columns = plan.date_columns();
        let mut votes = OrderVotes::default();
        for (i, record) in head.records.iter().enumerate().skip(header_index + 1) {
            for &column in &date_columns {
                if let Some(cell) = record.get(column) {
                    votes.add(cell, (i + 1 + head.preamble.len()) as u64);
                }
            }
        }
        if votes.decided().is_none() && votes.ambiguous > 0 && self.options.date_order.is_none() {
            self.scan_dates(head.dialect, header_index + 1, &date_columns, &mut votes)?;
        }
        let date_samples: Vec<String> = head
            .records
            .iter()
            .skip(header_index + 1)
            .flat_map(|r| date_columns.iter().filter_map(|&c| r.get(c).cloned()))
            .collect();
        Ok(self.decide_order(&votes, &date_samples, summary))
    }

    /// Every record after the header, read by the workers into staged tables.
    fn read_delimited(
        &self,
        mut head: Head,
        header_index: usize,
        text: impl Read,
        rows: &DelimitedRows<'_>,
        summary: &mut ImportSummary,
    ) -> Result<Vec<StagedTable>, ImportError> {
        let offset = data_start(&head, header_index);
        // Lines are the file's physical lines, whatever its line ends.
        let first_line = head.bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let data = std::io::Cursor::new(head.bytes.split_off(offset)).chain(text);
        let delimiter = head.dialect.delimiter;
        let boundary = |bytes: &[u8]| delimited_boundary(bytes, delimiter);
        let process = |sink: &mut Sink<'_>, chunk: &Chunk| rows.read_chunk(sink, chunk);
        let total = std::fs::metadata(self.path).map_or(0, |m| m.len());
        let staged = self.parallel(
            data,
            first_line,
            total,
            &rows.plan.tables,
            &boundary,
            &process,
            summary,
        )?;
        let no_data = rows.no_data.load(std::sync::atomic::Ordering::Relaxed);
        if no_data > 0 && summary.read == 0 {
            summary.notes.push(
                "the export says `No data available.`: nothing to import for its period".into(),
            );
        }
        self.describe_stats(rows.plan, summary);
        Ok(staged)
    }

    /// The plan's decisions for people: made ids, unmapped columns, likely sources.
    fn describe_plan(&self, plan: &Plan, header: &[String], summary: &mut ImportSummary) {
        if let Some((target, columns)) = &plan.made_id {
            summary.notes.push(format!(
                "the export has no id column: `{target}` is made from {} (a stable hash, the same on every import of the same rows); add the id column to the report to get the vendor's ids",
                columns
                    .iter()
                    .map(|(_, h)| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let currency_known = self.options.currency.is_some() || plan.header_currency.is_some();
        for (target, column) in plan.likely_sources(header) {
            if target == "currency" && currency_known {
                continue;
            }
            summary.warnings.push(format!(
                "`{target}` stays empty although the file has `{column}`; if that is it, add `--map \"{column}={target}\"`"
            ));
        }
        if let Some(currency) = &plan.header_currency {
            summary
                .notes
                .push(format!("amounts are in {currency} (from the header)"));
        }
    }

    /// What reading the rows counted, for people.
    fn describe_stats(&self, plan: &Plan, summary: &mut ImportSummary) {
        use std::sync::atomic::Ordering::Relaxed;
        let from_value = plan.stats.currency_from_value.load(Relaxed);
        if from_value > 0 {
            summary.notes.push(format!(
                "{from_value} amounts carry their currency in the value (a sign or code); each row has that currency"
            ));
        }
        let spread = plan.stats.spread.load(Relaxed);
        if spread > 0 && plan.period.is_none() {
            summary.notes.push(format!(
                "{spread} rows cover several days (from their start to their end date) and were spread evenly over those days"
            ));
        }
        if let Ok(names) = plan.stats.unknown_names.lock()
            && !names.is_empty()
        {
            summary.warnings.push(format!(
                "not a known channel, platform or kind, kept as `other`: {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }

    /// Refuses a file whose amounts have no currency: none in a column, the header, the
    /// values or the options.
    fn check_currency(
        &self,
        plan: &Plan,
        sample: &[Vec<String>],
        summary: &mut ImportSummary,
    ) -> Result<(), ImportError> {
        let needs = plan
            .tables
            .iter()
            .any(|t| t.column("currency").is_some_and(|c| !c.nullable));
        if !needs
            || self.options.currency.is_some()
            || plan.header_currency.is_some()
            || plan.has_source("currency")
        {
            if let Some(code) = &self.options.currency
                && needs
                && !plan.has_source("currency")
                && plan.header_currency.is_none()
            {
                summary.notes.push(format!(
                    "amounts without a currency of their own are in {code} (as given)"
                ));
            }
            return Ok(());
        }
        let amounts = plan.amount_columns();
        let has_amounts = sample.iter().any(|r| {
            amounts
                .iter()
                .any(|&i| r.get(i).is_some_and(|c| !c.trim().is_empty()))
        });
        let signed = sample.iter().any(|r| {
            amounts.iter().any(|&i| {
                r.get(i).is_some_and(|c| {
                    crate::parse::money_currency(c, &self.options.workspace_currency).is_some()
                })
            })
        });
        if signed || !has_amounts {
            return Ok(());
        }
        let vendor = match self.preset {
            Preset::MetaAds => {
                "in Ads Manager add the `Currency` column (Columns → Customize columns), or export `Amount spent` with its currency, e.g. `Amount spent (SEK)`; "
            }
            Preset::GoogleAds => "in Google Ads add the `Currency code` column to the report; ",
            Preset::LinkedinAds => "in Campaign Manager export with the `Currency` column; ",
            Preset::HubspotDeals => "add the `Currency` column to the deals export, or ",
            Preset::SalesforceOpportunities => "add `Opportunity Currency` to the report, or ",
            _ => "",
        };
        Err(self.plan_error(PlanError::NoCurrency {
            hint: format!(
                "{vendor}say which currency the amounts are in: `--currency USD`, or `currency = \"USD\"` on the source in `sources.toml`"
            ),
        }))
    }

    /// GA4 report downloads (CSV with a `#` preamble) into observations.
    fn report_csv(
        &self,
        head_bytes: &[u8],
        rest: impl Read,
        delimiter: u8,
        comments: bool,
        preamble: &[String],
        summary: &mut ImportSummary,
    ) -> Result<Vec<StagedTable>, ImportError> {
        // GA4 writes further tables after a blank line; the first is the report.
        let (header, rows) =
            self.whole_table(head_bytes, rest, delimiter, comments, true, summary)?;
        let period = crate::report::preamble_period(preamble);
        self.observations(&header, &rows, period, "GA4 report download", summary)
    }

    /// GA4 events as a query result saved to CSV (flattened columns: `event_timestamp`,
    /// `user_pseudo_id`, `ga_session_id`, `source`, …): each row made an event object and read
    /// as the export's events are.
    fn ga4_csv(
        &self,
        head_bytes: &[u8],
        rest: impl Read,
        delimiter: u8,
        summary: &mut ImportSummary,
    ) -> Result<Vec<StagedTable>, ImportError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(std::io::Cursor::new(head_bytes.to_vec()).chain(rest));
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| ImportError::Format {
                file: self.file(),
                message: format!("unreadable header: {e}"),
            })?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        if !header
            .iter()
            .any(|h| h == "event_timestamp" || h == "event_name")
        {
            return Err(self.plan_error(PlanError::Shape {
                found: format!(
                    "a CSV without GA4's event columns (found {})",
                    header.iter().take(6).map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
                ),
                hint: "export the events table (`bq extract --destination_format=NEWLINE_DELIMITED_JSON`), or a query with `event_timestamp`, `event_name`, `user_pseudo_id` and `ga_session_id` columns".into(),
            }));
        }
        let mut lines = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| ImportError::Format {
                file: self.file(),
                message: format!("unreadable row: {e}"),
            })?;
            let object: serde_json::Map<String, serde_json::Value> = header
                .iter()
                .zip(record.iter())
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.to_string())))
                .collect();
            lines.extend_from_slice(serde_json::Value::Object(object).to_string().as_bytes());
            lines.push(b'\n');
        }
        summary.format = "csv (GA4 events, flattened)".into();
        // The events start on line 2.
        self.ga4_events_from(std::io::Cursor::new(lines), 0, 2, summary)
    }

    /// A report written as `"Key:","value"` pairs (Mailchimp's single-campaign report): one
    /// record whose header is the keys.
    fn key_value(
        &self,
        (header, cells): (Vec<String>, Vec<String>),
        summary: &mut ImportSummary,
    ) -> Result<Vec<StagedTable>, ImportError> {
        summary.format = "csv (a report of `Key:`, value pairs)".into();
        summary.header_line = 1;
        self.tabular(
            &header,
            vec![(1, cells)],
            self.options.time_zone.clone(),
            summary,
        )
    }

    /// A small delimited table read whole: its header (the first row with a cell) and its rows
    /// with their lines; blank rows skipped, or the end of the table with `stop_at_blank`.
    #[allow(clippy::type_complexity)]
    fn whole_table(
        &self,
        head_bytes: &[u8],
        rest: impl Read,
        delimiter: u8,
        comments: bool,
        stop_at_blank: bool,
        summary: &mut ImportSummary,
    ) -> Result<(Vec<String>, Vec<(u64, Vec<String>)>), ImportError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(delimiter)
            .flexible(true)
            .comment(comments.then_some(b'#'))
            .from_reader(std::io::Cursor::new(head_bytes.to_vec()).chain(rest));
        let mut header: Vec<String> = Vec::new();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| ImportError::Format {
                file: self.file(),
                message: format!("unreadable row: {e}"),
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let cells: Vec<String> = record.iter().map(str::to_string).collect();
            if cells.iter().all(|c| c.trim().is_empty()) {
                if stop_at_blank && !header.is_empty() && !rows.is_empty() {
                    break;
                }
                continue;
            }
            if header.is_empty() {
                header = cells;
                summary.header_line = line as usize;
            } else {
                rows.push((line, cells));
            }
        }
        Ok((header, rows))
    }

    /// Exchange rates (the ECB's reference rates, or date, currency, rate) into `fx_rates`.
    fn fx_rates_csv(
        &self,
        head_bytes: &[u8],
        rest: impl Read,
        delimiter: u8,
        summary: &mut ImportSummary,
    ) -> Result<Vec<StagedTable>, ImportError> {
        let (header, rows) =
            self.whole_table(head_bytes, rest, delimiter, false, false, summary)?;
        let base = self.options.constants.get("base").map(String::as_str);
        let records = crate::report::fx_rates(&header, &rows, base).map_err(|found| {
            self.plan_error(PlanError::Shape {
                found,
                hint: "download the ECB's reference rates (eurofxref-hist.csv, from the ECB's euro foreign exchange reference rates page), or give a CSV with `date`, `currency`, `rate` and `base` columns (or `--set base=EUR`)".into(),
            })
        })?;
        summary.format = "csv (exchange rates)".into();
        summary.tables = vec!["fx_rates".into()];
        summary.mapping = vec![
            (
                "date".into(),
                format!("column `{}`", header.first().cloned().unwrap_or_default()),
            ),
            (
                "base / currency / rate".into(),
                "a column a currency (base EUR), or the columns of those names".into(),
            ),
        ];
        let tables: Vec<Table> = self
            .catalog
            .table("fx_rates")
            .cloned()
            .into_iter()
            .collect();
        if tables.is_empty() {
            return Err(ImportError::Format {
                file: self.file(),
                message: "this version has no `fx_rates` table".into(),
            });
        }
        let records = records
            .into_iter()
            .map(|(line, rows, raw)| (line, rows.map(Some), raw));
        self.sequential(&tables, records, summary, true)
    }

    /// A report table (dimensions and metrics) into observations.
    fn observations(
        &self,
        header: &[String],
        rows: &[(u64, Vec<String>)],
        period: Option<(jiff::civil::Date, jiff::civil::Date)>,
        source: &str,
        summary: &mut ImportSummary,
    ) -> Result<Vec<StagedTable>, ImportError> {
        let (shape, records) = crate::report::observations(header, rows, period, source, "ga4_")
            .map_err(|found| {
                self.plan_error(PlanError::Shape {
                    found,
                    hint: "in GA4 add the `Date` dimension to the report (Explore → Free form), or download it for one day; API reports: request the `date` dimension".into(),
                })
            })?;
        summary.format = format!("{} (report: {})", summary.format, source);
        summary.tables = vec!["observations".into()];
        summary.mapping = vec![
            (
                "metric".into(),
                format!("`ga4_` + each metric: {}", shape.metrics.join(", ")),
            ),
            (
                "date".into(),
                match (&shape.date_column, period) {
                    (Some(c), _) => format!("column `{c}`"),
                    (None, Some((a, b))) => format!("each day of {a} – {b} (the report's period)"),
                    (None, None) => "—".into(),
                },
            ),
            ("dimension".into(), shape.dimensions.join("/")),
        ];
        if shape.date_column.is_none()
            && let Some((a, b)) = period
        {
            summary.notes.push(format!(
                "the report has no date column: its totals for {a} – {b} were spread evenly over the days"
            ));
        }
        if !shape.not_spread.is_empty() {
            summary.warnings.push(format!(
                "not imported, as they do not add up over the days of a period: {}; add the `Date` dimension to import them by day",
                shape.not_spread.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        let tables: Vec<Table> = self
            .catalog
            .table("observations")
            .cloned()
            .into_iter()
            .collect();
        let records = records
            .into_iter()
            .map(|(line, rows, raw)| (line, rows.map(Some), raw));
        self.sequential(&tables, records, summary, true)
    }

    fn ga4_tables(&self) -> Vec<Table> {
        ["web_events", "touchpoints", "identities"]
            .iter()
            .filter_map(|name| self.catalog.table(name).cloned())
            .collect()
    }

    /// GA4's BigQuery export as newline-delimited JSON (`bq extract` form): one event a line.
    fn ga4_lines(&self, summary: &mut ImportSummary) -> Result<Vec<StagedTable>, ImportError> {
        let (mut text, encoding) = self.open()?;
        summary.format = "ndjson".into();
        summary.encoding = encoding.to_string();
        let total = std::fs::metadata(self.path).map_or(0, |m| m.len());
        // A JSON array of events (pretty-printed, as tools and tutorials save them) rather
        // than one a line: read whole (such files are small), each event made a line.
        let mut start = vec![0u8; 1];
        let mut first = Vec::new();
        loop {
            let n = text.read(&mut start).map_err(self.read_error())?;
            if n == 0 {
                break;
            }
            first.push(start[0]);
            if !start[0].is_ascii_whitespace() {
                break;
            }
        }
        if first.last() == Some(&b'[') {
            let mut body = first;
            text.read_to_end(&mut body).map_err(self.read_error())?;
            let events: Vec<serde_json::Value> =
                serde_json::from_slice(&body).map_err(|e| ImportError::Format {
                    file: self.file(),
                    message: format!(
                        "not a JSON array of GA4 events (line {}, column {}): {e}",
                        e.line(),
                        e.column()
                    ),
                })?;
            summary.format = "json (an array of GA4 events)".into();
            let mut lines = Vec::new();
            for event in events {
                lines.extend_from_slice(event.to_string().as_bytes());
                lines.push(b'\n');
            }
            return self.ga4_events(std::io::Cursor::new(lines), 0, summary);
        }
        let text = std::io::Cursor::new(first).chain(text);
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
        self.ga4_events_from(lines, total, 1, summary)
    }

    /// GA4 events, one JSON object a line, the first on `first_line` of the file.
    fn ga4_events_from(
        &self,
        lines: impl Read,
        total: u64,
        first_line: u64,
        summary: &mut ImportSummary,
    ) -> Result<Vec<StagedTable>, ImportError> {
        let tables = self.ga4_tables();
        summary.tables = tables.iter().map(|t| t.name.clone()).collect();
        summary.mapping = crate::ga4::describe();
        let key_events = crate::ga4::default_key_events();
        let zone = &self.options.time_zone;
        let process = |sink: &mut Sink<'_>, chunk: &Chunk| {
            let text = String::from_utf8_lossy(&chunk.bytes);
            // Events of one batch share session, time and name: without an index of their
            // own, the second such event (not a repeat of the same line) is told apart by its
            // occurrence, so that it survives the merge on the natural key.
            let mut seen: std::collections::HashMap<(String, String, String), Vec<u64>> =
                std::collections::HashMap::new();
            for (index, line) in text.split('\n').enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                sink.preview(|| vec![line.chars().take(120).collect()]);
                let rows = crate::ga4::rows(line, &key_events, zone).map(|rows| {
                    rows.map(|mut rows| {
                        if rows.event[19].is_none() {
                            let part = |i: usize| format!("{:?}", rows.event[i]);
                            let lines = seen.entry((part(5), part(0), part(2))).or_default();
                            let this = hash_of(line.trim());
                            let occurrence = match lines.iter().position(|h| *h == this) {
                                Some(at) => at,
                                None => {
                                    lines.push(this);
                                    lines.len() - 1
                                }
                            };
                            if occurrence > 0 {
                                rows.event[19] = Some(Value::Text(format!("#{occurrence}")));
                            }
                        }
                        ga4_tables_rows(rows)
                    })
                });
                sink.accept(chunk.start_line + index as u64, rows, || line.to_string());
            }
        };
        self.parallel(
            lines,
            first_line,
            total,
            &tables,
            &line_boundary,
            &process,
            summary,
        )
    }

    /// Records from a header and rows of text cells (JSON API responses, Excel, Parquet).
    /// `time_zone`: the zone of times written without one (Pipedrive's API: UTC).
    fn tabular(
        &self,
        header: &[String],
        rows: Vec<(u64, Vec<String>)>,
        time_zone: jiff::tz::TimeZone,
        summary: &mut ImportSummary,
    ) -> Result<Vec<StagedTable>, ImportError> {
        let plan = self.plan(header)?;
        if plan.needs_period() {
            return Err(self.plan_error(PlanError::Shape {
                found: "the rows have no date".into(),
                hint: crate::labels::how_to_add(self.preset, "date")
                    .unwrap_or("export the report by day")
                    .to_string(),
            }));
        }
        let sample: Vec<Vec<String>> = rows.iter().take(200).map(|(_, r)| r.clone()).collect();
        self.check_currency(&plan, &sample, summary)?;
        let mut votes = OrderVotes::default();
        let date_columns = plan.date_columns();
        for (line, cells) in &rows {
            for &column in &date_columns {
                if let Some(cell) = cells.get(column) {
                    votes.add(cell, *line);
                }
            }
        }
        let date_samples: Vec<String> = rows
            .iter()
            .take(30)
            .flat_map(|(_, r)| date_columns.iter().filter_map(|&c| r.get(c).cloned()))
            .collect();
        let order = self.decide_order(&votes, &date_samples, summary);
        let settings = ReadSettings {
            currency: self.options.currency.clone(),
            workspace_currency: self.options.workspace_currency.clone(),
            time_zone,
            date_order: order,
            number_style: NumberStyle {
                decimal_comma: self.options.decimal_comma.unwrap_or(false),
            },
        };
        summary.day_first = order == DateOrder::DayFirst;
        summary.decimal_comma = settings.number_style.decimal_comma;
        summary.tables = plan.tables.iter().map(|t| t.name.clone()).collect();
        summary.mapping = plan.describe();
        summary.unmapped = plan.unmapped(header);
        self.describe_plan(&plan, header, summary);
        let mut previews = Vec::new();
        let records = rows.into_iter().map(|(line, cells)| {
            if previews.len() < 5 {
                previews.push(cells.clone());
            }
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            let rows = plan.rows(&refs, &settings);
            (line, rows, cells.join(","))
        });
        let staged = self.sequential(&plan.tables, records, summary, false)?;
        summary.preview = previews;
        self.describe_stats(&plan, summary);
        Ok(staged)
    }

    /// JSON API responses: one response, an array of them, or one a line.
    fn json(&self, summary: &mut ImportSummary) -> Result<Vec<StagedTable>, ImportError> {
        let (mut text, encoding) = self.open()?;
        summary.format = "json".into();
        summary.encoding = encoding.to_string();
        let mut body = String::new();
        text.read_to_string(&mut body).map_err(self.read_error())?;
        let format_error = |message: String| ImportError::Format {
            file: self.file(),
            message,
        };
        if self.preset == Preset::Ga4DataApi {
            let tables: Vec<Table> = self
                .catalog
                .table("observations")
                .cloned()
                .into_iter()
                .collect();
            match crate::json::run_report(&body) {
                Ok(rows) => {
                    summary.format = "json (GA4 runReport)".into();
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
                    let records = rows
                        .into_iter()
                        .map(|(n, rows, raw)| (n, rows.map(Some), raw));
                    return self.sequential(&tables, records, summary, true);
                }
                // Rows someone flattened to objects (`[{date, activeUsers, …}]`).
                Err(error) if error.contains("metricHeaders") => {
                    let records = crate::json::records(&body).map_err(format_error)?;
                    summary.format = format!("json ({}, flattened report rows)", records.layout);
                    return self.observations(
                        &records.header,
                        &records.rows,
                        None,
                        "GA4 report rows",
                        summary,
                    );
                }
                Err(error) => return Err(format_error(error)),
            }
        }
        let records = crate::json::records(&body).map_err(format_error)?;
        summary.format = format!("json ({})", records.layout);
        if records.rows.is_empty() {
            summary
                .notes
                .push("the response holds no records: nothing to import".into());
            summary.tables = Vec::new();
            return Ok(Vec::new());
        }
        // Pipedrive's API writes times in UTC without saying so.
        let time_zone = if self.preset == Preset::PipedriveDeals {
            jiff::tz::TimeZone::UTC
        } else {
            self.options.time_zone.clone()
        };
        self.tabular(&records.header, records.rows, time_zone, summary)
    }

    /// An Excel workbook (or OpenDocument sheet): the first sheet with a header the preset
    /// knows, else the first sheet.
    fn xlsx(&self, summary: &mut ImportSummary) -> Result<Vec<StagedTable>, ImportError> {
        summary.format = "xlsx".into();
        let sheet =
            crate::sheet::read(self.path, self.preset).map_err(|message| ImportError::Format {
                file: self.file(),
                message,
            })?;
        summary.format = format!("xlsx (sheet `{}`)", sheet.name);
        summary.header_line = sheet.header_row;
        self.tabular(
            &sheet.header,
            sheet.rows,
            self.options.time_zone.clone(),
            summary,
        )
    }

    /// Any Parquet file, its columns by name (the `generic` preset and mappings).
    fn parquet(&self, summary: &mut ImportSummary) -> Result<Vec<StagedTable>, ImportError> {
        summary.format = "parquet".into();
        let (header, rows) =
            crate::sheet::parquet_rows(self.path).map_err(|message| ImportError::Format {
                file: self.file(),
                message,
            })?;
        let rows: Vec<(u64, Vec<String>)> =
            rows.collect::<Result<_, String>>()
                .map_err(|message| ImportError::Format {
                    file: self.file(),
                    message,
                })?;
        self.tabular(&header, rows, self.options.time_zone.clone(), summary)
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

    mod breakdowns {
        use arrow::array::{AsArray, Date32Array};
        use arrow::datatypes::{Float64Type, Int64Type};
        use proptest::prelude::*;

        use super::*;

        pub(super) fn options() -> ImportOptions {
            ImportOptions::new("meta-ads", "SEK", jiff::tz::TimeZone::UTC)
        }

        /// One breakdown row: (day 0..5, campaign 0..3, age group, cost in öre, impressions,
        /// clicks).
        fn row() -> impl Strategy<Value = (u8, u8, u8, u32, u32, u16)> {
            (
                0u8..5,
                0u8..3,
                0u8..6,
                0u32..500_000,
                0u32..100_000,
                0u16..2_000,
            )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(128))]

            /// A Meta export broken down by age: whatever the rows and their order, the imported
            /// spend has one row a campaign and day, and its totals are the file's.
            #[test]
            fn imported_totals_equal_the_files(rows in proptest::collection::vec(row(), 1..60)) {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("meta.csv");
                let mut text = String::from(
                    "Reporting starts,Reporting ends,Campaign name,Age,Amount spent (SEK),Impressions,Link clicks\n",
                );
                let mut totals: BTreeMap<(u8, u8), (u64, u64, u64)> = BTreeMap::new();
                for (day, campaign, age, cost, impressions, clicks) in &rows {
                    let date = format!("2026-03-{:02}", 10 + day);
                    text.push_str(&format!(
                        "{date},{date},Kampanj {campaign},{}-{},{}.{:02},{impressions},{clicks}\n",
                        18 + 10 * age,
                        27 + 10 * age,
                        cost / 100,
                        cost % 100
                    ));
                    let total = totals.entry((*day, *campaign)).or_default();
                    total.0 += u64::from(*cost);
                    total.1 += u64::from(*impressions);
                    total.2 += u64::from(*clicks);
                }
                std::fs::write(&path, text).unwrap();
                let store = DataStore::new(dir.path().join("data"));
                let catalog = Catalog::canonical();
                let summary = import_file(&store, &path, &options(), &catalog, &Silent).unwrap();
                prop_assert_eq!(summary.rejected, 0);
                prop_assert_eq!(summary.imported, rows.len() as u64);
                prop_assert_eq!(summary.summed, (rows.len() - totals.len()) as u64);
                let batch = store.read_table(catalog.table("spend").unwrap()).unwrap();
                prop_assert_eq!(batch.num_rows(), totals.len());
                let dates = batch.column_by_name("date").unwrap().as_any().downcast_ref::<Date32Array>().unwrap();
                let names = batch.column_by_name("campaign_name").unwrap().as_string::<i32>();
                let costs = batch.column_by_name("cost").unwrap().as_primitive::<Float64Type>();
                let impressions = batch.column_by_name("impressions").unwrap().as_primitive::<Int64Type>();
                let clicks = batch.column_by_name("clicks").unwrap().as_primitive::<Int64Type>();
                // 2026-03-10 is day 20 522 since 1970-01-01.
                let first_day = 20_522;
                for i in 0..batch.num_rows() {
                    let day = (dates.value(i) - first_day) as u8;
                    let campaign: u8 = names.value(i).trim_start_matches("Kampanj ").parse().unwrap();
                    let (cost, n_impressions, n_clicks) = totals[&(day, campaign)];
                    prop_assert_eq!((costs.value(i) * 100.0).round() as u64, cost);
                    prop_assert_eq!(impressions.value(i) as u64, n_impressions);
                    prop_assert_eq!(clicks.value(i) as u64, n_clicks);
                }
            }
        }
    }

    #[test]
    fn an_unknown_preset_is_refused_by_name_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("contacts.csv");
        std::fs::write(&path, "Record ID,Email\n1,anna@example.se\n").unwrap();
        let store = DataStore::new(dir.path().join("data"));
        let options = ImportOptions {
            preset: "hubspot-contact".into(),
            ..breakdowns::options()
        };
        let error =
            import_file(&store, &path, &options, &Catalog::canonical(), &Silent).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("`{}`: unknown preset `hubspot-contact`", path.display())
        );
        let ImportError::Plan { source, .. } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(
            source.hint().as_deref(),
            Some("see `utfall import --list-presets` for the presets")
        );
        assert!(!store.root().exists(), "nothing is written");
    }

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
    fn decimal_separators_from_values_that_read_one_way() {
        let cells = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        assert_eq!(
            decimal_evidence(&cells(&["412,30", "5", "SEK"])),
            Some(true)
        );
        assert_eq!(decimal_evidence(&cells(&["1.234,5"])), Some(true));
        assert_eq!(decimal_evidence(&cells(&["1 234,50 kr"])), Some(true));
        assert_eq!(
            decimal_evidence(&cells(&["US$24.90", "2026-11-01"])),
            Some(false)
        );
        assert_eq!(decimal_evidence(&cells(&["25.00", "31,193"])), Some(false));
        assert_eq!(decimal_evidence(&cells(&["1,234.50"])), Some(false));
        // `1,234` and `1.234` read both ways; dates and text say nothing.
        assert_eq!(
            decimal_evidence(&cells(&["1,234", "1.234", "26.11.2026", "a,b"])),
            None
        );
        assert_eq!(decimal_evidence(&cells(&["412,30", "25.00"])), None);
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
