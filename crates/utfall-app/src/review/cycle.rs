//! The review cycle against the store: open a review, record decisions and outcomes, close it
//! (frozen), show it (live while open, the frozen document once closed), and move the decision
//! log between the store and `reviews.toml`.

use jiff::civil::Date;
use utfall_model::catalog::CHANNELS;
use utfall_model::kinds::{DecisionAction, Movement, Verdict};
use utfall_model::workspace::civil_date;
use utfall_store::{Effect, NewDecision, NewReview, Outcome, ReviewRecord, Store};

use super::build::{ReviewMeta, add_days, build};
use super::{Closed, Review};
use crate::error::AppError;
use crate::memory::{SnapshotRequest, snapshot};
use crate::session::Session;

/// A review as shown: computed now (open) or read back from the store (closed).
#[derive(Debug, Clone)]
pub enum ReviewSource {
    /// Open: computed from today's data and definitions.
    Live(Box<Review>),
    /// Closed: the document frozen at closing, byte for byte.
    Frozen {
        /// The review read from the document.
        review: Box<Review>,
        /// The document as stored.
        document: String,
    },
}

impl ReviewSource {
    /// The review.
    pub fn review(&self) -> &Review {
        match self {
            ReviewSource::Live(review) | ReviewSource::Frozen { review, .. } => review,
        }
    }

    /// Its JSON document: a closed review's exactly as stored.
    pub fn json(&self) -> Result<String, AppError> {
        match self {
            ReviewSource::Live(review) => encode(review),
            ReviewSource::Frozen { document, .. } => Ok(document.clone()),
        }
    }
}

fn encode(review: &Review) -> Result<String, AppError> {
    serde_json::to_string_pretty(review)
        .map_err(|e| AppError::internal("failed to encode the review").caused_by(e))
}

fn meta_of(record: &ReviewRecord) -> Result<ReviewMeta, AppError> {
    Ok(ReviewMeta {
        id: record.id.clone(),
        period: record.period.parse()?,
        held_on: record.held_on.as_deref().and_then(|d| d.parse().ok()),
        participants: record.participants.clone(),
        notes: record.notes.clone(),
    })
}

/// Imports `reviews.toml`'s reviews and decisions into the store the first time (afterwards
/// the store is the source of truth); returns what was imported.
pub async fn import_toml(
    session: &Session,
    store: &Store,
) -> Result<Option<(usize, usize)>, AppError> {
    let workspace = &session.workspace;
    if workspace.reviews.is_empty() && workspace.decisions.is_empty() {
        return Ok(None);
    }
    let at = jiff::Timestamp::now();
    let reviews: Vec<NewReview> = workspace
        .reviews
        .iter()
        .map(|r| NewReview {
            id: r.def.id.get_ref().clone(),
            period: r.def.period.get_ref().clone(),
            held_on: r
                .def
                .date
                .as_ref()
                .and_then(|d| civil_date(d.get_ref()))
                .map(|d| d.to_string()),
            participants: r
                .def
                .participants
                .iter()
                .map(|p| p.get_ref().clone())
                .collect(),
            notes: r.def.notes.clone(),
            at,
        })
        .collect();
    let decisions: Vec<NewDecision> = workspace
        .decisions
        .iter()
        .map(|d| {
            let def = &d.def;
            let held = reviews
                .iter()
                .find(|r| &r.id == def.review.get_ref())
                .and_then(|r| r.held_on.clone());
            let decided_on = def
                .decided_on
                .as_ref()
                .and_then(|d| civil_date(d.get_ref()))
                .map(|d| d.to_string())
                .or(held)
                .unwrap_or_else(|| session.today().to_string());
            NewDecision {
                id: def.id.get_ref().clone(),
                review_id: Some(def.review.get_ref().clone()),
                action: def.action.get_ref().clone(),
                activity: def.activity.as_ref().map(|s| s.get_ref().clone()),
                channel: def.channel.as_ref().map(|s| s.get_ref().clone()),
                campaign: def.campaign.as_ref().map(|s| s.get_ref().clone()),
                kpis: def.kpis.iter().map(|k| k.get_ref().clone()).collect(),
                effect: def.effect.as_ref().map(|e| Effect {
                    kpi: e.kpi.get_ref().clone(),
                    direction: e.direction.get_ref().clone(),
                    size: e.size.as_ref().map(|s| *s.get_ref()),
                }),
                owner: def.owner.as_ref().map(|s| s.get_ref().clone()),
                rationale: def.rationale.clone(),
                expected: def.expected.clone(),
                decided_on,
                follow_up: def
                    .follow_up
                    .as_ref()
                    .and_then(|d| civil_date(d.get_ref()))
                    .map(|d| d.to_string()),
                status: def.status().as_str().to_string(),
                author: "reviews.toml".into(),
                source: "reviews.toml".into(),
                created_at: at,
            }
        })
        .collect();
    Ok(store.import_reviews(&reviews, &decisions).await?)
}

