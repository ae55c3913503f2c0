//! Compiling KPI formulas and evaluating them per period.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::{Not as _, Sub as _};
use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{Array, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type, Int64Type, TimeUnit};
use arrow::record_batch::RecordBatch;
use datafusion::functions_aggregate::expr_fn::{
    avg, bool_or, count, count_distinct, max, min, sum,
};
use datafusion::logical_expr::{ScalarUDF, in_list, when};
use datafusion::prelude::{DataFrame, Expr, SessionContext, col, lit};
use datafusion::scalar::ScalarValue;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use utfall_model::catalog::{Catalog, ColumnType, Table};
use utfall_model::formula::{
    self, AggFunc, BinOp, CmpOp, Condition, CumulativeWindow, Expr as Formula, Literal, Offset,
};
use utfall_model::period::{Calendar, Grain, Period};
use utfall_model::workspace::Workspace;

use crate::fx::{self, Converted, FactorTable};
use crate::period_udf::{PeriodUdf, date_from_days, days_since_epoch, local_date};
use crate::tables::{self, Conversion};

/// How the engine sees a workspace.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Each table that has data, with its Parquet part files.
    pub tables: Vec<(Table, Vec<PathBuf>)>,
    /// The calendar that periods follow (ISO weeks, the fiscal year's first month).
    pub calendar: Calendar,
    /// The workspace's time zone (e.g. `Europe/Stockholm`), in which timestamps fall into days.
    pub time_zone: String,
    /// The company's brand, the value of `$brand` in formulas.
    pub brand: Option<String>,
    /// The workspace's currency (e.g. `SEK`), the value of `$currency` and of every amount.
    pub currency: String,
    /// Where the plans run: `None` (or `embedded`) in this process; `ballista://host:port` on an
    /// Apache DataFusion Ballista cluster; `ballista:standalone` on a scheduler and an executor
    /// started in this process.
    pub cluster: Option<String>,
}

/// Evaluation failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No KPI of the workspace has this id.
    #[error("unknown KPI `{0}`")]
    UnknownKpi(String),
    /// A KPI without a formula whose relation to its children does not give its value.
    #[error("KPI `{0}` has no formula and cannot be computed from its children")]
    NotComputable(String),
    /// A KPI's formula does not parse.
    #[error("the formula of `{kpi}` does not parse: {message}")]
    Formula {
        /// The KPI.
        kpi: String,
        /// What is wrong with its formula.
        message: String,
    },
    /// A money aggregate meets more than one currency in a period.
    #[error(
        "`{table}.{column}` mixes currencies ({currencies}) in {period}; amounts are summed only within one currency"
    )]
    MixedCurrencies {
        /// The money table.
        table: String,
        /// Its amount column.
        column: String,
        /// The period's label.
        period: String,
        /// How many currencies (e.g. `2 currencies`).
        currencies: String,
    },
    /// An amount in another currency than the workspace's has no exchange rate in `fx_rates`
    /// on or before its day.
    #[error(
        "`{table}` has {currency} amounts on {date} but `fx_rates` has no {currency} rate on or before that day to convert them to {workspace_currency}; import the ECB's reference rates with `utfall import --preset fx-rates eurofxref-hist.csv`"
    )]
    MissingRate {
        /// The money table.
        table: String,
        /// The amount's currency.
        currency: String,
        /// The earliest day with such an amount.
        date: Date,
        /// The workspace's currency.
        workspace_currency: String,
    },
    /// The configured time zone is not one.
    #[error("`{0}` is not a time zone")]
    TimeZone(String),
    /// The periods asked for are not all of one grain (e.g. days and months together).
    #[error("periods of different grains cannot be evaluated together")]
    MixedGrains,
    /// A formula or setting the engine cannot compute (the message says what and why).
    #[error("{0}")]
    Unsupported(String),
    /// DataFusion failed to plan or run a query.
    #[error("query engine: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// Arrow failed to convert or combine result data.
    #[error("Arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// A table the KPIs read has no such column (e.g. a split by a dimension it lacks).
    #[error("table `{table}` has no column `{column}`")]
    NoSuchColumn {
        /// The table.
        table: String,
        /// The column asked for.
        column: String,
    },
    /// A KPI's definition refers back to itself.
    #[error("KPI `{0}` depends on itself")]
    DependsOnItself(String),
    /// A formula names a table the catalog does not know.
    #[error("unknown table `{0}`")]
    UnknownTable(String),
}

/// A node of a compiled KPI.
#[derive(Debug, Clone)]
enum Node {
    Agg(usize),
    Const(f64),
    Kpi(String, Option<Offset>),
    Neg(Box<Node>),
    Bin(BinOp, Box<Node>, Box<Node>),
    Sum(Vec<Node>),
    Product(Vec<Node>),
    /// Conversion: (hits agg, base agg).
    Conversion(usize, usize),
    Cumulative(usize, CumulativeWindow),
}

#[derive(Debug, Clone, PartialEq)]
enum AggKind {
    Rows,
    NonNull(String),
    Distinct(String),
    First(String),
    Sum(String),
    Avg(String),
    Min(String),
    Max(String),
    ConversionBase {
        from: String,
    },
    ConversionHits {
        from: String,
        to: String,
        within_days: u32,
    },
}

#[derive(Debug, Clone)]
struct AggSpec {
    table: String,
    time: String,
    kind: AggKind,
    filter: Option<Expr>,
    /// Checked for a single currency per period.
    money_column: Option<String>,
}

impl AggSpec {
    fn key(&self) -> String {
        format!(
            "{}|{}|{:?}|{}",
            self.table,
            self.time,
            self.kind,
            self.filter
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        )
    }
}

/// Amount columns whose table has a `currency` column.
pub(crate) const MONEY: &[(&str, &str)] = &[
    ("spend", "cost"),
    ("deals", "amount"),
    ("activities", "budget"),
    ("web_events", "value"),
];

/// The engine for one workspace.
pub struct Engine {
    context: SessionContext,
    config: EngineConfig,
    zone: TimeZone,
    catalog: Catalog,
    kpis: BTreeMap<String, Node>,
    aggs: Vec<AggSpec>,
    /// The tables that hold data.
    registered: BTreeSet<String>,
    /// The money tables with amounts in other currencies, registered as conversion views.
    pub(crate) converted: BTreeMap<String, Converted>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("kpis", &self.kpis.len())
            .field("aggregates", &self.aggs.len())
            .finish()
    }
}

type Values = HashMap<(usize, String), f64>;

/// The values of KPIs in periods, read by KPI and period rather than by position.
#[derive(Debug, Clone, Default)]
pub struct KpiValues {
    periods: Vec<Period>,
    values: BTreeMap<String, Vec<Option<f64>>>,
}

impl KpiValues {
    /// The value of `kpi` in `period` (`None` when it has none or was not evaluated).
    pub fn get(&self, kpi: &str, period: Period) -> Option<f64> {
        let index = self.periods.iter().position(|p| *p == period)?;
        self.values.get(kpi)?.get(index).copied().flatten()
    }

    /// The values of `kpi`, one per period in the order they were asked for.
    pub fn series(&self, kpi: &str) -> &[Option<f64>] {
        self.values.get(kpi).map_or(&[], Vec::as_slice)
    }

    /// The periods evaluated, in the order they were asked for.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }
}

/// The values of KPIs per value of a dimension (e.g. each channel), by KPI, value and period.
#[derive(Debug, Clone, Default)]
pub struct SplitValues {
    periods: Vec<Period>,
    values: BTreeMap<String, BTreeMap<String, Vec<Option<f64>>>>,
}

impl SplitValues {
    /// The value of `kpi` for the dimension's `value` in `period`.
    pub fn get(&self, kpi: &str, value: &str, period: Period) -> Option<f64> {
        let index = self.periods.iter().position(|p| *p == period)?;
        self.values
            .get(kpi)?
            .get(value)?
            .get(index)
            .copied()
            .flatten()
    }

    /// The dimension values that have a value of `kpi` in some period, in sorted order.
    pub fn values_of(&self, kpi: &str) -> impl Iterator<Item = &str> {
        self.values
            .get(kpi)
            .into_iter()
            .flat_map(|by| by.keys().map(String::as_str))
    }

    /// Whether no KPI was split.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether `kpi` was split.
    pub fn has(&self, kpi: &str) -> bool {
        self.values.contains_key(kpi)
    }

    /// Adds the KPIs of another split of the same periods.
    pub fn extend(&mut self, other: SplitValues) {
        if self.periods.is_empty() {
            self.periods = other.periods;
        }
        self.values.extend(other.values);
    }
}

/// Separates a period label from a dimension value in the keys of `Values`.
const DIMENSION_SEPARATOR: char = '\u{1f}';

/// A session whose plans run on Apache DataFusion Ballista.
#[cfg(feature = "ballista")]
async fn cluster_context(
    url: &str,
    state: datafusion::execution::SessionState,
) -> Result<SessionContext, EngineError> {
    use ballista::extension::SessionContextExt;
    if url == "ballista:standalone" {
        Ok(SessionContext::standalone_with_state(state).await?)
    } else if url.starts_with("ballista://") {
        let url = url.replacen("ballista://", "df://", 1);
        Ok(SessionContext::remote_with_state(&url, state).await?)
    } else {
        Err(EngineError::Unsupported(format!(
            "`{url}` is not an engine: use `embedded`, `ballista://host:port` or `ballista:standalone`"
        )))
    }
}

#[cfg(not(feature = "ballista"))]
async fn cluster_context(
    url: &str,
    _state: datafusion::execution::SessionState,
) -> Result<SessionContext, EngineError> {
    Err(EngineError::Unsupported(format!(
        "engine `{url}`: this build has no Ballista support; build with `--features ballista`"
    )))
}

fn label(period: Period, dimension: Option<&str>) -> String {
    match dimension {
        Some(value) => format!("{period}{DIMENSION_SEPARATOR}{value}"),
        None => period.to_string(),
    }
}

