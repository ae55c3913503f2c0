//! `kill -9` of `utfall serve` during an upload or an import (issue 17): the data folder is
//! left in its previous state or its new one, never between, and a confirm after the restart
//! imports the whole file exactly once. The server is the binary, killed with SIGKILL
//! (`Child::kill`); every assertion holds whenever the kill lands, so no timing is asserted.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hasher as _};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::import::{import, manifest};
use crate::{json, new_workspace, utfall};

const EDITOR: &str = "editor";
const PASSWORD: &str = "editor-password-1";
const TODAY: &str = "2026-11-26";
const BOUNDARY: &str = "----utfall-kill-test-boundary";
const HEADER: &str = "Day,Campaign,Campaign ID,Currency code,Cost,Impr.,Clicks,Conversions\n";

/// The previous state: three days of campaign 99001 (1 234.50 + 200.25 + 50.00 SEK).
const PREVIOUS: &str = "Day,Campaign,Campaign ID,Currency code,Cost,Impr.,Clicks,Conversions\n\
2026-11-21,Before | Kill,99001,SEK,1234.50,1500,40,2\n\
2026-11-22,Before | Kill,99001,SEK,200.25,300,12,1\n\
2026-11-23,Before | Kill,99001,SEK,50.00,20,1,0\n";

/// A workspace with an editor and the previous state imported.
fn workspace() -> tempfile::TempDir {
    let dir = new_workspace("b2b");
    let previous = dir.path().join("previous.csv");
    std::fs::write(&previous, PREVIOUS).unwrap();
    let (code, stderr) = import(dir.path(), "google-ads", &previous);
    assert_eq!(code, 0, "{stderr}");
    utfall()
        .args([
            "user",
            "add",
            EDITOR,
            "--name",
            "The editor",
            "--role",
            "editor",
        ])
        .args(["--password-stdin", "-C"])
        .arg(dir.path())
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .success();
    dir
}

/// A Google Ads campaign report of `rows` distinct (day, campaign) rows of campaigns 700000
/// and up: the file, its total cost in cents and its total impressions.
fn big_report(rows: u64) -> (String, u64, u64) {
    let first: jiff::civil::Date = "2020-01-01".parse().unwrap();
    let mut text = String::from(HEADER);
    let (mut cents, mut impressions) = (0, 0);
    for i in 0..rows {
        let day = first
            .checked_add(jiff::Span::new().days(i64::try_from(i % 1000).unwrap()))
            .unwrap();
        let campaign = 700_000 + i / 1000;
        let cost = (i * 7919) % 100_000 + 1;
        let shown = i % 5000;
        cents += cost;
        impressions += shown;
        text.push_str(&format!(
            "{day},Kill test {campaign},{campaign},SEK,{}.{:02},{shown},{},{}\n",
            cost / 100,
            cost % 100,
            i % 300,
            i % 7
        ));
    }
    (text, cents, impressions)
}

/// Every file under `data/` (path relative to it → a hash of its bytes).
fn listing(dir: &Path) -> BTreeMap<String, u64> {
    fn walk(root: &Path, folder: &Path, out: &mut BTreeMap<String, u64>) {
        for entry in std::fs::read_dir(folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let mut hasher = DefaultHasher::new();
                hasher.write(&std::fs::read(&path).unwrap());
                let relative = path.strip_prefix(root).unwrap().to_string_lossy();
                out.insert(relative.into_owned(), hasher.finish());
            }
        }
    }
    let mut out = BTreeMap::new();
    let data = dir.join("data");
    walk(&data, &data, &mut out);
    out
}

/// The files the manifest names: current parts, retired files, quarantines.
fn named(dir: &Path) -> Vec<String> {
    let manifest = manifest(dir);
    let mut out: Vec<String> = manifest["tables"]
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
    out.sort();
    out
}

