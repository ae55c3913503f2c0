use std::process::ExitCode;

use utfall_model::locale::Locale;

use crate::cli::{AttributionCommand, Cli, Command, KpiCommand, Lang, MmmCommand};

mod annotate;
mod attribution;
mod check;
mod comment;
mod db;
mod demo;
mod digest;
mod explain;
mod import;
mod init;
mod kpi;
mod kpi_series;
mod mmm;
mod review;
mod scorecard;
mod serve;
mod snapshot;
mod sql;
mod user;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let lang = cli.lang;
    match cli.command {
        Command::Init(args) => init::run(args, lang),
        Command::Demo(args) => demo::run(args, lang),
        Command::Serve(args) => serve::serve(&args.dir, args.bind, args.today),
        Command::Check(args) => check::run(args),
        Command::Kpi(KpiCommand::Library(args)) => kpi::library(args, locale(lang, None)),
        Command::Kpi(KpiCommand::Add(args)) => kpi::add(args),
        Command::Kpi(KpiCommand::Tree(args)) => kpi::tree(args, lang),
        Command::Kpi(KpiCommand::Show(args)) => kpi_series::show(args, lang),
        Command::Kpi(KpiCommand::Export(args)) => kpi_series::export_all(args, lang),
        Command::Attribution(args) => match args.command {
            Some(AttributionCommand::Paths(paths)) => attribution::paths(paths),
            None => attribution::run(args.run, lang),
        },
        Command::Import(args) => import::run(args),
        Command::Scorecard(args) => scorecard::run(args, lang),
        Command::Sql(args) => sql::run(args),
        Command::Explain(args) => explain::run(args, lang),
        Command::Review(args) => review::run(args, lang),
        Command::Decide(args) => review::decide(args),
        Command::Mmm(MmmCommand::Fit(args)) => mmm::fit(*args, lang),
        Command::Mmm(MmmCommand::Report(args)) => mmm::report(args, lang),
        Command::Mmm(MmmCommand::Optimize(args)) => mmm::optimize(args, lang),
        Command::Lift(args) => mmm::lift(args, lang),
        Command::Kpi(KpiCommand::History(args)) => snapshot::history(args, lang),
        Command::Snapshot(args) => snapshot::run(args),
        Command::Annotate(command) => annotate::run(command),
        Command::Comment(command) => comment::run(command),
        Command::User(command) => user::run(command),
        Command::Db(command) => db::run(command),
        Command::Digest(command) => digest::run(command),
    }
}

/// The language asked for with `--lang`, if any.
pub fn lang_locale(lang: Option<Lang>) -> Option<Locale> {
    lang.map(|lang| match lang {
        Lang::Sv => Locale::Sv,
        Lang::En => Locale::En,
    })
}

/// The language for what a marketer reads: `--lang`, else the workspace's, else `$LANG`.
pub fn locale(
    lang: Option<Lang>,
    workspace: Option<&utfall_model::workspace::Workspace>,
) -> Locale {
    utfall_app::session::locale(lang_locale(lang), workspace)
}

/// Runs a use case on the process's one async runtime.
pub fn block_on<T>(
    future: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    static RUNTIME: std::sync::OnceLock<utfall_app::Runtime> = std::sync::OnceLock::new();
    if RUNTIME.get().is_none() {
        let runtime = utfall_app::runtime()?;
        let _ = RUNTIME.set(runtime);
    }
    match RUNTIME.get() {
        Some(runtime) => runtime.block_on(future),
        None => Err(anyhow::anyhow!("no async runtime")),
    }
}

/// The workspace's session and its metadata store.
pub async fn memory(
    at: &crate::cli::Where,
) -> anyhow::Result<(utfall_app::Session, utfall_app::memory::Store)> {
    let session =
        utfall_app::Session::open(&at.dir, utfall_app::Clock::from_option(at.today)).await?;
    let store = utfall_app::memory::open_store(&at.dir, &session.workspace).await?;
    Ok((session, store))
}
