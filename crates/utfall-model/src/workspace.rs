//! The workspace folder: `utfall.toml`, `goals.toml`, `kpis/*.toml`, `sources.toml`,
//! `activities.toml`, read into definition values that keep where every value was written.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Diagnostic;

/// One definition file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the workspace root, with `/` separators.
    pub path: String,
    /// The file's text.
    pub text: String,
}

/// Text in Swedish and English. At least one must be given.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    /// The Swedish text.
    pub sv: Option<String>,
    /// The English text.
    pub en: Option<String>,
}

impl Localized {
    /// The text in `locale`, else in the other language, else empty.
    pub fn get(&self, locale: crate::locale::Locale) -> &str {
        let (first, second) = match locale {
            crate::locale::Locale::Sv => (&self.sv, &self.en),
            crate::locale::Locale::En => (&self.en, &self.sv),
        };
        first.as_deref().or(second.as_deref()).unwrap_or("")
    }
}

/// `utfall.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceConfig {
    /// The company's name.
    pub name: Spanned<String>,
    /// The company's own brand, used by `$brand` in formulas (awareness surveys).
    pub brand: Option<Spanned<String>>,
    /// The workspace's currency (ISO 4217): money KPIs are shown and converted into it.
    pub currency: Spanned<String>,
    /// How numbers and money are written for people: `sv` (default) or `en`.
    pub locale: Option<Spanned<String>>,
    /// The IANA time zone that decides which day an event falls on, e.g. `Europe/Stockholm`.
    pub time_zone: Option<Spanned<String>>,
    /// Month (1–12) in which the fiscal year starts; January by default.
    pub fiscal_year_start_month: Option<Spanned<i64>>,
    /// The first day of a week: `monday` (default) or `sunday`.
    pub week_start: Option<Spanned<String>>,
    /// Metadata store: `sqlite://.utfall/meta.sqlite` (default) or `postgres://…`.
    pub store: Option<Spanned<String>>,
    /// Query engine: `embedded` (default) or `ballista://host:port`.
    pub engine: Option<Spanned<String>>,
    /// Where imported Parquet tables live, relative to the workspace.
    pub data_dir: Option<Spanned<String>>,
    /// The company's departments, as goals, KPIs and people name them.
    #[serde(default)]
    pub departments: Vec<Spanned<String>>,
    /// The people who own goals, KPIs, activities and decisions (`[[people]]`).
    #[serde(default)]
    pub people: Vec<Person>,
    /// The mail server that sends digests and alerts (`[mail]`).
    pub mail: Option<MailDef>,
}

/// `[mail]` in `utfall.toml`: the SMTP server digests and alerts go through. The password is
/// never written here: it is read from `UTFALL_SMTP_PASSWORD` when mail is sent.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailDef {
    /// The server's host name.
    pub host: Spanned<String>,
    /// Its port (default: 587 for `starttls`, 465 for `tls`, 25 for `none`).
    pub port: Option<Spanned<i64>>,
    /// The sender's address, e.g. `Utfall <utfall@example.se>`.
    pub from: Spanned<String>,
    /// The login name, if the server asks for one.
    pub username: Option<Spanned<String>>,
    /// `starttls` (default), `tls` or `none`.
    pub security: Option<Spanned<String>>,
    /// Only read so that `utfall check` can say where a password was written: its value is
    /// never kept.
    pub password: Option<Spanned<serde::de::IgnoredAny>>,
}

/// Someone who takes part: owns goals and KPIs, or reads them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// The person's id, as `owners` name them.
    pub id: Spanned<String>,
    /// The person's name.
    pub name: String,
    /// The department the person works in.
    pub department: Option<Spanned<String>>,
    /// The person's role, in the company's words.
    pub role: Option<String>,
    /// The person's e-mail address (their login to the web app).
    pub email: Option<String>,
    /// What the person may do in Utfall: `viewer` (the default), `editor` or `admin`.
    pub access: Option<String>,
}

