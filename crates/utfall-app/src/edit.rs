//! Edits of a KPI's targets, amber bands and owners from a form (the web app's): the file's
//! comments and layout kept (`toml_edit`), `check` run on the edited workspace before anything
//! is written, the file written atomically, and an edit made against a file that changed since
//! the form was opened refused (the stamp: the file's SHA-256 when it was read), so that two
//! editors never overwrite each other unknowingly.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};
use utfall_model::check::check;
use utfall_model::diagnostic::Severity;
use utfall_model::workspace::{SourceFile, Workspace};

use crate::definitions::{check_report, write_atomically};
use crate::error::{AppError, io_error};
use crate::session::load;
use crate::wire::CheckedProblem;

/// One period's target as a form shows and sends it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetEdit {
    /// The period (`FY2026-Q3`, `2026-11`).
    pub period: String,
    /// `reach`, `above` or `below`.
    pub kind: String,
    /// The target, in the KPI's unit.
    pub value: f64,
    /// The amber band (0.1 for 10 %), if any.
    pub amber: Option<f64>,
}

/// A KPI's editable definition, with the stamp an edit must send back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiForm {
    /// The KPI.
    pub kpi: String,
    /// The file it is defined in, relative to the workspace.
    pub file: String,
    /// The file's SHA-256 as read.
    pub stamp: String,
    /// Its owners.
    pub owners: Vec<String>,
    /// Its targets, in the file's order.
    pub targets: Vec<TargetEdit>,
}

/// An edit of a KPI.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiEdit {
    /// The KPI.
    pub kpi: String,
    /// The stamp of the form the edit was made in.
    pub stamp: String,
    /// The owners (all of them).
    pub owners: Vec<String>,
    /// The targets (all of them: a period left out is removed).
    pub targets: Vec<TargetEdit>,
}

/// What an edit did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edited {
    /// Whether the file was written.
    pub written: bool,
    /// Whether the file had changed since the form was opened (nothing written).
    pub conflict: bool,
    /// The file.
    pub file: String,
    /// The changes, one sentence each.
    pub changes: Vec<String>,
    /// What `check` says of the edited workspace (errors it did not have before block the
    /// edit).
    pub diagnostics: Vec<CheckedProblem>,
    /// The file's stamp now.
    pub stamp: String,
}

fn stamp_of(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn file_of(workspace: &Workspace, kpi: &str) -> Result<String, AppError> {
    workspace
        .kpis
        .iter()
        .find(|k| k.def.id.get_ref() == kpi)
        .map(|k| workspace.files[k.file].path.clone())
        .ok_or_else(|| {
            AppError::user(format!("there is no KPI `{kpi}`")).hint("`utfall kpi list` lists them")
        })
}

/// The form of a KPI: its owners and targets as its file says, and the file's stamp.
pub fn kpi_form(dir: &Path, kpi: &str) -> Result<KpiForm, AppError> {
    let workspace = load(dir)?;
    let file = file_of(&workspace, kpi)?;
    let def = &workspace
        .kpi(kpi)
        .map_err(|e| AppError::user(e.to_string()))?;
    let text =
        std::fs::read_to_string(dir.join(&file)).map_err(io_error("read", &dir.join(&file)))?;
    Ok(KpiForm {
        kpi: kpi.to_string(),
        stamp: stamp_of(&text),
        file,
        owners: def.owners.iter().map(|o| o.get_ref().clone()).collect(),
        targets: def
            .target
            .iter()
            .map(|t| TargetEdit {
                period: t.period.get_ref().clone(),
                kind: t.kind.get_ref().clone(),
                value: *t.value.get_ref(),
                amber: t.amber.as_ref().map(|a| *a.get_ref()),
            })
            .collect(),
    })
}

fn number(v: f64) -> toml_edit::Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        value(v as i64).into_value().unwrap_or_else(|_| v.into())
    } else {
        v.into()
    }
}

fn read_number(item: Option<&Item>) -> Option<f64> {
    let item = item?;
    item.as_float()
        .or_else(|| item.as_integer().map(|i| i as f64))
}

