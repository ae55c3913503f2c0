//! The store's suite, run on SQLite and on PostgreSQL (`UTFALL_TEST_PG`, which
//! `scripts/with-postgres.sh` sets; in CI a missing PostgreSQL fails the suite). Each test gets
//! its own database.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use jiff::Timestamp;
use utfall_store::{
    AnnotationFilter, AnnotationKind, Backend, Definition, DeliveryKey, DigestKind, Effect,
    Location, NewAnnotation, NewAuditEntry, NewComment, NewDecision, NewReview, NewSnapshot,
    NewValue, Outcome, Role, Scope, Store, StoreError, User,
};

/// A fresh store of each backend for the test `name`.
async fn stores(dir: &Path, name: &str) -> Vec<Store> {
    let mut out = vec![
        Store::open(&Location::Sqlite(dir.join(format!("{name}.sqlite"))))
            .await
            .unwrap(),
    ];
    match std::env::var("UTFALL_TEST_PG") {
        Ok(url) => out.push(
            Store::open(&Location::Postgres(fresh_database(&url, name).await))
                .await
                .unwrap(),
        ),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!(
                "CI runs the store's suite on PostgreSQL: set UTFALL_TEST_PG (scripts/with-postgres.sh)"
            )
        }
        Err(_) => eprintln!("{name}: PostgreSQL skipped (UTFALL_TEST_PG is not set)"),
    }
    out
}

/// A new, empty database on the server of `url`, named after the test and the process.
async fn fresh_database(url: &str, name: &str) -> String {
    use sqlx::Connection as _;
    let database = format!("utfall_{}_{}", name, std::process::id());
    let mut admin = sqlx::PgConnection::connect(url).await.unwrap();
    // The name is built here from the test's name and a number, never from input.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {database}"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let base = url.rsplit_once('/').unwrap().0;
    format!("{base}/{database}")
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn definition(kpi: &str, hash: &str) -> Definition {
    Definition {
        kpi_id: kpi.into(),
        hash: hash.into(),
        definition: format!("{{\"formula\":\"{hash}\"}}"),
    }
}

fn value(kpi: &str, period: &str, v: f64) -> NewValue {
    NewValue {
        kpi_id: kpi.into(),
        grain: "month".into(),
        period: period.into(),
        period_start: format!("{period}-01"),
        value: Some(v),
        target_low: Some(200.0),
        target_high: None,
        status: Some(if v >= 200.0 { "on_track" } else { "off_track" }.into()),
    }
}

fn snapshot(
    when: &str,
    generation: &str,
    definitions: Vec<Definition>,
    values: Vec<NewValue>,
) -> NewSnapshot {
    let definitions_key = definitions
        .iter()
        .map(|d| format!("{}={}", d.kpi_id, d.hash))
        .collect::<Vec<_>>()
        .join(",");
    NewSnapshot {
        taken_at: at(when),
        data_generation: generation.into(),
        definitions_key,
        reason: "test".into(),
        definitions,
        values,
    }
}

#[tokio::test]
async fn migrations_run_once_and_again_do_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path(), "migrations").await {
        assert_eq!(store.migrate().await.unwrap(), 0, "{:?}", store.backend());
        let again = Store::open(store.location()).await.unwrap();
        assert_eq!(again.migrate().await.unwrap(), 0);
        assert_eq!(again.dump().await.unwrap().rows(), 0);
    }
}

#[tokio::test]
async fn a_snapshot_of_the_same_definitions_and_data_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path(), "idempotent").await {
        let first = snapshot(
            "2026-07-03T08:00:00Z",
            "g1",
            vec![definition("mql", "h1")],
            vec![
                value("mql", "2026-06", 211.0),
                value("mql", "2026-07", 40.0),
            ],
        );
        let outcome = store.snapshot(&first).await.unwrap();
        assert_eq!(outcome.values_written, 2);
        assert_eq!(outcome.new_versions, vec![("mql".to_string(), 1)]);
        let again = NewSnapshot {
            taken_at: at("2026-07-04T08:00:00Z"),
            ..first.clone()
        };
        let outcome = store.snapshot(&again).await.unwrap();
        assert_eq!(outcome.snapshot, None);
        assert_eq!(outcome.values_written, 0);
        assert_eq!(store.snapshots().await.unwrap().len(), 1);
        // New data that changes one value of two: one row.
        let changed = NewSnapshot {
            data_generation: "g2".into(),
            values: vec![
                value("mql", "2026-06", 211.0),
                value("mql", "2026-07", 95.0),
            ],
            ..again
        };
        let outcome = store.snapshot(&changed).await.unwrap();
        assert_eq!((outcome.values_written, outcome.unchanged), (1, 1));
        assert!(outcome.new_versions.is_empty());
        assert_eq!(store.dump().await.unwrap().kpi_values.len(), 3);
    }
}

