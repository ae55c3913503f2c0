//! The serialisable shapes of every use case's result: what `--format json` prints and what the
//! JSON API will send. Enum values use their documented spellings; periods and dates are text
//! (`2026-Q3`, `FY2026-Q2`, `2026-W14`, `2026-03-31`); missing values are `null`.

use serde::{Serialize, Serializer};

/// Serialises a value by its `Display` text.
pub(crate) fn display<T: std::fmt::Display, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// Serialises an optional value by its `Display` text.
pub(crate) fn display_option<T: std::fmt::Display, S: Serializer>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(value),
        None => serializer.serialize_none(),
    }
}

/// How a KPI stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// At or beyond the target (or its forecast is).
    OnTrack,
    /// Short of the target within its amber band.
    AtRisk,
    /// Short of the target beyond its amber band.
    OffTrack,
    /// No target for the period.
    NoTarget,
    /// No value for the period.
    NoData,
}

impl From<utfall_engine::status::Status> for Status {
    fn from(status: utfall_engine::status::Status) -> Status {
        use utfall_engine::status::Status as S;
        match status {
            S::OnTrack => Status::OnTrack,
            S::AtRisk => Status::AtRisk,
            S::OffTrack => Status::OffTrack,
            S::NoTarget => Status::NoTarget,
            S::NoData => Status::NoData,
        }
    }
}

impl Status {
    /// The documented spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
            Status::NoTarget => "no_target",
            Status::NoData => "no_data",
        }
    }
}

/// A forecast to the end of a running period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// The value forecast for the whole period.
    pub value: f64,
    /// How: `seasonal naive (last year's shape)` or `linear run rate`.
    pub method: String,
}

/// One dimension value's line under a scorecard KPI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SplitLine {
    /// The dimension's value (e.g. a channel).
    pub value: String,
    /// In the period (to date when running).
    pub current: Option<f64>,
    /// In the previous period.
    pub previous: Option<f64>,
    /// In the same period last year.
    pub last_year: Option<f64>,
}

/// One KPI of a scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorecardKpi {
    /// The goal it serves.
    pub goal: String,
    /// The goal's name in the asked language.
    pub goal_name: String,
    /// The KPI's id.
    pub kpi: String,
    /// Its depth in the goal's tree (0 for a root).
    pub depth: usize,
    /// Its name in the asked language.
    pub name: String,
    /// Its unit.
    #[serde(serialize_with = "display")]
    pub unit: utfall_model::kinds::Unit,
    /// Its value in the period (to date when running).
    pub value: Option<f64>,
    /// In the previous period (to the same day when running).
    pub previous: Option<f64>,
    /// In the same period last year (to the same day when running).
    pub last_year: Option<f64>,
    /// The target's value for the period.
    pub target: Option<f64>,
    /// What the target asks.
    #[serde(serialize_with = "display_option")]
    pub target_kind: Option<utfall_model::kinds::TargetKind>,
    /// Value ÷ target (target ÷ value for `below`).
    pub progress: Option<f64>,
    /// How it stands.
    pub status: Status,
    /// The forecast to the period's end, when running with a `reach` target.
    pub forecast: Option<Forecast>,
    /// Its split by a dimension, when asked (`null` otherwise).
    pub by: Option<Vec<SplitLine>>,
}

/// A scorecard of the goal tree for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    /// The workspace's name.
    pub workspace: String,
    /// The period.
    #[serde(serialize_with = "display")]
    pub period: utfall_model::period::Period,
    /// Whether the period is still running (values are then to date).
    pub running: bool,
    /// Which day of the period today is (1 = the first), when running.
    pub day_of_period: Option<i64>,
    /// How many days the period has.
    pub days_in_period: i64,
    /// The previous period compared with (to the same day when running).
    #[serde(serialize_with = "display")]
    pub previous: utfall_model::period::Period,
    /// The same period last year (to the same day when running).
    #[serde(serialize_with = "display")]
    pub last_year: utfall_model::period::Period,
    /// The dimension the KPIs are split by, if any.
    pub split_by: Option<String>,
    /// The KPIs, goal by goal, depth-first.
    pub kpis: Vec<ScorecardKpi>,
}

