//! Logging in and out, the person's own settings (language, password), and the admin's list of
//! people.

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::extract::{ConnectInfo, OriginalUri, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};

use super::{Context, see_other};
use crate::auth::{self, Caller, SESSION_COOKIE, SESSION_HOURS};
use crate::i18n::Tr;
use crate::routes::peer;
use crate::state::AppState;
use crate::view::{Layout, PageError, html, json as to_json};

/// Where to go after logging in: a path of this site only.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    layout: Layout<'a>,
    next: String,
    error: String,
    id: String,
}

/// The login page's query.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginAsked {
    next: Option<String>,
}

fn login_layout<'a>(state: &'a AppState, caller: &Caller, workspace: &str) -> Layout<'a> {
    Layout::new(
        &state.messages,
        caller,
        "login-title",
        "login",
        workspace,
        "/login",
    )
}

/// `GET /login`.
pub(crate) async fn login_form(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(asked): Query<LoginAsked>,
) -> Response {
    let workspace = state.open.read().await.session.name().to_string();
    html(
        LoginPage {
            layout: login_layout(&state, &caller, &workspace),
            next: safe_next(asked.next.as_deref()),
            error: String::new(),
            id: String::new(),
        }
        .render(),
    )
    .unwrap_or_else(IntoResponse::into_response)
}

/// The login form.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    id: String,
    password: String,
    next: Option<String>,
}

/// `POST /login`: argon2id check off the async workers, rate-limited per address.
pub(crate) async fn login(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: axum::http::HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let ip = peer(connect);
    let workspace = state.open.read().await.session.name().to_string();
    let t = Tr {
        messages: &state.messages,
        locale: caller.locale,
    };
    let refused = |status: StatusCode, key: &str| {
        let mut response = html(
            LoginPage {
                layout: login_layout(&state, &caller, &workspace),
                next: safe_next(form.next.as_deref()),
                error: t.get(key),
                id: form.id.clone(),
            }
            .render(),
        )
        .unwrap_or_else(IntoResponse::into_response);
        *response.status_mut() = status;
        response
    };
    if !state.may_try_login(ip) {
        return Ok(refused(StatusCode::TOO_MANY_REQUESTS, "login-too-many"));
    }
    let found = state.store.user_for_login(form.id.trim()).await?;
    let password = form.password.clone();
    let hash = found.as_ref().and_then(|(_, h)| h.clone());
    // Without a user, verify against a fixed hash anyway, so timing does not tell who exists.
    let verified = tokio::task::spawn_blocking(move || match hash {
        Some(hash) => utfall_store::verify_password(&password, &hash),
        None => {
            let _ = utfall_store::verify_password(&password, dummy_hash());
            false
        }
    })
    .await
    .unwrap_or(false);
    let Some((user, _)) = found.filter(|_| verified) else {
        state.failed_login(ip);
        return Ok(refused(StatusCode::UNAUTHORIZED, "login-failed"));
    };
    let token = state.start_session(&user.id).await?;
    let mut response = see_other(&safe_next(form.next.as_deref()));
    let secure = auth::secure(state.secure_cookies, &headers);
    let cookie = auth::set_cookie(SESSION_COOKIE, &token, Some(SESSION_HOURS * 3600), secure);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// An argon2id hash of a random password nobody has, for logins of unknown people.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| utfall_store::hash_password(&auth::random_token()).unwrap_or_default())
}

/// `POST /logout`.
pub(crate) async fn logout(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    if let Some(hash) = &caller.token_hash {
        state.store.end_web_session(hash).await?;
    }
    let mut response = see_other("/login");
    let cookie = auth::set_cookie(SESSION_COOKIE, "", Some(0), state.secure_cookies);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    layout: Layout<'a>,
    id: String,
    email: String,
    message: String,
    language: String,
    subscriptions: Vec<(&'static str, bool)>,
}

/// The account page's query (after a change).
#[derive(Debug, Deserialize)]
pub(crate) struct AccountAsked {
    done: Option<String>,
}

/// `GET /account`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(asked): Query<AccountAsked>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let layout = context.layout(&state, &caller, "account-title", "account", &uri);
    let session = caller
        .session
        .as_ref()
        .ok_or_else(|| PageError::bad("log in first", false))?;
    let message = match asked.done.as_deref() {
        Some("password") => layout.t.get("password-changed"),
        Some("language") => layout.t.get("language-changed"),
        Some("short") => layout.t.get("password-too-short"),
        Some("mismatch") => layout.t.get("password-mismatch"),
        Some("wrong") => layout.t.get("password-wrong"),
        Some("subscriptions") => layout.t.get("subscriptions-saved"),
        _ => String::new(),
    };
    html(
        AccountPage {
            id: session.user.id.clone(),
            email: session.user.email.clone().unwrap_or_default(),
            language: session.language.clone().unwrap_or_default(),
            subscriptions: subscribed(&state, &session.user.id).await?,
            message,
            layout,
        }
        .render(),
    )
}

