//! Where a store is: an SQLite file, or a PostgreSQL URL whose password is never shown.

use std::path::{Path, PathBuf};

/// Where a store is.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (`postgres://user:password@host:port/db`).
    Postgres(String),
}

impl Location {
    /// The store a workspace uses: `UTFALL_DATABASE_URL` when set, else `store` of
    /// `utfall.toml`, else `.utfall/meta.sqlite` in the workspace. A value is a
    /// `postgres://`/`postgresql://` URL, an `sqlite:` URL or a path (relative to the
    /// workspace).
    pub fn for_workspace(dir: &Path, configured: Option<&str>, env: Option<&str>) -> Location {
        match env.filter(|v| !v.trim().is_empty()).or(configured) {
            Some(value) => Location::parse(dir, value),
            None => Location::Sqlite(dir.join(".utfall").join("meta.sqlite")),
        }
    }

    /// A location written as a URL or a path; a relative path is taken from `dir`.
    pub fn parse(dir: &Path, value: &str) -> Location {
        let value = value.trim();
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            return Location::Postgres(value.to_string());
        }
        let path = value
            .strip_prefix("sqlite://")
            .or_else(|| value.strip_prefix("sqlite:"))
            .unwrap_or(value);
        let path = Path::new(path);
        Location::Sqlite(if path.is_absolute() {
            path.to_path_buf()
        } else {
            dir.join(path)
        })
    }
}

/// A URL with its password replaced by `***` (and its query, which can hold one, dropped).
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let rest = rest.split('?').next().unwrap_or(rest);
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:***@{host}"),
            None => format!("{user}@{host}"),
        },
        None => authority.to_string(),
    };
    format!("{scheme}://{authority}{path}")
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "Sqlite({})", path.display()),
            Location::Postgres(url) => write!(f, "Postgres({})", redact(url)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_never_shown() {
        assert_eq!(
            redact("postgres://utfall:s3cr%40t@db.example:5432/meta?sslmode=require&password=x"),
            "postgres://utfall:***@db.example:5432/meta"
        );
        assert_eq!(
            redact("postgres://utfall@db/meta"),
            "postgres://utfall@db/meta"
        );
        assert_eq!(redact("postgres://db/meta"), "postgres://db/meta");
        // A password containing `@` and `:`: everything before the last `@` is the user part.
        assert_eq!(
            redact("postgres://u:p@ss:w@host/db"),
            "postgres://u:***@host/db"
        );
        let location = Location::Postgres("postgres://u:hunter2@h/db".into());
        assert!(!format!("{location} {location:?}").contains("hunter2"));
    }

    #[test]
    fn the_environment_wins_over_the_workspace_and_paths_are_the_workspaces() {
        let dir = Path::new("/w");
        assert_eq!(
            Location::for_workspace(dir, None, None),
            Location::Sqlite("/w/.utfall/meta.sqlite".into())
        );
        assert_eq!(
            Location::for_workspace(dir, Some("meta.db"), None),
            Location::Sqlite("/w/meta.db".into())
        );
        assert_eq!(
            Location::for_workspace(dir, Some("sqlite:///tmp/m.db"), Some("postgres://h/db")),
            Location::Postgres("postgres://h/db".into())
        );
        assert_eq!(
            Location::for_workspace(dir, Some("sqlite:///tmp/m.db"), Some(" ")),
            Location::Sqlite("/tmp/m.db".into())
        );
    }
}
