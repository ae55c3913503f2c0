//! The use cases on the test kit's hand-checkable company (see `utfall_testkit`): every
//! expected value is worked out by hand from the rows listed there.
#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use utfall_app::attribution::{AttributionRequest, ConversionKind, CreditTo, Model};
use utfall_app::scorecard::{ScorecardRequest, scorecard};
use utfall_app::series::{Compare, SeriesRequest, series, split_series};
use utfall_app::{AppError, Clock, ErrorKind, Session};
use utfall_model::period::{Grain, Period};
use utfall_testkit::TestWorkspace;

/// The company, built once for every read-only test.
fn company() -> &'static TestWorkspace {
    static COMPANY: OnceLock<TestWorkspace> = OnceLock::new();
    COMPANY.get_or_init(TestWorkspace::company)
}

fn runtime() -> &'static utfall_app::Runtime {
    static RUNTIME: OnceLock<utfall_app::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| utfall_app::runtime().unwrap())
}

fn session(today: &str) -> Session {
    runtime()
        .block_on(Session::open(
            company().path(),
            Clock::Fixed(today.parse().unwrap()),
        ))
        .unwrap()
}

fn close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() < 1e-9, "{what}: {got} ≠ {want}");
}

#[test]
fn the_scorecard_of_a_closed_quarter() {
    let session = session("2026-11-26");
    let request = ScorecardRequest {
        period: Some("FY2026-Q1".parse().unwrap()),
        ..ScorecardRequest::default()
    };
    let card = runtime().block_on(scorecard(&session, &request)).unwrap();
    assert!(!card.running);
    // FY2026-Q1 is May–July 2026; the quarter before is February–April.
    assert_eq!(card.previous.to_string(), "FY2025-Q4");
    let spend = card
        .kpis
        .iter()
        .find(|k| k.kpi == "marketing_spend")
        .unwrap();
    // 1 000 + 500 + 2 000.
    assert_eq!(spend.value, Some(3500.0));
    // Before the first spend there is no value, not zero.
    assert_eq!(spend.previous, None);
    let won = card.kpis.iter().find(|k| k.kpi == "won_revenue").unwrap();
    assert_eq!(won.value, Some(150_000.0));
}

#[test]
fn a_running_quarter_is_compared_to_date() {
    // 10 June is day 41 of FY2026-Q1 (1 May + 40 days): May's 1 000 and June 10's 500 count.
    let session = session("2026-06-10");
    let request = ScorecardRequest {
        period: Some("FY2026-Q1".parse().unwrap()),
        ..ScorecardRequest::default()
    };
    let card = runtime().block_on(scorecard(&session, &request)).unwrap();
    assert!(card.running);
    assert_eq!(card.day_of_period, Some(41));
    assert_eq!(card.days_in_period, 92);
    let spend = card
        .kpis
        .iter()
        .find(|k| k.kpi == "marketing_spend")
        .unwrap();
    assert_eq!(spend.value, Some(1500.0));
    assert_eq!(card.previous.to_string(), "2026-02-01..2026-03-13");
}

#[test]
fn a_series_by_month_and_split_by_channel() {
    let session = session("2026-11-26");
    let request = SeriesRequest {
        kpi: "marketing_spend".into(),
        grain: Some(Grain::Month),
        from: Some("2026-05-01".parse().unwrap()),
        to: Some("2026-07-31".parse().unwrap()),
        compare: Some(Compare::Previous),
        locale: None,
    };
    let months = runtime().block_on(series(&session, &request)).unwrap();
    let values: Vec<Option<f64>> = months.values.iter().map(|p| p.value).collect();
    assert_eq!(values, [Some(1000.0), Some(500.0), Some(2000.0)]);
    // June compared with May, July with June; May's previous month has no data.
    let compared: Vec<Option<f64>> = months.values.iter().map(|p| p.compare).collect();
    assert_eq!(compared, [None, Some(1000.0), Some(500.0)]);
    let split = runtime()
        .block_on(split_series(&session, &request, "channel"))
        .unwrap();
    let june: Vec<(&str, Option<f64>)> = split
        .values
        .iter()
        .filter(|p| p.period == "2026-06".parse::<Period>().unwrap())
        .map(|p| (p.value_of.as_str(), p.value))
        .collect();
    // Inside the table's data a channel without spend that month has zero, not nothing;
    // largest first, then by name, then the total.
    assert_eq!(
        june,
        [
            ("paid_social", Some(500.0)),
            ("events", Some(0.0)),
            ("paid_search", Some(0.0)),
            ("(total)", Some(500.0))
        ]
    );
}

fn request(models: Vec<Model>) -> AttributionRequest {
    AttributionRequest {
        models,
        markov_order: 1,
        intervals: false,
        conversion: ConversionKind::WonDeals,
        by: CreditTo::Channel,
        period: None,
        lookback_days: None,
        per_account: false,
        collapse: false,
        half_life_days: 7.0,
        position_weights: [0.4, 0.4],
        milestone_weights: [0.25, 0.25, 0.25, 0.15, 0.1],
    }
}

fn credit(report: &utfall_app::attribution::AttributionReport, channel: &str) -> (f64, f64) {
    let row = report.rows.iter().find(|r| r.key == channel).unwrap();
    (row.models[0].1.conversions, row.models[0].1.value)
}