/// Opens the review of a period (or refreshes an open one's meeting details) and computes it.
pub async fn open(session: &Session, store: &Store, meta: &ReviewMeta) -> Result<Review, AppError> {
    import_toml(session, store).await?;
    store
        .open_review(&NewReview {
            id: meta.id.clone(),
            period: meta.period.to_string(),
            held_on: meta.held_on.map(|d| d.to_string()),
            participants: meta.participants.clone(),
            notes: meta.notes.clone(),
            at: jiff::Timestamp::now(),
        })
        .await?;
    let record = store
        .review(&meta.id)
        .await?
        .ok_or_else(|| AppError::internal("an opened review was not found"))?;
    build(session, store, &meta_of(&record)?).await
}

/// The reviews in the store.
pub async fn list(session: &Session, store: &Store) -> Result<Vec<ReviewRecord>, AppError> {
    import_toml(session, store).await?;
    Ok(store.reviews().await?)
}

async fn record(store: &Store, id: &str) -> Result<ReviewRecord, AppError> {
    store.review(id).await?.ok_or_else(|| {
        AppError::user(format!("there is no review `{id}`"))
            .hint("open one with `utfall review open PERIOD`; list them with `utfall review list`")
    })
}

/// A review: its frozen document when closed, else computed now.
pub async fn show(session: &Session, store: &Store, id: &str) -> Result<ReviewSource, AppError> {
    import_toml(session, store).await?;
    let record = record(store, id).await?;
    if let (true, Some(document)) = (record.is_closed(), &record.document) {
        let review: Review = serde_json::from_str(document).map_err(|e| {
            AppError::internal(format!("the closed review `{id}` does not decode")).caused_by(e)
        })?;
        return Ok(ReviewSource::Frozen {
            review: Box::new(review),
            document: document.clone(),
        });
    }
    Ok(ReviewSource::Live(Box::new(
        build(session, store, &meta_of(&record)?).await?,
    )))
}

/// A KPI of a closed review as it was reported and as it is computed today.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LiveValue {
    /// The KPI.
    pub kpi: String,
    /// Its value in the frozen review.
    pub reported: Option<f64>,
    /// Its value computed now from today's data and definitions.
    pub live: Option<f64>,
}

/// Today's values of a review's scorecard beside the ones it reported (for a closed review:
/// what re-imports and definition changes have moved since).
pub async fn live_values(session: &Session, review: &Review) -> Result<Vec<LiveValue>, AppError> {
    let period: utfall_model::period::Period = review.period.parse()?;
    let ids: Vec<&str> = review
        .scorecard
        .iter()
        .map(|r| r.kpi.as_str())
        .filter(|k| session.workspace.kpi(k).is_ok())
        .collect();
    let values = session.engine.evaluate(&ids, &[period]).await?;
    Ok(review
        .scorecard
        .iter()
        .map(|r| LiveValue {
            kpi: r.kpi.clone(),
            reported: r.value,
            live: values.get(&r.kpi, period),
        })
        .collect())
}

/// Closes a review: takes a snapshot, computes the review and freezes its document with the
/// snapshot it is pinned to.
pub async fn close(
    session: &Session,
    store: &Store,
    id: &str,
    by: &str,
) -> Result<ReviewSource, AppError> {
    let record = record(store, id).await?;
    if record.is_closed() {
        return Err(
            AppError::user(format!("the review `{id}` is already closed"))
                .hint("a closed review never changes; show it with `utfall review show`"),
        );
    }
    let taken = snapshot(
        session,
        store,
        &SnapshotRequest {
            reason: format!("review {id}"),
            from: None,
            to: None,
            grains: Vec::new(),
        },
    )
    .await?;
    let pinned = match taken.outcome.snapshot {
        Some(id) => Some(id),
        None => store.snapshots().await?.last().map(|s| s.id),
    };
    let at = jiff::Timestamp::now();
    let mut review = build(session, store, &meta_of(&record)?).await?;
    review.status = "closed".into();
    review.closed = Some(Closed {
        at: at.to_string(),
        by: by.to_string(),
        snapshot: pinned,
    });
    let document = encode(&review)?;
    store.close_review(id, &document, pinned, by, at).await?;
    Ok(ReviewSource::Frozen {
        review: Box::new(review),
        document,
    })
}

