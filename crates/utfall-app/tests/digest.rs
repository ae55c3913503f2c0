//! Digests and alerts sent exactly once: the demo company and the test kit's company, a fixed
//! clock, and an SMTP sink on a loopback port that holds a real SMTP conversation (220, EHLO,
//! MAIL, RCPT, DATA, QUIT) and keeps what it was sent. Concurrent runs go to PostgreSQL when
//! `UTFALL_TEST_PG` is set (`scripts/with-postgres.sh`), else to one SQLite file.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use utfall_app::digest::{MailSettings, Mailer, Password, RunReport, Security, run_due};
use utfall_app::{Clock, Session};
use utfall_store::{DigestKind, Location, Role, Store, User};

/// What the sink says to a message.
const ACCEPT: u8 = 0;
/// `550` to every recipient.
const REFUSE: u8 = 1;
/// `535` to AUTH, echoing the password (a careless server).
const REFUSE_AUTH: u8 = 2;

const PASSWORD: &str = "Pa55-secret-w0rd!";

/// A message as the sink received it.
#[derive(Debug, Clone)]
struct Received {
    to: Vec<String>,
    data: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<String> {
        self.data
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(str::to_string)
    }
}

struct Sink {
    address: SocketAddr,
    messages: Arc<Mutex<Vec<Received>>>,
    mode: Arc<AtomicU8>,
}

impl Sink {
    async fn start() -> Sink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = Sink {
            address: listener.local_addr().unwrap(),
            messages: Arc::default(),
            mode: Arc::default(),
        };
        let (messages, mode) = (sink.messages.clone(), sink.mode.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(converse(socket, messages.clone(), mode.clone()));
            }
        });
        sink
    }

    fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
    }

    fn received(&self) -> Vec<Received> {
        self.messages.lock().unwrap().clone()
    }

    fn settings(&self) -> MailSettings {
        MailSettings {
            host: "127.0.0.1".into(),
            port: self.address.port(),
            from: "Utfall <utfall@example.se>".into(),
            username: None,
            security: Security::None,
            password: None,
        }
    }

    fn mailer(&self) -> Mailer {
        Mailer::new(&self.settings()).unwrap()
    }
}

/// One SMTP session: the server's side of RFC 5321, as much as a client needs.
async fn converse(
    socket: tokio::net::TcpStream,
    messages: Arc<Mutex<Vec<Received>>>,
    mode: Arc<AtomicU8>,
) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let mut to = Vec::new();
    write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: String = if command.starts_with("EHLO") || command.starts_with("HELO") {
            "250-sink\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n".into()
        } else if command.starts_with("AUTH") {
            if mode.load(Ordering::SeqCst) == REFUSE_AUTH {
                format!("535 5.7.8 credentials utfall/{PASSWORD} rejected\r\n")
            } else {
                "235 2.7.0 ok\r\n".into()
            }
        } else if command.starts_with("MAIL FROM") {
            to.clear();
            "250 2.1.0 ok\r\n".into()
        } else if command.starts_with("RCPT TO") {
            if mode.load(Ordering::SeqCst) == REFUSE {
                "550 5.1.1 mailbox unavailable\r\n".into()
            } else {
                to.push(line.trim_end()[8..].trim().to_string());
                "250 2.1.5 ok\r\n".into()
            }
        } else if command == "DATA" {
            write
                .write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                .await
                .unwrap();
            let mut data = String::new();
            loop {
                let mut part = String::new();
                if lines.read_line(&mut part).await.unwrap_or(0) == 0 {
                    return;
                }
                if part == ".\r\n" {
                    break;
                }
                data.push_str(&part);
            }
            messages.lock().unwrap().push(Received {
                to: std::mem::take(&mut to),
                data,
            });
            "250 2.0.0 queued\r\n".into()
        } else if command == "QUIT" {
            write.write_all(b"221 2.0.0 bye\r\n").await.unwrap();
            return;
        } else if command == "RSET" || command == "NOOP" {
            "250 2.0.0 ok\r\n".into()
        } else {
            "500 5.5.2 unknown command\r\n".into()
        };
        write.write_all(reply.as_bytes()).await.unwrap();
    }
}

/// The demo company as of 2026-11-20 (Friday of ISO week 47), generated once.
fn demo() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let request = utfall_app::demo::DemoRequest {
            seed: 1,
            size: utfall_app::demo::Size::Small,
            clock: Clock::Fixed(day("2026-11-20")),
            force: false,
            import: true,
            history_days: None,
        };
        utfall_app::demo::install(dir.path(), &request).unwrap();
        dir
    })
    .path()
}

