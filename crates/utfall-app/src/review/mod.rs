//! The review cycle: a review is one object, computed once for a period and rendered many
//! ways (Markdown, HTML, PDF, XLSX, JSON). It holds the goal tree's scorecard, the movers and
//! their drivers, the findings (attribution, the mix model, the lift of the period's
//! activities), the follow-up of earlier decisions with a measured verdict, and suggestions
//! derived from the findings. Closing a review freezes it: its JSON document is written to the
//! store once and every later rendering reads that document, so re-imports and definition
//! changes never alter it.

mod build;
mod cycle;
mod document;
mod follow;
pub mod log;

use serde::{Deserialize, Serialize};
use utfall_model::locale::Locale;

pub use build::{ReviewMeta, build, default_id, quarter_before};
pub use cycle::{
    DecideRequest, EXPORT_FORMATS, History, LiveValue, OutcomeRequest, ReviewSource, close,
    close_history, decide, decisions_toml, export, import_toml, list, list_lines, live_values,
    open, record_outcome, render, show,
};
pub use document::{document, document_with_live};
pub(crate) use follow::lift_of;
pub use log::follow_ups;

/// The version of the review document's shape.
pub const VERSION: u32 = 1;

/// A text in both languages, so that a frozen review can be rendered in either.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// Swedish.
    pub sv: String,
    /// English.
    pub en: String,
}

impl Text {
    /// A text from its two languages.
    pub fn new(sv: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            sv: sv.into(),
            en: en.into(),
        }
    }

    /// The text in `locale`.
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::Sv => &self.sv,
            Locale::En => &self.en,
        }
    }
}

/// A review of one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// The document's shape ([`VERSION`]).
    pub version: u32,
    /// The review's id.
    pub id: String,
    /// The workspace's name.
    pub workspace: String,
    /// The workspace's currency.
    pub currency: String,
    /// The period reviewed, e.g. `FY2026-Q2`.
    pub period: String,
    /// Its first day.
    pub first_day: String,
    /// Its last day.
    pub last_day: String,
    /// The period before.
    pub previous: String,
    /// The same period a year before.
    pub last_year: String,
    /// Whether the period was still running (values to date).
    pub running: bool,
    /// The day it was computed for.
    pub as_of: String,
    /// `open` or `closed`.
    pub status: String,
    /// The day of the meeting.
    pub held_on: Option<String>,
    /// Who took part.
    pub participants: Vec<String>,
    /// What was said.
    pub notes: Option<String>,
    /// When and by whom it was closed, and the snapshot its numbers are pinned to.
    pub closed: Option<Closed>,
    /// The scorecard of the goal tree.
    pub scorecard: Vec<ScoreRow>,
    /// The KPIs that moved most, with their drivers.
    pub movers: Vec<Mover>,
    /// What produced the period's pipeline.
    pub attribution: Option<AttributionFinding>,
    /// What each channel added, from the latest mix model.
    pub mix: Option<MixFinding>,
    /// The lift of each activity that ran in the period.
    pub lifts: Vec<ActivityLift>,
    /// Earlier decisions, followed up.
    pub follow_ups: Vec<FollowUp>,
    /// Suggestions derived from the findings (never decisions).
    pub suggestions: Vec<Suggestion>,
    /// The decisions taken at this review.
    pub decisions: Vec<DecisionLine>,
    /// What could not be computed, and why.
    pub gaps: Vec<Text>,
}

/// A closed review's seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closed {
    /// When (RFC 3339).
    pub at: String,
    /// By whom.
    pub by: String,
    /// The snapshot its numbers were pinned to.
    pub snapshot: Option<i64>,
}

/// One KPI of the scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRow {
    /// The goal.
    pub goal: String,
    /// The goal's name.
    pub goal_name: Text,
    /// The KPI.
    pub kpi: String,
    /// Its name.
    pub name: Text,
    /// Its depth in the goal's KPI tree.
    pub depth: usize,
    /// Its unit's spelling.
    pub unit: String,
    /// Who answers for it.
    pub owner: Option<String>,
    /// Its value in the period.
    pub value: Option<f64>,
    /// Its target.
    pub target: Option<f64>,
    /// Its status (`on_track`, `at_risk`, `off_track`, `no_target`, `no_data`).
    pub status: String,
    /// Progress towards the target.
    pub progress: Option<f64>,
    /// Its value in the period before.
    pub previous: Option<f64>,
    /// Its value in the same period last year.
    pub last_year: Option<f64>,
    /// Its forecast for the whole period when running.
    pub forecast: Option<f64>,
}

