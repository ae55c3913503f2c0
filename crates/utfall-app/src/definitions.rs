//! Edits of the definition files: written whole and atomically (a temporary file in the same
//! folder, synced, then renamed), one edit at a time per process, so that concurrent requests
//! never interleave or leave half a file.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use utfall_model::catalog::did_you_mean;
use utfall_model::check::{check, has_errors};
use utfall_model::library::Library;
use utfall_model::template::quote;
use utfall_model::workspace::KPI_DIR;

use crate::error::{AppError, io_error};
use crate::session::load;

/// Serialises the read-modify-write of definition files within the process.
static EDITS: Mutex<()> = Mutex::new(());

/// Holds the edit lock (one read-modify-write of definition files at a time in the process).
pub(crate) fn edit_lock() -> std::sync::MutexGuard<'static, ()> {
    EDITS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Writes a file atomically: a temporary file in the same folder, synced, then a rename.
pub fn write_atomically(path: &Path, contents: &str) -> Result<(), AppError> {
    write_bytes_atomically(path, contents.as_bytes())
}

/// Writes bytes atomically, as [`write_atomically`] does text.
pub fn write_bytes_atomically(path: &Path, contents: &[u8]) -> Result<(), AppError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_error("create", dir))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // One temporary name per write, so that writes of one file from two threads never share one.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temporary = dir.join(format!(".{file_name}.tmp-{}-{n}", std::process::id()));
    let mut file = std::fs::File::create(&temporary).map_err(io_error("write", &temporary))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(io_error("write", &temporary))?;
    drop(file);
    std::fs::rename(&temporary, path).map_err(io_error("write", path))?;
    Ok(())
}

/// Appends `text` to a definition file (creating it with `header`), under the edit lock.
pub fn append(path: &Path, header: &str, text: &str) -> Result<(), AppError> {
    let _guard = EDITS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut contents = match std::fs::read_to_string(path) {
        Ok(existing) => existing,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => header.to_string(),
        Err(error) => return Err(io_error("read", path)(error)),
    };
    if !contents.ends_with('\n') {
        contents.push('\n');
    }
    contents.push_str(text);
    write_atomically(path, &contents)
}

/// Library KPIs to add to a workspace.
#[derive(Debug, Clone, Default)]
pub struct AddKpis {
    /// Library ids.
    pub ids: Vec<String>,
    /// The goal the requested KPIs serve.
    pub goal: Option<String>,
    /// Their owners.
    pub owners: Vec<String>,
}

/// What `kpi add` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// The KPIs added (the requested ones and the library KPIs they need), in order.
    pub added: Vec<String>,
    /// Requested KPIs the workspace already had (left as they are).
    pub already_present: Vec<String>,
    /// The file written, relative to the workspace.
    pub file: String,
    /// Whether `utfall check` now finds errors.
    pub now_has_errors: bool,
}

/// The file `kpi add` writes to.
pub fn library_file(dir: &Path) -> (String, PathBuf) {
    let relative = format!("{KPI_DIR}/library.toml");
    let path = dir.join(&relative);
    (relative, path)
}

/// Adds library KPIs (and the library KPIs they are computed from) to the workspace in `dir`.
pub fn add_kpis(dir: &Path, request: &AddKpis) -> Result<Added, AppError> {
    let workspace = load(dir)?;
    let library = Library::get();
    for id in &request.ids {
        if library.entry(id).is_none() {
            let error = AppError::user(format!("`{id}` is not in the KPI library"));
            return Err(
                match did_you_mean(id, library.entries.iter().map(|e| e.id())) {
                    Some(suggestion) => error.hint(format!("did you mean `{suggestion}`?")),
                    None => error.hint("`utfall kpi library` lists the entries"),
                },
            );
        }
    }
    let present: Vec<&str> = workspace
        .kpis
        .iter()
        .map(|k| k.def.id.get_ref().as_str())
        .collect();
    let requested: Vec<&str> = request.ids.iter().map(String::as_str).collect();
    let mut text = String::new();
    let mut added = Vec::new();
    let mut already_present = Vec::new();
    for entry in library.with_dependencies(&requested) {
        if present.contains(&entry.id()) {
            if requested.contains(&entry.id()) {
                already_present.push(entry.id().to_string());
            }
            continue;
        }
        text.push('\n');
        text.push_str(&entry.text);
        text.push('\n');
        if requested.contains(&entry.id()) {
            if let Some(goal) = &request.goal {
                text.push_str(&format!("goal = {}\n", quote(goal)));
            }
            if !request.owners.is_empty() {
                let owners: Vec<String> = request.owners.iter().map(|o| quote(o)).collect();
                text.push_str(&format!("owners = [{}]\n", owners.join(", ")));
            }
        }
        added.push(entry.id().to_string());
    }
    let (relative, path) = library_file(dir);
    if added.is_empty() {
        return Ok(Added {
            added,
            already_present,
            file: relative,
            now_has_errors: false,
        });
    }
    append(
        &path,
        "# KPIs added from the library with `utfall kpi add`.\n",
        &text,
    )?;
    let now_has_errors = has_errors(&check(&load(dir)?));
    Ok(Added {
        added,
        already_present,
        file: relative,
        now_has_errors,
    })
}

