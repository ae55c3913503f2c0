//! Real exports that vendors' tools produced for other people (`../shared/data/realworld/`,
//! provenance in its `PROVENANCE.md`; read where they are, never copied here). Every expected
//! value comes from an independent read of the raw file: `bench/realworld/expected.py`
//! (Python's standard library, no Utfall code) wrote `tests/fixtures/realworld/expected.json`,
//! or the value is worked out by hand in a comment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::import::{close, count, distinct, import_with, rows, sum};
use crate::new_workspace;

type Row = BTreeMap<String, String>;

/// A real file beside the checkout.
fn real(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/realworld")
        .join(relative);
    assert!(
        path.exists(),
        "the real exports are read from `{}`; they live beside the checkout",
        path.display()
    );
    path
}

/// The independent facts of a real file.
fn facts(relative: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/realworld/expected.json");
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all[relative].clone()
}

/// Imports a real file into a fresh workspace: (workspace, exit code, stderr).
fn import_real(preset: &str, relative: &str, extra: &[&str]) -> (tempfile::TempDir, i32, String) {
    let dir = new_workspace("b2b");
    let (code, stderr) = import_with(dir.path(), preset, &real(relative), extra);
    (dir, code, stderr)
}

fn f(value: &Value) -> f64 {
    value.as_f64().unwrap()
}

