//! The lift of one dated activity: its window's series (from the workspace or a CSV file)
//! judged against a Bayesian-regression counterfactual learnt on the days before.

use std::path::PathBuf;

use jiff::civil::Date;
use serde::Serialize;
use utfall_mmm::lift::{LiftInput, LiftResult};
use utfall_model::locale::Locale;

use super::file::{DataFile, read_data};
use super::workspace::{LiftWindow, Overlap};
use crate::error::AppError;

/// File mode: a CSV file with one row per day (or week) and the activity's dates.
#[derive(Debug, Clone)]
pub struct LiftFile {
    /// The file.
    pub path: PathBuf,
    /// The date column.
    pub date: String,
    /// The outcome column.
    pub target: String,
    /// Control columns.
    pub controls: Vec<String>,
    /// The activity's first day.
    pub start: Date,
    /// Its last day.
    pub end: Date,
}

/// The window of a file-mode lift: every row of the file.
pub fn lift_file(file: &LiftFile) -> Result<LiftWindow, AppError> {
    let data = read_data(&DataFile {
        path: file.path.clone(),
        date: file.date.clone(),
        target: file.target.clone(),
        channels: Vec::new(),
        controls: file.controls.clone(),
    })?;
    Ok(LiftWindow {
        name: String::new(),
        start: file.start,
        end: file.end,
        dates: data.dates.iter().filter_map(|d| d.parse().ok()).collect(),
        target: data.target,
        controls: data.controls,
        overlapping: Vec::new(),
    })
}

/// How the window is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiftSettings {
    /// Days before the start that train the counterfactual.
    pub pre_days: i64,
    /// Days after the end still counted as the activity's effect.
    pub post_days: i64,
    /// Whether the counterfactual follows the pre-period's linear trend (else its level).
    pub trend: bool,
    /// The seed of the posterior draws.
    pub seed: u64,
}

/// What the posterior says about the effect's sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A positive effect with probability at least 95 %.
    Raised,
    /// A negative effect with probability at least 95 %.
    Lowered,
    /// Neither.
    Unclear,
}

impl Verdict {
    /// The verdict of a probability of a positive effect.
    pub fn of(probability_positive: f64) -> Verdict {
        if probability_positive >= 0.95 {
            Verdict::Raised
        } else if probability_positive <= 0.05 {
            Verdict::Lowered
        } else {
            Verdict::Unclear
        }
    }

    /// The verdict as the start of a sentence ending with the KPI.
    pub fn sentence(self, locale: Locale) -> &'static str {
        match self {
            Verdict::Raised => locale.say(
                "Aktiviteten höjde med stor sannolikhet",
                "The activity very likely raised",
            ),
            Verdict::Lowered => locale.say(
                "Aktiviteten sänkte med stor sannolikhet",
                "The activity very likely lowered",
            ),
            Verdict::Unclear => locale.say("Ingen tydlig effekt på", "No clear effect on"),
        }
    }
}

/// The lift of an activity.
#[derive(Debug)]
pub struct LiftReport {
    /// The KPI (or the outcome column in file mode).
    pub kpi: String,
    /// The activity's first day.
    pub start: Date,
    /// Its last day.
    pub end: Date,
    /// The effect's sign.
    pub verdict: Verdict,
    /// Other activities in the window, whose effect is part of this one.
    pub overlapping: Vec<Overlap>,
    /// Whether the counterfactual followed a trend.
    pub trend: bool,
    /// The counterfactual, the effect and the fit, row by row.
    pub result: LiftResult,
}

/// Judges the window's post-period (the activity's days and `post_days` after) against a
/// counterfactual learnt on the `pre_days` before it.
pub fn lift(
    kpi: &str,
    window: LiftWindow,
    settings: &LiftSettings,
) -> Result<LiftReport, AppError> {
    let dates = &window.dates;
    let out_of_range = |_| AppError::user("the lift window runs past the calendar's dates");
    let days = |n: i64| jiff::Span::new().days(n);
    let index_of = |date: Date| dates.iter().position(|d| *d >= date).unwrap_or(dates.len());
    let post_start = index_of(window.start);
    let after = window
        .end
        .checked_add(days(settings.post_days + 1))
        .map_err(out_of_range)?;
    let post_end = index_of(after).min(dates.len());
    let before = window
        .start
        .checked_sub(days(settings.pre_days))
        .map_err(out_of_range)?;
    let pre_start = index_of(before);
    let daily = matches!(dates.as_slice(), [a, b, ..] if (*b - *a).get_days() == 1);
    let input = LiftInput {
        dates: dates.iter().map(|d| d.to_string()).collect(),
        weekday: daily.then(|| {
            dates
                .iter()
                .map(|d| d.weekday().to_monday_zero_offset() as usize)
                .collect()
        }),
        target: window.target,
        controls: window.controls,
        pre_start,
        post_start,
        post_end,
        trend: settings.trend,
        draws: 4000,
        seed: settings.seed,
    };
    let result = utfall_mmm::lift::lift(&input)?;
    Ok(LiftReport {
        kpi: kpi.to_string(),
        start: window.start,
        end: window.end,
        verdict: Verdict::of(result.probability_positive),
        overlapping: window.overlapping,
        trend: settings.trend,
        result,
    })
}

/// A lift as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct LiftDocument<'a> {
    /// The activity's last day.
    pub end: String,
    /// The KPI.
    pub kpi: &'a str,
    /// Other activities in the window.
    pub overlapping_activities: Vec<OverlapDocument<'a>>,
    /// The counterfactual, the effect and the fit.
    pub result: &'a LiftResult,
    /// The activity's first day.
    pub start: String,
    /// The verdict in words.
    pub verdict: &'static str,
}

/// Another activity in the window, as printed.
#[derive(Debug, Serialize)]
pub struct OverlapDocument<'a> {
    /// Its id.
    pub activity_id: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its first day.
    pub start: String,
}

impl LiftReport {
    /// The document `--format json` prints, the verdict in `locale`'s words.
    pub fn document(&self, locale: Locale) -> LiftDocument<'_> {
        LiftDocument {
            end: self.end.to_string(),
            kpi: &self.kpi,
            overlapping_activities: self
                .overlapping
                .iter()
                .map(|o| OverlapDocument {
                    activity_id: &o.id,
                    name: &o.name,
                    start: o.start.to_string(),
                })
                .collect(),
            result: &self.result,
            start: self.start.to_string(),
            verdict: self.verdict.sentence(locale),
        }
    }
}
