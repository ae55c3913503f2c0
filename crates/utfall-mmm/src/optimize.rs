//! Budget allocation: split a budget per period across channels to maximise the expected outcome
//! under each channel's response curve (the posterior mean of `β · sat(spend · Σw / x_max)`, the
//! contribution per period once a constant spend has settled through the adstock), within
//! per-channel bounds.
//!
//! For concave curves (logistic, Michaelis–Menten) the optimum is where every channel not at a
//! bound has the same marginal return μ (the KKT conditions): for a given μ each channel's spend is
//! found by bisection on its decreasing marginal curve, and μ by bisection on the budget. The last
//! interior channel takes the remainder, so the spends add up to the budget. Hill curves with a
//! slope above 1 are S-shaped; there the answer is the best allocation on the concave parts.

use serde::Serialize;

use crate::MmmError;
use crate::bayes::Posterior;
use crate::model::Prepared;
use crate::report::Interval;

/// One channel's part of a budget plan.
#[derive(Debug, Clone, Serialize)]
pub struct Allocation {
    /// The channel's name.
    pub channel: String,
    /// Today's average spend per period over the fitted rows.
    pub current: f64,
    /// The lowest spend per period the bounds allow.
    pub lower: f64,
    /// The highest spend per period the bounds allow.
    pub upper: f64,
    /// The planned spend per period.
    pub optimal: f64,
    /// `more`, `less` or `keep` (within 5 % of today's spend).
    pub advice: &'static str,
    /// Extra outcome per extra unit of spend at the planned spend (posterior mean).
    pub marginal_roas: f64,
    /// Whether the planned spend sits at a bound.
    pub at_bound: bool,
    /// Expected contribution per period at today's spend.
    pub contribution_current: Interval,
    /// Expected contribution per period at the planned spend.
    pub contribution_optimal: Interval,
}

/// A budget split across channels, with its expected outcome.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetPlan {
    /// The budget per period that was split.
    pub budget_per_period: f64,
    /// The periods the plan runs over.
    pub periods: usize,
    /// Each channel's allocation.
    pub channels: Vec<Allocation>,
    /// The common marginal return of the channels not at a bound.
    pub lambda: f64,
    /// Expected extra outcome over all periods from moving today's spend to the plan, when the
    /// budget is today's total; otherwise the expected outcome of the plan against today's mix
    /// scaled to the budget.
    pub uplift: Interval,
    /// Expected outcome of the plan over all periods.
    pub expected_outcome: Interval,
    /// The largest relative gap between an interior channel's marginal return and `lambda`.
    pub kkt_max_gap: f64,
}

/// One draw's response curve parameters for a channel.
struct Curve {
    /// Outcome per period at saturation.
    scale: f64,
    /// Adstocked, scaled input per unit of spend: `Σw / x_max`.
    per_unit: f64,
    saturation: Vec<f64>,
}

struct Channel {
    curves: Vec<Curve>,
}

impl Channel {
    fn values(&self, model: &Prepared, x: f64) -> Vec<f64> {
        self.curves
            .iter()
            .map(|c| c.scale * model.spec.saturation.eval(x * c.per_unit, &c.saturation))
            .collect()
    }

    fn marginal(&self, model: &Prepared, x: f64) -> f64 {
        self.curves
            .iter()
            .map(|c| {
                c.scale
                    * c.per_unit
                    * model
                        .spec
                        .saturation
                        .eval_grad(x * c.per_unit, &c.saturation)
                        .d[0]
            })
            .sum::<f64>()
            / self.curves.len() as f64
    }

    /// The spend in `[lo, hi]` where the marginal return falls to `mu`.
    fn spend_at(&self, model: &Prepared, mu: f64, lo: f64, hi: f64) -> f64 {
        if self.marginal(model, lo) <= mu {
            return lo;
        }
        if self.marginal(model, hi) >= mu {
            return hi;
        }
        let (mut a, mut b) = (lo, hi);
        for _ in 0..200 {
            let m = 0.5 * (a + b);
            if self.marginal(model, m) > mu {
                a = m;
            } else {
                b = m;
            }
            if b - a <= 1e-13 * hi.max(1.0) {
                break;
            }
        }
        0.5 * (a + b)
    }
}

