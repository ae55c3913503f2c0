//! The workspace's data folder: one Parquet file per canonical table, a quarantine of rejected
//! rows, and `_manifest.json`, which says which files are current.
//!
//! A change is an import's commit ([`DataStore::commit`]) or the removal of every table
//! ([`DataStore::clear`]). Every change is atomic: new files are written under temporary
//! names, synced and renamed, and the manifest is replaced last. A reader only trusts files the manifest names, so a crash
//! or `kill -9` at any moment leaves the previous state (or the new one) readable; files left
//! over by an interrupted write are removed the next time the store is opened for writing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::hash::{BuildHasher as _, Hasher};

use foldhash::quality::FixedState;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use arrow::array::{
    Array, BooleanArray, Date32Array, Float64Array, Int64Array, StringArray,
    TimestampMicrosecondArray,
};
use arrow::compute::{concat_batches, filter_record_batch};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;
use serde::{Deserialize, Serialize};
use utfall_model::catalog::{ColumnType, Table};

use crate::table::schema;

/// The file naming the current parts of every table and the import log.
pub const MANIFEST: &str = "_manifest.json";
/// Where each import's rejected records are kept, one CSV file an import.
pub const QUARANTINE_DIR: &str = "_quarantine";
/// Where a change's files wait for its commit (removed by the next writer if it never comes).
pub const STAGING_DIR: &str = "_staging";
/// Held (as an advisory lock) by the one process writing the store.
pub const LOCK: &str = "_lock";

/// A problem with the data folder.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file operation failed.
    #[error("failed to {action} `{}`", path.display())]
    Io {
        /// What was done (`create`, `rename`, `sync`…).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The manifest cannot be read or written as JSON.
    #[error("`{}` is damaged: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A Parquet part could not be written or read.
    #[error("failed to write the Parquet file `{}`", path.display())]
    Parquet {
        /// The part.
        path: PathBuf,
        /// What the Parquet library said.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// An Arrow operation failed (reading, filtering or concatenating batches).
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

/// One part file of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartFile {
    /// Relative to the data folder.
    pub file: String,
    /// Rows in the part.
    pub rows: u64,
}

/// The current parts of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableFile {
    /// The parts, in the order they were written.
    #[serde(default)]
    pub parts: Vec<PartFile>,
    /// Version 1 kept one file a table; read, never written.
    #[serde(default, skip_serializing)]
    file: Option<String>,
    /// Rows in all parts.
    pub rows: u64,
}

impl TableFile {
    /// The part files, relative to the data folder.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().map(|p| p.file.as_str())
    }
}

/// One entry of the import log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRecord {
    /// The import's id (also in its part and quarantine file names).
    pub id: String,
    /// The file imported, as named on the command line.
    pub file: String,
    /// The file's SHA-256, in hex (an import of the same file with the same preset is skipped).
    pub sha256: String,
    /// The preset that read it.
    pub preset: String,
    /// The tables it wrote.
    pub tables: Vec<String>,
    /// Records read.
    pub read: u64,
    /// Records imported.
    pub imported: u64,
    /// Rows that replaced a row with the same natural key.
    pub duplicates: u64,
    /// Records rejected (kept in the quarantine).
    pub rejected: u64,
    /// The quarantine file, relative to the data folder, if any record was rejected.
    pub quarantine: Option<String>,
    /// RFC 3339, UTC.
    pub at: String,
    /// The file's size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// The contents of [`MANIFEST`]: what the data folder holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The format's version (older ones are read and upgraded).
    pub version: u32,
    /// Each table's current parts, by table name.
    pub tables: BTreeMap<String, TableFile>,
    /// The import log, oldest first.
    pub imports: Vec<ImportRecord>,
    /// Files the last change replaced, removed by the next one: a reader that opened the
    /// previous manifest can still finish.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<String>,
}

/// The data folder of a workspace.
#[derive(Debug, Clone)]
pub struct DataStore {
    root: PathBuf,
}

/// What a commit did to one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeCounts {
    /// Rows added that were new.
    pub inserted: u64,
    /// Rows that replaced an existing row with the same natural key, or an earlier row of the
    /// same import.
    pub duplicates: u64,
    /// Of those, rows of earlier imports replaced (a restatement).
    pub replaced: u64,
    /// Of those, earlier rows of the same import replaced by a later row with the same key.
    pub within_file: u64,
}

