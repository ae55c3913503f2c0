//! Our own fixtures laid out like real exports (`tests/fixtures/import/layouts/`): encodings,
//! preambles, totals rows, localised labels and number and date formats. Every expected value
//! is a hand-computed fact of `layouts/README.md` (ads, e-mail, GA4) or `layouts/README-crm.md`
//! (CRM, surveys, forms, activities); each test names the layout its fixture follows. Times in
//! the files without a zone are read in the workspace's `Europe/Stockholm` (CET in winter,
//! CEST from the last Sunday of March).

use std::collections::BTreeMap;

use crate::import::{close, count, distinct, fixture, import_with, rows, sum};
use crate::new_workspace;

type Row = BTreeMap<String, String>;

/// Imports one layout fixture into a fresh workspace: (workspace, exit code, stderr).
fn layout(preset: &str, file: &str, extra: &[&str]) -> (tempfile::TempDir, i32, String) {
    let dir = new_workspace("b2b");
    let path = fixture(&format!("layouts/{file}"));
    assert!(path.exists(), "{}", path.display());
    let (code, stderr) = import_with(dir.path(), preset, &path, extra);
    (dir, code, stderr)
}

/// Imports a fixture that must import cleanly, and returns the workspace.
fn imported(preset: &str, file: &str, extra: &[&str]) -> tempfile::TempDir {
    let (dir, code, stderr) = layout(preset, file, extra);
    assert_eq!(code, 0, "{file}: {stderr}");
    dir
}

/// Imports a fixture that must be refused, with nothing written; returns stderr.
fn refused(preset: &str, file: &str, extra: &[&str]) -> String {
    let (dir, code, stderr) = layout(preset, file, extra);
    assert_eq!(code, 1, "{file} must be refused: {stderr}");
    assert!(
        !dir.path().join("data/_manifest.json").exists(),
        "{file}: a refused import writes nothing"
    );
    stderr
}

/// A cell, or `None` if it is empty (so a missing value shows in the assertion).
fn get<'a>(row: &'a Row, column: &str) -> Option<&'a str> {
    row.get(column).map(String::as_str)
}

fn number(row: &Row, column: &str) -> f64 {
    row[column].parse().unwrap()
}

/// The rows whose `column` is `value`.
fn with(rows: &[Row], column: &str, value: &str) -> Vec<Row> {
    rows.iter()
        .filter(|r| r.get(column).map(String::as_str) == Some(value))
        .cloned()
        .collect()
}

/// The one row whose `column` is `value`.
fn one(rows: &[Row], column: &str, value: &str) -> Row {
    let found = with(rows, column, value);
    assert_eq!(found.len(), 1, "one row with {column} = {value}: {rows:?}");
    found.into_iter().next().unwrap()
}

/// No column of any row holds Salesforce's empty-lookup id.
fn no_null_lookup(rows: &[Row], file: &str) {
    for row in rows {
        for (column, value) in row {
            assert_ne!(
                value, "000000000000000AAA",
                "{file}: `{column}` holds Salesforce's null lookup id, which names nothing: {row:?}"
            );
        }
    }
}

/// The expected facts of one ads report.
struct SpendFacts {
    rows: usize,
    currency: &'static str,
    cost: f64,
    impressions: f64,
    clicks: f64,
    conversions: Option<f64>,
    first: &'static str,
    last: &'static str,
    days: usize,
}

/// Checks `spend` against a report's facts; one row per (date, campaign) is the table's key.
fn check_spend(file: &str, spend: &[Row], facts: &SpendFacts) {
    assert_eq!(spend.len(), facts.rows, "{file}: rows");
    let keys: std::collections::BTreeSet<(String, String)> = spend
        .iter()
        .map(|r| (r["date"].clone(), r["campaign_id"].clone()))
        .collect();
    assert_eq!(
        keys.len(),
        spend.len(),
        "{file}: one row per campaign and day"
    );
    assert_eq!(distinct(spend, "currency"), [facts.currency], "{file}");
    assert!(
        close(sum(spend, "cost"), facts.cost),
        "{file}: cost {} ≠ {}",
        sum(spend, "cost"),
        facts.cost
    );
    assert_eq!(
        sum(spend, "impressions"),
        facts.impressions,
        "{file}: impressions"
    );
    assert_eq!(sum(spend, "clicks"), facts.clicks, "{file}: clicks");
    if let Some(conversions) = facts.conversions {
        assert!(
            close(sum(spend, "platform_conversions"), conversions),
            "{file}: conversions {} ≠ {conversions}",
            sum(spend, "platform_conversions")
        );
    }
    let dates = distinct(spend, "date");
    assert_eq!(
        dates.first().map(String::as_str),
        Some(facts.first),
        "{file}"
    );
    assert_eq!(dates.last().map(String::as_str), Some(facts.last), "{file}");
    assert_eq!(dates.len(), facts.days, "{file}: distinct dates");
}

// ─── google-ads ──────────────────────────────────────────────────────────────────────────────

/// G2: an "Excel CSV" campaign report (UTF-16LE with BOM, tab, en-GB, an unquoted range line)
/// with a `Day` segment and four totals rows.
#[test]
fn google_ads_utf16_tab_en_gb_report_by_day() {
    let file = "google-ads/campaign-report-utf16-tab-en-gb.csv";
    let dir = imported("google-ads", file, &[]);
    let spend = rows(dir.path(), "spend");
    check_spend(
        file,
        &spend,
        &SpendFacts {
            rows: 5,
            currency: "SEK",
            cost: 3728.77,
            impressions: 33797.0,
            clicks: 606.0,
            conversions: Some(38.50),
            first: "2026-11-01",
            last: "2026-11-03",
            days: 3,
        },
    );
    assert_eq!(
        distinct(&spend, "campaign_id"),
        ["20480011111", "20480022222"]
    );
    assert_eq!(
        distinct(&spend, "campaign_name"),
        ["PMax | Butik", "Sök | Varumärke"]
    );
    assert!(spend.iter().all(|r| r["platform"] == "google_ads"));
    // The all-zero row (CTR ` --`) is a day with no cost, not a rejected row.
    let idle = spend
        .iter()
        .find(|r| r["date"] == "2026-11-03")
        .unwrap()
        .clone();
    assert_eq!(
        (number(&idle, "cost"), idle["impressions"].as_str()),
        (0.0, "0")
    );
}

/// G1: a campaign-level report for November with no `Day` column, ` --` cells and five totals
/// rows: each campaign's totals are spread evenly over the 30 days of the title's range.
#[test]
fn google_ads_report_for_a_range_without_a_day_is_spread_over_its_days() {
    let file = "google-ads/campaign-report-range-no-day.csv";
    let (dir, code, stderr) = layout("google-ads", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("spread evenly"), "{stderr}");
    let spend = rows(dir.path(), "spend");
    check_spend(
        file,
        &spend,
        &SpendFacts {
            rows: 4 * 30,
            currency: "EUR",
            cost: 1476.66,
            impressions: 238_690.0,
            clicks: 2559.0,
            conversions: Some(124.00),
            first: "2026-11-01",
            last: "2026-11-30",
            days: 30,
        },
    );
    // No id column: the campaign is named; `Brand, exact` keeps its quoted comma.
    let brand = with(&spend, "campaign_name", "Brand, exact");
    assert_eq!(brand.len(), 30);
    assert!(close(sum(&brand, "cost"), 629.76));
    assert_eq!(sum(&brand, "clicks"), 1312.0);
    assert_eq!(distinct(&spend, "campaign_name").len(), 4);
}

/// G4: a German `Kampagnenbericht` by day, decimal comma and dot thousands (`"3.410"` is
/// 3410), a `Gesamt: Konto` totals row.
#[test]
fn google_ads_german_daily_report_with_decimal_commas() {
    let file = "google-ads/kampagnenbericht-de-daily.csv";
    let dir = imported("google-ads", file, &[]);
    let spend = rows(dir.path(), "spend");
    check_spend(
        file,
        &spend,
        &SpendFacts {
            rows: 4,
            currency: "EUR",
            cost: 1533.40,
            impressions: 43560.0,
            clicks: 762.0,
            conversions: Some(48.50),
            first: "2026-11-01",
            last: "2026-11-03",
            days: 3,
        },
    );
    let big = spend
        .iter()
        .find(|r| r["date"] == "2026-11-02")
        .unwrap()
        .clone();
    assert!(close(number(&big, "cost"), 1095.80));
    assert_eq!(big["impressions"], "14202");
}

