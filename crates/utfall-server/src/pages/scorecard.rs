//! Home: the scorecard of the running or a chosen period.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, Query, State};
use axum::response::Response;
use serde::Deserialize;
use utfall_app::scorecard::{ScorecardRequest, status_counts};
use utfall_app::wire::{KpiExport, Scorecard};
use utfall_model::kinds::Direction;
use utfall_model::period::{Grain, Period};

use super::Context;
use crate::auth::Caller;
use crate::state::AppState;
use crate::view::{Layout, PageError, html, json as to_json, status_icon, status_key};

/// The scorecard's query.
#[derive(Debug, Deserialize)]
pub(crate) struct Asked {
    /// `FY2026-Q2`, `2026-05`, … (default: today's fiscal quarter).
    pub period: Option<String>,
}

/// A period asked for: it parses, and lies in the years 1900–2998 (the calendar's, with a
/// previous period and a last year to compare with).
pub(crate) fn parse_period(
    text: Option<&str>,
    calendar: &utfall_model::period::Calendar,
    api: bool,
) -> Result<Option<Period>, PageError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let bad = || {
        PageError::bad(
            format!(
                "`{text}` is not a period between 1900 and 2998 (e.g. FY2026-Q2, 2026-Q3, 2026-05)"
            ),
            api,
        )
    };
    let period: Period = text.parse().map_err(|_| bad())?;
    let (start, end) = (period.start(calendar), period.end_exclusive(calendar));
    if start.year() < 1901 || end.year() > 2998 || end <= start {
        return Err(bad());
    }
    Ok(Some(period))
}

/// The scorecard, cached.
pub(crate) async fn scorecard(
    state: &AppState,
    context: &Context,
    caller: &Caller,
    period: Option<Period>,
    api: bool,
) -> Result<Arc<Scorecard>, PageError> {
    let key = context.key(&format!("scorecard|{period:?}|{}", caller.locale));
    let session = context.session.clone();
    let locale = caller.locale;
    state
        .cache
        .get(key, async move {
            utfall_app::scorecard::scorecard(
                &session,
                &ScorecardRequest {
                    period,
                    by: None,
                    locale: Some(locale),
                },
            )
            .await
        })
        .await
        .map_err(|e| PageError::app(&e, api))
}

/// Every KPI's last 12 months, for the sparklines (one engine call, cached): when they are not
/// computed yet, they are computed in the background and the page shows none this once, so
/// that a first scorecard waits only for its own numbers.
fn trends(state: &Arc<AppState>, context: &Context) -> Option<Arc<KpiExport>> {
    let key = context.key("trends");
    if let Some(found) = state.cache.peek::<KpiExport>(&key) {
        return Some(found);
    }
    let session = context.session.clone();
    let today = session.today();
    let mut first = Period::containing(today, Grain::Month, &session.calendar);
    for _ in 0..11 {
        first = first.previous(&session.calendar);
    }
    let start = first.start(&session.calendar);
    let state = state.clone();
    tokio::spawn(async move {
        let _ = state
            .cache
            .get(key, async move {
                utfall_app::series::export(&session, Grain::Month, start, today).await
            })
            .await;
    });
    None
}

/// `GET /api/scorecard`.
pub(crate) async fn json_handler(
    state: &AppState,
    caller: &Caller,
    asked: &Asked,
) -> Result<Response, PageError> {
    let context = Context::of(state, caller, true).await?;
    let period = parse_period(asked.period.as_deref(), &context.session.calendar, true)?;
    Ok(to_json(
        &*scorecard(state, &context, caller, period, true).await?,
    ))
}

/// `GET /api/scorecard`: the same document as `utfall scorecard --format json`.
pub(crate) async fn json(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(asked): Query<Asked>,
) -> Result<Response, PageError> {
    json_handler(&state, &caller, &asked).await
}

struct CountLine {
    class: String,
    icon: &'static str,
    text: String,
}

struct KpiLine {
    id: String,
    name: String,
    depth: usize,
    raw: String,
    value: String,
    target: String,
    progress: Option<u32>,
    progress_text: String,
    status_class: String,
    status_icon: &'static str,
    status_text: String,
    forecast: String,
    vs_previous: String,
    previous_class: &'static str,
    vs_last_year: String,
    last_year_class: &'static str,
    sparkline: String,
}

struct GoalLine {
    id: String,
    name: String,
    status_class: String,
    status_icon: &'static str,
    status_text: String,
    kpis: Vec<KpiLine>,
}

#[derive(Template)]
#[template(path = "scorecard.html")]
struct Page<'a> {
    layout: Layout<'a>,
    period: String,
    previous: String,
    next: String,
    running_note: String,
    counts: Vec<CountLine>,
    goals: Vec<GoalLine>,
}