/// (rows, cost, impressions) of spend for the campaigns `condition` selects, by `utfall sql`.
fn spend(dir: &Path, condition: &str) -> (u64, f64, u64) {
    let query = format!(
        "SELECT count(*) AS n, coalesce(sum(cost), 0) AS cost, \
         coalesce(sum(impressions), 0) AS impressions FROM spend WHERE {condition}"
    );
    let result = json(&["sql", "--format", "json", &query], dir);
    let row = &result[0];
    (
        row["n"].as_u64().unwrap(),
        row["cost"].as_f64().unwrap(),
        row["impressions"].as_f64().unwrap() as u64,
    )
}

/// The import log's records of a whole file of `rows` rows.
fn imports_of(dir: &Path, rows: u64) -> usize {
    manifest(dir)["imports"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["read"] == rows && i["imported"] == rows && i["preset"] == "google-ads")
        .count()
}

/// A copy of a folder.
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

/// `utfall serve` on a free port, killed (SIGKILL) when dropped.
struct Served {
    child: Child,
    address: SocketAddr,
}

impl Served {
    fn start(dir: &Path) -> Served {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("utfall"))
            .args(["serve", "--bind", "127.0.0.1:0", "--today", TODAY, "-C"])
            .arg(dir)
            .env("NO_COLOR", "1")
            .env("LANG", "C")
            .env_remove("UTFALL_LANG")
            .env_remove("UTFALL_FAILPOINT")
            .env_remove("UTFALL_UPLOAD_LIMIT_MB")
            .env_remove("UTFALL_SECURE_COOKIES")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = Vec::new();
        let address = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!("`utfall serve` stopped before listening: {seen:#?}");
            };
            if let Some((_, rest)) = line.split_once("the web app is at http://") {
                break rest.split('/').next().unwrap().parse().unwrap();
            }
            seen.push(line);
        };
        // Keep reading its log so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Served { child, address }
    }

    /// `kill -9`, and waits for the process to be gone.
    fn kill(mut self) {
        self.child.kill().unwrap();
        let status = self.child.wait().unwrap();
        assert!(!status.success(), "the server was killed: {status:?}");
    }

    fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .unwrap();
        stream
    }

    /// A request's head (`connection: close`, a content length for a POST).
    fn head(&self, method: &str, path: &str, headers: &[(&str, &str)], length: usize) -> String {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n",
            self.address
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if method == "POST" {
            head.push_str(&format!("content-length: {length}\r\n"));
        }
        head.push_str("\r\n");
        head
    }

    fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        let mut stream = self.connect();
        let mut bytes = self.head(method, path, headers, body.len()).into_bytes();
        bytes.extend_from_slice(body);
        stream.write_all(&bytes).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        Response::parse(&raw)
    }

    /// A form POST from this site.
    fn post(&self, login: &Login, path: &str, form: &str) -> Response {
        let origin = self.origin();
        let body = format!("{form}csrf={}", login.csrf);
        self.send(
            "POST",
            path,
            &[
                ("cookie", login.cookie.as_str()),
                ("origin", origin.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            body.as_bytes(),
        )
    }

    fn get(&self, login: &Login, path: &str) -> Response {
        self.send("GET", path, &[("cookie", login.cookie.as_str())], b"")
    }

    /// Logs in as the editor: the login form's cookie and token, the password, the session's
    /// token.
    fn login(&self) -> Login {
        let page = self.send("GET", "/login", &[], b"");
        let login_cookie = page.cookie("utfall_login");
        let text = page.text();
        let at = text.find("name=\"csrf\" value=\"").unwrap() + 19;
        let form_token = &text[at..at + 64];
        let origin = self.origin();
        let answer = self.send(
            "POST",
            "/login",
            &[
                ("cookie", login_cookie.as_str()),
                ("origin", origin.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            format!("id={EDITOR}&password={PASSWORD}&csrf={form_token}").as_bytes(),
        );
        assert_eq!(answer.status, 303, "login: {}", answer.text());
        let cookie = answer.cookie("utfall_session");
        let me = self.send("GET", "/api/me", &[("cookie", cookie.as_str())], b"");
        let me: serde_json::Value = serde_json::from_str(&me.text()).unwrap();
        Login {
            cookie,
            csrf: me["csrf"].as_str().unwrap().to_string(),
        }
    }

    /// The head of a multipart upload of a file of `size` bytes (CSRF token and preset
    /// first), and its content length.
    fn multipart_head(&self, login: &Login, preset: &str, name: &str, size: usize) -> Vec<u8> {
        let mut start = String::new();
        for (key, value) in [("csrf", login.csrf.as_str()), ("preset", preset)] {
            start.push_str(&format!(
                "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"{key}\"\r\n\r\n{value}\r\n"
            ));
        }
        start.push_str(&format!(
            "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"file\"; \
             filename=\"{name}\"\r\ncontent-type: text/csv\r\n\r\n"
        ));
        let length = start.len() + size + end_of_multipart().len();
        let origin = self.origin();
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        let mut bytes = self
            .head(
                "POST",
                "/data/import",
                &[
                    ("cookie", login.cookie.as_str()),
                    ("origin", origin.as_str()),
                    ("content-type", content_type.as_str()),
                ],
                length,
            )
            .into_bytes();
        bytes.extend_from_slice(start.as_bytes());
        bytes
    }

    /// Uploads a whole file; the upload's id.
    fn upload(&self, login: &Login, preset: &str, name: &str, file: &[u8]) -> String {
        let mut stream = self.connect();
        let mut bytes = self.multipart_head(login, preset, name, file.len());
        bytes.extend_from_slice(file);
        bytes.extend_from_slice(end_of_multipart().as_bytes());
        stream.write_all(&bytes).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let answer = Response::parse(&raw);
        assert_eq!(answer.status, 303, "{}", answer.text());
        let location = answer.header("location").unwrap();
        location.rsplit('/').next().unwrap().to_string()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn end_of_multipart() -> String {
    format!("\r\n--{BOUNDARY}--\r\n")
}

/// A logged-in editor.
struct Login {
    cookie: String,
    csrf: String,
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no HTTP answer: {:?}", String::from_utf8_lossy(raw)));
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap().split(' ').nth(1).unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        Response {
            status: status.parse().unwrap(),
            headers,
            body,
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `NAME=value` of the cookie `name` the answer sets.
    fn cookie(&self, name: &str) -> String {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .find(|(_, v)| v.starts_with(&format!("{name}=")))
            .map(|(_, v)| v.split(';').next().unwrap().to_string())
            .unwrap_or_else(|| panic!("no cookie `{name}`: {:?}", self.headers))
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 4 + size..];
    }
}

/// The folders under `.utfall/uploads`, each with the names of its files.
fn uploads(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let root = dir.join(".utfall/uploads");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let mut files: Vec<String> = std::fs::read_dir(entry.path())
            .unwrap()
            .flatten()
            .map(|f| f.file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        out.insert(entry.file_name().to_string_lossy().into_owned(), files);
    }
    out
}

/// Waits (up to a minute) until `found` gives something.
fn wait_for<T>(what: &str, mut found: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = found() {
            return value;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_kill_during_an_upload_leaves_the_data_as_it_was_and_no_upload() {
    let dir = workspace();
    let before = listing(dir.path());
    assert!(before.contains_key("_manifest.json"));
    let (file, _, _) = big_report(150_000);
    assert!(file.len() > 6 << 20, "{}", file.len());

    let server = Served::start(dir.path());
    let editor = server.login();
    let mut stream = server.connect();
    stream
        .write_all(&server.multipart_head(&editor, "google-ads", "big.csv", file.len()))
        .unwrap();
    // Half of the file, then the kill once the server has begun writing it.
    let sent = file.len() / 2;
    stream.write_all(&file.as_bytes()[..sent]).unwrap();
    stream.flush().unwrap();
    let part: PathBuf = wait_for("upload.part with bytes in it", || {
        uploads(dir.path()).into_keys().find_map(|id| {
            let part = dir
                .path()
                .join(".utfall/uploads")
                .join(id)
                .join("upload.part");
            std::fs::metadata(&part)
                .is_ok_and(|m| m.len() > 0)
                .then_some(part)
        })
    });
    server.kill();
    drop(stream);

    assert_eq!(listing(dir.path()), before, "the data folder is as it was");
    let written = std::fs::metadata(&part).unwrap().len();
    assert!(written <= sent as u64, "{written} of {sent}");
    let left = uploads(dir.path());
    assert_eq!(left.len(), 1, "{left:?}");
    for files in left.values() {
        assert_eq!(files, &["upload.part"], "no finished upload");
    }

    // After the restart the broken upload is nothing: no page, no import.
    let server = Served::start(dir.path());
    let editor = server.login();
    for id in left.keys() {
        let shown = server.get(&editor, &format!("/api/uploads/{id}"));
        assert!((400..500).contains(&shown.status), "{}", shown.status);
        let confirmed = server.post(&editor, &format!("/data/import/{id}"), "");
        assert!(
            (400..500).contains(&confirmed.status),
            "{}: {}",
            confirmed.status,
            confirmed.text()
        );
    }
    server.kill();
    assert_eq!(listing(dir.path()), before, "nothing imported the part");
    assert_eq!(spend(dir.path(), "campaign_id <> '99001'").0, 0);
    let previous = spend(dir.path(), "campaign_id = '99001'");
    assert_eq!((previous.0, previous.2), (3, 1820));
    assert!((previous.1 - 1484.75).abs() < 1e-9, "{}", previous.1);
}

#[test]
fn a_kill_during_an_import_leaves_the_previous_state_or_the_whole_import() {
    const ROWS: u64 = 60_000;
    let base = workspace();
    let (file, cents, impressions) = big_report(ROWS);
    let cost = cents as f64 / 100.0;
    let server = Served::start(base.path());
    let editor = server.login();
    let id = server.upload(&editor, "google-ads", "big.csv", file.as_bytes());
    let dry: serde_json::Value =
        serde_json::from_str(&server.get(&editor, &format!("/api/uploads/{id}")).text()).unwrap();
    assert_eq!(dry["dry_run"]["imported"], ROWS, "{dry:#}");
    assert!(dry["result"].is_null());
    server.kill();
    let before = listing(base.path());
    let before_manifest = std::fs::read(base.path().join("data/_manifest.json")).unwrap();
    assert_eq!(imports_of(base.path(), ROWS), 0);

    // A confirm left alone: the whole file, and how long it takes (import and snapshot).
    let reference = tempfile::tempdir().unwrap();
    copy_dir(base.path(), reference.path());
    let server = Served::start(reference.path());
    let editor = server.login();
    let started = Instant::now();
    let confirmed = server.post(&editor, &format!("/data/import/{id}"), "");
    let took = started.elapsed();
    assert_eq!(confirmed.status, 303, "{}", confirmed.text());
    server.kill();
    assert_eq!(imports_of(reference.path(), ROWS), 1);
    let (n, sum, shown) = spend(reference.path(), "campaign_id <> '99001'");
    assert_eq!((n, shown), (ROWS, impressions));
    assert!((sum - cost).abs() < 0.01, "{sum} ≠ {cost}");

    // Kills spread over that time: before the request is read, while the file is read, about
    // the commit, during the snapshot. Whichever state each finds is checked.
    let delays = [0.0, 0.2, 0.5, 0.75, 0.95].map(|f| took.mul_f64(f));
    let (mut kept, mut imported) = (0, 0);
    for delay in delays {
        let delay = delay.as_millis();
        let copy = tempfile::tempdir().unwrap();
        copy_dir(base.path(), copy.path());
        let dir = copy.path();
        let server = Served::start(dir);
        let editor = server.login();
        // The confirm, sent on a thread whose answer never comes (or comes, if it finished).
        let request = {
            let mut stream = server.connect();
            let origin = server.origin();
            let body = format!("csrf={}", editor.csrf);
            let mut bytes = server
                .head(
                    "POST",
                    &format!("/data/import/{id}"),
                    &[
                        ("cookie", editor.cookie.as_str()),
                        ("origin", origin.as_str()),
                        ("content-type", "application/x-www-form-urlencoded"),
                    ],
                    body.len(),
                )
                .into_bytes();
            bytes.extend_from_slice(body.as_bytes());
            stream.write_all(&bytes).unwrap();
            std::thread::spawn(move || {
                let mut raw = Vec::new();
                let _ = stream.read_to_end(&mut raw);
            })
        };
        std::thread::sleep(Duration::from_millis(u64::try_from(delay).unwrap()));
        server.kill();
        request.join().unwrap();

        // The previous state (every file as it was; at most files no manifest names, which
        // the next writer removes) or the whole import.
        let after = listing(dir);
        let manifest_now = std::fs::read(dir.join("data/_manifest.json")).unwrap();
        if manifest_now == before_manifest {
            kept += 1;
            let names = named(dir);
            for (file, hash) in &after {
                match before.get(file) {
                    Some(old) => assert_eq!(old, hash, "{delay} ms: `{file}` changed"),
                    None => assert!(!names.contains(file), "{delay} ms: `{file}` is named"),
                }
            }
            for file in before.keys() {
                assert!(after.contains_key(file), "{delay} ms: `{file}` is gone");
            }
            assert_eq!(spend(dir, "campaign_id <> '99001'").0, 0, "{delay} ms");
        } else {
            imported += 1;
            assert_eq!(imports_of(dir, ROWS), 1, "{delay} ms");
            let (n, sum, shown) = spend(dir, "campaign_id <> '99001'");
            assert_eq!((n, shown), (ROWS, impressions), "{delay} ms");
            assert!((sum - cost).abs() < 0.01, "{delay} ms: {sum} ≠ {cost}");
        }
        let previous = spend(dir, "campaign_id = '99001'");
        assert_eq!((previous.0, previous.2), (3, 1820), "{delay} ms");

        // Restarted and confirmed again: the whole file, once.
        let server = Served::start(dir);
        let editor = server.login();
        let confirmed = server.post(&editor, &format!("/data/import/{id}"), "");
        assert_eq!(confirmed.status, 303, "{delay} ms: {}", confirmed.text());
        let shown: serde_json::Value =
            serde_json::from_str(&server.get(&editor, &format!("/api/uploads/{id}")).text())
                .unwrap();
        server.kill();
        let result = &shown["result"];
        // Killed after the import committed (its result not yet saved): the confirm finds the
        // file in already and reads nothing; the data was checked whole above.
        if result["already_imported"] == true {
            assert_eq!(imports_of(dir, ROWS), 1, "{delay} ms: {shown:#}");
        } else {
            assert_eq!(result["read"], ROWS, "{delay} ms: {shown:#}");
            assert_eq!(result["imported"], ROWS, "{delay} ms: {shown:#}");
            // That import removed what the killed one left.
            let mut on_disk: Vec<String> = listing(dir)
                .into_keys()
                .filter(|f| f != "_manifest.json" && f != "_lock")
                .collect();
            on_disk.sort();
            assert_eq!(on_disk, named(dir), "{delay} ms");
        }
        assert_eq!(imports_of(dir, ROWS), 1, "{delay} ms");
        let (n, sum, shown) = spend(dir, "campaign_id <> '99001'");
        assert_eq!((n, shown), (ROWS, impressions), "{delay} ms");
        assert!((sum - cost).abs() < 0.01, "{delay} ms: {sum} ≠ {cost}");
        let previous = spend(dir, "campaign_id = '99001'");
        assert_eq!((previous.0, previous.2), (3, 1820), "{delay} ms");
    }
    eprintln!(
        "a confirm took {took:?}; kills after {delays:?}: {kept} left the previous state, \
         {imported} the new one"
    );
    assert_eq!(kept + imported, delays.len());
}
