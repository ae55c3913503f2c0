//! Journeys for attribution, out of the engine partitioned by journey key: touches and
//! conversions are keyed by person or account (anonymous touches joined through `identities`,
//! people to their accounts through `contacts`), hash-partitioned on that key by DataFusion,
//! and returned partition by partition — every entity's touches and conversions in the same
//! partition, so each partition's journeys can be built and credited on their own.

use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use datafusion::functions::core::expr_fn::coalesce;
use datafusion::functions_aggregate::expr_fn::min;
use datafusion::logical_expr::JoinType;
use datafusion::physical_plan::SendableRecordBatchStream;
use datafusion::prelude::{DataFrame, Expr, cast, col, lit};

use crate::kpi::{Engine, EngineError};

/// Whose journeys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JourneyLevel {
    Person,
    Account,
}

/// What closes a journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversionSource {
    /// A contact's lifecycle date column, e.g. `became_mql_at`.
    Stage(&'static str),
    /// Deals created, with their amounts.
    Pipeline,
    /// Deals won, with their amounts, at their close.
    WonDeals,
}

/// One partition: touches (`entity`, `touch_time`, `key`) and conversions (`entity`, `time`,
/// `value`, `lead_time`, `opportunity_time`).
#[derive(Debug, Clone)]
pub struct JourneyPartition {
    pub touches: Vec<RecordBatch>,
    pub conversions: Vec<RecordBatch>,
}

fn text(expr: Expr) -> Expr {
    cast(expr, DataType::Utf8)
}

impl Engine {
    /// Touches and conversions in `n` partitions by journey key. `by` is the touchpoints column
    /// that credits go to (`channel`, `campaign`, `activity_id`).
    pub fn journey_partitions(
        &self,
        level: JourneyLevel,
        source: ConversionSource,
        by: &str,
        n: usize,
    ) -> Result<Vec<JourneyPartition>, EngineError> {
        let n = n.max(1);
        if matches!(
            source,
            ConversionSource::Pipeline | ConversionSource::WonDeals
        ) {
            self.check_rates("deals", &["amount"])?;
        }
        self.block_on(async {
            let context = self.context();
            // person → account, from contacts.
            let accounts = if self.has_table("contacts") {
                Some(context.table("contacts").await?.aggregate(
                    vec![text(col("person_id")).alias("c_person_id")],
                    vec![min(text(col("account_id"))).alias("c_account_id")],
                )?)
            } else {
                None
            };
            let with_account = |frame: DataFrame,
                                person: &str,
                                own_account: Option<&str>|
             -> datafusion::error::Result<(DataFrame, Expr)> {
                let own = own_account
                    .map_or(lit(datafusion::scalar::ScalarValue::Utf8(None)), |c| {
                        text(col(c))
                    });
                match &accounts {
                    Some(accounts) => {
                        let frame = frame.join(
                            accounts.clone(),
                            JoinType::Left,
                            &[person],
                            &["c_person_id"],
                            None,
                        )?;
                        Ok((frame, coalesce(vec![own, col("c_account_id")])))
                    }
                    None => Ok((frame, own)),
                }
            };

            // Touches, with anonymous ones given their person through identities.
            let mut touches = context.table("touchpoints").await?;
            let person = if self.has_table("identities") {
                let identities = context
                    .table("identities")
                    .await?
                    .filter(
                        col("person_id")
                            .is_not_null()
                            .and(col("anonymous_id").is_not_null()),
                    )?
                    .aggregate(
                        vec![text(col("anonymous_id")).alias("i_anonymous_id")],
                        vec![min(text(col("person_id"))).alias("i_person_id")],
                    )?;
                touches = touches.with_column("t_anonymous_id", text(col("anonymous_id")))?;
                touches = touches.join(
                    identities,
                    JoinType::Left,
                    &["t_anonymous_id"],
                    &["i_anonymous_id"],
                    None,
                )?;
                coalesce(vec![text(col("person_id")), col("i_person_id")])
            } else {
                text(col("person_id"))
            };
            touches = touches.with_column("t_person", person)?;
            let entity = match level {
                JourneyLevel::Person => col("t_person"),
                JourneyLevel::Account => {
                    let (frame, account) = with_account(touches, "t_person", Some("account_id"))?;
                    touches = frame;
                    account
                }
            };
            let touches = touches
                .select(vec![
                    entity.alias("entity"),
                    col("touch_time"),
                    text(col(by)).alias("key"),
                ])?
                .filter(
                    col("entity")
                        .is_not_null()
                        .and(col("touch_time").is_not_null()),
                )?;

            // Conversions.
            let conversions = match source {
                ConversionSource::Stage(column) => {
                    let contacts = context.table("contacts").await?;
                    let entity = match level {
                        JourneyLevel::Person => text(col("person_id")),
                        JourneyLevel::Account => text(col("account_id")),
                    };
                    contacts.filter(col(column).is_not_null())?.select(vec![
                        entity.alias("entity"),
                        col(column).alias("time"),
                        lit(0.0f64).alias("value"),
                        col("became_lead_at").alias("lead_time"),
                        col("became_opportunity_at").alias("opportunity_time"),
                    ])?
                }
                ConversionSource::Pipeline | ConversionSource::WonDeals => {
                    let mut deals = context
                        .table("deals")
                        .await?
                        .with_column("d_person", text(col("primary_person_id")))?;
                    let time = if source == ConversionSource::WonDeals {
                        deals = deals
                            .filter(col("is_won").is_true().and(col("closed_at").is_not_null()))?;
                        col("closed_at")
                    } else {
                        col("created_at")
                    };
                    let lead = if self.has_table("contacts") {
                        let leads = context.table("contacts").await?.aggregate(
                            vec![text(col("person_id")).alias("l_person")],
                            vec![min(col("became_lead_at")).alias("l_lead")],
                        )?;
                        deals = deals.join(
                            leads,
                            JoinType::Left,
                            &["d_person"],
                            &["l_person"],
                            None,
                        )?;
                        col("l_lead")
                    } else {
                        lit(datafusion::scalar::ScalarValue::TimestampMicrosecond(
                            None,
                            Some("+00:00".into()),
                        ))
                    };
                    let entity = match level {
                        JourneyLevel::Person => col("d_person"),
                        JourneyLevel::Account => text(col("account_id")),
                    };
                    deals.select(vec![
                        entity.alias("entity"),
                        time.alias("time"),
                        col("amount").alias("value"),
                        lead.alias("lead_time"),
                        col("created_at").alias("opportunity_time"),
                    ])?
                }
            }
            .filter(col("entity").is_not_null())?;

            // DataFusion's own repartitioning may be rewritten by the optimizer, so the rows are
            // split here, by a stable hash of the key, as they stream out.
            let touches = split_by_key(touches.execute_stream().await?, n).await?;
            let conversions = split_by_key(conversions.execute_stream().await?, n).await?;
            let partitions: Vec<JourneyPartition> = touches
                .into_iter()
                .zip(conversions)
                .map(|(touches, conversions)| JourneyPartition {
                    touches,
                    conversions,
                })
                .collect();
            Ok::<_, datafusion::error::DataFusionError>(partitions)
        })
        .map_err(EngineError::from)
    }
}