/// Whether a change is good, bad or neither, by the KPI's direction (never by the sign).
pub(crate) fn change_class(
    direction: Direction,
    value: Option<f64>,
    base: Option<f64>,
) -> &'static str {
    let (Some(v), Some(b)) = (value, base) else {
        return "";
    };
    let change = if b == 0.0 { 0.0 } else { (v - b) / b.abs() };
    if change.abs() < 0.005 {
        return "neutral";
    }
    match direction {
        Direction::Higher if change > 0.0 => "good",
        Direction::Lower if change < 0.0 => "good",
        Direction::Neutral => "neutral",
        _ => "bad",
    }
}

/// `GET /`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(asked): Query<Asked>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let period = parse_period(asked.period.as_deref(), &context.session.calendar, false)?;
    let card = scorecard(&state, &context, &caller, period, false).await?;
    // After the scorecard: on a cold cache the two would share the cores.
    let trends = trends(&state, &context);
    let layout = context.layout(&state, &caller, "scorecard-title", "scorecard", &uri);
    let t = layout.t;
    let fmt = &context.fmt;
    let session = &context.session;
    let calendar = &session.calendar;
    let counts = status_counts(&card)
        .into_iter()
        .map(|(status, n)| CountLine {
            class: status_key(status),
            icon: status_icon(status),
            text: format!("{} {}", n, t.get(&status_key(status))),
        })
        .collect();
    let mut goals: Vec<GoalLine> = Vec::new();
    for k in &card.kpis {
        if goals.last().is_none_or(|g| g.id != k.goal) {
            goals.push(GoalLine {
                id: k.goal.clone(),
                name: k.goal_name.clone(),
                status_class: String::new(),
                status_icon: "",
                status_text: String::new(),
                kpis: Vec::new(),
            });
        }
        let def = session.workspace.kpi(&k.kpi).ok();
        let direction = def.map_or(Direction::Higher, |d| d.direction());
        let sparkline = trends
            .as_ref()
            .and_then(|e| e.kpis.iter().find(|r| r.kpi == k.kpi))
            .map(|row| {
                utfall_chart::sparkline(
                    &row.values,
                    None,
                    &t.with("sparkline-label", "name", &k.name),
                )
            })
            .unwrap_or_default();
        let line = KpiLine {
            id: k.kpi.clone(),
            name: k.name.clone(),
            depth: k.depth.min(4),
            raw: k.value.map_or(String::new(), |v| v.to_string()),
            value: fmt.value(k.unit, k.value),
            target: match (k.target, k.target_kind) {
                (Some(target), Some(kind)) => format!(
                    "{} {}",
                    t.get(&format!("target-{kind}")),
                    fmt.value(k.unit, Some(target))
                ),
                _ => "–".into(),
            },
            progress: k
                .progress
                .map(|p| (p * 100.0).clamp(0.0, 100.0).round() as u32),
            progress_text: k.progress.map_or(String::new(), |p| fmt.percent(Some(p))),
            status_class: status_key(k.status),
            status_icon: status_icon(k.status),
            status_text: t.get(&status_key(k.status)),
            forecast: k.forecast.as_ref().map_or(String::new(), |f| {
                t.with(
                    "forecast-to-end",
                    "value",
                    &fmt.value(k.unit, Some(f.value)),
                )
            }),
            vs_previous: fmt.change(k.unit, k.value, k.previous),
            previous_class: change_class(direction, k.value, k.previous),
            vs_last_year: fmt.change(k.unit, k.value, k.last_year),
            last_year_class: change_class(direction, k.value, k.last_year),
            sparkline,
        };
        if let Some(goal) = goals.last_mut() {
            goal.kpis.push(line);
        }
    }
    for goal in &mut goals {
        let status = utfall_app::views::rolled_up(
            card.kpis
                .iter()
                .filter(|k| k.goal == goal.id)
                .map(|k| k.status),
        );
        goal.status_class = status_key(status);
        goal.status_icon = status_icon(status);
        goal.status_text = t.get(&status_key(status));
    }
    let running_note = if card.running {
        t.with(
            "running-note",
            "day",
            &format!(
                "{} / {}",
                card.day_of_period.unwrap_or(0),
                card.days_in_period
            ),
        )
    } else {
        t.get("closed-note")
    };
    html(
        Page {
            period: card.period.to_string(),
            previous: card.period.previous(calendar).to_string(),
            next: card.period.next(calendar).to_string(),
            running_note,
            counts,
            goals,
            layout,
        }
        .render(),
    )
}
