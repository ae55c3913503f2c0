//! Saved mix-model fits: the fit documents `utfall mmm fit` writes, kept a KPI, newest last.

use serde::Serialize;

use crate::error::query;
use crate::{Store, StoreError, millis, on_pool, timestamp};

/// A saved fit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedFit {
    /// Its id.
    pub id: i64,
    /// The KPI it models.
    pub kpi_id: String,
    /// When it was saved.
    pub saved_at: jiff::Timestamp,
    /// The fit document (JSON, as `models/<kpi>.json` held it).
    pub document: String,
}

impl Store {
    /// Saves a fit document for `kpi_id`.
    pub async fn save_fit(
        &self,
        kpi_id: &str,
        document: &str,
        at: jiff::Timestamp,
    ) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO mmm_fits (kpi_id, saved_at, document) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(kpi_id)
            .bind(millis(at))
            .bind(document)
            .fetch_one(pool)
            .await
        })
        .map_err(query("save a fit"))
    }

    /// The newest fit of `kpi_id`.
    pub async fn latest_fit(&self, kpi_id: &str) -> Result<Option<SavedFit>, StoreError> {
        let row: Option<(i64, String, i64, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, kpi_id, saved_at, document FROM mmm_fits WHERE kpi_id = $1 \
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(kpi_id)
            .fetch_optional(pool)
            .await
        })
        .map_err(query("read a fit"))?;
        Ok(row.map(|(id, kpi_id, at, document)| SavedFit {
            id,
            kpi_id,
            saved_at: timestamp(at),
            document,
        }))
    }
}
