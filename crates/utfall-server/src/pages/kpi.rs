//! A KPI's page: the chart (actual, last year by period number, the target band with its
//! amber zone, the running period's forecast, annotation markers), its values, the drivers of
//! its latest change, its definition and versions; CSV and XLSX downloads.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utfall_app::views::{KpiPage, KpiPageRequest};
use utfall_model::kinds::Unit;
use utfall_model::locale::Locale;
use utfall_model::period::Period;

use super::Context;
use super::scorecard::change_class;
use crate::auth::Caller;
use crate::state::AppState;
use crate::view::{Fmt, Layout, PageError, html, json as to_json, status_icon, status_key};

/// The KPI page's query.
#[derive(Debug, Deserialize)]
pub(crate) struct Asked {
    /// `day`, `week`, `month`, `quarter`, `fiscal_quarter`, `year`, `fiscal_year`.
    pub grain: Option<String>,
    /// How many periods.
    pub window: Option<usize>,
    /// A dimension to split by (`channel`, `campaign`, `source`, `country`…).
    pub by: Option<String>,
}

/// The dimensions the page offers to split by.
const DIMENSIONS: [&str; 7] = [
    "channel",
    "original_channel",
    "original_source",
    "campaign",
    "source",
    "platform",
    "country",
];

/// A KPI split by a dimension: a row a period, a column a value (the largest first), each
/// cell the KPI recomputed for that value alone (ratios as ratios, not sums of ratios).
struct Split {
    columns: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
}

async fn split(
    state: &AppState,
    context: &Context,
    caller: &Caller,
    page: &KpiPage,
    dimension: &str,
) -> Result<Option<Split>, String> {
    if dimension.is_empty() {
        return Ok(None);
    }
    let calendar = &context.session.calendar;
    let request = utfall_app::series::SeriesRequest {
        kpi: page.kpi.clone(),
        grain: Some(page.grain),
        from: page.values.first().map(|p| p.period.start(calendar)),
        to: page
            .values
            .last()
            .and_then(|p| p.period.end_exclusive(calendar).yesterday().ok()),
        compare: None,
        locale: Some(caller.locale),
    };
    let key = context.key(&format!(
        "split|{}|{:?}|{:?}|{dimension}",
        page.kpi, request.grain, request.from
    ));
    let session = context.session.clone();
    let dimension_owned = dimension.to_string();
    let series = state
        .cache
        .get(key, async move {
            utfall_app::series::split_series(&session, &request, &dimension_owned).await
        })
        .await
        .map_err(|e| e.to_string())?;
    // Columns by their total over the window, largest first; the total last.
    let mut totals: std::collections::BTreeMap<&str, f64> = std::collections::BTreeMap::new();
    for point in series.values.iter().filter(|p| p.value_of != "(total)") {
        *totals.entry(point.value_of.as_str()).or_default() += point.value.unwrap_or(0.0).abs();
    }
    let mut columns: Vec<(&str, f64)> = totals.into_iter().collect();
    columns.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let mut names: Vec<String> = columns
        .iter()
        .take(12)
        .map(|(c, _)| c.to_string())
        .collect();
    names.push("(total)".into());
    let fmt = &context.fmt;
    let rows = page
        .values
        .iter()
        .map(|p| {
            let cells = names
                .iter()
                .map(|name| {
                    let value = series
                        .values
                        .iter()
                        .find(|s| s.period == p.period && &s.value_of == name)
                        .and_then(|s| s.value);
                    fmt.value(page.unit, value)
                })
                .collect();
            (p.period.to_string(), cells)
        })
        .collect();
    Ok(Some(Split {
        columns: names,
        rows,
    }))
}

