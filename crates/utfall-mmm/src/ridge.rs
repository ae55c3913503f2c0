//! A Robyn-style fit: for each candidate set of hyper-parameters — per channel a geometric
//! adstock rate θ (Robyn's unnormalised, recursive form `a_t = x_t + θ a_{t−1}`) and a Hill
//! saturation with shape α and inflexion γ (as a share of the adstocked range, Robyn's
//! `gammaTrans`), and a ridge penalty λ — a ridge regression with non-negative media
//! coefficients, scored by NRMSE (fit) and DECOMP.RSSD (distance between each channel's share of
//! effect and its share of spend), and MAPE.LIFT when lift tests are given. Differential evolution
//! (DE/rand/1/bin) searches the box, one trial per weighting of the objectives; every evaluated
//! candidate competes for the Pareto front, and the model nearest the origin of the normalised
//! front is selected. A seed fixes every random choice, so a run is reproducible, and each
//! generation is evaluated in parallel.

use std::time::Instant;

use nuts_rs::rand::rngs::Xoshiro256PlusPlus;
use nuts_rs::rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;

use crate::MmmError;
use crate::model::{Data, LiftTest, controls_and_fourier};
use crate::report::{FitStatistics, fit_statistics};

/// How the Robyn-style ridge fit searches: evaluations, trials, seed, hyper-parameter bounds, hold-out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RidgeSettings {
    /// Evaluations per trial (Robyn's `iterations`).
    pub iterations: usize,
    /// Independent runs of the search, each weighing fit against decomposition differently.
    pub trials: usize,
    /// Seed of every random choice of the search.
    pub seed: u64,
    /// Bounds of θ, Hill α, Hill γ for every channel (Robyn's demo ranges span these).
    pub theta: (f64, f64),
    /// Bounds of Hill's shape α.
    pub alpha: (f64, f64),
    /// Bounds of Hill's inflexion γ, as a share of the adstocked range.
    pub gamma: (f64, f64),
    /// Per-channel θ bounds that override `theta`.
    pub theta_by_channel: Vec<(String, (f64, f64))>,
    /// Rows at the end kept out of the fit.
    pub holdout: usize,
    /// Fourier order of the yearly seasonality (0: none).
    pub yearly_seasonality: usize,
}

impl Default for RidgeSettings {
    fn default() -> Self {
        RidgeSettings {
            iterations: 2000,
            trials: 5,
            seed: 0,
            theta: (0.0, 0.8),
            alpha: (0.5, 3.0),
            gamma: (0.3, 1.0),
            theta_by_channel: Vec::new(),
            holdout: 0,
            yearly_seasonality: 2,
        }
    }
}

/// What the selected ridge model says about one channel.
#[derive(Debug, Clone, Serialize)]
pub struct RidgeChannel {
    /// The channel's name.
    pub name: String,
    /// Geometric adstock rate θ.
    pub theta: f64,
    /// Hill's shape α.
    pub alpha: f64,
    /// Hill's inflexion γ, as a share of the adstocked range.
    pub gamma: f64,
    /// Coefficient of the saturated series, in outcome units.
    pub coefficient: f64,
    /// Spend over the fitted rows.
    pub spend_total: f64,
    /// Contribution to the outcome over the fitted rows.
    pub contribution_total: f64,
    /// The channel's share of all channels' contribution.
    pub effect_share: f64,
    /// The channel's share of all channels' spend.
    pub spend_share: f64,
    /// Outcome per unit of spend over the fitted rows.
    pub roas: f64,
    /// Extra outcome per extra unit of spend at the current level (a 1 % rise).
    pub mroas: f64,
    /// The smallest and largest ROAS among the models of the Pareto front.
    pub roas_pareto_range: (f64, f64),
}