/// A decision to record.
#[derive(Debug, Clone, Default)]
pub struct DecideRequest {
    /// Its id.
    pub id: String,
    /// The review it is taken at (must be open).
    pub review: Option<String>,
    /// `stop`, `start`, `continue`, `more`, `less`.
    pub action: String,
    /// The activity.
    pub activity: Option<String>,
    /// The channel.
    pub channel: Option<String>,
    /// The campaign.
    pub campaign: Option<String>,
    /// The KPIs it should move.
    pub kpis: Vec<String>,
    /// The KPI of the expected effect.
    pub effect_kpi: Option<String>,
    /// `up` or `down`.
    pub direction: Option<String>,
    /// The expected relative size.
    pub size: Option<f64>,
    /// Who carries it out.
    pub owner: Option<String>,
    /// Why.
    pub rationale: Option<String>,
    /// What it should do, in words.
    pub expected: Option<String>,
    /// The day it takes effect (default: today).
    pub decided_on: Option<Date>,
    /// The day it is followed up (default: 90 days after).
    pub follow_up: Option<Date>,
    /// Who records it.
    pub author: String,
    /// `cli` or `web`.
    pub source: String,
}

/// Records a decision after checking what it names.
pub async fn decide(
    session: &Session,
    store: &Store,
    request: &DecideRequest,
) -> Result<(), AppError> {
    import_toml(session, store).await?;
    if DecisionAction::parse(&request.action).is_none() {
        return Err(
            AppError::user(format!("`{}` is not an action", request.action))
                .hint("use stop, start, continue, more or less"),
        );
    }
    if request.id.trim().is_empty()
        || !request
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(
            AppError::user(format!("`{}` is not a decision id", request.id))
                .hint("use letters, digits, `_` and `-`, e.g. `more_webinars`"),
        );
    }
    if let Some(channel) = &request.channel
        && !CHANNELS.contains(&channel.as_str())
    {
        return Err(AppError::user(format!("`{channel}` is not a channel"))
            .hint(format!("channels: {}", CHANNELS.join(", "))));
    }
    for kpi in request.kpis.iter().chain(request.effect_kpi.iter()) {
        session.workspace.kpi(kpi)?;
    }
    let effect = match (&request.effect_kpi, &request.direction) {
        (Some(kpi), Some(direction)) => {
            if Movement::parse(direction).is_none() {
                return Err(AppError::user(format!("`{direction}` is not a direction"))
                    .hint("use up or down"));
            }
            Some(Effect {
                kpi: kpi.clone(),
                direction: direction.clone(),
                size: request.size,
            })
        }
        (None, None) => None,
        _ => {
            return Err(
                AppError::user("an expected effect needs both a KPI and a direction")
                    .hint("e.g. `--effect leads --direction up --size 0.15`"),
            );
        }
    };
    let decided_on = request.decided_on.unwrap_or_else(|| session.today());
    let follow_up = request
        .follow_up
        .unwrap_or_else(|| add_days(decided_on, 90));
    if follow_up < decided_on {
        return Err(AppError::user(format!(
            "the follow-up {follow_up} comes before the decision {decided_on}"
        )));
    }
    let mut kpis = request.kpis.clone();
    if let Some(e) = &effect
        && !kpis.contains(&e.kpi)
    {
        kpis.push(e.kpi.clone());
    }
    store
        .decide(&NewDecision {
            id: request.id.clone(),
            review_id: request.review.clone(),
            action: request.action.clone(),
            activity: request.activity.clone(),
            channel: request.channel.clone(),
            campaign: request.campaign.clone(),
            kpis,
            effect,
            owner: request.owner.clone(),
            rationale: request.rationale.clone(),
            expected: request.expected.clone(),
            decided_on: decided_on.to_string(),
            follow_up: Some(follow_up.to_string()),
            status: "open".into(),
            author: request.author.clone(),
            source: request.source.clone(),
            created_at: jiff::Timestamp::now(),
        })
        .await?;
    Ok(())
}