/// Spend bounds per period, as multiples of today's spend.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    /// Bounds for every channel without its own.
    pub default: (f64, f64),
    /// Per-channel bounds that override `default`.
    pub by_channel: Vec<(String, (f64, f64))>,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            default: (0.5, 2.0),
            by_channel: Vec::new(),
        }
    }
}

/// Splits `budget_per_period` across the channels within `bounds` so that the marginal returns of
/// the channels not at a bound are equal, and compares the plan with today's mix over `periods`.
pub fn optimize(
    model: &Prepared,
    posterior: &Posterior,
    budget_per_period: f64,
    periods: usize,
    bounds: &Bounds,
) -> Result<BudgetPlan, MmmError> {
    if !(budget_per_period.is_finite() && budget_per_period > 0.0) || periods == 0 {
        return Err(MmmError::Settings(
            "the budget and the number of periods must be positive".into(),
        ));
    }
    let draws: Vec<&Vec<f64>> = posterior.all().collect();
    let step = (draws.len() / 500).max(1);
    let thinned: Vec<&Vec<f64>> = draws.into_iter().step_by(step).collect();
    let channels = response_curves_per_channel(model, &thinned);
    let n_channels = model.x.len();
    let current: Vec<f64> = (0..n_channels)
        .map(|c| model.spend_train[c] / model.n_train as f64)
        .collect();
    let names: Vec<&str> = model
        .data
        .channels
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let limits = spend_limits(bounds, &names, &current);
    check_budget_within_limits(budget_per_period, &limits)?;
    let plan = equalise_marginal_returns(model, &channels, &limits, budget_per_period);

    let current_total: f64 = current.iter().sum();
    let base: Vec<f64> = current
        .iter()
        .map(|x| x * budget_per_period / current_total)
        .collect();
    let outcome = |xs: &[f64]| outcome_per_draw(model, &channels, xs, periods, thinned.len());
    let planned = outcome(&plan.spend);
    let baseline = outcome(&base);
    let uplift: Vec<f64> = planned.iter().zip(&baseline).map(|(a, b)| a - b).collect();
    let allocations = (0..n_channels)
        .map(|c| Allocation {
            channel: names[c].to_string(),
            current: current[c],
            lower: limits[c].0,
            upper: limits[c].1,
            optimal: plan.spend[c],
            advice: advice(plan.spend[c] / current[c] - 1.0),
            marginal_roas: plan.marginals[c],
            at_bound: !plan.interior.contains(&c),
            contribution_current: Interval::of(&channels[c].values(model, current[c])),
            contribution_optimal: Interval::of(&channels[c].values(model, plan.spend[c])),
        })
        .collect();
    Ok(BudgetPlan {
        budget_per_period,
        periods,
        channels: allocations,
        lambda: plan.mu,
        uplift: Interval::of(&uplift),
        expected_outcome: Interval::of(&planned),
        kkt_max_gap: plan.kkt_max_gap,
    })
}

/// Each channel's response curve in every (thinned) draw.
fn response_curves_per_channel(model: &Prepared, thinned: &[&Vec<f64>]) -> Vec<Channel> {
    let n_channels = model.x.len();
    let mut channels: Vec<Channel> = (0..n_channels)
        .map(|_| Channel { curves: Vec::new() })
        .collect();
    for theta in thinned {
        let saturated: Vec<Vec<f64>> = (0..n_channels)
            .map(|c| model.channel_curve(theta, c).1)
            .collect();
        let betas = model.betas(theta, &saturated);
        for c in 0..n_channels {
            let (_, _, w) = model.channel_curve(theta, c);
            channels[c].curves.push(Curve {
                scale: betas[c] * model.y_max,
                per_unit: w.iter().sum::<f64>() / model.x_max[c],
                saturation: model.saturation_params(theta, c).to_vec(),
            });
        }
    }
    channels
}

