//! Imports of uploaded files (the web app's): a file kept under `.utfall/uploads/ID/`, the
//! preset that reads it (chosen, or found by trying each preset on the file's head), its dry
//! run, and its import. An upload changes nothing in the data until it is confirmed; the import
//! is the CLI's (atomic, idempotent: the same file twice imports once), followed by the same
//! snapshot and system annotation.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use utfall_model::kinds::Preset;

use crate::error::{AppError, io_error};
use crate::import::{Dates, ImportRequest, ImportSummary, Silent, plan};
use crate::session::Clock;

/// The folder of uploads in a workspace.
pub fn uploads_dir(dir: &Path) -> PathBuf {
    dir.join(".utfall").join("uploads")
}

/// The source of a canonical column an import leaves empty, in a summary's mapping.
const UNFILLED: &str = "—";

/// How much of a text file the preset detection reads.
const HEAD_BYTES: usize = 256 * 1024;

/// Uploads not confirmed within this long are removed.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// A preset that reads a file, and how well.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detected {
    /// The preset.
    pub preset: String,
    /// Records read from the file's head.
    pub read: u64,
    /// Of them, imported.
    pub imported: u64,
    /// Canonical columns the preset fills from the file.
    pub mapped: usize,
    /// Whether this very file was imported with this preset before.
    pub already_imported: bool,
}

/// What an import (or its dry run) found and did, for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportView {
    /// The preset.
    pub preset: String,
    /// The file's format and layout.
    pub format: String,
    /// Its text encoding.
    pub encoding: String,
    /// The delimiter of delimited text.
    pub delimiter: String,
    /// Whether decimals were read with a comma.
    pub decimal_comma: bool,
    /// Whether dates were read day first.
    pub day_first: bool,
    /// The tables the rows go to.
    pub tables: Vec<String>,
    /// Target column → where it comes from.
    pub mapping: Vec<(String, String)>,
    /// The first rows as read.
    pub preview: Vec<Vec<String>>,
    /// Records read.
    pub read: u64,
    /// Records imported (or that would be).
    pub imported: u64,
    /// Rows that replace rows of earlier imports (restatements).
    pub replaced: u64,
    /// Rows summed into another row of the file.
    pub summed: u64,
    /// Rows repeating another row exactly.
    pub identical: u64,
    /// Rows sharing a key with an earlier row but differing (the later kept).
    pub conflicts: u64,
    /// Records rejected (kept in the quarantine).
    pub rejected: u64,
    /// Rows deliberately not imported.
    pub skipped: u64,
    /// Up to ten rejections: line, column, reason.
    pub rejections: Vec<(u64, String, String)>,
    /// The quarantine file, when rows were rejected.
    pub quarantine: Option<String>,
    /// Whether this file was imported with this preset before (nothing done).
    pub already_imported: bool,
    /// What the import decided or assumed.
    pub notes: Vec<String>,
    /// Warnings.
    pub warnings: Vec<String>,
    /// Columns of the file that no canonical column took.
    pub unmapped: Vec<String>,
}

impl ImportView {
    fn of(summary: &ImportSummary, preset: &str) -> ImportView {
        ImportView {
            preset: preset.to_string(),
            format: summary.format.clone(),
            encoding: summary.encoding.clone(),
            delimiter: summary.delimiter.to_string(),
            decimal_comma: summary.decimal_comma,
            day_first: summary.day_first,
            tables: summary.tables.clone(),
            mapping: summary.mapping.clone(),
            preview: summary.preview.clone(),
            read: summary.read,
            imported: summary.imported,
            replaced: summary.replaced,
            summed: summary.summed,
            identical: summary.identical,
            conflicts: summary.conflicts,
            rejected: summary.rejected,
            skipped: summary.skipped,
            rejections: summary.rejections.clone(),
            quarantine: summary.quarantine.clone(),
            already_imported: summary.already_imported,
            notes: summary.notes.clone(),
            warnings: summary.warnings.clone(),
            unmapped: summary.unmapped.clone(),
        }
    }
}

/// How to read an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct UploadOptions {
    /// A preset, or `None` to detect one.
    pub preset: Option<String>,
    /// The currency of amounts the file does not name one for.
    pub currency: Option<String>,
    /// `day-first` or `month-first`; decided from the file when absent.
    pub dates: Option<String>,
}

