//! Layouts of further real exports found in public repositories, reproduced with values of our
//! own (each test names the layout it follows); expected values worked out by hand.

use std::path::PathBuf;

use crate::import::{import_with, rows, sum};
use crate::new_workspace;

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn utf16(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Google Ads' Search keyword report (UTF-16, tab; as in DevCadbury/towing-no-1): a total row
/// whose `Total:` is in the third column and whose campaign is ` --`.
#[test]
fn a_keyword_report_total_under_match_type_is_not_a_campaign() {
    let dir = new_workspace("b2b");
    let text = "Search keyword report\n1 May 2026 - 4 May 2026\n\
        Keyword status\tKeyword\tMatch type\tCampaign\tAd group\tImpr.\tCurrency code\tCost\tClicks\n\
        Enabled\ttowing near me\tBroad match\tTowing\tAd group 1\t8\tCAD\t0.12\t1\n\
        Enabled\ttow truck\tPhrase match\tTowing\tAd group 1\t6\tCAD\t0.00\t0\n\
         --\t\tTotal: All but removed keywords\t --\t --\t14\tCAD\t0.12\t1\n\
        \t\tTotal: Account\t\t\t14\tCAD\t0.12\t1\n";
    let file = utf16(&dir, "Search keyword report.csv", text);
    let (code, stderr) = import_with(dir.path(), "google-ads", &file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let spend = rows(dir.path(), "spend");
    // One campaign over four days: 0.12 CAD = 12 cents, 3 + 3 + 3 + 3; 14 impressions 4, 4, 3, 3.
    assert_eq!(spend.len(), 4);
    assert!((sum(&spend, "cost") - 0.12).abs() < 1e-9);
    assert_eq!(sum(&spend, "impressions"), 14.0);
    assert_eq!(sum(&spend, "clicks"), 1.0);
    assert!(spend.iter().all(|r| r["campaign_name"] == "Towing"));
}

/// A GA4 Pages report downloaded from the UI (as in DanielTheC/internal-lnking-tool): a page
/// with and without a trailing space is two pages; two equal rows of one page add up.
#[test]
fn ga4_page_rows_are_summed_not_replaced() {
    let dir = new_workspace("b2b");
    let text = "# ----------------------------------------\n# Pages and screens: Page path and screen class\n\
        # Start date: 20260101\n# End date: 20260101\n\
        Page path and screen class,Views,Active users,Event count\n\
        /blog/pergola ,43,1,98\n/blog/pergola,6,5,20\n/blog/search/Anchor,2,1,3\n/blog/search/Anchor,2,1,3\n";
    let file = write(&dir, "Pages_and_screens.csv", text);
    let (code, stderr) = import_with(dir.path(), "ga4-data-api", &file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let observations = rows(dir.path(), "observations");
    let views: Vec<_> = observations
        .iter()
        .filter(|r| r["metric"] == "ga4_screenPageViews")
        .cloned()
        .collect();
    // 43 + 6 + 2 + 2 views, in three pages.
    assert_eq!(sum(&views, "value"), 53.0);
    assert_eq!(views.len(), 3);
    let anchor = views
        .iter()
        .find(|r| r["dimension_value"] == "/blog/search/Anchor")
        .unwrap();
    assert_eq!(anchor["value"], "4.0");
}

/// A HubSpot contacts export of today (as in aagii8999-glitch/vertmonhub): lifecycle dates as
/// `Date entered "Lead (Lifecycle Stage Pipeline)"`.
#[test]
fn hubspot_lifecycle_dates_of_the_stage_pipeline() {
    let dir = new_workspace("b2b");
    let text = "\"Record ID\",\"First Name\",\"Create Date\",\"Lifecycle Stage\",\"Date entered \"\"Lead (Lifecycle Stage Pipeline)\"\"\",\"Date entered \"\"Customer (Lifecycle Stage Pipeline)\"\"\"\n\
        \"4405\",\"Anna\",\"2026-02-25 22:36\",\"Lead\",\"2026-02-25 22:36\",\"\"\n\
        \"4406\",\"Bo\",\"2026-01-10 09:00\",\"Customer\",\"2026-01-10 09:00\",\"2026-02-01 10:00\"\n";
    let file = write(&dir, "all-contacts.csv", text);
    let (code, stderr) = import_with(dir.path(), "hubspot-contacts", &file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let contacts = rows(dir.path(), "contacts");
    assert_eq!(
        contacts
            .iter()
            .filter(|c| c.contains_key("became_lead_at"))
            .count(),
        2
    );
    let bo = contacts.iter().find(|c| c["person_id"] == "4406").unwrap();
    // 10:00 in Stockholm (CET) is 09:00 UTC.
    assert_eq!(bo["became_customer_at"], "2026-02-01T09:00:00Z");
}

/// Salesforce's CampaignMember data export (as in SFDC-Assets/data-cloud-workshop): one person
/// in two campaigns added at the same moment is two touchpoints; `Type` (Lead/Contact) is not
/// the campaign's type.
#[test]
fn one_person_in_two_campaigns_is_two_touchpoints() {
    let dir = new_workspace("b2b");
    let text = "Id,CampaignId,LeadId,ContactId,Status,HasResponded,CreatedDate,Type\n\
        00vA,701A,,003X,Sent,false,2024-01-23T02:46:47.000+0000,Contact\n\
        00vB,701B,,003X,Sent,false,2024-01-23T02:46:47.000+0000,Contact\n\
        00vC,701A,00QY,000000000000000AAA,Sent,false,2024-01-23T02:46:47.000+0000,Lead\n";
    let file = write(&dir, "CampaignMember.csv", text);
    let (code, stderr) = import_with(dir.path(), "salesforce-campaign-members", &file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let touches = rows(dir.path(), "touchpoints");
    assert_eq!(touches.len(), 3);
    // The empty contact lookup is no contact: the lead it is.
    assert!(touches.iter().any(|t| t["person_id"] == "00QY"));
    assert!(touches.iter().all(|t| !t.contains_key("medium")));
}

/// A Qualtrics export where two questions share the tag `Q2` (as in BjoernHartig/data): both
/// are kept, the second named by its import id.
#[test]
fn two_qualtrics_questions_under_one_tag_stay_two() {
    let dir = new_workspace("b2b");
    let text = "StartDate,EndDate,Status,ResponseId,Q2,Q1,Q2\n\
        Start Date,End Date,Response Type,Response ID,Consent,Age,What is your gender?\n\
        \"{\"\"ImportId\"\":\"\"startDate\"\",\"\"timeZone\"\":\"\"America/Denver\"\"}\",\"{\"\"ImportId\"\":\"\"endDate\"\",\"\"timeZone\"\":\"\"America/Denver\"\"}\",\"{\"\"ImportId\"\":\"\"status\"\"}\",\"{\"\"ImportId\"\":\"\"_recordId\"\"}\",\"{\"\"ImportId\"\":\"\"QID106\"\"}\",\"{\"\"ImportId\"\":\"\"QID1\"\"}\",\"{\"\"ImportId\"\":\"\"QID108\"\"}\"\n\
        2022-07-22 03:17:28,2022-07-22 03:30:00,0,R_1,I consent,34,Female\n";
    let file = write(&dir, "study.csv", text);
    let (code, stderr) = import_with(dir.path(), "survey", &file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let answers = rows(dir.path(), "survey_responses");
    let mut questions: Vec<&str> = answers.iter().map(|a| a["question"].as_str()).collect();
    questions.sort_unstable();
    assert_eq!(questions, ["q1", "q2", "q2_qid108"]);
    // 03:30 in Denver (MDT, UTC−6) is 09:30 UTC.
    assert!(
        answers
            .iter()
            .all(|a| a["response_time"] == "2022-07-22T09:30:00Z")
    );
}

/// AdWords' 2016 Ad report (UTF-16, as in svdzeeuw/adwords_testing): the period in brackets
/// after the report's name, no currency in the file.
#[test]
fn an_adwords_report_names_its_period_in_brackets() {
    let dir = new_workspace("b2b");
    let text = "\"Ad report (Oct 25, 2016-Oct 31, 2016)\"\n\
        Ad state\tAd\tCampaign\tAd group\tClicks\tImpressions\tCost\n\
        enabled\tBuy now\tShop\tGroup 1\t7\t700\t7.00\n\
        enabled\tSale\tShop\tGroup 2\t0\t35\t0.70\n\
        Total - all\t--\t--\t--\t7\t735\t7.70\n";
    let file = utf16(&dir, "Ad report.csv", text);
    let (code, stderr) = import_with(dir.path(), "google-ads", &file, &[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no currency"), "{stderr}");
    let (code, stderr) = import_with(dir.path(), "google-ads", &file, &["--currency", "EUR"]);
    assert_eq!(code, 0, "{stderr}");
    let spend = rows(dir.path(), "spend");
    // Both ads of campaign Shop summed, over the seven days: 770 cents = 110 a day.
    assert_eq!(spend.len(), 7);
    assert!(spend.iter().all(|r| r["cost"] == "1.1"));
    assert_eq!(sum(&spend, "impressions"), 735.0);
    let mut dates: Vec<&str> = spend.iter().map(|r| r["date"].as_str()).collect();
    dates.sort_unstable();
    assert_eq!((dates[0], dates[6]), ("2016-10-25", "2016-10-31"));
}

/// A GA4 Explore export (as in DanielTheC/internal-lnking-tool): the period as
/// `# 20241122-20260120` and a `Grand total` row first.
#[test]
fn a_ga4_exploration_with_its_grand_total() {
    let dir = new_workspace("b2b");
    let text = "# ----------------------------------------\n# Ten10 GA4\n# Untitled exploration-Free form 1\n# 20260101-20260102\n# ----------------------------------------\n\n\
        Page path + query string,Sessions,Views\n,30,41,Grand total\n/,20,25\n/about,10,16\n";
    let file = write(&dir, "download.csv", text);
    let (code, stderr) = import_with(dir.path(), "ga4-data-api", &file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let observations = rows(dir.path(), "observations");
    let sessions: Vec<_> = observations
        .iter()
        .filter(|r| r["metric"] == "ga4_sessions")
        .cloned()
        .collect();
    // 20 + 10 sessions over two days (10 + 10, 5 + 5), the total row left out.
    assert_eq!(sum(&sessions, "value"), 30.0);
    assert_eq!(sessions.len(), 4);
}

/// A HubSpot deals export with a portal's own stage labels (as in MarkStringer/deals):
/// `Closed: won`, `Closed: lost`, `Closed: abandoned`, and `Is Deal Closed?`.
#[test]
fn hubspot_deals_with_a_portals_own_closed_stages() {
    let dir = new_workspace("b2b");
    let text = "Record ID,Deal Name,Deal Stage,Close Date,Amount,Create Date,Is Deal Closed?\n\
        701,Audit,Closed: won,2023-03-31 11:10,26250,2023-03-01 09:00,true\n\
        702,Clinic,Closed: lost,2023-02-15 23:12,,2023-02-09 17:02,true\n\
        703,Old lead,Closed: abandoned,2023-02-20 10:00,500,2023-01-09 17:02,true\n\
        704,Open one,Proposal,2023-06-30 10:00,900,2023-03-09 17:02,false\n";
    let file = write(&dir, "hubspot-crm-exports-all-deals.csv", text);
    let (code, stderr) = import_with(dir.path(), "hubspot-deals", &file, &["--currency", "GBP"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("`currency` stays empty"), "{stderr}");
    let deals = rows(dir.path(), "deals");
    let deal = |id: &str| deals.iter().find(|d| d["deal_id"] == id).unwrap();
    assert_eq!(
        (
            deal("701")["is_won"].as_str(),
            deal("701")["is_closed"].as_str()
        ),
        ("true", "true")
    );
    assert_eq!(
        (
            deal("702")["is_won"].as_str(),
            deal("702")["is_closed"].as_str()
        ),
        ("false", "true")
    );
    assert_eq!(
        (
            deal("703")["is_won"].as_str(),
            deal("703")["is_closed"].as_str()
        ),
        ("false", "true")
    );
    assert_eq!(deal("704")["is_closed"], "false");
    // 2023-03-31 11:10 in Stockholm (CEST) is 09:10 UTC; an open deal has no close yet.
    assert_eq!(deal("701")["closed_at"], "2023-03-31T09:10:00Z");
    assert!(!deal("704").contains_key("closed_at"));
    assert!(!deal("702").contains_key("amount"));
}
