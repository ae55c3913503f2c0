//! The demo company: its exports generated, then imported through the real connectors.

use std::path::{Path, PathBuf};

pub use utfall_demo::Size;
use utfall_demo::{DemoConfig, generate};
use utfall_ingest::import::{ImportOptions, Silent, import_file};
use utfall_model::period::{Grain, Period};

use crate::error::{AppError, io_error};
use crate::session::{Clock, DEFAULT_TIME_ZONE, data_store, load};

/// What to install.
#[derive(Debug, Clone, Copy)]
pub struct DemoRequest {
    /// The seed: the same seed gives the same files.
    pub seed: u64,
    /// How much data.
    pub size: Size,
    /// The last day of data comes from this clock (in the demo's time zone).
    pub clock: Clock,
    /// Replace a demo already in the folder.
    pub force: bool,
    /// Import the files after generating them.
    pub import: bool,
    /// Days of history up to today (`None`: three years).
    pub history_days: Option<u32>,
}

/// One export imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoImport {
    /// The file, relative to the workspace.
    pub file: PathBuf,
    /// Rows imported.
    pub imported: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// The tables it filled.
    pub tables: Vec<String>,
}

/// The demo as installed.
#[derive(Debug, Clone)]
pub struct DemoInstalled {
    /// The last day of data.
    pub today: jiff::civil::Date,
    /// The generated truth's totals (leads, accounts, deals, web events).
    pub totals: serde_json::Value,
    /// Where the truth is.
    pub truth_file: PathBuf,
    /// The exports imported (empty without import).
    pub imports: Vec<DemoImport>,
    /// The last complete fiscal quarter (the scorecard to show).
    pub last_quarter: Period,
    /// The year of the latest October fair whose two weeks after have passed.
    pub fair_year: i16,
}

/// Generates the demo company into `dir` and imports its exports.
pub fn install(dir: &Path, request: &DemoRequest) -> Result<DemoInstalled, AppError> {
    if dir.join("utfall.toml").exists() {
        if !request.force {
            return Err(
                AppError::user(format!("`{}` already holds a workspace", dir.display()))
                    .hint("pass `--force` to replace the demo, or name another folder"),
            );
        }
        // The data through the store's own change (under its lock, crash-safe); the generated
        // definitions and exports are files the generator writes again.
        if let Ok(workspace) = load(dir) {
            data_store(dir, &workspace).clear()?;
        }
        // The demo's own memory goes too (a team's PostgreSQL store is never touched).
        if let Ok(workspace) = load(dir)
            && let utfall_store::Location::Sqlite(path) = crate::memory::location(dir, &workspace)
            && path.starts_with(dir)
        {
            let beside =
                |suffix: &str| std::path::PathBuf::from(format!("{}{suffix}", path.display()));
            for file in [path.clone(), beside("-wal"), beside("-shm")] {
                if file.exists() {
                    std::fs::remove_file(&file).map_err(io_error("remove", &file))?;
                }
            }
        }
        for old in ["exports", "plan", "kpis"] {
            let path = dir.join(old);
            if path.exists() {
                std::fs::remove_dir_all(&path).map_err(io_error("remove", &path))?;
            }
        }
    }
    let zone = jiff::tz::TimeZone::get(DEFAULT_TIME_ZONE)
        .map_err(|_| AppError::internal("no time zone data"))?;
    let today = request.clock.today(&zone);
    let config = DemoConfig {
        seed: request.seed,
        size: request.size,
        today,
        history_days: request.history_days,
    };
    let (exports, truth) = generate(dir, &config)
        .map_err(|error| AppError::internal("failed to write the demo").caused_by(error))?;
    let workspace = load(dir)?;
    let calendar = utfall_model::check::calendar(&workspace);
    let mut imports = Vec::new();
    if request.import {
        let store = data_store(dir, &workspace);
        let catalog = utfall_model::check::catalog(&workspace);
        for export in &exports {
            let options = ImportOptions {
                table: export.table.map(str::to_string),
                // The demo company's exports are in kronor where they do not say.
                currency: Some("SEK".into()),
                ..ImportOptions::new(export.preset, "SEK", zone.clone())
            };
            let summary = import_file(&store, &export.path, &options, &catalog, &Silent).map_err(
                |error| AppError::internal("the demo's exports did not import").caused_by(error),
            )?;
            imports.push(DemoImport {
                file: export
                    .path
                    .strip_prefix(dir)
                    .unwrap_or(&export.path)
                    .to_path_buf(),
                imported: summary.imported,
                rejected: summary.rejected,
                tables: summary.tables,
            });
        }
    }
    Ok(DemoInstalled {
        today,
        totals: truth["totals"].clone(),
        truth_file: dir.join("truth.json"),
        imports,
        last_quarter: Period::containing(today, Grain::FiscalQuarter, &calendar)
            .previous(&calendar),
        fair_year: if (today.month(), today.day()) > (10, 24) {
            today.year()
        } else {
            today.year() - 1
        },
    })
}
