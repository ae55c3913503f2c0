//! `utfall import`: vendor fixtures in, canonical rows out, nothing lost.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use arrow::util::display::{ArrayFormatter, FormatOptions};
use utfall_ingest::store::{DataStore, FAILPOINT_VARIABLE};
use utfall_model::catalog::Catalog;

use crate::{new_workspace, utfall};

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// A table's rows as column → text (nulls are absent), in stored order.
pub fn rows(workspace: &Path, table: &str) -> Vec<BTreeMap<String, String>> {
    let catalog = Catalog::canonical();
    let batch = DataStore::new(workspace.join("data"))
        .read_table(catalog.table(table).unwrap())
        .unwrap();
    let options = FormatOptions::default();
    let mut out = vec![BTreeMap::new(); batch.num_rows()];
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        let formatter = ArrayFormatter::try_new(column.as_ref(), &options).unwrap();
        for (row, values) in out.iter_mut().enumerate() {
            if !column.is_null(row) {
                values.insert(field.name().clone(), formatter.value(row).to_string());
            }
        }
    }
    out
}

/// The sum of a column's values over rows (rows without a value add nothing).
pub fn sum(rows: &[BTreeMap<String, String>], column: &str) -> f64 {
    rows.iter()
        .filter_map(|r| r.get(column))
        .map(|v| v.parse::<f64>().unwrap())
        .sum()
}

/// How many rows have a value in a column.
pub fn count(rows: &[BTreeMap<String, String>], column: &str) -> usize {
    rows.iter().filter(|r| r.contains_key(column)).count()
}

/// A column's distinct values, sorted.
pub fn distinct(rows: &[BTreeMap<String, String>], column: &str) -> Vec<String> {
    let mut values: Vec<String> = rows.iter().filter_map(|r| r.get(column).cloned()).collect();
    values.sort();
    values.dedup();
    values
}

/// Money equal to the cent.
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.005
}

pub fn find<'a>(
    rows: &'a [BTreeMap<String, String>],
    column: &str,
    value: &str,
) -> &'a BTreeMap<String, String> {
    rows.iter()
        .find(|r| r.get(column).map(String::as_str) == Some(value))
        .unwrap_or_else(|| panic!("no {column} = {value}"))
}

pub fn import(workspace: &Path, preset: &str, file: &Path) -> (i32, String) {
    import_with(workspace, preset, file, &[])
}

/// `utfall import --preset PRESET [EXTRA…] FILE`: (exit code, stderr).
pub fn import_with(workspace: &Path, preset: &str, file: &Path, extra: &[&str]) -> (i32, String) {
    let output = utfall()
        .args(["import", "-C"])
        .arg(workspace)
        .args(["--preset", preset])
        .args(extra)
        .arg(file)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The workspace's `data/_manifest.json`.
pub fn manifest(workspace: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(workspace.join("data/_manifest.json")).unwrap()).unwrap()
}

