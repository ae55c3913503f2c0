//! The scorecard: every KPI of the goal tree in a period, with its target, status, previous
//! period and same period last year; a running period is compared to date and forecast.

use std::collections::BTreeMap;

use jiff::civil::Date;
use utfall_engine::SplitValues;
use utfall_engine::status::{Target, assess};
use utfall_model::locale::Locale;
use utfall_model::period::{Calendar, Grain, Period};
use utfall_model::tree::KpiTree;

use crate::error::AppError;
use crate::session::Session;
use crate::wire::{Forecast, Scorecard, ScorecardKpi, SplitLine};

/// What to show.
#[derive(Debug, Clone, Default)]
pub struct ScorecardRequest {
    /// The period (default: the fiscal quarter of today).
    pub period: Option<Period>,
    /// A dimension to split every KPI by (e.g. `channel`).
    pub by: Option<String>,
    /// The language of names.
    pub locale: Option<Locale>,
}

/// A period's comparisons: itself, the previous one and last year's, to date when running.
#[derive(Debug, Clone, Copy)]
pub struct Comparisons {
    /// Whether the period is running today.
    pub running: bool,
    /// Days of the period before today (0 when not running).
    pub elapsed: i64,
    /// The period (to date when running).
    pub current: Period,
    /// The previous period (to the same day when running).
    pub previous: Period,
    /// The same period last year (to the same day when running).
    pub last_year: Period,
    /// The whole of last year's period (for the seasonal forecast).
    pub last_year_whole: Period,
}

impl Comparisons {
    /// The comparisons of `period` as of `today`.
    pub fn of(period: Period, today: Date, calendar: &Calendar) -> Comparisons {
        let previous = period.previous(calendar);
        let last_year = period.same_period_last_year(calendar);
        let running = period.start(calendar) <= today && today < period.end_exclusive(calendar);
        let elapsed = if running {
            i64::from((today - period.start(calendar)).get_days())
        } else {
            0
        };
        let to_date = |p: Period| {
            if running {
                to_date(p, elapsed, calendar)
            } else {
                p
            }
        };
        Comparisons {
            running,
            elapsed,
            current: to_date(period),
            previous: to_date(previous),
            last_year: to_date(last_year),
            last_year_whole: last_year,
        }
    }

    /// The three periods evaluated.
    pub fn periods(&self) -> [Period; 3] {
        [self.current, self.previous, self.last_year]
    }
}

/// The first `elapsed + 1` days of `period` (never past its end).
pub fn to_date(period: Period, elapsed: i64, calendar: &Calendar) -> Period {
    let start = period.start(calendar);
    let last = period
        .end_exclusive(calendar)
        .checked_sub(jiff::Span::new().days(1))
        .unwrap_or(start);
    Period::Range {
        start,
        end: start
            .checked_add(jiff::Span::new().days(elapsed))
            .unwrap_or(start)
            .min(last),
    }
}

/// The target a KPI has for exactly `period`.
pub fn target_for(def: &utfall_model::workspace::KpiDef, period: Period) -> Option<Target> {
    def.target_for(period).map(|t| Target {
        kind: t.kind(),
        value: *t.value.get_ref(),
        amber: t.amber.as_ref().map_or(0.1, |a| *a.get_ref()),
    })
}

/// The scorecard of the workspace's goal tree.
pub async fn scorecard(
    session: &Session,
    request: &ScorecardRequest,
) -> Result<Scorecard, AppError> {
    scorecard_on(session, request, session.today()).await
}

