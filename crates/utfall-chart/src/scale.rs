//! Axes: nice tick values, the linear map from values to coordinates, and tick and value
//! labels in the reader's locale.

use utfall_model::locale::Locale;

/// What the numbers on an axis are, which decides how their labels read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AxisUnit<'a> {
    /// A count: `1 234` in Swedish, `1,234` in English.
    Count,
    /// An amount of money in `currency` (ISO code): ticks in the short form, `1,2 mn kr` /
    /// `SEK 1.2m` for millions and `450 tkr` / `SEK 450k` for thousands.
    Money {
        /// The ISO 4217 code, e.g. `SEK`.
        currency: &'a str,
    },
    /// A share (0.125) shown as a percentage: `12,5 %` / `12.5%`.
    Share,
    /// A plain number with a fixed number of decimals.
    Plain {
        /// Decimals shown.
        decimals: usize,
    },
}

/// Tick values covering `min..=max` with about `intervals` steps of 1, 2, 2.5 or 5 × 10ᵏ.
/// The axis starts at zero when all data is non-negative (and ends at zero when all of it is
/// non-positive); zero data gives `0..1`. Non-finite bounds give `[0, 1]`.
pub fn nice_ticks(min: f64, max: f64, intervals: usize) -> Vec<f64> {
    if !min.is_finite() || !max.is_finite() {
        return vec![0.0, 1.0];
    }
    let (mut low, mut high) = (min.min(max), min.max(max));
    if low >= 0.0 {
        low = 0.0;
    } else if high <= 0.0 {
        high = 0.0;
    }
    if low == high {
        high = 1.0;
    }
    let raw = (high - low) / intervals.max(1) as f64;
    let exponent = raw.log10().floor() as i32;
    let magnitude = 10f64.powi(exponent);
    let mantissa = [1.0, 2.0, 2.5, 5.0]
        .into_iter()
        .find(|m| m * magnitude >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0);
    let (mantissa, exponent) = if mantissa == 10.0 {
        (1.0, exponent + 1)
    } else {
        (mantissa, exponent)
    };
    // k × mantissa / 10ⁿ is correctly rounded (0.6, not 0.6000000000000001).
    let tick = |k: i64| {
        let units = k as f64 * mantissa;
        if exponent >= 0 {
            units * 10f64.powi(exponent)
        } else {
            units / 10f64.powi(-exponent)
        }
    };
    let step = tick(1);
    let first = (low / step + 1e-9).floor() as i64;
    let last = (high / step - 1e-9).ceil() as i64;
    (first..=last).map(tick).collect()
}

/// The decimals needed to show `step` exactly (at most 6).
fn decimals_for(step: f64) -> usize {
    (0..6)
        .find(|&d| {
            let scaled = step.abs() * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(6)
}

/// A linear map from a value domain to a coordinate range.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Linear {
    domain: (f64, f64),
    range: (f64, f64),
}

impl Linear {
    /// Maps `domain.0` to `range.0` and `domain.1` to `range.1`.
    pub(crate) fn new(domain: (f64, f64), range: (f64, f64)) -> Linear {
        let domain = if domain.0 == domain.1 {
            (domain.0, domain.0 + 1.0)
        } else {
            domain
        };
        Linear { domain, range }
    }

    /// Through the first and last tick.
    pub(crate) fn over(ticks: &[f64], range: (f64, f64)) -> Linear {
        let first = ticks.first().copied().unwrap_or(0.0);
        let last = ticks.last().copied().unwrap_or(1.0);
        Linear::new((first, last), range)
    }

    /// The coordinate of `value`.
    pub(crate) fn at(&self, value: f64) -> f64 {
        let share = (value - self.domain.0) / (self.domain.1 - self.domain.0);
        self.range.0 + share * (self.range.1 - self.range.0)
    }
}

/// The smallest and largest finite value, or none.
pub(crate) fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((low, high)) => Some((v.min(low), v.max(high))),
        })
}

/// How numbers of one axis or one set of values are written: one scale (units, thousands,
/// millions) and one number of decimals for all of them, so they line up.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NumberFormat<'a> {
    locale: Locale,
    unit: AxisUnit<'a>,
    divisor: f64,
    decimals: usize,
}

