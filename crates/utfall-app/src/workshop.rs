//! The KPI workshop (the web app's guided page): `utfall init`'s who → why → what → how for a
//! team on one screen. A [`Draft`] carries what the team has said so far; [`problems`] says what
//! a step still lacks, [`assess`] runs `check` on the workspace with the draft's goal and KPIs
//! added in memory, [`measurement`] says which tables each KPI reads and whether the data fills
//! them, [`write`] appends the goal to `goals.toml` and adds the KPIs from the library, and
//! [`summary`] reads a goal's workshop back from the written definitions.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use utfall_model::check::check;
use utfall_model::diagnostic::Severity;
use utfall_model::library::Library;
use utfall_model::locale::Locale;
use utfall_model::template::quote;
use utfall_model::workspace::{GOALS_FILE, SourceFile, Workspace};

use crate::definitions::{AddKpis, Added, check_report, edit_lock, library_file, write_atomically};
use crate::error::{AppError, io_error};
use crate::session::load;
use crate::wire::CheckedProblem;

/// Audiences the workshop offers (others can be typed).
pub const AUDIENCES: &[&str] = &[
    "management",
    "sales",
    "marketing",
    "finance",
    "product",
    "customer_success",
];

/// The check codes that say whether a KPI or goal can be measured and followed up.
pub const MEASURABILITY_CODES: &[&str] = &[
    "not-measurable",
    "no-target",
    "no-owner",
    "no-goal",
    "unmeasured-goal",
];

/// The comment line in `goals.toml` naming a workshop's participants.
const PARTICIPANTS: &str = "# workshop participants: ";
/// The comment line in `goals.toml` naming for whom a workshop's KPIs are.
const AUDIENCES_LINE: &str = "# workshop audiences: ";

/// The steps of the workshop, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Who takes part, and for whom.
    Who,
    /// The shared goal.
    Why,
    /// The KPIs from the library.
    What,
    /// How each KPI is measured.
    How,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 4] = [Step::Who, Step::Why, Step::What, Step::How];

    /// The step's name in forms (`who`, `why`, `what`, `how`).
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Who => "who",
            Step::Why => "why",
            Step::What => "what",
            Step::How => "how",
        }
    }

    /// The step a form names.
    pub fn parse(text: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// What the team has said so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    /// Who takes part (`Anna Berg (marketing)`), one each.
    pub participants: Vec<String>,
    /// For whom the KPIs are (`management`, `sales`…).
    pub audiences: Vec<String>,
    /// The goal's id.
    pub goal_id: String,
    /// Its name in Swedish.
    pub name_sv: String,
    /// Its name in English.
    pub name_en: String,
    /// Its period (`FY2026`).
    pub period: String,
    /// Its owners (people's ids); they own the KPIs too.
    pub owners: Vec<String>,
    /// The departments that share it.
    pub departments: Vec<String>,
    /// The goal it serves, if any.
    pub parent: Option<String>,
    /// The library KPIs that measure it.
    pub kpis: Vec<String>,
}

/// What a step still lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Nobody is named as taking part.
    NoParticipants,
    /// No audience is chosen.
    NoAudience,
    /// The goal has no id.
    NoGoalId,
    /// The goal's id is not an id; with one that would be.
    InvalidGoalId {
        /// The id as given.
        id: String,
        /// An id that would do.
        suggestion: String,
    },
    /// A goal of this id exists.
    GoalExists(String),
    /// The goal has no name in either language.
    NoName,
    /// The goal has no period.
    NoPeriod,
    /// The period is not one (`FY2026`, `2026-Q3`, `2026-11`).
    InvalidPeriod(String),
    /// Nobody owns the goal.
    NoOwner,
    /// An owner is not one of the workspace's people.
    UnknownPerson(String),
    /// The goal served is not one of `goals.toml`.
    UnknownGoal(String),
    /// No KPI is chosen.
    NoKpi,
    /// A KPI is not in the library.
    UnknownKpi(String),
    /// A KPI is in the workspace already.
    KpiPresent(String),
}

impl Problem {
    /// The step the problem belongs to.
    pub fn step(&self) -> Step {
        match self {
            Problem::NoParticipants | Problem::NoAudience => Step::Who,
            Problem::NoKpi | Problem::UnknownKpi(_) | Problem::KpiPresent(_) => Step::What,
            _ => Step::Why,
        }
    }
}

