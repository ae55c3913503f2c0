//! The API's description: `/api/openapi.json` (OpenAPI 3.1, made from the route table and the
//! result types' schemas) and a reference page rendered here (nothing loaded from elsewhere).

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, State};
use axum::response::Response;

use super::Context;
use crate::auth::Caller;
use crate::state::AppState;
use crate::view::{Layout, PageError, html, json};

/// `GET /api/openapi.json`.
pub(crate) async fn openapi() -> Response {
    json(&crate::openapi::document())
}

#[derive(Template)]
#[template(path = "api.html")]
struct Page<'a> {
    layout: Layout<'a>,
    operations: Vec<(String, String, String, String)>,
}

/// `GET /api`: every operation with its parameters.
pub(crate) async fn reference(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let layout = context.layout(&state, &caller, "api-title", "api", &uri);
    let operations = crate::openapi::operations()
        .into_iter()
        .map(|op| {
            (
                op.method.to_string(),
                op.path.to_string(),
                op.summary.to_string(),
                op.parameters
                    .iter()
                    .map(|p| p.0)
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        })
        .collect();
    html(Page { layout, operations }.render())
}
