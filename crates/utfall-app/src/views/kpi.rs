//! One KPI's page.

use jiff::civil::Date;
use serde::Serialize;
use utfall_model::kinds::TargetKind;
use utfall_model::locale::Locale;
use utfall_model::period::{Grain, Period};

use crate::error::AppError;
use crate::scorecard::Comparisons;
use crate::series::{Compare, SeriesRequest, parse_grain};
use crate::session::Session;
use crate::wire::{Explanation, Forecast, Status, display, display_option};

/// Which periods of which KPI.
#[derive(Debug, Clone)]
pub struct KpiPageRequest {
    /// The KPI.
    pub kpi: String,
    /// The grain (default: that of its targets, else the KPI's, else month).
    pub grain: Option<Grain>,
    /// How many periods back from the running one (default: 12 months, 8 quarters, 26 weeks…).
    pub window: Option<usize>,
    /// The language of names.
    pub locale: Option<Locale>,
}

/// A period's target as a band: `low`..`high` is on target, the amber zone next to it at risk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodTarget {
    /// What the target asks.
    #[serde(serialize_with = "display")]
    pub kind: TargetKind,
    /// The target's value.
    pub value: f64,
    /// The band's lower bound (`None`: open below).
    pub low: Option<f64>,
    /// The band's upper bound (`None`: open above).
    pub high: Option<f64>,
    /// The amber zone's bounds, next to the band.
    pub amber: Option<(f64, f64)>,
}

impl PeriodTarget {
    /// The band of a target of `kind` at `value` with `amber` (a share of the value).
    pub fn of(kind: TargetKind, value: f64, amber: f64) -> PeriodTarget {
        let margin = value.abs() * amber;
        let (low, high, amber) = match kind {
            TargetKind::Reach | TargetKind::Above => {
                (Some(value), None, Some((value - margin, value)))
            }
            TargetKind::Below => (None, Some(value), Some((value, value + margin))),
        };
        PeriodTarget {
            kind,
            value,
            low,
            high,
            amber,
        }
    }
}

/// One period on the KPI page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PagePoint {
    /// The period.
    #[serde(serialize_with = "display")]
    pub period: Period,
    /// Its value (to date when running).
    pub value: Option<f64>,
    /// The same period last year (by period number; to the same day when running).
    pub last_year: Option<f64>,
    /// Whether it is still running.
    pub running: bool,
    /// Its target, when it has one at this grain.
    pub target: Option<PeriodTarget>,
    /// How the value stands against it.
    pub status: Status,
    /// The forecast to its end, when running with a `reach` target.
    pub forecast: Option<Forecast>,
}

/// What a KPI is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiDefinition {
    /// Its description in the asked language.
    pub description: Option<String>,
    /// Why it is measured.
    pub purpose: Option<String>,
    /// Its formula.
    pub formula: Option<String>,
    /// Its owners.
    pub owners: Vec<String>,
    /// Its departments.
    pub departments: Vec<String>,
    /// Its sources.
    pub sources: Vec<String>,
    /// How it is measured, in words.
    pub method: Option<String>,
    /// Which way is good.
    pub direction: String,
    /// The goal it serves.
    pub goal: Option<String>,
    /// The KPI it drives.
    pub parent: Option<String>,
    /// The KPIs that drive it.
    pub children: Vec<String>,
}

/// A KPI's page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiPage {
    /// The KPI's id.
    pub kpi: String,
    /// Its name in the asked language.
    pub name: String,
    /// Its unit.
    #[serde(serialize_with = "display")]
    pub unit: utfall_model::kinds::Unit,
    /// The currency of money values.
    pub currency: String,
    /// The grain shown.
    #[serde(serialize_with = "display")]
    pub grain: Grain,
    /// One point per period, oldest first.
    pub values: Vec<PagePoint>,
    /// The drivers of the latest change (the last whole period against the one before), when
    /// the KPI can be explained.
    pub explanation: Option<Explanation>,
    /// Why it could not be explained, when it could not.
    #[serde(serialize_with = "display_option")]
    pub unexplained: Option<String>,
    /// What it is.
    pub definition: KpiDefinition,
    /// The versions of its definition the store has seen.
    pub versions: Vec<utfall_store::DefinitionVersion>,
    /// The annotations in the window.
    pub annotations: Vec<utfall_store::Annotation>,
}

/// The grain a KPI is best read at: that of its targets, else its own, else month.
fn default_grain(def: &utfall_model::workspace::KpiDef) -> Result<Grain, AppError> {
    if let Some(period) = def.target.iter().rev().find_map(|t| t.period()) {
        return Ok(period.grain());
    }
    match &def.grain {
        Some(text) => parse_grain(text.get_ref()),
        None => Ok(Grain::Month),
    }
}

/// How many periods a window shows by default.
fn default_window(grain: Grain) -> usize {
    match grain {
        Grain::Day => 42,
        Grain::Week => 26,
        Grain::Month => 13,
        Grain::Quarter | Grain::FiscalQuarter => 8,
        _ => 4,
    }
}

/// The first day of the window of `n` periods of `grain` ending with the one running `today`.
fn window_start(session: &Session, grain: Grain, n: usize, today: Date) -> Date {
    let mut period = Period::containing(today, grain, &session.calendar);
    for _ in 1..n.max(1) {
        period = period.previous(&session.calendar);
    }
    period.start(&session.calendar)
}