/// An outcome to record.
#[derive(Debug, Clone)]
pub struct OutcomeRequest {
    /// The decision.
    pub decision: String,
    /// `worked`, `did_not_work`, `too_early`.
    pub verdict: String,
    /// What was seen.
    pub note: Option<String>,
    /// Who.
    pub by: String,
}

/// Records a decision's outcome.
pub async fn record_outcome(store: &Store, request: &OutcomeRequest) -> Result<(), AppError> {
    if Verdict::parse(&request.verdict).is_none() {
        return Err(
            AppError::user(format!("`{}` is not a verdict", request.verdict))
                .hint("use worked, did_not_work or too_early"),
        );
    }
    store
        .record_outcome(
            &request.decision,
            &Outcome {
                verdict: request.verdict.clone(),
                note: request.note.clone(),
                by: request.by.clone(),
                at: jiff::Timestamp::now(),
            },
        )
        .await?;
    Ok(())
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list_of(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|i| quoted(i))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The store's reviews and decisions as `reviews.toml` (for git).
pub async fn decisions_toml(store: &Store) -> Result<String, AppError> {
    let mut out = String::from(
        "# Reviews and the decisions taken at them, exported from Utfall's store (the source of truth).\n",
    );
    for r in store.reviews().await? {
        out.push_str(&format!(
            "\n[[review]]\nid = {}\nperiod = {}\n",
            quoted(&r.id),
            quoted(&r.period)
        ));
        if let Some(day) = &r.held_on {
            out.push_str(&format!("date = {day}\n"));
        }
        out.push_str(&format!("participants = {}\n", list_of(&r.participants)));
        if let Some(notes) = &r.notes {
            out.push_str(&format!("notes = {}\n", quoted(notes)));
        }
    }
    for d in store.decisions().await? {
        let d = d.decision;
        let Some(review) = &d.review_id else { continue };
        out.push_str(&format!(
            "\n[[decision]]\nid = {}\nreview = {}\naction = {}\n",
            quoted(&d.id),
            quoted(review),
            quoted(&d.action)
        ));
        for (key, value) in [
            ("activity", &d.activity),
            ("channel", &d.channel),
            ("campaign", &d.campaign),
        ] {
            if let Some(v) = value {
                out.push_str(&format!("{key} = {}\n", quoted(v)));
            }
        }
        out.push_str(&format!("decided_on = {}\n", d.decided_on));
        if let Some(e) = &d.effect {
            out.push_str(&format!(
                "effect = {{ kpi = {}, direction = {}{} }}\n",
                quoted(&e.kpi),
                quoted(&e.direction),
                e.size.map(|s| format!(", size = {s}")).unwrap_or_default()
            ));
        }
        out.push_str(&format!("kpis = {}\n", list_of(&d.kpis)));
        for (key, value) in [
            ("rationale", &d.rationale),
            ("expected", &d.expected),
            ("owner", &d.owner),
        ] {
            if let Some(v) = value {
                out.push_str(&format!("{key} = {}\n", quoted(v)));
            }
        }
        if let Some(day) = &d.follow_up {
            out.push_str(&format!("follow_up = {day}\n"));
        }
        out.push_str(&format!("status = {}\n", quoted(&d.status)));
    }
    Ok(out)
}

/// The formats a review is exported to, by file extension.
pub const EXPORT_FORMATS: &[&str] = &["md", "html", "pdf", "xlsx", "json"];

/// A review in the format `extension` names (`md`, `html`, `pdf`, `xlsx`, `json`) and that
/// format's media type.
pub fn render(
    source: &ReviewSource,
    extension: &str,
    locale: utfall_model::locale::Locale,
) -> Result<(Vec<u8>, &'static str), AppError> {
    let extension = extension.to_ascii_lowercase();
    if extension == "json" {
        return Ok((source.json()?.into_bytes(), "application/json"));
    }
    let format = utfall_report::Format::parse(&extension).map_err(|_| {
        AppError::user(format!("no review format is called `{extension}`"))
            .hint(format!("use one of: {}", EXPORT_FORMATS.join(", ")))
    })?;
    let document = super::document(source.review(), locale);
    let bytes = utfall_report::render(&document, format).map_err(|e| match e {
        utfall_report::ReportError::PdfNotBuilt => AppError::user(e.to_string())
            .hint("or export the review as .html and print it to PDF from a browser"),
        e => AppError::internal(format!("failed to render the review: {e}")).caused_by(e),
    })?;
    Ok((bytes, format.media_type()))
}

/// Writes a review to `path` in the format its extension names (`md`, `html`, `pdf`, `xlsx`,
/// `json`), atomically: a temporary file beside it, then renamed.
pub fn export(
    source: &ReviewSource,
    path: &std::path::Path,
    locale: utfall_model::locale::Locale,
) -> Result<(), AppError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let (bytes, _) = render(source, &extension, locale).map_err(|error| {
        if error.is_user() && !EXPORT_FORMATS.contains(&extension.as_str()) {
            AppError::user(format!(
                "`{}`: no review format ends in `.{extension}`",
                path.display()
            ))
            .hint(format!(
                "name a file ending in one of: {}",
                EXPORT_FORMATS.join(", ")
            ))
        } else {
            error
        }
    })?;
    crate::definitions::write_bytes_atomically(path, &bytes)
}

