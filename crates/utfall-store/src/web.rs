//! The web app's sessions and a person's chosen language. The store keeps a session's token
//! only as its SHA-256 (the caller hashes), with the session's CSRF token and its expiry.

use crate::error::query;
use crate::users::{Raw, user};
use crate::{Store, StoreError, User, millis, on_pool, timestamp};

/// A logged-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// Who.
    pub user: User,
    /// The session's CSRF token (sent in every form).
    pub csrf: String,
    /// When it was created.
    pub created_at: jiff::Timestamp,
    /// When it stops being valid.
    pub expires_at: jiff::Timestamp,
    /// The person's chosen language (`sv`, `en`), if any.
    pub language: Option<String>,
}

impl Store {
    /// Records a session for `user_id` under `token_hash`.
    pub async fn create_web_session(
        &self,
        token_hash: &str,
        user_id: &str,
        csrf: &str,
        expires_at: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(csrf)
            .bind(millis(jiff::Timestamp::now()))
            .bind(millis(expires_at))
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(query("start a session"))
    }

    /// The session under `token_hash`, unless it is missing or expired at `now`.
    pub async fn web_session(
        &self,
        token_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<WebSession>, StoreError> {
        type Row = (String, i64, i64, Option<String>);
        let found: Option<(Row, Raw)> = on_pool!(self, pool => {
            sqlx::query_as::<_, (String, i64, i64, Option<String>, String, String, Option<String>, String, Option<String>, i64)>(
                "SELECT s.csrf, s.created_at, s.expires_at, u.language, \
                        u.id, u.name, u.email, u.role, u.password_hash, u.created_at \
                 FROM web_sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2",
            )
            .bind(token_hash)
            .bind(millis(now))
            .fetch_optional(pool)
            .await
            .map(|row| row.map(|r| ((r.0, r.1, r.2, r.3), (r.4, r.5, r.6, r.7, r.8, r.9))))
        })
        .map_err(query("read a session"))?;
        Ok(found.map(|(s, u)| WebSession {
            user: user(u),
            csrf: s.0,
            created_at: timestamp(s.1),
            expires_at: timestamp(s.2),
            language: s.3,
        }))
    }

    /// Ends the session under `token_hash` (nothing when there is none).
    pub async fn end_web_session(&self, token_hash: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(query("end a session"))
    }

    /// Ends every session of `user_id` but the one under `keep` (after a password change);
    /// returns how many ended.
    pub async fn end_other_web_sessions(
        &self,
        user_id: &str,
        keep: &str,
    ) -> Result<u64, StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM web_sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user_id)
                .bind(keep)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(query("end sessions"))
    }

    /// Removes the sessions expired at `now`; returns how many.
    pub async fn purge_web_sessions(&self, now: jiff::Timestamp) -> Result<u64, StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
                .bind(millis(now))
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(query("remove expired sessions"))
    }

    /// Sets (or with `None` clears) a person's language.
    pub async fn set_language(
        &self,
        user_id: &str,
        language: Option<&str>,
    ) -> Result<(), StoreError> {
        let changed = on_pool!(self, pool => {
            sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
                .bind(language)
                .bind(user_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(query("set a language"))?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!(
                "there is no person `{user_id}`"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Location, Role};

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&Location::Sqlite(dir.path().join("meta.sqlite")))
            .await
            .unwrap();
        store
            .add_user(
                &User {
                    id: "anna".into(),
                    name: "Anna".into(),
                    email: None,
                    role: Role::Editor,
                    has_password: true,
                    created_at: jiff::Timestamp::now(),
                },
                Some("$argon2id$x"),
            )
            .await
            .unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn a_session_reads_back_until_it_expires_or_ends() {
        let (_dir, store) = store().await;
        let now = jiff::Timestamp::from_second(2_000_000_000).unwrap();
        let later = jiff::Timestamp::from_second(2_000_003_600).unwrap();
        store
            .create_web_session("h1", "anna", "c1", later)
            .await
            .unwrap();
        store
            .create_web_session("h2", "anna", "c2", later)
            .await
            .unwrap();
        let found = store.web_session("h1", now).await.unwrap().unwrap();
        assert_eq!(
            (found.user.id.as_str(), found.csrf.as_str()),
            ("anna", "c1")
        );
        assert_eq!(found.user.role, Role::Editor);
        assert_eq!(found.language, None);
        // Expired at its expiry.
        assert!(store.web_session("h1", later).await.unwrap().is_none());
        assert!(store.web_session("nope", now).await.unwrap().is_none());
        store.set_language("anna", Some("en")).await.unwrap();
        let found = store.web_session("h2", now).await.unwrap().unwrap();
        assert_eq!(found.language.as_deref(), Some("en"));
        assert_eq!(store.end_other_web_sessions("anna", "h2").await.unwrap(), 1);
        assert!(store.web_session("h1", now).await.unwrap().is_none());
        store.end_web_session("h2").await.unwrap();
        assert!(store.web_session("h2", now).await.unwrap().is_none());
        assert!(store.set_language("bo", None).await.is_err());
    }
}
