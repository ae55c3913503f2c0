//! The web app over real HTTP on a loopback port, on the demo company with a fresh store: the
//! route × role matrix of `routes.toml`, CSRF and `Origin` refusals, HTML in names and notes
//! rendered inert, the login limiter, and the KPI page's SVG against the definitions.
#![allow(clippy::unwrap_used)]

mod common;

use common::server;

#[derive(Debug, serde::Deserialize)]
struct Matrix {
    route: Vec<Expected>,
}

#[derive(Debug, serde::Deserialize)]
struct Expected {
    method: String,
    path: String,
    request: Option<String>,
    body: Option<String>,
    #[serde(default)]
    fresh_session: bool,
    statuses: std::collections::BTreeMap<String, u16>,
}

fn matrix() -> Matrix {
    toml::from_str(include_str!("routes.toml")).unwrap()
}

#[test]
fn the_matrix_names_every_declared_route_once() {
    let matrix = matrix();
    let mut declared: Vec<(String, String)> = utfall_server::routes::ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    let mut listed: Vec<(String, String)> = matrix
        .route
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    declared.sort();
    listed.sort();
    assert_eq!(listed, declared);
    for route in &matrix.route {
        let roles: Vec<&str> = route.statuses.keys().map(String::as_str).collect();
        assert_eq!(
            roles,
            ["admin", "anonymous", "editor", "viewer"],
            "{}",
            route.path
        );
    }
}

