//! The audit log: who changed what, and when. Entries are only ever added.

use serde::Serialize;

use crate::error::query;
use crate::{Store, StoreError, millis, on_pool, timestamp};

/// An entry to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// When.
    pub at: jiff::Timestamp,
    /// Who: a user id, or `cli:NAME` for the command line.
    pub actor: String,
    /// What was done (`import`, `target.set`, `annotation.add`, …).
    pub action: String,
    /// What it was done to (a KPI id, a file, a review).
    pub object: String,
    /// The change, for people (`FY2026-Q3: 3 375 396 → 3 500 000`).
    pub detail: String,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Its id (in the order written).
    pub id: i64,
    /// When.
    pub at: jiff::Timestamp,
    /// Who.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// What it was done to.
    pub object: String,
    /// The change.
    pub detail: String,
}

type Raw = (i64, i64, String, String, String, String);

impl Store {
    /// Adds an entry to the audit log.
    pub async fn audit(&self, entry: &NewAuditEntry) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO audit_log (at, actor, action, object, detail) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(millis(entry.at))
            .bind(&entry.actor)
            .bind(&entry.action)
            .bind(&entry.object)
            .bind(&entry.detail)
            .fetch_one(pool)
            .await
        })
        .map_err(query("write the audit log"))
    }

    /// The latest `limit` entries, newest first; only `actor`'s when given.
    pub async fn audit_log(
        &self,
        actor: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<Raw> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, at, actor, action, object, detail FROM audit_log \
                 WHERE ($1 IS NULL OR actor = $1) ORDER BY id DESC LIMIT $2",
            )
            .bind(actor)
            .bind(limit)
            .fetch_all(pool)
            .await
        })
        .map_err(query("read the audit log"))?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.0,
                at: timestamp(r.1),
                actor: r.2,
                action: r.3,
                object: r.4,
                detail: r.5,
            })
            .collect())
    }
}