/// Each channel's spend bounds per period: its multiples of today's spend times today's spend.
fn spend_limits(bounds: &Bounds, names: &[&str], current: &[f64]) -> Vec<(f64, f64)> {
    (0..names.len())
        .map(|c| {
            let (lo, hi) = bounds
                .by_channel
                .iter()
                .find(|(n, _)| n == names[c])
                .map_or(bounds.default, |(_, b)| *b);
            (lo * current[c], hi * current[c])
        })
        .collect()
}

fn check_budget_within_limits(
    budget_per_period: f64,
    limits: &[(f64, f64)],
) -> Result<(), MmmError> {
    let low: f64 = limits.iter().map(|l| l.0).sum();
    let high: f64 = limits.iter().map(|l| l.1).sum();
    if budget_per_period < low || budget_per_period > high {
        return Err(MmmError::Settings(format!(
            "a budget of {budget_per_period:.0} per period is outside what the bounds allow ({low:.0}–{high:.0}); widen the bounds"
        )));
    }
    Ok(())
}

/// The allocation where the marginal returns of the channels not at a bound meet.
struct EqualMarginalPlan {
    /// The common marginal return.
    mu: f64,
    spend: Vec<f64>,
    /// The channels not at a bound.
    interior: Vec<usize>,
    /// Each channel's marginal return at its planned spend.
    marginals: Vec<f64>,
    kkt_max_gap: f64,
}

/// Finds μ by bisection on the budget (total spend falls as μ rises); the last interior channel
/// then takes the remainder so the spends add up to the budget.
fn equalise_marginal_returns(
    model: &Prepared,
    channels: &[Channel],
    limits: &[(f64, f64)],
    budget_per_period: f64,
) -> EqualMarginalPlan {
    let n_channels = channels.len();
    let allocate = |mu: f64| -> Vec<f64> {
        (0..n_channels)
            .map(|c| channels[c].spend_at(model, mu, limits[c].0, limits[c].1))
            .collect()
    };
    let mut mu_hi = (0..n_channels)
        .map(|c| channels[c].marginal(model, limits[c].0))
        .fold(0.0f64, f64::max)
        * 2.0
        + 1e-12;
    let mut mu_lo = 0.0;
    for _ in 0..300 {
        let mid = 0.5 * (mu_lo + mu_hi);
        let total: f64 = allocate(mid).iter().sum();
        if total > budget_per_period {
            mu_lo = mid;
        } else {
            mu_hi = mid;
        }
        if mu_hi - mu_lo <= 1e-15 * mu_hi {
            break;
        }
    }
    let mu = 0.5 * (mu_lo + mu_hi);
    let mut spend = allocate(mu);
    let interior: Vec<usize> = (0..n_channels)
        .filter(|&c| spend[c] > limits[c].0 && spend[c] < limits[c].1)
        .collect();
    if let Some(&last) = interior.last() {
        let others: f64 = (0..n_channels)
            .filter(|&c| c != last)
            .map(|c| spend[c])
            .sum();
        spend[last] = budget_per_period - others;
    }
    let marginals: Vec<f64> = (0..n_channels)
        .map(|c| channels[c].marginal(model, spend[c]))
        .collect();
    let kkt_max_gap = interior
        .iter()
        .map(|&c| ((marginals[c] - mu) / mu).abs())
        .fold(0.0, f64::max);
    EqualMarginalPlan {
        mu,
        spend,
        interior,
        marginals,
        kkt_max_gap,
    }
}

/// The expected outcome over `periods` of spending `spend[c]` per period on each channel, per
/// draw.
fn outcome_per_draw(
    model: &Prepared,
    channels: &[Channel],
    spend: &[f64],
    periods: usize,
    n_draws: usize,
) -> Vec<f64> {
    let mut totals = vec![0.0; n_draws];
    for c in 0..channels.len() {
        for (t, v) in totals.iter_mut().zip(channels[c].values(model, spend[c])) {
            *t += v * periods as f64;
        }
    }
    totals
}

