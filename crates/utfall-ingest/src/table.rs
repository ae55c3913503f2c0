//! Canonical tables as Arrow: schemas from the model's catalog, and a typed row builder.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use jiff::Timestamp;
use jiff::civil::Date;
use utfall_model::catalog::{ColumnType, Table};

/// A typed value on its way into a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text, for a `text` column.
    Text(String),
    /// A number, for a `float` column.
    Float(f64),
    /// A whole number, for an `integer` column.
    Integer(i64),
    /// Yes or no, for a `bool` column.
    Bool(bool),
    /// A calendar day, for a `date` column.
    Date(Date),
    /// An instant, for a `timestamp` column (stored in UTC).
    Timestamp(Timestamp),
}

/// A value read from a record without copying its text: the fast path of plans that map
/// one record to one row (`generic`).
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed<'a> {
    /// No value: the column is empty.
    Null,
    /// Text borrowed from the record.
    Str(&'a str),
    /// Text owned rather than borrowed (a hashed or masked address).
    Owned(String),
    /// A number.
    Float(f64),
    /// A whole number.
    Integer(i64),
    /// Yes or no.
    Bool(bool),
    /// A calendar day.
    Date(Date),
    /// An instant, in UTC.
    Timestamp(Timestamp),
}

/// One row: a value (or null) a column, in the table's order.
pub type Row = Vec<Option<Value>>;

/// One record's rows for each table of an import, in the order of its tables.
pub type TableRows = Vec<Vec<Row>>;

/// The time zone of stored timestamps: UTC, written as an offset so that Arrow and DataFusion
/// need no time-zone database to read it.
pub const UTC: &str = "+00:00";

/// The Arrow type of a catalog column type. Timestamps are microseconds in UTC.
pub fn arrow_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::Text => DataType::Utf8,
        ColumnType::Float => DataType::Float64,
        ColumnType::Integer => DataType::Int64,
        ColumnType::Bool => DataType::Boolean,
        ColumnType::Date => DataType::Date32,
        ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())),
    }
}

/// The Arrow schema of a catalog table: its columns in order, with their types and nullability.
pub fn schema(table: &Table) -> SchemaRef {
    Arc::new(Schema::new(
        table
            .columns
            .iter()
            .map(|c| Field::new(&c.name, arrow_type(c.ty), c.nullable))
            .collect::<Vec<_>>(),
    ))
}

#[derive(Debug)]
enum ColumnBuilder {
    Text(StringBuilder),
    Float(Float64Builder),
    Integer(Int64Builder),
    Bool(BooleanBuilder),
    Date(Date32Builder),
    Timestamp(TimestampMicrosecondBuilder),
}

const EPOCH: Date = Date::constant(1970, 1, 1);

fn days_since_epoch(date: Date) -> i32 {
    EPOCH.until(date).map(|span| span.get_days()).unwrap_or(0)
}

/// A value that does not fit its column.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("column `{column}`: {reason}")]
pub struct CellError {
    /// The column the value was for (empty when the whole record is at fault).
    pub column: String,
    /// Why it does not fit, for people.
    pub reason: String,
}

/// Rows for one canonical table, checked against its schema as they are added.
#[derive(Debug)]
pub struct TableBuilder {
    table: Table,
    schema: SchemaRef,
    columns: Vec<ColumnBuilder>,
    n_rows: usize,
}

impl TableBuilder {
    /// An empty builder for `table`'s rows.
    pub fn new(table: &Table) -> TableBuilder {
        let columns = table
            .columns
            .iter()
            .map(|c| match c.ty {
                ColumnType::Text => ColumnBuilder::Text(StringBuilder::new()),
                ColumnType::Float => ColumnBuilder::Float(Float64Builder::new()),
                ColumnType::Integer => ColumnBuilder::Integer(Int64Builder::new()),
                ColumnType::Bool => ColumnBuilder::Bool(BooleanBuilder::new()),
                ColumnType::Date => ColumnBuilder::Date(Date32Builder::new()),
                ColumnType::Timestamp => {
                    ColumnBuilder::Timestamp(TimestampMicrosecondBuilder::new().with_timezone(UTC))
                }
            })
            .collect();
        TableBuilder {
            table: table.clone(),
            schema: schema(table),
            columns,
            n_rows: 0,
        }
    }

    /// The table the rows are for.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// How many rows have been added since the last batch.
    pub fn len(&self) -> usize {
        self.n_rows
    }

    /// Whether no row has been added since the last batch.
    pub fn is_empty(&self) -> bool {
        self.n_rows == 0
    }

    /// Checks a row (one value per column, in the table's order) without adding it.
    pub fn check(&self, row: &[Option<Value>]) -> Result<(), CellError> {
        for (column, value) in self.table.columns.iter().zip(row) {
            let fits = match (value, column.ty) {
                (None, _) => column.nullable,
                (Some(Value::Text(_)), ColumnType::Text)
                | (Some(Value::Float(_) | Value::Integer(_)), ColumnType::Float)
                | (Some(Value::Integer(_)), ColumnType::Integer)
                | (Some(Value::Bool(_)), ColumnType::Bool)
                | (Some(Value::Date(_)), ColumnType::Date)
                | (Some(Value::Timestamp(_) | Value::Date(_)), ColumnType::Timestamp) => true,
                (Some(Value::Float(f)), ColumnType::Integer) => f.fract() == 0.0,
                _ => false,
            };
            if !fits {
                let reason = match value {
                    None => "a value is required".to_string(),
                    Some(value) => format!("expected {}, got {value:?}", column.ty),
                };
                return Err(CellError {
                    column: column.name.clone(),
                    reason,
                });
            }
        }
        Ok(())
    }

