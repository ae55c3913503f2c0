//! Definition versions: every distinct definition of a KPI, numbered 1, 2, … a KPI, with when
//! it was first and last in force.

use serde::Serialize;

use crate::error::query;
use crate::{Store, StoreError, on_pool, timestamp};

/// One version of a KPI's definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefinitionVersion {
    /// The KPI.
    pub kpi_id: String,
    /// 1, 2, …
    pub version: i64,
    /// The hash of the normalised definition.
    pub hash: String,
    /// The normalised definition (JSON).
    pub definition: String,
    /// When a snapshot first saw it.
    pub first_seen: jiff::Timestamp,
    /// When a snapshot last saw it.
    pub last_seen: jiff::Timestamp,
}

/// The version a snapshot's definition is recorded under.
#[derive(Debug, Clone)]
pub(crate) struct NewVersion {
    pub(crate) kpi_id: String,
    pub(crate) hash: String,
    pub(crate) version: i64,
    /// Whether this snapshot created it.
    pub(crate) is_new: bool,
}

/// Records `definitions` (a slice of [`crate::Definition`]) seen at `at` (ms) on the
/// transaction `tx`: a known hash is seen again, an unknown one becomes the KPI's next version.
/// Evaluates to `Result<HashMap<kpi, NewVersion>, StoreError>`.
macro_rules! record_versions {
    ($tx:expr, $definitions:expr, $at:expr) => {
        async {
            let mut versions = std::collections::HashMap::new();
            for definition in $definitions {
                let known: Option<i64> = sqlx::query_scalar(
                    "SELECT version FROM definition_versions WHERE kpi_id = $1 AND hash = $2",
                )
                .bind(&definition.kpi_id)
                .bind(&definition.hash)
                .fetch_optional(&mut *$tx)
                .await
                .map_err($crate::error::query("read a definition version"))?;
                let (version, is_new) = match known {
                    Some(version) => {
                        sqlx::query(
                            "UPDATE definition_versions SET last_seen = $1 \
                             WHERE kpi_id = $2 AND version = $3",
                        )
                        .bind($at)
                        .bind(&definition.kpi_id)
                        .bind(version)
                        .execute(&mut *$tx)
                        .await
                        .map_err($crate::error::query("record a definition version"))?;
                        (version, false)
                    }
                    None => {
                        let version: i64 = sqlx::query_scalar(
                            "INSERT INTO definition_versions (kpi_id, version, hash, definition, \
                             first_seen, last_seen) SELECT $1, COALESCE(MAX(version), 0) + 1, \
                             $2, $3, $4, $4 FROM definition_versions WHERE kpi_id = $1 \
                             RETURNING version",
                        )
                        .bind(&definition.kpi_id)
                        .bind(&definition.hash)
                        .bind(&definition.definition)
                        .bind($at)
                        .fetch_one(&mut *$tx)
                        .await
                        .map_err($crate::error::query("record a definition version"))?;
                        (version, true)
                    }
                };
                versions.insert(
                    definition.kpi_id.clone(),
                    $crate::definitions::NewVersion {
                        kpi_id: definition.kpi_id.clone(),
                        hash: definition.hash.clone(),
                        version,
                        is_new,
                    },
                );
            }
            Ok::<_, $crate::StoreError>(versions)
        }
        .await
    };
}
pub(crate) use record_versions;

impl Store {
    /// Every version of a KPI's definition (of every KPI when `kpi_id` is `None`), by KPI and
    /// version.
    pub async fn versions(
        &self,
        kpi_id: Option<&str>,
    ) -> Result<Vec<DefinitionVersion>, StoreError> {
        let rows: Vec<(String, i64, String, String, i64, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT kpi_id, version, hash, definition, first_seen, last_seen \
                 FROM definition_versions WHERE ($1 IS NULL OR kpi_id = $1) \
                 ORDER BY kpi_id, version",
            )
            .bind(kpi_id)
            .fetch_all(pool)
            .await
        })
        .map_err(query("read the definition versions"))?;
        Ok(rows
            .into_iter()
            .map(
                |(kpi_id, version, hash, definition, first, last)| DefinitionVersion {
                    kpi_id,
                    version,
                    hash,
                    definition,
                    first_seen: timestamp(first),
                    last_seen: timestamp(last),
                },
            )
            .collect())
    }
}
