//! Digests and alerts by e-mail: who subscribed to which kind, and which message went out to
//! whom for which period. A message is sent exactly once because it is first *claimed*: one row
//! a (person, kind, period key), inserted by the one runner that gets there first, taken over
//! only when its claim is older than a lease and it was never sent, and marked sent after the
//! mail server accepted it. A failed send releases the claim, so that the next run retries.

use std::time::Duration;

use crate::error::query;
use crate::{Store, StoreError, millis, on_pool, timestamp};

/// What a person subscribed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DigestKind {
    /// A digest of the last whole ISO week, every week.
    Weekly,
    /// A digest of the last whole month, every month.
    Monthly,
    /// An alert when a KPI turns at risk or off track by forecast.
    Alerts,
}

impl DigestKind {
    /// Every kind, in the stored order.
    pub const ALL: [DigestKind; 3] = [DigestKind::Weekly, DigestKind::Monthly, DigestKind::Alerts];

    /// The stored spelling: `weekly`, `monthly`, `alerts`.
    pub fn as_str(self) -> &'static str {
        match self {
            DigestKind::Weekly => "weekly",
            DigestKind::Monthly => "monthly",
            DigestKind::Alerts => "alerts",
        }
    }

    /// The kind spelled `text`.
    pub fn parse(text: &str) -> Option<DigestKind> {
        DigestKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A person's subscription, with what is needed to write to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The person's id.
    pub user_id: String,
    /// Their name.
    pub name: String,
    /// Their e-mail address (a subscriber without one is skipped by the job).
    pub email: Option<String>,
    /// Their chosen language (`sv`, `en`), if any.
    pub language: Option<String>,
    /// What they subscribed to.
    pub kind: DigestKind,
    /// When.
    pub created_at: jiff::Timestamp,
}

/// One message to one person: the key of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeliveryKey {
    /// The person.
    pub user_id: String,
    /// The kind of message.
    pub kind: DigestKind,
    /// The period or alert it is for: `2026-W48`, `2026-11`, `alert:mql:FY2026-Q3:at_risk`.
    pub key: String,
}

/// A delivery as stored: claimed, and sent or not yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Which message.
    pub key: DeliveryKey,
    /// When it was (last) claimed.
    pub claimed_at: jiff::Timestamp,
    /// Which runner claimed it.
    pub claimed_by: String,
    /// When the mail server accepted it (`None`: claimed, not sent).
    pub sent_at: Option<jiff::Timestamp>,
    /// The message's `Message-ID`, once sent.
    pub message_id: Option<String>,
}

/// A delivery's row as read.
type DeliveryRow = (
    String,
    String,
    String,
    i64,
    String,
    Option<i64>,
    Option<String>,
);

fn delivery(r: DeliveryRow) -> Option<Delivery> {
    Some(Delivery {
        key: DeliveryKey {
            user_id: r.0,
            kind: DigestKind::parse(&r.1)?,
            key: r.2,
        },
        claimed_at: timestamp(r.3),
        claimed_by: r.4,
        sent_at: r.5.map(timestamp),
        message_id: r.6,
    })
}

