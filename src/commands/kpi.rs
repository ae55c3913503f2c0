use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::json;
use utfall_model::catalog::did_you_mean;
use utfall_model::check::{check, has_errors};
use utfall_model::library::Library;
use utfall_model::locale::Locale;
use utfall_model::template::quote;
use utfall_model::workspace::{KPI_DIR, Workspace};

use crate::cli::{AddArgs, Format, Lang, LibraryArgs, TreeArgs};
use crate::commands::write_atomically;
use crate::output::{UserError, print_json, print_stdout, table, write_csv};

fn formula_kind(formula: &str) -> &'static str {
    utfall_model::formula::parse(formula).map_or("invalid", |expr| expr.kind().as_str())
}

pub fn library(args: LibraryArgs, locale: Locale) -> anyhow::Result<ExitCode> {
    let library = Library::get();
    let entries: Vec<_> = library
        .entries
        .iter()
        .filter(|e| args.tag.as_ref().is_none_or(|tag| e.def.tags.contains(tag)))
        .collect();
    match args.format {
        Format::Json => {
            let items: Vec<serde_json::Value> = entries
                .iter()
                .map(|e| {
                    let formula = e
                        .def
                        .formula
                        .as_ref()
                        .map(|f| f.get_ref().as_str())
                        .unwrap_or("");
                    let description = e.def.description.clone().unwrap_or_default();
                    json!({
                        "id": e.id(),
                        "name": e.def.name.get_ref().get(locale),
                        "description": description.get(locale),
                        "names": { "sv": e.def.name.get_ref().sv, "en": e.def.name.get_ref().en },
                        "descriptions": { "sv": description.sv, "en": description.en },
                        "formula": formula,
                        "kind": formula_kind(formula),
                        "unit": e.def.unit.get_ref(),
                        "direction": e.def.direction.get_ref(),
                        "tags": e.def.tags,
                    })
                })
                .collect();
            print_json(&items)?;
        }
        Format::Csv | Format::Table => {
            let headers = ["id", "name", "unit", "direction", "kind", "formula"];
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    let formula = e
                        .def
                        .formula
                        .as_ref()
                        .map(|f| f.get_ref().as_str())
                        .unwrap_or("");
                    let one_line = formula.split_whitespace().collect::<Vec<_>>().join(" ");
                    vec![
                        e.id().to_string(),
                        e.def.name.get_ref().get(locale).to_string(),
                        e.def.unit.get_ref().clone(),
                        e.def.direction.get_ref().clone(),
                        formula_kind(formula).to_string(),
                        one_line,
                    ]
                })
                .collect();
            if args.format == Format::Csv {
                write_csv(&headers, &rows)?;
            } else {
                let shown: Vec<Vec<String>> = rows
                    .into_iter()
                    .map(|mut row| {
                        if row[5].chars().count() > 60 {
                            row[5] = format!("{}…", row[5].chars().take(59).collect::<String>());
                        }
                        row
                    })
                    .collect();
                print_stdout(&table(&headers, &shown))?;
                eprintln!(
                    "{} KPIs; `--format json` for names, descriptions and whole formulas in sv and en",
                    entries.len()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn add(args: AddArgs) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::load(&args.dir)
        .with_context(|| format!("cannot add KPIs to `{}`", args.dir.display()))?;
    let library = Library::get();
    for id in &args.ids {
        if library.entry(id).is_none() {
            let mut error = UserError::new(format!("`{id}` is not in the KPI library"));
            error = match did_you_mean(id, library.entries.iter().map(|e| e.id())) {
                Some(suggestion) => error.hint(format!("did you mean `{suggestion}`?")),
                None => error.hint("`utfall kpi library` lists the entries"),
            };
            return Err(error.into());
        }
    }
    let present: Vec<&str> = workspace
        .kpis
        .iter()
        .map(|k| k.def.id.get_ref().as_str())
        .collect();
    let requested: Vec<&str> = args.ids.iter().map(String::as_str).collect();
    let mut text = String::new();
    let mut added = Vec::new();
    for entry in library.with_dependencies(&requested) {
        if present.contains(&entry.id()) {
            if requested.contains(&entry.id()) {
                eprintln!(
                    "`{}` is already in the workspace; left as it is",
                    entry.id()
                );
            }
            continue;
        }
        text.push('\n');
        text.push_str(&entry.text);
        text.push('\n');
        if requested.contains(&entry.id()) {
            if let Some(goal) = &args.goal {
                text.push_str(&format!("goal = {}\n", quote(goal)));
            }
            if !args.owner.is_empty() {
                let owners: Vec<String> = args.owner.iter().map(|o| quote(o)).collect();
                text.push_str(&format!("owners = [{}]\n", owners.join(", ")));
            }
        }
        added.push(entry.id());
    }
    if added.is_empty() {
        eprintln!("nothing to add");
        return Ok(ExitCode::SUCCESS);
    }
    let relative = format!("{KPI_DIR}/library.toml");
    let path = args.dir.join(&relative);
    let existing = match std::fs::read_to_string(&path) {
        Ok(existing) => existing,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            "# KPIs added from the library with `utfall kpi add`.\n".to_string()
        }
        Err(error) => {
            return Err(error).with_context(|| format!("failed to read `{}`", path.display()));
        }
    };
    let mut contents = existing;
    if !contents.ends_with('\n') {
        contents.push('\n');
    }
    contents.push_str(&text);
    write_atomically(&path, &contents)?;
    eprintln!(
        "added {} to `{relative}`: {}",
        if added.len() == 1 {
            "1 KPI".to_string()
        } else {
            format!("{} KPIs", added.len())
        },
        added.join(", ")
    );
    let diagnostics = check(&Workspace::load(&args.dir)?);
    if has_errors(&diagnostics) {
        eprintln!(
            "the workspace now has errors; run `utfall check {}`",
            args.dir.display()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn tree(args: TreeArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::load(&args.dir)
        .with_context(|| format!("cannot read `{}`", args.dir.display()))?;
    let locale = super::locale(lang, Some(&workspace));
    let kpis = &workspace.kpis;
    let children = |parent: &str| -> Vec<usize> {
        (0..kpis.len())
            .filter(|&i| {
                kpis[i]
                    .def
                    .parent
                    .as_ref()
                    .is_some_and(|p| p.get_ref() == parent)
            })
            .collect()
    };
    fn walk(
        index: usize,
        depth: usize,
        kpis: &[utfall_model::workspace::Located<utfall_model::workspace::KpiDef>],
        children: &dyn Fn(&str) -> Vec<usize>,
        locale: Locale,
        rows: &mut Vec<(usize, String, String)>,
        seen: &mut Vec<usize>,
    ) {
        if seen.contains(&index) {
            return;
        }
        seen.push(index);
        let def = &kpis[index].def;
        let mut label = def.name.get_ref().get(locale).to_string();
        if let Some(relation) = &def.relation {
            label.push_str(&format!("  [{}]", relation.get_ref()));
        }
        if let Some(role) = &def.role {
            label.push_str(&format!("  ({})", role.get_ref()));
        }
        rows.push((depth, def.id.get_ref().clone(), label));
        for child in children(def.id.get_ref()) {
            walk(child, depth + 1, kpis, children, locale, rows, seen);
        }
    }
    let mut out = String::new();
    let mut json_goals = Vec::new();
    let mut seen = Vec::new();
    for goal in &workspace.goals {
        let id = goal.def.id.get_ref();
        let period = goal
            .def
            .period
            .as_ref()
            .map(|p| p.get_ref().as_str())
            .unwrap_or("");
        out.push_str(&format!(
            "{} — {} {period}\n",
            id,
            goal.def.name.get_ref().get(locale)
        ));
        let mut goal_rows = Vec::new();
        for (index, kpi) in kpis.iter().enumerate() {
            if kpi.def.goal.as_ref().is_some_and(|g| g.get_ref() == id) && kpi.def.parent.is_none()
            {
                walk(index, 1, kpis, &children, locale, &mut goal_rows, &mut seen);
            }
        }
        for (depth, kpi_id, label) in &goal_rows {
            out.push_str(&format!("{}{kpi_id} — {label}\n", "  ".repeat(*depth)));
        }
        json_goals.push(json!({
            "id": id,
            "name": goal.def.name.get_ref().get(locale),
            "kpis": goal_rows.iter().map(|(depth, kpi_id, _)| json!({"id": kpi_id, "depth": depth})).collect::<Vec<_>>(),
        }));
    }
    let mut rest = Vec::new();
    for index in 0..kpis.len() {
        if kpis[index].def.parent.is_none() {
            walk(index, 1, kpis, &children, locale, &mut rest, &mut seen);
        }
    }
    if !rest.is_empty() {
        out.push_str("(no goal)\n");
        for (depth, kpi_id, label) in &rest {
            out.push_str(&format!("{}{kpi_id} — {label}\n", "  ".repeat(*depth)));
        }
    }
    match args.format {
        Format::Json => print_json(&json!({ "goals": json_goals }))?,
        _ => print_stdout(&out)?,
    }
    Ok(ExitCode::SUCCESS)
}
