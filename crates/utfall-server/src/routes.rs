//! Every route, with the least role it needs, and the guard that checks it on every request:
//! security headers, the caller's session and language, the role, and on a POST the `Origin`
//! and the CSRF token. A route missing from [`ROUTES`] is refused by the guard.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::auth::{self, Caller, LOGIN_COOKIE, SESSION_COOKIE};
use crate::pages;
use crate::state::AppState;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// Anyone, logged in or not.
    Anyone,
    /// A viewer, editor or admin.
    Viewer,
    /// An editor or admin.
    Editor,
    /// An admin.
    Admin,
}

/// A route: method, path (axum's syntax) and the least role.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path, with `{name}` for a parameter.
    pub path: &'static str,
    /// Who may use it.
    pub need: Need,
}

const fn route(method: &'static str, path: &'static str, need: Need) -> Route {
    Route { method, path, need }
}

/// Every route of the web app.
pub const ROUTES: &[Route] = &[
    route("GET", "/health", Need::Anyone),
    route("GET", "/assets/style.css", Need::Anyone),
    route("GET", "/favicon.svg", Need::Anyone),
    route("GET", "/login", Need::Anyone),
    route("POST", "/login", Need::Anyone),
    route("POST", "/logout", Need::Viewer),
    route("GET", "/", Need::Viewer),
    route("GET", "/goals", Need::Viewer),
    route("GET", "/kpi/{id}", Need::Viewer),
    route("GET", "/kpi/{id}/values.csv", Need::Viewer),
    route("GET", "/kpi/{id}/edit", Need::Editor),
    route("POST", "/kpi/{id}/edit", Need::Editor),
    route("POST", "/goals/kpis", Need::Editor),
    route("GET", "/workshop", Need::Editor),
    route("POST", "/workshop", Need::Editor),
    route("POST", "/workshop/write", Need::Editor),
    route("GET", "/workshop/{goal}", Need::Viewer),
    route("GET", "/kpi/{id}/values.xlsx", Need::Viewer),
    route("GET", "/attribution", Need::Viewer),
    route("GET", "/mmm", Need::Viewer),
    route("POST", "/mmm/fit", Need::Editor),
    route("POST", "/kpi/{id}/annotations", Need::Editor),
    route("POST", "/kpi/{id}/comments", Need::Editor),
    route("GET", "/reviews", Need::Viewer),
    route("POST", "/reviews", Need::Editor),
    route("GET", "/reviews/{id}", Need::Viewer),
    route("POST", "/reviews/{id}/decisions", Need::Editor),
    route("POST", "/reviews/{id}/close", Need::Editor),
    route("GET", "/reviews/{id}/export/{format}", Need::Viewer),
    route("GET", "/decisions", Need::Viewer),
    route("POST", "/decisions/{id}/outcome", Need::Editor),
    route("GET", "/activities", Need::Viewer),
    route("GET", "/data", Need::Viewer),
    route("GET", "/data/import", Need::Editor),
    route("POST", "/data/import", Need::Editor),
    route("GET", "/data/import/{id}", Need::Editor),
    route("POST", "/data/import/{id}", Need::Editor),
    route("GET", "/admin/audit", Need::Admin),
    route("GET", "/account", Need::Viewer),
    route("POST", "/account/password", Need::Viewer),
    route("POST", "/account/language", Need::Viewer),
    route("POST", "/account/subscriptions", Need::Viewer),
    route("GET", "/admin/people", Need::Admin),
    route("POST", "/admin/people", Need::Admin),
    route("GET", "/api", Need::Viewer),
    route("GET", "/api/openapi.json", Need::Anyone),
    route("GET", "/api/me", Need::Viewer),
    route("GET", "/api/scorecard", Need::Viewer),
    route("GET", "/api/goals", Need::Viewer),
    route("GET", "/api/kpi/{id}", Need::Viewer),
    route("GET", "/api/attribution", Need::Viewer),
    route("GET", "/api/mmm", Need::Viewer),
    route("GET", "/api/mmm/plan", Need::Viewer),
    route("GET", "/api/reviews", Need::Viewer),
    route("GET", "/api/reviews/{id}", Need::Viewer),
    route("GET", "/api/decisions", Need::Viewer),
    route("GET", "/api/activities", Need::Viewer),
    route("GET", "/api/data", Need::Viewer),
    route("GET", "/api/uploads/{id}", Need::Editor),
    route("GET", "/api/audit", Need::Admin),
];

/// The largest request body accepted (forms; an upload has its own limit).
pub const BODY_LIMIT: usize = 1 << 20;

/// The route whose body is a file upload: streamed by its handler, which checks the CSRF token
/// (the form's first field) and the upload limit itself.
pub const UPLOAD_PATH: &str = "/data/import";