/// One period's value of a KPI series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesPoint {
    /// The period.
    #[serde(serialize_with = "display")]
    pub period: utfall_model::period::Period,
    /// The value (to date when the period is running).
    pub value: Option<f64>,
    /// The value compared with (previous period or last year), when asked.
    pub compare: Option<f64>,
    /// Whether the period is still running: its value is to date, and so is the comparison.
    pub running: bool,
}

/// A KPI's values over a range of periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiSeries {
    /// The KPI's id.
    pub kpi: String,
    /// Its name in the asked language.
    pub name: String,
    /// Its unit.
    #[serde(serialize_with = "display")]
    pub unit: utfall_model::kinds::Unit,
    /// The grain of the periods.
    #[serde(serialize_with = "display")]
    pub grain: utfall_model::period::Grain,
    /// What is compared with, if anything: `previous` or `year`.
    pub compare: Option<&'static str>,
    /// One value per period.
    pub values: Vec<SeriesPoint>,
    /// The annotations in the window (on the KPI, its goal or everything), when there are.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<utfall_store::Annotation>,
}

/// One period and dimension value of a split KPI series, serialised with the dimension's name
/// as the key of its value (`{"period": "2026-05", "channel": "events", "value": 2000.0}`).
#[derive(Debug, Clone, PartialEq)]
pub struct SplitPoint {
    /// The period.
    pub period: utfall_model::period::Period,
    /// The dimension (e.g. `channel`).
    pub dimension: String,
    /// The dimension's value, or `(total)` for the KPI as a whole.
    pub value_of: String,
    /// The KPI's value.
    pub value: Option<f64>,
}

impl Serialize for SplitPoint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("period", &self.period.to_string())?;
        map.serialize_entry(&self.dimension, &self.value_of)?;
        map.serialize_entry("value", &self.value)?;
        map.end()
    }
}

/// A KPI's values per period and dimension value, largest first, with each period's total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiSplitSeries {
    /// The KPI's id.
    pub kpi: String,
    /// Its name in the asked language.
    pub name: String,
    /// Its unit.
    #[serde(serialize_with = "display")]
    pub unit: utfall_model::kinds::Unit,
    /// The dimension.
    pub by: String,
    /// The lines.
    pub values: Vec<SplitPoint>,
}

/// Every KPI × every period of a grain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiExport {
    /// The grain.
    #[serde(serialize_with = "display")]
    pub grain: utfall_model::period::Grain,
    /// The periods, in order.
    #[serde(serialize_with = "periods")]
    pub periods: Vec<utfall_model::period::Period>,
    /// One row per KPI.
    pub kpis: Vec<ExportRow>,
    /// How long the engine took, in seconds.
    #[serde(skip)]
    pub seconds: f64,
}

fn periods<S: Serializer>(
    periods: &[utfall_model::period::Period],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(periods.iter().map(ToString::to_string))
}

/// One KPI's values in an export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRow {
    /// The KPI's id.
    pub kpi: String,
    /// Its unit.
    #[serde(serialize_with = "display")]
    pub unit: utfall_model::kinds::Unit,
    /// One value per period.
    pub values: Vec<Option<f64>>,
    /// Per period: whether it is still running (its value to date).
    pub running: Vec<bool>,
}

/// One KPI of an explanation, in the tree's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainedLine {
    /// The KPI's id.
    pub kpi: String,
    /// Its name in the asked language.
    #[serde(skip)]
    pub name: String,
    /// Its unit.
    #[serde(skip)]
    pub unit: utfall_model::kinds::Unit,
    /// Its depth below the explained KPI.
    pub depth: usize,
    /// Its value in the base period.
    pub before: Option<f64>,
    /// Its value in the period explained.
    pub after: Option<f64>,
    /// `after − before`.
    pub change: Option<f64>,
    /// Its share of the explained KPI's change, in that KPI's unit.
    pub contribution: Option<f64>,
    /// How the share was computed (the decomposition's method).
    pub method: Option<&'static str>,
}