/// What `utfall check` finds in a workspace (the workspace folder named as given).
pub fn check_report(
    shown_as: &str,
    workspace: &utfall_model::workspace::Workspace,
) -> crate::wire::CheckReport {
    use utfall_model::diagnostic::{Severity, line_col};
    let diagnostics = check(workspace);
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let problems = diagnostics
        .iter()
        .map(|d| {
            let file = d.file.map(|f| &workspace.files[f]);
            let at = |offset: fn(&std::ops::Range<usize>) -> usize| {
                file.zip(d.span.as_ref())
                    .map(|(f, s)| line_col(&f.text, offset(s)))
            };
            let (start, end) = (at(|s| s.start), at(|s| s.end));
            crate::wire::CheckedProblem {
                severity: d.severity.as_str(),
                code: d.code.to_string(),
                message: d.message.clone(),
                file: file.map(|f| f.path.clone()),
                line: start.map(|p| p.0),
                column: start.map(|p| p.1),
                end_line: end.map(|p| p.0),
                end_column: end.map(|p| p.1),
                label: d.label.clone(),
                hint: d.hint.clone(),
            }
        })
        .collect();
    crate::wire::CheckReport {
        workspace: shown_as.to_string(),
        files: workspace.files.len(),
        goals: workspace.goals.len(),
        kpis: workspace.kpis.len(),
        errors,
        warnings: diagnostics.len() - errors,
        diagnostics: problems,
    }
}

/// The KPI library's entries (those with `tag`, when given).
pub fn library_entries(
    locale: utfall_model::locale::Locale,
    tag: Option<&str>,
) -> Vec<crate::wire::LibraryEntry> {
    Library::get()
        .entries
        .iter()
        .filter(|e| tag.is_none_or(|tag| e.def.tags.iter().any(|t| t == tag)))
        .map(|e| {
            let formula = e
                .def
                .formula
                .as_ref()
                .map_or(String::new(), |f| f.get_ref().clone());
            let description = e.def.description.clone().unwrap_or_default();
            let name = e.def.name.get_ref();
            crate::wire::LibraryEntry {
                id: e.id().to_string(),
                name: name.get(locale).to_string(),
                description: description.get(locale).to_string(),
                names: crate::wire::BothLanguages {
                    sv: name.sv.clone(),
                    en: name.en.clone(),
                },
                descriptions: crate::wire::BothLanguages {
                    sv: description.sv.clone(),
                    en: description.en.clone(),
                },
                kind: utfall_model::formula::parse(&formula)
                    .map_or("invalid", |expr| expr.kind().as_str()),
                formula,
                unit: e.def.unit.get_ref().clone(),
                direction: e.def.direction.get_ref().clone(),
                tags: e.def.tags.clone(),
            }
        })
        .collect()
}