/// A valid id: lower-case letters, digits and `_`, starting with a letter.
pub fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// An id made of `text`: lower case, `_` for everything else (`Grow revenue!` → `grow_revenue`).
pub fn suggest_id(text: &str) -> String {
    let mut id = String::new();
    for c in text.trim().chars() {
        let c = match c {
            'å' | 'ä' | 'Å' | 'Ä' => 'a',
            'ö' | 'Ö' => 'o',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            id.push(c);
        } else if !id.ends_with('_') {
            id.push('_');
        }
    }
    let id = id.trim_matches('_').to_string();
    match id.chars().next() {
        Some(c) if c.is_ascii_lowercase() => id,
        Some(_) => format!("goal_{id}"),
        None => "new_goal".to_string(),
    }
}

fn people(workspace: &Workspace) -> Option<BTreeSet<&str>> {
    let config = workspace.config.as_ref()?;
    if config.def.people.is_empty() {
        return None;
    }
    Some(
        config
            .def
            .people
            .iter()
            .map(|p| p.id.get_ref().as_str())
            .collect(),
    )
}

fn why_problems(workspace: &Workspace, draft: &Draft, out: &mut Vec<Problem>) {
    let id = draft.goal_id.trim();
    if id.is_empty() {
        out.push(Problem::NoGoalId);
    } else if !valid_id(id) {
        out.push(Problem::InvalidGoalId {
            id: id.to_string(),
            suggestion: suggest_id(id),
        });
    } else if workspace.goals.iter().any(|g| g.def.id.get_ref() == id) {
        out.push(Problem::GoalExists(id.to_string()));
    }
    if draft.name_sv.trim().is_empty() && draft.name_en.trim().is_empty() {
        out.push(Problem::NoName);
    }
    let period = draft.period.trim();
    if period.is_empty() {
        out.push(Problem::NoPeriod);
    } else if period.parse::<utfall_model::period::Period>().is_err() {
        out.push(Problem::InvalidPeriod(period.to_string()));
    }
    if draft.owners.is_empty() {
        out.push(Problem::NoOwner);
    }
    if let Some(known) = people(workspace) {
        for owner in &draft.owners {
            if !known.contains(owner.as_str()) {
                out.push(Problem::UnknownPerson(owner.clone()));
            }
        }
    }
    if let Some(parent) = &draft.parent
        && !workspace.goals.iter().any(|g| g.def.id.get_ref() == parent)
    {
        out.push(Problem::UnknownGoal(parent.clone()));
    }
}

/// What the steps before `before` still lack (every step's when `before` is `None`).
pub fn problems(workspace: &Workspace, draft: &Draft, before: Option<Step>) -> Vec<Problem> {
    let wanted = |step: Step| before.is_none_or(|b| step < b);
    let mut out = Vec::new();
    if wanted(Step::Who) {
        if draft.participants.is_empty() {
            out.push(Problem::NoParticipants);
        }
        if draft.audiences.is_empty() {
            out.push(Problem::NoAudience);
        }
    }
    if wanted(Step::Why) {
        why_problems(workspace, draft, &mut out);
    }
    if wanted(Step::What) {
        if draft.kpis.is_empty() {
            out.push(Problem::NoKpi);
        }
        let library = Library::get();
        for kpi in &draft.kpis {
            if library.entry(kpi).is_none() {
                out.push(Problem::UnknownKpi(kpi.clone()));
            } else if workspace.kpi(kpi).is_ok() {
                out.push(Problem::KpiPresent(kpi.clone()));
            }
        }
    }
    out
}

/// One line of a comment: no line breaks, no `;` (the separator).
fn comment_safe(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace(';', ",")
}

