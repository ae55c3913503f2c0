//! The activity plan: planned vs actual cost, attributed conversions and revenue, and the lift
//! verdict of dated activities.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, State};
use axum::response::Response;
use utfall_app::views::ActivityPlan;

use super::Context;
use crate::auth::Caller;
use crate::state::AppState;
use crate::view::{Layout, PageError, html, json as to_json};

async fn load(
    state: &AppState,
    caller: &Caller,
    api: bool,
) -> Result<(Context, Arc<ActivityPlan>), PageError> {
    let context = Context::of(state, caller, api).await?;
    let session = context.session.clone();
    let plan = state
        .cache
        .get(context.key("activities"), async move {
            utfall_app::views::activities(&session).await
        })
        .await
        .map_err(|e| PageError::app(&e, api))?;
    Ok((context, plan))
}

/// `GET /api/activities`.
pub(crate) async fn json(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let (_, plan) = load(&state, &caller, true).await?;
    Ok(to_json(&*plan))
}

struct Line {
    id: String,
    name: String,
    kind: String,
    channel: String,
    dates: String,
    owner: String,
    planned: String,
    actual: String,
    over: &'static str,
    leads: String,
    won: String,
    revenue: String,
    lift: String,
    verdict: String,
    verdict_class: &'static str,
}

#[derive(Template)]
#[template(path = "activities.html")]
struct Page<'a> {
    layout: Layout<'a>,
    lines: Vec<Line>,
}

/// `GET /activities`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let (context, plan) = load(&state, &caller, false).await?;
    let layout = context.layout(&state, &caller, "activities-title", "activities", &uri);
    let t = layout.t;
    let fmt = &context.fmt;
    let lines = plan
        .activities
        .iter()
        .map(|a| Line {
            id: a.activity.clone(),
            name: a.name.clone(),
            kind: a.kind.clone().unwrap_or_default(),
            channel: a.channel.clone().unwrap_or_default(),
            dates: match &a.end {
                Some(end) if end != &a.start => format!("{} – {end}", a.start),
                _ => a.start.clone(),
            },
            owner: a.owner.clone().unwrap_or_default(),
            planned: fmt.money(a.planned),
            actual: fmt.money(a.actual),
            over: match (a.planned, a.actual) {
                (Some(p), Some(x)) if x > p * 1.05 => "bad",
                (Some(_), Some(_)) => "good",
                _ => "",
            },
            leads: fmt.number(a.leads, 1),
            won: fmt.number(a.won_deals, 1),
            revenue: fmt.money(a.revenue),
            lift: a.lift.as_ref().map_or(String::new(), |l| {
                format!(
                    "{} ({} – {})",
                    fmt.number(Some(l.effect.mean), 1),
                    fmt.number(Some(l.effect.low), 1),
                    fmt.number(Some(l.effect.high), 1)
                )
            }),
            verdict: a
                .verdict
                .map_or(String::new(), |v| t.get(&format!("verdict-{v}"))),
            verdict_class: match a.verdict {
                Some("worked") => "good",
                Some("did_not_work") => "bad",
                _ => "neutral",
            },
        })
        .collect();
    html(Page { lines, layout }.render())
}