/// One evaluated candidate of the search: its objectives and hyper-parameters.
#[derive(Debug, Clone, Serialize)]
pub struct RidgeModel {
    /// The trial that evaluated it.
    pub trial: usize,
    /// Its place among the trial's evaluations.
    pub iteration: usize,
    /// Normalised root mean squared error of the fit.
    pub nrmse: f64,
    /// Distance between the channels' shares of effect and of spend (Robyn's DECOMP.RSSD).
    pub decomp_rssd: f64,
    /// Mean absolute percentage error against the lift tests, when there are any.
    pub mape_lift: Option<f64>,
    /// The ridge penalty λ.
    pub lambda: f64,
    /// θ, α, γ of each channel, then the share of the λ range.
    pub hyper: Vec<f64>,
}

/// What a Robyn-style ridge fit says: the selected model, its channels and the Pareto front.
#[derive(Debug, Clone, Serialize)]
pub struct RidgeReport {
    /// The method's name, for the output.
    pub method: &'static str,
    /// Each channel of the selected model.
    pub channels: Vec<RidgeChannel>,
    /// Each control's and Fourier column's coefficient.
    pub controls: Vec<(String, f64)>,
    /// The intercept of the selected model.
    pub intercept: f64,
    /// Fit statistics over the fitted rows.
    pub fit_train: FitStatistics,
    /// Fit statistics over the hold-out, when there is one.
    pub fit_test: Option<FitStatistics>,
    /// The model at the knee of the Pareto front.
    pub selected: RidgeModel,
    /// The candidates no other candidate beats in every objective.
    pub pareto_front: Vec<RidgeModel>,
    /// Candidates evaluated.
    pub evaluations: usize,
    /// Wall-clock time of the fit.
    pub seconds: f64,
    /// Fitted values per row.
    pub fitted: Vec<f64>,
}

/// The design before standardisation: the target, the channels with their spend over the fitted
/// rows, the controls and the lift tests.
struct Design {
    n_train: usize,
    y: Vec<f64>,
    channels: Vec<Vec<f64>>,
    names: Vec<String>,
    spend: Vec<f64>,
    controls: Vec<Vec<f64>>,
    control_names: Vec<String>,
    lift: Vec<(usize, LiftTest)>,
}

struct Evaluation {
    nrmse: f64,
    rssd: f64,
    mape_lift: Option<f64>,
    lambda: f64,
    /// Coefficients in original units: channels, then controls; and the intercept.
    coefficients: Vec<f64>,
    intercept: f64,
}

fn geometric(x: &[f64], theta: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(x.len());
    let mut carry = 0.0;
    for &v in x {
        carry = v + theta * carry;
        out.push(carry);
    }
    out
}

fn hill(a: f64, alpha: f64, inflexion: f64) -> f64 {
    if a <= 0.0 {
        return 0.0;
    }
    let p = a.powf(alpha);
    p / (p + inflexion.powf(alpha))
}

/// Robyn's `gammaTrans`: the inflexion as a point between the smallest and largest adstocked value.
fn inflexion(a: &[f64], gamma: f64) -> f64 {
    let (lo, hi) = a
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(*v), h.max(*v))
        });
    (lo + gamma * (hi - lo)).max(1e-12)
}

fn saturated(x: &[f64], theta: f64, alpha: f64, gamma: f64) -> (Vec<f64>, f64) {
    let a = geometric(x, theta);
    let k = inflexion(&a, gamma);
    (a.iter().map(|&v| hill(v, alpha, k)).collect(), k)
}

