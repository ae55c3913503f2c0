//! What a fit says: each channel's contribution, ROAS and marginal ROAS with intervals, the
//! parameters in the units of the data, the decomposition of the fitted series, response curves,
//! fit statistics in and out of sample, and the sampler's diagnostics.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::bayes::Posterior;
use crate::diagnostics::{ess_bulk, rhat, summary};
use crate::model::{Prepared, Role};
use crate::prior::Prior;
use crate::transform::Saturation;

/// A posterior mean with its 94 % interval (3 % and 97 % quantiles).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// The posterior mean.
    pub mean: f64,
    /// The 3 % quantile.
    #[serde(rename = "hdi_3%")]
    pub low: f64,
    /// The 97 % quantile.
    #[serde(rename = "hdi_97%")]
    pub high: f64,
}

impl Interval {
    /// The mean and 94 % interval of draws.
    pub fn of(values: &[f64]) -> Self {
        let (mean, low, high) = summary(values);
        Interval { mean, low, high }
    }

    /// Whether `x` lies inside the interval.
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// What a Bayesian fit says about one channel.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelReport {
    /// The channel's name.
    pub name: String,
    /// Spend over the fitted rows.
    pub spend_total: f64,
    /// Contribution to the outcome over the fitted rows.
    pub contribution_total: Interval,
    /// The channel's share of all channels' contribution (posterior means).
    pub contribution_share: f64,
    /// Outcome per unit of spend over the fitted rows.
    pub roas: Interval,
    /// Extra outcome per extra unit of spend at the current level (a 1 % rise over the fitted rows).
    pub mroas: Interval,
    /// Adstock parameters (geometric `alpha`; Weibull `shape` and `scale` in periods).
    pub adstock: BTreeMap<String, Interval>,
    /// Saturation parameters in spend units: logistic `lam` per unit of spend, half-saturation
    /// points in spend per period, Hill's slope as is.
    pub saturation: BTreeMap<String, Interval>,
    /// The largest contribution per period the channel can reach, in outcome units.
    pub beta: Interval,
    /// Posterior mean of the adstock weights per lag.
    pub adstock_weights: Vec<f64>,
    /// Whether the data can tell the channel's effect apart (no notes).
    pub identifiable: bool,
    /// Why the channel's effect may not be identifiable.
    pub notes: Vec<String>,
}

/// A posterior summary of one parameter, as ArviZ's `summary`.
#[derive(Debug, Clone, Serialize)]
pub struct ParameterSummary {
    /// The parameter's name.
    pub name: String,
    /// The posterior mean.
    pub mean: f64,
    /// The posterior standard deviation.
    pub sd: f64,
    /// The 3 % quantile.
    #[serde(rename = "hdi_3%")]
    pub low: f64,
    /// The 97 % quantile.
    #[serde(rename = "hdi_97%")]
    pub high: f64,
    /// The rank-normalised split R-hat.
    pub r_hat: f64,
    /// The bulk effective sample size.
    pub ess_bulk: f64,
}

/// The sampler's diagnostics.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostics {
    /// Chains sampled.
    pub chains: usize,
    /// Draws kept per chain.
    pub draws: usize,
    /// Tuning steps per chain.
    pub tune: usize,
    /// Divergent transitions among the kept draws.
    pub divergences: usize,
    /// The largest R-hat of any parameter.
    pub max_r_hat: f64,
    /// The smallest bulk ESS of any parameter.
    pub min_ess_bulk: f64,
    /// Wall-clock time of the sampling.
    pub sampling_seconds: f64,
    /// Gradient evaluations over all chains.
    pub gradient_evaluations: u64,
    /// No divergences and every R-hat at most 1.01.
    pub converged: bool,
}

/// How well fitted values match the observed outcome.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FitStatistics {
    /// Rows compared.
    pub rows: usize,
    /// The coefficient of determination.
    pub r2: f64,
    /// Mean absolute percentage error over the rows with a non-zero outcome.
    pub mape: f64,
    /// Root mean squared error over the range of the observed outcome.
    pub nrmse: f64,
}