/// A goal (`[[goal]]` in `goals.toml`): why marketing measures anything.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalDef {
    /// The goal's id, as KPIs' `goal` names it.
    pub id: Spanned<String>,
    /// The goal's name.
    pub name: Spanned<Localized>,
    /// What the goal means, in more words.
    pub description: Option<Localized>,
    /// The period the goal is to be reached in, e.g. `FY2026`.
    pub period: Option<Spanned<String>>,
    /// The people who answer for the goal.
    #[serde(default)]
    pub owners: Vec<Spanned<String>>,
    /// The departments that share the goal.
    #[serde(default)]
    pub departments: Vec<Spanned<String>>,
    /// The goal this one serves, if it is a sub-goal.
    pub parent: Option<Spanned<String>>,
}

/// Who reads a KPI and what they use it for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audience {
    /// Who reads it: a role or a group.
    pub who: String,
    /// What they use it for.
    pub uses: String,
}

/// A KPI's target for one period (`[[kpi.target]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetDef {
    /// The period the target is for, e.g. `FY2026-Q2`.
    pub period: Spanned<String>,
    /// `reach` (at least this by the end of the period), `above` (stay at or above), `below`.
    pub kind: Spanned<String>,
    /// The target value, in the KPI's unit.
    pub value: Spanned<f64>,
    /// Relative band short of the target that counts as amber, e.g. `0.1` for 10 %.
    pub amber: Option<Spanned<f64>>,
}

/// A KPI (`[[kpi]]` in `kpis/*.toml`): what is measured, how, for which goal and by whom.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiDef {
    /// The KPI's id, as formulas, `parent` and history name it.
    pub id: Spanned<String>,
    /// The KPI's name.
    pub name: Spanned<Localized>,
    /// What the KPI means, in more words.
    pub description: Option<Localized>,
    /// Why the KPI exists.
    pub purpose: Option<String>,
    /// The goal the KPI serves (for a root of the KPI tree).
    pub goal: Option<Spanned<String>>,
    /// The people who answer for the KPI.
    #[serde(default)]
    pub owners: Vec<Spanned<String>>,
    /// The departments that share the KPI.
    #[serde(default)]
    pub departments: Vec<Spanned<String>>,
    /// Who reads the KPI and what they use it for.
    #[serde(default)]
    pub audiences: Vec<Audience>,
    /// How it is computed from the data, in the formula language; absent when children determine it.
    pub formula: Option<Spanned<String>>,
    /// What its values are: `count`, `currency`, `ratio`…
    pub unit: Spanned<String>,
    /// For `unit = "currency"`: the currency when it is not the workspace's.
    pub currency: Option<Spanned<String>>,
    /// Which way is good: `higher`, `lower` or `neutral`.
    pub direction: Spanned<String>,
    /// The grain it is usually shown at: `month`, `fiscal_quarter`…
    pub grain: Option<Spanned<String>>,
    /// The sources (by name, from `sources.toml`) its data comes from.
    #[serde(default)]
    pub sources: Vec<Spanned<String>>,
    /// How it is measured, in words.
    pub method: Option<String>,
    /// The KPI this one drives, in the KPI tree.
    pub parent: Option<Spanned<String>>,
    /// In a parent with `relation = "ratio"`: `numerator` or `denominator`.
    pub role: Option<Spanned<String>>,
    /// How this KPI relates to its children: `sum`, `product`, `ratio` or `influence`.
    pub relation: Option<Spanned<String>>,
    /// Free labels for finding KPIs.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The targets, one per period and grain.
    #[serde(default)]
    pub target: Vec<TargetDef>,
}

/// A source (`[[source]]` in `sources.toml`): files of one kind and the import preset that reads them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDef {
    /// The source's name, as KPIs' `sources` name it.
    pub name: Spanned<String>,
    /// The import preset: `hubspot`, `google_ads`, `generic`…
    pub preset: Spanned<String>,
    /// A path or glob relative to the workspace.
    pub path: Option<Spanned<String>>,
    /// For `generic`: the canonical or custom table it fills.
    pub table: Option<Spanned<String>>,
    /// Source column → table column.
    #[serde(default)]
    pub mapping: BTreeMap<String, Spanned<String>>,
    /// The currency of amounts the files do not name one for (ISO 4217, e.g. `"SEK"`).
    pub currency: Option<Spanned<String>>,
    /// Table column → a value for every row (as `--set`), e.g. `platform = "meta"`.
    #[serde(default)]
    pub set: BTreeMap<String, Spanned<String>>,
    /// How the files write dates like `01/02/2026`: `"day-first"` or `"month-first"`.
    pub dates: Option<Spanned<String>>,
    /// What the source is, in the company's words.
    pub description: Option<String>,
}

