//! A KPI's values over time (`kpi show`), split by a dimension, every KPI at once (`kpi
//! export`), and read-only SQL over the workspace's tables.

pub use utfall_engine::rows::{Cell, CellValue, QueryResult};
use utfall_model::locale::Locale;
use utfall_model::period::{Grain, Period};

use crate::error::AppError;
use crate::scorecard::to_date;
use crate::session::Session;
use crate::wire::{ExportRow, KpiExport, KpiSeries, KpiSplitSeries, SeriesPoint, SplitPoint};

/// What each period is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// The period before.
    Previous,
    /// The same period last year.
    Year,
}

impl Compare {
    /// The documented spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Compare::Previous => "previous",
            Compare::Year => "year",
        }
    }
}

/// A range of periods of one KPI.
#[derive(Debug, Clone)]
pub struct SeriesRequest {
    /// The KPI.
    pub kpi: String,
    /// The grain (default: the KPI's, else month).
    pub grain: Option<Grain>,
    /// The first day (default: a year before `to`).
    pub from: Option<jiff::civil::Date>,
    /// The last day (default: today).
    pub to: Option<jiff::civil::Date>,
    /// What to compare each period with.
    pub compare: Option<Compare>,
    /// The language of names.
    pub locale: Option<Locale>,
}

/// Parses a grain's name, with the list in the hint.
pub fn parse_grain(text: &str) -> Result<Grain, AppError> {
    text.parse().map_err(|_| {
        AppError::user(format!("`{text}` is not a grain"))
            .hint("use day, week, month, quarter, fiscal_quarter, year or fiscal_year")
    })
}

/// The periods a request covers, and its grain.
fn periods(session: &Session, request: &SeriesRequest) -> Result<(Grain, Vec<Period>), AppError> {
    let def = session.workspace.kpi(&request.kpi)?;
    let grain = match request.grain {
        Some(grain) => grain,
        None => match &def.grain {
            Some(text) => parse_grain(text.get_ref())?,
            None => Grain::Month,
        },
    };
    let to = request.to.unwrap_or_else(|| session.today());
    let from = request
        .from
        .unwrap_or_else(|| to.checked_sub(jiff::Span::new().years(1)).unwrap_or(to));
    Ok((grain, Period::covering(from, to, grain, &session.calendar)))
}

/// Whether `period` is running today.
fn is_running(session: &Session, period: Period) -> bool {
    let today = session.today();
    period.start(&session.calendar) <= today && today < period.end_exclusive(&session.calendar)
}

/// A KPI's values per period; a running period is compared up to the same day of the period
/// it is compared with, as the scorecard does.
pub async fn series(session: &Session, request: &SeriesRequest) -> Result<KpiSeries, AppError> {
    let def = session.workspace.kpi(&request.kpi)?;
    let locale = session.locale(request.locale);
    let calendar = &session.calendar;
    let (grain, periods) = periods(session, request)?;
    let compared: Vec<Option<Period>> = periods
        .iter()
        .map(|p| {
            request.compare.map(|c| match c {
                Compare::Previous => p.previous(calendar),
                Compare::Year => p.same_period_last_year(calendar),
            })
        })
        .collect();
    let mut all = periods.clone();
    for base in compared.iter().flatten() {
        if !all.contains(base) {
            all.push(*base);
        }
    }
    let id = request.kpi.as_str();
    let values = session.engine.evaluate(&[id], &all).await?;
    let mut points = Vec::with_capacity(periods.len());
    for (period, compared) in periods.iter().zip(&compared) {
        let running = is_running(session, *period);
        let compare = match compared {
            Some(base) if running => {
                let elapsed = i64::from((session.today() - period.start(calendar)).get_days());
                let base = to_date(*base, elapsed, calendar);
                session.engine.evaluate(&[id], &[base]).await?.get(id, base)
            }
            Some(base) => values.get(id, *base),
            None => None,
        };
        points.push(SeriesPoint {
            period: *period,
            value: values.get(id, *period),
            compare,
            running,
        });
    }
    Ok(KpiSeries {
        kpi: request.kpi.clone(),
        name: def.name.get_ref().get(locale).to_string(),
        unit: def.unit(),
        grain,
        compare: request.compare.map(Compare::as_str),
        values: points,
        annotations: Vec::new(),
    })
}

/// A KPI's values per period and value of `dimension`, largest first, then the period's total.
pub async fn split_series(
    session: &Session,
    request: &SeriesRequest,
    dimension: &str,
) -> Result<KpiSplitSeries, AppError> {
    let def = session.workspace.kpi(&request.kpi)?;
    let locale = session.locale(request.locale);
    let (_, periods) = periods(session, request)?;
    let id = request.kpi.as_str();
    let split = session
        .engine
        .evaluate_by(&[id], &periods, dimension)
        .await?;
    let totals = session.engine.evaluate(&[id], &periods).await?;
    let mut lines = Vec::new();
    for period in &periods {
        let mut values: Vec<(&str, f64)> = split
            .values_of(id)
            .filter_map(|value| Some((value, split.get(id, value, *period)?)))
            .collect();
        values.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        for (value, v) in values {
            lines.push(SplitPoint {
                period: *period,
                dimension: dimension.to_string(),
                value_of: value.to_string(),
                value: Some(v),
            });
        }
        lines.push(SplitPoint {
            period: *period,
            dimension: dimension.to_string(),
            value_of: "(total)".to_string(),
            value: totals.get(id, *period),
        });
    }
    Ok(KpiSplitSeries {
        kpi: request.kpi.clone(),
        name: def.name.get_ref().get(locale).to_string(),
        unit: def.unit(),
        by: dimension.to_string(),
        values: lines,
    })
}

/// Every KPI of the workspace × every period of `grain` from `from` to `to`, in one engine call.
pub async fn export(
    session: &Session,
    grain: Grain,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<KpiExport, AppError> {
    let periods = Period::covering(from, to, grain, &session.calendar);
    let ids: Vec<&str> = session
        .workspace
        .kpis
        .iter()
        .map(|k| k.def.id.get_ref().as_str())
        .collect();
    let started = std::time::Instant::now();
    let values = session.engine.evaluate(&ids, &periods).await?;
    let seconds = started.elapsed().as_secs_f64();
    let running: Vec<bool> = periods.iter().map(|p| is_running(session, *p)).collect();
    let kpis = session
        .workspace
        .kpis
        .iter()
        .map(|k| {
            let id = k.def.id.get_ref();
            ExportRow {
                kpi: id.clone(),
                unit: k.def.unit(),
                values: values.series(id).to_vec(),
                running: running.clone(),
            }
        })
        .collect();
    Ok(KpiExport {
        grain,
        periods,
        kpis,
        seconds,
    })
}

/// Runs a read-only query over the workspace's tables.
pub async fn sql(session: &Session, query: &str) -> Result<QueryResult, AppError> {
    session.engine.sql(query).await.map_err(|error| {
        AppError::user(format!("the query failed: {error}"))
            .hint("only SELECT queries over the workspace's tables are allowed")
    })
}