/// The steps of a change at which a crash can be simulated, in the order a change reaches them.
/// When the environment variable `UTFALL_FAILPOINT` holds one of these names, the process
/// aborts (`std::process::abort`, as a crash would) the first time it reaches that step; any
/// other value, or none, changes nothing. The kill test in `tests/it/import.rs` runs an import
/// stopped at each of them and checks that the data folder holds the old or the new state.
///
/// - `after-staged-part-synced`: a new part of the change written and synced under its
///   temporary name (`*.parquet.tmp`).
/// - `after-staged-part-renamed`: that part renamed to its own name, which no manifest names yet.
/// - `after-staging-written`: the commit begins; every new part and key file is written.
/// - `after-rewritten-part-synced`: the merge rewrote a part that lost rows to a later row with
///   the same key, synced under its temporary name.
/// - `after-rewritten-part-renamed`: that rewritten part renamed to its own name.
/// - `after-merge-written`: a table's merge is done (its rewritten parts in place, new parts
///   that lost rows removed).
/// - `after-compacted-part-synced`: compaction wrote a part of a table's small parts, synced
///   under its temporary name.
/// - `after-compacted-part-renamed`: that compacted part renamed to its own name.
/// - `after-quarantine-synced`: the change's rejected rows synced in the staging folder.
/// - `after-quarantine-moved`: the quarantine renamed into `_quarantine/`.
/// - `after-manifest-temp-written`: the new manifest written and synced under a temporary name.
/// - `after-manifest-renamed`: the new manifest renamed over the old one (the switch).
/// - `after-retired-removed`: the files the previous change replaced are removed.
/// - `after-staging-removed`: the staging folder is removed; the commit is complete.
pub const FAILPOINTS: &[&str] = &[
    "after-staged-part-synced",
    "after-staged-part-renamed",
    "after-staging-written",
    "after-rewritten-part-synced",
    "after-rewritten-part-renamed",
    "after-merge-written",
    "after-compacted-part-synced",
    "after-compacted-part-renamed",
    "after-quarantine-synced",
    "after-quarantine-moved",
    "after-manifest-temp-written",
    "after-manifest-renamed",
    "after-retired-removed",
    "after-staging-removed",
];

/// The environment variable that names the step of [`FAILPOINTS`] to abort at.
pub const FAILPOINT_VARIABLE: &str = "UTFALL_FAILPOINT";

/// Aborts the process if [`FAILPOINT_VARIABLE`] names `step` (read once per process).
fn failpoint(step: &'static str) {
    static CHOSEN: OnceLock<Option<String>> = OnceLock::new();
    debug_assert!(FAILPOINTS.contains(&step), "`{step}` is not in FAILPOINTS");
    let chosen = CHOSEN.get_or_init(|| std::env::var(FAILPOINT_VARIABLE).ok());
    if chosen.as_deref() == Some(step) {
        std::process::abort();
    }
}

/// The failpoints around replacing a file: after its temporary is synced, after the rename.
#[derive(Debug, Clone, Copy)]
struct ReplaceSteps {
    synced: &'static str,
    renamed: &'static str,
}

/// A part of the change, written as rows come.
const STAGED_PART: ReplaceSteps = ReplaceSteps {
    synced: "after-staged-part-synced",
    renamed: "after-staged-part-renamed",
};
/// A part the merge rewrites without the rows it lost.
const REWRITTEN_PART: ReplaceSteps = ReplaceSteps {
    synced: "after-rewritten-part-synced",
    renamed: "after-rewritten-part-renamed",
};
/// A part compaction writes from small ones.
const COMPACTED_PART: ReplaceSteps = ReplaceSteps {
    synced: "after-compacted-part-synced",
    renamed: "after-compacted-part-renamed",
};
/// The manifest.
const MANIFEST_FILE: ReplaceSteps = ReplaceSteps {
    synced: "after-manifest-temp-written",
    renamed: "after-manifest-renamed",
};

fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    replace_file(path, bytes, None)
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it over `path`,
/// passing the failpoints of `steps` on the way.
fn replace_file(path: &Path, bytes: &[u8], steps: Option<ReplaceSteps>) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io("create", dir))?;
    let temporary = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut file = File::create(&temporary).map_err(io("create", &temporary))?;
    file.write_all(bytes).map_err(io("write", &temporary))?;
    file.sync_all().map_err(io("sync", &temporary))?;
    drop(file);
    if let Some(steps) = steps {
        failpoint(steps.synced);
    }
    std::fs::rename(&temporary, path).map_err(io("rename", &temporary))?;
    if let Some(steps) = steps {
        failpoint(steps.renamed);
    }
    sync_dir(dir);
    Ok(())
}

impl DataStore {
    /// The store in the folder `root` (nothing is read or created yet).
    pub fn new(root: impl Into<PathBuf>) -> DataStore {
        DataStore { root: root.into() }
    }