/// The goal's block as it is appended to `goals.toml`, the workshop's participants and
/// audiences in comment lines above it.
pub fn goal_text(draft: &Draft) -> String {
    let list = |items: &[String]| {
        let quoted: Vec<String> = items.iter().map(|i| quote(i.trim())).collect();
        format!("[{}]", quoted.join(", "))
    };
    let names: Vec<String> = [("sv", &draft.name_sv), ("en", &draft.name_en)]
        .into_iter()
        .filter(|(_, n)| !n.trim().is_empty())
        .map(|(lang, n)| format!("{lang} = {}", quote(n.trim())))
        .collect();
    let joined = |items: &[String]| {
        items
            .iter()
            .map(|i| comment_safe(i.trim()))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut text = format!(
        "\n{PARTICIPANTS}{}\n{AUDIENCES_LINE}{}\n[[goal]]\nid = {}\nname = {{ {} }}\nperiod = {}\nowners = {}\n",
        joined(&draft.participants),
        joined(&draft.audiences),
        quote(draft.goal_id.trim()),
        names.join(", "),
        quote(draft.period.trim()),
        list(&draft.owners),
    );
    if !draft.departments.is_empty() {
        text.push_str(&format!("departments = {}\n", list(&draft.departments)));
    }
    if let Some(parent) = &draft.parent {
        text.push_str(&format!("parent = {}\n", quote(parent)));
    }
    text
}

/// The KPIs' text as `add_kpis` appends it to `kpis/library.toml`: each requested entry with
/// the goal and owners, and the library KPIs they are computed from.
fn kpis_text(workspace: &Workspace, draft: &Draft) -> String {
    let library = Library::get();
    let requested: Vec<&str> = draft.kpis.iter().map(String::as_str).collect();
    let mut text = String::new();
    for entry in library.with_dependencies(&requested) {
        if workspace.kpi(entry.id()).is_ok() {
            continue;
        }
        text.push('\n');
        text.push_str(&entry.text);
        text.push('\n');
        if requested.contains(&entry.id()) {
            text.push_str(&format!("goal = {}\n", quote(draft.goal_id.trim())));
            if !draft.owners.is_empty() {
                let owners: Vec<String> = draft.owners.iter().map(|o| quote(o)).collect();
                text.push_str(&format!("owners = [{}]\n", owners.join(", ")));
            }
        }
    }
    text
}

/// The workspace with the draft's goal (and its KPIs, once chosen) added, in memory.
pub fn with_draft(workspace: &Workspace, draft: &Draft) -> Workspace {
    let mut files: Vec<SourceFile> = workspace.files.clone();
    let mut add = |path: &str, header: &str, text: String| {
        match files.iter_mut().find(|f| f.path == path) {
            Some(file) => {
                if !file.text.ends_with('\n') {
                    file.text.push('\n');
                }
                file.text.push_str(&text);
            }
            None => files.push(SourceFile {
                path: path.to_string(),
                text: format!("{header}{text}"),
            }),
        };
    };
    add(GOALS_FILE, "", goal_text(draft));
    if !draft.kpis.is_empty() {
        let (relative, _) = library_file(Path::new(""));
        add(&relative, "", kpis_text(workspace, draft));
    }
    let mut candidate = Workspace::from_files(files);
    candidate.root = workspace.root.clone();
    candidate
}

/// What `check` says of the draft.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// The diagnostics the draft brings (those the workspace does not have already).
    pub diagnostics: Vec<CheckedProblem>,
    /// How many of them are errors (a draft with errors is not written).
    pub new_errors: usize,
}

/// Runs `check` on the workspace with the draft added; keeps what the draft brings.
pub fn assess(workspace: &Workspace, draft: &Draft) -> Assessment {
    let mut before: BTreeMap<(String, String), usize> = BTreeMap::new();
    for d in check(workspace) {
        *before.entry((d.code.to_string(), d.message)).or_default() += 1;
    }
    let candidate = with_draft(workspace, draft);
    let report = check_report("", &candidate);
    let mut diagnostics = Vec::new();
    for d in report.diagnostics {
        let key = (d.code.clone(), d.message.clone());
        match before.get_mut(&key) {
            Some(n) if *n > 0 => *n -= 1,
            _ => diagnostics.push(d),
        }
    }
    let new_errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error.as_str())
        .count();
    Assessment {
        diagnostics,
        new_errors,
    }
}

/// A table a KPI reads, and what fills it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFill {
    /// The canonical (or custom) table.
    pub table: String,
    /// Its rows in the data folder now.
    pub rows: u64,
    /// The sources of `sources.toml` that fill it.
    pub sources: Vec<String>,
    /// The import presets that would fill it.
    pub presets: Vec<String>,
}

/// How one KPI is measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    /// The KPI.
    pub kpi: String,
    /// The tables its formula reads (through the KPIs it is computed from, too).
    pub tables: Vec<TableFill>,
    /// Whether every table it reads has rows.
    pub measurable: bool,
}

