//! Reviews and decisions: the store is their source of truth. A review is opened, holds the
//! decisions taken at it, and is closed with its computed document frozen beside the snapshot
//! it pins; a decision carries its expected effect and, after its follow-up, the outcome.

use serde::{Deserialize, Serialize};
use sqlx::Row as _;

use crate::error::query;
use crate::{Store, StoreError, WritePool as _, millis, on_pool, timestamp};

/// A review to open (or whose meeting details to update while it is open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReview {
    /// Its id, e.g. `fy2026_q2`.
    pub id: String,
    /// The period it follows up, e.g. `FY2026-Q2`.
    pub period: String,
    /// The day of the meeting (ISO date).
    pub held_on: Option<String>,
    /// Who took part.
    pub participants: Vec<String>,
    /// What was said.
    pub notes: Option<String>,
    /// When it was opened.
    pub at: jiff::Timestamp,
}

/// A stored review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRecord {
    /// Its id.
    pub id: String,
    /// Its period.
    pub period: String,
    /// The day of the meeting.
    pub held_on: Option<String>,
    /// Who took part.
    pub participants: Vec<String>,
    /// What was said.
    pub notes: Option<String>,
    /// `open` or `closed`.
    pub status: String,
    /// When it was opened.
    pub opened_at: jiff::Timestamp,
    /// When it was closed.
    pub closed_at: Option<jiff::Timestamp>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// The snapshot its numbers were pinned to.
    pub snapshot_id: Option<i64>,
    /// The review as computed at closing (JSON), never changed afterwards.
    #[serde(skip)]
    pub document: Option<String>,
}

impl ReviewRecord {
    /// Whether it is closed (its document frozen).
    pub fn is_closed(&self) -> bool {
        self.status == "closed"
    }
}

/// A decision's expected effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    /// The KPI.
    pub kpi: String,
    /// `up` or `down`.
    pub direction: String,
    /// The expected relative size (0.15 for 15 %).
    pub size: Option<f64>,
}

/// A decision to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDecision {
    /// Its id.
    pub id: String,
    /// The review it was taken at.
    pub review_id: Option<String>,
    /// `stop`, `start`, `continue`, `more` or `less`.
    pub action: String,
    /// The activity it is about.
    pub activity: Option<String>,
    /// The channel it is about.
    pub channel: Option<String>,
    /// The campaign it is about.
    pub campaign: Option<String>,
    /// The KPIs it is meant to move.
    pub kpis: Vec<String>,
    /// Its expected effect.
    pub effect: Option<Effect>,
    /// Who carries it out.
    pub owner: Option<String>,
    /// Why.
    pub rationale: Option<String>,
    /// What it should do, in words.
    pub expected: Option<String>,
    /// The day it takes effect (ISO date).
    pub decided_on: String,
    /// The day it is followed up (ISO date).
    pub follow_up: Option<String>,
    /// `open`, `done` or `dropped`.
    pub status: String,
    /// Who recorded it.
    pub author: String,
    /// Where it came from: `reviews.toml`, `cli` or `web`.
    pub source: String,
    /// When it was recorded.
    pub created_at: jiff::Timestamp,
}

/// An outcome recorded at a follow-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// `worked`, `did_not_work` or `too_early`.
    pub verdict: String,
    /// What was seen.
    pub note: Option<String>,
    /// Who recorded it.
    pub by: String,
    /// When.
    pub at: jiff::Timestamp,
}

/// A stored decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// What was decided.
    #[serde(flatten)]
    pub decision: NewDecision,
    /// The outcome recorded, if any.
    pub outcome: Option<Outcome>,
}

const REVIEW_COLUMNS: &str = "SELECT id, period, held_on, participants, notes, status, opened_at, \
     closed_at, closed_by, snapshot_id, document FROM reviews ORDER BY period, id";

const DECISION_COLUMNS: &str = "SELECT id, review_id, action, activity, channel, campaign, kpis, \
     effect_kpi, effect_direction, effect_size, owner, rationale, expected, decided_on, \
     follow_up, status, outcome, outcome_note, outcome_by, outcome_at, created_at, author, \
     source FROM decisions ORDER BY decided_on, id";

