//! The review cycle on the demo company: the decisions the generator made happen are followed
//! up with verdicts that agree with `truth.json`, movers add up, a closed review never
//! changes, and the PDF and XLSX carry the scorecard's numbers.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::utfall;

const TODAY: &str = "2026-11-20";

/// One demo workspace for the module's read-only tests (generated once).
fn demo() -> &'static Path {
    static DEMO: OnceLock<tempfile::TempDir> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let output = utfall()
            .args(["demo", "--no-serve", "--today", TODAY])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        dir
    })
    .path()
}

/// A copy of the demo workspace that a test may change.
fn demo_copy() -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(demo(), copy.path());
    copy
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn run(dir: &Path, args: &[&str]) -> String {
    let output = utfall()
        .args(args)
        .args(["--today", TODAY, "-C"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn review_json(dir: &Path, id: &str) -> Value {
    serde_json::from_str(&run(dir, &["review", "show", id, "--format", "json"])).unwrap()
}

fn truth(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).unwrap()).unwrap()
}

fn follow_up<'a>(review: &'a Value, decision: &str) -> &'a Value {
    review["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["decision"] == decision)
        .unwrap_or_else(|| panic!("{decision} is not followed up in {}", review["id"]))
}

fn truth_of<'a>(truth: &'a Value, decision: &str) -> &'a Value {
    truth["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == decision)
        .unwrap()
}

/// Leads of the months `first..=last` of 2026, summed from the generator's own count.
fn truth_leads(truth: &Value, months: std::ops::RangeInclusive<u32>) -> f64 {
    let by_month = truth["totals"]["leads_by_month"].as_object().unwrap();
    months
        .map(|m| by_month[&format!("2026-{m:02}")].as_f64().unwrap())
        .sum()
}

#[test]
fn the_decisions_that_happened_are_followed_up_as_the_truth_says() {
    let dir = demo();
    let truth = truth(dir);
    // The last quarter's review (FY2026-Q2, August–October) follows up the decisions of the
    // FY2026-Q1 review, held on 10 August.
    let q2 = review_json(dir, "fy2026_q2");
    let webinars = follow_up(&q2, "more_webinars");
    let known = truth_of(&truth, "more_webinars");
    assert_eq!(known["effect_exists"], true);
    let true_effect = known["true_effect"].as_f64().unwrap();
    assert!(true_effect > 0.0, "{known}");
    assert_eq!(webinars["verdict"], "worked", "{webinars:#}");
    let effect = &webinars["effect"]["effect"];
    let (low, high) = (
        effect["low"].as_f64().unwrap(),
        effect["high"].as_f64().unwrap(),
    );
    assert!(
        low <= true_effect && true_effect <= high,
        "the true effect {true_effect} lies outside the interval {low}..{high}"
    );
    assert!(low > 0.0, "{effect}");
    // The KPI when decided (FY2026-Q1: May–July) and now (FY2026-Q2: August–October), against
    // the generator's own count of leads per month.
    let leads = webinars["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kpi"] == "leads")
        .unwrap();
    assert_eq!(leads["decided_period"], "FY2026-Q1");
    assert_eq!(leads["now_period"], "FY2026-Q2");
    assert_eq!(
        leads["at_decision"].as_f64().unwrap(),
        truth_leads(&truth, 5..=7)
    );
    assert_eq!(leads["now"].as_f64().unwrap(), truth_leads(&truth, 8..=10));
    assert_eq!(webinars["due"], true);
    assert_eq!(webinars["overdue"], true, "no outcome is recorded yet");

    // A decision that happened but had no effect is not called a success: it was followed up
    // (and its outcome recorded) at the FY2026-Q1 review, which the demo closed.
    let q1 = review_json(dir, "fy2026_q1");
    assert_eq!(q1["status"], "closed");
    for (review, no_effect) in [(&q1, "more_content"), (&q2, "continue_fairs")] {
        assert_eq!(truth_of(&truth, no_effect)["effect_exists"], false);
        let followed = follow_up(review, no_effect);
        assert_ne!(followed["verdict"], "worked", "{followed:#}");
        assert_eq!(followed["due"], true);
    }
    assert!(follow_up(&q1, "more_content")["outcome"].is_object());
    // Decisions followed up at the earlier review are not followed up again.
    assert!(
        q2["follow_ups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["decision"] != "more_content"),
    );
}