#[tokio::test]
async fn a_changed_formula_keeps_what_was_reported_under_its_version() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path(), "restatement").await {
        // v1 reported 211 MQL for June on 3 July; the formula is refined and the same data gives 198.
        store
            .snapshot(&snapshot(
                "2026-07-03T08:00:00Z",
                "g1",
                vec![definition("mql", "v1-hash")],
                vec![value("mql", "2026-06", 211.0)],
            ))
            .await
            .unwrap();
        let outcome = store
            .snapshot(&snapshot(
                "2026-09-01T08:00:00Z",
                "g1",
                vec![definition("mql", "v2-hash")],
                vec![value("mql", "2026-06", 198.0)],
            ))
            .await
            .unwrap();
        assert_eq!(outcome.new_versions, vec![("mql".to_string(), 2)]);
        let history = store
            .history("mql", Some("month"), Some("2026-06"))
            .await
            .unwrap();
        let seen: Vec<(Option<f64>, i64, Timestamp)> = history
            .iter()
            .map(|h| (h.value, h.definition_version, h.computed_at))
            .collect();
        assert_eq!(
            seen,
            vec![
                (Some(211.0), 1, at("2026-07-03T08:00:00Z")),
                (Some(198.0), 2, at("2026-09-01T08:00:00Z")),
            ]
        );
        assert_eq!(history[0].status.as_deref(), Some("on_track"));
        assert_eq!(history[1].status.as_deref(), Some("off_track"));
        let versions = store.versions(Some("mql")).await.unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(
            (versions[0].version, versions[0].hash.as_str()),
            (1, "v1-hash")
        );
        assert_eq!(versions[0].last_seen, at("2026-07-03T08:00:00Z"));
        assert_eq!(versions[1].first_seen, at("2026-09-01T08:00:00Z"));
        // Back to the first definition: its version again, not a third.
        let outcome = store
            .snapshot(&snapshot(
                "2026-10-01T08:00:00Z",
                "g1",
                vec![definition("mql", "v1-hash")],
                vec![value("mql", "2026-06", 211.0)],
            ))
            .await
            .unwrap();
        assert!(outcome.new_versions.is_empty());
        assert_eq!(
            store
                .history("mql", None, None)
                .await
                .unwrap()
                .last()
                .unwrap()
                .definition_version,
            1
        );
    }
}

fn note(
    scope: Scope,
    id: Option<&str>,
    starts: &str,
    ends: Option<&str>,
    body: &str,
) -> NewAnnotation {
    NewAnnotation {
        scope,
        scope_id: id.map(str::to_string),
        starts_on: starts.into(),
        ends_on: ends.map(str::to_string),
        body: body.into(),
        author: "anna".into(),
        kind: AnnotationKind::Note,
        source_ref: None,
        created_at: at("2026-07-01T10:00:00Z"),
    }
}

