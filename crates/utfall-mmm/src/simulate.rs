//! Data with known truth. [`pymc_example`] re-implements the recipe of PyMC-Marketing's "MMM
//! example" notebook (179 weeks from 2018-04-01, two channels, geometric adstock with L = 8 and
//! logistic saturation, a trend, yearly seasonality, two one-week events, Gaussian noise);
//! [`channels`] generalises it to any number of channels with random true parameters, for the
//! multi-seed recovery suite. The random numbers are ours (xoshiro256++), not NumPy's, so the
//! series differ from the notebook's CSV draw by draw but follow the same recipe.

use jiff::civil::Date;
use nuts_rs::rand::rngs::Xoshiro256PlusPlus;
use nuts_rs::rand::{RngExt, SeedableRng};
use serde::Serialize;

use crate::model::{Data, Series};
use crate::transform::{Adstock, AdstockKind, Saturation};

/// The true parameters of one channel, in the units of its spend column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelTruth {
    /// The channel's name.
    pub name: String,
    /// The geometric adstock rate α.
    pub alpha: f64,
    /// Logistic `lam` per unit of spend.
    pub lam: f64,
    /// The largest contribution per period (saturation's ceiling), in outcome units.
    pub beta: f64,
    /// The channel's contribution over all rows.
    pub contribution_total: f64,
    /// Spend over all rows.
    pub spend_total: f64,
    /// Contribution per unit of spend.
    pub roas: f64,
}

/// The truth behind simulated data.
#[derive(Debug, Clone, Serialize)]
pub struct Truth {
    /// Each channel's true parameters.
    pub channels: Vec<ChannelTruth>,
    /// The adstock's largest lag.
    pub l_max: usize,
    /// The noise's standard deviation, in outcome units.
    pub noise_sigma: f64,
}

/// Simulated data and the truth behind it.
#[derive(Debug, Clone)]
pub struct Simulated {
    /// The data, as a fit would get it.
    pub data: Data,
    /// The truth to compare the fit with.
    pub truth: Truth,
}

/// Standard normal draws by Box–Muller.
fn normal(rng: &mut Xoshiro256PlusPlus) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

struct ChannelRecipe {
    name: String,
    /// 0: "x1" pattern (x if x > 0.9, else x/2); 1: "x2" pattern (x if x > 0.8, else 0).
    pattern: u8,
    scale: f64,
    alpha: f64,
    lam: f64,
    beta: f64,
}

