//! Typed rows of the tables that callers read whole (the activity plan, daily spend), and
//! read-only SQL with typed cells: no Arrow type leaves the engine.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Date32Type, Float64Type, Int64Type, UInt64Type};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use jiff::civil::Date;

use crate::cells;
use crate::kpi::{Engine, EngineError, read_only_sql};
use crate::period_udf::date_from_days;

/// One row of `spend`: what was spent on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendRow {
    /// The day.
    pub date: Date,
    /// The channel (`None` when the row has none).
    pub channel: Option<String>,
    /// The campaign's id on its platform.
    pub campaign_id: Option<String>,
    /// The campaign's name.
    pub campaign_name: Option<String>,
    /// The activity of the plan the spend belongs to.
    pub activity_id: Option<String>,
    /// The cost in the workspace's currency (converted when it was another).
    pub cost: Option<f64>,
}

/// One activity of the imported plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRow {
    /// The activity's id.
    pub id: String,
    /// Its name (empty when the plan has none).
    pub name: String,
    /// Its first day.
    pub start: Date,
    /// Its last day (the first when the plan gives none).
    pub end: Date,
}

/// The value of one cell of a query's result.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    /// No value.
    Null,
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// A floating-point number (also smaller integer and decimal types).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// Anything else, as text (dates, timestamps, strings).
    Text(String),
}

/// One cell: its typed value and its text as a table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The typed value.
    pub value: CellValue,
    /// The display text (empty for null).
    pub text: String,
}

/// The result of a read-only query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryResult {
    /// The column names.
    pub columns: Vec<String>,
    /// The rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl Engine {
    /// Every row of `spend` with a date (empty when the table holds no data).
    pub async fn spend_rows(&self) -> Result<Vec<SpendRow>, EngineError> {
        let columns = [
            "date",
            "channel",
            "campaign_id",
            "campaign_name",
            "activity_id",
            "cost",
        ];
        let Some(batch) = self.read_columns("spend", &columns).await? else {
            return Ok(Vec::new());
        };
        let dates = cells::seconds(&batch, "date");
        let channels = cells::texts(&batch, "channel");
        let campaign_ids = cells::texts(&batch, "campaign_id");
        let campaign_names = cells::texts(&batch, "campaign_name");
        let activity_ids = cells::texts(&batch, "activity_id");
        let costs = cells::numbers(&batch, "cost");
        let mut rows = Vec::with_capacity(batch.num_rows());
        for (row, seconds) in dates.into_iter().enumerate() {
            let Some(seconds) = seconds else {
                continue;
            };
            rows.push(SpendRow {
                date: date_from_days(seconds.div_euclid(86_400) as i32),
                channel: channels[row].clone(),
                campaign_id: campaign_ids[row].clone(),
                campaign_name: campaign_names[row].clone(),
                activity_id: activity_ids[row].clone(),
                cost: costs[row],
            });
        }
        Ok(rows)
    }

    /// Every activity of the imported plan with an id and a start.
    pub async fn activity_rows(&self) -> Result<Vec<ActivityRow>, EngineError> {
        let Some(batch) = self
            .read_columns(
                "activities",
                &["activity_id", "name", "start_date", "end_date"],
            )
            .await?
        else {
            return Ok(Vec::new());
        };
        let ids = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        let names = arrow::compute::cast(batch.column(1), &DataType::Utf8)?;
        let starts = arrow::compute::cast(batch.column(2), &DataType::Date32)?;
        let ends = arrow::compute::cast(batch.column(3), &DataType::Date32)?;
        let (ids, names) = (ids.as_string::<i32>(), names.as_string::<i32>());
        let (starts, ends) = (
            starts.as_primitive::<Date32Type>(),
            ends.as_primitive::<Date32Type>(),
        );
        let mut rows = Vec::new();
        for i in 0..batch.num_rows() {
            if ids.is_null(i) || starts.is_null(i) {
                continue;
            }
            let start = date_from_days(starts.value(i));
            let end = if ends.is_null(i) {
                start
            } else {
                date_from_days(ends.value(i))
            };
            let name = if names.is_null(i) { "" } else { names.value(i) };
            rows.push(ActivityRow {
                id: ids.value(i).to_string(),
                name: name.to_string(),
                start,
                end,
            });
        }
        Ok(rows)
    }

    /// Runs a read-only SQL query (DDL, DML and statements refused) over the tables.
    pub async fn sql(&self, query: &str) -> Result<QueryResult, EngineError> {
        let batches = self
            .context()
            .sql_with_options(query, read_only_sql())
            .await?
            .collect()
            .await?;
        let Some(first) = batches.first() else {
            return Ok(QueryResult::default());
        };
        let columns = first
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let mut rows = Vec::new();
        for batch in &batches {
            decode(batch, &mut rows)?;
        }
        Ok(QueryResult { columns, rows })
    }
}

fn decode(batch: &RecordBatch, rows: &mut Vec<Vec<Cell>>) -> Result<(), EngineError> {
    let options = FormatOptions::default().with_null("");
    let formatters: Vec<ArrayFormatter<'_>> = batch
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
        .collect::<Result<_, _>>()?;
    for row in 0..batch.num_rows() {
        rows.push(
            batch
                .columns()
                .iter()
                .zip(&formatters)
                .map(|(column, formatter)| {
                    let text = formatter.value(row).to_string();
                    Cell {
                        value: value(column.as_ref(), row, &text),
                        text,
                    }
                })
                .collect(),
        );
    }
    Ok(())
}

/// A cell's typed value: numbers as numbers, booleans as booleans, the rest as its text.
fn value(column: &dyn Array, row: usize, text: &str) -> CellValue {
    if column.is_null(row) {
        return CellValue::Null;
    }
    match column.data_type() {
        DataType::Int64 => CellValue::Int(column.as_primitive::<Int64Type>().value(row)),
        DataType::UInt64 => CellValue::UInt(column.as_primitive::<UInt64Type>().value(row)),
        DataType::Float64 => CellValue::Float(column.as_primitive::<Float64Type>().value(row)),
        DataType::Boolean => CellValue::Bool(column.as_boolean().value(row)),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::Float16
        | DataType::Float32
        | DataType::Decimal128(..) => text
            .parse::<f64>()
            .map_or_else(|_| CellValue::Text(text.to_string()), CellValue::Float),
        _ => CellValue::Text(text.to_string()),
    }
}
