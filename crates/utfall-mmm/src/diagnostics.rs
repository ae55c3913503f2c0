#![allow(clippy::excessive_precision)] // published constants, kept as printed

//! Convergence diagnostics as in Vehtari, Gelman, Simpson, Carpenter and Bürkner (2021),
//! "Rank-normalization, folding, and localization": rank-normalised split R̂ (the larger of bulk
//! and folded) and bulk effective sample size, the definitions ArviZ uses.

/// Quantile `q` of sorted values, linear between order statistics (NumPy's default).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Mean, 3 % and 97 % quantiles (the 94 % interval ArviZ reports by default).
pub fn summary(values: &[f64]) -> (f64, f64, f64) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    (mean, quantile(&sorted, 0.03), quantile(&sorted, 0.97))
}

/// The standard normal quantile function (Acklam's rational approximation, relative error below
/// 1.15e-9: ample for rank normalisation).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383577518672690e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let low = 0.02425;
    if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// Splits each chain in two halves.
fn split(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut out = Vec::new();
    for chain in chains {
        let half = chain.len() / 2;
        out.push(chain[..half].to_vec());
        out.push(chain[chain.len() - half..].to_vec());
    }
    out
}

/// Replaces values by normal scores of their ranks over all chains (average ranks for ties).
fn rank_normalize(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let all: Vec<(f64, usize, usize)> = chains
        .iter()
        .enumerate()
        .flat_map(|(c, v)| v.iter().enumerate().map(move |(i, &x)| (x, c, i)))
        .collect();
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by(|&a, &b| all[a].0.total_cmp(&all[b].0));
    let s = all.len() as f64;
    let mut out: Vec<Vec<f64>> = chains.iter().map(|v| vec![0.0; v.len()]).collect();
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && all[order[j + 1]].0 == all[order[i]].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let z = normal_quantile((rank - 0.375) / (s + 0.25));
        for &k in &order[i..=j] {
            out[all[k].1][all[k].2] = z;
        }
        i = j + 1;
    }
    out
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn variance(v: &[f64]) -> f64 {
    let m = mean(v);
    v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)
}

fn classic_rhat(chains: &[Vec<f64>]) -> f64 {
    let n = chains[0].len() as f64;
    let means: Vec<f64> = chains.iter().map(|c| mean(c)).collect();
    let b = n * variance(&means);
    let w = mean(&chains.iter().map(|c| variance(c)).collect::<Vec<_>>());
    if w == 0.0 {
        return f64::NAN;
    }
    (((n - 1.0) / n * w + b / n) / w).sqrt()
}

/// Rank-normalised split R̂: the larger of the bulk and the folded (tail) value.
pub fn rhat(chains: &[Vec<f64>]) -> f64 {
    if chains.is_empty() || chains[0].len() < 4 {
        return f64::NAN;
    }
    let splits = split(chains);
    let bulk = classic_rhat(&rank_normalize(&splits));
    let mut all: Vec<f64> = splits.iter().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    let median = quantile(&all, 0.5);
    let folded: Vec<Vec<f64>> = splits
        .iter()
        .map(|c| c.iter().map(|x| (x - median).abs()).collect())
        .collect();
    let tail = classic_rhat(&rank_normalize(&folded));
    bulk.max(tail)
}

