//! `utfall demo`: deterministic, checks clean, and Utfall's numbers equal the generator's truth.

use std::path::Path;

use crate::utfall;

fn demo(dir: &Path, seed: &str, import: bool) {
    let mut command = utfall();
    command
        .args([
            "demo",
            "--no-serve",
            "--today",
            "2026-11-26",
            "--seed",
            seed,
        ])
        .arg(dir);
    if !import {
        command.arg("--no-import");
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in [
        "exports/hubspot",
        "exports/ads",
        "exports/ga4",
        "exports/web",
        "exports/survey",
        "exports/email",
        "plan",
    ] {
        let mut names: Vec<_> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        names.sort();
        for path in names {
            out.push((
                path.strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read(&path).unwrap(),
            ));
        }
    }
    out.push((
        "truth.json".into(),
        std::fs::read(dir.join("truth.json")).unwrap(),
    ));
    out
}

#[test]
fn same_seed_same_bytes_other_seed_other_data() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    demo(a.path(), "7", false);
    demo(b.path(), "7", false);
    demo(c.path(), "8", false);
    let (fa, fb, fc) = (files(a.path()), files(b.path()), files(c.path()));
    assert_eq!(fa.len(), 12);
    assert!(fa == fb, "the same seed wrote different files");
    let differing = fa.iter().zip(&fc).filter(|(x, y)| x.1 != y.1).count();
    assert!(
        differing >= 10,
        "only {differing} files differ between seeds"
    );
}

