//! A server on a loopback port over the demo company, and a small HTTP/1.1 client.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The day the demo's data ends.
pub const TODAY: &str = "2026-11-20";

/// The upload limit of the test servers: small, so that a test can go over it.
pub const UPLOAD_LIMIT: u64 = 4 << 20;

/// The demo workspace, generated once for the test binary.
pub fn workspace() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let today: jiff::civil::Date = TODAY.parse().unwrap();
        let runtime = utfall_app::runtime().unwrap();
        runtime.block_on(async {
            let request = utfall_app::demo::DemoRequest {
                seed: 1,
                size: utfall_app::demo::Size::Small,
                clock: utfall_app::Clock::Fixed(today),
                force: false,
                import: true,
                history_days: None,
            };
            utfall_app::demo::install(dir.path(), &request).unwrap();
            let clock = utfall_app::Clock::Fixed(today);
            utfall_app::memory::after_import(dir.path(), &[], clock)
                .await
                .unwrap();
            let session = utfall_app::Session::open(dir.path(), clock).await.unwrap();
            let store = utfall_app::memory::open_store(dir.path(), &session.workspace)
                .await
                .unwrap();
            for role in ["viewer", "editor", "admin", "reader"] {
                let kind = if role == "reader" { "viewer" } else { role };
                utfall_app::memory::add_user(
                    &store,
                    role,
                    &format!("The {role}"),
                    None,
                    kind,
                    Some(password(role)),
                )
                .await
                .unwrap();
            }
            // A review open for the quarter before today's, as a team would have.
            let meta = utfall_app::review::ReviewMeta {
                id: "fy2026_q2".into(),
                period: "FY2026-Q2".parse().unwrap(),
                held_on: None,
                participants: Vec::new(),
                notes: None,
            };
            utfall_app::review::open(&session, &store, &meta)
                .await
                .unwrap();
            store.close().await;
        });
        dir
    })
    .path()
}

/// A role's password in the test store.
pub fn password(role: &str) -> &'static str {
    match role {
        "viewer" => "viewer-password-1",
        "editor" => "editor-password-1",
        "reader" => "reader-password-1",
        _ => "admin-password-1",
    }
}

/// A logged-in browser.
#[derive(Debug, Clone)]
pub struct Login {
    /// `utfall_session=…`.
    pub cookie: String,
    /// The session's form token.
    pub csrf: String,
    /// The `Set-Cookie` the login answered with.
    pub set_cookie: String,
}

/// A running server.
pub struct Server {
    pub address: SocketAddr,
    sessions: Mutex<BTreeMap<String, Login>>,
}

/// The shared server.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(Server::start)
}

/// An HTTP response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

