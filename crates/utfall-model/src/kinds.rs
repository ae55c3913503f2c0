//! The closed vocabularies of the definition files, as enums: each parsed once from its
//! documented spelling (`utfall check` reports any other), then matched as a type everywhere.

use crate::locale::Locale;

/// Declares an enum of documented spellings with `ALL`, `NAMES`, `as_str`, `FromStr` and
/// `Display`.
macro_rules! spelled {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the documented order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every spelling, in the documented order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The documented spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value a spelling names.
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownSpelling;
            fn from_str(text: &str) -> Result<$name, UnknownSpelling> {
                $name::parse(text).ok_or_else(|| UnknownSpelling {
                    text: text.to_string(),
                    expected: $name::NAMES,
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A spelling that names no value of its vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not one of {}", expected.join(", "))]
pub struct UnknownSpelling {
    /// What was written.
    pub text: String,
    /// The spellings allowed.
    pub expected: &'static [&'static str],
}

spelled! {
    /// What a KPI's values are.
    Unit {
        /// A number of things.
        Count = "count",
        /// An amount of money.
        Currency = "currency",
        /// A share between 0 and 1, shown as a percentage.
        Ratio = "ratio",
        /// A percentage already multiplied by 100.
        Percent = "percent",
        /// A score (NPS, satisfaction).
        Score = "score",
        /// A duration in days.
        Days = "days",
        /// Any other number.
        Number = "number",
    }
}

spelled! {
    /// Which way is good for a KPI.
    Direction {
        /// More is better.
        Higher = "higher",
        /// Less is better.
        Lower = "lower",
        /// Neither (followed, not judged).
        Neutral = "neutral",
    }
}

spelled! {
    /// How a KPI relates to its children in the KPI tree.
    Relation {
        /// The children add up to it.
        Sum = "sum",
        /// The children multiply to it.
        Product = "product",
        /// A numerator child over a denominator child.
        Ratio = "ratio",
        /// The children influence it without a formula.
        Influence = "influence",
    }
}

spelled! {
    /// A child's place in a parent with `relation = "ratio"`.
    Role {
        /// Above the line.
        Numerator = "numerator",
        /// Below the line.
        Denominator = "denominator",
    }
}

spelled! {
    /// What a target asks of a KPI.
    TargetKind {
        /// At least this by the end of the period.
        Reach = "reach",
        /// Stay at or above it.
        Above = "above",
        /// Stay at or below it.
        Below = "below",
    }
}

spelled! {
    /// What a review decided to do with an activity or channel.
    DecisionAction {
        /// Stop doing it.
        Stop = "stop",
        /// Start doing it.
        Start = "start",
        /// Keep doing it.
        Continue = "continue",
        /// Do more of it.
        More = "more",
        /// Do less of it.
        Less = "less",
    }
}

spelled! {
    /// Which way a decision is expected to move its KPI.
    Movement {
        /// The KPI should rise.
        Up = "up",
        /// The KPI should fall.
        Down = "down",
    }
}

spelled! {
    /// What a decision's follow-up found.
    Verdict {
        /// The KPI moved the expected way, beyond what chance explains.
        Worked = "worked",
        /// The follow-up window is over and the KPI did not move the expected way.
        DidNotWork = "did_not_work",
        /// Too little time or data to tell.
        TooEarly = "too_early",
    }
}

spelled! {
    /// Where a decision stands.
    DecisionStatus {
        /// Decided, not yet followed up.
        Open = "open",
        /// Carried out and followed up.
        Done = "done",
        /// Not carried out.
        Dropped = "dropped",
    }
}

spelled! {
    /// The import presets a source may name: one list for `utfall check` and the importer.
    Preset {
        /// GA4's BigQuery export.
        Ga4Bigquery = "ga4-bigquery",
        /// GA4 Data API responses.
        Ga4DataApi = "ga4-data-api",
        /// HubSpot contacts.
        HubspotContacts = "hubspot-contacts",
        /// HubSpot companies.
        HubspotCompanies = "hubspot-companies",
        /// HubSpot deals.
        HubspotDeals = "hubspot-deals",
        /// Salesforce opportunities.
        SalesforceOpportunities = "salesforce-opportunities",
        /// Salesforce leads.
        SalesforceLeads = "salesforce-leads",
        /// Salesforce campaign members.
        SalesforceCampaignMembers = "salesforce-campaign-members",
        /// Pipedrive deals.
        PipedriveDeals = "pipedrive-deals",
        /// Google Ads reports.
        GoogleAds = "google-ads",
        /// Meta Ads reports.
        MetaAds = "meta-ads",
        /// LinkedIn Ads reports.
        LinkedinAds = "linkedin-ads",
        /// Mailchimp campaign reports.
        Mailchimp = "mailchimp",
        /// HubSpot marketing e-mail.
        HubspotEmail = "hubspot-email",
        /// Survey exports.
        Survey = "survey",
        /// The activity plan.
        Activities = "activities",
        /// Form submissions.
        FormSubmissions = "form-submissions",
        /// Exchange rates.
        FxRates = "fx-rates",
        /// Any table, by its columns.
        Generic = "generic",
    }
}

impl Unit {
    /// A value for people, in the locale's conventions (`1 234,50 kr`, `12,5 %`); `–` for none.
    pub fn format(self, value: Option<f64>, currency: &str, locale: Locale) -> String {
        let Some(value) = value else {
            return "–".to_string();
        };
        match self {
            Unit::Count => locale.number(value, if value.fract().abs() < 1e-9 { 0 } else { 1 }),
            Unit::Currency => locale.money(value, currency, 0),
            Unit::Ratio => locale.percent(value, 1),
            Unit::Percent => format!("{}\u{a0}%", locale.number(value, 1)),
            Unit::Score => locale.number(value, 1),
            Unit::Days | Unit::Number => locale.number(value, 2),
        }
    }

    /// The change from `base` to `value` for people: percentage points for a ratio, else the
    /// relative change; `–` when either is missing or the base is zero.
    pub fn format_change(self, value: Option<f64>, base: Option<f64>, locale: Locale) -> String {
        match (value, base) {
            (Some(v), Some(b)) if self == Unit::Ratio => {
                let points = (v - b) * 100.0;
                // Procentenheter in Swedish, percentage points in English.
                format!(
                    "{}{}\u{a0}{}",
                    if points >= 0.0 { "+" } else { "" },
                    locale.number(points, 1),
                    locale.say("pe", "pp")
                )
            }
            (Some(v), Some(b)) if b != 0.0 => {
                let change = (v - b) / b.abs();
                format!(
                    "{}{}",
                    if change >= 0.0 { "+" } else { "" },
                    locale.percent(change, 1)
                )
            }
            _ => "–".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for unit in Unit::ALL {
            assert_eq!(unit.as_str().parse::<Unit>(), Ok(*unit));
        }
        assert_eq!(Unit::NAMES.len(), Unit::ALL.len());
        assert_eq!(
            Preset::parse("form-submissions"),
            Some(Preset::FormSubmissions)
        );
        let error = "monthly".parse::<Direction>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "`monthly` is not one of higher, lower, neutral"
        );
    }

    #[test]
    fn units_format_in_the_locale() {
        // Swedish: a space between thousands, a decimal comma, `kr` after the amount.
        assert_eq!(
            Unit::Currency.format(Some(1234.4), "SEK", Locale::Sv),
            "1\u{a0}234\u{a0}kr"
        );
        assert_eq!(Unit::Count.format(Some(12.0), "SEK", Locale::Sv), "12");
        assert_eq!(Unit::Ratio.format(Some(0.125), "SEK", Locale::En), "12.5%");
        assert_eq!(Unit::Number.format(None, "SEK", Locale::En), "–");
        // A ratio moves in percentage points: 10 % → 12,5 % is +2,5 pe.
        assert_eq!(
            Unit::Ratio.format_change(Some(0.125), Some(0.10), Locale::Sv),
            "+2,5\u{a0}pe"
        );
        assert_eq!(
            Unit::Ratio.format_change(Some(0.10), Some(0.125), Locale::En),
            "\u{2212}2.5\u{a0}pp"
        );
        // 80 → 100 is +25 %.
        assert_eq!(
            Unit::Count.format_change(Some(100.0), Some(80.0), Locale::En),
            "+25.0%"
        );
        assert_eq!(
            Unit::Count.format_change(Some(1.0), Some(0.0), Locale::En),
            "–"
        );
    }
}