#[test]
fn imported_numbers_equal_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    demo(path, "1", true);
    let check = utfall().arg("check").arg(path).output().unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path.join("truth.json")).unwrap()).unwrap();
    let cents = |v: f64| (v * 100.0).round() as i64;

    // Spend per channel.
    let output = utfall()
        .args([
            "sql",
            "select channel, sum(cost) as cost from spend group by channel order by channel",
            "--format",
            "json",
            "-C",
        ])
        .arg(path)
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let spend = truth["totals"]["spend_by_channel"].as_object().unwrap();
    assert_eq!(rows.len(), spend.len(), "{rows:?}");
    for row in &rows {
        let channel = row["channel"].as_str().unwrap();
        let got = row["cost"].as_f64().unwrap();
        assert_eq!(
            cents(got),
            cents(spend[channel].as_f64().unwrap()),
            "{channel}"
        );
    }

    // Won revenue per quarter and leads per month, through the KPI engine.
    let series = |kpi: &str, grain: &str, from: &str| -> Vec<(String, Option<f64>)> {
        let args = [
            "kpi",
            "show",
            kpi,
            "--grain",
            grain,
            "--from",
            from,
            "--to",
            "2026-11-26",
            "--format",
            "json",
        ];
        crate::pairs(&crate::json(&args, path), "period")
    };
    let first_day = truth["first_day"].as_str().unwrap();
    let revenue = truth["totals"]["won_revenue_by_quarter"]
        .as_object()
        .unwrap();
    let mut compared = 0;
    for (quarter, value) in series("won_revenue", "quarter", first_day) {
        let want = revenue.get(&quarter).map_or(0.0, |v| v.as_f64().unwrap());
        if let Some(value) = value {
            assert_eq!(cents(value), cents(want), "{quarter}");
            compared += 1;
        }
    }
    assert!(compared >= 10, "{compared} quarters compared");
    // The decisions of the reviews of FY2025-Q4 and FY2026-Q1, followed up.
    let output = utfall()
        .args(["review", "--today", "2026-11-26", "--format", "json", "-C"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let decisions: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let taken: Vec<[&str; 3]> = decisions
        .iter()
        .map(|d| ["decision", "action", "period"].map(|key| d[key].as_str().unwrap()))
        .collect();
    let expected = [
        ["stop_print", "stop", "FY2025-Q4"],
        ["more_content", "more", "FY2025-Q4"],
        ["more_webinars", "more", "FY2026-Q1"],
        ["continue_fairs", "continue", "FY2026-Q1"],
    ];
    assert_eq!(taken, expected);
    assert!(decisions.iter().all(|d| d["status"] == "open"));
    assert!(decisions[0]["kpis"][0]["at_review"].as_f64().unwrap() > 0.0);
    // Attribution: every summing model credits exactly the revenue of the won deals it sees.
    let output = utfall()
        .args([
            "attribution",
            "--lookback",
            "365d",
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
    let credited = report["value_with_touches"].as_f64().unwrap();
    let won: f64 = revenue.values().map(|v| v.as_f64().unwrap()).sum();
    assert_eq!(
        cents(report["value"].as_f64().unwrap()),
        cents(won),
        "all won revenue is converted revenue"
    );
    assert!(credited > 0.0);
    let models: Vec<String> = report["rows"][0]["models"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(models.len(), 13);
    for model in models.iter().filter(|m| *m != "participation") {
        let total: f64 = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["models"][model]["value"].as_f64().unwrap())
            .sum();
        assert!(
            (total - credited).abs() <= 1e-6 * credited,
            "{model}: {total} vs {credited}"
        );
    }

    let leads = truth["totals"]["leads_by_month"].as_object().unwrap();
    let months = series("leads", "month", first_day);
    assert_eq!(months.len(), 37);
    for (month, value) in months {
        let want = leads.get(&month).map_or(0.0, |v| v.as_f64().unwrap());
        assert_eq!(value, Some(want), "{month}");
    }
}

/// Generates the demo ending on `today` (with `history_days` of history, or three years) and
/// imports every export as `utfall demo` does: (rejected rows per export, spend per channel
/// in cents as imported, the truth's spend per channel in cents).
/// Rejected rows per export, then imported and true spend per channel in cents.
type DemoRun = (
    Vec<(String, u64)>,
    std::collections::BTreeMap<String, i64>,
    std::collections::BTreeMap<String, i64>,
);

fn demo_on(today: jiff::civil::Date, history_days: Option<u32>) -> DemoRun {
    use utfall_ingest::import::{ImportOptions, Silent, import_file};
    let dir = tempfile::tempdir().unwrap();
    let config = utfall_demo::DemoConfig {
        seed: 1,
        size: utfall_demo::Size::Small,
        today,
        history_days,
    };
    let (exports, truth) = utfall_demo::generate(dir.path(), &config).unwrap();
    let store = utfall_ingest::store::DataStore::new(dir.path().join("data"));
    let catalog = utfall_model::catalog::Catalog::canonical();
    let zone = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap();
    let mut rejected = Vec::new();
    for export in &exports {
        let options = ImportOptions {
            table: export.table.map(str::to_string),
            currency: Some("SEK".into()),
            ..ImportOptions::new(export.preset, "SEK", zone.clone())
        };
        let summary = import_file(&store, &export.path, &options, &catalog, &Silent)
            .unwrap_or_else(|e| panic!("{today}: {}: {e}", export.path.display()));
        rejected.push((
            export
                .path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned(),
            summary.rejected,
        ));
    }
    let spend = crate::import::rows(dir.path(), "spend");
    let mut imported = std::collections::BTreeMap::new();
    for row in &spend {
        let cost: f64 = row["cost"].parse().unwrap();
        *imported.entry(row["channel"].clone()).or_insert(0i64) += (cost * 100.0).round() as i64;
    }
    let expected = truth["totals"]["spend_by_channel"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(channel, cost)| {
            (
                channel.clone(),
                (cost.as_f64().unwrap() * 100.0).round() as i64,
            )
        })
        .filter(|(_, cents)| *cents != 0)
        .collect();
    (rejected, imported, expected)
}

/// The demo imports whole whatever day it runs: zero rejected rows, and the spend imported
/// equals the generator's truth — on every day of a year (each with six weeks of history, so
/// that every start of the window, every day of the month, is tried), and in full (three
/// years) on the day the LinkedIn export once lost rows (its first dates, `12/02/2023` …
/// `12/12/2023`, read both ways).
#[test]
fn the_demo_imports_whole_whatever_day_it_runs() {
    let first: jiff::civil::Date = "2026-01-01".parse().unwrap();
    let days: Vec<jiff::civil::Date> = (0..365)
        .map(|i| first.checked_add(jiff::Span::new().days(i)).unwrap())
        .collect();
    let check = |today: jiff::civil::Date, history: Option<u32>| {
        let (rejected, imported, expected) = demo_on(today, history);
        for (file, n) in &rejected {
            assert_eq!(*n, 0, "{today}: {file} rejected {n} rows");
        }
        assert_eq!(imported, expected, "{today}: spend per channel (cents)");
    };
    std::thread::scope(|scope| {
        for half in days.chunks(days.len().div_ceil(2)) {
            scope.spawn(move || {
                for &today in half {
                    check(today, Some(42));
                }
            });
        }
    });
    check("2026-12-01".parse().unwrap(), None);
}
