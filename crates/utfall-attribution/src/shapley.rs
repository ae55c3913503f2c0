//! Shapley values over channel coalitions.
//!
//! The worth of a coalition S is the conversions (or value) of the journeys whose set of
//! channels lies inside S. Two computations are given: the general formula over all coalitions
//! (exact up to [`MAX_EXACT_CHANNELS`]) and Zhao et al.'s simplified form, which splits each
//! journey's conversions equally among its distinct channels. For this worth function the two
//! are equal — a property the tests check — and the simplified form scales to any number of
//! channels.

use crate::AttributionError;
use crate::paths::PathSet;

/// Exact Shapley values enumerate 2ⁿ coalitions.
pub const MAX_EXACT_CHANNELS: usize = 20;

/// Credits per channel: (conversions, value).
#[derive(Debug, Clone, PartialEq)]
pub struct ShapleyResult {
    /// Shapley value of conversions per channel.
    pub conversions: Vec<f64>,
    /// Shapley value of conversion value per channel.
    pub value: Vec<f64>,
}

/// Zhao et al.'s simplified Shapley value: each journey's outcome split equally among its
/// distinct channels.
pub fn simplified(paths: &PathSet) -> ShapleyResult {
    let n_channels = paths.n_channels();
    let mut conversions = vec![0.0; n_channels];
    let mut value = vec![0.0; n_channels];
    let mut distinct: Vec<u32> = Vec::new();
    for path in &paths.paths {
        distinct.clear();
        distinct.extend_from_slice(&path.touches);
        distinct.sort_unstable();
        distinct.dedup();
        let size = distinct.len() as f64;
        for &channel in &distinct {
            conversions[channel as usize] += path.conversions / size;
            value[channel as usize] += path.value / size;
        }
    }
    ShapleyResult { conversions, value }
}

/// Zhao et al.'s ordered Shapley value: the simplified value of each channel split by the
/// position (1st, 2nd, …) at which the channel first appears in each journey's sequence of
/// distinct channels. `result[channel][position]` sums over positions to [`simplified`].
pub fn ordered(paths: &PathSet) -> Vec<Vec<f64>> {
    let mut result = vec![Vec::new(); paths.n_channels()];
    let mut distinct: Vec<u32> = Vec::new();
    for path in &paths.paths {
        distinct.clear();
        for &touch in &path.touches {
            if !distinct.contains(&touch) {
                distinct.push(touch);
            }
        }
        let share = path.conversions / distinct.len().max(1) as f64;
        for (position, &channel) in distinct.iter().enumerate() {
            let credits = &mut result[channel as usize];
            if credits.len() <= position {
                credits.resize(position + 1, 0.0);
            }
            credits[position] += share;
        }
    }
    result
}

/// The general Shapley formula φᵢ = Σ_{S ∌ i} |S|!(n−|S|−1)!/n! · (v(S ∪ {i}) − v(S)), with
/// v(S) the outcome of journeys whose channels all lie in S.
pub fn exact(paths: &PathSet) -> Result<ShapleyResult, AttributionError> {
    let n = paths.n_channels();
    if n > MAX_EXACT_CHANNELS {
        return Err(AttributionError::TooManyChannelsForShapley(n));
    }
    let size = 1usize << n;
    // Outcome of journeys whose channel set is exactly the mask, then summed over subsets.
    let mut worth_conversions = vec![0.0; size];
    let mut worth_value = vec![0.0; size];
    for path in &paths.paths {
        let mask = path.touches.iter().fold(0usize, |mask, &c| mask | (1 << c));
        worth_conversions[mask] += path.conversions;
        worth_value[mask] += path.value;
    }
    for bit in 0..n {
        for mask in 0..size {
            if mask & (1 << bit) != 0 {
                worth_conversions[mask] += worth_conversions[mask ^ (1 << bit)];
                worth_value[mask] += worth_value[mask ^ (1 << bit)];
            }
        }
    }
    // weight[k] = k!(n−k−1)!/n!
    let mut weight = vec![0.0; n.max(1)];
    for (k, w) in weight.iter_mut().enumerate().take(n) {
        *w = (0..n).fold(1.0, |acc, j| {
            let numerator = if j < k {
                (j + 1) as f64
            } else if j < k + (n - k - 1) {
                (j - k + 1) as f64
            } else {
                1.0
            };
            acc * numerator / (j + 1) as f64
        });
    }
    let mut conversions = vec![0.0; n];
    let mut value = vec![0.0; n];
    for mask in 0..size {
        let k = mask.count_ones() as usize;
        for channel in 0..n {
            if mask & (1 << channel) == 0 {
                let with = mask | (1 << channel);
                conversions[channel] +=
                    weight[k] * (worth_conversions[with] - worth_conversions[mask]);
                value[channel] += weight[k] * (worth_value[with] - worth_value[mask]);
            }
        }
    }
    Ok(ShapleyResult { conversions, value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::PathSetBuilder;
    use proptest::prelude::*;

    #[test]
    fn ordered_splits_by_position() {
        let mut builder = PathSetBuilder::new();
        builder.add_text("a > b > a", ">", 2.0, 0.0, 0.0);
        builder.add_text("b > a", ">", 4.0, 0.0, 0.0);
        let paths = builder.build();
        let ordered = ordered(&paths);
        // a: first in path 1 (1 of 2), second in path 2 (2 of 4); b: second, then first.
        assert_eq!(ordered[0], [1.0, 2.0]);
        assert_eq!(ordered[1], [2.0, 1.0]);
        let simple = simplified(&paths);
        assert_eq!(ordered[0].iter().sum::<f64>(), simple.conversions[0]);
    }

    #[test]
    fn weights_are_the_shapley_weights() {
        // n = 3: k = 0 → 1/3, k = 1 → 1/6, k = 2 → 1/3.
        let mut builder = PathSetBuilder::new();
        builder.add_text("a > b > c", ">", 6.0, 6.0, 0.0);
        let result = exact(&builder.build()).unwrap();
        for credit in result.conversions {
            assert!((credit - 2.0).abs() < 1e-12);
        }
    }

    proptest! {
        #[test]
        fn exact_equals_simplified(rows in prop::collection::vec((prop::collection::vec(0u32..6, 1..6), 0.0f64..10.0, 0.0f64..100.0), 1..30)) {
            let mut builder = PathSetBuilder::new();
            for channel in 0..6 {
                builder.channel(&format!("c{channel}"));
            }
            for (touches, conversions, value) in &rows {
                builder.add(touches, *conversions, *value, 0.0);
            }
            let paths = builder.build();
            let general = exact(&paths).unwrap();
            let simple = simplified(&paths);
            for i in 0..6 {
                prop_assert!((general.conversions[i] - simple.conversions[i]).abs() < 1e-9);
                prop_assert!((general.value[i] - simple.value[i]).abs() < 1e-9);
            }
            let total: f64 = general.conversions.iter().sum();
            prop_assert!((total - paths.total_conversions()).abs() < 1e-9);
        }
    }
}