fn day(text: &str) -> jiff::civil::Date {
    text.parse().unwrap()
}

fn on(text: &str) -> Clock {
    Clock::Fixed(day(text))
}

async fn person(store: &Store, id: &str, email: Option<&str>, language: Option<&str>) {
    store
        .add_user(
            &User {
                id: id.into(),
                name: format!("Person {id}"),
                email: email.map(str::to_string),
                role: Role::Viewer,
                has_password: false,
                created_at: jiff::Timestamp::UNIX_EPOCH,
            },
            None,
        )
        .await
        .unwrap();
    store.set_language(id, language).await.unwrap();
}

/// Anna (English) takes the weekly and the monthly digest, Bo (Swedish) the weekly one, and
/// Cecilia, who has no address, the monthly one.
async fn subscribers(store: &Store) {
    person(store, "anna", Some("anna@example.se"), Some("en")).await;
    person(store, "bo", Some("bo@example.se"), Some("sv")).await;
    person(store, "cecilia", None, None).await;
    let at = jiff::Timestamp::UNIX_EPOCH;
    for (who, kind) in [
        ("anna", DigestKind::Weekly),
        ("anna", DigestKind::Monthly),
        ("bo", DigestKind::Weekly),
        ("cecilia", DigestKind::Monthly),
    ] {
        assert!(store.subscribe(who, kind, at).await.unwrap());
    }
}

fn sent(report: &RunReport) -> Vec<(String, &'static str, String)> {
    let mut out: Vec<_> = report
        .sent
        .iter()
        .map(|s| (s.user.clone(), s.kind, s.key.clone()))
        .collect();
    out.sort();
    out
}

