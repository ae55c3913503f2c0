//! Annotations: dated notes on one KPI, a goal or everything, at a day or over a range, by a
//! person or written by Utfall itself (imports, definition changes, activities, decisions).

use serde::{Deserialize, Serialize};

use crate::error::query;
use crate::{Store, StoreError, WritePool as _, millis, on_pool, timestamp};

/// What an annotation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One KPI.
    Kpi,
    /// One goal.
    Goal,
    /// Everything.
    All,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Kpi => "kpi",
            Scope::Goal => "goal",
            Scope::All => "all",
        }
    }

    fn parse(text: &str) -> Scope {
        match text {
            "kpi" => Scope::Kpi,
            "goal" => Scope::Goal,
            _ => Scope::All,
        }
    }
}

/// Who wrote an annotation, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnotationKind {
    /// A person's note.
    Note,
    /// An import (system).
    Import,
    /// A definition change (system).
    Definition,
    /// An activity of the plan starting (system).
    Activity,
    /// A decision (system).
    Decision,
}

impl AnnotationKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AnnotationKind::Note => "note",
            AnnotationKind::Import => "import",
            AnnotationKind::Definition => "definition",
            AnnotationKind::Activity => "activity",
            AnnotationKind::Decision => "decision",
        }
    }

    fn parse(text: &str) -> AnnotationKind {
        match text {
            "import" => AnnotationKind::Import,
            "definition" => AnnotationKind::Definition,
            "activity" => AnnotationKind::Activity,
            "decision" => AnnotationKind::Decision,
            _ => AnnotationKind::Note,
        }
    }
}

/// An annotation to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnnotation {
    /// What it is about.
    pub scope: Scope,
    /// The KPI's or goal's id (`None` for everything).
    pub scope_id: Option<String>,
    /// The day, or the first day of the range (ISO).
    pub starts_on: String,
    /// The last day of the range (ISO), if it is one.
    pub ends_on: Option<String>,
    /// The note as written.
    pub body: String,
    /// Who.
    pub author: String,
    /// A person's note or which system event.
    pub kind: AnnotationKind,
    /// For a system annotation: the event's id (an import's id, `kpi@v2`), so that it is
    /// written once however often it is recorded.
    pub source_ref: Option<String>,
    /// When it was written.
    pub created_at: jiff::Timestamp,
}

/// A stored annotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// Its id.
    pub id: i64,
    /// What it is about.
    pub scope: Scope,
    /// The KPI's or goal's id.
    pub scope_id: Option<String>,
    /// The day or the range's first day.
    pub starts_on: String,
    /// The range's last day.
    pub ends_on: Option<String>,
    /// The note.
    pub body: String,
    /// Who.
    pub author: String,
    /// Which kind.
    pub kind: AnnotationKind,
    /// The system event's id.
    pub source_ref: Option<String>,
    /// When it was written.
    pub created_at: jiff::Timestamp,
}

/// Which annotations to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnnotationFilter {
    /// Those on these KPIs or goals, and those on everything (all when empty).
    pub about: Vec<String>,
    /// Those that end on or after this day (ISO).
    pub from: Option<String>,
    /// Those that start on or before this day (ISO).
    pub to: Option<String>,
}

type Raw = (
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    i64,
);

fn annotation(r: Raw) -> Annotation {
    Annotation {
        id: r.0,
        scope: Scope::parse(&r.1),
        scope_id: r.2,
        starts_on: r.3,
        ends_on: r.4,
        body: r.5,
        author: r.6,
        kind: AnnotationKind::parse(&r.7),
        source_ref: r.8,
        created_at: timestamp(r.9),
    }
}

impl Store {
    /// Adds an annotation; a system annotation already recorded (the same kind and
    /// `source_ref`) is not added again. Returns its id (`None` when it was already there).
    pub async fn annotate(&self, new: &NewAnnotation) -> Result<Option<i64>, StoreError> {
        let id: Option<i64> = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(query("begin an annotation"))?;
            let id = sqlx::query_scalar(
                "INSERT INTO annotations (scope, scope_id, starts_on, ends_on, body, author, kind, \
                 source_ref, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (kind, source_ref) WHERE source_ref IS NOT NULL DO NOTHING \
                 RETURNING id",
            )
            .bind(new.scope.as_str())
            .bind(&new.scope_id)
            .bind(&new.starts_on)
            .bind(&new.ends_on)
            .bind(&new.body)
            .bind(&new.author)
            .bind(new.kind.as_str())
            .bind(&new.source_ref)
            .bind(millis(new.created_at))
            .fetch_optional(&mut *tx)
            .await
            .map_err(query("add an annotation"))?;
            tx.commit().await.map_err(query("add an annotation"))?;
            id
        });
        Ok(id)
    }

    /// The annotations `filter` selects, by day and id.
    pub async fn annotations(
        &self,
        filter: &AnnotationFilter,
    ) -> Result<Vec<Annotation>, StoreError> {
        let rows: Vec<Raw> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, scope, scope_id, starts_on, ends_on, body, author, kind, source_ref, \
                 created_at FROM annotations \
                 WHERE ($1 IS NULL OR COALESCE(ends_on, starts_on) >= $1) \
                 AND ($2 IS NULL OR starts_on <= $2) ORDER BY starts_on, id",
            )
            .bind(&filter.from)
            .bind(&filter.to)
            .fetch_all(pool)
            .await
        })
        .map_err(query("read the annotations"))?;
        Ok(rows
            .into_iter()
            .map(annotation)
            .filter(|a| {
                filter.about.is_empty()
                    || a.scope == Scope::All
                    || a.scope_id
                        .as_ref()
                        .is_some_and(|id| filter.about.contains(id))
            })
            .collect())
    }

    /// Removes an annotation; refused for one that does not exist.
    pub async fn remove_annotation(&self, id: i64) -> Result<(), StoreError> {
        let removed = on_pool!(self, pool => {
            sqlx::query("DELETE FROM annotations WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(query("remove an annotation"))?;
        if removed == 0 {
            return Err(StoreError::NotFound(format!("there is no annotation {id}")));
        }
        Ok(())
    }
}