/// Applies the edit to the KPI's table; returns the changes in words.
fn apply(table: &mut Table, edit: &KpiEdit) -> Vec<String> {
    let mut changes = Vec::new();
    let before: Vec<String> = table
        .get("owners")
        .and_then(Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if before != edit.owners {
        changes.push(format!(
            "owners: {} → {}",
            if before.is_empty() {
                "none".to_string()
            } else {
                before.join(", ")
            },
            if edit.owners.is_empty() {
                "none".to_string()
            } else {
                edit.owners.join(", ")
            }
        ));
        if edit.owners.is_empty() {
            table.remove("owners");
        } else {
            let array: toml_edit::Array = edit.owners.iter().map(String::as_str).collect();
            table.insert("owners", value(array));
        }
    }
    let mut targets = match table.remove("target") {
        Some(Item::ArrayOfTables(a)) => a,
        _ => ArrayOfTables::new(),
    };
    let wanted: BTreeSet<&str> = edit.targets.iter().map(|t| t.period.as_str()).collect();
    let mut kept = ArrayOfTables::new();
    for old in targets.iter_mut() {
        let period = old
            .get("period")
            .and_then(Item::as_str)
            .unwrap_or_default()
            .to_string();
        let Some(new) = edit.targets.iter().find(|t| t.period == period) else {
            changes.push(format!("{period}: target removed"));
            continue;
        };
        let (value_before, kind_before, amber_before) = (
            read_number(old.get("value")),
            old.get("kind").and_then(Item::as_str).map(str::to_string),
            read_number(old.get("amber")),
        );
        if value_before != Some(new.value) {
            changes.push(format!(
                "{period}: target {} → {}",
                value_before.map_or("none".to_string(), |v| v.to_string()),
                new.value
            ));
            old.insert("value", Item::Value(number(new.value)));
        }
        if kind_before.as_deref() != Some(new.kind.as_str()) {
            changes.push(format!(
                "{period}: kind {} → {}",
                kind_before.unwrap_or_default(),
                new.kind
            ));
            old.insert("kind", value(new.kind.as_str()));
        }
        if amber_before != new.amber {
            changes.push(format!(
                "{period}: amber {} → {}",
                amber_before.map_or("none".to_string(), |v| v.to_string()),
                new.amber.map_or("none".to_string(), |v| v.to_string())
            ));
            match new.amber {
                Some(a) => {
                    old.insert("amber", Item::Value(number(a)));
                }
                None => {
                    old.remove("amber");
                }
            }
        }
        kept.push(old.clone());
    }
    let present: BTreeSet<String> = kept
        .iter()
        .filter_map(|t| t.get("period").and_then(Item::as_str).map(str::to_string))
        .collect();
    for new in edit.targets.iter().filter(|t| !present.contains(&t.period)) {
        let mut target = Table::new();
        target.insert("period", value(new.period.as_str()));
        target.insert("kind", value(new.kind.as_str()));
        target.insert("value", Item::Value(number(new.value)));
        if let Some(a) = new.amber {
            target.insert("amber", Item::Value(number(a)));
        }
        changes.push(format!("{}: target {} added", new.period, new.value));
        kept.push(target);
    }
    debug_assert!(wanted.len() <= edit.targets.len());
    if !kept.is_empty() {
        table.insert("target", Item::ArrayOfTables(kept));
    }
    changes
}

fn errors(workspace: &Workspace) -> BTreeSet<(String, String)> {
    check(workspace)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.code.to_string(), d.message))
        .collect()
}

