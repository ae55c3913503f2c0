//! Imports: which files go in with which options (from `sources.toml` or the command line),
//! one import per file into the data folder, the import log and the rows an import rejected.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use utfall_ingest::import::{ImportError, ImportOptions, import_file};
pub use utfall_ingest::import::{ImportSummary, Reporter, Silent};
use utfall_ingest::parse::DateOrder;
use utfall_ingest::store::DataStore;
pub use utfall_ingest::store::ImportRecord;
use utfall_model::catalog::Catalog;
use utfall_model::workspace::Workspace;

use crate::error::AppError;
use crate::session::{data_store, load, time_zone};

/// Every preset with what it reads.
pub fn presets() -> Vec<(&'static str, &'static str)> {
    utfall_ingest::preset::PRESETS.to_vec()
}

/// How the day and month of dates like `01/02/2026` are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dates {
    /// Day first.
    DayFirst,
    /// Month first.
    MonthFirst,
}

/// What to import and how, as the user asked.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    /// Files named (else every file a source's `path` matches).
    pub files: Vec<PathBuf>,
    /// A preset for the named files (instead of the sources).
    pub preset: Option<String>,
    /// Only this source of `sources.toml`.
    pub source: Option<String>,
    /// The table a `generic` file fills.
    pub table: Option<String>,
    /// `COLUMN=TARGET` mappings.
    pub mappings: Vec<String>,
    /// `COLUMN=VALUE` constants for every row.
    pub constants: Vec<String>,
    /// The currency of amounts the files do not name one for.
    pub currency: Option<String>,
    /// The field delimiter (detected when absent).
    pub delimiter: Option<char>,
    /// Whether numbers use a decimal comma (detected when absent).
    pub decimal_comma: Option<bool>,
    /// The order of day and month (decided from the file when absent).
    pub dates: Option<Dates>,
    /// The text encoding (detected when absent).
    pub encoding: Option<String>,
    /// Only report what would be imported.
    pub dry_run: bool,
}

/// One file to import with its options.
#[derive(Debug, Clone)]
pub struct ImportJob {
    /// The file.
    pub file: PathBuf,
    /// The preset that reads it.
    pub preset: String,
    options: ImportOptions,
}

/// The imports of one run, ready to go.
#[derive(Debug)]
pub struct ImportPlan {
    /// The files with their options.
    pub jobs: Vec<ImportJob>,
    /// The data folder, relative to the workspace.
    pub data_dir: String,
    store: DataStore,
    catalog: Catalog,
}

fn pair<'a>(text: &'a str, flag: &str, example: &str) -> Result<(&'a str, &'a str), AppError> {
    text.split_once('=')
        .map(|(a, b)| (a.trim(), b.trim()))
        .ok_or_else(|| {
            let shape = if flag == "--map" {
                "COLUMN=TARGET"
            } else {
                "COLUMN=VALUE"
            };
            AppError::user(format!("`{flag} {text}` is not {shape}"))
                .hint(format!("write e.g. `{flag} {example}`"))
        })
}

fn currency_code(code: &str, hint: &str) -> Result<String, AppError> {
    let code = code.trim().to_uppercase();
    if utfall_model::money::is_currency(&code) {
        Ok(code)
    } else {
        Err(AppError::user(format!("`{code}` is not an ISO 4217 currency code")).hint(hint))
    }
}

/// The options every job shares.
struct Shared {
    constants: BTreeMap<String, String>,
    mapping: BTreeMap<String, String>,
    currency: Option<String>,
    workspace_currency: String,
    zone: jiff::tz::TimeZone,
    encoding: Option<&'static encoding_rs::Encoding>,
}

