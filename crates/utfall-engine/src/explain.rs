//! Explaining a change: a parent KPI's change split into its children's contributions through
//! the KPI tree — exactly for `sum`; for `product` and `ratio` by LMDI (the logarithmic mean
//! Divisia index, additive form) when every value is positive, else by Shapley values over
//! the factors. Both are order-independent and add up to the parent's change exactly; what the
//! parent's own formula does not explain is reported as a residual.

/// How a parent is made of its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The children add up to the parent.
    Sum,
    /// The children multiply to the parent.
    Product,
    /// Two children: numerator and denominator.
    Ratio,
}

/// The method that split a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Each child's own change (for `sum`).
    Difference,
    /// The logarithmic mean Divisia index (positive values of a `product` or `ratio`).
    Lmdi,
    /// Exact Shapley values over the factors (any other `product` or `ratio`).
    Shapley,
}

impl Method {
    /// The method's name for people (`difference`, `LMDI`, `Shapley`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Difference => "difference",
            Method::Lmdi => "LMDI",
            Method::Shapley => "Shapley",
        }
    }
}

/// The logarithmic mean of two positive numbers.
fn log_mean(a: f64, b: f64) -> f64 {
    if (a - b).abs() <= 1e-12 * a.abs().max(b.abs()) {
        a
    } else {
        (a - b) / (a.ln() - b.ln())
    }
}

/// The value of a relation over factor values.
fn combine(relation: Relation, values: &[f64]) -> f64 {
    match relation {
        Relation::Sum => values.iter().sum(),
        Relation::Product => values.iter().product(),
        Relation::Ratio => values[0] / values[1],
    }
}

/// Splits the change of `relation(children)` from `before` to `after` into one contribution per
/// child; the contributions add up to `relation(after) − relation(before)`.
pub fn contributions(relation: Relation, before: &[f64], after: &[f64]) -> (Vec<f64>, Method) {
    let n = before.len();
    match relation {
        Relation::Sum => (
            before.iter().zip(after).map(|(b, a)| a - b).collect(),
            Method::Difference,
        ),
        Relation::Product | Relation::Ratio => {
            let positive = before
                .iter()
                .chain(after)
                .all(|v| *v > 0.0 && v.is_finite());
            if positive {
                let total_before = combine(relation, before);
                let total_after = combine(relation, after);
                let weight = log_mean(total_after, total_before);
                let contributions = (0..n)
                    .map(|i| {
                        let sign = if relation == Relation::Ratio && i == 1 {
                            -1.0
                        } else {
                            1.0
                        };
                        sign * weight * (after[i] / before[i]).ln()
                    })
                    .collect();
                return (contributions, Method::Lmdi);
            }
            (shapley(relation, before, after), Method::Shapley)
        }
    }
}

/// Exact Shapley values: each factor's average marginal effect of switching from its before to
/// its after value, over all orders.
fn shapley(relation: Relation, before: &[f64], after: &[f64]) -> Vec<f64> {
    let n = before.len();
    let mut result = vec![0.0; n];
    if n == 0 || n > 16 {
        return result;
    }
    let mut factorial = vec![1.0; n + 1];
    for k in 1..=n {
        factorial[k] = factorial[k - 1] * k as f64;
    }
    let value_of = |mask: usize| -> f64 {
        let values: Vec<f64> = (0..n)
            .map(|j| {
                if mask & (1 << j) != 0 {
                    after[j]
                } else {
                    before[j]
                }
            })
            .collect();
        combine(relation, &values)
    };
    for mask in 0..(1usize << n) {
        let size = mask.count_ones() as usize;
        for (i, contribution) in result.iter_mut().enumerate() {
            if mask & (1 << i) == 0 {
                let weight = factorial[size] * factorial[n - size - 1] / factorial[n];
                *contribution += weight * (value_of(mask | (1 << i)) - value_of(mask));
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn by_hand() {
        // Sum: the differences.
        assert_eq!(
            contributions(Relation::Sum, &[1.0, 2.0], &[4.0, 1.0]).0,
            [3.0, -1.0]
        );
        // Product 2 × 5 = 10 → 4 × 5 = 20: all of it from the first factor.
        let (c, method) = contributions(Relation::Product, &[2.0, 5.0], &[4.0, 5.0]);
        assert_eq!(method, Method::Lmdi);
        assert!((c[0] - 10.0).abs() < 1e-12 && c[1].abs() < 1e-12);
        // With a zero, Shapley: 0 × 3 → 2 × 6 = 12; φ₁ = ½(2·3 − 0) + ½(2·6 − 0·6) = 9, φ₂ = 3.
        let (c, method) = contributions(Relation::Product, &[0.0, 3.0], &[2.0, 6.0]);
        assert_eq!(method, Method::Shapley);
        assert!(
            (c[0] - 9.0).abs() < 1e-12 && (c[1] - 3.0).abs() < 1e-12,
            "{c:?}"
        );
    }

    proptest! {
        /// Contributions add up to the parent's change within 1e-9 relative, for products and
        /// ratios, positive or not.
        #[test]
        fn contributions_add_up(
            before in prop::collection::vec(-50.0f64..1000.0, 2..6),
            after in prop::collection::vec(-50.0f64..1000.0, 2..6),
            ratio in any::<bool>(),
        ) {
            let n = before.len().min(after.len());
            let (relation, n) = if ratio { (Relation::Ratio, 2) } else { (Relation::Product, n) };
            let (before, after) = (&before[..n], &after[..n]);
            prop_assume!(relation != Relation::Ratio || (before[1].abs() > 1e-3 && after[1].abs() > 1e-3));
            let change = combine(relation, after) - combine(relation, before);
            let (parts, _) = contributions(relation, before, after);
            let total: f64 = parts.iter().sum();
            let scale = combine(relation, after).abs().max(combine(relation, before).abs()).max(1.0);
            prop_assert!((total - change).abs() <= 1e-9 * scale, "{total} vs {change}");
        }
    }
}
