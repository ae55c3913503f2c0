//! The pages and their JSON twins. Each handler asks the application layer (through the
//! cache), then formats: a template for people, the same result as JSON for programs.

pub(crate) mod account;
pub(crate) mod activities;
pub(crate) mod api;
pub(crate) mod attribution;
pub(crate) mod data;
pub(crate) mod edit;
pub(crate) mod goals;
pub(crate) mod imports;
pub(crate) mod kpi;
pub(crate) mod mmm;
pub(crate) mod reviews;
pub(crate) mod scorecard;
pub(crate) mod workshop;

use std::sync::Arc;

use axum::extract::OriginalUri;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utfall_app::Session;

use crate::auth::Caller;
use crate::state::AppState;
use crate::view::{Fmt, Layout, PageError};

/// `/health`: the server is up and its workspace is open.
pub(crate) async fn health() -> Response {
    ([(header::CONTENT_TYPE, "text/plain")], "ok").into_response()
}

/// The stylesheet: the app's and the charts'.
pub(crate) async fn style() -> Response {
    static CSS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let css = CSS.get_or_init(|| {
        format!(
            "{}\n/* charts */\n{}\n",
            include_str!("../../assets/style.css"),
            utfall_chart::stylesheet()
        )
    });
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        css.as_str(),
    )
        .into_response()
}

/// Text with its `` `code` `` spans as `<code>`, everything escaped (for messages that name
/// commands).
pub(crate) fn inline_code(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            let escaped = crate::view::escape(part);
            if i % 2 == 1 {
                format!("<code>{escaped}</code>")
            } else {
                escaped
            }
        })
        .collect()
}

/// The icon.
pub(crate) async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../assets/favicon.svg"),
    )
        .into_response()
}

/// Any path no route has.
pub(crate) async fn not_found(uri: OriginalUri) -> Response {
    let api = uri.path().starts_with("/api/");
    PageError::not_found(format!("nothing at {}", uri.path()), api).into_response()
}

/// `text` percent-encoded for a query value.
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// What a handler works with: the open workspace, its generation (the cache key's prefix),
/// the formats of the caller's locale.
pub(crate) struct Context {
    pub session: Arc<Session>,
    pub generation: String,
    pub fmt: Fmt,
}

impl Context {
    /// The context of a request.
    pub async fn of(state: &AppState, caller: &Caller, api: bool) -> Result<Context, PageError> {
        let (session, generation) = state.session().await.map_err(|e| PageError::app(&e, api))?;
        let fmt = Fmt {
            locale: caller.locale,
            currency: session.currency.clone(),
        };
        Ok(Context {
            session,
            generation,
            fmt,
        })
    }

    /// A cache key for `what` in this generation.
    pub fn key(&self, what: &str) -> String {
        format!("{}|{what}", self.generation)
    }

    /// The layout of a page.
    pub fn layout<'a>(
        &self,
        state: &'a AppState,
        caller: &Caller,
        title_key: &str,
        nav: &'static str,
        here: &OriginalUri,
    ) -> Layout<'a> {
        let here = here.path_and_query().map_or("/", |p| p.as_str());
        Layout::new(
            &state.messages,
            caller,
            title_key,
            nav,
            self.session.name(),
            here,
        )
    }
}

/// A redirect after a form (303 See Other).
pub(crate) fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// Records a change in the audit log. The change is made by then; when the log cannot be
/// written the request fails and says so (a change is never silently left out of the log).
pub(crate) async fn audit(
    state: &AppState,
    caller: &Caller,
    action: &str,
    object: &str,
    detail: &str,
) -> Result<(), PageError> {
    let entry = utfall_store::NewAuditEntry {
        at: jiff::Timestamp::now(),
        actor: caller.author(),
        action: action.to_string(),
        object: object.to_string(),
        detail: detail.to_string(),
    };
    state
        .store
        .audit(&entry)
        .await
        .map(|_| ())
        .map_err(|error| {
            PageError::internal(
                format!("the change was made, but the audit log could not be written: {error}"),
                false,
            )
        })
}