fn shared(workspace: &Workspace, request: &ImportRequest) -> Result<Shared, AppError> {
    let config = workspace.config.as_ref().map(|c| &c.def);
    let currency = match &request.currency {
        Some(code) => Some(currency_code(
            code,
            "write e.g. `--currency SEK`, `--currency EUR` or `--currency USD`",
        )?),
        None => None,
    };
    let mut constants = BTreeMap::new();
    for text in &request.constants {
        let (column, value) = pair(text, "--set", "platform=meta")?;
        constants.insert(column.to_string(), value.to_string());
    }
    if let Some(code) = constants.get("currency") {
        currency_code(code, "write e.g. `--set currency=USD`")?;
    }
    let mut mapping = BTreeMap::new();
    for text in &request.mappings {
        let (from, to) = pair(text, "--map", "\"Belopp=amount\"")?;
        mapping.insert(from.to_string(), to.to_string());
    }
    let encoding = match &request.encoding {
        None => None,
        Some(label) => Some(
            encoding_rs::Encoding::for_label(label.as_bytes()).ok_or_else(|| {
                AppError::user(format!("`{label}` is not a text encoding Utfall knows")).hint(
                "write e.g. `--encoding utf-8`, `--encoding windows-1252` or `--encoding utf-16le`",
            )
            })?,
        ),
    };
    let (_, zone) = time_zone(workspace).map_err(|e| e.hint("fix `time_zone` in `utfall.toml`"))?;
    Ok(Shared {
        constants,
        mapping,
        currency,
        workspace_currency: config.map_or("SEK".to_string(), |c| c.currency.get_ref().clone()),
        zone,
        encoding,
    })
}

impl Shared {
    fn options(
        &self,
        request: &ImportRequest,
        preset: String,
        mapping: BTreeMap<String, String>,
        table: Option<String>,
        source_currency: Option<String>,
        mut constants: BTreeMap<String, String>,
    ) -> ImportOptions {
        constants.extend(self.constants.clone());
        ImportOptions {
            preset,
            mapping,
            table,
            constants,
            currency: self.currency.clone().or(source_currency),
            workspace_currency: self.workspace_currency.clone(),
            time_zone: self.zone.clone(),
            delimiter: request.delimiter.and_then(|d| u8::try_from(d).ok()),
            decimal_comma: request.decimal_comma,
            date_order: request.dates.map(|d| match d {
                Dates::DayFirst => DateOrder::DayFirst,
                Dates::MonthFirst => DateOrder::MonthFirst,
            }),
            default_date_order: DateOrder::DayFirst,
            encoding: self.encoding,
            dry_run: request.dry_run,
        }
    }
}

/// Plans the imports of a run: the named files with `--preset`, else each source's files.
pub fn plan(dir: &Path, request: &ImportRequest) -> Result<ImportPlan, AppError> {
    let workspace = load(dir).map_err(|e| {
        AppError::user(format!("cannot import into `{}`", dir.display())).caused_by(e)
    })?;
    let shared = shared(&workspace, request)?;
    let mut jobs = Vec::new();
    if let Some(preset) = &request.preset {
        if request.files.is_empty() {
            return Err(AppError::user("`--preset` needs files to import")
                .hint("write `utfall import --preset hubspot-contacts contacts.csv`"));
        }
        for file in &request.files {
            let options = shared.options(
                request,
                preset.clone(),
                shared.mapping.clone(),
                request.table.clone(),
                None,
                BTreeMap::new(),
            );
            jobs.push(ImportJob {
                file: file.clone(),
                preset: preset.clone(),
                options,
            });
        }
    } else {
        jobs = source_jobs(dir, &workspace, request, &shared)?;
    }
    let data_dir = workspace
        .config
        .as_ref()
        .and_then(|c| c.def.data_dir.as_ref())
        .map_or("data".to_string(), |d| d.get_ref().clone());
    Ok(ImportPlan {
        jobs,
        data_dir,
        store: data_store(dir, &workspace),
        catalog: utfall_model::check::catalog(&workspace),
    })
}

