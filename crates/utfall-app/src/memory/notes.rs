//! People's annotations and comments, and Markdown rendered so that nothing stored can run
//! where it is shown.

use serde::Serialize;
use utfall_store::{AnnotationFilter, AnnotationKind, NewAnnotation, NewComment, Scope, Store};

use crate::error::AppError;
use crate::session::Session;

/// An annotation a person adds.
#[derive(Debug, Clone)]
pub struct AnnotateRequest {
    /// On one KPI.
    pub kpi: Option<String>,
    /// On one goal.
    pub goal: Option<String>,
    /// The day, or the first day of the range.
    pub on: jiff::civil::Date,
    /// The last day of the range.
    pub until: Option<jiff::civil::Date>,
    /// The note.
    pub text: String,
    /// Who.
    pub author: String,
}

/// Adds a person's annotation; the KPI or goal must exist, and a range must not end before
/// it starts.
pub async fn add_annotation(
    session: &Session,
    store: &Store,
    request: &AnnotateRequest,
) -> Result<i64, AppError> {
    let (scope, scope_id) = match (&request.kpi, &request.goal) {
        (Some(kpi), _) => {
            session.workspace.kpi(kpi)?;
            (Scope::Kpi, Some(kpi.clone()))
        }
        (None, Some(goal)) => {
            if !session
                .workspace
                .goals
                .iter()
                .any(|g| g.def.id.get_ref() == goal)
            {
                return Err(AppError::user(format!("there is no goal `{goal}`"))
                    .hint("`utfall kpi tree` lists the goals"));
            }
            (Scope::Goal, Some(goal.clone()))
        }
        (None, None) => (Scope::All, None),
    };
    if request.until.is_some_and(|u| u < request.on) {
        return Err(AppError::user(format!(
            "the range ends ({}) before it starts ({})",
            request.until.unwrap_or(request.on),
            request.on
        )));
    }
    if request.text.trim().is_empty() {
        return Err(AppError::user("an annotation needs a text"));
    }
    let id = store
        .annotate(&NewAnnotation {
            scope,
            scope_id,
            starts_on: request.on.to_string(),
            ends_on: request.until.map(|d| d.to_string()),
            body: request.text.clone(),
            author: request.author.clone(),
            kind: AnnotationKind::Note,
            source_ref: None,
            created_at: session.clock.now(&session.zone),
        })
        .await?;
    id.ok_or_else(|| AppError::internal("the annotation was not stored"))
}

/// The annotations on `kpi` (with those on its goal and on everything) or all, in the window.
pub async fn annotations(
    session: &Session,
    store: &Store,
    kpi: Option<&str>,
    from: Option<jiff::civil::Date>,
    to: Option<jiff::civil::Date>,
) -> Result<Vec<utfall_store::Annotation>, AppError> {
    let mut about = Vec::new();
    if let Some(kpi) = kpi {
        let def = session.workspace.kpi(kpi)?;
        about.push(kpi.to_string());
        if let Some(goal) = &def.goal {
            about.push(goal.get_ref().clone());
        }
    }
    Ok(store
        .annotations(&AnnotationFilter {
            about,
            from: from.map(|d| d.to_string()),
            to: to.map(|d| d.to_string()),
        })
        .await?)
}

/// The annotations in the window of `series` (on its KPI, its goal or everything); none when
/// the workspace has no store yet.
pub async fn series_annotations(
    session: &Session,
    series: &crate::wire::KpiSeries,
) -> Result<Vec<utfall_store::Annotation>, AppError> {
    let (Some(first), Some(last)) = (series.values.first(), series.values.last()) else {
        return Ok(Vec::new());
    };
    let location = super::location(&session.dir, &session.workspace);
    if let utfall_store::Location::Sqlite(path) = &location
        && !path.exists()
    {
        return Ok(Vec::new());
    }
    let store = Store::open(&location).await?;
    let from = first.period.start(&session.calendar);
    let to = last
        .period
        .end_exclusive(&session.calendar)
        .yesterday()
        .unwrap_or(from);
    let notes = annotations(session, &store, Some(&series.kpi), Some(from), Some(to)).await;
    store.close().await;
    notes
}

/// Removes an annotation.
pub async fn remove_annotation(store: &Store, id: i64) -> Result<(), AppError> {
    Ok(store.remove_annotation(id).await?)
}

/// A comment a person writes.
#[derive(Debug, Clone)]
pub struct CommentRequest {
    /// The KPI.
    pub kpi: String,
    /// The period of its value.
    pub period: utfall_model::period::Period,
    /// The comment it answers.
    pub reply_to: Option<i64>,
    /// Markdown.
    pub text: String,
    /// Who.
    pub author: String,
}

/// Adds a comment on a KPI's value.
pub async fn comment(
    session: &Session,
    store: &Store,
    request: &CommentRequest,
) -> Result<i64, AppError> {
    session.workspace.kpi(&request.kpi)?;
    if request.text.trim().is_empty() {
        return Err(AppError::user("a comment needs a text"));
    }
    Ok(store
        .comment(&NewComment {
            kpi_id: request.kpi.clone(),
            period: request.period.to_string(),
            parent: request.reply_to,
            author: request.author.clone(),
            body: request.text.clone(),
            created_at: session.clock.now(&session.zone),
        })
        .await?)
}

/// A comment with its Markdown rendered to safe HTML, and its depth in the thread.
#[derive(Debug, Clone, Serialize)]
pub struct RenderedComment {
    /// The comment as stored.
    #[serde(flatten)]
    pub comment: utfall_store::Comment,
    /// 0 for a thread's first comment, 1 for an answer to it, …
    pub depth: usize,
    /// The Markdown as sanitised HTML.
    pub html: String,
}

/// A KPI's comments (of one period when given), threaded and rendered.
pub async fn comments(
    session: &Session,
    store: &Store,
    kpi: &str,
    period: Option<utfall_model::period::Period>,
) -> Result<Vec<RenderedComment>, AppError> {
    session.workspace.kpi(kpi)?;
    let period = period.map(|p| p.to_string());
    let all = store.comments(kpi, period.as_deref()).await?;
    let mut depth_of = std::collections::HashMap::new();
    Ok(all
        .into_iter()
        .map(|c| {
            let depth = c
                .parent
                .and_then(|p| depth_of.get(&p).copied())
                .map_or(0, |d: usize| d + 1);
            depth_of.insert(c.id, depth);
            RenderedComment {
                html: render_markdown(&c.body),
                depth,
                comment: c,
            }
        })
        .collect())
}

/// Markdown as HTML that cannot run anything: raw HTML, event handlers, `javascript:` and other
/// non-web links, styles and forms are removed; links get `rel="noopener noreferrer nofollow"`.
pub fn render_markdown(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(
        markdown,
        pulldown_cmark::Options::ENABLE_STRIKETHROUGH | pulldown_cmark::Options::ENABLE_TABLES,
    );
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(&html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render_markdown;

    #[test]
    fn stored_script_renders_inert() {
        let hostile = "Hi <script>alert(1)</script> **there**\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) [ok](https://example.se) <a href=\"JaVaScRiPt:alert(4)\">x</a> <iframe src=\"https://evil\"></iframe> <svg onload=alert(5)>";
        let html = render_markdown(hostile);
        let lower = html.to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "javascript:",
            "onload",
            "<iframe",
            "<svg",
            "alert(1)",
        ] {
            assert!(!lower.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("<strong>there</strong>"), "{html}");
        assert!(html.contains("href=\"https://example.se\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    }
}
