//! Every preset on fixtures in its vendor's documented shape: API JSON pages, report CSVs with
//! their footers, wide survey exports, Excel, GA4 as Parquet; expected values read off the
//! fixtures by hand.

use std::collections::BTreeMap;
use std::path::Path;

use crate::import::{find, fixture, import, import_with, manifest, rows};
use crate::{new_workspace, utfall};

fn number(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?}", row.get(column)))
}

fn sorted(mut rows: Vec<BTreeMap<String, String>>) -> Vec<BTreeMap<String, String>> {
    rows.sort_by_key(|r| format!("{r:?}"));
    rows
}

#[test]
fn ga4_parquet_reads_as_the_ndjson_export() {
    let json = new_workspace("b2b");
    let parquet = new_workspace("b2b");
    let (code, _) = import(
        json.path(),
        "ga4-bigquery",
        &fixture("ga4_events_20261126.json"),
    );
    assert_eq!(code, 0);
    let (code, stderr) = import(
        parquet.path(),
        "ga4-bigquery",
        &fixture("ga4_events_20261126.parquet"),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("read 8, imported 6, duplicates 0, rejected 0, skipped 2"),
        "{stderr}"
    );
    for table in ["web_events", "touchpoints"] {
        assert_eq!(
            sorted(rows(parquet.path(), table)),
            sorted(rows(json.path(), table)),
            "{table}"
        );
    }
    assert_eq!(rows(parquet.path(), "web_events").len(), 6);
}