async fn load(
    state: &AppState,
    caller: &Caller,
    id: &str,
    asked: &Asked,
    api: bool,
) -> Result<(Context, Arc<KpiPage>), PageError> {
    let context = Context::of(state, caller, api).await?;
    if context.session.workspace.kpi(id).is_err() {
        return Err(PageError::not_found(format!("there is no KPI `{id}`"), api));
    }
    let grain = match asked.grain.as_deref().filter(|g| !g.is_empty()) {
        Some(text) => {
            Some(utfall_app::series::parse_grain(text).map_err(|e| PageError::app(&e, api))?)
        }
        None => None,
    };
    let window = asked.window.map(|w| w.clamp(1, 400));
    let key = context.key(&format!("kpi|{id}|{grain:?}|{window:?}|{}", caller.locale));
    let session = context.session.clone();
    let request = KpiPageRequest {
        kpi: id.to_string(),
        grain,
        window,
        locale: Some(caller.locale),
    };
    let cached = state
        .cache
        .get(key, async move {
            utfall_app::views::kpi_page(&session, None, &request).await
        })
        .await
        .map_err(|e| PageError::app(&e, api))?;
    // Notes and definition versions live in the store and change without the data: read them
    // on every request (two indexed queries), not from the cache.
    let mut page = (*cached).clone();
    let calendar = &context.session.calendar;
    let from = page.values.first().map(|p| p.period.start(calendar));
    let to = page
        .values
        .last()
        .and_then(|p| p.period.end_exclusive(calendar).yesterday().ok());
    page.annotations =
        utfall_app::memory::annotations(&context.session, &state.store, Some(id), from, to)
            .await
            .map_err(|e| PageError::app(&e, api))?;
    page.versions = state.store.versions(Some(id)).await?;
    let page = Arc::new(page);
    Ok((context, page))
}

/// `GET /api/kpi/{id}`.
pub(crate) async fn json(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(asked): Query<Asked>,
) -> Result<Response, PageError> {
    let (_, page) = load(&state, &caller, &id, &asked, true).await?;
    Ok(to_json(&*page))
}

/// A period's short label on a chart's axis.
pub(crate) fn short_label(period: Period, locale: Locale) -> String {
    const SV: [&str; 12] = [
        "jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
    ];
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match period {
        Period::Month { year, month } => {
            let names = if locale == Locale::Sv { SV } else { EN };
            let name = names[(month.clamp(1, 12) - 1) as usize];
            if month == 1 {
                format!("{name} {year}")
            } else {
                name.to_string()
            }
        }
        Period::Week { week, .. } => match locale {
            Locale::Sv => format!("v.\u{a0}{week}"),
            Locale::En => format!("W{week}"),
        },
        Period::Day(date) => format!("{}/{}", date.day(), date.month()),
        other => other.to_string(),
    }
}

/// The axis unit of a KPI's unit.
pub(crate) fn axis_unit(unit: Unit, currency: &str) -> utfall_chart::AxisUnit<'_> {
    match unit {
        Unit::Count => utfall_chart::AxisUnit::Count,
        Unit::Currency => utfall_chart::AxisUnit::Money { currency },
        Unit::Ratio => utfall_chart::AxisUnit::Share,
        Unit::Percent | Unit::Score => utfall_chart::AxisUnit::Plain { decimals: 1 },
        Unit::Days | Unit::Number => utfall_chart::AxisUnit::Plain { decimals: 1 },
    }
}

struct Row {
    period: String,
    running: bool,
    value: String,
    last_year: String,
    change: String,
    change_class: &'static str,
    target: String,
    status_class: String,
    status_icon: &'static str,
    status_text: String,
    forecast: String,
}

struct Note {
    number: usize,
    date: String,
    kind: &'static str,
    kind_text: String,
    body: String,
    author: String,
}

struct Driver {
    name: String,
    depth: usize,
    from: String,
    to: String,
    effect: String,
}