/// A custom table usable in formulas.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDef {
    /// The table's name, as formulas write it.
    pub name: Spanned<String>,
    /// Column name → type (`text`, `float`, `integer`, `bool`, `date`, `timestamp`).
    pub columns: Spanned<BTreeMap<String, Spanned<String>>>,
    /// The time column aggregates use when a formula names none.
    pub time: Option<Spanned<String>>,
    /// The columns that identify a row (the natural key imports de-duplicate on).
    #[serde(default)]
    pub key: Vec<Spanned<String>>,
}

/// A marketing activity (`[[activity]]` in `activities.toml`): a fair, a campaign, a webinar…
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityDef {
    /// The activity's id, as touchpoints and decisions name it.
    pub id: Spanned<String>,
    /// The activity's name.
    pub name: String,
    /// The kind of activity: `fair`, `webinar`, `paid_media`…
    pub kind: Spanned<String>,
    /// The channel it runs in, from the channel vocabulary.
    pub channel: Spanned<String>,
    /// The first day.
    pub start: Spanned<toml::value::Datetime>,
    /// The last day, if it is not a single day.
    pub end: Option<Spanned<toml::value::Datetime>>,
    /// The budget, in `currency` or the workspace's.
    pub budget: Option<f64>,
    /// The budget's currency when it is not the workspace's.
    pub currency: Option<Spanned<String>>,
    /// The person who owns the activity.
    pub owner: Option<Spanned<String>>,
    /// The department that runs it.
    pub department: Option<String>,
    /// The `utm_campaign` value its links carry.
    pub utm_campaign: Option<String>,
    /// The activity this one is part of (a campaign's, say).
    pub parent: Option<Spanned<String>>,
    /// The KPIs the activity is meant to move.
    #[serde(default)]
    pub kpis: Vec<Spanned<String>>,
}

/// A review meeting: the period it follows up.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewDef {
    /// The review's id, as decisions name it.
    pub id: Spanned<String>,
    /// The period the review follows up, e.g. `FY2026-Q2`.
    pub period: Spanned<String>,
    /// The day of the meeting.
    pub date: Option<Spanned<toml::value::Datetime>>,
    /// The people who took part.
    #[serde(default)]
    pub participants: Vec<Spanned<String>>,
    /// What was said, in words.
    pub notes: Option<String>,
}

/// A decision taken at a review: stop, start, continue, more or less of something.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionDef {
    /// The decision's id.
    pub id: Spanned<String>,
    /// The review it was taken at.
    pub review: Spanned<String>,
    /// `stop`, `start`, `continue`, `more` or `less`.
    pub action: Spanned<String>,
    /// The activity it is about, if any.
    pub activity: Option<Spanned<String>>,
    /// The channel it is about, if any.
    pub channel: Option<Spanned<String>>,
    /// The campaign it is about, if any.
    pub campaign: Option<Spanned<String>>,
    /// The day it takes effect (default: the review's date).
    pub decided_on: Option<Spanned<toml::value::Datetime>>,
    /// What it is expected to do, measured at the follow-up.
    pub effect: Option<EffectDef>,
    /// The KPIs the decision is meant to move, followed up at the next review.
    #[serde(default)]
    pub kpis: Vec<Spanned<String>>,
    /// Why it was decided.
    pub rationale: Option<String>,
    /// What it is expected to do, in words.
    pub expected: Option<String>,
    /// The person who carries it out.
    pub owner: Option<Spanned<String>>,
    /// The day by which it is followed up.
    pub follow_up: Option<Spanned<toml::value::Datetime>>,
    /// `open`, `done` or `dropped`.
    pub status: Option<Spanned<String>>,
}