/// A KPI's page: its series against last year and its targets, the running period's forecast,
/// the drivers of its latest change, its definition and versions, and the annotations.
pub async fn kpi_page(
    session: &Session,
    store: Option<&utfall_store::Store>,
    request: &KpiPageRequest,
) -> Result<KpiPage, AppError> {
    let def = session.workspace.kpi(&request.kpi)?;
    let locale = session.locale(request.locale);
    let grain = match request.grain {
        Some(grain) => grain,
        None => default_grain(def)?,
    };
    let today = session.today();
    let n = request
        .window
        .unwrap_or_else(|| default_window(grain))
        .clamp(1, 400);
    let from = window_start(session, grain, n, today);
    let series = crate::series::series(
        session,
        &SeriesRequest {
            kpi: request.kpi.clone(),
            grain: Some(grain),
            from: Some(from),
            to: Some(today),
            compare: Some(Compare::Year),
            locale: request.locale,
        },
    )
    .await?;
    let mut values = Vec::with_capacity(series.values.len());
    for point in &series.values {
        let target = crate::scorecard::target_for(def, point.period);
        let seasonal = match target {
            Some(_) if point.running => {
                seasonal(session, &request.kpi, point.period, today).await?
            }
            _ => None,
        };
        let assessment = utfall_engine::status::assess(
            point.value,
            target,
            point.period,
            today,
            &session.calendar,
            seasonal,
        );
        values.push(PagePoint {
            period: point.period,
            value: point.value,
            last_year: point.compare,
            running: point.running,
            target: target.map(|t| PeriodTarget::of(t.kind, t.value, t.amber)),
            status: assessment.status.into(),
            forecast: assessment.forecast.map(|(value, method)| Forecast {
                value,
                method: method.to_string(),
            }),
        });
    }
    let (explanation, unexplained) = latest_change(session, request, &values).await;
    let (versions, annotations) = match store {
        Some(store) => {
            let to = values
                .last()
                .map(|p| p.period.end_exclusive(&session.calendar))
                .and_then(|d| d.yesterday().ok());
            (
                store.versions(Some(&request.kpi)).await?,
                crate::memory::annotations(session, store, Some(&request.kpi), Some(from), to)
                    .await?,
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    Ok(KpiPage {
        kpi: request.kpi.clone(),
        name: def.name.get_ref().get(locale).to_string(),
        unit: def.unit(),
        currency: def
            .currency
            .as_ref()
            .map_or(session.currency.clone(), |c| c.get_ref().clone()),
        grain,
        values,
        explanation,
        unexplained,
        definition: definition(session, def, locale),
        versions,
        annotations,
    })
}

/// Last year's whole period and to date, for the seasonal forecast of a running period.
async fn seasonal(
    session: &Session,
    kpi: &str,
    period: Period,
    today: Date,
) -> Result<Option<(f64, f64)>, AppError> {
    let comparisons = Comparisons::of(period, today, &session.calendar);
    let whole = comparisons.last_year_whole;
    let to_date = comparisons.last_year;
    // A whole period and a range are different grains: two evaluations.
    let full = session
        .engine
        .evaluate(&[kpi], &[whole])
        .await?
        .get(kpi, whole);
    let part = session
        .engine
        .evaluate(&[kpi], &[to_date])
        .await?
        .get(kpi, to_date);
    Ok(full.zip(part))
}

/// The drivers of the last period's change against the one before.
async fn latest_change(
    session: &Session,
    request: &KpiPageRequest,
    values: &[PagePoint],
) -> (Option<Explanation>, Option<String>) {
    // The last whole period: a running one against a whole previous one would explain the
    // days not yet gone by.
    let Some(last) = values
        .iter()
        .rev()
        .find(|p| p.value.is_some() && !p.running)
    else {
        return (None, None);
    };
    let asked = crate::explain::ExplainRequest {
        kpi: request.kpi.clone(),
        period: last.period,
        vs: crate::explain::Base::Previous,
        by: None,
        top: 5,
        locale: request.locale,
    };
    match crate::explain::explain(session, &asked).await {
        Ok(explanation) => (Some(explanation), None),
        Err(error) => (None, Some(error.to_string())),
    }
}

fn definition(
    session: &Session,
    def: &utfall_model::workspace::KpiDef,
    locale: Locale,
) -> KpiDefinition {
    let id = def.id.get_ref();
    KpiDefinition {
        description: def.description.as_ref().map(|d| d.get(locale).to_string()),
        purpose: def.purpose.clone(),
        formula: def.formula.as_ref().map(|f| f.get_ref().clone()),
        owners: def.owners.iter().map(|s| s.get_ref().clone()).collect(),
        departments: def
            .departments
            .iter()
            .map(|s| s.get_ref().clone())
            .collect(),
        sources: def.sources.iter().map(|s| s.get_ref().clone()).collect(),
        method: def.method.clone(),
        direction: def.direction.get_ref().clone(),
        goal: def.goal.as_ref().map(|g| g.get_ref().clone()),
        parent: def.parent.as_ref().map(|p| p.get_ref().clone()),
        children: session
            .workspace
            .kpis
            .iter()
            .filter(|k| k.def.parent.as_ref().is_some_and(|p| p.get_ref() == id))
            .map(|k| k.def.id.get_ref().clone())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_bands_follow_what_the_target_asks() {
        // reach 200 with a 10 % amber zone: on target from 200 up, at risk 180–200.
        let reach = PeriodTarget::of(TargetKind::Reach, 200.0, 0.1);
        assert_eq!(
            (reach.low, reach.high, reach.amber),
            (Some(200.0), None, Some((180.0, 200.0)))
        );
        // below 50 with 20 %: on target up to 50, at risk 50–60.
        let below = PeriodTarget::of(TargetKind::Below, 50.0, 0.2);
        assert_eq!(
            (below.low, below.high, below.amber),
            (None, Some(50.0), Some((50.0, 60.0)))
        );
    }
}
