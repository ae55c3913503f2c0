//! The demo read back from its files, not from the generator's structures: the decisions
//! happened in the activity plan and the touchpoints as `reviews.toml` and `truth.json` say,
//! the workspace checks clean, and the targets follow from the exports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use jiff::civil::{Date, Weekday};
use utfall_model::workspace::Workspace;

use super::*;

fn day(text: &str) -> Date {
    text.parse().unwrap()
}

fn generate_into(dir: &Path, today: &str, history_days: Option<u32>) -> serde_json::Value {
    let config = DemoConfig {
        seed: 1,
        size: Size::Small,
        today: day(today),
        history_days,
    };
    generate(dir, &config).unwrap().1
}

/// The rows of a `;`-separated plan or a `,`-separated export, as maps from the header.
fn rows(path: &Path, separator: char) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(separator)
        .map(str::to_string)
        .collect();
    lines
        .map(|line| {
            header
                .iter()
                .cloned()
                .zip(line.split(separator).map(str::to_string))
                .collect()
        })
        .collect()
}

fn swedish_number(text: &str) -> f64 {
    text.replace(' ', "").replace(',', ".").parse().unwrap()
}

fn decision<'a>(truth: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    truth["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("no decision `{id}` in the truth"))
}

/// Whether the plan's row is one of the extra webinars: `webinar_YYYY_MM_DD`.
fn is_extra_webinar(id: &str) -> bool {
    id.strip_prefix("webinar_")
        .is_some_and(|rest| rest.split('_').count() == 3)
}

/// The demo of 20 November 2026: the reviews of FY2025-Q4 (February–April 2026) and
/// FY2026-Q1 (May–July), held on 10 May and 10 August, and what their decisions did.
#[test]
fn the_reviews_and_decisions_are_in_reviews_toml() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    let truth = generate_into(path, "2026-11-20", None);

    // reviews.toml, as the model reads it; the workspace checks clean.
    let workspace = Workspace::load(path).unwrap();
    let diagnostics = utfall_model::check::check(&workspace);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let reviews: Vec<(String, String, String)> = workspace
        .reviews
        .iter()
        .map(|r| {
            (
                r.def.id.get_ref().clone(),
                r.def.period.get_ref().clone(),
                r.def.date.as_ref().unwrap().get_ref().to_string(),
            )
        })
        .collect();
    assert_eq!(
        reviews,
        [
            ("fy2025_q4".into(), "FY2025-Q4".into(), "2026-05-10".into()),
            ("fy2026_q1".into(), "FY2026-Q1".into(), "2026-08-10".into()),
        ]
    );
    let decisions: Vec<[String; 6]> = workspace
        .decisions
        .iter()
        .map(|d| {
            let d = &d.def;
            let effect = d.effect.as_ref().map_or(String::new(), |e| {
                format!(
                    "{} {} {:?}",
                    e.kpi.get_ref(),
                    e.direction.get_ref(),
                    e.size.as_ref().map(|s| *s.get_ref())
                )
            });
            [
                d.id.get_ref().clone(),
                d.review.get_ref().clone(),
                d.action.get_ref().clone(),
                d.decided_on.as_ref().unwrap().get_ref().to_string(),
                d.follow_up.as_ref().unwrap().get_ref().to_string(),
                effect,
            ]
        })
        .collect();
    let expected = [
        [
            "stop_print",
            "fy2025_q4",
            "stop",
            "2026-05-10",
            "2026-07-19",
            "marketing_spend down None",
        ],
        [
            "more_content",
            "fy2025_q4",
            "more",
            "2026-05-10",
            "2026-07-19",
            "leads up Some(0.1)",
        ],
        [
            "more_webinars",
            "fy2026_q1",
            "more",
            "2026-08-10",
            "2026-10-19",
            "leads up Some(0.15)",
        ],
        [
            "continue_fairs",
            "fy2026_q1",
            "continue",
            "2026-08-10",
            "2026-10-19",
            "",
        ],
    ]
    .map(|row| row.map(str::to_string));
    assert_eq!(decisions, expected);
    for [id, review, _, decided_on, follow_up, _] in &decisions {
        let truth = decision(&truth, id);
        assert_eq!(truth["review"], review.as_str(), "{id}");
        assert_eq!(truth["decided_on"], decided_on.as_str(), "{id}");
        assert_eq!(truth["follow_up"], follow_up.as_str(), "{id}");
    }
    assert!(
        workspace
            .decisions
            .iter()
            .all(|d| d.def.status.as_ref().unwrap().get_ref() == "open")
    );
}

