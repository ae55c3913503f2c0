//! Uncertainty for the data-driven models: a Poisson bootstrap over paths. Each replicate
//! redraws every path's conversions and non-conversions as Poisson counts around the observed
//! ones (value follows conversions), recomputes the model, and the interval is the 5th and 95th
//! percentile of the replicates. Replicates have their own seeds, so the result is the same on
//! any number of threads.

use rayon::prelude::*;

use crate::paths::{Path, PathSet};

/// A 90 % interval per channel, for conversions and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Intervals {
    /// Each channel's interval of attributed conversions: (5th, 95th percentile).
    pub conversions: Vec<(f64, f64)>,
    /// Each channel's interval of attributed conversion value: (5th, 95th percentile).
    pub value: Vec<(f64, f64)>,
    /// How many bootstrap replicates the intervals come from.
    pub replicates: usize,
}

/// SplitMix64: small, fast and the same everywhere.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Poisson with mean `lambda` (fractional counts keep their fraction as the mean).
    fn poisson(&mut self, lambda: f64) -> f64 {
        if lambda <= 0.0 {
            return 0.0;
        }
        if lambda > 50.0 {
            let u1 = self.uniform().max(1e-300);
            let u2 = self.uniform();
            let normal = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            return (lambda + lambda.sqrt() * normal).round().max(0.0);
        }
        let limit = (-lambda).exp();
        let mut product = self.uniform();
        let mut n = 0.0;
        while product > limit {
            product *= self.uniform();
            n += 1.0;
        }
        n
    }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let position = q * (sorted.len() - 1) as f64;
    let low = position.floor() as usize;
    let high = position.ceil() as usize;
    sorted[low] + (sorted[high] - sorted[low]) * (position - low as f64)
}

/// Runs `model` on `replicates` bootstrap samples of `paths`.
pub fn intervals<F>(paths: &PathSet, replicates: usize, seed: u64, model: F) -> Intervals
where
    F: Fn(&PathSet) -> (Vec<f64>, Vec<f64>) + Sync,
{
    let n_channels = paths.n_channels();
    let samples: Vec<(Vec<f64>, Vec<f64>)> = (0..replicates)
        .into_par_iter()
        .map(|replicate| {
            let mut random = Random(seed ^ (replicate as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
            let resampled = PathSet {
                channels: paths.channels.clone(),
                paths: paths
                    .paths
                    .iter()
                    .map(|p| {
                        let conversions = random.poisson(p.conversions);
                        let value = if p.conversions > 0.0 {
                            p.value * conversions / p.conversions
                        } else {
                            0.0
                        };
                        Path {
                            touches: p.touches.clone(),
                            conversions,
                            value,
                            nulls: random.poisson(p.nulls),
                        }
                    })
                    .collect(),
            };
            model(&resampled)
        })
        .collect();
    let bounds = |which: usize| -> Vec<(f64, f64)> {
        (0..n_channels)
            .map(|channel| {
                let mut values: Vec<f64> = samples
                    .iter()
                    .map(|s| {
                        if which == 0 { &s.0 } else { &s.1 }
                            .get(channel)
                            .copied()
                            .unwrap_or(0.0)
                    })
                    .collect();
                values.sort_by(f64::total_cmp);
                (percentile(&values, 0.05), percentile(&values, 0.95))
            })
            .collect()
    };
    Intervals {
        conversions: bounds(0),
        value: bounds(1),
        replicates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::PathSetBuilder;

    #[test]
    fn intervals_cover_the_estimate_and_shrink_with_data() {
        let build = |scale: f64| {
            let mut builder = PathSetBuilder::new();
            builder.add_text("a > b", ">", 10.0 * scale, 100.0 * scale, 10.0 * scale);
            builder.add_text("b", ">", 5.0 * scale, 50.0 * scale, 20.0 * scale);
            builder.add_text("a", ">", 2.0 * scale, 20.0 * scale, 30.0 * scale);
            builder.build()
        };
        let markov = |p: &PathSet| {
            let r = crate::markov::markov(p, 1).unwrap_or_else(|_| unreachable!());
            (r.conversions, r.value)
        };
        let small = build(1.0);
        let estimate = markov(&small).0;
        let narrow = intervals(&build(100.0), 200, 7, markov);
        let wide = intervals(&small, 200, 7, markov);
        for (channel, value) in estimate.iter().enumerate().take(2) {
            assert!(wide.conversions[channel].0 <= *value && *value <= wide.conversions[channel].1);
            let width = |i: &Intervals| {
                (i.conversions[channel].1 - i.conversions[channel].0)
                    / (i.conversions[channel].1 + i.conversions[channel].0)
            };
            assert!(
                width(&narrow) < width(&wide) / 3.0,
                "{} vs {}",
                width(&narrow),
                width(&wide)
            );
        }
        // The same seed gives the same intervals.
        assert_eq!(
            intervals(&small, 50, 3, markov),
            intervals(&small, 50, 3, markov)
        );
    }
}
