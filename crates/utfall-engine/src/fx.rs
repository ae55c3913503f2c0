//! Money in other currencies, converted into the workspace's currency with `fx_rates`.
//!
//! `fx_rates` says how many units of `currency` one unit of `base` buys on `date` (the ECB's
//! reference rates have base `EUR`: `USD 1.0921` means 1 EUR = 1.0921 USD). An amount in
//! currency X on day d becomes, in the workspace's currency W,
//! `amount × rate(base→W) / rate(base→X)`, each rate as of d — that day's, else the latest
//! earlier one, since no rates are published on weekends and holidays — and the rate of the base
//! itself 1. Any base of the table serves: of the bases that quote both X and W (or are one of
//! them), the one whose older quote is the most recent; on a tie W, then X, then by name.
//!
//! A money table (`kpi::MONEY`) with amounts in other currencies is registered as a view over
//! its Parquet parts, left-joined on (conversion day, currency) to a table of daily factors built
//! here, with the amount multiplied by the factor and `currency` set to W — so every KPI, and
//! `utfall sql`, sees amounts in W. Rows that no rate converts keep their amount and currency,
//! and a KPI that reads their amounts fails with [`EngineError::MissingRate`]. A table that holds
//! only W is registered as it is, with no join. (A formula that filters on `currency` thus sees
//! W on converted rows.) Ballista cannot ship an in-memory table to its scheduler, so there the
//! factors travel in the plan as a `VALUES` list ([`FactorTable`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Array, AsArray, Date32Array, Float64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Date32Type, Field, Float64Type, Schema};
use datafusion::catalog::TableProvider;
use datafusion::datasource::{MemTable, ViewTable};
use datafusion::functions::core::expr_fn::coalesce;
use datafusion::functions_aggregate::expr_fn::{max, min};
use datafusion::logical_expr::{JoinType, LogicalPlanBuilder, ScalarUDF, when};
use datafusion::prelude::{DataFrame, Expr, SessionContext, cast, col, lit};
use datafusion::scalar::ScalarValue;
use jiff::civil::Date;

use crate::kpi::EngineError;
use crate::period_udf::date_from_days;

/// The factor table's columns (prefixed so as not to meet a money table's own).
const FX_CURRENCY: &str = "_fx_currency";
const FX_DAY: &str = "_fx_day";
const FX_FACTOR: &str = "_fx_factor";

/// The day on which a money table's amounts are converted, as an expression over its columns:
/// `spend.date`, `activities.start_date`, `web_events.event_date` (the day GA4 reports, in the
/// property's time zone) and, for deals, the day in the workspace's time zone of `closed_at`, or
/// of `created_at` while the deal is open (`local_day` is the day-grain period function).
pub(crate) fn conversion_day(table: &str, local_day: &ScalarUDF) -> Option<Expr> {
    Some(match table {
        "spend" => col("date"),
        "activities" => col("start_date"),
        "web_events" => col("event_date"),
        "deals" => cast(
            local_day.call(vec![coalesce(vec![col("closed_at"), col("created_at")])]),
            DataType::Date32,
        ),
        _ => return None,
    })
}

/// Rows with an amount in another currency than `currency` (after conversion: rows without a
/// rate). A row without a currency counts as the workspace's.
pub(crate) fn unconverted(amounts: &[&str], currency: &str) -> Expr {
    let any_amount = amounts
        .iter()
        .map(|amount| col(*amount).is_not_null())
        .reduce(Expr::or)
        .unwrap_or(lit(false));
    col("currency")
        .is_not_null()
        .and(col("currency").not_eq(lit(currency)))
        .and(any_amount)
}

/// How a money table with amounts in other currencies was registered.
#[derive(Debug, Clone)]
pub(crate) struct Converted {
    /// A row's conversion day, over the table's columns.
    pub day: Expr,
    /// The earliest row that no rate converts, as (currency, day), if there is one.
    pub first_missing: Option<(String, Date)>,
}

/// Exchange rates by base and currency.
#[derive(Debug, Default)]
pub(crate) struct Rates {
    /// base → currency → (day, rate), by day.
    quotes: BTreeMap<String, BTreeMap<String, Vec<(i32, f64)>>>,
}

