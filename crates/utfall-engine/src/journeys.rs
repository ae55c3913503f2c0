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
use datafusion::scalar::ScalarValue;

use crate::cells;
use crate::kpi::{Engine, EngineError};

/// Whose journeys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JourneyLevel {
    /// One journey per person (anonymous touches joined through `identities`).
    Person,
    /// One journey per account (people joined to their accounts through `contacts`).
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

/// One partition of the journey keys: their touches and conversions, decoded as they stream.
#[derive(Debug, Clone, Default)]
pub struct JourneyPartition {
    /// Every touch of the partition's entities.
    pub touches: Vec<TouchRow>,
    /// Every conversion of the partition's entities.
    pub conversions: Vec<ConversionRow>,
}

/// A touch of a person or account.
#[derive(Debug, Clone, PartialEq)]
pub struct TouchRow {
    /// The person or account (the journey key).
    pub entity: String,
    /// When, in seconds since the epoch.
    pub time: i64,
    /// What the touch is credited to (its channel, campaign or activity; `(none)` when empty).
    pub key: String,
}

/// A conversion of a person or account.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversionRow {
    /// The person or account (the journey key).
    pub entity: String,
    /// When, in seconds since the epoch.
    pub time: i64,
    /// Its value (a deal's amount; 0 for a stage).
    pub value: f64,
    /// When the person became a lead, if known.
    pub lead_time: Option<i64>,
    /// When the opportunity was created, if known.
    pub opportunity_time: Option<i64>,
}

fn text(expr: Expr) -> Expr {
    cast(expr, DataType::Utf8)
}

impl Engine {
    /// Touches and conversions in `n` partitions by journey key. `by` is the touchpoints column
    /// that credits go to (`channel`, `campaign`, `activity_id`).
    pub async fn journey_partitions(
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
            self.check_rates("deals", &["amount"]).await?;
        }
        let touches = self.touches_frame(level, by).await?;
        let conversions = self
            .conversions_frame(level, source)
            .await?
            .filter(col("entity").is_not_null())?;
        // DataFusion's own repartitioning may be rewritten by the optimizer, so the rows are
        // split here, by a stable hash of the key, and decoded batch by batch as they stream.
        let touches = split_by_key(touches.execute_stream().await?, n, touch_rows, |t| {
            t.entity.as_str()
        })
        .await?;
        let conversions = split_by_key(
            conversions.execute_stream().await?,
            n,
            conversion_rows,
            |c| c.entity.as_str(),
        )
        .await?;
        let partitions = touches
            .into_iter()
            .zip(conversions)
            .map(|(touches, conversions)| JourneyPartition {
                touches,
                conversions,
            })
            .collect();
        Ok(partitions)
    }

    /// Each person's account from contacts (`c_person_id`, `c_account_id`), when there are
    /// contacts.
    async fn person_accounts(&self) -> datafusion::error::Result<Option<DataFrame>> {
        if !self.has_table("contacts") {
            return Ok(None);
        }
        Ok(Some(self.context().table("contacts").await?.aggregate(
            vec![text(col("person_id")).alias("c_person_id")],
            vec![min(text(col("account_id"))).alias("c_account_id")],
        )?))
    }

    /// Touches as `entity`, `touch_time` and `key` (the column `by`), anonymous ones given
    /// their person through identities, and at account level their account through contacts.
    async fn touches_frame(
        &self,
        level: JourneyLevel,
        by: &str,
    ) -> datafusion::error::Result<DataFrame> {
        let context = self.context();
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
                let accounts = self.person_accounts().await?;
                let (frame, account) = with_account(touches, accounts, "t_person", "account_id")?;
                touches = frame;
                account
            }
        };
        touches
            .select(vec![
                entity.alias("entity"),
                col("touch_time"),
                text(col(by)).alias("key"),
            ])?
            .filter(
                col("entity")
                    .is_not_null()
                    .and(col("touch_time").is_not_null()),
            )
    }

    /// Conversions as `entity`, `time`, `value`, `lead_time` and `opportunity_time`.
    async fn conversions_frame(
        &self,
        level: JourneyLevel,
        source: ConversionSource,
    ) -> datafusion::error::Result<DataFrame> {
        match source {
            ConversionSource::Stage(column) => {
                let contacts = self.context().table("contacts").await?;
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
                ])
            }
            ConversionSource::Pipeline | ConversionSource::WonDeals => {
                self.deal_conversions(level, source == ConversionSource::WonDeals)
                    .await
            }
        }
    }

    /// Deals as conversions: created ones at their creation, or won ones at their close, with
    /// their amounts and their primary person's lead date.
    async fn deal_conversions(
        &self,
        level: JourneyLevel,
        won: bool,
    ) -> datafusion::error::Result<DataFrame> {
        let context = self.context();
        let mut deals = context
            .table("deals")
            .await?
            .with_column("d_person", text(col("primary_person_id")))?;
        let time = if won {
            deals = deals.filter(col("is_won").is_true().and(col("closed_at").is_not_null()))?;
            col("closed_at")
        } else {
            col("created_at")
        };
        let lead = if self.has_table("contacts") {
            let leads = context.table("contacts").await?.aggregate(
                vec![text(col("person_id")).alias("l_person")],
                vec![min(col("became_lead_at")).alias("l_lead")],
            )?;
            deals = deals.join(leads, JoinType::Left, &["d_person"], &["l_person"], None)?;
            col("l_lead")
        } else {
            lit(ScalarValue::TimestampMicrosecond(
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
        ])
    }
}

