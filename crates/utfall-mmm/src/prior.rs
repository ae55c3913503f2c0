//! Prior distributions, and the map from the sampler's unconstrained space to each parameter's
//! support (identity, log or logit) with its Jacobian.

use serde::{Deserialize, Serialize};

/// A prior distribution of one parameter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case")]
pub enum Prior {
    /// Normal with mean `mu` and standard deviation `sigma`.
    Normal {
        /// The mean.
        mu: f64,
        /// The standard deviation.
        sigma: f64,
    },
    /// Half-normal on the positive half-line with scale `sigma`.
    HalfNormal {
        /// The scale.
        sigma: f64,
    },
    /// Laplace with location `mu` and scale `b`.
    Laplace {
        /// The location.
        mu: f64,
        /// The scale.
        b: f64,
    },
    /// Beta on the unit interval.
    Beta {
        /// The first shape parameter (PyMC's `alpha`).
        a: f64,
        /// The second shape parameter (PyMC's `beta`).
        b: f64,
    },
    /// Shape and rate (PyMC's `alpha`, `beta`).
    Gamma {
        /// The shape.
        shape: f64,
        /// The rate.
        rate: f64,
    },
    /// Log-normal: the logarithm is normal with mean `mu` and standard deviation `sigma`.
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
}

/// Where a parameter lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Any real number (identity map).
    Real,
    /// Positive numbers (log map).
    Positive,
    /// Numbers between 0 and 1 (logit map).
    Unit,
}

impl Prior {
    /// The support of the distribution.
    pub fn support(&self) -> Support {
        match self {
            Prior::Normal { .. } | Prior::Laplace { .. } => Support::Real,
            Prior::HalfNormal { .. } | Prior::Gamma { .. } | Prior::LogNormal { .. } => {
                Support::Positive
            }
            Prior::Beta { .. } => Support::Unit,
        }
    }

    /// Log density up to a constant, and its derivative, at `x` inside the support.
    pub fn logp(&self, x: f64) -> (f64, f64) {
        match *self {
            Prior::Normal { mu, sigma } => {
                let z = (x - mu) / sigma;
                (-0.5 * z * z, -z / sigma)
            }
            Prior::HalfNormal { sigma } => {
                let z = x / sigma;
                (-0.5 * z * z, -z / sigma)
            }
            Prior::Laplace { mu, b } => {
                let d = x - mu;
                (-d.abs() / b, -d.signum() / b)
            }
            Prior::Beta { a, b } => (
                (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln(),
                (a - 1.0) / x - (b - 1.0) / (1.0 - x),
            ),
            Prior::Gamma { shape, rate } => {
                ((shape - 1.0) * x.ln() - rate * x, (shape - 1.0) / x - rate)
            }
            Prior::LogNormal { mu, sigma } => {
                let z = (x.ln() - mu) / sigma;
                (-0.5 * z * z - x.ln(), (-z / sigma - 1.0) / x)
            }
        }
    }

    /// A typical value (the mean), used to start the sampler and the optimisers.
    pub fn center(&self) -> f64 {
        match *self {
            Prior::Normal { mu, .. } | Prior::Laplace { mu, .. } => mu,
            Prior::HalfNormal { sigma } => sigma * (2.0 / std::f64::consts::PI).sqrt(),
            Prior::Beta { a, b } => a / (a + b),
            Prior::Gamma { shape, rate } => shape / rate,
            Prior::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
        }
    }
}

impl Support {
    /// The constrained value, `dx/du`, the log Jacobian `log |dx/du|` and its derivative in `u`.
    pub fn forward(self, u: f64) -> (f64, f64, f64, f64) {
        match self {
            Support::Real => (u, 1.0, 0.0, 0.0),
            Support::Positive => {
                let x = u.exp();
                (x, x, u, 1.0)
            }
            Support::Unit => {
                let x = if u >= 0.0 {
                    1.0 / (1.0 + (-u).exp())
                } else {
                    let e = u.exp();
                    e / (1.0 + e)
                };
                let x = x.clamp(1e-300, 1.0 - 1e-16);
                (x, x * (1.0 - x), x.ln() + (1.0 - x).ln(), 1.0 - 2.0 * x)
            }
        }
    }

    /// The unconstrained value of a constrained `x`.
    pub fn inverse(self, x: f64) -> f64 {
        match self {
            Support::Real => x,
            Support::Positive => x.ln(),
            Support::Unit => (x / (1.0 - x)).ln(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_agree_with_finite_differences() {
        let priors = [
            Prior::Normal {
                mu: 1.0,
                sigma: 2.0,
            },
            Prior::HalfNormal { sigma: 2.0 },
            Prior::Laplace { mu: 0.0, b: 1.0 },
            Prior::Beta { a: 1.0, b: 3.0 },
            Prior::Gamma {
                shape: 3.0,
                rate: 1.0,
            },
            Prior::LogNormal {
                mu: 0.2,
                sigma: 0.9,
            },
        ];
        for prior in priors {
            let x = 0.37;
            let h = 1e-6;
            let numeric = (prior.logp(x + h).0 - prior.logp(x - h).0) / (2.0 * h);
            assert!((prior.logp(x).1 - numeric).abs() < 1e-6, "{prior:?}");
        }
        for support in [Support::Real, Support::Positive, Support::Unit] {
            let u = 0.3;
            let (x, dx, _, djac) = support.forward(u);
            assert!((support.inverse(x) - u).abs() < 1e-12);
            let h = 1e-6;
            let numeric = (support.forward(u + h).0 - support.forward(u - h).0) / (2.0 * h);
            assert!((dx - numeric).abs() < 1e-8);
            let numeric = (support.forward(u + h).2 - support.forward(u - h).2) / (2.0 * h);
            assert!((djac - numeric).abs() < 1e-6);
        }
    }
}