impl Rates {
    /// Rates from (day, base, currency, rate) rows; rates that are not positive numbers are
    /// ignored, and of two rates on one day the first is kept.
    pub(crate) fn new(rows: impl IntoIterator<Item = (i32, String, String, f64)>) -> Rates {
        let mut quotes: BTreeMap<String, BTreeMap<String, Vec<(i32, f64)>>> = BTreeMap::new();
        for (day, base, currency, rate) in rows {
            if rate.is_finite() && rate > 0.0 {
                quotes
                    .entry(base)
                    .or_default()
                    .entry(currency)
                    .or_default()
                    .push((day, rate));
            }
        }
        for series in quotes.values_mut().flat_map(BTreeMap::values_mut) {
            series.sort_by_key(|(day, _)| *day);
            series.dedup_by_key(|(day, _)| *day);
        }
        Rates { quotes }
    }

    /// Units of `currency` that one unit of `base` buys as of `day`, with the day of the quote.
    fn as_of(&self, base: &str, currency: &str, day: i32) -> Option<(i32, f64)> {
        if base == currency {
            return Some((day, 1.0));
        }
        let series = self.quotes.get(base)?.get(currency)?;
        let after = series.partition_point(|(quoted, _)| *quoted <= day);
        after.checked_sub(1).map(|i| series[i])
    }

    /// The bases that may convert `from` into `to`, in order of preference on a tie.
    fn bases<'a>(&'a self, from: &'a str, to: &'a str) -> Vec<&'a str> {
        let mut bases = vec![to, from];
        bases.extend(
            self.quotes
                .keys()
                .map(String::as_str)
                .filter(|base| *base != to && *base != from),
        );
        bases
    }

    fn factor_with(&self, bases: &[&str], from: &str, to: &str, day: i32) -> Option<f64> {
        let mut best: Option<(i32, f64)> = None;
        for base in bases {
            let (Some((to_day, to_rate)), Some((from_day, from_rate))) =
                (self.as_of(base, to, day), self.as_of(base, from, day))
            else {
                continue;
            };
            let freshness = to_day.min(from_day);
            if best.is_none_or(|(fresher, _)| freshness > fresher) {
                best = Some((freshness, to_rate / from_rate));
            }
        }
        best.map(|(_, factor)| factor)
    }

    /// Units of `to` that one unit of `from` buys on `day` (days since 1970-01-01).
    #[cfg(test)]
    pub(crate) fn factor(&self, from: &str, to: &str, day: i32) -> Option<f64> {
        self.factor_with(&self.bases(from, to), from, to, day)
    }

    /// The factor from `from` to `to` on each day of `first..=last` that has one.
    pub(crate) fn daily(&self, from: &str, to: &str, first: i32, last: i32) -> Vec<(i32, f64)> {
        let bases = self.bases(from, to);
        (first..=last)
            .filter_map(|day| {
                self.factor_with(&bases, from, to, day)
                    .map(|factor| (day, factor))
            })
            .collect()
    }
}

