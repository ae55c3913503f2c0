//! `utfall mmm` and `utfall lift`: arguments into `utfall_app::mmm`'s requests, its reports
//! rendered as tables, CSV or JSON.

use std::process::ExitCode;

use utfall_app::mmm::{
    AdstockKind, BayesSettings, DataFile, FitInput, FitMethod, FitOutcome, FitReport, FitReporter,
    FitRequest, FitSource, FitStart, Horizon, LiftFile, LiftSettings, OptimizeRequest,
    PriorOverride, RidgeReport, RidgeRequest, RoiPrior, Saturation, SpecRequest, SpendBounds,
    ThetaBounds, present,
};
use utfall_app::{Clock, Session};
use utfall_model::locale::Locale;
use utfall_model::period::Period;

use crate::cli::{
    AdstockArg, Format, Lang, LiftArgs, MmmFitArgs, MmmMethod, MmmOptimizeArgs, MmmReportArgs,
    SaturationArg,
};
use crate::output::{UserError, lines, print_json, print_stdout, text_table, write_table_csv};

/// Progress lines on stderr.
struct Progress;

impl FitReporter for Progress {
    fn start(&self, start: &FitStart) {
        eprintln!("{start}");
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
            keep,
        } => {
            if let Some(path) = saved {
                eprintln!("saved the fit to {}", path.display());
            }
            if let Some(fit) = keep {
                super::block_on(async { Ok(utfall_app::mmm::store_fit(&args.dir, &fit).await?) })?;
                eprintln!("kept the fit in the store (`utfall mmm report --kpi`)");
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
fn fit_source(
    fit: &Option<std::path::PathBuf>,
    kpi: &Option<String>,
    dir: &std::path::Path,
) -> FitSource {
    match (fit, kpi) {
        (Some(path), _) => FitSource::File(path.clone()),
        (None, Some(kpi)) => FitSource::Workspace {
            dir: dir.to_path_buf(),
            kpi: kpi.clone(),
        },
        (None, None) => unreachable!("clap requires --kpi or --fit"),
    }
}

pub fn report(args: MmmReportArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let source = fit_source(&args.fit, &args.kpi, &args.dir);
    let export = args.export.as_deref();
    let saved = super::block_on(async { Ok(utfall_app::mmm::report(&source, export).await?) })?;
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
        fit: fit_source(&args.fit, &args.kpi, &args.dir),
        budget: args.budget,
        horizon,
        bounds: SpendBounds::parse(&args.bounds_all, &args.bounds)?,
        hold_unidentified: args.hold_unidentified,
    };
    let outcome = super::block_on(async { Ok(utfall_app::mmm::optimize(&request).await?) })?;
    match args.format {
        Format::Json => print_json(&outcome.plan)?,
        Format::Csv => write_table_csv(&present::plan_csv(&outcome))?,
        Format::Table => print_stdout(&text_table(&present::plan_table(
            &outcome,
            args.budget,
            locale,
            &currency,
        )))?,
    }
    Ok(ExitCode::SUCCESS)
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
        Format::Csv => write_table_csv(&present::lift_csv(&report))?,
        Format::Table => print_stdout(&lines(&present::lift_lines(&report, locale)))?,
    }
    Ok(ExitCode::SUCCESS)
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
        Format::Csv => write_table_csv(&present::ridge_csv(report))?,
        Format::Table => print_stdout(&text_table(&present::ridge_table(report, locale, trials)))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// A Bayesian fit's report: its channels, or its decomposition after them.
fn print_report(
    report: &FitReport,
    format: Format,
    locale: Locale,
    unit: &str,
    decomposition: bool,
) -> anyhow::Result<()> {
    match format {
        Format::Json => print_json(report),
        Format::Csv if decomposition => write_table_csv(&present::decomposition_csv(report)),
        Format::Csv => write_table_csv(&present::fit_csv(report)),
        Format::Table => {
            let mut out = text_table(&present::fit_table(report, locale, unit));
            if decomposition {
                out.push('\n');
                out.push_str(&text_table(&present::decomposition_table(
                    report, locale, unit,
                )));
            }
            print_stdout(&out)
        }
    }
}
