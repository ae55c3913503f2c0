//! Digests and alerts by e-mail, each sent exactly once per person and period.
//!
//! People subscribe to a weekly or monthly digest (status changes, the biggest movers and the
//! decisions due) or to alerts (a KPI at risk or off track in the running period, by forecast).
//! [`run_due`] is the job: for every subscription it works out what is due at the clock's
//! `now` — the last whole week, the last whole month, every alert not yet sent — claims each
//! message in the store (one runner wins, however many processes run the job at once), sends
//! it over SMTP and marks it sent; a failed send releases the claim for the next run. It is
//! meant to be called on a schedule (the CLI's `utfall digest run`, the server's background
//! task), never per page view.

mod compose;
mod mail;
mod render;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use sha2::Digest as _;
use utfall_model::locale::Locale;
use utfall_store::{DeliveryKey, DigestKind, Store, Subscription};

pub use compose::{
    Alert, Digest, DueDecision, MOVERS, Mover, StatusChange, alerts, digest, due_period,
};
pub use mail::{MailSettings, Mailer, Outgoing, PASSWORD_VARIABLE, Password, Security};
pub use render::{Rendered, date_text, period_text};

use crate::error::AppError;
use crate::present::Table;
use crate::session::{Clock, Session};

/// How long a runner's claim of a message holds before another runner may take it over (the
/// first died between claiming and sending). Longer than any SMTP conversation.
pub const LEASE: Duration = Duration::from_secs(10 * 60);

/// A message sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sent {
    /// The person.
    pub user: String,
    /// `weekly`, `monthly` or `alerts`.
    pub kind: &'static str,
    /// The period or alert.
    pub key: String,
    /// The address it went to.
    pub to: String,
    /// Its subject.
    pub subject: String,
    /// Its `Message-ID`.
    pub message_id: String,
}

/// A message not sent by this run, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotSent {
    /// The person.
    pub user: String,
    /// `weekly`, `monthly` or `alerts`.
    pub kind: &'static str,
    /// The period or alert (empty when nothing could be worked out).
    pub key: String,
    /// Why: already sent or being sent by another run, no address, or the mail server's or
    /// the network's error (never with the password).
    pub reason: String,
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// Messages sent.
    pub sent: Vec<Sent>,
    /// Messages already sent (or being sent by another run), and subscribers without an
    /// address.
    pub skipped: Vec<NotSent>,
    /// Messages that failed: their claims were released, so the next run tries again.
    pub failed: Vec<NotSent>,
}

impl RunReport {
    /// One line for people: `sent 3, skipped 2, failed 0`.
    pub fn summary(&self) -> String {
        format!(
            "sent {}, skipped {}, failed {}",
            self.sent.len(),
            self.skipped.len(),
            self.failed.len()
        )
    }

    /// The run laid out: one row a message.
    pub fn table(&self) -> Table {
        let mut rows = Vec::new();
        for s in &self.sent {
            rows.push(vec![
                "sent".into(),
                s.user.clone(),
                s.kind.into(),
                s.key.clone(),
                format!("to {}", s.to),
            ]);
        }
        for (outcome, list) in [("skipped", &self.skipped), ("failed", &self.failed)] {
            for n in list {
                rows.push(vec![
                    outcome.into(),
                    n.user.clone(),
                    n.kind.into(),
                    n.key.clone(),
                    n.reason.clone(),
                ]);
            }
        }
        Table::new(["outcome", "user", "kind", "key", "detail"], rows)
    }
}

/// The kind spelled `text`, or a user error that lists the kinds.
pub fn parse_kind(text: &str) -> Result<DigestKind, AppError> {
    DigestKind::parse(text).ok_or_else(|| {
        AppError::user(format!("`{text}` is not a kind of digest"))
            .hint("use `weekly`, `monthly` or `alerts`")
    })
}

/// Subscribes `user` to `kind`; returns what happened, in a sentence.
pub async fn subscribe(store: &Store, user: &str, kind: &str) -> Result<String, AppError> {
    let new = store
        .subscribe(user, parse_kind(kind)?, jiff::Timestamp::now())
        .await?;
    let done = if new { "now gets" } else { "already gets" };
    Ok(format!("{user} {done} {kind}"))
}

