//! The Bayesian fit: several NUTS chains (nuts-rs, the sampler inside nutpie) on the log posterior
//! of [`Prepared::logp`], one chain per thread.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use nuts_rs::rand::rngs::Xoshiro256PlusPlus;
use nuts_rs::rand::{RngExt, SeedableRng};
use nuts_rs::{
    Chain, CpuLogpFunc, CpuMath, CpuMathError, DiagNutsSettings, HasDims, LogpError,
    LowRankNutsSettings, Settings,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::MmmError;
use crate::model::Prepared;

/// How the NUTS sampler runs: chains, tuning steps and draws per chain, seed, target acceptance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SamplerSettings {
    /// Independent chains, run in parallel.
    pub chains: usize,
    /// Draws kept per chain after tuning.
    pub draws: usize,
    /// Tuning (warm-up) steps per chain, not kept.
    pub tune: usize,
    /// Seed of every random choice; each chain derives its own stream from it and its number.
    pub seed: u64,
    /// Acceptance rate the step size is adapted to (PyMC's `target_accept`).
    pub target_accept: f64,
    /// Adapt a low-rank mass matrix (nutpie's `low_rank_modified_mass_matrix`) instead of a
    /// diagonal one: fewer leapfrog steps when parameters are correlated, as β and λ are.
    #[serde(default)]
    pub low_rank: bool,
}

impl Default for SamplerSettings {
    /// PyMC-Marketing's example: 4 chains, 1000 tuning steps and 1000 draws each.
    fn default() -> Self {
        SamplerSettings {
            chains: 4,
            draws: 1000,
            tune: 1000,
            seed: 0,
            target_accept: 0.8,
            low_rank: false,
        }
    }
}

/// Draws of the constrained parameters, `[chain][draw][parameter]`, and the sampler's statistics.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Posterior {
    /// The constrained parameters, `[chain][draw][parameter]`.
    pub draws: Vec<Vec<Vec<f64>>>,
    /// Divergent transitions among the kept draws of all chains.
    pub divergences: usize,
    /// Evaluations of the log posterior's gradient, tuning included, over all chains.
    pub gradient_evaluations: u64,
    /// Leapfrog steps per kept draw, on average.
    pub mean_tree_depth_steps: f64,
    /// Each chain's step size at its last draw.
    pub step_size: Vec<f64>,
    /// Wall-clock time of the sampling.
    pub seconds: f64,
    /// The settings the posterior was sampled with.
    pub settings: SamplerSettings,
}

impl Posterior {
    /// One parameter's draws per chain.
    pub fn chains_of(&self, parameter: usize) -> Vec<Vec<f64>> {
        self.draws
            .iter()
            .map(|chain| chain.iter().map(|d| d[parameter]).collect())
            .collect()
    }

    /// Every draw, chains one after the other.
    pub fn all(&self) -> impl Iterator<Item = &Vec<f64>> {
        self.draws.iter().flatten()
    }
}

#[derive(Debug, Clone)]
struct Density {
    model: Arc<Prepared>,
}

#[derive(Debug, thiserror::Error)]
#[error("the log density is not finite here")]
struct NotFinite;

impl LogpError for NotFinite {
    fn is_recoverable(&self) -> bool {
        true
    }
}

impl HasDims for Density {
    fn dim_sizes(&self) -> HashMap<String, u64> {
        HashMap::from([(
            "unconstrained_parameter".to_string(),
            self.model.dim() as u64,
        )])
    }
}

impl CpuLogpFunc for Density {
    type LogpError = NotFinite;
    type FlowParameters = ();
    type ExpandedVector = Vec<f64>;

    fn dim(&self) -> usize {
        self.model.dim()
    }

    fn logp(&mut self, position: &[f64], gradient: &mut [f64]) -> Result<f64, NotFinite> {
        let logp = self.model.logp(position, gradient);
        if logp.is_finite() && gradient.iter().all(|g| g.is_finite()) {
            Ok(logp)
        } else {
            Err(NotFinite)
        }
    }

    fn expand_vector<R>(&mut self, _rng: &mut R, array: &[f64]) -> Result<Vec<f64>, CpuMathError>
    where
        R: nuts_rs::rand::Rng + ?Sized,
    {
        Ok(array.to_vec())
    }
}

