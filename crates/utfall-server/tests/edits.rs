//! Definitions in the browser, over HTTP: a target changed in the file (comments kept), two
//! editors on one file (the second told, nothing lost), an edit `check` refuses, a library KPI
//! added to a goal. A test binary of its own: it changes its demo workspace's definitions.
#![allow(clippy::unwrap_used)]

mod common;

use common::server;

/// The tests edit one file: one at a time, so that no test's form goes stale by another's edit.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The value of `name="NAME" value="…"` in a page.
fn field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + marker.len();
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

/// The form as the page shows it, with `period`'s value replaced.
fn form_with(page: &str, period: &str, value: &str) -> String {
    let mut pairs = vec![
        ("stamp".to_string(), field(page, "stamp")),
        ("owners".to_string(), field(page, "owners")),
    ];
    for n in 0.. {
        let name = format!("period_{n}");
        if !page.contains(&format!("name=\"{name}\"")) {
            break;
        }
        let p = field(page, &name);
        let v = if p == period {
            value.to_string()
        } else {
            field(page, &format!("value_{n}"))
        };
        pairs.push((name, p));
        pairs.push((format!("kind_{n}"), "reach".into()));
        pairs.push((format!("value_{n}"), v));
        pairs.push((format!("amber_{n}"), field(page, &format!("amber_{n}"))));
    }
    serde_urlencoded::to_string(&pairs).unwrap()
}