/// FNV-1a: a stable hash of the key, the same on every run and platform.
fn stable_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Streams batches and splits their rows into `n` partitions by the hash of `entity`.
async fn split_by_key(
    mut stream: SendableRecordBatchStream,
    n: usize,
) -> datafusion::error::Result<Vec<Vec<RecordBatch>>> {
    use arrow::array::{Array, AsArray, UInt32Array};
    use futures::StreamExt as _;
    let mut partitions: Vec<Vec<RecordBatch>> = vec![Vec::new(); n];
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let keys = arrow::compute::cast(
            &batch
                .column_by_name("entity")
                .cloned()
                .unwrap_or_else(|| batch.column(0).clone()),
            &DataType::Utf8,
        )?;
        let keys = keys.as_string::<i32>();
        let mut rows: Vec<Vec<u32>> = vec![Vec::new(); n];
        for row in 0..keys.len() {
            if keys.is_valid(row) {
                rows[(stable_hash(keys.value(row).as_bytes()) % n as u64) as usize]
                    .push(row as u32);
            }
        }
        for (partition, indices) in rows.into_iter().enumerate() {
            if indices.is_empty() {
                continue;
            }
            let indices = UInt32Array::from(indices);
            let columns = batch
                .columns()
                .iter()
                .map(|column| arrow::compute::take(column.as_ref(), &indices, None))
                .collect::<Result<Vec<_>, _>>()?;
            partitions[partition].push(RecordBatch::try_new(batch.schema(), columns)?);
        }
    }
    Ok(partitions)
}
