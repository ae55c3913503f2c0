//! Tiny workspaces for the engine's tests: Parquet parts written from rows of text, as the
//! importer would type them, and an engine over them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow::datatypes::{Field, Schema};
use datafusion::parquet::arrow::ArrowWriter;
use utfall_model::catalog::{Catalog, ColumnType};
use utfall_model::period::{Calendar, Period};
use utfall_model::workspace::{SourceFile, Workspace};

use crate::kpi::{Engine, EngineConfig, EngineError};
use crate::period_udf::days_since_epoch;
use crate::tables::{UTC, arrow_type};

/// The KPIs of the tests, as in the KPI library.
const KPIS: &str = r#"
[[kpi]]
id = "marketing_spend"
name = { en = "Marketing spend" }
formula = "sum(spend.cost, time: date)"
unit = "currency"
direction = "neutral"

[[kpi]]
id = "spend_rows"
name = { en = "Spend rows" }
formula = "count(spend, time: date)"
unit = "count"
direction = "neutral"

[[kpi]]
id = "leads"
name = { en = "Leads" }
formula = "count(contacts, time: became_lead_at)"
unit = "count"
direction = "higher"

[[kpi]]
id = "won_revenue"
name = { en = "Won revenue" }
formula = "sum(deals.amount, where: is_won, time: closed_at)"
unit = "currency"
direction = "higher"
"#;

/// A data folder of Parquet parts.
#[derive(Debug)]
pub(crate) struct Data {
    dir: tempfile::TempDir,
    parts: BTreeMap<String, Vec<PathBuf>>,
    pub cluster: Option<String>,
}

impl Data {
    pub(crate) fn new() -> Data {
        Data {
            dir: tempfile::tempdir().unwrap(),
            parts: BTreeMap::new(),
            cluster: None,
        }
    }

    /// Writes a part of a canonical table: the named columns from text cells (empty is null),
    /// every other column null.
    pub(crate) fn part(&mut self, table: &str, header: &[&str], rows: &[&[&str]]) {
        let catalog = Catalog::canonical();
        let table = catalog.table(table).unwrap();
        let mut fields = Vec::new();
        let mut columns: Vec<ArrayRef> = Vec::new();
        for column in &table.columns {
            let position = header.iter().position(|h| *h == column.name);
            let cells: Vec<Option<&str>> = rows
                .iter()
                .map(|row| position.map(|p| row[p]).filter(|cell| !cell.is_empty()))
                .collect();
            let nullable = column.nullable || cells.iter().any(Option::is_none);
            fields.push(Field::new(&column.name, arrow_type(column.ty), nullable));
            columns.push(match column.ty {
                ColumnType::Text => Arc::new(StringArray::from(cells)),
                ColumnType::Float => Arc::new(Float64Array::from_iter(
                    cells.iter().map(|c| c.map(|c| c.parse::<f64>().unwrap())),
                )),
                ColumnType::Integer => Arc::new(Int64Array::from_iter(
                    cells.iter().map(|c| c.map(|c| c.parse::<i64>().unwrap())),
                )),
                ColumnType::Bool => Arc::new(BooleanArray::from_iter(
                    cells.iter().map(|c| c.map(|c| c == "true")),
                )),
                ColumnType::Date => Arc::new(Date32Array::from_iter(
                    cells
                        .iter()
                        .map(|c| c.map(|c| days_since_epoch(c.parse().unwrap()))),
                )),
                ColumnType::Timestamp => Arc::new(
                    TimestampMicrosecondArray::from_iter(cells.iter().map(|c| {
                        c.map(|c| c.parse::<jiff::Timestamp>().unwrap().as_microsecond())
                    }))
                    .with_timezone(UTC),
                ),
            });
        }
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
        let paths = self.parts.entry(table.name.clone()).or_default();
        let path = self
            .dir
            .path()
            .join(format!("{}-{}.parquet", table.name, paths.len()));
        let mut writer =
            ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        paths.push(path);
    }
}

/// An engine over the data, in a workspace with currency `currency` in Stockholm.
pub(crate) fn engine(data: &Data, currency: &str) -> Result<Engine, EngineError> {
    engine_with_kpis(data, currency, KPIS)
}

/// An engine over the data with the KPIs of `kpis` (`[[kpi]]` entries in TOML), in a workspace
/// with currency `currency` in Stockholm.
pub(crate) fn engine_with_kpis(
    data: &Data,
    currency: &str,
    kpis: &str,
) -> Result<Engine, EngineError> {
    let catalog = Catalog::canonical();
    let tables = data
        .parts
        .iter()
        .map(|(name, paths)| (catalog.table(name).unwrap().clone(), paths.clone()))
        .collect();
    let config = EngineConfig {
        tables,
        calendar: Calendar::default(),
        time_zone: "Europe/Stockholm".to_string(),
        brand: None,
        currency: currency.to_string(),
        cluster: data.cluster.clone(),
    };
    let workspace = Workspace::from_files(vec![SourceFile {
        path: "kpis/test.toml".to_string(),
        text: kpis.to_string(),
    }]);
    assert!(
        workspace.read_problems.is_empty(),
        "{:?}",
        workspace.read_problems
    );
    block_on(Engine::new(config, &workspace))
}

/// Runs a future on the tests' one runtime (two workers, as the CLI's).
pub(crate) fn block_on<F: std::future::Future>(future: F) -> F::Output {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap()
        })
        .block_on(future)
}

/// One KPI's value in one period (`2024-01-05`, `2024-W01`, `2024-01`…).
pub(crate) fn evaluate_one(
    engine: &Engine,
    kpi: &str,
    period: &str,
) -> Result<Option<f64>, EngineError> {
    let period: Period = period.parse().unwrap();
    Ok(block_on(engine.evaluate(&[kpi], &[period]))?.get(kpi, period))
}
