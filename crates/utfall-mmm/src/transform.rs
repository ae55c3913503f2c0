//! Adstock (carry-over) and saturation (diminishing returns), written once over [`Real`] so that
//! the same definitions give values and exact gradients.
//!
//! Definitions (lag `l = 0 … L−1`, weights applied as `a_t = Σ_l w_l · x_{t−l}`, no spend before
//! the first row):
//! - geometric: `w_l = α^l`, divided by `Σ α^l` when normalised (PyMC-Marketing's
//!   `normalize=True`); unnormalised is Robyn's form, where a constant spend `x` settles at
//!   `x / (1 − α)`.
//! - Weibull CDF: `w_l = exp(−(l/λ)^k)`, the survival function — a decay whose shape `k` can hold
//!   the effect longer (`k < 1`) or drop it later and faster (`k > 1`).
//! - Weibull PDF: `w_l = f(l + 1; k, λ)`, the density — a delayed peak for `k > 1`.
//!
//! Both Weibull forms are normalised when asked. Saturations act on the scaled, adstocked series
//! `a ≥ 0`: logistic `(1 − e^{−λa}) / (1 + e^{−λa})` (PyMC-Marketing), Hill `a^n / (a^n + K^n)`
//! (Robyn) and Michaelis–Menten `a / (a + K)`.

use serde::{Deserialize, Serialize};

use crate::dual::{Dual, Real};
use crate::prior::Prior;

/// The shape of the adstock's weights over lags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdstockKind {
    /// Weights `α^l`.
    Geometric,
    /// Weights from the Weibull survival function.
    WeibullCdf,
    /// Weights from the Weibull density.
    WeibullPdf,
}

/// How spend carries over: a kind of weights over `l_max` lags.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Adstock {
    /// The shape of the weights.
    pub kind: AdstockKind,
    /// Lags the weights span, the current period included.
    pub l_max: usize,
    /// Whether the weights are divided by their sum.
    pub normalize: bool,
}

impl Adstock {
    /// The names of the adstock's parameters.
    pub fn parameter_names(&self) -> &'static [&'static str] {
        match self.kind {
            AdstockKind::Geometric => &["alpha"],
            AdstockKind::WeibullCdf | AdstockKind::WeibullPdf => &["shape", "scale"],
        }
    }

    /// PyMC-Marketing's defaults where it has them (`alpha ~ Beta(1, 3)`).
    pub fn default_priors(&self) -> Vec<Prior> {
        match self.kind {
            AdstockKind::Geometric => vec![Prior::Beta { a: 1.0, b: 3.0 }],
            AdstockKind::WeibullCdf | AdstockKind::WeibullPdf => vec![
                Prior::Gamma {
                    shape: 2.0,
                    rate: 1.0,
                },
                Prior::Gamma {
                    shape: 2.0,
                    rate: 1.0,
                },
            ],
        }
    }

    /// The `l_max` lag weights for the given parameters.
    pub fn weights<R: Real>(&self, params: &[R]) -> Vec<R> {
        let mut w: Vec<R> = match self.kind {
            AdstockKind::Geometric => {
                let alpha = params[0];
                let mut out = Vec::with_capacity(self.l_max);
                let mut p = R::constant(1.0);
                for _ in 0..self.l_max {
                    out.push(p);
                    p = p * alpha;
                }
                out
            }
            AdstockKind::WeibullCdf => {
                let (k, lambda) = (params[0], params[1]);
                (0..self.l_max)
                    .map(|l| {
                        if l == 0 {
                            R::constant(1.0)
                        } else {
                            (-(R::constant(l as f64) / lambda).pow(k)).exp()
                        }
                    })
                    .collect()
            }
            AdstockKind::WeibullPdf => {
                let (k, lambda) = (params[0], params[1]);
                (0..self.l_max)
                    .map(|l| {
                        let t = R::constant((l + 1) as f64) / lambda;
                        k / lambda * t.pow(k - R::constant(1.0)) * (-(t.pow(k))).exp()
                    })
                    .collect()
            }
        };
        if self.normalize {
            let total = w.iter().fold(R::constant(0.0), |acc, &x| acc + x);
            for x in &mut w {
                *x = *x / total;
            }
        }
        w
    }

    /// Applies weights to a series.
    pub fn apply(weights: &[f64], x: &[f64]) -> Vec<f64> {
        (0..x.len())
            .map(|t| {
                weights
                    .iter()
                    .enumerate()
                    .take(t + 1)
                    .map(|(l, w)| w * x[t - l])
                    .sum()
            })
            .collect()
    }
}

/// How the effect of adstocked spend levels off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Saturation {
    /// `(1 − e^{−λa}) / (1 + e^{−λa})` (PyMC-Marketing).
    Logistic,
    /// `a^n / (a^n + K^n)` (Robyn).
    Hill,
    /// `a / (a + K)`.
    MichaelisMenten,
}

