//! The mix model's and lift's results as [`Table`]s: the fit's channels, the decomposition, the
//! ridge search's selection, the budget plan and the lift, in the reader's locale, and the same
//! results as machine-readable tables for CSV.

use utfall_model::locale::Locale;

use super::{FitReport, FitStatistics, Interval, LiftReport, OptimizeOutcome, RidgeReport};
use crate::present::Table;

/// Decimals a KPI's values are shown with: none for money, one otherwise.
fn value_decimals(unit: &str) -> usize {
    if unit == "currency" { 0 } else { 1 }
}

/// Decimals that show three significant digits of `value` (ROAS in leads per krona is small).
fn significant(value: f64) -> usize {
    if value == 0.0 || !value.is_finite() {
        return 0;
    }
    (2 - value.abs().log10().floor() as i64).clamp(0, 8) as usize
}

fn interval_text(i: &Interval, locale: Locale, decimals: usize) -> String {
    format!(
        "{} [{}; {}]",
        locale.number(i.mean, decimals),
        locale.number(i.low, decimals),
        locale.number(i.high, decimals)
    )
}

/// The hold-out's fit statistics as one line.
fn out_of_sample_line(test: &FitStatistics, locale: Locale) -> String {
    format!(
        "{} ({} {}): R² {}, MAPE {}, NRMSE {}",
        locale.say("Utanför urvalet", "Out of sample"),
        test.rows,
        locale.say("perioder", "periods"),
        locale.number(test.r2, 3),
        locale.percent(test.mape, 1),
        locale.number(test.nrmse, 3)
    )
}

/// A Bayesian fit's channels, the sampler's diagnostics, the fit, and why a channel is not
/// identifiable; `unit` is the KPI's unit (money is shown without decimals).
pub fn fit_table(report: &FitReport, locale: Locale, unit: &str) -> Table {
    let decimals = value_decimals(unit);
    let rows: Vec<Vec<String>> = report
        .channels
        .iter()
        .map(|c| {
            let adstock = c
                .adstock
                .iter()
                .map(|(k, v)| format!("{k} {}", locale.number(v.mean, 2)))
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                c.name.clone(),
                locale.number(c.spend_total, 0),
                interval_text(&c.contribution_total, locale, decimals),
                locale.percent(c.contribution_share, 1),
                interval_text(&c.roas, locale, significant(c.roas.mean)),
                interval_text(&c.mroas, locale, significant(c.mroas.mean)),
                adstock,
                if c.identifiable { "✓" } else { "✗" }.to_string(),
            ]
        })
        .collect();
    let headers = [
        locale.say("kanal", "channel"),
        locale.say("kostnad", "spend"),
        locale.say("bidrag [94 %]", "contribution [94 %]"),
        locale.say("andel", "share"),
        "ROAS [94 %]",
        locale.say("marginell ROAS", "marginal ROAS"),
        "adstock",
        locale.say("identifierbar", "identifiable"),
    ];
    let d = &report.diagnostics;
    let mut table = Table::new(headers, rows)
        .note(format!(
            "{}: {} × {} {}, {} divergences, max R̂ {}, min ESS {}, {} s",
            locale.say("Sampling", "Sampling"),
            d.chains,
            d.draws,
            locale.say("dragningar", "draws"),
            d.divergences,
            locale.number(d.max_r_hat, 3),
            locale.number(d.min_ess_bulk, 0),
            locale.number(d.sampling_seconds, 1)
        ))
        .note(format!(
            "{}: R² {}, MAPE {}, NRMSE {}",
            locale.say("Anpassning", "Fit"),
            locale.number(report.fit_train.r2, 3),
            locale.percent(report.fit_train.mape, 1),
            locale.number(report.fit_train.nrmse, 3)
        ));
    if let Some(test) = &report.fit_test {
        table = table.note(out_of_sample_line(test, locale));
    }
    for c in report.channels.iter().filter(|c| !c.identifiable) {
        for note in &c.notes {
            table = table.note(format!(
                "{} {}: {note}",
                locale.say("Ej identifierbar:", "Not identifiable:"),
                c.name
            ));
        }
    }
    table
}