/// The same demo: the decisions happened in the activity plan and the truth counts them.
#[test]
fn the_decisions_happened_in_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    let truth = generate_into(path, "2026-11-20", None);
    let plan = rows(&path.join("plan/aktivitetsplan.csv"), ';');
    let start = |row: &BTreeMap<String, String>| day(&row["Start"]);

    // stop_print: no print after May; what was not booked in the window, June and July, is
    // about two months of the 7 500 kr budget.
    let print: Vec<Date> = plan
        .iter()
        .filter(|r| r["Typ"] == "print")
        .map(start)
        .collect();
    assert_eq!(print.iter().max(), Some(&day("2026-05-01")));
    let stop = decision(&truth, "stop_print");
    let not_booked = stop["true_effect"].as_f64().unwrap();
    assert!(
        (-2.0 * 7_500.0 * 1.1..=-2.0 * 7_500.0 * 0.9).contains(&not_booked),
        "{stop}"
    );
    assert_eq!(stop["spend_change"], stop["true_effect"]);
    assert_eq!(stop["effect_exists"], true);
    // Print ads brought leads: stopping them costs some, never adds any.
    assert!(stop["lead_effect"].as_i64().unwrap() <= 0, "{stop}");
    assert!(
        stop["expected_lead_effect"].as_f64().unwrap() < 0.0,
        "{stop}"
    );

    // more_content: 19 200 kr a month from June, 12 000 before; the window's extra is 0.6/1.6
    // of June's and July's costs; it brings no leads.
    let mut extra_content = 0.0;
    for row in plan.iter().filter(|r| r["Typ"] == "content") {
        let budget = swedish_number(&row["Budget"]);
        if start(row) >= day("2026-06-01") {
            assert_eq!(budget, 19_200.0, "{row:?}");
            if start(row) <= day("2026-07-19") {
                extra_content += swedish_number(&row["Kostnad"]) * 0.6 / 1.6;
            }
        } else {
            assert_eq!(budget, 12_000.0, "{row:?}");
        }
    }
    let content = decision(&truth, "more_content");
    assert!(
        (content["spend_change"].as_f64().unwrap() - extra_content).abs() <= 0.02,
        "{content} vs {extra_content}"
    );
    assert_eq!(content["true_effect"], 0.0);
    assert_eq!(content["effect_exists"], false);

    // more_webinars: a webinar every Wednesday from 10 August but on the 15th or a holiday,
    // each bringing its attendees; the truth counts those of the window.
    let extra: Vec<&BTreeMap<String, String>> =
        plan.iter().filter(|r| is_extra_webinar(&r["ID"])).collect();
    assert!(!extra.is_empty());
    let holidays = utfall_model::holidays::swedish();
    for row in &extra {
        let date = start(row);
        assert_eq!(date.weekday(), Weekday::Wednesday, "{row:?}");
        assert!(date >= day("2026-08-10") && date <= day("2026-11-20"));
        assert!(date.day() != 15 && !holidays.contains_key(&date), "{row:?}");
        assert_eq!(
            (row["Typ"].as_str(), row["Kanal"].as_str()),
            ("webinar", "events")
        );
    }
    let wednesdays = (0..=102)
        .map(|i| add_days(day("2026-08-10"), i))
        .filter(|d| d.weekday() == Weekday::Wednesday && d.day() != 15)
        .count();
    assert_eq!(
        extra.len(),
        wednesdays,
        "no holiday falls on these Wednesdays"
    );
    let in_window: Vec<&&BTreeMap<String, String>> = extra
        .iter()
        .filter(|r| start(r) <= day("2026-10-19"))
        .collect();
    let webinars = decision(&truth, "more_webinars");
    assert_eq!(webinars["extra_events"], in_window.len());
    assert_eq!(
        webinars["expected_effect"].as_f64().unwrap(),
        in_window.len() as f64 * 9.0
    );
    let cost: f64 = in_window
        .iter()
        .map(|r| swedish_number(&r["Kostnad"]))
        .sum();
    assert!((webinars["spend_change"].as_f64().unwrap() - cost).abs() < 0.005);
    let ids: BTreeSet<&str> = in_window.iter().map(|r| r["ID"].as_str()).collect();
    let attended = rows(&path.join("exports/web/touchpoints.csv"), ',')
        .iter()
        .filter(|t| ids.contains(t["activity_id"].as_str()) && t["kind"] == "webinar_attended")
        .count();
    assert_eq!(webinars["true_effect"], attended);
    assert!(attended > 0);
    assert_eq!(webinars["effect_exists"], true);

    // continue_fairs: nothing changed.
    let fairs = decision(&truth, "continue_fairs");
    assert_eq!(fairs["effect_kpi"], serde_json::Value::Null);
    assert_eq!(fairs["true_effect"], serde_json::Value::Null);
    assert_eq!(fairs["effect_exists"], false);
    assert_eq!(fairs["spend_change"], 0.0);
}

