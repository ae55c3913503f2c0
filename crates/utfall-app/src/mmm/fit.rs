//! Fitting a mix model — the full posterior by NUTS, or Robyn's ridge search — on the
//! workspace's series or a file's, saving a Bayesian fit, and the report of a saved one.

use std::path::{Path, PathBuf};

use utfall_mmm::report::FitReport;
use utfall_mmm::ridge::{RidgeReport, RidgeSettings};
use utfall_mmm::{Data, ModelSpec, Prepared, SamplerSettings};
use utfall_model::period::Grain;

use super::file::{DataFile, read_data};
use super::spec::{SpecRequest, ThetaBounds, add_holidays};
use super::workspace::{FitSource, SavedFit, load_fit, save, workspace_series};
use crate::error::AppError;
use crate::session::Session;

/// The series a model is fitted on, and where they came from.
#[derive(Debug, Clone)]
pub struct FitInput {
    /// The outcome, spend per channel and controls per period.
    pub data: Data,
    /// The outcome KPI in workspace mode; `None` in file mode.
    pub kpi: Option<String>,
    /// The outcome's unit (empty in file mode).
    pub unit: String,
    /// The workspace whose store keeps the fit unless the request names a file (workspace
    /// mode).
    pub workspace: Option<PathBuf>,
}

impl FitInput {
    /// File mode: the columns of a CSV file (at least one channel).
    pub fn from_file(file: &DataFile) -> Result<FitInput, AppError> {
        if file.channels.is_empty() {
            return Err(AppError::user("no channels")
                .hint("name the spend columns with `--channels x1,x2`"));
        }
        Ok(FitInput {
            data: read_data(file)?,
            kpi: None,
            unit: String::new(),
            workspace: None,
        })
    }

    /// Workspace mode: the KPI per whole week (or day) and the spend per channel.
    pub async fn from_workspace(
        session: &Session,
        kpi: &str,
        grain: Grain,
    ) -> Result<FitInput, AppError> {
        let series = workspace_series(session, kpi, grain).await?;
        Ok(FitInput {
            data: series.data,
            kpi: Some(kpi.to_string()),
            unit: series.unit.as_str().to_string(),
            workspace: Some(session.dir.clone()),
        })
    }

    fn workspace_mode(&self) -> bool {
        self.kpi.is_some()
    }
}

/// How to fit a model (`utfall mmm fit`).
#[derive(Debug, Clone)]
pub struct FitRequest {
    /// Whether the number of Swedish public holidays per period is added as a control.
    pub holidays: bool,
    /// The model's specification.
    pub spec: SpecRequest,
    /// Bayesian or ridge, with the method's settings.
    pub method: FitMethod,
    /// A file to save a Bayesian fit to (else, in workspace mode, the store keeps it).
    pub save: Option<PathBuf>,
}

impl FitRequest {
    /// The settings `utfall mmm fit --kpi K --holidays` uses by default: geometric adstock over
    /// 8 periods, logistic saturation, normalised spend, holidays as controls, 4 chains of
    /// 1 000 tuning and 1 000 kept draws, seed 0, no hold-out.
    pub fn standard() -> FitRequest {
        FitRequest {
            holidays: true,
            spec: SpecRequest {
                adstock: utfall_mmm::AdstockKind::Geometric,
                l_max: 8,
                normalize: true,
                saturation: utfall_mmm::Saturation::Logistic,
                yearly_seasonality: None,
                holdout: 0,
                priors: Vec::new(),
                roi_priors: Vec::new(),
                lift_tests: None,
            },
            method: FitMethod::Bayes(BayesSettings {
                chains: 4,
                draws: 1000,
                tune: 1000,
                seed: 0,
                target_accept: None,
                low_rank: false,
            }),
            save: None,
        }
    }
}

/// The fitting method.
#[derive(Debug, Clone)]
pub enum FitMethod {
    /// The full posterior by NUTS (PyMC-Marketing's and Meridian's approach).
    Bayes(BayesSettings),
    /// Robyn's ridge regressions searched by differential evolution, a Pareto front.
    Ridge(RidgeRequest),
}

/// The sampler's settings.
#[derive(Debug, Clone, Copy)]
pub struct BayesSettings {
    /// Markov chains, run in parallel.
    pub chains: usize,
    /// Draws kept per chain.
    pub draws: usize,
    /// Tuning steps per chain.
    pub tune: usize,
    /// The run's seed.
    pub seed: u64,
    /// NUTS's target acceptance rate; `None`: 0.8 in file mode, 0.95 in workspace mode.
    pub target_accept: Option<f64>,
    /// Whether a low-rank mass matrix is adapted instead of a diagonal one.
    pub low_rank: bool,
}

/// The ridge search's settings.
#[derive(Debug, Clone)]
pub struct RidgeRequest {
    /// Evaluations per trial.
    pub iterations: usize,
    /// Trials, each weighing fit against decomposition differently.
    pub trials: usize,
    /// The search's seed.
    pub seed: u64,
    /// Bounds of channels' adstock rate θ (default 0–0.8).
    pub theta: Vec<ThetaBounds>,
}

/// What a fit is about to do, for a progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitStart {
    /// NUTS sampling.
    Sampling {
        /// Channels in the model.
        channels: usize,
        /// Periods fitted.
        periods: usize,
        /// Chains.
        chains: usize,
        /// Tuning steps per chain.
        tune: usize,
        /// Draws per chain.
        draws: usize,
        /// Threads the chains run on.
        threads: usize,
    },
    /// The ridge search.
    Searching {
        /// Trials.
        trials: usize,
        /// Candidates per trial.
        iterations: usize,
        /// Channels in the model.
        channels: usize,
        /// Threads the search runs on.
        threads: usize,
    },
}

