//! Imports in the browser, over HTTP: upload, detection, dry run, confirm, idempotence, the
//! upload limit, the roles and the CSRF token, and the audit log. A test binary of its own: it
//! changes its demo workspace's data.
#![allow(clippy::unwrap_used)]

mod common;

use common::{UPLOAD_LIMIT, server};

/// A Google Ads campaign report as the UI exports it (title rows, thousands separators, a
/// total row), written for this test: three days of one new campaign, 1 234.50 + 200.25 +
/// 50.00 = 1 484.75 SEK, 1 500 + 300 + 20 = 1 820 impressions.
const GOOGLE_ADS: &str = "Campaign performance report\n\"November 21, 2026 - November 23, 2026\"\n\
Day,Campaign,Campaign ID,Currency code,Cost,Impr.,Clicks,Conversions\n\
2026-11-21,Test | Upload,99001,SEK,\"1,234.50\",\"1,500\",40,2\n\
2026-11-22,Test | Upload,99001,SEK,200.25,300,12,1\n\
2026-11-23,Test | Upload,99001,SEK,50.00,20,1,0\n\
Total: Campaign,,,,\"1,484.75\",\"1,820\",53,3\n";

fn upload_id(location: &str) -> String {
    location.rsplit('/').next().unwrap().to_string()
}

fn uploads(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir.join(".utfall/uploads")).map_or(0, |d| d.count())
}

fn spend_of_campaign(dir: &std::path::Path) -> (usize, f64, i64) {
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let runtime = utfall_app::runtime().unwrap();
        runtime.block_on(async {
            let clock = utfall_app::Clock::Fixed(common::TODAY.parse().unwrap());
            let session = utfall_app::Session::open(&dir, clock).await.unwrap();
            let result = utfall_app::series::sql(
                &session,
                "SELECT count(*) AS n, sum(cost) AS cost, sum(impressions) AS impressions \
                 FROM spend WHERE campaign_id = '99001'",
            )
            .await
            .unwrap();
            let cell = |i: usize| result.rows[0][i].text.replace(',', "");
            (
                cell(0).parse().unwrap(),
                cell(1).parse().unwrap_or(0.0),
                cell(2).parse().unwrap_or(0),
            )
        })
    })
    .join()
    .unwrap()
}

#[test]
fn an_upload_is_detected_dry_run_confirmed_and_imported_once() {
    let server = server();
    let editor = server.login("editor");
    let dir = server.dir();
    assert_eq!(spend_of_campaign(dir).0, 0);

    // Upload with the preset left to detection.
    let answer = server.upload(
        &editor,
        Some(&editor.csrf),
        &[("preset", "auto"), ("currency", ""), ("dates", "auto")],
        "Campaign report.csv",
        GOOGLE_ADS.as_bytes(),
    );
    assert_eq!(answer.status, 303, "{}", answer.text());
    let id = upload_id(answer.header("location").unwrap());
    let json: serde_json::Value = serde_json::from_str(
        &server
            .get(Some(&editor), &format!("/api/uploads/{id}"))
            .text(),
    )
    .unwrap();
    assert_eq!(json["options"]["preset"], "google-ads", "{json:#}");
    assert_eq!(json["detected"][0]["preset"], "google-ads");
    let dry = &json["dry_run"];
    assert_eq!(dry["read"], 3, "{dry:#}");
    assert_eq!(dry["imported"], 3);
    assert_eq!(dry["rejected"], 0);
    assert!(json["result"].is_null());
    // The dry run imported nothing.
    assert_eq!(spend_of_campaign(dir).0, 0);
    let page = server.get(Some(&editor), &format!("/data/import/{id}?lang=en"));
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("data-state=\"dry-run\""), "{text}");
    assert!(text.contains(
        "<tr data-count=\"read\"><th scope=\"row\">Records read</th><td class=\"num\">3</td>"
    ));

    // Confirm: the rows are in, summed as the file says.
    let confirmed = server.post(
        Some(&editor),
        &format!("/data/import/{id}"),
        "preset=google-ads",
    );
    assert_eq!(confirmed.status, 303, "{}", confirmed.text());
    let (rows, cost, impressions) = spend_of_campaign(dir);
    assert_eq!(rows, 3);
    assert!((cost - 1484.75).abs() < 1e-9, "{cost}");
    assert_eq!(impressions, 1820);
    let page = server
        .get(Some(&editor), &format!("/data/import/{id}?lang=sv"))
        .text();
    assert!(page.contains("data-state=\"done\""), "{page}");
    assert!(page.contains("Importerad."));

    // The same file again: detected, confirmed, nothing changes.
    let again = server.upload(
        &editor,
        Some(&editor.csrf),
        &[],
        "again.csv",
        GOOGLE_ADS.as_bytes(),
    );
    assert_eq!(again.status, 303);
    let second = upload_id(again.header("location").unwrap());
    let confirmed = server.post(Some(&editor), &format!("/data/import/{second}"), "");
    assert_eq!(confirmed.status, 303, "{}", confirmed.text());
    let json: serde_json::Value = serde_json::from_str(
        &server
            .get(Some(&editor), &format!("/api/uploads/{second}"))
            .text(),
    )
    .unwrap();
    assert_eq!(json["result"]["already_imported"], true, "{json:#}");
    assert_eq!(spend_of_campaign(dir).0, 3);

    // The audit log names who imported what (an admin reads it).
    let admin = server.login("admin");
    let log: serde_json::Value =
        serde_json::from_str(&server.get(Some(&admin), "/api/audit?actor=editor").text()).unwrap();
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["object"] == "Campaign report.csv" || e["object"] == "again.csv")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "import").count(),
        2,
        "{log:#}"
    );
    assert_eq!(actions.iter().filter(|a| **a == "upload").count(), 2);
    let first_import = log
        .as_array()
        .unwrap()
        .iter()
        .rfind(|e| e["action"] == "import")
        .unwrap();
    assert_eq!(
        first_import["detail"],
        "Campaign report.csv with google-ads: 3 read, 3 imported, 0 rejected"
    );
    assert_eq!(server.get(Some(&editor), "/api/audit").status, 403);
}