    /// The data folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The current manifest (an empty one before the first import).
    pub fn manifest(&self) -> Result<Manifest, StoreError> {
        let path = self.root.join(MANIFEST);
        let mut manifest: Manifest = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|error| StoreError::Corrupt {
                path: path.clone(),
                reason: error.to_string(),
            })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Manifest::default(),
            Err(source) => {
                return Err(StoreError::Io {
                    action: "read",
                    path,
                    source,
                });
            }
        };
        for table in manifest.tables.values_mut() {
            if let Some(file) = table.file.take()
                && table.parts.is_empty()
            {
                table.parts.push(PartFile {
                    file,
                    rows: table.rows,
                });
            }
        }
        manifest.version = MANIFEST_VERSION;
        Ok(manifest)
    }

    /// The current part files of each table, as paths.
    pub fn table_paths(&self) -> Result<BTreeMap<String, Vec<PathBuf>>, StoreError> {
        Ok(self
            .manifest()?
            .tables
            .iter()
            .map(|(name, table)| {
                let paths = table.files().map(|f| self.root.join(f)).collect();
                (name.clone(), paths)
            })
            .collect())
    }

    /// Calls `each` with the natural-key values of every current row of `table`, in the
    /// table's key order (a dry run counts the rows an import would replace).
    pub fn for_each_key(
        &self,
        table: &Table,
        mut each: impl FnMut(&[Option<crate::table::Value>]),
    ) -> Result<(), StoreError> {
        use crate::table::Value;
        use arrow::array::{Array, AsArray};
        use arrow::datatypes::{
            DataType, Date32Type, Float64Type, Int64Type, TimeUnit, TimestampMicrosecondType,
        };
        if table.key.is_empty() {
            return Ok(());
        }
        let manifest = self.manifest()?;
        let Some(file) = manifest.tables.get(&table.name) else {
            return Ok(());
        };
        for part in &file.parts {
            let path = self.root.join(&part.file);
            for batch in part_reader(&path, Some(&table.key))? {
                let batch = batch?;
                let columns: Vec<_> = table
                    .key
                    .iter()
                    .map(|k| batch.column_by_name(k).cloned())
                    .collect();
                let mut values = vec![None; columns.len()];
                for row in 0..batch.num_rows() {
                    for (value, column) in values.iter_mut().zip(&columns) {
                        *value = column.as_ref().filter(|c| !c.is_null(row)).and_then(|c| {
                            Some(match c.data_type() {
                                DataType::Utf8 => {
                                    Value::Text(c.as_string::<i32>().value(row).to_string())
                                }
                                DataType::Int64 => {
                                    Value::Integer(c.as_primitive::<Int64Type>().value(row))
                                }
                                DataType::Float64 => {
                                    Value::Float(c.as_primitive::<Float64Type>().value(row))
                                }
                                DataType::Boolean => Value::Bool(c.as_boolean().value(row)),
                                DataType::Date32 => {
                                    let days = c.as_primitive::<Date32Type>().value(row);
                                    Value::Date(
                                        jiff::civil::Date::constant(1970, 1, 1)
                                            .checked_add(jiff::Span::new().days(i64::from(days)))
                                            .ok()?,
                                    )
                                }
                                DataType::Timestamp(TimeUnit::Microsecond, _) => Value::Timestamp(
                                    jiff::Timestamp::from_microsecond(
                                        c.as_primitive::<TimestampMicrosecondType>().value(row),
                                    )
                                    .ok()?,
                                ),
                                _ => return None,
                            })
                        });
                    }
                    each(&values);
                }
            }
        }
        Ok(())
    }

    /// The current rows of a table, all in memory (empty if it has none). For small tables and
    /// tests; the engine scans the parts.
    pub fn read_table(&self, table: &Table) -> Result<RecordBatch, StoreError> {
        let manifest = self.manifest()?;
        let schema = schema(table);
        let mut batches = Vec::new();
        for part in manifest
            .tables
            .get(&table.name)
            .into_iter()
            .flat_map(|t| &t.parts)
        {
            let path = self.root.join(&part.file);
            for batch in part_reader(&path, None)? {
                batches.push(batch?);
            }
        }
        let file_schema = batches.first().map_or(schema, RecordBatch::schema);
        Ok(concat_batches(&file_schema, &batches)?)
    }

    /// Removes what an interrupted write left behind: files no manifest names, and staging.
    /// Called only under the store's lock.
    fn clean(&self) -> Result<(), StoreError> {
        let manifest = self.manifest()?;
        let mut keep: HashSet<PathBuf> = manifest
            .tables
            .values()
            .flat_map(TableFile::files)
            .map(|f| self.root.join(f))
            .collect();
        keep.extend(manifest.retired.iter().map(|f| self.root.join(f)));
        keep.extend(
            manifest
                .imports
                .iter()
                .filter_map(|i| i.quarantine.as_ref())
                .map(|q| self.root.join(q)),
        );
        let _ = std::fs::remove_dir_all(self.root.join(STAGING_DIR));
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                for file in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                    let file = file.path();
                    if file.is_file() && !keep.contains(&file) {
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

    /// Starts a change: takes the store's lock (one writer at a time; a killed writer's lock
    /// goes with its process), removes what an interrupted one left, and opens a staging folder.
    pub fn stage(&self, id: &str) -> Result<Staging, StoreError> {
        std::fs::create_dir_all(&self.root).map_err(io("create", &self.root))?;
        let lock_path = self.root.join(LOCK);
        let lock = File::create(&lock_path).map_err(io("create", &lock_path))?;
        lock.lock().map_err(io("lock", &lock_path))?;
        self.clean()?;
        let dir = self.root.join(STAGING_DIR).join(id);
        std::fs::create_dir_all(&dir).map_err(io("create", &dir))?;
        Ok(Staging {
            shared: Arc::new(Shared {
                root: self.root.clone(),
                id: id.to_string(),
                dir,
                hashers: [random_state(), random_state()],
                next_code: AtomicU32::new(0),
                _lock: lock,
            }),
        })
    }

    /// Merges staged rows into their tables (on a natural key, the later row wins: this
    /// import's over earlier imports', and a later row of the file over an earlier one), moves
    /// the quarantine into place and records the import — all or nothing: until the manifest
    /// is replaced, the previous state is the truth.
    pub fn commit(
        &self,
        staging: Staging,
        staged: Vec<StagedTable>,
        quarantine: Option<PathBuf>,
        mut record: ImportRecord,
    ) -> Result<Vec<MergeCounts>, StoreError> {
        failpoint("after-staging-written");
        let mut manifest = self.manifest()?;
        let mut groups: Vec<(Table, Vec<StagedTable>)> = Vec::new();
        for table in staged {
            match groups.iter_mut().find(|(t, _)| t.name == table.table.name) {
                Some((_, group)) => group.push(table),
                None => groups.push((table.table.clone(), vec![table])),
            }
        }
        let mut counts = Vec::new();
        let mut replaced: Vec<PathBuf> = Vec::new();
        for (table, group) in groups {
            let existing = manifest
                .tables
                .get(&table.name)
                .map(|t| t.parts.clone())
                .unwrap_or_default();
            let (parts, merge_counts, old) = self.merge(&staging, &table, existing, group)?;
            replaced.extend(old);
            failpoint("after-merge-written");
            let (parts, old) = self.compact(&staging, &table, parts)?;
            replaced.extend(old);
            let rows = parts.iter().map(|p| p.rows).sum();
            manifest.tables.insert(
                table.name.clone(),
                TableFile {
                    parts,
                    file: None,
                    rows,
                },
            );
            counts.push(merge_counts);
        }
        if let Some(temporary) = quarantine {
            let relative = format!("{QUARANTINE_DIR}/{}.csv", staging.shared.id);
            let path = self.root.join(&relative);
            let dir = self.root.join(QUARANTINE_DIR);
            std::fs::create_dir_all(&dir).map_err(io("create", &dir))?;
            File::open(&temporary)
                .and_then(|f| f.sync_all())
                .map_err(io("sync", &temporary))?;
            failpoint("after-quarantine-synced");
            std::fs::rename(&temporary, &path).map_err(io("rename", &temporary))?;
            sync_dir(&dir);
            failpoint("after-quarantine-moved");
            record.quarantine = Some(relative);
        }
        record.duplicates = counts.iter().map(|c| c.duplicates).sum();
        manifest.imports.push(record);
        self.switch(staging, manifest, &replaced)?;
        Ok(counts)
    }

    /// Removes every table from the data folder, as one change through the same protocol as
    /// [`DataStore::commit`]: under the lock, the manifest is replaced by one without tables,
    /// and the files the old one named (parts and quarantines) are listed as retired — a reader
    /// of the old manifest can still finish — and removed by the next change. A crash at any
    /// step leaves the old state or the new one. A folder that does not exist is left so.
    ///
    /// The import log is reset too: it says how the tables' rows came in, and a log kept
    /// without its rows would make importing the same file again a no-op (the file would be
    /// "already imported") into empty tables.
    pub fn clear(&self) -> Result<(), StoreError> {
        if !self.root.exists() {
            return Ok(());
        }
        let now = jiff::Timestamp::now();
        let id = format!(
            "clear-{}-{:x}{:08x}",
            now.as_second(),
            std::process::id(),
            now.subsec_nanosecond()
        );
        let staging = self.stage(&id)?;
        let old = self.manifest()?;
        let replaced: Vec<PathBuf> = old
            .tables
            .values()
            .flat_map(TableFile::files)
            .chain(old.imports.iter().filter_map(|i| i.quarantine.as_deref()))
            .map(|file| self.root.join(file))
            .collect();
        let manifest = Manifest {
            version: MANIFEST_VERSION,
            tables: BTreeMap::new(),
            imports: Vec::new(),
            // Removed by this change, once the new manifest is in place.
            retired: old.retired,
        };
        self.switch(staging, manifest, &replaced)
    }

    /// The end of every change: `manifest` replaces the current one with `replaced` (the files
    /// this change supersedes) as its retired list, then the files the previous change retired
    /// and the staging folder are removed. Until the manifest's rename, the previous manifest
    /// and its files are the truth.
    fn switch(
        &self,
        staging: Staging,
        mut manifest: Manifest,
        replaced: &[PathBuf],
    ) -> Result<(), StoreError> {
        let previous_retired = std::mem::replace(
            &mut manifest.retired,
            replaced
                .iter()
                .filter_map(|p| p.strip_prefix(&self.root).ok())
                .map(|p| p.to_string_lossy().into_owned())
                .collect(),
        );
        let bytes = serde_json::to_vec_pretty(&manifest).map_err(|error| StoreError::Corrupt {
            path: self.root.join(MANIFEST),
            reason: error.to_string(),
        })?;
        // The switch: until this rename, the previous manifest and its files are the truth.
        replace_file(&self.root.join(MANIFEST), &bytes, Some(MANIFEST_FILE))?;
        for old in previous_retired {
            let _ = std::fs::remove_file(self.root.join(old));
        }
        failpoint("after-retired-removed");
        let _ = std::fs::remove_dir_all(&staging.shared.dir);
        failpoint("after-staging-removed");
        Ok(())
    }

    /// Keeps the number of parts small: once a table has more than [`MAX_PARTS`], its small
    /// parts (under a quarter of [`PART_ROWS`]) are rewritten into as few as they fill,
    /// batch by batch. Returns the parts and the files they replace.
    fn compact(
        &self,
        staging: &Staging,
        table: &Table,
        parts: Vec<PartFile>,
    ) -> Result<(Vec<PartFile>, Vec<PathBuf>), StoreError> {
        let small = |p: &PartFile| p.rows < PART_ROWS / 4;
        if parts.len() <= MAX_PARTS || parts.iter().filter(|p| small(p)).count() < 2 {
            return Ok((parts, Vec::new()));
        }
        let (small_parts, mut kept): (Vec<PartFile>, Vec<PartFile>) =
            parts.into_iter().partition(|p| small(p));
        let mut replaced = Vec::new();
        let mut writer: Option<PartWriter> = None;
        for part in &small_parts {
            let path = self.root.join(&part.file);
            for batch in part_reader(&path, None)? {
                let batch = batch?;
                if writer.as_ref().is_some_and(|w| w.rows >= PART_ROWS)
                    && let Some(full) = writer.take()
                {
                    kept.push(full.close(COMPACTED_PART)?);
                }
                if writer.is_none() {
                    let code = staging.shared.next_code.fetch_add(1, Ordering::Relaxed);
                    writer = Some(PartWriter::create(&staging.shared, table, code)?);
                }
                if let Some(writer) = writer.as_mut() {
                    writer.write(&batch)?;
                }
            }
            replaced.push(path);
        }
        if let Some(writer) = writer {
            kept.push(writer.close(COMPACTED_PART)?);
        }
        Ok((kept, replaced))
    }

    /// One table's merge: which rows of which parts lose to a later row with the same key,
    /// found bucket by bucket from the key hashes, and the parts that lost rows rewritten.
    /// Returns the table's parts, the counts, and the files the new parts replace.
    fn merge(
        &self,
        staging: &Staging,
        table: &Table,
        existing: Vec<PartFile>,
        staged: Vec<StagedTable>,
    ) -> Result<(Vec<PartFile>, MergeCounts, Vec<PathBuf>), StoreError> {
        let new_rows: u64 = staged
            .iter()
            .flat_map(|s| &s.parts)
            .map(|p| p.part.rows)
            .sum();
        // (code, part) for every part in play; existing parts carry the high bit.
        let mut parts: Vec<(u32, PartFile, bool)> = existing
            .into_iter()
            .enumerate()
            .map(|(i, p)| (EXISTING | i as u32, p, true))
            .collect();
        for s in &staged {
            parts.extend(s.parts.iter().map(|p| (p.code, p.part.clone(), false)));
        }
        if table.key.is_empty() || new_rows == 0 {
            let parts = parts.into_iter().map(|(_, p, _)| p).collect();
            let counts = MergeCounts {
                inserted: new_rows,
                ..MergeCounts::default()
            };
            return Ok((parts, counts, Vec::new()));
        }
        // Key hashes of the existing rows, in the same buckets as the staged ones.
        let mut existing_keys = KeySpill::new(&staging.shared.dir, &format!("{}-old", table.name));
        for (code, part, is_existing) in &parts {
            if !is_existing {
                continue;
            }
            let mut row = 0u32;
            let path = self.root.join(&part.file);
            for batch in part_reader(&path, Some(&table.key))? {
                let batch = batch?;
                for hash in key_hashes(&batch, &table.key, &staging.shared.hashers) {
                    existing_keys.push(Entry {
                        hash,
                        order: 0,
                        part: *code,
                        row,
                    })?;
                    row += 1;
                }
            }
        }
        let mut spills: Vec<KeySpill> = staged.into_iter().map(|s| s.keys).collect();
        spills.push(existing_keys);
        let mut drops: HashMap<u32, Vec<u64>> = HashMap::new();
        let rows_of: HashMap<u32, u64> = parts.iter().map(|(c, p, _)| (*c, p.rows)).collect();
        let (mut dropped_existing, mut dropped_new) = (0u64, 0u64);
        for bucket in 0..BUCKETS {
            let mut entries = Vec::new();
            for spill in &mut spills {
                spill.take_bucket(bucket, &mut entries)?;
            }
            entries.sort_unstable_by_key(|e| (e.hash, e.order));
            for pair in entries.windows(2) {
                if pair[0].hash == pair[1].hash {
                    let loser = pair[0];
                    let bits = drops.entry(loser.part).or_insert_with(|| {
                        vec![0; rows_of.get(&loser.part).map_or(0, |r| r.div_ceil(64)) as usize]
                    });
                    if let Some(word) = bits.get_mut(loser.row as usize / 64) {
                        *word |= 1 << (loser.row % 64);
                    }
                    if loser.part & EXISTING != 0 {
                        dropped_existing += 1;
                    } else {
                        dropped_new += 1;
                    }
                }
            }
        }
        let mut kept = Vec::new();
        let mut replaced = Vec::new();
        for (code, part, is_existing) in parts {
            let Some(bits) = drops.get(&code) else {
                kept.push(part);
                continue;
            };
            let path = self.root.join(&part.file);
            let n_dropped: u64 = bits.iter().map(|w| u64::from(w.count_ones())).sum();
            if n_dropped < part.rows {
                let code = staging.shared.next_code.fetch_add(1, Ordering::Relaxed);
                let mut writer = PartWriter::create(&staging.shared, table, code)?;
                let mut row = 0usize;
                for batch in part_reader(&path, None)? {
                    let batch = batch?;
                    let keep: BooleanArray = (row..row + batch.num_rows())
                        .map(|r| Some(bits[r / 64] & (1 << (r % 64)) == 0))
                        .collect();
                    row += batch.num_rows();
                    writer.write(&filter_record_batch(&batch, &keep)?)?;
                }
                kept.push(writer.close(REWRITTEN_PART)?);
            }
            if is_existing {
                replaced.push(path);
            } else {
                let _ = std::fs::remove_file(&path);
            }
        }
        let counts = MergeCounts {
            inserted: (new_rows - dropped_new).saturating_sub(dropped_existing),
            duplicates: dropped_existing + dropped_new,
            replaced: dropped_existing,
            within_file: dropped_new,
        };
        Ok((kept, counts, replaced))
    }
}

const MANIFEST_VERSION: u32 = 2;
/// Parts of the table before this change carry this bit in their code.
const EXISTING: u32 = 1 << 31;
/// Parts a table may have before its small ones are compacted.
const MAX_PARTS: usize = 8;
/// Rows a part file takes before its writer starts the next.
const PART_ROWS: u64 = 8_000_000;
/// Rows of a Parquet row group (what a writer holds in memory).
const ROW_GROUP_ROWS: usize = 128 * 1024;
/// Key hashes are partitioned into this many buckets, so a merge holds one at a time.
const BUCKETS: usize = 64;
/// Key entries a writer holds in memory before it spills them to disk (32 bytes each).
const SPILL_AT: usize = 1 << 20;

/// A hasher seeded at random (keys cannot be chosen to collide).
fn random_state() -> FixedState {
    FixedState::with_seed(std::hash::RandomState::new().hash_one(0u64))
}

/// An open change of the store: the lock, the staging folder and what its writers share.
#[derive(Debug, Clone)]
pub struct Staging {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    root: PathBuf,
    id: String,
    dir: PathBuf,
    /// Two independently seeded hashers make a 128-bit key hash.
    hashers: [FixedState; 2],
    next_code: AtomicU32,
    _lock: File,
}

impl Staging {
    /// A file in the staging folder (removed with it).
    pub fn path(&self, name: &str) -> PathBuf {
        self.shared.dir.join(name)
    }

    /// A writer of new rows for one table; several may write the same table at once.
    pub fn writer(&self, table: &Table) -> TableWriter {
        let code = self.shared.next_code.fetch_add(1, Ordering::Relaxed);
        TableWriter {
            table: table.clone(),
            shared: self.shared.clone(),
            keys: KeySpill::new(&self.shared.dir, &format!("{}-{code}", table.name)),
            current: None,
            parts: Vec::new(),
        }
    }
}

/// A part written by a writer: its code in the key hashes, and the file.
#[derive(Debug, Clone)]
struct WrittenPart {
    code: u32,
    part: PartFile,
}

/// New rows of one table, written to part files as they come, with their key hashes kept for
/// the merge. Memory is one row group and a bounded number of key hashes.
#[derive(Debug)]
pub struct TableWriter {
    table: Table,
    shared: Arc<Shared>,
    keys: KeySpill,
    current: Option<(u32, PartWriter)>,
    parts: Vec<WrittenPart>,
}

/// What a writer leaves for the commit.
#[derive(Debug)]
pub struct StagedTable {
    table: Table,
    parts: Vec<WrittenPart>,
    keys: KeySpill,
}

impl TableWriter {
    /// Writes rows; `first_order` is the place of the first row in the import (rows of higher
    /// order win over lower ones with the same key). Orders start at 1: rows already stored
    /// have order 0, and a new row of order 0 may lose to the stored row it restates.
    pub fn write(&mut self, batch: &RecordBatch, first_order: u64) -> Result<(), StoreError> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        if self
            .current
            .as_ref()
            .is_some_and(|(_, w)| w.rows >= PART_ROWS)
            && let Some((code, writer)) = self.current.take()
        {
            self.parts.push(WrittenPart {
                code,
                part: writer.close(STAGED_PART)?,
            });
        }
        if self.current.is_none() {
            let code = self.shared.next_code.fetch_add(1, Ordering::Relaxed);
            self.current = Some((code, PartWriter::create(&self.shared, &self.table, code)?));
        }
        let Some((code, writer)) = self.current.as_mut() else {
            unreachable!("a part is open")
        };
        if !self.table.key.is_empty() {
            let start = writer.rows as u32;
            for (i, hash) in key_hashes(batch, &self.table.key, &self.shared.hashers)
                .into_iter()
                .enumerate()
            {
                self.keys.push(Entry {
                    hash,
                    order: first_order + i as u64,
                    part: *code,
                    row: start + i as u32,
                })?;
            }
        }
        writer.write(batch)
    }

    /// Closes the open part.
    pub fn finish(mut self) -> Result<StagedTable, StoreError> {
        if let Some((code, writer)) = self.current.take() {
            self.parts.push(WrittenPart {
                code,
                part: writer.close(STAGED_PART)?,
            });
        }
        Ok(StagedTable {
            table: self.table,
            parts: self.parts,
            keys: self.keys,
        })
    }
}

