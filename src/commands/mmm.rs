//! `utfall mmm` and `utfall lift`: arguments into `utfall_app::mmm`'s requests, its reports
//! rendered as tables, CSV or JSON.

use std::process::ExitCode;

use utfall_app::mmm::{
    AdstockKind, BayesSettings, DataFile, FitInput, FitMethod, FitOutcome, FitReport, FitReporter,
    FitRequest, FitStart, FitStatistics, Horizon, Interval, LiftFile, LiftReport, LiftSettings,
    OptimizeOutcome, OptimizeRequest, PriorOverride, RidgeReport, RidgeRequest, RoiPrior,
    Saturation, SpecRequest, SpendBounds, ThetaBounds,
};
use utfall_app::{Clock, Session};
use utfall_model::locale::Locale;
use utfall_model::period::Period;

use crate::cli::{
    AdstockArg, Format, Lang, LiftArgs, MmmFitArgs, MmmMethod, MmmOptimizeArgs, MmmReportArgs,
    SaturationArg,
};
use crate::output::{UserError, print_json, print_stdout, table, write_csv};

/// Progress lines on stderr.
struct Progress;

impl FitReporter for Progress {
    fn start(&self, start: &FitStart) {
        match *start {
            FitStart::Sampling {
                channels,
                periods,
                chains,
                tune,
                draws,
                threads,
            } => eprintln!(
                "fitting {channels} channels over {periods} periods: {chains} chains × ({tune} tuning + {draws} draws) on {threads} threads"
            ),
            FitStart::Searching {
                trials,
                iterations,
                channels,
                threads,
            } => eprintln!(
                "searching {trials} trials × {iterations} candidates for {channels} channels on {threads} threads"
            ),
        }
    }
}

/// The model options of `mmm fit` as a request.
fn spec_request(args: &MmmFitArgs) -> anyhow::Result<SpecRequest> {
    Ok(SpecRequest {
        adstock: match args.adstock {
            AdstockArg::Geometric => AdstockKind::Geometric,
            AdstockArg::WeibullCdf => AdstockKind::WeibullCdf,
            AdstockArg::WeibullPdf => AdstockKind::WeibullPdf,
        },
        l_max: args.l_max,
        normalize: !args.no_normalize,
        saturation: match args.saturation {
            SaturationArg::Logistic => Saturation::Logistic,
            SaturationArg::Hill => Saturation::Hill,
            SaturationArg::MichaelisMenten => Saturation::MichaelisMenten,
        },
        yearly_seasonality: args.yearly_seasonality,
        holdout: args.holdout,
        priors: args
            .prior
            .iter()
            .map(|t| PriorOverride::parse(t))
            .collect::<Result<_, _>>()?,
        roi_priors: args
            .roi_prior
            .iter()
            .map(|t| RoiPrior::parse(t))
            .collect::<Result<_, _>>()?,
        lift_tests: args.lift_tests.clone(),
    })
}

/// `mmm fit`'s arguments as a request.
fn fit_request(args: &MmmFitArgs) -> anyhow::Result<FitRequest> {
    let method = match args.method {
        MmmMethod::Bayes => FitMethod::Bayes(BayesSettings {
            chains: args.chains,
            draws: args.draws,
            tune: args.tune,
            seed: args.seed,
            target_accept: args.target_accept,
            low_rank: args.low_rank,
        }),
        MmmMethod::Ridge => FitMethod::Ridge(RidgeRequest {
            iterations: args.iterations,
            trials: args.trials,
            seed: args.seed,
            theta: args
                .theta
                .iter()
                .map(|t| ThetaBounds::parse(t))
                .collect::<Result<_, _>>()?,
        }),
    };
    Ok(FitRequest {
        holidays: args.holidays,
        spec: spec_request(args)?,
        method,
        save: args.save.clone(),
    })
}

