//! `utfall mmm`: marketing mix models from the workspace's KPI and spend series or from a CSV
//! file, their reports, and saved fits.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use jiff::civil::Date;
use utfall_mmm::report::{FitReport, Interval};
use utfall_mmm::{
    Adstock, AdstockKind, Data, LiftTest, ModelSpec, Prepared, Prior, Priors, SamplerSettings,
    Saturation, Series,
};
use utfall_model::locale::Locale;
use utfall_model::period::Period;

use crate::cli::{
    AdstockArg, Format, Lang, LiftArgs, MmmFitArgs, MmmMethod, MmmOptimizeArgs, MmmReportArgs,
    SaturationArg,
};
use crate::output::{UserError, print_json, print_stdout, table, write_csv};
use utfall_app::mmm::{SavedFit, load};
use utfall_app::{Clock, Session};

pub fn fit(args: MmmFitArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let (data, locale, unit, default_save) = match (&args.data, &args.kpi) {
        (Some(path), _) => (
            read_csv(path, &args)?,
            super::locale(lang, None),
            String::new(),
            None,
        ),
        (None, Some(kpi)) => {
            let (data, locale, unit) = super::block_on(async {
                let session = Session::open(&args.dir, Clock::from_option(args.today)).await?;
                let grain = utfall_app::series::parse_grain(&args.grain)?;
                let series = utfall_app::mmm::workspace_series(&session, kpi, grain).await?;
                let locale = session.locale(super::lang_locale(lang));
                Ok((series.data, locale, series.unit.as_str().to_string()))
            })?;
            let save = args.dir.join("models").join(format!("mmm-{kpi}.json"));
            (data, locale, unit, Some(save))
        }
        (None, None) => unreachable!("clap requires --kpi or --data"),
    };
    let mut data = data;
    if args.holidays {
        add_holidays(&mut data)?;
    }
    let spec = spec(&args)?;
    if args.method == MmmMethod::Ridge {
        return fit_ridge(&args, &data, &spec.lift_tests, locale);
    }
    let model = Prepared::new(data, spec).map_err(|e| UserError::new(e.to_string()))?;
    let settings = SamplerSettings {
        chains: args.chains,
        draws: args.draws,
        tune: args.tune,
        seed: args.seed,
        target_accept: args
            .target_accept
            .unwrap_or(if args.kpi.is_some() { 0.95 } else { 0.8 }),
        low_rank: args.low_rank,
    };
    eprintln!(
        "fitting {} channels over {} periods: {} chains × ({} tuning + {} draws) on {} threads",
        model.x.len(),
        model.n_rows,
        settings.chains,
        settings.tune,
        settings.draws,
        rayon::current_num_threads()
    );
    let posterior =
        utfall_mmm::sample(&model, settings).map_err(|e| UserError::new(e.to_string()))?;
    let report = utfall_mmm::report::report(&model, &posterior);
    if let Some(path) = args.save.clone().or(default_save) {
        let saved = SavedFit {
            version: 1,
            kpi: args.kpi.clone(),
            unit: unit.clone(),
            data: model.data.clone(),
            spec: model.spec.clone(),
            posterior,
        };
        utfall_app::mmm::save(&path, &saved)?;
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

pub fn report(args: MmmReportArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let path = match (&args.fit, &args.kpi) {
        (Some(path), _) => path.clone(),
        (None, Some(kpi)) => args.dir.join("models").join(format!("mmm-{kpi}.json")),
        (None, None) => unreachable!("clap requires --kpi or --fit"),
    };
    let saved = load(&path)?;
    let locale = match lang {
        Some(_) => super::locale(lang, None),
        None if args.kpi.is_some() => utfall_app::session::load(&args.dir)
            .map(|w| super::locale(None, Some(&w)))
            .unwrap_or_else(|_| super::locale(None, None)),
        None => super::locale(None, None),
    };
    let model = Prepared::new(saved.data, saved.spec).map_err(|e| UserError::new(e.to_string()))?;
    let report = utfall_mmm::report::report(&model, &saved.posterior);
    print_report(
        &report,
        args.format,
        locale,
        &saved.unit,
        args.decomposition,
    )?;
    Ok(ExitCode::SUCCESS)
}

pub fn optimize(args: MmmOptimizeArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let path = match (&args.fit, &args.kpi) {
        (Some(path), _) => path.clone(),
        (None, Some(kpi)) => args.dir.join("models").join(format!("mmm-{kpi}.json")),
        (None, None) => unreachable!("clap requires --kpi or --fit"),
    };
    let saved = load(&path)?;
    let (periods, locale, currency) = match (&args.period, args.periods) {
        (_, Some(n)) => (n, super::locale(lang, None), String::new()),
        (Some(text), None) => {
            let opened =
                super::block_on(async { Ok(Session::open(&args.dir, Clock::System).await?) })?;
            let period: Period = text.parse().map_err(|_| {
                UserError::new(format!("`{text}` is not a period"))
                    .hint("e.g. 2027-Q1, 2027-03, FY2027 or 2027-W05")
            })?;
            let days = period.n_days(&opened.calendar) as f64;
            let step = match (saved.data.dates.first(), saved.data.dates.get(1)) {
                (Some(a), Some(b)) => match (a.parse::<Date>(), b.parse::<Date>()) {
                    (Ok(a), Ok(b)) => (b - a).get_days().max(1) as f64,
                    _ => 7.0,
                },
                _ => 7.0,
            };
            (
                (days / step).round().max(1.0) as usize,
                opened.locale(super::lang_locale(lang)),
                opened.currency.clone(),
            )
        }
        (None, None) => (13, super::locale(lang, None), String::new()),
    };
    let pair = |text: &str| -> Option<(f64, f64)> {
        let (lo, hi) = text.split_once(',')?;
        let (lo, hi) = (
            lo.trim().parse::<f64>().ok()?,
            hi.trim().parse::<f64>().ok()?,
        );
        (lo >= 0.0 && hi >= lo).then_some((lo, hi))
    };
    let mut bounds = utfall_mmm::optimize::Bounds {
        default: pair(&args.bounds_all).ok_or_else(|| {
            UserError::new(format!("`--bounds-all {}` is not LO,HI", args.bounds_all))
                .hint("e.g. 0.5,2: between half and twice today's spend")
        })?,
        by_channel: Vec::new(),
    };
    for text in &args.bounds {
        let parsed = text
            .split_once('=')
            .and_then(|(c, rest)| Some((c.trim().to_string(), pair(rest)?)));
        let Some(parsed) = parsed else {
            return Err(
                UserError::new(format!("`--bounds {text}` is not CHANNEL=LO,HI"))
                    .hint("e.g. `--bounds print=0,1` to allow cutting print but not raising it")
                    .into(),
            );
        };
        bounds.by_channel.push(parsed);
    }
    let model = Prepared::new(saved.data, saved.spec).map_err(|e| UserError::new(e.to_string()))?;
    let report = utfall_mmm::report::report(&model, &saved.posterior);
    if args.hold_unidentified {
        for c in report.channels.iter().filter(|c| !c.identifiable) {
            bounds.by_channel.retain(|(n, _)| n != &c.name);
            bounds.by_channel.push((c.name.clone(), (1.0, 1.0)));
        }
    }
    let plan = utfall_mmm::optimize::optimize(
        &model,
        &saved.posterior,
        args.budget / periods as f64,
        periods,
        &bounds,
    )
    .map_err(|e| UserError::new(e.to_string()))?;
    let money = |v: f64| {
        if currency.is_empty() {
            locale.number(v, 0)
        } else {
            locale.money(v, &currency, 0)
        }
    };
    let decimals = if saved.unit == "currency" { 0 } else { 1 };
    match args.format {
        Format::Json => print_json(&plan)?,
        Format::Csv => {
            let rows: Vec<Vec<String>> = plan
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
            write_csv(
                &[
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
                &rows,
            )?;
        }
        Format::Table => {
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
                money(args.budget),
                locale.say("över", "over"),
                periods,
                locale.say("perioder", "periods"),
                locale.say(
                    "väntat tillskott mot dagens mix med samma budget",
                    "expected gain over today's mix at the same budget"
                ),
                locale.number(plan.uplift.mean, decimals),
                locale.number(plan.uplift.low, decimals),
                locale.number(plan.uplift.high, decimals),
            ));
            let unidentified: Vec<&str> = report
                .channels
                .iter()
                .filter(|c| !c.identifiable)
                .map(|c| c.name.as_str())
                .collect();
            if !unidentified.is_empty() {
                out.push_str(&format!(
                    "{}: {}{}\n",
                    locale.say("Modellen kan inte skilja ut effekten av", "The model cannot tell the effect apart for"),
                    unidentified.join(", "),
                    if args.hold_unidentified {
                        locale.say(" — de hålls på dagens nivå", " — they are held at today's level")
                    } else {
                        locale.say(" — se `utfall mmm report`; `--hold-unidentified` håller dem på dagens nivå", " — see `utfall mmm report`; `--hold-unidentified` holds them at today's level")
                    }
                ));
            }
            print_stdout(&out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn lift(args: LiftArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let mut overlapping: Vec<(String, String, Date)> = Vec::new();
    let (dates, target, controls, start, end, locale, label) = match &args.data {
        Some(path) => {
            let Some(start) = args.start else {
                return Err(
                    UserError::new("file mode needs `--start DATE` (and `--end DATE`)").into(),
                );
            };
            let data = read_table(
                path,
                &Columns {
                    date: &args.date_col,
                    target: &args.target,
                    channels: &[],
                    controls: &args.controls,
                },
            )?;
            let dates: Vec<Date> = data.dates.iter().filter_map(|d| d.parse().ok()).collect();
            (
                dates,
                data.target,
                data.controls,
                start,
                args.end.unwrap_or(start),
                super::locale(lang, None),
                args.target.clone(),
            )
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
            overlapping = window.overlapping;
            (
                window.dates,
                window.target,
                window.controls,
                window.start,
                window.end,
                locale,
                request.kpi,
            )
        }
    };
    let index_of = |date: Date| dates.iter().position(|d| *d >= date).unwrap_or(dates.len());
    let post_start = index_of(start);
    let post_end =
        index_of(end.checked_add(jiff::Span::new().days(args.post + 1))?).min(dates.len());
    let pre_start = index_of(start.checked_sub(jiff::Span::new().days(args.pre))?);
    let daily = matches!(dates.as_slice(), [a, b, ..] if (*b - *a).get_days() == 1);
    let input = utfall_mmm::lift::LiftInput {
        dates: dates.iter().map(|d| d.to_string()).collect(),
        weekday: daily.then(|| {
            dates
                .iter()
                .map(|d| d.weekday().to_monday_zero_offset() as usize)
                .collect()
        }),
        target,
        controls,
        pre_start,
        post_start,
        post_end,
        trend: args.trend,
        draws: 4000,
        seed: args.seed,
    };
    let result = utfall_mmm::lift::lift(&input).map_err(|e| UserError::new(e.to_string()))?;
    let verdict = if result.probability_positive >= 0.95 {
        locale.say(
            "Aktiviteten höjde med stor sannolikhet",
            "The activity very likely raised",
        )
    } else if result.probability_positive <= 0.05 {
        locale.say(
            "Aktiviteten sänkte med stor sannolikhet",
            "The activity very likely lowered",
        )
    } else {
        locale.say("Ingen tydlig effekt på", "No clear effect on")
    };
    match args.format {
        Format::Json => print_json(&serde_json::json!({
            "kpi": label,
            "start": start.to_string(),
            "end": end.to_string(),
            "verdict": verdict,
            "overlapping_activities": overlapping
                .iter()
                .map(|(id, name, start)| serde_json::json!({"activity_id": id, "name": name, "start": start.to_string()}))
                .collect::<Vec<_>>(),
            "result": result,
        }))?,
        Format::Csv => {
            let rows: Vec<Vec<String>> = result
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
        Format::Table => {
            let e = &result.effect_total;
            let text = format!(
                "{verdict} {label}: {} {} {} [94 %: {}; {}], {} {} ({}).\n{}: {}{}, {} {}; {} {}.\n{}: {}, R² {}.\n",
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
                if args.trend {
                    locale.say("Bayesiansk regression (nivå, trend, veckodag, kontrollserier) som kontrafaktisk prognos", "Bayesian regression (level, trend, weekday, control series) as the counterfactual")
                } else {
                    locale.say("Bayesiansk regression (nivå, veckodag, kontrollserier) som kontrafaktisk prognos", "Bayesian regression (level, weekday, control series) as the counterfactual")
                },
                locale.number(result.pre_fit.r2, 2),
            );
            let mut text = text;
            if !overlapping.is_empty() {
                text.push_str(&format!(
                    "{}: {}\n",
                    locale.say(
                        "Obs! Andra aktiviteter i samma fönster räknas in i effekten",
                        "Note: other activities in the same window are part of the effect"
                    ),
                    overlapping
                        .iter()
                        .map(|(id, name, start)| format!("{id} ({name}, {start})"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            print_stdout(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Parses `NAME=DIST:ARGS` into the prior it names.
fn set_prior(
    priors: &mut Priors,
    adstock: &Adstock,
    saturation: Saturation,
    text: &str,
) -> anyhow::Result<()> {
    let bad = || -> anyhow::Error {
        UserError::new(format!("`--prior {text}` is not NAME=DIST:ARGS"))
            .hint("e.g. `--prior adstock_alpha=beta:2,2` or `--prior saturation_beta=halfnormal:1`")
            .into()
    };
    let (name, rest) = text.split_once('=').ok_or_else(bad)?;
    let (dist, numbers) = rest.split_once(':').ok_or_else(bad)?;
    let numbers: Vec<f64> = numbers
        .split(',')
        .map(|n| n.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let prior = match (
        dist.trim().to_ascii_lowercase().as_str(),
        numbers.as_slice(),
    ) {
        ("normal", [mu, sigma]) if *sigma > 0.0 => Prior::Normal {
            mu: *mu,
            sigma: *sigma,
        },
        ("halfnormal", [sigma]) if *sigma > 0.0 => Prior::HalfNormal { sigma: *sigma },
        ("laplace", [mu, b]) if *b > 0.0 => Prior::Laplace { mu: *mu, b: *b },
        ("beta", [a, b]) if *a > 0.0 && *b > 0.0 => Prior::Beta { a: *a, b: *b },
        ("gamma", [shape, rate]) if *shape > 0.0 && *rate > 0.0 => Prior::Gamma {
            shape: *shape,
            rate: *rate,
        },
        ("lognormal", [mu, sigma]) if *sigma > 0.0 => Prior::LogNormal {
            mu: *mu,
            sigma: *sigma,
        },
        _ => return Err(bad()),
    };
    let support_of = |p: &Prior| p.support();
    let slot: &mut Prior = match name.trim() {
        "intercept" => &mut priors.intercept,
        "saturation_beta" => &mut priors.beta,
        "gamma_control" => &mut priors.control,
        "gamma_fourier" => &mut priors.fourier,
        "y_sigma" => &mut priors.sigma,
        other => {
            if let Some(p) = other.strip_prefix("adstock_")
                && let Some(i) = adstock.parameter_names().iter().position(|n| *n == p)
            {
                &mut priors.adstock[i]
            } else if let Some(p) = other.strip_prefix("saturation_")
                && let Some(i) = saturation.parameter_names().iter().position(|n| *n == p)
            {
                &mut priors.saturation[i]
            } else {
                return Err(UserError::new(format!("`--prior {text}`: no parameter `{other}` in this model"))
                    .hint(format!(
                        "the parameters are intercept, saturation_beta, {}, {}, gamma_control, gamma_fourier, y_sigma",
                        adstock.parameter_names().iter().map(|p| format!("adstock_{p}")).collect::<Vec<_>>().join(", "),
                        saturation.parameter_names().iter().map(|p| format!("saturation_{p}")).collect::<Vec<_>>().join(", ")
                    ))
                    .into());
            }
        }
    };
    if support_of(slot) != prior.support() {
        let range = match support_of(slot) {
            utfall_mmm::prior::Support::Real => "any real number",
            utfall_mmm::prior::Support::Positive => "positive",
            utfall_mmm::prior::Support::Unit => "between 0 and 1",
        };
        return Err(UserError::new(format!("`--prior {text}`: {name} is {range}; give it a prior on that range"))
            .hint("β, λ, σ and half-saturation points are positive (halfnormal, gamma, lognormal); α is in (0, 1) (beta); the rest any real (normal, laplace)")
            .into());
    }
    *slot = prior;
    Ok(())
}

fn seasonality(args: &MmmFitArgs) -> usize {
    args.yearly_seasonality
        .unwrap_or(if args.kpi.is_some() { 8 } else { 2 })
}

fn spec(args: &MmmFitArgs) -> anyhow::Result<ModelSpec> {
    let adstock = Adstock {
        kind: match args.adstock {
            AdstockArg::Geometric => AdstockKind::Geometric,
            AdstockArg::WeibullCdf => AdstockKind::WeibullCdf,
            AdstockArg::WeibullPdf => AdstockKind::WeibullPdf,
        },
        l_max: args.l_max.max(1),
        normalize: !args.no_normalize,
    };
    let saturation = match args.saturation {
        SaturationArg::Logistic => Saturation::Logistic,
        SaturationArg::Hill => Saturation::Hill,
        SaturationArg::MichaelisMenten => Saturation::MichaelisMenten,
    };
    let mut priors = Priors::defaults(&adstock, saturation);
    for text in &args.prior {
        set_prior(&mut priors, &adstock, saturation, text)?;
    }
    for text in &args.roi_prior {
        let parsed = text.split_once('=').and_then(|(channel, rest)| {
            let (median, sigma) = rest.split_once(',')?;
            Some((
                channel.trim().to_string(),
                median.trim().parse::<f64>().ok()?,
                sigma.trim().parse::<f64>().ok()?,
            ))
        });
        match parsed {
            Some((channel, median, sigma)) if median > 0.0 && sigma > 0.0 => priors.roi.push((
                channel,
                Prior::LogNormal {
                    mu: median.ln(),
                    sigma,
                },
            )),
            _ => {
                return Err(UserError::new(format!("`--roi-prior {text}` is not CHANNEL=MEDIAN,SIGMA"))
                    .hint("e.g. `--roi-prior search=2.5,0.5`: ROI around 2.5, within a factor e^0.5 either side")
                    .into());
            }
        }
    }
    let lift_tests = match &args.lift_tests {
        Some(path) => read_lift_tests(path)?,
        None => Vec::new(),
    };
    Ok(ModelSpec {
        adstock,
        saturation,
        yearly_seasonality: seasonality(args),
        holdout: args.holdout,
        priors,
        lift_tests,
    })
}

fn csv_error(
    path: &Path,
    line: u64,
    column: Option<&str>,
    message: impl std::fmt::Display,
) -> anyhow::Error {
    let at = match column {
        Some(c) => format!("{}:{line}, column `{c}`", path.display()),
        None => format!("{}:{line}", path.display()),
    };
    UserError::new(format!("{at}: {message}")).into()
}

/// Reads the columns a fit needs from a CSV file, checking each value.
fn read_csv(path: &Path, args: &MmmFitArgs) -> anyhow::Result<Data> {
    if args.channels.is_empty() {
        return Err(UserError::new("no channels")
            .hint("name the spend columns with `--channels x1,x2`")
            .into());
    }
    read_table(
        path,
        &Columns {
            date: &args.date_col,
            target: &args.target,
            channels: &args.channels,
            controls: &args.controls,
        },
    )
}

/// The columns of a CSV file a fit or a lift reads.
struct Columns<'a> {
    date: &'a str,
    target: &'a str,
    channels: &'a [String],
    controls: &'a [String],
}

/// Reads the date, target, channel and control columns of a CSV file.
fn read_table(path: &Path, columns: &Columns<'_>) -> anyhow::Result<Data> {
    let file = std::fs::File::open(path)
        .map_err(|e| UserError::new(format!("cannot open `{}`: {e}", path.display())))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(std::io::BufReader::new(file));
    let headers = reader.headers()?.clone();
    let index = |name: &str| -> anyhow::Result<usize> {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = headers.iter().collect();
                UserError::new(format!("{}: no column `{name}`", path.display()))
                    .hint(format!("the columns are: {}", known.join(", ")))
                    .into()
            })
    };
    let date_index = index(columns.date)?;
    let target_index = index(columns.target)?;
    let channel_index: Vec<usize> = columns
        .channels
        .iter()
        .map(|c| index(c))
        .collect::<anyhow::Result<_>>()?;
    let control_index: Vec<usize> = columns
        .controls
        .iter()
        .map(|c| index(c))
        .collect::<anyhow::Result<_>>()?;
    let mut dates = Vec::new();
    let mut target = Vec::new();
    let mut channels: Vec<Vec<f64>> = vec![Vec::new(); channel_index.len()];
    let mut controls: Vec<Vec<String>> = vec![Vec::new(); control_index.len()];
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            csv_error(path, line, None, format!("{e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let number = |i: usize, name: &str| -> anyhow::Result<f64> {
            let text = record.get(i).unwrap_or("").trim();
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    csv_error(
                        path,
                        line,
                        Some(name),
                        format!("expected a number, found `{text}`"),
                    )
                })
        };
        let text = record.get(date_index).unwrap_or("").trim();
        let date: Date = text.get(..10).and_then(|d| d.parse().ok()).ok_or_else(|| {
            csv_error(
                path,
                line,
                Some(columns.date),
                format!("expected a date as YYYY-MM-DD, found `{text}`"),
            )
        })?;
        if let Some(previous) = dates.last()
            && *previous >= date
        {
            return Err(csv_error(
                path,
                line,
                Some(columns.date),
                format!(
                    "{date} does not come after {previous}: sort the rows by date, one row per period"
                ),
            ));
        }
        dates.push(date);
        target.push(number(target_index, columns.target)?);
        for (k, &i) in channel_index.iter().enumerate() {
            let v = number(i, &columns.channels[k])?;
            if v < 0.0 {
                return Err(csv_error(
                    path,
                    line,
                    Some(&columns.channels[k]),
                    format!("spend cannot be negative ({v})"),
                ));
            }
            channels[k].push(v);
        }
        for (k, &i) in control_index.iter().enumerate() {
            controls[k].push(record.get(i).unwrap_or("").trim().to_string());
        }
    }
    Ok(Data {
        day_of_year: dates.iter().map(|d| d.day_of_year() as f64).collect(),
        dates: dates.iter().map(|d| d.to_string()).collect(),
        target,
        channels: columns
            .channels
            .iter()
            .zip(channels)
            .map(|(name, values)| Series {
                name: name.clone(),
                values,
            })
            .collect(),
        controls: columns
            .controls
            .iter()
            .zip(controls)
            .flat_map(|(name, values)| control_columns(name, values))
            .collect(),
    })
}

/// A numeric control as is; a text control (event names, say) as one indicator column per value
/// but the most common one (the baseline, e.g. `na`).
fn control_columns(name: &str, values: Vec<String>) -> Vec<Series> {
    let numbers: Option<Vec<f64>> = values
        .iter()
        .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    if let Some(values) = numbers {
        return vec![Series {
            name: name.to_string(),
            values,
        }];
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &values {
        *counts.entry(v.as_str()).or_default() += 1;
    }
    let baseline = counts
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(v, _)| *v)
        .unwrap_or("");
    counts
        .keys()
        .filter(|v| **v != baseline)
        .map(|level| Series {
            name: format!("{name}={level}"),
            values: values
                .iter()
                .map(|v| if v == level { 1.0 } else { 0.0 })
                .collect(),
        })
        .collect()
}

fn fit_ridge(
    args: &MmmFitArgs,
    data: &Data,
    lift_tests: &[LiftTest],
    locale: Locale,
) -> anyhow::Result<ExitCode> {
    let mut settings = utfall_mmm::ridge::RidgeSettings {
        iterations: args.iterations,
        trials: args.trials,
        seed: args.seed,
        holdout: args.holdout,
        yearly_seasonality: seasonality(args),
        ..Default::default()
    };
    for text in &args.theta {
        let parsed = text.split_once('=').and_then(|(channel, rest)| {
            let (lo, hi) = rest.split_once(',')?;
            Some((
                channel.trim().to_string(),
                (
                    lo.trim().parse::<f64>().ok()?,
                    hi.trim().parse::<f64>().ok()?,
                ),
            ))
        });
        match parsed {
            Some((channel, (lo, hi))) if (0.0..1.0).contains(&lo) && lo <= hi && hi < 1.0 => {
                settings.theta_by_channel.push((channel, (lo, hi)))
            }
            _ => {
                return Err(UserError::new(format!(
                    "`--theta {text}` is not CHANNEL=LO,HI with 0 ≤ LO ≤ HI < 1"
                ))
                .hint("e.g. `--theta tv_S=0.3,0.8`")
                .into());
            }
        }
    }
    eprintln!(
        "searching {} trials × {} candidates for {} channels on {} threads",
        settings.trials,
        settings.iterations,
        data.channels.len(),
        rayon::current_num_threads()
    );
    let report = utfall_mmm::ridge::fit(data, lift_tests, &settings)
        .map_err(|e| UserError::new(e.to_string()))?;
    match args.format {
        Format::Json => print_json(&report)?,
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
        Format::Table => {
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
                args.trials,
                locale.say("st", ""),
                locale.number(report.seconds, 2)
            ));
            if let Some(test) = &report.fit_test {
                out.push_str(&out_of_sample_line(test, locale));
            }
            print_stdout(&out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_lift_tests(path: &Path) -> anyhow::Result<Vec<LiftTest>> {
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| UserError::new(format!("cannot open `{}`: {e}", path.display())))?;
    let mut out = Vec::new();
    for (i, row) in reader.deserialize::<LiftTest>().enumerate() {
        let test = row.map_err(|e| {
            csv_error(
                path,
                i as u64 + 2,
                None,
                format!("{e}; expected the columns channel,spend,delta_spend,delta_outcome,sigma"),
            )
        })?;
        out.push(test);
    }
    Ok(out)
}

/// Adds the number of Swedish public holidays in each period as a control.
fn add_holidays(data: &mut Data) -> anyhow::Result<()> {
    let dates: Vec<Date> = data.dates.iter().filter_map(|d| d.parse().ok()).collect();
    let days = match dates.as_slice() {
        [a, b, ..] => (*b - *a).get_days().max(1) as i64,
        _ => 7,
    };
    let values: Vec<f64> = dates
        .iter()
        .map(|d| utfall_model::holidays::count_in(*d, days) as f64)
        .collect();
    data.controls.push(Series {
        name: "holidays_se".into(),
        values,
    });
    Ok(())
}

/// The hold-out's fit statistics as one line.
fn out_of_sample_line(test: &utfall_mmm::report::FitStatistics, locale: Locale) -> String {
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
    let value_decimals = if unit == "currency" { 0 } else { 1 };
    match format {
        Format::Json => print_json(report),
        Format::Csv => {
            if decomposition {
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
                let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
                return write_csv(&headers, &rows);
            }
            let rows: Vec<Vec<String>> = report
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
            write_csv(
                &[
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
                &rows,
            )
        }
        Format::Table => {
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
                        if c.identifiable {
                            "✓".into()
                        } else {
                            "✗".into()
                        },
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
            if decomposition {
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
                out.push('\n');
                out.push_str(&table(&headers, &rows));
            }
            print_stdout(&out)
        }
    }
}