/// The router of every route, behind the guard.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/health", get(pages::health))
        .route("/assets/style.css", get(pages::style))
        .route("/favicon.svg", get(pages::favicon))
        .route(
            "/login",
            get(pages::account::login_form).post(pages::account::login),
        )
        .route("/logout", post(pages::account::logout))
        .route("/", get(pages::scorecard::page))
        .route("/goals", get(pages::goals::page))
        .route("/kpi/{id}", get(pages::kpi::page))
        .route("/kpi/{id}/values.csv", get(pages::kpi::csv))
        .route(
            "/kpi/{id}/edit",
            get(pages::edit::page).post(pages::edit::save),
        )
        .route("/goals/kpis", post(pages::edit::add))
        .route(
            "/workshop",
            get(pages::workshop::start).post(pages::workshop::step),
        )
        .route("/workshop/write", post(pages::workshop::write))
        .route("/workshop/{goal}", get(pages::workshop::summary))
        .route("/kpi/{id}/values.xlsx", get(pages::kpi::xlsx))
        .route("/attribution", get(pages::attribution::page))
        .route("/mmm", get(pages::mmm::page))
        .route("/mmm/fit", post(pages::mmm::fit))
        .route("/kpi/{id}/annotations", post(pages::kpi::annotate))
        .route("/kpi/{id}/comments", post(pages::kpi::comment))
        .route(
            "/reviews",
            get(pages::reviews::list).post(pages::reviews::open),
        )
        .route("/reviews/{id}", get(pages::reviews::show))
        .route("/reviews/{id}/decisions", post(pages::reviews::decide))
        .route("/reviews/{id}/close", post(pages::reviews::close))
        .route("/reviews/{id}/export/{format}", get(pages::reviews::export))
        .route("/decisions", get(pages::reviews::log_page))
        .route("/decisions/{id}/outcome", post(pages::reviews::outcome))
        .route("/activities", get(pages::activities::page))
        .route("/data", get(pages::data::page))
        .route(
            "/data/import",
            get(pages::imports::form)
                .post(pages::imports::upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/data/import/{id}",
            get(pages::imports::show).post(pages::imports::confirm),
        )
        .route("/admin/audit", get(pages::account::audit_page))
        .route("/api/uploads/{id}", get(pages::imports::json))
        .route("/api/audit", get(pages::account::audit_json))
        .route("/account", get(pages::account::page))
        .route("/account/password", post(pages::account::password))
        .route("/account/language", post(pages::account::language))
        .route(
            "/account/subscriptions",
            post(pages::account::subscriptions),
        )
        .route(
            "/admin/people",
            get(pages::account::people).post(pages::account::add_person),
        )
        .route("/api", get(pages::api::reference))
        .route("/api/openapi.json", get(pages::api::openapi))
        .route("/api/me", get(pages::account::me))
        .route("/api/scorecard", get(pages::scorecard::json))
        .route("/api/goals", get(pages::goals::json))
        .route("/api/kpi/{id}", get(pages::kpi::json))
        .route("/api/attribution", get(pages::attribution::json))
        .route("/api/mmm", get(pages::mmm::json))
        .route("/api/mmm/plan", get(pages::mmm::plan_json))
        .route("/api/reviews", get(pages::reviews::list_json))
        .route("/api/reviews/{id}", get(pages::reviews::show_json))
        .route("/api/decisions", get(pages::reviews::log_json))
        .route("/api/activities", get(pages::activities::json))
        .route("/api/data", get(pages::data::json))
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// The declared route for a request.
pub fn declared(method: &Method, path: &str) -> Option<&'static Route> {
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    ROUTES.iter().find(|r| r.method == method && r.path == path)
}

/// Headers every response carries.
fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let fixed = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The value of `name` in a query string.
pub(crate) fn query_value<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn refuse(status: StatusCode, api: bool, message: &str) -> Response {
    if api {
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
    } else {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message.to_string(),
        )
            .into_response()
    }
}

/// The guard in front of every route.
async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    secure(check(state, request, next).await)
}