/// `more`, `less` or `keep` for a relative change of spend (within 5 %: keep).
fn advice(change: f64) -> &'static str {
    if change > 0.05 {
        "more"
    } else if change < -0.05 {
        "less"
    } else {
        "keep"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bayes::{SamplerSettings, sample};
    use crate::model::ModelSpec;
    use crate::simulate::pymc_example;

    fn fitted() -> (Prepared, Posterior) {
        let spec = ModelSpec::pymc_example();
        let model = Prepared::new(pymc_example(2, 1.0).data, spec).unwrap();
        let settings = SamplerSettings {
            chains: 2,
            draws: 300,
            tune: 300,
            seed: 3,
            ..SamplerSettings::default()
        };
        let posterior = sample(&model, settings).unwrap();
        (model, posterior)
    }

    #[test]
    fn the_plan_meets_the_kkt_conditions_and_the_budget() {
        let (model, posterior) = fitted();
        let current: f64 = (0..2)
            .map(|c| model.spend_train[c] / model.n_train as f64)
            .sum();
        let bounds = Bounds {
            default: (0.0, 5.0),
            by_channel: Vec::new(),
        };
        let plan = optimize(&model, &posterior, current, 13, &bounds).unwrap();
        let total: f64 = plan.channels.iter().map(|c| c.optimal).sum();
        assert!(
            (total - current).abs() <= 1e-12 * current,
            "{total} vs {current}"
        );
        let interior: Vec<&Allocation> = plan.channels.iter().filter(|c| !c.at_bound).collect();
        assert!(!interior.is_empty());
        for c in &interior {
            assert!(
                ((c.marginal_roas - plan.lambda) / plan.lambda).abs() < 1e-6,
                "{c:?}"
            );
        }
        assert!(plan.kkt_max_gap < 1e-6);
        // Channels at a bound: at the lower bound their marginal return is no higher than λ.
        for c in plan.channels.iter().filter(|c| c.at_bound) {
            if c.optimal <= c.lower {
                assert!(c.marginal_roas <= plan.lambda * (1.0 + 1e-9));
            } else {
                assert!(c.marginal_roas >= plan.lambda * (1.0 - 1e-9));
            }
        }
        // Moving spend between the channels, either way, does not raise the expected outcome.
        let expected = |x0: f64, x1: f64| -> f64 {
            let mut channels = Vec::new();
            for c in 0..2 {
                let mut curves = Vec::new();
                for theta in posterior
                    .all()
                    .step_by((posterior.all().count() / 500).max(1))
                {
                    let saturated: Vec<Vec<f64>> =
                        (0..2).map(|k| model.channel_curve(theta, k).1).collect();
                    let betas = model.betas(theta, &saturated);
                    let (_, _, w) = model.channel_curve(theta, c);
                    curves.push(Curve {
                        scale: betas[c] * model.y_max,
                        per_unit: w.iter().sum::<f64>() / model.x_max[c],
                        saturation: model.saturation_params(theta, c).to_vec(),
                    });
                }
                channels.push(Channel { curves });
            }
            let mean = |c: usize, x: f64| {
                channels[c].values(&model, x).iter().sum::<f64>() / channels[c].curves.len() as f64
            };
            mean(0, x0) + mean(1, x1)
        };
        let best = expected(plan.channels[0].optimal, plan.channels[1].optimal);
        for shift in [-0.05, -0.01, 0.01, 0.05] {
            let d = shift * current;
            let x0 = plan.channels[0].optimal + d;
            let x1 = plan.channels[1].optimal - d;
            if x0 >= 0.0 && x1 >= 0.0 {
                assert!(expected(x0, x1) <= best + 1e-12, "shift {shift}");
            }
        }
    }

    #[test]
    fn a_budget_outside_the_bounds_is_refused() {
        let (model, posterior) = fitted();
        let current: f64 = (0..2)
            .map(|c| model.spend_train[c] / model.n_train as f64)
            .sum();
        assert!(optimize(&model, &posterior, current * 10.0, 13, &Bounds::default()).is_err());
    }
}