/// What [`close_history`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// The reviews closed, in order.
    pub closed: Vec<String>,
    /// Outcomes recorded from the computed verdicts: (decision, verdict).
    pub outcomes: Vec<(String, String)>,
    /// The review opened for the last complete period.
    pub opened: String,
}

impl History {
    /// One line for people: what was closed, recorded and opened.
    pub fn summary(&self) -> String {
        let outcomes: Vec<String> = self
            .outcomes
            .iter()
            .map(|(d, v)| format!("{d} {v}"))
            .collect();
        format!(
            "closed the reviews {} (outcomes: {}); opened `{}`",
            self.closed.join(", "),
            outcomes.join(", "),
            self.opened
        )
    }
}

/// One line per review: id, period, status and meeting day.
pub fn list_lines(reviews: &[ReviewRecord]) -> Vec<String> {
    reviews
        .iter()
        .map(|r| {
            format!(
                "{:<14} {:<12} {:<7} {}",
                r.id,
                r.period,
                r.status,
                r.held_on.as_deref().unwrap_or("–")
            )
        })
        .collect()
}

/// The demo's history: every open review of a period before `last` is closed in period order,
/// as of its meeting, after the verdicts of its due follow-ups are recorded as their outcomes
/// (as the meeting would have agreed); then the review of `last` is opened.
pub async fn close_history(
    session: &Session,
    store: &Store,
    last: utfall_model::period::Period,
    by: &str,
) -> Result<History, AppError> {
    import_toml(session, store).await?;
    let calendar = &session.calendar;
    let mut history = History {
        closed: Vec::new(),
        outcomes: Vec::new(),
        opened: String::new(),
    };
    let mut past: Vec<ReviewRecord> = store
        .reviews()
        .await?
        .into_iter()
        .filter(|r| !r.is_closed())
        .filter(|r| {
            r.period
                .parse::<utfall_model::period::Period>()
                .is_ok_and(|p| p.end_exclusive(calendar) <= last.start(calendar))
        })
        .collect();
    past.sort_by_key(|r| {
        r.period
            .parse::<utfall_model::period::Period>()
            .map(|p| p.start(calendar))
            .ok()
    });
    for record in past {
        let review = build(session, store, &meta_of(&record)?).await?;
        for f in review
            .follow_ups
            .iter()
            .filter(|f| f.due && f.outcome.is_none())
        {
            record_outcome(
                store,
                &OutcomeRequest {
                    decision: f.decision.clone(),
                    verdict: f.verdict.clone(),
                    note: Some(f.why.sv.clone()),
                    by: by.to_string(),
                },
            )
            .await?;
            history
                .outcomes
                .push((f.decision.clone(), f.verdict.clone()));
        }
        close(session, store, &record.id, by).await?;
        history.closed.push(record.id.clone());
    }
    let id = super::default_id(last);
    if store.review(&id).await?.is_none() {
        let held_on = add_days(last.end_exclusive(calendar), 9).min(session.today());
        open(
            session,
            store,
            &ReviewMeta {
                id: id.clone(),
                period: last,
                held_on: Some(held_on),
                participants: Vec::new(),
                notes: None,
            },
        )
        .await?;
    }
    history.opened = id;
    Ok(history)
}