fn generate(seed: u64, recipes: Vec<ChannelRecipe>, amplitude: f64) -> Simulated {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    // Mondays from 2018-04-01 to 2021-09-01 (pandas' freq "W-MON"): 179 weeks.
    let first = Date::constant(2018, 4, 2);
    let last = Date::constant(2021, 9, 1);
    let mut dates = Vec::new();
    let mut d = first;
    while d <= last {
        dates.push(d);
        d = d.checked_add(jiff::Span::new().days(7)).expect("in range");
    }
    let n = dates.len();
    let day_of_year: Vec<f64> = dates.iter().map(|d| d.day_of_year() as f64).collect();
    let l_max = 8;
    let mut channels = Vec::new();
    let mut saturated = Vec::new();
    for r in &recipes {
        let raw: Vec<f64> = (0..n)
            .map(|_| {
                let x: f64 = rng.random();
                match r.pattern {
                    0 => {
                        if x > 0.9 {
                            x
                        } else {
                            x / 2.0
                        }
                    }
                    _ => {
                        if x > 0.8 {
                            x
                        } else {
                            0.0
                        }
                    }
                }
            })
            .collect();
        let adstock = Adstock {
            kind: AdstockKind::Geometric,
            l_max,
            normalize: true,
        };
        let a = Adstock::apply(&adstock.weights(&[r.alpha]), &raw);
        saturated.push(
            a.iter()
                .map(|&v| Saturation::Logistic.eval(v, &[r.lam]))
                .collect::<Vec<f64>>(),
        );
        channels.push(Series {
            name: r.name.clone(),
            values: raw.iter().map(|v| v * r.scale).collect(),
        });
    }
    let trend: Vec<f64> = (0..n)
        .map(|i| (50.0 * i as f64 / (n - 1) as f64 + 10.0).powf(0.25) - 1.0)
        .collect();
    let season: Vec<f64> = day_of_year
        .iter()
        .map(|d| {
            let w = 2.0 * std::f64::consts::PI * d / 365.5;
            0.5 * (-(2.0 * w).sin() + w.cos())
        })
        .collect();
    let event = |y, m, day| -> Vec<f64> {
        let e = Date::constant(y, m, day);
        dates
            .iter()
            .map(|d| if *d == e { 1.0 } else { 0.0 })
            .collect()
    };
    let event_1 = event(2019, 5, 13);
    let event_2 = event(2020, 9, 14);
    let noise_sigma = 0.25;
    let target: Vec<f64> = (0..n)
        .map(|t| {
            let media: f64 = recipes
                .iter()
                .zip(&saturated)
                .map(|(r, s)| r.beta * s[t])
                .sum();
            amplitude
                * (2.0
                    + trend[t]
                    + season[t]
                    + 1.5 * event_1[t]
                    + 2.5 * event_2[t]
                    + media
                    + noise_sigma * normal(&mut rng))
        })
        .collect();
    let truth = Truth {
        channels: recipes
            .iter()
            .zip(&saturated)
            .zip(&channels)
            .map(|((r, s), x)| {
                let contribution_total = amplitude * r.beta * s.iter().sum::<f64>();
                let spend_total: f64 = x.values.iter().sum();
                ChannelTruth {
                    name: r.name.clone(),
                    alpha: r.alpha,
                    lam: r.lam / r.scale,
                    beta: amplitude * r.beta,
                    contribution_total,
                    spend_total,
                    roas: contribution_total / spend_total,
                }
            })
            .collect(),
        l_max,
        noise_sigma: amplitude * noise_sigma,
    };
    let data = Data {
        dates: dates.iter().map(|d| d.to_string()).collect(),
        day_of_year,
        target,
        channels,
        controls: vec![
            Series {
                name: "event_1".into(),
                values: event_1,
            },
            Series {
                name: "event_2".into(),
                values: event_2,
            },
            Series {
                name: "t".into(),
                values: (0..n).map(|t| t as f64).collect(),
            },
        ],
    };
    Simulated { data, truth }
}

/// PyMC-Marketing's example: x1 (α 0.4, λ 4, β 3) and x2 (α 0.2, λ 3, β 2).
pub fn pymc_example(seed: u64, amplitude: f64) -> Simulated {
    generate(
        seed,
        vec![
            ChannelRecipe {
                name: "x1".into(),
                pattern: 0,
                scale: 1.0,
                alpha: 0.4,
                lam: 4.0,
                beta: 3.0,
            },
            ChannelRecipe {
                name: "x2".into(),
                pattern: 1,
                scale: 1.0,
                alpha: 0.2,
                lam: 3.0,
                beta: 2.0,
            },
        ],
        amplitude,
    )
}

/// The same recipe with `k` channels whose true α, λ, β and spend scale are drawn from the seed.
pub fn channels(seed: u64, k: usize) -> Simulated {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x005E_ED0F_C4A7);
    let recipes = (0..k)
        .map(|c| ChannelRecipe {
            name: format!("x{}", c + 1),
            pattern: (c % 2) as u8,
            scale: (1000.0 * (1.0 + 9.0 * rng.random::<f64>())).round(),
            alpha: 0.1 + 0.5 * rng.random::<f64>(),
            lam: 2.0 + 3.0 * rng.random::<f64>(),
            beta: 1.0 + 2.0 * rng.random::<f64>(),
        })
        .collect();
    generate(seed, recipes, 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_has_the_notebooks_shape() {
        let s = pymc_example(1, 1.0);
        assert_eq!(s.data.target.len(), 179);
        assert_eq!(s.data.dates[0], "2018-04-02");
        assert_eq!(s.data.dates[178], "2021-08-30");
        let e1 = &s.data.controls[0].values;
        assert_eq!(e1.iter().sum::<f64>(), 1.0);
        assert_eq!(
            s.data.dates[e1.iter().position(|v| *v == 1.0).unwrap()],
            "2019-05-13"
        );
        // x2 is zero unless the draw exceeded 0.8: about 80 % zeros
        let zeros = s.data.channels[1]
            .values
            .iter()
            .filter(|v| **v == 0.0)
            .count();
        assert!((120..165).contains(&zeros), "{zeros}");
    }
}
