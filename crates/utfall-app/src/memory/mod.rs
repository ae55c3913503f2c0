//! Utfall's memory over time, on the metadata store (`utfall-store`): snapshots of every KPI's
//! values with their definition versions, history and restatement, annotations (people's and
//! the system's), comments, people, saved fits and the store's operations.
//!
//! The values are computed here, through the engine; the store only keeps them.

mod db;
mod history;
mod notes;
mod people;
mod snapshot;

use std::path::Path;

use sha2::{Digest as _, Sha256};
use utfall_model::workspace::{KpiDef, Workspace};
pub use utfall_store::{
    Annotation, AnnotationKind, Comment, DefinitionVersion, Location, Role, Scope, SnapshotOutcome,
    Store, User,
};

pub use db::{DbReport, backup, copy, export, migrate};
pub use history::{
    HistoryRequest, KpiHistory, PeriodHistory, Reported, Restatement, history, restatement,
};
pub use notes::{
    AnnotateRequest, CommentRequest, RenderedComment, add_annotation, annotations, comment,
    comments, remove_annotation, render_markdown, series_annotations,
};
pub use people::{add_user, reset_password, set_role, users};
pub use snapshot::{
    SnapshotReport, SnapshotRequest, after_import, changed_definitions, data_generation, snapshot,
};

use crate::error::AppError;

/// The environment variable that names a team's store (`postgres://…`), over `store` in
/// `utfall.toml`.
pub const DATABASE_URL_VARIABLE: &str = "UTFALL_DATABASE_URL";

/// Where the workspace in `dir` keeps its memory.
pub fn location(dir: &Path, workspace: &Workspace) -> Location {
    let configured = workspace
        .config
        .as_ref()
        .and_then(|c| c.def.store.as_ref())
        .map(|s| s.get_ref().as_str());
    let env = std::env::var(DATABASE_URL_VARIABLE).ok();
    Location::for_workspace(dir, configured, env.as_deref())
}

/// Opens the workspace's store (migrating it) and adds the people of `utfall.toml` it does not
/// have yet.
pub async fn open_store(dir: &Path, workspace: &Workspace) -> Result<Store, AppError> {
    let location = location(dir, workspace);
    if let Location::Sqlite(path) = &location {
        ignore_in_git(dir, path);
    }
    let store = Store::open(&location).await?;
    let people: Vec<User> = workspace
        .config
        .iter()
        .flat_map(|c| c.def.people.iter())
        .map(|p| User {
            id: p.id.get_ref().clone(),
            name: p.name.clone(),
            email: p.email.clone(),
            role: p
                .access
                .as_deref()
                .and_then(Role::parse)
                .unwrap_or(Role::Viewer),
            has_password: false,
            created_at: jiff::Timestamp::now(),
        })
        .collect();
    store.seed_users(&people).await?;
    Ok(store)
}

/// Keeps the embedded store out of git: a `.gitignore` of `*` in its folder when it is the
/// workspace's `.utfall/`.
fn ignore_in_git(dir: &Path, path: &Path) {
    let folder = dir.join(".utfall");
    if path.parent() == Some(folder.as_path()) && !folder.join(".gitignore").exists() {
        let _ = std::fs::create_dir_all(&folder);
        let _ = std::fs::write(
            folder.join(".gitignore"),
            "# Utfall's local memory and caches\n*\n",
        );
    }
}

/// The parts of a KPI's definition that decide its values, normalised (whitespace in the formula
/// collapsed), as JSON; and the SHA-256 of that JSON. A new name or description is no new
/// version; a new formula, filter, unit or currency is.
pub fn normalised_definition(def: &KpiDef) -> (String, String) {
    let formula = def
        .formula
        .as_ref()
        .map(|f| f.get_ref().split_whitespace().collect::<Vec<_>>().join(" "));
    let json = serde_json::json!({
        "formula": formula,
        "unit": def.unit.get_ref(),
        "currency": def.currency.as_ref().map(|c| c.get_ref()),
    })
    .to_string();
    let hash = hex(&Sha256::digest(json.as_bytes()));
    (json, hash)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Who is writing: `--author`, else `UTFALL_USER`, else the login name.
pub fn author(given: Option<&str>) -> String {
    given
        .map(str::to_string)
        .or_else(|| std::env::var("UTFALL_USER").ok())
        .or_else(|| std::env::var("USER").ok())
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kpi(toml: &str) -> KpiDef {
        toml::from_str(toml).unwrap()
    }

    #[test]
    fn a_definition_changes_version_with_its_formula_not_its_name() {
        let base = "id = \"mql\"\nname = { en = \"MQL\" }\nunit = \"count\"\ndirection = \"up\"\nformula = \"count(contacts where became_mql_at)\"\n";
        let (_, h1) = normalised_definition(&kpi(base));
        let renamed = base.replace("en = \"MQL\"", "en = \"Marketing-qualified leads\"");
        assert_eq!(normalised_definition(&kpi(&renamed)).1, h1);
        let spaced = base.replace("count(contacts where", "count(contacts   where");
        assert_eq!(
            normalised_definition(&kpi(&spaced)).1,
            h1,
            "whitespace is no change"
        );
        let filtered = base.replace("became_mql_at)", "became_mql_at where source = 'web')");
        assert_ne!(normalised_definition(&kpi(&filtered)).1, h1);
        let unit = base.replace("unit = \"count\"", "unit = \"percent\"");
        assert_ne!(normalised_definition(&kpi(&unit)).1, h1);
        // The hash is the SHA-256 of the JSON.
        let (json, hash) = normalised_definition(&kpi(base));
        assert_eq!(
            json,
            r#"{"currency":null,"formula":"count(contacts where became_mql_at)","unit":"count"}"#
        );
        assert_eq!(hash, hex(&Sha256::digest(json.as_bytes())));
    }
}
