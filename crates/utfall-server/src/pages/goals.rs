//! The goal tree: goals → KPIs → drivers, statuses rolled up.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, Query, State};
use axum::response::Response;
use utfall_app::views::GoalTree;

use super::Context;
use super::scorecard::Asked;
use crate::auth::Caller;
use crate::state::AppState;
use crate::view::{Layout, PageError, html, json as to_json, status_icon, status_key};

async fn tree(
    state: &AppState,
    caller: &Caller,
    asked: &Asked,
    api: bool,
) -> Result<(Context, Arc<GoalTree>), PageError> {
    let context = Context::of(state, caller, api).await?;
    let period =
        super::scorecard::parse_period(asked.period.as_deref(), &context.session.calendar, api)?;
    // From the scorecard of the same period, cached: the tree adds no query of its own.
    let card = super::scorecard::scorecard(state, &context, caller, period, api).await?;
    let tree = Arc::new(utfall_app::views::tree_of(
        &context.session,
        &card,
        Some(caller.locale),
    ));
    Ok((context, tree))
}

/// `GET /api/goals`.
pub(crate) async fn json(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(asked): Query<Asked>,
) -> Result<Response, PageError> {
    let (_, tree) = tree(&state, &caller, &asked, true).await?;
    Ok(to_json(&*tree))
}

struct NodeLine {
    id: String,
    name: String,
    depth: usize,
    relation: String,
    value: String,
    target: String,
    status: &'static str,
    status_class: String,
    status_icon: &'static str,
    status_text: String,
    rolled_differs: bool,
    rolled_class: String,
    rolled_icon: &'static str,
    rolled_text: String,
    owners: String,
}

struct GoalLine {
    id: String,
    name: String,
    description: String,
    period: String,
    owners: String,
    departments: String,
    parent: String,
    status_class: String,
    status_icon: &'static str,
    status_text: String,
    kpis: Vec<NodeLine>,
}

#[derive(Template)]
#[template(path = "goals.html")]
struct Page<'a> {
    layout: Layout<'a>,
    period: String,
    goals: Vec<GoalLine>,
    library: Vec<(String, String)>,
}

/// `GET /goals`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(asked): Query<Asked>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let (context, tree) = tree(&state, &caller, &asked, false).await?;
    let layout = context.layout(&state, &caller, "goals-title", "goals", &uri);
    let t = layout.t;
    let fmt = &context.fmt;
    let goals = tree
        .goals
        .iter()
        .map(|g| GoalLine {
            id: g.goal.clone(),
            name: g.name.clone(),
            description: g.description.clone().unwrap_or_default(),
            period: g.period.clone().unwrap_or_default(),
            owners: g.owners.join(", "),
            departments: g.departments.join(", "),
            parent: g.parent.clone().unwrap_or_default(),
            status_class: status_key(g.status),
            status_icon: status_icon(g.status),
            status_text: t.get(&status_key(g.status)),
            kpis: g
                .kpis
                .iter()
                .map(|k| {
                    let unit = context
                        .session
                        .workspace
                        .kpi(&k.kpi)
                        .map_or(utfall_model::kinds::Unit::Number, |d| d.unit());
                    NodeLine {
                        id: k.kpi.clone(),
                        name: k.name.clone(),
                        depth: k.depth.min(5),
                        relation: k.relation.clone().unwrap_or_default(),
                        value: fmt.value(unit, k.value),
                        target: k.target.map_or(String::new(), |v| fmt.value(unit, Some(v))),
                        status: k.status.as_str(),
                        status_class: status_key(k.status),
                        status_icon: status_icon(k.status),
                        status_text: t.get(&status_key(k.status)),
                        rolled_differs: k.rolled_up != k.status,
                        rolled_class: status_key(k.rolled_up),
                        rolled_icon: status_icon(k.rolled_up),
                        rolled_text: t.get(&status_key(k.rolled_up)),
                        owners: k.owners.join(", "),
                    }
                })
                .collect(),
        })
        .collect();
    html(
        Page {
            period: tree.period.to_string(),
            goals,
            library: utfall_app::definitions::library_entries(caller.locale, None)
                .into_iter()
                .filter(|e| context.session.workspace.kpi(&e.id).is_err())
                .map(|e| (e.id, e.name))
                .collect(),
            layout,
        }
        .render(),
    )
}