/// Each kind of digest with whether the person subscribes to it.
async fn subscribed(state: &AppState, user: &str) -> Result<Vec<(&'static str, bool)>, PageError> {
    let mine = state.store.subscriptions_of(user).await?;
    Ok(utfall_store::DigestKind::ALL
        .iter()
        .map(|kind| (kind.as_str(), mine.iter().any(|s| s.kind == *kind)))
        .collect())
}

/// `POST /account/subscriptions`: the person's digests and alerts (a box ticked: subscribed).
pub(crate) async fn subscriptions(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let session = caller
        .session
        .as_ref()
        .ok_or_else(|| PageError::bad("log in first", false))?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let mut changes = Vec::new();
    for (kind, was) in subscribed(&state, &session.user.id).await? {
        let wanted = pairs.iter().any(|(k, v)| k == kind && v == "on");
        if wanted == was {
            continue;
        }
        let done = if wanted {
            utfall_app::digest::subscribe(&state.store, &session.user.id, kind).await
        } else {
            utfall_app::digest::unsubscribe(&state.store, &session.user.id, kind).await
        };
        done.map_err(|e| PageError::app(&e, false))?;
        changes.push(format!("{}{kind}", if wanted { "+" } else { "-" }));
    }
    if !changes.is_empty() {
        super::audit(
            &state,
            &caller,
            "subscriptions",
            &session.user.id,
            &changes.join(" "),
        )
        .await?;
    }
    Ok(see_other("/account?done=subscriptions"))
}

/// The password form.
#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

/// `POST /account/password`: the current password, then the new one twice; every other
/// session of the person ends.
pub(crate) async fn password(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let (Some(session), Some(token_hash)) = (&caller.session, &caller.token_hash) else {
        return Err(PageError::bad("log in first", false));
    };
    if form.new != form.repeat {
        return Ok(see_other("/account?done=mismatch"));
    }
    if form.new.chars().count() < 10 {
        return Ok(see_other("/account?done=short"));
    }
    let found = state.store.user_for_login(&session.user.id).await?;
    let hash = found.and_then(|(_, h)| h);
    let current = form.current.clone();
    let ok = tokio::task::spawn_blocking(move || {
        hash.is_some_and(|h| utfall_store::verify_password(&current, &h))
    })
    .await
    .unwrap_or(false);
    if !ok {
        return Ok(see_other("/account?done=wrong"));
    }
    utfall_app::memory::reset_password(&state.store, &session.user.id, &form.new)
        .await
        .map_err(|e| PageError::app(&e, false))?;
    state
        .store
        .end_other_web_sessions(&session.user.id, token_hash)
        .await?;
    super::audit(
        &state,
        &caller,
        "password.change",
        &session.user.id,
        "own password changed; other sessions ended",
    )
    .await?;
    Ok(see_other("/account?done=password"))
}

/// The language form.
#[derive(Debug, Deserialize)]
pub(crate) struct LanguageForm {
    language: String,
}

/// `POST /account/language`: `sv`, `en`, or empty for the browser's.
pub(crate) async fn language(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<LanguageForm>,
) -> Result<Response, PageError> {
    let Some(session) = &caller.session else {
        return Err(PageError::bad("log in first", false));
    };
    let language = match form.language.as_str() {
        "sv" | "en" => Some(form.language.as_str()),
        "" => None,
        other => return Err(PageError::bad(format!("`{other}` is not sv or en"), false)),
    };
    state.store.set_language(&session.user.id, language).await?;
    Ok(see_other("/account?done=language"))
}

/// Who is logged in, for `/api/me`.
#[derive(Debug, Serialize)]
struct Me<'a> {
    id: &'a str,
    name: &'a str,
    email: Option<&'a str>,
    role: &'a str,
    language: &'a str,
    csrf: &'a str,
}

