//! `utfall check` diagnostics: one snapshot per kind of problem, made by breaking a workspace
//! from `utfall init` in one place.

use crate::{check, edit, new_workspace, utfall};

const KPIS: &str = "kpis/kpis.toml";

/// (snapshot name, file, text to replace, replacement, expected exit code, expected code)
const CASES: &[(&str, &str, &str, &str, i32, &str)] = &[
    (
        "unknown_field",
        KPIS,
        "tags = [\"core\", \"sales\"]\npurpose",
        "colour = \"red\"\ntags = [\"core\", \"sales\"]\npurpose",
        1,
        "unknown-field",
    ),
    (
        "missing_field",
        KPIS,
        "unit = \"count\"\ndirection = \"higher\"\ntags = [\"core\", \"sales\"]\nparent = \"won_revenue\"",
        "direction = \"higher\"\ntags = [\"core\", \"sales\"]\nparent = \"won_revenue\"",
        1,
        "missing-field",
    ),
    (
        "wrong_type",
        "utfall.toml",
        "fiscal_year_start_month = 5",
        "fiscal_year_start_month = \"maj\"",
        1,
        "wrong-type",
    ),
    (
        "invalid_id",
        "goals.toml",
        "id = \"known_in_the_nordics\"",
        "id = \"Known-in-the-Nordics\"",
        1,
        "invalid-id",
    ),
    (
        "duplicate_id",
        KPIS,
        "id = \"closed_deals\"",
        "id = \"won_deals\"",
        1,
        "duplicate-id",
    ),
    (
        "unknown_goal",
        KPIS,
        "goal = \"grow_revenue\"",
        "goal = \"grow_revenu\"",
        1,
        "unknown-goal",
    ),
    (
        "unknown_kpi",
        KPIS,
        "formula = \"won_deals / closed_deals\"",
        "formula = \"won_deal / closed_deals\"",
        1,
        "unknown-kpi",
    ),
    (
        "formula_syntax",
        KPIS,
        "formula = \"sum(deals.amount, where: is_won, time: closed_at)\"",
        "formula = \"sum(deals.amount, where: is_won, time: closed_at\"",
        1,
        "formula-syntax",
    ),
    (
        "unknown_table",
        KPIS,
        "formula = \"sum(deals.amount, where: is_won, time: closed_at)\"",
        "formula = \"sum(deal.amount, where: is_won, time: closed_at)\"",
        1,
        "unknown-table",
    ),
    (
        "unknown_column",
        KPIS,
        "formula = \"sum(deals.amount, where: is_won, time: closed_at)\"",
        "formula = \"sum(deals.amout, where: is_won, time: closed_at)\"",
        1,
        "unknown-column",
    ),
    (
        "type_mismatch",
        KPIS,
        "formula = \"sum(deals.amount, where: is_won, time: closed_at)\"",
        "formula = \"sum(deals.stage, where: is_won, time: closed_at)\"",
        1,
        "type-mismatch",
    ),
    (
        "type_mismatch_literal",
        KPIS,
        "where: channel = 'paid_search'",
        "where: channel = paid_search",
        1,
        "formula-syntax",
    ),
    (
        "not_a_time_column",
        KPIS,
        "formula = \"count(deals, where: is_won, time: closed_at)\"",
        "formula = \"count(deals, where: is_won, time: stage)\"",
        1,
        "not-a-time-column",
    ),
    (
        "no_time_column",
        KPIS,
        "formula = \"count(deals, where: is_closed, time: closed_at)\"",
        "formula = \"count(accounts)\"",
        1,
        "no-time-column",
    ),
    (
        "cycle",
        KPIS,
        "formula = \"count(deals, where: is_closed, time: closed_at)\"",
        "formula = \"won_deals / win_rate\"",
        1,
        "cycle",
    ),
    (
        "mixed_units",
        KPIS,
        "formula = \"sum(spend.cost, where: channel = 'events', time: date)\"\nunit = \"currency\"",
        "formula = \"sum(spend.cost, where: channel = 'events', time: date)\"\nunit = \"count\"",
        1,
        "mixed-units",
    ),
    (
        "overlapping_targets",
        KPIS,
        "period = \"FY2026-Q2\"",
        "period = \"FY2026-Q1\"",
        1,
        "overlapping-targets",
    ),
    (
        "not_measurable",
        KPIS,
        "formula = \"count(deals, where: is_closed, time: closed_at)\"\n",
        "",
        1,
        "not-measurable",
    ),
    (
        "unknown_currency",
        "utfall.toml",
        "currency = \"SEK\"",
        "currency = \"SKR\"",
        1,
        "unknown-currency",
    ),
    (
        "invalid_period",
        KPIS,
        "period = \"FY2026-Q4\"",
        "period = \"FY2026-Q5\"",
        1,
        "invalid-period",
    ),
    (
        "ratio_roles",
        KPIS,
        "role = \"numerator\"",
        "role = \"denominator\"",
        1,
        "ratio-roles",
    ),
    (
        "invalid_time_zone",
        "utfall.toml",
        "Europe/Stockholm",
        "Europe/Stokholm",
        1,
        "invalid-time-zone",
    ),
    (
        "unknown_channel",
        "activities.toml",
        "channel = \"paid_search\"",
        "channel = \"paid_serch\"",
        1,
        "unknown-channel",
    ),
    (
        "invalid_date_range",
        "activities.toml",
        "end = 2026-08-29",
        "end = 2026-04-29",
        1,
        "invalid-date-range",
    ),
    (
        "invalid_value",
        KPIS,
        "direction = \"lower\"",
        "direction = \"down\"",
        1,
        "invalid-value",
    ),
    (
        "unknown_setting",
        "utfall.toml",
        "brand = \"Nordkraft\"\n",
        "",
        1,
        "unknown-setting",
    ),
    (
        "unknown_person",
        KPIS,
        "owners = [\"sales_manager\"]",
        "owners = [\"sales_manger\"]",
        1,
        "unknown-person",
    ),
    (
        "foreign_column",
        KPIS,
        "where: is_won, time: closed_at)\"\nunit = \"currency\"",
        "where: contacts.is_won, time: closed_at)\"\nunit = \"currency\"",
        1,
        "foreign-column",
    ),
    (
        "no_target",
        KPIS,
        "[[kpi.target]]\nperiod = \"FY2026\"\nkind = \"above\"\nvalue = 30\namber = 0.1\n",
        "",
        0,
        "no-target",
    ),
    (
        "no_goal_no_owner",
        KPIS,
        "goal = \"known_in_the_nordics\"\nowners = [\"cmo\"]\nsources = [\"brand_survey\"]\naudiences",
        "sources = [\"brand_survey\"]\naudiences",
        0,
        "no-goal",
    ),
];

