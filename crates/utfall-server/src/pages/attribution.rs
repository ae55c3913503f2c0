//! Attribution: every model side by side per channel, campaign or activity, with cost, share,
//! cost per conversion, ROAS and intervals, and the Markov chain's removal effects.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, Query, State};
use axum::response::Response;
use serde::Deserialize;
use utfall_app::attribution::{
    AttributionReport, AttributionRequest, ConversionKind, CreditTo, Model,
};

use super::Context;
use crate::auth::Caller;
use crate::state::AppState;
use crate::view::{Layout, PageError, html, json as to_json};

/// The attribution page's query.
#[derive(Debug, Deserialize)]
pub(crate) struct Asked {
    /// `leads`, `mqls`, `sqls`, `opportunities`, `pipeline`, `won_deals` (default).
    pub conversion: Option<String>,
    /// `channel` (default), `campaign`, `activity`.
    pub by: Option<String>,
    /// The model the table shows (default `markov`).
    pub model: Option<String>,
    /// Only conversions in this period.
    pub period: Option<String>,
}

const CONVERSIONS: [(&str, ConversionKind); 6] = [
    ("leads", ConversionKind::Leads),
    ("mqls", ConversionKind::Mqls),
    ("sqls", ConversionKind::Sqls),
    ("opportunities", ConversionKind::Opportunities),
    ("pipeline", ConversionKind::Pipeline),
    ("won_deals", ConversionKind::WonDeals),
];
const BYS: [(&str, CreditTo); 3] = [
    ("channel", CreditTo::Channel),
    ("campaign", CreditTo::Campaign),
    ("activity", CreditTo::Activity),
];
/// The models the page compares, the data-driven ones with intervals.
const MODELS: [Model; 7] = [
    Model::First,
    Model::Last,
    Model::Linear,
    Model::TimeDecay,
    Model::Position,
    Model::Markov,
    Model::Shapley,
];