/// The formula of a KPI: the workspace's definition, else the library's.
fn formula_of<'a>(workspace: &'a Workspace, id: &str) -> Option<&'a str> {
    match workspace.kpi(id) {
        Ok(def) => def.formula.as_ref().map(|f| f.get_ref().as_str()),
        Err(_) => Library::get()
            .entry(id)
            .and_then(|e| e.def.formula.as_ref())
            .map(|f| f.get_ref().as_str()),
    }
}

/// The tables a KPI reads, through the KPIs its formula names.
pub fn tables_read(workspace: &Workspace, kpi: &str) -> BTreeSet<String> {
    let mut tables = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut todo = vec![kpi.to_string()];
    while let Some(id) = todo.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some(expr) =
            formula_of(workspace, &id).and_then(|f| utfall_model::formula::parse(f).ok())
        else {
            continue;
        };
        tables.extend(expr.tables().into_iter().map(|t| t.name.clone()));
        todo.extend(expr.kpi_refs().into_iter().map(|k| k.name.clone()));
    }
    tables
}

/// Whether the text after a preset's `→` names `table` as a word.
fn names_table(description: &str, table: &str) -> bool {
    let Some((_, filled)) = description.split_once('→') else {
        return false;
    };
    filled
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|word| word == table)
}

/// The presets (by name) that fill `table`.
pub fn presets_filling(table: &str) -> Vec<String> {
    crate::import::presets()
        .into_iter()
        .filter(|(_, description)| names_table(description, table))
        .map(|(name, _)| name.to_string())
        .collect()
}

/// How each KPI is measured, given the rows each table has (the data overview's).
pub fn measurement(
    workspace: &Workspace,
    kpis: &[String],
    rows: &BTreeMap<String, u64>,
) -> Vec<Measured> {
    let presets = crate::import::presets();
    kpis.iter()
        .map(|kpi| {
            let tables: Vec<TableFill> = tables_read(workspace, kpi)
                .into_iter()
                .map(|table| {
                    let sources = workspace
                        .sources
                        .iter()
                        .filter(|s| {
                            let preset = s.def.preset.get_ref();
                            if preset == "generic" {
                                s.def.table.as_ref().is_some_and(|t| *t.get_ref() == table)
                            } else {
                                presets.iter().any(|(name, description)| {
                                    name == preset && names_table(description, &table)
                                })
                            }
                        })
                        .map(|s| s.def.name.get_ref().clone())
                        .collect();
                    TableFill {
                        rows: rows.get(&table).copied().unwrap_or(0),
                        sources,
                        presets: presets_filling(&table),
                        table,
                    }
                })
                .collect();
            Measured {
                kpi: kpi.clone(),
                measurable: !tables.is_empty() && tables.iter().all(|t| t.rows > 0),
                tables,
            }
        })
        .collect()
}

/// What [`write`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// Whether the definitions were written.
    pub written: bool,
    /// What the draft still lacks (nothing written).
    pub problems: Vec<Problem>,
    /// What `check` says of the draft (errors among them: nothing written).
    pub assessment: Assessment,
    /// What `add_kpis` did, once written.
    pub added: Option<Added>,
}

/// Writes the workshop's result: the goal appended to `goals.toml` (atomically, under the edit
/// lock) and the KPIs added from the library with the goal and owners set — when the draft
/// lacks nothing and `check` finds no errors it brings.
pub fn write(dir: &Path, draft: &Draft) -> Result<Written, AppError> {
    let guard = edit_lock();
    let workspace = load(dir)?;
    let problems = problems(&workspace, draft, None);
    let assessment = assess(&workspace, draft);
    if !problems.is_empty() || assessment.new_errors > 0 {
        return Ok(Written {
            written: false,
            problems,
            assessment,
            added: None,
        });
    }
    let path = dir.join(GOALS_FILE);
    let mut text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "# Why: the business plan's goals that marketing and sales serve.\n".to_string()
        }
        Err(e) => return Err(io_error("read", &path)(e)),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&goal_text(draft));
    write_atomically(&path, &text)?;
    // `add_kpis` appends under the same lock.
    drop(guard);
    let request = AddKpis {
        ids: draft.kpis.clone(),
        goal: Some(draft.goal_id.trim().to_string()),
        owners: draft.owners.clone(),
    };
    let added = crate::definitions::add_kpis(dir, &request)?;
    Ok(Written {
        written: true,
        problems,
        assessment,
        added: Some(added),
    })
}