/// `GET /api/me`: the person, their role and the token their forms send.
pub(crate) async fn me(Extension(caller): Extension<Caller>) -> Result<Response, PageError> {
    let Some(session) = &caller.session else {
        return Err(PageError::bad("log in first", true));
    };
    Ok(to_json(&Me {
        id: &session.user.id,
        name: &session.user.name,
        email: session.user.email.as_deref(),
        role: session.user.role.as_str(),
        language: &caller.locale.to_string(),
        csrf: &session.csrf,
    }))
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage<'a> {
    layout: Layout<'a>,
    people: Vec<(String, String, String, String, bool)>,
    created: String,
    password: String,
    error: String,
}

/// `GET /admin/people`.
pub(crate) async fn people(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    people_page(
        &state,
        &caller,
        &uri,
        String::new(),
        String::new(),
        String::new(),
    )
    .await
}

async fn people_page(
    state: &AppState,
    caller: &Caller,
    uri: &OriginalUri,
    created: String,
    password: String,
    error: String,
) -> Result<Response, PageError> {
    let context = Context::of(state, caller, false).await?;
    let layout = context.layout(state, caller, "people-title", "people", uri);
    let people = state
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| {
            (
                u.id,
                u.name,
                u.email.unwrap_or_default(),
                layout.t.get(&format!("role-{}", u.role.as_str())),
                u.has_password,
            )
        })
        .collect();
    html(
        PeoplePage {
            layout,
            people,
            created,
            password,
            error,
        }
        .render(),
    )
}

/// The add-a-person form.
#[derive(Debug, Deserialize)]
pub(crate) struct PersonForm {
    id: String,
    name: String,
    email: Option<String>,
    role: String,
}

/// `POST /admin/people`: adds a person with a one-time password, shown once.
pub(crate) async fn add_person(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
    Form(form): Form<PersonForm>,
) -> Result<Response, PageError> {
    let password = one_time_password();
    let email = form
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    match utfall_app::memory::add_user(
        &state.store,
        form.id.trim(),
        form.name.trim(),
        email,
        &form.role,
        Some(&password),
    )
    .await
    {
        Ok(user) => {
            let detail = format!("{} ({}) as {}", user.name, user.id, user.role.as_str());
            super::audit(&state, &caller, "person.add", &user.id, &detail).await?;
            let mut response =
                people_page(&state, &caller, &uri, user.id, password, String::new()).await?;
            *response.status_mut() = StatusCode::CREATED;
            Ok(response)
        }
        Err(error) if error.is_user() => {
            let mut response = people_page(
                &state,
                &caller,
                &uri,
                String::new(),
                String::new(),
                error.to_string(),
            )
            .await?;
            *response.status_mut() = StatusCode::BAD_REQUEST;
            Ok(response)
        }
        Err(error) => Err(PageError::app(&error, false)),
    }
}

/// A one-time password: 16 characters from a 32-letter alphabet without look-alikes (80 bits).
pub fn one_time_password() -> String {
    const LETTERS: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz23456789K";
    let token = auth::random_token();
    token
        .as_bytes()
        .chunks(2)
        .take(16)
        .map(|pair| {
            let byte =
                u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("00"), 16).unwrap_or(0);
            LETTERS[usize::from(byte % 32)] as char
        })
        .collect()
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    layout: Layout<'a>,
    entries: Vec<(String, String, String, String, String)>,
    digests: String,
}

/// The audit log's query: one person's entries only.
#[derive(Debug, Deserialize)]
pub(crate) struct AuditQuery {
    actor: Option<String>,
}

async fn audit_entries(
    state: &AppState,
    query: &AuditQuery,
) -> Result<Vec<utfall_store::AuditEntry>, PageError> {
    let actor = query
        .actor
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    Ok(state.store.audit_log(actor, 500).await?)
}

/// `GET /admin/audit`: who changed what, newest first (the latest 500).
pub(crate) async fn audit_page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<AuditQuery>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let layout = context.layout(&state, &caller, "audit-title", "audit", &uri);
    let zone = context.session.zone.clone();
    let entries = audit_entries(&state, &query)
        .await?
        .into_iter()
        .map(|e| {
            let at =
                e.at.to_zoned_datetime(zone.clone())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string();
            (at, e.actor, e.action, e.object, e.detail)
        })
        .collect();
    let digests = state
        .last_digests
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
        .unwrap_or_default();
    html(
        AuditPage {
            layout,
            entries,
            digests,
        }
        .render(),
    )
}

/// `GET /api/audit`.
pub(crate) async fn audit_json(
    State(state): State<Arc<AppState>>,
    Query(query): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let entries = audit_entries(&state, &query).await.map_err(|mut e| {
        e.api = true;
        e
    })?;
    Ok(to_json(&entries))
}
