//! Reviews in the browser: the list, opening a review for a period, its document with the
//! decisions taken at it, deciding, closing, exporting; the decision log with each decision's
//! KPI before and after and its outcome.

use std::sync::Arc;

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};
use utfall_app::review::{DecideRequest, OutcomeRequest, ReviewMeta};
use utfall_report::{Block, Document};

use super::{Context, encode, see_other};
use crate::auth::Caller;
use crate::state::AppState;
use crate::view::{Layout, PageError, html, json as to_json};

/// A review in the list.
#[derive(Debug, Serialize)]
struct Listed {
    id: String,
    period: String,
    status: String,
    held_on: Option<String>,
    opened_at: String,
    closed_at: Option<String>,
    closed_by: Option<String>,
}

async fn listed(state: &AppState, context: &Context, api: bool) -> Result<Vec<Listed>, PageError> {
    let records = utfall_app::review::list(&context.session, &state.store)
        .await
        .map_err(|e| PageError::app(&e, api))?;
    Ok(records
        .into_iter()
        .rev()
        .map(|r| Listed {
            id: r.id,
            period: r.period,
            status: r.status,
            held_on: r.held_on,
            opened_at: r.opened_at.strftime("%Y-%m-%d").to_string(),
            closed_at: r.closed_at.map(|c| c.strftime("%Y-%m-%d").to_string()),
            closed_by: r.closed_by,
        })
        .collect())
}

/// `GET /api/reviews`.
pub(crate) async fn list_json(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, true).await?;
    Ok(to_json(&listed(&state, &context, true).await?))
}

#[derive(Template)]
#[template(path = "reviews.html")]
struct ListPage<'a> {
    layout: Layout<'a>,
    reviews: Vec<Listed>,
    suggested: String,
}

/// `GET /reviews`.
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let reviews = listed(&state, &context, false).await?;
    let session = &context.session;
    let quarter = utfall_model::period::Period::containing(
        session.today(),
        utfall_model::period::Grain::FiscalQuarter,
        &session.calendar,
    );
    let layout = context.layout(&state, &caller, "reviews-title", "reviews", &uri);
    html(
        ListPage {
            layout,
            reviews,
            suggested: quarter.previous(&session.calendar).to_string(),
        }
        .render(),
    )
}

/// The open-a-review form.
#[derive(Debug, Deserialize)]
pub(crate) struct OpenForm {
    period: String,
    held_on: Option<String>,
    participants: Option<String>,
}

/// `POST /reviews`: opens (or refreshes) the review of a period.
pub(crate) async fn open(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<OpenForm>,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let text = form.period.trim();
    let period: utfall_model::period::Period = text
        .parse()
        .map_err(|_| PageError::bad(format!("`{text}` is not a period (e.g. FY2026-Q2)"), false))?;
    let held_on =
        match form
            .held_on
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            Some(day) => Some(day.parse().map_err(|_| {
                PageError::bad(format!("`{day}` is not a date (YYYY-MM-DD)"), false)
            })?),
            None => None,
        };
    let meta = ReviewMeta {
        id: utfall_app::review::default_id(period),
        period,
        held_on,
        participants: form
            .participants
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
        notes: None,
    };
    utfall_app::review::open(&context.session, &state.store, &meta)
        .await
        .map_err(|e| PageError::app(&e, false))?;
    super::audit(
        &state,
        &caller,
        "review.open",
        &meta.id,
        &format!("for {}", meta.period),
    )
    .await?;
    Ok(see_other(&format!("/reviews/{}", encode(&meta.id))))
}

/// One section of a review's document, as the page shows it.
struct SectionView {
    heading: String,
    blocks: Vec<BlockView>,
}

enum BlockView {
    Paragraph(String),
    List(Vec<String>),
    /// Cells with whether their column is numeric.
    Table {
        headers: Vec<(String, bool)>,
        rows: Vec<Vec<(String, bool)>>,
    },
}

fn sections(document: &Document) -> Vec<SectionView> {
    document
        .sections
        .iter()
        .map(|s| SectionView {
            heading: s.heading.clone(),
            blocks: s
                .blocks
                .iter()
                .map(|b| match b {
                    Block::Paragraph(text) => BlockView::Paragraph(text.clone()),
                    Block::List(items) => BlockView::List(items.clone()),
                    Block::Table(table) => {
                        let numeric = table.numeric_columns();
                        let is = |i: usize| numeric.get(i).copied().unwrap_or(false);
                        BlockView::Table {
                            headers: table
                                .headers
                                .iter()
                                .enumerate()
                                .map(|(i, h)| (h.clone(), is(i)))
                                .collect(),
                            rows: table
                                .rows
                                .iter()
                                .map(|row| {
                                    row.iter()
                                        .enumerate()
                                        .map(|(i, c)| (c.text.clone(), is(i)))
                                        .collect()
                                })
                                .collect(),
                        }
                    }
                })
                .collect(),
        })
        .collect()
}