/// A Bayesian fit's channels for CSV.
pub fn fit_csv(report: &FitReport) -> Table {
    let rows = report
        .channels
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.spend_total.to_string(),
                c.contribution_total.mean.to_string(),
                c.contribution_total.low.to_string(),
                c.contribution_total.high.to_string(),
                c.contribution_share.to_string(),
                c.roas.mean.to_string(),
                c.roas.low.to_string(),
                c.roas.high.to_string(),
                c.mroas.mean.to_string(),
                c.mroas.low.to_string(),
                c.mroas.high.to_string(),
                c.identifiable.to_string(),
            ]
        })
        .collect();
    Table::new(
        [
            "channel",
            "spend_total",
            "contribution_mean",
            "contribution_hdi_3",
            "contribution_hdi_97",
            "contribution_share",
            "roas_mean",
            "roas_hdi_3",
            "roas_hdi_97",
            "mroas_mean",
            "mroas_hdi_3",
            "mroas_hdi_97",
            "identifiable",
        ],
        rows,
    )
}

/// The decomposition per period: observed, fitted, baseline and each channel.
pub fn decomposition_table(report: &FitReport, locale: Locale, unit: &str) -> Table {
    let decimals = value_decimals(unit);
    let mut headers = vec![
        locale.say("period", "period").to_string(),
        locale.say("utfall", "observed").into(),
        locale.say("anpassat", "fitted").into(),
        "baseline".into(),
    ];
    headers.extend(report.channels.iter().map(|c| c.name.clone()));
    let rows = report
        .decomposition
        .iter()
        .map(|r| {
            let mut row = vec![
                r.date.clone(),
                locale.number(r.observed, decimals),
                locale.number(r.fitted, decimals),
                locale.number(r.baseline, decimals),
            ];
            row.extend(r.channels.iter().map(|v| locale.number(*v, decimals)));
            row
        })
        .collect();
    Table::new(headers, rows)
}

/// The decomposition per period for CSV, the controls and seasonality included.
pub fn decomposition_csv(report: &FitReport) -> Table {
    let mut headers = vec![
        "date".to_string(),
        "observed".into(),
        "fitted".into(),
        "baseline".into(),
    ];
    headers.extend(report.channels.iter().map(|c| c.name.clone()));
    headers.extend(
        report
            .controls
            .keys()
            .filter(|k| !k.contains("_order_"))
            .cloned(),
    );
    headers.push("seasonality".into());
    let rows = report
        .decomposition
        .iter()
        .map(|r| {
            let mut row = vec![
                r.date.clone(),
                r.observed.to_string(),
                r.fitted.to_string(),
                r.baseline.to_string(),
            ];
            row.extend(r.channels.iter().map(f64::to_string));
            row.extend(r.controls.iter().map(f64::to_string));
            row.push(r.seasonality.to_string());
            row
        })
        .collect();
    Table::new(headers, rows)
}

/// The ridge search's selected model; `trials` is how many trials were asked for.
pub fn ridge_table(report: &RidgeReport, locale: Locale, trials: usize) -> Table {
    let rows = report
        .channels
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                locale.number(c.spend_total, 0),
                locale.number(c.contribution_total, 0),
                locale.percent(c.effect_share, 1),
                locale.percent(c.spend_share, 1),
                format!(
                    "{} [{}; {}]",
                    locale.number(c.roas, 3),
                    locale.number(c.roas_pareto_range.0, 3),
                    locale.number(c.roas_pareto_range.1, 3)
                ),
                locale.number(c.mroas, 3),
                format!(
                    "θ {} α {} γ {}",
                    locale.number(c.theta, 2),
                    locale.number(c.alpha, 2),
                    locale.number(c.gamma, 2)
                ),
            ]
        })
        .collect();
    let headers = [
        locale.say("kanal", "channel"),
        locale.say("kostnad", "spend"),
        locale.say("bidrag", "contribution"),
        locale.say("effektandel", "effect share"),
        locale.say("kostnadsandel", "spend share"),
        locale.say("ROAS [Pareto-spann]", "ROAS [Pareto range]"),
        locale.say("marginell ROAS", "marginal ROAS"),
        locale.say("hyperparametrar", "hyper-parameters"),
    ];
    let mut table = Table::new(headers, rows).note(format!(
        "{}: NRMSE {}, DECOMP.RSSD {}, R² {}{}; {} {} {}, {} {} {}, {} s",
        locale.say("Vald modell", "Selected model"),
        locale.number(report.selected.nrmse, 4),
        locale.number(report.selected.decomp_rssd, 4),
        locale.number(report.fit_train.r2, 3),
        report
            .selected
            .mape_lift
            .map(|m| format!(", MAPE.LIFT {}", locale.percent(m, 1)))
            .unwrap_or_default(),
        report.pareto_front.len(),
        locale.say(
            "modeller på Pareto-fronten av",
            "models on the Pareto front of"
        ),
        report.evaluations,
        locale.say("trial", "trials"),
        trials,
        locale.say("st", ""),
        locale.number(report.seconds, 2)
    ));
    if let Some(test) = &report.fit_test {
        table = table.note(out_of_sample_line(test, locale));
    }
    table
}

