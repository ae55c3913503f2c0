//! People: who can read (viewer), change (editor) or administer (admin), with an argon2id
//! password hash for the web app.

use serde::{Deserialize, Serialize};

use crate::error::query;
use crate::{Store, StoreError, millis, on_pool, timestamp};

/// What a person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Read.
    Viewer,
    /// Read and change.
    Editor,
    /// Everything, people included.
    Admin,
}

impl Role {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// The role spelled `text` (`viewer`, `editor`, `admin`).
    pub fn parse(text: &str) -> Option<Role> {
        match text.trim().to_ascii_lowercase().as_str() {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The id (as in `utfall.toml`'s `[[people]]`).
    pub id: String,
    /// The name.
    pub name: String,
    /// The e-mail address.
    pub email: Option<String>,
    /// What they may do.
    pub role: Role,
    /// Whether a password is set (the hash itself never leaves the store's API but for login).
    pub has_password: bool,
    /// When they were added.
    pub created_at: jiff::Timestamp,
}

/// An argon2id PHC string (`$argon2id$…`) of `password` with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    use argon2::password_hash::PasswordHasher as _;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| StoreError::Refused {
            message: format!("cannot hash the password: {error}"),
            hint: None,
        })
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::PasswordVerifier as _;
    argon2::password_hash::phc::PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

pub(crate) type Raw = (String, String, Option<String>, String, Option<String>, i64);

pub(crate) fn user(r: Raw) -> User {
    User {
        id: r.0,
        name: r.1,
        email: r.2,
        role: Role::parse(&r.3).unwrap_or(Role::Viewer),
        has_password: r.4.is_some(),
        created_at: timestamp(r.5),
    }
}

impl Store {
    /// Adds a person; refused when the id or e-mail is taken.
    pub async fn add_user(
        &self,
        new: &User,
        password_hash: Option<&str>,
    ) -> Result<(), StoreError> {
        let result = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO users (id, name, email, role, password_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&new.id)
            .bind(&new.name)
            .bind(&new.email)
            .bind(new.role.as_str())
            .bind(password_hash)
            .bind(millis(new.created_at))
            .execute(pool)
            .await
            .map(|_| ())
        });
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Refused {
                message: format!(
                    "a person with the id `{}` or that e-mail is already there",
                    new.id
                ),
                hint: Some("see `utfall user list`".into()),
            }),
            Err(e) => Err(query("add a person")(e)),
        }
    }

    /// Adds the people not yet there (by id), leaving those there as they are; returns how
    /// many were added.
    pub async fn seed_users(&self, people: &[User]) -> Result<usize, StoreError> {
        let mut added = 0;
        for person in people {
            let done = on_pool!(self, pool => {
                sqlx::query(
                    "INSERT INTO users (id, name, email, role, password_hash, created_at) \
                     VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT DO NOTHING",
                )
                .bind(&person.id)
                .bind(&person.name)
                .bind(&person.email)
                .bind(person.role.as_str())
                .bind(millis(person.created_at))
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
            })
            .map_err(query("add a person"))?;
            added += done as usize;
        }
        Ok(added)
    }

    /// Everyone, by id.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows: Vec<Raw> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, name, email, role, password_hash, created_at FROM users ORDER BY id",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(query("read the people"))?;
        Ok(rows.into_iter().map(user).collect())
    }

    /// The person with this id or e-mail, and their password hash (for login).
    pub async fn user_for_login(
        &self,
        id_or_email: &str,
    ) -> Result<Option<(User, Option<String>)>, StoreError> {
        let row: Option<Raw> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, name, email, role, password_hash, created_at FROM users \
                 WHERE id = $1 OR email = $1",
            )
            .bind(id_or_email)
            .fetch_optional(pool)
            .await
        })
        .map_err(query("read a person"))?;
        Ok(row.map(|r| {
            let hash = r.4.clone();
            (user(r), hash)
        }))
    }

    /// Changes a person's role.
    pub async fn set_role(&self, id: &str, role: Role) -> Result<(), StoreError> {
        let changed = on_pool!(self, pool => {
            sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                .bind(role.as_str())
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(query("change a role"))?;
        found(changed, id)
    }

    /// Sets a person's password hash (from [`hash_password`]).
    pub async fn set_password_hash(&self, id: &str, hash: &str) -> Result<(), StoreError> {
        let changed = on_pool!(self, pool => {
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(hash)
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(query("set a password"))?;
        found(changed, id)
    }
}

fn found(changed: u64, id: &str) -> Result<(), StoreError> {
    if changed == 0 {
        return Err(StoreError::NotFound(format!("there is no person `{id}`")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_as_argon2id_and_verify() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("Correct horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
        // A fresh salt each time.
        assert_ne!(hash, hash_password("correct horse").unwrap());
    }
}