/// G3: a device segment (three devices a day for one campaign), quoted grouped impressions,
/// ` --` CTR: six rows sum to two (date, campaign) keys.
#[test]
fn google_ads_device_rows_are_summed_per_campaign_and_day() {
    let file = "google-ads/campaign-report-device-segment.csv";
    let (dir, code, stderr) = layout("google-ads", file, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("summed into 2 rows"), "{stderr}");
    let spend = rows(dir.path(), "spend");
    check_spend(
        file,
        &spend,
        &SpendFacts {
            rows: 2,
            currency: "NOK",
            cost: 1378.40,
            impressions: 18090.0,
            clicks: 571.0,
            conversions: Some(14.50),
            first: "2026-11-01",
            last: "2026-11-02",
            days: 2,
        },
    );
    assert_eq!(distinct(&spend, "campaign_id"), ["30550033333"]);
    for (date, cost, impressions, clicks, conversions) in [
        ("2026-11-01", 688.50, "9140", "289", 7.50),
        ("2026-11-02", 689.90, "8950", "282", 7.00),
    ] {
        let day = one(&spend, "date", date);
        assert!(close(number(&day, "cost"), cost), "{date}");
        assert_eq!(day["impressions"], impressions, "{date}");
        assert_eq!(day["clicks"], clicks, "{date}");
        assert!(close(number(&day, "platform_conversions"), conversions));
    }
}

// ─── meta-ads ────────────────────────────────────────────────────────────────────────────────

/// M1: an Ads Manager export by day (BOM, the account total first with an empty name,
/// `Amount spent (SEK)` and a `Currency` column); `Results` mixes indicators, and only the
/// lead results are conversions (the link-click results are clicks).
#[test]
fn meta_daily_export_with_totals_first_and_mixed_results() {
    let file = "meta-ads/ads-manager-daily-bom-totals-first.csv";
    let dir = imported("meta-ads", file, &[]);
    let spend = rows(dir.path(), "spend");
    check_spend(
        file,
        &spend,
        &SpendFacts {
            rows: 5,
            currency: "SEK",
            cost: 3559.18,
            impressions: 106_065.0,
            clicks: 2256.0,
            conversions: None,
            first: "2026-11-01",
            last: "2026-11-03",
            days: 3,
        },
    );
    assert_eq!(
        distinct(&spend, "campaign_id"),
        ["120210000000001111", "120210000000002222"]
    );
    let leads = with(&spend, "campaign_id", "120210000000001111");
    assert_eq!(sum(&leads, "platform_conversions"), 35.0);
    // 498 + 515 `actions:link_click` results are not conversions.
    assert_eq!(
        sum(&spend, "platform_conversions"),
        35.0,
        "link-click results counted as conversions: {spend:?}"
    );
}

/// M1 breakdown: Age × Gender rows for one campaign over 2026-11-01 → 2026-11-07, the total
/// row first (`828`), no campaign id: the week is spread over its seven days.
#[test]
fn meta_age_gender_breakdown_for_a_week() {
    let file = "meta-ads/ads-manager-age-gender-breakdown.csv";
    let dir = imported("meta-ads", file, &[]);
    let spend = rows(dir.path(), "spend");
    check_spend(
        file,
        &spend,
        &SpendFacts {
            rows: 7,
            currency: "EUR",
            cost: 828.00,
            impressions: 27130.0,
            clicks: 320.0,
            conversions: Some(18.0),
            first: "2026-11-01",
            last: "2026-11-07",
            days: 7,
        },
    );
    assert_eq!(
        distinct(&spend, "campaign_name"),
        ["Rekrytering | Ingenjörer"]
    );
}

/// M2: Spanish labels (`Nombre de la campaña`, `Día`, `Importe gastado (EUR)`, `Impresiones`,
/// `Clics en el enlace`, `Resultados`), decimal comma (`"412,3"`), DD/MM/YYYY.
#[test]
fn meta_spanish_export_with_decimal_commas() {
    let file = "meta-ads/ads-manager-es-localized.csv";
    let dir = imported("meta-ads", file, &[]);
    let spend = rows(dir.path(), "spend");
    check_spend(
        file,
        &spend,
        &SpendFacts {
            rows: 4,
            currency: "EUR",
            cost: 1337.00,
            impressions: 55249.0,
            clicks: 1300.0,
            // 9 + 7 + 11 leads; the 415 link-click results of `Tráfico | Blog` are clicks.
            conversions: Some(27.0),
            first: "2026-11-13",
            last: "2026-11-15",
            days: 3,
        },
    );
    let first = one(&spend, "date", "2026-11-13");
    assert!(close(number(&first, "cost"), 412.30));
}

/// M3: Marketing API insights with `breakdowns=age,gender`, `account_currency`, an `actions`
/// list and `paging.next`; four rows of one campaign for the week, spread over its days.
#[test]
fn meta_insights_api_age_gender_page() {
    let file = "meta-ads/marketing-api-insights-age-gender.json";
    let dir = imported("meta-ads", file, &[]);
    let spend = rows(dir.path(), "spend");
    check_spend(
        file,
        &spend,
        &SpendFacts {
            rows: 7,
            currency: "NOK",
            cost: 818.80,
            impressions: 26825.0,
            // Meta's link clicks are the clicks (`clicks`, all clicks, is 343).
            clicks: 318.0,
            conversions: Some(18.0),
            first: "2026-11-01",
            last: "2026-11-07",
            days: 7,
        },
    );
    assert_eq!(distinct(&spend, "campaign_id"), ["120210000000003333"]);
}

// ─── linkedin-ads ────────────────────────────────────────────────────────────────────────────

/// L1: Campaign Manager's campaign performance report (UTF-16LE, tab, a quoted `Report Start`
/// preamble and a blank line, the header on line 6), M/D/YYYY dates.
#[test]
fn linkedin_utf16_campaign_performance_report() {
    let file = "linkedin-ads/campaign-performance-utf16-tab.csv";
    let dir = imported("linkedin-ads", file, &[]);
    let spend = rows(dir.path(), "spend");
    check_spend(
        file,
        &spend,
        &SpendFacts {
            rows: 5,
            currency: "SEK",
            cost: 5568.80,
            impressions: 56147.0,
            clicks: 169.0,
            conversions: Some(1.0),
            first: "2026-11-01",
            last: "2026-11-03",
            days: 3,
        },
    );
    assert_eq!(distinct(&spend, "campaign_id"), ["612340001", "612340002"]);
    assert!(spend.iter().all(|r| r["platform"] == "linkedin"));
}

/// L1 in Dutch with the new terminology (`Campagne` is the former campaign group,
/// `Advertentieset` the former campaign), ad rows, decimal commas, D-M-YYYY dates.
#[test]
fn linkedin_dutch_ad_performance_report_by_ad_set() {
    let file = "linkedin-ads/ad-performance-nl.csv";
    let dir = imported("linkedin-ads", file, &[]);
    let spend = rows(dir.path(), "spend");
    check_spend(
        file,
        &spend,
        &SpendFacts {
            rows: 3,
            currency: "EUR",
            cost: 132.05,
            impressions: 6595.0,
            clicks: 45.0,
            conversions: Some(1.0),
            first: "2026-11-02",
            last: "2026-11-04",
            days: 3,
        },
    );
    // The ad set is the campaign; the group-level `Campagne-ID` 700100200 is not.
    assert_eq!(distinct(&spend, "campaign_id"), ["880010001"]);
    for (date, cost, impressions, clicks) in [
        ("2026-11-02", 79.95, "4190", "26"),
        ("2026-11-03", 52.10, "2405", "19"),
        ("2026-11-04", 0.0, "0", "0"),
    ] {
        let day = one(&spend, "date", date);
        assert!(close(number(&day, "cost"), cost), "{date}");
        assert_eq!(day["impressions"], impressions, "{date}");
        assert_eq!(day["clicks"], clicks, "{date}");
    }
}

