//! `utfall mmm` and `utfall lift`: file mode as PyMC-Marketing's, Robyn's ridge search, the budget
//! optimiser's KKT conditions, a known lift, and the demo workspace against its truth.

use std::path::Path;

use utfall_mmm::simulate::pymc_example;

use crate::utfall;

fn write_example(path: &Path, seed: u64) -> utfall_mmm::simulate::Truth {
    let sim = pymc_example(seed, 1.0);
    let d = &sim.data;
    let mut text = String::from("date_week,y,x1,x2,event_1,event_2,t\n");
    for t in 0..d.target.len() {
        text.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            d.dates[t],
            d.target[t],
            d.channels[0].values[t],
            d.channels[1].values[t],
            d.controls[0].values[t],
            d.controls[1].values[t],
            d.controls[2].values[t]
        ));
    }
    std::fs::write(path, text).unwrap();
    sim.truth
}

fn run_json(args: &[&str]) -> serde_json::Value {
    let output = utfall().args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

const EXAMPLE: &[&str] = &[
    "mmm",
    "fit",
    "--date-col",
    "date_week",
    "--target",
    "y",
    "--channels",
    "x1,x2",
    "--controls",
    "event_1,event_2,t",
    "--format",
    "json",
];

/// File mode, PyMC-Marketing's arguments: contributions, ROAS and parameters in the data's units,
/// with intervals that hold the truth, and the diagnostics.
#[test]
fn file_mode_fits_the_pymc_marketing_example() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mmm.csv");
    let truth = write_example(&data, 5);
    let fit = dir.path().join("fit.json");
    let mut args = EXAMPLE.to_vec();
    let data_text = data.to_str().unwrap();
    let fit_text = fit.to_str().unwrap();
    args.extend(["--data", data_text, "--save", fit_text, "--seed", "3"]);
    let report = run_json(&args);
    assert_eq!(report["diagnostics"]["divergences"], 0);
    assert!(report["diagnostics"]["max_r_hat"].as_f64().unwrap() < 1.02);
    for (c, t) in truth.channels.iter().enumerate() {
        let channel = &report["channels"][c];
        assert_eq!(channel["name"], t.name.as_str());
        let contribution = &channel["contribution_total"];
        let (low, mean, high) = (
            contribution["hdi_3%"].as_f64().unwrap(),
            contribution["mean"].as_f64().unwrap(),
            contribution["hdi_97%"].as_f64().unwrap(),
        );
        assert!(
            low <= t.contribution_total && t.contribution_total <= high,
            "{}: {contribution} vs {}",
            t.name,
            t.contribution_total
        );
        assert!((mean / t.contribution_total - 1.0).abs() < 0.1);
        let roas = channel["roas"]["mean"].as_f64().unwrap();
        assert!(
            (roas / t.roas - 1.0).abs() < 0.1,
            "{}: ROAS {roas} vs {}",
            t.name,
            t.roas
        );
        // λ in the spend's units: the recipe's λ over the spend's scale (1 here)
        let lam = channel["saturation"]["lam"]["mean"].as_f64().unwrap();
        assert!(
            (lam / t.lam - 1.0).abs() < 0.5,
            "{}: lam {lam} vs {}",
            t.name,
            t.lam
        );
    }
    // The saved fit gives the same report without refitting.
    let again = run_json(&["mmm", "report", "--fit", fit_text, "--format", "json"]);
    assert_eq!(again["channels"], report["channels"]);
}

#[test]
fn a_bad_value_names_its_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mmm.csv");
    write_example(&data, 1);
    let text = std::fs::read_to_string(&data).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut fields: Vec<String> = lines[4].split(',').map(String::from).collect();
    fields[2] = "12 kr".into();
    lines[4] = fields.join(",");
    std::fs::write(&data, lines.join("\n")).unwrap();
    let mut args = EXAMPLE.to_vec();
    let data_text = data.to_str().unwrap();
    args.extend(["--data", data_text]);
    let output = utfall().args(&args).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("mmm.csv:5, column `x1`"), "{stderr}");
    assert!(
        stderr.contains("expected a number, found `12 kr`"),
        "{stderr}"
    );
}