#[test]
fn hubspot_contacts_with_a_malformed_row() {
    let dir = new_workspace("b2b");
    let (code, stderr) = import(
        dir.path(),
        "hubspot-contacts",
        &fixture("hubspot_contacts_en.csv"),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("read 4, imported 3, duplicates 0, rejected 1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 5, column `Create Date`: `31/02/2026` is not a date"),
        "{stderr}"
    );
    let contacts = rows(dir.path(), "contacts");
    assert_eq!(contacts.len(), 3);
    let anna = find(&contacts, "person_id", "101");
    // printf 'anna@example.se' | sha256sum
    assert_eq!(
        anna["email_hash"],
        "f2a216c0b7bc0f42c605b87b114643d49ee41a2e5bb05c6040a16493c5bc073c"
    );
    // 09:15 in Stockholm in March (UTC+1) is 08:15 UTC; 23:30 on 30 June (UTC+2) is 21:30 UTC.
    assert_eq!(anna["created_at"], "2026-03-02T08:15:00Z");
    assert_eq!(
        find(&contacts, "person_id", "102")["became_mql_at"],
        "2026-06-30T21:30:00Z"
    );
    assert_eq!(anna["original_channel"], "organic_search");
    assert_eq!(anna["account_id"], "9001");
    assert!(!find(&contacts, "person_id", "103").contains_key("email_hash"));
    // The rejected row is kept with its line, column and reason.
    let quarantine = std::fs::read_dir(dir.path().join("data/_quarantine"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(quarantine).unwrap();
    assert!(
        text.contains(",5,\"Create Date\",") && text.contains("104,Olle,Berg"),
        "{text}"
    );
}

#[test]
fn swedish_semicolon_windows_1252_with_decimal_commas() {
    let dir = new_workspace("b2b");
    let file = fixture("hubspot_deals_sv.csv");
    assert!(
        std::str::from_utf8(&std::fs::read(&file).unwrap()).is_err(),
        "the fixture is Windows-1252"
    );
    let (code, stderr) = import(dir.path(), "hubspot-deals", &file);
    assert_eq!(code, 0, "{stderr}");
    let deals = rows(dir.path(), "deals");
    assert_eq!(deals.len(), 3);
    let won = find(&deals, "deal_id", "5001");
    assert_eq!(won["amount"].parse::<f64>().unwrap(), 125_000.5);
    assert_eq!(
        (won["is_won"].as_str(), won["is_closed"].as_str()),
        ("true", "true")
    );
    assert_eq!(won["stage"], "Stängd vunnen");
    assert_eq!(won["closed_at"], "2026-03-15T14:30:00Z");
    assert_eq!(won["pipeline"], "Försäljning");
    let lost = find(&deals, "deal_id", "5002");
    assert_eq!(
        (lost["is_won"].as_str(), lost["is_closed"].as_str()),
        ("false", "true")
    );
    let open = find(&deals, "deal_id", "5003");
    assert_eq!(open["amount"].parse::<f64>().unwrap(), 75_500.25);
    assert_eq!(open["is_closed"], "false");
    assert!(!open.contains_key("closed_at"));
}

#[test]
fn google_ads_report_with_title_rows_and_totals() {
    let dir = new_workspace("b2b");
    let (code, stderr) = import(dir.path(), "google-ads", &fixture("google_ads_report.csv"));
    assert_eq!(code, 0, "{stderr}");
    let spend = rows(dir.path(), "spend");
    assert_eq!(spend.len(), 3, "the totals row is skipped");
    let first = spend
        .iter()
        .find(|r| r["date"] == "2026-11-01" && r["campaign_id"] == "111")
        .unwrap();
    assert_eq!(first["cost"].parse::<f64>().unwrap(), 1234.5);
    assert_eq!(first["impressions"], "10500");
    assert_eq!(first["clicks"], "320");
    assert_eq!(first["platform_conversions"].parse::<f64>().unwrap(), 12.5);
    assert_eq!(
        (
            first["platform"].as_str(),
            first["channel"].as_str(),
            first["currency"].as_str()
        ),
        ("google_ads", "paid_search", "SEK")
    );
    assert_eq!(first["campaign_name"], "Sök | Varumärke");
    let total: f64 = spend
        .iter()
        .map(|r| r["cost"].parse::<f64>().unwrap())
        .sum();
    assert!((total - 3314.75).abs() < 1e-9, "the report's own total");
}

#[test]
fn activity_plan_gives_activities_and_manual_spend() {
    let dir = new_workspace("b2b");
    let (code, stderr) = import(dir.path(), "activities", &fixture("activities.csv"));
    assert_eq!(code, 0, "{stderr}");
    let activities = rows(dir.path(), "activities");
    assert_eq!(activities.len(), 3);
    let fair = find(&activities, "activity_id", "fair_elmia");
    assert_eq!(
        (fair["kind"].as_str(), fair["channel"].as_str()),
        ("fair", "events")
    );
    assert_eq!(fair["budget"].parse::<f64>().unwrap(), 250_000.0);
    assert_eq!(fair["end_date"], "2026-11-13");
    let spend = rows(dir.path(), "spend");
    assert_eq!(spend.len(), 2, "the webinar has no cost yet");
    let fair_cost = find(&spend, "activity_id", "fair_elmia");
    assert_eq!(
        (fair_cost["platform"].as_str(), fair_cost["date"].as_str()),
        ("manual", "2026-11-10")
    );
    assert_eq!(fair_cost["cost"].parse::<f64>().unwrap(), 238_500.0);
}

#[test]
fn reimporting_changes_nothing_and_overlaps_are_deduplicated() {
    let dir = new_workspace("b2b");
    import(dir.path(), "google-ads", &fixture("google_ads_report.csv"));
    let before = rows(dir.path(), "spend");
    let (code, stderr) = import(dir.path(), "google-ads", &fixture("google_ads_report.csv"));
    assert_eq!(code, 0);
    assert!(stderr.contains("already imported"), "{stderr}");
    assert_eq!(rows(dir.path(), "spend"), before);

    // An overlapping export: one day again with a corrected cost, and a new day.
    let overlap = dir.path().join("google_ads_next.csv");
    std::fs::write(&overlap, "Day,Campaign,Campaign ID,Currency code,Cost,Impr.,Clicks\n2026-11-02,Sök | Varumärke,111,SEK,1200.00,10000,300\n2026-11-03,Sök | Varumärke,111,SEK,900.00,8000,200\n").unwrap();
    let files = |manifest: &serde_json::Value| -> Vec<std::path::PathBuf> {
        manifest["tables"]["spend"]["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| dir.path().join("data").join(p["file"].as_str().unwrap()))
            .collect()
    };
    let before_overlap = files(&manifest(dir.path()));
    let (code, stderr) = import(dir.path(), "google-ads", &overlap);
    assert_eq!(code, 0, "{stderr}");
    // The replaced part stays for readers of the previous manifest until the next change.
    assert!(before_overlap.iter().all(|f| f.exists()));
    assert!(
        files(&manifest(dir.path()))
            .iter()
            .all(|f| !before_overlap.contains(f))
    );
    assert!(
        stderr.contains("read 2, imported 2, duplicates 1, rejected 0"),
        "{stderr}"
    );
    let spend = rows(dir.path(), "spend");
    assert_eq!(spend.len(), 4);
    let corrected = spend.iter().find(|r| r["date"] == "2026-11-02").unwrap();
    assert_eq!(
        corrected["cost"].parse::<f64>().unwrap(),
        1200.0,
        "the later import wins"
    );
    let log = utfall()
        .args(["import", "--log", "--format", "json", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    let log: Vec<serde_json::Value> = serde_json::from_slice(&log.stdout).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["duplicates"], 1);
    // The next change removes them.
    let (code, stderr) = import(dir.path(), "activities", &fixture("activities.csv"));
    assert_eq!(code, 0, "{stderr}");
    assert!(before_overlap.iter().all(|f| !f.exists()));
}

#[test]
fn a_missing_column_is_named_with_the_labels_looked_for() {
    let dir = new_workspace("b2b");
    let (code, stderr) = import(
        dir.path(),
        "hubspot-deals",
        &fixture("google_ads_report.csv"),
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no column for `deal_id`")
            && stderr.contains("`record id`")
            && stderr.contains("`stage`")
            && stderr.contains("add the `Deal Stage` column to the export")
            && stderr.contains("`--map \"Column in file="),
        "{stderr}"
    );
    assert!(
        !dir.path().join("data/_manifest.json").exists(),
        "nothing was written"
    );
}

// The failpoint test's helpers.

type TableState = BTreeMap<String, Vec<BTreeMap<String, String>>>;
const SPEND_HEADER: &str = "date,platform,channel,campaign_id,campaign_name,cost,currency\n";

/// Every canonical table's rows, sorted, and the number of imports logged.
fn table_state(workspace: &Path) -> (TableState, usize) {
    let tables = Catalog::canonical()
        .tables
        .iter()
        .map(|table| {
            let mut rows = rows(workspace, &table.name);
            rows.sort();
            (table.name.clone(), rows)
        })
        .collect();
    let n_imports = manifest(workspace)["imports"].as_array().unwrap().len();
    (tables, n_imports)
}
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
/// `utfall import --preset generic --table spend --allow-rejects FILE` with the failpoint.
fn import_spend(workspace: &Path, file: &Path, failpoint: Option<&str>) -> std::process::Output {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("utfall"));
    command
        .args(["import", "--preset", "generic", "--table", "spend"])
        .args(["--allow-rejects", "-C"])
        .arg(workspace)
        .arg(file)
        .env_remove(FAILPOINT_VARIABLE);
    if let Some(failpoint) = failpoint {
        command.env(FAILPOINT_VARIABLE, failpoint);
    }
    command.output().unwrap()
}
fn assert_success(output: &std::process::Output, what: &str) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{what}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
/// Every file in the data folder (but the manifest and the lock), relative to it.
fn files_on_disk(data: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_on_disk(data, &path, out);
        } else {
            let relative = path
                .strip_prefix(data)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if relative != "_manifest.json" && relative != "_lock" {
                out.push(relative);
            }
        }
    }
}

/// The state before: eight parts of spend (the Google Ads report and seven small files, the
/// last restating a row of the first, so that the manifest lists a retired file).
fn eight_parts_of_spend() -> tempfile::TempDir {
    let base = new_workspace("b2b");
    import(base.path(), "google-ads", &fixture("google_ads_report.csv"));
    for k in 0..7 {
        let mut text = String::from(SPEND_HEADER);
        for i in 0..5 {
            text.push_str(&format!(
                "2025-03-{:02},manual,print,c{k}-{i},Kampanj {k},{k}{i}.5,SEK\n",
                i + 1
            ));
        }
        if k == 6 {
            text.push_str("2025-03-01,manual,print,c0-0,Kampanj 0,99.5,SEK\n");
        }
        let file = base.path().join(format!("spend-{k}.csv"));
        std::fs::write(&file, text).unwrap();
        assert_success(&import_spend(base.path(), &file, None), "a file before");
    }
    let before = manifest(base.path());
    assert_eq!(
        before["tables"]["spend"]["parts"].as_array().unwrap().len(),
        8
    );
    assert_eq!(before["retired"].as_array().unwrap().len(), 1);

    base
}

/// The files in the data folder and the ones its manifest names (current parts, the files
/// the last change replaced, the import log's quarantines), both sorted.
fn files_and_manifest(workspace: &Path) -> (Vec<String>, Vec<String>) {
    let data = workspace.join("data");
    let mut files = Vec::new();
    files_on_disk(&data, &data, &mut files);
    files.sort();
    let manifest = manifest(workspace);
    let mut named: Vec<String> = manifest["tables"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|t| t["parts"].as_array().unwrap())
        .map(|p| p["file"].as_str().unwrap().to_string())
        .chain(
            manifest["retired"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| f.as_str().unwrap().to_string()),
        )
        .chain(
            manifest["imports"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|i| i["quarantine"].as_str().map(str::to_string)),
        )
        .collect();
    named.sort();
    (files, named)
}

/// An import stopped at each step of the commit protocol (`UTFALL_FAILPOINT`, which aborts the
/// process as a crash would) leaves the old state or the new one, never a mix; the next import
/// completes and the one after removes whatever the stopped one left.
#[test]
fn kill_during_import_leaves_the_workspace_consistent() {
    use std::os::unix::process::ExitStatusExt as _;
    use utfall_ingest::store::FAILPOINTS;

    let base = eight_parts_of_spend();
    let old = table_state(base.path());

    // The change: it restates a row (a part is rewritten), adds a ninth part (the small ones
    // are compacted) and has a rejected row (a quarantine is moved into place).
    let change = base.path().join("change.csv");
    std::fs::write(
        &change,
        format!(
            "{SPEND_HEADER}2025-03-01,manual,print,c1-0,Kampanj 1,77.5,SEK\n\
             2025-04-01,manual,print,c9-0,Kampanj 9,1.5,SEK\n\
             2025-04-02,manual,print,c9-1,Kampanj 9,not a number,SEK\n"
        ),
    )
    .unwrap();
    let later = base.path().join("later.csv");
    std::fs::write(
        &later,
        format!("{SPEND_HEADER}2025-05-01,manual,print,c10-0,Kampanj 10,2.5,SEK\n"),
    )
    .unwrap();
    let reference = tempfile::tempdir().unwrap();
    copy_dir(base.path(), reference.path());
    assert_success(&import_spend(reference.path(), &change, None), "the change");
    let new = table_state(reference.path());
    assert_ne!(old.0, new.0);
    assert_eq!(new.1, old.1 + 1);

    // An unknown failpoint changes nothing.
    let unknown = tempfile::tempdir().unwrap();
    copy_dir(base.path(), unknown.path());
    let output = import_spend(unknown.path(), &change, Some("no-such-step"));
    assert_success(&output, "an unknown failpoint");
    assert_eq!(table_state(unknown.path()).0, new.0);

    for &failpoint in FAILPOINTS {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(base.path(), dir.path());
        let output = import_spend(dir.path(), &change, Some(failpoint));
        // A normal run exits 0: the abort proves the step was reached.
        assert_eq!(
            output.status.signal(),
            Some(6),
            "`{failpoint}` was not reached: {:?} {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        // The manifest parses and every table reads whole, in the old state or the new.
        let stopped = table_state(dir.path());
        assert!(
            stopped == old || stopped == new,
            "a mixed state after a crash at `{failpoint}`"
        );
        // The import run again completes (or finds the change already made).
        assert_success(&import_spend(dir.path(), &change, None), failpoint);
        assert_eq!(table_state(dir.path()).0, new.0, "after `{failpoint}`");
        // After a later change, the files on disk are exactly the manifest's: the current
        // parts, the files the last change replaced, and the quarantines of the import log.
        assert_success(&import_spend(dir.path(), &later, None), failpoint);
        let (files, named) = files_and_manifest(dir.path());
        assert_eq!(files, named, "after `{failpoint}`");
    }
}

#[test]
fn sources_in_the_workspace_are_imported_by_import_alone() {
    let dir = new_workspace("b2b");
    // The b2b template declares `hubspot_contacts` at `exports/hubspot/contacts*.csv`.
    let target = dir.path().join("exports/hubspot");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::copy(
        fixture("hubspot_contacts_en.csv"),
        target.join("contacts-2026-11.csv"),
    )
    .unwrap();
    std::fs::copy(
        fixture("google_ads_report.csv"),
        dir.path().join("exports/not-a-source.csv"),
    )
    .unwrap();
    let output = utfall()
        .args(["import", "--allow-rejects", "-C"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "contacts-2026-11.csv` (hubspot-contacts → contacts, identities): read 4, imported 3"
        ),
        "{stderr}"
    );
    assert_eq!(rows(dir.path(), "contacts").len(), 3);
    assert!(!stderr.contains("not-a-source"), "{stderr}");
}

#[test]
fn ga4_bigquery_export() {
    let dir = new_workspace("b2b");
    let (code, stderr) = import(
        dir.path(),
        "ga4-bigquery",
        &fixture("ga4_events_20261126.json"),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("read 8, imported 6, duplicates 0, rejected 0, skipped 2 (consent denied"),
        "{stderr}"
    );
    let events = rows(dir.path(), "web_events");
    assert_eq!(events.len(), 6);
    let lead = find(&events, "event_name", "generate_lead");
    assert_eq!(lead["session_id"], "111.1.1001");
    assert_eq!(lead["is_key_event"], "true");
    assert_eq!(lead["value"].parse::<f64>().unwrap(), 500.0);
    assert_eq!(lead["event_time"], "2026-11-26T09:01:30Z");
    // Channels: gclid → paid search; GA4's exported group; the default grouping from event params.
    assert_eq!(
        find(&events, "session_id", "111.1.1001")["channel"],
        "paid_search"
    );
    assert_eq!(
        find(&events, "session_id", "222.2.2001")["channel"],
        "organic_search"
    );
    assert_eq!(
        find(&events, "session_id", "333.3.3001")["channel"],
        "paid_social"
    );
    assert_eq!(
        find(&events, "session_id", "111.1.1001")["campaign"],
        "Sök | Generisk"
    );
    let touches = rows(dir.path(), "touchpoints");
    assert_eq!(
        touches.len(),
        3,
        "one web session touchpoint per session_start"
    );
    assert!(touches.iter().all(|t| t["kind"] == "web_session"));
}

#[test]
fn mailchimp_campaign_report() {
    let dir = new_workspace("b2b");
    let (code, stderr) = import(dir.path(), "mailchimp", &fixture("mailchimp_campaigns.csv"));
    assert_eq!(code, 0, "{stderr}");
    let sends = rows(dir.path(), "email_sends");
    assert_eq!(sends.len(), 2);
    let november = find(&sends, "send_id", "a1b2c3d4e5");
    assert_eq!(november["name"], "Nyhetsbrev november");
    // 08:00 am in Stockholm in November is 07:00 UTC.
    assert_eq!(november["sent_at"], "2026-11-06T07:00:00Z");
    assert_eq!(
        (
            november["n_sent"].as_str(),
            november["n_delivered"].as_str()
        ),
        ("5120", "5018")
    );
    assert_eq!(
        (
            november["n_opens_unique"].as_str(),
            november["n_clicks_unique"].as_str()
        ),
        ("1512", "231")
    );
    assert_eq!(
        (
            november["n_unsubscribes"].as_str(),
            november["n_bounces"].as_str()
        ),
        ("9", "102")
    );
    assert_eq!(
        find(&sends, "send_id", "f6a7b8c9d0")["sent_at"],
        "2026-10-01T11:30:00Z"
    );
}

/// Daily imports do not pile up files: past eight parts, the small ones are compacted, and
/// every row is still there once.
#[test]
fn many_small_imports_are_compacted() {
    let dir = new_workspace("b2b");
    for day in 1..=12 {
        let file = dir.path().join(format!("spend-{day:02}.csv"));
        let mut text =
            String::from("date,platform,channel,campaign_id,campaign_name,cost,currency\n");
        for campaign in 0..50 {
            text.push_str(&format!(
                "2026-11-{day:02},manual,print,c{campaign},Kampanj {campaign},{}.25,SEK\n",
                day * 100 + campaign
            ));
        }
        std::fs::write(&file, text).unwrap();
        let (code, stderr) = import_with(dir.path(), "generic", &file, &["--table", "spend"]);
        assert_eq!(code, 0, "{stderr}");
        let manifest = manifest(dir.path());
        let parts = manifest["tables"]["spend"]["parts"]
            .as_array()
            .unwrap()
            .len();
        assert!(parts <= 8, "{parts} parts after {day} imports");
        let on_disk = std::fs::read_dir(dir.path().join("data/spend"))
            .unwrap()
            .count();
        let retired = manifest["retired"].as_array().map_or(0, Vec::len);
        assert_eq!(
            on_disk,
            parts + retired,
            "no file beside the parts but the last change's retired ones"
        );
    }
    let spend = rows(dir.path(), "spend");
    assert_eq!(spend.len(), 12 * 50);
    // Σ over days and campaigns of (100·day + campaign + 0.25).
    let expected: f64 = (1..=12)
        .flat_map(|day| (0..50).map(move |c| f64::from(day * 100 + c) + 0.25))
        .sum();
    let total: f64 = spend
        .iter()
        .map(|r| r["cost"].parse::<f64>().unwrap())
        .sum();
    assert!((total - expected).abs() < 1e-6, "{total} vs {expected}");
}

/// `import --rejected` shows what the quarantine kept; no e-mail address is kept there.
#[test]
fn rejected_rows_are_shown_and_keep_no_addresses() {
    let dir = new_workspace("b2b");
    let (code, _) = import(
        dir.path(),
        "hubspot-contacts",
        &fixture("hubspot_contacts_en.csv"),
    );
    assert_eq!(code, 1);
    let rejected = crate::json(&["import", "--rejected", "--format", "json"], dir.path());
    let rejected = rejected.as_array().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["line"], "5");
    assert_eq!(rejected[0]["column"], "Create Date");
    let record = rejected[0]["record"].as_str().unwrap();
    // printf 'olle@berg.se' | sha256sum
    assert!(
        record.contains("sha256:9204dae4d2db3866e00b854d15b474426a7fcd71da40529fc979e3e4b7b0b145"),
        "{record}"
    );
    let quarantine = std::fs::read_dir(dir.path().join("data/_quarantine"))
        .unwrap()
        .flatten()
        .map(|f| std::fs::read_to_string(f.path()).unwrap())
        .collect::<String>();
    assert!(quarantine.contains("31/02/2026"), "{quarantine}");
    assert!(!quarantine.contains("olle@berg.se"), "{quarantine}");
}

/// The lines of a quarantine: (line, column, reason) for each rejected row.
fn quarantined(workspace: &Path) -> Vec<(u64, String, String)> {
    let manifest = manifest(workspace);
    let relative = manifest["imports"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find_map(|i| i["quarantine"].as_str())
        .unwrap()
        .to_string();
    let mut reader = csv::Reader::from_path(workspace.join("data").join(relative)).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[1].parse().unwrap(), r[2].to_string(), r[3].to_string())
        })
        .collect()
}