impl Engine {
    /// Compiles every KPI of the workspace.
    /// Runs on the caller's async runtime (a multi-threaded tokio runtime: the plans use its
    /// workers); the engine owns none.
    pub async fn new(config: EngineConfig, workspace: &Workspace) -> Result<Engine, EngineError> {
        let zone = TimeZone::get(&config.time_zone)
            .map_err(|_| EngineError::TimeZone(config.time_zone.clone()))?;
        // The period functions of every grain are registered by name, so that a cluster's
        // scheduler and executors can decode plans that use them.
        let mut state = datafusion::execution::SessionStateBuilder::new()
            .with_default_features()
            .build();
        for grain in Grain::ALL_NAMED {
            datafusion::execution::FunctionRegistry::register_udf(
                &mut state,
                std::sync::Arc::new(ScalarUDF::from(PeriodUdf::new(
                    grain,
                    config.calendar,
                    &config.time_zone,
                    zone.clone(),
                ))),
            )?;
        }
        let (context, factor_table) = match config.cluster.as_deref() {
            None | Some("embedded") => (SessionContext::new_with_state(state), FactorTable::Memory),
            Some(url) => (cluster_context(url, state).await?, FactorTable::Values),
        };
        let mut catalog = Catalog::canonical();
        for (table, _) in &config.tables {
            if catalog.table(&table.name).is_none() {
                catalog.add(table.clone());
            }
        }
        let local_day = ScalarUDF::from(PeriodUdf::new(
            Grain::Day,
            config.calendar,
            &config.time_zone,
            zone.clone(),
        ));
        let registered = tables::register(
            &context,
            &catalog,
            &config.tables,
            &Conversion {
                currency: &config.currency,
                local_day: &local_day,
                factor_table,
            },
        )
        .await?;
        let mut engine = Engine {
            context,
            zone,
            catalog,
            kpis: BTreeMap::new(),
            aggs: Vec::new(),
            registered: registered.with_data,
            converted: registered.converted,
            config,
        };
        engine.compile(workspace)?;
        Ok(engine)
    }

    /// Whether the plans run on a Ballista cluster.
    pub fn on_cluster(&self) -> bool {
        !matches!(self.config.cluster.as_deref(), None | Some("embedded"))
    }

    /// The DataFusion session over the workspace's tables.
    pub(crate) fn context(&self) -> &SessionContext {
        &self.context
    }

    fn compile(&mut self, workspace: &Workspace) -> Result<(), EngineError> {
        let mut children: BTreeMap<String, Vec<(String, Option<String>)>> = BTreeMap::new();
        for kpi in &workspace.kpis {
            if let Some(parent) = &kpi.def.parent {
                children.entry(parent.get_ref().clone()).or_default().push((
                    kpi.def.id.get_ref().clone(),
                    kpi.def.role.as_ref().map(|r| r.get_ref().clone()),
                ));
            }
        }
        for kpi in &workspace.kpis {
            let id = kpi.def.id.get_ref().clone();
            let node = match &kpi.def.formula {
                Some(text) => {
                    let ast = formula::parse(text.get_ref()).map_err(|e| EngineError::Formula {
                        kpi: id.clone(),
                        message: e.message,
                    })?;
                    self.compile_expr(&ast)?
                }
                None => {
                    let kids = children.get(&id).cloned().unwrap_or_default();
                    match kpi.def.relation.as_ref().map(|r| r.get_ref().as_str()) {
                        Some("sum") => Node::Sum(
                            kids.iter()
                                .map(|(c, _)| Node::Kpi(c.clone(), None))
                                .collect(),
                        ),
                        Some("product") => Node::Product(
                            kids.iter()
                                .map(|(c, _)| Node::Kpi(c.clone(), None))
                                .collect(),
                        ),
                        Some("ratio") => {
                            let role = |want: &str| {
                                kids.iter()
                                    .find(|(_, r)| r.as_deref() == Some(want))
                                    .map(|(c, _)| Node::Kpi(c.clone(), None))
                            };
                            match (role("numerator"), role("denominator")) {
                                (Some(n), Some(d)) => {
                                    Node::Bin(BinOp::Div, Box::new(n), Box::new(d))
                                }
                                _ => return Err(EngineError::NotComputable(id)),
                            }
                        }
                        _ => return Err(EngineError::NotComputable(id)),
                    }
                }
            };
            self.kpis.insert(id, node);
        }
        Ok(())
    }

    fn add_agg(&mut self, spec: AggSpec) -> usize {
        let key = spec.key();
        if let Some(index) = self.aggs.iter().position(|a| a.key() == key) {
            return index;
        }
        self.aggs.push(spec);
        self.aggs.len() - 1
    }

    fn table(&self, name: &str) -> Result<Table, EngineError> {
        self.catalog
            .table(name)
            .cloned()
            .ok_or_else(|| EngineError::UnknownTable(name.to_string()))
    }

    fn compile_expr(&mut self, expr: &Formula) -> Result<Node, EngineError> {
        Ok(match expr {
            Formula::Number { value, .. } => Node::Const(*value),
            Formula::Kpi { id, offset, .. } => Node::Kpi(id.name.clone(), *offset),
            Formula::Neg { inner, .. } => Node::Neg(Box::new(self.compile_expr(inner)?)),
            Formula::Binary { op, lhs, rhs, .. } => Node::Bin(
                *op,
                Box::new(self.compile_expr(lhs)?),
                Box::new(self.compile_expr(rhs)?),
            ),
            Formula::Aggregate(aggregate) => {
                let table = self.table(&aggregate.table.name)?;
                let time = aggregate
                    .time
                    .as_ref()
                    .map(|t| t.name.clone())
                    .or(table.default_time.clone())
                    .ok_or_else(|| {
                        EngineError::Unsupported(format!(
                            "table `{}` has no time column",
                            table.name
                        ))
                    })?;
                let column = aggregate.column.as_ref().map(|c| c.name.clone());
                let kind = match (aggregate.func, column.clone()) {
                    (AggFunc::Count, None) => AggKind::Rows,
                    (AggFunc::Count, Some(c)) => AggKind::NonNull(c),
                    (AggFunc::CountDistinct, Some(c)) => AggKind::Distinct(c),
                    (AggFunc::CountNew, Some(c)) => AggKind::First(c),
                    (AggFunc::Sum, Some(c)) => AggKind::Sum(c),
                    (AggFunc::Avg, Some(c)) => AggKind::Avg(c),
                    (AggFunc::Min, Some(c)) => AggKind::Min(c),
                    (AggFunc::Max, Some(c)) => AggKind::Max(c),
                    _ => {
                        return Err(EngineError::Unsupported(format!(
                            "`{}` needs a column",
                            aggregate.func.name()
                        )));
                    }
                };
                let filter = aggregate
                    .filter
                    .as_ref()
                    .map(|f| self.condition(&table, f))
                    .transpose()?;
                let money_column = match (&kind, column) {
                    (
                        AggKind::Sum(_) | AggKind::Avg(_) | AggKind::Min(_) | AggKind::Max(_),
                        Some(c),
                    ) if MONEY.contains(&(table.name.as_str(), c.as_str())) => Some(c),
                    _ => None,
                };
                Node::Agg(self.add_agg(AggSpec {
                    table: table.name.clone(),
                    time,
                    kind,
                    filter,
                    money_column,
                }))
            }
            Formula::Conversion(conversion) => {
                let table = self.table(&conversion.table.name)?;
                let filter = conversion
                    .filter
                    .as_ref()
                    .map(|f| self.condition(&table, f))
                    .transpose()?;
                let from = conversion.from.name.clone();
                let hits = self.add_agg(AggSpec {
                    table: table.name.clone(),
                    time: from.clone(),
                    kind: AggKind::ConversionHits {
                        from: from.clone(),
                        to: conversion.to.name.clone(),
                        within_days: conversion.within_days,
                    },
                    filter: filter.clone(),
                    money_column: None,
                });
                let base = self.add_agg(AggSpec {
                    table: table.name.clone(),
                    time: from.clone(),
                    kind: AggKind::ConversionBase { from },
                    filter,
                    money_column: None,
                });
                Node::Conversion(hits, base)
            }
            Formula::Cumulative { inner, window, .. } => {
                let node = match inner.as_ref() {
                    Formula::Aggregate(_) => self.compile_expr(inner)?,
                    Formula::Kpi { id, .. } => self.kpis.get(&id.name).cloned().map_or_else(
                        || {
                            // Compile the referenced KPI's aggregate on demand (definition order).
                            Err(EngineError::Unsupported(format!(
                                "`cumulative({})`: define `{}` before the KPIs that accumulate it",
                                id.name, id.name
                            )))
                        },
                        Ok,
                    )?,
                    _ => {
                        return Err(EngineError::Unsupported(
                            "cumulative takes an aggregate or a KPI".into(),
                        ));
                    }
                };
                match node {
                    Node::Agg(index)
                        if matches!(
                            self.aggs[index].kind,
                            AggKind::Rows | AggKind::NonNull(_) | AggKind::Sum(_)
                        ) =>
                    {
                        Node::Cumulative(index, *window)
                    }
                    _ => {
                        return Err(EngineError::Unsupported(
                            "cumulative works on counts and sums".into(),
                        ));
                    }
                }
            }
        })
    }

    fn literal(&self, table: &Table, column: &str, value: &Literal) -> Result<Expr, EngineError> {
        let ty = table
            .column(column)
            .map(|c| c.ty)
            .unwrap_or(ColumnType::Text);
        Ok(match value {
            Literal::Number(n) => match ty {
                ColumnType::Integer => lit(*n as i64),
                _ => lit(*n),
            },
            Literal::Bool(b) => lit(*b),
            Literal::Param(name) => match name.as_str() {
                "brand" => lit(self.config.brand.clone().unwrap_or_default()),
                "currency" => lit(self.config.currency.clone()),
                other => {
                    return Err(EngineError::Unsupported(format!(
                        "unknown setting `${other}`"
                    )));
                }
            },
            Literal::Text(text) => match ty {
                ColumnType::Date => {
                    let date: Date = text
                        .parse()
                        .map_err(|_| EngineError::Unsupported(format!("`{text}` is not a date")))?;
                    lit(ScalarValue::Date32(Some(days_since_epoch(date))))
                }
                ColumnType::Timestamp => {
                    let date: Date = text
                        .parse()
                        .map_err(|_| EngineError::Unsupported(format!("`{text}` is not a date")))?;
                    let timestamp = self
                        .zone
                        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
                        .map_err(|_| EngineError::Unsupported(format!("`{text}`")))?;
                    timestamp_literal(timestamp)
                }
                _ => lit(text.clone()),
            },
        })
    }