/// L2: the older adAnalyticsV2 shape (`pivot`/`pivotValue` beside `pivotValues`, cost as a
/// number, `costInUsd` a string). Its local currency is the account's and is not in the file:
/// the import asks for it rather than fall back to the dollar column.
#[test]
fn linkedin_ad_analytics_v2_without_the_account_currency_is_in_dollars() {
    // The response names one currency itself: `costInUsd` (137.3387 + 132.4479 + 142.2394 =
    // 412.026 USD); the local cost needs the account's currency, which it does not name.
    let file = "linkedin-ads/ad-analytics-v2-pivot.json";
    let dir = imported("linkedin-ads", file, &[]);
    let spend = rows(dir.path(), "spend");
    assert_eq!(distinct(&spend, "currency"), ["USD"]);
    let cost: f64 = spend
        .iter()
        .map(|r| r["cost"].parse::<f64>().unwrap())
        .sum();
    assert!((cost - 412.026).abs() < 0.005, "{cost}");
}

/// L2 with the account's currency given.
#[test]
fn linkedin_ad_analytics_v2_in_the_account_currency() {
    let file = "linkedin-ads/ad-analytics-v2-pivot.json";
    let dir = imported("linkedin-ads", file, &["--currency", "SEK"]);
    let spend = rows(dir.path(), "spend");
    check_spend(
        file,
        &spend,
        &SpendFacts {
            rows: 3,
            currency: "SEK",
            cost: 4350.85,
            impressions: 24415.0,
            clicks: 122.0,
            conversions: Some(1.0),
            first: "2026-11-01",
            last: "2026-11-03",
            days: 3,
        },
    );
    // urn:li:sponsoredCampaign:612340001, the Ingenjörer rows of the Campaign Manager export.
    assert_eq!(distinct(&spend, "campaign_id"), ["612340001"]);
}

// ─── mailchimp ───────────────────────────────────────────────────────────────────────────────

/// E2: a single campaign's report — `"Key:","value"` pairs, an `Overall Stats` section with
/// `"1,402 (40.86%)"` cells, and a `Clicks by URL` section whose rows are not sends.
#[test]
fn mailchimp_single_campaign_report() {
    let file = "mailchimp/campaign-report-single.csv";
    let dir = imported("mailchimp", file, &[]);
    let sends = rows(dir.path(), "email_sends");
    assert_eq!(sends.len(), 1, "{sends:?}");
    let send = &sends[0];
    assert_eq!(send["name"], "Nyhetsbrev december");
    // Tue, Dec 1, 2026 08:30 in Stockholm (CET).
    assert_eq!(send["sent_at"], "2026-12-01T07:30:00Z");
    for (column, value) in [
        ("n_sent", "3480"),
        ("n_delivered", "3431"),
        ("n_bounces", "49"),
        ("n_opens_unique", "1402"),
        ("n_clicks_unique", "276"),
        ("n_unsubscribes", "11"),
    ] {
        assert_eq!(send[column], value, "{column}");
    }
}

/// E1: the older "export all reports" (quoted multi-word headers, 40 columns with ecommerce
/// and GA, `n/a`, `"Nov 03, 2026 07:00 am"`).
#[test]
fn mailchimp_reports_export_with_ecommerce_columns() {
    let file = "mailchimp/reports-export-quoted-ecommerce.csv";
    let dir = imported("mailchimp", file, &[]);
    let sends = rows(dir.path(), "email_sends");
    assert_eq!(sends.len(), 3);
    for (column, total) in [
        ("n_sent", 6740.0),
        ("n_delivered", 6653.0),
        ("n_opens_unique", 2722.0),
        ("n_clicks_unique", 527.0),
        ("n_unsubscribes", 19.0),
    ] {
        assert_eq!(sum(&sends, column), total, "{column}");
    }
    assert_eq!(
        distinct(&sends, "send_id"),
        ["a1f0c2d3e4", "b2c3d4e5f6", "c3d4e5f6a7"]
    );
    // 2026-11-03 07:00 and 2026-12-01 08:30 in Stockholm (CET).
    let sent = distinct(&sends, "sent_at");
    assert_eq!(sent.first().unwrap(), "2026-11-03T06:00:00Z");
    assert_eq!(sent.last().unwrap(), "2026-12-01T07:30:00Z");
}

/// E3: `/3.0/reports` (nested `opens`/`clicks`/`bounces`, rates as fractions, `total_items`):
/// the same two sends as the first two rows of the reports export.
#[test]
fn mailchimp_reports_api_matches_the_export() {
    let file = "mailchimp/reports-api.json";
    let dir = imported("mailchimp", file, &[]);
    let sends = rows(dir.path(), "email_sends");
    assert_eq!(sends.len(), 2);
    for (column, total) in [
        ("n_sent", 3260.0),
        // emails_sent − (hard + soft + syntax-error bounces): 2371 + 851.
        ("n_delivered", 3222.0),
        ("n_opens_unique", 1320.0),
        // `unique_subscriber_clicks` is the export's `Unique Clicks`.
        ("n_clicks_unique", 251.0),
        ("n_unsubscribes", 8.0),
    ] {
        assert_eq!(sum(&sends, column), total, "{column}");
    }
    assert_eq!(
        one(&sends, "send_id", "a1f0c2d3e4")["sent_at"],
        "2026-11-03T06:00:00Z"
    );
    assert_eq!(
        one(&sends, "send_id", "b2c3d4e5f6")["sent_at"],
        "2026-11-17T12:15:00Z"
    );
    let export = imported(
        "mailchimp",
        "mailchimp/reports-export-quoted-ecommerce.csv",
        &[],
    );
    let export = rows(export.path(), "email_sends");
    for id in ["a1f0c2d3e4", "b2c3d4e5f6"] {
        let (api, csv) = (one(&sends, "send_id", id), one(&export, "send_id", id));
        for column in [
            "sent_at",
            "n_sent",
            "n_delivered",
            "n_opens_unique",
            "n_clicks_unique",
            "n_unsubscribes",
            "n_bounces",
        ] {
            assert_eq!(api.get(column), csv.get(column), "{id} {column}");
        }
    }
}

// ─── hubspot-email ───────────────────────────────────────────────────────────────────────────