impl<'a> NumberFormat<'a> {
    /// For tick labels: the decimals the step needs.
    pub(crate) fn for_ticks(locale: Locale, unit: AxisUnit<'a>, ticks: &[f64]) -> Self {
        let top = ticks.iter().fold(0.0f64, |top, t| top.max(t.abs()));
        let step = match ticks {
            [first, second, ..] => second - first,
            _ => 1.0,
        };
        let divisor = divisor(unit, top);
        let decimals = match unit {
            AxisUnit::Count | AxisUnit::Money { .. } => decimals_for(step / divisor),
            AxisUnit::Share => decimals_for(step * 100.0),
            AxisUnit::Plain { decimals } => decimals,
        };
        NumberFormat {
            locale,
            unit,
            divisor,
            decimals,
        }
    }

    /// For value labels (all in one scale, so they compare): whole counts, one decimal for
    /// percentages, and for short-form money two significant digits on the smallest value
    /// (`0,35 mn kr` beside `1,20 mn kr`, `450 tkr`).
    pub(crate) fn for_values(locale: Locale, unit: AxisUnit<'a>, values: &[f64]) -> Self {
        let magnitudes = values
            .iter()
            .map(|v| v.abs())
            .filter(|v| v.is_finite() && *v > 0.0);
        let (smallest, top) = extent(magnitudes).unwrap_or((1.0, 1.0));
        let divisor = divisor(unit, top);
        let digits = 1.0 - (smallest / divisor).log10().floor();
        let decimals = match unit {
            AxisUnit::Count => 0,
            AxisUnit::Money { .. } if divisor > 1.0 => digits.clamp(0.0, 2.0) as usize,
            AxisUnit::Money { .. } => 0,
            AxisUnit::Share => 1,
            AxisUnit::Plain { decimals } => decimals,
        };
        NumberFormat {
            locale,
            unit,
            divisor,
            decimals,
        }
    }

    /// `value` as a reader sees it.
    pub(crate) fn format(&self, value: f64) -> String {
        let (locale, decimals) = (self.locale, self.decimals);
        match self.unit {
            AxisUnit::Count | AxisUnit::Plain { .. } => locale.number(value, decimals),
            AxisUnit::Share => locale.percent(value, decimals),
            // `0` rather than `0,0 mn kr` or `SEK 0k` at the axis origin.
            AxisUnit::Money { .. } if self.divisor > 1.0 && value == 0.0 => "0".to_string(),
            AxisUnit::Money { currency } if self.divisor == 1.0 => {
                locale.money(value, currency, decimals)
            }
            AxisUnit::Money { currency } => {
                let number = locale.number(value / self.divisor, decimals);
                let millions = self.divisor >= 1e6;
                match (locale, currency, millions) {
                    (Locale::Sv, "SEK", true) => format!("{number}\u{a0}mn\u{a0}kr"),
                    (Locale::Sv, "SEK", false) => format!("{number}\u{a0}tkr"),
                    (Locale::Sv, _, true) => format!("{number}\u{a0}mn\u{a0}{currency}"),
                    (Locale::Sv, _, false) => format!("{number}\u{a0}tn\u{a0}{currency}"),
                    (Locale::En, _, true) => format!("{currency}\u{a0}{number}m"),
                    (Locale::En, _, false) => format!("{currency}\u{a0}{number}k"),
                }
            }
        }
    }
}

