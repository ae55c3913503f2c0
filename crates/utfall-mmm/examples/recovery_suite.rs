//! The multi-seed recovery suite behind `docs/mmm.md`: fits generated datasets with known truth
//! and reports the median error and the interval coverage.
//!
//! `cargo run --release -p utfall-mmm --example recovery_suite -- [DATASETS]`

use utfall_mmm::report::report;
use utfall_mmm::simulate::{Simulated, channels, pymc_example};
use utfall_mmm::{ModelSpec, Prepared, SamplerSettings, sample};

fn spec() -> ModelSpec {
    ModelSpec::pymc_example()
}

struct Row {
    label: String,
    channels: usize,
    errors: Vec<f64>,
    roas_errors: Vec<f64>,
    covered: usize,
    covered_alpha: usize,
    total: usize,
    max_r_hat: f64,
    divergences: usize,
    seconds: f64,
}

fn run(label: String, sim: &Simulated) -> Row {
    let model = Prepared::new(sim.data.clone(), spec()).expect("valid data");
    let posterior = sample(&model, SamplerSettings::default()).expect("sampling");
    let r = report(&model, &posterior);
    let mut row = Row {
        label,
        channels: sim.truth.channels.len(),
        errors: Vec::new(),
        roas_errors: Vec::new(),
        covered: 0,
        covered_alpha: 0,
        total: 0,
        max_r_hat: r.diagnostics.max_r_hat,
        divergences: r.diagnostics.divergences,
        seconds: posterior.seconds,
    };
    for (truth, fitted) in sim.truth.channels.iter().zip(&r.channels) {
        row.errors
            .push((fitted.contribution_total.mean / truth.contribution_total - 1.0).abs());
        row.roas_errors
            .push((fitted.roas.mean / truth.roas - 1.0).abs());
        row.covered += fitted.contribution_total.contains(truth.contribution_total) as usize;
        row.covered_alpha += fitted.adstock["alpha"].contains(truth.alpha) as usize;
        row.total += 1;
    }
    row
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() {
    let datasets: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(24);
    let mut rows = Vec::new();
    for seed in 0..datasets {
        let (label, sim) = if seed % 4 == 0 {
            (
                format!("pymc example, seed {seed}"),
                pymc_example(seed, 1.0),
            )
        } else {
            let k = 2 + (seed as usize * 3) % 7;
            (format!("{k} channels, seed {seed}"), channels(seed, k))
        };
        let row = run(label, &sim);
        eprintln!(
            "{:<28} median |error| {:5.1} %  covered {}/{}  R-hat {:.3}  divergences {}  {:.1} s",
            row.label,
            100.0 * median(&mut row.errors.clone()),
            row.covered,
            row.total,
            row.max_r_hat,
            row.divergences,
            row.seconds
        );
        rows.push(row);
    }
    println!(
        "| dataset | channels | median contribution error | median ROAS error | 94 % interval covers truth (contribution) | covers α | max R̂ | divergences | sampling s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {:.1} % | {:.1} % | {}/{} | {}/{} | {:.3} | {} | {:.1} |",
            r.label,
            r.channels,
            100.0 * median(&mut r.errors.clone()),
            100.0 * median(&mut r.roas_errors.clone()),
            r.covered,
            r.total,
            r.covered_alpha,
            r.total,
            r.max_r_hat,
            r.divergences,
            r.seconds
        );
    }
    let mut all: Vec<f64> = rows.iter().flat_map(|r| r.errors.clone()).collect();
    let covered: usize = rows.iter().map(|r| r.covered).sum();
    let covered_alpha: usize = rows.iter().map(|r| r.covered_alpha).sum();
    let total: usize = rows.iter().map(|r| r.total).sum();
    println!();
    println!(
        "**All {} datasets, {} channels:** median contribution error {:.1} %, coverage of the 94 % interval {:.0} % (contributions), {:.0} % (adstock α); datasets with R̂ > 1.01: {}; with divergences: {}.",
        rows.len(),
        total,
        100.0 * median(&mut all),
        100.0 * covered as f64 / total as f64,
        100.0 * covered_alpha as f64 / total as f64,
        rows.iter().filter(|r| r.max_r_hat > 1.01).count(),
        rows.iter().filter(|r| r.divergences > 0).count()
    );
}