#[test]
fn line_numbers_are_the_files_physical_lines_whatever_the_line_ends() {
    // Physical lines: 1 title, 2 period, 3 header, 4 good, 5–6 a good row whose quoted name
    // spans two lines, 7 a bad date, 8 good, 9 a bad number.
    let lines = [
        "Campaign report",
        "\"All time\"",
        "Day,Campaign,Currency code,Cost",
        "2026-03-02,Sök A,SEK,10.00",
        "2026-03-03,\"Sök",
        "B\",SEK,5.00",
        "2026-03-0x,Sök A,SEK,1.00",
        "2026-03-04,Sök A,SEK,2.00",
        "2026-03-05,Sök A,SEK,many",
    ];
    for (name, end) in [("lf.csv", "\n"), ("crlf.csv", "\r\n")] {
        let dir = new_workspace("b2b");
        let file = dir.path().join(name);
        std::fs::write(&file, lines.join(end) + end).unwrap();
        let (code, stderr) = import(dir.path(), "google-ads", &file);
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.contains("line 7, column `Day`"), "{name}: {stderr}");
        assert!(stderr.contains("line 9, column `Cost`"), "{name}: {stderr}");
        let lines: Vec<u64> = quarantined(dir.path()).iter().map(|q| q.0).collect();
        assert_eq!(lines, [7, 9], "{name}");
        assert_eq!(rows(dir.path(), "spend").len(), 3, "{name}");
    }
}

