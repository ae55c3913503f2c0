//! Snapshots: what every KPI's value was for each grain and period when it was computed, under
//! which definition version and from which data generation.
//!
//! A snapshot is written in one transaction, so a crash leaves the previous set or the new one,
//! never a mix. Only values that changed since a KPI's last snapshot of that period get a row
//! (the value, the target, the status or the definition), so the history of a period is the
//! list of what it was reported as; a snapshot of the same definitions and data as the last one
//! writes nothing at all.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row as _;

use crate::definitions::{NewVersion, record_versions};
use crate::error::query;
use crate::{Store, StoreError, WritePool as _, failpoint, millis, on_pool, timestamp};

/// The steps of a snapshot write at which `UTFALL_FAILPOINT` aborts the process, in order.
pub const FAILPOINTS: [&str; 4] = [
    "snapshot-after-versions",
    "snapshot-after-run",
    "snapshot-after-values",
    "snapshot-before-commit",
];

/// One KPI's definition as it is in force now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// The KPI.
    pub kpi_id: String,
    /// The hash of its normalised definition.
    pub hash: String,
    /// The normalised definition (JSON), kept so that old versions can be shown.
    pub definition: String,
}

/// One computed value.
#[derive(Debug, Clone, PartialEq)]
pub struct NewValue {
    /// The KPI.
    pub kpi_id: String,
    /// `week`, `month`, `quarter` or `year`.
    pub grain: String,
    /// The period (`2026-07`, `2026-Q3`).
    pub period: String,
    /// Its first day (ISO).
    pub period_start: String,
    /// The value (`None` when the KPI has no value for the period).
    pub value: Option<f64>,
    /// The target's lower bound.
    pub target_low: Option<f64>,
    /// The target's upper bound.
    pub target_high: Option<f64>,
    /// The status against the target (`on_track`, `at_risk`, `off_track`).
    pub status: Option<String>,
}

/// A snapshot to take.
#[derive(Debug, Clone)]
pub struct NewSnapshot {
    /// When.
    pub taken_at: jiff::Timestamp,
    /// The data generation the values were computed from (an id of the data store's manifest).
    pub data_generation: String,
    /// One key of every definition in force (a hash of their hashes).
    pub definitions_key: String,
    /// Why (`import`, `manual`, …).
    pub reason: String,
    /// Every KPI's definition.
    pub definitions: Vec<Definition>,
    /// Every value.
    pub values: Vec<NewValue>,
}

/// What a snapshot wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotOutcome {
    /// The snapshot's id (`None` when nothing changed since the last one and none was taken).
    pub snapshot: Option<i64>,
    /// Values that changed and got a row.
    pub values_written: usize,
    /// Values unchanged since their last snapshot.
    pub unchanged: usize,
    /// KPIs whose definition got a new version: (KPI, version).
    pub new_versions: Vec<(String, i64)>,
}

/// One snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// Its id.
    pub id: i64,
    /// When.
    pub taken_at: jiff::Timestamp,
    /// The data generation.
    pub data_generation: String,
    /// Why.
    pub reason: String,
    /// How many values it wrote.
    pub values_written: i64,
}

/// What a period was reported as at one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRow {
    /// The grain.
    pub grain: String,
    /// The period.
    pub period: String,
    /// The snapshot.
    pub snapshot: i64,
    /// When it was computed.
    pub computed_at: jiff::Timestamp,
    /// The value.
    pub value: Option<f64>,
    /// The target's lower bound.
    pub target_low: Option<f64>,
    /// The target's upper bound.
    pub target_high: Option<f64>,
    /// The status.
    pub status: Option<String>,
    /// The definition's version number.
    pub definition_version: i64,
    /// The definition's hash.
    pub definition_hash: String,
    /// The data generation.
    pub data_generation: String,
}

/// The last row of a (KPI, grain, period), to tell whether a new value changed.
#[derive(Debug, Clone, PartialEq)]
struct Last {
    value: Option<f64>,
    target_low: Option<f64>,
    target_high: Option<f64>,
    status: Option<String>,
    hash: String,
}

type Key = (String, String, String);

/// Rows a multi-row insert carries (13 parameters a row, well under SQLite's limit).
const CHUNK: usize = 500;