/// An uploaded file, its dry run and, once confirmed, its import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    /// Its id (a folder under `.utfall/uploads`).
    pub id: String,
    /// The file's name as uploaded.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Who uploaded it.
    pub by: String,
    /// When.
    pub at: jiff::Timestamp,
    /// The options of the latest dry run or import.
    pub options: UploadOptions,
    /// The presets that read it, best first (when detection ran).
    pub detected: Vec<Detected>,
    /// What the import would do.
    pub dry_run: Option<ImportView>,
    /// What the import did, once confirmed.
    pub result: Option<ImportView>,
    /// KPI values the snapshot after the import changed.
    pub snapshot_changed: Option<u64>,
    /// Why the latest dry run could not run (the file or the options are wrong), with what
    /// to do about it.
    #[serde(default)]
    pub problem: Option<String>,
}

/// A file name safe in a folder: letters, digits, `.`, `-` and `_`; the extension kept.
fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "upload".to_string()
    } else {
        cleaned
    }
}

fn valid_id(id: &str) -> bool {
    id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit())
}

/// A new upload's folder and the temporary path its bytes are written to (`upload.part`);
/// also removes uploads abandoned for a day.
pub fn begin(dir: &Path, id: &str) -> Result<PathBuf, AppError> {
    if !valid_id(id) {
        return Err(AppError::internal(format!("`{id}` is not an upload id")));
    }
    let root = uploads_dir(dir);
    remove_abandoned(&root);
    let folder = root.join(id);
    std::fs::create_dir_all(&folder).map_err(io_error("create", &folder))?;
    Ok(folder.join("upload.part"))
}

fn remove_abandoned(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > ABANDONED_AFTER);
        if old && read(&path).is_none_or(|u| u.result.is_none()) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

fn read(folder: &Path) -> Option<Upload> {
    let text = std::fs::read_to_string(folder.join("upload.json")).ok()?;
    serde_json::from_str(&text).ok()
}

fn save(folder: &Path, upload: &Upload) -> Result<(), AppError> {
    let text = serde_json::to_string_pretty(upload)
        .map_err(|e| AppError::internal("cannot write an upload's record").caused_by(e))?;
    crate::definitions::write_atomically(&folder.join("upload.json"), &text)
}

/// Removes an upload's temporary bytes (a refused or broken upload): nothing is left.
pub fn abort(dir: &Path, id: &str) {
    if valid_id(id) {
        let _ = std::fs::remove_dir_all(uploads_dir(dir).join(id));
    }
}

/// The file of an upload.
fn file_of(folder: &Path, upload: &Upload) -> PathBuf {
    folder.join(safe_name(&upload.name))
}

/// Finishes an upload whose bytes are in `upload.part`: names the file, runs the preset
/// detection (unless `options` names one) and the dry run.
pub fn finish(
    dir: &Path,
    id: &str,
    name: &str,
    by: &str,
    at: jiff::Timestamp,
    options: UploadOptions,
) -> Result<Upload, AppError> {
    let folder = uploads_dir(dir).join(id);
    let part = folder.join("upload.part");
    let bytes = std::fs::metadata(&part)
        .map_err(io_error("read", &part))?
        .len();
    let mut upload = Upload {
        id: id.to_string(),
        name: name.to_string(),
        bytes,
        by: by.to_string(),
        at,
        options: UploadOptions::default(),
        detected: Vec::new(),
        dry_run: None,
        result: None,
        snapshot_changed: None,
        problem: None,
    };
    let file = file_of(&folder, &upload);
    std::fs::rename(&part, &file).map_err(io_error("write", &file))?;
    save(&folder, &upload)?;
    preview_into(dir, &folder, &mut upload, options)?;
    Ok(upload)
}

/// An upload as last saved.
pub fn get(dir: &Path, id: &str) -> Result<Upload, AppError> {
    let folder = uploads_dir(dir).join(id);
    if !valid_id(id) {
        return Err(AppError::user(format!("there is no upload `{id}`")));
    }
    read(&folder).ok_or_else(|| {
        AppError::user(format!("there is no upload `{id}`"))
            .hint("uploads not imported within a day are removed: upload the file again")
    })
}