/// A KPI that moved, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mover {
    /// The KPI.
    pub kpi: String,
    /// Its name.
    pub name: Text,
    /// Its unit.
    pub unit: String,
    /// Why it is a mover: `previous` (moved most) or `target` (furthest short).
    pub reason: String,
    /// Its value in the period before.
    pub before: f64,
    /// Its value in the period.
    pub after: f64,
    /// `after − before`.
    pub change: f64,
    /// The change relative to `before`.
    pub relative: Option<f64>,
    /// Its target.
    pub target: Option<f64>,
    /// The drivers one level down the KPI tree and their contributions to the change.
    pub drivers: Vec<Driver>,
    /// What the drivers leave: `change − Σ contributions`.
    pub residual: f64,
    /// How the change was split (`sum`, `product`, `ratio`…).
    pub method: Option<String>,
    /// The dimension of the moved values.
    pub dimension: Option<String>,
    /// The dimension values that moved it most.
    pub moved: Vec<Moved>,
}

/// A driver's contribution to a mover's change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Driver {
    /// The KPI.
    pub kpi: String,
    /// Its name.
    pub name: Text,
    /// Its unit.
    pub unit: String,
    /// Before.
    pub before: Option<f64>,
    /// After.
    pub after: Option<f64>,
    /// Its contribution to the mover's change, in the mover's unit.
    pub contribution: f64,
}

/// A dimension value that moved a KPI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moved {
    /// The value (a channel, a campaign).
    pub value: String,
    /// Before.
    pub before: Option<f64>,
    /// After.
    pub after: Option<f64>,
    /// The change.
    pub change: f64,
}

/// An estimate with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The mean.
    pub mean: f64,
    /// The interval's low end.
    pub low: f64,
    /// Its high end.
    pub high: f64,
}

impl From<utfall_mmm::report::Interval> for Estimate {
    fn from(i: utfall_mmm::report::Interval) -> Estimate {
        Estimate {
            mean: i.mean,
            low: i.low,
            high: i.high,
        }
    }
}

/// The period's pipeline credited to channels by several models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributionFinding {
    /// What was credited (`pipeline`).
    pub conversion: String,
    /// Deals created in the period.
    pub conversions: usize,
    /// Their amount.
    pub value: f64,
    /// The models, in order.
    pub models: Vec<String>,
    /// One row per channel.
    pub rows: Vec<AttributionLine>,
}

/// A channel's credit under each model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributionLine {
    /// The channel.
    pub channel: String,
    /// Its cost in the period.
    pub cost: Option<f64>,
    /// Each model's credit, in the finding's model order.
    pub credits: Vec<CreditLine>,
}

/// One model's credit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditLine {
    /// Deals credited.
    pub conversions: f64,
    /// Amount credited.
    pub value: f64,
    /// The 90 % bootstrap interval of the deals credited (Markov, Shapley).
    pub interval: Option<(f64, f64)>,
}

/// What each channel added to a KPI, from the latest saved mix model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MixFinding {
    /// The outcome KPI.
    pub kpi: String,
    /// The method.
    pub method: String,
    /// The channels.
    pub channels: Vec<MixChannel>,
}

/// One channel of the mix model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MixChannel {
    /// The channel.
    pub channel: String,
    /// Spend over the fitted data.
    pub spend: f64,
    /// Its contribution to the KPI.
    pub contribution: Estimate,
    /// Its share of the channels' contributions.
    pub share: f64,
    /// Return per krona.
    pub roas: Estimate,
    /// Return of the next krona.
    pub mroas: Estimate,
    /// Whether the data identifies its effect.
    pub identifiable: bool,
}

/// What one activity did to a KPI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityLift {
    /// The activity.
    pub activity: String,
    /// Its name.
    pub name: String,
    /// Its first day.
    pub start: String,
    /// Its last day.
    pub end: String,
    /// The KPI.
    pub kpi: String,
    /// The effect over the activity and the days after.
    pub effect: Estimate,
    /// The posterior probability that the effect is positive.
    pub probability_positive: f64,
    /// Other activities in the window.
    pub overlapping: Vec<String>,
}