#[test]
fn an_empty_export_imports_nothing_and_exits_0() {
    let dir = new_workspace("b2b");
    // As Ads Manager writes a month without data.
    let meta = dir.path().join("meta-empty.csv");
    std::fs::write(
        &meta,
        "\"Reporting starts\",\"Reporting ends\",\"Campaign name\",\"Amount spent (SEK)\",Impressions\n\"No data available.\"\n",
    )
    .unwrap();
    let (code, stderr) = import(dir.path(), "meta-ads", &meta);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("read 0, imported 0") && stderr.contains("No data available"),
        "{stderr}"
    );
    // A header and nothing under it.
    let deals = dir.path().join("deals-empty.csv");
    std::fs::write(
        &deals,
        "Record ID,Deal Stage,Create Date,Amount,Currency\r\n",
    )
    .unwrap();
    let (code, stderr) = import(dir.path(), "hubspot-deals", &deals);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("read 0, imported 0"), "{stderr}");
    assert!(rows(dir.path(), "spend").is_empty() && rows(dir.path(), "deals").is_empty());
    // And the empty tables can be asked.
    let output = utfall()
        .args([
            "sql",
            "select count(*) as n from deals",
            "--format",
            "json",
            "-C",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value[0]["n"], 0);
}

#[test]
fn amounts_in_another_currency_are_converted_by_the_rates_of_their_day() {
    let dir = new_workspace("b2b");
    let spend = dir.path().join("spend.csv");
    // Friday 6 and Saturday 7 March 2026: 100 and 50 USD, and 200 SEK.
    std::fs::write(
        &spend,
        "date,platform,campaign_id,cost,currency\n2026-03-06,meta,c1,100,USD\n2026-03-07,meta,c1,50,USD\n2026-03-06,google_ads,g1,200,SEK\n",
    )
    .unwrap();
    let (code, stderr) = import_with(dir.path(), "generic", &spend, &["--table", "spend"]);
    assert_eq!(code, 0, "{stderr}");
    let kpi = || {
        utfall()
            .args([
                "kpi",
                "show",
                "marketing_spend",
                "--grain",
                "month",
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-31",
                "--format",
                "json",
                "-C",
            ])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    // Without rates: refused, naming the currency and the day.
    let output = kpi();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("USD amounts on 2026-03-06"), "{stderr}");
    // The ECB's layout: a column a currency, base EUR, no rates on Saturdays.
    let ecb = dir.path().join("eurofxref-hist.csv");
    std::fs::write(
        &ecb,
        "Date,USD,JPY,SEK,\n2026-03-06,1.0850,160.10,11.2000,\n2026-03-05,1.0800,N/A,11.1000,\n",
    )
    .unwrap();
    let (code, stderr) = import(dir.path(), "fx-rates", &ecb);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(dir.path(), "fx_rates").len(), 5);
    let output = kpi();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // By hand: Saturday takes Friday's rates; 1 USD = 11.20 / 1.085 SEK = 10.3225806… SEK, so
    // 200 + (100 + 50) × 10.3225806… = 200 + 1548.3870967… = 1748.3870967… SEK.
    let march = value["values"][0]["value"].as_f64().unwrap();
    assert!((march - 1_748.387_096_774).abs() < 1e-6, "{march}");
}

#[test]
fn check_knows_every_preset_the_importer_reads() {
    let mut read: Vec<&str> = utfall_ingest::preset::PRESETS
        .iter()
        .map(|(n, _)| *n)
        .collect();
    let mut checked: Vec<&str> = utfall_model::check::PRESETS.to_vec();
    read.sort_unstable();
    checked.sort_unstable();
    assert_eq!(read, checked);
}