impl Store {
    /// Subscribes `user_id` to `kind`; returns whether it is new (a second subscription to the
    /// same kind changes nothing).
    pub async fn subscribe(
        &self,
        user_id: &str,
        kind: DigestKind,
        at: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        if !self.users().await?.iter().any(|u| u.id == user_id) {
            return Err(StoreError::NotFound(format!(
                "there is no person `{user_id}`"
            )));
        }
        let added = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO subscriptions (user_id, kind, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, kind) DO NOTHING",
            )
            .bind(user_id)
            .bind(kind.as_str())
            .bind(millis(at))
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(query("subscribe"))?;
        Ok(added == 1)
    }

    /// Ends `user_id`'s subscription to `kind`; returns whether there was one.
    pub async fn unsubscribe(&self, user_id: &str, kind: DigestKind) -> Result<bool, StoreError> {
        let removed = on_pool!(self, pool => {
            sqlx::query("DELETE FROM subscriptions WHERE user_id = $1 AND kind = $2")
                .bind(user_id)
                .bind(kind.as_str())
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(query("unsubscribe"))?;
        Ok(removed == 1)
    }

    /// Every subscription, by person and kind.
    pub async fn subscriptions(&self) -> Result<Vec<Subscription>, StoreError> {
        self.read_subscriptions(None).await
    }

    /// The subscriptions of `user_id`, by kind.
    pub async fn subscriptions_of(&self, user_id: &str) -> Result<Vec<Subscription>, StoreError> {
        self.read_subscriptions(Some(user_id)).await
    }

    async fn read_subscriptions(
        &self,
        user_id: Option<&str>,
    ) -> Result<Vec<Subscription>, StoreError> {
        type Row = (String, String, Option<String>, Option<String>, String, i64);
        let rows: Vec<Row> = on_pool!(self, pool => {
            match user_id {
                Some(id) => {
                    sqlx::query_as(
                        "SELECT s.user_id, u.name, u.email, u.language, s.kind, s.created_at \
                         FROM subscriptions s JOIN users u ON u.id = s.user_id \
                         WHERE s.user_id = $1 ORDER BY s.user_id, s.kind",
                    )
                    .bind(id)
                    .fetch_all(pool)
                    .await
                }
                None => {
                    sqlx::query_as(
                        "SELECT s.user_id, u.name, u.email, u.language, s.kind, s.created_at \
                         FROM subscriptions s JOIN users u ON u.id = s.user_id \
                         ORDER BY s.user_id, s.kind",
                    )
                    .fetch_all(pool)
                    .await
                }
            }
        })
        .map_err(query("read the subscriptions"))?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(Subscription {
                    user_id: r.0,
                    name: r.1,
                    email: r.2,
                    language: r.3,
                    kind: DigestKind::parse(&r.4)?,
                    created_at: timestamp(r.5),
                })
            })
            .collect())
    }

    /// Claims the delivery `key` for the runner `by` at `now`: true for exactly one caller —
    /// the first to insert it, or the one that takes over a claim never sent and older than
    /// `lease` (its runner died). A delivery already sent, or freshly claimed by another runner,
    /// gives false.
    pub async fn claim_delivery(
        &self,
        key: &DeliveryKey,
        by: &str,
        now: jiff::Timestamp,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let now_ms = millis(now);
        let stale_before =
            now_ms.saturating_sub(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
        let claimed = on_pool!(self, pool => async {
            let inserted = sqlx::query(
                "INSERT INTO deliveries (user_id, kind, period_key, claimed_at, claimed_by) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, kind, period_key) DO NOTHING",
            )
            .bind(&key.user_id)
            .bind(key.kind.as_str())
            .bind(&key.key)
            .bind(now_ms)
            .bind(by)
            .execute(pool)
            .await?
            .rows_affected();
            if inserted == 1 {
                return Ok(true);
            }
            // A conditional update: of two runners taking over the same stale claim, the
            // second finds the row no longer stale (PostgreSQL re-checks the condition after
            // the first commits; SQLite runs one writer at a time).
            let taken = sqlx::query(
                "UPDATE deliveries SET claimed_at = $4, claimed_by = $5 \
                 WHERE user_id = $1 AND kind = $2 AND period_key = $3 \
                   AND sent_at IS NULL AND claimed_at < $6",
            )
            .bind(&key.user_id)
            .bind(key.kind.as_str())
            .bind(&key.key)
            .bind(now_ms)
            .bind(by)
            .bind(stale_before)
            .execute(pool)
            .await?
            .rows_affected();
            Ok::<bool, sqlx::Error>(taken == 1)
        }.await)
        .map_err(query("claim a delivery"))?;
        Ok(claimed)
    }

    /// Records that the delivery `key`, claimed by `by`, was sent at `at` as `message_id`;
    /// returns false (and changes nothing) when `by` does not hold the claim.
    pub async fn mark_sent(
        &self,
        key: &DeliveryKey,
        by: &str,
        at: jiff::Timestamp,
        message_id: &str,
    ) -> Result<bool, StoreError> {
        let marked = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE deliveries SET sent_at = $5, message_id = $6 \
                 WHERE user_id = $1 AND kind = $2 AND period_key = $3 AND claimed_by = $4 \
                   AND sent_at IS NULL",
            )
            .bind(&key.user_id)
            .bind(key.kind.as_str())
            .bind(&key.key)
            .bind(by)
            .bind(millis(at))
            .bind(message_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(query("mark a delivery sent"))?;
        Ok(marked == 1)
    }

    /// Gives up `by`'s unsent claim of `key` (after a failed send), so that the next run
    /// claims and sends it again; returns whether there was such a claim.
    pub async fn release_claim(&self, key: &DeliveryKey, by: &str) -> Result<bool, StoreError> {
        let released = on_pool!(self, pool => {
            sqlx::query(
                "DELETE FROM deliveries \
                 WHERE user_id = $1 AND kind = $2 AND period_key = $3 AND claimed_by = $4 \
                   AND sent_at IS NULL",
            )
            .bind(&key.user_id)
            .bind(key.kind.as_str())
            .bind(&key.key)
            .bind(by)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(query("release a delivery"))?;
        Ok(released == 1)
    }

    /// Every delivery, by person, kind and key.
    pub async fn deliveries(&self) -> Result<Vec<Delivery>, StoreError> {
        let rows: Vec<DeliveryRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT user_id, kind, period_key, claimed_at, claimed_by, sent_at, message_id \
                 FROM deliveries ORDER BY user_id, kind, period_key",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(query("read the deliveries"))?;
        Ok(rows.into_iter().filter_map(delivery).collect())
    }
}