#[test]
fn every_movers_drivers_and_residual_add_up_to_its_change() {
    let q2 = review_json(demo(), "fy2026_q2");
    let scorecard = q2["scorecard"].as_array().unwrap();
    let movers = q2["movers"].as_array().unwrap();
    assert!(movers.len() >= 3, "{movers:#?}");
    let mut with_drivers = 0;
    for mover in movers {
        let row = scorecard.iter().find(|r| r["kpi"] == mover["kpi"]).unwrap();
        let (before, after) = (
            mover["before"].as_f64().unwrap(),
            mover["after"].as_f64().unwrap(),
        );
        // The same values as the scorecard's (computed by another query: the last digits of
        // a sum may differ).
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(1.0);
        assert!(
            close(before, row["previous"].as_f64().unwrap()),
            "{}",
            mover["kpi"]
        );
        assert!(
            close(after, row["value"].as_f64().unwrap()),
            "{}",
            mover["kpi"]
        );
        let drivers = mover["drivers"].as_array().unwrap();
        let sum: f64 = drivers
            .iter()
            .map(|d| d["contribution"].as_f64().unwrap())
            .sum();
        let residual = mover["residual"].as_f64().unwrap();
        let change = after - before;
        assert!(
            (sum + residual - change).abs() <= 1e-9 * change.abs().max(1.0),
            "{}: {sum} + {residual} != {change}",
            mover["kpi"]
        );
        if !drivers.is_empty() {
            with_drivers += 1;
        }
        // A sum's drivers each contribute their own change, and leave nothing.
        if mover["method"] == "sum" {
            for d in drivers {
                let own = d["after"].as_f64().unwrap() - d["before"].as_f64().unwrap();
                assert!(
                    (d["contribution"].as_f64().unwrap() - own).abs() <= 1e-9 * own.abs().max(1.0)
                );
            }
            assert!(residual.abs() <= 1e-9 * change.abs().max(1.0), "{residual}");
        }
    }
    assert!(with_drivers >= 2, "{movers:#?}");
}

/// Swedish formatting written out here, independently of Utfall's: `1 234 kr`, `12,5 %`.
fn swedish(value: f64, unit: &str) -> String {
    fn grouped(value: f64, decimals: usize) -> String {
        let text = format!("{:.decimals$}", value.abs());
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let mut out = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        if !frac.is_empty() {
            out.push(',');
            out.push_str(frac);
        }
        if value < 0.0 && out.chars().any(|c| c != '0' && c != ',' && c != ' ') {
            out.insert(0, '−');
        }
        out
    }
    match unit {
        "currency" => format!("{} kr", grouped(value, 0)),
        "ratio" => format!("{} %", grouped(value * 100.0, 1)),
        "percent" => format!("{} %", grouped(value, 1)),
        "score" => grouped(value, 1),
        "count" if value.fract() == 0.0 => grouped(value, 0),
        "count" => grouped(value, 1),
        _ => grouped(value, 2),
    }
}

fn pdf_text(path: &Path) -> Option<String> {
    let output = match std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()
    {
        Ok(output) => output,
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("pdftotext is missing (poppler-utils): PDF text not checked");
            return None;
        }
        Err(error) => panic!("CI installs poppler-utils: {error}"),
    };
    assert!(output.status.success());
    Some(
        String::from_utf8(output.stdout)
            .unwrap()
            .replace('\u{a0}', " "),
    )
}

