//! `utfall import`: files into the canonical tables, with a clear account of every row.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::json;
use utfall_ingest::import::{ImportOptions, ImportSummary, import_file};
use utfall_ingest::parse::DateOrder;
use utfall_ingest::preset::PRESETS;
use utfall_ingest::store::DataStore;
use utfall_model::workspace::Workspace;

use crate::cli::{Format, ImportArgs};
use crate::output::{UserError, print_json, print_stdout, table, write_csv};

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

pub fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    if args.list_presets {
        let rows: Vec<Vec<String>> = PRESETS
            .iter()
            .map(|(name, what)| vec![(*name).to_string(), (*what).to_string()])
            .collect();
        print_stdout(&table(&["preset", "reads"], &rows))?;
        return Ok(ExitCode::SUCCESS);
    }
    let workspace = Workspace::load(&args.dir)
        .with_context(|| format!("cannot import into `{}`", args.dir.display()))?;
    let config = workspace.config.as_ref().map(|c| &c.def);
    let data_dir = config
        .and_then(|c| c.data_dir.as_ref())
        .map_or("data".to_string(), |d| d.get_ref().clone());
    let store = DataStore::new(args.dir.join(&data_dir));
    if args.log {
        return show_log(&store, args.format);
    }
    if args.rejected {
        return show_rejected(&store, &args.files, args.format);
    }
    let workspace_currency = config.map_or("SEK".to_string(), |c| c.currency.get_ref().clone());
    let given_currency = match &args.currency {
        Some(code) => {
            let code = code.trim().to_uppercase();
            if !utfall_model::money::is_currency(&code) {
                return Err(
                    UserError::new(format!("`{code}` is not an ISO 4217 currency code"))
                        .hint("write e.g. `--currency SEK`, `--currency EUR` or `--currency USD`")
                        .into(),
                );
            }
            Some(code)
        }
        None => None,
    };
    let mut constants: BTreeMap<String, String> = BTreeMap::new();
    for pair in &args.constants {
        let (column, value) = pair.split_once('=').ok_or_else(|| {
            UserError::new(format!("`--set {pair}` is not COLUMN=VALUE"))
                .hint("write e.g. `--set platform=meta`")
        })?;
        constants.insert(column.trim().to_string(), value.trim().to_string());
    }
    if let Some(currency) = constants.get("currency")
        && !utfall_model::money::is_currency(&currency.to_uppercase())
    {
        return Err(
            UserError::new(format!("`{currency}` is not an ISO 4217 currency code"))
                .hint("write e.g. `--set currency=USD`")
                .into(),
        );
    }
    let zone_name = config
        .and_then(|c| c.time_zone.as_ref())
        .map_or("Europe/Stockholm".to_string(), |z| z.get_ref().clone());
    let time_zone = jiff::tz::TimeZone::get(&zone_name).map_err(|_| {
        UserError::new(format!("`{zone_name}` is not a time zone"))
            .hint("fix `time_zone` in `utfall.toml`")
    })?;
    let catalog = utfall_model::check::catalog(&workspace);

    let mut mapping: BTreeMap<String, String> = BTreeMap::new();
    for pair in &args.mappings {
        let (from, to) = pair.split_once('=').ok_or_else(|| {
            UserError::new(format!("`--map {pair}` is not COLUMN=TARGET"))
                .hint("write e.g. `--map \"Belopp=amount\"`")
        })?;
        mapping.insert(from.trim().to_string(), to.trim().to_string());
    }
    let encoding = match &args.encoding {
        None => None,
        Some(label) => Some(encoding_rs::Encoding::for_label(label.as_bytes()).ok_or_else(|| {
            UserError::new(format!("`{label}` is not a text encoding Utfall knows"))
                .hint("write e.g. `--encoding utf-8`, `--encoding windows-1252` or `--encoding utf-16le`")
        })?),
    };
    let base = |preset: String,
                mapping: BTreeMap<String, String>,
                table: Option<String>,
                source_currency: Option<String>,
                source_constants: BTreeMap<String, String>| {
        let mut all_constants = source_constants;
        all_constants.extend(constants.clone());
        ImportOptions {
            preset,
            mapping,
            table,
            constants: all_constants,
            currency: given_currency.clone().or(source_currency),
            workspace_currency: workspace_currency.clone(),
            time_zone: time_zone.clone(),
            delimiter: args.delimiter.and_then(|d| u8::try_from(d).ok()),
            decimal_comma: if args.decimal_comma {
                Some(true)
            } else if args.decimal_point {
                Some(false)
            } else {
                None
            },
            date_order: if args.month_first {
                Some(DateOrder::MonthFirst)
            } else if args.day_first {
                Some(DateOrder::DayFirst)
            } else {
                None
            },
            default_date_order: DateOrder::DayFirst,
            encoding,
            dry_run: args.dry_run,
        }
    };

    // (file, options) pairs.
    let mut jobs: Vec<(PathBuf, ImportOptions)> = Vec::new();
    let sources: Vec<_> = workspace
        .sources
        .iter()
        .filter(|s| {
            args.source
                .as_ref()
                .is_none_or(|name| s.def.name.get_ref() == name)
        })
        .collect();
    if let Some(name) = &args.source
        && sources.is_empty()
    {
        return Err(UserError::new(format!("no source is called `{name}`"))
            .hint("sources are declared in `sources.toml`")
            .into());
    }
    if let Some(preset) = &args.preset {
        if args.files.is_empty() {
            return Err(UserError::new("`--preset` needs files to import")
                .hint("write `utfall import --preset hubspot-contacts contacts.csv`")
                .into());
        }
        for file in &args.files {
            jobs.push((
                file.clone(),
                base(
                    preset.clone(),
                    mapping.clone(),
                    args.table.clone(),
                    None,
                    BTreeMap::new(),
                ),
            ));
        }
    } else {
        for source in &sources {
            let mut source_mapping: BTreeMap<String, String> = source
                .def
                .mapping
                .iter()
                .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                .collect();
            source_mapping.extend(mapping.clone());
            let mut options = base(
                source.def.preset.get_ref().clone(),
                source_mapping,
                source
                    .def
                    .table
                    .as_ref()
                    .map(|t| t.get_ref().clone())
                    .or(args.table.clone()),
                source
                    .def
                    .currency
                    .as_ref()
                    .map(|c| c.get_ref().trim().to_uppercase()),
                source
                    .def
                    .set
                    .iter()
                    .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                    .collect(),
            );
            if options.date_order.is_none() {
                options.date_order = match source.def.dates.as_ref().map(|d| d.get_ref().as_str()) {
                    Some("month-first") => Some(DateOrder::MonthFirst),
                    Some("day-first") => Some(DateOrder::DayFirst),
                    _ => None,
                };
            }
            let files = if args.files.is_empty() {
                source
                    .def
                    .path
                    .as_ref()
                    .map(|p| expand(&args.dir, p.get_ref()))
                    .unwrap_or_default()
            } else if args.source.is_some() {
                args.files.clone()
            } else {
                Vec::new()
            };
            for file in files {
                jobs.push((file, options.clone()));
            }
        }
        if jobs.is_empty() {
            return Err(UserError::new("nothing to import")
                .hint("name files and a `--preset`, or a `--source` from `sources.toml` whose `path` matches files")
                .into());
        }
    }

    let mut any_rejected = false;
    let mut reports = Vec::new();
    for (file, options) in &jobs {
        let progress = crate::output::ProgressReporter::new(&file.display().to_string());
        let result = import_file(&store, file, options, &catalog, &progress);
        progress.finish();
        let summary = result.map_err(|error| {
            let hint = match &error {
                utfall_ingest::import::ImportError::Plan { source, .. } => source.hint().unwrap_or_else(|| "name the column with `--map \"Column in file=target\"`, or check the `--preset`".to_string()),
                _ => "check the file".to_string(),
            };
            anyhow::Error::new(UserError::new(error.to_string()).hint(hint))
        })?;
        any_rejected |= summary.rejected > 0;
        if args.dry_run {
            print_dry_run(&summary, &options.preset, args.format)?;
        } else {
            report(&summary, &options.preset, &data_dir);
        }
        reports.push(summary);
    }
    if args.format == Format::Json && !args.dry_run {
        let items: Vec<serde_json::Value> = reports.iter().map(|s| json!({
            "file": s.file, "sha256": s.sha256, "tables": s.tables, "read": s.read, "imported": s.imported,
            "duplicates": s.duplicates, "replaced": s.replaced, "summed": s.summed, "identical": s.identical, "conflicts": s.conflicts,
            "rejected": s.rejected, "skipped": s.skipped, "format": s.format, "quarantine": s.quarantine, "already_imported": s.already_imported,
            "day_first": s.day_first, "notes": s.notes, "warnings": s.warnings, "unmapped": s.unmapped,
        })).collect();
        print_json(&items)?;
    }
    if any_rejected && !args.allow_rejects {
        eprintln!(
            "some rows were rejected and kept in the quarantine; fix them and import again, or pass `--allow-rejects`"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn report(summary: &ImportSummary, preset: &str, data_dir: &str) {
    if summary.already_imported {
        eprintln!(
            "`{}` was already imported with `{preset}`; nothing changed",
            summary.file
        );
        return;
    }
    eprintln!(
        "imported `{}` ({preset} → {}): read {}, imported {}, duplicates {}, rejected {}{}",
        summary.file,
        summary.tables.join(", "),
        summary.read,
        summary.imported,
        summary.duplicates,
        summary.rejected,
        if summary.skipped > 0 {
            format!(", skipped {} ({})", summary.skipped, skipped_why(preset))
        } else {
            String::new()
        }
    );
    print_findings(summary);
    for (line, column, reason) in &summary.rejections {
        if column.is_empty() {
            eprintln!("  line {line}: {reason}");
        } else {
            eprintln!("  line {line}, column `{column}`: {reason}");
        }
    }
    if let Some(quarantine) = &summary.quarantine {
        eprintln!(
            "  rejected rows are kept in `{data_dir}/{quarantine}` with their line and reason"
        );
    }
}

/// Why rows of a preset are skipped on purpose.
fn skipped_why(preset: &str) -> &'static str {
    match preset {
        "survey" => "survey previews and tests",
        "ga4-bigquery" => "consent denied: no user id",
        "form-submissions" => "no GA client id in the form fill",
        "google-ads" | "meta-ads" | "linkedin-ads" => "rows without a campaign: account totals",
        _ => "not data",
    }
}

/// What the import decided, assumed and left out, for people (stderr).
fn print_findings(summary: &ImportSummary) {
    if summary.replaced > 0 {
        eprintln!(
            "  {} rows of earlier imports were replaced by this file's rows with the same key (a restatement)",
            summary.replaced
        );
    }
    for note in &summary.notes {
        eprintln!("  note: {note}");
    }
    for warning in &summary.warnings {
        eprintln!("  warning: {warning}");
    }
    if !summary.unmapped.is_empty() {
        eprintln!(
            "  not imported (no canonical column takes them): {}",
            summary
                .unmapped
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

fn print_dry_run(summary: &ImportSummary, preset: &str, format: Format) -> anyhow::Result<()> {
    if summary.already_imported && format == Format::Table {
        return print_stdout(&format!(
            "{} was already imported with `{preset}`: importing it again changes nothing\n",
            summary.file
        ));
    }
    if format == Format::Json {
        let report = json!({
            "file": summary.file, "preset": preset, "format": summary.format, "encoding": summary.encoding, "delimiter": summary.delimiter.to_string(),
            "decimal_comma": summary.decimal_comma, "day_first": summary.day_first, "header_line": summary.header_line,
            "tables": summary.tables, "mapping": summary.mapping.iter().map(|(t, s)| json!({"column": t, "from": s})).collect::<Vec<_>>(),
            "preview": summary.preview, "read": summary.read, "would_import": summary.imported, "would_reject": summary.rejected,
            "would_skip": summary.skipped, "would_replace": summary.replaced, "summed": summary.summed, "identical": summary.identical, "conflicts": summary.conflicts,
            "already_imported": summary.already_imported, "notes": summary.notes, "warnings": summary.warnings, "unmapped": summary.unmapped,
        });
        return print_json(&report);
    }
    if format == Format::Csv {
        let rows: Vec<Vec<String>> = summary
            .mapping
            .iter()
            .map(|(t, s)| vec![t.clone(), s.clone()])
            .collect();
        return write_csv(&["column", "from"], &rows);
    }
    let delimiter = match summary.delimiter {
        '\t' => "tab".to_string(),
        other => format!("`{other}`"),
    };
    let mut text = format!(
        "{} ({preset} → {})\n  {}, encoding {}, delimiter {delimiter}, decimal {}, dates {}, header on line {}\n  {} rows would be imported, {} rejected\n\n",
        summary.file,
        summary.tables.join(", "),
        summary.format,
        summary.encoding,
        if summary.decimal_comma {
            "comma"
        } else {
            "point"
        },
        if summary.day_first {
            "day first"
        } else {
            "month first"
        },
        summary.header_line,
        summary.imported,
        summary.rejected,
    );
    let rows: Vec<Vec<String>> = summary
        .mapping
        .iter()
        .map(|(t, s)| vec![t.clone(), s.clone()])
        .collect();
    text.push_str(&table(&["column", "from"], &rows));
    text.push_str("\nfirst rows:\n");
    for row in &summary.preview {
        text.push_str(&format!("  {}\n", row.join(" | ")));
    }
    if summary.replaced > 0 {
        text.push_str(&format!(
            "\n{} stored rows would be replaced by this file's rows with the same key (a restatement)\n",
            summary.replaced
        ));
    }
    if summary.skipped > 0 {
        text.push_str(&format!(
            "\n{} rows would be skipped ({})\n",
            summary.skipped,
            skipped_why(preset)
        ));
    }
    for note in &summary.notes {
        text.push_str(&format!("note: {note}\n"));
    }
    for warning in &summary.warnings {
        text.push_str(&format!("warning: {warning}\n"));
    }
    if !summary.unmapped.is_empty() {
        text.push_str(&format!(
            "not imported (no canonical column takes them): {}\n",
            summary
                .unmapped
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    print_stdout(&text)
}

fn show_log(store: &DataStore, format: Format) -> anyhow::Result<ExitCode> {
    let manifest = store.manifest()?;
    let headers = [
        "at",
        "file",
        "preset",
        "tables",
        "read",
        "imported",
        "duplicates",
        "rejected",
        "sha256",
    ];
    let rows: Vec<Vec<String>> = manifest
        .imports
        .iter()
        .map(|i| {
            vec![
                i.at.clone(),
                i.file.clone(),
                i.preset.clone(),
                i.tables.join(" "),
                i.read.to_string(),
                i.imported.to_string(),
                i.duplicates.to_string(),
                i.rejected.to_string(),
                i.sha256[..12.min(i.sha256.len())].to_string(),
            ]
        })
        .collect();
    match format {
        Format::Json => print_json(&serde_json::to_value(&manifest.imports)?)?,
        Format::Csv => write_csv(&headers, &rows)?,
        Format::Table => print_stdout(&table(&headers, &rows))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The rows an import kept in the quarantine: file, line, column, reason, record.
fn show_rejected(store: &DataStore, files: &[PathBuf], format: Format) -> anyhow::Result<ExitCode> {
    let manifest = store.manifest()?;
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let Some(import) = manifest
        .imports
        .iter()
        .rev()
        .find(|i| i.quarantine.is_some() && (names.is_empty() || names.contains(&i.file)))
    else {
        eprintln!("no import has rejected rows");
        return Ok(ExitCode::SUCCESS);
    };
    let path = store
        .root()
        .join(import.quarantine.as_deref().unwrap_or_default());
    let mut reader = csv::Reader::from_path(&path)
        .with_context(|| format!("cannot read the quarantine `{}`", path.display()))?;
    let headers = ["file", "line", "column", "reason", "record"];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("`{}` is damaged", path.display()))?;
        rows.push(
            record
                .iter()
                // The quarantine guards cells against formula injection; show them as they were.
                .map(|c| c.strip_prefix('\'').unwrap_or(c).to_string())
                .collect(),
        );
    }
    eprintln!(
        "{} rejected rows of `{}` ({}), kept in `{}`",
        rows.len(),
        import.file,
        import.at,
        path.display()
    );
    match format {
        Format::Json => {
            let items: Vec<serde_json::Value> = rows
                .iter()
                .map(|row| {
                    serde_json::Value::Object(
                        headers
                            .iter()
                            .zip(row)
                            .map(|(h, v)| ((*h).to_string(), json!(v)))
                            .collect(),
                    )
                })
                .collect();
            print_json(&items)?;
        }
        Format::Csv => write_csv(&headers, &rows)?,
        Format::Table => {
            let short: Vec<Vec<String>> = rows
                .iter()
                .map(|row| {
                    row.iter()
                        .enumerate()
                        .map(|(i, c)| {
                            if i == 4 && c.chars().count() > 60 {
                                format!("{}…", c.chars().take(59).collect::<String>())
                            } else {
                                c.clone()
                            }
                        })
                        .collect()
                })
                .collect();
            print_stdout(&table(&headers, &short))?;
        }
    }
    Ok(ExitCode::SUCCESS)
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