#[derive(Template)]
#[template(path = "kpi.html")]
struct Page<'a> {
    layout: Layout<'a>,
    id: String,
    name: String,
    description: String,
    grain: String,
    grains: Vec<(&'static str, String, bool)>,
    window: usize,
    chart: String,
    notes: Vec<Note>,
    rows: Vec<Row>,
    drivers: Vec<Driver>,
    drivers_intro: String,
    unexplained: String,
    formula: String,
    purpose: String,
    owners: String,
    sources: String,
    method: String,
    direction: String,
    unit: String,
    goal: String,
    parent: String,
    children: Vec<String>,
    versions: Vec<(i64, String, String, String)>,
    comments: Vec<CommentView>,
    today: String,
    dimensions: Vec<(&'static str, bool)>,
    by: String,
    split: Option<Split>,
    split_error: String,
}

struct CommentView {
    id: i64,
    depth: usize,
    author: String,
    period: String,
    at: String,
    html: String,
}

fn marker_kind(kind: utfall_store::AnnotationKind) -> (utfall_chart::MarkerKind, &'static str) {
    use utfall_store::AnnotationKind as A;
    match kind {
        A::Note => (utfall_chart::MarkerKind::Note, "note"),
        A::Import => (utfall_chart::MarkerKind::Import, "import"),
        A::Definition => (utfall_chart::MarkerKind::Definition, "definition"),
        A::Activity => (utfall_chart::MarkerKind::Activity, "activity"),
        A::Decision => (utfall_chart::MarkerKind::Decision, "decision"),
    }
}

/// The chart of a KPI page.
fn chart(
    page: &KpiPage,
    context: &Context,
    t: crate::i18n::Tr<'_>,
    notes: &[(usize, String)],
) -> String {
    let locale = context.fmt.locale;
    let labels: Vec<String> = page
        .values
        .iter()
        .map(|p| short_label(p.period, locale))
        .collect();
    let periods: Vec<String> = page.values.iter().map(|p| p.period.to_string()).collect();
    let points = page
        .values
        .iter()
        .enumerate()
        .map(|(i, p)| utfall_chart::PeriodPoint {
            period: &periods[i],
            label: &labels[i],
            value: p.value,
            last_year: p.last_year,
            target: p.target.as_ref().map(|target| {
                let (low, high) = (target.low, target.high);
                let value = target.value;
                // Open above: the band runs to the top of the plot; open below: from zero.
                utfall_chart::Band {
                    low: low.unwrap_or(0.0_f64.min(value)),
                    high: high.unwrap_or(f64::INFINITY),
                    amber_low: target.amber.map(|a| a.0),
                    amber_high: target.amber.map(|a| a.1),
                }
            }),
            running: p.running,
            forecast: p.forecast.as_ref().map(|f| f.value),
        })
        .collect();
    // People's notes, definition changes and decisions on the chart; imports and activities
    // (many, and the system's) only in the list under it.
    let markers = page
        .annotations
        .iter()
        .zip(notes)
        .filter(|(a, _)| {
            !matches!(
                a.kind,
                utfall_store::AnnotationKind::Import | utfall_store::AnnotationKind::Activity
            )
        })
        .map(|(a, (index, text))| utfall_chart::Marker {
            index: *index,
            text,
            kind: marker_kind(a.kind).0,
        })
        .collect();
    let title = t.with("chart-title", "name", &page.name);
    let description = t.with(
        "chart-description",
        "grain",
        &t.get(&format!("grain-{}", page.grain)),
    );
    let last_year = t.get("legend-last-year-short");
    let to_date = t.get("to-date");
    let forecast = t.get("legend-forecast");
    let target = t.get("legend-target");
    utfall_chart::kpi_chart(&utfall_chart::KpiChart {
        title: &title,
        description: &description,
        locale,
        unit: axis_unit(page.unit, &page.currency),
        periods: points,
        last_year_label: &last_year,
        to_date_label: &to_date,
        forecast_label: &forecast,
        target_label: &target,
        annotations: markers,
    })
}

/// `GET /kpi/{id}`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(asked): Query<Asked>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let (context, page) = load(&state, &caller, &id, &asked, false).await?;
    let mut layout = context.layout(&state, &caller, "kpi-title", "scorecard", &uri);
    layout.title = page.name.clone();
    let t = layout.t;
    let fmt = &context.fmt;
    let calendar = &context.session.calendar;
    let direction = context
        .session
        .workspace
        .kpi(&id)
        .map_or(utfall_model::kinds::Direction::Higher, |d| d.direction());
    // Each annotation's period on the chart.
    let placed: Vec<(usize, String)> = page
        .annotations
        .iter()
        .map(|a| {
            let index = a
                .starts_on
                .parse::<jiff::civil::Date>()
                .ok()
                .and_then(|d| {
                    page.values
                        .iter()
                        .position(|p| p.period.contains(d, calendar))
                })
                .unwrap_or(0);
            (index, a.body.clone())
        })
        .collect();
    let notes = page
        .annotations
        .iter()
        .enumerate()
        .map(|(i, a)| Note {
            number: i + 1,
            date: a
                .ends_on
                .as_ref()
                .map_or(a.starts_on.clone(), |e| format!("{} – {e}", a.starts_on)),
            kind: marker_kind(a.kind).1,
            kind_text: t.get(&format!("annotation-{}", marker_kind(a.kind).1)),
            body: a.body.clone(),
            author: a.author.clone(),
        })
        .collect();
    let rows = rows(&page, fmt, t, direction);
    let (drivers, drivers_intro) = match &page.explanation {
        Some(e) => (
            e.lines
                .iter()
                .map(|l| Driver {
                    name: l.name.clone(),
                    depth: l.depth.min(5),
                    from: fmt.value(l.unit, l.before),
                    to: fmt.value(l.unit, l.after),
                    effect: l
                        .contribution
                        .map_or("–".into(), |c| fmt.value(page.unit, Some(c))),
                })
                .collect(),
            t.with(
                "drivers-intro",
                "periods",
                &format!("{} → {}", e.vs, e.period),
            ),
        ),
        None => (Vec::new(), String::new()),
    };
    let def = &page.definition;
    let grains = [
        ("week", "grain-week"),
        ("month", "grain-month"),
        ("quarter", "grain-quarter"),
        ("fiscal_quarter", "grain-fiscal_quarter"),
        ("year", "grain-year"),
    ]
    .into_iter()
    .map(|(g, key)| (g, t.get(key), page.grain.as_str() == g))
    .collect();
    let chart = chart(&page, &context, t, &placed);
    let by = asked
        .by
        .clone()
        .filter(|b| DIMENSIONS.contains(&b.as_str()))
        .unwrap_or_default();
    let (split, split_error) = match split(&state, &context, &caller, &page, &by).await {
        Ok(split) => (split, String::new()),
        Err(error) => (None, error),
    };
    let comments = comments(&state, &context, &id).await?;
    html(
        Page {
            id: page.kpi.clone(),
            name: page.name.clone(),
            description: def.description.clone().unwrap_or_default(),
            grain: page.grain.to_string(),
            grains,
            window: page.values.len(),
            chart,
            notes,
            rows,
            drivers,
            drivers_intro,
            unexplained: page
                .unexplained
                .clone()
                .unwrap_or_else(|| t.get("no-drivers")),
            formula: def.formula.clone().unwrap_or_default(),
            purpose: def.purpose.clone().unwrap_or_default(),
            owners: def.owners.join(", "),
            sources: def.sources.join(", "),
            method: def.method.clone().unwrap_or_default(),
            direction: t.get(&format!("direction-{}", def.direction)),
            unit: page.unit.to_string(),
            goal: def.goal.clone().unwrap_or_default(),
            parent: def.parent.clone().unwrap_or_default(),
            children: def.children.clone(),
            versions: page
                .versions
                .iter()
                .map(|v| {
                    let day = |at: jiff::Timestamp| at.strftime("%Y-%m-%d").to_string();
                    (
                        v.version,
                        day(v.first_seen),
                        day(v.last_seen),
                        v.hash.chars().take(12).collect(),
                    )
                })
                .collect(),
            comments,
            today: context.session.today().to_string(),
            dimensions: DIMENSIONS.iter().map(|d| (*d, by.as_str() == *d)).collect(),
            by: by.clone(),
            split,
            split_error,
            layout,
        }
        .render(),
    )
}