struct Parsed {
    conversion: (&'static str, ConversionKind),
    by: (&'static str, CreditTo),
    model: Model,
    period: Option<utfall_model::period::Period>,
}

fn parse(asked: &Asked, api: bool) -> Result<Parsed, PageError> {
    let pick = |text: Option<&str>, default: &str| {
        text.filter(|t| !t.is_empty())
            .unwrap_or(default)
            .to_string()
    };
    let conversion_text = pick(asked.conversion.as_deref(), "won_deals");
    let conversion = CONVERSIONS
        .into_iter()
        .find(|(name, _)| *name == conversion_text)
        .ok_or_else(|| PageError::bad(format!("`{conversion_text}` is not a conversion (leads, mqls, sqls, opportunities, pipeline, won_deals)"), api))?;
    let by_text = pick(asked.by.as_deref(), "channel");
    let by = BYS
        .into_iter()
        .find(|(name, _)| *name == by_text)
        .ok_or_else(|| {
            PageError::bad(
                format!("`{by_text}` is not channel, campaign or activity"),
                api,
            )
        })?;
    let model_text = pick(asked.model.as_deref(), "markov");
    let model = MODELS
        .into_iter()
        .find(|m| m.as_str() == model_text)
        .ok_or_else(|| {
            PageError::bad(
                format!("`{model_text}` is not one of the models shown"),
                api,
            )
        })?;
    let period = match asked
        .period
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => None,
        Some(text) => Some(
            text.parse()
                .map_err(|_| PageError::bad(format!("`{text}` is not a period"), api))?,
        ),
    };
    Ok(Parsed {
        conversion,
        by,
        model,
        period,
    })
}

async fn load(
    state: &AppState,
    caller: &Caller,
    asked: &Asked,
    api: bool,
) -> Result<(Context, Parsed, Arc<AttributionReport>), PageError> {
    let context = Context::of(state, caller, api).await?;
    let parsed = parse(asked, api)?;
    let key = context.key(&format!(
        "attribution|{}|{}|{}|{:?}",
        parsed.conversion.0,
        parsed.by.0,
        parsed.model.as_str(),
        parsed.period
    ));
    // The chosen model first (the rows sort by it), then the others.
    let models: Vec<Model> = std::iter::once(parsed.model)
        .chain(MODELS.into_iter().filter(|m| *m != parsed.model))
        .collect();
    let request = AttributionRequest {
        models,
        markov_order: 1,
        // Bootstrapped Shapley over many activities or campaigns takes tens of seconds: the
        // intervals are drawn for channels, the question they answer best.
        intervals: parsed.by.1 == CreditTo::Channel,
        conversion: parsed.conversion.1,
        by: parsed.by.1,
        period: parsed.period,
        lookback_days: None,
        per_account: false,
        collapse: false,
        half_life_days: 7.0,
        position_weights: [0.4, 0.4],
        milestone_weights: [0.25, 0.25, 0.25, 0.15, 0.1],
    };
    let session = context.session.clone();
    let report = state
        .cache
        .get(key, async move {
            utfall_app::attribution::run(&session, &request).await
        })
        .await
        .map_err(|e| PageError::app(&e, api))?;
    Ok((context, parsed, report))
}

/// `GET /api/attribution`: the same document as `utfall attribution --format json`.
pub(crate) async fn json(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(asked): Query<Asked>,
) -> Result<Response, PageError> {
    let (_, _, report) = load(&state, &caller, &asked, true).await?;
    Ok(to_json(&*report))
}

struct Line {
    key: String,
    raw: String,
    cost: String,
    conversions: String,
    interval: String,
    share: String,
    cpa: String,
    value: String,
    roas: String,
}

#[derive(Template)]
#[template(path = "attribution.html")]
struct Page<'a> {
    layout: Layout<'a>,
    conversions: Vec<(&'static str, String, bool)>,
    bys: Vec<(&'static str, String, bool)>,
    models: Vec<(&'static str, String, bool)>,
    period: String,
    summary: String,
    chart: String,
    chosen: &'static str,
    chosen_name: String,
    how: String,
    by_name: String,
    with_value: bool,
    rows: Vec<Line>,
    side_models: Vec<(&'static str, String, String)>,
    side_rows: Vec<(String, Vec<String>)>,
    removal: Vec<(String, String)>,
}

/// `GET /attribution`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(asked): Query<Asked>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let (context, parsed, report) = load(&state, &caller, &asked, false).await?;
    let layout = context.layout(&state, &caller, "attribution-title", "attribution", &uri);
    let t = layout.t;
    let fmt = &context.fmt;
    let model_name = |m: Model| t.get(&format!("model-{}", m.as_str()));
    let model_how = |m: Model| t.get(&format!("model-{}-how", m.as_str()));
    let credit_of = |row: &utfall_app::attribution::AttributionRow, m: Model| {
        row.models
            .iter()
            .find(|(model, _)| *model == m)
            .map(|(_, c)| c.clone())
    };
    let total = report.conversions;
    let rows = report
        .rows
        .iter()
        .map(|row| {
            let credit = credit_of(row, parsed.model);
            let conversions = credit.as_ref().map(|c| c.conversions);
            let value = credit.as_ref().map(|c| c.value);
            Line {
                key: row.key.clone(),
                raw: conversions.map_or(String::new(), |c| c.to_string()),
                cost: fmt.money(row.cost),
                conversions: fmt.number(conversions, 1),
                interval: credit
                    .as_ref()
                    .and_then(|c| c.conversions_interval)
                    .map_or("–".into(), |(lo, hi)| {
                        format!("{} – {}", fmt.number(Some(lo), 1), fmt.number(Some(hi), 1))
                    }),
                share: fmt.percent(conversions.filter(|_| total > 0.0).map(|c| c / total)),
                cpa: fmt.money(
                    row.cost
                        .zip(conversions)
                        .filter(|(_, c)| *c > 0.0)
                        .map(|(cost, c)| cost / c),
                ),
                value: fmt.money(value),
                roas: fmt.number(
                    row.cost
                        .zip(value)
                        .filter(|(cost, _)| *cost > 0.0)
                        .map(|(cost, v)| v / cost),
                    2,
                ),
            }
        })
        .collect();
    let side_models: Vec<(&'static str, String, String)> = MODELS
        .iter()
        .map(|m| (m.as_str(), model_name(*m), model_how(*m)))
        .collect();
    let side_rows = report
        .rows
        .iter()
        .map(|row| {
            let cells = MODELS
                .iter()
                .map(|m| fmt.number(credit_of(row, *m).map(|c| c.conversions), 1))
                .collect();
            (row.key.clone(), cells)
        })
        .collect();
    let chart = chart(&report, t, fmt.locale);
    let mut removal: Vec<(String, f64)> = report
        .removal_effects
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    removal.sort_by(|a, b| b.1.total_cmp(&a.1));
    let options = |list: &[(&'static str, String)], chosen: &str| {
        list.iter()
            .map(|(v, n)| (*v, n.clone(), *v == chosen))
            .collect::<Vec<_>>()
    };
    let conversion_options: Vec<(&'static str, String)> = CONVERSIONS
        .iter()
        .map(|(n, _)| (*n, t.get(&format!("conversion-{n}"))))
        .collect();
    let by_options: Vec<(&'static str, String)> = BYS
        .iter()
        .map(|(n, _)| (*n, t.get(&format!("by-{n}"))))
        .collect();
    let model_options: Vec<(&'static str, String)> = MODELS
        .iter()
        .map(|m| (m.as_str(), model_name(*m)))
        .collect();
    let summary = format!(
        "{} · {} · {}",
        t.with(
            "attribution-conversions",
            "n",
            &fmt.number(Some(report.conversions), 0)
        ),
        t.with(
            "attribution-with-touches",
            "n",
            &fmt.number(Some(report.journeys_with_touches as f64), 0)
        ),
        t.with(
            "attribution-lookback",
            "days",
            &report.lookback_days.to_string()
        ),
    );
    html(
        Page {
            conversions: options(&conversion_options, parsed.conversion.0),
            bys: options(&by_options, parsed.by.0),
            models: options(&model_options, parsed.model.as_str()),
            period: parsed.period.map_or(String::new(), |p| p.to_string()),
            summary,
            chart,
            chosen: parsed.model.as_str(),
            chosen_name: model_name(parsed.model),
            how: model_how(parsed.model),
            by_name: t.get(&format!("by-{}", parsed.by.0)),
            with_value: report.with_value,
            rows,
            side_models,
            side_rows,
            removal: removal
                .into_iter()
                .map(|(k, v)| (k, fmt.percent(Some(v))))
                .collect(),
            layout,
        }
        .render(),
    )
}

/// The models the chart compares (the table shows them all): the two single-touch rules, the
/// even split and the two data-driven models with their intervals.
const CHARTED: [Model; 5] = [
    Model::First,
    Model::Last,
    Model::Linear,
    Model::Markov,
    Model::Shapley,
];

/// Five models' credit per key (the twelve largest), with the intervals.
fn chart(
    report: &AttributionReport,
    t: crate::i18n::Tr<'_>,
    locale: utfall_model::locale::Locale,
) -> String {
    let series: Vec<String> = CHARTED
        .iter()
        .map(|m| t.get(&format!("model-{}", m.as_str())))
        .collect();
    let categories: Vec<utfall_chart::BarCategory<'_>> = report
        .rows
        .iter()
        .take(12)
        .map(|row| utfall_chart::BarCategory {
            name: &row.key,
            bars: CHARTED
                .iter()
                .map(|m| {
                    row.models
                        .iter()
                        .find(|(model, _)| model == m)
                        .map(|(_, c)| c.clone())
                        .map(|c| utfall_chart::Bar {
                            value: c.conversions,
                            low: c.conversions_interval.map(|i| i.0),
                            high: c.conversions_interval.map(|i| i.1),
                        })
                })
                .collect(),
        })
        .collect();
    let title = t.get("attribution-chart-title");
    let description = t.get("attribution-chart-description");
    utfall_chart::bar_chart(&utfall_chart::BarChart {
        title: &title,
        description: &description,
        locale,
        unit: utfall_chart::AxisUnit::Plain { decimals: 1 },
        series: series.iter().map(String::as_str).collect(),
        categories,
    })
}