/// Ridge regression on standardised columns with an unpenalised intercept, minimising
/// `(1/2n)‖y − b₀ − Xβ‖² + (λ/2)‖β‖²` with `β_j ≥ 0` for the first `n_positive` columns, by
/// coordinate descent on the Gram matrix.
fn ridge(
    columns: &[&[f64]],
    y: &[f64],
    lambda_share: f64,
    n_positive: usize,
) -> (Vec<f64>, f64, f64) {
    let n = y.len() as f64;
    let p = columns.len();
    let y_mean = y.iter().sum::<f64>() / n;
    let mut means = Vec::with_capacity(p);
    let mut sds = Vec::with_capacity(p);
    for c in columns {
        let m = c.iter().sum::<f64>() / n;
        let sd = (c.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n).sqrt();
        means.push(m);
        sds.push(if sd > 1e-12 { sd } else { 0.0 });
    }
    // Gram matrix and correlations of the standardised columns.
    let mut gram = vec![0.0; p * p];
    let mut xy = vec![0.0; p];
    for j in 0..p {
        if sds[j] == 0.0 {
            continue;
        }
        for t in 0..y.len() {
            xy[j] += (columns[j][t] - means[j]) / sds[j] * (y[t] - y_mean);
        }
        xy[j] /= n;
        for k in j..p {
            if sds[k] == 0.0 {
                continue;
            }
            let mut s = 0.0;
            for t in 0..y.len() {
                s += (columns[j][t] - means[j]) * (columns[k][t] - means[k]);
            }
            let v = s / (n * sds[j] * sds[k]);
            gram[j * p + k] = v;
            gram[k * p + j] = v;
        }
    }
    // The penalty acts on standardised columns, so it is scaled by the largest correlation with y.
    let y_sd = (y.iter().map(|v| (v - y_mean).powi(2)).sum::<f64>() / n)
        .sqrt()
        .max(1e-300);
    let lambda_max = xy.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-12) / y_sd;
    // λ from 0.1 % to 100 % of the largest correlation, on a log scale (glmnet's path spans 1e-4).
    let lambda = lambda_max * 10f64.powf(-3.0 * (1.0 - lambda_share));
    let mut beta = vec![0.0; p];
    for _ in 0..1000 {
        let mut largest = 0.0f64;
        for j in 0..p {
            if sds[j] == 0.0 {
                continue;
            }
            let mut s = xy[j];
            for k in 0..p {
                if k != j {
                    s -= gram[j * p + k] * beta[k];
                }
            }
            let mut b = s / (gram[j * p + j] + lambda);
            if j < n_positive {
                b = b.max(0.0);
            }
            largest = largest.max((b - beta[j]).abs());
            beta[j] = b;
        }
        if largest < 1e-10 {
            break;
        }
    }
    let coefficients: Vec<f64> = (0..p)
        .map(|j| if sds[j] == 0.0 { 0.0 } else { beta[j] / sds[j] })
        .collect();
    let intercept = y_mean
        - coefficients
            .iter()
            .zip(&means)
            .map(|(b, m)| b * m)
            .sum::<f64>();
    (coefficients, intercept, lambda)
}

impl Design {
    /// The channels, the controls with the Fourier columns, and the lift tests, checked.
    fn new(
        data: &Data,
        lift_tests: &[LiftTest],
        settings: &RidgeSettings,
    ) -> Result<Self, MmmError> {
        let n_train = data.target.len() - settings.holdout;
        let (controls, control_names) = controls_and_fourier(data, settings.yearly_seasonality);
        let mut lift = Vec::new();
        for test in lift_tests {
            let c = data
                .channels
                .iter()
                .position(|c| c.name == test.channel)
                .ok_or_else(|| {
                    MmmError::Data(format!("lift test for unknown channel {}", test.channel))
                })?;
            if test.delta_outcome == 0.0 {
                return Err(MmmError::Data(
                    "a lift test with no change cannot give a MAPE".into(),
                ));
            }
            lift.push((c, test.clone()));
        }
        let design = Design {
            n_train,
            y: data.target.clone(),
            channels: data.channels.iter().map(|c| c.values.clone()).collect(),
            names: data.channels.iter().map(|c| c.name.clone()).collect(),
            spend: data
                .channels
                .iter()
                .map(|c| c.values[..n_train].iter().sum())
                .collect(),
            controls,
            control_names,
            lift,
        };
        if let Some((i, _)) = design.spend.iter().enumerate().find(|(_, s)| **s <= 0.0) {
            return Err(MmmError::Data(format!(
                "channel {} has no spend in the fitted rows",
                design.names[i]
            )));
        }
        Ok(design)
    }

