//! People: `utfall user add|list|set-role|reset-password`.

use utfall_store::{Role, Store, User, hash_password};

use crate::error::AppError;

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

fn role(text: &str) -> Result<Role, AppError> {
    Role::parse(text).ok_or_else(|| {
        AppError::user(format!("`{text}` is not a role")).hint("use viewer, editor or admin")
    })
}

fn checked_hash(password: &str) -> Result<String, AppError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::user(format!(
            "a password needs at least {MIN_PASSWORD} characters"
        )));
    }
    Ok(hash_password(password)?)
}

/// Adds a person with a role (`viewer`, `editor`, `admin`) and, if given, a password.
pub async fn add_user(
    store: &Store,
    id: &str,
    name: &str,
    email: Option<&str>,
    role_text: &str,
    password: Option<&str>,
) -> Result<User, AppError> {
    if id.trim().is_empty() || id.chars().any(char::is_whitespace) {
        return Err(
            AppError::user(format!("`{id}` is not an id")).hint("an id is one word, e.g. `anna`")
        );
    }
    if email.is_some_and(|e| !e.contains('@')) {
        return Err(AppError::user(format!(
            "`{}` is not an e-mail address",
            email.unwrap_or_default()
        )));
    }
    let hash = password.map(checked_hash).transpose()?;
    let user = User {
        id: id.into(),
        name: name.into(),
        email: email.map(str::to_string),
        role: role(role_text)?,
        has_password: hash.is_some(),
        created_at: jiff::Timestamp::now(),
    };
    store.add_user(&user, hash.as_deref()).await?;
    Ok(user)
}

/// Everyone.
pub async fn users(store: &Store) -> Result<Vec<User>, AppError> {
    Ok(store.users().await?)
}

/// Changes a person's role.
pub async fn set_role(store: &Store, id: &str, role_text: &str) -> Result<(), AppError> {
    Ok(store.set_role(id, role(role_text)?).await?)
}

/// Sets a new password.
pub async fn reset_password(store: &Store, id: &str, password: &str) -> Result<(), AppError> {
    let hash = checked_hash(password)?;
    Ok(store.set_password_hash(id, &hash).await?)
}