#[tokio::test]
async fn annotations_by_window_and_subject_and_system_ones_once() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path(), "annotations").await {
        let fair = store
            .annotate(&note(
                Scope::Kpi,
                Some("mql"),
                "2026-05-10",
                Some("2026-05-12"),
                "Trade fair",
            ))
            .await
            .unwrap()
            .unwrap();
        store
            .annotate(&note(Scope::All, None, "2026-06-01", None, "New website"))
            .await
            .unwrap();
        store
            .annotate(&note(
                Scope::Kpi,
                Some("sql"),
                "2026-06-15",
                None,
                "CRM outage",
            ))
            .await
            .unwrap();
        let import = NewAnnotation {
            kind: AnnotationKind::Import,
            source_ref: Some("import-1".into()),
            ..note(Scope::All, None, "2026-06-20", None, "Imported deals.csv")
        };
        assert!(store.annotate(&import).await.unwrap().is_some());
        assert_eq!(
            store.annotate(&import).await.unwrap(),
            None,
            "a system annotation is written once"
        );
        // MQL's annotations in June: everything's two (the website, the import), not SQL's outage;
        // the fair ended in May.
        let june = store
            .annotations(&AnnotationFilter {
                about: vec!["mql".into()],
                from: Some("2026-06-01".into()),
                to: Some("2026-06-30".into()),
            })
            .await
            .unwrap();
        let bodies: Vec<&str> = june.iter().map(|a| a.body.as_str()).collect();
        assert_eq!(bodies, vec!["New website", "Imported deals.csv"]);
        // A range reaching into the window is in it.
        let may = store
            .annotations(&AnnotationFilter {
                about: vec![],
                from: Some("2026-05-12".into()),
                to: Some("2026-05-31".into()),
            })
            .await
            .unwrap();
        assert_eq!(may.iter().map(|a| a.id).collect::<Vec<_>>(), vec![fair]);
        store.remove_annotation(fair).await.unwrap();
        assert!(matches!(
            store.remove_annotation(fair).await,
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(
            store
                .annotations(&AnnotationFilter::default())
                .await
                .unwrap()
                .len(),
            3
        );
    }
}

#[tokio::test]
async fn comments_thread_on_their_value() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path(), "comments").await {
        let new = |parent, body: &str| NewComment {
            kpi_id: "mql".into(),
            period: "2026-06".into(),
            parent,
            author: "anna".into(),
            body: body.into(),
            created_at: at("2026-07-02T09:00:00Z"),
        };
        let first = store.comment(&new(None, "Why the dip?")).await.unwrap();
        let second = store.comment(&new(None, "Fair effect")).await.unwrap();
        let answer = store
            .comment(&new(Some(first), "The **form** broke"))
            .await
            .unwrap();
        let thread: Vec<i64> = store
            .comments("mql", Some("2026-06"))
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(thread, vec![first, answer, second]);
        let elsewhere = NewComment {
            period: "2026-07".into(),
            ..new(Some(first), "x")
        };
        let refused = store.comment(&elsewhere).await.unwrap_err();
        assert!(
            refused.to_string().contains("is on mql 2026-06"),
            "{refused}"
        );
        assert!(matches!(
            store.comment(&new(Some(9999), "x")).await,
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(
            store.comments("mql", None).await.unwrap()[1].body,
            "The **form** broke"
        );
    }
}

#[tokio::test]
async fn the_audit_log_keeps_every_change_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path(), "audit").await {
        let entry = |actor: &str, action: &str, at_text: &str| NewAuditEntry {
            at: at(at_text),
            actor: actor.into(),
            action: action.into(),
            object: "won_revenue".into(),
            detail: "FY2026-Q3: 3375396 -> 3500000".into(),
        };
        let first = store
            .audit(&entry("anna", "target.set", "2026-07-02T09:00:00Z"))
            .await
            .unwrap();
        let second = store
            .audit(&entry("bo", "annotation.add", "2026-07-02T09:05:00Z"))
            .await
            .unwrap();
        let third = store
            .audit(&entry("anna", "import", "2026-07-02T09:10:00Z"))
            .await
            .unwrap();
        let all: Vec<i64> = store
            .audit_log(None, 10)
            .await
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(all, vec![third, second, first], "{:?}", store.backend());
        let annas = store.audit_log(Some("anna"), 10).await.unwrap();
        assert_eq!(annas.len(), 2);
        assert_eq!(annas[1].action, "target.set");
        assert_eq!(annas[1].at, at("2026-07-02T09:00:00Z"));
        assert_eq!(annas[1].detail, "FY2026-Q3: 3375396 -> 3500000");
        assert_eq!(store.audit_log(None, 1).await.unwrap()[0].id, third);
    }
}

#[tokio::test]
async fn people_roles_and_passwords() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path(), "users").await {
        let person = |id: &str, email: Option<&str>| User {
            id: id.into(),
            name: id.to_uppercase(),
            email: email.map(str::to_string),
            role: Role::Viewer,
            has_password: false,
            created_at: at("2026-01-01T00:00:00Z"),
        };
        let hash = utfall_store::hash_password("s3cret!").unwrap();
        store
            .add_user(
                &User {
                    role: Role::Admin,
                    ..person("anna", Some("anna@example.se"))
                },
                Some(&hash),
            )
            .await
            .unwrap();
        let taken = store
            .add_user(&person("anna2", Some("anna@example.se")), None)
            .await
            .unwrap_err();
        assert!(taken.is_user_error(), "{taken}");
        assert_eq!(
            store
                .seed_users(&[person("anna", None), person("bo", None)])
                .await
                .unwrap(),
            1
        );
        store.set_role("bo", Role::Editor).await.unwrap();
        assert!(matches!(
            store.set_role("nobody", Role::Editor).await,
            Err(StoreError::NotFound(_))
        ));
        let users = store.users().await.unwrap();
        let roles: Vec<(&str, Role, bool)> = users
            .iter()
            .map(|u| (u.id.as_str(), u.role, u.has_password))
            .collect();
        assert_eq!(
            roles,
            vec![("anna", Role::Admin, true), ("bo", Role::Editor, false)]
        );
        let (anna, stored) = store
            .user_for_login("anna@example.se")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(anna.id, "anna");
        assert!(utfall_store::verify_password("s3cret!", &stored.unwrap()));
    }
}

