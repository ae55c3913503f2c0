//! GA4's default channel grouping: source, medium and campaign → one of Utfall's channels.
//! The rules are applied in GA4's order; the first that matches wins. Source categories come
//! from Google's list (`data/ga4_source_categories.csv`, embedded).

use std::collections::HashMap;
use std::sync::OnceLock;

fn categories() -> &'static HashMap<String, String> {
    static CATEGORIES: OnceLock<HashMap<String, String>> = OnceLock::new();
    CATEGORIES.get_or_init(|| {
        include_str!("../data/ga4_source_categories.csv")
            .lines()
            .skip(1)
            .filter_map(|line| {
                let (source, category) = line.rsplit_once(',')?;
                let category = category.trim().trim_matches('"').to_uppercase();
                let category = category
                    .strip_prefix("SOURCE_CATEGORY_")
                    .unwrap_or(&category)
                    .to_string();
                Some((source.trim().trim_matches('"').to_lowercase(), category))
            })
            .collect()
    })
}

/// `^(.*cp.*|ppc|retargeting|paid.*)$`
fn paid_medium(medium: &str) -> bool {
    medium.contains("cp")
        || medium == "ppc"
        || medium == "retargeting"
        || medium.starts_with("paid")
}

/// `^(.*(([^a-df-z]|^)shop|shopping).*)$`
fn shopping_campaign(campaign: &str) -> bool {
    if campaign.contains("shopping") {
        return true;
    }
    campaign.match_indices("shop").any(|(i, _)| {
        i == 0
            || campaign[..i]
                .chars()
                .next_back()
                .is_some_and(|c| !matches!(c, 'a'..='d' | 'f'..='z'))
    })
}

/// The channel of a session from its source, medium and campaign (any case).
pub fn default_channel(source: &str, medium: &str, campaign: &str) -> &'static str {
    let source = source.trim().to_lowercase();
    let medium = medium.trim().to_lowercase();
    let campaign = campaign.trim().to_lowercase();
    let category = categories().get(&source).map(String::as_str).unwrap_or("");
    if source == "(direct)" && matches!(medium.as_str(), "(not set)" | "(none)" | "") {
        return "direct";
    }
    if campaign.contains("cross-network") {
        return "cross_network";
    }
    let paid = paid_medium(&medium);
    if (category == "SHOPPING" || shopping_campaign(&campaign)) && paid {
        return "paid_shopping";
    }
    if category == "SEARCH" && paid {
        return "paid_search";
    }
    if category == "SOCIAL" && paid {
        return "paid_social";
    }
    if category == "VIDEO" && paid {
        return "paid_video";
    }
    if matches!(
        medium.as_str(),
        "display" | "banner" | "expandable" | "interstitial" | "cpm"
    ) {
        return "display";
    }
    if paid {
        return "paid_other";
    }
    if category == "SHOPPING" || shopping_campaign(&campaign) {
        return "organic_shopping";
    }
    if category == "SOCIAL"
        || matches!(
            medium.as_str(),
            "social" | "social-network" | "social-media" | "sm" | "social network" | "social media"
        )
    {
        return "organic_social";
    }
    if category == "VIDEO" || medium.contains("video") {
        return "organic_video";
    }
    if category == "SEARCH" || medium == "organic" {
        return "organic_search";
    }
    if matches!(medium.as_str(), "referral" | "app" | "link") {
        return "referral";
    }
    if ["email", "e-mail", "e_mail", "e mail"]
        .iter()
        .any(|e| source == *e || medium == *e)
    {
        return "email";
    }
    if medium == "affiliate" {
        return "affiliates";
    }
    if medium == "audio" {
        return "audio";
    }
    if source == "sms" || medium == "sms" {
        return "sms";
    }
    if medium.ends_with("push")
        || medium.contains("mobile")
        || medium.contains("notification")
        || source == "firebase"
    {
        return "mobile_push";
    }
    "unassigned"
}

/// GA4's own channel-group names ("Organic Search") → Utfall's channels.
pub fn from_ga4_group(group: &str) -> Option<&'static str> {
    Some(match group.trim().to_lowercase().as_str() {
        "direct" => "direct",
        "organic search" => "organic_search",
        "paid search" => "paid_search",
        "paid social" => "paid_social",
        "organic social" => "organic_social",
        "email" => "email",
        "referral" => "referral",
        "display" => "display",
        "paid video" => "paid_video",
        "organic video" => "organic_video",
        "affiliates" => "affiliates",
        "paid other" => "paid_other",
        "cross-network" => "cross_network",
        "audio" => "audio",
        "sms" => "sms",
        "mobile push notifications" => "mobile_push",
        "organic shopping" => "organic_shopping",
        "paid shopping" => "paid_shopping",
        "unassigned" => "unassigned",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ga4_rules_in_order() {
        assert_eq!(default_channel("(direct)", "(none)", ""), "direct");
        assert_eq!(
            default_channel("google", "cpc", "Sök | Generisk"),
            "paid_search"
        );
        assert_eq!(default_channel("google", "organic", ""), "organic_search");
        assert_eq!(
            default_channel("bing", "referral", ""),
            "organic_search",
            "a search source wins over the referral medium"
        );
        assert_eq!(
            default_channel("linkedin", "paid_social", ""),
            "paid_social"
        );
        assert_eq!(
            default_channel("facebook", "referral", ""),
            "organic_social"
        );
        assert_eq!(default_channel("newsletter", "email", ""), "email");
        assert_eq!(default_channel("partner.se", "referral", ""), "referral");
        assert_eq!(
            default_channel("google", "cpc", "Shopping - Norden"),
            "paid_shopping"
        );
        assert_eq!(default_channel("youtube", "cpv", ""), "paid_video");
        assert_eq!(default_channel("adnet", "display", ""), "display");
        assert_eq!(default_channel("something", "weird", ""), "unassigned");
        assert_eq!(from_ga4_group("Organic Search"), Some("organic_search"));
    }
}