pub fn fit(args: MmmFitArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let (input, locale) = match (&args.data, &args.kpi) {
        (Some(path), _) => {
            let file = DataFile {
                path: path.clone(),
                date: args.date_col.clone(),
                target: args.target.clone(),
                channels: args.channels.clone(),
                controls: args.controls.clone(),
            };
            (FitInput::from_file(&file)?, super::locale(lang, None))
        }
        (None, Some(kpi)) => super::block_on(async {
            let session = Session::open(&args.dir, Clock::from_option(args.today)).await?;
            let grain = utfall_app::series::parse_grain(&args.grain)?;
            let input = FitInput::from_workspace(&session, kpi, grain).await?;
            Ok((input, session.locale(super::lang_locale(lang))))
        })?,
        (None, None) => unreachable!("clap requires --kpi or --data"),
    };
    let request = fit_request(&args)?;
    match utfall_app::mmm::fit(input, &request, &Progress)? {
        FitOutcome::Ridge { report } => print_ridge(&report, args.format, locale, args.trials),
        FitOutcome::Bayes {
            report,
            unit,
            saved,
        } => {
            if let Some(path) = saved {
                eprintln!("saved the fit to {}", path.display());
            }
            print_report(&report, args.format, locale, &unit, false)?;
            if !report.diagnostics.converged {
                eprintln!(
                    "warning: the sampler did not converge ({} divergences, max R̂ {:.3}); raise --tune, --draws or --target-accept",
                    report.diagnostics.divergences, report.diagnostics.max_r_hat
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The saved fit `--fit` names, or the workspace's fit of `--kpi`.
fn fit_file(
    fit: &Option<std::path::PathBuf>,
    kpi: &Option<String>,
    dir: &std::path::Path,
) -> std::path::PathBuf {
    match (fit, kpi) {
        (Some(path), _) => path.clone(),
        (None, Some(kpi)) => utfall_app::mmm::fit_path(dir, kpi),
        (None, None) => unreachable!("clap requires --kpi or --fit"),
    }
}

pub fn report(args: MmmReportArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let saved = utfall_app::mmm::report(&fit_file(&args.fit, &args.kpi, &args.dir))?;
    let locale = match lang {
        Some(_) => super::locale(lang, None),
        None if args.kpi.is_some() => utfall_app::session::load(&args.dir)
            .map(|w| super::locale(None, Some(&w)))
            .unwrap_or_else(|_| super::locale(None, None)),
        None => super::locale(None, None),
    };
    print_report(
        &saved.report,
        args.format,
        locale,
        &saved.unit,
        args.decomposition,
    )?;
    Ok(ExitCode::SUCCESS)
}

pub fn optimize(args: MmmOptimizeArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let (horizon, locale, currency) = match (&args.period, args.periods) {
        (_, Some(n)) => (
            Horizon::Periods(n),
            super::locale(lang, None),
            String::new(),
        ),
        (Some(text), None) => {
            let opened =
                super::block_on(async { Ok(Session::open(&args.dir, Clock::System).await?) })?;
            let period: Period = text.parse().map_err(|_| {
                UserError::new(format!("`{text}` is not a period"))
                    .hint("e.g. 2027-Q1, 2027-03, FY2027 or 2027-W05")
            })?;
            (
                Horizon::Period {
                    period,
                    calendar: opened.calendar,
                },
                opened.locale(super::lang_locale(lang)),
                opened.currency.clone(),
            )
        }
        (None, None) => (Horizon::Default, super::locale(lang, None), String::new()),
    };
    let request = OptimizeRequest {
        fit: fit_file(&args.fit, &args.kpi, &args.dir),
        budget: args.budget,
        horizon,
        bounds: SpendBounds::parse(&args.bounds_all, &args.bounds)?,
        hold_unidentified: args.hold_unidentified,
    };
    let outcome = utfall_app::mmm::optimize(&request)?;
    match args.format {
        Format::Json => print_json(&outcome.plan)?,
        Format::Csv => write_csv(&PLAN_CSV_HEADERS, &plan_csv_rows(&outcome))?,
        Format::Table => print_stdout(&plan_table(&outcome, args.budget, locale, &currency))?,
    }
    Ok(ExitCode::SUCCESS)
}

const PLAN_CSV_HEADERS: [&str; 9] = [
    "channel",
    "current_per_period",
    "optimal_per_period",
    "advice",
    "marginal_roas",
    "contribution_current",
    "contribution_optimal",
    "contribution_optimal_hdi_3",
    "contribution_optimal_hdi_97",
];

fn plan_csv_rows(outcome: &OptimizeOutcome) -> Vec<Vec<String>> {
    outcome
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
        .collect()
}

/// The plan as a table, the budget and the expected gain under it, and the channels the model
/// cannot identify.
fn plan_table(outcome: &OptimizeOutcome, budget: f64, locale: Locale, currency: &str) -> String {
    let plan = &outcome.plan;
    let money = |v: f64| {
        if currency.is_empty() {
            locale.number(v, 0)
        } else {
            locale.money(v, currency, 0)
        }
    };
    let decimals = if outcome.unit == "currency" { 0 } else { 1 };
    let advice = |a: &str| match a {
        "more" => locale.say("mer", "more"),
        "less" => locale.say("mindre", "less"),
        _ => locale.say("behåll", "keep"),
    };
    let rows: Vec<Vec<String>> = plan
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
    let mut out = table(&headers, &rows);
    out.push_str(&format!(
        "\n{} {} {} {} {}; {}: {} [94 %: {}; {}]\n",
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
        out.push_str(&format!(
            "{}: {}{}\n",
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
    out
}

pub fn lift(args: LiftArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let settings = LiftSettings {
        pre_days: args.pre,
        post_days: args.post,
        trend: args.trend,
        seed: args.seed,
    };
    let (report, locale) = match &args.data {
        Some(path) => {
            let Some(start) = args.start else {
                return Err(
                    UserError::new("file mode needs `--start DATE` (and `--end DATE`)").into(),
                );
            };
            let window = utfall_app::mmm::lift_file(&LiftFile {
                path: path.clone(),
                date: args.date_col.clone(),
                target: args.target.clone(),
                controls: args.controls.clone(),
                start,
                end: args.end.unwrap_or(start),
            })?;
            let report = utfall_app::mmm::lift(&args.target, window, &settings)?;
            (report, super::locale(lang, None))
        }
        None => {
            let request = utfall_app::mmm::LiftRequest {
                activity: args.activity.clone().unwrap_or_default(),
                kpi: args.kpi.clone().unwrap_or_default(),
                control_kpis: args.control_kpis.clone(),
                pre_days: args.pre,
                post_days: args.post,
                spend_controls: !args.no_spend_controls,
            };
            let (window, locale) = super::block_on(async {
                let session = Session::open(&args.dir, Clock::System).await?;
                let window = utfall_app::mmm::lift_window(&session, &request).await?;
                Ok((window, session.locale(super::lang_locale(lang))))
            })?;
            eprintln!(
                "{}: {}, {} – {}",
                request.activity, window.name, window.start, window.end
            );
            let report = utfall_app::mmm::lift(&request.kpi, window, &settings)?;
            (report, locale)
        }
    };
    match args.format {
        Format::Json => print_json(&report.document(locale))?,
        Format::Csv => {
            let rows: Vec<Vec<String>> = report
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
            write_csv(
                &[
                    "date",
                    "observed",
                    "counterfactual",
                    "counterfactual_hdi_3",
                    "counterfactual_hdi_97",
                ],
                &rows,
            )?;
        }
        Format::Table => print_stdout(&lift_text(&report, locale))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The lift in sentences: the verdict, the effect, the probability, the method.
fn lift_text(report: &LiftReport, locale: Locale) -> String {
    let result = &report.result;
    let e = &result.effect_total;
    let mut text = format!(
        "{} {}: {} {} {} [94 %: {}; {}], {} {} ({}).\n{}: {}{}, {} {}; {} {}.\n{}: {}, R² {}.\n",
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
        interval_text(e, locale, 1),
        locale.percent(result.effect_relative.mean, 0),
        locale.say(
            "Sannolikhet för positiv effekt",
            "Probability of a positive effect"
        ),
        locale.percent(result.probability_positive, 1),
        "",
        result.post_periods,
        locale.say("perioder bedömda", "periods judged"),
        result.pre_periods,
        locale.say(
            "perioder före som jämförelse",
            "periods before as the baseline"
        ),
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
    );
    if !report.overlapping.is_empty() {
        text.push_str(&format!(
            "{}: {}\n",
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
    text
}

/// The ridge search's selected model.
fn print_ridge(
    report: &RidgeReport,
    format: Format,
    locale: Locale,
    trials: usize,
) -> anyhow::Result<ExitCode> {
    match format {
        Format::Json => print_json(report)?,
        Format::Csv => {
            let rows: Vec<Vec<String>> = report
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
            write_csv(
                &[
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
                &rows,
            )?;
        }
        Format::Table => print_stdout(&ridge_table(report, locale, trials))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn ridge_table(report: &RidgeReport, locale: Locale, trials: usize) -> String {
    let rows: Vec<Vec<String>> = report
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
    let mut out = table(&headers, &rows);
    out.push_str(&format!(
        "\n{}: NRMSE {}, DECOMP.RSSD {}, R² {}{}; {} {} {}, {} {} {}, {} s\n",
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
        out.push_str(&out_of_sample_line(test, locale));
    }
    out
}

/// The hold-out's fit statistics as one line.
fn out_of_sample_line(test: &FitStatistics, locale: Locale) -> String {
    format!(
        "{} ({} {}): R² {}, MAPE {}, NRMSE {}\n",
        locale.say("Utanför urvalet", "Out of sample"),
        test.rows,
        locale.say("perioder", "periods"),
        locale.number(test.r2, 3),
        locale.percent(test.mape, 1),
        locale.number(test.nrmse, 3)
    )
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

fn print_report(
    report: &FitReport,
    format: Format,
    locale: Locale,
    unit: &str,
    decomposition: bool,
) -> anyhow::Result<()> {
    match format {
        Format::Json => print_json(report),
        Format::Csv if decomposition => {
            let (headers, rows) = decomposition_csv(report);
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            write_csv(&headers, &rows)
        }
        Format::Csv => write_csv(&REPORT_CSV_HEADERS, &report_csv_rows(report)),
        Format::Table => {
            let decimals = if unit == "currency" { 0 } else { 1 };
            let mut out = report_table(report, locale, decimals);
            if decomposition {
                out.push('\n');
                out.push_str(&decomposition_table(report, locale, decimals));
            }
            print_stdout(&out)
        }
    }
}

/// The decomposition per period: headers and rows.
fn decomposition_csv(report: &FitReport) -> (Vec<String>, Vec<Vec<String>>) {
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
    let rows: Vec<Vec<String>> = report
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
    (headers, rows)
}

const REPORT_CSV_HEADERS: [&str; 13] = [
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
];

fn report_csv_rows(report: &FitReport) -> Vec<Vec<String>> {
    report
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
        .collect()
}

/// The channels, the sampler's diagnostics, the fit, and why a channel is not identifiable.
fn report_table(report: &FitReport, locale: Locale, value_decimals: usize) -> String {
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
                interval_text(&c.contribution_total, locale, value_decimals),
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
    let mut out = table(&headers, &rows);
    let d = &report.diagnostics;
    out.push_str(&format!(
        "\n{}: {} × {} {}, {} divergences, max R̂ {}, min ESS {}, {} s\n",
        locale.say("Sampling", "Sampling"),
        d.chains,
        d.draws,
        locale.say("dragningar", "draws"),
        d.divergences,
        locale.number(d.max_r_hat, 3),
        locale.number(d.min_ess_bulk, 0),
        locale.number(d.sampling_seconds, 1)
    ));
    out.push_str(&format!(
        "{}: R² {}, MAPE {}, NRMSE {}\n",
        locale.say("Anpassning", "Fit"),
        locale.number(report.fit_train.r2, 3),
        locale.percent(report.fit_train.mape, 1),
        locale.number(report.fit_train.nrmse, 3)
    ));
    if let Some(test) = &report.fit_test {
        out.push_str(&out_of_sample_line(test, locale));
    }
    for c in report.channels.iter().filter(|c| !c.identifiable) {
        for note in &c.notes {
            out.push_str(&format!(
                "{} {}: {note}\n",
                locale.say("Ej identifierbar:", "Not identifiable:"),
                c.name
            ));
        }
    }
    out
}

/// The decomposition per period as a table.
fn decomposition_table(report: &FitReport, locale: Locale, value_decimals: usize) -> String {
    let mut headers = vec![
        locale.say("period", "period").to_string(),
        locale.say("utfall", "observed").into(),
        locale.say("anpassat", "fitted").into(),
        "baseline".into(),
    ];
    headers.extend(report.channels.iter().map(|c| c.name.clone()));
    let rows: Vec<Vec<String>> = report
        .decomposition
        .iter()
        .map(|r| {
            let mut row = vec![
                r.date.clone(),
                locale.number(r.observed, value_decimals),
                locale.number(r.fitted, value_decimals),
                locale.number(r.baseline, value_decimals),
            ];
            row.extend(r.channels.iter().map(|v| locale.number(*v, value_decimals)));
            row
        })
        .collect();
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    table(&headers, &rows)
}
