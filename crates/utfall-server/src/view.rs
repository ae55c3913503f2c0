//! What every page shares: the layout (navigation, language switch, the person and the logout
//! form), formatting in the page's locale, and errors as pages or JSON.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utfall_app::wire::Status;
use utfall_model::kinds::Unit;
use utfall_model::locale::Locale;

use crate::auth::Caller;
use crate::i18n::{Messages, Tr};

/// The frame of a page.
#[derive(Debug, Clone)]
pub(crate) struct Layout<'a> {
    /// The messages in the page's language.
    pub t: Tr<'a>,
    /// The page's title (already translated).
    pub title: String,
    /// Which navigation entry is current.
    pub nav: &'static str,
    /// The workspace's name.
    pub workspace: String,
    /// Who is logged in (empty when nobody).
    pub user: String,
    /// Their role's message key.
    pub role: String,
    /// Whether they may change things.
    pub editor: bool,
    /// Whether they administer.
    pub admin: bool,
    /// The form token.
    pub csrf: String,
    /// This page's path and query without `lang`, to switch language.
    pub here: String,
}

impl<'a> Layout<'a> {
    /// The layout of a page for `caller`.
    pub fn new(
        messages: &'a Messages,
        caller: &Caller,
        title_key: &str,
        nav: &'static str,
        workspace: &str,
        here: &str,
    ) -> Layout<'a> {
        let t = Tr {
            messages,
            locale: caller.locale,
        };
        let role = caller.role();
        Layout {
            title: t.get(title_key),
            t,
            nav,
            workspace: workspace.to_string(),
            user: caller
                .session
                .as_ref()
                .map_or(String::new(), |s| s.user.name.clone()),
            role: role.map_or(String::new(), |r| format!("role-{}", r.as_str())),
            editor: role.is_some_and(|r| r >= utfall_store::Role::Editor),
            admin: role == Some(utfall_store::Role::Admin),
            csrf: caller.csrf().to_string(),
            here: without_lang(here),
        }
    }

    /// The link to this page in `lang`.
    pub fn in_lang(&self, lang: &str) -> String {
        let separator = if self.here.contains('?') { '&' } else { '?' };
        format!("{}{separator}lang={lang}", self.here)
    }

    /// `aria-current` for the navigation entry `name`.
    pub fn current(&self, name: &str) -> &'static str {
        if self.nav == name { "page" } else { "false" }
    }
}

/// A path and query without its `lang` parameter.
fn without_lang(path_and_query: &str) -> String {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// Numbers, money and statuses in the page's locale.
#[derive(Debug, Clone)]
pub(crate) struct Fmt {
    /// The locale.
    pub locale: Locale,
    /// The workspace's currency.
    pub currency: String,
}

impl Fmt {
    /// A KPI's value in its unit (`–` for none).
    pub fn value(&self, unit: Unit, value: Option<f64>) -> String {
        unit.format(value, &self.currency, self.locale)
    }

    /// The change from `base` to `value` (`+12,5 %`, percentage points for ratios).
    pub fn change(&self, unit: Unit, value: Option<f64>, base: Option<f64>) -> String {
        unit.format_change(value, base, self.locale)
            .replace('-', "\u{2212}")
    }

    /// Money without decimals.
    pub fn money(&self, value: Option<f64>) -> String {
        value.map_or("–".to_string(), |v| {
            self.locale.money(v, &self.currency, 0)
        })
    }

    /// A number with `decimals`.
    pub fn number(&self, value: Option<f64>, decimals: usize) -> String {
        value.map_or("–".to_string(), |v| self.locale.number(v, decimals))
    }

    /// A share as a percentage.
    pub fn percent(&self, value: Option<f64>) -> String {
        value.map_or("–".to_string(), |v| self.locale.percent(v, 1))
    }
}

/// A status's icon (the text says it too: never colour alone).
pub(crate) fn status_icon(status: Status) -> &'static str {
    match status {
        Status::OnTrack => "●",
        Status::AtRisk => "▲",
        Status::OffTrack => "■",
        Status::NoTarget => "○",
        Status::NoData => "–",
    }
}

/// A status's message key and CSS class.
pub(crate) fn status_key(status: Status) -> String {
    format!("status-{}", status.as_str().replace('_', "-"))
}

/// A page's HTML.
pub(crate) fn html(rendered: Result<String, askama::Error>) -> Result<Response, PageError> {
    match rendered {
        Ok(body) => {
            Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response())
        }
        Err(error) => Err(PageError::internal(
            format!("the page could not be drawn: {error}"),
            false,
        )),
    }
}

/// A result as JSON.
pub(crate) fn json<T: serde::Serialize>(value: &T) -> Response {
    Json(value).into_response()
}

/// A request that failed: the user's mistake (400/404) or ours (500), as a page or JSON.
#[derive(Debug)]
pub(crate) struct PageError {
    pub status: StatusCode,
    pub message: String,
    pub hint: Option<String>,
    pub api: bool,
}

impl PageError {
    /// Refused: the caller may not (403), or the request is too large (413), or a conflict
    /// (409), with what to do.
    pub fn refused(
        status: StatusCode,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> PageError {
        PageError {
            status,
            message: message.into(),
            hint,
            api: false,
        }
    }

    /// Ours.
    pub fn internal(message: String, api: bool) -> PageError {
        PageError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message,
            hint: None,
            api,
        }
    }

    /// The user's: a bad parameter.
    pub fn bad(message: impl Into<String>, api: bool) -> PageError {
        PageError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            hint: None,
            api,
        }
    }

    /// Nothing there.
    pub fn not_found(message: impl Into<String>, api: bool) -> PageError {
        PageError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
            hint: None,
            api,
        }
    }

    /// From the application layer's error.
    pub fn app(error: &utfall_app::AppError, api: bool) -> PageError {
        let message = error.to_string();
        let status = if !error.is_user() {
            StatusCode::INTERNAL_SERVER_ERROR
        } else if message.contains("no KPI")
            || message.contains("not found")
            || message.contains("there is no")
        {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::BAD_REQUEST
        };
        PageError {
            status,
            message,
            hint: error.hint_text().map(str::to_string),
            api,
        }
    }
}

impl From<utfall_store::StoreError> for PageError {
    fn from(error: utfall_store::StoreError) -> PageError {
        PageError::app(&utfall_app::AppError::from(error), false)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if self.api {
            return (
                self.status,
                Json(serde_json::json!({ "error": self.message, "hint": self.hint })),
            )
                .into_response();
        }
        let body = format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{status}</title>\
             <link rel=\"stylesheet\" href=\"/assets/style.css\"></head><body class=\"error-page\">\
             <main><h1>{status}</h1><p>{message}</p>{hint}<p><a href=\"/\">Utfall</a></p></main></body></html>",
            status = self.status.as_u16(),
            message = escape(&self.message),
            hint = self.hint.as_deref().map_or(String::new(), |h| format!(
                "<p class=\"hint\">{}</p>",
                escape(h)
            )),
        );
        (
            self.status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response()
    }
}

/// Text made safe for HTML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_switch_keeps_the_rest_of_the_query() {
        assert_eq!(
            without_lang("/kpi/leads?grain=week&lang=sv"),
            "/kpi/leads?grain=week"
        );
        assert_eq!(without_lang("/?lang=en"), "/");
        assert_eq!(
            escape("<script>\"x\"&'"),
            "&lt;script&gt;&quot;x&quot;&amp;&#39;"
        );
    }
}