#[tokio::test]
async fn fits_are_kept_newest_last() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path(), "fits").await {
        store
            .save_fit("pipeline", "{\"v\":1}", at("2026-05-01T00:00:00Z"))
            .await
            .unwrap();
        store
            .save_fit("pipeline", "{\"v\":2}", at("2026-06-01T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(
            store
                .latest_fit("pipeline")
                .await
                .unwrap()
                .unwrap()
                .document,
            "{\"v\":2}"
        );
        assert_eq!(store.latest_fit("mql").await.unwrap(), None);
    }
}

/// Fills a store with some of everything.
async fn fill(store: &Store) {
    store
        .snapshot(&snapshot(
            "2026-07-03T08:00:00Z",
            "g1",
            vec![definition("mql", "h1"), definition("sql", "s1")],
            vec![
                value("mql", "2026-06", 211.0),
                value("sql", "2026-06", 12.5),
            ],
        ))
        .await
        .unwrap();
    store
        .snapshot(&snapshot(
            "2026-08-03T08:00:00Z",
            "g2",
            vec![definition("mql", "h2"), definition("sql", "s1")],
            vec![
                value("mql", "2026-06", 198.0),
                value("sql", "2026-06", 12.5),
            ],
        ))
        .await
        .unwrap();
    store
        .annotate(&note(
            Scope::Goal,
            Some("growth"),
            "2026-06-01",
            Some("2026-06-30"),
            "Campaign **June** <b>x</b>",
        ))
        .await
        .unwrap();
    let c = store
        .comment(&NewComment {
            kpi_id: "mql".into(),
            period: "2026-06".into(),
            parent: None,
            author: "bo".into(),
            body: "Hm".into(),
            created_at: at("2026-07-05T00:00:00Z"),
        })
        .await
        .unwrap();
    store
        .comment(&NewComment {
            kpi_id: "mql".into(),
            period: "2026-06".into(),
            parent: Some(c),
            author: "anna".into(),
            body: "Yes".into(),
            created_at: at("2026-07-06T00:00:00Z"),
        })
        .await
        .unwrap();
    store
        .add_user(
            &User {
                id: "anna".into(),
                name: "Anna".into(),
                email: Some("anna@example.se".into()),
                role: Role::Admin,
                has_password: true,
                created_at: at("2026-01-01T00:00:00Z"),
            },
            Some(&utfall_store::hash_password("pw").unwrap()),
        )
        .await
        .unwrap();
    store
        .save_fit("mql", "{\"fit\":true}", at("2026-07-07T00:00:00Z"))
        .await
        .unwrap();
    store
        .subscribe("anna", DigestKind::Weekly, at("2026-07-08T00:00:00Z"))
        .await
        .unwrap();
    let sent = delivery_key("anna", DigestKind::Weekly, "2026-W28");
    let lease = std::time::Duration::from_secs(600);
    assert!(
        store
            .claim_delivery(&sent, "r1", at("2026-07-13T06:00:00Z"), lease)
            .await
            .unwrap()
    );
    store
        .mark_sent(&sent, "r1", at("2026-07-13T06:00:01Z"), "<m1@utfall>")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_copy_holds_the_same_rows_and_continues_their_ids() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open(&Location::Sqlite(dir.path().join("source.sqlite")))
        .await
        .unwrap();
    fill(&sqlite).await;
    let before = sqlite.dump().await.unwrap();
    assert_eq!(before.kpi_values.len(), 3);
    // Into each backend (PostgreSQL when there is one: `utfall db copy --to postgres://…`).
    for target in stores(dir.path(), "copy").await {
        target.restore(&before).await.unwrap();
        assert_eq!(
            target.dump().await.unwrap(),
            before,
            "{:?}",
            target.backend()
        );
        assert_eq!(
            serde_json::to_string(&target.dump().await.unwrap()).unwrap(),
            serde_json::to_string(&before).unwrap()
        );
        // The password hash came along; ids continue after the copied ones.
        let (_, hash) = target.user_for_login("anna").await.unwrap().unwrap();
        assert!(utfall_store::verify_password("pw", &hash.unwrap()));
        // The latest values came along: the last snapshot's values again change nothing.
        let again = snapshot(
            "2026-09-03T08:00:00Z",
            "g3",
            vec![definition("mql", "h2"), definition("sql", "s1")],
            vec![
                value("mql", "2026-06", 198.0),
                value("sql", "2026-06", 12.5),
            ],
        );
        assert_eq!(target.snapshot(&again).await.unwrap().values_written, 0);
        let next = target
            .annotate(&note(Scope::All, None, "2026-09-01", None, "after"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(next, 2);
        assert!(
            target.restore(&before).await.unwrap_err().is_user_error(),
            "a non-empty target is refused"
        );
    }
}

#[tokio::test]
async fn a_backup_is_a_consistent_copy_while_another_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("meta.sqlite");
    let store = Store::open(&Location::Sqlite(path.clone())).await.unwrap();
    fill(&store).await;
    let writer = Store::open(&Location::Sqlite(path)).await.unwrap();
    let backup = dir.path().join("backup.sqlite");
    let writing = async {
        for i in 0..50 {
            writer
                .annotate(&note(
                    Scope::All,
                    None,
                    "2026-09-01",
                    None,
                    &format!("n{i}"),
                ))
                .await
                .unwrap();
        }
    };
    let (backed_up, ()) = tokio::join!(store.backup(&backup), writing);
    backed_up.unwrap();
    let copy = Store::open(&Location::Sqlite(backup.clone()))
        .await
        .unwrap()
        .dump()
        .await
        .unwrap();
    let now = store.dump().await.unwrap();
    // The backup holds everything written before it and a prefix of the notes written during it.
    assert_eq!(copy.kpi_values, now.kpi_values);
    assert_eq!(copy.comments, now.comments);
    let n = copy.annotations.len();
    assert_eq!(copy.annotations[..], now.annotations[..n]);
    assert!(
        store.backup(&backup).await.unwrap_err().is_user_error(),
        "never overwrites"
    );
}

#[tokio::test]
async fn a_snapshot_and_an_annotation_at_once_both_succeed() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path(), "concurrent").await {
        let other = Store::open(store.location()).await.unwrap();
        let values: Vec<NewValue> = (1..=12)
            .map(|m| value("mql", &format!("2026-{m:02}"), f64::from(m)))
            .collect();
        let snapshotting = async {
            for g in 0..20 {
                store
                    .snapshot(&snapshot(
                        "2026-07-03T08:00:00Z",
                        &format!("g{g}"),
                        vec![definition("mql", "h1")],
                        values
                            .iter()
                            .map(|v| NewValue {
                                value: v.value.map(|x| x + f64::from(g)),
                                ..v.clone()
                            })
                            .collect(),
                    ))
                    .await
                    .unwrap();
            }
        };
        let annotating = async {
            for i in 0..20 {
                other
                    .annotate(&note(
                        Scope::All,
                        None,
                        "2026-09-01",
                        None,
                        &format!("n{i}"),
                    ))
                    .await
                    .unwrap();
            }
        };
        tokio::join!(snapshotting, annotating);
        let dump = store.dump().await.unwrap();
        assert_eq!(
            (
                dump.snapshots.len(),
                dump.kpi_values.len(),
                dump.annotations.len()
            ),
            (20, 240, 20)
        );
        if store.backend() == Backend::Sqlite {
            let path = match store.location() {
                Location::Sqlite(p) => p.clone(),
                Location::Postgres(_) => unreachable!(),
            };
            assert!(path.with_extension("sqlite-wal").exists(), "WAL mode");
        }
    }
}

