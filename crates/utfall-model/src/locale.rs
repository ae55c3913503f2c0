//! Swedish and English number, money and date conventions for what a marketer reads.

use std::fmt;
use std::str::FromStr;

/// The language and number conventions of a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    /// Swedish (`sv`): `1 234,50 kr`, `12,5 %`.
    #[default]
    Sv,
    /// English (`en`): `SEK 1,234.50`, `12.5%`.
    En,
}

impl FromStr for Locale {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        match text {
            "sv" | "sv-SE" | "sv_SE" => Ok(Locale::Sv),
            "en" | "en-GB" | "en-US" | "en_GB" | "en_US" => Ok(Locale::En),
            _ => Err(()),
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Locale::Sv => "sv",
            Locale::En => "en",
        })
    }
}

impl Locale {
    /// The Swedish or the English text.
    pub fn say<'a>(self, sv: &'a str, en: &'a str) -> &'a str {
        match self {
            Locale::Sv => sv,
            Locale::En => en,
        }
    }

    /// `1 234,50` in Swedish (no-break space as the thousands separator), `1,234.50` in English.
    pub fn number(self, value: f64, decimals: usize) -> String {
        if !value.is_finite() {
            return "–".to_string();
        }
        let text = format!("{:.*}", decimals, value.abs());
        let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
        let (group, decimal) = match self {
            Locale::Sv => ('\u{a0}', ','),
            Locale::En => (',', '.'),
        };
        let mut grouped = String::new();
        for (i, digit) in int_part.chars().enumerate() {
            if i > 0 && (int_part.len() - i) % 3 == 0 {
                grouped.push(group);
            }
            grouped.push(digit);
        }
        let is_zero = text.bytes().all(|b| b == b'0' || b == b'.');
        let sign = if value < 0.0 && !is_zero { "−" } else { "" };
        if frac_part.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}{decimal}{frac_part}")
        }
    }

    /// `1 234,50 kr` for SEK in Swedish, `SEK 1,234.50` in English, `12 €`…
    pub fn money(self, amount: f64, currency: &str, decimals: usize) -> String {
        let number = self.number(amount, decimals);
        match (self, currency) {
            (Locale::Sv, "SEK") => format!("{number}\u{a0}kr"),
            (Locale::Sv, _) => format!("{number}\u{a0}{currency}"),
            (Locale::En, _) => format!("{currency}\u{a0}{number}"),
        }
    }

    /// A share as a percentage: `12,5 %` / `12.5%`.
    pub fn percent(self, share: f64, decimals: usize) -> String {
        let number = self.number(share * 100.0, decimals);
        match self {
            Locale::Sv => format!("{number}\u{a0}%"),
            Locale::En => format!("{number}%"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_and_english_numbers() {
        assert_eq!(Locale::Sv.money(1234.5, "SEK", 2), "1\u{a0}234,50\u{a0}kr");
        assert_eq!(Locale::En.money(1234.5, "SEK", 2), "SEK\u{a0}1,234.50");
        assert_eq!(Locale::Sv.number(-1_234_567.0, 0), "−1\u{a0}234\u{a0}567");
        assert_eq!(Locale::En.number(999.999, 2), "1,000.00");
        assert_eq!(Locale::Sv.percent(0.125, 1), "12,5\u{a0}%");
        assert_eq!(Locale::Sv.number(-0.0001, 2), "0,00");
        assert_eq!(Locale::En.number(f64::NAN, 2), "–");
    }
}
