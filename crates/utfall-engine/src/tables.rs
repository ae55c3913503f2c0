//! The workspace's tables in the session: each table's Parquet parts as one listing table; a
//! money table with amounts in other currencies as a view that converts them (`fx.rs`); and
//! every table of the catalog without data as an empty table of its schema, so that a query
//! of it answers with no rows rather than "table not found".

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::catalog::TableProvider;
use datafusion::datasource::empty::EmptyTable;
use datafusion::logical_expr::ScalarUDF;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use utfall_model::catalog::{Catalog, ColumnType, Table};

use crate::fx::{self, Converted, FactorTable, ForeignTable, Rates};
use crate::kpi::{EngineError, MONEY};

/// The time zone of stored timestamps, as the importer writes it (`utfall-ingest`'s
/// `table::UTC`).
pub(crate) const UTC: &str = "+00:00";

/// The Arrow type the importer writes for a column type (`utfall-ingest`'s `table::arrow_type`).
pub(crate) fn arrow_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::Text => DataType::Utf8,
        ColumnType::Float => DataType::Float64,
        ColumnType::Integer => DataType::Int64,
        ColumnType::Bool => DataType::Boolean,
        ColumnType::Date => DataType::Date32,
        ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())),
    }
}

/// A catalog table's Arrow schema.
pub(crate) fn schema(table: &Table) -> SchemaRef {
    Arc::new(Schema::new(
        table
            .columns
            .iter()
            .map(|c| Field::new(&c.name, arrow_type(c.ty), c.nullable))
            .collect::<Vec<_>>(),
    ))
}