fn source_jobs(
    dir: &Path,
    workspace: &Workspace,
    request: &ImportRequest,
    shared: &Shared,
) -> Result<Vec<ImportJob>, AppError> {
    let sources: Vec<_> = workspace
        .sources
        .iter()
        .filter(|s| {
            request
                .source
                .as_ref()
                .is_none_or(|name| s.def.name.get_ref() == name)
        })
        .collect();
    if let Some(name) = &request.source
        && sources.is_empty()
    {
        return Err(AppError::user(format!("no source is called `{name}`"))
            .hint("sources are declared in `sources.toml`"));
    }
    let mut jobs = Vec::new();
    for source in &sources {
        let def = &source.def;
        let mut mapping: BTreeMap<String, String> = def
            .mapping
            .iter()
            .map(|(k, v)| (k.clone(), v.get_ref().clone()))
            .collect();
        mapping.extend(shared.mapping.clone());
        let mut options = shared.options(
            request,
            def.preset.get_ref().clone(),
            mapping,
            def.table
                .as_ref()
                .map(|t| t.get_ref().clone())
                .or(request.table.clone()),
            def.currency
                .as_ref()
                .map(|c| c.get_ref().trim().to_uppercase()),
            def.set
                .iter()
                .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                .collect(),
        );
        if options.date_order.is_none() {
            options.date_order = match def.dates.as_ref().map(|d| d.get_ref().as_str()) {
                Some("month-first") => Some(DateOrder::MonthFirst),
                Some("day-first") => Some(DateOrder::DayFirst),
                _ => None,
            };
        }
        let files = if request.files.is_empty() {
            def.path
                .as_ref()
                .map(|p| expand(dir, p.get_ref()))
                .unwrap_or_default()
        } else if request.source.is_some() {
            request.files.clone()
        } else {
            Vec::new()
        };
        for file in files {
            jobs.push(ImportJob {
                file,
                preset: def.preset.get_ref().clone(),
                options: options.clone(),
            });
        }
    }
    if jobs.is_empty() {
        return Err(AppError::user("nothing to import").hint(
            "name files and a `--preset`, or a `--source` from `sources.toml` whose `path` matches files",
        ));
    }
    Ok(jobs)
}

impl ImportPlan {
    /// Imports one job's file (atomically: all of it or nothing).
    pub fn run(&self, job: &ImportJob, reporter: &dyn Reporter) -> Result<ImportSummary, AppError> {
        import_file(
            &self.store,
            &job.file,
            &job.options,
            &self.catalog,
            reporter,
        )
        .map_err(import_error)
    }
}

fn import_error(error: ImportError) -> AppError {
    let hint = match &error {
        ImportError::Plan { source, .. } => source.hint().unwrap_or_else(|| {
            "name the column with `--map \"Column in file=target\"`, or check the `--preset`"
                .to_string()
        }),
        _ => "check the file".to_string(),
    };
    AppError::user(error.to_string()).hint(hint)
}

/// Why rows of a preset are skipped on purpose.
pub fn skipped_why(preset: &str) -> &'static str {
    use utfall_model::kinds::Preset;
    match Preset::parse(preset) {
        Some(Preset::Survey) => "survey previews and tests",
        Some(Preset::Ga4Bigquery) => "consent denied: no user id",
        Some(Preset::FormSubmissions) => "no GA client id in the form fill",
        Some(Preset::GoogleAds | Preset::MetaAds | Preset::LinkedinAds) => {
            "rows without a campaign: account totals"
        }
        _ => "not data",
    }
}

/// The import log of the workspace in `dir`.
pub fn log(dir: &Path) -> Result<Vec<ImportRecord>, AppError> {
    let workspace = load(dir)?;
    Ok(data_store(dir, &workspace).manifest()?.imports)
}

/// The rows an import kept in the quarantine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The file imported.
    pub file: String,
    /// When.
    pub at: String,
    /// The quarantine file.
    pub path: PathBuf,
    /// Its rows: file, line, column, reason, record.
    pub rows: Vec<Vec<String>>,
}

/// The columns of a quarantine's rows.
pub const REJECTED_COLUMNS: [&str; 5] = ["file", "line", "column", "reason", "record"];

/// The rows the latest import with rejected rows (of `files`, when named) kept.
pub fn rejected(dir: &Path, files: &[PathBuf]) -> Result<Option<Rejected>, AppError> {
    let workspace = load(dir)?;
    let store = data_store(dir, &workspace);
    let manifest = store.manifest()?;
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let Some(import) = manifest
        .imports
        .iter()
        .rev()
        .find(|i| i.quarantine.is_some() && (names.is_empty() || names.contains(&i.file)))
    else {
        return Ok(None);
    };
    let path = store
        .root()
        .join(import.quarantine.as_deref().unwrap_or_default());
    let mut reader = csv::Reader::from_path(&path).map_err(|error| {
        AppError::internal(format!("cannot read the quarantine `{}`", path.display()))
            .caused_by(error)
    })?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| {
            AppError::internal(format!("`{}` is damaged", path.display())).caused_by(error)
        })?;
        // The quarantine guards cells against formula injection; show them as they were.
        rows.push(
            record
                .iter()
                .map(|c| c.strip_prefix('\'').unwrap_or(c).to_string())
                .collect(),
        );
    }
    Ok(Some(Rejected {
        file: import.file.clone(),
        at: import.at.clone(),
        path,
        rows,
    }))
}