/// `frame` joined to each person's account (`accounts`, when there are contacts) on its column
/// `person`, and the account of a row: its own column `own_account`, else its person's.
fn with_account(
    frame: DataFrame,
    accounts: Option<DataFrame>,
    person: &str,
    own_account: &str,
) -> datafusion::error::Result<(DataFrame, Expr)> {
    let own = text(col(own_account));
    match accounts {
        Some(accounts) => {
            let frame = frame.join(accounts, JoinType::Left, &[person], &["c_person_id"], None)?;
            Ok((frame, coalesce(vec![own, col("c_account_id")])))
        }
        None => Ok((frame, own)),
    }
}

/// The touches of a batch of the touches frame (rows without an entity or a time are left out;
/// a touch without a key is credited to `(none)`).
fn touch_rows(batch: &RecordBatch) -> Vec<TouchRow> {
    let entities = cells::texts(batch, "entity");
    let times = cells::seconds(batch, "touch_time");
    let keys = cells::texts(batch, "key");
    entities
        .into_iter()
        .zip(times)
        .zip(keys)
        .filter_map(|((entity, time), key)| {
            Some(TouchRow {
                entity: entity?,
                time: time?,
                key: key.unwrap_or_else(|| "(none)".to_string()),
            })
        })
        .collect()
}

/// The conversions of a batch of the conversions frame (rows without an entity or a time are
/// left out; a conversion without a value is worth 0).
fn conversion_rows(batch: &RecordBatch) -> Vec<ConversionRow> {
    let entities = cells::texts(batch, "entity");
    let times = cells::seconds(batch, "time");
    let values = cells::numbers(batch, "value");
    let leads = cells::seconds(batch, "lead_time");
    let opportunities = cells::seconds(batch, "opportunity_time");
    let mut rows = Vec::with_capacity(entities.len());
    for (row, entity) in entities.into_iter().enumerate() {
        let (Some(entity), Some(time)) = (entity, times[row]) else {
            continue;
        };
        rows.push(ConversionRow {
            entity,
            time,
            value: values[row].unwrap_or(0.0),
            lead_time: leads[row],
            opportunity_time: opportunities[row],
        });
    }
    rows
}

/// FNV-1a: a stable hash of the key, the same on every run and platform.
fn stable_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Streams batches, decodes each whole, and puts every row in its partition (of `n`, by the
/// stable hash of its entity); no batch is kept.
async fn split_by_key<T>(
    mut stream: SendableRecordBatchStream,
    n: usize,
    decode: impl Fn(&RecordBatch) -> Vec<T>,
    entity: impl Fn(&T) -> &str,
) -> datafusion::error::Result<Vec<Vec<T>>> {
    use futures::StreamExt as _;
    let mut partitions: Vec<Vec<T>> = (0..n).map(|_| Vec::new()).collect();
    while let Some(batch) = stream.next().await {
        for row in decode(&batch?) {
            let k = (stable_hash(entity(&row).as_bytes()) % n as u64) as usize;
            partitions[k].push(row);
        }
    }
    Ok(partitions)
}