#[test]
fn each_kind_of_problem_is_reported_with_file_line_and_hint() {
    let mut kinds = std::collections::BTreeSet::new();
    for (name, file, from, to, expected_exit, expected_code) in CASES {
        let dir = new_workspace("b2b");
        edit(dir.path(), file, from, to);
        let (code, stderr) = check(dir.path());
        assert_eq!(code, *expected_exit, "{name}: {stderr}");
        if !expected_code.is_empty() {
            assert!(
                stderr.contains(&format!("[{expected_code}]: ")),
                "{name}: {stderr}"
            );
            // `$brand` is missing from `utfall.toml` but used in the KPI formulas.
            let reported = if *name == "unknown_setting" {
                KPIS
            } else {
                file
            };
            assert!(
                stderr.contains(&format!("--> {reported}:")),
                "{name}: {stderr}"
            );
            kinds.insert(*expected_code);
        }
        insta::assert_snapshot!(format!("check_{name}"), stderr);
    }
    assert!(kinds.len() >= 15, "only {} kinds: {kinds:?}", kinds.len());
}

#[test]
fn a_syntax_error_at_any_line_names_the_file_and_line() {
    let files = [
        "utfall.toml",
        "goals.toml",
        KPIS,
        "sources.toml",
        "activities.toml",
    ];
    for file in files {
        let pristine = new_workspace("b2b");
        let text = std::fs::read_to_string(pristine.path().join(file)).unwrap();
        let n_lines = text.lines().count();
        // Every 7th line, and the first and last, of every definition file.
        for line in (1..=n_lines + 1).filter(|n| n % 7 == 0 || *n == 1 || *n == n_lines + 1) {
            let mut lines: Vec<&str> = text.lines().collect();
            lines.insert(line - 1, "this line = is not [toml");
            std::fs::write(pristine.path().join(file), lines.join("\n")).unwrap();
            let (code, stderr) = check(pristine.path());
            assert_eq!(code, 1, "{file}:{line}: {stderr}");
            assert!(
                stderr.contains(&format!("--> {file}:{line}:")),
                "{file}:{line}: {stderr}"
            );
        }
        std::fs::write(pristine.path().join(file), &text).unwrap();
    }
}

