//! Markov-chain attribution with exact removal effects.
//!
//! States are sliding windows of `order` consecutive channels (a path shorter than the order is
//! one state); consecutive identical states are merged, as `channelattribution` does. Each path
//! walks `(start) → states… → (conversion)` for its conversions and `→ (null)` for its
//! non-converting journeys. The expected number of visits `n` to each state solves
//! `(I − Q)ᵀ n = e_start`; the conversion probability is `Σ nᵢ · P(i → conversion)`.
//!
//! Removing a channel sends every state that contains it to `(null)`. The drop in conversion
//! probability is the channel's removal effect; it equals the probability of converting *and*
//! visiting the channel, which is what `channelattribution` estimates by simulation. Credits are
//! removal effects normalised to the total conversions (and, with each state's mean conversion
//! value, to the total value). Everything is deterministic: no simulation, no seed.

use rustc_hash::FxHashMap as HashMap;

use rayon::prelude::*;

use crate::AttributionError;
use crate::paths::PathSet;

/// The result of a Markov model.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkovResult {
    /// Attributed conversions per channel (sums to the total conversions).
    pub conversions: Vec<f64>,
    /// Attributed conversion value per channel (sums to the total value).
    pub value: Vec<f64>,
    /// Removal effect per channel: the share of the conversion probability lost without it.
    pub removal_effects: Vec<f64>,
    /// Probability that a journey from `(start)` converts.
    pub conversion_probability: f64,
    /// Transient states of the chain: `(start)` and the channel sequences of the model's order.
    pub n_states: usize,
    /// Transitions between transient states that the paths take.
    pub n_transitions: usize,
}

/// A sparse absorbing chain: transient states `0` (start) and `1..`, with per-state exits.
#[derive(Debug)]
struct Chain {
    /// For each state j, the states i with a transition into j and P(i → j).
    incoming: Vec<Vec<(u32, f64)>>,
    /// P(i → conversion).
    to_conversion: Vec<f64>,
    /// Mean conversion value of the conversions leaving from i.
    value_per_conversion: Vec<f64>,
    /// Channels in each state's window.
    channels_in_state: Vec<Vec<u32>>,
}

fn window_key(window: &[u32]) -> u64 {
    window
        .iter()
        .fold(0u64, |key, &channel| (key << 16) | u64::from(channel + 1))
}