/// A KPI of a goal, as the summary shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryKpi {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it means.
    pub description: String,
    /// Its formula (empty when its children determine it).
    pub formula: String,
    /// Its owners.
    pub owners: Vec<String>,
}

/// A goal's workshop, read from the written definitions.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The goal's id.
    pub goal_id: String,
    /// Its name.
    pub name: String,
    /// Its period.
    pub period: String,
    /// Its owners.
    pub owners: Vec<String>,
    /// Its departments.
    pub departments: Vec<String>,
    /// The goal it serves.
    pub parent: Option<String>,
    /// Who took part (from the comment `write` put above the goal).
    pub participants: Vec<String>,
    /// For whom the KPIs are.
    pub audiences: Vec<String>,
    /// The KPIs that serve the goal, in the files' order.
    pub kpis: Vec<SummaryKpi>,
    /// What `check` still says of the goal and its KPIs: the open questions.
    pub open: Vec<CheckedProblem>,
}

/// The participants and audiences in the comment above goal `id` of `goals.toml`'s text.
pub fn workshop_notes(text: &str, id: &str) -> (Vec<String>, Vec<String>) {
    let Ok(document) = text.parse::<toml_edit::DocumentMut>() else {
        return (Vec::new(), Vec::new());
    };
    let Some(goals) = document.get("goal").and_then(|g| g.as_array_of_tables()) else {
        return (Vec::new(), Vec::new());
    };
    let Some(goal) = goals
        .iter()
        .find(|g| g.get("id").and_then(|v| v.as_str()) == Some(id))
    else {
        return (Vec::new(), Vec::new());
    };
    let prefix = goal.decor().prefix().and_then(|p| p.as_str()).unwrap_or("");
    let list = |marker: &str| -> Vec<String> {
        prefix
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix(marker))
            .flat_map(|rest| rest.split(';'))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    (list(PARTICIPANTS), list(AUDIENCES_LINE))
}

