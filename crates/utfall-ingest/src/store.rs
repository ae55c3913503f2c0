//! The workspace's data folder: one Parquet file per canonical table, a quarantine of rejected
//! rows, and `_manifest.json`, which says which files are current.
//!
//! Every change is atomic: new files are written under temporary names, synced and renamed,
//! and the manifest is replaced last. A reader only trusts files the manifest names, so a crash
//! or `kill -9` at any moment leaves the previous state (or the new one) readable; files left
//! over by an interrupted write are removed the next time the store is opened for writing.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use arrow::array::{Array, BooleanArray};
use arrow::compute::{concat_batches, filter_record_batch};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};
use utfall_model::catalog::Table;

use crate::table::schema;

pub const MANIFEST: &str = "_manifest.json";
pub const QUARANTINE_DIR: &str = "_quarantine";

/// A problem with the data folder.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("failed to {action} `{}`", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` is damaged: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error("failed to write the Parquet file `{}`", path.display())]
    Parquet {
        path: PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },
    #[error("Arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
}

fn io<'p>(action: &'static str, path: &'p Path) -> impl FnOnce(std::io::Error) -> StoreError + 'p {
    move |source| StoreError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// The current file of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableFile {
    /// Relative to the data folder.
    pub file: String,
    pub rows: u64,
}

/// One entry of the import log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRecord {
    pub id: String,
    pub file: String,
    pub sha256: String,
    pub preset: String,
    pub tables: Vec<String>,
    pub read: u64,
    pub imported: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub quarantine: Option<String>,
    /// RFC 3339, UTC.
    pub at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub tables: BTreeMap<String, TableFile>,
    pub imports: Vec<ImportRecord>,
}

/// The data folder of a workspace.
#[derive(Debug, Clone)]
pub struct DataStore {
    root: PathBuf,
}

/// New rows for one table.
#[derive(Debug)]
pub struct TableChange {
    pub table: Table,
    pub batch: RecordBatch,
}

/// What a commit did to one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeCounts {
    /// Rows added that were new.
    pub inserted: u64,
    /// Rows that replaced an existing row with the same natural key, or an earlier row of the
    /// same import.
    pub duplicates: u64,
}

fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io("create", dir))?;
    let temporary = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut file = File::create(&temporary).map_err(io("create", &temporary))?;
    file.write_all(bytes).map_err(io("write", &temporary))?;
    file.sync_all().map_err(io("sync", &temporary))?;
    drop(file);
    std::fs::rename(&temporary, path).map_err(io("rename", &temporary))?;
    sync_dir(dir);
    Ok(())
}

impl DataStore {
    pub fn new(root: impl Into<PathBuf>) -> DataStore {
        DataStore { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn manifest(&self) -> Result<Manifest, StoreError> {
        let path = self.root.join(MANIFEST);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|error| StoreError::Corrupt {
                path: path.clone(),
                reason: error.to_string(),
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Manifest {
                version: 1,
                ..Manifest::default()
            }),
            Err(source) => Err(StoreError::Io {
                action: "read",
                path,
                source,
            }),
        }
    }

    /// The current rows of a table (empty if it has none).
    pub fn read_table(&self, table: &Table) -> Result<RecordBatch, StoreError> {
        let manifest = self.manifest()?;
        self.read_file(table, manifest.tables.get(&table.name))
    }

    fn read_file(
        &self,
        table: &Table,
        entry: Option<&TableFile>,
    ) -> Result<RecordBatch, StoreError> {
        let schema = schema(table);
        let Some(entry) = entry else {
            return Ok(RecordBatch::new_empty(schema));
        };
        let path = self.root.join(&entry.file);
        let file = File::open(&path).map_err(io("open", &path))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|builder| builder.build())
            .map_err(|source| StoreError::Parquet {
                path: path.clone(),
                source,
            })?;
        let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>()?;
        let file_schema = batches
            .first()
            .map(|b| b.schema())
            .unwrap_or_else(|| schema.clone());
        Ok(concat_batches(&file_schema, &batches)?)
    }