/// One Parquet part being written under a temporary name.
struct PartWriter {
    relative: String,
    temporary: PathBuf,
    writer: ArrowWriter<File>,
    rows: u64,
}

impl std::fmt::Debug for PartWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartWriter")
            .field("relative", &self.relative)
            .field("rows", &self.rows)
            .finish()
    }
}

impl PartWriter {
    fn create(shared: &Shared, table: &Table, code: u32) -> Result<PartWriter, StoreError> {
        let relative = format!("{}/part-{}-{code}.parquet", table.name, shared.id);
        let path = shared.root.join(&relative);
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(io("create", dir))?;
        let temporary = path.with_extension("parquet.tmp");
        let file = File::create(&temporary).map_err(io("create", &temporary))?;
        let mut properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS));
        // Near-unique columns (moments, and ids of people, sessions, events) gain nothing
        // from a dictionary: they are written plain.
        for column in &table.columns {
            let unique = matches!(column.ty, ColumnType::Timestamp)
                || (column.name.ends_with("_id")
                    && !matches!(
                        column.name.as_str(),
                        "campaign_id" | "activity_id" | "survey_id" | "parent_id"
                    ));
            if unique {
                properties = properties
                    .set_column_dictionary_enabled(ColumnPath::from(column.name.as_str()), false);
            }
        }
        let properties = properties.build();
        let writer =
            ArrowWriter::try_new(file, schema(table), Some(properties)).map_err(|source| {
                StoreError::Parquet {
                    path: path.clone(),
                    source,
                }
            })?;
        Ok(PartWriter {
            relative,
            temporary,
            writer,
            rows: 0,
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<(), StoreError> {
        self.writer
            .write(batch)
            .map_err(|source| StoreError::Parquet {
                path: self.temporary.clone(),
                source,
            })?;
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Finishes the file and gives it its name (no manifest names it yet), passing the
    /// failpoints of `steps` on the way.
    fn close(self, steps: ReplaceSteps) -> Result<PartFile, StoreError> {
        let temporary = self.temporary;
        let file = self
            .writer
            .into_inner()
            .map_err(|source| StoreError::Parquet {
                path: temporary.clone(),
                source,
            })?;
        file.sync_all().map_err(io("sync", &temporary))?;
        drop(file);
        failpoint(steps.synced);
        let path = temporary.with_extension("");
        std::fs::rename(&temporary, &path).map_err(io("rename", &temporary))?;
        failpoint(steps.renamed);
        if let Some(dir) = path.parent() {
            sync_dir(dir);
        }
        Ok(PartFile {
            file: self.relative,
            rows: self.rows,
        })
    }
}

/// Reads a part file batch by batch, optionally only some columns.
fn part_reader(
    path: &Path,
    columns: Option<&[String]>,
) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReader, StoreError> {
    let parquet_error = |source| StoreError::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io("open", path))?;
    let mut builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_error)?;
    if let Some(columns) = columns {
        let indices: Vec<usize> = columns
            .iter()
            .filter_map(|c| builder.schema().index_of(c).ok())
            .collect();
        let mask = ProjectionMask::roots(builder.parquet_schema(), indices);
        builder = builder.with_projection(mask);
    }
    builder
        .with_batch_size(64 * 1024)
        .build()
        .map_err(parquet_error)
}