    fn condition(&self, table: &Table, condition: &Condition) -> Result<Expr, EngineError> {
        Ok(match condition {
            Condition::And(a, b) => self.condition(table, a)?.and(self.condition(table, b)?),
            Condition::Or(a, b) => self.condition(table, a)?.or(self.condition(table, b)?),
            Condition::Not(inner) => self.condition(table, inner)?.not(),
            Condition::Column((_, column)) => col(column.name.as_str()).is_true(),
            Condition::IsNull {
                column: (_, column),
                negated,
            } => {
                if *negated {
                    col(column.name.as_str()).is_not_null()
                } else {
                    col(column.name.as_str()).is_null()
                }
            }
            Condition::In {
                column: (_, column),
                values,
                negated,
            } => {
                let list = values
                    .iter()
                    .map(|v| self.literal(table, &column.name, v))
                    .collect::<Result<Vec<_>, _>>()?;
                in_list(col(column.name.as_str()), list, *negated)
            }
            Condition::Compare {
                column: (_, column),
                op,
                value,
                ..
            } => {
                let left = col(column.name.as_str());
                let right = self.literal(table, &column.name, value)?;
                match op {
                    CmpOp::Eq => left.eq(right),
                    CmpOp::Ne => left.not_eq(right),
                    CmpOp::Lt => left.lt(right),
                    CmpOp::Le => left.lt_eq(right),
                    CmpOp::Gt => left.gt(right),
                    CmpOp::Ge => left.gt_eq(right),
                }
            }
        })
    }

    /// The value of each KPI in each period (all periods of one grain). A period outside the
    /// data of a KPI's tables has no value; a ratio over zero has no value.
    pub async fn evaluate(
        &self,
        kpi_ids: &[&str],
        periods: &[Period],
    ) -> Result<KpiValues, EngineError> {
        let (values, _) = self.prepare(kpi_ids, periods, None).await?;
        let mut out = BTreeMap::new();
        for id in kpi_ids {
            let series = periods
                .iter()
                .map(|p| self.value(&Node::Kpi((*id).to_string(), None), *p, &values, 0, None))
                .collect::<Result<Vec<_>, _>>()?;
            out.insert((*id).to_string(), series);
        }
        Ok(KpiValues {
            periods: periods.to_vec(),
            values: out,
        })
    }