/// The annotation form.
#[derive(Debug, Deserialize)]
pub(crate) struct NoteForm {
    on: String,
    until: Option<String>,
    text: String,
}

fn day(text: &str) -> Result<jiff::civil::Date, PageError> {
    text.trim()
        .parse()
        .map_err(|_| PageError::bad(format!("`{text}` is not a date (YYYY-MM-DD)"), false))
}

/// `POST /kpi/{id}/annotations`: a note on a day or a range of days.
pub(crate) async fn annotate(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<NoteForm>,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let until = match form
        .until
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        Some(text) => Some(day(text)?),
        None => None,
    };
    let request = utfall_app::memory::AnnotateRequest {
        kpi: Some(id.clone()),
        goal: None,
        on: day(&form.on)?,
        until,
        text: form.text.trim().to_string(),
        author: caller.author(),
    };
    if request.text.is_empty() {
        return Err(PageError::bad("a note needs a text", false));
    }
    utfall_app::memory::add_annotation(&context.session, &state.store, &request)
        .await
        .map_err(|e| PageError::app(&e, false))?;
    super::audit(
        &state,
        &caller,
        "annotation.add",
        &id,
        &format!("{}: {}", form.on.trim(), request.text),
    )
    .await?;
    Ok(super::see_other(&format!("/kpi/{}", super::encode(&id))))
}