/// A row's key hash, where the row is, and its order in the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    hash: u128,
    order: u64,
    part: u32,
    row: u32,
}

const ENTRY_BYTES: usize = 32;

impl Entry {
    fn to_bytes(self) -> [u8; ENTRY_BYTES] {
        let mut bytes = [0; ENTRY_BYTES];
        bytes[..16].copy_from_slice(&self.hash.to_le_bytes());
        bytes[16..24].copy_from_slice(&self.order.to_le_bytes());
        bytes[24..28].copy_from_slice(&self.part.to_le_bytes());
        bytes[28..].copy_from_slice(&self.row.to_le_bytes());
        bytes
    }

    fn from_bytes(bytes: &[u8]) -> Entry {
        let mut hash = [0; 16];
        hash.copy_from_slice(&bytes[..16]);
        let mut order = [0; 8];
        order.copy_from_slice(&bytes[16..24]);
        let mut part = [0; 4];
        part.copy_from_slice(&bytes[24..28]);
        let mut row = [0; 4];
        row.copy_from_slice(&bytes[28..32]);
        Entry {
            hash: u128::from_le_bytes(hash),
            order: u64::from_le_bytes(order),
            part: u32::from_le_bytes(part),
            row: u32::from_le_bytes(row),
        }
    }

    fn bucket(&self) -> usize {
        (self.hash >> 122) as usize % BUCKETS
    }
}