/// One row of the decomposition of the fitted series (posterior means, outcome units).
#[derive(Debug, Clone, Serialize)]
pub struct DecompositionRow {
    /// ISO date of the row.
    pub date: String,
    /// The outcome observed.
    pub observed: f64,
    /// The fitted outcome: the sum of the parts.
    pub fitted: f64,
    /// The intercept.
    pub baseline: f64,
    /// Each channel's contribution.
    pub channels: Vec<f64>,
    /// Each control's contribution.
    pub controls: Vec<f64>,
    /// The yearly seasonality's contribution.
    pub seasonality: f64,
}

/// One point of a response curve.
#[derive(Debug, Clone, Serialize)]
pub struct ResponsePoint {
    /// Spend per period, held constant.
    pub spend: f64,
    /// Expected contribution per period at that spend.
    pub contribution: Interval,
}

/// A channel's expected contribution per period against a constant spend.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseCurve {
    /// The channel's name.
    pub channel: String,
    /// Average spend per period over the fitted rows.
    pub current_spend: f64,
    /// Expected contribution per period when the spend is held at each level.
    pub points: Vec<ResponsePoint>,
}

/// Everything a Bayesian fit says, as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FitReport {
    /// The method's name, for the output.
    pub method: &'static str,
    /// Each channel's report.
    pub channels: Vec<ChannelReport>,
    /// Each control's and Fourier column's contribution over the fitted rows.
    pub controls: BTreeMap<String, Interval>,
    /// The intercept's contribution over the fitted rows.
    pub baseline_total: Interval,
    /// Each parameter's posterior summary.
    pub parameters: Vec<ParameterSummary>,
    /// The sampler's diagnostics.
    pub diagnostics: Diagnostics,
    /// Fit statistics over the fitted rows.
    pub fit_train: FitStatistics,
    /// Fit statistics over the hold-out, when there is one.
    pub fit_test: Option<FitStatistics>,
    /// The fitted series split into its parts, row by row.
    pub decomposition: Vec<DecompositionRow>,
    /// Each channel's response curve.
    pub response_curves: Vec<ResponseCurve>,
}

/// R², MAPE and NRMSE of fitted values against observed ones.
pub fn fit_statistics(observed: &[f64], fitted: &[f64]) -> FitStatistics {
    let n = observed.len() as f64;
    let mean = observed.iter().sum::<f64>() / n;
    let ss_res: f64 = observed
        .iter()
        .zip(fitted)
        .map(|(y, f)| (y - f).powi(2))
        .sum();
    let ss_tot: f64 = observed.iter().map(|y| (y - mean).powi(2)).sum();
    let nonzero: Vec<(f64, f64)> = observed
        .iter()
        .zip(fitted)
        .filter(|(y, _)| **y != 0.0)
        .map(|(y, f)| (*y, *f))
        .collect();
    let mape = nonzero
        .iter()
        .map(|(y, f)| ((y - f) / y).abs())
        .sum::<f64>()
        / nonzero.len().max(1) as f64;
    let (lo, hi) = observed
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), y| {
            (l.min(*y), h.max(*y))
        });
    FitStatistics {
        rows: observed.len(),
        r2: 1.0 - ss_res / ss_tot,
        mape,
        nrmse: (ss_res / n).sqrt() / (hi - lo),
    }
}

/// Per draw: channel contributions over the fitted rows, their 1 %-more-spend counterparts, and
/// the full expected series split into parts.
struct DrawParts {
    channel_totals: Vec<f64>,
    channel_totals_plus: Vec<f64>,
    control_totals: Vec<f64>,
    baseline_total: f64,
}