/// Ends `user`'s subscription to `kind`; returns what happened, in a sentence.
pub async fn unsubscribe(store: &Store, user: &str, kind: &str) -> Result<String, AppError> {
    let had = store.unsubscribe(user, parse_kind(kind)?).await?;
    let done = if had { "no longer gets" } else { "did not get" };
    Ok(format!("{user} {done} {kind}"))
}

/// The mail client of the workspace's `[mail]`, with the password from
/// `UTFALL_SMTP_PASSWORD`.
pub fn mailer(session: &Session) -> Result<Mailer, AppError> {
    let settings = MailSettings::from_workspace(&session.workspace)?.ok_or_else(|| {
        AppError::user("the workspace has no mail server").hint(
            "add `[mail]` with `host` and `from` to `utfall.toml`, and set `UTFALL_SMTP_PASSWORD` if it needs one",
        )
    })?;
    Mailer::new(&settings)
}

/// A subscription as `--format json` and the JSON API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriptionLine {
    /// The person.
    pub user: String,
    /// Their name.
    pub name: String,
    /// Their address (`null`: nothing can be sent).
    pub email: Option<String>,
    /// `weekly`, `monthly` or `alerts`.
    pub kind: &'static str,
    /// When they subscribed (RFC 3339).
    pub since: String,
}

/// Every subscription, and its table.
pub async fn list(store: &Store) -> Result<(Vec<SubscriptionLine>, Table), AppError> {
    let lines: Vec<SubscriptionLine> = store
        .subscriptions()
        .await?
        .into_iter()
        .map(|s| SubscriptionLine {
            user: s.user_id,
            name: s.name,
            email: s.email,
            kind: s.kind.as_str(),
            since: s.created_at.to_string(),
        })
        .collect();
    let rows = lines
        .iter()
        .map(|l| {
            vec![
                l.user.clone(),
                l.name.replace(|c: char| c.is_control(), " "),
                l.email.clone().unwrap_or_else(|| "–".into()),
                l.kind.into(),
                l.since.clone(),
            ]
        })
        .collect();
    let table = Table::new(["user", "name", "email", "kind", "since"], rows);
    Ok((lines, table))
}

/// A name for this run in the store's claims: the process and the moment it started.
fn runner_id() -> String {
    let now = jiff::Timestamp::now();
    format!("pid{}-{}", std::process::id(), now.as_nanosecond())
}

/// The `Message-ID`'s local part: the same for the same person, kind and key, so that a
/// message sent again after a crash is recognisably the same one.
fn message_local_part(key: &DeliveryKey) -> String {
    let hash = sha2::Sha256::digest(format!(
        "{}\n{}\n{}",
        key.user_id,
        key.kind.as_str(),
        key.key
    ));
    let hex: String = hash.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("utfall.{}.{hex}", key.kind.as_str())
}

/// What a run has worked out so far: each digest once however many read it, the alerts once.
#[derive(Default)]
struct Composed {
    digests: BTreeMap<DigestKind, Digest>,
    alerts: Option<Vec<Alert>>,
}