/// FY2026-Q3's target of `won_revenue` as the file now says (read with the TOML parser).
fn q3_target(dir: &std::path::Path) -> f64 {
    let text = std::fs::read_to_string(dir.join("kpis/kpis.toml")).unwrap();
    let file: toml::Table = toml::from_str(&text).unwrap();
    let kpi = file["kpi"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"].as_str() == Some("won_revenue"))
        .unwrap();
    let target = kpi["target"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["period"].as_str() == Some("FY2026-Q3"))
        .unwrap();
    target["value"]
        .as_integer()
        .map_or_else(|| target["value"].as_float().unwrap(), |i| i as f64)
}

#[test]
fn two_editors_change_one_target_and_the_second_is_told() {
    let _one = one_at_a_time();
    let server = server();
    let anna = server.login("editor");
    let admin = server.login("admin");
    let dir = server.dir();
    // The demo's target, as its generator wrote it.
    let demo = q3_target(dir);
    let first = server
        .get(Some(&anna), "/kpi/won_revenue/edit?lang=en")
        .text();
    let second = server
        .get(Some(&admin), "/kpi/won_revenue/edit?lang=en")
        .text();
    assert_eq!(field(&first, "period_3"), "FY2026-Q3");
    assert_eq!(field(&first, "value_3"), format!("{demo}"));
    assert_eq!(field(&first, "amber_3"), "10");

    // The first saves 3 500 000 (typed the Swedish way).
    let saved = server.post(
        Some(&anna),
        "/kpi/won_revenue/edit?lang=en",
        &form_with(&first, "FY2026-Q3", "3 500 000"),
    );
    assert_eq!(saved.status, 303, "{}", saved.text());
    assert_eq!(saved.header("location"), Some("/kpi/won_revenue?edited=1"));
    assert_eq!(q3_target(dir), 3_500_000.0);
    let text = std::fs::read_to_string(dir.join("kpis/kpis.toml")).unwrap();
    assert!(
        text.starts_with("# What: the KPIs"),
        "the file's comments are kept"
    );

    // The second, on the form opened before: told, nothing written, their value kept.
    let refused = server.post(
        Some(&admin),
        "/kpi/won_revenue/edit?lang=en",
        &form_with(&second, "FY2026-Q3", "3 600 000"),
    );
    assert_eq!(refused.status, 409, "{}", refused.text());
    let page = refused.text();
    assert!(
        page.contains("kpis/kpis.toml was changed by someone else"),
        "{page}"
    );
    assert!(
        page.contains("FY2026-Q3 reach 3500000 (amber 10 %)"),
        "{page}"
    );
    assert_eq!(
        field(&page, "value_3"),
        "3600000",
        "the second's value is still in the form"
    );
    assert_eq!(q3_target(dir), 3_500_000.0);
    // Saving again from the form they were shown writes it.
    let again = server.post(
        Some(&admin),
        "/kpi/won_revenue/edit?lang=en",
        &form_with(&page, "FY2026-Q3", "3 600 000"),
    );
    assert_eq!(again.status, 303, "{}", again.text());
    assert_eq!(q3_target(dir), 3_600_000.0);

    // What the KPI page's JSON says is the file's target.
    let json: serde_json::Value = serde_json::from_str(
        &server
            .get(
                Some(&anna),
                "/api/kpi/won_revenue?grain=fiscal_quarter&window=12",
            )
            .text(),
    )
    .unwrap();
    let targets: Vec<f64> = json["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["target"]["value"].as_f64())
        .collect();
    assert!(targets.contains(&3_600_000.0), "{targets:?}");
    assert!(!targets.contains(&demo), "{targets:?}");

    // The audit log has both edits with what changed.
    let log: serde_json::Value =
        serde_json::from_str(&server.get(Some(&admin), "/api/audit").text()).unwrap();
    let edits: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "kpi.edit")
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert_eq!(
        edits,
        vec![
            "kpis/kpis.toml: FY2026-Q3: target 3500000 → 3600000",
            format!("kpis/kpis.toml: FY2026-Q3: target {demo} → 3500000").as_str(),
        ]
    );
}

#[test]
fn an_edit_check_refuses_is_not_written() {
    let _one = one_at_a_time();
    let server = server();
    let editor = server.login("editor");
    let dir = server.dir();
    let page = server.get(Some(&editor), "/kpi/leads/edit?lang=en").text();
    let before = std::fs::read_to_string(dir.join("kpis/kpis.toml")).unwrap();
    // A period that does not exist.
    let mut form = form_with(&page, "", "");
    let n = (0..)
        .find(|n| field(&page, &format!("period_{n}")).is_empty())
        .unwrap();
    form = form.replace(&format!("period_{n}=&"), &format!("period_{n}=2026-Q9&"));
    form = form.replace(&format!("value_{n}=&"), &format!("value_{n}=100&"));
    let refused = server.post(Some(&editor), "/kpi/leads/edit?lang=en", &form);
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert!(
        refused.text().contains("utfall check finds errors"),
        "{}",
        refused.text()
    );
    // Another test may have edited `won_revenue` meanwhile; `leads` is as it was.
    let after = std::fs::read_to_string(dir.join("kpis/kpis.toml")).unwrap();
    assert!(!after.contains("2026-Q9"));
    assert_eq!(before.contains("2026-Q9"), after.contains("2026-Q9"));
}

#[test]
fn a_library_kpi_is_added_to_a_goal() {
    let _one = one_at_a_time();
    let server = server();
    let editor = server.login("editor");
    let dir = server.dir();
    let workspace = utfall_app::session::load(dir).unwrap();
    let entry = utfall_app::definitions::library_entries(utfall_model::locale::Locale::En, None)
        .into_iter()
        .find(|e| workspace.kpi(&e.id).is_err() && !e.formula.is_empty())
        .unwrap();
    let answer = server.post(
        Some(&editor),
        "/goals/kpis",
        &format!("kpi={}&goal=grow_revenue", entry.id),
    );
    assert_eq!(answer.status, 303, "{}", answer.text());
    let library = std::fs::read_to_string(dir.join("kpis/library.toml")).unwrap();
    let file: toml::Table = toml::from_str(&library).unwrap();
    let added = file["kpi"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"].as_str() == Some(entry.id.as_str()))
        .unwrap();
    assert_eq!(added["goal"].as_str(), Some("grow_revenue"));
    let page = server.get(Some(&editor), &format!("/kpi/{}", entry.id));
    assert_eq!(page.status, 200, "{}", page.text());
    let viewer = server.login("viewer");
    let refused = server.post(
        Some(&viewer),
        "/goals/kpis",
        &format!("kpi={}&goal=grow_revenue", entry.id),
    );
    assert_eq!(refused.status, 403);
}
