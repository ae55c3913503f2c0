//! What one dated activity (a fair, a campaign burst) did to a KPI: the KPI after the start is
//! compared with a counterfactual — what it would have been without the activity — predicted
//! from the pre-period, in the spirit of Google's CausalImpact with a static regression: a
//! Bayesian linear model (conjugate normal–inverse-gamma, weak prior) of the KPI on a level, an
//! optional linear trend, day-of-week effects (daily data) and control series the activity cannot have
//! moved, fitted on the pre-period; its posterior predictive draws over the post-period give the
//! counterfactual, and observed minus counterfactual the effect, with intervals and the posterior
//! probability that the effect is positive.

use nuts_rs::rand::rngs::Xoshiro256PlusPlus;
use nuts_rs::rand::{RngExt, SeedableRng};
use serde::Serialize;

use crate::MmmError;
use crate::model::Series;
use crate::report::{FitStatistics, Interval, fit_statistics};

/// A KPI series around one dated activity, with the pre- and post-period and the controls.
#[derive(Debug, Clone)]
pub struct LiftInput {
    /// ISO dates of the rows, for the output.
    pub dates: Vec<String>,
    /// Day of the week (0 = Monday) of each row when the data is daily; `None` otherwise.
    pub weekday: Option<Vec<usize>>,
    /// The KPI per row.
    pub target: Vec<f64>,
    /// Series the activity cannot have moved, used to predict the counterfactual.
    pub controls: Vec<Series>,
    /// Rows `[pre_start, post_start)` train the model; `[post_start, post_end)` are judged.
    pub pre_start: usize,
    /// First row after the activity's start.
    pub post_start: usize,
    /// End (exclusive) of the rows judged.
    pub post_end: usize,
    /// Add a linear trend (off by default: as CausalImpact's local level, the counterfactual
    /// then stays at the pre-period's level instead of extrapolating a slope).
    pub trend: bool,
    /// Posterior predictive draws of the counterfactual (at least 100 are drawn).
    pub draws: usize,
    /// Seed of the draws.
    pub seed: u64,
}

/// One post-period row: the KPI observed and its counterfactual.
#[derive(Debug, Clone, Serialize)]
pub struct LiftRow {
    /// ISO date of the row.
    pub date: String,
    /// The KPI observed.
    pub observed: f64,
    /// What the KPI would have been without the activity.
    pub counterfactual: Interval,
}

/// What an activity did to a KPI over the post-period, against a counterfactual.
#[derive(Debug, Clone, Serialize)]
pub struct LiftResult {
    /// The method's name, for the output.
    pub method: &'static str,
    /// Rows that trained the counterfactual model.
    pub pre_periods: usize,
    /// Rows judged.
    pub post_periods: usize,
    /// The KPI observed over the post-period.
    pub observed_total: f64,
    /// The counterfactual KPI over the post-period.
    pub counterfactual_total: Interval,
    /// Observed minus counterfactual over the post-period.
    pub effect_total: Interval,
    /// The effect as a share of the counterfactual.
    pub effect_relative: Interval,
    /// Posterior probability that the effect over the post-period is positive.
    pub probability_positive: f64,
    /// How well the counterfactual model fits the pre-period.
    pub pre_fit: FitStatistics,
    /// The post-period row by row.
    pub rows: Vec<LiftRow>,
}

/// Lower-triangular Cholesky factor of a symmetric positive-definite matrix (row-major).
fn cholesky(a: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= l[i * p + k] * l[j * p + k];
            }
            if i == j {
                if s <= 0.0 {
                    return None;
                }
                l[i * p + i] = s.sqrt();
            } else {
                l[i * p + j] = s / l[j * p + j];
            }
        }
    }
    Some(l)
}

/// Solves `L Lᵀ x = b`.
fn cholesky_solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; p];
    for i in 0..p {
        let s: f64 = (0..i).map(|k| l[i * p + k] * y[k]).sum();
        y[i] = (b[i] - s) / l[i * p + i];
    }
    let mut x = vec![0.0; p];
    for i in (0..p).rev() {
        let s: f64 = (i + 1..p).map(|k| l[k * p + i] * x[k]).sum();
        x[i] = (y[i] - s) / l[i * p + i];
    }
    x
}