/// The child of the crash test: takes the second snapshot of the store the parent names (and
/// is aborted at the failpoint the parent chose); does nothing in a normal run.
#[tokio::test]
async fn crash_child() {
    let Ok(path) = std::env::var("UTFALL_CRASH_STORE") else {
        return;
    };
    let store = Store::open(&Location::Sqlite(path.into())).await.unwrap();
    store.snapshot(&second_snapshot()).await.unwrap();
}

fn second_snapshot() -> NewSnapshot {
    snapshot(
        "2026-08-01T00:00:00Z",
        "g2",
        vec![definition("mql", "h2")],
        (1..=12)
            .map(|m| value("mql", &format!("2026-{m:02}"), f64::from(m) * 2.0))
            .collect(),
    )
}

#[tokio::test]
async fn a_kill_at_any_step_of_a_snapshot_leaves_the_old_set_or_the_new() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("meta.sqlite");
    let store = Store::open(&Location::Sqlite(path.clone())).await.unwrap();
    let first = snapshot(
        "2026-07-01T00:00:00Z",
        "g1",
        vec![definition("mql", "h1")],
        (1..=12)
            .map(|m| value("mql", &format!("2026-{m:02}"), f64::from(m)))
            .collect(),
    );
    store.snapshot(&first).await.unwrap();
    let before = store.dump().await.unwrap();
    store.close().await;
    let child = |failpoint: Option<&str>| {
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env("UTFALL_CRASH_STORE", &path)
            .env_remove("UTFALL_TEST_PG");
        match failpoint {
            Some(step) => command.env("UTFALL_FAILPOINT", step),
            None => command.env_remove("UTFALL_FAILPOINT"),
        };
        command.output().unwrap()
    };
    for step in utfall_store::FAILPOINTS {
        let output = child(Some(step));
        assert!(
            !output.status.success(),
            "{step}: the child should have been killed"
        );
        let after = Store::open(&Location::Sqlite(path.clone())).await.unwrap();
        assert_eq!(
            after.dump().await.unwrap(),
            before,
            "{step}: the old set, untouched"
        );
        after.close().await;
    }
    let output = child(None);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let after = Store::open(&Location::Sqlite(path))
        .await
        .unwrap()
        .dump()
        .await
        .unwrap();
    assert_eq!(after.snapshots.len(), 2);
    assert_eq!(after.kpi_values.len(), 24, "the whole new set");
    assert_eq!(after.definition_versions.len(), 2);
}

