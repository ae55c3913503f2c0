//! Utfall's memory: what was reported, under which definition, and what people said about it.
//!
//! One [`Store`] over SQLite (embedded, `.utfall/meta.sqlite` in the workspace) or PostgreSQL (a
//! team's server). The same code runs on both: every query is written once and expanded for each
//! pool by `on_pool!` (sqlx's `Any` driver is not used). Migrations live in one folder a backend
//! and run when a store is opened. The store keeps and returns what it is given; it computes no
//! KPI (the application layer does, through the engine).
#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod annotations;
mod audit;
mod comments;
mod definitions;
mod digests;
mod dump;
mod error;
mod fits;
mod location;
mod reviews;
mod snapshots;
mod users;
mod web;

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use annotations::{Annotation, AnnotationFilter, AnnotationKind, NewAnnotation, Scope};
pub use audit::{AuditEntry, NewAuditEntry};
pub use comments::{Comment, NewComment};
pub use definitions::DefinitionVersion;
pub use digests::{Delivery, DeliveryKey, DigestKind, Subscription};
pub use dump::Dump;
pub use error::StoreError;
pub use fits::SavedFit;
pub use location::{Location, redact};
pub use reviews::{Decision, Effect, NewDecision, NewReview, Outcome, ReviewRecord};
pub use snapshots::{
    Definition, FAILPOINTS, HistoryRow, NewSnapshot, NewValue, Snapshot, SnapshotOutcome,
};
pub use users::{Role, User, hash_password, verify_password};
pub use web::WebSession;

/// The environment variable that names a failpoint: a step of a snapshot write at which the
/// process aborts (for crash tests).
pub const FAILPOINT_VARIABLE: &str = "UTFALL_FAILPOINT";

/// Which database a store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, embedded.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the store's pool, whichever backend it is: the one code
/// path, compiled once a backend.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// A write transaction. SQLite's starts `IMMEDIATE` (it takes the write lock up front, so a
/// transaction that reads before it writes cannot fail to upgrade when another process wrote in
/// between); PostgreSQL's is a plain `BEGIN`.
pub(crate) trait WritePool {
    /// The database.
    type Db: sqlx::Database;
    /// Begins a write transaction.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>;
}

impl WritePool for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl WritePool for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin().await
    }
}

/// How long a writer waits for another's lock before it gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The metadata store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    location: Location,
}

/// The schema's migrations, one list a backend: (version, name, SQL). A migration is never
/// edited once released; a change is a new one.
fn migrations(backend: Backend) -> &'static [(i64, &'static str, &'static str)] {
    match backend {
        Backend::Sqlite => &[
            (
                1,
                "memory",
                include_str!("../migrations/sqlite/0001_memory.sql"),
            ),
            (
                2,
                "latest values",
                include_str!("../migrations/sqlite/0002_latest_values.sql"),
            ),
            (
                3,
                "history clustered",
                include_str!("../migrations/sqlite/0003_history_clustered.sql"),
            ),
            (
                4,
                "reviews",
                include_str!("../migrations/sqlite/0004_reviews.sql"),
            ),
            (
                5,
                "web sessions",
                include_str!("../migrations/sqlite/0005_web_sessions.sql"),
            ),
            (
                6,
                "audit log",
                include_str!("../migrations/sqlite/0006_audit.sql"),
            ),
            (
                7,
                "digests",
                include_str!("../migrations/sqlite/0007_digests.sql"),
            ),
        ],
        Backend::Postgres => &[
            (
                1,
                "memory",
                include_str!("../migrations/postgres/0001_memory.sql"),
            ),
            (
                2,
                "latest values",
                include_str!("../migrations/postgres/0002_latest_values.sql"),
            ),
            (
                3,
                "history clustered",
                include_str!("../migrations/postgres/0003_history_clustered.sql"),
            ),
            (
                4,
                "reviews",
                include_str!("../migrations/postgres/0004_reviews.sql"),
            ),
            (
                5,
                "web sessions",
                include_str!("../migrations/postgres/0005_web_sessions.sql"),
            ),
            (
                6,
                "audit log",
                include_str!("../migrations/postgres/0006_audit.sql"),
            ),
            (
                7,
                "digests",
                include_str!("../migrations/postgres/0007_digests.sql"),
            ),
        ],
    }
}

/// The table that records which migrations ran.
const MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS utfall_migrations (\
     version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

impl Store {
    /// Opens the store at `location` (creating an SQLite file and its folder when missing) and
    /// brings its schema up to date.
    pub async fn open(location: &Location) -> Result<Store, StoreError> {
        let connect = |source| StoreError::Connect {
            target: location.to_string(),
            source,
        };
        let pool = match location {
            Location::Sqlite(path) => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                        path: parent.to_path_buf(),
                        source,
                    })?;
                }
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(BUSY_TIMEOUT);
                Pool::Sqlite(
                    SqlitePoolOptions::new()
                        .max_connections(4)
                        .connect_with(options)
                        .await
                        .map_err(connect)?,
                )
            }
            Location::Postgres(url) => Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(BUSY_TIMEOUT)
                    .connect(url)
                    .await
                    .map_err(connect)?,
            ),
        };
        let store = Store {
            pool,
            location: location.clone(),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Runs the migrations not yet run, each in its own transaction with its record, one
    /// process at a time (SQLite's write lock, PostgreSQL's advisory lock); returns how many ran
    /// (none when the schema is current).
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let fail = |source| StoreError::Migrate {
            target: self.location.to_string(),
            source,
        };
        let mut ran = 0;
        for (version, name, sql) in migrations(self.backend()) {
            let done: Result<bool, sqlx::Error> = on_pool!(self, pool => async {
                let mut tx = pool.begin_write().await?;
                if self.backend() == Backend::Postgres {
                    // Any fixed number: the migrations' lock, held until the commit.
                    sqlx::query("SELECT pg_advisory_xact_lock(7305532)").execute(&mut *tx).await?;
                }
                sqlx::query(MIGRATIONS_TABLE).execute(&mut *tx).await?;
                let applied: Option<i64> =
                    sqlx::query_scalar("SELECT version FROM utfall_migrations WHERE version = $1")
                        .bind(*version)
                        .fetch_optional(&mut *tx)
                        .await?;
                if applied.is_some() {
                    tx.rollback().await?;
                    Ok(false)
                } else {
                    sqlx::raw_sql(*sql).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO utfall_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                        .bind(*version)
                        .bind(*name)
                        .bind(millis(jiff::Timestamp::now()))
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(true)
                }
            }.await);
            ran += usize::from(done.map_err(fail)?);
        }
        Ok(ran)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Where the store is (a URL's password is never shown by its `Display`).
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Closes the pool, waiting for its connections to finish.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

/// Milliseconds since the epoch.
pub(crate) fn millis(at: jiff::Timestamp) -> i64 {
    at.as_millisecond()
}

/// A timestamp from milliseconds since the epoch (the epoch itself when out of range).
pub(crate) fn timestamp(ms: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// Aborts the process when `UTFALL_FAILPOINT` names `step` (crash tests).
pub(crate) fn failpoint(step: &'static str) {
    static CHOSEN: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    debug_assert!(FAILPOINTS.contains(&step), "`{step}` is not in FAILPOINTS");
    let chosen = CHOSEN.get_or_init(|| std::env::var(FAILPOINT_VARIABLE).ok());
    if chosen.as_deref() == Some(step) {
        std::process::abort();
    }
}
