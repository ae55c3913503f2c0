//! The KPI workshop in the browser, over HTTP without script: who → why → what → how to a new
//! goal with two library KPIs, written to `goals.toml` and `kpis/library.toml`; the goal tree
//! and the summary show it; an invalid or taken goal id is refused with nothing written; a
//! viewer is refused on every workshop route. A test binary of its own: it changes its demo
//! workspace's definitions.
#![allow(clippy::unwrap_used)]

mod common;

use common::{encode, server};

/// The tests write definitions: one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A form body of `pairs`.
fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The hidden fields of a page's workshop form, as pairs (the draft it carries).
fn hidden(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let marker = "<input type=\"hidden\" name=\"";
    let mut rest = page;
    while let Some(at) = rest.find(marker) {
        rest = &rest[at + marker.len()..];
        let name = &rest[..rest.find('"').unwrap()];
        let value_at = rest.find("value=\"").unwrap() + 7;
        let value = &rest[value_at..value_at + rest[value_at..].find('"').unwrap()];
        if name != "csrf" {
            out.push((
                name.to_string(),
                value.replace("&#39;", "'").replace("&amp;", "&"),
            ));
        }
    }
    out
}

/// Two library KPIs the demo workspace does not have, that read tables directly, and the
/// first of its people.
fn picks(dir: &std::path::Path) -> (String, String, String) {
    let workspace = utfall_app::session::load(dir).unwrap();
    let fresh: Vec<String> =
        utfall_app::definitions::library_entries(utfall_model::locale::Locale::En, None)
            .into_iter()
            .filter(|e| workspace.kpi(&e.id).is_err())
            .filter(|e| e.formula.contains('(') && !e.formula.contains('/'))
            .map(|e| e.id)
            .collect();
    assert!(fresh.len() >= 2, "{fresh:?}");
    let person = workspace.config.as_ref().unwrap().def.people[0]
        .id
        .get_ref()
        .clone();
    (fresh[0].clone(), fresh[1].clone(), person)
}