/// An import's account, as `--format json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Imported<'a> {
    file: &'a str,
    sha256: &'a str,
    tables: &'a [String],
    read: u64,
    imported: u64,
    duplicates: u64,
    replaced: u64,
    summed: u64,
    identical: u64,
    conflicts: u64,
    rejected: u64,
    skipped: u64,
    format: &'a str,
    quarantine: Option<&'a str>,
    already_imported: bool,
    day_first: bool,
    notes: &'a [String],
    warnings: &'a [String],
    unmapped: &'a [String],
}

impl<'a> From<&'a ImportSummary> for Imported<'a> {
    fn from(s: &'a ImportSummary) -> Imported<'a> {
        Imported {
            file: &s.file,
            sha256: &s.sha256,
            tables: &s.tables,
            read: s.read,
            imported: s.imported,
            duplicates: s.duplicates,
            replaced: s.replaced,
            summed: s.summed,
            identical: s.identical,
            conflicts: s.conflicts,
            rejected: s.rejected,
            skipped: s.skipped,
            format: &s.format,
            quarantine: s.quarantine.as_deref(),
            already_imported: s.already_imported,
            day_first: s.day_first,
            notes: &s.notes,
            warnings: &s.warnings,
            unmapped: &s.unmapped,
        }
    }
}

/// A column of a dry run's mapping.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappedColumn<'a> {
    column: &'a str,
    from: &'a str,
}

/// A dry run's account, as `--format json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DryRun<'a> {
    file: &'a str,
    preset: &'a str,
    format: &'a str,
    encoding: &'a str,
    delimiter: String,
    decimal_comma: bool,
    day_first: bool,
    header_line: usize,
    tables: &'a [String],
    mapping: Vec<MappedColumn<'a>>,
    preview: &'a [Vec<String>],
    read: u64,
    would_import: u64,
    would_reject: u64,
    would_skip: u64,
    would_replace: u64,
    summed: u64,
    identical: u64,
    conflicts: u64,
    already_imported: bool,
    notes: &'a [String],
    warnings: &'a [String],
    unmapped: &'a [String],
}

impl<'a> DryRun<'a> {
    /// The dry run of `summary` with `preset`.
    pub fn new(s: &'a ImportSummary, preset: &'a str) -> DryRun<'a> {
        DryRun {
            file: &s.file,
            preset,
            format: &s.format,
            encoding: &s.encoding,
            delimiter: s.delimiter.to_string(),
            decimal_comma: s.decimal_comma,
            day_first: s.day_first,
            header_line: s.header_line,
            tables: &s.tables,
            mapping: s
                .mapping
                .iter()
                .map(|(t, f)| MappedColumn { column: t, from: f })
                .collect(),
            preview: &s.preview,
            read: s.read,
            would_import: s.imported,
            would_reject: s.rejected,
            would_skip: s.skipped,
            would_replace: s.replaced,
            summed: s.summed,
            identical: s.identical,
            conflicts: s.conflicts,
            already_imported: s.already_imported,
            notes: &s.notes,
            warnings: &s.warnings,
            unmapped: &s.unmapped,
        }
    }
}

/// Simple wildcard matching: `*` any run of characters, `?` one character.
fn wildcard(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Files under `root` matching a relative pattern whose wildcards are in the file name.
fn expand(root: &Path, pattern: &str) -> Vec<PathBuf> {
    let full = root.join(pattern);
    let (Some(dir), Some(name)) = (
        full.parent(),
        full.file_name().map(|n| n.to_string_lossy().into_owned()),
    ) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_file()
                && path
                    .file_name()
                    .is_some_and(|n| wildcard(&name, &n.to_string_lossy()))
        })
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::wildcard;

    #[test]
    fn wildcards() {
        assert!(wildcard("contacts*.csv", "contacts-2026-11.csv"));
        assert!(wildcard("events_????????.json", "events_20261126.json"));
        assert!(!wildcard("contacts*.csv", "deals.csv"));
        assert!(wildcard("*", "x"));
    }
}