/// Robyn's demo data and search size (2000 iterations × 5 trials): a good fit, a Pareto front,
/// and the same answer for the same seed.
#[test]
fn the_ridge_search_runs_robyns_demo() {
    let data = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/robyn_dt_simulated_weekly.csv"
    );
    let args = [
        "mmm",
        "fit",
        "--method",
        "ridge",
        "--data",
        data,
        "--date-col",
        "DATE",
        "--target",
        "revenue",
        "--channels",
        "tv_S,ooh_S,print_S,facebook_S,search_S",
        "--controls",
        "competitor_sales_B,events,newsletter",
        "--holidays",
        "--theta",
        "tv_S=0.3,0.8",
        "--theta",
        "ooh_S=0.1,0.4",
        "--theta",
        "print_S=0.1,0.4",
        "--theta",
        "facebook_S=0,0.3",
        "--theta",
        "search_S=0,0.3",
        "--seed",
        "1",
        "--format",
        "json",
    ];
    let a = run_json(&args);
    assert_eq!(a["evaluations"], 10000);
    assert!(
        a["fit_train"]["r2"].as_f64().unwrap() > 0.85,
        "{}",
        a["fit_train"]
    );
    assert!(a["selected"]["nrmse"].as_f64().unwrap() < 0.08);
    let front = a["pareto_front"].as_array().unwrap();
    assert!(front.len() >= 3);
    // The front is sorted by NRMSE with DECOMP.RSSD falling: no member dominates another.
    for pair in front.windows(2) {
        assert!(pair[0]["nrmse"].as_f64() <= pair[1]["nrmse"].as_f64());
        assert!(pair[0]["decomp_rssd"].as_f64() > pair[1]["decomp_rssd"].as_f64());
    }
    // The events column is text: one indicator per event besides "na".
    let controls: Vec<&str> = a["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[0].as_str().unwrap())
        .collect();
    assert!(
        controls.contains(&"events=event1") && controls.contains(&"events=event2"),
        "{controls:?}"
    );
    for c in a["channels"].as_array().unwrap() {
        assert!(c["coefficient"].as_f64().unwrap() >= 0.0);
        let theta = c["theta"].as_f64().unwrap();
        if c["name"] == "tv_S" {
            assert!((0.3..=0.8).contains(&theta));
        }
    }
    let b = run_json(&args);
    assert_eq!(a["selected"], b["selected"]);
}

#[test]
fn the_budget_plan_equalises_marginal_returns() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mmm.csv");
    write_example(&data, 2);
    let fit = dir.path().join("fit.json");
    let mut args = EXAMPLE.to_vec();
    let (data_text, fit_text) = (data.to_str().unwrap(), fit.to_str().unwrap());
    args.extend([
        "--data", data_text, "--save", fit_text, "--draws", "300", "--tune", "500",
    ]);
    run_json(&args);
    let plan = run_json(&[
        "mmm",
        "optimize",
        "--fit",
        fit_text,
        "--budget",
        "6.5",
        "--periods",
        "13",
        "--bounds-all",
        "0,4",
        "--format",
        "json",
    ]);
    let channels = plan["channels"].as_array().unwrap();
    let total: f64 = channels
        .iter()
        .map(|c| c["optimal"].as_f64().unwrap())
        .sum();
    assert!((total - 0.5).abs() < 1e-12, "spend per period {total}");
    let lambda = plan["lambda"].as_f64().unwrap();
    for c in channels.iter().filter(|c| c["at_bound"] == false) {
        let m = c["marginal_roas"].as_f64().unwrap();
        assert!(((m - lambda) / lambda).abs() < 1e-6, "{c}");
    }
    assert!(plan["kkt_max_gap"].as_f64().unwrap() < 1e-6);
}

#[test]
fn lift_finds_a_known_bump_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("daily.csv");
    // 100 days from 2026-01-05: 40 a day on weekdays, 10 on weekends, ±3; days 70–79 have +12.
    let mut text = String::from("date,y\n");
    let mut state = 7u64;
    for t in 0..100i64 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let noise = ((state >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 6.0;
        let date = jiff::civil::date(2026, 1, 5)
            .checked_add(jiff::Span::new().days(t))
            .unwrap();
        let base = if t % 7 >= 5 { 10.0 } else { 40.0 };
        let bump = if (70..80).contains(&t) { 12.0 } else { 0.0 };
        text.push_str(&format!("{date},{}\n", base + bump + noise));
    }
    std::fs::write(&data, text).unwrap();
    let report = run_json(&[
        "lift",
        "--data",
        data.to_str().unwrap(),
        "--start",
        "2026-03-16",
        "--end",
        "2026-03-25",
        "--post",
        "0",
        "--pre",
        "70",
        "--format",
        "json",
    ]);
    let effect = &report["result"]["effect_total"];
    // 10 days × 12 = 120
    assert!(
        effect["hdi_3%"].as_f64().unwrap() <= 120.0 && 120.0 <= effect["hdi_97%"].as_f64().unwrap(),
        "{effect}"
    );
    assert!(report["result"]["probability_positive"].as_f64().unwrap() > 0.99);
    assert_eq!(report["result"]["post_periods"], 10);
}