#[test]
fn identities_from_sign_ins_tracked_email_links_and_form_fills() {
    let dir = new_workspace("b2b");
    let (code, stderr) = import(
        dir.path(),
        "ga4-bigquery",
        &fixture("ga4_events_20261127.json"),
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = import(
        dir.path(),
        "form-submissions",
        &fixture("form_submissions.csv"),
    );
    assert_eq!(code, 0, "{stderr}");
    let identities = rows(dir.path(), "identities");
    let link = |anonymous: &str| find(&identities, "anonymous_id", anonymous);
    assert_eq!(link("444.4")["person_id"], "101");
    assert_eq!(link("444.4")["method"], "user_id");
    // `?utm_medium=email&pid=103` in the landing page: an e-mail click.
    assert_eq!(link("555.5")["person_id"], "103");
    assert_eq!(link("555.5")["method"], "email_click");
    // The form's hidden field held the `_ga` cookie `GA1.1.111.1`: client id `111.1`.
    assert_eq!(link("111.1")["person_id"], "101");
    assert_eq!(link("111.1")["method"], "form");
    // 10:15 in Stockholm in November is 09:15 UTC.
    assert_eq!(link("111.1")["linked_at"], "2026-11-26T09:15:00Z");
    assert_eq!(link("333.3")["person_id"], "103");
    assert_eq!(identities.len(), 4);
}

#[test]
fn ga4_data_api_run_report_pages() {
    let dir = new_workspace("b2b");
    let (code, stderr) = import(
        dir.path(),
        "ga4-data-api",
        &fixture("ga4_data_api_report.json"),
    );
    assert_eq!(code, 0, "{stderr}");
    let observations = rows(dir.path(), "observations");
    assert_eq!(observations.len(), 9, "3 rows over two pages × 3 metrics");
    let sessions: Vec<_> = observations
        .iter()
        .filter(|o| o["metric"] == "ga4_sessions")
        .collect();
    let organic = sessions
        .iter()
        .find(|o| o["date"] == "2026-11-01" && o["dimension_value"] == "Organic Search")
        .unwrap();
    assert_eq!(number(organic, "value"), 412.0);
    assert_eq!(organic["unit"], "count");
    assert_eq!(organic["dimension"], "sessionDefaultChannelGroup");
    let duration = find(&observations, "metric", "ga4_averageSessionDuration");
    assert_eq!(duration["unit"], "seconds");
    assert_eq!(number(duration, "value"), 81.25);
}

#[test]
fn hubspot_crm_api_pages_with_associations() {
    let dir = new_workspace("b2b");
    let (code, stderr) = import(
        dir.path(),
        "hubspot-deals",
        &fixture("hubspot_deals_api.json"),
    );
    assert_eq!(code, 0, "{stderr}");
    let deals = rows(dir.path(), "deals");
    assert_eq!(deals.len(), 2);
    let won = find(&deals, "deal_id", "9001");
    assert_eq!(
        (won["is_won"].as_str(), won["is_closed"].as_str()),
        ("true", "true")
    );
    assert_eq!(number(won, "amount"), 150_000.0);
    assert_eq!(won["account_id"], "501");
    assert_eq!(won["primary_person_id"], "101");
    assert_eq!(won["closed_at"], "2026-10-15T12:00:00Z");
    let open = find(&deals, "deal_id", "9002");
    assert_eq!(open["is_closed"], "false");
    assert!(!open.contains_key("closed_at"));
    assert_eq!(number(open, "amount"), 42_000.5);
    let links = rows(dir.path(), "deal_contacts");
    let mut pairs: Vec<(String, String)> = links
        .iter()
        .map(|l| (l["deal_id"].clone(), l["person_id"].clone()))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [("9001", "101"), ("9001", "102"), ("9002", "103")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );

    let (code, stderr) = import(
        dir.path(),
        "hubspot-contacts",
        &fixture("hubspot_contacts_api.json"),
    );
    assert_eq!(code, 0, "{stderr}");
    let contacts = rows(dir.path(), "contacts");
    let anna = find(&contacts, "person_id", "101");
    // printf 'anna.berg@nordkraft.se' | sha256sum
    assert_eq!(
        anna["email_hash"],
        "c3ae1510ea6e7e9222fbc19af19cf399df7a253e33e7de1f54d48a803ecf55f4"
    );
    assert_eq!(anna["original_channel"], "organic_search");
    assert_eq!(anna["became_mql_at"], "2026-07-28T08:00:00Z");
    assert_eq!(
        find(&contacts, "person_id", "103")["original_channel"],
        "paid_social"
    );
    let identities = rows(dir.path(), "identities");
    assert_eq!(identities.len(), 1);
    assert_eq!(
        (
            identities[0]["person_id"].as_str(),
            identities[0]["account_id"].as_str(),
            identities[0]["method"].as_str()
        ),
        ("101", "501", "crm")
    );
}

#[test]
fn salesforce_report_csv_with_its_footer_and_rest_json() {
    let dir = new_workspace("b2b");
    let (code, stderr) = import(
        dir.path(),
        "salesforce-opportunities",
        &fixture("salesforce_opportunities_report.csv"),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("read 3, imported 3, duplicates 0, rejected 0"),
        "{stderr}"
    );
    let deals = rows(dir.path(), "deals");
    let won = find(&deals, "deal_id", "0065g00000AbCdEAAV");
    assert_eq!(number(won, "amount"), 250_000.0);
    assert_eq!(won["currency"], "SEK");
    assert_eq!(won["is_won"], "true");
    assert_eq!(won["account_id"], "0015g00000XyZaBAAV");
    // 10/30/2026, month first: midnight in Stockholm (CET) is 23:00 UTC the day before.
    assert_eq!(won["closed_at"], "2026-10-29T23:00:00Z");
    assert_eq!(won["created_at"], "2026-06-30T22:00:00Z");
    let lost = find(&deals, "deal_id", "0065g00000AbCdFAAV");
    assert_eq!(
        (lost["is_closed"].as_str(), lost["is_won"].as_str()),
        ("true", "false")
    );
    let open = find(&deals, "deal_id", "0065g00000AbCdGAAV");
    assert_eq!(number(open, "amount"), 75_500.25);
    assert_eq!(open["is_closed"], "false");

    // The REST query: the won deal again (updated in place), and a new one without an amount.
    let (code, stderr) = import(
        dir.path(),
        "salesforce-opportunities",
        &fixture("salesforce_opportunities_query.json"),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("read 2, imported 2, duplicates 1"),
        "{stderr}"
    );
    let deals = rows(dir.path(), "deals");
    assert_eq!(deals.len(), 4);
    let won = find(&deals, "deal_id", "0065g00000AbCdEAAV");
    assert_eq!(won["created_at"], "2026-07-01T08:00:00Z");
    assert_eq!(won["campaign_id"], "7015g000000AbcDAAS");
    let new = find(&deals, "deal_id", "0065g00000AbCdHAAV");
    // No amount in the CRM is no value, not 0.
    assert_eq!(new.get("amount"), None);
    assert_eq!(new["stage"], "Prospecting");
}

#[test]
fn salesforce_leads_and_campaign_members() {
    let dir = new_workspace("b2b");
    let (code, stderr) = import(
        dir.path(),
        "salesforce-leads",
        &fixture("salesforce_leads_query.json"),
    );
    assert_eq!(code, 0, "{stderr}");
    let contacts = rows(dir.path(), "contacts");
    assert_eq!(contacts.len(), 2);
    // A converted lead is its contact.
    let karin = find(&contacts, "person_id", "0035g00000CoNt1AAB");
    // printf 'karin.lund@lind.se' | sha256sum
    assert_eq!(
        karin["email_hash"],
        "9dfa81402b7aa1222c82e8c530d86635e9cca562b0a893d0818047ad709ed07c"
    );
    assert_eq!(karin["original_channel"], "events");
    assert_eq!(karin["became_opportunity_at"], "2026-10-19T22:00:00Z");
    assert_eq!(
        find(&contacts, "person_id", "00Q5g00000LeAd2EAB")["original_channel"],
        "direct"
    );
    let identities = rows(dir.path(), "identities");
    assert_eq!(identities.len(), 1);
    assert_eq!(identities[0]["account_id"], "0015g00000XyZaCAAV");

    let (code, stderr) = import(
        dir.path(),
        "salesforce-campaign-members",
        &fixture("salesforce_campaign_members_report.csv"),
    );
    assert_eq!(code, 0, "{stderr}");
    let touches = rows(dir.path(), "touchpoints");
    assert_eq!(touches.len(), 3);
    let fair = find(&touches, "campaign", "Elmässan 2026");
    assert_eq!(fair["person_id"], "0035g00000CoNt1AAB");
    assert_eq!(fair["channel"], "events");
    // First responded 10/14/2026 (month first), midnight in Stockholm (CEST).
    assert_eq!(fair["touch_time"], "2026-10-13T22:00:00Z");
    let webinar = find(&touches, "campaign", "Webbinarium november");
    assert_eq!(webinar["person_id"], "00Q5g00000LeAd2EAB");
    assert_eq!(webinar["touch_time"], "2026-11-01T23:00:00Z");
    assert_eq!(
        find(&touches, "campaign", "Nyhetsbrev november")["channel"],
        "email"
    );
    // Canonical kinds: the fair's responder attended; the rest only registered or were sent.
    assert_eq!(fair["kind"], "event_attended");
    assert_eq!(webinar["kind"], "other");
}

#[test]
fn pipedrive_export_and_api() {
    let dir = new_workspace("b2b");
    let (code, stderr) = import(
        dir.path(),
        "pipedrive-deals",
        &fixture("pipedrive_deals_export.csv"),
    );
    assert_eq!(code, 0, "{stderr}");
    let deals = rows(dir.path(), "deals");
    assert_eq!(deals.len(), 3);
    let won = find(&deals, "deal_id", "12");
    assert_eq!(
        (won["is_won"].as_str(), won["is_closed"].as_str()),
        ("true", "true")
    );
    // The export writes local time: 13:00 in Stockholm (CEST) is 11:00 UTC.
    assert_eq!(won["closed_at"], "2026-10-01T11:00:00Z");
    assert_eq!(number(won, "amount"), 180_000.0);
    let lost = find(&deals, "deal_id", "13");
    assert_eq!(
        (lost["is_won"].as_str(), lost["is_closed"].as_str()),
        ("false", "true")
    );
    assert_eq!(find(&deals, "deal_id", "14")["is_closed"], "false");
    assert_eq!(number(find(&deals, "deal_id", "14"), "amount"), 75_500.25);

    let api = new_workspace("b2b");
    let (code, stderr) = import(
        api.path(),
        "pipedrive-deals",
        &fixture("pipedrive_deals_api.json"),
    );
    assert_eq!(code, 0, "{stderr}");
    let deals = rows(api.path(), "deals");
    let won = find(&deals, "deal_id", "12");
    assert_eq!(won["account_id"], "501");
    assert_eq!(won["primary_person_id"], "101");
    assert_eq!(won["owner"], "7001");
    // The API writes UTC.
    assert_eq!(won["closed_at"], "2026-10-01T13:00:00Z");
    assert_eq!(won["created_at"], "2026-08-03T09:12:44Z");
}

#[test]
fn ads_apis_give_the_same_spend_as_the_reports() {
    let report = new_workspace("b2b");
    let api = new_workspace("b2b");
    import(
        report.path(),
        "google-ads",
        &fixture("google_ads_report.csv"),
    );
    // The API names no currency unless the query selects `customer.currency_code`.
    let (code, stderr) = import_with(
        api.path(),
        "google-ads",
        &fixture("google_ads_search_stream.json"),
        &["--currency", "SEK"],
    );
    assert_eq!(code, 0, "{stderr}");
    let key = |rows: Vec<BTreeMap<String, String>>| {
        let mut out: Vec<(String, String, String, String, String, String)> = rows
            .into_iter()
            .map(|r| {
                (
                    r["date"].clone(),
                    r["campaign_id"].clone(),
                    r["cost"].clone(),
                    r["impressions"].clone(),
                    r["clicks"].clone(),
                    r["platform_conversions"].clone(),
                )
            })
            .collect();
        out.sort();
        out
    };
    let from_api = key(rows(api.path(), "spend"));
    assert_eq!(from_api, key(rows(report.path(), "spend")));
    // costMicros 1 234 500 000 is 1 234,50.
    assert_eq!(from_api[0].2.parse::<f64>().unwrap(), 1234.5);

    let dir = new_workspace("b2b");
    let (code, stderr) = import(dir.path(), "meta-ads", &fixture("meta_insights_api.json"));
    assert_eq!(code, 0, "{stderr}");
    let spend = rows(dir.path(), "spend");
    let first = find(&spend, "date", "2026-11-01");
    assert_eq!(number(first, "cost"), 1520.35);
    assert_eq!(
        number(first, "platform_conversions"),
        14.0,
        "`lead` actions by default"
    );
    assert_eq!(first["platform"], "meta");
    // Another conversion action, chosen by a mapping.
    let other = new_workspace("b2b");
    let (code, stderr) = import_with(
        other.path(),
        "meta-ads",
        &fixture("meta_insights_api.json"),
        &[
            "--map",
            "actions.offsite_conversion.fb_pixel_lead=platform_conversions",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let spend = rows(other.path(), "spend");
    assert_eq!(
        number(find(&spend, "date", "2026-11-01"), "platform_conversions"),
        9.0
    );

    let dir = new_workspace("b2b");
    // `costInLocalCurrency` is in the ad account's currency, which the response does not name.
    let (code, stderr) = import(
        dir.path(),
        "linkedin-ads",
        &fixture("linkedin_ad_analytics.json"),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("no currency") && stderr.contains("--currency"),
        "{stderr}"
    );
    let (code, stderr) = import_with(
        dir.path(),
        "linkedin-ads",
        &fixture("linkedin_ad_analytics.json"),
        &["--currency", "SEK"],
    );
    assert_eq!(code, 0, "{stderr}");
    let spend = rows(dir.path(), "spend");
    assert_eq!(spend.len(), 2);
    let day = find(&spend, "date", "2026-11-02");
    assert_eq!(number(day, "cost"), 2150.75);
    // The URN's number: the same id as Campaign Manager's exports write.
    assert_eq!(day["campaign_id"], "612345678");
    assert_eq!(day["currency"], "SEK");
    assert_eq!(number(day, "platform_conversions"), 4.0);
}

#[test]
fn qualtrics_three_header_rows() {
    let dir = new_workspace("b2b");
    let (code, stderr) = import_with(
        dir.path(),
        "survey",
        &fixture("qualtrics_brand_tracker.csv"),
        &["--map", "Q1=nps", "--map", "Q2=awareness"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("read 3, imported 2, duplicates 0, rejected 0, skipped 1"),
        "{stderr}"
    );
    let answers = rows(dir.path(), "survey_responses");
    // Respondent 1: nps, two brands, a text; respondent 2: nps, two brands; the preview none.
    assert_eq!(answers.len(), 7);
    let first: Vec<_> = answers
        .iter()
        .filter(|a| a["respondent_id"] == "R_1a2B3c4D5e6F7g8")
        .collect();
    assert_eq!(first.len(), 4);
    let nps = first.iter().find(|a| a["question"] == "nps").unwrap();
    assert_eq!(number(nps, "answer_numeric"), 9.0);
    assert_eq!(number(nps, "weight"), 1.2);
    assert_eq!(nps["wave"], "2026-10");
    assert_eq!(nps["survey_id"], "qualtrics_brand_tracker");
    // Recorded 10:03:41 in Europe/Stockholm (the export's timeZone), CEST.
    assert_eq!(nps["response_time"], "2026-10-05T08:03:41Z");
    let brands: Vec<&str> = first
        .iter()
        .filter(|a| a["question"] == "awareness")
        .map(|a| a["brand"].as_str())
        .collect();
    assert_eq!(brands, ["Nordkraft", "Vattenfall"]);
    let text = first.iter().find(|a| a["question"] == "q3").unwrap();
    assert_eq!(text["answer_text"], "Pålitlig, \"grön\" el");
}

#[test]
fn surveymonkey_two_header_rows() {
    let dir = new_workspace("b2b");
    let question = "How likely is it that you would recommend Nordkraft to a friend or colleague?";
    let (code, stderr) = import_with(
        dir.path(),
        "survey",
        &fixture("surveymonkey_brand_tracker.csv"),
        &["--map", &format!("{question}=nps")],
    );
    assert_eq!(code, 0, "{stderr}");
    let answers = rows(dir.path(), "survey_responses");
    assert_eq!(answers.len(), 7);
    let nps: Vec<f64> = answers
        .iter()
        .filter(|a| a["question"] == "nps")
        .map(|a| number(a, "answer_numeric"))
        .collect();
    assert_eq!(nps, [9.0, 7.0]);
    let heard: Vec<(&str, &str)> = answers
        .iter()
        .filter(|a| a["question"] == "which_of_these_brands_have_you_heard_of")
        .map(|a| (a["respondent_id"].as_str(), a["brand"].as_str()))
        .collect();
    assert_eq!(
        heard,
        [
            ("114285203459", "Nordkraft"),
            ("114285203459", "Vattenfall"),
            ("114285209911", "Nordkraft"),
            ("114285209911", "Fortum")
        ]
    );
    // 10/14/2026 10:03:40 AM (month first) in Stockholm, CEST.
    let first = find(&answers, "respondent_id", "114285203459");
    assert_eq!(first["response_time"], "2026-10-14T08:03:40Z");
}

#[test]
fn activity_plan_from_excel() {
    let dir = new_workspace("b2b");
    let (code, stderr) = import(
        dir.path(),
        "activities",
        &fixture("aktivitetsplan_2026.xlsx"),
    );
    assert_eq!(code, 0, "{stderr}");
    let activities = rows(dir.path(), "activities");
    assert_eq!(activities.len(), 3);
    let fair = find(&activities, "activity_id", "fair_elmia");
    assert_eq!(fair["start_date"], "2026-11-10");
    assert_eq!(fair["end_date"], "2026-11-13");
    assert_eq!(number(fair, "budget"), 250_000.0);
    let spend = rows(dir.path(), "spend");
    assert_eq!(spend.len(), 2, "the webinar has no cost yet");
    assert_eq!(
        number(find(&spend, "activity_id", "fair_elmia"), "cost"),
        238_500.5
    );
}

#[test]
fn broken_json_names_the_line_and_column() {
    let dir = new_workspace("b2b");
    let file = dir.path().join("deals.json");
    std::fs::write(&file, "{\"results\": [\n  {\"id\": \"1\",, }\n]}").unwrap();
    let (code, stderr) = import(dir.path(), "hubspot-deals", &file);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("deals.json") && stderr.contains("line 2, column"),
        "{stderr}"
    );
}

/// Re-importing every fixture, byte for byte and as a different file with the same rows,
/// leaves every table's count unchanged.
#[test]
fn reimporting_every_fixture_changes_no_count() {
    let dir = new_workspace("b2b");
    let fixtures = [
        ("ga4-bigquery", "ga4_events_20261126.json"),
        ("ga4-bigquery", "ga4_events_20261126.parquet"),
        ("ga4-bigquery", "ga4_events_20261127.json"),
        ("ga4-data-api", "ga4_data_api_report.json"),
        ("hubspot-contacts", "hubspot_contacts_en.csv"),
        ("hubspot-contacts", "hubspot_contacts_api.json"),
        ("hubspot-deals", "hubspot_deals_sv.csv"),
        ("hubspot-deals", "hubspot_deals_api.json"),
        (
            "salesforce-opportunities",
            "salesforce_opportunities_report.csv",
        ),
        (
            "salesforce-opportunities",
            "salesforce_opportunities_query.json",
        ),
        ("salesforce-leads", "salesforce_leads_query.json"),
        (
            "salesforce-campaign-members",
            "salesforce_campaign_members_report.csv",
        ),
        ("pipedrive-deals", "pipedrive_deals_export.csv"),
        ("google-ads", "google_ads_report.csv"),
        ("google-ads", "google_ads_search_stream.json"),
        ("meta-ads", "meta_insights_api.json"),
        ("linkedin-ads", "linkedin_ad_analytics.json"),
        ("mailchimp", "mailchimp_campaigns.csv"),
        ("hubspot-email", "hubspot_email_export.csv"),
        ("hubspot-companies", "hubspot_companies_sv.csv"),
        ("survey", "qualtrics_brand_tracker.csv"),
        ("survey", "surveymonkey_brand_tracker.csv"),
        ("activities", "activities.csv"),
        ("activities", "aktivitetsplan_2026.xlsx"),
        ("form-submissions", "form_submissions.csv"),
    ];
    let counts = |dir: &Path| -> Vec<(String, u64)> {
        let manifest = manifest(dir);
        let mut out: Vec<(String, u64)> = manifest["tables"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, table)| {
                // What the engine counts, not what the manifest says.
                let sql = format!("select count(*) as n from {name}");
                let output = utfall()
                    .args(["sql", "--format", "json", "-C"])
                    .arg(dir)
                    .arg(&sql)
                    .output()
                    .unwrap();
                let value: serde_json::Value = serde_json::from_slice(&output.stdout)
                    .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
                assert_eq!(value[0]["n"].as_u64(), table["rows"].as_u64(), "{name}");
                (name.clone(), value[0]["n"].as_u64().unwrap())
            })
            .collect();
        out.sort();
        out
    };
    let allow = ["--allow-rejects", "--currency", "SEK"];
    for (preset, file) in fixtures {
        let (code, stderr) = import_with(dir.path(), preset, &fixture(file), &allow);
        assert_eq!(code, 0, "{file}: {stderr}");
    }
    let before = counts(dir.path());
    assert!(before.len() >= 11, "{before:?}");
    for (preset, file) in fixtures {
        let (code, stderr) = import_with(dir.path(), preset, &fixture(file), &allow);
        assert_eq!(code, 0, "{file}: {stderr}");
        assert!(stderr.contains("already imported"), "{file}: {stderr}");
        // The same rows in another file: merged on the natural key, nothing added.
        if !file.ends_with(".xlsx") && !file.ends_with(".parquet") {
            // A download of the same export, saved again under its name elsewhere.
            std::fs::create_dir_all(dir.path().join("again")).unwrap();
            let copy = dir.path().join("again").join(file);
            let mut bytes = std::fs::read(fixture(file)).unwrap();
            bytes.extend_from_slice(b"\n");
            std::fs::write(&copy, bytes).unwrap();
            let (code, stderr) = import_with(dir.path(), preset, &copy, &allow);
            assert_eq!(code, 0, "{file}: {stderr}");
        }
    }
    assert_eq!(counts(dir.path()), before);
}

/// A form fill ties an anonymous browser to a person: the person's earlier anonymous session
/// (paid search, from GA4) becomes theirs, and the deal they later won is attributed to it.
#[test]
fn a_form_fill_gives_a_person_their_earlier_anonymous_sessions() {
    let dir = new_workspace("b2b");
    let (code, _) = import(
        dir.path(),
        "ga4-bigquery",
        &fixture("ga4_events_20261126.json"),
    );
    assert_eq!(code, 0);
    // Contact 101 wins a deal the day after browser `111.1` came from paid search.
    let deals = dir.path().join("deals.csv");
    std::fs::write(
        &deals,
        "Record ID,Deal Name,Deal Stage,Amount,Currency,Create Date,Close Date,Associated Contact IDs\n\
         7001,Stitched,closedwon,1000,SEK,2026-11-26 12:00,2026-11-27 12:00,101\n",
    )
    .unwrap();
    let (code, stderr) = import(dir.path(), "hubspot-deals", &deals);
    assert_eq!(code, 0, "{stderr}");
    let attribution = |dir: &Path| {
        crate::json(
            &[
                "attribution",
                "--conversion",
                "won_deals",
                "--by",
                "channel",
                "--model",
                "first",
                "--format",
                "json",
            ],
            dir,
        )
    };
    let before = attribution(dir.path());
    assert_eq!(
        before["journeys_with_touches"], 0,
        "the session is anonymous"
    );
    let (code, stderr) = import(
        dir.path(),
        "form-submissions",
        &fixture("form_submissions.csv"),
    );
    assert_eq!(code, 0, "{stderr}");
    let after = attribution(dir.path());
    assert_eq!(after["journeys_with_touches"], 1);
    let rows = after["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["channel"], "paid_search");
    assert_eq!(rows[0]["models"]["first"]["value"].as_f64(), Some(1000.0));
}

#[test]
fn hubspot_companies_and_marketing_emails() {
    let dir = new_workspace("b2b");
    // UTF-8 with a BOM, `;`, Swedish labels, a no-break space as thousands separator.
    let (code, stderr) = import(
        dir.path(),
        "hubspot-companies",
        &fixture("hubspot_companies_sv.csv"),
    );
    assert_eq!(code, 0, "{stderr}");
    let accounts = rows(dir.path(), "accounts");
    assert_eq!(accounts.len(), 3);
    let nordkraft = find(&accounts, "account_id", "501");
    assert_eq!(nordkraft["name"], "Nordkraft AB");
    assert_eq!(nordkraft["domain"], "nordkraft.se");
    assert_eq!(nordkraft["employees"], "1250");
    assert!(!find(&accounts, "account_id", "503").contains_key("employees"));

    let (code, stderr) = import(
        dir.path(),
        "hubspot-email",
        &fixture("hubspot_email_export.csv"),
    );
    assert_eq!(code, 0, "{stderr}");
    let sends = rows(dir.path(), "email_sends");
    assert_eq!(sends.len(), 2);
    let november = find(&sends, "send_id", "88001234");
    assert_eq!(november["n_sent"], "4210");
    assert_eq!(november["n_clicks_unique"], "312");
    // 08:00 in Stockholm in November is 07:00 UTC.
    assert_eq!(november["sent_at"], "2026-11-06T07:00:00Z");
}

#[test]
fn generic_reads_parquet_and_ndjson() {
    // Spend from a report, then its Parquet part imported elsewhere as a generic file.
    let first = new_workspace("b2b");
    import(
        first.path(),
        "google-ads",
        &fixture("google_ads_report.csv"),
    );
    let manifest = manifest(first.path());
    let part = first.path().join("data").join(
        manifest["tables"]["spend"]["parts"][0]["file"]
            .as_str()
            .unwrap(),
    );
    let second = new_workspace("b2b");
    let (code, stderr) = import_with(second.path(), "generic", &part, &["--table", "spend"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        sorted(rows(second.path(), "spend")),
        sorted(rows(first.path(), "spend"))
    );

    let ndjson = second.path().join("activities.ndjson");
    std::fs::write(
        &ndjson,
        "{\"activity_id\": \"a1\", \"name\": \"Mässa\", \"kind\": \"fair\", \"channel\": \"events\", \"start_date\": \"2026-11-10\", \"budget\": 1000.5, \"currency\": \"SEK\"}\n\
         {\"activity_id\": \"a2\", \"name\": \"Webbinarium\", \"kind\": \"webinar\", \"channel\": \"events\", \"start_date\": \"2026-11-18\", \"currency\": \"SEK\"}\n",
    )
    .unwrap();
    let (code, stderr) = import_with(
        second.path(),
        "generic",
        &ndjson,
        &["--table", "activities"],
    );
    assert_eq!(code, 0, "{stderr}");
    let activities = rows(second.path(), "activities");
    assert_eq!(activities.len(), 2);
    assert_eq!(
        number(find(&activities, "activity_id", "a1"), "budget"),
        1000.5
    );
}
