//! The mix model: contributions and ROAS with intervals, response curves and marginal returns,
//! the decomposition over time, diagnostics in plain words, and a budget form returning the
//! more/less plan. Fitting runs in the background; the page says how far it is.

use std::sync::Arc;

use askama::Template;
use axum::extract::{OriginalUri, Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};
use utfall_app::mmm::{FitSource, OptimizeRequest, SavedReport, SpendBounds};

use super::{Context, see_other};
use crate::auth::Caller;
use crate::state::{AppState, FitJob};
use crate::view::{Layout, PageError, html, json as to_json};

/// The mix-model page's query.
#[derive(Debug, Deserialize)]
pub(crate) struct Asked {
    /// The outcome KPI (default `leads`, else the first KPI).
    pub kpi: Option<String>,
    /// A budget to plan.
    pub budget: Option<f64>,
    /// The planning period (`2027-Q1`; default a quarter of weeks).
    pub period: Option<String>,
    /// Spend bounds as multiples of today's (`0.5,2`).
    pub bounds: Option<String>,
}

fn kpi_of(context: &Context, asked: &Asked, api: bool) -> Result<String, PageError> {
    let workspace = &context.session.workspace;
    match asked.kpi.as_deref().filter(|k| !k.is_empty()) {
        Some(kpi) if workspace.kpi(kpi).is_ok() => Ok(kpi.to_string()),
        Some(kpi) => Err(PageError::not_found(
            format!("there is no KPI `{kpi}`"),
            api,
        )),
        None if workspace.kpi("leads").is_ok() => Ok("leads".into()),
        None => workspace
            .kpis
            .first()
            .map(|k| k.def.id.get_ref().clone())
            .ok_or_else(|| PageError::not_found("the workspace has no KPI", api)),
    }
}

/// The saved fit's report (cached by the fit's generation too: a new fit changes the store).
async fn saved(
    state: &AppState,
    context: &Context,
    kpi: &str,
    api: bool,
) -> Result<Option<Arc<SavedReport>>, PageError> {
    let latest = state.store.latest_fit(kpi).await?;
    let Some(latest) = latest else {
        return Ok(None);
    };
    let key = context.key(&format!("mmm|{kpi}|{}", latest.id));
    let source = FitSource::Workspace {
        dir: state.dir.clone(),
        kpi: kpi.to_string(),
    };
    let report = state
        .cache
        .get(
            key,
            async move { utfall_app::mmm::report(&source, None).await },
        )
        .await
        .map_err(|e| PageError::app(&e, api))?;
    Ok(Some(report))
}

/// What `/api/mmm` sends.
#[derive(Debug, Serialize)]
struct MixModel<'a> {
    kpi: &'a str,
    unit: &'a str,
    fitting: Option<&'a FitJob>,
    report: Option<&'a utfall_app::mmm::FitReport>,
}

/// `GET /api/mmm`.
pub(crate) async fn json(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(asked): Query<Asked>,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, true).await?;
    let kpi = kpi_of(&context, &asked, true)?;
    let report = saved(&state, &context, &kpi, true).await?;
    let job = state.fit_job(&kpi);
    Ok(to_json(&MixModel {
        kpi: &kpi,
        unit: report.as_ref().map_or("", |r| r.unit.as_str()),
        fitting: job.as_ref(),
        report: report.as_ref().map(|r| &r.report),
    }))
}

async fn plan(
    state: &AppState,
    context: &Context,
    kpi: &str,
    asked: &Asked,
    api: bool,
) -> Result<Option<Arc<utfall_app::mmm::OptimizeOutcome>>, PageError> {
    let Some(budget) = asked.budget.filter(|b| b.is_finite() && *b > 0.0) else {
        return Ok(None);
    };
    let bounds_text = asked
        .bounds
        .clone()
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| "0.5,2".into());
    let bounds = SpendBounds::parse(&bounds_text, &[]).map_err(|e| PageError::app(&e, api))?;
    let horizon = match asked
        .period
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => utfall_app::mmm::Horizon::Default,
        Some(text) => utfall_app::mmm::Horizon::Period {
            period: text
                .parse()
                .map_err(|_| PageError::bad(format!("`{text}` is not a period"), api))?,
            calendar: context.session.calendar,
        },
    };
    let Some(latest) = state.store.latest_fit(kpi).await? else {
        return Err(PageError::bad(
            format!("no mix model of `{kpi}` is saved yet"),
            api,
        ));
    };
    let key = context.key(&format!(
        "plan|{kpi}|{}|{budget}|{horizon:?}|{bounds_text}",
        latest.id
    ));
    let request = OptimizeRequest {
        fit: FitSource::Workspace {
            dir: state.dir.clone(),
            kpi: kpi.to_string(),
        },
        budget,
        horizon,
        bounds,
        hold_unidentified: true,
    };
    let outcome = state
        .cache
        .get(
            key,
            async move { utfall_app::mmm::optimize(&request).await },
        )
        .await
        .map_err(|e| PageError::app(&e, api))?;
    Ok(Some(outcome))
}