    /// The value of each KPI in each period for each value of `dimension` (a column, e.g.
    /// `channel`, that every table the KPIs read must have). Ratios are recomputed per value,
    /// not summed.
    pub async fn evaluate_by(
        &self,
        kpi_ids: &[&str],
        periods: &[Period],
        dimension: &str,
    ) -> Result<SplitValues, EngineError> {
        let (values, dimension_values) = self.prepare(kpi_ids, periods, Some(dimension)).await?;
        let mut out = BTreeMap::new();
        for id in kpi_ids {
            let mut by = BTreeMap::new();
            for value in &dimension_values {
                let series = periods
                    .iter()
                    .map(|p| {
                        self.value(
                            &Node::Kpi((*id).to_string(), None),
                            *p,
                            &values,
                            0,
                            Some(value),
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if series.iter().any(Option::is_some) {
                    by.insert(value.clone(), series);
                }
            }
            out.insert((*id).to_string(), by);
        }
        Ok(SplitValues {
            periods: periods.to_vec(),
            values: out,
        })
    }

    /// Runs the aggregates the KPIs need; with a dimension, also returns its values.
    async fn prepare(
        &self,
        kpi_ids: &[&str],
        periods: &[Period],
        dimension: Option<&str>,
    ) -> Result<(Values, BTreeSet<String>), EngineError> {
        let Some(grain) = periods.first().map(Period::grain) else {
            return Ok((Values::new(), BTreeSet::new()));
        };
        if periods.iter().any(|p| p.grain() != grain) {
            return Err(EngineError::MixedGrains);
        }
        for id in kpi_ids {
            if !self.kpis.contains_key(*id) {
                return Err(EngineError::UnknownKpi((*id).to_string()));
            }
        }
        // Which periods (and which days, for trailing windows) each aggregate is needed for.
        let mut needed: BTreeMap<usize, BTreeSet<PeriodKey>> = BTreeMap::new();
        let mut visiting = Vec::new();
        for id in kpi_ids {
            for period in periods {
                self.collect_needs(
                    &Node::Kpi((*id).to_string(), None),
                    *period,
                    &mut needed,
                    &mut visiting,
                )?;
            }
        }
        let values = self.run_aggregates(&needed, dimension).await?;
        let dimension_values = values
            .keys()
            .filter_map(|(_, label)| {
                label
                    .split_once(DIMENSION_SEPARATOR)
                    .map(|(_, d)| d.to_string())
            })
            .collect();
        Ok((values, dimension_values))
    }

    fn shift(&self, period: Period, offset: Option<Offset>) -> Period {
        let calendar = &self.config.calendar;
        match offset {
            None => period,
            Some(Offset::Previous) => period.previous(calendar),
            Some(Offset::LastYear) => period.same_period_last_year(calendar),
            Some(Offset::Periods(n)) => {
                (0..n.unsigned_abs()).fold(period, |p, _| p.previous(calendar))
            }
        }
    }

    /// The periods of the KPI's grain a cumulative value at `period` adds up.
    fn cumulative_periods(&self, period: Period, window: CumulativeWindow) -> Vec<PeriodKey> {
        let calendar = &self.config.calendar;
        let end = period.end_exclusive(calendar);
        match window {
            CumulativeWindow::ToDate(outer) => {
                let start =
                    Period::containing(period.start(calendar), outer, calendar).start(calendar);
                Period::covering(start, period.start(calendar), period.grain(), calendar)
                    .into_iter()
                    .map(PeriodKey)
                    .collect()
            }
            CumulativeWindow::Days(days) => {
                let last = end.checked_sub(jiff::Span::new().days(1)).unwrap_or(end);
                let first = end
                    .checked_sub(jiff::Span::new().days(i64::from(days)))
                    .unwrap_or(end);
                Period::covering(first, last, Grain::Day, calendar)
                    .into_iter()
                    .map(PeriodKey)
                    .collect()
            }
            CumulativeWindow::All => {
                self.cumulative_periods(period, CumulativeWindow::Days(30 * 366))
            }
        }
    }

    fn collect_needs(
        &self,
        node: &Node,
        period: Period,
        needed: &mut BTreeMap<usize, BTreeSet<PeriodKey>>,
        visiting: &mut Vec<String>,
    ) -> Result<(), EngineError> {
        match node {
            Node::Agg(index) => {
                needed.entry(*index).or_default().insert(PeriodKey(period));
            }
            Node::Conversion(hits, base) => {
                needed.entry(*hits).or_default().insert(PeriodKey(period));
                needed.entry(*base).or_default().insert(PeriodKey(period));
            }
            Node::Cumulative(index, window) => {
                needed
                    .entry(*index)
                    .or_default()
                    .extend(self.cumulative_periods(period, *window));
            }
            Node::Const(_) => {}
            Node::Neg(inner) => self.collect_needs(inner, period, needed, visiting)?,
            Node::Bin(_, a, b) => {
                self.collect_needs(a, period, needed, visiting)?;
                self.collect_needs(b, period, needed, visiting)?;
            }
            Node::Sum(nodes) | Node::Product(nodes) => {
                for n in nodes {
                    self.collect_needs(n, period, needed, visiting)?;
                }
            }
            Node::Kpi(id, offset) => {
                if visiting.contains(id) || visiting.len() > 64 {
                    return Err(EngineError::DependsOnItself(id.clone()));
                }
                let inner = self
                    .kpis
                    .get(id)
                    .ok_or_else(|| EngineError::UnknownKpi(id.clone()))?;
                visiting.push(id.clone());
                self.collect_needs(inner, self.shift(period, *offset), needed, visiting)?;
                visiting.pop();
            }
        }
        Ok(())
    }

    fn value(
        &self,
        node: &Node,
        period: Period,
        values: &Values,
        depth: usize,
        dimension: Option<&str>,
    ) -> Result<Option<f64>, EngineError> {
        if depth > 64 {
            return Err(EngineError::Unsupported("KPIs nest too deeply".into()));
        }
        let key = |index: usize, p: Period| (index, label(p, dimension));
        Ok(match node {
            Node::Const(v) => Some(*v),
            Node::Agg(index) => values.get(&key(*index, period)).copied(),
            Node::Conversion(hits, base) => {
                match (
                    values.get(&key(*hits, period)),
                    values.get(&key(*base, period)),
                ) {
                    (Some(h), Some(b)) if *b > 0.0 => Some(h / b),
                    _ => None,
                }
            }
            Node::Cumulative(index, window) => {
                let parts = self.cumulative_periods(period, *window);
                let found: Vec<f64> = parts
                    .iter()
                    .filter_map(|p| values.get(&key(*index, p.0)).copied())
                    .collect();
                if found.is_empty() {
                    None
                } else {
                    Some(found.iter().sum())
                }
            }
            Node::Kpi(id, offset) => {
                let inner = self
                    .kpis
                    .get(id)
                    .ok_or_else(|| EngineError::UnknownKpi(id.clone()))?;
                self.value(
                    inner,
                    self.shift(period, *offset),
                    values,
                    depth + 1,
                    dimension,
                )?
            }
            Node::Neg(inner) => self
                .value(inner, period, values, depth + 1, dimension)?
                .map(|v| -v),
            Node::Bin(op, a, b) => {
                let (Some(a), Some(b)) = (
                    self.value(a, period, values, depth + 1, dimension)?,
                    self.value(b, period, values, depth + 1, dimension)?,
                ) else {
                    return Ok(None);
                };
                match op {
                    BinOp::Add => Some(a + b),
                    BinOp::Sub => Some(a - b),
                    BinOp::Mul => Some(a * b),
                    BinOp::Div => (b != 0.0).then(|| a / b),
                }
            }
            Node::Sum(nodes) => {
                let parts: Vec<Option<f64>> = nodes
                    .iter()
                    .map(|n| self.value(n, period, values, depth + 1, dimension))
                    .collect::<Result<_, _>>()?;
                if parts.iter().all(Option::is_none) {
                    None
                } else {
                    Some(parts.iter().flatten().sum())
                }
            }
            Node::Product(nodes) => {
                let parts: Vec<Option<f64>> = nodes
                    .iter()
                    .map(|n| self.value(n, period, values, depth + 1, dimension))
                    .collect::<Result<_, _>>()?;
                parts
                    .iter()
                    .copied()
                    .collect::<Option<Vec<f64>>>()
                    .map(|p| p.iter().product())
            }
        })
    }

    /// Runs the needed aggregates: one query per table, time column and grain.
    async fn run_aggregates(
        &self,
        needed: &BTreeMap<usize, BTreeSet<PeriodKey>>,
        dimension: Option<&str>,
    ) -> Result<Values, EngineError> {
        let mut groups: BTreeMap<(String, String, Grain), Vec<usize>> = BTreeMap::new();
        let mut periods_of: BTreeMap<(String, String, Grain), BTreeSet<PeriodKey>> =
            BTreeMap::new();
        for (index, periods) in needed {
            let spec = &self.aggs[*index];
            for period in periods {
                let group = (spec.table.clone(), spec.time.clone(), period.0.grain());
                let members = groups.entry(group.clone()).or_default();
                if !members.contains(index) {
                    members.push(*index);
                }
                periods_of.entry(group).or_default().insert(*period);
            }
        }
        let mut values = Values::new();
        for ((table, time, grain), members) in groups {
            let periods = &periods_of[&(table.clone(), time.clone(), grain)];
            if !self.registered.contains(&table) {
                continue; // no data: every value is absent
            }
            if let Some(dimension) = dimension
                && self.table(&table)?.column(dimension).is_none()
            {
                return Err(EngineError::NoSuchColumn {
                    table: table.clone(),
                    column: dimension.to_string(),
                });
            }
            if grain == Grain::Range {
                // Date ranges may overlap (this year to date, last year to the same day): one
                // scan each.
                for period in periods {
                    self.run_group(
                        (&table, &time, grain),
                        &members,
                        &BTreeSet::from([*period]),
                        &mut values,
                        dimension,
                    )
                    .await?;
                }
            } else {
                self.run_group(
                    (&table, &time, grain),
                    &members,
                    periods,
                    &mut values,
                    dimension,
                )
                .await?;
            }
        }
        Ok(values)
    }

    /// Runs one group's aggregates (one table, time column and grain) over `periods`: the plain
    /// aggregates in one scan, each column's distinct counts in one two-level aggregation, and
    /// first occurrences and conversions each in a plan of their own.
    async fn run_group(
        &self,
        (table_name, time, grain): (&str, &str, Grain),
        members: &[usize],
        periods: &BTreeSet<PeriodKey>,
        values: &mut Values,
        dimension: Option<&str>,
    ) -> Result<(), EngineError> {
        let scan = self.scan((table_name, time, grain), periods, dimension)?;
        let Some(coverage) = self.coverage(table_name, time).await? else {
            return Ok(());
        };
        let plan = self.group_plan(&scan, members)?;
        if !plan.plain.aggregates.is_empty() {
            self.run_plain(&scan, &coverage, plan.plain, values).await?;
        }
        for (column, members) in &plan.distinct {
            self.run_distinct(&scan, &coverage, column, members, values)
                .await?;
        }
        for index in plan.specials {
            let batches = self.special_batches(&scan, index).await?;
            let mut seen = BTreeSet::new();
            for batch in &batches {
                scan.take(batch, scan.first_value(), index, &mut seen, values)?;
            }
            if dimension.is_none() {
                scan.fill_zeros(&coverage, index, &seen, values);
            }
        }
        Ok(())
    }

    /// What one scan of a group is over: the table, time column, grain and periods.
    fn scan<'a>(
        &'a self,
        (table, time, grain): (&'a str, &'a str, Grain),
        periods: &'a BTreeSet<PeriodKey>,
        dimension: Option<&'a str>,
    ) -> Result<Scan<'a>, EngineError> {
        let calendar = &self.config.calendar;
        let time_type = self
            .table(table)?
            .column(time)
            .map(|c| c.ty)
            .unwrap_or(ColumnType::Timestamp);
        let first = periods
            .iter()
            .map(|p| p.0.start(calendar))
            .min()
            .unwrap_or(Date::MIN);
        let last = periods
            .iter()
            .map(|p| p.0.end_exclusive(calendar))
            .max()
            .unwrap_or(Date::MAX);
        Ok(Scan {
            table,
            time,
            dimension,
            calendar,
            zone: &self.zone,
            time_type,
            udf: ScalarUDF::from(PeriodUdf::new(
                grain,
                *calendar,
                &self.config.time_zone,
                self.zone.clone(),
            )),
            range: (grain == Grain::Range)
                .then(|| periods.iter().next().map(|p| p.0))
                .flatten(),
            first,
            last,
            periods,
        })
    }

    /// The first and last local dates of `table`'s data in its column `time` (`None` when it
    /// has none): periods wholly outside them have no value.
    async fn coverage(&self, table: &str, time: &str) -> Result<Option<Coverage>, EngineError> {
        let coverage = self
            .context
            .table(table)
            .await?
            .aggregate(
                vec![],
                vec![min(col(time)).alias("first"), max(col(time)).alias("last")],
            )?
            .collect()
            .await?;
        Ok(
            match (self.boundary(&coverage, 0)?, self.boundary(&coverage, 1)?) {
                (Some(first), Some(last)) => Some(Coverage { first, last }),
                _ => None,
            },
        )
    }

    /// Sorts a group's aggregates into the plain ones (one aggregate expression each, with
    /// their currency and rate checks), distinct counts by column, and the special ones.
    fn group_plan(&self, scan: &Scan<'_>, members: &[usize]) -> Result<GroupPlan, EngineError> {
        let mut plan = GroupPlan::default();
        let converted = self
            .converted
            .get(scan.table)
            .filter(|c| c.first_missing.is_some());
        for &index in members {
            let spec = &self.aggs[index];
            let filtered = |value: Expr| match &spec.filter {
                Some(filter) => when(filter.clone(), value).end(),
                None => Ok(value),
            };
            if let (AggKind::Distinct(c), None) = (&spec.kind, scan.dimension) {
                plan.distinct.entry(c.clone()).or_default().push(index);
                continue;
            }
            let expr = match &spec.kind {
                AggKind::Rows => count(filtered(lit(1i64))?),
                AggKind::NonNull(c) => count(filtered(col(c.as_str()))?),
                AggKind::Distinct(c) => count_distinct(filtered(col(c.as_str()))?),
                // Rows the filter leaves out add 0, not NULL: a period whose rows all fail
                // the filter sums to 0 (no search spend in a month of social spend), as a
                // period without rows does; only passing rows without amounts stay unknown.
                AggKind::Sum(c) => sum(match &spec.filter {
                    Some(filter) => when(filter.clone(), col(c.as_str())).otherwise(lit(0i64))?,
                    None => col(c.as_str()),
                }),
                AggKind::Avg(c) => avg(filtered(col(c.as_str()))?),
                AggKind::Min(c) => min(filtered(col(c.as_str()))?),
                AggKind::Max(c) => max(filtered(col(c.as_str()))?),
                AggKind::First(_)
                | AggKind::ConversionBase { .. }
                | AggKind::ConversionHits { .. } => {
                    plan.specials.push(index);
                    continue;
                }
            };
            let plain = &mut plan.plain;
            let first_value = scan.first_value();
            plain
                .columns
                .push((index, plain.aggregates.len() + first_value));
            plain.aggregates.push(expr.alias(format!("a{index}")));
            if let Some(money) = &spec.money_column {
                if converted.is_some() {
                    plain
                        .rate_checks
                        .push((index, plain.aggregates.len() + first_value));
                    let left = fx::unconverted(&[money.as_str()], &self.config.currency);
                    plain.aggregates.push(
                        count(filtered(when(left, lit(1i64)).end()?)?).alias(format!("u{index}")),
                    );
                }
                // After conversion every amount is in the workspace's currency, so more than one
                // currency in a period means rows that were not converted.
                plain
                    .currency_checks
                    .push((index, plain.aggregates.len() + first_value));
                plain
                    .aggregates
                    .push(count_distinct(filtered(col("currency"))?).alias(format!("c{index}")));
            }
        }
        Ok(plan)
    }

    /// Runs the plain aggregates in one scan grouped by period, decodes their values, checks
    /// money for rates and currencies, and fills covered periods without rows.
    async fn run_plain(
        &self,
        scan: &Scan<'_>,
        coverage: &Coverage,
        plain: PlainAggregates,
        values: &mut Values,
    ) -> Result<(), EngineError> {
        let batches = self
            .context
            .table(scan.table)
            .await?
            .filter(scan.in_range())?
            .aggregate(
                scan.group(scan.period_of(col(scan.time))?),
                plain.aggregates,
            )?
            .collect()
            .await?;
        let mut seen_periods = BTreeSet::new();
        for batch in &batches {
            for (index, position) in &plain.columns {
                let numbers = cast(batch.column(*position), &DataType::Float64)?;
                let numbers = numbers.as_primitive::<Float64Type>();
                for row in 0..batch.num_rows() {
                    let Some(label) = scan.row_label(batch, row) else {
                        continue;
                    };
                    seen_periods.insert(label.clone());
                    if !numbers.is_null(row) {
                        values.insert((*index, label), numbers.value(row));
                    }
                }
            }
            self.check_unconverted(scan, batch, &plain.rate_checks)
                .await?;
            self.check_currencies(batch, &plain.currency_checks)?;
        }
        self.fill_plain_zeros(scan, coverage, &plain.columns, &seen_periods, values);
        Ok(())
    }

    /// Fails when a result row counts amounts that no rate converted (`checks`: aggregate
    /// index, result column).
    async fn check_unconverted(
        &self,
        scan: &Scan<'_>,
        batch: &RecordBatch,
        checks: &[(usize, usize)],
    ) -> Result<(), EngineError> {
        for (index, position) in checks {
            let counts = cast(batch.column(*position), &DataType::Int64)?;
            let counts = counts.as_primitive::<Int64Type>();
            if (0..batch.num_rows())
                .any(|row| scan.row_label(batch, row).is_some() && counts.value(row) > 0)
            {
                let spec = &self.aggs[*index];
                let within = match &spec.filter {
                    Some(filter) => scan.in_range().and(filter.clone()),
                    None => scan.in_range(),
                };
                return Err(self
                    .missing_rate(scan.table, spec.money_column.as_deref(), Some(within))
                    .await?);
            }
        }
        Ok(())
    }

    /// Fails when a result row counts more than one currency (`checks`: aggregate index, result
    /// column).
    fn check_currencies(
        &self,
        batch: &RecordBatch,
        checks: &[(usize, usize)],
    ) -> Result<(), EngineError> {
        let labels = batch.column(0).as_string::<i32>();
        for (index, position) in checks {
            let counts = cast(batch.column(*position), &DataType::Int64)?;
            let counts = counts.as_primitive::<Int64Type>();
            for row in 0..batch.num_rows() {
                if counts.value(row) > 1 {
                    let spec = &self.aggs[*index];
                    return Err(EngineError::MixedCurrencies {
                        table: spec.table.clone(),
                        column: spec.money_column.clone().unwrap_or_default(),
                        period: labels.value(row).to_string(),
                        currencies: format!("{} currencies", counts.value(row)),
                    });
                }
            }
        }
        Ok(())
    }

    /// Covered periods (and, split, dimension values) without rows are zero for counts and
    /// sums, absent for averages, minimums and maximums.
    fn fill_plain_zeros(
        &self,
        scan: &Scan<'_>,
        coverage: &Coverage,
        columns: &[(usize, usize)],
        seen_periods: &BTreeSet<String>,
        values: &mut Values,
    ) {
        let split_values: BTreeSet<String> = seen_periods
            .iter()
            .filter_map(|l| {
                l.split_once(DIMENSION_SEPARATOR)
                    .map(|(_, d)| d.to_string())
            })
            .collect();
        let fill_labels: Vec<(Period, String)> = scan
            .periods
            .iter()
            .flat_map(|p| match scan.dimension {
                Some(_) => split_values
                    .iter()
                    .map(|d| (p.0, label(p.0, Some(d))))
                    .collect::<Vec<_>>(),
                None => vec![(p.0, p.0.to_string())],
            })
            .collect();
        for (period, label) in fill_labels {
            if coverage.covers(&period, scan.calendar) && !seen_periods.contains(&label) {
                for (index, _) in columns {
                    if matches!(
                        self.aggs[*index].kind,
                        AggKind::Rows
                            | AggKind::NonNull(_)
                            | AggKind::Distinct(_)
                            | AggKind::Sum(_)
                    ) {
                        values.insert((*index, label.clone()), 0.0);
                    }
                }
            }
        }
    }

    /// Distinct counts of one column, whatever their filters, in one two-level aggregation:
    /// first one row per period and distinct value with a flag per filter (`bool_or`), then
    /// the flags counted per period — much faster than hash sets of values per group.
    async fn run_distinct(
        &self,
        scan: &Scan<'_>,
        coverage: &Coverage,
        column: &str,
        members: &[usize],
        values: &mut Values,
    ) -> Result<(), EngineError> {
        let flags: Vec<Expr> = members
            .iter()
            .map(|&index| {
                let flag = self.aggs[index].filter.clone().unwrap_or(lit(true));
                bool_or(flag).alias(format!("f{index}"))
            })
            .collect();
        let counts: Vec<Expr> = members
            .iter()
            .map(|&index| {
                Ok(
                    sum(when(col(format!("f{index}")), lit(1i64)).otherwise(lit(0i64))?)
                        .alias(format!("a{index}")),
                )
            })
            .collect::<Result<_, EngineError>>()?;
        let batches = self
            .context
            .table(scan.table)
            .await?
            .filter(scan.in_range().and(col(column).is_not_null()))?
            .aggregate(
                vec![
                    scan.period_of(col(scan.time))?.alias("period"),
                    col(column).alias("v"),
                ],
                flags,
            )?
            .aggregate(vec![col("period")], counts)?
            .collect()
            .await?;
        let mut seen = BTreeSet::new();
        for batch in &batches {
            for (position, &index) in members.iter().enumerate() {
                scan.take(batch, position + 1, index, &mut seen, values)?;
            }
        }
        for &index in members {
            scan.fill_zeros(coverage, index, &seen, values);
        }
        Ok(())
    }

    /// The result of a first occurrence or conversion aggregate: a period (and dimension)
    /// column, then its value.
    async fn special_batches(
        &self,
        scan: &Scan<'_>,
        index: usize,
    ) -> Result<Vec<RecordBatch>, EngineError> {
        let spec = &self.aggs[index];
        let base = self.context.table(scan.table).await?;
        let base = match &spec.filter {
            Some(filter) => base.filter(filter.clone())?,
            None => base,
        };
        Ok(match &spec.kind {
            AggKind::First(entity) => first_occurrences(scan, base, entity).await?,
            AggKind::ConversionBase { from } => {
                base.filter(col(from.as_str()).is_not_null().and(scan.in_range()))?
                    .aggregate(
                        scan.group(scan.period_of(col(from.as_str()))?),
                        vec![count(lit(1i64)).alias("n")],
                    )?
                    .collect()
                    .await?
            }
            AggKind::ConversionHits {
                from,
                to,
                within_days,
            } => {
                let micros = |c: &str| datafusion::prelude::cast(col(c), DataType::Int64);
                let gap = micros(to).sub(micros(from));
                let hit = col(to.as_str())
                    .is_not_null()
                    .and(gap.clone().gt_eq(lit(0i64)))
                    .and(gap.lt_eq(lit(i64::from(*within_days) * 86_400_000_000)));
                base.filter(col(from.as_str()).is_not_null().and(scan.in_range()))?
                    .aggregate(
                        scan.group(scan.period_of(col(from.as_str()))?),
                        vec![sum(when(hit, lit(1i64)).otherwise(lit(0i64))?).alias("n")],
                    )?
                    .collect()
                    .await?
            }
            _ => Vec::new(),
        })
    }

    /// The error for amounts of `table` that no rate converted: the earliest such row of the
    /// money column `amount` among the rows `within` (all rows when `None`).
    async fn missing_rate(
        &self,
        table: &str,
        amount: Option<&str>,
        within: Option<Expr>,
    ) -> Result<EngineError, EngineError> {
        let converted = self.converted.get(table);
        let mut found = None;
        if let (Some(converted), Some(amount), Some(within)) = (converted, amount, within) {
            let frame = self.context.table(table).await?.filter(within)?;
            found = fx::first_unconverted(frame, &[amount], &converted.day, &self.config.currency)
                .await?;
        }
        let (currency, date) = found
            .or_else(|| converted.and_then(|c| c.first_missing.clone()))
            .unwrap_or_else(|| (String::new(), Date::MIN));
        Ok(EngineError::MissingRate {
            table: table.to_string(),
            currency,
            date,
            workspace_currency: self.config.currency.clone(),
        })
    }

    /// Fails when `columns` of `table` include money that no rate converted.
    pub(crate) async fn check_rates(
        &self,
        table: &str,
        columns: &[&str],
    ) -> Result<(), EngineError> {
        let reads_money = MONEY
            .iter()
            .any(|(name, column)| *name == table && columns.contains(column));
        match self.converted.get(table) {
            Some(Converted {
                first_missing: Some(_),
                ..
            }) if reads_money => Err(self.missing_rate(table, None, None).await?),
            _ => Ok(()),
        }
    }

    /// The local date of the min (column 0) or max (column 1) of a coverage result.
    fn boundary(
        &self,
        batches: &[arrow::record_batch::RecordBatch],
        column: usize,
    ) -> Result<Option<Date>, EngineError> {
        let Some(batch) = batches.first() else {
            return Ok(None);
        };
        let array = batch.column(column);
        if batch.num_rows() == 0 || array.is_null(0) {
            return Ok(None);
        }
        Ok(match array.data_type() {
            DataType::Date32 => Some(date_from_days(
                array
                    .as_primitive::<arrow::datatypes::Date32Type>()
                    .value(0),
            )),
            DataType::Timestamp(TimeUnit::Microsecond, _) => {
                let micros = array
                    .as_primitive::<arrow::datatypes::TimestampMicrosecondType>()
                    .value(0);
                Timestamp::from_microsecond(micros)
                    .ok()
                    .map(|t| local_date(t, &self.zone))
            }
            _ => None,
        })
    }
}

/// A period usable as a set key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PeriodKey(Period);

impl PartialOrd for PeriodKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PeriodKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.0.grain(), self.0.to_string()).cmp(&(other.0.grain(), other.0.to_string()))
    }
}