impl Chain {
    fn build(paths: &PathSet, order: usize) -> Chain {
        let mut state_ids: HashMap<u64, u32> = HashMap::default();
        let mut channels_in_state: Vec<Vec<u32>> = vec![Vec::new()]; // start
        let mut weights: HashMap<(u32, u32), f64> = HashMap::default();
        let mut out_total: Vec<f64> = vec![0.0];
        let mut conversions_out: Vec<f64> = vec![0.0];
        let mut value_out: Vec<f64> = vec![0.0];
        let mut states: Vec<u32> = Vec::new();
        for path in &paths.paths {
            let through = path.conversions + path.nulls;
            if through <= 0.0 || path.touches.is_empty() {
                continue;
            }
            states.clear();
            let n_windows = path.touches.len().saturating_sub(order) + 1;
            for start in 0..n_windows {
                let window = &path.touches[start..(start + order).min(path.touches.len())];
                let next = state_ids.len() as u32 + 1;
                let id = *state_ids.entry(window_key(window)).or_insert_with(|| {
                    let mut channels = window.to_vec();
                    channels.sort_unstable();
                    channels.dedup();
                    channels_in_state.push(channels);
                    out_total.push(0.0);
                    conversions_out.push(0.0);
                    value_out.push(0.0);
                    next
                });
                if states.last() != Some(&id) {
                    states.push(id);
                }
            }
            let mut previous = 0u32;
            for &state in &states {
                *weights.entry((previous, state)).or_insert(0.0) += through;
                out_total[previous as usize] += through;
                previous = state;
            }
            out_total[previous as usize] += through;
            conversions_out[previous as usize] += path.conversions;
            value_out[previous as usize] += path.value;
        }
        let n_states = channels_in_state.len();
        let mut incoming: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n_states];
        let mut transitions: Vec<((u32, u32), f64)> = weights.into_iter().collect();
        transitions.sort_unstable_by_key(|(key, _)| *key); // deterministic order of summation
        for ((from, to), weight) in transitions {
            incoming[to as usize].push((from, weight / out_total[from as usize]));
        }
        let to_conversion = (0..n_states)
            .map(|i| {
                if out_total[i] > 0.0 {
                    conversions_out[i] / out_total[i]
                } else {
                    0.0
                }
            })
            .collect();
        let value_per_conversion = (0..n_states)
            .map(|i| {
                if conversions_out[i] > 0.0 {
                    value_out[i] / conversions_out[i]
                } else {
                    0.0
                }
            })
            .collect();
        Chain {
            incoming,
            to_conversion,
            value_per_conversion,
            channels_in_state,
        }
    }

    fn n_transitions(&self) -> usize {
        self.incoming.iter().map(Vec::len).sum()
    }

    /// Expected visits to each state from the start, with `removed` states absorbing into null.
    fn expected_visits(&self, removed: &[bool]) -> Vec<f64> {
        let n_states = self.incoming.len();
        let mut visits = vec![0.0; n_states];
        // Gauss–Seidel on n = e_start + Qᵀ n; (I − Qᵀ) is a non-singular M-matrix, so it converges.
        for _sweep in 0..100_000 {
            let mut max_change: f64 = 0.0;
            let mut max_value: f64 = 1.0;
            for j in 0..n_states {
                let mut sum = if j == 0 { 1.0 } else { 0.0 };
                for &(i, p) in &self.incoming[j] {
                    if !removed[i as usize] {
                        sum += visits[i as usize] * p;
                    }
                }
                max_change = max_change.max((sum - visits[j]).abs());
                max_value = max_value.max(sum);
                visits[j] = sum;
            }
            if max_change <= 1e-15 * max_value {
                break;
            }
        }
        visits
    }

    /// (conversion probability, expected value) from `visits`, ignoring removed states.
    fn outcome(&self, visits: &[f64], removed: &[bool]) -> (f64, f64) {
        let mut probability = 0.0;
        let mut value = 0.0;
        for i in 0..visits.len() {
            if !removed[i] {
                let conversions = visits[i] * self.to_conversion[i];
                probability += conversions;
                value += conversions * self.value_per_conversion[i];
            }
        }
        (probability, value)
    }
}