/// The comment form.
#[derive(Debug, Deserialize)]
pub(crate) struct CommentForm {
    period: String,
    text: String,
    reply_to: Option<i64>,
}

/// `POST /kpi/{id}/comments`: a comment (Markdown) on a period's value, or an answer.
pub(crate) async fn comment(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<CommentForm>,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let period: Period = form
        .period
        .trim()
        .parse()
        .map_err(|_| PageError::bad(format!("`{}` is not a period", form.period), false))?;
    let request = utfall_app::memory::CommentRequest {
        kpi: id.clone(),
        period,
        reply_to: form.reply_to,
        text: form.text.clone(),
        author: caller.author(),
    };
    utfall_app::memory::comment(&context.session, &state.store, &request)
        .await
        .map_err(|e| PageError::app(&e, false))?;
    super::audit(
        &state,
        &caller,
        "comment.add",
        &id,
        &format!("{}: {}", request.period, request.text),
    )
    .await?;
    Ok(super::see_other(&format!(
        "/kpi/{}#comments",
        super::encode(&id)
    )))
}

/// A CSV cell, quoted when needed and defused when a spreadsheet could take it for a formula.
pub(crate) fn csv_cell(text: &str) -> String {
    let defused =
        if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.parse::<f64>().is_err() {
            format!("'{text}")
        } else {
            text.to_string()
        };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn number(value: Option<f64>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}

/// `GET /kpi/{id}/values.csv`: machine values (dot decimals, ISO periods).
pub(crate) async fn csv(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(asked): Query<Asked>,
) -> Result<Response, PageError> {
    let (_, page) = load(&state, &caller, &id, &asked, false).await?;
    let mut out = String::from("kpi,period,value,last_year,running,target_kind,target,status\n");
    for p in &page.values {
        let line = [
            csv_cell(&page.kpi),
            csv_cell(&p.period.to_string()),
            number(p.value),
            number(p.last_year),
            p.running.to_string(),
            p.target
                .as_ref()
                .map_or(String::new(), |t| t.kind.to_string()),
            number(p.target.as_ref().map(|t| t.value)),
            p.status.as_str().to_string(),
        ];
        out.push_str(&line.join(","));
        out.push('\n');
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.csv\"", safe_name(&page.kpi)),
            ),
        ],
        out,
    )
        .into_response())
}