fn timestamp_literal(timestamp: Timestamp) -> Expr {
    lit(ScalarValue::TimestampMicrosecond(
        Some(timestamp.as_microsecond()),
        Some(Arc::from("+00:00")),
    ))
}

/// Each entity counted once, in the period of its first row — and, split by a dimension, under
/// that first row's value of it.
async fn first_occurrences(
    scan: &Scan<'_>,
    base: DataFrame,
    entity: &str,
) -> Result<Vec<RecordBatch>, EngineError> {
    let time = scan.time;
    let mut firsts = vec![min(col(time)).alias("first_time")];
    let mut groups = vec![scan.period_of(col("first_time"))?.alias("period")];
    if let Some(dimension) = scan.dimension {
        firsts.push(
            datafusion::functions_aggregate::expr_fn::first_value(
                datafusion::prelude::cast(col(dimension), DataType::Utf8),
                vec![col(time).sort(true, false)],
            )
            .alias("first_dim"),
        );
        groups.push(col("first_dim").alias("dim"));
    }
    Ok(base
        .filter(col(entity).is_not_null().and(col(time).is_not_null()))?
        .aggregate(vec![col(entity)], firsts)?
        .filter(
            col("first_time")
                .gt_eq(scan.bound(scan.first))
                .and(col("first_time").lt(scan.bound(scan.last))),
        )?
        .aggregate(groups, vec![count(lit(1i64)).alias("n")])?
        .collect()
        .await?)
}

/// One scan of a group: a table, its time column and a grain, over some periods, split by a
/// dimension or not.
struct Scan<'a> {
    table: &'a str,
    time: &'a str,
    dimension: Option<&'a str>,
    calendar: &'a Calendar,
    zone: &'a TimeZone,
    /// The type of the time column (a date or a timestamp).
    time_type: ColumnType,
    /// The period function of the grain.
    udf: ScalarUDF,
    /// A date range's period (a scan has one), labelled by the range itself.
    range: Option<Period>,
    /// The first day of the periods.
    first: Date,
    /// The day after the last period.
    last: Date,
    periods: &'a BTreeSet<PeriodKey>,
}