/// Millions, thousands or units for money; units otherwise.
fn divisor(unit: AxisUnit<'_>, top: f64) -> f64 {
    match unit {
        AxisUnit::Money { .. } if top >= 1e6 => 1e6,
        AxisUnit::Money { .. } if top >= 1e3 => 1e3,
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_nice_numbers() {
        // 873 / 5 = 174.6 → step 200.
        assert_eq!(
            nice_ticks(12.0, 873.0, 5),
            [0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]
        );
        // 12 / 5 = 2.4 → step 2.5.
        assert_eq!(nice_ticks(3.0, 12.0, 5), [0.0, 2.5, 5.0, 7.5, 10.0, 12.5]);
        // 0.137 / 5 = 0.0274 → step 0.05, exactly 0.15 and not 0.15000000000000002.
        assert_eq!(nice_ticks(0.01, 0.137, 5), [0.0, 0.05, 0.1, 0.15]);
        // 49 / 5 = 9.8 → step 10, from −40.
        assert_eq!(
            nice_ticks(-37.0, 12.0, 5),
            [-40.0, -30.0, -20.0, -10.0, 0.0, 10.0, 20.0]
        );
        assert_eq!(nice_ticks(-8.0, -3.0, 4), [-8.0, -6.0, -4.0, -2.0, 0.0]);
        assert_eq!(nice_ticks(0.0, 0.0, 5), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(
            nice_ticks(0.0, 1000.0, 5),
            [0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]
        );
        assert_eq!(nice_ticks(f64::NAN, 3.0, 5), [0.0, 1.0]);
    }

    #[test]
    fn money_ticks_and_values_use_the_short_form() {
        let sek = AxisUnit::Money { currency: "SEK" };
        let sv = NumberFormat::for_values(Locale::Sv, sek, &[1.2e6]);
        assert_eq!(sv.format(1.2e6), "1,2\u{a0}mn\u{a0}kr");
        let en = NumberFormat::for_values(Locale::En, sek, &[1.2e6]);
        assert_eq!(en.format(1.2e6), "SEK\u{a0}1.2m");
        let sv = NumberFormat::for_values(Locale::Sv, sek, &[450_000.0]);
        assert_eq!(sv.format(450_000.0), "450\u{a0}tkr");
        let en = NumberFormat::for_values(Locale::En, sek, &[450_000.0]);
        assert_eq!(en.format(450_000.0), "SEK\u{a0}450k");
        let small = NumberFormat::for_values(Locale::Sv, sek, &[640.0]);
        assert_eq!(small.format(640.0), "640\u{a0}kr");
        // Ticks 0, 0.25 mn … 1.25 mn need two decimals.
        let ticks = nice_ticks(0.0, 1.2e6, 5);
        let format = NumberFormat::for_ticks(Locale::Sv, sek, &ticks);
        assert_eq!(format.format(ticks[1]), "0,25\u{a0}mn\u{a0}kr");
        let eur = NumberFormat::for_values(Locale::Sv, AxisUnit::Money { currency: "EUR" }, &[2e4]);
        assert_eq!(eur.format(20_000.0), "20\u{a0}tn\u{a0}EUR");
        let mixed = NumberFormat::for_values(Locale::Sv, sek, &[350_000.0, 1.2e6, 0.0]);
        let labels = [
            mixed.format(350_000.0),
            mixed.format(1.2e6),
            mixed.format(0.0),
        ];
        assert_eq!(
            labels,
            ["0,35\u{a0}mn\u{a0}kr", "1,20\u{a0}mn\u{a0}kr", "0"]
        );
    }

    #[test]
    fn counts_shares_and_plain_numbers() {
        let ticks = nice_ticks(0.0, 4321.0, 5);
        assert_eq!(ticks, [0.0, 1000.0, 2000.0, 3000.0, 4000.0, 5000.0]);
        let count = NumberFormat::for_ticks(Locale::Sv, AxisUnit::Count, &ticks);
        assert_eq!(count.format(ticks[1]), "1\u{a0}000");
        let negative = nice_ticks(-37.0, 12.0, 5);
        let count = NumberFormat::for_ticks(Locale::Sv, AxisUnit::Count, &negative);
        assert_eq!(count.format(negative[0]), "\u{2212}40");
        let share = NumberFormat::for_ticks(Locale::Sv, AxisUnit::Share, &[0.0, 0.025]);
        assert_eq!(share.format(0.125), "12,5\u{a0}%");
        let share = NumberFormat::for_values(Locale::En, AxisUnit::Share, &[0.3]);
        assert_eq!(share.format(0.125), "12.5%");
        let plain = NumberFormat::for_values(Locale::En, AxisUnit::Plain { decimals: 2 }, &[3.0]);
        assert_eq!(plain.format(2.0), "2.00");
    }

    #[test]
    fn the_map_is_linear_and_may_invert() {
        let y = Linear::new((0.0, 1000.0), (248.0, 16.0));
        assert_eq!(y.at(0.0), 248.0);
        assert_eq!(y.at(1000.0), 16.0);
        assert_eq!(y.at(500.0), 132.0);
        assert_eq!(extent([3.0, f64::NAN, -1.0, 7.0]), Some((-1.0, 7.0)));
        assert_eq!(extent([f64::INFINITY]), None);
    }
}