    fn bounds(&self, settings: &RidgeSettings) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        for name in &self.names {
            let theta = settings
                .theta_by_channel
                .iter()
                .find(|(n, _)| n == name)
                .map_or(settings.theta, |(_, b)| *b);
            out.extend([theta, settings.alpha, settings.gamma]);
        }
        out.push((0.0, 1.0));
        out
    }

    fn evaluate(&self, hyper: &[f64]) -> Evaluation {
        let n = self.n_train;
        let transformed: Vec<Vec<f64>> = self
            .channels
            .iter()
            .enumerate()
            .map(|(c, x)| saturated(&x[..n], hyper[3 * c], hyper[3 * c + 1], hyper[3 * c + 2]).0)
            .collect();
        let mut columns: Vec<&[f64]> = transformed.iter().map(|v| v.as_slice()).collect();
        columns.extend(self.controls.iter().map(|c| &c[..n]));
        let lambda_share = hyper[3 * self.channels.len()];
        let (coefficients, intercept, lambda) =
            ridge(&columns, &self.y[..n], lambda_share, self.channels.len());
        let fitted: Vec<f64> = (0..n)
            .map(|t| {
                intercept
                    + columns
                        .iter()
                        .zip(&coefficients)
                        .map(|(c, b)| b * c[t])
                        .sum::<f64>()
            })
            .collect();
        let y = &self.y[..n];
        let rmse = (y
            .iter()
            .zip(&fitted)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            / n as f64)
            .sqrt();
        let (lo, hi) = y
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                (l.min(*v), h.max(*v))
            });
        let nrmse = rmse / (hi - lo).max(1e-12);
        let effects: Vec<f64> = transformed
            .iter()
            .zip(&coefficients)
            .map(|(s, b)| b * s.iter().sum::<f64>())
            .collect();
        let effect_total: f64 = effects.iter().sum();
        let spend_total: f64 = self.spend.iter().sum();
        let rssd = effects
            .iter()
            .zip(&self.spend)
            .map(|(e, s)| {
                let share = if effect_total > 0.0 {
                    e / effect_total
                } else {
                    0.0
                };
                (share - s / spend_total).powi(2)
            })
            .sum::<f64>()
            .sqrt();
        let mape_lift = (!self.lift.is_empty()).then(|| {
            self.lift
                .iter()
                .map(|(c, test)| {
                    let (theta, alpha, gamma) = (hyper[3 * c], hyper[3 * c + 1], hyper[3 * c + 2]);
                    let k = inflexion(&geometric(&self.channels[*c][..n], theta), gamma);
                    let steady = |x: f64| hill(x / (1.0 - theta), alpha, k);
                    let model = coefficients[*c]
                        * (steady(test.spend + test.delta_spend) - steady(test.spend));
                    ((model - test.delta_outcome) / test.delta_outcome).abs()
                })
                .sum::<f64>()
                / self.lift.len() as f64
        });
        Evaluation {
            nrmse,
            rssd,
            mape_lift,
            lambda,
            coefficients,
            intercept,
        }
    }
}

/// `a` dominates `b`: no worse in every objective and better in one.
fn dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
}

fn objectives(m: &RidgeModel) -> Vec<f64> {
    let mut v = vec![m.nrmse, m.decomp_rssd];
    if let Some(l) = m.mape_lift {
        v.push(l);
    }
    v
}

/// Searches the hyper-parameters, fits the ridge regression of each candidate, and describes the
/// model at the knee of the Pareto front.
pub fn fit(
    data: &Data,
    lift_tests: &[LiftTest],
    settings: &RidgeSettings,
) -> Result<RidgeReport, MmmError> {
    let started = Instant::now();
    check_rows_channels_and_settings(data, settings)?;
    let design = Design::new(data, lift_tests, settings)?;
    let bounds = design.bounds(settings);
    let all = differential_evolution(&design, &bounds, settings);
    let evaluations = all.len();
    let front = pareto_front(&all);
    let selected = front[knee_of_front(&front)].clone();
    let best = design.evaluate(&selected.hyper);
    let report = describe(&design, data, &selected, &best, &front, settings);
    Ok(RidgeReport {
        evaluations,
        seconds: started.elapsed().as_secs_f64(),
        pareto_front: front,
        selected,
        ..report
    })
}