impl Scan<'_> {
    /// The grouping: by the period, and by the dimension's value when splitting.
    fn group(&self, period: Expr) -> Vec<Expr> {
        let mut exprs = vec![period.alias("period")];
        if let Some(dimension) = self.dimension {
            exprs.push(datafusion::prelude::cast(col(dimension), DataType::Utf8).alias("dim"));
        }
        exprs
    }

    /// The first result column that holds a value (after the period and the dimension).
    fn first_value(&self) -> usize {
        if self.dimension.is_some() { 2 } else { 1 }
    }

    /// The key label of a result row: its period, and its dimension value when splitting
    /// (`(none)` for null); `None` for a row outside every period.
    fn row_label(&self, batch: &RecordBatch, row: usize) -> Option<String> {
        let periods = batch.column(0).as_string::<i32>();
        if periods.is_null(row) {
            return None;
        }
        let period = periods.value(row);
        Some(match self.dimension {
            Some(_) => {
                let dims = batch.column(1).as_string::<i32>();
                let value = if dims.is_null(row) {
                    "(none)"
                } else {
                    dims.value(row)
                };
                format!("{period}{DIMENSION_SEPARATOR}{value}")
            }
            None => period.to_string(),
        })
    }

    /// The start of a local day as a literal of the time column's type.
    fn bound(&self, date: Date) -> Expr {
        match self.time_type {
            ColumnType::Date => lit(ScalarValue::Date32(Some(days_since_epoch(date)))),
            _ => timestamp_literal(
                self.zone
                    .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
                    .unwrap_or(Timestamp::UNIX_EPOCH),
            ),
        }
    }

    /// Rows whose time falls within the periods' span.
    fn in_range(&self) -> Expr {
        col(self.time)
            .gt_eq(self.bound(self.first))
            .and(col(self.time).lt(self.bound(self.last)))
    }

    /// The period label of a time value: the calendar's period, or for a date range its label
    /// inside the range and null outside.
    fn period_of(&self, time_value: Expr) -> Result<Expr, EngineError> {
        Ok(match self.range {
            Some(period) => when(
                time_value
                    .clone()
                    .gt_eq(self.bound(period.start(self.calendar)))
                    .and(time_value.lt(self.bound(period.end_exclusive(self.calendar)))),
                lit(period.to_string()),
            )
            .end()?,
            None => self.udf.call(vec![time_value]),
        })
    }

    /// One aggregate's values from a result column, and the labels seen with a value.
    fn take(
        &self,
        batch: &RecordBatch,
        column: usize,
        index: usize,
        seen: &mut BTreeSet<String>,
        values: &mut Values,
    ) -> Result<(), EngineError> {
        let numbers = cast(batch.column(column), &DataType::Float64)?;
        let numbers = numbers.as_primitive::<Float64Type>();
        for row in 0..batch.num_rows() {
            if let Some(label) = self.row_label(batch, row)
                && !numbers.is_null(row)
            {
                seen.insert(label.clone());
                values.insert((index, label), numbers.value(row));
            }
        }
        Ok(())
    }

    /// A count over a covered period without rows is zero.
    fn fill_zeros(
        &self,
        coverage: &Coverage,
        index: usize,
        seen: &BTreeSet<String>,
        values: &mut Values,
    ) {
        for period in self.periods {
            let label = period.0.to_string();
            if coverage.covers(&period.0, self.calendar) && !seen.contains(&label) {
                values.insert((index, label), 0.0);
            }
        }
    }
}

/// The local dates of the first and last rows of a table's time column.
struct Coverage {
    first: Date,
    last: Date,
}

impl Coverage {
    /// Whether the period overlaps the data.
    fn covers(&self, period: &Period, calendar: &Calendar) -> bool {
        period.start(calendar) <= self.last && self.first < period.end_exclusive(calendar)
    }
}

/// A group's aggregates sorted by how they run.
#[derive(Default)]
struct GroupPlan {
    plain: PlainAggregates,
    /// Distinct counts (not split) by column, run as two-level aggregations.
    distinct: BTreeMap<String, Vec<usize>>,
    /// First occurrences and conversions, each a plan of its own.
    specials: Vec<usize>,
}

/// The plain aggregates of a group: one scan grouped by period.
#[derive(Default)]
struct PlainAggregates {
    aggregates: Vec<Expr>,
    /// (aggregate index, result column) of each value.
    columns: Vec<(usize, usize)>,
    /// (aggregate index, result column) of the number of currencies of each money aggregate.
    currency_checks: Vec<(usize, usize)>,
    /// (aggregate index, result column) of the number of amounts left in another currency (no
    /// rate converted them).
    rate_checks: Vec<(usize, usize)>,
}

pub use datafusion::execution::context::SQLOptions as SqlOptions;

/// SQL options that refuse DDL, DML and other statements: only queries run.
pub fn read_only_sql() -> SqlOptions {
    SqlOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
}

impl Engine {
    /// Whether a table holds data.
    pub fn has_table(&self, table: &str) -> bool {
        self.registered.contains(table)
    }

    /// The given columns of a table, all rows (`None` when the table holds no data).
    pub(crate) async fn read_columns(
        &self,
        table: &str,
        columns: &[&str],
    ) -> Result<Option<arrow::record_batch::RecordBatch>, EngineError> {
        if !self.registered.contains(table) {
            return Ok(None);
        }
        self.check_rates(table, columns).await?;
        let batches = self
            .context
            .table(table)
            .await?
            .select_columns(columns)?
            .collect()
            .await?;
        let Some(first) = batches.first() else {
            return Ok(None);
        };
        Ok(Some(arrow::compute::concat_batches(
            &first.schema(),
            &batches,
        )?))
    }
}

#[cfg(test)]
mod tests {
    // KPIs evaluated over tiny tables whose expected values are worked out by hand beside each
    // test. The workspace is in Stockholm (CET, UTC+1 in winter) with currency SEK.

    use utfall_model::period::Period;

    use super::{EngineError, KpiValues};
    use crate::testing::{Data, block_on, engine, engine_with_kpis, evaluate_one};

    /// `[[kpi]]` entries for (id, formula) pairs.
    fn kpis(entries: &[(&str, &str)]) -> String {
        entries
            .iter()
            .map(|(id, formula)| {
                format!(
                    "[[kpi]]\nid = \"{id}\"\nname = {{ en = \"{id}\" }}\nformula = \"{formula}\"\n\
                     unit = \"count\"\ndirection = \"neutral\"\n\n"
                )
            })
            .collect()
    }

    fn period(text: &str) -> Period {
        text.parse().unwrap()
    }

    /// The KPIs evaluated together over the periods (all of one grain).
    fn evaluate(engine: &super::Engine, kpis: &[&str], periods: &[&str]) -> KpiValues {
        let periods: Vec<Period> = periods.iter().map(|p| period(p)).collect();
        block_on(engine.evaluate(kpis, &periods)).unwrap()
    }

    /// Spend in SEK: (date, channel, cost, clicks) with an empty clicks cell for null.
    fn spend(data: &mut Data, rows: &[(&str, &str, &str, &str)]) {
        let rows: Vec<Vec<&str>> = rows
            .iter()
            .enumerate()
            .map(|(i, (date, channel, cost, clicks))| {
                let campaign = ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"][i];
                vec![
                    *date, "ads", *channel, campaign, campaign, *cost, "SEK", *clicks,
                ]
            })
            .collect();
        let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        data.part(
            "spend",
            &[
                "date",
                "platform",
                "channel",
                "campaign_id",
                "campaign_name",
                "cost",
                "currency",
                "clicks",
            ],
            &rows,
        );
    }

    /// Contacts: (person, became_lead_at, became_mql_at, became_sql_at), empty for null.
    fn contacts(data: &mut Data, rows: &[(&str, &str, &str, &str)]) {
        let rows: Vec<[&str; 6]> = rows
            .iter()
            .map(|(person, lead, mql, sql)| {
                [*person, "2023-12-01T09:00:00Z", *lead, *mql, *sql, "direct"]
            })
            .collect();
        let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
        data.part(
            "contacts",
            &[
                "person_id",
                "created_at",
                "became_lead_at",
                "became_mql_at",
                "became_sql_at",
                "original_channel",
            ],
            &rows,
        );
    }

    /// Five spend rows over January and February 2024 (1 January 2024 is a Monday, so ISO week
    /// 2024-W01 is 1–7 January).
    fn january_spend() -> Data {
        let mut data = Data::new();
        spend(
            &mut data,
            &[
                ("2024-01-01", "paid_search", "100", "50"),
                ("2024-01-01", "paid_social", "50", ""),
                ("2024-01-03", "paid_search", "25", "5"),
                ("2024-01-08", "paid_search", "10", "2"),
                ("2024-02-01", "paid_social", "7", ""),
            ],
        );
        data
    }

    #[test]
    fn sums_and_counts_per_day_iso_week_and_month() {
        let data = january_spend();
        let engine = engine(&data, "SEK").unwrap();
        let spend = |p: &str| evaluate_one(&engine, "marketing_spend", p).unwrap();
        let rows = |p: &str| evaluate_one(&engine, "spend_rows", p).unwrap();
        // 1 January: 100 + 50 in two rows; 2 January is inside the data without rows: zero.
        assert_eq!(spend("2024-01-01"), Some(150.0));
        assert_eq!(rows("2024-01-01"), Some(2.0));
        assert_eq!(spend("2024-01-02"), Some(0.0));
        assert_eq!(rows("2024-01-02"), Some(0.0));
        // Week 1: 100 + 50 + 25 in three rows; week 2: the 10 of 8 January.
        assert_eq!(spend("2024-W01"), Some(175.0));
        assert_eq!(rows("2024-W01"), Some(3.0));
        assert_eq!(spend("2024-W02"), Some(10.0));
        // January: 175 + 10 in four rows; February: 7 in one.
        assert_eq!(spend("2024-01"), Some(185.0));
        assert_eq!(rows("2024-01"), Some(4.0));
        assert_eq!(spend("2024-02"), Some(7.0));
        // Before the first and after the last row there is no data: no value, not zero.
        assert_eq!(spend("2023-12"), None);
        assert_eq!(spend("2024-03"), None);
        assert_eq!(rows("2023-12-31"), None);
    }

    #[test]
    fn a_timestamp_counts_in_its_local_day_and_month() {
        let mut data = Data::new();
        contacts(
            &mut data,
            &[
                ("p1", "2024-01-15T10:00:00Z", "", ""),
                // 23:30 UTC on 31 January is 00:30 on 1 February in Stockholm.
                ("p2", "2024-01-31T23:30:00Z", "", ""),
                ("p3", "2024-02-10T10:00:00Z", "", ""),
                // No lead date: not a lead.
                ("p4", "", "", ""),
            ],
        );
        let engine = engine(&data, "SEK").unwrap();
        let leads = |p: &str| evaluate_one(&engine, "leads", p).unwrap();
        assert_eq!(leads("2024-01"), Some(1.0));
        assert_eq!(leads("2024-02"), Some(2.0));
        assert_eq!(leads("2024-01-31"), Some(0.0));
        assert_eq!(leads("2024-02-01"), Some(1.0));
    }