/// Every KPI with an owner has a target for each quarter from FY2025-Q4 to FY2026-Q4, and won
/// revenue's and the MQLs' follow from the CRM's exports of the same quarter a year before.
#[test]
fn the_owned_kpis_have_targets_from_the_year_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    generate_into(path, "2026-11-20", None);
    let workspace = Workspace::load(path).unwrap();
    let quarters = [
        "FY2025-Q4",
        "FY2026-Q1",
        "FY2026-Q2",
        "FY2026-Q3",
        "FY2026-Q4",
    ];
    let owned: Vec<&utfall_model::workspace::KpiDef> = workspace
        .kpis
        .iter()
        .map(|k| &k.def)
        .filter(|k| !k.owners.is_empty())
        .collect();
    assert!(owned.len() >= 6);
    for kpi in &owned {
        let periods: Vec<&str> = kpi
            .target
            .iter()
            .map(|t| t.period.get_ref().as_str())
            .collect();
        assert_eq!(periods, quarters, "{}", kpi.id.get_ref());
    }
    let target = |id: &str, period: &str| -> f64 {
        let kpi = owned.iter().find(|k| k.id.get_ref() == id).unwrap();
        *kpi.target
            .iter()
            .find(|t| t.period.get_ref() == period)
            .unwrap()
            .value
            .get_ref()
    };
    // May–July 2025.
    let within = |text: &str| {
        let date = day(text.get(..10).unwrap_or("1900-01-01"));
        day("2025-05-01") <= date && date < day("2025-08-01")
    };
    let won: f64 = rows(&path.join("exports/hubspot/deals.csv"), ',')
        .iter()
        .filter(|d| d["Deal Stage"] == "Closed Won" && within(&d["Close Date"]))
        .map(|d| d["Amount"].parse::<f64>().unwrap())
        .sum();
    assert_eq!(target("won_revenue", "FY2026-Q1"), (won * 1.2).round());
    let mqls = rows(&path.join("exports/hubspot/contacts.csv"), ',')
        .iter()
        .filter(|c| within(&c["Became a Marketing Qualified Lead Date"]))
        .count();
    assert_eq!(target("mqls", "FY2026-Q1"), (mqls as f64 * 1.1).round());
    let cac = owned.iter().find(|k| k.id.get_ref() == "cac").unwrap();
    assert!(cac.target.iter().all(|t| t.kind.get_ref() == "below"));
}

/// Short histories, on a day whose reviews lie before the data and on one whose follow-ups
/// fall in it: the workspace checks clean and every decision has its truth.
#[test]
fn short_histories_check_clean() {
    for today in ["2026-03-01", "2026-08-31"] {
        let dir = tempfile::tempdir().unwrap();
        let truth = generate_into(dir.path(), today, Some(42));
        let workspace = Workspace::load(dir.path()).unwrap();
        let diagnostics = utfall_model::check::check(&workspace);
        assert!(
            !utfall_model::check::has_errors(&diagnostics),
            "{today}: {diagnostics:#?}"
        );
        assert_eq!(workspace.decisions.len(), 4, "{today}");
        assert_eq!(truth["decisions"].as_array().unwrap().len(), 4, "{today}");
    }
}

#[test]
fn us_numbers() {
    assert_eq!(us_number(1234.5, 2), "1,234.50");
    assert_eq!(us_number(12.0, 0), "12");
}