/// Attributes conversions and value with a Markov chain of the given order (1–4).
pub fn markov(paths: &PathSet, order: usize) -> Result<MarkovResult, AttributionError> {
    if !(1..=4).contains(&order) {
        return Err(AttributionError::UnsupportedOrder(order));
    }
    if paths.n_channels() >= usize::from(u16::MAX) {
        return Err(AttributionError::TooManyChannels(paths.n_channels()));
    }
    let chain = Chain::build(paths, order);
    let n_states = chain.incoming.len();
    let none_removed = vec![false; n_states];
    let visits = chain.expected_visits(&none_removed);
    let (probability, expected_value) = chain.outcome(&visits, &none_removed);

    let drops: Vec<(f64, f64)> = (0..paths.n_channels() as u32)
        .into_par_iter()
        .map(|channel| {
            let removed: Vec<bool> = chain
                .channels_in_state
                .iter()
                .map(|cs| cs.binary_search(&channel).is_ok())
                .collect();
            if !removed.iter().any(|r| *r) {
                return (0.0, 0.0);
            }
            let visits = chain.expected_visits(&removed);
            let (p, v) = chain.outcome(&visits, &removed);
            ((probability - p).max(0.0), (expected_value - v).max(0.0))
        })
        .collect();

    let total_conversions = paths.total_conversions();
    let total_value = paths.total_value();
    let sum_conversion_drops: f64 = drops.iter().map(|d| d.0).sum();
    let sum_value_drops: f64 = drops.iter().map(|d| d.1).sum();
    let share = |part: f64, sum: f64, total: f64| if sum > 0.0 { part / sum * total } else { 0.0 };
    Ok(MarkovResult {
        conversions: drops
            .iter()
            .map(|d| share(d.0, sum_conversion_drops, total_conversions))
            .collect(),
        value: drops
            .iter()
            .map(|d| share(d.1, sum_value_drops, total_value))
            .collect(),
        removal_effects: drops
            .iter()
            .map(|d| {
                if probability > 0.0 {
                    d.0 / probability
                } else {
                    0.0
                }
            })
            .collect(),
        conversion_probability: probability,
        n_states: n_states - 1,
        n_transitions: chain.n_transitions(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::PathSetBuilder;

    fn set(rows: &[(&str, f64, f64, f64)]) -> PathSet {
        let mut builder = PathSetBuilder::new();
        for (path, conversions, value, nulls) in rows {
            builder.add_text(path, ">", *conversions, *value, *nulls);
        }
        builder.build()
    }

    #[test]
    fn hand_computed_order_one() {
        // c1 > c2 converts once; c1 does not convert once.
        // P(start→c1) = 1; P(c1→c2) = 1/2, P(c1→null) = 1/2; P(c2→conv) = 1.
        // P(conv) = 1/2. Without c1: 0. Without c2: 0. Removal effects 1/2 and 1/2 → 0.5 each.
        let result = markov(
            &set(&[("c1 > c2", 1.0, 10.0, 0.0), ("c1", 0.0, 0.0, 1.0)]),
            1,
        )
        .unwrap();
        assert!((result.conversion_probability - 0.5).abs() < 1e-15);
        assert!((result.conversions[0] - 0.5).abs() < 1e-12);
        assert!((result.conversions[1] - 0.5).abs() < 1e-12);
        assert!((result.value[0] - 5.0).abs() < 1e-12);
        assert_eq!(result.removal_effects, [1.0, 1.0]);
    }

    #[test]
    fn hand_computed_with_unequal_effects() {
        // a converts 1 of 2 times alone; a > b converts both times.
        // start→a: 1. a→conv 1/4, a→null 1/4, a→b 2/4. b→conv 1.
        // P = 1/4 + 1/2 = 3/4. Without a: 0 (drop 3/4). Without b: 1/4 (drop 1/2).
        // Conversions 3: a = 3 · (3/4)/(5/4) = 1.8, b = 1.2.
        let result = markov(&set(&[("a", 1.0, 1.0, 1.0), ("a > b", 2.0, 4.0, 0.0)]), 1).unwrap();
        assert!((result.conversions[0] - 1.8).abs() < 1e-12, "{result:?}");
        assert!((result.conversions[1] - 1.2).abs() < 1e-12);
        // Value: a's conversions are worth 1 each, b's 2 each. E = 1/4·1 + 1/2·2 = 5/4.
        // Without a: 0 (drop 5/4); without b: 1/4 (drop 1). Value 5: a = 5·(5/4)/(9/4), b = 5·1/(9/4).
        assert!((result.value[0] - 25.0 / 9.0).abs() < 1e-12);
        assert!((result.value[1] - 20.0 / 9.0).abs() < 1e-12);
    }

    #[test]
    fn repeats_collapse_and_higher_orders_use_windows() {
        // With order 1, "a > a > b" is the same chain as "a > b".
        let collapsed = markov(
            &set(&[("a > a > b", 1.0, 1.0, 1.0), ("b", 0.0, 0.0, 1.0)]),
            1,
        )
        .unwrap();
        let plain = markov(&set(&[("a > b", 1.0, 1.0, 1.0), ("b", 0.0, 0.0, 1.0)]), 1).unwrap();
        assert_eq!(collapsed.conversions, plain.conversions);
        // Order 2: states (a,a), (a,b) and (b).
        let second = markov(
            &set(&[("a > a > b", 1.0, 1.0, 1.0), ("b", 0.0, 0.0, 1.0)]),
            2,
        )
        .unwrap();
        assert_eq!(second.n_states, 3);
        assert!(matches!(
            markov(&PathSet::default(), 5),
            Err(AttributionError::UnsupportedOrder(5))
        ));
    }
}