/// `GET /api/mmm/plan`: the same document as `utfall mmm optimize --format json`.
pub(crate) async fn plan_json(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(asked): Query<Asked>,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, true).await?;
    let kpi = kpi_of(&context, &asked, true)?;
    match plan(&state, &context, &kpi, &asked, true).await? {
        Some(outcome) => Ok(to_json(&outcome.plan)),
        None => Err(PageError::bad(
            "give a budget above zero (`?budget=100000`)",
            true,
        )),
    }
}

struct ChannelLine {
    name: String,
    raw: String,
    spend: String,
    contribution: String,
    share: String,
    roas: String,
    mroas: String,
    identified: String,
}

#[derive(Template)]
#[template(path = "mmm.html")]
struct Page<'a> {
    layout: Layout<'a>,
    kpi: String,
    kpis: Vec<(String, String, bool)>,
    job: String,
    has_fit: bool,
    diagnostics: String,
    contribution_chart: String,
    channels: Vec<ChannelLine>,
    curves_chart: String,
    decomposition_chart: String,
    plain: Vec<String>,
    budget: String,
    plan_period: String,
    bounds: String,
    plan: Vec<(String, String, String, String, String)>,
    plan_summary: String,
    none_note: String,
}

fn interval(fmt: &crate::view::Fmt, i: &utfall_app::mmm::Interval, decimals: usize) -> String {
    format!(
        "{} ({} – {})",
        fmt.number(Some(i.mean), decimals),
        fmt.number(Some(i.low), decimals),
        fmt.number(Some(i.high), decimals)
    )
}

/// `GET /mmm`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(asked): Query<Asked>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let kpi = kpi_of(&context, &asked, false)?;
    let report = saved(&state, &context, &kpi, false).await?;
    let plan = plan(&state, &context, &kpi, &asked, false).await?;
    let layout = context.layout(&state, &caller, "mmm-title", "mmm", &uri);
    let t = layout.t;
    let fmt = &context.fmt;
    let locale = fmt.locale;
    let kpis = context
        .session
        .workspace
        .kpis
        .iter()
        .map(|k| {
            let id = k.def.id.get_ref().clone();
            let selected = id == kpi;
            (id, k.def.name.get_ref().get(locale).to_string(), selected)
        })
        .collect();
    let job = state
        .fit_job(&kpi)
        .map_or(String::new(), |job| job.describe(t));
    let mut page = Page {
        kpi: kpi.clone(),
        kpis,
        job,
        has_fit: report.is_some(),
        diagnostics: String::new(),
        contribution_chart: String::new(),
        channels: Vec::new(),
        curves_chart: String::new(),
        decomposition_chart: String::new(),
        plain: Vec::new(),
        budget: asked.budget.map_or(String::new(), |b| b.to_string()),
        plan_period: asked.period.clone().unwrap_or_default(),
        bounds: asked.bounds.clone().unwrap_or_else(|| "0.5,2".into()),
        plan: Vec::new(),
        plan_summary: String::new(),
        none_note: super::inline_code(&t.get("mmm-none")),
        layout,
    };
    if let Some(saved) = &report {
        let r = &saved.report;
        let d = &r.diagnostics;
        page.diagnostics = t.with(
            "mmm-fit-summary",
            "r2",
            &fmt.number(Some(r.fit_train.r2), 2),
        );
        page.plain.push(if d.converged {
            t.get("mmm-converged")
        } else {
            t.get("mmm-not-converged")
        });
        page.plain.push(format!(
            "{} {} · R̂ ≤ {} · ESS ≥ {}",
            t.count("n-divergences", d.divergences),
            "",
            fmt.number(Some(d.max_r_hat), 3),
            fmt.number(Some(d.min_ess_bulk), 0)
        ));
        page.plain
            .push(t.with("mmm-mape", "mape", &fmt.percent(Some(r.fit_train.mape))));
        for c in r.channels.iter().filter(|c| !c.identifiable) {
            page.plain
                .push(t.with("mmm-unidentified", "channel", &c.name));
        }
        page.channels = r
            .channels
            .iter()
            .map(|c| ChannelLine {
                name: c.name.clone(),
                raw: c.contribution_total.mean.to_string(),
                spend: fmt.money(Some(c.spend_total)),
                contribution: interval(fmt, &c.contribution_total, 0),
                share: fmt.percent(Some(c.contribution_share)),
                roas: interval(fmt, &c.roas, 3),
                mroas: interval(fmt, &c.mroas, 3),
                identified: if c.identifiable {
                    t.get("yes")
                } else {
                    t.get("no")
                },
            })
            .collect();
        page.contribution_chart = charts::contributions(r, t, locale);
        page.curves_chart = charts::curves(r, t, locale, &context.session.currency);
        page.decomposition_chart = charts::decomposition(r, t, locale);
    }
    if let Some(outcome) = &plan {
        page.plan = outcome
            .plan
            .channels
            .iter()
            .map(|a| {
                (
                    a.channel.clone(),
                    fmt.money(Some(a.current)),
                    fmt.money(Some(a.optimal)),
                    t.get(&format!("advice-{}", a.advice)),
                    fmt.number(Some(a.marginal_roas), 3),
                )
            })
            .collect();
        page.plan_summary = t.with(
            "plan-uplift",
            "uplift",
            &interval(fmt, &outcome.plan.uplift, 1),
        );
    }
    html(page.render())
}