struct DecisionView {
    id: String,
    action: String,
    subject: String,
    effect: String,
    owner: String,
    decided_on: String,
    follow_up: String,
    status: String,
    outcome: String,
    rationale: String,
}

fn decision_view(d: &utfall_store::Decision, t: crate::i18n::Tr<'_>) -> DecisionView {
    let n = &d.decision;
    let subject = n
        .activity
        .clone()
        .or_else(|| n.channel.clone())
        .or_else(|| n.campaign.clone())
        .unwrap_or_else(|| n.kpis.join(", "));
    DecisionView {
        id: n.id.clone(),
        action: t.get(&format!("action-{}", n.action)),
        subject,
        effect: n.effect.as_ref().map_or(String::new(), |e| {
            format!(
                "{} {}{}",
                e.kpi,
                if e.direction == "down" { "▼" } else { "▲" },
                e.size
                    .map_or(String::new(), |s| format!(" {}", t.locale.percent(s, 0)))
            )
        }),
        owner: n.owner.clone().unwrap_or_default(),
        decided_on: n.decided_on.clone(),
        follow_up: n.follow_up.clone().unwrap_or_default(),
        status: n.status.clone(),
        outcome: d.outcome.as_ref().map_or(String::new(), |o| {
            let verdict = t.get(&format!("outcome-{}", o.verdict));
            match &o.note {
                Some(note) => format!("{verdict}: {note}"),
                None => verdict,
            }
        }),
        rationale: n.rationale.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage<'a> {
    layout: Layout<'a>,
    id: String,
    title: String,
    subtitle: String,
    closed: bool,
    sections: Vec<SectionView>,
    decisions: Vec<DecisionView>,
    kpis: Vec<(String, String)>,
    follow_up: String,
}

/// `GET /reviews/{id}`.
pub(crate) async fn show(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let source = review_source(&state, &context, &id, false).await?;
    let review = source.review();
    let document = utfall_app::review::document(review, caller.locale);
    let mut layout = context.layout(&state, &caller, "reviews-title", "reviews", &uri);
    layout.title = document.title.clone();
    let t = layout.t;
    let decisions = state
        .store
        .decisions()
        .await?
        .iter()
        .filter(|d| d.decision.review_id.as_deref() == Some(id.as_str()))
        .map(|d| decision_view(d, t))
        .collect();
    let locale = caller.locale;
    let kpis = context
        .session
        .workspace
        .kpis
        .iter()
        .map(|k| {
            (
                k.def.id.get_ref().clone(),
                k.def.name.get_ref().get(locale).to_string(),
            )
        })
        .collect();
    let follow_up = context
        .session
        .today()
        .checked_add(jiff::Span::new().days(90))
        .map_or(String::new(), |d| d.to_string());
    html(
        ReviewPage {
            id: id.clone(),
            title: document.title.clone(),
            subtitle: document.subtitle.clone(),
            closed: review.closed.is_some(),
            sections: sections(&document),
            decisions,
            kpis,
            follow_up,
            layout,
        }
        .render(),
    )
}

/// A review as shown, cached until the data, the definitions, its decisions or its status
/// change (an open review is computed: attribution with intervals, lifts, follow-ups).
async fn review_source(
    state: &AppState,
    context: &Context,
    id: &str,
    api: bool,
) -> Result<Arc<utfall_app::review::ReviewSource>, PageError> {
    let status = state.store.review(id).await?.map(|r| r.status);
    let decisions = state.store.decisions().await?;
    let stamp = decisions
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{}",
                d.decision.id,
                d.decision.status,
                d.outcome.as_ref().map_or("", |o| o.verdict.as_str())
            )
        })
        .collect::<Vec<_>>()
        .join(",");
    let key = context.key(&format!("review|{id}|{status:?}|{stamp}"));
    let session = context.session.clone();
    let store = state.store.clone();
    let id = id.to_string();
    state
        .cache
        .get(key, async move {
            utfall_app::review::show(&session, &store, &id).await
        })
        .await
        .map_err(|e| not_found_or(e, api))
}

fn not_found_or(error: utfall_app::AppError, api: bool) -> PageError {
    if error.is_user() && error.to_string().starts_with("there is no review") {
        PageError::not_found(error.to_string(), api)
    } else {
        PageError::app(&error, api)
    }
}

/// `GET /api/reviews/{id}`: the review's JSON document (a closed one exactly as frozen).
pub(crate) async fn show_json(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, true).await?;
    let source = review_source(&state, &context, &id, true).await?;
    let text = source.json().map_err(|e| PageError::app(&e, true))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}

