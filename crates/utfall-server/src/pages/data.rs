//! The data: tables with row counts and date ranges, the import log, the quarantine.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, State};
use axum::response::Response;
use utfall_app::views::DataOverview;

use super::Context;
use crate::auth::Caller;
use crate::state::AppState;
use crate::view::{Layout, PageError, html, json as to_json};

async fn load(
    state: &AppState,
    caller: &Caller,
    api: bool,
) -> Result<(Context, Arc<DataOverview>), PageError> {
    let context = Context::of(state, caller, api).await?;
    let session = context.session.clone();
    let overview = state
        .cache
        .get(context.key("data"), async move {
            utfall_app::views::data_overview(&session).await
        })
        .await
        .map_err(|e| PageError::app(&e, api))?;
    Ok((context, overview))
}

/// `GET /api/data`.
pub(crate) async fn json(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let (_, overview) = load(&state, &caller, true).await?;
    Ok(to_json(&*overview))
}

#[derive(Template)]
#[template(path = "data.html")]
struct Page<'a> {
    layout: Layout<'a>,
    tables: Vec<(String, String, String, String)>,
    imports: Vec<(String, String, String, String, String, String, String)>,
    quarantine: Vec<(String, String, String, String, String)>,
}

/// `GET /data`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let (context, overview) = load(&state, &caller, false).await?;
    let layout = context.layout(&state, &caller, "data-title", "data", &uri);
    let fmt = &context.fmt;
    let n = |v: u64| fmt.number(Some(v as f64), 0);
    let tables = overview
        .tables
        .iter()
        .map(|t| {
            (
                t.table.clone(),
                n(t.rows),
                t.first.clone().unwrap_or_else(|| "–".into()),
                t.last.clone().unwrap_or_else(|| "–".into()),
            )
        })
        .collect();
    let imports = overview
        .imports
        .iter()
        .map(|i| {
            (
                i.at.chars().take(19).collect::<String>().replace('T', " "),
                i.file.clone(),
                i.preset.clone(),
                i.tables.join(", "),
                n(i.imported),
                n(i.duplicates),
                n(i.rejected),
            )
        })
        .collect();
    let quarantine = overview
        .quarantine
        .iter()
        .take(500)
        .map(|q| {
            (
                q.file.clone(),
                q.line.clone(),
                q.column.clone(),
                q.reason.clone(),
                q.record.clone(),
            )
        })
        .collect();
    html(
        Page {
            tables,
            imports,
            quarantine,
            layout,
        }
        .render(),
    )
}