/// What a KPI's children do not explain of its change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unexplained {
    /// The KPI.
    pub kpi: String,
    /// The change its children's relation does not account for.
    pub residual: f64,
}

/// One dimension value that moved a KPI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MovedValue {
    /// The dimension's value.
    pub value: String,
    /// In the base period.
    pub before: Option<f64>,
    /// In the period explained.
    pub after: Option<f64>,
    /// `after − before` (missing values as 0).
    pub change: f64,
}

/// The values of a dimension that moved a KPI most.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Movers {
    /// The KPI.
    pub kpi: String,
    /// Its name in the asked language.
    #[serde(skip)]
    pub name: String,
    /// Its unit.
    #[serde(skip)]
    pub unit: utfall_model::kinds::Unit,
    /// The dimension.
    pub dimension: String,
    /// Largest change first.
    pub values: Vec<MovedValue>,
}

/// Why a KPI changed between two periods: down its tree, and by the values that moved it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The KPI explained.
    pub kpi: String,
    /// The period explained.
    #[serde(serialize_with = "display")]
    pub period: utfall_model::period::Period,
    /// The base it is compared with.
    #[serde(serialize_with = "display")]
    pub vs: utfall_model::period::Period,
    /// The KPI and its tree.
    pub lines: Vec<ExplainedLine>,
    /// What the children do not explain.
    pub unexplained: Vec<Unexplained>,
    /// The dimension values that moved each KPI most.
    pub movers: Vec<Movers>,
}

/// One KPI in one period of an export, as `--format json` lists them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportValue {
    /// The KPI.
    pub kpi: String,
    /// The period.
    #[serde(serialize_with = "display")]
    pub period: utfall_model::period::Period,
    /// Its value.
    pub value: Option<f64>,
    /// Whether the period is still running (the value is to date).
    pub running: bool,
}

impl KpiExport {
    /// One entry per KPI and period, KPI by KPI.
    pub fn values(&self) -> Vec<ExportValue> {
        self.kpis
            .iter()
            .flat_map(|k| {
                self.periods
                    .iter()
                    .zip(k.values.iter().zip(&k.running))
                    .map(|(p, (v, r))| ExportValue {
                        kpi: k.kpi.clone(),
                        period: *p,
                        value: *v,
                        running: *r,
                    })
            })
            .collect()
    }
}

/// One problem `utfall check` found, located in its file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckedProblem {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// A stable code, e.g. `unknown-kpi`.
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// The file, relative to the workspace.
    pub file: Option<String>,
    /// The line it starts on (1-based).
    pub line: Option<usize>,
    /// The column it starts at (1-based).
    pub column: Option<usize>,
    /// The line it ends on.
    pub end_line: Option<usize>,
    /// The column it ends at.
    pub end_column: Option<usize>,
    /// What the marked text is.
    pub label: String,
    /// What to do about it.
    pub hint: Option<String>,
}

/// What `utfall check` found in a workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// The workspace folder as given.
    pub workspace: String,
    /// Definition files read.
    pub files: usize,
    /// Goals defined.
    pub goals: usize,
    /// KPIs defined.
    pub kpis: usize,
    /// Errors found.
    pub errors: usize,
    /// Warnings found.
    pub warnings: usize,
    /// Every problem, by file and position.
    pub diagnostics: Vec<CheckedProblem>,
}

/// A text in Swedish and English.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BothLanguages {
    /// Swedish, if written.
    pub sv: Option<String>,
    /// English, if written.
    pub en: Option<String>,
}