/// The dry run of an upload with other options (another preset, currency or date order).
pub fn preview(dir: &Path, id: &str, options: UploadOptions) -> Result<Upload, AppError> {
    let mut upload = get(dir, id)?;
    if upload.result.is_some() {
        return Ok(upload);
    }
    let folder = uploads_dir(dir).join(id);
    preview_into(dir, &folder, &mut upload, options)?;
    Ok(upload)
}

fn preview_into(
    dir: &Path,
    folder: &Path,
    upload: &mut Upload,
    options: UploadOptions,
) -> Result<(), AppError> {
    let file = file_of(folder, upload);
    upload.dry_run = None;
    upload.problem = None;
    let outcome = match &options.preset {
        Some(preset) => Ok(preset.clone()),
        None => detect(dir, &file, &options)
            .map(|found| {
                upload.detected = found;
                upload.detected.first().map(|best| best.preset.clone())
            })
            .and_then(|best| {
                best.ok_or_else(|| {
                    AppError::user(format!("no preset reads `{}` as it is", upload.name)).hint(
                "choose the preset of the export (or `generic` with a mapping in `sources.toml`)",
            )
                })
            }),
    }
    .and_then(|preset| run(dir, &file, &preset, &options, true).map(|s| (preset, s)));
    match outcome {
        Ok((preset, summary)) => {
            upload.dry_run = Some(ImportView::of(&summary, &preset));
            upload.options = UploadOptions {
                preset: Some(preset),
                ..options
            };
        }
        Err(error) if error.is_user() => {
            upload.problem = Some(match error.hint_text() {
                Some(hint) => format!("{error}: {hint}"),
                None => error.to_string(),
            });
            upload.options = options;
        }
        Err(error) => return Err(error),
    }
    save(folder, upload)
}

fn request(file: &Path, preset: &str, options: &UploadOptions, dry_run: bool) -> ImportRequest {
    ImportRequest {
        files: vec![file.to_path_buf()],
        preset: Some(preset.to_string()),
        currency: options.currency.clone().filter(|c| !c.trim().is_empty()),
        dates: match options.dates.as_deref() {
            Some("day-first") => Some(Dates::DayFirst),
            Some("month-first") => Some(Dates::MonthFirst),
            _ => None,
        },
        dry_run,
        ..ImportRequest::default()
    }
}

fn run(
    dir: &Path,
    file: &Path,
    preset: &str,
    options: &UploadOptions,
    dry_run: bool,
) -> Result<ImportSummary, AppError> {
    if Preset::parse(preset).is_none() {
        return Err(AppError::user(format!("`{preset}` is not a preset"))
            .hint("`utfall import --list-presets` lists them"));
    }
    let plan = plan(dir, &request(file, preset, options, dry_run))?;
    let job = plan
        .jobs
        .first()
        .ok_or_else(|| AppError::internal("an upload's import has no job"))?;
    plan.run(job, &Silent)
}

/// Imports a confirmed upload with its options, then snapshots every KPI on the new data (as
/// `utfall import` does). Idempotent: an upload imported already, or the same file uploaded
/// again, imports nothing.
pub async fn confirm(
    dir: &Path,
    id: &str,
    options: UploadOptions,
    clock: Clock,
) -> Result<Upload, AppError> {
    let mut upload = get(dir, id)?;
    if upload.result.is_some() {
        return Ok(upload);
    }
    let preset = options
        .preset
        .clone()
        .or(upload.options.preset.clone())
        .ok_or_else(|| AppError::user("choose a preset first"))?;
    let folder = uploads_dir(dir).join(id);
    let file = file_of(&folder, &upload);
    let (dir_owned, file_owned, preset_owned, options_owned) = (
        dir.to_path_buf(),
        file.clone(),
        preset.clone(),
        options.clone(),
    );
    let summary = tokio::task::spawn_blocking(move || {
        run(
            &dir_owned,
            &file_owned,
            &preset_owned,
            &options_owned,
            false,
        )
    })
    .await
    .map_err(|e| AppError::internal("the import stopped").caused_by(e))??;
    // The snapshot also when the file was in already: a process killed between the import's
    // commit and its snapshot left the data without it (a snapshot of unchanged data and
    // definitions writes nothing).
    if summary.already_imported || summary.imported > 0 {
        let report =
            crate::memory::after_import(dir, std::slice::from_ref(&summary), clock).await?;
        upload.snapshot_changed = Some(report.outcome.values_written as u64);
    }
    upload.result = Some(ImportView::of(&summary, &preset));
    upload.options = UploadOptions {
        preset: Some(preset),
        ..options
    };
    save(&folder, &upload)?;
    Ok(upload)
}

