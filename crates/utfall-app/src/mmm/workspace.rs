//! The workspace side of mix modelling and lift: the KPI and spend series a model is fitted
//! on, the activity plan, a lift test's window, and fits saved on disk.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utfall_mmm::{Data, ModelSpec, Posterior, Series};
use utfall_model::kinds::Unit;
use utfall_model::period::{Grain, Period};

use crate::error::AppError;
use crate::session::Session;

/// A fit as saved on disk: enough to rebuild the model and its report without refitting.
#[derive(Debug, Serialize, Deserialize)]
pub struct SavedFit {
    /// The format's version.
    pub version: u32,
    /// The outcome KPI, in workspace mode.
    pub kpi: Option<String>,
    /// The outcome's unit (empty in file mode).
    pub unit: String,
    /// The series fitted.
    pub data: Data,
    /// The model's specification.
    pub spec: ModelSpec,
    /// The posterior draws.
    pub posterior: Posterior,
}

/// Where a workspace kept the fit of a KPI before fits moved into the store (still read when
/// the store has none).
pub fn fit_path(dir: &Path, kpi: &str) -> std::path::PathBuf {
    dir.join("models").join(format!("mmm-{kpi}.json"))
}

/// Where a saved fit is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FitSource {
    /// A file written by `utfall mmm fit --save FILE`.
    File(std::path::PathBuf),
    /// The newest fit of a KPI in the workspace's store.
    Workspace {
        /// The workspace folder.
        dir: std::path::PathBuf,
        /// The outcome KPI.
        kpi: String,
    },
}

/// Reads a saved fit from a file or the workspace's store (a workspace whose store has none
/// yet is read from `models/mmm-<kpi>.json`, where fits were kept before).
pub async fn load_fit(source: &FitSource) -> Result<SavedFit, AppError> {
    let (dir, kpi) = match source {
        FitSource::File(path) => return load(path),
        FitSource::Workspace { dir, kpi } => (dir, kpi),
    };
    let workspace = crate::session::load(dir)?;
    let store = crate::memory::open_store(dir, &workspace).await?;
    let latest = store.latest_fit(kpi).await?;
    store.close().await;
    match latest {
        Some(fit) => serde_json::from_str(&fit.document).map_err(|error| {
            AppError::internal(format!("the stored fit of {kpi} cannot be read")).caused_by(error)
        }),
        None if fit_path(dir, kpi).exists() => load(&fit_path(dir, kpi)),
        None => Err(AppError::user(format!("the store has no fit of {kpi}"))
            .hint(format!("fit first: `utfall mmm fit --kpi {kpi}`"))),
    }
}

/// Keeps a workspace fit in the store (the same JSON document a file holds).
pub async fn store_fit(dir: &Path, fit: &SavedFit) -> Result<(), AppError> {
    let kpi = fit.kpi.clone().unwrap_or_default();
    let text = serde_json::to_string(fit)
        .map_err(|error| AppError::internal("failed to encode the fit").caused_by(error))?;
    let workspace = crate::session::load(dir)?;
    let store = crate::memory::open_store(dir, &workspace).await?;
    store.save_fit(&kpi, &text, jiff::Timestamp::now()).await?;
    store.close().await;
    Ok(())
}

/// Writes a saved fit's JSON document to `path` (`mmm report --export`).
pub fn export_fit(fit: &SavedFit, path: &Path) -> Result<(), AppError> {
    save(path, fit)
}

/// Reads a saved fit.
pub fn load(path: &Path) -> Result<SavedFit, AppError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        AppError::user(format!("cannot read the fit `{}`: {e}", path.display()))
            .hint("fit first: `utfall mmm fit --kpi KPI` (workspace) or `utfall mmm fit --data FILE --save FILE`")
    })?;
    serde_json::from_str(&text).map_err(|error| {
        AppError::user(format!("`{}` is not a saved mix-model fit", path.display()))
            .caused_by(error)
    })
}

/// Saves a fit atomically.
pub fn save(path: &Path, fit: &SavedFit) -> Result<(), AppError> {
    let text = serde_json::to_string(fit)
        .map_err(|error| AppError::internal("failed to encode the fit").caused_by(error))?;
    crate::definitions::write_atomically(path, &text)
}