/// The currencies other than `currency` of the rows with an amount, each with the first and
/// last conversion day (days since 1970-01-01).
pub(crate) async fn foreign_days(
    frame: DataFrame,
    amounts: &[&str],
    day: &Expr,
    currency: &str,
) -> Result<Vec<(String, i32, i32)>, EngineError> {
    let batches = frame
        .filter(unconverted(amounts, currency))?
        .aggregate(
            vec![cast(col("currency"), DataType::Utf8).alias("currency")],
            vec![
                cast(min(day.clone()), DataType::Date32).alias("first"),
                cast(max(day.clone()), DataType::Date32).alias("last"),
            ],
        )?
        .collect()
        .await?;
    let mut out = Vec::new();
    for batch in &batches {
        let currencies = batch.column(0).as_string::<i32>();
        let firsts = batch.column(1).as_primitive::<Date32Type>();
        let lasts = batch.column(2).as_primitive::<Date32Type>();
        for row in 0..batch.num_rows() {
            if currencies.is_valid(row) && firsts.is_valid(row) && lasts.is_valid(row) {
                out.push((
                    currencies.value(row).to_string(),
                    firsts.value(row),
                    lasts.value(row),
                ));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The earliest row with an amount in another currency than `currency`, as (currency, day).
pub(crate) async fn first_unconverted(
    frame: DataFrame,
    amounts: &[&str],
    day: &Expr,
    currency: &str,
) -> Result<Option<(String, Date)>, EngineError> {
    Ok(foreign_days(frame, amounts, day, currency)
        .await?
        .into_iter()
        .min_by_key(|(currency, first, _)| (*first, currency.clone()))
        .map(|(currency, first, _)| (currency, date_from_days(first))))
}

/// Every rate of the session's `fx_rates` table.
pub(crate) async fn read_rates(context: &SessionContext) -> Result<Rates, EngineError> {
    let batches = context
        .table("fx_rates")
        .await?
        .select(vec![
            cast(col("date"), DataType::Date32).alias("date"),
            cast(col("base"), DataType::Utf8).alias("base"),
            cast(col("currency"), DataType::Utf8).alias("currency"),
            cast(col("rate"), DataType::Float64).alias("rate"),
        ])?
        .collect()
        .await?;
    let mut rows = Vec::new();
    for batch in &batches {
        let days = batch.column(0).as_primitive::<Date32Type>();
        let bases = batch.column(1).as_string::<i32>();
        let currencies = batch.column(2).as_string::<i32>();
        let rates = batch.column(3).as_primitive::<Float64Type>();
        for row in 0..batch.num_rows() {
            if days.is_valid(row)
                && bases.is_valid(row)
                && currencies.is_valid(row)
                && rates.is_valid(row)
            {
                rows.push((
                    days.value(row),
                    bases.value(row).to_string(),
                    currencies.value(row).to_string(),
                    rates.value(row),
                ));
            }
        }
    }
    Ok(Rates::new(rows))
}

/// Where the factor table lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FactorTable {
    /// An in-memory table (embedded DataFusion).
    Memory,
    /// A `VALUES` list inside the plan. Ballista sends plans to its scheduler as protobuf,
    /// which has no encoding for an in-memory table (`MemTable`), so on a cluster the factors
    /// travel with every plan that reads a converted table.
    Values,
}

/// The daily factors as a DataFrame of (`_fx_currency`, `_fx_day`, `_fx_factor`); not empty.
fn factor_frame(
    context: &SessionContext,
    factors: &[(String, i32, f64)],
    table: FactorTable,
) -> Result<DataFrame, EngineError> {
    Ok(match table {
        FactorTable::Memory => {
            let schema = Arc::new(Schema::new(vec![
                Field::new(FX_CURRENCY, DataType::Utf8, false),
                Field::new(FX_DAY, DataType::Date32, false),
                Field::new(FX_FACTOR, DataType::Float64, false),
            ]));
            let batch = RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(StringArray::from_iter_values(
                        factors.iter().map(|(currency, _, _)| currency.as_str()),
                    )),
                    Arc::new(Date32Array::from_iter_values(
                        factors.iter().map(|(_, day, _)| *day),
                    )),
                    Arc::new(Float64Array::from_iter_values(
                        factors.iter().map(|(_, _, factor)| *factor),
                    )),
                ],
            )?;
            context.read_table(Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))?
        }
        FactorTable::Values => {
            let rows = factors
                .iter()
                .map(|(currency, day, factor)| {
                    vec![
                        lit(currency.as_str()),
                        lit(ScalarValue::Date32(Some(*day))),
                        lit(*factor),
                    ]
                })
                .collect();
            let plan = LogicalPlanBuilder::values(rows)?
                .project(vec![
                    col("column1").alias(FX_CURRENCY),
                    col("column2").alias(FX_DAY),
                    col("column3").alias(FX_FACTOR),
                ])?
                .build()?;
            DataFrame::new(context.state(), plan)
        }
    })
}

/// A money table whose amounts are not all in `currency`.
#[derive(Debug)]
pub(crate) struct ForeignTable<'a> {
    pub name: &'a str,
    /// Its Parquet parts.
    pub provider: Arc<dyn TableProvider>,
    pub amounts: Vec<&'a str>,
    pub day: Expr,
    /// The currencies other than W, with their first and last conversion day.
    pub foreign: Vec<(String, i32, i32)>,
}