/// What the report needs from every draw: its parts, and posterior means of the expected
/// series' components (in outcome units) and of the adstock weights.
struct PosteriorSums {
    parts: Vec<DrawParts>,
    /// Per channel and row.
    mean_channels: Vec<Vec<f64>>,
    /// Per control or Fourier column and row.
    mean_z: Vec<Vec<f64>>,
    mean_intercept: f64,
    mean_weights: Vec<Vec<f64>>,
    /// β of each channel per draw, in outcome units.
    beta_draws: Vec<Vec<f64>>,
}

impl PosteriorSums {
    fn of(model: &Prepared, draws: &[&Vec<f64>]) -> Self {
        let n = model.n_rows;
        let n_channels = model.x.len();
        let mut sums = PosteriorSums {
            parts: Vec::with_capacity(draws.len()),
            mean_channels: vec![vec![0.0; n]; n_channels],
            mean_z: vec![vec![0.0; n]; model.z.len()],
            mean_intercept: 0.0,
            mean_weights: vec![vec![0.0; model.spec.adstock.l_max]; n_channels],
            beta_draws: vec![Vec::with_capacity(draws.len()); n_channels],
        };
        let count = draws.len() as f64;
        for theta in draws {
            sums.add_draw(model, theta, count);
        }
        sums
    }

    /// Adds one draw's parts, and its share (`1 / count`) of the means.
    fn add_draw(&mut self, model: &Prepared, theta: &[f64], count: f64) {
        let n = model.n_rows;
        let n_train = model.n_train;
        let n_channels = model.x.len();
        let curves: Vec<(Vec<f64>, Vec<f64>, Vec<f64>)> = (0..n_channels)
            .map(|c| model.channel_curve(theta, c))
            .collect();
        let saturated: Vec<Vec<f64>> = curves.iter().map(|c| c.1.clone()).collect();
        let betas = model.betas(theta, &saturated);
        let mut channel_totals = Vec::with_capacity(n_channels);
        let mut channel_totals_plus = Vec::with_capacity(n_channels);
        for c in 0..n_channels {
            let (a, s, w) = &curves[c];
            let k = betas[c] * model.y_max;
            self.beta_draws[c].push(k);
            for t in 0..n {
                self.mean_channels[c][t] += k * s[t] / count;
            }
            for (m, wl) in self.mean_weights[c].iter_mut().zip(w) {
                *m += wl / count;
            }
            channel_totals.push(k * s[..n_train].iter().sum::<f64>());
            let sat = model.saturation_params(theta, c);
            channel_totals_plus.push(
                k * a[..n_train]
                    .iter()
                    .map(|&a| model.spec.saturation.eval(a * 1.01, sat))
                    .sum::<f64>(),
            );
        }
        let intercept = theta[model.intercept_index] * model.y_max;
        self.mean_intercept += intercept / count;
        let mut control_totals = Vec::with_capacity(model.z.len());
        for k in 0..model.z.len() {
            let g = theta[model.z_start + k] * model.y_max;
            for t in 0..n {
                self.mean_z[k][t] += g * model.z[k][t] / count;
            }
            control_totals.push(g * model.z[k][..n_train].iter().sum::<f64>());
        }
        self.parts.push(DrawParts {
            channel_totals,
            channel_totals_plus,
            control_totals,
            baseline_total: intercept * n_train as f64,
        });
    }

    /// The posterior mean of the expected outcome per row.
    fn fitted(&self, n_rows: usize) -> Vec<f64> {
        (0..n_rows)
            .map(|t| {
                self.mean_intercept
                    + self.mean_channels.iter().map(|c| c[t]).sum::<f64>()
                    + self.mean_z.iter().map(|c| c[t]).sum::<f64>()
            })
            .collect()
    }
}