#[tokio::test]
async fn history_reads_floats_back_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    // Values whose shortest decimal needs all 17 digits, and extremes.
    let awkward = [
        0.1 + 0.2,
        1.0 / 3.0,
        2.0 / 3.0 * 1e-7,
        123_456.789_012_345_67,
        std::f64::consts::PI * 1e12,
        f64::MIN_POSITIVE,
        -0.000_123_456_789_012_345_6,
        9_007_199_254_740_993.0,
    ];
    for store in stores(dir.path(), "floats").await {
        let values = awkward
            .iter()
            .enumerate()
            .map(|(i, v)| value("mql", &format!("2026-{:02}", i + 1), *v))
            .collect();
        store
            .snapshot(&snapshot(
                "2026-07-03T08:00:00Z",
                "g1",
                vec![definition("mql", "a")],
                values,
            ))
            .await
            .unwrap();
        let rows = store.history("mql", None, None).await.unwrap();
        let read: Vec<u64> = rows.iter().map(|r| r.value.unwrap().to_bits()).collect();
        let written: Vec<u64> = awkward.iter().map(|v| v.to_bits()).collect();
        assert_eq!(read, written, "{:?}", store.backend());
        assert_eq!(rows[0].period, "2026-01");
        assert_eq!(rows[0].target_low, Some(200.0));
        assert_eq!(rows[0].target_high, None);
        assert_eq!(rows[0].data_generation, "g1");
        assert!(
            store
                .history("nothing", None, None)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

fn decision(id: &str, review: Option<&str>) -> NewDecision {
    NewDecision {
        id: id.into(),
        review_id: review.map(String::from),
        action: "more".into(),
        activity: None,
        channel: Some("events".into()),
        campaign: None,
        kpis: vec!["leads".into(), "mqls".into()],
        effect: Some(Effect {
            kpi: "leads".into(),
            direction: "up".into(),
            size: Some(0.15),
        }),
        owner: Some("cmo".into()),
        rationale: Some("Webinars bring leads".into()),
        expected: None,
        decided_on: "2026-08-10".into(),
        follow_up: Some("2026-10-19".into()),
        status: "open".into(),
        author: "anna".into(),
        source: "cli".into(),
        created_at: at("2026-08-10T10:00:00Z"),
    }
}

fn review(id: &str) -> NewReview {
    NewReview {
        id: id.into(),
        period: "FY2026-Q1".into(),
        held_on: Some("2026-08-10".into()),
        participants: vec!["cmo".into(), "sales_manager".into()],
        notes: None,
        at: at("2026-08-10T09:00:00Z"),
    }
}

#[tokio::test]
async fn a_closed_review_is_frozen_and_decisions_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path(), "reviews").await {
        assert!(store.open_review(&review("q1")).await.unwrap());
        assert!(
            !store.open_review(&review("q1")).await.unwrap(),
            "opened twice"
        );
        store
            .decide(&decision("more_webinars", Some("q1")))
            .await
            .unwrap();
        let again = store.decide(&decision("more_webinars", Some("q1"))).await;
        assert!(
            matches!(again, Err(StoreError::Refused { .. })),
            "{again:?}"
        );
        let unknown = store.decide(&decision("x", Some("nope"))).await;
        assert!(
            matches!(unknown, Err(StoreError::NotFound(_))),
            "{unknown:?}"
        );

        store
            .close_review(
                "q1",
                "{\"frozen\":1}",
                None,
                "anna",
                at("2026-08-11T09:00:00Z"),
            )
            .await
            .unwrap();
        let closed = store.review("q1").await.unwrap().unwrap();
        assert!(closed.is_closed());
        assert_eq!(closed.document.as_deref(), Some("{\"frozen\":1}"));
        assert_eq!(closed.participants, ["cmo", "sales_manager"]);
        for refused in [
            store.open_review(&review("q1")).await.map(|_| ()),
            store
                .close_review("q1", "{}", None, "anna", at("2026-08-12T09:00:00Z"))
                .await,
            store.decide(&decision("late", Some("q1"))).await,
        ] {
            assert!(
                matches!(refused, Err(StoreError::Refused { .. })),
                "{refused:?}"
            );
        }
        assert_eq!(
            store
                .review("q1")
                .await
                .unwrap()
                .unwrap()
                .document
                .as_deref(),
            Some("{\"frozen\":1}")
        );

        let outcome = Outcome {
            verdict: "worked".into(),
            note: Some("+40 leads".into()),
            by: "anna".into(),
            at: at("2026-10-20T09:00:00Z"),
        };
        store
            .record_outcome("more_webinars", &outcome)
            .await
            .unwrap();
        let stored = store.decisions().await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].decision.status, "done");
        assert_eq!(stored[0].outcome.as_ref(), Some(&outcome));
        assert_eq!(stored[0].decision.effect.as_ref().unwrap().size, Some(0.15));
        assert_eq!(stored[0].decision.kpis, ["leads", "mqls"]);

        // reviews.toml is imported once; what is already in the store is kept.
        let first = store
            .import_reviews(
                &[review("q1"), review("q0")],
                &[
                    decision("more_webinars", None),
                    decision("stop_print", None),
                ],
            )
            .await
            .unwrap();
        assert_eq!(first, Some((1, 1)));
        assert_eq!(
            store.import_reviews(&[review("q9")], &[]).await.unwrap(),
            None
        );
        assert_eq!(store.reviews().await.unwrap().len(), 2);

        // A copy keeps reviews, documents, decisions, outcomes and the flag.
        let copy = Store::open(&Location::Sqlite(
            dir.path()
                .join(format!("copy-{:?}.sqlite", store.backend())),
        ))
        .await
        .unwrap();
        let dump = store.dump().await.unwrap();
        copy.restore(&dump).await.unwrap();
        assert_eq!(copy.dump().await.unwrap(), dump);
        assert_eq!(
            copy.import_reviews(&[review("q9")], &[]).await.unwrap(),
            None
        );
    }
}

