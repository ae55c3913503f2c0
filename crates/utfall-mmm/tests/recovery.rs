//! Recovery of known truth on PyMC-Marketing's example recipe (re-implemented in
//! `simulate::pymc_example`): the model PyMC-Marketing fits there — geometric adstock with
//! L = 8, logistic saturation, the two events and a linear trend as controls, yearly seasonality
//! of order 2, 4 chains × (1000 tuning + 1000 draws).

use utfall_mmm::report::report;
use utfall_mmm::simulate::pymc_example;
use utfall_mmm::{ModelSpec, Prepared, SamplerSettings, sample};

fn example_spec() -> ModelSpec {
    ModelSpec::pymc_example()
}

/// PyMC-Marketing's example data (our draw of its recipe, seed 0): the posterior means land near
/// the truth, the 94 % intervals cover it, and the sampler converged.
#[test]
fn the_pymc_marketing_example_is_recovered() {
    let sim = pymc_example(0, 1.0);
    let model = Prepared::new(sim.data.clone(), example_spec()).unwrap();
    let settings = SamplerSettings {
        draws: 2000,
        ..SamplerSettings::default()
    };
    let posterior = sample(&model, settings).unwrap();
    let r = report(&model, &posterior);
    assert_eq!(r.diagnostics.divergences, 0);
    assert!(
        r.diagnostics.max_r_hat <= 1.01,
        "R-hat {}",
        r.diagnostics.max_r_hat
    );
    assert!(
        r.diagnostics.min_ess_bulk > 400.0,
        "ESS {}",
        r.diagnostics.min_ess_bulk
    );
    for (truth, fitted) in sim.truth.channels.iter().zip(&r.channels) {
        let name = &truth.name;
        let contribution = fitted.contribution_total;
        let error = contribution.mean / truth.contribution_total - 1.0;
        assert!(
            error.abs() < 0.03,
            "{name}: contribution {contribution:?}, truth {}",
            truth.contribution_total
        );
        assert!(contribution.contains(truth.contribution_total), "{name}");
        assert!(
            fitted.roas.contains(truth.roas),
            "{name}: ROAS {:?} truth {}",
            fitted.roas,
            truth.roas
        );
        assert!((fitted.roas.mean / truth.roas - 1.0).abs() < 0.03, "{name}");
        let alpha = fitted.adstock["alpha"];
        assert!(
            alpha.contains(truth.alpha),
            "{name}: alpha {alpha:?} truth {}",
            truth.alpha
        );
        assert!(
            (alpha.mean - truth.alpha).abs() < 0.1,
            "{name}: alpha {alpha:?}"
        );
        let lam = fitted.saturation["lam"];
        assert!(
            lam.contains(truth.lam),
            "{name}: lam {lam:?} truth {}",
            truth.lam
        );
        let beta = fitted.beta;
        assert!(
            beta.contains(truth.beta),
            "{name}: beta {beta:?} truth {}",
            truth.beta
        );
    }
    // The decomposition adds up to the fitted series, row by row.
    for row in &r.decomposition {
        let sum = row.baseline
            + row.channels.iter().sum::<f64>()
            + row.controls.iter().sum::<f64>()
            + row.seasonality;
        assert!((sum - row.fitted).abs() < 1e-9 * row.fitted.abs().max(1.0));
    }
    // The noise is 0.25 around a series of mean ≈ 5: an in-sample R² well above 0.8.
    assert!(r.fit_train.r2 > 0.8, "{:?}", r.fit_train);
}

/// The same seed gives the same posterior, whatever the number of threads.
#[test]
fn a_fit_is_reproducible() {
    let sim = pymc_example(1, 1.0);
    let model = Prepared::new(sim.data, example_spec()).unwrap();
    let settings = SamplerSettings {
        chains: 2,
        draws: 100,
        tune: 100,
        seed: 11,
        ..SamplerSettings::default()
    };
    let draws_on_threads = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            assert_eq!(rayon::current_num_threads(), threads);
            sample(&model, settings)
        })
        .unwrap()
        .draws
    };
    let on_one_thread = draws_on_threads(1);
    for threads in [2, 3] {
        assert!(
            draws_on_threads(threads) == on_one_thread,
            "the draws on {threads} threads differ from those on one"
        );
    }
}