fn check_rows_channels_and_settings(data: &Data, settings: &RidgeSettings) -> Result<(), MmmError> {
    let n_rows = data.target.len();
    if n_rows < settings.holdout + 8 {
        return Err(MmmError::Data(format!("{n_rows} rows: too few to fit")));
    }
    if data.channels.is_empty() {
        return Err(MmmError::Data("no channels".into()));
    }
    if settings.iterations < 10 || settings.trials == 0 {
        return Err(MmmError::Settings(
            "need at least 10 iterations and one trial".into(),
        ));
    }
    Ok(())
}

/// A point of the unit box mapped onto the hyper-parameters' bounds.
fn scale_to_bounds(u: &[f64], bounds: &[(f64, f64)]) -> Vec<f64> {
    u.iter()
        .zip(bounds)
        .map(|(u, (lo, hi))| lo + u * (hi - lo))
        .collect()
}

/// Differential evolution (DE/rand/1/bin) over the unit box, one trial per weighting of the
/// objectives, every trial drawing from one random stream; returns every evaluated candidate.
fn differential_evolution(
    design: &Design,
    bounds: &[(f64, f64)],
    settings: &RidgeSettings,
) -> Vec<RidgeModel> {
    let mut search = Search {
        design,
        bounds,
        iterations: settings.iterations,
        population: (4 * bounds.len()).clamp(12, 40).min(settings.iterations),
        rng: Xoshiro256PlusPlus::seed_from_u64(settings.seed),
    };
    let mut all: Vec<RidgeModel> = Vec::with_capacity(settings.iterations * settings.trials);
    for trial in 0..settings.trials {
        // Each trial weighs fit against decomposition differently, so together they trace the front.
        let fit_weight = (trial as f64 + 0.5) / settings.trials as f64;
        search.run_trial(trial, fit_weight, &mut all);
    }
    all
}

/// The state of the differential evolution shared by its trials.
struct Search<'a> {
    design: &'a Design,
    bounds: &'a [(f64, f64)],
    /// Evaluations per trial.
    iterations: usize,
    population: usize,
    rng: Xoshiro256PlusPlus,
}

/// What a trial minimises: NRMSE and DECOMP.RSSD weighed by `fit_weight`, plus MAPE.LIFT.
fn trial_score(fit_weight: f64, e: &Evaluation) -> f64 {
    fit_weight * e.nrmse + (1.0 - fit_weight) * e.rssd + e.mape_lift.unwrap_or(0.0)
}

impl Search<'_> {
    /// Evaluates a random population, then replaces members by better trial vectors until the
    /// trial's evaluations are spent; pushes every evaluated candidate onto `all`.
    fn run_trial(&mut self, trial: usize, fit_weight: f64, all: &mut Vec<RidgeModel>) {
        let dim = self.bounds.len();
        let mut pop: Vec<Vec<f64>> = (0..self.population)
            .map(|_| (0..dim).map(|_| self.rng.random::<f64>()).collect())
            .collect();
        let evaluated = self.evaluate_all(&pop);
        let mut scores: Vec<f64> = evaluated
            .iter()
            .map(|e| trial_score(fit_weight, e))
            .collect();
        let mut iteration = 0;
        for (u, e) in pop.iter().zip(&evaluated) {
            all.push(model_of(
                trial,
                iteration,
                &scale_to_bounds(u, self.bounds),
                e,
            ));
            iteration += 1;
        }
        while iteration < self.iterations {
            let batch = self.population.min(self.iterations - iteration);
            let trials_u: Vec<Vec<f64>> = (0..batch).map(|i| self.trial_vector(&pop, i)).collect();
            let evaluated = self.evaluate_all(&trials_u);
            for (i, (u, e)) in trials_u.into_iter().zip(evaluated).enumerate() {
                all.push(model_of(
                    trial,
                    iteration,
                    &scale_to_bounds(&u, self.bounds),
                    &e,
                ));
                iteration += 1;
                let s = trial_score(fit_weight, &e);
                if s <= scores[i] {
                    scores[i] = s;
                    pop[i] = u;
                }
            }
        }
    }

    /// Evaluates candidates in parallel; the results keep the candidates' order.
    fn evaluate_all(&self, candidates: &[Vec<f64>]) -> Vec<Evaluation> {
        candidates
            .par_iter()
            .map(|u| self.design.evaluate(&scale_to_bounds(u, self.bounds)))
            .collect()
    }

    /// A random member other than `i`.
    fn pick_other_than(&mut self, i: usize) -> usize {
        loop {
            let r = (self.rng.random::<f64>() * self.population as f64) as usize % self.population;
            if r != i {
                return r;
            }
        }
    }

    /// DE/rand/1/bin's trial vector for member `i`: a mutant `a + f·(b − c)` reflected into the
    /// box, crossed over with `i` (at least one coordinate from the mutant).
    fn trial_vector(&mut self, pop: &[Vec<f64>], i: usize) -> Vec<f64> {
        let dim = self.bounds.len();
        let (a, b, c) = (
            self.pick_other_than(i),
            self.pick_other_than(i),
            self.pick_other_than(i),
        );
        let f = 0.5 + 0.3 * self.rng.random::<f64>();
        let forced = (self.rng.random::<f64>() * dim as f64) as usize % dim;
        (0..dim)
            .map(|j| {
                if j == forced || self.rng.random::<f64>() < 0.9 {
                    reflect_into_unit_interval(pop[a][j] + f * (pop[b][j] - pop[c][j]))
                } else {
                    pop[i][j]
                }
            })
            .collect()
    }
}