#[test]
fn every_route_answers_every_role_as_the_matrix_says() {
    let server = server();
    let mut wrong = Vec::new();
    for route in matrix().route {
        for (role, expected) in &route.statuses {
            let login = if role == "anonymous" {
                None
            } else if route.fresh_session {
                Some(server.login(role))
            } else {
                Some(server.session(role))
            };
            let target = route.request.clone().unwrap_or_else(|| route.path.clone());
            let response = if route.method == "POST" {
                let body = route
                    .body
                    .clone()
                    .unwrap_or_default()
                    .replace("{role}", role);
                server.post(login.as_ref(), &target, &body)
            } else {
                server.get(login.as_ref(), &target)
            };
            if response.status != *expected {
                wrong.push(format!(
                    "{} {target} as {role}: {} (expected {expected}) {}",
                    route.method,
                    response.status,
                    response.text().chars().take(160).collect::<String>()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_post_without_the_token_or_from_another_site_is_refused() {
    let server = server();
    let viewer = server.login("viewer");
    let address = server.address;
    let form = "language=sv";
    // No token.
    let bare = server.raw(
        "POST",
        "/account/language",
        &[
            ("cookie", viewer.cookie.as_str()),
            ("origin", &format!("http://{address}")),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        Some(form),
    );
    assert_eq!(bare.status, 403, "{}", bare.text());
    // Another session's token.
    let other = server.login("editor");
    let stolen = format!("{form}&csrf={}", other.csrf);
    let response = server.raw(
        "POST",
        "/account/language",
        &[
            ("cookie", viewer.cookie.as_str()),
            ("origin", &format!("http://{address}")),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        Some(&stolen),
    );
    assert_eq!(response.status, 403);
    // The right token from a foreign Origin.
    let good = format!("{form}&csrf={}", viewer.csrf);
    let foreign = server.raw(
        "POST",
        "/account/language",
        &[
            ("cookie", viewer.cookie.as_str()),
            ("origin", "http://evil.example"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        Some(&good),
    );
    assert_eq!(foreign.status, 403);
    // A cross-site fetch without an Origin.
    let cross = server.raw(
        "POST",
        "/account/language",
        &[
            ("cookie", viewer.cookie.as_str()),
            ("sec-fetch-site", "cross-site"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        Some(&good),
    );
    assert_eq!(cross.status, 403);
    // And the right one goes through.
    let ok = server.post(Some(&viewer), "/account/language", form);
    assert_eq!(ok.status, 303, "{}", ok.text());
    // The token is also accepted as a header (for scripts).
    let header = server.raw(
        "POST",
        "/account/language",
        &[
            ("cookie", viewer.cookie.as_str()),
            ("origin", &format!("http://{address}")),
            ("x-csrf-token", viewer.csrf.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        Some(form),
    );
    assert_eq!(header.status, 303);
    // A login without the login cookie's token is refused too.
    let login = server.raw(
        "POST",
        "/login",
        &[
            ("origin", &format!("http://{address}")),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        Some("id=viewer&password=viewer-password-1"),
    );
    assert_eq!(login.status, 403);
}

#[test]
fn every_response_carries_the_security_headers_and_session_cookies_are_http_only() {
    let server = server();
    let page = server.get(None, "/login");
    assert_eq!(
        page.header("content-security-policy")
            .map(|c| c.starts_with("default-src 'self'")),
        Some(true)
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    let login = server.login("viewer");
    assert!(
        login.set_cookie.contains("HttpOnly"),
        "{}",
        login.set_cookie
    );
    assert!(
        login.set_cookie.contains("SameSite=Lax"),
        "{}",
        login.set_cookie
    );
    assert!(
        !login.set_cookie.contains("Secure"),
        "no TLS here: {}",
        login.set_cookie
    );
}

#[test]
fn names_and_notes_with_html_render_inert() {
    let server = server();
    let admin = server.session("admin");
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    server.annotate("leads", evil);
    let added = server.post(
        Some(&admin),
        "/admin/people",
        &format!("id=mallory&name={}&role=viewer", common::encode(evil)),
    );
    assert_eq!(added.status, 201, "{}", added.text());
    for page in ["/kpi/leads", "/admin/people"] {
        let html = server.get(Some(&admin), page).text();
        assert!(!html.contains("<script>alert"), "{page} runs a script");
        // Templates escape to numeric references, the charts to named ones: both are text.
        let html = html.replace("&#60;", "&lt;").replace("&#62;", "&gt;");
        assert!(!html.contains("<img src=x"), "{page} has the image");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{page} lost the text"
        );
    }
    // In the chart, the note is the marker's title, escaped too.
    let html = server.get(Some(&admin), "/kpi/leads").text();
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    assert!(svg.contains("&lt;script&gt;"), "the marker lacks the note");
}

#[test]
fn wrong_passwords_are_limited_per_address() {
    let server = server();
    // A fresh server: other tests' failed logins do not count here.
    let limited = common::Server::start();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(limited.try_login("viewer", "wrong-password").status);
    }
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(&statuses[10..], &[429, 429]);
    // Even the right password is refused while limited.
    assert_eq!(
        limited
            .try_login("viewer", common::password("viewer"))
            .status,
        429
    );
    let _ = server;
}

#[test]
fn logout_ends_the_session_in_the_store() {
    let server = server();
    let viewer = server.login("viewer");
    assert_eq!(server.get(Some(&viewer), "/api/me").status, 200);
    assert_eq!(server.post(Some(&viewer), "/logout", "").status, 303);
    assert_eq!(server.get(Some(&viewer), "/api/me").status, 401);
    assert_eq!(server.get(Some(&viewer), "/").status, 303);
}

#[test]
fn the_language_follows_the_query_the_setting_and_the_browser() {
    let server = server();
    // A person no other test changes the setting of.
    let reader = server.login("reader");
    let page = |accept: &str, path: &str| {
        server
            .raw(
                "GET",
                path,
                &[
                    ("cookie", reader.cookie.as_str()),
                    ("accept-language", accept),
                ],
                None,
            )
            .text()
    };
    let sv = page("sv-SE,sv;q=0.9", "/");
    assert!(sv.contains("<html lang=\"sv\">") && sv.contains("Styrkort"));
    let en = page("en-GB,en;q=0.9", "/");
    assert!(en.contains("<html lang=\"en\">") && en.contains("Scorecard"));
    // The person's setting wins over the browser's, and `?lang=` over both.
    assert_eq!(
        server
            .post(Some(&reader), "/account/language", "language=en")
            .status,
        303
    );
    assert!(page("sv-SE", "/").contains("<html lang=\"en\">"));
    assert!(page("en-GB", "/?lang=sv").contains("<html lang=\"sv\">"));
    assert_eq!(
        server
            .post(Some(&reader), "/account/language", "language=")
            .status,
        303
    );
    assert!(page("sv-SE", "/").contains("<html lang=\"sv\">"));
}

#[test]
fn an_editor_notes_comments_decides_and_a_viewer_may_not() {
    let server = server();
    let editor = server.login("editor");
    let viewer = server.login("viewer");
    let note = "Mässan i Göteborg (editor note)";
    let form = format!(
        "on=2026-09-15&until=2026-09-17&text={}",
        common::encode(note)
    );
    assert_eq!(
        server
            .post(Some(&viewer), "/kpi/won_deals/annotations", &form)
            .status,
        403
    );
    assert_eq!(
        server
            .post(Some(&editor), "/kpi/won_deals/annotations", &form)
            .status,
        303
    );
    let json: serde_json::Value = serde_json::from_str(
        &server
            .get(Some(&viewer), "/api/kpi/won_deals?grain=month")
            .text(),
    )
    .unwrap();
    let found = json["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["body"] == note)
        .unwrap();
    assert_eq!(
        (found["starts_on"].as_str(), found["ends_on"].as_str()),
        (Some("2026-09-15"), Some("2026-09-17"))
    );
    assert_eq!(found["author"], "editor");
    // The comment renders its Markdown, sanitised.
    let comment = "**Stark** månad <script>alert(3)</script> [länk](javascript:alert(4))";
    let form = format!("period=2026-09&text={}", common::encode(comment));
    assert_eq!(
        server
            .post(Some(&viewer), "/kpi/won_deals/comments", &form)
            .status,
        403
    );
    assert_eq!(
        server
            .post(Some(&editor), "/kpi/won_deals/comments", &form)
            .status,
        303
    );
    let html = server.get(Some(&viewer), "/kpi/won_deals").text();
    assert!(
        html.contains("<strong>Stark</strong> månad"),
        "Markdown rendered"
    );
    assert!(!html.contains("<script>alert(3)") && !html.contains("javascript:alert(4)"));
    // A decision at the open review shows on the review and in the log.
    let form = "id=web_more_email&action=more&subject_kind=channel&subject=email&kpi=leads&direction=up&size=5&owner=cmo&follow_up=2027-02-20";
    assert_eq!(
        server
            .post(Some(&viewer), "/reviews/fy2026_q2/decisions", form)
            .status,
        403
    );
    let decided = server.post(Some(&editor), "/reviews/fy2026_q2/decisions", form);
    assert_eq!(decided.status, 303, "{}", decided.text());
    let log: serde_json::Value =
        serde_json::from_str(&server.get(Some(&viewer), "/api/decisions?owner=cmo").text())
            .unwrap();
    let decision = log
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "web_more_email")
        .unwrap();
    assert_eq!(decision["review_id"], "fy2026_q2");
    assert_eq!(decision["effect"]["size"].as_f64(), Some(0.05));
    assert_eq!(decision["source"], "web");
    let page = server.get(Some(&viewer), "/reviews/fy2026_q2").text();
    assert!(page.contains("data-decision=\"web_more_email\""));
    let outcome = server.post(
        Some(&editor),
        "/decisions/web_more_email/outcome",
        "verdict=too_early&note=Only+a+month",
    );
    assert_eq!(outcome.status, 303, "{}", outcome.text());
    let log: serde_json::Value =
        serde_json::from_str(&server.get(Some(&viewer), "/api/decisions").text()).unwrap();
    let decision = log
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "web_more_email")
        .unwrap();
    assert_eq!(decision["outcome"]["verdict"], "too_early");
    // The KPI split by channel: one column a channel, each recomputed, the total last.
    let split = server
        .get(Some(&viewer), "/kpi/leads?grain=month&by=original_channel")
        .text();
    assert!(
        split.contains("<table class=\"split\" data-by=\"original_channel\">"),
        "no split table"
    );
    assert!(split.contains(">(total)</th>"));
    // The review exports as Markdown with its decisions.
    let markdown = server.get(Some(&viewer), "/reviews/fy2026_q2/export/md");
    assert_eq!(markdown.status, 200);
    assert!(markdown.text().contains("FY2026-Q2"));
}

fn assert_close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-9 * a.abs().max(1.0),
        "{what}: {a} vs {b}"
    );
}

#[test]
fn the_kpi_chart_carries_the_values_the_targets_and_last_year() {
    let server = server();
    let viewer = server.session("viewer");
    // won_revenue has quarterly targets in the demo's definitions.
    let json: serde_json::Value =
        serde_json::from_str(&server.get(Some(&viewer), "/api/kpi/won_revenue").text()).unwrap();
    let html = server.get(Some(&viewer), "/kpi/won_revenue").text();
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    let points = common::elements(svg, "circle", "actual");
    let values = json["values"].as_array().unwrap();
    let with_value: Vec<&serde_json::Value> =
        values.iter().filter(|v| v["value"].is_number()).collect();
    assert_eq!(
        points.len(),
        with_value.len(),
        "one point a period with a value"
    );
    for (point, value) in points.iter().zip(&with_value) {
        assert_eq!(
            point.get("data-period").map(String::as_str),
            value["period"].as_str()
        );
        let shown: f64 = point["data-value"].parse().unwrap();
        assert_eq!(shown, value["value"].as_f64().unwrap(), "exactly the value");
    }
    // The targets: read from the workspace's own definition file, independently of the app.
    let kpis = common::find_kpi_file(server.dir(), "won_revenue").unwrap();
    let targets = common::targets_of(&kpis, "won_revenue");
    assert!(!targets.is_empty(), "the demo's won_revenue has targets");
    let bands = common::elements(svg, "rect", "target-band");
    let mut checked = 0;
    for band in &bands {
        let period = &band["data-period"];
        if let Some((kind, value)) = targets.get(period.as_str()) {
            assert_eq!(kind, "reach");
            assert_close(band["data-low"].parse().unwrap(), *value, period);
            checked += 1;
        }
    }
    assert!(checked >= 2, "bands checked: {checked} of {bands:?}");
    // Last year's line: each point is the value of the same quarter a year earlier, read as
    // its own period from the API.
    let last_year = common::elements(svg, "circle", "last-year");
    assert!(!last_year.is_empty());
    for point in &last_year {
        let period = &point["data-period"];
        let (year, quarter) = period.split_once("-Q").unwrap();
        let earlier = format!(
            "{}-Q{quarter}",
            year.trim_start_matches("FY").parse::<i32>().unwrap() - 1
        );
        let earlier = if period.starts_with("FY") {
            format!("FY{earlier}")
        } else {
            earlier
        };
        let running = values
            .iter()
            .any(|v| v["period"] == period.as_str() && v["running"] == true);
        // A running period is compared to the same day last year: the scorecard of the period
        // itself says that value; a closed one is last year's period whole.
        let asked = if running {
            period.clone()
        } else {
            earlier.clone()
        };
        let own: serde_json::Value = serde_json::from_str(
            &server
                .get(Some(&viewer), &format!("/api/scorecard?period={asked}"))
                .text(),
        )
        .unwrap();
        let kpi = own["kpis"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kpi"] == "won_revenue")
            .unwrap();
        let expected = if running {
            &kpi["last_year"]
        } else {
            &kpi["value"]
        };
        let shown: f64 = point["data-value"].parse().unwrap();
        assert_close(
            shown,
            expected.as_f64().unwrap(),
            &format!("{period} vs {earlier}"),
        );
    }
}

#[test]
fn downloads_are_machine_values_and_csv_cells_cannot_be_formulas() {
    let server = server();
    let viewer = server.session("viewer");
    let csv = server.get(Some(&viewer), "/kpi/leads/values.csv?grain=month");
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = csv.text();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("kpi,period,value,last_year,running,target_kind,target,status")
    );
    let json: serde_json::Value = serde_json::from_str(
        &server
            .get(Some(&viewer), "/api/kpi/leads?grain=month")
            .text(),
    )
    .unwrap();
    for (line, point) in lines.zip(json["values"].as_array().unwrap()) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[1], point["period"].as_str().unwrap());
        match point["value"].as_f64() {
            Some(v) => assert_eq!(cells[2].parse::<f64>().unwrap(), v),
            None => assert_eq!(cells[2], ""),
        }
    }
    let xlsx = server.get(Some(&viewer), "/kpi/leads/values.xlsx");
    assert_eq!(&xlsx.body[..2], b"PK", "an XLSX is a zip");
}

#[test]
fn a_person_subscribes_to_digests_and_alerts_on_the_account_page() {
    let server = server();
    // `reader` is a viewer no other test posts as.
    let reader = server.login("reader");
    let saved = server.post(
        Some(&reader),
        "/account/subscriptions",
        "weekly=on&alerts=on",
    );
    assert_eq!(saved.status, 303, "{}", saved.text());
    let page = server.get(Some(&reader), "/account?lang=en").text();
    assert!(
        page.contains("name=\"weekly\" value=\"on\" checked"),
        "{page}"
    );
    assert!(page.contains("name=\"alerts\" value=\"on\" checked"));
    assert!(page.contains("name=\"monthly\" value=\"on\">"));
    let none = server.post(Some(&reader), "/account/subscriptions", "monthly=on");
    assert_eq!(none.status, 303);
    let page = server.get(Some(&reader), "/account?lang=en").text();
    assert!(page.contains("name=\"weekly\" value=\"on\">"), "{page}");
    assert!(page.contains("name=\"monthly\" value=\"on\" checked"));
}
