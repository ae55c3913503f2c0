//! Who is asking: the session cookie (its SHA-256 looked up in the store), the CSRF token of
//! every form and the `Origin` of every POST, the login limiter, and the language.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};
use utfall_model::locale::Locale;
use utfall_store::{Role, WebSession};

use crate::state::AppState;

/// The session cookie.
pub(crate) const SESSION_COOKIE: &str = "utfall_session";
/// The login form's double-submit cookie (before there is a session).
pub(crate) const LOGIN_COOKIE: &str = "utfall_login";
/// How long a session lasts.
pub(crate) const SESSION_HOURS: i64 = 12;
/// Failed logins an address may make in [`LOGIN_WINDOW`].
pub(crate) const LOGIN_ATTEMPTS: usize = 10;
/// The login limiter's window.
pub(crate) const LOGIN_WINDOW: Duration = Duration::from_secs(300);

/// The caller of a request, as the guard found them.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The session, when logged in.
    pub session: Option<WebSession>,
    /// The SHA-256 of the session's token.
    pub token_hash: Option<String>,
    /// The language of the answer.
    pub locale: Locale,
    /// The login form's token (set as a cookie when new).
    pub login_token: String,
    /// Whether `login_token` is new (the response must set its cookie).
    pub new_login_token: bool,
}

impl Caller {
    /// The person's role, if logged in.
    pub fn role(&self) -> Option<Role> {
        self.session.as_ref().map(|s| s.user.role)
    }

    /// Who a change is recorded as: the person's id.
    pub fn author(&self) -> String {
        self.session
            .as_ref()
            .map_or("web".to_string(), |s| s.user.id.clone())
    }

    /// The CSRF token forms carry.
    pub fn csrf(&self) -> &str {
        self.session
            .as_ref()
            .map_or(self.login_token.as_str(), |s| s.csrf.as_str())
    }
}

/// 32 random bytes in hex.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The OS's generator; without it no session can be made safely.
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    hex(&bytes)
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The SHA-256 of a session token, as the store keeps it.
pub(crate) fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Equal in constant time (for tokens).
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The value of cookie `name` in a `Cookie` header.
pub(crate) fn cookie<'a>(header: Option<&'a str>, name: &str) -> Option<&'a str> {
    header?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` behind TLS.
pub(crate) fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        text.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        text.push_str("; Secure");
    }
    text
}

/// Whether cookies get `Secure`: configured so, or the request came over TLS through a proxy
/// that says so (`X-Forwarded-Proto: https`).
pub(crate) fn secure(configured: bool, headers: &axum::http::HeaderMap) -> bool {
    configured
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// Whether a POST's `Origin` (or, without one, `Sec-Fetch-Site`) says it comes from this site.
pub(crate) fn same_origin(
    origin: Option<&str>,
    fetch_site: Option<&str>,
    host: Option<&str>,
) -> bool {
    match origin {
        Some("null") => false,
        Some(origin) => {
            let Some(host) = host else { return false };
            let bare = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                .unwrap_or("");
            bare.eq_ignore_ascii_case(host)
        }
        None => !matches!(fetch_site, Some("cross-site") | Some("same-site")),
    }
}

impl AppState {
    /// Whether `ip` may try to log in now (fewer than [`LOGIN_ATTEMPTS`] failures lately).
    pub(crate) fn may_try_login(&self, ip: IpAddr) -> bool {
        let mut limiter = self.limiter.lock().unwrap_or_else(|p| p.into_inner());
        let recent = limiter.entry(ip).or_default();
        recent.retain(|t| t.elapsed() < LOGIN_WINDOW);
        recent.len() < LOGIN_ATTEMPTS
    }

    /// Counts a failed login from `ip`.
    pub(crate) fn failed_login(&self, ip: IpAddr) {
        let mut limiter = self.limiter.lock().unwrap_or_else(|p| p.into_inner());
        if limiter.len() > 10_000 {
            limiter.retain(|_, v| v.iter().any(|t| t.elapsed() < LOGIN_WINDOW));
        }
        limiter.entry(ip).or_default().push(Instant::now());
    }

    /// Starts a session for `user_id`; returns the cookie's token.
    pub(crate) async fn start_session(
        &self,
        user_id: &str,
    ) -> Result<String, utfall_store::StoreError> {
        let token = random_token();
        let expires = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(SESSION_HOURS))
            .unwrap_or(jiff::Timestamp::MAX);
        self.store
            .create_web_session(&token_hash(&token), user_id, &random_token(), expires)
            .await?;
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_origins_and_tokens() {
        let header = Some("a=1; utfall_session=abc; b=");
        assert_eq!(cookie(header, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(header, "b"), None);
        assert_eq!(cookie(None, "a"), None);
        assert!(same_origin(
            Some("http://127.0.0.1:8080"),
            None,
            Some("127.0.0.1:8080")
        ));
        assert!(!same_origin(
            Some("http://evil.example"),
            None,
            Some("127.0.0.1:8080")
        ));
        assert!(!same_origin(Some("null"), None, Some("127.0.0.1:8080")));
        assert!(same_origin(None, Some("same-origin"), Some("h")));
        assert!(!same_origin(None, Some("cross-site"), Some("h")));
        let token = random_token();
        assert_eq!(token.len(), 64);
        assert_ne!(token, random_token());
        // SHA-256 of "abc", from FIPS 180-2's example.
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
        assert_eq!(
            set_cookie("s", "v", Some(60), true),
            "s=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
    }
}