/// Edits a KPI's owners and targets: refused when its file changed since `edit.stamp` was read
/// (`conflict`), or when `check` finds errors in the edited workspace that it did not find
/// before (nothing written; the diagnostics say why). Otherwise the file is written atomically.
pub fn edit_kpi(dir: &Path, edit: &KpiEdit) -> Result<Edited, AppError> {
    let _guard = crate::definitions::edit_lock();
    let workspace = load(dir)?;
    let file = file_of(&workspace, &edit.kpi)?;
    let path = dir.join(&file);
    let text = std::fs::read_to_string(&path).map_err(io_error("read", &path))?;
    let stamp = stamp_of(&text);
    let mut outcome = Edited {
        written: false,
        conflict: stamp != edit.stamp,
        file: file.clone(),
        changes: Vec::new(),
        diagnostics: Vec::new(),
        stamp: stamp.clone(),
    };
    if outcome.conflict {
        return Ok(outcome);
    }
    let mut document: DocumentMut = text
        .parse()
        .map_err(|e| AppError::user(format!("`{file}` is not valid TOML: {e}")))?;
    let Some(kpis) = document
        .get_mut("kpi")
        .and_then(Item::as_array_of_tables_mut)
    else {
        return Err(AppError::internal(format!("`{file}` has no [[kpi]]")));
    };
    let Some(table) = kpis
        .iter_mut()
        .find(|t| t.get("id").and_then(Item::as_str) == Some(edit.kpi.as_str()))
    else {
        return Err(AppError::internal(format!(
            "`{file}` does not define `{}`",
            edit.kpi
        )));
    };
    outcome.changes = apply(table, edit);
    if outcome.changes.is_empty() {
        return Ok(outcome);
    }
    let edited = document.to_string();
    let files: Vec<SourceFile> = workspace
        .files
        .iter()
        .map(|f| SourceFile {
            path: f.path.clone(),
            text: if f.path == file {
                edited.clone()
            } else {
                f.text.clone()
            },
        })
        .collect();
    let mut candidate = Workspace::from_files(files);
    candidate.root = workspace.root.clone();
    let report = check_report(&dir.display().to_string(), &candidate);
    let before = errors(&workspace);
    let new_errors = errors(&candidate).difference(&before).count();
    outcome.diagnostics = report.diagnostics;
    if new_errors > 0 {
        return Ok(outcome);
    }
    write_atomically(&path, &edited)?;
    outcome.written = true;
    outcome.stamp = stamp_of(&edited);
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# The KPIs.\n\n[[kpi]]\nid = \"leads\" # the count\nname = { en = \"Leads\" }\nformula = \"count(contacts)\"\nunit = \"count\"\nowners = [\"anna\"]\n\n[[kpi.target]]\nperiod = \"2026-10\"\nkind = \"reach\"\nvalue = 100\namber = 0.1\n\n[[kpi.target]]\nperiod = \"2026-11\"\nkind = \"reach\"\nvalue = 110\n";

    fn edit(targets: Vec<TargetEdit>, owners: &[&str]) -> KpiEdit {
        KpiEdit {
            kpi: "leads".into(),
            stamp: String::new(),
            owners: owners.iter().map(|o| o.to_string()).collect(),
            targets,
        }
    }

    fn target(period: &str, value: f64, amber: Option<f64>) -> TargetEdit {
        TargetEdit {
            period: period.into(),
            kind: "reach".into(),
            value,
            amber,
        }
    }

    #[test]
    fn an_edit_keeps_comments_and_changes_only_what_it_says() {
        let mut document: DocumentMut = FILE.parse().unwrap();
        let table = document["kpi"]
            .as_array_of_tables_mut()
            .unwrap()
            .get_mut(0)
            .unwrap();
        let changes = apply(
            table,
            &edit(
                vec![
                    target("2026-10", 120.0, Some(0.1)),
                    target("2026-12", 130.5, None),
                ],
                &["anna", "bo"],
            ),
        );
        assert_eq!(
            changes,
            vec![
                "owners: anna → anna, bo",
                "2026-10: target 100 → 120",
                "2026-11: target removed",
                "2026-12: target 130.5 added",
            ]
        );
        let text = document.to_string();
        assert!(text.starts_with("# The KPIs.\n"), "{text}");
        assert!(text.contains("id = \"leads\" # the count"), "{text}");
        assert!(text.contains("owners = [\"anna\", \"bo\"]"), "{text}");
        assert!(text.contains("value = 120\n"), "{text}");
        assert!(!text.contains("2026-11"), "{text}");
        assert!(
            text.contains("period = \"2026-12\"\nkind = \"reach\"\nvalue = 130.5\n"),
            "{text}"
        );
        // The edited text reads back as the edit says.
        let again: toml::Table = toml::from_str(&text).unwrap();
        let targets = again["kpi"][0]["target"].as_array().unwrap();
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[0]["value"].as_integer(), Some(120));
        assert_eq!(targets[0]["amber"].as_float(), Some(0.1));
        assert_eq!(targets[1]["value"].as_float(), Some(130.5));
    }

    #[test]
    fn the_same_values_change_nothing() {
        let mut document: DocumentMut = FILE.parse().unwrap();
        let table = document["kpi"]
            .as_array_of_tables_mut()
            .unwrap()
            .get_mut(0)
            .unwrap();
        let changes = apply(
            table,
            &edit(
                vec![
                    target("2026-10", 100.0, Some(0.1)),
                    target("2026-11", 110.0, None),
                ],
                &["anna"],
            ),
        );
        assert!(changes.is_empty(), "{changes:?}");
        assert_eq!(document.to_string(), FILE);
    }
}