/// Summarises a Bayesian fit: channels, controls, parameters, diagnostics, fit statistics,
/// decomposition and response curves.
pub fn report(model: &Prepared, posterior: &Posterior) -> FitReport {
    let n = model.n_rows;
    let n_train = model.n_train;
    let draws: Vec<&Vec<f64>> = posterior.all().collect();
    let sums = PosteriorSums::of(model, &draws);
    let fitted = sums.fitted(n);
    let observed = &model.data.target;
    let fit_train = fit_statistics(&observed[..n_train], &fitted[..n_train]);
    let fit_test = (n_train < n).then(|| fit_statistics(&observed[n_train..], &fitted[n_train..]));
    let parameters = parameter_summaries(model, posterior);
    let channels = channel_reports(model, posterior, &draws, &sums);
    let controls = (0..model.z.len())
        .map(|k| {
            let totals: Vec<f64> = sums.parts.iter().map(|p| p.control_totals[k]).collect();
            (model.z_names[k].clone(), Interval::of(&totals))
        })
        .collect();
    let baseline_total = Interval::of(
        &sums
            .parts
            .iter()
            .map(|p| p.baseline_total)
            .collect::<Vec<_>>(),
    );
    FitReport {
        method: "bayes",
        channels,
        controls,
        baseline_total,
        diagnostics: diagnostics(posterior, &parameters),
        parameters,
        fit_train,
        fit_test,
        decomposition: decomposition(model, &sums, &fitted),
        response_curves: response_curves(model, &draws),
    }
}

/// Each parameter's posterior mean, sd, 94 % interval, R-hat and bulk ESS.
fn parameter_summaries(model: &Prepared, posterior: &Posterior) -> Vec<ParameterSummary> {
    model
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let chains = posterior.chains_of(i);
            let all: Vec<f64> = chains.iter().flatten().copied().collect();
            let (mean, low, high) = summary(&all);
            let sd = (all.iter().map(|x| (x - mean).powi(2)).sum::<f64>()
                / (all.len() as f64 - 1.0))
                .sqrt();
            ParameterSummary {
                name: p.name.clone(),
                mean,
                sd,
                low,
                high,
                r_hat: rhat(&chains),
                ess_bulk: ess_bulk(&chains),
            }
        })
        .collect()
}

fn diagnostics(posterior: &Posterior, parameters: &[ParameterSummary]) -> Diagnostics {
    let max_r_hat = parameters.iter().map(|p| p.r_hat).fold(0.0, f64::max);
    let min_ess_bulk = parameters
        .iter()
        .map(|p| p.ess_bulk)
        .fold(f64::INFINITY, f64::min);
    Diagnostics {
        chains: posterior.settings.chains,
        draws: posterior.settings.draws,
        tune: posterior.settings.tune,
        divergences: posterior.divergences,
        max_r_hat,
        min_ess_bulk,
        sampling_seconds: posterior.seconds,
        gradient_evaluations: posterior.gradient_evaluations,
        converged: posterior.divergences == 0 && max_r_hat <= 1.01,
    }
}

fn channel_reports(
    model: &Prepared,
    posterior: &Posterior,
    draws: &[&Vec<f64>],
    sums: &PosteriorSums,
) -> Vec<ChannelReport> {
    let n_channels = model.x.len();
    let count = draws.len() as f64;
    let total_contribution: f64 = (0..n_channels)
        .map(|c| sums.parts.iter().map(|p| p.channel_totals[c]).sum::<f64>() / count)
        .sum();
    (0..n_channels)
        .map(|c| channel_report(model, posterior, draws, sums, c, total_contribution))
        .collect()
}

fn channel_report(
    model: &Prepared,
    posterior: &Posterior,
    draws: &[&Vec<f64>],
    sums: &PosteriorSums,
    c: usize,
    total_contribution: f64,
) -> ChannelReport {
    let spend = model.spend_train[c];
    let totals: Vec<f64> = sums.parts.iter().map(|p| p.channel_totals[c]).collect();
    let contribution_total = Interval::of(&totals);
    let roas = Interval::of(&totals.iter().map(|t| t / spend).collect::<Vec<_>>());
    let mroas = Interval::of(
        &sums
            .parts
            .iter()
            .map(|p| (p.channel_totals_plus[c] - p.channel_totals[c]) / (0.01 * spend))
            .collect::<Vec<_>>(),
    );
    let (_, mut notes) = identifiability(model, posterior, c);
    if let Some(note) = wide_contribution_note(contribution_total) {
        notes.push(note);
    }
    ChannelReport {
        name: model.data.channels[c].name.clone(),
        spend_total: spend,
        contribution_share: contribution_total.mean / total_contribution,
        contribution_total,
        roas,
        mroas,
        adstock: adstock_intervals(model, draws, c),
        saturation: saturation_intervals(model, draws, c),
        beta: Interval::of(&sums.beta_draws[c]),
        adstock_weights: sums.mean_weights[c].clone(),
        identifiable: notes.is_empty(),
        notes,
    }
}