/// The demo workspace against its truth: the lift of each fair, and the mix model's verdicts.
#[test]
fn the_demo_fairs_and_channels_against_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let output = utfall()
        .args(["demo", "--no-serve", "--today", "2026-11-26", "--seed", "1"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("truth.json")).unwrap())
            .unwrap();
    let true_leads = |id: &str| -> f64 {
        truth["activities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["activity_id"] == id)
            .map_or(0.0, |a| a["leads"].as_f64().unwrap())
    };
    let fairs: Vec<String> = truth["activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| {
            a["activity_id"]
                .as_str()
                .filter(|id| id.starts_with("fair_"))
                .map(String::from)
        })
        .collect();
    assert_eq!(fairs.len(), 6);
    let mut covered = 0;
    let mut errors = Vec::new();
    for id in &fairs {
        let r = crate::json(
            &["lift", id, "--kpi", "leads", "--format", "json"],
            dir.path(),
        );
        // The effect in the window is the fair's and that of any activity overlapping it (a
        // webinar a week after the fair, say), which the report names.
        let leads = &(true_leads(id)
            + r["overlapping_activities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| true_leads(a["activity_id"].as_str().unwrap()))
                .sum::<f64>());
        let e = &r["result"]["effect_total"];
        let (low, mean, high) = (
            e["hdi_3%"].as_f64().unwrap(),
            e["mean"].as_f64().unwrap(),
            e["hdi_97%"].as_f64().unwrap(),
        );
        covered += (low <= *leads && *leads <= high) as usize;
        errors.push((mean / leads - 1.0).abs());
        assert!(
            r["result"]["probability_positive"].as_f64().unwrap() > 0.9,
            "{id}"
        );
    }
    assert!(covered >= 5, "{covered} of 6 intervals hold the truth");
    let mean_error = errors.iter().sum::<f64>() / errors.len() as f64;
    assert!(
        mean_error < 0.3,
        "mean relative error {mean_error}: {errors:?}"
    );

    let report = crate::json(
        &[
            "mmm",
            "fit",
            "--kpi",
            "leads",
            "--holidays",
            "--draws",
            "500",
            "--format",
            "json",
        ],
        dir.path(),
    );
    let incremental = truth["incremental"].as_array().unwrap();
    for channel in report["channels"].as_array().unwrap() {
        let name = channel["name"].as_str().unwrap();
        let notes = channel["notes"].as_array().unwrap();
        assert_eq!(
            channel["identifiable"].as_bool().unwrap(),
            notes.is_empty(),
            "{name}"
        );
        let Some(t) = incremental.iter().find(|i| i["channel"] == name) else {
            continue;
        };
        let leads = t["leads"].as_f64().unwrap();
        let c = &channel["contribution_total"];
        let holds =
            c["hdi_3%"].as_f64().unwrap() <= leads && leads <= c["hdi_97%"].as_f64().unwrap();
        // An identifiable channel's interval holds the truth; paid search and social (daily spend
        // moved month by month) hold it either way.
        if channel["identifiable"].as_bool().unwrap() || name.starts_with("paid_") {
            assert!(holds, "{name}: {c} vs true {leads}");
        }
    }
    // The fit is kept in the store, and exports as the document a file holds.
    let export = dir.path().join("fit.json");
    let reported = crate::json(
        &[
            "mmm",
            "report",
            "--kpi",
            "leads",
            "--format",
            "json",
            "--export",
            export.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(
        reported["channels"], report["channels"],
        "the stored fit reports as fitted"
    );
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
    assert_eq!(document["kpi"], "leads");
    assert!(
        !dir.path().join("models/mmm-leads.json").exists(),
        "no file"
    );
}