/// A decision's expected effect: a KPI, the way it should move and, optionally, by how much
/// (a share of its value: 0.15 for +15 %).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectDef {
    /// The KPI.
    pub kpi: Spanned<String>,
    /// `up` or `down`.
    pub direction: Spanned<String>,
    /// The expected relative size.
    pub size: Option<Spanned<f64>>,
}

/// A definition and the file it came from.
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// Index into [`Workspace::files`].
    pub file: usize,
    /// The definition.
    pub def: T,
}

/// Everything read from a workspace folder, and the problems met while reading it.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    /// The workspace folder (empty for files handed over as text).
    pub root: PathBuf,
    /// Every definition file read, in reading order; diagnostics point into it.
    pub files: Vec<SourceFile>,
    /// `utfall.toml`, if it could be read.
    pub config: Option<Located<WorkspaceConfig>>,
    /// The goals of `goals.toml`.
    pub goals: Vec<Located<GoalDef>>,
    /// The KPIs of `kpis/*.toml`, file by file.
    pub kpis: Vec<Located<KpiDef>>,
    /// The sources of `sources.toml`.
    pub sources: Vec<Located<SourceDef>>,
    /// The custom tables (`[[table]]`) of `sources.toml`.
    pub tables: Vec<Located<TableDef>>,
    /// The activities of `activities.toml`.
    pub activities: Vec<Located<ActivityDef>>,
    /// The reviews of `reviews.toml`.
    pub reviews: Vec<Located<ReviewDef>>,
    /// The decisions of `reviews.toml`.
    pub decisions: Vec<Located<DecisionDef>>,
    /// Problems met while reading: syntax and shape errors.
    pub read_problems: Vec<Diagnostic>,
}

/// The workspace settings file, at the root.
pub const CONFIG_FILE: &str = "utfall.toml";
/// The goals file.
pub const GOALS_FILE: &str = "goals.toml";
/// The folder of KPI files (`kpis/*.toml`).
pub const KPI_DIR: &str = "kpis";
/// The sources and custom tables file.
pub const SOURCES_FILE: &str = "sources.toml";
/// The activity plan.
pub const ACTIVITIES_FILE: &str = "activities.toml";
/// The decision log: reviews and their decisions.
pub const REVIEWS_FILE: &str = "reviews.toml";

/// Reading a workspace folder failed before any definition could be looked at.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The folder has no `utfall.toml`.
    #[error("`{}` is not a Utfall workspace: it has no `utfall.toml`", .0.display())]
    NotAWorkspace(PathBuf),
    /// A definition file exists but could not be read.
    #[error("failed to read `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why reading failed.
        #[source]
        source: std::io::Error,
    },
}