fn reflect_into_unit_interval(v: f64) -> f64 {
    if v < 0.0 {
        (-v).min(1.0)
    } else if v > 1.0 {
        (2.0 - v).max(0.0)
    } else {
        v
    }
}

/// The candidates no other candidate dominates, in order of NRMSE; of equal candidates only the
/// first.
fn pareto_front(all: &[RidgeModel]) -> Vec<RidgeModel> {
    let objs: Vec<Vec<f64>> = all.iter().map(objectives).collect();
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by(|&a, &b| all[a].nrmse.total_cmp(&all[b].nrmse));
    let mut front: Vec<usize> = Vec::new();
    for &i in &order {
        if !front
            .iter()
            .any(|&j| dominates(&objs[j], &objs[i]) || objs[j] == objs[i])
        {
            front.retain(|&j| !dominates(&objs[i], &objs[j]));
            front.push(i);
        }
    }
    front.into_iter().map(|i| all[i].clone()).collect()
}

/// The knee: the model nearest the origin once each objective is scaled to [0, 1] over the front.
fn knee_of_front(front: &[RidgeModel]) -> usize {
    let objs: Vec<Vec<f64>> = front.iter().map(objectives).collect();
    let k = objs[0].len();
    let ranges: Vec<(f64, f64)> = (0..k)
        .map(|j| {
            objs.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), o| {
                    (l.min(o[j]), h.max(o[j]))
                })
        })
        .collect();
    let distance = |o: &Vec<f64>| -> f64 {
        o.iter()
            .zip(&ranges)
            .map(|(v, (lo, hi))| {
                if hi > lo {
                    ((v - lo) / (hi - lo)).powi(2)
                } else {
                    0.0
                }
            })
            .sum::<f64>()
    };
    (0..front.len())
        .min_by(|&a, &b| {
            distance(&objs[a])
                .total_cmp(&distance(&objs[b]))
                .then(a.cmp(&b))
        })
        .unwrap_or(0)
}

fn model_of(trial: usize, iteration: usize, hyper: &[f64], e: &Evaluation) -> RidgeModel {
    RidgeModel {
        trial,
        iteration,
        nrmse: e.nrmse,
        decomp_rssd: e.rssd,
        mape_lift: e.mape_lift,
        lambda: e.lambda,
        hyper: hyper.to_vec(),
    }
}