#[test]
fn all_problems_of_a_run_are_reported_not_just_the_first() {
    let dir = new_workspace("b2b");
    edit(
        dir.path(),
        KPIS,
        "sum(deals.amount, where: is_won, time: closed_at)",
        "sum(deals.amout, where: is_won, time: closed_at)",
    );
    edit(
        dir.path(),
        KPIS,
        "won_deals / closed_deals",
        "won_deal / closed_deals",
    );
    edit(
        dir.path(),
        "goals.toml",
        "period = \"FY2026\"",
        "period = \"FY26\"",
    );
    edit(
        dir.path(),
        "activities.toml",
        "kind = \"fair\"",
        "kind = \"mässa\"",
    );
    let (code, stderr) = check(dir.path());
    assert_eq!(code, 1);
    for expected in [
        "[unknown-column]",
        "[unknown-kpi]",
        "[invalid-period]",
        "[invalid-value]",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    assert!(stderr.contains("4 errors"), "{stderr}");
}

#[test]
fn json_output_carries_positions() {
    let dir = new_workspace("b2b");
    edit(
        dir.path(),
        KPIS,
        "sum(deals.amount, where: is_won, time: closed_at)",
        "sum(deals.amout, where: is_won, time: closed_at)",
    );
    let output = utfall()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["errors"], 1);
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["code"], "unknown-column");
    assert_eq!(diagnostic["file"], KPIS);
    // `formula = "sum(deals.amout` : the column starts at character 22 of line 8.
    assert_eq!(diagnostic["line"], 8);
    assert_eq!(diagnostic["column"], 22);
    assert_eq!(diagnostic["end_column"], 27);
    assert_eq!(diagnostic["hint"], "did you mean `amount`?");
}

#[test]
fn a_folder_without_utfall_toml_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = utfall().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is not a Utfall workspace: it has no `utfall.toml`"),
        "{stderr}"
    );
}

#[test]
fn reviews_and_decisions_are_checked() {
    let dir = new_workspace("b2b");
    std::fs::write(
        dir.path().join("reviews.toml"),
        "[[review]]\nid = \"q2\"\nperiod = \"FY2026-Q2\"\ndate = 2026-11-10\nparticipants = [\"cmo\"]\n\n\
         [[decision]]\nid = \"more_search\"\nreview = \"q2\"\naction = \"more\"\nchannel = \"paid_search\"\nkpis = [\"mqls\"]\nfollow_up = 2027-02-10\n\n\
         [[decision]]\nid = \"bad\"\nreview = \"q3\"\naction = \"double\"\nchannel = \"paid_serch\"\nkpis = [\"mql\"]\nowner = \"nobody\"\n",
    )
    .unwrap();
    let (code, stderr) = check(dir.path());
    assert_eq!(code, 1, "{stderr}");
    for expected in [
        "[unknown-review]: no review is called `q3`",
        "[invalid-value]: `double` is not a decision",
        "[unknown-channel]: `paid_serch`",
        "[unknown-kpi]: no KPI is called `mql`",
        "[unknown-person]: `nobody`",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    assert!(stderr.contains("--> reviews.toml:"), "{stderr}");
    assert!(stderr.contains("5 errors"), "{stderr}");
}

#[test]
fn every_import_preset_is_a_valid_source_and_its_options_are_checked() {
    let dir = new_workspace("b2b");
    let sources = dir.path().join("sources.toml");
    let mut text = std::fs::read_to_string(&sources).unwrap();
    // Once refused by `check`, which kept a list of its own.
    text.push_str(
        "\n[[source]]\nname = \"forms\"\npreset = \"form-submissions\"\npath = \"exports/forms/*.csv\"\n\n\
         [[source]]\nname = \"rates\"\npreset = \"fx-rates\"\npath = \"exports/ecb/eurofxref-hist.csv\"\n",
    );
    std::fs::write(&sources, &text).unwrap();
    let (code, stderr) = check(dir.path());
    assert_eq!(code, 0, "{stderr}");
    text.push_str(
        "\n[[source]]\nname = \"meta\"\npreset = \"meta-ads\"\npath = \"exports/meta.csv\"\ncurrency = \"KRONOR\"\ndates = \"sideways\"\n",
    );
    std::fs::write(&sources, &text).unwrap();
    let (code, stderr) = check(dir.path());
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("`KRONOR` is not an ISO 4217 currency code")
            && stderr.contains("`sideways` is not a date order"),
        "{stderr}"
    );
}