const LAST_VALUES: &str = "SELECT kpi_id, grain, period, value, target_low, target_high, status, \
     definition_hash FROM latest_values";

/// Rebuilds `latest_values` from the history (after a restore).
pub(crate) const REBUILD_LATEST: &str = "INSERT INTO latest_values (kpi_id, grain, period, \
     snapshot_id, value, target_low, target_high, status, definition_hash) SELECT v.kpi_id, \
     v.grain, v.period, v.snapshot_id, v.value, v.target_low, v.target_high, v.status, \
     v.definition_hash FROM kpi_values v JOIN (SELECT kpi_id, grain, period, MAX(snapshot_id) AS \
     snapshot_id FROM kpi_values GROUP BY kpi_id, grain, period) m ON v.kpi_id = m.kpi_id AND \
     v.grain = m.grain AND v.period = m.period AND v.snapshot_id = m.snapshot_id";

/// A multi-row upsert of `rows` values into `latest_values` (9 parameters a row).
fn upsert_latest_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO latest_values (kpi_id, grain, period, snapshot_id, value, target_low, \
         target_high, status, definition_hash) VALUES ",
    );
    sql.push_str(&placeholders(rows, 9));
    sql.push_str(
        " ON CONFLICT (kpi_id, grain, period) DO UPDATE SET snapshot_id = excluded.snapshot_id, \
         value = excluded.value, target_low = excluded.target_low, target_high = \
         excluded.target_high, status = excluded.status, definition_hash = excluded.definition_hash",
    );
    sql
}

/// `($1, …, $n), ($n+1, …)`: `rows` groups of `columns` numbered parameters.
fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=columns)
                .map(|i| format!("${}", row * columns + i))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn insert_values_sql(rows: usize) -> String {
    format!(
        "INSERT INTO kpi_values (snapshot_id, kpi_id, grain, period, period_start, value, \
         target_low, target_high, status, definition_hash, definition_version, data_generation, \
         computed_at) VALUES {}",
        placeholders(rows, 13)
    )
}

/// A float in a JSON document: a number (PostgreSQL) or its text (SQLite).
struct Float(f64);

impl<'de> serde::Deserialize<'de> for Float {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Float, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Either<'a> {
            Number(f64),
            Text(&'a str),
        }
        match Either::deserialize(deserializer)? {
            Either::Number(n) => Ok(Float(n)),
            Either::Text(text) => text
                .trim()
                .parse()
                .map(Float)
                .map_err(|_| serde::de::Error::custom(format!("`{text}` is not a number"))),
        }
    }
}

/// One KPI's history as one JSON array of rows (SQLite).
/// SQLite's JSON writes floats with 15 digits, so they are sent as text of 17 (`%!.17g`).
const HISTORY_SQLITE: &str = "SELECT json_group_array(json_array(grain, period, snapshot_id, \
     computed_at, iif(value IS NULL, NULL, printf('%!.17g', value)), iif(target_low IS NULL, \
     NULL, printf('%!.17g', target_low)), iif(target_high IS NULL, NULL, printf('%!.17g', \
     target_high)), status, definition_version, definition_hash, data_generation)) FROM \
     (SELECT * FROM kpi_values WHERE kpi_id = $1 AND ($2 IS NULL OR grain = $2) AND ($3 IS NULL \
     OR period = $3) ORDER BY grain, period, snapshot_id)";

/// One KPI's history, row by row (PostgreSQL).
const HISTORY_POSTGRES: &str = "SELECT grain, period, snapshot_id, computed_at, value, \
     target_low, target_high, status, definition_version, definition_hash, data_generation FROM \
     kpi_values WHERE kpi_id = $1 AND ($2::text IS NULL OR grain = $2) AND ($3::text IS NULL OR \
     period = $3) ORDER BY grain, period, snapshot_id";