#[test]
fn an_upload_over_the_limit_is_refused_and_writes_nothing() {
    let server = server();
    let editor = server.login("editor");
    let dir = server.dir();
    let before = uploads(dir);
    let manifest = std::fs::read(dir.join("data/_manifest.json")).ok();
    let big = vec![b'a'; usize::try_from(UPLOAD_LIMIT).unwrap() + 1];
    let answer = server.upload(&editor, Some(&editor.csrf), &[], "big.csv", &big);
    assert_eq!(answer.status, 413, "{}", answer.text());
    assert!(
        answer
            .text()
            .contains("larger than the upload limit of 4 MiB"),
        "{}",
        answer.text()
    );
    assert!(answer.text().contains("nothing was written"));
    assert_eq!(uploads(dir), before);
    assert_eq!(
        std::fs::read(dir.join("data/_manifest.json")).ok(),
        manifest
    );
}

#[test]
fn an_upload_needs_an_editor_and_the_forms_token() {
    let server = server();
    let viewer = server.login("viewer");
    let editor = server.login("editor");
    let dir = server.dir();
    let before = uploads(dir);
    let answer = server.upload(
        &viewer,
        Some(&viewer.csrf),
        &[],
        "a.csv",
        GOOGLE_ADS.as_bytes(),
    );
    assert_eq!(answer.status, 403);
    let answer = server.upload(&editor, None, &[], "a.csv", GOOGLE_ADS.as_bytes());
    assert_eq!(answer.status, 403, "{}", answer.text());
    let answer = server.upload(
        &editor,
        Some("0".repeat(64).as_str()),
        &[],
        "a.csv",
        GOOGLE_ADS.as_bytes(),
    );
    assert_eq!(answer.status, 403);
    assert_eq!(uploads(dir), before);
    assert_eq!(server.get(Some(&viewer), "/data/import").status, 403);
}

#[test]
fn a_file_no_preset_reads_asks_for_one() {
    let server = server();
    let editor = server.login("editor");
    let answer = server.upload(
        &editor,
        Some(&editor.csrf),
        &[],
        "notes.csv",
        b"colour;taste\nred;sweet\ngreen;sour\n",
    );
    assert_eq!(answer.status, 303, "{}", answer.text());
    let id = upload_id(answer.header("location").unwrap());
    let json: serde_json::Value = serde_json::from_str(
        &server
            .get(Some(&editor), &format!("/api/uploads/{id}"))
            .text(),
    )
    .unwrap();
    assert!(json["dry_run"].is_null(), "{json:#}");
    assert!(
        json["problem"]
            .as_str()
            .unwrap()
            .contains("no preset reads `notes.csv`"),
        "{json:#}"
    );
    let page = server
        .get(Some(&editor), &format!("/data/import/{id}?lang=en"))
        .text();
    assert!(page.contains("role=\"alert\""));
    assert!(
        !page.contains("class=\"confirm\""),
        "no import without a dry run"
    );
}