fn triple(user: &str, kind: &'static str, key: &str) -> (String, &'static str, String) {
    (user.to_string(), kind, key.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_message_a_subscriber_and_period_across_runs_and_restarts() {
    let workspace = tokio::task::block_in_place(demo);
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Sqlite(dir.path().join("meta.sqlite"));
    let store = Store::open(&location).await.unwrap();
    subscribers(&store).await;
    let sink = Sink::start().await;
    let mailer = sink.mailer();
    let session = Session::open(workspace, on("2026-11-23")).await.unwrap();

    // Monday 23 November 2026: the last whole ISO week is 16–22 November (week 47), the last
    // whole month October.
    let first = run_due(&session, &store, &mailer, on("2026-11-23"))
        .await
        .unwrap();
    assert_eq!(
        sent(&first),
        [
            triple("anna", "monthly", "2026-10"),
            triple("anna", "weekly", "2026-W47"),
            triple("bo", "weekly", "2026-W47"),
        ]
    );
    assert!(first.failed.is_empty(), "{:?}", first.failed);
    assert_eq!(first.skipped.len(), 1);
    assert_eq!(first.skipped[0].user, "cecilia");
    assert_eq!(first.skipped[0].reason, "the person has no e-mail address");
    let name = session.name().to_string();
    let subject = |user: &str, kind: &str| {
        first
            .sent
            .iter()
            .find(|s| s.user == user && s.kind == kind)
            .unwrap()
            .subject
            .clone()
    };
    assert_eq!(
        subject("anna", "weekly"),
        format!("Weekly digest: week 47, 2026 (16–22 November) – {name}")
    );
    assert_eq!(
        subject("bo", "weekly"),
        format!("Veckosammanfattning: vecka 47 2026 (16–22 november) – {name}")
    );
    assert_eq!(
        subject("anna", "monthly"),
        format!("Monthly digest: October 2026 – {name}")
    );
    let received = sink.received();
    assert_eq!(received.len(), 3);
    let mut to: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        ["<anna@example.se>", "<anna@example.se>", "<bo@example.se>"]
    );
    // Each message carries the Message-ID the store recorded.
    let deliveries = store.deliveries().await.unwrap();
    for message in &received {
        let id = message.header("Message-ID").unwrap();
        assert!(id.ends_with("@example.se>"), "{id}");
        assert!(
            deliveries
                .iter()
                .any(|d| d.message_id.as_deref() == Some(id.as_str()) && d.sent_at.is_some()),
            "{id}"
        );
    }

    // The same day again: nothing new.
    let again = run_due(&session, &store, &mailer, on("2026-11-23"))
        .await
        .unwrap();
    assert!(again.sent.is_empty(), "{:?}", again.sent);
    assert_eq!(again.skipped.len(), 4);
    // Later that week, after a restart (a new store and session on the same file): nothing.
    store.close().await;
    drop(session);
    let store = Store::open(&location).await.unwrap();
    let session = Session::open(workspace, on("2026-11-27")).await.unwrap();
    let restarted = run_due(&session, &store, &mailer, on("2026-11-27"))
        .await
        .unwrap();
    assert!(restarted.sent.is_empty(), "{:?}", restarted.sent);
    assert_eq!(sink.received().len(), 3);

    // Monday 30 November: week 48 is due; October's monthly digest went out already.
    let next = run_due(&session, &store, &mailer, on("2026-11-30"))
        .await
        .unwrap();
    assert_eq!(
        sent(&next),
        [
            triple("anna", "weekly", "2026-W48"),
            triple("bo", "weekly", "2026-W48"),
        ]
    );
    assert_eq!(sink.received().len(), 5);
    // Tuesday 1 December: November is due, for Anna.
    let december = run_due(&session, &store, &mailer, on("2026-12-01"))
        .await
        .unwrap();
    assert_eq!(sent(&december), [triple("anna", "monthly", "2026-11")]);
    assert_eq!(store.deliveries().await.unwrap().len(), 6);
}

/// A new, empty database on the server of `url`, named after the test and the process.
async fn fresh_database(url: &str, name: &str) -> String {
    use sqlx::Connection as _;
    let database = format!("utfall_digest_{}_{}", name, std::process::id());
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

/// PostgreSQL when `UTFALL_TEST_PG` names a server, else an SQLite file in `dir`.
async fn shared_location(dir: &Path, name: &str) -> Location {
    match std::env::var("UTFALL_TEST_PG") {
        Ok(url) => Location::Postgres(fresh_database(&url, name).await),
        Err(_) => Location::Sqlite(dir.join(format!("{name}.sqlite"))),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_runs_send_each_message_once() {
    let workspace = tokio::task::block_in_place(demo);
    let dir = tempfile::tempdir().unwrap();
    let location = shared_location(dir.path(), "concurrent").await;
    let sink = Sink::start().await;
    // Two processes: each its own store (pool), session and mail client.
    let mut runs = Vec::new();
    let setup = Store::open(&location).await.unwrap();
    subscribers(&setup).await;
    for _ in 0..2 {
        let store = Store::open(&location).await.unwrap();
        let session = Session::open(workspace, on("2026-11-23")).await.unwrap();
        let mailer = sink.mailer();
        runs.push(tokio::spawn(async move {
            run_due(&session, &store, &mailer, on("2026-11-23"))
                .await
                .unwrap()
        }));
    }
    let mut all = Vec::new();
    for run in runs {
        let report = run.await.unwrap();
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        all.extend(sent(&report));
    }
    all.sort();
    assert_eq!(
        all,
        [
            triple("anna", "monthly", "2026-10"),
            triple("anna", "weekly", "2026-W47"),
            triple("bo", "weekly", "2026-W47"),
        ],
        "{location}"
    );
    assert_eq!(sink.received().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_message_stays_unsent_and_goes_out_on_a_later_run() {
    let workspace = tokio::task::block_in_place(demo);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::Sqlite(dir.path().join("meta.sqlite")))
        .await
        .unwrap();
    subscribers(&store).await;
    let sink = Sink::start().await;
    sink.set(REFUSE);
    let mailer = sink.mailer();
    let session = Session::open(workspace, on("2026-11-23")).await.unwrap();
    let refused = run_due(&session, &store, &mailer, on("2026-11-23"))
        .await
        .unwrap();
    assert!(refused.sent.is_empty());
    assert_eq!(refused.failed.len(), 3);
    for failure in &refused.failed {
        assert!(failure.reason.contains("550"), "{}", failure.reason);
        assert!(
            failure.reason.contains("mailbox unavailable"),
            "{}",
            failure.reason
        );
    }
    // Released, not marked: nothing in the store.
    assert!(store.deliveries().await.unwrap().is_empty());
    assert!(sink.received().is_empty());
    sink.set(ACCEPT);
    let later = run_due(&session, &store, &mailer, on("2026-11-23"))
        .await
        .unwrap();
    assert_eq!(later.sent.len(), 3, "{:?}", later.failed);
    assert_eq!(sink.received().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_never_shows_in_an_error_or_a_report() {
    let workspace = tokio::task::block_in_place(demo);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::Sqlite(dir.path().join("meta.sqlite")))
        .await
        .unwrap();
    subscribers(&store).await;
    let sink = Sink::start().await;
    sink.set(REFUSE_AUTH);
    let settings = MailSettings {
        username: Some("utfall".into()),
        password: Some(Password::new(PASSWORD)),
        ..sink.settings()
    };
    let mailer = Mailer::new(&settings).unwrap();
    let session = Session::open(workspace, on("2026-11-23")).await.unwrap();
    let report = run_due(&session, &store, &mailer, on("2026-11-23"))
        .await
        .unwrap();
    assert_eq!(report.failed.len(), 3, "{report:?}");
    let reason = &report.failed[0].reason;
    assert!(reason.contains("535"), "{reason}");
    assert!(reason.contains("utfall/***"), "{reason}");
    for text in [
        format!("{report:?}"),
        serde_json::to_string(&report).unwrap(),
        format!("{:?}", report.table()),
        format!("{settings:?}"),
        format!("{mailer:?}"),
    ] {
        assert!(!text.contains(PASSWORD), "{text}");
    }
    // With the password accepted, the same messages go out.
    sink.set(ACCEPT);
    let report = run_due(&session, &store, &mailer, on("2026-11-23"))
        .await
        .unwrap();
    assert_eq!(report.sent.len(), 3);
}

/// The test kit's company with one target changed: won revenue should reach 250 000 kr in
/// FY2026-Q1 (May–July 2026, 92 days; amber 10 %). Its deals: 100 000 kr on 20 June and
/// 50 000 kr on 21 June, none last year, so its forecast is the linear run rate.
fn company_with_target() -> utfall_testkit::TestWorkspace {
    let company = utfall_testkit::TestWorkspace::company();
    let path = company.path().join("kpis/kpis.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("id = \"won_revenue\"").unwrap();
    let target = start + text[start..].find("period = \"FY2026-Q1\"").unwrap();
    let value = target + text[target..].find("value = ").unwrap();
    let end = value + text[value..].find('\n').unwrap();
    let changed = format!("{}value = 250000{}", &text[..value], &text[end..]);
    std::fs::write(&path, changed).unwrap();
    company
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_fires_once_when_a_kpi_crosses_into_at_risk() {
    let company = tokio::task::block_in_place(company_with_target);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::Sqlite(dir.path().join("meta.sqlite")))
        .await
        .unwrap();
    person(&store, "anna", Some("anna@example.se"), Some("en")).await;
    store
        .subscribe("anna", DigestKind::Alerts, jiff::Timestamp::UNIX_EPOCH)
        .await
        .unwrap();
    let sink = Sink::start().await;
    let mailer = sink.mailer();
    let session = Session::open(company.path(), on("2026-06-21"))
        .await
        .unwrap();
    let won = |report: &RunReport| -> Vec<String> {
        report
            .sent
            .iter()
            .filter(|s| s.key.starts_with("alert:won_revenue:"))
            .map(|s| s.key.clone())
            .collect()
    };
    let at_risk = "alert:won_revenue:FY2026-Q1:at_risk".to_string();

    // 21 June, day 52 of 92: 150 000 × 92 / 52 = 265 385 ≥ 250 000, on track: no alert.
    let alerts = utfall_app::digest::alerts(&session, day("2026-06-21"))
        .await
        .unwrap();
    assert!(alerts.iter().all(|a| a.kpi != "won_revenue"), "{alerts:?}");
    let report = run_due(&session, &store, &mailer, on("2026-06-21"))
        .await
        .unwrap();
    assert!(won(&report).is_empty());

    // 28 June, day 59: 150 000 × 92 / 59 = 233 898, short of 250 000 but within 10 %: at risk.
    let alerts = utfall_app::digest::alerts(&session, day("2026-06-28"))
        .await
        .unwrap();
    let alert = alerts.iter().find(|a| a.kpi == "won_revenue").unwrap();
    assert_eq!(alert.level.as_str(), "at_risk");
    assert_eq!(alert.value, Some(150_000.0));
    assert_eq!(alert.target, Some(250_000.0));
    assert!((alert.forecast.unwrap() - 150_000.0 * 92.0 / 59.0).abs() < 1e-6);
    let report = run_due(&session, &store, &mailer, on("2026-06-28"))
        .await
        .unwrap();
    assert_eq!(won(&report), [at_risk.as_str()]);
    let message = report.sent.iter().find(|s| s.key == at_risk).unwrap();
    assert_eq!(
        message.subject,
        "Alert: Won revenue is at risk for FY2026-Q1"
    );
    // Again that day, and the next (230 000, still at risk): no repeat, of any alert.
    let again = run_due(&session, &store, &mailer, on("2026-06-28"))
        .await
        .unwrap();
    assert!(again.sent.is_empty(), "{:?}", again.sent);
    let next_day = run_due(&session, &store, &mailer, on("2026-06-29"))
        .await
        .unwrap();
    assert!(won(&next_day).is_empty());

    // 5 July, day 66: 150 000 × 92 / 66 = 209 091, more than 10 % short: off track, once.
    let report = run_due(&session, &store, &mailer, on("2026-07-05"))
        .await
        .unwrap();
    assert_eq!(won(&report), ["alert:won_revenue:FY2026-Q1:off_track"]);
    let report = run_due(&session, &store, &mailer, on("2026-07-05"))
        .await
        .unwrap();
    assert!(report.sent.is_empty());
}

fn decision(id: &str, follow_up: &str, status: &str) -> utfall_store::NewDecision {
    utfall_store::NewDecision {
        id: id.into(),
        review_id: None,
        action: "more".into(),
        activity: None,
        channel: Some("paid_search".into()),
        campaign: None,
        kpis: vec!["won_revenue".into()],
        effect: None,
        owner: Some("anna".into()),
        rationale: None,
        expected: None,
        decided_on: "2026-05-01".into(),
        follow_up: Some(follow_up.into()),
        status: status.into(),
        author: "anna".into(),
        source: "cli".into(),
        created_at: jiff::Timestamp::UNIX_EPOCH,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weekly_digest_by_hand() {
    let company = tokio::task::block_in_place(company_with_target);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::Sqlite(dir.path().join("meta.sqlite")))
        .await
        .unwrap();
    // Today Monday 29 June 2026: the digest is of week 26 (22–28 June), the coming week 27
    // (29 June – 5 July).
    for (id, follow_up, status) in [
        ("overdue", "2026-06-15", "open"),
        ("due", "2026-07-05", "open"),
        ("next_week", "2026-07-06", "open"),
        ("done", "2026-06-20", "done"),
    ] {
        store
            .decide(&decision(id, follow_up, status))
            .await
            .unwrap();
    }
    let session = Session::open(company.path(), on("2026-06-29"))
        .await
        .unwrap();
    let week = utfall_app::digest::due_period(DigestKind::Weekly, day("2026-06-29"), &session);
    assert_eq!(week.unwrap().to_string(), "2026-W26");
    let digest = utfall_app::digest::digest(
        &session,
        &store,
        DigestKind::Weekly,
        week.unwrap(),
        day("2026-06-29"),
    )
    .await
    .unwrap();
    assert_eq!(digest.status_period.to_string(), "FY2026-Q1");
    // Won revenue as of Sunday 21 June (day 52): 150 000 × 92 / 52 = 265 385, on track; as of
    // Sunday 28 June (day 59): 233 898, at risk.
    let won = digest
        .changes
        .iter()
        .find(|c| c.kpi == "won_revenue")
        .unwrap();
    assert_eq!(
        (won.before.as_str(), won.after.as_str()),
        ("on_track", "at_risk")
    );
    assert_eq!(won.value, Some(150_000.0));
    // Both deals closed in week 25 (20 and 21 June), none in week 26: no value to compare.
    assert!(digest.movers.iter().all(|m| m.kpi != "won_revenue"));
    let due: Vec<(&str, bool)> = digest
        .decisions
        .iter()
        .map(|d| (d.id.as_str(), d.overdue))
        .collect();
    assert_eq!(due, [("overdue", true), ("due", false)]);
    assert_eq!(digest.decisions[0].about, "paid_search");
    let rendered = utfall_app::digest::period_text(
        digest.period,
        day("2026-06-22"),
        day("2026-06-28"),
        utfall_model::locale::Locale::Sv,
    );
    assert_eq!(rendered, "vecka 26 2026 (22–28 juni)");
}
