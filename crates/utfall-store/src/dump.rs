//! The whole store as one document: `utfall db export` (reviewable JSON, password hashes left
//! out), `utfall db copy` (SQLite to PostgreSQL, hashes included) and `utfall db backup`.

use std::path::Path;

use serde::Serialize;

use crate::error::query;
use crate::snapshots::insert_values_sql;
use crate::{Backend, Store, StoreError, WritePool as _, on_pool};

/// A person's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRow {
    id: String,
    name: String,
    email: Option<String>,
    role: String,
    #[serde(skip)]
    password_hash: Option<String>,
    has_password: bool,
    created_at: i64,
}

/// A definition version's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionRow {
    kpi_id: String,
    version: i64,
    hash: String,
    definition: String,
    first_seen: i64,
    last_seen: i64,
}

/// A snapshot's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotRow {
    id: i64,
    taken_at: i64,
    data_generation: String,
    definitions: String,
    reason: String,
    values_written: i64,
}

/// A value's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueRow {
    snapshot_id: i64,
    kpi_id: String,
    grain: String,
    period: String,
    period_start: String,
    value: Option<f64>,
    target_low: Option<f64>,
    target_high: Option<f64>,
    status: Option<String>,
    definition_hash: String,
    definition_version: i64,
    data_generation: String,
    computed_at: i64,
}

/// An annotation's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnotationRow {
    id: i64,
    scope: String,
    scope_id: Option<String>,
    starts_on: String,
    ends_on: Option<String>,
    body: String,
    author: String,
    kind: String,
    source_ref: Option<String>,
    created_at: i64,
}

/// A comment's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommentRow {
    id: i64,
    kpi_id: String,
    period: String,
    parent_id: Option<i64>,
    author: String,
    body: String,
    created_at: i64,
}

/// A saved fit's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FitRow {
    id: i64,
    kpi_id: String,
    saved_at: i64,
    document: String,
}

/// A digest subscription's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriptionRow {
    user_id: String,
    kind: String,
    created_at: i64,
}

/// A digest or alert delivery's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryRow {
    user_id: String,
    kind: String,
    period_key: String,
    claimed_at: i64,
    claimed_by: String,
    sent_at: Option<i64>,
    message_id: Option<String>,
}

/// Every row of the store, table by table in key order; times in milliseconds since the epoch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dump {
    /// People (their password hashes are not serialised).
    pub users: Vec<UserRow>,
    /// Definition versions.
    pub definition_versions: Vec<VersionRow>,
    /// Snapshots.
    pub snapshots: Vec<SnapshotRow>,
    /// Snapshot values.
    pub kpi_values: Vec<ValueRow>,
    /// Annotations.
    pub annotations: Vec<AnnotationRow>,
    /// Comments.
    pub comments: Vec<CommentRow>,
    /// Saved fits.
    pub mmm_fits: Vec<FitRow>,
    /// Reviews, with the documents of closed ones.
    pub reviews: Vec<ReviewRow>,
    /// Decisions.
    pub decisions: Vec<crate::Decision>,
    /// One-time facts (`reviews.toml` imported).
    pub flags: Vec<(String, String)>,
    /// Digest and alert subscriptions.
    pub subscriptions: Vec<SubscriptionRow>,
    /// Digests and alerts claimed or sent.
    pub deliveries: Vec<DeliveryRow>,
}

/// A review's row, with its frozen document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewRow {
    /// The review.
    #[serde(flatten)]
    pub record: crate::ReviewRecord,
    /// Its document when closed.
    pub document: Option<String>,
}

impl Dump {
    /// Rows in all tables.
    pub fn rows(&self) -> usize {
        self.users.len()
            + self.definition_versions.len()
            + self.snapshots.len()
            + self.kpi_values.len()
            + self.annotations.len()
            + self.comments.len()
            + self.mmm_fits.len()
            + self.reviews.len()
            + self.decisions.len()
            + self.flags.len()
            + self.subscriptions.len()
            + self.deliveries.len()
    }
}

macro_rules! read_all {
    ($pool:expr, $sql:expr) => {
        sqlx::query_as($sql)
            .fetch_all($pool)
            .await
            .map_err(query("read the store"))?
    };
}

