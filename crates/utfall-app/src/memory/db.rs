//! The store's operations: migrate, back up, export, copy to PostgreSQL.

use std::path::Path;

use serde::Serialize;
use utfall_store::{Location, Store};

use crate::error::AppError;

/// What an operation did.
#[derive(Debug, Clone, Serialize)]
pub struct DbReport {
    /// The store (a URL without its password).
    pub store: String,
    /// Migrations run, for `migrate`.
    pub migrations: usize,
    /// Rows involved (copied, exported).
    pub rows: usize,
}

/// Runs the migrations not yet run.
pub async fn migrate(store: &Store) -> Result<DbReport, AppError> {
    // Opening has migrated already; a second run finds nothing, which is what is reported.
    let migrations = store.migrate().await?;
    Ok(DbReport {
        store: store.location().to_string(),
        migrations,
        rows: store.dump().await?.rows(),
    })
}

/// A consistent copy of the store into the new file `path`.
pub async fn backup(store: &Store, path: &Path) -> Result<DbReport, AppError> {
    store.backup(path).await?;
    Ok(DbReport {
        store: path.display().to_string(),
        migrations: 0,
        rows: store.dump().await?.rows(),
    })
}

/// The whole store as reviewable JSON (password hashes left out).
pub async fn export(store: &Store) -> Result<serde_json::Value, AppError> {
    let dump = store.dump().await?;
    serde_json::to_value(&dump)
        .map_err(|e| AppError::internal("cannot write the export").caused_by(e))
}

/// Copies the store into the empty PostgreSQL database at `url`; the two exports are then
/// equal (checked before it reports).
pub async fn copy(store: &Store, url: &str) -> Result<DbReport, AppError> {
    let target = Location::parse(Path::new("."), url);
    if !matches!(target, Location::Postgres(_)) {
        return Err(AppError::user(format!(
            "`{}` is not a PostgreSQL URL",
            utfall_store::redact(url)
        ))
        .hint("e.g. postgres://utfall@db.example/utfall"));
    }
    let dump = store.dump().await?;
    let to = Store::open(&target).await?;
    to.restore(&dump).await?;
    let after = to.dump().await?;
    to.close().await;
    if after != dump {
        return Err(AppError::internal("the copy differs from the original"));
    }
    Ok(DbReport {
        store: target.to_string(),
        migrations: 0,
        rows: dump.rows(),
    })
}
