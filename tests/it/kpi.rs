use crate::{check, new_workspace, utfall};

/// Every KPI id of CANONICAL.md's core library, copied from that document.
const CANONICAL_IDS: [&str; 21] = [
    "marketing_spend",
    "sessions",
    "web_conversion_rate",
    "leads",
    "mqls",
    "sqls",
    "mql_to_sql_rate",
    "opportunities",
    "pipeline_created",
    "won_deals",
    "won_revenue",
    "win_rate",
    "avg_deal_size",
    "cost_per_lead",
    "new_customers",
    "cac",
    "marketing_efficiency_ratio",
    "email_ctr",
    "nps",
    "aided_awareness",
    "unaided_awareness",
];

#[test]
fn library_json_has_forty_entries_and_every_canonical_id() {
    let output = utfall()
        .args(["kpi", "library", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let entries: Vec<serde_json::Value> =
        serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert!(entries.len() >= 40, "{} entries", entries.len());
    for entry in &entries {
        for field in ["id", "name", "description", "formula", "unit", "direction"] {
            assert!(
                entry[field].as_str().is_some_and(|s| !s.is_empty()),
                "{field} of {entry}"
            );
        }
        assert!(entry["names"]["sv"].is_string() && entry["names"]["en"].is_string());
    }
    for id in CANONICAL_IDS {
        assert!(entries.iter().any(|e| e["id"] == id), "{id} is missing");
    }
    let find = |id: &str| entries.iter().find(|e| e["id"] == id).unwrap();
    assert_eq!(find("mql_to_sql_rate")["kind"], "conversion");
    assert_eq!(find("win_rate")["kind"], "ratio");
    assert_eq!(find("cac")["direction"], "lower");
    assert_eq!(find("nps")["unit"], "score");
}

#[test]
fn library_speaks_swedish_and_english() {
    let sv = utfall()
        .args(["--lang", "sv", "kpi", "library"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&sv.stdout).contains("Kundanskaffningskostnad (CAC)"));
    let en = utfall()
        .args([
            "--lang", "en", "kpi", "library", "--format", "csv", "--tag", "core",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&en.stdout);
    assert!(
        text.starts_with("id,name,unit,direction,kind,formula\n"),
        "{text}"
    );
    assert!(text.contains(
        "cac,Customer acquisition cost (CAC),currency,lower,ratio,marketing_spend / new_customers"
    ));
    assert_eq!(text.lines().count(), 1 + CANONICAL_IDS.len());
}

#[test]
fn add_copies_entries_with_their_dependencies() {
    let dir = new_workspace("events");
    let output = utfall()
        .args([
            "kpi",
            "add",
            "cost_per_lead",
            "cac",
            "--goal",
            "pipeline_from_events",
            "--owner",
            "cmo",
            "-C",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // marketing_spend, leads and new_customers come along; they are not in the events template.
    assert!(stderr.contains("added 5 KPIs"), "{stderr}");
    let text = std::fs::read_to_string(dir.path().join("kpis/library.toml")).unwrap();
    let table: toml::Table = text.parse().unwrap();
    let ids: Vec<&str> = table["kpi"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "marketing_spend",
            "leads",
            "cost_per_lead",
            "new_customers",
            "cac"
        ]
    );
    let cac = &table["kpi"].as_array().unwrap()[4];
    assert_eq!(cac["goal"].as_str(), Some("pipeline_from_events"));
    let (code, stderr) = check(dir.path());
    assert_eq!(code, 0, "{stderr}");

    // Adding again changes nothing.
    utfall()
        .args(["kpi", "add", "cac", "-C"])
        .arg(dir.path())
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("kpis/library.toml")).unwrap(),
        text
    );
}

#[test]
fn add_rejects_unknown_ids_with_a_suggestion_and_writes_nothing() {
    let dir = new_workspace("b2b");
    let output = utfall()
        .args(["kpi", "add", "cost_per_leed", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("error: `cost_per_leed` is not in the KPI library"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: did you mean `cost_per_lead`?"),
        "{stderr}"
    );
    assert!(!dir.path().join("kpis/library.toml").exists());
}

#[test]
fn tree_shows_goals_and_nesting() {
    let dir = new_workspace("b2b");
    let output = utfall()
        .args(["--lang", "en", "kpi", "tree"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("grow_revenue — Grow revenue by 20 % FY2026\n  won_revenue — Won revenue  [product]\n    won_deals — Won deals  [product]\n      closed_deals — Closed deals\n"), "{text}");
}