/// The ridge search's selected model for CSV.
pub fn ridge_csv(report: &RidgeReport) -> Table {
    let rows = report
        .channels
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.spend_total.to_string(),
                c.contribution_total.to_string(),
                c.effect_share.to_string(),
                c.spend_share.to_string(),
                c.roas.to_string(),
                c.mroas.to_string(),
                c.theta.to_string(),
                c.alpha.to_string(),
                c.gamma.to_string(),
            ]
        })
        .collect();
    Table::new(
        [
            "channel",
            "spend_total",
            "contribution_total",
            "effect_share",
            "spend_share",
            "roas",
            "mroas",
            "theta",
            "alpha",
            "gamma",
        ],
        rows,
    )
}

/// The budget plan, the budget and the expected gain under it, and the channels the model
/// cannot identify; `currency` is empty when the plan's money has no known currency.
pub fn plan_table(outcome: &OptimizeOutcome, budget: f64, locale: Locale, currency: &str) -> Table {
    let plan = &outcome.plan;
    let money = |v: f64| {
        if currency.is_empty() {
            locale.number(v, 0)
        } else {
            locale.money(v, currency, 0)
        }
    };
    let decimals = value_decimals(&outcome.unit);
    let advice = |a: &str| match a {
        "more" => locale.say("mer", "more"),
        "less" => locale.say("mindre", "less"),
        _ => locale.say("behåll", "keep"),
    };
    let rows = plan
        .channels
        .iter()
        .map(|c| {
            vec![
                c.channel.clone(),
                money(c.current),
                money(c.optimal),
                locale.percent(c.optimal / c.current - 1.0, 0),
                advice(c.advice).to_string(),
                locale.number(c.marginal_roas, significant(c.marginal_roas)),
                interval_text(&c.contribution_optimal, locale, decimals),
            ]
        })
        .collect();
    let headers = [
        locale.say("kanal", "channel"),
        locale.say("i dag/period", "today/period"),
        locale.say("förslag/period", "plan/period"),
        locale.say("ändring", "change"),
        locale.say("råd", "advice"),
        locale.say("marginell ROAS", "marginal ROAS"),
        locale.say("bidrag/period [94 %]", "contribution/period [94 %]"),
    ];
    let mut table = Table::new(headers, rows).note(format!(
        "{} {} {} {} {}; {}: {} [94 %: {}; {}]",
        locale.say("Budget", "Budget"),
        money(budget),
        locale.say("över", "over"),
        outcome.periods,
        locale.say("perioder", "periods"),
        locale.say(
            "väntat tillskott mot dagens mix med samma budget",
            "expected gain over today's mix at the same budget"
        ),
        locale.number(plan.uplift.mean, decimals),
        locale.number(plan.uplift.low, decimals),
        locale.number(plan.uplift.high, decimals),
    ));
    if !outcome.unidentified.is_empty() {
        table = table.note(format!(
            "{}: {}{}",
            locale.say(
                "Modellen kan inte skilja ut effekten av",
                "The model cannot tell the effect apart for"
            ),
            outcome.unidentified.join(", "),
            if outcome.held {
                locale.say(
                    " — de hålls på dagens nivå",
                    " — they are held at today's level",
                )
            } else {
                locale.say(
                    " — se `utfall mmm report`; `--hold-unidentified` håller dem på dagens nivå",
                    " — see `utfall mmm report`; `--hold-unidentified` holds them at today's level",
                )
            }
        ));
    }
    table
}