/// A table made of several Parquet part files, as one listing table.
async fn listing_table(
    context: &SessionContext,
    paths: &[PathBuf],
) -> Result<Arc<dyn TableProvider>, EngineError> {
    use datafusion::datasource::file_format::options::ReadOptions as _;
    use datafusion::datasource::listing::{ListingTable, ListingTableConfig, ListingTableUrl};
    let urls = paths
        .iter()
        .map(|p| ListingTableUrl::parse(p.display().to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let state = context.state();
    let options = ParquetReadOptions::default()
        .to_listing_options(&state.config().clone(), state.default_table_options());
    let config = ListingTableConfig::new_with_multi_paths(urls)
        .with_listing_options(options)
        .infer_schema(&state)
        .await?;
    Ok(Arc::new(ListingTable::try_new(config)?))
}

/// How money is converted while registering.
#[derive(Debug)]
pub(crate) struct Conversion<'a> {
    /// The workspace's currency.
    pub currency: &'a str,
    /// The day-grain period function, for the local day of a timestamp.
    pub local_day: &'a ScalarUDF,
    pub factor_table: FactorTable,
}

/// What was registered.
#[derive(Debug, Default)]
pub(crate) struct Registered {
    /// The tables that hold data.
    pub with_data: BTreeSet<String>,
    /// The money tables with amounts in other currencies, registered as conversion views.
    pub converted: BTreeMap<String, Converted>,
}

/// Registers every table of `catalog`: those of `tables` with parts from their Parquet files
/// (money converted into the workspace's currency), the others empty.
pub(crate) async fn register(
    context: &SessionContext,
    catalog: &Catalog,
    tables: &[(Table, Vec<PathBuf>)],
    conversion: &Conversion<'_>,
) -> Result<Registered, EngineError> {
    let mut registered = Registered::default();
    let mut foreign_tables = Vec::new();
    for (table, paths) in tables {
        if paths.is_empty() {
            continue;
        }
        let provider = listing_table(context, paths).await?;
        registered.with_data.insert(table.name.clone());
        let amounts: Vec<&str> = MONEY
            .iter()
            .filter(|(name, _)| *name == table.name)
            .map(|(_, column)| *column)
            .collect();
        if let Some(day) = fx::conversion_day(&table.name, conversion.local_day)
            && !amounts.is_empty()
        {
            let frame = context.read_table(provider.clone())?;
            let foreign = fx::foreign_days(frame, &amounts, &day, conversion.currency).await?;
            if !foreign.is_empty() {
                foreign_tables.push(ForeignTable {
                    name: &table.name,
                    provider,
                    amounts,
                    day,
                    foreign,
                });
                continue;
            }
        }
        // The fast path: all in the workspace's currency (or no money at all), no join.
        context.register_table(table.name.as_str(), provider)?;
    }
    if !foreign_tables.is_empty() {
        // `fx_rates` is registered by now, as a table of its own.
        let rates = if registered.with_data.contains("fx_rates") {
            fx::read_rates(context).await?
        } else {
            Rates::default()
        };
        for table in foreign_tables {
            let name = table.name.to_string();
            let converted = fx::register_converted(
                context,
                table,
                &rates,
                conversion.currency,
                conversion.factor_table,
            )
            .await?;
            registered.converted.insert(name, converted);
        }
    }
    for table in &catalog.tables {
        if !registered.with_data.contains(&table.name) {
            // `EmptyTable` has a protobuf encoding, so this works on Ballista too.
            context.register_table(
                table.name.as_str(),
                Arc::new(EmptyTable::new(schema(table))),
            )?;
        }
    }
    Ok(registered)
}

#[cfg(test)]
mod tests {
    use arrow::array::{AsArray, RecordBatch};
    use arrow::datatypes::Int64Type;

    use crate::testing::{Data, engine, evaluate_one};

    #[test]
    fn every_canonical_table_can_be_queried_empty() {
        let engine = engine(&Data::new(), "SEK").unwrap();
        let sql = |query: &str| -> Vec<RecordBatch> {
            crate::testing::block_on(async {
                engine
                    .context()
                    .sql_with_options(query, crate::kpi::read_only_sql())
                    .await?
                    .collect()
                    .await
            })
            .unwrap()
        };
        let counts = sql("select count(*) from identities");
        assert_eq!(counts[0].column(0).as_primitive::<Int64Type>().value(0), 0);
        for table in &utfall_model::catalog::Catalog::canonical().tables {
            let rows: usize = sql(&format!("select * from {}", table.name))
                .iter()
                .map(RecordBatch::num_rows)
                .sum();
            assert_eq!(rows, 0, "{}", table.name);
        }
        // The importer's types: timestamps in µs UTC, dates as days.
        let schema = crate::testing::block_on(async { engine.context().table("identities").await })
            .unwrap()
            .schema()
            .as_arrow()
            .clone();
        assert_eq!(
            schema.field_with_name("linked_at").unwrap().data_type(),
            &arrow::datatypes::DataType::Timestamp(
                arrow::datatypes::TimeUnit::Microsecond,
                Some("+00:00".into())
            )
        );
        assert!(!engine.has_table("identities"), "no data");
        // A KPI over a table without data has no value.
        assert_eq!(
            evaluate_one(&engine, "marketing_spend", "2024-W01").unwrap(),
            None
        );
        assert_eq!(evaluate_one(&engine, "leads", "2024-01").unwrap(), None);
    }

    #[cfg(feature = "ballista")]
    #[test]
    fn empty_tables_on_ballista() {
        let mut data = Data::new();
        data.cluster = Some("ballista:standalone".to_string());
        let engine = engine(&data, "SEK").unwrap();
        let batches = crate::testing::block_on(async {
            engine
                .context()
                .sql("select count(*) from identities")
                .await?
                .collect()
                .await
        })
        .unwrap();
        assert_eq!(batches[0].column(0).as_primitive::<Int64Type>().value(0), 0);
    }

    #[test]
    fn tables_with_data_and_empty_ones_meet_in_one_query() {
        let mut data = Data::new();
        data.part(
            "contacts",
            &["person_id", "created_at", "original_channel"],
            &[&["p1", "2024-01-04T10:00:00Z", "direct"]],
        );
        let engine = engine(&data, "SEK").unwrap();
        let batches = crate::testing::block_on(async {
            engine
                .context()
                .sql(
                    "select count(*) from contacts c \
                         left join identities i on i.person_id = c.person_id",
                )
                .await?
                .collect()
                .await
        })
        .unwrap();
        assert_eq!(batches[0].column(0).as_primitive::<Int64Type>().value(0), 1);
    }
}