struct ChainResult {
    draws: Vec<Vec<f64>>,
    divergences: usize,
    gradients: u64,
    steps: u64,
    step_size: f64,
}

/// Samples the posterior. Chains run in parallel and each is seeded from `seed` and its number, so
/// a run is reproducible whatever the number of threads.
pub fn sample(model: &Prepared, settings: SamplerSettings) -> Result<Posterior, MmmError> {
    if settings.chains == 0 || settings.draws < 4 {
        return Err(MmmError::Settings(
            "need at least one chain and four draws".into(),
        ));
    }
    let started = Instant::now();
    let shared = Arc::new(model.clone());
    let results: Vec<Result<ChainResult, MmmError>> = (0..settings.chains)
        .into_par_iter()
        .map(|chain| run_chain(&shared, settings, chain))
        .collect();
    let mut draws = Vec::new();
    let mut divergences = 0;
    let mut gradient_evaluations = 0;
    let mut steps = 0;
    let mut step_size = Vec::new();
    for result in results {
        let r = result?;
        draws.push(r.draws);
        divergences += r.divergences;
        gradient_evaluations += r.gradients;
        steps += r.steps;
        step_size.push(r.step_size);
    }
    Ok(Posterior {
        draws,
        divergences,
        gradient_evaluations,
        mean_tree_depth_steps: steps as f64 / (settings.chains * settings.draws) as f64,
        step_size,
        seconds: started.elapsed().as_secs_f64(),
        settings,
    })
}

fn run_chain(
    model: &Arc<Prepared>,
    settings: SamplerSettings,
    chain: usize,
) -> Result<ChainResult, MmmError> {
    if settings.low_rank {
        let mut nuts = LowRankNutsSettings {
            num_tune: settings.tune as u64,
            num_draws: settings.draws as u64,
            seed: settings.seed,
            num_chains: settings.chains,
            ..LowRankNutsSettings::default()
        };
        nuts.adapt_options.step_size_settings.target_accept = settings.target_accept;
        run_chain_with(nuts, model, settings, chain)
    } else {
        let mut nuts = DiagNutsSettings {
            num_tune: settings.tune as u64,
            num_draws: settings.draws as u64,
            seed: settings.seed,
            num_chains: settings.chains,
            ..DiagNutsSettings::default()
        };
        nuts.adapt_options.step_size_settings.target_accept = settings.target_accept;
        run_chain_with(nuts, model, settings, chain)
    }
}

fn run_chain_with<S: Settings>(
    nuts: S,
    model: &Arc<Prepared>,
    settings: SamplerSettings,
    chain: usize,
) -> Result<ChainResult, MmmError> {
    let seed = settings
        .seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(chain as u64 + 1);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let density = Density {
        model: Arc::clone(model),
    };
    let math = CpuMath::new(density);
    let mut sampler = nuts
        .new_chain(chain as u64, math, &mut rng)
        .map_err(|e| MmmError::Sampler(e.to_string()))?;
    // Start near the priors' centres, jittered by ±1 on the unconstrained scale (as PyMC's
    // `jitter+adapt_diag`), retrying where the density is not finite.
    let center = model.unconstrain(&model.center());
    let mut gradient = vec![0.0; model.dim()];
    let mut start = center.clone();
    for attempt in 0..50 {
        start = center
            .iter()
            .map(|u| {
                u + if attempt < 49 {
                    rng.random::<f64>() * 2.0 - 1.0
                } else {
                    0.0
                }
            })
            .collect();
        if model.logp(&start, &mut gradient).is_finite() {
            break;
        }
    }
    sampler
        .set_position(&start)
        .map_err(|e| MmmError::Sampler(e.to_string()))?;
    let mut draws = Vec::with_capacity(settings.draws);
    let mut divergences = 0;
    let mut gradients = 0;
    let mut steps = 0;
    let mut step_size = 0.0;
    for _ in 0..settings.tune + settings.draws {
        let (position, progress) = sampler
            .draw()
            .map_err(|e| MmmError::Sampler(e.to_string()))?;
        gradients += progress.num_gradients;
        if !progress.tuning {
            draws.push(model.constrain(&position));
            if progress.diverging {
                divergences += 1;
            }
            steps += progress.num_steps;
            step_size = progress.step_size;
        }
    }
    Ok(ChainResult {
        draws,
        divergences,
        gradients,
        steps,
        step_size,
    })
}