fn delivery_key(user: &str, kind: DigestKind, key: &str) -> DeliveryKey {
    DeliveryKey {
        user_id: user.into(),
        kind,
        key: key.into(),
    }
}

async fn add_person(store: &Store, id: &str, language: Option<&str>) {
    store
        .add_user(
            &User {
                id: id.into(),
                name: format!("Person {id}"),
                email: Some(format!("{id}@example.se")),
                role: Role::Viewer,
                has_password: false,
                created_at: at("2026-01-01T00:00:00Z"),
            },
            None,
        )
        .await
        .unwrap();
    store.set_language(id, language).await.unwrap();
}

#[tokio::test]
async fn subscriptions_one_a_person_and_kind() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path(), "subscriptions").await {
        add_person(&store, "anna", Some("en")).await;
        add_person(&store, "bo", None).await;
        let t = at("2026-11-02T08:00:00Z");
        assert!(store.subscribe("bo", DigestKind::Alerts, t).await.unwrap());
        assert!(
            store
                .subscribe("anna", DigestKind::Weekly, t)
                .await
                .unwrap()
        );
        assert!(
            store
                .subscribe("anna", DigestKind::Alerts, t)
                .await
                .unwrap()
        );
        // Again: nothing new.
        assert!(
            !store
                .subscribe("anna", DigestKind::Weekly, t)
                .await
                .unwrap()
        );
        let all = store.subscriptions().await.unwrap();
        let keys: Vec<(&str, DigestKind)> =
            all.iter().map(|s| (s.user_id.as_str(), s.kind)).collect();
        // By person, then by the kind's spelling (alerts < weekly).
        assert_eq!(
            keys,
            [
                ("anna", DigestKind::Alerts),
                ("anna", DigestKind::Weekly),
                ("bo", DigestKind::Alerts)
            ],
            "{:?}",
            store.backend()
        );
        assert_eq!(all[0].email.as_deref(), Some("anna@example.se"));
        assert_eq!(all[0].language.as_deref(), Some("en"));
        assert_eq!(all[2].language, None);
        assert_eq!(all[0].created_at, t);
        assert_eq!(store.subscriptions_of("bo").await.unwrap().len(), 1);
        assert!(store.unsubscribe("anna", DigestKind::Alerts).await.unwrap());
        assert!(!store.unsubscribe("anna", DigestKind::Alerts).await.unwrap());
        assert_eq!(store.subscriptions_of("anna").await.unwrap().len(), 1);
        let missing = store
            .subscribe("cecilia", DigestKind::Monthly, t)
            .await
            .unwrap_err();
        assert!(missing.is_user_error(), "{missing}");
    }
}