#[test]
fn the_pdf_shows_every_scorecard_row_in_swedish_and_the_xlsx_has_the_numbers() {
    let dir = demo();
    let out = tempfile::tempdir().unwrap();
    let (pdf, xlsx) = (out.path().join("q2.pdf"), out.path().join("q2.xlsx"));
    let files = if cfg!(feature = "pdf") {
        vec![&pdf, &xlsx]
    } else {
        vec![&xlsx]
    };
    for file in files {
        run(
            dir,
            &[
                "review",
                "export",
                "fy2026_q2",
                "--lang",
                "sv",
                "--to",
                file.to_str().unwrap(),
            ],
        );
    }
    let q2 = review_json(dir, "fy2026_q2");
    let rows = q2["scorecard"].as_array().unwrap();
    assert!(rows.len() >= 20);
    let with_values: Vec<&Value> = rows.iter().filter(|r| r["value"].is_f64()).collect();
    assert!(with_values.len() >= 20);
    if let Some(text) = cfg!(feature = "pdf").then(|| pdf_text(&pdf)).flatten() {
        let lines: Vec<&str> = text.lines().collect();
        for row in &with_values {
            let unit = row["unit"].as_str().unwrap();
            let value = swedish(row["value"].as_f64().unwrap(), unit);
            let name = row["name"]["sv"].as_str().unwrap();
            // The row's line: the first word of its name (a long name wraps onto the
            // next lines) and its value in Swedish; every word of the name is in the text.
            let first = name.split_whitespace().next().unwrap();
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains(first) && l.contains(&value)),
                "no line of the PDF has `{first}` and `{value}`:\n{text}"
            );
            for word in name.split_whitespace() {
                assert!(
                    text.contains(word),
                    "`{word}` of `{name}` is not in the PDF"
                );
            }
        }
        assert!(text.contains(" kr") && text.contains(" %"));
    }
    // The XLSX's scorecard sheet: the same numbers, as numeric cells.
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let sheet = book.worksheet_range("Målkort").unwrap();
    let mut numbers = 0;
    for row in &with_values {
        let name = row["name"]["sv"].as_str().unwrap();
        let found = sheet
            .rows()
            .find(|cells| matches!(&cells[0], Data::String(s) if s.trim() == name))
            .unwrap_or_else(|| panic!("`{name}` is not in the sheet"));
        match &found[1] {
            Data::Float(v) => {
                // An open review is computed anew for each command: a sum's last digits may
                // differ between two runs of the engine.
                let want = row["value"].as_f64().unwrap();
                assert!(
                    (v - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "{name}: {v} != {want}"
                );
                numbers += 1;
            }
            other => panic!("{name}: {other:?} is not a number"),
        }
    }
    assert_eq!(numbers, with_values.len());
}

fn import_won_deal(dir: &Path) {
    let path: PathBuf = dir.join("exports/hubspot/deals-late.csv");
    let original = std::fs::read_to_string(dir.join("exports/hubspot/deals.csv")).unwrap();
    let header = original.lines().next().unwrap();
    assert!(header.contains("Deal Stage"), "{header}");
    // One more won deal closed in FY2026-Q1, laid out like the export's first data row.
    let first = original.lines().nth(1).unwrap();
    let columns: Vec<&str> = header.split(',').collect();
    let mut cells: Vec<String> = first.split(',').map(String::from).collect();
    for (i, column) in columns.iter().enumerate() {
        match *column {
            "Record ID" => cells[i] = "late-1".into(),
            "Deal Name" => cells[i] = "Sen affär".into(),
            "Deal Stage" => cells[i] = "Closed Won".into(),
            "Amount" => cells[i] = "1000000".into(),
            "Close Date" | "Create Date" => cells[i] = "2026-06-15 10:00".into(),
            _ => {}
        }
    }
    std::fs::write(&path, format!("{header}\n{}\n", cells.join(","))).unwrap();
    let output = utfall()
        .args([
            "import",
            path.to_str().unwrap(),
            "--preset",
            "hubspot-deals",
            "--currency",
            "SEK",
            "-C",
        ])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_closed_review_is_byte_identical_after_a_reimport_and_a_formula_change() {
    let copy = demo_copy();
    let dir = copy.path();
    let out = tempfile::tempdir().unwrap();
    let before_json = run(dir, &["review", "show", "fy2026_q1", "--format", "json"]);
    // Every rendering of the frozen document; the PDF when this build has it.
    let extensions: &[&str] = if cfg!(feature = "pdf") {
        &["pdf", "html", "md", "xlsx"]
    } else {
        &["html", "md", "xlsx"]
    };
    let export = |path: PathBuf| {
        run(
            dir,
            &[
                "review",
                "export",
                "fy2026_q1",
                "--to",
                path.to_str().unwrap(),
            ],
        );
        path
    };
    let exported = |stem: &str| -> Vec<PathBuf> {
        extensions
            .iter()
            .map(|ext| export(out.path().join(format!("{stem}.{ext}"))))
            .collect()
    };
    let before = exported("before");
    let won_before = live_won_revenue(dir);

    import_won_deal(dir);
    let won_after_import = live_won_revenue(dir);
    assert_eq!(
        won_after_import - won_before,
        1_000_000.0,
        "the import counted"
    );
    // And the formula of won revenue changes (definition v2): only deals above 0 kr.
    let kpis = std::fs::read_dir(dir.join("kpis"))
        .unwrap()
        .flatten()
        .map(|e| e.path());
    let mut edited = false;
    for path in kpis {
        let text = std::fs::read_to_string(&path).unwrap();
        if let Some(at) = text.find("id = \"won_revenue\"") {
            let rest = &text[at..];
            let formula = rest.find("formula = \"").unwrap() + at + "formula = \"".len();
            let end = text[formula..].find('"').unwrap() + formula;
            let changed = format!(
                "{}({}) * 2{}",
                &text[..formula],
                &text[formula..end],
                &text[end..]
            );
            std::fs::write(&path, changed).unwrap();
            edited = true;
        }
    }
    assert!(edited, "won_revenue's formula was found");
    utfall().arg("check").arg(dir).assert().success();
    let won_after_formula = live_won_revenue(dir);
    assert_eq!(won_after_formula, 2.0 * won_after_import);

    let after_json = run(dir, &["review", "show", "fy2026_q1", "--format", "json"]);
    assert_eq!(after_json, before_json, "the closed review's JSON changed");
    let after = exported("after");
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(
            std::fs::read(a).unwrap(),
            std::fs::read(b).unwrap(),
            "{}",
            b.display()
        );
    }
    if cfg!(feature = "pdf")
        && let (Some(a), Some(b)) = (pdf_text(&before[0]), pdf_text(&after[0]))
    {
        assert_eq!(a, b);
        assert!(a.contains("FY2026-Q1"));
    }
    let frozen: Value = serde_json::from_str(&after_json).unwrap();
    let won = frozen["scorecard"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kpi"] == "won_revenue")
        .unwrap();
    assert_eq!(won["value"].as_f64().unwrap(), won_before);
}

fn live_won_revenue(dir: &Path) -> f64 {
    let text = run(
        dir,
        &[
            "kpi",
            "show",
            "won_revenue",
            "--grain",
            "fiscal_quarter",
            "--format",
            "json",
        ],
    );
    let json: Value = serde_json::from_str(&text).unwrap();
    json["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period"] == "FY2026-Q1")
        .and_then(|p| p["value"].as_f64())
        .unwrap()
}

