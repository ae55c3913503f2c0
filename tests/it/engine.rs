//! The engine on a hand-checkable workspace: every KPI of CANONICAL.md, computed by
//! `utfall kpi show` from data imported with `utfall import`, against values worked out by hand
//! in the comments. The workspace's fiscal year starts in May (FY2026 = May 2026 – April 2027).

use std::path::Path;

use crate::{new_workspace, utfall};

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn import(dir: &Path, table: &str, file: &Path) {
    let output = utfall()
        .args(["import", "--preset", "generic", "--table", table, "-C"])
        .arg(dir)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{table}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn workspace() -> tempfile::TempDir {
    let dir = new_workspace("b2b");
    let path = dir.path();
    let added = utfall()
        .args([
            "kpi",
            "add",
            "sqls",
            "cost_per_lead",
            "marketing_efficiency_ratio",
            "email_ctr",
            "unaided_awareness",
            "-C",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let spend = write(
        path,
        "spend.csv",
        "date,platform,channel,campaign_id,campaign_name,cost,currency
2026-05-01,google_ads,paid_search,c1,Sök,1000,SEK
2026-05-15,linkedin,paid_social,c2,ABM,500,SEK
2026-06-10,manual,events,fair,Mässa,2000,SEK
2026-12-31,google_ads,paid_search,c1,Sök,300,SEK
2027-01-02,google_ads,paid_search,c1,Sök,200,SEK
",
    );
    import(path, "spend", &spend);
    let contacts = write(
        path,
        "contacts.csv",
        "person_id,created_at,became_lead_at,became_mql_at,became_sql_at,original_channel
p1,2026-05-03 10:00,2026-05-03 10:00,2026-05-10 09:00,2026-06-01 09:00,organic_search
p2,2026-05-20 10:00,2026-05-20 10:00,2026-05-25 09:00,2026-10-01 09:00,paid_search
p3,2026-10-31T23:30:00Z,2026-10-31T23:30:00Z,,,direct
p4,2026-06-01 10:00,,2026-06-15 09:00,2026-07-01 09:00,email
p5,2026-10-25T00:30:00Z,2026-10-25T00:30:00Z,,,direct
",
    );
    import(path, "contacts", &contacts);
    let deals = write(
        path,
        "deals.csv",
        "deal_id,account_id,created_at,closed_at,stage,is_closed,is_won,amount,currency
d1,a1,2026-05-05 10:00,2026-06-20 10:00,closedwon,true,true,100000,SEK
d2,a1,2026-05-06 10:00,2026-07-10 10:00,closedwon,true,true,50000,SEK
d3,a2,2026-06-01 10:00,2026-07-15 10:00,closedlost,true,false,80000,SEK
d4,a3,2026-07-01 10:00,,proposal,false,false,30000,SEK
d5,a4,2025-12-01 10:00,2026-02-10 10:00,closedwon,true,true,20000,SEK
",
    );
    import(path, "deals", &deals);
    let web = write(
        path,
        "web_events.csv",
        "event_time,event_date,event_name,anonymous_id,session_id,channel,is_key_event
2026-05-02 10:00,2026-05-02,page_view,u1,u1.1,organic_search,false
2026-05-02 10:05,2026-05-02,generate_lead,u1,u1.1,organic_search,true
2026-05-02 11:00,2026-05-02,page_view,u2,u2.1,direct,false
2026-05-03 09:00,2026-05-03,purchase,u3,u3.1,paid_search,true
2026-05-03 00:10,2026-05-03,page_view,u1,u1.1,organic_search,false
",
    );
    import(path, "web_events", &web);
    let email = write(path, "email_sends.csv", "send_id,sent_at,name,n_sent,n_delivered,n_opens_unique,n_clicks_unique,n_unsubscribes,n_bounces
e1,2026-05-10 08:00,Nyhetsbrev maj,1000,980,300,49,2,20
e2,2026-05-24 08:00,Nyhetsbrev maj 2,1000,990,310,50,1,10
");
    import(path, "email_sends", &email);
    let survey = write(
        path,
        "survey.csv",
        "survey_id,wave,response_time,respondent_id,weight,question,brand,answer_numeric
s1,2026-Q2,2026-05-12 12:00,r1,1,nps,,10
s1,2026-Q2,2026-05-12 12:00,r2,2,nps,,9
s1,2026-Q2,2026-05-12 12:00,r3,1,nps,,8
s1,2026-Q2,2026-05-12 12:00,r4,1,nps,,5
s1,2026-Q2,2026-05-12 12:00,r5,0.5,nps,,0
s1,2026-Q2,2026-05-12 12:00,r1,1,aided_awareness,Nordkraft,1
s1,2026-Q2,2026-05-12 12:00,r2,1,aided_awareness,Nordkraft,0
s1,2026-Q2,2026-05-12 12:00,r3,2,aided_awareness,Nordkraft,1
s1,2026-Q2,2026-05-12 12:00,r1,1,aided_awareness,Konkurrent,1
s1,2026-Q2,2026-05-12 12:00,r1,1,unaided_awareness,Nordkraft,1
s1,2026-Q2,2026-05-12 12:00,r2,1,unaided_awareness,Nordkraft,0
s1,2026-Q2,2026-05-12 12:00,r3,2,unaided_awareness,Nordkraft,0
",
    );
    import(path, "survey_responses", &survey);
    dir
}

/// `utfall kpi show` as (period, value) pairs.
fn show(dir: &Path, kpi: &str, grain: &str, from: &str, to: &str) -> Vec<(String, Option<f64>)> {
    let report = crate::json(
        &[
            "kpi", "show", kpi, "--grain", grain, "--from", from, "--to", to, "--format", "json",
        ],
        dir,
    );
    crate::pairs(&report, "period")
}

fn one(dir: &Path, kpi: &str, grain: &str, day: &str) -> Option<f64> {
    let values = show(dir, kpi, grain, day, day);
    assert_eq!(values.len(), 1, "{values:?}");
    values[0].1
}

/// One KPI's row of a `scorecard --format json`.
fn kpi_row(card: &serde_json::Value, kpi: &str) -> serde_json::Value {
    card["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kpi"] == kpi)
        .unwrap_or_else(|| panic!("no row for {kpi}"))
        .clone()
}

fn close(got: Option<f64>, want: f64, what: &str) {
    let got = got.unwrap_or_else(|| panic!("{what}: no value"));
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

#[test]
fn every_canonical_kpi_by_hand() {
    let dir = workspace();
    let path = dir.path();
    // FY2026-Q1 is May–July 2026.
    let q = |kpi: &str| one(path, kpi, "fiscal_quarter", "2026-06-01");
    let m = |kpi: &str| one(path, kpi, "month", "2026-05-15");
    // Spend in May–July: 1000 + 500 + 2000.
    close(q("marketing_spend"), 3500.0, "marketing_spend");
    // Sessions in May: u1.1 (over two dates), u2.1, u3.1; with a key event: u1.1 and u3.1.
    close(m("sessions"), 3.0, "sessions");
    close(m("web_conversion_rate"), 2.0 / 3.0, "web_conversion_rate");
    // Leads in May: p1, p2.
    close(m("leads"), 2.0, "leads");
    // MQLs in May–July: p1, p2, p4; SQLs: p1 (1 June), p4 (1 July).
    close(q("mqls"), 3.0, "mqls");
    close(q("sqls"), 2.0, "sqls");
    // Of p1, p2, p4: p1 became SQL after 22 days, p4 after 16, p2 after 129 (> 90).
    close(q("mql_to_sql_rate"), 2.0 / 3.0, "mql_to_sql_rate");
    // Deals created May–July: d1..d4, worth 260 000.
    close(q("opportunities"), 4.0, "opportunities");
    close(q("pipeline_created"), 260_000.0, "pipeline_created");
    // Won May–July: d1, d2 (150 000); closed: d1, d2, d3.
    close(q("won_deals"), 2.0, "won_deals");
    close(q("won_revenue"), 150_000.0, "won_revenue");
    close(q("win_rate"), 2.0 / 3.0, "win_rate");
    close(q("avg_deal_size"), 75_000.0, "avg_deal_size");
    // Cost per lead in May: 1500 / 2.
    close(m("cost_per_lead"), 750.0, "cost_per_lead");
    // New customers May–July: a1 (first win 20 June; d2 is its second); a4's first win was in February.
    close(q("new_customers"), 1.0, "new_customers");
    close(q("cac"), 3500.0, "cac");
    close(
        q("marketing_efficiency_ratio"),
        150_000.0 / 3500.0,
        "marketing_efficiency_ratio",
    );
    // E-mail in May: (49 + 50) clicks / (980 + 990) delivered.
    close(m("email_ctr"), 99.0 / 1970.0, "email_ctr");
    // NPS: weights 1 (10), 2 (9), 1 (8), 1 (5), 0.5 (0): promoters 3, detractors 1.5 of 5.5.
    close(m("nps"), 100.0 * (3.0 - 1.5) / 5.5, "nps");
    // Awareness of the own brand (Nordkraft): aided 1 + 2 of 4 weighted answers; unaided 1 of 4.
    close(m("aided_awareness"), 0.75, "aided_awareness");
    close(m("unaided_awareness"), 0.25, "unaided_awareness");
}

#[test]
fn fiscal_years_iso_week_53_and_dst() {
    let dir = workspace();
    let path = dir.path();
    // FY2026 starts in May: all spend but nothing before May 2026.
    close(
        one(path, "marketing_spend", "fiscal_year", "2026-08-01"),
        4000.0,
        "FY2026",
    );
    // ISO week 53 of 2026 runs Monday 28 December to Sunday 3 January: 300 + 200.
    let weeks = show(path, "marketing_spend", "week", "2026-12-28", "2027-01-03");
    assert_eq!(weeks.len(), 1);
    assert_eq!(weeks[0].0, "2026-W53");
    close(weeks[0].1, 500.0, "2026-W53");
    // p5's lead at 00:30 UTC on 25 October is 02:30 summer time, still October in Stockholm;
    // p3's at 23:30 UTC on 31 October is 00:30 on 1 November after the clocks went back.
    let months = show(path, "leads", "month", "2026-10-01", "2026-11-30");
    assert_eq!(
        months,
        [
            ("2026-10".to_string(), Some(1.0)),
            ("2026-11".to_string(), Some(1.0))
        ]
    );
}

#[test]
fn empty_periods_have_no_value_and_zero_denominators_no_ratio() {
    let dir = workspace();
    let path = dir.path();
    // Before any deal was closed: no value, not zero.
    assert_eq!(
        one(path, "won_revenue", "fiscal_quarter", "2024-06-01"),
        None
    );
    // Within the closing dates of the data (10 February – 15 July 2026) but with no win: zero.
    assert_eq!(one(path, "won_deals", "month", "2026-03-15"), Some(0.0));
    // No closed deals in March 2026: the win rate has no value.
    assert_eq!(one(path, "win_rate", "month", "2026-03-15"), None);
}

#[test]
fn mixed_currencies_are_a_clear_error() {
    let dir = workspace();
    let path = dir.path();
    let euros = write(
        path,
        "spend_eur.csv",
        "date,platform,channel,campaign_id,campaign_name,cost,currency\n2026-05-20,meta,paid_social,c9,Meta,100,EUR\n",
    );
    import(path, "spend", &euros);
    let output = utfall()
        .args([
            "kpi",
            "show",
            "marketing_spend",
            "--grain",
            "month",
            "--from",
            "2026-05-01",
            "--to",
            "2026-05-31",
            "-C",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Without exchange rates a euro amount cannot join kronor: the error names the day.
    assert!(
        stderr.contains("`spend` has EUR amounts on 2026-05-20")
            && stderr.contains("fx_rates")
            && stderr.contains("--preset fx-rates"),
        "{stderr}"
    );
}

#[test]
fn scorecard_statuses_against_targets() {
    let dir = workspace();
    let path = dir.path();
    let output = utfall()
        .args([
            "scorecard",
            "--period",
            "FY2026-Q1",
            "--today",
            "2026-11-26",
            "--format",
            "json",
            "-C",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let card: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let row = |kpi: &str| kpi_row(&card, kpi);
    // The b2b template's FY2026-Q1 won-revenue target is 9 000 000 (reach): 150 000 is off track.
    let won = row("won_revenue");
    assert_eq!(won["target"], 9_000_000.0);
    assert_eq!(won["status"], "off_track");
    close(
        won["progress"].as_f64(),
        150_000.0 / 9_000_000.0,
        "progress",
    );
    // No target for a quarter on win_rate (its target is for the year).
    assert_eq!(row("win_rate")["status"], "no_target");
    assert_eq!(card["previous"], "FY2025-Q4");
    // FY2025-Q4 (February–April 2026): d5 won 20 000 on 10 February.
    close(won["previous"].as_f64(), 20_000.0, "previous quarter");
}

#[test]
fn sql_reads_and_refuses_to_write() {
    let dir = workspace();
    let path = dir.path();
    let output = utfall()
        .args([
            "sql",
            "select count(*) as n, sum(amount) as total from deals where is_won",
            "--format",
            "csv",
            "-C",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "n,total\n3,170000.0\n"
    );
    for statement in [
        "drop table deals",
        "insert into deals values (1)",
        "create table x as select 1",
    ] {
        let output = utfall()
            .args(["sql", statement, "-C"])
            .arg(path)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{statement}");
    }
    let manifest = std::fs::read_to_string(path.join("data/_manifest.json")).unwrap();
    assert!(manifest.contains("deals/part-"));
}

#[test]
fn explain_splits_a_change_down_the_tree() {
    let dir = workspace();
    let path = dir.path();
    let output = utfall()
        .args([
            "explain",
            "won_revenue",
            "--period",
            "FY2026-Q1",
            "--format",
            "json",
            "-C",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["vs"], "FY2025-Q4");
    let line = |kpi: &str| {
        report["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kpi"] == kpi)
            .unwrap()
            .clone()
    };
    // won_revenue 20 000 → 150 000 = won_deals (1 → 2) × avg_deal_size (20 000 → 75 000).
    // LMDI: L = (150 000 − 20 000) / ln 7.5; won_deals gets L·ln 2, avg_deal_size L·ln 3.75.
    let l = 130_000.0 / 7.5f64.ln();
    close(line("won_revenue")["change"].as_f64(), 130_000.0, "change");
    close(
        line("won_deals")["contribution"].as_f64(),
        l * 2f64.ln(),
        "won_deals",
    );
    close(
        line("avg_deal_size")["contribution"].as_f64(),
        l * 3.75f64.ln(),
        "avg_deal_size",
    );
    // won_deals (1 → 2) = closed_deals (1 → 3) × win_rate (1 → 2/3): its share splits as
    // ln 3 : ln(2/3) of ln 2.
    let won_deals = l * 2f64.ln();
    close(
        line("closed_deals")["contribution"].as_f64(),
        won_deals * 3f64.ln() / 2f64.ln(),
        "closed_deals",
    );
    close(
        line("win_rate")["contribution"].as_f64(),
        won_deals * (2.0f64 / 3.0).ln() / 2f64.ln(),
        "win_rate",
    );
    assert_eq!(line("won_deals")["method"], "LMDI");
    assert!(
        report["unexplained"].as_array().unwrap().is_empty(),
        "{report}"
    );
}

#[test]
fn attribution_on_the_workspace_by_hand() {
    let dir = new_workspace("b2b");
    let path = dir.path();
    let contacts = write(
        path,
        "contacts.csv",
        "person_id,account_id,created_at,became_lead_at,original_channel
p1,a1,2026-05-01 09:00,2026-06-01 12:00,paid_search
p2,a1,2026-07-01 09:00,,paid_social
p3,a2,2026-06-01 09:00,,paid_search
",
    );
    import(path, "contacts", &contacts);
    let deals = write(path, "deals.csv", "deal_id,account_id,primary_person_id,created_at,closed_at,stage,is_closed,is_won,amount,currency
d1,a1,p1,2026-05-05 10:00,2026-06-20 10:00,closedwon,true,true,100000,SEK
d2,a1,p2,2026-07-02 10:00,2026-07-10 10:00,closedwon,true,true,50000,SEK
");
    import(path, "deals", &deals);
    let touches = write(
        path,
        "touchpoints.csv",
        "touch_time,person_id,channel,kind
2026-05-01 09:00,p1,paid_search,ad_click
2026-06-01 10:00,p1,events,event_attended
2026-06-19 08:00,p1,email,email_click
2026-07-01 09:00,p2,paid_social,ad_click
2026-06-01 09:00,p3,paid_search,ad_click
",
    );
    import(path, "touchpoints", &touches);
    let spend = write(
        path,
        "spend.csv",
        "date,platform,channel,campaign_id,campaign_name,cost,currency
2026-05-01,google_ads,paid_search,c1,Sök,1000,SEK
2026-06-01,manual,events,fair,Mässa,2000,SEK
",
    );
    import(path, "spend", &spend);
    let output = utfall()
        .args(["attribution", "--format", "json", "-C"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["conversions"], 2.0);
    assert_eq!(report["value"], 150_000.0);
    let credit = |channel: &str, model: &str| -> (f64, f64) {
        let row = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["channel"] == channel)
            .unwrap_or_else(|| panic!("{channel}"));
        (
            row["models"][model]["conversions"].as_f64().unwrap(),
            row["models"][model]["value"].as_f64().unwrap(),
        )
    };
    // d1's journey: paid_search, events, email; d2's: paid_social.
    assert_eq!(credit("paid_search", "first"), (1.0, 100_000.0));
    assert_eq!(credit("email", "last"), (1.0, 100_000.0));
    close(
        Some(credit("events", "linear").1),
        100_000.0 / 3.0,
        "linear events",
    );
    // W-shaped: first touch and opportunity creation (5 May) are paid_search, lead creation
    // (1 June 12:00) the fair: 0.3 + 0.3, 0.3, and 0.1 to the remaining email touch.
    close(
        Some(credit("paid_search", "w_shaped").0),
        0.6,
        "w paid_search",
    );
    close(Some(credit("events", "w_shaped").0), 0.3, "w events");
    close(Some(credit("email", "w_shaped").0), 0.1, "w email");
    assert_eq!(credit("paid_social", "w_shaped"), (1.0, 50_000.0));
    // Markov (with p3's non-converting paid_search): P(conversion) 2/3; removing any one channel
    // loses 1/3, so each of the four gets half a conversion.
    for channel in ["paid_search", "events", "email", "paid_social"] {
        close(Some(credit(channel, "markov").0), 0.5, channel);
    }
    let row = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["channel"] == "events")
        .unwrap();
    assert_eq!(row["cost"], 2000.0);

    // Custom milestone weights 0.3/0.3/0.3/0/0.1 are the W-shaped model.
    let output = utfall()
        .args([
            "attribution",
            "--model",
            "milestones",
            "--milestone-weights",
            "0.3,0.3,0.3,0,0.1",
            "--format",
            "json",
            "-C",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let custom: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for channel in ["paid_search", "events", "email", "paid_social"] {
        let row = custom["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["channel"] == channel)
            .unwrap();
        close(
            row["models"]["milestones"]["conversions"].as_f64(),
            credit(channel, "w_shaped").0,
            channel,
        );
    }
}

#[test]
fn marketing_sourced_and_influenced() {
    let dir = new_workspace("b2b");
    let path = dir.path();
    let deals = write(path, "deals.csv", "deal_id,account_id,primary_person_id,created_at,closed_at,stage,is_closed,is_won,amount,currency
d1,a1,p1,2026-05-05 10:00,2026-06-20 10:00,closedwon,true,true,100000,SEK
d2,a2,p2,2026-07-02 10:00,2026-07-10 10:00,closedwon,true,true,50000,SEK
d3,a3,p3,2026-07-02 10:00,2026-07-12 10:00,closedwon,true,true,25000,SEK
");
    import(path, "deals", &deals);
    // d1 starts with marketing; d2 starts with a sales call, then marketing; d3 is sales only.
    let touches = write(
        path,
        "touchpoints.csv",
        "touch_time,person_id,channel,kind
2026-05-01 09:00,p1,paid_search,ad_click
2026-06-25 09:00,p2,sales_outbound,call
2026-07-01 09:00,p2,paid_social,ad_click
2026-07-01 09:00,p3,sales_outbound,meeting
",
    );
    import(path, "touchpoints", &touches);
    let output = utfall()
        .args(["attribution", "--model", "first", "--format", "json", "-C"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["marketing_sourced"]["conversions"], 1);
    assert_eq!(report["marketing_sourced"]["value"], 100_000.0);
    assert_eq!(report["marketing_influenced"]["conversions"], 2);
    assert_eq!(report["marketing_influenced"]["value"], 150_000.0);
}

#[test]
fn anonymous_touches_join_their_person_through_identities() {
    let dir = new_workspace("b2b");
    let path = dir.path();
    let deals = write(
        path,
        "deals.csv",
        "deal_id,account_id,primary_person_id,created_at,closed_at,stage,is_closed,is_won,amount,currency\nd1,a1,p1,2026-05-05 10:00,2026-06-20 10:00,closedwon,true,true,100000,SEK\n",
    );
    import(path, "deals", &deals);
    // The first visit was anonymous (u9); a form fill on 3 May linked u9 to p1.
    let touches = write(
        path,
        "touchpoints.csv",
        "touch_time,person_id,anonymous_id,channel,kind\n2026-04-20 09:00,,u9,organic_search,web_session\n2026-05-03 09:00,p1,,paid_search,form_submit\n",
    );
    import(path, "touchpoints", &touches);
    let identities = write(
        path,
        "identities.csv",
        "anonymous_id,person_id,linked_at,method\nu9,p1,2026-05-03 09:00,form\n",
    );
    import(path, "identities", &identities);
    let output = utfall()
        .args(["attribution", "--model", "first", "--format", "json", "-C"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["models"]["first"]["conversions"].as_f64() == Some(1.0))
        .unwrap();
    assert_eq!(first["channel"], "organic_search", "{report}");
}

#[test]
fn split_by_a_dimension_with_ratios_recomputed() {
    let dir = workspace();
    let path = dir.path();
    let split = |kpi: &str, grain: &str, day: &str| -> Vec<(String, Option<f64>)> {
        let args = [
            "kpi", "show", kpi, "--grain", grain, "--from", day, "--to", day, "--by", "channel",
            "--format", "json",
        ];
        let mut rows = crate::pairs(&crate::json(&args, path), "channel");
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows
    };
    // Spend in May–July: paid_search 1000, paid_social 500, events 2000.
    let spend = split("marketing_spend", "fiscal_quarter", "2026-06-01");
    let expected = [
        ("(total)", 3500.0),
        ("events", 2000.0),
        ("paid_search", 1000.0),
        ("paid_social", 500.0),
    ];
    assert_eq!(spend.len(), expected.len(), "{spend:?}");
    for ((channel, value), (want_channel, want)) in spend.iter().zip(expected) {
        assert_eq!(channel, want_channel);
        close(*value, want, channel);
    }
    // The web conversion rate per channel is recomputed: organic 1/1, direct 0/1, paid search 1/1.
    let rate = split("web_conversion_rate", "month", "2026-05-15");
    let get = |name: &str| rate.iter().find(|(c, _)| c == name).unwrap().1;
    close(get("organic_search"), 1.0, "organic_search");
    close(get("paid_search"), 1.0, "paid_search");
    assert_eq!(get("direct"), Some(0.0));
    close(get("(total)"), 2.0 / 3.0, "total");
    // CAC reads deals, which have no channel: a clear error.
    let output = utfall()
        .args([
            "kpi",
            "show",
            "cac",
            "--grain",
            "month",
            "--from",
            "2026-05-01",
            "--to",
            "2026-05-31",
            "--by",
            "channel",
            "-C",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("table `deals` has no column `channel`")
    );
}

/// A running period is compared to date: FY2026-Q1 (May–July 2026) on 30 June is day 61 of 92;
/// the previous quarter (February–April) is taken up to its 61st day, 2 April.
#[test]
fn a_running_period_is_compared_up_to_the_same_day() {
    let dir = workspace();
    let card = crate::json(
        &[
            "scorecard",
            "--period",
            "FY2026-Q1",
            "--today",
            "2026-06-30",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(card["running"], true);
    assert_eq!(card["previous"], "2026-02-01..2026-04-02");
    assert_eq!(card["last_year"], "2025-05-01..2025-06-30");
    let won = kpi_row(&card, "won_revenue");
    // d1 won 100 000 on 20 June (d2 closes on 10 July); d5 won 20 000 on 10 February.
    close(won["value"].as_f64(), 100_000.0, "to date");
    close(won["previous"].as_f64(), 20_000.0, "previous to date");
    // Last year lies before the deals' data: no value, not zero.
    assert!(won["last_year"].is_null());
    // No last year to follow: a linear run rate, 100 000 × 92 / 61.
    assert_eq!(won["forecast"]["method"], "linear run rate");
    close(
        won["forecast"]["value"].as_f64(),
        100_000.0 * 92.0 / 61.0,
        "forecast",
    );
    // Marketing spend to date: 1 000 + 500 + 2 000.
    let spend = kpi_row(&card, "marketing_spend");
    close(spend["value"].as_f64(), 3_500.0, "spend to date");
}

/// A date range is a period like any other: its value equals the sum of its days.
#[test]
fn a_date_range_is_evaluated_as_one_period() {
    let dir = workspace();
    let card = crate::json(
        &[
            "scorecard",
            "--period",
            "2026-05-01..2026-06-15",
            "--format",
            "json",
        ],
        dir.path(),
    );
    let spend = kpi_row(&card, "marketing_spend");
    // 1 000 on 1 May, 500 on 15 May, 2 000 on 10 June
    close(spend["value"].as_f64(), 3_500.0, "range");
    assert_eq!(card["running"], false);
}

/// `explain` names the dimension values that moved a KPI most: June against May spend is
/// +2 000 for events, −1 000 for paid search and −500 for paid social.
#[test]
fn explain_names_the_movers() {
    let dir = workspace();
    let report = crate::json(
        &[
            "explain",
            "marketing_spend",
            "--period",
            "2026-06",
            "--vs",
            "2026-05",
            "--by",
            "channel",
            "--format",
            "json",
        ],
        dir.path(),
    );
    let movers = report["movers"].as_array().unwrap();
    let spend = movers
        .iter()
        .find(|m| m["kpi"] == "marketing_spend")
        .unwrap();
    assert_eq!(spend["dimension"], "channel");
    assert_eq!(
        crate::labelled(&spend["values"], "value", "change"),
        vec![
            ("events".to_string(), Some(2000.0)),
            ("paid_search".to_string(), Some(-1000.0)),
            ("paid_social".to_string(), Some(-500.0))
        ]
    );
    // A dimension the KPI's table lacks is a clear error when asked for.
    let output = utfall()
        .args([
            "explain",
            "marketing_spend",
            "--period",
            "2026-06",
            "--by",
            "no_such_column",
            "-C",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
}

/// `count_new` split by a dimension: each entity counts once, under its first row's value.
/// Account a4 first won with d5 (10 February), a1 with d1 (20 June); a1's second win, d2
/// (10 July), is not a new customer, so d2 never appears.
#[test]
fn count_new_splits_by_the_first_rows_value() {
    let dir = workspace();
    let report = crate::json(
        &[
            "kpi",
            "show",
            "new_customers",
            "--grain",
            "quarter",
            "--from",
            "2026-01-01",
            "--to",
            "2026-09-30",
            "--by",
            "deal_id",
            "--format",
            "json",
        ],
        dir.path(),
    );
    let rows: Vec<(String, String, Option<f64>)> = report["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["period"].as_str().unwrap().to_string(),
                v["deal_id"].as_str().unwrap().to_string(),
                v["value"].as_f64(),
            )
        })
        .filter(|r| r.2.is_some_and(|v| v > 0.0))
        .collect();
    let expected = [
        ("2026-Q1", "d5", 1.0),
        ("2026-Q1", "(total)", 1.0),
        ("2026-Q2", "d1", 1.0),
        ("2026-Q2", "(total)", 1.0),
    ];
    assert_eq!(rows.len(), expected.len(), "{rows:?}");
    for (got, want) in rows.iter().zip(expected) {
        assert_eq!(
            (got.0.as_str(), got.1.as_str(), got.2),
            (want.0, want.1, Some(want.2))
        );
    }
}

/// The scorecard split by channel: each KPI whose table has the column, values per channel.
#[test]
fn the_scorecard_splits_by_a_dimension() {
    let dir = workspace();
    let card = crate::json(
        &[
            "scorecard",
            "--period",
            "FY2026-Q1",
            "--today",
            "2026-11-26",
            "--by",
            "channel",
            "--format",
            "json",
        ],
        dir.path(),
    );
    let spend = kpi_row(&card, "marketing_spend");
    assert_eq!(
        crate::labelled(&spend["by"], "value", "current"),
        vec![
            ("events".into(), Some(2000.0)),
            ("paid_search".into(), Some(1000.0)),
            ("paid_social".into(), Some(500.0))
        ]
    );
    // Won revenue reads deals, which have no channel column: not split.
    let won = kpi_row(&card, "won_revenue");
    assert_eq!(won["by"], serde_json::json!([]));
}

/// `kpi export`: every KPI × every period in one call, the same values as one at a time.
#[test]
fn export_gives_every_kpi_for_every_period() {
    let dir = workspace();
    let output = utfall()
        .args([
            "kpi",
            "export",
            "--grain",
            "month",
            "--from",
            "2026-05-01",
            "--to",
            "2026-06-30",
            "--format",
            "csv",
            "-C",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let value = |kpi: &str, period: &str| -> Option<f64> {
        text.lines()
            .find(|l| l.starts_with(&format!("{kpi},{period},")))
            .and_then(|l| l.rsplit(',').next())
            .and_then(|v| v.parse().ok())
    };
    // Spend: 1 000 + 500 in May, 2 000 in June.
    assert_eq!(value("marketing_spend", "2026-05"), Some(1500.0));
    assert_eq!(value("marketing_spend", "2026-06"), Some(2000.0));
    // Sessions in May: u1.1, u2.1, u3.1; two of them with a key event.
    assert_eq!(value("sessions", "2026-05"), Some(3.0));
    close(
        value("web_conversion_rate", "2026-05"),
        2.0 / 3.0,
        "web conversion rate",
    );
    // June has no web events at all: outside the data, no value.
    assert_eq!(value("sessions", "2026-06"), None);
    // Every value equals `kpi show` for the same KPI and period.
    for (kpi, period) in [
        ("won_revenue", "2026-06"),
        ("leads", "2026-05"),
        ("win_rate", "2026-06"),
    ] {
        assert_eq!(
            value(kpi, period),
            one(dir.path(), kpi, "month", &format!("{period}-15")),
            "{kpi} {period}"
        );
    }
}

/// The same plans on Apache DataFusion Ballista (a scheduler and an executor started in the
/// process) give the same scorecard and the same KPI table as the embedded engine.
#[cfg(feature = "ballista")]
#[test]
fn ballista_gives_the_same_answers_as_the_embedded_engine() {
    let dir = workspace();
    let run = |engine: &str, args: &[&str]| -> Vec<u8> {
        let output = utfall()
            .env("UTFALL_ENGINE", engine)
            .args(args)
            .arg("-C")
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{engine}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    let card = [
        "scorecard",
        "--period",
        "FY2026-Q1",
        "--today",
        "2026-11-26",
        "--format",
        "json",
    ];
    let embedded = run("embedded", &card);
    let cluster = run("ballista:standalone", &card);
    let parsed: serde_json::Value = serde_json::from_slice(&embedded).unwrap();
    let with_values = parsed["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["value"].is_number())
        .count();
    assert!(with_values >= 10, "{with_values} KPIs with a value");
    assert_eq!(
        String::from_utf8_lossy(&embedded),
        String::from_utf8_lossy(&cluster)
    );
    let export = [
        "kpi",
        "export",
        "--grain",
        "month",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "csv",
    ];
    assert_eq!(
        run("embedded", &export),
        run("ballista:standalone", &export)
    );
}

#[test]
fn scorecard_headers_speak_the_language_of_the_kpi_names() {
    let dir = crate::new_workspace("b2b");
    let run = |lang: &str| {
        let output = crate::utfall()
            .args([
                "scorecard",
                "--period",
                "FY2026-Q1",
                "--today",
                "2026-11-26",
                "--lang",
                lang,
                "-C",
            ])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let swedish = run("sv");
    assert!(
        swedish.contains("Vunnen intäkt")
            && swedish.contains("värde")
            && swedish.contains("mot i fjol"),
        "{swedish}"
    );
    assert!(
        !swedish.contains("vs last year") && !swedish.contains("no target"),
        "{swedish}"
    );
    let english = run("en");
    assert!(
        english.contains("Won revenue") && english.contains("vs last year"),
        "{english}"
    );
}

/// Two won deals and one person who never converted, each with a hand-written journey.
fn journeys_workspace() -> tempfile::TempDir {
    let dir = new_workspace("b2b");
    let path = dir.path();
    let deals = write(
        path,
        "deals.csv",
        "deal_id,account_id,primary_person_id,created_at,closed_at,stage,is_closed,is_won,amount,currency\n\
         d1,a1,p1,2026-05-05 10:00,2026-06-20 10:00,closedwon,true,true,100000,SEK\n\
         d2,a2,p2,2026-05-06 10:00,2026-06-21 10:00,closedwon,true,true,50000,SEK\n",
    );
    import(path, "deals", &deals);
    // p1: email, email, paid search; p2: paid search, email; p3 (no deal): email.
    let touches = write(
        path,
        "touchpoints.csv",
        "touch_time,person_id,anonymous_id,channel,kind\n\
         2026-06-01 09:00,p1,,email,email_click\n\
         2026-06-02 09:00,p1,,email,email_click\n\
         2026-06-03 09:00,p1,,paid_search,ad_click\n\
         2026-06-04 09:00,p2,,paid_search,ad_click\n\
         2026-06-05 09:00,p2,,email,email_click\n\
         2026-06-06 09:00,p3,,email,email_click\n",
    );
    import(path, "touchpoints", &touches);
    dir
}

fn attribution_json(path: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["attribution", "--format", "json"];
    args.extend_from_slice(extra);
    crate::json(&args, path)
}

fn credit(report: &serde_json::Value, channel: &str, model: &str) -> f64 {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["channel"] == channel)
        .and_then(|r| r["models"][model]["conversions"].as_f64())
        .unwrap_or_else(|| panic!("no {model} credit for {channel}: {report}"))
}

#[test]
fn collapse_merges_consecutive_touches_of_one_channel() {
    let dir = journeys_workspace();
    // Linear without collapsing: p1 gives email 2/3 and paid search 1/3, p2 gives ½ each:
    // email 7/6, paid search 5/6.
    let plain = attribution_json(dir.path(), &["--model", "linear"]);
    close(Some(credit(&plain, "email", "linear")), 7.0 / 6.0, "email");
    close(
        Some(credit(&plain, "paid_search", "linear")),
        5.0 / 6.0,
        "paid_search",
    );
    // Collapsed, p1's journey is email → paid search: ½ each, so 1 and 1.
    let collapsed = attribution_json(dir.path(), &["--model", "linear", "--collapse"]);
    close(Some(credit(&collapsed, "email", "linear")), 1.0, "email");
    close(
        Some(credit(&collapsed, "paid_search", "linear")),
        1.0,
        "paid_search",
    );
}

#[test]
fn markov_order_applies_to_the_credits_as_to_the_intervals() {
    let dir = journeys_workspace();
    let path = dir.path();
    // The same journeys as a path file, credited by `attribution paths` at order 2.
    let file = write(
        path,
        "paths.csv",
        "path,total_conversions,total_conversion_value,total_null\n\
         email > email > paid_search,1,100000,0\n\
         paid_search > email,1,50000,0\n\
         email,0,0,1\n",
    );
    let by_file = |order: &str| -> Vec<(String, f64)> {
        let output = utfall()
            .args([
                "attribution",
                "paths",
                "--model",
                "markov",
                "--order",
                order,
            ])
            .args(["--format", "json"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        report["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["channel_name"].as_str().unwrap().to_string(),
                    c["total_conversions"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let (first_order, second_order) = (by_file("1"), by_file("2"));
    assert_ne!(
        first_order, second_order,
        "the orders must differ on these journeys"
    );
    let workspace = attribution_json(path, &["--model", "markov", "--order", "2"]);
    for (channel, want) in &second_order {
        close(Some(credit(&workspace, channel, "markov")), *want, channel);
    }
}

#[test]
fn compare_puts_every_model_beside_the_chosen_one() {
    let dir = journeys_workspace();
    let report = attribution_json(dir.path(), &["--model", "shapley", "--compare"]);
    let models = report["rows"][0]["models"].as_object().unwrap();
    assert_eq!(models.len(), 13, "{report}");
    // The chosen model's credit orders the rows: Shapley gives email more than paid search.
    let email = credit(&report, "email", "shapley");
    let paid = credit(&report, "paid_search", "shapley");
    let first = report["rows"][0]["channel"].as_str().unwrap();
    assert_eq!(
        first,
        if email >= paid {
            "email"
        } else {
            "paid_search"
        }
    );
    let table = utfall()
        .args(["attribution", "--model", "shapley", "--compare", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    let header: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header[..2], ["channel", "shapley"], "{text}");
}

#[test]
fn kpi_show_compares_a_running_quarter_to_date() {
    let dir = new_workspace("b2b");
    let path = dir.path();
    let spend = write(
        path,
        "spend.csv",
        "date,platform,channel,campaign_id,campaign_name,cost,currency\n\
         2026-01-10,manual,print,c1,Kampanj,100,SEK\n\
         2026-03-01,manual,print,c1,Kampanj,1000,SEK\n\
         2026-04-10,manual,print,c1,Kampanj,50,SEK\n",
    );
    import(path, "spend", &spend);
    let report = crate::json(
        &[
            "kpi",
            "show",
            "marketing_spend",
            "--grain",
            "quarter",
            "--from",
            "2026-01-01",
            "--to",
            "2026-05-15",
            "--compare",
            "previous",
            "--today",
            "2026-05-15",
            "--format",
            "json",
        ],
        path,
    );
    let values = report["values"].as_array().unwrap();
    let q2 = values.iter().find(|v| v["period"] == "2026-Q2").unwrap();
    assert_eq!(q2["running"], true, "{report}");
    assert_eq!(q2["value"].as_f64(), Some(50.0));
    // 15 May is day 45 of Q2; Q1 up to its day 45 (1 Jan – 14 Feb) spent 100, not the whole
    // quarter's 1 100.
    assert_eq!(q2["compare"].as_f64(), Some(100.0), "{report}");
    let q1 = values.iter().find(|v| v["period"] == "2026-Q1").unwrap();
    assert_eq!(q1["running"], false);
    assert_eq!(q1["value"].as_f64(), Some(1100.0));
}