/// A decision followed up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// The decision.
    pub decision: String,
    /// The review it was taken at.
    pub review: Option<String>,
    /// `stop`, `start`, `continue`, `more`, `less`.
    pub action: String,
    /// What it is about.
    pub subject: String,
    /// Who carries it out.
    pub owner: Option<String>,
    /// The day it took effect.
    pub decided_on: String,
    /// The day of its follow-up.
    pub follow_up: String,
    /// Whether the follow-up date has come.
    pub due: bool,
    /// Due, and no outcome recorded.
    pub overdue: bool,
    /// Its KPIs when decided and now.
    pub kpis: Vec<FollowKpi>,
    /// The measured effect on the expected KPI.
    pub effect: Option<EffectMeasure>,
    /// The channel's spend and leads before and after.
    pub channel: Option<ChannelChange>,
    /// The lift, when the decision concerns a dated activity.
    pub lift: Option<ActivityLift>,
    /// `worked`, `did_not_work`, `too_early`.
    pub verdict: String,
    /// Why, in words.
    pub why: Text,
    /// The outcome recorded.
    pub outcome: Option<OutcomeLine>,
}

/// A decision's KPI when decided and now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowKpi {
    /// The KPI.
    pub kpi: String,
    /// Its name.
    pub name: Text,
    /// Its unit.
    pub unit: String,
    /// The period before the decision.
    pub decided_period: String,
    /// Its value then.
    pub at_decision: Option<f64>,
    /// The period now.
    pub now_period: String,
    /// Its value now.
    pub now: Option<f64>,
    /// Its target now.
    pub target: Option<f64>,
}

/// A decision's effect on its KPI over its follow-up window, against a counterfactual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectMeasure {
    /// The KPI.
    pub kpi: String,
    /// Its unit.
    pub unit: String,
    /// `up` or `down`.
    pub direction: String,
    /// The first week judged.
    pub window_start: String,
    /// The last day judged.
    pub window_end: String,
    /// Weeks judged.
    pub weeks: usize,
    /// The KPI observed over the window.
    pub observed: f64,
    /// What it would have been without the decision.
    pub counterfactual: Estimate,
    /// Observed minus counterfactual, with its 94 % interval.
    pub effect: Estimate,
    /// The effect relative to the counterfactual.
    pub relative: Estimate,
    /// The probability that the KPI moved the expected way.
    pub probability_expected: f64,
    /// The size expected (relative).
    pub expected_size: Option<f64>,
}

/// A channel before and after a decision, over windows of equal length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelChange {
    /// The channel.
    pub channel: String,
    /// Days in each window.
    pub days: i64,
    /// Spend before.
    pub spend_before: f64,
    /// Spend after.
    pub spend_after: f64,
    /// Leads whose original channel it is, before.
    pub leads_before: Option<f64>,
    /// After.
    pub leads_after: Option<f64>,
}

/// An outcome recorded for a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeLine {
    /// The verdict recorded.
    pub verdict: String,
    /// What was seen.
    pub note: Option<String>,
    /// Who.
    pub by: String,
}

/// A suggestion derived from the findings: evidence, not a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// `stop`, `start`, `continue`, `more`, `less` or `look_at`.
    pub action: String,
    /// What it is about.
    pub subject: String,
    /// The suggestion in words.
    pub text: Text,
    /// The evidence behind it.
    pub evidence: Text,
    /// Where it comes from: `mix`, `lift`, `scorecard`, `follow_up`.
    pub source: String,
}

/// A decision taken at the review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionLine {
    /// Its id.
    pub id: String,
    /// `stop`, `start`, `continue`, `more`, `less`.
    pub action: String,
    /// What it is about.
    pub subject: String,
    /// The KPIs it should move.
    pub kpis: Vec<String>,
    /// The expected effect, e.g. `leads up 15 %`.
    pub effect: Option<String>,
    /// Who carries it out.
    pub owner: Option<String>,
    /// When it is followed up.
    pub follow_up: Option<String>,
    /// Why.
    pub rationale: Option<String>,
}

/// The document model reviews are rendered from.
pub use utfall_report::{Document, markdown};