/// An entry of the KPI library.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LibraryEntry {
    /// Its id.
    pub id: String,
    /// Its name in the asked language.
    pub name: String,
    /// Its description in the asked language.
    pub description: String,
    /// Its names in both languages.
    pub names: BothLanguages,
    /// Its descriptions in both languages.
    pub descriptions: BothLanguages,
    /// Its formula (empty when computed from children).
    pub formula: String,
    /// The formula's kind (`simple`, `ratio`, `derived`, `cumulative`, `conversion`).
    pub kind: &'static str,
    /// Its unit.
    pub unit: String,
    /// Which way is good.
    pub direction: String,
    /// Its tags.
    pub tags: Vec<String>,
}

/// A KPI in the tree of a goal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreeKpi {
    /// Its id.
    pub id: String,
    /// Its depth (1 for a goal's root KPI).
    pub depth: usize,
    /// Its name, with its relation and role, for people.
    #[serde(skip)]
    pub label: String,
}

/// A goal and its KPI tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreeGoal {
    /// Its id.
    pub id: String,
    /// Its name in the asked language.
    pub name: String,
    /// Its period.
    #[serde(skip)]
    pub period: String,
    /// Its KPIs, depth-first.
    pub kpis: Vec<TreeKpi>,
}

/// The workspace's goals with their KPI trees, and the KPIs no goal holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiTreeReport {
    /// The goals.
    pub goals: Vec<TreeGoal>,
    /// KPIs under no goal.
    #[serde(skip)]
    pub rest: Vec<TreeKpi>,
}

/// Rows of named cells, serialised as one object per row (`[{"channel": "email", "n": 3}]`):
/// numbers as numbers, booleans as booleans, missing values as `null`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows<'a> {
    /// The column names.
    pub columns: &'a [String],
    /// The rows, one cell per column.
    pub rows: &'a [Vec<utfall_engine::rows::Cell>],
}

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap as _, SerializeSeq as _};
        use utfall_engine::rows::CellValue;
        struct Row<'r>(&'r [String], &'r [utfall_engine::rows::Cell]);
        impl Serialize for Row<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (column, cell) in self.0.iter().zip(self.1) {
                    match &cell.value {
                        CellValue::Null => map.serialize_entry(column, &())?,
                        CellValue::Int(v) => map.serialize_entry(column, v)?,
                        CellValue::UInt(v) => map.serialize_entry(column, v)?,
                        CellValue::Float(v) if v.is_finite() => map.serialize_entry(column, v)?,
                        CellValue::Float(_) => map.serialize_entry(column, &())?,
                        CellValue::Bool(v) => map.serialize_entry(column, v)?,
                        CellValue::Text(v) => map.serialize_entry(column, v)?,
                    }
                }
                map.end()
            }
        }
        let mut seq = serializer.serialize_seq(Some(self.rows.len()))?;
        for row in self.rows {
            seq.serialize_element(&Row(self.columns, row))?;
        }
        seq.end()
    }
}

/// Rows of text cells under named columns, serialised as one object per row.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRows<'a> {
    /// The column names.
    pub columns: &'a [&'a str],
    /// The rows, one cell per column.
    pub rows: &'a [Vec<String>],
}

impl Serialize for TextRows<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = serializer.serialize_seq(Some(self.rows.len()))?;
        for row in self.rows {
            let object: std::collections::BTreeMap<&str, &str> = self
                .columns
                .iter()
                .copied()
                .zip(row.iter().map(String::as_str))
                .collect();
            seq.serialize_element(&object)?;
        }
        seq.end()
    }
}

// The shapes defined beside their use cases, listed here so that this module is the whole
// JSON vocabulary.
pub use crate::attribution::paths::{OrderedCredit, PathChannel, PathsReport};
pub use crate::attribution::{AttributionReport, AttributionRow, Counted, Credit};
pub use crate::import::{DryRun, Imported};
pub use crate::memory::{DbReport, KpiHistory, RenderedComment, Restatement, SnapshotReport};
pub use crate::review::log::{FollowUp as LoggedDecision, FollowedKpi};
pub use crate::review::{Review, ReviewSource};
pub use utfall_store::{Annotation, Dump, User};

/// What an `add` created: its id (`utfall annotate add`, `utfall comment add`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Created {
    /// The new row's id.
    pub id: i64,
}