impl Saturation {
    /// The names of the saturation's parameters.
    pub fn parameter_names(&self) -> &'static [&'static str] {
        match self {
            Saturation::Logistic => &["lam"],
            Saturation::Hill => &["half_saturation", "slope"],
            Saturation::MichaelisMenten => &["half_saturation"],
        }
    }

    /// PyMC-Marketing's `lam ~ Gamma(3, 1)` for the logistic; for the others a half-saturation
    /// point around half the largest scaled spend and a Hill slope around 2.
    pub fn default_priors(&self) -> Vec<Prior> {
        let half = Prior::Gamma {
            shape: 2.0,
            rate: 4.0,
        };
        match self {
            Saturation::Logistic => vec![Prior::Gamma {
                shape: 3.0,
                rate: 1.0,
            }],
            Saturation::Hill => vec![
                half,
                Prior::Gamma {
                    shape: 3.0,
                    rate: 1.5,
                },
            ],
            Saturation::MichaelisMenten => vec![half],
        }
    }

    /// The saturated value of adstocked, scaled spend `a`.
    pub fn eval<R: Real>(&self, a: R, params: &[R]) -> R {
        let one = R::constant(1.0);
        match self {
            Saturation::Logistic => {
                let e = (-(params[0] * a)).exp();
                (one - e) / (one + e)
            }
            Saturation::Hill => {
                if a.value() <= 0.0 {
                    return R::constant(0.0) * a;
                }
                let (k, n) = (params[0], params[1]);
                let an = a.pow(n);
                an / (an + k.pow(n))
            }
            Saturation::MichaelisMenten => a / (a + params[0]),
        }
    }

    /// Value and partial derivatives with respect to `a` (index 0) and the parameters (1, 2).
    pub fn eval_grad(&self, a: f64, params: &[f64]) -> Dual<3> {
        let a = Dual::variable(a, 0);
        let p: Vec<Dual<3>> = params
            .iter()
            .enumerate()
            .map(|(i, &v)| Dual::variable(v, i + 1))
            .collect();
        self.eval(a, &p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometric_adstock_matches_a_hand_calculation() {
        // alpha = 0.5, L = 3, normalised: weights 1, .5, .25 over 1.75
        let adstock = Adstock {
            kind: AdstockKind::Geometric,
            l_max: 3,
            normalize: true,
        };
        let w = adstock.weights(&[0.5]);
        assert!((w[0] - 1.0 / 1.75).abs() < 1e-15);
        assert!((w[2] - 0.25 / 1.75).abs() < 1e-15);
        let a = Adstock::apply(&w, &[1.0, 0.0, 0.0, 2.0]);
        // t=3: 2 * w0 (the 1 at t=0 is beyond lag 2)
        assert!((a[0] - 1.0 / 1.75).abs() < 1e-15);
        assert!((a[2] - 0.25 / 1.75).abs() < 1e-15);
        assert!((a[3] - 2.0 / 1.75).abs() < 1e-15);
        // Robyn's unnormalised form: constant spend 1 settles at 1 + .5 + .25
        let raw = Adstock {
            normalize: false,
            ..adstock
        };
        let a = Adstock::apply(&raw.weights(&[0.5]), &[1.0; 5]);
        assert!((a[4] - 1.75).abs() < 1e-15);
    }

    #[test]
    fn weibull_weights_match_their_definitions() {
        let cdf = Adstock {
            kind: AdstockKind::WeibullCdf,
            l_max: 4,
            normalize: false,
        };
        let w = cdf.weights(&[2.0, 2.0]);
        // exp(-(l/2)^2): 1, e^-0.25, e^-1, e^-2.25
        for (l, expected) in [1.0, (-0.25f64).exp(), (-1f64).exp(), (-2.25f64).exp()]
            .iter()
            .enumerate()
        {
            assert!((w[l] - expected).abs() < 1e-12, "lag {l}: {}", w[l]);
        }
        let pdf = Adstock {
            kind: AdstockKind::WeibullPdf,
            ..cdf
        };
        let w = pdf.weights(&[2.0, 2.0]);
        // f(t; 2, 2) = (2/2)(t/2) exp(-(t/2)^2) at t = 1: 0.5 e^-0.25
        assert!((w[0] - 0.5 * (-0.25f64).exp()).abs() < 1e-12);
    }

    #[test]
    fn saturations_match_their_formulas_and_derivatives() {
        let s = Saturation::Logistic.eval_grad(0.5, &[4.0]);
        let e = (-2f64).exp();
        assert!((s.v - (1.0 - e) / (1.0 + e)).abs() < 1e-15);
        // d/da = 2 lam e / (1 + e)^2
        assert!((s.d[0] - 8.0 * e / (1.0 + e).powi(2)).abs() < 1e-12);
        assert!((s.d[1] - 0.5 * 2.0 * e / (1.0 + e).powi(2)).abs() < 1e-12);
        let h = Saturation::Hill.eval_grad(0.5, &[0.5, 2.0]);
        assert!((h.v - 0.5).abs() < 1e-15);
        // d/da of a^2/(a^2+K^2) at a = K = 0.5: 2aK^2/(a^2+K^2)^2 = 1
        assert!((h.d[0] - 1.0).abs() < 1e-12);
        let m = Saturation::MichaelisMenten.eval_grad(1.0, &[3.0]);
        assert!((m.v - 0.25).abs() < 1e-15);
        assert!((m.d[1] + 1.0 / 16.0).abs() < 1e-15);
        assert_eq!(Saturation::Hill.eval_grad(0.0, &[0.5, 2.0]).v, 0.0);
    }
}