/// The budget plan for CSV.
pub fn plan_csv(outcome: &OptimizeOutcome) -> Table {
    let rows = outcome
        .plan
        .channels
        .iter()
        .map(|c| {
            vec![
                c.channel.clone(),
                c.current.to_string(),
                c.optimal.to_string(),
                c.advice.to_string(),
                c.marginal_roas.to_string(),
                c.contribution_current.mean.to_string(),
                c.contribution_optimal.mean.to_string(),
                c.contribution_optimal.low.to_string(),
                c.contribution_optimal.high.to_string(),
            ]
        })
        .collect();
    Table::new(
        [
            "channel",
            "current_per_period",
            "optimal_per_period",
            "advice",
            "marginal_roas",
            "contribution_current",
            "contribution_optimal",
            "contribution_optimal_hdi_3",
            "contribution_optimal_hdi_97",
        ],
        rows,
    )
}

/// The lift in sentences, one a line: the verdict and the effect, the probability, the method,
/// and the other activities in the same window.
pub fn lift_lines(report: &LiftReport, locale: Locale) -> Vec<String> {
    let result = &report.result;
    let mut lines = vec![
        format!(
            "{} {}: {} {} {} [94 %: {}; {}], {} {} ({}).",
            report.verdict.sentence(locale),
            report.kpi,
            locale.say("utfall", "observed"),
            locale.number(result.observed_total, 1),
            locale.say(
                "mot väntat utan aktiviteten",
                "against expected without the activity"
            ),
            locale.number(result.counterfactual_total.low, 1),
            locale.number(result.counterfactual_total.high, 1),
            locale.say("effekt", "effect"),
            interval_text(&result.effect_total, locale, 1),
            locale.percent(result.effect_relative.mean, 0),
        ),
        format!(
            "{}: {}, {} {}; {} {}.",
            locale.say(
                "Sannolikhet för positiv effekt",
                "Probability of a positive effect"
            ),
            locale.percent(result.probability_positive, 1),
            result.post_periods,
            locale.say("perioder bedömda", "periods judged"),
            result.pre_periods,
            locale.say(
                "perioder före som jämförelse",
                "periods before as the baseline"
            ),
        ),
        format!(
            "{}: {}, R² {}.",
            locale.say("Metod", "Method"),
            if report.trend {
                locale.say(
                    "Bayesiansk regression (nivå, trend, veckodag, kontrollserier) som kontrafaktisk prognos",
                    "Bayesian regression (level, trend, weekday, control series) as the counterfactual",
                )
            } else {
                locale.say(
                    "Bayesiansk regression (nivå, veckodag, kontrollserier) som kontrafaktisk prognos",
                    "Bayesian regression (level, weekday, control series) as the counterfactual",
                )
            },
            locale.number(result.pre_fit.r2, 2),
        ),
    ];
    if !report.overlapping.is_empty() {
        lines.push(format!(
            "{}: {}",
            locale.say(
                "Obs! Andra aktiviteter i samma fönster räknas in i effekten",
                "Note: other activities in the same window are part of the effect"
            ),
            report
                .overlapping
                .iter()
                .map(|o| format!("{} ({}, {})", o.id, o.name, o.start))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    lines
}

/// The lift's observed and counterfactual series for CSV.
pub fn lift_csv(report: &LiftReport) -> Table {
    let rows = report
        .result
        .rows
        .iter()
        .map(|r| {
            vec![
                r.date.clone(),
                r.observed.to_string(),
                r.counterfactual.mean.to_string(),
                r.counterfactual.low.to_string(),
                r.counterfactual.high.to_string(),
            ]
        })
        .collect();
    Table::new(
        [
            "date",
            "observed",
            "counterfactual",
            "counterfactual_hdi_3",
            "counterfactual_hdi_97",
        ],
        rows,
    )
}