/// The scorecard as it stood on `today` (its values to and including that day): what the
/// digests compare from one week or month to the next.
pub async fn scorecard_on(
    session: &Session,
    request: &ScorecardRequest,
    today: Date,
) -> Result<Scorecard, AppError> {
    let locale = session.locale(request.locale);
    let calendar = &session.calendar;
    let period = request
        .period
        .unwrap_or_else(|| Period::containing(today, Grain::FiscalQuarter, calendar));
    let compared = Comparisons::of(period, today, calendar);
    let tree = KpiTree::new(&session.workspace);
    let order = tree.goal_order();
    let ids: Vec<&str> = order.iter().map(|e| e.kpi.as_str()).collect();
    let last_year_whole = if compared.running {
        Some(
            session
                .engine
                .evaluate(&ids, &[compared.last_year_whole])
                .await?,
        )
    } else {
        None
    };
    let values = session.engine.evaluate(&ids, &compared.periods()).await?;
    let split = match &request.by {
        Some(dimension) => Some(split(session, &ids, &compared, dimension).await?),
        None => None,
    };
    let mut kpis = Vec::with_capacity(order.len());
    for entry in &order {
        let def = session.workspace.kpi(&entry.kpi)?;
        let id = entry.kpi.as_str();
        let (value, previous, last_year) = (
            values.get(id, compared.current),
            values.get(id, compared.previous),
            values.get(id, compared.last_year),
        );
        let target = target_for(def, period);
        let seasonal = last_year_whole
            .as_ref()
            .and_then(|v| v.get(id, compared.last_year_whole))
            .zip(last_year);
        let assessment = assess(value, target, period, today, calendar, seasonal);
        let goal_name = session
            .workspace
            .goals
            .iter()
            .find(|g| g.def.id.get_ref() == &entry.goal)
            .map_or(entry.goal.clone(), |g| {
                g.def.name.get_ref().get(locale).to_string()
            });
        kpis.push(ScorecardKpi {
            goal: entry.goal.clone(),
            goal_name,
            kpi: entry.kpi.clone(),
            depth: entry.depth,
            name: def.name.get_ref().get(locale).to_string(),
            unit: def.unit(),
            value,
            previous,
            last_year,
            target: target.map(|t| t.value),
            target_kind: target.map(|t| t.kind),
            progress: assessment.progress,
            status: assessment.status.into(),
            forecast: assessment.forecast.map(|(value, method)| Forecast {
                value,
                method: method.to_string(),
            }),
            by: split.as_ref().map(|s| split_lines(s, id, &compared)),
        });
    }
    Ok(Scorecard {
        workspace: session.name().to_string(),
        period,
        running: compared.running,
        day_of_period: compared.running.then_some(compared.elapsed + 1),
        days_in_period: i64::from(period.n_days(calendar)),
        previous: compared.previous,
        last_year: compared.last_year,
        split_by: request.by.clone(),
        kpis,
    })
}

/// Every KPI of the scorecard that can be split by `dimension`, in as few scans as the engine
/// can: all at once, else KPI by KPI, skipping only the KPIs whose tables lack the column.
/// Any other error is returned.
async fn split(
    session: &Session,
    ids: &[&str],
    compared: &Comparisons,
    dimension: &str,
) -> Result<SplitValues, AppError> {
    use utfall_engine::EngineError;
    let periods = compared.periods();
    let mut split = match session.engine.evaluate_by(ids, &periods, dimension).await {
        Ok(all) => return Ok(all),
        Err(EngineError::NoSuchColumn { .. }) => SplitValues::default(),
        Err(error) => return Err(error.into()),
    };
    for id in ids {
        match session.engine.evaluate_by(&[id], &periods, dimension).await {
            Ok(one) => split.extend(one),
            Err(EngineError::NoSuchColumn { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    if split.is_empty() {
        return Err(AppError::user(format!(
            "no KPI of the scorecard can be split by `{dimension}`"
        ))
        .hint("use a column of the KPIs' tables, e.g. channel, campaign_id, platform, source"));
    }
    Ok(split)
}

/// A KPI's dimension values with a value in the period, largest first.
fn split_lines(split: &SplitValues, id: &str, compared: &Comparisons) -> Vec<SplitLine> {
    let mut lines: Vec<SplitLine> = split
        .values_of(id)
        .filter_map(|value| {
            let current = split.get(id, value, compared.current)?;
            Some(SplitLine {
                value: value.to_string(),
                current: Some(current),
                previous: split.get(id, value, compared.previous),
                last_year: split.get(id, value, compared.last_year),
            })
        })
        .collect();
    lines.sort_by(|a, b| {
        b.current
            .unwrap_or(0.0)
            .total_cmp(&a.current.unwrap_or(0.0))
            .then(a.value.cmp(&b.value))
    });
    lines
}

/// How many KPIs have each status, in the alphabetical order of the statuses' spellings.
pub fn status_counts(scorecard: &Scorecard) -> Vec<(crate::wire::Status, usize)> {
    let mut counts: BTreeMap<&str, (crate::wire::Status, usize)> = BTreeMap::new();
    for kpi in &scorecard.kpis {
        counts
            .entry(kpi.status.as_str())
            .or_insert((kpi.status, 0))
            .1 += 1;
    }
    counts.into_values().collect()
}
