use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Utfall: marketing performance from business goals to KPIs, attribution and decisions.
#[derive(Debug, Parser)]
#[command(name = "utfall", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Language for names and descriptions: `sv` or `en` (default: the workspace's, then `$LANG`)
    #[arg(long, global = true, env = "UTFALL_LANG", value_name = "LANG")]
    pub lang: Option<Lang>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    Sv,
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up a workspace: who takes part, why (goals), what (KPIs) and how (sources)
    Init(InitArgs),
    /// Validate a workspace's definitions and KPI practice; exit 1 on errors
    Check(CheckArgs),
    /// The KPI library and the workspace's KPIs
    #[command(subcommand)]
    Kpi(KpiCommand),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder for the workspace (created if missing)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Answer every question with the template's defaults (no prompts)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Kind of company to start from
    #[arg(long, value_enum, default_value_t = TemplateArg::B2b)]
    pub template: TemplateArg,
    /// Company name
    #[arg(long)]
    pub name: Option<String>,
    /// Overwrite an existing workspace's definition files
    #[arg(long)]
    pub force: bool,
    /// Pretend today is this date (targets are set for the fiscal year containing it)
    #[arg(long, hide = true, value_name = "DATE")]
    pub today: Option<jiff::civil::Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateArg {
    B2b,
    Ecommerce,
    Events,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The workspace folder
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Output format: `table` (diagnostics for people, on stderr) or `json` (on stdout)
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Treat warnings as errors
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Subcommand)]
pub enum KpiCommand {
    /// List the curated KPI library
    Library(LibraryArgs),
    /// Copy KPIs from the library into a workspace (with the KPIs their formulas need)
    Add(AddArgs),
    /// Show the workspace's goals and KPI tree
    Tree(TreeArgs),
}

#[derive(Debug, Args)]
pub struct LibraryArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Only entries with this tag (e.g. `core`, `funnel`, `brand`)
    #[arg(long)]
    pub tag: Option<String>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Library ids, e.g. `cac mql_to_sql_rate`
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// The workspace folder
    #[arg(long, short = 'C', default_value = ".")]
    pub dir: PathBuf,
    /// The goal the added KPIs serve
    #[arg(long)]
    pub goal: Option<String>,
    /// Owner of the added KPIs (a person id from `utfall.toml`)
    #[arg(long)]
    pub owner: Vec<String>,
}

#[derive(Debug, Args)]
pub struct TreeArgs {
    /// The workspace folder
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}