    /// Adds a row that has passed [`TableBuilder::check`]; the import checks every row of a
    /// record before adding any, so the check is not repeated here.
    pub fn push(&mut self, row: Vec<Option<Value>>) {
        debug_assert!(self.check(&row).is_ok(), "push takes checked rows");
        let parsed: Vec<Parsed<'_>> = row
            .into_iter()
            .zip(&self.table.columns)
            .map(|(value, column)| match (value, column.ty) {
                (None, _) => Parsed::Null,
                (Some(Value::Text(v)), _) => Parsed::Owned(v),
                (Some(Value::Float(v)), ColumnType::Integer) => Parsed::Integer(v as i64),
                (Some(Value::Integer(v)), ColumnType::Float) => Parsed::Float(v as f64),
                (Some(Value::Float(v)), _) => Parsed::Float(v),
                (Some(Value::Integer(v)), _) => Parsed::Integer(v),
                (Some(Value::Bool(v)), _) => Parsed::Bool(v),
                (Some(Value::Date(v)), ColumnType::Timestamp) => Parsed::Timestamp(
                    Timestamp::from_microsecond(i64::from(days_since_epoch(v)) * 86_400_000_000)
                        .unwrap_or(Timestamp::UNIX_EPOCH),
                ),
                (Some(Value::Date(v)), _) => Parsed::Date(v),
                (Some(Value::Timestamp(v)), _) => Parsed::Timestamp(v),
            })
            .collect();
        self.push_parsed(&parsed);
    }

    /// Adds a row read by a direct plan, whose values have their columns' types and whose
    /// required columns are filled (the plan checks both).
    pub fn push_parsed(&mut self, row: &[Parsed<'_>]) {
        for (builder, value) in self.columns.iter_mut().zip(row) {
            match (builder, value) {
                (ColumnBuilder::Text(b), Parsed::Str(v)) => b.append_value(v),
                (ColumnBuilder::Text(b), Parsed::Owned(v)) => b.append_value(v),
                (ColumnBuilder::Float(b), Parsed::Float(v)) => b.append_value(*v),
                (ColumnBuilder::Integer(b), Parsed::Integer(v)) => b.append_value(*v),
                (ColumnBuilder::Bool(b), Parsed::Bool(v)) => b.append_value(*v),
                (ColumnBuilder::Date(b), Parsed::Date(v)) => b.append_value(days_since_epoch(*v)),
                (ColumnBuilder::Timestamp(b), Parsed::Timestamp(v)) => {
                    b.append_value(v.as_microsecond())
                }
                (ColumnBuilder::Text(b), _) => b.append_null(),
                (ColumnBuilder::Float(b), _) => b.append_null(),
                (ColumnBuilder::Integer(b), _) => b.append_null(),
                (ColumnBuilder::Bool(b), _) => b.append_null(),
                (ColumnBuilder::Date(b), _) => b.append_null(),
                (ColumnBuilder::Timestamp(b), _) => b.append_null(),
            }
        }
        self.n_rows += 1;
    }

    /// The rows so far as one batch; the builder is emptied.
    pub fn finish(&mut self) -> RecordBatch {
        let arrays: Vec<ArrayRef> = self
            .columns
            .iter_mut()
            .map(|builder| -> ArrayRef {
                match builder {
                    ColumnBuilder::Text(b) => Arc::new(b.finish()),
                    ColumnBuilder::Float(b) => Arc::new(b.finish()),
                    ColumnBuilder::Integer(b) => Arc::new(b.finish()),
                    ColumnBuilder::Bool(b) => Arc::new(b.finish()),
                    ColumnBuilder::Date(b) => Arc::new(b.finish()),
                    ColumnBuilder::Timestamp(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.n_rows = 0;
        RecordBatch::try_new(self.schema.clone(), arrays)
            .unwrap_or_else(|_| RecordBatch::new_empty(self.schema.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utfall_model::catalog::Catalog;

    #[test]
    fn builds_typed_batches_and_rejects_misfits() {
        let catalog = Catalog::canonical();
        let mut builder = TableBuilder::new(catalog.table("deal_contacts").unwrap());
        builder.push(vec![
            Some(Value::Text("d1".into())),
            Some(Value::Text("p1".into())),
            None,
        ]);
        let error = builder
            .check(&[None, Some(Value::Text("p1".into())), None])
            .unwrap_err();
        assert_eq!(error.column, "deal_id");
        let error = builder
            .check(&[
                Some(Value::Integer(3)),
                Some(Value::Text("p1".into())),
                None,
            ])
            .unwrap_err();
        assert!(error.reason.starts_with("expected text"), "{error}");
        let batch = builder.finish();
        assert_eq!(batch.num_rows(), 1);
        // 56 years to 2026-01-01 with 14 leap days (1972…2024): 20 454 days; then 304 + 25.
        assert_eq!(days_since_epoch("2026-11-26".parse().unwrap()), 20_783);
    }
}