async fn check(state: Arc<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let api = path.starts_with("/api/");
    let Some(matched) = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
    else {
        return next.run(request).await;
    };
    let Some(route) = declared(request.method(), &matched) else {
        return refuse(StatusCode::NOT_FOUND, api, "not found");
    };
    let headers = request.headers();
    let cookies = text(headers, header::COOKIE);
    let token_hash = cookie_hash(cookies);
    let session = match &token_hash {
        Some(hash) => match state.store.web_session(hash, jiff::Timestamp::now()).await {
            Ok(found) => found,
            Err(_) => {
                return refuse(
                    StatusCode::SERVICE_UNAVAILABLE,
                    api,
                    "the store cannot be read",
                );
            }
        },
        None => None,
    };
    let workspace = state.open.read().await.session.locale(None);
    let locale = crate::i18n::negotiate(
        query_value(request.uri().query(), "lang"),
        session.as_ref().and_then(|s| s.language.as_deref()),
        text(headers, header::ACCEPT_LANGUAGE),
        workspace,
    );
    let (login_token, new_login_token) = match auth::cookie(cookies, LOGIN_COOKIE) {
        Some(token) if token.len() == 64 => (token.to_string(), false),
        _ => (auth::random_token(), true),
    };
    let caller = Caller {
        session,
        token_hash,
        locale,
        login_token,
        new_login_token,
    };
    let role = caller.role();
    let allowed = match route.need {
        Need::Anyone => true,
        Need::Viewer => role.is_some(),
        Need::Editor => role.is_some_and(|r| r >= utfall_store::Role::Editor),
        Need::Admin => role == Some(utfall_store::Role::Admin),
    };
    if !allowed {
        if role.is_none() && !api && request.method() == Method::GET {
            let next_path = request.uri().path_and_query().map_or("/", |p| p.as_str());
            return Redirect::to(&format!("/login?next={}", pages::encode(next_path)))
                .into_response();
        }
        return if role.is_none() {
            refuse(StatusCode::UNAUTHORIZED, api, "log in first")
        } else {
            refuse(StatusCode::FORBIDDEN, api, "your role may not do this")
        };
    }
    let mut request = request;
    if request.method() == Method::POST && route.path == UPLOAD_PATH {
        let headers = request.headers();
        let fetch_site = text(headers, header::HeaderName::from_static("sec-fetch-site"));
        if !auth::same_origin(
            text(headers, header::ORIGIN),
            fetch_site,
            text(headers, header::HOST),
        ) {
            return refuse(
                StatusCode::FORBIDDEN,
                api,
                "the request comes from another site",
            );
        }
    } else if request.method() == Method::POST {
        match checked_post(request, &caller).await {
            Ok(checked) => request = checked,
            Err(response) => return response,
        }
    }
    let secure = auth::secure(state.secure_cookies, request.headers());
    let set_login = caller
        .new_login_token
        .then(|| auth::set_cookie(LOGIN_COOKIE, &caller.login_token, None, secure));
    request.extensions_mut().insert(caller);
    let mut response = next.run(request).await;
    if api {
        response = json_errors(response).await;
    }
    if let Some(cookie) = set_login
        && let Ok(value) = HeaderValue::from_str(&cookie)
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// An API error answered as plain text (axum's rejection of a bad query) as the API's JSON
/// error shape.
async fn json_errors(response: Response) -> Response {
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/plain"));
    if !plain || response.status().is_success() {
        return response;
    }
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), BODY_LIMIT)
        .await
        .unwrap_or_default();
    let message = String::from_utf8_lossy(&body).into_owned();
    (
        status,
        axum::Json(serde_json::json!({ "error": message, "hint": null })),
    )
        .into_response()
}

fn cookie_hash(cookies: Option<&str>) -> Option<String> {
    auth::cookie(cookies, SESSION_COOKIE).map(auth::token_hash)
}

/// A POST from this site carrying the caller's CSRF token; its body read (within the limit)
/// and put back for the handler.
async fn checked_post(request: Request, caller: &Caller) -> Result<Request, Response> {
    let api = request.uri().path().starts_with("/api/");
    let headers = request.headers();
    let host = text(headers, header::HOST);
    let fetch_site = text(headers, header::HeaderName::from_static("sec-fetch-site"));
    if !auth::same_origin(text(headers, header::ORIGIN), fetch_site, host) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            api,
            "the request comes from another site",
        ));
    }
    let header_token =
        text(headers, header::HeaderName::from_static("x-csrf-token")).map(str::to_string);
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            api,
            "the request is too large (1 MiB at most)",
        )
    })?;
    let form_token = form_value(&bytes, "csrf");
    let given = header_token.or(form_token).unwrap_or_default();
    // Logged in: the session's token. Logging in: the login cookie's (double submit), which a
    // new cookie (none sent) cannot match.
    let expected = match &caller.session {
        Some(session) => session.csrf.as_str(),
        None if !caller.new_login_token => caller.login_token.as_str(),
        None => "",
    };
    if expected.is_empty() || !auth::same(&given, expected) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            api,
            "the form has expired or was not sent from here: reload the page and try again",
        ));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The value of `name` in an `application/x-www-form-urlencoded` body.
pub(crate) fn form_value(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded_pairs(body)
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

/// The peer's address (for the login limiter).
pub(crate) fn peer(connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>) -> std::net::IpAddr {
    connect.map_or(std::net::IpAddr::from([127, 0, 0, 1]), |c| c.0.0.ip())
}