/// Spend per channel and day, from the workspace's `spend` table.
pub async fn spend_by_channel(
    session: &Session,
) -> Result<BTreeMap<String, BTreeMap<Date, f64>>, AppError> {
    if !session.engine.has_table("spend") {
        return Err(AppError::user("the workspace has no spend")
            .hint("import ad-platform reports and the activity plan first (`utfall import`)"));
    }
    let mut by_channel: BTreeMap<String, BTreeMap<Date, f64>> = BTreeMap::new();
    for row in session.engine.spend_rows().await? {
        let Some(cost) = row.cost else { continue };
        let channel = row.channel.unwrap_or_else(|| "unknown".to_string());
        *by_channel
            .entry(channel)
            .or_default()
            .entry(row.date)
            .or_default() += cost;
    }
    Ok(by_channel)
}

/// An activity of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its first day.
    pub start: Date,
    /// Its last day.
    pub end: Date,
}

/// Every activity of the plan: the imported activity table, then `activities.toml`.
pub async fn activities(session: &Session) -> Result<Vec<Activity>, AppError> {
    let mut out: Vec<Activity> = session
        .engine
        .activity_rows()
        .await?
        .into_iter()
        .map(|a| Activity {
            id: a.id,
            name: a.name,
            start: a.start,
            end: a.end,
        })
        .collect();
    for a in &session.workspace.activities {
        let date = utfall_model::workspace::civil_date;
        let Some(start) = date(a.def.start.get_ref()) else {
            continue;
        };
        let end = a
            .def
            .end
            .as_ref()
            .and_then(|e| date(e.get_ref()))
            .unwrap_or(start);
        if !out.iter().any(|o| &o.id == a.def.id.get_ref()) {
            out.push(Activity {
                id: a.def.id.get_ref().clone(),
                name: a.def.name.clone(),
                start,
                end,
            });
        }
    }
    Ok(out)
}

/// The series a workspace mix model is fitted on.
#[derive(Debug)]
pub struct WorkspaceSeries {
    /// The KPI per period, the spend per channel per period, and a trend.
    pub data: Data,
    /// The KPI's unit.
    pub unit: Unit,
}

/// The KPI per whole period (weeks or days up to the last one before today) and the spend per
/// channel in the same periods.
pub async fn workspace_series(
    session: &Session,
    kpi: &str,
    grain: Grain,
) -> Result<WorkspaceSeries, AppError> {
    if !matches!(grain, Grain::Week | Grain::Day) {
        return Err(AppError::user(format!(
            "`--grain {grain}`: a mix model needs weeks or days"
        )));
    }
    let def = session.workspace.kpi(kpi)?;
    let by_channel = spend_by_channel(session).await?;
    let first = by_channel
        .values()
        .filter_map(|d| d.keys().next())
        .min()
        .copied()
        .unwrap_or(Date::MIN);
    let last = by_channel
        .values()
        .filter_map(|d| d.keys().next_back())
        .max()
        .copied()
        .unwrap_or(Date::MIN);
    let today = session.today();
    let calendar = &session.calendar;
    // Whole periods only: from the one holding the first spend to the last one before today.
    let mut periods = Period::covering(first, last.min(today), grain, calendar);
    if periods
        .last()
        .is_some_and(|p| p.end_exclusive(calendar) > today)
    {
        periods.pop();
    }
    let values = session.engine.evaluate(&[kpi], &periods).await?;
    let series = values.series(kpi);
    // Periods where the KPI has no value (before its data starts) are left out at both ends.
    let start = series
        .iter()
        .position(Option::is_some)
        .unwrap_or(series.len());
    let end = series
        .iter()
        .rposition(Option::is_some)
        .map_or(start, |i| i + 1);
    let periods = &periods[start..end];
    let target: Vec<f64> = series[start..end]
        .iter()
        .map(|v| v.unwrap_or(0.0))
        .collect();
    let starts: Vec<Date> = periods.iter().map(|p| p.start(calendar)).collect();
    let mut channels = Vec::new();
    for (name, by_day) in &by_channel {
        let values: Vec<f64> = periods
            .iter()
            .map(|p| {
                by_day
                    .range(p.start(calendar)..p.end_exclusive(calendar))
                    .map(|(_, v)| v)
                    .sum()
            })
            .collect();
        if values.iter().any(|v| *v > 0.0) {
            channels.push(Series {
                name: name.clone(),
                values,
            });
        }
    }
    let n = target.len();
    Ok(WorkspaceSeries {
        data: Data {
            dates: starts.iter().map(|d| d.to_string()).collect(),
            day_of_year: starts.iter().map(|d| d.day_of_year() as f64).collect(),
            target,
            channels,
            controls: vec![Series {
                name: "t".into(),
                values: (0..n).map(|t| t as f64).collect(),
            }],
        },
        unit: def.unit(),
    })
}