/// Registers a money table as a view that converts its amounts into `currency` (or as it is
/// when no rate converts any of them), and finds its first row left unconverted.
pub(crate) async fn register_converted(
    context: &SessionContext,
    table: ForeignTable<'_>,
    rates: &Rates,
    currency: &str,
    factor_table: FactorTable,
) -> Result<Converted, EngineError> {
    let mut factors = Vec::new();
    let mut complete = true;
    for (foreign, first, last) in &table.foreign {
        let daily = rates.daily(foreign, currency, *first, *last);
        complete &= daily.len() == usize::try_from(last - first + 1).unwrap_or(0);
        factors.extend(daily.into_iter().map(|(day, f)| (foreign.clone(), day, f)));
    }
    if factors.is_empty() {
        context.register_table(table.name, table.provider.clone())?;
    } else {
        let frame = context.read_table(table.provider.clone())?;
        let columns: Vec<String> = frame
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let converted = col(FX_FACTOR).is_not_null();
        let mut select = Vec::new();
        for name in &columns {
            select.push(if table.amounts.contains(&name.as_str()) {
                when(converted.clone(), col(name.as_str()) * col(FX_FACTOR))
                    .otherwise(col(name.as_str()))?
                    .alias(name)
            } else if name == "currency" {
                when(converted.clone(), lit(currency))
                    .otherwise(col("currency"))?
                    .alias(name)
            } else {
                col(name.as_str())
            });
        }
        let plan = frame
            .join_on(
                factor_frame(context, &factors, factor_table)?,
                JoinType::Left,
                [
                    col("currency").eq(col(FX_CURRENCY)),
                    table.day.clone().eq(col(FX_DAY)),
                ],
            )?
            .select(select)?
            .into_unoptimized_plan();
        context.register_table(table.name, Arc::new(ViewTable::new(plan, None)))?;
    }
    let first_missing = if complete {
        None
    } else {
        first_unconverted(
            context.table(table.name).await?,
            &table.amounts,
            &table.day,
            currency,
        )
        .await?
    };
    Ok(Converted {
        day: table.day,
        first_missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period_udf::days_since_epoch;
    use crate::testing::{Data, engine, evaluate_one};

    fn day(text: &str) -> i32 {
        days_since_epoch(text.parse().unwrap())
    }

    fn rates(rows: &[(&str, &str, &str, f64)]) -> Rates {
        Rates::new(
            rows.iter()
                .map(|(d, b, c, r)| (day(d), b.to_string(), c.to_string(), *r)),
        )
    }

    #[test]
    fn the_rate_of_a_day_or_the_latest_earlier_one_through_any_base() {
        let rates = rates(&[
            ("2024-01-04", "EUR", "USD", 1.09),
            ("2024-01-04", "EUR", "SEK", 11.40),
            ("2024-01-05", "EUR", "USD", 1.10),
            ("2024-01-05", "EUR", "SEK", 11.50),
            ("2024-01-08", "EUR", "USD", 1.20),
            ("2024-01-08", "EUR", "SEK", 12.00),
        ]);
        // Friday's own rates: 1 USD = 11.50 / 1.10 SEK.
        assert_eq!(
            rates.factor("USD", "SEK", day("2024-01-05")),
            Some(11.50 / 1.10)
        );
        // Saturday and Sunday take Friday's, not Monday's.
        assert_eq!(
            rates.factor("USD", "SEK", day("2024-01-07")),
            Some(11.50 / 1.10)
        );
        // Into the base itself: 1 USD = 1 / 1.09 EUR on Thursday; and out of it.
        assert_eq!(
            rates.factor("USD", "EUR", day("2024-01-04")),
            Some(1.0 / 1.09)
        );
        assert_eq!(rates.factor("EUR", "SEK", day("2024-01-08")), Some(12.00));
        // Nothing before the first rate, nothing for an unknown currency.
        assert_eq!(rates.factor("USD", "SEK", day("2024-01-03")), None);
        assert_eq!(rates.factor("NOK", "SEK", day("2024-01-05")), None);
        assert_eq!(
            rates
                .daily("USD", "SEK", day("2024-01-03"), day("2024-01-06"))
                .len(),
            3
        );
    }

    #[test]
    fn the_base_with_the_freshest_quotes_wins() {
        let rates = rates(&[
            // A direct SEK-based rate, stale by Friday…
            ("2024-01-01", "SEK", "USD", 0.5),
            // …and fresh EUR-based ones.
            ("2024-01-05", "EUR", "USD", 1.10),
            ("2024-01-05", "EUR", "SEK", 11.50),
            // An invalid rate is ignored.
            ("2024-01-05", "EUR", "NOK", 0.0),
        ]);
        assert_eq!(
            rates.factor("USD", "SEK", day("2024-01-05")),
            Some(11.50 / 1.10)
        );
        assert_eq!(rates.factor("USD", "SEK", day("2024-01-02")), Some(2.0));
        assert_eq!(rates.factor("NOK", "SEK", day("2024-01-05")), None);
    }

    const SPEND: &str = "marketing_spend";

    /// Spend in SEK, USD and EUR on Friday 2024-01-05 and Saturday 2024-01-06.
    fn spend_in_three_currencies(data: &mut Data) {
        data.part(
            "spend",
            &["date", "platform", "campaign_id", "cost", "currency"],
            &[
                &["2024-01-05", "manual", "c1", "1000", "SEK"],
                &["2024-01-05", "google_ads", "c2", "100", "USD"],
                &["2024-01-05", "meta", "c3", "10", "EUR"],
                &["2024-01-06", "manual", "c1", "500", "SEK"],
                &["2024-01-06", "google_ads", "c2", "200", "USD"],
                &["2024-01-06", "meta", "c3", "20", "EUR"],
            ],
        );
    }

    /// The ECB's rates of Friday 2024-01-05 only (1 EUR = 1.10 USD = 11.50 SEK).
    fn friday_rates(data: &mut Data) {
        data.part(
            "fx_rates",
            &["date", "base", "currency", "rate"],
            &[
                &["2024-01-05", "EUR", "USD", "1.10"],
                &["2024-01-05", "EUR", "SEK", "11.50"],
            ],
        );
    }

    fn close(actual: Option<f64>, expected: f64) {
        let actual = actual.unwrap_or(f64::NAN);
        assert!(
            (actual - expected).abs() < 1e-9 * expected.abs(),
            "{actual} ≠ {expected}"
        );
    }

    #[test]
    fn amounts_in_other_currencies_are_converted_on_their_day() {
        let mut data = Data::new();
        spend_in_three_currencies(&mut data);
        friday_rates(&mut data);
        let sek = engine(&data, "SEK").unwrap();
        // Friday: 1000 SEK + 100 USD × 11.50 / 1.10 (= 1045.4545…) + 10 EUR × 11.50 (= 115)
        // = 2160.4545… SEK.
        close(
            evaluate_one(&sek, SPEND, "2024-01-05").unwrap(),
            1000.0 + 1045.454545454545 + 115.0,
        );
        // Saturday has no rates of its own and takes Friday's: 500 + 200 × 11.50 / 1.10
        // (= 2090.9090…) + 20 × 11.50 (= 230) = 2820.9090… SEK.
        close(
            evaluate_one(&sek, SPEND, "2024-01-06").unwrap(),
            500.0 + 2090.909090909091 + 230.0,
        );
        // The ISO week (1–7 January): 2160.4545… + 2820.9090… = 4981.3636… SEK.
        close(
            evaluate_one(&sek, SPEND, "2024-W01").unwrap(),
            4981.363636363636,
        );
        // SQL sees the converted table: every row in SEK.
        let currencies = crate::testing::block_on(async {
            sek.context()
                .sql("select distinct currency from spend")
                .await?
                .collect()
                .await
        })
        .unwrap();
        let rows: usize = currencies.iter().map(RecordBatch::num_rows).sum();
        assert_eq!(rows, 1);

        // In a EUR workspace the base converts by division: on Friday 1000 / 11.50
        // (= 86.9565…) + 100 / 1.10 (= 90.9090…) + 10 = 187.8656… EUR.
        let eur = engine(&data, "EUR").unwrap();
        close(
            evaluate_one(&eur, SPEND, "2024-01-05").unwrap(),
            86.95652173913043 + 90.9090909090909 + 10.0,
        );
    }

    #[test]
    fn a_missing_rate_names_the_table_the_currency_and_the_day() {
        let mut data = Data::new();
        spend_in_three_currencies(&mut data);
        // Thursday's USD spend is older than the first rate.
        data.part(
            "spend",
            &["date", "platform", "campaign_id", "cost", "currency"],
            &[&["2024-01-04", "google_ads", "c2", "50", "USD"]],
        );
        friday_rates(&mut data);
        data.part(
            "contacts",
            &[
                "person_id",
                "created_at",
                "became_lead_at",
                "original_channel",
            ],
            &[&[
                "p1",
                "2024-01-04T10:00:00Z",
                "2024-01-04T10:00:00Z",
                "direct",
            ]],
        );
        let engine = engine(&data, "SEK").unwrap();
        // Periods the Thursday is not in are converted as usual.
        close(
            evaluate_one(&engine, SPEND, "2024-01-05").unwrap(),
            2160.454545454545,
        );
        let error = evaluate_one(&engine, SPEND, "2024-W01").unwrap_err();
        assert!(
            matches!(&error, EngineError::MissingRate { table, currency, date, .. }
                if table == "spend" && currency == "USD" && date.to_string() == "2024-01-04"),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("`spend` has USD amounts on 2024-01-04")
                && message.contains("--preset fx-rates"),
            "{message}"
        );
        // KPIs that do not read the amounts are not affected.
        assert_eq!(
            evaluate_one(&engine, "leads", "2024-W01").unwrap(),
            Some(1.0)
        );
        assert_eq!(
            evaluate_one(&engine, "spend_rows", "2024-W01").unwrap(),
            Some(7.0)
        );
        // Reading the amounts directly fails alike.
        assert!(matches!(
            crate::testing::block_on(engine.read_columns("spend", &["date", "cost"])),
            Err(EngineError::MissingRate { .. })
        ));
        assert!(
            crate::testing::block_on(engine.read_columns("spend", &["date", "channel"])).is_ok()
        );
    }

    #[test]
    fn without_rates_every_foreign_amount_is_missing_one() {
        let mut data = Data::new();
        spend_in_three_currencies(&mut data);
        let engine = engine(&data, "SEK").unwrap();
        let error = evaluate_one(&engine, SPEND, "2024-01-06").unwrap_err();
        // The earliest unconverted row of the period: EUR before USD on Saturday.
        assert!(
            error.to_string().starts_with(
                "`spend` has EUR amounts on 2024-01-06 but `fx_rates` has no EUR rate"
            ),
            "{error}"
        );
    }

    #[test]
    fn a_table_in_the_workspace_currency_needs_no_rates() {
        let mut data = Data::new();
        data.part(
            "spend",
            &["date", "platform", "campaign_id", "cost", "currency"],
            &[
                &["2024-01-05", "manual", "c1", "1000", "SEK"],
                &["2024-01-06", "manual", "c1", "500", "SEK"],
            ],
        );
        let engine = engine(&data, "SEK").unwrap();
        assert!(engine.converted.is_empty(), "registered without a join");
        assert_eq!(
            evaluate_one(&engine, SPEND, "2024-W01").unwrap(),
            Some(1500.0)
        );
    }

    #[test]
    fn deals_are_converted_on_their_local_closing_day() {
        let mut data = Data::new();
        data.part(
            "fx_rates",
            &["date", "base", "currency", "rate"],
            &[
                &["2024-01-04", "EUR", "USD", "1.00"],
                &["2024-01-04", "EUR", "SEK", "10"],
                &["2024-01-05", "EUR", "USD", "1.10"],
                &["2024-01-05", "EUR", "SEK", "11.50"],
            ],
        );
        // Closed at 23:30 UTC on Thursday, which is 00:30 on Friday in Stockholm: Friday's
        // rate, 1000 USD × 11.50 / 1.10 = 10454.5454… SEK (Thursday's would give 10000).
        data.part(
            "deals",
            &[
                "deal_id",
                "created_at",
                "closed_at",
                "stage",
                "is_closed",
                "is_won",
                "amount",
                "currency",
            ],
            &[&[
                "d1",
                "2023-12-01T10:00:00Z",
                "2024-01-04T23:30:00Z",
                "won",
                "true",
                "true",
                "1000",
                "USD",
            ]],
        );
        let engine = engine(&data, "SEK").unwrap();
        close(
            evaluate_one(&engine, "won_revenue", "2024-01").unwrap(),
            10454.54545454545,
        );
    }

    #[cfg(feature = "ballista")]
    #[test]
    fn conversion_runs_on_ballista() {
        let mut data = Data::new();
        spend_in_three_currencies(&mut data);
        friday_rates(&mut data);
        data.cluster = Some("ballista:standalone".to_string());
        let cluster = engine(&data, "SEK").unwrap();
        assert!(cluster.on_cluster());
        close(
            evaluate_one(&cluster, SPEND, "2024-W01").unwrap(),
            4981.363636363636,
        );
        // Without rates the table is registered as it is, and the error is the same.
        let mut data = Data::new();
        spend_in_three_currencies(&mut data);
        data.cluster = Some("ballista:standalone".to_string());
        let without = engine(&data, "SEK").unwrap();
        assert!(matches!(
            evaluate_one(&without, SPEND, "2024-01-06"),
            Err(EngineError::MissingRate { .. })
        ));
    }
}