/// The presets that read `file`, best first: each preset's dry run on the file's head (its
/// first 256 KiB for text; the whole file for a workbook, JSON or Parquet). Best: a preset
/// this very file was imported with before; then one that finds the file's own id column
/// over one that has to make ids up from other columns (a HubSpot contacts export read as a
/// Salesforce leads report); then the most records imported; then the most canonical columns
/// filled. The `generic` preset is never detected.
pub fn detect(dir: &Path, file: &Path, options: &UploadOptions) -> Result<Vec<Detected>, AppError> {
    let sample_dir = file.parent().unwrap_or(Path::new(".")).join(".sample");
    std::fs::create_dir_all(&sample_dir).map_err(io_error("create", &sample_dir))?;
    let sample = head_sample(file, &sample_dir)?;
    let mut found: Vec<(Detected, bool)> = Preset::ALL
        .iter()
        .filter(|&&p| p != Preset::Generic)
        .filter_map(|p| {
            let summary = run(dir, &sample, p.as_str(), options, true).ok()?;
            // The source `utfall_ingest` gives an id it makes from other columns.
            let made_up_ids = summary
                .mapping
                .iter()
                .any(|(_, from)| from.ends_with("(the export has no id column)"));
            let filled = summary
                .mapping
                .iter()
                .filter(|(_, from)| from != UNFILLED)
                .count();
            (summary.imported > 0 || summary.already_imported).then(|| {
                let detected = Detected {
                    preset: p.as_str().to_string(),
                    read: summary.read,
                    imported: summary.imported,
                    mapped: filled,
                    already_imported: summary.already_imported,
                };
                (detected, made_up_ids)
            })
        })
        .collect();
    let _ = std::fs::remove_dir_all(&sample_dir);
    found.sort_by(|(a, a_made_up), (b, b_made_up)| {
        (b.already_imported, !b_made_up, b.imported, b.mapped)
            .cmp(&(a.already_imported, !a_made_up, a.imported, a.mapped))
            .then_with(|| a.preset.cmp(&b.preset))
    });
    Ok(found.into_iter().map(|(detected, _)| detected).collect())
}

/// The head of a text file (whole lines) as a file of the same name in `into`; other files
/// as they are.
fn head_sample(file: &Path, into: &Path) -> Result<PathBuf, AppError> {
    let extension = file
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let size = std::fs::metadata(file)
        .map_err(io_error("read", file))?
        .len();
    let text = matches!(
        extension.as_str(),
        "csv" | "tsv" | "txt" | "ndjson" | "jsonl"
    );
    if !text || size <= HEAD_BYTES as u64 {
        return Ok(file.to_path_buf());
    }
    let mut head = vec![0u8; HEAD_BYTES];
    let mut source = std::fs::File::open(file).map_err(io_error("read", file))?;
    let mut filled = 0;
    while filled < head.len() {
        let n = source
            .read(&mut head[filled..])
            .map_err(io_error("read", file))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    head.truncate(filled);
    if let Some(end) = head.iter().rposition(|&b| b == b'\n') {
        head.truncate(end + 1);
    }
    let name = file.file_name().unwrap_or_default();
    let sample = into.join(name);
    let mut out = std::fs::File::create(&sample).map_err(io_error("write", &sample))?;
    out.write_all(&head).map_err(io_error("write", &sample))?;
    Ok(sample)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_safe() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("C:\\exports\\deals 2026.csv"), "deals_2026.csv");
        assert_eq!(safe_name(".hidden"), "hidden");
        assert_eq!(safe_name(""), "upload");
        assert!(!valid_id("../x"));
        assert!(valid_id("0123456789abcdef0123456789abcdef"));
    }
}