impl Store {
    /// Every row of the store.
    #[allow(clippy::type_complexity)]
    pub async fn dump(&self) -> Result<Dump, StoreError> {
        let dump: Result<Dump, StoreError> = on_pool!(self, pool => {
            let users: Vec<(String, String, Option<String>, String, Option<String>, i64)> =
                read_all!(pool, "SELECT id, name, email, role, password_hash, created_at FROM users ORDER BY id");
            let versions: Vec<(String, i64, String, String, i64, i64)> = read_all!(pool,
                "SELECT kpi_id, version, hash, definition, first_seen, last_seen FROM definition_versions ORDER BY kpi_id, version");
            let snapshots: Vec<(i64, i64, String, String, String, i64)> = read_all!(pool,
                "SELECT id, taken_at, data_generation, definitions, reason, values_written FROM snapshots ORDER BY id");
            let values: Vec<(i64, String, String, String, String, Option<f64>, Option<f64>, Option<f64>, Option<String>, String, i64, String, i64)> = read_all!(pool,
                "SELECT snapshot_id, kpi_id, grain, period, period_start, value, target_low, target_high, status, definition_hash, definition_version, data_generation, computed_at FROM kpi_values ORDER BY kpi_id, grain, period, snapshot_id");
            let annotations: Vec<(i64, String, Option<String>, String, Option<String>, String, String, String, Option<String>, i64)> = read_all!(pool,
                "SELECT id, scope, scope_id, starts_on, ends_on, body, author, kind, source_ref, created_at FROM annotations ORDER BY id");
            let comments: Vec<(i64, String, String, Option<i64>, String, String, i64)> = read_all!(pool,
                "SELECT id, kpi_id, period, parent_id, author, body, created_at FROM comments ORDER BY id");
            let fits: Vec<(i64, String, i64, String)> =
                read_all!(pool, "SELECT id, kpi_id, saved_at, document FROM mmm_fits ORDER BY id");
            let flags: Vec<(String, String)> =
                read_all!(pool, "SELECT name, value FROM store_flags ORDER BY name");
            let subscriptions: Vec<(String, String, i64)> =
                read_all!(pool, "SELECT user_id, kind, created_at FROM subscriptions ORDER BY user_id, kind");
            let deliveries: Vec<(String, String, String, i64, String, Option<i64>, Option<String>)> = read_all!(pool,
                "SELECT user_id, kind, period_key, claimed_at, claimed_by, sent_at, message_id FROM deliveries ORDER BY user_id, kind, period_key");
            Ok(Dump {
                users: users.into_iter().map(|r| UserRow { id: r.0, name: r.1, email: r.2, role: r.3, has_password: r.4.is_some(), password_hash: r.4, created_at: r.5 }).collect(),
                definition_versions: versions.into_iter().map(|r| VersionRow { kpi_id: r.0, version: r.1, hash: r.2, definition: r.3, first_seen: r.4, last_seen: r.5 }).collect(),
                snapshots: snapshots.into_iter().map(|r| SnapshotRow { id: r.0, taken_at: r.1, data_generation: r.2, definitions: r.3, reason: r.4, values_written: r.5 }).collect(),
                kpi_values: values.into_iter().map(|r| ValueRow { snapshot_id: r.0, kpi_id: r.1, grain: r.2, period: r.3, period_start: r.4, value: r.5, target_low: r.6, target_high: r.7, status: r.8, definition_hash: r.9, definition_version: r.10, data_generation: r.11, computed_at: r.12 }).collect(),
                annotations: annotations.into_iter().map(|r| AnnotationRow { id: r.0, scope: r.1, scope_id: r.2, starts_on: r.3, ends_on: r.4, body: r.5, author: r.6, kind: r.7, source_ref: r.8, created_at: r.9 }).collect(),
                comments: comments.into_iter().map(|r| CommentRow { id: r.0, kpi_id: r.1, period: r.2, parent_id: r.3, author: r.4, body: r.5, created_at: r.6 }).collect(),
                mmm_fits: fits.into_iter().map(|r| FitRow { id: r.0, kpi_id: r.1, saved_at: r.2, document: r.3 }).collect(),
                reviews: Vec::new(),
                decisions: Vec::new(),
                flags,
                subscriptions: subscriptions.into_iter().map(|r| SubscriptionRow { user_id: r.0, kind: r.1, created_at: r.2 }).collect(),
                deliveries: deliveries.into_iter().map(|r| DeliveryRow { user_id: r.0, kind: r.1, period_key: r.2, claimed_at: r.3, claimed_by: r.4, sent_at: r.5, message_id: r.6 }).collect(),
            })
        });
        let mut dump = dump?;
        dump.reviews = self
            .reviews()
            .await?
            .into_iter()
            .map(|record| ReviewRow {
                document: record.document.clone(),
                record,
            })
            .collect();
        dump.decisions = self.decisions().await?;
        Ok(dump)
    }