fn normal(rng: &mut Xoshiro256PlusPlus) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// A Gamma(shape, 1) draw (Marsaglia and Tsang), for shape ≥ 1.
fn gamma(rng: &mut Xoshiro256PlusPlus, shape: f64) -> f64 {
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u: f64 = rng.random();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// Estimates the effect of an activity over the post-period against a counterfactual predicted
/// from the pre-period.
pub fn lift(input: &LiftInput) -> Result<LiftResult, MmmError> {
    let n = input.target.len();
    if !(input.pre_start < input.post_start
        && input.post_start < input.post_end
        && input.post_end <= n)
    {
        return Err(MmmError::Data(
            "the pre- and post-periods must be non-empty and inside the data".into(),
        ));
    }
    let pre: Vec<usize> = (input.pre_start..input.post_start).collect();
    let fit = PrePeriodFit::new(input, &pre)?;
    let post: Vec<usize> = (input.post_start..input.post_end).collect();
    let draws = input.draws.max(100);
    let paths = fit.counterfactual_paths(input, &post, draws);
    let observed_total: f64 = post.iter().map(|&t| input.target[t]).sum();
    let totals: Vec<f64> = (0..draws)
        .map(|d| paths.iter().map(|p| p[d]).sum())
        .collect();
    let effects: Vec<f64> = totals.iter().map(|c| observed_total - c).collect();
    let relative: Vec<f64> = totals
        .iter()
        .map(|c| {
            if *c != 0.0 {
                (observed_total - c) / c
            } else {
                f64::NAN
            }
        })
        .collect();
    let observed_pre: Vec<f64> = pre.iter().map(|&t| input.target[t]).collect();
    Ok(LiftResult {
        method: "bayesian_regression_counterfactual",
        pre_periods: pre.len(),
        post_periods: post.len(),
        observed_total,
        counterfactual_total: Interval::of(&totals),
        effect_total: Interval::of(&effects),
        effect_relative: Interval::of(&relative),
        probability_positive: effects.iter().filter(|e| **e > 0.0).count() as f64 / draws as f64,
        pre_fit: fit_statistics(&observed_pre, &fit.fitted(input, &pre)),
        rows: post
            .iter()
            .enumerate()
            .map(|(k, &t)| LiftRow {
                date: input.dates[t].clone(),
                observed: input.target[t],
                counterfactual: Interval::of(&paths[k]),
            })
            .collect(),
    })
}

/// Row `t` of the design: level, trend, weekdays (Monday as the reference), controls.
fn design_row(input: &LiftInput, t: usize) -> Vec<f64> {
    let mut x = vec![1.0];
    if input.trend {
        x.push((t as f64 - input.post_start as f64) / 100.0);
    }
    if let Some(w) = &input.weekday {
        for d in 1..7 {
            x.push(if w[t] == d { 1.0 } else { 0.0 });
        }
    }
    for c in &input.controls {
        x.push(c.values[t]);
    }
    x
}

/// The conjugate posterior of the regression on the pre-period: `β | σ² ~ N(β̂, σ² (L Lᵀ)⁻¹)`,
/// `σ² ~ InvGamma(shape, rate)`, on the target standardised by the pre-period's mean and sd.
struct PrePeriodFit {
    p: usize,
    y_mean: f64,
    y_sd: f64,
    /// Cholesky factor of `XᵀX` plus the prior precision.
    l: Vec<f64>,
    beta_hat: Vec<f64>,
    shape: f64,
    rate: f64,
}

impl PrePeriodFit {
    fn new(input: &LiftInput, pre: &[usize]) -> Result<Self, MmmError> {
        let p = design_row(input, 0).len();
        if pre.len() < p + 3 {
            return Err(MmmError::Data(format!(
                "{} periods before the activity: too few for {p} coefficients; give a longer pre-period",
                pre.len()
            )));
        }
        // Conjugate prior: β | σ² ~ N(0, σ² · 100 · s_y² I) on a standardised target, σ² ~ InvGamma(1, 1).
        let y_mean = pre.iter().map(|&t| input.target[t]).sum::<f64>() / pre.len() as f64;
        let y_sd = (pre
            .iter()
            .map(|&t| (input.target[t] - y_mean).powi(2))
            .sum::<f64>()
            / pre.len() as f64)
            .sqrt()
            .max(1e-9);
        let z = |t: usize| (input.target[t] - y_mean) / y_sd;
        let prior_precision = 1e-2;
        let mut xtx = vec![0.0; p * p];
        let mut xty = vec![0.0; p];
        for &t in pre {
            let x = design_row(input, t);
            for i in 0..p {
                xty[i] += x[i] * z(t);
                for j in 0..p {
                    xtx[i * p + j] += x[i] * x[j];
                }
            }
        }
        for i in 0..p {
            xtx[i * p + i] += prior_precision;
        }
        let l = cholesky(&xtx, p)
            .ok_or_else(|| MmmError::Data("the controls are collinear in the pre-period".into()))?;
        let beta_hat = cholesky_solve(&l, p, &xty);
        let yty: f64 = pre.iter().map(|&t| z(t) * z(t)).sum();
        let fit_ss = yty - xty.iter().zip(&beta_hat).map(|(a, b)| a * b).sum::<f64>();
        Ok(PrePeriodFit {
            p,
            y_mean,
            y_sd,
            l,
            beta_hat,
            shape: 1.0 + pre.len() as f64 / 2.0,
            rate: 1.0 + fit_ss.max(0.0) / 2.0,
        })
    }

    /// Posterior predictive draws of the KPI over the post-period, `[row][draw]`.
    fn counterfactual_paths(
        &self,
        input: &LiftInput,
        post: &[usize],
        draws: usize,
    ) -> Vec<Vec<f64>> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(input.seed);
        let mut paths: Vec<Vec<f64>> = vec![Vec::with_capacity(draws); post.len()];
        for _ in 0..draws {
            let (sigma2, beta) = self.draw_coefficients(&mut rng);
            for (k, &t) in post.iter().enumerate() {
                let x = design_row(input, t);
                let mean: f64 = x.iter().zip(&beta).map(|(a, b)| a * b).sum();
                let value = mean + sigma2.sqrt() * normal(&mut rng);
                paths[k].push(self.y_mean + self.y_sd * value);
            }
        }
        paths
    }

    /// One posterior draw of σ² and of `β = β̂ + σ L⁻ᵀ ε`.
    fn draw_coefficients(&self, rng: &mut Xoshiro256PlusPlus) -> (f64, Vec<f64>) {
        let (p, l) = (self.p, &self.l);
        let sigma2 = self.rate / gamma(rng, self.shape);
        let e: Vec<f64> = (0..p).map(|_| normal(rng)).collect();
        let mut u = vec![0.0; p];
        for i in (0..p).rev() {
            let s: f64 = (i + 1..p).map(|k| l[k * p + i] * u[k]).sum();
            u[i] = (e[i] - s) / l[i * p + i];
        }
        let beta: Vec<f64> = self
            .beta_hat
            .iter()
            .zip(&u)
            .map(|(b, u)| b + sigma2.sqrt() * u)
            .collect();
        (sigma2, beta)
    }

    /// The fitted KPI (at `β̂`) over the pre-period.
    fn fitted(&self, input: &LiftInput, pre: &[usize]) -> Vec<f64> {
        pre.iter()
            .map(|&t| {
                self.y_mean
                    + self.y_sd
                        * design_row(input, t)
                            .iter()
                            .zip(&self.beta_hat)
                            .map(|(a, b)| a * b)
                            .sum::<f64>()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(effect: f64, seed: u64) -> LiftInput {
        // 120 days: level 20, a weekly pattern, noise σ = 2; from day 90 for 14 days + `effect`.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let weekday: Vec<usize> = (0..120).map(|t| t % 7).collect();
        let target: Vec<f64> = (0..120)
            .map(|t| {
                let week = [0.0, 1.0, 2.0, 1.0, 0.0, -6.0, -7.0][t % 7];
                let bump = if (90..104).contains(&t) { effect } else { 0.0 };
                20.0 + week + bump + 2.0 * normal(&mut rng)
            })
            .collect();
        LiftInput {
            dates: (0..120).map(|t| format!("d{t}")).collect(),
            weekday: Some(weekday),
            target,
            controls: vec![],
            pre_start: 0,
            post_start: 90,
            post_end: 104,
            trend: false,
            draws: 2000,
            seed: 1,
        }
    }

    #[test]
    fn a_known_bump_is_found_and_no_bump_is_not() {
        let r = lift(&series(5.0, 3)).unwrap();
        // 14 days × 5 = 70 extra, noise over 14 days ≈ 2·√14 ≈ 7.5
        assert!(r.effect_total.contains(70.0), "{:?}", r.effect_total);
        assert!(r.probability_positive > 0.99);
        assert!((r.effect_total.mean - 70.0).abs() < 20.0);
        let none = lift(&series(0.0, 4)).unwrap();
        assert!(none.effect_total.contains(0.0), "{:?}", none.effect_total);
        assert!(none.probability_positive > 0.03 && none.probability_positive < 0.97);
    }

    #[test]
    fn cholesky_solves_a_hand_example() {
        // [[4, 2], [2, 3]] x = [2, 1] → x = [0.5, 0]
        let l = cholesky(&[4.0, 2.0, 2.0, 3.0], 2).unwrap();
        let x = cholesky_solve(&l, 2, &[2.0, 1.0]);
        assert!((x[0] - 0.5).abs() < 1e-15 && x[1].abs() < 1e-15);
    }
}