/// The goals with their KPI trees (depth-first, each KPI once), then the KPIs under no goal.
pub fn kpi_tree(
    workspace: &utfall_model::workspace::Workspace,
    locale: utfall_model::locale::Locale,
) -> crate::wire::KpiTreeReport {
    use crate::wire::{TreeGoal, TreeKpi};
    use utfall_model::workspace::KpiDef;
    let tree = utfall_model::tree::KpiTree::new(workspace);
    let mut seen: Vec<String> = Vec::new();
    fn walk(
        tree: &utfall_model::tree::KpiTree<'_>,
        def: &KpiDef,
        depth: usize,
        locale: utfall_model::locale::Locale,
        rows: &mut Vec<TreeKpi>,
        seen: &mut Vec<String>,
    ) {
        let id = def.id.get_ref();
        if seen.contains(id) {
            return;
        }
        seen.push(id.clone());
        let mut label = def.name.get_ref().get(locale).to_string();
        if let Some(relation) = &def.relation {
            label.push_str(&format!("  [{}]", relation.get_ref()));
        }
        if let Some(role) = &def.role {
            label.push_str(&format!("  ({})", role.get_ref()));
        }
        rows.push(TreeKpi {
            id: id.clone(),
            depth,
            label,
        });
        for child in tree.children(id) {
            walk(tree, child, depth + 1, locale, rows, seen);
        }
    }
    let mut goals = Vec::new();
    for goal in &workspace.goals {
        let id = goal.def.id.get_ref();
        let mut kpis = Vec::new();
        for kpi in &workspace.kpis {
            if kpi.def.goal.as_ref().is_some_and(|g| g.get_ref() == id) && kpi.def.parent.is_none()
            {
                walk(&tree, &kpi.def, 1, locale, &mut kpis, &mut seen);
            }
        }
        goals.push(TreeGoal {
            id: id.clone(),
            name: goal.def.name.get_ref().get(locale).to_string(),
            period: goal
                .def
                .period
                .as_ref()
                .map_or(String::new(), |p| p.get_ref().clone()),
            kpis,
        });
    }
    let mut rest = Vec::new();
    for kpi in &workspace.kpis {
        if kpi.def.parent.is_none() {
            walk(&tree, &kpi.def, 1, locale, &mut rest, &mut seen);
        }
    }
    crate::wire::KpiTreeReport { goals, rest }
}

/// What `utfall init` created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// Goals written.
    pub goals: usize,
    /// KPIs written.
    pub kpis: usize,
    /// Sources written.
    pub sources: usize,
    /// Activities written.
    pub activities: usize,
    /// Whether `utfall check` finds errors in the new workspace.
    pub has_errors: bool,
}

/// Writes a workspace plan's definition files into `dir` (each atomically), with empty `data`
/// and `exports` folders; refused when `dir` already holds a workspace unless `force`.
pub fn create_workspace(
    dir: &Path,
    plan: &utfall_model::template::Plan,
    force: bool,
) -> Result<Created, AppError> {
    if dir.join("utfall.toml").exists() && !force {
        return Err(AppError::user(format!(
            "`{}` already holds a Utfall workspace",
            dir.display()
        ))
        .hint("use `--force` to overwrite its definition files, or choose another folder"));
    }
    let failed = |error: AppError| {
        AppError::internal(format!(
            "failed to create the workspace in `{}`",
            dir.display()
        ))
        .caused_by(error)
    };
    for (relative, text) in plan.render() {
        write_atomically(&dir.join(relative), &text).map_err(failed)?;
    }
    for folder in ["data", "exports"] {
        let path = dir.join(folder);
        std::fs::create_dir_all(&path).map_err(|e| failed(io_error("create", &path)(e)))?;
    }
    let workspace = load(dir)?;
    Ok(Created {
        goals: workspace.goals.len(),
        kpis: workspace.kpis.len(),
        sources: workspace.sources.len(),
        activities: workspace.activities.len(),
        has_errors: has_errors(&check(&workspace)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_appends_keep_every_line_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kpis").join("x.toml");
        std::thread::scope(|scope| {
            for t in 0..8 {
                let path = &path;
                scope.spawn(move || {
                    for i in 0..25 {
                        append(path, "# header\n", &format!("line {t} {i}\n")).unwrap();
                    }
                });
            }
        });
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // The header once, then 8 × 25 appended lines, none lost or torn.
        assert_eq!(lines[0], "# header");
        assert_eq!(lines.len(), 1 + 8 * 25);
        for t in 0..8 {
            for i in 0..25 {
                assert!(lines.contains(&format!("line {t} {i}").as_str()));
            }
        }
    }
}