mod charts {
    use crate::i18n::Tr;
    use utfall_model::locale::Locale;

    pub(super) fn contributions(
        r: &utfall_app::mmm::FitReport,
        t: Tr<'_>,
        locale: Locale,
    ) -> String {
        let series = [t.get("col-contribution")];
        let categories = r
            .channels
            .iter()
            .map(|c| utfall_chart::BarCategory {
                name: &c.name,
                bars: vec![Some(utfall_chart::Bar {
                    value: c.contribution_total.mean,
                    low: Some(c.contribution_total.low),
                    high: Some(c.contribution_total.high),
                })],
            })
            .collect();
        let title = t.get("mmm-contributions");
        utfall_chart::bar_chart(&utfall_chart::BarChart {
            title: &title,
            description: &title,
            locale,
            unit: utfall_chart::AxisUnit::Plain { decimals: 0 },
            series: series.iter().map(String::as_str).collect(),
            categories,
        })
    }

    pub(super) fn curves(
        r: &utfall_app::mmm::FitReport,
        t: Tr<'_>,
        locale: Locale,
        currency: &str,
    ) -> String {
        let series = r
            .response_curves
            .iter()
            .map(|c| utfall_chart::Series {
                name: &c.channel,
                points: c
                    .points
                    .iter()
                    .map(|p| (p.spend, Some(p.contribution.mean)))
                    .collect(),
                current: c
                    .points
                    .iter()
                    .min_by(|a, b| {
                        (a.spend - c.current_spend)
                            .abs()
                            .total_cmp(&(b.spend - c.current_spend).abs())
                    })
                    .map(|p| (c.current_spend, p.contribution.mean)),
            })
            .collect();
        let title = t.get("mmm-curves");
        utfall_chart::line_chart(&utfall_chart::LineChart {
            title: &title,
            description: &title,
            locale,
            x: utfall_chart::XAxis::Numeric(utfall_chart::AxisUnit::Money { currency }),
            y_unit: utfall_chart::AxisUnit::Plain { decimals: 1 },
            series,
            stacked: false,
        })
    }

    pub(super) fn decomposition(
        r: &utfall_app::mmm::FitReport,
        t: Tr<'_>,
        locale: Locale,
    ) -> String {
        let labels: Vec<&str> = r.decomposition.iter().map(|d| d.date.as_str()).collect();
        let baseline = t.get("mmm-baseline");
        let mut series = vec![utfall_chart::Series {
            name: &baseline,
            points: r
                .decomposition
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    (
                        i as f64,
                        Some(d.baseline + d.seasonality + d.controls.iter().sum::<f64>()),
                    )
                })
                .collect(),
            current: None,
        }];
        for (k, c) in r.channels.iter().enumerate() {
            series.push(utfall_chart::Series {
                name: &c.name,
                points: r
                    .decomposition
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (i as f64, d.channels.get(k).copied()))
                    .collect(),
                current: None,
            });
        }
        let title = t.get("mmm-decomposition");
        utfall_chart::line_chart(&utfall_chart::LineChart {
            title: &title,
            description: &title,
            locale,
            x: utfall_chart::XAxis::Categories(labels),
            y_unit: utfall_chart::AxisUnit::Plain { decimals: 0 },
            series,
            stacked: true,
        })
    }
}

/// The fit form.
#[derive(Debug, Deserialize)]
pub(crate) struct FitForm {
    kpi: String,
}

/// `POST /mmm/fit`: starts a fit in the background (one at a time per KPI).
pub(crate) async fn fit(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<FitForm>,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let asked = Asked {
        kpi: Some(form.kpi.clone()),
        budget: None,
        period: None,
        bounds: None,
    };
    let kpi = kpi_of(&context, &asked, false)?;
    state.start_fit(&kpi, context.session.clone());
    super::audit(&state, &caller, "mmm.fit", &kpi, "a mix-model fit started").await?;
    Ok(see_other(&format!("/mmm?kpi={}", super::encode(&kpi))))
}
