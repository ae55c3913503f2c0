//! The store's one error.

use std::path::PathBuf;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("cannot open the store {target}")]
    Connect {
        /// Where (a URL without its password).
        target: String,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("cannot bring the store {target} up to date")]
    Migrate {
        /// Where (a URL without its password).
        target: String,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
    /// A query failed.
    #[error("the store could not {action}")]
    Query {
        /// What it was doing.
        action: &'static str,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
    /// A file or folder could not be written.
    #[error("cannot write `{}`", path.display())]
    Io {
        /// Which.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// What was asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request cannot be done as asked.
    #[error("{message}")]
    Refused {
        /// Why.
        message: String,
        /// How to go on.
        hint: Option<String>,
    },
}

impl StoreError {
    /// How to go on, when the error says.
    pub fn hint(&self) -> Option<&str> {
        match self {
            StoreError::Refused { hint, .. } => hint.as_deref(),
            _ => None,
        }
    }

    /// Whether the user can mend it (a missing row, a refused request) rather than ours or the
    /// database's.
    pub fn is_user_error(&self) -> bool {
        matches!(self, StoreError::NotFound(_) | StoreError::Refused { .. })
    }
}

/// Maps a database error into [`StoreError::Query`] for `action`.
pub(crate) fn query(action: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { action, source }
}