/// Effective sample size of several chains (Geyer's initial monotone sequence over the combined
/// autocorrelation, as in Stan).
fn ess_raw(chains: &[Vec<f64>]) -> f64 {
    let m = chains.len() as f64;
    let n = chains[0].len();
    let acov: Vec<Vec<f64>> = chains
        .iter()
        .map(|c| {
            let mu = mean(c);
            (0..n)
                .map(|lag| {
                    (0..n - lag)
                        .map(|i| (c[i] - mu) * (c[i + lag] - mu))
                        .sum::<f64>()
                        / n as f64
                })
                .collect()
        })
        .collect();
    let chain_mean: Vec<f64> = chains.iter().map(|c| mean(c)).collect();
    let mean_var =
        mean(&acov.iter().map(|a| a[0]).collect::<Vec<_>>()) * n as f64 / (n as f64 - 1.0);
    let mut var_plus = mean_var * (n as f64 - 1.0) / n as f64;
    if chains.len() > 1 {
        var_plus += variance(&chain_mean);
    }
    if var_plus == 0.0 {
        return f64::NAN;
    }
    let rho = |lag: usize| {
        1.0 - (mean_var - mean(&acov.iter().map(|a| a[lag]).collect::<Vec<_>>())) / var_plus
    };
    let mut rho_hat = vec![0.0; n];
    rho_hat[0] = 1.0;
    if n > 1 {
        rho_hat[1] = rho(1);
    }
    let mut t = 1;
    while t + 2 < n {
        rho_hat[t + 1] = rho(t + 1);
        rho_hat[t + 2] = rho(t + 2);
        if rho_hat[t + 1] + rho_hat[t + 2] < 0.0 {
            break;
        }
        t += 2;
    }
    let max_t = t;
    // Initial monotone sequence.
    let mut k = 1;
    while k + 2 <= max_t {
        if rho_hat[k + 1] + rho_hat[k + 2] > rho_hat[k - 1] + rho_hat[k] {
            rho_hat[k + 1] = (rho_hat[k - 1] + rho_hat[k]) / 2.0;
            rho_hat[k + 2] = rho_hat[k + 1];
        }
        k += 2;
    }
    let tau = -1.0
        + 2.0 * rho_hat[..=max_t].iter().sum::<f64>()
        + rho_hat.get(max_t + 1).copied().unwrap_or(0.0).max(0.0);
    let total = m * n as f64;
    (total / tau.max(1.0 / total.log10())).min(total * total.log10())
}

/// Bulk effective sample size (rank-normalised split chains).
pub fn ess_bulk(chains: &[Vec<f64>]) -> f64 {
    if chains.is_empty() || chains[0].len() < 4 {
        return f64::NAN;
    }
    ess_raw(&rank_normalize(&split(chains)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles_match_published_values() {
        // Abramowitz & Stegun table 26.5 / any statistics table
        for (p, z) in [
            (0.5, 0.0),
            (0.975, 1.959963984540054),
            (0.95, 1.644853626951472),
            (0.001, -3.090232306167813),
            (0.03, -1.880793608151250),
        ] {
            assert!(
                (normal_quantile(p) - z).abs() < 1e-8,
                "p {p}: {}",
                normal_quantile(p)
            );
        }
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        // numpy.quantile([1, 2, 3, 4], 0.03) = 1.09
        assert!((quantile(&[1.0, 2.0, 3.0, 4.0], 0.03) - 1.09).abs() < 1e-12);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
    }

    /// Independent draws from one distribution: R̂ ≈ 1 and ESS ≈ the number of draws; chains
    /// stuck in different places: R̂ far above 1.
    #[test]
    fn rhat_and_ess_tell_mixed_from_stuck_chains() {
        let mut state = 12345u64;
        let mut uniform = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let mixed: Vec<Vec<f64>> = (0..4)
            .map(|_| (0..1000).map(|_| uniform()).collect())
            .collect();
        let r = rhat(&mixed);
        assert!(r < 1.01, "R-hat {r}");
        let ess = ess_bulk(&mixed);
        assert!(ess > 3000.0 && ess < 5000.0, "ESS {ess}");
        let stuck: Vec<Vec<f64>> = (0..4)
            .map(|c| (0..1000).map(|_| uniform() + c as f64).collect())
            .collect();
        assert!(rhat(&stuck) > 1.5);
        // An AR(1) chain with φ = 0.9 has ESS ≈ n (1 − φ)/(1 + φ) ≈ n/19.
        let ar: Vec<Vec<f64>> = (0..4)
            .map(|_| {
                let mut x = 0.0;
                (0..4000)
                    .map(|_| {
                        x = 0.9 * x + normal_quantile(uniform());
                        x
                    })
                    .collect()
            })
            .collect();
        let ess = ess_bulk(&ar);
        assert!(
            ess > 16000.0 / 19.0 * 0.6 && ess < 16000.0 / 19.0 * 1.5,
            "ESS {ess}"
        );
    }
}