    #[test]
    fn distinct_counts_per_period_with_and_without_a_filter() {
        let mut data = Data::new();
        // (date, session, key event)
        let events = [
            ("2024-01-01", "s1", "false"),
            ("2024-01-01", "s1", "true"),
            ("2024-01-01", "s2", "false"),
            ("2024-01-02", "s2", "false"),
            ("2024-01-02", "s3", "true"),
            ("2024-01-09", "s4", "false"),
        ];
        let rows: Vec<[&str; 7]> = events
            .iter()
            .map(|(date, session, key)| {
                [
                    *date,
                    "2024-01-01T00:00:00Z",
                    "page_view",
                    "visitor",
                    session,
                    "direct",
                    key,
                ]
            })
            .collect();
        let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
        data.part(
            "web_events",
            &[
                "event_date",
                "event_time",
                "event_name",
                "anonymous_id",
                "session_id",
                "channel",
                "is_key_event",
            ],
            &rows,
        );
        let engine = engine_with_kpis(
            &data,
            "SEK",
            &kpis(&[
                (
                    "sessions",
                    "count_distinct(web_events.session_id, time: event_date)",
                ),
                (
                    "key_sessions",
                    "count_distinct(web_events.session_id, where: is_key_event, time: event_date)",
                ),
                ("key_session_rate", "key_sessions / sessions"),
            ]),
        )
        .unwrap();
        let all = ["sessions", "key_sessions", "key_session_rate"];
        let days = evaluate(&engine, &all, &["2024-01-01", "2024-01-02", "2024-01-05"]);
        // 1 January: s1 and s2, of which s1 had a key event; 2 January: s2 and s3, s3 with one.
        assert_eq!(days.series("sessions"), &[Some(2.0), Some(2.0), Some(0.0)]);
        assert_eq!(
            days.series("key_sessions"),
            &[Some(1.0), Some(1.0), Some(0.0)]
        );
        // 5 January has no sessions: the rate is 0 / 0, which has no value.
        assert_eq!(
            days.series("key_session_rate"),
            &[Some(0.5), Some(0.5), None]
        );
        // Week 1: s1, s2, s3 once each (s2 on two days is one session), two with a key event;
        // week 2: s4 without.
        let weeks = evaluate(&engine, &all, &["2024-W01", "2024-W02"]);
        assert_eq!(weeks.series("sessions"), &[Some(3.0), Some(1.0)]);
        assert_eq!(weeks.series("key_sessions"), &[Some(2.0), Some(0.0)]);
        assert_eq!(
            weeks.series("key_session_rate"),
            &[Some(2.0 / 3.0), Some(0.0)]
        );
        let month = evaluate(&engine, &all, &["2024-01"]);
        assert_eq!(month.series("sessions"), &[Some(4.0)]);
        assert_eq!(month.series("key_sessions"), &[Some(2.0)]);
    }

    #[test]
    fn where_filters_select_the_rows_summed() {
        let data = january_spend();
        let engine = engine_with_kpis(
            &data,
            "SEK",
            &kpis(&[
                (
                    "search_spend",
                    "sum(spend.cost, where: channel = 'paid_search', time: date)",
                ),
                (
                    "other_spend",
                    "sum(spend.cost, where: channel not in ('paid_search', 'events'), time: date)",
                ),
                (
                    "clicked_spend",
                    "sum(spend.cost, where: clicks is not null, time: date)",
                ),
                (
                    "large_rows",
                    "count(spend, where: cost >= 25 and channel != 'paid_social', time: date)",
                ),
            ]),
        )
        .unwrap();
        let months = evaluate(
            &engine,
            &["search_spend", "other_spend", "clicked_spend", "large_rows"],
            &["2024-01", "2024-02"],
        );
        let january = period("2024-01");
        // Search: 100 + 25 + 10 in January; February has spend, none of it search: 0.
        assert_eq!(months.series("search_spend"), &[Some(135.0), Some(0.0)]);
        // Not search or events: the social 50 in January, 7 in February.
        assert_eq!(months.series("other_spend"), &[Some(50.0), Some(7.0)]);
        // Rows with clicks are the search rows.
        assert_eq!(months.get("clicked_spend", january), Some(135.0));
        // At least 25 and not social: 100 and 25; none of February's row.
        assert_eq!(months.series("large_rows"), &[Some(2.0), Some(0.0)]);
    }

    #[test]
    fn a_ratio_of_two_kpis_and_a_ratio_over_zero_has_no_value() {
        let mut data = january_spend();
        contacts(
            &mut data,
            &[
                ("p0", "2023-12-20T10:00:00Z", "", ""),
                ("p1", "2024-01-02T10:00:00Z", "", ""),
                ("p2", "2024-01-20T10:00:00Z", "", ""),
                ("p3", "2024-01-25T10:00:00Z", "", ""),
                ("p4", "2024-02-20T10:00:00Z", "", ""),
            ],
        );
        let engine = engine_with_kpis(
            &data,
            "SEK",
            &kpis(&[
                ("marketing_spend", "sum(spend.cost, time: date)"),
                ("leads", "count(contacts, time: became_lead_at)"),
                ("cost_per_lead", "marketing_spend / leads"),
                ("leads_per_krona", "leads / marketing_spend"),
            ]),
        )
        .unwrap();
        let months = evaluate(
            &engine,
            &["cost_per_lead", "leads_per_krona"],
            &["2024-01", "2024-02"],
        );
        // January: 185 kr over 3 leads; February: 7 kr over 1 lead.
        assert_eq!(
            months.series("cost_per_lead"),
            &[Some(185.0 / 3.0), Some(7.0)]
        );
        assert_eq!(
            months.series("leads_per_krona"),
            &[Some(3.0 / 185.0), Some(1.0 / 7.0)]
        );
        // 2 January: a lead and no spend; 1 January: 150 kr and no lead. Over zero: no value;
        // zero over something: zero.
        let days = evaluate(
            &engine,
            &["cost_per_lead", "leads_per_krona"],
            &["2024-01-01", "2024-01-02"],
        );
        assert_eq!(days.series("cost_per_lead"), &[None, Some(0.0)]);
        assert_eq!(days.series("leads_per_krona"), &[Some(0.0), None]);
    }

    #[test]
    fn offsets_read_the_previous_period_and_last_year() {
        let mut data = Data::new();
        spend(
            &mut data,
            &[
                ("2023-01-15", "paid_search", "80", ""),
                ("2023-12-10", "paid_search", "40", ""),
                ("2024-01-05", "paid_search", "100", ""),
            ],
        );
        let engine = engine_with_kpis(
            &data,
            "SEK",
            &kpis(&[
                ("marketing_spend", "sum(spend.cost, time: date)"),
                ("spend_before", "marketing_spend[previous]"),
                ("spend_last_year", "marketing_spend[last_year]"),
                ("spend_two_before", "marketing_spend[-2]"),
                ("growth", "marketing_spend / marketing_spend[previous] - 1"),
                (
                    "growth_on_last_year",
                    "marketing_spend / marketing_spend[last_year] - 1",
                ),
            ]),
        )
        .unwrap();
        let all = [
            "spend_before",
            "spend_last_year",
            "spend_two_before",
            "growth",
            "growth_on_last_year",
        ];
        let months = evaluate(&engine, &all, &["2024-01", "2023-01"]);
        // January 2024: December had 40, January 2023 had 80, November had none (but data: 0).
        assert_eq!(months.series("spend_before"), &[Some(40.0), None]);
        assert_eq!(months.series("spend_last_year"), &[Some(80.0), None]);
        assert_eq!(months.series("spend_two_before"), &[Some(0.0), None]);
        // 100 / 40 - 1 and 100 / 80 - 1; January 2023 has nothing before it to compare with.
        assert_eq!(months.series("growth"), &[Some(1.5), None]);
        assert_eq!(months.series("growth_on_last_year"), &[Some(0.25), None]);
    }

    #[test]
    fn cumulative_windows_to_date_and_trailing() {
        let mut data = Data::new();
        spend(
            &mut data,
            &[
                ("2024-01-01", "paid_search", "10", ""),
                ("2024-01-03", "paid_search", "20", ""),
                ("2024-01-10", "paid_search", "40", ""),
                ("2024-02-01", "paid_search", "5", ""),
            ],
        );
        let engine = engine_with_kpis(
            &data,
            "SEK",
            &kpis(&[
                ("marketing_spend", "sum(spend.cost, time: date)"),
                (
                    "spend_month_to_date",
                    "cumulative(marketing_spend, to_date: month)",
                ),
                (
                    "spend_year_to_date",
                    "cumulative(marketing_spend, to_date: year)",
                ),
                (
                    "spend_last_7_days",
                    "cumulative(sum(spend.cost, time: date), window: 7d)",
                ),
            ]),
        )
        .unwrap();
        let days = evaluate(
            &engine,
            &["spend_month_to_date", "spend_last_7_days"],
            &[
                "2024-01-02",
                "2024-01-07",
                "2024-01-09",
                "2024-01-10",
                "2024-02-01",
            ],
        );
        // Month to date: 10; 10 + 20; 30; 30 + 40; February starts again with 5.
        assert_eq!(
            days.series("spend_month_to_date"),
            &[Some(10.0), Some(30.0), Some(30.0), Some(70.0), Some(5.0)]
        );
        // Seven days up to and including the day: 1–2 Jan 10 (the days before the data have
        // none); 1–7 Jan 30; 3–9 Jan 20; 4–10 Jan 40; 26 Jan–1 Feb 5.
        assert_eq!(
            days.series("spend_last_7_days"),
            &[Some(10.0), Some(30.0), Some(20.0), Some(40.0), Some(5.0)]
        );
        // Year to date by month: 70, then 70 + 5.
        let months = evaluate(&engine, &["spend_year_to_date"], &["2024-01", "2024-02"]);
        assert_eq!(
            months.series("spend_year_to_date"),
            &[Some(70.0), Some(75.0)]
        );
    }

    #[test]
    fn a_conversion_counts_hits_within_the_window_over_the_base() {
        let mut data = Data::new();
        contacts(
            &mut data,
            &[
                // 15 days: a hit.
                ("p1", "", "2024-01-05T10:00:00Z", "2024-01-20T10:00:00Z"),
                // 51 days: too late.
                ("p2", "", "2024-01-10T10:00:00Z", "2024-03-01T10:00:00Z"),
                // Never an SQL.
                ("p3", "", "2024-01-15T10:00:00Z", ""),
                // SQL before MQL: not a conversion.
                ("p4", "", "2024-01-20T10:00:00Z", "2024-01-18T10:00:00Z"),
                // One day: a hit.
                ("p5", "", "2024-02-03T10:00:00Z", "2024-02-04T10:00:00Z"),
                // Exactly 30 days: a hit; 30 days and a second: too late.
                ("p6", "", "2024-02-10T00:00:00Z", "2024-03-11T00:00:00Z"),
                ("p7", "", "2024-02-12T00:00:00Z", "2024-03-13T00:00:01Z"),
                // Never an MQL: outside the base.
                ("p8", "2024-01-02T10:00:00Z", "", "2024-01-03T10:00:00Z"),
            ],
        );
        let engine = engine_with_kpis(
            &data,
            "SEK",
            &kpis(&[(
                "mql_to_sql",
                "conversion(contacts.person_id, from: became_mql_at, to: became_sql_at, within: 30d)",
            )]),
        )
        .unwrap();
        let months = evaluate(&engine, &["mql_to_sql"], &["2024-01", "2024-02", "2024-03"]);
        // January's MQLs p1–p4, one hit; February's p5–p7, two hits; no MQLs after February.
        assert_eq!(
            months.series("mql_to_sql"),
            &[Some(0.25), Some(2.0 / 3.0), None]
        );
    }

