use std::process::ExitCode;

use utfall_model::locale::Locale;

use crate::cli::{AttributionCommand, Cli, Command, KpiCommand, Lang, MmmCommand};

mod attribution;
mod check;
mod demo;
mod engine;
mod import;
mod init;
mod journeys;
mod kpi;
mod mmm;
mod review;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let lang = cli.lang;
    match cli.command {
        Command::Init(args) => init::run(args, lang),
        Command::Demo(args) => demo::run(args, lang),
        Command::Check(args) => check::run(args),
        Command::Kpi(KpiCommand::Library(args)) => kpi::library(args, locale(lang, None)),
        Command::Kpi(KpiCommand::Add(args)) => kpi::add(args),
        Command::Kpi(KpiCommand::Tree(args)) => kpi::tree(args, lang),
        Command::Kpi(KpiCommand::Show(args)) => engine::show(args, lang),
        Command::Kpi(KpiCommand::Export(args)) => engine::export(args, lang),
        Command::Attribution(args) => match args.command {
            Some(AttributionCommand::Paths(paths)) => attribution::paths(paths),
            None => journeys::run(args.run, lang),
        },
        Command::Import(args) => import::run(args),
        Command::Scorecard(args) => engine::scorecard(args, lang),
        Command::Sql(args) => engine::sql(args),
        Command::Explain(args) => engine::explain(args, lang),
        Command::Review(args) => review::run(args, lang),
        Command::Mmm(MmmCommand::Fit(args)) => mmm::fit(*args, lang),
        Command::Mmm(MmmCommand::Report(args)) => mmm::report(args, lang),
        Command::Mmm(MmmCommand::Optimize(args)) => mmm::optimize(args, lang),
        Command::Lift(args) => mmm::lift(args, lang),
    }
}

/// The language for what a marketer reads: `--lang`, else the workspace's, else `$LANG`.
pub fn locale(
    lang: Option<Lang>,
    workspace: Option<&utfall_model::workspace::Workspace>,
) -> Locale {
    if let Some(lang) = lang {
        return match lang {
            Lang::Sv => Locale::Sv,
            Lang::En => Locale::En,
        };
    }
    if let Some(locale) = workspace
        .and_then(|w| w.config.as_ref())
        .and_then(|c| c.def.locale.as_ref())
        .and_then(|l| l.get_ref().parse().ok())
    {
        return locale;
    }
    match std::env::var("LANG") {
        Ok(lang) if lang.starts_with("sv") => Locale::Sv,
        _ => Locale::En,
    }
}

/// Writes a file atomically: a temporary file in the same folder, then a rename.
pub fn write_atomically(path: &std::path::Path, contents: &str) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("failed to create `{}`", dir.display()))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let mut file = std::fs::File::create(&temporary)
        .with_context(|| format!("failed to write `{}`", temporary.display()))?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path)
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    Ok(())
}