pub(crate) const INSERT_DECISION: &str = "INSERT INTO decisions (id, review_id, action, activity, channel, \
     campaign, kpis, effect_kpi, effect_direction, effect_size, owner, rationale, expected, \
     decided_on, follow_up, status, created_at, author, source) VALUES ($1, $2, $3, $4, $5, $6, \
     $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)";

const INSERT_REVIEW: &str = "INSERT INTO reviews (id, period, held_on, participants, notes, \
     status, opened_at) VALUES ($1, $2, $3, $4, $5, 'open', $6)";

/// The flag set when `reviews.toml` has been imported.
const IMPORTED_FLAG: &str = "reviews_toml_imported";

fn list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

pub(crate) fn list_text(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

macro_rules! review_of {
    ($row:expr) => {{
        let row = $row;
        let decode = |e| StoreError::Query {
            action: "read a review",
            source: e,
        };
        let participants: String = row.try_get(3).map_err(&decode)?;
        ReviewRecord {
            id: row.try_get(0).map_err(&decode)?,
            period: row.try_get(1).map_err(&decode)?,
            held_on: row.try_get(2).map_err(&decode)?,
            participants: list(&participants),
            notes: row.try_get(4).map_err(&decode)?,
            status: row.try_get(5).map_err(&decode)?,
            opened_at: timestamp(row.try_get(6).map_err(&decode)?),
            closed_at: row
                .try_get::<Option<i64>, _>(7)
                .map_err(&decode)?
                .map(timestamp),
            closed_by: row.try_get(8).map_err(&decode)?,
            snapshot_id: row.try_get(9).map_err(&decode)?,
            document: row.try_get(10).map_err(&decode)?,
        }
    }};
}

macro_rules! decision_of {
    ($row:expr) => {{
        let row = $row;
        let decode = |e| StoreError::Query {
            action: "read a decision",
            source: e,
        };
        let kpis: String = row.try_get(6).map_err(&decode)?;
        let effect_kpi: Option<String> = row.try_get(7).map_err(&decode)?;
        let direction: Option<String> = row.try_get(8).map_err(&decode)?;
        let outcome: Option<String> = row.try_get(16).map_err(&decode)?;
        Decision {
            decision: NewDecision {
                id: row.try_get(0).map_err(&decode)?,
                review_id: row.try_get(1).map_err(&decode)?,
                action: row.try_get(2).map_err(&decode)?,
                activity: row.try_get(3).map_err(&decode)?,
                channel: row.try_get(4).map_err(&decode)?,
                campaign: row.try_get(5).map_err(&decode)?,
                kpis: list(&kpis),
                effect: match (effect_kpi, direction) {
                    (Some(kpi), Some(direction)) => Some(Effect {
                        kpi,
                        direction,
                        size: row.try_get(9).map_err(&decode)?,
                    }),
                    _ => None,
                },
                owner: row.try_get(10).map_err(&decode)?,
                rationale: row.try_get(11).map_err(&decode)?,
                expected: row.try_get(12).map_err(&decode)?,
                decided_on: row.try_get(13).map_err(&decode)?,
                follow_up: row.try_get(14).map_err(&decode)?,
                status: row.try_get(15).map_err(&decode)?,
                created_at: timestamp(row.try_get(20).map_err(&decode)?),
                author: row.try_get(21).map_err(&decode)?,
                source: row.try_get(22).map_err(&decode)?,
            },
            outcome: match outcome {
                Some(verdict) => Some(Outcome {
                    verdict,
                    note: row.try_get(17).map_err(&decode)?,
                    by: row
                        .try_get::<Option<String>, _>(18)
                        .map_err(&decode)?
                        .unwrap_or_default(),
                    at: timestamp(
                        row.try_get::<Option<i64>, _>(19)
                            .map_err(&decode)?
                            .unwrap_or(0),
                    ),
                }),
                None => None,
            },
        }
    }};
}

/// Inserts a decision in a transaction (also used by the restore).
macro_rules! insert_decision {
    ($tx:expr, $d:expr) => {{
        let d = $d;
        sqlx::query($crate::reviews::INSERT_DECISION)
            .bind(&d.id)
            .bind(&d.review_id)
            .bind(&d.action)
            .bind(&d.activity)
            .bind(&d.channel)
            .bind(&d.campaign)
            .bind($crate::reviews::list_text(&d.kpis))
            .bind(d.effect.as_ref().map(|e| e.kpi.clone()))
            .bind(d.effect.as_ref().map(|e| e.direction.clone()))
            .bind(d.effect.as_ref().and_then(|e| e.size))
            .bind(&d.owner)
            .bind(&d.rationale)
            .bind(&d.expected)
            .bind(&d.decided_on)
            .bind(&d.follow_up)
            .bind(&d.status)
            .bind($crate::millis(d.created_at))
            .bind(&d.author)
            .bind(&d.source)
            .execute(&mut *$tx)
            .await
            .map_err(crate::error::query("record a decision"))?;
    }};
}
pub(crate) use insert_decision;

fn refused(message: String, hint: &str) -> StoreError {
    StoreError::Refused {
        message,
        hint: Some(hint.into()),
    }
}

impl Store {
    /// Every review, by period and id.
    pub async fn reviews(&self) -> Result<Vec<ReviewRecord>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(REVIEW_COLUMNS)
                .fetch_all(pool)
                .await
                .map_err(query("read the reviews"))?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(review_of!(row));
            }
            Ok(out)
        })
    }

    /// One review.
    pub async fn review(&self, id: &str) -> Result<Option<ReviewRecord>, StoreError> {
        Ok(self.reviews().await?.into_iter().find(|r| r.id == id))
    }

    /// Opens a review, or updates an open one's meeting details. A closed review is refused.
    /// Returns whether it was new.
    pub async fn open_review(&self, new: &NewReview) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(query("begin a review"))?;
            let status: Option<String> = sqlx::query_scalar("SELECT status FROM reviews WHERE id = $1")
                .bind(&new.id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(query("read a review"))?;
            let created = match status.as_deref() {
                Some("closed") => {
                    return Err(refused(
                        format!("the review `{}` is closed: its numbers are frozen", new.id),
                        "open a review of a later period",
                    ));
                }
                Some(_) => {
                    sqlx::query("UPDATE reviews SET held_on = COALESCE($2, held_on), participants = $3, notes = COALESCE($4, notes) WHERE id = $1")
                        .bind(&new.id)
                        .bind(&new.held_on)
                        .bind(list_text(&new.participants))
                        .bind(&new.notes)
                        .execute(&mut *tx)
                        .await
                        .map_err(query("update a review"))?;
                    false
                }
                None => {
                    sqlx::query(INSERT_REVIEW)
                        .bind(&new.id)
                        .bind(&new.period)
                        .bind(&new.held_on)
                        .bind(list_text(&new.participants))
                        .bind(&new.notes)
                        .bind(millis(new.at))
                        .execute(&mut *tx)
                        .await
                        .map_err(query("open a review"))?;
                    true
                }
            };
            tx.commit().await.map_err(query("commit a review"))?;
            Ok(created)
        })
    }

    /// Closes an open review: its document and pinned snapshot are written once and never
    /// changed afterwards.
    pub async fn close_review(
        &self,
        id: &str,
        document: &str,
        snapshot_id: Option<i64>,
        by: &str,
        at: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(query("begin closing a review"))?;
            let status: Option<String> = sqlx::query_scalar("SELECT status FROM reviews WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(query("read a review"))?;
            match status.as_deref() {
                None => return Err(StoreError::NotFound(format!("there is no review `{id}`"))),
                Some("closed") => {
                    return Err(refused(
                        format!("the review `{id}` is already closed"),
                        "a closed review never changes; show it with `utfall review show`",
                    ));
                }
                Some(_) => {}
            }
            sqlx::query("UPDATE reviews SET status = 'closed', document = $2, snapshot_id = $3, closed_by = $4, closed_at = $5 WHERE id = $1")
                .bind(id)
                .bind(document)
                .bind(snapshot_id)
                .bind(by)
                .bind(millis(at))
                .execute(&mut *tx)
                .await
                .map_err(query("close a review"))?;
            tx.commit().await.map_err(query("commit closing a review"))?;
            Ok(())
        })
    }

    /// Every decision, by the day it took effect and id.
    pub async fn decisions(&self) -> Result<Vec<Decision>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(DECISION_COLUMNS)
                .fetch_all(pool)
                .await
                .map_err(query("read the decisions"))?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(decision_of!(row));
            }
            Ok(out)
        })
    }

    /// Records a decision. Its id must be new, and its review (if any) open.
    pub async fn decide(&self, new: &NewDecision) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(query("begin a decision"))?;
            let exists: Option<String> = sqlx::query_scalar("SELECT id FROM decisions WHERE id = $1")
                .bind(&new.id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(query("read a decision"))?;
            if exists.is_some() {
                return Err(refused(
                    format!("a decision called `{}` exists", new.id),
                    "choose another id",
                ));
            }
            if let Some(review) = &new.review_id {
                let status: Option<String> = sqlx::query_scalar("SELECT status FROM reviews WHERE id = $1")
                    .bind(review)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(query("read a review"))?;
                match status.as_deref() {
                    None => return Err(StoreError::NotFound(format!("there is no review `{review}`"))),
                    Some("closed") => {
                        return Err(refused(
                            format!("the review `{review}` is closed"),
                            "record the decision at an open review, or without one",
                        ));
                    }
                    Some(_) => {}
                }
            }
            insert_decision!(tx, new);
            tx.commit().await.map_err(query("commit a decision"))?;
            Ok(())
        })
    }

    /// Records the outcome of a decision's follow-up and marks it done.
    pub async fn record_outcome(&self, id: &str, outcome: &Outcome) -> Result<(), StoreError> {
        let changed = on_pool!(self, pool => {
            sqlx::query("UPDATE decisions SET outcome = $2, outcome_note = $3, outcome_by = $4, outcome_at = $5, status = 'done' WHERE id = $1")
                .bind(id)
                .bind(&outcome.verdict)
                .bind(&outcome.note)
                .bind(&outcome.by)
                .bind(millis(outcome.at))
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(query("record an outcome"))?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("there is no decision `{id}`")));
        }
        Ok(())
    }

    /// Imports reviews and decisions from `reviews.toml` once: the first call writes those
    /// not in the store and sets a flag in the same transaction; later calls do nothing and
    /// return `None` (the store is the source of truth from then on).
    pub async fn import_reviews(
        &self,
        reviews: &[NewReview],
        decisions: &[NewDecision],
    ) -> Result<Option<(usize, usize)>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(query("begin importing reviews"))?;
            let done: Option<String> = sqlx::query_scalar("SELECT value FROM store_flags WHERE name = $1")
                .bind(IMPORTED_FLAG)
                .fetch_optional(&mut *tx)
                .await
                .map_err(query("read a flag"))?;
            if done.is_some() {
                return Ok(None);
            }
            let (mut n_reviews, mut n_decisions) = (0, 0);
            for review in reviews {
                let exists: Option<String> = sqlx::query_scalar("SELECT id FROM reviews WHERE id = $1")
                    .bind(&review.id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(query("read a review"))?;
                if exists.is_none() {
                    sqlx::query(INSERT_REVIEW)
                        .bind(&review.id)
                        .bind(&review.period)
                        .bind(&review.held_on)
                        .bind(list_text(&review.participants))
                        .bind(&review.notes)
                        .bind(millis(review.at))
                        .execute(&mut *tx)
                        .await
                        .map_err(query("import a review"))?;
                    n_reviews += 1;
                }
            }
            for decision in decisions {
                let exists: Option<String> = sqlx::query_scalar("SELECT id FROM decisions WHERE id = $1")
                    .bind(&decision.id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(query("read a decision"))?;
                if exists.is_none() {
                    insert_decision!(tx, decision);
                    n_decisions += 1;
                }
            }
            sqlx::query("INSERT INTO store_flags (name, value) VALUES ($1, $2)")
                .bind(IMPORTED_FLAG)
                .bind(format!("{n_reviews} reviews, {n_decisions} decisions"))
                .execute(&mut *tx)
                .await
                .map_err(query("set a flag"))?;
            tx.commit().await.map_err(query("commit importing reviews"))?;
            Ok(Some((n_reviews, n_decisions)))
        })
    }
}