/// The full draft of a workshop to goal `id`.
fn draft(id: &str, kpis: [&str; 2], owner: &str) -> Vec<(String, String)> {
    [
        ("participant", "Anna Berg (marketing)"),
        ("participant", "Bo Ek (sales)"),
        ("audience", "management"),
        ("audience", "sales"),
        ("goal_id", id),
        ("name_sv", "Fler affärer från webben"),
        ("name_en", "More deals from the web"),
        ("period", "FY2026"),
        ("owner", owner),
        ("kpi", kpis[0]),
        ("kpi", kpis[1]),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn body(pairs: &[(String, String)]) -> String {
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form(&refs)
}

fn definitions(dir: &std::path::Path) -> (String, String) {
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap_or_default();
    (read("goals.toml"), read("kpis/library.toml"))
}

/// The how step shows each table a KPI reads, with whether the data page says it has rows.
fn tables_shown(
    server: &common::Server,
    editor: &common::Login,
    dir: &std::path::Path,
    page: &str,
    kpis: [&String; 2],
) {
    let [first, second] = kpis;
    let data: serde_json::Value =
        serde_json::from_str(&server.get(Some(editor), "/api/data").text()).unwrap();
    let rows = |table: &str| {
        data["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == table)
            .map_or(0, |t| t["rows"].as_u64().unwrap())
    };
    let workspace = utfall_app::session::load(dir).unwrap();
    for kpi in [&first, &second] {
        let tables = utfall_app::workshop::tables_read(&workspace, kpi);
        assert!(!tables.is_empty(), "{kpi}");
        for table in &tables {
            let filled = rows(table) > 0;
            assert!(
                page.contains(&format!("data-table=\"{table}\" data-filled=\"{filled}\"")),
                "{kpi} {table}"
            );
        }
        let measurable = tables.iter().all(|t| rows(t) > 0);
        assert!(
            page.contains(&format!(
                "data-kpi=\"{kpi}\" data-measurable=\"{measurable}\""
            )),
            "{kpi}"
        );
    }
}

/// `goals.toml` and `kpis/library.toml` hold the goal and both KPIs, and the goal tree shows them.
fn written_as_drafted(
    server: &common::Server,
    editor: &common::Login,
    dir: &std::path::Path,
    owner: &str,
    kpis: [&String; 2],
) {
    let [first, second] = kpis;
    let (goals, library) = definitions(dir);
    let goals: toml::Table = toml::from_str(&goals).unwrap();
    let goal = goals["goal"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"].as_str() == Some("web_deals"))
        .unwrap();
    assert_eq!(goal["name"]["en"].as_str(), Some("More deals from the web"));
    assert_eq!(
        goal["name"]["sv"].as_str(),
        Some("Fler affärer från webben")
    );
    assert_eq!(goal["period"].as_str(), Some("FY2026"));
    assert_eq!(goal["owners"].as_array().unwrap()[0].as_str(), Some(owner));
    let library: toml::Table = toml::from_str(&library).unwrap();
    for kpi in [&first, &second] {
        let def = library["kpi"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["id"].as_str() == Some(kpi.as_str()))
            .unwrap_or_else(|| panic!("{kpi} not in kpis/library.toml"));
        assert_eq!(def["goal"].as_str(), Some("web_deals"), "{kpi}");
        assert_eq!(def["owners"].as_array().unwrap()[0].as_str(), Some(owner));
    }

    // The goal tree has the goal with both KPIs.
    let tree: serde_json::Value =
        serde_json::from_str(&server.get(Some(editor), "/api/goals").text()).unwrap();
    let node = tree["goals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["goal"] == "web_deals")
        .unwrap_or_else(|| panic!("{tree}"));
    let kpis: Vec<&str> = node["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kpi"].as_str().unwrap())
        .collect();
    let mut expected = vec![first.as_str(), second.as_str()];
    expected.sort_unstable();
    let mut kpis = kpis;
    kpis.sort_unstable();
    assert_eq!(kpis, expected);
}

#[test]
fn the_workshop_runs_to_a_new_goal_with_two_kpis() {
    let _one = one_at_a_time();
    let server = server();
    let editor = server.login("editor");
    let dir = server.dir();
    let (first, second, owner) = picks(dir);

    // 1. Who.
    let who = server.get(Some(&editor), "/workshop?lang=en");
    assert_eq!(who.status, 200, "{}", who.text());
    assert!(who.text().contains("name=\"participants\""));
    assert!(!who.text().contains("<script"));
    // Next without anyone named: the same step, told why.
    let empty = server.post(Some(&editor), "/workshop?lang=en", "step=why");
    assert_eq!(empty.status, 400);
    assert!(empty.text().contains("Name at least one participant."));
    assert!(empty.text().contains("data-step=\"who\""));

    // 2. Why: the answers of step 1 come back as hidden fields.
    let why = server.post(
        Some(&editor),
        "/workshop?lang=en",
        &form(&[
            ("participants", "Anna Berg (marketing)\r\nBo Ek (sales)"),
            ("audience", "management"),
            ("audience", "sales"),
            ("step", "why"),
        ]),
    );
    assert_eq!(why.status, 200, "{}", why.text());
    let page = why.text();
    assert!(page.contains("data-step=\"why\""));
    assert!(page.contains(&format!("name=\"owner\" value=\"{owner}\"")));
    let carried = hidden(&page);
    assert_eq!(
        carried,
        vec![
            (
                "participant".to_string(),
                "Anna Berg (marketing)".to_string()
            ),
            ("participant".to_string(), "Bo Ek (sales)".to_string()),
            ("audience".to_string(), "management".to_string()),
            ("audience".to_string(), "sales".to_string()),
        ]
    );

    // 3. What: the library with formulas, and check's lints of the draft so far.
    let mut so_far = draft("web_deals", [&first, &second], &owner);
    so_far.retain(|(k, _)| k != "kpi");
    so_far.push(("step".into(), "what".into()));
    let what = server.post(Some(&editor), "/workshop?lang=en", &body(&so_far));
    assert_eq!(what.status, 200, "{}", what.text());
    let page = what.text();
    assert!(page.contains(&format!("name=\"kpi\" value=\"{first}\"")));
    let formula = utfall_app::definitions::library_entries(utfall_model::locale::Locale::En, None)
        .into_iter()
        .find(|e| e.id == first)
        .unwrap()
        .formula;
    assert!(page.contains(&formula.replace('\'', "&#39;")), "{formula}");
    assert!(page.contains("data-code=\"unmeasured-goal\""), "{page}");

    // 4. How: the tables each KPI reads and their rows; the KPIs still lack targets.
    let mut all = draft("web_deals", [&first, &second], &owner);
    all.push(("step".into(), "how".into()));
    let how = server.post(Some(&editor), "/workshop?lang=en", &body(&all));
    assert_eq!(how.status, 200, "{}", how.text());
    let page = how.text();
    for kpi in [&first, &second] {
        assert!(page.contains(&format!("data-kpi=\"{kpi}\"")), "{kpi}");
    }
    assert!(page.contains("data-code=\"no-target\""), "{page}");
    assert!(!page.contains("data-code=\"unmeasured-goal\""), "{page}");
    assert!(page.contains("formaction=\"/workshop/write\""));
    tables_shown(server, &editor, dir, &page, [&first, &second]);

    // 5. Write.
    let mut write = draft("web_deals", [&first, &second], &owner);
    write.push(("step".into(), "how".into()));
    let written = server.post(Some(&editor), "/workshop/write?lang=en", &body(&write));
    assert_eq!(written.status, 303, "{}", written.text());
    assert_eq!(
        written.header("location"),
        Some("/workshop/web_deals?written=1")
    );

    written_as_drafted(server, &editor, dir, &owner, [&first, &second]);

    // The summary, at a stable address, from the written definitions.
    let summary = server.get(Some(&editor), "/workshop/web_deals?lang=en");
    assert_eq!(summary.status, 200, "{}", summary.text());
    let page = summary.text();
    assert!(page.contains("More deals from the web"));
    assert!(page.contains("<li>Anna Berg (marketing)</li>"), "{page}");
    assert!(page.contains("<li>Bo Ek (sales)</li>"));
    assert!(page.contains("<li>management</li>"));
    for kpi in [&first, &second] {
        assert!(page.contains(&format!("<tr data-kpi=\"{kpi}\">")), "{kpi}");
    }
    assert!(
        page.contains("data-code=\"no-target\""),
        "open questions: {page}"
    );

    // The audit log names the workshop.
    let admin = server.login("admin");
    let log: serde_json::Value =
        serde_json::from_str(&server.get(Some(&admin), "/api/audit").text()).unwrap();
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "workshop")
        .unwrap();
    assert_eq!(entry["object"], "web_deals");
    assert!(entry["detail"].as_str().unwrap().contains(&first));
}

#[test]
fn an_invalid_or_taken_goal_id_is_refused_and_nothing_written() {
    let _one = one_at_a_time();
    let server = server();
    let editor = server.login("editor");
    let dir = server.dir();
    let (first, second, owner) = picks(dir);
    let before = definitions(dir);

    let spaced = draft("grow pipeline", [&first, &second], &owner);
    let refused = server.post(Some(&editor), "/workshop/write?lang=en", &body(&spaced));
    assert_eq!(refused.status, 400, "{}", refused.text());
    let page = refused.text();
    assert!(
        page.contains("`grow pipeline` is not a valid goal id"),
        "{page}"
    );
    assert!(page.contains("For example `grow_pipeline`."), "{page}");
    assert!(page.contains("data-step=\"why\""));
    // What the team typed is still in the form.
    assert!(page.contains("name=\"goal_id\" value=\"grow pipeline\""));
    assert_eq!(definitions(dir), before);

    let taken = draft("grow_revenue", [&first, &second], &owner);
    let refused = server.post(Some(&editor), "/workshop/write?lang=en", &body(&taken));
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert!(
        refused
            .text()
            .contains("There is already a goal `grow_revenue`: choose another id."),
        "{}",
        refused.text()
    );
    assert_eq!(definitions(dir), before);

    // In Swedish too.
    let refused = server.post(Some(&editor), "/workshop/write?lang=sv", &body(&taken));
    assert_eq!(refused.status, 400);
    assert!(
        refused
            .text()
            .contains("Det finns redan ett mål `grow_revenue`")
    );
    assert_eq!(definitions(dir), before);
}

#[test]
fn a_viewer_is_refused_on_every_workshop_route() {
    let _one = one_at_a_time();
    let server = server();
    let viewer = server.login("viewer");
    let dir = server.dir();
    let (first, second, owner) = picks(dir);
    let before = definitions(dir);
    let mut full = draft("viewer_goal", [&first, &second], &owner);
    full.push(("step".into(), "how".into()));
    assert_eq!(
        server.get(Some(&viewer), "/workshop").status,
        403,
        "GET /workshop"
    );
    // The summary is for everyone: a viewer reads it, to print.
    assert_eq!(
        server.get(Some(&viewer), "/workshop/grow_revenue").status,
        200
    );
    for path in ["/workshop", "/workshop/write"] {
        assert_eq!(
            server.post(Some(&viewer), path, &body(&full)).status,
            403,
            "POST {path}"
        );
    }
    assert_eq!(definitions(dir), before);
}