impl Workspace {
    /// Reads every definition file of the workspace at `root`.
    pub fn load(root: &Path) -> Result<Workspace, LoadError> {
        let config_path = root.join(CONFIG_FILE);
        if !config_path.is_file() {
            return Err(LoadError::NotAWorkspace(root.to_path_buf()));
        }
        let read = |relative: &str| -> Result<Option<SourceFile>, LoadError> {
            let path = root.join(relative);
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok(Some(SourceFile {
                    path: relative.to_string(),
                    text,
                })),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(LoadError::Io { path, source }),
            }
        };
        let mut files = Vec::new();
        for relative in [
            CONFIG_FILE,
            GOALS_FILE,
            SOURCES_FILE,
            ACTIVITIES_FILE,
            REVIEWS_FILE,
        ] {
            files.extend(read(relative)?);
        }
        let kpi_dir = root.join(KPI_DIR);
        if kpi_dir.is_dir() {
            let entries = std::fs::read_dir(&kpi_dir).map_err(|source| LoadError::Io {
                path: kpi_dir.clone(),
                source,
            })?;
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".toml"))
                .collect();
            names.sort();
            for name in names {
                files.extend(read(&format!("{KPI_DIR}/{name}"))?);
            }
        }
        let mut workspace = Workspace::from_files(files);
        workspace.root = root.to_path_buf();
        Ok(workspace)
    }

    /// Parses definition files handed over as text. The path decides what a file holds.
    pub fn from_files(files: Vec<SourceFile>) -> Workspace {
        let mut workspace = Workspace {
            files,
            ..Workspace::default()
        };
        for index in 0..workspace.files.len() {
            let path = workspace.files[index].path.clone();
            let text = workspace.files[index].text.clone();
            match path.as_str() {
                CONFIG_FILE => {
                    if let Some(config) = parse_block::<WorkspaceConfig>(
                        &text,
                        0,
                        index,
                        &mut workspace.read_problems,
                    ) {
                        workspace.config = Some(Located {
                            file: index,
                            def: config,
                        });
                    }
                }
                GOALS_FILE => {
                    for (kind, offset, block) in
                        split_entries(&text, &["goal"], index, &mut workspace.read_problems)
                    {
                        debug_assert_eq!(kind, "goal");
                        if let Some(file) = parse_block::<GoalFile>(
                            block,
                            offset,
                            index,
                            &mut workspace.read_problems,
                        ) {
                            workspace.goals.extend(
                                file.goal
                                    .into_iter()
                                    .map(|def| Located { file: index, def }),
                            );
                        }
                    }
                }
                SOURCES_FILE => {
                    for (kind, offset, block) in split_entries(
                        &text,
                        &["source", "table"],
                        index,
                        &mut workspace.read_problems,
                    ) {
                        if kind == "source" {
                            if let Some(file) = parse_block::<SourceFile_>(
                                block,
                                offset,
                                index,
                                &mut workspace.read_problems,
                            ) {
                                workspace.sources.extend(
                                    file.source
                                        .into_iter()
                                        .map(|def| Located { file: index, def }),
                                );
                            }
                        } else if let Some(file) = parse_block::<TableFile>(
                            block,
                            offset,
                            index,
                            &mut workspace.read_problems,
                        ) {
                            workspace.tables.extend(
                                file.table
                                    .into_iter()
                                    .map(|def| Located { file: index, def }),
                            );
                        }
                    }
                }
                REVIEWS_FILE => {
                    for (kind, offset, block) in split_entries(
                        &text,
                        &["review", "decision"],
                        index,
                        &mut workspace.read_problems,
                    ) {
                        if kind == "review" {
                            if let Some(file) = parse_block::<ReviewFile>(
                                block,
                                offset,
                                index,
                                &mut workspace.read_problems,
                            ) {
                                workspace.reviews.extend(
                                    file.review
                                        .into_iter()
                                        .map(|def| Located { file: index, def }),
                                );
                            }
                        } else if let Some(file) = parse_block::<DecisionFile>(
                            block,
                            offset,
                            index,
                            &mut workspace.read_problems,
                        ) {
                            workspace.decisions.extend(
                                file.decision
                                    .into_iter()
                                    .map(|def| Located { file: index, def }),
                            );
                        }
                    }
                }
                ACTIVITIES_FILE => {
                    for (_, offset, block) in
                        split_entries(&text, &["activity"], index, &mut workspace.read_problems)
                    {
                        if let Some(file) = parse_block::<ActivityFile>(
                            block,
                            offset,
                            index,
                            &mut workspace.read_problems,
                        ) {
                            workspace.activities.extend(
                                file.activity
                                    .into_iter()
                                    .map(|def| Located { file: index, def }),
                            );
                        }
                    }
                }
                _ => {
                    for (_, offset, block) in
                        split_entries(&text, &["kpi"], index, &mut workspace.read_problems)
                    {
                        if let Some(file) = parse_block::<KpiFile>(
                            block,
                            offset,
                            index,
                            &mut workspace.read_problems,
                        ) {
                            workspace.kpis.extend(
                                file.kpi.into_iter().map(|def| Located { file: index, def }),
                            );
                        }
                    }
                }
            }
        }
        workspace
    }

    /// The path of file `index`, relative to the workspace root.
    pub fn file_path(&self, index: usize) -> &str {
        &self.files[index].path
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GoalFile {
    #[serde(default)]
    goal: Vec<GoalDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KpiFile {
    #[serde(default)]
    kpi: Vec<KpiDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFile_ {
    #[serde(default)]
    source: Vec<SourceDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    #[serde(default)]
    table: Vec<TableDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewFile {
    #[serde(default)]
    review: Vec<ReviewDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionFile {
    #[serde(default)]
    decision: Vec<DecisionDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityFile {
    #[serde(default)]
    activity: Vec<ActivityDef>,
}

/// Splits a file into the text before the first entry and one block per `[[kind]]` entry, so
/// that a mistake in one entry does not hide the others. Returns (kind, byte offset, text).
pub fn split_entries<'a>(
    text: &'a str,
    kinds: &[&'static str],
    file: usize,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(&'static str, usize, &'a str)> {
    let mut starts: Vec<(&'static str, usize)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        let header = trimmed.split('#').next().unwrap_or("").trim();
        if let Some(kind) = kinds.iter().find(|kind| header == format!("[[{kind}]]")) {
            starts.push((kind, offset));
        }
        offset += line.len();
    }
    let mut blocks = Vec::new();
    let first = starts.first().map_or(text.len(), |(_, start)| *start);
    // The text before the first entry may hold only comments.
    let preamble = &text[..first];
    if !preamble.trim().is_empty() {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Empty {}
        if parse_block::<Empty>(preamble, 0, file, problems).is_some()
            && !preamble.lines().all(is_blank_or_comment)
        {
            problems.push(
                Diagnostic::error(
                    "misplaced-entry",
                    format!("expected `[[{}]]` entries", kinds.join("]]` or `[[")),
                )
                .at(file, 0..preamble.len().min(1)),
            );
        }
    }
    for (i, (kind, start)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(text.len(), |(_, next)| *next);
        blocks.push((*kind, *start, &text[*start..end]));
    }
    blocks
}

fn is_blank_or_comment(line: &str) -> bool {
    let line = line.trim();
    line.is_empty() || line.starts_with('#')
}

/// Deserializes one block, turning a failure into a diagnostic at the right place.
/// The text before the block is blanked out (newlines kept) so that spans are file offsets.
fn parse_block<T: serde::de::DeserializeOwned>(
    block: &str,
    offset: usize,
    file: usize,
    problems: &mut Vec<Diagnostic>,
) -> Option<T> {
    let mut padded = String::with_capacity(offset + block.len());
    padded.extend(std::iter::repeat_n(' ', offset));
    padded.push_str(block);
    match toml::from_str::<T>(&padded) {
        Ok(value) => Some(value),
        Err(error) => {
            let span = error.span().unwrap_or(offset..offset);
            problems.push(toml_error_to_diagnostic(
                error.message(),
                file,
                span,
                block,
                offset,
            ));
            None
        }
    }
}

fn toml_error_to_diagnostic(
    message: &str,
    file: usize,
    span: Range<usize>,
    block: &str,
    offset: usize,
) -> Diagnostic {
    let message = message.trim().trim_end_matches('.').to_string();
    let first_line = message.lines().next().unwrap_or("").to_string();
    let local = span.start.saturating_sub(offset);
    let is_shape = first_line.starts_with("unknown field")
        || first_line.starts_with("missing field")
        || first_line.starts_with("invalid type")
        || first_line.starts_with("invalid value")
        || first_line.starts_with("invalid length")
        || first_line.starts_with("unknown variant");
    if first_line.starts_with("unknown field") {
        let expected = first_line
            .split_once(", expected ")
            .map(|(_, rest)| rest.to_string());
        let name = first_line.split('`').nth(1).unwrap_or("").to_string();
        // Point at the key itself rather than the whole table.
        let key_span = find_key(block, local, &name)
            .map_or(span.clone(), |at| at + offset..at + offset + name.len());
        return Diagnostic::error("unknown-field", format!("unknown field `{name}`"))
            .at(file, key_span)
            .label("not a field here")
            .maybe_hint(expected.map(|expected| format!("expected {expected}")));
    }
    if first_line.starts_with("missing field") {
        let name = first_line.split('`').nth(1).unwrap_or("").to_string();
        let span = span.start
            ..span.start
                + block[local.min(block.len())..]
                    .find('\n')
                    .unwrap_or(0)
                    .max(1);
        return Diagnostic::error("missing-field", format!("missing field `{name}`"))
            .at(file, span)
            .label(format!("this entry has no `{name}`"))
            .hint(format!("add `{name} = …` to the entry"));
    }
    if is_shape {
        return Diagnostic::error("wrong-type", first_line.clone())
            .at(file, span)
            .label("wrong type of value")
            .hint("see docs/workspace-format.md for the type of each field");
    }
    Diagnostic::error("syntax", format!("invalid TOML: {first_line}"))
        .at(file, span)
        .label("TOML syntax error here")
        .hint("see https://toml.io for the syntax; text values need quotes")
}

fn find_key(block: &str, from: usize, name: &str) -> Option<usize> {
    let mut offset = 0;
    for line in block.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if offset + line.len() > from
            && trimmed.starts_with(name)
            && trimmed[name.len()..].trim_start().starts_with('=')
        {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    block.find(name)
}

/// The calendar date of a TOML date value (`None` for a time without a date).
pub fn civil_date(value: &toml::value::Datetime) -> Option<jiff::civil::Date> {
    let date = value.date?;
    jiff::civil::Date::new(date.year as i16, date.month as i8, date.day as i8).ok()
}

impl KpiDef {
    /// The KPI's unit (`number` for a spelling `utfall check` refuses).
    pub fn unit(&self) -> crate::kinds::Unit {
        crate::kinds::Unit::parse(self.unit.get_ref()).unwrap_or(crate::kinds::Unit::Number)
    }

    /// Which way is good (`neutral` for a spelling `utfall check` refuses).
    pub fn direction(&self) -> crate::kinds::Direction {
        crate::kinds::Direction::parse(self.direction.get_ref())
            .unwrap_or(crate::kinds::Direction::Neutral)
    }

    /// How the KPI relates to its children, if it says.
    pub fn relation(&self) -> Option<crate::kinds::Relation> {
        self.relation
            .as_ref()
            .and_then(|r| crate::kinds::Relation::parse(r.get_ref()))
    }

    /// Its place in a ratio parent, if any.
    pub fn role(&self) -> Option<crate::kinds::Role> {
        self.role
            .as_ref()
            .and_then(|r| crate::kinds::Role::parse(r.get_ref()))
    }

    /// The target set for exactly this period, if any.
    pub fn target_for(&self, period: crate::period::Period) -> Option<&TargetDef> {
        self.target.iter().find(|t| t.period() == Some(period))
    }
}

impl TargetDef {
    /// The period the target is for (`None` for one `utfall check` refuses).
    pub fn period(&self) -> Option<crate::period::Period> {
        self.period.get_ref().parse().ok()
    }

    /// What the target asks (`reach` for a spelling `utfall check` refuses).
    pub fn kind(&self) -> crate::kinds::TargetKind {
        crate::kinds::TargetKind::parse(self.kind.get_ref())
            .unwrap_or(crate::kinds::TargetKind::Reach)
    }
}

impl DecisionDef {
    /// What was decided (`None` for a spelling `utfall check` refuses).
    pub fn action(&self) -> Option<crate::kinds::DecisionAction> {
        crate::kinds::DecisionAction::parse(self.action.get_ref())
    }

    /// Where it stands (`open` when not given).
    pub fn status(&self) -> crate::kinds::DecisionStatus {
        self.status
            .as_ref()
            .and_then(|s| crate::kinds::DecisionStatus::parse(s.get_ref()))
            .unwrap_or(crate::kinds::DecisionStatus::Open)
    }
}

/// A KPI id the workspace does not define.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the workspace has no KPI `{id}`")]
pub struct UnknownKpi {
    /// The id asked for.
    pub id: String,
    /// The closest id the workspace has, if one is close.
    pub did_you_mean: Option<String>,
}

impl Workspace {
    /// The KPI with this id, or an error that suggests the closest one.
    pub fn kpi(&self, id: &str) -> Result<&KpiDef, UnknownKpi> {
        self.kpis
            .iter()
            .map(|k| &k.def)
            .find(|k| k.id.get_ref() == id)
            .ok_or_else(|| UnknownKpi {
                id: id.to_string(),
                did_you_mean: crate::catalog::did_you_mean(
                    id,
                    self.kpis.iter().map(|k| k.def.id.get_ref().as_str()),
                )
                .map(str::to_string),
            })
    }
}