/// Sends every digest and alert due at `clock`'s now to every subscriber, each once: see the
/// module's documentation. The store's claims make concurrent runs (two server processes on
/// one PostgreSQL store) safe; a second run sends nothing new.
pub async fn run_due(
    session: &Session,
    store: &Store,
    mailer: &Mailer,
    clock: Clock,
) -> Result<RunReport, AppError> {
    let today = clock.today(&session.zone);
    let now = clock.now(&session.zone);
    let runner = runner_id();
    let mut report = RunReport::default();
    let mut composed = Composed::default();
    for subscription in store.subscriptions().await? {
        let kind = subscription.kind;
        let Some(address) = subscription.email.clone() else {
            report.skipped.push(NotSent {
                user: subscription.user_id.clone(),
                kind: kind.as_str(),
                key: String::new(),
                reason: "the person has no e-mail address".into(),
            });
            continue;
        };
        let locale = subscription
            .language
            .as_deref()
            .and_then(|l| l.parse::<Locale>().ok())
            .unwrap_or_else(|| session.locale(None));
        let keys = match due_period(kind, today, session) {
            Some(period) => vec![period.to_string()],
            None => {
                if composed.alerts.is_none() {
                    composed.alerts = Some(alerts(session, today).await?);
                }
                composed.alerts.iter().flatten().map(Alert::key).collect()
            }
        };
        for key in keys {
            let delivery = DeliveryKey {
                user_id: subscription.user_id.clone(),
                kind,
                key,
            };
            if !store.claim_delivery(&delivery, &runner, now, LEASE).await? {
                report.skipped.push(NotSent {
                    user: delivery.user_id.clone(),
                    kind: kind.as_str(),
                    key: delivery.key.clone(),
                    reason: "already sent, or being sent by another run".into(),
                });
                continue;
            }
            let written = match write(
                session,
                store,
                &mut composed,
                &delivery,
                today,
                &subscription,
                locale,
            )
            .await
            {
                Ok(written) => written,
                Err(error) => {
                    store.release_claim(&delivery, &runner).await?;
                    return Err(error);
                }
            };
            let outgoing = Outgoing {
                to: address.clone(),
                to_name: subscription.name.clone(),
                subject: written.subject,
                text: written.text,
                html: Some(written.html),
                id: message_local_part(&delivery),
            };
            deliver(store, mailer, &runner, now, delivery, outgoing, &mut report).await?;
        }
    }
    Ok(report)
}

/// The message of `delivery` for its subscriber, composing the digest or the alerts when this
/// run has not yet.
async fn write(
    session: &Session,
    store: &Store,
    composed: &mut Composed,
    delivery: &DeliveryKey,
    today: jiff::civil::Date,
    subscription: &Subscription,
    locale: Locale,
) -> Result<Rendered, AppError> {
    let reader = subscription.name.as_str();
    if delivery.kind == DigestKind::Alerts {
        let alert = composed
            .alerts
            .iter()
            .flatten()
            .find(|a| a.key() == delivery.key)
            .ok_or_else(|| AppError::internal("an alert went missing during the run"))?;
        return Ok(render::alert(
            alert,
            session.name(),
            &session.currency,
            reader,
            locale,
        ));
    }
    let period: utfall_model::period::Period = delivery
        .key
        .parse()
        .map_err(|_| AppError::internal("a digest's period did not read back"))?;
    let made = match composed.digests.entry(delivery.kind) {
        std::collections::btree_map::Entry::Occupied(made) => made.into_mut(),
        std::collections::btree_map::Entry::Vacant(slot) => {
            slot.insert(digest(session, store, delivery.kind, period, today).await?)
        }
    };
    let calendar = &session.calendar;
    let first = period.start(calendar);
    let end = period.end_exclusive(calendar);
    let last = end.checked_sub(jiff::Span::new().days(1)).unwrap_or(end);
    Ok(render::digest(made, (first, last), reader, locale))
}

/// Sends one claimed message and records the outcome: marked sent, or released on failure.
async fn deliver(
    store: &Store,
    mailer: &Mailer,
    runner: &str,
    now: jiff::Timestamp,
    delivery: DeliveryKey,
    outgoing: Outgoing,
    report: &mut RunReport,
) -> Result<(), AppError> {
    match mailer.send(&outgoing).await {
        Ok(message_id) => {
            store.mark_sent(&delivery, runner, now, &message_id).await?;
            report.sent.push(Sent {
                user: delivery.user_id,
                kind: delivery.kind.as_str(),
                key: delivery.key,
                to: outgoing.to,
                subject: outgoing.subject,
                message_id,
            });
        }
        Err(reason) => {
            store.release_claim(&delivery, runner).await?;
            report.failed.push(NotSent {
                user: delivery.user_id,
                kind: delivery.kind.as_str(),
                key: delivery.key,
                reason,
            });
        }
    }
    Ok(())
}