/// Contributions and returns of one model over every row.
fn channel_numbers(design: &Design, hyper: &[f64], e: &Evaluation, c: usize) -> (f64, f64, f64) {
    let n = design.n_train;
    let (theta, alpha, gamma) = (hyper[3 * c], hyper[3 * c + 1], hyper[3 * c + 2]);
    let x = &design.channels[c][..n];
    let (s, k) = saturated(x, theta, alpha, gamma);
    let total = e.coefficients[c] * s.iter().sum::<f64>();
    let a = geometric(x, theta);
    let plus = e.coefficients[c] * a.iter().map(|v| hill(v * 1.01, alpha, k)).sum::<f64>();
    let spend = design.spend[c];
    (total, total / spend, (plus - total) / (0.01 * spend))
}

fn describe(
    design: &Design,
    data: &Data,
    selected: &RidgeModel,
    e: &Evaluation,
    front: &[RidgeModel],
    settings: &RidgeSettings,
) -> RidgeReport {
    let n_channels = design.channels.len();
    let front_roas: Vec<Vec<f64>> = front
        .iter()
        .map(|m| {
            let ev = design.evaluate(&m.hyper);
            (0..n_channels)
                .map(|c| channel_numbers(design, &m.hyper, &ev, c).1)
                .collect()
        })
        .collect();
    let totals: Vec<(f64, f64, f64)> = (0..n_channels)
        .map(|c| channel_numbers(design, &selected.hyper, e, c))
        .collect();
    let effect_total: f64 = totals.iter().map(|t| t.0).sum();
    let spend_total: f64 = design.spend.iter().sum();
    let channels = (0..n_channels)
        .map(|c| {
            let (contribution_total, roas, mroas) = totals[c];
            let range = front_roas
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), r| {
                    (l.min(r[c]), h.max(r[c]))
                });
            RidgeChannel {
                name: design.names[c].clone(),
                theta: selected.hyper[3 * c],
                alpha: selected.hyper[3 * c + 1],
                gamma: selected.hyper[3 * c + 2],
                coefficient: e.coefficients[c],
                spend_total: design.spend[c],
                contribution_total,
                effect_share: if effect_total > 0.0 {
                    contribution_total / effect_total
                } else {
                    0.0
                },
                spend_share: design.spend[c] / spend_total,
                roas,
                mroas,
                roas_pareto_range: range,
            }
        })
        .collect();
    let fitted = fitted_over_every_row(design, &selected.hyper, e, data.target.len());
    let n_train = design.n_train;
    RidgeReport {
        method: "ridge",
        channels,
        controls: design
            .control_names
            .iter()
            .enumerate()
            .map(|(j, name)| (name.clone(), e.coefficients[n_channels + j]))
            .collect(),
        intercept: e.intercept,
        fit_train: fit_statistics(&data.target[..n_train], &fitted[..n_train]),
        fit_test: (settings.holdout > 0)
            .then(|| fit_statistics(&data.target[n_train..], &fitted[n_train..])),
        selected: selected.clone(),
        pareto_front: Vec::new(),
        evaluations: 0,
        seconds: 0.0,
        fitted,
    }
}