impl Server {
    /// Starts a server of its own on the demo workspace, on a free port.
    pub fn start() -> Server {
        let dir = workspace().to_path_buf();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = utfall_app::runtime().unwrap();
            runtime.block_on(async move {
                let config = utfall_server::Config {
                    dir,
                    bind: "127.0.0.1:0".parse().unwrap(),
                    clock: utfall_app::Clock::Fixed(TODAY.parse().unwrap()),
                    secure_cookies: false,
                    upload_limit: UPLOAD_LIMIT,
                };
                let bound = utfall_server::bind(&config).await.unwrap();
                sender.send(bound.address).unwrap();
                bound.serve_until(std::future::pending()).await.unwrap();
            });
        });
        Server {
            address: receiver.recv().unwrap(),
            sessions: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn dir(&self) -> &Path {
        workspace()
    }

    /// Sends a request and reads the whole answer.
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Response {
        self.raw_bytes(method, path, headers, body.unwrap_or("").as_bytes())
    }

    /// Sends a request with a body of bytes and reads the whole answer.
    pub fn raw_bytes(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        let mut stream = TcpStream::connect(self.address).unwrap();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n",
            self.address
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        if method == "POST" {
            request.push_str(&format!("content-length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(body);
        // The server may answer (and close) before reading a refused body to its end.
        let _ = stream.write_all(&bytes);
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        parse(&raw)
    }

    /// A `multipart/form-data` upload of `file` (named `name`) with `fields` before it, from
    /// this site; `csrf` first unless `None`.
    pub fn upload(
        &self,
        login: &Login,
        csrf: Option<&str>,
        fields: &[(&str, &str)],
        name: &str,
        file: &[u8],
    ) -> Response {
        let boundary = "----utfall-test-boundary-7d1f";
        let mut body = Vec::new();
        let mut field = |key: &str, value: &str| {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\ncontent-disposition: form-data; name=\"{key}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        };
        if let Some(token) = csrf {
            field("csrf", token);
        }
        for (key, value) in fields {
            field(key, value);
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"{name}\"\r\ncontent-type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let origin = format!("http://{}", self.address);
        let content_type = format!("multipart/form-data; boundary={boundary}");
        self.raw_bytes(
            "POST",
            "/data/import",
            &[
                ("cookie", login.cookie.as_str()),
                ("origin", origin.as_str()),
                ("content-type", content_type.as_str()),
            ],
            &body,
        )
    }

    fn auth_headers<'a>(&'a self, login: Option<&'a Login>) -> Vec<(&'a str, String)> {
        login.map_or(Vec::new(), |l| vec![("cookie", l.cookie.clone())])
    }

    pub fn get(&self, login: Option<&Login>, path: &str) -> Response {
        let headers = self.auth_headers(login);
        let refs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        self.raw("GET", path, &refs, None)
    }

    /// A form POST from this site with the login's token (anonymous: the login form's).
    pub fn post(&self, login: Option<&Login>, path: &str, form: &str) -> Response {
        let (cookie, csrf) = match login {
            Some(l) => (l.cookie.clone(), l.csrf.clone()),
            None => self.login_form(),
        };
        let body = if form.is_empty() {
            format!("csrf={csrf}")
        } else {
            format!("{form}&csrf={csrf}")
        };
        let origin = format!("http://{}", self.address);
        self.raw(
            "POST",
            path,
            &[
                ("cookie", cookie.as_str()),
                ("origin", origin.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Some(&body),
        )
    }

    /// The login form's cookie and token.
    fn login_form(&self) -> (String, String) {
        let page = self.raw("GET", "/login", &[], None);
        let cookie = page
            .headers_named("set-cookie")
            .into_iter()
            .find(|c| c.starts_with("utfall_login="))
            .map(|c| c.split(';').next().unwrap().to_string())
            .unwrap();
        let text = page.text();
        let at = text.find("name=\"csrf\" value=\"").unwrap() + 19;
        let token = text[at..at + 64].to_string();
        (cookie, token)
    }

    /// Logs in with a password; the answer as it came.
    pub fn try_login(&self, id: &str, password: &str) -> Response {
        let (cookie, csrf) = self.login_form();
        let origin = format!("http://{}", self.address);
        let body = format!("id={id}&password={}&csrf={csrf}", encode(password));
        self.raw(
            "POST",
            "/login",
            &[
                ("cookie", cookie.as_str()),
                ("origin", origin.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Some(&body),
        )
    }

    /// A new session of `role`.
    pub fn login(&self, role: &str) -> Login {
        let response = self.try_login(role, password(role));
        assert_eq!(response.status, 303, "login as {role}: {}", response.text());
        let set_cookie = response
            .headers_named("set-cookie")
            .into_iter()
            .find(|c| c.starts_with("utfall_session="))
            .unwrap()
            .to_string();
        let cookie = set_cookie.split(';').next().unwrap().to_string();
        let me = self.raw("GET", "/api/me", &[("cookie", cookie.as_str())], None);
        let me: serde_json::Value = serde_json::from_str(&me.text()).unwrap();
        Login {
            cookie,
            csrf: me["csrf"].as_str().unwrap().to_string(),
            set_cookie,
        }
    }

    /// The shared session of `role` (never logged out).
    pub fn session(&self, role: &str) -> Login {
        let mut sessions = self.sessions.lock().unwrap();
        sessions
            .entry(role.to_string())
            .or_insert_with(|| self.login(role))
            .clone()
    }

    /// A note on a KPI in the store, in the window its page shows.
    pub fn annotate(&self, kpi: &str, body: &str) {
        let dir = workspace().to_path_buf();
        let (kpi, body) = (kpi.to_string(), body.to_string());
        std::thread::spawn(move || {
            let runtime = utfall_app::runtime().unwrap();
            runtime.block_on(async {
                let workspace = utfall_app::session::load(&dir).unwrap();
                let store = utfall_app::memory::open_store(&dir, &workspace)
                    .await
                    .unwrap();
                store
                    .annotate(&utfall_store::NewAnnotation {
                        scope: utfall_store::Scope::Kpi,
                        scope_id: Some(kpi),
                        starts_on: "2026-10-05".into(),
                        ends_on: None,
                        body,
                        author: "tester".into(),
                        kind: utfall_store::AnnotationKind::Note,
                        source_ref: None,
                        created_at: jiff::Timestamp::now(),
                    })
                    .await
                    .unwrap();
                store.close().await;
            });
        })
        .join()
        .unwrap();
    }
}

fn parse(raw: &[u8]) -> Response {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
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
        status,
        headers,
        body,
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

/// Percent-encoding for a form value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The attributes of every `<tag … class="…class…">` element in `svg`.
pub fn elements(svg: &str, tag: &str, class: &str) -> Vec<BTreeMap<String, String>> {
    let mut out = Vec::new();
    let open = format!("<{tag} ");
    let mut rest = svg;
    while let Some(at) = rest.find(&open) {
        let end = rest[at..].find('>').unwrap() + at;
        let element = &rest[at + open.len()..end];
        let attributes = attributes(element);
        if attributes
            .get("class")
            .is_some_and(|c| c.split_whitespace().any(|w| w == class))
        {
            out.push(attributes);
        }
        rest = &rest[end..];
    }
    out
}

fn attributes(element: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = element;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].trim().rsplit(' ').next().unwrap().to_string();
        let value_end = rest[eq + 2..].find('"').unwrap() + eq + 2;
        out.insert(name, rest[eq + 2..value_end].to_string());
        rest = &rest[value_end + 1..];
    }
    out
}

/// The definition file that declares KPI `id`.
pub fn find_kpi_file(dir: &Path, id: &str) -> std::io::Result<String> {
    for entry in std::fs::read_dir(dir.join("kpis"))? {
        let path: PathBuf = entry?.path();
        let text = std::fs::read_to_string(&path)?;
        if text.contains(&format!("id = \"{id}\"")) {
            return Ok(text);
        }
    }
    Err(std::io::Error::other(format!("no file declares {id}")))
}

/// A KPI's targets in a definition file, read with a TOML parser: period → (kind, value).
pub fn targets_of(text: &str, id: &str) -> BTreeMap<String, (String, f64)> {
    let table: toml::Table = toml::from_str(text).unwrap();
    let mut out = BTreeMap::new();
    for kpi in table["kpi"].as_array().unwrap() {
        if kpi["id"].as_str() != Some(id) {
            continue;
        }
        for target in kpi
            .get("target")
            .and_then(|t| t.as_array())
            .into_iter()
            .flatten()
        {
            out.insert(
                target["period"].as_str().unwrap().to_string(),
                (
                    target["kind"].as_str().unwrap().to_string(),
                    target["value"]
                        .as_float()
                        .or_else(|| target["value"].as_integer().map(|i| i as f64))
                        .unwrap(),
                ),
            );
        }
    }
    out
}
