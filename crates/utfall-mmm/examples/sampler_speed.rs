//! Sampler cost on generated data: gradient evaluations and seconds, diagonal against low-rank
//! mass-matrix adaptation. `cargo run --release -p utfall-mmm --example sampler_speed -- K`
use utfall_mmm::report::report;
use utfall_mmm::simulate::channels;
use utfall_mmm::{ModelSpec, Prepared, SamplerSettings, sample};

fn main() {
    let k: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(8);
    let sim = channels(2, k);
    let spec = ModelSpec::pymc_example();
    let model = Prepared::new(sim.data, spec).expect("valid");
    for low_rank in [false, true] {
        let p = sample(
            &model,
            SamplerSettings {
                low_rank,
                ..SamplerSettings::default()
            },
        )
        .expect("sampled");
        let r = report(&model, &p);
        println!(
            "low_rank={low_rank}: {:.1} s, {} gradients, {:.1} steps/draw, divergences {}, max R-hat {:.3}, min ESS {:.0}",
            p.seconds,
            p.gradient_evaluations,
            p.mean_tree_depth_steps,
            p.divergences,
            r.diagnostics.max_r_hat,
            r.diagnostics.min_ess_bulk
        );
    }
}
