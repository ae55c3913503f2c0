//! Two `utfall digest run` processes at once on one store deliver each digest once: on
//! PostgreSQL when `scripts/with-postgres.sh` names a cluster (a fresh database of its own), on
//! one SQLite file otherwise. The mail goes to an SMTP sink on a loopback port that holds a real
//! SMTP conversation and keeps what it was sent.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::utfall;

type Inbox = Arc<Mutex<Vec<(String, String)>>>;

/// Answers one SMTP conversation; keeps each message as (recipient, subject).
fn converse(stream: TcpStream, inbox: &Inbox) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    writer.write_all(b"220 sink ESMTP\r\n")?;
    let mut to = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        if command.starts_with("EHLO") || command.starts_with("HELO") {
            writer.write_all(b"250-sink\r\n250 8BITMIME\r\n")?;
        } else if command.starts_with("RCPT TO:") {
            to = line.trim_end()[8..]
                .trim_matches(['<', '>', ' '])
                .to_string();
            writer.write_all(b"250 ok\r\n")?;
        } else if command == "DATA" {
            writer.write_all(b"354 go on\r\n")?;
            let mut subject = String::new();
            loop {
                let mut data = String::new();
                reader.read_line(&mut data)?;
                if data == ".\r\n" || data.is_empty() {
                    break;
                }
                if let Some(s) = data.strip_prefix("Subject: ") {
                    subject = s.trim_end().to_string();
                }
            }
            inbox.lock().unwrap().push((to.clone(), subject));
            writer.write_all(b"250 queued\r\n")?;
        } else if command == "QUIT" {
            writer.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            writer.write_all(b"250 ok\r\n")?;
        }
    }
}

fn sink() -> (u16, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox: Inbox = Arc::default();
    let kept = inbox.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let inbox = kept.clone();
            std::thread::spawn(move || converse(stream, &inbox));
        }
    });
    (port, inbox)
}

/// A fresh PostgreSQL database on the test cluster, when there is one.
fn fresh_postgres(name: &str) -> Option<String> {
    let url = std::env::var("UTFALL_TEST_PG").ok()?;
    let bin = std::env::var("UTFALL_TEST_PG_BIN").ok()?;
    let (server, _) = url.rsplit_once('/').unwrap();
    let port = server.rsplit_once(':').unwrap().1;
    let database = format!("{name}_{}", std::process::id());
    let created = std::process::Command::new(Path::new(&bin).join("createdb"))
        .args(["-h", "127.0.0.1", "-p", port, "-U", "utfall", &database])
        .status()
        .unwrap();
    assert!(created.success(), "createdb {database}");
    Some(format!("{server}/{database}"))
}

fn run(dir: &Path, store: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut command = utfall();
    if let Some(url) = store {
        command.env("UTFALL_DATABASE_URL", url);
    }
    command.args(args).arg("-C").arg(dir).output().unwrap()
}

#[test]
fn two_digest_runs_at_once_send_each_message_once() {
    let store = fresh_postgres("digest_processes");
    if store.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs this on PostgreSQL: set UTFALL_TEST_PG and UTFALL_TEST_PG_BIN (scripts/with-postgres.sh)"
        );
    }
    let store = store.as_deref();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().join("demo");
    let mut demo = utfall();
    if let Some(url) = store {
        demo.env("UTFALL_DATABASE_URL", url);
    }
    let made = demo
        .args(["demo", "--no-serve", "--size", "small"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let (port, inbox) = sink();
    let mut config = std::fs::read_to_string(dir.join("utfall.toml")).unwrap();
    config.push_str(&format!(
        "\n[mail]\nhost = \"127.0.0.1\"\nport = {port}\nfrom = \"utfall@example.se\"\nsecurity = \"none\"\n"
    ));
    std::fs::write(dir.join("utfall.toml"), config).unwrap();
    for (id, email, kind) in [
        ("anna", "anna@example.se", "weekly"),
        ("bo", "bo@example.se", "monthly"),
        ("cleo", "cleo@example.se", "weekly"),
    ] {
        let added = run(
            &dir,
            store,
            &["user", "add", id, "--name", id, "--email", email],
        );
        assert!(
            added.status.success(),
            "{}",
            String::from_utf8_lossy(&added.stderr)
        );
        let subscribed = run(
            &dir,
            store,
            &["digest", "subscribe", "--user", id, "--kind", kind],
        );
        assert!(
            subscribed.status.success(),
            "{}",
            String::from_utf8_lossy(&subscribed.stderr)
        );
    }
    // Two processes at once.
    let spawn = || {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("utfall"));
        if let Some(url) = store {
            command.env("UTFALL_DATABASE_URL", url);
        }
        command
            .env("NO_COLOR", "1")
            .args(["digest", "run", "-C"])
            .arg(&dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn(), spawn());
    for child in [first, second] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut got = inbox.lock().unwrap().clone();
    got.sort();
    let recipients: Vec<&str> = got.iter().map(|(to, _)| to.as_str()).collect();
    // One weekly digest each for anna and cleo, one monthly for bo: three, whoever sent them.
    assert_eq!(
        recipients,
        vec!["anna@example.se", "bo@example.se", "cleo@example.se"],
        "{got:?}"
    );
    // A third run, later: nothing more.
    let again = run(&dir, store, &["digest", "run"]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(inbox.lock().unwrap().len(), 3);
}