fn safe_name(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `GET /kpi/{id}/values.xlsx`: real numeric cells with number formats.
pub(crate) async fn xlsx(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(asked): Query<Asked>,
) -> Result<Response, PageError> {
    use utfall_app::review::Document;
    let (context, page) = load(&state, &caller, &id, &asked, false).await?;
    let t = crate::i18n::Tr {
        messages: &state.messages,
        locale: caller.locale,
    };
    let fmt: &Fmt = &context.fmt;
    let kind = match page.unit {
        Unit::Count => utfall_report::NumberKind::Count,
        Unit::Currency => {
            let code = page.currency.as_bytes();
            let mut three = [b'S', b'E', b'K'];
            if code.len() == 3 {
                three.copy_from_slice(code);
            }
            utfall_report::NumberKind::Money(utfall_report::Currency(three))
        }
        Unit::Ratio => utfall_report::NumberKind::Percent,
        _ => utfall_report::NumberKind::Decimal(2),
    };
    let cell = |v: Option<f64>| match v {
        Some(v) => utfall_report::Cell::number(fmt.value(page.unit, Some(v)), v, kind),
        None => utfall_report::Cell::text(""),
    };
    let rows = page
        .values
        .iter()
        .map(|p| {
            vec![
                utfall_report::Cell::text(p.period.to_string()),
                cell(p.value),
                cell(p.last_year),
                cell(p.target.as_ref().map(|t| t.value)),
                utfall_report::Cell::text(t.get(&status_key(p.status))),
            ]
        })
        .collect();
    let doc = Document {
        title: page.name.clone(),
        subtitle: context.session.name().to_string(),
        lang: caller.locale.to_string(),
        sections: vec![utfall_report::Section {
            heading: page.name.clone(),
            blocks: vec![utfall_report::Block::Table(utfall_report::Table {
                name: safe_name(&page.kpi),
                headers: [
                    "col-period",
                    "col-value",
                    "col-last-year",
                    "col-target",
                    "col-status",
                ]
                .iter()
                .map(|k| t.get(k))
                .collect(),
                rows,
            })],
        }],
    };
    let bytes = utfall_report::xlsx(&doc).map_err(|e| PageError::internal(e.to_string(), false))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.xlsx\"", safe_name(&page.kpi)),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The values table of a KPI page.
fn rows(
    page: &KpiPage,
    fmt: &Fmt,
    t: crate::i18n::Tr<'_>,
    direction: utfall_model::kinds::Direction,
) -> Vec<Row> {
    page.values
        .iter()
        .map(|p| Row {
            period: p.period.to_string(),
            running: p.running,
            value: fmt.value(page.unit, p.value),
            last_year: fmt.value(page.unit, p.last_year),
            change: fmt.change(page.unit, p.value, p.last_year),
            change_class: change_class(direction, p.value, p.last_year),
            target: p.target.as_ref().map_or("–".into(), |target| {
                format!(
                    "{} {}",
                    t.get(&format!("target-{}", target.kind)),
                    fmt.value(page.unit, Some(target.value))
                )
            }),
            status_class: status_key(p.status),
            status_icon: status_icon(p.status),
            status_text: t.get(&status_key(p.status)),
            forecast: p.forecast.as_ref().map_or(String::new(), |f| {
                t.with(
                    "forecast-to-end",
                    "value",
                    &fmt.value(page.unit, Some(f.value)),
                )
            }),
        })
        .collect()
}

/// A KPI's comments, threaded, their Markdown rendered safe.
async fn comments(
    state: &AppState,
    context: &Context,
    id: &str,
) -> Result<Vec<CommentView>, PageError> {
    Ok(
        utfall_app::memory::comments(&context.session, &state.store, id, None)
            .await
            .map_err(|e| PageError::app(&e, false))?
            .into_iter()
            .map(|c| CommentView {
                id: c.comment.id,
                depth: c.depth.min(5),
                author: c.comment.author.clone(),
                period: c.comment.period.clone(),
                at: c.comment.created_at.strftime("%Y-%m-%d %H:%M").to_string(),
                html: c.html,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_defused() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-12.5"), "-12.5");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(
            short_label(
                Period::Month {
                    year: 2026,
                    month: 1
                },
                Locale::Sv
            ),
            "jan 2026"
        );
        assert_eq!(
            short_label(
                Period::Month {
                    year: 2026,
                    month: 5
                },
                Locale::Sv
            ),
            "maj"
        );
        assert_eq!(
            short_label(
                Period::Week {
                    year: 2026,
                    week: 14
                },
                Locale::En
            ),
            "W14"
        );
    }
}
