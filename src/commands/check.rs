use std::process::ExitCode;

use anyhow::Context as _;
use utfall_model::check::check;
use utfall_model::diagnostic::{Severity, render};
use utfall_model::workspace::Workspace;

use crate::cli::{CheckArgs, Format};
use crate::output::{color_stderr, paint, print_json};

pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let workspace = Workspace::load(&args.dir)
        .with_context(|| format!("cannot check `{}`", args.dir.display()))?;
    let diagnostics = check(&workspace);
    let n_errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let n_warnings = diagnostics.len() - n_errors;
    let failed = n_errors > 0 || (args.deny_warnings && n_warnings > 0);

    if args.format == Format::Json {
        let shown_as = args.dir.display().to_string();
        print_json(&utfall_app::definitions::check_report(
            &shown_as, &workspace,
        ))?;
    } else {
        let color = color_stderr();
        let mut text = String::new();
        for diagnostic in &diagnostics {
            let file = diagnostic.file.map(|f| &workspace.files[f]);
            let rendered = render(
                diagnostic,
                file.map(|f| f.path.as_str()),
                file.map(|f| f.text.as_str()),
            );
            let (head, rest) = rendered.split_once('\n').unwrap_or((&rendered, ""));
            let ansi = if diagnostic.severity == Severity::Error {
                "1;31"
            } else {
                "1;33"
            };
            text.push_str(&paint(head, ansi, color));
            text.push('\n');
            text.push_str(rest);
            text.push('\n');
        }
        let summary = format!(
            "checked {} files: {} goals, {} KPIs, {} sources, {} activities; {} {}, {} {}",
            workspace.files.len(),
            workspace.goals.len(),
            workspace.kpis.len(),
            workspace.sources.len(),
            workspace.activities.len(),
            n_errors,
            if n_errors == 1 { "error" } else { "errors" },
            n_warnings,
            if n_warnings == 1 {
                "warning"
            } else {
                "warnings"
            },
        );
        text.push_str(&summary);
        text.push('\n');
        eprint!("{text}");
        restated(&args.dir, &workspace);
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Says which KPIs' history will be restated: their definition differs from the version their
/// last snapshot was taken under.
fn restated(dir: &std::path::Path, workspace: &Workspace) {
    let changed = super::block_on(async {
        Ok(utfall_app::memory::changed_definitions(dir, workspace).await?)
    });
    for (kpi, version, what) in changed.unwrap_or_default() {
        eprintln!(
            "note: {kpi}: {what} changed since v{version}; its history will be restated (what was reported stays under v{version}; the new definition starts at the next snapshot)"
        );
    }
}