#[tokio::test]
async fn a_delivery_is_claimed_once_taken_over_when_stale_and_released_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let lease = std::time::Duration::from_secs(600);
    for store in stores(dir.path(), "claims").await {
        add_person(&store, "anna", None).await;
        let week = delivery_key("anna", DigestKind::Weekly, "2026-W48");
        let t0 = at("2026-11-30T06:00:00Z");
        assert!(store.claim_delivery(&week, "r1", t0, lease).await.unwrap());
        // Another runner within the lease: not theirs.
        let t1 = at("2026-11-30T06:09:59Z");
        assert!(!store.claim_delivery(&week, "r2", t1, lease).await.unwrap());
        // Past the lease and never sent: r1 died; r2 takes over, and r1 can no longer mark it.
        let t2 = at("2026-11-30T06:10:01Z");
        assert!(store.claim_delivery(&week, "r2", t2, lease).await.unwrap());
        assert!(
            !store
                .mark_sent(&week, "r1", t2, "<x@utfall>")
                .await
                .unwrap()
        );
        // r2's send failed: released, so the next run claims it again.
        assert!(store.release_claim(&week, "r2").await.unwrap());
        assert!(store.deliveries().await.unwrap().is_empty());
        let t3 = at("2026-11-30T06:15:00Z");
        assert!(store.claim_delivery(&week, "r3", t3, lease).await.unwrap());
        assert!(
            store
                .mark_sent(&week, "r3", t3, "<w48@utfall>")
                .await
                .unwrap()
        );
        // Sent: never claimed again, however old, and never released.
        let much_later = at("2027-01-01T00:00:00Z");
        assert!(
            !store
                .claim_delivery(&week, "r4", much_later, lease)
                .await
                .unwrap()
        );
        assert!(!store.release_claim(&week, "r3").await.unwrap());
        let deliveries = store.deliveries().await.unwrap();
        assert_eq!(deliveries.len(), 1, "{:?}", store.backend());
        assert_eq!(deliveries[0].key, week);
        assert_eq!(deliveries[0].claimed_by, "r3");
        assert_eq!(deliveries[0].sent_at, Some(t3));
        assert_eq!(deliveries[0].message_id.as_deref(), Some("<w48@utfall>"));
        // Another period, kind or person is another delivery.
        for other in [
            delivery_key("anna", DigestKind::Weekly, "2026-W49"),
            delivery_key("anna", DigestKind::Monthly, "2026-W48"),
        ] {
            assert!(
                store
                    .claim_delivery(&other, "r4", much_later, lease)
                    .await
                    .unwrap()
            );
        }
        assert_eq!(store.dump().await.unwrap().deliveries.len(), 3);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_many_concurrent_claims_by_two_stores_exactly_one_wins() {
    let dir = tempfile::tempdir().unwrap();
    let lease = std::time::Duration::from_secs(600);
    for store in stores(dir.path(), "race").await {
        add_person(&store, "anna", None).await;
        // A second store on the same database, as a second server process would open.
        let other = Store::open(store.location()).await.unwrap();
        let now = at("2026-11-30T06:00:00Z");
        for round in 0..3 {
            let key = delivery_key("anna", DigestKind::Weekly, &format!("2026-W4{round}"));
            let claims: Vec<_> = (0..16)
                .map(|i| {
                    let store = if i % 2 == 0 {
                        store.clone()
                    } else {
                        other.clone()
                    };
                    let key = key.clone();
                    tokio::spawn(async move {
                        store
                            .claim_delivery(&key, &format!("runner-{i}"), now, lease)
                            .await
                            .unwrap()
                    })
                })
                .collect();
            let mut won = 0;
            for claim in claims {
                won += usize::from(claim.await.unwrap());
            }
            assert_eq!(won, 1, "round {round} on {:?}", store.backend());
        }
        // Stale claims taken over at once: again exactly one.
        let later = at("2026-11-30T07:00:00Z");
        let key = delivery_key("anna", DigestKind::Weekly, "2026-W40");
        let claims: Vec<_> = (0..16)
            .map(|i| {
                let store = if i % 2 == 0 {
                    store.clone()
                } else {
                    other.clone()
                };
                let key = key.clone();
                tokio::spawn(async move {
                    store
                        .claim_delivery(&key, &format!("late-{i}"), later, lease)
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut won = 0;
        for claim in claims {
            won += usize::from(claim.await.unwrap());
        }
        assert_eq!(won, 1, "take-over on {:?}", store.backend());
        assert_eq!(store.deliveries().await.unwrap().len(), 3);
    }
}