/// One line for people: what is fitted, how long, on how many threads.
impl std::fmt::Display for FitStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            FitStart::Sampling {
                channels,
                periods,
                chains,
                tune,
                draws,
                threads,
            } => write!(
                f,
                "fitting {channels} channels over {periods} periods: {chains} chains × ({tune} tuning + {draws} draws) on {threads} threads"
            ),
            FitStart::Searching {
                trials,
                iterations,
                channels,
                threads,
            } => write!(
                f,
                "searching {trials} trials × {iterations} candidates for {channels} channels on {threads} threads"
            ),
        }
    }
}

/// Told when a long fit starts (a front end shows it as progress).
pub trait FitReporter {
    /// The fit is starting.
    fn start(&self, start: &FitStart);
}

/// What a fit found.
#[derive(Debug)]
pub enum FitOutcome {
    /// A Bayesian fit's report.
    Bayes {
        /// Contributions, ROAS and marginal ROAS with intervals, parameters, diagnostics.
        report: Box<FitReport>,
        /// The outcome's unit (empty in file mode).
        unit: String,
        /// The file the fit was saved to, if it was.
        saved: Option<PathBuf>,
        /// A workspace fit for the store to keep ([`super::store_fit`]), when no file was asked.
        keep: Option<Box<SavedFit>>,
    },
    /// The ridge search's selected model and Pareto front.
    Ridge {
        /// The report.
        report: Box<RidgeReport>,
    },
}

/// Fits a model on `input` as the request says; a Bayesian fit is saved where asked (in
/// workspace mode by default). Sampling runs on rayon's threads and takes a while.
pub fn fit(
    input: FitInput,
    request: &FitRequest,
    reporter: &dyn FitReporter,
) -> Result<FitOutcome, AppError> {
    let workspace_mode = input.workspace_mode();
    let mut data = input.data;
    if request.holidays {
        add_holidays(&mut data);
    }
    let spec = request.spec.build(workspace_mode)?;
    let settings = match &request.method {
        FitMethod::Ridge(ridge) => {
            let report = fit_ridge(&data, &spec, ridge, reporter)?;
            return Ok(FitOutcome::Ridge {
                report: Box::new(report),
            });
        }
        FitMethod::Bayes(settings) => settings,
    };
    let model = Prepared::new(data, spec)?;
    let settings = SamplerSettings {
        chains: settings.chains,
        draws: settings.draws,
        tune: settings.tune,
        seed: settings.seed,
        target_accept: settings
            .target_accept
            .unwrap_or(if workspace_mode { 0.95 } else { 0.8 }),
        low_rank: settings.low_rank,
    };
    reporter.start(&FitStart::Sampling {
        channels: model.x.len(),
        periods: model.n_rows,
        chains: settings.chains,
        tune: settings.tune,
        draws: settings.draws,
        threads: rayon::current_num_threads(),
    });
    let posterior = utfall_mmm::sample(&model, settings)?;
    let report = utfall_mmm::report::report(&model, &posterior);
    let fit = SavedFit {
        version: 1,
        kpi: input.kpi,
        unit: input.unit.clone(),
        data: model.data.clone(),
        spec: model.spec.clone(),
        posterior,
    };
    let saved = request.save.clone();
    if let Some(path) = &saved {
        save(path, &fit)?;
    }
    let keep = (saved.is_none() && input.workspace.is_some()).then(|| Box::new(fit));
    Ok(FitOutcome::Bayes {
        report: Box::new(report),
        unit: input.unit,
        saved,
        keep,
    })
}

/// Robyn's search over the series.
fn fit_ridge(
    data: &Data,
    spec: &ModelSpec,
    request: &RidgeRequest,
    reporter: &dyn FitReporter,
) -> Result<RidgeReport, AppError> {
    let settings = RidgeSettings {
        iterations: request.iterations,
        trials: request.trials,
        seed: request.seed,
        holdout: spec.holdout,
        yearly_seasonality: spec.yearly_seasonality,
        theta_by_channel: request
            .theta
            .iter()
            .map(|t| (t.channel.clone(), (t.low, t.high)))
            .collect(),
        ..Default::default()
    };
    reporter.start(&FitStart::Searching {
        trials: settings.trials,
        iterations: settings.iterations,
        channels: data.channels.len(),
        threads: rayon::current_num_threads(),
    });
    Ok(utfall_mmm::ridge::fit(data, &spec.lift_tests, &settings)?)
}

/// A saved fit's report.
#[derive(Debug)]
pub struct SavedReport {
    /// Contributions, ROAS and marginal ROAS with intervals, parameters, diagnostics.
    pub report: FitReport,
    /// The outcome's unit (empty in file mode).
    pub unit: String,
    /// The outcome KPI, for a workspace fit.
    pub kpi: Option<String>,
}

/// The report of a saved fit (no refitting); `export` also writes its document to a file.
pub async fn report(source: &FitSource, export: Option<&Path>) -> Result<SavedReport, AppError> {
    let saved = load_fit(source).await?;
    if let Some(path) = export {
        super::workspace::export_fit(&saved, path)?;
    }
    let model = Prepared::new(saved.data, saved.spec)?;
    Ok(SavedReport {
        report: utfall_mmm::report::report(&model, &saved.posterior),
        unit: saved.unit,
        kpi: saved.kpi,
    })
}