#[test]
fn google_ads_campaign_reports_for_a_period_are_spread_over_its_days() {
    for file in [
        "google-ads/danieltheC_campaign_report_utf16.csv",
        "google-ads/danieltheC_campaign_report_utf8.csv",
        "google-ads/vishalmotling_campaign_report_inr.csv",
    ] {
        let expected = facts(file);
        let (dir, code, stderr) = import_real("google-ads", file, &[]);
        assert_eq!(code, 0, "{file}: {stderr}");
        assert!(stderr.contains("spread evenly"), "{file}: {stderr}");
        let spend = rows(dir.path(), "spend");
        let days = expected["days"].as_u64().unwrap() as usize;
        let campaigns = expected["campaigns"].as_u64().unwrap() as usize;
        assert_eq!(spend.len(), campaigns * days, "{file}");
        assert!(
            close(sum(&spend, "cost"), f(&expected["cost"])),
            "{file}: {}",
            sum(&spend, "cost")
        );
        assert_eq!(
            sum(&spend, "impressions"),
            f(&expected["impressions"]),
            "{file}"
        );
        match expected["clicks"].as_f64() {
            Some(clicks) => assert_eq!(sum(&spend, "clicks"), clicks, "{file}"),
            // Video campaigns have interactions, not clicks: no value, not 0.
            None => assert_eq!(count(&spend, "clicks"), 0, "{file}"),
        }
        assert!(
            close(
                sum(&spend, "platform_conversions"),
                f(&expected["conversions"])
            ),
            "{file}"
        );
        let currencies: Vec<String> = expected["currency"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        assert_eq!(distinct(&spend, "currency"), currencies, "{file}");
        let dates = distinct(&spend, "date");
        assert_eq!(
            dates.first().unwrap(),
            expected["period_start"].as_str().unwrap()
        );
        assert_eq!(
            dates.last().unwrap(),
            expected["period_end"].as_str().unwrap()
        );
        assert_eq!(dates.len(), days);
    }
}

#[test]
fn an_all_time_campaign_report_is_refused_with_how_to_download_it_by_day() {
    let file = "google-ads/intragoinc_campaign_report_alltime.csv";
    assert_eq!(facts(file)["period"], "All time");
    let (dir, code, stderr) = import_real("google-ads", file, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("`All time`") && stderr.contains("Segment → Time → Day"),
        "{stderr}"
    );
    assert!(!dir.path().join("data/_manifest.json").exists());
}

#[test]
fn meta_breakdown_rows_are_summed_and_their_currency_is_asked_for() {
    let file = "meta-ads/acala_meta_insights_api_flattened.csv";
    let expected = facts(file);
    assert_eq!(expected["has_currency_column"], false);
    let (dir, code, stderr) = import_real("meta-ads", file, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("no currency") && stderr.contains("--currency"),
        "{stderr}"
    );
    assert!(!dir.path().join("data/_manifest.json").exists());

    let (dir, code, stderr) = import_real("meta-ads", file, &["--currency", "USD"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("121 rows share a campaign and day"),
        "{stderr}"
    );
    let spend = rows(dir.path(), "spend");
    assert_eq!(
        spend.len() as u64,
        expected["distinct_date_campaign_pairs"].as_u64().unwrap()
    );
    assert!(
        close(sum(&spend, "cost"), f(&expected["spend"])),
        "{}",
        sum(&spend, "cost")
    );
    assert_eq!(sum(&spend, "impressions"), f(&expected["impressions"]));
    // Meta's link clicks are the clicks (the file also has all clicks).
    assert_eq!(sum(&spend, "clicks"), f(&expected["link_clicks"]));
    assert_eq!(distinct(&spend, "currency"), ["USD"]);
    assert_eq!(distinct(&spend, "date"), ["2024-08-06"]);
}

#[test]
fn a_meta_insights_page_by_product_is_summed_in_its_account_currency() {
    let file = "meta-ads/airbyte_fb_ads_insights_action_product_id.json";
    let expected = facts(file);
    let (dir, code, stderr) = import_real("meta-ads", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let spend = rows(dir.path(), "spend");
    assert_eq!(
        spend.len() as u64,
        expected["distinct_date_campaign_count"].as_u64().unwrap()
    );
    assert!(close(sum(&spend, "cost"), f(&expected["spend"])));
    assert_eq!(sum(&spend, "impressions"), f(&expected["impressions"]));
    assert_eq!(sum(&spend, "clicks"), f(&expected["inline_link_clicks"]));
    assert_eq!(distinct(&spend, "currency"), ["USD"]);
    assert_eq!(spend[0]["campaign_id"], "23854404676180548");
}

#[test]
fn an_empty_meta_export_imports_nothing_and_says_so() {
    let file = "meta-ads/danieltheC_meta_campaigns_empty.csv";
    assert_eq!(facts(file)["data_rows"], 0);
    let (dir, code, stderr) = import_real("meta-ads", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("No data available"), "{stderr}");
    assert!(rows(dir.path(), "spend").is_empty());
}

#[test]
fn an_ad_level_facebook_table_is_summed_per_campaign_and_day() {
    let file = "generic/kag_fb_conversion_data_with_date.csv";
    let expected = facts(file);
    let args = [
        "--table",
        "spend",
        "--set",
        "platform=meta",
        "--set",
        "currency=USD",
        "--map",
        "xyz_campaign_id=campaign_id",
        "--map",
        "Spent=cost",
        "--map",
        "Total_Conversion=platform_conversions",
    ];
    let (dir, code, stderr) = import_real("generic", file, &args);
    assert_eq!(code, 0, "{stderr}");
    let spend = rows(dir.path(), "spend");
    assert_eq!(
        spend.len() as u64,
        expected["distinct_date_xyz_campaign"].as_u64().unwrap()
    );
    assert!(
        close(sum(&spend, "cost"), f(&expected["spent"])),
        "{}",
        sum(&spend, "cost")
    );
    assert_eq!(sum(&spend, "impressions"), f(&expected["impressions"]));
    assert_eq!(sum(&spend, "clicks"), f(&expected["clicks"]));
    assert_eq!(
        sum(&spend, "platform_conversions"),
        f(&expected["total_conversion"])
    );
    assert_eq!(distinct(&spend, "channel"), ["paid_social"]);
    let dates = distinct(&spend, "date");
    // dd-mm-yyyy, decided from the column (31-08-2023 reads only day first).
    assert_eq!(
        dates.first().unwrap(),
        expected["date_min"].as_str().unwrap()
    );
    assert_eq!(
        dates.last().unwrap(),
        expected["date_max"].as_str().unwrap()
    );
    // Without a platform the generic import names every missing column and `--set`.
    let (_, code, stderr) = import_real("generic", file, &["--table", "spend"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("`platform`") && stderr.contains("--set platform="),
        "{stderr}"
    );
}

#[test]
fn linkedin_responses_in_dollars_and_one_without_a_campaign() {
    let file = "linkedin-ads/airbyte_linkedin_ad_campaign_analytics_response_1.json";
    let expected = facts(file);
    let (dir, code, stderr) = import_real("linkedin-ads", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let spend = rows(dir.path(), "spend");
    assert_eq!(spend.len() as u64, expected["elements"].as_u64().unwrap());
    assert!(close(sum(&spend, "cost"), f(&expected["cost_in_usd"])));
    assert_eq!(sum(&spend, "clicks"), f(&expected["clicks"]));
    assert_eq!(sum(&spend, "impressions"), f(&expected["impressions"]));
    assert_eq!(distinct(&spend, "currency"), ["USD"]);
    assert_eq!(distinct(&spend, "campaign_id"), ["1111"]);
    assert_eq!(distinct(&spend, "date"), ["2023-01-02", "2023-01-03"]);

    let file = "linkedin-ads/airbyte_linkedin_ad_member_country_analytics_response_1.json";
    assert_eq!(facts(file)["pivot_values_present"], false);
    let (_, code, stderr) = import_real("linkedin-ads", file, &[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("pivot=CAMPAIGN"), "{stderr}");
}

#[test]
fn hubspot_api_pages_and_a_deals_page_without_a_stage() {
    let file = "hubspot/airbyte_hubspot_crm_v3_contacts_page.json";
    let expected = facts(file);
    let (dir, code, stderr) = import_real("hubspot-contacts", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let contacts = rows(dir.path(), "contacts");
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0]["person_id"], expected["ids"][0]);
    assert_eq!(contacts[0]["account_id"], "5000526215");
    assert_eq!(contacts[0]["created_at"], "2021-02-23T20:08:49.603Z");

    let file = "hubspot/airbyte_hubspot_crm_v3_deals_page.json";
    assert_eq!(facts(file)["has_dealstage"], false);
    let (dir, code, stderr) = import_real("hubspot-deals", file, &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("`stage`") && stderr.contains("dealstage"),
        "{stderr}"
    );
    assert!(!dir.path().join("data/_manifest.json").exists());
}

#[test]
fn hubspot_companies_and_contacts_exports() {
    let file = "hubspot/salesmod_hubspot_companies_export.csv";
    let expected = facts(file);
    let (dir, code, stderr) = import_real("hubspot-companies", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let accounts = rows(dir.path(), "accounts");
    assert_eq!(
        accounts.len() as u64,
        expected["distinct_record_id"].as_u64().unwrap()
    );
    assert_eq!(
        count(&accounts, "domain") as u64,
        expected["non_empty_domain"].as_u64().unwrap()
    );
    assert_eq!(
        count(&accounts, "country") as u64,
        expected["per_country"]["United States"].as_u64().unwrap()
    );

    // Associated-company columns, two `Create Date`s (the contact's first), m/d/yy h:mm, and
    // ids Excel rounded (`1.10416E+11`): those no longer name a contact and are refused.
    let file = "hubspot/salesmod_hubspot_contacts_export.csv";
    let expected = facts(file);
    let (dir, code, stderr) = import_real("hubspot-contacts", file, &["--allow-rejects"]);
    assert_eq!(code, 0, "{stderr}");
    let mangled = expected["mangled_ids_e_plus"].as_u64().unwrap();
    assert!(stderr.contains(&format!("rejected {mangled}")), "{stderr}");
    assert!(stderr.contains("Excel rounded"), "{stderr}");
    let contacts = rows(dir.path(), "contacts");
    let records = expected["records"].as_u64().unwrap();
    assert_eq!(contacts.len() as u64, records - mangled);
    // Every distinct id that was not rounded is one contact.
    let distinct_ids = expected["distinct_record_id_contact"].as_u64().unwrap()
        - expected["distinct_mangled_ids"].as_u64().unwrap();
    assert_eq!(distinct(&contacts, "person_id").len() as u64, distinct_ids);
    // 2/1/24 22:48 month first, in Stockholm (CET): 21:48 UTC.
    assert_eq!(expected["create_date_contact_min"], "2024-02-01T22:48:00");
    let mut created = distinct(&contacts, "created_at");
    created.sort();
    assert_eq!(created[0], "2024-02-01T21:48:00Z");
    assert!(
        created
            .iter()
            .all(|c| c.as_str() >= "2024-02" && c.as_str() < "2025-11")
    );
    assert!(
        count(&contacts, "account_id") as u64
            <= expected["contacts_with_company"].as_u64().unwrap()
    );
    assert!(count(&contacts, "account_id") > 0);
}

#[test]
fn mailchimp_reports_with_underscores_macroman_bytes_and_api_fields() {
    let file = "mailchimp/domino_mailchimp_campaigns.csv";
    let expected = facts(file);
    let (dir, code, stderr) = import_real("mailchimp", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let sends = rows(dir.path(), "email_sends");
    assert_eq!(sends.len() as u64, expected["records"].as_u64().unwrap());
    for (column, fact) in [
        ("n_sent", "total_recipients"),
        ("n_delivered", "successful_deliveries"),
        ("n_opens_unique", "unique_opens"),
        ("n_clicks_unique", "unique_clicks"),
        ("n_unsubscribes", "unsubscribes"),
        ("n_bounces", "total_bounces"),
    ] {
        assert_eq!(sum(&sends, column), f(&expected[fact]), "{column}");
    }
    // 2/24/17 11:29 (CET) and 4/11/17 15:50 (CEST), month first.
    let sent = distinct(&sends, "sent_at");
    assert_eq!(expected["send_date_min"], "2017-02-24T11:29:00");
    assert_eq!(sent.first().unwrap(), "2017-02-24T10:29:00Z");
    assert_eq!(expected["send_date_max"], "2017-04-11T15:50:00");
    assert_eq!(sent.last().unwrap(), "2017-04-11T13:50:00Z");

    let file = "mailchimp/hdx_mailchimp_api_campaigns.csv";
    let expected = facts(file);
    let (dir, code, stderr) = import_real("mailchimp", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let sends = rows(dir.path(), "email_sends");
    assert_eq!(sends.len() as u64, expected["records"].as_u64().unwrap());
    assert_eq!(sum(&sends, "n_opens_unique"), f(&expected["unique_opens"]));
    assert_eq!(
        sum(&sends, "n_clicks_unique"),
        f(&expected["unique_clicks"])
    );
    assert_eq!(sum(&sends, "n_unsubscribes"), f(&expected["unsubscribes"]));
    // No sent or delivered counts in the file: no value, not 0.
    assert_eq!(count(&sends, "n_sent"), 0);
    assert_eq!(count(&sends, "n_delivered"), 0);
    // 2/27/2014 20:45:55 in Stockholm (CET).
    assert_eq!(expected["send_time_min"], "2014-02-27T20:45:55");
    assert_eq!(
        distinct(&sends, "sent_at").first().unwrap(),
        "2014-02-27T19:45:55Z"
    );
}

#[test]
fn ga4_bigquery_events_as_lines_and_as_a_flattened_array() {
    let file = "ga4-bigquery/dataform_ga4_sessions_test_events.ndjson";
    let expected = facts(file);
    let (dir, code, stderr) = import_real("ga4-bigquery", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let events = rows(dir.path(), "web_events");
    // Every event survives, also those of one batch that share a time and a name.
    assert_eq!(events.len() as u64, expected["lines"].as_u64().unwrap());
    assert_eq!(
        distinct(&events, "session_id").len() as u64,
        expected["distinct_user_session"].as_u64().unwrap()
    );
    let dates = distinct(&events, "event_date");
    assert_eq!(
        dates.first().unwrap(),
        expected["event_date_min"].as_str().unwrap()
    );
    assert_eq!(
        dates.last().unwrap(),
        expected["event_date_max"].as_str().unwrap()
    );
    let touches = rows(dir.path(), "touchpoints");
    assert_eq!(
        touches.len() as u64,
        expected["session_start"].as_u64().unwrap()
    );

    let file = "ga4-bigquery/harishprabakaran_ga4_sample_events_flat.json";
    let expected = facts(file);
    let (dir, code, stderr) = import_real("ga4-bigquery", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let events = rows(dir.path(), "web_events");
    assert_eq!(events.len() as u64, expected["events"].as_u64().unwrap());
    assert_eq!(distinct(&events, "session_id"), ["session_001"]);
    assert_eq!(distinct(&events, "source"), ["google"]);
    let mut times = distinct(&events, "event_time");
    times.sort();
    assert_eq!(times[0], expected["timestamps_utc"][0].as_str().unwrap());
}

#[test]
fn ga4_reports_downloaded_from_the_ui_and_flattened_from_the_api() {
    let file = "ga4-data-api/ajst1974_ga4_report_flattened.json";
    let expected = facts(file);
    let (dir, code, stderr) = import_real("ga4-data-api", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let observations = rows(dir.path(), "observations");
    let by_metric = |metric: &str| -> Vec<Row> {
        observations
            .iter()
            .filter(|r| r["metric"] == metric)
            .cloned()
            .collect()
    };
    for (metric, key) in [
        ("ga4_activeUsers", "active_users"),
        ("ga4_newUsers", "new_users"),
        ("ga4_sessions", "sessions"),
        ("ga4_pageViews", "page_views"),
    ] {
        let rows = by_metric(metric);
        assert_eq!(
            rows.len() as u64,
            expected["rows"].as_u64().unwrap(),
            "{metric}"
        );
        assert_eq!(sum(&rows, "value"), f(&expected["sums"][key]), "{metric}");
    }
    let dates = distinct(&observations, "date");
    assert_eq!(
        dates.first().unwrap(),
        expected["date_min"].as_str().unwrap()
    );
    assert_eq!(
        dates.last().unwrap(),
        expected["date_max"].as_str().unwrap()
    );

    // The Events report for 90 days: counts spread over the days, users (not additive) left
    // out and named.
    let file = "ga4-data-api/danieltheC_ga4_ui_events_export.csv";
    let expected = facts(file);
    let (dir, code, stderr) = import_real("ga4-data-api", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("`Total users`"), "{stderr}");
    let observations = rows(dir.path(), "observations");
    let events: Vec<Row> = observations
        .iter()
        .filter(|r| r["metric"] == "ga4_eventCount")
        .cloned()
        .collect();
    let days = expected["days"].as_u64().unwrap();
    assert_eq!(
        events.len() as u64,
        expected["rows"].as_u64().unwrap() * days
    );
    assert_eq!(sum(&events, "value"), f(&expected["event_count_sum"]));
    let dates = distinct(&events, "date");
    assert_eq!(
        dates.first().unwrap(),
        expected["start_date"].as_str().unwrap()
    );
    assert_eq!(
        dates.last().unwrap(),
        expected["end_date"].as_str().unwrap()
    );
    assert!(observations.iter().all(|r| !r["metric"].contains("User")));
}

#[test]
fn a_pipedrive_webhook_is_read_from_its_envelope() {
    let file = "pipedrive/pipedrive_dotnet_webhook_deal_create.json";
    let expected = facts(file);
    let (dir, code, stderr) = import_real("pipedrive-deals", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let deals = rows(dir.path(), "deals");
    assert_eq!(deals.len(), 1);
    let deal = &deals[0];
    assert_eq!(deal["deal_id"], expected["current"]["id"].to_string());
    assert_eq!(
        deal["amount"].parse::<f64>().unwrap(),
        f(&expected["current"]["value"])
    );
    assert_eq!(deal["currency"], expected["current"]["currency"]);
    assert_eq!(deal["is_closed"], "false");
    // Pipedrive writes UTC.
    assert_eq!(expected["add_time_iso"], "2018-07-10T15:04:54");
    assert_eq!(deal["created_at"], "2018-07-10T15:04:54Z");
}

#[test]
fn qualtrics_current_and_legacy_layouts_give_the_same_answers() {
    let mut answers = Vec::new();
    for file in [
        "qualtrics/qualtRics_sample.csv",
        "qualtrics/qualtRics_sample_legacy.csv",
    ] {
        let expected = facts(file);
        let (dir, code, stderr) = import_real("survey", file, &["--map", "survey_id=sample"]);
        assert_eq!(code, 0, "{file}: {stderr}");
        let rows = rows(dir.path(), "survey_responses");
        assert_eq!(
            distinct(&rows, "respondent_id"),
            [expected["response_ids"][0].as_str().unwrap()]
        );
        let mut got: Vec<(String, Option<String>, Option<String>)> = rows
            .iter()
            .map(|r| {
                (
                    r["question"].clone(),
                    r.get("answer_numeric").cloned(),
                    r.get("answer_text").cloned(),
                )
            })
            .collect();
        got.sort();
        // Q1 = 2 (a number), Q2 = "Hello World!" (text, never a number).
        assert_eq!(expected["answers"][0]["Q1"], "2");
        assert_eq!(expected["answers"][0]["Q2"], "Hello World!");
        assert_eq!(
            got,
            [
                ("q1".to_string(), Some("2.0".to_string()), None),
                ("q2".to_string(), None, Some("Hello World!".to_string())),
            ],
            "{file}"
        );
        // 2017-07-18 08:28:48 in Stockholm (CEST): 06:28:48 UTC.
        assert_eq!(expected["end_date"][0], "2017-07-18T08:28:48");
        assert_eq!(distinct(&rows, "response_time"), ["2017-07-18T06:28:48Z"]);
        answers.push(got);
    }
    assert_eq!(answers[0], answers[1]);
}

#[test]
fn salesforce_reports_with_dutch_settings() {
    let file = "salesforce/parkbee_sf_leads_report_nl_first2000.csv";
    let expected = facts(file);
    assert_eq!(expected["has_id_column"], false);
    let (dir, code, stderr) = import_real("salesforce-leads", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("no id column"), "{stderr}");
    let contacts = rows(dir.path(), "contacts");
    // Every lead once: distinct leads that agree on name, company and day are kept apart.
    assert_eq!(contacts.len() as u64, expected["records"].as_u64().unwrap());
    assert_eq!(distinct(&contacts, "person_id").len(), contacts.len());
    assert_eq!(
        count(&contacts, "email_hash") as u64,
        expected["non_empty_email"].as_u64().unwrap()
    );
    // 7-4-2017 and 25-7-2018, day first: local midnight in Stockholm (CEST) is 22:00 UTC.
    assert_eq!(expected["create_date_min"], "2017-04-07");
    assert_eq!(expected["create_date_max"], "2018-07-25");
    let created = distinct(&contacts, "created_at");
    assert_eq!(created.first().unwrap(), "2017-04-06T22:00:00Z");
    assert_eq!(created.last().unwrap(), "2018-07-24T22:00:00Z");
    // Importing it again changes nothing.
    let (code, stderr) = import_with(dir.path(), "salesforce-leads", &real(file), &[]);
    assert_eq!(code, 0);
    assert!(stderr.contains("already imported"), "{stderr}");

    let file = "salesforce/parkbee_sf_opportunities_report_nl.csv";
    let expected = facts(file);
    let (dir, code, stderr) = import_real("salesforce-opportunities", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let deals = rows(dir.path(), "deals");
    assert_eq!(deals.len() as u64, expected["records"].as_u64().unwrap());
    for currency in ["EUR", "GBP"] {
        let of: Vec<Row> = deals
            .iter()
            .filter(|d| d["currency"] == currency)
            .cloned()
            .collect();
        let fact = &expected["amount_by_currency"][currency];
        assert_eq!(
            of.len() as u64,
            fact["records"].as_u64().unwrap(),
            "{currency}"
        );
        assert!(
            close(sum(&of, "amount"), f(&fact["amount_sum"])),
            "{currency}"
        );
        // A blank amount is no value, not 0.
        assert_eq!(
            count(&of, "amount") as u64,
            fact["amount_non_empty"].as_u64().unwrap()
        );
    }
    let won = deals.iter().filter(|d| d["is_won"] == "true").count() as u64;
    let closed = deals.iter().filter(|d| d["is_closed"] == "true").count() as u64;
    assert_eq!(won, expected["per_stage"]["Closed Won"].as_u64().unwrap());
    assert_eq!(
        closed,
        won + expected["per_stage"]["Closed Lost"].as_u64().unwrap()
    );
}

#[test]
fn a_surveymonkey_export_saved_again_by_pandas() {
    let file = "surveymonkey/ohbm_2022_surveymonkey_export_via_pandas.csv";
    let expected = facts(file);
    // Its owners removed the dates: refused with the fix.
    let (_, code, stderr) = import_real("survey", file, &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no response dates") && stderr.contains("--set response_time="),
        "{stderr}"
    );
    let (dir, code, stderr) = import_real("survey", file, &["--set", "response_time=2022-06-30"]);
    assert_eq!(code, 0, "{stderr}");
    let rows = rows(dir.path(), "survey_responses");
    assert_eq!(
        distinct(&rows, "respondent_id").len() as u64,
        expected["records"].as_u64().unwrap()
    );
    let first: Vec<&Row> = rows
        .iter()
        .filter(|r| r["question"] == "are_you_a_member_of_ohbm")
        .collect();
    let answers = &expected["first_question_answers"];
    assert_eq!(
        first.len() as u64,
        answers["Yes"].as_u64().unwrap() + answers["No"].as_u64().unwrap()
    );
    assert_eq!(
        first
            .iter()
            .filter(|r| r.get("answer_text").map(String::as_str) == Some("Yes"))
            .count() as u64,
        answers["Yes"].as_u64().unwrap()
    );
    // Text answers are never numbers.
    assert!(first.iter().all(|r| !r.contains_key("answer_numeric")));
}

#[test]
fn a_content_calendar_grid_is_not_an_activity_plan() {
    let file = "activities/danieltheC_f4l_q2_2026_content_calendar.xlsx";
    assert_eq!(facts(file)["has_activity_table"], false);
    let (dir, code, stderr) = import_real("activities", file, &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("`activity_id`") && stderr.contains("header row with an id, name, kind"),
        "{stderr}"
    );
    assert!(!dir.path().join("data/_manifest.json").exists());
}