    /// Writes `dump` into this store, which must be empty, in one transaction; the ids stay
    /// as they were, and new rows continue after them.
    pub async fn restore(&self, dump: &Dump) -> Result<(), StoreError> {
        if self.dump().await?.rows() > 0 {
            return Err(StoreError::Refused {
                message: format!("the store {} is not empty", self.location),
                hint: Some("copy into a new, empty database".into()),
            });
        }
        let done: Result<(), StoreError> = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(query("begin a copy"))?;
            for r in &dump.users {
                sqlx::query("INSERT INTO users (id, name, email, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&r.id).bind(&r.name).bind(&r.email).bind(&r.role).bind(&r.password_hash).bind(r.created_at)
                    .execute(&mut *tx).await.map_err(query("write the copy"))?;
            }
            for r in &dump.definition_versions {
                sqlx::query("INSERT INTO definition_versions (kpi_id, version, hash, definition, first_seen, last_seen) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&r.kpi_id).bind(r.version).bind(&r.hash).bind(&r.definition).bind(r.first_seen).bind(r.last_seen)
                    .execute(&mut *tx).await.map_err(query("write the copy"))?;
            }
            for r in &dump.snapshots {
                sqlx::query("INSERT INTO snapshots (id, taken_at, data_generation, definitions, reason, values_written) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(r.id).bind(r.taken_at).bind(&r.data_generation).bind(&r.definitions).bind(&r.reason).bind(r.values_written)
                    .execute(&mut *tx).await.map_err(query("write the copy"))?;
            }
            for chunk in dump.kpi_values.chunks(500) {
                let mut insert = sqlx::query(sqlx::AssertSqlSafe(insert_values_sql(chunk.len())));
                for r in chunk {
                    insert = insert.bind(r.snapshot_id).bind(&r.kpi_id).bind(&r.grain).bind(&r.period).bind(&r.period_start)
                        .bind(r.value).bind(r.target_low).bind(r.target_high).bind(&r.status).bind(&r.definition_hash)
                        .bind(r.definition_version).bind(&r.data_generation).bind(r.computed_at);
                }
                insert.execute(&mut *tx).await.map_err(query("write the copy"))?;
            }
            sqlx::query(crate::snapshots::REBUILD_LATEST).execute(&mut *tx).await.map_err(query("write the copy"))?;
            for r in &dump.annotations {
                sqlx::query("INSERT INTO annotations (id, scope, scope_id, starts_on, ends_on, body, author, kind, source_ref, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                    .bind(r.id).bind(&r.scope).bind(&r.scope_id).bind(&r.starts_on).bind(&r.ends_on).bind(&r.body).bind(&r.author).bind(&r.kind).bind(&r.source_ref).bind(r.created_at)
                    .execute(&mut *tx).await.map_err(query("write the copy"))?;
            }
            for r in &dump.comments {
                sqlx::query("INSERT INTO comments (id, kpi_id, period, parent_id, author, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(r.id).bind(&r.kpi_id).bind(&r.period).bind(r.parent_id).bind(&r.author).bind(&r.body).bind(r.created_at)
                    .execute(&mut *tx).await.map_err(query("write the copy"))?;
            }
            for r in &dump.mmm_fits {
                sqlx::query("INSERT INTO mmm_fits (id, kpi_id, saved_at, document) VALUES ($1, $2, $3, $4)")
                    .bind(r.id).bind(&r.kpi_id).bind(r.saved_at).bind(&r.document)
                    .execute(&mut *tx).await.map_err(query("write the copy"))?;
            }
            for r in &dump.reviews {
                let v = &r.record;
                sqlx::query("INSERT INTO reviews (id, period, held_on, participants, notes, status, opened_at, closed_at, closed_by, snapshot_id, document) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                    .bind(&v.id).bind(&v.period).bind(&v.held_on).bind(serde_json::to_string(&v.participants).unwrap_or_default()).bind(&v.notes).bind(&v.status)
                    .bind(crate::millis(v.opened_at)).bind(v.closed_at.map(crate::millis)).bind(&v.closed_by).bind(v.snapshot_id).bind(&r.document)
                    .execute(&mut *tx).await.map_err(query("write the copy"))?;
            }
            for d in &dump.decisions {
                crate::reviews::insert_decision!(tx, &d.decision);
                if let Some(o) = &d.outcome {
                    sqlx::query("UPDATE decisions SET outcome = $2, outcome_note = $3, outcome_by = $4, outcome_at = $5 WHERE id = $1")
                        .bind(&d.decision.id).bind(&o.verdict).bind(&o.note).bind(&o.by).bind(crate::millis(o.at))
                        .execute(&mut *tx).await.map_err(query("write the copy"))?;
                }
            }
            for (name, value) in &dump.flags {
                sqlx::query("INSERT INTO store_flags (name, value) VALUES ($1, $2)")
                    .bind(name).bind(value)
                    .execute(&mut *tx).await.map_err(query("write the copy"))?;
            }
            for r in &dump.subscriptions {
                sqlx::query("INSERT INTO subscriptions (user_id, kind, created_at) VALUES ($1, $2, $3)")
                    .bind(&r.user_id).bind(&r.kind).bind(r.created_at)
                    .execute(&mut *tx).await.map_err(query("write the copy"))?;
            }
            for r in &dump.deliveries {
                sqlx::query("INSERT INTO deliveries (user_id, kind, period_key, claimed_at, claimed_by, sent_at, message_id) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&r.user_id).bind(&r.kind).bind(&r.period_key).bind(r.claimed_at).bind(&r.claimed_by).bind(r.sent_at).bind(&r.message_id)
                    .execute(&mut *tx).await.map_err(query("write the copy"))?;
            }
            if self.backend() == Backend::Postgres {
                for table in ["snapshots", "annotations", "comments", "mmm_fits"] {
                    // The table names are ours, never a user's.
                    let sql = format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
                    );
                    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await.map_err(query("continue the ids"))?;
                }
            }
            tx.commit().await.map_err(query("commit the copy"))?;
            Ok(())
        });
        done
    }

    /// A consistent copy of an SQLite store at `path` while others may write (`VACUUM INTO`);
    /// a PostgreSQL store is backed up with its own tools.
    pub async fn backup(&self, path: &Path) -> Result<(), StoreError> {
        match &self.pool {
            crate::Pool::Sqlite(pool) => {
                if path.exists() {
                    return Err(StoreError::Refused {
                        message: format!("`{}` already exists", path.display()),
                        hint: Some("name a new file; a backup never overwrites one".into()),
                    });
                }
                sqlx::query("VACUUM INTO $1")
                    .bind(path.to_string_lossy().into_owned())
                    .execute(pool)
                    .await
                    .map_err(query("write the backup"))?;
                Ok(())
            }
            crate::Pool::Postgres(_) => Err(StoreError::Refused {
                message: "a PostgreSQL store is backed up with PostgreSQL's own tools".into(),
                hint: Some(
                    "use `pg_dump`, or `utfall db export` for a reviewable JSON dump".into(),
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_leaves_password_hashes_out() {
        let dump = Dump {
            users: vec![UserRow {
                id: "anna".into(),
                name: "Anna".into(),
                email: None,
                role: "admin".into(),
                password_hash: Some("$argon2id$v=19$secret".into()),
                has_password: true,
                created_at: 0,
            }],
            definition_versions: vec![],
            snapshots: vec![],
            kpi_values: vec![],
            annotations: vec![],
            comments: vec![],
            mmm_fits: vec![],
            reviews: vec![],
            decisions: vec![],
            flags: vec![],
            subscriptions: vec![],
            deliveries: vec![],
        };
        let json = serde_json::to_string(&dump).unwrap();
        assert!(!json.contains("argon2id"), "{json}");
        assert!(json.contains("\"has_password\":true"), "{json}");
    }
}