/// The summary of goal `goal_id`'s workshop in `workspace` (read from `dir`).
pub fn summary(workspace: &Workspace, goal_id: &str, locale: Locale) -> Result<Summary, AppError> {
    let goal = workspace
        .goals
        .iter()
        .find(|g| g.def.id.get_ref() == goal_id)
        .ok_or_else(|| {
            AppError::user(format!("there is no goal `{goal_id}`"))
                .hint("the goals page lists them")
        })?;
    let text = workspace
        .files
        .get(goal.file)
        .map_or("", |f| f.text.as_str());
    let (participants, audiences) = workshop_notes(text, goal_id);
    let kpis: Vec<SummaryKpi> = workspace
        .kpis
        .iter()
        .filter(|k| k.def.goal.as_ref().is_some_and(|g| g.get_ref() == goal_id))
        .map(|k| SummaryKpi {
            id: k.def.id.get_ref().clone(),
            name: k.def.name.get_ref().get(locale).to_string(),
            description: k
                .def
                .description
                .as_ref()
                .map_or(String::new(), |d| d.get(locale).to_string()),
            formula: k
                .def
                .formula
                .as_ref()
                .map_or(String::new(), |f| f.get_ref().clone()),
            owners: k.def.owners.iter().map(|o| o.get_ref().clone()).collect(),
        })
        .collect();
    let mentioned: Vec<String> = std::iter::once(goal_id.to_string())
        .chain(kpis.iter().map(|k| k.id.clone()))
        .map(|id| format!("`{id}`"))
        .collect();
    let open = check_report("", workspace)
        .diagnostics
        .into_iter()
        .filter(|d| mentioned.iter().any(|m| d.message.contains(m.as_str())))
        .collect();
    let def = &goal.def;
    Ok(Summary {
        goal_id: goal_id.to_string(),
        name: def.name.get_ref().get(locale).to_string(),
        period: def
            .period
            .as_ref()
            .map_or(String::new(), |p| p.get_ref().clone()),
        owners: def.owners.iter().map(|o| o.get_ref().clone()).collect(),
        departments: def
            .departments
            .iter()
            .map(|d| d.get_ref().clone())
            .collect(),
        parent: def.parent.as_ref().map(|p| p.get_ref().clone()),
        participants,
        audiences,
        kpis,
        open,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            participants: vec!["Anna Berg (marketing)".into(), "Bo; Ek (sales)".into()],
            audiences: vec!["management".into(), "sales".into()],
            goal_id: "grow_pipeline".into(),
            name_sv: "Väx pipen".into(),
            name_en: "Grow the \"pipeline\"".into(),
            period: "FY2026".into(),
            owners: vec!["anna".into()],
            departments: vec!["marketing".into(), "sales".into()],
            parent: None,
            kpis: vec!["leads".into()],
        }
    }

    #[test]
    fn the_goal_text_reads_back_with_its_notes() {
        let text = format!(
            "# Goals.\n\n[[goal]]\nid = \"old\"\nname = {{ en = \"Old\" }}\n{}",
            goal_text(&draft())
        );
        let table: toml::Table = toml::from_str(&text).unwrap();
        let goal = &table["goal"].as_array().unwrap()[1];
        assert_eq!(goal["id"].as_str(), Some("grow_pipeline"));
        assert_eq!(goal["name"]["en"].as_str(), Some("Grow the \"pipeline\""));
        assert_eq!(goal["name"]["sv"].as_str(), Some("Väx pipen"));
        assert_eq!(goal["period"].as_str(), Some("FY2026"));
        assert_eq!(goal["owners"].as_array().unwrap().len(), 1);
        let (participants, audiences) = workshop_notes(&text, "grow_pipeline");
        assert_eq!(
            participants,
            vec!["Anna Berg (marketing)", "Bo, Ek (sales)"]
        );
        assert_eq!(audiences, vec!["management", "sales"]);
        assert_eq!(workshop_notes(&text, "old"), (Vec::new(), Vec::new()));
    }

    #[test]
    fn ids_are_checked_and_suggested() {
        assert!(valid_id("grow_revenue_2026"));
        assert!(!valid_id("grow revenue"));
        assert!(!valid_id("2026_growth"));
        assert!(!valid_id(""));
        assert_eq!(suggest_id("Grow revenue!"), "grow_revenue");
        assert_eq!(suggest_id("Öka försäljningen"), "oka_forsaljningen");
        assert_eq!(suggest_id("2026"), "goal_2026");
    }

    #[test]
    fn problems_are_those_of_the_steps_asked() {
        let workspace = Workspace::from_files(Vec::new());
        let empty = Draft::default();
        assert_eq!(problems(&workspace, &empty, Some(Step::Who)), Vec::new());
        assert_eq!(
            problems(&workspace, &empty, Some(Step::Why)),
            vec![Problem::NoParticipants, Problem::NoAudience]
        );
        let mut bad = draft();
        bad.goal_id = "grow pipeline".into();
        bad.period = "someday".into();
        bad.kpis = vec!["no_such_kpi".into()];
        assert_eq!(
            problems(&workspace, &bad, None),
            vec![
                Problem::InvalidGoalId {
                    id: "grow pipeline".into(),
                    suggestion: "grow_pipeline".into()
                },
                Problem::InvalidPeriod("someday".into()),
                Problem::UnknownKpi("no_such_kpi".into()),
            ]
        );
        assert!(problems(&workspace, &draft(), None).is_empty());
    }

    #[test]
    fn tables_are_read_through_the_kpis_a_formula_names() {
        let workspace = Workspace::from_files(Vec::new());
        // `cost_per_lead` = marketing_spend / leads.
        let tables: Vec<String> = tables_read(&workspace, "cost_per_lead")
            .into_iter()
            .collect();
        assert_eq!(tables, vec!["contacts", "spend"]);
        assert!(presets_filling("spend").contains(&"google-ads".to_string()));
        assert!(presets_filling("contacts").contains(&"hubspot-contacts".to_string()));
        assert!(!presets_filling("contacts").contains(&"generic".to_string()));
        let rows = BTreeMap::from([("spend".to_string(), 10_u64)]);
        let measured = measurement(&workspace, &["cost_per_lead".to_string()], &rows);
        assert!(!measured[0].measurable);
        assert_eq!(measured[0].tables[0].rows, 0);
        assert_eq!(measured[0].tables[1].rows, 10);
    }
}
