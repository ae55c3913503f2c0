//! Comments on a KPI's value for a period, threaded, stored as written (Markdown).

use serde::{Deserialize, Serialize};

use crate::error::query;
use crate::{Store, StoreError, WritePool as _, millis, on_pool, timestamp};

/// A comment to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    /// The KPI.
    pub kpi_id: String,
    /// The period (`2026-07`, `2026-Q3`).
    pub period: String,
    /// The comment it answers, if any (of the same KPI and period).
    pub parent: Option<i64>,
    /// Who.
    pub author: String,
    /// Markdown, as written.
    pub body: String,
    /// When.
    pub created_at: jiff::Timestamp,
}

/// A stored comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// Its id.
    pub id: i64,
    /// The KPI.
    pub kpi_id: String,
    /// The period.
    pub period: String,
    /// The comment it answers.
    pub parent: Option<i64>,
    /// Who.
    pub author: String,
    /// Markdown, as written.
    pub body: String,
    /// When.
    pub created_at: jiff::Timestamp,
}

type Raw = (i64, String, String, Option<i64>, String, String, i64);

impl Store {
    /// Adds a comment; an answer must answer a comment on the same KPI and period.
    pub async fn comment(&self, new: &NewComment) -> Result<i64, StoreError> {
        let result: Result<i64, StoreError> = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(query("begin a comment"))?;
            if let Some(parent) = new.parent {
                let of: Option<(String, String)> =
                    sqlx::query_as("SELECT kpi_id, period FROM comments WHERE id = $1")
                        .bind(parent)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(query("read a comment"))?;
                match of {
                    None => {
                        return Err(StoreError::NotFound(format!("there is no comment {parent}")));
                    }
                    Some((kpi, period)) if kpi != new.kpi_id || period != new.period => {
                        return Err(StoreError::Refused {
                            message: format!(
                                "comment {parent} is on {kpi} {period}, not on {} {}",
                                new.kpi_id, new.period
                            ),
                            hint: Some(format!("answer it with `--kpi {kpi} --period {period}`")),
                        });
                    }
                    Some(_) => {}
                }
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO comments (kpi_id, period, parent_id, author, body, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(&new.kpi_id)
            .bind(&new.period)
            .bind(new.parent)
            .bind(&new.author)
            .bind(&new.body)
            .bind(millis(new.created_at))
            .fetch_one(&mut *tx)
            .await
            .map_err(query("add a comment"))?;
            tx.commit().await.map_err(query("add a comment"))?;
            Ok(id)
        });
        result
    }

    /// A KPI's comments (of one period when given), each thread after its first comment, in
    /// the order written.
    pub async fn comments(
        &self,
        kpi_id: &str,
        period: Option<&str>,
    ) -> Result<Vec<Comment>, StoreError> {
        let rows: Vec<Raw> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, kpi_id, period, parent_id, author, body, created_at FROM comments \
                 WHERE kpi_id = $1 AND ($2 IS NULL OR period = $2) ORDER BY period, id",
            )
            .bind(kpi_id)
            .bind(period)
            .fetch_all(pool)
            .await
        })
        .map_err(query("read the comments"))?;
        let all: Vec<Comment> = rows
            .into_iter()
            .map(|r| Comment {
                id: r.0,
                kpi_id: r.1,
                period: r.2,
                parent: r.3,
                author: r.4,
                body: r.5,
                created_at: timestamp(r.6),
            })
            .collect();
        Ok(threaded(all))
    }
}

/// Comments in thread order: each after the one it answers (and that one's earlier answers).
fn threaded(all: Vec<Comment>) -> Vec<Comment> {
    fn visit(parent: Option<i64>, all: &[Comment], out: &mut Vec<Comment>) {
        for comment in all.iter().filter(|c| c.parent == parent) {
            out.push(comment.clone());
            visit(Some(comment.id), all, out);
        }
    }
    let mut out = Vec::with_capacity(all.len());
    visit(None, &all, &mut out);
    out
}