/// A note when the 94 % interval of a positive contribution is wider than twice its mean.
fn wide_contribution_note(contribution_total: Interval) -> Option<String> {
    (contribution_total.mean > 0.0
        && (contribution_total.high - contribution_total.low) > 2.0 * contribution_total.mean)
        .then(|| {
            format!(
                "the data cannot pin its effect down: the 94 % interval of its contribution runs from {:.3} to {:.3} times the mean",
                contribution_total.low / contribution_total.mean,
                contribution_total.high / contribution_total.mean
            )
        })
}

/// The interval of the parameter with `role`, multiplied by `scale`.
fn parameter_interval(model: &Prepared, draws: &[&Vec<f64>], role: Role, scale: f64) -> Interval {
    let i = model
        .parameters
        .iter()
        .position(|p| p.role == role)
        .expect("parameter");
    Interval::of(&draws.iter().map(|d| d[i] * scale).collect::<Vec<_>>())
}

fn adstock_intervals(
    model: &Prepared,
    draws: &[&Vec<f64>],
    c: usize,
) -> BTreeMap<String, Interval> {
    model
        .spec
        .adstock
        .parameter_names()
        .iter()
        .enumerate()
        .map(|(j, p)| {
            let interval = parameter_interval(model, draws, Role::Adstock(c, j), 1.0);
            (p.to_string(), interval)
        })
        .collect()
}

/// Saturation parameters in spend units: logistic `lam` per unit of spend, the first parameter
/// of the others (a half-saturation point) in spend per period.
fn saturation_intervals(
    model: &Prepared,
    draws: &[&Vec<f64>],
    c: usize,
) -> BTreeMap<String, Interval> {
    let x_max = model.x_max[c];
    model
        .spec
        .saturation
        .parameter_names()
        .iter()
        .enumerate()
        .map(|(j, p)| {
            let scale = match (model.spec.saturation, j) {
                (Saturation::Logistic, _) => 1.0 / x_max,
                (_, 0) => x_max,
                _ => 1.0,
            };
            let interval = parameter_interval(model, draws, Role::Saturation(c, j), scale);
            (p.to_string(), interval)
        })
        .collect()
}

/// The posterior mean of the expected series split into its parts, row by row.
fn decomposition(model: &Prepared, sums: &PosteriorSums, fitted: &[f64]) -> Vec<DecompositionRow> {
    let observed = &model.data.target;
    (0..model.n_rows)
        .map(|t| DecompositionRow {
            date: model.data.dates.get(t).cloned().unwrap_or_default(),
            observed: observed[t],
            fitted: fitted[t],
            baseline: sums.mean_intercept,
            channels: sums.mean_channels.iter().map(|c| c[t]).collect(),
            controls: sums.mean_z[..model.n_controls]
                .iter()
                .map(|c| c[t])
                .collect(),
            seasonality: sums.mean_z[model.n_controls..].iter().map(|c| c[t]).sum(),
        })
        .collect()
}

/// Expected contribution per period at a constant spend `spend` (original units) for one draw:
/// the adstock settles at `spend · Σ w / x_max`.
pub fn steady_contribution(
    model: &Prepared,
    theta: &[f64],
    beta: f64,
    c: usize,
    spend: f64,
) -> f64 {
    let (_, _, w) = model.channel_curve(theta, c);
    let a = spend * w.iter().sum::<f64>() / model.x_max[c];
    beta * model.y_max
        * model
            .spec
            .saturation
            .eval(a, model.saturation_params(theta, c))
}