/// `GET /reviews/{id}/export/{format}`: `md`, `html`, `pdf` (when built with it), `xlsx`, `json`.
pub(crate) async fn export(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path((id, format)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let source = review_source(&state, &context, &id, false).await?;
    let (bytes, media) = utfall_app::review::render(&source, &format, caller.locale)
        .map_err(|e| PageError::app(&e, false))?;
    let name: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, media.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{name}.{}\"",
                    format.to_ascii_lowercase()
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The decide form.
#[derive(Debug, Deserialize)]
pub(crate) struct DecideForm {
    id: String,
    action: String,
    subject_kind: String,
    subject: String,
    kpi: Option<String>,
    direction: Option<String>,
    size: Option<String>,
    owner: Option<String>,
    why: Option<String>,
    follow_up: Option<String>,
}

fn filled(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// `POST /reviews/{id}/decisions`.
pub(crate) async fn decide(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(review): Path<String>,
    Form(form): Form<DecideForm>,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let subject = form.subject.trim().to_string();
    let size = match filled(&form.size) {
        Some(text) => Some(
            text.trim_end_matches('%')
                .trim()
                .replace(',', ".")
                .parse::<f64>()
                .map_err(|_| {
                    PageError::bad(format!("`{text}` is not a size in per cent"), false)
                })?
                / 100.0,
        ),
        None => None,
    };
    let follow_up =
        match filled(&form.follow_up) {
            Some(day) => Some(day.parse().map_err(|_| {
                PageError::bad(format!("`{day}` is not a date (YYYY-MM-DD)"), false)
            })?),
            None => None,
        };
    let kpi = filled(&form.kpi);
    let request = DecideRequest {
        id: form.id.trim().to_string(),
        review: Some(review.clone()),
        action: form.action.clone(),
        activity: (form.subject_kind == "activity").then(|| subject.clone()),
        channel: (form.subject_kind == "channel").then(|| subject.clone()),
        campaign: (form.subject_kind == "campaign").then(|| subject.clone()),
        kpis: kpi.iter().cloned().collect(),
        effect_kpi: kpi.filter(|_| filled(&form.direction).is_some()),
        direction: filled(&form.direction),
        size,
        owner: filled(&form.owner),
        rationale: filled(&form.why),
        expected: None,
        decided_on: None,
        follow_up,
        author: caller.author(),
        source: "web".into(),
    };
    utfall_app::review::decide(&context.session, &state.store, &request)
        .await
        .map_err(|e| PageError::app(&e, false))?;
    super::audit(
        &state,
        &caller,
        "decision.add",
        &request.id,
        &format!("{} in review {review}", request.action),
    )
    .await?;
    Ok(see_other(&format!("/reviews/{}", encode(&review))))
}

/// `POST /reviews/{id}/close`: pins the review to a snapshot and freezes its document.
pub(crate) async fn close(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    utfall_app::review::close(&context.session, &state.store, &id, &caller.author())
        .await
        .map_err(|e| not_found_or(e, false))?;
    super::audit(&state, &caller, "review.close", &id, "closed and frozen").await?;
    Ok(see_other(&format!("/reviews/{}", encode(&id))))
}

/// The decision log's filters.
#[derive(Debug, Deserialize)]
pub(crate) struct LogAsked {
    status: Option<String>,
    owner: Option<String>,
    action: Option<String>,
    /// Only decisions due for follow-up by this day.
    due: Option<String>,
}

async fn log(
    state: &AppState,
    asked: &LogAsked,
    api: bool,
) -> Result<Vec<utfall_store::Decision>, PageError> {
    let due = match asked.due.as_deref().filter(|d| !d.is_empty()) {
        Some(day) => Some(
            day.parse::<jiff::civil::Date>()
                .map_err(|_| PageError::bad(format!("`{day}` is not a date (YYYY-MM-DD)"), api))?
                .to_string(),
        ),
        None => None,
    };
    let keep = |value: &str, filter: &Option<String>| {
        filter
            .as_deref()
            .filter(|f| !f.is_empty())
            .is_none_or(|f| f == value)
    };
    Ok(state
        .store
        .decisions()
        .await?
        .into_iter()
        .filter(|d| keep(&d.decision.status, &asked.status))
        .filter(|d| keep(d.decision.owner.as_deref().unwrap_or(""), &asked.owner))
        .filter(|d| keep(&d.decision.action, &asked.action))
        .filter(|d| {
            due.as_ref()
                .is_none_or(|due| d.decision.follow_up.as_ref().is_some_and(|f| f <= due))
        })
        .collect())
}

/// `GET /api/decisions`: the decision log, filtered like the page.
pub(crate) async fn log_json(
    State(state): State<Arc<AppState>>,
    Query(asked): Query<LogAsked>,
) -> Result<Response, PageError> {
    Ok(to_json(&log(&state, &asked, true).await?))
}

#[derive(Template)]
#[template(path = "decisions.html")]
struct LogPage<'a> {
    layout: Layout<'a>,
    decisions: Vec<(DecisionView, String)>,
    status: String,
    owner: String,
    action: String,
    due: String,
}

/// `GET /decisions`.
pub(crate) async fn log_page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(asked): Query<LogAsked>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let decisions = log(&state, &asked, false).await?;
    let layout = context.layout(&state, &caller, "decisions-title", "decisions", &uri);
    let t = layout.t;
    let mut shown = Vec::new();
    for d in &decisions {
        let chart = decision_chart(&state, &context, d, t)
            .await
            .unwrap_or_default();
        shown.push((decision_view(d, t), chart));
    }
    html(
        LogPage {
            decisions: shown,
            status: asked.status.clone().unwrap_or_default(),
            owner: asked.owner.clone().unwrap_or_default(),
            action: asked.action.clone().unwrap_or_default(),
            due: asked.due.clone().unwrap_or_default(),
            layout,
        }
        .render(),
    )
}

/// The decision's KPI by week, 13 weeks before it to its follow-up (or today), the decision
/// marked.
async fn decision_chart(
    state: &AppState,
    context: &Context,
    d: &utfall_store::Decision,
    t: crate::i18n::Tr<'_>,
) -> Option<String> {
    let kpi = d
        .decision
        .effect
        .as_ref()
        .map(|e| e.kpi.clone())
        .or_else(|| d.decision.kpis.first().cloned())?;
    let decided: jiff::civil::Date = d.decision.decided_on.parse().ok()?;
    let session = context.session.clone();
    let today = session.today();
    let until = d
        .decision
        .follow_up
        .as_deref()
        .and_then(|f| f.parse::<jiff::civil::Date>().ok())
        .map_or(today, |f| f.min(today));
    let from = decided.checked_sub(jiff::Span::new().weeks(13)).ok()?;
    let key = context.key(&format!("decision|{kpi}|{from}|{until}|{}", t.locale));
    let request = utfall_app::series::SeriesRequest {
        kpi: kpi.clone(),
        grain: Some(utfall_model::period::Grain::Week),
        from: Some(from),
        to: Some(until),
        compare: None,
        locale: Some(t.locale),
    };
    let series = state
        .cache
        .get(key, async move {
            utfall_app::series::series(&session, &request).await
        })
        .await
        .ok()?;
    let calendar = &context.session.calendar;
    let labels: Vec<String> = series
        .values
        .iter()
        .map(|p| super::kpi::short_label(p.period, t.locale))
        .collect();
    let periods: Vec<String> = series.values.iter().map(|p| p.period.to_string()).collect();
    let index = series
        .values
        .iter()
        .position(|p| p.period.contains(decided, calendar))
        .unwrap_or(0);
    let marker_text = format!("{} {}", t.get("annotation-decision"), d.decision.id);
    let title = t.with("chart-title", "name", &series.name);
    let empty = String::new();
    Some(utfall_chart::kpi_chart(&utfall_chart::KpiChart {
        title: &title,
        description: &marker_text,
        locale: t.locale,
        unit: super::kpi::axis_unit(series.unit, &context.session.currency),
        periods: series
            .values
            .iter()
            .enumerate()
            .map(|(i, p)| utfall_chart::PeriodPoint {
                period: &periods[i],
                label: &labels[i],
                value: p.value,
                last_year: None,
                target: None,
                running: p.running,
                forecast: None,
            })
            .collect(),
        last_year_label: &empty,
        to_date_label: &empty,
        forecast_label: &empty,
        target_label: &empty,
        annotations: vec![utfall_chart::Marker {
            index,
            text: &marker_text,
            kind: utfall_chart::MarkerKind::Decision,
        }],
    }))
}

/// The outcome form.
#[derive(Debug, Deserialize)]
pub(crate) struct OutcomeForm {
    verdict: String,
    note: Option<String>,
}

/// `POST /decisions/{id}/outcome`.
pub(crate) async fn outcome(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, PageError> {
    utfall_app::review::record_outcome(
        &state.store,
        &OutcomeRequest {
            decision: id.clone(),
            verdict: form.verdict.clone(),
            note: filled(&form.note),
            by: caller.author(),
        },
    )
    .await
    .map_err(|e| PageError::app(&e, false))?;
    super::audit(&state, &caller, "decision.outcome", &id, &form.verdict).await?;
    Ok(see_other("/decisions"))
}