#[test]
fn decisions_are_checked_recorded_and_refused_on_a_closed_review() {
    let copy = demo_copy();
    let dir = copy.path();
    let fails = |args: &[&str], needle: &str| {
        let output = utfall()
            .args(args)
            .args(["--today", TODAY, "-C"])
            .arg(dir)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: a user's error exits 1"
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    };
    fails(
        &["decide", "x", "--action", "double"],
        "`double` is not an action",
    );
    fails(
        &["decide", "x", "--action", "more", "--effect", "leads"],
        "needs both a KPI and a direction",
    );
    fails(
        &["decide", "x", "--action", "more", "--kpi", "nope"],
        "nope",
    );
    fails(
        &["decide", "x", "--action", "more", "--review", "fy2026_q1"],
        "is closed",
    );
    run(
        dir,
        &[
            "decide",
            "more_fairs",
            "--action",
            "more",
            "--review",
            "fy2026_q2",
            "--channel",
            "events",
            "--effect",
            "mqls",
            "--direction",
            "up",
            "--size",
            "0.1",
            "--owner",
            "cmo",
            "--why",
            "Mässan gav tydlig lift",
            "--follow-up",
            "2027-02-15",
        ],
    );
    fails(&["decide", "more_fairs", "--action", "more"], "exists");
    let q2 = review_json(dir, "fy2026_q2");
    let taken = q2["decisions"].as_array().unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0]["id"], "more_fairs");
    assert_eq!(taken[0]["follow_up"], "2027-02-15");
    run(
        dir,
        &[
            "review",
            "outcome",
            "more_webinars",
            "--verdict",
            "worked",
            "--note",
            "+80 leads",
        ],
    );
    let q2 = review_json(dir, "fy2026_q2");
    let webinars = follow_up(&q2, "more_webinars");
    assert_eq!(webinars["outcome"]["verdict"], "worked");
    assert_eq!(webinars["overdue"], false);
    // The decision log goes back to git as reviews.toml.
    let text = run(dir, &["review", "toml"]);
    let parsed: toml::Table = toml::from_str(&text).unwrap();
    let decisions = parsed["decision"].as_array().unwrap();
    let fairs = decisions
        .iter()
        .find(|d| d["id"].as_str() == Some("more_fairs"))
        .unwrap();
    assert_eq!(fairs["effect"]["kpi"].as_str(), Some("mqls"));
    assert_eq!(fairs["effect"]["size"].as_float(), Some(0.1));
    assert_eq!(parsed["review"].as_array().unwrap().len(), 3);
}
