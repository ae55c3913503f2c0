//! The mail server: `[mail]` in `utfall.toml`, the password from `UTFALL_SMTP_PASSWORD`, and
//! one message sent over SMTP with lettre. The password is kept in a type whose `Debug` shows
//! `***`, and every error text is cleaned of it before it leaves this module.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use utfall_model::workspace::Workspace;

use crate::error::AppError;

/// The environment variable that holds the mail server's password.
pub const PASSWORD_VARIABLE: &str = "UTFALL_SMTP_PASSWORD";

/// How long one SMTP conversation may take before it is given up.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    /// Plain connection upgraded with `STARTTLS`, required (port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption (a relay on the same host or network, and tests).
    None,
}

impl Security {
    /// The spelling in `utfall.toml`: `starttls`, `tls`, `none`.
    pub fn parse(text: &str) -> Option<Security> {
        match text {
            "starttls" => Some(Security::StartTls),
            "tls" => Some(Security::Tls),
            "none" => Some(Security::None),
            _ => None,
        }
    }

    /// The port a server listens on for this security when none is given.
    pub fn default_port(self) -> u16 {
        match self {
            Security::StartTls => 587,
            Security::Tls => 465,
            Security::None => 25,
        }
    }
}

/// A password that never shows: its `Debug` is `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(secret: impl Into<String>) -> Password {
        Password(secret.into())
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Where and as whom digests and alerts are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// The server's host name.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// The sender, e.g. `Utfall <utfall@example.se>`.
    pub from: String,
    /// The login name, if any.
    pub username: Option<String>,
    /// How the connection is protected.
    pub security: Security,
    /// The password (from `UTFALL_SMTP_PASSWORD`, never from a file).
    pub password: Option<Password>,
}

impl MailSettings {
    /// The workspace's `[mail]` (checked by `utfall check`) with the password from
    /// `UTFALL_SMTP_PASSWORD`; `None` when the workspace has no `[mail]`.
    pub fn from_workspace(workspace: &Workspace) -> Result<Option<MailSettings>, AppError> {
        let password = std::env::var(PASSWORD_VARIABLE)
            .ok()
            .filter(|p| !p.is_empty())
            .map(Password);
        MailSettings::from_workspace_with(workspace, password)
    }

    /// The workspace's `[mail]` with `password`.
    pub fn from_workspace_with(
        workspace: &Workspace,
        password: Option<Password>,
    ) -> Result<Option<MailSettings>, AppError> {
        let Some(mail) = workspace.config.as_ref().and_then(|c| c.def.mail.as_ref()) else {
            return Ok(None);
        };
        let security = match &mail.security {
            Some(text) => Security::parse(text.get_ref()).ok_or_else(|| {
                AppError::user(format!("`{}` is not a mail security", text.get_ref()))
                    .hint("write `starttls`, `tls` or `none` in `[mail]` of `utfall.toml`")
            })?,
            None => Security::default(),
        };
        let port = match &mail.port {
            Some(port) => u16::try_from(*port.get_ref())
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| AppError::user(format!("{} is not a port", port.get_ref())))?,
            None => security.default_port(),
        };
        Ok(Some(MailSettings {
            host: mail.host.get_ref().clone(),
            port,
            from: mail.from.get_ref().clone(),
            username: mail.username.as_ref().map(|u| u.get_ref().clone()),
            security,
            password,
        }))
    }
}

/// An SMTP client for one mail server and sender.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    domain: String,
    secret: Option<Password>,
    server: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The recipient's address.
    pub to: String,
    /// The recipient's name.
    pub to_name: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body, if any (sent as an alternative to the text).
    pub html: Option<String>,
    /// The local part of the `Message-ID` (the sender's domain is added).
    pub id: String,
}

impl Mailer {
    /// A client for `settings` (no connection is made until a message is sent).
    pub fn new(settings: &MailSettings) -> Result<Mailer, AppError> {
        let from: Mailbox = settings.from.parse().map_err(|error| {
            AppError::user(format!("`{}` is not an e-mail address", settings.from))
                .caused_by(error)
                .hint("write the sender as `name@example.se` or `Name <name@example.se>`")
        })?;
        let tls_error = |error: lettre::transport::smtp::Error| {
            AppError::internal("cannot set up TLS for the mail server").caused_by(error)
        };
        let tls = match settings.security {
            Security::None => Tls::None,
            Security::StartTls => {
                Tls::Required(TlsParameters::new(settings.host.clone()).map_err(tls_error)?)
            }
            Security::Tls => {
                Tls::Wrapper(TlsParameters::new(settings.host.clone()).map_err(tls_error)?)
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT));
        if let Some(username) = &settings.username {
            let secret = settings.password.as_ref().map_or("", |p| p.0.as_str());
            builder = builder.credentials(Credentials::new(username.clone(), secret.to_string()));
        }
        Ok(Mailer {
            transport: builder.build(),
            domain: from.email.domain().to_string(),
            from,
            secret: settings.password.clone(),
            server: format!("{}:{}", settings.host, settings.port),
        })
    }

    /// Sends `message`; returns its `Message-ID`. An error is the server's or the network's
    /// reason as text, without the password.
    pub async fn send(&self, message: &Outgoing) -> Result<String, String> {
        let message_id = format!("<{}@{}>", message.id, self.domain);
        let email = self
            .build(message, &message_id)
            .map_err(|e| self.clean(&e))?;
        self.transport
            .send(email)
            .await
            .map_err(|error| self.clean(&format!("{}: {}", self.server, chain(&error))))?;
        Ok(message_id)
    }

    fn build(&self, message: &Outgoing, message_id: &str) -> Result<Message, String> {
        let to = Mailbox::new(
            Some(message.to_name.clone()),
            message
                .to
                .parse()
                .map_err(|e| format!("`{}` is not an e-mail address: {e}", message.to))?,
        );
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .message_id(Some(message_id.to_string()));
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(message.text.clone());
        let built = match &message.html {
            Some(html) => builder.multipart(
                MultiPart::alternative()
                    .singlepart(text)
                    .singlepart(SinglePart::html(html.clone())),
            ),
            None => builder.singlepart(text),
        };
        built.map_err(|e| format!("cannot build the message: {e}"))
    }

    /// `text` with the password, wherever it appears, replaced by `***`.
    fn clean(&self, text: &str) -> String {
        match &self.secret {
            Some(Password(secret)) if !secret.is_empty() => text.replace(secret.as_str(), "***"),
            _ => text.to_string(),
        }
    }
}

/// An error and its sources on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_shows() {
        let settings = MailSettings {
            host: "smtp.example.se".into(),
            port: 587,
            from: "Utfall <utfall@example.se>".into(),
            username: Some("utfall".into()),
            security: Security::StartTls,
            password: Some(Password::new("s3cret-pw")),
        };
        assert!(!format!("{settings:?}").contains("s3cret"));
        let mailer = Mailer::new(&settings).unwrap();
        assert!(!format!("{mailer:?}").contains("s3cret"));
        assert_eq!(mailer.clean("535 bad s3cret-pw"), "535 bad ***");
        assert_eq!(
            Security::parse("tls").map(Security::default_port),
            Some(465)
        );
        assert_eq!(Security::parse("ssl"), None);
    }
}