/// Both API shapes hold the two e-mails of `../hubspot_email_export.csv` and must import to
/// the same `email_sends`.
fn hubspot_email_matches_the_export(file: &str) {
    let dir = imported("hubspot-email", file, &[]);
    let sends = rows(dir.path(), "email_sends");
    assert_eq!(sends.len(), 2, "{file}");
    for (column, total) in [
        ("n_sent", 5390.0),
        ("n_delivered", 5333.0),
        ("n_opens_unique", 2385.0),
        ("n_clicks_unique", 452.0),
        ("n_bounces", 57.0),
        ("n_unsubscribes", 11.0),
    ] {
        assert_eq!(sum(&sends, column), total, "{file}: {column}");
    }
    // 08:00 Stockholm (CET) and 09:30 Stockholm (CEST, before 25 October).
    assert_eq!(
        one(&sends, "send_id", "88001234")["sent_at"],
        "2026-11-06T07:00:00Z"
    );
    assert_eq!(
        one(&sends, "send_id", "88001301")["sent_at"],
        "2026-10-20T07:30:00Z"
    );
    let export = new_workspace("b2b");
    let (code, stderr) = import_with(
        export.path(),
        "hubspot-email",
        &fixture("hubspot_email_export.csv"),
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    let mut expected = rows(export.path(), "email_sends");
    let mut sends = sends;
    expected.sort();
    sends.sort();
    assert_eq!(sends, expected, "{file}");
}

/// v1 `/marketing-emails/v1/emails/with-statistics` (`objects`, numeric ids, epoch-ms
/// `publishDate`, `stats.counters`).
#[test]
fn hubspot_email_v1_with_statistics() {
    hubspot_email_matches_the_export("hubspot-email/marketing-emails-v1-with-statistics.json");
}

/// v3 `/marketing/v3/emails?includeStats=true` (`results`, string ids, ISO `publishDate`).
#[test]
fn hubspot_email_v3_with_stats() {
    hubspot_email_matches_the_export("hubspot-email/marketing-emails-v3-stats.json");
}

// ─── ga4-data-api ────────────────────────────────────────────────────────────────────────────

fn metric(observations: &[Row], name: &str) -> Vec<Row> {
    with(observations, "metric", name)
}

/// A2: `runReport` as Python's `proto_to_dict` writes it — snake_case keys, `type_`,
/// `row_count`, `metadata.currency_code`.
#[test]
fn ga4_run_report_in_proto_snake_case() {
    let file = "ga4-data-api/run-report-proto-snake-case.json";
    let dir = imported("ga4-data-api", file, &[]);
    let observations = rows(dir.path(), "observations");
    let sessions = metric(&observations, "ga4_sessions");
    assert_eq!(sessions.len(), 4);
    assert_eq!(sum(&sessions, "value"), 1071.0);
    assert_eq!(sum(&metric(&observations, "ga4_keyEvents"), "value"), 14.0);
    assert!(close(
        sum(&metric(&observations, "ga4_advertiserAdCost"), "value"),
        1611.46
    ));
    assert_eq!(
        distinct(&observations, "date"),
        ["2026-11-01", "2026-11-02"]
    );
    assert_eq!(
        distinct(&sessions, "dimension_value"),
        ["(not set)", "host_leads"]
    );
}

/// A2: REST `batchRunReports` — a report with a `totals` row (`RESERVED_TOTAL`, not a row) and
/// a second report with no `rows` key.
#[test]
fn ga4_batch_run_reports_with_totals_and_an_empty_report() {
    let file = "ga4-data-api/batch-run-reports.json";
    let dir = imported("ga4-data-api", file, &[]);
    let observations = rows(dir.path(), "observations");
    let sessions = metric(&observations, "ga4_sessions");
    assert_eq!(sessions.len(), 3);
    assert_eq!(sum(&sessions, "value"), 886.0);
    // The rows' sum, not the totals row's 702.
    assert_eq!(
        sum(&metric(&observations, "ga4_totalUsers"), "value"),
        796.0
    );
    assert!(metric(&observations, "ga4_keyEvents").is_empty());
    assert!(
        observations
            .iter()
            .all(|r| r.get("dimension_value").map(String::as_str) != Some("RESERVED_TOTAL"))
    );
    assert_eq!(
        distinct(&observations, "date"),
        ["2026-11-01", "2026-11-02"]
    );
}

/// A1: a GA4 UI download (`#` preamble with `# Start date: YYYYMMDD`, CRLF, no final newline,
/// full-precision floats) with a `Date` secondary dimension.
#[test]
fn ga4_ui_download_of_traffic_acquisition_by_date() {
    let file = "ga4-data-api/ui-download-traffic-acquisition.csv";
    let dir = imported("ga4-data-api", file, &[]);
    let observations = rows(dir.path(), "observations");
    let sessions = metric(&observations, "ga4_sessions");
    assert_eq!(sessions.len(), 4);
    assert_eq!(sum(&sessions, "value"), 1084.0);
    assert_eq!(sum(&metric(&observations, "ga4_keyEvents"), "value"), 18.0);
    assert_eq!(
        sum(&metric(&observations, "ga4_eventCount"), "value"),
        4507.0
    );
    assert_eq!(
        distinct(&observations, "date"),
        ["2026-11-01", "2026-11-02"]
    );
    assert_eq!(
        distinct(&sessions, "dimension_value"),
        ["Direct", "Organic Search", "Paid Search"]
    );
}

// ─── ga4-bigquery ────────────────────────────────────────────────────────────────────────────

/// A3 variant: sparse value structs, INT64 values as JSON numbers, a numeric
/// `event_timestamp`, `collected_traffic_source` and `session_traffic_source_last_click`.
#[test]
fn ga4_bigquery_sparse_numeric_events() {
    let file = "ga4-bigquery/events-sparse-numeric.ndjson";
    let dir = imported("ga4-bigquery", file, &[]);
    let events = rows(dir.path(), "web_events");
    assert_eq!(events.len(), 6);
    assert_eq!(distinct(&events, "anonymous_id").len(), 2);
    assert_eq!(
        distinct(&events, "session_id"),
        [
            "1187654321.1793784600.1793784600",
            "2091234567.1793693700.1793693700"
        ]
    );
    assert_eq!(with(&events, "event_date", "2026-11-03").len(), 3);
    assert_eq!(with(&events, "event_date", "2026-11-04").len(), 3);
    assert_eq!(with(&events, "user_id", "crm-50231").len(), 3);
    let lead = one(&events, "event_name", "generate_lead");
    assert_eq!(
        (
            lead["is_key_event"].as_str(),
            number(&lead, "value"),
            lead["currency"].as_str()
        ),
        ("true", 500.0, "SEK")
    );
    let touches = rows(dir.path(), "touchpoints");
    assert_eq!(touches.len(), 2, "one per session_start");
    let first = one(&touches, "anonymous_id", "2091234567.1793693700");
    assert_eq!(
        (first["source"].as_str(), first["medium"].as_str()),
        ("google", "cpc")
    );
    // The session's utm campaign, as in every traffic-source struct of the file except the
    // cross-channel one (the gclid's Google Ads campaign `Sök | Varumärke`), and as in the same
    // events saved as CSV: activities are linked by their `utm_campaign`.
    assert_eq!(get(&first, "campaign"), Some("host_leads"));
    assert_eq!(first["channel"], "paid_search");
    assert!(
        with(&events, "session_id", "2091234567.1793693700.1793693700")
            .iter()
            .any(|e| e.get("page_location").is_some_and(|p| p.contains("gclid=")))
    );
}

/// A3: a BigQuery query result saved as CSV (flattened columns, `ga_session_id` extracted);
/// one consent-denied row (no user_pseudo_id, no ga_session_id) is not usable.
#[test]
fn ga4_bigquery_flattened_query_result_as_csv() {
    let file = "ga4-bigquery/events-flattened-query.csv";
    let dir = imported("ga4-bigquery", file, &["--allow-rejects"]);
    let events = rows(dir.path(), "web_events");
    assert_eq!(events.len(), 5);
    assert_eq!(distinct(&events, "session_id").len(), 2);
    assert_eq!(
        distinct(&events, "event_date"),
        ["2026-11-03", "2026-11-04"]
    );
    assert!(
        events
            .iter()
            .any(|e| e.get("page_location").map(String::as_str)
                == Some("https://nordkraft.se/sok?q=värme,el"))
    );
    let start = events
        .iter()
        .find(|e| e["event_name"] == "session_start" && e["anonymous_id"].starts_with("2091"))
        .unwrap()
        .clone();
    assert_eq!(
        (
            start["source"].as_str(),
            start["medium"].as_str(),
            start["campaign"].as_str()
        ),
        ("google", "cpc", "host_leads")
    );
}

// ─── hubspot-contacts ────────────────────────────────────────────────────────────────────────

/// Real `Shaftdog/Salesmod` layout: contact and company columns in one export (`Create Date`,
/// `Phone Number`, `Last Activity Date`, `Country/Region` twice), `m/d/yy H:mm`, literal `null`,
/// CRLF without a final newline.
#[test]
fn hubspot_contacts_with_company_columns() {
    let file = "hubspot-contacts/multi-object-contact-company.csv";
    let dir = imported("hubspot-contacts", file, &[]);
    let contacts = rows(dir.path(), "contacts");
    assert_eq!(
        distinct(&contacts, "person_id"),
        ["4101", "4102", "4103", "4104", "4105"]
    );
    assert_eq!(contacts.len(), 5);
    assert_eq!(distinct(&contacts, "email_hash").len(), 5);
    // printf 'person1@example.com' | sha256sum
    assert_eq!(
        one(&contacts, "person_id", "4101")["email_hash"],
        "18c0922f0e3b9e9e84a5ded2ff107ab7cc938e72dd9f9c8db6baa701b734623d"
    );
    for (person, account) in [
        ("4102", Some("2150000001")),
        ("4104", Some("2150000002")),
        ("4105", Some("2150000001")),
        ("4101", None),
        ("4103", None),
    ] {
        assert_eq!(
            one(&contacts, "person_id", person)
                .get("account_id")
                .map(String::as_str),
            account,
            "{person}"
        );
    }
    // The contact's `Create Date` (the first of the two): 2/5/24 1:51 and 12/31/24 23:59 CET.
    let created = distinct(&contacts, "created_at");
    assert_eq!(created.first().unwrap(), "2024-02-05T00:51:00Z");
    assert_eq!(created.last().unwrap(), "2024-12-31T22:59:00Z");
    assert_eq!(
        one(&contacts, "person_id", "4102")["created_at"],
        "2024-02-20T10:30:00Z"
    );
}

/// Real `emrearmand/crm-dummy-data-hubspot` layout: `m/d/yyyy H:mm`, newest first, a
/// "(Sample Contact)" row; `4/17/2025` shows the dates are month first.
#[test]
fn hubspot_contacts_month_first_newest_first() {
    let file = "hubspot-contacts/contacts-mdyyyy-hmm.csv";
    let dir = imported("hubspot-contacts", file, &[]);
    let contacts = rows(dir.path(), "contacts");
    assert_eq!(contacts.len(), 4);
    assert_eq!(
        distinct(&contacts, "person_id"),
        [
            "205100000002",
            "205100000003",
            "205100000004",
            "88200000002"
        ]
    );
    // printf 'person6@example.com' | sha256sum
    assert_eq!(
        one(&contacts, "person_id", "205100000004")["email_hash"],
        "b6bfbc35287cf3308cbadfab23e5dd09a01ab0a7e98ebf57175a706ff5c817e9"
    );
    // 2/22/2025 20:22 (CET) and 4/17/2025 9:05 (CEST).
    let created = distinct(&contacts, "created_at");
    assert_eq!(created.first().unwrap(), "2025-02-22T19:22:00Z");
    assert_eq!(created.last().unwrap(), "2025-04-17T07:05:00Z");
    assert_eq!(
        one(&contacts, "person_id", "205100000003")["created_at"],
        "2025-04-08T15:19:00Z"
    );
}

/// v1 `contacts/v1/lists/all/contacts/all` (`contacts`, `vid`, `identity-profiles`, each
/// property `{"value": …}`, epoch-ms strings).
#[test]
fn hubspot_contacts_api_v1_all_contacts() {
    let file = "hubspot-contacts/api-v1-contacts-all.json";
    let dir = imported("hubspot-contacts", file, &[]);
    let contacts = rows(dir.path(), "contacts");
    assert_eq!(distinct(&contacts, "person_id"), ["301", "302", "351"]);
    for (person, created) in [
        ("301", "2025-03-03T08:15:00Z"),
        ("302", "2025-03-10T14:02:30Z"),
        ("351", "2025-04-01T23:30:00Z"),
    ] {
        assert_eq!(
            one(&contacts, "person_id", person)["created_at"],
            created,
            "{person}"
        );
    }
    let ebba = one(&contacts, "person_id", "301");
    // printf 'person10@example.com' | sha256sum
    assert_eq!(
        ebba["email_hash"],
        "5240e22f37b127e3cfc1d3e8a3dbbbb341e2d6a47d9257101ba9ba3fbf373ecd"
    );
    assert_eq!(get(&ebba, "became_lead_at"), Some("2025-03-03T08:15:00Z"));
    assert_eq!(get(&ebba, "original_channel"), Some("organic_search"));
    assert_eq!(
        one(&contacts, "person_id", "302")["original_channel"],
        "paid_social"
    );
    assert_eq!(get(&ebba, "account_id"), Some("7001"));
    assert_eq!(one(&contacts, "person_id", "351")["account_id"], "7002");
    assert!(!one(&contacts, "person_id", "302").contains_key("account_id"));
}

// ─── hubspot-companies ───────────────────────────────────────────────────────────────────────

/// Real (synthetic content) `toofanCodes/hubspotdummydata` layout: CRLF including the last row,
/// `COMP-<uuid>` ids, owners as e-mails, a quoted name with a comma.
#[test]
fn hubspot_companies_with_string_ids() {
    let file = "hubspot-companies/companies-string-ids-crlf.csv";
    let dir = imported("hubspot-companies", file, &[]);
    let accounts = rows(dir.path(), "accounts");
    assert_eq!(accounts.len(), 4);
    let ids = distinct(&accounts, "account_id");
    for (id, prefix) in ids.iter().zip([
        "COMP-1f0c2a7e",
        "COMP-7a9d3e21",
        "COMP-c3b6e8f1",
        "COMP-e5f7a9b2",
    ]) {
        assert!(id.starts_with(prefix), "{id}");
    }
    assert_eq!(
        distinct(&accounts, "domain"),
        [
            "brightmoor.example",
            "fjallbo.example",
            "kestrel.example",
            "solvik.example"
        ]
    );
    assert_eq!(
        one(&accounts, "domain", "brightmoor.example")["name"],
        "Brightmoor, Hale and Webb"
    );
    assert_eq!(
        one(&accounts, "domain", "fjallbo.example")["name"],
        "Fjällbo Konsult"
    );
}

// ─── hubspot-deals ───────────────────────────────────────────────────────────────────────────

/// Readers of real deal exports: BOM, `Associated Company IDs (Primary)`, `;`-separated
/// `Associated Contact IDs`, no currency column.
#[test]
fn hubspot_deals_with_primary_associations() {
    let file = "hubspot-deals/deals-associated-primary.csv";
    let stderr = refused("hubspot-deals", file, &[]);
    assert!(
        stderr.contains("no currency") && stderr.contains("--currency"),
        "{stderr}"
    );
    let dir = imported("hubspot-deals", file, &["--currency", "SEK"]);
    let deals = rows(dir.path(), "deals");
    assert_eq!(
        distinct(&deals, "deal_id"),
        ["7101", "7102", "7103", "7104", "7105"]
    );
    assert_eq!(distinct(&deals, "currency"), ["SEK"]);
    assert!(close(sum(&deals, "amount"), 74000.5));
    assert_eq!(count(&deals, "amount"), 4, "the empty amount is no value");
    let won = with(&deals, "is_won", "true");
    assert_eq!(distinct(&won, "deal_id"), ["7101", "7105"]);
    assert_eq!(sum(&won, "amount"), 51600.0);
    let lost: Vec<Row> = with(&deals, "is_closed", "true")
        .into_iter()
        .filter(|d| d["is_won"] == "false")
        .collect();
    assert_eq!(distinct(&lost, "deal_id"), ["7103"]);
    let links = rows(dir.path(), "deal_contacts");
    assert_eq!(
        distinct(&with(&links, "deal_id", "7101"), "person_id"),
        ["4102", "4105"]
    );
    assert_eq!(
        distinct(&with(&deals, "account_id", "2150000001"), "deal_id"),
        ["7101", "7105"]
    );
    // Close dates (local midnight) of the closed deals: 2026-01-31 (CET) … 2026-03-15.
    let closed = distinct(&deals, "closed_at");
    assert_eq!(closed.first().unwrap(), "2026-01-30T23:00:00Z");
    assert_eq!(
        one(&deals, "deal_id", "7101")["closed_at"],
        "2026-02-26T23:00:00Z"
    );
    assert_eq!(closed.last().unwrap(), "2026-03-14T23:00:00Z");
}

/// Real (synthetic content) `toofanCodes/hubspotdummydata` layout: `DEAL-<uuid>` ids,
/// `YYYY-MM-DD`, associations by domain and e-mail, no currency column.
#[test]
fn hubspot_deals_with_uuid_ids() {
    let file = "hubspot-deals/deals-uuid-domain-email.csv";
    let stderr = refused("hubspot-deals", file, &[]);
    assert!(stderr.contains("--currency"), "{stderr}");
    let dir = imported("hubspot-deals", file, &["--currency", "USD"]);
    let deals = rows(dir.path(), "deals");
    assert_eq!(deals.len(), 4);
    assert!(deals.iter().all(|d| d["deal_id"].starts_with("DEAL-")));
    assert!(close(sum(&deals, "amount"), 143_562.22));
    let won = with(&deals, "is_won", "true");
    assert_eq!(won.len(), 1);
    assert_eq!(number(&won[0], "amount"), 21083.37);
    let closed = with(&deals, "is_closed", "true");
    assert_eq!(closed.len(), 2, "one won, one lost");
    // 2024-12-21 (CET) … 2025-07-11 (CEST), local midnight.
    let created = distinct(&deals, "created_at");
    assert_eq!(created.first().unwrap(), "2024-12-20T23:00:00Z");
    assert_eq!(created.last().unwrap(), "2025-07-10T22:00:00Z");
    // The closed deals closed on 2025-01-29 (lost) and 2025-06-17 (won).
    assert_eq!(
        distinct(&closed, "closed_at"),
        ["2025-01-28T23:00:00Z", "2025-06-16T22:00:00Z"]
    );
    // Owners are e-mail addresses, never stored as such.
    assert!(deals.iter().all(|d| !d.values().any(|v| v.contains('@'))));
}

/// v1 `deals/v1/deal/paged` (`deals`, properties as `{value, timestamp, source, versions}`,
/// epoch-ms strings, `associations.associatedVids` / `associatedCompanyIds`).
#[test]
fn hubspot_deals_api_v1_paged() {
    let file = "hubspot-deals/api-v1-deals-paged.json";
    let dir = imported("hubspot-deals", file, &[]);
    let deals = rows(dir.path(), "deals");
    assert_eq!(
        distinct(&deals, "deal_id"),
        ["931633510", "931633511", "931633512"]
    );
    let eur = with(&deals, "currency", "EUR");
    assert_eq!((eur.len(), sum(&eur, "amount")), (2, 45000.0));
    assert_eq!(count(&eur, "amount"), 1, "one deal has no amount");
    assert_eq!(sum(&with(&deals, "currency", "SEK"), "amount"), 120_000.0);
    let won = one(&deals, "is_won", "true");
    assert_eq!(won["deal_id"], "931633510");
    assert_eq!(get(&won, "closed_at"), Some("2025-05-30T10:00:00Z"));
    assert_eq!(get(&won, "account_id"), Some("7001"));
    assert_eq!(get(&won, "primary_person_id"), Some("301"));
    let created = distinct(&deals, "created_at");
    assert_eq!(created.first().unwrap(), "2025-03-04T09:00:00Z");
    assert_eq!(created.last().unwrap(), "2025-04-02T08:20:00Z");
}

// ─── salesforce-opportunities ────────────────────────────────────────────────────────────────

/// Real `WinkelDev/Salesforce-Data-Changelog` `Opportunity.csv` layout: Windows-1252, every
/// field quoted, 55 API-name columns, `0`/`1`, `YYYY-MM-DD 00:00:00`, null lookups
/// `000000000000000AAA`.
#[test]
fn salesforce_opportunity_data_export_in_windows_1252() {
    let file = "salesforce-opportunities/data-export-opportunity-cp1252.csv";
    assert!(
        std::str::from_utf8(&std::fs::read(fixture(&format!("layouts/{file}"))).unwrap()).is_err()
    );
    let dir = imported("salesforce-opportunities", file, &[]);
    let deals = rows(dir.path(), "deals");
    assert_eq!(deals.len(), 5);
    for (currency, total) in [("PEN", 13225.225), ("USD", 100.0), ("MXN", 251_200.0)] {
        assert!(
            close(sum(&with(&deals, "currency", currency), "amount"), total),
            "{currency}"
        );
    }
    let won = with(&deals, "is_won", "true");
    assert_eq!(
        distinct(&won, "deal_id"),
        ["0068a00001QkTs1AAB", "0068a00001QkTs5AAB"]
    );
    assert!(close(sum(&won, "amount"), 13225.225));
    assert_eq!(with(&deals, "is_closed", "true").len(), 3);
    assert_eq!(
        one(&deals, "deal_id", "0068a00001QkTs3AAB")["stage"],
        "Negociación"
    );
    // The closed deals: 2026-03-22 (lost) … 2026-06-30, local midnight.
    let closed = distinct(&deals, "closed_at");
    assert_eq!(closed.first().unwrap(), "2026-03-21T23:00:00Z");
    assert_eq!(closed.last().unwrap(), "2026-06-29T22:00:00Z");
    assert_eq!(
        one(&deals, "deal_id", "0068a00001QkTs1AAB")["primary_person_id"],
        "0038a00003AbCd1AAE"
    );
    no_null_lookup(&deals, file);
}

/// A multi-currency report (`Amount Currency` before `Amount`), `dd/mm/yyyy`, `48,000.00`, and
/// the real footer: `Grand Totals (4 records)`, Confidential, Copyright, after blank lines.
#[test]
fn salesforce_opportunity_report_with_grand_totals_footer() {
    let file = "salesforce-opportunities/report-amount-currency-grand-totals.csv";
    let dir = imported("salesforce-opportunities", file, &[]);
    let deals = rows(dir.path(), "deals");
    assert_eq!(deals.len(), 4);
    let eur = with(&deals, "currency", "EUR");
    assert_eq!((eur.len(), count(&eur, "amount")), (2, 1));
    assert_eq!(sum(&eur, "amount"), 48000.0);
    assert_eq!(sum(&with(&deals, "currency", "GBP"), "amount"), 9900.0);
    assert!(close(
        sum(&with(&deals, "currency", "SEK"), "amount"),
        125_000.50
    ));
    assert_eq!(with(&deals, "is_won", "true").len(), 1);
    assert_eq!(with(&deals, "is_closed", "true").len(), 2);
    // 27/02/2026 and 03/11/2025, day first (31/01/2026 decides), local midnight.
    let won = one(&deals, "deal_id", "0065g00000Rt1AbAAJ");
    assert_eq!(won["closed_at"], "2026-02-26T23:00:00Z");
    assert_eq!(won["created_at"], "2025-11-02T23:00:00Z");
}

/// REST query with relationships (`Owner`, `Account`, `Campaign` nested or null) and a child
/// subquery (`OpportunityContactRoles`); `done` false: 2 records on this page of 3.
#[test]
fn salesforce_opportunity_query_with_nested_relationships() {
    let file = "salesforce-opportunities/query-nested-relationships-page1.json";
    let dir = imported("salesforce-opportunities", file, &[]);
    let deals = rows(dir.path(), "deals");
    assert_eq!(deals.len(), 2);
    let won = one(&deals, "is_won", "true");
    assert_eq!(
        (number(&won, "amount"), won["currency"].as_str()),
        (48000.0, "EUR")
    );
    assert_eq!(won["owner"], "Maja Ek");
    assert_eq!(get(&won, "account_id"), Some("0015g00000Ac1AbAAJ"));
    // The primary contact role.
    assert_eq!(get(&won, "primary_person_id"), Some("0035g00000Ct1AbAAJ"));
    let open = one(&deals, "currency", "NOK");
    assert!(!open.contains_key("amount"), "a null Amount is no value");
    assert_eq!(open["owner"], "Jon Ahl");
}

// ─── salesforce-leads ────────────────────────────────────────────────────────────────────────

/// Real `WinkelDev/…` `Lead.csv` layout: Windows-1252, every field quoted, 67 columns; two
/// leads converted, one of them with the null lookup as its contact.
#[test]
fn salesforce_lead_data_export_in_windows_1252() {
    let file = "salesforce-leads/data-export-lead-cp1252.csv";
    let dir = imported("salesforce-leads", file, &[]);
    let contacts = rows(dir.path(), "contacts");
    assert_eq!(contacts.len(), 4, "four leads, four people: {contacts:?}");
    assert_eq!(distinct(&contacts, "email_hash").len(), 4);
    // printf 'person30@example.com' | sha256sum; converted to contact 0038a00003AbCd1AAE.
    assert_eq!(
        one(&contacts, "person_id", "0038a00003AbCd1AAE")["email_hash"],
        "247b6a4525b708eed10da3ded260f2ebc53e46af375d5c6033da04d2d54bc57b"
    );
    assert_eq!(count(&contacts, "became_opportunity_at"), 2, "converted 2");
    assert_eq!(with(&contacts, "original_source", "Website").len(), 1);
    assert_eq!(with(&contacts, "original_source", "Redes").len(), 1);
    assert_eq!(
        with(&contacts, "original_source", "Gestión directa").len(),
        2
    );
    no_null_lookup(&contacts, file);
    no_null_lookup(&rows(dir.path(), "identities"), file);
}

// ─── salesforce-campaign-members ─────────────────────────────────────────────────────────────

/// Real `WinkelDev/…` `CampaignMember.csv` layout (header only in the original): `CampaignId`,
/// `HasResponded` `0`/`1`, `FirstRespondedDate` `YYYY-MM-DD 00:00:00`.
#[test]
fn salesforce_campaign_member_data_export() {
    let file = "salesforce-campaign-members/data-export-campaignmember.csv";
    let dir = imported("salesforce-campaign-members", file, &[]);
    let touches = rows(dir.path(), "touchpoints");
    assert_eq!(touches.len(), 4);
    assert_eq!(
        distinct(&touches, "campaign"),
        ["7018a000000XyZ8AAA", "7018a000000XyZ9AAA"]
    );
    // Member 1 has a lead and a contact (the contact is the person); member 3 is a contact
    // only; member 4's contact is the null lookup, so the person is its lead.
    assert_eq!(
        distinct(&touches, "person_id"),
        [
            "0038a00003AbCd1AAE",
            "0038a00003AbCd4AAE",
            "00Q8a00002Lxy02AEA",
            "00Q8a00002Lxy04AEA"
        ]
    );
    // The responders' first responses, 2026-01-21 and 2026-02-20 (local midnight).
    assert_eq!(
        one(&touches, "person_id", "0038a00003AbCd1AAE")["touch_time"],
        "2026-01-20T23:00:00Z"
    );
    assert_eq!(
        one(&touches, "person_id", "0038a00003AbCd4AAE")["touch_time"],
        "2026-02-19T23:00:00Z"
    );
    no_null_lookup(&touches, file);
}

// ─── pipedrive-deals ─────────────────────────────────────────────────────────────────────────

/// Readers of Pipedrive UI exports: `Deal - Currency of Value`, status `Won/Lost/Open`,
/// `YYYY-MM-DD HH:MM:SS` in the account's time, Polish pipeline names.
#[test]
fn pipedrive_export_with_currency_of_value() {
    let file = "pipedrive-deals/export-currency-of-value.csv";
    let dir = imported("pipedrive-deals", file, &[]);
    let deals = rows(dir.path(), "deals");
    assert_eq!(
        distinct(&deals, "deal_id"),
        ["301", "302", "303", "304", "305"]
    );
    let eur = with(&deals, "currency", "EUR");
    assert_eq!((eur.len(), count(&eur, "amount")), (3, 2));
    assert!(close(sum(&eur, "amount"), 16500.5));
    assert!(close(
        sum(&with(&deals, "currency", "PLN"), "amount"),
        47999.99
    ));
    assert_eq!(
        distinct(&with(&deals, "is_won", "true"), "deal_id"),
        ["301", "304"]
    );
    let lost = one(&deals, "deal_id", "302");
    assert_eq!(
        (lost["is_closed"].as_str(), lost["is_won"].as_str()),
        ("true", "false")
    );
    // 2026-01-12 09:14:05 … 2026-03-05 07:59:59 in Stockholm (CET).
    let created = distinct(&deals, "created_at");
    assert_eq!(created.first().unwrap(), "2026-01-12T08:14:05Z");
    assert_eq!(created.last().unwrap(), "2026-03-05T06:59:59Z");
}

/// API v2 `GET /api/v2/deals`: `data[]`, ISO `Z` times, `custom_fields`, a `next_cursor`.
#[test]
fn pipedrive_api_v2_deals_page() {
    let file = "pipedrive-deals/api-v2-deals-cursor.json";
    let dir = imported("pipedrive-deals", file, &[]);
    let deals = rows(dir.path(), "deals");
    assert_eq!(distinct(&deals, "deal_id"), ["401", "402", "403"]);
    let eur = with(&deals, "currency", "EUR");
    assert_eq!((eur.len(), sum(&eur, "amount")), (2, 24000.0));
    assert_eq!(sum(&with(&deals, "currency", "GBP"), "amount"), 4500.5);
    let won = one(&deals, "deal_id", "401");
    assert_eq!(
        (won["is_won"].as_str(), won["closed_at"].as_str()),
        ("true", "2026-03-02T15:40:11Z")
    );
    let lost = one(&deals, "deal_id", "402");
    assert_eq!(
        (lost["is_closed"].as_str(), lost["is_won"].as_str()),
        ("true", "false")
    );
    let open = one(&deals, "deal_id", "403");
    assert_eq!(open["is_closed"], "false");
    assert!(!open.contains_key("primary_person_id"));
}

/// v1 webhook (`v`, `meta`, `current`, `previous`, `event`): deal 931 won.
#[test]
fn pipedrive_webhook_v1_updated_deal() {
    let file = "pipedrive-deals/webhook-v1-updated-deal.json";
    let dir = imported("pipedrive-deals", file, &[]);
    let deals = rows(dir.path(), "deals");
    assert_eq!(deals.len(), 1);
    let deal = &deals[0];
    assert_eq!(deal["deal_id"], "931");
    assert_eq!(
        (deal["is_won"].as_str(), deal["is_closed"].as_str()),
        ("true", "true")
    );
    assert_eq!(
        (number(deal, "amount"), deal["currency"].as_str()),
        (24000.0, "EUR")
    );
    // won_time 2026-03-02 15:40:11 UTC (meta.timestamp 1772466011).
    assert_eq!(deal["closed_at"], "2026-03-02T15:40:11Z");
}

/// v2 webhook (`meta.action` `change`, `data`, a `previous` with only the changed fields):
/// deal 932 lost.
#[test]
fn pipedrive_webhook_v2_change_deal() {
    let file = "pipedrive-deals/webhook-v2-change-deal.json";
    let dir = imported("pipedrive-deals", file, &[]);
    let deals = rows(dir.path(), "deals");
    assert_eq!(deals.len(), 1);
    let deal = &deals[0];
    assert_eq!(deal["deal_id"], "932");
    assert_eq!(
        (deal["is_won"].as_str(), deal["is_closed"].as_str()),
        ("false", "true")
    );
    assert_eq!(
        (number(deal, "amount"), deal["currency"].as_str()),
        (4500.5, "GBP")
    );
    assert_eq!(deal["closed_at"], "2026-02-10T07:05:00Z");
}

// ─── survey ──────────────────────────────────────────────────────────────────────────────────

/// Non-empty answers per respondent, in respondent order.
fn answers_per_respondent(responses: &[Row]) -> Vec<(String, usize)> {
    distinct(responses, "respondent_id")
        .into_iter()
        .map(|r| {
            let n = with(responses, "respondent_id", &r).len();
            (r, n)
        })
        .collect()
}

/// The `nps` answers, sorted, and the score: % promoters (9–10) − % detractors (0–6).
fn nps(responses: &[Row]) -> (Vec<f64>, f64) {
    let mut values: Vec<f64> = with(responses, "question", "nps")
        .iter()
        .map(|r| number(r, "answer_numeric"))
        .collect();
    values.sort_by(f64::total_cmp);
    let n = values.len() as f64;
    let promoters = values.iter().filter(|v| **v >= 9.0).count() as f64;
    let detractors = values.iter().filter(|v| **v <= 6.0).count() as f64;
    (values, 100.0 * (promoters - detractors) / n)
}

/// Real `ropensci/qualtRics` `sample_legacy.csv` layout: BOM, a trailing comma on every line,
/// row 1 `V1…V10,Q…`, row 2 the names and `question-choice` labels, no ImportId row.
#[test]
fn qualtrics_legacy_export_with_v_columns() {
    let file = "survey/qualtrics-legacy-v1-v10.csv";
    let dir = imported("survey", file, &["--map", "Q1=nps"]);
    let responses = rows(dir.path(), "survey_responses");
    // The preview (`Status` 1, R_3c…) is skipped.
    assert_eq!(
        answers_per_respondent(&responses),
        [
            ("R_1aBcDeFgHiJkLmN".to_string(), 3),
            ("R_2bCdEfGhIjKlMnO".to_string(), 3),
            ("R_4dEfGhIjKlMnOpQ".to_string(), 2),
        ]
    );
    assert_eq!(responses.len(), 8);
    assert_eq!(nps(&responses), (vec![6.0, 8.0, 9.0], 0.0));
}

/// Real `ropensci/qualtRics` `sample.csv` layout: three header rows, row 2 in German, ImportIds
/// without `timeZone`, numeric `Status`; one preview, one unfinished response (kept).
#[test]
fn qualtrics_export_with_german_labels_and_numeric_status() {
    let file = "survey/qualtrics-de-labels-numeric-status.csv";
    let dir = imported("survey", file, &["--map", "Q1=nps"]);
    let responses = rows(dir.path(), "survey_responses");
    assert_eq!(
        answers_per_respondent(&responses),
        [
            ("R_5eFgHiJkLmNoPqR".to_string(), 2),
            ("R_6fGhIjKlMnOpQrS".to_string(), 1),
            ("R_8hIjKlMnOpQrStU".to_string(), 1),
        ]
    );
    assert_eq!(nps(&responses).0, [3.0, 7.0, 9.0]);
    // The unfinished response, recorded 2026-03-12 12:02:05 (CET).
    assert_eq!(
        distinct(
            &with(&responses, "respondent_id", "R_8hIjKlMnOpQrStU"),
            "response_time"
        ),
        ["2026-03-12T11:02:05Z"]
    );
    assert_eq!(
        one(&responses, "answer_text", "Schneller Service")["respondent_id"],
        "R_5eFgHiJkLmNoPqR"
    );
}

/// Real `ctesta01/QualtricsTools` Insights (2016) layout: `ResponseID` first, row 3 a Python
/// dict (`{'ImportId': '…'}`, not JSON), a `Q2_-1` choice code.
#[test]
fn qualtrics_insights_2016_export_with_python_dict_import_ids() {
    let file = "survey/qualtrics-insights-2016-pydict-importid.csv";
    let dir = imported("survey", file, &["--map", "Q1=nps"]);
    let responses = rows(dir.path(), "survey_responses");
    assert_eq!(
        answers_per_respondent(&responses),
        [
            ("R_0jKlMnOpQrStUvW".to_string(), 2),
            ("R_9iJkLmNoPqRsTuV".to_string(), 3),
            ("R_AkLmNoPqRsTuVwX".to_string(), 2),
        ]
    );
    assert_eq!(responses.len(), 7);
    assert_eq!(nps(&responses).0, [5.0, 8.0, 10.0]);
}

/// Real `TheGoodHoustonians/backend` `Sheet_1.csv` layout (SurveyMonkey 2017): CRLF,
/// `RespondentID,CollectorID,StartDate,EndDate,…`, row 2 starting with nine NUL bytes, a padded
/// option label, `MM/DD/YYYY HH:MM:SS`.
#[test]
fn surveymonkey_2017_export_with_nul_subheader() {
    let file = "survey/surveymonkey-2017-nul-subheader.csv";
    let dir = imported(
        "survey",
        file,
        &[
            "--map",
            "How likely is it that you would recommend Fjällbo to a friend or colleague?=nps",
        ],
    );
    let responses = rows(dir.path(), "survey_responses");
    assert_eq!(
        answers_per_respondent(&responses),
        [
            ("6343553482".to_string(), 4),
            ("6343561190".to_string(), 3),
            ("6343570021".to_string(), 3),
        ]
    );
    let (values, score) = nps(&responses);
    assert_eq!(values, [4.0, 9.0, 10.0]);
    assert!((score - 100.0 / 3.0).abs() < 0.05);
    let brands: Vec<String> = responses
        .iter()
        .filter_map(|r| r.get("brand").cloned())
        .collect();
    for (brand, n) in [("Fjällbo", 2), ("Solvik", 2), ("Kestrel", 1)] {
        assert_eq!(brands.iter().filter(|b| *b == brand).count(), n, "{brand}");
    }
    // 04/25/2026 23:07:02, month first, in Stockholm (CEST).
    assert_eq!(
        distinct(
            &with(&responses, "respondent_id", "6343553482"),
            "response_time"
        ),
        ["2026-04-25T21:07:02Z"]
    );
}

/// A Qualtrics TSV export (UTF-16LE with BOM, tab, CRLF) in the current three-row layout,
/// `timeZone` `Europe/Berlin`, choice-text `Status`, `Finished` `True`.
#[test]
fn qualtrics_utf16_tsv_export_in_berlin_time() {
    let file = "survey/qualtrics-export-utf16.tsv";
    let dir = imported("survey", file, &["--map", "Q1=nps"]);
    let responses = rows(dir.path(), "survey_responses");
    assert_eq!(
        answers_per_respondent(&responses),
        [
            ("R_BlMnOpQrStUvWxY".to_string(), 2),
            ("R_DnOpQrStUvWxYzA".to_string(), 2),
        ]
    );
    assert_eq!(nps(&responses).0, [6.0, 10.0]);
    // Recorded 2026-03-09 10:03:01 in Berlin (CET).
    assert_eq!(
        distinct(
            &with(&responses, "respondent_id", "R_BlMnOpQrStUvWxY"),
            "response_time"
        ),
        ["2026-03-09T09:03:01Z"]
    );
    assert_eq!(distinct(&responses, "brand"), ["Fjällbo", "Solvik"]);
}

// ─── form-submissions ────────────────────────────────────────────────────────────────────────

/// Typeform's CSV (`#`, `Response Type`, `Start/Stage/Submit Date (UTC)`, `Network ID`,
/// `Tags`) with a `ga_client_id` hidden field. It has no CRM id: the work e-mail is the person
/// (stored hashed).
#[test]
fn typeform_responses_with_a_hidden_client_id() {
    let file = "form-submissions/typeform-responses.csv";
    let stderr = refused("form-submissions", file, &[]);
    assert!(stderr.contains("`person_id`"), "{stderr}");
    // The file has the client id and the submit date; only the person is missing.
    assert!(
        !stderr.contains("`anonymous_id`") && !stderr.contains("`linked_at`"),
        "{stderr}"
    );
    let dir = imported(
        "form-submissions",
        file,
        &[
            "--map",
            "What is your work email?=person_id",
            "--allow-rejects",
        ],
    );
    let identities = rows(dir.path(), "identities");
    // Completed with a client id: rows 1 and 2 (the partial has no e-mail, the last no id).
    assert_eq!(
        distinct(&identities, "anonymous_id"),
        ["1234567890.1767225600", "987654321.1767312000"]
    );
    // printf 'person40@example.com' | sha256sum
    let first = one(&identities, "anonymous_id", "1234567890.1767225600");
    assert_eq!(
        first["person_id"],
        "sha256:9524784e1ebac909a9c00925fa857505c4ab7a0662b95c150258ee7bf015c46e"
    );
    assert_eq!(first["linked_at"], "2026-03-02T08:16:55Z");
    assert_eq!(
        one(&identities, "anonymous_id", "987654321.1767312000")["linked_at"],
        "2026-03-03T12:04:31Z"
    );
    assert!(identities.iter().all(|r| r["method"] == "form"));
}

/// A Google Forms download (`Timestamp` as `yyyy/mm/dd h:mm:ss AM GMT+N`, `Email address`),
/// every field quoted; a prefilled question stands in for the client id.
#[test]
fn google_forms_responses_with_a_prefilled_client_id() {
    let file = "form-submissions/google-forms-responses.csv";
    let stderr = refused("form-submissions", file, &[]);
    assert!(stderr.contains("`person_id`"), "{stderr}");
    let dir = imported(
        "form-submissions",
        file,
        &[
            "--map",
            "Email address=person_id",
            "--map",
            "GA client ID (prefilled)=anonymous_id",
            "--allow-rejects",
        ],
    );
    let identities = rows(dir.path(), "identities");
    assert_eq!(identities.len(), 2, "the third row has no client id");
    // 1:43:01 PM GMT+2 is 11:43:01 UTC.
    let first = one(&identities, "anonymous_id", "222333444.1779000000");
    assert_eq!(first["linked_at"], "2026-05-20T11:43:01Z");
    // printf 'person43@example.com' | sha256sum
    assert_eq!(
        first["person_id"],
        "sha256:7ec832346d0ad047c6b92999ebe3b2b15adaf34e9a3ac5bc9c24e6eb95a95a71"
    );
    assert_eq!(
        one(&identities, "anonymous_id", "333444555.1779003600")["linked_at"],
        "2026-05-20T11:47:23Z"
    );
}

// ─── activities ──────────────────────────────────────────────────────────────────────────────

/// Real (sample data) `Mawave-Marketing/data-product-manager-case` `campaigns.csv`: snake_case,
/// the currency only in a column name (`daily_budget_eur`), a daily budget, no end date and no
/// kind column, `start_date` with a time.
#[test]
fn activity_plan_with_daily_budgets_in_euros() {
    let file = "activities/campaigns-daily-budget-eur.csv";
    let stderr = refused("activities", file, &[]);
    assert!(stderr.contains("`kind`"), "{stderr}");
    let dir = imported(
        "activities",
        file,
        &[
            "--set",
            "kind=paid_media",
            "--map",
            "daily_budget_eur=budget",
        ],
    );
    let activities = rows(dir.path(), "activities");
    assert_eq!(distinct(&activities, "activity_id"), ["1", "2", "3", "4"]);
    // The daily budgets, in the column name's currency.
    assert_eq!(distinct(&activities, "currency"), ["EUR"]);
    assert!(close(sum(&activities, "budget"), 1275.5));
    let starts = distinct(&activities, "start_date");
    assert_eq!(starts.first().unwrap(), "2026-03-02");
    assert_eq!(starts.last().unwrap(), "2026-06-01");
    assert_eq!(count(&activities, "end_date"), 0);
    // Google Ads, Meta Ads, LinkedIn Ads, TikTok Ads.
    assert_eq!(
        one(&activities, "activity_id", "1")["channel"],
        "paid_search"
    );
    for id in ["2", "3", "4"] {
        assert_eq!(
            one(&activities, "activity_id", id)["channel"],
            "paid_social"
        );
    }
}