/// Key entries partitioned by hash into buckets, in memory up to a bound and on disk beyond.
#[derive(Debug)]
struct KeySpill {
    dir: PathBuf,
    name: String,
    memory: Vec<Vec<Entry>>,
    in_memory: usize,
    spilled: bool,
}

impl KeySpill {
    fn new(dir: &Path, name: &str) -> KeySpill {
        KeySpill {
            dir: dir.to_path_buf(),
            name: name.to_string(),
            memory: vec![Vec::new(); BUCKETS],
            in_memory: 0,
            spilled: false,
        }
    }

    fn file(&self, bucket: usize) -> PathBuf {
        self.dir.join(format!("{}-{bucket}.keys", self.name))
    }

    fn push(&mut self, entry: Entry) -> Result<(), StoreError> {
        self.memory[entry.bucket()].push(entry);
        self.in_memory += 1;
        if self.in_memory >= SPILL_AT {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<(), StoreError> {
        for bucket in 0..BUCKETS {
            if self.memory[bucket].is_empty() {
                continue;
            }
            let path = self.file(bucket);
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(io("create", &path))?;
            let mut out = BufWriter::new(file);
            for entry in self.memory[bucket].drain(..) {
                out.write_all(&entry.to_bytes())
                    .map_err(io("write", &path))?;
            }
            out.flush().map_err(io("write", &path))?;
        }
        self.in_memory = 0;
        self.spilled = true;
        Ok(())
    }

    /// Moves one bucket's entries, from disk and memory, into `out`.
    fn take_bucket(&mut self, bucket: usize, out: &mut Vec<Entry>) -> Result<(), StoreError> {
        if self.spilled {
            let path = self.file(bucket);
            match std::fs::read(&path) {
                Ok(bytes) => out.extend(bytes.chunks_exact(ENTRY_BYTES).map(Entry::from_bytes)),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(StoreError::Io {
                        action: "read",
                        path,
                        source,
                    });
                }
            }
            let _ = std::fs::remove_file(&path);
        }
        self.in_memory -= self.memory[bucket].len();
        out.append(&mut self.memory[bucket]);
        Ok(())
    }
}

/// 128-bit hashes of each row's natural key (the values as typed; a null differs from every
/// value), column by column.
fn key_hashes(batch: &RecordBatch, key: &[String], hashers: &[FixedState; 2]) -> Vec<u128> {
    let mut states: Vec<_> = (0..batch.num_rows())
        .map(|_| (hashers[0].build_hasher(), hashers[1].build_hasher()))
        .collect();
    for column in key.iter().filter_map(|k| batch.column_by_name(k)) {
        let any = column.as_any();
        let mut feed = |write: &dyn Fn(usize, &mut dyn Hasher)| {
            for (row, (a, b)) in states.iter_mut().enumerate() {
                if column.is_null(row) {
                    a.write_u8(0);
                    b.write_u8(0);
                } else {
                    a.write_u8(1);
                    b.write_u8(1);
                    write(row, a);
                    write(row, b);
                }
            }
        };
        if let Some(a) = any.downcast_ref::<StringArray>() {
            feed(&|row, h| {
                h.write(a.value(row).as_bytes());
                h.write_u8(0xff);
            });
        } else if let Some(a) = any.downcast_ref::<Int64Array>() {
            feed(&|row, h| h.write_i64(a.value(row)));
        } else if let Some(a) = any.downcast_ref::<Float64Array>() {
            feed(&|row, h| h.write_u64(a.value(row).to_bits()));
        } else if let Some(a) = any.downcast_ref::<Date32Array>() {
            feed(&|row, h| h.write_i32(a.value(row)));
        } else if let Some(a) = any.downcast_ref::<TimestampMicrosecondArray>() {
            feed(&|row, h| h.write_i64(a.value(row)));
        } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
            feed(&|row, h| h.write_u8(u8::from(a.value(row))));
        } else {
            let options = FormatOptions::default();
            if let Ok(formatter) = ArrayFormatter::try_new(column.as_ref(), &options) {
                feed(&|row, h| h.write(formatter.value(row).to_string().as_bytes()));
            }
        }
    }
    states
        .into_iter()
        .map(|(a, b)| (u128::from(a.finish()) << 64) | u128::from(b.finish()))
        .collect()
}

#[cfg(test)]
mod commit_tests;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every failpoint is listed once and passed once in this file: a step added to the code
    /// is documented, and a documented step exists (the kill test proves it is reached).
    #[test]
    fn failpoints_are_listed_and_placed() {
        let source = include_str!("store.rs");
        let mut seen = HashSet::new();
        for name in FAILPOINTS {
            assert!(seen.insert(name), "`{name}` is listed twice");
            let quoted = format!("\"{name}\"");
            assert_eq!(
                source.matches(&quoted).count(),
                2,
                "`{name}` should be listed once and placed once"
            );
        }
        let placed = source.matches("failpoint(\"").count()
            + source.matches("    synced: \"").count()
            + source.matches("    renamed: \"").count();
        assert_eq!(placed, FAILPOINTS.len());
    }
}