impl Store {
    /// Takes a snapshot: records the definitions' versions, then writes every value that
    /// changed since its last snapshot, all in one transaction.
    pub async fn snapshot(&self, new: &NewSnapshot) -> Result<SnapshotOutcome, StoreError> {
        let at = millis(new.taken_at);
        let result: Result<SnapshotOutcome, StoreError> = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(query("begin a snapshot"))?;
            let last: Option<(String, String)> = sqlx::query_as(
                "SELECT data_generation, definitions FROM snapshots ORDER BY id DESC LIMIT 1",
            )
            .fetch_optional(&mut *tx)
            .await
            .map_err(query("read the last snapshot"))?;
            if last.as_ref().is_some_and(|(generation, key)| {
                *generation == new.data_generation && *key == new.definitions_key
            }) {
                tx.rollback().await.map_err(query("end a snapshot"))?;
                return Ok(SnapshotOutcome {
                    snapshot: None,
                    values_written: 0,
                    unchanged: new.values.len(),
                    new_versions: Vec::new(),
                });
            }
            let versions: HashMap<String, NewVersion> =
                record_versions!(&mut *tx, &new.definitions, at)?;
            failpoint("snapshot-after-versions");
            let snapshot: i64 = sqlx::query_scalar(
                "INSERT INTO snapshots (taken_at, data_generation, definitions, reason, \
                 values_written) VALUES ($1, $2, $3, $4, 0) RETURNING id",
            )
            .bind(at)
            .bind(&new.data_generation)
            .bind(&new.definitions_key)
            .bind(&new.reason)
            .fetch_one(&mut *tx)
            .await
            .map_err(query("record a snapshot"))?;
            failpoint("snapshot-after-run");
            let rows = sqlx::query(LAST_VALUES)
                .fetch_all(&mut *tx)
                .await
                .map_err(query("read the last values"))?;
            let mut lasts: HashMap<Key, Last> = HashMap::with_capacity(rows.len());
            for row in rows {
                lasts.insert(
                    (row.get(0), row.get(1), row.get(2)),
                    Last {
                        value: row.get(3),
                        target_low: row.get(4),
                        target_high: row.get(5),
                        status: row.get(6),
                        hash: row.get(7),
                    },
                );
            }
            let mut new_versions: Vec<(String, i64)> = versions
                .values()
                .filter(|v| v.is_new)
                .map(|v| (v.kpi_id.clone(), v.version))
                .collect();
            let changed: Vec<(&NewValue, &NewVersion)> = new
                .values
                .iter()
                .filter_map(|v| {
                    let version = versions.get(&v.kpi_id)?;
                    let now = Last {
                        value: v.value,
                        target_low: v.target_low,
                        target_high: v.target_high,
                        status: v.status.clone(),
                        hash: version.hash.clone(),
                    };
                    let key = (v.kpi_id.clone(), v.grain.clone(), v.period.clone());
                    (lasts.get(&key) != Some(&now)).then_some((v, version))
                })
                .collect();
            for chunk in changed.chunks(CHUNK) {
                let sql = insert_values_sql(chunk.len());
                let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (value, version) in chunk {
                    insert = insert
                        .bind(snapshot)
                        .bind(&value.kpi_id)
                        .bind(&value.grain)
                        .bind(&value.period)
                        .bind(&value.period_start)
                        .bind(value.value)
                        .bind(value.target_low)
                        .bind(value.target_high)
                        .bind(&value.status)
                        .bind(&version.hash)
                        .bind(version.version)
                        .bind(&new.data_generation)
                        .bind(at);
                }
                insert
                    .execute(&mut *tx)
                    .await
                    .map_err(query("write the values of a snapshot"))?;
                let mut latest = sqlx::query(sqlx::AssertSqlSafe(upsert_latest_sql(chunk.len())));
                for (value, version) in chunk {
                    latest = latest
                        .bind(&value.kpi_id)
                        .bind(&value.grain)
                        .bind(&value.period)
                        .bind(snapshot)
                        .bind(value.value)
                        .bind(value.target_low)
                        .bind(value.target_high)
                        .bind(&value.status)
                        .bind(&version.hash);
                }
                latest
                    .execute(&mut *tx)
                    .await
                    .map_err(query("write the latest values"))?;
            }
            failpoint("snapshot-after-values");
            sqlx::query("UPDATE snapshots SET values_written = $1 WHERE id = $2")
                .bind(changed.len() as i64)
                .bind(snapshot)
                .execute(&mut *tx)
                .await
                .map_err(query("record a snapshot"))?;
            failpoint("snapshot-before-commit");
            tx.commit().await.map_err(query("commit a snapshot"))?;
            new_versions.sort();
            Ok(SnapshotOutcome {
                snapshot: Some(snapshot),
                values_written: changed.len(),
                unchanged: new.values.len() - changed.len(),
                new_versions,
            })
        });
        result
    }

    /// Every snapshot, newest first.
    pub async fn snapshots(&self) -> Result<Vec<Snapshot>, StoreError> {
        let rows: Vec<(i64, i64, String, String, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, taken_at, data_generation, reason, values_written FROM snapshots \
                 ORDER BY id DESC",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(query("read the snapshots"))?;
        Ok(rows
            .into_iter()
            .map(
                |(id, at, data_generation, reason, values_written)| Snapshot {
                    id,
                    taken_at: timestamp(at),
                    data_generation,
                    reason,
                    values_written,
                },
            )
            .collect())
    }

    /// What a KPI was reported as: every row of its periods (of `grain` and `period` when
    /// given), by grain, period and snapshot.
    pub async fn history(
        &self,
        kpi_id: &str,
        grain: Option<&str>,
        period: Option<&str>,
    ) -> Result<Vec<HistoryRow>, StoreError> {
        type Raw = (
            String,
            String,
            i64,
            i64,
            Option<Float>,
            Option<Float>,
            Option<Float>,
            Option<String>,
            i64,
            String,
            String,
        );
        // SQLite's rows come back as one JSON array built by the database: decoding rows one
        // at a time costs microseconds a row in sqlx's SQLite driver, parsing one array
        // nanoseconds. PostgreSQL's driver decodes rows fast, and building JSON there is slow.
        // Both read floats back bit for bit (tested).
        type PgRaw = (
            String,
            String,
            i64,
            i64,
            Option<f64>,
            Option<f64>,
            Option<f64>,
            Option<String>,
            i64,
            String,
            String,
        );
        let rows: Vec<Raw> = match &self.pool {
            crate::Pool::Sqlite(pool) => {
                let document: Option<String> = sqlx::query_scalar(HISTORY_SQLITE)
                    .bind(kpi_id)
                    .bind(grain)
                    .bind(period)
                    .fetch_one(pool)
                    .await
                    .map_err(query("read a KPI's history"))?;
                match document {
                    Some(text) => serde_json::from_str(&text).map_err(|e| StoreError::Query {
                        action: "decode a KPI's history",
                        source: sqlx::Error::Decode(Box::new(e)),
                    })?,
                    None => Vec::new(),
                }
            }
            crate::Pool::Postgres(pool) => {
                let rows: Vec<PgRaw> = sqlx::query_as(HISTORY_POSTGRES)
                    .bind(kpi_id)
                    .bind(grain)
                    .bind(period)
                    .fetch_all(pool)
                    .await
                    .map_err(query("read a KPI's history"))?;
                rows.into_iter()
                    .map(|r| {
                        (
                            r.0,
                            r.1,
                            r.2,
                            r.3,
                            r.4.map(Float),
                            r.5.map(Float),
                            r.6.map(Float),
                            r.7,
                            r.8,
                            r.9,
                            r.10,
                        )
                    })
                    .collect()
            }
        };
        Ok(rows
            .into_iter()
            .map(|r| HistoryRow {
                grain: r.0,
                period: r.1,
                snapshot: r.2,
                computed_at: timestamp(r.3),
                value: r.4.map(|f| f.0),
                target_low: r.5.map(|f| f.0),
                target_high: r.6.map(|f| f.0),
                status: r.7,
                definition_version: r.8,
                definition_hash: r.9,
                data_generation: r.10,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failpoints_are_listed_once_and_placed_once() {
        let source = include_str!("snapshots.rs");
        for name in FAILPOINTS {
            assert_eq!(
                source.matches(&format!("failpoint(\"{name}\")")).count(),
                1,
                "`{name}` should be placed once"
            );
        }
        assert_eq!(source.matches("failpoint(\"").count(), FAILPOINTS.len());
    }

    #[test]
    fn a_multi_row_insert_numbers_its_parameters_across_rows() {
        let sql = insert_values_sql(2);
        assert!(sql.ends_with("($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13), ($14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)"), "{sql}");
    }
}
