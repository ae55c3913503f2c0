use std::process::ExitCode;

use anyhow::Context as _;
use utfall_model::locale::Locale;
use utfall_model::workspace::Workspace;

use crate::cli::{AddArgs, Format, Lang, LibraryArgs, TreeArgs};
use crate::output::{print_json, print_stdout, table, write_csv};

pub fn library(args: LibraryArgs, locale: Locale) -> anyhow::Result<ExitCode> {
    let entries = utfall_app::definitions::library_entries(locale, args.tag.as_deref());
    if args.format == Format::Json {
        print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    let headers = ["id", "name", "unit", "direction", "kind", "formula"];
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.id.clone(),
                e.name.clone(),
                e.unit.clone(),
                e.direction.clone(),
                e.kind.to_string(),
                e.formula.split_whitespace().collect::<Vec<_>>().join(" "),
            ]
        })
        .collect();
    if args.format == Format::Csv {
        write_csv(&headers, &rows)?;
        return Ok(ExitCode::SUCCESS);
    }
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
    Ok(ExitCode::SUCCESS)
}

pub fn add(args: AddArgs) -> anyhow::Result<ExitCode> {
    let request = utfall_app::definitions::AddKpis {
        ids: args.ids.clone(),
        goal: args.goal.clone(),
        owners: args.owner.clone(),
    };
    let added = utfall_app::definitions::add_kpis(&args.dir, &request)?;
    for id in &added.already_present {
        eprintln!("`{id}` is already in the workspace; left as it is");
    }
    if added.added.is_empty() {
        eprintln!("nothing to add");
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "added {} to `{}`: {}",
        if added.added.len() == 1 {
            "1 KPI".to_string()
        } else {
            format!("{} KPIs", added.added.len())
        },
        added.file,
        added.added.join(", ")
    );
    if added.now_has_errors {
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
    let report = utfall_app::definitions::kpi_tree(&workspace, locale);
    if args.format == Format::Json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    let line = |out: &mut String, kpi: &utfall_app::wire::TreeKpi| {
        out.push_str(&format!(
            "{}{} — {}\n",
            "  ".repeat(kpi.depth),
            kpi.id,
            kpi.label
        ));
    };
    for goal in &report.goals {
        out.push_str(&format!("{} — {} {}\n", goal.id, goal.name, goal.period));
        for kpi in &goal.kpis {
            line(&mut out, kpi);
        }
    }
    if !report.rest.is_empty() {
        out.push_str("(no goal)\n");
        for kpi in &report.rest {
            line(&mut out, kpi);
        }
    }
    print_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}