    /// Removes files that no manifest names (left by an interrupted write).
    pub fn clean(&self) -> Result<(), StoreError> {
        let manifest = self.manifest()?;
        let mut keep: HashSet<PathBuf> = manifest
            .tables
            .values()
            .map(|t| self.root.join(&t.file))
            .collect();
        keep.extend(
            manifest
                .imports
                .iter()
                .filter_map(|i| i.quarantine.as_ref())
                .map(|q| self.root.join(q)),
        );
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                for file in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                    let file = file.path();
                    if !keep.contains(&file) {
                        let _ = std::fs::remove_file(&file);
                    }
                }
            } else if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("_manifest.tmp"))
            {
                let _ = std::fs::remove_file(&path);
            }
        }
        Ok(())
    }

    /// Merges new rows into their tables (the later import wins on a natural key), writes the
    /// quarantine, and records the import — all or nothing.
    pub fn commit(
        &self,
        changes: Vec<TableChange>,
        quarantine: Option<(String, Vec<u8>)>,
        mut record: ImportRecord,
    ) -> Result<Vec<MergeCounts>, StoreError> {
        std::fs::create_dir_all(&self.root).map_err(io("create", &self.root))?;
        self.clean()?;
        let mut manifest = self.manifest()?;
        manifest.version = 1;
        let mut counts = Vec::new();
        let mut replaced: Vec<PathBuf> = Vec::new();
        for change in changes {
            let existing =
                self.read_file(&change.table, manifest.tables.get(&change.table.name))?;
            let (merged, merge_counts) = merge(&change.table, &existing, &change.batch)?;
            let relative = format!("{}/part-{}.parquet", change.table.name, record.id);
            let path = self.root.join(&relative);
            write_parquet(&path, &merged)?;
            if let Some(old) = manifest.tables.get(&change.table.name) {
                replaced.push(self.root.join(&old.file));
            }
            manifest.tables.insert(
                change.table.name.clone(),
                TableFile {
                    file: relative,
                    rows: merged.num_rows() as u64,
                },
            );
            counts.push(merge_counts);
        }
        if let Some((name, bytes)) = quarantine {
            let relative = format!("{QUARANTINE_DIR}/{name}");
            write_atomically(&self.root.join(&relative), &bytes)?;
            record.quarantine = Some(relative);
        }
        record.duplicates = counts.iter().map(|c| c.duplicates).sum();
        manifest.imports.push(record);
        let bytes = serde_json::to_vec_pretty(&manifest).map_err(|error| StoreError::Corrupt {
            path: self.root.join(MANIFEST),
            reason: error.to_string(),
        })?;
        // The switch: until this rename, the previous manifest and its files are the truth.
        write_atomically(&self.root.join(MANIFEST), &bytes)?;
        for old in replaced {
            let _ = std::fs::remove_file(old);
        }
        Ok(counts)
    }
}

fn write_parquet(path: &Path, batch: &RecordBatch) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io("create", dir))?;
    let temporary = path.with_extension("parquet.tmp");
    let file = File::create(&temporary).map_err(io("create", &temporary))?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let parquet_error = |source| StoreError::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let mut writer =
        ArrowWriter::try_new(file, batch.schema(), Some(properties)).map_err(parquet_error)?;
    writer.write(batch).map_err(parquet_error)?;
    let file = writer.into_inner().map_err(parquet_error)?;
    file.sync_all().map_err(io("sync", &temporary))?;
    drop(file);
    std::fs::rename(&temporary, path).map_err(io("rename", &temporary))?;
    sync_dir(dir);
    Ok(())
}

/// The natural key of each row, as text.
fn keys(table: &Table, batch: &RecordBatch) -> Result<Vec<String>, StoreError> {
    let options = FormatOptions::default();
    let columns: Vec<&arrow::array::ArrayRef> = table
        .key
        .iter()
        .filter_map(|k| batch.column_by_name(k))
        .collect();
    let formatters: Vec<ArrayFormatter<'_>> = columns
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
        .collect::<Result<_, _>>()?;
    Ok((0..batch.num_rows())
        .map(|row| {
            let mut key = String::new();
            for (formatter, column) in formatters.iter().zip(&columns) {
                if !column.is_null(row) {
                    key.push_str(&formatter.value(row).to_string());
                }
                key.push('\u{1f}');
            }
            key
        })
        .collect())
}

/// Existing rows not replaced by new ones, then the new rows (the last of equal keys wins).
fn merge(
    table: &Table,
    existing: &RecordBatch,
    new: &RecordBatch,
) -> Result<(RecordBatch, MergeCounts), StoreError> {
    let new_keys = keys(table, new)?;
    let mut seen: HashSet<&str> = HashSet::new();
    let mut keep_new = vec![false; new_keys.len()];
    for (i, key) in new_keys.iter().enumerate().rev() {
        keep_new[i] = seen.insert(key.as_str());
    }
    let existing_keys = keys(table, existing)?;
    let keep_existing: Vec<bool> = existing_keys
        .iter()
        .map(|key| !seen.contains(key.as_str()))
        .collect();
    let n_replaced = keep_existing.iter().filter(|k| !**k).count() as u64;
    let n_within = keep_new.iter().filter(|k| !**k).count() as u64;
    let kept_existing = filter_record_batch(existing, &BooleanArray::from(keep_existing))?;
    let kept_new = filter_record_batch(new, &BooleanArray::from(keep_new))?;
    let inserted = (kept_new.num_rows() as u64).saturating_sub(n_replaced);
    let merged = concat_batches(&new.schema(), [&kept_existing, &kept_new])?;
    Ok((
        merged,
        MergeCounts {
            inserted,
            duplicates: n_replaced + n_within,
        },
    ))
}