    #[test]
    fn evaluate_by_recomputes_a_ratio_per_dimension_value() {
        let mut data = Data::new();
        spend(
            &mut data,
            &[
                ("2024-01-01", "paid_search", "100", "50"),
                ("2024-01-02", "paid_search", "60", "10"),
                ("2024-01-01", "paid_social", "30", "30"),
            ],
        );
        let engine = engine_with_kpis(
            &data,
            "SEK",
            &kpis(&[
                ("marketing_spend", "sum(spend.cost, time: date)"),
                ("clicks", "sum(spend.clicks, time: date)"),
                ("cost_per_click", "marketing_spend / clicks"),
            ]),
        )
        .unwrap();
        let all = ["marketing_spend", "clicks", "cost_per_click"];
        let january = period("2024-01");
        let split = block_on(engine.evaluate_by(&all, &[january], "channel")).unwrap();
        assert!(split.has("cost_per_click") && !split.is_empty());
        assert_eq!(
            split.values_of("marketing_spend").collect::<Vec<_>>(),
            ["paid_search", "paid_social"]
        );
        assert_eq!(
            split.get("marketing_spend", "paid_search", january),
            Some(160.0)
        );
        assert_eq!(split.get("clicks", "paid_search", january), Some(60.0));
        // Search: 160 kr over 60 clicks (not 100/50 + 60/10 = 8); social: 30 over 30.
        assert_eq!(
            split.get("cost_per_click", "paid_search", january),
            Some(160.0 / 60.0)
        );
        assert_eq!(
            split.get("cost_per_click", "paid_social", january),
            Some(1.0)
        );
        // On 2 January social spent nothing on no clicks: zero spend, and a ratio with no value.
        let second = period("2024-01-02");
        let days = [period("2024-01-01"), second];
        let split = block_on(engine.evaluate_by(&all, &days, "channel")).unwrap();
        assert_eq!(
            split.get("cost_per_click", "paid_search", second),
            Some(6.0)
        );
        assert_eq!(
            split.get("marketing_spend", "paid_social", second),
            Some(0.0)
        );
        assert_eq!(split.get("cost_per_click", "paid_social", second), None);
        // Unsplit, the ratio is of the totals: 190 over 90.
        assert_eq!(
            evaluate_one(&engine, "cost_per_click", "2024-01").unwrap(),
            Some(190.0 / 90.0)
        );
    }

    #[test]
    fn kpi_values_are_read_by_period_in_any_order() {
        let data = january_spend();
        let engine = engine(&data, "SEK").unwrap();
        let values = evaluate(
            &engine,
            &["marketing_spend"],
            &["2024-02", "2024-01", "2024-03"],
        );
        assert_eq!(
            values.get("marketing_spend", period("2024-01")),
            Some(185.0)
        );
        assert_eq!(values.get("marketing_spend", period("2024-02")), Some(7.0));
        assert_eq!(values.get("marketing_spend", period("2024-03")), None);
        // The series and periods keep the order asked for.
        assert_eq!(
            values.series("marketing_spend"),
            &[Some(7.0), Some(185.0), None]
        );
        assert_eq!(
            values.periods(),
            &[period("2024-02"), period("2024-01"), period("2024-03")]
        );
        // A period or KPI not evaluated has no value.
        assert_eq!(values.get("marketing_spend", period("2024-04")), None);
        assert_eq!(values.get("leads", period("2024-01")), None);
        assert!(values.series("leads").is_empty());
    }

    #[test]
    fn a_date_range_is_a_period_of_its_own() {
        let data = january_spend();
        let engine = engine(&data, "SEK").unwrap();
        let values = evaluate(
            &engine,
            &["marketing_spend"],
            &["2024-01-01..2024-01-03", "2024-01-03..2024-02-01"],
        );
        // Both ends included, and the ranges overlap on 3 January: 150 + 25; 25 + 10 + 7.
        assert_eq!(values.series("marketing_spend"), &[Some(175.0), Some(42.0)]);
    }

    #[test]
    fn splitting_by_a_column_a_table_lacks_fails() {
        let mut data = Data::new();
        contacts(&mut data, &[("p1", "2024-01-02T10:00:00Z", "", "")]);
        let engine = engine(&data, "SEK").unwrap();
        let error =
            block_on(engine.evaluate_by(&["leads"], &[period("2024-01")], "channel")).unwrap_err();
        match error {
            EngineError::NoSuchColumn { table, column } => {
                assert_eq!((table.as_str(), column.as_str()), ("contacts", "channel"));
            }
            other => panic!("expected NoSuchColumn, got {other:?}"),
        }
    }

    #[test]
    fn a_kpi_that_depends_on_itself_fails() {
        let data = january_spend();
        let engine = engine_with_kpis(
            &data,
            "SEK",
            &kpis(&[
                ("itself", "itself + 1"),
                ("ping", "pong * 2"),
                ("pong", "ping / 2"),
            ]),
        )
        .unwrap();
        for (kpi, named) in [("itself", "itself"), ("ping", "ping"), ("pong", "pong")] {
            match evaluate_one(&engine, kpi, "2024-01") {
                Err(EngineError::DependsOnItself(id)) => assert_eq!(id, named),
                other => panic!("{kpi}: expected DependsOnItself, got {other:?}"),
            }
        }
    }

    #[test]
    fn periods_of_different_grains_and_unknown_kpis_are_refused() {
        let data = january_spend();
        let engine = engine(&data, "SEK").unwrap();
        let mixed = block_on(engine.evaluate(
            &["marketing_spend"],
            &[period("2024-01-01"), period("2024-01")],
        ));
        assert!(matches!(mixed, Err(EngineError::MixedGrains)), "{mixed:?}");
        let unknown = evaluate_one(&engine, "no_such_kpi", "2024-01");
        assert!(
            matches!(&unknown, Err(EngineError::UnknownKpi(id)) if id == "no_such_kpi"),
            "{unknown:?}"
        );
    }

    #[test]
    fn first_occurrences_and_averages_per_period() {
        let mut data = Data::new();
        // (deal, account, closed_at, won, amount)
        let deals = [
            ("d1", "a1", "2024-01-10T10:00:00Z", "true", "100"),
            ("d2", "a1", "2024-02-05T10:00:00Z", "true", "50"),
            ("d3", "a2", "2024-02-07T10:00:00Z", "true", "70"),
            ("d4", "a3", "2024-02-09T10:00:00Z", "false", "30"),
            ("d5", "a3", "2024-03-01T10:00:00Z", "true", "10"),
        ];
        let rows: Vec<[&str; 9]> = deals
            .iter()
            .map(|(deal, account, closed, won, amount)| {
                let created = "2023-12-01T10:00:00Z";
                [
                    *deal, *account, created, *closed, "closed", "true", *won, *amount, "SEK",
                ]
            })
            .collect();
        let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
        data.part(
            "deals",
            &[
                "deal_id",
                "account_id",
                "created_at",
                "closed_at",
                "stage",
                "is_closed",
                "is_won",
                "amount",
                "currency",
            ],
            &rows,
        );
        let engine = engine_with_kpis(
            &data,
            "SEK",
            &kpis(&[
                (
                    "new_customers",
                    "count_new(deals.account_id, where: is_won, time: closed_at)",
                ),
                (
                    "average_won_deal",
                    "avg(deals.amount, where: is_won, time: closed_at)",
                ),
                (
                    "smallest_won_deal",
                    "min(deals.amount, where: is_won, time: closed_at)",
                ),
                ("largest_deal", "max(deals.amount, time: closed_at)"),
            ]),
        )
        .unwrap();
        let all = [
            "new_customers",
            "average_won_deal",
            "smallest_won_deal",
            "largest_deal",
        ];
        let months = evaluate(&engine, &all, &["2024-01", "2024-02", "2024-03"]);
        // a1 is new in January; in February only a2 (a1 won before, a3's deal was lost); a3 in
        // March.
        assert_eq!(
            months.series("new_customers"),
            &[Some(1.0), Some(1.0), Some(1.0)]
        );
        // Won in February: 50 and 70.
        assert_eq!(
            months.series("average_won_deal"),
            &[Some(100.0), Some(60.0), Some(10.0)]
        );
        assert_eq!(
            months.series("smallest_won_deal"),
            &[Some(100.0), Some(50.0), Some(10.0)]
        );
        assert_eq!(
            months.series("largest_deal"),
            &[Some(100.0), Some(70.0), Some(10.0)]
        );
        // Evaluated alone, February still counts only a2: a1's first won deal is in January.
        assert_eq!(
            evaluate_one(&engine, "new_customers", "2024-02").unwrap(),
            Some(1.0)
        );
        // A day inside the data without deals: no new customer, and no average of nothing.
        let quiet = evaluate(&engine, &all, &["2024-01-11"]);
        assert_eq!(quiet.series("new_customers"), &[Some(0.0)]);
        assert_eq!(quiet.series("average_won_deal"), &[None]);
        assert_eq!(quiet.series("largest_deal"), &[None]);
    }

    #[test]
    fn a_kpi_without_a_formula_is_computed_from_its_children() {
        let data = january_spend();
        let tree = r#"
[[kpi]]
id = "search_spend"
name = { en = "Search spend" }
formula = "sum(spend.cost, where: channel = 'paid_search', time: date)"
unit = "currency"
direction = "neutral"
parent = "total_spend"

[[kpi]]
id = "social_spend"
name = { en = "Social spend" }
formula = "sum(spend.cost, where: channel = 'paid_social', time: date)"
unit = "currency"
direction = "neutral"
parent = "total_spend"

[[kpi]]
id = "total_spend"
name = { en = "Total spend" }
unit = "currency"
direction = "neutral"
relation = "sum"
parent = "cost_per_click"
role = "numerator"

[[kpi]]
id = "clicks"
name = { en = "Clicks" }
formula = "sum(spend.clicks, time: date)"
unit = "count"
direction = "higher"
parent = "cost_per_click"
role = "denominator"

[[kpi]]
id = "cost_per_click"
name = { en = "Cost per click" }
unit = "currency"
direction = "lower"
relation = "ratio"
    "#;
        let engine = engine_with_kpis(&data, "SEK", tree).unwrap();
        let january = evaluate(&engine, &["total_spend", "cost_per_click"], &["2024-01"]);
        // Search 100 + 25 + 10 and social 50; clicks 50 + 5 + 2.
        assert_eq!(january.series("total_spend"), &[Some(185.0)]);
        assert_eq!(january.series("cost_per_click"), &[Some(185.0 / 57.0)]);
    }
}
