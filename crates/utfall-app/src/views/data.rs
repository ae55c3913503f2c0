//! The data overview: tables with their row counts and date ranges, the import log and the
//! quarantine.

use serde::Serialize;

use crate::error::AppError;
use crate::series::CellValue;
use crate::session::Session;

/// One table of the workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableLine {
    /// Its name.
    pub table: String,
    /// Its rows.
    pub rows: u64,
    /// The column its dates are read from.
    pub time_column: Option<String>,
    /// Its first day.
    pub first: Option<String>,
    /// Its last day.
    pub last: Option<String>,
}

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarantineLine {
    /// The file.
    pub file: String,
    /// The line in it.
    pub line: String,
    /// The column.
    pub column: String,
    /// Why it was rejected.
    pub reason: String,
    /// The record as it was.
    pub record: String,
}

/// What the workspace's data folder holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataOverview {
    /// The tables.
    pub tables: Vec<TableLine>,
    /// The import log, newest first.
    pub imports: Vec<utfall_ingest::store::ImportRecord>,
    /// The rows the latest imports with rejections kept, with their reasons.
    pub quarantine: Vec<QuarantineLine>,
}

/// The data overview of the workspace.
pub async fn data_overview(session: &Session) -> Result<DataOverview, AppError> {
    let manifest = session.store.manifest()?;
    let catalog = utfall_model::check::catalog(&session.workspace);
    let mut tables = Vec::new();
    for (name, file) in &manifest.tables {
        let time_column = catalog.table(name).and_then(|t| t.default_time.clone());
        let (mut first, mut last) = (None, None);
        if let Some(column) = &time_column
            && session.engine.has_table(name)
        {
            // Names come from the catalog, never from a request.
            let query = format!(
                "SELECT CAST(MIN(\"{column}\") AS VARCHAR), CAST(MAX(\"{column}\") AS VARCHAR) FROM \"{name}\""
            );
            let result = crate::series::sql(session, &query).await?;
            if let Some(row) = result.rows.first() {
                let text = |cell: Option<&crate::series::Cell>| match cell.map(|c| &c.value) {
                    Some(CellValue::Text(t)) => Some(t.chars().take(10).collect()),
                    _ => None,
                };
                first = text(row.first());
                last = text(row.get(1));
            }
        }
        tables.push(TableLine {
            table: name.clone(),
            rows: file.rows,
            time_column,
            first,
            last,
        });
    }
    let mut quarantine = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for import in manifest
        .imports
        .iter()
        .rev()
        .filter(|i| i.quarantine.is_some())
    {
        if !seen.insert(import.file.clone()) {
            continue;
        }
        let files = [std::path::PathBuf::from(&import.file)];
        if let Some(rejected) = crate::import::rejected(&session.dir, &files)? {
            for row in rejected.rows {
                let cell = |i: usize| row.get(i).cloned().unwrap_or_default();
                quarantine.push(QuarantineLine {
                    file: cell(0),
                    line: cell(1),
                    column: cell(2),
                    reason: cell(3),
                    record: cell(4),
                });
            }
        }
    }
    let mut imports = manifest.imports;
    imports.reverse();
    Ok(DataOverview {
        tables,
        imports,
        quarantine,
    })
}