#[test]
fn workspace_attribution_by_hand() {
    let session = session("2026-11-26");
    let run = |request: &AttributionRequest| {
        runtime()
            .block_on(utfall_app::attribution::run(&session, request))
            .unwrap()
    };
    // Linear: p1 (100 000) gives e-mail 2/3 and paid search 1/3; p2 (50 000) ½ each.
    let linear = run(&request(vec![Model::Linear]));
    let (email, email_value) = credit(&linear, "email");
    close(email, 2.0 / 3.0 + 0.5, "email");
    close(email_value, 100_000.0 * 2.0 / 3.0 + 25_000.0, "email value");
    assert_eq!(linear.conversions, 2.0);
    assert_eq!(linear.value, 150_000.0);
    // Cost: paid search spent 1 000 kr; e-mail nothing.
    let paid = linear.rows.iter().find(|r| r.key == "paid_search").unwrap();
    assert_eq!(paid.cost, Some(1000.0));
    // Collapsed, p1's journey is e-mail → paid search: ½ each.
    let mut collapsed = request(vec![Model::Linear]);
    collapsed.collapse = true;
    close(credit(&run(&collapsed), "email").0, 1.0, "collapsed email");
    // First touch: p1 → e-mail, p2 → paid search.
    let first = run(&request(vec![Model::First]));
    close(credit(&first, "email").0, 1.0, "first email");
    close(credit(&first, "paid_search").0, 1.0, "first paid search");
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let session = session("2026-11-26");
    let all = request(Model::SIDE_BY_SIDE.to_vec());
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            runtime()
                .block_on(utfall_app::attribution::run(&session, &all))
                .unwrap()
        })
    };
    let one = on(1);
    assert_eq!(one, on(2));
    assert_eq!(one, on(3));
}

#[test]
fn use_case_futures_can_run_on_a_server() {
    fn is_send<T: Send>(_: &T) {}
    let session = session("2026-11-26");
    let request = ScorecardRequest::default();
    is_send(&scorecard(&session, &request));
    is_send(&utfall_app::attribution::run(&session, &request_linear()));
}

fn request_linear() -> AttributionRequest {
    request(vec![Model::Linear])
}

#[test]
fn errors_say_whose_they_are() {
    let session = session("2026-11-26");
    let request = SeriesRequest {
        kpi: "marketing_spnd".into(),
        grain: None,
        from: None,
        to: None,
        compare: None,
        locale: None,
    };
    let error: AppError = runtime().block_on(series(&session, &request)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::User);
    assert_eq!(error.message(), "the workspace has no KPI `marketing_spnd`");
    assert_eq!(error.hint_text(), Some("did you mean `marketing_spend`?"));
    let split = SeriesRequest {
        kpi: "marketing_spend".into(),
        ..request
    };
    let error = runtime()
        .block_on(split_series(&session, &split, "colour"))
        .unwrap_err();
    assert!(error.is_user());
    assert_eq!(error.message(), "table `spend` has no column `colour`");
}

#[test]
fn an_import_plan_refuses_a_bad_constant_and_names_the_fix() {
    let error = utfall_app::import::plan(
        company().path(),
        &utfall_app::import::ImportRequest {
            files: vec!["x.csv".into()],
            preset: Some("generic".into()),
            constants: vec!["platform".into()],
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(error.is_user());
    assert_eq!(error.message(), "`--set platform` is not COLUMN=VALUE");
    assert_eq!(error.hint_text(), Some("write e.g. `--set platform=meta`"));
}

#[test]
fn kpi_add_adds_the_library_kpis_it_needs_once() {
    let workspace = TestWorkspace::b2b();
    let request = utfall_app::definitions::AddKpis {
        ids: vec!["email_ctr".into()],
        ..Default::default()
    };
    let added = utfall_app::definitions::add_kpis(workspace.path(), &request).unwrap();
    assert!(added.added.contains(&"email_ctr".to_string()), "{added:?}");
    assert!(!added.now_has_errors);
    // Again: nothing new, and the request is reported as already present.
    let again = utfall_app::definitions::add_kpis(workspace.path(), &request).unwrap();
    assert!(again.added.is_empty());
    assert_eq!(again.already_present, ["email_ctr"]);
}

#[test]
fn demo_force_replaces_the_data_through_the_store() {
    use utfall_app::demo::{DemoRequest, Size, install};
    let dir = tempfile::tempdir().unwrap();
    let request = DemoRequest {
        seed: 3,
        size: Size::Small,
        clock: Clock::Fixed("2026-03-31".parse().unwrap()),
        force: false,
        import: true,
        history_days: Some(40),
    };
    let first = install(dir.path(), &request).unwrap();
    let rows = |installed: &utfall_app::demo::DemoInstalled| -> u64 {
        installed.imports.iter().map(|i| i.imported).sum()
    };
    assert!(rows(&first) > 0);
    // Again without --force: refused, nothing touched.
    let refused = install(dir.path(), &request).unwrap_err();
    assert!(refused.is_user());
    assert_eq!(
        refused.hint_text(),
        Some("pass `--force` to replace the demo, or name another folder")
    );
    // With --force: every file imported again (not "already imported"), the same rows.
    let again = install(
        dir.path(),
        &DemoRequest {
            force: true,
            ..request
        },
    )
    .unwrap();
    assert_eq!(rows(&again), rows(&first));
    let log = utfall_app::import::log(dir.path()).unwrap();
    assert_eq!(
        log.len(),
        again.imports.len(),
        "one import a file in the log"
    );
}