/// A lift test's request in workspace mode.
#[derive(Debug, Clone)]
pub struct LiftRequest {
    /// The activity.
    pub activity: String,
    /// The KPI it should have moved.
    pub kpi: String,
    /// KPIs that were not affected, as controls.
    pub control_kpis: Vec<String>,
    /// Days before the activity to learn from.
    pub pre_days: i64,
    /// Days after its end that count as its effect.
    pub post_days: i64,
    /// Whether concurrent daily spend is used as controls.
    pub spend_controls: bool,
}

/// The daily series around an activity.
#[derive(Debug, Clone)]
pub struct LiftWindow {
    /// The activity's name.
    pub name: String,
    /// Its first day.
    pub start: Date,
    /// Its last day.
    pub end: Date,
    /// One date per day of the window.
    pub dates: Vec<Date>,
    /// The KPI per day.
    pub target: Vec<f64>,
    /// The controls per day.
    pub controls: Vec<Series>,
    /// Other activities that ran in the window.
    pub overlapping: Vec<Overlap>,
}

/// Another activity that ran in a lift window: its effect is part of the one measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its first day.
    pub start: Date,
}

/// The KPI, its controls and concurrent spend per day from `pre` days before an activity to
/// `post` days after its end.
pub async fn lift_window(session: &Session, request: &LiftRequest) -> Result<LiftWindow, AppError> {
    let plan = activities(session).await?;
    let Some(activity) = plan.iter().find(|a| a.id == request.activity).cloned() else {
        return Err(AppError::user(format!(
            "no activity `{}` in the activity plan",
            request.activity
        ))
        .hint("see `utfall sql \"SELECT activity_id, name, start_date FROM activities\"`"));
    };
    let days = |n: i64| jiff::Span::new().days(n);
    let out_of_range = |_| AppError::user("the lift window runs past the calendar's dates");
    let window_end = activity
        .end
        .checked_add(days(request.post_days))
        .map_err(out_of_range)?;
    let first = activity
        .start
        .checked_sub(days(request.pre_days))
        .map_err(out_of_range)?;
    let overlapping = plan
        .iter()
        .filter(|a| a.id != activity.id && a.start <= window_end && a.end >= activity.start)
        .map(|a| Overlap {
            id: a.id.clone(),
            name: a.name.clone(),
            start: a.start,
        })
        .collect();
    let periods = Period::covering(first, window_end, Grain::Day, &session.calendar);
    let mut ids = vec![request.kpi.as_str()];
    ids.extend(request.control_kpis.iter().map(String::as_str));
    let values = session.engine.evaluate(&ids, &periods).await?;
    let series =
        |id: &str| -> Vec<f64> { values.series(id).iter().map(|v| v.unwrap_or(0.0)).collect() };
    let dates: Vec<Date> = periods.iter().map(|p| p.start(&session.calendar)).collect();
    let mut controls: Vec<Series> = request
        .control_kpis
        .iter()
        .map(|id| Series {
            name: id.clone(),
            values: series(id),
        })
        .collect();
    // Concurrent ad spend that runs day by day (not monthly invoices) as controls: budgets
    // moved at the same time as the activity would otherwise pass for its effect.
    if request.spend_controls {
        for (channel, by_day) in spend_by_channel(session).await? {
            let values: Vec<f64> = dates
                .iter()
                .map(|d| by_day.get(d).copied().unwrap_or(0.0))
                .collect();
            let active = values.iter().filter(|v| **v > 0.0).count();
            if active * 10 >= values.len() * 9 {
                controls.push(Series {
                    name: format!("spend:{channel}"),
                    values,
                });
            }
        }
    }
    Ok(LiftWindow {
        name: activity.name,
        start: activity.start,
        end: activity.end,
        dates,
        target: series(&request.kpi),
        controls,
        overlapping,
    })
}
