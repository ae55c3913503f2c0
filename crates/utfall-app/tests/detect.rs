//! The preset detection of uploads (`utfall_app::upload::detect`) on real vendor exports
//! (`../shared/data/realworld/` beside the checkout, provenance in its `PROVENANCE.md`; read
//! where they are, never copied into the project): for every file whose preset is clear from
//! its vendor and that its preset imports, that preset comes first.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use utfall_app::upload::{UploadOptions, detect};
use utfall_testkit::TestWorkspace;

/// A real file beside the checkout.
fn real(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/realworld")
        .join(relative);
    assert!(
        path.exists(),
        "the real exports are read from `{}`; they live beside the checkout",
        path.display()
    );
    path
}

/// The real files, each with the preset of its vendor and the currency the web form would be
/// given for a file that names none (the Meta export without a currency column).
const CLEAR: &[(&str, &str, Option<&str>)] = &[
    (
        "google-ads/danieltheC_campaign_report_utf16.csv",
        "google-ads",
        None,
    ),
    (
        "google-ads/danieltheC_campaign_report_utf8.csv",
        "google-ads",
        None,
    ),
    (
        "google-ads/vishalmotling_campaign_report_inr.csv",
        "google-ads",
        None,
    ),
    (
        "meta-ads/acala_meta_insights_api_flattened.csv",
        "meta-ads",
        Some("USD"),
    ),
    (
        "meta-ads/airbyte_fb_ads_insights_action_product_id.json",
        "meta-ads",
        None,
    ),
    (
        "linkedin-ads/airbyte_linkedin_ad_campaign_analytics_response_1.json",
        "linkedin-ads",
        None,
    ),
    (
        "hubspot/airbyte_hubspot_crm_v3_contacts_page.json",
        "hubspot-contacts",
        None,
    ),
    (
        "hubspot/salesmod_hubspot_companies_export.csv",
        "hubspot-companies",
        None,
    ),
    (
        "hubspot/salesmod_hubspot_contacts_export.csv",
        "hubspot-contacts",
        None,
    ),
    (
        "mailchimp/domino_mailchimp_campaigns.csv",
        "mailchimp",
        None,
    ),
    (
        "mailchimp/hdx_mailchimp_api_campaigns.csv",
        "mailchimp",
        None,
    ),
    (
        "ga4-bigquery/dataform_ga4_sessions_test_events.ndjson",
        "ga4-bigquery",
        None,
    ),
    (
        "ga4-bigquery/harishprabakaran_ga4_sample_events_flat.json",
        "ga4-bigquery",
        None,
    ),
    (
        "ga4-data-api/ajst1974_ga4_report_flattened.json",
        "ga4-data-api",
        None,
    ),
    (
        "ga4-data-api/danieltheC_ga4_ui_events_export.csv",
        "ga4-data-api",
        None,
    ),
    (
        "pipedrive/pipedrive_dotnet_webhook_deal_create.json",
        "pipedrive-deals",
        None,
    ),
    ("qualtrics/qualtRics_sample.csv", "survey", None),
    ("qualtrics/qualtRics_sample_legacy.csv", "survey", None),
    (
        "salesforce/parkbee_sf_leads_report_nl_first2000.csv",
        "salesforce-leads",
        None,
    ),
    (
        "salesforce/parkbee_sf_opportunities_report_nl.csv",
        "salesforce-opportunities",
        None,
    ),
];

/// The presets `detect` finds for a real file uploaded to a fresh workspace, best first.
fn detected(relative: &str, currency: Option<&str>) -> Vec<String> {
    let workspace = TestWorkspace::b2b();
    let source = real(relative);
    let folder = workspace.path().join(".utfall/uploads/test");
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join(source.file_name().unwrap());
    std::fs::copy(&source, &file).unwrap();
    let options = UploadOptions {
        currency: currency.map(str::to_string),
        ..UploadOptions::default()
    };
    detect(workspace.path(), &file, &options)
        .unwrap()
        .into_iter()
        .map(|d| d.preset)
        .collect()
}

#[test]
fn the_preset_of_a_real_export_is_detected_first() {
    let mut wrong = Vec::new();
    for &(relative, expected, currency) in CLEAR {
        let found = detected(relative, currency);
        eprintln!("{relative} → {expected}: {found:?}");
        if found.first().map(String::as_str) != Some(expected) {
            wrong.push(format!(
                "{relative}: {expected} expected, detected {found:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