fn response_curves(model: &Prepared, draws: &[&Vec<f64>]) -> Vec<ResponseCurve> {
    let step = (draws.len() / 400).max(1);
    let thinned: Vec<&Vec<f64>> = draws.iter().step_by(step).copied().collect();
    let n_channels = model.x.len();
    let betas: Vec<Vec<f64>> = thinned
        .iter()
        .map(|theta| {
            let saturated: Vec<Vec<f64>> = (0..n_channels)
                .map(|c| model.channel_curve(theta, c).1)
                .collect();
            model.betas(theta, &saturated)
        })
        .collect();
    (0..n_channels)
        .map(|c| {
            let current = model.spend_train[c] / model.n_train as f64;
            let top = 2.0 * model.x_max[c].max(current * 2.0);
            let points = (0..=20)
                .map(|i| {
                    let spend = top * i as f64 / 20.0;
                    let values: Vec<f64> = thinned
                        .iter()
                        .zip(&betas)
                        .map(|(theta, b)| steady_contribution(model, theta, b[c], c, spend))
                        .collect();
                    ResponsePoint {
                        spend,
                        contribution: Interval::of(&values),
                    }
                })
                .collect();
            ResponseCurve {
                channel: model.data.channels[c].name.clone(),
                current_spend: current,
                points,
            }
        })
        .collect()
}

/// Whether the data can tell a channel's effect apart: spend that barely varies, or is almost
/// always zero, cannot; nor can a channel whose β posterior is hardly narrower than its prior.
fn identifiability(model: &Prepared, posterior: &Posterior, c: usize) -> (bool, Vec<String>) {
    let mut notes = Vec::new();
    let x = &model.data.channels[c].values[..model.n_train];
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    let active = x.iter().filter(|v| **v > 0.0).count();
    if mean > 0.0 && sd / mean < 0.1 {
        notes.push(format!(
            "spend hardly varies (coefficient of variation {:.2}): its effect cannot be told from the baseline",
            sd / mean
        ));
    }
    if (active as f64) < 0.05 * n || active < 4 {
        notes.push(format!("spend in only {active} of {} periods", x.len()));
    }
    // Spend booked in a few lumps (fairs, monthly invoices) ties the effect to those dates.
    let mut sorted: Vec<f64> = x.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let top = ((0.05 * n).ceil() as usize).max(1);
    let total: f64 = sorted.iter().sum();
    let share = sorted[..top.min(sorted.len())].iter().sum::<f64>() / total.max(1e-300);
    if total > 0.0 && share > 0.5 {
        notes.push(format!(
            "spend comes in a few large bookings: {:.0} % of it in {top} of {} periods",
            100.0 * share,
            x.len()
        ));
    }
    let i = model.channel_start[c];
    let prior_sd = match model.parameters[i].prior {
        Prior::HalfNormal { sigma } => sigma * (1.0 - 2.0 / std::f64::consts::PI).sqrt(),
        Prior::LogNormal { mu, sigma } => {
            ((sigma * sigma).exp() - 1.0).sqrt() * (mu + sigma * sigma / 2.0).exp()
        }
        Prior::Gamma { shape, rate } => shape.sqrt() / rate,
        _ => f64::NAN,
    };
    let all: Vec<f64> = posterior.chains_of(i).into_iter().flatten().collect();
    let m = all.iter().sum::<f64>() / all.len() as f64;
    let post_sd = (all.iter().map(|v| (v - m).powi(2)).sum::<f64>() / all.len() as f64).sqrt();
    let contraction = 1.0 - (post_sd / prior_sd).powi(2);
    if contraction.is_finite() && contraction < 0.5 {
        notes.push(format!(
            "the data narrowed the prior of its effect by only {:.0} % (posterior contraction)",
            100.0 * contraction.max(0.0)
        ));
    }
    (notes.is_empty(), notes)
}