/// Fitted values over every row, hold-out included (the adstock runs through it).
fn fitted_over_every_row(design: &Design, hyper: &[f64], e: &Evaluation, n: usize) -> Vec<f64> {
    let n_channels = design.channels.len();
    let mut fitted = vec![e.intercept; n];
    for c in 0..n_channels {
        let (theta, alpha, gamma) = (hyper[3 * c], hyper[3 * c + 1], hyper[3 * c + 2]);
        let a = geometric(&design.channels[c], theta);
        let k = inflexion(&a[..design.n_train], gamma);
        for t in 0..n {
            fitted[t] += e.coefficients[c] * hill(a[t], alpha, k);
        }
    }
    for (j, col) in design.controls.iter().enumerate() {
        for t in 0..n {
            fitted[t] += e.coefficients[n_channels + j] * col[t];
        }
    }
    fitted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Series;

    #[test]
    fn geometric_and_hill_match_hand_calculations() {
        // θ = 0.5: 1, 0.5 + 0 = 0.5 … with x = [1, 0, 2]: 1, 0.5, 2.25
        assert_eq!(geometric(&[1.0, 0.0, 2.0], 0.5), vec![1.0, 0.5, 2.25]);
        // at the inflexion the Hill curve is one half
        assert!((hill(3.0, 2.0, 3.0) - 0.5).abs() < 1e-15);
        // γ = 0.25 over [1, 5]: 2
        assert_eq!(inflexion(&[1.0, 5.0, 3.0], 0.25), 2.0);
    }

    /// With λ → 0 and no binding constraint, the ridge is ordinary least squares: y = 1 + 2a − b.
    #[test]
    fn ridge_recovers_exact_coefficients() {
        let a: Vec<f64> = (0..50).map(|i| (i as f64 * 0.37).sin() + 2.0).collect();
        let b: Vec<f64> = (0..50).map(|i| (i as f64 * 0.11).cos()).collect();
        let y: Vec<f64> = a.iter().zip(&b).map(|(a, b)| 1.0 + 2.0 * a - b).collect();
        let (coefficients, intercept, _) = ridge(&[&a, &b], &y, 0.0, 1);
        assert!((coefficients[0] - 2.0).abs() < 0.01, "{coefficients:?}");
        assert!((coefficients[1] + 1.0).abs() < 0.01);
        assert!((intercept - 1.0).abs() < 0.03);
        // The same with b constrained to be non-negative: its coefficient sits at zero.
        let (coefficients, _, _) = ridge(&[&a, &b], &y, 0.0, 2);
        assert_eq!(coefficients[1], 0.0);
    }

    /// The candidates are evaluated in parallel: the search is the same on one, two or three
    /// threads.
    #[test]
    fn the_search_does_not_depend_on_the_number_of_threads() {
        let data = crate::simulate::pymc_example(2, 1.0).data;
        let settings = RidgeSettings {
            iterations: 60,
            trials: 2,
            seed: 7,
            ..RidgeSettings::default()
        };
        let search_on_threads = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let report = pool.install(|| fit(&data, &[], &settings)).unwrap();
            let front: Vec<Vec<f64>> = report
                .pareto_front
                .iter()
                .map(|m| m.hyper.clone())
                .collect();
            (report.selected.hyper, report.fitted, front)
        };
        let on_one_thread = search_on_threads(1);
        for threads in [2, 3] {
            assert!(
                search_on_threads(threads) == on_one_thread,
                "the search on {threads} threads differs from the one on one"
            );
        }
    }

    #[test]
    fn the_search_is_deterministic_and_finds_a_front() {
        let n = 120;
        let x: Vec<f64> = (0..n)
            .map(|i| if i % 3 == 0 { 100.0 + i as f64 } else { 10.0 })
            .collect();
        let z: Vec<f64> = (0..n).map(|i| ((i * 7) % 11) as f64).collect();
        let target: Vec<f64> = (0..n)
            .map(|t| {
                50.0 + 30.0 * hill(geometric(&x, 0.3)[t], 1.5, 80.0)
                    + 20.0 * hill(z[t] + 1.0, 1.0, 5.0)
            })
            .collect();
        let data = Data {
            dates: (0..n).map(|i| format!("w{i}")).collect(),
            day_of_year: (0..n).map(|i| (i * 7 % 365) as f64 + 1.0).collect(),
            target,
            channels: vec![
                Series {
                    name: "x".into(),
                    values: x,
                },
                Series {
                    name: "z".into(),
                    values: z,
                },
            ],
            controls: vec![],
        };
        let settings = RidgeSettings {
            iterations: 200,
            trials: 2,
            seed: 5,
            ..RidgeSettings::default()
        };
        let a = fit(&data, &[], &settings).unwrap();
        let b = fit(&data, &[], &settings).unwrap();
        assert_eq!(a.selected.hyper, b.selected.hyper);
        assert_eq!(a.evaluations, 400);
        assert!(!a.pareto_front.is_empty());
        // No model on the front is dominated by another.
        for m in &a.pareto_front {
            assert!(
                !a.pareto_front
                    .iter()
                    .any(|o| dominates(&objectives(o), &objectives(m)))
            );
        }
        assert!(a.fit_train.r2 > 0.9, "{:?}", a.fit_train);
    }
}
